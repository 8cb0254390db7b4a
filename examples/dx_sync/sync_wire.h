/* sync_wire.h - dx_sync's wire and store formats (WIRE FORMAT and STORE at the top
   of dx_sync.c): constants, the dx_teleport layouts, and the encoders and
   checking parsers of QUERY, offers, listings and histories. Shared by
   dx_sync.c and its fuzz harness (tests/fuzz/sync_wire.c). Include dx_cas.h
   and dx_teleport.h (and <stdlib.h>, <string.h>) first. */
#ifndef DX_SYNC_WIRE_H
#define DX_SYNC_WIRE_H

/* ---- the protocol ---- */

#define SYNC_VERSION 2
#define SYNC_ALG DX_CAS_ALG_BLAKE3 /* what names every object, a listing and a root (version 1: SHA-256) */
#define SYNC_DEFAULT_PORT 7878
#define SYNC_MAX_PAYLOAD (128u * 1024 + 64)
#define SYNC_READ_MAX (128u * 1024)
#define SYNC_CHUNK_MAX (64u * 1024)
#define SYNC_LISTING_MAX (64u << 20) /* what a server or publish reads whole (a client reads a frame at a time) */
#define SYNC_FRAME_CHUNKS 512u       /* chunks in a listing's frame; the last frame may hold fewer */
#define SYNC_FRAME_MAX (64u * 1024)  /* a frame's bytes, at most (512 chunks take about 22 KB) */
#define SYNC_NAME_MAX 100
#define SYNC_ZMAP_ENTRY 64u          /* a zmap entry: a chunk's digest, then its compressed copy's */
#define SYNC_INLINE_MAX (32u * 1024) /* a patch or listing this small travels in the offer (QUERY flag 2) */
#define SYNC_OFFER_MAX (SYNC_INLINE_MAX + 2048) /* an offer's bytes, at most (without either: under 1 KiB) */
enum { M_QUERY = 1, M_READ = 2, M_COUNT = 3 };
enum { QUERY_HAVE = 1, QUERY_INLINE = 2, QUERY_ZSTD = 4, QUERY_PLAIN = 8 }; /* QUERY's flags */
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
    dx_tp_str patch_inline;   /* a PATCH offer: the patch's bytes (QUERY flag 2), or empty */
    dx_tp_str listing_inline; /* a CHUNKS offer: the listing's bytes (QUERY flag 2), or empty */
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
    DX_TP_FIELD(sync_offer, patch_inline, DX_TP_KIND_STR),
    DX_TP_FIELD(sync_offer, listing_inline, DX_TP_KIND_STR),
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

typedef struct sync_listing { /* one frame of a listing */
    uint8_t root[32];
    uint64_t size, count, first;
    dx_tp_slice chunks;
} sync_listing;
static const dx_tp_field listing_fields[] = {
    DX_TP_FIELD(sync_listing, root, DX_TP_KIND_BYTES),
    DX_TP_FIELD(sync_listing, size, DX_TP_KIND_U64),
    DX_TP_FIELD(sync_listing, count, DX_TP_KIND_U64),
    DX_TP_FIELD(sync_listing, first, DX_TP_KIND_U64),
    DX_TP_FIELD_REF(sync_listing, chunks, DX_TP_KIND_SLICE, T_CHUNK),
};
static const dx_tp_layout listing_layout = DX_TP_LAYOUT(T_LISTING, sync_listing, listing_fields);

typedef struct sync_version {
    uint8_t root[32], listing[32], manifest[32];
    uint64_t size, listing_size, published_ns;
    uint8_t zmap[32];    /* the version's chunks kept compressed (STORE), or zeros */
    uint64_t zmap_size;
} sync_version;
static const dx_tp_field version_fields[] = {
    DX_TP_FIELD(sync_version, root, DX_TP_KIND_BYTES),
    DX_TP_FIELD(sync_version, listing, DX_TP_KIND_BYTES),
    DX_TP_FIELD(sync_version, manifest, DX_TP_KIND_BYTES),
    DX_TP_FIELD(sync_version, size, DX_TP_KIND_U64),
    DX_TP_FIELD(sync_version, listing_size, DX_TP_KIND_U64),
    DX_TP_FIELD(sync_version, published_ns, DX_TP_KIND_U64),
    DX_TP_FIELD(sync_version, zmap, DX_TP_KIND_BYTES),
    DX_TP_FIELD(sync_version, zmap_size, DX_TP_KIND_U64),
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
    id.alg = SYNC_ALG;
    memcpy(id.digest, digest, 32);
    return id;
}

