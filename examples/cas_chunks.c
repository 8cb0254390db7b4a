/* cas_chunks.c - dx_cas example: cuts a file into FastCDC chunks as it reads
   it, hashes each chunk, and prints the file's Merkle root: the identity a
   dx_cas blob of the file has (a client can check any one chunk against it
   with an inclusion proof).

       cc -std=c99 -I. -O2 examples/cas_chunks.c -o build/cas_chunks
       build/cas_chunks [-v] [--avg BYTES] FILE      (- reads standard input)

   -v lists the chunks: offset, length, id. --help tells the rest. */
#define _FILE_OFFSET_BITS 64 /* files over 2 GiB on 32-bit hosts (tool.h checks): before any header */
#define DX_IMPLEMENTATION
#include "dx_cas.h"
#include "tool.h"
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

static const char usage[] =
    "usage: cas_chunks [-v] [--avg BYTES] [--progress | --quiet] FILE\n"
    "Cuts FILE into content-defined chunks (FastCDC) as dx_cas stores it, and prints\n"
    "FILE: N bytes, N chunks, root sha256-...: the Merkle root over the chunk ids,\n"
    "which is the identity of a dx_cas blob of FILE. FILE - reads standard input.\n"
    "In FILE as printed, control bytes are \\n, \\t, \\r or \\xHH and a backslash is \\\\.\n"
    "  -v            list the chunks first: offset, length, id\n"
    "  --avg BYTES   average chunk size, 256 to 4M (K/M suffixes; default 16K);\n"
    "                the minimum is a quarter of it, the maximum four times it\n"
    "  --progress    a progress line on stderr even when it is not a terminal\n"
    "  --quiet       no progress line\n"
    "  -h, --help    this text\n"
    "  --version     the dx_cas.h version it is built from\n"
    "exit status: 0 ok, 1 failure (FILE unreadable), 2 bad usage\n";

int main(int argc, char **argv) {
    dx_cas_chunker_config cfg;
    dx_cas_chunker ch;
    dx_cas_chunk c;
    chunk_sink s;
    const char *path = NULL;
    FILE *f;
    uint8_t *buf;
    size_t have = 0, fed = 0, cap, n, used;
    uint64_t base = 0, total = 0, v; /* base: stream offset of buf[0] */
    uint8_t root[32];
    dx_cas_id rid;
    char text[DX_CAS_ID_TEXT_SIZE];
    int i, options = 1, e;
    memset(&cfg, 0, sizeof cfg); /* FastCDC, 16 KiB average */
    memset(&s, 0, sizeof s);
    tool_start("cas_chunks", usage);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (options && tool_is_help(a)) return tool_help();
        if (options && !strcmp(a, "--version"))
            return tool_version(TOOL_HEADER_VERSION("dx_cas.h", DX_CAS_VERSION_MAJOR, DX_CAS_VERSION_MINOR,
                                                    DX_CAS_VERSION_PATCH));
        if (options && !strcmp(a, "--")) options = 0;
        else if (options && !strcmp(a, "-v")) s.verbose = 1;
        else if (options && !strcmp(a, "--progress")) tool.progress = 1;
        else if (options && !strcmp(a, "--quiet")) tool.progress = -1;
        else if (options && (!strcmp(a, "--avg") || !strncmp(a, "--avg=", 6))) {
            const char *val = a[5] == '=' ? a + 6 : i + 1 < argc ? argv[++i] : NULL;
            if (!val) return tool_usage_error("--avg needs a value");
            if (tool_parse_u64(val, 256, 4u << 20, true, &v) != 0)
                return tool_usage_error("--avg: not a size from 256 to 4M: %s", tool_shown(val));
            cfg.avg_size = (uint32_t)v;
        } else if (options && a[0] == '-' && a[1]) return tool_usage_error("unknown option %s", tool_shown(a));
        else if (!path) path = a;
        else return tool_usage_error("one FILE only (got %s and %s)", tool_shown(path), tool_shown(a));
    }
    if (!path) return tool_usage_error("no FILE given");
    if (dx_cas_chunker_init(&ch, &cfg) != DX_OK) return tool_usage_error("--avg: unusable chunk size");
    dx_cas_hash_alg_init(&s.hash_alg, DX_CAS_ALG_SHA256);
    dx_cas_merkle_init(&s.tree, &s.hash_alg);
    if (strcmp(path, "-") == 0) {
        f = stdin;
    } else {
        struct stat st;
        if (stat(path, &st) != 0) {
            e = errno;
            return tool_fail("cannot open %s: %s", tool_shown(path), strerror(e));
        }
        if ((st.st_mode & S_IFMT) == S_IFDIR) return tool_fail("%s is a directory", tool_shown(path));
        if ((st.st_mode & S_IFMT) == S_IFREG) total = (uint64_t)st.st_size;
        if (!(f = fopen(path, "rb"))) {
            e = errno;
            return tool_fail("cannot open %s: %s", tool_shown(path), strerror(e));
        }
    }
    cap = (size_t)ch.max_size + PIECE + 2; /* an unfinished chunk plus one piece */
    if (!(buf = (uint8_t *)malloc(cap))) {
        if (f != stdin) fclose(f);
        return tool_fail("out of memory (%lu bytes)", (unsigned long)cap);
    }
    tool_progress_start("chunking", total, "MiB");
    for (;;) {
        n = fread(buf + have, 1, PIECE, f);
        have += n;
        while (fed < have) { /* feed what we have; chunks are given as stream offsets */
            if (dx_cas_chunker_feed(&ch, buf + fed, have - fed, &used, &c)) add_chunk(&s, buf + (c.offset - base), &c);
            fed += used;
        }
        tool_progress(base + have);
        if (n == 0) break;
        { /* keep only the bytes of the unfinished chunk */
            size_t keep_from = (size_t)(ch.start - base);
            memmove(buf, buf + keep_from, have - keep_from);
            have -= keep_from, fed -= keep_from, base = ch.start;
        }
    }
    if (ferror(f)) {
        e = errno;
        free(buf);
        if (f != stdin) fclose(f);
        return tool_fail("cannot read %s: %s", strcmp(path, "-") ? tool_shown(path) : "standard input", strerror(e));
    }
    tool_progress_end(true);
    if (dx_cas_chunker_finish(&ch, &c)) add_chunk(&s, buf + (c.offset - base), &c);
    if (f != stdin) fclose(f);
    free(buf);
    dx_cas_merkle_root(&s.tree, root);
    rid.alg = DX_CAS_ALG_SHA256;
    memcpy(rid.digest, root, 32);
    dx_cas_id_format(&rid, text, sizeof text);
    printf("%s: %llu bytes, %llu chunks, root %s\n", tool_shown(path), (unsigned long long)s.bytes, (unsigned long long)s.chunks,
           text);
    if (fflush(stdout) != 0 || ferror(stdout)) return tool_fail("cannot write the output");
    return 0;
}
