/* statekeeper_copy.c - libFuzzer harness for statekeeper's reader of its local copies
   (examples/statekeeper/statekeeper.c, COPY FILE: the path, segment hashes and footer at the end
   of a file in STORE/sk-copy, which captures and restores read and never trust).
   Build with libFuzzer:  clang -g -O1 -fsanitize=fuzzer,address,undefined -I. tests/fuzz/statekeeper_copy.c
   Without libFuzzer:     cc -I. tests/fuzz/statekeeper_copy.c tests/fuzz/fuzz_main.c   (replays files)
   Input: byte 0 chooses the target, the rest is its input:
     0-127   a copy file as it is: when it reads, its parts add up to its length, the path is
             NUL-terminated and not empty, and there is one hash per segment of the content;
     128-255 a copy file written by statekeeper's writer (copy_close) from the input (byte 1:
             the root's bytes and which byte to flip; the rest: the content, whose first bytes
             name the path): it must read back as written, and with any one byte of what follows
             the content flipped it must not read. */
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
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
