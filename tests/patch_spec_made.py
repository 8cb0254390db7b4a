#!/usr/bin/env python3
"""tests/patch_spec_made.py DXDIFF - hand-made patches at the edges of WIRE FORMAT
that dxdiff's writer never makes (sources at their bounds, a STREAM piece as long
as its raw bytes, DICT frames with RAW records, raw frames between, anchors that
move, ranges dropped and cut by the window): each is applied by
patch_spec_reader.py and by `DXDIFF apply`, which must agree (the same result
byte for byte, or both refuse). The target hash of each patch is what the
reader computes, so a reading of the spec that differs from dx_patch.h's shows
as a wrong result or a refusal on one side. One line per case, then
"patch_spec_made: N passed, N failed, 0 skipped"."""
import os
import random
import re
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import patch_spec_reader as R  # noqa: E402
import zstandard as Z  # noqa: E402


def vi(v):
    out = bytearray()
    while True:
        b, v = v & 0x7F, v >> 7
        out.append(b | 0x80 if v else b)
        if not v:
            return bytes(out)


def zz(d):
    return vi((d << 1) if d >= 0 else ((-d) << 1) - 1)


def header(base, tlen, th, flags, nframes, window=0, block=64, fmax=1024):
    h = bytearray(64)
    h[0:4] = b"DXPT"
    struct.pack_into("<HHIIQQQQIII", h, 4, 2, 0, flags, block, len(base), tlen, R.xxh64(base), th,
                     fmax, nframes, window)
    h[60:64] = struct.pack("<I", R.check32(bytes(h[:60])))
    return bytes(h)


def frame(raw, stored=None):
    stored = raw if stored is None else stored
    return struct.pack("<III", len(raw), len(stored), R.check32(raw)) + stored


def finish(base, tlen, flags, frames, window=0):
    """the patch with the target hash this reader computes (0 where it refuses it)"""
    body = b"".join(frames)
    p = header(base, tlen, 0, flags, len(frames), window) + body
    try:
        t = R.apply_patch(p, base, check_result=False)
    except R.PatchError:
        return p
    return header(base, tlen, R.xxh64(t), flags, len(frames), window) + body


# records: interleaved
def copy(gap, delta, runs=b"\x00"):
    return b"\x04" + vi(gap) + zz(delta) + runs


def split(gap, segs):  # segs: (length or None for the last, delta, runs)
    return b"\x05" + vi(gap) + vi(len(segs)) + b"".join(
        (vi(n) if n is not None else b"") + zz(d) + runs for n, d, runs in segs)


# records: columns, (type, gap, [(length or None, delta, [(skip, bytes)])], RAW bytes)
def columns(recs):
    segs = [s for r in recs if r[0] in (1, 4, 5) for s in r[2]]
    runs = [run for s in segs for run in s[2]]
    cols = (vi(len(recs)) + bytes(r[0] for r in recs) + b"".join(vi(r[1]) for r in recs) +
            b"".join(vi(len(r[2])) for r in recs if r[0] == 5) +
            b"".join(vi(s[0]) for r in recs if r[0] == 5 for s in r[2][:-1]) +
            b"".join(zz(s[1]) for r in recs if r[0] in (4, 5) for s in r[2]) +
            b"".join(vi(len(s[2])) for s in segs) + b"".join(vi(k) for k, _ in runs) +
            b"".join(vi(len(b)) for _, b in runs))
    data = b"".join(r[3] if r[0] == 3 else b"".join(b for s in r[2] for _, b in s[2]) for r in recs)
    return cols, data


