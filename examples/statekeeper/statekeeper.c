/* statekeeper.c - keeps a program's state directory alive across crashes and restarts.

       cc -std=c99 -D_DEFAULT_SOURCE -I. -O2 -DDX_CAS_WITH_ZSTD -DDX_PATCH_WITH_ZSTD \
          examples/statekeeper/statekeeper.c -o build/statekeeper -lzstd        (make build/statekeeper)

   statekeeper captures a directory (DIR, the state a program writes: a
   database, its write-ahead log, checkpoints, config) into a store (STORE, a
   dx_cas directory store) as versions: each changed file becomes a binary
   delta against its previous version (dx_patch.h: XOR blocks, or its shift
   mode where data moved; zstd) when that
   is smaller than its new content-defined chunks (dx_cas.h FastCDC, deduplicated
   across files and versions), else those chunks. Every version can be restored,
   every file checked against its Merkle root before it is written.
   `statekeeper run` wraps a program: restore, start it, watch DIR (inotify
   through dx_reactor.h), capture when the files are quiet, capture at exit.
   `statekeeper --help` says how to use it.

   A capture reads each changed file once, in 4 MiB segments. Against a
   previous version the main thread reads, chunks and hashes a segment (and
   reads the same segment of the base's content from the store) while a
   second thread applies the base's patches to it (dx_patch_apply_chain: in
   place, two hashes) and diffs the segment before: XOR blocks (zstd level
   1), the shift mode only where that patch is large. Delta or chunks is
   decided on what each would add to the store: the patch compressed (over
   4 MiB: its length), the new chunks compressed (estimated from all of the
   first 4 MiB and then 1 chunk in 32, by id). A file of --copy-min bytes or
   more (default 64 MiB) keeps a local copy of the version captured last
   (STORE/sk-copy: as much disk again; a cache, checked whenever it is read):
   its next capture reads the base from there instead of rebuilding it from
   the store, and a restore of that version reads it too. Beside it, the
   list of its chunks (ids and lengths) spares a capture the cutting and
   hashing of every chunk that did not change. A
   restore rebuilds segments while the second thread hashes them (the
   Merkle root check) and a third writes them (O_DIRECT for files of a
   segment or more, where the file system takes it: no page cache to fill
   and flush); the restored files are made durable (syncfs) before restore
   returns. The holes of a sparse file are not read
   (SEEK_DATA: zeroed in memory), runs of zeros are chunked 8 bytes a
   compare and hashed once (dx_cas.h), and restores write them as holes.

   Memory does not grow with a file's size: segments and their patches, one
   part of a blob's manifest at a time (dx_cas.h 0.6.0: 1,024 chunks), a
   pack table of at most 65,536 entries (the rest in the store's
   packs/index), gc's marks at most 8 MiB a pass (a larger store takes more
   passes), its sweep a bit per indexed object (dx_cas.h 0.6.1) and a verify
   that looks chunks up instead of remembering them. Measured: see
   bench/RESULTS.md, statekeeper-memory (1, 4 and 12 GiB files).

   STORE FORMAT (version 1.2: a blob of more than 1,024 chunks has a PARTS
   manifest, dx_cas.h 0.6.0, which readers of 1.1 refuse as unsupported; 1.1
   stores read as they were). Everything is an object of the dx_cas directory
   store at STORE (dx_cas.h WIRE FORMAT: ids, blobs = chunks + "DXCM" manifest (in parts past 1,024 chunks),
   trees "DXCT", refs), SHA-256 ids, FastCDC with dx_cas's defaults (min 4 KiB,
   avg 16 KiB, max 64 KiB, normalization 1). "blob X" below means: X's bytes
   stored with a dx_cas blob writer (chunks and a manifest); it is named by its
   manifest's id. Integers little-endian.

   version: a tree object with exactly these four entries (a version's id is
   this tree's id; ref "latest" names the newest):
     "dirs"  FILE  blob: a teleport buffer (dx_teleport.h) with one section of
                   type 4 (sk_dir, below): every folder of DIR, DIR itself first
                   with the path "", in the order of a depth-first walk with names
                   sorted bytewise.
     "files" DIR   a tree mirroring DIR: a folder is a DIR entry naming its tree; a
                   file or symlink is an entry (mode 0100644, 0100755 if any x bit,
                   or 0120000) naming the blob of its record (below), SIZE = the
                   record's length. Unchanged files keep their record, so an
                   unchanged folder keeps its tree id.
     "meta"  FILE  blob: a teleport buffer whose root is an sk_version (type 3).
     ("dirs" and "meta" are entries of mode 0100644 and SIZE 0; "files" and
     "needs" of mode 040000 and SIZE 0.)
     "needs" DIR   every content blob (chunks or patch) any record of this version
                   needs, delta bases included, and no other, in folders by the blob's first
                   digest byte: entry name = that byte in 2 lower-case hex digits,
                   a DIR naming a tree whose entries are the blobs: name = the
                   manifest digest in 64 lower-case hex digits, mode 0100644, SIZE
                   = the blob's length, id = the manifest (format 1.0 had these
                   entries at the top, and readers accept it: a folder whose blobs
                   did not change is shared with the version before, so a version
                   no longer costs an entry for every file). So dx_cas_store_gc
                   and dx_cas_store_verify walking from the versions reach every
                   object a restore reads, with no knowledge of the records.
   record: a teleport buffer whose root is an sk_file (type 1); its chain is a
     slice of sk_blobref (type 2). kind:
       1 CHUNKS  chain = [the content's blob]; root = that manifest's ROOT.
       2 DELTA   chain = [a CHUNKS content blob, patch 1, ..., patch depth]: the
                 content is patch 1 applied to the first, patch 2 to that, ...
       3 SYMLINK target = the link's text (never followed); chain empty.
       4 EMPTY   a file of 0 bytes; chain empty.
     depth: the number of patches in the chain (DELTA); 0 for the other kinds.
     root: the Merkle root (dx_cas blob root) of the content chunked as above, for
     every kind but SYMLINK (EMPTY and SYMLINK: SHA-256 of no bytes). A restore
     checks the content it rebuilds against it before the file gets its name.
     size, mode (st_mode & 07777), mtime: the file's (SYMLINK: size = the target's
     length, mode as lstat gives it, 0777 on Linux); mtime as struct timespec has
     it: nanoseconds always 0..999,999,999, so -1.500000123 s is -2 s and
     499,999,877 ns. path: from DIR, '/'-separated. FIFOs, sockets and devices
     get no record (skipped with a warning).
   patch blob ("SKDP"), the content of a DELTA step:
     0 MAGIC "SKDP"  4 MAJOR u8 1  5 MINOR u8 0 (a reader takes any MINOR: later
     ones add only what a reader of 0 may ignore; a MAJOR other than 1 or FLAGS
     other than 0 are refused as unsupported)  6 FLAGS u16 0  8 SEGMENT u32 (bytes,
     a power of two, <= 64 MiB)  12 COUNT u32 = ceil(TARGET_LEN / SEGMENT)
     16 BASE_LEN u64  24 TARGET_LEN u64  32 then COUNT times: LEN u32, then LEN
     bytes: a dx_patch.h patch from bytes [i x SEGMENT, +SEGMENT) of the base
     (fewer at its end, none past it) to the same range of the target; LEN 0: that
     range of the target is the same range of the base (same length). Every patch
     of a chain has the same SEGMENT (a reader may refuse a chain that mixes them):
     segment i of the content then needs only segment i of each step, so a reader
     rebuilds it segment by segment, reading every blob of the chain once, side by
     side, without writing any version in between. statekeeper writes SEGMENT
     4 MiB.
   teleport types (field order and kinds as dx_teleport layouts; type ids):
     1 sk_file  { u32 kind, u32 mode, u64 size, i64 mtime_sec, u32 mtime_nsec,
                  u32 depth, bytes root[32], str path, str target, slice chain (2) }
     2 sk_blobref { bytes id[34] (binary id), pad[6], u64 size (the blob's length) }
     3 sk_version { u64 seq (1, 2, ...), i64 time_sec, u32 time_nsec, u32 full_every,
                  bytes parent[34] (the previous version's id; zeros: none), pad[6],
                  u64 files, bytes (their sizes), new_bytes (content the store lacked),
                  chunk_files, delta_files, unchanged_files, delta_in (sizes of the
                  files stored as deltas), delta_out (their patches' bytes) }
       counts of the version's capture: files = files and symlinks; bytes = the
       sizes of the files (symlinks not counted); chunk_files, delta_files = new
       CHUNKS and DELTA records; unchanged_files = files and symlinks whose
       content (or target) did not change, whether or not their mode or mtime
       did (then a new record, same chain); a new EMPTY or SYMLINK record counts
       in none of these three; delta_out = the length of the last patch of
       each new DELTA record (the one this capture added).
     4 sk_dir   { str path, u32 mode, u32 mtime_nsec, i64 mtime_sec }
   refs: "latest" (the newest version), "oldest" (written by a gc --keep that
   deletes versions: the oldest version kept; log and verify stop there, not
   at a missing parent).
   sk-copy/: local copies of large files and their chunk lists (COPY FILE,
   CHUNK LIST, below); no version needs them, and deleting them costs only
   time. sk-tmp/: capture's temporary files (patches being written), empty
   between captures; a reader ignores it. packs/index (dx_cas.h) is a cache: one
   that does not check is not used (the packs are read), so verify passes a
   store whose packs are whole and whose index is damaged.

   CRASH SAFETY. A capture puts its objects in the store's batch (dx_cas: tmp/
   files), makes them durable together (dx_cas_store_sync: fsync/syncfs, rename,
   sync of the folders), and only then writes ref "latest" (temp file, fsync,
   rename, fsync of refs/). A SIGKILL or power cut at any moment leaves "latest"
   naming the last complete version; what a killed capture had written is
   removed at the next open (tmp/) or by gc (objects no version reaches).
   statekeeper takes an exclusive lock (flock of STORE/statekeeper.lock): one
   writer per store at a time (STORE/dx-tool holds "statekeeper store": no
   other dx tool writes into the store, nor statekeeper into another tool's,
   examples/tool.h "whose store"). It takes it before it opens the store, whose
   handle then trusts that nobody else adds objects (dx_cas own_packs: a
   missing object costs no system call).
   A restore makes DIR/.statekeeper-restore (durable) before its first write and removes it once all
   it wrote is durable: one that is killed or fails leaves it, and then capture refuses DIR (it would
   store a half-restored state as the newest) and run restores DIR again before it starts PROGRAM
   (it would otherwise take a non-empty DIR as the newest state); the temporary files of a killed
   restore (.statekeeper-PID-N.tmp, next to the files) are removed by the next restore.
   A file that changes while it is read (size, mtime or ctime change, or, for a
   file changed just before (racy()), a second read that gives another root) is
   read again; one that never holds still keeps its previous version (said so).
   An unchanged file (same size, mtime and mode as its record) is not read. */
#define _GNU_SOURCE /* sync_file_range */
#define _FILE_OFFSET_BITS 64 /* files over 2 GiB on 32-bit hosts (a 32-bit off_t: stat fails, offsets wrap) */
#define DX_IMPLEMENTATION
#include "dx_cas.h"
#include "dx_patch.h"
#include "dx_teleport.h"
#include "dx_reactor.h"
#include "../tool.h"
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <sys/file.h>
#if defined(__linux__)
#include <sys/vfs.h>
#endif
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <sys/types.h>
#include <time.h>

#define MAX_DEPTH 64              /* trees: dx_cas's gc and verify walks go no deeper (verify: always 64) */
#define DIR_DEPTH (MAX_DEPTH - 2) /* folders in DIR: a version's tree and its "files" tree are above them */
#define READ_SIZE (4u << 20)      /* a file is read (and a blob written) in pieces of this size */
#define SEG_SIZE (4u << 20)       /* a delta's segment: what a diff holds in memory, twice, plus its index */
#define PATCH_LEVEL 3             /* dx_patch shift level: a hash table of 4 bytes a base byte */
#define RECORD_MAX (1u << 20)     /* the largest record a reader accepts */
#define READ_TRIES 20             /* reads of a file that keeps changing before its previous version is kept */

static const char usage[] =
    "usage: statekeeper COMMAND --store STORE [OPTIONS] [ARGS]\n"
    "Keeps a program's state directory as versions in a store: binary deltas or\n"
    "deduplicated chunks, whichever is smaller, every byte Merkle-verified on restore.\n"
    "\n"
    "commands:\n"
    "  capture --state DIR      store DIR as a new version (nothing new if nothing changed); each\n"
    "                           file is read whole at one moment, but not all files at the same\n"
    "                           one: capture a folder nothing writes meanwhile, or use run (it\n"
    "                           keeps a capture only if DIR did not change while it ran)\n"
    "  restore [--version V] DIR\n"
    "                           write version V (default: the latest) into DIR: a new or\n"
    "                           empty folder, or over DIR file by file (each file replaced\n"
    "                           atomically; files the version lacks are left as they are). Until\n"
    "                           all of it is written, DIR/.statekeeper-restore marks it: one a\n"
    "                           stopped restore left makes capture refuse DIR and run restore it again\n"
    "  log                      the versions, newest first\n"
    "  verify [--quick]         re-hash every object, check every version reaches only\n"
    "                           objects that are there, and rebuild every file of every\n"
    "                           version against its Merkle root (--quick: not that)\n"
    "  gc --keep N              keep the newest N versions (and what they need), delete the rest\n"
    "  stats                    bytes per version, dedup and delta ratios\n"
    "  run --state DIR [--interval S] [--full-every N] -- PROGRAM [ARGS...]\n"
    "                           restore DIR if it is missing or empty, run PROGRAM, capture\n"
    "                           DIR when its files are quiet (or every S seconds while they\n"
    "                           are not: default 30) and when PROGRAM exits; exit with its\n"
    "                           status. SIGTERM and SIGINT are passed to PROGRAM.\n"
    "\n"
    "options:\n"
    "  --store STORE            the store (a folder; capture and run create it)\n"
    "  --state DIR              the state directory\n"
    "  --version V              a version number (as log shows it) or a version id\n"
    "  --full-every N           capture, run: a file is stored whole again after N deltas\n"
    "                           (default 16), so no restore applies more than N patches\n"
    "  --quiet-ms MS            run: how long DIR must be quiet before a capture (default 500)\n"
    "  --copy-min MIB           capture, run: a file of MIB MiB or more keeps a copy of the version\n"
    "                           captured last in STORE/sk-copy (as much disk again), so the next\n"
    "                           capture, and a restore of that version, need not rebuild it from\n"
    "                           the store (default 64; 0: no copies, and the ones there go)\n"
    "  --poll                   run: scan DIR every --interval instead of watching it\n"
    "  --no-sync                no fsync (scratch stores and tests only)\n"
    "  --progress               capture, restore, verify: a progress line on stderr (by default only\n"
    "                           when stderr is a terminal)\n"
    "  -q, --quiet              no summaries and no progress (warnings and errors still)\n"
    "  -h, --help               this help;  --version  the versions it is built from\n"
    "  --                       the arguments after it are not options: restore's DIR (even\n"
    "                           one that starts with -), run's PROGRAM [ARGS...]\n"
    "\n"
    "kept: file contents, folders, symlinks (as links), permission bits, modification\n"
    "times. Not kept: owners, ACLs, extended attributes, hard links, FIFOs, sockets,\n"
    "devices (skipped with a warning). Files that cannot be read are named and skipped\n"
    "(a file of the previous version keeps that version); the rest is captured.\n"
    "\n"
    "exit status: 0 ok, 1 failure, 2 bad usage, 3 capture stored a version but some\n"
    "files could not be read; run: PROGRAM's status (128 + signal if it was killed),\n"
    "126 if PROGRAM cannot be run, 127 if it is not found\n";

/* ---- the records (teleport layouts; STORE FORMAT above) ---- */

enum { KIND_CHUNKS = 1, KIND_DELTA = 2, KIND_SYMLINK = 3, KIND_EMPTY = 4 };
enum { TYPE_FILE = 1, TYPE_BLOBREF = 2, TYPE_VERSION = 3, TYPE_DIR = 4 };

typedef struct sk_blobref {
    uint8_t id[DX_CAS_ID_SIZE];
    uint8_t pad[6];
    uint64_t size;
} sk_blobref;
static const dx_tp_field blobref_fields[] = {
    DX_TP_FIELD(sk_blobref, id, DX_TP_KIND_BYTES), DX_TP_FIELD(sk_blobref, pad, DX_TP_KIND_PAD),
    DX_TP_FIELD(sk_blobref, size, DX_TP_KIND_U64)};
static const dx_tp_layout blobref_layout = DX_TP_LAYOUT(TYPE_BLOBREF, sk_blobref, blobref_fields);

typedef struct sk_file {
    uint32_t kind, mode;
    uint64_t size;
    int64_t mtime_sec;
    uint32_t mtime_nsec, depth;
    uint8_t root[32];
    dx_tp_str path, target;
    dx_tp_slice chain;
} sk_file;
static const dx_tp_field file_fields[] = {
    DX_TP_FIELD(sk_file, kind, DX_TP_KIND_U32),       DX_TP_FIELD(sk_file, mode, DX_TP_KIND_U32),
    DX_TP_FIELD(sk_file, size, DX_TP_KIND_U64),       DX_TP_FIELD(sk_file, mtime_sec, DX_TP_KIND_I64),
    DX_TP_FIELD(sk_file, mtime_nsec, DX_TP_KIND_U32), DX_TP_FIELD(sk_file, depth, DX_TP_KIND_U32),
    DX_TP_FIELD(sk_file, root, DX_TP_KIND_BYTES),     DX_TP_FIELD(sk_file, path, DX_TP_KIND_STR),
    DX_TP_FIELD(sk_file, target, DX_TP_KIND_STR),     DX_TP_FIELD_REF(sk_file, chain, DX_TP_KIND_SLICE, TYPE_BLOBREF)};
static const dx_tp_layout file_layout = DX_TP_LAYOUT(TYPE_FILE, sk_file, file_fields);

typedef struct sk_version {
    uint64_t seq;
    int64_t time_sec;
    uint32_t time_nsec, full_every;
    uint8_t parent[DX_CAS_ID_SIZE];
    uint8_t pad[6];
    uint64_t files, bytes, new_bytes, chunk_files, delta_files, unchanged_files, delta_in, delta_out;
} sk_version;
static const dx_tp_field version_fields[] = {
    DX_TP_FIELD(sk_version, seq, DX_TP_KIND_U64),          DX_TP_FIELD(sk_version, time_sec, DX_TP_KIND_I64),
    DX_TP_FIELD(sk_version, time_nsec, DX_TP_KIND_U32),    DX_TP_FIELD(sk_version, full_every, DX_TP_KIND_U32),
    DX_TP_FIELD(sk_version, parent, DX_TP_KIND_BYTES),     DX_TP_FIELD(sk_version, pad, DX_TP_KIND_PAD),
    DX_TP_FIELD(sk_version, files, DX_TP_KIND_U64),        DX_TP_FIELD(sk_version, bytes, DX_TP_KIND_U64),
    DX_TP_FIELD(sk_version, new_bytes, DX_TP_KIND_U64),    DX_TP_FIELD(sk_version, chunk_files, DX_TP_KIND_U64),
    DX_TP_FIELD(sk_version, delta_files, DX_TP_KIND_U64),  DX_TP_FIELD(sk_version, unchanged_files, DX_TP_KIND_U64),
    DX_TP_FIELD(sk_version, delta_in, DX_TP_KIND_U64),     DX_TP_FIELD(sk_version, delta_out, DX_TP_KIND_U64)};
static const dx_tp_layout version_layout = DX_TP_LAYOUT(TYPE_VERSION, sk_version, version_fields);

typedef struct sk_dir {
    dx_tp_str path;
    uint32_t mode, mtime_nsec;
    int64_t mtime_sec;
} sk_dir;
static const dx_tp_field dir_fields[] = {
    DX_TP_FIELD(sk_dir, path, DX_TP_KIND_STR), DX_TP_FIELD(sk_dir, mode, DX_TP_KIND_U32),
    DX_TP_FIELD(sk_dir, mtime_nsec, DX_TP_KIND_U32), DX_TP_FIELD(sk_dir, mtime_sec, DX_TP_KIND_I64)};
static const dx_tp_layout dir_layout = DX_TP_LAYOUT(TYPE_DIR, sk_dir, dir_fields);

/* a record in memory */
typedef struct frec {
    char *path, *target;
    uint32_t kind, mode, depth, nchain;
    uint64_t size;
    int64_t mtime_sec;
    uint32_t mtime_nsec;
    uint8_t root[32];
    sk_blobref *chain;
    dx_cas_id rec_id; /* the record's blob */
    uint64_t rec_size;
} frec;

typedef struct dirrec {
    char *path;
    uint32_t mode, mtime_nsec;
    int64_t mtime_sec;
} dirrec;

typedef struct version {
    dx_cas_id id, dirs, files, meta, needs;
    sk_version v;
    bool has_parent;
    dx_cas_id parent;
} version;

/* ---- the program's state ---- */

typedef struct sk {
    dx_cas_dir dir;
    dx_cas_store s, dry; /* dry: a store that only counts what s lacks (the cost of chunks) */
    dx_cas_store sink;   /* keeps nothing: for a content's root alone */
    pthread_mutex_t store_mu; /* s, while a helper thread reads it too (dry_has, dry_get, bs_read) */
    dx_cas_hash_alg alg;
    const char *store_path, *state;
    char tmp[DX_CAS_PATH_MAX + 32]; /* STORE/sk-tmp: capture's temporary files */
    bool quiet, no_sync, quick, verifying, show_progress;
    uint32_t full_every;
    uint64_t copy_min;         /* files this large keep a local copy (sk-copy/); 0: none */
    uint64_t copy_hits;        /* this capture: files diffed against their copy */
    uint64_t list_bytes;       /* of them, bytes in chunks whose ids came from the copy's chunk list */
    int lock_fd;
    bool have_store_id;
    dev_t store_dev;
    ino_t store_ino;
    uint64_t dry_new;          /* dry store: new bytes */
    uint64_t dry_raw, dry_z;   /* of them, those compressed to estimate the cost (dry_put), and their size */
#if defined(DX_CAS_WITH_ZSTD)
    ZSTD_CCtx *zc;
#endif
    uint8_t *zbuf;
    size_t zbuf_cap;
    /* capture */
    frec *prev;            /* the previous version's records, sorted by path */
    size_t nprev;
    dirrec *dirs;
    size_t ndirs, dirs_cap;
    sk_blobref *needs;
    size_t nneeds, needs_cap;
    sk_version st;         /* this capture's counts */
    uint64_t unreadable, specials;
    unsigned serial;
    /* restore / verify */
    uint64_t restored, failed;
    uint64_t copy_restored; /* files a restore read from their local copy */
    uint64_t progress, progress_total; /* the progress line: bytes so far, and of all (0: not known) */
    const char *progress_label;        /* its phase; NULL: none */
    /* run: asked after a capture is durable and before it is named: false when DIR changed meanwhile */
    bool (*still_quiet)(void *user);
    bool periodic; /* run's scans: an unchanged DIR is not worth a line */
    void *quiet_user;
} sk;

#define SK_ERR_REF ((dx_result)-900) /* refs/latest holds no version id (an empty or damaged file) */
#define SK_ERR_NOT_VERSION ((dx_result)-901) /* refs/latest names an object that is no version */

/* why a store operation failed, in words */
static const char *why_text(sk *g, dx_result r) {
    static char text[DX_CAS_PATH_MAX + 96];
    switch (r) {
    case SK_ERR_REF:
        snprintf(text, sizeof text, "%s/refs/latest is damaged: it does not hold a version id", g->store_path);
        return text;
    case SK_ERR_NOT_VERSION:
        snprintf(text, sizeof text, "%s/refs/latest names no statekeeper version: another program's store (cas_snap's?), "
                 "or a damaged one (run 'statekeeper verify')", g->store_path);
        return text;
    case DX_ERR_IO: return g->dir.os_error ? strerror(g->dir.os_error) : "input/output error";
    case DX_ERR_NOTFOUND: return "an object it needs is missing from the store (run 'statekeeper verify')";
    case DX_ERR_CHECKSUM: return "an object it needs is corrupt: its content does not match its id (run 'statekeeper verify')";
    case DX_ERR_CORRUPT:
    case DX_ERR_TRUNCATED:
    case DX_CAS_ERR_MAGIC:
    case DX_PATCH_ERR_MAGIC:
    case DX_TP_ERR_SCHEMA:
    case DX_TP_ERR_MAGIC: return "an object it needs is malformed (run 'statekeeper verify')";
    case DX_PATCH_ERR_WRONG_BASE:
    case DX_PATCH_ERR_RESULT: return "a delta does not match its base (the store is damaged: run 'statekeeper verify')";
    case DX_ERR_NOMEM: return "out of memory";
    case DX_ERR_LIMIT: return "beyond this program's limits";
    case DX_ERR_UNSUPPORTED: return "the store holds zstd-compressed data and this build has no zstd";
    default: return dx_cas_result_name(r);
    }
}

/* the progress line of a phase (tool.h: on a terminal or with --progress, drawn at most 10 times a second):
   bytes read (capture) or rebuilt (restore, verify); total 0: not known. A warning ends the line; the next
   bytes start it again. */
static void progress_start(sk *g, const char *label, uint64_t total) {
    g->progress = 0, g->progress_label = tool_progress_on() ? label : NULL, g->progress_total = total;
    if (g->progress_label) tool_progress_start(label, total, "MiB");
}
static void progress_show(sk *g, uint64_t done) {
    if (!g->progress_label) return;
    if (!tool_P.label) tool_progress_start(g->progress_label, g->progress_total, "MiB"); /* after a warning */
    tool_progress(done);
}
static void progress_add(sk *g, uint64_t n) { progress_show(g, g->progress += n); }
static void test_step(void);
static void progress_end(sk *g, bool complete) {
    if (g->progress_label) tool_progress_end(complete);
    g->progress_label = NULL;
}

/* the same; verify's own lines do not send the user to verify */
static const char *why(sk *g, dx_result r) {
    static char cut[256];
    const char *t = why_text(g, r), *p;
    if (!g->verifying) return t;
    if ((p = strstr(t, " (run 'statekeeper verify')"))) snprintf(cut, sizeof cut, "%.*s", (int)(p - t), t);
    else if ((p = strstr(t, ": run 'statekeeper verify')"))) snprintf(cut, sizeof cut, "%.*s)", (int)(p - t), t);
    else return t;
    return cut;
}

static bool join(char *out, size_t cap, const char *a, const char *b) {
    int n = *a ? snprintf(out, cap, "%s/%s", a, b) : snprintf(out, cap, "%s", b);
    return n > 0 && (size_t)n < cap;
}

/* ---- I/O helpers ---- */

