/* cas_snap.c - dx_cas example: directory snapshots in a content-addressed store.

       cc -std=c99 -D_DEFAULT_SOURCE -I. -O2 examples/cas_snap.c -o build/cas_snap
       cc -std=c99 -D_DEFAULT_SOURCE -I. -O2 -DDX_CAS_WITH_ZSTD examples/cas_snap.c -o build/cas_snap -lzstd

   The store is a dx_cas directory store (default ./.cas-store): each file is
   FastCDC chunks plus a manifest, each folder a tree object. A snapshot is a
   small tree of two entries: "files" (the top folder's tree) and "meta" (a
   blob of file times and permissions, one 16-byte record per entry in the
   order a depth-first walk of the trees meets them; format below). Its id is
   what `snap` prints and what refs hold. Unchanged files and chunks cost
   nothing the second time. A store holds one kind of ids, SHA-256 or BLAKE3
   (snap --blake3 into a new store): every command reads which from the store
   (the ids its refs hold; with no ref, its objects') and uses it. Built with
   zstd (DX_CAS_WITH_ZSTD), snap stores chunks that shrink zstd-compressed
   (--compress LEVEL, default 3; 0 stores them as they are); ids stay the
   hashes of the content, and every build reads stores written without
   compression. STORE/dx-tool holds "cas_snap store": no other dx tool
   writes into it, nor cas_snap into another tool's store (examples/tool.h
   "whose store": their gc would delete what the other's records name).
   `cas_snap --help` says the rest.

   meta blob, little-endian, 48 bytes of header: "CSNP", u8 major 1, u8 minor
   0, u16 record size 16, u32 record count, u32 flags 0, 32-byte digest of
   the files tree; then per record: i64 mtime seconds (floor: before 1970
   negative), u32 nanoseconds (0..999999999), u32 permission bits (st_mode &
   07777; restore applies & 0777, and a symlink's none). One record per entry
   in pre-order: record 0 the top folder, then each tree's entries in their
   stored (name) order, a folder's own entries right after its record; times
   are lstat's (a symlink's own). Tree MODE: 040000 a folder, 0120000 a
   symlink, 0100755 a file with any of 0111 set, else 0100644; SIZE a file's
   length, a symlink's target's length (its blob: the target's bytes, no
   NUL). The snapshot tree: "files" (040000, SIZE 0) and "meta" (0100644,
   SIZE the meta blob's length). A root is a snapshot where it is a tree of
   exactly those two entries and meta parses: magic, major 1, record size 16,
   48 + 16 x count bytes, and the digest is files' (any minor); else a plain
   tree (snapshots of cas_snap before dx_cas.h 0.3.0, or any folder's tree
   id), which restores without times and with default permissions; records
   that run out before the entries (a count short of them) leave the rest at
   the defaults. */
#define _FILE_OFFSET_BITS 64 /* files over 2 GiB on 32-bit hosts (tool.h checks): before any header */
#define DX_IMPLEMENTATION
#include "dx_cas.h"
#include "tool.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/file.h>
#include <signal.h>

#define MAX_DEPTH 64
#define READ_TRIES 3 /* snap: reads of a file that changes while it is read, before it is taken as it is */
#define SKIPPED 1 /* snap_dir: the folder could not be read (said so); not an error of the store */

static const char usage[] =
    "usage: cas_snap [--store PATH] [OPTIONS] COMMAND [ARGS]\n"
    "Directory snapshots in a content-addressed store (dx_cas.h): files, folders and\n"
    "symlinks, deduplicated by content-defined chunks, every byte verified on the way out.\n"
    "\n"
    "commands:\n"
    "  snap DIR [NAME]      store DIR and print the snapshot's id; the ref NAME (default\n"
    "                       snap-YYYYMMDD-HHMMSS, UTC, with -2, -3... if taken) and the ref\n"
    "                       latest name it. An existing NAME is refused (delete it first);\n"
    "                       NAME cannot be latest, which every snap moves.\n"
    "                       The store itself is left out when it is inside DIR. FIFOs,\n"
    "                       sockets and devices are skipped with a warning each.\n"
    "                       Only snap creates a store (in a new or empty folder).\n"
    "  restore SNAP DIR     write the snapshot SNAP (a ref or an id) into DIR, a new or\n"
    "                       empty folder. Each file is written under a temporary name in\n"
    "                       its folder and renamed when every chunk was verified: a corrupt\n"
    "                       chunk or a full disk never leaves a partial file under a real name.\n"
    "  verify               re-hash every object; check every ref reads and reaches only\n"
    "                       objects that are there\n"
    "  gc [--dry-run] [--force]\n"
    "                       delete what no ref reaches; stops, deleting nothing, at a ref\n"
    "                       that does not read. With no refs at all it refuses unless --force.\n"
    "                       It waits for the other cas_snap runs on the store to end (and\n"
    "                       they for it): it never deletes what a snap under way reuses.\n"
    "  stats                objects, bytes stored, and the dedup ratio of the refs' snapshots\n"
    "  refs                 list the refs (name, snapshot id)\n"
    "  ref delete NAME      delete one ref (its snapshot goes at the next gc if no other\n"
    "                       ref reaches it)\n"
    "\n"
    "options:\n"
    "  --store PATH         the store (default $DX_CAS_STORE, else ./.cas-store)\n"
    "  --blake3             snap: BLAKE3 ids for a new store (a store keeps the kind it has)\n"
    "  --avg BYTES          snap: average chunk size, 256..4M (K, M suffixes; default 16K)\n"
    "  --compress LEVEL     snap: zstd level 0..19 (needs a build with zstd; default 3 there)\n"
    "  --sync-each          snap: make every object durable on its own (an fsync each: about\n"
    "                       8x slower); by default they are made durable together (syncfs)\n"
    "                       before the ref is written, so a ref never names a lost object\n"
    "  --no-sync            snap: no fsync at all (scratch stores, tests)\n"
    "  --loose              snap: one file per object, as dx_cas 0.3.0 wrote them (for older\n"
    "                       readers); by default small objects share pack files (packs/)\n"
    "  --dry-run            gc: only count what would be deleted\n"
    "  --force              gc: delete every object when there is no ref\n"
    "  --progress           a progress line on stderr even when it is not a terminal\n"
    "  -q, --quiet          no progress, no summary (warnings and errors still)\n"
    "  -h, --help           this help;  --version  the versions it is built from\n"
    "\n"
    "restore restores: file contents, folders, symlinks, permission bits (rwx for user,\n"
    "group, others; not setuid, setgid or sticky), and modification times (of files,\n"
    "folders and symlinks; nanoseconds where the file system keeps them).\n"
    "It does not restore: owners and groups, access and change times, extended attributes,\n"
    "ACLs, SELinux labels, file flags, hard links (each name becomes its own file), holes\n"
    "of sparse files (written as zeros), FIFOs, sockets and devices (snap skips them).\n"
    "What it restores is on the disk (synced) before it says so.\n"
    "\n"
    "ref names: 1..100 of A-Z a-z 0-9 . _ -, not starting with '.'; anything else given as\n"
    "a NAME (or as a SNAP that is no snapshot id either) is bad usage; a good name that no\n"
    "ref has is a failure.\n"
    "\n"
    "exit status: 0 ok, 1 failure, 2 bad usage, 3 snap saved the snapshot but some files\n"
    "or folders could not be read, or some files changed during each of 3 reads (each\n"
    "named on stderr); a file that changes while it is read is read again\n";

typedef struct snap {
    dx_cas_dir dir;
    dx_cas_store s;
    dx_cas_hash_alg hash_alg;
    dx_cas_blob_writer_config writing; /* .chunker: the chunking; .store is set once the store is open */
    const char *store_path;
    bool quiet, dry_run;
    uint64_t files, bytes_read, new_bytes, new_chunks, chunks;
    uint64_t specials, unreadable; /* snap: FIFOs, sockets, devices skipped; entries that could not be read */
    uint64_t changing;             /* snap: files that changed during each of READ_TRIES reads */
    uint64_t failed;               /* restore: files and folders not restored */
    uint64_t trees_unread;         /* logical_bytes: folders (trees) it could not read, left out of its sum */
    bool have_store_id;
    dev_t store_dev;
    ino_t store_ino;
    int lock_fd;   /* the store's folder, flock'd (store_lock); -1: none */
    uint8_t *meta; /* snap: the meta records so far */
    size_t meta_len, meta_cap;
    const char *progress_label;
    uint64_t progress_total;
    const char *progress_unit;
} snap;

/* ---- messages ---- */

