/* sync_wire.h - dx_sync's wire and store formats (WIRE FORMAT and STORE at the top
   of dx_sync.c): constants, the dx_teleport layouts, and the encoders and
   checking parsers of QUERY, offers, listings and histories. Shared by
   dx_sync.c and its fuzz harness (tests/fuzz/sync_wire.c). Include dx_cas.h
   and dx_teleport.h (and <stdlib.h>, <string.h>) first. */
#ifndef DX_SYNC_WIRE_H
#define DX_SYNC_WIRE_H

/* ---- the protocol ---- */

#define SYNC_VERSION 1
#define SYNC_DEFAULT_PORT 7878
#define SYNC_MAX_PAYLOAD (128u * 1024 + 64)
#define SYNC_READ_MAX (128u * 1024)
#define SYNC_CHUNK_MAX (64u * 1024)
#define SYNC_LISTING_MAX (64u << 20)
#define SYNC_NAME_MAX 100
enum { M_QUERY = 1, M_READ = 2, M_COUNT = 3 };
enum { E_NO_NAME = 0x8001, E_NO_OBJECT = 0x8002, E_RANGE = 0x8003 };
enum { OFFER_PATCH = 1, OFFER_CHUNKS = 2 };
enum { T_OFFER = 0x5301, T_LISTING = 0x5310, T_CHUNK = 0x5311, T_HISTORY = 0x5320, T_VERSION = 0x5321, T_PATCH = 0x5322 };

typedef struct sync_offer {
    uint32_t kind, versions;
    uint8_t root[32];
    uint64_t size;
    uint8_t listing[32];
    uint64_t listing_size;
    uint8_t patch_listing[32];
    uint64_t patch_listing_size;
    uint8_t patch_root[32];
    uint64_t patch_size, chunk_bytes, published_ns;
    dx_tp_str name;
} sync_offer;
static const dx_tp_field offer_fields[] = {
    DX_TP_FIELD(sync_offer, kind, DX_TP_KIND_U32),
    DX_TP_FIELD(sync_offer, versions, DX_TP_KIND_U32),
    DX_TP_FIELD(sync_offer, root, DX_TP_KIND_BYTES),
    DX_TP_FIELD(sync_offer, size, DX_TP_KIND_U64),
    DX_TP_FIELD(sync_offer, listing, DX_TP_KIND_BYTES),
    DX_TP_FIELD(sync_offer, listing_size, DX_TP_KIND_U64),
    DX_TP_FIELD(sync_offer, patch_listing, DX_TP_KIND_BYTES),
    DX_TP_FIELD(sync_offer, patch_listing_size, DX_TP_KIND_U64),
    DX_TP_FIELD(sync_offer, patch_root, DX_TP_KIND_BYTES),
    DX_TP_FIELD(sync_offer, patch_size, DX_TP_KIND_U64),
    DX_TP_FIELD(sync_offer, chunk_bytes, DX_TP_KIND_U64),
    DX_TP_FIELD(sync_offer, published_ns, DX_TP_KIND_U64),
    DX_TP_FIELD(sync_offer, name, DX_TP_KIND_STR),
};
static const dx_tp_layout offer_layout = DX_TP_LAYOUT(T_OFFER, sync_offer, offer_fields);

typedef struct sync_chunk {
    uint8_t id[32];
    uint32_t length, pad;
} sync_chunk;
static const dx_tp_field chunk_fields[] = {
    DX_TP_FIELD(sync_chunk, id, DX_TP_KIND_BYTES),
    DX_TP_FIELD(sync_chunk, length, DX_TP_KIND_U32),
    DX_TP_FIELD(sync_chunk, pad, DX_TP_KIND_PAD),
};
static const dx_tp_layout chunk_layout = DX_TP_LAYOUT(T_CHUNK, sync_chunk, chunk_fields);

