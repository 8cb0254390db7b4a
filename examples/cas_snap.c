/* cas_snap.c - dx_cas example: directory snapshots in a content-addressed store.

       cc -std=c99 -D_DEFAULT_SOURCE -I. -O2 examples/cas_snap.c -o build/cas_snap
       cc -std=c99 -D_DEFAULT_SOURCE -I. -O2 -DDX_CAS_WITH_ZSTD examples/cas_snap.c -o build/cas_snap -lzstd

       cas_snap [--store PATH] [--blake3] [--avg BYTES] [--batch] [--compress LEVEL] [--quiet] COMMAND ...
         snap DIR [REF]        store DIR (files, folders, symlinks); print its root; set REF (default "latest")
         restore ROOT DIR      write the snapshot ROOT (an id or a ref) to the new folder DIR,
                               verifying every chunk
         verify                re-hash every object, check every manifest's chunks are there
         gc                    delete what no ref reaches
         stats                 objects, bytes stored, and the dedup ratio of the refs' snapshots
         refs                  list the refs

   The store is a dx_cas directory store (default ./.cas-store): each file is
   FastCDC chunks plus a manifest, each folder a tree object, and a snapshot
   is the id of its top tree. Unchanged files and chunks cost nothing the
   second time. Built with zstd (DX_CAS_WITH_ZSTD), snap stores chunks that
   shrink zstd-compressed (--compress LEVEL, default 3; 0 stores them as they
   are); ids stay the hashes of the content, and every build reads stores
   written without compression. A progress line goes to stderr on long runs
   (not with --quiet). */
#define DX_IMPLEMENTATION
#include "dx_cas.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>

#define MAX_DEPTH 64

typedef struct snap {
    dx_cas_dir dir;
    dx_cas_store s;
    dx_cas_blob_writer_config writing; /* .chunker: the chunking; .store is set once the store is open */
    int quiet;
    uint64_t files, bytes_read, new_bytes, new_chunks, chunks;
    time_t last_progress;
} snap;

static void progress(snap *g, int force) {
    time_t now = time(NULL);
    if (g->quiet || (!force && now == g->last_progress)) return;
    g->last_progress = now;
    fprintf(stderr, "\r%llu files, %.1f MiB read, %llu chunks, %.1f MiB new   ", (unsigned long long)g->files,
            (double)g->bytes_read / 1048576.0, (unsigned long long)g->chunks, (double)g->new_bytes / 1048576.0);
    if (force) fputc('\n', stderr);
}

static int fail(const char *what, const char *path, dx_result r) {
    fprintf(stderr, "cas_snap: %s %s: %s%s%s\n", what, path ? path : "", dx_cas_result_name(r), errno ? ", " : "",
            errno ? strerror(errno) : "");
    return 1;
}

/* ---- snap ---- */

static dx_result store_bytes(snap *g, int fd, const char *data, size_t len, uint64_t *size, dx_cas_id *out) {
    static uint8_t buf[1 << 20];
    dx_cas_blob_writer w;
    dx_result r;
    g->writing.store = &g->s;
    r = dx_cas_blob_writer_create(&w, &g->writing);
    *size = 0;
    if (r != DX_OK) return r;
    if (fd >= 0) {
        for (;;) {
            ssize_t n = read(fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                r = DX_ERR_IO;
                break;
            }
            if (n == 0) break;
            if ((r = dx_cas_blob_writer_write(&w, buf, (size_t)n)) != DX_OK) break;
            *size += (uint64_t)n;
            g->bytes_read += (uint64_t)n;
            progress(g, 0);
        }
    } else {
        r = dx_cas_blob_writer_write(&w, data, len);
        *size = len;
    }
    if (r == DX_OK) r = dx_cas_blob_writer_finish(&w, out, NULL);
    g->new_bytes += w.new_bytes;
    g->new_chunks += w.new_chunks;
    g->chunks += w.count;
    dx_cas_blob_writer_destroy(&w);
    return r;
}

