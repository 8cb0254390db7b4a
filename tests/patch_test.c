/* patch_test.c - unit tests and properties for dx_patch.h
   Run from the repository root (it reads tests/vectors/patch/).
   Built twice by tests/run.sh: as is (no zstd, as on the cross targets) and
   with the flags of the variant line below (zstd frames). */
/* run.sh variant zstd: -DDX_PATCH_WITH_ZSTD -lzstd */
#define DX_IMPLEMENTATION
#include "dx_patch.h"
#include "prop.h"

/* ---- helpers ---- */

static uint8_t *xmalloc(size_t n) { /* exact size: ASan sees every overrun */
    uint8_t *b = (uint8_t *)malloc(n ? n : 1);
    if (!b) {
        fprintf(stderr, "patch_test: out of memory\n");
        exit(3);
    }
    return b;
}
static uint8_t *xdup(const uint8_t *src, size_t n) {
    uint8_t *b = xmalloc(n);
    if (n) memcpy(b, src, n);
    return b;
}
static size_t max_sz(size_t a, size_t b) { return a > b ? a : b; }
static const char *rn(int64_t r) { return r >= 0 ? "ok" : dx_patch_result_name((dx_result)r); }

/* A target made from a the way deltas look: unrelated, identical, a few
   edits (random or zeroed runs), resized both ways, or resized only. */
static uint8_t *gen_target(prop_ctx *p, const uint8_t *a, size_t alen, size_t max, size_t *out_len) {
    unsigned mode = (unsigned)prop_range(p, 0, 5);
    size_t blen, keep, i, edits;
    uint8_t *b;
    if (mode == 0) { /* unrelated */
        blen = prop_len(p, max);
        b = xmalloc(blen);
        prop_bytes(p, b, blen);
        *out_len = blen;
        return b;
    }
    if (mode == 1) { /* identical */
        *out_len = alen;
        return xdup(a, alen);
    }
    if (mode == 2) blen = prop_len(p, max);                          /* any size */
    else if (mode == 5 && prop_bool(p)) blen = alen + prop_len(p, 300); /* grows a little */
    else if (mode == 5) blen = alen - (size_t)prop_range(p, 0, alen);   /* shrinks */
    else blen = alen;                                                /* same size */
    b = xmalloc(blen);
    keep = alen < blen ? alen : blen;
    if (keep) memcpy(b, a, keep);
    prop_bytes(p, b + keep, blen - keep);
    edits = mode == 5 ? 0 : (size_t)prop_range(p, 1, 8);
    for (i = 0; i < edits && blen; i++) { /* sparse edits */
        size_t at = (size_t)prop_range(p, 0, blen - 1), n = (size_t)prop_range(p, 1, 64);
        if (n > blen - at) n = blen - at;
        if (prop_bool(p)) memset(b + at, 0, n);
        else prop_bytes(p, b + at, n);
    }
    *out_len = blen;
    return b;
}

/* Block sizes 64 << 0..max_shift, frames default, minimal, raised from 1 or
   a few blocks; one_way, no_witness and (with zstd) a level at random. */
static void gen_config(prop_ctx *p, dx_patch_config *cfg, unsigned max_shift) {
    uint32_t bs;
    memset(cfg, 0, sizeof *cfg);
    bs = (uint32_t)64 << prop_range(p, 0, max_shift);
    cfg->block_size = bs == 4096 && prop_bool(p) ? 0 : bs; /* 0: the default 4096 */
    switch (prop_range(p, 0, 3)) {
    case 0: cfg->frame_size = 0; break;      /* 64 KiB */
    case 1: cfg->frame_size = 1; break;      /* raised to a block + 64 */
    case 2: cfg->frame_size = bs + 64; break;
    default: cfg->frame_size = (uint32_t)prop_range(p, bs + 64, 3 * (uint64_t)bs + 200); break;
    }
    cfg->one_way = prop_bool(p) != 0;
    cfg->no_witness = prop_bool(p) != 0;
#if defined(DX_PATCH_WITH_ZSTD)
    {
        static const int levels[] = {0, 1, 3, -5};
        cfg->zstd_level = levels[prop_range(p, 0, 3)];
    }
#endif
}

static void note_config(prop_ctx *p, const dx_patch_config *cfg, size_t alen, size_t blen) {
    prop_note(p, "block %lu frame %lu one_way %d no_witness %d shift %d zstd %d; base %lu bytes, target %lu",
              (unsigned long)cfg->block_size, (unsigned long)cfg->frame_size, (int)cfg->one_way,
              (int)cfg->no_witness, (int)cfg->shift, cfg->zstd_level, (unsigned long)alen, (unsigned long)blen);
}

/* Diffs into a buffer of exactly dx_patch_bound bytes. */
static uint8_t *make_patch(const dx_patch_config *cfg, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
                           int64_t *out_len) {
    size_t cap = dx_patch_bound(alen, blen, cfg);
    uint8_t *patch = xmalloc(cap);
    *out_len = dx_patch_diff(cfg, a, alen, b, blen, patch, cap);
    return patch;
}

/* Data behind the streaming applier's callbacks. In place, data holds the
   data being patched; out of place, src is read and data is written. A
   write fails (writing nothing) once fail_after writes have been made. */
typedef struct mio {
    uint8_t *data;
    size_t cap, len;     /* capacity of data, and its current length */
    const uint8_t *src;  /* out of place */
    size_t src_len;
    long fail_after;     /* < 0: never */
    unsigned long writes;
    int bad;             /* an access out of bounds, or one that leaves a hole */
} mio;

static dx_result mio_read(void *user, uint64_t off, void *buf, size_t len) {
    mio *m = (mio *)user;
    const uint8_t *from = m->src ? m->src : m->data;
    size_t have = m->src ? m->src_len : m->len;
    if (off > have || len > have - (size_t)off) {
        m->bad = 1;
        return DX_ERR_IO;
    }
    if (len) memcpy(buf, from + (size_t)off, len);
    return DX_OK;
}

static dx_result mio_write(void *user, uint64_t off, const void *buf, size_t len) {
    mio *m = (mio *)user;
    if (m->fail_after == 0) return DX_ERR_IO; /* the interruption */
    if (m->fail_after > 0) m->fail_after--;
    if (off > m->cap || len > m->cap - (size_t)off || off > m->len) {
        m->bad = 1;
        return DX_ERR_IO;
    }
    m->writes++;
    if (len) memcpy(m->data + (size_t)off, buf, len);
    if ((size_t)off + len > m->len) m->len = (size_t)off + len;
    return DX_OK;
}

static void mio_in_place(mio *m, uint8_t *data, size_t len, size_t cap) {
    memset(m, 0, sizeof *m);
    m->data = data, m->len = len, m->cap = cap, m->fail_after = -1;
}
static void mio_out_of_place(mio *m, const uint8_t *src, size_t src_len, uint8_t *out, size_t cap) {
    memset(m, 0, sizeof *m);
    m->src = src, m->src_len = src_len, m->data = out, m->cap = cap, m->fail_after = -1;
}

static void applier_config(dx_patch_applier_config *ac, mio *m, bool in_place, const dx_patch_info *info) {
    memset(ac, 0, sizeof *ac);
    ac->io.read = mio_read;
    ac->io.write = mio_write;
    ac->io.user = m;
    ac->data_len = m->src ? m->src_len : m->len;
    ac->in_place = in_place;
    if (info && info->block_size > DXI_PT_DEFAULT_MAX_BLOCK) ac->max_block = info->block_size;
    if (info && info->frame_max > DX_PATCH_DEFAULT_FRAME) ac->max_frame = info->frame_max;
    if (info && in_place && (info->flags & DX_PATCH_FLAG_WINDOW)) /* the ring (DICT: then a frame's dictionary) */
        ac->max_window = (info->window > info->block_size ? info->window : info->block_size) *
                         (info->flags & DX_PATCH_FLAG_DICT ? 2u : 1u);
    if (info && !in_place && (info->flags & DX_PATCH_FLAG_PREFIX)) ac->max_window = info->window; /* base ranges */
}

/* Feeds the patch in pieces of random sizes (single bytes, small, any);
   returns the first error. */
static dx_result feed_pieces(prop_ctx *p, dx_patch_applier *a, const uint8_t *patch, size_t len) {
    size_t at = 0;
    unsigned style = (unsigned)prop_range(p, 0, 3);
    while (at < len) {
        size_t n;
        dx_result err;
        switch (style) {
        case 0: n = 1; break;
        case 1: n = (size_t)prop_range(p, 1, 16); break;
        case 2: n = (size_t)prop_range(p, 1, 300); break;
        default: n = (size_t)prop_range(p, 1, len); break;
        }
        if (n > len - at) n = len - at;
        err = dx_patch_applier_feed(a, patch + at, n);
        if (err != DX_OK) return err;
        at += n;
    }
    return DX_OK;
}

/* One streaming apply, the applier created or in caller memory (aligned or
   not; reused static memory when many applies are cheap); returns the first
   error or finish's result. */
static int64_t stream_apply_mem(prop_ctx *p, const dx_patch_applier_config *ac, const uint8_t *patch, size_t len,
                                int reuse) {
    static uint8_t reused[4 << 20]; /* above the applier's memory with zstd (1.1 MiB): ASan maps and fills each large malloc, 400x the apply */
    dx_patch_applier a;
    dx_result err;
    int64_t r;
    uint8_t *mem = NULL;
    if (reuse && dx_patch_applier_memory_size(ac) <= sizeof reused) {
        err = dx_patch_applier_init(&a, ac, reused, sizeof reused);
    } else if (prop_bool(p)) {
        size_t need = dx_patch_applier_memory_size(ac), skew = (size_t)prop_range(p, 0, 7);
        mem = xmalloc(need + skew);
        err = dx_patch_applier_init(&a, ac, mem + skew, need);
    } else {
        err = dx_patch_applier_create(&a, ac);
    }
    if (err != DX_OK) {
        free(mem);
        return err;
    }
    err = feed_pieces(p, &a, patch, len);
    r = err != DX_OK ? err : dx_patch_applier_finish(&a);
    if (a.owns_memory) dx_patch_applier_destroy(&a); /* from create */
    else dx_patch_applier_deinit(&a);                /* from init: only zstd's context to free */
    free(mem);
    return r;
}
static int64_t stream_apply(prop_ctx *p, const dx_patch_applier_config *ac, const uint8_t *patch, size_t len) {
    return stream_apply_mem(p, ac, patch, len, 0);
}


/* A counting allocator that fails the Nth allocation (never if left < 0). */
typedef struct counting { long left, live, calls; } counting;
static void *counting_alloc(size_t size, void *user) {
    counting *c = (counting *)user;
    c->calls++;
    if (c->left == 0) return NULL;
    if (c->left > 0) c->left--;
    c->live++;
    return malloc(size);
}
static void counting_free(void *ptr, size_t size, void *user) {
    (void)size;
    ((counting *)user)->live--;
    free(ptr);
}
static void use_counting(dx_allocator *al, counting *c, long left) {
    c->left = left, c->live = 0, c->calls = 0;
    al->alloc = counting_alloc;
    al->free = counting_free;
    al->user = c;
}

/* ---- a patch assembled by hand, following the WIRE FORMAT ---- */

typedef struct craft {
    uint8_t b[4096];
    size_t len;
} craft;

static void put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}
static void put64(uint8_t *p, uint64_t v) {
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}
static uint32_t check32(const uint8_t *p, size_t n) { return (uint32_t)dx_patch_xxh64(p, n, 0x7061746368ull); }
static void reseal_header(uint8_t *h) { put32(h + DX_PATCH_HEADER_OFF_CHECK, check32(h, DX_PATCH_HEADER_OFF_CHECK)); }

static void craft_header(craft *c, uint32_t flags, uint32_t bs, const uint8_t *base, size_t blen, const uint8_t *target,
                         size_t tlen, uint32_t frame_max, uint32_t frames) {
    uint8_t *h = c->b;
    memset(h, 0, 64);
    memcpy(h, "DXPT", 4);
    h[4] = 2; /* major 2, minor 0 */
    put32(h + 8, flags);
    put32(h + 12, bs);
    put64(h + 16, blen);
    put64(h + 24, tlen);
    put64(h + 32, dx_patch_xxh64(base, blen, 0));
    put64(h + 40, dx_patch_xxh64(target, tlen, 0));
    put32(h + 48, frame_max);
    put32(h + 52, frames);
    reseal_header(h);
    c->len = 64;
}
/* Appends a frame stored as is: raw length, stored length, check, bytes. */
static void craft_frame(craft *c, const uint8_t *raw, size_t n) {
    put32(c->b + c->len, (uint32_t)n);
    put32(c->b + c->len + 4, (uint32_t)n);
    put32(c->b + c->len + 8, check32(raw, n));
    if (n) memcpy(c->b + c->len + 12, raw, n);
    c->len += 12 + n;
}

/* The base of the crafted patches: 200 bytes, blocks of 64 (the last has 8). */
#ifdef PATCH_WRITE_VECTORS
/* A frame whose stored bytes differ from its raw ones (STREAM: a piece of the zstd stream). */
static void craft_frame_stored(craft *c, const uint8_t *raw, size_t n, const uint8_t *stored, size_t sn) {
    put32(c->b + c->len, (uint32_t)n);
    put32(c->b + c->len + 4, (uint32_t)sn);
    put32(c->b + c->len + 8, check32(raw, n));
    memcpy(c->b + c->len + 12, stored, sn);
    c->len += 12 + sn;
}
#endif
static void craft_base(uint8_t *b) {
    size_t i;
    for (i = 0; i < 200; i++) b[i] = (uint8_t)(i * 7 + 3);
}

/* Applies patch to base every way there is and checks each gives want; on
   an error, the one-shot in-place data (and the bytes after it) are untouched. */
static int expect_result(prop_ctx *p, const char *what, const uint8_t *patch, size_t len, const uint8_t *base,
                         size_t blen, const uint8_t *target, size_t tlen, dx_result want) {
    size_t cap = max_sz(max_sz(blen, tlen), 4096) + 64;
    uint8_t *buf = xmalloc(cap), *out = xmalloc(cap), *copy = xmalloc(cap);
    int64_t r, want_ok = want == DX_OK ? (int64_t)tlen : (int64_t)want, want_in_place = want_ok;
    mio m;
    dx_patch_applier_config ac;
    dx_patch_info info;
    int ok = 1;
    if (want == DX_OK && dx_patch_read_info(patch, len, &info) == DX_OK && (info.flags & DX_PATCH_FLAG_COPY) &&
        !(info.flags & DX_PATCH_FLAG_WINDOW))
        want_in_place = DX_ERR_UNSUPPORTED; /* COPY patches without a window apply out of place only */
    memset(buf, 0x5a, cap);
    memcpy(buf, base, blen);
    memcpy(copy, buf, cap);
    r = dx_patch_apply(patch, len, base, blen, out, cap);
    ok &= PROP_EXPECT_MSG(p, r == want_ok, "%s: apply gives %s, want %s", what, rn(r), rn(want_ok));
    if (r >= 0 && target) ok &= PROP_EXPECT_MSG(p, memcmp(out, target, tlen) == 0, "%s: apply: wrong result", what);
    r = dx_patch_apply_in_place(patch, len, buf, blen, cap, false);
    ok &= PROP_EXPECT_MSG(p, r == want_in_place, "%s: in place gives %s, want %s", what, rn(r), rn(want_in_place));
    if (r >= 0 && target) ok &= PROP_EXPECT_MSG(p, memcmp(buf, target, tlen) == 0, "%s: in place: wrong result", what);
    if (r < 0) ok &= PROP_EXPECT_MSG(p, memcmp(buf, copy, cap) == 0, "%s: in place: data changed on error", what);
    /* streaming, in place and out of place */
    memcpy(buf, copy, cap);
    mio_in_place(&m, buf, blen, cap);
    applier_config(&ac, &m, true, dx_patch_read_info(patch, len, &info) == DX_OK ? &info : NULL);
    if (dx_patch_read_info(patch, len, &info) == DX_OK && info.window && ac.max_window < (1u << 16))
        ac.max_window = 1u << 16; /* enough for the vectors */
    if (dx_patch_read_info(patch, len, &info) == DX_OK && (info.flags & DX_PATCH_FLAG_PREFIX) &&
        !(info.flags & DX_PATCH_FLAG_WINDOW))
        want_in_place = DX_ERR_UNSUPPORTED; /* refused at the header: the one-shot call's dry run finds more first */
    r = stream_apply(p, &ac, patch, len);
    ok &= PROP_EXPECT_MSG(p, r == want_in_place && !m.bad, "%s: streaming in place gives %s, want %s", what, rn(r),
                          rn(want_in_place));
    if (r >= 0 && target) ok &= PROP_EXPECT_MSG(p, memcmp(buf, target, tlen) == 0, "%s: streaming: wrong result", what);
    mio_out_of_place(&m, base, blen, out, cap);
    applier_config(&ac, &m, false, dx_patch_read_info(patch, len, &info) == DX_OK ? &info : NULL);
    r = stream_apply(p, &ac, patch, len);
    ok &= PROP_EXPECT_MSG(p, r == want_ok && !m.bad, "%s: streaming out of place gives %s, want %s", what, rn(r),
                          rn(want_ok));
    free(buf), free(out), free(copy);
    return !ok;
}

/* ---- properties ---- */

/* apply(diff(a, b), a) == b out of place and in place; the patch also rolls
   b back to a (twice in place returns a) unless it is one_way; the header
   says what it should; a buffer one byte short is refused untouched. */
static int p_roundtrip(prop_ctx *p) {
    dx_patch_config cfg;
    dx_patch_info info;
    size_t alen = prop_len(p, 6000), blen, cap;
    uint8_t *a = xmalloc(alen), *b, *patch, *out, *buf, *copy;
    int64_t plen, r;
    int fail = 1;
    prop_bytes(p, a, alen);
    b = gen_target(p, a, alen, 6000, &blen);
    gen_config(p, &cfg, 10);
    note_config(p, &cfg, alen, blen);
    patch = make_patch(&cfg, a, alen, b, blen, &plen);
    cap = max_sz(alen, blen);
    out = xmalloc(cap), buf = xmalloc(cap), copy = xmalloc(cap);
    if (!PROP_EXPECT_MSG(p, plen >= DX_PATCH_HEADER_SIZE, "diff: %s", rn(plen))) goto done;
    /* the header */
    if (!PROP_EXPECT(p, dx_patch_read_info(patch, (size_t)plen, &info) == DX_OK)) goto done;
    if (!PROP_EXPECT(p, info.base_len == alen && info.target_len == blen &&
                            info.base_hash == dx_patch_xxh64(a, alen, 0) &&
                            info.target_hash == dx_patch_xxh64(b, blen, 0)))
        goto done;
    if (!PROP_EXPECT(p, info.block_size == (cfg.block_size ? cfg.block_size : 4096u) &&
                            info.frame_max >= info.block_size + 64 &&
                            !(info.flags & DX_PATCH_FLAG_WITNESS) == cfg.no_witness &&
                            !(info.flags & DX_PATCH_FLAG_ONE_WAY) == !cfg.one_way &&
                            !(info.flags & DX_PATCH_FLAG_ZSTD) == !cfg.zstd_level))
        goto done;
    { /* no frames exactly when the zero-padded inputs agree */
        size_t i, same = 1;
        for (i = 0; i < cap && same; i++) same = (i < alen ? a[i] : 0) == (i < blen ? b[i] : 0);
        if (!PROP_EXPECT(p, (info.frame_count == 0) == (same != 0))) goto done;
    }

    /* out of place, into exactly the target's size */
    r = dx_patch_apply(patch, (size_t)plen, a, alen, out, blen);
    if (!PROP_EXPECT_MSG(p, r == (int64_t)blen && memcmp(out, b, blen) == 0, "apply: %s", rn(r))) goto done;
    if (blen) {
        r = dx_patch_apply(patch, (size_t)plen, a, alen, out, blen - 1);
        if (!PROP_EXPECT_MSG(p, r == DX_ERR_NOSPACE, "apply into one byte less: %s", rn(r))) goto done;
    }
    /* in place */
    memcpy(buf, a, alen);
    if (cap) {
        r = dx_patch_apply_in_place(patch, (size_t)plen, buf, alen, cap - 1, false);
        if (!PROP_EXPECT_MSG(p, r == DX_ERR_NOSPACE && memcmp(buf, a, alen) == 0, "in place, cap - 1: %s", rn(r)))
            goto done;
    }
    r = dx_patch_apply_in_place(patch, (size_t)plen, buf, alen, cap, false);
    if (!PROP_EXPECT_MSG(p, r == (int64_t)blen && memcmp(buf, b, blen) == 0, "in place: %s", rn(r))) goto done;
    if (!cfg.one_way) { /* reversible: the same patch takes b back to a */
        r = dx_patch_apply(patch, (size_t)plen, b, blen, out, cap);
        if (!PROP_EXPECT_MSG(p, r == (int64_t)alen && memcmp(out, a, alen) == 0, "roll back: %s", rn(r))) goto done;
        r = dx_patch_apply_in_place(patch, (size_t)plen, buf, blen, cap, false);
        if (!PROP_EXPECT_MSG(p, r == (int64_t)alen && memcmp(buf, a, alen) == 0, "in place twice: %s", rn(r)))
            goto done;
    } else if (alen != blen || memcmp(a, b, alen) != 0) { /* one way: b is not a base */
        memcpy(copy, buf, cap);
        r = dx_patch_apply_in_place(patch, (size_t)plen, buf, blen, cap, false);
        if (!PROP_EXPECT_MSG(p, r == DX_PATCH_ERR_WRONG_BASE && memcmp(buf, copy, cap) == 0,
                             "one_way patch applied to its target: %s", rn(r)))
            goto done;
    }
    fail = 0;
done:
    free(a), free(b), free(patch), free(out), free(buf), free(copy);
    return fail;
}

/* The streaming applier, fed in random pieces, in place and out of place,
   forward and (reversible patches) back, equals the one-shot calls. */
static int p_stream(prop_ctx *p) {
    dx_patch_config cfg;
    dx_patch_info info;
    dx_patch_applier_config ac;
    mio m;
    size_t alen = prop_len(p, 6000), blen, cap;
    uint8_t *a = xmalloc(alen), *b, *patch, *buf, *out;
    int64_t plen, r;
    int fail = 1;
    prop_bytes(p, a, alen);
    b = gen_target(p, a, alen, 6000, &blen);
    gen_config(p, &cfg, 10);
    note_config(p, &cfg, alen, blen);
    patch = make_patch(&cfg, a, alen, b, blen, &plen);
    cap = max_sz(alen, blen);
    buf = xmalloc(cap), out = xmalloc(cap);
    if (!PROP_EXPECT_MSG(p, plen > 0 && dx_patch_read_info(patch, (size_t)plen, &info) == DX_OK, "diff: %s", rn(plen)))
        goto done;
    /* out of place, into exactly the target's size */
    mio_out_of_place(&m, a, alen, out, blen);
    applier_config(&ac, &m, false, &info);
    r = stream_apply(p, &ac, patch, (size_t)plen);
    if (!PROP_EXPECT_MSG(p, r == (int64_t)blen && !m.bad && m.len == blen && memcmp(out, b, blen) == 0,
                         "out of place: %s (bad access %d, wrote %lu)", rn(r), m.bad, (unsigned long)m.len))
        goto done;
    /* in place */
    memcpy(buf, a, alen);
    mio_in_place(&m, buf, alen, cap);
    applier_config(&ac, &m, true, &info);
    r = stream_apply(p, &ac, patch, (size_t)plen);
    if (!PROP_EXPECT_MSG(p, r == (int64_t)blen && !m.bad && memcmp(buf, b, blen) == 0, "in place: %s (bad access %d)",
                         rn(r), m.bad))
        goto done;
    if (!cfg.one_way) {
        mio_in_place(&m, buf, blen, cap);
        applier_config(&ac, &m, true, &info);
        r = stream_apply(p, &ac, patch, (size_t)plen);
        if (!PROP_EXPECT_MSG(p, r == (int64_t)alen && !m.bad && memcmp(buf, a, alen) == 0, "back in place: %s", rn(r)))
            goto done;
        mio_out_of_place(&m, b, blen, out, alen);
        applier_config(&ac, &m, false, &info);
        r = stream_apply(p, &ac, patch, (size_t)plen);
        if (!PROP_EXPECT_MSG(p, r == (int64_t)alen && !m.bad && memcmp(out, a, alen) == 0, "back out of place: %s",
                             rn(r)))
            goto done;
    }
    fail = 0;
done:
    free(a), free(b), free(patch), free(buf), free(out);
    return fail;
}

/* An in-place streaming apply interrupted after a random number of writes
   (the write fails and writes nothing) resumes with cfg.resume and the
   data's current length, streaming or one-shot, and gives b. Resuming needs
   the witnesses: without them it is refused. */
static int p_resume(prop_ctx *p) {
    dx_patch_config cfg;
    dx_patch_info info;
    dx_patch_applier_config ac;
    mio m;
    size_t alen = prop_len(p, 4000), blen, cap;
    uint8_t *a = xmalloc(alen), *b, *patch, *buf;
    int64_t plen, r;
    unsigned long total_writes;
    long stop;
    int fail = 1, rounds;
    prop_bytes(p, a, alen);
    b = gen_target(p, a, alen, 4000, &blen);
    gen_config(p, &cfg, 8);
    note_config(p, &cfg, alen, blen);
    patch = make_patch(&cfg, a, alen, b, blen, &plen);
    cap = max_sz(alen, blen);
    buf = xmalloc(cap);
    if (!PROP_EXPECT_MSG(p, plen > 0 && dx_patch_read_info(patch, (size_t)plen, &info) == DX_OK, "diff: %s", rn(plen)))
        goto done;
    /* a clean run counts the writes */
    memcpy(buf, a, alen);
    mio_in_place(&m, buf, alen, cap);
    applier_config(&ac, &m, true, &info);
    r = stream_apply(p, &ac, patch, (size_t)plen);
    if (!PROP_EXPECT_MSG(p, r == (int64_t)blen && memcmp(buf, b, blen) == 0, "clean run: %s", rn(r))) goto done;
    total_writes = m.writes;
    /* interrupted once or a few times, then finished */
    memcpy(buf, a, alen);
    mio_in_place(&m, buf, alen, cap);
    for (rounds = 0;; rounds++) {
        bool resume = rounds > 0;
        stop = rounds < 3 ? (long)prop_range(p, 0, total_writes + 1) : -1;
        m.fail_after = stop;
        m.writes = 0;
        applier_config(&ac, &m, true, &info);
        ac.resume = resume;
        prop_note(p, "round %d: data %lu bytes, the write after %ld fails", rounds, (unsigned long)m.len, stop);
        if (resume && cfg.no_witness) { /* refused before anything is written */
            r = stream_apply(p, &ac, patch, (size_t)plen);
            if (!PROP_EXPECT_MSG(p, r == DX_ERR_UNSUPPORTED && m.writes == 0, "resume without witnesses: %s", rn(r)))
                goto done;
            {   /* the one-shot call takes whole data (base or target) of any patch; a half-applied state not */
                bool whole = (m.len == alen && memcmp(buf, a, alen) == 0) || (m.len == blen && memcmp(buf, b, blen) == 0);
                r = dx_patch_apply_in_place(patch, (size_t)plen, buf, m.len, cap, true);
                if (!PROP_EXPECT_MSG(p, whole ? r == (int64_t)blen && memcmp(buf, b, blen) == 0 : r == DX_ERR_UNSUPPORTED,
                                     "one-shot resume without witnesses (%s data): %s", whole ? "whole" : "half-applied", rn(r)))
                    goto done;
            }
            break;
        }
        if (resume && prop_range(p, 0, 2) == 0) { /* finish with the one-shot call */
            r = dx_patch_apply_in_place(patch, (size_t)plen, buf, m.len, cap, true);
        } else {
            r = stream_apply(p, &ac, patch, (size_t)plen);
            if (!PROP_EXPECT_MSG(p, !m.bad, "bad access")) goto done;
        }
        if (r >= 0) break;
        if (!PROP_EXPECT_MSG(p, stop >= 0 && r == DX_ERR_IO, "round %d: %s", rounds, rn(r))) goto done;
    }
    if (!cfg.no_witness || rounds == 0)
        if (!PROP_EXPECT_MSG(p, r == (int64_t)blen && memcmp(buf, b, blen) == 0, "after %d interruptions: %s", rounds,
                             rn(r)))
            goto done;
    fail = 0;
done:
    free(a), free(b), free(patch), free(buf);
    return fail;
}

/* Every prefix of a patch is refused as truncated, one-shot (the data
   untouched) and streaming. */
static int p_truncation(prop_ctx *p) {
    dx_patch_config cfg;
    size_t alen = prop_len(p, 256), blen, cap, cut;
    uint8_t *a = xmalloc(alen), *b, *patch, *buf, *out;
    dx_patch_applier_config ac;
    mio m;
    int64_t plen, r;
    int fail = 1;
    prop_bytes(p, a, alen);
    b = gen_target(p, a, alen, 256, &blen);
    gen_config(p, &cfg, 2);
    note_config(p, &cfg, alen, blen);
    patch = make_patch(&cfg, a, alen, b, blen, &plen);
    cap = max_sz(alen, blen) + 8;
    buf = xmalloc(cap), out = xmalloc(cap);
    if (!PROP_EXPECT_MSG(p, plen > 0, "diff: %s", rn(plen))) goto done;
    for (cut = 0; cut < (size_t)plen; cut++) {
        uint8_t *prefix = xdup(patch, cut);
        memset(buf, 0x5a, cap);
        memcpy(buf, a, alen);
        r = dx_patch_apply(prefix, cut, a, alen, out, cap);
        PROP_EXPECT_MSG(p, r == DX_ERR_TRUNCATED, "apply, prefix %lu of %ld: %s", (unsigned long)cut, (long)plen, rn(r));
        r = dx_patch_apply_in_place(prefix, cut, buf, alen, cap, false);
        PROP_EXPECT_MSG(p, r == DX_ERR_TRUNCATED, "in place, prefix %lu of %ld: %s", (unsigned long)cut, (long)plen,
                        rn(r));
        PROP_EXPECT_MSG(p, memcmp(buf, a, alen) == 0 && buf[cap - 1] == 0x5a, "in place, prefix %lu: data changed",
                        (unsigned long)cut);
        mio_in_place(&m, buf, alen, cap);
        applier_config(&ac, &m, true, NULL);
        r = stream_apply_mem(p, &ac, prefix, cut, 1);
        PROP_EXPECT_MSG(p, r == DX_ERR_TRUNCATED && !m.bad, "streaming, prefix %lu: %s", (unsigned long)cut, rn(r));
        free(prefix);
        if (p->failed) goto done;
    }
    fail = 0;
done:
    free(a), free(b), free(patch), free(buf), free(out);
    return fail;
}