def dict_patch(base, tlen, frames, window, flags, margin):
    """frames: (records, compressed?); a compressed frame's bytes column is
    compressed with the dictionary this reader's walk makes"""
    hd = R.read_header(memoryview(header(base, tlen, 0, flags, len(frames), window)))
    blocks, walk = R.Blocks(hd), R.Walk()
    out = []
    for recs, compressed in frames:
        cols, data = columns(recs)
        parsed, _, _ = R.parse_columns(hd, memoryview(cols), blocks, False)
        ranges = R.resolve(hd, parsed, walk, margin if compressed else None)
        if not compressed:
            out.append(frame(cols + data))
            continue
        d = R.dictionary(hd, base, ranges, blocks.next * hd.block)
        zc = Z.ZstdCompressor(level=19)
        zd = Z.ZstdCompressor(level=19, dict_data=Z.ZstdCompressionDict(d, dict_type=Z.DICT_TYPE_RAWCONTENT)) if d else zc
        c1 = zc.compress(cols)
        out.append(frame(cols + data, vi(margin) + vi(len(c1)) + c1 + zd.compress(data)))
    return finish(base, tlen, flags, out, window)


def cases():
    base = bytes((i * 7 + 3) & 255 for i in range(200))
    COPY = 0x2C  # ONE_WAY COPY CARRY
    LIT, WIN = 0x80, 0x40
    yield "COPY source at the base length", base, finish(base, 400, COPY, [frame(copy(0, 200))])
    yield "COPY source one past the base length", base, finish(base, 400, COPY, [frame(copy(0, 201))])
    yield "COPY source at its own offset past the base", base, finish(base, 400, COPY, [frame(copy(4, 0))])
    yield "SPLIT segment source at its own offset (past the base, block's offset not)", base, \
        finish(base, 400, COPY, [frame(split(3, [(32, 0, b"\x00"), (None, 0, b"\x00")]))])
    yield "SPLIT segment source one past its own offset", base, \
        finish(base, 400, COPY, [frame(split(3, [(32, 0, b"\x00"), (None, 1, b"\x00")]))])
    yield "LITERAL source at max(base, offset) + 2^48", base, \
        finish(base, 400, COPY | LIT, [frame(copy(0, 200) + copy(0, 2**48 - 64))])
    yield "LITERAL source one past max(base, offset) + 2^48", base, \
        finish(base, 400, COPY | LIT, [frame(copy(0, 200) + copy(0, 2**48 - 63))])
    yield "WINDOW 64: a source the window behind", base, \
        finish(base, 400, COPY | WIN, [frame(copy(2, -64))], 64)
    yield "WINDOW 64: a source one more behind", base, \
        finish(base, 400, COPY | WIN, [frame(copy(2, -65))], 64)
    yield "SPLIT of n one-byte segments", base, \
        finish(base, 400, COPY, [frame(split(0, [(1, 0, b"\x00")] * 63 + [(None, 0, b"\x00")]))])
    yield "COPY without CARRY: runs XOR, a block without a record stays", base, \
        finish(base, 400, 0x0C, [frame(copy(0, 10, b"\x01\x00\x01\x07") + copy(1, -10))])
    yield "CARRY: blocks follow the shift, SPLIT runs add", base, \
        finish(base, 400, COPY, [frame(copy(0, 10) + copy(1, -10) +
                                       split(0, [(5, -3, b"\x00"), (None, 1, b"\x01\x02\x01\x09")]))])
    yield "RAW of a block the target ends in; ZERO", base, \
        finish(base, 150, 0x4, [frame(b"\x02\x01" + b"\x03\x00" + bytes(22))])
    # STREAM: a piece exactly as long as its frame's raw bytes is still a piece (not raw bytes):
    # zstd frame header, a raw block of 5 bytes, an RLE block of 13 (the last)
    raw = bytes([1, 0, 1, 0, 7]) + b"\x01" * 13
    piece = b"\x28\xb5\x2f\xfd\x00\x00" + b"\x28\x00\x00" + raw[:5] + b"\x6b\x00\x00\x01"
    yield "STREAM: a piece as long as its raw bytes", base, finish(base, 200, 0x101, [frame(raw, piece)])
    # DICT frames with what dxdiff does not write into them
    rnd = random.Random(7)
    words = [bytes(rnd.choice(b"abcdefghij") for _ in range(rnd.randint(2, 8))) for _ in range(50)]
    b2 = b" ".join(rnd.choice(words) for _ in range(800))[:4000]

    def mod(b):
        return bytes(x ^ 0x20 if i % 7 == 0 else x for i, x in enumerate(b))
    a = 100
    lit = 4000 - (3 * 64 + a)
    DICT = 0x1 | 0x4 | 0x8 | 0x10 | 0x20 | 0x80 | 0x200 | 0x400
    f1 = [(4, 0, [(None, a, [])], None)]  # block 0 from the base at 100: anchor 100
    f2 = [(3, 1, [], mod(b2[128 + a:192 + a])),  # RAW block 2
          (4, 0, [(None, lit, [(0, mod(b2[192 + a:232 + a])), (4, mod(b2[236 + a:256 + a]))])], None),  # literal
          (5, 1, [(20, -(4000 + 40 - 20) + 900, [(2, b"xy")]),  # a segment from the base: anchor moves
                  (None, 4000 - 900 + 20, [(0, mod(b2[1340:1384]))])], None)]  # then literal
    yield "DICT: a raw frame, then RAW, literal COPY and SPLIT runs, a moved anchor", b2, \
        dict_patch(b2, 4100, [(f1, False), (f2, True)], 1024, DICT, 16)
    yield "DICT: the same records in one frame", b2, dict_patch(b2, 4100, [(f1 + f2, True)], 1024, DICT, 16)
    yield "DICT: a RAW record at anchor 0, margin 0", b2, \
        dict_patch(b2, 4100, [([(3, 0, [], mod(b2[0:64]))] + f2[1:], True)], 1024, DICT, 0)
    f4 = [(4, 0, [(None, a, [])], None),
          (4, 3, [(None, 4000 - 4 * 64 - a, [(0, mod(b2[4 * 64 + a:4 * 64 + a + 30]))])], None),
          (4, 0, [(None, -(4000 - 4 * 64) - 256, [])], None),  # block 5 from 64: anchor -256
          (4, 0, [(None, 4000 - 5 * 64 + 256, [(0, mod(b2[128:138]))])], None),  # range [108, 158): dropped
          (3, 0, [], mod(b2[7 * 64 - 256:7 * 64 - 256 + 64]))]  # RAW: [172, 276) cut to [256, 276)
    yield "DICT+WINDOW 256: ranges dropped and cut at the frame's end less the window", b2, \
        dict_patch(b2, 4100, [(f4, True)], 256, DICT | WIN, 20)


