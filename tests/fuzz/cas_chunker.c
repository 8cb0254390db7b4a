/* cas_chunker.c - libFuzzer harness for dx_cas.h's streaming chunker.
   Build with libFuzzer:  clang -g -O1 -fsanitize=fuzzer,address,undefined -I. tests/fuzz/cas_chunker.c
   Without libFuzzer:     cc -I. tests/fuzz/cas_chunker.c tests/fuzz/fuzz_main.c   (replays files)
   Input: 8 bytes of configuration (mode, sizes, level, seed), then the data.
   The data fed in pieces (sizes drawn from the data) must give the chunks of
   one call, and so must a chunker fed a byte at a time that hashes every pair
   (zero_skip off: runs of zeros are not stepped over); chunks are contiguous,
   cover the data, and respect the maximum. */
#define DX_IMPLEMENTATION
#include "dx_cas.h"
#include <string.h>

#define FZ_MAX_CHUNKS 4096

static size_t chunk_all(const dx_cas_chunker_config *cfg, const uint8_t *d, size_t len, const uint8_t *sizes,
                        size_t nsizes, bool every_pair, dx_cas_chunk *out) {
    static const uint8_t one = 0;
    dx_cas_chunker c;
    dx_cas_chunk ch;
    size_t n = 0, at = 0, used, k = 0;
    if (dx_cas_chunker_init(&c, cfg) != DX_OK) __builtin_trap();
    if (every_pair) c.zero_skip = false, sizes = &one, nsizes = 1;
    while (at < len) {
        size_t piece = nsizes ? (size_t)sizes[k++ % nsizes] + 1 : len - at;
        if (piece > len - at) piece = len - at;
        while (piece) {
            bool found = dx_cas_chunker_feed(&c, d + at, piece, &used, &ch);
            if (used > piece) __builtin_trap();
            at += used, piece -= used;
            if (found) {
                if (n == FZ_MAX_CHUNKS || ch.offset + ch.length > at) __builtin_trap();
                out[n++] = ch;
            } else if (piece) {
                __builtin_trap();
            }
        }
    }
    if (dx_cas_chunker_finish(&c, &ch)) {
        if (n == FZ_MAX_CHUNKS) __builtin_trap();
        out[n++] = ch;
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static dx_cas_chunk a[FZ_MAX_CHUNKS], b[FZ_MAX_CHUNKS], r[FZ_MAX_CHUNKS];
    dx_cas_chunker_config cfg;
    dx_cas_chunker c;
    size_t na, nb, nr, i;
    uint64_t next = 0;
    if (size < 8) return 0;
    memset(&cfg, 0, sizeof cfg);
    cfg.mode = data[0] & 1 ? DX_CAS_CHUNKER_MODE_FIXED : DX_CAS_CHUNKER_MODE_FASTCDC;
    cfg.avg_size = 256u + (uint32_t)data[1] * 8u;
    cfg.min_size = 64u + (uint32_t)data[2] * (cfg.avg_size - 64u) / 255u;
    cfg.max_size = (cfg.avg_size < 1024u ? 1024u : cfg.avg_size) + (uint32_t)data[3] * 16u;
    cfg.normalization = data[4] % 5u;
    cfg.seed = data[5] & 1 ? (uint64_t)data[6] * 0x9e3779b97f4a7c15ull : 0;
    if (dx_cas_chunker_init(&c, &cfg) != DX_OK) __builtin_trap(); /* every config made here is valid */
    na = chunk_all(&cfg, data + 8, size - 8, NULL, 0, false, a);
    nb = chunk_all(&cfg, data + 8, size - 8, data, 8, false, b);
    nr = chunk_all(&cfg, data + 8, size - 8, NULL, 0, true, r);
    if (na != nb || na != nr) __builtin_trap();
    for (i = 0; i < na; i++) {
        if (a[i].offset != next || a[i].length == 0 || a[i].length > c.max_size) __builtin_trap();
        if (a[i].offset != b[i].offset || a[i].length != b[i].length || a[i].hash != b[i].hash) __builtin_trap();
        if (a[i].offset != r[i].offset || a[i].length != r[i].length || a[i].hash != r[i].hash) __builtin_trap();
        next += a[i].length;
    }
    if (next != size - 8) __builtin_trap();
    return 0;
}