/* Every byte of a patch changed (xor a random value, or a random byte at a
   few places) is refused with the data untouched, or, were a check to miss
   it, still gives the right result. Streaming never reports success with a
   wrong result. */
static int p_corruption(prop_ctx *p) {
    dx_patch_config cfg;
    size_t alen = prop_len(p, 256), blen, cap, i;
    uint8_t *a = xmalloc(alen), *b, *patch, *bad, *buf, *out;
    dx_patch_applier_config ac;
    mio m;
    int64_t plen, r;
    int fail = 1, reverse = prop_bool(p);
    prop_bytes(p, a, alen);
    b = gen_target(p, a, alen, 256, &blen);
    gen_config(p, &cfg, 2);
    if (cfg.one_way) reverse = 0;
    note_config(p, &cfg, alen, blen);
    patch = make_patch(&cfg, a, alen, b, blen, &plen);
    cap = max_sz(alen, blen) + 8;
    buf = xmalloc(cap), out = xmalloc(cap);
    if (!PROP_EXPECT_MSG(p, plen > 0, "diff: %s", rn(plen))) goto done;
    if (reverse) { /* apply to b, expect a */
        uint8_t *t = a;
        size_t tl = alen;
        a = b, alen = blen, b = t, blen = tl;
    }
    bad = xdup(patch, (size_t)plen);
    for (i = 0; i <= (size_t)plen; i++) {
        size_t k, at[3], n = 1;
        uint8_t was[3];
        if (i < (size_t)plen) {
            at[0] = i;
        } else { /* and once, a few random bytes at random places */
            n = (size_t)prop_range(p, 2, 3);
            for (k = 0; k < n; k++) at[k] = (size_t)prop_range(p, 0, (uint64_t)plen - 1);
        }
        for (k = 0; k < n; k++) was[k] = bad[at[k]];
        for (k = 0; k < n; k++) bad[at[k]] = i < (size_t)plen ? (uint8_t)(bad[at[k]] ^ prop_range(p, 1, 255)) : (uint8_t)prop_u32(p);
        memset(buf, 0x5a, cap);
        memcpy(buf, a, alen);
        r = dx_patch_apply_in_place(bad, (size_t)plen, buf, alen, cap, false);
        if (r < 0)
            PROP_EXPECT_MSG(p, memcmp(buf, a, alen) == 0 && buf[cap - 1] == 0x5a, "byte %lu: %s and the data changed",
                            (unsigned long)at[0], rn(r));
        else
            PROP_EXPECT_MSG(p, r == (int64_t)blen && memcmp(buf, b, blen) == 0, "byte %lu: in place accepted, wrong result",
                            (unsigned long)at[0]);
        r = dx_patch_apply(bad, (size_t)plen, a, alen, out, cap);
        if (r >= 0)
            PROP_EXPECT_MSG(p, r == (int64_t)blen && memcmp(out, b, blen) == 0, "byte %lu: apply accepted, wrong result",
                            (unsigned long)at[0]);
        memcpy(buf, a, alen);
        mio_in_place(&m, buf, alen, cap);
        applier_config(&ac, &m, true, NULL);
        r = stream_apply_mem(p, &ac, bad, (size_t)plen, 1);
        PROP_EXPECT_MSG(p, !m.bad, "byte %lu: streaming accessed out of bounds", (unsigned long)at[0]);
        if (r >= 0)
            PROP_EXPECT_MSG(p, r == (int64_t)blen && memcmp(buf, b, blen) == 0,
                            "byte %lu: streaming accepted, wrong result", (unsigned long)at[0]);
        for (k = n; k-- > 0;) bad[at[k]] = was[k];
        if (p->failed) break;
    }
    free(bad);
    fail = p->failed != 0;
done:
    free(a), free(b), free(patch), free(buf), free(out);
    return fail;
}

/* A patch applied to anything but its base (or, reversible, its target) is
   refused with DX_PATCH_ERR_WRONG_BASE before anything is written. */
static int p_wrong_base(prop_ctx *p) {
    dx_patch_config cfg;
    size_t alen = prop_len(p, 3000), blen, clen, cap;
    uint8_t *a = xmalloc(alen), *b, *c, *patch, *buf, *copy, *out;
    dx_patch_applier_config ac;
    mio m;
    int64_t plen, r;
    int fail = 1;
    prop_bytes(p, a, alen);
    b = gen_target(p, a, alen, 3000, &blen);
    gen_config(p, &cfg, 8);
    note_config(p, &cfg, alen, blen);
    patch = make_patch(&cfg, a, alen, b, blen, &plen);
    /* c: a with one byte changed, a different length, or something else */
    switch (prop_range(p, 0, 2)) {
    case 0:
        c = xdup(a, clen = alen);
        if (clen) c[prop_range(p, 0, clen - 1)] ^= (uint8_t)prop_range(p, 1, 255);
        break;
    case 1:
        c = gen_target(p, a, alen, 3000, &clen);
        break;
    default:
        c = xdup(b, clen = blen);
        if (clen) c[prop_range(p, 0, clen - 1)] ^= (uint8_t)prop_range(p, 1, 255);
        break;
    }
    cap = max_sz(max_sz(alen, blen), clen);
    buf = xmalloc(cap), copy = xmalloc(cap), out = xmalloc(cap);
    if (!PROP_EXPECT_MSG(p, plen > 0, "diff: %s", rn(plen))) goto done;
    if ((clen == alen && memcmp(c, a, alen) == 0) || (clen == blen && memcmp(c, b, blen) == 0)) {
        fail = 0; /* not a wrong base after all */
        goto done;
    }
    memset(buf, 0x5a, cap);
    memcpy(buf, c, clen);
    memcpy(copy, buf, cap);
    r = dx_patch_apply_in_place(patch, (size_t)plen, buf, clen, cap, false);
    if (!PROP_EXPECT_MSG(p, r == DX_PATCH_ERR_WRONG_BASE && memcmp(buf, copy, cap) == 0, "in place: %s", rn(r)))
        goto done;
    r = dx_patch_apply(patch, (size_t)plen, c, clen, out, cap);
    if (!PROP_EXPECT_MSG(p, r == DX_PATCH_ERR_WRONG_BASE, "apply: %s", rn(r))) goto done;
    mio_in_place(&m, buf, clen, cap);
    applier_config(&ac, &m, true, NULL);
    r = stream_apply(p, &ac, patch, (size_t)plen);
    if (!PROP_EXPECT_MSG(p, r == DX_PATCH_ERR_WRONG_BASE && m.writes == 0 && memcmp(buf, copy, cap) == 0,
                         "streaming in place: %s, %lu writes", rn(r), m.writes))
        goto done;
    fail = 0;
done:
    free(a), free(b), free(c), free(patch), free(buf), free(copy), free(out);
    return fail;
}

/* Delta chains: random versions, each a mutation of the one before. Every
   patch applies to the receiver's baseline (empty data after a refresh) and
   gives the version; refreshes come exactly when max_versions or
   max_delta_pct says; the stats add up; nothing leaks. */
static int p_chain(prop_ctx *p) {
    dx_patch_chain c;
    dx_patch_chain_config cc;
    counting al;
    size_t cur_len = prop_len(p, 3000), base_len = 0, i, n_versions = (size_t)prop_range(p, 1, 12);
    uint8_t *cur = xmalloc(cur_len), *rbase = xmalloc(0);
    uint64_t since = 0, delta = 0, bytes_in = 0, bytes_out = 0, refreshes = 0;
    uint32_t max_versions, pct;
    int have_base = 0, fail = 1;
    memset(&cc, 0, sizeof cc);
    gen_config(p, &cc.patch, 6);
    cc.max_versions = (uint32_t)prop_range(p, 0, 6);
    cc.max_delta_pct = prop_bool(p) ? 0 : (uint32_t)prop_range(p, 1, 300);
    max_versions = cc.max_versions ? cc.max_versions : 50;
    pct = cc.max_delta_pct ? cc.max_delta_pct : 100;
    use_counting(&cc.patch.allocator, &al, -1);
    prop_bytes(p, cur, cur_len);
    prop_note(p, "max_versions %lu, max_delta_pct %lu, %lu versions", (unsigned long)cc.max_versions,
              (unsigned long)cc.max_delta_pct, (unsigned long)n_versions);
    if (!PROP_EXPECT(p, dx_patch_chain_create(&c, &cc) == DX_OK)) goto done;
    for (i = 0; i < n_versions; i++) {
        size_t cap = max_sz(dx_patch_bound(base_len, cur_len, &cc.patch), dx_patch_bound(0, cur_len, &cc.patch));
        uint8_t *out = xmalloc(cap), *mine = xmalloc(cap), *res = xmalloc(cur_len), *next;
        bool refreshed = false;
        int64_t n, d = -1, r;
        int expect_refresh = !have_base || since >= max_versions, ok;
        if (!expect_refresh) {
            d = dx_patch_diff(&cc.patch, rbase, base_len, cur, cur_len, mine, cap);
            expect_refresh = d < 0 || (delta + (uint64_t)d) * 100 > (uint64_t)base_len * pct;
        }
        n = dx_patch_chain_push(&c, cur, cur_len, out, cap, &refreshed);
        ok = PROP_EXPECT_MSG(p, n > 0, "version %lu: %s", (unsigned long)i, rn(n)) &&
             PROP_EXPECT_MSG(p, (int)refreshed == expect_refresh, "version %lu: refreshed %d, want %d", (unsigned long)i,
                             (int)refreshed, expect_refresh);
        if (ok && refreshed) { /* against empty data, which becomes the baseline */
            r = dx_patch_apply(out, (size_t)n, (const uint8_t *)"", 0, res, cur_len);
            ok = PROP_EXPECT_MSG(p, r == (int64_t)cur_len && memcmp(res, cur, cur_len) == 0,
                                 "version %lu (refresh): %s", (unsigned long)i, rn(r));
            free(rbase);
            rbase = xdup(cur, cur_len), base_len = cur_len;
            have_base = 1, since = 0, delta = 0, refreshes++;
        } else if (ok) {
            r = dx_patch_apply(out, (size_t)n, rbase, base_len, res, cur_len);
            ok = PROP_EXPECT_MSG(p, r == (int64_t)cur_len && memcmp(res, cur, cur_len) == 0, "version %lu: %s",
                                 (unsigned long)i, rn(r)) &&
                 PROP_EXPECT_MSG(p, n == d && memcmp(out, mine, (size_t)n) == 0, "version %lu: not the plain diff",
                                 (unsigned long)i);
            since++, delta += (uint64_t)n;
        }
        bytes_in += cur_len, bytes_out += (uint64_t)(n > 0 ? n : 0);
        next = gen_target(p, cur, cur_len, 3000, &cur_len);
        free(cur), free(out), free(mine), free(res);
        cur = next;
        if (!ok) goto done;
    }
    if (!PROP_EXPECT(p, c.stats.versions == n_versions && c.stats.bytes_in == bytes_in &&
                            c.stats.bytes_out == bytes_out && c.stats.refreshes == refreshes))
        goto done;
    fail = 0;
done:
    dx_patch_chain_destroy(&c);
    if (!fail) fail = !PROP_EXPECT_MSG(p, al.live == 0, "%ld blocks leaked", al.live);
    free(cur), free(rbase);
    return fail;
}

/* dx_patch_apply_chain: versions v0..vn, each a mutation of the one before,
   each patch with its own random settings (shift mode or not, several block
   sizes); the chain gives vn, as applying the patches one by one does, out
   of place and with the base patched where it is (nothing past cap). A
   changed base, patches out of order, a damaged byte in a patch, a missing
   spare where a later patch has COPY records and a short cap are refused;
   a damaged patch never gives a result that is not vn. */
static int p_apply_chain(prop_ctx *p) {
    size_t n = (size_t)prop_range(p, 0, 6), made = 0, i, cap = 0, len[8], plen[8];
    uint8_t *v[8], *patch[8], *out = NULL, *spare = NULL;
    const uint8_t *pp[8];
    bool copy_later = false;
    int64_t r;
    int fail = 1;
    len[0] = prop_len(p, 4000);
    v[0] = xmalloc(len[0]);
    prop_bytes(p, v[0], len[0]);
    for (i = 1; i <= n; i++) v[i] = gen_target(p, v[i - 1], len[i - 1], 4000, &len[i]);
    for (i = 0; i <= n; i++) cap = max_sz(cap, len[i]);
    for (i = 0; i < n; i++) {
        dx_patch_config cfg;
        int64_t pl;
        gen_config(p, &cfg, 4);
        cfg.shift = prop_bool(p) != 0;
        if (cfg.shift) cfg.level = (int)prop_range(p, 1, 9), cfg.x86 = prop_bool(p) ? 1 : -1;
        patch[i] = make_patch(&cfg, v[i], len[i], v[i + 1], len[i + 1], &pl);
        made++;
        if (!PROP_EXPECT_MSG(p, pl > 0, "diff %lu: %s", (unsigned long)i, rn(pl))) goto done;
        plen[i] = (size_t)pl, pp[i] = patch[i];
        copy_later = copy_later || (i > 0 && cfg.shift);
    }
    out = xmalloc(cap + 1), spare = xmalloc(cap + 1);
    prop_note(p, "%lu patches, %lu bytes at most, COPY after the first: %d", (unsigned long)n, (unsigned long)cap,
              (int)copy_later);
    r = dx_patch_apply_chain(pp, plen, n, v[0], len[0], out, spare, cap);
    if (!PROP_EXPECT_MSG(p, r == (int64_t)len[n] && memcmp(out, v[n], len[n]) == 0, "chain: %s", rn(r))) goto done;
    memset(out, 0x5c, cap + 1); /* the base patched where it is */
    if (len[0]) memcpy(out, v[0], len[0]);
    r = dx_patch_apply_chain(pp, plen, n, out, len[0], out, spare, cap);
    if (!PROP_EXPECT_MSG(p, r == (int64_t)len[n] && memcmp(out, v[n], len[n]) == 0 && out[cap] == 0x5c, "in place: %s", rn(r)))
        goto done;
    if (copy_later)
        if (!PROP_EXPECT(p, dx_patch_apply_chain(pp, plen, n, v[0], len[0], out, NULL, cap) == DX_ERR_INVAL)) goto done;
    if (cap > 1 && !PROP_EXPECT(p, dx_patch_apply_chain(pp, plen, n, v[0], len[0], out, out + 1, cap) == DX_ERR_INVAL)) goto done;
    if (n > 0 && cap > 0 && max_sz(len[0], len[1]) == cap && dx_patch_apply_chain(pp, plen, n, v[0], len[0], out, spare, cap - 1) != DX_ERR_NOSPACE) {
        PROP_EXPECT_MSG(p, 0, "a cap one byte short is not refused");
        goto done;
    }
    if (n > 0 && len[0] > 0) { /* another base */
        uint8_t *b = xdup(v[0], len[0]);
        b[prop_range(p, 0, len[0] - 1)] ^= (uint8_t)(1u << prop_range(p, 0, 7));
        r = dx_patch_apply_chain(pp, plen, n, b, len[0], out, spare, cap);
        free(b);
        if (!PROP_EXPECT_MSG(p, r == DX_PATCH_ERR_WRONG_BASE, "changed base: %s", rn(r))) goto done;
    }
    if (n > 1) { /* two patches swapped: a link does not hold (unless they are the same change) */
        const uint8_t *t = pp[0];
        size_t tl = plen[0];
        pp[0] = pp[1], plen[0] = plen[1], pp[1] = t, plen[1] = tl;
        r = dx_patch_apply_chain(pp, plen, n, v[0], len[0], out, spare, cap);
        pp[1] = pp[0], plen[1] = plen[0], pp[0] = t, plen[0] = tl;
        if (!PROP_EXPECT_MSG(p, r < 0 ? r != DX_ERR_NOMEM : (r == (int64_t)len[n] && memcmp(out, v[n], len[n]) == 0),
                             "swapped: %s", rn(r)))
            goto done;
    }
    if (n > 0) { /* one byte of one patch damaged */
        size_t k = (size_t)prop_range(p, 0, n - 1), at = (size_t)prop_range(p, 0, plen[k] - 1);
        patch[k][at] ^= (uint8_t)(1u << prop_range(p, 0, 7));
        r = dx_patch_apply_chain(pp, plen, n, v[0], len[0], out, spare, cap);
        if (!PROP_EXPECT_MSG(p, r < 0 || (r == (int64_t)len[n] && memcmp(out, v[n], len[n]) == 0),
                             "patch %lu damaged at %lu: %s and a wrong result", (unsigned long)k, (unsigned long)at, rn(r)))
            goto done;
    }
    fail = 0;
done:
    for (i = 0; i <= n; i++) free(v[i]);
    for (i = 0; i < made; i++) free(patch[i]);
    free(out), free(spare);
    return fail;
}

/* dx_patch_bound bounds: a diff into exactly that many bytes works, for
   every kind of input. Uncompressed, a buffer of exactly the patch's length
   works too and one byte less is DX_ERR_NOSPACE. */
static int p_bound(prop_ctx *p) {
    dx_patch_config cfg;
    size_t alen = prop_len(p, 5000), blen, i;
    uint8_t *a = xmalloc(alen), *b, *patch, *exact;
    int64_t plen, r;
    int fail = 1;
    gen_config(p, &cfg, 8);
    cfg.shift = prop_range(p, 0, 3) == 0;
    switch (prop_range(p, 0, 2)) {
    case 0: /* random against random: XOR helps nowhere */
        prop_bytes_random(p, a, alen);
        blen = prop_len(p, 5000);
        b = xmalloc(blen);
        prop_bytes_random(p, b, blen);
        break;
    case 1: /* the most runs a block can have: a differing byte, 4 equal ones */
        prop_bytes(p, a, alen);
        b = xdup(a, blen = alen);
        for (i = 0; i < blen; i += 5) b[i] ^= (uint8_t)prop_range(p, 1, 255);
        break;
    default:
        prop_bytes(p, a, alen);
        b = gen_target(p, a, alen, 5000, &blen);
        break;
    }
    note_config(p, &cfg, alen, blen);
    patch = make_patch(&cfg, a, alen, b, blen, &plen);
    if (!PROP_EXPECT_MSG(p, plen > 0 && (size_t)plen <= dx_patch_bound(alen, blen, &cfg), "diff into the bound: %s",
                         rn(plen)))
        goto done;
    if (!cfg.zstd_level) { /* compressed frames are written raw first, so only uncompressed ones fit exactly */
        exact = xmalloc((size_t)plen);
        r = dx_patch_diff(&cfg, a, alen, b, blen, exact, (size_t)plen);
        PROP_EXPECT_MSG(p, r == plen && memcmp(exact, patch, (size_t)plen) == 0, "diff into exactly %ld bytes: %s",
                        (long)plen, rn(r));
        r = dx_patch_diff(&cfg, a, alen, b, blen, exact, (size_t)plen - 1);
        PROP_EXPECT_MSG(p, r == DX_ERR_NOSPACE, "diff into %ld bytes: %s", (long)plen - 1, rn(r));
        free(exact);
        if (p->failed) goto done;
    }
    fail = 0;
done:
    free(a), free(b), free(patch);
    return fail;
}

/* Inserts and deletes a few runs of bytes in a copy of a (and maybe flips a few). */
static uint8_t *gen_shifted(prop_ctx *p, const uint8_t *a, size_t alen, size_t *out_len) {
    size_t blen, i, k, from, edits = (size_t)prop_range(p, 1, 4);
    uint8_t *b = xdup(a, blen = alen);
    for (i = 0; i < edits; i++) {
        size_t at = (size_t)prop_range(p, 0, blen), n = prop_len(p, 700);
        uint8_t *nb;
        unsigned kind = (unsigned)prop_range(p, 0, 2);
        if (kind < 2) { /* new bytes (stored as they are), or a copy of bytes from elsewhere (a move) */
            nb = xmalloc(blen + n);
            memcpy(nb, b, at);
            if (kind == 0 || blen == 0) prop_bytes(p, nb + at, n);
            else
                for (k = 0, from = (size_t)prop_range(p, 0, blen - 1); k < n; k++) nb[at + k] = b[(from + k) % blen];
            memcpy(nb + at + n, b + at, blen - at);
            blen += n;
        } else {
            if (n > blen - at) n = blen - at;
            nb = xmalloc(blen - n);
            memcpy(nb, b, at);
            memcpy(nb + at, b + at + n, blen - at - n);
            blen -= n;
        }
        free(b);
        b = nb;
    }
    if (prop_bool(p))
        for (i = 0; i < 4 && blen; i++) b[prop_range(p, 0, blen - 1)] ^= 0x40;
    *out_len = blen;
    return b;
}

/* cfg.shift: insertions and deletions (and anything else) round-trip out of
   place, one-shot and streaming; in place too with cfg.window (one-shot and
   streaming), else it is refused with nothing written. */
static int p_shift(prop_ctx *p) {
    dx_patch_config cfg;
    dx_patch_applier_config ac;
    mio m;
    size_t alen = prop_len(p, 5000), blen, cap, i;
    uint8_t *a = xmalloc(alen), *b, *patch, *out, *buf;
    int64_t plen, r;
    int fail = 1;
    prop_bytes(p, a, alen);
    b = gen_shifted(p, a, alen, &blen);
    gen_config(p, &cfg, 6);
    cfg.shift = true;
    cfg.level = (int)prop_range(p, 0, 9);
    cfg.x86 = prop_bool(p) ? 1 : -1; /* X86: skips count marks, words at them (random bytes hold marks too) */
    if (prop_bool(p)) cfg.window = (uint32_t)64 << prop_range(p, 0, 8); /* 64 B .. 16 KiB */
    if (cfg.zstd_level && prop_bool(p)) cfg.prefix = (uint32_t)prop_range(p, 1, 1 << 14); /* base ranges as zstd's prefix */
    if (cfg.prefix && DXI_DEF(cfg.block_size, 4096u) <= DXI_PT_SPLIT_MAX && (cfg.window || prop_bool(p)))
        cfg.dict = true, cfg.dict_margin = (uint32_t)prop_range(p, 0, 300); /* or dictionaries of them (in place too) */
    else if (cfg.window) cfg.prefix = 0;
    note_config(p, &cfg, alen, blen);
    prop_note(p, "window %lu level %d prefix %lu dict %d margin %lu", (unsigned long)cfg.window, cfg.level,
              (unsigned long)cfg.prefix, (int)cfg.dict, (unsigned long)cfg.dict_margin);
    cap = max_sz(alen, blen);
    out = xmalloc(blen), buf = xmalloc(cap);
    patch = make_patch(&cfg, a, alen, b, blen, &plen);
    if (!PROP_EXPECT_MSG(p, plen > 0, "diff: %s", rn(plen))) goto done;
    r = dx_patch_apply(patch, (size_t)plen, a, alen, out, blen);
    if (!PROP_EXPECT_MSG(p, r == (int64_t)blen && memcmp(out, b, blen) == 0, "apply: %s", rn(r))) goto done;
    mio_out_of_place(&m, a, alen, out, blen);
    {
        dx_patch_info pi; /* PREFIX: the applier needs room for the frames' base ranges */
        applier_config(&ac, &m, false, dx_patch_read_info(patch, (size_t)plen, &pi) == DX_OK ? &pi : NULL);
    }
    memset(out, 0, blen);
    r = stream_apply(p, &ac, patch, (size_t)plen);
    if (!PROP_EXPECT_MSG(p, r == (int64_t)blen && !m.bad && memcmp(out, b, blen) == 0, "streaming: %s", rn(r)))
        goto done;
    memcpy(buf, a, alen);
    r = dx_patch_apply_in_place(patch, (size_t)plen, buf, alen, cap, false);
    if (cfg.window && cfg.block_size <= 16384) { /* WINDOW: in place, one-shot and streaming */
        dx_patch_info info;
        if (!PROP_EXPECT_MSG(p, r == (int64_t)blen && memcmp(buf, b, blen) == 0, "in place: %s", rn(r))) goto done;
        memcpy(buf, a, alen);
        mio_in_place(&m, buf, alen, cap);
        dx_patch_read_info(patch, (size_t)plen, &info);
        applier_config(&ac, &m, true, &info);
        r = stream_apply(p, &ac, patch, (size_t)plen);
        if (!PROP_EXPECT_MSG(p, r == (int64_t)blen && !m.bad && memcmp(buf, b, blen) == 0, "streaming in place: %s", rn(r)))
            goto done;
        memcpy(buf, a, alen);
        mio_in_place(&m, buf, alen, cap);
        applier_config(&ac, &m, true, &info);
        ac.max_window /= 2; /* a ring maybe too small for the patch: the window, or less if the data is smaller */
        for (i = 1; i < info.window && i < max_sz(alen, blen); i <<= 1) {}
        i = max_sz(i, info.block_size) * (info.flags & DX_PATCH_FLAG_DICT ? 2 : 1); /* DICT: a dictionary after it */
        r = stream_apply(p, &ac, patch, (size_t)plen);
        if (!PROP_EXPECT_MSG(p, r == (ac.max_window < i ? DX_ERR_LIMIT : (int64_t)blen),
                             "streaming in place, half the window: %s", rn(r)))
            goto done;
        /* a one-shot resume of whole data (the base, refused above before any write, or the target): done or applied */
        r = dx_patch_apply_in_place(patch, (size_t)plen, buf, r == (int64_t)blen ? blen : alen, cap, true);
        if (!PROP_EXPECT_MSG(p, r == (int64_t)blen && memcmp(buf, b, blen) == 0, "resume in place of whole data: %s", rn(r)))
            goto done;
    } else if (!PROP_EXPECT_MSG(p, r == DX_ERR_UNSUPPORTED && memcmp(buf, a, alen) == 0, "in place: %s", rn(r))) {
        goto done;
    }
    /* COPY and SPLIT records under damage (at most 64 places a case): every
       truncation fails; a changed byte fails with out untouched, or still gives b */
    for (i = 0; i < 64 && i < (size_t)plen; i++) {
        size_t at = (size_t)prop_range(p, 0, (uint64_t)plen - 1), k;
        uint8_t was = patch[at];
        r = dx_patch_apply(patch, at, a, alen, out, blen);
        if (!PROP_EXPECT_MSG(p, r < 0, "truncated to %lu bytes: %s", (unsigned long)at, rn(r))) goto done;
        patch[at] = (uint8_t)(was ^ prop_range(p, 1, 255));
        memset(out, 0x5a, blen);
        r = dx_patch_apply(patch, (size_t)plen, a, alen, out, blen);
        patch[at] = was;
        for (k = 0; r < 0 && k < blen && out[k] == 0x5a; k++) {}
        if (!PROP_EXPECT_MSG(p, r < 0 ? k == blen : r == (int64_t)blen && memcmp(out, b, blen) == 0,
                             "byte %lu changed: %s, %s", (unsigned long)at, rn(r), r < 0 ? "out written" : "wrong result"))
            goto done;
        if (cfg.window) { /* in place: the data untouched on an error */
            memcpy(buf, a, alen);
            patch[at] = (uint8_t)(was ^ 0x21);
            r = dx_patch_apply_in_place(patch, (size_t)plen, buf, alen, cap, false);
            patch[at] = was;
            if (!PROP_EXPECT_MSG(p, r < 0 ? memcmp(buf, a, alen) == 0 : r == (int64_t)blen && memcmp(buf, b, blen) == 0,
                                 "byte %lu changed, in place: %s", (unsigned long)at, rn(r)))
                goto done;
        }
    }
    fail = 0;
done:
    free(a), free(b), free(patch), free(out), free(buf);
    return fail;
}

/* ---- the journal of an in-place WINDOW apply ---- */

/* mio plus a journal, durable copies of both, and crashes: the write after
   fail_after writes (data or journal) is torn (its first half lands) and
   is the last; then either every write stays (a killed process) or only
   what a sync made durable (a power cut). */
typedef struct jio {
    mio m;
    uint8_t *j, *j_durable, *d_durable;
    size_t jcap, jlen, jlen_durable, len_durable;
    long fail_after;
    unsigned long writes, syncs;
    int crashed, bad;
} jio;

