/* patch_diff.c - libFuzzer harness for dx_patch.h's diff (the matcher: anchors, the packed suffix array, the
   hash matcher, the program that splits blocks between sources).
   Build with libFuzzer:  clang -g -O1 -fsanitize=fuzzer,address,undefined -I. tests/fuzz/patch_diff.c
   Without libFuzzer:     cc -I. tests/fuzz/patch_diff.c tests/fuzz/fuzz_main.c   (replays files)
   The files a diff reads are anyone's (dx_sync publishes what it is given), so
   the diff must neither crash nor write a wrong patch on any pair. Input: a
   config byte, a count of base ops, then ops that build the base and the
   target (literal bytes, pseudo-random bytes, runs of one byte, copies from
   the base with a few bytes changed: long copies make anchors and leave base
   bytes out of the suffix array). The patch must be made (the bound is
   enough) and must apply to exactly the target, out of place and, where the
   diff had a window (or chose XOR blocks or RAW records), in place. */
/* fuzz flags: -DDX_PATCH_WITH_ZSTD -lzstd */
/* fuzz replay mutations: 400 */
#define DX_IMPLEMENTATION
#include "dx_patch.h"
#include <stdlib.h>
#include <string.h>

#define FZ_MAX (48u << 10) /* base and target each: small enough for thousands of runs under ASan */

typedef struct fz_in {
    const uint8_t *p;
    size_t left;
} fz_in;

static unsigned fz_byte(fz_in *in) {
    if (!in->left) return 0;
    in->left--;
    return *in->p++;
}

/* Runs one op (its byte first) onto out[*len..]: bytes from the input, noise,
   a run, or a copy of src (the base so far, or the base) with every 61st+k byte changed. */
static void fz_op(fz_in *in, uint8_t *out, size_t *len, const uint8_t *src, size_t src_len) {
    unsigned op = fz_byte(in), kind = op & 3, arg = op >> 2;
    size_t n, i, at;
    switch (kind) {
    case 0: /* literal: the next arg + 1 input bytes */
        for (n = arg + 1; n && in->left && *len < FZ_MAX; n--) out[(*len)++] = (uint8_t)fz_byte(in);
        break;
    case 1: { /* noise: (arg + 1) x 64 bytes of a generator seeded by the next byte */
        uint32_t x = 0x9e3779b9u ^ (fz_byte(in) * 0x01000193u);
        for (n = (arg + 1) * 64u; n && *len < FZ_MAX; n--) x ^= x << 13, x ^= x >> 17, x ^= x << 5, out[(*len)++] = (uint8_t)x;
        break;
    }
    case 2: { /* a run: (arg + 1) x 32 copies of the next byte */
        unsigned b = fz_byte(in);
        for (n = (arg + 1) * 32u; n && *len < FZ_MAX; n--) out[(*len)++] = (uint8_t)b;
        break;
    }
    default: { /* a copy of (arg + 1) x 64 bytes from src at the next two bytes x 8, changed every 61 + k bytes */
        unsigned hi = fz_byte(in), lo = fz_byte(in), k = fz_byte(in);
        if (!src_len) break;
        at = ((size_t)hi << 8 | lo) * 8 % src_len;
        for (n = (arg + 1) * 64u, i = 0; i < n && at + i < src_len && *len < FZ_MAX; i++)
            out[(*len)++] = (uint8_t)(src[at + i] + (k && (i % (61 + k)) == 60 ? k : 0));
        break;
    }
    }
}

/* cfg.thread_start as a thread that runs each frame's compression late, at thread_join: the next frame's
   records are written before the frame is placed */
typedef struct fz_late {
    void (*job)(void *arg);
    void *arg;
} fz_late;

static void *fz_late_start(void *user, void (*job)(void *arg), void *arg) {
    fz_late *l = (fz_late *)user;
    l->job = job, l->arg = arg;
    return l;
}

static void fz_late_join(void *user, void *handle) {
    (void)user;
    ((fz_late *)handle)->job(((fz_late *)handle)->arg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static uint8_t base[FZ_MAX], target[FZ_MAX], out[FZ_MAX], buf[FZ_MAX];
    static const uint32_t windows[4] = {0, 1024, 4096, 16384}, blocks[4] = {4096, 1024, 256, 16384};
    dx_patch_config cfg;
    fz_late late;
    fz_in in;
    size_t base_len = 0, target_len = 0, cap;
    unsigned conf, base_ops, shape;
    uint8_t *patch;
    int64_t plen, r;
    unsigned mode = 0;
    if (size < 2) return 0;
    in.p = data, in.left = size;
    conf = fz_byte(&in), base_ops = fz_byte(&in);
    while (base_ops-- && in.left) fz_op(&in, base, &base_len, base, base_len); /* the base repeats itself too */
    while (in.left) fz_op(&in, target, &target_len, base, base_len);

    memset(&cfg, 0, sizeof cfg);
    shape = conf >> 6; /* 0, 1: shift mode at a level (1 with zstd: frames with base ranges as prefixes, or DICT
                          dictionaries); 2: shift
                          with a window; 3: the automatic choice, or with a window */
    cfg.level = (conf & 15) == 15 ? 9 : (int)(conf & 7) + 1;
    cfg.block_size = blocks[conf >> 4 & 3];
#if defined(DX_PATCH_WITH_ZSTD)
    cfg.zstd_level = conf & 8 ? 1 : 0;
#endif
    cfg.shift = shape != 3;
    if (shape == 2) cfg.window = windows[1 + (conf >> 3 & 1) + (conf >> 5 & 1)];
    if (shape == 1 && cfg.zstd_level) cfg.prefix = 1024u << (conf >> 4 & 3); /* PREFIX: 1 to 8 KiB of the base */
    if (shape == 1 && cfg.zstd_level && (conf & 1)) cfg.dict = true, cfg.dict_margin = 24u * (conf >> 1 & 3); /* DICT */
    if (shape == 3 && (conf & 1)) cfg.dict = true; /* DICT for text, as dxdiff asks */
    if (shape == 3 && (conf & 0x20)) cfg.window = 4096; /* what dxdiff diff --in-place asks for */
    cfg.x86 = size & 1 ? 1 : -1; /* X86 run skips (shift mode), or never: the bits of conf are taken */
    if (size & 2) cfg.thread_start = fz_late_start, cfg.thread_join = fz_late_join, cfg.thread_user = &late;
    cap = dx_patch_bound(base_len, target_len, &cfg);
    if (!cap || !(patch = (uint8_t *)malloc(cap))) __builtin_trap();
    plen = shape == 3 ? dx_patch_diff_auto(&cfg, base, base_len, target, target_len, patch, cap, &mode)
                      : dx_patch_diff(&cfg, base, base_len, target, target_len, patch, cap);
    if (plen < DX_PATCH_HEADER_SIZE) __builtin_trap(); /* within the bound a diff always succeeds */
    r = dx_patch_apply(patch, (size_t)plen, base, base_len, out, target_len);
    if (r != (int64_t)target_len || memcmp(out, target, target_len) != 0) __builtin_trap();
    if (cfg.window || (shape == 3 && mode != DX_PATCH_MODE_SHIFT)) { /* applies in place too */
        memcpy(buf, base, base_len);
        r = dx_patch_apply_in_place(patch, (size_t)plen, buf, base_len, FZ_MAX, false);
        if (r != (int64_t)target_len || memcmp(buf, target, target_len) != 0) __builtin_trap();
    }
    free(patch);
    return 0;
}