def dx_apply(dxdiff, tmp, base, patch):
    for name, data in (("base", base), ("patch", patch)):
        with open(os.path.join(tmp, name), "wb") as f:
            f.write(data)
    out = os.path.join(tmp, "out")
    if os.path.exists(out):
        os.remove(out)
    r = subprocess.run([dxdiff, "apply", "-f", "-q", os.path.join(tmp, "base"), os.path.join(tmp, "patch"), out],
                       capture_output=True, text=True)
    if r.returncode == 0:
        with open(out, "rb") as f:
            return f.read()
    m = re.search(r"(DX_[A-Z_]+)", r.stderr)
    return m.group(1) if m else "?" + r.stderr.strip()


def main():
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="patch_spec_made.") as tmp:
        for name, base, patch in cases():
            try:
                mine = R.apply_patch(patch, base)
            except R.PatchError as e:
                mine = e.name
            theirs = dx_apply(sys.argv[1], tmp, base, patch)
            say = "%d-byte result" % len(mine) if isinstance(mine, bytes) else mine
            if mine == theirs:
                passed += 1
                print("ok   %s: both %s" % (name, say))
            else:
                failed += 1
                print("FAIL %s: the reader %s, dxdiff %s" % (
                    name, say, theirs if isinstance(theirs, str) else "another %d-byte result" % len(theirs)))
    print("patch_spec_made: %d passed, %d failed, 0 skipped" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
