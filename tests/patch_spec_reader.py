#!/usr/bin/env python3
"""tests/patch_spec_reader.py - a second reader of the dx_patch format (2.0),
written from dx_patch.h's WIRE FORMAT section only (not from its code), to
show that the section is all a second implementation needs.

    patch_spec_reader.py apply BASE PATCH OUT   out-of-place apply (forward,
                                                or roll back given the target)
    patch_spec_reader.py vectors DIR            every DIR/*.hex vector, and
                                                DIR/xxh64.txt

apply exits 0 on success; on failure it prints the error name the spec gives
(DX_ERR_CORRUPT, DX_PATCH_ERR_WRONG_BASE, ...) and exits 1, writing no OUT.
Needs Python 3 and, for compressed frames, the zstandard module (Debian:
python3-zstandard); without it a compressed frame is DX_ERR_UNSUPPORTED, as
the spec says of a build without zstd. The in-place JOURNAL is not read here.

The sections below follow WIRE FORMAT in its order: hashes, header, data
and direction, frames (stored bytes: raw, zstd, STREAM, PREFIX, DICT),
records (interleaved and COLUMNS), sources and the shift, the DICT walk,
applying. Comments quote the spec where a choice was made.
"""
import os
import struct
import sys

try:
    import zstandard
except ImportError:  # compressed frames are then DX_ERR_UNSUPPORTED
    zstandard = None


class PatchError(Exception):
    """A refusal, named as the spec names it."""

    def __init__(self, name, why=""):
        super().__init__("%s: %s" % (name, why) if why else name)
        self.name = name


def corrupt(why):
    raise PatchError("DX_ERR_CORRUPT", why)


# what the last apply decoded (printed by apply -v): the test checks its
# pairs cover what it means to cover
STATS = {}


def count(what, n=1):
    STATS[what] = STATS.get(what, 0) + n


# ---------------------------------------------------------------------------
# XXH64 (xxHash's public specification)

M64 = (1 << 64) - 1
P1 = 0x9E3779B185EBCA87
P2 = 0xC2B2AE3D27D4EB4F
P3 = 0x165667B19E3779F9
P4 = 0x85EBCA77C2B2AE63
P5 = 0x27D4EB2F165667C5
CHECK_SEED = 0x7061746368  # DX_PATCH_CHECK_SEED


def xxh64(data, seed=0):
    data = memoryview(data).cast("B")
    n = len(data)
    i = 0
    if n >= 32:
        v1 = (seed + P1 + P2) & M64
        v2 = (seed + P2) & M64
        v3 = seed & M64
        v4 = (seed - P1) & M64
        stripes = n // 32
        words = struct.unpack_from("<%dQ" % (stripes * 4), data)
        for j in range(0, stripes * 4, 4):
            x = (v1 + words[j] * P2) & M64
            v1 = (((x << 31) | (x >> 33)) & M64) * P1 & M64
            x = (v2 + words[j + 1] * P2) & M64
            v2 = (((x << 31) | (x >> 33)) & M64) * P1 & M64
            x = (v3 + words[j + 2] * P2) & M64
            v3 = (((x << 31) | (x >> 33)) & M64) * P1 & M64
            x = (v4 + words[j + 3] * P2) & M64
            v4 = (((x << 31) | (x >> 33)) & M64) * P1 & M64
        i = stripes * 32
        h = (((v1 << 1) | (v1 >> 63)) + ((v2 << 7) | (v2 >> 57)) +
             ((v3 << 12) | (v3 >> 52)) + ((v4 << 18) | (v4 >> 46))) & M64
        for v in (v1, v2, v3, v4):
            x = v * P2 & M64
            x = ((x << 31) | (x >> 33)) & M64
            h = ((h ^ (x * P1 & M64)) * P1 + P4) & M64
    else:
        h = (seed + P5) & M64
    h = (h + n) & M64
    while i + 8 <= n:
        (k,) = struct.unpack_from("<Q", data, i)
        k = k * P2 & M64
        k = (((k << 31) | (k >> 33)) & M64) * P1 & M64
        h ^= k
        h = ((((h << 27) | (h >> 37)) & M64) * P1 + P4) & M64
        i += 8
    if i + 4 <= n:
        (k,) = struct.unpack_from("<I", data, i)
        h ^= k * P1 & M64
        h = ((((h << 23) | (h >> 41)) & M64) * P2 + P3) & M64
        i += 4
    while i < n:
        h ^= data[i] * P5 & M64
        h = (((h << 11) | (h >> 53)) & M64) * P1 & M64
        i += 1
    h ^= h >> 33
    h = h * P2 & M64
    h ^= h >> 29
    h = h * P3 & M64
    h ^= h >> 32
    return h


def check32(data):
    """a "check": the low 32 bits of XXH64 with seed DX_PATCH_CHECK_SEED"""
    return xxh64(data, CHECK_SEED) & 0xFFFFFFFF


# ---------------------------------------------------------------------------
# header, 64 bytes

F_ZSTD, F_WITNESS, F_ONE_WAY, F_COPY, F_COLUMNS = 1, 2, 4, 8, 16
F_CARRY, F_WINDOW, F_LITERAL, F_STREAM, F_PREFIX, F_DICT, F_X86 = 32, 64, 128, 256, 512, 1024, 2048
F_NEWBYTES, F_ANCHORS = 4096, 8192
KNOWN_FLAGS = 16383
FLAG_NAMES = ["ZSTD", "WITNESS", "ONE_WAY", "COPY", "COLUMNS", "CARRY", "WINDOW",
              "LITERAL", "STREAM", "PREFIX", "DICT", "X86", "NEWBYTES", "ANCHORS"]