static int jio_tick(jio *x, size_t *len) {
    if (x->crashed) return -1;
    if (x->fail_after == 0) return x->crashed = 1, *len /= 2, 1;
    if (x->fail_after > 0) x->fail_after--;
    x->writes++;
    return 0;
}
static dx_result jio_read(void *user, uint64_t off, void *buf, size_t len) {
    return ((jio *)user)->crashed ? DX_ERR_IO : mio_read(user, off, buf, len);
}
static dx_result jio_write(void *user, uint64_t off, const void *buf, size_t len) {
    jio *x = (jio *)user;
    int t = jio_tick(x, &len);
    if (t < 0) return DX_ERR_IO;
    if (len && mio_write(&x->m, off, buf, len) != DX_OK) return DX_ERR_IO;
    return t ? DX_ERR_IO : DX_OK;
}
static dx_result jio_jwrite(void *user, uint64_t off, const void *buf, size_t len) {
    jio *x = (jio *)user;
    int t = jio_tick(x, &len);
    if (t < 0) return DX_ERR_IO;
    if (off > x->jcap || len > x->jcap - (size_t)off) return x->bad = 1, DX_ERR_IO;
    if (off > x->jlen) memset(x->j + x->jlen, 0, (size_t)off - x->jlen); /* a hole reads as zeros, as in a file */
    if (len) memcpy(x->j + off, buf, len);
    if ((size_t)off + len > x->jlen) x->jlen = (size_t)off + len;
    return t ? DX_ERR_IO : DX_OK;
}
static dx_result jio_jread(void *user, uint64_t off, void *buf, size_t len) {
    jio *x = (jio *)user;
    if (x->crashed || off > x->jlen || len > x->jlen - (size_t)off) return DX_ERR_IO; /* past the end: no slot there */
    if (len) memcpy(buf, x->j + off, len);
    return DX_OK;
}
static dx_result jio_sync(void *user, bool journal) {
    jio *x = (jio *)user;
    if (x->crashed) return DX_ERR_IO;
    x->syncs++;
    if (journal) memcpy(x->j_durable, x->j, x->jcap), x->jlen_durable = x->jlen;
    else memcpy(x->d_durable, x->m.data, x->m.cap), x->len_durable = x->m.len;
    return DX_OK;
}
/* After a crash: power cut (lose what was not synced) or not. */
static void jio_recover(jio *x, bool power_cut) {
    if (power_cut) {
        memcpy(x->j, x->j_durable, x->jcap), x->jlen = x->jlen_durable;
        memcpy(x->m.data, x->d_durable, x->m.cap), x->m.len = x->len_durable;
    }
    x->crashed = 0, x->fail_after = -1, x->writes = 0;
}
static void jio_config(dx_patch_applier_config *ac, jio *x, const dx_patch_info *info, uint32_t step, bool resume) {
    applier_config(ac, &x->m, true, info);
    ac->io.read = jio_read, ac->io.write = jio_write, ac->io.user = x;
    ac->io.journal_write = jio_jwrite, ac->io.journal_read = jio_jread, ac->io.sync = jio_sync;
    ac->journal_step = step;
    ac->resume = resume;
    x->writes = 0;
}


/* An in-place apply of a WINDOW patch with a journal, interrupted at any
   write (torn, then killed or powered off) up to 3 times and resumed, ends
   with the target; a resume refuses (nothing written) or finishes right
   when the journal is damaged or the data is another. */
static int p_journal(prop_ctx *p) {
    dx_patch_config cfg;
    dx_patch_info info;
    dx_patch_applier_config ac;
    jio x;
    size_t alen = prop_len(p, 6000), blen, total, ring, step;
    uint8_t *a = xmalloc(alen), *b, *patch, *buf, *saved;
    uint32_t step_cfg;
    int64_t plen, r;
    unsigned long clean_writes;
    int fail = 1, rounds;
    prop_bytes(p, a, alen);
    if (alen > 64 && prop_bool(p)) memcpy(a + alen / 2, a, alen / 2); /* repeats: sources the diff can find */
    b = gen_shifted(p, a, alen, &blen);
    gen_config(p, &cfg, 4);
    cfg.shift = true, cfg.window = (uint32_t)64 << prop_range(p, 0, 6);
    cfg.level = (int)prop_range(p, 0, 9);
    cfg.x86 = prop_bool(p) ? 1 : -1;
    if (cfg.zstd_level && prop_bool(p)) /* DICT: frames' dictionaries from the ring and the data ahead */
        cfg.prefix = (uint32_t)prop_range(p, 1, 1 << 13), cfg.dict = true, cfg.dict_margin = (uint32_t)prop_range(p, 0, 300);
    note_config(p, &cfg, alen, blen);
    prop_note(p, "dict %d prefix %lu margin %lu", (int)cfg.dict, (unsigned long)cfg.prefix, (unsigned long)cfg.dict_margin);
    patch = make_patch(&cfg, a, alen, b, blen, &plen);
    total = max_sz(alen, blen);
    memset(&x, 0, sizeof x);
    buf = xmalloc(total + 1), saved = xmalloc(total + 1);
    if (!PROP_EXPECT_MSG(p, plen > 0 && dx_patch_read_info(patch, (size_t)plen, &info) == DX_OK, "diff: %s", rn(plen)))
        goto done;
    for (ring = 1; ring < info.window && ring < total; ring <<= 1) {}
    ring = max_sz(ring, info.block_size);
    step_cfg = (uint32_t)prop_range(p, 1, 5 * (uint64_t)info.block_size);
    step = (step_cfg + info.block_size - 1) / info.block_size * info.block_size;
    prop_note(p, "window %lu ring %lu step %lu", (unsigned long)info.window, (unsigned long)ring, (unsigned long)step);
    x.jcap = 2 * (DX_PATCH_JOURNAL_HEADER_SIZE + ring + step);
    x.j = xmalloc(x.jcap), x.j_durable = xmalloc(x.jcap), x.d_durable = xmalloc(total + 1);
    /* a clean run counts the writes */
    memcpy(buf, a, alen);
    mio_in_place(&x.m, buf, alen, total + 1);
    memcpy(x.d_durable, buf, total + 1), x.len_durable = alen;
    x.fail_after = -1;
    jio_config(&ac, &x, &info, step_cfg, false);
    r = stream_apply(p, &ac, patch, (size_t)plen);
    if (!PROP_EXPECT_MSG(p, r == (int64_t)blen && !x.bad && !x.m.bad && memcmp(buf, b, blen) == 0, "clean run: %s", rn(r)))
        goto done;
    if (!PROP_EXPECT_MSG(p, x.jlen <= x.jcap, "journal of %lu bytes", (unsigned long)x.jlen)) goto done;
    clean_writes = x.writes;
    /* interrupted, resumed */
    memcpy(buf, a, alen);
    mio_in_place(&x.m, buf, alen, total + 1);
    memcpy(x.d_durable, buf, total + 1), x.len_durable = alen, x.jlen = x.jlen_durable = 0;
    for (rounds = 0;; rounds++) {
        bool power = prop_bool(p) != 0;
        long stop = rounds < 3 ? (long)prop_range(p, 0, clean_writes + 1) : -1;
        x.fail_after = stop;
        jio_config(&ac, &x, &info, step_cfg, rounds > 0);
        prop_note(p, "round %d: data %lu bytes, the write after %ld is torn, %s", rounds, (unsigned long)x.m.len, stop,
                  power ? "power cut" : "killed");
        r = stream_apply(p, &ac, patch, (size_t)plen);
        if (!PROP_EXPECT_MSG(p, !x.bad && !x.m.bad, "bad access")) goto done;
        if (r >= 0) break;
        if (!PROP_EXPECT_MSG(p, stop >= 0 && x.crashed && r == DX_ERR_IO, "round %d: %s", rounds, rn(r))) goto done;
        jio_recover(&x, power);
        if (prop_range(p, 0, 3) == 0 && x.jlen) { /* a damaged journal: refused untouched, or finished right */
            size_t at = (size_t)prop_range(p, 0, x.jlen - 1), len = x.m.len;
            uint8_t was = x.j[at];
            x.j[at] = (uint8_t)(was ^ prop_range(p, 1, 255));
            memcpy(saved, buf, len);
            jio_config(&ac, &x, &info, step_cfg, true);
            r = stream_apply(p, &ac, patch, (size_t)plen);
            prop_note(p, "journal byte %lu changed: %s", (unsigned long)at, rn(r));
            if (r >= 0) {
                if (!PROP_EXPECT_MSG(p, r == (int64_t)blen && memcmp(buf, b, blen) == 0, "damaged journal: wrong result"))
                    goto done;
                break;
            }
            if (!PROP_EXPECT_MSG(p, r == DX_PATCH_ERR_WRONG_BASE && x.writes == 0 && x.m.len == len &&
                                        memcmp(saved, buf, len) == 0,
                                 "damaged journal: %s, %lu writes", rn(r), x.writes))
                goto done;
            x.j[at] = was;
        }
        if (prop_range(p, 0, 3) == 0) { /* other data with this journal: refused untouched, or finished right */
            size_t len = x.m.len;
            memcpy(saved, buf, len);
            prop_bytes(p, buf, len);
            memcpy(x.d_durable, buf, len);
            jio_config(&ac, &x, &info, step_cfg, true);
            r = stream_apply(p, &ac, patch, (size_t)plen);
            if (r >= 0) {
                if (!PROP_EXPECT_MSG(p, r == (int64_t)blen && memcmp(buf, b, blen) == 0, "other data: wrong result"))
                    goto done;
                break;
            }
            if (!PROP_EXPECT_MSG(p, r == DX_PATCH_ERR_WRONG_BASE && x.writes == 0, "other data: %s", rn(r))) goto done;
            memcpy(buf, saved, len), memcpy(x.d_durable, buf, len);
        }
    }
    if (!PROP_EXPECT_MSG(p, r == (int64_t)blen && memcmp(buf, b, blen) == 0, "after %d interruptions: %s", rounds, rn(r)))
        goto done;
    /* resumed once more when done (the caller had not yet cut the data to the target): nothing is written */
    jio_config(&ac, &x, &info, step_cfg, true);
    x.m.len = blen, ac.data_len = blen;
    r = stream_apply(p, &ac, patch, (size_t)plen);
    if (!PROP_EXPECT_MSG(p, r == (int64_t)blen && x.writes == 0, "resume when done: %s", rn(r))) goto done;
    fail = 0;
done:
    free(a), free(b), free(patch), free(buf), free(saved), free(x.j), free(x.j_durable), free(x.d_durable);
    return fail;
}

/* dx_patch_xxh64 in pieces (the applier's running hash) equals one call. */
static int p_hash_pieces(prop_ctx *p) {
    size_t len = prop_len(p, 2000), at = 0;
    uint8_t *d = xmalloc(len);
    uint64_t seed = prop_bool(p) ? 0 : prop_u64(p);
    dxi_pt_hasher h;
    prop_bytes(p, d, len);
    dxi_pt_hash_init(&h, seed);
    while (at < len) {
        size_t n = (size_t)prop_range(p, 0, 70);
        if (n > len - at) n = len - at;
        dxi_pt_hash_update(&h, d + at, n);
        at += n;
    }
    PROP_CHECK(p, dxi_pt_hash_final(&h) == dx_patch_xxh64(d, len, seed));
    free(d);
    return 0;
}

/* The suffix array (induced sorting, levels 4-9) against a plain sort of the
   suffixes: texts over 1 to 4 symbols (long runs, repeats: the recursion and
   its equal LMS substrings), bytes and the u32 symbols of deeper levels. */
static const uint8_t *sa_text8;
static const uint32_t *sa_text32;
static size_t sa_text_len;
static int sa_suffix_cmp(const void *x, const void *y) {
    size_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    for (; a < sa_text_len && b < sa_text_len; a++, b++) {
        uint32_t ca = sa_text8 ? sa_text8[a] : sa_text32[a], cb = sa_text8 ? sa_text8[b] : sa_text32[b];
        if (ca != cb) return ca < cb ? -1 : 1;
    }
    return a == sa_text_len ? -1 : 1; /* the shorter suffix (it meets the sentinel first) sorts first */
}
static int p_suffix_array(prop_ctx *p) {
    size_t n = prop_len(p, 3000), i;
    uint32_t k = (uint32_t)prop_range(p, 1, 4), *sa = (uint32_t *)(void *)xmalloc(max_sz(n, 1) * 4),
             *want = (uint32_t *)(void *)xmalloc(max_sz(n, 1) * 4), *t32 = (uint32_t *)(void *)xmalloc(max_sz(n, 1) * 4);
    uint8_t *t8 = xmalloc(max_sz(n, 1));
    bool wide = prop_bool(p);
    dx_allocator al = {NULL, NULL, NULL};
    for (i = 0; i < n; i++) { /* runs of one symbol now and then, else random symbols */
        uint32_t c = (uint32_t)prop_range(p, 0, k - 1);
        size_t run = prop_range(p, 0, 7) == 0 ? (size_t)prop_range(p, 1, 40) : 1;
        for (; run > 0 && i < n; run--, i++) t8[i] = (uint8_t)(wide ? c : c * 60), t32[i] = wide ? c * 1000 : c;
        i--;
    }
    prop_note(p, "n=%lu k=%u wide=%d", (unsigned long)n, (unsigned)k, (int)wide);
    PROP_CHECK(p, dxi_pt_sais(wide ? (const void *)t32 : (const void *)t8, sa, (uint32_t)n, wide ? 4000 : 256, wide, &al) == DX_OK);
    for (i = 0; i < n; i++) want[i] = (uint32_t)i;
    sa_text8 = wide ? NULL : t8, sa_text32 = wide ? t32 : NULL, sa_text_len = n;
    qsort(want, n, sizeof want[0], sa_suffix_cmp);
    PROP_CHECK(p, memcmp(sa, want, n * sizeof want[0]) == 0);
    free(sa), free(want), free(t32), free(t8);
    return 0;
}

/* ---- unit tests: patches made by hand ---- */

/* The crafted patch: header for base (200 bytes) -> target, block size 64,
   frame_max 128, then one frame holding raw. */
static void craft_patch(craft *c, uint32_t flags, const uint8_t *base, const uint8_t *target, size_t tlen,
                        const uint8_t *raw, size_t n) {
    craft_header(c, flags, 64, base, 200, target, tlen, 128, 1);
    craft_frame(c, raw, n);
}

/* XOR records as the WIRE FORMAT describes them decode to the target. */
static int t_crafted_xor(prop_ctx *p) {
    uint8_t base[200], target[200], raw[64];
    craft c;
    size_t n = 0, i;
    craft_base(base);
    memcpy(target, base, 200);
    target[69] ^= 0x11, target[70] ^= 0x22, target[80] ^= 0x33;              /* block 1 */
    for (i = 192; i < 200; i++) target[i] ^= (uint8_t)(i == 192 ? 0 : 0x40); /* block 3: 8 bytes */
    /* XOR, gap 1 (block 1), witness base[69], 2 runs: skip 5, 2 bytes; skip 9, 1 byte */
    raw[n++] = 1, raw[n++] = 1, raw[n++] = base[69], raw[n++] = 2;
    raw[n++] = 5, raw[n++] = 2, raw[n++] = 0x11, raw[n++] = 0x22;
    raw[n++] = 9, raw[n++] = 1, raw[n++] = 0x33;
    /* XOR, gap 1 (block 3), witness base[193], one run over the whole block starting with a zero */
    raw[n++] = 1, raw[n++] = 1, raw[n++] = base[193], raw[n++] = 1, raw[n++] = 0, raw[n++] = 8;
    for (i = 192; i < 200; i++) raw[n++] = (uint8_t)(base[i] ^ target[i]);
    craft_patch(&c, DX_PATCH_FLAG_WITNESS, base, target, 200, raw, n);
    if (expect_result(p, "crafted XOR", c.b, c.len, base, 200, target, 200, DX_OK)) return 1;
    if (expect_result(p, "crafted XOR backwards", c.b, c.len, target, 200, base, 200, DX_OK)) return 1;
    /* without witnesses: the same records minus the witness bytes */
    memmove(raw + 2, raw + 3, n - 3), n--;
    memmove(raw + 12, raw + 13, n - 13), n--;
    craft_patch(&c, 0, base, target, 200, raw, n);
    if (expect_result(p, "crafted XOR, no witness", c.b, c.len, base, 200, target, 200, DX_OK)) return 1;
    /* the same records in two frames */
    craft_header(&c, 0, 64, base, 200, target, 200, 128, 2);
    craft_frame(&c, raw, 10);
    craft_frame(&c, raw + 10, n - 10);
    if (expect_result(p, "crafted XOR, two frames", c.b, c.len, base, 200, target, 200, DX_OK)) return 1;
    return 0;
}

/* ONE_WAY records: ZERO and RAW, growing and shrinking. */
static int t_crafted_one_way(prop_ctx *p) {
    uint8_t base[200], target[260], raw[300];
    craft c;
    size_t n = 0, i;
    craft_base(base);
    memcpy(target, base, 200);
    memset(target + 64, 0, 64);     /* block 1 becomes zeros */
    memset(target + 128, 0xab, 64); /* block 2 is stored */
    raw[n++] = 2, raw[n++] = 1;     /* ZERO, block 1 */
    raw[n++] = 3, raw[n++] = 0;     /* RAW, block 2 */
    memset(raw + n, 0xab, 64), n += 64;
    craft_patch(&c, DX_PATCH_FLAG_ONE_WAY | DX_PATCH_FLAG_WITNESS, base, target, 200, raw, n);
    if (expect_result(p, "crafted ZERO/RAW", c.b, c.len, base, 200, target, 200, DX_OK)) return 1;
    if (expect_result(p, "one-way patch on its target", c.b, c.len, target, 200, NULL, 0, DX_PATCH_ERR_WRONG_BASE))
        return 1;
    /* shrink to 100 bytes: block 1 keeps 36 bytes (RAW), blocks 2 and 3 vanish (ZERO) */
    n = 0;
    raw[n++] = 3, raw[n++] = 1;
    for (i = 64; i < 100; i++) raw[n++] = (uint8_t)~base[i], target[i] = (uint8_t)~base[i];
    memcpy(target, base, 64);
    raw[n++] = 2, raw[n++] = 0, raw[n++] = 2, raw[n++] = 0;
    craft_patch(&c, DX_PATCH_FLAG_ONE_WAY, base, target, 100, raw, n);
    if (expect_result(p, "crafted shrink", c.b, c.len, base, 200, target, 100, DX_OK)) return 1;
    /* grow to 260 bytes: block 4 (256..259) is RAW, 4 bytes */
    memcpy(target, base, 200);
    memset(target + 200, 0, 60);
    target[256] = 1, target[257] = 2, target[258] = 3, target[259] = 4;
    n = 0;
    raw[n++] = 3, raw[n++] = 4, raw[n++] = 1, raw[n++] = 2, raw[n++] = 3, raw[n++] = 4;
    craft_patch(&c, DX_PATCH_FLAG_ONE_WAY, base, target, 260, raw, n);
    if (expect_result(p, "crafted grow", c.b, c.len, base, 200, target, 260, DX_OK)) return 1;
    return 0;
}

/* One valid XOR record: block 1, skip 5, XOR 2 bytes. */
static size_t good_record(uint8_t *raw, const uint8_t *base, uint8_t *target) {
    memcpy(target, base, 200);
    target[69] ^= 0x11, target[70] ^= 0x22;
    raw[0] = 1, raw[1] = 1, raw[2] = base[69], raw[3] = 1, raw[4] = 5, raw[5] = 2, raw[6] = 0x11, raw[7] = 0x22;
    return 8;
}

static int t_bad_headers(prop_ctx *p) {
    static const struct {
        const char *what;
        size_t at;
        uint32_t value; /* stored as u32 at `at` (u16 for 4 and 6), then resealed unless noted */
        int reseal;
        dx_result want;
    } cases[] = {
        {"magic", 0, 0x55505844u /* "DXPU" */, 1, DX_PATCH_ERR_MAGIC},
        {"major 3", 4, 3, 0, DX_ERR_UNSUPPORTED},
        {"major 3, resealed", 4, 3, 1, DX_ERR_UNSUPPORTED},
        {"major 1 (format 1)", 4, 1, 0, DX_PATCH_ERR_OLD_FORMAT},
        {"major 1, resealed", 4, 1, 1, DX_PATCH_ERR_OLD_FORMAT},
        {"major 0", 4, 0, 1, DX_ERR_UNSUPPORTED},
        {"minor 7", 6, 7, 1, DX_OK},
        {"required flag 0x4000", 8, DX_PATCH_FLAG_WITNESS | 0x4000u, 1, DX_ERR_UNSUPPORTED},
        {"PREFIX without ZSTD", 8, DX_PATCH_FLAG_ONE_WAY | DX_PATCH_FLAG_COPY | DX_PATCH_FLAG_PREFIX, 1, DX_ERR_CORRUPT},
        {"PREFIX without COPY", 8, DX_PATCH_FLAG_ZSTD | DX_PATCH_FLAG_ONE_WAY | DX_PATCH_FLAG_PREFIX, 1, DX_ERR_CORRUPT},
        {"PREFIX with window 0", 8, DX_PATCH_FLAG_ZSTD | DX_PATCH_FLAG_ONE_WAY | DX_PATCH_FLAG_COPY | DX_PATCH_FLAG_PREFIX, 1,
         DX_ERR_CORRUPT},
        {"STREAM without ZSTD", 8, DX_PATCH_FLAG_WITNESS | DX_PATCH_FLAG_STREAM, 1, DX_ERR_CORRUPT},
        {"LITERAL without CARRY", 8, DX_PATCH_FLAG_ONE_WAY | DX_PATCH_FLAG_COPY | DX_PATCH_FLAG_LITERAL, 1, DX_ERR_CORRUPT},
        {"WINDOW without CARRY", 8, DX_PATCH_FLAG_ONE_WAY | DX_PATCH_FLAG_COPY | DX_PATCH_FLAG_WINDOW, 1, DX_ERR_CORRUPT},
        {"WINDOW with window 0", 8, DX_PATCH_FLAG_ONE_WAY | DX_PATCH_FLAG_COPY | DX_PATCH_FLAG_CARRY | DX_PATCH_FLAG_WINDOW, 1,
         DX_ERR_CORRUPT},
        {"CARRY without COPY", 8, DX_PATCH_FLAG_WITNESS | DX_PATCH_FLAG_ONE_WAY | DX_PATCH_FLAG_CARRY, 1, DX_ERR_CORRUPT},
        {"required flag 0x8000", 8, DX_PATCH_FLAG_WITNESS | 0x8000u, 1, DX_ERR_UNSUPPORTED},
        {"optional flag 0x10000", 8, DX_PATCH_FLAG_WITNESS | 0x10000u, 1, DX_OK},
        {"COPY without ONE_WAY", 8, DX_PATCH_FLAG_WITNESS | DX_PATCH_FLAG_COPY, 1, DX_ERR_CORRUPT},
        {"header check", 60, 0, 0, DX_ERR_CHECKSUM},
        {"base length, not resealed", 16, 201, 0, DX_ERR_CHECKSUM},
        {"block size 96", 12, 96, 1, DX_ERR_CORRUPT},
        {"block size 32", 12, 32, 1, DX_ERR_CORRUPT},
        {"block size 0", 12, 0, 1, DX_ERR_CORRUPT},
        {"block size 2 MiB", 12, 2u << 20, 1, DX_ERR_CORRUPT},
        {"frame_max < block + 64", 48, 127, 1, DX_ERR_CORRUPT},
        {"frame_max = block + 64", 48, 128, 1, DX_OK},
        {"frame_max > 1 MiB + 64", 48, (1u << 20) + 65, 1, DX_ERR_CORRUPT},
        {"reserved word", 56, 1, 1, DX_ERR_CORRUPT},
    };
    uint8_t base[200], target[200], raw[16];
    craft c;
    size_t i, n;
    dx_patch_info info;
    craft_base(base);
    n = good_record(raw, base, target);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        craft_patch(&c, DX_PATCH_FLAG_WITNESS, base, target, 200, raw, n);
        if (cases[i].at == 4 || cases[i].at == 6) c.b[cases[i].at] = (uint8_t)cases[i].value, c.b[cases[i].at + 1] = 0;
        else if (cases[i].at == 60) c.b[60] ^= 1;
        else put32(c.b + cases[i].at, cases[i].value);
        if (cases[i].reseal) reseal_header(c.b);
        PROP_CHECK_MSG(p, dx_patch_read_info(c.b, c.len, &info) == cases[i].want, "read_info, %s", cases[i].what);
        if (expect_result(p, cases[i].what, c.b, c.len, base, 200, target, 200, cases[i].want)) return 1;
    }
    /* COPY (with ONE_WAY) is for out-of-place applies only */
    craft_patch(&c, DX_PATCH_FLAG_WITNESS | DX_PATCH_FLAG_ONE_WAY | DX_PATCH_FLAG_COPY, base, target, 200, raw, n);
    {
        uint8_t buf[200], out[200];
        memcpy(buf, base, 200);
        PROP_CHECK(p, dx_patch_apply_in_place(c.b, c.len, buf, 200, 200, false) == DX_ERR_UNSUPPORTED);
        PROP_CHECK(p, memcmp(buf, base, 200) == 0);
        PROP_CHECK(p, dx_patch_apply(c.b, c.len, base, 200, out, 200) == 200 && memcmp(out, target, 200) == 0);
    }
    return 0;
}

static int t_frame_lies(prop_ctx *p) {
    uint8_t base[200], target[200], raw[200];
    craft c;
    size_t n;
    craft_base(base);
    n = good_record(raw, base, target);
    /* raw length above the header's frame_max (the bytes are all there) */
    memset(raw + n, 0, 129 - n);
    craft_header(&c, DX_PATCH_FLAG_WITNESS, 64, base, 200, target, 200, 128, 1);
    craft_frame(&c, raw, 129);
    if (expect_result(p, "raw > frame_max", c.b, c.len, base, 200, target, 200, DX_ERR_CORRUPT)) return 1;
    /* stored > raw */
    craft_patch(&c, DX_PATCH_FLAG_WITNESS, base, target, 200, raw, n);
    put32(c.b + 64, (uint32_t)n - 1);
    if (expect_result(p, "stored > raw", c.b, c.len, base, 200, target, 200, DX_ERR_CORRUPT)) return 1;
    /* stored < raw in a patch without the ZSTD flag: malformed in every build */
    craft_patch(&c, DX_PATCH_FLAG_WITNESS, base, target, 200, raw, n);
    put32(c.b + 64, (uint32_t)n + 1);
    if (expect_result(p, "stored < raw, no ZSTD flag", c.b, c.len, base, 200, target, 200, DX_ERR_CORRUPT)) return 1;
    /* stored < raw with the flag: junk for zstd, or no zstd here */
    craft_header(&c, DX_PATCH_FLAG_WITNESS | DX_PATCH_FLAG_ZSTD, 64, base, 200, target, 200, 128, 1);
    craft_frame(&c, raw, n);
    put32(c.b + 64, (uint32_t)n + 1);
#if defined(DX_PATCH_WITH_ZSTD)
    if (expect_result(p, "junk zstd frame", c.b, c.len, base, 200, target, 200, DX_ERR_CORRUPT)) return 1;
#else
    if (expect_result(p, "zstd frame without zstd", c.b, c.len, base, 200, target, 200, DX_ERR_UNSUPPORTED)) return 1;
#endif
    /* an empty frame */
    craft_header(&c, DX_PATCH_FLAG_WITNESS, 64, base, 200, target, 200, 128, 1);
    craft_frame(&c, raw, 0);
    if (expect_result(p, "empty frame", c.b, c.len, base, 200, target, 200, DX_ERR_CORRUPT)) return 1;
    /* a byte after the last frame */
    craft_patch(&c, DX_PATCH_FLAG_WITNESS, base, target, 200, raw, n);
    c.b[c.len++] = 0;
    if (expect_result(p, "trailing byte", c.b, c.len, base, 200, target, 200, DX_ERR_CORRUPT)) return 1;
    /* frame count: more than there are, or none */
    craft_header(&c, DX_PATCH_FLAG_WITNESS, 64, base, 200, target, 200, 128, 2);
    craft_frame(&c, raw, n);
    if (expect_result(p, "a frame missing", c.b, c.len, base, 200, target, 200, DX_ERR_TRUNCATED)) return 1;
    craft_header(&c, DX_PATCH_FLAG_WITNESS, 64, base, 200, target, 200, 128, 0);
    craft_frame(&c, raw, n);
    if (expect_result(p, "frame count 0", c.b, c.len, base, 200, target, 200, DX_ERR_CORRUPT)) return 1;
    /* the frame's check, and a changed byte under it */
    craft_patch(&c, DX_PATCH_FLAG_WITNESS, base, target, 200, raw, n);
    c.b[72] ^= 0x80;
    if (expect_result(p, "frame check", c.b, c.len, base, 200, target, 200, DX_ERR_CHECKSUM)) return 1;
    craft_patch(&c, DX_PATCH_FLAG_WITNESS, base, target, 200, raw, n);
    c.b[c.len - 1] ^= 0x01;
    if (expect_result(p, "frame byte", c.b, c.len, base, 200, target, 200, DX_ERR_CHECKSUM)) return 1;
    /* a right patch with a wrong target hash: refused, the data untouched */
    craft_patch(&c, DX_PATCH_FLAG_WITNESS, base, target, 200, raw, n);
    c.b[40] ^= 1;
    reseal_header(c.b);
    if (expect_result(p, "wrong target hash", c.b, c.len, base, 200, target, 200, DX_PATCH_ERR_RESULT)) return 1;
    return 0;
}