/* why a store operation failed, in words (g->dir.os_error: the errno saved where it happened, or 0) */
static const char *why(const snap *g, dx_result r) {
    switch (r) {
    case DX_ERR_IO: return g->dir.os_error ? strerror(g->dir.os_error) : "input/output error";
    case DX_ERR_NOTFOUND:
        if (g->dir.bad_packs) return "the store is damaged: an object it needs is missing or in a damaged pack (run 'cas_snap verify')";
        return "an object it needs is missing from the store (run 'cas_snap verify')";
    case DX_ERR_CHECKSUM: return "an object it needs is corrupt: its content does not match its id (run 'cas_snap verify')";
    case DX_ERR_CORRUPT:
    case DX_CAS_ERR_MAGIC: return "an object it needs is malformed (run 'cas_snap verify')";
    case DX_ERR_NOMEM: return "out of memory";
    case DX_ERR_LIMIT: return "beyond this program's limits (too large or too deep)";
#if defined(DX_CAS_WITH_ZSTD)
    case DX_ERR_UNSUPPORTED: return "an object it needs is in a form this build does not read (a newer format)";
#else
    case DX_ERR_UNSUPPORTED:
        return "an object it needs is in a form this build does not read (zstd-compressed, and this build has no zstd; or a newer format)";
#endif
    default: return dx_cas_result_name(r);
    }
}

/* the progress line, restarted after a warning (tool_warn ends it) */
static void progress_start(snap *g, const char *label, uint64_t total, const char *unit) {
    g->progress_label = label, g->progress_total = total, g->progress_unit = unit;
    tool_progress_start(label, total, unit);
}

/* a warning (the work goes on): "cas_snap: ..." on stderr, the progress line after it again */
static void warn(snap *g, const char *fmt, ...) {
    va_list ap;
    tool_progress_end(false);
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", tool.name), vfprintf(stderr, fmt, ap), fputc('\n', stderr);
    va_end(ap);
    if (g->progress_label) tool_progress_start(g->progress_label, g->progress_total, g->progress_unit);
}

static void progress_end(snap *g, bool ok) {
    tool_progress_end(ok);
    g->progress_label = NULL;
}

/* a/b into out; false (nothing usable) when it does not fit */
static bool join(char *out, size_t cap, const char *a, const char *b, size_t blen) {
    int n = snprintf(out, cap, "%s/%.*s", a, (int)blen, b);
    return n > 0 && (size_t)n < cap;
}

/* ---- snap ---- */

/* The bytes of fd (or of data when fd < 0) as a blob. A read error of fd is
   *read_err (errno) with DX_ERR_IO; any other error is the store's. */
