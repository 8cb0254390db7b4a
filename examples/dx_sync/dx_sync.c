/* dx_sync - binary updates end to end: a client that holds one version of a
   blob gets the newest in as few bytes as possible, verified, and never leaves
   a broken file. All five dx headers and dx_net.h in one program.

     dx_sync publish --store DIR NAME FILE     store FILE as the newest version of NAME
     dx_sync serve --store DIR [--port P]      answer clients (HBTP, thread per core)
     dx_sync get --server HOST:PORT --cache DIR NAME OUT
                                               make OUT the newest version of NAME

   How it works
   - A version is a blob in a dx_cas directory store: FastCDC chunks and a
     manifest. Its ETag is the Merkle root over its chunk ids (dx_cas.h,
     "Blobs"), so a client computes the same ETag from the bytes it holds.
   - publish also makes patches (dx_patch.h, dx_patch_diff_auto: XOR blocks,
     the shift mode or the bytes as they are, whichever is smallest, zstd) from
     the last K versions to the new one, and stores each as a blob too (one
     no smaller than fetching the chunks is never offered: not kept); and it
     keeps a zstd level 12 copy of each new chunk that compresses (the server
     sends it where a client takes compressed chunks: a tenth fewer bytes than
     compressing as it sends, at level 1).
   - get chunks OUT (when it exists) to learn its ETag and asks. The server
     answers NOT_MODIFIED (same root), or offers a patch from the client's
     version when that costs fewer bytes than the chunks the client lacks, or
     else the chunk listing. The client fetches what it lacks, pipelined,
     checks every chunk against its id as it arrives, and writes the result to
     a temporary file next to OUT that replaces OUT (fsync, rename) only once
     the whole is checked against the root. A patch is applied as it arrives
     (dx_patch's streaming applier: bounded memory) from OUT to the temporary
     file; if it fails to apply or its result is not the root, the client
     fetches the chunks instead on the same connection. Chunks come from the
     client's cache, from OUT itself (chunks that did not change) or from the
     server. Everything fetched is kept in the cache (a dx_cas store), so an
     interrupted get fetches only the rest the next time. A server that says
     nothing for --timeout seconds (30) while answers are due (stopped, or the
     network gone) ends the get as a dropped connection does: exit 1, OUT as
     it was.
   - The cache (CACHE below) keeps every version a get wrote, whole, as a
     dx_cas manifest; beyond --cache-quota (default 1 GiB) it drops what no
     version names (pieces of patches, of gets cut short), then the least
     recently used versions, never one that an OUT holds. It also records what
     each OUT held (device, inode, size, times, root), so that checking an
     unchanged OUT costs a stat and one round trip, not a read of OUT.

   WIRE FORMAT (version 2). HBTP (dx_hbtp.h) over TCP; both sides offer
   max_payload 128 KiB + 64 in HELLO (a client that offers less keeps its
   READs within its offer: a larger answer is refused, ERROR 9; an offer
   without a patch or listing inline is under 1 KiB, so a client offers at
   least that). Integers
   little-endian. Object names
   are BLAKE3 digests (the standard 32-byte output, no key) of the object's
   content; a Merkle root is RFC 9162's with BLAKE3 as its hash (dx_cas.h,
   "Merkle tree"). Version 1 was the same with SHA-256 everywhere: a server
   answers its QUERY with BAD_REQUEST, and reads no store it wrote (below).
   BLAKE3 because every byte a client gets is hashed on arrival: 2 to 3 times
   SHA-256's speed where the CPU has SHA instructions, 5 or more where it has
   none (embedded ARM, older x86). Chunking, which
   the ETag depends on: FastCDC as dx_cas.h specifies it, min 4 KiB, average
   16 KiB, max 64 KiB, normalization 1 (dx_cas_chunker_config zeroed).
     RPC method 1, QUERY. Body, 36 + n bytes:
       0 u8 version (2)   1 u8 flags: 1 = the client holds a version (root
       follows), 2 = the client takes a patch or listing inline (in the
       offer, below; an offer is then up to 34 KiB), 4 = the client takes
       the offer compressed (below), 8 = the client applies only patches
       without zstd frames (a build without zstd: a PATCH offer is then of
       a patch whose header's flags, dx_patch.h, lack ZSTD), other bits 0
       2 u8 n, the name's length (1..100: A-Z a-z 0-9 . _ -, not starting
       with '.')   3 u8 0   4 root[32] (zeros without flag 1)   36 the
       name. Anything else (another version, another flag bit, byte 3, a
       root without flag 1, a bad name or length): BAD_REQUEST. Flag 2 is
       newer than format 2's first servers, which answer it BAD_REQUEST: a
       client asks again without it; flags 4 and then 8 are newer still
       (2026-11-29), and a server before them answers BAD_REQUEST too: a
       client asks again without 8, then without 4, then without 2.
     Answers: NOT_MODIFIED, payload the root (32 bytes): the client has the
       newest. RPC_RESPONSE: an offer, a dx_teleport buffer (dx_teleport.h,
       with its CRC32C) whose root object is a sync_offer (type 0x5301, below).
       Where the QUERY had flag 4 the server may set the answer's flag
       COMPRESSED (0x02): the body after the method id is then one zstd frame
       whose content is the offer (at most 34 KiB; the offer's field names
       are most of a small one's bytes: 971 -> 577 for a patch of 85).
       ERROR 0x8001 (no such name), 10 BAD_REQUEST, 9 INTERNAL (the server
       cannot read its store: a name whose history it cannot read too).
       The offer is PATCH where the server holds a patch from the client's
       version and the patch (and its listing, unless the patch comes
       inline) costs fewer bytes than fetching by chunks (the newest
       version's listing and the chunks the client's version lacks), else
       CHUNKS. Where the QUERY had flag 2, a PATCH offer carries the patch
       (patch_inline) and a CHUNKS offer the newest version's listing
       (listing_inline), each where it is at most 32 KiB and the offer fits
       the connection's max_payload. The client checks a patch inline
       against patch_root (FastCDC chunks, Merkle root, as any blob) before
       it uses it, and a listing inline as one it READs (below). Inline or
       not, the digests and sizes name them, and a client may READ them.
     RPC method 2, READ. Body, 44 or 45 bytes: 0 digest[32], 32 u64 offset,
       40 u32 length (1..128 KiB), 44 u8 flags (optional, 0 when absent):
       1 = the client takes a compressed answer; other bits 0. Answer:
       STREAM_END with END_STREAM whose payload is exactly those bytes of the
       object's content, or, with flag 1 asked and the answer's flag
       COMPRESSED (0x02) set, one zstd frame whose content is exactly those
       bytes, its header carrying that content size (the server's choice,
       answer by answer: a client takes either; today's server compresses
       where that saves a tenth or more, and after answers that would not
       have, skips trying for up to 64 answers); ERROR 0x8002 (no
       such object; an empty object is never stored), 0x8003 (the range is
       not wholly inside the object), 10, 9. A server answers a READ of any
       object of its store; a client asks for those an offer names (and the
       chunks their listings name).
     Teleport types (fields in order; BYTES fields are raw bytes):
       0x5301 sync_offer { u32 kind (1 PATCH, 2 CHUNKS), u32 versions (how
         many the server holds), root[32], u64 size, listing[32],
         u64 listing_size (the newest version: its root, length, and the
         digest and length of its listing), patch_listing[32],
         u64 patch_listing_size, patch_root[32], u64 patch_size (PATCH: the
         patch blob from the client's root; zeros for CHUNKS), u64
         chunk_bytes (what fetching by chunks costs a client holding the
         version it named: the newest version's listing and the chunks that
         version lacks; 0 where the server does not know it: no version
         named, or one it holds no patch from, the last K published),
         u64 published_ns (Unix time), str name, str patch_inline (PATCH:
         the patch's bytes, all patch_size of them, or empty), str
         listing_inline (CHUNKS: the listing's bytes, all listing_size of
         them, or empty) } (teleport strings hold any bytes; the two inline
         fields came after format 2's first release: a reader of the fields
         before them skips them, and an offer without them reads as empty,
         dx_teleport's rule for trailing fields). name is the QUERY's: a
         client refuses an offer of another name. chunk_bytes is what the
         server's choice weighed; a client need not read it.
       The layouts as C lays them out (a reader compares the type id and each
       field's name, kind, offset and size, not the type's name: sync_offer,
       sync_listing, sync_chunk): sync_offer 208 bytes, align 8 (kind 0, versions 4, root
       8, size 40, listing 48, listing_size 80, patch_listing 88,
       patch_listing_size 120, patch_root 128, patch_size 160, chunk_bytes
       168, published_ns 176, name 184, patch_inline 192, listing_inline
       200); sync_listing 64, align 8 (root 0, size 32, count 40, first 48,
       chunks 56); sync_chunk 40, align 4 (id 0, length 32, pad 36).
     A listing (a blob's chunks in order) is frames, one after another, each
       a dx_teleport buffer with its CRC32C (its header's TOTAL_SIZE, u32 at
       byte 16, is its length: 80..64 KiB) whose root object is
       0x5310 sync_listing { root[32], u64 size, u64 count (the blob's root
         and length and its number of chunks: the same in every frame),
         u64 first (the index of the frame's first chunk), slice chunks of
         0x5311 sync_chunk { id[32] (the chunk's BLAKE3), u32 length,
         pad (4 bytes of PAD) } }. Field names are those of the layouts a
         teleport buffer carries.
       Frames hold 512 chunks each, the last one 1..512 (an empty blob: one
       frame of none: its chunks slice {0, 0}, and sync_chunk still among
       its layouts, the slice's target); first is 0, 512, 1024, ... The listing's READ digest
       is the BLAKE3 of all its bytes. A reader checks each frame (the
       buffer, root, size, count, first, every length 1..64 KiB) and, once
       the last frame is read, that no bytes follow, that the lengths add up
       to size, that the Merkle root of the ids (dx_cas_chunk_leaf) is root
       and the digest. A client may use a frame's chunks before that (the
       chunks are checked against their ids as they come) but must not let
       the result replace anything until then. A client reads a listing a
       frame at a time (READ at growing offsets) and so holds a frame or two
       of it, whatever the blob's size (say a READ of the 80 bytes of a
       frame's header, then of the rest; or of up to 64 KiB, cut at
       TOTAL_SIZE). A listing is an object like any other: a server answers
       a READ of any range of it, across frames.
     A PATCH's bytes are the blob whose listing is patch_listing: a dx_patch
     patch from the client's version to root (publish uses any of dx_patch's
     record kinds and zstd: a client that cannot apply one, or in which it
     fails, fetches by chunks instead, from the listing the offer names). A client may READ any object
     an offer names, any number at once (pipelined, up to HBTP's max in flight).
     Answers are one frame each: RPC_RESPONSE and NOT_MODIFIED with flags 0
     (RPC_RESPONSE: or COMPRESSED, above), a READ's one STREAM_END (a
     client refuses one in pieces); a client takes a compressed READ answer
     whose zstd header lacks the content size (it checks that the frame
     gives exactly the bytes asked for), but a server writes it. The
     client closes the connection when done, without GOAWAY (it answers
     the server's GOAWAY with GOAWAY|ACK): a server takes either.
     TRUST: every byte a client keeps is checked against the offer's root,
     but nothing says the offer is the newest: the server is trusted to
     name its newest version, and an offer of an older one (a server
     rolled back, or someone on the path who answers in its place) is
     taken as the update. Where that matters, reach the server through a
     link that authenticates it (ssh or WireGuard tunnel, TLS proxy).

   STORE (the server's folder, a dx_cas directory store): per NAME a ref NAME
   naming a history (a dx_teleport buffer, CRC32C, root object 0x5320
   sync_history { str name, u64 published, slice versions of 0x5321
   sync_version { root[32], listing[32], manifest[32], u64 size,
   u64 listing_size, u64 published_ns, zmap[32], u64 zmap_size (the
   version's chunks kept compressed, below; zeros and 0 where none: a
   history written before these two fields, which read as such) } (oldest
   first), slice patches of
   0x5322 sync_patch { from_root[32], listing[32] (the patch's listing),
   patch_root[32], u64 patch_size, u64 listing_size, u64 chunk_bytes (as
   in an offer), u32 mode, pad (4 bytes) } (patches to the newest) }). Every version's chunks, manifest and listing, and every
   patch's, are objects of the store. A zmap is an object of 64-byte
   entries, sorted by their first 32 bytes, each chunk at most once: a
   chunk's digest, then the digest of an object holding one zstd frame whose
   content is that chunk (publish keeps a chunk so where zstd level 12 makes
   it a tenth smaller or more). A server answers a READ with flag 1 of a
   whole chunk with those bytes where it holds the zmap: it keeps those of
   the newest versions of the last 8 names asked about (QUERY), per worker
   thread. A new history is written, synced, and
   then the ref moves: a reader sees the old history or the new, whole; a
   publish holds an flock(2) on the store's folder throughout (one at a time,
   so that none drops another's version). The
   ref's id names the history as "blake3-..." (format 2); a ref that names
   it "sha256-..." is dx_sync 1's (format 1): publish and serve refuse a
   store with any such ref, saying so, and change nothing in it.
   STORE/dx-tool holds "dx_sync store" (a cache's: "dx_sync cache"): each
   tool refuses another's store (examples/tool.h, "whose store").

   CACHE (the client's folder, a dx_cas directory store kept without fsync:
   every read re-hashes): refs v-<root hex> (each version held, a dx_cas
   manifest; its file time is its last use) and out-<key> (what the OUT whose
   absolute path hashes to key holds; key: the first 16 bytes of the path's
   SHA-256, in hex), and outs/<key>: one line "dev ino size mtime ctime
   blake3-<root hex>". A cache of dx_sync 1 works on: its versions are never
   a hit (other names) and age out by the quota; its outs lines (a bare root)
   are not used, so OUT is read once more.

   LIMITS: publish and the server read a listing whole, up to 64 MiB (about
   1.5 million chunks, some 24 GiB of blob); a client holds two frames of it.
   The cache's pack table holds at most about 8,192 objects' entries (0.7 MB;
   the rest are in its packs/index, dx_cas.h 0.5.0). The manifest the cache
   records is written in parts of 1,024 chunks (dx_cas.h 0.6.0: one part in
   memory), and the gc that keeps the cache under its quota marks at most
   98,304 objects a pass (about 1 MiB; a larger cache takes more passes).
   Where OUT is read for its chunks, their ids and places are kept for up to
   32,768 chunks (48 bytes each, 1.5 MiB: about 512 MiB of OUT); past that
   OUT's chunks go into the cache instead (those it lacks are written once).
   The eviction gc's sweep costs a bit per indexed object (dx_cas.h 0.6.1),
   and every chunk put into the cache (fetched, or OUT's) is synced every
   32 MiB, so the cache's table stays at its bound. Besides that a client
   holds about 4 MiB of buffers and, for a patch, its applier (two 1 MiB
   frames and a 1 MiB window, below). Measured by hand (peak RSS): a get by
   chunks with OUT holding the previous version and a fresh cache (OUT's
   chunks spilled into it, then an eviction gc) 6.6 MiB at 1 GiB, 6.7 at
   4 GiB; a 1 GiB get by a 215 MB patch 7.9 MiB.
   Not bounded: publish holds the old version, the new one and the patch in
   memory (about 3.6 GB for a 1 GiB blob), and its patch search takes time
   that grows faster than the size (a 1 GiB random blob with a fifth of it
   rewritten: 73 s at --level 1, about 9 minutes at the default 6), and it
   compresses the chunks it keeps compressed at about 13 MB/s a CPU, on up
   to 8 CPUs (zstd level 12, by hand on 2 CPUs: libLLVM's 110 MB in 3.9 s,
   5.9 s on one; data that does not compress costs a level-1 try: a 256 MiB
   random blob, nothing measurable). The server holds
   the zmaps of up to 8 names per worker, each up to 4 MiB (65,536 kept
   chunks, about 1 GiB of blob; a larger one is not used: those chunks are
   compressed as they are sent, at level 1). POSIX only (the directory store
   is). */
#define _FILE_OFFSET_BITS 64 /* files over 2 GiB on 32-bit hosts (tool.h checks): before any header */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* sync_file_range */
#endif
#define DX_IMPLEMENTATION
#define DX_CAS_GC_MARKS 98304u /* the cache's gc: a mark set of 1 MiB a pass, for a client's small footprint */
/* publish writes patches whose zstd window is 1 MiB, so a client applies one with a decoder window of
   1 MiB, not 8 (a 1 GiB get by a 215 MB patch: peak 19 -> 7.9 MiB); a patch that needs a longer reach
   is a little larger (215,343,572 -> 215,344,785 B there). A client still applies any patch dx_patch
   accepts (windows up to 16 MiB, DX_PATCH_STREAM_WINDOW_LOG), with that much more memory. */
#define DX_PATCH_STREAM_WRITE_LOG 20
#include "dx_reactor.h"
#include "dx_hbtp.h"
#include "dx_net.h"
#include "dx_cas.h"
#include "dx_patch.h"
#include "dx_teleport.h"
#define TOOL_HOST_NAMES /* tool_host_resolve */
#include "../tool.h"
#include "sync_wire.h"

enum { /* the client's own */
    E_OUT_CHANGED = -1000, /* OUT changed while it was being read */
    E_NOT_SYNC = -1001     /* an answer of a kind the wire format does not have there (a READ's not one STREAM_END) */
};

#include <pthread.h>
#include <signal.h>
#ifdef DX_PATCH_WITH_ZSTD /* built with zstd: chunks may travel compressed (READ flag 1) */
#include <zstd.h>
#define SYNC_ZSTD 1
#define OFFER_ZSTD_LEVEL 9 /* an offer of 1 KiB in 20 us (19: 75 us, 4% fewer bytes) */
#else
#define SYNC_ZSTD 0
#endif
#include <sys/stat.h>
#include <limits.h> /* PATH_MAX */
#include <sys/file.h> /* flock */

/* ---- usage ---- */