MAX_FRAME = (1 << 20) + 64   # the format's limit, also this reader's
STREAM_WINDOW_LOG = 24       # DX_PATCH_STREAM_WINDOW_LOG
MAX_DATA = 1 << 34           # this reader keeps the data in memory: DX_ERR_LIMIT above


def is_pow2(x):
    return x > 0 and x & (x - 1) == 0


def pow2_at_or_above(x):
    p = 1
    while p < x:
        p <<= 1
    return p


class Header:
    pass


def read_header(patch):
    n = len(patch)
    # "0 "DXPT"; anything else: DX_PATCH_ERR_MAGIC" (ambiguity: a patch shorter
    # than 64 bytes is refused by what it has, then as truncated)
    if n < 4 or bytes(patch[0:4]) != b"DXPT":
        if n < 4 and b"DXPT".startswith(bytes(patch[:n])):
            raise PatchError("DX_ERR_TRUNCATED", "shorter than the magic")
        raise PatchError("DX_PATCH_ERR_MAGIC")
    if n < 6:
        raise PatchError("DX_ERR_TRUNCATED", "no major version")
    (major,) = struct.unpack_from("<H", patch, 4)
    if major == 1:
        raise PatchError("DX_PATCH_ERR_OLD_FORMAT", "a format 1 patch")
    if major != 2:
        raise PatchError("DX_ERR_UNSUPPORTED", "major %d" % major)
    if n < 64:
        raise PatchError("DX_ERR_TRUNCATED", "header")
    h = Header()
    (h.check,) = struct.unpack_from("<I", patch, 60)
    if check32(patch[0:60]) != h.check:
        raise PatchError("DX_ERR_CHECKSUM", "header check")
    (h.minor, h.flags, h.block, h.base_len, h.target_len, h.base_hash, h.target_hash,
     h.frame_max, h.frame_count, h.window) = struct.unpack_from("<HIIQQQQIII", patch, 6)
    f = h.flags
    if f & 0xFFFF & ~KNOWN_FLAGS:
        raise PatchError("DX_ERR_UNSUPPORTED", "unknown required flag 0x%x" % (f & 0xFFFF & ~KNOWN_FLAGS))

    def requires(flag, need, name):
        if f & flag and (f & need) != need:
            corrupt("flag %s lacks what it requires" % name)

    requires(F_COPY, F_ONE_WAY, "COPY")
    requires(F_CARRY, F_COPY, "CARRY")
    requires(F_WINDOW, F_CARRY, "WINDOW")
    requires(F_LITERAL, F_CARRY, "LITERAL")
    requires(F_STREAM, F_ZSTD, "STREAM")
    requires(F_PREFIX, F_ZSTD | F_COPY, "PREFIX")
    requires(F_DICT, F_PREFIX | F_COLUMNS, "DICT")
    requires(F_X86, F_CARRY, "X86")
    requires(F_NEWBYTES, F_COLUMNS, "NEWBYTES")
    requires(F_ANCHORS, F_CARRY, "ANCHORS")
    # "PREFIX ... excludes STREAM, and WINDOW but with DICT"
    if f & F_PREFIX and f & F_STREAM:
        corrupt("PREFIX with STREAM")
    if f & F_PREFIX and f & F_WINDOW and not f & F_DICT:
        corrupt("PREFIX with WINDOW, without DICT")
    if not is_pow2(h.block) or not 64 <= h.block <= 1 << 20:
        corrupt("block size %d" % h.block)
    if not h.block + 64 <= h.frame_max <= MAX_FRAME:
        corrupt("largest raw frame %d" % h.frame_max)
    # "56 u32 window: a power of two with WINDOW or PREFIX, else 0"
    if f & (F_WINDOW | F_PREFIX):
        if not is_pow2(h.window):
            corrupt("window %d" % h.window)
        # PREFIX: "(a power of two, at most the base length rounded up to one)";
        # DICT with WINDOW: "is not bounded by the base length"
        if f & F_PREFIX and not (f & F_DICT and f & F_WINDOW):
            if h.window > pow2_at_or_above(h.base_len):
                corrupt("window %d above the base length rounded up" % h.window)
    elif h.window != 0:
        corrupt("window %d without WINDOW or PREFIX" % h.window)
    h.L = max(h.base_len, h.target_len)
    if h.L > MAX_DATA:
        raise PatchError("DX_ERR_LIMIT", "%d bytes of data" % h.L)
    h.blocks = (h.L + h.block - 1) // h.block
    return h


# ---------------------------------------------------------------------------
# varints

def varint(buf, pos, end):
    """LEB128, at most 10 bytes and 64 bits (a 10th byte above 1 is corrupt);
    returns (value, next position). Running past end is corrupt: a frame's
    raw bytes hold whole records."""
    v = 0
    shift = 0
    for i in range(10):
        if pos >= end:
            corrupt("a varint runs past its frame")
        b = buf[pos]
        pos += 1
        if i == 9 and b > 1:
            corrupt("a varint above 64 bits")
        v |= (b & 0x7F) << shift
        if b < 0x80:
            return v, pos
        shift += 7
    raise AssertionError("unreachable")


def unzigzag(v):
    return (v >> 1) ^ -(v & 1)


