#!/usr/bin/python3
"""A dx_sync server written in Python from the specifications only (dx_sync.c's
top comment, WIRE FORMAT; dx_hbtp.h; dx_teleport.h's WIRE FORMAT), run against
the REAL client, `dx_sync get`: every answer kind (NOT_MODIFIED, CHUNKS and
PATCH offers, inline and READ, compressed and raw, an old server refusing QUERY
flags) and the ways a buggy or hostile server misbehaves (--bad MODE). Each case
checks the client's exit status, its message, that OUT is byte for byte as it was
after a failure (the new version after a success) and that nothing is left
beside OUT.

usage: sync_spec_server.py DX_SYNC DXDIFF      run the cases
       sync_spec_server.py serve WORLD [--bad M,...] [--zstd] [--no-inline]
                                                one server: prints "READY PORT n"

BLAKE3, FastCDC, the Merkle root and the layouts come from sync_spec_client.py,
HBTP framing and the teleport reader (the writer's self-check) from
hbtp_spec_client.py; the teleport writer is here, from dx_teleport.h. The
server exits when its standard input closes (the driver's end), and the driver
kills each by its pid when its case is done.
"""
import os
import pickle
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True   # no tests/__pycache__ from the imports below

try:
    import zstandard
except ImportError:
    print('SKIP sync_spec_server: the python3 zstandard module is missing (Debian: python3-zstandard)')
    sys.exit(0)

import hbtp_spec_client as hb  # noqa: E402  HBTP + dx_teleport's reader, written from their specs
import sync_spec_client as ssc  # noqa: E402  BLAKE3, FastCDC, Merkle, dx_sync's layouts

from hbtp_spec_client import (HELLO, PING, PONG, RPC, RPC_RESPONSE, ERROR, STREAM_DATA, STREAM_END,  # noqa: E402
                              NOT_MODIFIED, GOAWAY, END_STREAM, COMPRESSED, ACK, PROTOCOL, INTERNAL,
                              BAD_REQUEST, UNKNOWN_METHOD, TOO_LARGE, encode)
from sync_spec_client import (T_OFFER, T_LISTING, T_CHUNK, M_QUERY, M_READ, E_NO_NAME, E_NO_OBJECT,  # noqa: E402
                              E_RANGE, KIND_PATCH, KIND_CHUNKS, INLINE_MAX, MAX_PAYLOAD, READ_MAX, FRAME_CHUNKS)

NAME = b'tool'

# ---------------------------------------------------------------- dx_teleport writer (dx_teleport.h WIRE FORMAT)
K_U8, K_U32, K_U64, K_BYTES, K_PAD, K_STR, K_REF, K_SLICE = 1, 5, 7, 11, 12, 13, 14, 15
K_ALIGN = {K_U8: 1, K_U32: 4, K_U64: 8, K_BYTES: 1, K_PAD: 1, K_STR: 4, K_REF: 4, K_SLICE: 4}
DXTP_CHECKSUM = 1


def rup(x, a):
    return (x + a - 1) // a * a


class Layout:
    """a type as C lays it out: each field at its kind's alignment, the size a multiple of the largest"""

    def __init__(self, tid):
        self.tid = tid
        self.name, spec = ssc.LAYOUTS[tid]
        self.fields, off, self.align = [], 0, 1
        for fname, kind, size, target in spec:
            off = rup(off, K_ALIGN[kind])
            self.fields.append((fname, kind, off, size, target))
            off += size
            self.align = max(self.align, K_ALIGN[kind])
        self.size = rup(off, self.align)
        b = struct.pack('<III', tid, self.size, len(self.fields))
        for fname, kind, foff, size, target in self.fields:
            b += fname.encode() + b'\0' + struct.pack('<IIII', kind, foff, size, target)
        self.fp = hb.fnv1a(b)


LAYOUT = {t: Layout(t) for t in (T_OFFER, T_LISTING, T_CHUNK)}
assert (LAYOUT[T_OFFER].size, LAYOUT[T_LISTING].size, LAYOUT[T_CHUNK].size) == (208, 64, 40)  # the spec's sizes


