/* cas_bench.c - dx_cas.h against openssl, sha256sum, b3sum, casync and git (bench/run_cas.sh runs it)

   cas_bench [--write-results] [--runs=N] --file=BIG --v1=DIR --v2=DIR --work=DIR
     BIG: a file of a few hundred MiB (hashed from the page cache by every tool)
     DIR: the ingest corpus, version 1 and version 2 (bench/run_cas.sh makes them)
   Child modes (what the peers are timed against, as whole commands):
     cas_bench --child-sha256 FILE | --child-blake3 FILE    print the digest
     cas_bench --child-ingest STORE DIR                     snapshot DIR into a dx directory store
   Every figure of a peer is measured in the same run as dx's, best of N.
   Built with -DDX_CAS_WITH_ZSTD -lzstd (run_cas.sh does when zstd.h is there),
   the dx store keeps chunks zstd-compressed (level 3) when that shrinks them, as casync does. */
#include "bench.h"
#define DX_IMPLEMENTATION
#include "../dx_cas.h"
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>

static uint8_t iobuf[1 << 20];
#if defined(DX_CAS_WITH_ZSTD)
#define DX_STORED "chunks zstd-compressed (level 3) when smaller"
#define DX_LEVEL 3
#else
#define DX_STORED "chunks uncompressed"
#define DX_LEVEL 0
#endif

static int child_hash(const char *path, int blake3) {
    dx_cas_hash_alg alg;
    dx_cas_hasher h;
    uint8_t d[32];
    int fd = open(path, O_RDONLY), i;
    ssize_t n;
    if (fd < 0) return 1;
    dx_cas_hash_alg_init(&alg, blake3 ? DX_CAS_ALG_BLAKE3 : DX_CAS_ALG_SHA256);
    dx_cas_hasher_init(&h, &alg);
    while ((n = read(fd, iobuf, sizeof iobuf)) > 0) dx_cas_hasher_update(&h, iobuf, (size_t)n);
    close(fd);
    dx_cas_hasher_final(&h, d);
    for (i = 0; i < 32; i++) printf("%02x", d[i]);
    printf("\n");
    return 0;
}

/* ---- ingest: cas_snap's snapshot, in short ---- */

typedef struct ingest {
    dx_cas_store s;
    dx_cas_chunker_config cfg;
    uint64_t files, bytes, chunks, new_chunks, new_bytes;
} ingest;

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static dx_result ingest_dir(ingest *g, const char *path, dx_cas_id *out) {
    DIR *d = opendir(path);
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, cap = 0, i, k = 0, need = DX_CAS_TREE_HEADER_SIZE;
    dx_cas_tree_entry *e;
    uint8_t *tree;
    int64_t len;
    dx_result r = DX_OK;
    if (!d) return DX_ERR_IO;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2]))) continue;
        if (n == cap) names = (char **)realloc(names, (cap = cap ? 2 * cap : 256) * sizeof *names);
        names[n] = (char *)malloc(strlen(de->d_name) + 1);
        strcpy(names[n++], de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    e = (dx_cas_tree_entry *)calloc(n + 1, sizeof *e);
    for (i = 0; i < n && r == DX_OK; i++) {
        char child[4096];
        struct stat st;
        snprintf(child, sizeof child, "%s/%s", path, names[i]);
        if (lstat(child, &st) != 0) continue;
        e[k].name = names[i], e[k].name_len = strlen(names[i]);
        if (S_ISDIR(st.st_mode)) {
            e[k].mode = DX_CAS_MODE_DIR;
            r = ingest_dir(g, child, &e[k].id);
        } else if (S_ISREG(st.st_mode)) {
            dx_cas_blob_writer w;
            int fd = open(child, O_RDONLY);
            ssize_t got;
            if (fd < 0) continue;
            e[k].mode = (st.st_mode & 0111) ? DX_CAS_MODE_EXEC : DX_CAS_MODE_FILE;
            dx_cas_blob_writer_config wc;
            memset(&wc, 0, sizeof wc);
            wc.store = &g->s, wc.chunker = g->cfg;
            r = dx_cas_blob_writer_create(&w, &wc);
            while (r == DX_OK && (got = read(fd, iobuf, sizeof iobuf)) > 0) {
                r = dx_cas_blob_writer_write(&w, iobuf, (size_t)got);
                e[k].size += (uint64_t)got;
            }
            close(fd);
            if (r == DX_OK) r = dx_cas_blob_writer_finish(&w, &e[k].id, NULL);
            g->files++, g->bytes += e[k].size, g->chunks += w.count;
            g->new_chunks += w.new_chunks, g->new_bytes += w.new_bytes;
            dx_cas_blob_writer_destroy(&w);
        } else {
            continue;
        }
        need += DX_CAS_TREE_ENTRY_FIXED + e[k].name_len;
        k++;
    }
    tree = (uint8_t *)malloc(need);
    len = r == DX_OK ? dx_cas_tree_encode(g->s.hash_alg.alg, e, k, tree, need) : r;
    if (len >= 0) r = dx_cas_store_put(&g->s, tree, (size_t)len, out);
    else r = (dx_result)len;
    for (i = 0; i < n; i++) free(names[i]);
    free(names), free(e), free(tree);
    return r;
}