# ---------------------------------------------------------------------------
# zstd: one frame decompressed to exactly its length, the STREAM's pieces

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def zstd_window(head):
    """the window size a zstd frame header (RFC 8878 3.1.1.1) states, or None
    while head is too short to tell"""
    if len(head) < 5:
        return None
    if head[:4] != ZSTD_MAGIC:
        corrupt("not a zstd frame")
    fhd = head[4]
    if fhd & 0x08:
        corrupt("zstd frame header: reserved bit")
    single = fhd & 0x20
    fcs_code = fhd >> 6
    did_size = (0, 1, 2, 4)[fhd & 3]
    if not single:
        if len(head) < 6:
            return None
        wd = head[5]
        log = 10 + (wd >> 3)
        base = 1 << log
        return base + (base >> 3) * (wd & 7)
    fcs_size = (1, 2, 4, 8)[fcs_code]
    at = 5 + did_size
    if len(head) < at + fcs_size:
        return None
    fcs = int.from_bytes(head[at:at + fcs_size], "little")
    if fcs_size == 2:
        fcs += 256
    return fcs


def need_zstd():
    if zstandard is None:
        raise PatchError("DX_ERR_UNSUPPORTED", "compressed frame: no zstandard module")


class ZstdFeed:
    """feeds a zstd decompressobj in small pieces, so that output past what is
    expected stops it early (a bound on memory whatever the frame claims)"""

    STEP = 1 << 12

    def __init__(self, prefix=None, max_window=1 << 31):
        # The spec bounds the window of STREAM's zstd frame only (2^24); a frame
        # of its own gives at most 1 MiB + 64 bytes whatever window it states,
        # so any window libzstd can decode (2^31) is accepted there.
        need_zstd()
        if prefix is not None and len(prefix) > 0:
            d = zstandard.ZstdCompressionDict(bytes(prefix), dict_type=zstandard.DICT_TYPE_RAWCONTENT)
            dctx = zstandard.ZstdDecompressor(dict_data=d, max_window_size=max_window)
        else:
            dctx = zstandard.ZstdDecompressor(max_window_size=max_window)
        self.obj = dctx.decompressobj()
        self.eof = False

    def feed(self, data, limit):
        """decompresses data; returns the output; more than limit bytes: corrupt"""
        out = []
        got = 0
        data = memoryview(data)
        for i in range(0, len(data), self.STEP):
            if self.eof:
                corrupt("bytes after the end of a zstd frame")
            try:
                o = self.obj.decompress(data[i:i + self.STEP])
            except zstandard.ZstdError as e:
                corrupt("zstd: %s" % e)
            got += len(o)
            if got > limit:
                corrupt("a zstd frame gives more than its raw length")
            out.append(o)
            if self.obj.eof:
                self.eof = True
                if self.obj.unused_data:
                    corrupt("bytes after the end of a zstd frame")
        return b"".join(out)


def zstd_exact(data, raw_len, prefix=None):
    """one zstd frame (RFC 8878) that decompresses to exactly raw_len bytes,
    with prefix as zstd's raw-content dictionary (ZSTD_DCtx_refPrefix)"""
    need_zstd()
    if len(data) < 4 or bytes(data[:4]) != ZSTD_MAGIC:
        corrupt("not a zstd frame")
    z = ZstdFeed(prefix)
    out = z.feed(data, raw_len)
    if not z.eof:
        corrupt("a zstd frame ends early")
    if len(out) != raw_len:
        corrupt("a zstd frame gives %d bytes, not %d" % (len(out), raw_len))
    return out


class ZstdStream:
    """STREAM: every frame's stored bytes are the next piece of one zstd frame;
    once a piece is read the stream must have given the frame's raw bytes"""

    def __init__(self):
        need_zstd()
        self.z = ZstdFeed(None, 1 << STREAM_WINDOW_LOG)
        self.head = b""
        self.window_known = False

    def piece(self, stored, raw_len, last):
        if self.z.eof:
            corrupt("STREAM: the zstd frame ended before the last frame")
        if not self.window_known:
            self.head += bytes(stored[:18])
            w = zstd_window(self.head)
            if w is not None:
                self.window_known = True
                if w > 1 << STREAM_WINDOW_LOG:
                    raise PatchError("DX_ERR_LIMIT", "STREAM window %d" % w)
        out = self.z.feed(stored, raw_len)
        if len(out) != raw_len:
            corrupt("STREAM: a piece gave %d bytes, its frame has %d" % (len(out), raw_len))
        if last and not self.z.eof:
            corrupt("STREAM: the zstd frame is not finished after the last piece")
        return out


# ---------------------------------------------------------------------------
# records
#
# A record is a list [type, block, witness, segments, raw_at]; a segment is
# [start in block, length, delta, runs, source]; a run is (position in
# segment, length, at) with its bytes at buf[at:at+length]; a RAW record's
# bytes are at buf[raw_at:...]. A record that is not a SPLIT is one segment.

T_XOR, T_ZERO, T_RAW, T_COPY, T_SPLIT = 1, 2, 3, 4, 5
TYPE_NAMES = {1: "XOR", 2: "ZERO", 3: "RAW", 4: "COPY", 5: "SPLIT"}
TYPE_NEEDS = {T_XOR: 0, T_ZERO: F_ONE_WAY, T_RAW: F_ONE_WAY, T_COPY: F_COPY, T_SPLIT: F_CARRY}
DELTA_MAX = 1 << 48


class Blocks:
    """the running block number: "the record's block is the previous record's
    block + 1 + gap (the first record's: gap)", across frames"""

    def __init__(self, h):
        self.h = h
        self.next = 0

    def take(self, gap):
        k = self.next + gap
        if k >= self.h.blocks:
            corrupt("record for block %d of %d" % (k, self.h.blocks))
        self.next = k + 1
        return k

    def n(self, k):
        return min(self.h.block, self.h.L - k * self.h.block)


def check_type(h, t):
    if t not in TYPE_NEEDS or (h.flags & TYPE_NEEDS[t]) != TYPE_NEEDS[t]:
        corrupt("record type %d" % t)


