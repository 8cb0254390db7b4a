/* msgpack_peer.c - msgpack-c (libmsgpack-dev, C API) in the teleport benchmark
   No schema: a record is the array [id, age, score, name, email] (the compact
   form; maps with key strings would be larger and slower). */
#include "peers.h"

#include <msgpack.h>
#include <stdlib.h>

typedef struct mp_ctx {
    msgpack_sbuffer sbuf;
} mp_ctx;

static void *mp_create(const bench_user *recs, size_t n) {
    mp_ctx *c = (mp_ctx *)calloc(1, sizeof *c);
    (void)recs;
    (void)n;
    if (!c) return NULL;
    msgpack_sbuffer_init(&c->sbuf);
    return c;
}

static void mp_destroy(void *p) {
    mp_ctx *c = (mp_ctx *)p;
    if (!c) return;
    msgpack_sbuffer_destroy(&c->sbuf);
    free(c);
}

/* A packer over an sbuffer that is cleared, not freed, between runs. */
static size_t mp_encode(void *p, const bench_user *recs, size_t n, const uint8_t **out) {
    mp_ctx *c = (mp_ctx *)p;
    msgpack_packer pk;
    size_t i;
    int err = 0;
    msgpack_sbuffer_clear(&c->sbuf);
    msgpack_packer_init(&pk, &c->sbuf, msgpack_sbuffer_write);
    err |= msgpack_pack_array(&pk, n);
    for (i = 0; i < n; i++) {
        const bench_user *r = &recs[i];
        err |= msgpack_pack_array(&pk, 5);
        err |= msgpack_pack_uint64(&pk, r->id);
        err |= msgpack_pack_uint32(&pk, r->age);
        err |= msgpack_pack_double(&pk, r->score);
        err |= msgpack_pack_str(&pk, r->name_len);
        err |= msgpack_pack_str_body(&pk, r->name, r->name_len);
        err |= msgpack_pack_str(&pk, r->email_len);
        err |= msgpack_pack_str_body(&pk, r->email, r->email_len);
    }
    if (err) return 0;
    *out = (const uint8_t *)c->sbuf.data;
    return c->sbuf.size;
}

/* msgpack_unpack_next builds the object tree in a zone (strings point into
   buf); then a walk that checks every type, as a reader of untrusted data must. */
static uint64_t mp_read_all(void *p, const uint8_t *buf, size_t len, size_t *count) {
    msgpack_unpacked res;
    size_t off = 0, i, n;
    uint64_t sum = 0;
    const msgpack_object *items;
    (void)p;
    *count = 0;
    msgpack_unpacked_init(&res);
    if (msgpack_unpack_next(&res, (const char *)buf, len, &off) != MSGPACK_UNPACK_SUCCESS ||
        res.data.type != MSGPACK_OBJECT_ARRAY) {
        msgpack_unpacked_destroy(&res);
        return 0;
    }
    n = res.data.via.array.size;
    items = res.data.via.array.ptr;
    for (i = 0; i < n; i++) {
        const msgpack_object *f;
        if (items[i].type != MSGPACK_OBJECT_ARRAY || items[i].via.array.size != 5) break;
        f = items[i].via.array.ptr;
        if (f[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER || f[1].type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
            f[1].via.u64 > 0xffffffffu || f[2].type != MSGPACK_OBJECT_FLOAT64 || f[3].type != MSGPACK_OBJECT_STR ||
            f[4].type != MSGPACK_OBJECT_STR)
            break;
        sum += bench_fold(f[0].via.u64, (uint32_t)f[1].via.u64, f[2].via.f64, f[3].via.str.ptr, f[3].via.str.size,
                          f[4].via.str.ptr, f[4].via.str.size);
    }
    *count = i;
    msgpack_unpacked_destroy(&res);
    return sum;
}

const bench_peer bench_peer_msgpack = {
    "msgpack-c " MSGPACK_VERSION, mp_create, mp_encode, mp_read_all, NULL, NULL, mp_destroy,
    "msgpack_packer into a reused sbuffer, one 5-element array per record; read = msgpack_unpack_next "
    "(object tree in a zone, strings in place) + a type-checked walk"};
