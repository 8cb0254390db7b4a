/* dx_cas.c - what a firmware pays for dx_cas.h's core: SHA-256, FastCDC and a
   Merkle root (no stores, no proofs, no BLAKE3 called). An image arrives in
   pieces from a volatile buffer (a flash page, a DMA ring); the chunker cuts
   it, each chunk is hashed with SHA-256 and its leaf pushed into a streaming
   Merkle tree, and the root (the image's identity, as a dx_cas blob names
   it) goes into a volatile sink. Built by tests/firmware/size.sh.
   DX_CAS_NO_BLAKE3: a firmware that hashes with SHA-256 only leaves BLAKE3
   out (about 1.9 KiB of code that dx_cas_hasher's run-time choice would
   otherwise keep). */
#define DX_CAS_NO_BLAKE3
#define DX_IMPLEMENTATION
#include "dx_cas.h"

void fw_main(void);

#define FW_PIECE 256u
#define FW_MAX 4096u                 /* the longest chunk */

volatile uint8_t fw_in[FW_PIECE];    /* the next piece of the image */
volatile uint32_t fw_in_len;
volatile uint32_t fw_pieces;         /* how many pieces the image has */
volatile uint8_t fw_root[32];        /* the image's Merkle root */
volatile uint32_t fw_chunks;

static uint8_t window[FW_MAX + FW_PIECE]; /* the unfinished chunk and the piece after it */

static void add_chunk(const dx_cas_hash_alg *alg, dx_cas_merkle *tree, const uint8_t *data, uint32_t len) {
    dx_cas_id id;
    uint8_t leaf[32];
    dx_cas_id_hash(alg, data, len, &id); /* the chunk's id: SHA-256 of its bytes */
    dx_cas_chunk_leaf(alg, &id, leaf);   /* H(0x00 || digest) */
    dx_cas_merkle_push(tree, leaf);
    fw_chunks++;
}

void fw_main(void) {
    dx_cas_hash_alg alg;
    dx_cas_chunker_config cc;
    dx_cas_chunker ch;
    dx_cas_merkle tree;
    dx_cas_chunk c;
    uint64_t base = 0;  /* stream offset of window[0] */
    size_t have = 0, fed = 0, used, keep;
    uint32_t piece, i, n;
    uint8_t root[32];
    dx_cas_hash_alg_init(&alg, DX_CAS_ALG_SHA256);
    DX_MEMSET(&cc, 0, sizeof cc);
    cc.min_size = 256, cc.avg_size = 1024, cc.max_size = FW_MAX;
    if (dx_cas_chunker_init(&ch, &cc) != DX_OK) return;
    dx_cas_merkle_init(&tree, &alg);
    for (piece = 0; piece < fw_pieces; piece++) {
        n = fw_in_len > FW_PIECE ? FW_PIECE : fw_in_len;
        for (i = 0; i < n; i++) window[have + i] = fw_in[i];
        have += n;
        while (fed < have) {
            if (dx_cas_chunker_feed(&ch, window + fed, have - fed, &used, &c))
                add_chunk(&alg, &tree, window + (size_t)(c.offset - base), c.length);
            fed += used;
        }
        keep = (size_t)(ch.start - base); /* keep only the unfinished chunk */
        for (i = 0; i < have - keep; i++) window[i] = window[keep + i];
        have -= keep, fed -= keep, base = ch.start;
    }
    if (dx_cas_chunker_finish(&ch, &c)) add_chunk(&alg, &tree, window + (size_t)(c.offset - base), c.length);
    dx_cas_merkle_root(&tree, root);
    for (i = 0; i < 32; i++) fw_root[i] = root[i];
}
