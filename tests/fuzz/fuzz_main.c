/* fuzz_main.c - runs a libFuzzer harness without libFuzzer (as stb's fuzz_main.c).
   usage: HARNESS [--mutations=N] [--seed=S] FILE_OR_DIR...
   Replays every file; with --mutations it also replays N deterministic
   mutants of each (bit flips, byte sets, truncations, splices), so `make
   test` explores beyond the seeds even where libFuzzer is not available.
   Prints "<name>: N inputs" and exits 0; a bug crashes (sanitizers) or traps. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <dirent.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long inputs, mutations;
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void) { /* xorshift64*: deterministic mutants */
    rng ^= rng >> 12, rng ^= rng << 25, rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1dull;
}

static void run(const uint8_t *data, size_t size) {
    uint8_t *copy = (uint8_t *)malloc(size ? size : 1); /* exact size: ASan sees overruns */
    if (!copy) exit(2);
    if (size) memcpy(copy, data, size);
    LLVMFuzzerTestOneInput(copy, size);
    free(copy);
    inputs++;
}

static void mutate_and_run(const uint8_t *data, size_t size) {
    unsigned long m;
    uint8_t *b = (uint8_t *)malloc(size + 16);
    if (!b) exit(2);
    for (m = 0; m < mutations; m++) {
        size_t n = size, k, edits = 1 + (size_t)(next() % 4);
        memcpy(b, data, size);
        for (k = 0; k < edits && n; k++) {
            size_t at = (size_t)(next() % n);
            switch (next() % 5) {
            case 0: b[at] ^= (uint8_t)(1u << (next() % 8)); break;
            case 1: b[at] = (uint8_t)next(); break;
            case 2: b[at] = (uint8_t)((next() & 1) ? 0xff : 0); break;
            case 3: n = at; break; /* truncate */
            default: { /* overwrite 4 bytes with an interesting 32-bit value */
                static const uint32_t v[] = {0, 1, 0x7fffffffu, 0x80000000u, 0xffffffffu, 80, 24};
                uint32_t x = v[next() % (sizeof v / sizeof v[0])];
                if (at + 4 <= n) b[at] = (uint8_t)x, b[at + 1] = (uint8_t)(x >> 8), b[at + 2] = (uint8_t)(x >> 16), b[at + 3] = (uint8_t)(x >> 24);
            }
            }
        }
        run(b, n);
    }
    free(b);
}

static void run_file(const char *path) {
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long size;
    if (!f) { fprintf(stderr, "cannot open %s\n", path); exit(2); }
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = (uint8_t *)malloc(size > 0 ? (size_t)size : 1);
    if (!buf || (size > 0 && fread(buf, 1, (size_t)size, f) != (size_t)size)) { fprintf(stderr, "cannot read %s\n", path); exit(2); }
    fclose(f);
    run(buf, (size_t)size);
    mutate_and_run(buf, (size_t)size);
    free(buf);
}

static void run_path(const char *path) {
    struct stat st;
    DIR *d;
    struct dirent *e;
    if (stat(path, &st) != 0) { fprintf(stderr, "cannot stat %s\n", path); exit(2); }
    if (!S_ISDIR(st.st_mode)) { run_file(path); return; }
    d = opendir(path);
    if (!d) { fprintf(stderr, "cannot open %s\n", path); exit(2); }
    for (;;) {
        char full[4096];
        errno = 0;
        if ((e = readdir(d)) == NULL) break;
        if (e->d_name[0] == '.') continue;
        snprintf(full, sizeof full, "%s/%s", path, e->d_name);
        run_path(full);
    }
    if (errno != 0) { fprintf(stderr, "cannot list %s\n", path); exit(2); }
    closedir(d);
}

int main(int argc, char **argv) {
    int i;
    const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    for (i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--mutations=", 12) == 0) mutations = strtoul(argv[i] + 12, NULL, 10);
        else if (strncmp(argv[i], "--seed=", 7) == 0) rng = strtoull(argv[i] + 7, NULL, 10) | 1;
        else run_path(argv[i]);
    }
    printf("%s: %lu inputs\n", name, inputs);
    return inputs ? 0 : 2; /* no input means the corpus was not found: not a pass */
}
