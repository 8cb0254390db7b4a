/* dx_patch.h - v0.13.3 - binary deltas: XOR blocks, in-place and streaming apply - SPDX-License-Identifier: MIT OR Unlicense (text at end)

   Binary deltas for app and firmware updates, VM and process memory
   migration and state replication: diff two byte strings into a patch, then
   apply it out of place, in place, or streaming with bounded memory. The
   patch knows its base: a wrong base is refused before anything is written.

QUICK START
   Do this:
       #define DX_IMPLEMENTATION
   before you include this file in *one* C or C++ file to create the
   implementation. Other files include it without the define. For zstd
   compression also #define DX_PATCH_WITH_ZSTD there and link -lzstd.

       dx_patch_config cfg;
       memset(&cfg, 0, sizeof cfg);                      // 4 KiB blocks, reversible
       size_t cap = dx_patch_bound(old_len, new_len, &cfg);
       uint8_t *patch = (uint8_t *)malloc(cap);         // the cast: C++ needs it
       int64_t patch_len = dx_patch_diff(&cfg, old_data, old_len, new_data, new_len, patch, cap);
       if (patch_len < 0) ...;                           // a dx_result
       // elsewhere, where old_data lives (in a buffer of at least max(old_len, new_len) bytes):
       int64_t len = dx_patch_apply_in_place(patch, patch_len, buf, old_len, buf_cap, false);
       if (len < 0) ...;   // DX_PATCH_ERR_WRONG_BASE: buf is untouched
       // buf now holds len bytes of new_data; applying the same patch again gives old_data back.

   examples/dxdiff.c is a command-line tool built on it.

OVERVIEW
   - Diff: the inputs are cut into blocks (4 KiB by default); only blocks that
     differ are recorded, and inside a block only the runs of bytes that differ
     (zero-run / nonzero-run pairs, as in QEMU's XBZRLE), each XORed with the
     base. The shorter input counts as zero-padded, so files may grow or
     shrink. Unchanged regions cost nothing.
   - Reversible by default: every record is an XOR, so the patch maps base to
     target and target to base; apply detects which one it was given (by
     length and hash). cfg.one_way adds "block becomes zeros" and "store the
     new bytes raw" records where XOR does not help, at the price of roll back.
   - Safety: the patch carries both lengths and XXH64 hashes, a check on its
     header and one on every frame. The one-shot calls check the base and
     decode the whole patch before the first write (a bad patch or a wrong
     base leaves the data as it was) and check the result's hash at the end.
   - In place and resumable: each changed block carries a one-byte witness
     (the base byte where the block first changes), so an interrupted in-place
     apply resumes without a journal: a block that is already the target is
     skipped, one that is still the base is applied, anything else is an error.
     The one-shot resume checks every witness before the first write; the
     streaming applier checks each as it reaches the block (run it first with
     the writes discarded to check them all; DOES NOT). A length between base
     and target must be the shorter one whole, then zeros (what a growth cut
     short leaves); shorter than both or longer than both is refused.
   - Streaming: dx_patch_applier takes patch bytes in pieces of any size (from
     a socket, from flash) and reads/writes the data through callbacks, with
     memory bounded by the block and frame sizes, never the file size.
   - Compression (DX_PATCH_WITH_ZSTD): records are grouped in frames (64
     KiB raw by default); the frames' bytes are one zstd stream flushed at
     each frame's end (STREAM), so the compressor sees up to 8 MiB of what
     came before (DX_PATCH_STREAM_WRITE_LOG; with 16 MiB: 12% smaller than
     independent frames on a compiler upgrade) while an applier still
     decodes frame by frame, with zstd's window (8 MiB at most for what
     this writer makes; up to 16 MiB accepted, as 0.5 and 0.6.0 wrote) as
     its only extra memory. Without zstd the header is freestanding and
     applies every uncompressed patch. cfg.prefix (PREFIX, dx_patch_diff_auto
     at levels 8-9) instead compresses each frame on its own with a range of
     the base as zstd's prefix, as zstd --patch-from does with the whole
     base: text 5-15% smaller, several times the diff time; such a patch
     applies out of place only, with the range's bytes as extra memory.
   - Delta chains: dx_patch_chain keeps a baseline and emits each new version
     as a patch against it (any version decodes in one step); too many
     versions or too many delta bytes refresh the baseline.
   - Shift-resilient mode (cfg.shift): for insertions, deletions and rebuilt
     files, where plain XOR fails (everything after an insertion moves). A
     scan of the target finds byte-granular matches in the base at any
     offset (at levels 4-9 exact matches of 1 KiB or more first, from a
     table of base strings, then a suffix array of the base bytes they
     leave, as HDiffPatch sets matching blocks aside; at low levels a hash
     table of its 8-byte strings), extended across isolated changed bytes
     as bsdiff does; each changed block gets candidate sources (where the last copy
     left off, the same offset, "no source" for new bytes, and the matches
     that cover it most); a dynamic program over the block's
     bytes picks the source of each byte, so a block that straddles an
     insertion is split between the sources before and after it (a SPLIT
     record; one source: a COPY record). New bytes come from past the
     base's end, where it reads as zeros (LITERAL): they are stored as they
     are, which compresses better than differences from an unrelated
     source. Each source carries the bytewise
     difference (target - source, mod 256, as bsdiff's) in zero-skipping
     runs: moved code whose embedded addresses shifted repeats the same small
     differences, which zstd compresses. In x86 code (X86: an x86 ELF, PE or
     Mach-O target, or cfg.x86) those addresses follow a call's E8 or a
     RIP-relative ModRM byte: a run's skip counts such marks instead of
     bytes where it starts at one, and the difference there is a 32-bit
     word's (no carry noise): a rebuilt library's patch 10-20% smaller. Blocks without a record continue
     from where the last source left off, so after an insertion only the
     block that holds it costs anything (an 8 MiB binary with 5 insertions
     and deletions: 511 bytes). Shift patches are one-way. They apply out of
     place (streaming or one-shot), and in place when made with cfg.window:
     no source then lies more than the window behind its target, and the
     applier keeps the last window of overwritten base bytes in a ring (an
     insertion moves data forward, over bytes still to be read). Without a
     window an in-place apply is refused, untouched.
   - Resuming a shift patch in place: COPY and SPLIT records carry no
     witnesses, and after a crash the ring is gone while bytes ahead of the
     write may hold new data. With io.journal_* and io.sync the streaming
     applier keeps a journal (WIRE FORMAT, JOURNAL): before it writes past
     what the last checkpoint covers, it syncs the data, then writes and
     syncs a slot holding the ring and the old bytes of the next
     cfg.journal_step bytes (1 MiB), alternating between two slots, so the
     journal stays at 2 x (96 + ring + step) bytes whatever the data's size.
     cfg.resume then continues from the newer valid slot: it is used only if
     its check holds, the data's first POS bytes hash to what it recorded
     and the data after its bytes is still the base; a journal or data that
     fails a check is refused (DX_PATCH_ERR_WRONG_BASE) before any write.
     Data that is already the target, or still the base, needs no journal.
     The caller removes the journal once finish returned the result's length
     (and has cut the data to it). Without the callbacks such an
     interrupted apply cannot be resumed (resume: DX_ERR_UNSUPPORTED).
   DOES NOT: resume a one-shot in-place apply of a shift patch half-way (no
   journal: use the streaming applier), survive torn block writes with
   witnesses (patches without a window: a block is assumed written whole or
   not at all; after a torn one resume says DX_PATCH_ERR_RESULT and the data
   is neither version: keep a copy, or use a WINDOW patch with a journal;
   the journal survives them), roll back on resume (resume always goes to
   the target: an interrupted roll back resumes as an apply, then roll
   back again), check a witness before it reaches the block when resuming
   a stream without a journal (cfg.resume of a WITNESS patch: blocks before
   one that is neither base nor target are written first, then
   DX_PATCH_ERR_WRONG_BASE; to write nothing unless all of them hold, run
   the applier once with io.write discarding and io.read giving zeros past
   data_len, and resume only if finish says other than
   DX_PATCH_ERR_WRONG_BASE: examples/dxdiff.c does), check more than one
   byte of a block when resuming (the witness: data with the witness byte
   of the base or the target in each changed block and the rest other
   bytes passes it, then fails the final hash, DX_PATCH_ERR_RESULT, written),
   apply a PREFIX patch (or a DICT patch
   made without a window) in place, or check one without its base (its
   frames decode only with base bytes).

API
   size_t dx_patch_bound(uint64_t base_len, uint64_t target_len, const dx_patch_config *cfg)
       the largest patch dx_patch_diff can write for these lengths.
   int64_t dx_patch_diff(const dx_patch_config *cfg, const uint8_t *base, size_t base_len,
                         const uint8_t *target, size_t target_len, uint8_t *out, size_t cap)
       patch bytes written, or DX_ERR_NOSPACE / INVAL / LIMIT / UNSUPPORTED.
       cfg NULL: the defaults. cfg->window needs cfg->shift, cfg->prefix a
       zstd_level (else DX_ERR_INVAL); zstd levels above zstd's largest are
       taken as its largest; zstd_level 0 here is no compression. allocates: 3 blocks of scratch (+ a zstd context and one compressed frame;
       5 with cfg->thread_start: 4 that its thread compresses at a time).
   int64_t dx_patch_diff_auto(cfg, base, base_len, target, target_len, out, cap, unsigned *out_mode)
       the smallest patch of the modes, chosen by size (what dxdiff does with
       no mode option): XOR blocks (reversible; at zstd level 1 first, again
       at cfg->zstd_level where within 1.5x of the best), the shift mode at
       cfg->level (at the default level, level 1 where its patch stays
       under 1/512 of the target, a try stopped at that size), patches
       under 16 KiB once more uncompressed (a zstd stream's header can cost
       more than it saves), and, where the best is above half the target
       (compressed data), the target in one-way records of 64 KiB blocks
       (RAW, or XOR where that is no larger): a
       patch stays within a few hundred bytes of the target's size; where
       the shift mode took nearly all of a target that compresses as new
       bytes (nothing in common), the target's bytes whole in RAW records
       at cfg->zstd_level: within its headers of zstd of the target alone. Where XOR blocks do not compress
       at the fast level and neither does the target's middle MiB
       (compressed data), the shift mode runs at the fast level too. At levels 8-9 with zstd and no
       window, where the shift mode's patch is 4 KiB to half the target,
       it tries the shift mode once more with cfg.prefix (0:
       DX_PATCH_DEFAULT_PREFIX, 8 MiB): a PREFIX patch, out of place only.
       With cfg->dict and zstd, a text target's (its middle MiB printable
       where not NUL) shift mode is tried with
       DICT frames (cfg.prefix, or DX_PATCH_DEFAULT_DICT 4 MiB, their
       limit; with cfg->window, in place), and where that patch is over
       1/32 of the target (much new text) once more as one stream; a
       streaming applier then needs max_window >= the header's window (in
       place: twice the ring) (without cfg->dict every patch it writes
       applies with an applier's default limits; dxdiff sets it).
       cfg->zstd_level 0 means 19 in a
       build with zstd (so its patches need an applier built with zstd); cfg->shift and one_way are ignored; cfg->window: every
       candidate applies in place (the shift mode with that window). cap:
       dx_patch_bound(base_len, target_len, cfg). *out_mode (may be NULL):
       DX_PATCH_MODE_XOR, _SHIFT or _RAW. Every patch it writes applies with
       an applier's default limits. Time: the tries' sum (the shift mode's
       dominates); allocates: a second buffer of cap bytes, and each try's.
   dx_result dx_patch_read_info(const uint8_t *patch, size_t len, dx_patch_info *out)
       the header: lengths, hashes, block size, flags, frames. allocates: no.
   int64_t dx_patch_apply(patch, patch_len, const uint8_t *base, size_t base_len, uint8_t *out, size_t cap)
       writes the target (or, given the target, the base) to out; returns its
       length. out must not overlap base. allocates: one scratch block of
       2 blocks (+ a frame with zstd, + the ring in place).
   int64_t dx_patch_apply_in_place(patch, patch_len, uint8_t *data, size_t len, size_t cap, bool resume)
       cap >= max(base_len, target_len). resume: continue an interrupted apply
       (len is the data's current length; the base hash cannot be checked, the
       witnesses and the final hash are: data of a length no apply leaves, or
       with a witness that is neither base nor target, gives
       DX_PATCH_ERR_WRONG_BASE before any write; data that passes them and is
       still neither gives DX_PATCH_ERR_RESULT, written). With resume, data that is whole is
       taken as it is, for every patch: the target is done (its length
       returned, nothing written), the base is applied. Without resume, data
       that is the target of a reversible patch is rolled back to the base:
       after a crash, call it with resume.
   int64_t dx_patch_apply_chain(const uint8_t *const *patches, const size_t *lens, size_t n,
                                const uint8_t *base, size_t base_len, uint8_t *out, uint8_t *spare, size_t cap)
       a delta chain: patches[0] applied to base, each next one to the result
       before it; the last result to out; returns its length. Checks the base
       against patches[0], each patch's base (length, hash) against the
       previous one's target in their headers, every frame, and the last
       result's hash: two hashes of the data, not two for each patch, and
       patches without COPY records apply in place (time in proportion to
       their changes, not to the data). base may be out (cap bytes there):
       then the first patch too applies in place. cap: at least every base
       and target length; spare: cap bytes, needed only if a patch that
       does not apply from base has COPY records (else may be NULL: such a
       patch is then DX_ERR_INVAL). n 0 copies base to out. Forward
       only. On an error out holds no result (it is the scratch; with base
       == out the base is lost). allocates: as dx_patch_apply, once.
   Errors of all three: DX_PATCH_ERR_MAGIC, DX_PATCH_ERR_OLD_FORMAT, DX_ERR_TRUNCATED,
   DX_ERR_CORRUPT, DX_ERR_CHECKSUM, DX_ERR_UNSUPPORTED, DX_ERR_LIMIT, DX_ERR_NOSPACE
   (cap below the result, in place below len), DX_ERR_INVAL (arguments),
   DX_PATCH_ERR_WRONG_BASE (nothing written), DX_PATCH_ERR_RESULT (the result's
   hash is wrong; in place and not resuming, the dry run finds it before
   anything is written).

   Streaming (one thread at a time)
   size_t dx_patch_applier_memory_size(const dx_patch_applier_config *cfg)
       2 x max_block + max_frame (+ a second frame with zstd, + max_window);
       about 192 KiB with the defaults, 1.1 MiB in a build with zstd (512 KiB
       frames); 0 if a limit is out of range (a max_frame below max_block +
       64 is raised to it, not refused). The journal needs no more.
   dx_result dx_patch_applier_init(a, cfg, mem, mem_size)    caller memory, allocates nothing
   void dx_patch_applier_deinit(a)     frees zstd's context (made by feed at the
       first compressed frame); call it when done with an applier from init
   dx_result dx_patch_applier_create(a, cfg) / void dx_patch_applier_destroy(a)
       create: memory_size bytes from cfg->allocator, then init; destroy =
       deinit + free. cfg->io: read(user, off, buf, len) of the data being
       patched and write(user, off, buf, len) of the result (in place: the
       same data); in place for WINDOW patches also journal_write,
       journal_read (the journal file) and sync(user, journal) (fsync the
       data or the journal), all three or none (DX_ERR_INVAL); io is
       needed unless check_only (DX_ERR_INVAL). cfg.data_len is trusted:
       the base's length out of place (read must still check its bounds);
       in place write must let the data grow past its length, and the
       caller cuts it to finish's result.
   dx_result dx_patch_applier_feed(a, const uint8_t *bytes, size_t len)
       any piece sizes; the base is checked when the header is in, before
       the first write; every frame is checked before it is applied. After
       finish, feed and finish say DX_ERR_CORRUPT.
   int64_t dx_patch_applier_finish(a)
       copies what is left (out of place), checks the result hash; returns
       the result length. An interrupted in-place stream resumes with
       cfg.resume = true and cfg.data_len = the data's current length.
       cfg.resume needs witnesses (a patch made with no_witness:
       DX_ERR_UNSUPPORTED, even of whole data; the one-shot call takes whole
       data of any patch). With cfg.check_only the applier needs no data and
       no io: it decodes and checks every frame (to vet a download before
       touching anything); finish returns the target length (PREFIX and
       DICT patches, DICT+WINDOW too: DX_ERR_UNSUPPORTED, their frames need
       the base). a->stats counts what was decoded
       (records by type, SPLIT sources, runs, bytes, compressed frames).

   Chains (a chain grows with its baseline, so it has no caller-memory init)
   dx_result dx_patch_chain_create(c, cfg) / void dx_patch_chain_destroy(c)
       create allocates nothing yet; destroy frees the baseline.
   int64_t dx_patch_chain_push(c, version, len, out, cap, bool *out_refreshed)
       the patch from the baseline to version; on a refresh it is a patch
       from empty data and version becomes the baseline. Each patch is
       from the baseline (not from the version pushed before it: not a
       chain for dx_patch_apply_chain). cap: at least dx_patch_bound(0, len,
       &cfg->patch) (a refresh: the first push is one) and
       dx_patch_bound(baseline length, len, &cfg->patch). c->stats counts
       versions, bytes in and out, refreshes. allocates: the baseline copy
       (cfg->patch.allocator), and the diff's scratch.

   uint64_t dx_patch_xxh64(const void *data, size_t len, uint64_t seed)
       XXH64 (xxHash's 64-bit hash), the patch's hashes and checks.
   const char *dx_patch_result_name(dx_result r)

CONFIGURATION
   DX_PATCH_WITH_ZSTD   off       [impl]   zstd frames (include <zstd.h>, link -lzstd)
   DX_PATCH_MAX_FRAME   1 MiB+64  [impl]   largest frame an applier accepts (the format's limit)
   DX_PATCH_STREAM_WINDOW_LOG 24  [impl]   STREAM: the largest zstd window an applier accepts (2^24 =
                                           16 MiB; DX_ERR_LIMIT above), what an applier's decoder may
                                           keep; the writer's window never exceeds it either
   DX_PATCH_STREAM_WRITE_LOG 23   [impl]   STREAM: the largest zstd window the writer uses (2^23 =
                                           8 MiB; smaller for patches that need less). Trades
                                           patch size for apply memory: an applier's decoder keeps
                                           this window, so 23 rather than 24 takes about 8 MiB off
                                           the peak of applying a large patch, for a patch 1.5-1.6%
                                           larger on two 50 MB pairs (MEMORY). 24: what 0.5 and
                                           0.6.0 wrote; lower: less memory, larger patches
   DX_PATCH_NO_SHIFT    off       [impl]   leave out the shift mode: patches with COPY are refused
                                           (DX_ERR_UNSUPPORTED) and cfg.shift too, and the journal
                                           (it keeps the shift mode's ring: io.journal_* are not
                                           used); saves a firmware applier about 1.2 KiB of code
                                           (Cortex-M4, -Os)
   DX_PATCH_NO_COLUMNS  off       [impl]   leave out COLUMNS frames: refused when read, not written
                                           (the writer makes them only with zstd); saves about 0.7 KiB
   cfg.block_size       4096      [runtime] power of two, 64..1 MiB
   cfg.frame_size       64 KiB    [runtime] raw bytes per frame: raised to a block + 64, at most 1 MiB + 64;
                                           with cfg.zstd_level 512 KiB + 64 (fewer zstd flushes:
                                           1-3% smaller than 64 KiB, and faster)
   cfg.zstd_level       0         [runtime] 3 is enough for XOR data (level 19 saves 0-9%)
   cfg.no_witness, cfg.one_way    [runtime] see OVERVIEW
   cfg.shift            false     [runtime] COPY/SPLIT records for moved data; the diff allocates
                                           52 bytes per block byte (blocks up to 16 KiB split;
                                           larger ones take one source per block, found through an
                                           index of the base: a 4-byte slot per 8 base bytes, at most
                                           64 MiB) and, once a block has moved, the matcher of
                                           cfg.level
   cfg.window           0         [runtime] shift: sources at most this far behind (a power of two):
                                           the patch applies in place with that much memory
   cfg.level            6         [runtime] shift: matching effort, 1..9 (0 = 6). Memory besides the
                                           inputs: levels 4-9 a suffix array of the base bytes that exact
                                           matches of 1 KiB or more leave (all of them at most), 5 bytes
                                           a byte (the array and a copy; + up to 2 bytes a byte while it
                                           is built), a bit map of 1 byte a byte, and while the matches
                                           are found a table of 1/4 to 1/2 byte a base byte; levels
                                           1-3 a hash table of the base's 8-byte strings, 1 (level 1), 2 or
                                           4 bytes a base byte. 1-3: strings sampled every 8, 4, 2 base
                                           bytes, matches of 16 bytes or more; 4-6: every position, 12
                                           bytes or more; 7-9: 8 bytes or more
                                           where the target is text (below; a diff with zstd tells), else
                                           12. Higher levels also look at
                                           more unmatched target positions (9: every one) and give each
                                           block more candidate sources (6 + level; text too: with 8 +
                                           2 x level, as before 0.10.2, cc1 11 -> 12 was 1.6% larger,
                                           the C++ headers 0.8%), so
                                           the program's time grows with the level too. Measured here
                                           (zstd 19, whole diff, a loaded 2-core machine: times +-40%):
                                           libcrypto 3.0.20 -> 3.0.22 (4.7 MB): level 1 221.0 KB, 3 210.5
                                           KB, 6 206.7 KB, 9 205.7 KB, each in 1.0-1.7 s (bsdiff 204.1
                                           KB in 4 s); a 12 MB tar of C++ headers: level 3 127.6 KB in
                                           2.5 s, 6 107.0 KB in 3.5 s, 9 106.2 KB in 3.0 s: the suffix
                                           array finds the short matches text needs
   cfg.prefix           0 (off)   [runtime] diff, shift mode with zstd, no window: frames of their own
                                           (not STREAM), each compressed with up to this many bytes of
                                           the base as zstd's prefix (PREFIX): the stretch the frame's
                                           blocks map to by the shift it began with, prefix/8 more on
                                           each side; a frame ends where its blocks would span more
                                           than 3/4 of it. dx_patch_diff_auto tries it at levels 8-9
                                           (cfg.prefix, or 8 MiB) and keeps the smaller. By hand (zstd
                                           19, level 6): the C++ headers tar 101,033 -> 87,933 B, 0.66
                                           -> 4.2 s; libcrypto 197,241 -> 195,384 B, 0.6 -> 1.9 s;
                                           openblas 394,141 -> 397,152 B (larger: not taken), 2.3 ->
                                           11.3 s. At most DX_PATCH_PREFIX_MAX (64 MiB)
   cfg.dict             false     [runtime] with cfg.prefix: DICT frames instead of one range: a
                                           frame's records compressed on their own, its bytes column
                                           with the base bytes its new bytes replaced (by the last
                                           shift in the base; RAW blocks, runs from past the base),
                                           cfg.dict_margin more on each side, at most cfg.prefix in
                                           all (else a margin of 0; else the frame stays raw). By
                                           hand (zstd 19, level 6, margin 128): the C++ headers tar
                                           101,033 -> 90,067 B, 0.69 -> 0.68 s; libcrypto 197,353 ->
                                           195,901 B (margin 64); cc1 x86-64 -> aarch64 4,956,695 ->
                                           4,784,645 B; cc1 11 -> 12 9,552,433 -> 9,858,292 B (larger:
                                           frames without the stream's context; dx_patch_diff_auto
                                           uses DICT only for text). With cfg.window (since 0.10.0)
                                           in place: the window also bounds the dictionary and the
                                           margin, a frame spans at most the window, and no range
                                           lies below its frame's end less the window (the tar, 4
                                           MiB: 93,957 B against 101,611 in place without DICT;
                                           2 MiB 96,400, 1 MiB 99,333)
   cfg.dict_margin      128       [runtime] DICT: bytes on each side of a replaced stretch (0 = 128;
                                           by hand on the tar: 0 91,812 B, 64 90,533, 128 90,067,
                                           256 89,497 in 0.81 s, 1024 88,452 in 0.98 s)
   cfg.x86              0 (auto)  [runtime] shift (CARRY): X86 run skips (WIRE FORMAT) where 1, or 0 and
                                           the target is an x86 ELF object, program or library, PE
                                           or Mach-O file; -1 never. dxdiff's default patches:
                                           openblas pthread -> openmp 394,205 -> 313,484 B,
                                           libcrypto 3.0.20 -> .22 197,315 -> 173,375, libpython
                                           159,125 -> 141,780 (with runs merged over gaps of 2
                                           zeros, not 3: 0.11.0); where nothing moved (in-place
                                           edits) +0.5%, so a core file (ELF type 4) does not get it.
                                           An apply reads a coded segment's source twice (to check
                                           the record, then to apply it)
   cfg.progress         NULL      [runtime] diff: progress(user, done, total) now and then, and at the end
   applier cfg.max_block 64 KiB   [runtime] largest block accepted (DX_ERR_LIMIT above)
   applier cfg.max_frame 64 KiB   [runtime] largest raw frame accepted (at least max_block + 64);
                                           512 KiB + 64 in a build with zstd (what a compressed
                                           diff writes by default)
   applier cfg.check_only false   [runtime] decode and check a patch only (no data, no io)
   applier cfg.max_window 0       [runtime] in place, shift patches: the ring's size (>= the
                                           patch's window, or the data's size, and its block size;
                                           DICT: twice that, a frame's dictionary after the ring);
                                           out of place, PREFIX and DICT patches: room for a frame's
                                           base range or dictionary (>= the header's window;
                                           DX_ERR_LIMIT below)
   applier cfg.journal_step 1 MiB [runtime] with io.journal_*: bytes between two checkpoints
                                           (rounded up to blocks); the journal is 2 x (96 + ring + step)
   chain cfg.max_versions 50, cfg.max_delta_pct 100 [runtime] when a chain refreshes its baseline
   DX_STATIC / DX_PATCH_STATIC, DX_PATCH_API / DX_API, DX_MALLOC/DX_FREE, DX_NO_MALLOC,
   DX_MEMCPY..., DX_ASSERT/DX_NO_ASSERT, DX_NO_ERROR_STRINGS, DX_CONFIG_HEADER: as in every dx header.
   A zero config field means its default.

MEMORY
   Nothing grows with the data on the apply side: diff uses 3 blocks (+
   zstd's context and a frame; shift mode also its matcher over the base:
   cfg.level in CONFIGURATION), apply 2 blocks + a frame
   (+ a second frame with zstd; + the window's ring for a shift patch in
   place, + a block and 2 hash states with a journal), from cfg.allocator (zeroed = DX_MALLOC) or, for the streaming
   applier, from memory you give it. A chain holds a copy of its baseline.
   zstd allocates its own contexts with malloc; a STREAM patch's decoder
   keeps the stream's window: at most 8 MiB for what this writer makes
   (DX_PATCH_STREAM_WRITE_LOG), at most 16 MiB for what an applier accepts
   (DX_PATCH_STREAM_WINDOW_LOG; patches of 0.5 and 0.6.0 used up to 16 MiB);
   it becomes resident as the patch's raw bytes fill it. Measured here
   (dxdiff apply, peak RSS, the larger of 2 runs; 50 MB pairs, dxdiff's
   default diff; window 16 -> 8 MiB): shared libraries rebuilt, streaming
   out of place 17.7 -> 10.8 MiB, in place 18.8 -> 11.8 MiB, patch +1.5%
   (3.39 -> 3.44 MB); C and C++ headers edited, 18.8 -> 10.9 MiB, in place
   19.7 -> 11.7 MiB, patch +1.6% (6.96 -> 7.08 MB).

ERRORS
   dx_result; module codes DX_PATCH_ERR_MAGIC (-300), DX_PATCH_ERR_WRONG_BASE
   (-301), DX_PATCH_ERR_RESULT (-302), DX_PATCH_ERR_OLD_FORMAT (-303: a
   format 1 patch, from dx_patch.h 0.1 or 0.2; make it again).

THREADING
   No globals; an applier or chain is used by one thread at a time. A diff
   runs on the caller's thread, and on a second one only through
   cfg.thread_start (the caller's threads: the header starts none).

SECURITY MODEL
   Trusted: configs, callbacks. Untrusted: every patch byte. A patch is
   refused, with nothing written by the one-shot calls, when its magic,
   version, required flags or header check are wrong, a frame is empty or
   larger than announced or than the applier's limit, a frame's check
   fails, a record names a block out of order or past the end, a run or
   segment is empty or leaves its block, an XOR record changes nothing, a
   source lies outside the base, a length lies, or bytes follow the last
   frame: every rule of WIRE FORMAT. cfg.check_only decodes and checks a
   patch without its data (not a PREFIX patch: refused). A PREFIX frame's
   base range must lie inside the base and within the header's window,
   which the applier's memory bounds. Work and memory are bounded by the patch and
   block sizes (and in place by the window a shift patch names, up to the
   data's size).

WIRE FORMAT (format 2.0; integers little-endian; offsets in bytes)
   This section and XXH64 are all a second implementation needs. XXH64 is
   xxHash's 64-bit hash (public specification; every xxHash library has
   it). The base and target hashes are XXH64 with seed 0 of the whole data
   (what `xxhsum -H1 FILE` prints); a "check" is the low 32 bits of XXH64
   with seed 0x7061746368 (DX_PATCH_CHECK_SEED) of the bytes it covers.
   Vectors: the .hex files in tests/vectors/patch/ (base, target, patch, the expected
   result; one for each rule a reader enforces) and xxh64.txt (XXH64 known
   answers, made with xxhsum and libxxhash). A .hex file is lines: "# " and
   a comment (the first says what the vector is; "# config: ..." how it was
   made, for people), "# expect: NAME" where applying it must fail with that
   result, then "# base:", "# target:" (absent where it fails) and
   "# patch:", each followed by lines of bytes in hex separated by spaces.

   header, 64 bytes (DX_PATCH_HEADER_OFF_*), read in this order:
      0 "DXPT"; anything else: DX_PATCH_ERR_MAGIC (fewer than 4 bytes, or
        fewer than 64 with the magic: DX_ERR_TRUNCATED)
      4 u16 major = 2; 1 (dx_patch.h 0.1, 0.2, another hash): DX_PATCH_ERR_OLD_FORMAT;
        any other: DX_ERR_UNSUPPORTED. Nothing else is read then.
     60 u32 check of bytes 0-59 (DX_ERR_CHECKSUM)
      6 u16 minor = 0; any minor is read
      8 u32 flags (below)
     12 u32 block size B: a power of two, 64 .. 1 MiB
     16 u64 base length    24 u64 target length
     32 u64 base hash      40 u64 target hash
     48 u32 largest frame: no frame's raw length (with STREAM, nor its
        stored length) exceeds it; it lies in
        [B + 64, 1 MiB + 64]. A reader with a lower limit refuses the patch
        (DX_ERR_LIMIT): it says how much memory the frames take.
     52 u32 frame count
     56 u32 window: a power of two with WINDOW or PREFIX, else 0
   flags: bits 0-15 are required (one a reader does not know:
   DX_ERR_UNSUPPORTED), bits 16-31 optional (ignored).
      1 ZSTD     frames may be zstd-compressed
      2 WITNESS  XOR records carry a witness byte
      4 ONE_WAY  ZERO and RAW records; the patch does not roll back
      8 COPY     COPY records; requires ONE_WAY
     16 COLUMNS  frames hold their records as columns (below)
     32 CARRY    requires COPY: SPLIT records, COPY and SPLIT runs add
                 instead of XOR, blocks without a record follow the shift
     64 WINDOW   requires CARRY: no source lies more than the window behind
                 its target offset, so the patch applies in place
    128 LITERAL  requires CARRY: a source may lie past max(base length, its
                 own offset) (below), where the base reads as zeros: the runs
                 there hold the target's bytes as they are
    256 STREAM   requires ZSTD: the frames' stored bytes are pieces of one
                 zstd stream (below)
    512 PREFIX   requires ZSTD and COPY, excludes STREAM, and WINDOW but with DICT: each
                 compressed frame names a range of the base that its zstd
                 frame has as its prefix (below); the window field (a power
                 of two; without WINDOW, window / 2 < base length, else
                 corrupt: so an empty base is corrupt) bounds every range's length. Such a patch applies out of place
                 only (the ranges are the base as it was).
   1024 DICT     requires PREFIX and COLUMNS: compressed frames hold their
                 bytes column apart, with the base bytes their new bytes
                 replaced as its prefix (below, "DICT frames"); the window
                 field bounds each frame's dictionary. With WINDOW (since
                 0.10.0; 0.9.0 readers refuse it as corrupt) the window
                 is both bounds, is not bounded by the base length, and
                 the patch applies in place too.
   2048 X86      requires CARRY: the run skips of a COPY record or SPLIT
                 segment whose source lies in the base (s < base length)
                 count marks, not bytes (below, "X86"); 0.10 readers refuse
                 such patches (DX_ERR_UNSUPPORTED)
   4096 NEWBYTES requires COLUMNS: a frame's bytes column holds the
                 differences first, then the new bytes (below, COLUMNS);
                 0.11 readers refuse such patches (DX_ERR_UNSUPPORTED)
   8192 ANCHORS  requires CARRY: a delta counts from one of two anchors,
                 not from the shift (below, "ANCHORS"); 0.11 readers
                 refuse such patches (DX_ERR_UNSUPPORTED)
   A header that breaks a rule above (but the ones with their own codes) is
   DX_ERR_CORRUPT.

   the data: L = max(base length, target length); block k covers bytes
   [k*B, min(k*B + B, L)) and has n bytes. The base reads as zeros past its
   end; the result is the first target-length bytes of the patched L bytes.
   Data of the base's length and hash is patched forward. Without ONE_WAY,
   data of the target's length and hash (not the base's) is rolled back:
   the same records (all XOR) make the base, the lengths and hashes trade
   places. Any other data: DX_PATCH_ERR_WRONG_BASE, before any write. The
   result must hash to the target hash (rolling back: the base hash), else
   DX_PATCH_ERR_RESULT. A patch with no frames changes nothing but the length.

   frames: frame count of them (0 or more), back to back; a byte after the
   last is corrupt. Each (DX_PATCH_FRAME_HEADER_OFF_*):
      0 u32 raw length: 1 .. the largest frame (offset 48; an empty frame is corrupt)
      4 u32 stored length: 1 .. raw length. Equal: the raw bytes as they are;
        less: one zstd frame (RFC 8878) that decompresses to exactly the raw length
        (corrupt without ZSTD; DX_ERR_UNSUPPORTED in a build without zstd);
        not a skippable frame, nor a second frame after it (corrupt; 0.10
        and earlier readers took them). Its window is not bounded: it
        decodes into the frame's raw bytes.
        With STREAM: 1 .. the largest frame (offset 48), and every
        frame's stored bytes, whatever their length, are the next piece of
        one zstd frame (RFC 8878) that runs through all the frames: the
        first piece starts it (its magic and header), the last one ends it
        (its last block, and its checksum if it has one); a patch of no
        frames has no stream, and STREAM asks nothing of it. Decompressing the
        pieces in order, once a frame's piece is read the stream must have
        given the frame's raw bytes (the raw length of them; the writer
        flushes at each frame's end): fewer, or a stream that is not
        finished after the last piece, is corrupt; so is one that ends
        before the last piece or is followed by more bytes (a second zstd
        frame or a skippable one: 0.10 and earlier readers took them). The zstd frame's window
        (its header's window size) above 2^DX_PATCH_STREAM_WINDOW_LOG (24:
        16 MiB by default) is DX_ERR_LIMIT: it is the memory a decoder
        keeps. A build without zstd refuses STREAM patches
        (DX_ERR_UNSUPPORTED).
        With PREFIX, a compressed frame's (stored < raw) stored bytes are
        u64 base offset O, u32 length N (DX_PATCH_PREFIX_OFF_*), then one
        zstd frame that decompresses to exactly the raw length with the
        base's bytes [O, O + N) as its prefix (zstd's raw-content
        dictionary: ZSTD_DCtx_refPrefix; the frame's matches may reach back
        into them). 1 <= N <= the header's window and O + N <= the base
        length, else corrupt; stored bytes of 12 or fewer are corrupt.
        With DICT instead (DICT frames, below) a compressed frame's stored
        bytes are varint margin M (at most the window), varint length A
        (>= 1, less than the bytes after it), A bytes of one zstd frame
        that gives the frame's columns before its bytes column (exactly
        them: COLUMNS; with NEWBYTES the varint N is among them), then one
        zstd frame, the rest, that gives the bytes column, decompressed
        with the frame's dictionary as its prefix (none if it is empty).
        Its length is what the columns' runs and RAW records take; the two
        make the raw length, else corrupt. The frame's raw bytes (what its
        check covers) are the first zstd frame's output, then the bytes
        column.
      8 u32 check of the raw bytes
     12 the stored bytes
   A frame's raw bytes hold whole records; their blocks increase across
   frames too.

   records (interleaved; DX_PATCH_REC_OFF_TYPE 0, DX_PATCH_REC_OFF_GAP 1):
     u8 type, varint gap: the record's block is the previous record's block
     + 1 + gap (the first record's: gap); past the last block: corrupt. A
     type 1-5 whose flag the patch lacks, or any other type: corrupt. Then:
     type      needs     fields after the gap
     1 XOR     -         [u8 witness, with WITNESS] runs, at least 1
     2 ZERO    ONE_WAY   none
     3 RAW     ONE_WAY   the block's target bytes: min(B, target length -
                         block offset) of them (the rest of the block is
                         past the result); a block at or past the target's end: corrupt
     4 COPY    COPY      zigzag varint delta, runs (0 or more)
     5 SPLIT   CARRY     varint segment count S, 2 <= S <= n, then S
                         segments: varint length (>= 1; not for the last,
                         which is the rest of the block, >= 1 too), zigzag
                         varint delta, runs (0 or more)
     runs: varint count (at most the segment's bytes), then per run varint
       skip, varint length (>= 1: a zero-length run is corrupt) and length
       bytes. A position starts at the segment's first byte (a record that
       is not a SPLIT is one segment, the block); each run skips skip bytes,
       then covers length bytes; runs must stay inside their segment.
     What they mean, for a block at offset o:
     XOR:   the block's bytes at o (the base's; rolling back, the target's)
            XOR the runs. Some run byte is not zero: an XOR record that
            changes nothing is corrupt.
     ZERO:  the block becomes zeros.   RAW: the block becomes its bytes.
     COPY:  the source is s = o + shift + delta; the block is the n base
            bytes at s (zeros past the base's end), XOR the runs (with
            CARRY: plus the runs, bytewise mod 256); then shift = s - o.
     SPLIT: each segment, at its own offset o + its start, is a COPY of
            the segment's bytes; its delta builds on the shift the segment
            before it left (the first on the shift before the record), and
            the record leaves the last segment's shift.
     shift: 0 at the start; only COPY records and SPLIT segments change it
       (XOR, ZERO and RAW leave it, in every patch). A source s must lie in
       [0, max(base length, its own offset)] (with LITERAL: [0, max(base
       length, its own offset) + 2^48]), and with WINDOW at least its
       offset - window; |delta| <= 2^48. Else: corrupt.
     ANCHORS: a delta field's varint v is not a zigzag delta from the
       shift: its bit 0 names an anchor and v >> 1 is a zigzag d (|d| <=
       2^48), and the source is s = o' + anchor + d, o' the offset of the
       COPY record's block or of the SPLIT segment. The base anchor (bit 0
       clear) is the shift of the last COPY record or SPLIT segment whose
       source lay in the base (s < base length), 0 before any; the literal
       anchor (bit 0 set) that of the last one whose source lay at or past
       the base length, the base length before any. Both carry from frame
       to frame; after each source the shift is s - o' as without ANCHORS,
       and moves the blocks without a record the same way. (A switch to
       new bytes and back then costs a byte or two, where a delta from the
       shift took as many as the distance needs: 0.2-1.4% smaller patches
       on the benchmark's shifted pairs, 7% on C++ headers.)
     A block without a record: without CARRY it stays as it is (COPY
       records still pass the shift from one to the next); with CARRY it is
       the base's n bytes at o + shift (zeros past the base's end).
     In a CARRY patch XOR records still work at the block's own offset o
       and XOR; ZERO and RAW replace the block; none moves the shift. All
       sources read the base as it was before the apply, in place too (a
       WINDOW patch lets an applier keep the window's overwritten bytes).
     witness (XOR records): the base byte at the first position where the
       record's run bytes are not zero. Only a resumed in-place apply reads it: the data
       byte there equal to the witness: apply; equal to witness XOR that run
       byte: already applied, skip; else DX_PATCH_ERR_WRONG_BASE. Any other
       apply ignores it.
     X86: in a patch with X86, a COPY record or SPLIT segment whose source
       s lies in the base (s < base length; not a LITERAL source past it)
       has coded skips. With r the segment's result bytes (its n bytes
       once applied) and q a position in it (0 = its first byte), q is a
       mark where q = 0, or r[q - 1] is E8, or r[q - 1] AND C7 is 05 (hex;
       where x86 code's calls and RIP-relative operands hold an address
       that moved code changes). A run's skip v, from the position c where the
       last run ended (the segment's start before its first run): v odd,
       the run starts at c + (v - 1) / 2, as a byte count; v even, it
       starts at the (v / 2 + 1)-th mark at or after c. No such mark inside
       the segment: corrupt. An even skip counts every position the mark
       rule names, those inside a word the walk below adds at too: the walk
       decides only where words are added. Whether q is a mark depends only
       on r[q - 1], the result byte before q: where q - 1 was skipped that
       is its source byte plus any carry of a word added at an earlier mark
       (below), not always s[q - 1]. r[x] depends only on s and on d at
       positions <= x, so the runs decode in order, r computed as they go.
       Run lengths are as without X86. A coded segment's differences (d: the runs' bytes at their
       places, 0 elsewhere) add to its source bytes s a word at a time at
       marks: walking from q = 0, where q is a mark and its 4 bytes lie in
       the segment and in the result (o' + q + 4 <= target length),
       r[q..q+4) as u32 LE = s[q..q+4) as u32 LE + d[q..q+4) as u32 LE
       (mod 2^32), and the walk goes on at q + 4; elsewhere r[q] = s[q] +
       d[q] (mod 256), as in any CARRY segment. (A moved call's rel32 then
       differs by the same word wherever its callee moved as far.) XOR
       records and other segments are as without X86. A check without the
       data (cfg.check_only) can only bound a coded skip from below (v / 2
       positions at least).
     varint: LEB128 (7 bits a byte, low first, the high bit says more
       follow), at most 10 bytes and 64 bits (a 10th byte above 1 is
       corrupt); longer encodings than needed are read. zigzag: a signed d
       is stored as (d << 1) ^ (d >> 63), arithmetic shift.
   COLUMNS (written with ZSTD; like fields side by side compress better):
     a frame's raw bytes are a varint record count R >= 1, then the fields
     of its R records grouped into columns, each in record order:
       types (R bytes), gaps, segment counts (SPLIT), segment lengths,
       witnesses (bytes, XOR with WITNESS), deltas (COPY, each segment), run
       counts (XOR, COPY, each segment), run skips, run lengths, then the
       bytes of every run and RAW record.
     Each column's field count follows from the columns before it: gaps R;
     segment counts one per SPLIT; segment lengths the SPLITs' segments
     less one per SPLIT; witnesses one per XOR (with WITNESS); deltas one
     per COPY and per SPLIT segment; run counts one per XOR, per COPY and
     per SPLIT segment; skips and lengths one per run (the sum of the run
     counts); the bytes column is the rest. Every column must be used up
     exactly; the fields are those of the interleaved records and mean the
     same.
     NEWBYTES: after the run lengths comes a varint N, and the bytes column
     is in two parts: first the differences, the runs of XOR records and
     of COPY records and SPLIT segments whose source s lies in the base (s
     < base length), then the N new bytes, RAW records' bytes and the runs
     of COPY records and SPLIT segments whose source lies at or past the
     base length (the new bytes of DICT frames, below); each part in
     record order. N above the bytes column's length, or new bytes that do
     not take exactly N: corrupt. (Apart, zstd codes each kind with its own
     statistics: 0.6-1.0% smaller patches on the benchmark's pairs.)
   DICT frames: a frame's dictionary is made from its records, walked in
     order (the bytes column's content is not needed). The walk keeps a
     shift, an anchor and a next block, all 0 before the first frame, from
     frame to frame (through every frame, also those stored raw): the
     shift and the blocks as the records mean them (COPY, SPLIT segments;
     the same bounds, else corrupt); each COPY delta or SPLIT segment
     whose source s (at its segment's offset o', s = o' + shift, or with
     ANCHORS as they say) lies in the base (s < base length) makes the
     anchor that shift (with ANCHORS the anchor is the base anchor). New bytes are
     a RAW record's bytes and the runs of a COPY or SPLIT segment whose
     source lies at or past the base length (not XOR records' runs): each
     run of them (a RAW record: its bytes, at its block's offset) at target
     offset x (their skips count bytes, with X86 too), n bytes long, maps to the base
     range [x + anchor - M, x + n + anchor + M), cut to [0, base length)
     (anchor as it stands at the run; empty: skipped). The ranges in
     order are merged: one that starts at or after the start of the range
     under way and at or before its end extends it to the larger end; any
     other ends it and begins the next. The dictionary is the base bytes
     of each merged range, back to back in order; longer than the
     header's window: corrupt. With WINDOW, before the merge every range
     is also cut below F - window, F the offset after the frame's last
     record's block (its next block x block size, from the same walk), so
     an in-place apply finds every range in its ring (the base bytes of
     the last ring-size bytes it overwrote) or ahead of what it wrote:
     the frame is decoded before any of its blocks is written, and after
     a resume at a position P inside the frame, [P - ring, P) is in the
     ring. A frame whose blocks all lie below P (or all of them: the data
     was already the target) is not decoded past its columns: its bytes
     are not needed, and its check is not made (the result's hash is).
     Without WINDOW a DICT patch applies out of place only.
   What this writer chooses (not rules): frames of 512 KiB + 64 when it
   compresses (cfg.frame_size 0), else 64 KiB, and as the largest raw frame
   (offset 48) the largest raw or stored length it wrote, at least a block
   + 64 (since 0.6.0; before, the configured frame size); STREAM whenever it compresses
   (cfg.zstd_level) and frames have room for a piece's overhead (cfg.frame_size
   at least a block + 128; frames then hold at most cfg.frame_size - 64 raw
   bytes), with a window of the patch's bound raised to a power of two,
   from 1 KiB to 2^DX_PATCH_STREAM_WRITE_LOG (8 MiB; 16 MiB before 0.6.1);
   since 0.7.4 a stream of at most 2 MiB of raw bytes tells zstd its size
   first (its frame then states its content size, and its window is at
   most that: a single segment); since 0.7.5 frames of at most 16 KiB in
   all whose stream would not be smaller stay raw, without STREAM; LITERAL
   sources at the shift base length (source = offset + base length); a
   witness is written unless cfg.no_witness; zero gaps under 3 bytes (4 before 0.11.0) stay
   inside a run; frames close before they pass cfg.frame_size; empty
   frames are never written; DICT frames (since 0.9.0) with cfg.dict_margin,
   0 where the dictionary would pass cfg.prefix (the frame raw where it
   still would) and where the frame has no new bytes, and the window the
   power of two at or above every frame's dictionary and margin; with
   cfg.window (since 0.10.0) that window, a margin of at most it, and a
   frame closed before its blocks span more than the window; X86 (since
   0.11.0) in CARRY patches where cfg.x86 is 1, or 0 and the target is an
   x86 ELF object, program or library, PE or Mach-O file, and then an even
   skip wherever a run starts at a mark; NEWBYTES (since 0.12.0) in CARRY
   patches with COLUMNS; ANCHORS (since 0.12.0) in every CARRY patch, each
   delta from the anchor that takes fewer bytes (the one of the source's
   kind on a tie).

JOURNAL (journal format 1: an in-place apply of a WINDOW patch; untrusted on read)
   Two slots of S = 96 + R + K bytes, slot 0 at offset 0 and slot 1 at S
   (R: the ring, the patch's window raised to a power of two and at least a
   block, at most the data's length L = max(base, target length) raised to
   a power of two; K: the step, a multiple of the block). Slot header
   (DX_PATCH_JOURNAL_OFF_*), then R ring bytes, then K old bytes:
      0 "DXPJ"      4 u16 version = 1      6 u16 = 0
      8 u64 patch id: XXH64 of the patch's 64 header bytes, DX_PATCH_CHECK_SEED
     16 u64 sequence >= 1   24 u64 POS: a multiple of the block size, < L
     32 u64 XXH64 (seed 0) of the data's first POS bytes as the apply wrote them
     40 u64 L      48 u32 R      52 u32 K
     56 4 x u64: XXH64's four accumulators (acc1..acc4 of the xxHash
        specification, seed 0) after the base's first POS bytes, when POS + K
        is below the base length; else zeros
     88 u32 = 0    92 u32 check: low 32 bits of XXH64(bytes 0-91, then the
        ring and the old bytes; DX_PATCH_CHECK_SEED)
     96 the ring: the base bytes of [POS - R, POS) (zeros before 0), oldest first
     96 + R the old bytes of [POS, POS + K): the base's (zeros past its end)
   Writing: slot sequence n goes to slot (n - 1) mod 2. The first (n = 1,
   POS 0) is written and synced before any data write (the growth with
   zeros too), with slot 1's header zeroed; a write that reaches POS + K
   first syncs the data, then writes slot n + 1 at the block it starts, and
   syncs the journal. So every write since a slot lies in [POS, POS + K).
   Reading (resume): data of the target's length and hash is done; data of
   the base's is applied anew. Else a slot is valid if its magic, version,
   zero fields, patch id, L, R, K and check are right, sequence >= 1, and
   POS < L is a multiple of the block; of the valid slots the higher
   sequence is used, if the data's length lies in [base length, L], its
   first POS bytes hash to offset 32, the accumulators (when stored) fed
   with the old bytes and the data from POS + K to the base's end give the
   base hash, and the data from max(POS + K, base length) is zeros. Else:
   DX_PATCH_ERR_WRONG_BASE, nothing written. The apply then goes on from
   POS: the ring from the slot, the old bytes of [POS, POS + K) from the
   slot (not the data, which may hold torn writes there; blocks in that
   range are rewritten even where they do not change).

VERSION HISTORY
   0.13.3 (2026-11-29) an in-place resume with witnesses (no journal) of
         data longer than both base and target (which no interrupted
         apply leaves) says DX_PATCH_ERR_WRONG_BASE before any write: it
         was taken as the target and the caller cut the bytes past it.
         So does one of data shorter than both, or of a length between
         them that is not the shorter version then zeros (only a growth
         cut short leaves such a length: the target + other bytes was
         cut to the target, 0 returned). dx_patch_apply_in_place's resume
         checks every witness in its dry run, before the first write: it
         wrote the blocks before the first witness that was neither, then
         said DX_PATCH_ERR_WRONG_BASE (found by a white-box review of
         dxdiff, which now runs the streaming resume dry first).
   0.13.2 (2026-11-29) dx_patch_apply_in_place with resume takes data that
         is whole as it is, for every patch: the target is done, the base
         applied (a WINDOW shift patch, or one without witnesses, said
         DX_ERR_UNSUPPORTED, so "after a crash, resume" was no rule). Docs
         from an outsider's programs written from them alone: resume goes
         to the target (an interrupted roll back too), a retry without
         resume rolls the target back, torn writes, chain_push's patches
         and cap, the errors all three calls give, the diff's config rules,
         check_only and DICT, max_window for DICT in place, data_len.
   0.13.1 (2026-11-28) dx_patch_diff_auto: where XOR blocks are small it no
         longer runs the shift mode at level 1 only (the caller's level,
         9 too, was overridden): the default level's probe keeps the hash
         matcher's patch where it is small enough, else the suffix array
         runs. A program rebuilt with small changes (hbtp_server at two
         commits, 261 KiB): 760 -> 478 bytes. Where the shift mode took
         nearly every byte of the target as new (nothing in common) it also
         tries RAW records of the whole bytes at the strong level (runs cut
         at zeros and the records compressed worse: a 9 MiB program against
         an unrelated one 1,773,764 -> 1,770,043 bytes, zstd -19 of it alone
         1,769,671; that diff takes half again as long). The benchmark's
         pairs are unchanged. Format unchanged.
   0.13.0 (2026-11-28) cfg.thread_start, thread_join, thread_user: the
         caller's second thread compresses closed frames (pieces of the
         stream, PREFIX or DICT frames, frames of their own) in order, 4 at
         a time, while the diff finds up to 4 more; the frames held back
         before a stream begins go to it too. A frame takes its place in
         out once done, and a room check that growing stream pieces could
         fail places them all first, so the patch (or DX_ERR_NOSPACE) is
         the one a diff on one thread writes, byte for byte (tests: every
         kind of frame with the jobs run late, at caps around the patch's
         size; dxdiff on two threads against one; ThreadSanitizer). The
         last frame and the suffix array stay on the caller's thread.
         dxdiff and dx_sync publish use it where the machine has two CPUs.
         Default diffs by hand on this machine (2 vCPUs; one thread, then
         two; xdelta3 -9 beside): cc1 x86-64 -> aarch64 9.9 -> 7.7 s (7.0-
         8.0), libLLVM 14 -> 15 53 -> 44 s (30.3), cc1 11 -> 12 17.9 ->
         13.9 s (8.4); the C++ headers tar 0.61 s either way (its frames
         are few: 0.32). Where the diff waits now: zstd 19 on the new bytes.
   0.12.0 (2026-11-28) NEWBYTES patches (a new required flag, 4096, with
         COLUMNS; 0.11 readers refuse them as DX_ERR_UNSUPPORTED): a
         frame's bytes column holds its differences first and its new
         bytes after them (a varint says how many), so zstd no longer sees
         the two kinds interleaved run by run. ANCHORS patches (8192, with
         CARRY; refused the same way): a delta counts from the last shift
         into the base or the last one past it, so switching to new bytes
         and back costs a byte or two; the shift mode's price of a new
         segment 48 quarter bytes, not 32 (with cheap switches, fewer
         segments pay). The shift mode writes both: libLLVM 14 -> 15 (a
         24 MiB slice) 6,487,842 -> 6,331,622 B (-2.4%), cc1 x86-64 ->
         aarch64 4,774,968 -> 4,672,852 (-2.1%), libcrypto -0.9%,
         openblas -1.8%, C++ headers -7.6%, libpython -1.1%. With
         DX_PATCH_NO_SHIFT the X86 apply and the anchors are compiled out
         and the header rules see only the flags the build knows: the
         firmware applier 6,782 -> 6,078 bytes (Cortex-M4; over its 6,144
         since 0.10.2).
   0.11.1 (2026-11-28) the shift mode prices a stored difference by the
         kind of change: once new bytes are 1/8 or more of the target so
         far (a new version, whose changed code differs as noise), 6
         quarter bytes, not 4 (a rebuild's moved addresses, which repeat):
         libLLVM 14 -> 15 19,876,607 -> 19,215,289 B, cc1 for x86-64 ->
         aarch64 4,808,421 -> 4,774,968, cc1 11 -> 12 +0.06%; every other
         pair of the benchmark the same bytes. Format unchanged.
   0.11.0 (2026-11-28) X86 patches (a new required flag, 2048, with CARRY;
         0.10 readers refuse them as DX_ERR_UNSUPPORTED): in a COPY record
         or SPLIT segment whose source lies in the base, a run's skip
         counts marks (positions after an E8 or a RIP-relative ModRM byte)
         where the run starts at one, else bytes (odd values), and the
         differences are added a 32-bit word at a time at marks (no
         carry noise in a moved call's rel32): the addresses moved x86
         code changes lie there, and their positions were a third of
         such a patch. On by default for x86 ELF (types
         1-3), PE and Mach-O targets (cfg.x86). Runs now merge zero gaps
         of up to 2 bytes (3 before: with cheaper skips, more runs pay).
         dxdiff's default patches: openblas 394,205 -> 313,484 B
         (HDiffPatch 369,552), libcrypto 197,315 -> 173,375 (bsdiff
         204,087), libpython 159,125 -> 141,780. A compressed frame must
         be one zstd frame, as WIRE FORMAT always said: a skippable or a
         second frame, or a STREAM that ends before its last piece or goes
         on after its end, is now corrupt (0.10 took them; no writer made
         them). The vector bad_flag now uses 0x1000 as the unknown
         required flag.
   0.10.2 (2026-11-27) the shift mode's diff 15-20% faster with the same
         records (openblas pthread -> openmp: 1.87 -> 1.6 s in dxdiff): a
         block's first program is skipped where the bytes neither first
         candidate's source equals already cost more than it may, and its
         walk back where the block is done again; look-ahead and run scans
         8 bytes at a time. Smaller patches: text gets 6 + level candidate
         sources like programs (8 + 2 x level before: cc1 11 -> 12 1.6%
         smaller, the C++ headers 0.8%); a segment of new bytes is one run,
         zeros and all (cc1 for another target 0.8% smaller). DICT frames
         are tried only for printable text (cc1, whose tables compress 7:1,
         took twice the time for a larger DICT patch). Format unchanged.
   0.10.1 (2026-11-27) dx_patch_diff_auto: on compressed data (XOR blocks
         at zstd 1 and the target's middle MiB at zstd 1 within 1/64 of
         their size) the shift mode's try runs at the fast level: its new
         bytes do not compress at any level. A .deb (libpython3.11, 2 MB):
         the same patch in 0.25-0.29 s instead of 0.60-0.75 (xdelta3 -9
         0.55 s in the last benchmark run). Where such data moved, its
         records compress a little less (192 KiB of random bytes moved by
         4 KiB, 20 bytes changed: 164 -> 173 B).
   0.10.0 (2026-11-27) DICT patches apply in place: DICT with WINDOW (0.9.0
         readers refuse the pair as corrupt), each frame's dictionary cut
         below its end less the window, read from the ring and the data
         ahead; after a resume, frames wholly done are not decoded past
         their columns. In place the applier's max_window holds the ring
         and then a dictionary (twice the ring). dx_patch_diff_auto with
         cfg.dict and cfg.window tries DICT for text too; dxdiff --in-place
         on text uses a window of at least 4 MiB: the C++ headers tar in
         place 101,611 -> 93,957 B (HDiffPatch 91,340: 1.03x), applied in
         place in 6.5 MiB.
   0.9.0 (2026-11-27) DICT patches (a new required flag, 1024, with PREFIX;
         format 2.0 readers without it refuse them as DX_ERR_UNSUPPORTED):
         cfg.dict (with cfg.prefix as the limit) compresses each frame's
         bytes column on its own with the base bytes its new bytes replaced
         (found from the frame's records, not named in it) as zstd's prefix;
         dx_patch_diff_auto makes them for text with cfg.dict (dxdiff sets
         it): the C++ headers tar 101,033 -> 90,067 B (HDiffPatch 91,340)
         in the same time. Out of place only, as PREFIX. The vector
         bad_flag now uses 0x800 as the unknown required flag.
   0.8.0 (2026-11-27) PREFIX patches (a new required flag, 512; format 2.0
         readers without it refuse them as DX_ERR_UNSUPPORTED): cfg.prefix
         compresses each frame with a range of the base as zstd's prefix,
         named in the frame; dx_patch_diff_auto tries it at levels 8-9 and
         keeps the smaller. The C++ headers tar at level 9: 88,188 B (was
         100,725; HDiffPatch 91,340, zstd -19 --patch-from 92,048) in 4.9 s.
         Out of place only; check_only refuses them. The vector bad_flag
         now uses 0x400 as the unknown required flag.
   0.7.7 (2026-11-27) the program's mask of which candidates' sources equal
         each target byte is built 32 bytes at a time through local copies,
         which compilers vectorize at -O2 (the loop over pointers was a fifth
         of the program's time): the C++ headers tar's diff 2-3% faster by
         hand, every patch the same byte for byte.
   0.7.6 (2026-11-27) faster shift diffs at levels 4-9 (the default 6): exact
         matches of 1 KiB or more (anchors) are found first, by one pass of
         the target over a table of base strings (1 in 32, picked by hash), and
         go on across differing bytes as the scan's matches do; the base
         bytes inside them (whole 64-byte grains) are left out of the
         suffix array, which then sorts what is left (where that is 7/8 of
         the base or less, and there is no window: in place, a source in
         the window may be a repeat of left-out bytes), and the search
         measures its matches again in the base where they run into
         left-out bytes. Sizes within 0.2%
         (most a little smaller). By hand on this machine: the C++ headers
         tar sorts 1.4 MB of its 12.2, openblas pthread -> openmp 10.2 MB
         of 36.5; whole diffs 1.50 -> 0.96 s and 5.08 -> 3.0-4.1 s, peak
         memory 115 -> 55 MB and 360 -> 202 MB; libpython 0.95 s (159728
         B, was 160637), libcrypto 0.72 s (197353 B, was 197465).
   0.7.5 (2026-11-27) a short patch whose zstd stream would not be smaller
         than its raw frames (at most 16 KiB of them) keeps them raw: no
         STREAM flag, so it applies without a zstd context (the context's
         set-up took 31 us of a 35 us apply on this VM, where its CPUID
         traps; 20 KiB with 5 changed bytes at zstd 3: 126 -> 117 bytes,
         apply 35 -> 3.8 us). Longer patches are the same byte for byte.
         A faster suffix array, the same patches: the induced sorting
         names the LMS substrings by their lengths (found in one pass)
         and one compare of their symbols, with no type bits and no scan
         for the end, and reads ahead (prefetches) where its steps read at
         random: the names, the reduced string's ranks, the placing of the
         sorted LMS suffixes; the seen bits hash 16 strings ahead. By hand
         on this machine (the best of 3): the suffix array of openblas
         (36.5 MB) 2.7-3.1 -> 2.2-2.4 s; the whole diff of openblas
         pthread -> openmp 5.28 -> 4.74 s, the C++ headers tar 1.66 ->
         1.51, libpython 1.42 -> 1.00, libcrypto 0.79 -> 0.77.
   0.7.4 (2026-11-27) faster diffs of small and mid-sized files: a STREAM
         patch holds its first 2 MiB of raw frames back and, where the
         stream ends there, tells zstd its size, so that level 19 sizes
         its tables to it (with an unknown size it clears 80 MiB of them:
         about 0.25 s here, a quarter of a 7.7 MB program's diff);
         dx_patch_diff_auto skips the XOR blocks' try at the strong level
         where the fast level found nothing to compress (a .deb). Patches
         that ended within 2 MiB gain the zstd frame's content size (1 to 3
         bytes) and apply with a smaller window; longer ones are the same
         byte for byte. Format unchanged. libpython 3.11 u8 -> u9 (7.7 MB)
         1.27 -> 1.05 s, libpython's .deb 1.31 -> 0.63 s.
   0.7.3 (2026-11-26) faster diffs, the same patches byte for byte: at the
         default level dx_patch_diff_auto tries the hash matcher first and
         keeps its patch where it stays under 1/512 of the target (the
         suffix array cannot save more; an 8 MiB program with 5 insertions
         1.46 -> 0.09 s), else stops it there (libcrypto: after 0.016 s);
         the program's costs swap between two arrays instead of a copy a
         byte, it finds the cheapest state as it sets them and compares
         each candidate's source with the block in one pass; the induced
         sorting counts the symbols once and reads suffix types from the
         symbols (15-20% less time). libcrypto 3.0.20 -> 3.0.22
         0.97 -> 0.80 s, libpython 1.23 -> 1.07, the C++ headers tar 1.81
         -> 1.51, openblas 5.49 -> 4.71, cc1 11 -> 12 22.7 -> 21.4 s.
   0.7.2 (2026-11-26) DX_PATCH_NO_SHIFT leaves out the journal's code too (the
         resume from a journal, its reads, the replay): the firmware applier
         of tests/firmware is 6,114 bytes again, under its 6,144 goal (the
         journal of 0.4.0 had made it 6,466). No change with the shift mode.
   0.7.1 (2026-11-25) shift mode, smaller patches, no format change: after
         a match the scan goes on where it gets noisy (fewer than 11 of 16
         bytes agree), not where it ends, so another source can take that
         stretch (openblas pthread -> openmp 420.2 -> 393.8 KB, libcrypto
         3.0.20 -> 3.0.22 203.0 -> 197.5 KB, libpython 165.4 -> 160.6 KB,
         libLLVM 14 -> 15 20.23 -> 20.08 MB; two compiler pairs +0.1% and
         +0.2%); without zstd a new byte stored as it is costs what a
         difference costs (an 8 MiB binary with 5 insertions of random
         bytes: 536 -> 511 B); a target is text where it compresses 4:1 at
         zstd 1 or is printable where it is not NUL (a tar of C sources
         compresses 3.5:1: 2 days of this repository 183.0 -> 167.1 KB),
         and a new segment costs the same in text as in programs (the C++
         headers tar 103.4 -> 100.9 KB); the suffix array's induced sorting
         reads ahead (prefetch): about 1.3-2x faster on a 36 MB program.
   0.7.0 (2026-11-25) new dx_patch_apply_chain: a delta chain applied with
         two hashes of the data (its base's, its result's) instead of two
         for each patch, and in place where a patch has no COPY records
         (statekeeper's capture of a 200 MiB database against a chain 12
         deep spent more than half its time rebuilding the base, most of it
         hashing and copying the same segments again).
   0.6.1 (2026-11-25) the writer's zstd window for STREAM patches is at
                      most 8 MiB (new DX_PATCH_STREAM_WRITE_LOG, default
                      23; 16 MiB before): applying a large patch takes
                      about 8 MiB less memory (50 MB pairs, peak RSS:
                      17.7 -> 10.8 MiB out of place, 18.8 -> 11.8 MiB in
                      place) for patches 1.5-1.6% larger. An applier
                      still accepts windows up to 16 MiB
                      (DX_PATCH_STREAM_WINDOW_LOG): older patches apply as
                      before. Format unchanged. The implementation with
                      DX_PATCH_WITH_ZSTD compiles as C++ under g++ -Wextra
                      -Werror again (a conditional mixed an enumerator and
                      an unsigned).
   0.6.0 (2026-11-23) new dx_patch_diff_auto and DX_PATCH_MODE_*: the
                      smallest of XOR blocks, the shift mode and RAW
                      records, chosen by size (dxdiff's choice moves into
                      the library; a shift patch is taken where it is
                      smaller than tiny XOR blocks: 16 MiB of libraries
                      with 200 edits, 1953 -> 1779 bytes). A compressed
                      diff's frames default to 512 KiB + 64
                      (DX_PATCH_DEFAULT_ZSTD_FRAME; format unchanged): fewer
                      zstd flushes, 1-3% smaller and faster (shift mode,
                      zstd 19: libcrypto 206.7 -> 203.0 KB, bsdiff 204.1;
                      C++ headers tar 107.0 -> 103.6 KB; openblas 425.3 ->
                      419.2 KB; cc1 11 -> 12 9.58 -> 9.53 MB, 35 -> 27 s); an
                      applier built with zstd accepts them by default
                      (cfg.max_frame 0: DX_PATCH_DEFAULT_ZSTD_FRAME; its
                      memory_size 1.1 MiB). The header's largest frame
                      is the largest frame written (at least a block +
                      64), not the configured size, so a small patch suits
                      an applier with small limits. Levels 7-9 match 8
                      bytes only where the target is text (12 in programs):
                      level 9 is no longer larger than level 6 (openblas
                      pthread -> openmp: 446.5 -> 418.5 KB, level 6 420.2
                      KB; libcrypto 202.7 -> 202.6 KB). Patches of 0.5
                      apply as before.
   0.5.0 (2026-11-23) shift mode finds byte-granular matches at any offset:
                      a suffix array of the base (levels 4-9; built by
                      induced sorting) or a hash table of its 8-byte
                      strings (levels 1-3), matches extended across
                      isolated changed bytes; new flag LITERAL (format 2.0,
                      a required bit: older readers refuse such patches
                      with DX_ERR_UNSUPPORTED): sources past the base's
                      end, so new bytes are stored as they are; flag
                      STREAM (required): zstd frames continue one stream
                      (window up to 16 MiB), written whenever cfg.zstd_level
                      is set. New
                      dx_patch_config.level (0 = 6). Older 2.0 patches
                      apply as before. dx_patch_bound grows by 64 bytes.
                      Measured (shift mode, zstd 19; 0.4.0 -> 0.5.0):
                      libcrypto 3.0.20 -> 3.0.22 254.6 -> 206.6 KB (bsdiff
                      204.1, HDiffPatch 204.8); libstdc++ 11 -> 12 headers
                      (tar) 1283 -> 107.0 KB (HDiffPatch 91.4); cc1 11 ->
                      12 22.2 -> 9.58 MB (HDiffPatch 9.42, xdelta3 11.3).
   0.4.0 (2026-11-23) an in-place apply of a WINDOW patch resumes after an
                      interruption at any write: dx_patch_io.journal_write,
                      journal_read, sync and applier cfg.journal_step keep a
                      journal (WIRE FORMAT, JOURNAL; DX_PATCH_JOURNAL_OFF_*,
                      DX_PATCH_DEFAULT_JOURNAL_STEP); without them resume
                      stays DX_ERR_UNSUPPORTED. dx_patch_config.progress and
                      progress_user: a diff reports its progress.
   0.3.0 (2026-11-23) format 2.0: every hash and check is XXH64 (base and
                      target hashes: seed 0, as xxhsum prints them; checks:
                      DX_PATCH_CHECK_SEED); format 1 patches are refused
                      (DX_PATCH_ERR_OLD_FORMAT); the largest raw frame is
                      at most 1 MiB + 64 (cfg.frame_size above: INVAL); the
                      WIRE FORMAT section specifies every rule. Renames:
                      dx_patch_get_info -> dx_patch_read_info,
                      dx_patch_chain_init -> dx_patch_chain_create,
                      dx_patch_chain_deinit -> dx_patch_chain_destroy,
                      dx_patch_hash64(seed, data, len) ->
                      dx_patch_xxh64(data, len, seed) (another hash).
                      Named wire offsets DX_PATCH_HEADER_OFF_*,
                      DX_PATCH_FRAME_HEADER_OFF_*, DX_PATCH_REC_OFF_*; one
                      enum per group (flags, record types, limits, defaults);
                      DX_PATCH_REC_TYPES; new dx_patch_applier_deinit
                      (frees zstd's context of an applier from init);
                      DX_PATCH_NO_SHIFT and DX_PATCH_NO_COLUMNS; the
                      applier keeps one frame buffer without zstd.
   0.2.0 (2026-11-23) format 1.2: shift mode splits blocks between sources
                      (SPLIT records), carries the shift over unchanged
                      blocks and stores bytewise differences (c: 1304 -> 511
                      bytes; d: 430 -> 282 KiB); cfg.window: shift patches
                      in place; cfg.check_only and dx_patch_stats.
   0.1.0 (2026-11-22) first release: XOR diff, reversible patches, in-place,
                      resumable and streaming apply, zstd frames, chains,
                      shift-resilient COPY records, columnar zstd frames.
   There is no ABI promise between versions: vendor the header, link statically.
*/
#if defined(DX_IMPLEMENTATION) && !defined(DX_PATCH_IMPLEMENTATION)
#define DX_PATCH_IMPLEMENTATION
#endif
#ifndef DX_PATCH_H
#define DX_PATCH_H
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
#ifndef DX_PATCH_API /* DX_PATCH_API > DX_API > static (DX_STATIC / DX_PATCH_STATIC) > extern */
#if defined(DX_API)
#define DX_PATCH_API DX_API
#elif (defined(DX_STATIC) || defined(DX_PATCH_STATIC)) && (defined(__GNUC__) || defined(__clang__))
#define DX_PATCH_API static __attribute__((unused))
#elif defined(DX_STATIC) || defined(DX_PATCH_STATIC)
#define DX_PATCH_API static
#else
#define DX_PATCH_API extern
#endif
#endif

#define DX_PATCH_VERSION_MAJOR 0
#define DX_PATCH_VERSION_MINOR 13
#define DX_PATCH_VERSION_PATCH 3
#define DX_PATCH_VERSION DX_VERSION_PACK(0, 13, 3)

#ifndef DX_PATCH_STREAM_WINDOW_LOG /* STREAM patches: the largest zstd window an applier accepts, as a power
                                      of two: 24 = 16 MiB (what 0.5 and 0.6.0 wrote) */
#define DX_PATCH_STREAM_WINDOW_LOG 24
#endif
#ifndef DX_PATCH_STREAM_WRITE_LOG /* STREAM patches: the largest zstd window the writer uses, as a power of two
                                     (never above DX_PATCH_STREAM_WINDOW_LOG): 23 = 8 MiB, the memory an
                                     applier's decoder keeps, for a slightly larger patch */
#define DX_PATCH_STREAM_WRITE_LOG 23
#endif
#ifndef DX_PATCH_MAX_FRAME /* largest uncompressed frame an applier accepts, bytes */
#define DX_PATCH_MAX_FRAME ((1u << 20) + 64) /* the format's limit: the largest block + 64 */
#endif

#ifdef __cplusplus
extern "C" {
#endif

enum {
    DX_PATCH_ERR_MAGIC = -300,      /* not a dx patch */
    DX_PATCH_ERR_WRONG_BASE = -301, /* the data is neither the patch's base nor its target */
    DX_PATCH_ERR_RESULT = -302,     /* the result does not hash to the patch's target */
    DX_PATCH_ERR_OLD_FORMAT = -303  /* a format 1 patch (dx_patch.h 0.1 and 0.2): make it again */
};

/* The format version (WIRE FORMAT), separate from the library's. */
enum { DX_PATCH_FORMAT_MAJOR = 2, DX_PATCH_FORMAT_MINOR = 0 };

/* The format's limits. */
enum {
    DX_PATCH_BLOCK_MIN = 64,     /* block sizes are powers of two in [MIN, MAX] */
    DX_PATCH_BLOCK_MAX = 1 << 20,
    DX_PATCH_FRAME_SLACK = 64    /* the largest raw frame lies in [block + SLACK, BLOCK_MAX + SLACK] */
};

/* The defaults of a zero cfg.block_size, cfg.frame_size (diff) and cfg.journal_step (applier). A
   compressed (STREAM) patch's frames default to 512 KiB + 64: fewer zstd flushes, 1-3% smaller
   patches; an applier built with zstd accepts them by default (its cfg.max_frame). */
enum {
    DX_PATCH_DEFAULT_BLOCK = 4096,
    DX_PATCH_DEFAULT_FRAME = 65536,
    DX_PATCH_DEFAULT_ZSTD_FRAME = (1 << 19) + 64,
    DX_PATCH_DEFAULT_JOURNAL_STEP = 1 << 20,
    DX_PATCH_DEFAULT_PREFIX = 1 << 23, /* cfg.prefix that dx_patch_diff_auto tries at levels 8 and 9 (8 MiB) */
    DX_PATCH_DEFAULT_DICT = 1 << 22,   /* DICT: cfg.prefix (a frame's dictionary at most) where it is 0 (4 MiB) */
    DX_PATCH_DEFAULT_DICT_MARGIN = 128, /* DICT: cfg.dict_margin where it is 0 */
    DX_PATCH_PREFIX_MAX = 1 << 26      /* the largest cfg.prefix (64 MiB) */
};

/* The header (64 bytes): where each field lies (WIRE FORMAT). */
enum {
    DX_PATCH_HEADER_OFF_MAGIC = 0,       /* "DXPT" */
    DX_PATCH_HEADER_OFF_MAJOR = 4,       /* u16 */
    DX_PATCH_HEADER_OFF_MINOR = 6,       /* u16 */
    DX_PATCH_HEADER_OFF_FLAGS = 8,       /* u32, DX_PATCH_FLAG_* */
    DX_PATCH_HEADER_OFF_BLOCK_SIZE = 12, /* u32 */
    DX_PATCH_HEADER_OFF_BASE_LEN = 16,   /* u64 */
    DX_PATCH_HEADER_OFF_TARGET_LEN = 24, /* u64 */
    DX_PATCH_HEADER_OFF_BASE_HASH = 32,  /* u64 XXH64, seed 0 */
    DX_PATCH_HEADER_OFF_TARGET_HASH = 40, /* u64 XXH64, seed 0 */
    DX_PATCH_HEADER_OFF_FRAME_MAX = 48,  /* u32: the largest frame (raw; with STREAM, stored too) */
    DX_PATCH_HEADER_OFF_FRAME_COUNT = 52, /* u32 */
    DX_PATCH_HEADER_OFF_WINDOW = 56,     /* u32 */
    DX_PATCH_HEADER_OFF_CHECK = 60,      /* u32: low half of XXH64(bytes 0-59, DX_PATCH_CHECK_SEED) */
    DX_PATCH_HEADER_SIZE = 64
};

/* A frame's own header (12 bytes), before its stored bytes. */
enum {
    DX_PATCH_FRAME_HEADER_OFF_RAW_LEN = 0,    /* u32 */
    DX_PATCH_FRAME_HEADER_OFF_STORED_LEN = 4, /* u32 */
    DX_PATCH_FRAME_HEADER_OFF_CHECK = 8,      /* u32: low half of XXH64(raw bytes, DX_PATCH_CHECK_SEED) */
    DX_PATCH_FRAME_HEADER_SIZE = 12
};

/* PREFIX: a compressed frame's stored bytes begin with the base range its
   zstd frame sees as its prefix (12 bytes), then that zstd frame. */
enum {
    DX_PATCH_PREFIX_OFF_BASE = 0, /* u64: where the range starts in the base */
    DX_PATCH_PREFIX_OFF_LEN = 8,  /* u32: its length, 1 .. the header's window */
    DX_PATCH_PREFIX_SIZE = 12
};

/* A journal slot's header (96 bytes; WIRE FORMAT, JOURNAL). Two slots, each of
   DX_PATCH_JOURNAL_HEADER_SIZE + ring + step bytes, lie back to back. */
enum {
    DX_PATCH_JOURNAL_OFF_MAGIC = 0,       /* "DXPJ" */
    DX_PATCH_JOURNAL_OFF_VERSION = 4,     /* u16 = 1 */
    DX_PATCH_JOURNAL_OFF_ZERO = 6,        /* u16 = 0 */
    DX_PATCH_JOURNAL_OFF_PATCH_ID = 8,    /* u64: XXH64(the patch's 64 header bytes, DX_PATCH_CHECK_SEED) */
    DX_PATCH_JOURNAL_OFF_SEQ = 16,        /* u64 >= 1: the newer valid slot wins */
    DX_PATCH_JOURNAL_OFF_POS = 24,        /* u64: the data before it is the result; a multiple of the block */
    DX_PATCH_JOURNAL_OFF_PREFIX_HASH = 32, /* u64: XXH64, seed 0, of the result's first POS bytes */
    DX_PATCH_JOURNAL_OFF_DATA_LEN = 40,   /* u64: max(base length, target length) */
    DX_PATCH_JOURNAL_OFF_RING = 48,       /* u32: ring bytes that follow the header */
    DX_PATCH_JOURNAL_OFF_STEP = 52,       /* u32: old bytes that follow the ring */
    DX_PATCH_JOURNAL_OFF_BASE_STATE = 56, /* 4 x u64: XXH64's accumulators after the base's first POS bytes */
    DX_PATCH_JOURNAL_OFF_RESERVED = 88,   /* u32 = 0 */
    DX_PATCH_JOURNAL_OFF_CHECK = 92,      /* u32: low half of XXH64(bytes 0-91, ring, old bytes; CHECK_SEED) */
    DX_PATCH_JOURNAL_HEADER_SIZE = 96,
    DX_PATCH_JOURNAL_VERSION = 1
};

/* A record (interleaved form): its type byte, then the varint block gap;
   the fields after them follow the record grammar in WIRE FORMAT. */
enum { DX_PATCH_REC_OFF_TYPE = 0, DX_PATCH_REC_OFF_GAP = 1 };

/* The seed of the header's and the frames' checks ("patch" as a number);
   the base and target hashes use seed 0. */
#define DX_PATCH_CHECK_SEED 0x7061746368ull

/* Header flags: bits 0-15 are required (a reader refuses a patch with a
   required bit it does not know), bits 16-31 optional. */
enum {
    DX_PATCH_FLAG_ZSTD = 1,     /* frames may be zstd-compressed */
    DX_PATCH_FLAG_WITNESS = 2,  /* XOR records carry a resume witness byte */
    DX_PATCH_FLAG_ONE_WAY = 4,  /* ZERO/RAW records: no roll back */
    DX_PATCH_FLAG_COPY = 8,     /* COPY records (shift-resilient); requires ONE_WAY */
    DX_PATCH_FLAG_COLUMNS = 16, /* frames store their records as columns (zstd compresses them better) */
    DX_PATCH_FLAG_CARRY = 32,   /* requires COPY: SPLIT records, bytewise differences, and blocks without a
                                   record copy the base at the last shift */
    DX_PATCH_FLAG_WINDOW = 64,  /* requires CARRY: sources at most a window behind, so the patch applies in place */
    DX_PATCH_FLAG_LITERAL = 128, /* requires CARRY: sources may lie past the base's end (zeros), so runs there
                                   store new bytes as they are */
    DX_PATCH_FLAG_STREAM = 256, /* requires ZSTD: every frame's stored bytes continue one zstd stream, so the
                                   compressor sees up to its window (DX_PATCH_STREAM_WRITE_LOG) of earlier frames */
    DX_PATCH_FLAG_PREFIX = 512, /* requires ZSTD and COPY, not STREAM, not WINDOW but with DICT: each compressed frame
                                   names a range of the base that its zstd frame sees as its prefix (out of place) */
    DX_PATCH_FLAG_DICT = 1024,  /* requires PREFIX and COLUMNS: a compressed frame's bytes column is compressed on its
                                   own, with the base bytes its new bytes replaced as zstd's prefix (in place: WINDOW) */
    DX_PATCH_FLAG_X86 = 2048,   /* requires CARRY: the runs of a segment whose source lies in the base skip over
                                   marks (the bytes after x86 opcodes that take an address), not bytes (x86 code) */
    DX_PATCH_FLAG_NEWBYTES = 4096, /* requires COLUMNS: a frame's bytes column holds the differences first, then the
                                   new bytes (RAW records', and runs from past the base), which compress apart better */
    DX_PATCH_FLAG_ANCHORS = 8192 /* requires CARRY: a delta counts from the last shift into the base or the last one
                                   past it, as a bit of it says: a switch to new bytes and back costs a byte or two */
};

/* Record types: the first byte of every record. */
enum {
    DX_PATCH_REC_XOR = 1,   /* runs XORed into the block's own bytes */
    DX_PATCH_REC_ZERO = 2,  /* the block becomes zeros (ONE_WAY) */
    DX_PATCH_REC_RAW = 3,   /* the block's new bytes (ONE_WAY) */
    DX_PATCH_REC_COPY = 4,  /* the block from a source elsewhere in the base (COPY) */
    DX_PATCH_REC_SPLIT = 5, /* the block from several sources (CARRY) */
    DX_PATCH_REC_TYPES = 6  /* one more than the largest type: the size of dx_patch_stats.records */
};

typedef struct dx_patch_config {
    uint32_t block_size;   /* power of two, 64..1 MiB; 0 = 4096 */
    uint32_t frame_size;   /* raw bytes per frame, at most 1 MiB + 64 (raised to a block + 64); 0 = 64 KiB,
                              with zstd_level DX_PATCH_DEFAULT_ZSTD_FRAME */
    int zstd_level;        /* 0 = no compression (or no zstd); needs DX_PATCH_WITH_ZSTD */
    bool no_witness;       /* drop the resume witnesses (1 byte per changed block): no in-place resume */
    bool one_way;          /* allow ZERO/RAW records: smaller, but no roll back */
    bool shift;            /* find moved data (COPY records): for insertions and deletions */
    uint32_t window;       /* shift: no source more than this many bytes behind its target (a power of two),
                              so the patch applies in place with that much memory; 0 = out of place only */
    int level;             /* shift: 1..9, diff time and memory against size (CONFIGURATION); 0 = 6 */
    uint32_t prefix;       /* shift with zstd, no window (dict: any): each compressed frame may see up to this many bytes
                              of the base (around its sources) as zstd's prefix (PREFIX): text 5-15% smaller,
                              several times the diff time; applies out of place with that much memory. 0 = off */
    bool dict;             /* with prefix: instead of one range, each frame's new bytes see the base bytes they
                              replaced (DICT), dict_margin bytes more on each side, at most prefix bytes in all:
                              text 5-10% smaller at little cost (margin 0); with window applies in place too */
    uint32_t dict_margin;  /* DICT: base bytes taken on each side of a replaced stretch (more: smaller, slower);
                              0 = DX_PATCH_DEFAULT_DICT_MARGIN (128) */
    int x86;               /* shift: the runs of moved code skip over marks, the bytes after x86 opcodes that take
                              an address (X86): 10-20% smaller patches of x86 programs. 0 = where the target is an
                              x86 ELF, PE or Mach-O file; 1 = always; -1 = never */
    dx_allocator allocator; /* scratch for compression and the shift index */
    /* optional: called now and then while the diff runs (done of total bytes, done < total), and once at the end
       with done == total; for a progress display. NULL: not called */
    void (*progress)(void *user, uint64_t done, uint64_t total);
    void *progress_user;
    /* optional, with zstd: a second thread for compression. thread_start runs job(arg) on another thread and
       returns a handle for thread_join (which waits for it), or NULL where it cannot (the diff then runs job
       itself). A frame is compressed there while the next one is found: the same patch byte for byte, in
       less time on two cores. NULL: one thread */
    void *(*thread_start)(void *user, void (*job)(void *arg), void *arg);
    void (*thread_join)(void *user, void *handle);
    void *thread_user;
} dx_patch_config;

/* What dx_patch_diff_auto chose. */
enum {
    DX_PATCH_MODE_XOR = 1,   /* XOR blocks: reversible, data in place */
    DX_PATCH_MODE_SHIFT = 2, /* cfg.shift: moved data */
    DX_PATCH_MODE_RAW = 3    /* the target's bytes in RAW records (little in common): the upper bound */
};

typedef struct dx_patch_info {
    uint32_t flags, block_size, frame_max, frame_count;
    uint32_t window;          /* WINDOW patches: how far behind its target a source may lie; PREFIX patches:
                                 the longest base range a frame may name (a power of two) */
    uint64_t base_len, target_len, base_hash, target_hash;
} dx_patch_info;

/* Streaming applier: patch bytes in pieces, data through callbacks. */
typedef struct dx_patch_io {
    /* read len bytes at off of the data being patched (the base, or in place the target) */
    dx_result (*read)(void *user, uint64_t off, void *buf, size_t len);
    /* write len bytes at off of the result (in place: the same data) */
    dx_result (*write)(void *user, uint64_t off, const void *buf, size_t len);
    void *user;
    /* In place, WINDOW patches only, all three or none: the journal (WIRE FORMAT, JOURNAL) that makes an
       interrupted apply resumable. journal_write/journal_read: bytes at off of a file (or flash area) of at
       most 2 x (96 + ring + journal step) bytes, empty or left over from an interrupted apply of this data;
       sync: make the writes so far durable (journal false: the data's, true: the journal's), as fsync does.
       None: an interrupted in-place apply of a WINDOW patch cannot be resumed. */
    dx_result (*journal_write)(void *user, uint64_t off, const void *buf, size_t len);
    dx_result (*journal_read)(void *user, uint64_t off, void *buf, size_t len);
    dx_result (*sync)(void *user, bool journal);
} dx_patch_io;

/* What an applier has decoded so far (dxdiff info prints it). */
typedef struct dx_patch_stats {
    uint64_t records[DX_PATCH_REC_TYPES]; /* by type: [DX_PATCH_REC_XOR] .. [DX_PATCH_REC_SPLIT]; [0] unused */
    uint64_t segments;        /* sources of SPLIT records */
    uint64_t runs, xor_bytes; /* XOR runs (XOR, COPY, SPLIT records) and their bytes */
    uint64_t raw_bytes;       /* bytes of RAW records */
    uint32_t frames_compressed;
} dx_patch_stats;

/* (internal) The shift (WIRE FORMAT) and the anchors: the last shift whose
   source lay in the base (base, 0 before any: DICT's anchor too) and the
   last one whose source lay past it (lit, the base length before any).
   Without ANCHORS a delta counts from the shift; with, from the anchor its
   low bit names. */
typedef struct dxi_pt_shifts {
    int64_t shift, base, lit;
} dxi_pt_shifts;

typedef struct dx_patch_applier {
    dx_patch_io io;
    uint64_t data_len;        /* length of the data being patched */
    bool in_place, resume, reverse, dry_run, header_done, base_checked;
    bool no_data;             /* cfg.check_only: io is never called */
    dx_patch_info info;
    uint8_t header[DX_PATCH_HEADER_SIZE];
    uint8_t fhead[DX_PATCH_FRAME_HEADER_SIZE];
    size_t have;              /* bytes of the header or frame being collected */
    uint32_t frames_done;
    uint64_t next_block;      /* records must name increasing blocks */
    dxi_pt_shifts sh;         /* COPY records: source offset minus block offset, last seen; the anchors */
    dxi_pt_shifts dict_sh;    /* DICT: the dictionary walk's shift and anchors, */
    uint64_t dict_next;       /* and next block, after the frames so far */
    uint64_t blocks_applied, blocks_skipped;
    dx_patch_stats stats;
    uint8_t *frame, *stored, *block, *block2; /* memory: see dx_patch_applier_memory_size */
    uint8_t *ring;            /* in place, WINDOW patches: the base bytes just overwritten */
    size_t ring_cap;
    uint64_t ring_mask;       /* ring size - 1, once the header is in */
    uint8_t *jbuf;            /* with a journal: a block for copying old bytes into it */
    uint64_t jstep;           /* bytes of data a journal slot covers ahead of its position (0: no journal) */
    uint64_t jseq, jend;      /* the last slot written: its sequence number, position + jstep */
    uint64_t jlo, jhi, jbody; /* after a resume: old bytes [jlo, jhi) are read from the journal at jbody */
    uint64_t replay_end;      /* after a resume: blocks below this offset are done (records only checked) */
    void *zstd;               /* ZSTD_DCtx when built with zstd */
    dx_allocator allocator;
    void *memory;
    size_t memory_size;
    bool owns_memory;
    dx_result error;          /* sticky */
} dx_patch_applier;

typedef struct dx_patch_applier_config {
    dx_patch_io io;
    uint64_t data_len;        /* current length of the data */
    bool in_place;            /* read and write the same data */
    bool resume;              /* in place: continue an interrupted apply (needs witnesses) */
    uint32_t max_block;       /* largest block size accepted; 0 = 64 KiB */
    uint32_t max_frame;       /* largest frame accepted; 0 = DX_PATCH_DEFAULT_FRAME (with zstd:
                                 DX_PATCH_DEFAULT_ZSTD_FRAME) */
    bool check_only;          /* decode and check the patch without its data: io is not used */
    uint32_t max_window;      /* in place, WINDOW patches: the ring (a power of two, bytes): at least the patch's
                                 window (or the data's size) and its block size, twice that for a DICT patch
                                 (else DX_ERR_LIMIT before any write); 0 = none */
    uint32_t journal_step;    /* with io.journal_*: bytes of data between two checkpoints (rounded up to a
                                 multiple of the block size); 0 = 1 MiB (DX_PATCH_DEFAULT_JOURNAL_STEP) */
    dx_allocator allocator;
} dx_patch_applier_config;

typedef struct dx_patch_chain_config {
    dx_patch_config patch;    /* the diff's settings; patch.allocator also holds the chain's baseline */
    uint32_t max_versions;    /* versions per baseline before a refresh; 0 = 50 */
    uint32_t max_delta_pct;   /* refresh when the deltas since the baseline exceed this % of it; 0 = 100 */
} dx_patch_chain_config;

typedef struct dx_patch_chain_stats {
    uint64_t versions, bytes_in, bytes_out, refreshes;
} dx_patch_chain_stats;

typedef struct dx_patch_chain {
    dx_patch_chain_config cfg;
    uint8_t *baseline;
    size_t baseline_len, baseline_cap;
    uint32_t versions_since_refresh;
    uint64_t delta_bytes_since_refresh;
    dx_patch_chain_stats stats;
} dx_patch_chain;

DX_PATCH_API uint64_t dx_patch_xxh64(const void *data, size_t len, uint64_t seed);
DX_PATCH_API size_t dx_patch_bound(uint64_t base_len, uint64_t target_len, const dx_patch_config *cfg);
DX_PATCH_API int64_t dx_patch_diff(const dx_patch_config *cfg, const uint8_t *base, size_t base_len,
                                   const uint8_t *target, size_t target_len, uint8_t *out, size_t cap);
DX_PATCH_API int64_t dx_patch_diff_auto(const dx_patch_config *cfg, const uint8_t *base, size_t base_len,
                                        const uint8_t *target, size_t target_len, uint8_t *out, size_t cap,
                                        unsigned *out_mode);
DX_PATCH_API dx_result dx_patch_read_info(const uint8_t *patch, size_t len, dx_patch_info *out);
DX_PATCH_API int64_t dx_patch_apply(const uint8_t *patch, size_t patch_len, const uint8_t *base, size_t base_len,
                                    uint8_t *out, size_t cap);
DX_PATCH_API int64_t dx_patch_apply_in_place(const uint8_t *patch, size_t patch_len, uint8_t *data, size_t len,
                                             size_t cap, bool resume);
DX_PATCH_API int64_t dx_patch_apply_chain(const uint8_t *const *patches, const size_t *lens, size_t n,
                                          const uint8_t *base, size_t base_len, uint8_t *out, uint8_t *spare, size_t cap);

DX_PATCH_API size_t dx_patch_applier_memory_size(const dx_patch_applier_config *cfg);
DX_PATCH_API dx_result dx_patch_applier_init(dx_patch_applier *a, const dx_patch_applier_config *cfg, void *mem,
                                             size_t mem_size);
DX_PATCH_API dx_result dx_patch_applier_create(dx_patch_applier *a, const dx_patch_applier_config *cfg);
DX_PATCH_API void dx_patch_applier_deinit(dx_patch_applier *a);
DX_PATCH_API void dx_patch_applier_destroy(dx_patch_applier *a);
DX_PATCH_API dx_result dx_patch_applier_feed(dx_patch_applier *a, const uint8_t *data, size_t len);
DX_PATCH_API int64_t dx_patch_applier_finish(dx_patch_applier *a);

DX_PATCH_API dx_result dx_patch_chain_create(dx_patch_chain *c, const dx_patch_chain_config *cfg);
DX_PATCH_API void dx_patch_chain_destroy(dx_patch_chain *c);
DX_PATCH_API int64_t dx_patch_chain_push(dx_patch_chain *c, const uint8_t *version, size_t len, uint8_t *out,
                                         size_t cap, bool *out_refreshed);
DX_PATCH_API const char *dx_patch_result_name(dx_result r);

#ifdef __cplusplus
}
#endif
#endif /* DX_PATCH_H */

/* ===== STOP HERE if you only need the API. Below is the implementation. ===== */

#if defined(DX_PATCH_IMPLEMENTATION) && !defined(DX_PATCH_IMPLEMENTATION_DONE)
#define DX_PATCH_IMPLEMENTATION_DONE

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
#if defined(DX_PATCH_WITH_ZSTD)
#include <zstd.h>
#include <zstd_errors.h>
#endif
/* Parts a firmware may leave out: with 0 the code is still compiled, and dropped as dead. */
#if defined(DX_PATCH_NO_SHIFT)
#define DXI_PT_SHIFT 0 /* shift patches (COPY flag) are refused */
#else
#define DXI_PT_SHIFT 1
#endif
#if defined(DX_PATCH_NO_COLUMNS)
#define DXI_PT_COLUMNS 0 /* COLUMNS patches are refused, and not written */
#else
#define DXI_PT_COLUMNS 1
#endif

/* ---- XXH64 (xxHash's 64-bit hash, written from its public specification) ---- */

#define DXI_PT_P1 0x9e3779b185ebca87ull
#define DXI_PT_P2 0xc2b2ae3d27d4eb4full
#define DXI_PT_P3 0x165667b19e3779f9ull
#define DXI_PT_P4 0x85ebca77c2b2ae63ull
#define DXI_PT_P5 0x27d4eb2f165667c5ull

/* A running XXH64: four lanes over 32-byte stripes, the tail buffered. */
typedef struct dxi_pt_hasher {
    uint64_t lane[4], total, seed;
    uint8_t buf[32];
    size_t buffered;
} dxi_pt_hasher;

DXI_PRIVATE uint64_t dxi_pt_rotl(uint64_t x, unsigned r) { return (x << r) | (x >> (64u - r)); }
DXI_PRIVATE uint64_t dxi_pt_round(uint64_t acc, uint64_t lane) { return dxi_pt_rotl(acc + lane * DXI_PT_P2, 31) * DXI_PT_P1; }

DXI_PRIVATE void dxi_pt_hash_init(dxi_pt_hasher *h, uint64_t seed) {
    DX_MEMSET(h, 0, sizeof *h);
    h->seed = seed;
    h->lane[0] = seed + DXI_PT_P1 + DXI_PT_P2;
    h->lane[1] = seed + DXI_PT_P2;
    h->lane[2] = seed;
    h->lane[3] = seed - DXI_PT_P1;
}

/* n is a multiple of 32. Built for size (-Os: firmware), the four lanes
   are a loop (216 bytes less on a Cortex-M4); else unrolled, in registers
   (gcc keeps a loop rolled, 2x slower). */
DXI_PRIVATE void dxi_pt_stripes(dxi_pt_hasher *h, const uint8_t *p, size_t n) {
#if defined(__OPTIMIZE_SIZE__)
    size_t i;
    for (i = 0; i < n; i += 8) h->lane[(i >> 3) & 3] = dxi_pt_round(h->lane[(i >> 3) & 3], dx_load_u64le(p + i));
#else
    uint64_t a = h->lane[0], b = h->lane[1], c = h->lane[2], d = h->lane[3];
    for (; n >= 32; p += 32, n -= 32) {
        a = dxi_pt_round(a, dx_load_u64le(p));
        b = dxi_pt_round(b, dx_load_u64le(p + 8));
        c = dxi_pt_round(c, dx_load_u64le(p + 16));
        d = dxi_pt_round(d, dx_load_u64le(p + 24));
    }
    h->lane[0] = a, h->lane[1] = b, h->lane[2] = c, h->lane[3] = d;
#endif
}

DXI_PRIVATE void dxi_pt_hash_update(dxi_pt_hasher *h, const void *data, size_t len) {
    const uint8_t *p = (const uint8_t *)data;
    if (len == 0) return; /* data may be NULL: no memcpy or pointer arithmetic on it */
    h->total += len;
    if (h->buffered) {
        size_t take = 32 - h->buffered < len ? 32 - h->buffered : len;
        DX_MEMCPY(h->buf + h->buffered, p, take);
        h->buffered += take, p += take, len -= take;
        if (h->buffered < 32) return;
        dxi_pt_stripes(h, h->buf, 32);
        h->buffered = 0;
    }
    dxi_pt_stripes(h, p, len & ~(size_t)31);
    p += len & ~(size_t)31;
    len &= 31;
    if (len) DX_MEMCPY(h->buf, p, len);
    h->buffered = len;
}

DXI_PRIVATE uint64_t dxi_pt_hash_final(const dxi_pt_hasher *h) {
    uint64_t x;
    size_t i = 0;
    if (h->total >= 32) { /* the lanes, converged, then each merged in */
        int k;
        x = dxi_pt_rotl(h->lane[0], 1) + dxi_pt_rotl(h->lane[1], 7) + dxi_pt_rotl(h->lane[2], 12) +
            dxi_pt_rotl(h->lane[3], 18);
        for (k = 0; k < 4; k++) x = (x ^ dxi_pt_round(0, h->lane[k])) * DXI_PT_P1 + DXI_PT_P4;
    } else {
        x = h->seed + DXI_PT_P5;
    }
    x += h->total;
    for (; i + 8 <= h->buffered; i += 8) x = dxi_pt_rotl(x ^ dxi_pt_round(0, dx_load_u64le(h->buf + i)), 27) * DXI_PT_P1 + DXI_PT_P4;
    if (i + 4 <= h->buffered) x = dxi_pt_rotl(x ^ (dx_load_u32le(h->buf + i) * DXI_PT_P1), 23) * DXI_PT_P2 + DXI_PT_P3, i += 4;
    for (; i < h->buffered; i++) x = dxi_pt_rotl(x ^ (h->buf[i] * DXI_PT_P5), 11) * DXI_PT_P1;
    x ^= x >> 33;
    x *= DXI_PT_P2;
    x ^= x >> 29;
    x *= DXI_PT_P3;
    return x ^ (x >> 32);
}

DX_PATCH_API uint64_t dx_patch_xxh64(const void *data, size_t len, uint64_t seed) {
    dxi_pt_hasher h;
    dxi_pt_hash_init(&h, seed);
    dxi_pt_hash_update(&h, data, len);
    return dxi_pt_hash_final(&h);
}

/* ---- varints (LEB128) ---- */

/* Writes v to p (unless p is NULL); returns its size. */
DXI_PRIVATE size_t dxi_pt_put_varint(uint8_t *p, uint64_t v) {
    size_t n = 0;
    for (; v >= 0x80; v >>= 7, n++)
        if (p) p[n] = (uint8_t)(v | 0x80);
    if (p) p[n] = (uint8_t)v;
    return n + 1;
}

DXI_PRIVATE uint64_t dxi_pt_zigzag(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }

/* Reads a varint from [*p, end); false if it runs past end or past 64 bits. */
DXI_PRIVATE bool dxi_pt_read_varint(const uint8_t **p, const uint8_t *end, uint64_t *out) {
    uint64_t v = 0;
    unsigned shift = 0;
    while (*p < end && shift < 64) {
        uint8_t b = *(*p)++;
        if (shift == 63 && b > 1) return false;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return true;
        }
        shift += 7;
    }
    return false;
}

DXI_PRIVATE bool dxi_pt_pow2(uint64_t v) { return v && !(v & (v - 1)); }

/* Blocks of size bs (a power of two) in len bytes, without a 64-bit
   division: Cortex-M has none and dx imports nothing from libgcc. */
DXI_PRIVATE uint64_t dxi_pt_blocks(uint64_t len, uint64_t bs) {
    unsigned shift = 0;
    while (((uint64_t)1 << shift) < bs) shift++;
    return (len >> shift) + ((len & (bs - 1)) != 0);
}
DXI_PRIVATE uint64_t dxi_pt_min(uint64_t a, uint64_t b) { return a < b ? a : b; }
DXI_PRIVATE uint64_t dxi_pt_max(uint64_t a, uint64_t b) { return a > b ? a : b; }
DXI_PRIVATE size_t dxi_pt_min_size(size_t a, size_t b) { return a < b ? a : b; } /* no 64-bit on 32-bit hosts */

DXI_PRIVATE void *dxi_pt_alloc(const dx_allocator *a, size_t size) {
    if (a->alloc) return a->alloc(size, a->user);
#if defined(DX_NO_MALLOC)
    (void)size;
    return NULL;
#else
    return DX_MALLOC(size, a->user);
#endif
}

DXI_PRIVATE void dxi_pt_free(const dx_allocator *a, void *ptr, size_t size) {
    if (!ptr) return;
    if (a->free) a->free(ptr, size, a->user);
#if !defined(DX_NO_MALLOC)
    else DX_FREE(ptr, size, a->user);
#else
    (void)size;
#endif
}

/* The header's and the frames' check: the low half of XXH64 with the check seed. */
DXI_PRIVATE uint32_t dxi_pt_check32(const uint8_t *p, size_t n) { return (uint32_t)dx_patch_xxh64(p, n, DX_PATCH_CHECK_SEED); }

/* ---- header ---- */

/* The flags this build reads (DX_PATCH_NO_SHIFT, DX_PATCH_NO_COLUMNS leave some out). */
#define DXI_PT_FLAGS_KNOWN                                                                                         \
    (DX_PATCH_FLAG_ZSTD | DX_PATCH_FLAG_WITNESS | DX_PATCH_FLAG_ONE_WAY | DX_PATCH_FLAG_STREAM |                   \
     (DXI_PT_SHIFT ? DX_PATCH_FLAG_COPY | DX_PATCH_FLAG_CARRY | DX_PATCH_FLAG_WINDOW | DX_PATCH_FLAG_LITERAL |     \
                         DX_PATCH_FLAG_PREFIX | DX_PATCH_FLAG_X86 | DX_PATCH_FLAG_ANCHORS |                     \
                         (DXI_PT_COLUMNS ? DX_PATCH_FLAG_DICT : 0)                                              \
                   : 0) |                                                                                        \
     (DXI_PT_COLUMNS ? DX_PATCH_FLAG_COLUMNS | DX_PATCH_FLAG_NEWBYTES : 0))

DXI_PRIVATE dx_result dxi_pt_parse_header(const uint8_t *h, dx_patch_info *out) {
    uint32_t f;
    uint16_t major = dx_load_u16le(h + DX_PATCH_HEADER_OFF_MAJOR);
    if (DX_MEMCMP(h + DX_PATCH_HEADER_OFF_MAGIC, "DXPT", 4) != 0) return DX_PATCH_ERR_MAGIC;
    if (major == 1) return DX_PATCH_ERR_OLD_FORMAT; /* its checks use another hash: nothing more can be read */
    if (major != DX_PATCH_FORMAT_MAJOR) return DX_ERR_UNSUPPORTED;
    if (dx_load_u32le(h + DX_PATCH_HEADER_OFF_CHECK) != dxi_pt_check32(h, DX_PATCH_HEADER_OFF_CHECK)) return DX_ERR_CHECKSUM;
    out->flags = f = dx_load_u32le(h + DX_PATCH_HEADER_OFF_FLAGS);
    out->block_size = dx_load_u32le(h + DX_PATCH_HEADER_OFF_BLOCK_SIZE);
    out->base_len = dx_load_u64le(h + DX_PATCH_HEADER_OFF_BASE_LEN);
    out->target_len = dx_load_u64le(h + DX_PATCH_HEADER_OFF_TARGET_LEN);
    out->base_hash = dx_load_u64le(h + DX_PATCH_HEADER_OFF_BASE_HASH);
    out->target_hash = dx_load_u64le(h + DX_PATCH_HEADER_OFF_TARGET_HASH);
    out->frame_max = dx_load_u32le(h + DX_PATCH_HEADER_OFF_FRAME_MAX);
    out->frame_count = dx_load_u32le(h + DX_PATCH_HEADER_OFF_FRAME_COUNT);
    out->window = dx_load_u32le(h + DX_PATCH_HEADER_OFF_WINDOW);
    if (f & 0xffffu & ~(uint32_t)DXI_PT_FLAGS_KNOWN) return DX_ERR_UNSUPPORTED; /* a required flag this reader lacks */
    f &= (uint32_t)DXI_PT_FLAGS_KNOWN; /* the rules below: only of flags this build knows (a firmware's, few) */
    if (!dxi_pt_pow2(out->block_size) || out->block_size < DX_PATCH_BLOCK_MIN || out->block_size > DX_PATCH_BLOCK_MAX ||
        out->frame_max < out->block_size + DX_PATCH_FRAME_SLACK ||
        out->frame_max > (uint32_t)DX_PATCH_BLOCK_MAX + DX_PATCH_FRAME_SLACK ||
        (out->window != 0) != ((f & (DX_PATCH_FLAG_WINDOW | DX_PATCH_FLAG_PREFIX)) != 0) ||
        (out->window && !dxi_pt_pow2(out->window)))
        return DX_ERR_CORRUPT;
    if (((f & DX_PATCH_FLAG_COPY) && !(f & DX_PATCH_FLAG_ONE_WAY)) || ((f & DX_PATCH_FLAG_CARRY) && !(f & DX_PATCH_FLAG_COPY)) ||
        ((f & DX_PATCH_FLAG_WINDOW) && !(f & DX_PATCH_FLAG_CARRY)) || ((f & DX_PATCH_FLAG_LITERAL) && !(f & DX_PATCH_FLAG_CARRY)) ||
        ((f & DX_PATCH_FLAG_X86) && !(f & DX_PATCH_FLAG_CARRY)) || ((f & DX_PATCH_FLAG_ANCHORS) && !(f & DX_PATCH_FLAG_CARRY)) ||
        ((f & DX_PATCH_FLAG_STREAM) && !(f & DX_PATCH_FLAG_ZSTD)) ||
        ((f & DX_PATCH_FLAG_PREFIX) && (!(f & DX_PATCH_FLAG_ZSTD) || !(f & DX_PATCH_FLAG_COPY) || (f & DX_PATCH_FLAG_STREAM) ||
                                        ((f & DX_PATCH_FLAG_WINDOW) && !(f & DX_PATCH_FLAG_DICT)) ||
                                        /* no prefix is longer than the base (WINDOW: the window bounds sources too) */
                                        (!(f & DX_PATCH_FLAG_WINDOW) && out->window / 2 >= out->base_len))) ||
        ((f & DX_PATCH_FLAG_DICT) && (!(f & DX_PATCH_FLAG_PREFIX) || !(f & DX_PATCH_FLAG_COLUMNS))) ||
        ((f & DX_PATCH_FLAG_NEWBYTES) && !(f & DX_PATCH_FLAG_COLUMNS)))
        return DX_ERR_CORRUPT;
    return DX_OK;
}

DXI_PRIVATE void dxi_pt_write_header(uint8_t *h, const dx_patch_info *in) {
    DX_MEMCPY(h + DX_PATCH_HEADER_OFF_MAGIC, "DXPT", 4);
    dx_store_u16le(h + DX_PATCH_HEADER_OFF_MAJOR, DX_PATCH_FORMAT_MAJOR);
    dx_store_u16le(h + DX_PATCH_HEADER_OFF_MINOR, DX_PATCH_FORMAT_MINOR);
    dx_store_u32le(h + DX_PATCH_HEADER_OFF_FLAGS, in->flags);
    dx_store_u32le(h + DX_PATCH_HEADER_OFF_BLOCK_SIZE, in->block_size);
    dx_store_u64le(h + DX_PATCH_HEADER_OFF_BASE_LEN, in->base_len);
    dx_store_u64le(h + DX_PATCH_HEADER_OFF_TARGET_LEN, in->target_len);
    dx_store_u64le(h + DX_PATCH_HEADER_OFF_BASE_HASH, in->base_hash);
    dx_store_u64le(h + DX_PATCH_HEADER_OFF_TARGET_HASH, in->target_hash);
    dx_store_u32le(h + DX_PATCH_HEADER_OFF_FRAME_MAX, in->frame_max);
    dx_store_u32le(h + DX_PATCH_HEADER_OFF_FRAME_COUNT, in->frame_count);
    dx_store_u32le(h + DX_PATCH_HEADER_OFF_WINDOW, in->window);
    dx_store_u32le(h + DX_PATCH_HEADER_OFF_CHECK, dxi_pt_check32(h, DX_PATCH_HEADER_OFF_CHECK));
}

DX_PATCH_API dx_result dx_patch_read_info(const uint8_t *patch, size_t len, dx_patch_info *out) {
    if (!patch || !out) return DX_ERR_INVAL;
    if (len >= 4 && DX_MEMCMP(patch, "DXPT", 4) != 0) return DX_PATCH_ERR_MAGIC;
    if (len < DX_PATCH_HEADER_SIZE) return DX_ERR_TRUNCATED;
    return dxi_pt_parse_header(patch, out);
}

/* ---- the record grammar: one description that the writer, the column
   re-encoder and the reader all walk ---- */

/* A record's fields in their order (WIRE FORMAT "records"); in a COLUMNS
   frame each is also a column, in the same order: type bytes, block gaps,
   segment counts, segment lengths, witnesses, deltas, run counts, run
   skips, run lengths, and the bytes (the runs' and the RAW records'); with
   NEWBYTES the bytes are two columns, the differences (BYTES) and the new
   bytes (NEW). */
enum { DXI_PT_C_KIND, DXI_PT_C_GAP, DXI_PT_C_SEGS, DXI_PT_C_SEGLEN, DXI_PT_C_WITNESS, DXI_PT_C_DELTA, DXI_PT_C_RUNS,
       DXI_PT_C_SKIP, DXI_PT_C_LEN, DXI_PT_C_BYTES, DXI_PT_C_NEW, DXI_PT_C_COUNT };
#define DXI_PT_F(col) (1u << DXI_PT_C_##col)

/* Per record type: which fields it has and the header flag it needs. A
   record is its type and gap, [a witness if the patch has WITNESS], [a
   segment count S], then S segments (one where there is no count) of
   [length, but not for the last], [delta], [run count, then per run its
   skip, length and bytes]; a RAW record ends with the block's bytes. */
typedef struct dxi_pt_grammar {
    uint16_t fields; /* DXI_PT_F() bits */
    uint8_t needs;   /* the flag a patch must have to hold the record */
} dxi_pt_grammar;

static const dxi_pt_grammar dxi_pt_grammars[DX_PATCH_REC_TYPES] = {
    {0, 0}, /* type 0 does not exist */
    {DXI_PT_F(KIND) | DXI_PT_F(GAP) | DXI_PT_F(WITNESS) | DXI_PT_F(RUNS), 0},                             /* XOR */
    {DXI_PT_F(KIND) | DXI_PT_F(GAP), DX_PATCH_FLAG_ONE_WAY},                                              /* ZERO */
    {DXI_PT_F(KIND) | DXI_PT_F(GAP) | DXI_PT_F(BYTES), DX_PATCH_FLAG_ONE_WAY},                            /* RAW */
    {DXI_PT_F(KIND) | DXI_PT_F(GAP) | DXI_PT_F(DELTA) | DXI_PT_F(RUNS), DX_PATCH_FLAG_COPY},              /* COPY */
    {DXI_PT_F(KIND) | DXI_PT_F(GAP) | DXI_PT_F(SEGS) | DXI_PT_F(SEGLEN) | DXI_PT_F(DELTA) | DXI_PT_F(RUNS), /* SPLIT */
     DX_PATCH_FLAG_CARRY},
};

/* A type the patch's flags allow, or 0. */
DXI_PRIVATE unsigned dxi_pt_type(unsigned type, uint32_t flags) {
    return type > 0 && type < DX_PATCH_REC_TYPES && (dxi_pt_grammars[type].needs & ~flags) == 0 ? type : 0;
}

DXI_PRIVATE void dxi_pt_shifts_init(dxi_pt_shifts *s, uint64_t base_len) {
    s->shift = s->base = 0, s->lit = (int64_t)base_len;
}

/* The shift a delta field v gives; false where |delta| passes 2^48. */
DXI_PRIVATE bool dxi_pt_delta_shift(uint64_t v, uint32_t flags, const dxi_pt_shifts *s, int64_t *out) {
    bool anchors = (flags & DX_PATCH_FLAG_ANCHORS) != 0;
    uint64_t zz = anchors ? v >> 1 : v;
    int64_t delta = (int64_t)(zz >> 1) ^ -(int64_t)(zz & 1);
    if (delta > (int64_t)1 << 48 || delta < -((int64_t)1 << 48)) return false;
    *out = (anchors ? (v & 1 ? s->lit : s->base) : s->shift) + delta;
    return true;
}

/* A segment's source came with shift: into the base (lit false) or past it. */
DXI_PRIVATE void dxi_pt_shifts_move(dxi_pt_shifts *s, int64_t shift, bool lit) {
    s->shift = shift;
    if (lit) s->lit = shift;
    else s->base = shift;
}

/* The fields are read through one cursor per column. In an interleaved
   frame all the cursors are the same pointer, and the fields are read in
   the order they are interleaved; in a columnar one each column has its
   own, with its own end. */
typedef struct dxi_pt_cursors {
    const uint8_t **at[DXI_PT_C_COUNT];
    const uint8_t *end[DXI_PT_C_COUNT];
} dxi_pt_cursors;

/* Copies of the cursors, to read the same fields again: aliased ones stay aliased. */
DXI_PRIVATE void dxi_pt_cursors_save(const dxi_pt_cursors *c, const uint8_t **saved, dxi_pt_cursors *out) {
    int k;
    *out = *c;
    for (k = 0; k < DXI_PT_C_COUNT; k++) {
        saved[k] = *c->at[k];
        out->at[k] = c->at[k] == c->at[0] ? &saved[0] : &saved[k];
    }
}

/* X86 (WIRE FORMAT): position q of a segment's result bytes r is a mark
   where an address that moved code changes may start: after E8 (call
   rel32) or a ModRM byte of RIP-relative addressing (mod 0, r/m 5); the
   first position always. openblas's run skips as counts of marks
   compress to 54% of the bytes counted; with E9 (jmp) and 0F 8x (jcc)
   too, 62% (they jump inside a function, which moves as a whole). */
DXI_PRIVATE bool dxi_pt_x86_mark(const uint8_t *r, size_t q) {
    return q == 0 || r[q - 1] == 0xE8 || (r[q - 1] & 0xC7) == 0x05;
}

/* X86: a coded segment's differences, d[q] = r[q] - s[q] bytewise, made
   word-wise where the walk from the segment's start meets a mark with 4
   bytes left: those 4 bytes of d become r - s as u32 LE (mod 2^32), and
   the walk goes on after them. A moved call's rel32 then differs by the
   same word wherever its callee moved by the same amount; bytewise, the
   carry into its second byte came and went (openblas: 5% smaller). t is
   the segment's target (result) bytes. */
DXI_PRIVATE void dxi_pt_x86_words(const uint8_t *t, uint8_t *d, size_t n) {
    size_t q = 0;
    while (q < n) {
        if (q + 4 <= n && dxi_pt_x86_mark(t, q)) {
            uint32_t tv = dx_load_u32le(t + q), sv, dv;
            uint8_t s4[4];
            int k;
            for (k = 0; k < 4; k++) s4[k] = (uint8_t)(t[q + (size_t)k] - d[q + (size_t)k]);
            sv = dx_load_u32le(s4), dv = tv - sv;
            for (k = 0; k < 4; k++) d[q + (size_t)k] = (uint8_t)(dv >> (8 * k));
            q += 4;
        } else {
            q++;
        }
    }
}

/* X86: applying a coded segment in order. b holds its n source bytes
   (wn of them in the result: words lie there); each step makes b[fin] the
   result byte, adding the difference byte dd with the carry of a word under
   way (dxi_pt_x86_words). */
typedef struct dxi_pt_x86_apply {
    uint8_t *b;
    uint32_t n, wn, fin, word_left, carry;
} dxi_pt_x86_apply;

DXI_PRIVATE void dxi_pt_x86_step(dxi_pt_x86_apply *x, uint8_t dd) {
    uint32_t v;
    if (x->word_left == 0) x->carry = 0, x->word_left = x->fin + 4 <= x->wn && dxi_pt_x86_mark(x->b, x->fin) ? 4 : 0;
    v = (uint32_t)x->b[x->fin] + dd + x->carry;
    x->b[x->fin++] = (uint8_t)v;
    if (x->word_left) x->carry = --x->word_left ? v >> 8 : 0;
}

/* Makes every byte before at a result byte (no difference there): outside
   a word such a byte stays as it is, so the walk jumps to the next mark. */
DXI_PRIVATE void dxi_pt_x86_advance(dxi_pt_x86_apply *x, uint32_t at) {
    while (x->fin < at) {
        if (x->word_left == 0 && x->fin > 0) {
            const uint8_t *b = x->b;
            uint32_t q = x->fin;
            while (q < at && !dxi_pt_x86_mark(b, q)) q++; /* q > 0: the first test is never the one */
            x->fin = q;
            if (q == at) break;
        }
        dxi_pt_x86_step(x, 0);
    }
}

/* Where a coded run skip v leads from x->fin, where the last run ended:
   odd, v / 2 bytes on; even, to the (v / 2 + 1)-th mark at or after it.
   The bytes before the run become result bytes. False: past the segment. */
DXI_PRIVATE bool dxi_pt_x86_skip(dxi_pt_x86_apply *x, uint64_t v, uint32_t *out) {
    uint64_t k = v >> 1;
    if (v & 1) {
        if (k > x->n - x->fin) return false;
        dxi_pt_x86_advance(x, x->fin + (uint32_t)k);
        return *out = x->fin, true;
    }
    while (x->fin < x->n) {
        if (dxi_pt_x86_mark(x->b, x->fin)) {
            if (k-- == 0) return *out = x->fin, true;
            dxi_pt_x86_step(x, 0);
        } else if (x->word_left == 0) { /* no mark, no word under way: the bytes up to the next mark stay */
            while (x->fin < x->n && !dxi_pt_x86_mark(x->b, x->fin)) x->fin++;
        } else {
            dxi_pt_x86_step(x, 0);
        }
    }
    return false;
}

/* One record walked field by field after its type and gap (dxi_pt_next):
   the grammar's checks (a segment or run stays inside the block and is
   not empty, there are no more runs than bytes, no field runs past its
   column) are made here; what the fields mean is the caller's. A run skip
   that counts marks (X86: coded) moves pos by the least it can, value / 2;
   a caller with the segment's bytes sets pos where the run really starts
   (dxi_pt_x86_skip), before its length is read. With NEWBYTES a caller sets
   lit once a segment's delta is read (its source lies past the base): its
   runs' bytes then come from the NEW column, as RAW records' do. */
typedef struct dxi_pt_walk {
    const dxi_pt_cursors *c;
    uint16_t fields;
    bool witness;               /* the patch has WITNESS */
    bool x86, coded;            /* the patch has X86; this segment's skips count marks (a caller may clear it) */
    bool split, lit;            /* the patch has NEWBYTES; this segment's source lies past the base (the caller's) */
    uint32_t n, raw_len;        /* the block's bytes; a RAW record's bytes (a block is at most 1 MiB) */
    int step;
    int col;                    /* the field just read: its column, */
    uint64_t value;             /* its value (a varint, a witness byte, or the count of bytes), */
    const uint8_t *at;          /* its encoded bytes (for BYTES the bytes themselves) */
    size_t size;
    uint32_t pos;               /* BYTES of a run: where they go in the block */
    uint32_t segs, seg, seg_at, seg_len, runs_left, run_len; /* in-block counts: 32 bits are cheaper on firmware */
} dxi_pt_walk;

DXI_PRIVATE void dxi_pt_walk_start(dxi_pt_walk *w, const dxi_pt_cursors *c, unsigned type, uint32_t flags, uint32_t n,
                                   uint32_t raw_len) {
    DX_MEMSET(w, 0, sizeof *w);
    w->c = c;
    w->fields = dxi_pt_grammars[type].fields;
    w->witness = (flags & DX_PATCH_FLAG_WITNESS) != 0;
    w->x86 = DXI_PT_SHIFT && (flags & DX_PATCH_FLAG_X86) && (w->fields & DXI_PT_F(DELTA));
    w->split = DXI_PT_COLUMNS && (flags & DX_PATCH_FLAG_NEWBYTES);
    w->n = n, w->raw_len = raw_len;
}

/* Takes the next field of column col: a varint, or (bytes) that many bytes. */
DXI_PRIVATE bool dxi_pt_take(dxi_pt_walk *w, int col, bool varint, uint64_t bytes) {
    const uint8_t **p = w->c->at[col];
    w->col = col, w->at = *p;
    if (varint) {
        if (!dxi_pt_read_varint(p, w->c->end[col], &w->value)) return false;
    } else {
        if (bytes > (uint64_t)(w->c->end[col] - *p)) return false;
        *p += bytes, w->value = bytes;
    }
    w->size = (size_t)(*p - w->at);
    return true;
}

/* Reads the record's next field into w: 1, or 0 at the record's end, or
   -1 where the bytes break the grammar. */
DXI_PRIVATE int dxi_pt_next(dxi_pt_walk *w) {
    for (;;) {
        switch (w->step++) {
        case 0: /* the witness */
            if ((w->fields & DXI_PT_F(WITNESS)) && w->witness) {
                if (!dxi_pt_take(w, DXI_PT_C_WITNESS, false, 1)) return -1;
                w->value = w->at[0];
                return 1;
            }
            break;
        case 1: /* the segment count; a record without one is one segment over the block */
            w->segs = 1;
            if (DXI_PT_SHIFT && (w->fields & DXI_PT_F(SEGS))) {
                if (!dxi_pt_take(w, DXI_PT_C_SEGS, true, 0) || w->value < 2 || w->value > w->n) return -1;
                w->segs = (uint32_t)w->value;
                return 1;
            }
            break;
        case 2: /* a segment: its length, all the rest for the last */
            w->seg_len = w->n - w->seg_at;
            w->pos = w->seg_at, w->runs_left = w->run_len = 0;
            w->coded = w->x86, w->lit = false;
            if (DXI_PT_SHIFT && (w->fields & DXI_PT_F(SEGLEN)) && w->seg + 1 < w->segs) {
                if (!dxi_pt_take(w, DXI_PT_C_SEGLEN, true, 0) || w->value == 0 || w->value >= w->seg_len) return -1;
                w->seg_len = (uint32_t)w->value;
                return 1;
            }
            break;
        case 3:
            if (DXI_PT_SHIFT && (w->fields & DXI_PT_F(DELTA))) return dxi_pt_take(w, DXI_PT_C_DELTA, true, 0) ? 1 : -1;
            break;
        case 4: /* the run count: a run covers a byte at least */
            if (w->fields & DXI_PT_F(RUNS)) {
                if (!dxi_pt_take(w, DXI_PT_C_RUNS, true, 0) || w->value > w->seg_len) return -1;
                w->runs_left = (uint32_t)w->value;
                return 1;
            }
            break;
        case 5: /* a run: the bytes to skip, inside the segment */
            w->pos += w->run_len, w->run_len = 0;
            if (w->runs_left == 0) {
                w->step = 8;
                break;
            }
            if (!dxi_pt_take(w, DXI_PT_C_SKIP, true, 0) ||
                (w->coded ? w->value >> 1 : w->value) > w->seg_at + w->seg_len - w->pos)
                return -1;
            w->pos += (uint32_t)(w->coded ? w->value >> 1 : w->value);
            return 1;
        case 6: /* its length: at least 1, inside the segment */
            if (!dxi_pt_take(w, DXI_PT_C_LEN, true, 0) || w->value == 0 || w->value > w->seg_at + w->seg_len - w->pos)
                return -1;
            w->run_len = (uint32_t)w->value;
            return 1;
        case 7: /* its bytes, for the block at pos */
            if (!dxi_pt_take(w, w->split && w->lit ? DXI_PT_C_NEW : DXI_PT_C_BYTES, false, w->run_len)) return -1;
            w->runs_left--;
            w->step = 5;
            return 1;
        case 8: /* the next segment */
            w->seg_at += w->seg_len;
            if (++w->seg < w->segs) w->step = 2;
            break;
        case 9: /* RAW: the block's bytes */
            if ((w->fields & DXI_PT_F(BYTES)) && !(w->fields & DXI_PT_F(RUNS))) {
                w->pos = 0;
                return dxi_pt_take(w, w->split ? DXI_PT_C_NEW : DXI_PT_C_BYTES, false, w->raw_len) ? 1 : -1;
            }
            break;
        default: return 0;
        }
    }
}

/* A RAW record's bytes: the target's bytes of its block. */
DXI_PRIVATE uint64_t dxi_pt_raw_len(uint64_t off, uint64_t block_size, uint64_t target_len) {
    return off < target_len ? dxi_pt_min(block_size, target_len - off) : 0;
}

/* ---- diff ---- */

/* DICT: what a frame's dictionary is made from (dxi_pt_dict_ranges), and
   the walk's state from frame to frame: the shift, the anchors (the base
   one is DICT's: the last shift whose source lay in the base) and the next
   block. */
typedef struct dxi_pt_dict_args {
    uint32_t flags, block_size;
    uint64_t total, target_len, base_len; /* total: max(base, target length) */
    uint64_t margin, limit;               /* bytes on each side of a range; the dictionary's most */
    uint64_t floor;                       /* WINDOW: no range below it (the frame's end less the window) */
    dx_result (*emit)(void *user, uint64_t at, uint64_t len, uint64_t dict_at);
    void *user;
} dxi_pt_dict_args;

typedef struct dxi_pt_dict_state {
    dxi_pt_shifts sh; /* its base anchor is DICT's anchor */
    uint64_t next_block;
} dxi_pt_dict_state;

#if defined(DX_PATCH_WITH_ZSTD) && DXI_PT_SHIFT && DXI_PT_COLUMNS
DXI_PRIVATE int64_t dxi_pt_dict_ranges(const uint8_t *p, size_t len, size_t bytes_cap, const dxi_pt_dict_args *g,
                                       dxi_pt_dict_state *st, uint64_t *out_dict_len);
#endif

/* Closed frames a diff with cfg->thread_start may hold before they take their place: up to half of
   them compressed by the second thread while the diff finds the other half (two buffers' worth). */
#define DXI_PT_QUEUE 8
#define DXI_PT_JOB_FRAMES (DXI_PT_QUEUE / 2)

typedef struct dxi_pt_queued { /* a closed frame not yet in its place */
    size_t at, raw, stored; /* the frame's offset in out, its raw length; its stored length when done */
    uint64_t first, end;    /* PREFIX: its blocks, from first to end, and their shift when it began */
    int64_t shift;
    bool last, packed;      /* packed: its stored bytes are in the job's buf (else the raw ones stay) */
} dxi_pt_queued;

typedef struct dxi_pt_job { /* closed frames not yet in their place: the first `taken` compressed by a job (on
                               cfg->thread_start's thread where busy), the rest waiting for the next */
    struct dxi_pt_writer *w;
    dxi_pt_queued q[DXI_PT_QUEUE];
    unsigned count, taken;
    bool busy;
    dx_result error;
    void *handle;
    uint8_t *buf; /* room for the taken frames' stored bytes, one frame's room apart (on a second thread
                     DXI_PT_JOB_FRAMES of them, else the scratch's one) */
} dxi_pt_job;

typedef struct dxi_pt_writer {
    const dx_patch_config *cfg;
    uint8_t *out;
    size_t cap, pos, frame_at, frame_size;
    size_t frame_max; /* the header's largest frame: STREAM frames keep their raw bytes 64 below it */
    uint32_t frames, block_size;
    size_t frame_seen; /* the largest raw or stored frame written: the header's largest frame (at least a block + 64) */
    bool frame_open;
    bool raw_only; /* one way: every changed block a RAW record, the target's bytes whole (dx_patch_diff_auto's bound) */
    dx_result error;
    uint8_t *scratch; /* [compressed frame | d = the block's differences | padded base | padded target] */
    size_t scratch_cap;
    void *cctx;
    uint32_t flags;
    uint64_t last, frame_last, target_len; /* the next block after the last record; its value when the frame opened */
    bool streaming;   /* STREAM: the zstd stream has begun; until then closed frames are held back raw, */
    uint64_t held;    /* these many raw bytes of them, from the header's end on */
    const uint8_t *base; /* PREFIX: the base, its ranges the frames' prefixes */
    size_t base_len;
    dxi_pt_shifts sh;           /* the shift and anchors the records so far leave (COPY, SPLIT) */
    int64_t base_shift;         /* the last shift with a source in the base */
    int64_t frame_shift;        /* PREFIX: base_shift when the open frame began: its blocks map to the base by it */
    dxi_pt_shifts frame_start;  /* sh before the open frame's first record (NEWBYTES: its sources) */
    uint32_t prefix_seen;       /* PREFIX: the longest prefix written (DICT: dictionary) */
    dxi_pt_dict_state dict;     /* DICT: the walk's state after the frames written */
    uint8_t *dict_buf;          /* DICT: a frame's dictionary, at most dict_cap bytes */
    size_t dict_cap;
    struct dxi_pt_job job;      /* closed frames not yet in their place (cfg->thread_start) */
} dxi_pt_writer;

/* The columns of a COLUMNS frame: its records' fields grouped by column,
   each column in record order, after a varint record count. Frames
   without SPLIT records have empty segment columns. Like fields side by
   side compress better: zstd finds the repeats in types and counts, and
   the payload bytes no longer break them up. */
#if defined(DX_PATCH_WITH_ZSTD) /* the writer makes columnar frames only to compress them */
/* Rewrites the interleaved records of an open frame, p[0..len), as columns
   (through tmp, at least len + 20 bytes), walking each by the grammar;
   returns the new length, len + the size of the record count's varint
   (and with NEWBYTES of the new bytes' count). The records are the
   writer's own. */
DXI_PRIVATE size_t dxi_pt_columnize(const dxi_pt_writer *w, uint8_t *p, size_t len, uint8_t *tmp) {
    size_t size[DXI_PT_C_COUNT], at[DXI_PT_C_COUNT], nrec = 0, pass, i;
    for (pass = 0; pass < 2; pass++) {
        const uint8_t *q = p;
        dxi_pt_cursors c;
        uint64_t block = w->frame_last, gap = 0;
        dxi_pt_shifts sh = w->frame_start; /* NEWBYTES: a segment's source, past the base or not */
        for (i = 0; i < DXI_PT_C_COUNT; i++) c.at[i] = &q, c.end[i] = p + len;
        if (pass == 0) {
            for (i = 0; i < DXI_PT_C_COUNT; i++) size[i] = 0;
        } else {
            at[0] = dxi_pt_put_varint(tmp, nrec);
            for (i = 1; i < DXI_PT_C_COUNT; i++) {
                at[i] = at[i - 1] + size[i - 1];
                if (i == DXI_PT_C_BYTES && (w->flags & DX_PATCH_FLAG_NEWBYTES)) /* the new bytes' count first */
                    at[i] += dxi_pt_put_varint(tmp + at[i], size[DXI_PT_C_NEW]);
            }
        }
#define DXI_PT_COLUMN(col, from, n)                                                                \
    do {                                                                                           \
        if (pass) DX_MEMCPY(tmp + at[col], from, (size_t)(n)), at[col] += (size_t)(n);             \
        else size[col] += (size_t)(n);                                                             \
    } while (0)
        for (nrec = 0; q < p + len; nrec++, block++) {
            dxi_pt_walk wk;
            const uint8_t *type = q++, *gap_at = q;
            dxi_pt_read_varint(&q, p + len, &gap);
            block += gap;
            DXI_PT_COLUMN(DXI_PT_C_KIND, type, 1);
            DXI_PT_COLUMN(DXI_PT_C_GAP, gap_at, q - gap_at);
            dxi_pt_walk_start(&wk, &c, *type, w->flags, w->block_size,
                              (uint32_t)dxi_pt_raw_len(block * w->block_size, w->block_size, w->target_len));
            while (dxi_pt_next(&wk) > 0) {
                if (wk.col == DXI_PT_C_DELTA) {
                    int64_t shift = 0;
                    (void)dxi_pt_delta_shift(wk.value, w->flags, &sh, &shift); /* the writer's own: in bounds */
                    wk.lit = (int64_t)(block * w->block_size + wk.seg_at) + shift >= (int64_t)w->base_len;
                    dxi_pt_shifts_move(&sh, shift, wk.lit);
                }
                DXI_PT_COLUMN(wk.col, wk.at, wk.size);
            }
        }
#undef DXI_PT_COLUMN
    }
    DX_MEMCPY(p, tmp, at[DXI_PT_C_NEW]); /* the last column's end (without NEWBYTES it is empty) */
    return at[DXI_PT_C_NEW];
}
#endif

#if defined(DX_PATCH_WITH_ZSTD)
/* Raw bytes a STREAM patch holds back before its zstd stream begins: a
   stream that ends sooner tells zstd its size, which then sizes its
   tables to it (level 19 with an unknown size clears 80 MiB of them:
   a quarter of a 7.7 MB program's whole diff here). */
#define DXI_PT_STREAM_HOLD ((uint64_t)2 << 20)

/* The raw bytes as the stream's next piece into dst (a compressed frame's
   room), flushed so that they decode from it (the stream's end where last);
   its length, or 0 with *err set. */
DXI_PRIVATE size_t dxi_pt_stream_piece(dxi_pt_writer *w, const uint8_t *raw_bytes, size_t raw, bool last, uint8_t *dst,
                                       dx_result *err) {
    ZSTD_outBuffer zo;
    ZSTD_inBuffer zi;
    size_t left;
    zo.dst = dst, zo.size = w->scratch_cap - 3 * (size_t)w->block_size, zo.pos = 0;
    zi.src = raw_bytes, zi.size = raw, zi.pos = 0;
    do {
        left = ZSTD_compressStream2((ZSTD_CCtx *)w->cctx, &zo, &zi, last ? ZSTD_e_end : ZSTD_e_flush);
    } while (!ZSTD_isError(left) && left != 0 && zo.pos < zo.size);
    if (ZSTD_isError(left) || left != 0 || zo.pos > w->frame_max) {
        *err = ZSTD_isError(left) ? DX_ERR_NOMEM : DX_ERR_LIMIT;
        return 0;
    }
    return zo.pos;
}

/* A short patch whose zstd stream would not be smaller than its raw frames
   (a few edits, new bytes that do not compress: the stream's header and
   block headers cost more than it saves) keeps them raw: a smaller patch,
   and one that applies without a zstd context (its set-up: tens of us in a
   VM, where CPUID traps). The held frames are compressed once to see (up to
   DXI_PT_STREAM_TRY_RAW bytes: a millisecond at level 19); false: they stay
   raw, no longer STREAM, and nothing is left to do. */
#define DXI_PT_STREAM_TRY_RAW 16384u
DXI_PRIVATE bool dxi_pt_stream_pays(dxi_pt_writer *w) {
    size_t rpos = DX_PATCH_HEADER_SIZE, stored = 0, raw_total = 0;
    if (w->held > DXI_PT_STREAM_TRY_RAW) return true;
    if (ZSTD_isError(ZSTD_CCtx_setPledgedSrcSize((ZSTD_CCtx *)w->cctx, w->held))) return true; /* the stream says so */
    while (rpos < w->pos) {
        size_t raw = dx_load_u32le(w->out + rpos + DX_PATCH_FRAME_HEADER_OFF_RAW_LEN), next = rpos + DX_PATCH_FRAME_HEADER_SIZE + raw;
        stored += dxi_pt_stream_piece(w, w->out + rpos + DX_PATCH_FRAME_HEADER_SIZE, raw, next == w->pos, w->scratch, &w->error);
        if (w->error != DX_OK) return true;
        raw_total += raw, rpos = next;
    }
    if (ZSTD_isError(ZSTD_CCtx_reset((ZSTD_CCtx *)w->cctx, ZSTD_reset_session_only))) return true;
    if (stored < raw_total) return true;
    for (rpos = DX_PATCH_HEADER_SIZE; rpos < w->pos;) {
        uint8_t *f = w->out + rpos;
        size_t raw = dx_load_u32le(f + DX_PATCH_FRAME_HEADER_OFF_RAW_LEN);
        dx_store_u32le(f + DX_PATCH_FRAME_HEADER_OFF_STORED_LEN, (uint32_t)raw);
        rpos += DX_PATCH_FRAME_HEADER_SIZE + raw;
    }
    w->flags &= ~(uint32_t)DX_PATCH_FLAG_STREAM;
    w->held = 0;
    return false;
}

/* Begins the stream: the held-back frames, from the header's end to upto,
   become its first pieces in place (their headers keep raw length and
   check), and what follows them (an open frame's records, to w->pos)
   moves down behind them. A piece larger than its raw bytes (data that
   does not compress) first moves the rest up, room permitting. last: the
   held frames are all there is (zstd is told their size). */
DXI_PRIVATE void dxi_pt_stream_start(dxi_pt_writer *w, size_t upto, bool last) {
    size_t rpos = DX_PATCH_HEADER_SIZE, wpos = rpos, end = w->pos;
    w->streaming = true;
    if (last && ZSTD_isError(ZSTD_CCtx_setPledgedSrcSize((ZSTD_CCtx *)w->cctx, w->held))) {
        w->error = DX_ERR_INVAL;
        return;
    }
    w->held = 0;
    while (rpos < upto) {
        uint8_t *f = w->out + rpos;
        size_t raw = dx_load_u32le(f + DX_PATCH_FRAME_HEADER_OFF_RAW_LEN), next = rpos + DX_PATCH_FRAME_HEADER_SIZE + raw;
        uint32_t check = dx_load_u32le(f + DX_PATCH_FRAME_HEADER_OFF_CHECK);
        size_t stored = dxi_pt_stream_piece(w, f + DX_PATCH_FRAME_HEADER_SIZE, raw, last && next == upto, w->scratch,
                                            &w->error);
        if (w->error != DX_OK) return;
        if (wpos + DX_PATCH_FRAME_HEADER_SIZE + stored > next) {
            size_t grow = wpos + DX_PATCH_FRAME_HEADER_SIZE + stored - next;
            if (w->cap - end < grow) {
                w->error = DX_ERR_NOSPACE;
                return;
            }
            DX_MEMMOVE(w->out + next + grow, w->out + next, end - next);
            next += grow, upto += grow, end += grow;
        }
        f = w->out + wpos;
        dx_store_u32le(f + DX_PATCH_FRAME_HEADER_OFF_RAW_LEN, (uint32_t)raw);
        dx_store_u32le(f + DX_PATCH_FRAME_HEADER_OFF_STORED_LEN, (uint32_t)stored);
        dx_store_u32le(f + DX_PATCH_FRAME_HEADER_OFF_CHECK, check);
        DX_MEMCPY(f + DX_PATCH_FRAME_HEADER_SIZE, w->scratch, stored);
        if (stored > w->frame_seen) w->frame_seen = stored;
        wpos += DX_PATCH_FRAME_HEADER_SIZE + stored, rpos = next;
    }
    if (end > upto) DX_MEMMOVE(w->out + wpos, w->out + upto, end - upto);
    if (w->frame_open) w->frame_at = wpos;
    w->pos = wpos + (end - upto);
}
#endif

#if defined(DX_PATCH_WITH_ZSTD)
/* PREFIX: the frame's raw bytes compressed with a range of the base as
   zstd's prefix: the stretch of the base its blocks map to (by the shift
   when it began), an eighth of the limit more on each side, at most the
   limit. Returns the stored length, the bytes in dst (raw where that is
   not smaller). */
DXI_PRIVATE size_t dxi_pt_prefix_frame(dxi_pt_writer *w, const dxi_pt_queued *j, const uint8_t *raw_bytes, uint8_t *dst) {
    int64_t first = (int64_t)(j->first * w->block_size) + j->shift, end = (int64_t)(j->end * w->block_size) + j->shift;
    size_t raw = j->raw;
    uint64_t limit = w->cfg->prefix, margin = limit / 8, lo, hi, len;
    ZSTD_CCtx *cc = (ZSTD_CCtx *)w->cctx;
    size_t n, room = w->scratch_cap - 3 * (size_t)w->block_size - DX_PATCH_PREFIX_SIZE;
    int wlog = 10;
    lo = first > (int64_t)margin ? (uint64_t)first - margin : 0;
    hi = end + (int64_t)margin > 0 ? dxi_pt_min((uint64_t)(end + (int64_t)margin), (uint64_t)w->base_len) : 0;
    if (lo >= hi) lo = hi > limit ? hi - limit : 0; /* past the base's end: its last bytes */
    if (hi - lo > limit) lo += (hi - lo - limit) / 2, hi = lo + limit; /* the middle */
    len = hi - lo;
    if (len == 0) return raw;
    while (wlog < 27 && ((uint64_t)1 << wlog) < len + raw) wlog++; /* the window reaches the prefix's start */
    if (ZSTD_isError(ZSTD_CCtx_reset(cc, ZSTD_reset_session_and_parameters)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, w->cfg->zstd_level)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_windowLog, wlog)) ||
        ZSTD_isError(ZSTD_CCtx_refPrefix(cc, w->base + lo, (size_t)len)))
        return raw;
    n = ZSTD_compress2(cc, dst + DX_PATCH_PREFIX_SIZE, room, raw_bytes, raw);
    if (ZSTD_isError(n) || n + DX_PATCH_PREFIX_SIZE >= raw) return raw; /* kept only where it is smaller */
    dx_store_u64le(dst + DX_PATCH_PREFIX_OFF_BASE, lo);
    dx_store_u32le(dst + DX_PATCH_PREFIX_OFF_LEN, (uint32_t)len);
    if (len > w->prefix_seen) w->prefix_seen = (uint32_t)len;
    return n + DX_PATCH_PREFIX_SIZE;
}
#endif

#if defined(DX_PATCH_WITH_ZSTD) && DXI_PT_SHIFT && DXI_PT_COLUMNS
DXI_PRIVATE dx_result dxi_pt_dict_copy(void *user, uint64_t at, uint64_t len, uint64_t dict_at) {
    dxi_pt_writer *w = (dxi_pt_writer *)user;
    DX_MEMCPY(w->dict_buf + dict_at, w->base + at, (size_t)len);
    return DX_OK;
}

/* DICT: the frame's columns before its bytes column compressed on their
   own, then the bytes column with the base bytes its new bytes replaced as
   zstd's prefix (WIRE FORMAT); the margin falls to 0 where the dictionary
   would pass its limit. Returns the stored length, the bytes in dst (raw
   where that is not smaller); *err on an error. */
DXI_PRIVATE size_t dxi_pt_dict_frame(dxi_pt_writer *w, const dxi_pt_queued *j, uint8_t *raw_bytes, uint8_t *dst,
                                     dx_result *err) {
    dxi_pt_dict_args g;
    dxi_pt_dict_state st = w->dict, after = w->dict;
    ZSTD_CCtx *cc = (ZSTD_CCtx *)w->cctx;
    uint64_t dl = 0, margin = dxi_pt_min(DXI_DEF(w->cfg->dict_margin, (uint32_t)DX_PATCH_DEFAULT_DICT_MARGIN), w->base_len);
    int64_t nb;
    size_t raw = j->raw, cols, room = w->scratch_cap - 3 * (size_t)w->block_size, skip = 20, na, nz, head;
    uint8_t *z = dst;
    int wlog = 10;
    DX_MEMSET(&g, 0, sizeof g);
    g.flags = w->flags, g.block_size = w->block_size;
    g.total = dxi_pt_max(w->base_len, w->target_len), g.target_len = w->target_len, g.base_len = w->base_len;
    g.limit = w->dict_cap;
    if (w->flags & DX_PATCH_FLAG_WINDOW) margin = dxi_pt_min(margin, w->cfg->window); /* the window bounds it too */
    nb = dxi_pt_dict_ranges(raw_bytes, raw, 0, &g, &after, &dl); /* where the bytes column begins; the state after */
    w->dict = after;
    if (nb < 0) { /* not reached: the writer's own records */
        *err = DX_ERR_INVAL;
        return raw;
    }
    cols = raw - (size_t)nb;
    if ((w->flags & DX_PATCH_FLAG_WINDOW) && after.next_block * w->block_size > w->cfg->window)
        g.floor = after.next_block * w->block_size - w->cfg->window;
    g.emit = dxi_pt_dict_copy, g.user = w;
    for (;;) {
        dxi_pt_dict_state again = st;
        g.margin = margin;
        if (dxi_pt_dict_ranges(raw_bytes, cols, (size_t)nb, &g, &again, &dl) >= 0) break;
        if (margin == 0) return raw; /* more than the limit even so: this frame stays raw */
        margin = 0;
    }
    if (dl == 0) margin = 0; /* no new bytes: the same (empty) dictionary, and the window need not reach a margin */
    if (ZSTD_isError(ZSTD_CCtx_reset(cc, ZSTD_reset_session_and_parameters)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, w->cfg->zstd_level)))
        return raw;
    na = ZSTD_compress2(cc, z + skip, room - skip, raw_bytes, cols); /* the records, after room for the head */
    if (ZSTD_isError(na)) return raw;
    while (wlog < 27 && ((uint64_t)1 << wlog) < dl + (uint64_t)nb) wlog++; /* the window reaches the dictionary's start */
    if (ZSTD_isError(ZSTD_CCtx_reset(cc, ZSTD_reset_session_and_parameters)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, w->cfg->zstd_level)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_windowLog, wlog)) ||
        (dl && ZSTD_isError(ZSTD_CCtx_refPrefix(cc, w->dict_buf, (size_t)dl))))
        return raw;
    nz = ZSTD_compress2(cc, z + skip + na, room - skip - na, raw_bytes + cols, (size_t)nb);
    if (ZSTD_isError(nz)) return raw;
    head = dxi_pt_put_varint(z, margin);
    head += dxi_pt_put_varint(z + head, na);
    if (head + na + nz >= raw) return raw; /* kept only where it is smaller */
    DX_MEMMOVE(z + head, z + skip, na + nz);
    if (dxi_pt_max(dl, margin) > w->prefix_seen) w->prefix_seen = (uint32_t)dxi_pt_max(dl, margin); /* the window bounds both */
    return head + na + nz;
}
#endif

#if defined(DX_PATCH_WITH_ZSTD)
/* Compresses a closed frame (out at f->at, f->raw bytes) as the patch's
   kind says, into dst (a frame's room): f->stored, and f->packed where
   its stored bytes are in dst (else the raw ones stay: zstd did not shrink
   them). Runs on either thread: it reads the frame and what stays fixed
   while the diff runs, and writes f, dst, the zstd context and DICT's and
   PREFIX's own state, which only the frames after it use. */
DXI_PRIVATE dx_result dxi_pt_compress_frame(dxi_pt_writer *w, dxi_pt_queued *f, uint8_t *dst) {
    uint8_t *raw_bytes = w->out + f->at + DX_PATCH_FRAME_HEADER_SIZE;
    dx_result err = DX_OK;
    f->stored = f->raw;
    if (w->flags & DX_PATCH_FLAG_STREAM) { /* the next piece of the stream: flushed, so it decodes to these bytes */
        f->stored = dxi_pt_stream_piece(w, raw_bytes, f->raw, f->last, dst, &err);
        f->packed = true;
        return err;
    }
#if DXI_PT_SHIFT && DXI_PT_COLUMNS
    if (w->flags & DX_PATCH_FLAG_DICT) {
        f->stored = dxi_pt_dict_frame(w, f, raw_bytes, dst, &err);
    } else
#endif
    if (w->flags & DX_PATCH_FLAG_PREFIX) {
        f->stored = dxi_pt_prefix_frame(w, f, raw_bytes, dst);
    } else {
        size_t n = ZSTD_compressCCtx((ZSTD_CCtx *)w->cctx, dst, w->scratch_cap - 3 * (size_t)w->block_size, raw_bytes,
                                     f->raw, w->cfg->zstd_level);
        if (!ZSTD_isError(n) && n < f->raw) f->stored = n; /* kept only where zstd shrinks it */
    }
    f->packed = f->stored < f->raw;
    return err;
}

/* The job: the taken frames compressed in order, each into its room of buf. */
DXI_PRIVATE void dxi_pt_compress_taken(void *arg) {
    dxi_pt_job *j = (dxi_pt_job *)arg;
    size_t room = j->w->scratch_cap - 3 * (size_t)j->w->block_size;
    unsigned i;
    j->error = DX_OK;
    for (i = 0; i < j->taken && j->error == DX_OK; i++) j->error = dxi_pt_compress_frame(j->w, &j->q[i], j->buf + i * room);
}

/* The taken frames, compressed, take their places in out, in order: what
   was written after a frame's raw bytes (the frames after it, the open
   one so far) moves by the difference. */
DXI_PRIVATE void dxi_pt_place_taken(dxi_pt_writer *w) {
    dxi_pt_job *j = &w->job;
    size_t room = w->scratch_cap - 3 * (size_t)w->block_size;
    unsigned i, k;
    if (w->error == DX_OK) w->error = j->error;
    for (i = 0; i < j->taken && w->error == DX_OK; i++) {
        dxi_pt_queued *f = &j->q[i];
        size_t from = f->at + DX_PATCH_FRAME_HEADER_SIZE + f->raw, to = f->at + DX_PATCH_FRAME_HEADER_SIZE + f->stored;
        if (f->packed) {
            if (to > from && w->cap - w->pos < to - from) {
                w->error = DX_ERR_NOSPACE;
                break;
            }
            if (to != from) DX_MEMMOVE(w->out + to, w->out + from, w->pos - from);
            DX_MEMCPY(w->out + f->at + DX_PATCH_FRAME_HEADER_SIZE, j->buf + i * room, f->stored);
            w->pos = w->pos - from + to;
            for (k = i + 1; k < j->count; k++) j->q[k].at = j->q[k].at - from + to;
            if (w->frame_open) w->frame_at = w->frame_at - from + to;
        }
        dx_store_u32le(w->out + f->at + DX_PATCH_FRAME_HEADER_OFF_STORED_LEN, (uint32_t)f->stored);
        if (f->stored > w->frame_seen) w->frame_seen = f->stored;
    }
    if (w->error != DX_OK) j->count = j->taken; /* nothing more is placed */
    DX_MEMMOVE(j->q, j->q + j->taken, (j->count - j->taken) * sizeof j->q[0]);
    j->count -= j->taken, j->taken = 0;
}

/* Waits for the job, and places its frames. */
DXI_PRIVATE void dxi_pt_job_wait(dxi_pt_writer *w) {
    dxi_pt_job *j = &w->job;
    if (!j->busy) return;
    w->cfg->thread_join(w->cfg->thread_user, j->handle);
    j->busy = false, j->handle = NULL;
    dxi_pt_place_taken(w);
}

/* The waiting frames become the job: on cfg->thread_start's thread (not the
   last: nothing is left to do beside it), or here, placed at once. */
DXI_PRIVATE void dxi_pt_job_start(dxi_pt_writer *w, bool here) {
    dxi_pt_job *j = &w->job;
    if (w->error != DX_OK) {
        j->count = 0;
        return;
    }
    j->w = w, j->taken = j->buf == w->scratch ? 1 : (unsigned)dxi_pt_min(j->count, DXI_PT_JOB_FRAMES);
    if (!here && j->buf != w->scratch) j->handle = w->cfg->thread_start(w->cfg->thread_user, dxi_pt_compress_taken, j);
    if (j->handle) {
        j->busy = true;
        return;
    }
    dxi_pt_compress_taken(j);
    dxi_pt_place_taken(w);
}

DXI_PRIVATE void dxi_pt_job_drain(dxi_pt_writer *w);

/* A closed frame for the second thread, compressed beside the next frames (their finding), or at once. */
DXI_PRIVATE void dxi_pt_job_add(dxi_pt_writer *w, size_t at, size_t raw, bool last) {
    dxi_pt_queued *q = &w->job.q[w->job.count++];
    q->at = at, q->raw = raw, q->last = last;
    q->first = w->frame_last, q->end = w->last, q->shift = w->frame_shift;
    if (last) dxi_pt_job_drain(w);
    else if (!w->job.busy) dxi_pt_job_start(w, false);
    else if (w->job.count == DXI_PT_QUEUE) dxi_pt_job_wait(w), dxi_pt_job_start(w, false);
}

/* Every closed frame in its place, as on one thread. */
DXI_PRIVATE void dxi_pt_job_drain(dxi_pt_writer *w) {
    dxi_pt_job_wait(w);
    while (w->job.count && w->error == DX_OK) dxi_pt_job_start(w, true);
    w->job.count = 0;
}
#endif

/* n more bytes fit in out; where they do not, held-back frames are
   compressed first, which frees room. A frame being compressed is placed
   first where its stream piece could grow past the room (so the answer is
   the one a diff on one thread gives, and the patch the same). */
DXI_PRIVATE bool dxi_pt_fits(dxi_pt_writer *w, size_t n) {
#if defined(DX_PATCH_WITH_ZSTD)
    if (w->job.count) {
        size_t room = w->scratch_cap - 3 * (size_t)w->block_size, growth = 0; /* room: a stored frame's most */
        unsigned i;
        for (i = 0; i < w->job.count && (w->flags & DX_PATCH_FLAG_STREAM); i++)
            growth += room > w->job.q[i].raw ? room - w->job.q[i].raw : 0;
        if (w->cap - w->pos < n || w->cap - w->pos - n < growth) dxi_pt_job_drain(w);
    }
    if (w->cap - w->pos < n && w->held && w->error == DX_OK)
        dxi_pt_stream_start(w, w->frame_open ? w->frame_at : w->pos, false);
#endif
    return w->error == DX_OK && w->cap - w->pos >= n;
}

DXI_PRIVATE void dxi_pt_close_frame(dxi_pt_writer *w, bool last) {
    uint8_t *f, *raw_bytes;
    size_t raw;
    (void)last; /* read with zstd only */
    if (!w->frame_open) return;
#if defined(DX_PATCH_WITH_ZSTD) /* a columnar frame grows by two varints at most (room kept by dxi_pt_room) */
    if ((w->flags & DX_PATCH_FLAG_COLUMNS) && !dxi_pt_fits(w, 20)) { /* may move the frame */
        w->frame_open = false;
        if (w->error == DX_OK) w->error = DX_ERR_NOSPACE;
        return;
    }
#endif
    f = w->out + w->frame_at, raw_bytes = f + DX_PATCH_FRAME_HEADER_SIZE;
    raw = w->pos - w->frame_at - DX_PATCH_FRAME_HEADER_SIZE;
    w->frame_open = false;
    if (raw == 0) { /* nothing in it: drop the empty frame (empty frames are corrupt) */
        w->pos = w->frame_at;
        return;
    }
#if defined(DX_PATCH_WITH_ZSTD)
    if (w->flags & DX_PATCH_FLAG_COLUMNS) raw = dxi_pt_columnize(w, raw_bytes, raw, w->scratch);
#endif
    dx_store_u32le(f + DX_PATCH_FRAME_HEADER_OFF_CHECK, dxi_pt_check32(raw_bytes, raw));
    dx_store_u32le(f + DX_PATCH_FRAME_HEADER_OFF_RAW_LEN, (uint32_t)raw);
    dx_store_u32le(f + DX_PATCH_FRAME_HEADER_OFF_STORED_LEN, (uint32_t)raw);
    w->pos = w->frame_at + DX_PATCH_FRAME_HEADER_SIZE + raw;
    w->frames++;
    if (raw > w->frame_seen) w->frame_seen = raw;
#if defined(DX_PATCH_WITH_ZSTD)
    if ((w->flags & DX_PATCH_FLAG_STREAM) && !w->streaming) { /* held back raw until the stream begins */
        w->held += raw;
        if (!last && w->held >= DXI_PT_STREAM_HOLD && w->job.buf != w->scratch) { /* the held frames to the thread */
            size_t rpos = DX_PATCH_HEADER_SIZE;
            w->streaming = true, w->held = 0;
            while (rpos < w->pos && w->error == DX_OK) {
                size_t len = dx_load_u32le(w->out + rpos + DX_PATCH_FRAME_HEADER_OFF_RAW_LEN), left;
                left = w->pos - (rpos + DX_PATCH_FRAME_HEADER_SIZE + len); /* what follows it: placing moves it all */
                dxi_pt_job_add(w, rpos, len, false);
                rpos = w->pos - left;
            }
        } else if ((last && dxi_pt_stream_pays(w)) || (!last && w->held >= DXI_PT_STREAM_HOLD)) {
            dxi_pt_stream_start(w, w->pos, last);
        }
        return;
    }
    if (w->cctx) dxi_pt_job_add(w, w->frame_at, raw, last);
#endif
}

/* Room for one record of need bytes, in the open frame or a new one. */
DXI_PRIVATE uint8_t *dxi_pt_room(dxi_pt_writer *w, size_t need) {
    size_t keep = (w->flags & DX_PATCH_FLAG_COLUMNS) ? 20 : 0; /* a columnar frame's record count, its new bytes' */
    if (w->error != DX_OK) return NULL;
    if (w->frame_open && w->pos - w->frame_at - DX_PATCH_FRAME_HEADER_SIZE + need + keep > w->frame_size)
        dxi_pt_close_frame(w, false);
    if (!w->frame_open) {
        if (!dxi_pt_fits(w, DX_PATCH_FRAME_HEADER_SIZE)) return w->error = w->error ? w->error : DX_ERR_NOSPACE, (uint8_t *)NULL;
        w->frame_last = w->last;
        w->frame_start = w->sh;
        w->frame_at = w->pos;
        w->pos += DX_PATCH_FRAME_HEADER_SIZE;
        w->frame_open = true;
    }
    if (!dxi_pt_fits(w, need)) return w->error = w->error ? w->error : DX_ERR_NOSPACE, (uint8_t *)NULL;
    return w->out + w->pos;
}

/* The runs of d[0..n): (zero bytes to skip, bytes that differ, those bytes).
   Zero gaps under merge bytes stay inside a run: a new run header costs
   more (DXI_PT_MERGE; SIZE_MAX: one run from the first difference to the
   last). With the segment's target bytes t (X86, a source in the base) a
   skip counts marks where the run starts at one (dxi_pt_x86_skip). Writes
   them to out unless it is NULL; returns the run count, their exact
   encoded size and where the first difference is. */
#define DXI_PT_MERGE 3 /* 4 before 0.11.0; with X86's cheaper skips 3 is smaller: openblas -1.5%, libcrypto -0.6% */
#define DXI_PT_HAS_ZERO(x) ((((x) - 0x0101010101010101ull) & ~(x) & 0x8080808080808080ull) != 0)
DXI_PRIVATE size_t dxi_pt_runs(const uint8_t *d, size_t n, size_t merge, const uint8_t *t, uint8_t *out,
                               size_t *out_size, size_t *out_first) {
    size_t i = 0, runs = 0, bytes = 0, last_end = 0, skip;
    *out_first = n;
    while (i < n) {
        size_t start, end, zeros;
        while (i + 8 <= n && dx_load_u64le(d + i) == 0) i += 8; /* 8 bytes a step: a word with no zero byte */
        while (i < n && d[i] == 0) i++;
        if (i == n) break;
        start = i;
        for (end = i;;) {
            while (end + 8 <= n && !DXI_PT_HAS_ZERO(dx_load_u64le(d + end))) end += 8;
            while (end < n && d[end] != 0) end++;
            for (zeros = 0; end + zeros < n && d[end + zeros] == 0 && zeros < merge; zeros++) {}
            if (zeros < merge && end + zeros < n) end += zeros;
            else break;
        }
        if (runs == 0) *out_first = start;
        skip = start - last_end;
        if (t) {
            size_t q, marks = 0;
            if (dxi_pt_x86_mark(t, start)) {
                for (q = last_end; q < start; q++) marks += dxi_pt_x86_mark(t, q);
                skip = 2 * marks;
            } else {
                skip = 2 * skip + 1;
            }
        }
        bytes += dxi_pt_put_varint(NULL, skip) + dxi_pt_put_varint(NULL, end - start) + (end - start);
        if (out) {
            out += dxi_pt_put_varint(out, skip);
            out += dxi_pt_put_varint(out, end - start);
            DX_MEMCPY(out, d + start, end - start);
            out += end - start;
        }
        last_end = end;
        runs++;
        i = end;
    }
    *out_size = bytes;
    return runs;
}

/* ---- one function per record type makes its plan; dxi_pt_emit encodes
   any plan by the grammar ---- */

#define DXI_PT_SEGS_MAX 64 /* segments of a SPLIT record the writer makes */

/* A record as the writer means it, before it is encoded. */
typedef struct dxi_pt_plan {
    unsigned type;
    uint8_t witness;
    bool whole;        /* XOR: one run over the whole block beats many small ones */
    const uint8_t *d;  /* the differences (XOR, COPY, SPLIT) or the new bytes (RAW) */
    size_t n;          /* bytes of d */
    size_t segs;       /* segment s is d[seg_at[s], seg_at[s + 1]); one but for SPLIT */
    size_t seg_at[DXI_PT_SEGS_MAX + 1];
    int64_t delta[DXI_PT_SEGS_MAX];
    size_t runs[DXI_PT_SEGS_MAX], enc[DXI_PT_SEGS_MAX], first; /* each segment's runs; the first difference */
    size_t merge[DXI_PT_SEGS_MAX]; /* each segment's runs merge zero gaps shorter than this (dxi_pt_runs) */
    const uint8_t *t;              /* X86: the block's target bytes, for the segments whose skips count marks */
    bool coded[DXI_PT_SEGS_MAX];
} dxi_pt_plan;

DXI_PRIVATE void dxi_pt_plan_start(dxi_pt_plan *p, unsigned type, const uint8_t *d, size_t n) {
    p->type = type, p->d = d, p->n = n;
    p->witness = 0, p->whole = false;
    p->segs = 1, p->seg_at[0] = 0, p->seg_at[1] = n;
    p->delta[0] = 0, p->merge[0] = DXI_PT_MERGE;
    p->t = NULL, p->coded[0] = false;
    p->first = n;
}

/* Counts each segment's runs (for the record's size). */
DXI_PRIVATE void dxi_pt_plan_runs(dxi_pt_plan *p) {
    size_t s, first;
    for (s = 0; s < p->segs; s++) {
        p->runs[s] = dxi_pt_runs(p->d + p->seg_at[s], p->seg_at[s + 1] - p->seg_at[s], p->merge[s],
                                 p->coded[s] ? p->t + p->seg_at[s] : NULL, NULL, &p->enc[s], &first);
        if (s == 0) p->first = first;
    }
}

/* Encodes the record to out, or (out NULL) only measures it. */
/* A delta field for a segment at target offset off that moves the shift to
   shift: from the shift, or with ANCHORS from the anchor that takes fewer
   bytes (the one of the source's kind on a tie); sh moves on. */
DXI_PRIVATE uint64_t dxi_pt_delta_code(dxi_pt_shifts *sh, int64_t shift, uint64_t off, uint64_t base_len, uint32_t flags) {
    bool lit = (int64_t)off + shift >= (int64_t)base_len;
    uint64_t v = dxi_pt_zigzag(shift - sh->shift);
    if (flags & DX_PATCH_FLAG_ANCHORS) {
        uint64_t b = dxi_pt_zigzag(shift - sh->base) << 1, l = dxi_pt_zigzag(shift - sh->lit) << 1 | 1;
        size_t nb = dxi_pt_put_varint(NULL, b), nl = dxi_pt_put_varint(NULL, l);
        v = nb < nl || (nb == nl && !lit) ? b : l;
    }
    dxi_pt_shifts_move(sh, shift, lit);
    return v;
}

/* The record for block (at off), after gap blocks without one; sh: the
   shift and anchors before it. out NULL: only its size. */
DXI_PRIVATE size_t dxi_pt_emit(uint8_t *out, uint64_t gap, const dxi_pt_plan *p, uint32_t flags, dxi_pt_shifts sh,
                               uint64_t off, uint64_t base_len) {
    unsigned f = dxi_pt_grammars[p->type].fields;
    size_t k = DX_PATCH_REC_OFF_GAP, s, enc, first;
#define DXI_PT_AT (out ? out + k : (uint8_t *)NULL)
    if (out) out[DX_PATCH_REC_OFF_TYPE] = (uint8_t)p->type;
    k += dxi_pt_put_varint(DXI_PT_AT, gap);
    if ((f & DXI_PT_F(WITNESS)) && (flags & DX_PATCH_FLAG_WITNESS)) {
        if (out) out[k] = p->witness;
        k++;
    }
    if (f & DXI_PT_F(SEGS)) k += dxi_pt_put_varint(DXI_PT_AT, p->segs);
    for (s = 0; s < p->segs; s++) {
        size_t at = p->seg_at[s], len = p->seg_at[s + 1] - at;
        if ((f & DXI_PT_F(SEGLEN)) && s + 1 < p->segs) k += dxi_pt_put_varint(DXI_PT_AT, len);
        if (f & DXI_PT_F(DELTA))
            k += dxi_pt_put_varint(DXI_PT_AT, dxi_pt_delta_code(&sh, sh.shift + p->delta[s], off + at, base_len, flags));
        if (!(f & DXI_PT_F(RUNS))) continue;
        if (p->whole) { /* one run: skip 0, all the bytes */
            k += dxi_pt_put_varint(DXI_PT_AT, 1);
            k += dxi_pt_put_varint(DXI_PT_AT, 0);
            k += dxi_pt_put_varint(DXI_PT_AT, len);
            if (out) DX_MEMCPY(out + k, p->d + at, len);
            k += len;
            continue;
        }
        k += dxi_pt_put_varint(DXI_PT_AT, p->runs[s]);
        if (out) dxi_pt_runs(p->d + at, len, p->merge[s], p->coded[s] ? p->t + at : NULL, out + k, &enc, &first);
        k += p->enc[s];
    }
    if ((f & DXI_PT_F(BYTES)) && !(f & DXI_PT_F(RUNS))) { /* RAW */
        if (out) DX_MEMCPY(out + k, p->d, p->n);
        k += p->n;
    }
#undef DXI_PT_AT
    return k;
}

/* Writes the planned record for block (of size bytes, as measured). */
DXI_PRIVATE void dxi_pt_write(dxi_pt_writer *w, uint64_t block, const dxi_pt_plan *p, size_t size) {
    uint8_t *r;
    dxi_pt_shifts next = w->sh;
    int64_t shift, at;
    size_t s;
    if (p->type == DX_PATCH_REC_COPY || p->type == DX_PATCH_REC_SPLIT)
        for (s = 0; s < p->segs; s++)
            (void)dxi_pt_delta_code(&next, next.shift + p->delta[s], block * w->block_size + p->seg_at[s], w->base_len, 0);
    shift = next.shift;
    at = (int64_t)(block * w->block_size) + shift; /* where the block's (last) source lies */
    if ((w->flags & (DX_PATCH_FLAG_PREFIX | DX_PATCH_FLAG_DICT)) == DX_PATCH_FLAG_PREFIX && w->frame_open &&
        (block + 1 - w->frame_last) * w->block_size > (uint64_t)w->cfg->prefix / 4 * 3)
        dxi_pt_close_frame(w, false); /* a prefix could no longer hold the frame's stretch of the base: a new frame */
    if ((w->flags & DX_PATCH_FLAG_DICT) && (w->flags & DX_PATCH_FLAG_WINDOW) && w->frame_open &&
        (block + 1 - w->frame_last) * w->block_size > (uint64_t)w->cfg->window)
        dxi_pt_close_frame(w, false); /* in place: no dictionary range below the frame's end less the window, so a
                                         frame longer than the window would lose its first bytes' (C++ headers,
                                         4 MiB: 93,957 bytes; frames of half the window 96,414) */
    if (!w->frame_open) w->frame_shift = w->base_shift;
    r = dxi_pt_room(w, size);
    if (!r) return;
    if (at >= 0 && (uint64_t)at < w->base_len) w->base_shift = shift; /* not a literal's (past the base) */
    w->pos += dxi_pt_emit(r, block - w->last, p, w->flags, w->sh, block * w->block_size, w->base_len);
    w->last = block + 1;
    w->sh = next;
}

DXI_PRIVATE size_t dxi_pt_measure(const dxi_pt_writer *w, uint64_t block, const dxi_pt_plan *p) {
    return dxi_pt_emit(NULL, block - w->last, p, w->flags, w->sh, block * w->block_size, w->base_len);
}

/* XOR: the differences d = base ^ target of the block's n bytes, in runs;
   the witness is the base byte where the block first changes. */
DXI_PRIVATE void dxi_pt_plan_xor(dxi_pt_plan *p, const uint8_t *b, const uint8_t *d, size_t n) {
    dxi_pt_plan_start(p, DX_PATCH_REC_XOR, d, n);
    dxi_pt_plan_runs(p);
    p->witness = b[p->first];
    p->whole = p->enc[0] > n + 20;
}

/* ZERO: the block becomes zeros. */
DXI_PRIVATE void dxi_pt_plan_zero(dxi_pt_plan *p) { dxi_pt_plan_start(p, DX_PATCH_REC_ZERO, NULL, 0); }

/* RAW: the target's tn bytes of the block. */
DXI_PRIVATE void dxi_pt_plan_raw(dxi_pt_plan *p, const uint8_t *t, size_t tn) { dxi_pt_plan_start(p, DX_PATCH_REC_RAW, t, tn); }

/* COPY: one source, delta from the last shift; d holds the differences
   from the source (XOR, or with CARRY target - source). t: X86's target
   bytes where the source lies in the base (coded), else NULL. */
DXI_PRIVATE void dxi_pt_plan_copy(dxi_pt_plan *p, int64_t delta, const uint8_t *d, size_t n, bool literal,
                                  const uint8_t *t, bool coded) {
    dxi_pt_plan_start(p, DX_PATCH_REC_COPY, d, n);
    p->delta[0] = delta;
    if (literal) p->merge[0] = SIZE_MAX;
    p->t = t, p->coded[0] = t && coded;
    dxi_pt_plan_runs(p);
}

/* SPLIT (CARRY): segs segments at seg_at[] with shifts seg_shift[], each
   delta from the one before it (the first from the carried shift). A
   segment of the literal shift (new bytes as they are) is one run: the
   zeros inside new code or data are part of it, and compress with it
   (cc1 for another target: 0.8% smaller than runs split at them). */
DXI_PRIVATE void dxi_pt_plan_split(dxi_pt_plan *p, int64_t carried, const size_t *seg_at, const int64_t *seg_shift,
                                   size_t segs, int64_t literal, const uint8_t *d, size_t n, const uint8_t *t,
                                   const bool *coded) {
    size_t s;
    dxi_pt_plan_start(p, DX_PATCH_REC_SPLIT, d, n);
    p->segs = segs;
    p->t = t;
    for (s = 0; s < segs; s++) {
        p->seg_at[s] = seg_at[s];
        p->delta[s] = seg_shift[s] - (s ? seg_shift[s - 1] : carried);
        p->merge[s] = seg_shift[s] == literal ? SIZE_MAX : DXI_PT_MERGE;
        p->coded[s] = t && coded[s];
    }
    p->seg_at[segs] = n;
    dxi_pt_plan_runs(p);
}

DX_PATCH_API size_t dx_patch_bound(uint64_t base_len, uint64_t target_len, const dx_patch_config *cfg) {
    uint64_t bs = DXI_DEF(cfg ? cfg->block_size : 0u, (uint32_t)DX_PATCH_DEFAULT_BLOCK);
    uint64_t blocks = dxi_pt_blocks(dxi_pt_max(base_len, target_len), bs), total;
    /* a frame holds at least one record, so there are at most blocks + 1 frames */
    total = DX_PATCH_HEADER_SIZE + blocks * (bs + 48) + (blocks + 1) * DX_PATCH_FRAME_HEADER_SIZE + 64; /* 64: a zstd
                                                                              stream's header (STREAM) */
    return total > (uint64_t)(size_t)-1 ? (size_t)-1 : (size_t)total;
}

/* The bytes of a zero-padded input inside [off, off + n). */
DXI_PRIVATE const uint8_t *dxi_pt_padded(const uint8_t *data, size_t len, size_t off, size_t n, uint8_t *tmp) {
    if (off + n <= len) return data + off;
    DX_MEMSET(tmp, 0, n);
    if (off < len) DX_MEMCPY(tmp, data + off, len - off);
    return tmp;
}

/* ---- shift-resilient diff: a hash index of the base's 16-byte windows ---- */

#define DXI_PT_WINDOW 16
#define DXI_PT_STRIDE 16 /* the base is indexed every 16 bytes: 16 lookups find any alignment */

typedef struct dxi_pt_index {
    uint32_t *slots; /* base offset + 1, 0 = empty */
    unsigned bits;
    size_t count;
} dxi_pt_index;

DXI_PRIVATE size_t dxi_pt_window_slot(const dxi_pt_index *ix, const uint8_t *p) {
    uint64_t h = (dx_load_u64le(p) * 0x9e3779b97f4a7c15ull ^ dx_load_u64le(p + 8)) * 0xd6e8feb86659fd93ull;
    return (size_t)(h >> (64 - ix->bits));
}

DXI_PRIVATE dx_result dxi_pt_index_build(dxi_pt_index *ix, const uint8_t *base, size_t len, const dx_allocator *a) {
    size_t pos;
    ix->bits = 10;
    while (ix->bits < 24 && ((size_t)1 << ix->bits) < len / DXI_PT_STRIDE * 2) ix->bits++;
    ix->count = (size_t)1 << ix->bits;
    ix->slots = (uint32_t *)dxi_pt_alloc(a, ix->count * sizeof(uint32_t));
    if (!ix->slots) return DX_ERR_NOMEM;
    DX_MEMSET(ix->slots, 0, ix->count * sizeof(uint32_t));
    for (pos = 0; pos + DXI_PT_WINDOW <= len; pos += DXI_PT_STRIDE) {
        size_t slot = dxi_pt_window_slot(ix, base + pos);
        if (!ix->slots[slot]) ix->slots[slot] = (uint32_t)pos + 1; /* the first occurrence wins */
    }
    return DX_OK;
}

/* Bytes of t[0..n) that differ from the zero-padded base at src; stops at limit. */
DXI_PRIVATE size_t dxi_pt_cost(const uint8_t *base, size_t base_len, size_t src, const uint8_t *t, size_t n, size_t limit) {
    size_t i, cost = 0, have = src < base_len ? (size_t)dxi_pt_min(n, base_len - src) : 0;
    for (i = 0; i < have && cost < limit; i++) cost += base[src + i] != t[i];
    for (; i < n && cost < limit; i++) cost += t[i] != 0;
    return cost;
}

/* The base offset whose bytes differ least from this target block: the same
   offset, the continuation of the last copy, or where its windows occur. */
DXI_PRIVATE size_t dxi_pt_best_source(const dxi_pt_index *ix, const uint8_t *base, size_t base_len, size_t off,
                                      int64_t last_shift, const uint8_t *t, size_t n, size_t *out_cost) {
    size_t best = off, best_cost = dxi_pt_cost(base, base_len, off, t, n, n + 1), j, w;
    int64_t cont = (int64_t)off + last_shift;
    if (cont >= 0 && (uint64_t)cont <= base_len && (size_t)cont != off) {
        size_t c = dxi_pt_cost(base, base_len, (size_t)cont, t, n, best_cost);
        if (c < best_cost) best = (size_t)cont, best_cost = c;
    }
    for (w = 0; w + DXI_PT_STRIDE + DXI_PT_WINDOW <= n && best_cost > 0; w += n / 2) {
        for (j = 0; j < DXI_PT_STRIDE && best_cost > 0; j++) {
            uint32_t hit = ix->slots[dxi_pt_window_slot(ix, t + w + j)];
            size_t src, c;
            if (!hit || hit - 1 < w + j) continue;
            src = hit - 1 - (w + j);
            if (src == best) continue;
            c = dxi_pt_cost(base, base_len, src, t, n, best_cost);
            if (c < best_cost) best = src, best_cost = c;
        }
        if (n / 2 == 0) break;
    }
    *out_cost = best_cost;
    return best;
}

/* ---- byte-granular matching (cfg.level): candidate shifts for the CARRY program ----
   A scan over the target finds, at each position not yet covered, the
   longest match in the base (levels 4-9: a suffix array of the base, built
   by induced sorting, 4 bytes a base byte; levels 1-3: a hash table of the
   base's 8-byte strings, cheaper and less thorough), extends it backwards
   and forwards, forwards across isolated mismatched bytes (as bsdiff does:
   moved code whose addresses changed still matches mostly), and hands each
   block the shifts of the matches that cover it. The program
   (dxi_pt_segment) then picks, byte by byte, among them. */

#define DXI_PT_EMPTY 0xffffffffu
#define DXI_PT_AHEAD 64u /* induced sorting: entries read ahead (36 MB program: SA-IS 5.5 -> 2.8-4.3 s of CPU) */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(__TINYC__)
#define DXI_PT_PREFETCH(p) __builtin_prefetch(p)
#else
#define DXI_PT_PREFETCH(p) ((void)0)
#endif
#define DXI_PT_MATCHES 512 /* matches kept ahead of the current block */
#define DXI_PT_SEEN_AHEAD 16u /* the seen bits: strings hashed ahead */
#define DXI_PT_ANCHOR_MIN 1024u /* exact matches this long are found first, by a table of base strings, and their
                                   base bytes left out of the suffix array (as HDiffPatch sets aside matching
                                   1 KiB blocks): a tar of C++ headers sorts a tenth of its bytes */
#define DXI_PT_ANCHOR_STEP 32u /* the table's base strings (16 bytes long): one in 32, picked by their hash */
#define DXI_PT_GRAIN 64u       /* left out: whole 64-byte grains inside an anchor's base bytes (the edits beside
                                  an anchor may still match next to it) */

/* Induced sorting (SA-IS, Nong, Zhang and Chan 2009) of the n suffixes of
   T (bytes when wide is false, else u32 symbols below k) into sa, with a
   virtual sentinel after T; the reduced problem lives in the upper half
   of sa. Extra memory: a bit per symbol and k counts per level, and the
   symbols' counts: at the byte level 256 more, deeper in the words of sa
   that the level above leaves free (spare), else counted again for each
   bucket pass (a pass over T and k random increments). */
DXI_PRIVATE dx_result dxi_pt_sais_level(const void *T, uint32_t *sa, uint32_t n, uint32_t k, bool wide,
                                        uint32_t *spare, size_t spare_len, const dx_allocator *al) {
#define DXI_SA_CH(i) (wide ? ((const uint32_t *)T)[i] : (uint32_t)((const uint8_t *)T)[i])
#define DXI_SA_S(i) (((unsigned)ty[(i) >> 3] >> ((i) & 7)) & 1u)
#define DXI_SA_LMS(i) ((i) > 0 && DXI_SA_S(i) && !DXI_SA_S((i) - 1))
    uint8_t *ty;
    uint32_t *bkt, *cnt = NULL, *s1, i, j, n1, name, prev, sum;
    size_t ty_size = (size_t)n / 8 + 1, bkt_size = (size_t)k * sizeof(uint32_t);
    dx_result err = DX_OK;
    if (n == 0) return DX_OK;
    if (n == 1) return sa[0] = 0, DX_OK;
    ty = (uint8_t *)dxi_pt_alloc(al, ty_size);
    bkt = (uint32_t *)dxi_pt_alloc(al, bkt_size);
    if (!wide) cnt = (uint32_t *)dxi_pt_alloc(al, bkt_size); /* counted once: T is read 6 times less */
    else if (spare_len >= k) cnt = spare;
    if (!ty || !bkt || (!wide && !cnt)) {
        err = DX_ERR_NOMEM;
        goto done;
    }
    if (cnt) {
        DX_MEMSET(cnt, 0, bkt_size);
        for (j = 0; j < n; j++) cnt[DXI_SA_CH(j)]++;
    }
    DX_MEMSET(ty, 0, ty_size); /* the last symbol is L (the sentinel is smaller) */
    for (i = n - 1, prev = DXI_SA_CH(n - 1), sum = 0; i-- > 0;) { /* sum: the type of i + 1, in a register */
        uint32_t c0 = DXI_SA_CH(i);
        sum = c0 < prev || (c0 == prev && sum);
        ty[i >> 3] |= (uint8_t)(sum << (i & 7));
        prev = c0;
    }
#define DXI_SA_BUCKETS(end)                                                                        \
    do {                                                                                           \
        if (!cnt) {                                                                                \
            DX_MEMSET(bkt, 0, bkt_size);                                                           \
            for (j = 0; j < n; j++) bkt[DXI_SA_CH(j)]++;                                           \
        } else                                                                                     \
            DX_MEMCPY(bkt, cnt, bkt_size);                                                         \
        for (sum = 0, j = 0; j < k; j++) sum += bkt[j], bkt[j] = end ? sum : sum - bkt[j];        \
    } while (0)
/* the symbol an induce step reads a little later: random reads, each a cache miss on a large T */
#define DXI_SA_AHEAD(i)                                                                            \
    do {                                                                                           \
        uint32_t ahead_ = sa[i];                                                                   \
        if (ahead_ != DXI_PT_EMPTY && ahead_ > 0)                                                  \
            DXI_PT_PREFETCH(wide ? (const void *)((const uint32_t *)T + ahead_ - 1)                \
                                 : (const void *)((const uint8_t *)T + ahead_ - 1));               \
    } while (0)
/* The types come from the symbols, not the bits (a random read less a step):
   a suffix j the L pass meets is L or LMS, so j - 1 is L where its symbol is
   not smaller than j's; one the S pass meets is S where it lies in its
   bucket's S part (at or past the bucket's fill point), and j - 1 is S where
   its symbol is smaller than j's, or equal and j is S. */
#define DXI_SA_INDUCE()                                                                            \
    do {                                                                                           \
        DXI_SA_BUCKETS(false);                                                                     \
        sa_put_l(n - 1);                                                                           \
        for (i = 0; i < n; i++) {                                                                  \
            uint32_t j_ = sa[i], c1_;                                                              \
            if (i + DXI_PT_AHEAD < n) DXI_SA_AHEAD(i + DXI_PT_AHEAD);                              \
            if (j_ == DXI_PT_EMPTY || j_ == 0) continue;                                           \
            c1_ = DXI_SA_CH(j_ - 1);                                                               \
            if (c1_ >= DXI_SA_CH(j_)) sa[bkt[c1_]++] = j_ - 1;                                     \
        }                                                                                          \
        DXI_SA_BUCKETS(true);                                                                      \
        for (i = n; i-- > 0;) {                                                                    \
            uint32_t j_ = sa[i], c0_, c1_;                                                         \
            if (i >= DXI_PT_AHEAD) DXI_SA_AHEAD(i - DXI_PT_AHEAD);                                 \
            if (j_ == DXI_PT_EMPTY || j_ == 0) continue;                                           \
            c0_ = DXI_SA_CH(j_), c1_ = DXI_SA_CH(j_ - 1);                                          \
            if (c1_ < c0_ || (c1_ == c0_ && i >= bkt[c0_])) sa[--bkt[c1_]] = j_ - 1;               \
        }                                                                                          \
    } while (0)
#define sa_put_l(p) (sa[bkt[DXI_SA_CH(p)]++] = (p))
    /* 1: the LMS suffixes at their buckets' ends, induced: their substrings sorted */
    for (i = 0; i < n; i++) sa[i] = DXI_PT_EMPTY;
    DXI_SA_BUCKETS(true);
    for (i = 1; i < n; i++)
        if (DXI_SA_LMS(i)) sa[--bkt[DXI_SA_CH(i)]] = i;
    DXI_SA_INDUCE();
    /* 2: name the sorted LMS substrings; equal ones share a name */
    for (n1 = 0, i = 0; i < n; i++) {
        if (i + DXI_PT_AHEAD < n) DXI_PT_PREFETCH(ty + (sa[i + DXI_PT_AHEAD] >> 3));
        if (DXI_SA_LMS(sa[i])) sa[n1++] = sa[i];
    }
    /* each LMS substring's length (through the next LMS symbol; the last one's
       through the sentinel) where its name will go: LMS positions lie at least
       2 apart, so pos / 2 is a slot of its own. Two substrings of one length
       and the same symbols have the same types too (both end on an S symbol),
       so the names need no type bits and no scan for the end. */
    for (i = n1; i < n; i++) sa[i] = DXI_PT_EMPTY;
    for (j = n, i = n; i-- > 1;)
        if (DXI_SA_LMS(i)) sa[n1 + i / 2] = j + 1 - i, j = i;
    for (name = 0, prev = DXI_PT_EMPTY, sum = 0, i = 0; i < n1; i++) {
        uint32_t pos = sa[i], len;
        bool diff;
        if (i + DXI_PT_AHEAD < n1) { /* random reads: their cache misses overlap */
            uint32_t ahead = sa[i + DXI_PT_AHEAD];
            DXI_PT_PREFETCH(sa + n1 + ahead / 2);
            DXI_PT_PREFETCH(wide ? (const void *)((const uint32_t *)T + ahead) : (const void *)((const uint8_t *)T + ahead));
        }
        len = sa[n1 + pos / 2];
        diff = len != sum || pos + len > n || prev + len > n; /* the sentinel's substring is unique */
        if (!diff)
            diff = wide ? DX_MEMCMP((const uint32_t *)T + pos, (const uint32_t *)T + prev, (size_t)len * 4) != 0
                        : DX_MEMCMP((const uint8_t *)T + pos, (const uint8_t *)T + prev, len) != 0;
        if (diff) name++, prev = pos, sum = len;
        sa[n1 + pos / 2] = name - 1;
    }
    for (j = n - 1, i = n; i-- > n1;)
        if (sa[i] != DXI_PT_EMPTY) sa[j--] = sa[i];
    /* 3: sort the reduced string (recursively while names repeat) */
    s1 = sa + n - n1;
    if (name < n1) {
        /* sa[n1, n - n1) is free meanwhile: the reduced problem's counts */
        if ((err = dxi_pt_sais_level(s1, sa, n1, name, true, sa + n1, n - 2 * (size_t)n1, al)) != DX_OK) goto done;
    } else {
        for (i = 0; i < n1; i++) sa[s1[i]] = i;
    }
    /* 4: the sorted LMS suffixes at their buckets' ends, induced: all sorted */
    for (j = 0, i = 1; i < n; i++)
        if (DXI_SA_LMS(i)) s1[j++] = i;
    for (i = 0; i < n1; i++) {
        if (i + DXI_PT_AHEAD < n1) DXI_PT_PREFETCH(s1 + sa[i + DXI_PT_AHEAD]);
        sa[i] = s1[sa[i]];
    }
    for (i = n1; i < n; i++) sa[i] = DXI_PT_EMPTY;
    DXI_SA_BUCKETS(true);
    for (i = n1; i-- > 0;) {
        if (i >= DXI_PT_AHEAD) DXI_SA_AHEAD(i - DXI_PT_AHEAD);
        j = sa[i];
        sa[i] = DXI_PT_EMPTY;
        sa[--bkt[DXI_SA_CH(j)]] = j;
    }
    DXI_SA_INDUCE();
done:
    dxi_pt_free(al, ty, ty_size);
    dxi_pt_free(al, bkt, bkt_size);
    if (!wide) dxi_pt_free(al, cnt, bkt_size);
    return err;
#undef sa_put_l
#undef DXI_SA_INDUCE
#undef DXI_SA_AHEAD
#undef DXI_SA_BUCKETS
#undef DXI_SA_LMS
#undef DXI_SA_S
#undef DXI_SA_CH
}

DXI_PRIVATE dx_result dxi_pt_sais(const void *T, uint32_t *sa, uint32_t n, uint32_t k, bool wide, const dx_allocator *al) {
    return dxi_pt_sais_level(T, sa, n, k, wide, NULL, 0, al);
}

typedef struct dxi_pt_match {
    size_t at, end; /* target bytes [at, end) */
    int64_t shift;  /* come from base offset + shift */
} dxi_pt_match;

typedef struct dxi_pt_matcher {
    const uint8_t *base, *t;
    size_t base_len, t_len;
    dxi_pt_match *anchors; /* levels 4-9: exact matches of DXI_PT_ANCHOR_MIN bytes or more, in target order */
    size_t anchor_count, anchor_cap, anchor_next;
    const uint8_t *text;   /* what the suffix array sorts: the base, or packed, the base without most anchors' bytes */
    size_t text_len;
    uint8_t *packed;
    size_t *seg_text, *seg_base, seg_count; /* packed: segment k starts at seg_text[k] there, seg_base[k] in the base */
    uint32_t *sa;       /* levels 4-9: the suffix array of text */
    uint32_t *start;    /* and where each 2-byte prefix's suffixes start (65537 entries) */
    uint32_t *table;    /* levels 1-3: base offset + 1 of an 8-byte string, by its hash */
    uint8_t *seen;      /* levels 4-9: a bit per hash of text's first-min_len-byte strings (8 per byte):
                           a clear bit means no match long enough, without the search's cache misses */
    unsigned seen_bits;
    unsigned bits, stride;
    size_t p, covered;  /* the next target offset to search; matches end at or before covered */
    size_t min_len, skip_shift, misses;
    int64_t min_shift; /* anchors: sources at most -min_shift behind (a window), as the candidates must be */
    dxi_pt_match m[DXI_PT_MATCHES];
    size_t nm;
} dxi_pt_matcher;

DXI_PRIVATE size_t dxi_pt_hash8(const uint8_t *p, unsigned bits) {
    return (size_t)((dx_load_u64le(p) * 0xcf1bbcdcb7a56463ull) >> (64 - bits));
}

/* The hash of the min_len (8 or 12) bytes at p, for the seen bits. */
DXI_PRIVATE uint64_t dxi_pt_hash_min(const uint8_t *p, size_t min_len, unsigned bits) {
    uint64_t h = dx_load_u64le(p) * 0xcf1bbcdcb7a56463ull;
    if (min_len >= 12) h = (h ^ dx_load_u32le(p + 8)) * 0x9e3779b97f4a7c15ull;
    return h >> (64 - bits);
}

/* Equal bytes of a[0..) and b[0..), at most n. */
DXI_PRIVATE size_t dxi_pt_common(const uint8_t *a, const uint8_t *b, size_t n) {
    size_t i = 0;
    while (i + 8 <= n && dx_load_u64le(a + i) == dx_load_u64le(b + i)) i += 8;
    while (i < n && a[i] == b[i]) i++;
    return i;
}

/* A hash of the 16 bytes at p: its top bits index the anchors' table, bits 27-31 pick the strings it holds. */
DXI_PRIVATE uint64_t dxi_pt_hash16(const uint8_t *p) {
    return (dx_load_u64le(p) ^ dx_load_u64le(p + 8) >> 3) * 0x9e3779b97f4a7c15ull;
}
#define DXI_PT_PICKED(h) (((h) >> 27 & (DXI_PT_ANCHOR_STEP - 1)) == 0)

/* How many of the 8 bytes at a and b are equal: a zero byte of a ^ b sets
   its top bit in z, whose top bits are then summed by one multiply. */
DXI_PRIVATE size_t dxi_pt_same8(const uint8_t *a, const uint8_t *b) {
    const uint64_t low7 = 0x7f7f7f7f7f7f7f7full;
    uint64_t x = dx_load_u64le(a) ^ dx_load_u64le(b), z = ~(((x & low7) + low7) | x | low7);
    return (size_t)(((z >> 7) * 0x0101010101010101ull) >> 56);
}

/* Extends a match of shift s forwards from end (the first byte that
   differs): across a differing byte while at least need of the 16 after
   it match too. */
DXI_PRIVATE size_t dxi_pt_extend(const dxi_pt_matcher *m, size_t end, int64_t s, size_t need) {
    for (;;) {
        size_t src = (size_t)((int64_t)end + s), avail, same;
        if (end >= m->t_len || src >= m->base_len) return end;
        avail = dxi_pt_min_size(m->t_len - end, m->base_len - src);
        end += dxi_pt_common(m->base + src, m->t + end, avail);
        src = (size_t)((int64_t)end + s);
        if (end >= m->t_len || src >= m->base_len) return end;
        if (m->t_len - end - 1 < 16 || m->base_len - src - 1 < 16) return end;
        same = dxi_pt_same8(m->t + end + 1, m->base + src + 1) + dxi_pt_same8(m->t + end + 9, m->base + src + 9);
        if (same < need) return end;
        end++;
    }
}

/* The anchors: the target scanned once against a table of base strings,
   one in DXI_PT_ANCHOR_STEP picked by their hash (so the target looks up
   only the strings picked the same way: 1 in 32, not every one, as the
   table's cache misses cost most here); a hit whose equal bytes reach
   DXI_PT_ANCHOR_MIN both ways is one (a string of it is picked: 32 are
   expected in 1 KiB), and
   it goes on across differing bytes as the scan's matches do (a rebuilt
   program's moved addresses: openblas leaves 28% of its base to sort,
   not 67%). A shorter hit skips half its length (a longer match through
   those bytes is still found further on). The work stops at about 8
   compares a target byte (long runs of one byte), leaving the rest to the
   search. */
DXI_PRIVATE dx_result dxi_pt_find_anchors(dxi_pt_matcher *m, const dx_allocator *al) {
    const uint8_t *base = m->base, *t = m->t;
    size_t i, p = 0, last_end = 0;
    uint64_t work = 0, budget = (uint64_t)m->t_len * 8 + ((uint64_t)1 << 20);
    unsigned bits;
    uint32_t *table;
    for (bits = 10; bits < 28 && ((size_t)1 << bits) < m->base_len / DXI_PT_ANCHOR_STEP * 2; bits++) {}
    m->anchor_cap = m->t_len / DXI_PT_ANCHOR_MIN + 1; /* they do not overlap in the target */
    if (!(m->anchors = (dxi_pt_match *)dxi_pt_alloc(al, m->anchor_cap * sizeof(dxi_pt_match))) ||
        !(table = (uint32_t *)dxi_pt_alloc(al, ((size_t)1 << bits) * sizeof(uint32_t))))
        return DX_ERR_NOMEM;
    DX_MEMSET(table, 0, ((size_t)1 << bits) * sizeof(uint32_t));
    for (i = 0; i + 16 <= m->base_len; i++) {
        uint64_t h = dxi_pt_hash16(base + i);
        if (DXI_PT_PICKED(h)) table[h >> (64 - bits)] = (uint32_t)i + 1;
    }
    while (p + 16 <= m->t_len && work < budget) {
        uint64_t h = dxi_pt_hash16(t + p);
        uint32_t hit = DXI_PT_PICKED(h) ? table[h >> (64 - bits)] : 0;
        size_t b = hit ? hit - 1 : 0, fwd = hit ? dxi_pt_common(base + b, t + p, dxi_pt_min_size(m->t_len - p, m->base_len - b)) : 0, back = 0;
        if (fwd < 16 || (int64_t)b - (int64_t)p < m->min_shift) { /* out of the window: left to the search */
            p++;
            continue;
        }
        while (back < DXI_PT_ANCHOR_MIN && p - back > last_end && b > back && t[p - back - 1] == base[b - back - 1]) back++;
        work += fwd + back;
        if (back + fwd < DXI_PT_ANCHOR_MIN) {
            p += fwd / 2 + 1;
            continue;
        }
        while (p - back > last_end && b > back && t[p - back - 1] == base[b - back - 1]) back++;
        fwd = dxi_pt_extend(m, p + fwd, (int64_t)b - (int64_t)p, 11) - p; /* as the scan extends its matches */
        m->anchors[m->anchor_count].at = p - back, m->anchors[m->anchor_count].end = p + fwd;
        m->anchors[m->anchor_count++].shift = (int64_t)b - (int64_t)p;
        p = last_end = p + fwd;
    }
    dxi_pt_free(al, table, ((size_t)1 << bits) * sizeof(uint32_t));
    return DX_OK;
}

/* text: the base without the grains that lie inside an anchor's base
   bytes, where that leaves out an eighth or more and there is no window;
   else the base. */
DXI_PRIVATE dx_result dxi_pt_pack(dxi_pt_matcher *m, const dx_allocator *al) {
    size_t grains = (m->base_len + DXI_PT_GRAIN - 1) / DXI_PT_GRAIN, g, k, out, runs = 0, kept = 0;
    uint8_t *out_grain = (uint8_t *)dxi_pt_alloc(al, grains);
    dx_result err = DX_OK;
    m->text = m->base, m->text_len = m->base_len;
    if (!out_grain) return DX_ERR_NOMEM;
    DX_MEMSET(out_grain, 0, grains);
    for (k = 0; k < m->anchor_count; k++) {
        size_t from = (size_t)((int64_t)m->anchors[k].at + m->anchors[k].shift), to = from + (m->anchors[k].end - m->anchors[k].at);
        for (g = (from + DXI_PT_GRAIN - 1) / DXI_PT_GRAIN; (g + 1) * DXI_PT_GRAIN <= to; g++) out_grain[g] = 1;
    }
    for (g = 0; g < grains; g++)
        if (!out_grain[g]) {
            kept += dxi_pt_min_size(DXI_PT_GRAIN, m->base_len - g * DXI_PT_GRAIN);
            runs += g == 0 || out_grain[g - 1];
        }
    /* with a window the whole base stays: openblas's kernels repeat, and where an anchor took one copy's bytes
       out, a target the window keeps from that anchor's source found no other (in place 18% larger) */
    if (kept > m->base_len - m->base_len / 8 || m->min_shift != INT64_MIN) goto done;
    m->packed = (uint8_t *)dxi_pt_alloc(al, kept ? kept : 1);
    m->seg_text = (size_t *)dxi_pt_alloc(al, (runs + 1) * sizeof(size_t));
    m->seg_base = (size_t *)dxi_pt_alloc(al, (runs + 1) * sizeof(size_t));
    if (!m->packed || !m->seg_text || !m->seg_base) { /* freed here: close frees them by sizes not yet set */
        dxi_pt_free(al, m->packed, kept ? kept : 1);
        dxi_pt_free(al, m->seg_text, (runs + 1) * sizeof(size_t));
        dxi_pt_free(al, m->seg_base, (runs + 1) * sizeof(size_t));
        m->packed = NULL, m->seg_text = m->seg_base = NULL;
        err = DX_ERR_NOMEM;
        goto done;
    }
    for (g = out = 0; g < grains; g++) {
        size_t at = g * DXI_PT_GRAIN, n = dxi_pt_min_size(DXI_PT_GRAIN, m->base_len - at);
        if (out_grain[g]) continue;
        if (g == 0 || out_grain[g - 1]) m->seg_text[m->seg_count] = out, m->seg_base[m->seg_count++] = at;
        DX_MEMCPY(m->packed + out, m->base + at, n);
        out += n;
    }
    m->seg_text[m->seg_count] = kept; /* the end, for the last segment */
    m->text = m->packed, m->text_len = kept;
done:
    dxi_pt_free(al, out_grain, grains);
    return err;
}

/* Builds the suffix array or hash table of the base for level 1..9.
   text: matches of 8 bytes at levels 7-9 (in a program they are mostly
   chance: openblas at level 9 grew 6% with them). */
DXI_PRIVATE dx_result dxi_pt_matcher_open(dxi_pt_matcher *m, unsigned level, bool text, int64_t min_shift,
                                          const uint8_t *base, size_t base_len, const uint8_t *t, size_t t_len,
                                          const dx_allocator *al) {
    size_t i, n;
    const uint8_t *x;
    DX_MEMSET(m, 0, sizeof *m);
    m->base = base, m->base_len = base_len, m->t = t, m->t_len = t_len, m->min_shift = min_shift;
    m->min_len = level >= 7 && text ? 8 : level >= 4 ? 12 : 16;
    m->skip_shift = level >= 9 ? 30 : level >= 7 ? 5 : level >= 5 ? 3 : 2; /* unmatched bytes: the step grows */
    if (base_len < 16) return DX_OK;
    if (level >= 4) {
        if (dxi_pt_find_anchors(m, al) != DX_OK || dxi_pt_pack(m, al) != DX_OK) return DX_ERR_NOMEM;
        x = m->text, n = m->text_len;
        if (n < 16) return DX_OK; /* every base byte in anchors: nothing to search */
        if (!(m->sa = (uint32_t *)dxi_pt_alloc(al, n * sizeof(uint32_t))) ||
            !(m->start = (uint32_t *)dxi_pt_alloc(al, 65537 * sizeof(uint32_t))))
            return DX_ERR_NOMEM;
        if (dxi_pt_sais(x, m->sa, (uint32_t)n, 256, false, al) != DX_OK) return DX_ERR_NOMEM;
        DX_MEMSET(m->start, 0, 65537 * sizeof(uint32_t));
        for (i = 0; i < n; i++) { /* a suffix of one byte sorts before the longer ones of its byte */
            size_t key = i + 1 < n ? ((size_t)x[i] << 8 | x[i + 1]) : (size_t)x[i] << 8;
            m->start[key + 1]++;
        }
        for (i = 0; i < 65536; i++) m->start[i + 1] += m->start[i];
        for (m->seen_bits = 16; m->seen_bits < 40 && ((uint64_t)1 << m->seen_bits) < (uint64_t)n * 8; m->seen_bits++) {}
        if (!(m->seen = (uint8_t *)dxi_pt_alloc(al, (size_t)1 << (m->seen_bits - 3)))) return DX_ERR_NOMEM;
        DX_MEMSET(m->seen, 0, (size_t)1 << (m->seen_bits - 3));
        for (i = 0; i + m->min_len <= n; i++) {
            uint64_t h = dxi_pt_hash_min(x + i, m->min_len, m->seen_bits);
            if (i + DXI_PT_SEEN_AHEAD + m->min_len <= n) /* random writes: their cache misses overlap */
                DXI_PT_PREFETCH(m->seen + (dxi_pt_hash_min(x + i + DXI_PT_SEEN_AHEAD, m->min_len, m->seen_bits) >> 3));
            m->seen[h >> 3] = (uint8_t)(m->seen[h >> 3] | 1u << (h & 7));
        }
        return DX_OK;
    }
    m->stride = level == 1 ? 8 : level == 2 ? 4 : 2;
    for (m->bits = 12; m->bits < 28 && ((size_t)1 << m->bits) < base_len / m->stride * 2; m->bits++) {}
    if (!(m->table = (uint32_t *)dxi_pt_alloc(al, ((size_t)1 << m->bits) * sizeof(uint32_t)))) return DX_ERR_NOMEM;
    DX_MEMSET(m->table, 0, ((size_t)1 << m->bits) * sizeof(uint32_t));
    for (i = 0; i + 8 <= base_len; i += m->stride) m->table[dxi_pt_hash8(base + i, m->bits)] = (uint32_t)i + 1;
    return DX_OK;
}

DXI_PRIVATE void dxi_pt_matcher_close(dxi_pt_matcher *m, const dx_allocator *al) {
    dxi_pt_free(al, m->sa, m->text_len * sizeof(uint32_t));
    dxi_pt_free(al, m->start, 65537 * sizeof(uint32_t));
    if (m->seen) dxi_pt_free(al, m->seen, (size_t)1 << (m->seen_bits - 3));
    if (m->table) dxi_pt_free(al, m->table, ((size_t)1 << m->bits) * sizeof(uint32_t));
    dxi_pt_free(al, m->anchors, m->anchor_cap * sizeof(dxi_pt_match));
    if (m->packed) {
        dxi_pt_free(al, m->packed, m->text_len ? m->text_len : 1);
        dxi_pt_free(al, m->seg_text, (m->seg_count + 1) * sizeof(size_t));
        dxi_pt_free(al, m->seg_base, (m->seg_count + 1) * sizeof(size_t));
    }
}

/* The base offset of text offset x, and how many bytes from x on are the base's too. */
DXI_PRIVATE size_t dxi_pt_text_to_base(const dxi_pt_matcher *m, size_t x, size_t *out_run) {
    size_t lo = 0, hi;
    if (!m->packed) {
        *out_run = m->base_len - x;
        return x;
    }
    hi = m->seg_count; /* the last segment whose start is at or before x */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->seg_text[mid] <= x) lo = mid;
        else hi = mid;
    }
    *out_run = m->seg_text[lo + 1] - x;
    return m->seg_base[lo] + (x - m->seg_text[lo]);
}

/* The longest match of the target at p in the base: its length, and its base offset in *out. */
DXI_PRIVATE size_t dxi_pt_longest(dxi_pt_matcher *m, size_t p, size_t *out) {
    const uint8_t *q = m->t + p, *x = m->text;
    size_t left = m->t_len - p, n = m->text_len, lo, hi, len_lo, len_hi, len, run;
    if (left < 8) return 0;
    if (m->table) {
        uint32_t hit = m->table[dxi_pt_hash8(q, m->bits)];
        size_t at = hit ? hit - 1 : 0;
        if (!hit) return 0;
        *out = at;
        return dxi_pt_common(m->base + at, q, dxi_pt_min_size(left, m->base_len - at));
    }
    while (m->anchor_next < m->anchor_count && m->anchors[m->anchor_next].end <= p) m->anchor_next++; /* p only grows */
    if (m->anchor_next < m->anchor_count && m->anchors[m->anchor_next].at <= p) { /* its bytes may be left out */
        size_t at = (size_t)((int64_t)p + m->anchors[m->anchor_next].shift);
        len = at < m->base_len ? dxi_pt_common(m->base + at, q, dxi_pt_min_size(left, m->base_len - at)) : 0;
        if (len >= m->min_len) {
            *out = at;
            return len;
        }
    }
    if (!m->sa) return 0;
    if (left >= m->min_len) {
        uint64_t h = dxi_pt_hash_min(q, m->min_len, m->seen_bits);
        if (!(m->seen[h >> 3] >> (h & 7) & 1)) return 0; /* no base string starts with these min_len bytes */
    }
    lo = m->start[(size_t)q[0] << 8 | q[1]], hi = m->start[((size_t)q[0] << 8 | q[1]) + 1];
    if (lo == hi) return 0;
    hi--;
    len_lo = dxi_pt_common(x + m->sa[lo], q, dxi_pt_min_size(left, n - m->sa[lo]));
    len_hi = dxi_pt_common(x + m->sa[hi], q, dxi_pt_min_size(left, n - m->sa[hi]));
    while (hi - lo > 1) { /* q lies between the suffixes at lo and hi; both share len_lo/len_hi bytes with it, so
                             every suffix between them shares the smaller count: the compare starts there */
        size_t mid = lo + (hi - lo) / 2, at = m->sa[mid], skip = len_lo < len_hi ? len_lo : len_hi;
        size_t c = skip + dxi_pt_common(x + at + skip, q + skip, dxi_pt_min_size(left, n - at) - skip);
        if (c == dxi_pt_min_size(left, n - at) ? n - at < left : x[at + c] < q[c]) lo = mid, len_lo = c;
        else hi = mid, len_hi = c;
    }
    len = len_lo >= len_hi ? len_lo : len_hi;
    *out = dxi_pt_text_to_base(m, len_lo >= len_hi ? m->sa[lo] : m->sa[hi], &run);
    if (len >= run) /* it runs into left-out bytes: measured again in the base */
        len = dxi_pt_common(m->base + *out, q, dxi_pt_min_size(left, m->base_len - *out));
    return len;
}

/* Scans the target up to limit, adding matches (those ending at or before
   drop are forgotten first). */
DXI_PRIVATE void dxi_pt_scan(dxi_pt_matcher *m, size_t drop, size_t limit) {
    size_t i, k;
    for (i = k = 0; i < m->nm; i++)
        if (m->m[i].end > drop) m->m[k++] = m->m[i];
    m->nm = k;
    if (m->p < drop) m->p = drop;
    if (!m->sa && !m->table && !m->anchor_count) return;
    while (m->p < limit && m->nm < DXI_PT_MATCHES) {
        size_t q = 0, len = dxi_pt_longest(m, m->p, &q), at = m->p, noisy;
        int64_t s = (int64_t)q - (int64_t)m->p;
        if (len < m->min_len) {
            m->p += 1 + (m->misses++ >> m->skip_shift);
            continue;
        }
        m->misses = 0;
        while (at > m->covered && at > 0 && (int64_t)at + s > 0 && m->t[at - 1] == m->base[(size_t)((int64_t)at + s) - 1]) at--;
        /* the match ends where fewer than 8 of 16 bytes agree; the scan goes on where fewer than 11 do: another
           source may fit that stretch better (openblas pthread -> openmp 6% smaller, libcrypto and libpython 3%) */
        noisy = dxi_pt_extend(m, m->p + len, s, 11);
        m->m[m->nm].at = at, m->m[m->nm].end = dxi_pt_extend(m, noisy, s, 8), m->m[m->nm].shift = s;
        m->nm++;
        m->covered = m->p = noisy;
    }
}

/* ---- shift-resilient diff with CARRY: blocks split between sources ----
   A block that differs from the base at the carried shift gets candidate
   shifts: first the carried one and the same offset; where those leave many
   bytes different, also the shifts its windows vote for in the index. A
   dynamic program over its bytes picks, for each byte, the candidate it is
   taken from, minimising an estimate of the encoded size: a stored byte
   costs 1, a run header 2, a change of source 4. The segments it finds
   become one COPY record (one segment) or a SPLIT. */

#define DXI_PT_CANDS 16             /* candidate shifts per changed block, at most (cfg.level: 6 + level) */
#define DXI_PT_SPLIT_MAX 16384u     /* CARRY for blocks up to this size (the program's memory is 20 bytes a byte) */
#define DXI_PT_SWITCH 48            /* the estimated cost of a new segment (length, delta, run count), in
                                       quarter bytes (12 bytes): about their raw bytes, though they compress
                                       in the stream (measured: 16 lost 2.5% on a tar of C++ headers; with
                                       ANCHORS' cheap deltas 48 against 32: cc1 x86-64 -> aarch64 -0.25%,
                                       openblas -0.3%, libpython -0.4%, libcrypto +0.15%) */
#define DXI_PT_DIFF 4               /* a stored difference from a source: moved code's addresses, which repeat */
#define DXI_PT_DIFF_NOISE 6         /* the same in a new version (compressed, and new bytes are 1/8 or more of
                                       the target so far, DXI_PT_NEW_SHARE): changed code, whose differences
                                       are noise; libLLVM 14 -> 15 3.3% smaller, cc1 for x86-64 -> aarch64
                                       0.7% (5 and 7: larger); where few bytes are new (a rebuild, moved code:
                                       openblas, libcrypto) 6 took 13-48% more, so those keep 4 */
#define DXI_PT_NEW_SHARE 8
#define DXI_PT_LIT 3                /* a new byte stored as it is (LITERAL): compresses better than noise */
#define DXI_PT_LIT_TEXT 1           /* the same where the target is text: compresses 4:1 or better at zstd
                                       1, or is printable where it is not NUL (a tar of sources: 3.5:1;
                                       programs at 3:1 lose with this cost) */
#define DXI_PT_RUN 8                /* a run's header (X86: 6 at a mark and 8 or 9 elsewhere were within 0.4%,
                                       libcrypto larger, openblas smaller) */
#define DXI_PT_ZERO 1               /* a byte that matches, stored inside a run (a zero: compresses well) */
#define DXI_PT_INF 0x3fffffffu

typedef struct dxi_pt_shifter {
    dxi_pt_index index;  /* blocks over 16 KiB: built at the first block that needs it */
    dxi_pt_matcher matcher; /* CARRY: built at the first block that needs it (edits in place never do) */
    bool matching;       /* the matcher is built */
    unsigned level;      /* 1..9 */
    size_t cands;        /* candidates per block */
    int64_t literal;     /* LITERAL: the shift whose sources all lie past the base's end (zeros), else INT64_MIN */
    uint32_t lit_cost;   /* the program's cost of a new byte (quarter bytes) */
    uint32_t diff_cost;  /* and of a difference from a source: DXI_PT_DIFF, or _NOISE in a new version */
    bool adapt;          /* diff_cost follows the share of new bytes so far (compressed patches) */
    uint64_t lit_bytes;  /* target bytes taken from the literal source so far */
    const dx_allocator *allocator;
    int64_t min_shift;   /* with a window: -window (sources at most that far behind) */
    int64_t carried;     /* the last shift: with CARRY blocks without a record come from base offset + carried;
                            without, the next COPY record's delta starts from it */
    uint8_t *back;       /* block_size x 2 x DXI_PT_CANDS back pointers of the program, */
    uint32_t *eq;        /* then block_size masks of the candidates whose source byte is the target's */
    size_t back_size;
} dxi_pt_shifter;

/* The base byte that target offset pos takes with shift s: zero past the end. */
DXI_PRIVATE uint8_t dxi_pt_src_byte(const uint8_t *base, size_t base_len, int64_t pos, int64_t s) {
    int64_t at = pos + s;
    return at >= 0 && (uint64_t)at < base_len ? base[at] : 0;
}

/* Bytes of t[0..n) equal to the base at shift s: the block needs no record. */
DXI_PRIVATE bool dxi_pt_same_at(const uint8_t *base, size_t base_len, size_t off, int64_t s, const uint8_t *t, size_t n) {
    int64_t at = (int64_t)off + s;
    size_t i;
    if (at >= 0 && (uint64_t)at <= base_len && n <= base_len - (size_t)at) return DX_MEMCMP(base + at, t, n) == 0;
    for (i = 0; i < n; i++)
        if (t[i] != dxi_pt_src_byte(base, base_len, (int64_t)(off + i), s)) return false;
    return true;
}

DXI_PRIVATE size_t dxi_pt_zigzag_size(int64_t v) { return dxi_pt_put_varint(NULL, dxi_pt_zigzag(v)); }

/* The candidate shifts of the block t[0..tn) at off (t_avail target bytes
   from t): the carried one, the same offset, the literal shift, then the
   shifts of the matches that cover most of the block and the bytes just
   after it (the shift after an insertion near the block's end). */
DXI_PRIVATE size_t dxi_pt_candidates(dxi_pt_shifter *sh, size_t off, size_t tn, size_t t_avail, int64_t *cand) {
    dxi_pt_matcher *m = &sh->matcher;
    size_t k = 0, i, j, lo = off, hi = off + (size_t)dxi_pt_min(tn + DXI_PT_WINDOW, t_avail);
    size_t cover[DXI_PT_MATCHES];
    cand[k++] = sh->carried;
    if (sh->carried != 0) cand[k++] = 0; /* the same offset: always a valid source */
    if (sh->literal != INT64_MIN && sh->carried != sh->literal) cand[k++] = sh->literal;
    dxi_pt_scan(m, off, hi);
    for (i = 0; i < m->nm; i++) {
        size_t a = m->m[i].at > lo ? m->m[i].at : lo, b = m->m[i].end < hi ? m->m[i].end : hi;
        cover[i] = b > a && m->m[i].shift >= sh->min_shift ? b - a : 0;
    }
    while (k < sh->cands) { /* the shifts covering most bytes, not taken yet */
        size_t pick = m->nm;
        for (i = 0; i < m->nm; i++)
            if (cover[i] && (pick == m->nm || cover[i] > cover[pick])) pick = i;
        if (pick == m->nm) break;
        cover[pick] = 0;
        for (j = 0; j < k && cand[j] != m->m[pick].shift; j++) {}
        if (j == k) cand[k++] = m->m[pick].shift;
    }
    return k;
}

/* e[i] |= bit where a[i] == b[i], for i < n. In pieces of 32 through local copies: compilers
   vectorize that at -O2 (gcc 12: 16-byte vectors), where a loop of any length over pointers that may
   alias they do not (a fifth of the program's time on the C++ headers tar). */
DXI_PRIVATE void dxi_pt_eq_bits(uint32_t *e, const uint8_t *a, const uint8_t *b, size_t n, uint32_t bit) {
    size_t i = 0, j;
    for (; i + 32 <= n; i += 32) {
        uint8_t x[32], y[32];
        uint32_t m[32];
        DX_MEMCPY(x, a + i, 32), DX_MEMCPY(y, b + i, 32), DX_MEMCPY(m, e + i, sizeof m);
        for (j = 0; j < 32; j++) m[j] |= x[j] == y[j] ? bit : 0;
        DX_MEMCPY(e + i, m, sizeof m);
    }
    for (; i < n; i++) e[i] |= a[i] == b[i] ? bit : 0;
}

/* The program: for each byte and candidate, the cheapest cost with the
   byte outside (state 0) or inside (state 1) a run of stored bytes; back
   pointers say which state came before. Fills seg_at/seg_shift (at most
   max_segs, the rest merged into the last) and returns the segment count;
   0 without the walk back where the cost passes redo_above or the next
   block comes from elsewhere (the caller runs it again with more
   candidates; DXI_PT_NO_REDO: never), and without the program where the
   bytes no candidate's source equals cost more than redo_above already. */
#define DXI_PT_NO_REDO 0xffffffffu
DXI_PRIVATE size_t dxi_pt_segment(dxi_pt_shifter *sh, const uint8_t *base, size_t base_len, size_t off,
                                  const uint8_t *t, size_t n, size_t t_avail, const int64_t *cand, size_t k,
                                  size_t *seg_at, int64_t *seg_shift, size_t max_segs, uint32_t redo_above,
                                  uint32_t *out_cost, bool *out_goes_on) {
    uint32_t costs[2][2 * DXI_PT_CANDS] = {{0}}, *cost = costs[0], *next = costs[1], *swap; /* cost: the first 2k are set (gcc cannot tell) */
    size_t i, c, ns = 2 * k, best, segs = 0, state, next_idx = 0;
    size_t first[DXI_PT_CANDS], switch_len[DXI_PT_CANDS]; /* bytes [first, first + switch_len) may start a segment */
    uint32_t stored[DXI_PT_CANDS]; /* a byte stored from each candidate's source that differs */
    uint32_t next_min = DXI_PT_INF; /* byte 0 starts no new segment: its gmin is not used */
    uint32_t *eq = sh->eq;
    bool goes_on[DXI_PT_CANDS] = {false}; /* set for every candidate: gcc -O1 cannot tell */
    for (c = 0; c < k; c++) { /* a record starts with cand[c]: its delta's size */
        int64_t at = (int64_t)off + cand[c];
        cost[2 * c] = at >= 0 && ((uint64_t)at <= base_len || cand[c] <= 0 || cand[c] == sh->literal)
                          ? (uint32_t)(c == 0 ? 0 : 4 * dxi_pt_zigzag_size(cand[c] - sh->carried)) : DXI_PT_INF;
        cost[2 * c + 1] = DXI_PT_INF;
        stored[c] = cand[c] == sh->literal ? sh->lit_cost : sh->diff_cost;
    }
    /* which candidates' sources equal each target byte (a bit each), in one pass a candidate: a
       compare loop the compiler vectorizes, not a bounds check a byte and a candidate in the program */
    DX_MEMSET(eq, 0, n * sizeof eq[0]);
    for (c = 0; c < k; c++) {
        int64_t at = (int64_t)off + cand[c];
        uint32_t bit = 1u << c;
        size_t lo = at >= 0 ? 0 : (size_t)dxi_pt_min(n, (uint64_t)-at), hi = lo, end;
        const uint8_t *tt = t + lo;
        uint32_t *e = eq + lo;
        if (at < (int64_t)base_len) hi = (size_t)dxi_pt_max(lo, dxi_pt_min(n, (uint64_t)((int64_t)base_len - at)));
        /* a new segment may start at byte i where its source lies within the base (or on a zero or literal
           shift); below the base's start (at < 0) the states stay INF: they start at INF and never switch */
        end = cand[c] <= 0 || cand[c] == sh->literal ? n
              : (uint64_t)at <= base_len ? (size_t)dxi_pt_min(n, base_len - (uint64_t)at + 1) : 0;
        first[c] = lo, switch_len[c] = end > lo ? end - lo : 0;
        if (hi > lo) dxi_pt_eq_bits(e, tt, base + (size_t)(at + (int64_t)lo), hi - lo, bit);
        for (i = hi; i < n; i++) eq[i] |= t[i] == 0 ? bit : 0;
    }
    if (redo_above != DXI_PT_NO_REDO) { /* each byte no candidate's source equals costs at least the least stored */
        uint32_t least = DXI_PT_INF, lower = 0;
        for (c = 0; c < k; c++) least = stored[c] < least ? stored[c] : least;
        for (i = 0; i < n && lower <= redo_above; i++) lower += eq[i] == 0 ? least : 0;
        if (lower > redo_above) return *out_cost = lower, *out_goes_on = false, 0; /* it would be done again */
    }
    for (i = 0; i < n; i++) {
        uint8_t *back = sh->back + i * ns;
        uint32_t gmin = next_min, same = eq[i];
        size_t gidx = next_idx; /* the cheapest state after byte i - 1 (first of equals), found as they were set */
        next_min = DXI_PT_INF, next_idx = 0;
        for (c = 0; c < k; c++) {
            uint32_t a = cost[2 * c], b = cost[2 * c + 1], na, nb, bc = stored[c];
            uint8_t from_a = (uint8_t)(2 * c), from_b = (uint8_t)(2 * c + 1);
            /* a new segment from here: its source must be valid (byte 0: gmin is INF, so never) */
            if (i - first[c] < switch_len[c] && gidx / 2 != c && gmin + DXI_PT_SWITCH < a)
                a = gmin + DXI_PT_SWITCH, from_a = (uint8_t)gidx;
            if (same >> c & 1) {
                na = a < b ? a : b;
                back[2 * c] = a < b ? from_a : from_b;
                nb = b + DXI_PT_ZERO < a + DXI_PT_RUN + DXI_PT_ZERO ? b + DXI_PT_ZERO : a + DXI_PT_RUN + DXI_PT_ZERO;
                back[2 * c + 1] = b + DXI_PT_ZERO < a + DXI_PT_RUN + DXI_PT_ZERO ? from_b : from_a;
            } else {
                na = DXI_PT_INF;
                back[2 * c] = from_a;
                nb = b + bc < a + DXI_PT_RUN + bc ? b + bc : a + DXI_PT_RUN + bc;
                back[2 * c + 1] = b + bc < a + DXI_PT_RUN + bc ? from_b : from_a;
            }
            nb = nb < DXI_PT_INF ? nb : DXI_PT_INF; /* na is at most a or b, or INF */
            next[2 * c] = na, next[2 * c + 1] = nb;
            if (na < next_min) next_min = na, next_idx = 2 * c;
            if (nb < next_min) next_min = nb, next_idx = 2 * c + 1;
        }
        swap = cost, cost = next, next = swap; /* not a copy: a memcpy of 2k words a byte took a quarter of the time */
    }
    /* the next block comes from the last shift unless it has a record: a
       shift whose source goes on matching the bytes after the block wins ties */
    for (c = 0; c < k; c++) {
        size_t ahead = (size_t)dxi_pt_min(DXI_PT_WINDOW, t_avail - n);
        size_t differ = 0;
        for (i = 0; i < ahead; i++) differ += t[n + i] != dxi_pt_src_byte(base, base_len, (int64_t)(off + n + i), cand[c]);
        goes_on[c] = differ < 8; /* a few changed bytes are an edit; most of them, data from elsewhere */
        if (!goes_on[c]) cost[2 * c] += DXI_PT_SWITCH, cost[2 * c + 1] += DXI_PT_SWITCH; /* the next block's record */
    }
    for (best = 0, c = 1; c < ns; c++)
        if (cost[c] < cost[best]) best = c;
    *out_cost = cost[best];
    *out_goes_on = goes_on[best / 2];
    if (redo_above != DXI_PT_NO_REDO && (cost[best] > redo_above || !goes_on[best / 2])) return 0;
    /* walk back: a change of candidate between byte i-1's state and byte i's is a segment start at i */
    for (state = best, i = n; i-- > 0;) {
        size_t prev = sh->back[i * ns + state];
        if (i == 0 || prev / 2 != state / 2) {
            if (segs < max_segs) seg_at[segs] = i, seg_shift[segs] = cand[state / 2], segs++;
            else seg_at[segs - 1] = i, seg_shift[segs - 1] = cand[state / 2]; /* too many: merge into the earliest */
        }
        state = prev;
    }
    for (i = 0; i < segs / 2; i++) { /* found back to front */
        size_t ta = seg_at[i];
        int64_t ts = seg_shift[i];
        seg_at[i] = seg_at[segs - 1 - i], seg_shift[i] = seg_shift[segs - 1 - i];
        seg_at[segs - 1 - i] = ta, seg_shift[segs - 1 - i] = ts;
    }
    return segs;
}

/* One changed block of a CARRY patch: a COPY or SPLIT record, or ZERO/RAW
   where those are smaller. d is block-size scratch. */
DXI_PRIVATE void dxi_pt_carry_block(dxi_pt_writer *w, dxi_pt_shifter *sh, const uint8_t *base, size_t base_len,
                                    size_t block, size_t off, const uint8_t *t, size_t tn, size_t t_avail, uint8_t *d) {
    int64_t cand[DXI_PT_CANDS], seg_shift[DXI_PT_SEGS_MAX];
    size_t seg_at[DXI_PT_SEGS_MAX], k = 0, segs, i, s, size;
    uint32_t cost, redo_above;
    bool all_zero = true, goes_on, coded[DXI_PT_SEGS_MAX];
    dxi_pt_plan plan;
    for (i = 0; i < tn && all_zero; i++) all_zero = t[i] == 0;
    if (sh->adapt && off >= (1u << 20)) /* after a MiB: what kind of change this is */
        sh->diff_cost = sh->lit_bytes * DXI_PT_NEW_SHARE >= off ? DXI_PT_DIFF_NOISE : DXI_PT_DIFF;
    /* first the carried shift and the same offset: edits in place need nothing else */
    cand[k++] = sh->carried;
    if (sh->carried != 0) cand[k++] = 0;
    /* more than one byte in 8 differs, or the bytes after the block come from
       elsewhere (an insertion near its end): look for it in the base */
    redo_above = sh->level >= 4 ? 16 : (uint32_t)tn / 2 + 32;
    segs = dxi_pt_segment(sh, base, base_len, off, t, tn, t_avail, cand, k, seg_at, seg_shift, DXI_PT_SEGS_MAX,
                          redo_above, &cost, &goes_on);
    if (segs == 0) {
        if (!sh->matching) {
            sh->matching = true;
            if (dxi_pt_matcher_open(&sh->matcher, sh->level, sh->lit_cost == DXI_PT_LIT_TEXT, sh->min_shift, base,
                                    base_len, t - off, off + t_avail, sh->allocator) != DX_OK) {
                w->error = DX_ERR_NOMEM;
                return;
            }
        }
        k = dxi_pt_candidates(sh, off, tn, t_avail, cand);
        segs = dxi_pt_segment(sh, base, base_len, off, t, tn, t_avail, cand, k, seg_at, seg_shift, DXI_PT_SEGS_MAX,
                              DXI_PT_NO_REDO, &cost, &goes_on);
    }
    for (s = 0; s < segs; s++) {
        size_t end = s + 1 < segs ? seg_at[s + 1] : tn;
        if (seg_shift[s] == sh->literal) sh->lit_bytes += end - seg_at[s];
        for (i = seg_at[s]; i < end; i++) /* bytewise differences: shifted addresses repeat them */
            d[i] = (uint8_t)(t[i] - dxi_pt_src_byte(base, base_len, (int64_t)(off + i), seg_shift[s]));
    }
#ifdef DXI_PT_DEBUG
    {
        static size_t lit, dif, nz, nsegs, blocks;
        for (s = 0; s < segs; s++) {
            size_t end = s + 1 < segs ? seg_at[s + 1] : tn;
            for (i = seg_at[s]; i < end; i++) {
                if (seg_shift[s] == sh->literal) lit++;
                else if (d[i]) dif++;
            }
        }
        nsegs += segs, blocks++;
        if ((blocks & 255) == 0 || off + tn >= sh->matcher.t_len) fprintf(stderr, "blocks %zu segs %zu lit %zu diff %zu k %zu nm %zu\n", blocks, nsegs, lit, dif, k, sh->matcher.nm);
        (void)nz;
    }
#endif
    for (s = 0; s < segs; s++) { /* X86: a segment whose source lies in the base counts marks, words at them */
        coded[s] = (int64_t)(off + seg_at[s]) + seg_shift[s] < (int64_t)base_len;
        if (coded[s] && (w->flags & DX_PATCH_FLAG_X86))
            dxi_pt_x86_words(t + seg_at[s], d + seg_at[s], (s + 1 < segs ? seg_at[s + 1] : tn) - seg_at[s]);
    }
    if (segs > 1)
        dxi_pt_plan_split(&plan, sh->carried, seg_at, seg_shift, segs, sh->literal, d, tn,
                          (w->flags & DX_PATCH_FLAG_X86) ? t : NULL, coded);
    else
        dxi_pt_plan_copy(&plan, seg_shift[0] - sh->carried, d, tn, seg_shift[0] == sh->literal,
                         (w->flags & DX_PATCH_FLAG_X86) ? t : NULL, coded[0]);
    size = dxi_pt_measure(w, block, &plan);
    if (all_zero || size > tn + 20) { /* the block becomes zeros, or its own bytes are smaller */
        if (all_zero) dxi_pt_plan_zero(&plan);
        else dxi_pt_plan_raw(&plan, t, tn);
        dxi_pt_write(w, block, &plan, dxi_pt_measure(w, block, &plan));
        return;
    }
    dxi_pt_write(w, block, &plan, size);
    sh->carried = seg_shift[segs - 1];
}

/* One changed block without CARRY: COPY where shift mode finds it better
   elsewhere in the base, else XOR, or with one_way ZERO or RAW where
   those are smaller. b and t are the zero-padded blocks of n bytes (tn
   of them the target's); d and tmp_b are block-size scratch. */
DXI_PRIVATE void dxi_pt_plain_block(dxi_pt_writer *w, dxi_pt_shifter *sh, const uint8_t *base, size_t base_len,
                                    size_t block, size_t off, const uint8_t *b, const uint8_t *t, size_t n, size_t tn,
                                    uint8_t *d, uint8_t *tmp_b) {
    dxi_pt_plan plan;
    size_t i;
    bool all_zero = true;
    if (w->cfg->shift && tn) { /* is this block better found elsewhere in the base? */
        size_t cost, src = dxi_pt_best_source(&sh->index, base, base_len, off, sh->carried, t, n, &cost);
        if (src != off) {
            const uint8_t *from = dxi_pt_padded(base, base_len, src, n, tmp_b);
            for (i = 0; i < n; i++) d[i] = (uint8_t)(from[i] ^ t[i]);
            dxi_pt_plan_copy(&plan, (int64_t)src - (int64_t)off - sh->carried, d, n, false, NULL, false);
            dxi_pt_write(w, block, &plan, dxi_pt_measure(w, block, &plan));
            sh->carried = (int64_t)src - (int64_t)off; /* the next COPY's delta starts from here */
            return;
        }
    }
    for (i = 0; i < n; i++) d[i] = (uint8_t)(b[i] ^ t[i]);
    dxi_pt_plan_xor(&plan, b, d, n);
    for (i = 0; i < tn && all_zero; i++) all_zero = t[i] == 0;
    if (w->cfg->one_way && all_zero) dxi_pt_plan_zero(&plan);                       /* the block becomes zeros */
    else if (w->cfg->one_way && (plan.enc[0] > tn + 20 || w->raw_only)) dxi_pt_plan_raw(&plan, t, tn); /* XOR does not help */
    dxi_pt_write(w, block, &plan, dxi_pt_measure(w, block, &plan));
}

/* Checks the config and allocates the writer's scratch (and zstd's context,
   the shift mode's program and index); dxi_pt_writer_close frees them. */
#if defined(DX_PATCH_WITH_ZSTD)
/* The target's middle MiB (or all of a smaller one): its size at zstd 1
   in *out_z (the sample's size where zstd fails), its length returned;
   0 without memory. */
DXI_PRIVATE size_t dxi_pt_sample(const uint8_t *target, size_t target_len, const dx_allocator *al, size_t *out_z) {
    size_t sample = (size_t)dxi_pt_min(target_len, (size_t)1 << 20), cb = ZSTD_compressBound(sample), n;
    void *tmp = dxi_pt_alloc(al, cb);
    if (!tmp) return 0;
    n = ZSTD_compress(tmp, cb, target + (target_len - sample) / 2, sample, 1);
    dxi_pt_free(al, tmp, cb);
    *out_z = ZSTD_isError(n) ? sample : n;
    return sample;
}

/* Whether the target is text, by its middle MiB: 2 where it is printable
   where it is not NUL (a tar's headers and padding), 1 where it only
   compresses 4:1 or better at zstd 1 (a program's tables: text's costs
   suit it, DICT frames do not: cc1 3% larger, in twice the time), else 0;
   -1: no memory. */
DXI_PRIVATE int dxi_pt_text(const uint8_t *target, size_t target_len, const dx_allocator *al) {
    size_t n = 0, sample = dxi_pt_sample(target, target_len, al, &n), i;
    size_t printable = 0, nul = 0;
    const uint8_t *mid = target + (target_len - sample) / 2;
    if (sample == 0 && target_len) return -1;
    for (i = 0; i < sample; i++)
        printable += (mid[i] >= 0x20 && mid[i] < 0x7f) || mid[i] == '\n' || mid[i] == '\t' || mid[i] == '\r',
            nul += mid[i] == 0;
    return printable * 10 >= (sample - nul) * 9 ? 2 : n * 4 < sample;
}
#endif

/* X86 by default: the target is an x86 program, library or object (its
   header: ELF type 1-3 and machine 3 or 62, PE machine 0x14c or 0x8664,
   Mach-O CPU 7 or 0x1000007, little-endian). Elsewhere (a core file too:
   mostly data) marks would only cost skips a bit each. */
DXI_PRIVATE bool dxi_pt_is_x86(const uint8_t *t, size_t n) {
    uint32_t pe;
    if (n >= 20 && DX_MEMCMP(t, "\177ELF", 4) == 0 && t[5] == 1) /* an object, program or library; not a core */
        return dx_load_u16le(t + 16) >= 1 && dx_load_u16le(t + 16) <= 3 &&
               (dx_load_u16le(t + 18) == 3 || dx_load_u16le(t + 18) == 62);
    if (n >= 64 && t[0] == 'M' && t[1] == 'Z' && (pe = dx_load_u32le(t + 60)) <= n - 6 && DX_MEMCMP(t + pe, "PE\0\0", 4) == 0)
        return dx_load_u16le(t + pe + 4) == 0x14c || dx_load_u16le(t + pe + 4) == 0x8664;
    if (n >= 8 && (dx_load_u32le(t) == 0xfeedfaceu || dx_load_u32le(t) == 0xfeedfacfu))
        return dx_load_u32le(t + 4) == 7 || dx_load_u32le(t + 4) == 0x1000007u;
    return false;
}

DXI_PRIVATE dx_result dxi_pt_writer_open(dxi_pt_writer *w, dxi_pt_shifter *sh, const dx_patch_config *cfg,
                                         const uint8_t *base, size_t base_len, const uint8_t *target,
                                         size_t target_len, uint8_t *out, size_t cap) {
    uint32_t flags = 0;
    bool carry;
    DX_MEMSET(w, 0, sizeof *w);
    DX_MEMSET(sh, 0, sizeof *sh);
    w->cfg = cfg;
    w->out = out;
    w->cap = cap;
    w->target_len = target_len;
    w->block_size = DXI_DEF(cfg->block_size, (uint32_t)DX_PATCH_DEFAULT_BLOCK);
    w->frame_size = DXI_DEF(cfg->frame_size, cfg->zstd_level ? (uint32_t)DX_PATCH_DEFAULT_ZSTD_FRAME
                                                              : (uint32_t)DX_PATCH_DEFAULT_FRAME);
    sh->allocator = &cfg->allocator;
    if (!dxi_pt_pow2(w->block_size) || w->block_size < DX_PATCH_BLOCK_MIN || w->block_size > DX_PATCH_BLOCK_MAX ||
        w->frame_size > (size_t)DX_PATCH_BLOCK_MAX + DX_PATCH_FRAME_SLACK)
        return DX_ERR_INVAL;
    if (cfg->shift && !DXI_PT_SHIFT) return DX_ERR_UNSUPPORTED; /* DX_PATCH_NO_SHIFT */
    if (cfg->shift && (uint64_t)base_len > 0xfffffff0u) return DX_ERR_LIMIT; /* the index holds u32 offsets */
    if (w->frame_size < w->block_size + DX_PATCH_FRAME_SLACK) w->frame_size = w->block_size + DX_PATCH_FRAME_SLACK;
    w->frame_max = w->frame_size;
    if (cap < DX_PATCH_HEADER_SIZE) return DX_ERR_NOSPACE;
    if (!cfg->no_witness) flags |= DX_PATCH_FLAG_WITNESS;
    if (cfg->one_way || cfg->shift) flags |= DX_PATCH_FLAG_ONE_WAY;
    if (cfg->shift) flags |= DX_PATCH_FLAG_COPY;
    carry = cfg->shift && w->block_size <= DXI_PT_SPLIT_MAX; /* larger blocks: COPY records against one source */
    if (carry) flags |= DX_PATCH_FLAG_CARRY;
    if (cfg->window && (!carry || !dxi_pt_pow2(cfg->window)))
        return DX_ERR_INVAL; /* a power of two, for shift blocks up to 16 KiB */
    if (cfg->window) flags |= DX_PATCH_FLAG_WINDOW;
    if (carry) flags |= DX_PATCH_FLAG_LITERAL;
    if (carry && (cfg->x86 > 0 || (cfg->x86 == 0 && dxi_pt_is_x86(target, target_len)))) flags |= DX_PATCH_FLAG_X86;
    if (cfg->prefix && (!cfg->shift || !cfg->zstd_level || (cfg->window && !cfg->dict) || cfg->prefix > DX_PATCH_PREFIX_MAX))
        return DX_ERR_INVAL; /* a base prefix for zstd frames: the shift mode, compressed, out of place */
    if (cfg->dict && (!cfg->prefix || !carry)) return DX_ERR_INVAL; /* dictionaries of replaced bytes: a PREFIX kind */
    if (cfg->dict && !DXI_PT_COLUMNS) return DX_ERR_UNSUPPORTED; /* DX_PATCH_NO_COLUMNS */
    w->base = base, w->base_len = base_len;
    dxi_pt_shifts_init(&w->sh, base_len), w->dict.sh = w->sh;
    if (carry) flags |= DX_PATCH_FLAG_ANCHORS; /* deltas from the anchors */
    if (cfg->level < 0 || cfg->level > 9) return DX_ERR_INVAL;
    sh->level = (unsigned)DXI_DEF(cfg->level, 6);
    sh->cands = (size_t)dxi_pt_min(6 + (uint64_t)sh->level, DXI_PT_CANDS);
    sh->literal = carry ? (int64_t)base_len : INT64_MIN; /* a source at o + base length: past the end, zeros */
    /* stored as they are, new bytes compress better than noise; uncompressed they cost the same */
    sh->lit_cost = cfg->zstd_level ? DXI_PT_LIT : DXI_PT_DIFF;
    sh->diff_cost = DXI_PT_DIFF, sh->adapt = cfg->zstd_level != 0; /* uncompressed, every stored byte costs one */
    w->scratch_cap = 3 * (size_t)w->block_size;
#if defined(DX_PATCH_WITH_ZSTD)
    if (cfg->zstd_level) {
        flags |= DX_PATCH_FLAG_ZSTD | (DXI_PT_COLUMNS ? (uint32_t)DX_PATCH_FLAG_COLUMNS : 0u); /* columns pay where frames are compressed */
        if (carry && DXI_PT_COLUMNS) flags |= DX_PATCH_FLAG_NEWBYTES; /* new bytes apart from the differences */
        w->scratch_cap += ZSTD_compressBound(w->frame_size);
        if (!(w->cctx = ZSTD_createCCtx())) return DX_ERR_NOMEM;
        if (cfg->prefix && base_len) { /* frames of their own, each with its base range */
            flags |= DX_PATCH_FLAG_PREFIX;
            w->scratch_cap += DX_PATCH_PREFIX_SIZE;
            if (cfg->dict) { /* two zstd frames and a head, and the dictionary */
                flags |= DX_PATCH_FLAG_DICT;
                w->scratch_cap += 256;
                w->dict_cap = (size_t)dxi_pt_min(cfg->prefix, base_len);
                if (cfg->window && cfg->window < w->dict_cap) w->dict_cap = cfg->window; /* the window bounds both */
                if (!(w->dict_buf = (uint8_t *)dxi_pt_alloc(&cfg->allocator, w->dict_cap))) return DX_ERR_NOMEM;
            }
        } else if (w->frame_size >= (size_t)w->block_size + 2 * DX_PATCH_FRAME_SLACK) { /* room for the stream's overhead */
            uint64_t total = dx_patch_bound(base_len, target_len, cfg);
            int wlog = 10;
            while (wlog < DX_PATCH_STREAM_WRITE_LOG && wlog < DX_PATCH_STREAM_WINDOW_LOG && ((uint64_t)1 << wlog) < total)
                wlog++;
            flags |= DX_PATCH_FLAG_STREAM;
            if (ZSTD_isError(ZSTD_CCtx_setParameter((ZSTD_CCtx *)w->cctx, ZSTD_c_compressionLevel, cfg->zstd_level)) ||
                ZSTD_isError(ZSTD_CCtx_setParameter((ZSTD_CCtx *)w->cctx, ZSTD_c_windowLog, wlog)))
                return DX_ERR_INVAL;
            w->frame_size -= DX_PATCH_FRAME_SLACK; /* a frame's piece may be a little larger than its raw bytes */
        }
        if (carry && target_len >= 4096) { /* new bytes that compress well (text) are cheap: take them as they are
                                              more readily */
            int text = dxi_pt_text(target, target_len, &cfg->allocator);
            if (text < 0) return DX_ERR_NOMEM;
            if (text) sh->lit_cost = DXI_PT_LIT_TEXT;
        }
    }
#else
    if (cfg->zstd_level) return DX_ERR_UNSUPPORTED; /* define DX_PATCH_WITH_ZSTD and link libzstd */
#endif
    w->flags = flags;
    if (!(w->scratch = (uint8_t *)dxi_pt_alloc(&cfg->allocator, w->scratch_cap))) return DX_ERR_NOMEM;
    w->job.buf = w->scratch;
#if defined(DX_PATCH_WITH_ZSTD)
    if (w->cctx && cfg->thread_start && cfg->thread_join) { /* frames compressed on a second thread: rooms of their
                                                                own (the scratch's is the next frame's) */
        if (!(w->job.buf = (uint8_t *)dxi_pt_alloc(&cfg->allocator, DXI_PT_JOB_FRAMES * (w->scratch_cap - 3 * (size_t)w->block_size))))
            return DX_ERR_NOMEM;
    }
#endif
    sh->min_shift = cfg->window ? -(int64_t)cfg->window : INT64_MIN;
    if (carry) {
        sh->back_size = (size_t)w->block_size * (2 * DXI_PT_CANDS + sizeof(uint32_t));
        if (!(sh->back = (uint8_t *)dxi_pt_alloc(&cfg->allocator, sh->back_size))) return DX_ERR_NOMEM;
        sh->eq = (uint32_t *)(void *)(sh->back + (size_t)w->block_size * 2 * DXI_PT_CANDS);
    } else if (cfg->shift && dxi_pt_index_build(&sh->index, base, base_len, &cfg->allocator) != DX_OK) {
        return DX_ERR_NOMEM;
    }
    w->pos = DX_PATCH_HEADER_SIZE;
    return DX_OK;
}

DXI_PRIVATE void dxi_pt_writer_close(dxi_pt_writer *w, dxi_pt_shifter *sh) {
    const dx_allocator *al = &w->cfg->allocator;
    if (w->job.busy) w->cfg->thread_join(w->cfg->thread_user, w->job.handle); /* not reached: waited for */
    if (w->job.buf && w->job.buf != w->scratch)
        dxi_pt_free(al, w->job.buf, DXI_PT_JOB_FRAMES * (w->scratch_cap - 3 * (size_t)w->block_size));
    dxi_pt_free(al, w->scratch, w->scratch_cap);
    dxi_pt_free(al, w->dict_buf, w->dict_cap);
    dxi_pt_free(al, sh->index.slots, sh->index.count * sizeof(uint32_t));
    dxi_pt_free(al, sh->back, sh->back_size);
    if (sh->matching) dxi_pt_matcher_close(&sh->matcher, al);
#if defined(DX_PATCH_WITH_ZSTD)
    if (w->cctx) ZSTD_freeCCtx((ZSTD_CCtx *)w->cctx);
#endif
}

/* dx_patch_diff; raw_only: see dxi_pt_writer; *out_new_bytes (if not NULL): the target bytes the shift
   mode took as new bytes (its literal source) */
DXI_PRIVATE int64_t dxi_pt_diff(const dx_patch_config *cfg, const uint8_t *base, size_t base_len, const uint8_t *target,
                                size_t target_len, uint8_t *out, size_t cap, bool raw_only, uint64_t *out_new_bytes) {
    static const dx_patch_config defaults = {0, 0, 0, false, false, false, 0, 0, 0, false, 0, 0, {NULL, NULL, NULL}, NULL, NULL,
                                             NULL, NULL, NULL};
    dxi_pt_writer w;
    dxi_pt_shifter sh;
    dx_result err;
    size_t len = base_len > target_len ? base_len : target_len, block, blocks;
    if ((!base && base_len) || (!target && target_len) || !out) return DX_ERR_INVAL;
    err = dxi_pt_writer_open(&w, &sh, cfg ? cfg : &defaults, base, base_len, target, target_len, out, cap);
    w.raw_only = raw_only;
    if (err == DX_OK) {
        /* the scratch after the compressed frame: [d | padded base | padded target] */
        uint8_t *d = w.scratch + w.scratch_cap - 3 * (size_t)w.block_size, *tmp_b = d + w.block_size,
                *tmp_t = tmp_b + w.block_size;
        blocks = (size_t)dxi_pt_blocks(len, w.block_size);
        for (block = 0; block < blocks && w.error == DX_OK; block++) {
            size_t off = block * w.block_size, n = (size_t)dxi_pt_min(w.block_size, len - off);
            size_t tn = (size_t)dxi_pt_raw_len(off, w.block_size, target_len);
            const uint8_t *b, *t;
            if (w.cfg->progress && (block & 255) == 0) w.cfg->progress(w.cfg->progress_user, (uint64_t)off, (uint64_t)len);
            if (w.flags & DX_PATCH_FLAG_CARRY) { /* out of place only: bytes past the target's end are never written */
                if (tn && !dxi_pt_same_at(base, base_len, off, sh.carried, target + off, tn))
                    dxi_pt_carry_block(&w, &sh, base, base_len, block, off, target + off, tn, target_len - off, d);
                continue;
            }
            b = dxi_pt_padded(base, base_len, off, n, tmp_b);
            t = dxi_pt_padded(target, target_len, off, n, tmp_t);
            if (DX_MEMCMP(b, t, n) != 0) dxi_pt_plain_block(&w, &sh, base, base_len, block, off, b, t, n, tn, d, tmp_b);
        }
        dxi_pt_close_frame(&w, true);
#if defined(DX_PATCH_WITH_ZSTD)
        dxi_pt_job_drain(&w); /* every frame in its place (after an error: the job waited for) */
#endif
        err = w.error;
        if (err == DX_OK && w.cfg->progress) w.cfg->progress(w.cfg->progress_user, (uint64_t)len, (uint64_t)len);
    }
    if (err == DX_OK) {
        dx_patch_info h;
        DX_MEMSET(&h, 0, sizeof h);
        h.flags = w.flags, h.block_size = w.block_size;
        h.base_len = base_len, h.target_len = target_len;
        h.base_hash = dx_patch_xxh64(base, base_len, 0), h.target_hash = dx_patch_xxh64(target, target_len, 0);
        /* the frames' real largest (so a small patch suits a small applier), at least a block + 64 */
        h.frame_max = (uint32_t)dxi_pt_max(w.frame_seen, (uint64_t)w.block_size + DX_PATCH_FRAME_SLACK);
        h.frame_count = w.frames;
        h.window = (w.flags & DX_PATCH_FLAG_WINDOW) ? w.cfg->window : 0;
        if ((w.flags & DX_PATCH_FLAG_PREFIX) && !(w.flags & DX_PATCH_FLAG_WINDOW)) /* a power of two, at least every prefix (1 if none) */
            for (h.window = 1; h.window < w.prefix_seen; h.window <<= 1) {}
        dxi_pt_write_header(out, &h);
    }
    if (out_new_bytes) *out_new_bytes = sh.lit_bytes;
    dxi_pt_writer_close(&w, &sh);
    return err != DX_OK ? (int64_t)err : (int64_t)w.pos;
}

DX_PATCH_API int64_t dx_patch_diff(const dx_patch_config *cfg, const uint8_t *base, size_t base_len,
                                   const uint8_t *target, size_t target_len, uint8_t *out, size_t cap) {
    return dxi_pt_diff(cfg, base, base_len, target, target_len, out, cap, false, NULL);
}

/* ---- the automatic choice ---- */

typedef struct dxi_pt_auto_progress {
    const dx_patch_config *cfg;
} dxi_pt_auto_progress;

/* A try's progress goes on to the caller's, but for its end: the choice reports that once. */
DXI_PRIVATE void dxi_pt_auto_progress_fn(void *user, uint64_t done, uint64_t total) {
    const dx_patch_config *cfg = ((dxi_pt_auto_progress *)user)->cfg;
    if (done < total) cfg->progress(cfg->progress_user, done, total);
}

/* One try into buf; where it is smaller than the best so far (in out), it
   becomes the best. Returns false on an error that ends the choice (not
   NOSPACE: a try that does not fit is only not taken). */
DXI_PRIVATE bool dxi_pt_auto_try(dx_patch_config *c, unsigned mode, const uint8_t *base, size_t base_len,
                                 const uint8_t *target, size_t target_len, uint8_t *out, uint8_t *buf, size_t cap,
                                 int64_t *best, unsigned *best_mode, int64_t *len, bool raw_only, uint64_t *new_bytes) {
    int64_t n = dxi_pt_diff(c, base, base_len, target, target_len, *best < 0 ? out : buf, cap, raw_only, new_bytes);
    *len = n;
    if (n == DX_ERR_NOSPACE) return true;
    if (n < 0) return *best = n, false;
    if (*best < 0 || n < *best) {
        if (*best >= 0) DX_MEMCPY(out, buf, (size_t)n);
        *best = n, *best_mode = mode;
    }
    return true;
}

DX_PATCH_API int64_t dx_patch_diff_auto(const dx_patch_config *cfg, const uint8_t *base, size_t base_len,
                                        const uint8_t *target, size_t target_len, uint8_t *out, size_t cap,
                                        unsigned *out_mode) {
    dx_patch_config c;
    dxi_pt_auto_progress prog;
    int64_t best = DX_ERR_NOSPACE, rx, rs, rr;
    uint64_t new_bytes = 0; /* the shift mode's new bytes (its literal source) */
    unsigned mode = 0;
    int strong = 0, fast = 0, shift_level;
    uint8_t *buf;
    if (!cfg || (!base && base_len) || (!target && target_len) || !out) return DX_ERR_INVAL;
#if defined(DX_PATCH_WITH_ZSTD)
    strong = DXI_DEF(cfg->zstd_level, 19), fast = 1;
#else
    if (cfg->zstd_level) return DX_ERR_UNSUPPORTED;
#endif
    if (!(buf = (uint8_t *)dxi_pt_alloc(&cfg->allocator, cap))) return DX_ERR_NOMEM;
    c = *cfg;
    c.prefix = 0, c.dict = false; /* tried below: DICT for text, PREFIX at levels 8 and 9 */
    prog.cfg = cfg;
    if (cfg->progress) c.progress = dxi_pt_auto_progress_fn, c.progress_user = &prog;
    /* XOR blocks at a fast level first: cheap, and where data stays in place tiny */
    c.shift = false, c.one_way = false, c.window = 0, c.zstd_level = fast;
    if (!dxi_pt_auto_try(&c, DX_PATCH_MODE_XOR, base, base_len, target, target_len, out, buf, cap, &best, &mode, &rx, false, NULL))
        goto done;
    /* the shift mode; text (cfg->dict) with DICT frames: its new bytes see the base bytes they replaced (5-10%
       smaller, as fast). Where XOR blocks are tiny (edits in place) the default level's probe (below) keeps the
       hash matcher's patch when it is small enough; a program rebuilt with small changes (code moved by a few
       bytes in many places) needs the suffix array all the same (hbtp_server at two commits: 788 -> 478 bytes) */
    c.shift = true, c.window = cfg->window, c.zstd_level = strong;
#if defined(DX_PATCH_WITH_ZSTD)
    if (cfg->dict && strong && DXI_PT_COLUMNS && base_len && target_len >= 4096 &&
        DXI_DEF(cfg->block_size, 4096u) <= DXI_PT_SPLIT_MAX) {
        int text = dxi_pt_text(target, target_len, &cfg->allocator);
        if (text < 0) {
            best = DX_ERR_NOMEM;
            goto done;
        }
        if (text == 2) c.dict = true, c.prefix = DXI_DEF(cfg->prefix, (uint32_t)DX_PATCH_DEFAULT_DICT);
    }
#endif
#if defined(DX_PATCH_WITH_ZSTD)
    /* compressed data (XOR blocks did not compress at the fast level, nor does the target's middle MiB): the
       shift mode's new bytes will not compress either, so it runs at the fast level too (a .deb: 0.3 s less) */
    if (strong != fast && rx >= 0 && (uint64_t)rx >= target_len - target_len / 64 && target_len >= 4096) {
        size_t z = 0, sample = dxi_pt_sample(target, target_len, &cfg->allocator, &z);
        if (sample == 0) {
            best = DX_ERR_NOMEM;
            goto done;
        }
        if (z >= sample - sample / 64) c.zstd_level = fast;
    }
#endif
    rs = DX_ERR_NOSPACE;
    if (c.level == 0) {
        /* the default level: the hash matcher first, stopped once its patch passes 1/512 of the target; under
           that the suffix array cannot save more than that much (an 8 MiB program with a few insertions: 0.02 s
           instead of 0.7); over it the try stops early (4.7 MB of libcrypto: after 0.016 s) */
        size_t probe_cap = (size_t)dxi_pt_min(cap, (uint64_t)target_len / 512 + 256);
        void (*progress)(void *, uint64_t, uint64_t) = c.progress;
        c.level = 1, c.progress = NULL; /* a short try, or the answer: the progress shown never goes back */
        if (!dxi_pt_auto_try(&c, DX_PATCH_MODE_SHIFT, base, base_len, target, target_len, out, buf, probe_cap, &best,
                             &mode, &rs, false, NULL))
            goto done;
        c.progress = progress;
        if (rs < 0) c.level = 0;
    }
    shift_level = c.level;
    if (rs < 0 &&
        !dxi_pt_auto_try(&c, DX_PATCH_MODE_SHIFT, base, base_len, target, target_len, out, buf, cap, &best, &mode, &rs, false,
                         &new_bytes))
        goto done;
    /* DICT frames are compressed each on its own: where the patch is more than 1/32 of the target (much new
       text, which one stream's context across frames compresses better: text appended), or frames span at most
       a window (in place: a small window makes many), one stream too */
    if (c.dict && (rs < 0 || cfg->window || (uint64_t)rs > target_len / 32)) {
        int64_t r1;
        c.dict = false, c.prefix = 0;
        if (!dxi_pt_auto_try(&c, DX_PATCH_MODE_SHIFT, base, base_len, target, target_len, out, buf, cap, &best, &mode,
                             &r1, false, NULL))
            goto done;
        if (r1 >= 0 && (rs < 0 || r1 < rs)) rs = r1;
    }
    /* levels 8 and 9, out of place: the shift mode once more with the base as zstd's prefix (PREFIX), where its
       patch is large enough to gain and not mostly new bytes that do not compress (text: 5-15% smaller; the
       diff several times slower) */
    if (strong && shift_level >= 8 && !cfg->window && base_len && rs >= 4096 && (uint64_t)rs < target_len / 2) {
        int64_t rp;
        c.prefix = DXI_DEF(cfg->prefix, (uint32_t)DX_PATCH_DEFAULT_PREFIX), c.dict = false;
        if (!dxi_pt_auto_try(&c, DX_PATCH_MODE_SHIFT, base, base_len, target, target_len, out, buf, cap, &best, &mode,
                             &rp, false, NULL))
            goto done;
    }
    c.prefix = 0, c.dict = false;
    /* XOR blocks close to the best: at the strong level too, unless the fast level found nothing to compress
       (within 1/64 of the target: a stronger level finds no more there) */
    if (fast != strong && rx >= 0 && (rs < 0 || rx < rs + rs / 2) && (uint64_t)rx < target_len - target_len / 64) {
        c = *cfg, c.shift = false, c.one_way = false, c.window = 0, c.zstd_level = strong, c.prefix = 0, c.dict = false;
        if (cfg->progress) c.progress = dxi_pt_auto_progress_fn, c.progress_user = &prog;
        if (!dxi_pt_auto_try(&c, DX_PATCH_MODE_XOR, base, base_len, target, target_len, out, buf, cap, &best, &mode,
                             &rx, false, NULL))
            goto done;
    }
    /* small patches: a zstd stream's own header may cost more than it saves */
    if (strong && best >= 0 && best < 16384 && mode != DX_PATCH_MODE_RAW) {
        c.zstd_level = 0, c.shift = mode == DX_PATCH_MODE_SHIFT, c.window = c.shift ? cfg->window : 0;
        c.level = shift_level;
        if (!dxi_pt_auto_try(&c, mode, base, base_len, target, target_len, out, buf, cap, &best, &mode, &rr, false, NULL))
            goto done;
    }
    /* nothing in common, but the target compresses (a program against an unrelated one): the shift mode took
       nearly every byte as new, and its records and runs cut at zeros cost more than the target's bytes whole
       (a 9 MiB program: 1,773,764 bytes, zstd -19 of it alone 1,769,671): RAW records of the whole bytes */
    if (strong && best >= 0 && (uint64_t)best <= target_len / 2 && target_len >= 4096 &&
        new_bytes >= target_len - target_len / 32) {
        c = *cfg, c.shift = false, c.one_way = true, c.window = 0, c.zstd_level = strong, c.prefix = 0, c.dict = false;
        c.block_size = 1u << 16;
        if (cfg->progress) c.progress = dxi_pt_auto_progress_fn, c.progress_user = &prog;
        if (!dxi_pt_auto_try(&c, DX_PATCH_MODE_RAW, base, base_len, target, target_len, out, buf, cap, &best, &mode, &rr,
                             true, NULL))
            goto done;
    }
    /* little in common (compressed data): the target's bytes in RAW records, 64 KiB blocks (what an applier
       takes by default), are the bound to stay under; where the strong level left the shift mode's patch
       within 1/64 of the target, the new bytes do not compress and a fast level stores them as well (a
       .deb: the same size, 0.25 s less) */
    if (best < 0 || (uint64_t)best > target_len / 2) {
        c = *cfg, c.shift = false, c.one_way = true, c.window = 0, c.zstd_level = strong, c.prefix = 0, c.dict = false;
        if (rs >= 0 && (uint64_t)rs >= target_len - target_len / 64) c.zstd_level = fast;
        c.block_size = 1u << 16;
        if (cfg->progress) c.progress = dxi_pt_auto_progress_fn, c.progress_user = &prog;
        if (!dxi_pt_auto_try(&c, DX_PATCH_MODE_RAW, base, base_len, target, target_len, out, buf, cap, &best, &mode,
                             &rr, false, NULL))
            goto done;
    }
done:
    dxi_pt_free(&cfg->allocator, buf, cap);
    if (best >= 0 && out_mode) *out_mode = mode;
    if (best >= 0 && cfg->progress) {
        uint64_t len = dxi_pt_max(base_len, target_len);
        cfg->progress(cfg->progress_user, len, len);
    }
    return best;
}

/* ---- apply: one engine for the streaming applier and the one-shot calls ---- */

#define DXI_PT_DEFAULT_MAX_BLOCK 65536u
#if defined(DX_PATCH_WITH_ZSTD)
#define DXI_PT_FRAME_BUFFERS 2u /* the frame, and a compressed one */
#define DXI_PT_DEFAULT_MAX_FRAME DX_PATCH_DEFAULT_ZSTD_FRAME /* what a diff with zstd writes by default */
#else
#define DXI_PT_DEFAULT_MAX_FRAME DX_PATCH_DEFAULT_FRAME
#define DXI_PT_FRAME_BUFFERS 1u /* compressed frames are refused: no room for them */
#endif

DXI_PRIVATE size_t dxi_pt_round8(size_t v) { return (v + 7) & ~(size_t)7; }

DXI_PRIVATE void dxi_pt_limits(const dx_patch_applier_config *cfg, size_t *max_block, size_t *max_frame) {
    *max_block = DXI_DEF(cfg->max_block, DXI_PT_DEFAULT_MAX_BLOCK);
    *max_frame = DXI_DEF(cfg->max_frame, (uint32_t)DXI_PT_DEFAULT_MAX_FRAME);
    if (*max_frame < *max_block + DX_PATCH_FRAME_SLACK) *max_frame = *max_block + DX_PATCH_FRAME_SLACK;
}

/* The second block also holds the running hash of the output. */
DXI_PRIVATE size_t dxi_pt_block2(size_t max_block) {
    return (size_t)dxi_pt_max(dxi_pt_round8(max_block), dxi_pt_round8(sizeof(dxi_pt_hasher)));
}

/* With a ring and the journal's callbacks, an apply keeps a journal. */
DXI_PRIVATE bool dxi_pt_journaled(const dx_patch_applier_config *cfg) {
    return DXI_PT_SHIFT && cfg->max_window && cfg->in_place && !cfg->check_only && cfg->io.journal_write;
}

/* The applier's memory: [block | block2, which also holds the output hash
   | frames x frame | with a journal: a block and the running hashes of the
   result and of the base | ring], each rounded up to 8 bytes; 0 if the limits
   are out of range. */
DXI_PRIVATE size_t dxi_pt_memory(const dx_patch_applier_config *cfg, unsigned frames) {
    size_t max_block, max_frame;
    dxi_pt_limits(cfg, &max_block, &max_frame);
    if (max_block > DX_PATCH_BLOCK_MAX || max_frame > DX_PATCH_MAX_FRAME || (cfg->max_window && !dxi_pt_pow2(cfg->max_window)))
        return 0;
    return dxi_pt_round8(max_block) + dxi_pt_block2(max_block) + frames * dxi_pt_round8(max_frame) +
           (dxi_pt_journaled(cfg) ? dxi_pt_round8(max_block) + 2 * dxi_pt_round8(sizeof(dxi_pt_hasher)) : 0) +
           (size_t)cfg->max_window;
}

DX_PATCH_API size_t dx_patch_applier_memory_size(const dx_patch_applier_config *cfg) {
    size_t need = cfg ? dxi_pt_memory(cfg, DXI_PT_FRAME_BUFFERS) : 0;
    return need ? need + 8 : 0; /* 8 to align it */
}

DXI_PRIVATE dx_result dxi_pt_fail(dx_patch_applier *a, dx_result err) {
    if (a->error == DX_OK) a->error = err;
    return a->error;
}

/* In-memory data for the one-shot calls: no copies through io. */
typedef struct dxi_pt_mem {
    const uint8_t *src;
    uint8_t *dst;
    size_t dst_cap;
} dxi_pt_mem;

DXI_PRIVATE dx_result dxi_pt_mem_read(void *user, uint64_t off, void *buf, size_t len) {
    DX_MEMCPY(buf, ((dxi_pt_mem *)user)->src + off, len);
    return DX_OK;
}

DXI_PRIVATE dx_result dxi_pt_null_write(void *user, uint64_t off, const void *buf, size_t len) {
    (void)user, (void)off, (void)buf, (void)len;
    return DX_OK;
}

DXI_PRIVATE dx_result dxi_pt_mem_write(void *user, uint64_t off, const void *buf, size_t len) {
    dxi_pt_mem *m = (dxi_pt_mem *)user;
    if (off > m->dst_cap || len > m->dst_cap - off) return DX_ERR_NOSPACE;
    if (m->dst + off != buf) DX_MEMMOVE(m->dst + off, buf, len);
    return DX_OK;
}

DXI_PRIVATE uint64_t dxi_pt_src_len(const dx_patch_applier *a) { return a->reverse ? a->info.target_len : a->info.base_len; }
DXI_PRIVATE uint64_t dxi_pt_dst_len(const dx_patch_applier *a) { return a->reverse ? a->info.base_len : a->info.target_len; }
DXI_PRIVATE uint64_t dxi_pt_len(const dx_patch_applier *a) {
    return a->info.base_len > a->info.target_len ? a->info.base_len : a->info.target_len;
}

/* Reads [off, off + n) of the data as it was before the apply: after a
   resume from the journal, the part in [jlo, jhi) from the journal. */
DXI_PRIVATE dx_result dxi_pt_read_data(dx_patch_applier *a, uint64_t off, uint8_t *buf, size_t n) {
    if (!DXI_PT_SHIFT) return a->io.read(a->io.user, off, buf, n) != DX_OK ? DX_ERR_IO : DX_OK; /* no ring, no journal */
    while (n) {
        size_t take;
        dx_result err;
        if (off >= a->jlo && off < a->jhi) { /* the journal's copy (a resumed apply) */
            take = (size_t)dxi_pt_min(n, a->jhi - off);
            err = a->io.journal_read(a->io.user, a->jbody + (off - a->jlo), buf, take);
        } else {
            take = off < a->jlo ? (size_t)dxi_pt_min(n, a->jlo - off) : n;
            err = a->io.read(a->io.user, off, buf, take);
        }
        if (err != DX_OK) return DX_ERR_IO;
        off += take, buf += take, n -= take;
    }
    return DX_OK;
}

/* Reads [off, off + n) of the data, zero beyond its length, into buf. */
DXI_PRIVATE dx_result dxi_pt_read_padded(dx_patch_applier *a, uint64_t off, uint8_t *buf, size_t n, uint64_t have) {
    size_t got = off < have ? (size_t)dxi_pt_min(n, have - off) : 0;
    if (got && dxi_pt_read_data(a, off, buf, got) != DX_OK) return DX_ERR_IO;
    DX_MEMSET(buf + got, 0, n - got);
    return DX_OK;
}

/* Hashes [0, len) of the data through io, a block at a time. */
DXI_PRIVATE dx_result dxi_pt_hash_data(dx_patch_applier *a, uint64_t len, size_t chunk, uint64_t *out) {
    dxi_pt_hasher h;
    uint64_t off;
    dxi_pt_hash_init(&h, 0);
    for (off = 0; off < len; off += chunk) {
        size_t n = (size_t)dxi_pt_min(chunk, len - off);
        if (a->io.read(a->io.user, off, a->block, n) != DX_OK) return DX_ERR_IO;
        dxi_pt_hash_update(&h, a->block, n);
    }
    *out = dxi_pt_hash_final(&h);
    return DX_OK;
}

/* In place, WINDOW patches keep the base bytes of the last ring-size bytes
   before the block being made (the frontier) in a ring: every block passes
   through it before it is overwritten, so a source behind the frontier
   (data moved forward by an insertion) is still there. */
DXI_PRIVATE bool dxi_pt_ring_on(const dx_patch_applier *a) { return DXI_PT_SHIFT && a->in_place && !a->dry_run && a->ring_mask; }

/* ---- the journal of an in-place WINDOW apply (WIRE FORMAT, JOURNAL) ----
   A slot at position pos holds the ring (the base bytes of [pos - ring,
   pos)) and the old bytes of [pos, pos + step): everything the apply still
   needs that a write after pos may destroy. It is durable before the first
   write at or past pos, and the data's writes before pos are durable before
   it; the other slot keeps the previous position meanwhile. */
DXI_PRIVATE bool dxi_pt_journal_on(const dx_patch_applier *a) { return dxi_pt_ring_on(a) && a->jstep; }
/* a block below where a journal's resume found the apply (only a journal sets replay_end) */
DXI_PRIVATE bool dxi_pt_replayed(const dx_patch_applier *a, uint64_t off) { return DXI_PT_SHIFT && off < a->replay_end; }
DXI_PRIVATE uint64_t dxi_pt_slot_size(const dx_patch_applier *a) {
    return DX_PATCH_JOURNAL_HEADER_SIZE + a->ring_mask + 1 + a->jstep;
}
DXI_PRIVATE uint64_t dxi_pt_patch_id(const dx_patch_applier *a) {
    return dx_patch_xxh64(a->header, DX_PATCH_HEADER_SIZE, DX_PATCH_CHECK_SEED);
}
/* The running hashes of the result and of the base (below the frontier), after the journal's block. */
DXI_PRIVATE dxi_pt_hasher *dxi_pt_prefix_hash(dx_patch_applier *a) {
    return (dxi_pt_hasher *)(void *)(a->jbuf + dxi_pt_round8(a->info.block_size));
}
DXI_PRIVATE dxi_pt_hasher *dxi_pt_base_hash(dx_patch_applier *a) { return dxi_pt_prefix_hash(a) + 1; }

/* Writes n bytes to the journal at *off, into the slot's check too. */
DXI_PRIVATE dx_result dxi_pt_journal_put(dx_patch_applier *a, uint64_t *off, const uint8_t *p, size_t n, dxi_pt_hasher *check) {
    dxi_pt_hash_update(check, p, n);
    if (n && a->io.journal_write(a->io.user, *off, p, n) != DX_OK) return DX_ERR_IO;
    *off += n;
    return DX_OK;
}

/* Writes the slot of position pos (the other one than the last), then makes it durable. */
DXI_PRIVATE dx_result dxi_pt_checkpoint(dx_patch_applier *a, uint64_t pos) {
    uint8_t h[DX_PATCH_JOURNAL_HEADER_SIZE];
    dxi_pt_hasher check, prefix = *dxi_pt_prefix_hash(a);
    uint64_t ring = a->ring_mask + 1, seq = a->jseq + 1, slot = ((seq - 1) & 1) * dxi_pt_slot_size(a), at, off;
    size_t r = (size_t)(pos & a->ring_mask), bs = a->info.block_size;
    if (a->io.sync(a->io.user, false) != DX_OK) return DX_ERR_IO; /* what the slot says is written */
    DX_MEMSET(h, 0, sizeof h);
    DX_MEMCPY(h + DX_PATCH_JOURNAL_OFF_MAGIC, "DXPJ", 4);
    dx_store_u16le(h + DX_PATCH_JOURNAL_OFF_VERSION, DX_PATCH_JOURNAL_VERSION);
    dx_store_u64le(h + DX_PATCH_JOURNAL_OFF_PATCH_ID, dxi_pt_patch_id(a));
    dx_store_u64le(h + DX_PATCH_JOURNAL_OFF_SEQ, seq);
    dx_store_u64le(h + DX_PATCH_JOURNAL_OFF_POS, pos);
    dx_store_u64le(h + DX_PATCH_JOURNAL_OFF_PREFIX_HASH, dxi_pt_hash_final(&prefix));
    dx_store_u64le(h + DX_PATCH_JOURNAL_OFF_DATA_LEN, dxi_pt_len(a));
    dx_store_u32le(h + DX_PATCH_JOURNAL_OFF_RING, (uint32_t)ring);
    dx_store_u32le(h + DX_PATCH_JOURNAL_OFF_STEP, (uint32_t)a->jstep);
    if (pos + a->jstep < dxi_pt_src_len(a)) /* the base goes on after the slot: a resume checks it */
        for (r = 0; r < 4; r++) dx_store_u64le(h + DX_PATCH_JOURNAL_OFF_BASE_STATE + 8 * r, dxi_pt_base_hash(a)->lane[r]);
    r = (size_t)(pos & a->ring_mask);
    dxi_pt_hash_init(&check, DX_PATCH_CHECK_SEED);
    dxi_pt_hash_update(&check, h, DX_PATCH_JOURNAL_OFF_CHECK);
    at = slot + DX_PATCH_JOURNAL_HEADER_SIZE; /* the ring, oldest byte first, then the old bytes ahead */
    if (dxi_pt_journal_put(a, &at, a->ring + r, (size_t)ring - r, &check) != DX_OK ||
        dxi_pt_journal_put(a, &at, a->ring, r, &check) != DX_OK)
        return DX_ERR_IO;
    for (off = pos; off < pos + a->jstep; off += bs) {
        if (dxi_pt_read_padded(a, off, a->jbuf, bs, dxi_pt_src_len(a)) != DX_OK ||
            dxi_pt_journal_put(a, &at, a->jbuf, bs, &check) != DX_OK)
            return DX_ERR_IO;
    }
    dx_store_u32le(h + DX_PATCH_JOURNAL_OFF_CHECK, (uint32_t)dxi_pt_hash_final(&check));
    if (a->io.journal_write(a->io.user, slot, h, sizeof h) != DX_OK) return DX_ERR_IO;
    if (seq == 1) { /* a new journal: whatever the other slot held is gone */
        DX_MEMSET(h, 0, sizeof h);
        if (a->io.journal_write(a->io.user, dxi_pt_slot_size(a), h, sizeof h) != DX_OK) return DX_ERR_IO;
    }
    if (a->io.sync(a->io.user, true) != DX_OK) return DX_ERR_IO;
    a->jseq = seq, a->jend = pos + a->jstep;
    a->jlo = a->jhi = 0; /* the resumed slot's old bytes are behind the frontier now: the ring has them */
    return DX_OK;
}

/* Reads slot s's header into h; true if every field and the check are right
   for this patch and applier. */
DXI_PRIVATE bool dxi_pt_slot_valid(dx_patch_applier *a, unsigned s, uint8_t *h) {
    dxi_pt_hasher check;
    uint64_t size = dxi_pt_slot_size(a), at = s * size + DX_PATCH_JOURNAL_HEADER_SIZE, end = (s + 1) * size, pos;
    if (a->io.journal_read(a->io.user, s * size, h, DX_PATCH_JOURNAL_HEADER_SIZE) != DX_OK) return false;
    pos = dx_load_u64le(h + DX_PATCH_JOURNAL_OFF_POS);
    if (DX_MEMCMP(h + DX_PATCH_JOURNAL_OFF_MAGIC, "DXPJ", 4) != 0 ||
        dx_load_u16le(h + DX_PATCH_JOURNAL_OFF_VERSION) != DX_PATCH_JOURNAL_VERSION ||
        dx_load_u16le(h + DX_PATCH_JOURNAL_OFF_ZERO) != 0 || dx_load_u32le(h + DX_PATCH_JOURNAL_OFF_RESERVED) != 0 ||
        dx_load_u64le(h + DX_PATCH_JOURNAL_OFF_PATCH_ID) != dxi_pt_patch_id(a) ||
        dx_load_u64le(h + DX_PATCH_JOURNAL_OFF_SEQ) == 0 || dx_load_u64le(h + DX_PATCH_JOURNAL_OFF_DATA_LEN) != dxi_pt_len(a) ||
        dx_load_u32le(h + DX_PATCH_JOURNAL_OFF_RING) != a->ring_mask + 1 ||
        dx_load_u32le(h + DX_PATCH_JOURNAL_OFF_STEP) != a->jstep || pos >= dxi_pt_len(a) ||
        (pos & (a->info.block_size - 1)) != 0)
        return false;
    dxi_pt_hash_init(&check, DX_PATCH_CHECK_SEED);
    dxi_pt_hash_update(&check, h, DX_PATCH_JOURNAL_OFF_CHECK);
    for (; at < end; at += a->info.block_size) { /* ring and step are multiples of the block */
        if (a->io.journal_read(a->io.user, at, a->jbuf, a->info.block_size) != DX_OK) return false;
        dxi_pt_hash_update(&check, a->jbuf, a->info.block_size);
    }
    return (uint32_t)dxi_pt_hash_final(&check) == dx_load_u32le(h + DX_PATCH_JOURNAL_OFF_CHECK);
}

/* Resumes an in-place WINDOW apply: nothing to do if the data is the
   target; from the start if it is the base; else from the newer valid slot
   whose first pos bytes the data holds as its hash says, and whose base
   state, old bytes and the data after them make the base (zeros past its
   end: nothing after the slot's bytes was written yet). Anything
   else: DX_PATCH_ERR_WRONG_BASE, nothing written. *out_fresh: start anew. */
DXI_PRIVATE dx_result dxi_pt_journal_resume(dx_patch_applier *a, bool *out_fresh) {
    dx_patch_info *in = &a->info;
    uint8_t h[DX_PATCH_JOURNAL_HEADER_SIZE];
    uint64_t hash = 0, pos, seq = 0, slot, ring = a->ring_mask + 1, off;
    dxi_pt_hasher *prefix = dxi_pt_prefix_hash(a), copy;
    unsigned s, best = 2;
    *out_fresh = false;
    dxi_pt_hash_init(prefix, 0); /* the writes hash into both, whichever way this returns */
    dxi_pt_hash_init(dxi_pt_base_hash(a), 0);
    if (a->data_len == in->target_len || a->data_len == in->base_len) {
        if (dxi_pt_hash_data(a, a->data_len, in->block_size, &hash) != DX_OK) return DX_ERR_IO;
        if (a->data_len == in->target_len && hash == in->target_hash) { /* done before: only check the patch */
            a->dry_run = true;
            return DX_OK;
        }
        if (a->data_len == in->base_len && hash == in->base_hash) return *out_fresh = true, DX_OK;
    }
    for (s = 0; s < 2; s++)
        if (dxi_pt_slot_valid(a, s, h) && dx_load_u64le(h + DX_PATCH_JOURNAL_OFF_SEQ) > seq)
            best = s, seq = dx_load_u64le(h + DX_PATCH_JOURNAL_OFF_SEQ);
    if (best == 2 || !dxi_pt_slot_valid(a, best, h)) return DX_PATCH_ERR_WRONG_BASE;
    pos = dx_load_u64le(h + DX_PATCH_JOURNAL_OFF_POS);
    if (a->data_len < in->base_len || a->data_len > dxi_pt_len(a) || pos > a->data_len) return DX_PATCH_ERR_WRONG_BASE;
    dxi_pt_hash_init(prefix, 0);
    for (off = 0; off < pos; off += in->block_size) {
        if (a->io.read(a->io.user, off, a->block, in->block_size) != DX_OK) return DX_ERR_IO;
        dxi_pt_hash_update(prefix, a->block, in->block_size);
    }
    copy = *prefix;
    if (dxi_pt_hash_final(&copy) != dx_load_u64le(h + DX_PATCH_JOURNAL_OFF_PREFIX_HASH)) return DX_PATCH_ERR_WRONG_BASE;
    slot = best * dxi_pt_slot_size(a);
    a->jlo = pos, a->jhi = pos + a->jstep, a->jbody = slot + DX_PATCH_JOURNAL_HEADER_SIZE + ring;
    if (pos + a->jstep < in->base_len) { /* the base's state at pos, the slot's old bytes, then the data: the base */
        dxi_pt_hasher *base = dxi_pt_base_hash(a);
        dxi_pt_hash_init(base, 0);
        for (s = 0; s < 4; s++) base->lane[s] = dx_load_u64le(h + DX_PATCH_JOURNAL_OFF_BASE_STATE + 8 * s);
        base->total = pos;
        copy = *base;
        for (off = pos; off < in->base_len; off += in->block_size) {
            size_t n = (size_t)dxi_pt_min(in->block_size, in->base_len - off);
            if (dxi_pt_read_data(a, off, a->block, n) != DX_OK) return DX_ERR_IO;
            dxi_pt_hash_update(&copy, a->block, n);
        }
        if (dxi_pt_hash_final(&copy) != in->base_hash) return DX_PATCH_ERR_WRONG_BASE;
    }
    for (off = dxi_pt_max(pos + a->jstep, in->base_len); off < a->data_len; off += in->block_size) { /* and zeros */
        size_t n = (size_t)dxi_pt_min(in->block_size, a->data_len - off), k;
        if (a->io.read(a->io.user, off, a->block, n) != DX_OK) return DX_ERR_IO;
        for (k = 0; k < n; k++)
            if (a->block[k]) return DX_PATCH_ERR_WRONG_BASE;
    }
    s = (unsigned)(pos & a->ring_mask); /* the ring as it was at pos */
    if (a->io.journal_read(a->io.user, slot + DX_PATCH_JOURNAL_HEADER_SIZE, a->ring + s, (size_t)ring - s) != DX_OK ||
        (s && a->io.journal_read(a->io.user, slot + DX_PATCH_JOURNAL_HEADER_SIZE + ring - s, a->ring, s) != DX_OK))
        return DX_ERR_IO;
    a->jseq = seq, a->jend = pos + a->jstep, a->replay_end = pos;
    return DX_OK;
}

/* After the header: which way the patch goes, and the zero padding. */
DXI_PRIVATE dx_result dxi_pt_start(dx_patch_applier *a) {
    dx_patch_info *in = &a->info;
    uint64_t hash = 0;
    dx_result err;
    bool fresh = true;
    if (DXI_PT_SHIFT && (in->flags & DX_PATCH_FLAG_COPY) && a->in_place && !a->dry_run) {
        /* in place only with a window; resumable only with a journal: COPY records carry no witnesses */
        uint64_t ring = 1;
        if (!(in->flags & DX_PATCH_FLAG_WINDOW) || (a->resume && !a->jstep)) return DX_ERR_UNSUPPORTED;
        while (ring < in->window && ring < dxi_pt_len(a)) ring <<= 1; /* no larger than the data needs */
        if (ring < in->block_size) ring = in->block_size;                /* a whole block passes through it */
        if (ring > a->ring_cap || ((in->flags & DX_PATCH_FLAG_DICT) && ring > a->ring_cap / 2)) return DX_ERR_LIMIT;
        a->ring_mask = ring - 1; /* DICT: the frames' dictionaries after it (at most min(window, base) <= ring) */
        if (a->jstep) { /* whole blocks, at most the format's u32 */
            a->jstep = (a->jstep + in->block_size - 1) & ~(uint64_t)(in->block_size - 1);
            if (a->jstep > 0x80000000u) return DX_ERR_LIMIT;
        }
    } else {
        a->jstep = 0; /* a journal only where the ring is */
    }
    if (a->base_checked) {
        /* the one-shot calls checked the base in their dry run */
    } else if (DXI_PT_SHIFT && a->resume && a->jstep) { /* no ring, no journal: DX_PATCH_NO_SHIFT leaves it out */
        if ((err = dxi_pt_journal_resume(a, &fresh)) != DX_OK) return err;
        a->resume = false; /* the journal did what witnesses do */
    } else if (a->resume) { /* without witnesses an XOR record (one-way patches have them too) would apply twice */
        uint64_t lo = dxi_pt_min(in->base_len, in->target_len), off;
        if (!a->in_place || !(in->flags & DX_PATCH_FLAG_WITNESS)) return DX_ERR_UNSUPPORTED;
        if (a->data_len > dxi_pt_len(a) || a->data_len < lo) return DX_PATCH_ERR_WRONG_BASE; /* no apply leaves that */
        if (a->data_len > lo && a->data_len < dxi_pt_len(a)) {
            /* only a growth with zeros cut short (the first writes) leaves a length between the two: the shorter
               version whole, then zeros (not the target with bytes after it, which the resume would cut) */
            for (off = lo; off < a->data_len; off += in->block_size) {
                size_t k, n = (size_t)dxi_pt_min(in->block_size, a->data_len - off);
                if (a->io.read(a->io.user, off, a->block, n) != DX_OK) return DX_ERR_IO;
                for (k = 0; k < n; k++)
                    if (a->block[k]) return DX_PATCH_ERR_WRONG_BASE;
            }
            if ((err = dxi_pt_hash_data(a, lo, in->block_size, &hash)) != DX_OK) return err;
            if (hash != (lo == in->base_len ? in->base_hash : in->target_hash)) return DX_PATCH_ERR_WRONG_BASE;
        }
    } else {
        if (a->data_len != in->base_len && a->data_len != in->target_len) return DX_PATCH_ERR_WRONG_BASE;
        err = dxi_pt_hash_data(a, a->data_len, in->block_size, &hash);
        if (err != DX_OK) return err;
        if (a->data_len == in->base_len && hash == in->base_hash) a->reverse = false;
        else if (!(in->flags & DX_PATCH_FLAG_ONE_WAY) && a->data_len == in->target_len && hash == in->target_hash)
            a->reverse = true; /* XOR is its own inverse: the patch rolls the target back */
        else return DX_PATCH_ERR_WRONG_BASE;
    }
    if (dxi_pt_journal_on(a) && fresh) { /* the first slot before the first write */
        DX_MEMSET(a->ring, 0, (size_t)a->ring_mask + 1);
        dxi_pt_hash_init(dxi_pt_prefix_hash(a), 0);
        dxi_pt_hash_init(dxi_pt_base_hash(a), 0);
        a->jseq = 0;
        if (dxi_pt_checkpoint(a, 0) != DX_OK) return DX_ERR_IO;
    }
    if (a->in_place && !a->dry_run && a->data_len < dxi_pt_len(a)) { /* grow with zeros first */
        uint64_t off;
        DX_MEMSET(a->block, 0, in->block_size);
        for (off = a->data_len; off < dxi_pt_len(a); off += in->block_size)
            if (a->io.write(a->io.user, off, a->block, (size_t)dxi_pt_min(in->block_size, dxi_pt_len(a) - off)) != DX_OK)
                return DX_ERR_IO;
    }
    a->base_checked = true;
    return DX_OK;
}


/* Reads n source bytes at src for the block at frontier: behind it from
   the ring (the window was checked with the record), the rest from the data. */
DXI_PRIVATE dx_result dxi_pt_read_source(dx_patch_applier *a, uint64_t frontier, uint64_t src, uint8_t *buf, size_t n,
                                         uint64_t have) {
    if (dxi_pt_ring_on(a))
        for (; n && src < frontier; n--) *buf++ = a->ring[src++ & a->ring_mask];
    return n ? dxi_pt_read_padded(a, src, buf, n, have) : DX_OK;
}

/* Writes a block in place or out of place; in place with a ring, the bytes
   it replaces go to the ring first. */
DXI_PRIVATE dx_result dxi_pt_put_block(dx_patch_applier *a, uint64_t off, const uint8_t *buf, size_t n) {
    if (dxi_pt_ring_on(a)) {
        size_t at = (size_t)(off & a->ring_mask), first = (size_t)dxi_pt_min(n, a->ring_mask + 1 - at);
        /* a write past what the last slot covers: a new slot first */
        if (buf && n && dxi_pt_journal_on(a) && off + n > a->jend && dxi_pt_checkpoint(a, off) != DX_OK) return DX_ERR_IO;
        if (dxi_pt_read_data(a, off, a->ring + at, first) != DX_OK ||
            (n > first && dxi_pt_read_data(a, off + first, a->ring, n - first) != DX_OK))
            return DX_ERR_IO;
        if (dxi_pt_journal_on(a)) { /* the result and the base so far, for the next slot */
            size_t old = off < dxi_pt_src_len(a) ? (size_t)dxi_pt_min(n, dxi_pt_src_len(a) - off) : 0;
            dxi_pt_hash_update(dxi_pt_base_hash(a), a->ring + at, old < first ? old : first);
            if (old > first) dxi_pt_hash_update(dxi_pt_base_hash(a), a->ring, old - first);
            if (buf) dxi_pt_hash_update(dxi_pt_prefix_hash(a), buf, n);
            else dxi_pt_hash_update(dxi_pt_prefix_hash(a), a->ring + at, first), dxi_pt_hash_update(dxi_pt_prefix_hash(a), a->ring, n - first);
        }
    }
    return buf && n && a->io.write(a->io.user, off, buf, n) != DX_OK ? DX_ERR_IO : DX_OK;
}

/* Blocks without records: out of place copied from the data, at the same
   offset or with CARRY where the last shift points (never below 0: every
   shift was checked at a lower offset); in place with a ring, moved there
   (or only passed through the ring where the shift is 0). */
DXI_PRIVATE dx_result dxi_pt_copy_until(dx_patch_applier *a, uint64_t block, dxi_pt_hasher *h) {
    uint64_t bs = a->info.block_size, dst_len = dxi_pt_dst_len(a), total = dxi_pt_len(a);
    bool carry = DXI_PT_SHIFT && (a->info.flags & DX_PATCH_FLAG_CARRY), ring = dxi_pt_ring_on(a);
    for (; a->next_block < block; a->next_block++) {
        uint64_t off = a->next_block * bs, src = carry ? (uint64_t)((int64_t)off + a->sh.shift) : off;
        size_t wn;
        if (off >= (ring ? total : dst_len) || dxi_pt_replayed(a, off)) continue; /* past the end; done before a resume */
        wn = (size_t)dxi_pt_min(bs, (ring ? total : dst_len) - off);
        /* unchanged: into the ring only (but where a resume may find torn writes) */
        if (ring && a->sh.shift == 0 && !(off >= a->jlo && off < a->jhi)) {
            if (dxi_pt_put_block(a, off, NULL, wn) != DX_OK) return DX_ERR_IO;
            continue;
        }
        if (dxi_pt_read_source(a, off, src, a->block, wn, ring ? total : dxi_pt_src_len(a)) != DX_OK ||
            dxi_pt_put_block(a, off, a->block, wn) != DX_OK)
            return DX_ERR_IO;
        if (h) dxi_pt_hash_update(h, a->block, wn);
    }
    return DX_OK;
}

/* The source of a COPY record or SPLIT segment at off: off + the shift
   its delta field v gives (dxi_pt_delta_shift), within [0, max(source
   length, off)] and, with WINDOW, at most a window behind off; the shift
   becomes source - off, and so does the anchor of its kind. */
DXI_PRIVATE bool dxi_pt_source(const dx_patch_applier *a, uint64_t v, uint64_t off, dxi_pt_shifts *sh, uint64_t *out_src) {
    int64_t shift, start;
    if (!dxi_pt_delta_shift(v, a->info.flags, sh, &shift)) return false;
    start = (int64_t)off + shift;
    if (start < 0 || ((uint64_t)start > dxi_pt_src_len(a) && (uint64_t)start > off &&
                      (!(a->info.flags & DX_PATCH_FLAG_LITERAL) ||
                       (uint64_t)start - dxi_pt_max(dxi_pt_src_len(a), off) > (uint64_t)1 << 48)))
        return false;
    if ((a->info.flags & DX_PATCH_FLAG_WINDOW) && start - (int64_t)off < -(int64_t)a->info.window) return false;
    dxi_pt_shifts_move(sh, start - (int64_t)off, (uint64_t)start >= dxi_pt_src_len(a));
    *out_src = (uint64_t)start;
    return true;
}

/* What checking a record tells applying it. */
typedef struct dxi_pt_checked {
    uint32_t witness_at; /* XOR: where its runs first change a byte (n: nowhere) */
    uint8_t witness;     /* the witness byte, */
    uint8_t change;      /* and the run's byte there */
    dxi_pt_shifts sh;    /* the shift and anchors after the record */
} dxi_pt_checked;

/* Walks one record of type at block offset off (n bytes, wn of them in
   the result) after its type and gap, by the grammar: first to check it
   (apply false: nothing is read or written; r is filled in), then, from
   the same fields again, to apply it: each segment's source is read into
   the block, the runs XORed (with CARRY added) into it or the RAW bytes
   copied, and the block written. */
DXI_PRIVATE dx_result dxi_pt_record(dx_patch_applier *a, const dxi_pt_cursors *c, unsigned type, uint64_t off, uint32_t n,
                                    uint32_t wn, bool apply, dxi_pt_checked *r, dxi_pt_hasher *h) {
    dxi_pt_walk w;
    uint64_t src = off, have = a->in_place ? dxi_pt_len(a) : dxi_pt_src_len(a);
    dxi_pt_shifts sh = a->sh;
    bool add = DXI_PT_SHIFT && type != DX_PATCH_REC_XOR && (a->info.flags & DX_PATCH_FLAG_CARRY), skip = false;
    /* X86: where the runs' starts depend on the bytes, the check reads the sources and adds the runs too (no data,
       or a block applied before a resume: the walk's bounds only) */
    bool exact = apply || (!a->dry_run && !dxi_pt_replayed(a, off));
    dxi_pt_x86_apply xa; /* a coded segment under way (xa.b set) */
    int more;
    xa.b = NULL;
    dxi_pt_walk_start(&w, c, type, a->info.flags, n, wn);
    if (!apply) r->witness_at = n, r->witness = r->change = 0;
    if (DXI_PT_SHIFT && !apply) r->sh = sh;
    while ((more = dxi_pt_next(&w)) > 0) {
        uint8_t *b = a->block + w.pos;
        size_t j;
        switch (w.col) {
        case DXI_PT_C_WITNESS: r->witness = (uint8_t)w.value; break;
        case DXI_PT_C_SEGS:
            if (!apply) a->stats.segments += w.value;
            break;
        case DXI_PT_C_DELTA:
            if (DXI_PT_SHIFT && !dxi_pt_source(a, w.value, off + w.seg_at, &sh, &src)) return DX_ERR_CORRUPT;
            if (DXI_PT_SHIFT && xa.b) dxi_pt_x86_advance(&xa, xa.n), xa.b = NULL; /* the last segment's bytes after its runs */
            w.lit = src >= dxi_pt_src_len(a);  /* a source past the base: new bytes (NEWBYTES: their own column), */
            w.coded = w.x86 && !w.lit;         /* and its skips count bytes */
            break;
        case DXI_PT_C_RUNS: /* the segment's source is known: read it */
            if (type == DX_PATCH_REC_XOR && w.value == 0) return DX_ERR_CORRUPT; /* an XOR record changes something */
            if (!apply) a->stats.runs += w.value;
            if (!apply && !(w.coded && exact)) break;
            if (dxi_pt_read_source(a, off, src, b, (size_t)w.seg_len, have) != DX_OK) return DX_ERR_IO;
            if (DXI_PT_SHIFT && w.coded) {
                xa.b = b, xa.n = w.seg_len, xa.fin = xa.word_left = xa.carry = 0;
                xa.wn = w.seg_at >= wn ? 0 : wn - w.seg_at < w.seg_len ? wn - w.seg_at : w.seg_len; /* not past the target */
            }
            if (!apply) break;
            if (a->resume && type == DX_PATCH_REC_XOR && (a->info.flags & DX_PATCH_FLAG_WITNESS)) {
                uint8_t cur = a->block[r->witness_at];
                if (cur == (uint8_t)(r->witness ^ r->change)) skip = true; /* applied before the interruption */
                else if (cur != r->witness) return DX_PATCH_ERR_WRONG_BASE;
            }
            break;
        case DXI_PT_C_SKIP: /* X86: a count of marks in the segment's bytes as they stand (dxi_pt_x86_mark) */
            if (DXI_PT_SHIFT && xa.b) {
                uint32_t at;
                if (!dxi_pt_x86_skip(&xa, w.value, &at)) return DX_ERR_CORRUPT;
                w.pos = w.seg_at + at;
            }
            break;
        case DXI_PT_C_BYTES:
        case DXI_PT_C_NEW:
            if (type == DX_PATCH_REC_RAW) { /* the target's bytes; zeros past its end (in place) */
                if (!apply) a->stats.raw_bytes += w.size;
                else DX_MEMCPY(a->block, w.at, w.size), DX_MEMSET(a->block + w.size, 0, (size_t)(n - w.size));
                break;
            }
            if (!apply) {
                a->stats.xor_bytes += w.size;
                for (j = 0; j < w.size && r->witness_at == n; j++)
                    if (w.at[j]) r->witness_at = w.pos + (uint32_t)j, r->change = w.at[j];
            }
            if (DXI_PT_SHIFT && xa.b) { /* X86: in order, word-wise at marks */
                for (j = 0; j < w.size; j++) dxi_pt_x86_step(&xa, w.at[j]);
            } else if (!apply) {
                break;
            } else if (add) {
                for (j = 0; j < w.size; j++) b[j] = (uint8_t)(b[j] + w.at[j]);
            } else if (!skip) {
                for (j = 0; j < w.size; j++) b[j] ^= w.at[j];
            }
            break;
        default: break;
        }
    }
    if (more < 0) return DX_ERR_CORRUPT;
    if (DXI_PT_SHIFT && xa.b) dxi_pt_x86_advance(&xa, xa.n);
    if (!apply) {
        if (type == DX_PATCH_REC_XOR && r->witness_at == n) return DX_ERR_CORRUPT; /* it changes nothing */
        if (type == DX_PATCH_REC_XOR && a->dry_run && a->in_place && a->resume && !a->no_data &&
            (a->info.flags & DX_PATCH_FLAG_WITNESS)) { /* the one-shot resume's dry run: every witness before a write */
            uint8_t cur;
            if (dxi_pt_read_padded(a, off + r->witness_at, &cur, 1, a->data_len) != DX_OK) return DX_ERR_IO;
            if (cur != r->witness && cur != (uint8_t)(r->witness ^ r->change)) return DX_PATCH_ERR_WRONG_BASE;
        }
        if (DXI_PT_SHIFT) r->sh = sh;
        return DX_OK;
    }
    if (DXI_PT_SHIFT) a->sh = sh;
    if (skip) {
        a->blocks_skipped++;
        return DX_OK;
    }
    if (type == DX_PATCH_REC_ZERO) DX_MEMSET(a->block, 0, (size_t)n);
    /* out of place, a block past the target's end writes nothing */
    if (dxi_pt_put_block(a, off, a->block, (size_t)(a->in_place ? n : wn)) != DX_OK) return DX_ERR_IO;
    if (h) dxi_pt_hash_update(h, a->block, (size_t)wn);
    a->blocks_applied++;
    return DX_OK;
}

/* Finds the columns of a COLUMNS frame p[0..len). Each column's field
   count follows from the grammar: per record (gaps, segment counts,
   witnesses), per segment (lengths but the last's, deltas, run counts) or
   per run (skips, lengths); segment counts come before the columns that
   depend on them, run counts before the run columns. Only SPLIT has
   segment counts: every other record is one segment. With NEWBYTES the
   new bytes' count N follows the run lengths (*out_new): whole, the bytes
   column's last N bytes are the NEW column; else (the bytes are not in p:
   a DICT frame's columns) both are left empty. Without, NEW is empty. */
DXI_PRIVATE bool dxi_pt_find_columns(const uint8_t *p, size_t len, uint32_t flags, bool whole, const uint8_t **col,
                                     const uint8_t **col_end, uint64_t *out_nrec, uint64_t *out_new) {
    const uint8_t *end = p + len;
    uint64_t nrec, i, v, count, recs[DX_PATCH_REC_TYPES] = {0}, segs = 0, runs = 0, nnew = 0;
    unsigned t;
    int c;
    if (!dxi_pt_read_varint(&p, end, &nrec) || nrec == 0 || nrec > (uint64_t)(end - p)) return false;
    col[DXI_PT_C_KIND] = p;
    for (i = 0; i < nrec; i++) recs[dxi_pt_type(p[i], flags)]++; /* a bad type fails when the records are read */
    p += nrec;
    for (c = DXI_PT_C_GAP; c < DXI_PT_C_BYTES; c++) {
        col_end[c - 1] = p;
        col[c] = p;
        for (count = 0, t = 1; t < DX_PATCH_REC_TYPES; t++) {
            unsigned f = dxi_pt_grammars[t].fields;
            bool split = (f & DXI_PT_F(SEGS)) != 0;
            if (!(f & (1u << c))) continue;
            if (c == DXI_PT_C_GAP || c == DXI_PT_C_SEGS) count += recs[t];
            else if (c == DXI_PT_C_WITNESS) count += (flags & DX_PATCH_FLAG_WITNESS) ? recs[t] : 0;
            else if (c == DXI_PT_C_SEGLEN) count += segs - recs[t];
            else if (c == DXI_PT_C_DELTA || c == DXI_PT_C_RUNS) count += split ? segs : recs[t];
        }
        if (c == DXI_PT_C_SKIP || c == DXI_PT_C_LEN) count = runs;
        if (c == DXI_PT_C_WITNESS) { /* bytes, not varints */
            if (count > (uint64_t)(end - p)) return false;
            p += count;
            continue;
        }
        for (i = 0; i < count; i++) {
            if (!dxi_pt_read_varint(&p, end, &v)) return false;
            if (c == DXI_PT_C_SEGS) { /* a segment takes 2 bytes at least */
                if (v < 2 || v > (uint64_t)(end - p) || segs + v > (uint64_t)len) return false;
                segs += v;
            }
            if (c == DXI_PT_C_RUNS) { /* a run takes 2 bytes at least */
                if (v > (uint64_t)(end - p) || runs + v > (uint64_t)len) return false;
                runs += v;
            }
        }
    }
    col_end[DXI_PT_C_LEN] = p;
    if ((flags & DX_PATCH_FLAG_NEWBYTES) && (!dxi_pt_read_varint(&p, end, &nnew) || (whole && nnew > (uint64_t)(end - p))))
        return false;
    col[DXI_PT_C_BYTES] = p;
    col_end[DXI_PT_C_BYTES] = col[DXI_PT_C_NEW] = whole ? end - nnew : end;
    col_end[DXI_PT_C_NEW] = end;
    *out_nrec = nrec, *out_new = nnew;
    return true;
}

#if defined(DX_PATCH_WITH_ZSTD) && DXI_PT_SHIFT && DXI_PT_COLUMNS
/* A range of new bytes' base into the dictionary: one that starts inside
   the range under way extends it; any other ends it (emitted) and begins
   the next. lo < 0: the last one is emitted. */
DXI_PRIVATE bool dxi_pt_dict_add(const dxi_pt_dict_args *g, int64_t lo, int64_t hi, int64_t *cur, uint64_t *dl) {
    if (lo >= 0 && cur[0] >= 0 && lo >= cur[0] && lo <= cur[1]) {
        if (hi > cur[1]) cur[1] = hi;
        return true;
    }
    if (cur[0] >= 0) {
        uint64_t n = (uint64_t)(cur[1] - cur[0]);
        if (n > g->limit - *dl || g->emit(g->user, (uint64_t)cur[0], n, *dl) != DX_OK) return false;
        *dl += n;
    }
    cur[0] = lo, cur[1] = hi;
    return true;
}

/* DICT (WIRE FORMAT): a frame's records walked from its columns, p[0..len),
   for the base ranges its dictionary is made of. With bytes_cap the bytes
   column is not in p: p ends where it begins (else corrupt) and up to
   bytes_cap of its bytes are counted, not read; without, p is the whole
   frame. st: the shift, the anchor and the next block before the frame,
   left as after it. g->emit (NULL: no ranges wanted) gets each merged
   range in order, with where it goes in the dictionary. Returns the bytes
   column's length, or -1: the columns break the grammar, a source is out
   of bounds, the ranges pass g->limit bytes in all, or emit failed. */
DXI_PRIVATE int64_t dxi_pt_dict_ranges(const uint8_t *p, size_t len, size_t bytes_cap, const dxi_pt_dict_args *g,
                                       dxi_pt_dict_state *st, uint64_t *out_dict_len) {
    const uint8_t *col[DXI_PT_C_COUNT], *col_end[DXI_PT_C_COUNT], *bytes_at;
    uint64_t nrec, rec, blocks = dxi_pt_blocks(g->total, g->block_size), dl = 0, bound = (uint64_t)1 << 48, nnew;
    int64_t cur[2] = {-1, -1}, margin = (int64_t)g->margin;
    dxi_pt_cursors c;
    int k;
    *out_dict_len = 0;
    if (g->total >= (uint64_t)1 << 56 || g->margin > bound ||
        !dxi_pt_find_columns(p, len, g->flags, bytes_cap == 0, col, col_end, &nrec, &nnew))
        return -1;
    if (bytes_cap && (col[DXI_PT_C_BYTES] != p + len || nnew > bytes_cap)) return -1; /* the columns before the bytes, exactly */
    bytes_at = col[DXI_PT_C_BYTES];
    if (bytes_cap) { /* counted, never read: the differences up to the cap less the new bytes, then those */
        col_end[DXI_PT_C_BYTES] = col[DXI_PT_C_NEW] = p + len + (bytes_cap - nnew);
        col_end[DXI_PT_C_NEW] = col[DXI_PT_C_NEW] + nnew;
    }
    for (k = 0; k < DXI_PT_C_COUNT; k++) c.at[k] = &col[k], c.end[k] = col_end[k];
    for (rec = 0; rec < nrec; rec++) {
        unsigned type = dxi_pt_type(*col[DXI_PT_C_KIND]++, g->flags);
        uint64_t gap, block, off, n, wn;
        bool lit = false;
        dxi_pt_walk wk;
        int r;
        if (!dxi_pt_read_varint(c.at[DXI_PT_C_GAP], c.end[DXI_PT_C_GAP], &gap) || st->next_block >= blocks ||
            gap >= blocks - st->next_block)
            return -1;
        block = st->next_block + gap;
        off = block * g->block_size;
        n = dxi_pt_min(g->block_size, g->total - off);
        wn = dxi_pt_raw_len(off, g->block_size, g->target_len);
        if (!type || (type == DX_PATCH_REC_RAW && wn == 0)) return -1;
        dxi_pt_walk_start(&wk, &c, type, g->flags, (uint32_t)n, (uint32_t)wn);
        while ((r = dxi_pt_next(&wk)) > 0) {
            if (wk.col == DXI_PT_C_DELTA) { /* a segment's source; one in the base is the new anchor */
                int64_t shift, at;
                if (!dxi_pt_delta_shift(wk.value, g->flags, &st->sh, &shift)) return -1;
                at = (int64_t)(off + wk.seg_at) + shift;
                if (at < 0 || (uint64_t)at > dxi_pt_max(g->base_len, off + wk.seg_at) + bound) return -1;
                wk.lit = lit = (uint64_t)at >= g->base_len;
                wk.coded = wk.x86 && !lit; /* X86: a literal run's place is exact, the others' not needed */
                dxi_pt_shifts_move(&st->sh, shift, lit);
            } else if ((wk.col == DXI_PT_C_BYTES || wk.col == DXI_PT_C_NEW) && g->emit &&
                       (type == DX_PATCH_REC_RAW || (lit && type != DX_PATCH_REC_XOR))) {
                /* new bytes (a RAW block, a run from past the base): the base where the anchor maps them */
                int64_t lo = (int64_t)(off + wk.pos) + st->sh.base - margin, hi = lo + (int64_t)wk.value + 2 * margin;
                if (lo < (int64_t)g->floor) lo = (int64_t)g->floor;
                if (hi > (int64_t)g->base_len) hi = (int64_t)g->base_len;
                if (lo < hi && !dxi_pt_dict_add(g, lo, hi, cur, &dl)) return -1;
            }
        }
        if (r < 0) return -1;
        st->next_block = block + 1;
    }
    for (k = 0; k < DXI_PT_C_BYTES; k++)
        if (col[k] != col_end[k]) return -1; /* every column used up */
    if (col[DXI_PT_C_NEW] != col_end[DXI_PT_C_NEW]) return -1; /* exactly the new bytes counted */
    if (g->emit && !dxi_pt_dict_add(g, -1, -1, cur, &dl)) return -1;
    *out_dict_len = dl;
    return (int64_t)(col[DXI_PT_C_BYTES] - bytes_at) + (int64_t)nnew;
}
#endif

/* Checks (and unless dry run applies) the records of one raw frame. */
DXI_PRIVATE dx_result dxi_pt_frame(dx_patch_applier *a, const uint8_t *p, size_t len, dxi_pt_hasher *h) {
    const uint8_t *end = p + len, *col[DXI_PT_C_COUNT], *saved[DXI_PT_C_COUNT];
    uint64_t bs = a->info.block_size, total = dxi_pt_len(a), blocks = dxi_pt_blocks(total, bs);
    uint64_t dst_len = dxi_pt_dst_len(a), nrec = 0, rec;
    bool columns = DXI_PT_COLUMNS && (a->info.flags & DX_PATCH_FLAG_COLUMNS);
    dxi_pt_cursors c, again;
    uint64_t nnew;
    int k;
    if (columns && !dxi_pt_find_columns(p, len, a->info.flags, true, col, c.end, &nrec, &nnew)) return DX_ERR_CORRUPT;
    for (k = 0; k < DXI_PT_C_COUNT; k++) {
        c.at[k] = columns ? &col[k] : &p;
        if (!columns) c.end[k] = end;
    }
    for (rec = 0; columns ? rec < nrec : p < end; rec++) {
        unsigned type;
        uint64_t gap, block, off, n, wn;
        dxi_pt_checked r;
        dx_result err;
        int pass;
        if (*c.at[DXI_PT_C_KIND] >= c.end[DXI_PT_C_KIND]) return DX_ERR_CORRUPT;
        type = dxi_pt_type(*(*c.at[DXI_PT_C_KIND])++, a->info.flags);
        if (!dxi_pt_read_varint(c.at[DXI_PT_C_GAP], c.end[DXI_PT_C_GAP], &gap) || a->next_block >= blocks ||
            gap >= blocks - a->next_block)
            return DX_ERR_CORRUPT; /* out of order, or past the end */
        block = a->next_block + gap;
        off = block * bs;
        n = dxi_pt_min(bs, total - off);
        wn = dxi_pt_raw_len(off, bs, dst_len);
        /* a type the flags do not allow; only XOR records roll back; RAW past the target's end */
        if (!type || (a->reverse && type != DX_PATCH_REC_XOR) || (type == DX_PATCH_REC_RAW && wn == 0))
            return DX_ERR_CORRUPT;
        a->stats.records[type]++;
        if (!a->dry_run && (!a->in_place || dxi_pt_ring_on(a)) && dxi_pt_copy_until(a, block, h) != DX_OK)
            return DX_ERR_IO;
        dxi_pt_cursors_save(&c, saved, &again);
        if (dxi_pt_replayed(a, off)) a->blocks_skipped++; /* applied before the resume: only checked */
        for (pass = 0; pass < (a->dry_run || dxi_pt_replayed(a, off) ? 1 : 2); pass++) /* check the record, then apply it */
            if ((err = dxi_pt_record(a, pass ? &again : &c, type, off, (uint32_t)n, (uint32_t)wn, pass == 1, &r, h)) != DX_OK)
                return err; /* n, wn: at most a block */
        if (DXI_PT_SHIFT) a->sh = r.sh;
        a->next_block = block + 1;
    }
    if (columns)
        for (k = 0; k < DXI_PT_C_COUNT; k++)
            if (col[k] != c.end[k]) return DX_ERR_CORRUPT; /* every column used up */
    return DX_OK;
}

/* Lays out the applier's memory (dxi_pt_memory) in mem. frames: how many
   frame buffers (the one-shot calls read uncompressed frames in place and
   need at most one). */
DXI_PRIVATE dx_result dxi_pt_setup(dx_patch_applier *a, const dx_patch_applier_config *cfg, void *mem, size_t mem_size,
                                   unsigned frames) {
    size_t max_block, max_frame, need = dxi_pt_memory(cfg, frames), skew = (size_t)(-(uintptr_t)mem & 7);
    uint8_t *m = mem ? (uint8_t *)mem + skew : NULL; /* the output hash has uint64_t fields: any alignment works */
    DX_MEMSET(a, 0, sizeof *a);
    if ((!cfg->check_only && (!cfg->io.read || !cfg->io.write)) || need == 0) return DX_ERR_INVAL;
    if (DXI_PT_SHIFT && (!cfg->io.journal_write != !cfg->io.journal_read || !cfg->io.journal_write != !cfg->io.sync))
        return DX_ERR_INVAL; /* a journal needs all three (without the shift mode there is none: they are not used) */
    if (!mem || mem_size < skew + need) return DX_ERR_NOSPACE;
    dxi_pt_limits(cfg, &max_block, &max_frame);
    a->io = cfg->io;
    a->data_len = cfg->data_len;
    a->in_place = cfg->in_place;
    a->resume = cfg->resume;
    a->dry_run = a->base_checked = a->no_data = cfg->check_only; /* no data: nothing read, nothing written */
    a->allocator = cfg->allocator;
    a->block = m;
    a->block2 = m + dxi_pt_round8(max_block);
    a->frame = frames ? a->block2 + dxi_pt_block2(max_block) : NULL;
    a->stored = frames > 1 ? a->frame + dxi_pt_round8(max_frame) : NULL;
    a->ring_cap = cfg->max_window;
    a->ring = a->ring_cap ? m + need - a->ring_cap : NULL;
    a->jbuf = dxi_pt_journaled(cfg)
                  ? m + need - a->ring_cap - dxi_pt_round8(max_block) - 2 * dxi_pt_round8(sizeof(dxi_pt_hasher))
                  : NULL;
    a->jstep = dxi_pt_journaled(cfg) ? DXI_DEF(cfg->journal_step, (uint32_t)DX_PATCH_DEFAULT_JOURNAL_STEP) : 0;
    a->memory = mem;
    a->memory_size = mem_size;
    /* the limits are kept in the otherwise unused info fields until the header arrives */
    a->info.block_size = (uint32_t)max_block;
    a->info.frame_max = (uint32_t)max_frame;
    return DX_OK;
}

DX_PATCH_API dx_result dx_patch_applier_init(dx_patch_applier *a, const dx_patch_applier_config *cfg, void *mem,
                                             size_t mem_size) {
    if (!a || !cfg) return DX_ERR_INVAL;
    return dxi_pt_setup(a, cfg, mem, mem_size, DXI_PT_FRAME_BUFFERS);
}

DX_PATCH_API dx_result dx_patch_applier_create(dx_patch_applier *a, const dx_patch_applier_config *cfg) {
    size_t size;
    void *mem;
    dx_result err;
    if (!a || !cfg || (!cfg->allocator.alloc != !cfg->allocator.free)) return DX_ERR_INVAL;
    size = dx_patch_applier_memory_size(cfg);
    if (size == 0) return DX_ERR_INVAL;
    mem = dxi_pt_alloc(&cfg->allocator, size);
    if (!mem) return DX_ERR_NOMEM;
    err = dxi_pt_setup(a, cfg, mem, size, DXI_PT_FRAME_BUFFERS);
    if (err != DX_OK) dxi_pt_free(&cfg->allocator, mem, size);
    else a->owns_memory = true;
    return err;
}

/* zstd's context, made at the first compressed frame, is the only resource besides the memory. */
DX_PATCH_API void dx_patch_applier_deinit(dx_patch_applier *a) {
    if (!a) return;
#if defined(DX_PATCH_WITH_ZSTD)
    if (a->zstd) ZSTD_freeDCtx((ZSTD_DCtx *)a->zstd);
#endif
    a->zstd = NULL;
}

DX_PATCH_API void dx_patch_applier_destroy(dx_patch_applier *a) {
    if (!a) return;
    dx_patch_applier_deinit(a);
    if (a->owns_memory) dxi_pt_free(&a->allocator, a->memory, a->memory_size);
    DX_MEMSET(a, 0, sizeof *a);
}

/* A frame's header: raw length in [1, the patch's largest raw frame] (an
   empty frame is corrupt), stored length in [1, raw], and a compressed
   frame (stored < raw) only with ZSTD, and only in a build with zstd. */
DXI_PRIVATE dx_result dxi_pt_frame_header(const dx_patch_applier *a, const uint8_t *fh, uint32_t *raw, uint32_t *stored) {
    *raw = dx_load_u32le(fh + DX_PATCH_FRAME_HEADER_OFF_RAW_LEN);
    *stored = dx_load_u32le(fh + DX_PATCH_FRAME_HEADER_OFF_STORED_LEN);
    bool stream = (a->info.flags & DX_PATCH_FLAG_STREAM) != 0;
    if (*raw == 0 || *raw > a->info.frame_max || *stored == 0 || *stored > (stream ? a->info.frame_max : *raw))
        return DX_ERR_CORRUPT;
    if (*stored < *raw && !(a->info.flags & DX_PATCH_FLAG_ZSTD)) return DX_ERR_CORRUPT; /* in every build */
#if !defined(DX_PATCH_WITH_ZSTD)
    if (*stored < *raw || stream) return DX_ERR_UNSUPPORTED; /* a compressed patch: build with DX_PATCH_WITH_ZSTD */
#endif
    return DX_OK;
}

#if defined(DX_PATCH_WITH_ZSTD) && DXI_PT_SHIFT && DXI_PT_COLUMNS
typedef struct dxi_pt_dict_reader {
    dx_patch_applier *a;
    uint8_t *dict;     /* where the dictionary goes */
    uint64_t frontier; /* in place: bytes below it come from the ring (at most a ring below) */
    bool failed;       /* a read failed: an io error, not a corrupt patch */
} dxi_pt_dict_reader;

DXI_PRIVATE dx_result dxi_pt_dict_read(void *user, uint64_t at, uint64_t len, uint64_t dict_at) {
    dxi_pt_dict_reader *d = (dxi_pt_dict_reader *)user;
    dx_patch_applier *a = d->a;
    dx_result err;
    if (!dxi_pt_ring_on(a)) {
        err = a->io.read(a->io.user, at, d->dict + dict_at, (size_t)len) == DX_OK ? DX_OK : DX_ERR_IO;
    } else {
        if (at + a->ring_mask + 1 < d->frontier) return DX_ERR_CORRUPT; /* not reached: the floor keeps it in the ring */
        err = dxi_pt_read_source(a, d->frontier, at, d->dict + dict_at, (size_t)len, dxi_pt_len(a));
    }
    if (err == DX_ERR_IO) d->failed = true;
    return err;
}

/* A DICT patch's frame: raw (stored_len == raw) it only moves the
   dictionary walk on; compressed, its records' zstd frame gives the
   columns before the bytes column, their walk the base ranges read into
   the ring as the dictionary, and the bytes column's zstd frame the rest
   of the raw bytes (WIRE FORMAT). */
DXI_PRIVATE dx_result dxi_pt_dict_frame_read(dx_patch_applier *a, const uint8_t *stored, uint32_t raw, uint32_t stored_len,
                                             uint32_t check, uint8_t *raw_buf, dxi_pt_hasher *h) {
    dxi_pt_dict_args g;
    dxi_pt_dict_state st;
    dxi_pt_dict_reader rd;
    const uint8_t *p = stored, *end = stored + stored_len;
    uint64_t margin, na, dl, last;
    size_t n, rest;
    int64_t nb;
    DX_MEMSET(&g, 0, sizeof g);
    g.flags = a->info.flags, g.block_size = a->info.block_size;
    g.total = dxi_pt_len(a), g.target_len = a->info.target_len, g.base_len = a->info.base_len;
    g.limit = dxi_pt_min(a->info.window, a->info.base_len);
    st.sh = a->dict_sh, st.next_block = a->dict_next;
    if (stored_len == raw) {
        if (dxi_pt_dict_ranges(stored, raw, 0, &g, &st, &dl) < 0) return DX_ERR_CORRUPT;
    } else {
        if (!dxi_pt_read_varint(&p, end, &margin) || !dxi_pt_read_varint(&p, end, &na) || margin > a->info.window ||
            na == 0 || na >= (uint64_t)(end - p))
            return DX_ERR_CORRUPT; /* a margin past the window; no room for the bytes' frame */
        a->stats.frames_compressed++;
        if (!a->zstd && !(a->zstd = ZSTD_createDCtx())) return DX_ERR_NOMEM;
        rest = (size_t)(end - p) - (size_t)na; /* the bytes column's frame */
        if (ZSTD_findFrameCompressedSize(p, (size_t)na) != na || ZSTD_findFrameCompressedSize(p + na, rest) != rest)
            return DX_ERR_CORRUPT; /* one zstd frame each */
        n = ZSTD_decompressDCtx((ZSTD_DCtx *)a->zstd, raw_buf, raw, p, (size_t)na);
        if (ZSTD_isError(n)) return DX_ERR_CORRUPT;
        if (a->info.flags & DX_PATCH_FLAG_WINDOW) { /* no range below the frame's end less the window */
            dxi_pt_dict_state after = st;
            if (dxi_pt_dict_ranges(raw_buf, n, raw - n, &g, &after, &dl) < 0) return DX_ERR_CORRUPT;
            last = after.next_block * a->info.block_size;
            if (last > a->info.window) g.floor = last - a->info.window;
            /* every block done before a resume (or all of them: the data is the target), so its base is gone and
               the bytes are not used: records only checked, the frame's check not */
            if (dxi_pt_replayed(a, last - a->info.block_size) || (a->in_place && a->dry_run)) {
                DX_MEMSET(raw_buf + n, 0, raw - n);
                a->dict_sh = after.sh, a->dict_next = after.next_block;
                a->frames_done++;
                return dxi_pt_frame(a, raw_buf, raw, h);
            }
        }
        rd.a = a, rd.failed = false;
        rd.dict = a->ring + (dxi_pt_ring_on(a) ? a->ring_mask + 1 : 0);
        rd.frontier = dxi_pt_max(a->next_block * a->info.block_size, a->replay_end);
        g.margin = margin, g.emit = dxi_pt_dict_read, g.user = &rd;
        nb = dxi_pt_dict_ranges(raw_buf, n, raw - n, &g, &st, &dl);
        if (nb < 0) return rd.failed ? DX_ERR_IO : DX_ERR_CORRUPT;
        if ((uint64_t)nb != raw - n) return DX_ERR_CORRUPT; /* the bytes column fills the frame */
        if (ZSTD_isError(ZSTD_DCtx_refPrefix((ZSTD_DCtx *)a->zstd, dl ? rd.dict : NULL, (size_t)dl))) return DX_ERR_NOMEM;
        p += na;
        if (ZSTD_decompressDCtx((ZSTD_DCtx *)a->zstd, raw_buf + n, raw - n, p, rest) != raw - n)
            return DX_ERR_CORRUPT;
        stored = raw_buf;
    }
    a->dict_sh = st.sh, a->dict_next = st.next_block;
    if (dxi_pt_check32(stored, raw) != check) return DX_ERR_CHECKSUM;
    a->frames_done++;
    return dxi_pt_frame(a, stored, raw, h);
}
#endif

/* One frame whose header was checked: decompress it if needed, check it,
   apply its records. */
DXI_PRIVATE dx_result dxi_pt_frame_done(dx_patch_applier *a, const uint8_t *stored, uint32_t raw, uint32_t stored_len,
                                        uint32_t check, uint8_t *raw_buf, dxi_pt_hasher *h) {
    const uint8_t *bytes = stored;
#if defined(DX_PATCH_WITH_ZSTD)
#if DXI_PT_SHIFT && DXI_PT_COLUMNS
    if (a->info.flags & DX_PATCH_FLAG_DICT) return dxi_pt_dict_frame_read(a, stored, raw, stored_len, check, raw_buf, h);
#endif
    if (a->info.flags & DX_PATCH_FLAG_STREAM) { /* the next piece of the stream gives exactly the raw bytes */
        ZSTD_inBuffer zi;
        ZSTD_outBuffer zo;
        size_t left = 1;
        a->stats.frames_compressed++;
        if (!a->zstd) {
            if (!(a->zstd = ZSTD_createDCtx())) return DX_ERR_NOMEM;
            if (ZSTD_isError(ZSTD_DCtx_setParameter((ZSTD_DCtx *)a->zstd, ZSTD_d_windowLogMax, DX_PATCH_STREAM_WINDOW_LOG)))
                return DX_ERR_NOMEM;
        }
        zi.src = stored, zi.size = stored_len, zi.pos = 0;
        zo.dst = raw_buf, zo.size = raw, zo.pos = 0;
        while (zi.pos < zi.size || zo.pos < zo.size) {
            size_t in_before = zi.pos, out_before = zo.pos;
            left = ZSTD_decompressStream((ZSTD_DCtx *)a->zstd, &zo, &zi);
            if (ZSTD_isError(left))
                return ZSTD_getErrorCode(left) == ZSTD_error_frameParameter_windowTooLarge ? DX_ERR_LIMIT : DX_ERR_CORRUPT;
            if (zi.pos == in_before && zo.pos == out_before) return DX_ERR_CORRUPT; /* stuck: the piece is short, or
                                                                                       gives more than the raw bytes */
            if (left == 0 && (zi.pos < zi.size || a->frames_done + 1 < a->info.frame_count))
                return DX_ERR_CORRUPT; /* one zstd frame through all the pieces: not one that ends early, nor a
                                          second (or a skippable) one after it */
        }
        /* the last frame ends the zstd frame */
        if (a->frames_done + 1 == a->info.frame_count && left != 0) return DX_ERR_CORRUPT;
        bytes = raw_buf;
    } else if (stored_len < raw) {
        size_t n;
        a->stats.frames_compressed++;
        if (!a->zstd && !(a->zstd = ZSTD_createDCtx())) return DX_ERR_NOMEM;
        if (a->info.flags & DX_PATCH_FLAG_PREFIX) { /* the base range this frame's zstd frame builds on */
            uint64_t at, len;
            if (stored_len <= DX_PATCH_PREFIX_SIZE) return DX_ERR_CORRUPT;
            at = dx_load_u64le(stored + DX_PATCH_PREFIX_OFF_BASE);
            len = dx_load_u32le(stored + DX_PATCH_PREFIX_OFF_LEN);
            if (len == 0 || len > a->info.window || at > a->info.base_len || len > a->info.base_len - at)
                return DX_ERR_CORRUPT;
            if (a->io.read(a->io.user, at, a->ring, (size_t)len) != DX_OK) return DX_ERR_IO;
            if (ZSTD_isError(ZSTD_DCtx_refPrefix((ZSTD_DCtx *)a->zstd, a->ring, (size_t)len))) return DX_ERR_NOMEM;
            stored += DX_PATCH_PREFIX_SIZE, stored_len -= DX_PATCH_PREFIX_SIZE;
        }
        if (ZSTD_findFrameCompressedSize(stored, stored_len) != stored_len) return DX_ERR_CORRUPT; /* one zstd frame */
        n = ZSTD_decompressDCtx((ZSTD_DCtx *)a->zstd, raw_buf, raw, stored, stored_len);
        if (ZSTD_isError(n) || n != raw) return DX_ERR_CORRUPT;
        bytes = raw_buf;
    }
#else
    (void)raw_buf, (void)stored_len;
#endif
    if (dxi_pt_check32(bytes, raw) != check) return DX_ERR_CHECKSUM;
    a->frames_done++;
    return dxi_pt_frame(a, bytes, raw, h);
}

DXI_PRIVATE dx_result dxi_pt_header_done(dx_patch_applier *a) {
    uint32_t max_block = a->info.block_size, max_frame = a->info.frame_max;
    dx_result err = dxi_pt_parse_header(a->header, &a->info);
    if (err != DX_OK) return err;
    if (DXI_PT_SHIFT) { /* COPY patches apply forward only: the source is the base */
        dxi_pt_shifts_init(&a->sh, a->info.base_len);
        a->dict_sh = a->sh;
    }
    if (a->info.block_size > max_block || a->info.frame_max > max_frame) return DX_ERR_LIMIT;
    if (DXI_PT_SHIFT && (a->info.flags & DX_PATCH_FLAG_PREFIX)) { /* frames decode only with their base ranges, read into the ring */
        if ((a->in_place && !(a->info.flags & DX_PATCH_FLAG_WINDOW)) || a->no_data) return DX_ERR_UNSUPPORTED;
        if (!a->in_place && dxi_pt_min(a->info.window, a->info.base_len) > a->ring_cap) return DX_ERR_LIMIT;
    }
    a->header_done = true;
    return dxi_pt_start(a);
}

/* The running hash of out-of-place output lives in the applier's second
   block buffer, which out-of-place applies do not otherwise use. */
DXI_PRIVATE dxi_pt_hasher *dxi_pt_out_hash(dx_patch_applier *a) {
    return a->in_place || a->dry_run ? (dxi_pt_hasher *)NULL : (dxi_pt_hasher *)(void *)a->block2;
}

DX_PATCH_API dx_result dx_patch_applier_feed(dx_patch_applier *a, const uint8_t *data, size_t len) {
    if (!a || (!data && len)) return DX_ERR_INVAL;
    while (len && a->error == DX_OK) {
        size_t take;
        uint32_t raw, stored;
        if (!a->header_done) {
            take = (size_t)dxi_pt_min(DX_PATCH_HEADER_SIZE - a->have, len);
            DX_MEMCPY(a->header + a->have, data, take);
            a->have += take, data += take, len -= take;
            if (a->have < DX_PATCH_HEADER_SIZE) break;
            a->have = 0;
            dxi_pt_fail(a, dxi_pt_header_done(a));
            if (a->error == DX_OK && dxi_pt_out_hash(a)) dxi_pt_hash_init(dxi_pt_out_hash(a), 0);
            continue;
        }
        if (a->frames_done == a->info.frame_count) return dxi_pt_fail(a, DX_ERR_CORRUPT); /* bytes after the last frame */
        if (a->have < DX_PATCH_FRAME_HEADER_SIZE) {
            take = (size_t)dxi_pt_min(DX_PATCH_FRAME_HEADER_SIZE - a->have, len);
            DX_MEMCPY(a->fhead + a->have, data, take);
            a->have += take, data += take, len -= take;
            if (a->have == DX_PATCH_FRAME_HEADER_SIZE) dxi_pt_fail(a, dxi_pt_frame_header(a, a->fhead, &raw, &stored));
        } else {
            size_t at = a->have - DX_PATCH_FRAME_HEADER_SIZE;
            uint8_t *dst;
            dxi_pt_frame_header(a, a->fhead, &raw, &stored); /* checked when it came in */
            dst = stored < raw || (a->info.flags & DX_PATCH_FLAG_STREAM) ? a->stored : a->frame;
            take = (size_t)dxi_pt_min(stored - at, len);
            DX_MEMCPY(dst + at, data, take);
            a->have += take, data += take, len -= take;
            if (at + take == stored) {
                a->have = 0;
                dxi_pt_fail(a, dxi_pt_frame_done(a, dst, raw, stored,
                                                 dx_load_u32le(a->fhead + DX_PATCH_FRAME_HEADER_OFF_CHECK), a->frame,
                                                 dxi_pt_out_hash(a)));
            }
        }
    }
    return a->error;
}

DX_PATCH_API int64_t dx_patch_applier_finish(dx_patch_applier *a) {
    uint64_t hash = 0, want, dst_len;
    dx_result err;
    if (!a) return DX_ERR_INVAL;
    if (a->error != DX_OK) return a->error;
    if (!a->header_done || a->have || a->frames_done < a->info.frame_count) return dxi_pt_fail(a, DX_ERR_TRUNCATED);
    dst_len = dxi_pt_dst_len(a);
    if (a->dry_run) return (int64_t)dst_len;
    if (!a->in_place) {
        uint64_t bs = a->info.block_size;
        err = dxi_pt_copy_until(a, dxi_pt_blocks(dst_len, bs), dxi_pt_out_hash(a));
        if (err != DX_OK) return dxi_pt_fail(a, err);
        hash = dxi_pt_hash_final(dxi_pt_out_hash(a));
    } else {
        if (dxi_pt_ring_on(a)) { /* the blocks after the last record move too */
            err = dxi_pt_copy_until(a, dxi_pt_blocks(dxi_pt_len(a), a->info.block_size), NULL);
            if (err != DX_OK) return dxi_pt_fail(a, err);
        }
        err = dxi_pt_hash_data(a, dst_len, a->info.block_size, &hash);
        if (err != DX_OK) return dxi_pt_fail(a, err);
    }
    want = a->reverse ? a->info.base_hash : a->info.target_hash;
    if (hash != want) return dxi_pt_fail(a, DX_PATCH_ERR_RESULT);
    return (int64_t)dst_len;
}

/* The frames of a patch in memory (after its header) through the applier, walked in place:
   only compressed ones are copied out. h: the output's running hash, or NULL. */
DXI_PRIVATE dx_result dxi_pt_frames_mem(dx_patch_applier *a, const uint8_t *patch, size_t patch_len, dxi_pt_hasher *h) {
    const uint8_t *p = patch + DX_PATCH_HEADER_SIZE, *end = patch + patch_len;
    dx_result err = DX_OK;
    uint32_t f;
    for (f = 0; err == DX_OK && f < a->info.frame_count; f++) {
        uint32_t raw, stored;
        if ((size_t)(end - p) < DX_PATCH_FRAME_HEADER_SIZE) return DX_ERR_TRUNCATED;
        err = dxi_pt_frame_header(a, p, &raw, &stored);
        if (err == DX_OK && stored > (size_t)(end - p) - DX_PATCH_FRAME_HEADER_SIZE) err = DX_ERR_TRUNCATED;
        if (err == DX_OK)
            err = dxi_pt_frame_done(a, p + DX_PATCH_FRAME_HEADER_SIZE, raw, stored,
                                    dx_load_u32le(p + DX_PATCH_FRAME_HEADER_OFF_CHECK), a->frame, h);
        p += DX_PATCH_FRAME_HEADER_SIZE + stored;
    }
    return err == DX_OK && p != end ? DX_ERR_CORRUPT : err;
}

/* One-shot: check the whole patch without writing, then apply it. */
DXI_PRIVATE int64_t dxi_pt_apply_mem(const uint8_t *patch, size_t patch_len, const uint8_t *src, size_t src_len,
                                     uint8_t *dst, size_t cap, bool in_place, bool resume) {
    dx_patch_applier a;
    dx_patch_applier_config cfg;
    dx_patch_info info;
    dxi_pt_mem mem;
    uint8_t *scratch;
    size_t scratch_size, pass;
    unsigned frames;
    int64_t result = DX_OK;
    dx_result err = dx_patch_read_info(patch, patch_len, &info);
    if (err != DX_OK) return err;
    if ((!src && src_len) || !dst) return DX_ERR_INVAL;
    if (cap < dxi_pt_max(info.base_len, info.target_len) && in_place) return DX_ERR_NOSPACE;
    DX_MEMSET(&cfg, 0, sizeof cfg);
    a.reverse = false;
    mem.src = src, mem.dst = dst, mem.dst_cap = cap;
    cfg.io.read = dxi_pt_mem_read;
    cfg.io.write = dxi_pt_mem_write;
    cfg.io.user = &mem;
    cfg.data_len = src_len;
    cfg.in_place = in_place;
    cfg.resume = resume;
    cfg.max_block = info.block_size;
    cfg.max_frame = info.frame_max;
    if (in_place && (info.flags & DX_PATCH_FLAG_WINDOW)) { /* the ring: the window, or less if the data is smaller */
        uint64_t total = dxi_pt_max(info.base_len, info.target_len);
        for (cfg.max_window = 1; cfg.max_window < info.window && cfg.max_window < total; cfg.max_window <<= 1) {}
        if (cfg.max_window < info.block_size) cfg.max_window = info.block_size;
    }
    if (info.flags & DX_PATCH_FLAG_PREFIX) { /* the ring holds each frame's base range (out of place: in place
                                                the dry run finds a bad patch, then it is refused) */
        if (info.base_len != src_len && !(in_place && resume)) /* one-way: only the base applies; and the */
            return DX_PATCH_ERR_WRONG_BASE;                       /* window is bounded by its length */
        if (in_place && (info.flags & DX_PATCH_FLAG_WINDOW)) cfg.max_window *= 2; /* DICT: the ring, then the dictionary */
        else cfg.max_window = info.window;
    }
    /* a block, the output hash, a frame only if frames may be compressed, the ring in place */
    frames = (info.flags & DX_PATCH_FLAG_ZSTD) ? 1u : 0u;
    if ((scratch_size = dxi_pt_memory(&cfg, frames)) == 0) return DX_ERR_LIMIT;
    scratch = (uint8_t *)dxi_pt_alloc(&cfg.allocator, scratch_size);
    if (!scratch) return DX_ERR_NOMEM;
    for (pass = 0; pass < 2 && result >= 0; pass++) { /* pass 0: dry run, pass 1: apply */
        bool reverse = a.reverse, verify = pass == 0 && in_place && !resume;
        /* in place, the dry run applies out of place to nowhere: it checks the result's hash before the first write */
        cfg.in_place = in_place && !verify;
        cfg.io.write = verify ? dxi_pt_null_write : dxi_pt_mem_write;
        dxi_pt_setup(&a, &cfg, scratch, scratch_size, frames);
        a.dry_run = pass == 0 && !verify;
        a.base_checked = pass == 1, a.reverse = pass == 1 && reverse;
        DX_MEMCPY(a.header, patch, DX_PATCH_HEADER_SIZE);
        err = dxi_pt_header_done(&a);
        if (err == DX_OK && dxi_pt_out_hash(&a)) dxi_pt_hash_init(dxi_pt_out_hash(&a), 0);
        if (err == DX_OK && !in_place && cap < dxi_pt_dst_len(&a)) err = DX_ERR_NOSPACE;
        if (err == DX_OK) err = dxi_pt_frames_mem(&a, patch, patch_len, dxi_pt_out_hash(&a));
        if (err != DX_OK) a.error = err;
        result = dx_patch_applier_finish(&a);
        dx_patch_applier_deinit(&a);
    }
    dxi_pt_free(&cfg.allocator, scratch, scratch_size);
    return result;
}

DX_PATCH_API int64_t dx_patch_apply(const uint8_t *patch, size_t patch_len, const uint8_t *base, size_t base_len,
                                    uint8_t *out, size_t cap) {
    if (!patch || (out && base && out < base + base_len && base < out + cap)) return DX_ERR_INVAL; /* no overlap */
    return dxi_pt_apply_mem(patch, patch_len, base, base_len, out, cap, false, false);
}

DX_PATCH_API int64_t dx_patch_apply_in_place(const uint8_t *patch, size_t patch_len, uint8_t *data, size_t len,
                                             size_t cap, bool resume) {
    dx_patch_info info;
    if (!patch || !data) return DX_ERR_INVAL;
    /* resume of data that is whole: the target is done, the base a plain apply (so that "always resume after a
       crash" holds for every patch, those that cannot resume a half-applied state too) */
    if (resume && dx_patch_read_info(patch, patch_len, &info) == DX_OK) {
        if (len == info.target_len && dx_patch_xxh64(data, len, 0) == info.target_hash) return (int64_t)len;
        if (len == info.base_len && dx_patch_xxh64(data, len, 0) == info.base_hash) resume = false;
    }
    return dxi_pt_apply_mem(patch, patch_len, data, len, data, cap, true, resume);
}

/* ---- applying a delta chain: one hash at each end ----
   Each patch is applied in one pass with its base already vouched for (the
   previous patch's target hash in its header, or the base hashed once) and
   no hash of its result but the last: a chain of d patches costs the
   patches' decoding plus two hashes, where d one-shot applies would hash
   2d times and copy the data d times. */
DX_PATCH_API int64_t dx_patch_apply_chain(const uint8_t *const *patches, const size_t *lens, size_t n,
                                          const uint8_t *base, size_t base_len, uint8_t *out, uint8_t *spare, size_t cap) {
    dx_patch_applier a;
    dx_patch_applier_config cfg;
    dx_patch_info info, prev;
    uint8_t *scratch = NULL, *cur = out, *other = spare;
    size_t scratch_size = 0, k, cur_len = base_len;
    uint32_t max_block = 64, max_frame = 64, max_prefix = 0;
    bool zstd = false, in_out = base == out; /* in_out: the base is patched where it is */
    dx_result err = DX_OK;
    DX_MEMSET(&prev, 0, sizeof prev);
    if ((!patches && n) || (!lens && n) || (!base && base_len) || !out) return DX_ERR_INVAL;
    if ((base && !in_out && out < base + base_len && base < out + cap) || (spare && spare < out + cap && out < spare + cap) ||
        (base && spare && spare < base + base_len && base < spare + cap))
        return DX_ERR_INVAL; /* no overlap but base == out */
    for (k = 0; k < n; k++) { /* the headers: sizes, links, limits */
        if (!patches[k]) return DX_ERR_INVAL;
        if ((err = dx_patch_read_info(patches[k], lens[k], &info)) != DX_OK) return err;
        if (k == 0 ? info.base_len != base_len : info.base_len != prev.target_len || info.base_hash != prev.target_hash)
            return DX_PATCH_ERR_WRONG_BASE;
        if (dxi_pt_max(info.base_len, info.target_len) > cap) return DX_ERR_NOSPACE;
        if ((k > 0 || in_out) && (info.flags & DX_PATCH_FLAG_COPY) && !spare) return DX_ERR_INVAL;
        if (info.block_size > max_block) max_block = info.block_size;
        if (info.frame_max > max_frame) max_frame = info.frame_max;
        if ((info.flags & DX_PATCH_FLAG_PREFIX) && info.window > max_prefix) max_prefix = info.window;
        zstd = zstd || (info.flags & DX_PATCH_FLAG_ZSTD);
        prev = info;
    }
    if (n == 0) {
        if (base_len > cap) return DX_ERR_NOSPACE;
        if (base_len && !in_out) DX_MEMCPY(out, base, base_len);
        return (int64_t)base_len;
    }
    dx_patch_read_info(patches[0], lens[0], &info);
    if (dx_patch_xxh64(base, base_len, 0) != info.base_hash) return DX_PATCH_ERR_WRONG_BASE;
    DX_MEMSET(&cfg, 0, sizeof cfg);
    cfg.io.read = dxi_pt_mem_read;
    cfg.io.write = dxi_pt_mem_write;
    cfg.max_block = max_block;
    cfg.max_frame = max_frame;
    cfg.max_window = max_prefix; /* PREFIX patches read their frames' base ranges into it */
    if ((scratch_size = dxi_pt_memory(&cfg, zstd ? 1u : 0u)) == 0) return DX_ERR_LIMIT;
    if (!(scratch = (uint8_t *)dxi_pt_alloc(&cfg.allocator, scratch_size))) return DX_ERR_NOMEM;
    for (k = 0; k < n && err == DX_OK; k++) {
        dxi_pt_mem mem;
        /* the first from base into out (unless base is out); the others in place, or (COPY records)
           into the other buffer */
        bool from_base = k == 0 && !in_out;
        bool in_place = !from_base && !(dx_load_u32le(patches[k] + DX_PATCH_HEADER_OFF_FLAGS) & DX_PATCH_FLAG_COPY);
        uint8_t *dst = from_base || in_place ? cur : other;
        mem.src = from_base ? base : cur, mem.dst = dst, mem.dst_cap = cap;
        cfg.io.user = &mem;
        cfg.data_len = cur_len;
        cfg.in_place = in_place;
        if ((err = dxi_pt_setup(&a, &cfg, scratch, scratch_size, zstd ? 1u : 0u)) != DX_OK) break;
        a.base_checked = true; /* by the link, or by the hash above */
        DX_MEMCPY(a.header, patches[k], DX_PATCH_HEADER_SIZE);
        err = dxi_pt_header_done(&a);
        if (err == DX_OK) err = dxi_pt_frames_mem(&a, patches[k], lens[k], NULL);
        if (err == DX_OK && !in_place) /* the blocks after the last record */
            err = dxi_pt_copy_until(&a, dxi_pt_blocks(a.info.target_len, a.info.block_size), NULL);
        cur_len = (size_t)a.info.target_len;
        if (dst != cur) other = cur, cur = dst;
        dx_patch_applier_deinit(&a);
    }
    dxi_pt_free(&cfg.allocator, scratch, scratch_size);
    if (err != DX_OK) return err;
    if (dx_patch_xxh64(cur, cur_len, 0) != prev.target_hash) return DX_PATCH_ERR_RESULT;
    if (cur != out) DX_MEMCPY(out, cur, cur_len);
    return (int64_t)cur_len;
}

/* ---- delta chains: every version is one patch away from the baseline ---- */

/* The chain takes no memory of its own until its first push, which copies
   the baseline (the chain grows with the versions: no caller memory). */
DX_PATCH_API dx_result dx_patch_chain_create(dx_patch_chain *c, const dx_patch_chain_config *cfg) {
    if (!c) return DX_ERR_INVAL;
    DX_MEMSET(c, 0, sizeof *c);
    if (cfg) c->cfg = *cfg;
    c->cfg.max_versions = DXI_DEF(c->cfg.max_versions, 50u); /* git's default delta depth */
    c->cfg.max_delta_pct = DXI_DEF(c->cfg.max_delta_pct, 100u);
    return DX_OK;
}

DX_PATCH_API void dx_patch_chain_destroy(dx_patch_chain *c) {
    if (!c) return;
    dxi_pt_free(&c->cfg.patch.allocator, c->baseline, c->baseline_cap);
    DX_MEMSET(c, 0, sizeof *c);
}

/* Writes the patch that turns the baseline into version. When the chain is
   too long or its deltas too big, version becomes the new baseline and the
   patch is against empty data (*out_refreshed): the receiver applies it to
   nothing and keeps the result as its baseline. */
DX_PATCH_API int64_t dx_patch_chain_push(dx_patch_chain *c, const uint8_t *version, size_t len, uint8_t *out,
                                         size_t cap, bool *out_refreshed) {
    int64_t n;
    bool refresh;
    if (!c || (!version && len) || !out) return DX_ERR_INVAL;
    refresh = !c->baseline || c->versions_since_refresh >= c->cfg.max_versions;
    if (!refresh) {
        n = dx_patch_diff(&c->cfg.patch, c->baseline, c->baseline_len, version, len, out, cap);
        if (n < 0 && n != DX_ERR_NOSPACE) return n;
        refresh = n < 0 || (c->delta_bytes_since_refresh + (uint64_t)n) * 100 >
                               (uint64_t)c->baseline_len * c->cfg.max_delta_pct;
    }
    if (refresh) {
        n = dx_patch_diff(&c->cfg.patch, NULL, 0, version, len, out, cap);
        if (n < 0) return n; /* before the baseline changes: a failed push leaves the chain as it was */
        if (c->baseline_cap < len || !c->baseline) {
            uint8_t *grown = (uint8_t *)dxi_pt_alloc(&c->cfg.patch.allocator, len ? len : 1);
            if (!grown) return DX_ERR_NOMEM;
            dxi_pt_free(&c->cfg.patch.allocator, c->baseline, c->baseline_cap);
            c->baseline = grown;
            c->baseline_cap = len ? len : 1;
        }
        if (len) DX_MEMCPY(c->baseline, version, len);
        c->baseline_len = len;
        c->versions_since_refresh = 0;
        c->delta_bytes_since_refresh = 0;
        c->stats.refreshes++;
    } else {
        c->versions_since_refresh++;
        c->delta_bytes_since_refresh += (uint64_t)n;
    }
    c->stats.versions++;
    c->stats.bytes_in += len;
    c->stats.bytes_out += (uint64_t)n;
    if (out_refreshed) *out_refreshed = refresh;
    return n;
}

DX_PATCH_API const char *dx_patch_result_name(dx_result r) {
#if defined(DX_NO_ERROR_STRINGS)
    (void)r;
    return "";
#else
    if (r == DX_PATCH_ERR_MAGIC) return "DX_PATCH_ERR_MAGIC";
    if (r == DX_PATCH_ERR_WRONG_BASE) return "DX_PATCH_ERR_WRONG_BASE";
    if (r == DX_PATCH_ERR_RESULT) return "DX_PATCH_ERR_RESULT";
    if (r == DX_PATCH_ERR_OLD_FORMAT) return "DX_PATCH_ERR_OLD_FORMAT";
    return dx_result_name(r);
#endif
}

#endif /* DX_PATCH_IMPLEMENTATION */

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
