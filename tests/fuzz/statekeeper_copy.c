/* statekeeper_copy.c - libFuzzer harness for statekeeper's reader of its local copies
   (examples/statekeeper/statekeeper.c, COPY FILE: the path, segment hashes and footer at the end
   of a file in STORE/sk-copy, which captures and restores read and never trust).
   Build with libFuzzer:  clang -g -O1 -fsanitize=fuzzer,address,undefined -I. tests/fuzz/statekeeper_copy.c
   Without libFuzzer:     cc -I. tests/fuzz/statekeeper_copy.c tests/fuzz/fuzz_main.c   (replays files)
   Input: byte 0 chooses the target, the rest is its input:
     0-95    a copy file as it is: when it reads, its parts add up to its length, the path is
             NUL-terminated and not empty, and there is one hash per segment of the content;
     96-127  a chunk list (<copy>.cl) as it is, read to its end: when it checks, its entries add
             up to the content's size;
     128-191 a copy file written by statekeeper's writer (copy_close) from the input (byte 1:
             the root's bytes and which byte to flip; the rest: the content, whose first bytes
             name the path): it must read back as written, and with any one byte of what follows
             the content flipped it must not read;
     192-255 a capture's Merkle root made with the previous version's chunk list (inc_root): a
             content of up to 600 KiB from a seed (bytes 1-4), edited at and around the old chunks'
             ends (each 4 bytes after byte 6: which chunk end, how far from it, the new byte), read
             in pieces of a size from byte 5, its length changed by byte 6: the root, and the new
             list, must be those of chunking and hashing the new content whole, and every chunk
             taken from the list must have been one of the new content's. */
#define main statekeeper_main /* the program's main is not the harness's */
#include "examples/statekeeper/statekeeper.c"
#undef main

#define FZ_CHECK(c) \
    do { \
        if (!(c)) __builtin_trap(); \
    } while (0)

static int fz_file(const uint8_t *data, size_t size) { /* a temporary file holding data */
    FILE *t = tmpfile();
    int fd;
    if (!t) return -1;
    fd = dup(fileno(t));
    fclose(t); /* tmpfile's is unlinked: the dup keeps it */
    if (fd >= 0 && size && pwrite(fd, data, size, 0) != (ssize_t)size) {
        close(fd);
        return -1;
    }
    return fd;
}

static void fz_written(const uint8_t *data, size_t size) {
    char path[40], held[4096];
    uint8_t root[32], got_root[32], b;
    uint64_t got_size, *hash = NULL, nseg, len;
    size_t content = size - 2, i, plen;
    frec f;
    copy c;
    int fd;
    for (plen = 0; plen < content && plen < 30 && data[2 + plen] > ' ' && data[2 + plen] < 127; plen++) path[plen] = (char)data[2 + plen];
    if (plen == 0) path[plen++] = 'p';
    path[plen] = 0;
    memset(root, data[1], 32);
    memset(&f, 0, sizeof f);
    f.path = path, f.size = content, f.kind = KIND_CHUNKS;
    memcpy(f.root, root, 32);
    nseg = content / SEG_SIZE + (content % SEG_SIZE != 0);
    memset(&c, 0, sizeof c);
    if ((c.fd = fz_file(data + 2, content)) < 0) return;
    fd = dup(c.fd);
    c.passes = 1, c.out_n = c.out_cap = (size_t)nseg;
    c.out_hash = (uint64_t *)malloc((size_t)(nseg ? nseg : 1) * 8);
    FZ_CHECK(c.out_hash != NULL && fd >= 0);
    for (i = 0; i < nseg; i++)
        c.out_hash[i] = dx_patch_xxh64(data + 2 + i * SEG_SIZE, content - i * SEG_SIZE < SEG_SIZE ? content - i * SEG_SIZE : SEG_SIZE, 0);
    snprintf(c.name, sizeof c.name, "%s", "/nonexistent/statekeeper-fuzz"); /* what a failure would unlink */
    copy_close(&c, &f); /* writes the path, hashes and footer after the content; closes c.fd */
    FZ_CHECK(copy_read_meta(fd, &got_size, got_root, held, sizeof held, &hash));
    FZ_CHECK(got_size == content && !memcmp(got_root, root, 32) && !strcmp(held, path));
    for (i = 0; i < nseg; i++)
        FZ_CHECK(hash[i] == dx_patch_xxh64(data + 2 + i * SEG_SIZE, content - i * SEG_SIZE < SEG_SIZE ? content - i * SEG_SIZE : SEG_SIZE, 0));
    free(hash), hash = NULL;
    len = plen + 8 * nseg + COPY_FOOTER; /* after the content */
    i = (size_t)((data[1] * 2654435761u) % len);
    FZ_CHECK(pread(fd, &b, 1, (off_t)(content + i)) == 1);
    b ^= (uint8_t)(1u << (data[1] & 7));
    FZ_CHECK(pwrite(fd, &b, 1, (off_t)(content + i)) == 1);
    FZ_CHECK(!copy_read_meta(fd, &got_size, got_root, held, sizeof held, &hash));
    free(hash);
    close(fd);
}

