/* cas_index.c - libFuzzer harness for dx_cas.h's packs' index ("DXCX", a directory store's packs/index).
   Build with libFuzzer:  clang -g -O1 -fsanitize=fuzzer,address,undefined -D_DEFAULT_SOURCE -I. tests/fuzz/cas_index.c
   Without libFuzzer:     cc -D_DEFAULT_SOURCE -I. tests/fuzz/cas_index.c tests/fuzz/fuzz_main.c   (replays files)
   The input is an index file without its trailer: the harness appends the trailer the format asks
   for (the SHA-256 of the input, "DXCX", 0), so the checks behind the checksum are what is fuzzed,
   and installs it as packs/index of a scratch store it made at its first call (one pack of
   OBJECTS objects, the same bytes every time, so the seeds name that pack). Then: an open either
   uses the index or does not (bad_index), never crashes; every object reads back as itself or
   fails with an error (an index may send a lookup to the wrong place; every read is re-hashed, so
   it never yields wrong bytes); has gives a size or an error; iterate ends; a seventh of the objects
   deleted (a bit each in the index: none reads back); one more put and a sync with table_max 1
   rewrite the pack (asking the index which objects live) and merge the index (reading it whole)
   into one that the next open does not reject.
   CAS_INDEX_SEED=FILE: write the index the store's own merge makes (a seed), and stop. */
#define DX_IMPLEMENTATION
#include "dx_cas.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>

#define FZ_CHECK(c) \
    do { \
        if (!(c)) __builtin_trap(); \
    } while (0)

enum { OBJECTS = 300, OBJECT_BYTES = 200 };
static char fz_root[256], fz_pack[128]; /* the store, and its one pack's file name */
static dx_cas_id fz_ids[OBJECTS];

static void fz_object(size_t i, uint8_t *out) {
    size_t k;
    for (k = 0; k < OBJECT_BYTES; k++) out[k] = (uint8_t)(i * 7 + k * 13 + (k >> 3));
    dx_store_u64le(out, (uint64_t)i); /* the same bytes on every machine: the seeds name this store's pack */
}

static void fz_config(dx_cas_dir_config *c, uint64_t table_max) {
    memset(c, 0, sizeof *c);
    c->path = fz_root, c->no_sync = true, c->compress = DX_CAS_COMPRESS_NONE, c->table_max = table_max;
}

/* packs/ back to the one pack of fz_setup (first: learn its name, and keep a link to it: a rewrite removes it) */
static void fz_reset(bool learn) {
    char path[300], keep[300], pack[450];
    DIR *dir;
    struct dirent *e;
    snprintf(path, sizeof path, "%s/packs", fz_root);
    snprintf(keep, sizeof keep, "%s/pack.keep", fz_root);
    FZ_CHECK((dir = opendir(path)) != NULL);
    while ((e = readdir(dir)) != NULL) {
        char file[600];
        if (e->d_name[0] == '.') continue;
        if (learn && strstr(e->d_name, ".pack")) snprintf(fz_pack, sizeof fz_pack, "%.120s", e->d_name); /* (a pack name: 69 bytes) */
        if (learn || strcmp(e->d_name, fz_pack) == 0) continue;
        snprintf(file, sizeof file, "%s/%s", path, e->d_name);
        FZ_CHECK(unlink(file) == 0);
    }
    closedir(dir);
    FZ_CHECK(fz_pack[0] != 0);
    snprintf(pack, sizeof pack, "%s/%s", path, fz_pack);
    if (learn) FZ_CHECK(link(pack, keep) == 0);
    else if (access(pack, F_OK) != 0) FZ_CHECK(link(keep, pack) == 0);
}

static void fz_setup(void) { /* the scratch store: its objects in one pack, no index */
    char cmd[300];
    uint8_t obj[OBJECT_BYTES];
    dx_cas_dir d;
    dx_cas_dir_config c;
    dx_cas_store s;
    size_t i;
    snprintf(fz_root, sizeof fz_root, "/tmp/dx-fuzz-cas-index-%ld", (long)getpid());
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fz_root);
    FZ_CHECK(system(cmd) == 0);
    fz_config(&c, UINT64_MAX);
    FZ_CHECK(dx_cas_dir_open(&d, &c) == DX_OK && dx_cas_dir_store(&d, NULL, &s) == DX_OK);
    for (i = 0; i < OBJECTS; i++) {
        fz_object(i, obj);
        FZ_CHECK(dx_cas_store_put(&s, obj, sizeof obj, &fz_ids[i]) == DX_OK);
    }
    FZ_CHECK(dx_cas_store_sync(&s) == DX_OK);
    dx_cas_dir_close(&d);
    fz_reset(true);
}

static void fz_cleanup(void) {
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fz_root);
    if (system(cmd) != 0) fprintf(stderr, "cas_index: could not remove %s\n", fz_root);
}

static void fz_index_path(char *out, size_t cap) { snprintf(out, cap, "%s/packs/index", fz_root); }