static int t_bad_records(prop_ctx *p) {
    static const struct {
        const char *what;
        uint32_t flags;
        size_t tlen; /* 0: 200 */
        uint8_t n, raw[24];
    } cases[] = {
        {"gap past the end", 2, 0, 7, {1, 4, 0, 1, 0, 1, 0x11}},
        {"gap past the end, second record", 2, 0, 14, {1, 2, 0, 1, 0, 1, 0x11, 1, 1, 0, 1, 0, 1, 0x11}},
        {"records out of order (the gap wraps)", 2, 0, 23,
         {1, 2, 0, 1, 0, 1, 0x11, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0, 1, 0, 1, 0x11}},
        {"varint over 64 bits", 2, 0, 17, {1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0, 1, 0, 1, 0x11}},
        {"run past its block", 2, 0, 12, {1, 1, 0, 1, 60, 5, 1, 2, 3, 4, 5, 6}},
        {"skip past its block", 2, 0, 7, {1, 1, 0, 1, 65, 1, 1}},
        {"run past the last, short block", 2, 0, 15, {1, 3, 0, 1, 0, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
        {"zero-length run", 2, 0, 10, {1, 1, 0, 2, 5, 0, 3, 1, 0x11, 0}},
        {"XOR that changes nothing", 2, 0, 8, {1, 1, 0, 1, 5, 2, 0, 0}},
        {"no runs", 2, 0, 4, {1, 1, 0, 0}},
        {"more runs than bytes", 2, 0, 7, {1, 1, 0, 65, 0, 1, 1}},
        {"run bytes past the frame", 2, 0, 7, {1, 1, 0, 1, 5, 10, 0x11}},
        {"no witness byte", 2, 0, 2, {1, 1}},
        {"no run count", 0, 0, 2, {1, 1}},
        {"unknown kind", 2, 0, 7, {9, 1, 0, 1, 0, 1, 0x11}},
        {"COPY kind without the COPY flag", 2 | 4, 0, 6, {4, 1, 0, 1, 0, 1}},
        {"COPY from past the base's end", 4 | 8, 0, 7, {4, 1, 0x80, 0x04, 1, 0, 1}},
        {"COPY from before the base", 4 | 8, 0, 7, {4, 1, 0x81, 0x01, 1, 0, 1}},
        {"COPY delta beyond 2^48", 4 | 8, 0, 13, {4, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02, 1, 0, 1}},
        {"ZERO without ONE_WAY", 2, 0, 2, {2, 1}},
        {"RAW without ONE_WAY", 2, 0, 10, {3, 3, 1, 2, 3, 4, 5, 6, 7, 8}},
        {"RAW cut short", 2 | 4, 0, 6, {3, 1, 1, 2, 3, 4}},
        {"RAW past the target's end", 4, 100, 3, {3, 2, 1}},
    };
    uint8_t base[200], target[200];
    craft c;
    size_t i;
    craft_base(base);
    memcpy(target, base, 200);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t tlen = cases[i].tlen ? cases[i].tlen : 200;
        craft_patch(&c, cases[i].flags, base, target, tlen, cases[i].raw, cases[i].n);
        if (cases[i].flags & DX_PATCH_FLAG_COPY) { /* COPY patches apply out of place only */
            uint8_t out[200];
            int64_t r = dx_patch_apply(c.b, c.len, base, 200, out, 200);
            PROP_CHECK_MSG(p, r == DX_ERR_CORRUPT, "%s: %s", cases[i].what, rn(r));
            continue;
        }
        if (expect_result(p, cases[i].what, c.b, c.len, base, 200, target, tlen, DX_ERR_CORRUPT)) return 1;
    }
    return 0;
}

/* ---- unit tests: the API ---- */

/* cfg.check_only: frames decoded and checked with no data and no io; the
   stats count the records; a damaged or truncated patch is an error. */
static int t_check_only(prop_ctx *p) {
    static uint8_t a[3000], b[3000], patch[8192];
    dx_patch_config cfg;
    dx_patch_applier_config ac;
    dx_patch_applier ap;
    static uint8_t mem[1 << 21]; /* the default limits: 512 KiB frames with zstd */
    int64_t plen, r;
    size_t i;
    uint32_t x = 2463534242u;
    for (i = 0; i < sizeof a; i++) x ^= x << 13, x ^= x >> 17, x ^= x << 5, a[i] = (uint8_t)(x >> 24); /* no repeats */
    memcpy(b, a, 1000);
    memcpy(b + 1000, "twelve bytes", 12); /* an insertion: SPLIT */
    memcpy(b + 1012, a + 1000, 1988);
    b[2500] ^= 1;
    memset(&cfg, 0, sizeof cfg);
    cfg.block_size = 512, cfg.shift = true;
    plen = dx_patch_diff(&cfg, a, sizeof a, b, sizeof b, patch, sizeof patch);
    PROP_CHECK_MSG(p, plen > 0, "diff: %s", rn(plen));
    memset(&ac, 0, sizeof ac);
    ac.check_only = true;
    PROP_CHECK(p, dx_patch_applier_init(&ap, &ac, mem, sizeof mem) == DX_OK);
    for (i = 0; i < (size_t)plen; i += 7) PROP_CHECK(p, dx_patch_applier_feed(&ap, patch + i, (size_t)plen - i < 7 ? (size_t)plen - i : 7) == DX_OK);
    r = dx_patch_applier_finish(&ap);
    PROP_CHECK_MSG(p, r == (int64_t)sizeof b, "finish: %s", rn(r));
    PROP_CHECK_MSG(p, ap.stats.records[DX_PATCH_REC_SPLIT] == 1 && ap.stats.segments == 2 && ap.stats.xor_bytes >= 12,
                   "stats: %lu SPLIT, %lu segments, %lu bytes", (unsigned long)ap.stats.records[DX_PATCH_REC_SPLIT],
                   (unsigned long)ap.stats.segments, (unsigned long)ap.stats.xor_bytes);
    PROP_CHECK_MSG(p, ap.stats.records[DX_PATCH_REC_COPY] == 1, "%lu COPY", (unsigned long)ap.stats.records[DX_PATCH_REC_COPY]);
    /* truncated, and damaged */
    PROP_CHECK(p, dx_patch_applier_init(&ap, &ac, mem, sizeof mem) == DX_OK);
    PROP_CHECK(p, dx_patch_applier_feed(&ap, patch, (size_t)plen - 1) == DX_OK);
    PROP_CHECK(p, dx_patch_applier_finish(&ap) == DX_ERR_TRUNCATED);
    patch[plen - 3] ^= 0x10;
    PROP_CHECK(p, dx_patch_applier_init(&ap, &ac, mem, sizeof mem) == DX_OK);
    PROP_CHECK(p, dx_patch_applier_feed(&ap, patch, (size_t)plen) == DX_ERR_CHECKSUM);
    /* without check_only, io is required */
    ac.check_only = false;
    PROP_CHECK(p, dx_patch_applier_init(&ap, &ac, mem, sizeof mem) == DX_ERR_INVAL);
    return 0;
}

static int t_read_info(prop_ctx *p) {
    uint8_t a[300], b[300], patch[1024];
    dx_patch_config cfg;
    dx_patch_info info;
    int64_t n;
    size_t i;
    for (i = 0; i < 300; i++) a[i] = (uint8_t)i, b[i] = (uint8_t)(i < 150 ? i : i ^ 0x5a);
    memset(&cfg, 0, sizeof cfg);
    cfg.block_size = 128;
    cfg.frame_size = 200;
    cfg.one_way = true;
    n = dx_patch_diff(&cfg, a, 300, b, 250, patch, sizeof patch);
    PROP_CHECK_MSG(p, n > 64, "%s", rn(n));
    PROP_CHECK(p, dx_patch_read_info(patch, (size_t)n, &info) == DX_OK);
    PROP_CHECK(p, info.base_len == 300 && info.target_len == 250 && info.block_size == 128 &&
                  info.frame_max >= 128 + 64 && info.frame_max <= 200); /* the largest frame written, at least a block + 64 */
    PROP_CHECK(p, info.flags == (DX_PATCH_FLAG_WITNESS | DX_PATCH_FLAG_ONE_WAY) && info.frame_count >= 1);
    PROP_CHECK(p, info.base_hash == dx_patch_xxh64(a, 300, 0) && info.target_hash == dx_patch_xxh64(b, 250, 0));
    PROP_CHECK(p, dx_patch_read_info(patch, 64, &info) == DX_OK); /* the header is enough */
    PROP_CHECK(p, dx_patch_read_info(patch, 63, &info) == DX_ERR_TRUNCATED);
    PROP_CHECK(p, dx_patch_read_info(patch, 3, &info) == DX_ERR_TRUNCATED);
    PROP_CHECK(p, dx_patch_read_info(patch, 0, &info) == DX_ERR_TRUNCATED);
    PROP_CHECK(p, dx_patch_read_info(NULL, 64, &info) == DX_ERR_INVAL);
    PROP_CHECK(p, dx_patch_read_info(patch, 64, NULL) == DX_ERR_INVAL);
    PROP_CHECK(p, dx_patch_read_info((const uint8_t *)"XXXX", 4, &info) == DX_PATCH_ERR_MAGIC);
    return 0;
}

static int t_diff_args(prop_ctx *p) {
    uint8_t a[100], b[100], out[1024];
    dx_patch_config cfg;
    int64_t n;
    memset(a, 1, sizeof a), memset(b, 2, sizeof b);
    memset(&cfg, 0, sizeof cfg);
    PROP_CHECK(p, dx_patch_diff(NULL, a, 100, b, 100, out, sizeof out) > 64); /* NULL: the defaults */
    PROP_CHECK(p, dx_patch_diff(&cfg, NULL, 1, b, 100, out, sizeof out) == DX_ERR_INVAL);
    PROP_CHECK(p, dx_patch_diff(&cfg, a, 100, NULL, 1, out, sizeof out) == DX_ERR_INVAL);
    PROP_CHECK(p, dx_patch_diff(&cfg, a, 100, b, 100, NULL, sizeof out) == DX_ERR_INVAL);
    PROP_CHECK(p, dx_patch_diff(&cfg, a, 100, b, 100, out, 63) == DX_ERR_NOSPACE);
    PROP_CHECK(p, dx_patch_diff(&cfg, a, 100, b, 100, out, 64 + 12) == DX_ERR_NOSPACE);
    cfg.block_size = 96;
    PROP_CHECK(p, dx_patch_diff(&cfg, a, 100, b, 100, out, sizeof out) == DX_ERR_INVAL);
    cfg.block_size = 32;
    PROP_CHECK(p, dx_patch_diff(&cfg, a, 100, b, 100, out, sizeof out) == DX_ERR_INVAL);
    cfg.block_size = 2u << 20;
    PROP_CHECK(p, dx_patch_diff(&cfg, a, 100, b, 100, out, sizeof out) == DX_ERR_INVAL);
    cfg.block_size = 64;
    cfg.frame_size = (1u << 20) + 65; /* above the format's largest raw frame */
    PROP_CHECK(p, dx_patch_diff(&cfg, a, 100, b, 100, out, sizeof out) == DX_ERR_INVAL);
    cfg.frame_size = (1u << 20) + 64;
    PROP_CHECK(p, dx_patch_diff(&cfg, a, 100, b, 100, out, sizeof out) > 64);
    cfg.frame_size = 0;
    cfg.window = 4096; /* a window without the shift mode, not a power of two, or with blocks too large to split */
    PROP_CHECK(p, dx_patch_diff(&cfg, a, 100, b, 100, out, sizeof out) == DX_ERR_INVAL);
    cfg.shift = true, cfg.window = 3000;
    PROP_CHECK(p, dx_patch_diff(&cfg, a, 100, b, 100, out, sizeof out) == DX_ERR_INVAL);
    cfg.window = 4096, cfg.block_size = 32768;
    PROP_CHECK(p, dx_patch_diff(&cfg, a, 100, b, 100, out, sizeof out) == DX_ERR_INVAL);
    cfg.block_size = 64, cfg.shift = false, cfg.window = 0;
#if !defined(DX_PATCH_WITH_ZSTD)
    cfg.zstd_level = 3;
    PROP_CHECK(p, dx_patch_diff(&cfg, a, 100, b, 100, out, sizeof out) == DX_ERR_UNSUPPORTED);
    cfg.zstd_level = 0;
#endif
    /* empty inputs, NULL or not */
    n = dx_patch_diff(&cfg, NULL, 0, NULL, 0, out, 64);
    PROP_CHECK_MSG(p, n == 64, "%s", rn(n));
    PROP_CHECK(p, dx_patch_apply(out, 64, NULL, 0, b, 0) == 0);
    PROP_CHECK(p, dx_patch_apply_in_place(out, 64, b, 0, 0, false) == 0);
    n = dx_patch_diff(&cfg, NULL, 0, a, 100, out, sizeof out);
    PROP_CHECK(p, n > 64 && dx_patch_apply(out, (size_t)n, NULL, 0, b, 100) == 100 && memcmp(a, b, 100) == 0);
    n = dx_patch_diff(&cfg, a, 100, NULL, 0, out, sizeof out);
    PROP_CHECK(p, n > 64 && dx_patch_apply(out, (size_t)n, a, 100, b, 100) == 0);
    PROP_CHECK(p, dx_patch_bound(0, 0, NULL) == 64 + 12 + 64); /* header, a frame's header, a stream's header */
    return 0;
}

static int t_apply_args(prop_ctx *p) {
    uint8_t a[100], b[100], buf[200], patch[1024];
    int64_t n;
    size_t i;
    for (i = 0; i < 100; i++) a[i] = (uint8_t)i, b[i] = (uint8_t)(i * 3);
    n = dx_patch_diff(NULL, a, 100, b, 100, patch, sizeof patch);
    PROP_CHECK(p, n > 64);
    memcpy(buf, a, 100);
    PROP_CHECK(p, dx_patch_apply(NULL, (size_t)n, a, 100, buf + 100, 100) == DX_ERR_INVAL);
    PROP_CHECK(p, dx_patch_apply(patch, (size_t)n, buf, 100, buf + 50, 100) == DX_ERR_INVAL); /* overlap */
    PROP_CHECK(p, dx_patch_apply(patch, (size_t)n, buf + 50, 100, buf, 100) == DX_ERR_INVAL);
    PROP_CHECK(p, dx_patch_apply(patch, (size_t)n, NULL, 100, buf + 100, 100) == DX_ERR_INVAL);
    PROP_CHECK(p, dx_patch_apply(patch, (size_t)n, a, 100, NULL, 100) == DX_ERR_INVAL);
    PROP_CHECK(p, dx_patch_apply(patch, (size_t)n, buf, 100, buf + 100, 99) == DX_ERR_NOSPACE);
    PROP_CHECK(p, dx_patch_apply(patch, (size_t)n, buf, 100, buf + 100, 100) == 100 && memcmp(buf + 100, b, 100) == 0);
    PROP_CHECK(p, dx_patch_apply_in_place(NULL, (size_t)n, buf, 100, 100, false) == DX_ERR_INVAL);
    PROP_CHECK(p, dx_patch_apply_in_place(patch, (size_t)n, NULL, 100, 100, false) == DX_ERR_INVAL);
    PROP_CHECK(p, dx_patch_apply_in_place(patch, (size_t)n, buf, 100, 99, false) == DX_ERR_NOSPACE);
    PROP_CHECK(p, memcmp(buf, a, 100) == 0);
    PROP_CHECK(p, dx_patch_apply_in_place(patch, (size_t)n, buf, 100, 100, false) == 100 && memcmp(buf, b, 100) == 0);
    PROP_CHECK(p, dx_patch_apply_in_place(patch, 10, buf, 100, 100, false) == DX_ERR_TRUNCATED);
    PROP_CHECK(p, memcmp(buf, b, 100) == 0);
    return 0;
}

/* dx_patch_apply_in_place with resume on data that is whole: the base is a plain apply, the target done, for
   every patch (a shift patch, one without witnesses: they cannot resume a half-applied state, and said
   DX_ERR_UNSUPPORTED even of whole data, so "after a crash, resume" was no rule). */
static int t_resume_whole(prop_ctx *p) {
    static uint8_t a[65536], b[65536 + 100], buf[65536 + 100], patch[200000];
    dx_patch_config cfg;
    uint32_t x = 12345;
    size_t i, k;
    for (i = 0; i < sizeof a; i++) x = x * 1103515245u + 12345u, a[i] = (uint8_t)(x >> 24);
    memcpy(b, a, 1000), memset(b + 1000, 'x', 100), memcpy(b + 1100, a + 1000, sizeof a - 1000); /* an insertion */
    for (k = 0; k < 2; k++) {
        int64_t n;
        memset(&cfg, 0, sizeof cfg);
        if (k == 0) cfg.shift = true, cfg.window = 65536; /* WINDOW: in place one-shot, not resumable half-way */
        else cfg.no_witness = true;                        /* XOR blocks without witnesses */
        n = dx_patch_diff(&cfg, a, sizeof a, b, sizeof b, patch, sizeof patch);
        PROP_CHECK_MSG(p, n > 0, "diff %zu: %s", k, dx_patch_result_name((dx_result)n));
        memcpy(buf, a, sizeof a);
        PROP_CHECK_MSG(p, dx_patch_apply_in_place(patch, (size_t)n, buf, sizeof a, sizeof buf, true) == (int64_t)sizeof b,
                       "resume of the base, patch %zu", k);
        PROP_CHECK(p, memcmp(buf, b, sizeof b) == 0);
        PROP_CHECK_MSG(p, dx_patch_apply_in_place(patch, (size_t)n, buf, sizeof b, sizeof buf, true) == (int64_t)sizeof b,
                       "resume of the target, patch %zu", k);
        PROP_CHECK(p, memcmp(buf, b, sizeof b) == 0); /* untouched: done already */
    }
    return 0;
}

/* 0.13.3: a resume with witnesses (no journal) of data that is neither the base, the target nor an
   interrupted apply writes nothing. The one-shot call checks every witness before the first write (data
   whose first blocks look like the base's, a later block neither); data of a length between the two
   (only a growth with zeros cut short leaves one) must be the shorter version, then zeros (the target with
   other bytes after it was cut to the target, 0 returned); both calls refuse it. */
static int t_resume_neither(prop_ctx *p) {
    static uint8_t a[65536], b[65536 + 8], buf[65536 + 8], was[65536 + 8], patch[100000];
    dx_patch_config cfg;
    dx_patch_applier_config ac;
    dx_patch_info info;
    mio m;
    uint32_t x = 777;
    size_t i;
    int64_t n, r;
    for (i = 0; i < sizeof a; i++) x = x * 1103515245u + 12345u, a[i] = (uint8_t)(x >> 24);
    memcpy(b, a, 60000), memcpy(b + 60000, "INSERTED", 8), memcpy(b + 60008, a + 60000, sizeof a - 60000);
    memset(&cfg, 0, sizeof cfg);
    cfg.block_size = 4096;
    n = dx_patch_diff(&cfg, a, sizeof a, b, sizeof b, patch, sizeof patch);
    PROP_CHECK_MSG(p, n > 0 && dx_patch_read_info(patch, (size_t)n, &info) == DX_OK && (info.flags & DX_PATCH_FLAG_WITNESS) &&
                   !(info.flags & DX_PATCH_FLAG_WINDOW), "diff: %s", rn(n));
    memcpy(was, a, sizeof a), memcpy(was + sizeof a, "ABCDEFGH", 8); /* the base + 8 bytes: the target's length */
    memcpy(buf, was, sizeof was);
    r = dx_patch_apply_in_place(patch, (size_t)n, buf, sizeof b, sizeof buf, true);
    PROP_CHECK_MSG(p, r == DX_PATCH_ERR_WRONG_BASE && memcmp(buf, was, sizeof was) == 0, "base + 8 bytes: %s", rn(r));
    /* shrinking (b -> the first 65000 bytes of b, 2 bytes changed before its end, in its last block) */
    memcpy(was, b, 65000), was[64900] ^= 0x5a, was[64901] ^= 0xa5;
    n = dx_patch_diff(&cfg, b, sizeof b, was, 65000, patch, sizeof patch);
    PROP_CHECK_MSG(p, n > 0 && dx_patch_read_info(patch, (size_t)n, &info) == DX_OK, "diff 2: %s", rn(n));
    memcpy(was + 65000, "JUNK", 4), memcpy(buf, was, 65004);
    r = dx_patch_apply_in_place(patch, (size_t)n, buf, 65004, sizeof buf, true);
    PROP_CHECK_MSG(p, r == DX_PATCH_ERR_WRONG_BASE && memcmp(buf, was, 65004) == 0, "target + JUNK: %s", rn(r));
    mio_in_place(&m, buf, 65004, sizeof buf);
    applier_config(&ac, &m, true, &info);
    ac.resume = true;
    r = stream_apply(p, &ac, patch, (size_t)n);
    PROP_CHECK_MSG(p, r == DX_PATCH_ERR_WRONG_BASE && m.len == 65004 && memcmp(buf, was, 65004) == 0,
                   "streaming, target + JUNK: %s", rn(r));
    memset(buf + 65000, 0, 4); /* the target, then zeros: an interrupted roll back's growth */
    r = dx_patch_apply_in_place(patch, (size_t)n, buf, 65004, sizeof buf, true);
    PROP_CHECK_MSG(p, r == 65000 && memcmp(buf, was, 65000) == 0, "target + zeros: %s", rn(r));
    return 0;
}

/* The streaming applier's memory: caller memory of exactly
   dx_patch_applier_memory_size bytes (at any alignment) works, less is
   refused; limits are enforced; misuse is refused. */
static int t_applier_memory(prop_ctx *p) {
    uint8_t a[5000], b[5000], buf[5000], patch[8192];
    dx_patch_config cfg;
    dx_patch_applier_config ac;
    dx_patch_applier ap;
    mio m;
    size_t need, i, skew;
    int64_t n;
    for (i = 0; i < sizeof a; i++) a[i] = (uint8_t)(i * 13), b[i] = (uint8_t)(i % 7 ? a[i] : i);
    memset(&cfg, 0, sizeof cfg);
    cfg.block_size = 1024;
    cfg.frame_size = 4096;
    n = dx_patch_diff(&cfg, a, sizeof a, b, sizeof b, patch, sizeof patch);
    PROP_CHECK(p, n > 64);
    mio_in_place(&m, buf, sizeof a, sizeof buf);
    applier_config(&ac, &m, true, NULL);
    ac.max_block = 1024, ac.max_frame = 4096;
    need = dx_patch_applier_memory_size(&ac);
    /* two frames with zstd (one compressed), one without: the applier refuses compressed frames then */
    PROP_CHECK_MSG(p, need >= DXI_PT_FRAME_BUFFERS * 4096 + 2 * 1024 && need < DXI_PT_FRAME_BUFFERS * 4096 + 2 * 1024 + 512,
                   "memory size %lu", (unsigned long)need);
    for (skew = 0; skew < 8; skew++) {
        uint8_t *mem = xmalloc(need + skew);
        memcpy(buf, a, sizeof a);
        m.len = sizeof a;
        PROP_CHECK(p, dx_patch_applier_init(&ap, &ac, mem + skew, need - 9) == DX_ERR_NOSPACE); /* 8 of slack */
        PROP_CHECK(p, dx_patch_applier_init(&ap, &ac, mem + skew, need) == DX_OK);
        PROP_CHECK(p, dx_patch_applier_feed(&ap, patch, (size_t)n) == DX_OK);
        PROP_CHECK(p, dx_patch_applier_finish(&ap) == (int64_t)sizeof b && memcmp(buf, b, sizeof b) == 0);
        dx_patch_applier_deinit(&ap); /* from init: the memory is ours */
        free(mem);
    }
    /* the patch's block (1024) or frame (4096) above the applier's limits */
    ac.max_block = 512, ac.max_frame = 0;
    PROP_CHECK(p, dx_patch_applier_create(&ap, &ac) == DX_OK);
    PROP_CHECK(p, dx_patch_applier_feed(&ap, patch, (size_t)n) == DX_ERR_LIMIT);
    PROP_CHECK(p, dx_patch_applier_feed(&ap, patch, 1) == DX_ERR_LIMIT); /* sticky */
    PROP_CHECK(p, dx_patch_applier_finish(&ap) == DX_ERR_LIMIT);
    dx_patch_applier_destroy(&ap);
    ac.max_block = 1024, ac.max_frame = 2048;
    PROP_CHECK(p, dx_patch_applier_create(&ap, &ac) == DX_OK);
    PROP_CHECK(p, dx_patch_applier_feed(&ap, patch, (size_t)n) == DX_ERR_LIMIT);
    dx_patch_applier_destroy(&ap);
    /* limits the applier cannot have */
    ac.max_block = 2u << 20;
    PROP_CHECK(p, dx_patch_applier_memory_size(&ac) == 0);
    PROP_CHECK(p, dx_patch_applier_create(&ap, &ac) == DX_ERR_INVAL);
    ac.max_block = 0, ac.max_frame = DX_PATCH_MAX_FRAME + 1;
    PROP_CHECK(p, dx_patch_applier_memory_size(&ac) == 0);
    PROP_CHECK(p, dx_patch_applier_memory_size(NULL) == 0);
    /* misuse */
    ac.max_frame = 0;
    ac.io.read = NULL;
    PROP_CHECK(p, dx_patch_applier_create(&ap, &ac) == DX_ERR_INVAL);
    ac.io.read = mio_read;
    PROP_CHECK(p, dx_patch_applier_create(NULL, &ac) == DX_ERR_INVAL);
    PROP_CHECK(p, dx_patch_applier_create(&ap, NULL) == DX_ERR_INVAL);
    PROP_CHECK(p, dx_patch_applier_init(&ap, &ac, NULL, 1 << 20) == DX_ERR_NOSPACE);
    PROP_CHECK(p, dx_patch_applier_feed(NULL, patch, 1) == DX_ERR_INVAL);
    PROP_CHECK(p, dx_patch_applier_finish(NULL) == DX_ERR_INVAL);
    dx_patch_applier_destroy(NULL);
    PROP_CHECK(p, dx_patch_applier_create(&ap, &ac) == DX_OK);
    PROP_CHECK(p, dx_patch_applier_feed(&ap, NULL, 1) == DX_ERR_INVAL);
    PROP_CHECK(p, dx_patch_applier_feed(&ap, NULL, 0) == DX_OK);
    PROP_CHECK(p, dx_patch_applier_finish(&ap) == DX_ERR_TRUNCATED); /* nothing fed */
    dx_patch_applier_destroy(&ap);
    /* one-shot: frames as large as the format allows (DX_PATCH_MAX_FRAME by default) apply; larger ones cannot be made */
    cfg.frame_size = DX_PATCH_MAX_FRAME;
    n = dx_patch_diff(&cfg, a, sizeof a, b, sizeof b, patch, sizeof patch);
    PROP_CHECK(p, n > 64);
    memcpy(buf, a, sizeof a);
    PROP_CHECK(p, dx_patch_apply_in_place(patch, (size_t)n, buf, sizeof a, sizeof buf, false) == (int64_t)sizeof b);
    PROP_CHECK(p, dx_patch_apply(patch, (size_t)n, a, sizeof a, buf, sizeof buf) == (int64_t)sizeof b);
    cfg.frame_size = DX_PATCH_MAX_FRAME + 1;
    PROP_CHECK(p, dx_patch_diff(&cfg, a, sizeof a, b, sizeof b, patch, sizeof patch) == DX_ERR_INVAL);
    return 0;
}

/* A read or write callback that fails: DX_ERR_IO. */
static dx_result fail_read(void *user, uint64_t off, void *buf, size_t len) {
    (void)user, (void)off, (void)buf, (void)len;
    return DX_ERR_OS;
}
static int t_io_errors(prop_ctx *p) {
    uint8_t a[1000], b[1000], buf[1000], patch[4096];
    dx_patch_applier_config ac;
    dx_patch_applier ap;
    mio m;
    int64_t n;
    size_t i;
    for (i = 0; i < sizeof a; i++) a[i] = (uint8_t)i, b[i] = (uint8_t)(i * 5);
    n = dx_patch_diff(NULL, a, sizeof a, b, sizeof b, patch, sizeof patch);
    PROP_CHECK(p, n > 64);
    memcpy(buf, a, sizeof a);
    mio_in_place(&m, buf, sizeof a, sizeof buf);
    applier_config(&ac, &m, true, NULL);
    ac.io.read = fail_read;
    PROP_CHECK(p, dx_patch_applier_create(&ap, &ac) == DX_OK);
    PROP_CHECK(p, dx_patch_applier_feed(&ap, patch, (size_t)n) == DX_ERR_IO);
    dx_patch_applier_destroy(&ap);
    PROP_CHECK(p, memcmp(buf, a, sizeof a) == 0);
    ac.io.read = mio_read;
    m.fail_after = 0;
    PROP_CHECK(p, dx_patch_applier_create(&ap, &ac) == DX_OK);
    PROP_CHECK(p, dx_patch_applier_feed(&ap, patch, (size_t)n) == DX_ERR_IO);
    PROP_CHECK(p, dx_patch_applier_finish(&ap) == DX_ERR_IO);
    dx_patch_applier_destroy(&ap);
    return 0;
}

/* Every failing allocation gives DX_ERR_NOMEM and leaks nothing. */
static int t_alloc_failures(prop_ctx *p) {
    uint8_t a[3000], b[3000], patch[8192];
    dx_patch_config cfg;
    dx_patch_applier_config ac;
    dx_patch_applier ap;
    dx_patch_chain c;
    dx_patch_chain_config cc;
    counting al;
    long fail_at;
    int64_t n;
    size_t i;
    for (i = 0; i < sizeof a; i++) a[i] = (uint8_t)(i * 11), b[i] = (uint8_t)(i % 100 ? a[i] : 0);
    memset(&cfg, 0, sizeof cfg);
    cfg.block_size = 256;
    use_counting(&cfg.allocator, &al, 0);
    PROP_CHECK(p, dx_patch_diff(&cfg, a, sizeof a, b, sizeof b, patch, sizeof patch) == DX_ERR_NOMEM && al.live == 0);
    use_counting(&cfg.allocator, &al, -1);
    n = dx_patch_diff(&cfg, a, sizeof a, b, sizeof b, patch, sizeof patch);
    PROP_CHECK(p, n > 64 && al.live == 0 && al.calls >= 1);
    /* the applier */
    memset(&ac, 0, sizeof ac);
    ac.io.read = mio_read, ac.io.write = mio_write;
    use_counting(&ac.allocator, &al, 0);
    PROP_CHECK(p, dx_patch_applier_create(&ap, &ac) == DX_ERR_NOMEM && al.live == 0);
    use_counting(&ac.allocator, &al, -1);
    PROP_CHECK(p, dx_patch_applier_create(&ap, &ac) == DX_OK && al.live == 1);
    dx_patch_applier_destroy(&ap);
    PROP_CHECK(p, al.live == 0);
    ac.allocator.free = NULL; /* half an allocator */
    PROP_CHECK(p, dx_patch_applier_create(&ap, &ac) == DX_ERR_INVAL);
    /* a chain: every allocation of a few pushes fails once */
    for (fail_at = 0; fail_at < 40; fail_at++) {
        int pushed = 0, v;
        memset(&cc, 0, sizeof cc);
        cc.patch.block_size = 256;
        cc.max_versions = 2;
        use_counting(&cc.patch.allocator, &al, fail_at);
        PROP_CHECK(p, dx_patch_chain_create(&c, &cc) == DX_OK);
        for (v = 0; v < 6; v++) {
            bool refreshed;
            b[v * 300] ^= 0x77;
            n = dx_patch_chain_push(&c, b, (size_t)(1000 + 300 * v), patch, sizeof patch, &refreshed);
            PROP_CHECK_MSG(p, n > 0 || n == DX_ERR_NOMEM, "allocation %ld, push %d: %s", fail_at, v, rn(n));
            pushed += n > 0;
        }
        PROP_CHECK(p, c.stats.versions == (uint64_t)pushed);
        dx_patch_chain_destroy(&c);
        PROP_CHECK_MSG(p, al.live == 0, "allocation %ld: %ld blocks leaked", fail_at, al.live);
    }
    return 0;
}

/* A push that fails leaves the chain as it was: the next patch still
   applies to the receiver's baseline. */
static int t_chain_errors(prop_ctx *p) {
    static uint8_t v1[2000], v2[4000], v3[2000], out[16384], res[4000];
    dx_patch_chain c;
    dx_patch_chain_config cc;
    bool refreshed = true;
    int64_t n;
    size_t i;
    for (i = 0; i < sizeof v1; i++) v1[i] = (uint8_t)(i * 3 + 1), v3[i] = (uint8_t)(i % 50 ? v1[i] : 0xee);
    for (i = 0; i < sizeof v2; i++) v2[i] = (uint8_t)(i * 7919 >> 3);
    memset(&cc, 0, sizeof cc);
    cc.patch.block_size = 64;
    PROP_CHECK(p, dx_patch_chain_create(NULL, &cc) == DX_ERR_INVAL);
    PROP_CHECK(p, dx_patch_chain_create(&c, &cc) == DX_OK);
    PROP_CHECK(p, c.cfg.max_versions == 50 && c.cfg.max_delta_pct == 100);
    PROP_CHECK(p, dx_patch_chain_push(&c, NULL, 1, out, sizeof out, &refreshed) == DX_ERR_INVAL);
    PROP_CHECK(p, dx_patch_chain_push(&c, v1, sizeof v1, NULL, sizeof out, &refreshed) == DX_ERR_INVAL);
    n = dx_patch_chain_push(&c, v1, sizeof v1, out, sizeof out, &refreshed);
    PROP_CHECK(p, n > 0 && refreshed);
    /* v2 differs everywhere and is longer: the delta is too big, so is the refresh for 100 bytes */
    n = dx_patch_chain_push(&c, v2, sizeof v2, out, 100, &refreshed);
    PROP_CHECK_MSG(p, n == DX_ERR_NOSPACE, "%s", rn(n));
    PROP_CHECK(p, c.stats.versions == 1 && c.stats.refreshes == 1);
    /* v3 is a small delta from v1, the receiver's baseline */
    n = dx_patch_chain_push(&c, v3, sizeof v3, out, sizeof out, &refreshed);
    PROP_CHECK(p, n > 0 && !refreshed);
    n = dx_patch_apply(out, (size_t)n, v1, sizeof v1, res, sizeof res);
    PROP_CHECK_MSG(p, n == (int64_t)sizeof v3 && memcmp(res, v3, sizeof v3) == 0, "after a failed push: %s", rn(n));
    /* an empty version: deleting all of v1 costs more than v1, so it is a refresh */
    n = dx_patch_chain_push(&c, NULL, 0, out, sizeof out, NULL);
    PROP_CHECK(p, n > 0 && c.stats.refreshes == 2 && dx_patch_apply(out, (size_t)n, NULL, 0, res, sizeof res) == 0);
    dx_patch_chain_destroy(&c);
    dx_patch_chain_destroy(NULL);
    return 0;
}

/* dx_patch_xxh64: every length 0..300 of one buffer differs from its
   neighbours, the same input gives the same value, the seed matters. */
static int t_hash(prop_ctx *p) {
    static uint8_t d[301], z[301];
    uint64_t prev = 0, prev_z = 0, h;
    size_t n;
    for (n = 0; n < sizeof d; n++) d[n] = (uint8_t)(n * 131 + 17);
    for (n = 0; n <= 300; n++) {
        h = dx_patch_xxh64(d, n, 0);
        PROP_CHECK_MSG(p, h == dx_patch_xxh64(d, n, 0), "length %lu not stable", (unsigned long)n);
        if (n) PROP_CHECK_MSG(p, h != prev, "lengths %lu and %lu collide", (unsigned long)n - 1, (unsigned long)n);
        PROP_CHECK(p, h != dx_patch_xxh64(d, n, 1));
        prev = h;
        h = dx_patch_xxh64(z, n, 0); /* zeros: only the length tells them apart */
        if (n) PROP_CHECK_MSG(p, h != prev_z, "zeros %lu and %lu collide", (unsigned long)n - 1, (unsigned long)n);
        prev_z = h;
        if (n) {
            d[n - 1] ^= 1;
            PROP_CHECK(p, dx_patch_xxh64(d, n, 0) != prev);
            d[n - 1] ^= 1;
        }
    }
    return 0;
}

static int t_result_names(prop_ctx *p) {
    PROP_CHECK(p, strcmp(dx_patch_result_name(DX_PATCH_ERR_MAGIC), "DX_PATCH_ERR_MAGIC") == 0);
    PROP_CHECK(p, strcmp(dx_patch_result_name(DX_PATCH_ERR_WRONG_BASE), "DX_PATCH_ERR_WRONG_BASE") == 0);
    PROP_CHECK(p, strcmp(dx_patch_result_name(DX_PATCH_ERR_RESULT), "DX_PATCH_ERR_RESULT") == 0);
    PROP_CHECK(p, strcmp(dx_patch_result_name(DX_ERR_CORRUPT), "DX_ERR_CORRUPT") == 0);
    PROP_CHECK(p, strcmp(dx_patch_result_name(DX_OK), "DX_OK") == 0);
    return 0;
}

#if defined(DX_PATCH_WITH_ZSTD)
/* Compressible deltas shrink, incompressible frames stay as they are, and
   a damaged compressed frame is refused with the data untouched. */
/* A compressed frame is one zstd frame (WIRE FORMAT): a skippable frame
   before or after it, a second frame, and in STREAM a stream that ends
   before the last piece or goes on after its end, are corrupt (0.10 took
   them). The records: one XOR run of 100 bytes (106 raw bytes). */
static int t_zstd_one_frame(prop_ctx *p) {
    static const uint8_t skippable[8] = {0x50, 0x2A, 0x4D, 0x18, 0, 0, 0, 0};
    uint8_t base[300], target[300], rec[106], z[4][256], out[300];
    size_t zn[4], i, k;
    craft c;
    for (i = 0; i < 300; i++) base[i] = target[i] = (uint8_t)(i * 7 + 3);
    for (i = 10; i < 110; i++) target[i] ^= 0x11;
    rec[0] = DX_PATCH_REC_XOR, rec[1] = 0, rec[2] = base[10], rec[3] = 1, rec[4] = 10, rec[5] = 100;
    memset(rec + 6, 0x11, 100);
    zn[0] = ZSTD_compress(z[0], sizeof z[0], rec, sizeof rec, 3); /* the frame alone: applies */
    PROP_CHECK(p, !ZSTD_isError(zn[0]) && zn[0] + 8 < sizeof rec);
    memcpy(z[1], skippable, 8), memcpy(z[1] + 8, z[0], zn[0]), zn[1] = zn[0] + 8; /* skippable first */
    memcpy(z[2], z[0], zn[0]), memcpy(z[2] + zn[0], skippable, 8), zn[2] = zn[0] + 8; /* skippable after */
    zn[3] = ZSTD_compress(z[3], sizeof z[3], rec, 50, 3); /* two frames: 50 bytes, then the other 56 */
    zn[3] += ZSTD_compress(z[3] + zn[3], sizeof z[3] - zn[3], rec + 50, sizeof rec - 50, 3);
    PROP_CHECK(p, zn[3] < sizeof rec);
    for (k = 0; k < 4; k++) {
        int64_t r;
        craft_header(&c, DX_PATCH_FLAG_ZSTD | DX_PATCH_FLAG_WITNESS, 256, base, 300, target, 300, 320, 1);
        put32(c.b + c.len, (uint32_t)sizeof rec), put32(c.b + c.len + 4, (uint32_t)zn[k]);
        put32(c.b + c.len + 8, check32(rec, sizeof rec));
        memcpy(c.b + c.len + 12, z[k], zn[k]), c.len += 12 + zn[k];
        r = dx_patch_apply(c.b, c.len, base, 300, out, sizeof out);
        PROP_CHECK_MSG(p, k == 0 ? r == 300 && memcmp(out, target, 300) == 0 : r == DX_ERR_CORRUPT, "case %u: %s",
                       (unsigned)k, dx_patch_result_name((dx_result)(r < 0 ? r : 0)));
    }
    /* STREAM, blocks of 128 and two frames (block 0's record, block 1's): one stream flushed after the first
       piece applies; a zstd frame for each piece is corrupt (the stream ended before the last piece) */
    for (k = 0; k < 2; k++) {
        uint8_t rec2[106], s1[128], s2[128];
        size_t n1, n2;
        int64_t r;
        memcpy(rec2, rec, sizeof rec), rec2[2] = base[138];
        for (i = 138; i < 238; i++) target[i] = (uint8_t)(base[i] ^ 0x11);
        if (k == 0) {
            ZSTD_CCtx *cc = ZSTD_createCCtx();
            ZSTD_inBuffer zi = {rec, sizeof rec, 0};
            ZSTD_outBuffer zo = {s1, sizeof s1, 0};
            PROP_CHECK(p, cc && ZSTD_compressStream2(cc, &zo, &zi, ZSTD_e_flush) == 0);
            n1 = zo.pos;
            zi.src = rec2, zi.size = sizeof rec2, zi.pos = 0, zo.dst = s2, zo.size = sizeof s2, zo.pos = 0;
            PROP_CHECK(p, ZSTD_compressStream2(cc, &zo, &zi, ZSTD_e_end) == 0);
            n2 = zo.pos;
            ZSTD_freeCCtx(cc);
        } else {
            n1 = ZSTD_compress(s1, sizeof s1, rec, sizeof rec, 3), n2 = ZSTD_compress(s2, sizeof s2, rec2, sizeof rec2, 3);
        }
        craft_header(&c, DX_PATCH_FLAG_ZSTD | DX_PATCH_FLAG_WITNESS | DX_PATCH_FLAG_STREAM, 128, base, 300, target, 300,
                     192, 2);
        put32(c.b + c.len, (uint32_t)sizeof rec), put32(c.b + c.len + 4, (uint32_t)n1);
        put32(c.b + c.len + 8, check32(rec, sizeof rec)), memcpy(c.b + c.len + 12, s1, n1), c.len += 12 + n1;
        put32(c.b + c.len, (uint32_t)sizeof rec2), put32(c.b + c.len + 4, (uint32_t)n2);
        put32(c.b + c.len + 8, check32(rec2, sizeof rec2)), memcpy(c.b + c.len + 12, s2, n2), c.len += 12 + n2;
        r = dx_patch_apply(c.b, c.len, base, 300, out, sizeof out);
        PROP_CHECK_MSG(p, k == 0 ? r == 300 && memcmp(out, target, 300) == 0 : r == DX_ERR_CORRUPT, "STREAM case %u: %s",
                       (unsigned)k, dx_patch_result_name((dx_result)(r < 0 ? r : 0)));
    }
    return 0;
}

static int t_zstd(prop_ctx *p) {
    static uint8_t a[40000], b[40000];
    dx_patch_config cfg;
    dx_patch_info info;
    uint8_t *plain, *packed;
    int64_t n_plain, n_packed;
    size_t i, at, compressed = 0;
    uint32_t f;
    for (i = 0; i < sizeof a; i++) a[i] = (uint8_t)(i * 2654435761u >> 13), b[i] = a[i];
    for (i = 1000; i < 30000; i++) b[i] = (uint8_t)(a[i] ^ "the quick brown fox "[i % 20] ^ (i % 977 == 0)); /* XOR: text */
    memset(&cfg, 0, sizeof cfg);
    cfg.frame_size = 8192;
    plain = make_patch(&cfg, a, sizeof a, b, sizeof b, &n_plain);
    cfg.zstd_level = 3;
    packed = make_patch(&cfg, a, sizeof a, b, sizeof b, &n_packed);
    PROP_CHECK_MSG(p, n_plain > 0 && n_packed > 0 && n_packed < n_plain / 2, "%ld vs %ld bytes", (long)n_packed,
                   (long)n_plain);
    PROP_CHECK(p, dx_patch_read_info(packed, (size_t)n_packed, &info) == DX_OK && (info.flags & DX_PATCH_FLAG_ZSTD));
    for (f = 0, at = 64; f < info.frame_count; f++) { /* walk the frames */
        uint32_t raw = dx_load_u32le(packed + at), stored = dx_load_u32le(packed + at + 4);
        PROP_CHECK(p, stored <= raw && raw <= info.frame_max);
        compressed += stored < raw;
        at += 12 + stored;
    }
    PROP_CHECK(p, at == (size_t)n_packed && compressed > 0);
    if (expect_result(p, "zstd", packed, (size_t)n_packed, a, sizeof a, b, sizeof b, DX_OK)) return 1;
    if (expect_result(p, "zstd backwards", packed, (size_t)n_packed, b, sizeof b, a, sizeof a, DX_OK)) return 1;
    for (i = 64 + 12; i < (size_t)n_packed; i += 97) { /* damage inside the compressed frames */
        uint8_t was = packed[i];
        int64_t r;
        static uint8_t buf[40000];
        packed[i] ^= 0x24;
        memcpy(buf, a, sizeof a);
        r = dx_patch_apply_in_place(packed, (size_t)n_packed, buf, sizeof a, sizeof buf, false);
        PROP_CHECK_MSG(p, (r < 0 && memcmp(buf, a, sizeof a) == 0) || (r == (int64_t)sizeof b && memcmp(buf, b, sizeof b) == 0),
                       "byte %lu: %s", (unsigned long)i, rn(r));
        packed[i] = was;
    }
    free(plain), free(packed);
    /* random against random: frames full of incompressible XOR data, small frames */
    for (i = 0; i < sizeof a; i++) b[i] = (uint8_t)(i * 40503u >> 7 ^ i * 7);
    cfg.block_size = 1024, cfg.frame_size = 1, cfg.zstd_level = 1;
    packed = make_patch(&cfg, a, 9000, b, 10000, &n_packed);
    PROP_CHECK_MSG(p, n_packed > 0, "%s", rn(n_packed));
    if (expect_result(p, "zstd, incompressible", packed, (size_t)n_packed, a, 9000, b, 10000, DX_OK)) return 1;
    free(packed);
    return 0;
}
#endif

/* ---- hex vectors: the same bytes on every host ---- */

typedef struct vec {
    uint8_t base[4096], target[4096], patch[4096];
    size_t base_len, target_len, patch_len;
    int has_target, has_config;
    dx_patch_config cfg;
    char expect[48];
} vec;

/* Sections "# base:", "# target:", "# patch:" hold hex bytes; "# expect:
   NAME" (default DX_OK) and "# config: block=B frame=F one_way=0|1
   no_witness=0|1 [shift=1 [window=N] [x86=N]]" (diff base to target with it and get exactly the patch);
   any other "#" line is a comment. 0 on success, -1 if missing, -2 if bad. */
static int read_vec(const char *path, vec *v) {
    FILE *f = fopen(path, "r");
    char line[256];
    uint8_t *dst = NULL;
    size_t *len = NULL, cap = 0;
    int rc;
    if (!f) return -1;
    memset(v, 0, sizeof *v);
    strcpy(v->expect, "DX_OK");
    while (fgets(line, sizeof line, f)) {
        const char *s = line;
        int hi = -1;
        if (line[0] == '#') {
            s = line + 1;
            while (*s == ' ') s++;
            if (strncmp(s, "base:", 5) == 0) dst = v->base, len = &v->base_len, cap = sizeof v->base;
            else if (strncmp(s, "target:", 7) == 0) dst = v->target, len = &v->target_len, cap = sizeof v->target, v->has_target = 1;
            else if (strncmp(s, "patch:", 6) == 0) dst = v->patch, len = &v->patch_len, cap = sizeof v->patch;
            else if (strncmp(s, "expect:", 7) == 0 && sscanf(s + 7, "%47s", v->expect) != 1) break;
            else if (strncmp(s, "config:", 7) == 0) {
                unsigned bs, fs;
                int one_way, no_witness;
                if (sscanf(s + 7, " block=%u frame=%u one_way=%d no_witness=%d", &bs, &fs, &one_way, &no_witness) != 4)
                    break;
                v->cfg.block_size = bs, v->cfg.frame_size = fs;
                v->cfg.one_way = one_way != 0, v->cfg.no_witness = no_witness != 0;
                v->cfg.shift = strstr(s, " shift=1") != NULL;
                if (strstr(s, " window=")) v->cfg.window = (uint32_t)strtoul(strstr(s, " window=") + 8, NULL, 10);
                if (strstr(s, " x86=")) v->cfg.x86 = (int)strtol(strstr(s, " x86=") + 5, NULL, 10);
                v->has_config = 1;
            }
            continue;
        }
        for (; *s; s++) {
            int d = *s >= '0' && *s <= '9' ? *s - '0' : *s >= 'a' && *s <= 'f' ? *s - 'a' + 10 : -1;
            if (d < 0) continue;
            if (!dst || *len >= cap) {
                fclose(f);
                return -2;
            }
            if (hi < 0) hi = d;
            else dst[(*len)++] = (uint8_t)(hi << 4 | d), hi = -1;
        }
    }
    rc = feof(f) ? 0 : -2;
    fclose(f);
    return rc;
}

static const char *const vector_files[] = {
    "basic", "reversed", "grow", "shrink_one_way", "no_witness_frames", "bad_magic", "bad_major", "bad_flag",
    "bad_header_check", "bad_frame_check", "bad_frame_len", "bad_stored", "bad_trailing", "bad_gap", "bad_run",
    "bad_zero_run", "bad_noop_xor", "bad_result", "wrong_base", "truncated", "shift_carry", "shift_window",
    "old_format", "bad_empty_frame", "bad_frame_max_low", "bad_frame_max_high", "frame_max_limit", "wrong_witness",
    "bad_raw_past_end", "copy_no_carry", "carry_xor", "shift_carry_v04", "shift_window_v04", "shift_literal",
    "literal", "bad_literal_flag", "bad_literal_far", "stream", "bad_stream_window", "bad_stream_short",
    "prefix", "bad_prefix_range", "dict", "bad_dict_margin", "dict_window", "shift_x86", "bad_x86_marks",
    "newbytes", "bad_newbytes_count", "bad_newbytes_over",
};

static int t_vectors(prop_ctx *p) {
    size_t i;
    for (i = 0; i < sizeof vector_files / sizeof vector_files[0]; i++) {
        static vec v;
        char path[96];
        dx_result want = DX_OK;
        int rc, k;
        snprintf(path, sizeof path, "tests/vectors/patch/%s.hex", vector_files[i]);
        rc = read_vec(path, &v);
        if (rc == -1) PROP_SKIP(p, "%s not found: run from the repository root", path);
        PROP_CHECK_MSG(p, rc == 0, "%s: cannot parse", path);
        for (k = -303; k <= 0; k++) /* the code of that name */
            if (strcmp(dx_patch_result_name(k), v.expect) == 0) want = k;
        PROP_CHECK_MSG(p, strcmp(dx_patch_result_name(want), v.expect) == 0, "%s: unknown result %s", path, v.expect);
#if !defined(DX_PATCH_WITH_ZSTD)
        if (v.patch_len >= 64 &&
            (dx_load_u32le(v.patch + DX_PATCH_HEADER_OFF_FLAGS) & (DX_PATCH_FLAG_STREAM | DX_PATCH_FLAG_PREFIX)) &&
            (want == DX_OK || want == DX_ERR_LIMIT || want == DX_ERR_CORRUPT))
            want = DX_ERR_UNSUPPORTED, v.has_target = 0; /* no zstd here: its frames cannot be read */
#endif
        if (v.has_config) {
            uint8_t out[2048];
            int64_t n = dx_patch_diff(&v.cfg, v.base, v.base_len, v.target, v.target_len, out, sizeof out);
            PROP_CHECK_MSG(p, n == (int64_t)v.patch_len && memcmp(out, v.patch, v.patch_len) == 0,
                           "%s: diff gives other bytes (%ld vs %lu)", path, (long)n, (unsigned long)v.patch_len);
        }
        if (expect_result(p, path, v.patch, v.patch_len, v.base, v.base_len, v.has_target ? v.target : NULL,
                          v.target_len, want))
            return 1;
    }
    return 0;
}

/* XXH64 known answers (tests/vectors/patch/xxh64.txt, made with xxhsum
   and libxxhash by xxh64.sh): lines "LEN SEED HASH" in hex, the input the
   first LEN bytes of d[i] = i*i + 7i + 1; every line must agree. */
static int t_xxh64_vectors(prop_ctx *p) {
    static uint8_t d[4096];
    FILE *f = fopen("tests/vectors/patch/xxh64.txt", "r");
    char line[160];
    int lines = 0;
    size_t i;
    if (!f) PROP_SKIP(p, "tests/vectors/patch/xxh64.txt not found: run from the repository root");
    for (i = 0; i < sizeof d; i++) d[i] = (uint8_t)(i * i + 7 * i + 1);
    while (fgets(line, sizeof line, f)) {
        unsigned long n;
        unsigned long long seed, want;
        if (line[0] == '#') continue;
        if (sscanf(line, "%lu %llx %llx", &n, &seed, &want) != 3 || n > sizeof d) {
            fclose(f);
            PROP_CHECK_MSG(p, 0, "xxh64.txt: bad line: %s", line);
        }
        lines++;
        if (dx_patch_xxh64(d, n, seed) != want) fclose(f);
        PROP_CHECK_MSG(p, dx_patch_xxh64(d, n, seed) == want, "length %lu seed %llx: %016llx, want %016llx", n, seed,
                       (unsigned long long)dx_patch_xxh64(d, n, seed), want);
    }
    fclose(f);
    PROP_CHECK_MSG(p, lines >= 100, "xxh64.txt: only %d vectors", lines);
    /* the empty input from a NULL pointer, and the answer every XXH64 gives for it */
    PROP_CHECK(p, dx_patch_xxh64(NULL, 0, 0) == 0xef46db3751d8e999ull);
    return 0;
}

/* dx_patch_diff_auto: the patch is no larger than XOR blocks at the fast
   level it tries first, applies every way it can (in place with a window),
   and names a mode; random against random with zstd is NEW in RAW records. */
static int p_auto(prop_ctx *p) {
    dx_patch_config cfg, x;
    dx_patch_info info;
    size_t alen = prop_len(p, 6000), blen, cap;
    uint8_t *a = xmalloc(alen), *b, *patch, *xp;
    int64_t n, nx;
    unsigned mode = 0, kind = (unsigned)prop_range(p, 0, 2);
    int fail = 1;
    gen_config(p, &cfg, 6);
    cfg.frame_size = 0, cfg.one_way = false, cfg.shift = prop_bool(p) != 0; /* shift and one_way: ignored */
    cfg.level = (int)prop_range(p, 0, 9);
    if (cfg.zstd_level < 0 || cfg.zstd_level > 3) cfg.zstd_level = 3; /* 0: 19, slower */
    cfg.window = prop_range(p, 0, 2) == 0 ? 4096 : 0;
    cfg.dict = prop_bool(p) != 0; /* DICT for text: the other tries go without it */
    if (kind == 2) {
        prop_bytes_random(p, a, alen);
        blen = prop_len(p, 6000);
        b = xmalloc(blen);
        prop_bytes_random(p, b, blen);
    } else {
        prop_bytes(p, a, alen);
        b = gen_target(p, a, alen, 6000, &blen);
    }
    note_config(p, &cfg, alen, blen);
    prop_note(p, "level %d window %u kind %u dict %d", cfg.level, (unsigned)cfg.window, kind, (int)cfg.dict);
    cap = dx_patch_bound(alen, blen, &cfg);
    patch = xmalloc(cap);
    n = dx_patch_diff_auto(&cfg, a, alen, b, blen, patch, cap, &mode);
    if (!PROP_EXPECT_MSG(p, n > 0 && mode >= DX_PATCH_MODE_XOR && mode <= DX_PATCH_MODE_RAW, "auto: %s, mode %u", rn(n),
                         mode))
        goto done;
    x = cfg, x.shift = false, x.one_way = false, x.window = 0, x.dict = false;
#if defined(DX_PATCH_WITH_ZSTD)
    x.zstd_level = 1;
#endif
    xp = make_patch(&x, a, alen, b, blen, &nx);
    free(xp);
    if (!PROP_EXPECT_MSG(p, nx > 0 && n <= nx, "auto %ld bytes, XOR blocks %ld", (long)n, (long)nx)) goto done;
    if (!PROP_EXPECT(p, dx_patch_read_info(patch, (size_t)n, &info) == DX_OK)) goto done;
    if (!PROP_EXPECT_MSG(p, (mode == DX_PATCH_MODE_SHIFT) == ((info.flags & DX_PATCH_FLAG_COPY) != 0), "mode %u, flags %x",
                         mode, (unsigned)info.flags))
        goto done;
    if (cfg.window && !PROP_EXPECT_MSG(p, !(info.flags & DX_PATCH_FLAG_COPY) || info.window == cfg.window,
                                       "window %u: the patch's %u", (unsigned)cfg.window, (unsigned)info.window))
        goto done;
    if (expect_result(p, "auto", patch, (size_t)n, a, alen, b, blen, DX_OK)) goto done;
    fail = 0;
done:
    free(a), free(b), free(patch);
    return fail;
}

/* dx_patch_diff_auto: an insertion is the shift mode's; edits in place are
   no larger than XOR blocks; unrelated data with zstd is RAW records; bad
   arguments. */
static int t_auto(prop_ctx *p) {
    static uint8_t a[30000], b[30000], patch[40000];
    dx_patch_config cfg;
    size_t i;
    unsigned mode = 0;
    int64_t n, nx;
    uint32_t x = 88172645u;
    for (i = 0; i < sizeof a; i++) x ^= x << 13, x ^= x >> 17, x ^= x << 5, a[i] = (uint8_t)(x >> 24);
    memset(&cfg, 0, sizeof cfg);
    memcpy(b, "an insertion at the start", 25); /* everything moves by 25 bytes */
    memcpy(b + 25, a, sizeof a - 25);
    n = dx_patch_diff_auto(&cfg, a, sizeof a, b, sizeof b, patch, sizeof patch, &mode);
    PROP_CHECK_MSG(p, n > 0 && n < 400 && mode == DX_PATCH_MODE_SHIFT, "insertion: %s, mode %u", rn(n), mode);
    if (expect_result(p, "auto insertion", patch, (size_t)n, a, sizeof a, b, sizeof b, DX_OK)) return 1;
    cfg.window = 1024; /* in place: the shift mode with a window */
    n = dx_patch_diff_auto(&cfg, a, sizeof a, b, sizeof b, patch, sizeof patch, &mode);
    PROP_CHECK_MSG(p, n > 0 && n < 400 && mode == DX_PATCH_MODE_SHIFT, "insertion, window: %s, mode %u", rn(n), mode);
    if (expect_result(p, "auto insertion, window", patch, (size_t)n, a, sizeof a, b, sizeof b, DX_OK)) return 1;
    cfg.window = 0;
    memcpy(b, a, sizeof a);
    b[100] ^= 1, b[20000] ^= 0x40;
    n = dx_patch_diff_auto(&cfg, a, sizeof a, b, sizeof b, patch, sizeof patch, &mode);
    nx = dx_patch_diff(&cfg, a, sizeof a, b, sizeof b, patch + 20000, sizeof patch - 20000); /* XOR, uncompressed */
    PROP_CHECK_MSG(p, n > 0 && nx > 0 && n <= nx, "edits: %s (mode %u), XOR blocks %s", rn(n), mode, rn(nx));
    n = dx_patch_diff_auto(&cfg, a, sizeof a, b, sizeof b, patch, sizeof patch, &mode);
    if (expect_result(p, "auto edits", patch, (size_t)n, a, sizeof a, b, sizeof b, DX_OK)) return 1;
#if defined(DX_PATCH_WITH_ZSTD)
    for (i = 0; i < sizeof b; i++) x ^= x << 13, x ^= x >> 17, x ^= x << 5, b[i] = (uint8_t)(x >> 24); /* unrelated */
    n = dx_patch_diff_auto(&cfg, a, sizeof a, b, sizeof b, patch, sizeof patch, &mode);
    PROP_CHECK_MSG(p, n > 0 && n < (int64_t)sizeof b + 200 && mode == DX_PATCH_MODE_RAW, "unrelated: %s, mode %u", rn(n),
                   mode);
    if (expect_result(p, "auto unrelated", patch, (size_t)n, a, sizeof a, b, sizeof b, DX_OK)) return 1;
#else
    cfg.zstd_level = 3;
    PROP_CHECK(p, dx_patch_diff_auto(&cfg, a, sizeof a, b, sizeof b, patch, sizeof patch, &mode) == DX_ERR_UNSUPPORTED);
    cfg.zstd_level = 0;
#endif
    {   /* a program rebuilt with small changes: the same length, XOR blocks small (a few KiB), but runs of code
           moved by a few bytes inside their blocks, which only the suffix array finds. The default level and an
           asked level 9 take it (before 0.13.1 small XOR blocks made both the hash matcher's, level 1: 764 bytes
           against 269 for data like this; hbtp_server built at two commits: 788 against 478) */
        static uint8_t words[400][8], wl[400], pa[262144], pb[262144], pp[300000];
        size_t k, j, at = 0;
        int64_t n6, n1, nd, n9;
        for (k = 0; k < 400; k++) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5, wl[k] = (uint8_t)(4 + x % 5);
            for (j = 0; j < wl[k]; j++) x ^= x << 13, x ^= x >> 17, x ^= x << 5, words[k][j] = (uint8_t)(x >> 24);
        }
        while (at < sizeof pa) { /* words that repeat with variations, as code does */
            x ^= x << 13, x ^= x >> 17, x ^= x << 5, k = x % 400;
            for (j = 0; j < wl[k] && at < sizeof pa; j++) pa[at++] = words[k][j];
        }
        memcpy(pb, pa, sizeof pa);
        for (k = 0; k < 10; k++) { /* a run of 200-899 bytes moved 2-12 bytes on, in 10 blocks */
            size_t blk, start, len, by;
            x ^= x << 13, x ^= x >> 17, x ^= x << 5, blk = (x % 64) * 4096;
            x ^= x << 13, x ^= x >> 17, x ^= x << 5, start = blk + 100 + x % 2900;
            x ^= x << 13, x ^= x >> 17, x ^= x << 5, len = 200 + x % 700;
            x ^= x << 13, x ^= x >> 17, x ^= x << 5, by = 2 + x % 11;
            memmove(pb + start + by, pa + start, len);
            for (j = 0; j < by; j++) pb[start + j] = (uint8_t)(0x90 + j);
        }
        memset(&cfg, 0, sizeof cfg);
        cfg.shift = true, cfg.level = 6;
        n6 = dx_patch_diff(&cfg, pa, sizeof pa, pb, sizeof pb, pp, sizeof pp);
        cfg.level = 1;
        n1 = dx_patch_diff(&cfg, pa, sizeof pa, pb, sizeof pb, pp, sizeof pp);
        PROP_CHECK_MSG(p, n6 > 0 && n1 > n6, "moved code: the shift mode %lld bytes at level 6, %lld at 1", (long long)n6, (long long)n1);
        cfg.shift = false, cfg.level = 0;
        nd = dx_patch_diff_auto(&cfg, pa, sizeof pa, pb, sizeof pb, pp, sizeof pp, &mode);
        PROP_CHECK_MSG(p, nd > 0 && nd <= n6 + n6 / 4, "moved code, default: %lld bytes (mode %u), the shift mode's %lld",
                       (long long)nd, mode, (long long)n6);
        if (expect_result(p, "auto moved code", pp, (size_t)nd, pa, sizeof pa, pb, sizeof pb, DX_OK)) return 1;
        cfg.level = 9;
        n9 = dx_patch_diff_auto(&cfg, pa, sizeof pa, pb, sizeof pb, pp, sizeof pp, &mode);
        PROP_CHECK_MSG(p, n9 > 0 && n9 <= n6 + n6 / 4, "moved code, level 9: %lld bytes (mode %u), the shift mode's %lld",
                       (long long)n9, mode, (long long)n6);
        memset(&cfg, 0, sizeof cfg);
#if defined(DX_PATCH_WITH_ZSTD)
        {   /* nothing in common, but NEW compresses (a program against an unrelated one): within its header and
               frames' of zstd of NEW alone (before 0.13.1 the shift mode's records and runs: 0.2% over it) */
            static uint8_t zz[300000];
            size_t zn = ZSTD_compress(zz, sizeof zz, pa, sizeof pa, 19);
            nd = dx_patch_diff_auto(&cfg, a, 4096, pa, sizeof pa, pp, sizeof pp, &mode);
            PROP_CHECK_MSG(p, !ZSTD_isError(zn) && nd > 0 && (size_t)nd <= zn + DX_PATCH_HEADER_SIZE + 12 + 64,
                           "unrelated, NEW compresses: %lld bytes (mode %u), zstd 19 of NEW %lu", (long long)nd, mode,
                           (unsigned long)zn);
            if (expect_result(p, "auto unrelated, NEW compresses", pp, (size_t)nd, a, 4096, pa, sizeof pa, DX_OK)) return 1;
        }
#endif
    }
    PROP_CHECK(p, dx_patch_diff_auto(NULL, a, sizeof a, b, sizeof b, patch, sizeof patch, &mode) == DX_ERR_INVAL);
    PROP_CHECK(p, dx_patch_diff_auto(&cfg, NULL, 1, b, sizeof b, patch, sizeof patch, NULL) == DX_ERR_INVAL);
    PROP_CHECK(p, dx_patch_diff_auto(&cfg, a, sizeof a, b, sizeof b, NULL, sizeof patch, NULL) == DX_ERR_INVAL);
    PROP_CHECK(p, dx_patch_diff_auto(&cfg, a, sizeof a, b, sizeof b, patch, 10, NULL) == DX_ERR_NOSPACE);
    cfg.window = 3000; /* not a power of two */
    PROP_CHECK(p, dx_patch_diff_auto(&cfg, a, sizeof a, b, sizeof b, patch, sizeof patch, NULL) == DX_ERR_INVAL);
    cfg.window = 0, cfg.level = 10;
    PROP_CHECK(p, dx_patch_diff_auto(&cfg, a, sizeof a, b, sizeof b, patch, sizeof patch, NULL) == DX_ERR_INVAL);
    return 0;
}