#define USAGE_PUBLISH "--store DIR [--patches K] [--level N] [--progress | -q] NAME FILE"
#define USAGE_SERVE "--store DIR [--port P] [--host HOST] [--workers N] [--max-connections N]"
#define USAGE_GET "--server HOST:PORT --cache DIR [--cache-quota SIZE] [--timeout S] [--progress | -q] NAME OUT"
static const char usage[] =
    "usage: dx_sync publish " USAGE_PUBLISH "\n"
    "       dx_sync serve " USAGE_SERVE "\n"
    "       dx_sync get " USAGE_GET "\n"
    "Binary updates: a client gets the newest version of a blob in the fewest bytes,\n"
    "verified (the ETag is the Merkle root of its chunks), and OUT is replaced only\n"
    "by a whole, checked file.\n"
    "  publish   stores FILE as the newest version of NAME in the store DIR (made if\n"
    "            missing), with patches from the last K versions to it (default 3)\n"
    "            --level N: the patch search, 1 fast .. 9 smallest (default 6)\n"
    "  serve     answers clients (port default 7878, host 127.0.0.1, a worker per CPU,\n"
    "            --max-connections per worker, default 256) until Ctrl-C or SIGTERM;\n"
    "            --corrupt-patches flips a byte in every patch\n"
    "            chunk it sends (to see clients detect it and fall back)\n"
    "  get       makes OUT the newest version of NAME: nothing when it is (NOT_MODIFIED),\n"
    "            else a patch from OUT's version or the chunks OUT and the cache DIR lack\n"
    "            (made if missing); prints what it did and the bytes on the wire. The cache\n"
    "            keeps the versions it got, least recently used evicted beyond --cache-quota\n"
    "            (default 1G), never the one an OUT holds. OUT a symbolic link: the file\n"
    "            it names is updated. HOST: a name or an IPv4 or [IPv6] address.\n"
    "            --timeout S: give up when the server says nothing for S seconds while\n"
    "            answers are due (default 30; OUT stays as it was)\n"
    "  --progress, -q (publish, get): a progress line on stderr even when it is not\n"
    "            a terminal (the patch search, the fetch), or none\n"
    "  --version the dx header versions it is built from\n"
    "Exit status: 0 done, 1 failed (OUT is as it was, unless a message says that only\n"
    "standard output could not be written), 2 bad usage.\n";

/* A command's own options: --help (the whole usage) and --version as without a command; bad usage
   names the command's usage line (main sets tool.usage to it), not publish's. */
static int version(void);
#define COMMAND_OPTS(a)                                       \
    if (tool_is_help(a)) return fputs(usage, stdout), tool_stdout_done(); \
    if (!strcmp(a, "--version")) return version();

/* A word of a command's line that is one of its two names (NAME, then FILE or OUT; "-" too, and
   after "--" any word): 0 (taken), -1 where it is an option, else bad usage's exit code (a third). */
static int name_word(const char *a, bool *names_only, const char **first, const char **second) {
    if (!*names_only && !strcmp(a, "--")) {
        *names_only = true; /* names from here on, even "-file" */
        return 0;
    }
    if (!*names_only && a[0] == '-' && a[1]) return -1;
    if (!*first) *first = a;
    else if (!*second) *second = a;
    else return tool_usage_error("too many arguments");
    return 0;
}

/* ---- shared ---- */

static dx_cas_hash_alg alg;

/* n bytes as 2n lower-case hex digits and a NUL */
static void hex(const uint8_t *d, size_t n, char *out) {
    static const char x[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < n; i++) out[2 * i] = x[d[i] >> 4], out[2 * i + 1] = x[d[i] & 15];
    out[2 * n] = 0;
}

static int digest_cmp(const void *a, const void *b) { return memcmp(a, b, 32); }

static uint64_t now_unix_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* cache: the client's (objects as they are, no fsync: see cmd_get); else a server's store. A store
   publish makes and a cache get makes are each refused in a folder that is something else, and
   in another tool's store (tool.h: STORE/dx-tool, which publish and get write). */
static int open_store(dx_cas_dir *d, dx_cas_store *s, const char *path, bool must_exist, bool cache) {
    const char *kind = cache ? "dx_sync cache" : "dx_sync store";
    dx_cas_dir_config c;
    dx_result r;
    int e;
    if ((e = tool_store_claim(path, kind, !must_exist)) != TOOL_EXIT_OK) return e; /* another tool's, or a folder of the user's */
    memset(&c, 0, sizeof c);
    c.path = path;
    c.must_exist = must_exist;
    c.compress = cache ? DX_CAS_COMPRESS_NONE : 0;
    c.no_sync = cache;
    c.own_packs = cache; /* its misses (every new chunk) need not look for other writers' packs */
    c.table_max = cache ? 8192 : 0; /* the cache's table: about 0.7 MB, the rest in its packs/index (dx_cas.h) */
    if ((r = dx_cas_dir_open(d, &c)) != DX_OK) {
        if (r == DX_ERR_NOTFOUND && must_exist) return tool_fail("%s is not a dx_sync store (publish makes one)", path);
        if (d->os_error) return tool_fail("cannot open the %s %s: %s", cache ? "cache" : "store", path, strerror(d->os_error));
        return tool_fail("cannot open the %s %s: %s", cache ? "cache" : "store", path, dx_cas_result_name(r));
    }
    if ((r = dx_cas_dir_store(d, &alg, s)) != DX_OK) {
        dx_cas_dir_close(d);
        return tool_fail("cannot open the %s %s: %s", cache ? "cache" : "store", path, dx_cas_result_name(r));
    }
    if (!must_exist) tool_store_mark(path, kind); /* publish and get: the store is theirs from now on */
    return TOOL_EXIT_OK;
}

/* A store's failure in words: the result's name, and the system's reason where there is one
   (DX_ERR_IO: Permission denied); in a static buffer. */
static const char *store_error(const dx_cas_dir *d, dx_result r) {
    static char text[160];
    if (r == DX_ERR_IO && d->os_error) snprintf(text, sizeof text, "%s: %s", dx_cas_result_name(r), strerror(d->os_error));
    else snprintf(text, sizeof text, "%s", dx_cas_result_name(r));
    return text;
}

/* A whole object of a store, in a malloc'd buffer. */
static dx_result get_object(dx_cas_store *s, const uint8_t digest[32], uint64_t max, uint8_t **out, size_t *out_len) {
    dx_cas_id id = id_of(digest);
    int64_t n = dx_cas_store_has(s, &id), got;
    uint8_t *p;
    if (n < 0) return (dx_result)n;
    if ((uint64_t)n > max) return DX_ERR_LIMIT;
    if (!(p = (uint8_t *)malloc((size_t)n + 1))) return DX_ERR_NOMEM;
    if ((got = dx_cas_store_get(s, &id, p, (size_t)n + 1)) < 0) {
        free(p);
        return (dx_result)got;
    }
    *out = p, *out_len = (size_t)got;
    return DX_OK;
}

/* ---- publish ---- */

/* The listing of the blob whose manifest is manifest, stored; its digest and length. */
static dx_result store_listing(dx_cas_store *s, const dx_cas_id *manifest, uint8_t out_digest[32], uint64_t *out_len) {
    uint8_t *ids, *buf;
    size_t len;
    uint32_t *lens, clen;
    uint64_t i;
    dx_cas_chunk_iter it;
    dx_cas_id id;
    dx_cas_limits lim;
    int more = 1;
    dx_result r;
    memset(&lim, 0, sizeof lim);
    lim.max_total = UINT64_MAX; /* our own store: the listing's bound is checked below */
    if ((r = dx_cas_chunk_iter_open(&it, s, manifest, &lim)) != DX_OK) return r;
    if (it.m.count > SYNC_LISTING_MAX / 36 || !(ids = (uint8_t *)malloc((size_t)it.m.count * 36 + 1))) {
        r = it.m.count > SYNC_LISTING_MAX / 36 ? DX_ERR_LIMIT : DX_ERR_NOMEM;
        dx_cas_chunk_iter_close(&it);
        return r;
    }
    lens = (uint32_t *)(ids + (size_t)it.m.count * 32); /* the ids and lengths side by side, as listing_encode takes them */
    for (i = 0; i < it.m.count && (more = dx_cas_chunk_iter_next(&it, &id, &clen)) > 0; i++) {
        memcpy(ids + i * 32, id.digest, 32);
        memcpy(&lens[i], &clen, 4);
    }
    if (more <= 0) r = more < 0 ? (dx_result)more : DX_ERR_CORRUPT;
    else r = listing_encode(it.m.root, it.m.total_size, it.m.count, ids, 32, (const uint8_t *)lens, 4, &buf, &len);
    free(ids);
    dx_cas_chunk_iter_close(&it);
    if (r != DX_OK) return r;
    if (len > SYNC_LISTING_MAX) r = DX_ERR_LIMIT;
    else if ((r = dx_cas_store_put(s, buf, len, &id)) == DX_OK) {
        memcpy(out_digest, id.digest, 32);
        *out_len = len;
    }
    free(buf);
    return r;
}

static dx_result put_blob(dx_cas_store *s, const uint8_t *data, size_t len, dx_cas_id *manifest, uint8_t root[32]) {
    dx_cas_blob_writer w;
    dx_cas_blob_writer_config c;
    dx_result r;
    memset(&c, 0, sizeof c);
    c.store = s;
    if ((r = dx_cas_blob_writer_create(&w, &c)) != DX_OK) return r;
    r = dx_cas_blob_writer_write(&w, data, len);
    if (r == DX_OK) r = dx_cas_blob_writer_finish(&w, manifest, root);
    dx_cas_blob_writer_destroy(&w);
    return r;
}

typedef struct membuf {
    uint8_t *p;
    size_t len, cap;
} membuf;

static dx_result membuf_write(void *user, uint64_t offset, const void *data, size_t len) {
    membuf *m = (membuf *)user;
    if (offset > m->cap || len > m->cap - offset) return DX_ERR_LIMIT; /* a manifest longer than its history says */
    memcpy(m->p + offset, data, len);
    if (offset + len > m->len) m->len = (size_t)(offset + len);
    return DX_OK;
}

/* The history of NAME (a verified reader over a malloc'd buffer), or DX_ERR_NOTFOUND. */
static dx_result history_load(dx_cas_dir *d, dx_cas_store *s, const char *name, history *out) {
    dx_cas_id id;
    dx_result r;
    uint8_t *buf;
    size_t len;
    memset(out, 0, sizeof *out);
    if ((r = dx_cas_dir_ref_get(d, name, &id)) != DX_OK) return r;
    if (id.alg != SYNC_ALG) return DX_ERR_UNSUPPORTED; /* published by dx_sync 1 (format 1: SHA-256 names) */
    /* the ref is there: a history the store lacks (a pack lost or cut short) is damage, not a new name
       (publish would start the name over, its versions lost) */
    if ((r = get_object(s, id.digest, 1u << 30, &buf, &len)) != DX_OK) return r == DX_ERR_NOTFOUND ? DX_ERR_CORRUPT : r;
    if ((r = history_parse(buf, len, out)) != DX_OK) {
        free(buf);
        return r;
    }
    out->buf = buf;
    memcpy(out->digest, id.digest, 32);
    return DX_OK;
}

/* A store that dx_sync 1 wrote: its names are SHA-256 digests, which this version's
   clients cannot check (WIRE FORMAT, version 2). Nothing converts it: publish the
   files again into a new store. */
#define FORMAT1_TEXT "%s holds %s under a SHA-256 name, as dx_sync 1 wrote it (format 1, SHA-256 names) or another program (cas_snap); this dx_sync reads and writes format 2 (BLAKE3): publish into a new store"

/* a name whose history is in format 1 (the first found) */
static dx_result find_format1(void *user, const char *name, const dx_cas_id *id) {
    char *first = (char *)user;
    if (id->alg != SYNC_ALG && !first[0] && strlen(name) <= SYNC_NAME_MAX) strcpy(first, name);
    return DX_OK;
}

/* dx_patch's progress (done of total bytes of the new version; dx_patch_diff_auto may try several modes, each
   counting again from 0): the progress line */
static void patch_progress(void *user, uint64_t done, uint64_t total) {
    (void)user, (void)total;
    tool_progress(done);
}

#if SYNC_ZSTD
#define ZMAP_LEVEL 12 /* 1% larger than level 19 on 16 KiB chunks of a library, in a third of the time */

typedef struct zmap_chunk {
    uint8_t id[32];
    uint64_t off;
    uint32_t len;
} zmap_chunk;

/* One thread's share of a batch of chunks to compress: todo[first],
   todo[first + step], ... (each into its own slot of zb; zlen 0: not kept). */
typedef struct zmap_share {
    ZSTD_CCtx *cc;
    const uint8_t *data;
    const zmap_chunk *c;
    const size_t *todo;
    size_t count, first, step, zcap;
    uint8_t *zb;
    size_t *zlen;
} zmap_share;

static void zmap_compress(void *arg) {
    const zmap_share *w = (const zmap_share *)arg;
    size_t j;
    for (j = w->first; j < w->count; j += w->step) {
        const zmap_chunk *k = &w->c[w->todo[j]];
        uint8_t *zb = w->zb + j * w->zcap;
        /* level 1 first, as the server would: data that does not compress (media, archives) costs little */
        size_t z = ZSTD_compressCCtx(w->cc, zb, w->zcap, w->data + k->off, k->len, 1);
        w->zlen[j] = 0;
        if (ZSTD_isError(z) || z >= k->len - k->len / 10) continue;
        z = ZSTD_compressCCtx(w->cc, zb, w->zcap, w->data + k->off, k->len, ZMAP_LEVEL);
        if (!ZSTD_isError(z) && z < k->len - k->len / 10) w->zlen[j] = z;
    }
}

#define ZMAP_THREADS_MAX 8 /* level 12 runs at about 13 MB/s a core: a 1 GB library takes 80 s on one */
#define ZMAP_BATCH 32      /* chunks a thread compresses between two rounds of puts (slots of 64 KiB each) */

/* The version's chunks kept compressed for READ flag 1 (STORE, zmap): each one
   that level 12 makes a tenth smaller or more is stored compressed, as an
   object of its own, so that the server sends those bytes and not level 1's,
   made as it answers. Chunks the previous version kept are taken from its
   zmap, not compressed again. Compressed on every CPU, in batches; stored in
   the zmap's order, so the store gets the same objects on any machine. data:
   the version's bytes. */
static dx_result store_zmap(dx_cas_store *s, const uint8_t *data, sync_version *nv, const sync_version *prev) {
    uint8_t *lbuf, *pz = NULL, *out = NULL, *zb = NULL;
    size_t llen, pzlen = 0, n = 0, i, next, t, zcap = ZSTD_compressBound(SYNC_CHUNK_MAX);
    size_t threads = (size_t)(tool_cpus() < ZMAP_THREADS_MAX ? tool_cpus() : ZMAP_THREADS_MAX), batch = threads * ZMAP_BATCH;
    size_t *todo = NULL, *zlen = NULL;
    uint64_t done = 0;
    listing l;
    zmap_chunk *c = NULL;
    zmap_share share[ZMAP_THREADS_MAX];
    void *handle[ZMAP_THREADS_MAX];
    dx_result r;
    if ((r = get_object(s, nv->listing, SYNC_LISTING_MAX, &lbuf, &llen)) != DX_OK) return r;
    r = listing_parse(&alg, lbuf, llen, nv->listing, nv->root, nv->size, &l);
    free(lbuf);
    if (r != DX_OK) return r;
    if (prev && prev->zmap_size && get_object(s, prev->zmap, SYNC_LISTING_MAX, &pz, &pzlen) == DX_OK && !zmap_ok(pz, pzlen))
        pzlen = 0; /* not a zmap: its chunks compressed again */
    c = (zmap_chunk *)malloc((size_t)l.count * sizeof *c + 1);
    out = (uint8_t *)malloc((size_t)l.count * SYNC_ZMAP_ENTRY + 1);
    zb = (uint8_t *)malloc(batch * zcap);
    todo = (size_t *)malloc(batch * sizeof *todo);
    zlen = (size_t *)malloc(batch * sizeof *zlen);
    if (!c || !out || !zb || !todo || !zlen) r = DX_ERR_NOMEM;
    for (t = 0; t < threads; t++) {
        share[t].cc = r == DX_OK ? ZSTD_createCCtx() : NULL;
        if (!share[t].cc) r = DX_ERR_NOMEM;
        share[t].data = data, share[t].c = c, share[t].todo = todo, share[t].zb = zb, share[t].zlen = zlen;
        share[t].first = t, share[t].step = threads, share[t].zcap = zcap;
    }
    for (i = 0; r == DX_OK && i < l.count; i++) {
        memcpy(c[i].id, l.ids[i], 32);
        c[i].off = l.offsets[i], c[i].len = l.lens[i];
    }
    if (r == DX_OK && l.count) qsort(c, (size_t)l.count, sizeof *c, digest_cmp); /* the zmap's order; repeats next to each other */
    tool_progress_start("compress", nv->size, "MiB");
    for (i = 0; r == DX_OK && i < l.count; i = next) {
        size_t count = 0, j = 0;
        /* a batch: the chunks from i on up to the batch's count of new ones (repeats and kept ones between) */
        for (next = i; next < l.count && count < batch; next++) {
            done += c[next].len;
            if ((next && !memcmp(c[next].id, c[next - 1].id, 32)) ||
                (pzlen && bsearch(c[next].id, pz, pzlen / SYNC_ZMAP_ENTRY, SYNC_ZMAP_ENTRY, digest_cmp)))
                continue;
            todo[count++] = next;
        }
        for (t = 0; t < threads; t++) {
            share[t].count = count;
            handle[t] = t && count > t ? tool_thread_start(NULL, zmap_compress, &share[t]) : NULL;
        }
        zmap_compress(&share[0]);
        for (t = 1; t < threads; t++) {
            if (handle[t]) tool_thread_join(NULL, handle[t]);
            else if (count > t) zmap_compress(&share[t]); /* no thread started: done here */
        }
        for (; i < next; i++) { /* into the store and the zmap, in order */
            const uint8_t *kept;
            dx_cas_id zid;
            if (i && !memcmp(c[i].id, c[i - 1].id, 32)) continue;
            if (j < count && todo[j] == i) {
                if (zlen[j] && (r = dx_cas_store_put(s, zb + j * zcap, zlen[j], &zid)) != DX_OK) break;
                if (zlen[j++]) {
                    memcpy(out + n * SYNC_ZMAP_ENTRY, c[i].id, 32);
                    memcpy(out + n++ * SYNC_ZMAP_ENTRY + 32, zid.digest, 32);
                }
            } else if (pzlen && (kept = (const uint8_t *)bsearch(c[i].id, pz, pzlen / SYNC_ZMAP_ENTRY, SYNC_ZMAP_ENTRY, digest_cmp))) {
                memcpy(out + n++ * SYNC_ZMAP_ENTRY, kept, SYNC_ZMAP_ENTRY);
            }
        }
        tool_progress(done);
    }
    tool_progress_end(r == DX_OK);
    if (r == DX_OK && n) {
        dx_cas_id id;
        if ((r = dx_cas_store_put(s, out, n * SYNC_ZMAP_ENTRY, &id)) == DX_OK) {
            memcpy(nv->zmap, id.digest, 32);
            nv->zmap_size = n * SYNC_ZMAP_ENTRY;
        }
    }
    for (t = 0; t < threads; t++) ZSTD_freeCCtx(share[t].cc);
    free(zlen), free(todo), free(zb), free(out), free(c), free(pz);
    listing_free(&l);
    return r;
}
#endif