/* A listing is checked a frame at a time (WIRE FORMAT), so that a client holds
   a frame or two of it, never the whole: listing_check carries what the
   frames so far established, listing_frame one frame's chunks copied out. */
typedef struct listing_check {
    const dx_cas_hash_alg *alg;
    uint8_t root[32];
    uint64_t size;
    uint64_t count;   /* the listing's chunks (from its first frame) */
    uint64_t next;    /* chunks checked so far: the next frame's first */
    uint64_t bytes;   /* their lengths added */
    uint64_t frames;  /* frames checked */
    dx_cas_merkle tree;
    dx_cas_hasher digest; /* of the frames' bytes so far */
} listing_check;

typedef struct listing_frame {
    uint64_t first;   /* the index of its first chunk */
    uint64_t offset;  /* that chunk's offset in the blob */
    uint32_t n;
    uint32_t lens[SYNC_FRAME_CHUNKS];
    uint8_t ids[SYNC_FRAME_CHUNKS][32];
} listing_frame;

/* root and size: what the listing must describe (the offer's) */
static void listing_check_init(listing_check *c, const dx_cas_hash_alg *alg, const uint8_t root[32], uint64_t size) {
    memset(c, 0, sizeof *c);
    c->alg = alg;
    memcpy(c->root, root, 32);
    c->size = size;
    dx_cas_merkle_init(&c->tree, alg);
    dx_cas_hasher_init(&c->digest, alg);
}

/* The length of the frame that begins at buf (its teleport header's TOTAL_SIZE),
   0 while fewer than the header's 80 bytes are there, DX_ERR_CORRUPT for a
   length a frame cannot have. */
static int64_t listing_frame_length(const uint8_t *buf, size_t have) {
    uint32_t n;
    if (have < DX_TP_HEADER_SIZE) return 0;
    n = dx_load_u32le(buf + DX_TP_HEADER_OFF_TOTAL_SIZE);
    return n < DX_TP_HEADER_SIZE || n > SYNC_FRAME_MAX ? (int64_t)DX_ERR_CORRUPT : (int64_t)n;
}

/* The next frame, exactly len bytes at buf: checked against the frames before
   it, its chunks copied into out (NULL: only checked). */
static dx_result listing_check_frame(listing_check *c, const uint8_t *buf, size_t len, listing_frame *out) {
    dx_tp_reader r;
    dx_tp_view v, cv;
    int32_t sec, csec;
    uint32_t idx, cidx = 0, i;
    sync_listing sl;
    if (listing_frame_length(buf, len) != (int64_t)len || dx_tp_reader_init(&r, buf, len) != DX_OK ||
        dx_tp_reader_root(&r, &sec, &idx) != DX_OK || dx_tp_reader_view(&r, sec, &listing_layout, &v) != DX_OK)
        return DX_ERR_CORRUPT;
    dx_tp_view_read(&v, idx, &sl);
    if (c->frames == 0) c->count = sl.count;
    else if (c->next == c->count) return DX_ERR_CORRUPT; /* a frame after the last */
    if (memcmp(sl.root, c->root, 32) != 0 || sl.size != c->size || sl.count != c->count || sl.first != c->next)
        return DX_ERR_CORRUPT;
    /* frames of SYNC_FRAME_CHUNKS chunks, the last one 1..SYNC_FRAME_CHUNKS (an empty blob: one frame of none) */
    if (sl.chunks.count != (c->count - c->next < SYNC_FRAME_CHUNKS ? c->count - c->next : SYNC_FRAME_CHUNKS))
        return DX_ERR_CORRUPT;
    if (sl.chunks.count && (dx_tp_reader_resolve(&r, sl.chunks.off, T_CHUNK, &csec, &cidx) != DX_OK ||
                            dx_tp_reader_view(&r, csec, &chunk_layout, &cv) != DX_OK || (uint64_t)cidx + sl.chunks.count > cv.count))
        return DX_ERR_CORRUPT;
    if (out) out->first = c->next, out->offset = c->bytes, out->n = sl.chunks.count;
    for (i = 0; i < sl.chunks.count; i++) {
        sync_chunk ch;
        dx_cas_id id;
        uint8_t leaf[32];
        dx_tp_view_read(&cv, cidx + i, &ch);
        if (ch.length == 0 || ch.length > SYNC_CHUNK_MAX || c->bytes + ch.length > c->size) return DX_ERR_CORRUPT;
        if (out) memcpy(out->ids[i], ch.id, 32), out->lens[i] = ch.length;
        c->bytes += ch.length;
        id = id_of(ch.id);
        dx_cas_chunk_leaf(c->alg, &id, leaf);
        dx_cas_merkle_push(&c->tree, leaf);
    }
    c->next += sl.chunks.count, c->frames++;
    dx_cas_hasher_update(&c->digest, buf, len);
    return DX_OK;
}