#if defined(DX_PATCH_WITH_ZSTD)
/* The zstd window of a STREAM patch (RFC 8878) from the first frame's stored bytes: the Window_Descriptor,
   or in a single-segment frame (no descriptor) its content size; 0 if they do not start a zstd frame. */
static uint64_t stream_window(const uint8_t *patch, size_t len) {
    static const unsigned dict_size[4] = {0, 1, 2, 4}, fcs_size[4] = {1, 2, 4, 8};
    const uint8_t *z = patch + DX_PATCH_HEADER_SIZE + 12;
    uint64_t base = 0;
    unsigned i, n;
    if (len < DX_PATCH_HEADER_SIZE + 12 + 6 || memcmp(z, "\x28\xb5\x2f\xfd", 4) != 0) return 0;
    if (!(z[4] & 0x20)) {
        base = (uint64_t)1 << (10 + (z[5] >> 3));
        return base + base / 8 * (z[5] & 7u);
    }
    n = fcs_size[z[4] >> 6];
    if (len < DX_PATCH_HEADER_SIZE + 12 + 5 + dict_size[z[4] & 3] + n) return 0;
    for (i = n; i-- > 0;) base = base << 8 | z[5 + dict_size[z[4] & 3] + i];
    return n == 2 ? base + 256 : base;
}