static int cmd_publish(int argc, char **argv) {
    const char *store_path = NULL, *name = NULL, *file = NULL, *v, *what;
    uint64_t keep_patches = 3, level = 0;
    dx_cas_dir d;
    dx_cas_store s;
    history old;
    dx_result r;
    membuf data = {NULL, 0, 0};
    FILE *f;
    struct stat st;
    dx_cas_id manifest, hid;
    uint8_t root[32];
    sync_version nv;
    sync_patch *patches = NULL;
    uint32_t npatches = 0, not_smaller = 0, nold = 0, i;
    int rc = TOOL_EXIT_FAIL, k, lock_fd = -1;
    bool have_old, names_only = false;
    double t0 = tool_now();
    for (k = 2; k < argc; k++) {
        bool missing = false;
        const char *a = argv[k];
        int e = name_word(a, &names_only, &name, &file);
        if (e >= 0) {
            if (e) return e;
            continue;
        }
        COMMAND_OPTS(a)
        if ((v = tool_opt_value(argc, argv, &k, "--store", &missing))) store_path = v;
        else if ((v = tool_opt_value(argc, argv, &k, "--patches", &missing))) {
            if (tool_parse_u64(v, 0, 64, false, &keep_patches) != 0) return tool_usage_error("--patches must be 0 to 64, not \"%s\"", v);
        } else if ((v = tool_opt_value(argc, argv, &k, "--level", &missing))) {
            if (tool_parse_u64(v, 1, 9, false, &level) != 0) return tool_usage_error("--level must be 1 to 9, not \"%s\"", v);
        } else if (!strcmp(a, "--progress")) tool.progress = 1;
        else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) tool.progress = -1;
        else if (missing) return tool_usage_error("%s needs a value", a);
        else return tool_usage_error("unknown option %s", a);
    }
    if (!store_path || !*store_path) return tool_usage_error("publish needs --store DIR");
    if (!name || !file) return tool_usage_error("publish needs NAME and FILE");
    if (!name_ok(name, strlen(name))) return tool_usage_error("NAME must be 1 to 100 of A-Z a-z 0-9 . _ -, not starting with '.'");
    if ((what = tool_not_a_file(file)) != NULL) return tool_fail("%s is %s, not a regular file", file, what);
    if (!(f = fopen(file, "rb"))) return tool_fail("cannot open %s: %s", file, strerror(errno));
    if (fstat(fileno(f), &st) != 0 || (st.st_mode & S_IFMT) != S_IFREG) {
        fclose(f);
        return tool_fail("%s is not a regular file", file);
    }
    data.len = (size_t)st.st_size;
    if (!(data.p = (uint8_t *)malloc(data.len + 1)) || fread(data.p, 1, data.len, f) != data.len) {
        fclose(f), free(data.p);
        return tool_fail("cannot read %s", file);
    }
    fclose(f);
    if (open_store(&d, &s, store_path, false, false) != TOOL_EXIT_OK) {
        free(data.p);
        return TOOL_EXIT_FAIL;
    }
    /* one publish at a time in a store: two of one name at once would each read the same history and write
       theirs, the last ref to move dropping the other's version (both saying done) */
    {
        int e = (lock_fd = open(store_path, O_RDONLY | O_DIRECTORY)) < 0 ? errno : flock(lock_fd, LOCK_EX | LOCK_NB) != 0 ? errno : 0;
        if (e == EWOULDBLOCK) {
            tool_warn("waiting for another publish into %s to finish", store_path);
            e = flock(lock_fd, LOCK_EX) != 0 ? errno : 0;
        }
        if (e) {
            tool_fail("cannot lock the store %s: %s", store_path, strerror(e));
            goto out;
        }
    }
    { /* a store with any name of format 1 is refused whole, as serve refuses it: nothing written to it */
        char format1[SYNC_NAME_MAX + 1] = "";
        dx_cas_dir_ref_list(&d, find_format1, format1);
        if (format1[0]) {
            tool_fail(FORMAT1_TEXT, store_path, format1);
            goto out;
        }
    }
    if ((r = put_blob(&s, data.p, data.len, &manifest, root)) != DX_OK) {
        tool_fail("cannot store %s in %s: %s", file, store_path, store_error(&d, r));
        goto out;
    }
    memset(&nv, 0, sizeof nv);
    memcpy(nv.root, root, 32);
    memcpy(nv.manifest, manifest.digest, 32);
    nv.size = data.len, nv.published_ns = now_unix_ns();
    if ((r = store_listing(&s, &manifest, nv.listing, &nv.listing_size)) != DX_OK) {
        tool_fail("cannot store the listing of %s in %s: %s", file, store_path, store_error(&d, r));
        goto out;
    }
    r = history_load(&d, &s, name, &old);
    have_old = r == DX_OK;
    if (r != DX_OK && r != DX_ERR_NOTFOUND) {
        tool_fail("the history of %s in %s does not read (%s): not changing it", name, store_path, dx_cas_result_name(r));
        goto out;
    }
    if (have_old) nold = old.h.versions.count;
    if (nold) {
        sync_version last;
        history_version(&old, nold - 1, &last);
        if (!memcmp(last.root, root, 32)) {
            char hx[17];
            hex(root, 8, hx);
            printf("%s: %s is already the newest version (%s...)\n", name, file, hx);
            free(old.buf);
            rc = TOOL_EXIT_OK;
            goto out;
        }
    }
#if SYNC_ZSTD
    {   /* the chunks kept compressed; without them the server compresses as it answers */
        sync_version last;
        if (nold) history_version(&old, nold - 1, &last);
        if ((r = store_zmap(&s, data.p, &nv, nold ? &last : NULL)) != DX_OK)
            tool_warn("%s's chunks are not kept compressed (%s): the server compresses them as it sends them", name, store_error(&d, r));
    }
#endif
    /* patches from the last keep_patches versions (newest first) to this one */
    patches = (sync_patch *)calloc((size_t)keep_patches + 1, sizeof *patches); /* keep_patches <= 64 */
    for (i = 0; patches && i < nold && npatches < keep_patches; i++) {
        sync_version ov;
        membuf base;
        listing ol, nl;
        uint8_t *lbuf;
        size_t llen, cap;
        dx_patch_config pc;
        uint8_t *pbuf;
        int64_t plen;
        unsigned mode = 0;
        dx_cas_id pman, mid;
        uint32_t a;
        uint64_t lacking = 0;
        sync_patch *p = &patches[npatches];
        char plabel[32];
        history_version(&old, nold - 1 - i, &ov);
        if (!memcmp(ov.root, root, 32)) continue;
        /* what the chunk path would fetch instead: the new chunks the old version lacks */
        if (get_object(&s, ov.listing, SYNC_LISTING_MAX, &lbuf, &llen) == DX_OK) {
            if (listing_parse(&alg, lbuf, llen, ov.listing, ov.root, ov.size, &ol) == DX_OK) {
                uint8_t *nbuf;
                size_t nlen;
                if (get_object(&s, nv.listing, SYNC_LISTING_MAX, &nbuf, &nlen) == DX_OK) {
                    if (listing_parse(&alg, nbuf, nlen, nv.listing, nv.root, nv.size, &nl) == DX_OK) {
                        if (ol.count) qsort(ol.ids, (size_t)ol.count, 32, digest_cmp); /* its order is not needed here */
                        for (a = 0; a < nl.count; a++)
                            if (!ol.count || !bsearch(nl.ids[a], ol.ids, (size_t)ol.count, 32, digest_cmp)) lacking += nl.lens[a];
                        listing_free(&nl);
                    }
                    free(nbuf);
                }
                listing_free(&ol);
            }
            free(lbuf);
        }
        p->chunk_bytes = lacking + nv.listing_size; /* a patch is worth keeping below that */
        base.len = 0, base.cap = (size_t)ov.size;
        if (!(base.p = (uint8_t *)malloc((size_t)ov.size + 1))) continue;
        mid = id_of(ov.manifest);
        if ((r = dx_cas_blob_read(&s, &mid, NULL, membuf_write, &base, NULL)) != DX_OK || base.len != ov.size) {
            tool_warn("version %u of %s does not read (%s): no patch from it", (unsigned)(nold - i), name, dx_cas_result_name(r));
            free(base.p);
            continue;
        }
        memset(&pc, 0, sizeof pc);
        pc.level = (int)level;
        if (tool_cpus() > 1) pc.thread_start = tool_thread_start, pc.thread_join = tool_thread_join; /* the same patch, sooner */
        pc.progress = patch_progress; /* the patch search takes minutes for a large blob */
        cap = dx_patch_bound(base.len, data.len, &pc);
        if (cap >= p->chunk_bytes) cap = (size_t)p->chunk_bytes - 1; /* a larger patch is never sent: not made */
        if (!(pbuf = (uint8_t *)malloc(cap))) {
            free(base.p);
            continue;
        }
        snprintf(plabel, sizeof plabel, "patch from v%u", (unsigned)(nold - i));
        tool_progress_start(plabel, data.len, "MiB");
        plen = dx_patch_diff_auto(&pc, base.p, base.len, data.p, data.len, pbuf, cap, &mode);
        tool_progress_end(plen >= 0);
        free(base.p);
        /* no smaller than fetching the chunks (with its listing where it is too large to come inline: about 44
           bytes a 16 KiB chunk): the server would never offer it (random data, say, a raw copy of the new bytes) */
        if (plen == DX_ERR_NOSPACE ||
            (plen > SYNC_INLINE_MAX && (uint64_t)plen + (uint64_t)plen / 372 + 1024 >= p->chunk_bytes)) {
            free(pbuf);
            not_smaller++;
            continue;
        }
        if (plen < 0 || (r = put_blob(&s, pbuf, (size_t)plen, &pman, p->patch_root)) != DX_OK ||
            (r = store_listing(&s, &pman, p->listing, &p->listing_size)) != DX_OK) {
            tool_warn("no patch from version %u of %s: %s", (unsigned)(nold - i), name,
                      plen < 0 ? dx_patch_result_name((dx_result)plen) : store_error(&d, r));
            free(pbuf);
            continue;
        }
        free(pbuf);
        memcpy(p->from_root, ov.root, 32);
        p->patch_size = (uint64_t)plen, p->mode = mode;
        npatches++;
    }
    {
        dx_tp_writer w;
        dx_tp_writer_config wc;
        sync_history hh;
        sync_version *vs;
        const uint8_t *hb;
        size_t hl;
        memset(&wc, 0, sizeof wc);
        wc.checksum = true;
        dx_tp_writer_create(&w, &wc);
        dx_tp_writer_add_layout(&w, &version_layout);
        dx_tp_writer_add_layout(&w, &patch_layout);
        dx_tp_writer_add_layout(&w, &history_layout);
        memset(&hh, 0, sizeof hh);
        vs = (sync_version *)dx_tp_writer_reserve(&w, T_VERSION, nold + 1, &hh.versions);
        for (i = 0; vs && i < nold; i++) history_version(&old, i, &vs[i]);
        if (vs) vs[nold] = nv;
        if (npatches) hh.patches = dx_tp_write_slice(&w, T_PATCH, patches, npatches);
        hh.name = dx_tp_write_cstr(&w, name);
        hh.published = (have_old ? old.h.published : 0) + 1;
        dx_tp_writer_set_root(&w, T_HISTORY, dx_tp_write(&w, T_HISTORY, &hh));
        r = dx_tp_writer_finish(&w, &hb, &hl);
        if (r == DX_OK) r = dx_cas_store_put(&s, hb, hl, &hid);
        dx_tp_writer_destroy(&w);
    }
    if (have_old) free(old.buf);
    if (r == DX_OK) r = dx_cas_store_sync(&s); /* everything the history names is durable before the ref moves */
    if (r == DX_OK) r = dx_cas_dir_ref_set(&d, name, &hid);
    if (r != DX_OK) {
        tool_fail("cannot record the new version of %s in %s: %s", name, store_path, store_error(&d, r));
        goto out;
    }
    {
        char hx[17];
        hex(root, 8, hx);
        printf("%s: version %u, %llu bytes, root %s...; %u patch%s", name, (unsigned)(nold + 1), (unsigned long long)data.len, hx,
               (unsigned)npatches, npatches == 1 ? "" : "es");
        for (i = 0; i < npatches; i++)
            printf("%s%llu B", i ? ", " : " (", (unsigned long long)patches[i].patch_size);
        if (npatches) printf(")");
        if (not_smaller) printf(", %u not kept (no smaller than fetching the chunks)", (unsigned)not_smaller);
        printf("; %.2f s\n", tool_now() - t0);
    }
    rc = fflush(stdout) == 0 && !ferror(stdout) ? TOOL_EXIT_OK /* published: a report that cannot be written does not undo it */
         : tool_fail("%s is published (version %u), but standard output cannot be written", name, (unsigned)(nold + 1));
out:
    free(patches);
    free(data.p);
    dx_cas_dir_close(&d);
    if (lock_fd >= 0) close(lock_fd); /* the lock goes with it */
    return rc;
}

/* ---- serve ---- */

/* An object sent inline in offers, kept for the next client (the clients of
   one update all ask for the same): a buffer of SYNC_INLINE_MAX bytes. */
typedef struct kept_object {
    uint8_t *buf;
    uint8_t name[32]; /* the patch's root, the listing's digest */
    size_t len;       /* 0: none kept */
} kept_object;

#define ZMAPS_KEPT 8
#define ZMAP_LOAD_MAX (4u << 20) /* a zmap a worker holds, at most: 65,536 chunks, about 1 GiB of blob */

typedef struct worker_state {
    dx_cas_dir dir;
    dx_cas_store store;
    bool open;
    uint8_t obj_digest[32]; /* the last object read, kept for the next range of it */
    uint8_t *obj;
    size_t obj_len, obj_cap;
    bool obj_valid;
    uint8_t *damage;        /* --corrupt-patches: digests of patch chunks (sorted), count */
    size_t damage_count;
    uint8_t damage_history[32];
    history hist;           /* the last history read, kept while its ref names it */
    char hist_name[SYNC_NAME_MAX + 1];
    bool hist_valid;
    uint8_t *offer;         /* an offer being written: SYNC_OFFER_MAX bytes */
    kept_object patch, listing; /* the last patch and listing sent inline */
#if SYNC_ZSTD
    struct {                /* the chunks kept compressed (STORE: zmap) of the names asked about lately */
        char name[SYNC_NAME_MAX + 1];
        uint8_t version[32]; /* the root of the newest version, whose zmap this is */
        uint8_t *zmap;
        size_t n;
        uint64_t used;       /* for the least recently used to go */
    } zmaps[ZMAPS_KEPT];
    uint64_t zmap_clock;
    ZSTD_CCtx *cctx;        /* READ flag 1: answers compressed at level 1 where no copy is kept */
    ZSTD_CCtx *offer_cctx;  /* QUERY flag 4: offers compressed at OFFER_ZSTD_LEVEL */
    uint8_t *zbuf;
    size_t zcap;
    uint32_t zskip, zbackoff; /* after chunks that did not compress, the next few are not tried */
#endif
} worker_state;

#define WORKERS_MAX 256
static worker_state *wstates[WORKERS_MAX];
static const char *serve_store;
static bool setup_failed, corrupt_patches;
static dx_net_server server;

static void setup_worker(dx_net_worker *w, dx_hbtp_conn_config *conn, void *user) {
    worker_state *ws = w->index < WORKERS_MAX ? (worker_state *)calloc(1, sizeof *ws) : NULL;
    (void)conn, (void)user;
    if (ws && (!(ws->offer = (uint8_t *)malloc(SYNC_OFFER_MAX)) || !(ws->patch.buf = (uint8_t *)malloc(SYNC_INLINE_MAX)) ||
               !(ws->listing.buf = (uint8_t *)malloc(SYNC_INLINE_MAX)))) {
        free(ws->offer), free(ws->patch.buf), free(ws);
        ws = NULL;
    }
    if (!ws || open_store(&ws->dir, &ws->store, serve_store, true, false) != TOOL_EXIT_OK) {
        if (ws) free(ws->offer), free(ws->patch.buf), free(ws->listing.buf);
        free(ws);
        setup_failed = true;
        return;
    }
    ws->open = true;
    w->user = ws;
    wstates[w->index] = ws;
}

static worker_state *state_of(dx_hbtp_request *req) { return (worker_state *)dx_net_conn_of(req->conn)->worker->user; }

/* NAME's history: the ref read each time (a publish moves it), the history itself
   only when the ref names another. */
static dx_result worker_history(worker_state *ws, const char *name, const history **out) {
    dx_cas_id id;
    dx_result r = dx_cas_dir_ref_get(&ws->dir, name, &id);
    if (r != DX_OK) return r;
    if (!ws->hist_valid || strcmp(ws->hist_name, name) != 0 || memcmp(ws->hist.digest, id.digest, 32) != 0) {
        if (ws->hist_valid) free(ws->hist.buf);
        ws->hist_valid = false;
        /* the name is there (its ref): a history the store cannot give is the store's fault, not "no such name" */
        if ((r = history_load(&ws->dir, &ws->store, name, &ws->hist)) != DX_OK) return r == DX_ERR_NOTFOUND ? DX_ERR_CORRUPT : r;
        if (ws->hist.h.versions.count == 0) {
            free(ws->hist.buf);
            return DX_ERR_CORRUPT;
        }
        strcpy(ws->hist_name, name);
        ws->hist_valid = true;
    }
    *out = &ws->hist;
    return DX_OK;
}

/* --corrupt-patches: the chunk digests of every patch the history offers. */
static void damage_collect(worker_state *ws, const history *h) {
    uint32_t i;
    if (!memcmp(ws->damage_history, h->digest, 32)) return;
    free(ws->damage);
    ws->damage = NULL, ws->damage_count = 0;
    memcpy(ws->damage_history, h->digest, 32);
    for (i = 0; i < h->h.patches.count; i++) {
        sync_patch p;
        uint8_t *buf;
        size_t len;
        listing l;
        history_patch(h, i, &p);
        if (get_object(&ws->store, p.listing, SYNC_LISTING_MAX, &buf, &len) != DX_OK) continue;
        if (listing_parse(&alg, buf, len, p.listing, p.patch_root, p.patch_size, &l) == DX_OK) {
            size_t n = (size_t)l.count; /* a size on a 32-bit host too: else left out */
            uint8_t *more = n == l.count && n <= (SIZE_MAX - 1) / 32 - ws->damage_count
                                ? (uint8_t *)realloc(ws->damage, (ws->damage_count + n) * 32 + 1) : NULL;
            if (more) {
                memcpy(more + ws->damage_count * 32, l.ids, n * 32);
                ws->damage = more, ws->damage_count += n;
            }
            listing_free(&l);
        }
        free(buf);
    }
    if (ws->damage_count) qsort(ws->damage, ws->damage_count, 32, digest_cmp);
}

/* --corrupt-patches: is this object (a 32-byte digest) one whose READs are damaged? */
static bool damaged(const worker_state *ws, const uint8_t *digest) {
    return corrupt_patches && ws->damage_count && bsearch(digest, ws->damage, ws->damage_count, 32, digest_cmp);
}

/* A patch's bytes (at most SYNC_INLINE_MAX), put together from its chunks, for
   an offer that carries it (QUERY flag 2), in ws->patch. */