/* the whole content chunked and hashed at once: its root, and its list in lo when given */
static void fz_full_root(const uint8_t *d, size_t n, const dx_cas_hash_alg *alg, uint8_t root[32], list_out *lo) {
    dx_cas_chunker ch;
    dx_cas_chunker_config cc;
    dx_cas_merkle tree;
    dx_cas_chunk c;
    size_t at = 0, used;
    memset(&cc, 0, sizeof cc);
    dx_cas_chunker_init(&ch, &cc);
    dx_cas_merkle_init(&tree, alg);
    for (;;) {
        bool cut;
        if (at < n) {
            cut = dx_cas_chunker_feed(&ch, d + at, n - at, &used, &c);
            at += used;
        } else if (!(cut = dx_cas_chunker_finish(&ch, &c))) {
            break;
        }
        if (cut) {
            dx_cas_id id;
            uint8_t leaf[32];
            dx_cas_id_hash(alg, d + c.offset, c.length, &id);
            dx_cas_chunk_leaf(alg, &id, leaf);
            dx_cas_merkle_push(&tree, leaf);
            if (lo) list_out_add(lo, (uint32_t)c.length, id.digest);
        }
    }
    dx_cas_merkle_root(&tree, root);
}

static list_out *fz_list_out(const dx_cas_hash_alg *alg) {
    list_out *lo = (list_out *)calloc(1, sizeof *lo);
    FZ_CHECK(lo != NULL && (lo->fd = fz_file(NULL, 0)) >= 0);
    dx_cas_hasher_init(&lo->hasher, alg);
    return lo;
}

