#!/usr/bin/env python3
"""tests/sk_spec_reader.py STATEKEEPER_BINARY - a second reader of statekeeper's
store, written from the specifications only: statekeeper.c's top comment
(STORE FORMAT, CRASH SAFETY, COPY FILE, CHUNK LIST, usage), dx_cas.h's WIRE
FORMAT (ids, stored forms "DXCZ", packs "DXCK", packs/index "DXCX", manifests
"DXCM" and PARTS manifests, trees "DXCT", refs, FastCDC, the RFC 9162 Merkle
tree), dx_teleport.h's WIRE FORMAT (tests/hbtp_spec_client.py's Teleport) and
dx_patch.h's WIRE FORMAT (tests/patch_spec_reader.py), not from the C code.

It reads a store the real `statekeeper capture` wrote, walks the versions from
ref "latest" by parent (to ref "oldest" or the first), checks every object
against its id, every tree, manifest, teleport buffer and SKDP patch against
its format, "needs" against what the records need and "dirs" against the
files tree, rebuilds every file (CHUNKS, DELTA segment by segment, SYMLINK,
EMPTY) and checks it against its record's Merkle root (FastCDC + SHA-256 over
the content), and restores each version into a folder itself. The tests make
a state folder as a user would, capture it several times with edits between,
and compare, for every version, this reader's restore, `statekeeper restore`
and the folder as it was at capture (bytes, modes, mtimes, symlink targets);
then gc --keep, a store of loose objects, a packs/index written here, and
damaged stores (a flipped byte in a pack, a loose object, a manifest; a
missing object), which this reader, `statekeeper verify` and `statekeeper
restore` must all refuse.

Python 3 standard library and the zstandard module (Debian:
python3-zstandard). Prints one line per test and "sk_spec_reader: N passed,
N failed, N skipped" last; exits non-zero on a failure. A test listed in
KNOWN_DISCREPANCIES that fails prints "KNOWN DISCREPANCY" and is not counted
as a failure (it still asserts the spec). "note:" lines say what the program
does where the specification is silent or ambiguous. Every wait is for a
process's exit (watchdog: 120 s).
"""
import hashlib
import os
import shutil
import stat
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True   # no tests/__pycache__ from the imports below

try:
    import zstandard
except ImportError:
    print('SKIP sk_spec_reader: the python3 zstandard module is missing (Debian: python3-zstandard)')
    sys.exit(0)

import hbtp_spec_client as hb     # noqa: E402  dx_teleport's reader, written from its WIRE FORMAT
import patch_spec_reader as psr   # noqa: E402  dx_patch's reader, written from its WIRE FORMAT

WATCHDOG = 120.0
MARK = b'.statekeeper-restore'   # usage: a restore's mark in DIR until all of it is written

# test name -> what the program does against the spec (the test still asserts the spec; a failure
# here is printed as KNOWN DISCREPANCY and not counted)
KNOWN_DISCREPANCIES = {
}


class SpecError(Exception):
    """the store (or the program) does not do what the specification says"""


class Missing(SpecError):
    """an object the store should hold is not there"""


class Damaged(SpecError):
    """an object's bytes do not match its id, or do not decode"""


def H(b):
    return hashlib.sha256(b).digest()


EMPTY_ROOT = H(b'')
SHA256_CODE = 0x12


def need(cond, *what):
    if not cond:
        raise SpecError(' '.join(str(w) for w in what))


# ---------------------------------------------------------------- ids (dx_cas.h WIRE FORMAT, id)
def id_bin(digest):
    return bytes([SHA256_CODE, 32]) + digest


def id_text(digest):
    return 'sha256-' + digest.hex()


def parse_id(b):
    """34 bytes: CODE 0x12, LENGTH 32, DIGEST -> the digest"""
    b = bytes(b)
    need(len(b) == 34, 'an id of %d bytes' % len(b))
    need(b[0] == SHA256_CODE, 'id code 0x%02x (a SHA-256 store)' % b[0])
    need(b[1] == 32, 'id length byte %d' % b[1])
    return b[2:]


def parse_id_text(t):
    need(len(t) == 71 and t.startswith('sha256-') and all(c in '0123456789abcdef' for c in t[7:]),
         'not an id text: %r' % t[:80])
    return bytes.fromhex(t[7:])


# ---------------------------------------------------------------- Merkle tree (RFC 9162, dx_cas.h WIRE FORMAT)
def leaf(d):
    return H(b'\x00' + d)


def node(a, b):
    return H(b'\x01' + a + b)