typedef struct sync_listing {
    uint8_t root[32];
    uint64_t size, count;
    dx_tp_slice chunks;
} sync_listing;
static const dx_tp_field listing_fields[] = {
    DX_TP_FIELD(sync_listing, root, DX_TP_KIND_BYTES),
    DX_TP_FIELD(sync_listing, size, DX_TP_KIND_U64),
    DX_TP_FIELD(sync_listing, count, DX_TP_KIND_U64),
    DX_TP_FIELD_REF(sync_listing, chunks, DX_TP_KIND_SLICE, T_CHUNK),
};
static const dx_tp_layout listing_layout = DX_TP_LAYOUT(T_LISTING, sync_listing, listing_fields);

typedef struct sync_version {
    uint8_t root[32], listing[32], manifest[32];
    uint64_t size, listing_size, published_ns;
} sync_version;
static const dx_tp_field version_fields[] = {
    DX_TP_FIELD(sync_version, root, DX_TP_KIND_BYTES),
    DX_TP_FIELD(sync_version, listing, DX_TP_KIND_BYTES),
    DX_TP_FIELD(sync_version, manifest, DX_TP_KIND_BYTES),
    DX_TP_FIELD(sync_version, size, DX_TP_KIND_U64),
    DX_TP_FIELD(sync_version, listing_size, DX_TP_KIND_U64),
    DX_TP_FIELD(sync_version, published_ns, DX_TP_KIND_U64),
};
static const dx_tp_layout version_layout = DX_TP_LAYOUT(T_VERSION, sync_version, version_fields);

typedef struct sync_patch {
    uint8_t from_root[32], listing[32], patch_root[32];
    uint64_t patch_size, listing_size, chunk_bytes;
    uint32_t mode, pad;
} sync_patch;
static const dx_tp_field patch_fields[] = {
    DX_TP_FIELD(sync_patch, from_root, DX_TP_KIND_BYTES),
    DX_TP_FIELD(sync_patch, listing, DX_TP_KIND_BYTES),
    DX_TP_FIELD(sync_patch, patch_root, DX_TP_KIND_BYTES),
    DX_TP_FIELD(sync_patch, patch_size, DX_TP_KIND_U64),
    DX_TP_FIELD(sync_patch, listing_size, DX_TP_KIND_U64),
    DX_TP_FIELD(sync_patch, chunk_bytes, DX_TP_KIND_U64),
    DX_TP_FIELD(sync_patch, mode, DX_TP_KIND_U32),
    DX_TP_FIELD(sync_patch, pad, DX_TP_KIND_PAD),
};
static const dx_tp_layout patch_layout = DX_TP_LAYOUT(T_PATCH, sync_patch, patch_fields);

typedef struct sync_history {
    dx_tp_str name;
    uint64_t published;
    dx_tp_slice versions, patches;
} sync_history;
static const dx_tp_field history_fields[] = {
    DX_TP_FIELD(sync_history, name, DX_TP_KIND_STR),
    DX_TP_FIELD(sync_history, published, DX_TP_KIND_U64),
    DX_TP_FIELD_REF(sync_history, versions, DX_TP_KIND_SLICE, T_VERSION),
    DX_TP_FIELD_REF(sync_history, patches, DX_TP_KIND_SLICE, T_PATCH),
};
static const dx_tp_layout history_layout = DX_TP_LAYOUT(T_HISTORY, sync_history, history_fields);