static dx_result inline_patch(worker_state *ws, const sync_patch *p) {
    uint8_t *buf;
    size_t len, at = 0;
    uint64_t i;
    listing l;
    dx_result r;
    if (ws->patch.len == p->patch_size && !memcmp(ws->patch.name, p->patch_root, 32)) return DX_OK;
    ws->patch.len = 0;
    if (p->patch_size == 0 || p->patch_size > SYNC_INLINE_MAX) return DX_ERR_LIMIT;
    if ((r = get_object(&ws->store, p->listing, SYNC_LISTING_MAX, &buf, &len)) != DX_OK) return r;
    r = listing_parse(&alg, buf, len, p->listing, p->patch_root, p->patch_size, &l);
    free(buf);
    if (r != DX_OK) return r;
    for (i = 0; i < l.count && r == DX_OK; i++) { /* the listing checked: the lengths add up to patch_size */
        dx_cas_id id = id_of(l.ids[i]);
        int64_t n = dx_cas_store_get(&ws->store, &id, ws->patch.buf + at, SYNC_INLINE_MAX - at);
        if (n != (int64_t)l.lens[i]) r = n < 0 ? (dx_result)n : DX_ERR_CORRUPT;
        at += l.lens[i];
    }
    listing_free(&l);
    if (r != DX_OK) return r;
    memcpy(ws->patch.name, p->patch_root, 32);
    ws->patch.len = at;
    return DX_OK;
}

/* Whether patch p has no zstd frames (its header's flags lack DX_PATCH_FLAG_ZSTD), for a client that
   applies no others (QUERY flag 8): its first chunk read for the header; false where that does not read. */
static bool patch_plain(worker_state *ws, const sync_patch *p) {
    uint8_t *buf;
    size_t len;
    listing l;
    bool plain = false;
    if (ws->patch.len == p->patch_size && !memcmp(ws->patch.name, p->patch_root, 32)) /* read whole already */
        return ws->patch.len >= DX_PATCH_HEADER_SIZE &&
               !(dx_load_u32le(ws->patch.buf + DX_PATCH_HEADER_OFF_FLAGS) & DX_PATCH_FLAG_ZSTD);
    if (get_object(&ws->store, p->listing, SYNC_LISTING_MAX, &buf, &len) != DX_OK) return false;
    if (listing_parse(&alg, buf, len, p->listing, p->patch_root, p->patch_size, &l) != DX_OK) return free(buf), false;
    free(buf);
    if (l.count && l.lens[0] >= DX_PATCH_HEADER_SIZE) { /* the header in the first chunk (FastCDC's are 4 KiB or more) */
        dx_cas_id id = id_of(l.ids[0]);
        uint8_t *chunk = (uint8_t *)malloc(l.lens[0]);
        if (chunk && dx_cas_store_get(&ws->store, &id, chunk, l.lens[0]) == (int64_t)l.lens[0])
            plain = !(dx_load_u32le(chunk + DX_PATCH_HEADER_OFF_FLAGS) & DX_PATCH_FLAG_ZSTD);
        free(chunk);
    }
    listing_free(&l);
    return plain;
}

/* The newest version's listing (at most SYNC_INLINE_MAX bytes) for a CHUNKS
   offer that carries it (QUERY flag 2), in ws->listing. */
static dx_result inline_listing(worker_state *ws, const sync_version *v) {
    dx_cas_id id = id_of(v->listing);
    int64_t n;
    if (ws->listing.len == v->listing_size && !memcmp(ws->listing.name, v->listing, 32)) return DX_OK;
    ws->listing.len = 0;
    if (v->listing_size == 0 || v->listing_size > SYNC_INLINE_MAX) return DX_ERR_LIMIT;
    if ((n = dx_cas_store_get(&ws->store, &id, ws->listing.buf, SYNC_INLINE_MAX)) < 0) return (dx_result)n;
    if ((uint64_t)n != v->listing_size) return DX_ERR_CORRUPT;
    memcpy(ws->listing.name, v->listing, 32);
    ws->listing.len = (size_t)n;
    return DX_OK;
}

#if SYNC_ZSTD
/* NAME's newest version's zmap among those the worker keeps (its READs of
   whole chunks, flag 1, answered with the kept copies); a zmap that does not
   read is not used: the server compresses as it answers. */
static void zmap_remember(worker_state *ws, const char *name, const sync_version *v) {
    unsigned i, slot = 0;
    size_t len;
    for (i = 0; i < ZMAPS_KEPT; i++) {
        if (!strcmp(ws->zmaps[i].name, name)) {
            slot = i;
            break;
        }
        if (ws->zmaps[i].used < ws->zmaps[slot].used) slot = i;
    }
    ws->zmaps[slot].used = ++ws->zmap_clock;
    if (!strcmp(ws->zmaps[slot].name, name) && !memcmp(ws->zmaps[slot].version, v->root, 32)) return;
    free(ws->zmaps[slot].zmap);
    ws->zmaps[slot].zmap = NULL, ws->zmaps[slot].n = 0;
    strcpy(ws->zmaps[slot].name, name);
    memcpy(ws->zmaps[slot].version, v->root, 32);
    if (v->zmap_size && get_object(&ws->store, v->zmap, ZMAP_LOAD_MAX, &ws->zmaps[slot].zmap, &len) == DX_OK) {
        if (zmap_ok(ws->zmaps[slot].zmap, len)) ws->zmaps[slot].n = len / SYNC_ZMAP_ENTRY;
        else free(ws->zmaps[slot].zmap), ws->zmaps[slot].zmap = NULL;
    }
}

/* The kept compressed copy of a chunk (its object's digest), or NULL */
static const uint8_t *zmap_find(const worker_state *ws, const uint8_t digest[32]) {
    unsigned i;
    for (i = 0; i < ZMAPS_KEPT; i++) {
        const uint8_t *e = ws->zmaps[i].n ? (const uint8_t *)bsearch(digest, ws->zmaps[i].zmap, ws->zmaps[i].n, SYNC_ZMAP_ENTRY, digest_cmp) : NULL;
        if (e) return e + 32;
    }
    return NULL;
}

/* room for a compressed answer of n bytes */
static bool zbuf_room(worker_state *ws, size_t n) {
    if (n > ws->zcap) {
        uint8_t *p = (uint8_t *)realloc(ws->zbuf, n);
        if (!p) return false;
        ws->zbuf = p, ws->zcap = n;
    }
    return true;
}

/* QUERY flag 4: the offer (len bytes) as one zstd frame in an RPC_RESPONSE with
   COMPRESSED set (true, *r the answer's result), where that is smaller; else
   false. Its dx_teleport schema is most of a small offer's bytes, and text:
   971 -> 577 bytes for a patch of 85. */
static bool reply_compressed(worker_state *ws, dx_hbtp_request *req, const uint8_t *offer, size_t len, dx_result *r) {
    size_t z;
    uint8_t *p;
    if (!ws->offer_cctx && (ws->offer_cctx = ZSTD_createCCtx()) != NULL)
        ZSTD_CCtx_setParameter(ws->offer_cctx, ZSTD_c_compressionLevel, OFFER_ZSTD_LEVEL);
    if (!ws->offer_cctx || !zbuf_room(ws, ZSTD_compressBound(len))) return false;
    z = ZSTD_compress2(ws->offer_cctx, ws->zbuf, ws->zcap, offer, len);
    if (ZSTD_isError(z) || z >= len) return false;
    if (!(p = dx_hbtp_resp_begin(req->resp, DX_HBTP_OP_RPC_RESPONSE, DX_HBTP_FLAG_COMPRESSED, req->frame->stream,
                                 DX_HBTP_RPC_SIZE + z))) {
        *r = req->resp->error;
        return true;
    }
    dx_store_u32le(p + DX_HBTP_RPC_OFF_METHOD, M_QUERY);
    memcpy(p + DX_HBTP_RPC_SIZE, ws->zbuf, z);
    *r = dx_hbtp_resp_end(req->resp, DX_HBTP_RPC_SIZE + z);
    return true;
}
#endif

static dx_result h_query(dx_hbtp_request *req, void *user) {
    worker_state *ws = state_of(req);
    query qy;
    const char *name = qy.name;
    const uint8_t *held = qy.root;
    const history *h;
    sync_version newest;
    sync_offer o;
    dx_result r;
    uint32_t n, i;
    bool with_patch = false, with_listing; /* the patch's bytes, the listing's, in the offer */
    (void)user;
    r = query_parse(req->body, req->body_len, &qy);
    if (r == DX_ERR_UNSUPPORTED)
        return dx_hbtp_reply_error(req, DX_HBTP_CODE_BAD_REQUEST, "dx_sync protocol version 2 only: update the client");
    if (r != DX_OK) return dx_hbtp_reply_error(req, DX_HBTP_CODE_BAD_REQUEST, "bad QUERY");
    r = worker_history(ws, name, &h);
    if (r == DX_ERR_NOTFOUND) return dx_hbtp_reply_error(req, E_NO_NAME, "no such name");
    if (r != DX_OK) return dx_hbtp_reply_error(req, DX_HBTP_CODE_INTERNAL, "the store does not read");
    n = h->h.versions.count;
    history_version(h, n - 1, &newest);
#if SYNC_ZSTD
    zmap_remember(ws, name, &newest);
#endif
    if (qy.have && !memcmp(held, newest.root, 32))
        return dx_hbtp_resp_not_modified(req->resp, req->frame->stream, newest.root, 32);
    memset(&o, 0, sizeof o);
    o.kind = OFFER_CHUNKS, o.versions = n;
    memcpy(o.root, newest.root, 32);
    memcpy(o.listing, newest.listing, 32);
    o.size = newest.size, o.listing_size = newest.listing_size, o.published_ns = newest.published_ns;
    for (i = 0; qy.have && i < h->h.patches.count; i++) {
        sync_patch p;
        history_patch(h, i, &p);
        if (memcmp(p.from_root, held, 32) != 0) continue;
        o.chunk_bytes = p.chunk_bytes;
        if (qy.plain_only && !patch_plain(ws, &p)) break; /* a client without zstd: the chunks, not a patch it cannot apply */
        /* inline where the client takes it and the offer fits the payload it accepts (an offer without is under 1 KiB) */
        with_patch = qy.take_inline && p.patch_size <= SYNC_INLINE_MAX && p.patch_size + 1024 <= req->conn->max_payload &&
                     inline_patch(ws, &p) == DX_OK; /* else the client READs it, as from a server without */
        if (p.patch_size + (with_patch ? 0 : p.listing_size) < p.chunk_bytes) { /* the server's choice: the fewer bytes */
            o.kind = OFFER_PATCH;
            memcpy(o.patch_listing, p.listing, 32);
            memcpy(o.patch_root, p.patch_root, 32);
            o.patch_listing_size = p.listing_size, o.patch_size = p.patch_size;
        } else with_patch = false;
        break;
    }
    /* a listing inline in a CHUNKS offer, on the same terms */
    with_listing = o.kind == OFFER_CHUNKS && qy.take_inline && newest.listing_size <= SYNC_INLINE_MAX &&
                   newest.listing_size + 1024 <= req->conn->max_payload && inline_listing(ws, &newest) == DX_OK;
    if (corrupt_patches) damage_collect(ws, h);
    {
        dx_tp_writer w;
        dx_tp_writer_config wc;
        const uint8_t *buf;
        size_t len;
        memset(&wc, 0, sizeof wc);
        wc.checksum = true;
        if (dx_tp_writer_init(&w, &wc, ws->offer, SYNC_OFFER_MAX) != DX_OK) return DX_ERR_INVAL;
        dx_tp_writer_add_layout(&w, &offer_layout);
        o.name = dx_tp_write_cstr(&w, name);
        if (with_patch) {
            size_t mid = ws->patch.len / 2;
            if (corrupt_patches) ws->patch.buf[mid] ^= 0x40; /* --corrupt-patches: as on READ, one byte of it */
            o.patch_inline = dx_tp_write_string(&w, (const char *)ws->patch.buf, ws->patch.len);
            if (corrupt_patches) ws->patch.buf[mid] ^= 0x40;
        }
        if (with_listing) o.listing_inline = dx_tp_write_string(&w, (const char *)ws->listing.buf, ws->listing.len);
        dx_tp_writer_set_root(&w, T_OFFER, dx_tp_write(&w, T_OFFER, &o));
        if ((r = dx_tp_writer_finish(&w, &buf, &len)) != DX_OK) return r;
#if SYNC_ZSTD
        if (qy.take_zstd && reply_compressed(ws, req, buf, len, &r)) return r;
#endif
        return dx_hbtp_reply(req, buf, len);
    }
}

#if SYNC_ZSTD
/* A READ of a whole chunk (obj_len bytes) that takes it compressed, where a zmap
   the worker holds keeps a copy: answered with those bytes (true, *r the
   answer's result), without reading the chunk itself; else false. */
static bool read_kept(worker_state *ws, dx_hbtp_request *req, uint64_t off, uint32_t len, uint64_t obj_len, dx_result *r) {
    const uint8_t *b = req->body, *e;
    dx_cas_id zid;
    int64_t z;
    if (req->body_len != 45 || !(b[44] & 1) || off != 0 || len != obj_len) return false;
    if (damaged(ws, b)) return false;
    if (!(e = zmap_find(ws, b)) || !zbuf_room(ws, ZSTD_compressBound(len))) return false;
    zid = id_of(e);
    z = dx_cas_store_get(&ws->store, &zid, ws->zbuf, ws->zcap);
    if (z <= 0 || (uint64_t)z >= len) return false; /* as if none were kept */
    *r = dx_hbtp_resp_frame(req->resp, DX_HBTP_OP_STREAM_END, DX_HBTP_FLAG_END_STREAM | DX_HBTP_FLAG_COMPRESSED,
                            req->frame->stream, ws->zbuf, (uint32_t)z);
    return true;
}
#endif

static dx_result h_read(dx_hbtp_request *req, void *user) {
    worker_state *ws = state_of(req);
    const uint8_t *b = req->body;
    uint64_t off;
    uint32_t len;
    dx_result r;
#if SYNC_ZSTD
    bool tried_kept = false; /* read_kept asked before the chunk was loaded */
#endif
    (void)user;
    if ((req->body_len != 44 && req->body_len != 45) || (req->body_len == 45 && (b[44] & ~1u)))
        return dx_hbtp_reply_error(req, DX_HBTP_CODE_BAD_REQUEST, "bad READ");
    off = dx_load_u64le(b + 32), len = dx_load_u32le(b + 40);
    if (len == 0 || len > SYNC_READ_MAX) return dx_hbtp_reply_error(req, DX_HBTP_CODE_BAD_REQUEST, "bad READ length");
    if (!ws->obj_valid || memcmp(ws->obj_digest, b, 32) != 0) {
        dx_cas_id id = id_of(b);
        int64_t n = dx_cas_store_has(&ws->store, &id);
        ws->obj_valid = false;
        if (n == DX_ERR_NOTFOUND) return dx_hbtp_reply_error(req, E_NO_OBJECT, "no such object");
        if (n < 0 || n > (int64_t)SYNC_LISTING_MAX) return dx_hbtp_reply_error(req, DX_HBTP_CODE_INTERNAL, "the object does not read");
#if SYNC_ZSTD
        if (read_kept(ws, req, off, len, (uint64_t)n, &r)) return r; /* the chunk itself is not read */
        tried_kept = true;
#endif
        if ((size_t)n > ws->obj_cap) {
            uint8_t *p = (uint8_t *)realloc(ws->obj, (size_t)n + 1);
            if (!p) return dx_hbtp_reply_error(req, DX_HBTP_CODE_INTERNAL, "out of memory");
            ws->obj = p, ws->obj_cap = (size_t)n;
        }
        n = dx_cas_store_get(&ws->store, &id, ws->obj, ws->obj_cap + 1);
        if (n < 0) return dx_hbtp_reply_error(req, DX_HBTP_CODE_INTERNAL, "the object does not read");
        memcpy(ws->obj_digest, b, 32);
        ws->obj_len = (size_t)n, ws->obj_valid = true;
    }
    if (off > ws->obj_len || len > ws->obj_len - off) return dx_hbtp_reply_error(req, E_RANGE, "outside the object");
    if (damaged(ws, b)) {
        size_t at = req->resp->len + 8 + (size_t)(len / 2);
        r = dx_hbtp_resp_chunk(req->resp, req->frame->stream, ws->obj + off, len, true);
        if (r == DX_OK && at < req->resp->len) req->resp->buf[at] ^= 0x40; /* one byte of the payload, as a bad link would */
        return r;
    }
#if SYNC_ZSTD
    if (!tried_kept && read_kept(ws, req, off, len, ws->obj_len, &r)) return r; /* the chunk the READ before loaded */
    if (req->body_len == 45 && (b[44] & 1) && ws->zskip) {
        ws->zskip--; /* incompressible data lately (media, archives, encrypted): not tried, up to 64 chunks */
    } else if (req->body_len == 45 && (b[44] & 1)) { /* the client takes it compressed: where that saves a tenth or more */
        size_t bound = ZSTD_compressBound(len), z;
        if (!ws->cctx && (ws->cctx = ZSTD_createCCtx()) != NULL) ZSTD_CCtx_setParameter(ws->cctx, ZSTD_c_compressionLevel, 1);
        if (ws->cctx && zbuf_room(ws, bound)) {
            z = ZSTD_compress2(ws->cctx, ws->zbuf, ws->zcap, ws->obj + off, len);
            if (ZSTD_isError(z) || z >= len - len / 10) {
                ws->zbackoff = ws->zbackoff ? (ws->zbackoff < 64 ? ws->zbackoff * 2 : 64) : 1;
                ws->zskip = ws->zbackoff;
            } else {
                ws->zbackoff = 0;
                return dx_hbtp_resp_frame(req->resp, DX_HBTP_OP_STREAM_END, DX_HBTP_FLAG_END_STREAM | DX_HBTP_FLAG_COMPRESSED,
                                          req->frame->stream, ws->zbuf, (uint32_t)z);
            }
        }
    }
#endif
    return dx_hbtp_resp_chunk(req->resp, req->frame->stream, ws->obj + off, len, true);
}

static sigset_t signals_old;
static void on_signal(int sig) {
    (void)sig;
    dx_net_server_shutdown(&server);
}

