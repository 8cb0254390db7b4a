#!/usr/bin/env python3
"""tests/sync_spec_client.py SERVER_BINARY - a second dx_sync client, written
from the specifications only (dx_sync.c's top comment: WIRE FORMAT, STORE;
dx_hbtp.h, dx_teleport.h and dx_patch.h's WIRE FORMAT; dx_cas.h's BLAKE3,
FastCDC, Merkle tree and Blobs), not from the C code; then run against a real
`dx_sync serve` it starts on 127.0.0.1 over TCP.

Python 3 with the zstandard module (Debian: python3-zstandard). Reuses
tests/hbtp_spec_client.py (HBTP framing with a strict checker of every frame
the server sends, the dx_teleport reader) and tests/patch_spec_reader.py (a
dx_patch applier), both written from the same kind of specification.

What it does: publishes blobs with the real binary (versions of a random file
with edits, a real program of this machine, a crafted blob of 3,301 chunks
of about 4 KiB (7 listing frames, a listing above 128 KiB), a small and an
empty file, a shuffled and a truncated version), starts `dx_sync serve --port 0`, then from the
spec alone: HELLO, QUERY (offers checked field by field against what the
client computes itself: the ETag by FastCDC + BLAKE3 + RFC 9162 Merkle),
listings read frame by frame and checked, chunks READ pipelined and checked,
PATCH offers applied, CHUNKS offers fetching only what is lacking, compressed
READs, NOT_MODIFIED, every error the spec names (and the connection after
each), and the store's history read as STORE says.

Prints one line per test and "sync_spec_client: N passed, N failed,
N skipped" last; exits non-zero on a failure. A test in KNOWN_DISCREPANCIES
that fails prints "KNOWN DISCREPANCY" and is not counted as a failure (the
test still asserts the spec). "note:" lines are what the server does where
the spec is silent or ambiguous. Timeouts are watchdogs only (30 s).
"""
import os
import signal
import struct
import subprocess
import sys
import tempfile
import time
import hashlib
import random

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True   # no tests/__pycache__ from the imports below

try:
    import zstandard
except ImportError:
    print('SKIP sync_spec_client: the python3 zstandard module is missing (Debian: python3-zstandard)')
    sys.exit(0)

import hbtp_spec_client as hb  # noqa: E402  HBTP + dx_teleport, written from their specs
import patch_spec_reader as psr  # noqa: E402  dx_patch, written from its spec

from hbtp_spec_client import (Conn, Violation, Closed, Teleport, TeleportError, Fail, expect,  # noqa: E402
                              RPC, RPC_RESPONSE, ERROR, STREAM_END, NOT_MODIFIED,
                              END_STREAM, COMPRESSED, MORE, CAP_TIMING, BAD_REQUEST, INTERNAL,
                              UNKNOWN_METHOD, WATCHDOG)

# Tests that assert the spec where the server disagrees: printed as KNOWN
# DISCREPANCY, not failures. Where the spec is silent this client chose, and
# prints a "note:" with what the server did:
# (chunk_bytes' 0 where unknown, the listings' CRC32C, the field names and PAD, READ of
# any store object, a partly outside READ, a smaller max payload and the QUERY refusals
# were gaps the first run of this client found; the spec says them now)
# - how many bytes a client READs of a listing at a time (here up to 64 KiB)
KNOWN_DISCREPANCIES = {
}

# ---------------------------------------------------------------- dx_sync's wire (dx_sync.c WIRE FORMAT)
M_QUERY, M_READ = 1, 2
E_NO_NAME, E_NO_OBJECT, E_RANGE = 0x8001, 0x8002, 0x8003
KIND_PATCH, KIND_CHUNKS = 1, 2
INLINE_MAX = 32 * 1024  # "the patch is at most 32 KiB"
OFFER_MAX = 34 * 1024   # "an offer is then up to 34 KiB"
T_OFFER, T_LISTING, T_CHUNK = 0x5301, 0x5310, 0x5311
T_HISTORY, T_VERSION, T_PATCH = 0x5320, 0x5321, 0x5322
MAX_PAYLOAD = 128 * 1024 + 64        # "both sides offer max_payload 128 KiB + 64 in HELLO"
READ_MAX = 128 * 1024                # "u32 length (1..128 KiB)"
FRAME_CHUNKS = 512
CHUNK_MAX = 64 * 1024
MANY_UNITS = 3300

# teleport kinds
K_U8, K_U32, K_U64, K_BYTES, K_PAD, K_STR, K_REF, K_SLICE = 1, 5, 7, 11, 12, 13, 14, 15
KIND_NAMES = {1: 'U8', 5: 'U32', 7: 'U64', 11: 'BYTES', 12: 'PAD', 13: 'STR', 14: 'REF', 15: 'SLICE'}

# the layouts as the spec lists them: (name, kind, size, target). "fields in order"
LAYOUTS = {
    T_OFFER: ('sync_offer', [('kind', K_U32, 4, 0), ('versions', K_U32, 4, 0), ('root', K_BYTES, 32, 0),
                             ('size', K_U64, 8, 0), ('listing', K_BYTES, 32, 0), ('listing_size', K_U64, 8, 0),
                             ('patch_listing', K_BYTES, 32, 0), ('patch_listing_size', K_U64, 8, 0),
                             ('patch_root', K_BYTES, 32, 0), ('patch_size', K_U64, 8, 0),
                             ('chunk_bytes', K_U64, 8, 0), ('published_ns', K_U64, 8, 0), ('name', K_STR, 8, 0),
                             ('patch_inline', K_STR, 8, 0), ('listing_inline', K_STR, 8, 0)]),
    T_LISTING: ('sync_listing', [('root', K_BYTES, 32, 0), ('size', K_U64, 8, 0), ('count', K_U64, 8, 0),
                                 ('first', K_U64, 8, 0), ('chunks', K_SLICE, 8, T_CHUNK)]),
    T_CHUNK: ('sync_chunk', [('id', K_BYTES, 32, 0), ('length', K_U32, 4, 0), ('pad', K_PAD, 4, 0)]),
    T_HISTORY: ('sync_history', [('name', K_STR, 8, 0), ('published', K_U64, 8, 0),
                                 ('versions', K_SLICE, 8, T_VERSION), ('patches', K_SLICE, 8, T_PATCH)]),
    T_VERSION: ('sync_version', [('root', K_BYTES, 32, 0), ('listing', K_BYTES, 32, 0),
                                 ('manifest', K_BYTES, 32, 0), ('size', K_U64, 8, 0),
                                 ('listing_size', K_U64, 8, 0), ('published_ns', K_U64, 8, 0),
                                 ('zmap', K_BYTES, 32, 0), ('zmap_size', K_U64, 8, 0)]),
    T_PATCH: ('sync_patch', [('from_root', K_BYTES, 32, 0), ('listing', K_BYTES, 32, 0),
                             ('patch_root', K_BYTES, 32, 0), ('patch_size', K_U64, 8, 0),
                             ('listing_size', K_U64, 8, 0), ('chunk_bytes', K_U64, 8, 0),
                             ('mode', K_U32, 4, 0), ('pad', K_PAD, 4, 0)]),
}


def query_flags(flags, root):
    """the flags byte a QUERY carries: as given, else 1 where a root is held"""
    if flags is None:
        flags = 1 if root is not None else 0
    return flags


def query_body(name, root=None, version=2, flags=None, byte3=0, n=None, root_bytes=None):
    """QUERY: 0 u8 version, 1 u8 flags (1 = root follows, 2 = a patch or listing inline taken,
    4 = the offer taken compressed), 2 u8 n, 3 u8 0, 4 root[32], 36 name"""
    if isinstance(name, str):
        name = name.encode()
    flags = query_flags(flags, root)
    if root_bytes is None:
        root_bytes = root if root is not None else bytes(32)
    return struct.pack('<BBBB', version, flags, len(name) if n is None else n, byte3) + root_bytes + name


def read_body(digest, offset, length, flags=None):
    """READ: 0 digest[32], 32 u64 offset, 40 u32 length, 44 u8 flags (optional)"""
    b = digest + struct.pack('<QI', offset, length)
    return b if flags is None else b + bytes([flags])


# ---------------------------------------------------------------- BLAKE3 (the public BLAKE3 specification)
B3_IV = (0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19)
B3_PERM = (2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8)
CHUNK_START, CHUNK_END, PARENT, ROOT = 1, 2, 4, 8


def _b3_compress_source():
    """the compression function with its 7 rounds unrolled (the message
    permutation applied to the indices at generation time): pure Python is
    slow, this is about 3 times faster than a loop over G"""
    order = list(range(16))
    lines = ['def b3_compress(cv, m, counter, blen, flags):',
             '    s0, s1, s2, s3, s4, s5, s6, s7 = cv',
             '    s8, s9, s10, s11 = 0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A',
             '    s12 = counter & 0xffffffff; s13 = counter >> 32; s14 = blen; s15 = flags',
             '    m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15 = m']
    gs = [(0, 4, 8, 12), (1, 5, 9, 13), (2, 6, 10, 14), (3, 7, 11, 15),
          (0, 5, 10, 15), (1, 6, 11, 12), (2, 7, 8, 13), (3, 4, 9, 14)]
    for _ in range(7):
        for g, (a, b, c, d) in enumerate(gs):
            x, y = 'm%d' % order[2 * g], 'm%d' % order[2 * g + 1]
            a, b, c, d = 's%d' % a, 's%d' % b, 's%d' % c, 's%d' % d
            lines += ['    %s = (%s + %s + %s) & 0xffffffff' % (a, a, b, x),
                      '    t = %s ^ %s; %s = ((t >> 16) | (t << 16)) & 0xffffffff' % (d, a, d),
                      '    %s = (%s + %s) & 0xffffffff' % (c, c, d),
                      '    t = %s ^ %s; %s = ((t >> 12) | (t << 20)) & 0xffffffff' % (b, c, b),
                      '    %s = (%s + %s + %s) & 0xffffffff' % (a, a, b, y),
                      '    t = %s ^ %s; %s = ((t >> 8) | (t << 24)) & 0xffffffff' % (d, a, d),
                      '    %s = (%s + %s) & 0xffffffff' % (c, c, d),
                      '    t = %s ^ %s; %s = ((t >> 7) | (t << 25)) & 0xffffffff' % (b, c, b)]
        order = [order[B3_PERM[i]] for i in range(16)]
    lines.append('    return (s0 ^ s8, s1 ^ s9, s2 ^ s10, s3 ^ s11, s4 ^ s12, s5 ^ s13, s6 ^ s14, s7 ^ s15)')
    return '\n'.join(lines)


_ns = {}
exec(_b3_compress_source(), _ns)
b3_compress = _ns['b3_compress']
_W16, _W8 = struct.Struct('<16I'), struct.Struct('<8I')


