/* cas_manifest.c - libFuzzer harness for dx_cas.h's manifest parser.
   Build with libFuzzer:  clang -g -O1 -fsanitize=fuzzer,address,undefined -I. tests/fuzz/cas_manifest.c
   Without libFuzzer:     cc -I. tests/fuzz/cas_manifest.c tests/fuzz/fuzz_main.c   (replays files)
   The input is a manifest (untrusted). A parse that succeeds must describe
   exactly the input: its length, its chunk lengths summing to the total, all
   within the limits, and a root that is the Merkle root of its chunk ids (a
   PARTS manifest: parts of one power of two of chunks, the last no longer,
   sizes and counts summing to the header's, the root that of the parts'
   roots); on failure the output is untouched. */
#define DX_IMPLEMENTATION
#include "dx_cas.h"
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    dx_cas_hash_alg alg;
    dx_cas_manifest m, guard;
    dx_cas_limits lim;
    dx_cas_merkle tree;
    uint8_t root[32];
    uint64_t i, sum = 0;
    dx_result r;
    dx_cas_hash_alg_init(&alg, DX_CAS_ALG_SHA256);
    memset(&lim, 0, sizeof lim);
    lim.max_chunks = 1000, lim.max_chunk_size = 1 << 20, lim.max_total = 1u << 30;
    memset(&m, 0xa5, sizeof m);
    guard = m;
    r = dx_cas_manifest_parse(&alg, data, size, &lim, &m);
    if (r != DX_OK) {
        if (memcmp(&m, &guard, sizeof m) != 0) __builtin_trap();
        return 0;
    }
    if (m.total_size > lim.max_total || m.entries != data + DX_CAS_MANIFEST_HEADER_SIZE) __builtin_trap();
    if (m.parts) { /* the entries are parts */
        uint64_t chunks = 0;
        uint32_t span = 0;
        if (m.parts < 2 || m.parts > lim.max_chunks || size != DX_CAS_MANIFEST_HEADER_SIZE + m.parts * DX_CAS_PART_ENTRY_SIZE)
            __builtin_trap();
        dx_cas_merkle_init(&tree, &alg);
        for (i = 0; i < m.parts; i++) {
            dx_cas_part part;
            dx_cas_manifest_part(&m, i, &part);
            if (i == 0) span = part.count;
            if (span < 2 || (span & (span - 1)) || part.count == 0 || (i + 1 < m.parts ? part.count != span : part.count > span))
                __builtin_trap();
            if (part.size < part.count || part.size > (uint64_t)part.count * lim.max_chunk_size) __builtin_trap();
            chunks += part.count, sum += part.size;
            dx_cas_merkle_push(&tree, part.root);
        }
        dx_cas_merkle_root(&tree, root);
        if (chunks != m.count || sum != m.total_size || memcmp(root, m.root, 32) != 0) __builtin_trap();
        return 0;
    }
    if (m.count > lim.max_chunks) __builtin_trap();
    if (m.entries != data + DX_CAS_MANIFEST_HEADER_SIZE || size != DX_CAS_MANIFEST_HEADER_SIZE + m.count * 36) __builtin_trap();
    dx_cas_merkle_init(&tree, &alg);
    for (i = 0; i < m.count; i++) {
        dx_cas_id id;
        uint32_t len;
        uint8_t leaf[32];
        dx_cas_manifest_entry(&m, i, &id, &len);
        if (len == 0 || len > lim.max_chunk_size) __builtin_trap();
        sum += len;
        dx_cas_chunk_leaf(&alg, &id, leaf);
        dx_cas_merkle_push(&tree, leaf);
    }
    dx_cas_merkle_root(&tree, root);
    if (sum != m.total_size || memcmp(root, m.root, 32) != 0) __builtin_trap();
    return 0;
}