static int child_ingest(const char *store, const char *dir, int durable) {
    ingest g;
    dx_cas_dir d;
    dx_cas_dir_config dc;
    dx_cas_id root;
    dx_result r;
    memset(&g, 0, sizeof g);
    memset(&dc, 0, sizeof dc);
    dc.path = store;
    /* durable (the default): batches synced together (syncfs), instead of an fsync per object */
    dc.no_sync = durable == 0; /* as git add and casync make: no fsync at all */
    dc.compress = DX_LEVEL ? DX_LEVEL : DX_CAS_COMPRESS_NONE;
    if ((r = dx_cas_dir_open(&d, &dc)) != DX_OK || (r = dx_cas_dir_store(&d, NULL, &g.s)) != DX_OK) return 1;
    r = ingest_dir(&g, dir, &root);
    if (r == DX_OK) r = dx_cas_store_sync(&g.s);
    if (r == DX_OK) r = dx_cas_dir_ref_set(&d, "latest", &root);
    if (r != DX_OK) {
        fprintf(stderr, "ingest: %s\n", dx_cas_result_name(r));
        return 1;
    }
    printf("files %llu bytes %llu chunks %llu new_chunks %llu new_bytes %llu\n", (unsigned long long)g.files,
           (unsigned long long)g.bytes, (unsigned long long)g.chunks, (unsigned long long)g.new_chunks,
           (unsigned long long)g.new_bytes);
    return 0;
}

/* ---- the parent ---- */

static const char *self;

/* runs a shell command, best wall time of `runs` in ns; its first output line into out */
static uint64_t timed(unsigned runs, const char *cmd, char *out, size_t cap) {
    uint64_t best = UINT64_MAX;
    unsigned i;
    for (i = 0; i < runs; i++) {
        uint64_t t0 = bench_now_ns(), t;
        FILE *f = popen(cmd, "r");
        char line[512] = "";
        if (!f) exit(2);
        if (!fgets(line, sizeof line, f)) line[0] = 0;
        while (fgetc(f) != EOF) {}
        if (pclose(f) != 0) {
            fprintf(stderr, "cas_bench: failed: %s\n", cmd);
            exit(1);
        }
        t = bench_now_ns() - t0;
        if (t < best) best = t;
        if (out) {
            size_t n = strlen(line);
            if (n >= cap) n = cap - 1;
            memcpy(out, line, n);
            out[n] = 0;
        }
    }
    return best;
}

static double gibs(uint64_t bytes, uint64_t ns) { return (double)bytes / (double)ns * 1e9 / 1073741824.0; }

static uint64_t du_bytes(const char *path) { /* bytes of the files under path */
    char cmd[4096], out[64];
    snprintf(cmd, sizeof cmd, "find '%s' -type f -printf '%%s\\n' | awk '{s+=$1} END {print s+0}'", path);
    timed(1, cmd, out, sizeof out);
    return strtoull(out, NULL, 10);
}
static uint64_t count_files(const char *path, const char *pattern) {
    char cmd[4096], out[64];
    snprintf(cmd, sizeof cmd, "find '%s' -type f -name '%s' | wc -l", path, pattern);
    timed(1, cmd, out, sizeof out);
    return strtoull(out, NULL, 10);
}