def raw_count(h, k):
    """RAW: min(B, target length - block offset) bytes; a block at or past
    the target's end: corrupt"""
    o = k * h.block
    if o >= h.target_len:
        corrupt("RAW record for block %d, at or past the target's end" % k)
    return min(h.block, h.target_len - o)


def parse_interleaved(h, raw, blocks):
    """the raw bytes of a frame without COLUMNS: whole records, back to back"""
    buf = raw
    end = len(raw)
    pos = 0
    recs = []
    while pos < end:
        t = buf[pos]
        pos += 1
        check_type(h, t)
        gap, pos = varint(buf, pos, end)
        k = blocks.take(gap)
        n = blocks.n(k)
        rec = [t, k, None, [], None]
        if t == T_XOR:
            if h.flags & F_WITNESS:
                if pos >= end:
                    corrupt("witness past the frame")
                rec[2] = buf[pos]
                pos += 1
            seg = [0, n, 0, None, None]
            seg[3], pos = parse_runs(buf, pos, end, n, 1)
            rec[3].append(seg)
        elif t == T_ZERO:
            pass
        elif t == T_RAW:
            c = raw_count(h, k)
            if pos + c > end:
                corrupt("RAW bytes past the frame")
            rec[4] = pos
            pos += c
        elif t == T_COPY:
            d, pos = varint(buf, pos, end)
            seg = [0, n, read_delta(h, d), None, None]
            seg[3], pos = parse_runs(buf, pos, end, n, 0, bool(h.flags & F_X86))
            rec[3].append(seg)
        else:  # SPLIT
            s, pos = varint(buf, pos, end)
            check_segments(s, n)
            start = 0
            for i in range(s):
                if i < s - 1:
                    ln, pos = varint(buf, pos, end)
                    ln = check_segment_length(ln, start, n)
                else:
                    ln = n - start
                d, pos = varint(buf, pos, end)
                seg = [start, ln, read_delta(h, d), None, None]
                seg[3], pos = parse_runs(buf, pos, end, ln, 0, bool(h.flags & F_X86))
                rec[3].append(seg)
                start += ln
        recs.append(rec)
    return recs


def check_delta(d):
    if abs(d) > DELTA_MAX:
        corrupt("|delta| above 2^48")
    return d


def read_delta(h, v):
    """a delta field: (None, d) counts from the shift; with ANCHORS bit 0
    names the anchor (0 the base anchor, 1 the literal anchor) and
    d = unzigzag(v >> 1)"""
    if h.flags & F_ANCHORS:
        return (v & 1, check_delta(unzigzag(v >> 1)))
    return (None, check_delta(unzigzag(v)))


def check_segments(s, n):
    if not 2 <= s <= n:
        corrupt("SPLIT of %d segments in a block of %d bytes" % (s, n))


def check_segment_length(ln, start, n):
    # "varint length (>= 1; not for the last, which is the rest of the block, >= 1 too)"
    if ln < 1 or start + ln >= n:
        corrupt("segment length %d at %d of %d" % (ln, start, n))
    return ln


def parse_runs(buf, pos, end, seg_len, at_least, x86=False):
    """runs: varint count (at most the segment's bytes), then per run varint
    skip, varint length (>= 1) and length bytes, inside the segment. With X86
    (x86: a COPY or SPLIT segment, whose source is not known yet) a skip may
    count marks: its place is checked from below (skip / 2) until
    x86_place() knows (a run is (place, length, bytes at, skip))"""
    count, pos = varint(buf, pos, end)
    if count > seg_len or count < at_least:
        corrupt("run count %d in a segment of %d" % (count, seg_len))
    runs = []
    p = 0
    for _ in range(count):
        skip, pos = varint(buf, pos, end)
        ln, pos = varint(buf, pos, end)
        p = check_run(p, skip >> 1 if x86 else skip, ln, seg_len)
        if pos + ln > end:
            corrupt("run bytes past the frame")
        runs.append((p - ln, ln, pos, skip))
        pos += ln
    return runs, pos


def check_run(p, skip, ln, seg_len):
    if ln < 1:
        corrupt("a zero-length run")
    p += skip + ln
    if p > seg_len:
        corrupt("a run leaves its segment")
    return p


class Records(list):
    """a COLUMNS frame's records; with NEWBYTES, new_count is the frame's N and
    the bytes' places are set by resolve (they depend on the sources)"""
    new_count = None