static int cmd_serve(int argc, char **argv) {
    const char *v, *host = "127.0.0.1";
    uint64_t port = SYNC_DEFAULT_PORT, workers = 0, maxc = 256;
    dx_hbtp_route methods[M_COUNT];
    dx_hbtp_router router;
    dx_net_server_config cfg;
    dx_net_counters ct;
    dx_result rc;
    struct sigaction sa;
    sigset_t block;
    uint32_t i;
    int k;
    for (k = 2; k < argc; k++) {
        bool missing = false;
        const char *a = argv[k];
        COMMAND_OPTS(a)
        if ((v = tool_opt_value(argc, argv, &k, "--store", &missing))) serve_store = v;
        else if ((v = tool_opt_value(argc, argv, &k, "--port", &missing))) {
            if (tool_parse_u64(v, 0, 65535, false, &port) != 0) return tool_usage_error("--port must be 0 to 65535, not \"%s\"", v);
        } else if ((v = tool_opt_value(argc, argv, &k, "--workers", &missing))) {
            if (tool_parse_u64(v, 1, WORKERS_MAX, false, &workers) != 0) return tool_usage_error("--workers must be 1 to 256, not \"%s\"", v);
        } else if ((v = tool_opt_value(argc, argv, &k, "--max-connections", &missing))) {
            if (tool_parse_u64(v, 1, 65536, false, &maxc) != 0) return tool_usage_error("--max-connections must be 1 to 65536, not \"%s\"", v);
        } else if ((v = tool_opt_value(argc, argv, &k, "--host", &missing))) host = v;
        else if (!strcmp(a, "--corrupt-patches")) corrupt_patches = true;
        else if (missing) return tool_usage_error("%s needs a value", a);
        else return tool_usage_error("unknown argument %s", a);
    }
    if (!serve_store || !*serve_store) return tool_usage_error("serve needs --store DIR");
    {   /* a mistyped path, or a store of format 1, is an error now, not at the first request */
        dx_cas_dir d;
        dx_cas_store s;
        char format1[SYNC_NAME_MAX + 1] = "";
        if (open_store(&d, &s, serve_store, true, false) != TOOL_EXIT_OK) return TOOL_EXIT_FAIL;
        dx_cas_dir_ref_list(&d, find_format1, format1);
        dx_cas_dir_close(&d);
        if (format1[0]) return tool_fail(FORMAT1_TEXT, serve_store, format1);
    }
    {   /* a name serves on its first address (say, 127.0.0.1 for localhost where /etc/hosts lists it first) */
        static tool_host_addr addrs[TOOL_HOST_ADDRS];
        const char *why = "";
        if (tool_host_resolve(host, addrs, &why) == 0) return tool_fail("cannot serve on %s: %s", host, why);
        host = addrs[0];
    }
    dx_hbtp_router_init(&router, methods, M_COUNT);
    dx_hbtp_router_method(&router, M_QUERY, h_query, NULL);
    dx_hbtp_router_method(&router, M_READ, h_read, NULL);
    memset(&cfg, 0, sizeof cfg);
    cfg.host = host;
    cfg.port = (uint16_t)port;
    cfg.workers = (uint32_t)workers;
    cfg.max_connections = (uint32_t)maxc;
    cfg.setup_worker = setup_worker;
    cfg.conn.router = &router;
    cfg.conn.max_payload = SYNC_MAX_PAYLOAD;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &signals_old); /* the workers inherit it: the main thread takes them */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    rc = dx_net_server_start(&server, &cfg);
    if (rc == DX_OK && setup_failed) { /* a worker's store did not open (open_store said why), or no memory for it */
        dx_net_server_stop(&server);
        return tool_fail("cannot serve on %s port %u: a worker could not open the store", host, (unsigned)port);
    }
    if (rc == DX_ERR_NOMEM) /* dx_net takes each worker's connections' memory up front */
        return tool_fail("cannot serve on %s port %u: out of memory for %u connections in each of %u workers (every one reserved "
                         "up front): fewer --workers or --max-connections", host, (unsigned)port, (unsigned)maxc,
                         workers ? (unsigned)workers : (unsigned)sysconf(_SC_NPROCESSORS_ONLN));
    if (rc == DX_REACTOR_ERR_ADDRINUSE) /* dx_net refuses a port taken, even by a listener that would share it */
        return tool_fail("cannot serve on %s port %u: %s", host, (unsigned)port, tool_addr_in_use_words(host));
    if (rc != DX_OK) return tool_fail("cannot serve on %s port %u: %s", host, (unsigned)port, dx_reactor_result_name(rc));
    printf("dx_sync: serving %s on %s port %u, %u workers, backend %s%s\n", serve_store, host, (unsigned)dx_net_server_port(&server),
           (unsigned)dx_net_server_workers(&server), dx_net_server_backend_name(&server),
           corrupt_patches ? " (corrupting every patch chunk it sends)" : "");
    fflush(stdout);
    while (dx_net_server_stops(&server) == 0) sigsuspend(&signals_old);
    pthread_sigmask(SIG_SETMASK, &signals_old, NULL);
    rc = dx_net_server_stop(&server);
    dx_net_server_counters(&server, UINT32_MAX, &ct);
    fprintf(stderr, "dx_sync: stopped: %llu connections, %llu requests, %llu bytes in, %llu out\n", (unsigned long long)ct.accepted,
            (unsigned long long)ct.requests, (unsigned long long)ct.bytes_in, (unsigned long long)ct.bytes_out);
    for (i = 0; i < WORKERS_MAX; i++)
        if (wstates[i]) {
            if (wstates[i]->open) dx_cas_dir_close(&wstates[i]->dir);
#if SYNC_ZSTD
            unsigned z;
            for (z = 0; z < ZMAPS_KEPT; z++) free(wstates[i]->zmaps[z].zmap);
            ZSTD_freeCCtx(wstates[i]->cctx), ZSTD_freeCCtx(wstates[i]->offer_cctx), free(wstates[i]->zbuf);
#endif
            if (wstates[i]->hist_valid) free(wstates[i]->hist.buf);
            free(wstates[i]->obj), free(wstates[i]->damage), free(wstates[i]->offer), free(wstates[i]->patch.buf);
            free(wstates[i]->listing.buf);
            free(wstates[i]);
        }
    return rc == DX_OK ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
}

/* ---- get ---- */

/* READs in flight: up to INFLIGHT chunks (HBTP's max in flight may be lower) whose bytes fit a ring of
   RING bytes, answers landing in the ring in order: about 64 x 16 KiB at once, 1 MiB of memory */
#define INFLIGHT 64
#define RING (1u << 20)

typedef struct seed { /* a chunk of OUT as it is: reusable without fetching it */
    uint8_t id[32];
    uint64_t offset;
    uint32_t length, pad;
} seed;

typedef struct slot {
    uint64_t index;
    uint32_t length;
    bool ready;
    dx_result error;     /* the answer's: DX_OK, damaged, or none came */
    uint8_t *buf;        /* in the ring */
    uint64_t end;        /* the ring position after it */
} slot;

typedef dx_result (*consume_fn)(void *user, const uint8_t *data, uint32_t len);

typedef struct getter {
    dx_net_sync net;
    dx_cas_dir dir;
    dx_cas_store cache;
    int out_fd;                  /* OUT as it was (the base and the seed), or -1 */
    seed *seeds;
    size_t seed_count;
    dx_cas_blob_writer man;      /* the new version's dx_cas manifest, built as its chunks come (in parts: one at a time) */
    bool man_open;
    dx_result man_error;         /* the cache could not take the manifest (man_add): the version goes unrecorded */
    char key[33];                /* OUT's name in the cache (out_key) */
#if SYNC_ZSTD
    ZSTD_DCtx *dctx;             /* compressed READ answers */
#endif
    slot slots[INFLIGHT];
    uint8_t *ring, *local;       /* answers in flight; a chunk from the cache or OUT */
    uint64_t ring_alloc, ring_free; /* ring positions (ever growing): next free byte, first byte in use */
    dx_result net_error;
    uint16_t net_code;
    bool listing_bad;            /* a listing the server sent did not check */
    uint64_t fetched, from_cache, from_seed, cached_since_sync;
    const char *out_path;
} getter;

static int seed_cmp(const void *a, const void *b) { return memcmp(a, b, 32); }

/* g->man: a dx_cas blob writer that is given the new version's chunks by id as they come
   (dx_cas_blob_writer_add: no bytes pass through it, so its chunker is the smallest), then
   stores the manifest, in parts past 1,024 chunks. */
static dx_result man_start(getter *g) {
    dx_cas_blob_writer_config c;
    dx_result r;
    if (g->man_open) dx_cas_blob_writer_destroy(&g->man), g->man_open = false;
    g->man_error = DX_OK;
    memset(&c, 0, sizeof c);
    c.store = &g->cache;
    c.chunker.min_size = 64, c.chunker.avg_size = 256, c.chunker.max_size = 1024;
    if ((r = dx_cas_blob_writer_create(&g->man, &c)) == DX_OK) g->man_open = true;
    return r;
}

static dx_result man_add(getter *g, const uint8_t id[32], uint32_t len) {
    dx_cas_id cid;
    dx_result r;
    if (g->man_error != DX_OK) return DX_OK; /* the cache could not take the manifest: the version is not recorded, the get goes on */
    cid.alg = SYNC_ALG;
    memcpy(cid.digest, id, 32);
    r = g->man_open ? dx_cas_blob_writer_add(&g->man, &cid, len) : DX_ERR_MISUSE;
    if (r != DX_OK && r != DX_ERR_MISUSE) { /* its parts are written into the cache as it grows: a read-only or full one */
        dx_cas_blob_writer_destroy(&g->man), g->man_open = false;
        g->man_error = r;
        return DX_OK;
    }
    return r;
}

/* the manifest stored: its root and size must be the version's */
static dx_result man_put(getter *g, const uint8_t root[32], uint64_t size, dx_cas_id *out) {
    uint8_t got[32];
    dx_result r = g->man_error != DX_OK ? g->man_error : g->man_open ? dx_cas_blob_writer_finish(&g->man, out, got) : DX_ERR_MISUSE;
    if (r == DX_OK && (memcmp(got, root, 32) != 0 || g->man.total != size)) r = DX_ERR_CORRUPT;
    return r;
}

static void man_end(getter *g) {
    if (g->man_open) dx_cas_blob_writer_destroy(&g->man), g->man_open = false;
}


static dx_result pread_all(int fd, void *buf, size_t len, uint64_t off);

/* A chunk into the cache, synced every 32 MiB: what was put survives an interrupted get (renames
   only), and the cache's table stays small (each sync merges it into packs/index past its 8,192
   entries; a batch left to grow would hold every chunk's entry until 1 GiB). */
static dx_result cache_put(dx_cas_store *s, const void *data, size_t len, dx_cas_id *out, uint64_t *since_sync) {
    dx_result r = dx_cas_store_put(s, data, len, out);
    if (r == DX_OK && (*since_sync += len) >= (32u << 20)) {
        dx_cas_store_sync(s);
        *since_sync = 0;
    }
    return r;
}

/* A client's seeds (48 bytes each) stay under SYNC_SEED_MAX (1.5 MiB): past that OUT's chunks go
   into the cache instead, so memory does not grow with OUT (the chunks the cache has already
   cost a lookup; the others are written once). */
#ifndef SYNC_SEED_MAX /* tests set it small, to take the other way */
#define SYNC_SEED_MAX 32768u
#endif

/* The seeds so far into the store: each chunk read again from fd. */
static dx_result seeds_spill(int fd, const seed *seeds, size_t count, dx_cas_store *into, uint64_t *since_sync) {
    uint8_t *chunk = (uint8_t *)malloc(SYNC_CHUNK_MAX);
    size_t i;
    dx_result r = chunk ? DX_OK : DX_ERR_NOMEM;
    for (i = 0; r == DX_OK && i < count; i++) {
        dx_cas_id id;
        id.alg = SYNC_ALG;
        memcpy(id.digest, seeds[i].id, 32);
        if (dx_cas_store_has(into, &id) >= 0) continue;
        if ((r = pread_all(fd, chunk, seeds[i].length, seeds[i].offset)) == DX_OK)
            r = cache_put(into, chunk, seeds[i].length, NULL, since_sync);
    }
    free(chunk);
    return r;
}

/* a scan's spill into the cache failed (its error): OUT's chunks past SYNC_SEED_MAX are fetched instead */
static dx_result spill_failed;

/* The root (ETag) of the file behind fd, read once from its start; with out, its
   chunks too (sorted by id, for lookups), up to SYNC_SEED_MAX of them: with spill, a
   file of more puts them all into spill instead (*out_count 0); with into, every
   chunk is put into that store; with record, every chunk is added to record's
   manifest. */
static dx_result scan_file(int fd, uint8_t root[32], seed **out, size_t *out_count, dx_cas_store *into, getter *record,
                           dx_cas_store *spill) {
    enum { CAP = SYNC_CHUNK_MAX + (256u << 10) };
    dx_cas_chunker ch;
    dx_cas_chunker_config cc;
    dx_cas_merkle tree;
    uint8_t *buf = (uint8_t *)malloc(CAP), leaf[32];
    seed *seeds = NULL;
    size_t have = 0, fed = 0, count = 0, cap = 0;
    uint64_t base = 0, chunk_start = 0, since_sync = 0; /* file offsets of buf[0] and of the chunk under way */
    bool eof = false, collect = out != NULL; /* collect: seeds are kept (until spilled) */
    dx_result r = DX_OK;
    if (!buf) return DX_ERR_NOMEM;
    memset(&cc, 0, sizeof cc);
    dx_cas_chunker_init(&ch, &cc);
    dx_cas_merkle_init(&tree, &alg);
    while (r == DX_OK) {
        dx_cas_chunk c;
        size_t used, keep;
        bool last = false;
        ssize_t n = read(fd, buf + have, CAP - have);
        if (n < 0) {
            if (errno == EINTR) continue;
            r = DX_ERR_IO;
            break;
        }
        eof = n == 0;
        have += (size_t)n;
        while (r == DX_OK) {
            bool cut = fed < have ? dx_cas_chunker_feed(&ch, buf + fed, have - fed, &used, &c) : false;
            if (cut) fed += used;
            else if (fed < have) fed = have;
            else if (eof && !last) cut = last = dx_cas_chunker_finish(&ch, &c), last = true;
            if (!cut) break;
            {
                dx_cas_id id;
                const uint8_t *p = buf + (c.offset - base);
                if (!into) dx_cas_id_hash(&alg, p, c.length, &id);
                else if ((r = cache_put(into, p, c.length, &id, &since_sync)) != DX_OK) { /* its hash is the id */
                    if (into == spill) spill_failed = r; /* the cache is full: OUT's chunks are fetched instead */
                    else if (record && record->man_error == DX_OK) record->man_error = r; /* the version goes unrecorded */
                    r = DX_OK, into = NULL;
                    dx_cas_id_hash(&alg, p, c.length, &id);
                }
                dx_cas_chunk_leaf(&alg, &id, leaf);
                dx_cas_merkle_push(&tree, leaf);
                if (record && (r = man_add(record, id.digest, (uint32_t)c.length)) != DX_OK) break;
                if (collect && spill && count == SYNC_SEED_MAX) { /* too many to keep: into the store, these and the rest */
                    dx_result e = seeds_spill(fd, seeds, count, spill, &since_sync);
                    free(seeds);
                    seeds = NULL, count = cap = 0, collect = false, into = spill;
                    if (e == DX_OK) e = cache_put(into, p, c.length, NULL, &since_sync); /* this chunk: hashed above */
                    if (e != DX_OK) spill_failed = e, into = NULL; /* the cache cannot take them (full, read-only): fetched instead */
                }
                if (collect) {
                    if (count == cap) {
                        seed *more = (seed *)realloc(seeds, (cap = cap ? cap * 2 : 256) * sizeof *seeds);
                        if (!more) {
                            r = DX_ERR_NOMEM;
                            break;
                        }
                        seeds = more;
                    }
                    memcpy(seeds[count].id, id.digest, 32);
                    seeds[count].offset = c.offset, seeds[count].length = c.length, seeds[count].pad = 0;
                    count++;
                }
                chunk_start = c.offset + c.length;
            }
        }
        if (eof) break;
        keep = (size_t)(base + have - chunk_start); /* the chunk under way stays in buf: at most a chunk */
        memmove(buf, buf + (chunk_start - base), keep);
        base = chunk_start, have = fed = keep;
    }
    free(buf);
    dx_cas_merkle_root(&tree, root);
    if (r != DX_OK || !out) {
        free(seeds);
        return r;
    }
    if (count) qsort(seeds, count, sizeof *seeds, seed_cmp);
    *out = seeds, *out_count = count;
    return DX_OK;
}

