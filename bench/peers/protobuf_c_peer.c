/* protobuf_c_peer.c - protobuf-c (libprotobuf-c-dev) in the teleport benchmark
   Schema: users.proto, compiled by protoc-c at build time (bench/run_teleport.sh). */
#include "peers.h"
#include "users.pb-c.h"

#include <stdlib.h>
#include <string.h>

typedef struct pb_ctx {
    BenchPb__User *users;
    BenchPb__User **ptrs;
    uint8_t *buf;
    size_t cap;
} pb_ctx;

static void pb_destroy(void *p) {
    pb_ctx *c = (pb_ctx *)p;
    if (!c) return;
    free(c->users);
    free(c->ptrs);
    free(c->buf);
    free(c);
}

static void *pb_create(const bench_user *recs, size_t n) {
    pb_ctx *c = (pb_ctx *)calloc(1, sizeof *c);
    (void)recs;
    if (!c) return NULL;
    c->users = (BenchPb__User *)calloc(n ? n : 1, sizeof *c->users);
    c->ptrs = (BenchPb__User **)calloc(n ? n : 1, sizeof *c->ptrs);
    c->cap = n * 80 + 1024;
    c->buf = (uint8_t *)malloc(c->cap);
    if (!c->users || !c->ptrs || !c->buf) {
        pb_destroy(c);
        return NULL;
    }
    memset(c->buf, 0, c->cap);
    return c;
}

/* The message structs point at the input strings (no copies); then
   get_packed_size and pack into a reused buffer, as protobuf-c requires. */
static size_t pb_encode(void *p, const bench_user *recs, size_t n, const uint8_t **out) {
    pb_ctx *c = (pb_ctx *)p;
    BenchPb__Users msg = BENCH_PB__USERS__INIT;
    size_t i, size;
    for (i = 0; i < n; i++) {
        BenchPb__User *u = &c->users[i];
        bench_pb__user__init(u);
        u->id = recs[i].id;
        u->age = recs[i].age;
        u->score = recs[i].score;
        u->name = (char *)recs[i].name; /* NUL-terminated; protobuf-c only reads it */
        u->email = (char *)recs[i].email;
        c->ptrs[i] = u;
    }
    msg.n_users = n;
    msg.users = c->ptrs;
    size = bench_pb__users__get_packed_size(&msg);
    if (size > c->cap) {
        uint8_t *nb = (uint8_t *)realloc(c->buf, size);
        if (!nb) return 0;
        c->buf = nb;
        c->cap = size;
    }
    *out = c->buf;
    return bench_pb__users__pack(&msg, c->buf);
}

/* unpack (validates and allocates the message tree and string copies), read, free. */
static uint64_t pb_read_all(void *p, const uint8_t *buf, size_t len, size_t *count) {
    BenchPb__Users *msg = bench_pb__users__unpack(NULL, len, buf);
    uint64_t sum = 0;
    size_t i;
    (void)p;
    *count = 0;
    if (!msg) return 0;
    for (i = 0; i < msg->n_users; i++) {
        const BenchPb__User *u = msg->users[i];
        sum += bench_fold(u->id, u->age, u->score, u->name, strlen(u->name), u->email, strlen(u->email));
    }
    *count = msg->n_users;
    bench_pb__users__free_unpacked(msg, NULL);
    return sum;
}

const bench_peer bench_peer_protobuf_c = {
    "protobuf-c " PROTOBUF_C_VERSION, pb_create, pb_encode, pb_read_all, NULL, NULL, pb_destroy,
    "message structs filled per record (strings by pointer), get_packed_size + pack into a reused "
    "buffer; read = unpack (validates, allocates) + walk + free_unpacked"};
