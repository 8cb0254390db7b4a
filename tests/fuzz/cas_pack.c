/* cas_pack.c - libFuzzer harness for dx_cas.h's pack files ("DXCK", the directory store's packs/<hex>.pack).
   Build with libFuzzer:  clang -g -O1 -fsanitize=fuzzer,address,undefined -I. tests/fuzz/cas_pack.c -DDX_CAS_WITH_ZSTD -lzstd
   Without libFuzzer:     cc -I. tests/fuzz/cas_pack.c tests/fuzz/fuzz_main.c -DDX_CAS_WITH_ZSTD -lzstd
   The input is a whole pack file (untrusted). dx_cas_pack_parse must return an
   error or an index whose every entry lies inside the records area; parsing only
   the trailer must ask for more (DX_ERR_TRUNCATED) or agree, and parsing only the
   index and trailer (as the directory store reads them) must agree with the whole.
   Each record a good index names is then decoded as a stored object ("DXCZ") into
   a 64 KiB buffer: an error or at most that many bytes, never a crash; an object
   inside a shared record (INNER > 0) never ends past DX_CAS_PACK_RECORD_MAX. */
/* fuzz flags: -DDX_CAS_WITH_ZSTD -lzstd */
#define DX_IMPLEMENTATION
#include "dx_cas.h"
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static uint8_t out[65536];
    dx_cas_pack_index whole, part;
    dx_result r, r2;
    uint32_t i;
    size_t tail;
    r = dx_cas_pack_parse(data, size, size, 0, &whole);
    if (size >= DX_CAS_PACK_TRAILER_SIZE) { /* the trailer alone: TRUNCATED with the count, or the same answer */
        r2 = dx_cas_pack_parse(data + size - DX_CAS_PACK_TRAILER_SIZE, DX_CAS_PACK_TRAILER_SIZE, size, 0, &part);
        if (r == DX_OK && r2 != DX_OK && (r2 != DX_ERR_TRUNCATED || part.count != whole.count)) __builtin_trap();
        if (r2 == DX_ERR_TRUNCATED) { /* what the store then reads: the index and the trailer */
            if (part.index_offset > size || part.index_offset < DX_CAS_PACK_HEADER_SIZE) __builtin_trap();
            tail = size - (size_t)part.index_offset;
            r2 = dx_cas_pack_parse(data + part.index_offset, tail, size, 0, &part);
            if (r == DX_OK && (r2 != DX_OK || part.count != whole.count || memcmp(part.sum, whole.sum, 32) != 0)) __builtin_trap();
        }
    }
    if (r != DX_OK) return 0;
    if (whole.index_offset + (uint64_t)whole.count * DX_CAS_PACK_ENTRY_SIZE + DX_CAS_PACK_TRAILER_SIZE != size) __builtin_trap();
    for (i = 0; i < whole.count; i++) {
        dx_cas_pack_entry e;
        int64_t n;
        dx_cas_pack_index_entry(&whole, i, &e);
        if (e.offset < DX_CAS_PACK_HEADER_SIZE || e.offset > whole.index_offset || e.stored > whole.index_offset - e.offset)
            __builtin_trap();
        if (e.inner > 0 && (uint64_t)e.inner + e.size > DX_CAS_PACK_RECORD_MAX) __builtin_trap();
        n = dx_cas_object_decode(NULL, data + e.offset, e.stored, out, sizeof out);
        if (n > (int64_t)sizeof out) __builtin_trap();
        if (n >= 0 && (uint64_t)e.inner + e.size <= (uint64_t)n && e.size) { /* the object's bytes, as the store takes them */
            volatile uint8_t last = out[e.inner + e.size - 1];
            (void)last;
        }
    }
    return 0;
}