def parse_columns(h, raw, blocks, whole):
    """COLUMNS: varint R >= 1, then the columns types, gaps, segment counts,
    segment lengths, witnesses, deltas, run counts, run skips, run lengths,
    [NEWBYTES: varint N], then the bytes of every run and RAW record. Returns
    (records, where the bytes column starts, its length). whole: raw holds
    the bytes column too (else raw must end where it starts: a DICT frame's
    first zstd frame)."""
    buf = raw
    end = len(raw)
    r, pos = varint(buf, 0, end)
    if r < 1:
        corrupt("COLUMNS frame of 0 records")
    if pos + r > end:
        corrupt("types column past the frame")
    types = bytes(buf[pos:pos + r])
    pos += r
    recs = Records()
    for t in types:
        check_type(h, t)
    for t in types:  # gaps
        gap, pos = varint(buf, pos, end)
        k = blocks.take(gap)
        recs.append([t, k, None, [], None])
    counts = {}
    for rec in recs:  # segment counts
        if rec[0] == T_SPLIT:
            s, pos = varint(buf, pos, end)
            check_segments(s, blocks.n(rec[1]))
            counts[id(rec)] = s
    for rec in recs:  # segment lengths: the SPLITs' segments less one per SPLIT
        n = blocks.n(rec[1])
        if rec[0] == T_SPLIT:
            start = 0
            for i in range(counts[id(rec)] - 1):
                ln, pos = varint(buf, pos, end)
                check_segment_length(ln, start, n)
                rec[3].append([start, ln, 0, None, None])
                start += ln
            rec[3].append([start, n - start, 0, None, None])
        elif rec[0] in (T_XOR, T_COPY):
            rec[3].append([0, n, 0, None, None])
    if h.flags & F_WITNESS:  # witnesses: bytes, one per XOR
        for rec in recs:
            if rec[0] == T_XOR:
                if pos >= end:
                    corrupt("witness column past the frame")
                rec[2] = buf[pos]
                pos += 1
    for rec in recs:  # deltas: one per COPY and per SPLIT segment
        if rec[0] in (T_COPY, T_SPLIT):
            for seg in rec[3]:
                d, pos = varint(buf, pos, end)
                seg[2] = read_delta(h, d)
    run_counts = []
    for rec in recs:  # run counts: one per XOR, COPY and SPLIT segment
        for seg in rec[3]:
            c, pos = varint(buf, pos, end)
            if c > seg[1] or (rec[0] == T_XOR and c < 1):
                corrupt("run count %d in a segment of %d" % (c, seg[1]))
            run_counts.append(c)
    total = sum(run_counts)
    skips = []
    for _ in range(total):
        v, pos = varint(buf, pos, end)
        skips.append(v)
    lens = []
    for _ in range(total):
        v, pos = varint(buf, pos, end)
        lens.append(v)
    if h.flags & F_NEWBYTES:
        # "after the run lengths a varint N"; the places of the bytes wait for the sources (resolve)
        recs.new_count, pos = varint(buf, pos, end)
    # the bytes column, in record order: each run's bytes, each RAW record's
    at = 0
    i = 0
    si = 0
    for rec in recs:
        if rec[0] == T_RAW:
            rec[4] = at
            at += raw_count(h, rec[1])
            continue
        x86 = bool(h.flags & F_X86) and rec[0] in (T_COPY, T_SPLIT)
        for seg in rec[3]:
            runs = []
            p = 0
            for _ in range(run_counts[si]):
                ln = lens[i]
                p = check_run(p, skips[i] >> 1 if x86 else skips[i], ln, seg[1])
                runs.append((p - ln, ln, at, skips[i]))
                at += ln
                i += 1
            seg[3] = runs
            si += 1
    if whole:
        if end - pos != at:
            corrupt("bytes column of %d bytes, the records take %d" % (end - pos, at))
    elif pos != end:
        corrupt("bytes after the columns")
    if recs.new_count is not None and recs.new_count > at:
        corrupt("NEWBYTES: %d new bytes in a bytes column of %d" % (recs.new_count, at))
    return recs, pos, at


def place_new_bytes(h, recs):
    """NEWBYTES: "the bytes column is in two parts: first the differences (the
    runs of XOR records, and of COPY records and SPLIT segments whose source
    lies in the base), then N new bytes (RAW records' bytes, and the runs of
    COPY records and SPLIT segments whose source lies at or past the base
    length), each part in record order"; new bytes that do not take exactly
    N: corrupt. Sets every run's and RAW record's place anew."""
    total = 0
    for rec in recs:
        if rec[0] == T_RAW:
            total += raw_count(h, rec[1])
        else:
            for seg in rec[3]:
                total += sum(r[1] for r in seg[3])
    dif, new = 0, total - recs.new_count
    for rec in recs:
        if rec[0] == T_RAW:
            rec[4] = new
            new += raw_count(h, rec[1])
            continue
        for seg in rec[3]:
            lit = rec[0] in (T_COPY, T_SPLIT) and seg[4] >= h.base_len
            runs = []
            for (p, ln, _, skip) in seg[3]:
                if lit:
                    runs.append((p, ln, new, skip))
                    new += ln
                else:
                    runs.append((p, ln, dif, skip))
                    dif += ln
            seg[3] = runs
    if dif != total - recs.new_count:
        corrupt("NEWBYTES: N = %d, the new bytes take %d" % (recs.new_count, total - dif))
    count("frames NEWBYTES")


# ---------------------------------------------------------------------------
# sources and the shift; the DICT walk

class Walk:
    """the shift (0 at the start; COPY records and SPLIT segments change it),
    and for DICT the anchor, carried from frame to frame"""

    def __init__(self):
        self.shift = 0
        self.anchor = 0     # the base anchor: the last shift whose source lay in the base
        self.lit = None     # the literal anchor: the last shift whose source lay past it (None: base length)


def resolve(h, recs, walk, margin):
    """sets each COPY/SPLIT segment's source s = o' + shift + delta, checks it,
    moves the shift; with margin (a DICT frame's M) returns the base ranges of
    its new bytes (WIRE FORMAT, DICT frames), in order, cut to the base"""
    B = h.block
    ranges = [] if margin is not None else None
    literal = h.flags & F_LITERAL
    for rec in recs:
        t = rec[0]
        o = rec[1] * B
        if t == T_RAW:
            if ranges is not None:
                add_range(h, ranges, o, raw_count(h, rec[1]), walk.anchor, margin)
            continue
        if t not in (T_COPY, T_SPLIT):
            continue
        for seg in rec[3]:
            oo = o + seg[0]
            ref, d = seg[2]
            if ref is None:
                s = oo + walk.shift + d
            elif ref:
                s = oo + (h.base_len if walk.lit is None else walk.lit) + d
            else:
                s = oo + walk.anchor + d
            top = max(h.base_len, oo) + (DELTA_MAX if literal else 0)
            if s < 0 or s > top:
                corrupt("source %d for offset %d (base %d)" % (s, oo, h.base_len))
            if h.flags & F_WINDOW and s < oo - h.window:
                corrupt("source %d more than the window behind %d" % (s, oo))
            seg[4] = s
            if h.flags & F_X86 and s >= h.base_len:  # not coded: its skips count bytes after all
                p, runs = 0, []
                for (_, ln, at, skip) in seg[3]:
                    p = check_run(p, skip, ln, seg[1])
                    runs.append((p - ln, ln, at, skip))
                seg[3] = runs
            if s >= h.base_len:
                count("sources past the base")
            walk.shift = s - oo
            if s < h.base_len:
                walk.anchor = walk.shift
            else:
                walk.lit = walk.shift
                if ranges is not None:
                    for (p, ln, _, _) in seg[3]:
                        add_range(h, ranges, oo + p, ln, walk.anchor, margin)
    if getattr(recs, "new_count", None) is not None:
        place_new_bytes(h, recs)
    return ranges