/* The writer's window is the patch's bound raised to a power of two, from 1 KiB to
   2^DX_PATCH_STREAM_WRITE_LOG (8 MiB; never above what an applier accepts), or less where the stream's raw
   bytes are few enough (2 MiB) that the writer tells zstd their size first; an applier accepts up to
   2^DX_PATCH_STREAM_WINDOW_LOG (16 MiB: what 0.5 and 0.6.0 wrote) and refuses more. Small frames and a
   change every 5 bytes, so that every patch has several frames: zstd gives a one-frame stream no
   window descriptor (its content size is the window then). */
static int t_stream_window(prop_ctx *p) {
    static vec v;
    const int most = DX_PATCH_STREAM_WRITE_LOG < DX_PATCH_STREAM_WINDOW_LOG ? DX_PATCH_STREAM_WRITE_LOG
                                                                           : DX_PATCH_STREAM_WINDOW_LOG;
    const size_t sizes[] = {3000, 40000, (size_t)3 << 20, (size_t)12 << 20}; /* raw streams under 2 MiB but the last: a bound above 8 MiB */
    dx_patch_config cfg;
    size_t k, i;
    memset(&cfg, 0, sizeof cfg);
    cfg.zstd_level = 1, cfg.block_size = 1024, cfg.frame_size = 1024 + 128;
    for (k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t n = sizes[k];
        uint8_t *a = xmalloc(n), *b = xmalloc(n), *patch, *out = xmalloc(n);
        uint64_t bound = dx_patch_bound(n, n, &cfg), want = 1024;
        int64_t len, r;
        dx_patch_info info;
        while (want < bound && want < (uint64_t)1 << most) want <<= 1;
        for (i = 0; i < n; i++) a[i] = (uint8_t)(i * 2654435761u >> 13);
        memcpy(b, a, n);
        for (i = 0; i < n; i += 5) b[i] ^= 0x5a;
        patch = make_patch(&cfg, a, n, b, n, &len);
        PROP_CHECK_MSG(p, len > 0, "%lu bytes: %s", (unsigned long)n, rn(len));
        PROP_CHECK(p, dx_patch_read_info(patch, (size_t)len, &info) == DX_OK && (info.flags & DX_PATCH_FLAG_STREAM));
        PROP_CHECK_MSG(p, n < ((size_t)8 << 20) ? stream_window(patch, (size_t)len) <= want && stream_window(patch, (size_t)len) > 0
                                                 : stream_window(patch, (size_t)len) == want,
                       "%lu bytes: window %lu, want %lu", (unsigned long)n, (unsigned long)stream_window(patch, (size_t)len),
                       (unsigned long)want);
        r = dx_patch_apply(patch, (size_t)len, a, n, out, n);
        PROP_CHECK_MSG(p, r == (int64_t)n && memcmp(out, b, n) == 0, "%lu bytes: apply: %s", (unsigned long)n, rn(r));
        free(a), free(b), free(out), free(patch);
    }
    /* the hand-made stream vector with larger windows: up to the applier's limit, then one above */
    if (read_vec("tests/vectors/patch/stream.hex", &v) != 0) PROP_SKIP(p, "tests/vectors/patch/stream.hex not found");
    PROP_CHECK(p, stream_window(v.patch, v.patch_len) == 1024 && v.has_target);
    v.patch[DX_PATCH_HEADER_SIZE + 12 + 5] = (uint8_t)((DX_PATCH_STREAM_WINDOW_LOG - 10) << 3);
    PROP_CHECK(p, stream_window(v.patch, v.patch_len) == (uint64_t)1 << DX_PATCH_STREAM_WINDOW_LOG);
    if (expect_result(p, "stream, the largest window", v.patch, v.patch_len, v.base, v.base_len, v.target,
                      v.target_len, DX_OK))
        return 1;
    v.patch[DX_PATCH_HEADER_SIZE + 12 + 5] = (uint8_t)((DX_PATCH_STREAM_WINDOW_LOG + 1 - 10) << 3);
    if (expect_result(p, "stream, a window too large", v.patch, v.patch_len, v.base, v.base_len, NULL, 0,
                      DX_ERR_LIMIT))
        return 1;
    return 0;
}
#endif

#if defined(DX_PATCH_WITH_ZSTD)
/* A STREAM patch's first frames are held back raw (up to 2 MiB) so that a short stream tells zstd its
   size. A buffer too small to hold them raw begins the stream early: the patch still fits in what the
   compressed frames and one raw frame need, as before; data that does not compress (a piece a little
   larger than its raw bytes) moves what follows it up. Every such patch applies. */
static int t_stream_held(prop_ctx *p) {
    const size_t n = (size_t)1536 << 10;
    uint8_t *a = xmalloc(n), *b = xmalloc(n), *patch, *tight;
    dx_patch_config cfg;
    dx_patch_info info;
    int64_t len, r;
    size_t i, cap;
    uint64_t x = 88172645463325252ull;
    int fail = 1;
    memset(&cfg, 0, sizeof cfg);
    cfg.zstd_level = 3;
    for (i = 0; i < n; i++) x ^= x << 13, x ^= x >> 7, x ^= x << 17, a[i] = (uint8_t)(x >> 32);
    for (i = 0; i < n; i++) b[i] = (uint8_t)(a[i] ^ (i % 3 == 0 ? 0x20 : 0)); /* 1.5 MiB of runs that compress */
    patch = make_patch(&cfg, a, n, b, n, &len);
    if (!PROP_EXPECT_MSG(p, len > 0 && dx_patch_read_info(patch, (size_t)len, &info) == DX_OK &&
                                (info.flags & DX_PATCH_FLAG_STREAM) && info.frame_count > 2,
                         "the whole patch: %s", rn(len)))
        goto done;
    cap = (size_t)len + DX_PATCH_DEFAULT_ZSTD_FRAME + 4096; /* room for the compressed frames and one raw frame */
    tight = xmalloc(cap);
    r = dx_patch_diff(&cfg, a, n, b, n, tight, cap);
    PROP_EXPECT_MSG(p, r > 0, "into %lu bytes (the raw frames take about %lu): %s", (unsigned long)cap,
                    (unsigned long)n, rn(r));
    if (r > 0 && expect_result(p, "stream begun early", tight, (size_t)r, a, n, b, n, DX_OK)) p->failed = 1;
    free(tight);
    free(patch);
    if (p->failed) goto done;
    for (i = 0; i < n; i++) x ^= x << 13, x ^= x >> 7, x ^= x << 17, b[i] = (uint8_t)(x >> 32); /* unrelated: no compression */
    cfg.one_way = true;
    patch = make_patch(&cfg, a, n, b, n, &len);
    PROP_EXPECT_MSG(p, len > (int64_t)n, "random: %s", rn(len));
    if (len > 0 && expect_result(p, "stream of data that does not compress", patch, (size_t)len, a, n, b, n, DX_OK))
        p->failed = 1;
    free(patch);
    fail = p->failed;
done:
    free(a), free(b);
    return fail;
}

/* A short patch whose stream would not be smaller than its raw frames keeps
   them raw (no STREAM: it applies without a zstd context); where the stream
   pays, it stays. */
static int t_stream_raw(prop_ctx *p) {
    const size_t n = 20480;
    uint8_t *a = xmalloc(n), *b = xmalloc(n), *patch = NULL;
    dx_patch_config cfg;
    dx_patch_info info;
    int64_t len;
    size_t i, at, frames = 0, packed = 0;
    uint64_t x = 88172645463325252ull;
    int fail = 1;
    memset(&cfg, 0, sizeof cfg);
    cfg.zstd_level = 3;
    for (i = 0; i < n; i++) x ^= x << 13, x ^= x >> 7, x ^= x << 17, a[i] = (uint8_t)(x >> 32);
    memcpy(b, a, n);
    for (i = 0; i < 5; i++) b[1000 + i * 4001] ^= (uint8_t)(0x5a + i); /* five bytes: a few records */
    patch = make_patch(&cfg, a, n, b, n, &len);
    if (!PROP_EXPECT_MSG(p, len > 0 && dx_patch_read_info(patch, (size_t)len, &info) == DX_OK, "five bytes: %s", rn(len)))
        goto done;
    for (at = DX_PATCH_HEADER_SIZE; at + DX_PATCH_FRAME_HEADER_SIZE <= (size_t)len; frames++) {
        uint32_t raw = dx_load_u32le(patch + at + DX_PATCH_FRAME_HEADER_OFF_RAW_LEN);
        uint32_t stored = dx_load_u32le(patch + at + DX_PATCH_FRAME_HEADER_OFF_STORED_LEN);
        packed += stored < raw;
        at += DX_PATCH_FRAME_HEADER_SIZE + stored;
    }
    PROP_EXPECT_MSG(p, !(info.flags & DX_PATCH_FLAG_STREAM) && frames == 1 && packed == 0 && len < 128,
                    "five bytes: flags 0x%x, %lu frames, %lu compressed, %ld bytes", (unsigned)info.flags,
                    (unsigned long)frames, (unsigned long)packed, (long)len);
    if (expect_result(p, "five bytes, raw frames", patch, (size_t)len, a, n, b, n, DX_OK)) p->failed = 1;
    free(patch);
    patch = NULL;
    if (p->failed) goto done;
    for (i = 0; i < 4096; i++) b[i] = (uint8_t)(a[i] ^ 0x20); /* a short patch that compresses (4 KiB raw) */
    patch = make_patch(&cfg, a, n, b, n, &len);
    PROP_EXPECT_MSG(p, len > 0 && dx_patch_read_info(patch, (size_t)len, &info) == DX_OK &&
                           (info.flags & DX_PATCH_FLAG_STREAM) && len < 1024,
                    "changes that compress: %s", rn(len));
    if (len > 0 && expect_result(p, "changes that compress, a stream", patch, (size_t)len, a, n, b, n, DX_OK))
        p->failed = 1;
    fail = p->failed;
done:
    free(patch), free(a), free(b);
    return fail;
}
#endif

/* Exact matches of DXI_PT_ANCHOR_MIN bytes or more (anchors) are found
   before the suffix array, which then sorts the base without their bytes
   (but the grains at their edges). A search that runs from kept bytes into
   left-out ones is measured again in the base, at the base offset: a
   900-byte copy that starts 40 bytes before left-out bytes is found whole.
   Every match reported is true in the base, and the patch stays small. */
static int t_anchors(prop_ctx *p) {
    const size_t n = 256 * 1024, fresh = 3000, moved = 900, from = 100032 - 40;
    size_t blen = n + fresh + moved, pos, q, len, found = 0, zn = 1 << 20;
    uint8_t *a = xmalloc(n), *b = xmalloc(blen), *patch = NULL, *z = NULL, *za = NULL;
    uint64_t x = 0x9e3779b97f4a7c15ull;
    dx_patch_config cfg;
    dx_allocator al;
    dxi_pt_matcher m;
    int64_t plen;
    size_t i;
    int fail = 1;
    memset(&al, 0, sizeof al);
    memset(&cfg, 0, sizeof cfg);
    for (i = 0; i < n; i++) x ^= x << 13, x ^= x >> 7, x ^= x << 17, a[i] = (uint8_t)(x >> 24);
    memcpy(b, a, 100000); /* a[0, 100000), new bytes, a[100000, n), a copy of a[from, from + moved) */
    for (i = 0; i < fresh; i++) x ^= x << 13, x ^= x >> 7, x ^= x << 17, b[100000 + i] = (uint8_t)(x >> 24);
    memcpy(b + 100000 + fresh, a + 100000, n - 100000);
    memcpy(b + n + fresh, a + from, moved);
    if (!PROP_EXPECT_MSG(p, dxi_pt_matcher_open(&m, 6, false, INT64_MIN, a, n, b, blen, &al) == DX_OK, "matcher: no memory"))
        goto done;
    /* the anchors' grains are left out: only the one across 100000 stays (99968..100032) */
    PROP_EXPECT_MSG(p, m.anchor_count == 2 && m.packed && m.text_len == 64 && m.seg_count == 1 && m.seg_base[0] == 99968,
                    "%lu anchors, %lu bytes to sort, %lu segments", (unsigned long)m.anchor_count,
                    (unsigned long)m.text_len, (unsigned long)m.seg_count);
    for (pos = 0; pos + 8 <= blen && !p->failed; pos += 61) {
        len = dxi_pt_longest(&m, pos, &q);
        if (len == 0) continue;
        PROP_EXPECT_MSG(p, q + len <= n && pos + len <= blen && memcmp(a + q, b + pos, len) == 0 &&
                               (pos + len == blen || q + len == n || a[q + len] != b[pos + len]),
                        "at %lu: %lu bytes from %lu are not the longest match there", (unsigned long)pos,
                        (unsigned long)len, (unsigned long)q);
    }
    m.anchor_next = 0; /* the scan's position only grows; this test starts again */
    len = dxi_pt_longest(&m, n + fresh, &q);
    PROP_EXPECT_MSG(p, len == moved && q == from, "the copy: %lu bytes from %lu, want %lu from %lu", (unsigned long)len,
                    (unsigned long)q, (unsigned long)moved, (unsigned long)from);
    dxi_pt_matcher_close(&m, &al);
    if (p->failed) goto done;
    /* a window of 1 KiB: the second anchor (3000 bytes behind) is not one, and nothing is left out */
    if (!PROP_EXPECT_MSG(p, dxi_pt_matcher_open(&m, 6, false, -1024, a, n, b, blen, &al) == DX_OK, "matcher: no memory"))
        goto done;
    PROP_EXPECT_MSG(p, m.anchor_count == 1 && !m.packed && m.text_len == n, "window: %lu anchors, %lu bytes to sort",
                    (unsigned long)m.anchor_count, (unsigned long)m.text_len);
    dxi_pt_matcher_close(&m, &al);
    if (p->failed) goto done;
    cfg.shift = true;
    patch = make_patch(&cfg, a, n, b, blen, &plen); /* no zstd: the new bytes are stored, the copy is not */
    PROP_EXPECT_MSG(p, plen > 0 && (size_t)plen < fresh + moved / 2, "patch: %s, %ld bytes", rn(plen), (long)plen);
    if (plen > 0 && expect_result(p, "anchors", patch, (size_t)plen, a, n, b, blen, DX_OK)) p->failed = 1;
    free(patch);
    patch = NULL;
    if (p->failed) goto done;
    /* a MiB of zeros against a base with 600-byte zero runs: the anchors' work stays bounded, the patch applies */
    za = xmalloc(65536), z = xmalloc(zn);
    for (i = 0; i < 65536; i++) x ^= x << 13, x ^= x >> 7, x ^= x << 17, za[i] = (i % 4096) < 600 ? 0 : (uint8_t)(x >> 24);
    memset(z, 0, zn);
    memcpy(z + zn - 8192, za + 4096, 8192);
    patch = make_patch(&cfg, za, 65536, z, zn, &plen);
    found = plen > 0;
    PROP_EXPECT_MSG(p, found, "zeros: %s", rn(plen));
    if (found && expect_result(p, "zeros", patch, (size_t)plen, za, 65536, z, zn, DX_OK)) p->failed = 1;
    fail = p->failed;
done:
    free(a), free(b), free(patch), free(z), free(za);
    return fail;
}

#if defined(DX_PATCH_WITH_ZSTD)
static uint32_t get32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Text from a small vocabulary: lines of words, as in source or headers. */
static void gen_text(uint8_t *t, size_t n, uint32_t seed) {
    static const char *const words[] = {"static", "const", "int", "return", "struct", "template", "typename",
                                        "namespace", "std", "void", "size_t", "operator", "noexcept", "inline",
                                        "__glibcxx_assert", "_M_impl", "iterator", "allocator", "value_type"};
    size_t i = 0, k;
    uint32_t x = seed;
    while (i < n) {
        const char *w;
        x = x * 1103515245u + 12345u;
        w = words[(x >> 16) % (sizeof words / sizeof words[0])];
        for (k = 0; w[k] && i < n; k++) t[i++] = (uint8_t)w[k];
        if (i < n) t[i++] = (uint8_t)((x >> 8) % 7 == 0 ? '\n' : ' ');
    }
}

/* A PREFIX or DICT patch (info) of a into b: streaming without room for its
   base ranges is DX_ERR_LIMIT, check_only (no data) DX_ERR_UNSUPPORTED with
   nothing written, a chain of one gives b. out: cap bytes of scratch. */
static void base_range_applies(prop_ctx *p, const uint8_t *patch, size_t plen, const dx_patch_info *info, const uint8_t *a,
                               size_t n, const uint8_t *b, size_t blen, uint8_t *out, size_t cap) {
    dx_patch_applier_config ac;
    mio m;
    int64_t r;
    const uint8_t *chain[1];
    size_t chain_len[1];
    uint8_t *spare = xmalloc(cap);
    mio_out_of_place(&m, a, n, out, cap);
    applier_config(&ac, &m, false, info);
    ac.max_window = info->window / 2;
    PROP_EXPECT(p, stream_apply(p, &ac, patch, plen) == DX_ERR_LIMIT);
    applier_config(&ac, &m, false, info);
    ac.check_only = true; /* no data: its frames cannot be decoded */
    r = stream_apply(p, &ac, patch, plen);
    PROP_EXPECT_MSG(p, r == DX_ERR_UNSUPPORTED && m.writes == 0, "check_only: %s", rn(r));
    chain[0] = patch, chain_len[0] = plen;
    r = dx_patch_apply_chain(chain, chain_len, 1, a, n, out, spare, cap);
    PROP_EXPECT_MSG(p, r == (int64_t)blen && memcmp(out, b, blen) == 0, "chain: %s", rn(r));
    free(spare);
}

/* PREFIX: frames whose zstd frames see a range of the base as their prefix.
   On text they are smaller than one stream of frames; they apply out of
   place only (one-shot, streaming with room for the ranges, chains), never in
   place; a range that lies (empty, longer than the window, past the base,
   shifted) is refused; check_only needs the base. */
static int t_prefix(prop_ctx *p) {
    const size_t n = (size_t)192 << 10;
    uint8_t *a = xmalloc(n), *b = xmalloc(n + 32768), *patch = NULL, *plain = NULL, *out = xmalloc(n + 32768);
    dx_patch_config cfg;
    dx_patch_info info;
    size_t blen = 0, at, i, frame, cap;
    int64_t plen = 0, slen = 0, r;
    unsigned mode = 0;
    int fail = 1;
    gen_text(a, n, 7);
    /* the target: the base with 600 bytes every 6 KiB, edited text from elsewhere in it (a byte in 11
       changed: no long matches, many short ones), and a moved stretch */
    for (at = 0; at < n; at += 6144) {
        size_t take = at + 6144 <= n ? 6144 : n - at, from = (at * 7919 + 4099) % (n - 600);
        memcpy(b + blen, a + at, take), blen += take;
        for (i = 0; i < 600; i++) b[blen + i] = i % 11 == 5 ? (uint8_t)('a' + (at + i) % 26) : a[from + i];
        blen += 600;
    }
    memmove(b + 1000, b + 50000, 3000);
    memset(&cfg, 0, sizeof cfg);
    cfg.shift = true, cfg.zstd_level = 19;
    plain = make_patch(&cfg, a, n, b, blen, &slen);
    cfg.prefix = 1 << 16;
    patch = make_patch(&cfg, a, n, b, blen, &plen);
    if (!PROP_EXPECT_MSG(p, slen > 0 && plen > 0, "diff: %s, with a prefix %s", rn(slen), rn(plen))) goto done;
    prop_note(p, "stream %ld bytes, prefix %ld bytes", (long)slen, (long)plen);
    PROP_EXPECT_MSG(p, plen < slen, "prefix %ld bytes, not under the stream's %ld", (long)plen, (long)slen);
    PROP_EXPECT(p, dx_patch_read_info(patch, (size_t)plen, &info) == DX_OK);
    PROP_EXPECT_MSG(p, (info.flags & DX_PATCH_FLAG_PREFIX) && !(info.flags & DX_PATCH_FLAG_STREAM) && info.frame_count > 1 &&
                           info.window > (1u << 15) && info.window <= (1u << 16),
                    "flags 0x%x, %u frames, window %u", (unsigned)info.flags, (unsigned)info.frame_count, (unsigned)info.window);
    if (p->failed || expect_result(p, "prefix", patch, (size_t)plen, a, n, b, blen, DX_OK)) goto done;
    base_range_applies(p, patch, (size_t)plen, &info, a, n, b, blen, out, n + 32768);
    /* lies in the first compressed frame's range */
    for (frame = DX_PATCH_HEADER_SIZE; frame < (size_t)plen;) {
        uint32_t raw = get32(patch + frame), stored = get32(patch + frame + 4);
        if (stored < raw) break;
        frame += 12 + stored;
    }
    if (!PROP_EXPECT_MSG(p, frame < (size_t)plen, "no compressed frame")) goto done;
    {
        uint8_t *q = patch + frame + 12;
        uint64_t off = get32(q) | (uint64_t)get32(q + 4) << 32;
        uint32_t len = get32(q + 8);
        static const char *const what[] = {"an empty range", "a range longer than the window", "a range past the base",
                                           "a range one byte on"};
        for (i = 0; i < 4; i++) {
            put64(q, i == 2 ? n - len + 1 : i == 3 ? off + (off + len < n ? 1 : (uint64_t)-1) : off);
            put32(q + 8, i == 0 ? 0 : i == 1 ? info.window + 1 : len);
            r = dx_patch_apply(patch, (size_t)plen, a, n, out, n + 32768);
            PROP_EXPECT_MSG(p, i < 3 ? r == DX_ERR_CORRUPT : (r == DX_ERR_CORRUPT || r == DX_ERR_CHECKSUM), "%s: %s",
                            what[i], rn(r));
        }
        put64(q, off), put32(q + 8, len);
    }
    /* the header: a window above the base (rounded up); a 2 GiB window for a base that is not this one is
       refused before any memory is taken for it */
    memcpy(out, patch, 64);
    put32(out + DX_PATCH_HEADER_OFF_WINDOW, 1u << 20), reseal_header(out);
    PROP_EXPECT(p, dx_patch_read_info(out, 64, &info) == DX_ERR_CORRUPT);
    memcpy(out, patch, (size_t)plen);
    put64(out + DX_PATCH_HEADER_OFF_BASE_LEN, (uint64_t)1 << 40), put32(out + DX_PATCH_HEADER_OFF_WINDOW, 1u << 31);
    reseal_header(out);
    PROP_EXPECT(p, dx_patch_read_info(out, (size_t)plen, &info) == DX_OK);
    r = dx_patch_apply(out, (size_t)plen, a, n, out + plen, n + 32768 - (size_t)plen);
    PROP_EXPECT_MSG(p, r == DX_PATCH_ERR_WRONG_BASE, "a 2 GiB window, another base: %s", rn(r));
    /* the config: the shift mode with zstd, out of place, a size in range */
    cfg.shift = false;
    PROP_EXPECT(p, dx_patch_diff(&cfg, a, n, b, blen, out, 64) == DX_ERR_INVAL);
    cfg.shift = true, cfg.window = 1 << 16;
    PROP_EXPECT(p, dx_patch_diff(&cfg, a, n, b, blen, out, 64) == DX_ERR_INVAL);
    cfg.window = 0, cfg.zstd_level = 0;
    PROP_EXPECT(p, dx_patch_diff(&cfg, a, n, b, blen, out, 64) == DX_ERR_INVAL);
    cfg.zstd_level = 19, cfg.prefix = DX_PATCH_PREFIX_MAX + 1;
    PROP_EXPECT(p, dx_patch_diff(&cfg, a, n, b, blen, out, 64) == DX_ERR_INVAL);
    /* dx_patch_diff_auto at level 9 tries it, and keeps the smaller */
    free(plain);
    memset(&cfg, 0, sizeof cfg);
    cfg.level = 9, cfg.prefix = 1 << 16;
    cap = dx_patch_bound(n, blen, &cfg);
    plain = xmalloc(cap);
    r = dx_patch_diff_auto(&cfg, a, n, b, blen, plain, cap, &mode);
    PROP_EXPECT_MSG(p, r > 0 && r < slen && mode == DX_PATCH_MODE_SHIFT && dx_patch_read_info(plain, (size_t)r, &info) == DX_OK &&
                           (info.flags & DX_PATCH_FLAG_PREFIX),
                    "auto at level 9: %ld bytes, mode %u, flags 0x%x (one stream: %ld bytes)", (long)r, mode, (unsigned)info.flags, (long)slen);
    fail = p->failed;
done:
    free(a), free(b), free(patch), free(plain), free(out);
    return fail;
}

