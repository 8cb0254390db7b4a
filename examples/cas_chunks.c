/* cas_chunks.c - dx_cas example: cuts a file into FastCDC chunks as it reads
   it, hashes each chunk, and prints the file's Merkle root: the identity a
   dx_cas blob of the file has (a client can check any one chunk against it
   with an inclusion proof).

       cc -std=c99 -I. -O2 examples/cas_chunks.c -o build/cas_chunks
       build/cas_chunks [-v] [--avg BYTES] FILE      (- reads standard input)

   -v lists the chunks: offset, length, id. */
#define DX_IMPLEMENTATION
#include "dx_cas.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PIECE 65536

typedef struct chunk_sink {
    dx_cas_hash_alg hash_alg;
    dx_cas_merkle tree;
    uint64_t chunks, bytes;
    int verbose;
} chunk_sink;

static void add_chunk(chunk_sink *s, const uint8_t *data, const dx_cas_chunk *c) {
    dx_cas_id id;
    uint8_t leaf[32];
    dx_cas_id_hash(&s->hash_alg, data, c->length, &id); /* the chunk's id, as a store names it */
    dx_cas_chunk_leaf(&s->hash_alg, &id, leaf);      /* its Merkle leaf, as dx_cas_blob_writer makes it */
    dx_cas_merkle_push(&s->tree, leaf);
    s->chunks++;
    s->bytes += c->length;
    if (s->verbose) {
        char text[DX_CAS_ID_TEXT_SIZE];
        dx_cas_id_format(&id, text, sizeof text);
        printf("%12llu %8lu %s\n", (unsigned long long)c->offset, (unsigned long)c->length, text);
    }
}

int main(int argc, char **argv) {
    dx_cas_chunker_config cfg = {0}; /* FastCDC, 16 KiB average */
    dx_cas_chunker ch;
    dx_cas_chunk c;
    chunk_sink s;
    const char *path = NULL;
    FILE *f;
    uint8_t *buf;
    size_t have = 0, fed = 0, cap, n, used;
    uint64_t base = 0; /* stream offset of buf[0] */
    uint8_t root[32];
    dx_cas_id rid;
    char text[DX_CAS_ID_TEXT_SIZE];
    int i;
    memset(&s, 0, sizeof s);
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0) s.verbose = 1;
        else if (strcmp(argv[i], "--avg") == 0 && i + 1 < argc) cfg.avg_size = (uint32_t)strtoul(argv[++i], NULL, 10);
        else path = argv[i];
    }
    if (!path) {
        fprintf(stderr, "usage: cas_chunks [-v] [--avg BYTES] FILE\n");
        return 2;
    }
    if (dx_cas_chunker_init(&ch, &cfg) != DX_OK) {
        fprintf(stderr, "cas_chunks: bad chunk size\n");
        return 2;
    }
    dx_cas_hash_alg_init(&s.hash_alg, DX_CAS_ALG_SHA256);
    dx_cas_merkle_init(&s.tree, &s.hash_alg);
    f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    cap = (size_t)ch.max_size + PIECE + 2; /* an unfinished chunk plus one piece */
    buf = (uint8_t *)malloc(cap);
    if (!f || !buf) {
        perror(path);
        return 1;
    }
    for (;;) {
        n = fread(buf + have, 1, PIECE, f);
        have += n;
        while (fed < have) { /* feed what we have; chunks are given as stream offsets */
            if (dx_cas_chunker_feed(&ch, buf + fed, have - fed, &used, &c)) add_chunk(&s, buf + (c.offset - base), &c);
            fed += used;
        }
        if (n == 0) break;
        { /* keep only the bytes of the unfinished chunk */
            size_t keep_from = (size_t)(ch.start - base);
            memmove(buf, buf + keep_from, have - keep_from);
            have -= keep_from, fed -= keep_from, base = ch.start;
        }
    }
    if (dx_cas_chunker_finish(&ch, &c)) add_chunk(&s, buf + (c.offset - base), &c);
    if (f != stdin) fclose(f);
    free(buf);
    dx_cas_merkle_root(&s.tree, root);
    rid.alg = DX_CAS_ALG_SHA256;
    memcpy(rid.digest, root, 32);
    dx_cas_id_format(&rid, text, sizeof text);
    printf("%s: %llu bytes, %llu chunks, root %s\n", path, (unsigned long long)s.bytes, (unsigned long long)s.chunks,
           text);
    return 0;
}
