/* cas_object.c - libFuzzer harness for dx_cas.h's stored object encoding ("DXCZ").
   Build with libFuzzer:  clang -g -O1 -fsanitize=fuzzer,address,undefined -I. tests/fuzz/cas_object.c -DDX_CAS_WITH_ZSTD -lzstd
   Without libFuzzer:     cc -I. tests/fuzz/cas_object.c tests/fuzz/fuzz_main.c -DDX_CAS_WITH_ZSTD -lzstd
   The input is what a store file holds (untrusted): plain bytes or a header and
   a zstd frame. Decoding into a 64 KiB buffer must give an error or at most
   that many bytes (never more: a bomb is refused), agree with
   dx_cas_object_size, and what decodes must encode and decode back to itself.
   Without DX_CAS_WITH_ZSTD (tests/cross.sh builds it so) zstd forms must be
   refused as DX_ERR_UNSUPPORTED and the rest still holds. */
/* fuzz flags: -DDX_CAS_WITH_ZSTD -lzstd */
#define DX_IMPLEMENTATION
#include "dx_cas.h"
#include <string.h>
#if defined(DX_CAS_WITH_ZSTD)
#include <zstd.h>
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static uint8_t out[65536], enc[65536 + DX_CAS_OBJECT_HEADER_SIZE], back[65536];
    static void *cctx, *dctx;
    uint32_t method = 99;
    int64_t n, m, k;
#if defined(DX_CAS_WITH_ZSTD)
    if (!cctx) {
        cctx = ZSTD_createCCtx(), dctx = ZSTD_createDCtx();
        if (!cctx || !dctx) __builtin_trap();
        ZSTD_CCtx_setParameter((ZSTD_CCtx *)cctx, ZSTD_c_compressionLevel, 1);
    }
#endif
    m = dx_cas_object_size(data, size, &method);
    n = dx_cas_object_decode(dctx, data, size, out, sizeof out);
    if (n > (int64_t)sizeof out) __builtin_trap();
#if !defined(DX_CAS_WITH_ZSTD)
    if (m >= 0 && m <= (int64_t)sizeof out && method == DX_CAS_OBJECT_METHOD_ZSTD && n != DX_ERR_UNSUPPORTED) __builtin_trap();
#endif
    if (n < 0) {
        if (m >= 0 && m <= (int64_t)sizeof out && method == DX_CAS_OBJECT_METHOD_RAW) __builtin_trap(); /* plain forms decode */
        return 0;
    }
    if (m != n) __builtin_trap();
    if (method == DX_CAS_OBJECT_METHOD_RAW && size > 0 && !(size >= 4 && memcmp(data, "DXCZ", 4) == 0) &&
        (size != (size_t)n || memcmp(out, data, size) != 0))
        __builtin_trap();
    k = dx_cas_object_encode(cctx, out, (size_t)n, enc, sizeof enc);
    if (k < 0 || k > n + DX_CAS_OBJECT_HEADER_SIZE) __builtin_trap();
    if (dx_cas_object_decode(dctx, enc, (size_t)k, back, sizeof back) != n || memcmp(back, out, (size_t)n) != 0)
        __builtin_trap();
    return 0;
}