static dx_result read_full(int fd, uint8_t *buf, size_t len, size_t *got) {
    *got = 0;
    while (*got < len) {
        ssize_t n = read(fd, buf + *got, len - *got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return DX_ERR_IO;
        if (n == 0) break;
        *got += (size_t)n;
    }
    return DX_OK;
}

static dx_result pread_full(int fd, uint8_t *buf, size_t len, uint64_t off, size_t *got) {
    *got = 0;
    while (*got < len) {
        ssize_t n = pread(fd, buf + *got, len - *got, (off_t)(off + *got));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return DX_ERR_IO;
        if (n == 0) break;
        *got += (size_t)n;
    }
    return DX_OK;
}

/* the first byte zero and every byte equal to the one before it (memcmp runs at memory speed) */
static bool all_zero(const uint8_t *p, size_t len) { return len == 0 || (p[0] == 0 && memcmp(p, p + 1, len - 1) == 0); }

#if defined(__linux__) && !defined(SEEK_DATA)
#define SEEK_DATA 3
#define SEEK_HOLE 4
#endif
/* pread_full, but the holes of a sparse file (SEEK_DATA, SEEK_HOLE) are zeroed here instead of read: a read
   of a hole makes the kernel fill a page cache page with zeros for each page of it (a capture of a 4 GiB file
   with 512 MiB of data spent half its time there). Where the file system does not say, it is read. A file
   that changes meanwhile may read as zeros where it was written: its times changed, and it is read again. */
static dx_result pread_sparse(int fd, uint8_t *buf, size_t len, uint64_t off, size_t *got) {
#if defined(SEEK_DATA) && defined(SEEK_HOLE)
    uint64_t at = off, end = off + len;
    while (at < end) {
        off_t d = lseek(fd, (off_t)at, SEEK_DATA), h;
        size_t n, k;
        if (d < 0 && errno == ENXIO) { /* a hole to the end of the file, or the end */
            struct stat st;
            if (fstat(fd, &st) != 0) return DX_ERR_IO;
            d = st.st_size;
            if ((uint64_t)d <= at) break;
            if ((uint64_t)d > end) d = (off_t)end;
            memset(buf + (at - off), 0, (size_t)((uint64_t)d - at));
            at = (uint64_t)d;
            continue; /* data may have come after it since */
        }
        if (d < 0) break; /* not said (EINVAL): read the rest */
        if ((uint64_t)d > at) {
            uint64_t z = (uint64_t)d < end ? (uint64_t)d : end;
            memset(buf + (at - off), 0, (size_t)(z - at));
            at = z;
            continue;
        }
        if ((h = lseek(fd, (off_t)at, SEEK_HOLE)) < 0 || (uint64_t)h <= at) break;
        n = (size_t)(((uint64_t)h < end ? (uint64_t)h : end) - at);
        if (pread_full(fd, buf + (at - off), n, at, &k) != DX_OK) return DX_ERR_IO;
        at += k;
        if (k < n) { /* the end of the file */
            *got = (size_t)(at - off);
            return DX_OK;
        }
    }
    if (at < end) {
        dx_result r = pread_full(fd, buf + (at - off), (size_t)(end - at), at, got);
        *got += (size_t)(at - off);
        return r;
    }
    *got = len;
    return DX_OK;
#else
    return pread_full(fd, buf, len, off, got);
#endif
}

/* read_full from the file's offset, through pread_sparse */
static dx_result read_sparse(int fd, uint8_t *buf, size_t len, size_t *got) {
    off_t pos = lseek(fd, 0, SEEK_CUR);
    dx_result r;
    if (pos < 0) return read_full(fd, buf, len, got);
    r = pread_sparse(fd, buf, len, (uint64_t)pos, got);
    if (r == DX_OK && lseek(fd, pos + (off_t)*got, SEEK_SET) < 0) r = DX_ERR_IO;
    return r;
}

static dx_result pwrite_full(int fd, uint64_t off, const uint8_t *p, size_t len) {
    size_t done = 0;
    while (done < len) {
        ssize_t w = pwrite(fd, p + done, len - done, (off_t)(off + done));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return DX_ERR_IO;
        done += (size_t)w;
    }
    return DX_OK;
}

/* Writes at off; 64 KiB steps of zeros are left as holes (the files written are new: holes read as
   zeros), and the steps between two holes go out in one system call. */
static dx_result write_at(int fd, uint64_t off, const uint8_t *p, size_t len) {
    size_t at = 0, run = 0; /* [run, at): not yet written */
    while (at < len) {
        size_t n = len - at < 65536 ? len - at : 65536;
        bool hole = n >= 4096 && all_zero(p + at, n);
        if (hole && at > run && pwrite_full(fd, off + run, p + run, at - run) != DX_OK) return DX_ERR_IO;
        at += n;
        if (hole) run = at;
    }
    return at > run ? pwrite_full(fd, off + run, p + run, at - run) : DX_OK;
}

/* A segment's buffer, aligned for O_DIRECT writes (out_direct) */
#define DIRECT_ALIGN 4096u
static uint8_t *seg_alloc(size_t len) {
    void *p = NULL;
    return posix_memalign(&p, DIRECT_ALIGN, len) == 0 ? (uint8_t *)p : NULL;
}

/* An unnamed temporary file in folder (created and unlinked at once: it goes with the process). */
static int anon_tmp(sk *g, const char *folder) {
    char path[DX_CAS_PATH_MAX + 128];
    int fd = -1, tries;
    for (tries = 0; fd < 0 && tries < 100; tries++) {
        snprintf(path, sizeof path, "%s/.statekeeper-%ld-%u.tmp", folder, (long)getpid(), g->serial++);
        fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
        if (fd < 0 && errno != EEXIST) return -1;
    }
    if (fd >= 0) unlink(path);
    return fd;
}

/* ---- blobs ---- */

/* The dry store: has() asks the real store, put() only counts, and estimates what the new chunks
   would take as the real store keeps them (zstd). Compressing every chunk cost half of a capture of
   a changed database, so past the first DRY_EXACT bytes only 1 chunk in 32 (picked by its id:
   by content, not position) is compressed, and the rest is assumed to compress as they did. */
#define DRY_EXACT (4u << 20)
static dx_result dry_put(void *self, const dx_cas_id *id, const void *data, size_t len) {
    sk *g = (sk *)self;
    bool sample = g->dry_new < DRY_EXACT || id->digest[0] < 8;
    g->dry_new += len;
#if defined(DX_CAS_WITH_ZSTD)
    if (g->zc && sample) {
        size_t bound = ZSTD_compressBound(len), z;
        if (bound > g->zbuf_cap) {
            uint8_t *nb = (uint8_t *)realloc(g->zbuf, bound);
            if (!nb) return DX_ERR_NOMEM;
            g->zbuf = nb, g->zbuf_cap = bound;
        }
        z = ZSTD_compressCCtx(g->zc, g->zbuf, g->zbuf_cap, data, len, 3);
        g->dry_raw += len, g->dry_z += ZSTD_isError(z) || z > len ? len : z;
    }
#else
    (void)data, (void)sample;
#endif
    return DX_OK;
}
static void dry_reset(sk *g) { g->dry_new = g->dry_raw = g->dry_z = 0; }
static uint64_t dry_cost(const sk *g) { /* the estimate; without zstd, the bytes */
    return g->dry_raw ? (uint64_t)((double)g->dry_new * ((double)g->dry_z / (double)g->dry_raw)) : g->dry_new;
}
static int64_t dry_get(void *self, const dx_cas_id *id, void *buf, size_t cap) {
    sk *g = (sk *)self;
    int64_t n;
    pthread_mutex_lock(&g->store_mu);
    n = dx_cas_store_get(&g->s, id, buf, cap);
    pthread_mutex_unlock(&g->store_mu);
    return n;
}
static int64_t dry_has(void *self, const dx_cas_id *id) {
    sk *g = (sk *)self;
    int64_t n;
    pthread_mutex_lock(&g->store_mu);
    n = dx_cas_store_has(&g->s, id);
    pthread_mutex_unlock(&g->store_mu);
    return n;
}
static dx_result dry_delete(void *self, const dx_cas_id *id) {
    (void)self, (void)id;
    return DX_ERR_NOTFOUND;
}
static dx_result dry_iterate(void *self, dx_cas_iter_fn fn, void *user) {
    (void)self, (void)fn, (void)user;
    return DX_OK;
}
static const dx_cas_store_vtable dry_vt = {dry_put, dry_get, dry_has, dry_delete, dry_iterate, NULL};
static dx_result sink_put(void *self, const dx_cas_id *id, const void *data, size_t len) {
    (void)self, (void)id, (void)data, (void)len;
    return DX_OK;
}
static int64_t sink_get(void *self, const dx_cas_id *id, void *buf, size_t cap) {
    (void)self, (void)id, (void)buf, (void)cap;
    return DX_ERR_NOTFOUND;
}
static int64_t sink_has(void *self, const dx_cas_id *id) {
    (void)self, (void)id;
    return 0;
}
static const dx_cas_store_vtable sink_vt = {sink_put, sink_get, sink_has, dry_delete, dry_iterate, NULL};

static dx_result put_blob(sk *g, const void *data, size_t len, dx_cas_id *out) {
    dx_cas_blob_writer w;
    dx_cas_blob_writer_config c;
    dx_result r;
    memset(&c, 0, sizeof c);
    c.store = &g->s;
    if ((r = dx_cas_blob_writer_create(&w, &c)) != DX_OK) return r;
    r = dx_cas_blob_writer_write(&w, data, len);
    if (r == DX_OK) r = dx_cas_blob_writer_finish(&w, out, NULL);
    dx_cas_blob_writer_destroy(&w);
    return r;
}

typedef struct membuf {
    uint8_t *p;
    size_t len, cap, max;
} membuf;

static dx_result mem_sink(void *user, uint64_t off, const void *data, size_t len) {
    membuf *m = (membuf *)user;
    (void)off;
    if (len > m->max - m->len) return DX_ERR_LIMIT;
    if (m->len + len > m->cap) {
        size_t cap = m->cap ? m->cap : 4096;
        uint8_t *p;
        while (cap < m->len + len) cap *= 2;
        if (!(p = (uint8_t *)realloc(m->p, cap))) return DX_ERR_NOMEM;
        m->p = p, m->cap = cap;
    }
    memcpy(m->p + m->len, data, len);
    m->len += len;
    return DX_OK;
}

/* a whole (small) blob into memory: *out is malloc'd */
static dx_result read_blob(sk *g, const dx_cas_id *id, size_t max, uint8_t **out, size_t *len) {
    membuf m;
    dx_result r;
    memset(&m, 0, sizeof m);
    m.max = max;
    r = dx_cas_blob_read(&g->s, id, NULL, mem_sink, &m, NULL);
    if (r != DX_OK) {
        free(m.p);
        return r;
    }
    *out = m.p ? m.p : (uint8_t *)malloc(1);
    *len = m.len;
    return *out ? (dx_result)DX_OK : (dx_result)DX_ERR_NOMEM;
}

/* an object (tree) into memory */
static dx_result load(sk *g, const dx_cas_id *id, uint8_t **out, size_t *len) {
    int64_t size = dx_cas_store_has(&g->s, id), n;
    if (size < 0) return (dx_result)size;
    if (!(*out = (uint8_t *)malloc((size_t)size + 1))) return DX_ERR_NOMEM;
    n = dx_cas_store_get(&g->s, id, *out, (size_t)size + 1);
    if (n < 0) {
        free(*out);
        return (dx_result)n;
    }
    *len = (size_t)n;
    return DX_OK;
}

/* ---- records: encode and decode ---- */

/* a writer with the layouts of one buffer kind (each buffer carries its schema: only what it uses) */
static dx_result tp_begin(dx_tp_writer *w, uint32_t type) {
    dx_tp_writer_config wc;
    dx_result r;
    memset(&wc, 0, sizeof wc);
    wc.initial_capacity = 1024;
    if ((r = dx_tp_writer_create(w, &wc)) != DX_OK) return r;
    if (type == TYPE_FILE) dx_tp_writer_add_layout(w, &blobref_layout), dx_tp_writer_add_layout(w, &file_layout);
    if (type == TYPE_VERSION) dx_tp_writer_add_layout(w, &version_layout);
    if (type == TYPE_DIR) dx_tp_writer_add_layout(w, &dir_layout);
    return DX_OK;
}

/* the record's buffer, stored as a blob: f->rec_id, f->rec_size */
static dx_result record_put(sk *g, frec *f) {
    dx_tp_writer w;
    sk_file o;
    const uint8_t *buf;
    size_t len = 0;
    dx_result r = tp_begin(&w, TYPE_FILE);
    if (r != DX_OK) return r;
    memset(&o, 0, sizeof o);
    o.kind = f->kind, o.mode = f->mode, o.size = f->size, o.mtime_sec = f->mtime_sec, o.mtime_nsec = f->mtime_nsec;
    o.depth = f->depth;
    memcpy(o.root, f->root, 32);
    o.path = dx_tp_write_cstr(&w, f->path);
    if (f->target) o.target = dx_tp_write_cstr(&w, f->target);
    if (f->nchain) o.chain = dx_tp_write_slice(&w, TYPE_BLOBREF, f->chain, f->nchain);
    dx_tp_writer_set_root(&w, TYPE_FILE, dx_tp_write(&w, TYPE_FILE, &o));
    if ((r = dx_tp_writer_finish(&w, &buf, &len)) == DX_OK) r = put_blob(g, buf, len, &f->rec_id);
    f->rec_size = len;
    dx_tp_writer_destroy(&w);
    return r;
}

static void frec_free(frec *f) {
    free(f->path), free(f->target), free(f->chain);
    memset(f, 0, sizeof *f);
}

static char *dup_str(const char *s, size_t n) {
    char *p = (char *)malloc(n + 1);
    if (p) memcpy(p, s, n), p[n] = 0;
    return p;
}

/* the record whose blob is id; the path it holds is replaced by path when given */
static dx_result record_get(sk *g, const dx_cas_id *id, frec *f) {
    uint8_t *buf;
    size_t len;
    dx_tp_reader rd;
    dx_tp_view v;
    int32_t sec;
    uint32_t idx, n, i;
    sk_file o;
    const char *s;
    dx_result r = read_blob(g, id, RECORD_MAX, &buf, &len);
    memset(f, 0, sizeof *f);
    if (r != DX_OK) return r;
    if ((r = dx_tp_reader_init(&rd, buf, len)) != DX_OK || (r = dx_tp_reader_root(&rd, &sec, &idx)) != DX_OK ||
        (r = dx_tp_reader_view(&rd, sec, &file_layout, &v)) != DX_OK || idx >= v.count) {
        free(buf);
        return r != DX_OK ? r : DX_ERR_CORRUPT;
    }
    dx_tp_view_read(&v, idx, &o);
    f->kind = o.kind, f->mode = o.mode & 07777, f->size = o.size, f->mtime_sec = o.mtime_sec;
    f->mtime_nsec = o.mtime_nsec, f->depth = o.depth;
    memcpy(f->root, o.root, 32);
    s = dx_tp_reader_string(&rd, o.path, &n);
    f->path = dup_str(s, n);
    if (o.target.len) {
        s = dx_tp_reader_string(&rd, o.target, &n);
        f->target = dup_str(s, n);
    }
    if (!f->path || (o.target.len && !f->target)) r = DX_ERR_NOMEM;
    if (r == DX_OK && o.chain.count) {
        if ((r = dx_tp_reader_resolve(&rd, o.chain.off, TYPE_BLOBREF, &sec, &idx)) == DX_OK &&
            (r = dx_tp_reader_view(&rd, sec, &blobref_layout, &v)) == DX_OK) {
            if (o.chain.count > v.count - idx || o.chain.count > 65536) r = DX_ERR_CORRUPT;
            else if (!(f->chain = (sk_blobref *)calloc(o.chain.count, sizeof *f->chain))) r = DX_ERR_NOMEM;
            for (i = 0; r == DX_OK && i < o.chain.count; i++) dx_tp_view_read(&v, idx + i, &f->chain[i]);
            f->nchain = o.chain.count;
        }
    }
    /* what each kind needs */
    if (r == DX_OK) {
        bool ok = (f->kind == KIND_CHUNKS && f->nchain == 1 && f->depth == 0) ||
                  (f->kind == KIND_DELTA && f->nchain >= 2 && f->depth == f->nchain - 1) ||
                  (f->kind == KIND_SYMLINK && f->target && f->nchain == 0) ||
                  (f->kind == KIND_EMPTY && f->size == 0 && f->nchain == 0);
        if (!ok) r = DX_ERR_CORRUPT;
    }
    free(buf);
    if (r != DX_OK) frec_free(f);
    f->rec_id = *id, f->rec_size = len;
    return r;
}

static dx_result blobref_id(const sk_blobref *b, dx_cas_id *out) {
    int64_t n = dx_cas_id_decode(b->id, DX_CAS_ID_SIZE, out);
    return n < 0 ? (dx_result)n : (dx_result)DX_OK;
}

/* ---- versions ---- */

static dx_result version_open(sk *g, const dx_cas_id *id, version *out) {
    uint8_t *buf, *mb;
    size_t len, mlen, pos = 0;
    dx_cas_tree t;
    dx_cas_tree_entry e[4];
    dx_tp_reader rd;
    dx_tp_view v;
    int32_t sec;
    uint32_t idx, i;
    dx_result r;
    static const char *const names[4] = {"dirs", "files", "meta", "needs"};
    static const uint32_t modes[4] = {DX_CAS_MODE_FILE, DX_CAS_MODE_DIR, DX_CAS_MODE_FILE, DX_CAS_MODE_DIR};
    memset(out, 0, sizeof *out);
    out->id = *id;
    if ((r = load(g, id, &buf, &len)) != DX_OK) return r;
    r = dx_cas_tree_parse(buf, len, 0, &t);
    if (r == DX_OK && t.count != 4) r = DX_ERR_CORRUPT;
    for (i = 0; r == DX_OK && i < 4; i++)
        if (!dx_cas_tree_next(&t, &pos, &e[i]) || e[i].name_len != strlen(names[i]) ||
            memcmp(e[i].name, names[i], e[i].name_len) != 0 || e[i].mode != modes[i])
            r = DX_ERR_CORRUPT;
    if (r == DX_OK) out->dirs = e[0].id, out->files = e[1].id, out->meta = e[2].id, out->needs = e[3].id;
    free(buf);
    if (r != DX_OK) return r;
    if ((r = read_blob(g, &out->meta, RECORD_MAX, &mb, &mlen)) != DX_OK) return r;
    if ((r = dx_tp_reader_init(&rd, mb, mlen)) == DX_OK && (r = dx_tp_reader_root(&rd, &sec, &idx)) == DX_OK &&
        (r = dx_tp_reader_view(&rd, sec, &version_layout, &v)) == DX_OK) {
        if (idx >= v.count) r = DX_ERR_CORRUPT;
        else dx_tp_view_read(&v, idx, &out->v);
    }
    free(mb);
    if (r == DX_OK && out->v.parent[0]) {
        out->has_parent = true;
        r = blobref_id((const sk_blobref *)(const void *)out->v.parent, &out->parent) == DX_OK ? DX_OK : DX_ERR_CORRUPT;
    }
    return r;
}

/* the versions from the latest back (to "oldest" or the first): *out malloc'd, newest first.
   A parent that does not open ends the list with its error (the versions before it are in *out). */
static dx_result version_list(sk *g, version **out, size_t *n) {
    dx_cas_id id, oldest;
    bool have_oldest = dx_cas_dir_ref_get(&g->dir, "oldest", &oldest) == DX_OK;
    size_t cap = 0;
    dx_result r = dx_cas_dir_ref_get(&g->dir, "latest", &id);
    *out = NULL, *n = 0;
    if (r == DX_ERR_NOTFOUND) return DX_OK;
    if (r != DX_OK) return r == DX_ERR_IO || r == DX_ERR_NOMEM ? r : SK_ERR_REF;
    for (;;) {
        if (*n == cap) {
            version *nv = (version *)realloc(*out, (cap = cap ? cap * 2 : 16) * sizeof *nv);
            if (!nv) return DX_ERR_NOMEM;
            *out = nv;
        }
        if ((r = version_open(g, &id, &(*out)[*n])) != DX_OK)
            return *n == 0 && (r == DX_ERR_CORRUPT || r == DX_CAS_ERR_MAGIC) ? SK_ERR_NOT_VERSION : r;
        (*n)++;
        if (!(*out)[*n - 1].has_parent || (have_oldest && dx_cas_id_equal(&id, &oldest))) return DX_OK;
        id = (*out)[*n - 1].parent;
    }
}

typedef dx_result (*file_fn)(sk *g, const char *path, const dx_cas_tree_entry *e, void *user);

/* every file and symlink entry of a files tree, depth first, names in order */
static dx_result walk_files(sk *g, const dx_cas_id *tree, const char *prefix, int depth, file_fn fn, void *user) {
    uint8_t *buf;
    size_t len, pos = 0;
    dx_cas_tree t;
    dx_cas_tree_entry e;
    dx_result r;
    if (depth > MAX_DEPTH) return DX_ERR_LIMIT;
    if ((r = load(g, tree, &buf, &len)) != DX_OK) return r;
    if ((r = dx_cas_tree_parse(buf, len, 0, &t)) == DX_OK) {
        while (r == DX_OK && dx_cas_tree_next(&t, &pos, &e)) {
            char path[4096], name[256];
            memcpy(name, e.name, e.name_len), name[e.name_len] = 0;
            if (!join(path, sizeof path, prefix, name)) r = DX_ERR_LIMIT;
            else if (e.mode == DX_CAS_MODE_DIR) r = walk_files(g, &e.id, path, depth + 1, fn, user);
            else r = fn(g, path, &e, user);
        }
    }
    free(buf);
    return r;
}

/* a relative path that stays inside its folder: components of 1..255 bytes, none "." or "..", no NUL;
   "" only for the top (first) one */
static bool path_ok(const char *s, uint32_t len, bool top) {
    uint32_t i, start = 0;
    if (top || len == 0) return top && len == 0;
    if (len > 4095) return false; /* capture's limit (a path from DIR in 4,096 bytes) */
    for (i = 0; i <= len; i++) {
        if (i < len && s[i] == 0) return false;
        if (i == len || s[i] == '/') {
            uint32_t n = i - start;
            if (n == 0 || n > 255 || (n == 1 && s[start] == '.') || (n == 2 && s[start] == '.' && s[start + 1] == '.')) return false;
            start = i + 1;
        }
    }
    return true;
}

/* the folders of a version (dirs blob) */
static dx_result dirs_read(sk *g, const version *v, dirrec **out, size_t *n) {
    uint8_t *buf;
    size_t len;
    dx_tp_reader rd;
    dx_tp_view view;
    int32_t sec;
    uint32_t i;
    dx_result r = read_blob(g, &v->dirs, 64u << 20, &buf, &len);
    *out = NULL, *n = 0;
    if (r != DX_OK) return r;
    if ((r = dx_tp_reader_init(&rd, buf, len)) == DX_OK) {
        sec = dx_tp_reader_find(&rd, TYPE_DIR, 0);
        if (sec < 0) r = (dx_result)sec;
        else r = dx_tp_reader_view(&rd, sec, &dir_layout, &view);
    }
    if (r == DX_OK && !(*out = (dirrec *)calloc(view.count ? view.count : 1, sizeof **out))) r = DX_ERR_NOMEM;
    for (i = 0; r == DX_OK && i < view.count; i++) {
        sk_dir d;
        uint32_t sl;
        const char *s;
        dx_tp_view_read(&view, i, &d);
        s = dx_tp_reader_string(&rd, d.path, &sl);
        if (!path_ok(s, sl, i == 0)) r = DX_ERR_CORRUPT; /* from the store: it must stay inside DIR */
        else if (!((*out)[i].path = dup_str(s, sl))) r = DX_ERR_NOMEM;
        (*out)[i].mode = d.mode & 07777, (*out)[i].mtime_sec = d.mtime_sec, (*out)[i].mtime_nsec = d.mtime_nsec;
        *n = i + 1;
    }
    free(buf);
    return r;
}

static void dirs_free(dirrec *d, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) free(d[i].path);
    free(d);
}

/* ---- content: a record's bytes rebuilt segment by segment, checked against its root ---- */

/* ---- a helper thread: one job at a time beside the main thread (2 cores: a capture reads and
   hashes the file while the helper rebuilds the base and diffs; a restore rebuilds while the
   helper hashes and writes; a restore from a local copy reads and cuts chunks while the helper
   hashes them and writes). Without a thread (pthread_create failed) a job runs inline. ---- */
typedef struct helper {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    void (*job)(void *);
    void *arg;
    bool busy, quit, running;
} helper;