def tp_write(tids, sections):
    """a buffer of the types tids and sections [(tid, [values])], the root the first
    section's first element; a STR value is bytes, a SLICE one (section, first, count)"""
    table = bytearray()  # strings stacked from the end backwards: a string's off never changes

    def string(b):
        if not b:
            return (0, 0)
        table[0:0] = b + b'\0'
        return (len(table), len(b))
    off, sec_off = 80, []
    for tid, items in sections:
        off = rup(off, LAYOUT[tid].align)
        sec_off.append(off)
        off += LAYOUT[tid].size * len(items)
    body = bytearray()
    for (tid, items), so in zip(sections, sec_off):
        lay = LAYOUT[tid]
        body += bytes(so - 80 - len(body))
        for v in items:
            e = bytearray(lay.size)
            for fname, kind, foff, size, target in lay.fields:
                x = v.get(fname)
                if kind == K_U32:
                    struct.pack_into('<I', e, foff, x or 0)
                elif kind == K_U64:
                    struct.pack_into('<Q', e, foff, x or 0)
                elif kind == K_BYTES:
                    x = x or bytes(size)
                    assert len(x) == size
                    e[foff:foff + size] = x
                elif kind == K_STR:
                    struct.pack_into('<II', e, foff, *string(x or b''))
                elif kind == K_SLICE:
                    s, first, count = x if x else (0, 0, 0)
                    struct.pack_into('<II', e, foff, sec_off[s] + first * LAYOUT[sections[s][0]].size if count else 0,
                                     count)
            body += e
    sec_table = rup(80 + len(body), 8)
    type_table = sec_table + 24 * len(sections)
    field_table = type_table + 40 * len(tids)
    ftabs, p = [], field_table
    for t in tids:
        ftabs.append(p)
        p += 24 * len(LAYOUT[t].fields)
    tail = bytearray()
    for (tid, items), so in zip(sections, sec_off):
        tail += struct.pack('<IIIIII', tid, so, len(items), LAYOUT[tid].size, LAYOUT[tid].align, 0)
    fields = bytearray()
    for t, ft in zip(tids, ftabs):
        lay = LAYOUT[t]
        tail += struct.pack('<QIIIII', lay.fp, t, lay.size, lay.align, len(lay.fields), ft)
        tail += struct.pack('<II', *string(lay.name.encode())) + bytes(4)
        for fname, kind, foff, size, target in lay.fields:
            fields += struct.pack('<II', *string(fname.encode())) + struct.pack('<IIII', foff, size, kind, target)
    tail += fields
    str_off = field_table + len(fields)
    total = str_off + len(table)
    buf = bytearray(80) + body + bytes(sec_table - 80 - len(body)) + tail + table
    assert len(buf) == total
    fp = hb.fnv1a(b''.join(struct.pack('<Q', LAYOUT[t].fp) for t in tids))
    buf[0:4] = b'DXTP'
    struct.pack_into('<HHIII', buf, 4, 1, 1, DXTP_CHECKSUM, 80, total)
    struct.pack_into('<QQIIIIIIII', buf, 24, 0, fp, sec_off[0], sections[0][0], sec_table, len(sections),
                     type_table, len(tids), str_off, len(table))
    struct.pack_into('<I', buf, 20, hb.crc32c(bytes(buf)))
    return bytes(buf)


def offer_buffer(o):
    return tp_write([T_OFFER], [(T_OFFER, [o])])


def listing_frame(root, size, count, first, chunks):
    """chunks: [(id, length)]; an empty one: the slice {0, 0}, sync_chunk still among the layouts"""
    secs = [(T_LISTING, [dict(root=root, size=size, count=count, first=first,
                              chunks=(1, 0, len(chunks)) if chunks else None)])]
    if chunks:
        secs.append((T_CHUNK, [dict(id=i, length=n) for i, n in chunks]))
    return tp_write([T_LISTING, T_CHUNK], secs)


def listing_of(root, size, chunks):
    n = len(chunks)
    if not n:
        return listing_frame(root, 0, 0, 0, [])
    return b''.join(listing_frame(root, size, n, f, chunks[f:f + FRAME_CHUNKS]) for f in range(0, n, FRAME_CHUNKS))


class Blob:
    """a blob the server holds: FastCDC chunks (offset, length, id), its root and listing"""

    def __init__(self, data, chunks=None):
        self.data = data
        self.size = len(data)
        self.chunks = chunks if chunks is not None else [
            (o, n, ssc.chunk_id(data[o:o + n])) for o, n in ssc.cdc_chunks(data)]
        self.root = ssc.merkle_root([c[2] for c in self.chunks])
        self.listing = listing_of(self.root, self.size, [(c[2], c[1]) for c in self.chunks])
        self.listing_digest = ssc.blake3(self.listing)

    def objects(self):
        d = {self.listing_digest: self.listing}
        for o, n, i in self.chunks:
            d[i] = self.data[o:o + n]
        return d