static dx_result store_bytes(snap *g, int fd, const char *data, size_t len, uint64_t *size, dx_cas_id *out,
                             int *read_err) {
    static uint8_t buf[1 << 20];
    dx_cas_blob_writer w;
    dx_result r;
    g->writing.store = &g->s;
    r = dx_cas_blob_writer_create(&w, &g->writing);
    *size = 0, *read_err = 0;
    if (r != DX_OK) return r;
    if (fd >= 0) {
        for (;;) {
            ssize_t n = read(fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                *read_err = errno;
                r = DX_ERR_IO;
                break;
            }
            if (n == 0) break;
            if (n == (ssize_t)sizeof buf && getenv("CAS_SNAP_TEST_STOP_MID_READ")) { /* tests: a file changed mid-read */
                static bool stopped;
                if (!stopped) stopped = true, raise(SIGSTOP);
            }
            if ((r = dx_cas_blob_writer_write(&w, buf, (size_t)n)) != DX_OK) break;
            *size += (uint64_t)n;
            g->bytes_read += (uint64_t)n;
            tool_progress(g->bytes_read);
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

enum { META_HEADER = 48, META_RECORD = 16 };

static dx_result meta_add(snap *g, const struct stat *st) {
    uint8_t *p;
    if (g->meta_cap - g->meta_len < META_RECORD) {
        size_t cap = g->meta_cap ? g->meta_cap * 2 : 4096;
        uint8_t *m = (uint8_t *)realloc(g->meta, cap);
        if (!m) return DX_ERR_NOMEM;
        if (!g->meta_len) g->meta_len = META_HEADER; /* the header is filled in at the end */
        g->meta = m, g->meta_cap = cap;
    }
    p = g->meta + g->meta_len;
    dx_store_u64le(p, (uint64_t)(int64_t)st->st_mtim.tv_sec);
    dx_store_u32le(p + 8, (uint32_t)st->st_mtim.tv_nsec);
    dx_store_u32le(p + 12, (uint32_t)(st->st_mode & 07777));
    g->meta_len += META_RECORD;
    return DX_OK;
}

static int name_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* whether a file's stat before a read and after it say it is the one version it was */
static bool same_version(const struct stat *a, const struct stat *b) {
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
           a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static const char *special_kind(mode_t m) {
    return S_ISFIFO(m) ? "a FIFO" : S_ISSOCK(m) ? "a socket" : S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device" : "not a file";
}

/* The tree of the folder path (whose own meta record the caller has added):
   DX_OK, SKIPPED (it could not be read; said so), or the store's error. */
static dx_result snap_dir(snap *g, const char *path, int depth, dx_cas_id *out) {
    DIR *d;
    struct dirent *de;
    char **names = NULL;
    dx_cas_tree_entry *e = NULL;
    size_t n = 0, cap = 0, i, k = 0, need = DX_CAS_TREE_HEADER_SIZE;
    uint8_t *tree = NULL;
    dx_result r = DX_OK;
    bool listed = true;
    int err, tries;
    if (depth > MAX_DEPTH) {
        g->unreadable++;
        warn(g, "skipped %s: more than 64 folders deep", tool_shown(path));
        return SKIPPED;
    }
    if (!(d = opendir(path))) {
        err = errno;
        g->unreadable++;
        warn(g, "cannot read folder %s: %s", tool_shown(path), strerror(err));
        return SKIPPED;
    }
    for (;;) {
        errno = 0;
        if (!(de = readdir(d))) {
            if ((err = errno) != 0) {
                g->unreadable++;
                warn(g, "cannot list all of folder %s: %s", tool_shown(path), strerror(err));
            }
            break;
        }
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        if (n == cap) {
            char **grown = (char **)realloc(names, (cap = cap ? cap * 2 : 64) * sizeof *names);
            if (!grown) {
                listed = false;
                break;
            }
            names = grown;
        }
        if (!(names[n] = strdup(de->d_name))) {
            listed = false;
            break;
        }
        n++;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, name_cmp); /* byte order, as tree objects want */
    e = (dx_cas_tree_entry *)calloc(n ? n : 1, sizeof *e);
    if (!e || !listed) r = DX_ERR_NOMEM;
    for (i = 0; i < n && r == DX_OK; i++) {
        char child[4096];
        struct stat st;
        dx_cas_tree_entry *t = &e[k];
        size_t meta_at = g->meta_len;
        int read_err = 0;
        if (strlen(names[i]) > DX_CAS_NAME_MAX || !join(child, sizeof child, path, names[i], strlen(names[i]))) {
            g->unreadable++;
            warn(g, "skipped %s/%s: name or path too long", tool_shown(path), tool_shown(names[i]));
            continue;
        }
        if (lstat(child, &st) != 0) {
            err = errno;
            if (err != ENOENT) g->unreadable++; /* ENOENT: deleted since the folder was listed */
            warn(g, "skipped %s: %s", tool_shown(child), strerror(err));
            continue;
        }
        t->name = names[i];
        t->name_len = strlen(names[i]);
        if (S_ISDIR(st.st_mode)) {
            if (g->have_store_id && st.st_dev == g->store_dev && st.st_ino == g->store_ino) continue; /* the store */
            t->mode = DX_CAS_MODE_DIR;
            if ((r = meta_add(g, &st)) != DX_OK) break;
            r = snap_dir(g, child, depth + 1, &t->id);
            if (r == SKIPPED) {
                g->meta_len = meta_at; /* its records and its children's go */
                r = DX_OK;
                continue;
            }
        } else if (S_ISREG(st.st_mode)) {
            int fd = open(child, O_RDONLY);
            if (fd < 0) {
                err = errno;
                g->unreadable++;
                warn(g, "cannot read %s: %s", tool_shown(child), strerror(err));
                continue;
            }
            t->mode = (st.st_mode & 0111) ? DX_CAS_MODE_EXEC : DX_CAS_MODE_FILE;
            for (tries = 1;; tries++) { /* read again while it changes under the read: never a mix of two versions */
                struct stat after;
                uint64_t chunks_before = g->chunks;
                r = store_bytes(g, fd, NULL, 0, &t->size, &t->id, &read_err);
                if (r != DX_OK || read_err || fstat(fd, &after) != 0 || same_version(&st, &after)) break;
                if (tries == READ_TRIES) {
                    g->changing++;
                    warn(g, "%s changed while it was read, %d times: the snapshot holds the last read, which may mix versions",
                         tool_shown(child), READ_TRIES);
                    break;
                }
                g->bytes_read -= t->size, g->chunks = chunks_before, st = after; /* what the next read must still find */
                if (lseek(fd, 0, SEEK_SET) != 0) {
                    read_err = errno, r = DX_ERR_IO;
                    break;
                }
            }
            close(fd);
            if (read_err) {
                g->unreadable++;
                warn(g, "cannot read %s: %s", tool_shown(child), strerror(read_err));
                r = DX_OK;
                continue;
            }
            if (r == DX_OK) r = meta_add(g, &st);
            g->files++;
        } else if (S_ISLNK(st.st_mode)) {
            char target[4096];
            ssize_t len = readlink(child, target, sizeof target);
            if (len < 0 || (size_t)len >= sizeof target) {
                err = errno;
                g->unreadable++;
                warn(g, "cannot read symlink %s: %s", tool_shown(child), len < 0 ? strerror(err) : "target longer than 4095 bytes");
                continue;
            }
            t->mode = DX_CAS_MODE_SYMLINK;
            r = store_bytes(g, -1, target, (size_t)len, &t->size, &t->id, &read_err);
            if (r == DX_OK) r = meta_add(g, &st);
        } else {
            g->specials++;
            warn(g, "skipped %s: %s (only files, folders and symlinks are snapshotted)", tool_shown(child), special_kind(st.st_mode));
            continue;
        }
        if (r != DX_OK) break;
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

/* The snapshot of dir: {files: its tree, meta: the times and permissions}. */
static dx_result snapshot(snap *g, const char *dir, const struct stat *top, dx_cas_id *out) {
    dx_cas_tree_entry e[2];
    dx_cas_id files;
    uint8_t tree[DX_CAS_TREE_HEADER_SIZE + 2 * DX_CAS_TREE_ENTRY_FIXED + 16];
    int64_t len;
    int read_err;
    dx_result r = meta_add(g, top);
    if (r != DX_OK) return r;
    if ((r = snap_dir(g, dir, 0, &files)) != DX_OK) return r; /* SKIPPED: said why */
    memcpy(g->meta, "CSNP", 4);
    g->meta[4] = 1, g->meta[5] = 0;
    dx_store_u16le(g->meta + 6, META_RECORD);
    dx_store_u32le(g->meta + 8, (uint32_t)((g->meta_len - META_HEADER) / META_RECORD));
    dx_store_u32le(g->meta + 12, 0);
    memcpy(g->meta + 16, files.digest, DX_CAS_HASH_SIZE);
    memset(e, 0, sizeof e);
    e[0].name = "files", e[0].name_len = 5, e[0].mode = DX_CAS_MODE_DIR, e[0].id = files;
    e[1].name = "meta", e[1].name_len = 4, e[1].mode = DX_CAS_MODE_FILE;
    if ((r = store_bytes(g, -1, (const char *)g->meta, g->meta_len, &e[1].size, &e[1].id, &read_err)) != DX_OK) return r;
    len = dx_cas_tree_encode(g->s.hash_alg.alg, e, 2, tree, sizeof tree);
    return len < 0 ? (dx_result)len : dx_cas_store_put(&g->s, tree, (size_t)len, out);
}

/* ---- reading snapshots ---- */

typedef struct sink {
    int fd, err;    /* a file, and the errno of a failed write */
    uint8_t *mem;   /* or memory (cap bytes) */
    size_t cap;
    uint64_t len;
    snap *g;
    bool stopped; /* CAS_SNAP_TEST_STOP_MID_RESTORE did */
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
    k->len += len;
    while (len > 0) {
        ssize_t w = write(k->fd, data, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            k->err = w < 0 ? errno : EIO;
            return DX_ERR_IO;
        }
        data = (const uint8_t *)data + w, len -= (size_t)w;
        if (k->g) k->g->bytes_read += (uint64_t)w;
    }
    if (k->g) tool_progress(k->g->bytes_read);
    if (k->len >= (1u << 20) && !k->stopped && getenv("CAS_SNAP_TEST_STOP_MID_RESTORE")) { /* tests: a restore signalled mid-file */
        k->stopped = true;
        raise(SIGSTOP);
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

typedef struct snapshot_view {
    dx_cas_id files; /* the top folder's tree */
    uint8_t *meta;   /* the meta blob (NULL: none, a plain tree) */
    uint32_t count, next;
    bool meta_ok;    /* records still line up with the walk */
} snapshot_view;

/* What root is: a snapshot (files + meta) or a plain tree. */
static dx_result snapshot_open(snap *g, const dx_cas_id *root, snapshot_view *v) {
    uint8_t *buf;
    size_t len, pos = 0;
    dx_cas_tree t;
    dx_cas_tree_entry a, b;
    dx_result r;
    memset(v, 0, sizeof *v);
    v->files = *root;
    if ((r = load(&g->s, root, &buf, &len)) != DX_OK) return r;
    if ((r = dx_cas_tree_parse(buf, len, 0, &t)) != DX_OK) {
        free(buf);
        return r == DX_ERR_TRUNCATED ? (dx_result)DX_ERR_CORRUPT : r; /* shorter than a tree's header: not a tree either */
    }
    if (t.count == 2 && dx_cas_tree_next(&t, &pos, &a) && dx_cas_tree_next(&t, &pos, &b) && a.name_len == 5 &&
        !memcmp(a.name, "files", 5) && a.mode == DX_CAS_MODE_DIR && b.name_len == 4 && !memcmp(b.name, "meta", 4) &&
        b.mode == DX_CAS_MODE_FILE && b.size >= META_HEADER && b.size <= ((uint64_t)1 << 31)) {
        sink k;
        memset(&k, 0, sizeof k);
        k.cap = (size_t)b.size;
        if (!(k.mem = (uint8_t *)malloc(k.cap))) r = DX_ERR_NOMEM;
        else r = dx_cas_blob_read(&g->s, &b.id, NULL, sink_write, &k, NULL);
        if (r == DX_OK && k.len == b.size && !memcmp(k.mem, "CSNP", 4) && k.mem[4] == 1 &&
            dx_load_u16le(k.mem + 6) == META_RECORD &&
            (uint64_t)dx_load_u32le(k.mem + 8) * META_RECORD + META_HEADER == b.size &&
            !memcmp(k.mem + 16, a.id.digest, DX_CAS_HASH_SIZE)) {
            v->files = a.id, v->meta = k.mem, v->count = dx_load_u32le(k.mem + 8), v->meta_ok = true;
            k.mem = NULL;
        }
        free(k.mem);
    }
    free(buf);
    return r;
}

/* the next meta record, if they still line up */
static bool meta_next(snapshot_view *v, struct timespec *mtime, mode_t *mode) {
    const uint8_t *p;
    if (!v->meta || !v->meta_ok || v->next >= v->count) return false;
    p = v->meta + META_HEADER + (size_t)v->next++ * META_RECORD;
    mtime->tv_sec = (time_t)(int64_t)dx_load_u64le(p);
    mtime->tv_nsec = (long)dx_load_u32le(p + 8);
    *mode = (mode_t)(dx_load_u32le(p + 12) & 0777);
    return mtime->tv_nsec < 1000000000L;
}

/* the bytes of every file under a tree (restore's progress total) */
static uint64_t logical_bytes(snap *g, const dx_cas_id *id, int depth) {
    uint8_t *buf;
    size_t len, pos = 0;
    dx_cas_tree t;
    dx_cas_tree_entry e;
    uint64_t sum = 0;
    if (depth > MAX_DEPTH || load(&g->s, id, &buf, &len) != DX_OK) {
        g->trees_unread++;
        return 0;
    }
    if (dx_cas_tree_parse(buf, len, 0, &t) == DX_OK)
        while (dx_cas_tree_next(&t, &pos, &e)) sum += e.mode == DX_CAS_MODE_DIR ? logical_bytes(g, &e.id, depth + 1) : e.size;
    else g->trees_unread++;
    free(buf);
    return sum;
}

/* ---- restore ---- */

static mode_t umask_now;

static void set_times(snap *g, const char *path, bool have, const struct timespec *mtime, bool symlink) {
    struct timespec ts[2];
    int err;
    if (!have) return;
    ts[0].tv_sec = 0, ts[0].tv_nsec = UTIME_OMIT;
    ts[1] = *mtime;
    if (utimensat(AT_FDCWD, path, ts, symlink ? AT_SYMLINK_NOFOLLOW : 0) != 0) {
        err = errno;
        warn(g, "cannot set the time of %s: %s", tool_shown(path), strerror(err));
    }
}

/* One file: written to a temporary name in its folder, renamed when every
   chunk was verified and written. <0: stop (the disk); 0: done or reported. */
static int restore_file(snap *g, snapshot_view *v, const dx_cas_tree_entry *e, const char *folder, const char *child) {
    static unsigned serial;
    char tmp[4096];
    struct timespec mtime;
    mode_t mode = (e->mode == DX_CAS_MODE_EXEC ? 0777 : 0666) & ~umask_now;
    bool have = meta_next(v, &mtime, &mode);
    sink k;
    dx_result r;
    int tries, err = 0;
    memset(&k, 0, sizeof k);
    k.fd = -1, k.g = g;
    for (tries = 0; k.fd < 0 && tries < 100; tries++) {
        if (snprintf(tmp, sizeof tmp, "%s/.cas_snap-%ld-%u.tmp", folder, (long)getpid(), serial++) >= (int)sizeof tmp) break;
        k.fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (k.fd < 0 && (err = errno) != EEXIST) break;
    }
    if (k.fd < 0) {
        tool_fail("cannot restore %s: cannot create a temporary file in its folder: %s", tool_shown(child), strerror(err ? err : ENAMETOOLONG));
        return -1;
    }
    tool_tmp_watch(tmp); /* Ctrl-C: removed, not left in the user's folder */
    g->dir.os_error = 0;
    r = dx_cas_blob_read(&g->s, &e->id, NULL, sink_write, &k, NULL); /* every chunk verified */
    if (r == DX_OK && k.len != e->size) r = DX_ERR_CORRUPT;           /* the tree and the blob disagree */
    if (r == DX_OK && fchmod(k.fd, mode) != 0) k.err = errno, r = DX_ERR_IO;
    if (r == DX_OK && have) {
        struct timespec ts[2];
        ts[0].tv_sec = 0, ts[0].tv_nsec = UTIME_OMIT, ts[1] = mtime;
        if (futimens(k.fd, ts) != 0) k.err = errno, r = DX_ERR_IO;
    }
    if (close(k.fd) != 0 && r == DX_OK) k.err = errno, r = DX_ERR_IO;
    if (r == DX_OK && rename(tmp, child) != 0) k.err = errno, r = DX_ERR_IO;
    if (r != DX_OK) remove(tmp);
    tool_tmp_unwatch(tmp);
    if (r == DX_OK) {
        g->files++;
        return 0;
    }
    if (k.err) { /* the disk: nothing later would fare better */
        tool_fail("cannot restore %s: %s", tool_shown(child), strerror(k.err));
        return -1;
    }
    g->failed++;
    warn(g, "cannot restore %s: %s", tool_shown(child), why(g, r));
    return 0;
}

/* The entries of tree id into the existing folder path. <0: stop; 0: done (failures counted). */
static int restore_tree(snap *g, snapshot_view *v, const dx_cas_id *id, const char *path, int depth) {
    uint8_t *buf;
    size_t len, pos = 0;
    dx_cas_tree t;
    dx_cas_tree_entry e;
    dx_result r;
    int rc = 0, err;
    if (depth > MAX_DEPTH) r = DX_ERR_LIMIT;
    else if ((r = load(&g->s, id, &buf, &len)) == DX_OK && (r = dx_cas_tree_parse(buf, len, 0, &t)) != DX_OK) free(buf);
    if (r != DX_OK) {
        g->failed++;
        warn(g, "cannot restore the contents of %s: %s", tool_shown(path), why(g, r));
        if (v->meta_ok && v->meta) warn(g, "times and permissions are not restored after %s", tool_shown(path));
        v->meta_ok = false; /* the records of what this tree held cannot be skipped: they no longer line up */
        return 0;
    }
    while (rc == 0 && dx_cas_tree_next(&t, &pos, &e)) { /* names are checked: no '/', no "..": nothing leaves path */
        char child[4096];
        struct timespec mtime;
        mode_t mode = 0777 & ~umask_now;
        if (!join(child, sizeof child, path, e.name, e.name_len)) {
            char name[DX_CAS_NAME_MAX + 1];
            memcpy(name, e.name, e.name_len <= DX_CAS_NAME_MAX ? e.name_len : DX_CAS_NAME_MAX);
            name[e.name_len <= DX_CAS_NAME_MAX ? e.name_len : DX_CAS_NAME_MAX] = 0;
            tool_fail("cannot restore %s/%s: path too long", tool_shown(path), tool_shown(name));
            rc = -1;
            break;
        }
        if (e.mode == DX_CAS_MODE_DIR) {
            bool have = meta_next(v, &mtime, &mode);
            if (mkdir(child, 0700) != 0) { /* writable while it fills; its own mode at the end */
                err = errno;
                tool_fail("cannot restore folder %s: %s", tool_shown(child), strerror(err));
                rc = -1;
                break;
            }
            rc = restore_tree(g, v, &e.id, child, depth + 1);
            if (chmod(child, mode) != 0) {
                err = errno;
                warn(g, "cannot set the permissions of %s: %s", tool_shown(child), strerror(err));
            }
            set_times(g, child, have, &mtime, false);
        } else if (e.mode == DX_CAS_MODE_SYMLINK) {
            uint8_t target[4097];
            bool have = meta_next(v, &mtime, &mode);
            sink k;
            memset(&k, 0, sizeof k);
            k.mem = target, k.cap = 4096;
            g->dir.os_error = 0;
            r = dx_cas_blob_read(&g->s, &e.id, NULL, sink_write, &k, NULL);
            if (r != DX_OK) {
                g->failed++;
                warn(g, "cannot restore symlink %s: %s", tool_shown(child), r == DX_ERR_NOSPACE ? "target longer than 4096 bytes" : why(g, r));
                continue;
            }
            target[k.len] = 0;
            if (symlink((const char *)target, child) != 0) {
                err = errno;
                tool_fail("cannot restore symlink %s: %s", tool_shown(child), strerror(err));
                rc = -1;
                break;
            }
            set_times(g, child, have, &mtime, true);
        } else {
            rc = restore_file(g, v, &e, path, child);
        }
    }
    free(buf);
    return rc;
}

/* ---- verify, gc, refs: the store seen through a counter (the progress line) ---- */

typedef struct counted {
    dx_cas_store *inner;
    bool no_objects; /* iterate lists none (verify: the refs' walk alone) */
    uint64_t seen;
    dx_cas_iter_fn fn;
    void *user;
} counted;

static dx_result c_put(void *self, const dx_cas_id *id, const void *data, size_t len) {
    counted *c = (counted *)self;
    return c->inner->vt->put_fn(c->inner->self, id, data, len);
}
static int64_t c_get(void *self, const dx_cas_id *id, void *buf, size_t cap) {
    counted *c = (counted *)self;
    return c->inner->vt->get_fn(c->inner->self, id, buf, cap);
}
static int64_t c_has(void *self, const dx_cas_id *id) {
    counted *c = (counted *)self;
    return c->inner->vt->has_fn(c->inner->self, id);
}
static dx_result c_delete(void *self, const dx_cas_id *id) {
    counted *c = (counted *)self;
    return c->inner->vt->delete_fn(c->inner->self, id);
}
static dx_result c_one(void *user, const dx_cas_id *id, uint64_t size) {
    counted *c = (counted *)user;
    tool_progress(++c->seen);
    return c->fn(c->user, id, size);
}
static dx_result c_iterate(void *self, dx_cas_iter_fn fn, void *user) {
    counted *c = (counted *)self;
    c->fn = fn, c->user = user;
    if (c->no_objects) return DX_OK;
    return c->inner->vt->iterate_fn(c->inner->self, c_one, c);
}
static dx_result c_sync(void *self) {
    counted *c = (counted *)self;
    return c->inner->vt->sync_fn ? c->inner->vt->sync_fn(c->inner->self) : (dx_result)DX_OK;
}
static const dx_cas_store_vtable counted_vt = {c_put, c_get, c_has, c_delete, c_iterate, c_sync};

static dx_result count_object(void *user, const dx_cas_id *id, uint64_t size) {
    uint64_t *c = (uint64_t *)user;
    (void)id;
    c[0]++, c[1] += size;
    return DX_OK;
}

/* count_object, and the progress line (the count) */
static dx_result count_object_shown(void *user, const dx_cas_id *id, uint64_t size) {
    count_object(user, id, size);
    tool_progress(((uint64_t *)user)[0]);
    return DX_OK;
}

/* A store like g->s that moves the progress line (label) once per object
   iterated; total counted first when the line shows. */
static dx_result counted_store(snap *g, counted *c, const char *label, dx_cas_store *out) {
    dx_cas_store_config sc;
    uint64_t n[2] = {0, 0};
    memset(c, 0, sizeof *c);
    c->inner = &g->s;
    if (tool_progress_on()) dx_cas_store_iterate(&g->s, count_object, n);
    memset(&sc, 0, sizeof sc);
    sc.vtable = &counted_vt, sc.self = c, sc.hash_alg = &g->hash_alg, sc.allocator = g->s.allocator;
    progress_start(g, label, n[0], "objects");
    return dx_cas_store_init(out, &sc);
}

typedef struct ref_item {
    char name[104];
    dx_cas_id id;
} ref_item;

typedef struct refs_acc {
    ref_item *items;
    size_t n, cap;
    bool nomem;
    int bad;
    const char *store;
    bool to_stdout; /* verify reports on stdout, others on stderr */
} refs_acc;

static dx_result on_ref(void *user, const char *name, const dx_cas_id *id) {
    refs_acc *a = (refs_acc *)user;
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 64;
        ref_item *grown = (ref_item *)realloc(a->items, cap * sizeof *grown);
        if (!grown) return DX_ERR_NOMEM;
        a->items = grown, a->cap = cap;
    }
    snprintf(a->items[a->n].name, sizeof a->items[a->n].name, "%s", name);
    a->items[a->n++].id = *id;
    return DX_OK;
}

static void on_bad_ref(void *user, const char *name, dx_result what) {
    refs_acc *a = (refs_acc *)user;
    const char *w = what == DX_ERR_CORRUPT ? "does not hold a snapshot id"
                    : what == DX_ERR_INVAL ? "is not a valid ref name (A-Z a-z 0-9 . _ -)"
                                           : "cannot be read";
    a->bad++;
    tool_progress_end(false);
    if (a->to_stdout) printf("bad ref %s: %s/refs/%s %s\n", tool_shown(name), a->store, tool_shown(name), w);
    else tool_warn("bad ref %s: %s/refs/%s %s", tool_shown(name), a->store, tool_shown(name), w);
}

static int item_cmp(const void *x, const void *y) { return strcmp(((const ref_item *)x)->name, ((const ref_item *)y)->name); }

/* every ref, sorted by name; bad ones reported. DX_ERR_CORRUPT if any was bad. */
static dx_result read_refs(snap *g, refs_acc *a, bool to_stdout) {
    dx_result r;
    memset(a, 0, sizeof *a);
    a->store = g->store_path, a->to_stdout = to_stdout;
    g->dir.os_error = 0;
    r = dx_cas_dir_ref_scan(&g->dir, on_ref, on_bad_ref, a);
    if (a->n) qsort(a->items, a->n, sizeof *a->items, item_cmp);
    return r;
}

static dx_cas_id *ref_ids(refs_acc *a) {
    dx_cas_id *ids = (dx_cas_id *)malloc((a->n ? a->n : 1) * sizeof *ids);
    size_t i;
    if (ids)
        for (i = 0; i < a->n; i++) ids[i] = a->items[i].id;
    return ids;
}

static void problem(void *user, const dx_cas_id *id, dx_result what) {
    char text[DX_CAS_ID_TEXT_SIZE];
    (void)user;
    tool_progress_end(false);
    dx_cas_id_format(id, text, sizeof text);
    printf("%s %s\n", what == DX_ERR_CHECKSUM ? "corrupt" : what == DX_ERR_NOTFOUND ? "missing" : "malformed", text);
}

static dx_result delete_one(void *user, const dx_cas_id *id, uint64_t size) {
    snap *g = (snap *)user;
    g->files++, g->bytes_read += size;
    return g->dry_run ? (dx_result)DX_OK : dx_cas_store_delete(&g->s, id);
}

/* ---- the kind of ids: a store holds one (SHA-256 or BLAKE3) ---- */

#define FOUND 2 /* kind_of_object: one object is enough */

typedef struct kinds {
    char ref[2][104]; /* a ref that names a SHA-256 id, one that names a BLAKE3 id ("": none) */
    uint32_t object;  /* the first object's algorithm (0: none looked at, or none) */
} kinds;

static dx_result kind_of_ref(void *user, const char *name, const dx_cas_id *id) {
    kinds *k = (kinds *)user;
    char *to = k->ref[id->alg == DX_CAS_ALG_BLAKE3];
    if (!to[0]) snprintf(to, 104, "%s", name);
    return DX_OK;
}

static dx_result kind_of_object(void *user, const dx_cas_id *id, uint64_t size) {
    (void)size;
    ((kinds *)user)->object = id->alg;
    return FOUND;
}

/* The store's kind of ids, which the command then uses: the kind its refs name, else (no
   readable ref) the kind of its first object; a new or empty store takes asked (0: SHA-256).
   snap with --blake3 (asked) into a store of the other kind is refused, and so is every
   command but refs, ref delete and restore on a store whose refs name both kinds (an
   earlier cas_snap let a snap mix them). 0, or a failure said. */
static int store_kind(snap *g, const char *cmd, uint32_t asked) {
    kinds k;
    uint32_t alg;
    memset(&k, 0, sizeof k);
    g->dir.os_error = 0;
    dx_cas_dir_ref_list(&g->dir, kind_of_ref, &k); /* bad refs: the command reports them */
    if (k.ref[0][0] && k.ref[1][0])
        return tool_fail("%s: %s holds snapshots of both kinds (ref %s: SHA-256 ids, ref %s: BLAKE3 ids), and cas_snap keeps "
                         "one kind a store: delete the refs of one kind ('cas_snap ref delete NAME'), then run gc",
                         cmd, g->store_path, k.ref[0], k.ref[1]);
    if (!k.ref[0][0] && !k.ref[1][0]) dx_cas_store_iterate(&g->s, kind_of_object, &k);
    alg = k.ref[1][0] ? DX_CAS_ALG_BLAKE3 : k.ref[0][0] ? DX_CAS_ALG_SHA256 : k.object;
    if (asked && alg && asked != alg)
        return tool_fail("snap: %s holds %s ids, and a store holds one kind: --blake3 snapshots need a store of their own",
                         g->store_path, alg == DX_CAS_ALG_SHA256 ? "SHA-256" : "BLAKE3");
    alg = alg ? alg : asked ? asked : DX_CAS_ALG_SHA256;
    if (alg != g->hash_alg.alg) {
        dx_cas_hash_alg_init(&g->hash_alg, alg);
        dx_cas_dir_store(&g->dir, &g->hash_alg, &g->s);
    }
    return 0;
}

/* ---- main ---- */

/* Runs on one store at once: each holds a lock (flock) of the store's folder from before
   the open (its view of the packs is then current) to its end: a shared one, but gc
   (not --dry-run) an exclusive one. So a gc never deletes an object that a snap under
   way found in the store (and will name in its ref), nor a pack a reader reads from;
   snaps, restores and the rest run side by side. One that has to wait says so. A file
   system without flock (ENOLCK, EOPNOTSUPP): no lock, as before. */
static int store_lock(snap *g, const char *path, bool exclusive) {
    int fd = open(path, O_RDONLY | O_CLOEXEC), how = exclusive ? LOCK_EX : LOCK_SH, err;
    if (fd < 0) {
        err = errno;
        return tool_fail("cannot open store %s: %s", path, strerror(err));
    }
    if (flock(fd, how | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
        if (!g->quiet)
            tool_warn(exclusive ? "waiting for the other cas_snap runs on %s to end (gc deletes only when it is alone)"
                                : "waiting for a gc of %s to end",
                      path);
        while (flock(fd, how) != 0 && errno == EINTR) {
        }
    }
    g->lock_fd = fd; /* held until the program ends */
    return 0;
}

/* The refs folder, locked (flock) while a snap makes sure its ref's name is free and
   writes it, so that two snaps never write one name; -1 when it cannot be locked. */
static int refs_lock(snap *g) {
    char path[4200];
    int fd;
    snprintf(path, sizeof path, "%s/refs", g->store_path);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) return -1;
    while (flock(fd, LOCK_EX) != 0)
        if (errno != EINTR) {
            close(fd);
            return -1;
        }
    return fd;
}

/* Opens the store; only snap (create) may make one, and only in a new or empty folder.
   exclusive: the lock gc takes (store_lock). */
static int open_store(snap *g, dx_cas_dir_config *dc, bool create, bool exclusive) {
    struct stat st;
    dx_result r;
    int err = 0;
    bool exists = stat(dc->path, &st) == 0;
    if (!exists && (err = errno) != ENOENT) return tool_fail("cannot open store %s: %s", dc->path, strerror(err));
    if (exists && !S_ISDIR(st.st_mode)) return tool_fail("%s is not a cas_snap store (it is a file, not a folder)", dc->path);
    if ((err = tool_store_claim(dc->path, "cas_snap store", create)) != 0) return err; /* another tool's (tool.h), a folder of the user's */
    if (!create) dc->must_exist = true; /* only snap makes a store */
    if (create && !exists && mkdir(dc->path, 0777) != 0 && (err = errno) != EEXIST) { /* to lock it before the open */
        if (err == ENOENT) return tool_fail("cannot create store %s: its parent folder does not exist", dc->path);
        return tool_fail("cannot create store %s: %s", dc->path, strerror(err));
    }
    if ((exists || create) && (err = store_lock(g, dc->path, exclusive)) != 0) return err;
    g->dir.os_error = 0;
    if ((r = dx_cas_dir_open(&g->dir, dc)) != DX_OK) {
        if (r == DX_ERR_NOTFOUND && dc->must_exist) return tool_fail("%s is not a cas_snap store", dc->path);
        if (r == DX_ERR_NOTFOUND) return tool_fail("cannot create store %s: its parent folder does not exist", dc->path);
        if (r == DX_ERR_UNSUPPORTED) return tool_usage_error("--compress needs a build with zstd (DX_CAS_WITH_ZSTD)");
        return tool_fail("cannot open store %s: %s", dc->path, why(g, r));
    }
    if (create) tool_store_mark(dc->path, "cas_snap store"); /* snap: the store is cas_snap's from now on */
    if (stat(dc->path, &st) == 0) g->have_store_id = true, g->store_dev = st.st_dev, g->store_ino = st.st_ino;
    g->store_path = dc->path;
    return 0;
}

#define REF_NAME_RULE "1..100 of A-Z a-z 0-9 . _ -, not starting with '.'"

/* what dx_cas_dir_ref_set accepts (checked before the store is opened or made) */
static bool ref_name_ok(const char *name) {
    size_t i, n = strlen(name);
    if (n == 0 || n > 100 || name[0] == '.') return false;
    for (i = 0; i < n; i++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", name[i])) return false;
    return true;
}

/* The name of snap's ref into refname (104 bytes): name, when no ref has it (else a
   failure, said; done: after the snapshot was stored, whose id it names); without name
   the first of base, base-2, base-3... that no ref has. 0 or TOOL_EXIT_FAIL. */
static int ref_name_pick(snap *g, const char *name, const char *base, char *refname, const dx_cas_id *done) {
    char text[DX_CAS_ID_TEXT_SIZE], id[DX_CAS_ID_TEXT_SIZE];
    dx_cas_id old;
    dx_result r;
    unsigned n;
    if (name) {
        snprintf(refname, 104, "%s", name);
        if ((r = dx_cas_dir_ref_get(&g->dir, name, &old)) == DX_ERR_NOTFOUND) return 0;
        if (r == DX_OK) dx_cas_id_format(&old, text, sizeof text);
        if (done) { /* another run took the name while this one stored its snapshot */
            dx_cas_id_format(done, id, sizeof id);
            return tool_fail("ref %s was written by another run meanwhile%s%s%s: this snapshot (%s) is stored but has no ref; "
                             "run snap again with another name (what is stored is not stored twice)",
                             name, r == DX_OK ? " (snapshot " : "", r == DX_OK ? text : "", r == DX_OK ? ")" : "", id);
        }
        if (r == DX_OK)
            return tool_fail("ref %s exists (snapshot %s): choose another name, or 'cas_snap ref delete %s' first", name, text, name);
        return tool_fail("ref %s: %s/refs/%s exists and does not read (fix or remove it)", name, g->store_path, name);
    }
    snprintf(refname, 104, "%s", base);
    for (n = 2; dx_cas_dir_ref_get(&g->dir, refname, &old) != DX_ERR_NOTFOUND; n++) {
        if (n > 100000) return tool_fail("cannot find a free ref name after %s", base);
        snprintf(refname, 104, "%s-%u", base, n);
    }
    return 0;
}

static int cmd_snap(snap *g, const char *dir, const char *name) {
    dx_cas_id root;
    char text[DX_CAS_ID_TEXT_SIZE], refname[104], base[64];
    struct stat st;
    time_t now = time(NULL);
    struct tm tm;
    dx_result r;
    int err, lock;
    if (stat(dir, &st) != 0) {
        err = errno;
        return tool_fail("cannot snapshot %s: %s", tool_shown(dir), strerror(err));
    }
    if (g->have_store_id && st.st_dev == g->store_dev && st.st_ino == g->store_ino)
        return tool_fail("cannot snapshot %s: it is the store itself", tool_shown(dir));
    gmtime_r(&now, &tm); /* the default name: snap-YYYYMMDD-HHMMSS (UTC) of the start, -2, -3... when taken */
    strftime(base, sizeof base, "snap-%Y%m%d-%H%M%S", &tm);
    if (name && ref_name_pick(g, name, base, refname, NULL) != 0) return TOOL_EXIT_FAIL; /* before any work */
    progress_start(g, "snap", 0, "MiB");
    g->dir.os_error = 0;
    r = snapshot(g, dir, &st, &root);
    if (r == DX_OK) r = dx_cas_store_sync(&g->s); /* everything the refs will name is durable first */
    progress_end(g, r == DX_OK);
    if (r == SKIPPED) return tool_fail("snap %s: nothing stored", tool_shown(dir));
    if (r != DX_OK) return tool_fail("snap %s: cannot write to store %s: %s", tool_shown(dir), g->store_path, why(g, r));
    if (getenv("CAS_SNAP_TEST_STOP_BEFORE_REF")) raise(SIGSTOP); /* tests: a run held between its objects and its ref */
    /* the name checked and written under the lock of refs/: two snaps at once never write one name */
    lock = refs_lock(g);
    if ((err = ref_name_pick(g, name, base, refname, &root)) == 0 &&
        ((r = dx_cas_dir_ref_set(&g->dir, refname, &root)) != DX_OK || (r = dx_cas_dir_ref_set(&g->dir, "latest", &root)) != DX_OK))
        err = tool_fail("snap %s: the snapshot is stored but its ref could not be written: %s", tool_shown(dir), why(g, r));
    if (lock >= 0) close(lock);
    if (err != 0) return err;
    dx_cas_id_format(&root, text, sizeof text);
    printf("%s\n", text);
    if (!g->quiet) {
        fprintf(stderr, "cas_snap: %llu files, %llu bytes, %llu chunks (%llu new, %llu new bytes; %llu compressed, %llu bytes saved)",
                (unsigned long long)g->files, (unsigned long long)g->bytes_read, (unsigned long long)g->chunks,
                (unsigned long long)g->new_chunks, (unsigned long long)g->new_bytes,
                (unsigned long long)g->dir.compressed, (unsigned long long)g->dir.saved_bytes);
        if (g->specials) fprintf(stderr, "; %llu skipped (FIFOs, sockets, devices)", (unsigned long long)g->specials);
        if (g->unreadable) fprintf(stderr, "; %llu could not be read", (unsigned long long)g->unreadable);
        if (g->changing) fprintf(stderr, "; %llu kept changing", (unsigned long long)g->changing);
        fprintf(stderr, "; ref %s and latest\n", refname);
    }
    if (tool_stdout_done() != 0) return TOOL_EXIT_FAIL;
    if (g->unreadable)
        tool_warn("the snapshot lacks %llu files or folders that could not be read (named above)", (unsigned long long)g->unreadable);
    if (g->changing)
        tool_warn("%llu files kept changing while they were read (named above): the snapshot may hold a mix of their versions",
                  (unsigned long long)g->changing);
    if (g->unreadable || g->changing) return 3;
    return TOOL_EXIT_OK;
}

static int resolve(snap *g, const char *what, dx_cas_id *root) {
    dx_result r;
    if (dx_cas_id_parse(what, strlen(what), root) == DX_OK) return 0;
    g->dir.os_error = 0;
    if ((r = dx_cas_dir_ref_get(&g->dir, what, root)) == DX_OK) return 0;
    if (r == DX_ERR_INVAL) return tool_usage_error("%s: neither a ref name (" REF_NAME_RULE ") nor a snapshot id", what);
    if (r == DX_ERR_NOTFOUND) return tool_fail("no ref %s in %s (and it is not a snapshot id)", what, g->store_path);
    if (r == DX_ERR_CORRUPT) return tool_fail("ref %s: %s/refs/%s does not hold a snapshot id", what, g->store_path, what);
    return tool_fail("ref %s: %s", what, why(g, r));
}

static int cmd_restore(snap *g, const char *what, const char *out) {
    dx_cas_id root;
    snapshot_view v;
    struct stat st;
    struct timespec mtime;
    mode_t mode = 0777 & ~umask_now;
    dx_result r;
    int rc, err;
    bool have;
    if ((rc = resolve(g, what, &root)) != 0) return rc;
    if (root.alg != g->s.hash_alg.alg) { /* the id says which algorithm the store uses */
        dx_cas_hash_alg_init(&g->hash_alg, root.alg);
        dx_cas_dir_store(&g->dir, &g->hash_alg, &g->s);
    }
    g->dir.os_error = 0;
    if ((r = snapshot_open(g, &root, &v)) == DX_ERR_NOTFOUND && dx_cas_store_has(&g->s, &root) == DX_ERR_NOTFOUND) {
        char text[DX_CAS_ID_TEXT_SIZE];
        dx_cas_id_format(&root, text, sizeof text);
        if (g->dir.bad_packs) /* it may be in one */
            return tool_fail("cannot restore %s: the store is damaged: snapshot %s is not there or does not read (%u damaged pack%s, "
                             "%s/packs/%s the first; run 'cas_snap verify')", what, text, (unsigned)g->dir.bad_packs,
                             g->dir.bad_packs == 1 ? "" : "s", g->store_path, g->dir.bad_pack);
        return tool_fail("no snapshot %s in %s", text, g->store_path);
    }
    if (r != DX_OK)
        return tool_fail("cannot restore %s: %s", what, r == DX_ERR_CORRUPT || r == DX_CAS_ERR_MAGIC ? "it is not a snapshot (not a tree)" : why(g, r));
    if (stat(out, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) rc = tool_fail("cannot restore into %s: it exists and is not a directory", tool_shown(out));
        else if (!tool_dir_is_empty(out, &err)) rc = err ? tool_fail("cannot restore into %s: %s", tool_shown(out), strerror(err))
                                                    : tool_fail("cannot restore into %s: it is not empty (restore writes into a new or empty folder)", tool_shown(out));
        else rc = 0;
    } else if ((err = errno) != ENOENT || mkdir(out, 0700) != 0) {
        err = err != ENOENT ? err : errno;
        rc = tool_fail("cannot restore into %s: %s", tool_shown(out), strerror(err));
    } else {
        rc = 0;
    }
    if (rc != 0) {
        free(v.meta);
        return rc;
    }
    have = meta_next(&v, &mtime, &mode);
    if (!v.meta && !g->quiet) tool_warn("%s has no times or permissions (an older snapshot or a folder's id): files get the defaults", what);
    progress_start(g, "restore", tool_progress_on() ? logical_bytes(g, &v.files, 0) : 0, "MiB");
    rc = restore_tree(g, &v, &v.files, out, 0);
    progress_end(g, rc == 0);
    if (chmod(out, mode) != 0) {
        err = errno;
        warn(g, "cannot set the permissions of %s: %s", tool_shown(out), strerror(err));
    }
    set_times(g, out, have, &mtime, false);
    free(v.meta);
    if (rc < 0) return tool_fail("restore stopped: %s holds part of the snapshot", tool_shown(out));
    if (tool_sync_tree(out) != 0) { /* "restored" means on the disk, not only in the page cache */
        err = errno;
        return tool_fail("cannot make %s durable: %s", tool_shown(out), strerror(err));
    }
    if (g->failed)
        return tool_fail("%llu files or folders could not be restored (named above); %s holds the rest", (unsigned long long)g->failed, tool_shown(out));
    if (!g->quiet)
        fprintf(stderr, "cas_snap: %llu files, %llu bytes restored into %s\n", (unsigned long long)g->files,
                (unsigned long long)g->bytes_read, out);
    return TOOL_EXIT_OK;
}

static int cmd_verify(snap *g) {
    refs_acc a;
    dx_cas_verify_report rep;
    dx_cas_store cs;
    counted c;
    dx_cas_id *ids;
    dx_result r = read_refs(g, &a, true), rv;
    if (r != DX_OK && r != DX_ERR_CORRUPT) {
        free(a.items);
        return tool_fail("cannot read the refs of %s: %s", g->store_path, why(g, r));
    }
    if (!(ids = ref_ids(&a)) || counted_store(g, &c, "verify", &cs) != DX_OK) {
        free(a.items), free(ids);
        return tool_fail("out of memory");
    }
    memset(&rep, 0, sizeof rep);
    g->dir.os_error = 0;
    rv = dx_cas_store_verify(&cs, ids, a.n, NULL, problem, NULL, &rep);
    if (rv == DX_ERR_CORRUPT && g->dir.bad_packs && a.n) { /* a damaged pack ended the scan before the refs' walk: walk them now */
        dx_cas_verify_report walk;
        memset(&walk, 0, sizeof walk);
        c.no_objects = true;
        rv = dx_cas_store_verify(&cs, ids, a.n, NULL, problem, NULL, &walk);
        rep.manifests += walk.manifests, rep.corrupt += walk.corrupt, rep.missing += walk.missing;
    }
    progress_end(g, true);
    if (g->dir.bad_packs)
        printf("bad pack %s: %u damaged pack%s (their objects are not read)\n", g->dir.bad_pack, (unsigned)g->dir.bad_packs,
               g->dir.bad_packs == 1 ? "" : "s");
    printf("%llu objects, %llu bytes, %llu manifests, %llu refs: %llu corrupt, %llu missing, %d bad refs\n",
           (unsigned long long)rep.objects, (unsigned long long)rep.bytes, (unsigned long long)rep.manifests,
           (unsigned long long)a.n, (unsigned long long)rep.corrupt, (unsigned long long)rep.missing, a.bad);
    free(a.items), free(ids);
    if (tool_stdout_done() != 0) return TOOL_EXIT_FAIL;
    if (rv != DX_OK && rv != DX_ERR_CORRUPT) return tool_fail("verify %s stopped: %s", g->store_path, why(g, rv));
    if (rv != DX_OK || rep.corrupt || rep.missing || a.bad || g->dir.bad_packs)
        return tool_fail("%s has problems (listed above%s)", g->store_path,
                         g->dir.bad_packs && rep.missing ? "; the objects of damaged packs are counted missing" : "");
    return TOOL_EXIT_OK;
}

static int cmd_gc(snap *g, bool force, bool dry_run) {
    refs_acc a;
    dx_cas_gc_report rep;
    dx_cas_store cs;
    counted c;
    dx_cas_id *ids;
    dx_result r = read_refs(g, &a, false);
    if (r == DX_OK && g->dir.bad_packs) { /* its objects may be what the refs reach: decide nothing without them */
        char path[1100];
        free(a.items);
        snprintf(path, sizeof path, "%s/packs/%s", g->store_path, g->dir.bad_pack);
        return tool_fail("gc: nothing deleted: %s is damaged (%u damaged pack%s; run 'cas_snap verify')", path,
                         (unsigned)g->dir.bad_packs, g->dir.bad_packs == 1 ? "" : "s");
    }
    if (r != DX_OK) {
        free(a.items);
        if (r == DX_ERR_CORRUPT)
            return tool_fail("gc: nothing deleted: fix or delete the bad refs above ('cas_snap ref delete NAME', or remove the file)");
        return tool_fail("gc: nothing deleted: cannot read the refs of %s: %s", g->store_path, why(g, r));
    }
    if (a.n == 0) { /* no snapshot to keep: everything would go */
        uint64_t n[2] = {0, 0};
        free(a.items);
        dx_cas_store_iterate(&g->s, count_object, n);
        if (n[0] && !force)
            return tool_fail("gc: %s has no refs: gc would delete all %llu objects (%llu bytes); 'cas_snap gc --force' does that",
                             g->store_path, (unsigned long long)n[0], (unsigned long long)n[1]);
        g->dry_run = dry_run;
        if (counted_store(g, &c, "gc", &cs) != DX_OK) return tool_fail("out of memory");
        r = dx_cas_store_iterate(&cs, delete_one, g);
        if (r == DX_OK && !dry_run) r = dx_cas_store_sync(&cs); /* packs that lost objects are rewritten */
        progress_end(g, r == DX_OK);
        printf("0 reachable (0 bytes), %llu %s (%llu bytes)\n", (unsigned long long)g->files, dry_run ? "would be deleted" : "deleted",
               (unsigned long long)g->bytes_read);
        if (tool_stdout_done() != 0) return TOOL_EXIT_FAIL;
        return r == DX_OK ? TOOL_EXIT_OK : tool_fail("gc: %s", why(g, r));
    }
    if (!(ids = ref_ids(&a)) || counted_store(g, &c, "gc", &cs) != DX_OK) {
        free(a.items), free(ids);
        return tool_fail("out of memory");
    }
    memset(&rep, 0, sizeof rep);
    g->dir.os_error = 0;
    r = dx_cas_store_gc(&cs, ids, a.n, MAX_DEPTH, dry_run ? DX_CAS_GC_DRY_RUN : 0, &rep);
    progress_end(g, r == DX_OK);
    free(a.items), free(ids);
    if (r != DX_OK)
        return tool_fail("gc: %s: %s", rep.deleted ? "stopped" : "nothing deleted",
                         r == DX_ERR_NOTFOUND || r == DX_ERR_CHECKSUM || r == DX_ERR_CORRUPT
                             ? "a snapshot a ref names is missing objects or has corrupt ones (run 'cas_snap verify')"
                             : why(g, r));
    printf("%llu reachable (%llu bytes), %llu %s (%llu bytes)\n", (unsigned long long)rep.marked,
           (unsigned long long)rep.kept_bytes, (unsigned long long)rep.deleted, dry_run ? "would be deleted" : "deleted",
           (unsigned long long)rep.deleted_bytes);
    return tool_stdout_done();
}

static int cmd_refs(snap *g, bool stats) {
    refs_acc a;
    size_t i;
    uint64_t c[2] = {0, 0}, logical = 0, partial = 0;
    dx_result r = read_refs(g, &a, false), ro;
    if (r != DX_OK && r != DX_ERR_CORRUPT) {
        free(a.items);
        return tool_fail("cannot read the refs of %s: %s", g->store_path, why(g, r));
    }
    if (stats) progress_start(g, "snapshots", a.n, "refs");
    for (i = 0; i < a.n; i++) {
        char text[DX_CAS_ID_TEXT_SIZE];
        if (stats) { /* each snapshot once, however many refs name it (latest and its own) */
            snapshot_view v;
            size_t j;
            tool_progress(i);
            for (j = 0; j < i && !dx_cas_id_equal(&a.items[j].id, &a.items[i].id); j++) {
            }
            if (j < i) continue;
            g->trees_unread = 0;
            if ((ro = snapshot_open(g, &a.items[i].id, &v)) == DX_OK) logical += logical_bytes(g, &v.files, 0);
            free(v.meta);
            if (ro != DX_OK || g->trees_unread) { /* its bytes are not all counted: say so, never a quiet 0 */
                partial++;
                tool_warn("the snapshot of ref %s cannot be read%s: %s", a.items[i].name, ro == DX_OK ? " whole" : "",
                          why(g, ro != DX_OK ? ro : DX_ERR_NOTFOUND));
            }
            continue;
        }
        dx_cas_id_format(&a.items[i].id, text, sizeof text);
        printf("%-24s %s\n", a.items[i].name, text);
    }
    free(a.items);
    if (stats) {
        progress_start(g, "objects", 0, "objects");
        dx_cas_store_iterate(&g->s, count_object_shown, c);
        progress_end(g, true);
        printf("%llu objects, %llu bytes stored; the snapshots the refs name hold %llu bytes: dedup ratio %.2f\n",
               (unsigned long long)c[0], (unsigned long long)c[1], (unsigned long long)logical,
               c[1] ? (double)logical / (double)c[1] : 0.0);
    }
    if (tool_stdout_done() != 0) return TOOL_EXIT_FAIL;
    if (partial)
        return tool_fail("%llu snapshot%s the refs name could not be read whole: their bytes are not all in the figures above",
                         (unsigned long long)partial, partial == 1 ? "" : "s");
    return a.bad ? tool_fail("%d bad refs in %s (above)", a.bad, g->store_path) : TOOL_EXIT_OK;
}

static int cmd_ref_delete(snap *g, const char *name) {
    dx_cas_id id;
    dx_result r = dx_cas_dir_ref_get(&g->dir, name, &id);
    if (r == DX_ERR_INVAL) return tool_usage_error("%s: not a ref name (" REF_NAME_RULE ")", name);
    if (r == DX_ERR_NOTFOUND) return tool_fail("no ref %s in %s", name, g->store_path);
    g->dir.os_error = 0;
    if ((r = dx_cas_dir_ref_delete(&g->dir, name)) != DX_OK) return tool_fail("cannot delete ref %s: %s", name, why(g, r));
    return TOOL_EXIT_OK;
}

int main(int argc, char **argv) {
    static snap g;
    const char *store = getenv("DX_CAS_STORE"), *pos[4];
    dx_cas_dir_config dc;
    uint32_t alg = 0; /* 0: the store's kind of ids (SHA-256 in a new store); --blake3 asks for BLAKE3 */
    bool force = false, dry_run = false, snap_opts = false, only_options = false;
    size_t npos = 0;
    uint64_t v;
    char version[96];
    int i, rc;
    tool_start("cas_snap", usage);
    memset(&dc, 0, sizeof dc); /* the library's defaults: batches made durable together; zstd -3 with zstd */
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_options || a[0] != '-' || !a[1]) {
            if (npos == 4) return tool_usage_error("too many arguments");
            pos[npos++] = a;
        } else if (!strcmp(a, "--")) {
            only_options = true;
        } else if (tool_is_help(a)) {
            return tool_help();
        } else if (!strcmp(a, "--version")) {
#if defined(DX_CAS_WITH_ZSTD)
            snprintf(version, sizeof version, "dx_cas.h %d.%d.%d, zstd %s", DX_CAS_VERSION_MAJOR, DX_CAS_VERSION_MINOR,
                     DX_CAS_VERSION_PATCH, ZSTD_versionString());
#else
            snprintf(version, sizeof version, "dx_cas.h %d.%d.%d", DX_CAS_VERSION_MAJOR, DX_CAS_VERSION_MINOR, DX_CAS_VERSION_PATCH);
#endif
            return tool_version(version);
        } else if (!strcmp(a, "--store") || !strcmp(a, "--avg") || !strcmp(a, "--compress")) {
            const char *val = i + 1 < argc ? argv[++i] : NULL;
            if (!val) return tool_usage_error("%s needs a value", a);
            if (!strcmp(a, "--store")) {
                if (!*val) return tool_usage_error("--store needs a path");
                store = val;
            } else if (!strcmp(a, "--avg")) {
                if (tool_parse_u64(val, 256, 4u << 20, true, &v) != 0) return tool_usage_error("--avg %s: not a size in 256..4M", val);
                g.writing.chunker.avg_size = (uint32_t)v, snap_opts = true;
            } else {
                if (tool_parse_u64(val, 0, 19, false, &v) != 0) return tool_usage_error("--compress %s: not a level in 0..19", val);
#if !defined(DX_CAS_WITH_ZSTD)
                if (v) return tool_usage_error("--compress %s needs a build with zstd (DX_CAS_WITH_ZSTD)", val);
#endif
                dc.compress = v ? (int)v : DX_CAS_COMPRESS_NONE, snap_opts = true; /* 0: as they are */
            }
        } else if (!strcmp(a, "--blake3")) alg = DX_CAS_ALG_BLAKE3, snap_opts = true;
        else if (!strcmp(a, "--batch")) snap_opts = true; /* the default now; still accepted */
        else if (!strcmp(a, "--sync-each")) dc.sync_each = true, snap_opts = true;
        else if (!strcmp(a, "--loose")) dc.loose = true, snap_opts = true;
        else if (!strcmp(a, "--no-sync")) dc.no_sync = true;
        else if (!strcmp(a, "--force")) force = true;
        else if (!strcmp(a, "--dry-run")) dry_run = true;
        else if (!strcmp(a, "--progress")) tool.progress = 1;
        else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) g.quiet = true;
        else return tool_usage_error("unknown option %s", a);
    }
    if (g.quiet) tool.progress = -1; /* whatever the order: --quiet wins over --progress */
    if (npos == 0) return tool_usage_error("no command");
#define ARGS(cmd, lo, hi) (!strcmp(pos[0], cmd) && npos >= (lo) + 1 && npos <= (hi) + 1)
    if (!ARGS("snap", 1, 2) && !ARGS("restore", 2, 2) && !ARGS("verify", 0, 0) && !ARGS("gc", 0, 0) &&
        !ARGS("stats", 0, 0) && !ARGS("refs", 0, 0) && !(ARGS("ref", 2, 2) && !strcmp(pos[1], "delete"))) {
        if (strcmp(pos[0], "snap") && strcmp(pos[0], "restore") && strcmp(pos[0], "verify") && strcmp(pos[0], "gc") &&
            strcmp(pos[0], "stats") && strcmp(pos[0], "refs") && strcmp(pos[0], "ref"))
            return tool_usage_error("unknown command %s", pos[0]);
        return tool_usage_error("%s: wrong arguments", pos[0]);
    }
    if (snap_opts && strcmp(pos[0], "snap")) return tool_usage_error("--blake3, --avg, --compress, --sync-each and --loose are for snap");
    if ((force || dry_run) && strcmp(pos[0], "gc")) return tool_usage_error("--force and --dry-run are for gc");
    /* a ref name that cannot be one is bad usage (2) wherever it is given; a good name that no ref has is a failure (1) */
    if (!strcmp(pos[0], "snap") && npos == 3 && !ref_name_ok(pos[2]))
        return tool_usage_error("%s: not a ref name (" REF_NAME_RULE ")", pos[2]);
    if (!strcmp(pos[0], "snap") && npos == 3 && !strcmp(pos[2], "latest"))
        return tool_usage_error("latest: every snap moves this ref to its own snapshot; give the snapshot a name of its own");
    if (!strcmp(pos[0], "ref") && !ref_name_ok(pos[2])) return tool_usage_error("%s: not a ref name (" REF_NAME_RULE ")", pos[2]);
    if (!strcmp(pos[0], "restore") && !ref_name_ok(pos[1])) {
        dx_cas_id id;
        if (dx_cas_id_parse(pos[1], strlen(pos[1]), &id) != DX_OK)
            return tool_usage_error("%s: neither a ref name (" REF_NAME_RULE ") nor a snapshot id", pos[1]);
    }
    if (!strcmp(pos[0], "snap")) { /* before a store is made for it */
        struct stat st;
        if (stat(pos[1], &st) != 0) {
            int err = errno;
            return tool_fail("cannot snapshot %s: %s", tool_shown(pos[1]), strerror(err));
        }
        if (!S_ISDIR(st.st_mode)) return tool_fail("cannot snapshot %s: it is not a directory", tool_shown(pos[1]));
    }
    umask_now = umask(0);
    umask(umask_now);
    dc.path = store && *store ? store : ".cas-store";
    if (strcmp(pos[0], "snap") != 0) dc.compress = DX_CAS_COMPRESS_NONE; /* reading needs no compressor */
    g.lock_fd = -1;
    if ((rc = open_store(&g, &dc, !strcmp(pos[0], "snap"), !strcmp(pos[0], "gc") && !dry_run)) != 0) return rc;
    dx_cas_hash_alg_init(&g.hash_alg, DX_CAS_ALG_SHA256);
    dx_cas_dir_store(&g.dir, &g.hash_alg, &g.s);
    if (strcmp(pos[0], "refs") && strcmp(pos[0], "ref") && strcmp(pos[0], "restore")) /* restore: the snapshot id's kind */
        rc = store_kind(&g, pos[0], alg);
    if (rc == 0) {
        if (!strcmp(pos[0], "snap")) rc = cmd_snap(&g, pos[1], npos == 3 ? pos[2] : NULL);
        else if (!strcmp(pos[0], "restore")) rc = cmd_restore(&g, pos[1], pos[2]);
        else if (!strcmp(pos[0], "verify")) rc = cmd_verify(&g);
        else if (!strcmp(pos[0], "gc")) rc = cmd_gc(&g, force, dry_run);
        else if (!strcmp(pos[0], "stats")) rc = cmd_refs(&g, true);
        else if (!strcmp(pos[0], "refs")) rc = cmd_refs(&g, false);
        else rc = cmd_ref_delete(&g, pos[2]);
    }
    free(g.meta);
    dx_cas_dir_close(&g.dir);
    if (g.lock_fd >= 0) close(g.lock_fd);
    return rc;
}