static void *helper_main(void *arg) {
    helper *h = (helper *)arg;
    pthread_mutex_lock(&h->mu);
    for (;;) {
        while (!h->busy && !h->quit) pthread_cond_wait(&h->cv, &h->mu);
        if (!h->busy) break; /* quit, and nothing left */
        pthread_mutex_unlock(&h->mu);
        h->job(h->arg);
        pthread_mutex_lock(&h->mu);
        h->busy = false;
        pthread_cond_broadcast(&h->cv);
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

static void helper_start(helper *h) {
    memset(h, 0, sizeof *h);
    if (pthread_mutex_init(&h->mu, NULL) != 0) return;
    if (pthread_cond_init(&h->cv, NULL) != 0) {
        pthread_mutex_destroy(&h->mu);
        return;
    }
    if (pthread_create(&h->thread, NULL, helper_main, h) != 0) {
        pthread_cond_destroy(&h->cv), pthread_mutex_destroy(&h->mu);
        return;
    }
    h->running = true;
}

/* until the job posted last is done */
static void helper_wait(helper *h) {
    if (!h->running) return;
    pthread_mutex_lock(&h->mu);
    while (h->busy) pthread_cond_wait(&h->cv, &h->mu);
    pthread_mutex_unlock(&h->mu);
}

/* job(arg) on the helper; the caller has waited for the one before */
static void helper_post(helper *h, void (*job)(void *), void *arg) {
    if (!h->running) {
        job(arg);
        return;
    }
    pthread_mutex_lock(&h->mu);
    h->job = job, h->arg = arg, h->busy = true;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
}

static void helper_stop(helper *h) {
    if (!h->running) return;
    pthread_mutex_lock(&h->mu);
    h->quit = true;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    pthread_join(h->thread, NULL);
    pthread_cond_destroy(&h->cv), pthread_mutex_destroy(&h->mu);
    h->running = false;
}

/* A blob read front to back in pieces (a DELTA's chain is read as several streams at once):
   its manifest (one part of it at a time), then each chunk fetched from the store (checked
   against its id) when needed. */
typedef struct bstream {
    sk *g;
    dx_cas_chunk_iter it;
    bool ended; /* the iterator gave its last chunk */
    uint8_t *chunk;
    size_t chunk_cap, len, pos;
} bstream;

/* our own store: no bound on a blob's size (memory does not grow with it) */
static const dx_cas_limits *own_limits(void) {
    static const dx_cas_limits lim = {0, 0, UINT64_MAX};
    return &lim;
}

static dx_result bs_open(sk *g, const dx_cas_id *id, bstream *b) {
    dx_result r;
    memset(b, 0, sizeof *b);
    b->g = g;
    pthread_mutex_lock(&g->store_mu);
    r = dx_cas_chunk_iter_open(&b->it, &g->s, id, own_limits());
    pthread_mutex_unlock(&g->store_mu);
    return r;
}

static void bs_close(bstream *b) {
    dx_cas_chunk_iter_close(&b->it);
    free(b->chunk);
    memset(b, 0, sizeof *b);
}

/* exactly len bytes, or DX_ERR_CORRUPT where the blob ends first */
static dx_result bs_read(bstream *b, uint8_t *out, size_t len) {
    while (len > 0) {
        size_t take;
        if (b->pos == b->len) {
            dx_cas_id id;
            uint32_t clen;
            int64_t n;
            int more;
            bool whole; /* the chunk fits: straight into out */
            if (b->ended) return DX_ERR_CORRUPT;
            pthread_mutex_lock(&b->g->store_mu);
            more = dx_cas_chunk_iter_next(&b->it, &id, &clen);
            pthread_mutex_unlock(&b->g->store_mu);
            if (more < 0) return (dx_result)more;
            if (more == 0) {
                b->ended = true;
                return DX_ERR_CORRUPT;
            }
            whole = clen <= len;
            if (!whole && clen > b->chunk_cap) {
                free(b->chunk);
                b->chunk_cap = b->it.longest;
                if (!(b->chunk = (uint8_t *)malloc(b->chunk_cap))) return b->chunk_cap = 0, DX_ERR_NOMEM;
            }
            pthread_mutex_lock(&b->g->store_mu);
            n = dx_cas_store_get(&b->g->s, &id, whole ? out : b->chunk, whole ? clen : b->chunk_cap);
            pthread_mutex_unlock(&b->g->store_mu);
            if (n < 0) return (dx_result)n;
            if (n != (int64_t)clen || clen == 0) return DX_ERR_CORRUPT;
            if (whole) {
                b->len = b->pos = 0;
                out += clen, len -= clen;
                continue;
            }
            b->len = clen, b->pos = 0;
        }
        take = b->len - b->pos < len ? b->len - b->pos : len;
        memcpy(out, b->chunk + b->pos, take);
        b->pos += take, out += take, len -= take;
    }
    return DX_OK;
}

/* every chunk read */
static bool bs_at_end(const bstream *b) { return b->pos == b->len && b->it.offset == b->it.m.total_size; }

/* A record's content (CHUNKS, or DELTA: [content, patch 1, ..., patch d]) as its segments in
   order. Segment i of a patch's target needs only segment i of its base, so every step of the
   chain is read once, side by side, and no version in between is ever written out. A segment's
   patches are applied as one chain (dx_patch_apply_chain): in place where they hold no moved
   data, with the base's hash checked at the start and the result's at the end, not at every
   step (a segment of a depth-12 chain was hashed 24 times). Each chunk is checked against its
   id as it is read, and a CHUNKS record's root is its manifest's; the root of a DELTA's whole
   content (content_write) is checked by restore and verify. A capture's base is not hashed
   again as a whole: the checks above already hold each of its bytes to what was captured. */
#define CHAIN_PATCH_BYTES (4u << 20) /* a segment's patches held at once (more: applied in groups) */
typedef struct chain {
    bstream *s;     /* s[0]: the content, s[j]: patch j */
    uint64_t *len;  /* len[j]: the length after step j */
    uint32_t n, seg;
    uint64_t off;   /* the next segment's offset */
    uint8_t *a, *b;           /* segments: chain_next's, the scratch of moved data (each when needed) */
    uint8_t *patch;           /* a segment's patches, one after another */
    size_t patch_cap, patch_max;
    const uint8_t **pp;       /* the group's patches, */
    size_t *pl;               /* and their lengths */
} chain;

static void chain_close(chain *c) {
    uint32_t j;
    for (j = 0; c->s && j < c->n; j++) bs_close(&c->s[j]);
    free(c->s), free(c->len), free(c->a), free(c->b), free(c->patch), free(c->pp), free(c->pl);
    memset(c, 0, sizeof *c);
}

static dx_result chain_open(sk *g, const frec *f, chain *c) {
    dx_cas_id id;
    uint32_t j;
    dx_result r = DX_OK;
    memset(c, 0, sizeof c[0]);
    if ((f->kind != KIND_CHUNKS && f->kind != KIND_DELTA) || f->nchain == 0 || (f->kind == KIND_CHUNKS) != (f->nchain == 1))
        return DX_ERR_CORRUPT;
    c->s = (bstream *)calloc(f->nchain, sizeof *c->s), c->len = (uint64_t *)calloc(f->nchain, sizeof *c->len);
    c->pp = (const uint8_t **)calloc(f->nchain, sizeof *c->pp), c->pl = (size_t *)calloc(f->nchain, sizeof *c->pl);
    if (!c->s || !c->len || !c->pp || !c->pl) return chain_close(c), DX_ERR_NOMEM;
    c->n = f->nchain, c->seg = SEG_SIZE;
    for (j = 0; r == DX_OK && j < c->n; j++) {
        uint8_t h[32];
        uint32_t seg;
        if ((r = blobref_id(&f->chain[j], &id)) != DX_OK) r = DX_ERR_CORRUPT;
        else r = bs_open(g, &id, &c->s[j]);
        if (r != DX_OK) break;
        if (j == 0) {
            c->len[0] = c->s[0].it.m.total_size;
            if (c->n == 1 && memcmp(c->s[0].it.m.root, f->root, 32) != 0) r = DX_ERR_CHECKSUM;
            continue;
        }
        if ((r = bs_read(&c->s[j], h, 32)) != DX_OK) break;
        seg = dx_load_u32le(h + 8);
        c->len[j] = dx_load_u64le(h + 24);
        if (memcmp(h, "SKDP", 4) != 0) r = DX_ERR_CORRUPT;
        else if (h[4] != 1 || dx_load_u16le(h + 6) != 0) r = DX_ERR_UNSUPPORTED;
        else if (seg == 0 || seg > (64u << 20) || (seg & (seg - 1)) || (j > 1 && seg != c->seg) ||
                 c->len[j] / seg + (c->len[j] % seg != 0) != dx_load_u32le(h + 12) || dx_load_u64le(h + 16) != c->len[j - 1])
            r = DX_ERR_CORRUPT;
        c->seg = seg;
    }
    if (r == DX_OK && c->len[c->n - 1] != f->size) r = DX_ERR_CORRUPT;
    if (r == DX_OK) c->patch_max = (size_t)c->seg * 2 + (1u << 20); /* a patch of a segment: at most about the segment */
    if (r != DX_OK) chain_close(c);
    return r;
}

/* Applies the group of k patches to the segment in seg (*len bytes), where it is. */
static dx_result chain_apply(chain *c, uint8_t *seg, uint32_t k, size_t *len) {
    dx_patch_info in;
    size_t at = 0;
    int64_t n;
    uint32_t i;
    if (k == 0) return DX_OK;
    for (i = 0; i < k; at += c->pl[i], i++) {
        c->pp[i] = c->patch + at;
        if (!c->b && dx_patch_read_info(c->pp[i], c->pl[i], &in) == DX_OK && (in.flags & DX_PATCH_FLAG_COPY) &&
            !(c->b = (uint8_t *)malloc(c->seg))) /* moved data: a second segment */
            return DX_ERR_NOMEM;
    }
    n = dx_patch_apply_chain(c->pp, c->pl, k, seg, *len, seg, c->b, c->seg);
    if (n < 0) return (dx_result)n;
    *len = (size_t)n;
    return DX_OK;
}

/* A segment is made in two steps, which may run on two threads (the content and the patches
   are separate streams): chain_content reads the content's bytes of the segment at off (the
   segments in order) into seg, *len of them (0 past its end); chain_patch applies the
   patches of the next segment to them there: *out_len bytes, 0 at the end of the chain. */
static dx_result chain_content(chain *c, uint64_t off, uint8_t *seg, size_t *len) {
    *len = 0;
    if (off >= c->len[0] || off >= c->len[c->n - 1]) return DX_OK;
    *len = (size_t)(c->len[0] - off < c->seg ? c->len[0] - off : c->seg);
    return bs_read(&c->s[0], seg, *len);
}

static dx_result chain_patch(chain *c, uint8_t *seg, size_t cur_len, size_t *out_len) {
    uint64_t off = c->off;
    size_t want = cur_len, held = 0; /* want: the length after the last patch held */
    uint32_t j, k = 0;
    dx_result r;
    *out_len = 0;
    if (off >= c->len[c->n - 1]) {
        for (j = 1; j < c->n; j++) /* every patch was read to its end */
            if (c->len[j] <= off && !bs_at_end(&c->s[j])) return DX_ERR_CORRUPT;
        return DX_OK;
    }
    for (j = 1; j < c->n; j++) {
        size_t target_len;
        uint8_t lenb[4];
        uint32_t plen;
        if (off >= c->len[j]) { /* this version ends before the segment: what came before is gone */
            cur_len = want = 0, k = 0, held = 0;
            continue;
        }
        target_len = (size_t)(c->len[j] - off < c->seg ? c->len[j] - off : c->seg);
        if ((r = bs_read(&c->s[j], lenb, 4)) != DX_OK) return r;
        plen = dx_load_u32le(lenb);
        if (plen == 0) { /* the same bytes as the base's segment */
            if (want != target_len) return DX_ERR_CORRUPT;
            continue;
        }
        if (plen > c->patch_max) return DX_ERR_CORRUPT;
        if (held + plen > c->patch_cap && held > 0) { /* the group so far first */
            if ((r = chain_apply(c, seg, k, &cur_len)) != DX_OK) return r;
            k = 0, held = 0;
        }
        if (held + plen > c->patch_cap) { /* room for this one (the group is empty) */
            size_t cap = plen > CHAIN_PATCH_BYTES ? plen : CHAIN_PATCH_BYTES;
            uint8_t *np = (uint8_t *)realloc(c->patch, cap);
            if (!np) return DX_ERR_NOMEM;
            c->patch = np, c->patch_cap = cap;
        }
        if ((r = bs_read(&c->s[j], c->patch + held, plen)) != DX_OK) return r;
        c->pl[k++] = plen, held += plen, want = target_len;
    }
    if ((r = chain_apply(c, seg, k, &cur_len)) != DX_OK) return r;
    if (cur_len != want) return DX_ERR_CORRUPT;
    c->off += cur_len;
    *out_len = cur_len;
    return DX_OK;
}

/* Both steps: the next segment in c->a (valid until the next call), *out_len bytes; 0 at the end. */
static dx_result chain_next(chain *c, const uint8_t **out, size_t *out_len) {
    size_t len;
    dx_result r;
    *out_len = 0;
    if (!c->a && !(c->a = seg_alloc(c->seg))) return DX_ERR_NOMEM;
    *out = c->a;
    if ((r = chain_content(c, c->off, c->a, &len)) != DX_OK) return r;
    return chain_patch(c, c->a, len, out_len);
}

/* ---- the local copy of a large file's last captured version (STORE/sk-copy) ----
   A capture diffs a file against its previous version; rebuilding that from the store
   reads, decompresses and checks the whole content and applies every patch of its chain
   (for a 1 GiB file 9 patches deep, most of a capture). So a file of --copy-min bytes or
   more keeps a plain copy of the version captured last, updated as the file is read
   (only the pages that changed are written), and the next capture reads its base from
   there (a restore of that version reads it as well: copy_restore). The copy is a cache, never synced and never trusted: each segment is checked
   against its hash as it is read, the copy is used only when it names the path, size
   and Merkle root of the previous version's record, and one that does not pass is
   ignored (the base is rebuilt from the store, and the copy written again).
   COPY FILE (sk-copy/ + XXH64 (seed 0) of the record's path, '/'-separated from
     DIR, as 16 lower-case hex digits; not part of a version):
     the content (SIZE bytes), then PATH (PATH_LEN bytes), then one u64 XXH64 (seed 0)
     per SEGMENT of the content, then a footer of 64 bytes: 0 "SKCP" 4 MAJOR u8 1
     5 MINOR u8 0 6 u16 0 8 SEGMENT u32 12 PATH_LEN u32 16 SIZE u64 24 ROOT (32 bytes:
     the record's root) 56 u64 XXH64 (seed 0) of everything after the content up to
     here. While a capture updates it the footer is cut off (a crash leaves no valid
     copy). */
static frec *prev_find(sk *g, const char *path);

#define COPY_FOOTER 64
#define COPY_MIN_MIB 64 /* --copy-min's default */

/* CHUNK LIST. A copy's chunk list, STORE/sk-copy/<copy>.cl: the chunks of the content the copy holds, as a
   dx_cas manifest (dx_cas.h WIRE FORMAT: 56 bytes "DXCM" with the content's size, the chunk count
   and the Merkle root, then per chunk a u32 length and its 32-byte id; one flat manifest, FLAGS 0,
   whatever the chunk count: never in parts), and a trailer of 36
   bytes: "SKCL" and the SHA-256 of the entries. A capture that diffs against the copy takes a
   chunk's id from it, without cutting or hashing the chunk again, where the new content has a
   chunk at the same offset with the same bytes (FastCDC's next cut depends only on the bytes
   from a chunk's start, so the new content cuts there too): a capture hashes what changed and
   the chunks around it, not the whole file. A restore from the copy cuts its chunks where the
   list says instead of running FastCDC over it again, and checks the root of their SHA-256 as
   always. The list is read as the pass goes and checked at
   its end; one that does not check makes the pass run again without it. Written beside the copy
   under <copy>.cl.tmp and renamed once the copy's footer is. */
#define LIST_TRAILER 36
#define LIST_ENTRY DX_CAS_MANIFEST_ENTRY_SIZE
#define LIST_BUF (64u << 10)

typedef struct list_in { /* the previous version's list, read in order */
    int fd;
    bool have;                  /* an entry is current: [start, start + len), id */
    uint32_t len;
    uint8_t id[32];
    uint64_t start, count, taken, size, file_off;
    dx_cas_hasher hasher;       /* of the entries taken */
    uint8_t want[32];           /* the trailer's */
    size_t buf_len, buf_pos;
    uint8_t buf[LIST_BUF];
} list_in;

typedef struct list_out { /* the new version's list, written as its chunks are known */
    int fd;
    bool failed;
    uint64_t count, size;
    dx_cas_hasher hasher;
    size_t buf_len;
    uint8_t buf[LIST_BUF];
} list_out;

/* The list in fd for a content of size bytes and root; NULL if it does not read so (closes fd). */
static list_in *list_in_open(int fd, uint64_t size, const uint8_t root[32], const dx_cas_hash_alg *alg) {
    uint8_t h[DX_CAS_MANIFEST_HEADER_SIZE], t[LIST_TRAILER];
    struct stat st;
    size_t got;
    list_in *li = NULL;
    uint64_t count;
    if (fd < 0) return NULL;
    if (fstat(fd, &st) == 0 && st.st_size >= DX_CAS_MANIFEST_HEADER_SIZE + LIST_TRAILER &&
        pread_full(fd, h, sizeof h, 0, &got) == DX_OK && got == sizeof h &&
        pread_full(fd, t, sizeof t, (uint64_t)st.st_size - LIST_TRAILER, &got) == DX_OK && got == sizeof t &&
        !memcmp(h, "DXCM", 4) && h[DX_CAS_MANIFEST_OFF_ALG] == DX_CAS_ALG_SHA256 && !memcmp(t, "SKCL", 4) &&
        dx_load_u64le(h + DX_CAS_MANIFEST_OFF_TOTAL_SIZE) == size && !memcmp(h + DX_CAS_MANIFEST_OFF_ROOT, root, 32) &&
        (count = dx_load_u64le(h + DX_CAS_MANIFEST_OFF_COUNT)) ==
            ((uint64_t)st.st_size - DX_CAS_MANIFEST_HEADER_SIZE - LIST_TRAILER) / LIST_ENTRY &&
        ((uint64_t)st.st_size - DX_CAS_MANIFEST_HEADER_SIZE - LIST_TRAILER) % LIST_ENTRY == 0 &&
        (li = (list_in *)calloc(1, sizeof *li)) != NULL) {
        li->fd = fd, li->count = count, li->size = size, li->file_off = DX_CAS_MANIFEST_HEADER_SIZE;
        memcpy(li->want, t + 4, 32);
        dx_cas_hasher_init(&li->hasher, alg);
        return li;
    }
    close(fd);
    return NULL;
}

/* The next entry; false at the end, or where the file fails (then it will not check). */
static bool list_in_next(list_in *li) {
    if (li->have) li->start += li->len;
    li->have = false;
    if (li->taken == li->count) return false;
    if (li->buf_len - li->buf_pos < LIST_ENTRY) {
        size_t left = li->buf_len - li->buf_pos, got;
        memmove(li->buf, li->buf + li->buf_pos, left);
        if (pread_full(li->fd, li->buf + left, LIST_BUF - left, li->file_off, &got) != DX_OK) return false;
        li->file_off += got, li->buf_len = left + got, li->buf_pos = 0;
        if (li->buf_len < LIST_ENTRY) return false;
    }
    dx_cas_hasher_update(&li->hasher, li->buf + li->buf_pos, LIST_ENTRY);
    li->len = dx_load_u32le(li->buf + li->buf_pos + DX_CAS_MANIFEST_ENTRY_OFF_LENGTH);
    memcpy(li->id, li->buf + li->buf_pos + DX_CAS_MANIFEST_ENTRY_OFF_DIGEST, 32);
    li->buf_pos += LIST_ENTRY;
    li->taken++;
    return li->have = li->len > 0; /* an empty chunk only in an empty content, which has no copy */
}

/* Whether an entry starts at pos (the entries before it are passed; pos never goes back). */
static bool list_in_at(list_in *li, uint64_t pos) {
    if (!li->have && li->taken == 0) list_in_next(li);
    while (li->have && li->start < pos) list_in_next(li);
    return li->have && li->start == pos;
}

/* After the pass: the rest is read too; true if every entry was there, they add up to the
   content and the trailer's hash is theirs. Frees li. */
static bool list_in_close(list_in *li) {
    uint8_t d[32];
    bool ok;
    if (!li) return true;
    if (!li->have && li->taken == 0) list_in_next(li);
    while (li->have) list_in_next(li);
    dx_cas_hasher_final(&li->hasher, d);
    ok = li->taken == li->count && li->start == li->size && !memcmp(d, li->want, 32);
    close(li->fd);
    free(li);
    return ok;
}

static void list_out_flush(list_out *lo) {
    if (lo->buf_len && !lo->failed &&
        pwrite_full(lo->fd, DX_CAS_MANIFEST_HEADER_SIZE + lo->count * LIST_ENTRY - lo->buf_len, lo->buf, lo->buf_len) != DX_OK)
        lo->failed = true;
    lo->buf_len = 0;
}

static void list_out_add(list_out *lo, uint32_t len, const uint8_t id[32]) {
    uint8_t *e;
    if (lo->buf_len + LIST_ENTRY > LIST_BUF) list_out_flush(lo);
    e = lo->buf + lo->buf_len;
    dx_store_u32le(e + DX_CAS_MANIFEST_ENTRY_OFF_LENGTH, len);
    memcpy(e + DX_CAS_MANIFEST_ENTRY_OFF_DIGEST, id, 32);
    dx_cas_hasher_update(&lo->hasher, e, LIST_ENTRY);
    lo->buf_len += LIST_ENTRY;
    lo->count++, lo->size += len;
}

/* The header and trailer, once the root is known; false if the list is not whole. */
static bool list_out_finish(list_out *lo, uint64_t size, const uint8_t root[32]) {
    uint8_t h[DX_CAS_MANIFEST_HEADER_SIZE], t[LIST_TRAILER];
    list_out_flush(lo);
    if (lo->failed || lo->size != size) return false;
    memset(h, 0, sizeof h);
    memcpy(h, "DXCM", 4);
    h[DX_CAS_MANIFEST_OFF_MAJOR] = DX_CAS_FORMAT_MAJOR, h[DX_CAS_MANIFEST_OFF_MINOR] = DX_CAS_FORMAT_MINOR;
    h[DX_CAS_MANIFEST_OFF_ALG] = DX_CAS_ALG_SHA256;
    dx_store_u64le(h + DX_CAS_MANIFEST_OFF_TOTAL_SIZE, size);
    dx_store_u64le(h + DX_CAS_MANIFEST_OFF_COUNT, lo->count);
    memcpy(h + DX_CAS_MANIFEST_OFF_ROOT, root, 32);
    memcpy(t, "SKCL", 4);
    dx_cas_hasher_final(&lo->hasher, t + 4);
    return pwrite_full(lo->fd, 0, h, sizeof h) == DX_OK &&
           pwrite_full(lo->fd, DX_CAS_MANIFEST_HEADER_SIZE + lo->count * LIST_ENTRY, t, sizeof t) == DX_OK;
}


typedef struct copy {
    int fd;               /* -1: no copy for this file */
    bool base;            /* it holds the previous version (its hashes in in_hash) */
    bool failed;          /* a write failed: not kept */
    unsigned passes;
    uint64_t size;        /* the content it holds */
    uint64_t *in_hash;    /* per segment, of what it holds (read by the main thread) */
    uint64_t *out_hash;   /* per segment, of what was written (by the thread that writes) */
    size_t out_n, out_cap;
    list_in *li;          /* the chunks of what it holds, while base (NULL: no list that reads) */
    list_out *lo;         /* the chunks of what the pass writes (main thread) */
    const dx_cas_hash_alg *alg;
    char name[DX_CAS_PATH_MAX + 64];
} copy;

static void list_name(const copy *c, const char *ext, char *out, size_t cap) { snprintf(out, cap, "%s.%s", c->name, ext); }

static void copy_name(sk *g, const char *path, char *out, size_t cap) {
    snprintf(out, cap, "%s/sk-copy/%016llx", g->store_path, (unsigned long long)dx_patch_xxh64(path, strlen(path), 0));
}

/* The footer, path and hashes of an open copy; path (cap bytes) and hashes (*hash, malloc'd) when asked. */
static bool copy_read_meta(int fd, uint64_t *size, uint8_t root[32], char *path, size_t cap, uint64_t **hash) {
    struct stat st;
    uint8_t f[COPY_FOOTER], *meta;
    uint64_t sz, nseg, mlen, i;
    uint32_t plen;
    size_t got;
    bool ok;
    if (hash) *hash = NULL;
    if (fstat(fd, &st) != 0 || st.st_size < COPY_FOOTER) return false;
    if (pread_full(fd, f, COPY_FOOTER, (uint64_t)st.st_size - COPY_FOOTER, &got) != DX_OK || got != COPY_FOOTER) return false;
    if (memcmp(f, "SKCP", 4) != 0 || f[4] != 1 || dx_load_u32le(f + 8) != SEG_SIZE) return false;
    plen = dx_load_u32le(f + 12), sz = dx_load_u64le(f + 16);
    nseg = sz / SEG_SIZE + (sz % SEG_SIZE != 0);
    if (plen == 0 || plen >= cap || sz > (uint64_t)st.st_size || nseg > ((uint64_t)st.st_size - sz) / 8) return false;
    mlen = plen + 8 * nseg;
    if (sz + mlen + COPY_FOOTER != (uint64_t)st.st_size) return false;
    if (!(meta = (uint8_t *)malloc((size_t)mlen + COPY_FOOTER))) return false;
    ok = pread_full(fd, meta, (size_t)mlen + COPY_FOOTER, sz, &got) == DX_OK && got == mlen + COPY_FOOTER &&
         dx_patch_xxh64(meta, (size_t)mlen + 56, 0) == dx_load_u64le(meta + mlen + 56);
    ok = ok && !memchr(meta, 0, plen); /* a path holds no NUL */
    if (ok) {
        memcpy(path, meta, plen), path[plen] = 0;
        memcpy(root, f + 24, 32);
        *size = sz;
        if (hash && !(*hash = (uint64_t *)malloc((size_t)(nseg ? nseg : 1) * 8))) ok = false;
        for (i = 0; ok && hash && i < nseg; i++) (*hash)[i] = dx_load_u64le(meta + plen + 8 * i);
    }
    free(meta);
    return ok;
}

/* The copy for a file of new_size bytes at path (its previous version prev, or NULL): opened or
   made; c->base when it holds prev. No copy below --copy-min (c->fd -1). */
static void copy_open(sk *g, const char *path, const frec *prev, uint64_t new_size, copy *c) {
    char held[4096];
    uint8_t root[32];
    memset(c, 0, sizeof *c);
    c->fd = -1;
    if (!g->copy_min || new_size < g->copy_min) return;
    copy_name(g, path, c->name, sizeof c->name);
    if ((c->fd = open(c->name, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0) return; /* no copy: captures rebuild */
    c->alg = &g->alg;
    if (prev && (prev->kind == KIND_CHUNKS || prev->kind == KIND_DELTA) &&
        copy_read_meta(c->fd, &c->size, root, held, sizeof held, &c->in_hash) && !strcmp(held, path) &&
        c->size == prev->size && !memcmp(root, prev->root, 32)) {
        char ln[sizeof c->name + 8];
        c->base = true;
        list_name(c, "cl", ln, sizeof ln);
        c->li = list_in_open(open(ln, O_RDONLY | O_CLOEXEC), prev->size, prev->root, &g->alg);
    }
}

/* Before a pass: as_base when the pass diffs against the previous version. A copy a pass
   before already changed holds neither version: written whole again. */
static void copy_pass_start(copy *c, bool as_base) {
    char ln[sizeof c->name + 8];
    if (c->fd < 0) return;
    c->base = c->base && as_base && c->passes == 0;
    c->passes++;
    c->out_n = 0;
    if (ftruncate(c->fd, c->base ? (off_t)c->size : 0) != 0) c->failed = true; /* the footer goes first */
    if (!c->base && c->li) list_in_close(c->li), c->li = NULL; /* it lists the copy's old bytes */
    if (!c->lo && (c->lo = (list_out *)malloc(sizeof *c->lo)) != NULL) {
        list_name(c, "cl.tmp", ln, sizeof ln);
        c->lo->fd = open(ln, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    }
    if (c->lo) {
        c->lo->failed = c->lo->fd < 0 || ftruncate(c->lo->fd, 0) != 0;
        c->lo->count = c->lo->size = 0, c->lo->buf_len = 0;
        dx_cas_hasher_init(&c->lo->hasher, c->alg);
    }
}

/* The base's segment at off (the copy's bytes, *len of them); the diff checks it against its hash
   (the patch's header holds the segment's hash, so the check costs nothing more). */
static dx_result copy_read(copy *c, uint64_t off, uint8_t *seg, size_t *len) {
    size_t want = off < c->size ? (size_t)(c->size - off < SEG_SIZE ? c->size - off : SEG_SIZE) : 0, got;
    *len = 0;
    if (want == 0) return DX_OK;
    if (pread_sparse(c->fd, seg, want, off, &got) != DX_OK || got != want) return DX_ERR_CHECKSUM;
    *len = want;
    return DX_OK;
}

static void copy_write(copy *c, uint64_t off, const uint8_t *p, size_t len) {
    if (!c->failed && pwrite_full(c->fd, off, p, len) != DX_OK) c->failed = true;
}

/* The new segment at off (len bytes) into the copy: only the 4 KiB pages that differ from
   what it holds (old: its bytes there, old_len of them, zeros after; NULL: zeros). */
static void copy_put(copy *c, uint64_t off, const uint8_t *seg, size_t len, const uint8_t *old, size_t old_len, const uint64_t *hash) {
    size_t at, end, run = SIZE_MAX; /* run: where the pages that differ began */
    if (c->fd < 0 || c->failed) return;
    if (c->out_n == c->out_cap) {
        size_t cap = c->out_cap ? 2 * c->out_cap : 256;
        uint64_t *h = (uint64_t *)realloc(c->out_hash, cap * sizeof *h);
        if (!h) {
            c->failed = true;
            return;
        }
        c->out_hash = h, c->out_cap = cap;
    }
    c->out_hash[c->out_n++] = hash ? *hash : dx_patch_xxh64(seg, len, 0);
    if (!old) old_len = 0;
    for (at = 0; at < len; at = end) {
        bool same;
        end = len - at < 4096 ? len : at + 4096;
        if (end <= old_len) same = memcmp(seg + at, old + at, end - at) == 0;
        else if (at >= old_len) same = all_zero(seg + at, end - at);
        else same = memcmp(seg + at, old + at, old_len - at) == 0 && all_zero(seg + old_len, end - old_len);
        if (!same && run == SIZE_MAX) run = at;
        if (same && run != SIZE_MAX) copy_write(c, off + run, seg + run, at - run), run = SIZE_MAX;
    }
    if (run != SIZE_MAX) copy_write(c, off + run, seg + run, len - run);
}

/* After the file's record f is made from the pass that wrote the copy: the footer, and the copy
   is valid. Else (failed, or no record) it goes. */
static void copy_close(copy *c, const frec *f) {
    uint8_t *meta = NULL;
    size_t plen = f ? strlen(f->path) : 0, mlen, i;
    uint64_t nseg = f ? f->size / SEG_SIZE + (f->size % SEG_SIZE != 0) : 0;
    bool keep = f && !c->failed && c->passes > 0 && c->out_n == nseg && (f->kind == KIND_CHUNKS || f->kind == KIND_DELTA);
    if (c->fd < 0) return;
    mlen = plen + 8 * (size_t)nseg;
    if (keep && (meta = (uint8_t *)calloc(1, mlen + COPY_FOOTER)) != NULL) {
        memcpy(meta, f->path, plen);
        for (i = 0; i < nseg; i++) dx_store_u64le(meta + plen + 8 * i, c->out_hash[i]);
        memcpy(meta + mlen, "SKCP", 4);
        meta[mlen + 4] = 1;
        dx_store_u32le(meta + mlen + 8, SEG_SIZE);
        dx_store_u32le(meta + mlen + 12, (uint32_t)plen);
        dx_store_u64le(meta + mlen + 16, f->size);
        memcpy(meta + mlen + 24, f->root, 32);
        dx_store_u64le(meta + mlen + 56, dx_patch_xxh64(meta, mlen + 56, 0));
        keep = ftruncate(c->fd, (off_t)f->size) == 0 && pwrite(c->fd, meta, mlen + COPY_FOOTER, (off_t)f->size) == (ssize_t)(mlen + COPY_FOOTER);
    } else {
        keep = false;
    }
    free(meta);
    close(c->fd);
    if (!keep) unlink(c->name);
    {
        char ln[sizeof c->name + 8], tmp[sizeof c->name + 8];
        list_name(c, "cl", ln, sizeof ln);
        list_name(c, "cl.tmp", tmp, sizeof tmp);
        list_in_close(c->li);
        if (!(keep && c->lo && list_out_finish(c->lo, f->size, f->root) && rename(tmp, ln) == 0)) unlink(tmp), unlink(ln);
        if (c->lo && c->lo->fd >= 0) close(c->lo->fd);
        free(c->lo);
    }
    free(c->in_hash), free(c->out_hash);
    memset(c, 0, sizeof *c);
    c->fd = -1;
}

/* At the start of a capture: copies that no longer hold a file's latest version, or whose file is
   gone from DIR or is now below --copy-min, go (all of them with --copy-min 0). */
static void copy_sweep(sk *g) {
    char folder[DX_CAS_PATH_MAX + 32], name[DX_CAS_PATH_MAX + 300], held[4096];
    struct dirent *de;
    DIR *d;
    snprintf(folder, sizeof folder, "%s/sk-copy", g->store_path);
    if (!(d = opendir(folder))) return;
    while ((de = readdir(d)) != NULL) {
        uint64_t size;
        uint8_t root[32];
        const frec *f;
        int fd;
        bool keep = false;
        size_t nl = strlen(de->d_name);
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        if (snprintf(name, sizeof name, "%s/%s", folder, de->d_name) >= (int)sizeof name) continue;
        if (nl > 3 && !strcmp(de->d_name + nl - 3, ".cl")) continue; /* the lists after the copies */
        if (g->copy_min && (fd = open(name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) >= 0) {
            struct stat st;
            char file[DX_CAS_PATH_MAX + 4200];
            keep = copy_read_meta(fd, &size, root, held, sizeof held, NULL) && (f = prev_find(g, held)) != NULL &&
                   f->size == size && f->size >= g->copy_min && !memcmp(f->root, root, 32) &&
                   join(file, sizeof file, g->state, held) && lstat(file, &st) == 0 && S_ISREG(st.st_mode) &&
                   (uint64_t)st.st_size >= g->copy_min; /* the file is still there, and large */
            close(fd);
        }
        if (!keep) unlink(name);
    }
    rewinddir(d);
    while ((de = readdir(d)) != NULL) { /* a chunk list stays while its copy does */
        size_t nl = strlen(de->d_name);
        struct stat st;
        if (nl <= 3 || strcmp(de->d_name + nl - 3, ".cl") != 0) continue;
        if (snprintf(name, sizeof name, "%s/%.*s", folder, (int)(nl - 3), de->d_name) >= (int)sizeof name) continue;
        if (g->copy_min && stat(name, &st) == 0) continue;
        strcat(name, ".cl");
        unlink(name);
    }
    closedir(d);
}

/* A content's Merkle root made again on two threads, as a blob writer into the sink would make it:
   the reader cuts the chunks (FastCDC) segment by segment, the helper hashes them (SHA-256 is most of
   the work) and pushes their leaves. FastCDC reports a cut up to a byte before what it was fed, so a
   cut found in one segment may lie in the one before: the helper leaves a segment's last ROOT_CARRY
   bytes unhashed, in carry, until the next segment's cuts are known. */
#define ROOT_CARRY 64
typedef struct split_root {
    dx_cas_chunker chunker;   /* the reader's */
    uint64_t *cuts[2];
    size_t ncuts[2], cap;
    unsigned fill;            /* the list the reader fills; the helper reads the other */
    const dx_cas_hash_alg *alg; /* the rest is the helper's (the reader's once it has waited) */
    dx_cas_hasher hasher;     /* the chunk under way, hashed from its start to pos */
    dx_cas_merkle tree;
    uint64_t pos, chunk_at;   /* chunk_at: where the chunk under way starts */
    uint8_t carry[ROOT_CARRY]; /* the bytes [pos, the segment's offset) */
    size_t carry_len;
    dx_cas_zero_memo zero;    /* the holes of a sparse file: hashed once */
} split_root;

static dx_result split_root_init(split_root *sr, const dx_cas_hash_alg *alg, size_t seg_max) {
    dx_cas_chunker_config cc;
    memset(sr, 0, sizeof *sr);
    memset(&cc, 0, sizeof cc); /* the blob writer's default: FastCDC, 16 KiB average, 4 KiB least */
    if (dx_cas_chunker_init(&sr->chunker, &cc) != DX_OK) return DX_ERR_INVAL;
    sr->cap = seg_max / 4096 + 4; /* a segment's cuts: chunks are 4 KiB or more, but the last */
    if (!(sr->cuts[0] = (uint64_t *)malloc(2 * sr->cap * sizeof(uint64_t)))) return DX_ERR_NOMEM;
    sr->cuts[1] = sr->cuts[0] + sr->cap;
    sr->alg = alg;
    dx_cas_hasher_init(&sr->hasher, alg);
    dx_cas_merkle_init(&sr->tree, alg);
    return DX_OK;
}

static void split_root_free(split_root *sr) {
    free(sr->cuts[0]);
    sr->cuts[0] = sr->cuts[1] = NULL;
}

/* the reader: the chunk ends in the next len bytes (last: and the stream's end); the list to hand the helper */
static dx_result split_root_cut(split_root *sr, const uint8_t *p, size_t len, bool last, unsigned *list) {
    uint64_t *cuts = sr->cuts[sr->fill];
    size_t n = 0;
    dx_cas_chunk c;
    size_t used;
    while (len > 0 && dx_cas_chunker_feed(&sr->chunker, p, len, &used, &c)) { /* false: all of it taken */
        p += used, len -= used;
        if (n == sr->cap) return DX_ERR_LIMIT;
        cuts[n++] = c.offset + c.length;
    }
    if (last && dx_cas_chunker_finish(&sr->chunker, &c)) {
        if (n == sr->cap) return DX_ERR_LIMIT;
        cuts[n++] = c.offset + c.length;
    }
    sr->ncuts[sr->fill] = n;
    *list = sr->fill;
    sr->fill ^= 1u;
    return DX_OK;
}

/* the reader, instead of cutting: the ends of the chunks of li (a chunk list) that end at or before end */
static dx_result split_root_cut_list(split_root *sr, list_in *li, uint64_t end, unsigned *list) {
    uint64_t *cuts = sr->cuts[sr->fill];
    size_t n = 0;
    if (!li->have && li->taken == 0) list_in_next(li);
    while (li->have && li->start + li->len <= end) {
        if (n == sr->cap) return DX_ERR_LIMIT;
        cuts[n++] = li->start + li->len;
        list_in_next(li);
    }
    sr->ncuts[sr->fill] = n;
    *list = sr->fill;
    sr->fill ^= 1u;
    return DX_OK;
}

/* the bytes [from, to) of carry (the stream's bytes before off) followed by seg (len bytes at off) */
static void split_root_feed(split_root *sr, uint64_t from, uint64_t to, const uint8_t *seg, uint64_t off) {
    uint64_t carry_off = off - sr->carry_len;
    if (from < off) {
        uint64_t end = to < off ? to : off;
        dx_cas_hasher_update(&sr->hasher, sr->carry + (from - carry_off), (size_t)(end - from));
        from = end;
    }
    if (from < to) dx_cas_hasher_update(&sr->hasher, seg + (from - off), (size_t)(to - from));
}

/* the helper: the chunks that end in list, over the carry and seg (len bytes at off, the stream's next) */
static dx_result split_root_hash(split_root *sr, unsigned list, const uint8_t *seg, size_t len, uint64_t off) {
    const uint64_t *cuts = sr->cuts[list];
    uint64_t end = off + len, keep, from_seg;
    uint8_t tail[ROOT_CARRY], leaf[32];
    size_t i;
    dx_cas_id id;
    if (sr->pos + sr->carry_len != off) return DX_ERR_MISUSE;
    for (i = 0; i < sr->ncuts[list]; i++) {
        if (cuts[i] <= sr->pos || cuts[i] > end) return DX_ERR_MISUSE;
        if (sr->pos == sr->chunk_at && sr->pos >= off) { /* all of it here, none hashed yet */
            dx_cas_id_hash_memo(sr->alg, &sr->zero, seg + (sr->pos - off), (size_t)(cuts[i] - sr->pos), &id);
        } else {
            split_root_feed(sr, sr->pos, cuts[i], seg, off);
            dx_cas_hasher_final(&sr->hasher, id.digest);
            id.alg = sr->alg->alg;
            dx_cas_hasher_init(&sr->hasher, sr->alg);
        }
        dx_cas_chunk_leaf(sr->alg, &id, leaf);
        dx_cas_merkle_push(&sr->tree, leaf);
        sr->pos = sr->chunk_at = cuts[i];
    }
    keep = end - sr->pos > ROOT_CARRY ? end - ROOT_CARRY : sr->pos; /* the new carry: [keep, end) */
    split_root_feed(sr, sr->pos, keep, seg, off);
    from_seg = keep > off ? keep : off;
    if (keep < off) memcpy(tail, sr->carry + (keep - (off - sr->carry_len)), (size_t)(off - keep));
    if (end > from_seg) memcpy(tail + (from_seg - keep), seg + (from_seg - off), (size_t)(end - from_seg));
    sr->pos = keep;
    sr->carry_len = (size_t)(end - keep);
    memcpy(sr->carry, tail, sr->carry_len);
    return DX_OK;
}

/* the reader, once the helper is done: the end of the stream (total bytes) and the root */
static dx_result split_root_finish(split_root *sr, uint8_t root[32]) {
    unsigned list;
    dx_result r;
    if ((r = split_root_cut(sr, NULL, 0, true, &list)) != DX_OK) return r;
    if ((r = split_root_hash(sr, list, NULL, 0, sr->pos + sr->carry_len)) != DX_OK) return r;
    if (sr->carry_len != 0) return DX_ERR_MISUSE; /* every byte is in a chunk */
    dx_cas_merkle_root(&sr->tree, root);
    return DX_OK;
}

/* A restored file of a segment or more is written with O_DIRECT where its file system takes it:
   from the segment buffers straight to the disk, instead of into page-cache pages that the system
   must first find and then write back at the closing sync. On the VM of bench/run_statekeeper.sh
   that was most of a 1 GiB restore, 1.0 to 5.6 s from run to run (`dd conv=fsync`), against 0.7 s
   direct, every run. A direct write returns once the disk has the bytes, so it gets a thread of
   its own (content_write's writer) while the helper hashes the next segment. Segments start at
   multiples of SEG_SIZE in buffers of seg_alloc: every write but a file's last few bytes is aligned;
   those go through the page cache. */
static bool out_direct(int fd, bool on) {
#if defined(O_DIRECT)
    int fl = fcntl(fd, F_GETFL);
    return fl >= 0 && fcntl(fd, F_SETFL, on ? fl | O_DIRECT : fl & ~O_DIRECT) == 0;
#else
    (void)fd;
    return !on;
#endif
}

/* the writer's job: one segment written at off */
typedef struct out_write {
    int fd, err;
    bool direct; /* fd writes with O_DIRECT (out_direct) */
    uint64_t off;
    const uint8_t *seg;
    size_t len;
    dx_result r;
} out_write;

static void out_write_run(void *arg) {
    out_write *w = (out_write *)arg;
    size_t direct = 0; /* the bytes written with O_DIRECT */
    if (w->r != DX_OK) return;
    if (w->direct) { /* the aligned part (a file system that refuses it after all: all through the cache) */
        direct = w->len & ~(size_t)(DIRECT_ALIGN - 1);
        errno = 0;
        if (direct && write_at(w->fd, w->off, w->seg, direct) != DX_OK) {
            if (errno != EINVAL) {
                w->err = errno ? errno : EIO, w->r = DX_ERR_IO;
                return;
            }
            direct = 0;
        }
        if (direct < w->len) { /* the file's last bytes, or the whole segment again */
            w->direct = false;
            if (!out_direct(w->fd, false)) {
                w->err = errno ? errno : EIO, w->r = DX_ERR_IO;
                return;
            }
        }
    }
    if (direct < w->len) {
        if (write_at(w->fd, w->off + direct, w->seg + direct, w->len - direct) != DX_OK) {
            w->err = errno ? errno : EIO, w->r = DX_ERR_IO;
            return;
        }
#if defined(SYNC_FILE_RANGE_WRITE)
        /* the disk starts on it now, so the restore's closing sync has little left to wait for */
        (void)sync_file_range(w->fd, (off_t)(w->off + direct), (off_t)(w->len - direct), SYNC_FILE_RANGE_WRITE);
#endif
    }
}

/* content_write's helper job: one segment hashed (a DELTA, or a copy read back) and written (by
   the writer, when it runs: the segment's buffer is then busy until the job after next is done) */
typedef struct out_job {
    split_root root;
    unsigned cuts;  /* the root's list of chunk ends in this segment */
    bool rehash;    /* the root made again */
    bool cut_here;  /* the helper cuts the chunks too (else the reader did: cuts) */
    int err;
    uint64_t off;
    uint8_t *seg; /* a segment buffer the helper holds until the job is done */
    size_t len;
    dx_result r;
    out_write w;    /* w.fd < 0: nothing is written */
    helper writer;
} out_job;

static void out_segment(void *arg) {
    out_job *j = (out_job *)arg;
    if (j->r != DX_OK) return;
    if (j->rehash && j->cut_here && (j->r = split_root_cut(&j->root, j->seg, j->len, false, &j->cuts)) != DX_OK) return;
    if (j->rehash && (j->r = split_root_hash(&j->root, j->cuts, j->seg, j->len, j->off)) != DX_OK) return;
    if (j->w.fd >= 0) {
        helper_wait(&j->writer); /* the segment before is written */
        if ((j->r = j->w.r) != DX_OK) {
            j->err = j->w.err;
            return;
        }
        j->w.off = j->off, j->w.seg = j->seg, j->w.len = j->len;
        helper_post(&j->writer, out_write_run, &j->w);
    }
    j->off += j->len;
}

/* Starts a job's threads: the helper, and the writer if there is a file to write (out_fd >= 0). */
static void out_job_start(out_job *j, helper *h, int out_fd, bool direct) {
    j->w.fd = out_fd;
    j->w.direct = out_fd >= 0 && direct && out_direct(out_fd, true);
    helper_start(h);
    if (out_fd >= 0 && h->running) helper_start(&j->writer);
}

/* Waits for both threads and stops them; the job's result then includes the last write's. */
static void out_job_stop(out_job *j, helper *h) {
    helper_wait(h);
    helper_stop(h);
    helper_wait(&j->writer);
    helper_stop(&j->writer);
    if (j->r == DX_OK && j->w.r != DX_OK) j->r = j->w.r, j->err = j->w.err;
}

/* A restore of the version a copy holds (the latest, usually) reads the copy instead of rebuilding
   the content from the store: each segment checked against the copy's hash, the Merkle root made
   again (here, while the helper writes) and checked at the end, as for a DELTA. The chunks are cut
   where the copy's chunk list says, when it has one for this content, instead of by FastCDC again
   (a third of the CPU): as safe, since the root over the chunks' SHA-256 is what is checked, and
   a list that lies gives another root. DX_ERR_NOTFOUND: no such copy, or it did not check out
   (nothing is left in out_fd: the caller rebuilds). */
static dx_result copy_restore(sk *g, const frec *f, int out_fd, int *err) {
    char name[DX_CAS_PATH_MAX + 64], held[4096], ln[DX_CAS_PATH_MAX + 72];
    uint8_t root[32], *buf[3] = {NULL, NULL, NULL};
    uint64_t size, *hash = NULL, off;
    helper h;
    out_job j;
    size_t i, got;
    unsigned cuts = 0;
    int fd;
    list_in *li;
    dx_result r = DX_OK;
    *err = 0;
    copy_name(g, f->path, name, sizeof name);
    if ((fd = open(name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) return DX_ERR_NOTFOUND;
    if (!copy_read_meta(fd, &size, root, held, sizeof held, &hash) || strcmp(held, f->path) != 0 || size != f->size ||
        memcmp(root, f->root, 32) != 0) {
        free(hash);
        close(fd);
        return DX_ERR_NOTFOUND;
    }
    snprintf(ln, sizeof ln, "%s.cl", name);
    li = list_in_open(open(ln, O_RDONLY | O_CLOEXEC), size, root, &g->alg); /* NULL: cut by FastCDC */
    memset(&j, 0, sizeof j);
    memset(&h, 0, sizeof h);
    j.rehash = true;
    if ((r = split_root_init(&j.root, &g->alg, SEG_SIZE)) == DX_OK &&
        (!(buf[0] = seg_alloc(SEG_SIZE)) || !(buf[1] = seg_alloc(SEG_SIZE)) || !(buf[2] = seg_alloc(SEG_SIZE))))
        r = DX_ERR_NOMEM;
    if (r == DX_OK) out_job_start(&j, &h, out_fd, true);
    for (off = 0, i = 0; r == DX_OK && off < size; i++) {
        uint8_t *b = buf[i % 3]; /* its last user, the write of three segments back, is done */
        size_t len = size - off < SEG_SIZE ? (size_t)(size - off) : SEG_SIZE;
        if (pread_sparse(fd, b, len, off, &got) != DX_OK || got != len || dx_patch_xxh64(b, len, 0) != hash[i]) r = DX_ERR_NOTFOUND;
        else if (li) r = split_root_cut_list(&j.root, li, off + len, &cuts) == DX_OK ? DX_OK : DX_ERR_NOTFOUND;
        else r = split_root_cut(&j.root, b, len, false, &cuts);
        helper_wait(&h);
        if (r == DX_OK) r = j.r;
        if (r != DX_OK) break;
        j.seg = b, j.len = len, j.cuts = cuts;
        helper_post(&h, out_segment, &j);
        off += len;
        progress_add(g, len);
        test_step();
    }
    out_job_stop(&j, &h);
    if (r == DX_OK) r = j.r, *err = j.err;
    if (r == DX_OK && (r = split_root_finish(&j.root, root)) != DX_OK && li) r = DX_ERR_NOTFOUND; /* a list short of the end */
    (void)list_in_close(li); /* its own hash need not check: the root does */
    split_root_free(&j.root);
    if (r == DX_OK && (j.off != f->size || memcmp(root, f->root, 32) != 0)) r = DX_ERR_NOTFOUND;
    if (r == DX_OK && ftruncate(out_fd, (off_t)j.off) != 0) *err = errno, r = DX_ERR_IO;
    if (r == DX_ERR_NOTFOUND && ftruncate(out_fd, 0) != 0) *err = errno, r = DX_ERR_IO; /* the rebuild starts on an empty file */
    free(buf[0]), free(buf[1]), free(buf[2]), free(hash);
    close(fd);
    if (r == DX_OK) g->copy_restored++;
    return r;
}

static dx_result content_write(sk *g, const frec *f, int out_fd, int *err) {
    chain c;
    uint8_t root[32], *spare[2] = {NULL, NULL}; /* segment buffers that neither the chain nor a thread has */
    uint8_t *held[2] = {NULL, NULL};          /* the buffers of the last two segments handed on, newest first */
    const uint8_t *seg;
    size_t len;
    helper h;
    out_job j;
    dx_result r;
    *err = 0;
    if (out_fd >= 0 && f->size >= SEG_SIZE && (r = copy_restore(g, f, out_fd, err)) != DX_ERR_NOTFOUND) return r;
    memset(&j, 0, sizeof j);
    memset(&h, 0, sizeof h);
    j.rehash = f->kind == KIND_DELTA;
    if ((r = chain_open(g, f, &c)) != DX_OK) return r;
    j.cut_here = true; /* the reader (the chain) has work enough */
    if (j.rehash && (r = split_root_init(&j.root, &g->alg, c.seg)) != DX_OK) {
        split_root_free(&j.root);
        chain_close(&c);
        return r;
    }
    if (j.rehash || out_fd >= 0) {
        if (!(spare[0] = seg_alloc(c.seg)) || !(spare[1] = seg_alloc(c.seg))) r = DX_ERR_NOMEM;
        else if (f->size > c.seg) out_job_start(&j, &h, out_fd, f->size >= SEG_SIZE); /* one segment: no thread (jobs run inline) */
        else j.w.fd = out_fd;
    } else {
        j.w.fd = -1;
    }
    while (r == DX_OK && (j.rehash || out_fd >= 0)) {
        uint8_t *next;
        if ((r = chain_next(&c, &seg, &len)) != DX_OK || len == 0) break;
        helper_wait(&h); /* the segment before is hashed, the one before it written: its buffer is free */
        if (j.r != DX_OK) break;
        j.seg = c.a, j.len = len; /* seg is c.a: the threads take it, the chain a free one */
        helper_post(&h, out_segment, &j);
        progress_add(g, len);
        if (out_fd >= 0) test_step();
        next = held[1] ? held[1] : spare[0] ? spare[0] : spare[1];
        if (next == spare[0]) spare[0] = NULL;
        else if (next == spare[1]) spare[1] = NULL;
        held[1] = held[0], held[0] = c.a, c.a = next;
    }
    out_job_stop(&j, &h);
    if (r == DX_OK) r = j.r, *err = j.err;
    memcpy(root, f->root, 32);
    if (j.rehash) {
        if (r == DX_OK) r = split_root_finish(&j.root, root);
        split_root_free(&j.root);
    }
    while (r == DX_OK && !j.rehash && out_fd < 0) { /* only checked: read to the end */
        if ((r = chain_next(&c, &seg, &len)) != DX_OK || len == 0) break;
        j.off += len;
        progress_add(g, len);
    }
    chain_close(&c); /* frees c.a */
    free(spare[0]), free(spare[1]), free(held[0]), free(held[1]);
    if (r == DX_OK && out_fd >= 0 && ftruncate(out_fd, (off_t)j.off) != 0) *err = errno, r = DX_ERR_IO;
    if (r == DX_OK && (j.off != f->size || memcmp(root, f->root, 32) != 0)) r = DX_ERR_CHECKSUM;
    return r;
}

/* ---- a test hook: STATEKEEPER_TEST_KILL_AT=N makes the process SIGKILL itself at its N-th step (a put,
   before and after each sync, before the ref is written, each segment read; each segment a restore
   writes), so a test can stop it at
   every point of a capture without timing; at exit it prints how many steps there were. ---- */

static struct {
    uint64_t at, steps;
    const dx_cas_store_vtable *inner;
} test_kill;

static void test_step(void) {
    if (test_kill.at && ++test_kill.steps == test_kill.at) raise(SIGKILL);
}
static dx_result tk_put(void *self, const dx_cas_id *id, const void *data, size_t len) {
    test_step();
    return test_kill.inner->put_fn(self, id, data, len);
}
static int64_t tk_get(void *self, const dx_cas_id *id, void *buf, size_t cap) { return test_kill.inner->get_fn(self, id, buf, cap); }
static int64_t tk_has(void *self, const dx_cas_id *id) { return test_kill.inner->has_fn(self, id); }
static dx_result tk_delete(void *self, const dx_cas_id *id) {
    test_step();
    return test_kill.inner->delete_fn(self, id);
}
static dx_result tk_iterate(void *self, dx_cas_iter_fn fn, void *user) { return test_kill.inner->iterate_fn(self, fn, user); }
static dx_result tk_sync(void *self) {
    dx_result r;
    test_step();
    r = test_kill.inner->sync_fn ? test_kill.inner->sync_fn(self) : (dx_result)DX_OK;
    test_step();
    return r;
}
static const dx_cas_store_vtable test_kill_vt = {tk_put, tk_get, tk_has, tk_delete, tk_iterate, tk_sync};

/* ---- opening the store ---- */

static void rm_tree_files(const char *path) { /* the contents of our own temporary folder */
    DIR *d = opendir(path);
    struct dirent *de;
    char p[DX_CAS_PATH_MAX + 300];
    if (!d) return;
    while ((de = readdir(d)) != NULL)
        if (de->d_name[0] != '.' || (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")))
            if (snprintf(p, sizeof p, "%s/%s", path, de->d_name) < (int)sizeof p) unlink(p);
    closedir(d);
}

/* Opens the store; create: capture and run may make one (in a new or empty folder).
   Takes the store's lock for writers (lock) and waits for nobody: a second writer is refused. */
static int open_store(sk *g, bool create, bool lock) {
    dx_cas_dir_config dc;
    struct stat st;
    char objects[DX_CAS_PATH_MAX + 32], lockp[DX_CAS_PATH_MAX + 32];
    dx_result r;
    int err = 0;
    bool exists = stat(g->store_path, &st) == 0;
    if (strlen(g->store_path) > DX_CAS_PATH_MAX - 64) return tool_fail("%s: path too long", g->store_path);
    if (!exists && (err = errno) != ENOENT) return tool_fail("cannot open store %s: %s", g->store_path, strerror(err));
    if (exists && !S_ISDIR(st.st_mode)) return tool_fail("%s is not a statekeeper store (it is a file)", g->store_path);
    snprintf(objects, sizeof objects, "%s/objects", g->store_path);
    memset(&dc, 0, sizeof dc);
    dc.path = g->store_path, dc.no_sync = g->no_sync;
    if (!create) dc.must_exist = true;
    /* another tool's store (tool.h), or a folder of the user's: refused before the lock file is made there */
    if ((err = tool_store_claim(g->store_path, "statekeeper store", create)) != 0) return err;
    g->lock_fd = -1;
    if (lock) { /* before the open: a writer's view of the store is then its own (own_packs) */
        if (!create && !tool_is_dir(objects)) return tool_fail("%s is not a statekeeper store", g->store_path);
        if (!exists && mkdir(g->store_path, 0777) != 0 && errno != EEXIST) {
            if (errno == ENOENT) return tool_fail("cannot create store %s: its parent folder does not exist", g->store_path);
            return tool_fail("cannot create store %s: %s", g->store_path, strerror(errno));
        }
        snprintf(lockp, sizeof lockp, "%s/statekeeper.lock", g->store_path);
        if ((g->lock_fd = open(lockp, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0) return tool_fail("cannot open %s: %s", lockp, strerror(errno));
        if (flock(g->lock_fd, LOCK_EX | LOCK_NB) != 0)
            return tool_fail("%s is in use by another statekeeper (%s is locked)", g->store_path, lockp);
        dc.own_packs = true; /* no other writer while it holds the lock: its misses need not look for theirs */
    }
    if ((r = dx_cas_dir_open(&g->dir, &dc)) != DX_OK) {
        if (r == DX_ERR_NOTFOUND && dc.must_exist) return tool_fail("%s is not a statekeeper store", g->store_path);
        if (r == DX_ERR_NOTFOUND) return tool_fail("cannot create store %s: its parent folder does not exist", g->store_path);
        return tool_fail("cannot open store %s: %s", g->store_path, why(g, r));
    }
    dx_cas_hash_alg_init(&g->alg, DX_CAS_ALG_SHA256);
    dx_cas_dir_store(&g->dir, &g->alg, &g->s);
    if (getenv("STATEKEEPER_TEST_KILL_AT") &&
        tool_parse_u64(getenv("STATEKEEPER_TEST_KILL_AT"), 1, UINT64_MAX, false, &test_kill.at) == 0) {
        test_kill.inner = g->s.vt;
        g->s.vt = &test_kill_vt;
    }
    {
        dx_cas_store_config sc;
        memset(&sc, 0, sizeof sc);
        sc.vtable = &dry_vt, sc.self = g, sc.hash_alg = &g->alg;
        dx_cas_store_init(&g->dry, &sc);
        sc.vtable = &sink_vt;
        dx_cas_store_init(&g->sink, &sc);
    }
    if (stat(g->store_path, &st) == 0) g->have_store_id = true, g->store_dev = st.st_dev, g->store_ino = st.st_ino;
    if (lock) tool_store_mark(g->store_path, "statekeeper store"); /* a writer: the store is statekeeper's from now on */
    if (lock) {
        snprintf(g->tmp, sizeof g->tmp, "%s/sk-tmp", g->store_path);
        if (mkdir(g->tmp, 0700) != 0 && errno != EEXIST) return tool_fail("cannot make %s: %s", g->tmp, strerror(errno));
        rm_tree_files(g->tmp); /* a killed capture's leftovers (they are unnamed anyway) */
        if (create) {
            char copies[DX_CAS_PATH_MAX + 32];
            snprintf(copies, sizeof copies, "%s/sk-copy", g->store_path);
            if (mkdir(copies, 0700) != 0 && errno != EEXIST) return tool_fail("cannot make %s: %s", copies, strerror(errno));
        }
    }
    return 0;
}

static void close_store(sk *g) {
    dx_cas_dir_close(&g->dir);
    if (g->lock_fd >= 0) close(g->lock_fd);
    g->lock_fd = -1;
}

/* DIR/.statekeeper-restore: there while a restore writes into DIR (made before its first write, removed when
   all of it is durable). One left there is a restore that did not finish: run restores DIR again, capture
   refuses DIR. */
#define RESTORE_MARK ".statekeeper-restore"

static bool restore_marked(const char *dir) {
    char p[4096];
    struct stat st;
    return join(p, sizeof p, dir, RESTORE_MARK) && lstat(p, &st) == 0;
}

/* ---- capture ---- */

static int frec_cmp(const void *a, const void *b) { return strcmp(((const frec *)a)->path, ((const frec *)b)->path); }

static frec *prev_find(sk *g, const char *path) {
    frec key;
    key.path = (char *)(uintptr_t)path;
    return g->nprev ? (frec *)bsearch(&key, g->prev, g->nprev, sizeof *g->prev, frec_cmp) : NULL;
}

typedef struct prev_acc {
    size_t cap;
} prev_acc;

static dx_result prev_add(sk *g, const char *path, const dx_cas_tree_entry *e, void *user) {
    prev_acc *a = (prev_acc *)user;
    frec f;
    dx_result r;
    (void)path;
    if ((r = record_get(g, &e->id, &f)) != DX_OK) return r;
    if (g->nprev == a->cap) {
        frec *n = (frec *)realloc(g->prev, (a->cap = a->cap ? a->cap * 2 : 64) * sizeof *n);
        if (!n) {
            frec_free(&f);
            return DX_ERR_NOMEM;
        }
        g->prev = n;
    }
    g->prev[g->nprev++] = f;
    return DX_OK;
}

static dx_result need_add(sk *g, const sk_blobref *b) {
    if (g->nneeds == g->needs_cap) {
        sk_blobref *n = (sk_blobref *)realloc(g->needs, (g->needs_cap = g->needs_cap ? g->needs_cap * 2 : 256) * sizeof *n);
        if (!n) return DX_ERR_NOMEM;
        g->needs = n;
    }
    g->needs[g->nneeds++] = *b;
    return DX_OK;
}

static dx_result dir_add(sk *g, const char *rel, const struct stat *st) {
    dirrec *d;
    if (g->ndirs == g->dirs_cap) {
        dirrec *n = (dirrec *)realloc(g->dirs, (g->dirs_cap = g->dirs_cap ? g->dirs_cap * 2 : 64) * sizeof *n);
        if (!n) return DX_ERR_NOMEM;
        g->dirs = n;
    }
    d = &g->dirs[g->ndirs];
    if (!(d->path = dup_str(rel, strlen(rel)))) return DX_ERR_NOMEM;
    d->mode = (uint32_t)(st->st_mode & 07777);
    d->mtime_sec = (int64_t)st->st_mtim.tv_sec, d->mtime_nsec = (uint32_t)st->st_mtim.tv_nsec;
    g->ndirs++;
    return DX_OK;
}

static void blobref_set(sk_blobref *b, const dx_cas_id *id, uint64_t size) {
    memset(b, 0, sizeof *b);
    dx_cas_id_encode(id, b->id, sizeof b->id);
    b->size = size;
}

static bool same_stat(const struct stat *a, const struct stat *b) {
    return a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
           a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec && a->st_ino == b->st_ino;
}

/* Waits for a write() into fd that is under way: the file's times change when a write starts, before its
   bytes are copied, so a writer paused in the middle of one write looks quiet to fstat (a capture stored such
   a torn file). SEEK_HOLE takes the inode lock shared on ext4 and tmpfs, which waits for the writer's
   exclusive one; elsewhere it may return at once, and the second read of a racy file is what remains. */
static void settle(int fd) {
#if defined(SEEK_HOLE)
    (void)lseek(fd, 0, SEEK_HOLE);
#else
    (void)fd;
#endif
}

/* Changed so recently that a write while we read could leave its times as they were. Two
   ways: file times come from a coarse clock, so a write in the same tick as the one before it
   does not move them (a tick is 1-10 ms on Linux; whole seconds on file systems that keep no
   nanoseconds; git's index has the same "racy" case); and a writer paused inside one write
   already moved them (settle waits for it only where SEEK_HOLE takes the inode lock). So: 100
   ms on ext4 and tmpfs where times have nanoseconds, else 2 s. */
static bool racy(int fd, const struct stat *st, const struct timespec *start) {
    int64_t window = 2000000000;
    int64_t c = (int64_t)st->st_ctim.tv_sec * 1000000000 + (int64_t)st->st_ctim.tv_nsec;
    int64_t s = (int64_t)start->tv_sec * 1000000000 + (int64_t)start->tv_nsec;
#if defined(__linux__)
    struct statfs fs;
    if ((st->st_ctim.tv_nsec != 0 || st->st_mtim.tv_nsec != 0) && fstatfs(fd, &fs) == 0 &&
        (fs.f_type == 0xEF53 /* ext2/3/4 */ || fs.f_type == 0x01021994 /* tmpfs */))
        window = 100000000;
#else
    (void)fd;
#endif
    return c >= s - window;
}

/* One pass over fd from its start: the Merkle root and size of what was read; the bytes go
   to store's blob writer (the real store: *manifest; the dry store: counts); with base given,
   each segment is also diffed against the same segment of base's content into patch_fd. */
typedef struct pass {
    sk *g;
    int fd, patch_fd;
    const frec *base;
    copy *copy;       /* written as the file is read (NULL: none); with copy->base, the base comes from it */
    bool copy_bad;    /* the copy did not match its hashes: the base is rebuilt from the store */
    dx_cas_store *store;
    uint8_t root[32];
    dx_cas_id manifest;
    uint64_t size, patch_len;
    int err;          /* errno: the file (read), or the disk (temporary file) */
    bool read_failed;
    dx_result base_failed; /* the base's content did not rebuild (the store is damaged) */
    unsigned shift_skip, shift_backoff; /* diff_segment's */
    uint64_t reused;       /* bytes in chunks whose ids came from the copy's list (not hashed) */
    size_t out_len;        /* bytes in out, not yet in the patch file */
    uint8_t out[1u << 16];
} pass;

/* The patch of one segment into out (cap bytes). XOR blocks first: state files mostly change
   in place (pages, records, weights), and XOR is several times faster than matching. Where
   that patch is large (data may have moved: an insertion), the shift mode too, and the smaller
   wins; while the shift mode keeps losing (dense changes in place) it is tried ever more rarely
   (after 1, 2, 4, ... 64 large segments), and again at once after it wins. */
static int64_t diff_segment(pass *p, const uint8_t *base, size_t base_len, const uint8_t *target, size_t len,
                            uint8_t *out, uint8_t *spare, size_t cap) {
    dx_patch_config pc;
    int64_t n, m;
    memset(&pc, 0, sizeof pc);
    pc.one_way = true, pc.no_witness = true, pc.zstd_level = 1; /* 3: 1% smaller, 25% slower on the 1 GiB checkpoint */
#if !defined(DX_PATCH_WITH_ZSTD)
    pc.zstd_level = 0;
#endif
    n = dx_patch_diff(&pc, base, base_len, target, len, out, cap);
    if (n < 0 || (uint64_t)n <= len / 4) return n;
    if (p->shift_skip > 0) {
        p->shift_skip--;
        return n;
    }
    pc.shift = true, pc.level = PATCH_LEVEL, pc.zstd_level = pc.zstd_level ? 3 : 0; /* rare: the smaller */
    m = dx_patch_diff(&pc, base, base_len, target, len, spare, cap);
    if (m > 0 && m < n - n / 16) { /* a clear win: data moved */
        p->shift_backoff = 0;
    } else {
        p->shift_backoff = p->shift_backoff ? (p->shift_backoff < 64 ? 2 * p->shift_backoff : 64) : 1;
        p->shift_skip = p->shift_backoff;
    }
    if (m > 0 && m < n) {
        memcpy(out, spare, (size_t)m);
        n = m;
    }
    return n;
}

/* A segment's LEN and patch (patch NULL: the buffered bytes) into the patch file, through a buffer. */
static dx_result patch_out(pass *p, const uint8_t *patch, uint32_t len) {
    uint8_t lenb[4];
    if (!patch || p->out_len + 4 + (size_t)len > sizeof p->out) { /* flush */
        if (p->out_len && write_at(p->patch_fd, p->patch_len, p->out, p->out_len) != DX_OK) return p->err = errno ? errno : EIO, DX_ERR_IO;
        p->patch_len += p->out_len, p->out_len = 0;
        if (!patch) return DX_OK;
    }
    dx_store_u32le(lenb, len);
    if (4 + (size_t)len > sizeof p->out) { /* a large patch goes straight to the file */
        if (write_at(p->patch_fd, p->patch_len, lenb, 4) != DX_OK || write_at(p->patch_fd, p->patch_len + 4, patch, len) != DX_OK)
            return p->err = errno ? errno : EIO, DX_ERR_IO;
        p->patch_len += 4 + (uint64_t)len;
        return DX_OK;
    }
    memcpy(p->out + p->out_len, lenb, 4);
    memcpy(p->out + p->out_len + 4, patch, len);
    p->out_len += 4 + (size_t)len;
    return DX_OK;
}

/* A diff pass's Merkle root and chunk costs, made as the blob writer into the dry store would
   make them, but where the previous version's list (the copy's) has a chunk at the same offset
   over the same bytes, that chunk's id is taken from it: neither cut nor hashed again. */
typedef struct inc_root {
    sk *g;
    list_in *old;             /* NULL: every chunk is cut and hashed */
    list_out *out;            /* NULL: no list is written */
    dx_cas_chunker chunker;
    uint64_t chunker_base;    /* the stream offset of the chunker's offset 0 */
    uint64_t fed;             /* the stream's bytes the chunker has taken */
    uint64_t pos;             /* where the chunk under way starts */
    uint8_t *pend;            /* the bytes [pos, the segment's offset): the chunk under way, before it */
    size_t pend_len, pend_cap;
    dx_cas_merkle tree;
    uint64_t count, reused, reused_bytes;
    dx_cas_zero_memo zero;    /* the holes of a sparse file: hashed once */
} inc_root;

static dx_result inc_init(inc_root *ir, sk *g, list_in *old, list_out *out) {
    dx_cas_chunker_config cc;
    memset(ir, 0, sizeof *ir);
    memset(&cc, 0, sizeof cc); /* the blob writer's default */
    ir->g = g, ir->old = old, ir->out = out;
    if (dx_cas_chunker_init(&ir->chunker, &cc) != DX_OK) return DX_ERR_INVAL;
    dx_cas_merkle_init(&ir->tree, &g->alg);
    return DX_OK;
}

static dx_result inc_pend(inc_root *ir, const uint8_t *p, size_t len) {
    if (len == 0) return DX_OK; /* pend may not be allocated yet */
    if (ir->pend_len + len > ir->pend_cap) {
        size_t cap = (ir->pend_len + len) * 2;
        uint8_t *n = (uint8_t *)realloc(ir->pend, cap);
        if (!n) return DX_ERR_NOMEM;
        ir->pend = n, ir->pend_cap = cap;
    }
    memcpy(ir->pend + ir->pend_len, p, len);
    ir->pend_len += len;
    return DX_OK;
}

/* one chunk of the new content: its leaf, what storing it would cost, its list entry */
static dx_result inc_emit(inc_root *ir, const dx_cas_id *id, const uint8_t *data, size_t len) {
    uint8_t leaf[32];
    dx_result r = DX_OK;
    dx_cas_chunk_leaf(&ir->g->alg, id, leaf);
    dx_cas_merkle_push(&ir->tree, leaf);
    if (dry_has(ir->g, id) < 0) r = dry_put(ir->g, id, data, len); /* what dx_cas_store_put would do */
    if (ir->out) list_out_add(ir->out, (uint32_t)len, id->digest);
    ir->count++;
    ir->pos += len;
    return r;
}

/* The segment t (got bytes at off, the stream's next), with the previous version's bytes there (b,
   blen of them: the base, which the helper checks against the copy's hashes). */
static dx_result inc_segment(inc_root *ir, const uint8_t *t, size_t got, const uint8_t *b, size_t blen, uint64_t off) {
    uint64_t end = off + got;
    dx_result r = DX_OK;
    dx_cas_chunker_config cc;
    dx_cas_chunk c;
    dx_cas_id id;
    size_t used;
    if (ir->pos + ir->pend_len != off) return DX_ERR_MISUSE;
    while (r == DX_OK) {
        list_in *o = ir->old;
        /* the same chunk as before: the same bytes, and the byte after it, which FastCDC read to cut there (so
           the last chunk, and one that ends with the segment, are cut again) */
        if (o && ir->pos >= off && list_in_at(o, ir->pos) && o->len < end - ir->pos && ir->pos + o->len < off + blen &&
            memcmp(t + (ir->pos - off), b + (ir->pos - off), (size_t)o->len + 1) == 0) {
            memcpy(id.digest, o->id, 32);
            id.alg = DX_CAS_ALG_SHA256;
            ir->reused++, ir->reused_bytes += o->len;
            if ((r = inc_emit(ir, &id, t + (ir->pos - off), o->len)) != DX_OK) break;
            memset(&cc, 0, sizeof cc);
            dx_cas_chunker_init(&ir->chunker, &cc); /* a cut starts the next chunk afresh */
            ir->chunker_base = ir->fed = ir->pos;
            continue;
        }
        if (ir->fed >= end) break;
        if (!dx_cas_chunker_feed(&ir->chunker, t + (ir->fed - off), (size_t)(end - ir->fed), &used, &c)) {
            ir->fed += used;
            continue;
        }
        ir->fed += used;
        {
            uint64_t cut = ir->chunker_base + c.offset + c.length;
            const uint8_t *data;
            size_t len = (size_t)(cut - ir->pos);
            if (cut <= ir->pos || cut > end) return DX_ERR_MISUSE;
            if (ir->pos >= off) { /* in this segment */
                data = t + (ir->pos - off);
            } else { /* it began before: its bytes, in pend, joined (a cut may lie a byte before off) */
                if (cut > off && (r = inc_pend(ir, t, (size_t)(cut - off))) != DX_OK) break;
                data = ir->pend;
            }
            dx_cas_id_hash_memo(&ir->g->alg, &ir->zero, data, len, &id);
            if ((r = inc_emit(ir, &id, data, len)) != DX_OK) break;
            if (ir->pos >= off) {
                ir->pend_len = 0;
            } else { /* the chunk ended a byte before this segment: pend keeps the rest */
                ir->pend_len -= len;
                memmove(ir->pend, ir->pend + len, ir->pend_len);
            }
        }
    }
    if (r != DX_OK) return r;
    if (ir->pos < off) return inc_pend(ir, t, got); /* the chunk under way: its bytes here join pend */
    ir->pend_len = 0;
    return inc_pend(ir, t + (ir->pos - off), (size_t)(end - ir->pos));
}

/* After the last segment (size bytes in all): the last chunk, the root, and what the manifest
   would cost (its bytes, as the chunks' cost counts them). */
static dx_result inc_finish(inc_root *ir, uint64_t size, uint8_t root[32]) {
    dx_cas_chunk c;
    dx_cas_id id;
    dx_result r;
    if (ir->pos + ir->pend_len != size) return DX_ERR_MISUSE;
    if (dx_cas_chunker_finish(&ir->chunker, &c)) {
        uint64_t cut = ir->chunker_base + c.offset + c.length;
        if (cut != size || cut <= ir->pos) return DX_ERR_MISUSE;
        dx_cas_id_hash(&ir->g->alg, ir->pend, ir->pend_len, &id);
        if ((r = inc_emit(ir, &id, ir->pend, ir->pend_len)) != DX_OK) return r;
        ir->pend_len = 0;
    }
    if (ir->pos != size || ir->pend_len != 0) return DX_ERR_MISUSE;
    dx_cas_merkle_root(&ir->tree, root);
    ir->g->dry_new += DX_CAS_MANIFEST_HEADER_SIZE + ir->count * DX_CAS_MANIFEST_ENTRY_SIZE;
    return DX_OK;
}

static void inc_free(inc_root *ir) {
    free(ir->pend);
    ir->pend = NULL;
}

/* A pass without a base wrote the copy: its list from the manifest the blob writer stored. */
static void list_from_manifest(copy *c, dx_cas_store *s, const dx_cas_id *manifest) {
    dx_cas_chunk_iter it;
    dx_cas_id id;
    uint32_t len;
    int more = -1;
    if (!c->lo || c->lo->failed) return;
    if (dx_cas_chunk_iter_open(&it, s, manifest, own_limits()) == DX_OK) {
        while ((more = dx_cas_chunk_iter_next(&it, &id, &len)) > 0) list_out_add(c->lo, len, id.digest);
        dx_cas_chunk_iter_close(&it);
    }
    if (more != 0) c->lo->failed = true;
}

/* run_pass's helper job: one segment of the file (a piece is a segment) diffed against the
   base's, made from the content's bytes the main thread read (base) */
typedef struct diff_job {
    pass *p;
    chain *ch;
    uint8_t *pbuf;
    size_t pcap;
    const uint8_t *buf;
    size_t got;
    uint8_t *base;
    size_t base_len;
    uint64_t off;
    uint32_t count;
    dx_result r;
} diff_job;

static void diff_piece(void *arg) {
    diff_job *j = (diff_job *)arg;
    copy *c = j->p->copy;
    dx_patch_info in;
    uint64_t h[2]; /* the base's hash, the segment's */
    size_t blen;
    int64_t plen = 0;
    if (j->r != DX_OK) return;
    if (j->p->copy && j->p->copy->base) { /* the copy holds the base as it is */
        blen = j->base_len;
    } else if ((j->r = chain_patch(j->ch, j->base, j->base_len, &blen)) != DX_OK) {
        j->p->base_failed = j->r;
        return;
    }
    if (!(blen == j->got && memcmp(j->base, j->buf, j->got) == 0)) {
        plen = diff_segment(j->p, j->base, blen, j->buf, j->got, j->pbuf, j->pbuf + j->pcap, j->pcap);
        if (plen <= 0) { /* a patch has a header: 0 never comes */
            j->r = plen < 0 ? (dx_result)plen : DX_ERR_CORRUPT;
            return;
        }
    }
    if (c && c->base && blen > 0) { /* a base from the copy: its hash is the record's, or the copy is spoilt */
        if (plen > 0 && dx_patch_read_info(j->pbuf, (size_t)plen, &in) == DX_OK) h[0] = in.base_hash, h[1] = in.target_hash;
        else h[0] = h[1] = dx_patch_xxh64(j->buf, j->got, 0); /* the same bytes */
        if (h[0] != c->in_hash[j->off / SEG_SIZE]) {
            j->r = j->p->base_failed = DX_ERR_CHECKSUM;
            j->p->copy_bad = true;
            return;
        }
    }
    if ((j->r = patch_out(j->p, j->pbuf, (uint32_t)plen)) != DX_OK) return;
    j->count++;
    if (c) /* what the copy holds there: the base's bytes (from the copy), else nothing yet */
        copy_put(c, j->off, j->buf, j->got, c->base ? j->base : NULL, blen, c->base && blen > 0 ? &h[1] : NULL);
}

/* run_pass's helper job without a base: the segment into the copy (a second core for its writes) */
static void copy_piece(void *arg) {
    diff_job *j = (diff_job *)arg;
    copy_put(j->p->copy, j->off, j->buf, j->got, NULL, 0, NULL);
}

/* With a base, the file and the base's content are read into two buffers each in turn: the
   main thread reads, chunks and hashes one segment while the helper patches the base's
   content up to the previous version and diffs the segment before. */
#if READ_SIZE != SEG_SIZE
#error "run_pass diffs one segment a read"
#endif
static dx_result run_pass(pass *p, uint8_t *tbuf) {
    dx_cas_blob_writer w;
    dx_cas_blob_writer_config c;
    dx_patch_config pc;
    chain ch;
    helper h;
    diff_job j;
    inc_root ir;
    uint8_t head[32], *buf[2] = {tbuf, NULL}, *base[2] = {NULL, NULL};
    size_t got, base_len = 0;
    unsigned i;
    dx_result r;
    list_in *old = NULL; /* the copy's list, where the copy is the base */
    struct stat st;
    bool several = fstat(p->fd, &st) == 0 && st.st_size > (off_t)READ_SIZE; /* one read: no thread (jobs run inline) */
    memset(&ir, 0, sizeof ir);
    memset(&c, 0, sizeof c);
    memset(&ch, 0, sizeof ch);
    memset(&j, 0, sizeof j);
    memset(&h, 0, sizeof h);
    c.store = p->store;
    p->shift_skip = p->shift_backoff = 0;
    p->size = 0, p->patch_len = 0, p->out_len = 0, p->err = 0, p->read_failed = false, p->base_failed = DX_OK;
    p->copy_bad = false;
    if (lseek(p->fd, 0, SEEK_SET) != 0) return p->err = errno, p->read_failed = true, DX_ERR_IO;
    if (p->copy) copy_pass_start(p->copy, p->base != NULL);
    old = p->base && p->copy && p->copy->base ? p->copy->li : NULL; /* pass_start may have dropped it */
    if (p->base) r = inc_init(&ir, p->g, old, p->copy ? p->copy->lo : NULL); /* a diff pass: the root made here */
    else r = dx_cas_blob_writer_create(&w, &c);
    if (r != DX_OK) return r;
    j.p = p, j.ch = &ch;
    if (p->base) {
        memset(&pc, 0, sizeof pc);
        pc.shift = true, pc.level = PATCH_LEVEL, pc.zstd_level = 3, pc.one_way = true;
        j.pcap = dx_patch_bound(SEG_SIZE, SEG_SIZE, &pc);
        pc.shift = false, pc.no_witness = true;
        if (dx_patch_bound(SEG_SIZE, SEG_SIZE, &pc) > j.pcap) j.pcap = dx_patch_bound(SEG_SIZE, SEG_SIZE, &pc);
        if (!(j.pbuf = (uint8_t *)malloc(2 * j.pcap)) || !(buf[1] = (uint8_t *)malloc(READ_SIZE)) ||
            !(base[0] = (uint8_t *)malloc(SEG_SIZE)) || !(base[1] = (uint8_t *)malloc(SEG_SIZE)))
            r = DX_ERR_NOMEM;
        else if (!(p->copy && p->copy->base) && ((r = chain_open(p->g, p->base, &ch)) != DX_OK || ch.seg != SEG_SIZE))
            p->base_failed = r = r ? r : DX_ERR_UNSUPPORTED;
        memset(head, 0, sizeof head);
        if (r == DX_OK && (ftruncate(p->patch_fd, 0) != 0 || pwrite(p->patch_fd, head, 32, 0) != 32)) p->err = errno, r = DX_ERR_IO;
        p->patch_len = 32;
        if (r == DX_OK && several) helper_start(&h);
    } else if (p->copy) {
        if (!(buf[1] = (uint8_t *)malloc(READ_SIZE))) r = DX_ERR_NOMEM;
        else if (several) helper_start(&h);
    }
    for (i = 0; r == DX_OK; i++) {
        uint8_t *b = buf[p->base || p->copy ? i & 1 : 0]; /* its last reader, the job before the last, is done */
        if ((r = read_sparse(p->fd, b, READ_SIZE, &got)) != DX_OK) {
            int e = errno;
            helper_wait(&h); /* p->err is the helper's while it runs */
            p->err = e, p->read_failed = true;
            break;
        }
        if (got == 0) break;
        test_step();
        if (p->base) {
            if (p->copy && p->copy->base) r = copy_read(p->copy, p->size, base[i & 1], &base_len);
            else r = chain_content(&ch, p->size, base[i & 1], &base_len);
            if (r != DX_OK) {
                helper_wait(&h);
                p->base_failed = r;
                p->copy_bad = p->copy && p->copy->base;
                break;
            }
            helper_wait(&h);
            if ((r = j.r) != DX_OK) break;
            j.buf = b, j.got = got, j.base = base[i & 1], j.base_len = base_len, j.off = p->size;
            helper_post(&h, diff_piece, &j);
        } else if (p->copy) {
            helper_wait(&h);
            j.buf = b, j.got = got, j.off = p->size;
            helper_post(&h, copy_piece, &j);
        }
        if (p->base) r = inc_segment(&ir, b, got, old ? base[i & 1] : NULL, old ? base_len : 0, p->size);
        else r = dx_cas_blob_writer_write(&w, b, got);
        if (r != DX_OK) break;
        p->size += got;
        progress_show(p->g, p->g->progress + p->size); /* a file read again (it changed) counts once */
    }
    helper_wait(&h);
    helper_stop(&h);
    if (r == DX_OK) r = j.r;
    if (r == DX_OK && p->base) r = patch_out(p, NULL, 0);
    if (p->base) {
        if (r == DX_OK) r = inc_finish(&ir, p->size, p->root);
        inc_free(&ir);
        if (old) { /* the ids taken from the list count only if all of it checks */
            p->copy->li = NULL;
            if (!list_in_close(old) && r == DX_OK) r = p->base_failed = DX_ERR_CHECKSUM, p->copy_bad = true;
        }
        p->reused = ir.reused_bytes;
    } else {
        if (r == DX_OK) r = dx_cas_blob_writer_finish(&w, &p->manifest, p->root);
        dx_cas_blob_writer_destroy(&w);
        if (r == DX_OK && p->copy) list_from_manifest(p->copy, p->store, &p->manifest);
    }
    chain_close(&ch);
    if (r == DX_OK && p->base) {
        memcpy(head, "SKDP", 4);
        head[4] = 1, head[5] = 0;
        dx_store_u16le(head + 6, 0);
        dx_store_u32le(head + 8, SEG_SIZE);
        dx_store_u32le(head + 12, j.count);
        dx_store_u64le(head + 16, p->base->size);
        dx_store_u64le(head + 24, p->size);
        if (pwrite(p->patch_fd, head, 32, 0) != 32) p->err = errno, r = DX_ERR_IO;
    }
    free(j.pbuf), free(buf[1]), free(base[0]), free(base[1]);
    return r;
}

/* the patch file as a blob (into store: the real one, or the dry one to learn what it would cost) */
static dx_result put_file_blob(dx_cas_store *store, int fd, uint8_t *buf, dx_cas_id *out) {
    dx_cas_blob_writer w;
    dx_cas_blob_writer_config c;
    size_t got;
    uint64_t off = 0;
    dx_result r;
    memset(&c, 0, sizeof c);
    c.store = store;
    if ((r = dx_cas_blob_writer_create(&w, &c)) != DX_OK) return r;
    for (;;) {
        if ((r = pread_full(fd, buf, READ_SIZE, off, &got)) != DX_OK || got == 0) break;
        if ((r = dx_cas_blob_writer_write(&w, buf, got)) != DX_OK) break;
        off += got;
    }
    if (r == DX_OK) r = dx_cas_blob_writer_finish(&w, out, NULL);
    dx_cas_blob_writer_destroy(&w);
    return r;
}

enum { CAP_OK = 0, CAP_SKIP = 1 }; /* CAP_SKIP: the file is left out or keeps its previous record (said so) */

/* A regular file into f (f->path, mode, mtime set by the caller from st). <0: a store error. */
static int cap_file(sk *g, const char *abs, const struct stat *st0, const frec *prev, frec *f, uint8_t *tbuf,
                    dx_result *rr) {
    struct stat s1, s2;
    struct timespec start;
    pass p, q;
    copy cp;
    int fd, patch_fd = -1, attempt, err;
    uint64_t chunk_cost = 0, patch_cost = 0;
    bool eligible = prev && (prev->kind == KIND_CHUNKS || prev->kind == KIND_DELTA) && prev->depth < g->full_every;
    dx_result r = DX_OK;
    *rr = DX_OK;
    if ((fd = open(abs, O_RDONLY | O_NOFOLLOW)) < 0) {
        err = errno;
        g->unreadable++;
        tool_warn("cannot read %s: %s%s", abs, strerror(err), prev ? " (its previous version is kept)" : " (left out)");
        return CAP_SKIP;
    }
    (void)st0;
    if (eligible && (patch_fd = anon_tmp(g, g->tmp)) < 0) { /* the delta goes there, to be stored if it wins */
        err = errno;
        close(fd);
        *rr = DX_ERR_IO;
        tool_warn("cannot make a temporary file in %s: %s", g->tmp, strerror(err));
        return -1;
    }
    memset(&p, 0, sizeof p);
    copy_open(g, f->path, prev, (uint64_t)st0->st_size, &cp);
    for (attempt = 0; attempt < READ_TRIES; attempt++) {
        clock_gettime(CLOCK_REALTIME, &start);
        settle(fd);
        if (fstat(fd, &s1) != 0) break;
        p.g = g, p.fd = fd, p.base = eligible ? prev : NULL, p.patch_fd = patch_fd;
        p.copy = cp.fd >= 0 ? &cp : NULL;
        p.store = eligible ? &g->dry : &g->s;
        dry_reset(g);
        r = run_pass(&p, tbuf);
        if (r != DX_OK && p.copy_bad && !p.err) { /* a copy a crash or the disk spoilt: the store has the base */
            if (!g->quiet) fprintf(stderr, "statekeeper: the local copy of %s did not match: its previous version is rebuilt from the store\n", abs);
            r = DX_OK;
            continue;
        }
        if (r != DX_OK && p.base_failed != DX_OK && !p.err) {
            /* a damaged previous version: this one is stored whole (verify reports the damage); a
               chain of another segment size (an older statekeeper's) or format ends quietly */
            if (p.base_failed != DX_ERR_UNSUPPORTED)
                tool_warn("the previous version of %s does not rebuild (%s): storing it whole", abs, why(g, p.base_failed));
            eligible = false, r = DX_OK;
            continue;
        }
        if (r != DX_OK) break;
        chunk_cost = dry_cost(g);
        settle(fd);
        if (fstat(fd, &s2) != 0) break;
        if (!same_stat(&s1, &s2) || p.size != (uint64_t)s2.st_size) continue; /* it changed: again */
        if (racy(fd, &s2, &start)) {                                            /* a second look */
            q = p;
            q.base = NULL, q.store = &g->sink, q.copy = NULL;
            settle(fd);
            if ((r = run_pass(&q, tbuf)) != DX_OK) {
                p = q;
                break;
            }
            if (q.size != p.size || memcmp(q.root, p.root, 32) != 0) continue;
            settle(fd);
            if (fstat(fd, &s2) != 0 || !same_stat(&s1, &s2)) continue;
        }
        f->size = p.size;
        f->mode = (uint32_t)(s2.st_mode & 07777);
        f->mtime_sec = (int64_t)s2.st_mtim.tv_sec, f->mtime_nsec = (uint32_t)s2.st_mtim.tv_nsec;
        memcpy(f->root, p.root, 32);
        if (p.size == 0) {
            f->kind = KIND_EMPTY;
            break;
        }
        if (prev && (prev->kind == KIND_CHUNKS || prev->kind == KIND_DELTA) && prev->size == p.size &&
            memcmp(prev->root, p.root, 32) == 0) { /* the same bytes: the same content */
            f->kind = prev->kind, f->depth = prev->depth, f->nchain = prev->nchain;
            if (!(f->chain = (sk_blobref *)malloc(prev->nchain * sizeof *f->chain))) r = DX_ERR_NOMEM;
            else memcpy(f->chain, prev->chain, prev->nchain * sizeof *f->chain);
            g->st.unchanged_files++;
            break;
        }
        /* what the patch takes: a small one measured as the chunks were (compressed: a sparse
           file's patch is mostly LEN 0); a large one is its length (its segments' patches are
           compressed already; measuring cost a second chunking and hashing of a patch as large
           as 12% of a 1 GiB file) */
        patch_cost = p.patch_len;
        if (eligible && p.patch_len <= DRY_EXACT) {
            dx_cas_id pid;
            dry_reset(g);
            if ((r = put_file_blob(&g->dry, patch_fd, tbuf, &pid)) != DX_OK) break;
            patch_cost = dry_cost(g);
        }
        if (eligible && patch_cost < chunk_cost) { /* the delta is smaller than the new chunks */
            dx_cas_id pid;
            int level = g->dir.compress;
            if (p.patch_len > DRY_EXACT) g->dir.compress = 0; /* a large patch is compressed already: no second try */
            r = put_file_blob(&g->s, patch_fd, tbuf, &pid);
            g->dir.compress = level;
            if (r != DX_OK) break;
            f->kind = KIND_DELTA, f->depth = prev->depth + 1, f->nchain = prev->nchain + 1;
            if (!(f->chain = (sk_blobref *)malloc(f->nchain * sizeof *f->chain))) {
                r = DX_ERR_NOMEM;
                break;
            }
            memcpy(f->chain, prev->chain, prev->nchain * sizeof *f->chain);
            blobref_set(&f->chain[prev->nchain], &pid, p.patch_len);
            g->st.delta_files++, g->st.delta_in += p.size, g->st.delta_out += p.patch_len;
            break;
        }
        if (eligible) { /* chunks after all: store them, and check it is still the same file */
            q = p;
            q.base = NULL, q.store = &g->s, q.copy = NULL;
            if ((r = run_pass(&q, tbuf)) != DX_OK) {
                p = q;
                break;
            }
            settle(fd);
            if (q.size != p.size || memcmp(q.root, p.root, 32) != 0 || fstat(fd, &s2) != 0 || !same_stat(&s1, &s2)) continue;
            p.manifest = q.manifest;
        }
        f->kind = KIND_CHUNKS, f->depth = 0, f->nchain = 1;
        if (!(f->chain = (sk_blobref *)malloc(sizeof *f->chain))) {
            r = DX_ERR_NOMEM;
            break;
        }
        blobref_set(&f->chain[0], &p.manifest, p.size);
        g->st.chunk_files++;
        break;
    }
    close(fd);
    if (patch_fd >= 0) close(patch_fd);
    g->progress += p.size;
    if (r == DX_OK && f->kind && cp.base && p.base) g->copy_hits++, g->list_bytes += p.reused; /* diffed against the copy */
    copy_close(&cp, r == DX_OK && f->kind ? f : NULL);
    if (r == DX_ERR_IO && p.read_failed) {
        g->unreadable++;
        tool_warn("cannot read %s: %s%s", abs, strerror(p.err), prev ? " (its previous version is kept)" : " (left out)");
        return CAP_SKIP;
    }
    if (r == DX_ERR_IO && p.err) {
        tool_warn("cannot write a temporary file in %s: %s", g->tmp, strerror(p.err));
        *rr = r;
        return -1;
    }
    if (r != DX_OK) {
        *rr = r;
        return -1;
    }
    if (!f->kind) {
        g->unreadable++;
        tool_warn("%s kept changing while it was read (%d times)%s", abs, READ_TRIES,
                  prev ? ": its previous version is kept" : ": left out of this version");
        return CAP_SKIP;
    }
    return CAP_OK;
}

static int name_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static const char *special_kind(mode_t m) {
    return S_ISFIFO(m) ? "a FIFO" : S_ISSOCK(m) ? "a socket" : S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device" : "not a file";
}

/* the records' needs, and the counts, for a record used in this version */
static dx_result use_record(sk *g, const frec *f) {
    uint32_t i;
    dx_result r = DX_OK;
    for (i = 0; r == DX_OK && i < f->nchain; i++) r = need_add(g, &f->chain[i]);
    g->st.files++, g->st.bytes += f->size;
    return r;
}

/* The tree of folder abs (rel from DIR). DX_OK, or the store's error; unreadable entries are said and skipped. */
static dx_result cap_dir(sk *g, const char *abs, const char *rel, int depth, uint8_t *tbuf, dx_cas_id *out,
                         bool *skipped) {
    DIR *d;
    struct dirent *de;
    char **names = NULL;
    dx_cas_tree_entry *e = NULL;
    frec *recs = NULL;
    size_t n = 0, cap = 0, i, k = 0, need = DX_CAS_TREE_HEADER_SIZE;
    uint8_t *tree = NULL;
    dx_result r = DX_OK;
    *skipped = false;
    if (depth > DIR_DEPTH) { /* deeper trees would be past the walks of gc and verify */
        g->unreadable++;
        tool_warn("skipped %s: more than %d folders deep", abs, DIR_DEPTH);
        *skipped = true;
        return DX_OK;
    }
    if (!(d = opendir(abs))) {
        int err = errno;
        g->unreadable++;
        tool_warn("cannot read folder %s: %s (left out)", abs, strerror(err));
        *skipped = true;
        return DX_OK;
    }
    for (;;) {
        errno = 0;
        if (!(de = readdir(d))) {
            if (errno) {
                int err = errno;
                g->unreadable++;
                tool_warn("cannot list all of folder %s: %s", abs, strerror(err));
            }
            break;
        }
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        if (depth == 0 && !strcmp(de->d_name, RESTORE_MARK)) continue;
        if (!strncmp(de->d_name, ".statekeeper-", 13) && strstr(de->d_name, ".tmp")) continue; /* a restore's temporaries */
        if (n == cap) {
            char **nn = (char **)realloc(names, (cap = cap ? cap * 2 : 64) * sizeof *nn);
            if (!nn) {
                r = DX_ERR_NOMEM;
                break;
            }
            names = nn;
        }
        if (!(names[n] = strdup(de->d_name))) {
            r = DX_ERR_NOMEM;
            break;
        }
        n++;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, name_cmp);
    if (r == DX_OK && (!(e = (dx_cas_tree_entry *)calloc(n ? n : 1, sizeof *e)) || !(recs = (frec *)calloc(n ? n : 1, sizeof *recs))))
        r = DX_ERR_NOMEM;
    for (i = 0; i < n && r == DX_OK; i++) {
        char cabs[4096], crel[4096];
        struct stat st;
        dx_cas_tree_entry *t = &e[k];
        frec *f = &recs[k];
        frec *prev;
        if (strlen(names[i]) > DX_CAS_NAME_MAX || !join(cabs, sizeof cabs, abs, names[i]) || !join(crel, sizeof crel, rel, names[i])) {
            g->unreadable++;
            tool_warn("skipped %s/%s: name or path too long", abs, names[i]);
            continue;
        }
        if (lstat(cabs, &st) != 0) {
            int err = errno;
            if (err != ENOENT) {
                g->unreadable++;
                tool_warn("skipped %s: %s", cabs, strerror(err));
            }
            continue;
        }
        t->name = names[i], t->name_len = strlen(names[i]);
        prev = prev_find(g, crel);
        if (S_ISDIR(st.st_mode)) {
            bool sk2;
            size_t at = g->ndirs;
            if (g->have_store_id && st.st_dev == g->store_dev && st.st_ino == g->store_ino) continue; /* the store */
            if ((r = dir_add(g, crel, &st)) != DX_OK) break;
            t->mode = DX_CAS_MODE_DIR;
            if ((r = cap_dir(g, cabs, crel, depth + 1, tbuf, &t->id, &sk2)) != DX_OK) break;
            if (sk2) {
                free(g->dirs[at].path);
                g->ndirs = at;
                continue;
            }
        } else if (S_ISLNK(st.st_mode) || S_ISREG(st.st_mode)) {
            f->path = strdup(crel);
            if (!f->path) {
                r = DX_ERR_NOMEM;
                break;
            }
            f->mode = (uint32_t)(st.st_mode & 07777);
            f->mtime_sec = (int64_t)st.st_mtim.tv_sec, f->mtime_nsec = (uint32_t)st.st_mtim.tv_nsec;
            f->size = (uint64_t)st.st_size;
            if (S_ISLNK(st.st_mode)) {
                char target[4096];
                ssize_t len = readlink(cabs, target, sizeof target);
                if (len < 0 || (size_t)len >= sizeof target) {
                    int err = errno;
                    g->unreadable++;
                    tool_warn("cannot read symlink %s: %s", cabs, len < 0 ? strerror(err) : "target longer than 4095 bytes");
                    frec_free(f);
                    continue;
                }
                target[len] = 0;
                f->kind = KIND_SYMLINK;
                if (!(f->target = strdup(target))) {
                    r = DX_ERR_NOMEM;
                    break;
                }
                dx_cas_sha256_digest("", 0, f->root);
                if (prev && prev->kind == KIND_SYMLINK && !strcmp(prev->target, target) && prev->mode == f->mode &&
                    prev->mtime_sec == f->mtime_sec && prev->mtime_nsec == f->mtime_nsec) {
                    frec_free(f);
                    f->rec_id = prev->rec_id, f->rec_size = prev->rec_size;
                    g->st.unchanged_files++;
                } else if ((r = record_put(g, f)) != DX_OK) {
                    break;
                }
                t->mode = DX_CAS_MODE_SYMLINK;
            } else {
                int rc;
                if (prev && prev->kind != KIND_SYMLINK && prev->size == (uint64_t)st.st_size && prev->mode == f->mode &&
                    prev->mtime_sec == f->mtime_sec && prev->mtime_nsec == f->mtime_nsec) {
                    /* unchanged (size, time, mode): not read, the same record */
                    if ((r = use_record(g, prev)) != DX_OK) break;
                    frec_free(f);
                    f->rec_id = prev->rec_id, f->rec_size = prev->rec_size;
                    g->st.unchanged_files++;
                    t->mode = (prev->mode & 0111) ? DX_CAS_MODE_EXEC : DX_CAS_MODE_FILE;
                    t->size = f->rec_size, t->id = f->rec_id;
                    need += DX_CAS_TREE_ENTRY_FIXED + t->name_len;
                    k++;
                    continue;
                }
                rc = cap_file(g, cabs, &st, prev && prev->kind != KIND_SYMLINK ? prev : NULL, f, tbuf, &r);
                if (rc < 0) break;
                if (rc == CAP_SKIP) {
                    frec_free(f);
                    if (!prev) continue;
                    f->rec_id = prev->rec_id, f->rec_size = prev->rec_size; /* the previous version stays */
                    if ((r = use_record(g, prev)) != DX_OK) break;
                    t->mode = (prev->mode & 0111) ? DX_CAS_MODE_EXEC : DX_CAS_MODE_FILE;
                    if (prev->kind == KIND_SYMLINK) t->mode = DX_CAS_MODE_SYMLINK;
                    t->size = f->rec_size, t->id = f->rec_id;
                    need += DX_CAS_TREE_ENTRY_FIXED + t->name_len;
                    k++;
                    continue;
                }
                if ((r = record_put(g, f)) != DX_OK) break;
                if ((r = use_record(g, f)) != DX_OK) break;
                t->mode = (f->mode & 0111) ? DX_CAS_MODE_EXEC : DX_CAS_MODE_FILE;
            }
            if (t->mode == DX_CAS_MODE_SYMLINK) g->st.files++;
            t->size = f->rec_size, t->id = f->rec_id;
        } else {
            g->specials++;
            tool_warn("skipped %s: %s (only files, folders and symlinks are kept)", cabs, special_kind(st.st_mode));
            continue;
        }
        need += DX_CAS_TREE_ENTRY_FIXED + t->name_len;
        k++;
    }
    if (r == DX_OK) {
        int64_t len;
        tree = (uint8_t *)malloc(need);
        len = tree ? dx_cas_tree_encode(DX_CAS_ALG_SHA256, e, k, tree, need) : DX_ERR_NOMEM;
        r = len < 0 ? (dx_result)len : dx_cas_store_put(&g->s, tree, (size_t)len, out);
    }
    for (i = 0; i < n; i++) free(names[i]);
    if (recs)
        for (i = 0; i < n; i++) frec_free(&recs[i]);
    free(names), free(e), free(recs), free(tree);
    return r;
}

static int blobref_cmp(const void *a, const void *b) { return memcmp(((const sk_blobref *)a)->id, ((const sk_blobref *)b)->id, DX_CAS_ID_SIZE); }

/* A tree of FILE entries named by digest (64 lower-case hex digits) into the store. */
static dx_result needs_leaf_put(sk *g, const dx_cas_tree_entry *e, size_t n, dx_cas_id *out) {
    size_t need = DX_CAS_TREE_HEADER_SIZE + n * (DX_CAS_TREE_ENTRY_FIXED + 64);
    uint8_t *tree = (uint8_t *)malloc(need);
    int64_t len;
    dx_result r;
    if (!tree) return DX_ERR_NOMEM;
    len = dx_cas_tree_encode(DX_CAS_ALG_SHA256, e, n, tree, need);
    r = len < 0 ? (dx_result)len : dx_cas_store_put(&g->s, tree, (size_t)len, out);
    free(tree);
    return r;
}

/* the "needs" tree: every content blob, once, by digest, in folders by its first byte (two hex
   digits): a folder whose blobs did not change is the same object as the version before's, so
   a version costs its changed folders and the top, not an entry for every file of DIR */
static dx_result needs_put(sk *g, dx_cas_id *out) {
    dx_cas_tree_entry *e, top[256];
    char *names, top_names[256][3];
    size_t i, k = 0, start, ntop = 0;
    int64_t len;
    uint8_t *tree = NULL;
    dx_result r = DX_OK;
    if (g->nneeds) qsort(g->needs, g->nneeds, sizeof *g->needs, blobref_cmp);
    e = (dx_cas_tree_entry *)calloc(g->nneeds ? g->nneeds : 1, sizeof *e);
    names = (char *)malloc((g->nneeds ? g->nneeds : 1) * 65);
    if (!e || !names) r = DX_ERR_NOMEM;
    for (i = 0; r == DX_OK && i < g->nneeds; i++) {
        char text[DX_CAS_ID_TEXT_SIZE];
        if (k && !memcmp(g->needs[i].id, g->needs[i - 1].id, DX_CAS_ID_SIZE)) continue;
        if (blobref_id(&g->needs[i], &e[k].id) != DX_OK) {
            r = DX_ERR_CORRUPT;
            break;
        }
        dx_cas_id_format(&e[k].id, text, sizeof text);
        memcpy(names + k * 65, text + 7, 65); /* after "sha256-" */
        e[k].name = names + k * 65, e[k].name_len = 64, e[k].mode = DX_CAS_MODE_FILE, e[k].size = g->needs[i].size;
        k++;
    }
    for (start = 0; r == DX_OK && start < k; ntop++) { /* sorted by digest: each first byte's run is a folder */
        size_t end = start;
        while (end < k && e[end].id.digest[0] == e[start].id.digest[0]) end++;
        memcpy(top_names[ntop], e[start].name, 2);
        memset(&top[ntop], 0, sizeof top[ntop]);
        top[ntop].name = top_names[ntop], top[ntop].name_len = 2, top[ntop].mode = DX_CAS_MODE_DIR;
        r = needs_leaf_put(g, e + start, end - start, &top[ntop].id);
        start = end;
    }
    if (r == DX_OK && !(tree = (uint8_t *)malloc(DX_CAS_TREE_HEADER_SIZE + ntop * (DX_CAS_TREE_ENTRY_FIXED + 2)))) r = DX_ERR_NOMEM;
    if (r == DX_OK) {
        len = dx_cas_tree_encode(DX_CAS_ALG_SHA256, top, ntop, tree, DX_CAS_TREE_HEADER_SIZE + ntop * (DX_CAS_TREE_ENTRY_FIXED + 2));
        r = len < 0 ? (dx_result)len : dx_cas_store_put(&g->s, tree, (size_t)len, out);
    }
    free(e), free(names), free(tree);
    return r;
}

/* A version's needs as a sorted list of ids: its tree's FILE entries, and those of its folders
   (a store of format 1.0 has them all at the top). */
static dx_result needs_read(sk *g, const dx_cas_id *id, int depth, dx_cas_id **ids, size_t *n, size_t *cap) {
    uint8_t *buf;
    size_t len, pos = 0;
    dx_cas_tree t;
    dx_cas_tree_entry e;
    dx_result r;
    if ((r = load(g, id, &buf, &len)) != DX_OK) return r;
    if ((r = dx_cas_tree_parse(buf, len, 0, &t)) != DX_OK) {
        free(buf);
        return r;
    }
    while (r == DX_OK && dx_cas_tree_next(&t, &pos, &e)) {
        if (e.mode == DX_CAS_MODE_DIR) {
            r = depth == 0 ? needs_read(g, &e.id, 1, ids, n, cap) : DX_ERR_CORRUPT; /* one level of folders */
            continue;
        }
        if (*n == *cap) {
            dx_cas_id *m = (dx_cas_id *)realloc(*ids, (*cap = *cap ? 2 * *cap : 256) * sizeof *m);
            if (!m) {
                r = DX_ERR_NOMEM;
                break;
            }
            *ids = m;
        }
        (*ids)[(*n)++] = e.id;
    }
    free(buf);
    return r;
}

static dx_result dirs_put(sk *g, dx_cas_id *out) {
    dx_tp_writer w;
    const uint8_t *buf;
    size_t len, i;
    dx_result r = tp_begin(&w, TYPE_DIR);
    if (r != DX_OK) return r;
    for (i = 0; i < g->ndirs; i++) {
        sk_dir d;
        memset(&d, 0, sizeof d);
        d.path = dx_tp_write_cstr(&w, g->dirs[i].path);
        d.mode = g->dirs[i].mode, d.mtime_sec = g->dirs[i].mtime_sec, d.mtime_nsec = g->dirs[i].mtime_nsec;
        dx_tp_write(&w, TYPE_DIR, &d);
    }
    if ((r = dx_tp_writer_finish(&w, &buf, &len)) == DX_OK) r = put_blob(g, buf, len, out);
    dx_tp_writer_destroy(&w);
    return r;
}

static dx_result meta_put(sk *g, dx_cas_id *out) {
    dx_tp_writer w;
    const uint8_t *buf;
    size_t len;
    dx_result r = tp_begin(&w, TYPE_VERSION);
    if (r != DX_OK) return r;
    dx_tp_writer_set_root(&w, TYPE_VERSION, dx_tp_write(&w, TYPE_VERSION, &g->st));
    if ((r = dx_tp_writer_finish(&w, &buf, &len)) == DX_OK) r = put_blob(g, buf, len, out);
    dx_tp_writer_destroy(&w);
    return r;
}

static void capture_reset(sk *g) {
    size_t i;
    for (i = 0; i < g->nprev; i++) frec_free(&g->prev[i]);
    free(g->prev), g->prev = NULL, g->nprev = 0;
    for (i = 0; i < g->ndirs; i++) free(g->dirs[i].path);
    free(g->dirs), g->dirs = NULL, g->ndirs = g->dirs_cap = 0;
    free(g->needs), g->needs = NULL, g->nneeds = g->needs_cap = 0;
    memset(&g->st, 0, sizeof g->st);
    g->unreadable = g->specials = 0;
    g->copy_hits = 0, g->list_bytes = 0;
}

#define CAPTURE_AGAIN 4

/* One capture of g->state. 0: a version stored (or nothing changed: *seq 0 then), 3: stored with files
   left out, 1: failed (said why). */
static int capture(sk *g, uint64_t *seq_out) {
    version prev;
    bool have_prev = false, skipped;
    dx_cas_id latest, files, dirs, meta, needs, root;
    dx_cas_tree_entry e[4];
    uint8_t tree[DX_CAS_TREE_HEADER_SIZE + 4 * DX_CAS_TREE_ENTRY_FIXED + 32];
    uint8_t *tbuf = NULL;
    struct stat st;
    struct timespec now;
    prev_acc pa;
    uint64_t put0, dedup0;
    int64_t len;
    dx_result r;
    *seq_out = 0;
    capture_reset(g);
    if (stat(g->state, &st) != 0) return tool_fail("cannot capture %s: %s", g->state, strerror(errno));
    if (!S_ISDIR(st.st_mode)) return tool_fail("cannot capture %s: it is not a directory", g->state);
    if (restore_marked(g->state))
        return tool_fail("cannot capture %s: a restore into it did not finish (%s/%s is there): restore it again", g->state, g->state, RESTORE_MARK);
    r = dx_cas_dir_ref_get(&g->dir, "latest", &latest);
    if (r == DX_OK) {
        if ((r = version_open(g, &latest, &prev)) != DX_OK)
            return tool_fail("cannot read the latest version of %s: %s", g->store_path, why(g, r));
        memset(&pa, 0, sizeof pa);
        if ((r = walk_files(g, &prev.files, "", 0, prev_add, &pa)) != DX_OK)
            return tool_fail("cannot read the latest version of %s: %s", g->store_path, why(g, r));
        if (g->nprev) qsort(g->prev, g->nprev, sizeof *g->prev, frec_cmp);
        have_prev = true;
    } else if (r != DX_ERR_NOTFOUND) {
        return tool_fail("cannot capture %s: %s", g->state, why(g, r == DX_ERR_IO || r == DX_ERR_NOMEM ? r : SK_ERR_REF));
    }
    copy_sweep(g); /* before the files are read: a copy of a file deleted since goes */
    tbuf = (uint8_t *)malloc(READ_SIZE);
    if (!tbuf) {
        free(tbuf);
        return tool_fail("out of memory");
    }
#if defined(DX_CAS_WITH_ZSTD)
    if (!g->zc) g->zc = ZSTD_createCCtx();
#endif
    put0 = g->s.stats.put_bytes, dedup0 = g->s.stats.dedup_bytes;
    g->dir.os_error = 0;
    if (g->show_progress) progress_start(g, "capturing", 0); /* bytes read: the total is not known before */
    r = dir_add(g, "", &st);
    if (r == DX_OK) r = cap_dir(g, g->state, "", 0, tbuf, &files, &skipped);
    free(tbuf);
    progress_end(g, r == DX_OK);
    if (r == DX_OK && skipped) return tool_fail("cannot capture %s: it cannot be read", g->state);
    if (r == DX_OK) r = dirs_put(g, &dirs);
    if (r == DX_OK) r = needs_put(g, &needs);
    if (r != DX_OK) return tool_fail("capture %s: cannot write to store %s: %s", g->state, g->store_path, why(g, r));
    if (have_prev && dx_cas_id_equal(&files, &prev.files) && dx_cas_id_equal(&dirs, &prev.dirs)) {
        if (!g->quiet && !g->still_quiet && !g->periodic)
            fprintf(stderr, "statekeeper: %s unchanged since version %llu\n", g->state, (unsigned long long)prev.v.seq);
        return g->unreadable ? 3 : TOOL_EXIT_OK;
    }
    clock_gettime(CLOCK_REALTIME, &now);
    g->st.seq = have_prev ? prev.v.seq + 1 : 1;
    g->st.time_sec = (int64_t)now.tv_sec, g->st.time_nsec = (uint32_t)now.tv_nsec, g->st.full_every = g->full_every;
    if (have_prev) dx_cas_id_encode(&latest, g->st.parent, sizeof g->st.parent);
    g->st.new_bytes = (g->s.stats.put_bytes - put0) - (g->s.stats.dedup_bytes - dedup0);
    if ((r = meta_put(g, &meta)) != DX_OK) return tool_fail("capture %s: cannot write to store %s: %s", g->state, g->store_path, why(g, r));
    memset(e, 0, sizeof e);
    e[0].name = "dirs", e[0].name_len = 4, e[0].mode = DX_CAS_MODE_FILE, e[0].id = dirs;
    e[1].name = "files", e[1].name_len = 5, e[1].mode = DX_CAS_MODE_DIR, e[1].id = files;
    e[2].name = "meta", e[2].name_len = 4, e[2].mode = DX_CAS_MODE_FILE, e[2].id = meta;
    e[3].name = "needs", e[3].name_len = 5, e[3].mode = DX_CAS_MODE_DIR, e[3].id = needs;
    len = dx_cas_tree_encode(DX_CAS_ALG_SHA256, e, 4, tree, sizeof tree);
    r = len < 0 ? (dx_result)len : dx_cas_store_put(&g->s, tree, (size_t)len, &root);
    if (r == DX_OK) r = dx_cas_store_sync(&g->s); /* everything the version needs is durable before it is named */
    if (r != DX_OK) return tool_fail("capture %s: cannot write to store %s: %s", g->state, g->store_path, why(g, r));
    if (g->still_quiet && !g->still_quiet(g->quiet_user)) { /* files changed while they were read: not one moment */
        if (!g->quiet) fprintf(stderr, "statekeeper: %s changed during the capture: not kept, tried again when it is quiet\n", g->state);
        return CAPTURE_AGAIN;
    }
    test_step();
    if ((r = dx_cas_dir_ref_set(&g->dir, "latest", &root)) != DX_OK)
        return tool_fail("capture %s: the version is stored but ref latest could not be written: %s", g->state, why(g, r));
    *seq_out = g->st.seq;
    if (!g->quiet) {
        char text[DX_CAS_ID_TEXT_SIZE];
        dx_cas_id_format(&root, text, sizeof text);
        fprintf(stderr,
                "statekeeper: captured version %llu %s: %llu files, %llu bytes; %llu new bytes (%llu files as chunks, %llu as "
                "deltas of %llu bytes, %llu unchanged)",
                (unsigned long long)g->st.seq, text, (unsigned long long)g->st.files, (unsigned long long)g->st.bytes,
                (unsigned long long)g->st.new_bytes, (unsigned long long)g->st.chunk_files, (unsigned long long)g->st.delta_files,
                (unsigned long long)g->st.delta_out, (unsigned long long)g->st.unchanged_files);
        if (g->copy_hits)
            fprintf(stderr, "; %llu diffed against their local copy (%llu bytes of chunks not hashed again)",
                    (unsigned long long)g->copy_hits, (unsigned long long)g->list_bytes);
        if (g->specials) fprintf(stderr, "; %llu skipped (FIFOs, sockets, devices)", (unsigned long long)g->specials);
        if (g->unreadable) fprintf(stderr, "; %llu could not be read", (unsigned long long)g->unreadable);
        fputc('\n', stderr);
    }
    return g->unreadable ? 3 : TOOL_EXIT_OK;
}

/* ---- restore ---- */

typedef struct rctx {
    const char *out;
    uint64_t files, bytes, replaced; /* replaced: files and links that had the name before */
    bool stopped;
    bool test_stopped; /* STATEKEEPER_TEST_STOP_IN_RESTORE did */
} rctx;

static void set_mtime_at(const char *path, int64_t sec, uint32_t nsec, bool nofollow) {
    struct timespec ts[2];
    ts[0].tv_sec = 0, ts[0].tv_nsec = UTIME_OMIT;
    ts[1].tv_sec = (time_t)sec, ts[1].tv_nsec = nsec < 1000000000u ? (long)nsec : 0;
    if (utimensat(AT_FDCWD, path, ts, nofollow ? AT_SYMLINK_NOFOLLOW : 0) != 0)
        tool_warn("cannot set the time of %s: %s", path, strerror(errno));
}

/* the temporary files a killed restore left in folder (.statekeeper-PID-N.tmp of a PID that is gone) */
static void sweep_tmps(const char *folder) {
    DIR *d = opendir(folder);
    struct dirent *de;
    if (!d) return;
    while ((de = readdir(d)) != NULL) {
        long pid;
        unsigned n;
        int used = 0;
        char p[4096];
        if (sscanf(de->d_name, ".statekeeper-%ld-%u.tmp%n", &pid, &n, &used) != 2 || used == 0 || de->d_name[used]) continue;
        if (pid <= 0 || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;
        if (join(p, sizeof p, folder, de->d_name)) unlink(p);
    }
    closedir(d);
}

/* a temporary name next to path (same folder: the rename stays on one file system) */
static void tmp_name(sk *g, const char *path, char *out, size_t cap) {
    const char *slash = strrchr(path, '/');
    int dl = slash ? (int)(slash - path) : 1;
    snprintf(out, cap, "%.*s/.statekeeper-%ld-%u.tmp", dl, slash ? path : ".", (long)getpid(), g->serial++);
}

static dx_result restore_one(sk *g, const char *path, const dx_cas_tree_entry *e, void *user) {
    rctx *c = (rctx *)user;
    char final[4096], tmp[4200], folder[4096];
    frec f;
    struct stat st;
    int fd = -1, err = 0;
    bool existed;
    dx_result r;
    if (!join(final, sizeof final, c->out, path)) {
        tool_warn("cannot restore %s: path too long", path);
        return DX_ERR_LIMIT;
    }
    if ((r = record_get(g, &e->id, &f)) != DX_OK) {
        tool_warn("cannot restore %s: its record does not read: %s", final, why(g, r));
        return r;
    }
    existed = lstat(final, &st) == 0;
    if (existed && S_ISDIR(st.st_mode)) {
        tool_warn("cannot restore %s: a folder has that name (it is left as it is)", final);
        frec_free(&f);
        return DX_ERR_EXISTS;
    }
    snprintf(folder, sizeof folder, "%s", final);
    *strrchr(folder, '/') = 0;
    tmp_name(g, final, tmp, sizeof tmp);
    tool_tmp_watch(tmp); /* Ctrl-C: removed, not left for the next restore */
    if (f.kind == KIND_SYMLINK) {
        if (symlink(f.target, tmp) != 0) err = errno, r = DX_ERR_IO;
        else set_mtime_at(tmp, f.mtime_sec, f.mtime_nsec, true);
    } else {
        if ((fd = open(tmp, O_RDWR | O_CREAT | O_EXCL, 0600)) < 0) err = errno, r = DX_ERR_IO;
        else if (getenv("STATEKEEPER_TEST_STOP_IN_RESTORE") && !c->test_stopped) c->test_stopped = true, raise(SIGSTOP); /* tests: a restore signalled */
        if (r == DX_OK && f.kind != KIND_EMPTY) r = content_write(g, &f, fd, &err); /* checked against the root */
        if (r == DX_OK && fchmod(fd, (mode_t)f.mode) != 0) err = errno, r = DX_ERR_IO;
        if (r == DX_OK) {
            struct timespec ts[2];
            ts[0].tv_sec = 0, ts[0].tv_nsec = UTIME_OMIT;
            ts[1].tv_sec = (time_t)f.mtime_sec, ts[1].tv_nsec = f.mtime_nsec < 1000000000u ? (long)f.mtime_nsec : 0;
            if (futimens(fd, ts) != 0) err = errno, r = DX_ERR_IO;
        }
        if (fd >= 0 && close(fd) != 0 && r == DX_OK) err = errno, r = DX_ERR_IO;
    }
    if (r == DX_OK && rename(tmp, final) != 0) err = errno, r = DX_ERR_IO;
    if (r != DX_OK) unlink(tmp);
    tool_tmp_unwatch(tmp);
    if (r != DX_OK) {
        if (err) tool_warn("cannot restore %s: %s", final, strerror(err));
        else tool_warn("cannot restore %s: %s; nothing was written under its name", final, why(g, r));
    } else {
        c->files++, c->bytes += f.kind == KIND_SYMLINK ? 0 : f.size; /* as capture counts: a link's size is its target's */
        c->replaced += existed;
    }
    frec_free(&f);
    return r;
}

/* whether id is one of the store's versions (from latest back), or the one where that list stops */
static bool version_known(sk *g, const dx_cas_id *id) {
    version *vs;
    size_t n, i;
    dx_cas_id latest;
    bool known = false;
    dx_result r = version_list(g, &vs, &n);
    for (i = 0; i < n && !known; i++) known = dx_cas_id_equal(&vs[i].id, id);
    if (!known && r != DX_OK && n > 0 && vs[n - 1].has_parent) known = dx_cas_id_equal(&vs[n - 1].parent, id);
    if (!known && r != DX_OK && n == 0 && dx_cas_dir_ref_get(&g->dir, "latest", &latest) == DX_OK) known = dx_cas_id_equal(&latest, id);
    free(vs);
    return known;
}

/* before anything is written: a folder where the version has a file would stop the restore half-way */
static dx_result restore_check(sk *g, const char *path, const dx_cas_tree_entry *e, void *user) {
    rctx *c = (rctx *)user;
    char final[4096];
    struct stat st;
    (void)g, (void)e;
    if (!join(final, sizeof final, c->out, path)) {
        tool_warn("cannot restore %s: path too long", path);
        return DX_ERR_LIMIT;
    }
    if (lstat(final, &st) == 0 && S_ISDIR(st.st_mode)) {
        tool_warn("cannot restore %s: a folder has that name (it is left as it is)", final);
        return DX_ERR_EXISTS;
    }
    return DX_OK;
}

/* the version V names: a number (log's) or an id */
static int pick_version(sk *g, const char *which, version *out) {
    version *vs;
    size_t n, i;
    dx_cas_id id;
    uint64_t seq = 0;
    dx_result r;
    if (which && dx_cas_id_parse(which, strlen(which), &id) == DX_OK) {
        if ((r = version_open(g, &id, out)) == DX_OK) return 0;
        if (r != DX_ERR_IO && r != DX_ERR_NOMEM && !version_known(g, &id)) /* an id of something else, or of nothing */
            return tool_fail("no version %s in %s (see 'statekeeper log')", which, g->store_path);
        return tool_fail("version %s: %s", which, why(g, r));
    }
    if (which && tool_parse_u64(which, 1, UINT64_MAX, false, &seq) != 0)
        return tool_fail("--version %s: neither a version number nor a version id", which);
    r = version_list(g, &vs, &n);
    if (n == 0) {
        free(vs);
        if (r != DX_OK) return tool_fail("cannot read the versions of %s: %s", g->store_path, why(g, r));
        return tool_fail("%s holds no version yet", g->store_path);
    }
    for (i = 0; i < n; i++)
        if (!which || vs[i].v.seq == seq) {
            *out = vs[i];
            free(vs);
            return 0;
        }
    free(vs);
    if (r != DX_OK) return tool_fail("version %s not found: the versions of %s cannot all be read: %s", which, g->store_path, why(g, r));
    return tool_fail("no version %s in %s (see 'statekeeper log')", which, g->store_path);
}

/* whether path is the store or a folder inside it (a restore there would overwrite the store's own files) */
static bool in_store(sk *g, const char *path) {
    char *real = realpath(path, NULL), *slash;
    struct stat st;
    bool in = false;
    if (!real || !g->have_store_id) {
        free(real);
        return false;
    }
    for (;;) {
        if (stat(real[0] ? real : "/", &st) == 0 && st.st_dev == g->store_dev && st.st_ino == g->store_ino) {
            in = true;
            break;
        }
        if (!real[0] || !(slash = strrchr(real, '/'))) break;
        *slash = 0; /* the parent ("" for /) */
    }
    free(real);
    return in;
}

/* Restores v into out (made if missing). 0 ok; 1 failed (said). */
static int restore_version(sk *g, const version *v, const char *out) {
    dirrec *dirs;
    size_t nd, i;
    rctx c;
    struct stat st;
    dx_result r;
    int err;
    memset(&c, 0, sizeof c);
    c.out = out;
    if ((r = dirs_read(g, v, &dirs, &nd)) != DX_OK || nd == 0 || dirs[0].path[0]) {
        dirs_free(dirs, nd);
        return tool_fail("cannot restore version %llu: its folder list does not read: %s", (unsigned long long)v->v.seq,
                         why(g, r != DX_OK ? r : DX_ERR_CORRUPT));
    }
    { /* out, or the folder it is to be made in */
        char at[4096], *slash;
        snprintf(at, sizeof at, "%s", out);
        if (stat(at, &st) != 0 && (slash = strrchr(at, '/')) != NULL) slash == at ? (void)(slash[1] = 0) : (void)(*slash = 0);
        else if (stat(at, &st) != 0) snprintf(at, sizeof at, ".");
        if (in_store(g, at)) {
            dirs_free(dirs, nd);
            return tool_fail("cannot restore into %s: it is the store %s or a folder in it", out, g->store_path);
        }
    }
    if (stat(out, &st) != 0) {
        if ((err = errno) != ENOENT) {
            dirs_free(dirs, nd);
            return tool_fail("cannot restore into %s: %s", out, strerror(err));
        }
    } else if (!S_ISDIR(st.st_mode)) {
        dirs_free(dirs, nd);
        return tool_fail("cannot restore into %s: it exists and is not a directory", out);
    }

    for (i = 1; i < nd; i++) { /* a file or a link where the version has a folder: refused before anything is made */
        char p[4096];
        struct stat ls;
        if (!join(p, sizeof p, out, dirs[i].path)) {
            tool_fail("cannot restore %s/%s: path too long; nothing was written into %s", out, dirs[i].path, out);
            dirs_free(dirs, nd);
            return TOOL_EXIT_FAIL;
        }
        if (lstat(p, &ls) == 0 && !S_ISDIR(ls.st_mode)) {
            dirs_free(dirs, nd);
            return tool_fail("cannot restore folder %s: something else has that name (left as it is); nothing was written into %s", p, out);
        }
        if (lstat(p, &ls) == 0 && g->have_store_id && ls.st_dev == g->store_dev && ls.st_ino == g->store_ino) {
            dirs_free(dirs, nd);
            return tool_fail("cannot restore folder %s: it is the store %s; nothing was written into %s", p, g->store_path, out);
        }
    }
    if ((r = walk_files(g, &v->files, "", 0, restore_check, &c)) != DX_OK) {
        dirs_free(dirs, nd);
        if (r == DX_ERR_EXISTS || r == DX_ERR_LIMIT) return tool_fail("restore of version %llu refused (named above): nothing was written into %s", (unsigned long long)v->v.seq, out);
        return tool_fail("cannot restore version %llu: its files do not read: %s", (unsigned long long)v->v.seq, why(g, r));
    }
    if (stat(out, &st) != 0 && mkdir(out, 0700) != 0) { /* checked: made only now */
        err = errno;
        dirs_free(dirs, nd);
        return tool_fail("cannot restore into %s: %s", out, strerror(err));
    }
    { /* the mark, durable before the first write */
        char mark[4096], text[DX_CAS_ID_TEXT_SIZE + 1];
        int fd = -1;
        size_t tl;
        dx_cas_id_format(&v->id, text, sizeof text - 1);
        tl = strlen(text), text[tl++] = '\n';
        if (!join(mark, sizeof mark, out, RESTORE_MARK) || (fd = open(mark, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0 ||
            write(fd, text, tl) != (ssize_t)tl || (!g->no_sync && (fsync(fd) != 0 || tool_sync_dir_of(mark) != 0))) {
            err = errno;
            if (fd >= 0) close(fd);
            dirs_free(dirs, nd);
            return tool_fail("cannot restore into %s: cannot write %s/%s: %s", out, out, RESTORE_MARK, strerror(err));
        }
        close(fd);
    }
    sweep_tmps(out);
    for (i = 1; i < nd; i++) { /* folders first; writable while they fill, their own modes at the end */
        char p[4096];
        if (!join(p, sizeof p, out, dirs[i].path)) {
            tool_fail("cannot restore %s/%s: path too long", out, dirs[i].path);
            dirs_free(dirs, nd);
            return TOOL_EXIT_FAIL;
        }
        if (mkdir(p, 0700) != 0) {
            struct stat ls;
            err = errno;
            if (err != EEXIST || lstat(p, &ls) != 0 || !S_ISDIR(ls.st_mode)) { /* never through a symlink: nothing leaves out */
                dirs_free(dirs, nd);
                return tool_fail("cannot restore folder %s: %s", p, err == EEXIST ? "something else has that name (left as it is)" : strerror(err));
            }
            sweep_tmps(p);
        }
    }
    progress_start(g, "restoring", v->v.bytes);
    r = walk_files(g, &v->files, "", 0, restore_one, &c);
    progress_end(g, r == DX_OK);
    if (r == DX_OK) { /* all of it durable, then the mark goes (before the folders get their times) */
        char mark[4096];
        if (!g->no_sync && tool_sync_tree(out) != 0) return tool_fail("cannot make %s durable: %s", out, strerror(errno));
        if (join(mark, sizeof mark, out, RESTORE_MARK) && unlink(mark) != 0)
            tool_warn("cannot remove %s: %s", mark, strerror(errno)), r = DX_ERR_IO;
    }
    for (i = nd; i-- > 0;) {
        char p[4096];
        if (!join(p, sizeof p, out, dirs[i].path)) continue;
        if (chmod(p, (mode_t)dirs[i].mode) != 0) tool_warn("cannot set the permissions of %s: %s", p, strerror(errno));
        set_mtime_at(p, dirs[i].mtime_sec, dirs[i].mtime_nsec, false);
    }
    dirs_free(dirs, nd);
    if (tool_sync_tree(out) != 0) return tool_fail("cannot make %s durable: %s", out, strerror(errno));
    if (r != DX_OK)
        return tool_fail("restore of version %llu stopped (named above); %s holds %llu files that were checked, and %s/%s, "
                         "so that capture refuses it and run restores it again",
                         (unsigned long long)v->v.seq, out, (unsigned long long)c.files, out, RESTORE_MARK);
    g->restored = c.files;
    if (!g->quiet)
        fprintf(stderr, "statekeeper: restored version %llu into %s: %llu files, %llu bytes, all checked",
                (unsigned long long)v->v.seq, out, (unsigned long long)c.files, (unsigned long long)c.bytes);
    if (!g->quiet && g->copy_restored)
        fprintf(stderr, " (%llu read from their local copy)", (unsigned long long)g->copy_restored);
    if (!g->quiet && c.replaced) fprintf(stderr, "; %llu replaced what had that name", (unsigned long long)c.replaced);
    if (!g->quiet) fputc('\n', stderr);
    return TOOL_EXIT_OK;
}

static int cmd_restore(sk *g, const char *which, const char *out) {
    version v;
    int rc = pick_version(g, which, &v);
    return rc ? rc : restore_version(g, &v, out);
}

/* ---- log, stats ---- */

static void fmt_time(int64_t sec, char *out, size_t cap) {
    time_t t = (time_t)sec;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int cmd_log(sk *g) {
    version *vs;
    size_t n, i;
    dx_result r = version_list(g, &vs, &n);
    for (i = 0; i < n; i++) {
        char text[DX_CAS_ID_TEXT_SIZE], when[32];
        dx_cas_id_format(&vs[i].id, text, sizeof text);
        fmt_time(vs[i].v.time_sec, when, sizeof when);
        printf("%llu %s %s %llu files %llu bytes, %llu new bytes (%llu chunked, %llu deltas, %llu unchanged)\n",
               (unsigned long long)vs[i].v.seq, text, when, (unsigned long long)vs[i].v.files, (unsigned long long)vs[i].v.bytes,
               (unsigned long long)vs[i].v.new_bytes, (unsigned long long)vs[i].v.chunk_files,
               (unsigned long long)vs[i].v.delta_files, (unsigned long long)vs[i].v.unchanged_files);
    }
    free(vs);
    if (tool_stdout_done() != 0) return TOOL_EXIT_FAIL;
    if (r != DX_OK && n == 0) return tool_fail("the versions of %s cannot be read: %s", g->store_path, why(g, r));
    if (r != DX_OK) return tool_fail("the versions before these cannot be read: %s", why(g, r));
    return TOOL_EXIT_OK;
}

static dx_result count_object(void *user, const dx_cas_id *id, uint64_t size) {
    uint64_t *c = (uint64_t *)user;
    (void)id;
    c[0]++, c[1] += size;
    return DX_OK;
}

static uint64_t disk_bytes(const char *path, int depth) {
    DIR *d = opendir(path);
    struct dirent *de;
    uint64_t sum = 0;
    if (!d || depth > 4) {
        if (d) closedir(d);
        return 0;
    }
    while ((de = readdir(d)) != NULL) {
        char p[DX_CAS_PATH_MAX + 600];
        struct stat st;
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        snprintf(p, sizeof p, "%s/%s", path, de->d_name);
        if (lstat(p, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) sum += disk_bytes(p, depth + 1);
        else sum += (uint64_t)st.st_size;
    }
    closedir(d);
    return sum;
}

static int cmd_stats(sk *g) {
    version *vs;
    size_t n, i;
    uint64_t c[2] = {0, 0}, logical = 0, din = 0, dout = 0, disk;
    char p[DX_CAS_PATH_MAX + 32];
    dx_result r = version_list(g, &vs, &n);
    printf("version files bytes new-bytes chunked deltas unchanged delta-ratio\n");
    for (i = 0; i < n; i++) {
        const sk_version *v = &vs[i].v;
        logical += v->bytes, din += v->delta_in, dout += v->delta_out;
        printf("%llu %llu %llu %llu %llu %llu %llu %.4f\n", (unsigned long long)v->seq, (unsigned long long)v->files,
               (unsigned long long)v->bytes, (unsigned long long)v->new_bytes, (unsigned long long)v->chunk_files,
               (unsigned long long)v->delta_files, (unsigned long long)v->unchanged_files,
               v->delta_in ? (double)v->delta_out / (double)v->delta_in : 0.0);
    }
    dx_cas_store_iterate(&g->s, count_object, c);
    snprintf(p, sizeof p, "%s/objects", g->store_path);
    disk = disk_bytes(p, 0);
    snprintf(p, sizeof p, "%s/packs", g->store_path);
    disk += disk_bytes(p, 0);
    printf("%llu versions hold %llu bytes; the store: %llu objects, %llu bytes of content, %llu bytes on disk\n",
           (unsigned long long)n, (unsigned long long)logical, (unsigned long long)c[0], (unsigned long long)c[1],
           (unsigned long long)disk);
    printf("dedup ratio %.2f (bytes the versions hold / bytes on disk); delta ratio %.4f (patch bytes / bytes of the files "
           "stored as deltas)\n",
           disk ? (double)logical / (double)disk : 0.0, din ? (double)dout / (double)din : 0.0);
    free(vs);
    if (tool_stdout_done() != 0) return TOOL_EXIT_FAIL;
    if (r != DX_OK && n == 0) return tool_fail("the versions of %s cannot be read: %s", g->store_path, why(g, r));
    if (r != DX_OK) return tool_fail("the versions before these cannot be read: %s", why(g, r));
    return TOOL_EXIT_OK;
}

/* ---- verify ---- */

typedef struct vctx {
    uint64_t checked, bad, records;
    dx_cas_id *seen; /* records checked already (open addressing on the digest) */
    size_t seen_cap, seen_n;
    dx_cas_id *needs;
    size_t nneeds;
    uint64_t seq;
} vctx;

static bool seen_add(vctx *c, const dx_cas_id *id) { /* true: new */
    size_t i;
    if (c->seen_n * 2 >= c->seen_cap) {
        size_t cap = c->seen_cap ? c->seen_cap * 2 : 1024, j;
        dx_cas_id *n = (dx_cas_id *)calloc(cap, sizeof *n);
        if (!n) return true;
        for (j = 0; j < c->seen_cap; j++)
            if (c->seen[j].alg) {
                for (i = (size_t)(dx_load_u64le(c->seen[j].digest) & (cap - 1)); n[i].alg; i = (i + 1) & (cap - 1)) {
                }
                n[i] = c->seen[j];
            }
        free(c->seen);
        c->seen = n, c->seen_cap = cap;
    }
    for (i = (size_t)(dx_load_u64le(id->digest) & (c->seen_cap - 1)); c->seen[i].alg; i = (i + 1) & (c->seen_cap - 1))
        if (dx_cas_id_equal(&c->seen[i], id)) return false;
    c->seen[i] = *id, c->seen_n++;
    return true;
}

static int id_cmp(const void *a, const void *b) { return memcmp(((const dx_cas_id *)a)->digest, ((const dx_cas_id *)b)->digest, 32); }

static dx_result verify_one(sk *g, const char *path, const dx_cas_tree_entry *e, void *user) {
    vctx *c = (vctx *)user;
    frec f;
    uint32_t i;
    int err;
    dx_result r;
    if (!seen_add(c, &e->id)) return DX_OK;
    c->records++;
    if ((r = record_get(g, &e->id, &f)) != DX_OK) {
        printf("version %llu: %s: its record does not read: %s\n", (unsigned long long)c->seq, path, why(g, r));
        c->bad++;
        return DX_OK;
    }
    for (i = 0; i < f.nchain; i++) {
        dx_cas_id id;
        if (blobref_id(&f.chain[i], &id) != DX_OK || !bsearch(&id, c->needs, c->nneeds, sizeof id, id_cmp)) {
            printf("version %llu: %s: a blob it needs is not in the version's needs list\n", (unsigned long long)c->seq, path);
            c->bad++;
        }
    }
    if (!g->quick && (f.kind == KIND_CHUNKS || f.kind == KIND_DELTA)) {
        r = content_write(g, &f, -1, &err); /* rebuilt in memory, segment by segment */
        if (r != DX_OK) {
            printf("version %llu: %s does not rebuild: %s\n", (unsigned long long)c->seq, path, why(g, r));
            c->bad++;
        } else {
            c->checked++;
        }
    }
    frec_free(&f);
    return DX_OK;
}

static void problem(void *user, const dx_cas_id *id, dx_result what) {
    char text[DX_CAS_ID_TEXT_SIZE];
    (void)user;
    dx_cas_id_format(id, text, sizeof text);
    printf("%s %s\n", what == DX_ERR_CHECKSUM ? "corrupt" : what == DX_ERR_NOTFOUND ? "missing" : "malformed", text);
}

static int cmd_verify(sk *g) {
    version *vs;
    size_t n, i;
    dx_cas_id *ids;
    dx_cas_verify_report rep;
    vctx c;
    uint64_t problems = 0;
    dx_result r, rv;
    g->verifying = true;
    r = version_list(g, &vs, &n);
    if (r != DX_OK) {
        if (n) printf("the versions before version %llu cannot be read: %s\n", (unsigned long long)vs[n - 1].v.seq, why(g, r));
        else printf("the versions cannot be read: %s\n", why(g, r));
        problems++;
    }
    if (!(ids = (dx_cas_id *)malloc((n ? n : 1) * sizeof *ids))) return tool_fail("out of memory");
    for (i = 0; i < n; i++) ids[i] = vs[i].id;
    memset(&rep, 0, sizeof rep);
    rv = dx_cas_store_verify(&g->s, ids, n, NULL, problem, NULL, &rep);
    if (g->dir.bad_packs) printf("damaged pack %s (%u damaged packs: their objects are not read)\n", g->dir.bad_pack, (unsigned)g->dir.bad_packs);
    problems += rep.corrupt + rep.missing + g->dir.bad_packs;
    if (rv != DX_OK && rv != DX_ERR_CORRUPT) {
        printf("verify stopped: %s\n", why(g, rv));
        problems++;
    }
    memset(&c, 0, sizeof c);
    if (!g->quick) progress_start(g, "rebuilding", 0);
    for (i = 0; i < n && rv != DX_ERR_NOMEM; i++) { /* each version's records: parse, needs, and (not --quick) contents */
        size_t cap = 0;
        c.seq = vs[i].v.seq;
        free(c.needs), c.needs = NULL, c.nneeds = 0;
        if ((r = needs_read(g, &vs[i].needs, 0, &c.needs, &c.nneeds, &cap)) == DX_ERR_NOMEM) return tool_fail("out of memory");
        if (r != DX_OK) {
            printf("version %llu: its needs list does not read: %s\n", (unsigned long long)c.seq, why(g, r));
            problems++;
            continue;
        }
        if (c.nneeds) qsort(c.needs, c.nneeds, sizeof *c.needs, id_cmp);
        { /* its folders, as a restore reads them */
            dirrec *d;
            size_t nd;
            if ((r = dirs_read(g, &vs[i], &d, &nd)) == DX_OK && (nd == 0 || d[0].path[0])) r = DX_ERR_CORRUPT;
            dirs_free(d, nd);
            if (r == DX_ERR_NOMEM) return tool_fail("out of memory");
            if (r != DX_OK) {
                printf("version %llu: its folder list does not read: %s\n", (unsigned long long)c.seq, why(g, r));
                problems++;
            }
        }
        if ((r = walk_files(g, &vs[i].files, "", 0, verify_one, &c)) != DX_OK) {
            if (r == DX_ERR_IO) return TOOL_EXIT_FAIL;
            printf("version %llu: its files do not read: %s\n", (unsigned long long)c.seq, why(g, r));
            problems++;
        }
    }
    progress_end(g, true);
    problems += c.bad;
    printf("%llu versions, %llu objects (%llu bytes), %llu records, %llu contents rebuilt and checked: %llu problems\n",
           (unsigned long long)n, (unsigned long long)rep.objects, (unsigned long long)rep.bytes, (unsigned long long)c.records,
           (unsigned long long)c.checked, (unsigned long long)problems);
    free(vs), free(ids), free(c.seen), free(c.needs);
    if (tool_stdout_done() != 0) return TOOL_EXIT_FAIL;
    return problems ? tool_fail("%s has problems (listed above)", g->store_path) : TOOL_EXIT_OK;
}

/* ---- gc ---- */

static int cmd_gc(sk *g, uint64_t keep) {
    version *vs;
    size_t n, i, k;
    dx_cas_id *ids;
    dx_cas_gc_report rep;
    dx_result r = version_list(g, &vs, &n);
    if (r != DX_OK) {
        free(vs);
        return tool_fail("gc: nothing deleted: the versions of %s cannot all be read: %s", g->store_path, why(g, r));
    }
    if (g->dir.bad_packs) {
        free(vs);
        return tool_fail("gc: nothing deleted: %s/packs/%s is damaged (run 'statekeeper verify')", g->store_path, g->dir.bad_pack);
    }
    if (n == 0) {
        free(vs);
        return tool_fail("gc: %s holds no version: nothing to keep, nothing deleted", g->store_path);
    }
    k = keep < n ? (size_t)keep : n;
    if (!(ids = (dx_cas_id *)malloc(k * sizeof *ids))) return tool_fail("out of memory");
    for (i = 0; i < k; i++) ids[i] = vs[i].id;
    if (k < n && (r = dx_cas_dir_ref_set(&g->dir, "oldest", &vs[k - 1].id)) != DX_OK) { /* before anything goes */
        free(vs), free(ids);
        return tool_fail("gc: nothing deleted: cannot write ref oldest: %s", why(g, r));
    }
    memset(&rep, 0, sizeof rep);
    r = dx_cas_store_gc(&g->s, ids, k, MAX_DEPTH, 0, &rep);
    free(ids);
    if (r != DX_OK) {
        free(vs);
        return tool_fail("gc: %s: %s", rep.deleted ? "stopped" : "nothing deleted", why(g, r));
    }
    printf("kept versions %llu..%llu (%llu objects, %llu bytes); dropped %llu versions; deleted %llu objects (%llu bytes)\n",
           (unsigned long long)vs[k - 1].v.seq, (unsigned long long)vs[0].v.seq, (unsigned long long)rep.marked,
           (unsigned long long)rep.kept_bytes, (unsigned long long)(n - k), (unsigned long long)rep.deleted,
           (unsigned long long)rep.deleted_bytes);
    free(vs);
    return tool_stdout_done();
}

/* ---- run ---- */

typedef struct runctx {
    sk *g;
    pid_t child;
    int ifd, sfd, status;
    bool child_done, dirty, timer_pending, poll_mode, failed_capture;
    uint64_t first_ns, last_ns, quiet_ns, interval_ns;
    char **wd_path; /* inotify watch descriptor -> folder */
    size_t wd_cap;
    uint64_t watches, max_watches; /* test hook STATEKEEPER_TEST_INOTIFY=N: watches past N fail (0: no limit) */
    dx_reactor r;
    dx_op iop, sop, top;
    uint64_t ibuf[8192]; /* inotify events (8-byte aligned) */
    struct signalfd_siginfo sbuf[8];
} runctx;

static void watch_tree(runctx *c, const char *path, int depth) {
    int wd;
    DIR *d;
    struct dirent *de;
    uint32_t mask = IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB |
                    IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW;
    if (c->max_watches && c->watches >= c->max_watches) {
        wd = -1, errno = ENOSPC; /* as when fs.inotify.max_user_watches is reached */
    } else {
        wd = depth > DIR_DEPTH ? -1 : inotify_add_watch(c->ifd, path, mask);
    }
    if (depth > DIR_DEPTH || wd < 0) {
        if (depth <= DIR_DEPTH && errno != ENOENT && errno != ENOTDIR && !c->poll_mode) {
            tool_warn("cannot watch %s: %s: scanning %s every %llu s instead", path, strerror(errno), c->g->state,
                      (unsigned long long)(c->interval_ns / 1000000000u));
            c->poll_mode = true;
        }
        return;
    }
    if ((size_t)wd >= c->wd_cap) {
        size_t cap = (size_t)wd * 2 + 16, i;
        char **n = (char **)realloc(c->wd_path, cap * sizeof *n);
        if (!n) return;
        for (i = c->wd_cap; i < cap; i++) n[i] = NULL;
        c->wd_path = n, c->wd_cap = cap;
    }
    free(c->wd_path[wd]);
    c->wd_path[wd] = strdup(path);
    c->watches++;
    if (!(d = opendir(path))) return;
    while ((de = readdir(d)) != NULL) {
        char p[4096];
        struct stat st;
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        if (!join(p, sizeof p, path, de->d_name) || lstat(p, &st) != 0 || !S_ISDIR(st.st_mode)) continue;
        if (c->g->have_store_id && st.st_dev == c->g->store_dev && st.st_ino == c->g->store_ino) continue;
        watch_tree(c, p, depth + 1);
    }
    closedir(d);
}

static void schedule(runctx *c, uint64_t in_ns);

/* the events in buf: folders made later are watched too; anything else makes DIR dirty */
static void on_events(runctx *c, const uint8_t *buf, size_t len) {
    size_t off = 0;
    uint64_t now = dx_reactor_now(&c->r);
    bool any = false;
    while (len - off >= sizeof(struct inotify_event)) {
        struct inotify_event ev;
        const char *name = (const char *)buf + off + sizeof ev;
        memcpy(&ev, buf + off, sizeof ev);
        if (ev.len > len - off - sizeof ev) break;
        off += sizeof ev + ev.len;
        if (ev.mask & IN_Q_OVERFLOW) {
            watch_tree(c, c->g->state, 0);
            any = true;
            continue;
        }
        if (ev.mask & IN_IGNORED) continue;
        if (ev.len && !strncmp(name, ".statekeeper-", 13)) continue;
        if ((ev.mask & (IN_CREATE | IN_MOVED_TO)) && (ev.mask & IN_ISDIR) && ev.wd >= 0 && (size_t)ev.wd < c->wd_cap &&
            c->wd_path[ev.wd]) {
            char p[4096];
            if (join(p, sizeof p, c->wd_path[ev.wd], name)) watch_tree(c, p, 1);
        }
        any = true;
    }
    if (!any) return;
    if (!c->dirty) c->first_ns = now;
    c->dirty = true, c->last_ns = now;
    if (!c->timer_pending) schedule(c, c->quiet_ns);
}

/* reads what inotify has now, without waiting (before and during a capture) */
static void drain_events(runctx *c) {
    for (;;) {
        ssize_t n = read(c->ifd, c->ibuf, sizeof c->ibuf);
        if (n <= 0) break;
        on_events(c, (const uint8_t *)c->ibuf, (size_t)n);
    }
}

static bool run_still_quiet(void *user) {
    runctx *c = (runctx *)user;
    struct pollfd p;
    p.fd = c->ifd, p.events = POLLIN, p.revents = 0;
    return poll(&p, 1, 0) == 0;
}

static void run_capture(runctx *c) {
    uint64_t seq;
    int rc;
    if (!c->poll_mode) {
        drain_events(c);
        c->dirty = false;
    }
    c->g->still_quiet = c->poll_mode ? NULL : run_still_quiet;
    c->g->quiet_user = c, c->g->periodic = true;
    rc = capture(c->g, &seq);
    c->g->still_quiet = NULL, c->g->periodic = false;
    if (rc == CAPTURE_AGAIN) {
        drain_events(c); /* dirty again: the timer is on */
        if (!c->dirty) c->dirty = true, c->first_ns = c->last_ns = dx_reactor_now(&c->r);
        if (!c->timer_pending) schedule(c, c->quiet_ns);
    } else if (rc == TOOL_EXIT_FAIL) {
        c->failed_capture = true;
    }
}

static dx_reactor_action on_timer(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    runctx *c = (runctx *)user;
    uint64_t now = dx_reactor_now(r), due;
    (void)op, (void)res;
    c->timer_pending = false;
    if (c->child_done) return DX_REACTOR_DISARM;
    if (c->poll_mode) {
        run_capture(c);
        schedule(c, c->interval_ns);
        return DX_REACTOR_DISARM;
    }
    if (!c->dirty) return DX_REACTOR_DISARM;
    due = c->last_ns + c->quiet_ns;
    if (c->first_ns + c->interval_ns < due) due = c->first_ns + c->interval_ns;
    if (now >= due) run_capture(c);
    else schedule(c, due - now);
    return DX_REACTOR_DISARM;
}

static void schedule(runctx *c, uint64_t in_ns) {
    dx_op_timer(&c->top, in_ns, 0);
    if (dx_reactor_submit(&c->r, &c->top, on_timer, c) == DX_OK) c->timer_pending = true;
}

static dx_reactor_action on_inotify(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    runctx *c = (runctx *)user;
    (void)r, (void)op;
    if (res <= 0 || c->child_done) return c->child_done ? DX_REACTOR_DISARM : (res == DX_ERR_AGAIN ? DX_REACTOR_REARM : DX_REACTOR_DISARM);
    on_events(c, (const uint8_t *)c->ibuf, (size_t)res);
    return DX_REACTOR_REARM;
}

static dx_reactor_action on_signal(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    runctx *c = (runctx *)user;
    size_t i, n = res > 0 ? (size_t)res / sizeof c->sbuf[0] : 0;
    (void)op;
    for (i = 0; i < n; i++) {
        int sig = (int)c->sbuf[i].ssi_signo;
        if (sig == SIGCHLD) {
            int st;
            if (waitpid(c->child, &st, WNOHANG) == c->child) {
                c->child_done = true;
                c->status = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 1;
            }
        } else if (c->child > 0 && !c->child_done) {
            kill(c->child, sig); /* SIGTERM, SIGINT, SIGHUP: the program's to handle; we capture after it exits */
        }
    }
    if (c->child_done) {
        dx_reactor_stop(r);
        return DX_REACTOR_DISARM;
    }
    return DX_REACTOR_REARM;
}

static int cmd_run(sk *g, char **prog, uint64_t interval_s, uint64_t quiet_ms, bool poll_mode) {
    static runctx c;
    sigset_t set, old;
    struct stat st;
    dx_reactor_config rc;
    int err, rcode;
    uint64_t seq;
    const char *hook;
    memset(&c, 0, sizeof c);
    c.g = g, c.ifd = c.sfd = -1, c.poll_mode = poll_mode;
    c.quiet_ns = quiet_ms * 1000000u, c.interval_ns = interval_s * 1000000000u;
    /* 1. the state: restored when missing or empty; kept as it is otherwise (it is as new as the store or newer) */
    if (stat(g->state, &st) != 0 || (S_ISDIR(st.st_mode) && (tool_dir_is_empty(g->state, &err) || restore_marked(g->state)))) {
        if (S_ISDIR(st.st_mode) && restore_marked(g->state) && !g->quiet)
            fprintf(stderr, "statekeeper: a restore into %s did not finish: restoring it again\n", g->state);
        dx_cas_id latest;
        dx_result r = dx_cas_dir_ref_get(&g->dir, "latest", &latest);
        if (r == DX_OK) {
            version v;
            if ((r = version_open(g, &latest, &v)) != DX_OK)
                return tool_fail("cannot read the latest version of %s: %s; %s not restored, %s not started", g->store_path,
                                 why(g, r), g->state, prog[0]);
            if (restore_version(g, &v, g->state) != 0) return tool_fail("%s not started: its state could not be restored", prog[0]);
        } else if (r != DX_ERR_NOTFOUND) {
            return tool_fail("cannot read the latest version of %s: %s; %s not restored, %s not started", g->store_path,
                             why(g, r == DX_ERR_IO || r == DX_ERR_NOMEM ? r : SK_ERR_REF), g->state, prog[0]);
        } else if (stat(g->state, &st) != 0 && mkdir(g->state, 0700) != 0) {
            return tool_fail("cannot make %s: %s", g->state, strerror(errno));
        }
    } else if (!S_ISDIR(st.st_mode)) {
        return tool_fail("%s is not a directory", g->state);
    } else {
        rcode = capture(g, &seq); /* what is there now is the newest state */
        if (rcode == TOOL_EXIT_FAIL) return tool_fail("%s not started: its state could not be captured first", prog[0]);
    }
    /* 2. signals through a signalfd; the program gets the old mask */
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD), sigaddset(&set, SIGTERM), sigaddset(&set, SIGINT), sigaddset(&set, SIGHUP);
    if (sigprocmask(SIG_BLOCK, &set, &old) != 0 || (c.sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) < 0)
        return tool_fail("cannot set up signals: %s", strerror(errno));
    /* test hook STATEKEEPER_TEST_INOTIFY: "none" as if the kernel had no inotify, N at most N watches */
    hook = getenv("STATEKEEPER_TEST_INOTIFY");
    if (hook && strcmp(hook, "none") && tool_parse_u64(hook, 1, UINT64_MAX, false, &c.max_watches) != 0) hook = NULL;
    if (!c.poll_mode) {
        if (hook && !strcmp(hook, "none")) c.ifd = -1, errno = ENOSYS;
        else c.ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (c.ifd < 0) {
            tool_warn("inotify is not available (%s): scanning %s every %llu s instead", strerror(errno), g->state,
                      (unsigned long long)interval_s);
            c.poll_mode = true;
        } else {
            watch_tree(&c, g->state, 0);
        }
    }
    memset(&rc, 0, sizeof rc);
    /* readiness backends: inotify is read in the loop's turns only, so a capture can ask whether events came */
    rc.backends[0] = DX_REACTOR_BACKEND_EPOLL, rc.backends[1] = DX_REACTOR_BACKEND_POLL, rc.backend_count = 2;
    rc.max_fds = 4096;
    if (dx_reactor_create(&c.r, &rc) != DX_OK) return tool_fail("cannot make an event loop");
    /* 3. the program */
    fflush(stdout), fflush(stderr);
    { /* a pipe closed by the exec: an errno on it is an exec that failed (the program never ran) */
        int ep[2], e = 0;
        ssize_t got;
        if (pipe2(ep, O_CLOEXEC) != 0) return tool_fail("cannot start %s: %s", prog[0], strerror(errno));
        if ((c.child = fork()) < 0) return tool_fail("cannot start %s: %s", prog[0], strerror(errno));
        if (c.child == 0) {
            sigprocmask(SIG_SETMASK, &old, NULL);
            close(ep[0]);
            execvp(prog[0], prog);
            e = errno;
            if (write(ep[1], &e, sizeof e) < 0) { /* the parent then sees no errno, only the status */
            }
            _exit(e == ENOENT ? 127 : 126);
        }
        close(ep[1]);
        while ((got = read(ep[0], &e, sizeof e)) < 0 && errno == EINTR) {
        }
        close(ep[0]);
        if (got == (ssize_t)sizeof e) {
            int stw;
            while (waitpid(c.child, &stw, 0) < 0 && errno == EINTR) {
            }
            sigprocmask(SIG_SETMASK, &old, NULL);
            tool_warn("cannot run %s: %s (%s not captured: the program never ran)", prog[0], strerror(e), g->state);
            return e == ENOENT ? 127 : 126; /* as sh and env(1): not found, or found but not runnable */
        }
    }
    if (!g->quiet) fprintf(stderr, "statekeeper: started %s (pid %ld), watching %s%s\n", prog[0], (long)c.child, g->state,
                           c.poll_mode ? " (by scanning)" : "");
    dx_op_read(&c.sop, (uintptr_t)c.sfd, c.sbuf, sizeof c.sbuf, DX_OP_OFFSET_CURRENT);
    dx_reactor_submit(&c.r, &c.sop, on_signal, &c);
    if (!c.poll_mode) {
        dx_op_read(&c.iop, (uintptr_t)c.ifd, c.ibuf, sizeof c.ibuf, DX_OP_OFFSET_CURRENT);
        dx_reactor_submit(&c.r, &c.iop, on_inotify, &c);
    } else {
        schedule(&c, c.interval_ns);
    }
    while (!c.child_done)
        if (dx_reactor_run(&c.r, DX_REACTOR_RUN_ONCE) != DX_OK && errno != EINTR) break;
    dx_reactor_destroy(&c.r);
    if (c.ifd >= 0) close(c.ifd);
    close(c.sfd);
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (!c.child_done) { /* the loop failed: wait for the program all the same */
        int stw;
        if (waitpid(c.child, &stw, 0) == c.child) c.status = WIFEXITED(stw) ? WEXITSTATUS(stw) : 128 + WTERMSIG(stw);
    }
    if (!g->quiet) fprintf(stderr, "statekeeper: %s exited with status %d\n", prog[0], c.status);
    /* 4. the last capture: nothing writes now */
    rcode = capture(g, &seq);
    if (rcode == TOOL_EXIT_FAIL) {
        tool_warn("the last capture of %s failed: the store holds the version before", g->state);
        return c.status ? c.status : TOOL_EXIT_FAIL;
    }
    {
        size_t i;
        for (i = 0; i < c.wd_cap; i++) free(c.wd_path[i]);
        free(c.wd_path);
    }
    return c.status;
}

/* ---- main ---- */

int main(int argc, char **argv) {
    static sk g;
    const char *pos[3], *version_arg = NULL;
    char **prog = NULL;
    char versions[200];
    size_t npos = 0;
    uint64_t keep = 0, interval = 30, quiet_ms = 500, v;
    bool have_keep = false, poll_mode = false, run_opts = false, copy_opt = false;
    int i, rc;
    bool restoring = false;
    tool_start("statekeeper", usage);
    g.full_every = 16, g.lock_fd = -1, g.copy_min = (uint64_t)COPY_MIN_MIB << 20;
    pthread_mutex_init(&g.store_mu, NULL);
    for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) /* restore's --version V is not the tools' --version */
        if (!strcmp(argv[i], "restore")) restoring = true;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            prog = argv + i + 1;
            break;
        }
        if (a[0] != '-' || !a[1]) {
            if (npos == 3) return tool_usage_error("too many arguments");
            pos[npos++] = a;
        } else if (tool_is_help(a)) {
            return tool_help();
        } else if (!strcmp(a, "--version") && !restoring) {
#if defined(DX_CAS_WITH_ZSTD)
            snprintf(versions, sizeof versions, "%s, zstd %s",
                     TOOL_HEADER_VERSION("dx_cas.h", DX_CAS_VERSION_MAJOR, DX_CAS_VERSION_MINOR, DX_CAS_VERSION_PATCH) ", "
                     TOOL_HEADER_VERSION("dx_patch.h", DX_PATCH_VERSION_MAJOR, DX_PATCH_VERSION_MINOR, DX_PATCH_VERSION_PATCH) ", "
                     TOOL_HEADER_VERSION("dx_teleport.h", DX_TELEPORT_VERSION_MAJOR, DX_TELEPORT_VERSION_MINOR, DX_TELEPORT_VERSION_PATCH) ", "
                     TOOL_HEADER_VERSION("dx_reactor.h", DX_REACTOR_VERSION_MAJOR, DX_REACTOR_VERSION_MINOR, DX_REACTOR_VERSION_PATCH),
                     ZSTD_versionString());
#else
            snprintf(versions, sizeof versions, "%s",
                     TOOL_HEADER_VERSION("dx_cas.h", DX_CAS_VERSION_MAJOR, DX_CAS_VERSION_MINOR, DX_CAS_VERSION_PATCH) ", "
                     TOOL_HEADER_VERSION("dx_patch.h", DX_PATCH_VERSION_MAJOR, DX_PATCH_VERSION_MINOR, DX_PATCH_VERSION_PATCH) ", "
                     TOOL_HEADER_VERSION("dx_teleport.h", DX_TELEPORT_VERSION_MAJOR, DX_TELEPORT_VERSION_MINOR, DX_TELEPORT_VERSION_PATCH) ", "
                     TOOL_HEADER_VERSION("dx_reactor.h", DX_REACTOR_VERSION_MAJOR, DX_REACTOR_VERSION_MINOR, DX_REACTOR_VERSION_PATCH));
#endif
            return tool_version(versions);
        } else if (!strcmp(a, "--store") || !strcmp(a, "--state") || !strcmp(a, "--version") || !strcmp(a, "--keep") ||
                   !strcmp(a, "--interval") || !strcmp(a, "--full-every") || !strcmp(a, "--quiet-ms") || !strcmp(a, "--copy-min")) {
            const char *val = i + 1 < argc ? argv[++i] : NULL;
            if (!val || !*val) return tool_usage_error("%s needs a value", a);
            if (!strcmp(a, "--store")) g.store_path = val;
            else if (!strcmp(a, "--state")) g.state = val;
            else if (!strcmp(a, "--keep")) {
                if (tool_parse_u64(val, 1, UINT32_MAX, false, &keep) != 0) return tool_usage_error("--keep %s: not a number of versions (1 or more)", val);
                have_keep = true;
            } else if (!strcmp(a, "--interval")) {
                if (tool_parse_u64(val, 1, 86400, false, &interval) != 0) return tool_usage_error("--interval %s: not a number of seconds in 1..86400", val);
                run_opts = true;
            } else if (!strcmp(a, "--quiet-ms")) {
                if (tool_parse_u64(val, 1, 3600000, false, &quiet_ms) != 0) return tool_usage_error("--quiet-ms %s: not a number of milliseconds", val);
                run_opts = true;
            } else if (!strcmp(a, "--copy-min")) {
                if (tool_parse_u64(val, 0, UINT64_MAX >> 20, false, &v) != 0) return tool_usage_error("--copy-min %s: not a number of MiB", val);
                g.copy_min = v << 20, copy_opt = true;
            } else if (!strcmp(a, "--full-every")) {
                if (tool_parse_u64(val, 1, 1000, false, &v) != 0) return tool_usage_error("--full-every %s: not a number in 1..1000", val);
                g.full_every = (uint32_t)v;
            } else { /* --version: checked here (bad usage, before the store is opened); pick_version looks it up */
                dx_cas_id id;
                if (dx_cas_id_parse(val, strlen(val), &id) != DX_OK && tool_parse_u64(val, 1, UINT64_MAX, false, &v) != 0)
                    return tool_usage_error("--version %s: neither a version number (1 or more) nor a version id", val);
                version_arg = val;
            }
        } else if (!strcmp(a, "--poll")) poll_mode = true, run_opts = true;
        else if (!strcmp(a, "--no-sync")) g.no_sync = true;
        else if (!strcmp(a, "--quick")) g.quick = true;
        else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) g.quiet = true;
        else if (!strcmp(a, "--progress")) tool.progress = 1;
        else return tool_usage_error("unknown option %s", a);
    }
    if (npos == 0) return tool_usage_error("no command");
#define IS(cmd) (!strcmp(pos[0], cmd))
    if (!IS("capture") && !IS("restore") && !IS("log") && !IS("verify") && !IS("gc") && !IS("stats") && !IS("run"))
        return tool_usage_error("unknown command %s", pos[0]);
    if (prog && !IS("run")) { /* after "--" come operands, even "-dir"; run's are PROGRAM [ARGS...] */
        for (; *prog; prog++) {
            if (npos == 3) return tool_usage_error("too many arguments");
            pos[npos++] = *prog;
        }
        prog = NULL;
    }
    if (!g.store_path) return tool_usage_error("%s needs --store STORE", pos[0]);
    if ((IS("capture") || IS("run")) && !g.state) return tool_usage_error("%s needs --state DIR", pos[0]);
    if (IS("restore") ? npos != 2 : npos != 1) return tool_usage_error("%s: wrong arguments", pos[0]);
    if (IS("run") && (!prog || !prog[0])) return tool_usage_error("run needs -- PROGRAM [ARGS...]");
    if (IS("gc") != have_keep) return tool_usage_error(IS("gc") ? "gc needs --keep N" : "--keep is for gc");
    if (run_opts && !IS("run")) return tool_usage_error("--interval, --quiet-ms and --poll are for run");
    if (version_arg && !IS("restore")) return tool_usage_error("--version V is for restore");
    if (g.quick && !IS("verify")) return tool_usage_error("--quick is for verify");
    if (copy_opt && !IS("capture") && !IS("run")) return tool_usage_error("--copy-min is for capture and run");
    if (tool.progress > 0 && !IS("capture") && !IS("restore") && !IS("verify")) return tool_usage_error("--progress is for capture, restore and verify");
    if (g.quiet || IS("run")) tool.progress = -1; /* run: the program's output shares the terminal */
    g.show_progress = IS("capture");
    if ((rc = open_store(&g, IS("capture") || IS("run"), IS("capture") || IS("run") || IS("gc"))) != 0) return rc;
    if (IS("capture")) {
        uint64_t seq;
        rc = capture(&g, &seq);
    } else if (IS("restore")) rc = cmd_restore(&g, version_arg, pos[1]);
    else if (IS("log")) rc = cmd_log(&g);
    else if (IS("verify")) rc = cmd_verify(&g);
    else if (IS("gc")) rc = cmd_gc(&g, keep);
    else if (IS("stats")) rc = cmd_stats(&g);
    else rc = cmd_run(&g, prog, interval, quiet_ms, poll_mode);
    capture_reset(&g);
#if defined(DX_CAS_WITH_ZSTD)
    if (g.zc) ZSTD_freeCCtx(g.zc);
#endif
    free(g.zbuf);
    close_store(&g);
    if (test_kill.at) fprintf(stderr, "statekeeper: test: %llu steps\n", (unsigned long long)test_kill.steps);
    return rc;
}
