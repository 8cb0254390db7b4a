/* hbtp_framer.c - libFuzzer harness for dx_hbtp.h's framer: split invariance.
   Build with libFuzzer:  clang -g -O1 -fsanitize=fuzzer,address,undefined -I. tests/fuzz/hbtp_framer.c
   Without libFuzzer:     cc -I. tests/fuzz/hbtp_framer.c tests/fuzz/fuzz_main.c   (replays files)
   Input: byte 0 picks max_payload (0-127, or 32 * (b - 128)); the low 4 bits of
   byte 1 say how many split sizes follow (0: one piece); the rest is the byte
   stream. The stream goes to a framer in pieces of those sizes (cycling; 0
   feeds an empty piece), each piece its own exact-size copy so ASan sees any
   read outside it. The framer must give exactly the frames dx_hbtp_parse finds
   in the whole stream, then the same final result; frames wholly inside a
   piece must point into it (not copied), and only the bytes of frames across
   pieces may be copied. A mismatch traps. */
#define DX_IMPLEMENTATION
#include "dx_hbtp.h"
#include <stdlib.h>
#include <string.h>

#define FZ_CHECK(c) \
    do { \
        if (!(c)) __builtin_trap(); \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static uint8_t fbuf[8 + 127 * 32];
    dx_hbtp_framer fr;
    dx_hbtp_frame f, *ref;
    size_t *ref_off, nsplit, len, nref = 0, at = 0, k = 0, si = 0, zeros = 0, copied = 0;
    const uint8_t *splits, *stream;
    uint32_t max_payload;
    int64_t r;
    dx_result err = DX_ERR_TRUNCATED, final;
    if (size < 2) return 0;
    max_payload = data[0] < 128 ? data[0] : 32u * (uint32_t)(data[0] - 128);
    nsplit = data[1] & 15u;
    if (size < 2 + nsplit) return 0;
    splits = data + 2;
    stream = data + 2 + nsplit;
    len = size - 2 - nsplit;

    /* the reference: dx_hbtp_parse over the contiguous stream */
    ref = (dx_hbtp_frame *)malloc((len / 8 + 1) * sizeof *ref);
    ref_off = (size_t *)malloc((len / 8 + 1) * sizeof *ref_off);
    if (!ref || !ref_off) abort();
    while ((r = dx_hbtp_parse(stream + at, len - at, max_payload, &ref[nref])) > 0) {
        FZ_CHECK(r == 8 + (int64_t)ref[nref].length && ref[nref].payload == stream + at + 8);
        FZ_CHECK(ref[nref].length <= max_payload);
        ref_off[nref++] = at;
        at += (size_t)r;
    }
    final = (dx_result)r;
    FZ_CHECK(final == DX_ERR_TRUNCATED || final == DX_HBTP_ERR_OPCODE || final == DX_ERR_UNSUPPORTED ||
             final == DX_HBTP_ERR_TOO_LARGE);

    /* the framer over pieces */
    FZ_CHECK(dx_hbtp_framer_init(&fr, fbuf, 8 + (size_t)max_payload, max_payload) == DX_OK);
    for (at = 0; at < len;) {
        size_t piece = nsplit ? splits[si++ % nsplit] : len - at;
        uint8_t *copy;
        if (piece == 0 && ++zeros > nsplit) piece = len - at; /* only zero sizes: finish in one piece */
        if (piece) zeros = 0;
        if (piece > len - at) piece = len - at;
        copy = (uint8_t *)malloc(piece ? piece : 1);
        if (!copy) abort();
        if (piece) memcpy(copy, stream + at, piece);
        FZ_CHECK(dx_hbtp_framer_feed(&fr, copy, piece) == DX_OK);
        while ((err = dx_hbtp_framer_next(&fr, &f)) == DX_OK) {
            const dx_hbtp_frame *w = &ref[k];
            FZ_CHECK(k < nref);
            FZ_CHECK(f.opcode == w->opcode && f.flags == w->flags && f.stream == w->stream && f.length == w->length);
            FZ_CHECK(f.length == 0 || memcmp(f.payload, w->payload, f.length) == 0);
            if (ref_off[k] >= at && ref_off[k] + 8 + w->length <= at + piece) {
                FZ_CHECK(f.payload == copy + (ref_off[k] - at) + 8); /* zero copy */
            } else {
                FZ_CHECK(f.payload == fbuf + 8);
                copied += 8 + (size_t)w->length;
            }
            k++;
        }
        FZ_CHECK(dx_hbtp_framer_drop_input(&fr) == 0 || err != DX_ERR_TRUNCATED);
        free(copy);
        at += piece;
        if (err != DX_ERR_TRUNCATED) {
            FZ_CHECK(dx_hbtp_framer_next(&fr, &f) == err); /* sticky */
            break;
        }
    }
    FZ_CHECK(k == nref && fr.frames == nref);
    FZ_CHECK(err == final);
    /* copied: the frames across pieces, plus what waits in the buffer (a partial frame or a bad header) */
    FZ_CHECK(fr.bytes_copied == copied + fr.have);
    FZ_CHECK(fr.have <= 8 + (size_t)max_payload);
    free(ref);
    free(ref_off);
    return 0;
}