/* The first compressed frame of patch with its DICT head (margin, length of
   the records' zstd frame) written anew as 3-byte varints, the zstd frames
   as they were; the patch's length in *len. NULL if none is compressed. */
static uint8_t *dict_rehead(const uint8_t *patch, size_t plen, uint64_t margin_delta, int64_t a_delta, bool set_margin,
                            uint64_t margin, size_t *len) {
    size_t frame = DX_PATCH_HEADER_SIZE, at;
    const uint8_t *q, *end;
    uint64_t m = 0, a = 0;
    uint8_t *out;
    for (;;) {
        uint32_t raw, stored;
        if (frame + 12 > plen) return NULL;
        raw = get32(patch + frame), stored = get32(patch + frame + 4);
        if (stored < raw) break;
        frame += 12 + stored;
    }
    q = patch + frame + 12, end = q + get32(patch + frame + 4);
    if (!dxi_pt_read_varint(&q, end, &m) || !dxi_pt_read_varint(&q, end, &a)) return NULL;
    m = set_margin ? margin : m + margin_delta;
    a = (uint64_t)((int64_t)a + a_delta);
    out = xmalloc(plen + 16);
    memcpy(out, patch, frame + 12);
    at = frame + 12;
    out[at++] = (uint8_t)(0x80 | (m & 0x7f)), out[at++] = (uint8_t)(0x80 | ((m >> 7) & 0x7f)), out[at++] = (uint8_t)(m >> 14);
    out[at++] = (uint8_t)(0x80 | (a & 0x7f)), out[at++] = (uint8_t)(0x80 | ((a >> 7) & 0x7f)), out[at++] = (uint8_t)(a >> 14);
    memcpy(out + at, q, (size_t)(patch + plen - q));
    at += (size_t)(patch + plen - q);
    put32(out + frame + 4, (uint32_t)(at - (size_t)(patch + plen - end) - frame - 12));
    *len = at;
    return out;
}

/* DICT: each frame's bytes column compressed with the base bytes its new
   bytes replaced as its prefix. On text smaller than one stream of frames,
   and (the state carried from frame to frame) right with many small frames;
   out of place, and in place with a window; a head that lies, a dictionary longer than
   the header's window and a bad flag set are refused; dx_patch_diff_auto
   makes them for text with cfg.dict, not for other data, not without it. */
static int t_dict(prop_ctx *p) {
    const size_t n = (size_t)192 << 10;
    uint8_t *a = xmalloc(n), *b = xmalloc(n + 32768), *patch = NULL, *plain = NULL, *out = xmalloc(n + 32768), *bad;
    uint8_t *ra = xmalloc(n), *rb = xmalloc(n);
    dx_patch_config cfg;
    dx_patch_applier_config ac;
    dx_patch_info info;
    mio m;
    size_t blen = 0, at, i, cap, bad_len;
    int64_t plen = 0, slen = 0, r;
    unsigned mode = 0;
    int fail = 1;
    uint32_t x = 99;
    gen_text(a, n, 11);
    /* the target: the base with new lines every 6 KiB (edited text from elsewhere: short matches) and lines
       replaced by others of another length */
    for (at = 0; at < n; at += 6144) {
        size_t take = at + 6144 <= n ? 6144 : n - at, from = (at * 7919 + 4099) % (n - 600);
        memcpy(b + blen, a + at, take), blen += take;
        for (i = 0; i < 600; i++) b[blen + i] = i % 13 == 5 ? (uint8_t)('a' + (at + i) % 26) : a[from + i];
        blen += 600;
        if (take > 2000) { /* a replaced line in the copied stretch: the base's bytes there are what it replaced */
            for (i = 0; i < 90; i++) b[blen - 600 - 1000 + i] = (uint8_t)('A' + (at / 6144 + i * 7) % 26);
        }
    }
    memset(&cfg, 0, sizeof cfg);
    cfg.shift = true, cfg.zstd_level = 19;
    plain = make_patch(&cfg, a, n, b, blen, &slen);
    cfg.prefix = 1 << 20, cfg.dict = true;
    patch = make_patch(&cfg, a, n, b, blen, &plen);
    if (!PROP_EXPECT_MSG(p, slen > 0 && plen > 0, "diff: %s, with DICT %s", rn(slen), rn(plen))) goto done;
    prop_note(p, "stream %ld bytes, DICT %ld bytes", (long)slen, (long)plen);
    PROP_EXPECT_MSG(p, plen < slen, "DICT %ld bytes, not under the stream's %ld", (long)plen, (long)slen);
    PROP_EXPECT(p, dx_patch_read_info(patch, (size_t)plen, &info) == DX_OK);
    PROP_EXPECT_MSG(p, (info.flags & DX_PATCH_FLAG_DICT) && (info.flags & DX_PATCH_FLAG_PREFIX) &&
                           !(info.flags & DX_PATCH_FLAG_STREAM) && info.window >= 64 && info.window <= (1u << 20),
                    "flags 0x%x, window %u", (unsigned)info.flags, (unsigned)info.window);
    if (p->failed || expect_result(p, "dict", patch, (size_t)plen, a, n, b, blen, DX_OK)) goto done;
    base_range_applies(p, patch, (size_t)plen, &info, a, n, b, blen, out, n + 32768);
    mio_out_of_place(&m, a, n, out, n + 32768);
    applier_config(&ac, &m, false, &info);
    m.fail_after = 0; /* the first read, the dictionary's */
    r = stream_apply(p, &ac, patch, (size_t)plen);
    PROP_EXPECT_MSG(p, r == DX_ERR_IO, "a failed read of the dictionary: %s", rn(r));
    if (p->failed) goto done;
    /* heads that lie: a margin past the window, another margin, no records' frame, no bytes' frame, a records'
       frame a byte short */
    {
        static const char *const what[] = {"a margin past the window", "another margin", "records of 0 bytes",
                                           "no bytes' frame", "records a byte short"};
        for (i = 0; i < 5; i++) {
            size_t rest = 0;
            bad = dict_rehead(patch, (size_t)plen, i == 1 ? 1 : 0, i == 2 ? INT32_MIN : i == 4 ? -1 : 0, i == 0,
                              info.window + 1, &bad_len);
            if (!PROP_EXPECT_MSG(p, bad != NULL, "no compressed frame")) break;
            if (i == 2 || i == 3) { /* the length field: 0, or all the bytes after the head */
                size_t frame = DX_PATCH_HEADER_SIZE;
                while (get32(bad + frame + 4) == get32(bad + frame)) frame += 12 + get32(bad + frame + 4);
                rest = get32(bad + frame + 4) - 6;
                if (i == 2) rest = 0;
                bad[frame + 12 + 3] = (uint8_t)(0x80 | (rest & 0x7f)), bad[frame + 12 + 4] = (uint8_t)(0x80 | ((rest >> 7) & 0x7f));
                bad[frame + 12 + 5] = (uint8_t)(rest >> 14);
            }
            r = dx_patch_apply(bad, bad_len, a, n, out, n + 32768);
            PROP_EXPECT_MSG(p, i == 1 ? (r == DX_ERR_CORRUPT || r == DX_ERR_CHECKSUM) : r == DX_ERR_CORRUPT, "%s: %s", what[i], rn(r));
            free(bad);
        }
        /* the same head rewritten with its own values applies (the rewriting is right) */
        bad = dict_rehead(patch, (size_t)plen, 0, 0, false, 0, &bad_len);
        r = bad ? dx_patch_apply(bad, bad_len, a, n, out, n + 32768) : -1;
        PROP_EXPECT_MSG(p, r == (int64_t)blen && memcmp(out, b, blen) == 0, "a 3-byte head: %s", rn(r));
        free(bad);
    }
    /* the header: a window under the dictionary; DICT without PREFIX, without COLUMNS */
    bad = xmalloc((size_t)plen);
    memcpy(bad, patch, (size_t)plen);
    put32(bad + DX_PATCH_HEADER_OFF_WINDOW, 64), reseal_header(bad);
    r = dx_patch_apply(bad, (size_t)plen, a, n, out, n + 32768);
    PROP_EXPECT_MSG(p, r == DX_ERR_CORRUPT, "a dictionary past the window: %s", rn(r));
    memcpy(bad, patch, 64);
    put32(bad + DX_PATCH_HEADER_OFF_FLAGS, info.flags & ~(uint32_t)DX_PATCH_FLAG_PREFIX), reseal_header(bad);
    PROP_EXPECT(p, dx_patch_read_info(bad, 64, &info) == DX_ERR_CORRUPT);
    dx_patch_read_info(patch, (size_t)plen, &info);
    put32(bad + DX_PATCH_HEADER_OFF_FLAGS, info.flags & ~(uint32_t)DX_PATCH_FLAG_COLUMNS), reseal_header(bad);
    PROP_EXPECT(p, dx_patch_read_info(bad, 64, &info) == DX_ERR_CORRUPT);
    free(bad);
    /* many small frames, a margin of 1 KiB and a dictionary limit of 8 KiB: the walk's state goes from frame to
       frame, and frames whose dictionary would pass the limit take none */
    free(patch);
    cfg.block_size = 512, cfg.frame_size = 512 + 64, cfg.dict_margin = 1024, cfg.prefix = 8192;
    patch = make_patch(&cfg, a, n, b, blen, &plen);
    PROP_EXPECT_MSG(p, plen > 0 && dx_patch_read_info(patch, (size_t)plen, &info) == DX_OK && info.frame_count > 20 &&
                           (info.flags & DX_PATCH_FLAG_DICT) && info.window <= 8192,
                    "small frames: %s, %u frames, window %u", rn(plen), (unsigned)info.frame_count, (unsigned)info.window);
    prop_note(p, "small frames: %ld bytes, %u frames, window %u, flags 0x%x", (long)plen, (unsigned)info.frame_count, (unsigned)info.window, (unsigned)info.flags);
    if (p->failed || expect_result(p, "dict, small frames", patch, (size_t)plen, a, n, b, blen, DX_OK)) goto done;
    /* in place (WINDOW): smaller than without DICT; frames span at most the window; applies in place (one-shot,
       streaming) with the ring and a dictionary after it, DX_ERR_LIMIT with the ring alone; PREFIX with WINDOW
       but without DICT is corrupt */
    {
        int64_t wlen;
        uint8_t *wp;
        cfg.block_size = 0, cfg.frame_size = 0, cfg.dict_margin = 0, cfg.prefix = 0, cfg.dict = false;
        cfg.window = 1u << 17;
        wp = make_patch(&cfg, a, n, b, blen, &wlen);
        free(patch);
        cfg.prefix = 1 << 20, cfg.dict = true;
        patch = make_patch(&cfg, a, n, b, blen, &plen);
        PROP_EXPECT_MSG(p, wlen > 0 && plen > 0 && plen < wlen && dx_patch_read_info(patch, (size_t)plen, &info) == DX_OK &&
                               (info.flags & DX_PATCH_FLAG_DICT) && (info.flags & DX_PATCH_FLAG_WINDOW) &&
                               info.window == (1u << 17) && info.frame_count >= blen >> 17,
                        "in place: %s with DICT, %s without, %u frames", rn(plen), rn(wlen), (unsigned)info.frame_count);
        prop_note(p, "in place: %ld bytes with DICT, %ld without, %u frames", (long)plen, (long)wlen, (unsigned)info.frame_count);
        free(wp);
        if (p->failed || expect_result(p, "dict in place", patch, (size_t)plen, a, n, b, blen, DX_OK)) goto done;
        memcpy(out, a, n);
        mio_in_place(&m, out, n, n + 32768);
        applier_config(&ac, &m, true, &info);
        PROP_EXPECT(p, ac.max_window == 1u << 18);
        ac.max_window = 1u << 17; /* the ring alone */
        r = stream_apply(p, &ac, patch, (size_t)plen);
        PROP_EXPECT_MSG(p, r == DX_ERR_LIMIT && m.writes == 0 && memcmp(out, a, n) == 0, "in place, the ring alone: %s", rn(r));
        bad = xmalloc((size_t)plen);
        memcpy(bad, patch, (size_t)plen);
        put32(bad + DX_PATCH_HEADER_OFF_FLAGS, info.flags & ~(uint32_t)DX_PATCH_FLAG_DICT), reseal_header(bad);
        PROP_EXPECT(p, dx_patch_read_info(bad, 64, &info) == DX_ERR_CORRUPT);
        free(bad);
        cfg.window = 0;
    }
    /* the config: a limit, the shift mode's split blocks */
    cfg.block_size = 0, cfg.frame_size = 0, cfg.dict_margin = 0, cfg.prefix = 0;
    PROP_EXPECT(p, dx_patch_diff(&cfg, a, n, b, blen, out, 64) == DX_ERR_INVAL);
    cfg.prefix = 1 << 20, cfg.block_size = 1u << 16;
    PROP_EXPECT(p, dx_patch_diff(&cfg, a, n, b, blen, out, 64) == DX_ERR_INVAL);
    /* dx_patch_diff_auto: DICT for text with cfg.dict; not without it, not for other data */
    free(plain);
    memset(&cfg, 0, sizeof cfg);
    cfg.dict = true;
    cap = dx_patch_bound(n, blen, &cfg);
    plain = xmalloc(cap);
    r = dx_patch_diff_auto(&cfg, a, n, b, blen, plain, cap, &mode);
    PROP_EXPECT_MSG(p, r > 0 && r < slen && mode == DX_PATCH_MODE_SHIFT && dx_patch_read_info(plain, (size_t)r, &info) == DX_OK &&
                           (info.flags & DX_PATCH_FLAG_DICT),
                    "auto, text: %ld bytes, mode %u, flags 0x%x (one stream: %ld bytes)", (long)r, mode, (unsigned)info.flags, (long)slen);
    cfg.dict = false;
    r = dx_patch_diff_auto(&cfg, a, n, b, blen, plain, cap, &mode);
    PROP_EXPECT_MSG(p, r > 0 && dx_patch_read_info(plain, (size_t)r, &info) == DX_OK && !(info.flags & DX_PATCH_FLAG_PREFIX),
                    "auto without cfg.dict: %s, flags 0x%x", rn(r), (unsigned)info.flags);
    { /* new text before the old, more than 1/32 of the target, that repeats 600 KiB on (beyond a DICT frame,
         within one stream's window): as small as without cfg.dict (one stream too) */
        size_t half = (size_t)600 << 10, bn = (size_t)1 << 20, tn = bn + 2 * half, tcap; /* the new text under half */
        uint8_t *t = xmalloc(tn), *tp;
        int64_t with, without;
        for (i = 0; i < half; i++) x ^= x << 13, x ^= x >> 17, x ^= x << 5, t[i] = (uint8_t)('a' + x % 26);
        memcpy(t + half, t, half);
        gen_text(t + 2 * half, bn, 11);
        tcap = dx_patch_bound(bn, tn, &cfg);
        tp = xmalloc(tcap);
        cfg.dict = true;
        with = dx_patch_diff_auto(&cfg, t + 2 * half, bn, t, tn, tp, tcap, &mode);
        cfg.dict = false;
        without = dx_patch_diff_auto(&cfg, t + 2 * half, bn, t, tn, tp, tcap, &mode);
        PROP_EXPECT_MSG(p, with > 0 && with == without && mode == DX_PATCH_MODE_SHIFT, "new text: %s with cfg.dict, %s without (mode %u)",
                        rn(with), rn(without), mode);
        /* the same new text after the old: XOR blocks, tried again at the strong level (without DICT), or since
           ANCHORS (0.12.0) the shift mode where that is smaller: either way well under the new text */
        memmove(t, t + 2 * half, bn), gen_text(t + 2 * half, bn, 11); /* t[0, bn): the old text; then the new */
        for (i = 0; i < half; i++) x ^= x << 13, x ^= x >> 17, x ^= x << 5, t[bn + i] = (uint8_t)('a' + x % 26);
        memcpy(t + bn + half, t + bn, half);
        cfg.dict = true;
        with = dx_patch_diff_auto(&cfg, t, bn, t, tn, tp, tcap, &mode);
        PROP_EXPECT_MSG(p, with > 0 && (mode == DX_PATCH_MODE_XOR || mode == DX_PATCH_MODE_SHIFT) && with < (int64_t)half,
                        "new text after: %s (mode %u)", rn(with), mode);
        free(t), free(tp);
    }
    for (i = 0; i < n; i++) x ^= x << 13, x ^= x >> 17, x ^= x << 5, ra[i] = (uint8_t)x;
    memcpy(rb, ra + 4096, n - 4096), memcpy(rb + n - 4096, ra, 4096); /* random data, moved */
    cfg.dict = true;
    r = dx_patch_diff_auto(&cfg, ra, n, rb, n, plain, cap, &mode);
    /* (compressed data: its shift mode at the fast level finds the move all the same) */
    PROP_EXPECT_MSG(p, r > 0 && r < (int64_t)n / 64 && mode == DX_PATCH_MODE_SHIFT &&
                           dx_patch_read_info(plain, (size_t)r, &info) == DX_OK && !(info.flags & DX_PATCH_FLAG_DICT),
                    "auto, not text: %s, mode %u, flags 0x%x", rn(r), mode, (unsigned)info.flags);
    prop_note(p, "random data moved: %ld bytes", (long)r);
    if (r > 0 && expect_result(p, "auto, not text", plain, (size_t)r, ra, n, rb, n, DX_OK)) goto done;
    fail = p->failed;
done:
    free(a), free(b), free(patch), free(plain), free(out), free(ra), free(rb);
    return fail;
}

/* cfg.thread_start as a second thread that runs each job late (at thread_join, after the next frame's records
   are written) or not at all (start returns NULL: the diff runs it): every kind of compressed patch comes out
   the same byte for byte as on one thread, and where it does not fit, it does not either. */
typedef struct late_jobs {
    void (*job)(void *arg);
    void *arg;
    int started, joined, refused;
} late_jobs;

static void *late_start(void *user, void (*job)(void *arg), void *arg) {
    late_jobs *l = (late_jobs *)user;
    l->job = job, l->arg = arg, l->started++;
    return l;
}

static void late_join(void *user, void *handle) {
    late_jobs *l = (late_jobs *)user;
    if (handle == user) l->joined++, l->job(l->arg);
}

static void *no_start(void *user, void (*job)(void *arg), void *arg) {
    (void)job, (void)arg;
    ((late_jobs *)user)->refused++;
    return NULL;
}

static int t_threads(prop_ctx *p) {
    const size_t n = (size_t)5 << 19, nt = (size_t)512 << 10;
    uint8_t *a = xmalloc(n), *b = xmalloc(n), *ta = xmalloc(nt), *tb = xmalloc(nt);
    uint64_t x = 88172645463325252ull;
    size_t i, k;
    int fail = 1;
    for (i = 0; i < n; i++) x ^= x << 13, x ^= x >> 7, x ^= x << 17, a[i] = (uint8_t)(x >> 32);
    /* binary: seven blocks in eight new bytes (more than the 2 MiB a stream holds back), the rest moved and edited */
    for (i = 0; i < n; i += 4096) {
        if ((i / 4096) % 8 != 0) {
            for (k = 0; k < 4096; k++) x ^= x << 13, x ^= x >> 7, x ^= x << 17, b[i + k] = (uint8_t)(x >> 32);
        } else {
            memcpy(b + i, a + (i * 7 + 777) % (nt - 4096), 4096); /* from the first 512 KiB */
            b[i + 100] ^= 0x41;
        }
    }
    gen_text(ta, nt, 11), memcpy(tb, ta, nt); /* text: words changed here and there, a stretch moved */
    for (i = 5000; i + 64 < nt; i += 500) { /* about 1,000 edits: frames of one block each hold a few */
        char word[24];
        int w = snprintf(word, sizeof word, "changed%lu", (unsigned long)(i * 2654435761u % 100000));
        memcpy(tb + i, word, (size_t)w);
    }
    memmove(tb + 100000, tb + 300000, 100000);
    for (k = 0; k < 7; k++) {
        static const char *const kinds[] = {"XOR blocks, one stream", "XOR blocks, frames of one block",
                                            "shift, one stream", "shift, window", "shift, PREFIX", "shift, DICT",
                                            "shift, DICT with a window"};
        static const int64_t more[] = {-1, 0, 20, 1 << 20};
        const uint8_t *base = k >= 4 ? ta : a, *target = k >= 4 ? tb : b;
        size_t len = k >= 4 ? nt : n, blen = k == 2 || k == 3 ? nt : len, m; /* the shift mode: a short base */
        dx_patch_config cfg;
        int64_t full;
        late_jobs l[2];
        uint8_t *one;
        memset(&cfg, 0, sizeof cfg), memset(l, 0, sizeof l);
        cfg.zstd_level = 3, cfg.one_way = true;
        cfg.frame_size = k == 1 || k >= 4 ? 4096 + 64 : 1u << 17; /* many frames; streams: after the first 2 MiB */
        if (k >= 2) cfg.shift = true;
        if (k == 3 || k == 6) cfg.window = 1u << 20;
        if (k >= 4) cfg.prefix = 1u << 20;
        if (k >= 5) cfg.dict = true;
        one = make_patch(&cfg, base, blen, target, len, &full);
        free(one);
        if (!PROP_EXPECT_MSG(p, full > 0, "%s, one thread: %s", kinds[k], rn(full))) goto done;
        prop_note(p, "%s: %ld bytes", kinds[k], (long)full);
        for (m = k < 4 ? 1 : 0; m < sizeof more / sizeof more[0]; m += k < 4 ? 2 : 1) { /* around the room it takes, then plenty */
            size_t cap = (size_t)(full + more[m]);
            uint8_t *want = xmalloc(cap), *got = xmalloc(cap);
            int64_t r1 = dx_patch_diff(&cfg, base, blen, target, len, want, cap), r;
            int hook;
            PROP_EXPECT_MSG(p, more[m] < 0 ? r1 < 0 : more[m] < (1 << 20) || r1 == full, "%s, into %lu bytes: %s",
                            kinds[k], (unsigned long)cap, rn(r1));
            for (hook = 0; hook < (k < 4 ? 1 : 2); hook++) { /* a refused start: the text's frames */
                cfg.thread_start = hook ? no_start : late_start, cfg.thread_join = late_join, cfg.thread_user = &l[hook];
                r = dx_patch_diff(&cfg, base, blen, target, len, got, cap);
                PROP_EXPECT_MSG(p, r == r1 && (r < 0 || !memcmp(want, got, (size_t)r)),
                                "%s, %s, into %lu bytes: %s, on one thread %s", kinds[k],
                                hook ? "start refused" : "jobs run late", (unsigned long)cap, rn(r), rn(r1));
                cfg.thread_start = NULL, cfg.thread_join = NULL, cfg.thread_user = NULL;
            }
            free(want), free(got);
        }
        PROP_EXPECT_MSG(p, l[0].started > 0 && l[0].joined == l[0].started && (k < 4 || l[1].refused > 0),
                        "%s: %d jobs started late, %d joined; %d refused", kinds[k], l[0].started, l[0].joined,
                        l[1].refused);
        if (p->failed) goto done;
    }
    fail = p->failed;
done:
    free(a), free(b), free(ta), free(tb);
    return fail;
}
#endif

static const prop_test tests[] = {
    PROP_UNIT(t_crafted_xor),     PROP_UNIT(t_crafted_one_way), PROP_UNIT(t_bad_headers),
    PROP_UNIT(t_frame_lies),      PROP_UNIT(t_bad_records),     PROP_UNIT(t_read_info),
    PROP_UNIT(t_diff_args),       PROP_UNIT(t_apply_args),      PROP_UNIT(t_resume_whole),    PROP_UNIT(t_resume_neither), PROP_UNIT(t_applier_memory),
    PROP_UNIT(t_io_errors),       PROP_UNIT(t_alloc_failures),  PROP_UNIT(t_chain_errors),
    PROP_UNIT(t_hash),            PROP_UNIT(t_result_names),    PROP_UNIT(t_vectors),
    PROP_UNIT(t_xxh64_vectors),     PROP_UNIT(t_check_only),      PROP_UNIT(t_auto),
    PROP_UNIT(t_anchors),
#if defined(DX_PATCH_WITH_ZSTD)
    PROP_UNIT(t_zstd),            PROP_UNIT(t_zstd_one_frame), PROP_UNIT(t_stream_window),   PROP_UNIT(t_stream_held),
    PROP_UNIT(t_stream_raw),      PROP_UNIT(t_prefix),          PROP_UNIT(t_dict),            PROP_UNIT(t_threads),
#endif
    PROP_PROPERTY(p_roundtrip),   PROP_PROPERTY(p_stream),      PROP_PROPERTY(p_resume),
    PROP_PROPERTY(p_truncation),  PROP_PROPERTY(p_corruption),  PROP_PROPERTY(p_wrong_base),
    PROP_PROPERTY(p_chain),       PROP_PROPERTY(p_bound),       PROP_PROPERTY(p_hash_pieces), PROP_PROPERTY(p_suffix_array),
    PROP_PROPERTY(p_shift),       PROP_PROPERTY(p_journal),     PROP_PROPERTY(p_auto),
    PROP_PROPERTY(p_apply_chain),
};

#ifdef PATCH_WRITE_VECTORS
/* cc -DPATCH_WRITE_VECTORS -I. -Itests tests/patch_test.c (no zstd), run
   from the repository root: rewrites tests/vectors/patch/ and the seed
   corpora tests/fuzz/corpus/patch_apply/ and patch_stream/. */

static void write_hex(FILE *f, const char *section, const uint8_t *b, size_t n) {
    size_t i;
    fprintf(f, "# %s:\n", section);
    for (i = 0; i < n; i++) fprintf(f, "%02x%s", b[i], i % 16 == 15 || i + 1 == n ? "\n" : " ");
}
static void write_vec(const char *name, const char *why, const dx_patch_config *cfg, const char *expect,
                      const uint8_t *base, size_t blen, const uint8_t *target, size_t tlen, const uint8_t *patch,
                      size_t plen) {
    char path[128];
    FILE *f;
    snprintf(path, sizeof path, "tests/vectors/patch/%s.hex", name);
    f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    fprintf(f, "# dx_patch.h format %d.%d: %s\n", DX_PATCH_FORMAT_MAJOR, DX_PATCH_FORMAT_MINOR, why);
    if (cfg)
        fprintf(f, "# config: block=%u frame=%u one_way=%d no_witness=%d%s", (unsigned)cfg->block_size,
                (unsigned)cfg->frame_size, (int)cfg->one_way, (int)cfg->no_witness, cfg->shift ? " shift=1" : "");
    if (cfg && cfg->window) fprintf(f, " window=%u", (unsigned)cfg->window);
    if (cfg && cfg->x86) fprintf(f, " x86=%d", cfg->x86);
    if (cfg) fprintf(f, "\n");
    if (expect) fprintf(f, "# expect: %s\n", expect);
    write_hex(f, "base", base, blen);
    if (target) write_hex(f, "target", target, tlen);
    write_hex(f, "patch", patch, plen);
    fclose(f);
}
static size_t must_diff(const dx_patch_config *cfg, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
                        uint8_t *out, size_t cap) {
    int64_t n = dx_patch_diff(cfg, a, alen, b, blen, out, cap);
    if (n < 0) {
        fprintf(stderr, "diff: %s\n", rn(n));
        exit(1);
    }
    return (size_t)n;
}
/* frame 0 of a one-frame uncompressed patch: its check again after an edit */
static void reseal_frame(uint8_t *patch, size_t plen) {
    put32(patch + 72, check32(patch + 76, plen - 76));
}
/* The fuzz harnesses' base: the same function is in tests/fuzz/patch_*.c. */
static void fuzz_base(uint8_t *b) {
    size_t i;
    for (i = 0; i < 300; i++) b[i] = (uint8_t)(i % 50 < 20 ? 0 : i * 29 + 7);
}
static void write_seed(const char *dir, const char *name, uint8_t prefix, const uint8_t *b, size_t n) {
    char path[160];
    FILE *f;
    snprintf(path, sizeof path, "tests/fuzz/corpus/%s/%s", dir, name);
    f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(1);
    }
    if (strcmp(dir, "patch_stream") == 0) fputc(prefix, f);
    fwrite(b, 1, n, f);
    fclose(f);
}