int main(int argc, char **argv) {
    unsigned runs = (unsigned)bench_arg_u64(argc, argv, "--runs=", 3);
    const char *big = bench_arg_str(argc, argv, "--file=", NULL), *v1 = bench_arg_str(argc, argv, "--v1=", NULL);
    const char *v2 = bench_arg_str(argc, argv, "--v2=", NULL), *work = bench_arg_str(argc, argv, "--work=", "build/bench/cas");
    bench_text t = {0};
    char cmd[8192], a[512], b[512], machine[256], c0[160], c1[64], c2[64], c3[64], c4[64], c5[64];
    const char *row[6] = {c0, c1, c2, c3, c4, c5};
    uint64_t big_len, ns, ns_sha_dx, ns_ossl, ns_sum, ns_b3dx, ns_b3sum, t0;
    double cdc_gibs = 0;
    struct stat st;
    uint8_t *mem;
    size_t memlen = (size_t)256 << 20;
    dx_cas_hash_alg alg;
    int ok = 1, k;
    if (argc == 3 && strcmp(argv[1], "--child-sha256") == 0) return child_hash(argv[2], 0);
    if (argc == 3 && strcmp(argv[1], "--child-blake3") == 0) return child_hash(argv[2], 1);
    if (argc == 4 && strcmp(argv[1], "--child-ingest") == 0) return child_ingest(argv[2], argv[3], 0);
    if (argc == 4 && strcmp(argv[1], "--child-ingest-sync") == 0) return child_ingest(argv[2], argv[3], 1);
    self = argv[0];
    if (!big || !v1 || !v2 || stat(big, &st) != 0) {
        fprintf(stderr, "usage: cas_bench [--write-results] [--runs=N] --file=BIG --v1=DIR --v2=DIR [--work=DIR]\n");
        return 2;
    }
    big_len = (uint64_t)st.st_size;
    bench_machine(machine, sizeof machine);
    dx_cas_hash_alg_init(&alg, DX_CAS_ALG_SHA256);

    /* 1. in memory */
    mem = (uint8_t *)malloc(memlen);
    {
        FILE *f = fopen(big, "rb");
        size_t got = f && mem ? fread(mem, 1, memlen, f) : 0;
        if (f) fclose(f);
        if (got < memlen) memlen = got;
    }
    bench_textf(&t, "In memory: the first %lu MiB of the corpus file, one thread, best of %u.\n\n",
                (unsigned long)(memlen >> 20), runs);
    {
        const char *hdr[] = {"dx, in memory", "GiB/s"};
        uint8_t d[32];
        dx_cas_sha256 h;
        dx_cas_blake3 b3;
        dx_cas_chunker_config cc;
        dx_cas_chunker ch;
        dx_cas_chunk ck;
        size_t used, at;
        uint64_t chunks = 0;
        bench_row(&t, 2, hdr);
        bench_rule(&t, 2);
        dx_cas_sha256_init(&h, alg.cpu);
        BENCH_BEST_OF(runs, ns, { dx_cas_sha256_init(&h, alg.cpu); dx_cas_sha256_update(&h, mem, memlen); dx_cas_sha256_final(&h, d); });
        snprintf(c0, sizeof c0, "SHA-256 (%s)", dx_cas_sha256_impl_name(&h));
        snprintf(c1, sizeof c1, "%.2f", gibs(memlen, ns));
        bench_row(&t, 2, row);
        BENCH_BEST_OF(runs, ns, { dx_cas_sha256_init(&h, 0); dx_cas_sha256_update(&h, mem, memlen); dx_cas_sha256_final(&h, d); });
        snprintf(c0, sizeof c0, "SHA-256 (portable C)");
        snprintf(c1, sizeof c1, "%.2f", gibs(memlen, ns));
        bench_row(&t, 2, row);
        BENCH_BEST_OF(runs, ns, { dx_cas_blake3_init(&b3, alg.cpu); dx_cas_blake3_update(&b3, mem, memlen); dx_cas_blake3_final(&b3, d, 32); });
        snprintf(c0, sizeof c0, "BLAKE3 (%s)", (alg.cpu & DX_CAS_CPU_AVX512) ? "AVX-512VL" : (alg.cpu & DX_CAS_CPU_AVX2) ? "AVX2" : "portable C");
        snprintf(c1, sizeof c1, "%.2f", gibs(memlen, ns));
        bench_row(&t, 2, row);
        BENCH_BEST_OF(runs, ns, { dx_cas_blake3_init(&b3, 0); dx_cas_blake3_update(&b3, mem, memlen); dx_cas_blake3_final(&b3, d, 32); });
        snprintf(c0, sizeof c0, "BLAKE3 (portable C)");
        snprintf(c1, sizeof c1, "%.2f", gibs(memlen, ns));
        bench_row(&t, 2, row);
        memset(&cc, 0, sizeof cc);
        BENCH_BEST_OF(runs, ns, {
            dx_cas_chunker_init(&ch, &cc);
            chunks = 0;
            for (at = 0; at < memlen; at += used) chunks += dx_cas_chunker_feed(&ch, mem + at, memlen - at, &used, &ck);
            chunks += dx_cas_chunker_finish(&ch, &ck);
        });
        cdc_gibs = gibs(memlen, ns);
        snprintf(c0, sizeof c0, "FastCDC 2020, 4/16/64 KiB, level 1 (%llu chunks)", (unsigned long long)chunks);
        snprintf(c1, sizeof c1, "%.2f", cdc_gibs);
        bench_row(&t, 2, row);
        BENCH_BEST_OF(runs, ns, {
            dx_cas_chunker_init(&ch, &cc);
            for (at = 0; at < memlen; at += used)
                if (dx_cas_chunker_feed(&ch, mem + at, memlen - at, &used, &ck)) {
                    dx_cas_sha256_init(&h, alg.cpu);
                    dx_cas_sha256_update(&h, mem + ck.offset, ck.length);
                    dx_cas_sha256_final(&h, d);
                }
        });
        snprintf(c0, sizeof c0, "FastCDC + SHA-256 of each chunk");
        snprintf(c1, sizeof c1, "%.2f", gibs(memlen, ns));
        bench_row(&t, 2, row);
    }
    free(mem);

    /* 2. whole commands hashing the big file from the page cache */
    snprintf(cmd, sizeof cmd, "cat '%s' > /dev/null", big);
    timed(1, cmd, NULL, 0);
    snprintf(cmd, sizeof cmd, "'%s' --child-sha256 '%s'", self, big);
    ns_sha_dx = timed(runs, cmd, a, sizeof a);
    snprintf(cmd, sizeof cmd, "openssl dgst -sha256 -r '%s'", big);
    ns_ossl = timed(runs, cmd, b, sizeof b);
    ok &= strncmp(a, b, 64) == 0;
    snprintf(cmd, sizeof cmd, "sha256sum '%s'", big);
    ns_sum = timed(runs, cmd, b, sizeof b);
    ok &= strncmp(a, b, 64) == 0;
    snprintf(cmd, sizeof cmd, "'%s' --child-blake3 '%s'", self, big);
    ns_b3dx = timed(runs, cmd, a, sizeof a);
    snprintf(cmd, sizeof cmd, "b3sum --num-threads 1 '%s'", big);
    ns_b3sum = timed(runs, cmd, b, sizeof b);
    ok &= strncmp(a, b, 64) == 0;
    bench_textf(&t, "\nWhole commands hashing a %.0f MiB file in the page cache (wall time, best of %u; same digests checked):\n\n",
                (double)big_len / 1048576.0, runs);
    {
        const char *hdr[] = {"command", "GiB/s", "dx / peer speed"};
        bench_row(&t, 3, hdr);
        bench_rule(&t, 3);
        snprintf(c0, sizeof c0, "dx SHA-256 (cas_bench --child-sha256)"), snprintf(c1, sizeof c1, "%.2f", gibs(big_len, ns_sha_dx)), snprintf(c2, sizeof c2, "1");
        bench_row(&t, 3, row);
        snprintf(c0, sizeof c0, "openssl dgst -sha256 (SHA-NI)"), snprintf(c1, sizeof c1, "%.2f", gibs(big_len, ns_ossl)), snprintf(c2, sizeof c2, "%.2f", (double)ns_ossl / (double)ns_sha_dx);
        bench_row(&t, 3, row);
        snprintf(c0, sizeof c0, "sha256sum (coreutils)"), snprintf(c1, sizeof c1, "%.2f", gibs(big_len, ns_sum)), snprintf(c2, sizeof c2, "%.2f", (double)ns_sum / (double)ns_sha_dx);
        bench_row(&t, 3, row);
        snprintf(c0, sizeof c0, "dx BLAKE3 (cas_bench --child-blake3)"), snprintf(c1, sizeof c1, "%.2f", gibs(big_len, ns_b3dx)), snprintf(c2, sizeof c2, "1");
        bench_row(&t, 3, row);
        snprintf(c0, sizeof c0, "b3sum --num-threads 1"), snprintf(c1, sizeof c1, "%.2f", gibs(big_len, ns_b3sum)), snprintf(c2, sizeof c2, "%.2f", (double)ns_b3sum / (double)ns_b3dx);
        bench_row(&t, 3, row);
    }

    /* 3. ingest of version 1, then version 2 into the same store */
    {
        const char *hdr[] = {"tool", "v1 time (s)", "v2 time (s)", "stored after v1", "new for v2", "chunks v1 / new v2"};
        uint64_t dx_t[2], dxs_t[2], cs_t[2], git_t[2], dx_b[2], cs_b[2], git_b[2], cs_n[2], cs_raw_new = 0;
        unsigned long long f[2], by[2], chk[2], nch[2], nby[2];
        char store[600], store2[600], ca[600], g[600];
        const char *dirs[2] = {v1, v2};
        uint64_t tn;
        int pass;
        int have_casync = system("casync --version >/dev/null 2>&1") == 0;
        snprintf(store, sizeof store, "%s/dx-store", work);
        snprintf(store2, sizeof store2, "%s/dx-store-sync", work);
        snprintf(ca, sizeof ca, "%s/casync-store", work);
        snprintf(g, sizeof g, "%s/git", work);
        for (pass = 0; pass < 3; pass++) { /* v1 twice (fresh stores, the faster run counts), then v2 */
            k = pass == 2 ? 1 : 0;
            if (pass < 2) {
                snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s' '%s' '%s' '%s'/*.caidx && git init -q '%s' && sync", store, store2, ca, g, work, g);
                timed(1, cmd, NULL, 0);
            }
            snprintf(cmd, sizeof cmd, "cat $(find '%s' -type f) > /dev/null; sync", dirs[k]); /* page cache, for everyone */
            timed(1, cmd, NULL, 0);
            snprintf(cmd, sizeof cmd, "'%s' --child-ingest '%s' '%s'", self, store, dirs[k]);
            t0 = bench_now_ns();
            timed(1, cmd, a, sizeof a);
            tn = bench_now_ns() - t0;
            dx_t[k] = pass == 1 && dx_t[0] < tn ? dx_t[0] : tn;
            if (sscanf(a, "files %llu bytes %llu chunks %llu new_chunks %llu new_bytes %llu", &f[k], &by[k], &chk[k], &nch[k], &nby[k]) != 5) ok = 0;
            dx_b[k] = du_bytes(store);
            timed(1, "sync", NULL, 0); /* no one pays for another's writeback */
            snprintf(cmd, sizeof cmd, "'%s' --child-ingest-sync '%s' '%s'", self, store2, dirs[k]);
            t0 = bench_now_ns();
            timed(1, cmd, NULL, 0);
            tn = bench_now_ns() - t0;
            dxs_t[k] = pass == 1 && dxs_t[0] < tn ? dxs_t[0] : tn;
            if (have_casync) {
                snprintf(cmd, sizeof cmd, "find '%s' -name '*.cacnk' 2>/dev/null | sort > '%s/cacnk%d.list'", ca, work, k);
                timed(1, cmd, NULL, 0);
                timed(1, "sync", NULL, 0);
                snprintf(cmd, sizeof cmd, "casync make --store='%s' --chunk-size=16384 '%s/v%d.caidx' '%s'", ca, work, k + 1, dirs[k]);
                t0 = bench_now_ns();
                timed(1, cmd, NULL, 0);
                tn = bench_now_ns() - t0;
                cs_t[k] = pass == 1 && cs_t[0] < tn ? cs_t[0] : tn;
                cs_b[k] = du_bytes(ca);
                cs_n[k] = count_files(ca, "*.cacnk");
                if (k == 1) { /* the new chunks' bytes before compression (casync's .cacnk are zstd frames) */
                    snprintf(cmd, sizeof cmd, "find '%s' -name '*.cacnk' | sort > '%s/cacnk2.list'; "
                                              "comm -13 '%s/cacnk1.list' '%s/cacnk2.list' | xargs -r cat | zstd -dc | wc -c",
                             ca, work, work, work);
                    timed(1, cmd, a, sizeof a);
                    cs_raw_new = strtoull(a, NULL, 10);
                }
            }
            timed(1, "sync", NULL, 0);
            snprintf(cmd, sizeof cmd, "git --git-dir='%s/.git' --work-tree='%s' add -A .", g, dirs[k]);
            t0 = bench_now_ns();
            timed(1, cmd, NULL, 0);
            tn = bench_now_ns() - t0;
            git_t[k] = pass == 1 && git_t[0] < tn ? git_t[0] : tn;
            snprintf(cmd, sizeof cmd, "%s/.git/objects", g);
            git_b[k] = du_bytes(cmd);
        }
        bench_textf(&t, "\nIngest (%llu files, %.1f MiB for v1), then v2 into the same store; files in the page cache; "
                        "v1: the faster of two runs into fresh stores, v2: one run (wall time of the whole command; a sync before each). v2: %llu files, %.1f MiB. New bytes for v2: "
                        "what the store grew by (dx: " DX_STORED ", plus manifests and trees; casync: "
                        "compressed .cacnk files; git: zlib-compressed loose objects).\n\n",
                    f[0], (double)by[0] / 1048576.0, f[1], (double)by[1] / 1048576.0);
        bench_row(&t, 6, hdr);
        bench_rule(&t, 6);
        snprintf(c0, sizeof c0, "dx directory store, no fsync (as the peers), 16 KiB FastCDC, SHA-256%s", DX_LEVEL ? ", zstd -3" : "");
        snprintf(c1, sizeof c1, "%.2f", (double)dx_t[0] / 1e9), snprintf(c2, sizeof c2, "%.2f", (double)dx_t[1] / 1e9);
        snprintf(c3, sizeof c3, "%.1f MiB", (double)dx_b[0] / 1048576.0);
        snprintf(c4, sizeof c4, "%.1f MiB (%.1f MiB chunk bytes)", (double)(dx_b[1] - dx_b[0]) / 1048576.0, (double)nby[1] / 1048576.0);
        snprintf(c5, sizeof c5, "%llu / %llu", chk[0], nch[1]);
        bench_row(&t, 6, row);
        snprintf(c0, sizeof c0, "dx directory store, batch mode (durable: one syncfs per version)");
        snprintf(c1, sizeof c1, "%.2f", (double)dxs_t[0] / 1e9), snprintf(c2, sizeof c2, "%.2f", (double)dxs_t[1] / 1e9);
        snprintf(c3, sizeof c3, "same"), snprintf(c4, sizeof c4, "same"), snprintf(c5, sizeof c5, "same");
        bench_row(&t, 6, row);
        if (have_casync) {
            snprintf(c0, sizeof c0, "casync make --chunk-size=16384 (catar stream, chunks compressed)");
            snprintf(c1, sizeof c1, "%.2f", (double)cs_t[0] / 1e9), snprintf(c2, sizeof c2, "%.2f", (double)cs_t[1] / 1e9);
            snprintf(c3, sizeof c3, "%.1f MiB", (double)cs_b[0] / 1048576.0);
            snprintf(c4, sizeof c4, "%.1f MiB (%.1f MiB chunk bytes)", (double)(cs_b[1] - cs_b[0]) / 1048576.0,
                     (double)cs_raw_new / 1048576.0);
            snprintf(c5, sizeof c5, "%llu / %llu", (unsigned long long)cs_n[0], (unsigned long long)(cs_n[1] - cs_n[0]));
            bench_row(&t, 6, row);
        }
        snprintf(c0, sizeof c0, "git add -A (whole files, zlib)");
        snprintf(c1, sizeof c1, "%.2f", (double)git_t[0] / 1e9), snprintf(c2, sizeof c2, "%.2f", (double)git_t[1] / 1e9);
        snprintf(c3, sizeof c3, "%.1f MiB", (double)git_b[0] / 1048576.0);
        snprintf(c4, sizeof c4, "%.1f MiB", (double)(git_b[1] - git_b[0]) / 1048576.0);
        snprintf(c5, sizeof c5, "-");
        bench_row(&t, 6, row);

        bench_textf(&t, "\nGoals:\n\n");
        bench_textf(&t, "- SHA-256 at least 0.95x OpenSSL's SHA-NI speed: %.2fx, %s\n", (double)ns_ossl / (double)ns_sha_dx,
                    (double)ns_ossl / (double)ns_sha_dx >= 0.95 ? "reached" : "NOT reached");
        bench_textf(&t, "- SHA-256 at least as fast as sha256sum: %.2fx, %s\n", (double)ns_sum / (double)ns_sha_dx,
                    ns_sum >= ns_sha_dx ? "reached" : "NOT reached");
        bench_textf(&t, "- BLAKE3 at least 0.6x b3sum single-thread: %.2fx, %s\n", (double)ns_b3sum / (double)ns_b3dx,
                    (double)ns_b3sum / (double)ns_b3dx >= 0.6 ? "reached" : "NOT reached");
        bench_textf(&t, "- FastCDC at least 1.5 GiB/s: %.2f GiB/s, %s\n", cdc_gibs, cdc_gibs >= 1.5 ? "reached" : "NOT reached");
        if (have_casync) {
            bench_textf(&t, "- directory-store ingest at least 2x faster than casync make (v1, no fsync in either): %.2fx, %s "
                            "(durable batch mode: %.2fx)\n",
                        (double)cs_t[0] / (double)dx_t[0], cs_t[0] >= 2 * dx_t[0] ? "reached" : "NOT reached",
                        (double)cs_t[0] / (double)dxs_t[0]);
            bench_textf(&t, "- no more new bytes stored for v2 than casync: as stored, dx %.1f MiB (" DX_STORED ") vs casync "
                            "%.1f MiB (zstd-compressed chunks): %s; new chunk bytes before compression, dx %.1f MiB vs casync %.1f MiB: %s\n",
                        (double)(dx_b[1] - dx_b[0]) / 1048576.0, (double)(cs_b[1] - cs_b[0]) / 1048576.0,
                        dx_b[1] - dx_b[0] <= cs_b[1] - cs_b[0] ? "reached" : DX_LEVEL ? "NOT reached" : "NOT reached (built without zstd: dx does not compress chunks)",
                        (double)nby[1] / 1048576.0, (double)cs_raw_new / 1048576.0,
                        nby[1] <= cs_raw_new ? "reached" : "NOT reached");
        } else {
            bench_textf(&t, "- casync goals: not measured (casync is not installed)\n");
        }
    }
    bench_textf(&t, "\nBuilt with %s; %s. Corpus: bench/run_cas.sh.\n", BENCH_FLAGS, machine);
    printf("%s", t.s);
    if (!ok) {
        fprintf(stderr, "cas_bench: a digest or an ingest report differed\n");
        return 1;
    }
    if (bench_has_flag(argc, argv, "--write-results") &&
        bench_results_write("bench/RESULTS.md", "cas", "dx_cas.h: hashing, chunking and ingest against openssl, sha256sum, b3sum, casync and git (bench/cas_bench.c)", t.s) != 0)
        return 1;
    bench_text_free(&t);
    return 0;
}