def add_range(h, ranges, x, n, anchor, m):
    # "[x + anchor - M, x + n + anchor + M), cut to [0, base length)"
    ranges.append((max(0, x + anchor - m), min(h.base_len, x + n + anchor + m)))


def dictionary(h, base, ranges, frame_end):
    if h.flags & F_WINDOW:
        # "before the merge every range is also cut below F - window"
        low = frame_end - h.window
        if any(a < low for (a, b) in ranges):
            count("DICT ranges cut by the window")
        ranges = [(max(a, low), b) for (a, b) in ranges]
    merged = []
    for (a, b) in ranges:
        if a >= b:  # "empty: skipped"
            continue
        if merged and merged[-1][0] <= a <= merged[-1][1]:
            if b > merged[-1][1]:
                merged[-1][1] = b
        else:
            if merged and a < merged[-1][1]:
                count("DICT ranges overlapping the one before, not merged")
            merged.append([a, b])
    count("DICT ranges", len([1 for (a, b) in ranges if a < b]))
    count("DICT merged ranges", len(merged))
    size = sum(b - a for (a, b) in merged)
    if size > h.window:
        corrupt("DICT dictionary of %d bytes, window %d" % (size, h.window))
    return b"".join(bytes(base[a:b]) for (a, b) in merged)


# ---------------------------------------------------------------------------
# frames

def read_frames(h, patch, base, apply_records):
    """decodes every frame in order: its stored bytes, its check, its records,
    their sources; hands each frame's records to apply_records(recs, buf)"""
    n = len(patch)
    pos = 64
    blocks = Blocks(h)
    walk = Walk()
    stream = ZstdStream() if h.flags & F_STREAM and h.frame_count else None
    for i in range(h.frame_count):
        if pos + 12 > n:
            raise PatchError("DX_ERR_TRUNCATED", "frame %d header" % i)
        raw_len, stored_len, check = struct.unpack_from("<III", patch, pos)
        if not 1 <= raw_len <= h.frame_max:
            corrupt("frame %d raw length %d (largest %d)" % (i, raw_len, h.frame_max))
        top = h.frame_max if h.flags & F_STREAM else raw_len
        if not 1 <= stored_len <= top:
            corrupt("frame %d stored length %d" % (i, stored_len))
        pos += 12
        if pos + stored_len > n:
            raise PatchError("DX_ERR_TRUNCATED", "frame %d" % i)
        stored = patch[pos:pos + stored_len]
        pos += stored_len
        recs = None
        if stream is not None:
            # "every frame's stored bytes, whatever their length, are the next piece"
            raw = stream.piece(stored, raw_len, i == h.frame_count - 1)
            count("frames STREAM")
        elif stored_len == raw_len:
            raw = stored
            count("frames raw")
        elif not h.flags & F_ZSTD:
            corrupt("frame %d compressed without ZSTD" % i)
        elif h.flags & F_DICT:
            raw, recs, buf = dict_frame(h, stored, raw_len, base, blocks, walk)
            count("frames DICT")
        elif h.flags & F_PREFIX:
            raw = prefix_frame(h, stored, raw_len, base)
            count("frames PREFIX")
        else:
            raw = zstd_exact(stored, raw_len)
            count("frames zstd")
        if check32(raw) != check:
            raise PatchError("DX_ERR_CHECKSUM", "frame %d check" % i)
        if recs is None:
            raw = memoryview(raw)
            if h.flags & F_COLUMNS:
                recs, at, _ = parse_columns(h, raw, blocks, True)
                buf = raw[at:]
            else:
                recs = parse_interleaved(h, raw, blocks)
                buf = raw
            resolve(h, recs, walk, None)
        for rec in recs:
            count(TYPE_NAMES[rec[0]])
        apply_records(recs, buf)
    if pos != n:
        corrupt("%d bytes after the last frame" % (n - pos))


def prefix_frame(h, stored, raw_len, base):
    """PREFIX: u64 base offset O, u32 length N, then one zstd frame with the
    base's bytes [O, O + N) as its prefix"""
    if len(stored) <= 12:
        corrupt("PREFIX frame of %d stored bytes" % len(stored))
    o, nn = struct.unpack_from("<QI", stored, 0)
    if not 1 <= nn <= h.window or o + nn > h.base_len:
        corrupt("PREFIX range [%d, +%d) (base %d, window %d)" % (o, nn, h.base_len, h.window))
    return zstd_exact(stored[12:], raw_len, base[o:o + nn])


