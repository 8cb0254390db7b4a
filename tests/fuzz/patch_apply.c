/* patch_apply.c - libFuzzer harness for dx_patch.h's one-shot apply calls.
   Build with libFuzzer:  clang -g -O1 -fsanitize=fuzzer,address,undefined -I. tests/fuzz/patch_apply.c
   Without libFuzzer:     cc -I. tests/fuzz/patch_apply.c tests/fuzz/fuzz_main.c   (replays files)
   The input is a patch, applied to a fixed 300-byte base out of place and in
   place. On any error the in-place data (and the buffer after it) must be
   exactly as before; on success both calls agree (COPY patches without a
   window: in place is refused), and a reversible patch
   applied again gives the base back (or fails, leaving the result alone).
   dx_patch_apply_chain, with the input alone and after a patch from zeros to
   the base (then it applies in place unless it has COPY records), gives what
   dx_patch_apply gives or an error, and no error where that applied forward. */
/* fuzz flags: -DDX_PATCH_WITH_ZSTD -lzstd */
#define DX_IMPLEMENTATION
#include "dx_patch.h"
#include <string.h>

#define FZ_BASE 300
#define FZ_CAP 4096

/* The base; tests/patch_test.c (PATCH_WRITE_VECTORS) makes the seeds against the same bytes. */
static void fuzz_base(uint8_t *b) {
    size_t i;
    for (i = 0; i < FZ_BASE; i++) b[i] = (uint8_t)(i % 50 < 20 ? 0 : i * 29 + 7);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static uint8_t base[FZ_BASE], out[FZ_CAP], buf[FZ_CAP], copy[FZ_CAP], spare[FZ_CAP], zeros[FZ_BASE], first[1024];
    static int64_t first_len;
    dx_patch_info info;
    int64_t r_out, r_in, r_back, r_chain;
    const uint8_t *chain[2];
    size_t lens[2];
    bool forward;
    fuzz_base(base);
    memset(out, 0xa5, sizeof out);
    r_out = dx_patch_apply(data, size, base, FZ_BASE, out, sizeof out);
    forward = r_out >= 0 && dx_patch_read_info(data, size, &info) == DX_OK && info.base_len == FZ_BASE &&
              info.base_hash == dx_patch_xxh64(base, FZ_BASE, 0);
    if (!first_len) {
        dx_patch_config cfg;
        memset(&cfg, 0, sizeof cfg);
        if ((first_len = dx_patch_diff(&cfg, zeros, FZ_BASE, base, FZ_BASE, first, sizeof first)) <= 0) __builtin_trap();
    }
    chain[0] = first, lens[0] = (size_t)first_len, chain[1] = data, lens[1] = size;
    for (r_back = 0; r_back < 2; r_back++) { /* the input alone, then second */
        r_chain = r_back == 0 ? dx_patch_apply_chain(chain + 1, lens + 1, 1, base, FZ_BASE, buf, spare, sizeof buf)
                              : dx_patch_apply_chain(chain, lens, 2, zeros, FZ_BASE, buf, spare, sizeof buf);
        if (r_chain >= 0 && (r_chain != r_out || memcmp(buf, out, (size_t)r_chain) != 0)) __builtin_trap();
        if (r_chain < 0 && forward) __builtin_trap();
    }
    memset(buf, 0x5a, sizeof buf);
    memcpy(buf, base, FZ_BASE);
    memcpy(copy, buf, sizeof buf);
    r_in = dx_patch_apply_in_place(data, size, buf, FZ_BASE, sizeof buf, false);
    if (r_in < 0 && memcmp(buf, copy, sizeof buf) != 0) __builtin_trap(); /* an error wrote to the data */
    if (r_in == DX_ERR_UNSUPPORTED && dx_patch_read_info(data, size, &info) == DX_OK && (info.flags & DX_PATCH_FLAG_COPY) &&
        !(info.flags & DX_PATCH_FLAG_WINDOW))
        return 0; /* COPY patches without a window apply out of place only */
    if ((r_out < 0) != (r_in < 0)) __builtin_trap();                     /* the calls disagree */
    if (r_in < 0) return 0;
    if (r_out != r_in || r_in > FZ_CAP || memcmp(out, buf, (size_t)r_in) != 0) __builtin_trap();
    if (dx_patch_read_info(data, size, &info) != DX_OK) __builtin_trap();
    if (info.flags & DX_PATCH_FLAG_ONE_WAY) return 0;
    /* reversible: back to the base, or an error that leaves the result as it is */
    memcpy(copy, buf, sizeof buf);
    r_back = dx_patch_apply_in_place(data, size, buf, (size_t)r_in, sizeof buf, false);
    if (r_back >= 0 && (r_back != FZ_BASE || memcmp(buf, base, FZ_BASE) != 0)) __builtin_trap();
    if (r_back < 0 && memcmp(buf, copy, sizeof buf) != 0) __builtin_trap();
    return 0;
}
