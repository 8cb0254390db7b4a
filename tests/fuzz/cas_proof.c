/* cas_proof.c - libFuzzer harness for dx_cas.h's proof decoder and verifiers.
   Build with libFuzzer:  clang -g -O1 -fsanitize=fuzzer,address,undefined -I. tests/fuzz/cas_proof.c
   Without libFuzzer:     cc -I. tests/fuzz/cas_proof.c tests/fuzz/fuzz_main.c   (replays files)
   The input is a proof in the DXCP wire format, checked against a fixed tree
   of 13 leaves (leaf i = the Merkle leaf of the byte i). A proof that verifies
   for sizes within that tree must be exactly the proof dx_cas generates: any
   other accepted proof would be a forgery. */
#define DX_IMPLEMENTATION
#include "dx_cas.h"
#include <string.h>

#define FZ_LEAVES 13

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static uint8_t leaves[FZ_LEAVES * 32], roots[FZ_LEAVES + 1][32], want[DX_CAS_PROOF_MAX * 32];
    static dx_cas_hash_alg alg;
    static int ready;
    dx_cas_proof p;
    const uint8_t *hashes = NULL;
    uint8_t a[32], b[32];
    int64_t n, w;
    dx_result r;
    unsigned i;
    if (!ready) {
        dx_cas_hash_alg_init(&alg, DX_CAS_ALG_SHA256);
        for (i = 0; i < FZ_LEAVES; i++) {
            uint8_t byte = (uint8_t)i;
            dx_cas_merkle_leaf(&alg, &byte, 1, leaves + 32 * i);
        }
        for (i = 0; i <= FZ_LEAVES; i++) dx_cas_merkle_root_of(&alg, leaves, i, roots[i]);
        ready = 1;
    }
    n = dx_cas_proof_decode(data, size, &p, &hashes);
    if (n < 0) return 0;
    if ((size_t)n > size || p.count > DX_CAS_PROOF_MAX || hashes != data + DX_CAS_PROOF_HEADER_SIZE) __builtin_trap();
    memset(a, 0x11, 32), memset(b, 0x22, 32);
    if (p.kind == DX_CAS_PROOF_KIND_INCLUSION) {
        if (p.b <= FZ_LEAVES && p.a < p.b) memcpy(a, leaves + 32 * p.a, 32), memcpy(b, roots[p.b], 32);
        r = dx_cas_proof_verify(&alg, &p, hashes, a, b);
        if (r == DX_OK) {
            if (p.b > FZ_LEAVES) __builtin_trap(); /* no tree of that size has these roots */
            w = dx_cas_merkle_inclusion_proof(&alg, leaves, p.b, p.a, want, DX_CAS_PROOF_MAX);
            if (w != (int64_t)p.count || memcmp(want, hashes, 32 * (size_t)p.count) != 0) __builtin_trap();
        }
    } else {
        if (p.b <= FZ_LEAVES) memcpy(a, roots[p.a], 32), memcpy(b, roots[p.b], 32);
        r = dx_cas_proof_verify(&alg, &p, hashes, a, b);
        if (r == DX_OK && p.b <= FZ_LEAVES && p.a > 0 && p.a < p.b) {
            w = dx_cas_merkle_consistency_proof(&alg, leaves, p.b, p.a, want, DX_CAS_PROOF_MAX);
            if (w != (int64_t)p.count || memcmp(want, hashes, 32 * (size_t)p.count) != 0) __builtin_trap();
        }
        if (r == DX_OK && p.b > FZ_LEAVES && p.a != 0 && p.a != p.b) __builtin_trap();
    }
    return 0;
}
