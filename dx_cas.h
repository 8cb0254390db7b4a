/* dx_cas.h - v0.6.5 - Merkle content-addressable storage: hashing, chunking, proofs, stores, snapshots - SPDX-License-Identifier: MIT OR Unlicense (text at end)

   A content-addressable store that a backup tool, a package updater, a sync
   service or a firmware image store can embed: SHA-256 (portable C, x86
   SHA-NI and ARMv8 crypto extensions chosen at run time), self-describing
   object ids, fixed-size and FastCDC content-defined chunking that takes
   input in pieces of any size, RFC 6962 / RFC 9162 Merkle trees with
   inclusion and consistency proofs, and stores (memory, crash-safe
   directory, your own backend) where a blob is chunks plus a manifest,
   deduplicated and verifiable from its Merkle root.

QUICK START
   Do this:
       #define DX_IMPLEMENTATION
   before you include this file in *one* C or C++ file to create the
   implementation. Other files include it without the define.

       dx_cas_hash_alg alg;                               // the algorithm choice:
       dx_cas_hash_alg_init(&alg, DX_CAS_ALG_SHA256);     // detects SHA-NI / ARMv8 once
       dx_cas_chunker ch;
       dx_cas_chunker_config cc;
       memset(&cc, 0, sizeof cc);                         // FastCDC, 16 KiB average
       dx_cas_chunker_init(&ch, &cc);
       dx_cas_merkle tree;                                // the blob's identity: a Merkle
       dx_cas_merkle_init(&tree, &alg);                   // root over its chunk ids
       dx_cas_chunk c;
       size_t used;
       while (len > 0) {                                  // data arrives in pieces of any size
           if (dx_cas_chunker_feed(&ch, p, len, &used, &c)) add_chunk(&alg, &tree, c);
           p += used, len -= used;
       }
       if (dx_cas_chunker_finish(&ch, &c)) add_chunk(&alg, &tree, c);
       uint8_t root[32];
       dx_cas_merkle_root(&tree, root);
       // add_chunk: dx_cas_id_hash(&alg, bytes of c, c.length, &id); dx_cas_chunk_leaf(&alg, &id, leaf);
       //            dx_cas_merkle_push(&tree, leaf);  (and dx_cas_store_put the chunk into a store)
       // Or let a dx_cas_blob_writer do all of it: it stores the chunks and a manifest.

   examples/cas_chunks.c is this program, reading a file.

OVERVIEW
   - Hashing: dx_cas_sha256_* (init/update/final and one-shot). The CPU is
     probed when a dx_cas_hash_alg or a dx_cas_sha256 is initialised and the
     choice is kept in that object: there are no globals. Three names, three
     roles: dx_cas_hash_alg is the algorithm choice (which algorithm, which
     CPU paths; read-only, shareable), dx_cas_hasher the running state of one
     hash (init/update/final), dx_cas_id_hash the one-shot that names bytes
     with an id. x86-64/x86 with
     SHA-NI (GCC/Clang), AArch64 with the SHA-2 extension (Linux getauxval,
     Apple, or a compile-time __ARM_FEATURE_SHA2), portable C everywhere else.
   - BLAKE3 as the second algorithm: hash, keyed hash and key derivation,
     any output length; portable C, and on x86 AVX2 or AVX-512VL (8 chunks
     in parallel) chosen at run time.
   - Ids: dx_cas_id = algorithm code + 32-byte digest. Binary form as a
     multihash (code, length, digest: 34 bytes); text form "sha256-<64 hex>"
     or "blake3-<64 hex>" for people and file names (lower case; the parser
     accepts only that). Trees and stores work with either algorithm.
   - Chunking: FastCDC as in Xia et al., "The Design of Fast Content-Defined
     Chunking for Data Deduplication Based Storage Systems" (IEEE TPDS 2020):
     gear hash, cut-point skipping below the minimum, normalized chunking
     (a stricter mask before the average size, a looser one after), two
     bytes per step. Boundaries and gear hashes are those of the fastcdc-rs
     crate's v2020 module, bit for bit (tests/vectors/cas/). Fixed-size
     chunking too. The chunker is streaming: feeding the input in pieces of
     any size gives the same chunks as one call.
   - Merkle trees (RFC 9162 section 2.1): leaf = H(0x00 || data), node =
     H(0x01 || left || right), split at the largest power of two smaller
     than n, no duplicated last node; empty tree = H(""). A streaming root
     in O(log n) memory (64 hashes, any count up to 2^64 - 1), inclusion and
     consistency proofs generated from a list of leaf hashes and verified
     with the RFC 9162 algorithms, which reject proofs that are too short or
     too long.
   - Stores: a small vtable (put_fn, get_fn, has_fn, delete_fn, iterate_fn,
     sync_fn) with a memory backend (caller memory possible), a crash-safe
     directory backend and your own; the dx_cas_store_* verbs work on any of
     them. Every get re-hashes; dx_cas_store_verify walks a store. The
     directory store is durable and fast by default: puts are made durable in
     batches (written, then synced together: one syncfs for many loose files,
     else an fsync of each, then renamed into place, before any ref names them), small objects share pack files
     (a store takes on disk about what its objects hold), and built with DX_CAS_WITH_ZSTD
     it keeps objects zstd-compressed (level 3) when that makes them smaller;
     an id stays the hash of the content, so dedup and verification do not
     change (dx_cas_object_* is that encoding, for your own backends too).
   - Blobs: any byte stream becomes chunks plus a manifest (in parts of 1,024
     chunks past that: writing or reading a blob of any size holds one part);
     reading it back verifies every chunk; untrusted manifests are bounded
     before use.
   - Snapshots: tree objects (name, mode, size, id) make a whole directory
     one root; named refs are updated atomically; dx_cas_store_gc marks from
     roots and sweeps the rest, and refuses to run without roots or past a
     root or tree it cannot read.
   - Formats: ids, proofs, manifests, trees and stored objects are specified
     byte by byte in WIRE FORMAT, and so are the Merkle leaf of a chunk and
     FastCDC's cut points, so another implementation cuts the same chunks
     and computes the same roots.
   DOES NOT (yet): BLAKE3 with NEON or threads, a Windows directory store,
   GC that may run while others write. They are planned.

API
   Algorithms and CPU
   uint32_t dx_cas_cpu_detect(void)
       the accelerations this build can use on this CPU (DX_CAS_CPU_* bits).
       allocates: no. thread-safety: any thread (it reads CPUID / auxv only).
   dx_result dx_cas_hash_alg_init(dx_cas_hash_alg *alg, uint32_t code)
       the algorithm choice: code DX_CAS_ALG_SHA256 (or 0, the default) or
       DX_CAS_ALG_BLAKE3; alg->cpu = dx_cas_cpu_detect() (clear bits to force
       the portable code). errors: DX_ERR_UNSUPPORTED.
   const char *dx_cas_alg_name(uint32_t code)      "sha256", "blake3", or NULL if unknown

   SHA-256
   void dx_cas_sha256_init(dx_cas_sha256 *h, uint32_t cpu)
       cpu: DX_CAS_CPU_* bits allowed (dx_cas_cpu_detect(), alg->cpu, or 0 for portable):
       only bits the CPU has (one it lacks runs instructions it has not: SIGILL).
   void dx_cas_sha256_update(dx_cas_sha256 *h, const void *data, size_t len)
   void dx_cas_sha256_final(dx_cas_sha256 *h, uint8_t out[32])   h may be re-initialised after
   void dx_cas_sha256_digest(const void *data, size_t len, uint8_t out[32])
       one-shot; probes the CPU on each call (CPUID is slow in VMs: for many
       small inputs keep a dx_cas_hash_alg and use a dx_cas_hasher or dx_cas_id_hash).
   const char *dx_cas_sha256_impl_name(const dx_cas_sha256 *h)    "portable", "sha-ni", "armv8"
   All: allocates: no. errors: none (any input is valid).

   BLAKE3 (portable C; on x86 AVX2: 8 chunks at once, AVX-512: 16; a dx_cas_blake3 is about 1.9 KiB)
   void dx_cas_blake3_init(dx_cas_blake3 *h, uint32_t cpu)         cpu: as for SHA-256
   void dx_cas_blake3_init_keyed(dx_cas_blake3 *h, const uint8_t key[32], uint32_t cpu)    keyed hash mode
   void dx_cas_blake3_init_derive_key(dx_cas_blake3 *h, const void *context, size_t len, uint32_t cpu)  key derivation
   void dx_cas_blake3_update(dx_cas_blake3 *h, const void *data, size_t len)
   void dx_cas_blake3_final(const dx_cas_blake3 *h, uint8_t *out, size_t out_len)
       any output length (extendable output); h is not changed, so more
       input may follow. The 32-byte output is the default digest.
   void dx_cas_blake3_digest(const void *data, size_t len, uint8_t out[32])
       one-shot; probes the CPU on each call. It and dx_cas_id_hash see the
       whole input, so on x86 its last chunk is hashed with the others: faster
       than init/update/final from 2 KiB on.

   Either algorithm, as a dx_cas_hash_alg chooses it (what ids, trees and stores use)
   void dx_cas_hasher_init(dx_cas_hasher *h, const dx_cas_hash_alg *alg)      the running state
   void dx_cas_hasher_update(dx_cas_hasher *h, const void *data, size_t len)
   void dx_cas_hasher_final(dx_cas_hasher *h, uint8_t out[32])

   Ids
   void dx_cas_id_hash(const dx_cas_hash_alg *alg, const void *data, size_t len, dx_cas_id *out)
       one-shot: the id of len bytes (the hash of exactly those bytes).
   void dx_cas_id_hash_memo(const dx_cas_hash_alg *alg, dx_cas_zero_memo *memo, const void *data,
                            size_t len, dx_cas_id *out)
       the same id, but data of 4 KiB or more that is all zero bytes and as
       long as the last such data hashed through memo (a zeroed struct to
       start) takes the id memo kept: the holes of a sparse file cost a
       compare a word, not a hash each. One memo per thread.
   bool dx_cas_id_equal(const dx_cas_id *a, const dx_cas_id *b)
   int64_t dx_cas_id_encode(const dx_cas_id *id, uint8_t *out, size_t cap)     34, or NOSPACE / UNSUPPORTED
   int64_t dx_cas_id_decode(const uint8_t *buf, size_t len, dx_cas_id *out)    bytes used (34),
       or DX_ERR_TRUNCATED, DX_ERR_UNSUPPORTED (unknown code), DX_ERR_CORRUPT (wrong length byte)
   int64_t dx_cas_id_format(const dx_cas_id *id, char *out, size_t cap)
       writes the text form and a NUL; returns its length (71). NOSPACE if cap < 72.
   dx_result dx_cas_id_parse(const char *text, size_t len, dx_cas_id *out)
       exactly "<alg>-<64 lower-case hex>"; anything else is DX_ERR_CORRUPT
       (DX_ERR_UNSUPPORTED for a well-formed unknown algorithm name). out is
       written only on success.

   Stores (a store is used by one thread at a time)
   dx_result dx_cas_store_init(dx_cas_store *s, const dx_cas_store_config *cfg)
       a store over any backend: cfg->vtable = {put_fn, get_fn, has_fn,
       delete_fn, iterate_fn, sync_fn} (sync_fn may be NULL), cfg->self its
       state, cfg->hash_alg (NULL: SHA-256, CPU detected), cfg->allocator for
       the verbs that allocate (blob reads, verify, gc; zeroed: DX_MALLOC).
       This is how a user-supplied backend (flash, an object service) plugs
       in; dx_cas_mem_store and dx_cas_dir_store fill the config for theirs.
       allocates: no. errors: DX_ERR_INVAL (a required function missing, an
       allocator with only one of alloc/free).
   dx_result dx_cas_store_put(dx_cas_store *s, const void *data, size_t len, dx_cas_id *out_id)
       hashes, and stores unless the store has the id already (dedup,
       counted in s->stats). allocates: what the backend does. An object of
       4 KiB or more that is all zero bytes and as long as the last such one
       is not hashed again: the store keeps that one's id (s->zero), here
       and in get's check (the holes of a sparse file cost a compare a word).
   int64_t dx_cas_store_get(dx_cas_store *s, const dx_cas_id *id, void *buf, size_t cap)
       the object's length. Every read is re-hashed: content that does not
       match its id (or a stored form that does not decode) gives
       DX_ERR_CHECKSUM and buf is zeroed (corrupt data is
       never handed out). DX_ERR_NOTFOUND, DX_ERR_NOSPACE (cap < length;
       dx_cas_store_has gives the length).
   int64_t dx_cas_store_has(s, id)            the length, or DX_ERR_NOTFOUND
   dx_result dx_cas_store_delete(s, id)       DX_OK or DX_ERR_NOTFOUND
   dx_result dx_cas_store_iterate(s, dx_cas_iter_fn fn, void *user)   every object once; fn may delete it
       (a directory store's batch not yet synced is not listed)
   dx_result dx_cas_store_sync(s)
       makes the puts so far durable and visible to others (the directory
       store's batches); call it before you write a ref that names them (a
       ref written first may, after a crash, name objects that are gone).
       DX_OK at once for stores whose puts are durable when they return.
   dx_result dx_cas_store_verify(s, const dx_cas_id *roots, size_t nroots, const dx_cas_limits *lim,
                                 dx_cas_problem_fn problem, void *user, dx_cas_verify_report *out)
       fsck: re-hashes every object (corrupt ones are reported as
       DX_ERR_CHECKSUM), then walks from the roots (each a tree or a
       manifest) and reports every reachable object that is missing
       (DX_ERR_NOTFOUND: out->missing counts them, a missing root too) or
       malformed (DX_ERR_CORRUPT: a tree or manifest that does not parse, a
       root that is neither; counted in out->corrupt). Returns
       DX_ERR_CORRUPT if anything was found, so a caller need not read the
       counts to fail. With nroots 0 only the re-hash runs (nothing can be
       missing: pass the refs' roots). allocates (the store's allocator):
       one object at a time, the set of the trees and manifests read (32
       bytes each) and one of the missing ids; a chunk is looked up, not
       remembered (one named twice is looked up twice). A damaged pack
       (d->bad_packs, d->bad_pack: its objects are not listed) makes it
       DX_ERR_CORRUPT with no problem reported for it. Run while another
       process's gc repacks, it may fail DX_ERR_IO (a pack it listed is
       gone): run it again.
   dx_result dx_cas_store_gc(s, const dx_cas_id *roots, size_t nroots, uint32_t max_depth, uint32_t flags,
                             dx_cas_gc_report *out)
       marks what the roots reach (tree entries name trees or blob
       manifests; manifests name chunks), then deletes every other object.
       flags: DX_CAS_GC_DRY_RUN counts what would go and deletes nothing;
       DX_CAS_GC_ALLOW_NO_ROOTS lets nroots 0 delete every object. Without it
       nroots 0 is refused with DX_CAS_ERR_NO_ROOTS (an empty list of refs,
       or one whose refs could not be read, must not empty the store). Stops
       before deleting anything if a root or a reachable tree or manifest is
       missing (DX_ERR_NOTFOUND) or does not parse (DX_ERR_CORRUPT; a root
       must be a tree or a manifest). Run it while no one writes to the
       store (an object put during the sweep may be deleted; a directory
       store's unsynced batch is never swept). A damaged pack does not stop
       the sweep: the other objects no root reaches go, then DX_ERR_CORRUPT
       (out counts what was deleted; none of that pack is touched). gc does
       not re-hash chunks (verify does). max_depth 0 = 64: how deep trees
       may nest below a root. errors also:
       DX_ERR_INVAL (an unknown flag). allocates (the store's allocator): the
       mark set (8 bytes of each reached object's digest, the table between
       3/8 and 3/4 full: 11 to 21 bytes an object; two objects whose first 8
       bytes agree count as one, which can only keep garbage), at most
       DX_CAS_GC_MARKS of them (8 MiB): past that the gc runs in passes, each
       marking and sweeping the objects whose digests begin in one range
       (each pass reads the trees and manifests again); the set of the trees
       and manifests read (32 bytes each, exact: each is read once a pass),
       each of those whole in turn, and the walk stack.

   Memory store: a hash table and an arena in one block (caller memory or the allocator)
   size_t dx_cas_mem_memory_size(const dx_cas_mem_config *cfg)     bytes for max_objects / max_bytes
   dx_result dx_cas_mem_init(m, cfg, void *mem, size_t mem_size)   allocates: no
   dx_result dx_cas_mem_create(m, cfg) / void dx_cas_mem_destroy(m) allocates: the block
   dx_result dx_cas_mem_store(m, alg, dx_cas_store *out)
       the store over m (its allocator: cfg->allocator). A full store answers
       DX_ERR_NOSPACE; deleted objects' bytes are reclaimed (live objects
       slide down) when the arena runs out.

   Directory store (POSIX; DX_CAS_HAS_DIRSTORE is defined where it exists)
   dx_result dx_cas_dir_open(dx_cas_dir *d, const dx_cas_dir_config *cfg)
       makes <path>/objects and <path>/tmp if missing, removes the temporary
       files of writers that are no longer running (d->cleaned counts them).
       A zeroed config (but the path) is durable and fast:
       Durability, by default in batches (git's core.fsyncMethod=batch): a put
       writes the object to tmp/ with no fsync; it is visible to this handle
       at once and to others after dx_cas_store_sync, which makes the whole
       batch durable in three steps: (1) the objects' bytes, all together
       (Linux, for a batch of DX_CAS_DIR_SYNCFS_MIN loose files or more: one
       syncfs(2) of the store's file system; else an fsync of each file,
       pack or loose: it waits for nothing else), (2) every object renamed
       into place, (3) the renames (after a syncfs one more; else an fsync
       of each changed folder). Write a
       ref only after the sync returns: then nothing a ref names is missing
       or partial after a crash or power cut, and a crash before the sync
       loses only the unsynced batch (removed at the next open). A batch
       syncs by itself every DX_CAS_DIR_BATCH_BYTES / _OBJECTS, and
       dx_cas_dir_close syncs one left open (call dx_cas_store_sync yourself
       to see its errors; where that sync fails, close removes the batch's
       pending files).
       Packs (0.4.0): in batch mode every object of at most
       DX_CAS_DIR_PACK_OBJECT_MAX content bytes is appended to the batch's
       pack file instead of a file of its own (a file system spends a whole
       block on each small file: on bench/run_snap.sh's tree 127 MB on disk
       for 73 MB of objects); objects up to DX_CAS_DIR_PACK_BLOCK / 2 are
       gathered into blocks of up to DX_CAS_DIR_PACK_BLOCK (128 KiB) that are
       compressed as one record (small chunks and files compress as well as
       large ones; a read decodes the whole block, and keeps the last four
       decoded, so reading a pack in order decodes each block once; manifests
       and trees, which gc and verify read all of, fill blocks of their own); the sync
       finishes the pack (an index sorted by id, a
       checksummed trailer: WIRE FORMAT "DXCK"), makes it durable with the
       rest and renames it to packs/<checksum>.pack. Open reads and checks
       every pack's index into one table (about 85 bytes an object; has() of
       a packed object is a lookup, no system call), but for the packs that
       packs/index covers (0.5.0): once the table holds cfg->table_max
       objects of finished packs or more (0: DX_CAS_DIR_TABLE_MAX, 65,536;
       UINT64_MAX: never), a sync merges them and the index there was into a
       new packs/index (WIRE FORMAT "DXCX": every entry sorted by digest,
       behind a fan-out table the handle keeps), written under a temporary
       name, fsync'd (unless no_sync) and renamed into place, and drops them
       from the table (d->indexed counts the merges). A lookup the table
       misses then reads the index: one pread of at most 64 entries (a
       store of more than about 2^22 objects: a few more, halving its
       bucket). So the table's memory stays bounded however large the store
       grows (t_dir_index), and an open reads the index (checked whole: its
       SHA-256) instead of every covered pack's. An index that fails a check
       is not used (d->bad_index: its packs are read into the table; the next
       merge writes it anew); packs made since (by this handle or others) are
       read into the table. A delete of an object in a covered pack sets a
       bit for its index entry (a bit per indexed object, allocated at the
       first such delete; the pack stays covered; 0.6.1: it took the pack's
       entries back into the table, so a gc held every pack it touched). Covered
       packs' indexes are not checked at open: a damaged one shows as
       objects that fail their hash (verify). A pack that fails a check
       is counted in d->bad_packs (d->bad_pack names the first), none of it is
       used, and iterate (so verify) returns DX_ERR_CORRUPT after listing the
       rest. A get or has that misses looks for packs other writers added since. A
       deleted packed object is gone for this handle at once and from the disk
       at the next sync (dx_cas_store_gc syncs at its end, close syncs too):
       each pack that lost an object is rewritten, its live objects copied
       into the batch's new pack, and the old file removed only once the new
       one is durable and in place (d->repacked counts them); every
       table_max objects copied so, the sync commits what it has and merges
       (0.6.1), so a rewrite of any number of packs holds about table_max
       entries. Objects already
       loose (0.3.0 stores, sync_each puts, larger objects) are read as before,
       so every existing store reads. cfg->loose: write one file per object
       as 0.3.0 did (stores that readers before 0.4.0 must read: they do not
       see packs, report those objects missing, and their gc stops before
       deleting anything). d->packed / d->packed_bytes count this handle's
       packed puts. cfg->sync_each: every put durable and visible to
       others when it returns instead (an fsync of the object and of its
       folder each: about 8x slower on a real tree). cfg->no_sync: no fsync
       at all (scratch stores; renames stay atomic). errors: DX_ERR_NOTFOUND
       (no parent folder), DX_ERR_IO (d->os_error has errno), DX_ERR_LIMIT (path too long).
       cfg->own_packs: a get or has that misses does not look for packs other
       writers made since the open (0.4.1), nor in fan-out folders of objects/
       made since by others (0.4.3: the ones there are read at the open): for
       a cache one handle fills, or a program that holds its own lock, where
       misses are many and expected (each look is a stat of packs/, and a read
       of it while its time is within 2 s of now, and an open of the loose
       file's name); its own puts are all found.
       cfg->must_exist: open only a store that is there (<path>/objects is a
       folder) and create no store: DX_ERR_NOTFOUND for a missing path, a file,
       or a folder that is not a store (what read-only tools such as verify,
       gc or restore want: a mistyped path must not become an empty store).
       cfg->compress: the zstd level (1..19) to store each object compressed
       when that makes it smaller (d->compressed and d->saved_bytes count
       them); 0, the default: DX_CAS_COMPRESS_DEFAULT (3) in a build with
       DX_CAS_WITH_ZSTD, none without; DX_CAS_COMPRESS_NONE (-1): objects as
       they are. A level without DX_CAS_WITH_ZSTD: DX_ERR_UNSUPPORTED; below
       -1 or above 19: DX_ERR_INVAL. Whatever cfg->compress says, gets and has see
       content (has: the content length) and ids name content, so a store may
       mix both forms and be reopened with or without compression; only a
       build without DX_CAS_WITH_ZSTD cannot read compressed objects
       (DX_ERR_UNSUPPORTED). A stored form that does not decode is reported
       by dx_cas_store_get / dx_cas_store_has as DX_ERR_CHECKSUM, like a wrong hash,
       and so is an object whose file is not a regular file (a FIFO, a folder: the
       store opens only regular files, and a FIFO never blocks it; 0.6.4).
       d->compress (the level in use) may be set to 0 between puts and back:
       records written meanwhile are stored as they are, without the try (for
       content compressed already; small objects waiting in a pack's block
       are written with the setting of the moment).
       cfg->allocator: the buffer below, and what the store's blob reads,
       verify and gc allocate (zeroed: DX_MALLOC).
       allocates: with compression a zstd compression context at open, a
       decompression context at the first compressed read (both from zstd's
       own allocator), and a buffer as large as the largest object; in batch
       mode a set of the batch's digests (8 bytes each, a table at most 4x
       the batch's objects; without memory every lookup also looks in tmp/);
       the pack table (a 64-byte entry per packed object and an 8-byte slot
       in a table between 3/8 and 3/4 full: about 75 to 85 bytes an object)
       for at most about cfg->table_max objects plus a batch's (below), and
       the index's fan-out (up to 256 KiB) and pack names (32 bytes a pack),
       the open pack's index (56 bytes an object),
       the open block (DX_CAS_DIR_PACK_BLOCK), the last four blocks read
       and a list of the packs; dx_cas_dir_close frees them.
   dx_result dx_cas_dir_store(d, alg, dx_cas_store *out) / void dx_cas_dir_close(d)
       Crash safety: an object is renamed into its fan-out folder only once
       its bytes are durable (sync_each: fsync, rename, fsync of the folder,
       and of objects/ when the folder is new: after dx_cas_store_put returns
       the object survives a crash), so no reader ever sees a partial object.
       Several processes may put the same object at once, in either mode; two
       handles of one process keep their batches apart.

   Packs ("DXCK", WIRE FORMAT): what the directory store's packs/ holds; the parser is
   public for tools and fuzzing. allocates: no.
   dx_result dx_cas_pack_parse(const uint8_t *tail, size_t len, uint64_t pack_size, uint32_t cpu,
                               dx_cas_pack_index *out)
       tail: the pack's last len bytes (the whole pack: len == pack_size, and
       then the header is checked too). Checks the trailer (magic, version,
       flags, the count against pack_size, the index offset); with fewer
       bytes than index + trailer it returns DX_ERR_TRUNCATED with
       out->count and out->index_offset set (read pack_size - index_offset
       bytes and call again). Then the SHA-256 of the index (cpu: DX_CAS_CPU_*
       bits, 0 portable; DX_ERR_CHECKSUM), and every entry: a known id
       (DX_ERR_UNSUPPORTED / DX_ERR_CORRUPT), flags 0, ids strictly
       increasing, the stored form inside the records, the stored bytes in
       all no more than the records (DX_ERR_CORRUPT). errors also
       DX_CAS_ERR_MAGIC, DX_ERR_INVAL. out->entries points into tail.
   void dx_cas_pack_index_entry(const dx_cas_pack_index *p, uint32_t i, dx_cas_pack_entry *out)
       entry i (id, offset, stored, size) of a parsed index.

   Stored object encoding ("DXCZ", WIRE FORMAT): what the directory store
   writes, for your own backends too. allocates: no (zstd: its context or,
   with NULL, one of its own per call).
   size_t dx_cas_object_bound(size_t len)      largest stored form of len bytes: len + 16
   int64_t dx_cas_object_encode(void *zstd_cctx, const void *data, size_t len, void *out, size_t cap)
       the stored form's length: one zstd frame behind a header if that is
       smaller than len (zstd_cctx: a ZSTD_CCtx with its level set; NULL, or
       a build without DX_CAS_WITH_ZSTD: never), else the bytes as they are
       (behind a RAW header if they begin with "DXCZ"). errors: DX_ERR_NOSPACE
       (cap < dx_cas_object_bound(len)), DX_ERR_INVAL.
   int64_t dx_cas_object_size(const uint8_t *buf, size_t len, uint32_t *out_method)
       the content length of a stored form (len for plain bytes); checks the
       header, the lengths and (with zstd) the frame's own content size.
       errors: DX_ERR_CORRUPT, DX_ERR_UNSUPPORTED (major version, method or
       flag unknown).
   int64_t dx_cas_object_decode(void *zstd_dctx, const uint8_t *buf, size_t len, void *out, size_t cap)
       the content into out: its length. The size is checked against cap
       before anything is written (DX_ERR_NOSPACE), so a frame that claims
       gigabytes costs nothing; a frame that does not give exactly the size
       is DX_ERR_CORRUPT and out is zeroed. zstd_dctx: a ZSTD_DCtx or NULL.
       A zstd form without DX_CAS_WITH_ZSTD: DX_ERR_UNSUPPORTED.

   Blobs: chunks plus a manifest; the blob's identity (an ETag) is the
   Merkle root over its chunks: leaf i = dx_cas_chunk_leaf(chunk i's id) =
   H(0x00 || digest), so one chunk can be checked with an inclusion proof.
   A blob of more than cfg->part_chunks chunks (default DX_CAS_PART_CHUNKS,
   1024: 16 MiB of 16 KiB chunks) is stored in parts: each part a
   manifest of that many chunks (the last of fewer), and a PARTS manifest
   naming the parts, 76 bytes each, so neither a writer nor a reader holds
   more than one part of a blob of any size (the root stays the Merkle root
   over all the chunks: a part is a whole subtree of it).
   A writer's config: cfg->store (required), cfg->chunker (zero: FastCDC,
   16 KiB average), cfg->max_chunks (the blob's bound; 0: none, with create
   only), cfg->part_chunks (a power of two >= 2; 0: 1024), cfg->allocator (create).
   size_t dx_cas_blob_writer_memory_size(const dx_cas_blob_writer_config *cfg)
       the chunker's max_size + 64 KiB of buffer, plus 56 + 36 x min(max_chunks,
       part_chunks) bytes of part (64 entries to begin with when max_chunks is
       0, growing to part_chunks), plus 56 + 76 x the parts of max_chunks when
       there are more than one (none to begin with when max_chunks is 0);
       0 for a bad config.
   dx_result dx_cas_blob_writer_init(w, cfg, void *mem, size_t mem_size)
       a writer in caller memory (firmware: no heap); needs cfg->max_chunks,
       and a blob with more chunks fails with DX_ERR_LIMIT. allocates: no.
       errors: DX_ERR_INVAL, DX_ERR_NOSPACE (mem_size < memory_size).
   dx_result dx_cas_blob_writer_create(w, cfg) / void dx_cas_blob_writer_destroy(w)
       create allocates memory_size bytes through cfg->allocator; without
       max_chunks the part and the list of parts move to blocks twice their
       size when full.
       destroy frees what create allocated (and nothing after init).
   dx_result dx_cas_blob_writer_write(w, const void *data, size_t len)      pieces of any size
   dx_result dx_cas_blob_writer_add(w, const dx_cas_id *chunk_id, uint32_t len)
       the blob's next chunk by id, without its bytes (a client that fetches
       chunks by id and stores them itself): added to the manifest as it is,
       nothing checks that the store holds it. A blob is made either way,
       not both (DX_ERR_MISUSE); an id of another algorithm: DX_ERR_MISUSE.
   dx_result dx_cas_blob_writer_finish(w, dx_cas_id *out_manifest, uint8_t out_root[32])
       stores the manifest; w->new_chunks / new_bytes say what the store
       lacked. Errors are sticky; after finish the writer answers
       DX_ERR_MISUSE (make a new one for the next blob).
   dx_result dx_cas_blob_read(s, const dx_cas_id *manifest, const dx_cas_limits *lim,
                              dx_cas_write_fn write, void *user, dx_cas_manifest *out_info)
       every chunk, verified, in order, to write(user, offset, data, len).
       allocates (the store's allocator): the manifest, one part, the largest chunk.
       errors: DX_ERR_NOTFOUND (a chunk is missing), DX_ERR_CHECKSUM (corrupt),
       DX_ERR_LIMIT / DX_ERR_CORRUPT / DX_CAS_ERR_MAGIC (a bad manifest).
   dx_result dx_cas_manifest_parse(alg, const uint8_t *buf, size_t len, const dx_cas_limits *lim,
                                   dx_cas_manifest *out)
       checks the bounds (chunk count, chunk size, total size) on the header
       before reading entries, the lengths, and that the root is the Merkle
       root of the entries (WIRE FORMAT, Merkle leaf; DX_ERR_CHECKSUM if not).
       A PARTS manifest (out->parts > 0): the parts' rules and that ROOT is the
       Merkle root of the parts' roots; the parts are checked as they are read.
       lim->max_chunks bounds the entries of one manifest (chunks, or parts).
       Allocates nothing; out->entries points into buf.
   void dx_cas_manifest_entry(const dx_cas_manifest *m, uint64_t i, dx_cas_id *out_id, uint32_t *out_len)
       chunk i of a manifest without parts
   void dx_cas_manifest_part(const dx_cas_manifest *m, uint64_t i, dx_cas_part *out)
       part i of a PARTS manifest: its manifest's id, size, count and root
   dx_result dx_cas_chunk_iter_open(it, s, const dx_cas_id *manifest, const dx_cas_limits *lim)
   int dx_cas_chunk_iter_next(it, dx_cas_id *out_id, uint32_t *out_len) / void dx_cas_chunk_iter_close(it)
       a blob's chunks in order, reading its parts one at a time (each checked
       against its entry: DX_ERR_CORRUPT if it differs). next answers 1 (a
       chunk; it->offset is then where the next one begins), 0 (the end) or an
       error (sticky). it->m is the manifest named, it->longest the longest
       chunk of the part under way. allocates (the store's allocator): the
       manifest and one part. close frees them (and is safe after a failed open).
   void dx_cas_chunk_leaf(alg, const dx_cas_id *chunk_id, uint8_t out[32])

   Trees (a directory as one object) and refs
   int64_t dx_cas_tree_encode(uint32_t alg, const dx_cas_tree_entry *e, size_t n, uint8_t *out, size_t cap)
       entries sorted by name (bytes), unique, valid names and modes, ids of
       the algorithm alg (a DX_CAS_ALG_* code, not 0: DX_ERR_UNSUPPORTED):
       the object's length, or DX_ERR_INVAL / NOSPACE. Store it with
       dx_cas_store_put.
   dx_result dx_cas_tree_parse(const uint8_t *buf, size_t len, uint32_t max_entries, dx_cas_tree *out)
       checks every entry (count <= max_entries, 0 = 2^20; names, order,
       modes, exact length) before you read any. Allocates nothing.
   bool dx_cas_tree_next(const dx_cas_tree *t, size_t *pos, dx_cas_tree_entry *out)
       entries in order; *pos starts at 0. Names point into the object.
   dx_result dx_cas_dir_ref_set(d, const char *name, const dx_cas_id *id)
       atomic (temp file, fsync, rename, fsync of refs/); after dx_cas_store_sync of what it names
   dx_result dx_cas_dir_ref_get(d, name, dx_cas_id *out)
       DX_ERR_NOTFOUND (no such ref), DX_ERR_CORRUPT (the file does not hold
       exactly one id of a known algorithm, optionally followed by a newline).
   dx_result dx_cas_dir_ref_delete(d, name)
       atomic (one unlink, then the refs folder is fsynced); DX_ERR_NOTFOUND.
   dx_result dx_cas_dir_ref_scan(d, dx_cas_ref_fn fn, dx_cas_ref_problem_fn problem, void *user)
       every entry of <path>/refs: fn(user, name, id) for each ref that reads,
       problem(user, name, what) (may be NULL) for each that does not: what is
       DX_ERR_CORRUPT (not an id), DX_ERR_INVAL (not a valid ref name: a file
       put there by hand) or DX_ERR_IO (unreadable, e.g. a folder; d->os_error).
       Nothing is skipped: after the walk it returns DX_ERR_CORRUPT if any
       entry was not a readable ref (d->bad_refs counts them, d->bad_ref names
       the first), so a gc or verify built on it never runs on a partial set
       of roots. fn's first error stops the walk and is returned. No refs
       folder: DX_OK, nothing listed.
   dx_result dx_cas_dir_ref_list(d, dx_cas_ref_fn fn, void *user)
       dx_cas_dir_ref_scan with no problem callback (before 0.3.0 it skipped
       refs it could not read and returned DX_OK).
       names: 1..100 of [A-Za-z0-9._-], not starting with '.'.
   examples/cas_snap.c builds snapshots, restore, verify, gc and stats on these
   (dx_cas_dir_config.must_exist for every command but snap; dx_cas_dir_ref_scan
   so that a ref that does not read stops gc and fails verify).

   Chunking (one thread per chunker; allocates: no)
   dx_result dx_cas_chunker_init(dx_cas_chunker *c, const dx_cas_chunker_config *cfg)
       zeroed cfg: FastCDC, min 4 KiB, avg 16 KiB, max 64 KiB, DX_CAS_NORMALIZATION_MILD
       (cfg->normalization: DX_CAS_NORMALIZATION_*; the cut rule is in WIRE FORMAT).
       FastCDC limits (those of fastcdc-rs): min 64..1 MiB, avg 256..4 MiB,
       max 1 KiB..16 MiB, min <= avg <= max. Fixed mode: chunks of avg_size
       bytes (1..16 MiB). errors: DX_ERR_INVAL.
   bool dx_cas_chunker_feed(dx_cas_chunker *c, const void *data, size_t len, size_t *out_used,
                            dx_cas_chunk *out)
       scans data; true when a chunk ended (then *out used bytes were taken
       and *out describes the chunk), false when all len bytes were taken.
       Chunks are given as absolute stream offsets: a FastCDC chunk may end
       1 byte before the position consumed so far (FastCDC decides a cut at
       an even position after seeing the next byte), so keep the bytes from
       c->start (the unfinished chunk) on, or slice a whole buffer by offset.
       Runs of zero bytes (holes of sparse files, padding) are stepped over,
       8 bytes a compare, once the gear hash has become the value a pair of
       zeros keeps (-(gear[0] ^ seed), reached 64 zero bytes into a run) and
       that value cuts under neither mask (c->zero_skip; true for the default
       config): the chunks are the same as hashing every pair.
   bool dx_cas_chunker_finish(dx_cas_chunker *c, dx_cas_chunk *out)
       end of stream: true and the last chunk if bytes remain. The chunker
       can then be used for a new stream (offsets restart at 0).
   int64_t dx_cas_chunk_buffer(const dx_cas_chunker_config *cfg, const void *data, size_t len,
                               dx_cas_chunk *out, size_t cap)
       every chunk of one buffer: the count, or DX_ERR_NOSPACE / DX_ERR_INVAL.
   dx_cas_chunk.hash is the gear hash at the cut (0 for a chunk that ends
   before any byte was hashed), as fastcdc-rs reports it; 0 in fixed mode.

   Merkle trees (RFC 9162; hashes are 32 bytes; allocates: no)
   void dx_cas_merkle_leaf(const dx_cas_hash_alg *alg, const void *data, size_t len, uint8_t out[32])
   void dx_cas_merkle_node(const dx_cas_hash_alg *alg, const uint8_t left[32], const uint8_t right[32],
                           uint8_t out[32])
   void dx_cas_merkle_init(dx_cas_merkle *m, const dx_cas_hash_alg *alg)
   void dx_cas_merkle_push(dx_cas_merkle *m, const uint8_t leaf_hash[32])   O(1) amortized
   void dx_cas_merkle_root(const dx_cas_merkle *m, uint8_t out[32])         any time; O(log n)
   dx_result dx_cas_merkle_root_of(const dx_cas_hash_alg *alg, const uint8_t *leaf_hashes, uint64_t n,
                                   uint8_t out[32])
       leaf_hashes: n x 32 bytes.
   int64_t dx_cas_merkle_inclusion_proof(alg, const uint8_t *leaf_hashes, uint64_t n, uint64_t index,
                                         uint8_t *out, size_t cap_hashes)
       the audit path of leaf index (leaf to root): number of hashes written
       (32 bytes each), or DX_ERR_INVAL (index >= n) / DX_ERR_NOSPACE.
   dx_result dx_cas_merkle_verify_inclusion(alg, uint64_t index, uint64_t size, const uint8_t leaf_hash[32],
                                            const uint8_t *proof, size_t count, const uint8_t root[32])
       DX_OK, DX_CAS_ERR_PROOF (wrong hash, wrong length, extra nodes), DX_ERR_INVAL (index >= size).
   int64_t dx_cas_merkle_consistency_proof(alg, const uint8_t *leaf_hashes, uint64_t n, uint64_t size1,
                                           uint8_t *out, size_t cap_hashes)
       proof that the tree of the first size1 leaves is a prefix of the tree
       of all n: the count, or DX_ERR_INVAL (size1 > n) / DX_ERR_NOSPACE.
       Empty when size1 is 0 or n.
   dx_result dx_cas_merkle_verify_consistency(alg, uint64_t size1, uint64_t size2, const uint8_t root1[32],
                                              const uint8_t root2[32], const uint8_t *proof, size_t count)
       DX_OK or DX_CAS_ERR_PROOF; DX_ERR_INVAL if size1 > size2. Size 0 or
       equal sizes need an empty proof (and equal roots for equal sizes;
       size1 0 takes any root1: compare it with the empty tree's yourself).
   int64_t dx_cas_proof_encode(const dx_cas_proof *p, const uint8_t *hashes, uint8_t *out, size_t cap)
   int64_t dx_cas_proof_decode(const uint8_t *buf, size_t len, dx_cas_proof *out, const uint8_t **out_hashes)
       the proof wire format below; decode checks the magic, version, kind,
       algorithm, count (<= 128) and length, points *out_hashes into buf,
       and returns the bytes used. errors: DX_CAS_ERR_MAGIC, DX_ERR_TRUNCATED,
       DX_ERR_UNSUPPORTED, DX_ERR_CORRUPT, DX_ERR_LIMIT.
   dx_result dx_cas_proof_verify(const dx_cas_hash_alg *alg, const dx_cas_proof *p, const uint8_t *hashes,
                                 const uint8_t a[32], const uint8_t b[32])
       an inclusion proof (a = leaf hash, b = root) or a consistency proof
       (a = first root, b = second root); alg must match p->alg.

   const char *dx_cas_result_name(dx_result r)

CONFIGURATION
   DX_CAS_NO_SIMD       off   [impl]   portable code only: no SHA-NI / AVX2 / AVX-512 / ARMv8 paths, no CPUID
   DX_CAS_NO_STDIO      off   [global] no directory store; the rest is freestanding
   DX_CAS_NO_BLAKE3     off   [global] SHA-256 only (firmware): no dx_cas_blake3_*, a dx_cas_hasher
                                       without BLAKE3's 1.9 KiB state, about 1.9 KiB less code
                                       (Cortex-M4). BLAKE3 ids still parse and format; hashing
                                       with BLAKE3 (dx_cas_hash_alg_init, a get) is DX_ERR_UNSUPPORTED.
   DX_CAS_WITH_ZSTD     off   [impl]   zstd for stored objects (dx_cas_dir_config.compress,
                                       dx_cas_object_*): includes <zstd.h>, link with -lzstd
                                       (Debian libzstd-dev). Without it nothing changes and
                                       the header needs no library.
   DX_CAS_PATH_MAX      1024  [global] longest directory store path, bytes (inside dx_cas_dir)
   DX_CAS_DIR_BATCH_BYTES 1 GiB [impl] a directory store's batch syncs by itself once it holds this
   DX_CAS_DIR_BATCH_OBJECTS 100000 [impl] many bytes (stored form) or objects: bounds tmp/ and
                                       what a crash loses; each costs one sync
   DX_CAS_DIR_PACK_BYTES 32 MiB [impl] a pack is finished at this size (the batch goes on in a new one)
   DX_CAS_GC_MARKS 786432 [impl] objects one gc pass marks (a set of 8 MiB); a store with more
                                       reachable ones is collected in passes over ranges of digests
   DX_CAS_DIR_TABLE_MAX 65536 [impl] dx_cas_dir_config.table_max's default: packed objects a handle
                                       keeps in memory before a sync merges them into packs/index
   DX_CAS_DIR_PACK_OBJECT_MAX 1 MiB [impl] larger objects stay loose files (one file each)
   DX_CAS_DIR_PACK_BLOCK 128 KiB [impl] objects up to half of it are compressed together in records of up to it
   DX_CAS_DIR_SYNCFS_MIN 64   [impl] a batch with this many loose files or more is made durable with
                                       syncfs (Linux); fewer, and packs: an fsync each
   DX_CAS_NO_SYNCFS     off   [impl]   batches made durable with an fsync per file even on Linux
                                       (a libc without syncfs)
   DX_STATIC / DX_CAS_STATIC, DX_CAS_API / DX_API, DX_MALLOC/DX_FREE, DX_NO_MALLOC,
   DX_MEMCPY..., DX_ASSERT/DX_NO_ASSERT, DX_NO_ERROR_STRINGS, DX_CONFIG_HEADER: as in every dx header.

MEMORY
   Hashing, chunking, Merkle trees and proofs never allocate. A
   dx_cas_sha256 is 112 bytes, a chunker about 100, a dx_cas_merkle 2 KiB
   (64 hashes: enough for 2^64 leaves). Proof generation and manifest
   parsing use one dx_cas_merkle on the stack; nothing recurses. Worst-case
   stack of any call: under 4 KiB (the directory store: plus 3 paths of
   DX_CAS_PATH_MAX; BLAKE3 on x86: up to 8 KiB, the 16-lane kernel's
   registers spill, and up to 45 KiB in an unoptimized build). The
   allocator is always a config's `allocator` field: memory store and blob
   writer create use their config's; blob reads, verify and gc use the
   store's (dx_cas_store_config, or the memory or
   directory store's config); a directory store's zstd buffer uses its
   config's (zstd's contexts, zstd's own allocator). Zeroed: DX_MALLOC; none
   under DX_NO_MALLOC, which gives DX_ERR_NOMEM. Caller memory instead:
   dx_cas_mem_init and dx_cas_blob_writer_init (with max_chunks).
   What grows with the data: nothing in a blob writer or reader past one part
   of its manifest (1,024 entries of 36 bytes) and, for a blob in parts, its
   list of parts (76 bytes per 1,024 chunks); a directory store's table of
   packed objects up to cfg->table_max (then packs/index on disk) plus a
   batch's, and a bit per indexed object once one of them is deleted (a gc's
   sweep and the sync that rewrites the packs it deleted from hold no more:
   0.6.1); gc's mark set up to
   DX_CAS_GC_MARKS a pass; verify's sets of trees and manifests read and of
   missing ids.

ERRORS
   dx_result; module codes DX_CAS_ERR_PROOF (-500: a Merkle proof does not
   lead to the root), DX_CAS_ERR_MAGIC (-501: not a dx_cas object),
   DX_CAS_ERR_NO_ROOTS (-502: dx_cas_store_gc given no roots). Stores
   use the common codes: DX_ERR_CHECKSUM for an object whose bytes do not
   match its id, DX_ERR_NOTFOUND, DX_ERR_NOSPACE (the caller's buffer, or a
   full memory store), DX_ERR_IO (the OS; dx_cas_dir.os_error keeps errno).

THREADING
   No globals, no locks. Every object (hasher, chunker, tree, store, blob
   writer) is used by one thread at a time; a dx_cas_hash_alg is read-only
   after init and may be shared. Directory stores may be shared between
   processes: puts of the same object race harmlessly (atomic renames).

SECURITY MODEL
   Trusted: configs, the dx_cas_hash_alg, backends. Untrusted: id text and
   bytes, proofs (wire form and hashes), tree sizes and indices given to the
   verifiers, manifests, stored forms ("DXCZ": sizes bounded by the caller's
   buffer before zstd runs), packs ("DXCK": the whole index checked, checksum
   included, before any entry is used; a shared record's content bounded by
   DX_CAS_PACK_RECORD_MAX before it is decoded), and every byte a backend
   returns (re-hashed). A Merkle proof binds the root, not the tree size (RFC
   9162: an inclusion proof may also verify under other sizes): take the
   size from where the root came, authenticated with it (a signed tree head).
   Parsers never read past len, bound every count before using it (a proof
   holds at most 128 hashes), and write their output only on success.
   Verification is constant in nothing: it is not meant to hide timing.

WIRE FORMAT (integers little-endian; offsets are the DX_CAS_<RECORD>_OFF_* names)
   Every format below is version 1.0 (DX_CAS_FORMAT_MAJOR / _MINOR, separate from the
   library version): readers reject another major (DX_ERR_UNSUPPORTED), accept any minor.
   id, binary (multihash), DX_CAS_ID_SIZE = 34 bytes:
     0 CODE u8 multihash code (0x12 sha2-256, 0x1e blake3)  1 LENGTH u8 digest length (32)
     2 DIGEST 32 bytes. A reader rejects another code (DX_ERR_UNSUPPORTED) or length (DX_ERR_CORRUPT).
   id, text: "sha256-" or "blake3-", then the digest as 64 lower-case hex digits (71 bytes).
   proof ("DXCP"), DX_CAS_PROOF_HEADER_SIZE + 32 x count bytes:
     0 MAGIC "DXCP"  4 MAJOR u8 1  5 MINOR u8 0  6 KIND u8: 1 inclusion, 2 consistency
     7 ALG u8 algorithm code (the id's multihash code: 0x12 SHA-256, 0x1e BLAKE3;
       DX_CAS_ALG_*, here and in manifests and trees)  8 A u64 leaf index (inclusion) or first tree size (consistency)
    16 B u64 tree size (inclusion) or second tree size  24 COUNT u32 (<= 128)
    28 HASHES count x 32 bytes, leaf to root (RFC 9162 order). Readers reject an
       unknown kind, index >= size (inclusion), first size > second (consistency).
   manifest ("DXCM"), 56 + 36 x count bytes, stored as an object:
     0 MAGIC "DXCM"  4 MAJOR u8 1  5 MINOR u8 0  6 ALG u8 algorithm code  7 FLAGS u8 0
     8 TOTAL_SIZE u64  16 COUNT u64 chunks  24 ROOT 32 bytes: the blob root (Merkle, below)
    56 ENTRIES count x (0 LENGTH u32 chunk bytes >= 1, 4 DIGEST 32-byte chunk digest)
     A reader checks, in this order: the bounds of its dx_cas_limits on COUNT and
     TOTAL_SIZE before it reads any entry (DX_ERR_LIMIT), the exact length
     (DX_ERR_TRUNCATED / DX_ERR_CORRUPT), every LENGTH (>= 1 and <= max_chunk_size),
     that the lengths add up to TOTAL_SIZE (DX_ERR_CORRUPT), and that ROOT is the
     Merkle root of the chunk leaves (DX_ERR_CHECKSUM). A FLAGS bit other than
     PARTS, or an ALG other than the store's: DX_ERR_UNSUPPORTED.
     FLAGS bit 0, PARTS (since dx_cas 0.6.0; earlier readers answer
     DX_ERR_UNSUPPORTED): the blob is in parts, and the entries are P parts, 76 bytes
     each (56 + 76 x P bytes in all): 0 SIZE u64 the part's bytes  8 COUNT u32 its
     chunks  12 DIGEST 32 bytes: the part, a manifest without flags (same ALG) of
     COUNT chunks and SIZE bytes  44 ROOT 32 bytes: that part's ROOT. P >= 2; every
     part but the last holds the same power of two (>= 2) of chunks, the last at
     least 1 and at most as many; COUNT and TOTAL_SIZE are the sums. So each part
     but the last is a perfect subtree of the blob's Merkle tree, and ROOT, the
     Merkle root over all the chunk leaves, is also the Merkle root (the rule
     below) taken over the parts' roots as if they were leaves. A reader checks
     TOTAL_SIZE's bound, the exact length (DX_ERR_CORRUPT), P and every COUNT <=
     max_chunks and SIZE <= COUNT x max_chunk_size (DX_ERR_LIMIT), the parts' rule
     above and SIZE >= COUNT (DX_ERR_CORRUPT), the sums (DX_ERR_CORRUPT), ROOT
     over the parts' roots (DX_ERR_CHECKSUM); then, as it reads each part, that the
     part parses and has no flags, and that its TOTAL_SIZE, COUNT and ROOT equal
     its entry's (DX_ERR_CORRUPT). A writer stores a blob of at most its part's
     count of chunks as one manifest without flags, and a longer one in parts.
   tree ("DXCT"), stored as an object:
     0 MAGIC "DXCT"  4 MAJOR u8 1  5 MINOR u8 0  6 ALG u8 algorithm code  7 FLAGS u8 0
     8 COUNT u32  12 ENTRIES count x entry:
       entry: 0 NAME_LEN u16 (1..255)  2 NAME (no '/', NUL, "." or ".."), then the tail
       at 2 + NAME_LEN: 0 MODE u32 (0100644 file, 0100755 executable, 040000 dir,
       0120000 symlink)  4 SIZE u64 (0 for a dir; else the blob's TOTAL_SIZE where the
       writer follows this header's own use: a file's length, a symlink's target's, whose
       blob is the target's bytes without a NUL)  12 DIGEST 32 bytes (a dir names a
       tree, a file or symlink a blob manifest); 46 + NAME_LEN bytes an entry. What a
       tree and its blobs mean beyond this is the writing program's: cas_snap's trees
       are folders, statekeeper's entries also name its own records (dx_teleport
       buffers whose bytes name more objects), which a walk of trees and manifests
       does not see.
     Names strictly increasing (bytes, the shorter first); nothing after the last entry.
   stored object ("DXCZ"): either the object's bytes as they are, when
     they do not begin with "DXCZ", or a 16-byte header and a payload:
     0 MAGIC "DXCZ"  4 MAJOR u8 1  5 MINOR u8 0  6 METHOD u8: 0 raw, 1 zstd  7 FLAGS u8 0
     8 CONTENT_SIZE u64 (the hash input's length)  16 PAYLOAD: raw, exactly the content;
       zstd, one or more zstd frames (RFC 8878) whose frame content size, when present,
       equals the content length (the writer's stored form, header included, is shorter
       than the content: it uses zstd only then; readers need not check it).
     A writer uses zstd only when it saves bytes, and a raw header only for content
     that begins with "DXCZ" (so the first four bytes decide). Readers reject an
     unknown major, method or flag (DX_ERR_UNSUPPORTED), check the content length
     against their buffer before decoding, and need the frames to give exactly
     that many bytes. The id is always the hash of the content.
   Merkle tree (RFC 9162 section 2.1; H is the algorithm's 32-byte hash, SHA-256 or BLAKE3):
     leaf hash of the bytes d: H(0x00 || d). Node: H(0x01 || left || right) (65 bytes hashed).
     Root MTH of the leaf hashes l[0..n-1]: n = 0, H of no bytes (SHA-256: e3b0c442...7852b855;
     BLAKE3: af1349b9...e41f3262);
     n = 1, l[0]; n > 1, k = the largest power of two smaller than n and
     MTH = node(MTH(l[0..k-1]), MTH(l[k..n-1])). So a level with an odd number of
     nodes carries its last one up unchanged: it is never paired with a copy of
     itself (3 leaves: node(node(l0, l1), l2); 5: node(node(node(l0, l1), node(l2, l3)), l4)).
     A chunk's leaf (manifests, blob roots, dx_cas_chunk_leaf): the leaf hash of the
     chunk's 32-byte digest, H(0x00 || digest), 33 bytes hashed: not the 34-byte
     binary id, not the chunk's bytes. The blob root is the MTH of its chunks' leaves
     in stream order; an empty blob (no chunks) has the root H of no bytes.
     Proofs: the audit and consistency paths of RFC 9162 2.1.3 / 2.1.4, verified
     with its algorithms (2.1.3.2, 2.1.4.2), which reject a path too short or too long.
   FastCDC chunking (Xia et al. 2020, the constants of fastcdc-rs's v2020 module). A
   writer that follows this cuts the same chunks; readers do not check chunk boundaries.
     Parameters: min, avg, max in bytes (0 in the config: avg 16384, min avg / 4,
     max avg x 4; 64 <= min <= 1 MiB, 256 <= avg <= 4 MiB, 1 KiB <= max <= 16 MiB,
     min <= avg <= max); the normalization level L = 0..3 (DX_CAS_NORMALIZATION_NONE,
     MILD (the default), MEDIUM, STRONG); a seed S (u64, default 0).
     Gear table: GEAR[i] (i = 0..255) is the first 8 bytes, read big-endian, of the MD5
     digest of 64 bytes that all equal i. GEAR[0] = 0x3b5d3c7d207e37dc, GEAR[1] =
     0x784d68ba91123086, GEAR[2] = 0xcd52880f882e7298, ..., GEAR[255] = 0xaabd2b2a451504e1;
     the 2048 bytes GEAR[0..255] (8 bytes big-endian each) have the SHA-256
     9df0a720752a7d211fdebaf39bed01610983756fc340a1cfef41052b7356ae73. G[i] = GEAR[i] XOR S.
     Masks: MASK[b] has b one bits (hex; destor's values up to b = 17, restic's above):
        5 0000000001804110   6 0000000001803110   7 0000000018035100   8 0000001800035300
        9 0000019000353000  10 0000590003530000  11 0000d90003530000  12 0000d90103530000
       13 0000d90303530000  14 0000d90313530000  15 0000d90f03530000  16 0000d90303537000
       17 0000d90703537000  18 0000d90707537000  19 0000d91707537000  20 0000d91747537000
       21 0000d91767537000  22 0000d93767537000  23 0000d93777537000  24 0000d93777577000
       25 0000db3777577000
     bits = round(log2(avg)) (8..22: avg 16384 gives 14, 12000 gives 14, 11000 gives 13);
     MS = MASK[bits + L], the strict mask before avg; ML = MASK[bits - L], the loose one
     after (L = 1, avg 16 KiB: MS = MASK[15], ML = MASK[13]).
     Cut point of the bytes src[0..n-1] left in the stream (arithmetic mod 2^64):
       if n <= min: the chunk is all n bytes, hash 0. Else end = min(n, max),
       center = min(avg, end), h = 0, i = floor(min / 2), and
       while i < floor(center / 2):       (then the same with ML while i < floor(end / 2))
           a = 2i; h = (h << 2) + (G[src[a]] << 1)
           if (h & (MS << 1)) == 0: cut, the chunk is a bytes
           h = h + G[src[a + 1]]
           if (h & MS) == 0: cut, the chunk is a + 1 bytes
           i = i + 1
       no cut: the chunk is end bytes. The next chunk starts after it with h = 0.
     So bytes are hashed two per step: cut-point skipping starts at the even offset
     2 x floor(min / 2); a cut found at the first byte of a pair (even offset a) ends
     the chunk before that byte (a bytes, though the byte was hashed), one at the
     second byte (a + 1) ends it before that byte too, after the pair's first (a + 1
     bytes, though a + 1 was hashed); with an odd end the last byte is never hashed.
     The chunk's hash (dx_cas_chunk.hash) is h at the cut, or when the loops end.
     Fixed chunking: chunks of avg bytes, the last one shorter.
   pack ("DXCK"), <path>/packs/<SUM as 64 lower-case hex digits>.pack, many stored objects:
     header, DX_CAS_PACK_HEADER_SIZE = 8 bytes: 0 MAGIC "DXCK"  4 MAJOR u8 1  5 MINOR u8 0
       6 FLAGS u16 0.
     records, from offset 8 to INDEX_OFF: stored forms ("DXCZ" below), back to back, in any
       order; bytes no entry names are allowed (and ignored). A record's content is one
       object, or several objects' contents back to back (small objects compressed together:
       at most DX_CAS_PACK_RECORD_MAX = 16 MiB of content then).
     index at INDEX_OFF: COUNT entries of DX_CAS_PACK_ENTRY_SIZE = 56 bytes, ids strictly
       increasing (binary form, bytewise; so no id twice): 0 ID 34 bytes (binary id)
       34 FLAGS u16 0  36 OFFSET u64 (its record's first byte, from the start of the file)
       44 STORED u32 (the record's bytes)  48 SIZE u32 (the object's bytes: the hash input)
       52 INNER u32 (where the object begins in the record's content). The object is always
       content bytes INNER .. INNER + SIZE - 1 of the record; INNER 0 does not make a record
       one object's (the directory store gathers objects up to DX_CAS_DIR_PACK_BLOCK / 2
       into records of up to DX_CAS_DIR_PACK_BLOCK).
     trailer, the last DX_CAS_PACK_TRAILER_SIZE = 56 bytes: 0 INDEX_OFF u64  8 COUNT u32
       12 FLAGS u32 0  16 SUM 32 bytes: SHA-256 of the index followed by trailer bytes 0..15
       48 MAGIC "DXCI"  52 MAJOR u8 1  53 MINOR u8 0  54 RESERVED u16 0.
     A reader checks: trailer magic (DX_CAS_ERR_MAGIC), major, flags, reserved
     (DX_ERR_UNSUPPORTED); file size >= 64, COUNT <= (size - 64) / 56, INDEX_OFF = size - 56 -
     56 x COUNT; the header's magic, major and flags; SUM (DX_ERR_CHECKSUM); each entry: the id
     (a known code, length 32), FLAGS 0, order, 8 <= OFFSET <= INDEX_OFF, STORED <= INDEX_OFF -
     OFFSET, INNER 0 or INNER + SIZE <= 16 MiB (DX_ERR_CORRUPT). The directory store also
     needs the file name to be SUM, and when it reads an object: the record to decode, its
     content to hold INNER + SIZE bytes (and be at most 16 MiB when it holds more than the
     object); else DX_ERR_CHECKSUM for that object. Records may overlap or be shared (every
     read is re-hashed). A pack that fails the checks above is not used at all.
   packs' index ("DXCX"), <path>/packs/index: where the objects of many packs are (derived
     from the packs: a store is whole without it); all integers little-endian:
     header, DX_CAS_INDEX_HEADER_SIZE = 32 bytes: 0 MAGIC "DXCX"  4 MAJOR u8 1  5 MINOR u8 0
       6 FLAGS u16 0  8 PACKS u32 (P)  12 FAN_BITS u32 (F, 0..16)  16 COUNT u64 (N < 2^32)
       24 RESERVED u64 0.
     names at 32: P x 32 bytes, the packs' checksums (the SUM that names each pack file),
       strictly ascending (bytewise).
     fan-out at 32 + 32 P: 2^F x u32; fan[b] = the number of entries whose digest's first F
       bits (big-endian: the high bits of digest byte 0 first) are <= b; fan[2^F - 1] = N.
     entries at 32 + 32 P + 4 x 2^F: N x DX_CAS_INDEX_ENTRY_SIZE = 64 bytes, strictly
       ascending by (digest, code) bytewise (so each id once): 0 DIGEST 32 bytes  32 CODE u8
       (the id's multihash code)  33 ZERO u8 0  34 FLAGS u16 0  36 PACK u32 (< P: the pack's
       place among the names)  40 OFFSET u64  48 STORED u32  52 SIZE u32  56 INNER u32 (as in
       that pack's own entry for the object)  60 RESERVED u32 0.
     trailer, the last DX_CAS_INDEX_TRAILER_SIZE = 40 bytes: 0 SUM 32 bytes: SHA-256 of every
       byte before the trailer  32 MAGIC "DXCX"  36 RESERVED u32 0.
     A reader checks: magic, major, flags and reserved fields, F <= 16, the file's size = 32 +
       32 P + 4 x 2^F + 64 N + 40, the names' order, the fan-out (never decreasing, last = N),
       every entry (order, in its fan-out bucket, PACK < P, zero fields) and SUM; an index that
       fails is not used. An entry whose pack is not in packs/ (removed since) is ignored.
       The index is a cache: a store's objects are its loose files and the entries of every
       pack in packs/, so a reader also reads the own index of each pack the index does not
       name (written since, by a gc's repack say).
   directory store: <path>/objects/<first 2 hex digits of the digest>/<id text>,
     one file per object holding its stored form ("DXCZ" above: its bytes, unless
     compressed or beginning with "DXCZ"), and <path>/packs/<sum>.pack (above) holding
     many; an object may be in both, or in several packs (identical content);
     <path>/tmp/<pid>.<n>.<id text>
     while it is written (in batch mode <path>/tmp/<pid>.b<handle tag>/<id text> and the
     batch's packs <path>/tmp/<pid>.b<handle tag>/pack.<n> until the sync, which renames
     them into place and removes that folder);
     <path>/packs/index (above: derived, written to <path>/tmp/<pid>.<n>.index and renamed);
     <path>/refs/<name> holds
     "<id text>\n" (written as <path>/tmp/<pid>.<n>.ref-<name> and renamed). What a ref
     names is the writing program's: cas_snap's a tree (a snapshot), dx_sync's and
     statekeeper's their own records; a program may keep files of its own in <path>
     (statekeeper.lock, outs/, ...), which readers ignore. gc and verify reach only what
     trees and manifests name: run them on a store only through the program that wrote
     it. Locks are the programs' (flock(2) of <path>, of <path>/refs, or a file in
     <path>); the header takes none (THREADING). A reader that lists packs/ while a
     gc repacks may miss an object that moved: list packs/ again on a miss.
   Vectors (tests/vectors/cas/): rfc6962.txt (Merkle roots and proofs), fastcdc.txt
   (chunk boundaries; fastcdc_gen.py is an independent transcription of the rules
   above), manifest.txt (chunk ids, leaves, blob roots and manifests, byte for byte,
   with what a reader rejects), pack.txt (packs from pack_gen.py, the objects they
   hold, and damaged packs with the code a reader gives).

VERSION HISTORY
   0.6.5 (2026-11-29) docs from an outsider's programs written from them alone: the pack
                      trailer's index offset (56 x count, not 52), gc and verify with a damaged
                      pack (gc sweeps the rest, then says DX_ERR_CORRUPT), verify during another
                      process's gc (DX_ERR_IO: run it again), gc does not re-hash, max_depth, a
                      proof binds the root and not the tree size, a consistency proof from size
                      0, tree encode's alg, NULL limits.
   0.6.4 (2026-11-28) a directory store reads only regular files: a FIFO where a loose object,
                      a pack, packs/index or a ref should be (a damaged or hostile store)
                      blocked the open forever (no writer); now an object that is not a
                      file is corrupt for get and has (DX_ERR_CHECKSUM; a folder gave
                      DX_ERR_NOSPACE or the like) and is still listed by iterate (so
                      verify reports it), a pack is a damaged pack, packs/index is not
                      used, a ref does not read (DX_ERR_IO). No format change (t_dir_not_files).
   0.6.3 (2026-11-28) dx_cas_dir_close whose sync of an open batch fails (a full disk) removes
                      the batch's pending files and packs from tmp/ (before: they stayed
                      until an open after the process ended).
   0.6.2 (2026-11-26) BLAKE3 on x86: 16 chunks at once with AVX-512 (8 with AVX2, as before);
                      parent nodes compressed side by side through the same kernels, a
                      level of the tree at a time, not one by one; dx_cas_id_hash and
                      dx_cas_blake3_digest, which see the whole input, put its last chunk,
                      short or whole, in the batch too; each lane's input prefetched.
                      Same output (new test: every SIMD path against the portable one, 37
                      lengths to 70 KiB, 10 piece sizes, 3 modes). dx_cas_id_hash here
                      (gcc -O2, GB/s, AVX-512 then AVX2): 4 KiB 0.90 -> 1.42, 0.78 -> 1.19;
                      16 KiB 1.95 -> 4.27, 1.69 -> 2.21; 64 KiB 2.28 -> 4.18, 1.94 -> 2.18;
                      1 MiB 2.39 -> 4.14, 2.03 -> 2.18; 256 MiB from memory 1.7 -> 3.5,
                      1.6 -> 2.0 (clang: 16 KiB 2.21 -> 5.02). Portable C unchanged (0.57).
                      cas_bench: 0.43x -> 0.65x b3sum.
   0.6.1 (2026-11-26) a delete in a pack packs/index covers marks a bit per index entry
                      instead of taking the pack's entries back into the table, and a
                      sync that rewrites packs commits and merges its copies every
                      table_max of them: gc's sweep and sync no longer grow with the
                      packs they touch (a handle holds about table_max entries plus a
                      bit per indexed object). No format change. BLAKE3 on x86 hashes
                      3 to 7 whole chunks at once too (lanes left idle), not only 8:
                      a 16 KiB input 0.91 -> 1.98 GB/s (AVX-512VL).
   0.6.0 (2026-11-26) blobs in parts: a blob of more than cfg->part_chunks chunks (new;
                      default DX_CAS_PART_CHUNKS, 1024) gets a PARTS manifest (FLAGS bit
                      0, in WIRE FORMAT) naming manifests of 1024 chunks each, so the
                      writer and the reader (dx_cas_blob_read, the new dx_cas_chunk_iter)
                      hold one part, not 36 bytes of every chunk; ETags (roots) do not
                      change, nor does any manifest of 1024 chunks or fewer. gc and
                      verify walk the parts. dx_cas_manifest.parts, dx_cas_part,
                      dx_cas_manifest_part. lim->max_chunks bounds one manifest's
                      entries (a blob in parts may have more chunks). Vectors: blobs in
                      parts in manifest.txt (manifest_gen.py).
   0.5.0 (2026-11-26) the packs' index file packs/index (new format "DXCX", in WIRE FORMAT):
                      past cfg->table_max packed objects (default DX_CAS_DIR_TABLE_MAX,
                      65,536: about 5.5 MB of table), a sync merges the table's entries into
                      it and lookups read it (a pread of at most 64 entries of 64 bytes), so a
                      handle's memory no longer grows with the store (t_dir_index: 40,000
                      objects with table_max 1,000 cost under 8 bytes each, not about 85),
                      and opening a large store reads the index's fan-out instead of every
                      pack's index. Stores written before 0.5.0 read as they were (their
                      packs go into the table until a sync merges them); readers before
                      0.5.0 ignore the file. d->indexed, d->bad_index. gc's mark set keeps 8
                      bytes of each digest (11 to 21 bytes an object, was 43 to 85; the trees
                      and manifests it reads in an exact set of their own): t_gc_marks.
   0.4.5 (2026-11-25) a directory store's pack table keeps each packed object's entry once, in
                      pages that do not move as it grows, and finds it through a table of
                      8-byte slots (was: 64-byte slots, the table between 3/8 and 3/4 full):
                      about 75 to 85 bytes an object instead of 85 to 170, and no second
                      copy of the entries while the table grows. gc's and verify's mark
                      set grows at 3/4 full instead of 1/2 (32 bytes a slot).
   0.4.4 (2026-11-25) runs of zero bytes: the chunker steps over them 8 bytes a compare
                      (same chunks: tests/cas_test.c p_chunker_zero_runs), and a store
                      hashes a zero object of the length it last hashed once (puts and
                      the check of every get; dx_cas_id_hash_memo does it for callers
                      that hash their own chunks): a 4 GiB sparse file with 512 MiB of data
                      chunked and hashed in 4.1 s instead of 9.3 s (examples/cas_chunks).
   0.4.3 (2026-11-25) cfg->own_packs also reads which fan-out folders objects/ holds at the
                      open (and counts the ones it makes): a miss whose folder is not
                      there costs no system call (a dx_sync get of 256 MiB made 27,000
                      failed opens; 0.63-0.68 s -> 0.56-0.62 s on tmpfs); DX_CAS_VERSION
                      said 0.4.1 in 0.4.2.
   0.4.2 (2026-11-25) a directory store's batch of packs and fewer than DX_CAS_DIR_SYNCFS_MIN
                      (64) loose files is made durable with an fsync of each instead of
                      a syncfs, which also waited for every other dirty file of the file
                      system (statekeeper: a capture of a 1 GiB file waited for its
                      local copy's pages too, 3.7 s against 3.1 s); where fcntl.h
                      declares sync_file_range (Linux, _GNU_SOURCE), a finished pack
                      starts its writeback at once, so the sync has less to wait for;
                      dx_cas_dir.compress set to 0 between puts stores what follows as
                      it is (content compressed already), as documented at the field.
   0.4.1 (2026-11-25) a directory store's has() that misses looks for packs other writers
                      added since, as get did (a reader process saw a publisher's new
                      objects by get but not by has); that look is one stat of packs/
                      while its time has not moved (it read the folder at every miss),
                      and cfg->own_packs leaves it out; compiles as C++20;
                      DX_CAS_VERSION said 0.3.0.
   0.4.0 (2026-11-23) packs: the directory store's batches keep their small objects (up to
                      DX_CAS_DIR_PACK_OBJECT_MAX, 1 MiB) in pack files, packs/<sum>.pack
                      (new format "DXCK", 1.0, in WIRE FORMAT), not one file each: a store
                      takes on disk about what its objects hold (bench/run_snap.sh's tree:
                      69.9 MB, 127 MB before; restic 74.0 MB), and objects up to 64 KiB are compressed together in
                      blocks of up to 128 KiB (DX_CAS_DIR_PACK_BLOCK), so 16 KiB chunks
                      compress about as well as whole files. Open indexes every pack (checked; a damaged one is
                      reported in the new dx_cas_dir.bad_packs / bad_pack and not used;
                      iterate and verify return DX_ERR_CORRUPT). Deleting a packed object
                      rewrites its pack at the next sync; dx_cas_store_gc now syncs at its
                      end. Existing stores read as before and may mix loose objects and
                      packs; readers before 0.4.0 do not see packs (new
                      dx_cas_dir_config.loose writes loose objects for them). New
                      dx_cas_pack_parse, dx_cas_pack_index_entry, DX_CAS_PACK_* offsets,
                      DX_CAS_DIR_PACK_BYTES, DX_CAS_DIR_PACK_OBJECT_MAX, DX_CAS_DIR_PACK_BLOCK;
                      tests/vectors/cas/pack.txt, tests/fuzz/cas_pack.c; new dx_cas_dir
                      fields (packed, packed_bytes, repacked, ...).
   0.3.0 (2026-11-23) nothing a user does loses data; safe and fast defaults (issue 12;
                      formats unchanged, still 1.0):
                      new dx_cas_dir_config.must_exist (open a store that is there, create
                        nothing: DX_ERR_NOTFOUND otherwise); new dx_cas_dir_ref_scan(d, fn,
                        problem, user) and dx_cas_ref_problem_fn; dx_cas_dir_ref_list no
                        longer skips an entry of refs/ it cannot read: it returns
                        DX_ERR_CORRUPT after listing the others (d->bad_refs, d->bad_ref);
                        dx_cas_dir_ref_get accepts only exactly one id (and a newline);
                        dx_cas_dir_ref_delete syncs the refs folder.
                      dx_cas_store_gc(..., bool dry_run, ...) -> (..., uint32_t flags, ...):
                        DX_CAS_GC_DRY_RUN (= true, so old calls still compile),
                        DX_CAS_GC_ALLOW_NO_ROOTS; gc with no roots is refused with the new
                        DX_CAS_ERR_NO_ROOTS (it crashed, and would have emptied the store),
                        and a root that is neither a tree nor a manifest stops it
                        (DX_ERR_CORRUPT) before anything is deleted (it was kept as a
                        leaf while everything else was swept); verify counts such a
                        root as corrupt and a missing root as missing.
                      directory store defaults: dx_cas_dir_config.batch -> sync_each
                        (batches are the default: durable together at dx_cas_store_sync
                        with syncfs, then renamed, then syncfs: about 8x faster than an fsync
                        per object on bench/run_snap.sh's tree, 2.2 s against 20 s, and
                        still nothing a ref names is missing after a crash; batch mode used
                        one sync() of every file system);
                        compress 0 -> zstd level 3 in DX_CAS_WITH_ZSTD builds, new
                        DX_CAS_COMPRESS_NONE (-1) / DX_CAS_COMPRESS_DEFAULT; new
                        DX_CAS_DIR_BATCH_BYTES / _OBJECTS, DX_CAS_NO_SYNCFS; a batch's
                        pending objects can be deleted; dx_cas_dir_close syncs an open
                        batch; two handles of one process keep separate batches.
   0.2.0 (2026-11-23) one API family with the other dx headers (breaking; formats unchanged,
                      still 1.0, vectors identical). Renames, old -> new:
                      dx_cas_put/get/has/delete/iterate/sync -> dx_cas_store_put/get/has/
                        delete/iterate/sync; dx_cas_verify -> dx_cas_store_verify;
                        dx_cas_gc -> dx_cas_store_gc;
                      vtable put/get/has/del/iterate/sync -> put_fn/get_fn/has_fn/delete_fn/
                        iterate_fn/sync_fn;
                      dx_cas_store_init(s, vt, self, fn) -> dx_cas_store_init(s, &cfg) with
                        dx_cas_store_config {vtable, self, hash_alg, allocator};
                      dx_cas_hashfn -> dx_cas_hash_alg (the algorithm choice);
                        dx_cas_hashfn_init -> dx_cas_hash_alg_init; dx_cas_hash (the
                        one-shot id) -> dx_cas_id_hash; dx_cas_hasher stays the running
                        state; the fields dx_cas_store.fn and dx_cas_merkle.fn -> hash_alg;
                      dx_cas_blob_writer_init(w, store, &chunker_cfg, allocator) ->
                        dx_cas_blob_writer_create(w, &cfg) with dx_cas_blob_writer_config
                        {store, chunker, max_chunks, allocator}; new caller-memory
                        dx_cas_blob_writer_memory_size / dx_cas_blob_writer_init(w, &cfg,
                        mem, size); dx_cas_blob_writer_deinit -> dx_cas_blob_writer_destroy;
                        dx_cas_blob_write -> dx_cas_blob_writer_write;
                      the allocator parameter of dx_cas_blob_read, dx_cas_store_verify and
                        dx_cas_store_gc -> the store's (dx_cas_store_config.allocator,
                        dx_cas_mem_config.allocator, new dx_cas_dir_config.allocator);
                      DX_CAS_NC_DEFAULT/LEVEL0/LEVEL1/LEVEL2/LEVEL3 ->
                        DX_CAS_NORMALIZATION_DEFAULT/NONE/MILD/MEDIUM/STRONG (same values);
                      DX_CAS_CHUNK_FASTCDC/FIXED -> DX_CAS_CHUNKER_MODE_FASTCDC/FIXED;
                      DX_CAS_PROOF_INCLUSION/CONSISTENCY -> DX_CAS_PROOF_KIND_INCLUSION/
                        CONSISTENCY; DX_CAS_OBJECT_RAW/ZSTD -> DX_CAS_OBJECT_METHOD_RAW/ZSTD;
                      new: the wire offsets DX_CAS_<RECORD>_OFF_* and DX_CAS_FORMAT_MAJOR/
                        MINOR; DX_CAS_NO_BLAKE3 (SHA-256-only builds for firmware);
                        dx_cas_chunker.has_pending is a bool. WIRE FORMAT now
                        specifies the Merkle leaf and FastCDC (gear table, masks, cut
                        rule) for a second implementation; tests/vectors/cas/manifest.txt.
   0.1.0 (2026-11-23) first release: SHA-256 (portable, SHA-NI, ARMv8), BLAKE3, ids,
                      FastCDC 2020 and fixed chunking, RFC 9162 Merkle trees
                      and proofs, stores (memory, directory, user vtable),
                      blobs with manifests, tree objects, refs, verify, gc;
                      zstd-compressed stored objects (DX_CAS_WITH_ZSTD, "DXCZ").
   There is no ABI promise between versions: vendor the header, link statically.
*/
#if defined(DX_IMPLEMENTATION) && !defined(DX_CAS_IMPLEMENTATION)
#define DX_CAS_IMPLEMENTATION
#endif
#ifndef DX_CAS_H
#define DX_CAS_H
/* ---- dx common block v2: identical bytes in every dx header (tests/compile/common_block.sh) ---- */
#ifndef DX_COMMON_VERSION
#define DX_COMMON_VERSION 2
#ifdef DX_CONFIG_HEADER
#include DX_CONFIG_HEADER
#endif
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#define DX_INLINE static inline
#define DX_VERSION_PACK(major, minor, patch) ((major) * 1000000u + (minor) * 1000u + (patch))
/* Zero-means-default for config fields (sokol's _sg_def): DXI_DEF(cfg->x, 64). Private. */
#define DXI_DEF(value, default_value) ((value) ? (value) : (default_value))
#if defined(__cplusplus) && __cplusplus >= 201103L
#define DX_STATIC_ASSERT(cond, name) static_assert(cond, #name)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define DX_STATIC_ASSERT(cond, name) _Static_assert(cond, #name)
#else /* C99: a negative array size fails to compile */
#define DX_STATIC_ASSERT(cond, name) typedef char dx_static_assert_##name[(cond) ? 1 : -1]
#endif
#if defined(DX_NO_LIBC)
#ifndef DX_NO_STDIO
#define DX_NO_STDIO
#endif
#ifndef DX_NO_MALLOC
#define DX_NO_MALLOC
#endif
#ifndef DX_NO_ASSERT
#define DX_NO_ASSERT
#endif
#endif
#ifdef __cplusplus
extern "C" {
#endif
/* 0 is success, negative values are errors; functions that count return >= 0 or a dx_result. */
typedef int32_t dx_result;
enum {
    DX_OK = 0,
    DX_ERR_INVAL = -1,        /* a bad argument: NULL, zero size, out-of-range value */
    DX_ERR_NOMEM = -2,        /* the allocator failed, or there is none (DX_NO_MALLOC) */
    DX_ERR_NOSPACE = -3,      /* the caller's buffer is too small */
    DX_ERR_TRUNCATED = -4,    /* input ends early: feed more bytes */
    DX_ERR_CORRUPT = -5,      /* input is malformed */
    DX_ERR_UNSUPPORTED = -6,  /* unknown major version or required flag */
    DX_ERR_LIMIT = -7,        /* a configured or format limit was exceeded */
    DX_ERR_CHECKSUM = -8,     /* a checksum or hash does not match */
    DX_ERR_NOTFOUND = -9,
    DX_ERR_EXISTS = -10,
    DX_ERR_AGAIN = -11,
    DX_ERR_BUSY = -12,
    DX_ERR_TIMEOUT = -13,
    DX_ERR_CANCELED = -14,
    DX_ERR_CLOSED = -15,
    DX_ERR_IO = -16,
    DX_ERR_OS = -17,
    DX_ERR_MISUSE = -18       /* the API was called in the wrong state */
};
/* Runtime allocator; all zero means DX_MALLOC/DX_FREE (none under DX_NO_MALLOC). */
typedef struct dx_allocator {
    void *(*alloc)(size_t size, void *user);
    void (*free)(void *ptr, size_t size, void *user);
    void *user;
} dx_allocator;
/* Little-endian loads and stores: any alignment, any host byte order. Byte by
   byte in general; on a little-endian GCC or Clang target one __builtin_memcpy gives the same
   value and compiles to a single load or store where the target allows
   unaligned ones (Cortex-M4: hundreds of bytes smaller than byte shifts,
   which compilers merge only at -O2). DX_LITTLE_ENDIAN=0 forces the byte path;
   big-endian hosts and other compilers always take it. */
#if !defined(DX_LITTLE_ENDIAN) && (defined(__GNUC__) || defined(__clang__)) && !defined(__TINYC__) && \
    defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__)
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define DX_LITTLE_ENDIAN 1
#endif
#endif
#if defined(DX_LITTLE_ENDIAN) && DX_LITTLE_ENDIAN && (defined(__GNUC__) || defined(__clang__))
#define DXI_LE_COPY(dst, src, n) __builtin_memcpy(dst, src, n)
DX_INLINE uint16_t dx_load_u16le(const void *p) {
    uint16_t v;
    DXI_LE_COPY(&v, p, 2);
    return v;
}
DX_INLINE uint32_t dx_load_u32le(const void *p) {
    uint32_t v;
    DXI_LE_COPY(&v, p, 4);
    return v;
}
DX_INLINE uint64_t dx_load_u64le(const void *p) {
    uint64_t v;
    DXI_LE_COPY(&v, p, 8);
    return v;
}
DX_INLINE void dx_store_u16le(void *p, uint16_t v) { DXI_LE_COPY(p, &v, 2); }
DX_INLINE void dx_store_u32le(void *p, uint32_t v) { DXI_LE_COPY(p, &v, 4); }
DX_INLINE void dx_store_u64le(void *p, uint64_t v) { DXI_LE_COPY(p, &v, 8); }
#else
DX_INLINE uint16_t dx_load_u16le(const void *p) {
    const uint8_t *b = (const uint8_t *)p;
    return (uint16_t)(b[0] | (b[1] << 8));
}
DX_INLINE uint32_t dx_load_u32le(const void *p) {
    const uint8_t *b = (const uint8_t *)p;
    return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}
DX_INLINE uint64_t dx_load_u64le(const void *p) {
    const uint8_t *b = (const uint8_t *)p;
    return (uint64_t)dx_load_u32le(b) | ((uint64_t)dx_load_u32le(b + 4) << 32);
}
DX_INLINE void dx_store_u16le(void *p, uint16_t v) {
    uint8_t *b = (uint8_t *)p;
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
}
DX_INLINE void dx_store_u32le(void *p, uint32_t v) {
    uint8_t *b = (uint8_t *)p;
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
    b[2] = (uint8_t)(v >> 16);
    b[3] = (uint8_t)(v >> 24);
}
DX_INLINE void dx_store_u64le(void *p, uint64_t v) {
    dx_store_u32le(p, (uint32_t)v);
    dx_store_u32le((uint8_t *)p + 4, (uint32_t)(v >> 32));
}
#endif
/* The name of a common result code ("" under DX_NO_ERROR_STRINGS). */
DX_INLINE const char *dx_result_name(dx_result r) {
#if defined(DX_NO_ERROR_STRINGS)
    (void)r;
    return "";
#else
    switch (r) {
    case DX_OK: return "DX_OK";
    case DX_ERR_INVAL: return "DX_ERR_INVAL";
    case DX_ERR_NOMEM: return "DX_ERR_NOMEM";
    case DX_ERR_NOSPACE: return "DX_ERR_NOSPACE";
    case DX_ERR_TRUNCATED: return "DX_ERR_TRUNCATED";
    case DX_ERR_CORRUPT: return "DX_ERR_CORRUPT";
    case DX_ERR_UNSUPPORTED: return "DX_ERR_UNSUPPORTED";
    case DX_ERR_LIMIT: return "DX_ERR_LIMIT";
    case DX_ERR_CHECKSUM: return "DX_ERR_CHECKSUM";
    case DX_ERR_NOTFOUND: return "DX_ERR_NOTFOUND";
    case DX_ERR_EXISTS: return "DX_ERR_EXISTS";
    case DX_ERR_AGAIN: return "DX_ERR_AGAIN";
    case DX_ERR_BUSY: return "DX_ERR_BUSY";
    case DX_ERR_TIMEOUT: return "DX_ERR_TIMEOUT";
    case DX_ERR_CANCELED: return "DX_ERR_CANCELED";
    case DX_ERR_CLOSED: return "DX_ERR_CLOSED";
    case DX_ERR_IO: return "DX_ERR_IO";
    case DX_ERR_OS: return "DX_ERR_OS";
    case DX_ERR_MISUSE: return "DX_ERR_MISUSE";
    default: return "DX_ERR_UNKNOWN";
    }
#endif
}
#ifdef __cplusplus
}
#endif
#endif /* DX_COMMON_VERSION */
#if DX_COMMON_VERSION < 2
#error "an older dx header was included first; update it"
#endif
/* ---- end of dx common block ---- */
#ifndef DX_CAS_API /* DX_CAS_API > DX_API > static (DX_STATIC / DX_CAS_STATIC) > extern */
#if defined(DX_API)
#define DX_CAS_API DX_API
#elif (defined(DX_STATIC) || defined(DX_CAS_STATIC)) && (defined(__GNUC__) || defined(__clang__))
#define DX_CAS_API static __attribute__((unused))
#elif defined(DX_STATIC) || defined(DX_CAS_STATIC)
#define DX_CAS_API static
#else
#define DX_CAS_API extern
#endif
#endif

#define DX_CAS_VERSION_MAJOR 0
#define DX_CAS_VERSION_MINOR 6
#define DX_CAS_VERSION_PATCH 5
#define DX_CAS_VERSION DX_VERSION_PACK(0, 6, 5)

#ifdef __cplusplus
extern "C" {
#endif

enum {
    DX_CAS_ERR_PROOF = -500, /* a Merkle proof does not lead to the root (or has the wrong length) */
    DX_CAS_ERR_MAGIC = -501, /* not a dx_cas object: wrong magic */
    DX_CAS_ERR_NO_ROOTS = -502 /* dx_cas_store_gc without roots: it would delete every object */
};

/* Sizes and limits */
enum {
    DX_CAS_HASH_SIZE = 32,      /* every digest and Merkle hash */
    DX_CAS_ID_TEXT_LEN = 71,    /* "sha256-" + 64 hex digits */
    DX_CAS_ID_TEXT_SIZE = 72,   /* with the NUL */
    DX_CAS_MERKLE_MAX_DEPTH = 64,
    DX_CAS_PROOF_MAX = 128,     /* hashes in a decoded proof */
    DX_CAS_NAME_MAX = 255       /* bytes of a tree entry's name */
};

/* ---- wire formats (WIRE FORMAT above): every offset, named once for writers and readers ---- */

/* Format version of every "DXC?" object (proof, manifest, tree, stored object): a reader
   rejects another major and accepts any minor. */
enum {
    DX_CAS_FORMAT_MAJOR = 1,
    DX_CAS_FORMAT_MINOR = 0
};
enum { /* binary id (a multihash) */
    DX_CAS_ID_OFF_CODE = 0,    /* u8 multihash code: DX_CAS_ALG_* */
    DX_CAS_ID_OFF_LENGTH = 1,  /* u8 digest length: 32 */
    DX_CAS_ID_OFF_DIGEST = 2,  /* 32 bytes */
    DX_CAS_ID_SIZE = 34
};
enum { /* proof ("DXCP"); count hashes of 32 bytes follow the header */
    DX_CAS_PROOF_OFF_MAGIC = 0,
    DX_CAS_PROOF_OFF_MAJOR = 4,
    DX_CAS_PROOF_OFF_MINOR = 5,
    DX_CAS_PROOF_OFF_KIND = 6,   /* u8 DX_CAS_PROOF_KIND_* */
    DX_CAS_PROOF_OFF_ALG = 7,    /* u8 multihash code */
    DX_CAS_PROOF_OFF_A = 8,      /* u64 leaf index, or the first tree size */
    DX_CAS_PROOF_OFF_B = 16,     /* u64 tree size, or the second tree size */
    DX_CAS_PROOF_OFF_COUNT = 24, /* u32 hashes (<= DX_CAS_PROOF_MAX) */
    DX_CAS_PROOF_OFF_HASHES = 28,
    DX_CAS_PROOF_HEADER_SIZE = 28
};
enum { /* proof kinds */
    DX_CAS_PROOF_KIND_INCLUSION = 1,
    DX_CAS_PROOF_KIND_CONSISTENCY = 2
};
enum { /* manifest ("DXCM"); count entries follow the header */
    DX_CAS_MANIFEST_OFF_MAGIC = 0,
    DX_CAS_MANIFEST_OFF_MAJOR = 4,
    DX_CAS_MANIFEST_OFF_MINOR = 5,
    DX_CAS_MANIFEST_OFF_ALG = 6,        /* u8 multihash code */
    DX_CAS_MANIFEST_OFF_FLAGS = 7,      /* u8, 0 */
    DX_CAS_MANIFEST_OFF_TOTAL_SIZE = 8, /* u64 blob bytes */
    DX_CAS_MANIFEST_OFF_COUNT = 16,     /* u64 chunks */
    DX_CAS_MANIFEST_OFF_ROOT = 24,      /* 32-byte Merkle root of the chunk leaves */
    DX_CAS_MANIFEST_OFF_ENTRIES = 56,
    DX_CAS_MANIFEST_HEADER_SIZE = 56
};
enum { /* manifest entry */
    DX_CAS_MANIFEST_ENTRY_OFF_LENGTH = 0, /* u32 chunk bytes, >= 1 */
    DX_CAS_MANIFEST_ENTRY_OFF_DIGEST = 4, /* 32-byte chunk digest */
    DX_CAS_MANIFEST_ENTRY_SIZE = 36
};
enum { /* manifest FLAGS */
    DX_CAS_MANIFEST_PARTS = 1 /* the entries are parts (part entries below), not chunks */
};
enum { /* part entry (a PARTS manifest's): a part is a manifest without flags */
    DX_CAS_PART_OFF_SIZE = 0,    /* u64 the part's bytes */
    DX_CAS_PART_OFF_COUNT = 8,   /* u32 its chunks */
    DX_CAS_PART_OFF_DIGEST = 12, /* 32-byte digest of the part's manifest */
    DX_CAS_PART_OFF_ROOT = 44,   /* 32-byte Merkle root of the part's chunk leaves */
    DX_CAS_PART_ENTRY_SIZE = 76
};
#define DX_CAS_PART_CHUNKS 1024u /* chunks a blob writer puts in a part unless told */
enum { /* tree ("DXCT"); count entries follow the header */
    DX_CAS_TREE_OFF_MAGIC = 0,
    DX_CAS_TREE_OFF_MAJOR = 4,
    DX_CAS_TREE_OFF_MINOR = 5,
    DX_CAS_TREE_OFF_ALG = 6,   /* u8 multihash code */
    DX_CAS_TREE_OFF_FLAGS = 7, /* u8, 0 */
    DX_CAS_TREE_OFF_COUNT = 8, /* u32 entries */
    DX_CAS_TREE_OFF_ENTRIES = 12,
    DX_CAS_TREE_HEADER_SIZE = 12
};
enum { /* tree entry: the name, then the tail (at DX_CAS_TREE_ENTRY_OFF_NAME + name length) */
    DX_CAS_TREE_ENTRY_OFF_NAME_LEN = 0, /* u16, 1..255 */
    DX_CAS_TREE_ENTRY_OFF_NAME = 2,
    DX_CAS_TREE_ENTRY_FIXED = 46        /* an entry's bytes besides its name */
};
enum { /* tree entry tail */
    DX_CAS_TREE_TAIL_OFF_MODE = 0,    /* u32 DX_CAS_MODE_* */
    DX_CAS_TREE_TAIL_OFF_SIZE = 4,    /* u64 file bytes (a dir: 0) */
    DX_CAS_TREE_TAIL_OFF_DIGEST = 12, /* 32 bytes: a tree (dir) or a blob manifest */
    DX_CAS_TREE_TAIL_SIZE = 44
};
enum { /* stored object header ("DXCZ"); the payload follows */
    DX_CAS_OBJECT_OFF_MAGIC = 0,
    DX_CAS_OBJECT_OFF_MAJOR = 4,
    DX_CAS_OBJECT_OFF_MINOR = 5,
    DX_CAS_OBJECT_OFF_METHOD = 6,       /* u8 DX_CAS_OBJECT_METHOD_* */
    DX_CAS_OBJECT_OFF_FLAGS = 7,        /* u8, 0 */
    DX_CAS_OBJECT_OFF_CONTENT_SIZE = 8, /* u64 content bytes (the hash input) */
    DX_CAS_OBJECT_OFF_PAYLOAD = 16,
    DX_CAS_OBJECT_HEADER_SIZE = 16
};
enum { /* stored object methods */
    DX_CAS_OBJECT_METHOD_RAW = 0,  /* the bytes as they are (a header only if they begin with "DXCZ") */
    DX_CAS_OBJECT_METHOD_ZSTD = 1  /* zstd frames, smaller than the content */
};
enum { /* the packs' index ("DXCX"): the directory store's packs/index; header, pack names, fan-out, entries, trailer */
    DX_CAS_INDEX_OFF_MAGIC = 0,     /* "DXCX" */
    DX_CAS_INDEX_OFF_MAJOR = 4,     /* u8 DX_CAS_FORMAT_MAJOR */
    DX_CAS_INDEX_OFF_MINOR = 5,     /* u8 */
    DX_CAS_INDEX_OFF_FLAGS = 6,     /* u16, 0 */
    DX_CAS_INDEX_OFF_PACKS = 8,     /* u32 P: the packs' names (32-byte checksums, ascending) follow the header */
    DX_CAS_INDEX_OFF_FAN_BITS = 12, /* u32 F, 0..16: 2^F u32 fan-out counts follow the names */
    DX_CAS_INDEX_OFF_COUNT = 16,    /* u64 N: entries, after the fan-out */
    DX_CAS_INDEX_OFF_RESERVED = 24, /* u64, 0 */
    DX_CAS_INDEX_HEADER_SIZE = 32,
    DX_CAS_INDEX_ENTRY_OFF_DIGEST = 0,  /* 32 bytes */
    DX_CAS_INDEX_ENTRY_OFF_ALG = 32,    /* u8 the id's multihash code; u8 0 and u16 FLAGS 0 follow */
    DX_CAS_INDEX_ENTRY_OFF_PACK = 36,   /* u32 < P: the pack (its place in the names) */
    DX_CAS_INDEX_ENTRY_OFF_OFFSET = 40, /* u64, STORED u32, SIZE u32, INNER u32: as in the pack's entry */
    DX_CAS_INDEX_ENTRY_OFF_STORED = 48,
    DX_CAS_INDEX_ENTRY_OFF_SIZE = 52,
    DX_CAS_INDEX_ENTRY_OFF_INNER = 56,  /* u32 0 follows */
    DX_CAS_INDEX_ENTRY_SIZE = 64,
    DX_CAS_INDEX_TRAILER_OFF_SUM = 0,       /* SHA-256 of every byte before the trailer */
    DX_CAS_INDEX_TRAILER_OFF_MAGIC = 32,    /* "DXCX" */
    DX_CAS_INDEX_TRAILER_OFF_RESERVED = 36, /* u32 0 */
    DX_CAS_INDEX_TRAILER_SIZE = 40
};

enum { /* pack ("DXCK"): the directory store's packs/<hex>.pack; header, records, index, trailer */
    DX_CAS_PACK_OFF_MAGIC = 0,   /* "DXCK" */
    DX_CAS_PACK_OFF_MAJOR = 4,   /* u8 DX_CAS_FORMAT_MAJOR */
    DX_CAS_PACK_OFF_MINOR = 5,   /* u8 */
    DX_CAS_PACK_OFF_FLAGS = 6,   /* u16, 0 */
    DX_CAS_PACK_OFF_RECORDS = 8, /* stored forms ("DXCZ" rules) back to back, up to the index */
    DX_CAS_PACK_HEADER_SIZE = 8
};
enum { /* pack index entry; count entries, strictly increasing by binary id, before the trailer */
    DX_CAS_PACK_ENTRY_OFF_ID = 0,      /* 34-byte binary id */
    DX_CAS_PACK_ENTRY_OFF_FLAGS = 34,  /* u16, 0 */
    DX_CAS_PACK_ENTRY_OFF_OFFSET = 36, /* u64 the stored form's first byte, from the start of the pack */
    DX_CAS_PACK_ENTRY_OFF_STORED = 44, /* u32 bytes of the stored form */
    DX_CAS_PACK_ENTRY_OFF_SIZE = 48,   /* u32 bytes of content (the hash input) */
    DX_CAS_PACK_ENTRY_OFF_INNER = 52,  /* u32 where the object begins in its record's content */
    DX_CAS_PACK_ENTRY_SIZE = 56,
    DX_CAS_PACK_RECORD_MAX = 1 << 24   /* content bytes of a record that holds several objects, at most */
};
enum { /* pack trailer: the last bytes of the file */
    DX_CAS_PACK_TRAILER_OFF_INDEX = 0,     /* u64 the index's offset: file size - 56 - 56 x count */
    DX_CAS_PACK_TRAILER_OFF_COUNT = 8,     /* u32 index entries */
    DX_CAS_PACK_TRAILER_OFF_FLAGS = 12,    /* u32, 0 */
    DX_CAS_PACK_TRAILER_OFF_SUM = 16,      /* SHA-256 of the index and trailer bytes 0..15; the file's name */
    DX_CAS_PACK_TRAILER_OFF_MAGIC = 48,    /* "DXCI" */
    DX_CAS_PACK_TRAILER_OFF_MAJOR = 52,    /* u8 DX_CAS_FORMAT_MAJOR */
    DX_CAS_PACK_TRAILER_OFF_MINOR = 53,    /* u8 */
    DX_CAS_PACK_TRAILER_OFF_RESERVED = 54, /* u16, 0 */
    DX_CAS_PACK_TRAILER_SIZE = 56
};
enum { /* tree entry modes (POSIX st_mode values, as git) */
    DX_CAS_MODE_FILE = 0100644,
    DX_CAS_MODE_EXEC = 0100755,
    DX_CAS_MODE_DIR = 040000,
    DX_CAS_MODE_SYMLINK = 0120000
};

/* Algorithms: multihash codes. 0 means the default (SHA-256) where an algorithm is asked for. */
enum {
    DX_CAS_ALG_DEFAULT = 0,
    DX_CAS_ALG_SHA256 = 0x12,
    DX_CAS_ALG_BLAKE3 = 0x1e
};

/* CPU accelerations (dx_cas_cpu_detect) */
enum {
    DX_CAS_CPU_SHA_NI = 1,    /* x86 SHA extensions (with SSE4.1) */
    DX_CAS_CPU_ARM_SHA2 = 2,  /* ARMv8 SHA-256 instructions */
    DX_CAS_CPU_AVX2 = 4,      /* x86 AVX2 (BLAKE3: 8 chunks at once) */
    DX_CAS_CPU_AVX512 = 8     /* x86 AVX-512F + VL (BLAKE3: 16 chunks at once) */
};

/* Chunker modes (0 = FastCDC) */
enum {
    DX_CAS_CHUNKER_MODE_FASTCDC = 0,
    DX_CAS_CHUNKER_MODE_FIXED = 1
};
/* FastCDC normalization: how far the masks before and after the average size differ
   from the average's bit count (the paper's NC levels 0..3; WIRE FORMAT, FastCDC). */
enum {
    DX_CAS_NORMALIZATION_DEFAULT = 0, /* MILD, as fastcdc-rs */
    DX_CAS_NORMALIZATION_NONE = 1,    /* level 0: one mask, sizes spread widely */
    DX_CAS_NORMALIZATION_MILD = 2,    /* level 1: +-1 bit */
    DX_CAS_NORMALIZATION_MEDIUM = 3,  /* level 2: +-2 bits */
    DX_CAS_NORMALIZATION_STRONG = 4   /* level 3: +-3 bits, sizes close to the average */
};

/* The hash algorithm choice: which algorithm, and which CPU paths it may use.
   Read-only after dx_cas_hash_alg_init; ids, Merkle trees and stores take one. */
typedef struct dx_cas_hash_alg {
    uint32_t alg; /* DX_CAS_ALG_SHA256 or DX_CAS_ALG_BLAKE3 */
    uint32_t cpu; /* DX_CAS_CPU_* bits the hash may use */
} dx_cas_hash_alg;

typedef struct dx_cas_sha256 {
    uint32_t state[8];
    uint64_t total;   /* bytes hashed */
    uint8_t buf[64];
    uint32_t used;    /* bytes in buf */
    uint32_t impl;    /* 0 portable, else the DX_CAS_CPU_* path in use */
} dx_cas_sha256;

typedef struct dx_cas_id {
    uint32_t alg;                       /* multihash code */
    uint8_t digest[DX_CAS_HASH_SIZE];
} dx_cas_id;

typedef struct dx_cas_chunker_config {
    uint32_t mode;          /* DX_CAS_CHUNKER_MODE_FASTCDC (0) or DX_CAS_CHUNKER_MODE_FIXED */
    uint32_t min_size;      /* bytes; 0 = avg_size / 4 */
    uint32_t avg_size;      /* bytes; 0 = 16 KiB (fixed mode: the chunk size) */
    uint32_t max_size;      /* bytes; 0 = avg_size * 4 */
    uint32_t normalization; /* DX_CAS_NORMALIZATION_*; 0 = MILD */
    uint64_t seed;          /* 0 = the reference gear table; else each entry is XORed with it */
} dx_cas_chunker_config;

typedef struct dx_cas_chunk {
    uint64_t offset;  /* from the start of the stream */
    uint64_t hash;    /* gear hash at the cut (FastCDC) */
    uint32_t length;
} dx_cas_chunk;

typedef struct dx_cas_chunker {
    uint32_t mode, min_size, avg_size, max_size;
    uint32_t skip;      /* scanning starts at this chunk offset: 2 * (min_size / 2) */
    uint32_t center;    /* the strict mask is used below this even offset: 2 * (avg_size / 2) */
    uint64_t mask_s, mask_l, mask_s_ls, mask_l_ls, seed, seed_ls;
    uint64_t hash;      /* gear hash of the current chunk */
    uint64_t start;     /* stream offset of the current chunk */
    uint32_t n;         /* bytes of the current chunk seen */
    uint8_t pending;    /* the byte at an even offset, waiting for its pair */
    bool has_pending;
    bool zero_skip;     /* zero bytes never cut once the hash is zero_hash: runs of them are stepped over */
    uint64_t zero_hash; /* the hash that a pair of zero bytes maps to itself */
} dx_cas_chunker;

typedef struct dx_cas_merkle {
    dx_cas_hash_alg hash_alg;
    uint64_t count;                                     /* leaves pushed */
    uint8_t stack[DX_CAS_MERKLE_MAX_DEPTH][DX_CAS_HASH_SIZE]; /* roots of the perfect subtrees, largest first */
    uint32_t depth;
} dx_cas_merkle;

typedef struct dx_cas_proof {
    uint32_t kind;    /* DX_CAS_PROOF_KIND_INCLUSION or DX_CAS_PROOF_KIND_CONSISTENCY */
    uint32_t alg;     /* multihash code */
    uint64_t a;       /* leaf index, or the first tree size */
    uint64_t b;       /* tree size, or the second tree size */
    uint32_t count;   /* hashes */
} dx_cas_proof;

DX_CAS_API uint32_t dx_cas_cpu_detect(void);
DX_CAS_API dx_result dx_cas_hash_alg_init(dx_cas_hash_alg *alg, uint32_t code);
DX_CAS_API const char *dx_cas_alg_name(uint32_t alg);

DX_CAS_API void dx_cas_sha256_init(dx_cas_sha256 *h, uint32_t cpu);
DX_CAS_API void dx_cas_sha256_update(dx_cas_sha256 *h, const void *data, size_t len);
DX_CAS_API void dx_cas_sha256_final(dx_cas_sha256 *h, uint8_t out[32]);
DX_CAS_API void dx_cas_sha256_digest(const void *data, size_t len, uint8_t out[32]);
DX_CAS_API const char *dx_cas_sha256_impl_name(const dx_cas_sha256 *h);

#if !defined(DX_CAS_NO_BLAKE3)
/* BLAKE3 (hash, keyed hash, key derivation; any output length). */
typedef struct dx_cas_blake3 {
    uint32_t key[8];
    uint32_t cv[8];           /* the current chunk's chaining value */
    uint64_t chunk_counter;
    uint8_t block[64];
    uint8_t block_len, blocks_compressed, flags, stack_len;
    uint32_t cpu;             /* DX_CAS_CPU_* paths allowed */
    uint8_t stack[54][32];    /* chaining values of finished subtrees (2^54 chunks) */
} dx_cas_blake3;

DX_CAS_API void dx_cas_blake3_init(dx_cas_blake3 *h, uint32_t cpu);
DX_CAS_API void dx_cas_blake3_init_keyed(dx_cas_blake3 *h, const uint8_t key[32], uint32_t cpu);
DX_CAS_API void dx_cas_blake3_init_derive_key(dx_cas_blake3 *h, const void *context, size_t context_len, uint32_t cpu);
DX_CAS_API void dx_cas_blake3_update(dx_cas_blake3 *h, const void *data, size_t len);
DX_CAS_API void dx_cas_blake3_final(const dx_cas_blake3 *h, uint8_t *out, size_t out_len);
DX_CAS_API void dx_cas_blake3_digest(const void *data, size_t len, uint8_t out[32]);
#endif

/* The running state of a hash of either algorithm, as a dx_cas_hash_alg chooses it. */
typedef struct dx_cas_hasher {
    uint32_t alg;
    union {
        dx_cas_sha256 sha256;
#if !defined(DX_CAS_NO_BLAKE3)
        dx_cas_blake3 blake3;
#endif
    } u;
} dx_cas_hasher;

DX_CAS_API void dx_cas_hasher_init(dx_cas_hasher *h, const dx_cas_hash_alg *alg);
DX_CAS_API void dx_cas_hasher_update(dx_cas_hasher *h, const void *data, size_t len);
DX_CAS_API void dx_cas_hasher_final(dx_cas_hasher *h, uint8_t out[32]);

DX_CAS_API void dx_cas_id_hash(const dx_cas_hash_alg *alg, const void *data, size_t len, dx_cas_id *out);
typedef struct dx_cas_zero_memo {
    size_t len;   /* the last run of zeros hashed (0: none) */
    dx_cas_id id; /* and its id */
} dx_cas_zero_memo;
DX_CAS_API void dx_cas_id_hash_memo(const dx_cas_hash_alg *alg, dx_cas_zero_memo *memo, const void *data, size_t len,
                                    dx_cas_id *out);
DX_CAS_API bool dx_cas_id_equal(const dx_cas_id *a, const dx_cas_id *b);
DX_CAS_API int64_t dx_cas_id_encode(const dx_cas_id *id, uint8_t *out, size_t cap);
DX_CAS_API int64_t dx_cas_id_decode(const uint8_t *buf, size_t len, dx_cas_id *out);
DX_CAS_API int64_t dx_cas_id_format(const dx_cas_id *id, char *out, size_t cap);
DX_CAS_API dx_result dx_cas_id_parse(const char *text, size_t len, dx_cas_id *out);

DX_CAS_API dx_result dx_cas_chunker_init(dx_cas_chunker *c, const dx_cas_chunker_config *cfg);
DX_CAS_API bool dx_cas_chunker_feed(dx_cas_chunker *c, const void *data, size_t len, size_t *out_used,
                                    dx_cas_chunk *out);
DX_CAS_API bool dx_cas_chunker_finish(dx_cas_chunker *c, dx_cas_chunk *out);
DX_CAS_API int64_t dx_cas_chunk_buffer(const dx_cas_chunker_config *cfg, const void *data, size_t len,
                                       dx_cas_chunk *out, size_t cap);

DX_CAS_API void dx_cas_merkle_leaf(const dx_cas_hash_alg *alg, const void *data, size_t len, uint8_t out[32]);
DX_CAS_API void dx_cas_merkle_node(const dx_cas_hash_alg *alg, const uint8_t left[32], const uint8_t right[32],
                                   uint8_t out[32]);
DX_CAS_API void dx_cas_merkle_init(dx_cas_merkle *m, const dx_cas_hash_alg *alg);
DX_CAS_API void dx_cas_merkle_push(dx_cas_merkle *m, const uint8_t leaf_hash[32]);
DX_CAS_API void dx_cas_merkle_root(const dx_cas_merkle *m, uint8_t out[32]);
DX_CAS_API dx_result dx_cas_merkle_root_of(const dx_cas_hash_alg *alg, const uint8_t *leaf_hashes, uint64_t n,
                                           uint8_t out[32]);
DX_CAS_API int64_t dx_cas_merkle_inclusion_proof(const dx_cas_hash_alg *alg, const uint8_t *leaf_hashes, uint64_t n,
                                                 uint64_t index, uint8_t *out, size_t cap_hashes);
DX_CAS_API dx_result dx_cas_merkle_verify_inclusion(const dx_cas_hash_alg *alg, uint64_t index, uint64_t size,
                                                    const uint8_t leaf_hash[32], const uint8_t *proof, size_t count,
                                                    const uint8_t root[32]);
DX_CAS_API int64_t dx_cas_merkle_consistency_proof(const dx_cas_hash_alg *alg, const uint8_t *leaf_hashes, uint64_t n,
                                                   uint64_t size1, uint8_t *out, size_t cap_hashes);
DX_CAS_API dx_result dx_cas_merkle_verify_consistency(const dx_cas_hash_alg *alg, uint64_t size1, uint64_t size2,
                                                      const uint8_t root1[32], const uint8_t root2[32],
                                                      const uint8_t *proof, size_t count);
DX_CAS_API int64_t dx_cas_proof_encode(const dx_cas_proof *p, const uint8_t *hashes, uint8_t *out, size_t cap);
DX_CAS_API int64_t dx_cas_proof_decode(const uint8_t *buf, size_t len, dx_cas_proof *out,
                                       const uint8_t **out_hashes);
DX_CAS_API dx_result dx_cas_proof_verify(const dx_cas_hash_alg *alg, const dx_cas_proof *p, const uint8_t *hashes,
                                         const uint8_t a[32], const uint8_t b[32]);

/* ---- stores ---- */

/* Called once per object by iterate; a result other than DX_OK stops the walk and is returned. */
typedef dx_result (*dx_cas_iter_fn)(void *user, const dx_cas_id *id, uint64_t size);

/* A backend: memory, directory, or your own (flash, an object service). */
typedef struct dx_cas_store_vtable {
    /* store len bytes under id (the caller hashed them); DX_OK if it is already there */
    dx_result (*put_fn)(void *self, const dx_cas_id *id, const void *data, size_t len);
    /* copy the object into buf: its length, DX_ERR_NOTFOUND, or DX_ERR_NOSPACE if cap is too small */
    int64_t (*get_fn)(void *self, const dx_cas_id *id, void *buf, size_t cap);
    /* the object's length, or DX_ERR_NOTFOUND */
    int64_t (*has_fn)(void *self, const dx_cas_id *id);
    /* DX_OK, or DX_ERR_NOTFOUND */
    dx_result (*delete_fn)(void *self, const dx_cas_id *id);
    dx_result (*iterate_fn)(void *self, dx_cas_iter_fn fn, void *user);
    /* make every put so far durable (batch mode); NULL when puts are durable at once */
    dx_result (*sync_fn)(void *self);
} dx_cas_store_vtable;

typedef struct dx_cas_store_config {
    const dx_cas_store_vtable *vtable; /* the backend */
    void *self;                        /* its state, passed to every vtable function */
    const dx_cas_hash_alg *hash_alg;   /* NULL: SHA-256, CPU detected */
    dx_allocator allocator;            /* what blob reads, verify and gc allocate with */
} dx_cas_store_config;

typedef struct dx_cas_store_stats {
    uint64_t puts, put_bytes;        /* dx_cas_store_put calls and their bytes */
    uint64_t dedup, dedup_bytes;     /* of those, already stored */
    uint64_t gets, corrupt;          /* dx_cas_store_get calls; objects that failed their hash */
} dx_cas_store_stats;

typedef struct dx_cas_store {
    const dx_cas_store_vtable *vt;
    void *self;
    dx_cas_hash_alg hash_alg;
    dx_allocator allocator;
    dx_cas_store_stats stats;
    dx_cas_zero_memo zero; /* a sparse file's holes are hashed once, not once a chunk */
} dx_cas_store;

DX_CAS_API dx_result dx_cas_store_init(dx_cas_store *s, const dx_cas_store_config *cfg);
DX_CAS_API dx_result dx_cas_store_put(dx_cas_store *s, const void *data, size_t len, dx_cas_id *out_id);
DX_CAS_API int64_t dx_cas_store_get(dx_cas_store *s, const dx_cas_id *id, void *buf, size_t cap);
DX_CAS_API int64_t dx_cas_store_has(dx_cas_store *s, const dx_cas_id *id);
DX_CAS_API dx_result dx_cas_store_delete(dx_cas_store *s, const dx_cas_id *id);
DX_CAS_API dx_result dx_cas_store_iterate(dx_cas_store *s, dx_cas_iter_fn fn, void *user);
DX_CAS_API dx_result dx_cas_store_sync(dx_cas_store *s);

/* Stored object encoding ("DXCZ", WIRE FORMAT): how a backend keeps an object
   compressed while its id stays the hash of the uncompressed content. */
DX_CAS_API size_t dx_cas_object_bound(size_t len);
DX_CAS_API int64_t dx_cas_object_encode(void *zstd_cctx, const void *data, size_t len, void *out, size_t cap);
DX_CAS_API int64_t dx_cas_object_size(const uint8_t *buf, size_t len, uint32_t *out_method);
DX_CAS_API int64_t dx_cas_object_decode(void *zstd_dctx, const uint8_t *buf, size_t len, void *out, size_t cap);

/* Memory store: a hash table and a data arena in one block of memory. */
typedef struct dx_cas_mem_config {
    uint32_t max_objects;   /* 0 = 1024 */
    size_t max_bytes;       /* object bytes (plus 8 per object); 0 = 1 MiB */
    dx_allocator allocator; /* for dx_cas_mem_create */
} dx_cas_mem_config;

typedef struct dx_cas_mem_slot {
    dx_cas_id id;
    uint64_t off;   /* of the record in the arena */
    uint32_t len;
    uint32_t state; /* 0 empty, 1 live, 2 deleted */
} dx_cas_mem_slot;

typedef struct dx_cas_mem {
    dx_cas_mem_slot *slots;
    uint8_t *arena;
    uint32_t nslots, live, used_slots;    /* used_slots: live + deleted */
    size_t arena_size, arena_used, garbage;
    dx_allocator allocator;
    void *memory;
    size_t memory_size;
    bool owns_memory;
} dx_cas_mem;

DX_CAS_API size_t dx_cas_mem_memory_size(const dx_cas_mem_config *cfg);
DX_CAS_API dx_result dx_cas_mem_init(dx_cas_mem *m, const dx_cas_mem_config *cfg, void *mem, size_t mem_size);
DX_CAS_API dx_result dx_cas_mem_create(dx_cas_mem *m, const dx_cas_mem_config *cfg);
DX_CAS_API void dx_cas_mem_destroy(dx_cas_mem *m);
DX_CAS_API dx_result dx_cas_mem_store(dx_cas_mem *m, const dx_cas_hash_alg *alg, dx_cas_store *out);

/* ---- blobs: chunks plus a manifest ---- */

/* Bounds for untrusted manifests, checked before anything is allocated (0 = default; a NULL
   dx_cas_limits pointer: every default). */
typedef struct dx_cas_limits {
    uint64_t max_chunks;     /* 0 = 2^22 */
    uint32_t max_chunk_size; /* 0 = 16 MiB */
    uint64_t max_total;      /* 0 = 2^40 bytes */
} dx_cas_limits;

/* A parsed manifest; entries point into the manifest's bytes. */
typedef struct dx_cas_manifest {
    uint32_t alg;
    uint64_t total_size;
    uint64_t count;                 /* chunks */
    uint8_t root[DX_CAS_HASH_SIZE]; /* the blob's identity */
    uint64_t parts;                 /* a PARTS manifest: its entries are this many parts; 0: they are the chunks */
    const uint8_t *entries;         /* count x (u32 length, 32-byte digest), or parts x part entry */
} dx_cas_manifest;

/* One entry of a PARTS manifest. */
typedef struct dx_cas_part {
    dx_cas_id id;                   /* the part's manifest */
    uint64_t size;                  /* its bytes */
    uint32_t count;                 /* its chunks */
    uint8_t root[DX_CAS_HASH_SIZE]; /* the Merkle root of its chunk leaves */
} dx_cas_part;

/* The chunks of a blob in order, part after part: holds the manifest named and one part. */
typedef struct dx_cas_chunk_iter {
    dx_cas_store *store;
    dx_cas_limits lim;
    dx_cas_manifest m;    /* the manifest named: the blob's total_size, count, root */
    dx_cas_manifest part; /* the chunks being read: m itself, or its part next_part - 1 */
    uint64_t next_part, next; /* the next part, the next chunk of part */
    uint64_t offset;      /* where the next chunk begins in the blob */
    uint32_t longest;     /* the longest chunk of part: a buffer this long holds each chunk it gives */
    uint8_t *top, *cur;   /* m's bytes, part's bytes (cur NULL when part is m) */
    size_t top_cap, cur_cap;
    dx_result error;      /* sticky */
} dx_cas_chunk_iter;

typedef struct dx_cas_blob_writer_config {
    dx_cas_store *store;           /* where the chunks and the manifest go (required) */
    dx_cas_chunker_config chunker; /* zero: FastCDC, 16 KiB average */
    uint64_t max_chunks;           /* the blob's bound; 0: it grows as needed (create only) */
    uint32_t part_chunks;          /* a blob of more chunks is stored in parts of this many (a power of two >= 2; 0: 1024) */
    dx_allocator allocator;        /* dx_cas_blob_writer_create */
} dx_cas_blob_writer_config;

typedef struct dx_cas_blob_writer {
    dx_cas_store *store;
    dx_cas_chunker chunker;
    dx_cas_merkle tree;
    dx_allocator allocator;
    uint8_t *buf;              /* the stream's unfinished chunk */
    size_t buf_cap, buf_len;
    uint64_t buf_base;         /* stream offset of buf[0] */
    uint8_t *manifest;         /* the part under way (the whole manifest while there is one part), built as chunks are stored */
    size_t man_len, man_cap;
    uint8_t *top;              /* the part entries of the parts stored so far; the PARTS manifest at the end */
    size_t top_len, top_cap;
    bool grows;                /* create without max_chunks: a block that is full moves to one twice its size */
    bool man_separate, top_separate; /* they have moved: blocks of their own */
    void *memory;              /* what create allocated (NULL after init) */
    size_t memory_size;
    dx_cas_merkle part_tree;   /* the part under way's leaves */
    uint64_t part_total;       /* its bytes */
    uint32_t part_chunks;      /* chunks a part holds */
    uint64_t max_chunks;       /* cfg's (0: none) */
    bool added;                /* chunks came through dx_cas_blob_writer_add */
    uint64_t total, count;
    uint64_t new_chunks, new_bytes; /* chunks and bytes the store did not have */
    dx_result error;           /* sticky */
} dx_cas_blob_writer;

typedef dx_result (*dx_cas_write_fn)(void *user, uint64_t offset, const void *data, size_t len);

typedef struct dx_cas_verify_report {
    uint64_t objects, bytes;   /* walked */
    uint64_t corrupt;          /* content does not match the id */
    uint64_t missing;          /* objects the roots reach (trees, manifests, chunks) that the store lacks */
    uint64_t manifests;        /* manifests reached from the roots */
} dx_cas_verify_report;

/* problem: DX_ERR_CHECKSUM (an object's bytes do not match its id), DX_ERR_NOTFOUND (a
   reachable object is missing), DX_ERR_CORRUPT (a reachable tree or manifest does not parse) */
typedef void (*dx_cas_problem_fn)(void *user, const dx_cas_id *id, dx_result problem);

DX_CAS_API dx_result dx_cas_manifest_parse(const dx_cas_hash_alg *alg, const uint8_t *buf, size_t len,
                                           const dx_cas_limits *lim, dx_cas_manifest *out);
DX_CAS_API void dx_cas_manifest_entry(const dx_cas_manifest *m, uint64_t i, dx_cas_id *out_id, uint32_t *out_len);
DX_CAS_API void dx_cas_manifest_part(const dx_cas_manifest *m, uint64_t i, dx_cas_part *out);
DX_CAS_API dx_result dx_cas_chunk_iter_open(dx_cas_chunk_iter *it, dx_cas_store *s, const dx_cas_id *manifest_id,
                                            const dx_cas_limits *lim);
DX_CAS_API int dx_cas_chunk_iter_next(dx_cas_chunk_iter *it, dx_cas_id *out_id, uint32_t *out_len);
DX_CAS_API void dx_cas_chunk_iter_close(dx_cas_chunk_iter *it);
DX_CAS_API void dx_cas_chunk_leaf(const dx_cas_hash_alg *alg, const dx_cas_id *chunk_id, uint8_t out[32]);

DX_CAS_API size_t dx_cas_blob_writer_memory_size(const dx_cas_blob_writer_config *cfg);
DX_CAS_API dx_result dx_cas_blob_writer_init(dx_cas_blob_writer *w, const dx_cas_blob_writer_config *cfg, void *mem,
                                             size_t mem_size);
DX_CAS_API dx_result dx_cas_blob_writer_create(dx_cas_blob_writer *w, const dx_cas_blob_writer_config *cfg);
DX_CAS_API dx_result dx_cas_blob_writer_write(dx_cas_blob_writer *w, const void *data, size_t len);
DX_CAS_API dx_result dx_cas_blob_writer_add(dx_cas_blob_writer *w, const dx_cas_id *chunk_id, uint32_t len);
DX_CAS_API dx_result dx_cas_blob_writer_finish(dx_cas_blob_writer *w, dx_cas_id *out_manifest, uint8_t out_root[32]);
DX_CAS_API void dx_cas_blob_writer_destroy(dx_cas_blob_writer *w);
DX_CAS_API dx_result dx_cas_blob_read(dx_cas_store *s, const dx_cas_id *manifest_id, const dx_cas_limits *lim,
                                      dx_cas_write_fn write, void *user, dx_cas_manifest *out_info);

/* ---- tree objects (a directory), garbage collection ---- */

typedef struct dx_cas_tree_entry {
    const char *name;   /* 1..255 bytes, no '/' or NUL, not "." or ".."; not NUL-terminated when parsed */
    size_t name_len;
    uint32_t mode;      /* DX_CAS_MODE_*: a file or symlink names a blob manifest, a dir a tree */
    uint64_t size;      /* file bytes (a dir: 0) */
    dx_cas_id id;
} dx_cas_tree_entry;

typedef struct dx_cas_tree { /* a parsed tree object; entries are read with dx_cas_tree_next */
    uint32_t alg;
    uint32_t count;
    const uint8_t *buf;
    size_t len;
} dx_cas_tree;

enum { /* dx_cas_store_gc flags */
    DX_CAS_GC_DRY_RUN = 1,        /* count what would go; delete nothing */
    DX_CAS_GC_ALLOW_NO_ROOTS = 2  /* with nroots 0, delete every object (else DX_CAS_ERR_NO_ROOTS) */
};

typedef struct dx_cas_gc_report {
    uint64_t marked, kept_bytes;     /* reachable objects */
    uint64_t deleted, deleted_bytes; /* swept */
} dx_cas_gc_report;

DX_CAS_API int64_t dx_cas_tree_encode(uint32_t alg, const dx_cas_tree_entry *entries, size_t n, uint8_t *out,
                                      size_t cap);
DX_CAS_API dx_result dx_cas_tree_parse(const uint8_t *buf, size_t len, uint32_t max_entries, dx_cas_tree *out);
DX_CAS_API bool dx_cas_tree_next(const dx_cas_tree *t, size_t *pos, dx_cas_tree_entry *out);
DX_CAS_API dx_result dx_cas_store_gc(dx_cas_store *s, const dx_cas_id *roots, size_t nroots, uint32_t max_depth,
                                     uint32_t flags, dx_cas_gc_report *out);
DX_CAS_API dx_result dx_cas_store_verify(dx_cas_store *s, const dx_cas_id *roots, size_t nroots,
                                         const dx_cas_limits *lim, dx_cas_problem_fn problem, void *user,
                                         dx_cas_verify_report *out);

/* A pack's index ("DXCK", WIRE FORMAT), checked by dx_cas_pack_parse. */
typedef struct dx_cas_pack_index {
    uint64_t pack_size;     /* the whole file's bytes */
    uint64_t index_offset;  /* where the index begins */
    uint32_t count;         /* entries */
    uint8_t sum[32];        /* SHA-256 of the index (and trailer bytes 0..15): the pack's name */
    const uint8_t *entries; /* count x DX_CAS_PACK_ENTRY_SIZE bytes, inside the caller's buffer */
} dx_cas_pack_index;
typedef struct dx_cas_pack_entry {
    dx_cas_id id;
    uint64_t offset;        /* of its record (a stored form), from the start of the pack */
    uint32_t stored, size;  /* the record's bytes; the object's content bytes */
    uint32_t inner;         /* where the object begins in the record's (decoded) content */
} dx_cas_pack_entry;
DX_CAS_API dx_result dx_cas_pack_parse(const uint8_t *tail, size_t len, uint64_t pack_size, uint32_t cpu,
                                       dx_cas_pack_index *out);
DX_CAS_API void dx_cas_pack_index_entry(const dx_cas_pack_index *p, uint32_t i, dx_cas_pack_entry *out);

/* Directory store (POSIX; not under DX_CAS_NO_STDIO / DX_NO_STDIO, not yet on Windows). */
#if !defined(DX_CAS_NO_STDIO) && !defined(DX_NO_STDIO) && !defined(_WIN32)
#define DX_CAS_HAS_DIRSTORE 1
#endif
#if defined(DX_CAS_HAS_DIRSTORE)
#ifndef DX_CAS_PATH_MAX /* longest store path (bytes, with the NUL) a dx_cas_dir can hold */
#define DX_CAS_PATH_MAX 1024
#endif
#ifndef DX_CAS_DIR_BATCH_BYTES /* a batch syncs by itself once it holds this many bytes (stored form): */
#define DX_CAS_DIR_BATCH_BYTES (1u << 30) /* bounds tmp/ and what a crash loses; costs one sync per this many */
#endif
#ifndef DX_CAS_DIR_BATCH_OBJECTS /* ... or this many objects */
#define DX_CAS_DIR_BATCH_OBJECTS 100000u
#endif
#ifndef DX_CAS_DIR_SYNCFS_MIN /* a batch of this many loose files or more is made durable with one syncfs (Linux) */
#define DX_CAS_DIR_SYNCFS_MIN 64u
#endif
#ifndef DX_CAS_DIR_PACK_BYTES /* a pack is finished (and the batch goes on in a new one) at this size */
#define DX_CAS_DIR_PACK_BYTES (32u << 20)
#endif
#ifndef DX_CAS_DIR_PACK_BLOCK /* objects up to half this size are compressed together, in records of up to this much */
#define DX_CAS_DIR_PACK_BLOCK (128u << 10)
#endif
#ifndef DX_CAS_DIR_TABLE_MAX /* dx_cas_dir_config.table_max's default: about 5.5 MB of entries */
#define DX_CAS_DIR_TABLE_MAX 65536u
#endif
#ifndef DX_CAS_DIR_PACK_OBJECT_MAX /* objects of more content bytes stay loose files (one file each) */
#define DX_CAS_DIR_PACK_OBJECT_MAX (1u << 20)
#endif
enum {
    DX_CAS_COMPRESS_DEFAULT = 3, /* the zstd level a zeroed dx_cas_dir_config.compress means (with DX_CAS_WITH_ZSTD) */
    DX_CAS_COMPRESS_NONE = -1    /* dx_cas_dir_config.compress: store objects as they are */
};
typedef struct dx_cas_dir_config {
    const char *path; /* the store's folder; made if missing (its parent must exist) */
    bool sync_each;   /* every put durable and visible to others when it returns (an fsync per object: slow);
                         default (false): puts are made durable in batches, together, at dx_cas_store_sync */
    bool no_sync;     /* never fsync: scratch stores and tests (atomic renames still) */
    int compress;     /* zstd level 1..19 for objects that shrink; 0: the default (DX_CAS_COMPRESS_DEFAULT with
                         DX_CAS_WITH_ZSTD, none without); DX_CAS_COMPRESS_NONE: objects as they are */
    dx_allocator allocator; /* the zstd buffer, and what the store's blob reads, verify and gc allocate */
    bool must_exist;  /* open an existing store only (<path>/objects is there), create nothing: else DX_ERR_NOTFOUND */
    bool loose;       /* one file per object, as before 0.4.0 (for older readers); default: batches of small
                         objects go into pack files (packs/<hex>.pack) */
    bool own_packs;   /* a get or has that misses does not look for packs other writers made since the open (a
                         cache this handle fills: its misses are many and expected); default: it looks */
    uint64_t table_max; /* packed objects whose entries a handle keeps in memory (about 85 bytes each); past it a
                           sync merges them into the packs' index file packs/index, which lookups read (0:
                           DX_CAS_DIR_TABLE_MAX; UINT64_MAX: never, every entry in memory as before 0.5.0) */
} dx_cas_dir_config;

typedef struct dx_cas_dir {
    char root[DX_CAS_PATH_MAX];
    size_t root_len;
    bool batch, no_sync;  /* batch: !cfg->sync_each */
    long pid;
    uint32_t counter;     /* temporary file names */
    uint32_t pending;     /* batch mode: puts waiting for dx_cas_store_sync */
    uint32_t pending_loose; /* of them, loose files (not in a pack) */
    uint64_t pending_bytes;
    char batch_tag[24];   /* batch mode: the pending objects' folder, tmp/<pid>.b<tag>/ (removed at each sync) */
    uint64_t *pending_set; /* batch mode: the pending digests' first 8 bytes (a lookup skips tmp/ when absent) */
    size_t pending_set_cap, pending_set_used;
    bool pending_set_full; /* it could not grow: every lookup looks in tmp/ */
    uint8_t fanout[32];   /* fan-out folders known to exist (a bit each) */
    bool fanout_all;      /* own_packs: fanout names every fan-out folder, so a clear bit means no loose
                             object there (a miss costs no system call) */
    uint32_t cleaned;     /* temporary leftovers of dead writers removed at open */
    int os_error;         /* errno of the last failure */
    int compress;         /* zstd level, 0: objects are stored as they are; a caller may set it to 0 between
                             puts (content compressed already: records written meanwhile skip the try) and
                             back to the level open set */
    void *zcctx, *zdctx;  /* zstd contexts (ZSTD_CCtx made at open, ZSTD_DCtx at the first compressed read) */
    dx_allocator allocator;
    uint8_t *zbuf;        /* encoded objects on their way in or out (grows to the largest) */
    size_t zbuf_cap;
    uint64_t compressed;  /* puts (in packs: records) stored compressed, and the bytes they saved */
    uint64_t saved_bytes;
    uint32_t bad_refs;    /* the last ref scan: entries of refs/ that are not readable refs */
    char bad_ref[256];    /* the first of them */
    bool loose;           /* cfg->loose: no packs are written (they are still read) */
    bool own_packs;       /* cfg->own_packs: misses never rescan packs/ */
    bool iterating;       /* inside iterate: no rescans of packs/ */
    uint32_t cpu;         /* DX_CAS_CPU_* bits for the packs' SHA-256 */
    void *packs;          /* the packs known (private array), pack_count of pack_cap */
    uint32_t pack_count, pack_cap;
    uint32_t open_pack;   /* the pack this batch appends to, + 1 (0: none) */
    uint32_t pack_seq;    /* temporary pack names */
    uint8_t *open_index;  /* the open pack's index entries so far (DX_CAS_PACK_ENTRY_SIZE each) */
    size_t open_index_cap, open_index_len;
    uint8_t *blk[2];      /* the open blocks (0 data, 1 manifests and trees): small objects' contents, one
                             record each at their next flush */
    size_t blk_len[2];    /* their bytes */
    uint32_t blk_count[2]; /* their objects (empty ones too) */
    uint8_t *rblk[4];     /* the last records of several objects read, decoded (a reader's cache) */
    size_t rblk_cap[4], rblk_len[4];
    uint64_t rblk_off[4];
    uint32_t rblk_pack[4];
    bool rblk_valid[4];
    uint32_t rblk_next;   /* the entry the next one replaces */
    void *pidx;           /* the pack index (private): pidx_cap slots of 8 bytes, used: live and deleted */
    size_t pidx_cap, pidx_used;
    void **pents;         /* private: the packed objects' entries, in pages; pent_count of them */
    size_t pent_count, pent_pages, pent_dir;
    uint64_t packed, packed_bytes; /* puts this handle appended to packs (stored bytes) */
    uint64_t repacked;    /* packs rewritten because they lost objects */
    uint32_t bad_packs;   /* packs that did not pass their checks at open or a rescan (none of it is trusted) */
    char bad_pack[80];    /* the first of them (its file name) */
    int64_t packs_mtime;  /* private: packs/'s modification time (s) at the last scan */
    bool packs_settled;   /* private: that time was 2 s or more before the scan, so the same time means no new pack */
    uint64_t table_max;   /* cfg->table_max (0 made DX_CAS_DIR_TABLE_MAX) */
    int ix_fd;            /* packs/index as this handle read it (-1: none) */
    uint32_t ix_bits, ix_packs; /* its fan-out bits and its packs */
    uint64_t ix_count;    /* its entries */
    uint32_t *ix_fan;     /* private: its fan-out (2^ix_bits counts) */
    uint8_t *ix_names;    /* private: its packs' names (checksums, ascending) */
    uint32_t *ix_pack;    /* private: each one's index in packs (UINT32_MAX: not in packs/) */
    uint64_t ix_hit[8];   /* private: the entry the last lookup in the index found */
    uint64_t ix_hit_at;   /* private: its number in the index */
    uint8_t *ix_dead;     /* private: the index's entries deleted since it was read, a bit each (NULL: none yet) */
    size_t ix_dead_len;   /* private: its bytes */
    uint8_t *ix_misses;   /* private: ids lately not found in it (33 bytes each: digest, code; a zero code: empty) */
    uint64_t indexed;     /* merges this handle made (packs/index written anew) */
    bool bad_index;       /* packs/index did not pass its checks at open and is not used (its packs are read
                             into the table instead; the next merge writes it anew) */
} dx_cas_dir;

DX_CAS_API dx_result dx_cas_dir_open(dx_cas_dir *d, const dx_cas_dir_config *cfg);
DX_CAS_API void dx_cas_dir_close(dx_cas_dir *d);
DX_CAS_API dx_result dx_cas_dir_store(dx_cas_dir *d, const dx_cas_hash_alg *alg, dx_cas_store *out);
typedef dx_result (*dx_cas_ref_fn)(void *user, const char *name, const dx_cas_id *id);
/* an entry of refs/ that is not a readable ref: DX_ERR_CORRUPT, DX_ERR_INVAL (bad name) or DX_ERR_IO */
typedef void (*dx_cas_ref_problem_fn)(void *user, const char *name, dx_result what);
/* Named refs: <path>/refs/<name> holds an id; names are 1..100 of [A-Za-z0-9._-], not starting with '.'. */
DX_CAS_API dx_result dx_cas_dir_ref_set(dx_cas_dir *d, const char *name, const dx_cas_id *id);
DX_CAS_API dx_result dx_cas_dir_ref_get(dx_cas_dir *d, const char *name, dx_cas_id *out);
DX_CAS_API dx_result dx_cas_dir_ref_delete(dx_cas_dir *d, const char *name);
DX_CAS_API dx_result dx_cas_dir_ref_scan(dx_cas_dir *d, dx_cas_ref_fn fn, dx_cas_ref_problem_fn problem, void *user);
DX_CAS_API dx_result dx_cas_dir_ref_list(dx_cas_dir *d, dx_cas_ref_fn fn, void *user);
#endif

DX_CAS_API const char *dx_cas_result_name(dx_result r);

#ifdef __cplusplus
}
#endif
#endif /* DX_CAS_H */
/* ===== STOP HERE if you only need the API. Below is the implementation. ===== */
#if defined(DX_CAS_IMPLEMENTATION) && !defined(DX_CAS_IMPLEMENTATION_DONE)
#define DX_CAS_IMPLEMENTATION_DONE

/* ---- dx common implementation block v1: defaults shared by every dx header, each under #ifndef;
   identical bytes in every header (tests/compile/common_block.sh) ---- */
#ifndef DX_ASSERT
#if defined(DX_NO_ASSERT)
#define DX_ASSERT(c) ((void)0)
#else
#include <assert.h>
#define DX_ASSERT(c) assert(c)
#endif
#endif
#if defined(DX_MALLOC) != defined(DX_FREE)
#error "define both DX_MALLOC and DX_FREE, or neither"
#endif
#if !defined(DX_MALLOC) && !defined(DX_NO_MALLOC)
#include <stdlib.h>
#define DX_MALLOC(size, user) ((void)(user), malloc(size))
#define DX_FREE(ptr, size, user) ((void)(size), (void)(user), free(ptr))
#define DXI_LIBC_MALLOC 1 /* DX_MALLOC is malloc: calloc(3) may stand in for it */
#endif
#if !defined(DX_MEMCPY) && defined(DX_NO_LIBC)
#define DX_MEMCPY __builtin_memcpy
#define DX_MEMMOVE __builtin_memmove
#define DX_MEMSET __builtin_memset
#define DX_MEMCMP __builtin_memcmp
#elif !defined(DX_MEMCPY)
#include <string.h>
#define DX_MEMCPY memcpy
#define DX_MEMMOVE memmove
#define DX_MEMSET memset
#define DX_MEMCMP memcmp
#endif
#ifndef DXI_PRIVATE
#if defined(__GNUC__) || defined(__clang__)
#define DXI_PRIVATE static __attribute__((unused))
#else
#define DXI_PRIVATE static
#endif
#endif
/* ---- end of dx common implementation block ---- */

#if defined(DX_CAS_WITH_ZSTD) /* compressed stored objects: link with -lzstd */
#include <zstd.h>
#endif

/* CPU paths: SHA-NI on x86 with GCC/Clang, the SHA-2 instructions on AArch64. */
#if !defined(DX_CAS_NO_SIMD) && (defined(__x86_64__) || defined(__i386__)) && \
    (defined(__GNUC__) || defined(__clang__)) && !defined(__TINYC__)
#define DXI_CAS_X86 1
#include <immintrin.h>
#include <cpuid.h>
#endif
/* Clang's arm_neon.h declares the SHA-2 intrinsics only when the target has them
   (-march=armv8-a+crypto, Apple); GCC's can be enabled per function. */
#if !defined(DX_CAS_NO_SIMD) && defined(__aarch64__) && (defined(__GNUC__) || defined(__clang__)) && \
    (!defined(__clang__) || defined(__ARM_FEATURE_SHA2) || defined(__ARM_FEATURE_CRYPTO))
#define DXI_CAS_ARM64 1
#include <arm_neon.h>
#if defined(__linux__) && !defined(DX_NO_LIBC)
#include <sys/auxv.h>
#define DXI_CAS_ARM64_AUXV 1
#endif
#if defined(__ARM_FEATURE_SHA2) || defined(__ARM_FEATURE_CRYPTO)
#define DXI_CAS_ARM64_TARGET
#else
#define DXI_CAS_ARM64_TARGET __attribute__((target("+crypto")))
#endif
#endif

/* ---- SHA-256 (FIPS 180-4) ---- */

static const uint32_t dxi_cas_k256[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u,
    0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u,
    0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
    0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u, 0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u,
    0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u,
    0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
    0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u};

DXI_PRIVATE uint32_t dxi_cas_load_u32be(const uint8_t *b) {
    return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | (uint32_t)b[3];
}
DXI_PRIVATE void dxi_cas_store_u32be(uint8_t *b, uint32_t v) {
    b[0] = (uint8_t)(v >> 24);
    b[1] = (uint8_t)(v >> 16);
    b[2] = (uint8_t)(v >> 8);
    b[3] = (uint8_t)v;
}

#define DXI_CAS_ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define DXI_CAS_S0(x) (DXI_CAS_ROR(x, 2) ^ DXI_CAS_ROR(x, 13) ^ DXI_CAS_ROR(x, 22))
#define DXI_CAS_S1(x) (DXI_CAS_ROR(x, 6) ^ DXI_CAS_ROR(x, 11) ^ DXI_CAS_ROR(x, 25))
#define DXI_CAS_G0(x) (DXI_CAS_ROR(x, 7) ^ DXI_CAS_ROR(x, 18) ^ ((x) >> 3))
#define DXI_CAS_G1(x) (DXI_CAS_ROR(x, 17) ^ DXI_CAS_ROR(x, 19) ^ ((x) >> 10))

DXI_PRIVATE void dxi_cas_sha256_blocks_c(uint32_t st[8], const uint8_t *p, size_t nblocks) {
    uint32_t w[16], a, b, c, d, e, f, g, h, t1, t2;
    unsigned i;
    while (nblocks--) {
        a = st[0], b = st[1], c = st[2], d = st[3], e = st[4], f = st[5], g = st[6], h = st[7];
        for (i = 0; i < 64; i++) {
            if (i < 16) {
                w[i] = dxi_cas_load_u32be(p + 4 * i);
            } else {
                uint32_t w15 = w[(i - 15) & 15], w2 = w[(i - 2) & 15];
                w[i & 15] += DXI_CAS_G0(w15) + w[(i - 7) & 15] + DXI_CAS_G1(w2);
            }
            t1 = h + DXI_CAS_S1(e) + ((e & f) ^ (~e & g)) + dxi_cas_k256[i] + w[i & 15];
            t2 = DXI_CAS_S0(a) + ((a & b) ^ (a & c) ^ (b & c));
            h = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
        }
        st[0] += a, st[1] += b, st[2] += c, st[3] += d, st[4] += e, st[5] += f, st[6] += g, st[7] += h;
        p += 64;
    }
}

#if defined(DXI_CAS_X86)
/* The state lives as ABEF / CDGH in two registers, as the SHA-NI rounds want it. */
#define DXI_CAS_SHANI_QR(g, w)                                                                         \
    do {                                                                                               \
        __m128i m_ = _mm_add_epi32(w, _mm_loadu_si128((const __m128i *)(const void *)(dxi_cas_k256 + 4 * (g)))); \
        s1 = _mm_sha256rnds2_epu32(s1, s0, m_);                                                         \
        m_ = _mm_shuffle_epi32(m_, 0x0e);                                                               \
        s0 = _mm_sha256rnds2_epu32(s0, s1, m_);                                                         \
    } while (0)
/* w0 becomes the next 4 schedule words from the previous 16 (w0..w3, oldest first) */
#define DXI_CAS_SHANI_SCHED(w0, w1, w2, w3) \
    w0 = _mm_sha256msg2_epu32(_mm_add_epi32(_mm_sha256msg1_epu32(w0, w1), _mm_alignr_epi8(w3, w2, 4)), w3)

__attribute__((target("sha,sse4.1,ssse3"))) DXI_PRIVATE void dxi_cas_sha256_blocks_shani(uint32_t st[8],
                                                                                          const uint8_t *p,
                                                                                          size_t nblocks) {
    const __m128i bswap = _mm_set_epi64x((long long)0x0c0d0e0f08090a0bull, (long long)0x0405060700010203ull);
    __m128i t, s0, s1, save0, save1, w0, w1, w2, w3;
    t = _mm_loadu_si128((const __m128i *)(const void *)&st[0]);
    s1 = _mm_loadu_si128((const __m128i *)(const void *)&st[4]);
    t = _mm_shuffle_epi32(t, 0xb1);
    s1 = _mm_shuffle_epi32(s1, 0x1b);
    s0 = _mm_alignr_epi8(t, s1, 8);
    s1 = _mm_blend_epi16(s1, t, 0xf0);
    while (nblocks--) {
        save0 = s0, save1 = s1;
        w0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 0)), bswap);
        w1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 16)), bswap);
        w2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 32)), bswap);
        w3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 48)), bswap);
        DXI_CAS_SHANI_QR(0, w0);
        DXI_CAS_SHANI_QR(1, w1);
        DXI_CAS_SHANI_QR(2, w2);
        DXI_CAS_SHANI_QR(3, w3);
        DXI_CAS_SHANI_SCHED(w0, w1, w2, w3); DXI_CAS_SHANI_QR(4, w0);
        DXI_CAS_SHANI_SCHED(w1, w2, w3, w0); DXI_CAS_SHANI_QR(5, w1);
        DXI_CAS_SHANI_SCHED(w2, w3, w0, w1); DXI_CAS_SHANI_QR(6, w2);
        DXI_CAS_SHANI_SCHED(w3, w0, w1, w2); DXI_CAS_SHANI_QR(7, w3);
        DXI_CAS_SHANI_SCHED(w0, w1, w2, w3); DXI_CAS_SHANI_QR(8, w0);
        DXI_CAS_SHANI_SCHED(w1, w2, w3, w0); DXI_CAS_SHANI_QR(9, w1);
        DXI_CAS_SHANI_SCHED(w2, w3, w0, w1); DXI_CAS_SHANI_QR(10, w2);
        DXI_CAS_SHANI_SCHED(w3, w0, w1, w2); DXI_CAS_SHANI_QR(11, w3);
        DXI_CAS_SHANI_SCHED(w0, w1, w2, w3); DXI_CAS_SHANI_QR(12, w0);
        DXI_CAS_SHANI_SCHED(w1, w2, w3, w0); DXI_CAS_SHANI_QR(13, w1);
        DXI_CAS_SHANI_SCHED(w2, w3, w0, w1); DXI_CAS_SHANI_QR(14, w2);
        DXI_CAS_SHANI_SCHED(w3, w0, w1, w2); DXI_CAS_SHANI_QR(15, w3);
        s0 = _mm_add_epi32(s0, save0);
        s1 = _mm_add_epi32(s1, save1);
        p += 64;
    }
    t = _mm_shuffle_epi32(s0, 0x1b);
    s1 = _mm_shuffle_epi32(s1, 0xb1);
    s0 = _mm_blend_epi16(t, s1, 0xf0);
    s1 = _mm_alignr_epi8(s1, t, 8);
    _mm_storeu_si128((__m128i *)(void *)&st[0], s0);
    _mm_storeu_si128((__m128i *)(void *)&st[4], s1);
}
#endif /* DXI_CAS_X86 */

#if defined(DXI_CAS_ARM64)
#define DXI_CAS_ARM_QR(g, w)                                            \
    do {                                                                \
        uint32x4_t wk_ = vaddq_u32(w, vld1q_u32(dxi_cas_k256 + 4 * (g))); \
        uint32x4_t abcd0_ = abcd;                                       \
        abcd = vsha256hq_u32(abcd, efgh, wk_);                          \
        efgh = vsha256h2q_u32(efgh, abcd0_, wk_);                       \
    } while (0)
#define DXI_CAS_ARM_SCHED(w0, w1, w2, w3) w0 = vsha256su1q_u32(vsha256su0q_u32(w0, w1), w2, w3)

DXI_CAS_ARM64_TARGET DXI_PRIVATE void dxi_cas_sha256_blocks_arm(uint32_t st[8], const uint8_t *p, size_t nblocks) {
    uint32x4_t abcd = vld1q_u32(st), efgh = vld1q_u32(st + 4), save0, save1, w0, w1, w2, w3;
    while (nblocks--) {
        save0 = abcd, save1 = efgh;
        w0 = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(p + 0)));
        w1 = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(p + 16)));
        w2 = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(p + 32)));
        w3 = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(p + 48)));
        DXI_CAS_ARM_QR(0, w0);
        DXI_CAS_ARM_QR(1, w1);
        DXI_CAS_ARM_QR(2, w2);
        DXI_CAS_ARM_QR(3, w3);
        DXI_CAS_ARM_SCHED(w0, w1, w2, w3); DXI_CAS_ARM_QR(4, w0);
        DXI_CAS_ARM_SCHED(w1, w2, w3, w0); DXI_CAS_ARM_QR(5, w1);
        DXI_CAS_ARM_SCHED(w2, w3, w0, w1); DXI_CAS_ARM_QR(6, w2);
        DXI_CAS_ARM_SCHED(w3, w0, w1, w2); DXI_CAS_ARM_QR(7, w3);
        DXI_CAS_ARM_SCHED(w0, w1, w2, w3); DXI_CAS_ARM_QR(8, w0);
        DXI_CAS_ARM_SCHED(w1, w2, w3, w0); DXI_CAS_ARM_QR(9, w1);
        DXI_CAS_ARM_SCHED(w2, w3, w0, w1); DXI_CAS_ARM_QR(10, w2);
        DXI_CAS_ARM_SCHED(w3, w0, w1, w2); DXI_CAS_ARM_QR(11, w3);
        DXI_CAS_ARM_SCHED(w0, w1, w2, w3); DXI_CAS_ARM_QR(12, w0);
        DXI_CAS_ARM_SCHED(w1, w2, w3, w0); DXI_CAS_ARM_QR(13, w1);
        DXI_CAS_ARM_SCHED(w2, w3, w0, w1); DXI_CAS_ARM_QR(14, w2);
        DXI_CAS_ARM_SCHED(w3, w0, w1, w2); DXI_CAS_ARM_QR(15, w3);
        abcd = vaddq_u32(abcd, save0);
        efgh = vaddq_u32(efgh, save1);
        p += 64;
    }
    vst1q_u32(st, abcd);
    vst1q_u32(st + 4, efgh);
}
#endif /* DXI_CAS_ARM64 */

DX_CAS_API uint32_t dx_cas_cpu_detect(void) {
    uint32_t f = 0;
#if defined(DXI_CAS_X86)
    {
        unsigned a = 0, b = 0, c = 0, d = 0;
        if (__get_cpuid_max(0, NULL) >= 7) {
            unsigned c1;
            __cpuid(1, a, b, c, d);
            c1 = c;
            __cpuid_count(7, 0, a, b, c, d);
            /* SHA (leaf 7 EBX bit 29), SSSE3 (leaf 1 ECX bit 9), SSE4.1 (leaf 1 ECX bit 19) */
            if ((b & (1u << 29)) && (c1 & (1u << 9)) && (c1 & (1u << 19))) f |= DX_CAS_CPU_SHA_NI;
            /* AVX2 (leaf 7 EBX bit 5), and the OS saves the YMM registers (OSXSAVE, XCR0 bits 1-2) */
            if ((b & (1u << 5)) && (c1 & (1u << 27)) && (c1 & (1u << 28))) {
                unsigned xlo, xhi;
                __asm__ __volatile__("xgetbv" : "=a"(xlo), "=d"(xhi) : "c"(0));
                (void)xhi;
                if ((xlo & 6u) == 6u) f |= DX_CAS_CPU_AVX2;
                /* AVX-512F (EBX bit 16) and VL (bit 31), and the OS saves the ZMM state (XCR0 bits 5-7) */
                if ((xlo & 0xe6u) == 0xe6u && (b & (1u << 16)) && (b & (1u << 31))) f |= DX_CAS_CPU_AVX512;
            }
        }
    }
#endif
#if defined(DXI_CAS_ARM64)
#if defined(__ARM_FEATURE_SHA2) || defined(__ARM_FEATURE_CRYPTO) || defined(__APPLE__)
    f |= DX_CAS_CPU_ARM_SHA2;
#elif defined(DXI_CAS_ARM64_AUXV)
    if (getauxval(AT_HWCAP) & (1ul << 6)) f |= DX_CAS_CPU_ARM_SHA2; /* HWCAP_SHA2 */
#endif
#endif
    return f;
}

DX_CAS_API const char *dx_cas_alg_name(uint32_t alg) {
    return alg == DX_CAS_ALG_SHA256 ? "sha256" : alg == DX_CAS_ALG_BLAKE3 ? "blake3" : NULL;
}

/* the algorithms this build hashes with (ids of others still parse and format) */
DXI_PRIVATE bool dxi_cas_alg_built(uint32_t code) {
#if defined(DX_CAS_NO_BLAKE3)
    return code == DX_CAS_ALG_SHA256;
#else
    return code == DX_CAS_ALG_SHA256 || code == DX_CAS_ALG_BLAKE3;
#endif
}

DX_CAS_API dx_result dx_cas_hash_alg_init(dx_cas_hash_alg *alg, uint32_t code) {
    if (!alg) return DX_ERR_INVAL;
    code = DXI_DEF(code, (uint32_t)DX_CAS_ALG_SHA256);
    if (!dxi_cas_alg_built(code)) return DX_ERR_UNSUPPORTED;
    alg->alg = code;
    alg->cpu = dx_cas_cpu_detect();
    return DX_OK;
}

DX_CAS_API void dx_cas_sha256_init(dx_cas_sha256 *h, uint32_t cpu) {
    static const uint32_t iv[8] = {0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                                   0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u};
    DX_MEMCPY(h->state, iv, sizeof iv);
    h->total = 0;
    h->used = 0;
    h->impl = 0;
#if defined(DXI_CAS_X86)
    if (cpu & DX_CAS_CPU_SHA_NI) h->impl = DX_CAS_CPU_SHA_NI;
#endif
#if defined(DXI_CAS_ARM64)
    if (cpu & DX_CAS_CPU_ARM_SHA2) h->impl = DX_CAS_CPU_ARM_SHA2;
#endif
    (void)cpu;
}

DXI_PRIVATE void dxi_cas_sha256_blocks(dx_cas_sha256 *h, const uint8_t *p, size_t nblocks) {
#if defined(DXI_CAS_X86)
    if (h->impl == DX_CAS_CPU_SHA_NI) {
        dxi_cas_sha256_blocks_shani(h->state, p, nblocks);
        return;
    }
#endif
#if defined(DXI_CAS_ARM64)
    if (h->impl == DX_CAS_CPU_ARM_SHA2) {
        dxi_cas_sha256_blocks_arm(h->state, p, nblocks);
        return;
    }
#endif
    dxi_cas_sha256_blocks_c(h->state, p, nblocks);
}

DX_CAS_API void dx_cas_sha256_update(dx_cas_sha256 *h, const void *data, size_t len) {
    const uint8_t *p = (const uint8_t *)data;
    h->total += (uint64_t)len;
    if (h->used) {
        size_t take = 64 - (size_t)h->used;
        if (take > len) take = len;
        DX_MEMCPY(h->buf + h->used, p, take);
        h->used += (uint32_t)take;
        p += take, len -= take;
        if (h->used < 64) return;
        dxi_cas_sha256_blocks(h, h->buf, 1);
        h->used = 0;
    }
    if (len >= 64) {
        dxi_cas_sha256_blocks(h, p, len >> 6);
        p += len & ~(size_t)63;
        len &= 63;
    }
    if (len) {
        DX_MEMCPY(h->buf, p, len);
        h->used = (uint32_t)len;
    }
}

DX_CAS_API void dx_cas_sha256_final(dx_cas_sha256 *h, uint8_t out[32]) {
    uint64_t bits = h->total << 3;
    unsigned i;
    h->buf[h->used++] = 0x80;
    if (h->used > 56) {
        DX_MEMSET(h->buf + h->used, 0, 64 - h->used);
        dxi_cas_sha256_blocks(h, h->buf, 1);
        h->used = 0;
    }
    DX_MEMSET(h->buf + h->used, 0, 56 - h->used);
    dxi_cas_store_u32be(h->buf + 56, (uint32_t)(bits >> 32));
    dxi_cas_store_u32be(h->buf + 60, (uint32_t)bits);
    dxi_cas_sha256_blocks(h, h->buf, 1);
    for (i = 0; i < 8; i++) dxi_cas_store_u32be(out + 4 * i, h->state[i]);
    h->used = 0;
}

DX_CAS_API void dx_cas_sha256_digest(const void *data, size_t len, uint8_t out[32]) {
    dx_cas_sha256 h;
    dx_cas_sha256_init(&h, dx_cas_cpu_detect());
    dx_cas_sha256_update(&h, data, len);
    dx_cas_sha256_final(&h, out);
}

DX_CAS_API const char *dx_cas_sha256_impl_name(const dx_cas_sha256 *h) {
    if (h->impl == DX_CAS_CPU_SHA_NI) return "sha-ni";
    if (h->impl == DX_CAS_CPU_ARM_SHA2) return "armv8";
    return "portable";
}

/* ---- BLAKE3 (the BLAKE3 paper and specification, 2020) ---- */
#if !defined(DX_CAS_NO_BLAKE3)

enum {
    DXI_B3_CHUNK_START = 1,
    DXI_B3_CHUNK_END = 2,
    DXI_B3_PARENT = 4,
    DXI_B3_ROOT = 8,
    DXI_B3_KEYED_HASH = 16,
    DXI_B3_DERIVE_KEY_CONTEXT = 32,
    DXI_B3_DERIVE_KEY_MATERIAL = 64
};

static const uint32_t dxi_b3_iv[8] = {0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                                      0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u};
/* message word order of each of the 7 rounds (the permutation applied 0..6 times) */
static const uint8_t dxi_b3_sched[7][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},  {2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8},
    {3, 4, 10, 12, 13, 2, 7, 14, 6, 5, 9, 0, 11, 15, 8, 1},  {10, 7, 12, 9, 14, 3, 13, 15, 4, 0, 11, 2, 5, 8, 1, 6},
    {12, 13, 9, 11, 15, 10, 14, 8, 7, 2, 5, 3, 0, 1, 6, 4},  {9, 14, 11, 5, 8, 12, 15, 1, 13, 3, 0, 10, 2, 6, 4, 7},
    {11, 15, 5, 0, 1, 9, 8, 6, 14, 10, 2, 12, 3, 4, 7, 13}};

#define DXI_B3_ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define DXI_B3_G(a, b, c, d, x, y)                       \
    do {                                                 \
        s[a] = s[a] + s[b] + (x);                        \
        s[d] = DXI_B3_ROTR(s[d] ^ s[a], 16);             \
        s[c] = s[c] + s[d];                              \
        s[b] = DXI_B3_ROTR(s[b] ^ s[c], 12);             \
        s[a] = s[a] + s[b] + (y);                        \
        s[d] = DXI_B3_ROTR(s[d] ^ s[a], 8);              \
        s[c] = s[c] + s[d];                              \
        s[b] = DXI_B3_ROTR(s[b] ^ s[c], 7);              \
    } while (0)

/* out[0..7]: the new chaining value; out[8..15]: the rest of the extended output */
DXI_PRIVATE void dxi_b3_compress(const uint32_t cv[8], const uint8_t block[64], uint32_t block_len, uint64_t counter,
                                 uint32_t flags, uint32_t out[16]) {
    uint32_t m[16], s[16];
    unsigned i, r;
    for (i = 0; i < 16; i++) m[i] = dx_load_u32le(block + 4 * i);
    for (i = 0; i < 8; i++) s[i] = cv[i];
    s[8] = dxi_b3_iv[0], s[9] = dxi_b3_iv[1], s[10] = dxi_b3_iv[2], s[11] = dxi_b3_iv[3];
    s[12] = (uint32_t)counter, s[13] = (uint32_t)(counter >> 32), s[14] = block_len, s[15] = flags;
    for (r = 0; r < 7; r++) {
        const uint8_t *k = dxi_b3_sched[r];
        DXI_B3_G(0, 4, 8, 12, m[k[0]], m[k[1]]);
        DXI_B3_G(1, 5, 9, 13, m[k[2]], m[k[3]]);
        DXI_B3_G(2, 6, 10, 14, m[k[4]], m[k[5]]);
        DXI_B3_G(3, 7, 11, 15, m[k[6]], m[k[7]]);
        DXI_B3_G(0, 5, 10, 15, m[k[8]], m[k[9]]);
        DXI_B3_G(1, 6, 11, 12, m[k[10]], m[k[11]]);
        DXI_B3_G(2, 7, 8, 13, m[k[12]], m[k[13]]);
        DXI_B3_G(3, 4, 9, 14, m[k[14]], m[k[15]]);
    }
    for (i = 0; i < 8; i++) {
        out[i] = s[i] ^ s[i + 8];
        out[i + 8] = s[i + 8] ^ cv[i];
    }
}

DXI_PRIVATE void dxi_b3_init(dx_cas_blake3 *h, const uint32_t key[8], uint8_t flags) {
    DX_MEMCPY(h->key, key, sizeof h->key);
    DX_MEMCPY(h->cv, key, sizeof h->cv);
    h->chunk_counter = 0;
    h->block_len = h->blocks_compressed = h->stack_len = 0;
    h->flags = flags;
}

DX_CAS_API void dx_cas_blake3_init(dx_cas_blake3 *h, uint32_t cpu) {
    dxi_b3_init(h, dxi_b3_iv, 0);
    h->cpu = cpu;
}

DX_CAS_API void dx_cas_blake3_init_keyed(dx_cas_blake3 *h, const uint8_t key[32], uint32_t cpu) {
    uint32_t k[8];
    unsigned i;
    for (i = 0; i < 8; i++) k[i] = dx_load_u32le(key + 4 * i);
    dxi_b3_init(h, k, DXI_B3_KEYED_HASH);
    h->cpu = cpu;
}

DX_CAS_API void dx_cas_blake3_init_derive_key(dx_cas_blake3 *h, const void *context, size_t context_len, uint32_t cpu) {
    uint8_t ck[32];
    uint32_t k[8];
    unsigned i;
    dxi_b3_init(h, dxi_b3_iv, DXI_B3_DERIVE_KEY_CONTEXT);
    h->cpu = cpu;
    dx_cas_blake3_update(h, context, context_len);
    dx_cas_blake3_final(h, ck, sizeof ck);
    for (i = 0; i < 8; i++) k[i] = dx_load_u32le(ck + 4 * i);
    dxi_b3_init(h, k, DXI_B3_DERIVE_KEY_MATERIAL);
    h->cpu = cpu;
}

DXI_PRIVATE void dxi_b3_push_cv(dx_cas_blake3 *h, const uint32_t cv[8], uint64_t total_chunks) {
    uint8_t block[64];
    uint32_t out[16], cur[8];
    unsigned i;
    DX_MEMCPY(cur, cv, sizeof cur);
    while ((total_chunks & 1) == 0) { /* merge equal-sized subtrees, as a binary counter carries */
        DX_MEMCPY(block, h->stack[--h->stack_len], 32);
        for (i = 0; i < 8; i++) dx_store_u32le(block + 32 + 4 * i, cur[i]);
        dxi_b3_compress(h->key, block, 64, 0, (uint32_t)h->flags | DXI_B3_PARENT, out);
        DX_MEMCPY(cur, out, sizeof cur);
        total_chunks >>= 1;
    }
    for (i = 0; i < 8; i++) dx_store_u32le(h->stack[h->stack_len] + 4 * i, cur[i]);
    h->stack_len++;
}

#if defined(DXI_CAS_X86)
/* BLAKE3 on several inputs at once (AVX2: 8, AVX-512: 16): one 32-bit lane per input, the state and message
   words transposed across the lanes (the same compression function as dxi_b3_compress, computed side by side).
   An input is a chunk (16 blocks, its own counter, CHUNK_START/END) or a parent (1 block: two child CVs). */
#define DXI_B3_AVX2 __attribute__((target("avx2")))
#define DXI_B3_AVX512 __attribute__((target("avx2,avx512f,avx512vl")))
/* Fewer whole chunks than this (none the last) are hashed one by one: 8 lanes cost about what 2 chunks
   do alone. With fewer lanes than 8 a 16 KiB input (FastCDC's average chunk) takes 2 batches, not 1 and
   7 chunks alone: 0.91 -> 1.98 GB/s here (AVX-512VL), 64 KiB 1.71 -> 2.31. */
#define DXI_B3_LANES_MIN 3u
/* Each lane's input 2 blocks ahead: 16 streams 1 KiB apart are more than the hardware prefetcher follows
   (256 MiB from memory, AVX-512: 2.68 -> 3.54 GB/s; 4 blocks ahead 3.30, 1 block 2.72). Integer arithmetic:
   the address may lie past the input (a prefetch never faults). */
#define DXI_B3_PREFETCH(p) _mm_prefetch((const char *)((uintptr_t)(p) + 128u), _MM_HINT_T0)
/* the kernels' helpers, inlined: their arrays stay in registers */
#define DXI_B3_INLINE static inline __attribute__((always_inline, unused))
/* Fewer parents than this at one tree level are compressed one by one (what a batch costs, about). */
#define DXI_B3_PARENTS_MIN 2u

typedef struct dxi_b3_batch {
    const uint8_t *in;     /* lane i's input: in + i * stride */
    size_t stride;
    unsigned lanes;        /* 1..16 */
    unsigned blocks;       /* 64-byte blocks of each lane: 16 (chunks) or 1 (parents) */
    unsigned last_len;     /* the last lane's bytes, 1..64 * blocks: a one-shot hash's last chunk may be short */
    int chunks;            /* 1: chunks, lane i's counter counter + i; 0: parents, counter 0 */
    uint64_t counter;
    uint32_t flags;        /* the mode's flags, and DXI_B3_PARENT for parents */
    const uint32_t *key;
} dxi_b3_batch;

/* Where block b of each of `width` lanes is (lanes past the batch repeat lane 0). Returns 0 when every lane
   takes a whole block with flags *same; 1 at the end of a short last lane: len, flag and live (~0: the lane
   still runs) are then per lane, and the last lane's short block is zero-padded into pad. */
DXI_B3_INLINE int dxi_b3_lanes_at(const dxi_b3_batch *j, unsigned b, unsigned width, uint8_t pad[64],
                                  const uint8_t *at[16], uint32_t len[16], uint32_t flag[16], uint32_t live[16],
                                  uint32_t *same) {
    unsigned i, last = j->lanes - 1, last_blocks = (j->last_len + 63u) / 64u;
    uint32_t start = j->chunks && b == 0 ? (uint32_t)DXI_B3_CHUNK_START : 0u;
    int ragged = b + 1 >= last_blocks && j->last_len < 64u * j->blocks;
    for (i = 0; i < j->lanes; i++) at[i] = j->in + j->stride * i + 64u * b;
    *same = j->flags | start | (j->chunks && b + 1 == j->blocks ? (uint32_t)DXI_B3_CHUNK_END : 0u);
    if (ragged) {
        for (i = 0; i < last; i++) len[i] = 64, flag[i] = *same, live[i] = ~0u;
        len[last] = 0, flag[last] = 0, live[last] = 0; /* past its end: at pad, and the result is dropped */
        if (b < last_blocks) {
            len[last] = j->last_len - 64u * b;
            flag[last] = j->flags | start | (j->chunks ? (uint32_t)DXI_B3_CHUNK_END : 0u);
            live[last] = ~0u;
        }
        if (len[last] < 64) {
            DX_MEMSET(pad, 0, 64);
            DX_MEMCPY(pad, at[last], len[last]);
            at[last] = pad;
        }
        for (i = j->lanes; i < width; i++) len[i] = len[0], flag[i] = flag[0], live[i] = live[0];
    }
    for (i = j->lanes; i < width; i++) at[i] = at[0];
    return ragged;
}

DXI_B3_AVX2 DXI_B3_INLINE void dxi_b3_transpose8(__m256i v[8]) {
    __m256i ab0 = _mm256_unpacklo_epi32(v[0], v[1]), ab2 = _mm256_unpackhi_epi32(v[0], v[1]);
    __m256i cd0 = _mm256_unpacklo_epi32(v[2], v[3]), cd2 = _mm256_unpackhi_epi32(v[2], v[3]);
    __m256i ef0 = _mm256_unpacklo_epi32(v[4], v[5]), ef2 = _mm256_unpackhi_epi32(v[4], v[5]);
    __m256i gh0 = _mm256_unpacklo_epi32(v[6], v[7]), gh2 = _mm256_unpackhi_epi32(v[6], v[7]);
    __m256i abcd0 = _mm256_unpacklo_epi64(ab0, cd0), abcd1 = _mm256_unpackhi_epi64(ab0, cd0);
    __m256i abcd2 = _mm256_unpacklo_epi64(ab2, cd2), abcd3 = _mm256_unpackhi_epi64(ab2, cd2);
    __m256i efgh0 = _mm256_unpacklo_epi64(ef0, gh0), efgh1 = _mm256_unpackhi_epi64(ef0, gh0);
    __m256i efgh2 = _mm256_unpacklo_epi64(ef2, gh2), efgh3 = _mm256_unpackhi_epi64(ef2, gh2);
    v[0] = _mm256_permute2x128_si256(abcd0, efgh0, 0x20);
    v[4] = _mm256_permute2x128_si256(abcd0, efgh0, 0x31);
    v[1] = _mm256_permute2x128_si256(abcd1, efgh1, 0x20);
    v[5] = _mm256_permute2x128_si256(abcd1, efgh1, 0x31);
    v[2] = _mm256_permute2x128_si256(abcd2, efgh2, 0x20);
    v[6] = _mm256_permute2x128_si256(abcd2, efgh2, 0x31);
    v[3] = _mm256_permute2x128_si256(abcd3, efgh3, 0x20);
    v[7] = _mm256_permute2x128_si256(abcd3, efgh3, 0x31);
}

#define DXI_B3_ROT8(x, r) _mm256_or_si256(_mm256_srli_epi32(x, r), _mm256_slli_epi32(x, 32 - (r)))
#define DXI_B3_G8(ROT, a, b, c, d, x, y)                                                  \
    do {                                                                                  \
        v[a] = _mm256_add_epi32(_mm256_add_epi32(v[a], v[b]), x);                         \
        v[d] = _mm256_shuffle_epi8(_mm256_xor_si256(v[d], v[a]), rot16);                  \
        v[c] = _mm256_add_epi32(v[c], v[d]);                                              \
        v[b] = ROT(_mm256_xor_si256(v[b], v[c]), 12);                                     \
        v[a] = _mm256_add_epi32(_mm256_add_epi32(v[a], v[b]), y);                         \
        v[d] = _mm256_shuffle_epi8(_mm256_xor_si256(v[d], v[a]), rot8);                   \
        v[c] = _mm256_add_epi32(v[c], v[d]);                                              \
        v[b] = ROT(_mm256_xor_si256(v[b], v[c]), 7);                                      \
    } while (0)

/* The 7 rounds with the message words in each round's order (the rows of dxi_b3_sched, written out so that
   the kernels index their message registers with constants: 5% faster); G(a, b, c, d, x, y) mixes one column
   or diagonal. Unoptimized builds loop over the rows: there every copy has temporaries of its own (the 16-lane
   kernel's frame with gcc -O0 94 KiB, not 21). */
#define DXI_B3_ROUND(G, m, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15) \
    do {                                                                                         \
        G(0, 4, 8, 12, m[a0], m[a1]);                                                            \
        G(1, 5, 9, 13, m[a2], m[a3]);                                                            \
        G(2, 6, 10, 14, m[a4], m[a5]);                                                           \
        G(3, 7, 11, 15, m[a6], m[a7]);                                                           \
        G(0, 5, 10, 15, m[a8], m[a9]);                                                           \
        G(1, 6, 11, 12, m[a10], m[a11]);                                                         \
        G(2, 7, 8, 13, m[a12], m[a13]);                                                          \
        G(3, 4, 9, 14, m[a14], m[a15]);                                                          \
    } while (0)
#if defined(__OPTIMIZE__)
#define DXI_B3_ROUNDS(G, m)                                                           \
    do {                                                                              \
        DXI_B3_ROUND(G, m, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);     \
        DXI_B3_ROUND(G, m, 2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8);     \
        DXI_B3_ROUND(G, m, 3, 4, 10, 12, 13, 2, 7, 14, 6, 5, 9, 0, 11, 15, 8, 1);     \
        DXI_B3_ROUND(G, m, 10, 7, 12, 9, 14, 3, 13, 15, 4, 0, 11, 2, 5, 8, 1, 6);     \
        DXI_B3_ROUND(G, m, 12, 13, 9, 11, 15, 10, 14, 8, 7, 2, 5, 3, 0, 1, 6, 4);     \
        DXI_B3_ROUND(G, m, 9, 14, 11, 5, 8, 12, 15, 1, 13, 3, 0, 10, 2, 6, 4, 7);     \
        DXI_B3_ROUND(G, m, 11, 15, 5, 0, 1, 9, 8, 6, 14, 10, 2, 12, 3, 4, 7, 13);     \
    } while (0)
#else
#define DXI_B3_ROUNDS(G, m)                                                                                  \
    do {                                                                                                     \
        unsigned r_;                                                                                         \
        for (r_ = 0; r_ < 7; r_++) {                                                                         \
            const uint8_t *k_ = dxi_b3_sched[r_];                                                            \
            DXI_B3_ROUND(G, m, k_[0], k_[1], k_[2], k_[3], k_[4], k_[5], k_[6], k_[7], k_[8], k_[9], k_[10], \
                         k_[11], k_[12], k_[13], k_[14], k_[15]);                                            \
        }                                                                                                    \
    } while (0)
#endif
#define DXI_B3_G8_AVX2(a, b, c, d, x, y) DXI_B3_G8(DXI_B3_ROT8, a, b, c, d, x, y)
#define DXI_B3_G8_AVX512(a, b, c, d, x, y) DXI_B3_G8(DXI_B3_ROR, a, b, c, d, x, y) /* VL: one-instruction rotations */
#define DXI_B3_ROR(x, r) _mm256_ror_epi32(x, r)

/* the chaining values of a batch of up to 8 lanes (G: DXI_B3_G8 with the rotation the CPU has) */
#define DXI_B3_HASH8_DEF(NAME, ATTR, G) \
ATTR DXI_PRIVATE void NAME(const dxi_b3_batch *j, uint8_t *out) {                                                   \
    const __m256i rot16 = _mm256_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1, 6, 7, 4,    \
                                           5, 10, 11, 8, 9, 14, 15, 12, 13);                                             \
    const __m256i rot8 = _mm256_setr_epi8(1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12, 1, 2, 3, 0, 5, 6, 7, 4,  \
                                          9, 10, 11, 8, 13, 14, 15, 12);                                                 \
    __m256i h[8], v[16], m[16], clo, chi;                                                                                \
    uint32_t lo[8], hi[8], len[16], flag[16], live[16], same;                                                            \
    const uint8_t *at[16];                                                                                               \
    uint8_t pad[64];                                                                                                     \
    unsigned i, b, blocks = j->lanes > 1 ? j->blocks : (j->last_len + 63u) / 64u;                                     \
    for (i = 0; i < 8; i++) {                                                                                            \
        uint64_t c = j->counter + (j->chunks ? i : 0u);                                                                  \
        h[i] = _mm256_set1_epi32((int)j->key[i]);                                                                        \
        lo[i] = (uint32_t)c, hi[i] = (uint32_t)(c >> 32);                                                                \
    }                                                                                                                    \
    clo = _mm256_loadu_si256((const __m256i *)(const void *)lo);                                                         \
    chi = _mm256_loadu_si256((const __m256i *)(const void *)hi);                                                         \
    for (b = 0; b < blocks; b++) {                                                                                       \
        int ragged = dxi_b3_lanes_at(j, b, 8, pad, at, len, flag, live, &same);                                          \
        for (i = 0; i < 8; i++) { /* word w of lane i = word w of lane i's block b */                                    \
            m[i] = _mm256_loadu_si256((const __m256i *)(const void *)at[i]);                                             \
            m[i + 8] = _mm256_loadu_si256((const __m256i *)(const void *)(at[i] + 32));                                  \
            DXI_B3_PREFETCH(at[i]);                                                                                      \
        }                                                                                                                \
        dxi_b3_transpose8(m);                                                                                            \
        dxi_b3_transpose8(m + 8);                                                                                        \
        for (i = 0; i < 8; i++) v[i] = h[i];                                                                             \
        for (i = 0; i < 4; i++) v[8 + i] = _mm256_set1_epi32((int)dxi_b3_iv[i]);                                         \
        v[12] = clo, v[13] = chi;                                                                                        \
        v[14] = ragged ? _mm256_loadu_si256((const __m256i *)(const void *)len) : _mm256_set1_epi32(64);                 \
        v[15] = ragged ? _mm256_loadu_si256((const __m256i *)(const void *)flag) : _mm256_set1_epi32((int)same);         \
        DXI_B3_ROUNDS(G, m);                                                                                             \
        if (!ragged) {                                                                                                   \
            for (i = 0; i < 8; i++) h[i] = _mm256_xor_si256(v[i], v[i + 8]);                                             \
        } else { /* a lane past its end keeps its chaining value */                                                      \
            __m256i keep = _mm256_loadu_si256((const __m256i *)(const void *)live);                                      \
            for (i = 0; i < 8; i++) h[i] = _mm256_blendv_epi8(h[i], _mm256_xor_si256(v[i], v[i + 8]), keep);             \
        }                                                                                                                \
    }                                                                                                                    \
    dxi_b3_transpose8(h); /* lane i's words: input i's chaining value */                                                 \
    for (i = 0; i < j->lanes; i++) {                                                                                     \
        uint32_t w[8];                                                                                                   \
        unsigned k2;                                                                                                     \
        _mm256_storeu_si256((__m256i *)(void *)w, h[i]);                                                                 \
        for (k2 = 0; k2 < 8; k2++) dx_store_u32le(out + 32 * i + 4 * k2, w[k2]);                                               \
    }                                                                                                                    \
}
DXI_B3_HASH8_DEF(dxi_b3_hash8_avx2, DXI_B3_AVX2, DXI_B3_G8_AVX2)
DXI_B3_HASH8_DEF(dxi_b3_hash8_avx512, DXI_B3_AVX512, DXI_B3_G8_AVX512)

/* 16 rows of 16 words -> 16 columns: 4x4 transposes inside each 128-bit quarter (rows 4g..4g+3: t[4g + q]
   holds, per quarter, word q of the quarter in the 4 rows), then of the quarters (word 4p + q: quarter p of
   t[q], t[4 + q], t[8 + q], t[12 + q]). Written out, not looped: gcc -O2 would keep t in memory. */
#define DXI_B3_T16_ROWS(g)                                                                              \
    do {                                                                                                \
        __m512i a_ = _mm512_unpacklo_epi32(v[4 * g], v[4 * g + 1]), b_ = _mm512_unpackhi_epi32(v[4 * g], v[4 * g + 1]); \
        __m512i c_ = _mm512_unpacklo_epi32(v[4 * g + 2], v[4 * g + 3]);                                \
        __m512i d_ = _mm512_unpackhi_epi32(v[4 * g + 2], v[4 * g + 3]);                                \
        t[4 * g] = _mm512_unpacklo_epi64(a_, c_), t[4 * g + 1] = _mm512_unpackhi_epi64(a_, c_);        \
        t[4 * g + 2] = _mm512_unpacklo_epi64(b_, d_), t[4 * g + 3] = _mm512_unpackhi_epi64(b_, d_);    \
    } while (0)
#define DXI_B3_T16_QUARTERS(q)                                                                          \
    do {                                                                                                \
        __m512i s0_ = _mm512_shuffle_i32x4(t[q], t[4 + q], 0x44), s1_ = _mm512_shuffle_i32x4(t[q], t[4 + q], 0xee); \
        __m512i s2_ = _mm512_shuffle_i32x4(t[8 + q], t[12 + q], 0x44);                                 \
        __m512i s3_ = _mm512_shuffle_i32x4(t[8 + q], t[12 + q], 0xee);                                 \
        v[q] = _mm512_shuffle_i32x4(s0_, s2_, 0x88), v[4 + q] = _mm512_shuffle_i32x4(s0_, s2_, 0xdd);  \
        v[8 + q] = _mm512_shuffle_i32x4(s1_, s3_, 0x88), v[12 + q] = _mm512_shuffle_i32x4(s1_, s3_, 0xdd); \
    } while (0)
DXI_B3_AVX512 DXI_B3_INLINE void dxi_b3_transpose16(__m512i v[16]) {
    __m512i t[16];
    DXI_B3_T16_ROWS(0);
    DXI_B3_T16_ROWS(1);
    DXI_B3_T16_ROWS(2);
    DXI_B3_T16_ROWS(3);
    DXI_B3_T16_QUARTERS(0);
    DXI_B3_T16_QUARTERS(1);
    DXI_B3_T16_QUARTERS(2);
    DXI_B3_T16_QUARTERS(3);
}

#define DXI_B3_G16(a, b, c, d, x, y)                                                      \
    do {                                                                                  \
        v[a] = _mm512_add_epi32(_mm512_add_epi32(v[a], v[b]), x);                         \
        v[d] = _mm512_ror_epi32(_mm512_xor_si512(v[d], v[a]), 16);                        \
        v[c] = _mm512_add_epi32(v[c], v[d]);                                              \
        v[b] = _mm512_ror_epi32(_mm512_xor_si512(v[b], v[c]), 12);                        \
        v[a] = _mm512_add_epi32(_mm512_add_epi32(v[a], v[b]), y);                         \
        v[d] = _mm512_ror_epi32(_mm512_xor_si512(v[d], v[a]), 8);                         \
        v[c] = _mm512_add_epi32(v[c], v[d]);                                              \
        v[b] = _mm512_ror_epi32(_mm512_xor_si512(v[b], v[c]), 7);                         \
    } while (0)

/* the chaining values of a batch of up to 16 lanes, in 512-bit registers */
DXI_B3_AVX512 DXI_PRIVATE void dxi_b3_hash16_avx512(const dxi_b3_batch *j, uint8_t *out) {
    __m512i h[8], v[16], m[16], clo, chi;
    uint32_t lo[16], hi[16], len[16], flag[16], live[16], same, w[8][16];
    const uint8_t *at[16];
    uint8_t pad[64];
    unsigned i, b, blocks = j->lanes > 1 ? j->blocks : (j->last_len + 63u) / 64u;
    for (i = 0; i < 16; i++) {
        uint64_t c = j->counter + (j->chunks ? i : 0u);
        lo[i] = (uint32_t)c, hi[i] = (uint32_t)(c >> 32);
    }
    for (i = 0; i < 8; i++) h[i] = _mm512_set1_epi32((int)j->key[i]);
    clo = _mm512_loadu_si512((const void *)lo);
    chi = _mm512_loadu_si512((const void *)hi);
    for (b = 0; b < blocks; b++) {
        int ragged = dxi_b3_lanes_at(j, b, 16, pad, at, len, flag, live, &same);
        for (i = 0; i < 16; i++) {
            m[i] = _mm512_loadu_si512((const void *)at[i]);
            DXI_B3_PREFETCH(at[i]);
        }
        dxi_b3_transpose16(m); /* m[w]: word w of every lane's block */
        for (i = 0; i < 8; i++) v[i] = h[i];
        for (i = 0; i < 4; i++) v[8 + i] = _mm512_set1_epi32((int)dxi_b3_iv[i]);
        v[12] = clo, v[13] = chi;
        v[14] = ragged ? _mm512_loadu_si512((const void *)len) : _mm512_set1_epi32(64);
        v[15] = ragged ? _mm512_loadu_si512((const void *)flag) : _mm512_set1_epi32((int)same);
        DXI_B3_ROUNDS(DXI_B3_G16, m);
        if (!ragged) {
            for (i = 0; i < 8; i++) h[i] = _mm512_xor_si512(v[i], v[i + 8]);
        } else { /* a lane past its end keeps its chaining value */
            __mmask16 keep = 0;
            for (i = 0; i < 16; i++) keep = (__mmask16)(keep | (live[i] ? 1u << i : 0u));
            for (i = 0; i < 8; i++) h[i] = _mm512_mask_blend_epi32(keep, h[i], _mm512_xor_si512(v[i], v[i + 8]));
        }
    }
    for (i = 0; i < 8; i++) _mm512_storeu_si512((void *)w[i], h[i]);
    for (i = 0; i < j->lanes; i++) {
        unsigned k2;
        for (k2 = 0; k2 < 8; k2++) dx_store_u32le(out + 32 * i + 4 * k2, w[k2][i]);
    }
}

/* A batch through the widest kernel there is (16 lanes only with AVX-512; callers keep to 8 without it). */
DXI_PRIVATE void dxi_b3_hash_batch(uint32_t cpu, const dxi_b3_batch *j, uint8_t *out) {
    if (!(cpu & DX_CAS_CPU_AVX512)) dxi_b3_hash8_avx2(j, out);
    else if (j->lanes > 8) dxi_b3_hash16_avx512(j, out);
    else dxi_b3_hash8_avx512(j, out); /* 8 lanes or fewer: half the width costs less */
}

/* CV i = parent(CV 2i, CV 2i + 1) for i < pairs, CVs 32 bytes apart (a parent's block: its two children) */
DXI_PRIVATE void dxi_b3_parents(const dx_cas_blake3 *h, uint8_t *cvs, unsigned pairs) {
    uint32_t flags = (uint32_t)h->flags | DXI_B3_PARENT;
    if (pairs >= DXI_B3_PARENTS_MIN) {
        dxi_b3_batch j;
        j.in = cvs, j.stride = 64, j.lanes = pairs, j.blocks = 1, j.last_len = 64, j.chunks = 0, j.counter = 0;
        j.flags = flags, j.key = h->key;
        dxi_b3_hash_batch(h->cpu, &j, cvs); /* in place: a kernel reads its lanes before it writes */
    } else {
        uint32_t out[16];
        unsigned i, k;
        for (i = 0; i < pairs; i++) {
            dxi_b3_compress(h->key, cvs + 64 * i, 64, 0, flags, out);
            for (k = 0; k < 8; k++) dx_store_u32le(cvs + 32 * i + 4 * k, out[k]);
        }
    }
}

/* The CVs of n chunks from h->chunk_counter on, more input after them: each aligned run of 2^e chunks is a
   whole subtree, reduced level by level in batches and pushed as one entry (the tree a chunk at a time gives). */
DXI_PRIVATE void dxi_b3_push_cvs(dx_cas_blake3 *h, uint8_t *cvs, unsigned n) {
    unsigned i = 0, e, m, k;
    while (i < n) {
        uint32_t w[8];
        uint64_t c = h->chunk_counter;
        for (e = 0; (c & ((2u << e) - 1u)) == 0 && i + (2u << e) <= n; e++) {}
        for (m = 1u << e; m > 1; m /= 2) dxi_b3_parents(h, cvs + 32 * i, m / 2);
        for (k = 0; k < 8; k++) w[k] = dx_load_u32le(cvs + 32 * i + 4 * k);
        dxi_b3_push_cv(h, w, (c + (1u << e)) >> e); /* a 2^e-chunk subtree carries like one chunk e levels up */
        h->chunk_counter += 1u << e, i += 1u << e;
    }
}

/* n whole chunks at h's chunk boundary, and more input after them: up to 16 (AVX2: 8) at a time (cvs: room
   for 16 CVs, the caller's: one buffer on the stack, not two) */
DXI_PRIVATE void dxi_b3_add_chunks(dx_cas_blake3 *h, const uint8_t *p, size_t n, uint8_t *cvs) {
    unsigned width = (h->cpu & DX_CAS_CPU_AVX512) ? 16u : 8u;
    while (n > 0) {
        dxi_b3_batch j;
        j.in = p, j.stride = 1024, j.lanes = n > width ? width : (unsigned)n, j.blocks = 16, j.last_len = 1024;
        j.chunks = 1, j.counter = h->chunk_counter, j.flags = h->flags, j.key = h->key;
        dxi_b3_hash_batch(h->cpu, &j, cvs);
        dxi_b3_push_cvs(h, cvs, j.lanes);
        p += (size_t)j.lanes * 1024u, n -= j.lanes;
    }
}
#endif /* DXI_CAS_X86 */

DX_CAS_API void dx_cas_blake3_update(dx_cas_blake3 *h, const void *data, size_t len) {
    const uint8_t *p = (const uint8_t *)data;
    uint32_t out[16];
    while (len > 0) {
        if (h->blocks_compressed == 15 && h->block_len == 64) { /* a full chunk, and more input: finish it */
            dxi_b3_compress(h->cv, h->block, 64, h->chunk_counter, (uint32_t)h->flags | DXI_B3_CHUNK_END, out);
            dxi_b3_push_cv(h, out, h->chunk_counter + 1);
            DX_MEMCPY(h->cv, h->key, sizeof h->cv);
            h->chunk_counter++;
            h->block_len = h->blocks_compressed = 0;
        }
#if defined(DXI_CAS_X86)
        if ((h->cpu & DX_CAS_CPU_AVX2) && h->block_len == 0 && h->blocks_compressed == 0 && len > DXI_B3_LANES_MIN * 1024u) {
            size_t n = (len - 1) / 1024u, width = (h->cpu & DX_CAS_CPU_AVX512) ? 16u : 8u; /* whole chunks, none the last */
            uint8_t cvs[16 * 32];
            if (n > width) n = width;
            dxi_b3_add_chunks(h, p, n, cvs);
            p += n * 1024u, len -= n * 1024u;
            continue;
        }
#endif
        if (h->block_len == 64) { /* a full block, and more input: not the chunk's last */
            uint32_t f = (uint32_t)h->flags | (h->blocks_compressed == 0 ? (uint32_t)DXI_B3_CHUNK_START : 0u);
            dxi_b3_compress(h->cv, h->block, 64, h->chunk_counter, f, out);
            DX_MEMCPY(h->cv, out, sizeof h->cv);
            h->blocks_compressed++;
            h->block_len = 0;
        }
        if (h->block_len == 0 && len > 64 && h->blocks_compressed < 15) { /* whole blocks straight from the input */
            uint32_t f = (uint32_t)h->flags | (h->blocks_compressed == 0 ? (uint32_t)DXI_B3_CHUNK_START : 0u);
            dxi_b3_compress(h->cv, p, 64, h->chunk_counter, f, out);
            DX_MEMCPY(h->cv, out, sizeof h->cv);
            h->blocks_compressed++;
            p += 64, len -= 64;
            continue;
        }
        {
            size_t take = 64u - h->block_len;
            if (take > len) take = len;
            DX_MEMCPY(h->block + h->block_len, p, take);
            h->block_len = (uint8_t)(h->block_len + take);
            p += take, len -= take;
        }
    }
}

/* The output of the last node h has (a chunk's last block, or a parent) once the stack's subtrees are put on
   its left, up the tree: the root's output, as many 64-byte blocks as asked for. */
DXI_PRIVATE void dxi_b3_output(const dx_cas_blake3 *h, const uint32_t node_cv[8], const uint8_t node_block[64],
                               uint32_t block_len, uint64_t t, uint32_t flags, uint8_t *out, size_t out_len) {
    uint8_t block[64];
    uint32_t cv[8], words[16];
    unsigned i, level;
    DX_MEMCPY(cv, node_cv, sizeof cv);
    DX_MEMCPY(block, node_block, sizeof block);
    for (level = h->stack_len; level > 0; level--) {
        uint8_t pb[64];
        dxi_b3_compress(cv, block, block_len, t, flags, words);
        DX_MEMCPY(pb, h->stack[level - 1], 32);
        for (i = 0; i < 8; i++) dx_store_u32le(pb + 32 + 4 * i, words[i]);
        DX_MEMCPY(cv, h->key, sizeof cv);
        DX_MEMCPY(block, pb, 64);
        block_len = 64, t = 0, flags = (uint32_t)h->flags | DXI_B3_PARENT;
    }
    for (t = 0; out_len > 0; t++) { /* the root: as many 64-byte output blocks as asked for */
        uint8_t ob[64];
        size_t take = out_len < 64 ? out_len : 64;
        dxi_b3_compress(cv, block, block_len, t, flags | DXI_B3_ROOT, words);
        for (i = 0; i < 16; i++) dx_store_u32le(ob + 4 * i, words[i]);
        DX_MEMCPY(out, ob, take);
        out += take, out_len -= take;
    }
}

DX_CAS_API void dx_cas_blake3_final(const dx_cas_blake3 *h, uint8_t *out, size_t out_len) {
    uint8_t block[64];
    DX_MEMSET(block, 0, sizeof block);
    DX_MEMCPY(block, h->block, h->block_len); /* the current chunk's last block */
    dxi_b3_output(h, h->cv, block, h->block_len, h->chunk_counter,
                  (uint32_t)h->flags | DXI_B3_CHUNK_END | (h->blocks_compressed == 0 ? (uint32_t)DXI_B3_CHUNK_START : 0u),
                  out, out_len);
}

/* All of an input at once into a new h: with the whole input known, its last chunk, short or whole, goes
   through the kernel with the ones before it (update cannot: more may follow). */
DXI_PRIVATE void dxi_b3_oneshot(dx_cas_blake3 *h, const uint8_t *p, size_t len, uint8_t out[32]) {
#if defined(DXI_CAS_X86)
    size_t chunks = len / 1024u + (len % 1024u != 0), width = (h->cpu & DX_CAS_CPU_AVX512) ? 16u : 8u;
    size_t head = chunks > 1 ? (chunks - 1) / width * width : 0; /* whole batches, then 1..width chunks */
    /* a tail under 2 KiB costs less one chunk at a time (1500 bytes, AVX2: 0.45 GB/s in a batch, 0.56 alone) */
    if ((h->cpu & DX_CAS_CPU_AVX2) && len - head * 1024u >= 2048u) {
        uint8_t cvs[16 * 32];
        dxi_b3_batch j;
        unsigned n;
        dxi_b3_add_chunks(h, p, head, cvs);
        j.in = p + head * 1024u, j.stride = 1024, j.lanes = (unsigned)(chunks - head), j.blocks = 16;
        j.last_len = (unsigned)(len - (chunks - 1) * 1024u), j.chunks = 1, j.counter = h->chunk_counter;
        j.flags = h->flags, j.key = h->key;
        dxi_b3_hash_batch(h->cpu, &j, cvs);
        for (n = j.lanes; n > 2; n = n / 2 + n % 2) { /* pairs level by level; an odd one out goes up as it is */
            dxi_b3_parents(h, cvs, n / 2);
            if (n % 2) DX_MEMCPY(cvs + 32 * (n / 2), cvs + 32 * (n - 1), 32);
        }
        dxi_b3_output(h, h->key, cvs, 64, 0, (uint32_t)h->flags | DXI_B3_PARENT, out, 32); /* the last two CVs' parent */
        return;
    }
#endif
    dx_cas_blake3_update(h, p, len);
    dx_cas_blake3_final(h, out, 32);
}

DX_CAS_API void dx_cas_blake3_digest(const void *data, size_t len, uint8_t out[32]) {
    dx_cas_blake3 h;
    dx_cas_blake3_init(&h, dx_cas_cpu_detect());
    dxi_b3_oneshot(&h, (const uint8_t *)data, len, out);
}
#endif /* DX_CAS_NO_BLAKE3 */

/* ---- either algorithm: the running state of one hash ---- */

DX_CAS_API void dx_cas_hasher_init(dx_cas_hasher *h, const dx_cas_hash_alg *alg) {
    DX_ASSERT(dxi_cas_alg_built(alg->alg));
    h->alg = alg->alg;
#if !defined(DX_CAS_NO_BLAKE3)
    if (h->alg == DX_CAS_ALG_BLAKE3) {
        dx_cas_blake3_init(&h->u.blake3, alg->cpu);
        return;
    }
#endif
    dx_cas_sha256_init(&h->u.sha256, alg->cpu);
}

DX_CAS_API void dx_cas_hasher_update(dx_cas_hasher *h, const void *data, size_t len) {
#if !defined(DX_CAS_NO_BLAKE3)
    if (h->alg == DX_CAS_ALG_BLAKE3) {
        dx_cas_blake3_update(&h->u.blake3, data, len);
        return;
    }
#endif
    dx_cas_sha256_update(&h->u.sha256, data, len);
}

DX_CAS_API void dx_cas_hasher_final(dx_cas_hasher *h, uint8_t out[32]) {
#if !defined(DX_CAS_NO_BLAKE3)
    if (h->alg == DX_CAS_ALG_BLAKE3) {
        dx_cas_blake3_final(&h->u.blake3, out, 32);
        return;
    }
#endif
    dx_cas_sha256_final(&h->u.sha256, out);
}

/* ---- ids ---- */

DX_CAS_API void dx_cas_id_hash(const dx_cas_hash_alg *alg, const void *data, size_t len, dx_cas_id *out) {
    dx_cas_hasher h;
#if !defined(DX_CAS_NO_BLAKE3)
    if (alg->alg == DX_CAS_ALG_BLAKE3) { /* the whole input at once: its last chunk in a batch too */
        dx_cas_blake3_init(&h.u.blake3, alg->cpu);
        dxi_b3_oneshot(&h.u.blake3, (const uint8_t *)data, len, out->digest);
        out->alg = alg->alg;
        return;
    }
#endif
    dx_cas_hasher_init(&h, alg);
    dx_cas_hasher_update(&h, data, len);
    dx_cas_hasher_final(&h, out->digest);
    out->alg = alg->alg;
}

/* true if the n bytes at p are all zero: the first is, and each equals the one before (memcmp runs at memory
   speed, and stops at the first other byte) */
DXI_PRIVATE bool dxi_cas_all_zero(const uint8_t *p, size_t n) { return n == 0 || (p[0] == 0 && DX_MEMCMP(p, p + 1, n - 1) == 0); }

DX_CAS_API void dx_cas_id_hash_memo(const dx_cas_hash_alg *alg, dx_cas_zero_memo *memo, const void *data, size_t len,
                                    dx_cas_id *out) {
    bool zero = len >= 4096 && dxi_cas_all_zero((const uint8_t *)data, len);
    if (zero && memo->len == len && memo->id.alg == alg->alg) {
        *out = memo->id;
        return;
    }
    dx_cas_id_hash(alg, data, len, out);
    if (zero) memo->len = len, memo->id = *out;
}

DX_CAS_API bool dx_cas_id_equal(const dx_cas_id *a, const dx_cas_id *b) {
    return a->alg == b->alg && DX_MEMCMP(a->digest, b->digest, DX_CAS_HASH_SIZE) == 0;
}

DX_CAS_API int64_t dx_cas_id_encode(const dx_cas_id *id, uint8_t *out, size_t cap) {
    if (!dx_cas_alg_name(id->alg)) return DX_ERR_UNSUPPORTED;
    if (cap < DX_CAS_ID_SIZE) return DX_ERR_NOSPACE;
    out[DX_CAS_ID_OFF_CODE] = (uint8_t)id->alg;
    out[DX_CAS_ID_OFF_LENGTH] = DX_CAS_HASH_SIZE;
    DX_MEMCPY(out + DX_CAS_ID_OFF_DIGEST, id->digest, DX_CAS_HASH_SIZE);
    return DX_CAS_ID_SIZE;
}

DX_CAS_API int64_t dx_cas_id_decode(const uint8_t *buf, size_t len, dx_cas_id *out) {
    if (len <= DX_CAS_ID_OFF_CODE) return DX_ERR_TRUNCATED;
    if (!dx_cas_alg_name(buf[DX_CAS_ID_OFF_CODE])) return DX_ERR_UNSUPPORTED; /* also every multi-byte varint code */
    if (len <= DX_CAS_ID_OFF_LENGTH) return DX_ERR_TRUNCATED;
    if (buf[DX_CAS_ID_OFF_LENGTH] != DX_CAS_HASH_SIZE) return DX_ERR_CORRUPT;
    if (len < DX_CAS_ID_SIZE) return DX_ERR_TRUNCATED;
    out->alg = buf[DX_CAS_ID_OFF_CODE];
    DX_MEMCPY(out->digest, buf + DX_CAS_ID_OFF_DIGEST, DX_CAS_HASH_SIZE);
    return DX_CAS_ID_SIZE;
}

DX_CAS_API int64_t dx_cas_id_format(const dx_cas_id *id, char *out, size_t cap) {
    static const char hex[] = "0123456789abcdef";
    const char *name = dx_cas_alg_name(id->alg);
    size_t n = 0, i;
    if (!name) return DX_ERR_UNSUPPORTED;
    if (cap < DX_CAS_ID_TEXT_SIZE) return DX_ERR_NOSPACE;
    while (name[n]) out[n] = name[n], n++;
    out[n++] = '-';
    for (i = 0; i < DX_CAS_HASH_SIZE; i++) {
        out[n++] = hex[id->digest[i] >> 4];
        out[n++] = hex[id->digest[i] & 15];
    }
    out[n] = 0;
    return (int64_t)n;
}

DXI_PRIVATE int dxi_cas_hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

DX_CAS_API dx_result dx_cas_id_parse(const char *text, size_t len, dx_cas_id *out) {
    uint8_t digest[DX_CAS_HASH_SIZE];
    size_t dash = 0, i;
    uint32_t alg;
    if (!text) return DX_ERR_INVAL;
    while (dash < len && dash < 16 && text[dash] != '-') {
        char c = text[dash];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return DX_ERR_CORRUPT;
        dash++;
    }
    if (dash == 0 || dash >= len || text[dash] != '-') return DX_ERR_CORRUPT;
    if (len - dash - 1 != 2 * DX_CAS_HASH_SIZE) return DX_ERR_CORRUPT;
    for (i = 0; i < DX_CAS_HASH_SIZE; i++) {
        int hi = dxi_cas_hexval(text[dash + 1 + 2 * i]), lo = dxi_cas_hexval(text[dash + 2 + 2 * i]);
        if (hi < 0 || lo < 0) return DX_ERR_CORRUPT;
        digest[i] = (uint8_t)(hi << 4 | lo);
    }
    if (dash == 6 && DX_MEMCMP(text, "sha256", 6) == 0) alg = DX_CAS_ALG_SHA256;
    else if (dash == 6 && DX_MEMCMP(text, "blake3", 6) == 0) alg = DX_CAS_ALG_BLAKE3;
    else return DX_ERR_UNSUPPORTED;
    out->alg = alg;
    DX_MEMCPY(out->digest, digest, DX_CAS_HASH_SIZE);
    return DX_OK;
}

/* ---- chunking: FastCDC 2020 ----
   The gear table is the one of the FastCDC reference code and the fastcdc-rs
   crate: entry i is the first 8 bytes (big-endian) of MD5 of 64 bytes of
   value i. The masks spread their bits as in the paper (fastcdc-rs MASKS:
   destor's values up to 128 KiB, restic-FastCDC's above). */
static const uint64_t dxi_cas_gear[256] = {
    0x3b5d3c7d207e37dcull, 0x784d68ba91123086ull, 0xcd52880f882e7298ull, 0xeacf8e4e19fdcca7ull,
    0xc31f385dfbd1632bull, 0x1d5f27001e25abe6ull, 0x83130bde3c9ad991ull, 0xc4b225676e9b7649ull,
    0xaa329b29e08eb499ull, 0xb67fcbd21e577d58ull, 0x0027baaada2acf6bull, 0xe3ef2d5ac73c2226ull,
    0x0890f24d6ed312b7ull, 0xa809e036851d7c7eull, 0xf0a6fe5e0013d81bull, 0x1d026304452cec14ull,
    0x03864632648e248full, 0xcdaacf3dcd92b9b4ull, 0xf5e012e63c187856ull, 0x8862f9d3821c00b6ull,
    0xa82f7338750f6f8aull, 0x1e583dc6c1cb0b6full, 0x7a3145b69743a7f1ull, 0xabb20fee404807ebull,
    0xb14b3cfe07b83a5dull, 0xb9dc27898adb9a0full, 0x3703f5e91baa62beull, 0xcf0bb866815f7d98ull,
    0x3d9867c41ea9dcd3ull, 0x1be1fa65442bf22cull, 0x14300da4c55631d9ull, 0xe698e9cbc6545c99ull,
    0x4763107ec64e92a5ull, 0xc65821fc65696a24ull, 0x76196c064822f0b7ull, 0x485be841f3525e01ull,
    0xf652bc9c85974ff5ull, 0xcad8352face9e3e9ull, 0x2a6ed1dceb35e98eull, 0xc6f483badc11680full,
    0x3cfd8c17e9cf12f1ull, 0x89b83c5e2ea56471ull, 0xae665cfd24e392a9ull, 0xec33c4e504cb8915ull,
    0x3fb9b15fc9fe7451ull, 0xd7fd1fd1945f2195ull, 0x31ade0853443efd8ull, 0x255efc9863e1e2d2ull,
    0x10eab6008d5642cfull, 0x46f04863257ac804ull, 0xa52dc42a789a27d3ull, 0xdaaadf9ce77af565ull,
    0x6b479cd53d87febbull, 0x6309e2d3f93db72full, 0xc5738ffbaa1ff9d6ull, 0x6bd57f3f25af7968ull,
    0x67605486d90d0a4aull, 0xe14d0b9663bfbdaeull, 0xb7bbd8d816eb0414ull, 0xdef8a4f16b35a116ull,
    0xe7932d85aaaffed6ull, 0x08161cbae90cfd48ull, 0x855507beb294f08bull, 0x91234ea6ffd399b2ull,
    0xad70cf4b2435f302ull, 0xd289a97565bc2d27ull, 0x8e558437ffca99deull, 0x96d2704b7115c040ull,
    0x0889bbcdfc660e41ull, 0x5e0d4e67dc92128dull, 0x72a9f8917063ed97ull, 0x438b69d409e016e3ull,
    0xdf4fed8a5d8a4397ull, 0x00f41dcf41d403f7ull, 0x4814eb038e52603full, 0x9dafbacc58e2d651ull,
    0xfe2f458e4be170afull, 0x4457ec414df6a940ull, 0x06e62f1451123314ull, 0xbd1014d173ba92ccull,
    0xdef318e25ed57760ull, 0x9fea0de9dfca8525ull, 0x459de1e76c20624bull, 0xaeec189617e2d666ull,
    0x126a2c06ab5a83cbull, 0xb1321532360f6132ull, 0x65421503dbb40123ull, 0x2d67c287ea089ab3ull,
    0x6c93bff5a56bd6b6ull, 0x4ffb2036cab6d98dull, 0xce7b785b1be7ad4full, 0xedb42ef6189fd163ull,
    0xdc905288703988f6ull, 0x365f9c1d2c691884ull, 0xc640583680d99bfeull, 0x3cd4624c07593ec6ull,
    0x7f1ea8d85d7c5805ull, 0x014842d480b57149ull, 0x0b649bcb5a828688ull, 0xbcd5708ed79b18f0ull,
    0xe987c862fbd2f2f0ull, 0x982731671f0cd82cull, 0xbaf13e8b16d8c063ull, 0x8ea3109cbd951bbaull,
    0xd141045bfb385cadull, 0x2acbc1a0af1f7d30ull, 0xe6444d89df03bfdfull, 0xa18cc771b8188ff9ull,
    0x9834429db01c39bbull, 0x214add07fe086a1full, 0x8f07c19b1f6b3ff9ull, 0x56a297b1bf4ffe55ull,
    0x94d558e493c54fc7ull, 0x40bfc24c764552cbull, 0x931a706f8a8520cbull, 0x32229d322935bd52ull,
    0x2560d0f5dc4fefafull, 0x9dbcc48355969bb6ull, 0x0fd81c3985c0b56aull, 0xe03817e1560f2bdaull,
    0xc1bb4f81d892b2d5ull, 0xb0c4864f4e28d2d7ull, 0x3ecc49f9d9d6c263ull, 0x51307e99b52ba65eull,
    0x8af2b688da84a752ull, 0xf5d72523b91b20b6ull, 0x6d95ff1ff4634806ull, 0x562f21555458339aull,
    0xc0ce47f889336346ull, 0x487823e5089b40d8ull, 0xe4727c7ebc6d9592ull, 0x5a8f7277e94970baull,
    0xfca2f406b1c8bb50ull, 0x5b1f8a95f1791070ull, 0xd304af9fc9028605ull, 0x5440ab7fc930e748ull,
    0x312d25fbca2ab5a1ull, 0x10f4a4b234a4d575ull, 0x90301d55047e7473ull, 0x3b6372886c61591eull,
    0x293402b77c444e06ull, 0x451f34a4d3e97dd7ull, 0x3158d814d81bc57bull, 0x034942425b9bda69ull,
    0xe2032ff9e532d9bbull, 0x62ae066b8b2179e5ull, 0x9545e10c2f8d71d8ull, 0x7ff7483eb2d23fc0ull,
    0x00945fcebdc98d86ull, 0x8764bbbe99b26ca2ull, 0x1b1ec62284c0bfc3ull, 0x58e0fcc4f0aa362bull,
    0x5f4abefa878d458dull, 0xfd74ac2f9607c519ull, 0xa4e3fb37df8cbfa9ull, 0xbf697e43cac574e5ull,
    0x86f14a3f68f4cd53ull, 0x24a23d076f1ce522ull, 0xe725cd8048868cc8ull, 0xbf3c729eb2464362ull,
    0xd8f6cd57b3cc1ed8ull, 0x6329e52425541577ull, 0x62aa688ad5ae1ac0ull, 0x0a242566269bf845ull,
    0x168b1a4753aca74bull, 0xf789afefff2e7e3cull, 0x6c3362093b6fccdbull, 0x4ce8f50bd28c09b2ull,
    0x006a2db95ae8aa93ull, 0x975b0d623c3d1a8cull, 0x18605d3935338c5bull, 0x5bb6f6136cad3c71ull,
    0x0f53a20701f8d8a6ull, 0xab8c5ad2e7e93c67ull, 0x40b5ac5127acaa29ull, 0x8c7bf63c2075895full,
    0x78bd9f7e014a805cull, 0xb2c9e9f4f9c8c032ull, 0xefd6049827eb91f3ull, 0x2be459f482c16fbdull,
    0xd92ce0c5745aaa8cull, 0x0aaa8fb298d965b9ull, 0x2b37f92c6c803b15ull, 0x8c54a5e94e0f0e78ull,
    0x95f9b6e90c0a3032ull, 0xe7939faa436c7874ull, 0xd16bfe8f6a8a40c9ull, 0x44982b86263fd2faull,
    0xe285fb39f984e583ull, 0x779a8df72d7619d3ull, 0xf2d79a8de8d5dd1eull, 0xd1037354d66684e2ull,
    0x004c82a4e668a8e5ull, 0x31d40a7668b044e6ull, 0xd70578538bd02c11ull, 0xdb45431078c5f482ull,
    0x977121bb7f6a51adull, 0x73d5ccbd34eff8ddull, 0xe437a07d356e17cdull, 0x47b2782043c95627ull,
    0x9fb251413e41d49aull, 0xccd70b60652513d3ull, 0x1c95b31e8a1b49b2ull, 0xcae73dfd1bcb4c1bull,
    0x34d98331b1f5b70full, 0x784e39f22338d92full, 0x18613d4a064df420ull, 0xf1d8dae25f0bcebeull,
    0x33f77c15ae855efcull, 0x3c88b3b912eb109cull, 0x956a2ec96bafeea5ull, 0x1aa005b5e0ad0e87ull,
    0x5500d70527c4bb8eull, 0xe36c57196421cc44ull, 0x13c4d286cc36ee39ull, 0x5654a23d818b2a81ull,
    0x77b1dc13d161abdcull, 0x734f44de5f8d5eb5ull, 0x60717e174a6c89a2ull, 0xd47d9649266a211eull,
    0x5b13a4322bb69e90ull, 0xf7669609f8b5fc3cull, 0x21e6ac55bedcdac9ull, 0x9b56b62b61166deaull,
    0xf48f66b939797e9cull, 0x35f332f9c0e6ae9aull, 0xcc733f6a9a878db0ull, 0x3da161e41cc108c2ull,
    0xb7d74ae535914d51ull, 0x4d493b0b11d36469ull, 0xce264d1dfba9741aull, 0xa9d1f2dc7436dc06ull,
    0x70738016604c2a27ull, 0x231d36e96e93f3d5ull, 0x7666881197838d19ull, 0x4a2a83090aaad40cull,
    0xf1e761591668b35dull, 0x7363236497f730a7ull, 0x301080e37379dd4dull, 0x502dea2971827042ull,
    0xc2c5eb858f32625full, 0x786afb9edfafbdffull, 0xdaee0d868490b2a4ull, 0x617366b3268609f6ull,
    0xae0e35a0fe46173eull, 0xd1a07de93e824f11ull, 0x079b8b115ea4cca8ull, 0x93a99274558faebbull,
    0xfb1e6e22e08a03b3ull, 0xea635fdba3698dd0ull, 0xcf53659328503a5cull, 0xcde3b31e6fd5d780ull,
    0x8e3e4221d3614413ull, 0xef14d0d86bf1a22cull, 0xe1d830d3f16c5ddbull, 0xaabd2b2a451504e1ull,
};
static const uint64_t dxi_cas_masks[26] = {
    0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull,
    0x0000000000000000ull, 0x0000000001804110ull, 0x0000000001803110ull, 0x0000000018035100ull,
    0x0000001800035300ull, 0x0000019000353000ull, 0x0000590003530000ull, 0x0000d90003530000ull,
    0x0000d90103530000ull, 0x0000d90303530000ull, 0x0000d90313530000ull, 0x0000d90f03530000ull,
    0x0000d90303537000ull, 0x0000d90703537000ull, 0x0000d90707537000ull, 0x0000d91707537000ull,
    0x0000d91747537000ull, 0x0000d91767537000ull, 0x0000d93767537000ull, 0x0000d93777537000ull,
    0x0000d93777577000ull, 0x0000db3777577000ull,
};

DXI_PRIVATE uint32_t dxi_cas_log2_round(uint32_t v) { /* round(log2(v)) with no floating point */
    uint32_t b = 0;
    while (b < 31 && (v >> (b + 1)) != 0) b++;
    if ((uint64_t)v * v >= ((uint64_t)1 << (2 * b + 1))) b++;
    return b;
}

DX_CAS_API dx_result dx_cas_chunker_init(dx_cas_chunker *c, const dx_cas_chunker_config *cfg) {
    dx_cas_chunker_config d;
    uint32_t avg, min, max, nc, bits;
    if (!c) return DX_ERR_INVAL;
    DX_MEMSET(&d, 0, sizeof d);
    if (cfg) d = *cfg;
    DX_MEMSET(c, 0, sizeof *c);
    avg = DXI_DEF(d.avg_size, 16384u);
    if (d.mode == DX_CAS_CHUNKER_MODE_FIXED) {
        if (avg > (16u << 20)) return DX_ERR_INVAL;
        c->mode = DX_CAS_CHUNKER_MODE_FIXED;
        c->min_size = c->avg_size = c->max_size = avg;
        return DX_OK;
    }
    if (d.mode != DX_CAS_CHUNKER_MODE_FASTCDC || d.normalization > DX_CAS_NORMALIZATION_STRONG) return DX_ERR_INVAL;
    if (avg < 256u || avg > (4u << 20)) return DX_ERR_INVAL;
    min = DXI_DEF(d.min_size, avg / 4);
    max = DXI_DEF(d.max_size, avg * 4);
    if (min < 64u || min > (1u << 20) || max < 1024u || max > (16u << 20) || min > avg || avg > max)
        return DX_ERR_INVAL;
    nc = DXI_DEF(d.normalization, (uint32_t)DX_CAS_NORMALIZATION_MILD) - DX_CAS_NORMALIZATION_NONE; /* the level */
    bits = dxi_cas_log2_round(avg); /* 8..22, so bits +- 3 stays in the table */
    c->mode = DX_CAS_CHUNKER_MODE_FASTCDC;
    c->min_size = min, c->avg_size = avg, c->max_size = max;
    c->skip = min & ~1u;
    c->center = avg & ~1u;
    c->mask_s = dxi_cas_masks[bits + nc];
    c->mask_l = dxi_cas_masks[bits - nc];
    c->mask_s_ls = c->mask_s << 1;
    c->mask_l_ls = c->mask_l << 1;
    c->seed = d.seed;
    c->seed_ls = d.seed << 1;
    { /* a pair of zeros maps h to 4h + k: after 32 pairs any hash is the fixed point (4^32 = 0 mod 2^64) */
        uint64_t h = 0, mid, g = dxi_cas_gear[0];
        int k;
        for (k = 0; k < 32; k++) h = (h << 2) + ((g << 1) ^ c->seed_ls) + (g ^ c->seed);
        mid = (h << 2) + ((g << 1) ^ c->seed_ls); /* the hash between the pair's two bytes */
        c->zero_hash = h;
        c->zero_skip = (mid & c->mask_s_ls) && (h & c->mask_s) && (mid & c->mask_l_ls) && (h & c->mask_l);
    }
    return DX_OK;
}

/* The end of the zero bytes q[a..end), rounded down to whole pairs (a is even). */
DXI_PRIVATE uint32_t dxi_cas_zero_pairs(const uint8_t *q, uint32_t a, uint32_t end) {
    uint32_t z = a;
    while (z + 8 <= end) {
        uint64_t w;
        DX_MEMCPY(&w, q + z, 8);
        if (w) break;
        z += 8;
    }
    while (z < end && q[z] == 0) z++;
    return a + ((z - a) & ~1u);
}

/* Ends the current chunk after len bytes; the next one starts with `carry` bytes already seen. */
DXI_PRIVATE void dxi_cas_chunk_emit(dx_cas_chunker *c, uint32_t len, uint32_t carry, dx_cas_chunk *out) {
    out->offset = c->start;
    out->length = len;
    out->hash = c->hash;
    c->start += len;
    c->n = carry;
    c->hash = 0;
    c->has_pending = false;
}

DX_CAS_API bool dx_cas_chunker_feed(dx_cas_chunker *c, const void *data, size_t len, size_t *out_used,
                                    dx_cas_chunk *out) {
    const uint8_t *p = (const uint8_t *)data;
    const uint64_t *gear = dxi_cas_gear;
    size_t i = 0;
    if (c->mode == DX_CAS_CHUNKER_MODE_FIXED) {
        size_t take = c->avg_size - c->n;
        if (take > len) take = len;
        c->n += (uint32_t)take;
        *out_used = take;
        if (c->n < c->avg_size) return false;
        dxi_cas_chunk_emit(c, c->n, 0, out);
        return true;
    }
    while (i < len) {
        if (c->n < c->skip) { /* cut-point skipping: nothing below the minimum is hashed */
            size_t take = c->skip - c->n;
            if (take > len - i) take = len - i;
            c->n += (uint32_t)take;
            i += take;
            continue;
        }
        if (c->has_pending) { /* the pair (a, a + 1): a was the last byte of the previous piece */
            uint32_t a = c->n - 1;
            uint64_t m = a < c->center ? c->mask_s : c->mask_l, mls = a < c->center ? c->mask_s_ls : c->mask_l_ls;
            c->has_pending = false;
            c->hash = (c->hash << 2) + ((gear[c->pending] << 1) ^ c->seed_ls);
            if (!(c->hash & mls)) { /* cut before a: a (consumed) starts the next chunk */
                dxi_cas_chunk_emit(c, a, 1, out);
                *out_used = i;
                return true;
            }
            c->hash += gear[p[i]] ^ c->seed;
            if (!(c->hash & m)) { /* cut before a + 1, which is not consumed */
                dxi_cas_chunk_emit(c, a + 1, 0, out);
                *out_used = i;
                return true;
            }
            c->n++, i++;
            if (c->n == c->max_size) {
                dxi_cas_chunk_emit(c, c->n, 0, out);
                *out_used = i;
                return true;
            }
            continue;
        }
        if (c->n + 1 >= c->max_size) { /* no pair fits below the maximum: take bytes up to it */
            size_t take = c->max_size - c->n;
            if (take > len - i) take = len - i;
            c->n += (uint32_t)take;
            i += take;
            if (c->n == c->max_size) {
                dxi_cas_chunk_emit(c, c->n, 0, out);
                *out_used = i;
                return true;
            }
            continue;
        }
        { /* whole pairs inside this piece: the hot loop */
            const uint8_t *q = p + i - c->n; /* q[a] is the byte at chunk offset a */
            uint64_t h = c->hash, seed = c->seed, seed_ls = c->seed_ls;
            uint32_t a = c->n, n0 = c->n, end;
            size_t avail = len - i;
            end = avail < (size_t)(c->max_size - n0) ? n0 + (uint32_t)avail : c->max_size;
            for (;;) { /* in steps of 512 bytes, each of which may first step over zeros (holes, padding) */
                uint32_t stop;
                if (c->zero_skip && h == c->zero_hash) a = dxi_cas_zero_pairs(q, a, end);
                stop = end - a > 512 ? a + 512 : end;
                {
                    const uint64_t m = c->mask_s, mls = c->mask_s_ls;
                    for (; a < c->center && a + 2 <= stop; a += 2) {
                        h = (h << 2) + ((gear[q[a]] << 1) ^ seed_ls);
                        if (!(h & mls)) goto cut_even;
                        h += gear[q[a + 1]] ^ seed;
                        if (!(h & m)) goto cut_odd;
                    }
                }
                {
                    const uint64_t m = c->mask_l, mls = c->mask_l_ls;
                    for (; a + 2 <= stop; a += 2) {
                        h = (h << 2) + ((gear[q[a]] << 1) ^ seed_ls);
                        if (!(h & mls)) goto cut_even;
                        h += gear[q[a + 1]] ^ seed;
                        if (!(h & m)) goto cut_odd;
                    }
                }
                if (stop == end) break;
            }
            i += a - n0;
            c->n = a;
            c->hash = h;
            if (c->n == c->max_size) {
                dxi_cas_chunk_emit(c, c->n, 0, out);
                *out_used = i;
                return true;
            }
            if (i + 1 == len && c->n + 1 < c->max_size) { /* a lone byte: wait for its pair */
                c->pending = p[i];
                c->has_pending = true;
                c->n++, i++;
            }
            continue;
        cut_even:
            c->hash = h;
            i += a - n0;
            dxi_cas_chunk_emit(c, a, 0, out);
            *out_used = i;
            return true;
        cut_odd:
            c->hash = h;
            i += a + 1 - n0;
            dxi_cas_chunk_emit(c, a + 1, 0, out);
            *out_used = i;
            return true;
        }
    }
    *out_used = i;
    return false;
}

DX_CAS_API bool dx_cas_chunker_finish(dx_cas_chunker *c, dx_cas_chunk *out) {
    bool any = c->n > 0;
    if (any) dxi_cas_chunk_emit(c, c->n, 0, out);
    c->start = 0;
    c->n = 0;
    c->hash = 0;
    c->has_pending = false;
    return any;
}

DX_CAS_API int64_t dx_cas_chunk_buffer(const dx_cas_chunker_config *cfg, const void *data, size_t len,
                                       dx_cas_chunk *out, size_t cap) {
    dx_cas_chunker c;
    const uint8_t *p = (const uint8_t *)data;
    size_t n = 0, used;
    dx_cas_chunk ch;
    dx_result r = dx_cas_chunker_init(&c, cfg);
    if (r != DX_OK) return r;
    while (len > 0) {
        if (dx_cas_chunker_feed(&c, p, len, &used, &ch)) {
            if (n == cap) return DX_ERR_NOSPACE;
            out[n++] = ch;
        }
        p += used, len -= used;
    }
    if (dx_cas_chunker_finish(&c, &ch)) {
        if (n == cap) return DX_ERR_NOSPACE;
        out[n++] = ch;
    }
    return (int64_t)n;
}

/* ---- Merkle trees (RFC 9162 section 2.1) ---- */

enum { DXI_CAS_MERKLE_LEAF_PREFIX = 0x00, DXI_CAS_MERKLE_NODE_PREFIX = 0x01 }; /* domain separation */

DX_CAS_API void dx_cas_merkle_leaf(const dx_cas_hash_alg *alg, const void *data, size_t len, uint8_t out[32]) {
    static const uint8_t prefix = DXI_CAS_MERKLE_LEAF_PREFIX;
    dx_cas_hasher h;
    dx_cas_hasher_init(&h, alg);
    dx_cas_hasher_update(&h, &prefix, 1);
    dx_cas_hasher_update(&h, data, len);
    dx_cas_hasher_final(&h, out);
}

DX_CAS_API void dx_cas_merkle_node(const dx_cas_hash_alg *alg, const uint8_t left[32], const uint8_t right[32],
                                   uint8_t out[32]) {
    uint8_t buf[1 + 2 * DX_CAS_HASH_SIZE];
    dx_cas_hasher h;
    buf[0] = DXI_CAS_MERKLE_NODE_PREFIX;
    DX_MEMCPY(buf + 1, left, DX_CAS_HASH_SIZE);
    DX_MEMCPY(buf + 1 + DX_CAS_HASH_SIZE, right, DX_CAS_HASH_SIZE);
    dx_cas_hasher_init(&h, alg);
    dx_cas_hasher_update(&h, buf, sizeof buf);
    dx_cas_hasher_final(&h, out);
}

DX_CAS_API void dx_cas_merkle_init(dx_cas_merkle *m, const dx_cas_hash_alg *alg) {
    m->hash_alg = *alg;
    m->count = 0;
    m->depth = 0;
}

DX_CAS_API void dx_cas_merkle_push(dx_cas_merkle *m, const uint8_t leaf_hash[32]) {
    uint64_t c;
    DX_ASSERT(m->depth < DX_CAS_MERKLE_MAX_DEPTH);
    DX_MEMCPY(m->stack[m->depth++], leaf_hash, DX_CAS_HASH_SIZE);
    c = ++m->count;
    while ((c & 1) == 0) { /* two perfect subtrees of the same size become one */
        dx_cas_merkle_node(&m->hash_alg, m->stack[m->depth - 2], m->stack[m->depth - 1], m->stack[m->depth - 2]);
        m->depth--;
        c >>= 1;
    }
}

DX_CAS_API void dx_cas_merkle_root(const dx_cas_merkle *m, uint8_t out[32]) {
    uint8_t r[DX_CAS_HASH_SIZE];
    uint32_t i;
    if (m->depth == 0) { /* the empty tree: H("") */
        dx_cas_hasher h;
        dx_cas_hasher_init(&h, &m->hash_alg);
        dx_cas_hasher_final(&h, out);
        return;
    }
    DX_MEMCPY(r, m->stack[m->depth - 1], DX_CAS_HASH_SIZE);
    for (i = m->depth - 1; i-- > 0;) dx_cas_merkle_node(&m->hash_alg, m->stack[i], r, r);
    DX_MEMCPY(out, r, DX_CAS_HASH_SIZE);
}

/* MTH(D[lo:hi]) of a leaf-hash array */
DXI_PRIVATE void dxi_cas_mth(const dx_cas_hash_alg *alg, const uint8_t *leaves, uint64_t lo, uint64_t hi, uint8_t out[32]) {
    dx_cas_merkle m;
    dx_cas_merkle_init(&m, alg);
    for (; lo < hi; lo++) dx_cas_merkle_push(&m, leaves + (size_t)lo * DX_CAS_HASH_SIZE);
    dx_cas_merkle_root(&m, out);
}

DX_CAS_API dx_result dx_cas_merkle_root_of(const dx_cas_hash_alg *alg, const uint8_t *leaf_hashes, uint64_t n,
                                           uint8_t out[32]) {
    if (!alg || (n && !leaf_hashes) || !out) return DX_ERR_INVAL;
    dxi_cas_mth(alg, leaf_hashes, 0, n, out);
    return DX_OK;
}

DXI_PRIVATE uint64_t dxi_cas_split(uint64_t n) { /* the largest power of two smaller than n (n >= 2) */
    uint64_t k = 1;
    while ((k << 1) < n) k <<= 1;
    return k;
}

DX_CAS_API int64_t dx_cas_merkle_inclusion_proof(const dx_cas_hash_alg *alg, const uint8_t *leaf_hashes, uint64_t n,
                                                 uint64_t index, uint8_t *out, size_t cap_hashes) {
    uint64_t lo = 0, hi = n, k;
    size_t count = 0, j;
    if (!alg || !leaf_hashes || index >= n) return DX_ERR_INVAL;
    while (hi - lo > 1) { /* the path's length first: nothing is written if it does not fit */
        k = dxi_cas_split(hi - lo);
        if (index < lo + k) hi = lo + k;
        else lo += k;
        count++;
    }
    if (count > cap_hashes) return DX_ERR_NOSPACE;
    lo = 0, hi = n, j = count;
    while (hi - lo > 1) { /* siblings from the root down, written leaf first */
        k = dxi_cas_split(hi - lo);
        j--;
        if (index < lo + k) {
            dxi_cas_mth(alg, leaf_hashes, lo + k, hi, out + j * DX_CAS_HASH_SIZE);
            hi = lo + k;
        } else {
            dxi_cas_mth(alg, leaf_hashes, lo, lo + k, out + j * DX_CAS_HASH_SIZE);
            lo += k;
        }
    }
    return (int64_t)count;
}

DX_CAS_API int64_t dx_cas_merkle_consistency_proof(const dx_cas_hash_alg *alg, const uint8_t *leaf_hashes, uint64_t n,
                                                   uint64_t size1, uint8_t *out, size_t cap_hashes) {
    uint64_t lo, hi, m, k;
    size_t count, j;
    bool whole;
    int pass;
    if (!alg || !leaf_hashes || size1 > n) return DX_ERR_INVAL;
    if (size1 == 0 || size1 == n) return 0;
    /* SUBPROOF(m, D[lo:hi], b) of RFC 9162 2.1.4.1, unrolled: pass 0 counts, pass 1 writes */
    for (pass = 0, count = 0; pass < 2; pass++) {
        lo = 0, hi = n, m = size1, whole = true, j = count;
        if (pass == 1 && count > cap_hashes) return DX_ERR_NOSPACE;
        for (;;) {
            if (m == hi - lo) {
                if (!whole) { /* the subtree itself goes first */
                    if (pass == 0) count++;
                    else dxi_cas_mth(alg, leaf_hashes, lo, hi, out);
                }
                break;
            }
            k = dxi_cas_split(hi - lo);
            if (pass == 0) {
                count++;
            } else {
                j--;
                if (m <= k) dxi_cas_mth(alg, leaf_hashes, lo + k, hi, out + j * DX_CAS_HASH_SIZE);
                else dxi_cas_mth(alg, leaf_hashes, lo, lo + k, out + j * DX_CAS_HASH_SIZE);
            }
            if (m <= k) {
                hi = lo + k;
            } else {
                m -= k;
                lo += k;
                whole = false;
            }
        }
    }
    return (int64_t)count;
}

DX_CAS_API dx_result dx_cas_merkle_verify_inclusion(const dx_cas_hash_alg *alg, uint64_t index, uint64_t size,
                                                    const uint8_t leaf_hash[32], const uint8_t *proof, size_t count,
                                                    const uint8_t root[32]) {
    uint8_t r[DX_CAS_HASH_SIZE];
    uint64_t fnode, sn;
    size_t i;
    if (!alg || !leaf_hash || !root || (count && !proof)) return DX_ERR_INVAL;
    if (index >= size) return DX_ERR_INVAL;
    fnode = index, sn = size - 1;
    DX_MEMCPY(r, leaf_hash, DX_CAS_HASH_SIZE);
    for (i = 0; i < count; i++) {
        const uint8_t *p = proof + i * DX_CAS_HASH_SIZE;
        if (sn == 0) return DX_CAS_ERR_PROOF; /* extra nodes */
        if ((fnode & 1) || fnode == sn) {
            dx_cas_merkle_node(alg, p, r, r);
            if (!(fnode & 1))
                while (!(fnode & 1) && fnode != 0) fnode >>= 1, sn >>= 1;
        } else {
            dx_cas_merkle_node(alg, r, p, r);
        }
        fnode >>= 1, sn >>= 1;
    }
    if (sn != 0 || DX_MEMCMP(r, root, DX_CAS_HASH_SIZE) != 0) return DX_CAS_ERR_PROOF;
    return DX_OK;
}

DX_CAS_API dx_result dx_cas_merkle_verify_consistency(const dx_cas_hash_alg *alg, uint64_t size1, uint64_t size2,
                                                      const uint8_t root1[32], const uint8_t root2[32],
                                                      const uint8_t *proof, size_t count) {
    uint8_t fr[DX_CAS_HASH_SIZE], sr[DX_CAS_HASH_SIZE];
    uint64_t fnode, sn;
    size_t i, total;
    bool pre;
    if (!alg || !root1 || !root2 || (count && !proof)) return DX_ERR_INVAL;
    if (size1 > size2) return DX_ERR_INVAL;
    if (size1 == size2)
        return count == 0 && DX_MEMCMP(root1, root2, DX_CAS_HASH_SIZE) == 0 ? (dx_result)DX_OK : (dx_result)DX_CAS_ERR_PROOF;
    if (size1 == 0) return count == 0 ? (dx_result)DX_OK : (dx_result)DX_CAS_ERR_PROOF;
    if (count == 0) return DX_CAS_ERR_PROOF;
    pre = (size1 & (size1 - 1)) == 0; /* a power of two: root1 is the path's first node */
    total = count + (pre ? 1u : 0u);
    fnode = size1 - 1, sn = size2 - 1;
    while (fnode & 1) fnode >>= 1, sn >>= 1;
    DX_MEMCPY(fr, pre ? root1 : proof, DX_CAS_HASH_SIZE);
    DX_MEMCPY(sr, fr, DX_CAS_HASH_SIZE);
    for (i = 1; i < total; i++) {
        const uint8_t *c = proof + (pre ? i - 1 : i) * DX_CAS_HASH_SIZE;
        if (sn == 0) return DX_CAS_ERR_PROOF;
        if ((fnode & 1) || fnode == sn) {
            dx_cas_merkle_node(alg, c, fr, fr);
            dx_cas_merkle_node(alg, c, sr, sr);
            if (!(fnode & 1))
                while (!(fnode & 1) && fnode != 0) fnode >>= 1, sn >>= 1;
        } else {
            dx_cas_merkle_node(alg, sr, c, sr);
        }
        fnode >>= 1, sn >>= 1;
    }
    if (sn != 0 || DX_MEMCMP(fr, root1, DX_CAS_HASH_SIZE) != 0 || DX_MEMCMP(sr, root2, DX_CAS_HASH_SIZE) != 0)
        return DX_CAS_ERR_PROOF;
    return DX_OK;
}

/* ---- the head every "DXC?" object begins with: 4-byte magic, u8 major, u8 minor ---- */

enum { DXI_CAS_HEAD_OFF_MAGIC = 0, DXI_CAS_HEAD_OFF_MAJOR = 4, DXI_CAS_HEAD_OFF_MINOR = 5, DXI_CAS_MAGIC_SIZE = 4 };
/* every record's head sits at the same offsets (ints: C++ warns on comparing two enums) */
DX_STATIC_ASSERT((int)DX_CAS_PROOF_OFF_MAJOR == 4 && (int)DX_CAS_MANIFEST_OFF_MAJOR == 4 && (int)DX_CAS_TREE_OFF_MAJOR == 4 &&
                     (int)DX_CAS_OBJECT_OFF_MAJOR == 4 && (int)DX_CAS_PROOF_OFF_MINOR == 5 &&
                     (int)DX_CAS_MANIFEST_OFF_MINOR == 5 && (int)DX_CAS_TREE_OFF_MINOR == 5 && (int)DX_CAS_OBJECT_OFF_MINOR == 5,
                 dx_cas_heads_agree);

DXI_PRIVATE void dxi_cas_head_write(uint8_t *out, const char *magic) {
    DX_MEMCPY(out + DXI_CAS_HEAD_OFF_MAGIC, magic, DXI_CAS_MAGIC_SIZE);
    out[DXI_CAS_HEAD_OFF_MAJOR] = DX_CAS_FORMAT_MAJOR;
    out[DXI_CAS_HEAD_OFF_MINOR] = DX_CAS_FORMAT_MINOR;
}

/* The magic, then (with header_size bytes there) the major version; any minor is accepted. */
DXI_PRIVATE dx_result dxi_cas_head_check(const uint8_t *buf, size_t len, const char *magic, size_t header_size) {
    if (len < DXI_CAS_MAGIC_SIZE) return DX_ERR_TRUNCATED;
    if (DX_MEMCMP(buf + DXI_CAS_HEAD_OFF_MAGIC, magic, DXI_CAS_MAGIC_SIZE) != 0) return DX_CAS_ERR_MAGIC;
    if (len < header_size) return DX_ERR_TRUNCATED;
    if (buf[DXI_CAS_HEAD_OFF_MAJOR] != DX_CAS_FORMAT_MAJOR) return DX_ERR_UNSUPPORTED;
    return DX_OK;
}

/* ---- proofs on the wire ---- */

DX_CAS_API int64_t dx_cas_proof_encode(const dx_cas_proof *p, const uint8_t *hashes, uint8_t *out, size_t cap) {
    size_t need;
    if (!p || (p->count && !hashes) || !out) return DX_ERR_INVAL;
    if (p->kind != DX_CAS_PROOF_KIND_INCLUSION && p->kind != DX_CAS_PROOF_KIND_CONSISTENCY) return DX_ERR_INVAL;
    if (!dx_cas_alg_name(p->alg)) return DX_ERR_UNSUPPORTED;
    if (p->count > DX_CAS_PROOF_MAX) return DX_ERR_LIMIT;
    need = DX_CAS_PROOF_HEADER_SIZE + (size_t)p->count * DX_CAS_HASH_SIZE;
    if (cap < need) return DX_ERR_NOSPACE;
    dxi_cas_head_write(out, "DXCP");
    out[DX_CAS_PROOF_OFF_KIND] = (uint8_t)p->kind;
    out[DX_CAS_PROOF_OFF_ALG] = (uint8_t)p->alg;
    dx_store_u64le(out + DX_CAS_PROOF_OFF_A, p->a);
    dx_store_u64le(out + DX_CAS_PROOF_OFF_B, p->b);
    dx_store_u32le(out + DX_CAS_PROOF_OFF_COUNT, p->count);
    if (p->count) DX_MEMCPY(out + DX_CAS_PROOF_OFF_HASHES, hashes, (size_t)p->count * DX_CAS_HASH_SIZE);
    return (int64_t)need;
}

DX_CAS_API int64_t dx_cas_proof_decode(const uint8_t *buf, size_t len, dx_cas_proof *out,
                                       const uint8_t **out_hashes) {
    dx_cas_proof p;
    dx_result r;
    if (!buf || !out || !out_hashes) return DX_ERR_INVAL;
    if ((r = dxi_cas_head_check(buf, len, "DXCP", DX_CAS_PROOF_HEADER_SIZE)) != DX_OK) return r;
    p.kind = buf[DX_CAS_PROOF_OFF_KIND];
    p.alg = buf[DX_CAS_PROOF_OFF_ALG];
    if (p.kind != DX_CAS_PROOF_KIND_INCLUSION && p.kind != DX_CAS_PROOF_KIND_CONSISTENCY) return DX_ERR_CORRUPT;
    if (!dx_cas_alg_name(p.alg)) return DX_ERR_UNSUPPORTED;
    p.a = dx_load_u64le(buf + DX_CAS_PROOF_OFF_A);
    p.b = dx_load_u64le(buf + DX_CAS_PROOF_OFF_B);
    p.count = dx_load_u32le(buf + DX_CAS_PROOF_OFF_COUNT);
    if (p.count > DX_CAS_PROOF_MAX) return DX_ERR_LIMIT;
    if (p.kind == DX_CAS_PROOF_KIND_INCLUSION ? p.a >= p.b : p.a > p.b) return DX_ERR_CORRUPT;
    if ((len - DX_CAS_PROOF_HEADER_SIZE) / DX_CAS_HASH_SIZE < p.count) return DX_ERR_TRUNCATED;
    *out = p;
    *out_hashes = buf + DX_CAS_PROOF_OFF_HASHES;
    return (int64_t)(DX_CAS_PROOF_HEADER_SIZE + (size_t)p.count * DX_CAS_HASH_SIZE);
}

DX_CAS_API dx_result dx_cas_proof_verify(const dx_cas_hash_alg *alg, const dx_cas_proof *p, const uint8_t *hashes,
                                         const uint8_t a[32], const uint8_t b[32]) {
    if (!alg || !p) return DX_ERR_INVAL;
    if (p->alg != alg->alg) return DX_ERR_UNSUPPORTED;
    if (p->kind == DX_CAS_PROOF_KIND_INCLUSION) return dx_cas_merkle_verify_inclusion(alg, p->a, p->b, a, hashes, p->count, b);
    if (p->kind == DX_CAS_PROOF_KIND_CONSISTENCY)
        return dx_cas_merkle_verify_consistency(alg, p->a, p->b, a, b, hashes, p->count);
    return DX_ERR_INVAL;
}

/* ---- stores ---- */

DX_CAS_API dx_result dx_cas_store_init(dx_cas_store *s, const dx_cas_store_config *cfg) {
    const dx_cas_store_vtable *vt = cfg ? cfg->vtable : NULL;
    if (!s || !vt || !vt->put_fn || !vt->get_fn || !vt->has_fn || !vt->delete_fn || !vt->iterate_fn) return DX_ERR_INVAL;
    if (!cfg->allocator.alloc != !cfg->allocator.free) return DX_ERR_INVAL;
    DX_MEMSET(s, 0, sizeof *s);
    s->vt = vt;
    s->self = cfg->self;
    s->allocator = cfg->allocator;
    if (cfg->hash_alg) s->hash_alg = *cfg->hash_alg;
    else return dx_cas_hash_alg_init(&s->hash_alg, DX_CAS_ALG_SHA256);
    return DX_OK;
}

DX_CAS_API dx_result dx_cas_store_put(dx_cas_store *s, const void *data, size_t len, dx_cas_id *out_id) {
    dx_cas_id id;
    dx_result r;
    if (!s || (len && !data)) return DX_ERR_INVAL;
    dx_cas_id_hash_memo(&s->hash_alg, &s->zero, data, len, &id);
    s->stats.puts++;
    s->stats.put_bytes += len;
    if (s->vt->has_fn(s->self, &id) >= 0) { /* deduplicated: already stored */
        s->stats.dedup++;
        s->stats.dedup_bytes += len;
        r = DX_OK;
    } else {
        r = s->vt->put_fn(s->self, &id, data, len);
    }
    if (r == DX_OK && out_id) *out_id = id;
    return r;
}

DX_CAS_API int64_t dx_cas_store_get(dx_cas_store *s, const dx_cas_id *id, void *buf, size_t cap) {
    dx_cas_hash_alg alg;
    dx_cas_id d;
    int64_t n;
    if (!s || !id || (cap && !buf)) return DX_ERR_INVAL;
    if (!dxi_cas_alg_built(id->alg)) return DX_ERR_UNSUPPORTED;
    alg = s->hash_alg;
    alg.alg = id->alg; /* an object is checked with the algorithm its id names */
    s->stats.gets++;
    n = s->vt->get_fn(s->self, id, buf, cap);
    if (n == DX_ERR_CORRUPT) { /* a stored form that does not decode: as corrupt as a wrong hash */
        if (cap) DX_MEMSET(buf, 0, cap);
        s->stats.corrupt++;
        return DX_ERR_CHECKSUM;
    }
    if (n < 0) return n;
    if ((uint64_t)n > (uint64_t)cap) return DX_ERR_IO; /* a backend that lies about its length */
    dx_cas_id_hash_memo(&alg, &s->zero, buf, (size_t)n, &d); /* every read is re-hashed: corrupt data is never handed out */
    if (DX_MEMCMP(d.digest, id->digest, DX_CAS_HASH_SIZE) != 0) {
        if (n) DX_MEMSET(buf, 0, (size_t)n);
        s->stats.corrupt++;
        return DX_ERR_CHECKSUM;
    }
    return n;
}

DX_CAS_API int64_t dx_cas_store_has(dx_cas_store *s, const dx_cas_id *id) {
    int64_t n;
    if (!s || !id) return DX_ERR_INVAL;
    n = s->vt->has_fn(s->self, id);
    return n == DX_ERR_CORRUPT ? (int64_t)DX_ERR_CHECKSUM : n; /* there, but its stored form is damaged */
}

DX_CAS_API dx_result dx_cas_store_delete(dx_cas_store *s, const dx_cas_id *id) {
    if (!s || !id) return DX_ERR_INVAL;
    return s->vt->delete_fn(s->self, id);
}

DX_CAS_API dx_result dx_cas_store_iterate(dx_cas_store *s, dx_cas_iter_fn fn, void *user) {
    if (!s || !fn) return DX_ERR_INVAL;
    return s->vt->iterate_fn(s->self, fn, user);
}

DX_CAS_API dx_result dx_cas_store_sync(dx_cas_store *s) {
    if (!s) return DX_ERR_INVAL;
    return s->vt->sync_fn ? s->vt->sync_fn(s->self) : DX_OK;
}

/* ---- stored object encoding ("DXCZ") ---- */

DX_CAS_API size_t dx_cas_object_bound(size_t len) {
    return len > SIZE_MAX - DX_CAS_OBJECT_HEADER_SIZE ? 0 : len + DX_CAS_OBJECT_HEADER_SIZE;
}

DXI_PRIVATE bool dxi_cas_object_magic(const uint8_t *buf, size_t len) {
    return len >= DXI_CAS_MAGIC_SIZE && DX_MEMCMP(buf + DX_CAS_OBJECT_OFF_MAGIC, "DXCZ", DXI_CAS_MAGIC_SIZE) == 0;
}

DXI_PRIVATE void dxi_cas_object_header(uint8_t *out, uint32_t method, uint64_t size) {
    dxi_cas_head_write(out, "DXCZ");
    out[DX_CAS_OBJECT_OFF_METHOD] = (uint8_t)method;
    out[DX_CAS_OBJECT_OFF_FLAGS] = 0;
    dx_store_u64le(out + DX_CAS_OBJECT_OFF_CONTENT_SIZE, size);
}

/* Writes data's stored form: one zstd frame behind a header when that is smaller
   (zstd_cctx: a ZSTD_CCtx with its level set; NULL or no DX_CAS_WITH_ZSTD: never),
   else the bytes as they are (behind a RAW header if they begin with "DXCZ"). */
DX_CAS_API int64_t dx_cas_object_encode(void *zstd_cctx, const void *data, size_t len, void *out, size_t cap) {
    const uint8_t *src = (const uint8_t *)data;
    uint8_t *dst = (uint8_t *)out;
    size_t bound = dx_cas_object_bound(len);
    if ((len && !data) || !out || bound == 0 || len > (size_t)INT64_MAX - DX_CAS_OBJECT_HEADER_SIZE) return DX_ERR_INVAL;
    if (cap < bound) return DX_ERR_NOSPACE;
#if defined(DX_CAS_WITH_ZSTD)
    if (zstd_cctx && len > 2 * DX_CAS_OBJECT_HEADER_SIZE) { /* only a frame that saves bytes is kept */
        size_t z = ZSTD_compress2((ZSTD_CCtx *)zstd_cctx, dst + DX_CAS_OBJECT_OFF_PAYLOAD,
                                  len - DX_CAS_OBJECT_HEADER_SIZE - 1, src, len);
        if (!ZSTD_isError(z) && z > 0 && z + DX_CAS_OBJECT_HEADER_SIZE < len) {
            dxi_cas_object_header(dst, DX_CAS_OBJECT_METHOD_ZSTD, (uint64_t)len);
            return (int64_t)(z + DX_CAS_OBJECT_HEADER_SIZE);
        }
    }
#else
    (void)zstd_cctx;
#endif
    if (dxi_cas_object_magic(src, len)) {
        dxi_cas_object_header(dst, DX_CAS_OBJECT_METHOD_RAW, (uint64_t)len);
        if (len) DX_MEMMOVE(dst + DX_CAS_OBJECT_OFF_PAYLOAD, src, len);
        return (int64_t)bound;
    }
    if (len) DX_MEMMOVE(dst, src, len);
    return (int64_t)len;
}

#define DXI_CAS_OBJECT_PEEK 34u /* bytes to look at: the header and a zstd frame header (at most 18) */
/* The content length of a stored form given its first bytes (hlen of them) and
   its whole length; checks everything but the compressed payload. */
DXI_PRIVATE int64_t dxi_cas_object_size(const uint8_t *buf, size_t hlen, uint64_t len, uint32_t *out_method) {
    uint64_t size, payload;
    uint32_t method;
    if (!dxi_cas_object_magic(buf, hlen)) {
        if (len > (uint64_t)INT64_MAX) return DX_ERR_LIMIT;
        if (out_method) *out_method = DX_CAS_OBJECT_METHOD_RAW;
        return (int64_t)len;
    }
    if (hlen < DX_CAS_OBJECT_HEADER_SIZE) return DX_ERR_CORRUPT; /* a header cut short */
    if (buf[DX_CAS_OBJECT_OFF_MAJOR] != DX_CAS_FORMAT_MAJOR) return DX_ERR_UNSUPPORTED;
    method = buf[DX_CAS_OBJECT_OFF_METHOD];
    if (buf[DX_CAS_OBJECT_OFF_FLAGS] != 0 || method > DX_CAS_OBJECT_METHOD_ZSTD) return DX_ERR_UNSUPPORTED;
    size = dx_load_u64le(buf + DX_CAS_OBJECT_OFF_CONTENT_SIZE);
    payload = len - DX_CAS_OBJECT_HEADER_SIZE;
    if (size > (uint64_t)INT64_MAX - DX_CAS_OBJECT_HEADER_SIZE) return DX_ERR_CORRUPT;
    if (method == DX_CAS_OBJECT_METHOD_RAW && payload != size) return DX_ERR_CORRUPT;
    if (method == DX_CAS_OBJECT_METHOD_ZSTD && (payload == 0 || payload + DX_CAS_OBJECT_HEADER_SIZE >= size))
        return DX_ERR_CORRUPT; /* compressed forms are always smaller than their content */
#if defined(DX_CAS_WITH_ZSTD)
    if (method == DX_CAS_OBJECT_METHOD_ZSTD && (hlen >= DXI_CAS_OBJECT_PEEK || hlen == len)) { /* the frame says it too */
        unsigned long long fcs = ZSTD_getFrameContentSize(buf + DX_CAS_OBJECT_OFF_PAYLOAD, hlen - DX_CAS_OBJECT_OFF_PAYLOAD);
        if (fcs == ZSTD_CONTENTSIZE_ERROR || (fcs != ZSTD_CONTENTSIZE_UNKNOWN && fcs != size)) return DX_ERR_CORRUPT;
    }
#endif
    if (out_method) *out_method = method;
    return (int64_t)size;
}

DX_CAS_API int64_t dx_cas_object_size(const uint8_t *buf, size_t len, uint32_t *out_method) {
    if (len && !buf) return DX_ERR_INVAL;
    return dxi_cas_object_size(buf, len < DXI_CAS_OBJECT_PEEK ? len : DXI_CAS_OBJECT_PEEK, (uint64_t)len, out_method);
}

/* The content of a stored form into out: its length. The size in the header is
   checked against cap before anything is written; a frame that does not give
   exactly that many bytes is DX_ERR_CORRUPT (and out is zeroed). */
DX_CAS_API int64_t dx_cas_object_decode(void *zstd_dctx, const uint8_t *buf, size_t len, void *out, size_t cap) {
    uint32_t method = 0;
    int64_t size;
    if ((len && !buf) || (cap && !out)) return DX_ERR_INVAL;
    size = dx_cas_object_size(buf, len, &method);
    if (size < 0) return size;
    if ((uint64_t)size > (uint64_t)cap) return DX_ERR_NOSPACE;
    if (method == DX_CAS_OBJECT_METHOD_RAW) {
        size_t off = dxi_cas_object_magic(buf, len) ? DX_CAS_OBJECT_OFF_PAYLOAD : 0;
        if (size) DX_MEMMOVE(out, buf + off, (size_t)size);
        return size;
    }
#if defined(DX_CAS_WITH_ZSTD)
    {
        size_t got = zstd_dctx ? ZSTD_decompressDCtx((ZSTD_DCtx *)zstd_dctx, out, (size_t)size,
                                                     buf + DX_CAS_OBJECT_OFF_PAYLOAD, len - DX_CAS_OBJECT_OFF_PAYLOAD)
                               : ZSTD_decompress(out, (size_t)size, buf + DX_CAS_OBJECT_OFF_PAYLOAD,
                                                 len - DX_CAS_OBJECT_OFF_PAYLOAD);
        if (ZSTD_isError(got) || got != (size_t)size) {
            DX_MEMSET(out, 0, (size_t)size);
            return DX_ERR_CORRUPT;
        }
        return size;
    }
#else
    (void)zstd_dctx;
    return DX_ERR_UNSUPPORTED; /* a compressed object: build with DX_CAS_WITH_ZSTD */
#endif
}

/* ---- packs ("DXCK", WIRE FORMAT): the directory store's files of many objects ---- */

DXI_PRIVATE dx_result dxi_cas_pack_header_check(const uint8_t *buf) {
    if (DX_MEMCMP(buf + DX_CAS_PACK_OFF_MAGIC, "DXCK", 4) != 0) return DX_CAS_ERR_MAGIC;
    if (buf[DX_CAS_PACK_OFF_MAJOR] != DX_CAS_FORMAT_MAJOR || dx_load_u16le(buf + DX_CAS_PACK_OFF_FLAGS) != 0)
        return DX_ERR_UNSUPPORTED;
    return DX_OK;
}

/* tail: the pack's last len bytes (len <= pack_size). The trailer first: magic,
   version, flags, the count against the file size and the index offset; with
   fewer bytes than trailer + index, DX_ERR_TRUNCATED and out->count and
   out->index_offset say how many to read (pack_size - index_offset). Then the
   checksum, and every entry: a known id, flags 0, ids strictly increasing, the
   stored form inside the records area, the stored bytes in all not more than
   that area. With the whole pack (len == pack_size) its header too. */
DX_CAS_API dx_result dx_cas_pack_parse(const uint8_t *tail, size_t len, uint64_t pack_size, uint32_t cpu,
                                       dx_cas_pack_index *out) {
    const uint8_t *t, *index;
    uint64_t count, index_off, area;
    uint32_t i;
    dx_cas_sha256 h;
    uint8_t sum[32];
    if ((len && !tail) || !out || (uint64_t)len > pack_size) return DX_ERR_INVAL;
    DX_MEMSET(out, 0, sizeof *out);
    if (len < DX_CAS_PACK_TRAILER_SIZE) return pack_size < DX_CAS_PACK_TRAILER_SIZE ? (dx_result)DX_ERR_CORRUPT : DX_ERR_TRUNCATED;
    t = tail + len - DX_CAS_PACK_TRAILER_SIZE;
    if (DX_MEMCMP(t + DX_CAS_PACK_TRAILER_OFF_MAGIC, "DXCI", 4) != 0) return DX_CAS_ERR_MAGIC;
    if (t[DX_CAS_PACK_TRAILER_OFF_MAJOR] != DX_CAS_FORMAT_MAJOR || dx_load_u32le(t + DX_CAS_PACK_TRAILER_OFF_FLAGS) != 0 ||
        dx_load_u16le(t + DX_CAS_PACK_TRAILER_OFF_RESERVED) != 0)
        return DX_ERR_UNSUPPORTED;
    if (pack_size < (uint64_t)DX_CAS_PACK_HEADER_SIZE + (uint64_t)DX_CAS_PACK_TRAILER_SIZE) return DX_ERR_CORRUPT;
    count = dx_load_u32le(t + DX_CAS_PACK_TRAILER_OFF_COUNT);
    index_off = dx_load_u64le(t + DX_CAS_PACK_TRAILER_OFF_INDEX);
    area = pack_size - DX_CAS_PACK_HEADER_SIZE - DX_CAS_PACK_TRAILER_SIZE; /* records and index */
    if ((uint64_t)count * DX_CAS_PACK_ENTRY_SIZE > area) return DX_ERR_CORRUPT; /* no 64-bit division on small CPUs */
    if (index_off != pack_size - DX_CAS_PACK_TRAILER_SIZE - count * DX_CAS_PACK_ENTRY_SIZE) return DX_ERR_CORRUPT;
    out->pack_size = pack_size, out->index_offset = index_off, out->count = (uint32_t)count;
    if ((uint64_t)len - DX_CAS_PACK_TRAILER_SIZE < count * DX_CAS_PACK_ENTRY_SIZE) return DX_ERR_TRUNCATED;
    index = t - (size_t)count * DX_CAS_PACK_ENTRY_SIZE;
    if ((uint64_t)len == pack_size) { /* the whole pack: its header too */
        dx_result r = dxi_cas_pack_header_check(tail);
        if (r != DX_OK) return r;
    }
    dx_cas_sha256_init(&h, cpu);
    dx_cas_sha256_update(&h, index, (size_t)(count * DX_CAS_PACK_ENTRY_SIZE) + DX_CAS_PACK_TRAILER_OFF_SUM);
    dx_cas_sha256_final(&h, sum);
    if (DX_MEMCMP(sum, t + DX_CAS_PACK_TRAILER_OFF_SUM, 32) != 0) return DX_ERR_CHECKSUM;
    for (i = 0; i < (uint32_t)count; i++) {
        const uint8_t *e = index + (size_t)i * DX_CAS_PACK_ENTRY_SIZE;
        dx_cas_id id;
        int64_t n = dx_cas_id_decode(e + DX_CAS_PACK_ENTRY_OFF_ID, DX_CAS_ID_SIZE, &id);
        uint64_t off = dx_load_u64le(e + DX_CAS_PACK_ENTRY_OFF_OFFSET);
        uint64_t stored = dx_load_u32le(e + DX_CAS_PACK_ENTRY_OFF_STORED), inner;
        if (n < 0) return n == DX_ERR_UNSUPPORTED ? (dx_result)DX_ERR_UNSUPPORTED : (dx_result)DX_ERR_CORRUPT;
        if (dx_load_u16le(e + DX_CAS_PACK_ENTRY_OFF_FLAGS) != 0) return DX_ERR_UNSUPPORTED;
        if (i > 0 && DX_MEMCMP(e - DX_CAS_PACK_ENTRY_SIZE, e, DX_CAS_ID_SIZE) >= 0) return DX_ERR_CORRUPT; /* order, no twice */
        if (off < DX_CAS_PACK_HEADER_SIZE || off > index_off || stored > index_off - off) return DX_ERR_CORRUPT;
        inner = dx_load_u32le(e + DX_CAS_PACK_ENTRY_OFF_INNER);
        if (inner > 0 && inner + dx_load_u32le(e + DX_CAS_PACK_ENTRY_OFF_SIZE) > DX_CAS_PACK_RECORD_MAX)
            return DX_ERR_CORRUPT; /* inside a shared record, past the largest one */
    }
    DX_MEMCPY(out->sum, t + DX_CAS_PACK_TRAILER_OFF_SUM, 32);
    out->entries = index;
    return DX_OK;
}

DX_CAS_API void dx_cas_pack_index_entry(const dx_cas_pack_index *p, uint32_t i, dx_cas_pack_entry *out) {
    const uint8_t *e;
    DX_MEMSET(out, 0, sizeof *out);
    if (!p || !p->entries || i >= p->count) return;
    e = p->entries + (size_t)i * DX_CAS_PACK_ENTRY_SIZE;
    (void)dx_cas_id_decode(e + DX_CAS_PACK_ENTRY_OFF_ID, DX_CAS_ID_SIZE, &out->id);
    out->offset = dx_load_u64le(e + DX_CAS_PACK_ENTRY_OFF_OFFSET);
    out->stored = dx_load_u32le(e + DX_CAS_PACK_ENTRY_OFF_STORED);
    out->size = dx_load_u32le(e + DX_CAS_PACK_ENTRY_OFF_SIZE);
    out->inner = dx_load_u32le(e + DX_CAS_PACK_ENTRY_OFF_INNER);
}

/* ---- the runtime allocator (a config's dx_allocator; zeroed: DX_MALLOC) ---- */

DXI_PRIVATE void *dxi_cas_alloc(const dx_allocator *a, size_t n) {
    if (a && a->alloc) return a->alloc(n, a->user);
#if !defined(DX_NO_MALLOC)
    return DX_MALLOC(n, a ? a->user : NULL);
#else
    return NULL;
#endif
}
DXI_PRIVATE void dxi_cas_free(const dx_allocator *a, void *p, size_t n) {
    if (!p) return;
    if (a && a->free) {
        a->free(p, n, a->user);
        return;
    }
#if !defined(DX_NO_MALLOC)
    DX_FREE(p, n, a ? a->user : NULL);
#else
    (void)n;
#endif
}

/* ---- memory store ----
   One block: nslots slots (a power of two, at least twice max_objects; open
   addressing, linear probing on the digest), then the arena. Each object is
   a record: u32 length, u32 slot, the bytes, padding to 8. A delete leaves
   its record as garbage; when the arena is full the live records slide down. */

#define DXI_CAS_MEM_HDR 8u /* a record: u32 length at DXI_CAS_MEM_OFF_LEN, u32 slot at DXI_CAS_MEM_OFF_SLOT */
enum { DXI_CAS_MEM_OFF_LEN = 0, DXI_CAS_MEM_OFF_SLOT = 4 };
#define DXI_CAS_MEM_ALIGN(n) (((n) + 7u) & ~(size_t)7u)

DXI_PRIVATE uint32_t dxi_cas_mem_nslots(uint32_t max_objects) {
    uint32_t n = 8;
    while (n < 2u * max_objects && n < 0x80000000u) n <<= 1;
    return n;
}

DX_CAS_API size_t dx_cas_mem_memory_size(const dx_cas_mem_config *cfg) {
    uint32_t objs = DXI_DEF(cfg ? cfg->max_objects : 0u, 1024u);
    size_t bytes = DXI_DEF(cfg ? cfg->max_bytes : 0u, (size_t)1 << 20);
    if (objs > 0x40000000u) return 0;
    return (size_t)dxi_cas_mem_nslots(objs) * sizeof(dx_cas_mem_slot) + DXI_CAS_MEM_ALIGN(bytes) +
           (size_t)objs * (DXI_CAS_MEM_HDR + 8u) + 8u;
}

DX_CAS_API dx_result dx_cas_mem_init(dx_cas_mem *m, const dx_cas_mem_config *cfg, void *mem, size_t mem_size) {
    uint32_t objs = DXI_DEF(cfg ? cfg->max_objects : 0u, 1024u);
    size_t need = dx_cas_mem_memory_size(cfg), table;
    uintptr_t skew;
    if (!m || !mem || need == 0) return DX_ERR_INVAL;
    skew = (uintptr_t)mem & 7u; /* 8-byte alignment for the slots */
    if (mem_size < need) return DX_ERR_NOSPACE;
    DX_MEMSET(m, 0, sizeof *m);
    m->memory = mem;
    m->memory_size = mem_size;
    mem = (uint8_t *)mem + (skew ? 8u - skew : 0u);
    m->nslots = dxi_cas_mem_nslots(objs);
    table = (size_t)m->nslots * sizeof(dx_cas_mem_slot);
    m->slots = (dx_cas_mem_slot *)mem;
    DX_MEMSET(m->slots, 0, table);
    m->arena = (uint8_t *)mem + table;
    m->arena_size = need - 8u - table;
    if (cfg) m->allocator = cfg->allocator;
    return DX_OK;
}

DX_CAS_API dx_result dx_cas_mem_create(dx_cas_mem *m, const dx_cas_mem_config *cfg) {
    size_t need = dx_cas_mem_memory_size(cfg);
    dx_allocator a;
    void *mem;
    dx_result r;
    if (!m || need == 0) return DX_ERR_INVAL;
    DX_MEMSET(&a, 0, sizeof a);
    if (cfg) a = cfg->allocator;
    if (!a.alloc != !a.free) return DX_ERR_INVAL;
    if (!(mem = dxi_cas_alloc(&a, need))) return DX_ERR_NOMEM;
    r = dx_cas_mem_init(m, cfg, mem, need);
    if (r != DX_OK) {
        dxi_cas_free(&a, mem, need);
        return r;
    }
    m->owns_memory = true;
    return DX_OK;
}

DX_CAS_API void dx_cas_mem_destroy(dx_cas_mem *m) {
    if (!m || !m->owns_memory) return;
    dxi_cas_free(&m->allocator, m->memory, m->memory_size);
    DX_MEMSET(m, 0, sizeof *m);
}

/* the slot of id, or of the first free place for it (*out_found says which); -1 if the table is full */
DXI_PRIVATE int64_t dxi_cas_mem_find(const dx_cas_mem *m, const dx_cas_id *id, bool *out_found) {
    uint32_t mask = m->nslots - 1, i = dx_load_u32le(id->digest) & mask, k;
    int64_t free_slot = -1;
    for (k = 0; k < m->nslots; k++, i = (i + 1) & mask) {
        const dx_cas_mem_slot *s = &m->slots[i];
        if (s->state == 0) {
            *out_found = false;
            return free_slot >= 0 ? free_slot : (int64_t)i;
        }
        if (s->state == 2) {
            if (free_slot < 0) free_slot = (int64_t)i;
        } else if (dx_cas_id_equal(&s->id, id)) {
            *out_found = true;
            return (int64_t)i;
        }
    }
    *out_found = false;
    return free_slot;
}

DXI_PRIVATE void dxi_cas_mem_compact(dx_cas_mem *m) {
    size_t rd = 0, wr = 0;
    while (rd < m->arena_used) {
        uint32_t len = dx_load_u32le(m->arena + rd + DXI_CAS_MEM_OFF_LEN);
        uint32_t slot = dx_load_u32le(m->arena + rd + DXI_CAS_MEM_OFF_SLOT);
        size_t rec = DXI_CAS_MEM_ALIGN(DXI_CAS_MEM_HDR + (size_t)len);
        if (slot < m->nslots && m->slots[slot].state == 1 && m->slots[slot].off == (uint64_t)rd) {
            if (wr != rd) DX_MEMMOVE(m->arena + wr, m->arena + rd, rec);
            m->slots[slot].off = (uint64_t)wr;
            wr += rec;
        }
        rd += rec;
    }
    m->arena_used = wr;
    m->garbage = 0;
}

DXI_PRIVATE dx_result dxi_cas_mem_put(void *self, const dx_cas_id *id, const void *data, size_t len) {
    dx_cas_mem *m = (dx_cas_mem *)self;
    bool found;
    int64_t at = dxi_cas_mem_find(m, id, &found);
    size_t rec = DXI_CAS_MEM_ALIGN(DXI_CAS_MEM_HDR + len);
    dx_cas_mem_slot *s;
    if (found) return DX_OK;
    if (len > 0xffffffffu || at < 0 || m->live >= m->nslots / 2) return DX_ERR_NOSPACE;
    if (rec > m->arena_size - m->arena_used) {
        if (rec > m->arena_size - m->arena_used + m->garbage) return DX_ERR_NOSPACE;
        dxi_cas_mem_compact(m);
    }
    s = &m->slots[at];
    if (s->state == 0) m->used_slots++;
    s->id = *id;
    s->off = (uint64_t)m->arena_used;
    s->len = (uint32_t)len;
    s->state = 1;
    dx_store_u32le(m->arena + m->arena_used + DXI_CAS_MEM_OFF_LEN, (uint32_t)len);
    dx_store_u32le(m->arena + m->arena_used + DXI_CAS_MEM_OFF_SLOT, (uint32_t)at);
    if (len) DX_MEMCPY(m->arena + m->arena_used + DXI_CAS_MEM_HDR, data, len);
    m->arena_used += rec;
    m->live++;
    return DX_OK;
}

DXI_PRIVATE int64_t dxi_cas_mem_get(void *self, const dx_cas_id *id, void *buf, size_t cap) {
    dx_cas_mem *m = (dx_cas_mem *)self;
    bool found;
    int64_t at = dxi_cas_mem_find(m, id, &found);
    const dx_cas_mem_slot *s;
    if (!found) return DX_ERR_NOTFOUND;
    s = &m->slots[at];
    if (s->len > cap) return DX_ERR_NOSPACE;
    if (s->len) DX_MEMCPY(buf, m->arena + (size_t)s->off + DXI_CAS_MEM_HDR, s->len);
    return (int64_t)s->len;
}

DXI_PRIVATE int64_t dxi_cas_mem_has(void *self, const dx_cas_id *id) {
    dx_cas_mem *m = (dx_cas_mem *)self;
    bool found;
    int64_t at = dxi_cas_mem_find(m, id, &found);
    return found ? (int64_t)m->slots[at].len : (int64_t)DX_ERR_NOTFOUND;
}

DXI_PRIVATE dx_result dxi_cas_mem_delete(void *self, const dx_cas_id *id) {
    dx_cas_mem *m = (dx_cas_mem *)self;
    bool found;
    int64_t at = dxi_cas_mem_find(m, id, &found);
    if (!found) return DX_ERR_NOTFOUND;
    m->slots[at].state = 2;
    m->live--;
    m->garbage += DXI_CAS_MEM_ALIGN(DXI_CAS_MEM_HDR + (size_t)m->slots[at].len);
    if (m->live == 0) { /* empty: start over, tombstones and all */
        DX_MEMSET(m->slots, 0, (size_t)m->nslots * sizeof(dx_cas_mem_slot));
        m->used_slots = 0;
        m->arena_used = 0;
        m->garbage = 0;
    }
    return DX_OK;
}

DXI_PRIVATE dx_result dxi_cas_mem_iterate(void *self, dx_cas_iter_fn fn, void *user) {
    dx_cas_mem *m = (dx_cas_mem *)self;
    uint32_t i;
    for (i = 0; i < m->nslots; i++) {
        if (m->slots[i].state == 1) {
            dx_cas_id id = m->slots[i].id; /* the callback may delete it */
            dx_result r = fn(user, &id, m->slots[i].len);
            if (r != DX_OK) return r;
        }
    }
    return DX_OK;
}

static const dx_cas_store_vtable dxi_cas_mem_vtable = {dxi_cas_mem_put, dxi_cas_mem_get, dxi_cas_mem_has,
                                                       dxi_cas_mem_delete, dxi_cas_mem_iterate, NULL};

DX_CAS_API dx_result dx_cas_mem_store(dx_cas_mem *m, const dx_cas_hash_alg *alg, dx_cas_store *out) {
    dx_cas_store_config sc;
    if (!m || !m->slots) return DX_ERR_INVAL;
    DX_MEMSET(&sc, 0, sizeof sc);
    sc.vtable = &dxi_cas_mem_vtable, sc.self = m, sc.hash_alg = alg, sc.allocator = m->allocator;
    return dx_cas_store_init(out, &sc);
}

/* ---- blobs: chunks plus a manifest ---- */


DXI_PRIVATE void dxi_cas_limits(const dx_cas_limits *lim, dx_cas_limits *out) {
    DX_MEMSET(out, 0, sizeof *out);
    if (lim) *out = *lim;
    out->max_chunks = DXI_DEF(out->max_chunks, (uint64_t)1 << 22);
    out->max_chunk_size = DXI_DEF(out->max_chunk_size, 16u << 20);
    out->max_total = DXI_DEF(out->max_total, (uint64_t)1 << 40);
}

DX_CAS_API void dx_cas_chunk_leaf(const dx_cas_hash_alg *alg, const dx_cas_id *chunk_id, uint8_t out[32]) {
    dx_cas_merkle_leaf(alg, chunk_id->digest, DX_CAS_HASH_SIZE, out);
}

/* A PARTS manifest's entries (m has the header): every part but the last holds the same
   power of two of chunks, the last at most as many; counts, sizes and the roots' Merkle root
   agree with the header. */
DXI_PRIVATE dx_result dxi_cas_parts_parse(const dx_cas_hash_alg *alg, size_t body, const dx_cas_limits *l,
                                          dx_cas_manifest *m) {
    dx_cas_merkle tree;
    uint8_t root[DX_CAS_HASH_SIZE];
    uint64_t i, chunks = 0, bytes = 0;
    uint32_t span = 0;
    if (body % DX_CAS_PART_ENTRY_SIZE != 0) return DX_ERR_CORRUPT;
    m->parts = (uint64_t)(body / DX_CAS_PART_ENTRY_SIZE);
    if (m->parts > l->max_chunks) return DX_ERR_LIMIT; /* the entries of one object */
    if (m->parts < 2) return DX_ERR_CORRUPT;           /* one part is a manifest without flags */
    dx_cas_merkle_init(&tree, alg);
    for (i = 0; i < m->parts; i++) {
        const uint8_t *e = m->entries + (size_t)i * DX_CAS_PART_ENTRY_SIZE;
        uint64_t size = dx_load_u64le(e + DX_CAS_PART_OFF_SIZE);
        uint32_t count = dx_load_u32le(e + DX_CAS_PART_OFF_COUNT);
        if (count == 0 || count > l->max_chunks || size > (uint64_t)count * l->max_chunk_size) return DX_ERR_LIMIT;
        if (i == 0) span = count;
        if (span < 2 || (span & (span - 1)) != 0 || (i + 1 < m->parts ? count != span : count > span) || size < count)
            return DX_ERR_CORRUPT;
        chunks += count, bytes += size;
        if (bytes > m->total_size) return DX_ERR_CORRUPT;
        dx_cas_merkle_push(&tree, e + DX_CAS_PART_OFF_ROOT); /* a part is a whole subtree: its root stands for it */
    }
    if (chunks != m->count || bytes != m->total_size) return DX_ERR_CORRUPT;
    dx_cas_merkle_root(&tree, root);
    return DX_MEMCMP(root, m->root, DX_CAS_HASH_SIZE) == 0 ? DX_OK : DX_ERR_CHECKSUM;
}

DX_CAS_API dx_result dx_cas_manifest_parse(const dx_cas_hash_alg *alg, const uint8_t *buf, size_t len,
                                           const dx_cas_limits *lim, dx_cas_manifest *out) {
    dx_cas_limits l;
    dx_cas_manifest m;
    dx_cas_merkle tree;
    uint8_t root[DX_CAS_HASH_SIZE];
    uint64_t i, sum = 0;
    dx_result r;
    if (!alg || (!buf && len) || !out) return DX_ERR_INVAL;
    dxi_cas_limits(lim, &l);
    if ((r = dxi_cas_head_check(buf, len, "DXCM", DX_CAS_MANIFEST_HEADER_SIZE)) != DX_OK) return r;
    if ((buf[DX_CAS_MANIFEST_OFF_FLAGS] & ~DX_CAS_MANIFEST_PARTS) != 0) return DX_ERR_UNSUPPORTED;
    DX_MEMSET(&m, 0, sizeof m);
    m.alg = buf[DX_CAS_MANIFEST_OFF_ALG];
    if (m.alg != alg->alg) return DX_ERR_UNSUPPORTED;
    m.total_size = dx_load_u64le(buf + DX_CAS_MANIFEST_OFF_TOTAL_SIZE);
    m.count = dx_load_u64le(buf + DX_CAS_MANIFEST_OFF_COUNT);
    DX_MEMCPY(m.root, buf + DX_CAS_MANIFEST_OFF_ROOT, DX_CAS_HASH_SIZE);
    m.entries = buf + DX_CAS_MANIFEST_OFF_ENTRIES;
    if (m.total_size > l.max_total) return DX_ERR_LIMIT;
    if (buf[DX_CAS_MANIFEST_OFF_FLAGS] & DX_CAS_MANIFEST_PARTS) {
        if ((r = dxi_cas_parts_parse(alg, len - DX_CAS_MANIFEST_HEADER_SIZE, &l, &m)) != DX_OK) return r;
        *out = m;
        return DX_OK;
    }
    if (m.count > l.max_chunks) return DX_ERR_LIMIT;
    if ((uint64_t)((len - DX_CAS_MANIFEST_HEADER_SIZE) / DX_CAS_MANIFEST_ENTRY_SIZE) < m.count) return DX_ERR_TRUNCATED;
    if ((uint64_t)(len - DX_CAS_MANIFEST_HEADER_SIZE) != m.count * DX_CAS_MANIFEST_ENTRY_SIZE) return DX_ERR_CORRUPT;
    dx_cas_merkle_init(&tree, alg);
    for (i = 0; i < m.count; i++) {
        const uint8_t *e = m.entries + (size_t)i * DX_CAS_MANIFEST_ENTRY_SIZE;
        uint32_t clen = dx_load_u32le(e + DX_CAS_MANIFEST_ENTRY_OFF_LENGTH);
        dx_cas_id id;
        uint8_t leaf[DX_CAS_HASH_SIZE];
        if (clen == 0 || clen > l.max_chunk_size) return DX_ERR_LIMIT;
        sum += clen;
        if (sum > m.total_size) return DX_ERR_CORRUPT;
        id.alg = m.alg;
        DX_MEMCPY(id.digest, e + DX_CAS_MANIFEST_ENTRY_OFF_DIGEST, DX_CAS_HASH_SIZE);
        dx_cas_chunk_leaf(alg, &id, leaf);
        dx_cas_merkle_push(&tree, leaf);
    }
    if (sum != m.total_size) return DX_ERR_CORRUPT;
    dx_cas_merkle_root(&tree, root);
    if (DX_MEMCMP(root, m.root, DX_CAS_HASH_SIZE) != 0) return DX_ERR_CHECKSUM;
    *out = m;
    return DX_OK;
}

DX_CAS_API void dx_cas_manifest_entry(const dx_cas_manifest *m, uint64_t i, dx_cas_id *out_id, uint32_t *out_len) {
    const uint8_t *e = m->entries + (size_t)i * DX_CAS_MANIFEST_ENTRY_SIZE;
    if (out_len) *out_len = dx_load_u32le(e + DX_CAS_MANIFEST_ENTRY_OFF_LENGTH);
    if (out_id) {
        out_id->alg = m->alg;
        DX_MEMCPY(out_id->digest, e + DX_CAS_MANIFEST_ENTRY_OFF_DIGEST, DX_CAS_HASH_SIZE);
    }
}

DX_CAS_API void dx_cas_manifest_part(const dx_cas_manifest *m, uint64_t i, dx_cas_part *out) {
    const uint8_t *e = m->entries + (size_t)i * DX_CAS_PART_ENTRY_SIZE;
    out->id.alg = m->alg;
    DX_MEMCPY(out->id.digest, e + DX_CAS_PART_OFF_DIGEST, DX_CAS_HASH_SIZE);
    out->size = dx_load_u64le(e + DX_CAS_PART_OFF_SIZE);
    out->count = dx_load_u32le(e + DX_CAS_PART_OFF_COUNT);
    DX_MEMCPY(out->root, e + DX_CAS_PART_OFF_ROOT, DX_CAS_HASH_SIZE);
}

/* the bytes of a manifest object with n entries of entry_size, saturated */
DXI_PRIVATE uint64_t dxi_cas_manifest_bound(uint64_t n, uint64_t entry_size) { /* entry_size < 2^7 */
    return n >= (uint64_t)1 << 56 ? UINT64_MAX : DX_CAS_MANIFEST_HEADER_SIZE + n * entry_size;
}

/* Reads an object whose size is not known yet, at most max bytes, into allocated memory. */
DXI_PRIVATE int64_t dxi_cas_fetch(dx_cas_store *s, const dx_cas_id *id, uint64_t max, uint8_t **out, size_t *out_cap) {
    const dx_allocator *a = &s->allocator;
    int64_t size = dx_cas_store_has(s, id), n;
    if (size < 0) return size;
    if ((uint64_t)size > max || (uint64_t)size > (uint64_t)(SIZE_MAX - 1)) return DX_ERR_LIMIT;
    *out_cap = (size_t)size ? (size_t)size : 1u;
    *out = (uint8_t *)dxi_cas_alloc(a, *out_cap);
    if (!*out) return DX_ERR_NOMEM;
    n = dx_cas_store_get(s, id, *out, *out_cap);
    if (n < 0) {
        dxi_cas_free(a, *out, *out_cap);
        *out = NULL;
    }
    return n;
}

DXI_PRIVATE uint32_t dxi_cas_longest(const dx_cas_manifest *m) {
    uint32_t longest = 0, len;
    uint64_t i;
    for (i = 0; i < m->count; i++) {
        dx_cas_manifest_entry(m, i, NULL, &len);
        if (len > longest) longest = len;
    }
    return longest;
}

DX_CAS_API void dx_cas_chunk_iter_close(dx_cas_chunk_iter *it) {
    if (!it || !it->store) return;
    dxi_cas_free(&it->store->allocator, it->cur, it->cur_cap);
    dxi_cas_free(&it->store->allocator, it->top, it->top_cap);
    DX_MEMSET(it, 0, sizeof *it);
}

DX_CAS_API dx_result dx_cas_chunk_iter_open(dx_cas_chunk_iter *it, dx_cas_store *s, const dx_cas_id *manifest_id,
                                            const dx_cas_limits *lim) {
    int64_t n;
    dx_result r;
    if (!it || !s || !manifest_id) return DX_ERR_INVAL;
    DX_MEMSET(it, 0, sizeof *it);
    it->store = s;
    dxi_cas_limits(lim, &it->lim);
    n = dxi_cas_fetch(s, manifest_id, dxi_cas_manifest_bound(it->lim.max_chunks, DX_CAS_PART_ENTRY_SIZE), &it->top,
                      &it->top_cap);
    if (n < 0) {
        it->store = NULL;
        return (dx_result)n;
    }
    if ((r = dx_cas_manifest_parse(&s->hash_alg, it->top, (size_t)n, &it->lim, &it->m)) != DX_OK) {
        dx_cas_chunk_iter_close(it);
        return r;
    }
    if (!it->m.parts) {
        it->part = it->m;
        it->longest = dxi_cas_longest(&it->part);
    }
    return DX_OK;
}

/* the next part, checked against its entry */
DXI_PRIVATE dx_result dxi_cas_iter_part(dx_cas_chunk_iter *it) {
    dx_cas_part p;
    int64_t n;
    dx_result r;
    dx_cas_manifest_part(&it->m, it->next_part, &p);
    dxi_cas_free(&it->store->allocator, it->cur, it->cur_cap);
    it->cur = NULL, it->cur_cap = 0;
    n = dxi_cas_fetch(it->store, &p.id, dxi_cas_manifest_bound(p.count, DX_CAS_MANIFEST_ENTRY_SIZE), &it->cur, &it->cur_cap);
    if (n < 0) return (dx_result)n;
    if ((r = dx_cas_manifest_parse(&it->store->hash_alg, it->cur, (size_t)n, &it->lim, &it->part)) != DX_OK) return r;
    if (it->part.parts || it->part.count != p.count || it->part.total_size != p.size ||
        DX_MEMCMP(it->part.root, p.root, DX_CAS_HASH_SIZE) != 0)
        return DX_ERR_CORRUPT;
    it->next_part++, it->next = 0;
    it->longest = dxi_cas_longest(&it->part);
    return DX_OK;
}

DX_CAS_API int dx_cas_chunk_iter_next(dx_cas_chunk_iter *it, dx_cas_id *out_id, uint32_t *out_len) {
    uint32_t len;
    if (!it || !it->store) return DX_ERR_INVAL;
    if (it->error) return it->error;
    while (it->next == it->part.count) {
        dx_result r;
        if (!it->m.parts || it->next_part == it->m.parts) return 0;
        if ((r = dxi_cas_iter_part(it)) != DX_OK) return it->error = r;
    }
    dx_cas_manifest_entry(&it->part, it->next++, out_id, &len);
    it->offset += len;
    if (out_len) *out_len = len;
    return 1;
}

/* The writer's memory: the buffer (the longest chunk, plus room to take input in large
   pieces), the part under way (cfg->max_chunks entries, at most a part's; 64 to begin with
   when it may grow), then the part entries of a bounded blob of more than one part (none to
   begin with when it may grow). */
#define DXI_CAS_BLOB_SLACK 65536u
DXI_PRIVATE dx_result dxi_cas_blob_sizes(const dx_cas_blob_writer_config *cfg, size_t *buf_cap, size_t *man_cap,
                                         size_t *top_cap) {
    dx_cas_chunker ch;
    uint64_t entries, parts, span;
    unsigned shift = 0;
    dx_result r;
    if (!cfg || !cfg->store) return DX_ERR_INVAL;
    if ((r = dx_cas_chunker_init(&ch, &cfg->chunker)) != DX_OK) return r;
    span = DXI_DEF(cfg->part_chunks, DX_CAS_PART_CHUNKS);
    if (span < 2 || (span & (span - 1)) != 0) return DX_ERR_INVAL;
    *buf_cap = (size_t)ch.max_size + DXI_CAS_BLOB_SLACK;
    entries = DXI_DEF(cfg->max_chunks, 64u);
    if (entries > span) entries = span;
    while (((uint64_t)1 << shift) < span) shift++; /* span is a power of two: no 64-bit division (firmware) */
    parts = cfg->max_chunks > span ? ((cfg->max_chunks - 1) >> shift) + 1 : 0;
    if (parts > (SIZE_MAX / 2 - DX_CAS_MANIFEST_HEADER_SIZE) / DX_CAS_PART_ENTRY_SIZE) return DX_ERR_LIMIT;
    *man_cap = DX_CAS_MANIFEST_HEADER_SIZE + (size_t)entries * DX_CAS_MANIFEST_ENTRY_SIZE;
    *top_cap = parts ? DX_CAS_MANIFEST_HEADER_SIZE + (size_t)parts * DX_CAS_PART_ENTRY_SIZE : 0;
    if (*top_cap > SIZE_MAX - *buf_cap - *man_cap) return DX_ERR_LIMIT;
    return DX_OK;
}

DX_CAS_API size_t dx_cas_blob_writer_memory_size(const dx_cas_blob_writer_config *cfg) {
    size_t buf_cap, man_cap, top_cap;
    return dxi_cas_blob_sizes(cfg, &buf_cap, &man_cap, &top_cap) == DX_OK ? buf_cap + man_cap + top_cap : 0;
}

/* init over mem; create's blocks may grow (grows), caller memory may not */
DXI_PRIVATE dx_result dxi_cas_blob_writer_setup(dx_cas_blob_writer *w, const dx_cas_blob_writer_config *cfg,
                                                void *mem, size_t mem_size, bool grows) {
    size_t buf_cap, man_cap, top_cap;
    dx_result r;
    if (!w || !mem) return DX_ERR_INVAL;
    if ((r = dxi_cas_blob_sizes(cfg, &buf_cap, &man_cap, &top_cap)) != DX_OK) return r;
    if (mem_size < buf_cap + man_cap + top_cap) return DX_ERR_NOSPACE;
    DX_MEMSET(w, 0, sizeof *w);
    dx_cas_chunker_init(&w->chunker, &cfg->chunker); /* checked by dxi_cas_blob_sizes */
    w->store = cfg->store;
    dx_cas_merkle_init(&w->tree, &cfg->store->hash_alg);
    dx_cas_merkle_init(&w->part_tree, &cfg->store->hash_alg);
    w->allocator = cfg->allocator;
    w->buf = (uint8_t *)mem;
    w->buf_cap = buf_cap;
    w->manifest = w->buf + buf_cap;
    w->man_cap = man_cap;
    w->man_len = DX_CAS_MANIFEST_HEADER_SIZE;
    w->top = top_cap ? w->manifest + man_cap : NULL;
    w->top_cap = top_cap;
    w->top_len = DX_CAS_MANIFEST_HEADER_SIZE;
    w->grows = grows;
    w->part_chunks = DXI_DEF(cfg->part_chunks, DX_CAS_PART_CHUNKS);
    w->max_chunks = cfg->max_chunks;
    return DX_OK;
}

DX_CAS_API dx_result dx_cas_blob_writer_init(dx_cas_blob_writer *w, const dx_cas_blob_writer_config *cfg, void *mem,
                                             size_t mem_size) {
    if (!cfg || cfg->max_chunks == 0) return DX_ERR_INVAL; /* caller memory holds a bounded blob only */
    return dxi_cas_blob_writer_setup(w, cfg, mem, mem_size, false);
}

DX_CAS_API dx_result dx_cas_blob_writer_create(dx_cas_blob_writer *w, const dx_cas_blob_writer_config *cfg) {
    size_t need = dx_cas_blob_writer_memory_size(cfg);
    void *mem;
    dx_result r;
    if (!w || need == 0 || !cfg->allocator.alloc != !cfg->allocator.free) return DX_ERR_INVAL;
    if (!(mem = dxi_cas_alloc(&cfg->allocator, need))) return DX_ERR_NOMEM;
    if ((r = dxi_cas_blob_writer_setup(w, cfg, mem, need, cfg->max_chunks == 0)) != DX_OK) {
        dxi_cas_free(&cfg->allocator, mem, need);
        return r;
    }
    w->memory = mem;
    w->memory_size = need;
    return DX_OK;
}

/* Room for one more entry of size in a block (the part under way, or the part entries):
   a block twice the size (at least first), if the writer may grow. */
DXI_PRIVATE dx_result dxi_cas_blob_room(dx_cas_blob_writer *w, uint8_t **block, size_t len, size_t *cap, bool *separate,
                                        size_t size, size_t first) {
    size_t grown = *cap ? *cap * 2 : first;
    uint8_t *b;
    if (*cap >= len + size) return DX_OK;
    if (!w->grows) return DX_ERR_LIMIT; /* max_chunks */
    if (grown < *cap || !(b = (uint8_t *)dxi_cas_alloc(&w->allocator, grown))) return DX_ERR_NOMEM;
    if (*cap) DX_MEMCPY(b, *block, len); /* none yet: the header is written at the end */
    if (*separate) dxi_cas_free(&w->allocator, *block, *cap);
    *block = b, *cap = grown, *separate = true;
    return DX_OK;
}

DXI_PRIVATE void dxi_cas_manifest_head(uint8_t *m, uint32_t alg, uint8_t flags, uint64_t total, uint64_t count,
                                       const uint8_t root[32]) {
    dxi_cas_head_write(m, "DXCM");
    m[DX_CAS_MANIFEST_OFF_ALG] = (uint8_t)alg;
    m[DX_CAS_MANIFEST_OFF_FLAGS] = flags;
    dx_store_u64le(m + DX_CAS_MANIFEST_OFF_TOTAL_SIZE, total);
    dx_store_u64le(m + DX_CAS_MANIFEST_OFF_COUNT, count);
    DX_MEMCPY(m + DX_CAS_MANIFEST_OFF_ROOT, root, DX_CAS_HASH_SIZE);
}

/* The part under way is stored, its entry added to the part entries, and a new one begun. */
DXI_PRIVATE dx_result dxi_cas_blob_part_out(dx_cas_blob_writer *w) {
    uint64_t count = (w->man_len - DX_CAS_MANIFEST_HEADER_SIZE) / DX_CAS_MANIFEST_ENTRY_SIZE;
    uint8_t root[DX_CAS_HASH_SIZE], *e;
    dx_cas_id id;
    dx_result r = dxi_cas_blob_room(w, &w->top, w->top_len, &w->top_cap, &w->top_separate, DX_CAS_PART_ENTRY_SIZE,
                                    DX_CAS_MANIFEST_HEADER_SIZE + 16 * DX_CAS_PART_ENTRY_SIZE);
    if (r != DX_OK) return r;
    dx_cas_merkle_root(&w->part_tree, root);
    dxi_cas_manifest_head(w->manifest, w->store->hash_alg.alg, 0, w->part_total, count, root);
    if ((r = dx_cas_store_put(w->store, w->manifest, w->man_len, &id)) != DX_OK) return r;
    e = w->top + w->top_len;
    dx_store_u64le(e + DX_CAS_PART_OFF_SIZE, w->part_total);
    dx_store_u32le(e + DX_CAS_PART_OFF_COUNT, (uint32_t)count);
    DX_MEMCPY(e + DX_CAS_PART_OFF_DIGEST, id.digest, DX_CAS_HASH_SIZE);
    DX_MEMCPY(e + DX_CAS_PART_OFF_ROOT, root, DX_CAS_HASH_SIZE);
    w->top_len += DX_CAS_PART_ENTRY_SIZE;
    w->man_len = DX_CAS_MANIFEST_HEADER_SIZE;
    w->part_total = 0;
    dx_cas_merkle_init(&w->part_tree, &w->store->hash_alg);
    return DX_OK;
}

/* Room in the part under way for one more chunk (the part stored when full). */
DXI_PRIVATE dx_result dxi_cas_blob_make_room(dx_cas_blob_writer *w) {
    dx_result r;
    if (w->max_chunks && w->count == w->max_chunks) return DX_ERR_LIMIT;
    if ((w->man_len - DX_CAS_MANIFEST_HEADER_SIZE) / DX_CAS_MANIFEST_ENTRY_SIZE == w->part_chunks) {
        if ((r = dxi_cas_blob_part_out(w)) != DX_OK) return r; /* the part is full */
    }
    return dxi_cas_blob_room(w, &w->manifest, w->man_len, &w->man_cap, &w->man_separate, DX_CAS_MANIFEST_ENTRY_SIZE, 0);
}

/* the next chunk's entry (room made) */
DXI_PRIVATE void dxi_cas_blob_append(dx_cas_blob_writer *w, const dx_cas_id *id, uint32_t len) {
    uint8_t leaf[DX_CAS_HASH_SIZE];
    dx_store_u32le(w->manifest + w->man_len + DX_CAS_MANIFEST_ENTRY_OFF_LENGTH, len);
    DX_MEMCPY(w->manifest + w->man_len + DX_CAS_MANIFEST_ENTRY_OFF_DIGEST, id->digest, DX_CAS_HASH_SIZE);
    w->man_len += DX_CAS_MANIFEST_ENTRY_SIZE;
    dx_cas_chunk_leaf(&w->store->hash_alg, id, leaf);
    dx_cas_merkle_push(&w->tree, leaf);
    dx_cas_merkle_push(&w->part_tree, leaf);
    w->count++;
    w->total += len;
    w->part_total += len;
}

DXI_PRIVATE dx_result dxi_cas_blob_chunk(dx_cas_blob_writer *w, const uint8_t *data, uint32_t len) {
    dx_cas_id id;
    uint64_t dedup = w->store->stats.dedup;
    dx_result r;
    if ((r = dxi_cas_blob_make_room(w)) != DX_OK) return r;
    if ((r = dx_cas_store_put(w->store, data, len, &id)) != DX_OK) return r;
    if (w->store->stats.dedup == dedup) w->new_chunks++, w->new_bytes += len;
    dxi_cas_blob_append(w, &id, len);
    return DX_OK;
}

DX_CAS_API dx_result dx_cas_blob_writer_add(dx_cas_blob_writer *w, const dx_cas_id *chunk_id, uint32_t len) {
    dx_result r;
    if (!w || !chunk_id || len == 0) return DX_ERR_INVAL;
    if (w->error) return w->error;
    if (w->buf_len || w->buf_base || chunk_id->alg != w->store->hash_alg.alg) return DX_ERR_MISUSE; /* write's bytes, or another algorithm */
    if ((r = dxi_cas_blob_make_room(w)) != DX_OK) return w->error = r;
    dxi_cas_blob_append(w, chunk_id, len);
    w->added = true;
    return DX_OK;
}

DX_CAS_API dx_result dx_cas_blob_writer_write(dx_cas_blob_writer *w, const void *data, size_t len) {
    const uint8_t *p = (const uint8_t *)data;
    if (!w || (len && !data)) return DX_ERR_INVAL;
    if (w->error) return w->error;
    if (w->added && len) return DX_ERR_MISUSE; /* chunks added by id: no bytes in the same blob */
    while (len > 0) {
        size_t take = w->buf_cap - w->buf_len, fed, used, keep;
        dx_cas_chunk c;
        if (take > len) take = len;
        DX_MEMCPY(w->buf + w->buf_len, p, take);
        fed = w->buf_len;
        w->buf_len += take;
        p += take, len -= take;
        while (fed < w->buf_len) {
            if (dx_cas_chunker_feed(&w->chunker, w->buf + fed, w->buf_len - fed, &used, &c)) {
                dx_result r = dxi_cas_blob_chunk(w, w->buf + (size_t)(c.offset - w->buf_base), c.length);
                if (r != DX_OK) return w->error = r;
            }
            fed += used;
        }
        keep = (size_t)(w->chunker.start - w->buf_base); /* drop what is in chunks already */
        if (keep) DX_MEMMOVE(w->buf, w->buf + keep, w->buf_len - keep);
        w->buf_len -= keep;
        w->buf_base += keep;
    }
    return DX_OK;
}

DX_CAS_API dx_result dx_cas_blob_writer_finish(dx_cas_blob_writer *w, dx_cas_id *out_manifest, uint8_t out_root[32]) {
    dx_cas_chunk c;
    uint8_t root[DX_CAS_HASH_SIZE];
    dx_result r;
    if (!w) return DX_ERR_INVAL;
    if (w->error) return w->error;
    if (dx_cas_chunker_finish(&w->chunker, &c)) {
        r = dxi_cas_blob_chunk(w, w->buf + (size_t)(c.offset - w->buf_base), c.length);
        if (r != DX_OK) return w->error = r;
    }
    dx_cas_merkle_root(&w->tree, root);
    if (w->top_len == DX_CAS_MANIFEST_HEADER_SIZE) { /* one part: the manifest lists the chunks */
        dxi_cas_manifest_head(w->manifest, w->store->hash_alg.alg, 0, w->total, w->count, root);
        r = dx_cas_store_put(w->store, w->manifest, w->man_len, out_manifest);
    } else if ((r = dxi_cas_blob_part_out(w)) == DX_OK) { /* the last part, then the parts */
        dxi_cas_manifest_head(w->top, w->store->hash_alg.alg, DX_CAS_MANIFEST_PARTS, w->total, w->count, root);
        r = dx_cas_store_put(w->store, w->top, w->top_len, out_manifest);
    }
    if (r != DX_OK) return w->error = r;
    if (out_root) DX_MEMCPY(out_root, root, DX_CAS_HASH_SIZE);
    w->error = DX_ERR_MISUSE; /* finished: start a new writer for the next blob */
    return DX_OK;
}

DX_CAS_API void dx_cas_blob_writer_destroy(dx_cas_blob_writer *w) {
    if (!w) return;
    if (w->man_separate) dxi_cas_free(&w->allocator, w->manifest, w->man_cap);
    if (w->top_separate) dxi_cas_free(&w->allocator, w->top, w->top_cap);
    if (w->memory) dxi_cas_free(&w->allocator, w->memory, w->memory_size);
    DX_MEMSET(w, 0, sizeof *w);
}

DX_CAS_API dx_result dx_cas_blob_read(dx_cas_store *s, const dx_cas_id *manifest_id, const dx_cas_limits *lim,
                                      dx_cas_write_fn write, void *user, dx_cas_manifest *out_info) {
    dx_cas_chunk_iter it;
    uint8_t *chunk = NULL;
    size_t chunk_cap = 0;
    dx_cas_id id;
    uint32_t clen;
    int more = 0;
    int64_t n;
    dx_result r;
    if (!s || !manifest_id || !write) return DX_ERR_INVAL;
    if ((r = dx_cas_chunk_iter_open(&it, s, manifest_id, lim)) != DX_OK) return r;
    while (r == DX_OK && (more = dx_cas_chunk_iter_next(&it, &id, &clen)) > 0) {
        if (clen > chunk_cap) { /* the part's longest decides the buffer */
            dxi_cas_free(&s->allocator, chunk, chunk_cap);
            chunk_cap = it.longest;
            if (!(chunk = (uint8_t *)dxi_cas_alloc(&s->allocator, chunk_cap))) chunk_cap = 0, r = DX_ERR_NOMEM;
            if (r != DX_OK) break;
        }
        n = dx_cas_store_get(s, &id, chunk, chunk_cap); /* verified against its id */
        if (n < 0) r = (dx_result)n;
        else if (n != (int64_t)clen) r = DX_ERR_CORRUPT;
        else r = write(user, it.offset - clen, chunk, clen);
    }
    if (r == DX_OK && more < 0) r = (dx_result)more;
    if (r == DX_OK && out_info) {
        *out_info = it.m;
        out_info->entries = NULL; /* they lived in memory freed here */
    }
    dxi_cas_free(&s->allocator, chunk, chunk_cap);
    dx_cas_chunk_iter_close(&it);
    return r;
}

typedef struct dxi_cas_verify_ctx {
    dx_cas_store *s;
    dx_cas_limits lim;
    dx_cas_problem_fn problem;
    void *user;
    dx_cas_verify_report rep;
} dxi_cas_verify_ctx;

DXI_PRIVATE dx_result dxi_cas_verify_one(void *user, const dx_cas_id *id, uint64_t size) {
    dxi_cas_verify_ctx *v = (dxi_cas_verify_ctx *)user;
    uint8_t *buf = NULL;
    size_t cap = 0;
    int64_t n;
    v->rep.objects++;
    v->rep.bytes += size;
    n = dxi_cas_fetch(v->s, id, (uint64_t)-1, &buf, &cap);
    if (n == DX_ERR_CHECKSUM) {
        v->rep.corrupt++;
        if (v->problem) v->problem(v->user, id, DX_ERR_CHECKSUM);
        return DX_OK;
    }
    if (n == DX_ERR_NOTFOUND) return DX_OK; /* deleted meanwhile */
    if (n < 0) return (dx_result)n;
    dxi_cas_free(&v->s->allocator, buf, cap);
    return DX_OK;
}

/* ---- tree objects ---- */

DXI_PRIVATE bool dxi_cas_mode_ok(uint32_t mode) {
    return mode == DX_CAS_MODE_FILE || mode == DX_CAS_MODE_EXEC || mode == DX_CAS_MODE_DIR || mode == DX_CAS_MODE_SYMLINK;
}

DXI_PRIVATE bool dxi_cas_name_ok(const uint8_t *name, size_t len) {
    size_t i;
    if (len == 0 || len > DX_CAS_NAME_MAX) return false;
    if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.')) return false;
    for (i = 0; i < len; i++)
        if (name[i] == '/' || name[i] == 0) return false;
    return true;
}

/* name order: bytes, then the shorter first */
DXI_PRIVATE int dxi_cas_name_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen) {
    int c = DX_MEMCMP(a, b, alen < blen ? alen : blen);
    if (c) return c;
    return alen < blen ? -1 : alen > blen ? 1 : 0;
}

DX_CAS_API int64_t dx_cas_tree_encode(uint32_t alg, const dx_cas_tree_entry *entries, size_t n, uint8_t *out,
                                      size_t cap) {
    size_t need = DX_CAS_TREE_HEADER_SIZE, i, at;
    if (!dx_cas_alg_name(alg)) return DX_ERR_UNSUPPORTED;
    if ((n && !entries) || !out || n > 0xffffffffu) return DX_ERR_INVAL;
    for (i = 0; i < n; i++) {
        const dx_cas_tree_entry *e = &entries[i];
        if (!e->name || !dxi_cas_name_ok((const uint8_t *)e->name, e->name_len) || !dxi_cas_mode_ok(e->mode) ||
            e->id.alg != alg || (e->mode == DX_CAS_MODE_DIR && e->size != 0))
            return DX_ERR_INVAL;
        if (i > 0 && dxi_cas_name_cmp((const uint8_t *)entries[i - 1].name, entries[i - 1].name_len,
                                      (const uint8_t *)e->name, e->name_len) >= 0)
            return DX_ERR_INVAL; /* sorted, no duplicates */
        need += DX_CAS_TREE_ENTRY_FIXED + e->name_len;
    }
    if (cap < need) return DX_ERR_NOSPACE;
    dxi_cas_head_write(out, "DXCT");
    out[DX_CAS_TREE_OFF_ALG] = (uint8_t)alg;
    out[DX_CAS_TREE_OFF_FLAGS] = 0;
    dx_store_u32le(out + DX_CAS_TREE_OFF_COUNT, (uint32_t)n);
    at = DX_CAS_TREE_OFF_ENTRIES;
    for (i = 0; i < n; i++) {
        const dx_cas_tree_entry *e = &entries[i];
        uint8_t *tail = out + at + DX_CAS_TREE_ENTRY_OFF_NAME + e->name_len;
        dx_store_u16le(out + at + DX_CAS_TREE_ENTRY_OFF_NAME_LEN, (uint16_t)e->name_len);
        DX_MEMCPY(out + at + DX_CAS_TREE_ENTRY_OFF_NAME, e->name, e->name_len);
        dx_store_u32le(tail + DX_CAS_TREE_TAIL_OFF_MODE, e->mode);
        dx_store_u64le(tail + DX_CAS_TREE_TAIL_OFF_SIZE, e->size);
        DX_MEMCPY(tail + DX_CAS_TREE_TAIL_OFF_DIGEST, e->id.digest, DX_CAS_HASH_SIZE);
        at += DX_CAS_TREE_ENTRY_FIXED + e->name_len;
    }
    return (int64_t)need;
}

DX_CAS_API dx_result dx_cas_tree_parse(const uint8_t *buf, size_t len, uint32_t max_entries, dx_cas_tree *out) {
    dx_cas_tree t;
    const uint8_t *prev = NULL;
    size_t prev_len = 0, at = DX_CAS_TREE_OFF_ENTRIES;
    uint32_t i;
    dx_result r;
    if ((!buf && len) || !out) return DX_ERR_INVAL;
    max_entries = DXI_DEF(max_entries, 1u << 20);
    if ((r = dxi_cas_head_check(buf, len, "DXCT", DX_CAS_TREE_HEADER_SIZE)) != DX_OK) return r;
    if (buf[DX_CAS_TREE_OFF_FLAGS] != 0) return DX_ERR_UNSUPPORTED;
    t.alg = buf[DX_CAS_TREE_OFF_ALG];
    if (!dx_cas_alg_name(t.alg)) return DX_ERR_UNSUPPORTED;
    t.count = dx_load_u32le(buf + DX_CAS_TREE_OFF_COUNT);
    if (t.count > max_entries) return DX_ERR_LIMIT;
    if ((len - DX_CAS_TREE_HEADER_SIZE) / (DX_CAS_TREE_ENTRY_FIXED + 1) < t.count) return DX_ERR_TRUNCATED;
    for (i = 0; i < t.count; i++) {
        const uint8_t *name, *tail;
        size_t nlen;
        uint32_t mode;
        if (len - at < DX_CAS_TREE_ENTRY_OFF_NAME) return DX_ERR_TRUNCATED;
        nlen = dx_load_u16le(buf + at + DX_CAS_TREE_ENTRY_OFF_NAME_LEN);
        if (len - at - DX_CAS_TREE_ENTRY_OFF_NAME < nlen + DX_CAS_TREE_TAIL_SIZE) return DX_ERR_TRUNCATED;
        name = buf + at + DX_CAS_TREE_ENTRY_OFF_NAME;
        tail = name + nlen;
        if (!dxi_cas_name_ok(name, nlen)) return DX_ERR_CORRUPT;
        if (prev && dxi_cas_name_cmp(prev, prev_len, name, nlen) >= 0) return DX_ERR_CORRUPT;
        prev = name, prev_len = nlen;
        mode = dx_load_u32le(tail + DX_CAS_TREE_TAIL_OFF_MODE);
        if (!dxi_cas_mode_ok(mode) || (mode == DX_CAS_MODE_DIR && dx_load_u64le(tail + DX_CAS_TREE_TAIL_OFF_SIZE) != 0))
            return DX_ERR_CORRUPT;
        at += DX_CAS_TREE_ENTRY_FIXED + nlen;
    }
    if (at != len) return DX_ERR_CORRUPT; /* bytes after the last entry */
    t.buf = buf;
    t.len = len;
    *out = t;
    return DX_OK;
}

DX_CAS_API bool dx_cas_tree_next(const dx_cas_tree *t, size_t *pos, dx_cas_tree_entry *out) {
    size_t at = *pos ? *pos : (size_t)DX_CAS_TREE_OFF_ENTRIES, nlen;
    const uint8_t *tail;
    if (at >= t->len || t->len - at < DX_CAS_TREE_ENTRY_OFF_NAME) return false;
    nlen = dx_load_u16le(t->buf + at + DX_CAS_TREE_ENTRY_OFF_NAME_LEN);
    if (t->len - at - DX_CAS_TREE_ENTRY_OFF_NAME < nlen + DX_CAS_TREE_TAIL_SIZE) return false;
    out->name = (const char *)(t->buf + at + DX_CAS_TREE_ENTRY_OFF_NAME);
    out->name_len = nlen;
    tail = t->buf + at + DX_CAS_TREE_ENTRY_OFF_NAME + nlen;
    out->mode = dx_load_u32le(tail + DX_CAS_TREE_TAIL_OFF_MODE);
    out->size = dx_load_u64le(tail + DX_CAS_TREE_TAIL_OFF_SIZE);
    out->id.alg = t->alg;
    DX_MEMCPY(out->id.digest, tail + DX_CAS_TREE_TAIL_OFF_DIGEST, DX_CAS_HASH_SIZE);
    *pos = at + DX_CAS_TREE_ENTRY_FIXED + nlen;
    return true;
}

/* ---- garbage collection: mark from roots, sweep the rest ---- */

#ifndef DX_CAS_GC_MARKS /* a gc pass marks at most this many objects (a set of 8 MiB); more take more passes */
#define DX_CAS_GC_MARKS 786432u
#endif

typedef struct dxi_cas_work {
    dx_cas_id id;
    uint32_t kind; /* 0 unknown (a root), 1 tree, 2 manifest, 3 a part of one (no parts of its own) */
    uint32_t depth;
} dxi_cas_work;

/* A set of digests, open addressing, key bytes of each (a gc's marks keep 8: two objects whose first
   8 bytes agree only keep garbage a little longer; the walked trees and manifests, and verify, keep all 32).
   A zero key is kept apart (has_zero). */
typedef struct dxi_cas_set {
    uint8_t *slot;
    size_t cap, used, key;
    bool has_zero;
} dxi_cas_set;

typedef struct dxi_cas_gc {
    dx_cas_store *s;
    const dx_allocator *a;
    dxi_cas_set marks;  /* gc: every object reached whose digest is in this pass's range (the sweep keeps
                           them); verify: the missing objects found */
    uint32_t range_lo, range_hi; /* this pass: digests whose first two bytes (big-endian) are in [lo, hi) */
    bool full;          /* the marks reached DX_CAS_GC_MARKS: the pass starts again as two */
    dxi_cas_set walked; /* the trees and manifests read (each once), exact */
    dxi_cas_work *stack;
    size_t stack_cap, stack_len;
    bool dry_run;
    dx_cas_gc_report rep;
} dxi_cas_gc;

DXI_PRIVATE bool dxi_cas_is_zero_n(const uint8_t *d, size_t n) {
    size_t i;
    for (i = 0; i < n; i++)
        if (d[i]) return false;
    return true;
}

DXI_PRIVATE bool dxi_cas_is_zero(const uint8_t *d) { return dxi_cas_is_zero_n(d, DX_CAS_HASH_SIZE); }

DXI_PRIVATE bool dxi_cas_set_find(const dxi_cas_set *t, const uint8_t *d, size_t *slot) { /* found, or a free slot */
    size_t mask = t->cap - 1, i = (size_t)dx_load_u64le(d) & mask; /* (the key's first 8 bytes: a digest's are random) */
    *slot = 0;
    if (t->cap == 0) return false; /* nothing marked yet: no table at all */
    for (;;) {
        uint8_t *e = t->slot + i * t->key;
        if (dxi_cas_is_zero_n(e, t->key)) {
            *slot = i;
            return false;
        }
        if (DX_MEMCMP(e, d, t->key) == 0) {
            *slot = i;
            return true;
        }
        i = (i + 1) & mask;
    }
}

DXI_PRIVATE bool dxi_cas_set_has(const dxi_cas_set *t, const uint8_t *d) {
    size_t slot;
    return dxi_cas_is_zero_n(d, t->key) ? t->has_zero : dxi_cas_set_find(t, d, &slot);
}

/* d into the set; 1 if new, 0 if it was there, a dx_result on failure */
DXI_PRIVATE int dxi_cas_set_add(const dx_allocator *a, dxi_cas_set *t, const uint8_t *d) {
    size_t slot, i;
    if (dxi_cas_is_zero_n(d, t->key)) {
        if (t->has_zero) return 0;
        t->has_zero = true;
        return 1;
    }
    if ((t->used + 1) * 4 > t->cap * 3) { /* at most 3/4 full, or twice the slots */
        dxi_cas_set old = *t;
        t->cap = old.cap ? old.cap * 2 : 1024;
        t->slot = (uint8_t *)dxi_cas_alloc(a, t->cap * t->key);
        if (!t->slot) {
            *t = old;
            return DX_ERR_NOMEM;
        }
        DX_MEMSET(t->slot, 0, t->cap * t->key);
        for (i = 0; i < old.cap; i++) {
            const uint8_t *e = old.slot + i * t->key;
            if (!dxi_cas_is_zero_n(e, t->key) && !dxi_cas_set_find(t, e, &slot)) DX_MEMCPY(t->slot + slot * t->key, e, t->key);
        }
        dxi_cas_free(a, old.slot, old.cap * old.key);
    }
    if (dxi_cas_set_find(t, d, &slot)) return 0;
    DX_MEMCPY(t->slot + slot * t->key, d, t->key);
    t->used++;
    return 1;
}

DXI_PRIVATE void dxi_cas_set_free(const dx_allocator *a, dxi_cas_set *t) {
    dxi_cas_free(a, t->slot, t->cap * t->key);
    t->slot = NULL, t->cap = t->used = 0;
}

DXI_PRIVATE dx_result dxi_cas_gc_push(dxi_cas_gc *g, const dx_cas_id *id, uint32_t kind, uint32_t depth) {
    if (g->stack_len == g->stack_cap) {
        size_t cap = g->stack_cap ? g->stack_cap * 2 : 64;
        dxi_cas_work *w = (dxi_cas_work *)dxi_cas_alloc(g->a, cap * sizeof *w);
        if (!w) return DX_ERR_NOMEM;
        if (g->stack_len) DX_MEMCPY(w, g->stack, g->stack_len * sizeof *w);
        dxi_cas_free(g->a, g->stack, g->stack_cap * sizeof *w);
        g->stack = w, g->stack_cap = cap;
    }
    g->stack[g->stack_len].id = *id;
    g->stack[g->stack_len].kind = kind;
    g->stack[g->stack_len].depth = depth;
    g->stack_len++;
    return DX_OK;
}

DXI_PRIVATE dx_result dxi_cas_gc_sweep(void *user, const dx_cas_id *id, uint64_t size) {
    dxi_cas_gc *g = (dxi_cas_gc *)user;
    uint32_t prefix = (uint32_t)id->digest[0] << 8 | id->digest[1];
    if (prefix < g->range_lo || prefix >= g->range_hi) return DX_OK; /* another pass's */
    if (dxi_cas_set_has(&g->marks, id->digest) && id->alg == g->s->hash_alg.alg) {
        g->rep.kept_bytes += size;
        return DX_OK;
    }
    g->rep.deleted++;
    g->rep.deleted_bytes += size;
    if (g->dry_run) return DX_OK;
    return dx_cas_store_delete(g->s, id) == DX_ERR_IO ? DX_ERR_IO : DX_OK;
}

/* gc: marks one reached object if its digest is in this pass's range (1 new, 0 not, or an error);
   a set that would grow past DX_CAS_GC_MARKS entries stops the walk (full). */
DXI_PRIVATE int dxi_cas_gc_mark(dxi_cas_gc *g, const uint8_t digest[32]) {
    uint32_t prefix = (uint32_t)digest[0] << 8 | digest[1];
    if (prefix < g->range_lo || prefix >= g->range_hi) return 0;
    if (g->marks.used >= DX_CAS_GC_MARKS && !dxi_cas_set_has(&g->marks, digest)) {
        g->full = true;
        return DX_ERR_LIMIT;
    }
    return dxi_cas_set_add(g->a, &g->marks, digest);
}

/* Marks everything the roots reach, depth first with our own stack. A gc
   stops at a missing or corrupt tree or manifest (its children are unknown,
   so nothing may be swept); a verify reports it and goes on. */
DXI_PRIVATE dx_result dxi_cas_walk(dxi_cas_gc *g, const dx_cas_id *roots, size_t nroots, uint32_t max_depth,
                                   dx_cas_problem_fn problem, void *user, dx_cas_verify_report *vr) {
    dx_cas_store *s = g->s;
    uint8_t *buf = NULL;
    size_t cap = 0, i;
    dx_result r = DX_OK;
    for (i = 0; i < nroots && r == DX_OK; i++) r = dxi_cas_gc_push(g, &roots[i], 0, 0);
    while (r == DX_OK && g->stack_len > 0) {
        dxi_cas_work w = g->stack[--g->stack_len];
        int64_t n;
        int fresh = dxi_cas_set_add(g->a, &g->walked, w.id.digest), f;
        if (fresh < 0) r = (dx_result)fresh;
        if (fresh <= 0) continue;
        if (!vr && (f = dxi_cas_gc_mark(g, w.id.digest)) < 0) {
            r = (dx_result)f;
            break;
        }
        if (!vr) g->rep.marked += (uint64_t)f;
        if (w.id.alg != s->hash_alg.alg) { /* another algorithm's tree: refuse rather than sweep what it names */
            r = DX_ERR_UNSUPPORTED;
            break;
        }
        n = dxi_cas_fetch(s, &w.id, (uint64_t)-1, &buf, &cap);
        if (n < 0) {
            if (vr && (n == DX_ERR_NOTFOUND || n == DX_ERR_CHECKSUM)) { /* corrupt ones were reported by the scan */
                if (n == DX_ERR_NOTFOUND) {
                    vr->missing++;
                    if (problem) problem(user, &w.id, DX_ERR_NOTFOUND);
                }
                continue;
            }
            r = (dx_result)n;
            break;
        }
        if (n >= DXI_CAS_MAGIC_SIZE && (w.kind == 1 || (w.kind == 0 && DX_MEMCMP(buf, "DXCT", DXI_CAS_MAGIC_SIZE) == 0))) {
            dx_cas_tree t;
            dx_cas_tree_entry e;
            size_t pos = 0;
            r = dx_cas_tree_parse(buf, (size_t)n, 0, &t);
            if (r == DX_OK && w.depth >= max_depth) r = DX_ERR_LIMIT;
            while (r == DX_OK && dx_cas_tree_next(&t, &pos, &e))
                r = dxi_cas_gc_push(g, &e.id, e.mode == DX_CAS_MODE_DIR ? 1u : 2u, w.depth + 1);
        } else if (n >= DXI_CAS_MAGIC_SIZE &&
                   (w.kind >= 2 || (w.kind == 0 && DX_MEMCMP(buf, "DXCM", DXI_CAS_MAGIC_SIZE) == 0))) {
            dx_cas_manifest m;
            uint64_t k;
            r = dx_cas_manifest_parse(&s->hash_alg, buf, (size_t)n, NULL, &m);
            if (r == DX_OK && w.kind == 3 && m.parts) r = DX_ERR_CORRUPT; /* a part names chunks */
            if (r == DX_OK && vr) vr->manifests++;
            for (k = 0; r == DX_OK && k < m.parts; k++) { /* its parts: walked like manifests */
                dx_cas_part part;
                dx_cas_manifest_part(&m, k, &part);
                r = dxi_cas_gc_push(g, &part.id, 3, w.depth + 1);
            }
            for (k = 0; r == DX_OK && !m.parts && k < m.count; k++) {
                dx_cas_id cid;
                dx_cas_manifest_entry(&m, k, &cid, NULL);
                if (!vr) { /* gc */
                    if ((f = dxi_cas_gc_mark(g, cid.digest)) < 0) r = (dx_result)f;
                    else g->rep.marked += (uint64_t)f;
                } else if (dx_cas_store_has(s, &cid) == DX_ERR_NOTFOUND) { /* verify: no set of the chunks, only of the missing */
                    if ((f = dxi_cas_set_add(g->a, &g->marks, cid.digest)) < 0) r = (dx_result)f;
                    if (f > 0) vr->missing++;
                    if (f > 0 && problem) problem(user, &cid, DX_ERR_NOTFOUND);
                }
            }
        } else {
            r = DX_ERR_CORRUPT; /* a tree entry names something not of its kind, or a root is neither a tree nor a manifest */
        }
        if (r != DX_OK && vr && r != DX_ERR_NOMEM && r != DX_ERR_IO) { /* verify: a malformed tree or manifest is a finding */
            vr->corrupt++;
            if (problem) problem(user, &w.id, DX_ERR_CORRUPT);
            r = DX_OK;
        }
        dxi_cas_free(g->a, buf, cap);
        buf = NULL;
    }
    dxi_cas_free(g->a, buf, cap);
    return r;
}

DXI_PRIVATE void dxi_cas_gc_free(dxi_cas_gc *g) {
    dxi_cas_set_free(g->a, &g->marks);
    dxi_cas_set_free(g->a, &g->walked);
    dxi_cas_free(g->a, g->stack, g->stack_cap * sizeof(dxi_cas_work));
}

DX_CAS_API dx_result dx_cas_store_gc(dx_cas_store *s, const dx_cas_id *roots, size_t nroots, uint32_t max_depth,
                                     uint32_t flags, dx_cas_gc_report *out) {
    dxi_cas_gc g;
    dx_cas_gc_report done; /* what the passes finished so far counted */
    uint32_t passes, pass;
    dx_result r = DX_OK;
    if (out) DX_MEMSET(out, 0, sizeof *out);
    if (!s || (nroots && !roots) || (flags & ~(uint32_t)(DX_CAS_GC_DRY_RUN | DX_CAS_GC_ALLOW_NO_ROOTS))) return DX_ERR_INVAL;
    if (nroots == 0 && !(flags & DX_CAS_GC_ALLOW_NO_ROOTS)) return DX_CAS_ERR_NO_ROOTS; /* the sweep would empty the store */
    max_depth = DXI_DEF(max_depth, 64u);
    DX_MEMSET(&g, 0, sizeof g);
    g.s = s, g.a = &s->allocator, g.dry_run = (flags & DX_CAS_GC_DRY_RUN) != 0;
    g.marks.key = 8, g.walked.key = DX_CAS_HASH_SIZE; /* a mark is 8 bytes of the digest: see dxi_cas_set */
    /* One pass marks and sweeps the objects of one range of digests; as many passes as keep the
       marks under DX_CAS_GC_MARKS (a pass whose set fills up starts again as two halves). The
       roots are checked by every pass before its sweep, so a missing one deletes nothing. */
    DX_MEMSET(&done, 0, sizeof done);
    for (passes = 1, pass = 0; r == DX_OK && pass < passes;) {
        g.range_lo = (uint32_t)(pass * (65536u / passes)), g.range_hi = g.range_lo + 65536u / passes;
        g.full = false;
        r = dxi_cas_walk(&g, roots, nroots, max_depth, NULL, NULL, NULL);
        if (r != DX_OK && g.full && passes < 65536u) { /* too many objects: this range in two */
            g.rep = done;
            passes *= 2, pass *= 2, r = DX_OK;
        } else if (r == DX_OK) {
            r = dx_cas_store_iterate(s, dxi_cas_gc_sweep, &g);
            done = g.rep, pass++;
        }
        dxi_cas_set_free(g.a, &g.marks), dxi_cas_set_free(g.a, &g.walked);
        g.stack_len = 0;
    }
    if (r == DX_OK && !g.dry_run) r = dx_cas_store_sync(s); /* a store that deletes late (packs) does it now */
    if (out) *out = g.rep;
    dxi_cas_gc_free(&g);
    return r;
}

DX_CAS_API dx_result dx_cas_store_verify(dx_cas_store *s, const dx_cas_id *roots, size_t nroots,
                                         const dx_cas_limits *lim, dx_cas_problem_fn problem, void *user,
                                         dx_cas_verify_report *out) {
    dxi_cas_verify_ctx v;
    dxi_cas_gc g;
    dx_result r;
    if (!s || (nroots && !roots)) return DX_ERR_INVAL;
    DX_MEMSET(&v, 0, sizeof v);
    v.s = s;
    dxi_cas_limits(lim, &v.lim);
    v.problem = problem;
    v.user = user;
    r = dx_cas_store_iterate(s, dxi_cas_verify_one, &v); /* every object re-hashed */
    if (r == DX_OK && nroots) {                     /* everything the roots name is there */
        DX_MEMSET(&g, 0, sizeof g);
        g.s = s, g.a = &s->allocator;
        g.marks.key = g.walked.key = DX_CAS_HASH_SIZE; /* exact: each tree and manifest read once, each missing object counted once */
        r = dxi_cas_walk(&g, roots, nroots, 64, problem, user, &v.rep);
        dxi_cas_gc_free(&g);
    }
    if (out) *out = v.rep;
    if (r == DX_OK && (v.rep.corrupt || v.rep.missing)) r = DX_ERR_CORRUPT;
    return r;
}

/* ---- directory store ----
   <path>/objects/<2 hex>/<id text>: one file per object (loose), fanned out on the
   digest's first byte; batch mode puts small objects into packs instead (below). A put writes <path>/tmp/<pid>.<n>.<id text>, fsyncs
   it, renames it into place and fsyncs the fan-out folder (and objects/ when
   the fan-out folder is new). Renames are atomic, so readers see a whole
   object or none, and writers of the same object in several processes
   simply replace identical bytes. Batch mode (the default) writes
   <pid>.b<tag>/<id text> and moves the batch into place at
   dx_cas_store_sync, between two syncfs calls (dxi_cas_dir_sync). At open, the
   temporary files of writers that are no longer running are removed. */
#if defined(DX_CAS_HAS_DIRSTORE)
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/stat.h>
#include <dirent.h>
#include <signal.h>
#include <time.h>
#if !defined(__cplusplus)
/* strict C99 (and plain _POSIX_C_SOURCE) on glibc hide these two POSIX
   functions; repeating the POSIX declarations is harmless where they are seen */
extern int kill(pid_t pid, int sig);
#if defined(__linux__) && !defined(DX_CAS_NO_SYNCFS)
extern int syncfs(int fd); /* Linux 2.6.39, glibc 2.14, musl: declared only under _GNU_SOURCE */
#endif
#endif

DXI_PRIVATE dx_result dxi_cas_dir_err(dx_cas_dir *d) {
    d->os_error = errno;
    return errno == ENOENT ? DX_ERR_NOTFOUND : DX_ERR_IO;
}

/* root + "/" + rel into out (DX_CAS_PATH_MAX) */
DXI_PRIVATE void dxi_cas_dir_path(const dx_cas_dir *d, char *out, const char *rel) {
    size_t n = d->root_len, i = 0;
    DX_MEMCPY(out, d->root, n);
    out[n++] = '/';
    while (rel[i] && n + 1 < DX_CAS_PATH_MAX) out[n++] = rel[i++];
    out[n] = 0;
}

/* "objects/ab/<id text>" or "objects/ab" (the folder) */
DXI_PRIVATE void dxi_cas_dir_obj(const dx_cas_dir *d, const dx_cas_id *id, char *out, bool folder) {
    char rel[16 + DX_CAS_ID_TEXT_SIZE], text[DX_CAS_ID_TEXT_SIZE];
    static const char hex[] = "0123456789abcdef";
    DX_MEMCPY(rel, "objects/", 8);
    rel[8] = hex[id->digest[0] >> 4];
    rel[9] = hex[id->digest[0] & 15];
    rel[10] = 0;
    if (!folder && dx_cas_id_format(id, text, sizeof text) > 0) {
        rel[10] = '/';
        DX_MEMCPY(rel + 11, text, DX_CAS_ID_TEXT_SIZE);
    }
    dxi_cas_dir_path(d, out, rel);
}

/* A store's file opened for reading, if it is a regular file: a FIFO put where an object, a
   pack or a ref should be (whose open would wait forever for a writer), a device or a folder is
   not read: -1 with errno EINVAL (DXI_CAS_NOT_FILE). Any other failure: -1 with open's errno. */
#define DXI_CAS_NOT_FILE EINVAL
DXI_PRIVATE int dxi_cas_open_file(const char *path) {
    struct stat st;
    int fd = open(path, O_RDONLY | O_NONBLOCK); /* no wait at a FIFO; no effect on a regular file's reads */
    if (fd < 0) return -1;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        int e = fstat(fd, &st) != 0 ? errno : DXI_CAS_NOT_FILE;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

DXI_PRIVATE dx_result dxi_cas_fsync_path(dx_cas_dir *d, const char *path) {
    int fd;
    if (d->no_sync) return DX_OK;
    fd = open(path, O_RDONLY);
    if (fd < 0) return dxi_cas_dir_err(d);
    if (fsync(fd) != 0 && errno != EINVAL) { /* some file systems refuse fsync on folders */
        dx_result r = dxi_cas_dir_err(d);
        close(fd);
        return r;
    }
    close(fd);
    return DX_OK;
}

DXI_PRIVATE dx_result dxi_cas_mkdir(dx_cas_dir *d, const char *path, bool *out_made) {
    *out_made = false;
    if (mkdir(path, 0777) == 0) {
        *out_made = true;
        return DX_OK;
    }
    if (errno == EEXIST) return DX_OK;
    return dxi_cas_dir_err(d);
}

DXI_PRIVATE dx_result dxi_cas_write_all(dx_cas_dir *d, int fd, const uint8_t *p, size_t len) {
    while (len > 0) {
        size_t piece = len > ((size_t)1 << 30) ? ((size_t)1 << 30) : len;
        ssize_t w = write(fd, p, piece);
        if (w < 0) {
            if (errno == EINTR) continue;
            return dxi_cas_dir_err(d);
        }
        p += w, len -= (size_t)w;
    }
    return DX_OK;
}

/* Moves a finished temporary file into place. sync_now: fsyncs the folders it
   changed (objects/ too when the fan-out folder is new); else the caller makes
   the renames durable (*out_made says whether objects/ changed). */
DXI_PRIVATE dx_result dxi_cas_dir_install(dx_cas_dir *d, const char *tmp, const dx_cas_id *id, bool sync_now,
                                          bool *out_made) {
    char folder[DX_CAS_PATH_MAX], final[DX_CAS_PATH_MAX];
    bool made;
    dx_result r;
    uint8_t bit = (uint8_t)(1u << (id->digest[0] & 7));
    dxi_cas_dir_obj(d, id, folder, true);
    dxi_cas_dir_obj(d, id, final, false);
    made = false;
    if (!(d->fanout[id->digest[0] >> 3] & bit)) {
        if ((r = dxi_cas_mkdir(d, folder, &made)) != DX_OK) return r;
        d->fanout[id->digest[0] >> 3] |= bit;
    }
    if (out_made) *out_made = made;
    if (made && sync_now && !d->no_sync) { /* a new fan-out folder: make its name durable too */
        char objects[DX_CAS_PATH_MAX];
        dxi_cas_dir_path(d, objects, "objects");
        if ((r = dxi_cas_fsync_path(d, objects)) != DX_OK) return r;
    }
    if (rename(tmp, final) != 0) {
        if (errno != ENOENT || made) return dxi_cas_dir_err(d);
        d->fanout[id->digest[0] >> 3] &= (uint8_t)~bit; /* the folder went away meanwhile: make it again */
        return dxi_cas_dir_install(d, tmp, id, sync_now, out_made);
    }
    return sync_now ? dxi_cas_fsync_path(d, folder) : DX_OK;
}

DXI_PRIVATE dx_result dxi_cas_dir_sync(void *self);

/* The pending set: open addressing on a digest's first 8 bytes (0 stored as 1; 0 is a free slot).
   A false "maybe" only costs a lookup in tmp/; it is never wrong the other way. */
DXI_PRIVATE uint64_t dxi_cas_pkey(const uint8_t *digest) {
    uint64_t k = dx_load_u64le(digest);
    return k ? k : 1;
}

DXI_PRIVATE bool dxi_cas_pending_maybe(const dx_cas_dir *d, const uint8_t *digest) {
    uint64_t k = dxi_cas_pkey(digest);
    size_t mask = d->pending_set_cap - 1, i;
    if (d->pending_set_full) return true;
    if (d->pending_set_cap == 0) return false;
    for (i = (size_t)(k * 0x9e3779b97f4a7c15ull >> 20) & mask; d->pending_set[i]; i = (i + 1) & mask)
        if (d->pending_set[i] == k) return true;
    return false;
}

DXI_PRIVATE void dxi_cas_pending_add(dx_cas_dir *d, const uint8_t *digest) {
    uint64_t k = dxi_cas_pkey(digest);
    size_t i, j;
    if (d->pending_set_full || dxi_cas_pending_maybe(d, digest)) return;
    if ((d->pending_set_used + 1) * 2 > d->pending_set_cap) { /* grow: twice the slots */
        size_t cap = d->pending_set_cap ? d->pending_set_cap * 2 : 4096;
        uint64_t *t = (uint64_t *)dxi_cas_alloc(&d->allocator, cap * sizeof *t);
        if (!t) { /* no memory: look in tmp/ every time, as without a set */
            d->pending_set_full = true;
            return;
        }
        DX_MEMSET(t, 0, cap * sizeof *t);
        for (j = 0; j < d->pending_set_cap; j++) {
            uint64_t v = d->pending_set[j];
            if (!v) continue;
            for (i = (size_t)(v * 0x9e3779b97f4a7c15ull >> 20) & (cap - 1); t[i]; i = (i + 1) & (cap - 1)) {}
            t[i] = v;
        }
        dxi_cas_free(&d->allocator, d->pending_set, d->pending_set_cap * sizeof *t);
        d->pending_set = t, d->pending_set_cap = cap;
    }
    for (i = (size_t)(k * 0x9e3779b97f4a7c15ull >> 20) & (d->pending_set_cap - 1); d->pending_set[i];
         i = (i + 1) & (d->pending_set_cap - 1)) {}
    d->pending_set[i] = k;
    d->pending_set_used++;
}

/* A batch's pending file: "tmp/<pid>.b<tag>/<id text>" (text NULL: the folder). A folder of
   its own per batch, removed after the sync: tmp/ itself never grows to the batch's size (a
   folder's size on disk does not shrink when its entries go), and the sync reads only its own. */
DXI_PRIVATE void dxi_cas_dir_pending(const dx_cas_dir *d, const char *text, char *rel, size_t cap) {
    if (text) snprintf(rel, cap, "tmp/%.23s/%.71s", d->batch_tag, text); /* an id text: 71 bytes */
    else snprintf(rel, cap, "tmp/%.23s", d->batch_tag);
}

/* Removes tmp/<name>, a folder of pending files (a dead writer's batch); the files it removed. */
DXI_PRIVATE uint32_t dxi_cas_dir_rmdir(const dx_cas_dir *d, const char *name) {
    char path[DX_CAS_PATH_MAX], rel[600];
    uint32_t n = 0;
    DIR *dir;
    struct dirent *e;
    snprintf(rel, sizeof rel, "tmp/%.255s", name);
    dxi_cas_dir_path(d, path, rel);
    if (!(dir = opendir(path))) return 0;
    while ((e = readdir(dir)) != NULL) {
        char file[DX_CAS_PATH_MAX];
        if (e->d_name[0] == '.') continue; /* ".", ".." (pending files never begin with a dot) */
        snprintf(rel, sizeof rel, "tmp/%.255s/%.255s", name, e->d_name);
        dxi_cas_dir_path(d, file, rel);
        if (unlink(file) == 0) n++;
    }
    closedir(dir);
    rmdir(path);
    return n;
}

/* d->zbuf holds at least n bytes */
DXI_PRIVATE dx_result dxi_cas_dir_zbuf(dx_cas_dir *d, size_t n) {
    uint8_t *p;
    if (n == 0) return DX_ERR_LIMIT;
    if (n <= d->zbuf_cap) return DX_OK;
    p = (uint8_t *)dxi_cas_alloc(&d->allocator, n);
    if (!p) return DX_ERR_NOMEM;
    dxi_cas_free(&d->allocator, d->zbuf, d->zbuf_cap);
    d->zbuf = p, d->zbuf_cap = n;
    return DX_OK;
}

/* n bytes at offset off in one call where it can (the index's lookups: one system call each), fewer
   from a short file */
DXI_PRIVATE size_t dxi_cas_read_at(int fd, uint8_t *p, size_t n, off_t off);
DXI_PRIVATE size_t dxi_cas_pread(int fd, uint8_t *p, size_t n, off_t off) {
#if defined(_POSIX_VERSION) && _POSIX_VERSION >= 200809L /* pread is declared (strict C99 hides it) */
    size_t got = 0;
    while (got < n) {
        ssize_t k = pread(fd, p + got, n - got, off + (off_t)got);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) break;
        got += (size_t)k;
    }
    return got;
#else
    return dxi_cas_read_at(fd, p, n, off);
#endif
}

/* Reads n bytes at offset off (a short file gives fewer). */
DXI_PRIVATE size_t dxi_cas_read_at(int fd, uint8_t *p, size_t n, off_t off) {
    size_t got = 0;
    if (lseek(fd, off, SEEK_SET) != off) return 0;
    while (got < n) {
        ssize_t k = read(fd, p + got, n - got);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) break;
        got += (size_t)k;
    }
    return got;
}

/* The content length of an open object file (its header read if it has one). */
DXI_PRIVATE int64_t dxi_cas_dir_fd_size(dx_cas_dir *d, int fd, uint64_t *out_file_size) {
    struct stat st;
    uint8_t hdr[DXI_CAS_OBJECT_PEEK];
    size_t h;
    if (fstat(fd, &st) != 0) return dxi_cas_dir_err(d);
    *out_file_size = (uint64_t)st.st_size;
    h = dxi_cas_read_at(fd, hdr, (uint64_t)st.st_size < sizeof hdr ? (size_t)st.st_size : sizeof hdr, 0);
    return dxi_cas_object_size(hdr, h, (uint64_t)st.st_size, NULL);
}

/* ---- the directory store's packs (WIRE FORMAT "DXCK") ----
   d->packs lists every pack this handle knows: in packs/ (IN), being written in
   the batch's tmp folder (OPEN), finished there and waiting for the sync's
   rename (DONE), failed its checks (BAD: reported, never read), removed (GONE).
   Every packed object this handle knows has an entry (64 bytes; pages of
   DXI_CAS_PENT_PAGE, never moved but when the table is rebuilt), and d->pidx
   finds them: open addressing on the digest, a slot of 8 bytes per entry (its
   number, and 4 bytes of the digest that spare reading most entries), the
   table between 3/8 and 3/4 full: about 75 to 85 bytes an object. A deleted
   object's entry stays, marked DEAD, until the table grows; then the live
   entries move down over the dead ones and the table is built anew. A pack that lost an object is rewritten at the next
   sync: its live objects go into the batch's new pack, and the old file is
   removed only once the new one is durable and in place. */
enum { DXI_CAS_PACK_IN = 1, DXI_CAS_PACK_OPEN, DXI_CAS_PACK_DONE, DXI_CAS_PACK_BAD, DXI_CAS_PACK_GONE };
enum { DXI_CAS_PENT_FREE = 0, DXI_CAS_PENT_LIVE = 1, DXI_CAS_PENT_DEAD = 2 };

typedef struct dxi_cas_pent {
    uint8_t digest[DX_CAS_HASH_SIZE];
    uint8_t alg, state; /* alg: the multihash code; state DXI_CAS_PENT_* */
    uint16_t unused;
    uint32_t pack;      /* index in d->packs */
    uint64_t offset;    /* of its record in the pack (DXI_CAS_IN_BLOCK(b): still in open block b) */
    uint32_t stored, size, inner; /* the record's bytes; the object's bytes, and where they begin in the record's content */
} dxi_cas_pent;
DX_STATIC_ASSERT(sizeof(dxi_cas_pent) <= sizeof(((dx_cas_dir *)0)->ix_hit), cas_pent_fits_ix_hit);
#define DXI_CAS_IN_BLOCK(b) ((uint64_t)-1 - (uint64_t)(b)) /* b: 0 or 1 */

typedef struct dxi_cas_pack {
    char rel[128];      /* its path under the store: "packs/<64 hex>.pack" or "tmp/<batch>/pack.<n>" */
    char final[72];     /* DONE: its name in packs/ */
    int fd;             /* -1: not open */
    uint8_t state;      /* DXI_CAS_PACK_* */
    bool rewrite;       /* lost an object: rewritten at the next sync */
    bool doomed;        /* rewritten: removed once the new pack is in place */
    bool covered;       /* IN, and its entries are in packs/index, not in the table */
    uint64_t size;      /* file bytes (OPEN: written so far) */
    uint32_t count;     /* objects */
} dxi_cas_pack;

DXI_PRIVATE dxi_cas_pack *dxi_cas_packs(const dx_cas_dir *d) { return (dxi_cas_pack *)d->packs; }

#define DXI_CAS_PENT_PAGE 1024u /* entries a page (64 KiB) */
typedef struct dxi_cas_pslot {
    uint32_t ent;  /* the entry's number + 1; 0: a free slot */
    uint32_t tag;  /* digest bytes 8..11 */
} dxi_cas_pslot;

DXI_PRIVATE size_t dxi_cas_pidx_home(const uint8_t *digest, size_t cap) {
    return (size_t)(dx_load_u64le(digest) * 0x9e3779b97f4a7c15ull >> 20) & (cap - 1);
}

DXI_PRIVATE dxi_cas_pent *dxi_cas_pent_at(const dx_cas_dir *d, size_t n) {
    return (dxi_cas_pent *)d->pents[n / DXI_CAS_PENT_PAGE] + n % DXI_CAS_PENT_PAGE;
}

/* the first live entry of an id, or NULL */
DXI_PRIVATE dxi_cas_pent *dxi_cas_pidx_find(const dx_cas_dir *d, const dx_cas_id *id) {
    const dxi_cas_pslot *t = (const dxi_cas_pslot *)d->pidx;
    uint32_t tag = dx_load_u32le(id->digest + 8);
    size_t i;
    if (!d->pidx_cap) return NULL;
    for (i = dxi_cas_pidx_home(id->digest, d->pidx_cap); t[i].ent; i = (i + 1) & (d->pidx_cap - 1)) {
        dxi_cas_pent *e;
        if (t[i].tag != tag) continue;
        e = dxi_cas_pent_at(d, t[i].ent - 1);
        if (e->state == DXI_CAS_PENT_LIVE && e->alg == id->alg && DX_MEMCMP(e->digest, id->digest, DX_CAS_HASH_SIZE) == 0) return e;
    }
    return NULL;
}

/* the live entry of an id's copy at offset in pack k (exact), or of a copy in a pack other than k (!exact) */
DXI_PRIVATE dxi_cas_pent *dxi_cas_pidx_copy(const dx_cas_dir *d, const dx_cas_id *id, uint32_t k, uint64_t offset,
                                            bool exact) {
    const dxi_cas_pslot *t = (const dxi_cas_pslot *)d->pidx;
    uint32_t tag = dx_load_u32le(id->digest + 8);
    size_t i;
    if (!d->pidx_cap) return NULL;
    for (i = dxi_cas_pidx_home(id->digest, d->pidx_cap); t[i].ent; i = (i + 1) & (d->pidx_cap - 1)) {
        dxi_cas_pent *e;
        if (t[i].tag != tag) continue;
        e = dxi_cas_pent_at(d, t[i].ent - 1);
        if (e->state != DXI_CAS_PENT_LIVE || e->alg != id->alg || DX_MEMCMP(e->digest, id->digest, DX_CAS_HASH_SIZE) != 0)
            continue;
        if (exact ? (e->pack == k && e->offset == offset) : e->pack != k) return e;
    }
    return NULL;
}

/* entry n into a table of cap slots (it has room) */
DXI_PRIVATE void dxi_cas_pidx_slot(dx_cas_dir *d, dxi_cas_pslot *t, size_t cap, size_t n) {
    const dxi_cas_pent *e = dxi_cas_pent_at(d, n);
    size_t i;
    for (i = dxi_cas_pidx_home(e->digest, cap); t[i].ent; i = (i + 1) & (cap - 1)) {}
    t[i].ent = (uint32_t)(n + 1), t[i].tag = dx_load_u32le(e->digest + 8);
}

/* The table built anew for the live entries (moved down over the dead ones), at most half full. */
DXI_PRIVATE dx_result dxi_cas_pidx_rebuild(dx_cas_dir *d) {
    dxi_cas_pslot *t;
    size_t live = 0, cap = 1024, n, pages;
    for (n = 0; n < d->pent_count; n++) {
        dxi_cas_pent *e = dxi_cas_pent_at(d, n);
        if (e->state != DXI_CAS_PENT_LIVE) continue;
        if (live != n) *dxi_cas_pent_at(d, live) = *e;
        live++;
    }
    d->pent_count = live;
    pages = (live + DXI_CAS_PENT_PAGE - 1) / DXI_CAS_PENT_PAGE;
    while (d->pent_pages > pages) dxi_cas_free(&d->allocator, d->pents[--d->pent_pages], DXI_CAS_PENT_PAGE * sizeof(dxi_cas_pent));
    while (cap < (live + 1) * 2) cap *= 2;
    if (cap > SIZE_MAX / sizeof *t || live >= 0xffffffffu) return DX_ERR_NOMEM;
    t = (dxi_cas_pslot *)dxi_cas_alloc(&d->allocator, cap * sizeof *t);
    if (!t) return DX_ERR_NOMEM;
    DX_MEMSET(t, 0, cap * sizeof *t);
    for (n = 0; n < live; n++) dxi_cas_pidx_slot(d, t, cap, n);
    dxi_cas_free(&d->allocator, d->pidx, d->pidx_cap * sizeof *t);
    d->pidx = t, d->pidx_cap = cap, d->pidx_used = live;
    return DX_OK;
}

/* An entry for an object in pack k (entry pointers do not survive this call: the table may be rebuilt). */
DXI_PRIVATE dx_result dxi_cas_pidx_add(dx_cas_dir *d, const dx_cas_id *id, uint32_t k, uint64_t offset, uint32_t stored,
                                       uint32_t size, uint32_t inner) {
    dxi_cas_pent *e;
    dx_result r;
    /* at most 3/4 full (dead entries count) */
    if ((d->pidx_used + 1) * 4 > d->pidx_cap * 3 && (r = dxi_cas_pidx_rebuild(d)) != DX_OK) return r;
    if (d->pent_count == d->pent_pages * DXI_CAS_PENT_PAGE) { /* a new page */
        void *page;
        if (d->pent_pages == d->pent_dir) {
            size_t dir = d->pent_dir ? d->pent_dir * 2 : 16;
            void **more = (void **)dxi_cas_alloc(&d->allocator, dir * sizeof *more);
            if (!more) return DX_ERR_NOMEM;
            if (d->pent_pages) DX_MEMCPY(more, d->pents, d->pent_pages * sizeof *more);
            dxi_cas_free(&d->allocator, d->pents, d->pent_dir * sizeof *more);
            d->pents = more, d->pent_dir = dir;
        }
        if (!(page = dxi_cas_alloc(&d->allocator, DXI_CAS_PENT_PAGE * sizeof(dxi_cas_pent)))) return DX_ERR_NOMEM;
        d->pents[d->pent_pages++] = page;
    }
    e = dxi_cas_pent_at(d, d->pent_count);
    DX_MEMCPY(e->digest, id->digest, DX_CAS_HASH_SIZE);
    e->alg = (uint8_t)id->alg, e->state = DXI_CAS_PENT_LIVE, e->unused = 0;
    e->pack = k, e->offset = offset, e->stored = stored, e->size = size, e->inner = inner;
    dxi_cas_pidx_slot(d, (dxi_cas_pslot *)d->pidx, d->pidx_cap, d->pent_count++);
    d->pidx_used++;
    return DX_OK;
}

/* a new entry in d->packs: its index, or DX_ERR_NOMEM */
DXI_PRIVATE int64_t dxi_cas_pack_new(dx_cas_dir *d) {
    dxi_cas_pack *p;
    if (d->pack_count == d->pack_cap) {
        uint32_t cap = d->pack_cap ? d->pack_cap * 2 : 16;
        p = (dxi_cas_pack *)dxi_cas_alloc(&d->allocator, (size_t)cap * sizeof *p);
        if (!p) return DX_ERR_NOMEM;
        if (d->pack_count) DX_MEMCPY(p, d->packs, (size_t)d->pack_count * sizeof *p);
        dxi_cas_free(&d->allocator, d->packs, (size_t)d->pack_cap * sizeof *p);
        d->packs = p, d->pack_cap = cap;
    }
    p = &dxi_cas_packs(d)[d->pack_count];
    DX_MEMSET(p, 0, sizeof *p);
    p->fd = -1;
    return (int64_t)d->pack_count++;
}

/* pack k's file, opened for reading if it is not open (a full fd table: the other packs' are closed first) */
DXI_PRIVATE int dxi_cas_pack_fd(dx_cas_dir *d, uint32_t k) {
    dxi_cas_pack *p = &dxi_cas_packs(d)[k];
    char path[DX_CAS_PATH_MAX];
    if (p->fd >= 0) return p->fd;
    dxi_cas_dir_path(d, path, p->rel);
    p->fd = dxi_cas_open_file(path);
    if (p->fd < 0 && (errno == EMFILE || errno == ENFILE)) {
        uint32_t j;
        for (j = 0; j < d->pack_count; j++) {
            dxi_cas_pack *q = &dxi_cas_packs(d)[j];
            if (j != k && q->fd >= 0 && q->state == DXI_CAS_PACK_IN) close(q->fd), q->fd = -1;
        }
        p->fd = dxi_cas_open_file(path);
    }
    return p->fd;
}

DXI_PRIVATE void dxi_cas_hex(const uint8_t *b, size_t n, char *out) {
    static const char hex[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < n; i++) out[2 * i] = hex[b[i] >> 4], out[2 * i + 1] = hex[b[i] & 15];
    out[2 * n] = 0;
}

/* ---- the packs' index file (WIRE FORMAT "DXCX"): packs/index ----
   A store of many packs would need a table entry for each of their objects (about 85 bytes
   each) in every handle. Past cfg->table_max of them, a sync merges the entries of the packs
   in packs/ into packs/index instead: one file, the entries sorted by digest, behind a fan-out
   table that a handle keeps (at most 2^16 counts: 256 KiB). A lookup the table misses then
   reads the index: one pread of at most DXI_CAS_IX_WINDOW entries (more, halving the range one
   entry a read, only past about 2^22 objects). The packs it covers are "covered": their
   entries are not in the table. A delete of an object of a covered pack sets its entry's bit
   in d->ix_dead (lookups, iterate and the merge skip it) and marks the pack for its rewrite,
   which asks the index which of the pack's objects are still live. A merge drops the entries
   of packs rewritten and gone, and keeps those of packs still waiting for their rewrite
   (deleted ones too, their bits carried over), so the file always lists what a covered pack
   holds. The file is derived: written whole under a
   temporary name, renamed into place, and one that fails its checks at open is not used (its
   packs are read into the table instead; the next merge writes it anew). Another writer's
   newer index is read at the next open; packs made since are read into the table. */
#define DXI_CAS_IX_WINDOW 64u /* entries one lookup reads at once */
#define DXI_CAS_IX_MISSES 1024u /* ids lately not found in the index, one slot each by 10 bits of the digest */

DXI_PRIVATE void dxi_cas_ix_drop(dx_cas_dir *d) {
    if (d->ix_fd >= 0) close(d->ix_fd);
    dxi_cas_free(&d->allocator, d->ix_fan, d->ix_fan ? ((size_t)1 << d->ix_bits) * sizeof(uint32_t) : 0);
    dxi_cas_free(&d->allocator, d->ix_names, (size_t)d->ix_packs * DX_CAS_HASH_SIZE);
    dxi_cas_free(&d->allocator, d->ix_pack, (size_t)d->ix_packs * sizeof(uint32_t));
    dxi_cas_free(&d->allocator, d->ix_dead, d->ix_dead_len);
    d->ix_fd = -1, d->ix_fan = NULL, d->ix_names = NULL, d->ix_pack = NULL, d->ix_dead = NULL, d->ix_dead_len = 0;
    d->ix_bits = d->ix_packs = 0, d->ix_count = 0;
    if (d->ix_misses) DX_MEMSET(d->ix_misses, 0, (size_t)DXI_CAS_IX_MISSES * 33);
}

/* Entry `at` of the index was deleted (a bit: a delete in a covered pack costs no table entry). */
DXI_PRIVATE bool dxi_cas_ix_dead(const dx_cas_dir *d, uint64_t at) {
    return d->ix_dead && (d->ix_dead[at >> 3] >> (at & 7) & 1);
}

DXI_PRIVATE dx_result dxi_cas_ix_kill(dx_cas_dir *d, uint64_t at) {
    if (!d->ix_dead) {
        size_t len = (size_t)((d->ix_count + 7) / 8);
        if ((uint64_t)len != (d->ix_count + 7) / 8 || !(d->ix_dead = (uint8_t *)dxi_cas_alloc(&d->allocator, len)))
            return DX_ERR_NOMEM;
        DX_MEMSET(d->ix_dead, 0, len);
        d->ix_dead_len = len;
    }
    d->ix_dead[at >> 3] |= (uint8_t)(1u << (at & 7));
    return DX_OK;
}

DXI_PRIVATE uint32_t dxi_cas_ix_bucket(uint32_t bits, const uint8_t *digest) {
    uint32_t top = (uint32_t)digest[0] << 24 | (uint32_t)digest[1] << 16 | (uint32_t)digest[2] << 8 | digest[3];
    return bits ? top >> (32 - bits) : 0;
}

DXI_PRIVATE uint64_t dxi_cas_ix_entries_off(uint32_t packs, uint32_t bits) {
    return DX_CAS_INDEX_HEADER_SIZE + (uint64_t)packs * DX_CAS_HASH_SIZE + ((uint64_t)4 << bits);
}

/* a pack's name (64 hex digits and ".pack") as its 32-byte checksum; false if it is not one */
DXI_PRIVATE bool dxi_cas_pack_sum(const char *name, uint8_t out[DX_CAS_HASH_SIZE]) {
    size_t i;
    for (i = 0; i < DX_CAS_HASH_SIZE; i++) {
        int hi = dxi_cas_hexval(name[2 * i]), lo = hi < 0 ? -1 : dxi_cas_hexval(name[2 * i + 1]);
        if (lo < 0) return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

DXI_PRIVATE int dxi_cas_sum_cmp(const void *a, const void *b) { return memcmp(a, b, DX_CAS_HASH_SIZE); }

/* Where pack k's name is in the index's list: its number there, or -1. */
DXI_PRIVATE int64_t dxi_cas_ix_pack_number(const dx_cas_dir *d, const char *name) {
    uint8_t sum[DX_CAS_HASH_SIZE];
    const uint8_t *at;
    if (!d->ix_packs || !dxi_cas_pack_sum(name, sum)) return -1;
    at = (const uint8_t *)bsearch(sum, d->ix_names, d->ix_packs, DX_CAS_HASH_SIZE, dxi_cas_sum_cmp);
    return at ? (int64_t)((size_t)(at - d->ix_names) / DX_CAS_HASH_SIZE) : -1;
}

/* Reads packs/index and checks all of it (WIRE FORMAT "DXCX"); one that does not check is not
   used (d->bad_index). Its packs are matched to packs/ by dxi_cas_packs_scan. */
DXI_PRIVATE dx_result dxi_cas_ix_load(dx_cas_dir *d) {
    char path[DX_CAS_PATH_MAX];
    uint8_t head[DX_CAS_INDEX_HEADER_SIZE], tail[DX_CAS_INDEX_TRAILER_SIZE], sum[DX_CAS_HASH_SIZE], prev[33];
    uint8_t *buf = NULL;
    dx_cas_sha256 h;
    struct stat st;
    uint64_t count, at, i, off;
    uint32_t packs, bits, j, b = 0;
    size_t fan_len, buf_cap = 1024 * DX_CAS_INDEX_ENTRY_SIZE;
    bool ok = false;
    int fd;
    dxi_cas_ix_drop(d);
    dxi_cas_dir_path(d, path, "packs/index");
    if ((fd = dxi_cas_open_file(path)) < 0) /* not a file: not used, as an index that fails a check */
        return errno == ENOENT || errno == DXI_CAS_NOT_FILE ? (dx_result)DX_OK : dxi_cas_dir_err(d);
    d->ix_fd = fd;
    if (fstat(fd, &st) != 0 || dxi_cas_read_at(fd, head, sizeof head, 0) != sizeof head) goto done;
    packs = dx_load_u32le(head + DX_CAS_INDEX_OFF_PACKS), bits = dx_load_u32le(head + DX_CAS_INDEX_OFF_FAN_BITS);
    count = dx_load_u64le(head + DX_CAS_INDEX_OFF_COUNT);
    if (DX_MEMCMP(head, "DXCX", 4) != 0 || head[DX_CAS_INDEX_OFF_MAJOR] != DX_CAS_FORMAT_MAJOR ||
        dx_load_u16le(head + DX_CAS_INDEX_OFF_FLAGS) != 0 || dx_load_u64le(head + DX_CAS_INDEX_OFF_RESERVED) != 0 ||
        bits > 16 || packs > (uint64_t)st.st_size / DX_CAS_HASH_SIZE || count > (uint64_t)st.st_size / DX_CAS_INDEX_ENTRY_SIZE ||
        (uint64_t)st.st_size != dxi_cas_ix_entries_off(packs, bits) + count * DX_CAS_INDEX_ENTRY_SIZE + DX_CAS_INDEX_TRAILER_SIZE)
        goto done;
    fan_len = (size_t)4 << bits;
    d->ix_names = (uint8_t *)dxi_cas_alloc(&d->allocator, (size_t)packs * DX_CAS_HASH_SIZE);
    d->ix_pack = (uint32_t *)dxi_cas_alloc(&d->allocator, (size_t)packs * sizeof(uint32_t));
    d->ix_fan = (uint32_t *)dxi_cas_alloc(&d->allocator, fan_len);
    buf = (uint8_t *)dxi_cas_alloc(&d->allocator, buf_cap);
    d->ix_packs = packs, d->ix_bits = bits; /* what drop frees */
    if ((packs && (!d->ix_names || !d->ix_pack)) || !d->ix_fan || !buf) {
        dxi_cas_free(&d->allocator, buf, buf ? buf_cap : 0);
        dxi_cas_ix_drop(d);
        return DX_ERR_NOMEM;
    }
    dx_cas_sha256_init(&h, d->cpu);
    dx_cas_sha256_update(&h, head, sizeof head);
    if (packs && dxi_cas_read_at(fd, d->ix_names, (size_t)packs * DX_CAS_HASH_SIZE, DX_CAS_INDEX_HEADER_SIZE) !=
                     (size_t)packs * DX_CAS_HASH_SIZE)
        goto done;
    dx_cas_sha256_update(&h, d->ix_names, (size_t)packs * DX_CAS_HASH_SIZE);
    for (j = 0; j < packs; j++) {
        d->ix_pack[j] = UINT32_MAX; /* matched to packs/ by the scan */
        if (j && DX_MEMCMP(d->ix_names + (size_t)(j - 1) * DX_CAS_HASH_SIZE, d->ix_names + (size_t)j * DX_CAS_HASH_SIZE, DX_CAS_HASH_SIZE) >= 0)
            goto done;
    }
    off = DX_CAS_INDEX_HEADER_SIZE + (uint64_t)packs * DX_CAS_HASH_SIZE;
    if (dxi_cas_read_at(fd, (uint8_t *)d->ix_fan, fan_len, (off_t)off) != fan_len) goto done;
    dx_cas_sha256_update(&h, (const uint8_t *)d->ix_fan, fan_len);
    for (j = 0; j < (1u << bits); j++) {
        d->ix_fan[j] = dx_load_u32le((const uint8_t *)d->ix_fan + 4 * (size_t)j); /* in place: each word read, then written */
        if ((j && d->ix_fan[j] < d->ix_fan[j - 1]) || d->ix_fan[j] > count) goto done;
    }
    if (d->ix_fan[(1u << bits) - 1] != count) goto done;
    off += fan_len;
    for (at = 0; at < count;) { /* every entry: in order, in its bucket, of a listed pack */
        size_t n = count - at < buf_cap / DX_CAS_INDEX_ENTRY_SIZE ? (size_t)(count - at) : buf_cap / DX_CAS_INDEX_ENTRY_SIZE;
        if (dxi_cas_read_at(fd, buf, n * DX_CAS_INDEX_ENTRY_SIZE, (off_t)(off + at * DX_CAS_INDEX_ENTRY_SIZE)) != n * DX_CAS_INDEX_ENTRY_SIZE)
            goto done;
        dx_cas_sha256_update(&h, buf, n * DX_CAS_INDEX_ENTRY_SIZE);
        for (i = 0; i < n; i++, at++) {
            const uint8_t *e = buf + i * DX_CAS_INDEX_ENTRY_SIZE;
            uint32_t eb = dxi_cas_ix_bucket(bits, e);
            if ((at && DX_MEMCMP(prev, e, 33) >= 0) || dx_load_u32le(e + DX_CAS_INDEX_ENTRY_OFF_PACK) >= packs ||
                eb < b || at >= d->ix_fan[eb] || (eb && at < d->ix_fan[eb - 1]) || e[33] != 0 ||
                dx_load_u16le(e + 34) != 0 || dx_load_u32le(e + 60) != 0)
                goto done;
            b = eb;
            DX_MEMCPY(prev, e, 33);
        }
    }
    dx_cas_sha256_final(&h, sum);
    if (dxi_cas_read_at(fd, tail, sizeof tail, st.st_size - (off_t)sizeof tail) != sizeof tail ||
        DX_MEMCMP(tail + DX_CAS_INDEX_TRAILER_OFF_SUM, sum, sizeof sum) != 0 ||
        DX_MEMCMP(tail + DX_CAS_INDEX_TRAILER_OFF_MAGIC, "DXCX", 4) != 0 || dx_load_u32le(tail + DX_CAS_INDEX_TRAILER_OFF_RESERVED) != 0)
        goto done;
    d->ix_count = count;
    ok = true;
done:
    dxi_cas_free(&d->allocator, buf, buf ? buf_cap : 0);
    if (!ok) {
        dxi_cas_ix_drop(d);
        d->bad_index = true;
    }
    return DX_OK;
}

/* The covered object of an id, from the index (in d->ix_hit, valid until the next lookup), or NULL. */
DXI_PRIVATE dxi_cas_pent *dxi_cas_ix_find(dx_cas_dir *d, const dx_cas_id *id) {
    uint8_t buf[DXI_CAS_IX_WINDOW * DX_CAS_INDEX_ENTRY_SIZE], key[33], *miss = NULL;
    const uint8_t *e = NULL;
    uint64_t lo, hi, base;
    uint32_t b, k;
    dxi_cas_pent *s = (dxi_cas_pent *)(void *)d->ix_hit;
    size_t n, i;
    if (d->ix_fd < 0 || d->ix_count == 0 || (uint32_t)id->alg > 255 || id->alg == 0) return NULL;
    DX_MEMCPY(key, id->digest, DX_CAS_HASH_SIZE);
    key[32] = (uint8_t)id->alg;
    /* a miss asked again (a has, then the put's has): the answer of the last read of the index */
    if (!d->ix_misses && (d->ix_misses = (uint8_t *)dxi_cas_alloc(&d->allocator, (size_t)DXI_CAS_IX_MISSES * 33)) != NULL)
        DX_MEMSET(d->ix_misses, 0, (size_t)DXI_CAS_IX_MISSES * 33);
    if (d->ix_misses) {
        miss = d->ix_misses + (size_t)(dx_load_u16le(id->digest + 8) % DXI_CAS_IX_MISSES) * 33;
        if (DX_MEMCMP(miss, key, 33) == 0) return NULL;
    }
    b = dxi_cas_ix_bucket(d->ix_bits, id->digest);
    lo = b ? d->ix_fan[b - 1] : 0, hi = d->ix_fan[b];
    base = dxi_cas_ix_entries_off(d->ix_packs, d->ix_bits);
    while (hi - lo > DXI_CAS_IX_WINDOW) { /* a huge bucket: halve it an entry at a time */
        uint64_t mid = lo + (hi - lo) / 2;
        int c;
        if (dxi_cas_pread(d->ix_fd, buf, 33, (off_t)(base + mid * DX_CAS_INDEX_ENTRY_SIZE)) != 33) return NULL;
        c = DX_MEMCMP(buf, key, 33);
        if (c == 0) lo = mid, hi = mid + 1;
        else if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    n = (size_t)(hi - lo);
    if (n == 0 || dxi_cas_pread(d->ix_fd, buf, n * DX_CAS_INDEX_ENTRY_SIZE, (off_t)(base + lo * DX_CAS_INDEX_ENTRY_SIZE)) !=
                      n * DX_CAS_INDEX_ENTRY_SIZE)
        return NULL;
    for (i = 0; i < n && !e; i++)
        if (DX_MEMCMP(buf + i * DX_CAS_INDEX_ENTRY_SIZE, key, 33) == 0) e = buf + i * DX_CAS_INDEX_ENTRY_SIZE;
    if (!e && miss) DX_MEMCPY(miss, key, 33); /* (the index does not change until a merge drops it) */
    if (e && dxi_cas_ix_dead(d, lo + i - 1)) return NULL; /* deleted since the index was read */
    d->ix_hit_at = lo + i - 1;
    if (!e || (k = dx_load_u32le(e + DX_CAS_INDEX_ENTRY_OFF_PACK)) >= d->ix_packs || (k = d->ix_pack[k]) >= d->pack_count)
        return NULL;
    if (!dxi_cas_packs(d)[k].covered || dxi_cas_packs(d)[k].state != DXI_CAS_PACK_IN) return NULL; /* gone, or in the table */
    DX_MEMCPY(s->digest, id->digest, DX_CAS_HASH_SIZE);
    s->alg = (uint8_t)id->alg, s->state = DXI_CAS_PENT_LIVE, s->unused = 0, s->pack = k;
    s->offset = dx_load_u64le(e + DX_CAS_INDEX_ENTRY_OFF_OFFSET);
    s->stored = dx_load_u32le(e + DX_CAS_INDEX_ENTRY_OFF_STORED);
    s->size = dx_load_u32le(e + DX_CAS_INDEX_ENTRY_OFF_SIZE);
    s->inner = dx_load_u32le(e + DX_CAS_INDEX_ENTRY_OFF_INNER);
    if (s->offset >= DXI_CAS_IN_BLOCK(1)) return NULL; /* a finished pack's entries are never in an open block */
    return s;
}

/* Reads and checks pack k's index (d->zbuf holds it; *out points into it). */
DXI_PRIVATE dx_result dxi_cas_pack_read_index(dx_cas_dir *d, uint32_t k, dx_cas_pack_index *out) {
    uint8_t hdr[DX_CAS_PACK_HEADER_SIZE], tr[DX_CAS_PACK_TRAILER_SIZE];
    struct stat st;
    dx_result r;
    uint64_t need;
    int fd = dxi_cas_pack_fd(d, k);
    if (fd < 0) return errno == DXI_CAS_NOT_FILE ? (dx_result)DX_ERR_CORRUPT : dxi_cas_dir_err(d);
    if (fstat(fd, &st) != 0) return dxi_cas_dir_err(d);
    if (st.st_size < (off_t)DX_CAS_PACK_HEADER_SIZE + (off_t)DX_CAS_PACK_TRAILER_SIZE) return DX_ERR_CORRUPT;
    if (dxi_cas_read_at(fd, hdr, sizeof hdr, 0) != sizeof hdr) return DX_ERR_CORRUPT;
    if ((r = dxi_cas_pack_header_check(hdr)) != DX_OK) return r;
    if (dxi_cas_read_at(fd, tr, sizeof tr, st.st_size - (off_t)sizeof tr) != sizeof tr) return DX_ERR_CORRUPT;
    r = dx_cas_pack_parse(tr, sizeof tr, (uint64_t)st.st_size, d->cpu, out);
    if (r != DX_ERR_TRUNCATED) return r;
    need = (uint64_t)st.st_size - out->index_offset;
    if (need > SIZE_MAX) return DX_ERR_LIMIT;
    if ((r = dxi_cas_dir_zbuf(d, (size_t)need)) != DX_OK) return r;
    if (dxi_cas_read_at(fd, d->zbuf, (size_t)need, (off_t)out->index_offset) != (size_t)need) return DX_ERR_CORRUPT;
    return dx_cas_pack_parse(d->zbuf, (size_t)need, (uint64_t)st.st_size, d->cpu, out);
}

/* Pack k (in packs/): checked (WIRE FORMAT: header, trailer, checksum = its name, every entry) and,
   with into_table, its objects into the table; one that fails is BAD (d->bad_packs) and none of it
   is used. */
DXI_PRIVATE dx_result dxi_cas_pack_check(dx_cas_dir *d, uint32_t k, bool into_table) {
    dx_cas_pack_index pi;
    dxi_cas_pack *p;
    char hex[2 * DX_CAS_HASH_SIZE + 1];
    const char *name = dxi_cas_packs(d)[k].rel + 6; /* "packs/" + the name */
    dx_result r;
    uint32_t i;
    r = dxi_cas_pack_read_index(d, k, &pi);
    p = &dxi_cas_packs(d)[k];
    if (r == DX_ERR_NOTFOUND) { /* removed since the folder was read */
        p->state = DXI_CAS_PACK_GONE;
        return DX_OK;
    }
    if (r == DX_ERR_NOMEM) return r;
    if (r == DX_OK) {
        dxi_cas_hex(pi.sum, sizeof pi.sum, hex);
        if (DX_MEMCMP(name, hex, 2 * DX_CAS_HASH_SIZE) != 0) r = DX_ERR_CORRUPT; /* not the pack its name says */
    }
    for (i = 0; r == DX_OK && into_table && i < pi.count; i++) {
        dx_cas_pack_entry e;
        dx_cas_pack_index_entry(&pi, i, &e);
        r = dxi_cas_pidx_add(d, &e.id, k, e.offset, e.stored, e.size, e.inner);
        if (r != DX_OK) return r; /* no memory */
    }
    p = &dxi_cas_packs(d)[k];
    if (r != DX_OK) {
        size_t j = 0;
        if (p->fd >= 0) close(p->fd), p->fd = -1;
        p->state = DXI_CAS_PACK_BAD, p->covered = false;
        if (!d->bad_packs++) {
            while (name[j] && j + 1 < sizeof d->bad_pack) d->bad_pack[j] = name[j], j++;
            d->bad_pack[j] = 0;
        }
        return DX_OK;
    }
    p->size = pi.pack_size, p->count = pi.count;
    if (p->fd >= 0) close(p->fd), p->fd = -1; /* opened again at its first read: a store of many packs holds few */
    return DX_OK;
}

/* packs/<name>: known from here on; covered when the index lists it (nothing read now), else taken into the table */
DXI_PRIVATE dx_result dxi_cas_pack_load(dx_cas_dir *d, const char *name) {
    dxi_cas_pack *p;
    int64_t n = dxi_cas_pack_new(d), j;
    if (n < 0) return (dx_result)n;
    p = &dxi_cas_packs(d)[n];
    snprintf(p->rel, sizeof p->rel, "packs/%.80s", name);
    p->state = DXI_CAS_PACK_IN;
    if ((j = dxi_cas_ix_pack_number(d, name)) >= 0 && d->ix_pack[j] == UINT32_MAX) {
        p->covered = true;
        d->ix_pack[j] = (uint32_t)n;
        return DX_OK;
    }
    return dxi_cas_pack_check(d, (uint32_t)n, true);
}

/* the packs in packs/ this handle does not know yet (all of them at open) */
DXI_PRIVATE dx_result dxi_cas_packs_scan(dx_cas_dir *d) {
    char path[DX_CAS_PATH_MAX];
    DIR *dir;
    struct dirent *e;
    dx_result r = DX_OK;
    struct stat st;
    dxi_cas_dir_path(d, path, "packs");
    /* A miss looks for new packs; a folder whose time has not moved since a scan made 2 s or more after that
       time has none (a pack renamed in later moves it, even at a whole second's resolution): one stat then,
       not a read of the folder per missing object. */
    if (stat(path, &st) != 0) return errno == ENOENT ? (dx_result)DX_OK : dxi_cas_dir_err(d);
    if (d->packs_settled && (int64_t)st.st_mtime == d->packs_mtime) return DX_OK;
    if (!(dir = opendir(path))) return errno == ENOENT ? (dx_result)DX_OK : dxi_cas_dir_err(d);
    d->packs_mtime = (int64_t)st.st_mtime;
    d->packs_settled = (int64_t)time(NULL) - (int64_t)st.st_mtime >= 2;
    while (r == DX_OK && (e = readdir(dir)) != NULL) {
        const char *s = e->d_name;
        size_t len = 0, i;
        uint32_t j;
        bool known = false;
        while (s[len] && len < 80) len++;
        if (len != 2 * DX_CAS_HASH_SIZE + 5 || DX_MEMCMP(s + 2 * DX_CAS_HASH_SIZE, ".pack", 5) != 0) continue;
        for (i = 0; i < 2 * DX_CAS_HASH_SIZE; i++)
            if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) break;
        if (i < 2 * DX_CAS_HASH_SIZE) continue; /* not a pack's name */
        for (j = 0; j < d->pack_count && !known; j++) {
            const dxi_cas_pack *q = &dxi_cas_packs(d)[j];
            known = (q->state == DXI_CAS_PACK_IN || q->state == DXI_CAS_PACK_BAD) &&
                    DX_MEMCMP(q->rel + 6, s, len + 1) == 0; /* "packs/" + the name */
        }
        if (!known) r = dxi_cas_pack_load(d, s);
    }
    closedir(dir);
    if (r != DX_OK) d->packs_settled = false;
    return r;
}

/* Reads a stored form of `stored` bytes at off into buf (content of `size` bytes, when known, else
   (uint64_t)-1): the content length, DX_ERR_NOSPACE before any read if it exceeds cap,
   DX_ERR_CORRUPT for a form that does not decode or does not give `size`. */
DXI_PRIVATE int64_t dxi_cas_dir_read_form(dx_cas_dir *d, int fd, uint64_t off, uint64_t stored, uint64_t want, void *buf,
                                          size_t cap) {
    uint8_t hdr[DXI_CAS_OBJECT_PEEK];
    size_t h = dxi_cas_read_at(fd, hdr, stored < sizeof hdr ? (size_t)stored : sizeof hdr, (off_t)off);
    int64_t size = dxi_cas_object_size(hdr, h, stored, NULL);
    if (size >= 0 && want != (uint64_t)-1 && (uint64_t)size != want) size = DX_ERR_CORRUPT;
    if (size >= 0 && (uint64_t)size > (uint64_t)cap) return DX_ERR_NOSPACE; /* checked before any read */
    if (size >= 0 && stored == (uint64_t)size) { /* stored as it is: straight into buf */
        return (int64_t)dxi_cas_read_at(fd, (uint8_t *)buf, (size_t)size, (off_t)off); /* short: the hash check says so */
    } else if (size >= 0) { /* a stored form no longer than its content + 16, so bounded by cap */
        dx_result r = dxi_cas_dir_zbuf(d, (size_t)stored);
#if defined(DX_CAS_WITH_ZSTD)
        if (r == DX_OK && !d->zdctx && !(d->zdctx = ZSTD_createDCtx())) r = DX_ERR_NOMEM;
#endif
        if (r != DX_OK) return r;
        h = dxi_cas_read_at(fd, d->zbuf, (size_t)stored, (off_t)off);
        size = dx_cas_object_decode(d->zdctx, d->zbuf, h, buf, cap);
    }
    return size;
}

DXI_PRIVATE dx_result dxi_cas_pack_finish(dx_cas_dir *d);

/* The batch's open pack, made if there is none: its index in d->packs, or an error. */
DXI_PRIVATE int64_t dxi_cas_pack_open(dx_cas_dir *d) {
    char path[DX_CAS_PATH_MAX];
    uint8_t hdr[DX_CAS_PACK_HEADER_SIZE];
    dxi_cas_pack *p;
    dx_result r;
    int64_t k;
    if (d->open_pack) return (int64_t)d->open_pack - 1;
    if ((k = dxi_cas_pack_new(d)) < 0) return k;
    p = &dxi_cas_packs(d)[k];
    snprintf(p->rel, sizeof p->rel, "tmp/%.23s/pack.%lu", d->batch_tag, (unsigned long)d->pack_seq++);
    dxi_cas_dir_path(d, path, p->rel);
    p->fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0444);
    if (p->fd < 0 && errno == ENOENT) { /* the batch's first object: its folder */
        char folder[DX_CAS_PATH_MAX], frel[40];
        bool made;
        dxi_cas_dir_pending(d, NULL, frel, sizeof frel);
        dxi_cas_dir_path(d, folder, frel);
        if ((r = dxi_cas_mkdir(d, folder, &made)) != DX_OK) {
            p->state = DXI_CAS_PACK_GONE;
            return r;
        }
        p->fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0444);
    }
    if (p->fd < 0) {
        r = dxi_cas_dir_err(d);
        p->state = DXI_CAS_PACK_GONE;
        return r;
    }
    DX_MEMCPY(hdr + DX_CAS_PACK_OFF_MAGIC, "DXCK", 4);
    hdr[DX_CAS_PACK_OFF_MAJOR] = DX_CAS_FORMAT_MAJOR, hdr[DX_CAS_PACK_OFF_MINOR] = DX_CAS_FORMAT_MINOR;
    dx_store_u16le(hdr + DX_CAS_PACK_OFF_FLAGS, 0);
    if ((r = dxi_cas_write_all(d, p->fd, hdr, sizeof hdr)) != DX_OK) {
        close(p->fd), p->fd = -1;
        unlink(path);
        p->state = DXI_CAS_PACK_GONE;
        return r;
    }
    p->state = DXI_CAS_PACK_OPEN;
    p->size = DX_CAS_PACK_HEADER_SIZE;
    d->open_pack = (uint32_t)k + 1;
    d->open_index_len = 0, d->blk_len[0] = d->blk_len[1] = 0, d->blk_count[0] = d->blk_count[1] = 0;
    return k;
}

/* One more entry in the open pack's index (room is made first; the caller fills it). */
DXI_PRIVATE uint8_t *dxi_cas_pack_entry_new(dx_cas_dir *d, const dx_cas_id *id, uint64_t offset, uint32_t stored,
                                            uint32_t size, uint32_t inner) {
    uint8_t *e;
    if (d->open_index_len + DX_CAS_PACK_ENTRY_SIZE > d->open_index_cap) {
        size_t cap = d->open_index_cap ? d->open_index_cap * 2 : 1024 * DX_CAS_PACK_ENTRY_SIZE;
        uint8_t *q = (uint8_t *)dxi_cas_alloc(&d->allocator, cap + DX_CAS_PACK_TRAILER_SIZE); /* the trailer fits after */
        if (!q) return NULL;
        if (d->open_index_len) DX_MEMCPY(q, d->open_index, d->open_index_len);
        dxi_cas_free(&d->allocator, d->open_index, d->open_index_cap ? d->open_index_cap + DX_CAS_PACK_TRAILER_SIZE : 0);
        d->open_index = q, d->open_index_cap = cap;
    }
    e = d->open_index + d->open_index_len;
    (void)dx_cas_id_encode(id, e + DX_CAS_PACK_ENTRY_OFF_ID, DX_CAS_ID_SIZE);
    dx_store_u16le(e + DX_CAS_PACK_ENTRY_OFF_FLAGS, 0);
    dx_store_u64le(e + DX_CAS_PACK_ENTRY_OFF_OFFSET, offset);
    dx_store_u32le(e + DX_CAS_PACK_ENTRY_OFF_STORED, stored);
    dx_store_u32le(e + DX_CAS_PACK_ENTRY_OFF_SIZE, size);
    dx_store_u32le(e + DX_CAS_PACK_ENTRY_OFF_INNER, inner);
    d->open_index_len += DX_CAS_PACK_ENTRY_SIZE;
    return e;
}

/* Encodes content as a stored form (zstd when it saves bytes) and appends it to the open pack:
   its offset (*out_stored its bytes), or an error. */
DXI_PRIVATE int64_t dxi_cas_pack_record(dx_cas_dir *d, const uint8_t *content, size_t len, uint32_t *out_stored) {
    const uint8_t *bytes = content;
    size_t n = len;
    dxi_cas_pack *p;
    uint64_t off;
    dx_result r;
    int64_t k = dxi_cas_pack_open(d);
    if (k < 0) return k;
    if ((d->zcctx && d->compress > 0) || dxi_cas_object_magic(content, len)) { /* the stored form ("DXCZ") */
        int64_t m = dxi_cas_dir_zbuf(d, dx_cas_object_bound(len));
        if (m == DX_OK) m = dx_cas_object_encode(d->compress > 0 ? d->zcctx : NULL, content, len, d->zbuf, d->zbuf_cap);
        if (m < 0) return m;
        if ((size_t)m < len) d->compressed++, d->saved_bytes += len - (size_t)m;
        bytes = d->zbuf, n = (size_t)m;
    }
    p = &dxi_cas_packs(d)[k];
    off = p->size;
    if (lseek(p->fd, (off_t)off, SEEK_SET) != (off_t)off) return dxi_cas_dir_err(d);
    if ((r = dxi_cas_write_all(d, p->fd, bytes, n)) != DX_OK) return r;
    p->size += n;
    d->pending_bytes += n, d->packed_bytes += n;
    *out_stored = (uint32_t)n;
    return (int64_t)off;
}

/* Open block b (small objects' contents, back to back) as one record of the open pack: its
   entries and slots get the record's offset. */
DXI_PRIVATE dx_result dxi_cas_pack_flush(dx_cas_dir *d, unsigned b) {
    uint32_t stored, k;
    size_t i;
    int64_t off;
    if (!d->blk_count[b]) return DX_OK;
    k = d->open_pack - 1;
    off = dxi_cas_pack_record(d, d->blk[b], d->blk_len[b], &stored);
    if (off < 0) return (dx_result)off;
    for (i = 0; i < d->open_index_len; i += DX_CAS_PACK_ENTRY_SIZE) {
        uint8_t *e = d->open_index + i;
        dx_cas_id id;
        dxi_cas_pent *s;
        if (dx_load_u64le(e + DX_CAS_PACK_ENTRY_OFF_OFFSET) != DXI_CAS_IN_BLOCK(b)) continue;
        dx_store_u64le(e + DX_CAS_PACK_ENTRY_OFF_OFFSET, (uint64_t)off);
        dx_store_u32le(e + DX_CAS_PACK_ENTRY_OFF_STORED, stored);
        (void)dx_cas_id_decode(e + DX_CAS_PACK_ENTRY_OFF_ID, DX_CAS_ID_SIZE, &id);
        if ((s = dxi_cas_pidx_copy(d, &id, k, DXI_CAS_IN_BLOCK(b), true)) != NULL) s->offset = (uint64_t)off, s->stored = stored;
    }
    d->blk_len[b] = 0, d->blk_count[b] = 0;
    return DX_OK;
}

/* An object into the open pack: a small one into an open block (written with the next ones,
   compressed together; manifests and trees in a block of their own, so that a gc or a verify,
   which read them all, decode few blocks), a larger one as a record of its own. */
DXI_PRIVATE dx_result dxi_cas_pack_put(dx_cas_dir *d, const dx_cas_id *id, const uint8_t *data, size_t len) {
    int64_t k = dxi_cas_pack_open(d), off;
    uint32_t stored;
    dx_result r;
    unsigned b = len >= 4 && (DX_MEMCMP(data, "DXCM", 4) == 0 || DX_MEMCMP(data, "DXCT", 4) == 0);
    if (k < 0) return (dx_result)k;
    if (len > DX_CAS_DIR_PACK_BLOCK / 2) { /* alone */
        if ((off = dxi_cas_pack_record(d, data, len, &stored)) < 0) return (dx_result)off;
        if (!dxi_cas_pack_entry_new(d, id, (uint64_t)off, stored, (uint32_t)len, 0)) return DX_ERR_NOMEM;
        if ((r = dxi_cas_pidx_add(d, id, (uint32_t)k, (uint64_t)off, stored, (uint32_t)len, 0)) != DX_OK) return r;
    } else {
        if (d->blk_len[b] + len > DX_CAS_DIR_PACK_BLOCK && (r = dxi_cas_pack_flush(d, b)) != DX_OK) return r;
        if (!d->blk[b]) {
            d->blk[b] = (uint8_t *)dxi_cas_alloc(&d->allocator, DX_CAS_DIR_PACK_BLOCK);
            if (!d->blk[b]) return DX_ERR_NOMEM;
        }
        if (!dxi_cas_pack_entry_new(d, id, DXI_CAS_IN_BLOCK(b), 0, (uint32_t)len, (uint32_t)d->blk_len[b])) return DX_ERR_NOMEM;
        if ((r = dxi_cas_pidx_add(d, id, (uint32_t)k, DXI_CAS_IN_BLOCK(b), 0, (uint32_t)len, (uint32_t)d->blk_len[b])) != DX_OK) {
            d->open_index_len -= DX_CAS_PACK_ENTRY_SIZE;
            return r;
        }
        if (len) DX_MEMCPY(d->blk[b] + d->blk_len[b], data, len);
        d->blk_len[b] += len, d->blk_count[b]++;
    }
    d->pending++, d->packed++;
    if (dxi_cas_packs(d)[k].size + d->blk_len[0] + d->blk_len[1] >= DX_CAS_DIR_PACK_BYTES) return dxi_cas_pack_finish(d);
    return DX_OK;
}

DXI_PRIVATE int dxi_cas_pack_entry_cmp(const void *a, const void *b) { return memcmp(a, b, DX_CAS_ID_SIZE); }

/* The open pack's last block, then its index (its objects still live, sorted by id) and trailer:
   the pack is DONE, renamed into packs/ at the sync; with nothing live in it, it is removed. */
DXI_PRIVATE dx_result dxi_cas_pack_finish(dx_cas_dir *d) {
    uint32_t k = d->open_pack - 1;
    dxi_cas_pack *p;
    size_t i, j, n = 0;
    uint8_t *t;
    dx_cas_sha256 h;
    dx_result r;
    if ((r = dxi_cas_pack_flush(d, 0)) != DX_OK || (r = dxi_cas_pack_flush(d, 1)) != DX_OK) return r;
    p = &dxi_cas_packs(d)[k];
    for (i = 0; i < d->open_index_len; i += DX_CAS_PACK_ENTRY_SIZE) { /* keep the live ones (deleted since: dropped) */
        const uint8_t *e = d->open_index + i;
        dx_cas_id id;
        const dxi_cas_pent *s;
        (void)dx_cas_id_decode(e + DX_CAS_PACK_ENTRY_OFF_ID, DX_CAS_ID_SIZE, &id);
        s = dxi_cas_pidx_copy(d, &id, k, dx_load_u64le(e + DX_CAS_PACK_ENTRY_OFF_OFFSET), true);
        if (!s || s->inner != dx_load_u32le(e + DX_CAS_PACK_ENTRY_OFF_INNER)) continue; /* an earlier copy, deleted */
        if (n != i) DX_MEMMOVE(d->open_index + n, e, DX_CAS_PACK_ENTRY_SIZE);
        n += DX_CAS_PACK_ENTRY_SIZE;
    }
    d->open_index_len = n; /* a finish that fails is tried again by the next sync from here */
    if (n == 0) { /* nothing live: no pack */
        char path[DX_CAS_PATH_MAX];
        dxi_cas_dir_path(d, path, p->rel);
        close(p->fd), p->fd = -1;
        unlink(path);
        p->state = DXI_CAS_PACK_GONE;
        d->open_pack = 0;
        return DX_OK;
    }
    qsort(d->open_index, n / DX_CAS_PACK_ENTRY_SIZE, DX_CAS_PACK_ENTRY_SIZE, dxi_cas_pack_entry_cmp);
    for (i = DX_CAS_PACK_ENTRY_SIZE, j = DX_CAS_PACK_ENTRY_SIZE; i < n; i += DX_CAS_PACK_ENTRY_SIZE) { /* each id once */
        if (DX_MEMCMP(d->open_index + i, d->open_index + j - DX_CAS_PACK_ENTRY_SIZE, DX_CAS_ID_SIZE) == 0) continue;
        if (i != j) DX_MEMMOVE(d->open_index + j, d->open_index + i, DX_CAS_PACK_ENTRY_SIZE);
        j += DX_CAS_PACK_ENTRY_SIZE;
    }
    n = j;
    d->open_index_len = n;
    t = d->open_index + n; /* the buffer has room for the trailer */
    dx_store_u64le(t + DX_CAS_PACK_TRAILER_OFF_INDEX, p->size);
    dx_store_u32le(t + DX_CAS_PACK_TRAILER_OFF_COUNT, (uint32_t)(n / DX_CAS_PACK_ENTRY_SIZE));
    dx_store_u32le(t + DX_CAS_PACK_TRAILER_OFF_FLAGS, 0);
    dx_cas_sha256_init(&h, d->cpu);
    dx_cas_sha256_update(&h, d->open_index, n + DX_CAS_PACK_TRAILER_OFF_SUM);
    dx_cas_sha256_final(&h, t + DX_CAS_PACK_TRAILER_OFF_SUM);
    DX_MEMCPY(t + DX_CAS_PACK_TRAILER_OFF_MAGIC, "DXCI", 4);
    t[DX_CAS_PACK_TRAILER_OFF_MAJOR] = DX_CAS_FORMAT_MAJOR, t[DX_CAS_PACK_TRAILER_OFF_MINOR] = DX_CAS_FORMAT_MINOR;
    dx_store_u16le(t + DX_CAS_PACK_TRAILER_OFF_RESERVED, 0);
    if (lseek(p->fd, (off_t)p->size, SEEK_SET) != (off_t)p->size) return dxi_cas_dir_err(d);
    if ((r = dxi_cas_write_all(d, p->fd, d->open_index, n + DX_CAS_PACK_TRAILER_SIZE)) != DX_OK) return r;
    p->size += n + DX_CAS_PACK_TRAILER_SIZE;
    p->count = (uint32_t)(n / DX_CAS_PACK_ENTRY_SIZE);
    d->open_pack = 0, d->open_index_len = 0;
    dxi_cas_hex(t + DX_CAS_PACK_TRAILER_OFF_SUM, DX_CAS_HASH_SIZE, p->final);
    DX_MEMCPY(p->final + 2 * DX_CAS_HASH_SIZE, ".pack", 6);
    p->state = DXI_CAS_PACK_DONE;
#if defined(SYNC_FILE_RANGE_WRITE) /* Linux, _GNU_SOURCE: the disk starts on it now, so the sync waits less */
    if (!d->no_sync) (void)sync_file_range(p->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
    return DX_OK;
}

/* A packed object's content into buf: from the open block, or its record (decoded whole into
   d->rblk when it holds several objects; the last one decoded is kept, so reading a pack in
   order decodes each record once). The record's content must hold inner + size bytes. */
DXI_PRIVATE int64_t dxi_cas_pack_read(dx_cas_dir *d, const dxi_cas_pent *s, void *buf, size_t cap) {
    uint8_t hdr[DXI_CAS_OBJECT_PEEK];
    uint64_t len;
    int64_t n;
    size_t h;
    unsigned c;
    int fd;
    if (s->size > cap) return DX_ERR_NOSPACE;
    if (s->offset >= DXI_CAS_IN_BLOCK(1)) { /* not written yet */
        unsigned b = s->offset == DXI_CAS_IN_BLOCK(0) ? 0 : 1;
        if ((uint64_t)s->inner + s->size > d->blk_len[b]) return DX_ERR_CORRUPT;
        if (s->size) DX_MEMCPY(buf, d->blk[b] + s->inner, s->size);
        return (int64_t)s->size;
    }
    for (c = 0; c < 4; c++) {
        if (d->rblk_valid[c] && d->rblk_pack[c] == s->pack && d->rblk_off[c] == s->offset) { /* decoded already */
            if ((uint64_t)s->inner + s->size > d->rblk_len[c]) return DX_ERR_CORRUPT;
            if (s->size) DX_MEMCPY(buf, d->rblk[c] + s->inner, s->size);
            return (int64_t)s->size;
        }
    }
    if ((fd = dxi_cas_pack_fd(d, s->pack)) < 0) { /* a pack it indexed has gone: not a missing object */
        (void)dxi_cas_dir_err(d);
        return DX_ERR_IO;
    }
    h = dxi_cas_read_at(fd, hdr, s->stored < sizeof hdr ? (size_t)s->stored : sizeof hdr, (off_t)s->offset);
    if ((n = dxi_cas_object_size(hdr, h, s->stored, NULL)) < 0) return DX_ERR_CORRUPT;
    len = (uint64_t)n;
    if ((uint64_t)s->inner + s->size > len) return DX_ERR_CORRUPT;
    if (s->inner == 0 && len == s->size) return dxi_cas_dir_read_form(d, fd, s->offset, s->stored, len, buf, cap);
    if (len > DX_CAS_PACK_RECORD_MAX) return DX_ERR_CORRUPT; /* a block is never this large */
    c = d->rblk_next, d->rblk_next = (d->rblk_next + 1) & 3;
    if (len > d->rblk_cap[c] || !d->rblk[c]) {
        uint8_t *q = (uint8_t *)dxi_cas_alloc(&d->allocator, len ? (size_t)len : 1);
        if (!q) return DX_ERR_NOMEM;
        dxi_cas_free(&d->allocator, d->rblk[c], d->rblk_cap[c]);
        d->rblk[c] = q, d->rblk_cap[c] = len ? (size_t)len : 1;
    }
    d->rblk_valid[c] = false;
    n = dxi_cas_dir_read_form(d, fd, s->offset, s->stored, len, d->rblk[c], d->rblk_cap[c]);
    if (n < 0) return n;
    if ((uint64_t)n != len) return DX_ERR_CORRUPT; /* cut short */
    d->rblk_valid[c] = true, d->rblk_pack[c] = s->pack, d->rblk_off[c] = s->offset, d->rblk_len[c] = (size_t)len;
    if (s->size) DX_MEMCPY(buf, d->rblk[c] + s->inner, s->size);
    return (int64_t)s->size;
}

/* Pack k lost objects: its live ones are put again (into the open pack). 1 (and nothing removed
   later) if the old pack cannot be read any more: it stays as it is. */
DXI_PRIVATE dx_result dxi_cas_pack_rewrite(dx_cas_dir *d, uint32_t k) {
    dx_cas_pack_index pi;
    uint8_t *index, *obj = NULL;
    size_t len, obj_cap = 0;
    uint64_t at = 0;
    uint32_t i;
    bool covered = dxi_cas_packs(d)[k].covered; /* its entries in the index (deletes: bits), else in the table */
    dx_result r = dxi_cas_pack_read_index(d, k, &pi);
    if (r == DX_ERR_NOMEM) return r;
    if (r != DX_OK) return 1;
    len = (size_t)pi.count * DX_CAS_PACK_ENTRY_SIZE; /* d->zbuf holds it: a copy, zbuf carries the objects */
    index = (uint8_t *)dxi_cas_alloc(&d->allocator, len ? len : 1);
    if (!index) return DX_ERR_NOMEM;
    if (len) DX_MEMCPY(index, pi.entries, len);
    pi.entries = index;
    for (i = 0; r == DX_OK && i < pi.count; i++) {
        dx_cas_pack_entry e;
        dxi_cas_pent *s;
        int64_t n;
        dx_cas_pack_index_entry(&pi, i, &e);
        if (covered) { /* live: the index's entry of the id is this one, not deleted, and no copy in the table */
            if (dxi_cas_pidx_find(d, &e.id) || !(s = dxi_cas_ix_find(d, &e.id)) || s->pack != k || s->offset != e.offset ||
                s->inner != e.inner)
                continue;
            at = d->ix_hit_at;
        } else {
            if (!(s = dxi_cas_pidx_copy(d, &e.id, k, e.offset, true))) continue; /* deleted */
            if (s->inner != e.inner) continue; /* not this entry's slot (a damaged pack): left alone */
            if (dxi_cas_pidx_copy(d, &e.id, k, 0, false) || dxi_cas_ix_find(d, &e.id)) { /* live in another pack too: this copy just goes */
                s->state = DXI_CAS_PENT_DEAD;
                continue;
            }
        }
        if (e.size > obj_cap) {
            dxi_cas_free(&d->allocator, obj, obj_cap);
            obj_cap = e.size;
            if (!(obj = (uint8_t *)dxi_cas_alloc(&d->allocator, obj_cap))) {
                obj_cap = 0, r = DX_ERR_NOMEM;
                break;
            }
        }
        n = dxi_cas_pack_read(d, s, obj, obj_cap);
        if (n == DX_ERR_NOMEM) {
            r = DX_ERR_NOMEM;
            break;
        }
        if (n != (int64_t)e.size) {
            r = 1; /* unreadable since it was checked: the pack stays (what was copied is there twice) */
            break;
        }
        if (covered) r = dxi_cas_ix_kill(d, at); /* this copy goes with the pack; the new one takes its place */
        else s->state = DXI_CAS_PENT_DEAD;
        if (r == DX_OK) r = dxi_cas_pack_put(d, &e.id, obj, e.size);
    }
    dxi_cas_free(&d->allocator, obj, obj_cap);
    dxi_cas_free(&d->allocator, index, len ? len : 1);
    return r;
}

/* ---- the index file, continued: lookups, deletes, iteration and the merge ---- */

/* The first live copy of an id: in the table, else in a covered pack (d->ix_hit). */
DXI_PRIVATE dxi_cas_pent *dxi_cas_pack_find(dx_cas_dir *d, const dx_cas_id *id) {
    dxi_cas_pent *s = dxi_cas_pidx_find(d, id);
    return s ? s : dxi_cas_ix_find(d, id);
}

/* One entry of the index: its pack (d->packs), or UINT32_MAX when the index's pack is not in packs/ */
DXI_PRIVATE uint32_t dxi_cas_ix_entry_pack(const dx_cas_dir *d, const uint8_t *e) {
    uint32_t j = dx_load_u32le(e + DX_CAS_INDEX_ENTRY_OFF_PACK);
    return j < d->ix_packs ? d->ix_pack[j] : UINT32_MAX;
}

typedef struct dxi_cas_ix_item {
    dx_cas_id id;
    uint32_t pack, inner, size;
    uint64_t offset, at; /* at: its number in the index */
} dxi_cas_ix_item;

DXI_PRIVATE int dxi_cas_ix_item_cmp(const void *a, const void *b) {
    const dxi_cas_ix_item *x = (const dxi_cas_ix_item *)a, *y = (const dxi_cas_ix_item *)b;
    if (x->pack != y->pack) return x->pack < y->pack ? -1 : 1;
    if (x->offset != y->offset) return x->offset < y->offset ? -1 : 1;
    return x->inner < y->inner ? -1 : x->inner > y->inner;
}

/* Still live: a covered pack's object not deleted since, or one of a pack whose index is back in the table */
DXI_PRIVATE bool dxi_cas_ix_item_live(const dx_cas_dir *d, const dxi_cas_ix_item *it) {
    const dxi_cas_pack *p = &dxi_cas_packs(d)[it->pack];
    const dxi_cas_pent *s;
    if (p->state != DXI_CAS_PACK_IN) return false;
    if (p->covered) {
        if (dxi_cas_ix_dead(d, it->at)) return false;
        s = dxi_cas_pidx_find(d, &it->id); /* a copy in a pack of the table was listed with the table */
        return !s || s->pack == it->pack;
    }
    s = dxi_cas_pidx_copy(d, &it->id, it->pack, it->offset, true);
    return s && s->inner == it->inner;
}

/* The objects of the packs the index covered when it began (after the table's: iterate_packed),
   a window of the index at a time, each window in the order of the packs' records. */
#define DXI_CAS_IX_ITER_WINDOW 4096u
DXI_PRIVATE dx_result dxi_cas_ix_iterate(dx_cas_dir *d, dx_cas_iter_fn fn, void *user) {
    dxi_cas_ix_item *items;
    uint8_t *raw, *was;
    uint64_t pos = 0, base;
    size_t raw_cap = 256 * DX_CAS_INDEX_ENTRY_SIZE, n, i;
    uint32_t k, packs = d->pack_count;
    dx_result r = DX_OK;
    if (d->ix_fd < 0 || d->ix_count == 0) return DX_OK;
    base = dxi_cas_ix_entries_off(d->ix_packs, d->ix_bits);
    items = (dxi_cas_ix_item *)dxi_cas_alloc(&d->allocator, DXI_CAS_IX_ITER_WINDOW * sizeof *items);
    raw = (uint8_t *)dxi_cas_alloc(&d->allocator, raw_cap);
    was = (uint8_t *)dxi_cas_alloc(&d->allocator, packs ? packs : 1);
    if (!items || !raw || !was) r = DX_ERR_NOMEM;
    for (k = 0; r == DX_OK && k < packs; k++) was[k] = dxi_cas_packs(d)[k].covered && dxi_cas_packs(d)[k].state == DXI_CAS_PACK_IN;
    while (r == DX_OK && pos < d->ix_count) {
        for (n = 0; r == DX_OK && n < DXI_CAS_IX_ITER_WINDOW && pos < d->ix_count;) {
            size_t m = raw_cap / DX_CAS_INDEX_ENTRY_SIZE, j;
            if (m > DXI_CAS_IX_ITER_WINDOW - n) m = DXI_CAS_IX_ITER_WINDOW - n;
            if (m > d->ix_count - pos) m = (size_t)(d->ix_count - pos);
            if (dxi_cas_read_at(d->ix_fd, raw, m * DX_CAS_INDEX_ENTRY_SIZE, (off_t)(base + pos * DX_CAS_INDEX_ENTRY_SIZE)) !=
                m * DX_CAS_INDEX_ENTRY_SIZE) {
                r = dxi_cas_dir_err(d);
                break;
            }
            pos += m;
            for (j = 0; j < m; j++) {
                const uint8_t *e = raw + j * DX_CAS_INDEX_ENTRY_SIZE;
                dxi_cas_ix_item *it = &items[n];
                it->pack = dxi_cas_ix_entry_pack(d, e);
                if (it->pack >= packs || !was[it->pack]) continue; /* gone, or listed with the table */
                it->id.alg = e[DX_CAS_INDEX_ENTRY_OFF_ALG];
                DX_MEMCPY(it->id.digest, e, DX_CAS_HASH_SIZE);
                it->offset = dx_load_u64le(e + DX_CAS_INDEX_ENTRY_OFF_OFFSET);
                it->size = dx_load_u32le(e + DX_CAS_INDEX_ENTRY_OFF_SIZE);
                it->inner = dx_load_u32le(e + DX_CAS_INDEX_ENTRY_OFF_INNER);
                it->at = pos - m + j;
                n++;
            }
        }
        qsort(items, n, sizeof *items, dxi_cas_ix_item_cmp);
        for (i = 0; r == DX_OK && i < n; i++) /* fn may delete: checked again before each */
            if (dxi_cas_ix_item_live(d, &items[i])) r = fn(user, &items[i].id, items[i].size);
    }
    dxi_cas_free(&d->allocator, items, items ? DXI_CAS_IX_ITER_WINDOW * sizeof *items : 0);
    dxi_cas_free(&d->allocator, raw, raw ? raw_cap : 0);
    dxi_cas_free(&d->allocator, was, was ? (packs ? packs : 1) : 0);
    return r;
}

/* ---- the merge: the table's entries of finished packs, and the index there was, into a new index ---- */

typedef struct dxi_cas_ix_out { /* the new index, written in order through a buffer */
    dx_cas_dir *d;
    int fd;
    uint64_t off;
    uint8_t *buf;
    size_t len, cap;
    dx_result r;
} dxi_cas_ix_out;

DXI_PRIVATE dx_result dxi_cas_write_at(dx_cas_dir *d, int fd, const uint8_t *p, size_t len, uint64_t off) {
    if (lseek(fd, (off_t)off, SEEK_SET) != (off_t)off) return dxi_cas_dir_err(d);
    return dxi_cas_write_all(d, fd, p, len);
}

DXI_PRIVATE void dxi_cas_ix_out_flush(dxi_cas_ix_out *o) {
    if (o->r == DX_OK && o->len && dxi_cas_write_at(o->d, o->fd, o->buf, o->len, o->off) != DX_OK) o->r = DX_ERR_IO;
    o->off += o->len, o->len = 0;
}

DXI_PRIVATE void dxi_cas_ix_out_put(dxi_cas_ix_out *o, const uint8_t *bytes, size_t n) {
    if (o->len + n > o->cap) dxi_cas_ix_out_flush(o);
    DX_MEMCPY(o->buf + o->len, bytes, n);
    o->len += n;
}

DXI_PRIVATE int dxi_cas_pent_key_cmp(const void *a, const void *b) {
    const dxi_cas_pent *x = *(const dxi_cas_pent *const *)a, *y = *(const dxi_cas_pent *const *)b;
    int c = DX_MEMCMP(x->digest, y->digest, DX_CAS_HASH_SIZE);
    return c ? c : (int)x->alg - (int)y->alg;
}

/* When the table holds table_max entries of finished packs or more (after a sync), they and the
   index there was go into a new packs/index, and those packs are covered. A merge that fails
   changes nothing (the entries stay in the table). */
DXI_PRIVATE dx_result dxi_cas_ix_merge(dx_cas_dir *d) {
    char tmp[DX_CAS_PATH_MAX], path[DX_CAS_PATH_MAX], rel[64];
    uint32_t packs = d->pack_count, k, listed = 0, bits = 0, *newpos = NULL, *fan = NULL;
    uint8_t *fold = NULL, *names = NULL, *old = NULL, head[DX_CAS_INDEX_HEADER_SIZE], tail[DX_CAS_INDEX_TRAILER_SIZE];
    const dxi_cas_pent **order = NULL;
    const uint8_t *x;
    uint8_t last[33], *dead = NULL;
    uint32_t xp = 0;
    size_t names_cap = 0, n = 0, i = 0, old_cap = 256 * DX_CAS_INDEX_ENTRY_SIZE, old_len = 0, old_at = 0, fan_len = 0, dead_len = 0;
    uint64_t old_pos = 0, count = 0, live = 0, start, deleted = 0;
    bool x_dead = false;
    dxi_cas_ix_out o;
    dx_cas_sha256 h;
    dx_result r = DX_OK;
    int fd = -1;
    if (d->loose || !d->batch || d->table_max == UINT64_MAX) return DX_OK;
    for (i = 0; i < d->pent_count; i++) live += dxi_cas_pent_at(d, i)->state == DXI_CAS_PENT_LIVE;
    if (live < d->table_max || live == 0) return DX_OK;
    DX_MEMSET(&o, 0, sizeof o);
    fold = (uint8_t *)dxi_cas_alloc(&d->allocator, packs);
    newpos = (uint32_t *)dxi_cas_alloc(&d->allocator, (size_t)packs * sizeof *newpos);
    if (!fold || !newpos) {
        r = DX_ERR_NOMEM;
        goto out;
    }
    for (k = 0; k < packs; k++) { /* 1: folded in now; 2: covered already (one waiting for its rewrite too) */
        const dxi_cas_pack *p = &dxi_cas_packs(d)[k];
        fold[k] = p->state != DXI_CAS_PACK_IN || p->doomed ? 0 : p->covered ? 2 : p->rewrite ? 0 : 1;
    }
    for (i = 0; i < d->pent_count; i++) { /* a pack with a deleted object waits for its rewrite */
        const dxi_cas_pent *s = dxi_cas_pent_at(d, i);
        if (s->state == DXI_CAS_PENT_DEAD && s->pack < packs && fold[s->pack] == 1) fold[s->pack] = 0;
    }
    for (i = 0; i < d->pent_count; i++) {
        const dxi_cas_pent *s = dxi_cas_pent_at(d, i);
        n += s->state == DXI_CAS_PENT_LIVE && fold[s->pack] == 1;
    }
    for (k = 0; k < packs; k++) listed += fold[k] != 0;
    if (n == 0) goto out;
    order = (const dxi_cas_pent **)dxi_cas_alloc(&d->allocator, n * sizeof *order);
    names_cap = (size_t)listed * DX_CAS_HASH_SIZE + 1;
    names = (uint8_t *)dxi_cas_alloc(&d->allocator, names_cap);
    old = (uint8_t *)dxi_cas_alloc(&d->allocator, old_cap);
    o.cap = 1024 * DX_CAS_INDEX_ENTRY_SIZE;
    o.buf = (uint8_t *)dxi_cas_alloc(&d->allocator, o.cap);
    if (!order || !names || !old || !o.buf) {
        r = DX_ERR_NOMEM;
        goto out;
    }
    for (i = 0, n = 0; i < d->pent_count; i++) {
        const dxi_cas_pent *s = dxi_cas_pent_at(d, i);
        if (s->state == DXI_CAS_PENT_LIVE && fold[s->pack] == 1) order[n++] = s;
    }
    qsort(order, n, sizeof *order, dxi_cas_pent_key_cmp);
    for (k = 0, listed = 0; k < packs; k++) /* the new list of packs, by name */
        if (fold[k] && dxi_cas_pack_sum(dxi_cas_packs(d)[k].rel + 6, names + (size_t)listed * DX_CAS_HASH_SIZE)) listed++;
        else fold[k] = 0;
    qsort(names, listed, DX_CAS_HASH_SIZE, dxi_cas_sum_cmp);
    for (k = 1, i = listed ? 1 : 0; k < listed; k++) /* each name once (two handles' packs of the same bytes) */
        if (DX_MEMCMP(names + (size_t)k * DX_CAS_HASH_SIZE, names + (i - 1) * DX_CAS_HASH_SIZE, DX_CAS_HASH_SIZE) != 0)
            DX_MEMMOVE(names + i++ * DX_CAS_HASH_SIZE, names + (size_t)k * DX_CAS_HASH_SIZE, DX_CAS_HASH_SIZE);
    listed = (uint32_t)i;
    for (k = 0; k < packs; k++) {
        uint8_t sum[DX_CAS_HASH_SIZE];
        const uint8_t *at;
        newpos[k] = UINT32_MAX;
        if (!fold[k] || !dxi_cas_pack_sum(dxi_cas_packs(d)[k].rel + 6, sum)) continue;
        at = (const uint8_t *)bsearch(sum, names, listed, DX_CAS_HASH_SIZE, dxi_cas_sum_cmp);
        if (at) newpos[k] = (uint32_t)((size_t)(at - names) / DX_CAS_HASH_SIZE);
    }
    if (d->ix_count + n >= UINT32_MAX) goto out; /* the fan-out counts are u32: the rest stays in the table */
    if (d->ix_dead) { /* deleted entries of packs still to be rewritten stay listed (the index says what a pack
                         holds: a crash before the rewrite leaves garbage the next gc sees), their bits carried over */
        dead_len = (size_t)((d->ix_count + n + 7) / 8);
        if (!(dead = (uint8_t *)dxi_cas_alloc(&d->allocator, dead_len))) {
            r = DX_ERR_NOMEM;
            goto out;
        }
        DX_MEMSET(dead, 0, dead_len);
    }
    while (bits < 16 && ((uint64_t)16 << bits) < d->ix_count + n) bits++; /* about 16 entries a bucket */
    fan_len = (size_t)4 << bits;
    if (!(fan = (uint32_t *)dxi_cas_alloc(&d->allocator, fan_len))) {
        r = DX_ERR_NOMEM;
        goto out;
    }
    DX_MEMSET(fan, 0, fan_len);
    snprintf(rel, sizeof rel, "tmp/%ld.%lu.index", d->pid, (unsigned long)d->counter++);
    dxi_cas_dir_path(d, tmp, rel);
    if ((fd = open(tmp, O_RDWR | O_CREAT | O_EXCL, 0444)) < 0) {
        r = dxi_cas_dir_err(d);
        goto out;
    }
    o.d = d, o.fd = fd, o.off = start = dxi_cas_ix_entries_off(listed, bits);
    for (i = 0, x = NULL;;) { /* the two sorted runs merged; an id in both: the index's copy */
        uint8_t e[DX_CAS_INDEX_ENTRY_SIZE];
        const dxi_cas_pent *y = i < n ? order[i] : NULL;
        int c;
        while (!x && (old_at < old_len || old_pos < d->ix_count)) { /* the old index's next entry still covered */
            if (old_at == old_len) {
                size_t m = d->ix_count - old_pos < old_cap / DX_CAS_INDEX_ENTRY_SIZE ? (size_t)(d->ix_count - old_pos)
                                                                                    : old_cap / DX_CAS_INDEX_ENTRY_SIZE;
                uint64_t at = dxi_cas_ix_entries_off(d->ix_packs, d->ix_bits) + old_pos * DX_CAS_INDEX_ENTRY_SIZE;
                if (dxi_cas_read_at(d->ix_fd, old, m * DX_CAS_INDEX_ENTRY_SIZE, (off_t)at) != m * DX_CAS_INDEX_ENTRY_SIZE) {
                    r = DX_ERR_IO;
                    goto out;
                }
                old_pos += m, old_len = m * DX_CAS_INDEX_ENTRY_SIZE, old_at = 0;
            }
            x = old + old_at;
            old_at += DX_CAS_INDEX_ENTRY_SIZE;
            xp = dxi_cas_ix_entry_pack(d, x);
            if (xp >= packs || fold[xp] != 2) x = NULL; /* its pack is gone or back in the table */
            else x_dead = dxi_cas_ix_dead(d, old_pos - (old_len - old_at) / DX_CAS_INDEX_ENTRY_SIZE - 1);
        }
        if (!x && !y) break;
        c = !x ? 1 : !y ? -1 : DX_MEMCMP(x, y->digest, DX_CAS_HASH_SIZE);
        if (x && y && c == 0) c = (int)x[DX_CAS_INDEX_ENTRY_OFF_ALG] - (int)y->alg;
        if (c == 0 && x_dead) { /* deleted there and put again since: the new copy (one entry an id) */
            x = NULL;
            continue;
        }
        if (c <= 0) { /* the index's entry, its pack renumbered */
            DX_MEMCPY(e, x, DX_CAS_INDEX_ENTRY_SIZE);
            dx_store_u32le(e + DX_CAS_INDEX_ENTRY_OFF_PACK, newpos[xp]);
            x = NULL;
            i += c == 0;
        } else {
            DX_MEMSET(e, 0, sizeof e);
            DX_MEMCPY(e, y->digest, DX_CAS_HASH_SIZE);
            e[DX_CAS_INDEX_ENTRY_OFF_ALG] = y->alg;
            dx_store_u32le(e + DX_CAS_INDEX_ENTRY_OFF_PACK, newpos[y->pack]);
            dx_store_u64le(e + DX_CAS_INDEX_ENTRY_OFF_OFFSET, y->offset);
            dx_store_u32le(e + DX_CAS_INDEX_ENTRY_OFF_STORED, y->stored);
            dx_store_u32le(e + DX_CAS_INDEX_ENTRY_OFF_SIZE, y->size);
            dx_store_u32le(e + DX_CAS_INDEX_ENTRY_OFF_INNER, y->inner);
            i++;
        }
        if (count && DX_MEMCMP(last, e, sizeof last) == 0) continue; /* an id in two packs: once */
        DX_MEMCPY(last, e, sizeof last);
        if (c <= 0 && x_dead) dead[count >> 3] |= (uint8_t)(1u << (count & 7)), deleted++;
        fan[dxi_cas_ix_bucket(bits, e)]++;
        dxi_cas_ix_out_put(&o, e, sizeof e);
        count++;
    }
    dxi_cas_ix_out_flush(&o);
    if ((r = o.r) != DX_OK) goto out;
    for (k = 1; k < (1u << bits); k++) fan[k] += fan[k - 1];
    DX_MEMCPY(head, "DXCX", 4);
    head[DX_CAS_INDEX_OFF_MAJOR] = DX_CAS_FORMAT_MAJOR, head[DX_CAS_INDEX_OFF_MINOR] = DX_CAS_FORMAT_MINOR;
    dx_store_u16le(head + DX_CAS_INDEX_OFF_FLAGS, 0);
    dx_store_u32le(head + DX_CAS_INDEX_OFF_PACKS, listed);
    dx_store_u32le(head + DX_CAS_INDEX_OFF_FAN_BITS, bits);
    dx_store_u64le(head + DX_CAS_INDEX_OFF_COUNT, count);
    dx_store_u64le(head + DX_CAS_INDEX_OFF_RESERVED, 0);
    o.off = 0, o.len = 0;
    dxi_cas_ix_out_put(&o, head, sizeof head);
    for (k = 0; k < listed; k++) dxi_cas_ix_out_put(&o, names + (size_t)k * DX_CAS_HASH_SIZE, DX_CAS_HASH_SIZE);
    for (k = 0; k < (1u << bits); k++) {
        uint8_t w[4];
        dx_store_u32le(w, fan[k]);
        dxi_cas_ix_out_put(&o, w, 4);
    }
    dxi_cas_ix_out_flush(&o);
    if ((r = o.r) != DX_OK) goto out;
    dx_cas_sha256_init(&h, d->cpu); /* the checksum: the file read back (from the page cache) */
    for (o.off = 0; o.off < start + count * DX_CAS_INDEX_ENTRY_SIZE;) {
        uint64_t left = start + count * DX_CAS_INDEX_ENTRY_SIZE - o.off;
        size_t m = left < o.cap ? (size_t)left : o.cap;
        if (dxi_cas_read_at(fd, o.buf, m, (off_t)o.off) != m) {
            r = DX_ERR_IO;
            goto out;
        }
        dx_cas_sha256_update(&h, o.buf, m);
        o.off += m;
    }
    dx_cas_sha256_final(&h, tail + DX_CAS_INDEX_TRAILER_OFF_SUM);
    DX_MEMCPY(tail + DX_CAS_INDEX_TRAILER_OFF_MAGIC, "DXCX", 4);
    dx_store_u32le(tail + DX_CAS_INDEX_TRAILER_OFF_RESERVED, 0);
    if ((r = dxi_cas_write_at(d, fd, tail, sizeof tail, o.off)) != DX_OK) goto out;
    if (!d->no_sync && fsync(fd) != 0) {
        r = dxi_cas_dir_err(d);
        goto out;
    }
    dxi_cas_dir_path(d, path, "packs/index");
    if (rename(tmp, path) != 0) {
        r = dxi_cas_dir_err(d);
        goto out;
    }
    tmp[0] = 0;
    for (k = 0; k < packs; k++) /* covered now: their entries leave the table */
        if (fold[k]) dxi_cas_packs(d)[k].covered = true;
    for (i = 0; i < d->pent_count; i++) {
        dxi_cas_pent *s = dxi_cas_pent_at(d, i);
        if (s->state == DXI_CAS_PENT_LIVE && dxi_cas_packs(d)[s->pack].covered) s->state = DXI_CAS_PENT_DEAD;
    }
    r = dxi_cas_pidx_rebuild(d);
    if (r == DX_OK) r = dxi_cas_ix_load(d);
    if (r == DX_OK && d->ix_fd < 0) r = DX_ERR_IO; /* what was just written does not read back */
    if (r == DX_OK && deleted) d->ix_dead = dead, d->ix_dead_len = dead_len, dead = NULL;
    for (k = 0; r == DX_OK && k < packs; k++) {
        int64_t j = dxi_cas_packs(d)[k].covered ? dxi_cas_ix_pack_number(d, dxi_cas_packs(d)[k].rel + 6) : -1;
        if (j >= 0) d->ix_pack[j] = k;
    }
    if (r == DX_OK) d->indexed++;
    else { /* the table lost entries the index cannot give back: every covered pack's own index back into the table
              (objects deleted in packs still to be rewritten come back with them: garbage kept, nothing lost) */
        for (k = 0; k < packs; k++) {
            if (!dxi_cas_packs(d)[k].covered) continue;
            dxi_cas_packs(d)[k].covered = false;
            if (dxi_cas_pack_check(d, k, true) == DX_ERR_NOMEM) r = DX_ERR_NOMEM;
        }
    }
out:
    if (fd >= 0) close(fd);
    if (fd >= 0 && tmp[0]) unlink(tmp);
    dxi_cas_free(&d->allocator, dead, dead ? dead_len : 0);
    dxi_cas_free(&d->allocator, fold, fold ? packs : 0);
    dxi_cas_free(&d->allocator, newpos, newpos ? (size_t)packs * sizeof *newpos : 0);
    dxi_cas_free(&d->allocator, order, order ? n * sizeof *order : 0);
    dxi_cas_free(&d->allocator, names, names ? names_cap : 0);
    dxi_cas_free(&d->allocator, old, old ? old_cap : 0);
    dxi_cas_free(&d->allocator, o.buf, o.buf ? o.cap : 0);
    dxi_cas_free(&d->allocator, fan, fan ? fan_len : 0);
    return r;
}

DXI_PRIVATE dx_result dxi_cas_dir_put(void *self, const dx_cas_id *id, const void *data, size_t len) {
    dx_cas_dir *d = (dx_cas_dir *)self;
    char text[DX_CAS_ID_TEXT_SIZE], rel[64 + DX_CAS_ID_TEXT_SIZE], tmp[DX_CAS_PATH_MAX];
    int fd = -1, tries;
    size_t stored;
    dx_result r;
    if (dx_cas_id_format(id, text, sizeof text) < 0) return DX_ERR_UNSUPPORTED;
    if (d->batch && !d->loose && len <= DX_CAS_DIR_PACK_OBJECT_MAX) { /* a small object: into the batch's pack */
        if (dxi_cas_pack_find(d, id)) return DX_OK; /* packed already */
        if ((r = dxi_cas_pack_put(d, id, (const uint8_t *)data, len)) != DX_OK) return r;
        if (d->pending >= DX_CAS_DIR_BATCH_OBJECTS || d->pending_bytes >= DX_CAS_DIR_BATCH_BYTES) return dxi_cas_dir_sync(d);
        return DX_OK;
    }
    for (tries = 0; tries < 100 && fd < 0; tries++) {
        if (d->batch) dxi_cas_dir_pending(d, text, rel, sizeof rel);
        else snprintf(rel, sizeof rel, "tmp/%ld.%lu.%s", d->pid, (unsigned long)d->counter++, text);
        dxi_cas_dir_path(d, tmp, rel);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0444);
        if (fd < 0 && errno == ENOENT && d->batch) { /* the batch's first object: its folder */
            char folder[DX_CAS_PATH_MAX], frel[40];
            bool made;
            dxi_cas_dir_pending(d, NULL, frel, sizeof frel);
            dxi_cas_dir_path(d, folder, frel);
            if ((r = dxi_cas_mkdir(d, folder, &made)) != DX_OK) return r;
            fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0444);
        }
        if (fd < 0 && errno == EEXIST && d->batch) { /* already in this batch */
            dxi_cas_pending_add(d, id->digest);
            return DX_OK;
        }
        if (fd < 0 && errno != EEXIST) return dxi_cas_dir_err(d);
    }
    if (fd < 0) return DX_ERR_BUSY;
    stored = len;
    if ((d->zcctx && d->compress > 0) || dxi_cas_object_magic((const uint8_t *)data, len)) { /* the stored form ("DXCZ") */
        int64_t n = dxi_cas_dir_zbuf(d, dx_cas_object_bound(len));
        if (n == DX_OK) n = dx_cas_object_encode(d->compress > 0 ? d->zcctx : NULL, data, len, d->zbuf, d->zbuf_cap);
        if (n >= 0 && (size_t)n < len) d->compressed++, d->saved_bytes += len - (size_t)n;
        if (n >= 0) stored = (size_t)n;
        r = n < 0 ? (dx_result)n : dxi_cas_write_all(d, fd, d->zbuf, (size_t)n);
    } else {
        r = dxi_cas_write_all(d, fd, (const uint8_t *)data, len);
    }
    if (r == DX_OK && !d->batch && !d->no_sync && fsync(fd) != 0) r = dxi_cas_dir_err(d);
    if (close(fd) != 0 && r == DX_OK) r = dxi_cas_dir_err(d);
    if (r == DX_OK && d->batch) { /* durable and in place at the next sync */
        dxi_cas_pending_add(d, id->digest);
        d->pending++, d->pending_loose++;
        d->pending_bytes += stored;
        if (d->pending >= DX_CAS_DIR_BATCH_OBJECTS || d->pending_bytes >= DX_CAS_DIR_BATCH_BYTES) return dxi_cas_dir_sync(d);
        return DX_OK;
    }
    if (r == DX_OK) r = dxi_cas_dir_install(d, tmp, id, true, NULL);
    if (r != DX_OK) unlink(tmp);
    return r;
}

/* the object's file, or in batch mode its pending temporary file */
DXI_PRIVATE int dxi_cas_dir_open_obj(dx_cas_dir *d, const dx_cas_id *id) {
    char path[DX_CAS_PATH_MAX];
    int fd;
    dxi_cas_dir_obj(d, id, path, false);
    if (d->fanout_all && !(d->fanout[id->digest[0] >> 3] & (1u << (id->digest[0] & 7)))) {
        fd = -1; /* no such folder: not looked for */
        errno = ENOENT;
    } else {
        fd = dxi_cas_open_file(path);
    }
    if (fd < 0 && errno == ENOENT && d->batch && dxi_cas_pending_maybe(d, id->digest)) {
        char text[DX_CAS_ID_TEXT_SIZE], rel[64 + DX_CAS_ID_TEXT_SIZE];
        int e = errno;
        dx_cas_id_format(id, text, sizeof text);
        dxi_cas_dir_pending(d, text, rel, sizeof rel);
        dxi_cas_dir_path(d, path, rel);
        fd = dxi_cas_open_file(path);
        if (fd < 0) errno = e;
    }
    return fd;
}

DXI_PRIVATE int64_t dxi_cas_dir_get(void *self, const dx_cas_id *id, void *buf, size_t cap) {
    dx_cas_dir *d = (dx_cas_dir *)self;
    const dxi_cas_pent *s = dxi_cas_pack_find(d, id);
    uint64_t file_size;
    int64_t size;
    int fd;
    if (s) return dxi_cas_pack_read(d, s, buf, cap);
    fd = dxi_cas_dir_open_obj(d, id);
    if (fd < 0 && errno == ENOENT && !d->iterating && !d->own_packs) { /* maybe in a pack another writer made since */
        uint32_t before = d->pack_count;
        dx_result r = dxi_cas_packs_scan(d);
        if (r != DX_OK) return r;
        if (d->pack_count != before && (s = dxi_cas_pack_find(d, id)) != NULL) return dxi_cas_pack_read(d, s, buf, cap);
        errno = ENOENT;
    }
    if (fd < 0 && errno == DXI_CAS_NOT_FILE) return DX_ERR_CHECKSUM; /* a FIFO, a folder...: not the object */
    if (fd < 0) return dxi_cas_dir_err(d);
    size = dxi_cas_dir_fd_size(d, fd, &file_size);
    if (size >= 0) size = dxi_cas_dir_read_form(d, fd, 0, file_size, (uint64_t)size, buf, cap);
    close(fd);
    return size;
}

DXI_PRIVATE int64_t dxi_cas_dir_has(void *self, const dx_cas_id *id) {
    dx_cas_dir *d = (dx_cas_dir *)self;
    uint64_t file_size;
    const dxi_cas_pent *s = dxi_cas_pack_find(d, id);
    int fd;
    int64_t r;
    if (s) return (int64_t)s->size; /* from the pack's checked index: no system call */
    fd = dxi_cas_dir_open_obj(d, id);
    if (fd < 0 && errno == ENOENT && !d->iterating && !d->own_packs) { /* maybe in a pack another writer made since, as get looks */
        uint32_t before = d->pack_count;
        dx_result e = dxi_cas_packs_scan(d);
        if (e != DX_OK) return e;
        if (d->pack_count != before && (s = dxi_cas_pack_find(d, id)) != NULL) return (int64_t)s->size;
        errno = ENOENT;
    }
    if (fd < 0 && errno == DXI_CAS_NOT_FILE) return DX_ERR_CHECKSUM; /* as get says */
    if (fd < 0) return dxi_cas_dir_err(d);
    r = dxi_cas_dir_fd_size(d, fd, &file_size);
    close(fd);
    return r;
}

DXI_PRIVATE dx_result dxi_cas_dir_delete(void *self, const dx_cas_id *id) {
    dx_cas_dir *d = (dx_cas_dir *)self;
    char path[DX_CAS_PATH_MAX];
    dxi_cas_pent *s;
    bool packed = false;
    while ((s = dxi_cas_pack_find(d, id)) != NULL) { /* every packed copy; the packs are rewritten at the sync */
        dxi_cas_pack *p = &dxi_cas_packs(d)[s->pack];
        if (s == (dxi_cas_pent *)(void *)d->ix_hit) { /* in a covered pack: a bit; the pack stays covered */
            dx_result r = dxi_cas_ix_kill(d, d->ix_hit_at);
            if (r != DX_OK) return r;
        } else
            s->state = DXI_CAS_PENT_DEAD;
        if (p->state != DXI_CAS_PACK_OPEN) p->rewrite = true; /* the open pack just leaves it out of its index */
        packed = true;
    }
    dxi_cas_dir_obj(d, id, path, false);
    if (unlink(path) == 0 || packed) return DX_OK;
    if (errno == ENOENT && d->batch) { /* not in place: maybe still in this batch */
        char text[DX_CAS_ID_TEXT_SIZE], rel[64 + DX_CAS_ID_TEXT_SIZE];
        dx_cas_id_format(id, text, sizeof text);
        dxi_cas_dir_pending(d, text, rel, sizeof rel);
        dxi_cas_dir_path(d, path, rel);
        if (unlink(path) == 0) return DX_OK;
    }
    return dxi_cas_dir_err(d);
}

/* every packed object once (the first of its copies), in the order of the packs' records (a
   verify then decodes each block once), then the loose ones not also packed */
DXI_PRIVATE int dxi_cas_pent_cmp(const void *a, const void *b) {
    const dxi_cas_pent *x = *(const dxi_cas_pent *const *)a, *y = *(const dxi_cas_pent *const *)b;
    if (x->pack != y->pack) return x->pack < y->pack ? -1 : 1;
    if (x->offset != y->offset) return x->offset < y->offset ? -1 : 1;
    return x->inner < y->inner ? -1 : x->inner > y->inner;
}

DXI_PRIVATE dx_result dxi_cas_dir_iterate_packed(dx_cas_dir *d, dx_cas_iter_fn fn, void *user) {
    const dxi_cas_pent **order;
    size_t i, n = 0, cap = d->pidx_used;
    dx_result r = DX_OK;
    if (!cap) return DX_OK;
    order = (const dxi_cas_pent **)dxi_cas_alloc(&d->allocator, cap * sizeof *order);
    if (!order) return DX_ERR_NOMEM;
    for (i = 0; i < d->pent_count && n < cap; i++) {
        const dxi_cas_pent *s = dxi_cas_pent_at(d, i);
        dx_cas_id id;
        if (s->state != DXI_CAS_PENT_LIVE) continue;
        id.alg = s->alg;
        DX_MEMCPY(id.digest, s->digest, DX_CAS_HASH_SIZE);
        if (dxi_cas_pidx_find(d, &id) == s) order[n++] = s; /* not a second copy */
    }
    qsort(order, n, sizeof *order, dxi_cas_pent_cmp);
    for (i = 0; r == DX_OK && i < n; i++) { /* fn may delete: that only marks slots, the table stays */
        dx_cas_id id;
        if (order[i]->state != DXI_CAS_PENT_LIVE) continue; /* deleted by fn meanwhile */
        id.alg = order[i]->alg;
        DX_MEMCPY(id.digest, order[i]->digest, DX_CAS_HASH_SIZE);
        r = fn(user, &id, order[i]->size);
    }
    dxi_cas_free(&d->allocator, order, cap * sizeof *order);
    return r;
}

DXI_PRIVATE dx_result dxi_cas_dir_iterate(void *self, dx_cas_iter_fn fn, void *user) {
    dx_cas_dir *d = (dx_cas_dir *)self;
    char path[DX_CAS_PATH_MAX];
    unsigned fan;
    dx_result r0;
    if ((r0 = dxi_cas_packs_scan(d)) != DX_OK) return r0;
    d->iterating = true;
    r0 = dxi_cas_dir_iterate_packed(d, fn, user);
    for (fan = 0; r0 == DX_OK && fan < d->pack_count; fan++) /* the covered packs' own indexes, as an open checks the others */
        if (dxi_cas_packs(d)[fan].covered && dxi_cas_packs(d)[fan].state == DXI_CAS_PACK_IN) r0 = dxi_cas_pack_check(d, fan, false);
    if (r0 == DX_OK) r0 = dxi_cas_ix_iterate(d, fn, user); /* then their objects */
    d->iterating = false;
    if (r0 != DX_OK) return r0;
    for (fan = 0; fan < 256; fan++) {
        static const char hex[] = "0123456789abcdef";
        char rel[16];
        DIR *dir;
        struct dirent *e;
        DX_MEMCPY(rel, "objects/", 8);
        rel[8] = hex[fan >> 4], rel[9] = hex[fan & 15], rel[10] = 0;
        dxi_cas_dir_path(d, path, rel);
        dir = opendir(path);
        if (!dir) {
            if (errno == ENOENT) continue;
            return dxi_cas_dir_err(d);
        }
        while ((e = readdir(dir)) != NULL) {
            dx_cas_id id;
            char file[DX_CAS_PATH_MAX];
            size_t nlen = 0;
            uint64_t file_size = 0;
            int64_t size;
            int fd;
            dx_result r;
            while (e->d_name[nlen] && nlen <= DX_CAS_ID_TEXT_LEN) nlen++;
            if (dx_cas_id_parse(e->d_name, nlen, &id) != DX_OK || id.digest[0] != fan) continue; /* not an object */
            if (dxi_cas_pack_find(d, &id)) continue; /* listed with the packs */
            dxi_cas_dir_obj(d, &id, file, false);
            if ((fd = dxi_cas_open_file(file)) < 0 && errno != DXI_CAS_NOT_FILE) continue; /* deleted meanwhile */
            size = fd < 0 ? 0 : dxi_cas_dir_fd_size(d, fd, &file_size); /* not a file: listed, and get reports it */
            if (fd >= 0) close(fd);
            r = fn(user, &id, size >= 0 ? (uint64_t)size : file_size); /* a bad header: get reports it */
            if (r != DX_OK) {
                closedir(dir);
                return r;
            }
        }
        closedir(dir);
    }
    return d->bad_packs ? (dx_result)DX_ERR_CORRUPT : (dx_result)DX_OK; /* a damaged pack: after all the rest */
}

/* Makes the store's whole file system durable at once: syncfs(2) on Linux.
   1 done, 0 not available here (the caller fsyncs file by file), or an error. */
DXI_PRIVATE int dxi_cas_syncfs(dx_cas_dir *d) {
#if defined(__linux__) && !defined(DX_CAS_NO_SYNCFS)
    int fd = open(d->root, O_RDONLY), e;
    if (fd < 0) return dxi_cas_dir_err(d);
    if (syncfs(fd) == 0) {
        close(fd);
        return 1;
    }
    e = errno;
    close(fd);
    errno = e;
    return e == ENOSYS ? 0 : dxi_cas_dir_err(d);
#else
    (void)d;
    return 0;
#endif
}

/* Batch mode, in the order of git's core.fsyncMethod=batch: the pending
   objects of this handle were written without an fsync; now (1) their bytes
   are made durable together (one syncfs; elsewhere an fsync pass over the
   files), (2) they are renamed into place, (3) the renames are made durable
   (one more syncfs; elsewhere an fsync of each changed fan-out folder, and of
   objects/ when one is new). A ref is written only after this, so a crash at
   any point leaves every ref's objects whole; the pending files of a writer
   that died are removed at the next open. */
/* The batch made durable and put in place, rewritten packs removed, then the merge if the table is full. */
DXI_PRIVATE dx_result dxi_cas_dir_commit(dx_cas_dir *d) {
    char path[DX_CAS_PATH_MAX], folder[DX_CAS_PATH_MAX], frel[40];
    uint8_t changed[32];
    DIR *dir;
    struct dirent *e;
    dx_result r = DX_OK;
    bool fs_synced = false, made_any = false, packs_made = false, any_pack = false, any_doomed = false;
    unsigned i;
    uint32_t k;
    if (d->open_pack && (r = dxi_cas_pack_finish(d)) != DX_OK) return r;
    for (k = 0; k < d->pack_count; k++) {
        const dxi_cas_pack *p = &dxi_cas_packs(d)[k];
        if (p->doomed && p->state != DXI_CAS_PACK_GONE) any_doomed = true;
        else if (p->state == DXI_CAS_PACK_DONE) any_pack = true;
    }
    if (d->pending == 0 && !any_pack && !any_doomed) return DX_OK;
    if (!d->no_sync) { /* (1) the bytes of every new pack and loose object */
        /* syncfs for many loose files (one call instead of thousands); an fsync each for packs and a
           few loose files, which waits for them alone, not for every dirty file of the file system
           (a program's own writes, a cache) */
        int n = d->pending_loose >= DX_CAS_DIR_SYNCFS_MIN ? dxi_cas_syncfs(d) : 0;
        if (n < 0) return (dx_result)n;
        fs_synced = n == 1;
        for (k = 0; !fs_synced && k < d->pack_count; k++) {
            dxi_cas_pack *p = &dxi_cas_packs(d)[k];
            if (p->state == DXI_CAS_PACK_DONE && !p->doomed && fsync(p->fd) != 0) return dxi_cas_dir_err(d);
        }
    }
    if (any_pack) { /* (2) the packs into place */
        dxi_cas_dir_path(d, path, "packs");
        if ((r = dxi_cas_mkdir(d, path, &packs_made)) != DX_OK) return r;
    }
    for (k = 0; k < d->pack_count; k++) {
        dxi_cas_pack *p = &dxi_cas_packs(d)[k];
        char from[DX_CAS_PATH_MAX], rel[128];
        if (p->state != DXI_CAS_PACK_DONE || p->doomed) continue;
        snprintf(rel, sizeof rel, "packs/%.71s", p->final);
        dxi_cas_dir_path(d, from, p->rel);
        dxi_cas_dir_path(d, path, rel);
        if (rename(from, path) != 0) return dxi_cas_dir_err(d);
        DX_MEMCPY(p->rel, rel, sizeof rel);
        p->state = DXI_CAS_PACK_IN;
    }
    DX_MEMSET(changed, 0, sizeof changed);
    dxi_cas_dir_pending(d, NULL, frel, sizeof frel);
    dxi_cas_dir_path(d, folder, frel);
    dir = d->batch ? opendir(folder) : NULL;
    if (!dir && d->batch && errno != ENOENT) return dxi_cas_dir_err(d);
    while (dir && r == DX_OK && (e = readdir(dir)) != NULL) { /* (2) the loose objects into place */
        dx_cas_id id;
        char tmp[DX_CAS_PATH_MAX], rel[64 + DX_CAS_ID_TEXT_SIZE];
        size_t nlen = 0;
        bool made = false;
        while (e->d_name[nlen] && nlen <= DX_CAS_ID_TEXT_LEN) nlen++;
        if (dx_cas_id_parse(e->d_name, nlen, &id) != DX_OK) continue;
        dxi_cas_dir_pending(d, e->d_name, rel, sizeof rel); /* e->d_name is an id's text: 71 bytes */
        dxi_cas_dir_path(d, tmp, rel);
        if (!d->no_sync && !fs_synced) r = dxi_cas_fsync_path(d, tmp);
        if (r == DX_OK) r = dxi_cas_dir_install(d, tmp, &id, false, &made);
        made_any = made_any || made;
        changed[id.digest[0] >> 3] |= (uint8_t)(1u << (id.digest[0] & 7));
    }
    if (dir) closedir(dir);
    if (r == DX_OK && !d->no_sync && fs_synced) { /* (3) the renames */
        int n = dxi_cas_syncfs(d);
        if (n < 0) r = (dx_result)n;
    } else if (r == DX_OK && !d->no_sync) {
        for (i = 0; r == DX_OK && i < 256; i++) { /* each changed fan-out folder once */
            if (changed[i >> 3] & (1u << (i & 7))) {
                dx_cas_id any;
                DX_MEMSET(&any, 0, sizeof any);
                any.alg = DX_CAS_ALG_SHA256;
                any.digest[0] = (uint8_t)i;
                dxi_cas_dir_obj(d, &any, path, true);
                r = dxi_cas_fsync_path(d, path);
            }
        }
        if (r == DX_OK && made_any) {
            dxi_cas_dir_path(d, path, "objects");
            r = dxi_cas_fsync_path(d, path);
        }
        if (r == DX_OK && any_pack) {
            dxi_cas_dir_path(d, path, "packs");
            r = dxi_cas_fsync_path(d, path);
        }
        if (r == DX_OK && packs_made) r = dxi_cas_fsync_path(d, d->root);
    }
    if (r != DX_OK) return r;
    for (k = 0; k < d->pack_count; k++) { /* (4) rewritten packs go, now that their objects are in place */
        dxi_cas_pack *p = &dxi_cas_packs(d)[k];
        if (!p->doomed || p->state == DXI_CAS_PACK_GONE) continue;
        if (p->fd >= 0) close(p->fd), p->fd = -1;
        dxi_cas_dir_path(d, path, p->rel);
        if (unlink(path) != 0 && errno != ENOENT) return dxi_cas_dir_err(d);
        p->state = DXI_CAS_PACK_GONE;
    }
    rmdir(folder); /* empty now: the next batch makes it again */
    d->pending = 0, d->pending_loose = 0, d->pending_bytes = 0;
    if (d->pending_set) DX_MEMSET(d->pending_set, 0, d->pending_set_cap * sizeof *d->pending_set);
    d->pending_set_used = 0, d->pending_set_full = false;
    return dxi_cas_ix_merge(d) == DX_ERR_NOMEM ? DX_ERR_NOMEM : DX_OK; /* a merge that fails leaves the table as it was */
}

/* Packs that lost objects first: their live ones into the batch's packs. The copies' entries go
   into the table, so after table_max of them the batch is committed (and merged into the index)
   before the next pack: a gc that rewrites a store of any size holds about table_max entries. */
DXI_PRIVATE dx_result dxi_cas_dir_sync(void *self) {
    dx_cas_dir *d = (dx_cas_dir *)self;
    uint64_t copied = d->packed;
    dx_result r;
    uint32_t k;
    for (k = 0; k < d->pack_count; k++) {
        dxi_cas_pack *p = &dxi_cas_packs(d)[k];
        if (!p->rewrite || p->doomed || (p->state != DXI_CAS_PACK_IN && p->state != DXI_CAS_PACK_DONE)) continue;
        if ((r = dxi_cas_pack_rewrite(d, k)) < 0) return r; /* the old pack stays: nothing is lost */
        p = &dxi_cas_packs(d)[k];
        p->rewrite = false, p->doomed = r == DX_OK; /* 1: it no longer reads; left as it is */
        d->repacked += r == DX_OK;
        if (d->packed - copied >= d->table_max) {
            if ((r = dxi_cas_dir_commit(d)) != DX_OK) return r;
            copied = d->packed;
        }
    }
    return dxi_cas_dir_commit(d);
}

DX_CAS_API dx_result dx_cas_dir_open(dx_cas_dir *d, const dx_cas_dir_config *cfg) {
    char path[DX_CAS_PATH_MAX];
    size_t n = 0;
    bool made;
    DIR *dir;
    struct dirent *e;
    dx_result r;
    int level;
    if (!d || !cfg || !cfg->path || !cfg->allocator.alloc != !cfg->allocator.free) return DX_ERR_INVAL;
    DX_MEMSET(d, 0, sizeof *d);
    d->allocator = cfg->allocator;
    d->ix_fd = -1;
    d->table_max = cfg->table_max ? cfg->table_max : DX_CAS_DIR_TABLE_MAX;
    while (cfg->path[n]) n++;
    while (n > 1 && cfg->path[n - 1] == '/') n--;
    if (n == 0 || n + 16 + 64 + DX_CAS_ID_TEXT_SIZE > DX_CAS_PATH_MAX) return DX_ERR_LIMIT;
    DX_MEMCPY(d->root, cfg->path, n);
    d->root[n] = 0;
    d->root_len = n;
    d->batch = !cfg->sync_each;
    d->no_sync = cfg->no_sync;
    d->pid = (long)getpid();
    /* unique among this process's open stores (two handles on one store keep their batches apart) */
    snprintf(d->batch_tag, sizeof d->batch_tag, "%ld.b%lx", d->pid, (unsigned long)((uintptr_t)d & 0xffffffffu));
    if (cfg->must_exist) { /* a store is a folder with objects/ in it; make nothing */
        struct stat st;
        dxi_cas_dir_path(d, path, "objects");
        if (stat(path, &st) != 0) {
            dx_result r2 = dxi_cas_dir_err(d);
            return errno == ENOTDIR ? (dx_result)DX_ERR_NOTFOUND : r2;
        }
        if (!S_ISDIR(st.st_mode)) return DX_ERR_NOTFOUND;
    }
    if ((r = dxi_cas_mkdir(d, d->root, &made)) != DX_OK) return r;
    dxi_cas_dir_path(d, path, "objects");
    if ((r = dxi_cas_mkdir(d, path, &made)) != DX_OK) return r;
    dxi_cas_dir_path(d, path, "refs");
    if ((r = dxi_cas_mkdir(d, path, &made)) != DX_OK) return r;
    dxi_cas_dir_path(d, path, "tmp");
    if ((r = dxi_cas_mkdir(d, path, &made)) != DX_OK) return r;
    dir = opendir(path);
    if (!dir) return dxi_cas_dir_err(d);
    while ((e = readdir(dir)) != NULL) { /* leftovers of writers that died */
        char file[DX_CAS_PATH_MAX], rel[272]; /* "tmp/" and a d_name */
        const char *s = e->d_name;
        long pid = 0;
        size_t len = 0;
        while (s[len]) len++;
        if (s[0] == '.' || len > 63 + DX_CAS_ID_TEXT_LEN) continue;
        while (*s >= '0' && *s <= '9' && pid < 100000000L) pid = pid * 10 + (*s++ - '0');
        if (*s != '.' || pid <= 0) continue;
        if (pid == d->pid || kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue; /* alive (or not ours to judge) */
        snprintf(rel, sizeof rel, "tmp/%s", e->d_name);
        dxi_cas_dir_path(d, file, rel);
        if (unlink(file) == 0) d->cleaned++;
        else if (errno == EISDIR || errno == EPERM) d->cleaned += dxi_cas_dir_rmdir(d, e->d_name); /* a batch's folder */
    }
    closedir(dir);
    d->cpu = dx_cas_cpu_detect();
    d->loose = cfg->loose;
    d->own_packs = cfg->own_packs;
    if (d->own_packs) { /* the only writer: the fan-out folders there now are all a miss need look in */
        dxi_cas_dir_path(d, path, "objects");
        if ((dir = opendir(path)) != NULL) {
            while ((e = readdir(dir)) != NULL) {
                int hi = dxi_cas_hexval(e->d_name[0]), lo = hi < 0 ? -1 : dxi_cas_hexval(e->d_name[1]);
                if (lo >= 0 && e->d_name[2] == 0) d->fanout[hi << 1 | lo >> 3] |= (uint8_t)(1u << (lo & 7));
            }
            closedir(dir);
            d->fanout_all = true;
        }
    }
    if (cfg->compress < DX_CAS_COMPRESS_NONE || cfg->compress > 19) return DX_ERR_INVAL;
    level = cfg->compress;
#if defined(DX_CAS_WITH_ZSTD)
    if (level == 0) level = DX_CAS_COMPRESS_DEFAULT;
#endif
    if (level > 0) {
#if defined(DX_CAS_WITH_ZSTD)
        ZSTD_CCtx *z = ZSTD_createCCtx();
        if (!z) return DX_ERR_NOMEM;
        if (ZSTD_isError(ZSTD_CCtx_setParameter(z, ZSTD_c_compressionLevel, level))) {
            ZSTD_freeCCtx(z);
            return DX_ERR_INVAL;
        }
        d->zcctx = z;
        d->compress = level;
#else
        return DX_ERR_UNSUPPORTED; /* build with DX_CAS_WITH_ZSTD (and -lzstd) */
#endif
    }
    if ((r = dxi_cas_ix_load(d)) != DX_OK) return r;
    return dxi_cas_packs_scan(d); /* every pack's index, checked, into the table, but the index's */
}

DX_CAS_API void dx_cas_dir_close(dx_cas_dir *d) {
    if (!d) return;
    /* a batch left open (or packs that lost objects): as a sync would. Where that fails (a full disk), the
       batch's pending files go now: they cannot become objects, and the folder of a process that lives on
       would wait for the first open after it exits (a dead writer's) */
    if (d->root_len && dxi_cas_dir_sync(d) != DX_OK && d->batch_tag[0]) (void)dxi_cas_dir_rmdir(d, d->batch_tag);
    {
        uint32_t k;
        for (k = 0; k < d->pack_count; k++)
            if (dxi_cas_packs(d)[k].fd >= 0) close(dxi_cas_packs(d)[k].fd);
    }
    dxi_cas_ix_drop(d);
    dxi_cas_free(&d->allocator, d->ix_misses, d->ix_misses ? (size_t)DXI_CAS_IX_MISSES * 33 : 0);
    dxi_cas_free(&d->allocator, d->packs, (size_t)d->pack_cap * sizeof(dxi_cas_pack));
    dxi_cas_free(&d->allocator, d->pidx, d->pidx_cap * sizeof(dxi_cas_pslot));
    while (d->pent_pages) dxi_cas_free(&d->allocator, d->pents[--d->pent_pages], DXI_CAS_PENT_PAGE * sizeof(dxi_cas_pent));
    dxi_cas_free(&d->allocator, d->pents, d->pent_dir * sizeof(void *));
    dxi_cas_free(&d->allocator, d->open_index, d->open_index_cap ? d->open_index_cap + DX_CAS_PACK_TRAILER_SIZE : 0);
    dxi_cas_free(&d->allocator, d->blk[0], d->blk[0] ? DX_CAS_DIR_PACK_BLOCK : 0);
    dxi_cas_free(&d->allocator, d->blk[1], d->blk[1] ? DX_CAS_DIR_PACK_BLOCK : 0);
    {
        unsigned c;
        for (c = 0; c < 4; c++) dxi_cas_free(&d->allocator, d->rblk[c], d->rblk_cap[c]);
    }
#if defined(DX_CAS_WITH_ZSTD)
    ZSTD_freeCCtx((ZSTD_CCtx *)d->zcctx);
    ZSTD_freeDCtx((ZSTD_DCtx *)d->zdctx);
#endif
    dxi_cas_free(&d->allocator, d->zbuf, d->zbuf_cap);
    dxi_cas_free(&d->allocator, d->pending_set, d->pending_set_cap * sizeof *d->pending_set);
    DX_MEMSET(d, 0, sizeof *d);
}

/* ---- named refs: written like objects (temporary file, fsync, rename, fsync the folder) ---- */

DXI_PRIVATE bool dxi_cas_ref_name_ok(const char *name) {
    size_t i;
    if (!name || !name[0] || name[0] == '.') return false;
    for (i = 0; name[i]; i++) {
        char c = name[i];
        if (i >= 100) return false;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-'))
            return false;
    }
    return true;
}

DX_CAS_API dx_result dx_cas_dir_ref_set(dx_cas_dir *d, const char *name, const dx_cas_id *id) {
    char text[DX_CAS_ID_TEXT_SIZE + 1], rel[160], tmp[DX_CAS_PATH_MAX], final[DX_CAS_PATH_MAX], refs[DX_CAS_PATH_MAX];
    int fd;
    dx_result r;
    if (!d || !d->root_len || !id || !dxi_cas_ref_name_ok(name)) return DX_ERR_INVAL;
    if (dx_cas_id_format(id, text, sizeof text) < 0) return DX_ERR_UNSUPPORTED;
    text[DX_CAS_ID_TEXT_LEN] = '\n';
    snprintf(rel, sizeof rel, "tmp/%ld.%lu.ref-%s", d->pid, (unsigned long)d->counter++, name);
    dxi_cas_dir_path(d, tmp, rel);
    snprintf(rel, sizeof rel, "refs/%s", name);
    dxi_cas_dir_path(d, final, rel);
    dxi_cas_dir_path(d, refs, "refs");
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return dxi_cas_dir_err(d);
    r = dxi_cas_write_all(d, fd, (const uint8_t *)text, DX_CAS_ID_TEXT_LEN + 1);
    if (r == DX_OK && !d->no_sync && fsync(fd) != 0) r = dxi_cas_dir_err(d);
    if (close(fd) != 0 && r == DX_OK) r = dxi_cas_dir_err(d);
    if (r == DX_OK && rename(tmp, final) != 0) r = dxi_cas_dir_err(d);
    if (r != DX_OK) {
        unlink(tmp);
        return r;
    }
    return dxi_cas_fsync_path(d, refs);
}

DX_CAS_API dx_result dx_cas_dir_ref_get(dx_cas_dir *d, const char *name, dx_cas_id *out) {
    char rel[160], path[DX_CAS_PATH_MAX], text[DX_CAS_ID_TEXT_SIZE + 1];
    ssize_t n;
    int fd;
    if (!d || !d->root_len || !out || !dxi_cas_ref_name_ok(name)) return DX_ERR_INVAL;
    snprintf(rel, sizeof rel, "refs/%s", name);
    dxi_cas_dir_path(d, path, rel);
    fd = dxi_cas_open_file(path); /* a FIFO there: DX_ERR_IO, not an open that waits for a writer */
    if (fd < 0) return dxi_cas_dir_err(d);
    n = read(fd, text, sizeof text); /* "<id text>\n" is 72 bytes: 73 read means more than one id */
    if (n < 0) {
        dx_result r = dxi_cas_dir_err(d);
        close(fd);
        return r == DX_ERR_NOTFOUND ? (dx_result)DX_ERR_IO : r;
    }
    close(fd);
    if (n > 0 && text[n - 1] == '\n') n--;
    if (n < 1 || n > DX_CAS_ID_TEXT_LEN) return DX_ERR_CORRUPT;
    return dx_cas_id_parse(text, (size_t)n, out) == DX_OK ? (dx_result)DX_OK : (dx_result)DX_ERR_CORRUPT;
}

DX_CAS_API dx_result dx_cas_dir_ref_delete(dx_cas_dir *d, const char *name) {
    char rel[160], path[DX_CAS_PATH_MAX];
    if (!d || !d->root_len || !dxi_cas_ref_name_ok(name)) return DX_ERR_INVAL;
    snprintf(rel, sizeof rel, "refs/%s", name);
    dxi_cas_dir_path(d, path, rel);
    if (unlink(path) != 0) return dxi_cas_dir_err(d);
    dxi_cas_dir_path(d, path, "refs");
    return dxi_cas_fsync_path(d, path); /* the removal survives a crash */
}

DX_CAS_API dx_result dx_cas_dir_ref_scan(dx_cas_dir *d, dx_cas_ref_fn fn, dx_cas_ref_problem_fn problem, void *user) {
    char path[DX_CAS_PATH_MAX];
    DIR *dir;
    struct dirent *e;
    dx_result r = DX_OK;
    if (!d || !d->root_len || !fn) return DX_ERR_INVAL;
    d->bad_refs = 0, d->bad_ref[0] = 0;
    dxi_cas_dir_path(d, path, "refs");
    dir = opendir(path);
    if (!dir) return errno == ENOENT ? (dx_result)DX_OK : dxi_cas_dir_err(d);
    while (r == DX_OK && (e = readdir(dir)) != NULL) { /* every entry is a ref or a reported problem */
        dx_cas_id id;
        dx_result got;
        if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2]))) continue;
        got = dxi_cas_ref_name_ok(e->d_name) ? dx_cas_dir_ref_get(d, e->d_name, &id) : (dx_result)DX_ERR_INVAL;
        if (got == DX_OK) {
            r = fn(user, e->d_name, &id);
        } else if (got != DX_ERR_NOTFOUND) { /* NOTFOUND: deleted since readdir saw it */
            size_t i = 0;
            if (!d->bad_refs++) {
                while (e->d_name[i] && i + 1 < sizeof d->bad_ref) d->bad_ref[i] = e->d_name[i], i++;
                d->bad_ref[i] = 0;
            }
            if (problem) problem(user, e->d_name, got == DX_ERR_CORRUPT || got == DX_ERR_INVAL ? got : (dx_result)DX_ERR_IO);
        }
    }
    closedir(dir);
    return r != DX_OK ? r : d->bad_refs ? (dx_result)DX_ERR_CORRUPT : (dx_result)DX_OK;
}

DX_CAS_API dx_result dx_cas_dir_ref_list(dx_cas_dir *d, dx_cas_ref_fn fn, void *user) {
    return dx_cas_dir_ref_scan(d, fn, NULL, user);
}

static const dx_cas_store_vtable dxi_cas_dir_vtable = {dxi_cas_dir_put, dxi_cas_dir_get, dxi_cas_dir_has,
                                                       dxi_cas_dir_delete, dxi_cas_dir_iterate, dxi_cas_dir_sync};

DX_CAS_API dx_result dx_cas_dir_store(dx_cas_dir *d, const dx_cas_hash_alg *alg, dx_cas_store *out) {
    dx_cas_store_config sc;
    if (!d || !d->root_len) return DX_ERR_INVAL;
    DX_MEMSET(&sc, 0, sizeof sc);
    sc.vtable = &dxi_cas_dir_vtable, sc.self = d, sc.hash_alg = alg, sc.allocator = d->allocator;
    return dx_cas_store_init(out, &sc);
}
#endif /* DX_CAS_HAS_DIRSTORE */

DX_CAS_API const char *dx_cas_result_name(dx_result r) {
#if defined(DX_NO_ERROR_STRINGS)
    (void)r;
    return "";
#else
    switch (r) {
    case DX_CAS_ERR_PROOF: return "DX_CAS_ERR_PROOF";
    case DX_CAS_ERR_MAGIC: return "DX_CAS_ERR_MAGIC";
    case DX_CAS_ERR_NO_ROOTS: return "DX_CAS_ERR_NO_ROOTS";
    default: return dx_result_name(r);
    }
#endif
}

#endif /* DX_CAS_IMPLEMENTATION */

/*
------------------------------------------------------------------------------
This software is available under 2 licenses -- choose whichever you prefer.
SPDX-License-Identifier: MIT OR Unlicense
------------------------------------------------------------------------------
ALTERNATIVE A - MIT License
Copyright (c) 2026 the dx authors
Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:
The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
------------------------------------------------------------------------------
ALTERNATIVE B - Public Domain (www.unlicense.org)
This is free and unencumbered software released into the public domain.
Anyone is free to copy, modify, publish, use, compile, sell, or distribute this
software, either in source code form or as a compiled binary, for any purpose,
commercial or non-commercial, and by any means.
In jurisdictions that recognize copyright laws, the author or authors of this
software dedicate any and all copyright interest in the software to the public
domain. We make this dedication for the benefit of the public at large and to
the detriment of our heirs and successors. We intend this dedication to be an
overt act of relinquishment in perpetuity of all present and future rights to
this software under copyright law.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN
ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION
WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
------------------------------------------------------------------------------
*/