static void fz_inc_root(const uint8_t *data, size_t size) {
    static sk g;
    static dx_cas_mem mem;
    static bool ready;
    uint32_t seed = dx_load_u32le(data + 1) | 1u, x;
    size_t n = 4096 + seed % (600u << 10), m, piece = 1 + (size_t)data[5] * 4099, i, k, ends = 0;
    uint8_t *old, *cur, root_full[32], root_inc[32], root_old[32];
    uint64_t *end_at, off;
    list_out *lo_old, *lo_new, *lo_ref;
    list_in *li;
    inc_root ir;
    if (!ready) {
        dx_cas_mem_config mc;
        memset(&mc, 0, sizeof mc);
        dx_cas_hash_alg_init(&g.alg, DX_CAS_ALG_SHA256);
        FZ_CHECK(dx_cas_mem_create(&mem, &mc) == DX_OK && dx_cas_mem_store(&mem, &g.alg, &g.s) == DX_OK);
        pthread_mutex_init(&g.store_mu, NULL);
        ready = true;
    }
    m = (size_t)((int64_t)n + (int64_t)(int8_t)data[6] * 37 > 0 ? (int64_t)n + (int64_t)(int8_t)data[6] * 37 : 1); /* new length */
    old = (uint8_t *)malloc(n + 1), cur = (uint8_t *)malloc(m + 1), end_at = (uint64_t *)malloc((n / 4096 + 2) * 8);
    FZ_CHECK(old && cur && end_at);
    for (i = 0, x = seed; i < n; i++) { /* xorshift32 bytes */
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        old[i] = (uint8_t)(x >> 11);
    }
    lo_old = fz_list_out(&g.alg); /* the old version's list, as a capture writes it */
    fz_full_root(old, n, &g.alg, root_old, lo_old);
    list_out_flush(lo_old);
    for (i = 0, off = 0; i < lo_old->count; i++) { /* the old chunks' ends */
        uint8_t e[4];
        FZ_CHECK(pread(lo_old->fd, e, 4, (off_t)(DX_CAS_MANIFEST_HEADER_SIZE + i * LIST_ENTRY)) == 4);
        off += dx_load_u32le(e);
        end_at[ends++] = off;
    }
    FZ_CHECK(off == n && list_out_finish(lo_old, n, root_old));
    for (i = 0; i < m; i++) cur[i] = i < n ? old[i] : (uint8_t)(i * 7);
    for (k = 7; k + 4 <= size; k += 4) { /* an edit at or near a chunk's end */
        int64_t at = (int64_t)end_at[data[k] % ends] + (int8_t)data[k + 1] % 8;
        if (at >= 0 && (uint64_t)at < m) cur[at] = data[k + 3] == cur[at] ? (uint8_t)~data[k + 3] : data[k + 3];
    }
    li = list_in_open(dup(lo_old->fd), n, root_old, &g.alg);
    FZ_CHECK(li != NULL);
    lo_new = fz_list_out(&g.alg);
    FZ_CHECK(inc_init(&ir, &g, li, lo_new) == DX_OK);
    for (off = 0; off < m; off += piece) { /* the pieces a pass reads, with the old bytes at the same place */
        size_t got = m - off < piece ? (size_t)(m - off) : piece, blen = off < n ? (n - off < got ? (size_t)(n - off) : got) : 0;
        FZ_CHECK(inc_segment(&ir, cur + off, got, old + off, blen, off) == DX_OK);
    }
    FZ_CHECK(inc_finish(&ir, m, root_inc) == DX_OK);
    inc_free(&ir);
    FZ_CHECK(list_in_close(li)); /* read to its end: it checks */
    lo_ref = fz_list_out(&g.alg);
    fz_full_root(cur, m, &g.alg, root_full, lo_ref);
    FZ_CHECK(!memcmp(root_inc, root_full, 32));
    FZ_CHECK(list_out_finish(lo_new, m, root_inc) && list_out_finish(lo_ref, m, root_full) && lo_new->count == lo_ref->count);
    { /* the two lists, byte for byte */
        size_t len = (size_t)(DX_CAS_MANIFEST_HEADER_SIZE + lo_new->count * LIST_ENTRY + LIST_TRAILER);
        uint8_t *a = (uint8_t *)malloc(len), *b = (uint8_t *)malloc(len);
        FZ_CHECK(a && b && pread(lo_new->fd, a, len, 0) == (ssize_t)len && pread(lo_ref->fd, b, len, 0) == (ssize_t)len);
        FZ_CHECK(!memcmp(a, b, len));
        free(a), free(b);
    }
    close(lo_old->fd), close(lo_new->fd), close(lo_ref->fd);
    free(lo_old), free(lo_new), free(lo_ref), free(old), free(cur), free(end_at);
}

/* a list as it is: read to its end when it opens (for a content of the size and root it names) */
static void fz_list(const uint8_t *data, size_t size) {
    dx_cas_hash_alg alg;
    uint64_t total;
    list_in *li;
    int fd;
    if (size < DX_CAS_MANIFEST_HEADER_SIZE || (fd = fz_file(data, size)) < 0) return;
    dx_cas_hash_alg_init(&alg, DX_CAS_ALG_SHA256);
    total = dx_load_u64le(data + DX_CAS_MANIFEST_OFF_TOTAL_SIZE);
    if ((li = list_in_open(fd, total, data + DX_CAS_MANIFEST_OFF_ROOT, &alg)) != NULL) {
        uint64_t sum = 0, pos = 0;
        while (list_in_at(li, pos)) sum += li->len, pos += li->len; /* every entry in turn */
        if (list_in_close(li)) FZ_CHECK(sum == total);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    if (data[0] >= 192) {
        if (size >= 7) fz_inc_root(data, size);
        return 0;
    }
    if (data[0] >= 96 && data[0] < 128) {
        fz_list(data + 1, size - 1);
        return 0;
    }
    if (data[0] < 128) {
        char held[4096];
        uint8_t root[32];
        uint64_t got_size, *hash = NULL, nseg;
        int fd = fz_file(data + 1, size - 1);
        if (fd < 0) return 0;
        if (copy_read_meta(fd, &got_size, root, held, sizeof held, &hash)) {
            size_t plen = strlen(held);
            nseg = got_size / SEG_SIZE + (got_size % SEG_SIZE != 0);
            FZ_CHECK(plen > 0 && plen < sizeof held && hash != NULL);
            FZ_CHECK(got_size + plen + 8 * nseg + COPY_FOOTER == size - 1);
            if (nseg) FZ_CHECK(hash[nseg - 1] == hash[nseg - 1]); /* readable (ASan) */
        }
        free(hash);
        close(fd);
        return 0;
    }
    fz_written(data, size);
    return 0;
}