/* len bytes at off of fd, read or written whole (short transfers and EINTR retried) */
static dx_result pread_all(int fd, void *buf, size_t len, uint64_t off) {
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(fd, (uint8_t *)buf + done, len - done, (off_t)(off + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return DX_ERR_IO;
        done += (size_t)n;
    }
    return DX_OK;
}

/* why the last write of OUT's temporary file failed (errno: a full disk, a quota), or 0 */
static int out_write_errno;

static dx_result pwrite_all(int fd, const void *buf, size_t len, uint64_t off) {
    size_t done = 0;
    while (done < len) {
        ssize_t n = pwrite(fd, (const uint8_t *)buf + done, len - done, (off_t)(off + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            out_write_errno = n < 0 ? errno : ENOSPC;
            return DX_ERR_IO;
        }
        done += (size_t)n;
    }
    return DX_OK;
}

/* The new OUT's bytes are handed to the disk every 8 MiB as they are written
   (Linux: sync_file_range starts the write-back, without waiting), so that the
   fsync before the rename waits for the last few MiB, not for the whole file:
   a 256 MiB get spent 0.2 of its 0.86 s in that fsync. Elsewhere the fsync
   does it all. *started: the bytes handed so far; end: the bytes written. */
#define WRITEBACK_STEP (8u << 20)
static void writeback(int fd, uint64_t *started, uint64_t end) {
#if defined(__linux__) && defined(SYNC_FILE_RANGE_WRITE)
    while (end > *started && end - *started >= WRITEBACK_STEP) { /* a write behind the mark hands nothing */
        (void)sync_file_range(fd, (off_t)*started, WRITEBACK_STEP, SYNC_FILE_RANGE_WRITE); /* a hint: the fsync checks */
        *started += WRITEBACK_STEP;
    }
#else
    (void)fd, (void)started, (void)end;
#endif
}

/* One call, waited for: its answer's opcode and body (copied into out, at most cap bytes). */
typedef struct waited {
    bool done;
    dx_result result;
    uint16_t code;
    uint8_t opcode, flags;
    uint8_t *out;
    size_t cap, len;
} waited;

static void waited_reply(dx_net_client *c, const dx_net_reply *r, void *user) {
    waited *w = (waited *)user;
    (void)c;
    if (r->frame) { /* the wire format's answers are one frame each: one in pieces is not dx_sync's */
        size_t room = w->len < w->cap ? w->cap - w->len : 0, n = r->body_len < room ? r->body_len : room;
        w->opcode = r->frame->opcode, w->flags = r->frame->flags;
        if (n) memcpy(w->out + w->len, r->body, n); /* none where it is full: w->len may be past cap */
        w->len += r->body_len;
        if (!r->final && w->result == DX_OK) w->result = E_NOT_SYNC;
    }
    if (w->result == DX_OK) w->result = r->result;
    if (r->code) w->code = r->code;
    if (r->final) w->done = true;
}

static dx_result call_wait(getter *g, uint32_t method, const void *body, size_t len, waited *w) {
    int32_t rc;
    dx_result e;
    w->done = false, w->result = DX_OK, w->code = 0, w->opcode = 0, w->flags = 0, w->len = 0;
    /* READs in flight may fill HBTP's max in flight (the server's may be small) or the output: sent once an answer came */
    while ((rc = dx_net_client_call(&g->net.client, method, body, len, waited_reply, w)) == DX_ERR_BUSY || rc == DX_ERR_NOSPACE)
        if ((e = dx_reactor_run(&g->net.loop, DX_REACTOR_RUN_ONCE)) != DX_OK) return e;
    if (rc < 0) return rc;
    while (!w->done)
        if ((e = dx_reactor_run(&g->net.loop, DX_REACTOR_RUN_ONCE)) != DX_OK) return e;
    if (w->result == DX_OK && w->len > w->cap) return DX_ERR_NOSPACE;
    return w->result;
}

static void read_body(uint8_t body[44], const uint8_t digest[32], uint64_t off, uint32_t len) {
    memcpy(body, digest, 32);
    dx_store_u64le(body + 32, off);
    dx_store_u32le(body + 40, len);
}

static char timeout_text[96] = "timed out";

static const char *net_error_text(dx_result r, uint16_t code) {
    static char other[96];
    if (r == DX_NET_ERR_REMOTE) {
        if (code == E_NO_NAME) return "the server has no such name";
        if (code == E_NO_OBJECT) return "the server lacks an object it offered (published again meanwhile, or its store is damaged)";
        if (code == DX_HBTP_CODE_BAD_REQUEST) /* what a server of format 1 answers a QUERY of format 2 */
            return "the server refused the request (a dx_sync of another wire format? this one speaks format " TOOL_STR(SYNC_VERSION) ")";
        if (code == DX_HBTP_CODE_INTERNAL) return "the server cannot read its store (damaged?)";
        if (code == DX_HBTP_CODE_RATE_LIMITED) return "the server is busy (too many connections): try again later";
        if (code == E_RANGE) return "the server refused a READ's range (its listing and its objects disagree: a damaged store, or not a dx_sync serve)";
        if (code == DX_HBTP_CODE_PROTOCOL) return "the server refused a request as outside its protocol (it is shutting down, or not a dx_sync serve)";
        snprintf(other, sizeof other, "the server answered error %u", (unsigned)code);
        return other;
    }
    switch (r) {
    case DX_HBTP_ERR_PROTOCOL: case DX_HBTP_ERR_VERSION: case DX_HBTP_ERR_OPCODE: case DX_HBTP_ERR_TOO_LARGE:
        return "what came back is not dx_sync's protocol (HBTP): not a dx_sync serve, or damaged on the way";
    case DX_HBTP_ERR_REFUSED: return "the server refused the connection (busy: at its --max-connections?)";
    case DX_REACTOR_ERR_REFUSED: return "connection refused (no dx_sync serve on that address and port?)";
    case DX_REACTOR_ERR_UNREACHABLE: return "network or host unreachable";
    case DX_REACTOR_ERR_RESET: return "the connection was reset";
    case DX_ERR_TIMEOUT: return timeout_text;
    case DX_ERR_CLOSED: case DX_ERR_AGAIN: return "the server closed the connection"; /* AGAIN: a call after the close */
    case DX_HBTP_ERR_GOAWAY: return "the server is shutting down (it said GOAWAY): try again";
    case E_NOT_SYNC: return "the server's answer is not as dx_sync's wire format says (not a dx_sync serve?)";
    default: return r <= DX_HBTP_ERR_PROTOCOL && r > DX_HBTP_ERR_PROTOCOL - 100 ? dx_hbtp_result_name(r) : dx_reactor_result_name(r);
    }
}

/* A listing read a frame at a time (READs at growing offsets) and checked as it
   comes: the client holds two frames of it (the chunk being delivered and the
   reads ahead of it), never the whole. The next piece is asked for while the
   frames before it are used, so the chunks' pipeline does not wait for it.
   What a frame says is used before the whole listing is checked (its digest
   and root, at cursor_end), which is safe: every chunk is checked against its
   id, and nothing replaces OUT before the result's root is the offer's. */
typedef struct cursor {
    getter *g;
    listing_check check;
    uint8_t digest[32];
    uint64_t len, asked;   /* the listing's bytes; bytes asked for (pending included) */
    uint8_t *raw;          /* fetched, not yet a frame */
    size_t have;
    bool pending;          /* a READ of the next piece is in flight */
    bool failed;           /* that READ's answer was not the piece */
    uint32_t piece, got;   /* its length, and the bytes of it arrived */
    listing_frame *f[2];
    uint64_t fno[2];       /* the frame number f[k] holds, or NO_FRAME */
    uint64_t loaded;       /* frames checked */
} cursor;
#define NO_FRAME UINT64_MAX
#define CURSOR_RAW (SYNC_FRAME_MAX + SYNC_READ_MAX)

/* until the piece in flight has landed (or failed) */
static dx_result cursor_wait(cursor *c) {
    dx_result r = DX_OK;
    while (c->pending && (r = dx_reactor_run(&c->g->net.loop, DX_REACTOR_RUN_ONCE)) == DX_OK) {}
    return r;
}

static void cursor_close(cursor *c) {
    if (c->g) (void)cursor_wait(c); /* its answer lands in raw */
    free(c->raw), free(c->f[0]), free(c->f[1]);
    memset(c, 0, sizeof *c);
}

static void cursor_reply(dx_net_client *nc, const dx_net_reply *r, void *user) {
    cursor *c = (cursor *)user;
    (void)nc;
    if (r->result != DX_OK) {
        if (c->g->net_error == DX_OK) c->g->net_error = r->result, c->g->net_code = r->code;
        c->failed = true;
    } else if (!r->frame || r->frame->opcode != DX_HBTP_OP_STREAM_END || r->body_len > c->piece - c->got) {
        c->failed = true;
    } else { /* raw has room for the piece: asked only then, and raw only shrinks meanwhile */
        memcpy(c->raw + c->have, r->body, r->body_len);
        c->have += r->body_len, c->got += r->body_len;
    }
    if (r->final) {
        if (c->got != c->piece) c->failed = true;
        c->pending = false;
    }
}

/* the next piece asked for, if there is one, none is in flight and raw has room for it */
static dx_result cursor_ask(cursor *c) {
    uint8_t body[44];
    uint32_t n = (uint32_t)(c->len - c->asked < SYNC_READ_MAX ? c->len - c->asked : SYNC_READ_MAX);
    int32_t rc;
    if (c->pending || c->failed || n == 0 || c->have + n > CURSOR_RAW || c->g->net_error != DX_OK) return DX_OK;
    read_body(body, c->digest, c->asked, n);
    c->piece = n, c->got = 0;
    if ((rc = dx_net_client_call(&c->g->net.client, M_READ, body, sizeof body, cursor_reply, c)) < 0) {
        if (rc == DX_ERR_BUSY || rc == DX_ERR_NOSPACE) return DX_OK; /* asked again when a frame needs it */
        if (c->g->net_error == DX_OK) c->g->net_error = rc;
        return rc;
    }
    c->pending = true, c->asked += n, c->g->fetched += n;
    return DX_OK;
}

/* the next frame into slot k, waiting for the bytes it needs */
static dx_result cursor_load(cursor *c, int k) {
    getter *g = c->g;
    int64_t flen;
    dx_result r;
    while ((flen = listing_frame_length(c->raw, c->have)) == 0 || (flen > 0 && (size_t)flen > c->have)) {
        if (!c->pending && (r = cursor_ask(c)) != DX_OK) return r;
        if (c->failed || (!c->pending && c->asked == c->len)) /* a damaged answer, or the listing ends inside a frame */
            return g->net_error != DX_OK ? g->net_error : (g->listing_bad = true, DX_ERR_CORRUPT);
        if (!c->pending) { /* no READ could be sent */
            if (g->net_error != DX_OK) return g->net_error;
            if ((r = dx_reactor_run(&g->net.loop, DX_REACTOR_RUN_ONCE)) != DX_OK) return r; /* room comes back with answers */
            continue;
        }
        if ((r = cursor_wait(c)) != DX_OK) return r;
    }
    if (flen < 0 || (r = listing_check_frame(&c->check, c->raw, (size_t)flen, c->f[k])) != DX_OK)
        return g->listing_bad = true, DX_ERR_CORRUPT;
    memmove(c->raw, c->raw + flen, c->have - (size_t)flen);
    c->have -= (size_t)flen;
    c->fno[k] = c->loaded++;
    return cursor_ask(c); /* the next piece on its way while these frames are used */
}

/* The listing named by digest (len bytes) of the blob root (size bytes): its
   first frame read. Its bytes are READ, or all in inline_bytes (an offer's). */
static dx_result cursor_open(getter *g, cursor *c, const uint8_t digest[32], uint64_t len, const uint8_t root[32], uint64_t size,
                             const uint8_t *inline_bytes, uint32_t inline_len) {
    memset(c, 0, sizeof *c);
    c->g = g;
    listing_check_init(&c->check, &alg, root, size);
    memcpy(c->digest, digest, 32);
    c->len = len, c->fno[0] = c->fno[1] = NO_FRAME;
    c->raw = (uint8_t *)malloc(CURSOR_RAW);
    c->f[0] = (listing_frame *)malloc(sizeof(listing_frame));
    c->f[1] = (listing_frame *)malloc(sizeof(listing_frame));
    if (!c->raw || !c->f[0] || !c->f[1]) return DX_ERR_NOMEM;
    if (inline_len && inline_len == len && inline_len <= CURSOR_RAW) { /* nothing left to ask for */
        memcpy(c->raw, inline_bytes, inline_len);
        c->have = inline_len, c->asked = inline_len;
    }
    return cursor_load(c, 0);
}

/* Chunk i (< the listing's count) as *f, *k (valid until the next call), reading
   the next frame if needed; a frame is dropped only once every chunk of it
   before keep was delivered. DX_ERR_BUSY: i needs a third frame. */
static dx_result cursor_chunk(cursor *c, uint64_t i, uint64_t keep, listing_frame **f, uint32_t *k) {
    uint64_t want = i / SYNC_FRAME_CHUNKS, kept = keep / SYNC_FRAME_CHUNKS;
    int s;
    dx_result r;
    *k = (uint32_t)(i % SYNC_FRAME_CHUNKS);
    for (s = 0; s < 2; s++)
        if (c->fno[s] == want) return *f = c->f[s], DX_OK;
    if (want != c->loaded) return DX_ERR_INVAL; /* frames come in order */
    s = c->fno[0] == NO_FRAME || c->fno[0] < kept ? 0 : c->fno[1] == NO_FRAME || c->fno[1] < kept ? 1 : -1;
    if (s < 0) return DX_ERR_BUSY;
    if ((r = cursor_load(c, s)) != DX_OK) return r;
    *f = c->f[s];
    return DX_OK;
}

/* After the last chunk: the listing was exactly its frames, and checks whole. */
static dx_result cursor_end(getter *g, cursor *c) {
    (void)cursor_wait(c); /* asked ahead: there is nothing after the last frame, so this answer is damage */
    if (c->have != 0 || c->asked != c->len || c->failed || listing_check_end(&c->check, c->digest) != DX_OK)
        return g->listing_bad = true, DX_ERR_CORRUPT;
    return DX_OK;
}

static void read_reply(dx_net_client *c, const dx_net_reply *r, void *user) {
    slot *s = (slot *)user;
    getter *g = (getter *)c->cfg.user;
    if (r->result != DX_OK) { /* no answer will come: the connection failed, or the server refused */
        if (g->net_error == DX_OK) g->net_error = r->result, g->net_code = r->code;
        s->error = r->result;
    } else if (s->error != DX_OK) { /* the rest of an answer already refused */
    } else if (!r->frame || r->frame->opcode != DX_HBTP_OP_STREAM_END) {
        s->error = E_NOT_SYNC; /* the wire format: one STREAM_END (pieces, another opcode: not a dx_sync serve) */
    } else if (r->frame->flags & DX_HBTP_FLAG_COMPRESSED) {
#if SYNC_ZSTD
        size_t n = g->dctx ? ZSTD_decompressDCtx(g->dctx, s->buf, s->length, r->body, r->body_len) : 0;
        if (!g->dctx || ZSTD_isError(n) || n != s->length) s->error = DX_ERR_CHECKSUM; /* not exactly the chunk: damage */
#else
        s->error = DX_ERR_CORRUPT; /* never asked for */
#endif
    } else if (r->body_len != s->length) {
        s->error = DX_ERR_CHECKSUM;
    } else {
        memcpy(s->buf, r->body, s->length);
    }
    if (r->final) s->ready = true;
}

/* Every chunk of l in order to fn: from the cache, from OUT (with_seed) or fetched
   (pipelined); each checked against its id before fn sees it; fetched ones are
   kept in the cache; with record, each is added to g's manifest. Returns DX_OK,
   fn's error, DX_ERR_CHECKSUM (a chunk that does not match its id: damaged on
   the way), DX_ERR_CORRUPT (the listing does not check) or the network's error. */
static dx_result run_chunks(getter *g, cursor *l, bool with_seed, bool record, consume_fn fn, void *user) {
    uint8_t *local = g->local;
    uint64_t count = l->check.count, i, issue = 0, issued = 0, delivered = 0, ring_end = 0, done = 0;
    dx_result r = DX_OK;
    g->ring_alloc = g->ring_free = 0; /* nothing in flight (a run before drained or failed) */
    for (i = 0; i < count && r == DX_OK; i++) {
        listing_frame *f;
        uint32_t k, len;
        dx_cas_id id, got;
        const uint8_t *data = local;
        slot *s;
        /* keep reads in flight ahead of the chunk being delivered, while the ring has room for their answers: chunks
           that the cache or OUT holds are not asked for */
        while (issue < count && issued - delivered < INFLIGHT && g->net_error == DX_OK) {
            uint8_t body[45];
            int32_t rc;
            uint64_t pos = g->ring_alloc, at = pos % RING;
            dx_result e = cursor_chunk(l, issue, i, &f, &k);
            if (e == DX_ERR_BUSY) break; /* two frames ahead: more once this one is delivered */
            if (e != DX_OK) {
                r = e;
                break;
            }
            id = id_of(f->ids[k]), len = f->lens[k];
            if (dx_cas_store_has(&g->cache, &id) == (int64_t)len || (with_seed && g->seed_count && bsearch(f->ids[k], g->seeds, g->seed_count, sizeof(seed), seed_cmp))) {
                issue++;
                continue;
            }
            s = &g->slots[issued % INFLIGHT];
            if (at + len > RING) pos += RING - at, at = 0; /* no chunk wraps: the tail is skipped */
            if (pos + len - g->ring_free > RING) break;    /* full: room comes back as chunks are used */
            read_body(body, f->ids[k], 0, len);
#if SYNC_ZSTD
            body[44] = g->dctx ? 1 : 0; /* a compressed answer where it saves bytes */
#else
            body[44] = 0;
#endif
            s->index = issue, s->length = len, s->ready = false, s->error = DX_OK;
            s->buf = g->ring + at, s->end = pos + len;
            rc = dx_net_client_call(&g->net.client, M_READ, body, sizeof body, read_reply, s);
            if (rc == DX_ERR_BUSY || rc == DX_ERR_NOSPACE) break; /* room comes back with the answers */
            if (rc < 0) { /* the connection is gone: deliver what arrived, then stop */
                if (g->net_error == DX_OK) g->net_error = rc;
                break;
            }
            g->ring_alloc = s->end;
            issued++, issue++;
        }
        if (r != DX_OK || (r = cursor_chunk(l, i, i, &f, &k)) != DX_OK) break;
        id = id_of(f->ids[k]), len = f->lens[k];
        s = &g->slots[delivered % INFLIGHT];
        if (issued > delivered && s->index == i) { /* asked for: its answer */
            /* the answers that came before a failure are still used (and cached) */
            while (!s->ready)
                if ((r = dx_reactor_run(&g->net.loop, DX_REACTOR_RUN_ONCE)) != DX_OK) break;
            if (r == DX_OK) r = s->error;
            if (r != DX_OK) break;
            data = s->buf;
            ring_end = s->end; /* its bytes are free once fn has them */
            delivered++;
        } else if (dx_cas_store_get(&g->cache, &id, local, SYNC_CHUNK_MAX) == (int64_t)len) { /* re-hashed by the get */
            g->from_cache += len;
            goto deliver;
        } else if (with_seed && g->seed_count) { /* in OUT as it was, or fetched below */
            seed *sd = (seed *)bsearch(f->ids[k], g->seeds, g->seed_count, sizeof(seed), seed_cmp);
            if (sd && sd->length != len) { /* OUT's chunk of that id has another length: the listing's is wrong (an id names
                                             its bytes, and so their length; the root covers the ids only) */
                r = DX_ERR_CORRUPT, g->listing_bad = true;
                break;
            }
            if (sd) {
                dx_result e = pread_all(g->out_fd, local, len, sd->offset);
                /* checked (OUT may have changed since it was read) by one hash, the put's where the cache lacks it:
                   the cache holds the whole version */
                if (e == DX_OK && (dx_cas_store_has(&g->cache, &id) >= 0 || cache_put(&g->cache, local, len, &got, &g->cached_since_sync) != DX_OK))
                    dx_cas_id_hash(&alg, local, len, &got);
                if (e != DX_OK || memcmp(got.digest, f->ids[k], 32) != 0) {
                    r = E_OUT_CHANGED;
                    break;
                }
                g->from_seed += len;
                goto deliver;
            }
        }
        if (data == local) { /* not asked for ahead (the cache lost it meanwhile, or a read could not be sent): now */
            waited w;
            uint8_t body[44];
            if (g->net_error != DX_OK) {
                r = g->net_error;
                break;
            }
            memset(&w, 0, sizeof w);
            w.out = local, w.cap = len;
            read_body(body, f->ids[k], 0, len);
            if ((r = call_wait(g, M_READ, body, sizeof body, &w)) != DX_OK) {
                g->net_error = r, g->net_code = w.code;
                break;
            }
            if (w.opcode != DX_HBTP_OP_STREAM_END || w.len != len) { /* as an answer READ ahead (read_reply): the server's */
                r = w.opcode != DX_HBTP_OP_STREAM_END ? E_NOT_SYNC : DX_ERR_CHECKSUM;
                break;
            }
        }
        /* fetched: one hash, the put's, which names the bytes by their hash, and that must be the id asked for
           (bytes that are not are stored under their own id, where nothing names them, and gc takes them) */
        if (cache_put(&g->cache, data, len, &got, &g->cached_since_sync) != DX_OK)
            dx_cas_id_hash(&alg, data, len, &got); /* the cache could not take it (full disk): check anyway */
        if (memcmp(got.digest, f->ids[k], 32) != 0) {
            r = DX_ERR_CHECKSUM;
            break;
        }
        g->fetched += len;
    deliver:
        if (issue <= i) issue = i + 1;
        if (record && (r = man_add(g, f->ids[k], len)) != DX_OK) break;
        r = fn(user, data, len);
        if (ring_end) g->ring_free = ring_end, ring_end = 0;
        done += len;
        tool_progress(done);
    }
    /* after an error, the answers still due land before anything else may use the ring (the chunks after a
       failed patch reuse it on the same connection); a connection that failed answers them all at once */
    for (; delivered < issued; delivered++)
        while (!g->slots[delivered % INFLIGHT].ready)
            if (dx_reactor_run(&g->net.loop, DX_REACTOR_RUN_ONCE) != DX_OK) break;
    if (r == DX_OK) r = cursor_end(g, l);
    return r;
}

/* ---- the two ways to a new OUT ---- */

/* The applier's reads of OUT and writes of the result come a block (4 KiB) at a
   time, the fetched chunks about 16 KiB at a time: a read-ahead window and a
   write-behind run of 256 KiB each turn them into few large system calls (a
   system call and the file system's work per call). Out of place: the two
   files are different. */
#define PIO_BUF (256u * 1024)
typedef struct out_io {
    int base_fd, out_fd;
    uint8_t *rbuf, *wbuf;
    uint64_t roff, woff;   /* file offsets of rbuf[0], wbuf[0] */
    uint64_t handed;       /* out_fd's bytes handed to the disk's write-back (the result is written in order) */
    uint64_t appended;     /* pio_append: the bytes given so far */
    size_t rlen, wlen;     /* bytes held */
} out_io;

static dx_result pio_read(void *user, uint64_t off, void *buf, size_t len) {
    out_io *p = (out_io *)user;
    if (len >= PIO_BUF) return pread_all(p->base_fd, buf, len, off);
    if (!(off >= p->roff && off - p->roff + len <= p->rlen)) {
        size_t got = 0;
        while (got < PIO_BUF) { /* the window from off: whole, or up to the end of OUT */
            ssize_t n = pread(p->base_fd, p->rbuf + got, PIO_BUF - got, (off_t)(off + got));
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return DX_ERR_IO;
            if (n == 0) break;
            got += (size_t)n;
        }
        p->roff = off, p->rlen = got;
        if (got < len) return DX_ERR_IO;
    }
    memcpy(buf, p->rbuf + (off - p->roff), len);
    return DX_OK;
}

static dx_result pio_flush(out_io *p) {
    dx_result r = p->wlen ? pwrite_all(p->out_fd, p->wbuf, p->wlen, p->woff) : DX_OK;
    if (r == DX_OK && p->wlen) writeback(p->out_fd, &p->handed, p->woff + p->wlen);
    p->wlen = 0;
    return r;
}

static dx_result pio_write(void *user, uint64_t off, const void *buf, size_t len) {
    out_io *p = (out_io *)user;
    dx_result r;
    if (p->wlen && off == p->woff + p->wlen && p->wlen + len <= PIO_BUF) { /* continues the run */
        memcpy(p->wbuf + p->wlen, buf, len);
        p->wlen += len;
        return DX_OK;
    }
    if ((r = pio_flush(p)) != DX_OK) return r;
    if (len >= PIO_BUF) {
        if ((r = pwrite_all(p->out_fd, buf, len, off)) == DX_OK) writeback(p->out_fd, &p->handed, off + len);
        return r;
    }
    memcpy(p->wbuf, buf, len);
    p->woff = off, p->wlen = len;
    return DX_OK;
}

/* The fetched chunks, in order, each after the one before. */
static dx_result pio_append(void *user, const uint8_t *data, uint32_t len) {
    out_io *p = (out_io *)user;
    dx_result r = pio_write(p, p->appended, data, len);
    if (r == DX_OK) p->appended += len;
    return r;
}

static dx_result feed_applier(void *user, const uint8_t *data, uint32_t len) {
    return dx_patch_applier_feed((dx_patch_applier *)user, data, len);
}

/* The root of a blob in memory, as dx_cas names it (FastCDC chunks, the Merkle
   root of their ids): a patch that came inline, up to SYNC_INLINE_MAX bytes. */
static dx_result memory_root(const uint8_t *data, size_t len, uint8_t root[32]) {
    dx_cas_chunker_config cfg;
    dx_cas_chunk ch[SYNC_INLINE_MAX / 4096 + 1]; /* a chunk is at least 4 KiB but the last */
    dx_cas_merkle tree;
    int64_t n, i;
    memset(&cfg, 0, sizeof cfg);
    if ((n = dx_cas_chunk_buffer(&cfg, data, len, ch, sizeof ch / sizeof ch[0])) < 0) return (dx_result)n;
    dx_cas_merkle_init(&tree, &alg);
    for (i = 0; i < n; i++) {
        dx_cas_id id;
        uint8_t leaf[32];
        dx_cas_id_hash(&alg, data + ch[i].offset, ch[i].length, &id);
        dx_cas_chunk_leaf(&alg, &id, leaf);
        dx_cas_merkle_push(&tree, leaf);
    }
    dx_cas_merkle_root(&tree, root);
    return DX_OK;
}

/* The patch applied from OUT into fd, from the offer (inline: its bytes, checked
   against patch_root first) or while it arrives; then the result's root
   checked. Returns DX_OK, or why the patch did not give the new version (the
   caller falls back to the chunks), with *why set to a few words. A network
   error is returned as it is. */
static dx_result try_patch(getter *g, const sync_offer *o, const uint8_t *inline_bytes, uint32_t inline_len, uint64_t base_len,
                           int fd, const char *tmp_path, const char **why) {
    cursor pl;
    dx_patch_applier a;
    dx_patch_applier_config ac;
    out_io io;
    dx_result r;
    int64_t n;
    uint8_t root[32];
    *why = "";
    memset(&pl, 0, sizeof pl);
    if (inline_len && (memory_root(inline_bytes, inline_len, root) != DX_OK || memcmp(root, o->patch_root, 32) != 0)) {
        *why = "a piece of it was damaged on the way";
        return DX_ERR_CHECKSUM;
    }
    if (!inline_len && (r = cursor_open(g, &pl, o->patch_listing, o->patch_listing_size, o->patch_root, o->patch_size, NULL, 0)) != DX_OK) {
        cursor_close(&pl);
        if (g->net_error != DX_OK) return g->net_error;
        *why = "its listing does not check";
        return DX_ERR_CORRUPT;
    }
    memset(&ac, 0, sizeof ac);
    memset(&io, 0, sizeof io);
    io.base_fd = g->out_fd, io.out_fd = fd;
    io.rbuf = (uint8_t *)malloc(PIO_BUF), io.wbuf = (uint8_t *)malloc(PIO_BUF);
    ac.io.read = pio_read, ac.io.write = pio_write, ac.io.user = &io;
    ac.data_len = base_len;
    if (!io.rbuf || !io.wbuf || (r = dx_patch_applier_create(&a, &ac)) != DX_OK) {
        free(io.rbuf), free(io.wbuf);
        cursor_close(&pl);
        *why = "no memory for the applier";
        return DX_ERR_NOMEM;
    }
    if (inline_len) r = dx_patch_applier_feed(&a, inline_bytes, inline_len);
    else {
        tool_progress_start("patch", o->patch_size, "MiB");
        r = run_chunks(g, &pl, false, false, feed_applier, &a);
        tool_progress_end(r == DX_OK);
    }
    n = r == DX_OK ? dx_patch_applier_finish(&a) : r;
    if (n >= 0 && (r = pio_flush(&io)) != DX_OK) n = r;
    dx_patch_applier_destroy(&a);
    free(io.rbuf), free(io.wbuf);
    cursor_close(&pl);
    if (n < 0) {
        if (g->net_error != DX_OK) return g->net_error;
        *why = g->listing_bad ? "its listing does not check"
               : n == DX_ERR_CHECKSUM ? "a piece of it was damaged on the way" : dx_patch_result_name((dx_result)n);
        return (dx_result)n;
    }
    if ((uint64_t)n != o->size) {
        *why = "its result has the wrong length";
        return DX_ERR_CORRUPT;
    }
    {   /* the temporary file is open for writing only: read it back by its name */
        int rfd = open(tmp_path, O_RDONLY);
        r = rfd < 0 ? DX_ERR_IO : scan_file(rfd, root, NULL, NULL, &g->cache, g, NULL);
        if (rfd >= 0) close(rfd);
        if (r != DX_OK) {
            *why = "its result does not read back";
            return DX_ERR_IO;
        }
    }
    if (memcmp(root, o->root, 32) != 0) {
        *why = "its result is not the newest version";
        return DX_ERR_CHECKSUM;
    }
    return DX_OK;
}

/* The chunks of the new version into fd, and into g's manifest; the listing
   READ or, where the offer carried it, inline_bytes. */
static dx_result fetch_chunks(getter *g, const sync_offer *o, const uint8_t *inline_bytes, uint32_t inline_len, int fd) {
    out_io out;
    cursor l;
    dx_result r = cursor_open(g, &l, o->listing, o->listing_size, o->root, o->size, inline_bytes, inline_len);
    memset(&out, 0, sizeof out);
    out.base_fd = -1, out.out_fd = fd;
    if (r == DX_OK && !(out.wbuf = (uint8_t *)malloc(PIO_BUF))) r = DX_ERR_NOMEM;
    if (r == DX_OK) {
        tool_progress_start("fetch", o->size, "MiB");
        r = run_chunks(g, &l, true, true, pio_append, &out);
        if (r == DX_OK) r = pio_flush(&out);
        tool_progress_end(r == DX_OK);
    }
    free(out.wbuf);
    cursor_close(&l);
    if (r == DX_OK && out.appended != o->size) r = DX_ERR_CORRUPT;
    return r;
}

/* ---- the cache: versions kept as dx_cas manifests, least recently used evicted ---- */

/* refs: v-<root> names each version the cache holds (its time: when last written);
   out-<hash of OUT's path> the version that OUT holds, which is never evicted */
/* A name for OUT in the cache: 32 hex digits of the SHA-256 of its absolute path
   (its folder resolved: OUT itself may not exist yet). */
static dx_result out_key(const char *out_path, char key[33]) {
    char path[8192];
    const char *slash = strrchr(out_path, '/');
    uint8_t ph[32];
    if (slash) {
        size_t dl = (size_t)(slash - out_path);
        char dirpart[4096];
        if (dl >= sizeof dirpart) return DX_ERR_LIMIT;
        memcpy(dirpart, out_path, dl), dirpart[dl] = 0;
        if (!realpath(dl ? dirpart : "/", path)) return DX_ERR_IO;
        if (strlen(path) + strlen(slash) >= sizeof path) return DX_ERR_LIMIT;
        strcat(path, slash);
    } else {
        if (strlen(out_path) + 2 >= sizeof path || !getcwd(path, sizeof path - 2 - strlen(out_path))) return DX_ERR_IO;
        strcat(path, "/"), strcat(path, out_path);
    }
    dx_cas_sha256_digest(path, strlen(path), ph);
    hex(ph, 16, key);
    return DX_OK;
}

/* refs: v-<root> names each version the cache holds (its time: when last written);
   out-<key> the version that OUT holds, which is never evicted */
static dx_result record_version(getter *g, const uint8_t root[32], const dx_cas_id *manifest) {
    char name[80];
    dx_result r;
    strcpy(name, "v-");
    hex(root, 32, name + 2);
    if ((r = dx_cas_dir_ref_set(&g->dir, name, manifest)) != DX_OK) return r;
    if (!g->key[0]) return DX_ERR_IO;
    snprintf(name, sizeof name, "out-%s", g->key);
    return dx_cas_dir_ref_set(&g->dir, name, manifest);
}

/* <cache>/outs/<key>: what OUT held when last read or written (device, inode,
   size, times in ns, root), so that a check of an unchanged OUT need not read
   it: "dev ino size mtime_ns ctime_ns blake3-<root hex>\n", replaced atomically
   (dx_sync 1 wrote the root bare, a SHA-256 one: such a line is not used). */
#define OUT_ROOT_PREFIX "blake3-"
static void stat_line(const struct stat *st, char *out, size_t cap) {
    snprintf(out, cap, "%llu %llu %llu %lld.%09ld %lld.%09ld", (unsigned long long)st->st_dev, (unsigned long long)st->st_ino,
             (unsigned long long)st->st_size, (long long)st->st_mtim.tv_sec, (long)st->st_mtim.tv_nsec,
             (long long)st->st_ctim.tv_sec, (long)st->st_ctim.tv_nsec);
}

static bool out_state_get(const char *cache_path, const char *key, const struct stat *st, uint8_t root[32]) {
    char path[8192], want[160], line[300], *sp;
    FILE *f;
    size_t i;
    bool ok = false;
    snprintf(path, sizeof path, "%s/outs/%s", cache_path, key);
    if (!(f = fopen(path, "r"))) return false;
    stat_line(st, want, sizeof want);
    if (fgets(line, sizeof line, f) && (sp = strrchr(line, ' ')) && (size_t)(sp - line) == strlen(want) && !strncmp(line, want, strlen(want)) &&
        !strncmp(sp + 1, OUT_ROOT_PREFIX, 7) && strlen(sp + 8) == 65 && sp[8 + 64] == '\n') {
        ok = true;
        for (i = 0; i < 32 && ok; i++) {
            unsigned v;
            ok = sscanf(sp + 8 + 2 * i, "%2x", &v) == 1;
            root[i] = (uint8_t)v;
        }
    }
    fclose(f);
    return ok;
}

/* read: OUT's stat before it was read for root (NULL: OUT was just written), which OUT must still have */
static void out_state_set(const char *cache_path, const char *key, const char *out_path, const uint8_t root[32],
                          const struct stat *read) {
    char dir[8192], path[8300], tmp[8400], line[160], rh[65], was[160];
    struct stat st;
    FILE *f;
    if (stat(out_path, &st) != 0) return;
    if (read) { /* changed since it was read: its root is not known */
        stat_line(read, was, sizeof was);
        stat_line(&st, line, sizeof line);
        if (strcmp(was, line) != 0) return;
    }
    snprintf(dir, sizeof dir, "%s/outs", cache_path);
    mkdir(dir, 0755);
    snprintf(path, sizeof path, "%s/%s", dir, key);
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
    stat_line(&st, line, sizeof line);
    hex(root, 32, rh);
    if (!(f = fopen(tmp, "w"))) return;
    if (fprintf(f, "%s " OUT_ROOT_PREFIX "%s\n", line, rh) < 0 || fclose(f) != 0 || rename(tmp, path) != 0) remove(tmp);
}

typedef struct cache_ref {
    char name[104];
    dx_cas_id id;
    double mtime;
} cache_ref;

typedef struct ref_list {
    cache_ref *r;
    size_t n, cap;
    const char *refs_dir;
} ref_list;

static dx_result collect_ref(void *user, const char *name, const dx_cas_id *id) {
    ref_list *l = (ref_list *)user;
    char path[8192];
    struct stat st;
    if (l->n == l->cap) {
        cache_ref *more = (cache_ref *)realloc(l->r, (l->cap = l->cap ? l->cap * 2 : 16) * sizeof *more);
        if (!more) return DX_ERR_NOMEM;
        l->r = more;
    }
    snprintf(l->r[l->n].name, sizeof l->r[l->n].name, "%s", name);
    l->r[l->n].id = *id;
    snprintf(path, sizeof path, "%s/%s", l->refs_dir, name);
    l->r[l->n].mtime = stat(path, &st) == 0 ? (double)st.st_mtim.tv_sec + (double)st.st_mtim.tv_nsec / 1e9 : 0;
    l->n++;
    return DX_OK;
}

static dx_result sum_size(void *user, const dx_cas_id *id, uint64_t size) {
    (void)id;
    *(uint64_t *)user += size;
    return DX_OK;
}

/* Over quota: what no version names goes (the pieces of patches, of gets cut
   short), then the least recently used versions, but never one an OUT holds. */
static void evict(getter *g, const char *cache_path, uint64_t quota, uint64_t *out_evicted) {
    uint64_t total = 0;
    ref_list l;
    char refs_dir[8192];
    *out_evicted = 0;
    if (dx_cas_store_iterate(&g->cache, sum_size, &total) != DX_OK || total <= quota) return;
    snprintf(refs_dir, sizeof refs_dir, "%s/refs", cache_path);
    memset(&l, 0, sizeof l);
    l.refs_dir = refs_dir;
    if (dx_cas_dir_ref_scan(&g->dir, collect_ref, NULL, &l) != DX_OK) { /* a ref that does not read: gc could lose a version */
        free(l.r);
        return;
    }
    for (;;) {
        dx_cas_id *roots = (dx_cas_id *)malloc((l.n + 1) * sizeof *roots);
        dx_cas_gc_report rep;
        size_t i, k = 0, oldest = l.n;
        if (!roots) break;
        for (i = 0; i < l.n; i++) roots[k++] = l.r[i].id;
        if (k == 0 || dx_cas_store_gc(&g->cache, roots, k, 0, 0, &rep) != DX_OK) {
            free(roots);
            break;
        }
        free(roots);
        if (rep.kept_bytes <= quota) break;
        for (i = 0; i < l.n; i++) { /* the oldest version no OUT holds */
            size_t j;
            bool held = false;
            if (strncmp(l.r[i].name, "v-", 2) != 0) continue;
            for (j = 0; j < l.n && !held; j++) held = !strncmp(l.r[j].name, "out-", 4) && dx_cas_id_equal(&l.r[j].id, &l.r[i].id);
            if (!held && (oldest == l.n || l.r[i].mtime < l.r[oldest].mtime)) oldest = i;
        }
        if (oldest == l.n || dx_cas_dir_ref_delete(&g->dir, l.r[oldest].name) != DX_OK) break;
        l.r[oldest] = l.r[--l.n];
        ++*out_evicted;
    }
    free(l.r);
}

static int cmd_get(int argc, char **argv) {
    const char *server_arg = NULL, *cache_path = NULL, *name = NULL, *out_path = NULL, *argv_out, *v;
    char host[256], out_real[PATH_MAX];
    tool_host_addr addrs[TOOL_HOST_ADDRS];
    int naddrs = 0, ai;
    const char *why_host = "";
    struct stat lst;
    uint64_t port = SYNC_DEFAULT_PORT;
    getter *g;
    dx_net_client_config cc;
    uint8_t have_root[32], q[36 + SYNC_NAME_MAX], answer[SYNC_OFFER_MAX];
#if SYNC_ZSTD
    uint8_t plain[SYNC_OFFER_MAX]; /* a compressed offer's */
#endif
    const uint8_t *offer = answer;
    offer_inline oi;
    size_t qlen, offer_len;
    unsigned takes = QUERY_INLINE | (SYNC_ZSTD ? QUERY_ZSTD : 0u) | (SYNC_ZSTD ? 0u : QUERY_PLAIN); /* without zstd: patches without it only */
    bool scanned = false;
    bool have = false;
    struct stat st;
    waited w;
    dx_result r;
    sync_offer o;
    tool_out tmp;
    uint64_t base_len = 0;
    mode_t mode = 0644;
    const char *kind = "chunks", *why = NULL;
    char patch_words[48] = "";
    double t0 = tool_now();
    int rc = TOOL_EXIT_FAIL, k;
    bool names_only = false;
    char hx[17];
    uint64_t quota = (uint64_t)1 << 30, evicted = 0, wire = 0, timeout_s = 30;
    for (k = 2; k < argc; k++) {
        bool missing = false;
        const char *a = argv[k];
        int e = name_word(a, &names_only, &name, &out_path);
        if (e >= 0) {
            if (e) return e;
            continue;
        }
        COMMAND_OPTS(a)
        if ((v = tool_opt_value(argc, argv, &k, "--server", &missing))) server_arg = v;
        else if ((v = tool_opt_value(argc, argv, &k, "--timeout", &missing))) {
            if (tool_parse_u64(v, 1, 86400, false, &timeout_s) != 0) return tool_usage_error("--timeout must be 1 to 86400 seconds, not \"%s\"", v);
        } else if ((v = tool_opt_value(argc, argv, &k, "--cache-quota", &missing))) {
            if (tool_parse_u64(v, 0, UINT64_MAX, true, &quota) != 0) return tool_usage_error("--cache-quota must be a size such as 500M or 2G, not \"%s\"", v);
        } else if ((v = tool_opt_value(argc, argv, &k, "--cache", &missing))) cache_path = v;
        else if (!strcmp(a, "--progress")) tool.progress = 1;
        else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) tool.progress = -1;
        else if (missing) return tool_usage_error("%s needs a value", a);
        else return tool_usage_error("unknown option %s", a);
    }
    if (!server_arg) return tool_usage_error("get needs --server HOST:PORT");
    if (!cache_path || !*cache_path) return tool_usage_error("get needs --cache DIR");
    if (!name || !out_path) return tool_usage_error("get needs NAME and OUT");
    if (!*out_path) return tool_usage_error("OUT is empty: name a file");
    if (!name_ok(name, strlen(name))) return tool_usage_error("NAME must be 1 to 100 of A-Z a-z 0-9 . _ -, not starting with '.'");
    {
        const char *colon = strrchr(server_arg, ':');
        size_t hl = colon ? (size_t)(colon - server_arg) : strlen(server_arg);
        if (server_arg[0] == '[' && hl >= 2 && server_arg[hl - 1] == ']') server_arg++, hl -= 2; /* [::1]:7878 */
        if (hl == 0 || hl >= sizeof host) return tool_usage_error("--server needs HOST:PORT, not \"%s\"", server_arg);
        memcpy(host, server_arg, hl), host[hl] = 0;
        if (colon && tool_parse_u64(colon + 1, 1, 65535, false, &port) != 0)
            return tool_usage_error("--server's port must be 1 to 65535, not \"%s\"", colon + 1);
    }
    if ((naddrs = tool_host_resolve(host, addrs, &why_host)) == 0) return tool_fail("cannot find %s: %s", host, why_host);
    argv_out = out_path;
    /* OUT a symbolic link: the file it names is updated (replaced by rename in its own folder); the link stays */
    if (lstat(out_path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
        if (!realpath(out_path, out_real)) return tool_fail("%s is a symbolic link to a file that cannot be reached (%s): give the file's own path", out_path, strerror(errno));
        out_path = out_real;
    }
    {   /* a folder that cannot take OUT's temporary file: said before the server is asked */
        char dir[PATH_MAX];
        const char *problem = tool_out_dir_problem(out_path, dir, sizeof dir);
        if (problem) return tool_fail("cannot create %s: %s %s", argv_out, dir, problem);
    }
#ifdef SIGXFSZ
    signal(SIGXFSZ, SIG_IGN); /* over a file size limit (ulimit -f): a write fails (EFBIG), said in words, no temporary file left */
#endif
    if (!(g = (getter *)calloc(1, sizeof *g))) return tool_fail("out of memory");
    g->out_fd = -1, g->out_path = out_path;
    if (!(g->ring = (uint8_t *)malloc(RING)) || !(g->local = (uint8_t *)malloc(SYNC_CHUNK_MAX))) {
        free(g->ring), free(g->local);
        free(g);
        return tool_fail("out of memory");
    }
#if SYNC_ZSTD
    g->dctx = ZSTD_createDCtx(); /* without one, chunks are asked for as they are */
#endif
    /* The cache is not the user's data (OUT is, and is written with fsync and rename): it is kept without fsync,
       which on a busy disk costs more than the transfer. A crash may leave it with damaged objects; every read
       re-hashes, and a chunk that does not check is fetched again. Its objects are stored as they are: the time
       to compress them would be the transfer's. */
    if (open_store(&g->dir, &g->cache, cache_path, false, true) != TOOL_EXIT_OK) {
#if SYNC_ZSTD
        ZSTD_freeDCtx(g->dctx);
#endif
        free(g->ring), free(g->local), free(g);
        return TOOL_EXIT_FAIL;
    }
    if (man_start(g) != DX_OK) {
        tool_fail("out of memory");
        goto out;
    }
    if (out_key(out_path, g->key) != DX_OK) g->key[0] = 0; /* then nothing is recorded for OUT */
    /* what OUT holds now: its ETag, and its chunks as a seed */
    if (stat(out_path, &st) == 0) {
        if ((st.st_mode & S_IFMT) != S_IFREG) {
            tool_fail("%s is not a regular file", out_path);
            goto out;
        }
        if ((g->out_fd = open(out_path, O_RDONLY)) < 0) {
            tool_fail("cannot read %s: %s", out_path, strerror(errno));
            goto out;
        }
        /* unchanged since dx_sync last read or wrote it: its root is known, and OUT is read only if an update comes */
        if (!g->key[0] || !out_state_get(cache_path, g->key, &st, have_root)) {
            if ((r = scan_file(g->out_fd, have_root, &g->seeds, &g->seed_count, NULL, NULL, &g->cache)) != DX_OK) {
                tool_fail("cannot read %s: %s", out_path, dx_cas_result_name(r));
                goto out;
            }
            scanned = true;
        }
        have = true, base_len = (uint64_t)st.st_size, mode = st.st_mode & 07777;
    } else if (errno != ENOENT) {
        tool_fail("cannot read %s: %s", out_path, strerror(errno));
        goto out;
    }
    memset(&cc, 0, sizeof cc);
    cc.port = (uint16_t)port;
    cc.conn.max_payload = SYNC_MAX_PAYLOAD;
    cc.reply_timeout_ns = timeout_s * 1000000000ull; /* a server silent that long while answers are due: stopped, or the network gone */
    cc.connect_timeout_ns = timeout_s < 5 ? timeout_s * 1000000000ull : 5000000000ull;
    /* the connect and the answer to HELLO: up to 5 s */
    snprintf(timeout_text, sizeof timeout_text, "timed out (no connection, or no answer to HELLO for %llu s)",
             (unsigned long long)(cc.connect_timeout_ns / 1000000000ull));
    cc.user = g;
    for (ai = 0, r = DX_ERR_INVAL; ai < naddrs && r != DX_OK; ai++) { /* each address of the name, until one answers */
        cc.host = addrs[ai];
        r = dx_net_sync_open(&g->net, NULL, &cc);
    }
    if (r != DX_OK) {
        tool_fail("cannot connect to %s port %u: %s", host, (unsigned)port, net_error_text(r, 0));
        goto out;
    }
    snprintf(timeout_text, sizeof timeout_text, "timed out (no answer for %llu s)", (unsigned long long)timeout_s);
query:
#if SYNC_ZSTD
    if (!g->dctx) takes &= ~(unsigned)QUERY_ZSTD;
#endif
    qlen = query_encode(q, name, have ? have_root : NULL, takes);
    memset(&w, 0, sizeof w);
    w.out = answer, w.cap = sizeof answer;
    r = call_wait(g, M_QUERY, q, qlen, &w);
    if (r != DX_OK && takes && w.code == DX_HBTP_CODE_BAD_REQUEST && g->net_error == DX_OK) {
        /* a server older than QUERY flag 8, 4 (or 2): asked again without it */
        if (takes & QUERY_PLAIN) takes &= ~(unsigned)QUERY_PLAIN;
        else if (takes & QUERY_ZSTD) takes &= ~(unsigned)QUERY_ZSTD;
        else takes &= ~(unsigned)QUERY_INLINE;
        goto query;
    }
    if (r != DX_OK) {
        tool_fail("%s: %s", name, net_error_text(r, w.code));
        goto close;
    }
    if (w.opcode == DX_HBTP_OP_NOT_MODIFIED) {
        if (!have || w.len != 32 || memcmp(answer, have_root, 32) != 0) {
            tool_fail("%s: the server answered NOT_MODIFIED for another version (damaged on the way?): %s is as it was", name, out_path);
            goto close;
        }
        if (scanned && g->key[0]) out_state_set(cache_path, g->key, out_path, have_root, &st);
        hex(have_root, 8, hx);
        printf("%s: up to date (not modified), %llu bytes on the wire, root %s..., %.3f s\n", name,
               (unsigned long long)(g->net.client.bytes_in + g->net.client.bytes_out), hx, tool_now() - t0);
        rc = tool_stdout_done();
        goto close;
    }
    offer = answer, offer_len = w.len;
#if SYNC_ZSTD
    if (w.opcode == DX_HBTP_OP_RPC_RESPONSE && (w.flags & DX_HBTP_FLAG_COMPRESSED) && (takes & QUERY_ZSTD)) {
        offer_len = ZSTD_decompressDCtx(g->dctx, plain, sizeof plain, answer, w.len); /* QUERY flag 4 */
        offer = plain;
        if (ZSTD_isError(offer_len)) offer_len = 0; /* and so it does not check */
    }
#endif
    if (w.opcode != DX_HBTP_OP_RPC_RESPONSE || ((w.flags & DX_HBTP_FLAG_COMPRESSED) && offer == answer) ||
        offer_parse(offer, offer_len, &o, &oi) != DX_OK) {
        tool_fail("%s: the server's answer does not check (damaged on the way, or not a dx_sync serve): %s is as it was", name, out_path);
        goto close;
    }
    if (oi.name_len != strlen(name) || memcmp(oi.name, name, oi.name_len) != 0) {
        tool_fail("%s: the server offered another name (\"%.*s\"): %s is as it was", name, (int)(oi.name_len < 100 ? oi.name_len : 100),
                  oi.name, out_path);
        goto close;
    }
    if (o.kind == OFFER_PATCH && !have) {
        tool_fail("%s: the server offers a patch to a client that holds nothing: %s is as it was", name, out_path);
        goto close;
    }
    if (have && !scanned && o.kind != OFFER_PATCH) { /* chunks: OUT's are needed, and its root is checked once more
                                                         (a patch checks its base itself) */
        uint8_t root[32];
        if ((r = scan_file(g->out_fd, root, &g->seeds, &g->seed_count, NULL, NULL, &g->cache)) != DX_OK) {
            tool_fail("cannot read %s: %s", out_path, dx_cas_result_name(r));
            goto close;
        }
        scanned = true;
        if (memcmp(root, have_root, 32) != 0) { /* changed under the same times: ask again with the truth */
            memcpy(have_root, root, 32);
            goto query;
        }
    }
    if (spill_failed) /* a large OUT, a cache that cannot take its chunks */
        tool_warn("the cache %s cannot take %s's chunks (%s%s%s): those unchanged are fetched again", cache_path, out_path,
                  dx_cas_result_name(spill_failed), g->dir.os_error ? ": " : "", g->dir.os_error ? strerror(g->dir.os_error) : "");
    if (tool_out_open(&tmp, out_path, true, NULL) != TOOL_EXIT_OK) goto close; /* a signal removes it (tool_tmp_watch) */
    if (o.kind == OFFER_PATCH) {
        r = try_patch(g, &o, oi.patch, oi.patch_len, base_len, fileno(tmp.f), tmp.tmp, &why);
        if (r == DX_OK) kind = "patch";
        else if (out_write_errno) { /* not the patch's fault: the chunks would not fit either */
        } else if (g->net_error != DX_OK) {
            tool_fail("%s: %s%s: %s is as it was", name, g->net_error == DX_NET_ERR_REMOTE ? "" : "the connection failed: ",
                      net_error_text(g->net_error, g->net_code), out_path);
            tool_out_abort(&tmp);
            goto close;
        } else {
            tool_warn("%s: the patch failed (%s): fetching the chunks instead", name, why);
            kind = "chunks after a failed patch";
            if ((r = man_start(g)) != DX_OK) { /* the patch's result is not the version */
            } else if (ftruncate(fileno(tmp.f), 0) != 0) r = DX_ERR_IO;
            else if (!scanned && (r = scan_file(g->out_fd, have_root, &g->seeds, &g->seed_count, NULL, NULL, &g->cache)) != DX_OK) {
                /* OUT's chunks, for the chunks: unread yet when its root was known (r says why not) */
            } else r = fetch_chunks(g, &o, NULL, 0, fileno(tmp.f));
        }
    } else {
        r = fetch_chunks(g, &o, oi.listing, oi.listing_len, fileno(tmp.f));
    }
    if (r != DX_OK) {
        if (out_write_errno) tool_fail("cannot write %s: %s: %s is as it was", tmp.tmp, strerror(out_write_errno), out_path);
        else if (g->net_error != DX_OK) /* the server's ERROR answer says what it is; else the connection's failure */
            tool_fail("%s: %s%s: %s is as it was", name, g->net_error == DX_NET_ERR_REMOTE ? "" : "the connection failed: ",
                      net_error_text(g->net_error, g->net_code), out_path);
        else if (r == DX_ERR_CHECKSUM) tool_fail("%s: a chunk does not match its id (damaged on the way, or a server's error): %s is as it was", name, out_path);
        else if (r == E_NOT_SYNC) tool_fail("%s: %s: %s is as it was", name, net_error_text(r, 0), out_path);
        else if (g->listing_bad) tool_fail("%s: the listing the server sent does not check: %s is as it was", name, out_path);
        else if (r == E_OUT_CHANGED) tool_fail("%s changed while it was read: try again", out_path);
        else tool_fail("%s: %s: %s is as it was", name, dx_cas_result_name(r), out_path);
        tool_out_abort(&tmp);
        goto close;
    }
    if (fchmod(fileno(tmp.f), mode) != 0) tool_warn("cannot set the mode of %s: %s", out_path, strerror(errno));
    r = tool_out_commit(&tmp) == TOOL_EXIT_OK ? DX_OK : DX_ERR_IO;
    if (r != DX_OK) goto close;
    wire = g->net.client.bytes_in + g->net.client.bytes_out;
    dx_net_sync_close(&g->net); /* done with the server: its memory goes before the cache's gc needs its own */
    free(g->ring), g->ring = NULL;
    {   /* the cache keeps this version (every chunk of it is there now), and what OUT holds */
        dx_cas_id man;
        dx_result e = man_put(g, o.root, o.size, &man);
        man_end(g);
        if (e == DX_OK) e = dx_cas_store_sync(&g->cache);
        if (e == DX_OK) e = record_version(g, o.root, &man);
        if (e != DX_OK)
            tool_warn("%s is updated, but the cache %s could not record it: %s%s%s", out_path, cache_path, dx_cas_result_name(e),
                      g->dir.os_error ? ": " : "", g->dir.os_error ? strerror(g->dir.os_error) : "");
        else evict(g, cache_path, quota, &evicted);
    }
    if (g->key[0]) out_state_set(cache_path, g->key, out_path, o.root, NULL);
    hex(o.root, 8, hx);
    if (!strcmp(kind, "patch")) /* the patch alone, to set beside other tools' patches */
        snprintf(patch_words, sizeof patch_words, " (the patch %llu B)", (unsigned long long)o.patch_size);
    printf("%s: %s, %llu bytes on the wire%s, %llu bytes written (%llu from the cache, %llu from OUT), root %s..., %.3f s\n",
           name, kind, (unsigned long long)wire, patch_words, (unsigned long long)o.size,
           (unsigned long long)g->from_cache, (unsigned long long)g->from_seed, hx, tool_now() - t0);
    if (evicted) printf("%s: %llu older version%s evicted from the cache (--cache-quota)\n", name, (unsigned long long)evicted, evicted == 1 ? "" : "s");
    if (fflush(stdout) != 0 || ferror(stdout)) /* exit 1, but OUT is not as it was: said so */
        tool_fail("%s is updated, but standard output cannot be written", out_path);
    else rc = TOOL_EXIT_OK;
close:
    dx_net_sync_close(&g->net);
out:
    dx_cas_store_sync(&g->cache); /* what was fetched is kept, even after a failure */
    dx_cas_dir_close(&g->dir);
    if (g->out_fd >= 0) close(g->out_fd);
#if SYNC_ZSTD
    ZSTD_freeDCtx(g->dctx);
#endif
    man_end(g);
    free(g->seeds), free(g->ring), free(g->local), free(g);
    return rc;
}

/* ---- main ---- */

#if SYNC_ZSTD
#define SYNC_ZSTD_WORDS "zstd " ZSTD_VERSION_STRING "; "
#else
#define SYNC_ZSTD_WORDS "built without zstd (chunks travel as they are, patches in zstd do not apply); "
#endif

static int version(void) {
    return tool_version("wire and store format " TOOL_STR(SYNC_VERSION) ", BLAKE3 names; " SYNC_ZSTD_WORDS
                        TOOL_HEADER_VERSION("dx_net.h", DX_NET_VERSION_MAJOR, DX_NET_VERSION_MINOR, DX_NET_VERSION_PATCH) ", "
                        TOOL_HEADER_VERSION("dx_hbtp.h", DX_HBTP_VERSION_MAJOR, DX_HBTP_VERSION_MINOR, DX_HBTP_VERSION_PATCH) ", "
                        TOOL_HEADER_VERSION("dx_reactor.h", DX_REACTOR_VERSION_MAJOR, DX_REACTOR_VERSION_MINOR, DX_REACTOR_VERSION_PATCH) ", "
                        TOOL_HEADER_VERSION("dx_cas.h", DX_CAS_VERSION_MAJOR, DX_CAS_VERSION_MINOR, DX_CAS_VERSION_PATCH) ", "
                        TOOL_HEADER_VERSION("dx_patch.h", DX_PATCH_VERSION_MAJOR, DX_PATCH_VERSION_MINOR, DX_PATCH_VERSION_PATCH) ", "
                        TOOL_HEADER_VERSION("dx_teleport.h", DX_TELEPORT_VERSION_MAJOR, DX_TELEPORT_VERSION_MINOR, DX_TELEPORT_VERSION_PATCH));
}

int main(int argc, char **argv) {
    const char *cmd;
    tool_start("dx_sync", usage);
    if (dx_cas_hash_alg_init(&alg, SYNC_ALG) != DX_OK) return tool_fail("built without BLAKE3 (DX_CAS_NO_BLAKE3)");
    if (argc < 2) return tool_usage_error("a command is needed: publish, serve or get");
    cmd = argv[1];
    if (tool_is_help(cmd)) return tool_help();
    if (!strcmp(cmd, "--version")) return version();
    if (!strcmp(cmd, "publish")) {
        tool.usage = "usage: dx_sync publish " USAGE_PUBLISH "\n";
        return cmd_publish(argc, argv);
    }
    if (!strcmp(cmd, "serve")) {
        tool.usage = "usage: dx_sync serve " USAGE_SERVE "\n";
        return cmd_serve(argc, argv);
    }
    if (!strcmp(cmd, "get")) {
        tool.usage = "usage: dx_sync get " USAGE_GET "\n";
        return cmd_get(argc, argv);
    }
    return tool_usage_error("unknown command %s (publish, serve or get)", cmd);
}