def mth(ls):
    """MTH: n = 0 -> H(""), 1 -> l[0], else split at the largest power of two smaller than n"""
    n = len(ls)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return ls[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return node(mth(ls[:k]), mth(ls[k:]))


# ---------------------------------------------------------------- FastCDC (dx_cas.h WIRE FORMAT)
M64 = (1 << 64) - 1
GEAR = [int.from_bytes(hashlib.md5(bytes([i]) * 64).digest()[:8], 'big') for i in range(256)]
assert GEAR[0] == 0x3b5d3c7d207e37dc and GEAR[255] == 0xaabd2b2a451504e1
assert hashlib.sha256(b''.join(g.to_bytes(8, 'big') for g in GEAR)).hexdigest() == \
    '9df0a720752a7d211fdebaf39bed01610983756fc340a1cfef41052b7356ae73'
MASK = {13: 0x0000d90303530000, 15: 0x0000d90f03530000}
# statekeeper: "FastCDC with dx_cas's defaults (min 4 KiB, avg 16 KiB, max 64 KiB, normalization 1)";
# bits = round(log2(16384)) = 14, MS = MASK[15], ML = MASK[13], seed 0
CDC_MIN, CDC_AVG, CDC_MAX = 4096, 16384, 65536
CDC_MS, CDC_ML = MASK[15], MASK[13]


def fastcdc(data):
    """the chunk lengths of data, the cut rule of WIRE FORMAT transcribed"""
    out, pos, n = [], 0, len(data)
    G = GEAR
    GL = [(g << 1) & M64 for g in G]
    ms, ml = CDC_MS, CDC_ML
    ms1, ml1 = (ms << 1) & M64, (ml << 1) & M64
    while pos < n:
        rem = n - pos
        if rem <= CDC_MIN:
            out.append(rem)
            break
        end = min(rem, CDC_MAX)
        center = min(CDC_AVG, end)
        h = 0
        a = pos + (CDC_MIN // 2) * 2
        cut = None
        # the small mask up to the center, then the large one up to the end
        for m, m1, stop in ((ms, ms1, pos + (center // 2) * 2), (ml, ml1, pos + (end // 2) * 2)):
            while cut is None and a < stop:
                h = ((h << 2) + GL[data[a]]) & M64
                if not h & m1:
                    cut = a
                    break
                h = (h + G[data[a + 1]]) & M64
                if not h & m:
                    cut = a + 1
                    break
                a += 2
        if cut is None:
            cut = pos + end
        out.append(cut - pos)
        pos = cut
    return out


APPLIED = {}             # DELTA chain (its blobs' ids) -> the content the patches gave
VERIFIED_ROOTS = set()   # (sha256 of a content, its root): FastCDC is slow in Python; same bytes, same root


def content_root(data):
    """the dx_cas blob root of data chunked with FastCDC (statekeeper's record root)"""
    pos, leaves = 0, []
    mv = memoryview(data)
    for ln in fastcdc(mv):
        leaves.append(leaf(H(mv[pos:pos + ln])))
        pos += ln
    return mth(leaves)


def check_root(data, root, what):
    key = (H(data), bytes(root))
    if key in VERIFIED_ROOTS:
        return
    got = content_root(data)
    if got != root:
        raise Damaged('%s: the content (%d bytes) has the Merkle root %s, its record says %s' % (
            what, len(data), got.hex()[:16], bytes(root).hex()[:16]))
    VERIFIED_ROOTS.add(key)


# ---------------------------------------------------------------- stored forms ("DXCZ")
def decode_stored(buf, what):
    """an object's content from its stored form"""
    buf = bytes(buf)
    if buf[:4] != b'DXCZ':
        return buf
    if len(buf) < 16:
        raise Damaged('%s: a DXCZ header of %d bytes' % (what, len(buf)))
    major, minor, method, flags, size = struct.unpack_from('<BBBBQ', buf, 4)
    if major != 1 or method not in (0, 1) or flags:
        raise Damaged('%s: DXCZ major %d method %d flags %d: unsupported' % (what, major, method, flags))
    payload = buf[16:]
    if method == 0:
        if len(payload) != size:
            raise Damaged('%s: a raw DXCZ payload of %d bytes for %d' % (what, len(payload), size))
        return payload
    # "one or more zstd frames (RFC 8878) shorter than content length - 16 bytes whose frame
    # content size, when present, equals the content length"
    if not len(payload) < size - 16:
        raise Damaged('%s: a zstd payload of %d bytes for %d content bytes (must be shorter than %d)' % (
            what, len(payload), size, size - 16))
    out = bytearray()
    rest = payload
    try:
        while rest:
            fcs = zstandard.frame_content_size(rest)
            if fcs >= 0 and fcs != size:
                raise Damaged('%s: a zstd frame content size %d for %d' % (what, fcs, size))
            d = zstandard.ZstdDecompressor().decompressobj()
            out += d.decompress(rest)
            if not d.eof:
                raise Damaged('%s: a zstd frame that does not end' % what)
            if len(out) > size:
                raise Damaged('%s: zstd frames give more than %d bytes' % (what, size))
            rest = d.unused_data
    except zstandard.ZstdError as e:
        raise Damaged('%s: zstd: %s' % (what, e))
    if len(out) != size:
        raise Damaged('%s: zstd frames give %d bytes, the header says %d' % (what, len(out), size))
    return bytes(out)


def encode_stored(content, zc):
    """the stored form a writer makes: zstd when that saves bytes, a raw header for content
    beginning with "DXCZ", else the bytes as they are"""
    z = zc.compress(content)
    if len(z) < len(content) - 16:
        return b'DXCZ' + bytes([1, 0, 1, 0]) + struct.pack('<Q', len(content)) + z
    if content[:4] == b'DXCZ':
        return b'DXCZ' + bytes([1, 0, 0, 0]) + struct.pack('<Q', len(content)) + content
    return content


# ---------------------------------------------------------------- packs ("DXCK") and packs/index ("DXCX")
def parse_pack(buf, name):
    """-> {digest: (offset, stored, size, inner)}; raises SpecError for a pack that fails a check"""
    n = len(buf)
    need(n >= 64, 'pack %s: %d bytes' % (name, n))
    idx_off, count, tflags = struct.unpack_from('<QII', buf, n - 56)
    tsum = buf[n - 40:n - 8]
    need(buf[n - 8:n - 4] == b'DXCI', 'pack %s: trailer magic' % name)
    major, minor, res = struct.unpack_from('<BBH', buf, n - 4)
    need(major == 1 and tflags == 0 and res == 0, 'pack %s: trailer major/flags/reserved' % name)
    need(count <= (n - 64) // 56 and idx_off == n - 56 - 56 * count, 'pack %s: count/index offset' % name)
    need(buf[:4] == b'DXCK' and buf[4] == 1 and struct.unpack_from('<H', buf, 6)[0] == 0, 'pack %s: header' % name)
    index = buf[idx_off:n - 56]
    need(H(index + buf[n - 56:n - 40]) == tsum, 'pack %s: SUM does not match the index' % name)
    need(name is None or name == tsum.hex() + '.pack', 'pack %s: the file is not named by its SUM' % name)
    out, prev = {}, None
    for i in range(count):
        e = index[56 * i:56 * i + 56]
        ident = e[:34]
        need(ident[0] == SHA256_CODE and ident[1] == 32, 'pack %s: entry %d id' % (name, i))
        flags, off, stored, size, inner = struct.unpack_from('<HQIII', e, 34)
        need(flags == 0, 'pack %s: entry flags' % name)
        need(prev is None or ident > prev, 'pack %s: entries out of order' % name)
        need(8 <= off <= idx_off and stored <= idx_off - off, 'pack %s: entry %d record outside' % (name, i))
        need(inner == 0 or inner + size <= 16 << 20, 'pack %s: entry %d INNER' % (name, i))
        prev = ident
        out[ident[2:]] = (off, stored, size, inner)
    return out


def parse_index(buf, pack_names):
    """packs/index -> {digest: (pack name, offset, stored, size, inner)}; entries whose pack is not
    in packs/ are ignored; raises SpecError for an index that fails a check"""
    n = len(buf)
    need(n >= 72 and buf[:4] == b'DXCX', 'index: magic')
    major, minor, flags, P, F, N, res = struct.unpack_from('<BBHIIQQ', buf, 4)
    need(major == 1 and flags == 0 and res == 0, 'index: major/flags/reserved')
    need(F <= 16, 'index: FAN_BITS %d' % F)
    need(n == 32 + 32 * P + 4 * (1 << F) + 64 * N + 40, 'index: size %d' % n)
    need(buf[n - 8:n - 4] == b'DXCX' and struct.unpack_from('<I', buf, n - 4)[0] == 0, 'index: trailer')
    need(H(buf[:n - 40]) == buf[n - 40:n - 8], 'index: SUM')
    names = [buf[32 + 32 * i:64 + 32 * i] for i in range(P)]
    need(all(names[i] < names[i + 1] for i in range(P - 1)), 'index: names not ascending')
    fo = 32 + 32 * P
    fan = struct.unpack_from('<%dI' % (1 << F), buf, fo)
    need(all(fan[i] <= fan[i + 1] for i in range(len(fan) - 1)) and fan[-1] == N, 'index: fan-out')
    eo = fo + 4 * (1 << F)
    out, prev = {}, None
    for i in range(N):
        e = buf[eo + 64 * i:eo + 64 * i + 64]
        digest, code, zero, eflags, pack, off, stored, size, inner, eres = struct.unpack('<32sBBHIQIIII', e)
        need(code == SHA256_CODE and zero == 0 and eflags == 0 and eres == 0 and pack < P, 'index: entry %d' % i)
        need(prev is None or (digest, code) > prev, 'index: entries out of order')
        b = digest[0] >> (8 - F) if F <= 8 else int.from_bytes(digest[:2], 'big') >> (16 - F)
        need((fan[b - 1] if b else 0) <= i < fan[b], 'index: entry %d outside its fan-out bucket' % i)
        prev = (digest, code)
        pname = names[pack].hex() + '.pack'
        if pname in pack_names:   # "An entry whose pack is not in packs/ (removed since) is ignored."
            out[digest] = (pname, off, stored, size, inner)
    return out, [x.hex() + '.pack' for x in names]


def build_index(packs, F=8):
    """packs/index over packs {name: {digest: (off, stored, size, inner)}}, as WIRE FORMAT "DXCX" says"""
    names = sorted(packs)
    sums = [bytes.fromhex(x[:-5]) for x in names]
    entries = {}
    for p, name in enumerate(names):
        for d, (off, stored, size, inner) in packs[name].items():
            entries.setdefault(d, (p, off, stored, size, inner))
    keys = sorted(entries)
    fan = [0] * (1 << F)
    for d in keys:
        fan[d[0] >> (8 - F)] += 1
    for i in range(1, len(fan)):
        fan[i] += fan[i - 1]
    out = bytearray(b'DXCX' + struct.pack('<BBHIIQQ', 1, 0, 0, len(names), F, len(keys), 0))
    out += b''.join(sums) + struct.pack('<%dI' % len(fan), *fan)
    for d in keys:
        p, off, stored, size, inner = entries[d]
        out += struct.pack('<32sBBHIQIIII', d, SHA256_CODE, 0, 0, p, off, stored, size, inner, 0)
    out += H(bytes(out)) + b'DXCX' + struct.pack('<I', 0)
    return bytes(out)


# ---------------------------------------------------------------- the directory store
class Store:
    """a dx_cas directory store read as WIRE FORMAT "directory store" says: objects/ (loose stored
    forms), packs/*.pack, packs/index, refs/"""

    def __init__(self, path):
        self.path = path
        self.problems = []       # packs or an index that failed a check (not used), stray files
        self.where = {}          # digest -> [location]: ('loose', path) or ('pack', name, off, stored, size, inner)
        self.pack_entries = {}   # name -> {digest: entry} of the packs read whole
        self.pack_bytes = {}
        self.records = {}        # (pack, off, stored) -> decoded content (a few kept)
        self.cache = {}          # digest -> content (checked)
        self.index_used = False
        od = os.path.join(path, 'objects')
        need(os.path.isdir(od), '%s: no objects/ folder' % path)
        for sub in sorted(os.listdir(od)):
            sp = os.path.join(od, sub)
            if not (len(sub) == 2 and all(c in '0123456789abcdef' for c in sub) and os.path.isdir(sp)):
                self.problems.append('objects/%s: not a fan-out folder' % sub)
                continue
            for f in sorted(os.listdir(sp)):
                try:
                    d = parse_id_text(f)
                except SpecError:
                    self.problems.append('objects/%s/%s: not an id' % (sub, f))
                    continue
                if d.hex()[:2] != sub:
                    self.problems.append('objects/%s/%s: in the wrong folder' % (sub, f))
                    continue
                self.where.setdefault(d, []).append(('loose', os.path.join(sp, f)))
        pd = os.path.join(path, 'packs')
        names = sorted(f for f in os.listdir(pd) if f.endswith('.pack')) if os.path.isdir(pd) else []
        covered = set()
        ip = os.path.join(pd, 'index')
        if os.path.exists(ip):
            with open(ip, 'rb') as f:
                ib = f.read()
            try:
                entries, inames = parse_index(ib, set(names))
                covered = set(inames) & set(names)
                for d, (pname, off, stored, size, inner) in entries.items():
                    self.where.setdefault(d, []).append(('pack', pname, off, stored, size, inner))
                self.index_used = True
            except SpecError as e:   # "an index that fails is not used"
                self.problems.append(str(e))
        for name in names:
            with open(os.path.join(pd, name), 'rb') as f:
                self.pack_bytes[name] = f.read()
            if name in covered:      # "Covered packs' indexes are not checked at open"
                continue
            try:
                ents = parse_pack(self.pack_bytes[name], name)
            except SpecError as e:   # "A pack that fails the checks above is not used at all."
                self.problems.append(str(e))
                continue
            self.pack_entries[name] = ents
            for d, (off, stored, size, inner) in ents.items():
                self.where.setdefault(d, []).append(('pack', name, off, stored, size, inner))

    def _read_at(self, loc, digest):
        if loc[0] == 'loose':
            with open(loc[1], 'rb') as f:
                return decode_stored(f.read(), id_text(digest))
        _, name, off, stored, size, inner = loc
        key = (name, off, stored)
        content = self.records.get(key)
        if content is None:
            pb = self.pack_bytes[name]
            content = decode_stored(pb[off:off + stored], '%s at %d' % (name, off))
            if len(self.records) > 16:
                self.records.clear()
            self.records[key] = content
        if inner + size > len(content) or (len(content) > size and len(content) > 16 << 20):
            raise Damaged('%s: record at %d holds %d bytes, object at %d+%d' % (name, off, len(content), inner, size))
        return content[inner:inner + size]

    def get(self, digest):
        """the object's content, checked against its id; Missing or Damaged"""
        c = self.cache.get(digest)
        if c is not None:
            return c
        locs = self.where.get(digest)
        if not locs:
            raise Missing('object %s is missing' % id_text(digest))
        why = []
        for loc in locs:
            try:
                c = self._read_at(loc, digest)
            except Damaged as e:
                why.append(str(e))
                continue
            if H(c) == digest:
                if len(c) <= 1 << 16:
                    self.cache[digest] = c
                return c
            why.append('%s: content does not match its id' % (loc[1] if loc[0] == 'loose' else loc[1]))
        raise Damaged('object %s: %s' % (id_text(digest), '; '.join(why)))

    def check_all(self):
        """every object's every copy against its id: [problem]"""
        bad = list(self.problems)
        for d, locs in self.where.items():
            for loc in locs:
                try:
                    c = self._read_at(loc, d)
                except Damaged as e:
                    bad.append(str(e))
                    continue
                if H(c) != d:
                    bad.append('%s in %s: content does not match its id' % (id_text(d), loc[1]))
        return bad

    def ref(self, name):
        p = os.path.join(self.path, 'refs', name)
        if not os.path.exists(p):
            return None
        with open(p, 'rb') as f:
            t = f.read()
        # "<path>/refs/<name> holds "<id text>\n"" (a reader accepts the newline as optional)
        if t.endswith(b'\n'):
            t = t[:-1]
        return parse_id_text(t.decode('latin-1'))


# ---------------------------------------------------------------- manifests ("DXCM") and blobs
MAX_CHUNK = CDC_MAX


def parse_manifest(buf, what):
    """-> dict(total, count, root, parts: [(size, count, digest, root)] or None, entries: [(len, digest)])"""
    need(len(buf) >= 56 and buf[:4] == b'DXCM', '%s: not a manifest' % what)
    major, minor, alg, flags, total, count = struct.unpack_from('<BBBBQQ', buf, 4)
    root = buf[24:56]
    need(major == 1 and alg == SHA256_CODE and flags in (0, 1), '%s: manifest major %d alg %d flags %d' % (
        what, major, alg, flags))
    if flags == 0:
        need(len(buf) == 56 + 36 * count, '%s: manifest length %d for %d chunks' % (what, len(buf), count))
        entries = []
        for i in range(count):
            ln = struct.unpack_from('<I', buf, 56 + 36 * i)[0]
            need(1 <= ln <= MAX_CHUNK, '%s: chunk %d of %d bytes' % (what, i, ln))
            entries.append((ln, bytes(buf[60 + 36 * i:92 + 36 * i])))
        need(sum(e[0] for e in entries) == total, '%s: chunk lengths do not add up to TOTAL_SIZE' % what)
        if mth([leaf(d) for _, d in entries]) != root:
            raise Damaged('%s: ROOT is not the Merkle root of the chunks' % what)
        return dict(total=total, count=count, root=bytes(root), parts=None, entries=entries)
    P, r = divmod(len(buf) - 56, 76)
    need(r == 0 and P >= 2, '%s: a PARTS manifest of %d bytes' % (what, len(buf)))
    parts = []
    for i in range(P):
        o = 56 + 76 * i
        size, cnt = struct.unpack_from('<QI', buf, o)
        parts.append((size, cnt, bytes(buf[o + 12:o + 44]), bytes(buf[o + 44:o + 76])))
    span = parts[0][1]
    need(span >= 2 and span & (span - 1) == 0, '%s: part span %d not a power of two >= 2' % (what, span))
    for i, (size, cnt, d, pr) in enumerate(parts):
        need(cnt == span if i < P - 1 else 1 <= cnt <= span, '%s: part %d of %d chunks' % (what, i, cnt))
        need(cnt <= size <= cnt * MAX_CHUNK, '%s: part %d size %d' % (what, i, size))
    need(sum(p[0] for p in parts) == total and sum(p[1] for p in parts) == count, '%s: parts do not add up' % what)
    if mth([p[3] for p in parts]) != root:
        raise Damaged('%s: ROOT is not the Merkle root of the parts\' roots' % what)
    return dict(total=total, count=count, root=bytes(root), parts=parts, entries=None)


class Blobs:
    """blobs of a Store: chunks + manifest (in parts past 1,024 chunks)"""

    def __init__(self, store):
        self.s = store
        self.stats = dict(parts_manifests=0, manifests=0)
        self.cache = {}

    def manifest(self, mdigest):
        m = parse_manifest(self.s.get(mdigest), 'manifest %s' % id_text(mdigest)[:20])
        if m['parts'] is None:
            self.stats['manifests'] += 1
            return m
        self.stats['parts_manifests'] += 1
        entries = []
        for i, (size, cnt, d, pr) in enumerate(m['parts']):
            pm = parse_manifest(self.s.get(d), 'part %d of %s' % (i, id_text(mdigest)[:20]))
            # "that the part parses and has no flags, and that its TOTAL_SIZE, COUNT and ROOT equal its entry's"
            need(pm['parts'] is None and pm['total'] == size and pm['count'] == cnt and pm['root'] == pr,
                 'part %d of %s differs from its entry' % (i, id_text(mdigest)))
            entries += pm['entries']
        m['entries'] = entries
        return m

    def read(self, mdigest):
        """(bytes, root) of the blob named by its manifest; every chunk checked"""
        if mdigest in self.cache:
            return self.cache[mdigest]
        m = self.manifest(mdigest)
        data = b''.join(self.s.get(d) for _, d in m['entries'])
        need(len(data) == m['total'], 'blob %s: %d bytes, manifest says %d' % (id_text(mdigest), len(data), m['total']))
        r = (data, m['root'])
        self.cache[mdigest] = r
        return r


# ---------------------------------------------------------------- trees ("DXCT")
M_FILE, M_EXEC, M_DIR, M_LINK = 0o100644, 0o100755, 0o40000, 0o120000


def parse_tree(buf, what):
    """-> [(name bytes, mode, size, digest)]"""
    need(len(buf) >= 12 and buf[:4] == b'DXCT', '%s: not a tree' % what)
    major, minor, alg, flags, count = struct.unpack_from('<BBBBI', buf, 4)
    need(major == 1 and alg == SHA256_CODE and flags == 0, '%s: tree major/alg/flags' % what)
    pos, out, prev = 12, [], None
    for i in range(count):
        need(pos + 2 <= len(buf), '%s: truncated' % what)
        nl = struct.unpack_from('<H', buf, pos)[0]
        need(1 <= nl <= 255 and pos + 2 + nl + 44 <= len(buf), '%s: entry %d name length' % (what, i))
        name = bytes(buf[pos + 2:pos + 2 + nl])
        need(b'/' not in name and b'\0' not in name and name not in (b'.', b'..'), '%s: name %r' % (what, name))
        mode, size = struct.unpack_from('<IQ', buf, pos + 2 + nl)
        digest = bytes(buf[pos + 2 + nl + 12:pos + 2 + nl + 44])
        need(mode in (M_FILE, M_EXEC, M_DIR, M_LINK), '%s: mode 0%o' % (what, mode))
        need(mode != M_DIR or size == 0, '%s: a dir of size %d' % (what, size))
        need(prev is None or name > prev, '%s: names not strictly increasing' % what)
        prev = name
        out.append((name, mode, size, digest))
        pos += 46 + nl
    need(pos == len(buf), '%s: %d bytes after the last entry' % (what, len(buf) - pos))
    return out


def encode_tree(entries):
    """a "DXCT" tree of [(name, mode, size, digest)]"""
    out = bytearray(b'DXCT' + bytes([1, 0, SHA256_CODE, 0]) + struct.pack('<I', len(entries)))
    for name, mode, size, d in sorted(entries):
        out += struct.pack('<H', len(name)) + name + struct.pack('<IQ', mode, size) + d
    return bytes(out)


class LooseWriter:
    """puts objects into a directory store as loose files (objects/<2 hex>/<id text>), and blobs as
    FastCDC chunks + a manifest: what a second writer would do"""

    def __init__(self, path):
        self.path = path
        self.zc = zstandard.ZstdCompressor(level=3)

    def put(self, content):
        d = H(content)
        p = os.path.join(self.path, 'objects', d.hex()[:2], id_text(d))
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, 'wb') as f:
            f.write(encode_stored(content, self.zc))
        return d

    def blob(self, data):
        """(manifest digest, root) of data stored as a blob of at most 1,024 chunks"""
        pos, entries = 0, []
        for ln in fastcdc(data):
            entries.append((ln, self.put(data[pos:pos + ln])))
            pos += ln
        assert len(entries) <= 1024
        root = mth([leaf(d) for _, d in entries])
        m = b'DXCM' + bytes([1, 0, SHA256_CODE, 0]) + struct.pack('<QQ', len(data), len(entries)) + root
        m += b''.join(struct.pack('<I', ln) + d for ln, d in entries)
        return self.put(m), root

    def ref(self, name, digest):
        with open(os.path.join(self.path, 'refs', name), 'w') as f:
            f.write(id_text(digest) + '\n')


# ---------------------------------------------------------------- teleport records
K_U32, K_I64, K_U64, K_BYTES, K_PAD, K_STR, K_SLICE = 5, 8, 7, 11, 12, 13, 15
KIND_NAMES = {5: 'U32', 7: 'U64', 8: 'I64', 11: 'BYTES', 12: 'PAD', 13: 'STR', 15: 'SLICE'}
T_FILE, T_BLOBREF, T_VERSION, T_DIR = 1, 2, 3, 4
# "teleport types (field order and kinds as dx_teleport layouts; type ids)"
LAYOUTS = {
    T_FILE: ('sk_file', [('kind', K_U32, 4, 0), ('mode', K_U32, 4, 0), ('size', K_U64, 8, 0),
                         ('mtime_sec', K_I64, 8, 0), ('mtime_nsec', K_U32, 4, 0), ('depth', K_U32, 4, 0),
                         ('root', K_BYTES, 32, 0), ('path', K_STR, 8, 0), ('target', K_STR, 8, 0),
                         ('chain', K_SLICE, 8, T_BLOBREF)]),
    T_BLOBREF: ('sk_blobref', [('id', K_BYTES, 34, 0), ('pad', K_PAD, 6, 0), ('size', K_U64, 8, 0)]),
    T_VERSION: ('sk_version', [('seq', K_U64, 8, 0), ('time_sec', K_I64, 8, 0), ('time_nsec', K_U32, 4, 0),
                               ('full_every', K_U32, 4, 0), ('parent', K_BYTES, 34, 0), ('pad', K_PAD, 6, 0),
                               ('files', K_U64, 8, 0), ('bytes', K_U64, 8, 0), ('new_bytes', K_U64, 8, 0),
                               ('chunk_files', K_U64, 8, 0), ('delta_files', K_U64, 8, 0),
                               ('unchanged_files', K_U64, 8, 0), ('delta_in', K_U64, 8, 0),
                               ('delta_out', K_U64, 8, 0)]),
    T_DIR: ('sk_dir', [('path', K_STR, 8, 0), ('mode', K_U32, 4, 0), ('mtime_nsec', K_U32, 4, 0),
                       ('mtime_sec', K_I64, 8, 0)]),
}
NOTES = []   # what the program does where the spec is silent (printed as "note:")


def note(text):
    if text not in NOTES:
        NOTES.append(text)


class TP(hb.Teleport):
    """a teleport buffer whose strings are read as bytes (paths hold any bytes)"""

    def __init__(self, buf, what):
        try:
            super().__init__(buf)
        except hb.TeleportError as e:
            raise SpecError('%s: teleport buffer: %s' % (what, e))
        self.what = what
        for tid, t in self.types.items():
            need(tid in LAYOUTS, '%s: type %d is none of statekeeper\'s' % (what, tid))
            name, want = LAYOUTS[tid]
            got = [(f[0], f[1], f[3], f[4]) for f in t['fields']]
            need(got == [tuple(w) for w in want], '%s: type %d has the fields %r, the spec says %r' % (
                what, tid, got, want))
            if t['name'] != name:
                note('%s: type %d is named %r in the buffer, %r in the spec' % (what, tid, t['name'], name))

    def bstr(self, at):
        off, ln = struct.unpack_from('<II', self.buf, at)
        if (off, ln) == (0, 0):
            return b''
        start = self.str_off + self.str_size - off
        return self.buf[start:start + ln]

    def obj(self, tid, loc):
        out = self.read(tid, loc)
        stid, off, count, esize = self.sections[loc[0]]
        base = off + loc[1] * esize
        for fname, kind, foff, fsize, target in self.types[tid]['fields']:
            if kind == K_STR:
                out[fname] = self.bstr(base + foff)
        return out

    def root_obj(self, tid):
        need(self.root is not None and self.root_type == tid, '%s: root is not of type %d' % (self.what, tid))
        return self.obj(tid, self.root)

    def slice(self, s, tid):
        off, cnt = s
        if cnt == 0:
            return []
        sec, k = self.resolve(off, tid)
        return [self.obj(tid, (sec, k + i)) for i in range(cnt)]


# ---------------------------------------------------------------- SKDP patches
def parse_skdp(buf, what):
    """-> dict(segment, count, base_len, target_len, patches: [bytes or None (LEN 0)])"""
    need(len(buf) >= 32 and buf[:4] == b'SKDP', '%s: not an SKDP patch' % what)
    major, minor, flags, seg, count, base_len, target_len = struct.unpack_from('<BBHIIQQ', buf, 4)
    need(major == 1, '%s: SKDP major %d' % (what, major))
    if minor != 0:
        note('%s: SKDP minor %d' % (what, minor))
    need(flags == 0, '%s: SKDP flags %d' % (what, flags))
    need(seg and seg & (seg - 1) == 0 and seg <= 64 << 20, '%s: SEGMENT %d' % (what, seg))
    need(count == -(-target_len // seg), '%s: COUNT %d for TARGET_LEN %d, SEGMENT %d' % (what, count, target_len, seg))
    pos, patches = 32, []
    for i in range(count):
        need(pos + 4 <= len(buf), '%s: truncated at segment %d' % (what, i))
        ln = struct.unpack_from('<I', buf, pos)[0]
        need(pos + 4 + ln <= len(buf), '%s: segment %d patch of %d bytes past the end' % (what, i, ln))
        patches.append(bytes(buf[pos + 4:pos + 4 + ln]) if ln else None)
        pos += 4 + ln
    need(pos == len(buf), '%s: %d bytes after the last segment' % (what, len(buf) - pos))
    return dict(segment=seg, count=count, base_len=base_len, target_len=target_len, patches=patches)


# ---------------------------------------------------------------- records and versions
CHUNKS, DELTA, SYMLINK, EMPTY = 1, 2, 3, 4
KIND = {1: 'CHUNKS', 2: 'DELTA', 3: 'SYMLINK', 4: 'EMPTY'}


class Reader:
    """statekeeper's store, read as STORE FORMAT says"""

    def __init__(self, path):
        self.s = Store(path)
        self.b = Blobs(self.s)
        self.contents = {}    # record digest -> content bytes (checked against the root)
        self.seen = dict(kinds={}, max_depth=0, skdp_segments=0, skdp_multi=0, skdp_len0=0, parts=0,
                         needs_top=0, shared_needs=0)

    # -- versions
    def versions(self):
        """[(digest, version)] from "latest" back to "oldest" (or the first), by parent"""
        latest = self.s.ref('latest')
        need(latest is not None, 'no ref "latest"')
        oldest = self.s.ref('oldest')
        out, d = [], latest
        while True:
            v = self.version(d)
            out.append((d, v))
            if oldest is not None and d == oldest:
                break
            parent = v['meta']['parent']
            if parent == bytes(34):
                if oldest is not None:
                    raise SpecError('ref "oldest" %s is not reached from "latest"' % id_text(oldest))
                break
            pd = parse_id(parent)
            need(v['meta']['seq'] > 1, 'version %d has a parent' % v['meta']['seq'])
            d = pd
        for (d1, v1), (d2, v2) in zip(out, out[1:]):
            need(v1['meta']['seq'] == v2['meta']['seq'] + 1, 'seq %d follows %d' % (v1['meta']['seq'], v2['meta']['seq']))
        if oldest is None:
            need(out[-1][1]['meta']['seq'] == 1, 'the first version reached has seq %d' % out[-1][1]['meta']['seq'])
        return out

    def version(self, vd):
        what = 'version %s' % id_text(vd)[:20]
        top = parse_tree(self.s.get(vd), what)
        names = [(e[0], e[1]) for e in top]
        # "a tree object with exactly these four entries"; "FILE" / "DIR": the tree's file and dir modes
        need([n for n, _ in names] == [b'dirs', b'files', b'meta', b'needs'], '%s: entries %r' % (what, names))
        e = {n: (m, s, d) for n, m, s, d in top}
        for n, kind in ((b'dirs', 'f'), (b'meta', 'f'), (b'files', 'd'), (b'needs', 'd')):
            m = e[n][0]
            need(m == M_DIR if kind == 'd' else m in (M_FILE, M_EXEC), '%s: %s has mode 0%o' % (what, n, m))
            if kind == 'f':
                need(m == M_FILE, '%s: %s has mode 0%o' % (what, n, m))
        meta_b, _ = self.b.read(e[b'meta'][2])
        if len(meta_b) != e[b'meta'][1]:   # the spec does not say what SIZE these entries hold
            note('a version tree\'s "meta" entry has SIZE %d, not its blob\'s length' % e[b'meta'][1])
        meta = TP(meta_b, what + ' meta').root_obj(T_VERSION)
        dirs_b, _ = self.b.read(e[b'dirs'][2])
        if len(dirs_b) != e[b'dirs'][1]:
            note('a version tree\'s "dirs" entry has SIZE %d, not its blob\'s length' % e[b'dirs'][1])
        tp = TP(dirs_b, what + ' dirs')
        secs = [i for i, s in enumerate(tp.sections) if s[0] == T_DIR]
        need(len(secs) == 1 and len(tp.sections) == 1, '%s: dirs has %d sections (%d of type 4)' % (
            what, len(tp.sections), len(secs)))
        dirs = [tp.obj(T_DIR, (0, k)) for k in range(tp.sections[0][2])]
        if tp.root is not None:
            note('dirs buffer has a root of type %d' % tp.root_type)
        return dict(digest=vd, meta=meta, dirs=dirs, files=e[b'files'][2], needs=e[b'needs'][2],
                    top=e)

    def walk_files(self, tdigest, prefix=b''):
        """(folders in depth-first order, names sorted; file entries [(path, mode, size, digest)])"""
        folders, files = [prefix], []
        for name, mode, size, d in parse_tree(self.s.get(tdigest), 'files tree %r' % prefix):
            p = prefix + b'/' + name if prefix else name
            if mode == M_DIR:
                f2, fi2 = self.walk_files(d, p)
                folders += f2
                files += fi2
            else:
                files.append((p, mode, size, d))
        return folders, files

    def read_needs(self, tdigest):
        out = {}
        for name, mode, size, d in parse_tree(self.s.get(tdigest), 'needs'):
            if mode == M_DIR:
                need(len(name) == 2 and name == name.lower() and all(c in b'0123456789abcdef' for c in name),
                     'needs: a folder named %r' % name)
                for n2, m2, s2, d2 in parse_tree(self.s.get(d), 'needs/%s' % name.decode()):
                    need(m2 == M_FILE and n2 == d2.hex().encode() and d2.hex()[:2] == name.decode(),
                         'needs/%s: entry %r mode 0%o' % (name.decode(), n2, m2))
                    out[d2] = s2
            else:   # format 1.0: "these entries at the top, and readers accept it"
                self.seen['needs_top'] += 1
                need(mode == M_FILE and name == d.hex().encode(), 'needs: entry %r mode 0%o' % (name, mode))
                out[d] = size
        return out

    def record(self, path, mode, size, rdigest):
        what = 'record %r' % path
        rb, _ = self.b.read(rdigest)
        need(len(rb) == size, '%s: tree SIZE %d, the record is %d bytes' % (what, size, len(rb)))
        tp = TP(rb, what)
        r = tp.root_obj(T_FILE)
        r['chain'] = tp.slice(r['chain'], T_BLOBREF)
        need(r['path'] == path, '%s: the record\'s path is %r' % (what, r['path']))
        need(r['kind'] in KIND, '%s: kind %d' % (what, r['kind']))
        need(r['mode'] & ~0o7777 == 0, '%s: mode 0%o has bits past 07777' % (what, r['mode']))
        want = M_LINK if r['kind'] == SYMLINK else (M_EXEC if r['mode'] & 0o111 else M_FILE)
        need(mode == want, '%s: tree mode 0%o, the record (%s, 0%o) says 0%o' % (
            what, mode, KIND[r['kind']], r['mode'], want))
        need(0 <= r['mtime_nsec'] < 10 ** 9, '%s: mtime_nsec %d' % (what, r['mtime_nsec']))
        for b in r['chain']:
            b['digest'] = parse_id(b['id'])
            if b['pad'] != bytes(6):
                note('sk_blobref pad bytes are not zero')
        self.seen['kinds'][KIND[r['kind']]] = self.seen['kinds'].get(KIND[r['kind']], 0) + 1
        return r

    def content(self, r, rdigest, needs):
        """the record's bytes, rebuilt and checked against its root"""
        what = 'file %r (%s)' % (r['path'], KIND[r['kind']])
        for b in r['chain']:   # "every content blob (chunks or patch) any record of this version needs"
            need(b['digest'] in needs, '%s: blob %s is not in "needs"' % (what, id_text(b['digest'])))
            need(needs[b['digest']] == b['size'], '%s: needs SIZE %d, sk_blobref size %d' % (
                what, needs[b['digest']], b['size']))
        if rdigest in self.contents:
            return self.contents[rdigest]
        k = r['kind']
        if k == SYMLINK:
            need(not r['chain'] and r['target'], '%s: chain %d, target %r' % (what, len(r['chain']), r['target']))
            if r['size'] != len(r['target']):
                note('SYMLINK size %d for a target of %d bytes' % (r['size'], len(r['target'])))
            if r['root'] != bytes(32):
                note('SYMLINK records carry a root %s' % r['root'].hex()[:16])
            if r['depth']:
                note('SYMLINK depth %d' % r['depth'])
            return r['target']
        need(not r['target'], '%s: a target %r' % (what, r['target']))
        if k == EMPTY:
            need(not r['chain'] and r['size'] == 0, '%s: chain %d, size %d' % (what, len(r['chain']), r['size']))
            need(r['root'] == EMPTY_ROOT, '%s: root %s, not SHA-256 of no bytes' % (what, r['root'].hex()))
            need(r['depth'] == 0, '%s: depth %d' % (what, r['depth']))
            data = b''
        elif k == CHUNKS:
            need(len(r['chain']) == 1, '%s: chain of %d' % (what, len(r['chain'])))
            data, mroot = self.b.read(r['chain'][0]['digest'])
            need(len(data) == r['chain'][0]['size'], '%s: sk_blobref size %d, blob %d' % (
                what, r['chain'][0]['size'], len(data)))
            need(mroot == r['root'], '%s: root is not its manifest\'s ROOT' % what)
            need(r['depth'] == 0, '%s: depth %d' % (what, r['depth']))
        else:
            data = self.delta(r, what)
        need(len(data) == r['size'], '%s: %d bytes, the record says %d' % (what, len(data), r['size']))
        check_root(data, r['root'], what)
        self.contents[rdigest] = data
        return data

    def delta(self, r, what):
        ch = r['chain']
        need(len(ch) >= 2, '%s: a chain of %d' % (what, len(ch)))
        # "chain = [a CHUNKS content blob, patch 1, ..., patch depth]"
        need(r['depth'] == len(ch) - 1, '%s: depth %d for a chain of %d' % (what, r['depth'], len(ch)))
        self.seen['max_depth'] = max(self.seen['max_depth'], r['depth'])
        base, _ = self.b.read(ch[0]['digest'])
        need(len(base) == ch[0]['size'], '%s: base sk_blobref size %d, blob %d' % (what, ch[0]['size'], len(base)))
        steps = []
        for i, b in enumerate(ch[1:]):
            pb, _ = self.b.read(b['digest'])
            need(len(pb) == b['size'], '%s: patch %d sk_blobref size %d, blob %d' % (what, i + 1, b['size'], len(pb)))
            steps.append(parse_skdp(pb, '%s patch %d' % (what, i + 1)))
        seg = steps[0]['segment']
        # "Every patch of a chain has the same SEGMENT (a reader may refuse a chain that mixes them)"
        need(all(s['segment'] == seg for s in steps), '%s: a chain that mixes SEGMENTs' % what)
        length = len(base)
        for i, s in enumerate(steps):
            need(s['base_len'] == length, '%s: patch %d BASE_LEN %d, its base is %d bytes' % (
                what, i + 1, s['base_len'], length))
            length = s['target_len']
            self.seen['skdp_segments'] = max(self.seen['skdp_segments'], s['count'])
            if sum(1 for p in s['patches'] if p is not None) >= 2:
                self.seen['skdp_multi'] += 1
            self.seen['skdp_len0'] += sum(1 for p in s['patches'] if p is None)
        # every blob of the chain was read and checked against its id: the same ids give the same bytes, so
        # a chain applied before (by another Reader of this run) gives the same content (Python is slow)
        key = tuple(b['digest'] for b in ch)
        if key in APPLIED:
            return APPLIED[key]
        n_seg = -(-length // seg)
        out = []
        # "segment i of the content then needs only segment i of each step"
        for i in range(n_seg):
            cur = base[i * seg:(i + 1) * seg]
            for j, s in enumerate(steps):
                want = max(0, min(seg, s['target_len'] - i * seg))
                if i >= s['count']:
                    need(want == 0, '')
                    cur = b''
                    continue
                p = s['patches'][i]
                if p is None:   # "LEN 0: that range of the target is the same range of the base (same length)"
                    need(len(cur) == want, '%s: patch %d segment %d: LEN 0 but the base range is %d bytes, '
                         'the target range %d' % (what, j + 1, i, len(cur), want))
                    continue
                try:
                    h = psr.read_header(memoryview(p))
                    need(h.base_len == len(cur),
                         '%s: patch %d segment %d is not made against the base\'s range (%d bytes, patch says %d)' % (
                             what, j + 1, i, len(cur), h.base_len))
                    cur = psr.apply_patch(p, cur)
                except psr.PatchError as e:
                    raise Damaged('%s: patch %d segment %d: %s' % (what, j + 1, i, e))
                need(len(cur) == want, '%s: patch %d segment %d gives %d bytes, not %d' % (what, j + 1, i, len(cur), want))
            out.append(cur)
        APPLIED[key] = b''.join(out)
        return APPLIED[key]

    # -- a whole version
    def load(self, vd, v):
        """every record and content of version v, checked: dict(folders, files: [(path, record, content)])"""
        what = 'version %d' % v['meta']['seq']
        folders, entries = self.walk_files(v['files'])
        # "every folder of DIR, DIR itself first with the path "", in the order of a depth-first walk with
        # names sorted bytewise" (a folder is a DIR entry of "files": tree entries are sorted by name)
        got = [d['path'] for d in v['dirs']]
        need(got == folders, '%s: dirs lists %r, the files tree has the folders %r' % (what, got[:8], folders[:8]))
        needs = self.read_needs(v['needs'])
        files, used = [], set()
        for path, mode, size, rd in entries:
            r = self.record(path, mode, size, rd)
            c = self.content(r, rd, needs)
            used.update(b['digest'] for b in r['chain'])
            files.append((path, r, c))
        extra = set(needs) - used
        need(not extra, '%s: "needs" lists %d blobs no record needs (%s...)' % (
            what, len(extra), id_text(sorted(extra)[0])[:24] if extra else ''))
        m = v['meta']
        nfiles = len(files)
        nbytes = sum(r['size'] for _, r, _ in files)
        need(m['files'] == nfiles, '%s: sk_version files %d, the files tree has %d' % (what, m['files'], nfiles))
        nreg = sum(r['size'] for _, r, _ in files if r['kind'] != SYMLINK)
        if m['bytes'] != nbytes:   # "u64 files, bytes (their sizes)": a symlink's size too?
            need(m['bytes'] == nreg, '%s: sk_version bytes %d, the records\' sizes add up to %d (%d without '
                 'symlinks)' % (what, m['bytes'], nbytes, nreg))
            note('sk_version "bytes" leaves out the sizes of symlinks (their records\' size, the target\'s '
                 'length), though "files" counts them')
        return dict(folders=v['dirs'], files=files)

    def restore(self, loaded, out):
        """write a loaded version into the new folder out"""
        os.mkdir(out)
        for d in loaded['folders'][1:]:
            os.mkdir(os.path.join(out, os.fsdecode(d['path'])))
        for path, r, c in loaded['files']:
            p = os.path.join(out, os.fsdecode(path))
            ns = r['mtime_sec'] * 10 ** 9 + r['mtime_nsec']
            if r['kind'] == SYMLINK:
                os.symlink(c, p)   # "the link's text (never followed)"
                os.utime(p, ns=(ns, ns), follow_symlinks=False)
                continue
            with open(p, 'wb') as f:
                f.write(c)
            os.chmod(p, r['mode'])
            os.utime(p, ns=(ns, ns))
        for d in reversed(loaded['folders']):
            p = os.path.join(out, os.fsdecode(d['path'])) if d['path'] else out
            os.chmod(p, d['mode'])
            ns = d['mtime_sec'] * 10 ** 9 + d['mtime_nsec']
            os.utime(p, ns=(ns, ns))


# ---------------------------------------------------------------- the tests
class Fail(Exception):
    pass


def expect(cond, *what):
    if not cond:
        raise Fail(' '.join(str(w) for w in what))


def describe(root):
    """{relative path bytes: what a restore must reproduce}: kind, permission bits, mtime (ns), content
    (SHA-256 and size) or link text; root itself under b''"""
    out = {}
    st = os.lstat(root)
    out[b''] = ('d', stat.S_IMODE(st.st_mode), st.st_mtime_ns)
    broot = os.fsencode(root)
    for dirpath, dirnames, filenames in os.walk(broot):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            rel = os.path.relpath(p, broot)
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ('l', os.readlink(p), st.st_mtime_ns)
            elif not stat.S_ISDIR(st.st_mode) and not stat.S_ISREG(st.st_mode):
                continue   # "Not kept: ... FIFOs, sockets, devices (skipped with a warning)"
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ('d', stat.S_IMODE(st.st_mode), st.st_mtime_ns)
            else:
                with open(p, 'rb') as f:
                    out[rel] = ('f', stat.S_IMODE(st.st_mode), st.st_mtime_ns, st.st_size, H(f.read()).hex()[:16])
    return out


def fmt(v):
    if v is None:
        return 'absent'
    if v[0] == 'l':
        return 'symlink -> %r mtime %d' % (v[1], v[2])
    if v[0] == 'd':
        return 'dir 0%o mtime %d' % (v[1], v[2])
    return 'file 0%o mtime %d size %d sha %s' % v[1:]


def differences(a, b, an, bn, limit=4):
    out = []
    for k in sorted(set(a) | set(b)):
        if a.get(k) != b.get(k):
            out.append('%r: %s %s, %s %s' % (k, an, fmt(a.get(k)), bn, fmt(b.get(k))))
    return '; '.join(out[:limit]) + (' (%d in all)' % len(out) if len(out) > limit else '')


def flip(path, off):
    with open(path, 'r+b') as f:
        f.seek(off)
        b = f.read(1)
        f.seek(off)
        f.write(bytes([b[0] ^ 0x40]))


class Tests:
    def __init__(self, binary, keep=False):
        self.sk = os.path.abspath(binary)
        self.keep = keep
        self.passed = self.failed = self.skipped = self.known = 0
        self.work = os.path.join('/tmp/skspec', 'run.%d' % os.getpid())
        self.state = os.path.join(self.work, 'state')
        self.store = os.path.join(self.work, 'store')
        self.descs = {}      # seq -> describe(state) right after its capture
        self.ids = {}        # seq -> version digest (from the reader)
        self.loaded = {}     # seq -> {path: record}
        self.trees = {}      # seq -> the version (Reader.version)
        self.printed = set()
        self.rng = __import__('random').Random(20261128)
        self.n = 0
        self.made = []

    # -- plumbing
    def run(self, name, fn, *args):
        t0 = time.monotonic()
        try:
            detail = fn(*args)
        except (Fail, SpecError, OSError, psr.PatchError, subprocess.TimeoutExpired) as e:
            if name in KNOWN_DISCREPANCIES:
                self.known += 1
                print('KNOWN DISCREPANCY %s: %s: %s [%s]' % (name, type(e).__name__, e, KNOWN_DISCREPANCIES[name]))
            else:
                self.failed += 1
                print('FAIL %s: %s: %s' % (name, type(e).__name__, e))
            self.flush()
            return False
        if not self.keep:
            for p in self.made:
                shutil.rmtree(p, ignore_errors=True)
        self.made = []
        self.passed += 1
        extra = ' (listed as a known discrepancy: no longer seen)' if name in KNOWN_DISCREPANCIES else ''
        print('ok   %s (%.2f s)%s%s' % (name, time.monotonic() - t0, ': ' + detail if detail else '', extra))
        self.flush()
        return True

    def flush(self):
        for n in NOTES:
            if n not in self.printed:
                self.printed.add(n)
                print('note: ' + n)
        sys.stdout.flush()

    def skcmd(self, *args):
        """statekeeper ARGS: (exit status, stdout, stderr); the wait is for its exit"""
        r = subprocess.run([self.sk] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=WATCHDOG)
        return r.returncode, r.stdout.decode('utf-8', 'replace'), r.stderr.decode('utf-8', 'replace')

    def sk_restore(self, store, out, version=None):
        args = ['restore', '--store', store, '--no-sync', '-q']
        if version is not None:
            args += ['--version', str(version)]
        return self.skcmd(*(args + [out]))

    def tmp(self, what, keep=False):
        """a scratch path, removed when the test that made it passes (unless keep)"""
        self.n += 1
        p = os.path.join(self.work, '%s.%d' % (what, self.n))
        if not keep:
            self.made.append(p)
        return p

    def copy_store(self, src=None, keep=False):
        dst = self.tmp('store', keep)
        self.cp(src or self.store, dst)
        return dst

    def cp(self, src, dst):
        """cp -a (modes, mtimes, symlinks as links, FIFOs as FIFOs): faster than shutil for 2,000 files"""
        r = subprocess.run(['cp', '-a', src, dst], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=WATCHDOG)
        expect(r.returncode == 0, 'cp -a %s: %s' % (src, r.stdout[-300:]))

    def copy_state(self, what):
        """a copy of the state folder (modes and mtimes)"""
        dst = self.tmp(what)
        self.cp(self.state, dst)
        return dst

    # -- the state folder, as a program would leave it
    def rand(self, n):
        return self.rng.randbytes(n)

    def text(self, n, tag):
        words = [b'alpha', b'beta', b'gamma', b'delta', b'state', b'kept', b'row', tag]
        out = bytearray()
        i = 0
        while len(out) < n:
            out += b'%d %s %s\n' % (i, words[self.rng.randrange(len(words))], words[self.rng.randrange(len(words))])
            i += 1
        return bytes(out[:n])

    def put(self, rel, data, mode=0o644, root=None):
        p = os.path.join(root or self.state, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, 'wb') as f:
            f.write(data)
        os.chmod(p, mode)

    def patch_file(self, rel, edits, root=None):
        """edits: [(offset, bytes)] written in place"""
        p = os.path.join(root or self.state, rel)
        with open(p, 'r+b') as f:
            for off, b in edits:
                f.seek(off)
                f.write(b)

    def stamp(self, seq):
        """distinct mtimes with nanoseconds for what changed since the last capture (what the system
        stamped itself): files and symlinks, then folders deepest first; what did not change keeps its
        mtime (so its record stays the same)"""
        base = 1700000000 * 10 ** 9 + seq * 10 ** 10
        entries = []
        for dirpath, dirnames, filenames in os.walk(self.state):
            for n in filenames + dirnames:
                entries.append(os.path.join(dirpath, n))
        assigned = self.__dict__.setdefault('assigned', {})
        i = 0
        for p in sorted(entries, key=lambda x: (-x.count('/'), x)):
            i += 1
            if not os.path.isdir(p) or os.path.islink(p):
                if assigned.get(p) == os.lstat(p).st_mtime_ns:
                    continue
                t = base + i * 1000003 + 7
                os.utime(p, ns=(t, t), follow_symlinks=False)
                assigned[p] = t
        for rel, t in getattr(self, 'mtimes', {}).items():
            p = os.path.join(self.state, rel)
            os.utime(p, ns=(t, t))
            assigned[p] = t
        for p in sorted([e for e in entries if os.path.isdir(e) and not os.path.islink(e)] + [self.state],
                        key=lambda x: -x.count('/')):
            i += 1
            if assigned.get(p) == os.lstat(p).st_mtime_ns:
                continue
            t = base + i * 1000003 + 11
            os.utime(p, ns=(t, t))
            assigned[p] = t

    def sparse(self, rel, size, pieces):
        p = os.path.join(self.state, rel)
        with open(p, 'wb') as f:
            f.truncate(size)
            for off, data in pieces:
                f.seek(off)
                f.write(data)

    def capture(self, seq, *ok):
        self.stamp(seq)
        self.descs[seq] = describe(self.state)
        rc, out, err = self.skcmd('capture', '--store', self.store, '--state', self.state, '--no-sync', '-q')
        expect(rc in (ok or (0,)), 'capture %d: exit %d: %s' % (seq, rc, err[-400:]))
        if rc:   # "3 capture stored a version but some files could not be read": a FIFO "skipped with a warning"?
            note('capture of a folder with a FIFO: exit %d (%s)' % (rc, err.strip().splitlines()[-1][:120]))
        expect(describe(self.state) == self.descs[seq], 'capture %d changed the state folder' % seq)

    def t_captures(self):
        os.makedirs(self.state)
        MiB = 1 << 20
        # version 1
        self.put('notes.txt', self.text(3000, b'one'))
        self.put('bin/data.bin', self.rand(300 << 10))
        self.put('log/app.log', self.text(150 << 10, b'log'))
        self.db = self.rand(5 * MiB + 123)                    # > 4 MiB: an SKDP of 2 segments
        self.put('db/main.db', self.db, 0o600)
        self.moved = self.rand(600 << 10)
        self.put('db/moved.dat', self.moved)
        self.sparse('sparse.img', 3 * MiB, [(0, self.rand(64 << 10)), (1536 << 10, self.rand(100 << 10)),
                                            (3 * MiB - 10000, self.rand(10000))])
        self.put('empty.cfg', b'')
        self.put('a/b/c/deep.txt', self.text(5000, b'deep'))
        os.makedirs(os.path.join(self.state, 'a/b/empty-dir'))
        self.put('run.sh', b'#!/bin/sh\necho state\n', 0o755)
        self.put('big/random.bin', self.rand(22 * MiB))     # > 1,024 chunks: a PARTS manifest
        os.symlink('notes.txt', os.path.join(self.state, 'current'))
        os.symlink('../nowhere/x', os.path.join(self.state, 'a/dangling'))
        os.chmod(os.path.join(self.state, 'a/b'), 0o750)
        # names that sort differently as whole paths ("a-b" < "a/b" < "a.d" bytewise, but a depth-first
        # walk gives a, a/b, ..., a-b, a.d), bytes that are not UTF-8, set-id and sticky bits, 1969
        self.put('a-b/x.txt', b'a-b\n')
        self.put('a.d/y.txt', b'a.d\n')
        self.put(b'odd name \xff\x01.bin'.decode('utf-8', 'surrogateescape'), self.rand(5000))
        self.put('setid.bin', b'\x7fELF not really\n', 0o6750)
        os.makedirs(os.path.join(self.state, 'spool/tmp'))
        os.chmod(os.path.join(self.state, 'spool/tmp'), 0o1777)
        self.put('old.txt', b'written in 1969\n')
        self.mtimes = {'old.txt': -1500000000 - 123}
        os.link(os.path.join(self.state, 'a-b/x.txt'), os.path.join(self.state, 'a.d/hardlink.txt'))
        os.symlink('b', os.path.join(self.state, 'a/link-to-folder'))   # "never followed"
        os.mkfifo(os.path.join(self.state, 'spool/fifo'))
        self.capture(1, 0, 3)
        # version 2: edits in place in both segments, an insertion, appends, a new file, a symlink retargeted
        self.patch_file('db/main.db', [(1 * MiB, self.rand(200)), (4 * MiB + 500000, self.rand(300))])
        self.moved = self.moved[:100 << 10] + self.rand(5000) + self.moved[100 << 10:]
        self.put('db/moved.dat', self.moved)
        with open(os.path.join(self.state, 'log/app.log'), 'ab') as f:
            f.write(self.text(30 << 10, b'v2'))
        self.patch_file('notes.txt', [(100, b'EDITED')])
        self.put('a/new.txt', self.text(2000, b'new'))
        os.unlink(os.path.join(self.state, 'current'))
        os.symlink('a/b/c/deep.txt', os.path.join(self.state, 'current'))
        os.chmod(os.path.join(self.state, 'run.sh'), 0o700)
        self.capture(2)
        # version 3: one segment changed (depth 2), a hole written, a file and a folder removed, data deleted
        self.patch_file('db/main.db', [(2 * MiB, self.rand(100))])
        self.patch_file('sparse.img', [(700 << 10, self.rand(4096))])
        os.unlink(os.path.join(self.state, 'bin/data.bin'))
        os.rmdir(os.path.join(self.state, 'a/b/empty-dir'))
        self.moved = self.moved[:400 << 10] + self.moved[(400 << 10) + 3000:]
        self.put('db/moved.dat', self.moved)
        with open(os.path.join(self.state, 'log/app.log'), 'ab') as f:
            f.write(self.text(20 << 10, b'v3'))
        self.capture(3)
        # version 4: the database grows past a third segment (segments past its base's end)
        with open(os.path.join(self.state, 'db/main.db'), 'ab') as f:
            f.write(self.rand(4 * MiB + 700000))
        self.patch_file('db/main.db', [(3 * MiB, self.rand(64))])
        os.makedirs(os.path.join(self.state, 'spool/new'), exist_ok=True)
        shutil.rmtree(os.path.join(self.state, 'big'))   # the blob in parts goes (gc --keep 2 then sweeps it)
        with open(os.path.join(self.state, 'log/app.log'), 'ab') as f:
            f.write(self.text(10 << 10, b'v4'))
        self.capture(4)
        # version 5: the database shrinks to one segment; notes rewritten whole
        with open(os.path.join(self.state, 'db/main.db'), 'r+b') as f:
            f.truncate(3 * MiB + 4321)
        self.patch_file('db/main.db', [(10, self.rand(50))])
        self.put('notes.txt', self.text(4000, b'five'))
        self.capture(5)
        rc, out, err = self.skcmd('log', '--store', self.store)
        expect(rc == 0, 'log: exit %d %s' % (rc, err))
        lines = [l for l in out.splitlines() if l.strip()]
        expect([l.split()[0] for l in lines] == ['5', '4', '3', '2', '1'], 'log lists %r' % lines)
        return '5 versions, %d MB in the store' % (sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in
                                                       os.walk(self.store) for f in fs) >> 20)

    def t_no_change(self):
        before = self.ref_text(self.store)
        rc, out, err = self.skcmd('capture', '--store', self.store, '--state', self.state, '--no-sync', '-q')
        expect(rc == 0, 'capture: exit %d: %s' % (rc, err[-300:]))
        # "capture --state DIR  store DIR as a new version (nothing new if nothing changed)"
        expect(self.ref_text(self.store) == before, 'a capture of an unchanged folder moved "latest"')
        # "An unchanged file (same size, mtime and mode as its record) is not read."
        p = os.path.join(self.state, 'a/new.txt')
        st = os.stat(p)
        with open(p, 'rb') as f:
            old = f.read()
        with open(p, 'r+b') as f:
            f.write(b'X' * 10)
        os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
        rc, out, err = self.skcmd('capture', '--store', self.store, '--state', self.state, '--no-sync', '-q')
        with open(p, 'r+b') as f:
            f.write(old)
        os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
        expect(rc == 0, 'capture: exit %d: %s' % (rc, err[-300:]))
        expect(self.ref_text(self.store) == before, 'a file changed with its size, mtime and mode kept was read')
        expect(describe(self.state) == self.descs[5], 'the state folder is not back as it was')

    def ref_text(self, store, name='latest'):
        p = os.path.join(store, 'refs', name)
        if not os.path.exists(p):
            return None
        with open(p, 'rb') as f:
            return f.read()

    # -- reading
    def t_walk(self):
        R = Reader(self.store)
        bad = R.s.check_all()
        expect(not bad, 'objects that do not check: %s' % bad[:3])
        vs = R.versions()
        expect([v['meta']['seq'] for _, v in vs] == [5, 4, 3, 2, 1], 'versions %r' % [v['meta']['seq'] for _, v in vs])
        for d, v in vs:
            self.ids[v['meta']['seq']] = d
        rc, out, err = self.skcmd('log', '--store', self.store)
        for line in out.splitlines():
            seq, vid = line.split()[:2]
            expect(parse_id_text(vid) == self.ids[int(seq)], 'log: version %s is %s' % (seq, vid))
        for d, v in vs:
            m = v['meta']
            expect(m['full_every'] == 16, 'full_every %d' % m['full_every'])
            # the versions were captured in order a second or less apart, just now
            expect(abs(m['time_sec'] - time.time()) < 600 and m['time_nsec'] < 10 ** 9, 'time %d' % m['time_sec'])
        self.reader = R
        self.versions = vs
        return '%d objects (%d loose, %d packs), all match their ids' % (
            len(R.s.where), sum(1 for l in R.s.where.values() if l[0][0] == 'loose'), len(R.s.pack_entries))

    def t_pack_layout(self):
        """dx_cas.h, Directory store: "every object of at most DX_CAS_DIR_PACK_OBJECT_MAX content bytes is
        appended to the batch's pack file"; "objects up to DX_CAS_DIR_PACK_BLOCK / 2 are gathered into blocks
        of up to DX_CAS_DIR_PACK_BLOCK (128 KiB) ...; manifests and trees ... fill blocks of their own"
        """
        R = self.reader
        records = {}
        for name, ents in R.s.pack_entries.items():
            for d, (off, stored, size, inner) in ents.items():
                records.setdefault((name, off, stored), []).append((d, size, inner))
        shared = mixed = 0
        for (name, off, stored), objs in records.items():
            if len(objs) == 1 and objs[0][2] == 0:
                continue
            shared += 1
            R.s._read_at(('pack', name, off, stored, objs[0][1], objs[0][2]), objs[0][0])
            total = len(R.s.records[(name, off, stored)])
            expect(total <= 128 << 10, 'a shared record of %d content bytes' % total)
            kinds = set()
            for d, size, inner in objs:
                expect(size <= 64 << 10, 'an object of %d bytes in a shared record' % size)
                c = R.s.get(d)
                kinds.add(c[:4] in (b'DXCM', b'DXCT'))
            if len(kinds) > 1:
                mixed += 1
        expect(not mixed, '%d blocks of %d mix manifests or trees with other objects' % (mixed, shared))
        big = [d for d, locs in R.s.where.items() if locs[0][0] == 'loose']
        expect(not big, '%d loose objects (all are at most 1 MiB)' % len(big))
        return '%d shared records (blocks) of %d' % (shared, len(records))

    def compare(self, seq, mine, theirs, store_desc=None):
        want = self.descs[seq]
        dm = describe(mine)
        expect(dm == want, 'version %d: this reader\'s restore differs from the folder at capture: %s' % (
            seq, differences(want, dm, 'captured', 'reader')))
        dt = describe(theirs)
        expect(dt == want, 'version %d: statekeeper restore differs from the folder at capture: %s' % (
            seq, differences(want, dt, 'captured', 'statekeeper')))

    def t_version(self, seq):
        R = self.reader
        vd = self.ids[seq]
        v = dict(self.versions)[vd]
        loaded = R.load(vd, v)
        self.loaded[seq] = {p: r for p, r, _ in loaded['files']}
        self.trees[seq] = v
        mine = self.tmp('mine-v%d' % seq)
        R.restore(loaded, mine)
        theirs = self.tmp('sk-v%d' % seq)
        rc, out, err = self.sk_restore(self.store, theirs, seq)
        expect(rc == 0, 'statekeeper restore --version %d: exit %d: %s' % (seq, rc, err[-300:]))
        self.compare(seq, mine, theirs)
        # "restores write them as holes"
        st = os.stat(os.path.join(theirs, 'sparse.img'))
        expect(st.st_blocks * 512 < st.st_size // 2, 'sparse.img restored with %d of %d bytes allocated' % (
            st.st_blocks * 512, st.st_size))
        kinds = {}
        for _, r, _ in loaded['files']:
            kinds[KIND[r['kind']]] = kinds.get(KIND[r['kind']], 0) + 1
        shutil.rmtree(mine)
        shutil.rmtree(theirs)
        return ', '.join('%d %s' % (n, k) for k, n in sorted(kinds.items()))

    def t_coverage(self):
        """the store holds what the tests mean to cover"""
        s, st = self.reader.seen, self.reader.b.stats
        for k in KIND.values():
            expect(s['kinds'].get(k), 'no %s record seen' % k)
        expect(s['max_depth'] >= 2, 'no DELTA chain deeper than %d' % s['max_depth'])
        expect(s['skdp_segments'] >= 2, 'no SKDP patch of several segments')
        expect(s['skdp_multi'] >= 1, 'no SKDP patch with two segments changed')
        expect(st['parts_manifests'] >= 1, 'no PARTS manifest')
        if not s['skdp_len0']:
            note('no SKDP segment of LEN 0 seen')
        return 'kinds %s; deepest chain %d; SKDP up to %d segments (%d of LEN 0); %d PARTS manifests' % (
            s['kinds'], s['max_depth'], s['skdp_segments'], s['skdp_len0'], st['parts_manifests'])

    def t_sharing(self):
        """"Unchanged files keep their record, so an unchanged folder keeps its tree id"; refs hold
        "<id text>\n"; --version takes an id too"""
        R = self.reader
        big = set()
        rec = set()
        for seq in range(1, 4):
            top = {n: d for n, m, sz, d in parse_tree(R.s.get(self.trees[seq]['files']), 'files')}
            big.add(top[b'big'])
            rec.add(self.loaded[seq][b'big/random.bin']['root'])
        expect(len(big) == 1, 'the unchanged folder big/ has %d tree ids over 3 versions' % len(big))
        for seq in range(2, 6):
            for path, r in self.loaded[seq].items():
                old = self.loaded[seq - 1].get(path)
                d_new = self.descs[seq].get(path)
                if old is not None and d_new == self.descs[seq - 1].get(path):
                    expect(r == old, 'version %d: %r did not change but its record did' % (seq, path))
        for name in ('latest',):
            t = self.ref_text(self.store, name)
            expect(t == (id_text(self.ids[5]) + '\n').encode(), 'refs/%s holds %r' % (name, t))
        out = self.tmp('by-id')
        rc, o, err = self.sk_restore(self.store, out, id_text(self.ids[2]))
        expect(rc == 0, 'restore --version <id>: exit %d %s' % (rc, err[-300:]))
        d = describe(out)
        expect(d == self.descs[2], 'restore --version <id of 2>: %s' % differences(self.descs[2], d, 'captured', 'sk'))
        shutil.rmtree(out)
        extra = sorted(set(os.listdir(self.store)) - {'objects', 'packs', 'refs', 'tmp', 'sk-copy', 'statekeeper.lock', 'dx-tool'})
        if extra:
            note('the store holds %r, which neither STORE FORMAT nor dx_cas.h names' % extra)
        expect(not os.listdir(os.path.join(self.store, 'tmp')), 'tmp/ is not empty after the captures')
        expect(not os.listdir(os.path.join(self.store, 'sk-copy')), 'sk-copy/ holds copies of files under 64 MiB')

    def t_counters(self):
        """sk_version's counters against the records (chunk_files, delta_files, unchanged_files,
        delta_in "sizes of the files stored as deltas", delta_out "their patches' bytes")"""
        out = []
        for seq in range(1, 6):
            m = self.trees[seq]['meta']
            prev = self.loaded.get(seq - 1, {})
            c = dict(chunk_files=0, delta_files=0, unchanged_files=0, delta_in=0, delta_out=0)
            for path, r in self.loaded[seq].items():
                o = prev.get(path)
                same = o is not None and all(o[k] == r[k] for k in ('kind', 'root', 'target', 'chain'))
                if same:   # the same content (its mtime or mode may have changed)
                    c['unchanged_files'] += 1
                    if o != r:
                        note('unchanged_files counts a file whose content did not change but whose mode or '
                             'mtime did (a new record)')
                elif r['kind'] == CHUNKS:
                    c['chunk_files'] += 1
                elif r['kind'] == DELTA:
                    c['delta_files'] += 1
                    c['delta_in'] += r['size']
                    c['delta_out'] += r['chain'][-1]['size']
            got = {k: m[k] for k in c}
            if got != c:
                out.append('version %d: %r, the records give %r' % (seq, got, c))
        expect(not out, '; '.join(out))

    def t_forged_root(self):
        """a record whose root is not its content's (every object matches its id): "A restore checks the
        content it rebuilds against it before the file gets its name"; verify "rebuild[s] every file of
        every version against its Merkle root\""""
        st = self.copy_store()
        R = Reader(st)
        d, v = R.versions()[0]
        folders, entries = R.walk_files(v['files'])
        pick = None
        for p, mode, size, rd in entries:
            r = R.record(p, mode, size, rd)
            if r['kind'] == DELTA and (pick is None or r['size'] < pick[1]['size']):
                pick = ((p, mode, size, rd), r)
        expect(pick, 'no DELTA record in the latest version')
        (path, mode, size, rd), r = pick
        rb, _ = R.b.read(rd)
        tp = TP(rb, 'record')
        sec, k = tp.root
        at = tp.sections[sec][1] + k * tp.sections[sec][3] + [f[2] for f in tp.types[T_FILE]['fields']
                                                              if f[0] == 'root'][0]
        nb = bytearray(rb)
        nb[at] ^= 1
        total = struct.unpack_from('<I', nb, 16)[0]
        if struct.unpack_from('<I', nb, 8)[0] & 1:   # CHECKSUM: the CRC taken with its 4 bytes as zero
            struct.pack_into('<I', nb, 20, 0)
            struct.pack_into('<I', nb, 20, hb.crc32c(bytes(nb[:total])))
        W = LooseWriter(st)
        new_rd, _ = W.blob(bytes(nb))

        def rewrite(td, comps):
            ents = []
            for name, m, sz, dd in parse_tree(R.s.get(td), 'tree'):
                if name == comps[0]:
                    ents.append((name, m, len(nb), new_rd) if len(comps) == 1 else (name, m, sz, rewrite(dd, comps[1:])))
                else:
                    ents.append((name, m, sz, dd))
            return W.put(encode_tree(ents))
        new_files = rewrite(v['files'], path.split(b'/'))
        top = [(n, m, sz, new_files if n == b'files' else dd) for n, m, sz, dd in parse_tree(R.s.get(d), 'version')]
        W.ref('latest', W.put(encode_tree(top)))
        return self.damaged(st, 'the root of %r\'s record' % path, path, quick_sees=False)

    def check_copy(self, store, relpath, content, root):
        """COPY FILE and CHUNK LIST of relpath, as their comments say"""
        name = '%016x' % psr.xxh64(relpath)
        p = os.path.join(store, 'sk-copy', name)
        expect(os.path.exists(p), 'no copy sk-copy/%s for %r (XXH64 of the path from DIR): %r' % (
            name, relpath, sorted(os.listdir(os.path.join(store, 'sk-copy')))))
        with open(p, 'rb') as f:
            b = f.read()
        foot = b[-64:]
        expect(foot[:4] == b'SKCP' and foot[4] == 1 and foot[5] == 0 and foot[6:8] == b'\0\0',
               'copy of %r: footer %r' % (relpath, foot[:8]))
        seg, plen, size = struct.unpack_from('<IIQ', foot, 8)
        nseg = -(-size // seg) if seg else -1
        expect(seg and len(b) == size + plen + 8 * nseg + 64, 'copy of %r: %d bytes for SIZE %d PATH_LEN %d SEGMENT %d' % (
            relpath, len(b), size, plen, seg))
        expect(b[:size] == content, 'copy of %r: the content differs from the version captured last' % relpath)
        expect(b[size:size + plen] == relpath, 'copy of %r: PATH %r' % (relpath, b[size:size + plen]))
        hs = struct.unpack_from('<%dQ' % nseg, b, size + plen)
        for i in range(nseg):
            expect(hs[i] == psr.xxh64(content[i * seg:(i + 1) * seg]), 'copy of %r: segment %d hash' % (relpath, i))
        expect(struct.unpack_from('<Q', foot, 56)[0] == psr.xxh64(b[size:len(b) - 8]), 'copy of %r: footer hash' % relpath)
        expect(foot[24:56] == root, 'copy of %r: ROOT is not the record\'s' % relpath)
        with open(p + '.cl', 'rb') as f:
            cl = f.read()
        body, trailer = cl[:-36], cl[-36:]
        expect(trailer[:4] == b'SKCL' and trailer[4:] == H(body[56:]), 'chunk list of %r: trailer' % relpath)
        expect(body[7] == 0, 'chunk list of %r: FLAGS %d (a manifest in parts?)' % (relpath, body[7]))
        m = parse_manifest(body, 'chunk list of %r' % relpath)
        expect(m['root'] == root and m['total'] == size, 'chunk list of %r: root or size' % relpath)
        lens = fastcdc(content)
        expect([ln for ln, _ in m['entries']] == lens, 'chunk list of %r: not the FastCDC chunks' % relpath)
        pos = 0
        for ln, dg in m['entries']:
            expect(H(content[pos:pos + ln]) == dg, 'chunk list of %r: a chunk id at %d' % (relpath, pos))
            pos += ln
        return seg, len(lens)

    def copy_capture(self, store, state, *opts):
        rc, out, err = self.skcmd('capture', '--store', store, '--state', state, '--no-sync', '-q', *opts)
        expect(rc == 0, 'capture %r: exit %d %s' % (opts, rc, err[-300:]))
        R = Reader(store)
        d, v = R.versions()[0]
        L = R.load(d, v)
        mine = self.tmp('copy-mine')
        R.restore(L, mine)
        want = describe(state)
        got = describe(mine)
        expect(got == want, 'version %d: %s' % (v['meta']['seq'], differences(want, got, 'state', 'reader')))
        shutil.rmtree(mine)
        theirs = self.tmp('copy-sk')
        rc, out, err = self.sk_restore(store, theirs)
        expect(rc == 0, 'restore: exit %d %s' % (rc, err[-300:]))
        got = describe(theirs)
        expect(got == want, 'statekeeper restore of version %d: %s' % (v['meta']['seq'], differences(want, got, 'state', 'sk')))
        shutil.rmtree(theirs)
        return R, v, {p: (r, c) for p, r, c in L['files']}

    def t_copy(self):
        """--copy-min 1: COPY FILE and CHUNK LIST as specified; a damaged copy or list is not trusted
        ("a cache, checked whenever it is read"); --full-every 2; --copy-min 0 removes the copies"""
        state = self.copy_state('copy-state')
        store = self.tmp('copy-store')
        opts = ('--copy-min', '1', '--full-every', '2')
        R, v, files = self.copy_capture(store, state, *opts)
        big = sorted(p for p, (r, c) in files.items() if r['kind'] in (CHUNKS, DELTA) and r['size'] >= 1 << 20)
        names = sorted(os.listdir(os.path.join(store, 'sk-copy')))
        want = sorted(['%016x' % psr.xxh64(p) for p in big] + ['%016x.cl' % psr.xxh64(p) for p in big])
        expect(names == want, 'sk-copy/ holds %r, the files of 1 MiB or more %r make %r' % (names, big, want))
        segs = set()
        for p in big:
            segs.add(self.check_copy(store, p, files[p][1], files[p][0]['root'])[0])
        self.patch_file('db/main.db', [(5000, self.rand(100)), (3 << 20, self.rand(100))], state)
        R, v, files = self.copy_capture(store, state, *opts)                   # 2: a delta read against the copy
        self.check_copy(store, b'db/main.db', files[b'db/main.db'][1], files[b'db/main.db'][0]['root'])
        copy = os.path.join(store, 'sk-copy', '%016x' % psr.xxh64(b'db/main.db'))
        flip(copy, 1000)                                                       # its content, footer intact
        theirs = self.tmp('copy-damaged-sk')
        rc, out, err = self.sk_restore(store, theirs)   # "a restore of that version reads it too"
        expect(rc == 0, 'restore with a damaged copy: exit %d %s' % (rc, err[-300:]))
        got = describe(theirs)
        expect(got == describe(state), 'restore with a damaged copy: %s' % differences(describe(state), got, 'state', 'sk'))
        self.patch_file('db/main.db', [(2 << 20, self.rand(100))], state)
        R, v, files = self.copy_capture(store, state, *opts)                   # 3: the copy does not check
        self.check_copy(store, b'db/main.db', files[b'db/main.db'][1], files[b'db/main.db'][0]['root'])
        flip(copy + '.cl', 56 + 36 * 3 + 10)                                   # a chunk id of the list
        self.patch_file('db/main.db', [(1 << 20, self.rand(100))], state)
        R, v, files = self.copy_capture(store, state, *opts)                   # 4: the list does not check
        self.check_copy(store, b'db/main.db', files[b'db/main.db'][1], files[b'db/main.db'][0]['root'])
        depth = max(r['depth'] for r, c in files.values())
        for d, vv in R.versions():
            expect(vv['meta']['full_every'] == 2, 'sk_version full_every %d' % vv['meta']['full_every'])
            for p, r, c in R.load(d, vv)['files']:
                depth = max(depth, r['depth'])
        # "--full-every N  a file is stored whole again after N deltas ..., so no restore applies more than N patches"
        expect(depth <= 2, 'a chain of %d patches with --full-every 2' % depth)
        self.put('notes.txt', self.text(100, b'zero'), root=state)
        self.copy_capture(store, state, '--copy-min', '0')
        left = os.listdir(os.path.join(store, 'sk-copy'))
        expect(not left, '--copy-min 0 ("no copies, and the ones there go") left %r' % left)
        return '%d copies (SEGMENT %s), deepest chain %d' % (len(big), sorted(segs), depth)

    def t_verify(self):
        rc, out, err = self.skcmd('verify', '--store', self.store)
        expect(rc == 0, 'statekeeper verify of a good store: exit %d: %s' % (rc, (out + err)[-300:]))

    def t_over(self):
        """restore over a folder: "over DIR file by file (each file replaced atomically; files the
        version lacks are left as they are)\""""
        target = self.tmp('over')
        rc, out, err = self.sk_restore(self.store, target, 1)
        expect(rc == 0, 'restore 1: exit %d %s' % (rc, err))
        d1 = describe(target)
        rc, out, err = self.sk_restore(self.store, target, 5)
        expect(rc == 0, 'restore 5 over 1: exit %d %s' % (rc, err))
        d = describe(target)
        want = self.descs[5]
        for k, v in want.items():
            if v[0] != 'd':
                expect(d.get(k) == v, 'over: %r is %s, not %s' % (k, fmt(d.get(k)), fmt(v)))
        for k, v in d1.items():
            if k not in want and v[0] != 'd':
                expect(d.get(k) == v, 'over: %r (not in version 5) became %s' % (k, fmt(d.get(k))))
        extra = set(d) - set(want) - set(d1)
        expect(not extra, 'over: new paths %r' % sorted(extra)[:4])
        shutil.rmtree(target)

    # -- gc
    def t_gc(self):
        st = self.copy_store()
        rc, out, err = self.skcmd('gc', '--store', st, '--keep', '2', '--no-sync', '-q')
        expect(rc == 0, 'gc --keep 2: exit %d: %s' % (rc, err[-300:]))
        R = Reader(st)
        oldest = R.s.ref('oldest')
        # "oldest" (after gc --keep: the oldest version kept)
        expect(oldest == self.ids[4], 'ref "oldest" is %s, not version 4 %s' % (
            oldest and id_text(oldest), id_text(self.ids[4])))
        expect(R.s.ref('latest') == self.ids[5], 'ref "latest" moved')
        bad = R.s.check_all()
        expect(not bad, 'after gc: %s' % bad[:3])
        vs = R.versions()
        expect([v['meta']['seq'] for _, v in vs] == [5, 4], 'after gc the reader walks %r' % [
            v['meta']['seq'] for _, v in vs])
        for seq in (1, 2, 3):   # "keep the newest N versions (and what they need), delete the rest"
            expect(self.ids[seq] not in R.s.where, 'version %d\'s tree is still in the store' % seq)
        bm = self.loaded[1][b'big/random.bin']['chain'][0]['digest']     # the blob in parts, gone since 4
        parts = parse_manifest(self.reader.s.get(bm), 'big')['parts']
        expect(parts and bm not in R.s.where and not any(p[2] in R.s.where for p in parts),
               'the PARTS manifest (or a part) of a file only versions 1 to 3 had is still there')
        for d, v in vs:
            loaded = R.load(d, v)
            mine = self.tmp('gc-mine')
            R.restore(loaded, mine)
            theirs = self.tmp('gc-sk')
            seq = v['meta']['seq']
            rc, out, err = self.sk_restore(st, theirs, seq)
            expect(rc == 0, 'restore %d after gc: exit %d %s' % (seq, rc, err[-300:]))
            self.compare(seq, mine, theirs)
        # every object left is reached from a kept version (what the reader read, walking the versions)
        reached = set(R.s.cache) | set(self.reached(R, vs))
        unreached = [d for d in R.s.where if d not in reached]
        expect(not unreached, '%d objects no kept version reaches (e.g. %s)' % (
            len(unreached), unreached and id_text(unreached[0])))
        rc, out, err = self.skcmd('log', '--store', st)
        expect(rc == 0 and [l.split()[0] for l in out.splitlines() if l.strip()] == ['5', '4'], 'log after gc: %r' % out)
        rc, out, err = self.skcmd('verify', '--store', st)
        expect(rc == 0, 'verify after gc: exit %d %s' % (rc, (out + err)[-300:]))
        gone = self.tmp('gc-gone')
        rc, out, err = self.sk_restore(st, gone, 3)
        expect(rc != 0, 'restore --version 3 after gc --keep 2 succeeded')
        left = len(R.s.where)
        # a capture after the gc: version 6 on top; the walk still stops at "oldest"
        state = self.copy_state('gc-state')
        self.put('notes.txt', self.text(3333, b'six'), root=state)
        rc, out, err = self.skcmd('capture', '--store', st, '--state', state, '--no-sync', '-q')
        expect(rc in (0, 3), 'capture after gc: exit %d %s' % (rc, err[-300:]))
        R = Reader(st)
        vs = R.versions()
        expect([v['meta']['seq'] for _, v in vs] == [6, 5, 4], 'after a capture the reader walks %r' % [
            v['meta']['seq'] for _, v in vs])
        d6, v6 = vs[0]
        mine = self.tmp('gc-mine6')
        R.restore(R.load(d6, v6), mine)
        expect(describe(mine) == describe(state), 'version 6: %s' % differences(describe(state), describe(mine), 'state', 'reader'))
        rc, out, err = self.skcmd('gc', '--store', st, '--keep', '1', '--no-sync', '-q')
        expect(rc == 0, 'gc --keep 1: exit %d %s' % (rc, err[-300:]))
        R = Reader(st)
        expect(R.s.ref('oldest') == d6 and [v['meta']['seq'] for _, v in R.versions()] == [6],
               'after gc --keep 1: oldest %s' % R.s.ref('oldest'))
        expect(not R.s.check_all(), 'after gc --keep 1: objects that do not check')
        # gc --keep more than there are
        st2 = self.copy_store()
        rc, out, err = self.skcmd('gc', '--store', st2, '--keep', '10', '--no-sync', '-q')
        expect(rc == 0, 'gc --keep 10: exit %d %s' % (rc, err[-300:]))
        o = Store(st2).ref('oldest')
        if o is None:
            note('gc --keep 10 of 5 versions writes no ref "oldest"')
        else:
            note('gc --keep 10 of 5 versions sets ref "oldest" to %s' % (
                'version 1' if o == self.ids[1] else id_text(o)))
        shutil.rmtree(st2)
        return '%d objects left; a capture on top, then gc --keep 1' % left

    def reached(self, R, vs):
        """every object the versions reach: trees, manifests (parts too) and chunks"""
        out = set()

        def blob(md):
            out.add(md)
            m = parse_manifest(R.s.get(md), 'manifest')
            if m['parts']:
                for p in m['parts']:
                    out.add(p[2])
                    out.update(d for _, d in parse_manifest(R.s.get(p[2]), 'part')['entries'])
            else:
                out.update(d for _, d in m['entries'])

        def tree(td, blobs_are_files=True):
            out.add(td)
            for name, mode, size, d in parse_tree(R.s.get(td), 'tree'):
                if mode == M_DIR:
                    tree(d)
                else:
                    blob(d)
        for d, v in vs:
            tree(d)
        return out

    # -- loose objects, packs/index
    def make_loose(self, src, raw_ids=(), keep=False):
        """a copy of the store with every object a loose file (the stored form a writer makes; raw for
        raw_ids) and no packs: "Existing stores read as before and may mix loose objects and packs\""""
        dst = self.copy_store(src, keep)
        R = Reader(dst)
        zc = zstandard.ZstdCompressor(level=3)
        for d in list(R.s.where):
            c = R.s.get(d)
            p = os.path.join(dst, 'objects', d.hex()[:2], id_text(d))
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, 'wb') as f:
                f.write(c if d in raw_ids and c[:4] != b'DXCZ' else encode_stored(c, zc))
        shutil.rmtree(os.path.join(dst, 'packs'))
        os.mkdir(os.path.join(dst, 'packs'))
        return dst

    def t_loose(self):
        R = Reader(self.store)
        rd, r = self.latest_file_objects(R, b'log/app.log')
        self.raw_manifest = r['chain'][0]['digest']
        st = self.make_loose(self.store, raw_ids={self.raw_manifest}, keep=True)
        self.loose = st
        R = Reader(st)
        expect(not R.s.pack_entries and all(l[0][0] == 'loose' for l in R.s.where.values()), 'not all loose')
        expect(not R.s.check_all(), 'loose objects that do not check')
        vs = R.versions()
        d, v = vs[0]
        mine = self.tmp('loose-mine')
        R.restore(R.load(d, v), mine)
        theirs = self.tmp('loose-sk')
        rc, out, err = self.sk_restore(st, theirs)
        expect(rc == 0, 'restore from loose objects: exit %d %s' % (rc, err[-300:]))
        self.compare(5, mine, theirs)
        rc, out, err = self.skcmd('verify', '--store', st)
        expect(rc == 0, 'verify of the loose store: exit %d %s' % (rc, (out + err)[-300:]))
        return '%d loose objects' % len(R.s.where)

    def t_index(self):
        st = self.copy_store()
        R0 = Reader(st)
        idx = build_index(R0.s.pack_entries)
        with open(os.path.join(st, 'packs', 'index'), 'wb') as f:
            f.write(idx)
        R = Reader(st)
        expect(R.s.index_used and not R.s.pack_entries and not R.s.problems, 'the index written here is not used: %s'
               % R.s.problems)
        expect(not R.s.check_all(), 'objects through the index that do not check')
        d, v = R.versions()[0]
        mine = self.tmp('index-mine')
        R.restore(R.load(d, v), mine)
        theirs = self.tmp('index-sk')
        rc, out, err = self.sk_restore(st, theirs)
        expect(rc == 0, 'restore with packs/index: exit %d %s' % (rc, err[-300:]))
        self.compare(5, mine, theirs)
        rc, out, err = self.skcmd('verify', '--store', st)
        expect(rc == 0, 'verify with packs/index: exit %d %s' % (rc, (out + err)[-300:]))
        # a damaged index "is not used": the packs are read instead
        flip(os.path.join(st, 'packs', 'index'), len(idx) - 100)
        R = Reader(st)
        expect(not R.s.index_used and R.s.problems, 'a damaged index was used')
        theirs = self.tmp('index-bad-sk')
        rc, out, err = self.sk_restore(st, theirs)
        expect(rc == 0, 'restore with a damaged packs/index: exit %d %s' % (rc, err[-300:]))
        rc, out, err = self.skcmd('verify', '--store', st)
        note('statekeeper verify with a damaged packs/index (the packs whole): exit %d' % rc)
        return '%d entries over %d packs' % ((len(idx) - 72 - 32 * len(R0.s.pack_entries) - 1024) // 64,
                                             len(R0.s.pack_entries))

    # -- damage
    def latest_file_objects(self, R, path):
        """the objects a restore of the latest version needs for the file path: (record, chunks)"""
        d, v = R.versions()[0]
        folders, entries = R.walk_files(v['files'])
        for p, mode, size, rd in entries:
            if p == path:
                r = R.record(p, mode, size, rd)
                return rd, r
        raise Fail('no %r in the latest version' % path)

    def damaged(self, st, what, path, prefill=4, quick_sees=True):
        """this reader, statekeeper verify and statekeeper restore all refuse the latest version of st, and
        a restore writes no file that is not its version's (over a folder holding version prefill: each
        file either as it was or as the version has it)"""
        R = Reader(st)
        try:
            d, v = R.versions()[0]
            R.load(d, v)
            raise Fail('%s: this reader read the latest version' % what)
        except SpecError as e:
            mine = '%s: %s' % (type(e).__name__, str(e)[:120])
        rc, out, err = self.skcmd('verify', '--store', st)
        vrc = rc
        expect(rc != 0, '%s: statekeeper verify: exit 0' % what)
        rc, out, err = self.skcmd('verify', '--quick', '--store', st)
        # "verify [--quick]  re-hash every object, check every version reaches only objects that are there,
        # and rebuild every file of every version against its Merkle root (--quick: not that)"
        expect((rc != 0) == quick_sees, '%s: statekeeper verify --quick: exit %d' % (what, rc))
        target = self.tmp('damaged')
        os.mkdir(target)
        rc, out, err = self.sk_restore(st, target)
        expect(rc != 0, '%s: statekeeper restore into an empty folder: exit 0' % what)
        got = describe(target)
        want = self.descs[5]
        # usage: "Until all of it is written, DIR/.statekeeper-restore marks it: one a stopped restore left
        # makes capture refuse DIR and run restore it again"
        expect(MARK in got or set(got) <= {b''}, '%s: a failed restore that wrote left no %s' % (what, MARK.decode()))
        wrong = [k for k in got if k and k != MARK and got[k][0] == 'f' and got[k] != want.get(k)]
        expect(not wrong, '%s: a failed restore left files that are not the version\'s: %s' % (what, wrong[:4]))
        # "A restore checks the content it rebuilds against it before the file gets its name"
        expect(path not in got, '%s: %r was restored (%s)' % (what, path, fmt(got.get(path))))
        over = self.tmp('damaged-over')
        rc, out, err = self.sk_restore(self.store, over, prefill)
        expect(rc == 0, 'restore %d: exit %d' % (prefill, rc))
        before = describe(over)
        rc, out, err = self.sk_restore(st, over)
        expect(rc != 0, '%s: statekeeper restore over version %d: exit 0' % (what, prefill))
        after = describe(over)
        for k, a in after.items():
            if k and k != MARK and a[0] == 'f':
                expect(a == before.get(k) or a == want.get(k), '%s: restore over version %d left %r as %s' % (
                    what, prefill, k, fmt(a)))
        expect(set(after) <= set(before) | set(want) | {MARK}, '%s: stray files %r' % (what, sorted(set(after) - set(before) - set(want) - {MARK})[:3]))
        return '%s; verify exit %d' % (mine, vrc)

    def pack_loc(self, R, digest):
        for loc in R.s.where.get(digest, []):
            if loc[0] == 'pack':
                return loc
        raise Fail('object %s is not packed' % id_text(digest))

    def t_damage_pack_record(self):
        st = self.copy_store()
        R = Reader(st)
        rd, r = self.latest_file_objects(R, b'notes.txt')
        m = parse_manifest(R.s.get(r['chain'][0]['digest']), 'notes')
        chunk = m['entries'][0][1]
        _, name, off, stored, size, inner = self.pack_loc(R, chunk)
        flip(os.path.join(st, 'packs', name), off + stored // 2)
        return self.damaged(st, 'a byte of a pack record', b'notes.txt')

    def t_damage_pack_index(self):
        st = self.copy_store()
        R = Reader(st)
        rd, r = self.latest_file_objects(R, b'db/main.db')
        chunk = parse_manifest(R.s.get(r['chain'][0]['digest']), 'db')['entries'][0][1]
        _, name, off, stored, size, inner = self.pack_loc(R, chunk)
        p = os.path.join(st, 'packs', name)
        flip(p, os.path.getsize(p) - 56 - 20)   # an entry of the pack's index: SUM no longer matches
        return self.damaged(st, 'a byte of a pack\'s index', b'db/main.db')

    def t_damage_loose(self):
        st = self.copy_store(self.loose)
        R = Reader(st)
        rd, r = self.latest_file_objects(R, b'a/new.txt')
        chunk = parse_manifest(R.s.get(r['chain'][0]['digest']), 'new')['entries'][0][1]
        p = R.s.where[chunk][0][1]
        flip(p, os.path.getsize(p) // 2)
        return self.damaged(st, 'a byte of a loose object', b'a/new.txt')

    def t_damage_manifest(self):
        md = self.raw_manifest
        st = self.copy_store(self.loose)
        p = os.path.join(st, 'objects', md.hex()[:2], id_text(md))
        with open(p, 'rb') as f:
            expect(f.read(4) == b'DXCM', 'the manifest is not stored raw')
        flip(p, 30)   # in ROOT
        return self.damaged(st, 'a byte of a manifest (ROOT)', b'log/app.log')

    def t_missing(self):
        st = self.copy_store(self.loose)
        R = Reader(st)
        rd, r = self.latest_file_objects(R, b'db/moved.dat')
        last = r['chain'][-1]['digest']
        entries = R.b.manifest(last)['entries']
        os.unlink(R.s.where[entries[-1][1]][0][1])
        return self.damaged(st, 'a missing chunk', b'db/moved.dat')

    def main(self):
        t0 = time.monotonic()
        shutil.rmtree(self.work, ignore_errors=True)
        os.makedirs(self.work)
        ok = self.run('captures', self.t_captures)
        if ok:
            self.run('no-change-capture', self.t_no_change)
            ok = self.run('walk-and-check-objects', self.t_walk)
        if ok:
            for seq in range(1, 6):
                self.run('version-%d' % seq, self.t_version, seq)
            self.run('coverage', self.t_coverage)
            self.run('pack-layout', self.t_pack_layout)
            self.run('statekeeper-verify', self.t_verify)
            self.run('unchanged-keeps-ids', self.t_sharing)
            self.run('version-counters', self.t_counters)
            self.run('restore-over-a-folder', self.t_over)
            self.run('gc-keep-2', self.t_gc)
            self.run('packs-index', self.t_index)
            if self.run('loose-objects', self.t_loose):
                self.run('damaged-loose-object', self.t_damage_loose)
                self.run('missing-object', self.t_missing)
                self.run('damaged-manifest', self.t_damage_manifest)
            self.run('damaged-pack-record', self.t_damage_pack_record)
            self.run('damaged-pack-index', self.t_damage_pack_index)
            self.run('forged-record-root', self.t_forged_root)
            self.run('copy-file-and-chunk-list', self.t_copy)
        else:
            self.skipped += 1
            print('SKIP the rest: no store')
        self.flush()
        if not self.keep and not self.failed:
            shutil.rmtree(self.work, ignore_errors=True)
        elif self.failed:
            print('sk_spec_reader: the data is in %s' % self.work)
        print('sk_spec_reader: %.1f s; %d known discrepancies' % (time.monotonic() - t0, self.known))
        print('sk_spec_reader: %d passed, %d failed, %d skipped' % (self.passed, self.failed, self.skipped))
        return 1 if self.failed else 0


if __name__ == '__main__':
    args = [a for a in sys.argv[1:] if not a.startswith('-')]
    if len(args) != 1:
        print('usage: sk_spec_reader.py [-k] STATEKEEPER_BINARY', file=sys.stderr)
        sys.exit(2)
    sys.exit(Tests(args[0], keep='-k' in sys.argv).main())