def dict_frame(h, stored, raw_len, base, blocks, walk):
    """DICT: varint margin M (at most the window), varint length A (>= 1, less
    than the bytes after it), A bytes of one zstd frame giving the columns
    before the bytes column, then one zstd frame, the rest, giving the bytes
    column with the frame's dictionary as its prefix"""
    end = len(stored)
    m, pos = varint(stored, 0, end)
    if m > h.window:
        corrupt("DICT margin %d above the window %d" % (m, h.window))
    a, pos = varint(stored, pos, end)
    if a < 1 or a >= end - pos:
        corrupt("DICT columns length %d of %d" % (a, end - pos))
    cols = zstd_exact_upto(stored[pos:pos + a], raw_len)
    recs, at, need = parse_columns(h, memoryview(cols), blocks, False)
    if at + need != raw_len:
        corrupt("DICT frame: columns %d + bytes %d, raw length %d" % (at, need, raw_len))
    ranges = resolve(h, recs, walk, m)
    frame_end = blocks.next * h.block  # F: the next block after the frame's last record
    d = dictionary(h, base, ranges, frame_end)
    col = zstd_exact(stored[pos + a:], need, d)
    return cols + col, recs, memoryview(col)


def zstd_exact_upto(data, limit):
    """a zstd frame whose length is not stated outside it (at most limit)"""
    need_zstd()
    if len(data) < 4 or bytes(data[:4]) != ZSTD_MAGIC:
        corrupt("not a zstd frame")
    z = ZstdFeed()
    out = z.feed(data, limit)
    if not z.eof:
        corrupt("a zstd frame ends early")
    return out


# ---------------------------------------------------------------------------
# applying, out of place

LOW7 = {}


def add_bytes(a, b):
    """bytewise a + b mod 256 (no carry between bytes), as one wide integer"""
    n = len(a)
    masks = LOW7.get(n)
    if masks is None:
        masks = (int.from_bytes(b"\x7f" * n, "little"), int.from_bytes(b"\x80" * n, "little"))
        if len(LOW7) < 4096:
            LOW7[n] = masks
    lo, hi = masks
    x = int.from_bytes(a, "little")
    y = int.from_bytes(b, "little")
    return (((x & lo) + (y & lo)) ^ ((x ^ y) & hi)).to_bytes(n, "little")


def x86_mark(r, q):
    """X86: "q is a mark where q = 0, or r[q - 1] is E8, or r[q - 1] AND C7 is 05"""
    return q == 0 or r[q - 1] == 0xE8 or r[q - 1] & 0xC7 == 0x05


def x86_apply(r, runs, buf, wn):
    """X86, a coded segment: r holds its source bytes and becomes its result,
    a byte at a time in order (every byte a mark test reads, r[q - 1], is
    then a result byte: a word's carry only goes upward). A skip v from
    where the last run ended: odd, v // 2 bytes on; even, to the (v / 2 +
    1)-th mark at or after it. The differences (the runs' bytes, 0
    elsewhere) add a u32 LE word at a time where the walk meets a mark whose
    4 bytes lie in the result (q + 4 <= wn), else a byte."""
    n = len(r)
    src = bytes(r)
    res = bytearray(n)
    count("X86 segments")
    st = [0, 0, 0]  # the walk: the next byte, bytes left of a word under way, its carry

    def step(dd):
        q, left, c = st
        if left == 0:
            c, left = 0, (4 if q + 4 <= wn and x86_mark(res, q) else 0)
        v = src[q] + dd + c
        res[q] = v & 0xFF
        if left:
            left -= 1
            c = v >> 8 if left else 0
        st[0], st[1], st[2] = q + 1, left, c

    for (_, ln, at, v) in runs:
        if v & 1:
            start = st[0] + (v >> 1)
            if start > n:
                corrupt("an X86 skip past its segment")
            while st[0] < start:
                step(0)
        else:
            k = v >> 1
            while True:
                if st[0] >= n:
                    corrupt("an X86 skip counts more marks than its segment holds")
                if x86_mark(res, st[0]):
                    if k == 0:
                        break
                    k -= 1
                step(0)
        if st[0] + ln > n:
            corrupt("a run leaves its segment")
        for j in range(ln):
            step(buf[at + j])
    while st[0] < n:
        step(0)
    r[:] = res


def xor_bytes(a, b):
    return (int.from_bytes(a, "little") ^ int.from_bytes(b, "little")).to_bytes(len(a), "little")