def _b3_chunk_cv(data, off, end, counter, extra):
    """the chaining value of the chunk data[off:end] (0..1024 bytes; 0 only for the empty input)"""
    cv = B3_IV
    n = end - off
    blocks = max(1, (n + 63) // 64)
    for k in range(blocks):
        blk = data[off + 64 * k:min(end, off + 64 * k + 64)]
        blen = len(blk)
        if blen < 64:
            blk = bytes(blk) + bytes(64 - blen)
        f = (CHUNK_START if k == 0 else 0) | ((CHUNK_END | extra) if k == blocks - 1 else 0)
        cv = b3_compress(cv, _W16.unpack_from(blk), counter, blen, f)
    return cv


def blake3(data):
    """BLAKE3, 32 bytes, no key"""
    n = len(data)
    if n <= 1024:
        return _W8.pack(*_b3_chunk_cv(data, 0, n, 0, ROOT))
    nchunks = (n + 1023) // 1024
    stack = []
    for i in range(nchunks - 1):
        cv = _b3_chunk_cv(data, 1024 * i, 1024 * i + 1024, i, 0)
        total = i + 1
        while total & 1 == 0:           # merge the completed subtrees
            cv = b3_compress(B3_IV, stack.pop() + cv, 0, 64, PARENT)
            total >>= 1
        stack.append(cv)
    cv = _b3_chunk_cv(data, 1024 * (nchunks - 1), n, nchunks - 1, 0)
    while len(stack) > 1:
        cv = b3_compress(B3_IV, stack.pop() + cv, 0, 64, PARENT)
    return _W8.pack(*b3_compress(B3_IV, stack.pop() + cv, 0, 64, PARENT | ROOT))


_ids = {}


def chunk_id(data):
    """BLAKE3 of a chunk, remembered by its bytes (the same bytes: the same digest)"""
    data = bytes(data)
    d = _ids.get(data)
    if d is None:
        d = _ids[data] = blake3(data)
    return d


# official BLAKE3 test vectors (input: bytes i % 251), the first 32 bytes of the hash
B3_VECTORS = [(0, 'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262'),
              (1, '2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213'),
              (1023, '10108970eeda3eb932baac1428c7a2163b0e924c9a9e25b35bba72b28f70bd11'),
              (1024, '42214739f095a406f3fc83deb889744ac00df831c10daa55189b5d121c855af7'),
              (1025, 'd00278ae47eb27b34faecf67b4fe263f82d5412916c1ffd97c8cb7fb814b8444'),
              (2048, 'e776b6028c7cd22a4d0ba182a8bf62205d2ef576467e838ed6f2529b85fba24a'),
              (3072, 'b98cb0ff3623be03326b373de6b9095218513e64f1ee2edd2525c7ad1e5cffd2'),
              (102400, 'bc3e3d41a1146b069abffad3c0d44860cf664390afce4d9661f7902e7943e085')]


# ---------------------------------------------------------------- FastCDC (dx_cas.h WIRE FORMAT)
M64 = (1 << 64) - 1
GEAR = [int.from_bytes(hashlib.md5(bytes([i]) * 64).digest()[:8], 'big') for i in range(256)]
MASKS = {5: 0x0000000001804110, 6: 0x0000000001803110, 7: 0x0000000018035100, 8: 0x0000001800035300,
         9: 0x0000019000353000, 10: 0x0000590003530000, 11: 0x0000d90003530000, 12: 0x0000d90103530000,
         13: 0x0000d90303530000, 14: 0x0000d90313530000, 15: 0x0000d90f03530000, 16: 0x0000d90303537000,
         17: 0x0000d90703537000, 18: 0x0000d90707537000, 19: 0x0000d91707537000, 20: 0x0000d91747537000,
         21: 0x0000d91767537000, 22: 0x0000d93767537000, 23: 0x0000d93777537000, 24: 0x0000d93777577000,
         25: 0x0000db3777577000}
# dx_sync: "min 4 KiB, average 16 KiB, max 64 KiB, normalization 1"; seed 0
CDC_MIN, CDC_AVG, CDC_MAX, CDC_LEVEL = 4096, 16384, 65536, 1
CDC_BITS = 14                                                  # round(log2(16384))
CDC_MS, CDC_ML = MASKS[CDC_BITS + CDC_LEVEL], MASKS[CDC_BITS - CDC_LEVEL]
GEAR_LS = [(g << 1) & M64 for g in GEAR]


def cdc_cut(src, start, n):
    """the length of the chunk at src[start:], n bytes left in the stream"""
    if n <= CDC_MIN:
        return n
    end = min(n, CDC_MAX)
    center = min(CDC_AVG, end)
    h = 0
    i = CDC_MIN // 2
    g, gls = GEAR, GEAR_LS
    for mask, stop in ((CDC_MS, center // 2), (CDC_ML, end // 2)):
        mask_ls = mask << 1
        while i < stop:
            a = start + 2 * i
            h = ((h << 2) + gls[src[a]]) & M64
            if not h & mask_ls:
                return 2 * i
            h = (h + g[src[a + 1]]) & M64
            if not h & mask:
                return 2 * i + 1
            i += 1
    return end


def cdc_chunks(data):
    """[(offset, length)] of FastCDC's chunks"""
    out, pos, n = [], 0, len(data)
    while pos < n:
        ln = cdc_cut(data, pos, n - pos)
        out.append((pos, ln))
        pos += ln
    return out


# ---------------------------------------------------------------- Merkle tree (RFC 9162 with BLAKE3)
def chunk_leaf(digest):
    """dx_cas_chunk_leaf: H(0x00 || digest)"""
    return blake3(b'\0' + digest)


def mth(leaves):
    """RFC 9162 MTH: n = 0: H(); a level with an odd count carries its last node up"""
    if not leaves:
        return blake3(b'')
    level = list(leaves)
    while len(level) > 1:
        nxt = [blake3(b'\1' + level[i] + level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) & 1:
            nxt.append(level[-1])
        level = nxt
    return level[0]


_leaves = {}


def merkle_root(ids):
    leaves = []
    for d in ids:
        lf = _leaves.get(d)
        if lf is None:
            lf = _leaves[d] = chunk_leaf(d)
        leaves.append(lf)
    return mth(leaves)


class Blob:
    """a file the client holds: its bytes, FastCDC chunks, their ids and the ETag"""

    def __init__(self, data):
        self.data = bytes(data)
        self.chunks = [(off, ln, chunk_id(self.data[off:off + ln])) for off, ln in cdc_chunks(self.data)]
        self.root = merkle_root([c[2] for c in self.chunks])
        self.by_id = {c[2]: (c[0], c[1]) for c in self.chunks}

    def chunk(self, d):
        off, ln = self.by_id[d]
        return self.data[off:off + ln]


# ---------------------------------------------------------------- dx_teleport layouts
def check_layout(tp, tid, where, notes):
    """the type tid in the buffer has the spec's fields in order (kind, size,
    target); field names compared with the spec's words (a note where they
    differ: the spec gives no names for some)"""
    name, want = LAYOUTS[tid]
    t = tp.types.get(tid)
    expect(t is not None, '%s: no type 0x%x in the buffer' % (where, tid))
    got = t['fields']
    expect(len(got) == len(want), '%s: type 0x%x has %d fields %r, the spec lists %d' % (
        where, tid, len(got), [f[0] for f in got], len(want)))
    for (fname, kind, foff, fsize, target), (wname, wkind, wsize, wtarget) in zip(got, want):
        if wname is None and wkind == K_U32 and kind == K_PAD and fsize == 4:
            notes.append('%s: the spec\'s "u32 0" of type 0x%x is a PAD field (kind 12, %r) on the wire, not '
                         'a U32' % (where, tid, fname))
            continue
        expect(kind == wkind and fsize == wsize and target == wtarget,
               '%s: field %s of type 0x%x is %s size %d target 0x%x, the spec says %s size %d target 0x%x' % (
                   where, fname, tid, KIND_NAMES.get(kind, kind), fsize, target, KIND_NAMES.get(wkind), wsize, wtarget))
        # "Field names are those of the layouts a teleport buffer carries"
        expect(fname == wname, '%s: field %r of 0x%x named %r on the wire' % (where, wname, tid, fname))
    if t['name'] != name:
        notes.append('%s: type 0x%x named %r on the wire, %r in the spec' % (where, tid, t['name'], name))
    return [f[0] for f in got]


def as_int(v):
    """a "u32 0" field's value: a U32, or a PAD's bytes"""
    return int.from_bytes(bytes(v), 'little') if isinstance(v, (bytes, bytearray, memoryview)) else v


def read_fields(tp, tid, loc):
    """the element's values in field order (names are not relied on)"""
    vals = tp.read(tid, loc)
    return [vals[f[0]] for f in tp.types[tid]['fields']]


def slice_elems(tp, tid, sl):
    """the elements of a SLICE {offset, count} of type tid"""
    off, count = sl
    if count == 0:
        return []
    loc = tp.resolve(off, tid)
    expect(loc is not None, 'slice not resolvable')
    return [read_fields(tp, tid, (loc[0], loc[1] + k)) for k in range(count)]


# ---------------------------------------------------------------- the server under test
class Server(hb.Process):
    """dx_sync serve on 127.0.0.1, --port 0"""

    def __init__(self, binary, store, *args):
        hb.Process.__init__(self, [binary, 'serve', '--store', store, '--port', '0'] + list(args), 'dx_sync serve')


class Known(Exception):
    pass


# ---------------------------------------------------------------- a dx_sync client
class Offer(dict):
    pass


def check_zstd(payload, want):
    """one zstd frame (RFC 8878) whose content is exactly want bytes long: its content"""
    payload = bytes(payload)
    expect(len(payload) >= 4 and payload[:4] == b'\x28\xb5\x2f\xfd',
           'a COMPRESSED answer that is not a zstd frame: %s' % payload[:16].hex(' '))
    d = zstandard.ZstdDecompressor().decompressobj()
    try:
        out = d.decompress(payload)
    except zstandard.ZstdError as e:
        raise Fail('a COMPRESSED answer that does not decode: %s' % e)
    expect(d.eof, 'a COMPRESSED answer whose zstd frame does not end')
    expect(not d.unused_data, 'a COMPRESSED answer with %d bytes after its zstd frame' % len(d.unused_data))
    if want is not None:
        expect(len(out) == want, 'a COMPRESSED answer of %d bytes of content, %d asked' % (len(out), want))
    return out


class Client:
    """one connection to dx_sync serve, speaking WIRE FORMAT version 2"""

    def __init__(self, port, notes, max_payload=MAX_PAYLOAD, caps=0, max_inflight=0):
        self.c = Conn(port)
        self.notes = notes
        self.ack = self.c.hello(caps=caps, max_payload=max_payload, max_inflight=max_inflight)
        expect(self.c.acked, 'no HELLO|ACK: %r' % (self.ack,))
        self.wire = 0        # payload bytes of READ answers

    def close(self):
        self.c.close()

    def rpc(self, method, body):
        return self.c.rpc(method, body)

    def alive(self):
        """the connection still works: a PING, then a QUERY of a name that is not there"""
        self.c.ping(b'alive?')
        f = self.rpc(M_QUERY, query_body('no-such-name'))
        expect_error(f, E_NO_NAME)

    # ---- QUERY
    def query(self, name, root=None, **kw):
        f = self.rpc(M_QUERY, query_body(name, root, **kw))
        if f.opcode == RPC_RESPONSE:
            method, body = f.rpc()
            expect(method == M_QUERY, 'an offer with method id %d' % method)
            flags = query_flags(kw.get('flags'), root)
            expect(not f.flags & MORE, 'an offer with flags 0x%02x' % f.flags)
            if f.flags & COMPRESSED:
                # "Where the QUERY had flag 4 the server may set the answer's flag COMPRESSED (0x02):
                # the body after the method id is then one zstd frame whose content is the offer"
                expect(flags & 4, 'a COMPRESSED offer to a QUERY without flag 4 (flags 0x%x)' % flags)
                body = check_zstd(body, None)
                expect(len(body) <= OFFER_MAX, 'a compressed offer of %d bytes ("at most 34 KiB")' % len(body))
                o = self.parse_offer(body)
                o['wire'] = len(f.payload)
                return o
            return self.parse_offer(body)
        if f.opcode == NOT_MODIFIED:
            return ('NOT_MODIFIED', bytes(f.payload))
        return f

    def parse_offer(self, body):
        try:
            tp = Teleport(body)
        except TeleportError as e:
            raise Fail('the offer is not a dx_teleport buffer: %s (%d bytes: %s)' % (e, len(body), body[:96].hex()))
        flags, total = struct.unpack_from('<II', body, 8)[0], struct.unpack_from('<I', body, 16)[0]
        expect(flags & 1, 'the offer has no CRC32C (FLAGS 0x%x): "a dx_teleport buffer (with its CRC32C)"' % flags)
        if total != len(body):
            self.notes.append('an offer of %d bytes whose TOTAL_SIZE is %d' % (len(body), total))
        expect(tp.root is not None and tp.root_type == T_OFFER,
               'the offer\'s root object is not a sync_offer (ROOT_TYPE 0x%x)' % getattr(tp, 'root_type', 0))
        check_layout(tp, T_OFFER, 'sync_offer', self.notes)
        vals = read_fields(tp, T_OFFER, tp.root)
        o = Offer(zip([f[0] for f in LAYOUTS[T_OFFER][1]], vals))
        o['bytes'] = len(body)
        for k in ('root', 'listing', 'patch_listing', 'patch_root'):
            o[k] = bytes(o[k])
        raw = tp.read(T_OFFER, tp.root)  # "teleport strings hold any bytes"
        o['patch_inline'], o['listing_inline'] = raw['patch_inline@bytes'], raw['listing_inline@bytes']
        expect(o['kind'] in (KIND_PATCH, KIND_CHUNKS), 'offer kind %d' % o['kind'])
        if o['kind'] == KIND_CHUNKS:
            expect(o['patch_listing'] == bytes(32) and o['patch_root'] == bytes(32) and
                   o['patch_size'] == 0 and o['patch_listing_size'] == 0,
                   'a CHUNKS offer with patch fields (the spec: "zeros for CHUNKS"): %r' % o)
        pi = o['patch_inline']
        expect(not pi or (o['kind'] == KIND_PATCH and len(pi) == o['patch_size'] and len(pi) <= INLINE_MAX),
               'patch_inline of %d B in a %s offer of patch_size %d ("the patch\'s bytes, all patch_size of them, or '
               'empty"; "at most 32 KiB")' % (len(pi), 'PATCH' if o['kind'] == KIND_PATCH else 'CHUNKS', o['patch_size']))
        li = o['listing_inline']
        expect(not li or (o['kind'] == KIND_CHUNKS and len(li) == o['listing_size'] and len(li) <= INLINE_MAX),
               'listing_inline of %d B in a %s offer of listing_size %d ("CHUNKS: the listing\'s bytes, all '
               'listing_size of them, or empty")' % (len(li), 'PATCH' if o['kind'] == KIND_PATCH else 'CHUNKS',
                                                     o['listing_size']))
        return o

    # ---- READ
    def read(self, digest, offset, length, flags=None):
        return self.rpc(M_READ, read_body(digest, offset, length, flags))

    def answer_bytes(self, f, length, asked_compressed, what):
        """a READ answer's content, checked: STREAM_END with END_STREAM; COMPRESSED only when asked"""
        expect(f.opcode == STREAM_END and f.flags & END_STREAM,
               '%s: the answer is %r, not STREAM_END with END_STREAM' % (what, f))
        self.wire += len(f.payload)
        if f.flags & COMPRESSED:
            expect(asked_compressed, '%s: a COMPRESSED answer to a READ without flag 1' % what)
            out = check_zstd(f.payload, length)
            expect(len(f.payload) < length, '%s: a compressed answer of %d bytes for %d (the server compresses '
                   '"where that saves bytes")' % (what, len(f.payload), length))
            return out, True
        expect(len(f.payload) == length, '%s: %d bytes, %d asked' % (what, len(f.payload), length))
        return bytes(f.payload), False

    def read_many(self, items, flags=None):
        """READs of (digest, offset, length), pipelined up to the max in flight: [(bytes, compressed)]"""
        reqs = self.c.pipeline([(M_READ, read_body(d, o, n, flags)) for d, o, n in items])
        return [self.answer_bytes(r.final, n, flags == 1, 'READ %s+%d/%d' % (d.hex()[:12], o, n))
                for r, (d, o, n) in zip(reqs, items)]

    # ---- listings
    def read_listing(self, digest, lsize, root, size, frames_out=None, inline=None):
        """a listing read frame by frame (READ at growing offsets, at most 64 KiB at
        a time; or all of it from an offer, inline) and checked as the spec says:
        [(id, length)] in order"""
        expect(lsize >= 80, 'a listing of %d bytes (a frame is at least 80)' % lsize)
        held = bytearray(inline or b'')  # bytes read, not yet taken as frames
        fetched = len(held)         # listing bytes read so far
        pos = 0                     # the offset of held[0]
        whole = bytearray(held)
        entries, first_expected, count = [], 0, None
        while True:
            total = struct.unpack_from('<I', held, 16)[0] if len(held) >= 20 else None
            if total is None or len(held) < total:
                expect(fetched < lsize, 'the listing ends inside a frame (at %d of %d)' % (fetched, lsize))
                n = min(CHUNK_MAX, lsize - fetched)
                f = self.read(digest, fetched, n)
                data, _ = self.answer_bytes(f, n, False, 'listing READ at %d' % fetched)
                held += data
                whole += data
                fetched += n
                continue
            expect(80 <= total <= 65536, 'a listing frame at %d with TOTAL_SIZE %d (80..64 KiB)' % (pos, total))
            frame = bytes(held[:total])
            del held[:total]
            try:
                tp = Teleport(frame)
            except TeleportError as e:
                raise Fail('the listing frame at %d is not a dx_teleport buffer: %s' % (pos, e))
            if frames_out is not None:
                frames_out.append((pos, total, struct.unpack_from('<I', frame, 8)[0]))
            expect(tp.root is not None and tp.root_type == T_LISTING,
                   'the frame at %d: its root is not a sync_listing' % pos)
            check_layout(tp, T_LISTING, 'sync_listing', self.notes)
            f_root, f_size, f_count, f_first, f_slice = read_fields(tp, T_LISTING, tp.root)
            if f_count:
                check_layout(tp, T_CHUNK, 'sync_chunk', self.notes)
            expect(bytes(f_root) == root, 'the frame at %d names root %s, the offer %s' % (
                pos, bytes(f_root).hex()[:16], root.hex()[:16]))
            expect(f_size == size, 'the frame at %d: size %d, the offer %d' % (pos, f_size, size))
            if count is None:
                count = f_count
            expect(f_count == count, 'the frame at %d: count %d, the first frame said %d' % (pos, f_count, count))
            expect(f_first == first_expected, 'the frame at %d: first %d, %d expected' % (pos, f_first, first_expected))
            elems = slice_elems(tp, T_CHUNK, f_slice)
            last = f_first + len(elems) >= count
            if last:
                expect(f_first + len(elems) == count, 'the frame at %d holds %d chunks past count %d' % (
                    pos, len(elems), count))
                expect(1 <= len(elems) <= FRAME_CHUNKS or (count == 0 and not elems),
                       'the last frame holds %d chunks' % len(elems))
            else:
                expect(len(elems) == FRAME_CHUNKS, 'a frame at %d (first %d) of %d chunks that is not the last' % (
                    pos, f_first, len(elems)))
            for cid, ln, zero in elems:
                expect(1 <= ln <= CHUNK_MAX, 'a chunk of length %d' % ln)
                expect(as_int(zero) == 0, 'sync_chunk\'s u32 0 is %r' % zero)
                entries.append((bytes(cid), ln))
            pos += total
            first_expected += len(elems)
            if last:
                break
        expect(not held and fetched == pos == lsize,
               'bytes after the last frame: the frames end at %d, the listing is %d bytes' % (pos, lsize))
        expect(sum(ln for _, ln in entries) == size, 'the lengths add up to %d, size %d' % (
            sum(ln for _, ln in entries), size))
        expect(merkle_root([d for d, _ in entries]) == root, 'the Merkle root of the ids is not the root')
        expect(blake3(bytes(whole)) == digest, 'the BLAKE3 of the listing\'s bytes is not its digest')
        return entries

    def fetch(self, entries, have=None, flags=None, stats=None):
        """the blob the listing entries make: chunks from have (id -> bytes) or READ
        (each distinct id once, pipelined), each checked against its id"""
        have = dict(have or {})
        want, seen = [], set()
        for d, ln in entries:
            if d not in have and d not in seen:
                seen.add(d)
                want.append((d, 0, ln))
        answers = self.read_many(want, flags)
        compressed = 0
        for (d, _, ln), (data, z) in zip(want, answers):
            expect(chunk_id(data) == d, 'a chunk whose BLAKE3 is not its id %s' % d.hex()[:16])
            have[d] = data
            compressed += z
        if stats is not None:
            stats.update(reads=len(want), read_bytes=sum(w[2] for w in want), compressed=compressed)
        out = b''.join(have[d] for d, _ in entries)
        return out


def expect_error(f, code):
    expect(f.opcode == ERROR, 'wanted ERROR 0x%x, got %r' % (code, f))
    expect(f.error_code() == code, 'ERROR 0x%x (%r), wanted 0x%x' % (f.error_code(), bytes(f.payload[4:]), code))


# ---------------------------------------------------------------- test data
def rbytes(rng, n):
    return rng.randbytes(n)


def crafted_tail(rng):
    """bytes R such that a chunk whose bytes from offset 4096 on are R cuts
    within R (the cut depends only on the bytes hashed from min on): the
    chunk's length L and R[:L - 4096 + 1] (the byte at L is the next chunk's
    first, hashed by the cut)"""
    filler = bytes(4096)
    while True:
        r = rbytes(rng, 64)
        buf = filler + r + bytes(CDC_MAX)      # as if the stream went on
        ln = cdc_cut(buf, 0, len(buf))
        if ln < 4096 + len(r) - 1:
            return ln, r[:ln - 4096 + 1]


def make_many(rng, units, distinct):
    """a blob of units + 1 chunks of about 4 KiB (the crafted cut), fillers
    cycling among `distinct` contents, then a short last chunk"""
    ln, tail = crafted_tail(rng)
    p, body = tail[-1:], tail[:-1]
    fillers = [rbytes(rng, 4095) for _ in range(distinct)]
    parts = [p + fillers[k % distinct] + body for k in range(units)]
    parts.append(p + rbytes(rng, 99))
    return b''.join(parts), ln


def edit(data, rng, overwrite=(), insert=(), delete=()):
    b = bytearray(data)
    for at, n in overwrite:
        b[at:at + n] = rbytes(rng, n)
    for at, n in sorted(insert, reverse=True):
        b[at:at] = rbytes(rng, n)
    for at, n in sorted(delete, reverse=True):
        del b[at:at + n]
    return bytes(b)


def pick_binary():
    """a real program of this machine, 0.8 to 1.6 MB (the first by name)"""
    for d in ('/usr/bin', '/bin', '/usr/sbin', '/usr/lib/x86_64-linux-gnu'):
        try:
            names = sorted(os.listdir(d))
        except OSError:
            continue
        for n in names:
            p = os.path.join(d, n)
            try:
                if os.path.isfile(p) and not os.path.islink(p) and 800000 <= os.path.getsize(p) <= 1600000:
                    with open(p, 'rb') as f:
                        data = f.read()
                    if data[:4] == b'\x7fELF':
                        return p, data
            except OSError:
                continue
    return None, None


# ---------------------------------------------------------------- tests
class Tests:
    def __init__(self, binary, verbose=False):
        self.binary = binary
        self.verbose = verbose
        self.passed = self.failed = self.skipped = self.known = 0
        self.notes = []
        self.printed_notes = set()
        self.server = None
        self.clients = []
        self.blobs = {}          # name -> [Blob] (every version published, oldest first)
        self.published = {}      # name -> [(ns before, ns after)] of each publish
        self.offers = {}         # name -> the offer to a client without a version
        self.cb_cases, self.cb_cases_nopatch = [], []

    def note(self, text):
        self.notes.append(text)

    def flush_notes(self):
        for n in self.notes:
            if n not in self.printed_notes:
                self.printed_notes.add(n)
                print('note: ' + n)
        self.notes = []

    def skip(self, what, why):
        self.skipped += 1
        print('SKIP %s: %s' % (what, why))

    def run(self, name, fn, *args):
        t0 = time.monotonic()
        try:
            detail = fn(*args)
        except (Fail, Violation, Closed, TimeoutError, TeleportError, OSError, psr.PatchError) as e:
            if name in KNOWN_DISCREPANCIES:
                self.known += 1
                print('KNOWN DISCREPANCY %s: %s: %s [%s]' % (name, type(e).__name__, e, KNOWN_DISCREPANCIES[name]))
            else:
                self.failed += 1
                print('FAIL %s: %s: %s' % (name, type(e).__name__, e))
            self.flush_notes()
            return False
        self.passed += 1
        extra = ' (listed as a known discrepancy: no longer seen)' if name in KNOWN_DISCREPANCIES else ''
        print('ok   %s (%.2f s)%s%s' % (name, time.monotonic() - t0, ': ' + detail if detail else '', extra))
        self.flush_notes()
        return True

    def client(self, **kw):
        c = Client(self.server.port, self.notes, **kw)
        self.clients.append(c)
        return c

    def newest(self, name):
        return self.blobs[name][-1]

    # ---- set up
    def publish(self, store, name, data, *opts):
        path = os.path.join(self.dir, 'in-%s-%d' % (name, len(self.blobs.get(name, []))))
        with open(path, 'wb') as f:
            f.write(data)
        t0 = time.time_ns()
        r = subprocess.run([self.binary, 'publish', '--store', store] + list(opts) + [name, path],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=WATCHDOG)
        t1 = time.time_ns()
        expect(r.returncode == 0, 'publish %s: exit %d: %s' % (name, r.returncode, r.stderr.decode()[-500:]))
        self.blobs.setdefault(name, []).append(Blob(data))
        self.published.setdefault(name, []).append((t0, t1))
        out = r.stdout.decode()
        want = self.blobs[name][-1].root.hex()[:16]
        expect(want in out, 'publish %s says %r; the ETag computed here is %s...' % (name, out.strip(), want))
        return out.strip()

    def t_setup(self):
        rng = random.Random(20261128)
        self.store = os.path.join(self.dir, 'store')
        v1 = rbytes(rng, 1200000)
        v2 = edit(v1, rng, overwrite=[(300000, 100)], insert=[(600000, 3000)], delete=[(900000, 2000)])
        v3 = edit(v2, rng, overwrite=[(100000, 50)], insert=[(1000000, 500)])
        self.publish(self.store, 'app', v1)
        self.publish(self.store, 'app', v2)
        # --patches 1: a patch from v2 only, so a client holding v1 gets CHUNKS
        self.publish(self.store, 'app', v3, '--patches', '1')
        path, prog = pick_binary()
        if prog is None:
            self.note('no program of 0.8-1.6 MB found: "bin" is a made-up compressible blob')
            prog = b''.join(b'line %d of a compressible blob\n' % i for i in range(40000))
        self.binpath = path
        b1 = edit(prog, rng, overwrite=[(len(prog) // 3, 64)], insert=[(len(prog) // 2, 200)])
        self.publish(self.store, 'bin', b1)
        self.publish(self.store, 'bin', prog)
        self.publish(self.store, 'small', b''.join(b'small file line %d\n' % i for i in range(50)))
        self.publish(self.store, 'empty', b'')
        # 3,301 chunks: 7 listing frames (6 x 512 + 229), a listing above 128 KiB
        many, cut = make_many(rng, MANY_UNITS, 40)
        self.publish(self.store, 'many', many)
        nm = len(self.newest('many').chunks)
        expect(nm == MANY_UNITS + 1, 'the crafted blob cut into %d chunks here, %d meant' % (nm, MANY_UNITS + 1))
        # "swap": v1 = app's v1, v2 = its blocks of 150 kB shuffled: few chunks lacking, a patch maybe dearer
        order = [3, 7, 0, 5, 2, 6, 1, 4]
        self.publish(self.store, 'swap', v1)
        self.publish(self.store, 'swap', b''.join(v1[150000 * k:150000 * (k + 1)] for k in order))
        # "trunc": v2 = v1 cut at a chunk boundary: the client holding v1 lacks no chunk at all
        self.publish(self.store, 'trunc', v1)
        self.publish(self.store, 'trunc', v1[:self.blobs['app'][0].chunks[30][0]])
        # "text": 60 kB of new lines, which compress: a patch with zstd frames (the others' are plain)
        t1 = b''.join(b'%06d: the quick brown fox %d jumps over %x lazy dogs\n' % (i, i * 7, i * 13) for i in range(8000))
        self.publish(self.store, 'text', t1)
        self.publish(self.store, 'text', t1[:200000] + b''.join(b'new line %d of %x words\n' % (i, i * i) for i in range(2500)) +
                     t1[200000:])
        self.server = Server(self.binary, self.store, '--workers', '2')
        return 'app 3 versions (%d B), bin 2 (%s, %d B), small, empty, many (%d chunks of %d B); %s' % (
            len(v3), path, len(prog), nm, cut, self.server.first_line.strip())

    # ---- self checks of the spec-made parts
    def t_blake3(self):
        for n, want in B3_VECTORS:
            got = blake3(bytes(i % 251 for i in range(n))).hex()
            expect(got == want, 'BLAKE3 of %d bytes: %s, the official vector %s' % (n, got, want))
        expect(blake3(b'abc').hex() == '6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85', 'abc')
        return '%d official vectors and "abc"' % len(B3_VECTORS)

    def t_gear(self):
        table = b''.join(g.to_bytes(8, 'big') for g in GEAR)
        expect(hashlib.sha256(table).hexdigest() == '9df0a720752a7d211fdebaf39bed01610983756fc340a1cfef41052b7356ae73',
               'the gear table\'s SHA-256')
        expect(GEAR[0] == 0x3b5d3c7d207e37dc and GEAR[1] == 0x784d68ba91123086 and
               GEAR[2] == 0xcd52880f882e7298 and GEAR[255] == 0xaabd2b2a451504e1, 'GEAR[0,1,2,255]')
        for b, m in MASKS.items():
            expect(bin(m).count('1') == b, 'MASK[%d] has %d bits' % (b, bin(m).count('1')))
        return 'GEAR from MD5 as specified, masks MS 0x%x ML 0x%x' % (CDC_MS, CDC_ML)

    # ---- HELLO
    def t_hello(self):
        c = self.client()
        caps, maxp, maxf, minor = c.ack
        expect(maxp == MAX_PAYLOAD, 'HELLO|ACK max payload %d to an offer of %d (both sides offer 128 KiB + 64)'
               % (maxp, MAX_PAYLOAD))
        self.maxf = maxf
        c2 = self.client(max_payload=0, caps=CAP_TIMING)
        expect(c2.ack[1] == MAX_PAYLOAD, 'the server\'s own max payload (a client offering 0) is %d, not %d' % (
            c2.ack[1], MAX_PAYLOAD))
        c2.alive()
        return 'max payload %d, max in flight %d, capabilities 0x%x (to TIMING: 0x%x)' % (maxp, maxf, caps, c2.ack[0])

    # ---- a client without a version: the whole blob
    def check_offer_newest(self, o, name, versions=None):
        b = self.newest(name)
        expect(o['root'] == b.root, 'the offer\'s root %s is not the ETag computed here %s' % (
            o['root'].hex()[:16], b.root.hex()[:16]))
        expect(o['size'] == len(b.data), 'the offer\'s size %d, the file %d' % (o['size'], len(b.data)))
        expect(o['name'] == name, 'the offer\'s name %r' % o['name'])
        n = len(self.blobs[name]) if versions is None else versions
        expect(o['versions'] == n, 'the offer says %d versions, %d were published' % (o['versions'], n))
        t0, t1 = self.published[name][-1]
        expect(t0 <= o['published_ns'] <= t1, 'published_ns %d is not within the publish (%d..%d)' % (
            o['published_ns'], t0, t1))

    def t_new(self, name, flags=None):
        c = self.client()
        o = c.query(name)
        expect(isinstance(o, Offer), 'QUERY %s without a version: %r' % (name, o))
        expect(o['kind'] == KIND_CHUNKS, 'a CHUNKS offer to a client without a version, kind %d' % o['kind'])
        self.check_offer_newest(o, name)
        b = self.newest(name)
        distinct = {}
        for _, ln, d in b.chunks:
            distinct[d] = ln
        # "0 where the server does not know it: no version named"
        expect(o['chunk_bytes'] == 0, 'QUERY %s without a version: chunk_bytes %d, 0 expected' % (name, o['chunk_bytes']))
        self.offers[name] = o
        frames = []
        entries = c.read_listing(o['listing'], o['listing_size'], o['root'], o['size'], frames)
        expect([(d, ln) for _, ln, d in b.chunks] == entries, 'the listing is not the chunks computed here')
        stats = {}
        data = c.fetch(entries, flags=flags, stats=stats)
        expect(data == b.data, 'the blob fetched differs from the file published')
        expect(merkle_root([d for d, _ in entries]) == o['root'], 'root')
        crc = sorted(set(fl & 1 for _, _, fl in frames))
        self.frame_crc = getattr(self, 'frame_crc', set()) | set(crc)
        c.close()
        return '%d B, %d chunks in %d frame(s) %s, listing %d B, %d READs%s' % (
            o['size'], len(entries), len(frames), [t for _, t, _ in frames][:4], o['listing_size'],
            stats['reads'], ', %d compressed' % stats['compressed'] if flags else '')

    def t_not_modified(self, name):
        c = self.client()
        root = self.newest(name).root
        r = c.query(name, root)
        expect(r == ('NOT_MODIFIED', root), 'QUERY %s holding the newest: %r (wanted NOT_MODIFIED with the root)' % (
            name, r))
        c.alive()
        return 'NOT_MODIFIED %s' % root.hex()[:16]

    # ---- a client holding an older version
    def t_patch(self, name, held):
        c = self.client()
        old = self.blobs[name][held]
        o = c.query(name, old.root)
        expect(isinstance(o, Offer), 'QUERY %s holding version %d: %r' % (name, held + 1, o))
        self.check_offer_newest(o, name)
        lacking = {}
        for _, ln, d in self.newest(name).chunks:
            if d not in old.by_id:
                lacking[d] = ln
        self.cb_cases.append(('%s from version %d (PATCH offer)' % (name, held + 1), o, sum(lacking.values()),
                              len(lacking)))
        expect(o['kind'] == KIND_PATCH, 'a %s offer (kind %d) to a client holding version %d, patch expected' % (
            'CHUNKS' if o['kind'] == 2 else '?', o['kind'], held + 1))
        expect(o['patch_size'] < o['chunk_bytes'], 'a PATCH of %d B offered where the lacking chunks cost %d B '
               '(the spec: "when that costs fewer bytes")' % (o['patch_size'], o['chunk_bytes']))
        pentries = c.read_listing(o['patch_listing'], o['patch_listing_size'], o['patch_root'], o['patch_size'])
        patch = c.fetch(pentries, flags=1)
        expect(len(patch) == o['patch_size'], 'patch size')
        result = psr.apply_patch(patch, old.data)
        expect(bytes(result) == self.newest(name).data, 'the patch applied is not the newest version')
        expect(Blob(result).root == o['root'], 'the patched result\'s root is not the offer\'s root')
        c.close()
        return 'PATCH of %d B (listing %d B) for %d B of lacking chunks; applied, root checked' % (
            o['patch_size'], o['patch_listing_size'], o['chunk_bytes'])

    def t_patch_inline(self, name, held):
        """QUERY flag 2: "A PATCH offer carries the patch inline (patch_inline) where the QUERY
        had flag 2, the patch is at most 32 KiB and the offer fits the connection's max_payload";
        the bytes checked against patch_root, as the spec asks, and applied; the same bytes as
        READ gives; and the same offer without flag 2 has none"""
        c = self.client()
        old = self.blobs[name][held]
        plain = c.query(name, old.root)
        o = c.query(name, old.root, flags=3)
        expect(isinstance(o, Offer) and isinstance(plain, Offer), 'QUERY %s flags 3: %r' % (name, o))
        expect(not plain['patch_inline'], 'a patch inline without flag 2')
        self.check_offer_newest(o, name)
        expect(o['kind'] == KIND_PATCH, 'a %s offer with flag 2 to a client holding version %d' % (
            'CHUNKS' if o['kind'] == KIND_CHUNKS else '?', held + 1))
        pi = o['patch_inline']
        if o['patch_size'] > INLINE_MAX:
            expect(not pi, 'a patch of %d B inline (at most 32 KiB)' % o['patch_size'])
            c.close()
            return 'a patch of %d B: not inline (over 32 KiB), as the spec says' % o['patch_size']
        expect(len(pi) == o['patch_size'], 'a patch of %d B, %d B inline (flag 2, at most 32 KiB, the offer %d B)' % (
            o['patch_size'], len(pi), o['bytes']))
        expect(o['bytes'] <= MAX_PAYLOAD, 'an offer of %d B' % o['bytes'])
        expect(Blob(pi).root == o['patch_root'], 'the inline bytes\' Merkle root is not patch_root')
        pentries = c.read_listing(o['patch_listing'], o['patch_listing_size'], o['patch_root'], o['patch_size'])
        expect(c.fetch(pentries) == pi, 'the patch by READ differs from the one inline')
        result = psr.apply_patch(pi, old.data)
        expect(bytes(result) == self.newest(name).data, 'the inline patch applied is not the newest version')
        # flag 2 alone (no version held): an offer of chunks, nothing inline
        n = c.query(name, flags=2)
        expect(isinstance(n, Offer) and n['kind'] == KIND_CHUNKS and not n['patch_inline'],
               'QUERY flags 2 without a root: %r' % (n,))
        c.close()
        small = self.client(max_payload=4096)
        s = small.query(name, old.root, flags=3)
        small.alive()
        expect(isinstance(s, Offer) and s['bytes'] <= 4096, 'flag 2 with max payload 4096: %r' % (s,))
        small.close()
        return 'PATCH offer of %d B with the %d-byte patch inline (%d B without); root checked, applied; ' \
               'max payload 4096: an offer of %d B (%s)' % (o['bytes'], len(pi), plain['bytes'], s['bytes'],
                                                          'inline' if s['patch_inline'] else 'not inline')

    def t_offer_compressed(self, name, held):
        """QUERY flag 4: "the server may set the answer's flag COMPRESSED (0x02): the body after
        the method id is then one zstd frame whose content is the offer"; the same offer as
        without flag 4, in fewer bytes (a server built without zstd may send it as it is)"""
        c = self.client()
        root = self.blobs[name][held].root if held is not None else None
        base = 3 if root is not None else 2
        plain = c.query(name, root, flags=base)
        z = c.query(name, root, flags=base | 4)
        expect(isinstance(plain, Offer) and isinstance(z, Offer), 'QUERY %s flags %d and %d: %r, %r' % (
            name, base, base | 4, plain, z))
        same = [k for k in plain if k not in ('bytes', 'wire') and plain[k] != z.get(k)]
        expect(not same, 'the offer with flag 4 differs from the one without in %s' % same)
        if 'wire' not in z:
            c.close()
            return 'an offer of %d B, not compressed (a server without zstd may)' % z['bytes']
        expect(z['wire'] < z['bytes'], 'a compressed offer of %d B for %d B' % (z['wire'], z['bytes']))
        # flag 4 alone, no root: still an offer (flag 4 needs no other)
        n = c.query(name, flags=4)
        expect(isinstance(n, Offer) and n['kind'] == KIND_CHUNKS and not n['listing_inline'],
               'QUERY flags 4 without a root: %r' % (n,))
        c.alive()
        c.close()
        return '%s offer of %d B sent as %d B (zstd), the same fields' % (
            'a PATCH' if z['kind'] == KIND_PATCH else 'a CHUNKS', z['bytes'], z['wire'])

    def t_plain_only(self, names):
        """QUERY flag 8: "the client applies only patches without zstd frames: a PATCH offer is then
        of a patch whose header's flags, dx_patch.h, lack ZSTD" (flag 1 at offset 8): for every
        older version, the offer with flag 8 against the one without"""
        c = self.client()
        out = {'zstd patch -> CHUNKS': 0, 'plain patch kept': 0, 'CHUNKS': 0}
        for name in names:
            for old in self.blobs[name][:-1]:
                o = c.query(name, old.root, flags=3)
                p = c.query(name, old.root, flags=3 | 8)
                expect(isinstance(o, Offer) and isinstance(p, Offer), 'QUERY %s flags 3 and 11: %r, %r' % (name, o, p))
                self.check_offer_newest(p, name)
                if o['kind'] != KIND_PATCH:
                    expect(p['kind'] == KIND_CHUNKS, 'flag 8 turned a CHUNKS offer into a PATCH')
                    out['CHUNKS'] += 1
                    continue
                patch = o['patch_inline'] or c.fetch(c.read_listing(o['patch_listing'], o['patch_listing_size'],
                                                                    o['patch_root'], o['patch_size']))
                zstd = struct.unpack_from('<I', patch, 8)[0] & 1
                if zstd:
                    expect(p['kind'] == KIND_CHUNKS, 'flag 8, and a PATCH offer of a patch with zstd frames')
                    out['zstd patch -> CHUNKS'] += 1
                else:
                    expect(p['kind'] == KIND_PATCH and p['patch_root'] == o['patch_root'],
                           'flag 8: a patch without zstd frames not offered (%r)' % (p,))
                    out['plain patch kept'] += 1
        c.alive()
        c.close()
        expect(out['zstd patch -> CHUNKS'] and out['plain patch kept'], 'no PATCH offer of each kind to compare')
        return ', '.join('%s %d' % kv for kv in out.items())

    def t_listing_inline(self, name):
        """QUERY flag 2, no version held: a CHUNKS offer carries the newest version's
        listing (listing_inline) "where it is at most 32 KiB"; checked as a READ one
        (frames, root, digest), the same bytes as READ gives"""
        c = self.client()
        o = c.query(name, flags=2)
        expect(isinstance(o, Offer) and o['kind'] == KIND_CHUNKS, 'QUERY %s flags 2: %r' % (name, o))
        self.check_offer_newest(o, name)
        li = o['listing_inline']
        if o['listing_size'] > INLINE_MAX:
            expect(not li, 'a listing of %d B inline (at most 32 KiB)' % o['listing_size'])
            c.close()
            return 'a listing of %d B: not inline (over 32 KiB)' % o['listing_size']
        expect(len(li) == o['listing_size'], 'a listing of %d B, %d B inline' % (o['listing_size'], len(li)))
        entries = c.read_listing(o['listing'], o['listing_size'], o['root'], o['size'], inline=li)
        b = self.newest(name)
        expect([(d, ln) for _, ln, d in b.chunks] == entries, 'the listing inline is not the chunks computed here')
        whole, at = bytearray(), 0
        while at < o['listing_size']:  # the same bytes by READ
            n = min(CHUNK_MAX, o['listing_size'] - at)
            whole += c.answer_bytes(c.read(o['listing'], at, n), n, False, 'listing READ at %d' % at)[0]
            at += n
        expect(bytes(whole) == li, 'the listing by READ differs from the one inline')
        expect(c.fetch(entries) == b.data, 'the blob fetched by the listing inline differs from the file published')
        c.close()
        return 'CHUNKS offer of %d B with the %d-byte listing inline (%d chunks); checked, fetched' % (
            o['bytes'], len(li), len(entries))

    def t_chunk_bytes(self, cases, known=True):
        """chunk_bytes: "what fetching by chunks costs a client holding the version it
        named: the newest version's listing and the chunks that version lacks; 0 where
        the server does not know it: no version named, or one it holds no patch from"."""
        expect(cases, 'no case ran')
        out = []
        for what, o, lacking, n in cases:
            want = lacking + o['listing_size'] if known else 0
            expect(o['chunk_bytes'] == want, '%s: chunk_bytes %d, %d expected (the %d chunks the client lacks: %d B, '
                   'the listing %d B%s)' % (what, o['chunk_bytes'], want, n, lacking, o['listing_size'],
                                            '' if known else '; no patch from its version: 0'))
            out.append('%s: %d' % (what, want))
        return '; '.join(out)

    def t_patch_rule(self, name):
        """a PATCH "when that costs fewer bytes than the chunks the client lacks", else
        CHUNKS: each older version's offer against the history's patch from it"""
        h = self.histories[name]
        c = self.client()
        out = []
        for k, old in enumerate(self.blobs[name][:-1]):
            o = c.query(name, old.root)
            expect(isinstance(o, Offer), '%r' % (o,))
            self.check_offer_newest(o, name)
            p = [p for p in h['patches'] if p['from_root'] == old.root]
            lacking = sum({d: ln for _, ln, d in self.newest(name).chunks if d not in old.by_id}.values())
            if not p:
                expect(o['kind'] == KIND_CHUNKS, 'version %d: no patch in the history, a %d offer' % (k + 1, o['kind']))
                out.append('v%d: no patch -> CHUNKS' % (k + 1))
                continue
            p = p[0]
            # the spec: PATCH where "the patch and its listing cost fewer bytes than fetching by chunks (the
            # newest version's listing and the chunks the client's version lacks)", else CHUNKS
            by_patch = p['patch_size'] + p['listing_size']
            by_chunks = o['listing_size'] + lacking
            want = KIND_PATCH if by_patch < by_chunks else KIND_CHUNKS
            expect(o['kind'] == want, 'version %d: patch + its listing %d B, listing + the chunks it lacks %d B: '
                   'kind %d, %d expected' % (k + 1, by_patch, by_chunks, o['kind'], want))
            if o['kind'] == KIND_CHUNKS:
                expect(o['patch_size'] == 0, 'CHUNKS with patch fields')
                entries = c.read_listing(o['listing'], o['listing_size'], o['root'], o['size'])
                have = {d: old.chunk(d) for d, _ in entries if d in old.by_id}
                stats = {}
                expect(c.fetch(entries, have=have, stats=stats) == self.newest(name).data, 'result')
                expect(stats['read_bytes'] == lacking, 'READ %d B' % stats['read_bytes'])
            out.append('v%d: patch %d B vs chunks %d B -> %s' % (k + 1, p['patch_size'], lacking,
                                                                 'PATCH' if o['kind'] == 1 else 'CHUNKS'))
        c.close()
        return '; '.join(out)

    def format1_store(self):
        """a store of two names whose ref "old" names its history "sha256-..." (as dx_sync 1 wrote it)"""
        st = os.path.join(self.dir, 'store1-%d' % len(os.listdir(self.dir)))
        src = os.path.join(self.dir, 'in-format1')
        with open(src, 'wb') as f:
            f.write(b'format 1\n' * 100)
        for name in ('old', 'other'):
            r = subprocess.run([self.binary, 'publish', '--store', st, name, src], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=WATCHDOG)
            expect(r.returncode == 0, 'publish: %s' % r.stderr)
        ref = os.path.join(st, 'refs', 'old')
        with open(ref) as f:
            text = f.read()
        with open(ref, 'w') as f:
            f.write(text.replace('blake3-', 'sha256-'))
        return st, src

    @staticmethod
    def snapshot(st):
        out = {}
        for d, _, files in os.walk(st):
            for fn in files:
                with open(os.path.join(d, fn), 'rb') as f:
                    out[os.path.relpath(os.path.join(d, fn), st)] = hashlib.sha256(f.read()).hexdigest()
        return out

    def t_format1_publish(self, name):
        """STORE: "a ref that names it "sha256-..." is dx_sync 1's (format 1): publish and
        serve refuse such a store, saying so, and change nothing in it\""""
        st, src = self.format1_store()
        before = self.snapshot(st)
        with open(src, 'ab') as f:
            f.write(b'a new version\n')
        r = subprocess.run([self.binary, 'publish', '--store', st, name, src], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=WATCHDOG)
        changed = sorted(set(k for k in set(before) | set(self.snapshot(st)) if before.get(k) != self.snapshot(st).get(k)))
        expect(r.returncode != 0 and r.stderr.strip(), 'publish %s into a store whose ref "old" is format 1: exit %d '
               '(%r); the store changed: %s' % (name, r.returncode, r.stdout.decode().strip(), changed[:4]))
        expect(not changed, 'the format 1 store changed: %s' % changed[:4])
        return 'exit %d: %r' % (r.returncode, r.stderr.decode().strip().splitlines()[-1][:100])

    def t_format1_serve(self):
        st, _ = self.format1_store()
        before = self.snapshot(st)
        p = subprocess.Popen([self.binary, 'serve', '--store', st, '--port', '0'], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        try:
            out, err = p.communicate(timeout=WATCHDOG)
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()
            raise Fail('serve of a format 1 store is still running after %.0f s' % WATCHDOG)
        expect(p.returncode != 0 and err.strip(), 'serve of a format 1 store: exit %d, %r %r' % (
            p.returncode, out, err))
        expect(self.snapshot(st) == before, 'the format 1 store changed')
        return 'exit %d: %r' % (p.returncode, err.decode().strip().splitlines()[-1][:100])

    def t_store_damaged(self):
        """"9 INTERNAL (the server cannot read its store)": a server of its own on a store
        whose ref names a history that is not there, and whose objects' bytes were changed"""
        st = os.path.join(self.dir, 'store-damaged')
        src = os.path.join(self.dir, 'in-damaged')
        data = random.Random(3).randbytes(50000)
        with open(src, 'wb') as f:
            f.write(data)
        for name in ('good', 'lost'):
            r = subprocess.run([self.binary, 'publish', '--store', st, name, src], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=WATCHDOG)
            expect(r.returncode == 0, 'publish: %s' % r.stderr)
        blob = Blob(data)
        # damaged before the server starts (a server may keep what it read: damage after
        # a QUERY is not seen, and need not be)
        with open(os.path.join(st, 'refs', 'lost'), 'w') as f:
            f.write('blake3-' + blake3(b'no such history').hex() + '\n')
        # every byte of every pack's records changed (the index and trailer kept): reads re-hash
        for fn in os.listdir(os.path.join(st, 'packs')):
            path = os.path.join(st, 'packs', fn)
            if fn.endswith('.pack'):
                with open(path, 'r+b') as f:
                    b = bytearray(f.read())
                    index_off = struct.unpack_from('<Q', b, len(b) - 56)[0]
                    for k in range(8, index_off):
                        b[k] ^= 0x55
                    f.seek(0)
                    f.write(b)
        srv = Server(self.binary, st, '--workers', '1')
        try:
            c = Client(srv.port, self.notes)
            f1 = c.rpc(M_QUERY, query_body('lost'))
            d, ln = blob.chunks[0][2], blob.chunks[0][1]
            f2 = c.read(d, 0, ln)
            f3 = c.rpc(M_QUERY, query_body('good'))
            c.c.ping(b'alive')
            c.close()
            self.damaged = {'ref-dangling': f1, 'read-damaged': f2, 'query-damaged': f3}
        finally:
            st_code, _ = srv.stop()
        expect(st_code == 0, 'that server exited %d' % st_code)
        return ', '.join('%s: %s' % (k, hb.opname(f.opcode) + (' 0x%x' % f.error_code() if f.opcode == ERROR else ''))
                         for k, f in self.damaged.items())

    def t_damaged(self, key, what):
        f = self.damaged[key]
        expect(f.opcode == ERROR and f.error_code() == INTERNAL, '%s: %s, ERROR 9 INTERNAL expected ("9 INTERNAL '
               '(the server cannot read its store)")' % (what, f))

    def t_goaway(self):
        """dx_hbtp.h GOAWAY from the client with READs in flight: the answers, then
        GOAWAY|ACK; the client closes"""
        c = self.client()
        b = self.newest('app')
        reqs = [c.c.request(RPC, M_READ, read_body(d, 0, ln))[0] for _, ln, d in b.chunks[:10]]
        c.c.goaway_send()
        c.c.finish()
        for r, (_, ln, d) in zip(reqs, b.chunks[:10]):
            data, _ = c.answer_bytes(r.final, ln, False, 'after GOAWAY')
            expect(data == b.chunk(d), 'chunk')
        expect(c.c.goaway_ack or c.c.goaway is not None, 'no GOAWAY|ACK')
        return '10 READs answered, then GOAWAY%s' % ('|ACK' if c.c.goaway_ack else '')

    def t_empty_object(self):
        """BLAKE3("") is the empty blob's root and the digest of an empty object"""
        c = self.client()
        f = c.read(blake3(b''), 0, 1)
        c.alive()
        expect(f.opcode == ERROR and f.error_code() in (E_NO_OBJECT, E_RANGE), '%r' % f)
        return 'READ of BLAKE3("") +0/1: ERROR 0x%x' % f.error_code()

    def t_chunks_held(self, name, held):
        c = self.client()
        old = self.blobs[name][held]
        o = c.query(name, old.root)
        expect(isinstance(o, Offer), 'QUERY: %r' % (o,))
        self.check_offer_newest(o, name)
        expect(o['kind'] == KIND_CHUNKS, 'kind %d: a CHUNKS offer expected (published with --patches 1: no patch '
               'from version %d)' % (o['kind'], held + 1))
        entries = c.read_listing(o['listing'], o['listing_size'], o['root'], o['size'])
        have = {d: old.chunk(d) for d, _ in entries if d in old.by_id}
        stats = {}
        data = c.fetch(entries, have=have, stats=stats)
        expect(data == self.newest(name).data, 'the result differs from the newest version')
        self.cb_cases_nopatch.append(('%s from version %d (CHUNKS offer)' % (name, held + 1), o,
                                      stats['read_bytes'], stats['reads']))
        c.close()
        return 'CHUNKS: %d of %d chunks READ (%d B = chunk_bytes)' % (stats['reads'], len(entries), stats['read_bytes'])

    def t_unknown_root(self):
        """a client whose file is no version (v3 with a local edit)"""
        rng = random.Random(7)
        mine = Blob(edit(self.newest('app').data, rng, overwrite=[(500000, 10)]))
        c = self.client()
        o = c.query('app', mine.root)
        expect(isinstance(o, Offer), 'QUERY: %r' % (o,))
        self.check_offer_newest(o, 'app')
        expect(o['kind'] == KIND_CHUNKS, 'kind %d to a root the server does not hold' % o['kind'])
        entries = c.read_listing(o['listing'], o['listing_size'], o['root'], o['size'])
        have = {d: mine.chunk(d) for d, _ in entries if d in mine.by_id}
        stats = {}
        data = c.fetch(entries, have=have, stats=stats)
        expect(data == self.newest('app').data, 'result')
        expect(o['chunk_bytes'] == 0, 'QUERY holding a root the server does not hold: chunk_bytes %d, 0 expected '
               '(it holds no patch from it)' % o['chunk_bytes'])
        c.close()
        return 'CHUNKS; %d chunks READ (%d B)' % (stats['reads'], stats['read_bytes'])

    # ---- compressed answers
    def t_compressed(self):
        c = self.client()
        o = self.offers['bin']
        b = self.newest('bin')
        items = [(d, 0, ln) for _, ln, d in b.chunks[:40]]
        got = c.read_many(items, flags=1)
        z = 0
        for (d, _, ln), (data, comp) in zip(items, got):
            expect(data == b.chunk(d), 'a compressed READ gave other bytes')
            z += comp
        expect(z > 0, 'no READ of the program\'s chunks came compressed (flag 1 asked)')
        # part of a chunk, at an offset
        d, ln = b.chunks[3][2], b.chunks[3][1]
        data, comp = c.answer_bytes(c.read(d, 100, ln - 200, 1), ln - 200, True, 'part')
        expect(data == b.chunk(d)[100:ln - 100], 'a compressed part')
        # the listing, compressed
        data, lz = c.answer_bytes(c.read(o['listing'], 0, o['listing_size'], 1), o['listing_size'], True, 'listing')
        expect(blake3(data) == o['listing'], 'the listing READ compressed')
        # random bytes: compression saves nothing
        a = self.newest('app')
        d, ln = a.chunks[0][2], a.chunks[0][1]
        data, rz = c.answer_bytes(c.read(d, 0, ln, 1), ln, True, 'random chunk')
        expect(data == a.chunk(d), 'random chunk')
        # without flag 1 never COMPRESSED (answer_bytes checks)
        c.answer_bytes(c.read(b.chunks[0][2], 0, b.chunks[0][1], 0), b.chunks[0][1], False, 'flag 0')
        c.answer_bytes(c.read(b.chunks[0][2], 0, b.chunks[0][1]), b.chunks[0][1], False, 'no flags byte')
        c.close()
        return '%d of %d program chunks compressed; listing %s; a random chunk %s' % (
            z, len(items), 'compressed' if lz else 'raw', 'compressed' if rz else 'raw')

    # ---- frames
    def t_many_frames(self):
        o = self.offers['many']
        c = self.client()
        frames = []
        c.read_listing(o['listing'], o['listing_size'], o['root'], o['size'], frames)
        want = (MANY_UNITS + 1 + FRAME_CHUNKS - 1) // FRAME_CHUNKS
        expect(len(frames) == want, '%d frames for %d chunks' % (len(frames), MANY_UNITS + 1))
        # READ of exactly 128 KiB (the limit), raw and compressed
        expect(o['listing_size'] > READ_MAX, 'the listing is %d B' % o['listing_size'])
        whole = b''
        for fl in (None, 1):
            data, z = c.answer_bytes(c.read(o['listing'], 7, READ_MAX, fl), READ_MAX, fl == 1, '128 KiB READ')
            whole = whole or data
            expect(data == whole, 'two READs of the same range differ')
        # a frame read on its own: its header, then the rest (TOTAL_SIZE at byte 16)
        pos, total, _ = frames[1]
        hdr, _ = c.answer_bytes(c.read(o['listing'], pos, 80), 80, False, 'header')
        expect(struct.unpack_from('<I', hdr, 16)[0] == total, 'TOTAL_SIZE')
        c.close()
        return 'frames at %s' % [(p, t) for p, t, _ in frames]

    def t_empty(self):
        o = self.offers['empty']
        expect(o['size'] == 0 and o['root'] == blake3(b''), 'empty: size %d root %s' % (o['size'], o['root'].hex()))
        return 'root = BLAKE3("") %s, listing %d B (one frame of none)' % (o['root'].hex()[:16], o['listing_size'])

    # ---- errors
    def expect_answer(self, c, body, code, what, method=M_QUERY):
        f = c.rpc(method, body)
        if f.opcode != ERROR or f.error_code() != code:
            raise Fail('%s: %r, wanted ERROR %d (0x%x)' % (what, f, code, code))
        c.alive()

    def t_query_errors(self):
        c = self.client()
        self.expect_answer(c, query_body('nothing-here'), E_NO_NAME, 'an unknown name')
        self.expect_answer(c, query_body('x' * 100), E_NO_NAME, 'a name of 100 (unknown)')
        self.expect_answer(c, query_body('a.b_c-D9'), E_NO_NAME, 'a name with . _ - (unknown)')
        self.expect_answer(c, query_body('app', version=1), BAD_REQUEST, 'version 1')
        self.expect_answer(c, query_body('app', self.newest('app').root, version=1), BAD_REQUEST, 'version 1, root')
        self.expect_answer(c, query_body(''), BAD_REQUEST, 'an empty name')
        self.expect_answer(c, query_body('x' * 101), BAD_REQUEST, 'a name of 101')
        self.expect_answer(c, query_body('x' * 255), BAD_REQUEST, 'a name of 255')
        for bad in ('a/b', 'a b', '.app', '.', '..', 'a\0b', 'caf\xe9', 'a:b', 'a+b', 'ab\n'):
            self.expect_answer(c, query_body(bad.encode('utf-8')), BAD_REQUEST, 'the name %r' % bad)
        for fl in (0x10, 0x80, 0x11, 0x1f, 0xff):
            self.expect_answer(c, query_body('app', self.newest('app').root, flags=fl), BAD_REQUEST, 'flags 0x%x' % fl)
        self.expect_answer(c, query_body('app', byte3=1), BAD_REQUEST, 'byte 3 = 1')
        self.expect_answer(c, query_body('app', n=2), BAD_REQUEST, 'n 2 with 3 name bytes')
        self.expect_answer(c, query_body('app', n=4), BAD_REQUEST, 'n 4 with 3 name bytes')
        self.expect_answer(c, query_body('app')[:36], BAD_REQUEST, 'a body of 36 (no name)')
        self.expect_answer(c, query_body('app')[:20], BAD_REQUEST, 'a body of 20')
        self.expect_answer(c, b'', BAD_REQUEST, 'an empty body')
        for v in (0, 3, 255):
            self.expect_answer(c, query_body('app', version=v), BAD_REQUEST, 'version %d' % v)
        c.close()
        return 'unknown names 0x8001; version 0/1/3/255, bad names, flags, byte 3, lengths: BAD_REQUEST; open after each'

    def t_query_root_without_flag(self):
        """root[32] "zeros without flag 1": what a nonzero one gets"""
        c = self.client()
        f = c.rpc(M_QUERY, query_body('app', flags=0, root_bytes=self.newest('app').root))
        c.alive()
        if f.opcode == ERROR and f.error_code() == BAD_REQUEST:
            return 'BAD_REQUEST'
        raise Fail('QUERY flags 0 with a nonzero root ("a root without flag 1: BAD_REQUEST"): answered %s'
                   % hb.opname(f.opcode))

    def t_read_errors(self):
        c = self.client()
        o = self.offers['app']
        b = self.newest('app')
        d, ln = b.chunks[0][2], b.chunks[0][1]
        self.expect_answer(c, read_body(bytes(32), 0, 1), E_NO_OBJECT, 'READ of zeros', M_READ)
        self.expect_answer(c, read_body(blake3(b'no such object'), 0, 1), E_NO_OBJECT, 'READ unknown', M_READ)
        self.expect_answer(c, read_body(o['root'], 0, 1), E_NO_OBJECT, 'READ of a Merkle root', M_READ)
        self.expect_answer(c, read_body(d, ln, 1), E_RANGE, 'READ at the end', M_READ)
        self.expect_answer(c, read_body(d, ln + 1000, 1), E_RANGE, 'READ past the end', M_READ)
        self.expect_answer(c, read_body(d, (1 << 64) - 1, 1), E_RANGE, 'READ at 2^64-1', M_READ)
        self.expect_answer(c, read_body(d, (1 << 64) - 1, READ_MAX), E_RANGE, 'READ at 2^64-1 of 128 KiB', M_READ)
        self.expect_answer(c, read_body(d, 0, ln + 1), E_RANGE, 'READ one byte too many', M_READ)
        self.expect_answer(c, read_body(d, ln - 1, 2), E_RANGE, 'READ across the end', M_READ)
        self.expect_answer(c, read_body(d, 0, READ_MAX), E_RANGE, 'READ of 128 KiB of a smaller chunk', M_READ)
        self.expect_answer(c, read_body(d, 0, 0), BAD_REQUEST, 'READ length 0', M_READ)
        self.expect_answer(c, read_body(d, 0, READ_MAX + 1), BAD_REQUEST, 'READ of 128 KiB + 1', M_READ)
        self.expect_answer(c, read_body(d, 0, 0xffffffff), BAD_REQUEST, 'READ of 4 GiB - 1', M_READ)
        self.expect_answer(c, read_body(bytes(32), 0, 0), BAD_REQUEST, 'READ length 0 of no object', M_READ)
        body = read_body(d, 0, ln)
        self.expect_answer(c, body[:43], BAD_REQUEST, 'READ body 43', M_READ)
        self.expect_answer(c, body + b'\0\0', BAD_REQUEST, 'READ body 46', M_READ)
        self.expect_answer(c, b'', BAD_REQUEST, 'READ body 0', M_READ)
        for fl in (2, 3, 0x80):
            self.expect_answer(c, read_body(d, 0, ln, fl), BAD_REQUEST, 'READ flags 0x%x' % fl, M_READ)
        # the last byte, and a READ of exactly the rest: answered
        c.answer_bytes(c.read(d, ln - 1, 1), 1, False, 'the last byte')
        # an unknown method, a short RPC (dx_hbtp.h: UNKNOWN_METHOD, BAD_REQUEST; open)
        self.expect_answer(c, b'', UNKNOWN_METHOD, 'method 3', 3)
        self.expect_answer(c, b'', UNKNOWN_METHOD, 'method 0', 0)
        c.close()
        return '0x8002, 0x8003 (at, past, across the end, 2^64-1), BAD_REQUEST (length 0, > 128 KiB, body 43/46/0, ' \
               'flags); open after each'

    def t_error_pipeline(self):
        """errors among pipelined READs: each answered in order, the others intact"""
        c = self.client()
        b = self.newest('app')
        items = []
        for k, (_, ln, d) in enumerate(b.chunks[:30]):
            items.append((M_READ, read_body(d, 0, ln)))
            if k % 3 == 0:
                items.append((M_READ, read_body(bytes(32), 0, 1)))
                items.append((M_READ, read_body(d, 0, 0)))
        reqs = c.c.pipeline(items)
        k = 0
        for r, (_, body) in zip(reqs, items):
            if body[:32] == bytes(32):
                expect_error(r.final, E_NO_OBJECT)
            elif struct.unpack_from('<I', body, 40)[0] == 0:
                expect_error(r.final, BAD_REQUEST)
            else:
                ln = b.chunks[k][1]
                data, _ = c.answer_bytes(r.final, ln, False, 'pipelined')
                expect(data == b.chunk(b.chunks[k][2]), 'pipelined chunk %d' % k)
                k += 1
        c.alive()
        c.close()
        return '%d requests in flight up to %d' % (len(items), c.c.max_inflight)

    def t_small_max_payload(self):
        """a client offering less than 128 KiB + 64: the spec says both sides offer it; what a
        64 KiB chunk READ gets when the negotiated max payload is 4096"""
        c = self.client(max_payload=4096)
        b = self.newest('app')
        d, ln = b.chunks[0][2], b.chunks[0][1]
        f = c.read(d, 0, ln)
        c.alive()
        small, _ = c.answer_bytes(c.read(d, 0, 1000), 1000, False, 'a small READ')
        if f.opcode == ERROR and f.error_code() == INTERNAL:  # "a larger answer is refused, ERROR 9"
            return 'READ of %d B: ERROR %d; 1000 B: ok' % (ln, f.error_code())
        raise Fail('a READ of %d B with max payload 4096: %r' % (ln, f))

    def t_other_objects(self):
        """READ of a store object no offer names (the manifest, the history): the spec
        says "A client may READ any object an offer names" and nothing of others"""
        hist = self.history('app')
        c = self.client()
        ver = hist['versions'][-1]
        f = c.read(ver['manifest'], 0, 4)
        f2 = c.read(self.history_id('app'), 0, 4)
        c.alive()
        # "A server answers a READ of any object of its store"
        expect(f.opcode == STREAM_END and f2.opcode == STREAM_END, 'READ of the manifest: %s, of the history: %s' % (
            hb.opname(f.opcode), hb.opname(f2.opcode)))
        return 'manifest %s, history %s' % (hb.opname(f.opcode), hb.opname(f2.opcode))

    # ---- the store (STORE), read from the directory as dx_cas.h's directory store says
    def history_id(self, name):
        with open(os.path.join(self.store, 'refs', name)) as f:
            text = f.read()
        expect(text.startswith('blake3-') and text.endswith('\n') and len(text) == 72, 'ref %r' % text)
        return bytes.fromhex(text[7:71])

    @staticmethod
    def stored_content(raw):
        """a stored form ("DXCZ"): the object's content"""
        if raw[:4] != b'DXCZ':
            return raw
        method, flags, size = raw[6], raw[7], struct.unpack_from('<Q', raw, 8)[0]
        expect(raw[4] == 1 and flags == 0 and method in (0, 1), 'DXCZ header %s' % raw[:16].hex())
        if method == 0:
            out = raw[16:]
        else:
            d = zstandard.ZstdDecompressor()
            out, rest = b'', raw[16:]
            while rest:                            # one or more zstd frames
                o = d.decompressobj()
                out += o.decompress(rest)
                rest = o.unused_data
        expect(len(out) == size, 'DXCZ content %d, CONTENT_SIZE %d' % (len(out), size))
        return out

    def pack_index(self):
        """every object of the store's packs (dx_cas.h pack "DXCK"): digest -> (pack path, entry)"""
        idx = {}
        pdir = os.path.join(self.store, 'packs')
        for fn in sorted(os.listdir(pdir)) if os.path.isdir(pdir) else []:
            if not fn.endswith('.pack'):
                continue
            path = os.path.join(pdir, fn)
            with open(path, 'rb') as f:
                b = f.read()
            expect(len(b) >= 64 and b[:4] == b'DXCK' and b[-8:-4] == b'DXCI', 'pack %s magic' % fn)
            tr = len(b) - 56
            index_off, count, flags = struct.unpack_from('<QII', b, tr)
            expect(flags == 0 and index_off == len(b) - 56 - 56 * count, 'pack %s trailer' % fn)
            expect(hashlib.sha256(b[index_off:tr] + b[tr:tr + 16]).digest() == b[tr + 16:tr + 48] and
                   fn[:-5] == b[tr + 16:tr + 48].hex(), 'pack %s SUM' % fn)
            for k in range(count):
                e = index_off + 56 * k
                code, ln = b[e], b[e + 1]
                dig = b[e + 2:e + 34]
                eflags, off, stored, size, inner = struct.unpack_from('<HQIII', b, e + 34)
                if code == 0x1e and ln == 32:
                    idx[dig] = (b, off, stored, size, inner)
        return idx

    def store_object(self, digest):
        path = os.path.join(self.store, 'objects', digest.hex()[:2], 'blake3-' + digest.hex())
        if os.path.exists(path):
            with open(path, 'rb') as f:
                raw = self.stored_content(f.read())
        else:
            if getattr(self, '_packs', None) is None or digest not in self._packs:
                self._packs = self.pack_index()
            expect(digest in self._packs, 'object %s is neither a file nor in a pack' % digest.hex()[:16])
            b, off, stored, size, inner = self._packs[digest]
            raw = self.stored_content(b[off:off + stored])[inner:inner + size]
        expect(blake3(raw) == digest, 'the store object is not its id')
        return raw

    def history(self, name):
        hid = self.history_id(name)
        buf = self.store_object(hid)
        tp = Teleport(buf)
        expect(struct.unpack_from('<I', buf, 8)[0] & 1, 'the history has no CRC32C')
        expect(tp.root_type == T_HISTORY, 'history root type 0x%x' % tp.root_type)
        check_layout(tp, T_HISTORY, 'sync_history', self.notes)
        hname, published, vs, ps = read_fields(tp, T_HISTORY, tp.root)
        if vs[1]:
            check_layout(tp, T_VERSION, 'sync_version', self.notes)
        if ps[1]:
            check_layout(tp, T_PATCH, 'sync_patch', self.notes)
        vnames = [f[0] for f in LAYOUTS[T_VERSION][1]]
        pnames = [f[0] for f in LAYOUTS[T_PATCH][1]]
        versions = [dict(zip(vnames, [bytes(x) if isinstance(x, (bytes, memoryview)) else x for x in v]))
                    for v in slice_elems(tp, T_VERSION, vs)]
        patches = [dict(zip(pnames, [bytes(x) if isinstance(x, (bytes, memoryview)) else x for x in p]))
                   for p in slice_elems(tp, T_PATCH, ps)]
        return dict(name=hname, published=published, versions=versions, patches=patches)

    def t_store(self):
        out = []
        for name, blobs in self.blobs.items():
            h = self.history(name)
            expect(h['name'] == name, 'history name %r' % h['name'])
            expect([v['root'] for v in h['versions']] == [b.root for b in blobs],
                   '%s: the history\'s versions are not the roots published (oldest first)' % name)
            o = self.offers[name]
            nv = h['versions'][-1]
            expect((nv['root'], nv['listing'], nv['size'], nv['listing_size'], nv['published_ns']) ==
                   (o['root'], o['listing'], o['size'], o['listing_size'], o['published_ns']),
                   '%s: the offer is not the history\'s newest version' % name)
            if h['published'] != len(blobs):
                self.note('%s: sync_history.published is %d after %d publishes (the spec does not say what it '
                          'counts)' % (name, h['published'], len(blobs)))
            for p in h['patches']:
                expect(as_int(p['pad']) == 0, 'sync_patch pad')
                expect(any(p['from_root'] == b.root for b in blobs[:-1]), 'a patch from no older version')
            # the manifest (dx_cas.h: DXCM) of the newest version
            m = self.store_object(nv['manifest'])
            expect(m[:4] == b'DXCM', 'the manifest is not DXCM')
            expect(m[24:56] == nv['root'] and struct.unpack_from('<Q', m, 8)[0] == nv['size'], 'manifest root/size')
            kept = [self.check_zmap(name, v, b) for v, b in zip(h['versions'], blobs)]
            out.append('%s: %d versions, %d patches %s, chunks kept compressed %s' % (
                name, len(h['versions']), len(h['patches']), [p['mode'] for p in h['patches']], kept))
            self.histories = getattr(self, 'histories', {})
            self.histories[name] = h
        return '; '.join(out)

    def check_zmap(self, name, v, blob):
        """a version's zmap: "64-byte entries, sorted by their first 32 bytes, each chunk at
        most once: a chunk's digest, then the digest of an object holding one zstd frame
        whose content is that chunk"; zeros and 0 where none. The count kept."""
        if v['zmap_size'] == 0:
            expect(v['zmap'] == bytes(32), '%s: a zmap digest with zmap_size 0' % name)
            return 0
        z = self.store_object(v['zmap'])
        expect(len(z) == v['zmap_size'] and len(z) % 64 == 0, '%s: a zmap of %d B, zmap_size %d' % (
            name, len(z), v['zmap_size']))
        keys = [z[i:i + 32] for i in range(0, len(z), 64)]
        expect(keys == sorted(set(keys)), '%s: the zmap is not sorted, or names a chunk twice' % name)
        for i in range(0, len(z), 64):
            cid, zid = z[i:i + 32], z[i + 32:i + 64]
            expect(cid in blob.by_id, '%s: the zmap names a chunk %s the version does not have' % (name, cid.hex()[:16]))
            chunk = blob.chunk(cid)
            frame = self.store_object(zid)
            expect(check_zstd(frame, len(chunk)) == chunk, '%s: the zmap\'s copy of %s is not that chunk' % (
                name, cid.hex()[:16]))
        return len(keys)

    def t_zmap_read(self, name):
        """"A server answers a READ with flag 1 of a whole chunk with those bytes where it
        holds the zmap: it keeps those of the newest versions of the last 8 names asked
        about (QUERY)": after a QUERY of the name, the newest version's kept chunks, READ
        whole with flag 1 on that connection, come as the zmap's objects, byte for byte"""
        v = self.history(name)['versions'][-1]
        if v['zmap_size'] == 0:
            return 'no chunk kept compressed'
        z = self.store_object(v['zmap'])
        b = self.newest(name)
        c = self.client()
        expect(isinstance(c.query(name), Offer), 'QUERY %s' % name)
        items = [(z[i:i + 32], 0, len(b.chunk(z[i:i + 32]))) for i in range(0, len(z), 64)]
        frames = c.c.pipeline([(M_READ, read_body(d, o, n, 1)) for d, o, n in items])
        for (d, _, n), r, i in zip(items, frames, range(0, len(z), 64)):
            f = r.final
            expect(f.opcode == STREAM_END and f.flags & COMPRESSED, 'READ flag 1 of a kept chunk: %s flags 0x%x' % (
                hb.opname(f.opcode), f.flags))
            expect(bytes(f.payload) == self.store_object(z[i + 32:i + 64]), 'READ flag 1 of kept chunk %s: not the '
                   'kept bytes' % d.hex()[:16])
        c.close()
        return '%d chunks kept compressed, each READ as its kept copy' % len(items)

    def t_offer_vs_history(self):
        """a PATCH offer names the history's sync_patch from the client's root"""
        h = self.histories['app']
        c = self.client()
        old = self.blobs['app'][1]
        o = c.query('app', old.root)
        p = [p for p in h['patches'] if p['from_root'] == old.root]
        expect(len(p) == 1, '%d patches from version 2 in the history' % len(p))
        p = p[0]
        expect((o['patch_listing'], o['patch_root'], o['patch_size'], o['patch_listing_size'], o['chunk_bytes']) ==
               (p['listing'], p['patch_root'], p['patch_size'], p['listing_size'], p['chunk_bytes']),
               'the offer\'s patch fields are not the history\'s sync_patch')
        c.close()
        return 'mode %d' % p['mode']

    # ----
    def main(self):
        t0 = time.monotonic()
        self.dir = tempfile.mkdtemp(prefix='sync_spec_client.')
        try:
            self.run('blake3-vectors', self.t_blake3)
            self.run('fastcdc-gear', self.t_gear)
            if not self.run('setup-publish-serve', self.t_setup):
                return self.finish(t0)
            self.run('hello', self.t_hello)
            for name in ('app', 'small', 'empty', 'many', 'swap', 'trunc', 'text'):
                self.run('new-%s' % name, self.t_new, name)
            self.run('new-bin-compressed', self.t_new, 'bin', 1)
            for name in ('app', 'bin', 'small', 'empty', 'many'):
                if name in self.offers:
                    self.run('not-modified-%s' % name, self.t_not_modified, name)
            if 'bin' in self.offers:
                self.run('read-compressed', self.t_compressed)
            if 'many' in self.offers:
                self.run('listing-7-frames', self.t_many_frames)
            if 'empty' in self.offers:
                self.run('empty-blob', self.t_empty)
            self.run('patch-app-from-v2', self.t_patch, 'app', 1)
            self.run('patch-bin-from-v1', self.t_patch, 'bin', 0)
            self.run('patch-inline-app-from-v2', self.t_patch_inline, 'app', 1)
            self.run('patch-inline-bin-from-v1', self.t_patch_inline, 'bin', 0)
            for name in ('app', 'empty', 'many'):
                if name in self.offers:
                    self.run('listing-inline-%s' % name, self.t_listing_inline, name)
            self.run('offer-compressed-patch-app', self.t_offer_compressed, 'app', 1)
            self.run('offer-compressed-chunks-app', self.t_offer_compressed, 'app', None)
            self.run('plain-only-patches', self.t_plain_only, ('app', 'bin', 'text'))
            self.run('chunks-app-from-v1', self.t_chunks_held, 'app', 0)
            self.run('chunks-unknown-root', self.t_unknown_root)
            self.run('chunk-bytes-patch-offer', self.t_chunk_bytes, self.cb_cases)
            self.run('chunk-bytes-chunks-offer', self.t_chunk_bytes, self.cb_cases_nopatch, False)
            self.run('empty-object', self.t_empty_object)
            self.run('query-errors', self.t_query_errors)
            self.run('query-root-without-flag', self.t_query_root_without_flag)
            self.run('read-errors', self.t_read_errors)
            self.run('errors-pipelined', self.t_error_pipeline)
            self.run('small-max-payload', self.t_small_max_payload)
            self.run('format-1-publish-same-name', self.t_format1_publish, 'old')
            self.run('format-1-publish-other-name', self.t_format1_publish, 'new')
            self.run('format-1-serve', self.t_format1_serve)
            if self.run('store-damaged-server', self.t_store_damaged):
                self.run('store-ref-dangling', self.t_damaged, 'ref-dangling',
                         'QUERY of a name whose ref names a history not in the store')
                self.run('store-chunk-damaged', self.t_damaged, 'read-damaged',
                         'READ of a chunk whose stored bytes are damaged')
                self.run('store-history-damaged', self.t_damaged, 'query-damaged',
                         'QUERY of a name whose history\'s stored bytes are damaged')
            self.run('goaway', self.t_goaway)
            if len(self.offers) == len(self.blobs):  # every name fetched new
                if self.run('store-history', self.t_store):
                    self.run('offer-is-history', self.t_offer_vs_history)
                    for name in ('bin', 'small', 'app'):
                        self.run('zmap-read-%s' % name, self.t_zmap_read, name)
                    for name in ('app', 'bin', 'swap', 'trunc'):
                        self.run('patch-or-chunks-%s' % name, self.t_patch_rule, name)
                    self.run('read-other-objects', self.t_other_objects)
            self.frame_crc_note()
        finally:
            for c in self.clients:
                c.close()
            if self.server:
                try:
                    st, _ = self.server.stop()
                    if st != 0:
                        self.failed += 1
                        print('FAIL server exit status %s after SIGTERM: %s' % (st, self.server.stderr()[-2000:]))
                    else:
                        self.passed += 1
                        print('ok   server-stop: exit 0 after SIGTERM')
                except TimeoutError as e:
                    self.failed += 1
                    print('FAIL server-stop: %s' % e)
                self.server.kill()
            subprocess.run(['rm', '-rf', self.dir])
        return self.finish(t0)

    def frame_crc_note(self):
        crc = getattr(self, 'frame_crc', set())
        if crc and crc != {1}:  # "each a dx_teleport buffer with its CRC32C"
            print('FAIL listing-crc: listing frames without a CRC32C (FLAGS bit 0 %s)' % sorted(crc))
            self.failed += 1

    def finish(self, t0):
        print('sync_spec_client: %.1f s' % (time.monotonic() - t0))
        print('sync_spec_client: %d passed, %d failed, %d skipped%s' % (
            self.passed, self.failed, self.skipped, ' (%d known discrepancies)' % self.known if self.known else ''))
        return 1 if self.failed else 0


def main(argv):
    verbose = '-v' in argv
    argv = [a for a in argv if a != '-v']
    if len(argv) != 2:
        print('usage: sync_spec_client.py [-v] SERVER_BINARY', file=sys.stderr)
        return 2
    return Tests(argv[1], verbose).main()


if __name__ == '__main__':
    sys.exit(main(sys.argv))