/* After the frames: DX_OK when they were the whole listing (every chunk, the
   lengths adding up to the size, the root) and its bytes hash to digest. */
static dx_result listing_check_end(listing_check *c, const uint8_t digest[32]) {
    uint8_t got[32];
    dx_cas_hasher_final(&c->digest, got);
    if (memcmp(got, digest, 32) != 0) return DX_ERR_CHECKSUM;
    if (c->frames == 0 || c->next != c->count || c->bytes != c->size) return DX_ERR_CORRUPT;
    dx_cas_merkle_root(&c->tree, got);
    return memcmp(got, c->root, 32) == 0 ? DX_OK : DX_ERR_CORRUPT;
}

/* A whole listing in memory, checked (see WIRE FORMAT) and copied out (publish
   and the server; a client goes a frame at a time): chunk i is ids[i], lens[i]. */
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

/* buf: the listing's bytes, whose BLAKE3 must be digest; root: what it must describe. */
static dx_result listing_parse(const dx_cas_hash_alg *alg, const uint8_t *buf, size_t len, const uint8_t digest[32], const uint8_t root[32],
                               uint64_t size, listing *out) {
    listing_check c;
    listing_frame *f = (listing_frame *)malloc(sizeof *f);
    size_t at = 0;
    dx_result r = DX_OK;
    memset(out, 0, sizeof *out);
    if (!f) return DX_ERR_NOMEM;
    listing_check_init(&c, alg, root, size);
    do { /* at least one frame, and frames up to the end */
        int64_t flen = listing_frame_length(buf + at, len - at);
        uint32_t i;
        if (flen <= 0 || (uint64_t)flen > len - at) r = DX_ERR_CORRUPT;
        else r = listing_check_frame(&c, buf + at, (size_t)flen, f);
        if (r == DX_OK && c.frames == 1) { /* room for the whole listing, now that its count is known */
            if (c.count > len / 32) r = DX_ERR_CORRUPT; /* a chunk takes 40 bytes of a frame: no allocation beyond that */
            else {
                size_t n = (size_t)c.count;
                out->ids = (uint8_t(*)[32])malloc(n * 32 + 1);
                out->lens = (uint32_t *)malloc(n * 4 + 1);
                out->offsets = (uint64_t *)malloc(n * 8 + 1);
                if (!out->ids || !out->lens || !out->offsets) r = DX_ERR_NOMEM;
            }
        }
        for (i = 0; r == DX_OK && i < f->n; i++) {
            memcpy(out->ids[f->first + i], f->ids[i], 32);
            out->lens[f->first + i] = f->lens[i];
            out->offsets[f->first + i] = (i ? out->offsets[f->first + i - 1] + f->lens[i - 1] : f->offset);
        }
        at += r == DX_OK ? (size_t)flen : 0;
    } while (r == DX_OK && at < len);
    if (r == DX_OK) r = listing_check_end(&c, digest);
    free(f);
    if (r != DX_OK) {
        listing_free(out);
        return r;
    }
    memcpy(out->root, root, 32);
    out->size = size, out->count = c.count;
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
/* takes: QUERY_INLINE, QUERY_ZSTD and QUERY_PLAIN, what the client takes (QUERY_HAVE comes from root) */
static size_t query_encode(uint8_t out[36 + SYNC_NAME_MAX], const char *name, const uint8_t *root /* NULL: none held */,
                           unsigned takes) {
    size_t n = strlen(name);
    out[0] = SYNC_VERSION, out[1] = (uint8_t)((root ? QUERY_HAVE : 0) | (takes & (QUERY_INLINE | QUERY_ZSTD | QUERY_PLAIN)));
    out[2] = (uint8_t)n, out[3] = 0;
    if (root) memcpy(out + 4, root, 32);
    else memset(out + 4, 0, 32);
    memcpy(out + 36, name, n);
    return 36 + n;
}

typedef struct query {
    bool have;                  /* the client holds the version root */
    bool take_inline;           /* the client takes a small patch in the offer */
    bool take_zstd;             /* the client takes the offer compressed */
    bool plain_only;            /* the client applies only patches without zstd frames */
    uint8_t root[32];
    char name[SYNC_NAME_MAX + 1];
} query;

/* DX_ERR_UNSUPPORTED: a QUERY of another protocol version (the client's, in b[0]) */
static dx_result query_parse(const uint8_t *b, size_t len, query *out) {
    if (len >= 1 && b[0] != SYNC_VERSION) return DX_ERR_UNSUPPORTED;
    if (len < 36 || (b[1] & ~(unsigned)(QUERY_HAVE | QUERY_INLINE | QUERY_ZSTD | QUERY_PLAIN)) || b[3] || len != 36u + b[2] ||
        !name_ok((const char *)b + 36, b[2]))
        return DX_ERR_CORRUPT;
    out->have = (b[1] & QUERY_HAVE) != 0;
    out->take_inline = (b[1] & QUERY_INLINE) != 0;
    out->take_zstd = (b[1] & QUERY_ZSTD) != 0;
    out->plain_only = (b[1] & QUERY_PLAIN) != 0;
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

/* What an offer carries inline (pointers into its buffer; NULL and 0: nothing). */
typedef struct offer_inline {
    const uint8_t *patch, *listing;
    uint32_t patch_len, listing_len;
    const char *name; /* the offer's name (its bytes in the buffer; "" where it has none) */
    uint32_t name_len;
} offer_inline;

/* The bytes of an inline field: all want of them, at most SYNC_INLINE_MAX, only where allowed. */
static dx_result inline_field(const dx_tp_reader *r, dx_tp_str s, bool allowed, uint64_t want, const uint8_t **out, uint32_t *out_len) {
    uint32_t n;
    const char *p;
    *out = NULL, *out_len = 0;
    if (s.len == 0) return DX_OK;
    p = dx_tp_reader_string(r, s, &n);
    if (n == 0 || !allowed || n > SYNC_INLINE_MAX || n != want) return DX_ERR_CORRUPT;
    *out = (const uint8_t *)p, *out_len = n;
    return DX_OK;
}

/* An offer (an answer to QUERY), verified: a known kind; a patch inline only in
   a PATCH offer and a listing only in a CHUNKS one, each whole (patch_size,
   listing_size bytes) and at most SYNC_INLINE_MAX. */
static dx_result offer_parse(const uint8_t *buf, size_t len, sync_offer *out, offer_inline *in) {
    dx_tp_reader r;
    dx_tp_view v;
    int32_t sec;
    uint32_t idx;
    if (dx_tp_reader_init(&r, buf, len) != DX_OK || dx_tp_reader_root(&r, &sec, &idx) != DX_OK ||
        dx_tp_reader_view(&r, sec, &offer_layout, &v) != DX_OK)
        return DX_ERR_CORRUPT;
    dx_tp_view_read(&v, idx, out);
    if (out->kind != OFFER_PATCH && out->kind != OFFER_CHUNKS) return DX_ERR_CORRUPT;
    if (inline_field(&r, out->patch_inline, out->kind == OFFER_PATCH, out->patch_size, &in->patch, &in->patch_len) != DX_OK ||
        inline_field(&r, out->listing_inline, out->kind == OFFER_CHUNKS, out->listing_size, &in->listing, &in->listing_len) != DX_OK)
        return DX_ERR_CORRUPT;
    in->name = dx_tp_reader_string(&r, out->name, &in->name_len);
    return DX_OK;
}

/* A listing of count chunks (chunk i's digest at ids + i * id_stride, its length
   at lens + i * len_stride): its frames, one after another, in a malloc'd
   buffer (*out, *out_len) that the caller frees. */
static dx_result listing_encode(const uint8_t root[32], uint64_t size, uint64_t count, const uint8_t *ids, size_t id_stride,
                                const uint8_t *lens, size_t len_stride, uint8_t **out, size_t *out_len) {
    uint64_t frames = count ? (count + SYNC_FRAME_CHUNKS - 1) / SYNC_FRAME_CHUNKS : 1, f, i;
    size_t cap = (size_t)frames * (SYNC_FRAME_CHUNKS * sizeof(sync_chunk) + 2048), at = 0; /* a frame's bytes, about */
    uint8_t *buf = (uint8_t *)malloc(cap);
    void *scratch = malloc(SYNC_FRAME_MAX);
    dx_result r = buf && scratch ? DX_OK : DX_ERR_NOMEM;
    for (f = 0; r == DX_OK && f < frames; f++) {
        uint64_t first = f * SYNC_FRAME_CHUNKS, n = count - first < SYNC_FRAME_CHUNKS ? count - first : SYNC_FRAME_CHUNKS;
        dx_tp_writer w;
        dx_tp_writer_config wc;
        sync_listing sl;
        sync_chunk *cs;
        const uint8_t *fb;
        size_t flen;
        memset(&wc, 0, sizeof wc);
        wc.checksum = true;
        if ((r = dx_tp_writer_init(&w, &wc, scratch, SYNC_FRAME_MAX)) != DX_OK) break;
        dx_tp_writer_add_layout(&w, &chunk_layout);
        dx_tp_writer_add_layout(&w, &listing_layout);
        memset(&sl, 0, sizeof sl);
        cs = n ? (sync_chunk *)dx_tp_writer_reserve(&w, T_CHUNK, (size_t)n, &sl.chunks) : NULL;
        for (i = 0; cs && i < n; i++) {
            memcpy(cs[i].id, ids + (first + i) * id_stride, 32);
            memcpy(&cs[i].length, lens + (first + i) * len_stride, 4);
        }
        memcpy(sl.root, root, 32);
        sl.size = size, sl.count = count, sl.first = first;
        dx_tp_writer_set_root(&w, T_LISTING, dx_tp_write(&w, T_LISTING, &sl));
        if ((r = dx_tp_writer_finish(&w, &fb, &flen)) != DX_OK) break;
        if (at + flen > cap) {
            uint8_t *more = (uint8_t *)realloc(buf, cap = at + flen + cap / 4);
            if (!more) {
                r = DX_ERR_NOMEM;
                break;
            }
            buf = more;
        }
        memcpy(buf + at, fb, flen);
        at += flen;
    }
    free(scratch);
    if (r != DX_OK) {
        free(buf);
        return r;
    }
    *out = buf, *out_len = at;
    return DX_OK;
}

/* A zmap (STORE): whole entries, sorted by chunk digest, each chunk once.
   (inline: a build without zstd keeps no zmap and reads none) */
static inline bool zmap_ok(const uint8_t *buf, size_t len) {
    size_t i;
    if (len % SYNC_ZMAP_ENTRY) return false;
    for (i = SYNC_ZMAP_ENTRY; i < len; i += SYNC_ZMAP_ENTRY)
        if (memcmp(buf + i - SYNC_ZMAP_ENTRY, buf + i, 32) >= 0) return false;
    return true;
}

#endif /* DX_SYNC_WIRE_H */