static int name_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static dx_result snap_dir(snap *g, const char *path, int depth, dx_cas_id *out) {
    DIR *d;
    struct dirent *de;
    char **names = NULL;
    dx_cas_tree_entry *e = NULL;
    size_t n = 0, cap = 0, i, k = 0, need = DX_CAS_TREE_HEADER_SIZE;
    uint8_t *tree = NULL;
    dx_result r = DX_OK;
    if (depth > MAX_DEPTH) return DX_ERR_LIMIT;
    if (!(d = opendir(path))) return DX_ERR_IO;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        if (strlen(de->d_name) > DX_CAS_NAME_MAX) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            names = (char **)realloc(names, cap * sizeof *names);
            if (!names) exit(3);
        }
        names[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, name_cmp); /* byte order, as tree objects want */
    e = (dx_cas_tree_entry *)calloc(n ? n : 1, sizeof *e);
    for (i = 0; i < n && r == DX_OK; i++) {
        char child[4096];
        struct stat st;
        dx_cas_tree_entry *t = &e[k];
        snprintf(child, sizeof child, "%s/%s", path, names[i]);
        if (lstat(child, &st) != 0) continue; /* gone meanwhile */
        t->name = names[i];
        t->name_len = strlen(names[i]);
        if (S_ISDIR(st.st_mode)) {
            t->mode = DX_CAS_MODE_DIR;
            r = snap_dir(g, child, depth + 1, &t->id);
        } else if (S_ISREG(st.st_mode)) {
            int fd = open(child, O_RDONLY);
            if (fd < 0) {
                fprintf(stderr, "\ncas_snap: skipped %s: %s\n", child, strerror(errno));
                continue;
            }
            t->mode = (st.st_mode & 0111) ? DX_CAS_MODE_EXEC : DX_CAS_MODE_FILE;
            r = store_bytes(g, fd, NULL, 0, &t->size, &t->id);
            close(fd);
            g->files++;
        } else if (S_ISLNK(st.st_mode)) {
            char target[4096];
            ssize_t len = readlink(child, target, sizeof target);
            if (len < 0) continue;
            t->mode = DX_CAS_MODE_SYMLINK;
            r = store_bytes(g, -1, target, (size_t)len, &t->size, &t->id);
        } else {
            continue; /* devices, sockets, fifos: not snapshotted */
        }
        if (r != DX_OK) fprintf(stderr, "\ncas_snap: %s: %s\n", child, dx_cas_result_name(r));
        need += DX_CAS_TREE_ENTRY_FIXED + t->name_len;
        k++;
    }
    if (r == DX_OK) {
        int64_t len;
        tree = (uint8_t *)malloc(need);
        len = tree ? dx_cas_tree_encode(g->s.hash_alg.alg, e, k, tree, need) : DX_ERR_NOMEM;
        r = len < 0 ? (dx_result)len : dx_cas_store_put(&g->s, tree, (size_t)len, out);
    }
    for (i = 0; i < n; i++) free(names[i]);
    free(names);
    free(e);
    free(tree);
    return r;
}

/* ---- restore ---- */

typedef struct sink {
    int fd;
    uint8_t *mem;
    size_t len, cap;
} sink;