int main(int argc, char **argv) {
    static uint8_t base[400], target[600], patch[2048], bad[2048], x[600];
    dx_patch_config cfg;
    size_t n, i, k;
    uint8_t fb[300];
    (void)argc, (void)argv, (void)tests;
    /* basic: 200 bytes, blocks of 64; block 1 changes at 70-72 and 80, block 3 at 195 */
    craft_base(base);
    memcpy(target, base, 200);
    target[70] = 'd', target[71] = 'x', target[72] = '!', target[80] = 0, target[195] ^= 0xff;
    memset(&cfg, 0, sizeof cfg);
    cfg.block_size = 64;
    n = must_diff(&cfg, base, 200, target, 200, patch, sizeof patch);
    write_vec("basic", "200 bytes, blocks of 64, two XOR records with witnesses in one frame", &cfg, NULL, base, 200,
              target, 200, patch, n);
    write_vec("reversed", "the basic patch applied to its target gives its base", NULL, NULL, target, 200, base, 200,
              patch, n);
    /* bad patches, all derived from basic's bytes */
    if (n != 95 || patch[76] != 1 || patch[77] != 1 || patch[79] != 2 || patch[80] != 6 || patch[81] != 3) {
        fprintf(stderr, "basic patch changed shape: update the bad vectors\n");
        return 1;
    }
#define BAD(name, why, expect, edit)                                                                    \
    do {                                                                                                \
        size_t bn = n;                                                                                  \
        memcpy(bad, patch, n);                                                                          \
        edit;                                                                                           \
        write_vec(name, why, NULL, expect, base, 200, NULL, 0, bad, bn);                                \
    } while (0)
    BAD("bad_magic", "magic DXPU", "DX_PATCH_ERR_MAGIC", bad[3] = 'U');
    BAD("bad_major", "format major 3 (header check recomputed)", "DX_ERR_UNSUPPORTED", (bad[4] = 3, reseal_header(bad)));
    BAD("bad_flag", "unknown required flag 0x4000 (header check recomputed)", "DX_ERR_UNSUPPORTED",
        (bad[9] = 0x40, reseal_header(bad)));
    BAD("bad_header_check", "target length 201, header check not recomputed", "DX_ERR_CHECKSUM", bad[24] = 201);
    BAD("bad_frame_check", "one bit of the first record's XOR bytes flipped", "DX_ERR_CHECKSUM", bad[82] ^= 4);
    BAD("bad_frame_len", "frame raw and stored length 200000, above the largest raw frame (128)", "DX_ERR_CORRUPT",
        (put32(bad + 64, 200000), put32(bad + 68, 200000)));
    BAD("bad_stored", "frame stored length above its raw length", "DX_ERR_CORRUPT", bad[68]++);
    BAD("bad_trailing", "a zero byte after the last frame", "DX_ERR_CORRUPT", bad[bn++] = 0);
    BAD("bad_empty_frame", "a second frame, empty (raw and stored length 0; frame count and header check updated)",
        "DX_ERR_CORRUPT", (put32(bad + 52, 2), reseal_header(bad), memset(bad + bn, 0, 8), put32(bad + bn + 8, check32(bad, 0)),
                           bn += 12));
    BAD("bad_frame_max_low", "largest raw frame 127: below block + 64 (header check recomputed)", "DX_ERR_CORRUPT",
        (put32(bad + 48, 127), reseal_header(bad)));
    BAD("bad_frame_max_high", "largest raw frame 1 MiB + 65: above 1 MiB + 64 (header check recomputed)",
        "DX_ERR_CORRUPT", (put32(bad + 48, (1u << 20) + 65), reseal_header(bad)));
    memcpy(bad, patch, n);
    put32(bad + 48, (1u << 20) + 64), reseal_header(bad);
    write_vec("frame_max_limit", "the basic patch with its largest raw frame at the limit, 1 MiB + 64 (header check "
              "recomputed)", NULL, NULL, base, 200, target, 200, bad, n);
    memcpy(bad, patch, n);
    bad[78] ^= 0x5a, reseal_frame(bad, n);
    write_vec("wrong_witness", "the basic patch with its first witness changed (frame check recomputed): witnesses "
              "are only checked on resume", NULL, NULL, base, 200, target, 200, bad, n);
    BAD("bad_gap", "first record's gap 9: block 9 of 4 (frame check recomputed)", "DX_ERR_CORRUPT",
        (bad[77] = 9, reseal_frame(bad, bn)));
    BAD("bad_run", "first run 60 bytes from offset 6: past its block (frame check recomputed)", "DX_ERR_CORRUPT",
        (bad[81] = 60, reseal_frame(bad, bn)));
    BAD("bad_zero_run", "first run 0 bytes long (frame check recomputed)", "DX_ERR_CORRUPT",
        (bad[81] = 0, reseal_frame(bad, bn)));
    BAD("bad_noop_xor", "first record XORs only zeros (frame check recomputed)", "DX_ERR_CORRUPT",
        (bad[82] = bad[83] = bad[84] = bad[87] = 0, reseal_frame(bad, bn)));
    BAD("bad_result", "target hash changed (header check recomputed): the result does not match",
        "DX_PATCH_ERR_RESULT", (bad[40] ^= 1, reseal_header(bad)));
    BAD("truncated", "the last byte missing", "DX_ERR_TRUNCATED", bn--);
    /* records made by hand, their targets worked out by the WIRE FORMAT's rules */
    {
        craft c;
        static const uint8_t raw_past_end[] = {DX_PATCH_REC_RAW, 2};
        /* COPY without CARRY: block 1 from base offset 10 (delta -54, zigzag 107); block 2 keeps the shift (delta
           0) and XORs its first byte; block 3 has no record: unchanged, the shift does not carry */
        static const uint8_t copy_no_carry[] = {DX_PATCH_REC_COPY, 1, 107, 0, DX_PATCH_REC_COPY, 0, 0, 1, 0, 1, 0xff};
        /* CARRY: block 0 from base offset 8 (delta +8, zigzag 16); block 1 has no record: the base at shift 8;
           block 2 an XOR at its own offset (the shift stays 8); block 3 from offset 200: past the base, zeros */
        static const uint8_t carry_xor[] = {DX_PATCH_REC_COPY, 0, 16, 0, DX_PATCH_REC_XOR, 1, 1, 0, 1, 0x01};
        /* LITERAL: block 0 from base offset 5000 (delta +5000, zigzag 10000 = 0x90 0x4e): zeros, its runs are
           "new!" at 0; block 1 has no record: still past the end, zeros; block 2 back at offset 128 (delta
           -5000, zigzag 9999 = 0x8f 0x4e) with no runs */
        static const uint8_t literal[] = {DX_PATCH_REC_COPY, 0, 0x90, 0x4e, 1, 0, 4, 'n', 'e', 'w', '!',
                                          DX_PATCH_REC_COPY, 1, 0x8f, 0x4e, 0};
        /* a source at 2^48 + 201 past max(base length, offset): zigzag(2^48 + 201) */
        uint8_t far[16] = {DX_PATCH_REC_COPY, 0};
        size_t far_n = 2 + dxi_pt_put_varint(far + 2, ((uint64_t)1 << 48 | 201) << 1);
        far[far_n++] = 0; /* no runs */
        craft_header(&c, DX_PATCH_FLAG_ONE_WAY, 64, base, 200, base, 100, 128, 1);
        craft_frame(&c, raw_past_end, sizeof raw_past_end);
        write_vec("bad_raw_past_end", "one way, 200 bytes to their first 100: a RAW record for block 2, past the "
                  "target's end", NULL, "DX_ERR_CORRUPT", base, 200, NULL, 0, c.b, c.len);
        memcpy(x, base, 200);
        memcpy(x + 64, base + 10, 64);
        memcpy(x + 128, base + 74, 64), x[128] ^= 0xff;
        craft_header(&c, DX_PATCH_FLAG_ONE_WAY | DX_PATCH_FLAG_COPY, 64, base, 200, x, 200, 128, 1);
        craft_frame(&c, copy_no_carry, sizeof copy_no_carry);
        write_vec("copy_no_carry", "COPY records without CARRY (made by hand): sources at a shift that the next COPY's "
                  "delta builds on, runs XORed, a block without a record unchanged", NULL, NULL, base, 200, x, 200,
                  c.b, c.len);
        memset(x, 0, sizeof x);
        memcpy(x, base + 8, 192);
        x[128] = (uint8_t)(base[128] ^ 0x01), memcpy(x + 129, base + 129, 63);
        craft_header(&c, DX_PATCH_FLAG_ONE_WAY | DX_PATCH_FLAG_COPY | DX_PATCH_FLAG_CARRY, 64, base, 200, x, 200, 128, 1);
        craft_frame(&c, carry_xor, sizeof carry_xor);
        write_vec("carry_xor", "CARRY (made by hand): a COPY sets the shift, a block without a record follows it, an "
                  "XOR record works at its own offset and keeps the shift, the base ends: zeros", NULL, NULL, base, 200,
                  x, 200, c.b, c.len);
        memset(x, 0, sizeof x);
        memcpy(x, "new!", 4);
        memcpy(x + 128, base + 128, 72);
        craft_header(&c, DX_PATCH_FLAG_ONE_WAY | DX_PATCH_FLAG_COPY | DX_PATCH_FLAG_CARRY | DX_PATCH_FLAG_LITERAL |
                     DX_PATCH_FLAG_WINDOW, 64, base, 200, x, 200, 128, 1);
        put32(c.b + DX_PATCH_HEADER_OFF_WINDOW, 256), reseal_header(c.b); /* in place too */
        craft_frame(&c, literal, sizeof literal);
        write_vec("literal", "LITERAL (made by hand): a source far past the base's end reads zeros, so the runs are "
                  "new bytes; a block without a record follows that shift; a COPY comes back (WINDOW 256: in place too)", NULL,
                  NULL, base, 200,
                  x, 200, c.b, c.len);
        craft_header(&c, DX_PATCH_FLAG_ONE_WAY | DX_PATCH_FLAG_COPY | DX_PATCH_FLAG_CARRY | DX_PATCH_FLAG_WINDOW, 64, base,
                     200, x, 200, 128, 1);
        put32(c.b + DX_PATCH_HEADER_OFF_WINDOW, 256), reseal_header(c.b);
        craft_frame(&c, literal, sizeof literal);
        write_vec("bad_literal_flag", "the literal patch without LITERAL: a source past the base's end and its own "
                  "offset", NULL, "DX_ERR_CORRUPT", base, 200, NULL, 0, c.b, c.len);
        craft_header(&c, DX_PATCH_FLAG_ONE_WAY | DX_PATCH_FLAG_COPY | DX_PATCH_FLAG_CARRY | DX_PATCH_FLAG_LITERAL |
                     DX_PATCH_FLAG_WINDOW, 64, base, 200, x, 200, 128, 1);
        put32(c.b + DX_PATCH_HEADER_OFF_WINDOW, 256), reseal_header(c.b);
        craft_frame(&c, far, far_n);
        write_vec("bad_literal_far", "LITERAL: a source 2^48 + 1 bytes past the base's end", NULL, "DX_ERR_CORRUPT",
                  base, 200, NULL, 0, c.b, c.len);
    }
    {
        /* STREAM (made by hand): two frames whose stored bytes are pieces of one zstd frame (RFC 8878) of raw
           blocks: the first piece holds the zstd frame's header (magic, descriptor 0: no checksum, no content
           size; window descriptor 0: 1 KiB) and a raw block, the second the last raw block */
        craft c;
        uint8_t r1[8], r2[7], s1[32], s2[32], sb[200], st[200];
        size_t i;
        for (i = 0; i < 200; i++) sb[i] = (uint8_t)(i * 7 + 3);
        memcpy(st, sb, 200);
        st[69] ^= 0x11, st[70] ^= 0x22, st[130] ^= 0x33;
        r1[0] = 1, r1[1] = 1, r1[2] = sb[69], r1[3] = 1, r1[4] = 5, r1[5] = 2, r1[6] = 0x11, r1[7] = 0x22;
        r2[0] = 1, r2[1] = 0, r2[2] = sb[130], r2[3] = 1, r2[4] = 2, r2[5] = 1, r2[6] = 0x33;
        memcpy(s1, "\x28\xb5\x2f\xfd\x00\x00", 6);
        s1[6] = (uint8_t)(8 << 3), s1[7] = 0, s1[8] = 0; /* a raw block of 8 bytes, not the last */
        memcpy(s1 + 9, r1, 8);
        s2[0] = (uint8_t)(7 << 3 | 1), s2[1] = 0, s2[2] = 0; /* the last block: raw, 7 bytes */
        memcpy(s2 + 3, r2, 7);
        craft_header(&c, DX_PATCH_FLAG_ZSTD | DX_PATCH_FLAG_WITNESS | DX_PATCH_FLAG_STREAM, 64, sb, 200, st, 200, 128, 2);
        craft_frame_stored(&c, r1, 8, s1, 17);
        craft_frame_stored(&c, r2, 7, s2, 10);
        write_vec("stream", "STREAM (made by hand): two XOR records in two frames, each frame's stored bytes a "
                  "piece of one zstd frame of raw blocks (stored longer than raw: allowed with STREAM)", NULL, NULL,
                  sb, 200, st, 200, c.b, c.len);
        s1[5] = (uint8_t)((25 - 10) << 3); /* a 32 MiB window: above DX_PATCH_STREAM_WINDOW_LOG (24) */
        craft_header(&c, DX_PATCH_FLAG_ZSTD | DX_PATCH_FLAG_WITNESS | DX_PATCH_FLAG_STREAM, 64, sb, 200, st, 200, 128, 2);
        craft_frame_stored(&c, r1, 8, s1, 17);
        craft_frame_stored(&c, r2, 7, s2, 10);
        write_vec("bad_stream_window", "the stream patch with a zstd window of 32 MiB (window descriptor 0x78): "
                  "above the 16 MiB an applier accepts by default", NULL, "DX_ERR_LIMIT", sb, 200, NULL, 0, c.b, c.len);
        s1[5] = 0;
        s1[6] = (uint8_t)(9 << 3); /* the first block announces 9 bytes: its piece ends early */
        memcpy(s1 + 9, r1, 8), s1[17] = r2[0];
        craft_header(&c, DX_PATCH_FLAG_ZSTD | DX_PATCH_FLAG_WITNESS | DX_PATCH_FLAG_STREAM, 64, sb, 200, st, 200, 128, 2);
        craft_frame_stored(&c, r1, 8, s1, 17);
        craft_frame_stored(&c, r2, 7, s2, 10);
        write_vec("bad_stream_short", "the stream patch whose first piece does not give its frame's raw bytes (its "
                  "block announces 9 bytes and the piece holds 8)", NULL, "DX_ERR_CORRUPT", sb, 200, NULL, 0, c.b, c.len);
    }
    memcpy(x, base, 200);
    x[10] ^= 1;
    write_vec("wrong_base", "the basic patch applied to its base with byte 10 changed", NULL,
              "DX_PATCH_ERR_WRONG_BASE", x, 200, NULL, 0, patch, n);
    /* grow: 100 -> 230 bytes */
    memcpy(target, base, 100);
    target[10] ^= 0x80;
    for (i = 100; i < 230; i++) target[i] = (uint8_t)(i * i);
    n = must_diff(&cfg, base, 100, target, 230, patch, sizeof patch);
    write_vec("grow", "100 bytes grow to 230: XOR against the zero-padded base", &cfg, NULL, base, 100, target, 230,
              patch, n);
    /* shrink, one way: 300 -> 140 bytes; XOR, RAW, ZERO records */
    for (i = 200; i < 300; i++) base[i] = (uint8_t)(i * 7 + 3);
    memcpy(target, base, 140);
    target[5] = 0x55;
    cfg.one_way = true;
    n = must_diff(&cfg, base, 300, target, 140, patch, sizeof patch);
    write_vec("shrink_one_way", "300 bytes shrink to 140, one way: XOR, RAW and ZERO records", &cfg, NULL, base, 300,
              target, 140, patch, n);
    /* no witnesses, frames of one record each */
    for (i = 0; i < 400; i++) base[i] = (uint8_t)(i * 2654435761u >> 11), target[i] = base[i];
    for (i = 0; i < 400; i += 50)
        for (k = 0; k < 20; k++) target[i + k] ^= (uint8_t)(0x3c + k);
    cfg.one_way = false, cfg.no_witness = true, cfg.frame_size = 1;
    n = must_diff(&cfg, base, 400, target, 400, patch, sizeof patch);
    write_vec("no_witness_frames", "400 bytes, no witnesses, frames of at most one block + 64 bytes", &cfg, NULL, base,
              400, target, 400, patch, n);
    /* shift: 300 bytes, 9 inserted at 100 and 20 deleted at 200; blocks of 64:
       a SPLIT record where each edit is, the blocks between carry the shift */
    memset(&cfg, 0, sizeof cfg);
    cfg.block_size = 64, cfg.shift = true;
    for (i = 0; i < 300; i++) base[i] = (uint8_t)(i * 2654435761u >> 13);
    memcpy(target, base, 100);
    memcpy(target + 100, "inserted!", 9);
    memcpy(target + 109, base + 100, 100);
    memcpy(target + 209, base + 220, 80);
    n = must_diff(&cfg, base, 300, target, 289, patch, sizeof patch);
    write_vec("shift_carry", "shift mode (COPY, CARRY): 9 bytes inserted at 100, 20 deleted at 200; SPLIT records",
              &cfg, NULL, base, 300, target, 289, patch, n);
    cfg.window = 64; /* the same with sources at most 64 bytes behind: it applies in place */
    n = must_diff(&cfg, base, 300, target, 289, patch, sizeof patch);
    write_vec("shift_window", "shift mode with a 64-byte window (COPY, CARRY, WINDOW): the shift_carry pair, in place too",
              &cfg, NULL, base, 300, target, 289, patch, n);
    /* new bytes: 200 of text with NULs inserted at 60, stored as they are (LITERAL: uncompressed a new byte
       costs what a difference costs, but a NUL read from past the base's end costs nothing) */
    cfg.window = 0;
    memcpy(target, base, 60);
    for (i = 0; i < 200; i++)
        target[60 + i] = i % 4 == 3 ? 0 : (uint8_t)"the quick brown fox jumps over the lazy dog. "[(i * 7) % 45];
    memcpy(target + 260, base + 60, 240);
    n = must_diff(&cfg, base, 300, target, 500, patch, sizeof patch);
    write_vec("shift_literal", "shift mode (COPY, CARRY, LITERAL): 200 new bytes (text, every fourth a NUL) inserted "
              "at 60, taken from past the base's end (zeros), so the runs hold them as they are (a NUL there costs "
              "nothing)", &cfg, NULL, base, 300, target, 500, patch, n);
    /* X86: code-like bytes (E8 calls, 48 8D 05 RIP-relative LEAs, 0F 84 jumps, filler); the target inserts 16
       new bytes at 100 and the calls' and LEAs' displacements after it change by 16, one filler byte too:
       the runs start at marks (even skips, counting marks) but the filler's (odd, counting bytes) */
    {
        static const uint8_t ops[3][3] = {{0xE8, 0, 0}, {0x48, 0x8D, 0x05}, {0x0F, 0x84, 0}};
        static const size_t op_len[3] = {1, 3, 2};
        size_t at = 0, ins = 100;
        memset(&cfg, 0, sizeof cfg);
        cfg.block_size = 64, cfg.shift = true, cfg.x86 = 1;
        for (i = 0; at + 8 <= 380; i++) {
            size_t o = (i * 7) % 3, j;
            for (j = 0; j < op_len[o]; j++) base[at++] = ops[o][j];
            put32(base + at, (uint32_t)(0x1000 + i * 40)), at += 4;
            base[at++] = (uint8_t)(0x90 + i % 5);
        }
        while (at < 380) base[at++] = 0xCC;
        memcpy(target, base, ins);
        for (i = 0; i < 16; i++) target[ins + i] = (uint8_t)(0x41 + i);
        memcpy(target + ins + 16, base + ins, 380 - ins);
        for (i = ins + 16; i + 4 < 396; i++)
            if (target[i - 1] == 0xE8 || target[i - 1] == 0x05) target[i] = (uint8_t)(target[i] + 16);
        target[300] ^= 0x5A;
        n = must_diff(&cfg, base, 380, target, 396, patch, sizeof patch);
        if (!(dx_load_u32le(patch + DX_PATCH_HEADER_OFF_FLAGS) & DX_PATCH_FLAG_X86)) {
            fprintf(stderr, "shift_x86: no X86 flag\n");
            exit(1);
        }
        write_vec("shift_x86", "X86: 16 bytes inserted at 100 into code-like bytes, the displacements after "
                  "it 16 more, one filler byte changed: skips count marks (even) or bytes (odd)", &cfg, NULL, base,
                  380, target, 396, patch, n);
        /* a COPY record at block 0 (source: itself) whose one run skips 40 marks, where the block (bytes
           i * 3, marks at its first byte and after 0x15 and 0x2D: 3 in all) holds fewer */
        {
            craft c;
            static const uint8_t rec[] = {DX_PATCH_REC_COPY, 0, 0, 1, 80, 1, 7};
            for (i = 0; i < 200; i++) x[i] = (uint8_t)(i * 3);
            craft_header(&c, DX_PATCH_FLAG_ONE_WAY | DX_PATCH_FLAG_COPY | DX_PATCH_FLAG_CARRY | DX_PATCH_FLAG_WINDOW |
                         DX_PATCH_FLAG_X86, 64, x, 200, x, 200, 128, 1);
            put32(c.b + DX_PATCH_HEADER_OFF_WINDOW, 256), reseal_header(c.b);
            craft_frame(&c, rec, sizeof rec);
            write_vec("bad_x86_marks", "X86 (with WINDOW): a COPY record at block 0 whose run skips 40 marks (skip 80), where its "
                      "64 bytes hold 3", NULL, "DX_ERR_CORRUPT", x, 200, NULL, 0, c.b, c.len);
        }
    }
    /* NEWBYTES, crafted (the writer makes it only with zstd): one COLUMNS frame stored raw, a window of 256;
       blocks of 64, a base of 128 bytes, a target of 192: a COPY record at block 0 from the base with one run of 2
       differences, a COPY record at block 1 from past the base (LITERAL) with one run of 64 new bytes, a RAW
       record at block 2; the bytes column: the 2 differences, then N = 128 new bytes */
    {
        static const uint8_t cols[] = {3, DX_PATCH_REC_COPY, DX_PATCH_REC_COPY, DX_PATCH_REC_RAW, /* count, types */
                                       0, 0, 0,       /* gaps */
                                       0, 0x80, 0x02, /* deltas: 0, then zigzag(128) = 256 */
                                       1, 1,          /* run counts */
                                       5, 0,          /* skips */
                                       2, 64};        /* lengths */
        static const struct {
            const char *name, *why, *expect;
            uint8_t n0, n1; /* N's varint */
        } nb[] = {{"newbytes", "NEWBYTES: a COPY from the base (2 differences), a COPY from past the base (64 new bytes) "
                   "and a RAW record (64 new bytes); the bytes column: the differences, then N = 128 new bytes",
                   NULL, 0x80, 0x01},
                  {"bad_newbytes_count", "NEWBYTES: the newbytes vector with N = 127 (the new bytes take 128)",
                   "DX_ERR_CORRUPT", 0x7f, 0},
                  {"bad_newbytes_over", "NEWBYTES: the newbytes vector with N = 200 (the bytes column holds 130)",
                   "DX_ERR_CORRUPT", 0xc8, 0x01}};
        uint32_t fl = DX_PATCH_FLAG_ONE_WAY | DX_PATCH_FLAG_COPY | DX_PATCH_FLAG_CARRY | DX_PATCH_FLAG_LITERAL |
                      DX_PATCH_FLAG_WINDOW | DX_PATCH_FLAG_COLUMNS | DX_PATCH_FLAG_NEWBYTES;
        for (i = 0; i < 128; i++) x[i] = (uint8_t)(i * 3);
        memcpy(target, x, 64);
        target[5] = (uint8_t)(x[5] + 0x11), target[6] = (uint8_t)(x[6] + 0x22); /* CARRY: added */
        for (i = 64; i < 192; i++) target[i] = (uint8_t)(i * 11 + 1);
        for (k = 0; k < sizeof nb / sizeof nb[0]; k++) {
            craft c;
            uint8_t rec[256], *q = rec;
            memcpy(q, cols, sizeof cols), q += sizeof cols;
            *q++ = nb[k].n0;
            if (nb[k].n0 & 0x80) *q++ = nb[k].n1;
            *q++ = 0x11, *q++ = 0x22;                 /* the differences */
            memcpy(q, target + 64, 128), q += 128;    /* the new bytes: block 1's run, then block 2's RAW bytes */
            craft_header(&c, fl, 64, x, 128, target, 192, 256, 1);
            put32(c.b + DX_PATCH_HEADER_OFF_WINDOW, 256), reseal_header(c.b); /* in place too */
            craft_frame(&c, rec, (size_t)(q - rec));
            write_vec(nb[k].name, nb[k].why, NULL, nb[k].expect, x, 128, nb[k].expect ? NULL : target,
                      nb[k].expect ? 0 : 192, c.b, c.len);
        }
    }
    /* fuzz seeds against the harnesses' base */
    fuzz_base(fb);
    {
        static const struct {
            const char *name;
            uint32_t block, frame;
            bool one_way, no_witness, backwards;
            size_t tlen;
            int edit; /* 0 sparse, 1 zero a block, 2 nothing, 3 insert and delete (shift mode), 4 the same, window 64,
                         5 200 new bytes inserted at 90 (shift mode: LITERAL), 6 as 3 with X86 */
        } seeds[] = {
            {"forward", 64, 0, false, false, false, 300, 0},  {"backwards", 64, 0, false, false, true, 300, 0},
            {"shrink_one_way", 64, 0, true, false, false, 120, 0},
            {"grow_frames", 64, 1, false, false, false, 500, 0},
            {"no_witness", 128, 0, false, true, false, 300, 0}, {"one_way_zero", 64, 200, true, false, false, 300, 1},
            {"identical", 64, 0, false, false, false, 300, 2},  {"to_empty", 64, 0, false, false, false, 0, 2},
            {"one_way_no_witness", 256, 0, true, true, false, 280, 0},
            {"shift_carry", 64, 0, true, false, false, 290, 3},
            {"shift_window", 64, 0, true, false, false, 290, 4},
            {"shift_literal", 64, 0, true, false, false, 500, 5},
            {"shift_x86", 64, 0, true, false, false, 290, 6},
        };
        for (k = 0; k < sizeof seeds / sizeof seeds[0]; k++) {
            size_t tl = seeds[k].tlen;
            memset(&cfg, 0, sizeof cfg);
            cfg.block_size = seeds[k].block, cfg.frame_size = seeds[k].frame;
            cfg.one_way = seeds[k].one_way, cfg.no_witness = seeds[k].no_witness;
            cfg.shift = seeds[k].edit >= 3;
            if (seeds[k].edit == 5) cfg.level = 9;
            if (seeds[k].edit == 6) cfg.x86 = 1;
            cfg.window = seeds[k].edit == 4 ? 64 : 0;
            memset(x, 0, sizeof x);
            memcpy(x, fb, 300);
            if (seeds[k].edit >= 3) { /* 10 bytes inserted at 90, 20 deleted at 230: tl = 290 */
                memset(x + 90, 0x77, 10);
                memcpy(x + 100, fb + 90, 140);
                memcpy(x + 240, fb + 250, 50);
            }
            for (i = 300; i < tl; i++) x[i] = (uint8_t)(i * 3);
            if (seeds[k].edit == 0)
                for (i = 7; i < tl; i += 61) x[i] ^= (uint8_t)(i | 1), x[i + 2 < tl ? i + 2 : i] = 0;
            if (seeds[k].edit == 1) memset(x + 64, 0, 64), memset(x + 200, 0xee, 64);
            if (seeds[k].edit == 5) {
                memcpy(x + 290, fb + 90, 210);
                for (i = 0; i < 200; i++) x[90 + i] = (uint8_t)"pack my box with five dozen liquor jugs. "[(i * 5) % 41];
            }
            if (seeds[k].backwards) n = must_diff(&cfg, x, tl, fb, 300, patch, sizeof patch);
            else n = must_diff(&cfg, fb, 300, x, tl, patch, sizeof patch);
            write_seed("patch_apply", seeds[k].name, 0, patch, n);
            write_seed("patch_stream", seeds[k].name, (uint8_t)(k * 37 + 1), patch, n);
        }
    }
    { /* STREAM: the stream vector's two frames against the harnesses' base (they build with zstd) */
        craft c;
        uint8_t r1[8], r2[7], s1[17], s2[10], st[300];
        memcpy(st, fb, 300);
        st[69] ^= 0x11, st[70] ^= 0x22, st[130] ^= 0x33;
        r1[0] = 1, r1[1] = 1, r1[2] = fb[69], r1[3] = 1, r1[4] = 5, r1[5] = 2, r1[6] = 0x11, r1[7] = 0x22;
        r2[0] = 1, r2[1] = 0, r2[2] = fb[130], r2[3] = 1, r2[4] = 2, r2[5] = 1, r2[6] = 0x33;
        memcpy(s1, "\x28\xb5\x2f\xfd\x00\x00\x40\x00\x00", 9), memcpy(s1 + 9, r1, 8);
        memcpy(s2, "\x39\x00\x00", 3), memcpy(s2 + 3, r2, 7);
        craft_header(&c, DX_PATCH_FLAG_ZSTD | DX_PATCH_FLAG_WITNESS | DX_PATCH_FLAG_STREAM, 64, fb, 300, st, 300, 128, 2);
        craft_frame_stored(&c, r1, 8, s1, 17);
        craft_frame_stored(&c, r2, 7, s2, 10);
        write_seed("patch_apply", "stream", 0, c.b, c.len);
        write_seed("patch_stream", "stream", 99, c.b, c.len);
    }
    { /* NEWBYTES: the newbytes vector's records against the harnesses' base (300 bytes; the literal source
         at block 1 is 64 + 300, then blocks 3 and 4 carry that shift: zeros) */
        static const uint8_t cols[] = {3, DX_PATCH_REC_COPY, DX_PATCH_REC_COPY, DX_PATCH_REC_RAW, 0, 0, 0,
                                       0, 0xd8, 0x04, /* deltas: 0, then zigzag(300) = 600 */
                                       1, 1, 5, 0, 2, 64, 0x80, 0x01 /* run counts, skips, lengths, N = 128 */};
        craft c;
        uint8_t rec[256], nt[320], *q = rec;
        memset(nt, 0, sizeof nt);
        memcpy(nt, fb, 64);
        nt[5] = (uint8_t)(fb[5] + 0x11), nt[6] = (uint8_t)(fb[6] + 0x22);
        for (i = 64; i < 192; i++) nt[i] = (uint8_t)(i * 11 + 1);
        memcpy(q, cols, sizeof cols), q += sizeof cols;
        *q++ = 0x11, *q++ = 0x22;
        memcpy(q, nt + 64, 128), q += 128;
        craft_header(&c, DX_PATCH_FLAG_ONE_WAY | DX_PATCH_FLAG_COPY | DX_PATCH_FLAG_CARRY | DX_PATCH_FLAG_LITERAL |
                     DX_PATCH_FLAG_WINDOW | DX_PATCH_FLAG_COLUMNS | DX_PATCH_FLAG_NEWBYTES, 64, fb, 300, nt, 320, 256, 1);
        put32(c.b + DX_PATCH_HEADER_OFF_WINDOW, 512), reseal_header(c.b);
        craft_frame(&c, rec, (size_t)(q - rec));
        write_seed("patch_apply", "newbytes", 0, c.b, c.len);
        write_seed("patch_stream", "newbytes", 77, c.b, c.len);
    }
    return 0;
}
#else
int main(int argc, char **argv) { return prop_main(argc, argv, tests, sizeof tests / sizeof tests[0]); }
#endif