/* the index of the store as fz_setup left it (a merge with no new pack): the seed */
static void fz_write_seed(const char *to) {
    char path[300];
    dx_cas_dir d;
    dx_cas_dir_config c;
    dx_cas_store s;
    size_t loose = DX_CAS_DIR_PACK_OBJECT_MAX + 1; /* a loose object: a sync (and so a merge) with no new pack */
    uint8_t *obj = (uint8_t *)calloc(1, loose);
    FILE *in, *out;
    long size;
    uint8_t *b;
    fz_config(&c, 1);
    FZ_CHECK(obj && dx_cas_dir_open(&d, &c) == DX_OK && dx_cas_dir_store(&d, NULL, &s) == DX_OK);
    FZ_CHECK(dx_cas_store_put(&s, obj, loose, NULL) == DX_OK && dx_cas_store_sync(&s) == DX_OK && d.indexed == 1);
    free(obj);
    dx_cas_dir_close(&d);
    fz_index_path(path, sizeof path);
    FZ_CHECK((in = fopen(path, "rb")) != NULL && fseek(in, 0, SEEK_END) == 0 && (size = ftell(in)) > DX_CAS_INDEX_TRAILER_SIZE);
    rewind(in);
    FZ_CHECK((b = (uint8_t *)malloc((size_t)size)) != NULL && fread(b, 1, (size_t)size, in) == (size_t)size);
    fclose(in);
    FZ_CHECK((out = fopen(to, "wb")) != NULL && fwrite(b, 1, (size_t)size - DX_CAS_INDEX_TRAILER_SIZE, out) == (size_t)size - DX_CAS_INDEX_TRAILER_SIZE);
    fclose(out);
    free(b);
}

static dx_result fz_count(void *user, const dx_cas_id *id, uint64_t size) {
    (void)id, (void)size;
    ++*(uint64_t *)user;
    return DX_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static int ready;
    char path[300];
    uint8_t tail[DX_CAS_INDEX_TRAILER_SIZE], obj[OBJECT_BYTES], got[OBJECT_BYTES], more[OBJECT_BYTES];
    dx_cas_sha256 h;
    dx_cas_dir d;
    dx_cas_dir_config c;
    dx_cas_store s;
    dx_cas_id id;
    uint64_t listed = 0;
    FILE *f;
    size_t i;
    if (!ready) {
        const char *seed = getenv("CAS_INDEX_SEED");
        fz_setup();
        atexit(fz_cleanup);
        ready = 1;
        if (seed) {
            fz_write_seed(seed);
            exit(0);
        }
    }
    dx_cas_sha256_init(&h, 0);
    dx_cas_sha256_update(&h, data, size);
    dx_cas_sha256_final(&h, tail + DX_CAS_INDEX_TRAILER_OFF_SUM);
    memcpy(tail + DX_CAS_INDEX_TRAILER_OFF_MAGIC, "DXCX", 4);
    memset(tail + DX_CAS_INDEX_TRAILER_OFF_RESERVED, 0, 4);
    fz_index_path(path, sizeof path);
    FZ_CHECK((f = fopen(path, "wb")) != NULL);
    FZ_CHECK((size == 0 || fwrite(data, 1, size, f) == size) && fwrite(tail, 1, sizeof tail, f) == sizeof tail && fclose(f) == 0);
    fz_config(&c, 1);
    if (dx_cas_dir_open(&d, &c) != DX_OK) return 0;
    FZ_CHECK(dx_cas_dir_store(&d, NULL, &s) == DX_OK);
    for (i = 0; i < OBJECTS; i++) { /* itself, or an error: never other bytes */
        int64_t n = dx_cas_store_get(&s, &fz_ids[i], got, sizeof got), m = dx_cas_store_has(&s, &fz_ids[i]);
        fz_object(i, obj);
        FZ_CHECK(n < 0 || (n == OBJECT_BYTES && memcmp(got, obj, sizeof obj) == 0));
        FZ_CHECK(m <= (int64_t)UINT32_MAX); /* has trusts the entry's size, as it trusts a pack's index (both checksummed) */
    }
    memset(more, 0xa5, sizeof more);
    memcpy(more, data, size < sizeof more ? size : sizeof more);
    dx_cas_id_hash(&s.hash_alg, more, sizeof more, &id);
    (void)dx_cas_store_has(&s, &id);
    (void)dx_cas_store_iterate(&s, fz_count, &listed);
    for (i = size % 7; i < OBJECTS; i += 7) { /* deleted: gone for this handle, whatever the index said */
        (void)dx_cas_store_delete(&s, &fz_ids[i]);
        FZ_CHECK(dx_cas_store_get(&s, &fz_ids[i], got, sizeof got) < 0);
    }
    /* one more object and a merge that reads the index whole: the next open takes what it wrote */
    if (dx_cas_store_put(&s, more, sizeof more, NULL) == DX_OK && dx_cas_store_sync(&s) == DX_OK && d.indexed) {
        dx_cas_dir_close(&d);
        FZ_CHECK(dx_cas_dir_open(&d, &c) == DX_OK && !d.bad_index);
        FZ_CHECK(dx_cas_dir_store(&d, NULL, &s) == DX_OK);
        FZ_CHECK(dx_cas_store_get(&s, &id, got, sizeof got) == OBJECT_BYTES && memcmp(got, more, sizeof more) == 0);
    }
    dx_cas_dir_close(&d);
    fz_reset(false);
    return 0;
}