static bool name_ok(const char *s, size_t n) {
    size_t i;
    if (n == 0 || n > SYNC_NAME_MAX || s[0] == '.') return false;
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

static dx_cas_id id_of(const uint8_t digest[32]) {
    dx_cas_id id;
    id.alg = DX_CAS_ALG_SHA256;
    memcpy(id.digest, digest, 32);
    return id;
}

/* A listing, checked (see WIRE FORMAT) and copied out: chunk i is ids[i], lens[i]. */
typedef struct listing {
    uint8_t root[32];
    uint64_t size, count;
    uint8_t (*ids)[32];
    uint32_t *lens;
    uint64_t *offsets;
} listing;

static void listing_free(listing *l) {
    free(l->ids), free(l->lens), free(l->offsets);
    memset(l, 0, sizeof *l);
}

/* buf: the listing's bytes, whose SHA-256 must be digest; root: what it must describe. */
static dx_result listing_parse(const dx_cas_hash_alg *alg, const uint8_t *buf, size_t len, const uint8_t digest[32], const uint8_t root[32],
                               uint64_t size, listing *out) {
    dx_tp_reader r;
    dx_tp_view v, cv;
    int32_t sec, csec;
    uint32_t idx;
    sync_listing sl;
    dx_cas_id id;
    dx_cas_merkle tree;
    uint8_t leaf[32], got_root[32];
    uint64_t i, total = 0;
    memset(out, 0, sizeof *out);
    dx_cas_id_hash(alg, buf, len, &id);
    if (memcmp(id.digest, digest, 32) != 0) return DX_ERR_CHECKSUM;
    if (dx_tp_reader_init(&r, buf, len) != DX_OK || dx_tp_reader_root(&r, &sec, &idx) != DX_OK ||
        dx_tp_reader_view(&r, sec, &listing_layout, &v) != DX_OK)
        return DX_ERR_CORRUPT;
    dx_tp_view_read(&v, idx, &sl);
    if (memcmp(sl.root, root, 32) != 0 || sl.size != size) return DX_ERR_CORRUPT;
    if (sl.count != sl.chunks.count) return DX_ERR_CORRUPT;
    if (sl.count) {
        if (dx_tp_reader_resolve(&r, sl.chunks.off, T_CHUNK, &csec, &idx) != DX_OK ||
            dx_tp_reader_view(&r, csec, &chunk_layout, &cv) != DX_OK || (uint64_t)idx + sl.count > cv.count)
            return DX_ERR_CORRUPT;
    }
    out->ids = (uint8_t(*)[32])malloc((size_t)sl.count * 32 + 1);
    out->lens = (uint32_t *)malloc((size_t)sl.count * 4 + 1);
    out->offsets = (uint64_t *)malloc((size_t)sl.count * 8 + 1);
    if (!out->ids || !out->lens || !out->offsets) {
        listing_free(out);
        return DX_ERR_NOMEM;
    }
    dx_cas_merkle_init(&tree, alg);
    for (i = 0; i < sl.count; i++) {
        sync_chunk c;
        dx_tp_view_read(&cv, (uint32_t)(idx + i), &c);
        if (c.length == 0 || c.length > SYNC_CHUNK_MAX) {
            listing_free(out);
            return DX_ERR_CORRUPT;
        }
        memcpy(out->ids[i], c.id, 32);
        out->lens[i] = c.length, out->offsets[i] = total;
        total += c.length;
        id = id_of(c.id);
        dx_cas_chunk_leaf(alg, &id, leaf);
        dx_cas_merkle_push(&tree, leaf);
    }
    dx_cas_merkle_root(&tree, got_root);
    if (total != size || memcmp(got_root, root, 32) != 0) {
        listing_free(out);
        return DX_ERR_CORRUPT;
    }
    memcpy(out->root, root, 32);
    out->size = size, out->count = sl.count;
    return DX_OK;
}

/* A history, verified; buf is the caller's (history_load: a malloc'd buffer it owns). */
typedef struct history {
    uint8_t *buf;
    size_t len;
    dx_tp_reader r;
    sync_history h;
    dx_tp_view versions, patches;
    uint32_t v0, p0; /* first element of each slice in its view */
    uint8_t digest[32];
} history;

static dx_result history_parse(const uint8_t *buf, size_t len, history *out) {
    dx_tp_view v;
    int32_t sec;
    uint32_t idx;
    memset(out, 0, sizeof *out);
    if (dx_tp_reader_init(&out->r, buf, len) != DX_OK || dx_tp_reader_root(&out->r, &sec, &idx) != DX_OK ||
        dx_tp_reader_view(&out->r, sec, &history_layout, &v) != DX_OK)
        return DX_ERR_CORRUPT;
    dx_tp_view_read(&v, idx, &out->h);
    if (out->h.versions.count) {
        if (dx_tp_reader_resolve(&out->r, out->h.versions.off, T_VERSION, &sec, &out->v0) != DX_OK ||
            dx_tp_reader_view(&out->r, sec, &version_layout, &out->versions) != DX_OK ||
            (uint64_t)out->v0 + out->h.versions.count > out->versions.count)
            return DX_ERR_CORRUPT;
    }
    if (out->h.patches.count) {
        if (dx_tp_reader_resolve(&out->r, out->h.patches.off, T_PATCH, &sec, &out->p0) != DX_OK ||
            dx_tp_reader_view(&out->r, sec, &patch_layout, &out->patches) != DX_OK ||
            (uint64_t)out->p0 + out->h.patches.count > out->patches.count)
            return DX_ERR_CORRUPT;
    }
    return DX_OK;
}

static void history_version(const history *h, uint32_t i, sync_version *out) { dx_tp_view_read(&h->versions, h->v0 + i, out); }
static void history_patch(const history *h, uint32_t i, sync_patch *out) { dx_tp_view_read(&h->patches, h->p0 + i, out); }

/* QUERY's body (WIRE FORMAT): 36 + the name's length bytes into out. */
static size_t query_encode(uint8_t out[36 + SYNC_NAME_MAX], const char *name, const uint8_t *root /* NULL: none held */) {
    size_t n = strlen(name);
    out[0] = SYNC_VERSION, out[1] = root ? 1 : 0, out[2] = (uint8_t)n, out[3] = 0;
    if (root) memcpy(out + 4, root, 32);
    else memset(out + 4, 0, 32);
    memcpy(out + 36, name, n);
    return 36 + n;
}

typedef struct query {
    bool have;                  /* the client holds the version root */
    uint8_t root[32];
    char name[SYNC_NAME_MAX + 1];
} query;

static dx_result query_parse(const uint8_t *b, size_t len, query *out) {
    if (len < 36 || b[0] != SYNC_VERSION || (b[1] & ~1u) || b[3] || len != 36u + b[2] || !name_ok((const char *)b + 36, b[2]))
        return DX_ERR_CORRUPT;
    out->have = (b[1] & 1) != 0;
    memcpy(out->root, b + 4, 32);
    if (!out->have) { /* no version held: the root field is zeros */
        size_t i;
        for (i = 0; i < 32; i++)
            if (out->root[i]) return DX_ERR_CORRUPT;
    }
    memcpy(out->name, b + 36, b[2]);
    out->name[b[2]] = 0;
    return DX_OK;
}

/* An offer (an answer to QUERY), verified: a known kind. */
static dx_result offer_parse(const uint8_t *buf, size_t len, sync_offer *out) {
    dx_tp_reader r;
    dx_tp_view v;
    int32_t sec;
    uint32_t idx;
    if (dx_tp_reader_init(&r, buf, len) != DX_OK || dx_tp_reader_root(&r, &sec, &idx) != DX_OK ||
        dx_tp_reader_view(&r, sec, &offer_layout, &v) != DX_OK)
        return DX_ERR_CORRUPT;
    dx_tp_view_read(&v, idx, out);
    if (out->kind != OFFER_PATCH && out->kind != OFFER_CHUNKS) return DX_ERR_CORRUPT;
    return DX_OK;
}

/* A listing of count chunks (chunk i's digest at ids + i * id_stride, its length at
   lens + i * len_stride) as a finished teleport buffer of w. */
static dx_result listing_encode(dx_tp_writer *w, const uint8_t root[32], uint64_t size, uint64_t count, const uint8_t *ids,
                                size_t id_stride, const uint8_t *lens, size_t len_stride, const uint8_t **out, size_t *out_len) {
    sync_listing sl;
    sync_chunk *cs;
    uint64_t i;
    dx_tp_writer_add_layout(w, &chunk_layout);
    dx_tp_writer_add_layout(w, &listing_layout);
    memset(&sl, 0, sizeof sl);
    cs = (sync_chunk *)dx_tp_writer_reserve(w, T_CHUNK, (size_t)count, &sl.chunks);
    for (i = 0; cs && i < count; i++) {
        memcpy(cs[i].id, ids + i * id_stride, 32);
        memcpy(&cs[i].length, lens + i * len_stride, 4);
    }
    memcpy(sl.root, root, 32);
    sl.size = size, sl.count = count;
    dx_tp_writer_set_root(w, T_LISTING, dx_tp_write(w, T_LISTING, &sl));
    return dx_tp_writer_finish(w, out, out_len);
}

#endif /* DX_SYNC_WIRE_H */