# ---------------------------------------------------------------- the server
class World:
    def __init__(self, path, bad, zstd, no_inline):
        with open(path, 'rb') as f:
            w = pickle.load(f)
        self.bad, self.zstd, self.no_inline = bad, zstd, no_inline
        self.versions = [Blob(d, c) for d, c in w['versions']]
        self.newest = self.versions[-1]
        self.objects = {}
        for v in self.versions:
            self.objects.update(v.objects())
        self.patches = {}
        self.patch_ids = set()
        for idx, (d, c) in w['patches']:
            if 'patch_corrupt' in bad:  # a patch that checks as a blob but not as a patch
                d = bytearray(d)
                d[len(d) // 2] ^= 0x55
                d, c = bytes(d), None
            pb = Blob(d, c)
            self.patches[self.versions[idx].root] = pb
            self.objects.update(pb.objects())
            self.patch_ids.update(i for _, _, i in pb.chunks)
            self.patch_ids.add(pb.listing_digest)
        self.lie = None
        if 'lie_swap_len' in bad:  # a listing that checks (CRC, digest, root) but lies about two lengths
            ch = [(c[2], c[1]) for c in self.newest.chunks]
            ch[0], ch[1] = (ch[0][0], ch[1][1]), (ch[1][0], ch[0][1])
            lb = listing_of(self.newest.root, self.newest.size, ch)
            self.lie = (lb, ssc.blake3(lb))
            self.objects[self.lie[1]] = lb
        self.listings = {self.newest.listing_digest} | ({self.lie[1]} if self.lie else set())
        self.newest_ids = set(c[2] for c in self.newest.chunks)
        self.published_ns = 1764000000 * 10 ** 9
        self.reads = 0
        self.lock = threading.Lock()


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def error(stream, code, msg):
    return encode(ERROR, 0, stream, hb.error_payload(code, msg.encode()))


def chunk_bytes_for(W, root):
    for v in W.versions:
        if v.root == root:
            have = set(c[2] for c in v.chunks)
            return len(W.newest.listing) + sum(n for _, n, i in set(W.newest.chunks) if i not in have)
    return 0


def handle_query(W, stream, body, negotiated):
    bad = W.bad
    if len(body) < 36:
        return error(stream, BAD_REQUEST, 'short query')
    ver, flags, n, z = body[:4]
    root, name = body[4:36], body[36:]
    log('QUERY flags %d' % flags)
    if ver != 2 or flags & ~7 or z or not 1 <= n <= 100 or len(name) != n or (not flags & 1 and any(root)):
        return error(stream, BAD_REQUEST, 'bad query')
    if 'reject_zstd' in bad and flags & 4 or 'reject_inline' in bad and flags & 2:
        return error(stream, BAD_REQUEST, 'an old server: flag %d' % flags)
    if 'internal' in bad:
        return error(stream, INTERNAL, 'cannot read the store')
    if name != NAME or 'no_name' in bad:
        return error(stream, E_NO_NAME, 'no such name')
    newest = W.newest
    if flags & 1 and root == newest.root:
        if 'nm_other_root' in bad:
            return encode(NOT_MODIFIED, 0, stream, W.versions[0].root)
        if 'nm_edit_out' in bad:  # OUT (--out) edited after the client read it, before the answer
            with open(W.out, 'ab') as f:
                f.write(b'edited')
        return encode(NOT_MODIFIED, 0, stream, root)
    o = dict(kind=KIND_CHUNKS, versions=len(W.versions), root=newest.root, size=newest.size,
             listing=newest.listing_digest, listing_size=len(newest.listing), published_ns=W.published_ns, name=name,
             chunk_bytes=chunk_bytes_for(W, root) if flags & 1 else 0)
    inline = flags & 2 and not W.no_inline
    pb = W.patches.get(root) if flags & 1 else None
    if pb is not None:
        small = inline and pb.size <= INLINE_MAX
        if pb.size + (0 if small else len(pb.listing)) < o['chunk_bytes']:
            o.update(kind=KIND_PATCH, patch_listing=pb.listing_digest, patch_listing_size=len(pb.listing),
                     patch_root=pb.root, patch_size=pb.size)
            if small:
                o['patch_inline'] = pb.data
    if o['kind'] == KIND_CHUNKS and inline and len(newest.listing) <= INLINE_MAX:
        o['listing_inline'] = newest.listing
    if W.lie:
        o.update(listing=W.lie[1], listing_size=len(W.lie[0]))
        if 'listing_inline' in o:
            o['listing_inline'] = W.lie[0]
    if 'offer_other_name' in bad:
        o['name'] = b'othername'
    if 'offer_wrong_size' in bad:
        o['size'] += 1
    if 'offer_kind3' in bad:
        o['kind'] = 3
    body = offer_buffer(o)
    if 'offer_crc' in bad:
        body = body[:100] + bytes([body[100] ^ 0xff]) + body[101:]
    if 'offer_trunc' in bad:
        body = body[:-10]
    log('OFFER kind %d%s%s' % (o['kind'], ' listing inline' if o.get('listing_inline') else '',
                               ' patch inline' if o.get('patch_inline') else ''))
    fl = 0
    if 'unasked_zoffer' in bad or flags & 4 and W.zstd:
        body = zstandard.ZstdCompressor(level=9).compress(body)
        fl = COMPRESSED
        log('OFFER compressed')
    payload = hb.rpc_payload(M_QUERY, body)
    if 'query_pieces' in bad:  # the answer in two frames, the first larger than any offer (SYNC_OFFER_MAX)
        junk = bytes(40000)
        return encode(STREAM_DATA, 0, stream, junk) + encode(STREAM_END, END_STREAM, stream, junk)
    if len(payload) > negotiated:
        return error(stream, INTERNAL, 'offer too large')
    return encode(RPC_RESPONSE, fl, stream, payload)


def handle_read(W, stream, body):
    bad = W.bad
    if len(body) not in (44, 45):
        return error(stream, BAD_REQUEST, 'bad read')
    digest = body[:32]
    off, n = struct.unpack_from('<QI', body, 32)
    fl = body[44] if len(body) == 45 else 0
    if fl & ~1 or not 1 <= n <= READ_MAX:
        return error(stream, BAD_REQUEST, 'bad read')
    with W.lock:
        W.reads += 1
        count = W.reads
    obj = W.objects.get(digest)
    if obj is None:
        return error(stream, E_NO_OBJECT, 'no such object')
    if off + n > len(obj):
        return error(stream, E_RANGE, 'range not inside the object')
    data = obj[off:off + n]
    chunk = digest in W.newest_ids
    log('READ %s %d+%d flags %d%s' % (digest[:8].hex(), off, n, fl, ' chunk' if chunk else ''))
    if 'err_range' in bad and chunk:
        return error(stream, E_RANGE, 'range refused')
    if 'no_object' in bad and chunk:
        return error(stream, E_NO_OBJECT, 'no such object')
    if 'bad_chunk' in bad and chunk:
        data = data[:len(data) // 2] + bytes([data[len(data) // 2] ^ 1]) + data[len(data) // 2 + 1:]
    if 'short_read' in bad and chunk:
        data = data[:-1]
    if 'listing_flip' in bad and digest in W.listings and len(data) > 300:
        data = data[:300] + bytes([data[300] ^ 1]) + data[301:]
    if 'rpc_response_read' in bad:
        return encode(RPC_RESPONSE, 0, stream, hb.rpc_payload(M_READ, data))
    if 'split_read' in bad and len(data) > 10:
        return encode(STREAM_DATA, 0, stream, data[:10]) + encode(STREAM_END, END_STREAM, stream, data[10:])
    if 'zwrongsize' in bad and fl & 1:
        return encode(STREAM_END, END_STREAM | COMPRESSED, stream, zstandard.ZstdCompressor().compress(data + b'x'))
    if 'unasked_zstd' in bad and not fl & 1:
        return encode(STREAM_END, END_STREAM | COMPRESSED, stream, zstandard.ZstdCompressor().compress(data))
    if fl & 1 and W.zstd:
        z = zstandard.ZstdCompressor(level=3, write_content_size=True).compress(data)
        if len(z) * 10 <= len(data) * 9:
            log('READ compressed')
            return encode(STREAM_END, END_STREAM | COMPRESSED, stream, z)
    return encode(STREAM_END, END_STREAM, stream, data)


def recvn(s, n):
    b = bytearray()
    while len(b) < n:
        x = s.recv(n - len(b))
        if not x:
            raise EOFError
        b += x
    return bytes(b)


def serve_conn(W, s):
    bad = W.bad
    try:
        op, fl, st, n = hb.HEADER.unpack(recvn(s, 8))
        if op != HELLO or not 24 <= n <= MAX_PAYLOAD:
            s.sendall(error(0, PROTOCOL, 'expected HELLO'))
            return
        p = recvn(s, n)
        mp, mi = struct.unpack_from('<IH', p, 16)
        negotiated = min(MAX_PAYLOAD, mp) if mp else MAX_PAYLOAD
        inflight = 1 if 'inflight1' in bad else min(64, mi or 64)  # inflight1: one request at a time (HBTP allows it)
        s.sendall(encode(HELLO, ACK, 0, hb.hello_payload(max_payload=negotiated, max_inflight=inflight)))
        reads, held = 0, b''
        while True:
            op, fl, st, n = hb.HEADER.unpack(recvn(s, 8))
            if n > negotiated:
                s.sendall(error(0, TOO_LARGE, 'too large'))
                return
            p = recvn(s, n)
            if op == PING:
                s.sendall(encode(PONG, 0, st, p))
            elif op == GOAWAY:
                if not fl & ACK:
                    s.sendall(encode(GOAWAY, ACK, 0))
            elif op == RPC and n >= 4:
                method = struct.unpack_from('<I', p)[0]
                if method == M_QUERY:
                    out = handle_query(W, st, p[4:], negotiated)
                elif method == M_READ:
                    reads += 1
                    if 'close_mid' in bad and reads > 3:
                        log('closing mid-transfer')
                        return
                    if 'goaway_proper' in bad and reads >= 3:
                        if reads == 3:
                            s.sendall(encode(GOAWAY, 0, 0, hb.goaway_payload(st - 1, 0, b'shutting down')))
                        s.sendall(error(st, PROTOCOL, 'after GOAWAY'))
                        continue
                    out = handle_read(W, st, p[4:])
                    if 'reorder' in bad and reads == 3:
                        held = out
                        continue
                    if 'reorder' in bad and reads == 4:
                        out += held
                    if 'trunc_answer' in bad and reads > 3:
                        s.sendall(out[:len(out) // 2])
                        return
                else:
                    out = error(st, UNKNOWN_METHOD, 'unknown method')
                s.sendall(out)
            elif op == RPC:
                s.sendall(error(st, BAD_REQUEST, 'short rpc'))
            elif op not in (ERROR, PONG):
                s.sendall(error(0, PROTOCOL, 'unexpected opcode'))
                return
    except (EOFError, OSError):
        pass
    finally:
        s.close()


def serve(argv):
    world, bad, zstd, no_inline, out = argv[0], set(), False, False, None
    i = 1
    while i < len(argv):
        if argv[i] == '--bad':
            bad = set(argv[i + 1].split(','))
            i += 1
        elif argv[i] == '--out':
            out = argv[i + 1]
            i += 1
        elif argv[i] == '--zstd':
            zstd = True
        elif argv[i] == '--no-inline':
            no_inline = True
        i += 1
    W = World(world, bad, zstd, no_inline)
    W.out = out
    ls = socket.socket()
    ls.bind(('127.0.0.1', 0))
    ls.listen(16)

    def watch_stdin():  # the driver's end: its pipe closes, this server goes
        sys.stdin.buffer.read()
        os._exit(0)
    threading.Thread(target=watch_stdin, daemon=True).start()
    print('READY PORT %d' % ls.getsockname()[1], flush=True)
    while True:
        c, _ = ls.accept()
        threading.Thread(target=serve_conn, args=(W, c), daemon=True).start()


# ---------------------------------------------------------------- the driver
LIVE = set()


def kill_all():
    for pid in list(LIVE):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        LIVE.discard(pid)


def make_versions():
    """v1: 320 KiB of words (zstd shrinks its chunks), v2 and v3: a few edits each"""
    rng = random.Random(2026)
    words = [bytes(rng.choice(b'abcdefghijklmnopqrstuvwxyz') for _ in range(rng.randint(2, 9))) for _ in range(3000)]
    out = bytearray()
    while len(out) < 320 * 1024:
        out += rng.choice(words) + (b'\n' if rng.random() < 0.08 else b' ')
    v1 = bytes(out[:320 * 1024])

    def edit(d, seed):
        r = random.Random(seed)
        d = bytearray(d)
        for _ in range(2):
            at = r.randrange(len(d) - 100)
            d[at:at + 40] = bytes(r.getrandbits(8) for _ in range(r.randint(10, 80)))
        return bytes(d)
    v2 = edit(v1, 2)
    v3 = edit(v2, 3)
    return v1, v2, v3


class Driver:
    def __init__(self, dx_sync, dxdiff, tmp):
        self.dx_sync, self.dxdiff = dx_sync, dxdiff
        self.tmp = tmp
        self.passed = self.failed = 0
        self.v = make_versions()
        self.blobs = [Blob(d) for d in self.v]
        pv = os.path.join(self.tmp, 'v1'), os.path.join(self.tmp, 'v2'), os.path.join(self.tmp, 'p12')
        for path, d in zip(pv[:2], self.v):
            with open(path, 'wb') as f:
                f.write(d)
        r = subprocess.run([dxdiff, 'diff', pv[0], pv[1], pv[2]], capture_output=True)
        if r.returncode:
            raise SystemExit('sync_spec_server: FAIL: dxdiff diff: %s' % r.stderr.decode(errors='replace'))
        with open(pv[2], 'rb') as f:
            self.patch = f.read()
        self.patch_blob = Blob(self.patch)
        hb.Teleport(offer_buffer(dict(kind=2, name=b'x', listing_inline=b'abc')))  # the writer as the reader reads it
        hb.Teleport(self.blobs[0].listing[:struct.unpack_from('<I', self.blobs[0].listing, 16)[0]])
        self.worlds = {}

    def world(self, n, patch):
        key = (n, patch)
        if key not in self.worlds:
            path = os.path.join(self.tmp, 'world-%d-%d' % key)
            w = dict(versions=[(b.data, b.chunks) for b in self.blobs[:n]],
                     patches=[(0, (self.patch, self.patch_blob.chunks))] if patch else [])
            with open(path, 'wb') as f:
                pickle.dump(w, f)
            self.worlds[key] = path
        return self.worlds[key]

    def start(self, n, patch, args, log):
        p = subprocess.Popen([sys.executable, os.path.abspath(__file__), 'serve', self.world(n, patch)] + args,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=open(log, 'w'))
        LIVE.add(p.pid)
        line = p.stdout.readline().decode()
        m = re.match(r'READY PORT (\d+)', line)
        if not m:
            raise RuntimeError('the server did not start: %r' % line)
        return p, int(m.group(1))

    def stop(self, p):
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        LIVE.discard(p.pid)

    def get(self, port, out, cache):
        try:
            r = subprocess.run([self.dx_sync, 'get', '--server', '127.0.0.1:%d' % port, '--cache', cache,
                                '--timeout', '20', NAME.decode(), out], capture_output=True, timeout=90)
            return r.returncode, (r.stdout + r.stderr).decode(errors='replace')
        except subprocess.TimeoutExpired:
            return 'watchdog', ''

    def case(self, what, versions=2, patch=False, args=(), out=None, expect_rc=0, phrase='', want=None,
             cache=None, check=None, port=None):
        """runs the client once; out: the index of the version OUT holds first (None: absent);
        want: the index of the version OUT holds after (None: as it was)"""
        d = os.path.join(self.tmp, 'c%02d' % (self.passed + self.failed))
        os.makedirs(d)
        outp = os.path.join(d, 'OUT')
        if out is not None:
            with open(outp, 'wb') as f:
                f.write(self.v[out])
        before = self.v[out] if out is not None else None
        cache = cache or os.path.join(self.tmp, 'cache-%02d' % (self.passed + self.failed))
        log = d + '.log'
        srv = None
        if port is None:
            srv, port = self.start(versions, patch, list(args), log)
        try:
            rc, msg = self.get(port, outp, cache)
        finally:
            if srv:
                self.stop(srv)
        why = []
        if rc != expect_rc:
            why.append('exit %s, not %d' % (rc, expect_rc))
        if phrase and phrase not in msg:
            why.append('no "%s" in its message' % phrase)
        now = open(outp, 'rb').read() if os.path.exists(outp) else None
        expected = self.v[want] if want is not None else before
        if now != expected:
            why.append('OUT is %s' % ('absent' if now is None else 'not as expected (%d bytes)' % len(now)))
        left = sorted(set(os.listdir(d)) - {'OUT'})
        if left:
            why.append('left beside OUT: %s' % ' '.join(left))
        if check and not why:
            why += check(msg, open(log).read() if os.path.exists(log) else '')
        if why:
            self.failed += 1
            print('FAIL %s: %s\n    client said: %s' % (what, '; '.join(why), msg.strip().replace('\n', '\n    ')))
        else:
            self.passed += 1
            print('ok - %s' % what)
        return cache, outp

    def run(self):
        size2 = len(self.v[1])

        def summary(msg):
            m = re.search(r'(\d+) bytes on the wire.*?(\d+) bytes written \((\d+) from the cache, (\d+) from OUT\)', msg)
            return tuple(int(x) for x in m.groups()) if m else None

        # ---- successes
        # first fetch by chunks; then the same server, the same cache, OUT as fetched: NOT_MODIFIED
        d = os.path.join(self.tmp, 'shared')
        os.makedirs(d)
        log = d + '.log'
        srv, port = self.start(1, False, [], log)
        try:
            cache, outp = self.case('first fetch by chunks: OUT is v1', versions=1, want=0, phrase='chunks, ',
                                    port=port)
            self.case_again('NOT_MODIFIED: "up to date", OUT unchanged', port, outp, cache, 0, 'up to date')
        finally:
            self.stop(srv)
        # the update by chunks: the cache holds v1's chunks
        shutil.copytree(cache, cache + '-v2')
        # OUT edited while the NOT_MODIFIED answer is on its way: the cache must not take OUT's new state for
        # the root it read before (the next get trusted it: "up to date" with OUT not the version)
        d = os.path.join(self.tmp, 'edited')
        os.makedirs(d)
        outp = os.path.join(d, 'OUT')
        with open(outp, 'wb') as f:
            f.write(self.v[0])
        srv, port = self.start(1, False, ['--bad', 'nm_edit_out', '--out', outp], d + '.log')
        try:
            rc, msg = self.get(port, outp, d + '-cache')
        finally:
            self.stop(srv)
        if rc != 0 or 'up to date' not in msg:
            self.failed += 1
            print('FAIL OUT edited during NOT_MODIFIED: the first get: exit %s: %s' % (rc, msg.strip()))
        else:
            srv, port = self.start(1, False, [], d + '.log2')
            try:
                self.case_again('OUT edited while NOT_MODIFIED came: the next get reads it again (not "up to date")',
                                port, outp, d + '-cache', 0, 'chunks, ')
            finally:
                self.stop(srv)

        def few(msg, _log):
            s = summary(msg)
            if not s:
                return ['no summary line']
            wire, written, from_cache, from_out = s
            w = []
            if from_cache + from_out <= 0 or from_cache <= 0:
                w.append('%d bytes from the cache, %d from OUT' % (from_cache, from_out))
            if wire * 2 > size2:
                w.append('%d bytes on the wire for a version of %d' % (wire, size2))
            return w
        self.case('update by chunks: only the new chunks fetched, the rest from the cache', out=0, want=1,
                  phrase='chunks, ', cache=cache + '-v2', check=few)

        def patched(msg, log):
            return [] if 'OFFER kind 1' in log else ['the server made no PATCH offer']
        self.case('PATCH offer, the patch inline', patch=True, out=0, want=1, phrase='patch, ',
                  check=lambda m, lg: patched(m, lg) + ([] if 'patch inline' in lg else ['not inline']))
        self.case('PATCH offer, the patch by READ (--no-inline)', patch=True, args=['--no-inline'], out=0, want=1,
                  phrase='patch, ', check=lambda m, lg: patched(m, lg) + (['inline'] if 'patch inline' in lg else []))
        self.case('CHUNKS offer, the listing by READ (--no-inline)', args=['--no-inline'], want=1, phrase='chunks, ')

        def compressed(msg, log):
            return [w for w in ('OFFER compressed', 'READ compressed') if w not in log]
        self.case('compressed offer and chunks (QUERY flag 4, READ flag 1)', args=['--zstd'], want=1,
                  phrase='chunks, ', check=compressed)

        def asked_thrice(msg, log):
            q = re.findall(r'QUERY flags (\d+)', log)
            return [] if q == ['6', '2', '0'] else ['QUERY flags %s, not 6 2 0' % q]
        self.case('an old server refusing QUERY flags 4 and 2 (BAD_REQUEST): asked again without them',
                  args=['--bad', 'reject_zstd,reject_inline'], want=1, phrase='chunks, ', check=asked_thrice)
        self.case('a damaged patch (checks as a blob, not as a patch): chunks after a failed patch', patch=True,
                  args=['--bad', 'patch_corrupt'], out=0, want=1, phrase='chunks after a failed patch')
        self.case('answers out of order (the third READ\'s after the fourth\'s)', args=['--bad', 'reorder'], want=1,
                  phrase='chunks, ')
        self.case('a server rolled back (an offer of an older version) is taken (TRUST)', versions=1, out=1, want=0,
                  phrase='chunks, ')
        # a cache damaged (kept without fsync: a crash) holding v1's chunks, OUT absent, a server that takes one
        # request at a time (HELLO max_inflight 1): v2's new chunks are READ ahead, the damaged ones again
        def damaged_cache():
            dc, _ = self.case('v1 into a cache that is then damaged', versions=1, want=0, phrase='chunks, ')
            for pack in os.listdir(os.path.join(dc, 'packs')):
                with open(os.path.join(dc, 'packs', pack), 'r+b') as f:
                    b = bytearray(f.read())
                    index_off = struct.unpack_from('<Q', b, len(b) - 56)[0]
                    for at in range(8 + 100, index_off, 1024):  # every object's bytes (records: 8 .. the index)
                        b[at] ^= 0x20
                    f.seek(0)
                    f.write(b)
            return dc
        dcache = damaged_cache()
        self.case('a damaged cache, a server of one request at a time: the damaged chunks are READ again',
                  args=['--bad', 'inflight1'], want=1, cache=dcache, phrase='chunks, ')

        # ---- failures: exit 1, OUT as it was, nothing beside it
        fails = [
            ('an offer of another name', ['offer_other_name'], 0, 'offered another name'),
            ('a listing that lies about two lengths, OUT present', ['lie_swap_len'], 0,
             'listing the server sent does not check'),
            ('a listing damaged on the way (READ)', ['listing_flip'], 0, 'listing the server sent does not check'),
            ('READ answered with RPC_RESPONSE', ['rpc_response_read'], 0, "not as dx_sync's wire format says"),
            ('READ answered in STREAM_DATA pieces', ['split_read'], None, "not as dx_sync's wire format says"),
            ('a listing READ answered in STREAM_DATA pieces', ['split_read', 'R'], 0,
             'listing the server sent does not check'),
            ('a compressed chunk of the wrong content size', ['zwrongsize'], 0, 'does not match its id'),
            ('a chunk with wrong bytes', ['bad_chunk'], 0, 'does not match its id'),
            ('a chunk one byte short', ['short_read'], 0, 'does not match its id'),
            ('a bad offer CRC', ['offer_crc'], 0, 'does not check'),
            ('a truncated offer', ['offer_trunc'], 0, 'does not check'),
            ('an offer of kind 3', ['offer_kind3'], 0, 'does not check'),
            ('a compressed offer not asked for', ['reject_zstd', 'unasked_zoffer'], 0, 'does not check'),
            ('NOT_MODIFIED for another root', ['nm_other_root'], 1, 'NOT_MODIFIED for another version'),
            ('ERROR 0x8003 to a chunk READ', ['err_range'], 0, "refused a READ's range"),
            ('ERROR 0x8002 to a chunk READ', ['no_object'], 0, 'lacks an object it offered'),
            ('GOAWAY then ERROR PROTOCOL', ['goaway_proper'], None, 'refused a request as outside its protocol'),
            ('the connection closed mid-transfer', ['close_mid'], None, 'the connection failed'),
            ('half an answer, then the close', ['trunc_answer'], None, 'the connection failed'),
            ('an offer whose size is not the listing\'s', ['offer_wrong_size'], 0,
             'listing the server sent does not check'),
            ('ERROR 9 to the QUERY', ['internal'], 0, 'cannot read its store'),
            ('ERROR 0x8001 to the QUERY', ['no_name'], 0, 'has no such name'),
            ('the QUERY answered in STREAM_DATA pieces, the first larger than an offer', ['query_pieces'], 0,
             "not as dx_sync's wire format says"),
        ]
        for what, bad, out, phrase in fails:
            # R: the listing READ, not inline (so a misbehaviour meets its READ first)
            args = (['--no-inline'] if 'R' in bad or 'listing_flip' in bad else []) + ['--bad', ','.join(bad)]
            self.case('%s: "%s", OUT %s' % (what, phrase, 'as it was' if out is not None else 'still absent'),
                      args=args, out=out, expect_rc=1, phrase=phrase)
        # a chunk READ alone (its copy in the cache damaged: not READ ahead) answered one byte short: said as a
        # chunk that does not match its id, as when READ ahead (not "the connection failed")
        self.case('a damaged cache, a chunk READ again answered one byte short: "does not match its id"',
                  versions=1, args=['--bad', 'short_read'], cache=damaged_cache(), expect_rc=1,
                  phrase='does not match its id')
        print('sync_spec_server: %d passed, %d failed' % (self.passed, self.failed))
        return self.failed == 0

    def case_again(self, what, port, outp, cache, have, phrase):
        rc, msg = self.get(port, outp, cache)
        now = open(outp, 'rb').read() if os.path.exists(outp) else None
        why = []
        if rc != 0:
            why.append('exit %s' % rc)
        if phrase not in msg:
            why.append('no "%s"' % phrase)
        if now != self.v[have]:
            why.append('OUT changed')
        if sorted(os.listdir(os.path.dirname(outp))) != ['OUT']:
            why.append('files beside OUT')
        if why:
            self.failed += 1
            print('FAIL %s: %s\n    client said: %s' % (what, '; '.join(why), msg.strip()))
        else:
            self.passed += 1
            print('ok - %s' % what)


def main(argv):
    if argv[1:2] == ['serve']:
        serve(argv[2:])
        return 0
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    t0 = time.time()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    tmp = tempfile.mkdtemp(prefix='sync_spec_server.')
    try:
        ok = Driver(argv[1], argv[2], tmp).run()
    finally:
        kill_all()
        if os.environ.get('SYNC_SPEC_SERVER_KEEP') is None:  # set: the cases' folders and server logs are kept
            shutil.rmtree(tmp, ignore_errors=True)
    print('sync_spec_server: %.1f s' % (time.time() - t0))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv))