static dx_result sink_write(void *user, uint64_t off, const void *data, size_t len) {
    sink *k = (sink *)user;
    (void)off;
    if (k->mem) {
        if (len > k->cap - k->len) return DX_ERR_NOSPACE;
        memcpy(k->mem + k->len, data, len);
        k->len += len;
        return DX_OK;
    }
    while (len > 0) {
        ssize_t w = write(k->fd, data, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return DX_ERR_IO;
        data = (const uint8_t *)data + w, len -= (size_t)w;
    }
    return DX_OK;
}

static dx_result load(dx_cas_store *s, const dx_cas_id *id, uint8_t **out, size_t *len) {
    int64_t size = dx_cas_store_has(s, id), n;
    if (size < 0) return (dx_result)size;
    *out = (uint8_t *)malloc((size_t)size + 1);
    if (!*out) return DX_ERR_NOMEM;
    n = dx_cas_store_get(s, id, *out, (size_t)size + 1);
    if (n < 0) {
        free(*out);
        return (dx_result)n;
    }
    *len = (size_t)n;
    return DX_OK;
}

static dx_result restore_tree(snap *g, const dx_cas_id *id, const char *path, int depth) {
    uint8_t *buf;
    size_t len, pos = 0;
    dx_cas_tree t;
    dx_cas_tree_entry e;
    dx_result r;
    if (depth > MAX_DEPTH) return DX_ERR_LIMIT;
    if ((r = load(&g->s, id, &buf, &len)) != DX_OK) return r;
    if ((r = dx_cas_tree_parse(buf, len, 0, &t)) != DX_OK || mkdir(path, 0755) != 0) {
        free(buf);
        return r != DX_OK ? r : DX_ERR_IO;
    }
    while (r == DX_OK && dx_cas_tree_next(&t, &pos, &e)) { /* names are checked: no '/', no "..": nothing leaves path */
        char child[4096];
        snprintf(child, sizeof child, "%s/%.*s", path, (int)e.name_len, e.name);
        if (e.mode == DX_CAS_MODE_DIR) {
            r = restore_tree(g, &e.id, child, depth + 1);
        } else if (e.mode == DX_CAS_MODE_SYMLINK) {
            uint8_t target[4097];
            sink k = {-1, target, 0, 4096};
            r = dx_cas_blob_read(&g->s, &e.id, NULL, sink_write, &k, NULL);
            target[k.len] = 0;
            if (r == DX_OK && symlink((const char *)target, child) != 0) r = DX_ERR_IO;
        } else {
            sink k = {-1, NULL, 0, 0};
            k.fd = open(child, O_WRONLY | O_CREAT | O_EXCL, e.mode == DX_CAS_MODE_EXEC ? 0755 : 0644);
            if (k.fd < 0) {
                r = DX_ERR_IO;
                break;
            }
            r = dx_cas_blob_read(&g->s, &e.id, NULL, sink_write, &k, NULL); /* every chunk verified */
            if (close(k.fd) != 0 && r == DX_OK) r = DX_ERR_IO;
            g->files++;
            g->bytes_read += e.size;
            progress(g, 0);
        }
        if (r != DX_OK) fprintf(stderr, "\ncas_snap: %s: %s\n", child, dx_cas_result_name(r));
    }
    free(buf);
    return r;
}

/* ---- stats ---- */

static uint64_t logical_bytes(snap *g, const dx_cas_id *id, int depth) {
    uint8_t *buf;
    size_t len, pos = 0;
    dx_cas_tree t;
    dx_cas_tree_entry e;
    uint64_t sum = 0;
    if (depth > MAX_DEPTH || load(&g->s, id, &buf, &len) != DX_OK) return 0;
    if (dx_cas_tree_parse(buf, len, 0, &t) == DX_OK)
        while (dx_cas_tree_next(&t, &pos, &e)) sum += e.mode == DX_CAS_MODE_DIR ? logical_bytes(g, &e.id, depth + 1) : e.size;
    free(buf);
    return sum;
}

typedef struct refs_acc {
    snap *g;
    dx_cas_id ids[256];
    size_t n;
    uint64_t logical;
    int print;
} refs_acc;

static dx_result on_ref(void *user, const char *name, const dx_cas_id *id) {
    refs_acc *a = (refs_acc *)user;
    char text[DX_CAS_ID_TEXT_SIZE];
    if (a->n < 256) a->ids[a->n++] = *id;
    if (a->print) {
        dx_cas_id_format(id, text, sizeof text);
        printf("%-20s %s\n", name, text);
    }
    if (a->print == 2) a->logical += logical_bytes(a->g, id, 0);
    return DX_OK;
}

static dx_result count_object(void *user, const dx_cas_id *id, uint64_t size) {
    uint64_t *c = (uint64_t *)user;
    (void)id;
    c[0]++, c[1] += size;
    return DX_OK;
}

static void problem(void *user, const dx_cas_id *id, dx_result what) {
    char text[DX_CAS_ID_TEXT_SIZE];
    (void)user;
    dx_cas_id_format(id, text, sizeof text);
    printf("%s %s\n", what == DX_ERR_CHECKSUM ? "corrupt" : "missing", text);
}

int main(int argc, char **argv) {
    static snap g;
    const char *store = getenv("DX_CAS_STORE"), *cmd;
    dx_cas_dir_config dc;
    dx_cas_hash_alg hash_alg;
    uint32_t alg = DX_CAS_ALG_SHA256;
    dx_result r;
    int i = 1;
    memset(&dc, 0, sizeof dc); /* the defaults: objects durable in batches (synced before the ref), zstd level 3 when built with it */
    for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
        if (strcmp(argv[i], "--store") == 0 && i + 1 < argc) store = argv[++i];
        else if (strcmp(argv[i], "--blake3") == 0) alg = DX_CAS_ALG_BLAKE3;
        else if (strcmp(argv[i], "--avg") == 0 && i + 1 < argc) g.writing.chunker.avg_size = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--batch") == 0) dc.sync_each = false; /* the default now; still accepted */
        else if (strcmp(argv[i], "--sync-each") == 0) dc.sync_each = true;
        else if (strcmp(argv[i], "--compress") == 0 && i + 1 < argc) {
            dc.compress = atoi(argv[++i]);
            if (dc.compress == 0) dc.compress = DX_CAS_COMPRESS_NONE; /* 0: store as they are */
        }
        else if (strcmp(argv[i], "--no-sync") == 0) dc.no_sync = true;
        else if (strcmp(argv[i], "--quiet") == 0) g.quiet = 1;
        else break;
    }
    if (i >= argc) {
        fprintf(stderr, "usage: cas_snap [--store PATH] [--blake3] [--avg BYTES] [--sync-each] [--compress LEVEL] [--no-sync] [--quiet]\n"
                        "                snap DIR [REF] | restore ROOT DIR | verify | gc | stats | refs\n");
        return 2;
    }
    cmd = argv[i++];
    dc.path = store ? store : ".cas-store";
    if ((r = dx_cas_dir_open(&g.dir, &dc)) != DX_OK) return fail("open", dc.path, r);
    dx_cas_hash_alg_init(&hash_alg, alg);
    dx_cas_dir_store(&g.dir, &hash_alg, &g.s);
    errno = 0;
    if (strcmp(cmd, "snap") == 0 && i < argc) {
        dx_cas_id root;
        char text[DX_CAS_ID_TEXT_SIZE];
        const char *ref = i + 1 < argc ? argv[i + 1] : "latest";
        r = snap_dir(&g, argv[i], 0, &root);
        if (r == DX_OK) r = dx_cas_store_sync(&g.s);
        progress(&g, 1);
        if (r != DX_OK) return fail("snap", argv[i], r);
        if ((r = dx_cas_dir_ref_set(&g.dir, ref, &root)) != DX_OK) return fail("ref", ref, r);
        dx_cas_id_format(&root, text, sizeof text);
        printf("%s\n", text);
        if (!g.quiet)
            fprintf(stderr, "%llu files, %llu bytes, %llu chunks (%llu new, %llu new bytes; %llu compressed, %llu bytes saved); ref %s\n",
                    (unsigned long long)g.files, (unsigned long long)g.bytes_read, (unsigned long long)g.chunks,
                    (unsigned long long)g.new_chunks, (unsigned long long)g.new_bytes,
                    (unsigned long long)g.dir.compressed, (unsigned long long)g.dir.saved_bytes, ref);
        return 0;
    }
    if (strcmp(cmd, "restore") == 0 && i + 1 < argc) {
        dx_cas_id root;
        if (dx_cas_id_parse(argv[i], strlen(argv[i]), &root) != DX_OK &&
            (r = dx_cas_dir_ref_get(&g.dir, argv[i], &root)) != DX_OK)
            return fail("no such snapshot or ref:", argv[i], r);
        if (root.alg != g.s.hash_alg.alg) { /* the id says which algorithm the store uses */
            dx_cas_hash_alg_init(&hash_alg, root.alg);
            dx_cas_dir_store(&g.dir, &hash_alg, &g.s);
        }
        r = restore_tree(&g, &root, argv[i + 1], 0);
        progress(&g, 1);
        return r == DX_OK ? 0 : fail("restore", argv[i + 1], r);
    }
    if (strcmp(cmd, "verify") == 0) { /* every object re-hashed; everything the refs reach is there */
        static refs_acc a;
        dx_cas_verify_report rep;
        a.g = &g;
        if ((r = dx_cas_dir_ref_list(&g.dir, on_ref, &a)) != DX_OK) return fail("refs", NULL, r);
        r = dx_cas_store_verify(&g.s, a.ids, a.n, NULL, problem, NULL, &rep);
        printf("%llu objects, %llu bytes, %llu manifests: %llu corrupt, %llu missing\n", (unsigned long long)rep.objects,
               (unsigned long long)rep.bytes, (unsigned long long)rep.manifests, (unsigned long long)rep.corrupt,
               (unsigned long long)rep.missing);
        return r == DX_OK ? 0 : 1;
    }
    if (strcmp(cmd, "gc") == 0) {
        static refs_acc a;
        dx_cas_gc_report rep;
        a.g = &g;
        if ((r = dx_cas_dir_ref_list(&g.dir, on_ref, &a)) != DX_OK) return fail("refs", NULL, r);
        r = dx_cas_store_gc(&g.s, a.ids, a.n, MAX_DEPTH, false, &rep);
        printf("%llu reachable (%llu bytes), %llu deleted (%llu bytes)\n", (unsigned long long)rep.marked,
               (unsigned long long)rep.kept_bytes, (unsigned long long)rep.deleted, (unsigned long long)rep.deleted_bytes);
        return r == DX_OK ? 0 : fail("gc", NULL, r);
    }
    if (strcmp(cmd, "stats") == 0 || strcmp(cmd, "refs") == 0) {
        static refs_acc a;
        uint64_t c[2] = {0, 0};
        a.g = &g;
        a.print = strcmp(cmd, "stats") == 0 ? 2 : 1;
        if ((r = dx_cas_dir_ref_list(&g.dir, on_ref, &a)) != DX_OK) return fail("refs", NULL, r);
        if (a.print == 1) return 0;
        dx_cas_store_iterate(&g.s, count_object, c);
        printf("%llu objects, %llu bytes stored; the refs' snapshots hold %llu bytes: dedup ratio %.2f\n",
               (unsigned long long)c[0], (unsigned long long)c[1], (unsigned long long)a.logical,
               c[1] ? (double)a.logical / (double)c[1] : 0.0);
        return 0;
    }
    fprintf(stderr, "cas_snap: unknown command or missing argument: %s\n", cmd);
    return 2;
}