def apply_patch(patch, data, check_result=True):
    """out-of-place apply: returns the result (the target, or rolling back,
    the base); raises PatchError. check_result=False skips the result's hash
    (for making test patches whose target hash is not known yet)"""
    patch = memoryview(patch)
    h = read_header(patch)
    data = memoryview(data)
    # "Data of the base's length and hash is patched forward. Without ONE_WAY,
    # data of the target's length and hash (not the base's) is rolled back"
    dh = xxh64(data)
    if len(data) == h.base_len and dh == h.base_hash:
        forward = True
    elif not h.flags & F_ONE_WAY and len(data) == h.target_len and dh == h.target_hash:
        forward = False
    else:
        raise PatchError("DX_PATCH_ERR_WRONG_BASE")
    STATS.clear()
    count("forward" if forward else "rolled back")
    res_len, res_hash = (h.target_len, h.target_hash) if forward else (h.base_len, h.base_hash)
    B, L = h.block, h.L
    carry = h.flags & F_CARRY
    src_len = len(data)
    out = bytearray(L)  # the base reads as zeros past its end
    out[:src_len] = data
    state = {"next": 0}  # the next block not yet written (CARRY: carried)

    def src_at(s, n):  # n bytes of the data given at s, zeros past its end
        if s >= src_len:
            return bytes(n)
        if s + n <= src_len:
            return data[s:s + n]
        return bytes(data[s:src_len]) + bytes(s + n - src_len)

    walk_shift = [0]

    def carry_to(k):
        # CARRY: "a block without a record ... is the base's n bytes at o + shift"
        if carry and k > state["next"]:
            count("blocks carried", k - state["next"])
            o1 = state["next"] * B
            o2 = min(k * B, L)
            out[o1:o2] = src_at(o1 + walk_shift[0], o2 - o1)
        state["next"] = k

    def apply_records(recs, buf):
        for rec in recs:
            t, k = rec[0], rec[1]
            carry_to(k)
            o = k * B
            n = min(B, L - o)
            if t == T_XOR:
                # "the block's bytes at o (the base's; rolling back, the target's) XOR the runs"
                blk = bytearray(src_at(o, n))
                nonzero = False
                for (p, ln, at, _) in rec[3][0][3]:
                    r = buf[at:at + ln]
                    if not nonzero and bytes(r).count(0) != ln:
                        nonzero = True
                    blk[p:p + ln] = xor_bytes(blk[p:p + ln], r)
                if not nonzero:
                    corrupt("an XOR record that changes nothing (block %d)" % k)
                out[o:o + n] = blk
            elif t == T_ZERO:
                out[o:o + n] = bytes(n)
            elif t == T_RAW:
                c = min(B, h.target_len - o)
                out[o:o + c] = buf[rec[4]:rec[4] + c]
                out[o + c:o + n] = bytes(n - c)
            else:  # COPY, SPLIT: each segment from its source
                op = add_bytes if carry else xor_bytes
                for seg in rec[3]:
                    start, ln, _, runs, s = seg
                    blk = bytearray(src_at(s, ln))
                    if h.flags & F_X86 and s < h.base_len:
                        # in the result: "o' + q + 4 <= target length"
                        x86_apply(blk, runs, buf, max(0, min(ln, h.target_len - (o + start))))
                    else:
                        for (p, rl, at, _) in runs:
                            blk[p:p + rl] = op(blk[p:p + rl], buf[at:at + rl])
                    out[o + start:o + start + ln] = blk
                    walk_shift[0] = s - (o + start)
            state["next"] = k + 1

    read_frames(h, patch, data if forward else None, apply_records)
    carry_to(h.blocks)
    result = bytes(out[:res_len])
    if check_result and xxh64(result) != res_hash:
        raise PatchError("DX_PATCH_ERR_RESULT")
    return result


# ---------------------------------------------------------------------------
# the command line

def read_hex_vector(path):
    """a .hex vector: '# ' lines (a title, '# expect: NAME', '# base:',
    '# target:', '# patch:' opening a section), sections of hex bytes"""
    sections = {}
    expect = None
    cur = None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("#"):
                word = line[1:].strip()
                cur = None
                if word.startswith("expect:"):
                    expect = word.split(":", 1)[1].strip()
                elif word in ("base:", "target:", "patch:"):
                    cur = word[:-1]
                    sections[cur] = bytearray()
                continue
            if cur is not None and line:
                sections[cur] += bytes.fromhex(line)
    return sections, expect


def run_vectors(d):
    passed = failed = 0
    xt = os.path.join(d, "xxh64.txt")
    if os.path.exists(xt):
        bad = 0
        lines = 0
        dd = bytes((i * i + 7 * i + 1) & 0xFF for i in range(4096))
        with open(xt) as f:
            for line in f:
                if line.startswith("#") or not line.strip():
                    continue
                n, seed, want = line.split()
                lines += 1
                if "%016x" % xxh64(dd[:int(n)], int(seed, 16)) != want:
                    bad += 1
                    print("FAIL xxh64.txt: length %s seed %s" % (n, seed))
        if bad:
            failed += 1
        else:
            passed += 1
            print("ok   xxh64.txt (%d known answers)" % lines)
    for name in sorted(os.listdir(d)):
        if not name.endswith(".hex"):
            continue
        secs, expect = read_hex_vector(os.path.join(d, name))
        want = expect if expect else "the target"
        try:
            got = apply_patch(bytes(secs["patch"]), bytes(secs["base"]))
            ok = expect is None and got == bytes(secs.get("target", b""))
            say = "a result" + ("" if ok or expect else " that differs from the target")
        except PatchError as e:
            ok = e.name == expect
            say = str(e)
        if ok:
            passed += 1
            print("ok   %s (%s)" % (name, say if expect else "the target"))
        else:
            failed += 1
            print("FAIL %s: expected %s, got %s" % (name, want, say))
    print("patch_spec_reader vectors: %d passed, %d failed, 0 skipped" % (passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


def main(argv):
    verbose = len(argv) > 2 and argv[2] == "-v"
    if verbose:
        argv = argv[:2] + argv[3:]
    if len(argv) == 5 and argv[1] == "apply":
        try:
            with open(argv[2], "rb") as f:
                base = f.read()
            with open(argv[3], "rb") as f:
                patch = f.read()
        except OSError as e:
            print("patch_spec_reader: %s" % e, file=sys.stderr)
            return 1
        try:
            result = apply_patch(patch, base)
        except PatchError as e:
            print("patch_spec_reader: %s" % e, file=sys.stderr)
            print(e.name)
            return 1
        with open(argv[4], "wb") as f:
            f.write(result)
        if verbose:
            print("; ".join("%s %d" % kv for kv in sorted(STATS.items())), file=sys.stderr)
        return 0
    if len(argv) == 3 and argv[1] == "vectors":
        return run_vectors(argv[2])
    if len(argv) == 3 and argv[1] == "info":
        with open(argv[2], "rb") as f:
            h = read_header(memoryview(f.read()))
        names = [FLAG_NAMES[i] for i in range(11) if h.flags >> i & 1]
        print("flags 0x%x %s; block %d; base %d; target %d; frames %d; largest %d; window %d" % (
            h.flags, " ".join(names), h.block, h.base_len, h.target_len, h.frame_count, h.frame_max, h.window))
        return 0
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
