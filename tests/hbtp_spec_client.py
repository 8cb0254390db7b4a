#!/usr/bin/env python3
"""tests/hbtp_spec_client.py SERVER_BINARY - a second HBTP client, written
from dx_hbtp.h's WIRE FORMAT section (and hbtp_server.c's top comment,
dx_teleport.h's WIRE FORMAT for USERS), not from the C code; then run
against a real hbtp_server it starts on 127.0.0.1 over TCP.

Python 3 standard library only. Every frame the server sends goes through
a strict checker (Conn._check): a frame the spec forbids fails the test.
Prints one line per test and "hbtp_spec_client: N passed, N failed,
N skipped" last; a test that cannot run prints "SKIP <what>: <why>".
Timeouts are watchdogs only (30 s): every wait is for an event.
"""
import base64
import collections
import hashlib
import hmac
import json
import os
import select
import signal
import socket
import struct
import subprocess
import tempfile
import sys
import time

WATCHDOG = 30.0

# ---------------------------------------------------------------- the wire
# frame header: u8 opcode, u8 flags, u16 stream, u32 length (little-endian)
HEADER = struct.Struct('<BBHI')
HELLO, PING, PONG, RPC, RPC_RESPONSE, ERROR, STREAM_DATA, STREAM_END, NOT_MODIFIED, GOAWAY = range(1, 11)
OPNAMES = {HELLO: 'HELLO', PING: 'PING', PONG: 'PONG', RPC: 'RPC', RPC_RESPONSE: 'RPC_RESPONSE',
           ERROR: 'ERROR', STREAM_DATA: 'STREAM_DATA', STREAM_END: 'STREAM_END',
           NOT_MODIFIED: 'NOT_MODIFIED', GOAWAY: 'GOAWAY'}
END_STREAM, COMPRESSED, MORE, ACK, TIMING = 0x01, 0x02, 0x04, 0x08, 0x10
REQUIRED_FLAGS = 0x7f          # bits 0-6 are required: an unknown one (0x20, 0x40) is refused
KNOWN_FLAGS = 0x1f             # bit 7 is optional: ignored
HELLO_FIXED = 24               # "HBTP", major, minor, u16 token length, u64 caps, u32 max payload, u16 max in flight, u16 reserved
MIN_PAYLOAD = 64
CAP_TIMING = 1
# error codes
NONE, PROTOCOL, VERSION, UNKNOWN_OPCODE, UNKNOWN_METHOD, TOO_LARGE, TOO_MANY_INFLIGHT, RATE_LIMITED, \
    UNAUTHORIZED, INTERNAL, BAD_REQUEST = range(11)
# hbtp_server's methods and application errors
M_ECHO, M_GET, M_SET, M_DEL, M_WHOAMI, M_USERS = 1, 2, 3, 4, 5, 6
E_NOT_FOUND, E_FULL, E_NO_SUB = 0x8001, 0x8002, 0x8003


def is_reserved_opcode(op):
    return op == 0 or 0x0b <= op <= 0x7f


def is_request_opcode(op):
    return op in (RPC, STREAM_DATA, STREAM_END) or op >= 0x80


def opname(op):
    return OPNAMES.get(op, 'APP_0x%02x' % op if op >= 0x80 else 'opcode 0x%02x' % op)


def encode(opcode, flags, stream, payload=b''):
    return HEADER.pack(opcode, flags, stream, len(payload)) + payload


def hello_payload(token=b'', caps=0, max_payload=0, max_inflight=0, major=1, minor=0, reserved=0):
    return b'HBTP' + struct.pack('<BBHQIHH', major, minor, len(token), caps, max_payload,
                                 max_inflight, reserved) + token


def rpc_payload(method, body=b''):
    return struct.pack('<I', method) + body


def error_payload(code, message=b''):
    return struct.pack('<HH', code, 0) + message


def goaway_payload(last_stream, code, message=b''):
    return struct.pack('<HH', last_stream, code) + message


def parse_hex_vector(path):
    """a tests/vectors/hbtp/*.hex file: '#' comments, hex bytes, '= ok' / '= fatal'
    separating what the peer sends from the answer. Returns (sent, verdict, answer)."""
    sent, answer, verdict = bytearray(), bytearray(), None
    for line in open(path):
        line = line.strip()
        if line.startswith('='):
            verdict = line[1:].strip()
            continue
        if not line or line.startswith('#'):
            continue
        (answer if verdict else sent).extend(bytes.fromhex(line))
    return bytes(sent), verdict, bytes(answer)


class Frame:
    __slots__ = ('opcode', 'flags', 'stream', 'payload', 'timing_us', 'raw')

    def __init__(self, opcode, flags, stream, payload, raw):
        self.opcode, self.flags, self.stream, self.payload, self.raw = opcode, flags, stream, payload, raw
        self.timing_us = None

    def __repr__(self):
        return '%s flags 0x%02x stream %d payload %r' % (opname(self.opcode), self.flags, self.stream,
                                                         bytes(self.payload[:48]))

    def error_code(self):
        return struct.unpack_from('<H', self.payload)[0]

    def rpc(self):
        """(method id, body) of an RPC_RESPONSE"""
        return struct.unpack_from('<I', self.payload)[0], bytes(self.payload[4:])


class Violation(Exception):
    """the server sent something the spec forbids"""


class Closed(Exception):
    """the server closed the connection"""


class Request:
    __slots__ = ('seq', 'stream', 'opcode', 'method', 'body', 'frames', 'final', 'after_goaway')

    def __init__(self, seq, stream, opcode, method, body):
        self.seq, self.stream, self.opcode, self.method, self.body = seq, stream, opcode, method, body
        self.frames, self.final, self.after_goaway = [], None, False

    def answer(self):
        """the final frame"""
        return self.final


# ---------------------------------------------------------------- a client
class Conn:
    """One HBTP client connection, with the spec's client rules as a strict
    checker of everything the server sends."""

    def __init__(self, port, host='127.0.0.1', log=None, sock=None):
        if sock is None:
            sock = socket.create_connection((host, port), timeout=WATCHDOG)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = sock
        self.sock.setblocking(False)
        self.rbuf = bytearray()
        self.eof = False
        self.log = log
        # HELLO state
        self.offer = None            # (caps, max_payload, max_inflight) we offered
        self.acked = False
        self.caps = 0
        self.max_payload = None      # the limit we hold the server's frames to (None: no limit yet)
        self.max_inflight = None
        # requests
        self.next_stream = 1
        self.seq = 0
        self.inflight = collections.OrderedDict()   # stream -> Request, in the order sent
        self.done = []                              # finished Requests, in the order their final frame came
        self.pings = collections.deque()            # (stream, payload) sent, not yet answered
        self.pongs = 0
        # GOAWAY / errors
        self.goaway = None           # (last_stream, code, message) the server sent
        self.goaway_ack = False      # the server's GOAWAY|ACK arrived
        self.sent_goaway = False
        self.sent_goaway_ack = False
        self.conn_errors = []        # ERROR frames on stream 0
        self.app_frames = []         # other frames on stream 0 (the application's)
        self.timing_ops = collections.Counter()     # opcodes that carried TIMING
        self.frames_in = 0

    # ---- bytes
    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def _pump(self, out, deadline):
        """send out (bytes) fully while taking in whatever arrives (no deadlock
        when both sides write); returns when out is sent."""
        view = memoryview(out)
        while view:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError('watchdog: could not send for %.0f s' % WATCHDOG)
            r, w, _ = select.select([] if self.eof else [self.sock], [self.sock], [], left)
            if r:
                self._read_some()
            if w:
                try:
                    n = self.sock.send(view)
                except BlockingIOError:
                    continue
                view = view[n:]

    def _read_some(self):
        try:
            data = self.sock.recv(1 << 16)
        except BlockingIOError:
            return
        except ConnectionResetError:
            self.eof = True
            raise Closed('connection reset by the server')
        if not data:
            self.eof = True
        self.rbuf += data

    def send_raw(self, data):
        self._pump(data, time.monotonic() + WATCHDOG)

    def send_frame(self, opcode, flags, stream, payload=b''):
        self.send_raw(encode(opcode, flags, stream, payload))

    def _next_raw_frame(self, deadline):
        """the next whole frame's bytes; checks the header before waiting for the body"""
        while True:
            if len(self.rbuf) >= 8:
                op, flags, stream, length = HEADER.unpack_from(self.rbuf)
                self._check_header(op, flags, stream, length)
                if len(self.rbuf) >= 8 + length:
                    raw = bytes(self.rbuf[:8 + length])
                    del self.rbuf[:8 + length]
                    return raw
            if self.eof:
                if self.rbuf:
                    raise Violation('the server closed inside a frame: %s' % bytes(self.rbuf[:32]).hex(' '))
                raise Closed('the server closed the connection')
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError('watchdog: nothing from the server for %.0f s' % WATCHDOG)
            r, _, _ = select.select([self.sock], [], [], left)
            if r:
                self._read_some()

    def recv(self, timeout=WATCHDOG):
        """the next frame from the server, checked and acted on (PING answered,
        GOAWAY acknowledged, answers matched to their requests)"""
        raw = self._next_raw_frame(time.monotonic() + timeout)
        op, flags, stream, length = HEADER.unpack_from(raw)
        f = Frame(op, flags, stream, memoryview(raw)[8:], raw)
        self.frames_in += 1
        if self.log:
            self.log('<- %r' % f)
        self._check(f)
        return f

    def wait_closed(self, timeout=WATCHDOG):
        """read (and check) frames until the server closes; returns them"""
        frames = []
        try:
            while True:
                frames.append(self.recv(timeout))
        except Closed:
            return frames

    # ---- the client rules (dx_hbtp.h WIRE FORMAT), applied to the server's frames
    def _check_header(self, op, flags, stream, length):
        if is_reserved_opcode(op):
            raise Violation('reserved opcode 0x%02x from the server (header %s)' % (op, bytes(self.rbuf[:8]).hex(' ')))
        if flags & REQUIRED_FLAGS & ~KNOWN_FLAGS:
            raise Violation('unknown required flag 0x%02x from the server' % flags)
        if self.max_payload is not None and length > self.max_payload:
            raise Violation('%s of %d bytes, above the max payload %d (refused on its header)'
                            % (opname(op), length, self.max_payload))

    def _check(self, f):
        op, flags, stream = f.opcode, f.flags, f.stream
        # flag bit 7 is optional: ignored
        # TIMING: only when both sides have the capability; a trailer of 4 bytes, stripped
        if flags & TIMING:
            if not (self.caps & CAP_TIMING):
                raise Violation('TIMING flag without the negotiated TIMING capability: %r' % f)
            if len(f.payload) < 4:
                raise Violation('TIMING frame shorter than 4 bytes: %r' % f)
            f.timing_us = struct.unpack_from('<I', f.payload, len(f.payload) - 4)[0]
            f.payload = f.payload[:-4]
            self.timing_ops[op] += 1
        if not self.acked:
            # the server's first frame is HELLO|ACK, or ERROR on stream 0 then GOAWAY
            if op == HELLO:
                return self._check_ack(f)
            if op == ERROR and stream == 0:
                self._check_error(f)
                self.conn_errors.append(f)
                return
            if op == GOAWAY:
                return self._on_goaway(f)
            raise Violation('before HELLO|ACK: %r' % f)
        if op == HELLO:
            raise Violation('HELLO after HELLO|ACK: %r' % f)
        if op == PING:
            self.send_frame(PONG, 0, stream, bytes(f.payload))    # a client answers PING too
            return
        if op == PONG:
            if (stream, bytes(f.payload)) not in self.pings:
                raise Violation('PONG that answers no PING: %r' % f)
            self.pings.remove((stream, bytes(f.payload)))
            self.pongs += 1
            return
        if op == RPC:
            raise Violation('RPC from the server: %r' % f)
        if op == GOAWAY:
            return self._on_goaway(f)
        if op == ERROR:
            self._check_error(f)
        if op == RPC_RESPONSE and len(f.payload) < 4:
            raise Violation('RPC_RESPONSE shorter than its 4-byte method id: %r' % f)
        if stream == 0:
            if op == ERROR:
                self.conn_errors.append(f)
            else:
                self.app_frames.append(f)
            return
        # an answer: RPC_RESPONSE, ERROR, NOT_MODIFIED, STREAM_DATA, STREAM_END, 0x80-0xff
        req = self.inflight.get(stream)
        if req is None:
            raise Violation('answer on a stream not in flight: %r' % f)
        oldest = next(iter(self.inflight.values()))
        if req is not oldest:
            raise Violation('answer out of order: %r came before the answer to stream %d (sent earlier)'
                            % (f, oldest.stream))
        if op == RPC_RESPONSE:
            method = struct.unpack_from('<I', f.payload)[0]
            want = req.method if req.opcode == RPC else 0
            if method != want:
                raise Violation('RPC_RESPONSE with method id %d to a request with method id %d: %r'
                                % (method, want, f))
        req.frames.append(f)
        final = not (flags & MORE) and not (op == STREAM_DATA and not (flags & END_STREAM))
        if final:
            req.final = f
            del self.inflight[stream]
            self.done.append(req)

    def _check_error(self, f):
        if len(f.payload) < 4:
            raise Violation('ERROR shorter than 4 bytes: %r' % f)
        if struct.unpack_from('<H', f.payload, 2)[0] != 0:
            raise Violation('ERROR with a nonzero reserved field: %r' % f)
        try:
            bytes(f.payload[4:]).decode('utf-8')
        except UnicodeDecodeError:
            raise Violation('ERROR message is not UTF-8: %r' % f)

    def _check_ack(self, f):
        p = f.payload
        if not (f.flags & ACK):
            raise Violation('HELLO without ACK from the server: %r' % f)
        if f.flags & ~ACK & KNOWN_FLAGS:
            raise Violation('HELLO|ACK with other flags: %r' % f)
        if f.stream != 0:
            raise Violation('HELLO|ACK off stream 0: %r' % f)
        if len(p) < HELLO_FIXED or bytes(p[:4]) != b'HBTP':
            raise Violation('malformed HELLO|ACK: %r' % f)
        major, minor, toklen, caps, maxp, maxf, reserved = struct.unpack_from('<BBHQIHH', p, 4)
        if major != 1:
            raise Violation('HELLO|ACK major %d' % major)
        if len(p) != HELLO_FIXED + toklen:
            raise Violation('HELLO|ACK payload %d bytes, not 24 + token length %d' % (len(p), toklen))
        if toklen != 0:
            raise Violation('HELLO|ACK with a token (the spec: token length 0)')
        if reserved != 0:
            raise Violation('HELLO|ACK reserved field %d' % reserved)
        if 1 <= maxp < MIN_PAYLOAD:
            raise Violation('HELLO|ACK max payload %d (1-63 is malformed)' % maxp)
        our_caps, our_maxp, our_maxf = self.offer
        if caps & ~our_caps:
            raise Violation('HELLO|ACK capabilities 0x%x not a subset of ours 0x%x (the AND)' % (caps, our_caps))
        if caps & 0xfffffffe:
            raise Violation('HELLO|ACK reserved capability bits 1-31: 0x%x' % caps)
        # "for each limit the smaller of the two (its own where the client said 0)"
        if our_maxp and not (MIN_PAYLOAD <= maxp <= our_maxp):
            raise Violation('HELLO|ACK max payload %d, not the smaller of ours (%d) and the server\'s' % (maxp, our_maxp))
        if our_maxf and not (1 <= maxf <= our_maxf):
            raise Violation('HELLO|ACK max in flight %d, not the smaller of ours (%d) and the server\'s' % (maxf, our_maxf))
        self.acked = True
        self.caps = caps
        self.ack = (caps, maxp, maxf, minor)
        # the client adopts the smaller of the ACK's and its own (0: no preference)
        self.max_payload = min(x for x in (maxp, our_maxp, 1 << 32) if x)
        self.max_inflight = min(x for x in (maxf, our_maxf, 1 << 16) if x)

    def _on_goaway(self, f):
        p = f.payload
        if f.stream != 0:
            raise Violation('GOAWAY off stream 0: %r' % f)
        if f.flags & ACK:
            if len(p):
                raise Violation('GOAWAY|ACK with a payload: %r' % f)
            if not self.sent_goaway:
                raise Violation('GOAWAY|ACK to no GOAWAY: %r' % f)
            self.goaway_ack = True
            return
        if len(p) < 4:
            raise Violation('GOAWAY shorter than 4 bytes: %r' % f)
        if self.goaway is not None:
            raise Violation('a second GOAWAY: %r' % f)
        last, code = struct.unpack_from('<HH', p)
        self.goaway = (last, code, bytes(p[4:]).decode('utf-8', 'replace'))
        if self.conn_errors and self.conn_errors[-1].error_code() != code and code != TOO_MANY_INFLIGHT:
            raise Violation('GOAWAY code %d does not repeat the ERROR\'s %d' % (code, self.conn_errors[-1].error_code()))
        # requests after last stream were not handled: they must get ERROR PROTOCOL
        last_seq = 0
        for r in list(self.done) + list(self.inflight.values()):
            if r.stream == last and last != 0:
                last_seq = max(last_seq, r.seq)
        for r in self.inflight.values():
            r.after_goaway = r.seq > last_seq
        if not self.sent_goaway_ack and not self.eof:
            try:
                self.send_frame(GOAWAY, ACK, 0)          # a client answers GOAWAY with GOAWAY|ACK
            except (OSError, Closed):
                pass
            self.sent_goaway_ack = True

    # ---- requests
    def hello(self, token=b'', caps=CAP_TIMING, max_payload=0, max_inflight=0, wait=True):
        self.offer = (caps, max_payload, max_inflight)
        # before the ACK our own configured limit applies
        self.max_payload = max_payload or None
        self.send_frame(HELLO, 0, 0, hello_payload(token, caps, max_payload, max_inflight))
        if wait:
            f = self.recv()
            if f.opcode != HELLO:
                return f
            return self.ack
        return None

    def _new_stream(self):
        for _ in range(65536):
            s = self.next_stream
            self.next_stream = 1 if s == 65535 else s + 1     # after 65535 comes 1; 0 is never used
            if s not in self.inflight:                        # an id still in flight is skipped
                return s
        raise RuntimeError('no free stream id')

    def request(self, opcode, method, body=b'', flags=0, send=True):
        """queue one request (RPC when opcode is RPC); the caller keeps the window"""
        if self.goaway is not None:
            raise RuntimeError('no new requests after GOAWAY')
        if self.max_inflight is not None and len(self.inflight) >= self.max_inflight:
            raise RuntimeError('max in flight reached')
        s = self._new_stream()
        self.seq += 1
        req = Request(self.seq, s, opcode, method, body)
        self.inflight[s] = req
        payload = rpc_payload(method, body) if opcode == RPC else body
        frame = encode(opcode, flags, s, payload)
        if send:
            self.send_raw(frame)
        return req, frame

    def call(self, method, body=b''):
        req, _ = self.request(RPC, method, body)
        return req

    def wait(self, req, timeout=WATCHDOG):
        """read frames until req has its final frame"""
        while req.final is None:
            self.recv(timeout)
        return req.final

    def rpc(self, method, body=b''):
        return self.wait(self.call(method, body))

    def ping(self, payload=b'', stream=0):
        self.pings.append((stream, payload))
        self.send_frame(PING, 0, stream, payload)
        while (stream, payload) in self.pings:
            self.recv()

    def pipeline(self, items):
        """send every (method, body) keeping at most max_in_flight unanswered;
        returns the Requests in the order sent"""
        reqs, batch = [], []
        items = list(items)
        i = 0
        while i < len(items) or self.inflight:
            room = self.max_inflight - len(self.inflight)
            batch = []
            while room > 0 and i < len(items):
                method, body = items[i]
                req, frame = self.request(RPC, method, body, send=False)
                reqs.append(req)
                batch.append(frame)
                room -= 1
                i += 1
            if batch:
                self.send_raw(b''.join(batch))
            if self.inflight:
                self.recv()
        return reqs

    def upload(self, method, body, piece):
        """a large body as STREAM_DATA pieces on one stream, STREAM_END with
        END_STREAM last; the first piece starts with the u32 method id"""
        data = rpc_payload(method, body)
        s = self._new_stream()
        self.seq += 1
        req = Request(self.seq, s, STREAM_END, method, body)
        self.inflight[s] = req
        out = []
        for off in range(0, len(data), piece):
            out.append((data[off:off + piece]))
        if not out:
            out = [b'']
        frames = [encode(STREAM_DATA, 0, s, p) for p in out[:-1]] + [encode(STREAM_END, END_STREAM, s, out[-1])]
        self.send_raw(b''.join(frames))
        return req

    def note_sent(self, raw):
        """take bytes sent raw (a vector's script) into the client state, frame
        by frame, as if this client had sent them: HELLO's offer, requests in
        flight, PINGs, GOAWAY; then the checker judges the server's answers."""
        off = 0
        while off + 8 <= len(raw):
            op, flags, stream, length = HEADER.unpack_from(raw, off)
            payload = raw[off + 8:off + 8 + length]
            off += 8 + length
            if op == HELLO and self.offer is None and len(payload) >= HELLO_FIXED:
                caps, maxp, maxf = struct.unpack_from('<QIH', payload, 8)
                self.offer = (caps, maxp, maxf)
                self.max_payload = maxp or None
            elif op == PING:
                self.pings.append((stream, bytes(payload)))
            elif op == GOAWAY and not (flags & ACK):
                self.sent_goaway = True
            elif is_request_opcode(op) and stream != 0 and not (op == STREAM_DATA and not (flags & END_STREAM)):
                self.seq += 1
                method = struct.unpack_from('<I', payload)[0] if op == RPC and len(payload) >= 4 else 0
                self.inflight[stream] = Request(self.seq, stream, op, method, payload[4:])

    def finish(self, timeout=WATCHDOG):
        """after a GOAWAY (either side): read until both sides said GOAWAY
        (or GOAWAY|ACK) and every answer is in, then close the transport.
        The spec says the transport "closes" then, not which side closes it:
        this client closes it itself (hbtp_server waits for the client to)."""
        while self.inflight or not ((self.goaway is not None and self.sent_goaway_ack)
                                    or (self.sent_goaway and self.goaway_ack)):
            self.recv(timeout)
        self.close()

    def goaway_send(self, code=NONE, message=b'bye'):
        self.sent_goaway = True
        self.send_frame(GOAWAY, 0, 0, goaway_payload(0, code, message))


# ---------------------------------------------------------------- dx_teleport (USERS)
FNV_BASIS, FNV_PRIME = 0xcbf29ce484222325, 0x100000001b3
TP_KINDS = {1: (1, 1), 2: (1, 1), 3: (2, 2), 4: (2, 2), 5: (4, 4), 6: (4, 4), 7: (8, 8), 8: (8, 8),
            9: (4, 4), 10: (8, 8), 11: (None, 1), 12: (None, 1), 13: (8, 4), 14: (4, 4), 15: (8, 4)}
K_U32, K_U64, K_F64, K_PAD, K_STR, K_REF, K_SLICE = 5, 7, 10, 12, 13, 14, 15


def fnv1a(data, h=FNV_BASIS):
    for b in data:
        h = ((h ^ b) * FNV_PRIME) & 0xffffffffffffffff
    return h


def crc32c(data):
    crc = 0xffffffff
    table = crc32c.table
    for b in data:
        crc = table[(crc ^ b) & 0xff] ^ (crc >> 8)
    return crc ^ 0xffffffff


crc32c.table = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82f63b78 if _c & 1 else _c >> 1
    crc32c.table.append(_c)


class TeleportError(Exception):
    pass


class Teleport:
    """a dx_teleport buffer read as dx_teleport.h's WIRE FORMAT, Reading, says"""

    def __init__(self, buf):
        def bad(why):
            raise TeleportError(why)
        self.buf = b = bytes(buf)
        if len(b) >= 4 and b[:4] != b'DXTP':
            bad('magic')
        if len(b) < 80:
            bad('truncated header')
        (major, minor, flags, hsize, total, crc, caps, fp, root, root_type, sec_off, sec_n, typ_off, typ_n,
         str_off, str_size, reserved) = struct.unpack_from('<HHIIIIQQIIIIIIIIQ', b, 4)
        if major != 1 or flags & 0xfffe & 0xffff:
            bad('unsupported major %d or flags 0x%x' % (major, flags))
        if hsize < 80 or hsize % 8 or total < hsize:
            bad('header size')
        if total > len(b):
            bad('truncated: total %d of %d' % (total, len(b)))
        if flags & 1:
            if crc32c(b[:20] + b'\0\0\0\0' + b[24:total]) != crc:
                bad('checksum')
        elif crc != 0:
            bad('crc word without CHECKSUM')
        if reserved:
            bad('reserved')
        if sec_n > 65536 or typ_n > 256:
            bad('limit')

        def within(off, size):
            return hsize <= off and off + size <= total
        if not within(sec_off, sec_n * 24) or not within(typ_off, typ_n * 40) or not within(str_off, str_size):
            bad('tables outside the buffer')
        if str_size and b[str_off + str_size - 1] != 0:
            bad('string table does not end in NUL')
        self.str_off, self.str_size, self.total = str_off, str_size, total
        self.types = {}
        order = []
        for t in range(typ_n):
            e = typ_off + 40 * t
            tfp, tid, size, align, nfields, ftab, noff, nlen, tres = struct.unpack_from('<QIIIIIIII', b, e)
            if tid == 0 or size == 0 or not self._align_ok(align) or size % align or tres:
                bad('type %d' % t)
            name = self.string(noff, nlen)
            if nfields == 0 or nfields > 256 or not within(ftab, nfields * 24) or tid in self.types:
                bad('type %d fields' % t)
            fields, end, h = [], 0, fnv1a(struct.pack('<III', tid, size, nfields))
            for i in range(nfields):
                fno, fnl, foff, fsize, kind, target = struct.unpack_from('<IIIIII', b, ftab + 24 * i)
                fname = self.string(fno, fnl)
                if kind not in TP_KINDS:
                    bad('field kind %d' % kind)
                ksize, kalign = TP_KINDS[kind]
                if fsize == 0 or (ksize and fsize != ksize) or foff < end or foff + fsize > size or foff % kalign:
                    bad('field %s' % fname)
                if (target != 0) != (kind in (K_REF, K_SLICE)):
                    bad('field %s target' % fname)
                if align < kalign:
                    bad('type align')
                end = foff + fsize
                fields.append((fname, kind, foff, fsize, target))
                h = fnv1a(fname.encode('latin-1') + b'\0' +
                          struct.pack('<IIII', kind, foff, fsize, target), h)
            if h != tfp:
                bad('type fingerprint of %s' % name)
            self.types[tid] = dict(name=name, size=size, align=align, fields=fields)
            order.append((tid, tfp))
        for tid, tfp in order:
            for fname, kind, foff, fsize, target in self.types[tid]['fields']:
                if target and target not in self.types:
                    bad('target %d of %s' % (target, fname))
        if fnv1a(b''.join(struct.pack('<Q', tfp) for _, tfp in order)) != fp:
            bad('header fingerprint')
        self.sections = []
        prev_end = hsize
        for i in range(sec_n):
            tid, off, count, esize, align, sres = struct.unpack_from('<IIIIII', b, sec_off + 24 * i)
            if count == 0 or esize == 0 or not self._align_ok(align) or off % align or off < prev_end \
                    or off + count * esize > total or sres:
                bad('section %d' % i)
            if tid and (tid not in self.types or self.types[tid]['size'] != esize or self.types[tid]['align'] != align):
                bad('section %d type' % i)
            prev_end = off + count * esize
            self.sections.append((tid, off, count, esize))
        for tid, off, count, esize in self.sections:
            if not tid:
                continue
            for k in range(count):
                for fname, kind, foff, fsize, target in self.types[tid]['fields']:
                    at = off + k * esize + foff
                    if kind == K_STR:
                        self.string(*struct.unpack_from('<II', b, at))
                    elif kind == K_REF:
                        r = struct.unpack_from('<I', b, at)[0]
                        if r and self.resolve(r, target) is None:
                            bad('REF %s' % fname)
                    elif kind == K_SLICE:
                        so, sc = struct.unpack_from('<II', b, at)
                        if (so, sc) != (0, 0):
                            loc = self.resolve(so, target) if sc else None
                            if loc is None or loc[1] + sc > self.sections[loc[0]][2]:
                                bad('SLICE %s' % fname)
        self.root = None
        if root:
            self.root = self.resolve(root, root_type)
            if self.root is None:
                bad('root')
            self.root_type = root_type

    @staticmethod
    def _align_ok(a):
        return 0 < a <= 4096 and a & (a - 1) == 0

    def string_bytes(self, off, length):
        """the spec: "Strings hold any bytes (NUL too): their length is len" """
        if (off, length) == (0, 0):
            return b''
        if not (length < off <= self.str_size):
            raise TeleportError('string {%d, %d} outside the table' % (off, length))
        start = self.str_off + self.str_size - off
        if self.buf[start + length] != 0:
            raise TeleportError('string without its NUL')
        return bytes(self.buf[start:start + length])

    def string(self, off, length):
        return self.string_bytes(off, length).decode('utf-8', 'replace')

    def resolve(self, ref, tid):
        """(section index, element index) of the element of type tid at ref, or None"""
        for i, (stid, off, count, esize) in enumerate(self.sections):
            if stid == tid and off <= ref < off + count * esize and (ref - off) % esize == 0:
                return i, (ref - off) // esize
        return None

    def read(self, tid, loc):
        """element loc = (section, index) as a dict of field name -> value"""
        stid, off, count, esize = self.sections[loc[0]]
        base = off + loc[1] * esize
        out = {}
        for fname, kind, foff, fsize, target in self.types[tid]['fields']:
            at = base + foff
            if kind == K_STR:
                out[fname] = self.string(*struct.unpack_from('<II', self.buf, at))
                out[fname + '@bytes'] = self.string_bytes(*struct.unpack_from('<II', self.buf, at))
            elif kind == K_SLICE:
                out[fname] = struct.unpack_from('<II', self.buf, at)
            elif kind in (K_PAD, 11):
                out[fname] = self.buf[at:at + fsize]
            else:
                fmt = {1: 'B', 2: 'b', 3: 'H', 4: 'h', 5: 'I', 6: 'i', 7: 'Q', 8: 'q', 9: 'f', 10: 'd', 14: 'I'}[kind]
                out[fname] = struct.unpack_from('<' + fmt, self.buf, at)[0]
        return out


# ---------------------------------------------------------------- the server under test
class Process:
    """a server program started with argv, that says "port N" in its first line
    of output (it listens where the system put it: --port 0); stopped by its pid.
    tests/sync_spec_client.py starts dx_sync serve with it too."""

    def __init__(self, argv, name):
        self.args, self.name = list(argv), name
        self.errfile = tempfile.TemporaryFile('w+')
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=self.errfile,
                                     stdin=subprocess.DEVNULL)
        self.first_line = self._line()
        words = self.first_line.replace(',', ' ').split()
        if 'port' not in words:
            raise RuntimeError('%s did not say its port: %r' % (name, self.first_line))
        self.port = int(words[words.index('port') + 1])
        self.exit_status = None

    def _line(self):
        out = b''
        deadline = time.monotonic() + WATCHDOG
        while not out.endswith(b'\n'):
            left = deadline - time.monotonic()
            r, _, _ = select.select([self.proc.stdout], [], [], max(left, 0))
            if not r:
                raise TimeoutError('watchdog: %s printed no line in %.0f s' % (self.name, WATCHDOG))
            c = os.read(self.proc.stdout.fileno(), 1)
            if not c:
                raise RuntimeError('%s exited (%s): %r %s' % (self.name, self.proc.wait(), out, self.stderr()))
            out += c
        return out.decode()

    def stderr(self):
        self.errfile.seek(0)
        return self.errfile.read()

    def signal(self, sig):
        self.proc.send_signal(sig)

    def wait(self):
        """the exit status and what it printed after its first line"""
        try:
            self.exit_status = self.proc.wait(WATCHDOG)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.exit_status = self.proc.wait()
            raise TimeoutError('watchdog: %s still running %.0f s after SIGTERM' % (self.name, WATCHDOG))
        rest = self.proc.stdout.read().decode()
        return self.exit_status, rest

    def stop(self):
        """SIGTERM, a graceful stop: (exit status, what it printed)"""
        if self.proc.poll() is None:
            self.signal(signal.SIGTERM)
            return self.wait()
        return self.proc.returncode, ''

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.errfile.close()


class Server(Process):
    """hbtp_server on 127.0.0.1, --port 0"""

    def __init__(self, binary, *args):
        Process.__init__(self, [binary, '--host', '127.0.0.1', '--port', '0'] + list(args), 'hbtp_server')


# ---------------------------------------------------------------- tests
class Fail(Exception):
    pass


def expect(cond, *what):
    if not cond:
        raise Fail(' '.join(str(w) for w in what))


def expect_rpc(f, method, body=None):
    expect(f.opcode == RPC_RESPONSE, 'wanted RPC_RESPONSE (method %d), got %r' % (method, f))
    m, b = f.rpc()
    expect(m == method, 'method id %d, wanted %d' % (m, method))
    if body is not None:
        expect(b == body, 'body %r... (%d bytes), wanted %r... (%d bytes)' % (b[:32], len(b), body[:32], len(body)))
    return b


def expect_error(f, code, stream=None):
    expect(f.opcode == ERROR, 'wanted ERROR %d, got %r' % (code, f))
    expect(f.error_code() == code, 'ERROR code %d (%r), wanted %d' % (f.error_code(), bytes(f.payload[4:]), code))
    if stream is not None:
        expect(f.stream == stream, 'ERROR on stream %d, wanted %d' % (f.stream, stream))


def expect_fatal(c, code, last_stream, frames=None):
    """the server's answer to a protocol error: ERROR (stream 0) then GOAWAY
    repeating its code, then the connection closes"""
    if frames is None:
        frames = c.wait_closed()
    conn_level = [f for f in frames if f.opcode in (ERROR, GOAWAY) and f.stream == 0]
    expect(len(conn_level) == 2, 'wanted ERROR + GOAWAY on stream 0, got %r' % frames)
    err, ga = conn_level
    expect_error(err, code, 0)
    expect(ga.opcode == GOAWAY and not (ga.flags & ACK), 'wanted GOAWAY after the ERROR, got %r' % ga)
    expect(c.goaway[1] == code, 'GOAWAY code %d, wanted %d' % (c.goaway[1], code))
    expect(c.goaway[0] == last_stream, 'GOAWAY last stream %d, wanted %d' % (c.goaway[0], last_stream))
    expect(frames[-1] is ga, 'frames after the GOAWAY: %r' % frames[frames.index(ga) + 1:])
    return frames


def sha(x):
    return hashlib.sha256(x).digest()


def rand_bytes(n, seed):
    out = b''
    i = 0
    while len(out) < n:
        out += sha(b'%d/%d' % (seed, i))
        i += 1
    return out[:n]


def kv_set_body(key, value, key_len=None):
    return struct.pack('<H', len(key) if key_len is None else key_len) + key + value


class Tests:
    def __init__(self, binary, verbose=False):
        self.binary = binary
        self.verbose = verbose
        self.passed = self.failed = self.skipped = 0
        self.notes = []
        self.server = None

    def note(self, text):
        """what the server did where the spec is silent or ambiguous"""
        if text not in self.notes:
            self.notes.append(text)
            print('note: ' + text)

    def skip(self, what, why):
        self.skipped += 1
        print('SKIP %s: %s' % (what, why))

    def conn(self, server=None, **hello):
        c = Conn((server or self.server).port, log=(lambda s: print('   ' + s)) if self.verbose else None)
        if hello.get('hello', True):
            hello.pop('hello', None)
            ack = c.hello(**hello)
            expect(c.acked, 'no HELLO|ACK: %r' % (ack,))
        return c

    def run(self, name, fn, *args):
        t0 = time.monotonic()
        try:
            detail = fn(*args)
        except (Fail, Violation, Closed, TimeoutError, TeleportError, OSError) as e:
            self.failed += 1
            print('FAIL %s: %s: %s' % (name, type(e).__name__, e))
            return
        self.passed += 1
        print('ok   %s (%.2f s)%s' % (name, time.monotonic() - t0, ': ' + detail if detail else ''))

    def well_behaved(self, server=None):
        """a second connection keeps working: HELLO, PING, ECHO"""
        c = self.conn(server)
        c.ping(b'still there?')
        expect_rpc(c.rpc(M_ECHO, b'yes'), M_ECHO, b'yes')
        c.close()

    # ---- HELLO, PING
    def t_hello_ping(self):
        c = self.conn(caps=CAP_TIMING | (1 << 40), max_payload=0, max_inflight=0)
        caps, maxp, maxf, minor = c.ack
        expect(maxp >= MIN_PAYLOAD and maxf >= 1, 'ACK limits %d, %d' % (maxp, maxf))
        c.ping(b'')
        c.ping(b'ping')
        c.ping(b'on stream 7', stream=7)          # any stream; not a request
        c.ping(bytes(range(256)) * 4)
        expect(c.pongs == 4, 'pongs', c.pongs)
        c.close()
        if not caps & CAP_TIMING:
            self.note('hbtp_server does not offer the TIMING capability (HELLO|ACK capabilities 0x%x to an offer '
                      'of TIMING): the TIMING trailer cannot be tested against it' % caps)
        # the smaller limits win; a minor version is accepted
        c = self.conn(caps=0, max_payload=100, max_inflight=2)
        expect(c.ack[1:3] == (100, 2), 'offer 100/2 gave ACK %r' % (c.ack,))
        c.close()
        c = self.conn(caps=0, max_payload=maxp * 4, max_inflight=maxf * 4)
        expect(c.ack[1:3] == (maxp, maxf), 'offer above the server\'s limits gave %r' % (c.ack,))
        c.close()
        c = Conn(self.server.port)
        c.offer = (0, 0, 0)
        c.send_frame(HELLO, 0, 0, hello_payload(b'', 0, 0, 0, minor=9))
        c.recv()
        expect(c.acked, 'HELLO 1.9 not accepted')
        expect_rpc(c.rpc(M_ECHO, b'1.9'), M_ECHO, b'1.9')
        c.close()
        # requests before the ACK arrives (held to the limits the client will learn): HELLO, PING, 3 RPCs in one write
        c = Conn(self.server.port)
        c.hello(caps=0, max_payload=256, max_inflight=8, wait=False)
        c.pings.append((0, b'early'))
        c.send_frame(PING, 0, 0, b'early')
        early = [c.call(M_ECHO, b'early %d' % i) for i in range(3)]
        for r in early:
            expect_rpc(c.wait(r), M_ECHO, r.body)
        expect(c.acked and c.ack[1:3] == (256, 8), 'ACK %r' % (c.ack,))
        c.close()
        self.limits = (maxp, maxf)
        return 'server limits: max payload %d, max in flight %d, capabilities 0x%x' % (maxp, maxf, caps)

    # ---- ECHO
    def t_echo(self):
        maxp = self.limits[0]
        c = self.conn()
        sizes = [0, 1, 2, 3, 4, 1000, maxp - 5, maxp - 4]   # maxp - 4: the RPC payload is exactly max payload
        for n in sizes:
            body = rand_bytes(n, n)
            expect_rpc(c.rpc(M_ECHO, body), M_ECHO, body)
        # with a smaller negotiated max payload the limit moves with it
        c2 = self.conn(max_payload=100)
        expect_rpc(c2.rpc(M_ECHO, b'e' * 96), M_ECHO, b'e' * 96)
        # USERS' answer (over 1 KiB) does not fit in 100 bytes: ERROR INTERNAL, the connection goes on
        f = c2.rpc(M_USERS)
        expect_error(f, INTERNAL, f.stream)
        expect_rpc(c2.rpc(M_ECHO, b'after'), M_ECHO, b'after')
        c2.close()
        c.close()
        return 'bodies %s; max payload 100: 96-byte echo ok, USERS = ERROR INTERNAL' % sizes

    def t_large_body(self):
        """a body above the frame limit. The spec's path is STREAM_DATA pieces,
        then STREAM_END with END_STREAM (dx_hbtp.h 0.3.0: dx_conn_stream); a
        piece without END_STREAM gets no answer, the STREAM_END one final
        frame. hbtp_server's methods are RPCs only, so the spec's answer is
        one ERROR UNKNOWN_OPCODE (no handler routed) at the STREAM_END."""
        maxp = self.limits[0]
        body = rand_bytes(maxp * 3 + 17, 7)
        data = rpc_payload(M_ECHO, body)      # assumed: the first piece starts with the method id, as an RPC
        pieces = [data[o:o + maxp] for o in range(0, len(data), maxp)]
        script = b''.join(encode(STREAM_DATA, 0, 1, p) for p in pieces[:-1]) + \
            encode(STREAM_END, END_STREAM, 1, pieces[-1]) + encode(PING, 0, 0, b'after')
        c = self.conn()
        c.send_raw(script)
        got = []
        while True:          # raw frames (header checks only) until the PONG
            raw = c._next_raw_frame(time.monotonic() + WATCHDOG)
            got.append(raw)
            if raw[0] == PONG:
                break
        answers = [r for r in got if r[0] != PONG]
        expect(answers and all(HEADER.unpack_from(r)[:3] == (ERROR, 0, 1) and len(r) >= 12
                               and struct.unpack_from('<HH', r, 8) == (UNKNOWN_OPCODE, 0) for r in answers),
               'answers to the upload: %r' % [r.hex(' ') for r in answers])
        c.close()
        self.well_behaved()
        # hbtp_server before dx_hbtp.h 0.3.4 answered every piece (one ERROR each): the spec allows one
        expect(len(answers) == 1, '%d answers to one upload' % len(answers))
        return 'upload of %d bytes in %d pieces: one ERROR UNKNOWN_OPCODE at STREAM_END, open' % (len(body), len(pieces))

    # ---- key-value store
    def t_kv(self):
        c = self.conn()
        key = b'spec-client/' + os.urandom(8).hex().encode()
        expect_error(c.rpc(M_GET, key), E_NOT_FOUND)
        expect_rpc(c.rpc(M_SET, kv_set_body(key, b'v1')), M_SET, b'')
        expect_rpc(c.rpc(M_GET, key), M_GET, b'v1')
        expect_rpc(c.rpc(M_SET, kv_set_body(key, b'value two')), M_SET, b'')
        expect_rpc(c.rpc(M_GET, key), M_GET, b'value two')
        # another connection sees it
        c2 = self.conn()
        expect_rpc(c2.rpc(M_GET, key), M_GET, b'value two')
        c2.close()
        expect_rpc(c.rpc(M_DEL, key), M_DEL, b'\x01')
        expect_rpc(c.rpc(M_DEL, key), M_DEL, b'\x00')
        expect_error(c.rpc(M_GET, key), E_NOT_FOUND)
        # limits: keys 1-64 bytes, values 0-1024
        k64, k65 = b'k' * 64, b'k' * 65
        v1024, v1025 = rand_bytes(1024, 1), rand_bytes(1025, 2)
        expect_rpc(c.rpc(M_SET, kv_set_body(k64, b'')), M_SET, b'')
        expect_rpc(c.rpc(M_GET, k64), M_GET, b'')
        expect_rpc(c.rpc(M_SET, kv_set_body(k64, v1024)), M_SET, b'')
        expect_rpc(c.rpc(M_GET, k64), M_GET, v1024)
        expect_error(c.rpc(M_SET, kv_set_body(k64, v1025)), BAD_REQUEST)
        expect_rpc(c.rpc(M_GET, k64), M_GET, v1024)      # the refused SET changed nothing
        bkey = b'\x00\xff binary\x00'
        expect_rpc(c.rpc(M_SET, kv_set_body(bkey, b'\x00')), M_SET, b'')
        expect_rpc(c.rpc(M_GET, bkey), M_GET, b'\x00')
        expect_rpc(c.rpc(M_DEL, bkey), M_DEL, b'\x01')
        expect_rpc(c.rpc(M_DEL, k64), M_DEL, b'\x01')
        for m, body in ((M_GET, b''), (M_GET, k65), (M_DEL, b''), (M_DEL, k65),
                        (M_SET, kv_set_body(b'', b'v')), (M_SET, kv_set_body(k65, b'v'))):
            expect_error(c.rpc(m, body), BAD_REQUEST)
        # malformed SET bodies (not in the server's comment: assumed BAD_REQUEST, "otherwise")
        odd = []
        for body in (b'', b'\x05', kv_set_body(b'abc', b'', key_len=10)):
            f = c.rpc(M_SET, body)
            if not (f.opcode == ERROR and f.error_code() == BAD_REQUEST):
                odd.append('%r -> %r' % (body, f))
        if odd:
            self.note('SET with a body shorter than its u16 key length: ' + '; '.join(odd))
        expect_rpc(c.rpc(M_ECHO, b'open'), M_ECHO, b'open')
        c.close()
        return 'GET/SET/DEL, 0x8001, keys 0/1/64/65, values 0/1024/1025, DEL 1/0'

    # ---- pipelining
    def t_pipeline(self):
        c = self.conn()
        maxf = c.max_inflight
        tag = os.urandom(4).hex().encode()
        items = []
        for i in range(250):
            k = b'p/%s/%d' % (tag, i)
            v = rand_bytes(i * 3, i)
            items += [(M_SET, kv_set_body(k, v)), (M_GET, k), (M_ECHO, v), (M_DEL, k)]
        reqs = c.pipeline(items)
        expect(len(reqs) == 1000 and len(c.done) == 1000, 'requests %d answered %d' % (len(reqs), len(c.done)))
        expect([r.seq for r in c.done] == [r.seq for r in reqs], 'answers not in the order sent')
        for i, r in enumerate(reqs):
            f = r.final
            kind = i % 4
            v = rand_bytes((i // 4) * 3, i // 4)
            if kind == 0:
                expect_rpc(f, M_SET, b'')
            elif kind == 1:
                expect_rpc(f, M_GET, v)
            elif kind == 2:
                expect_rpc(f, M_ECHO, v)
            else:
                expect_rpc(f, M_DEL, b'\x01')
        c.close()
        return '1000 requests, window %d (the negotiated max in flight), answered in order' % maxf

    def t_stream_wrap(self):
        """stream ids: 1, 2, ... 65535, then 1 again, never 0"""
        c = self.conn()
        n = 65535 + 200
        reqs = c.pipeline([(M_ECHO, b'')] * n)
        ids = [r.stream for r in reqs]
        expect(ids[:3] == [1, 2, 3] and ids[65534] == 65535 and ids[65535] == 1 and 0 not in ids, 'ids')
        expect(all(r.final.opcode == RPC_RESPONSE for r in reqs), 'an answer was not RPC_RESPONSE')
        c.close()
        return '%d requests, ids wrapped 65535 -> 1' % n

    # ---- USERS
    def t_users(self):
        c = self.conn()
        f = c.rpc(M_USERS)
        body = expect_rpc(f, M_USERS)
        c.close()
        tp = Teleport(body)
        expect(tp.root is not None, 'no root')
        rtype = tp.types[tp.root_type]
        root = tp.read(tp.root_type, tp.root)
        kinds = [k for _, k, _, _, _ in rtype['fields'] if k != K_PAD]
        expect(kinds == [K_SLICE, K_U64, K_STR], 'root fields %r' % rtype['fields'])
        sl_name, _, _, _, user_tid = rtype['fields'][0]
        cnt_name = rtype['fields'][1][0]
        title_name = [n for n, k, _, _, _ in rtype['fields'] if k == K_STR][0]
        off, n = root[sl_name]
        expect(n == root[cnt_name], 'slice count %d, count field %d' % (n, root[cnt_name]))
        utype = tp.types[user_tid]
        ukinds = [(k, s) for _, k, _, s, _ in utype['fields']]
        expect(ukinds == [(K_U64, 8), (K_U32, 4), (K_PAD, 4), (K_F64, 8), (K_STR, 8), (K_STR, 8)],
               'user fields %r' % utype['fields'])
        expect(utype['size'] == 40, 'user struct %d bytes' % utype['size'])
        sec, first = tp.resolve(off, user_tid)
        expect(first == 0 and tp.sections[sec][2] == n,
               'the slice (%d users from %d) is not its whole section of %d' % (n, first, tp.sections[sec][2]))
        users = [tp.read(user_tid, (sec, i)) for i in range(n)]
        names = [u[utype['fields'][4][0]] for u in users]
        ids = [u[utype['fields'][0][0]] for u in users]
        expect(len(set(ids)) == n, 'user ids are not unique')
        expect(all(names), 'an empty name')
        f2 = self.conn()
        again = expect_rpc(f2.rpc(M_USERS), M_USERS)
        f2.close()
        expect(again == body, 'USERS differs between calls (built once at start)')
        return '%d-byte teleport buffer, %d types, %d sections, title %r, %d users (e.g. %s)' % (
            len(body), len(tp.types), len(tp.sections), root[title_name], n,
            json.dumps({k: (v if not isinstance(v, bytes) else v.hex()) for k, v in users[0].items() if '@' not in k}))

    # ---- bad input, each on its own connection; a well-behaved one after each
    def bad(self, what, before_hello, script, code, last_stream, requests_before=0):
        """send HELLO (unless before_hello) and requests_before ECHOs, then
        script (raw bytes): the server must answer ERROR code on stream 0,
        GOAWAY repeating it with last_stream, and close"""
        c = Conn(self.server.port)
        if not before_hello:
            c.hello(caps=0)
        for i in range(requests_before):
            expect_rpc(c.rpc(M_ECHO, b'%d' % i), M_ECHO, b'%d' % i)
        try:
            c.send_raw(script)
        except (OSError, Closed):
            pass              # the server may close before all of script is taken: its frames are read below
        try:
            expect_fatal(c, code, last_stream)
        except Fail as e:
            raise Fail('%s: %s (sent %s)' % (what, e, script[:40].hex(' ')))
        c.close()
        self.well_behaved()

    def t_bad_fatal(self):
        maxp = self.limits[0]
        h = lambda **k: encode(HELLO, 0, 0, hello_payload(**k))
        cases = [
            ('first frame PING, not HELLO', True, encode(PING, 0, 0, b'p'), PROTOCOL, 0, 0),
            ('first frame RPC, not HELLO', True, encode(RPC, 0, 1, rpc_payload(M_ECHO, b'x')), PROTOCOL, 0, 0),
            ('HELLO on stream 1', True, encode(HELLO, 0, 1, hello_payload()), PROTOCOL, 0, 0),
            ('HELLO major 2', True, h(major=2), VERSION, 0, 0),
            ('HELLO reserved 1', True, h(reserved=1), PROTOCOL, 0, 0),
            ('HELLO max payload 63', True, h(max_payload=63), PROTOCOL, 0, 0),
            ('HELLO max payload 1', True, h(max_payload=1), PROTOCOL, 0, 0),
            ('HELLO short (23 bytes)', True, encode(HELLO, 0, 0, hello_payload()[:23]), PROTOCOL, 0, 0),
            ('HELLO magic', True, encode(HELLO, 0, 0, b'HBTQ' + hello_payload()[4:]), PROTOCOL, 0, 0),
            ('HELLO token length 5, token 3 bytes', True,
             encode(HELLO, 0, 0, hello_payload(token=b'abcde')[:-2]), PROTOCOL, 0, 0),
            ('HELLO with ACK from a client', True, encode(HELLO, ACK, 0, hello_payload()), PROTOCOL, 0, 0),
            ('HELLO above the server\'s max payload (header only)', True,
             HEADER.pack(HELLO, 0, 0, maxp + 1), TOO_LARGE, 0, 0),
            ('reserved opcode 0x0b', False, encode(0x0b, 0, 2, b'x'), UNKNOWN_OPCODE, 1, 1),
            ('reserved opcode 0x7f', False, encode(0x7f, 0, 0, b''), UNKNOWN_OPCODE, 0, 0),
            ('opcode 0x00', False, encode(0, 0, 3, b'x'), UNKNOWN_OPCODE, 2, 2),
            ('frame above max payload (header only)', False, HEADER.pack(RPC, 0, 2, maxp + 1), TOO_LARGE, 1, 1),
            ('ECHO above max payload (the whole frame)', False,
             encode(RPC, 0, 2, rpc_payload(M_ECHO, b'x' * (maxp - 3))), TOO_LARGE, 1, 1),
            ('frame of 4 GiB - 1 (header only)', False, HEADER.pack(PING, 0, 0, 0xffffffff), TOO_LARGE, 0, 0),
            ('required flag 0x20', False, encode(RPC, 0x20, 2, rpc_payload(M_ECHO, b'x')), PROTOCOL, 1, 1),
            ('required flag 0x40', False, encode(PING, 0x40, 0, b''), PROTOCOL, 0, 0),
            ('RPC on stream 0', False, encode(RPC, 0, 0, rpc_payload(M_ECHO, b'x')), PROTOCOL, 1, 1),
            ('STREAM_END on stream 0', False, encode(STREAM_END, END_STREAM, 0, b'x'), PROTOCOL, 0, 0),
            ('application opcode on stream 0', False, encode(0x80, 0, 0, b'x'), PROTOCOL, 0, 0),
            ('RPC_RESPONSE from a client', False, encode(RPC_RESPONSE, 0, 1, rpc_payload(1)), PROTOCOL, 0, 0),
            ('NOT_MODIFIED from a client', False, encode(NOT_MODIFIED, 0, 2, b'tag'), PROTOCOL, 1, 1),
            ('a second HELLO', False, encode(HELLO, 0, 0, hello_payload()), PROTOCOL, 0, 0),
            ('ERROR reserved 1', False, encode(ERROR, 0, 0, struct.pack('<HH', 9, 1)), PROTOCOL, 0, 0),
            ('ERROR of 2 bytes', False, encode(ERROR, 0, 0, b'\x09\x00'), PROTOCOL, 0, 0),
            ('GOAWAY of 2 bytes', False, encode(GOAWAY, 0, 0, b'\x00\x00'), PROTOCOL, 0, 0),
            ('GOAWAY|ACK with a payload', False, encode(GOAWAY, ACK, 0, b'x'), PROTOCOL, 0, 0),
        ]
        for what, before, script, code, last, n in cases:
            self.bad(what, before, script, code, last, n)
        return '%d protocol errors: ERROR + GOAWAY (code, last stream) + close; a new connection works after each' % len(cases)

    def t_bad_answered(self):
        """errors answered on the request's stream; the connection goes on"""
        c = self.conn()
        # an RPC shorter than its method id: sent raw, tracked as a request
        script = encode(RPC, 0, 1, b'ab')
        c.note_sent(script)
        c.next_stream = 2
        c.send_raw(script)
        f = c.wait(c.inflight[1])
        expect_error(f, BAD_REQUEST, 1)
        expect_error(c.rpc(99), UNKNOWN_METHOD)
        expect_error(c.rpc(0, b'x'), UNKNOWN_METHOD)
        expect_error(c.rpc(0xffffffff, b'x'), UNKNOWN_METHOD)
        r, _ = c.request(0x80, 0, b'app')
        expect_error(c.wait(r), UNKNOWN_OPCODE, r.stream)
        r, _ = c.request(0xff, 0, b'')
        expect_error(c.wait(r), UNKNOWN_OPCODE, r.stream)
        # flag bit 7 is optional: ignored; END_STREAM, COMPRESSED, MORE on a request mean nothing to the protocol
        for fl in (0x80, END_STREAM, MORE, COMPRESSED, TIMING):
            r, _ = c.request(RPC, M_ECHO, b'flags', flags=fl)
            expect_rpc(c.wait(r), M_ECHO, b'flags')
        # one-piece uploads: STREAM_END|END_STREAM, STREAM_DATA|END_STREAM: no handler, ERROR UNKNOWN_OPCODE
        for op in (STREAM_END, STREAM_DATA):
            r, _ = c.request(op, 0, rpc_payload(M_ECHO, b'up'), flags=END_STREAM)
            expect_error(c.wait(r), UNKNOWN_OPCODE, r.stream)
        # STREAM_END without END_STREAM: the spec says it is "sent with END_STREAM", not what a reader does without
        r, frame = c.request(STREAM_END, 0, b'no flag')
        f = c.wait(r)
        self.note('STREAM_END without END_STREAM (%s) is answered like one with it: %s' % (frame.hex(' '), f.raw.hex(' ')))
        c.ping(b'p')
        expect_rpc(c.rpc(M_ECHO, b'still open'), M_ECHO, b'still open')
        c.close()
        return 'RPC of 2 bytes = 10, methods 0/99/2^32-1 = 4, opcodes 0x80/0xff and one-piece uploads = 3, flags 0x80/END_STREAM/MORE/COMPRESSED/TIMING ignored'

    def t_inflight_limit(self):
        """more unanswered requests than max in flight: the server counts the
        ones it has not yet sent; over TCP that depends on timing, so either
        all are answered, or the first refused one gets TOO_MANY_INFLIGHT on
        its stream and GOAWAY names the request before it"""
        c = self.conn(max_inflight=4)
        expect(c.max_inflight == 4, 'ACK max in flight %d' % c.max_inflight)
        n = 2000
        script = b''.join(encode(RPC, 0, s, rpc_payload(M_ECHO, b'%d' % s)) for s in range(1, n + 1))
        c.note_sent(script)
        c.send_raw(script)
        c.wait_closed()
        answered = [r for r in c.done if r.final.opcode == RPC_RESPONSE]
        refused = [r for r in c.done if r.final.opcode == ERROR]
        if not refused:
            raise Fail('%d requests sent with max in flight 4: %d answered, no TOO_MANY_INFLIGHT, no close' % (n, len(answered)))
        r = refused[0]
        expect_error(r.final, TOO_MANY_INFLIGHT, r.stream)
        expect(c.goaway and c.goaway[1] == TOO_MANY_INFLIGHT and c.goaway[0] == r.stream - 1,
               'GOAWAY %r after TOO_MANY_INFLIGHT on stream %d' % (c.goaway, r.stream))
        expect(len(refused) == 1 and all(x.seq < r.seq for x in answered), 'answers after the refusal')
        c.close()
        self.well_behaved()
        return '%d requests at once, max in flight 4: %d answered, stream %d refused (TOO_MANY_INFLIGHT), GOAWAY last %d' % (
            n, len(answered), r.stream, c.goaway[0])

    def t_client_goaway(self):
        """a client's GOAWAY: the request before it is answered, GOAWAY|ACK; a
        request after it (sent raw: a client that keeps the rules sends none)
        gets ERROR PROTOCOL, not handled"""
        c = self.conn()
        a = c.call(M_ECHO, b'before')
        c.goaway_send()
        while a.final is None or not c.goaway_ack:
            c.recv()
        expect_rpc(a.final, M_ECHO, b'before')
        script = encode(RPC, 0, 2, rpc_payload(M_SET, kv_set_body(b'after-goaway', b'x')))
        c.note_sent(script)
        c.send_raw(script)
        expect_error(c.wait(c.inflight[2]), PROTOCOL, 2)
        c.ping(b'still reading')     # the spec: "closing"; the server still answers PING
        c.finish()
        d = self.conn()
        expect_error(d.rpc(M_GET, b'after-goaway'), E_NOT_FOUND)      # not handled
        d.close()
        self.note('after a client\'s GOAWAY and the server\'s GOAWAY|ACK, with every answer out, hbtp_server keeps '
                  'the connection open (it answers a late request with ERROR PROTOCOL and a PING with PONG) and does not '
                  'close: this client closes it (see Conn.finish)')
        return 'answer, GOAWAY|ACK, late SET = ERROR PROTOCOL and not stored, PING answered, client closes'

    # ---- the vectors: rule_s_* replayed against the real server
    def t_checker_vectors(self):
        """the checker itself, against the rule_c_* vectors (no server): the
        frames of an "= fatal" vector are refused, an "= ok" one passes and
        this client's answer is the vector's. The vectors' client: it offered
        TIMING and no limits, and has RPC method 1 on stream 1 in flight."""
        d = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'vectors', 'hbtp')
        names = sorted(n for n in os.listdir(d) if n.startswith('rule_c_') and n.endswith('.hex'))
        for name in names:
            sent, verdict, want = parse_hex_vector(os.path.join(d, name))
            ours, peer = socket.socketpair()
            c = Conn(0, sock=ours)
            c.offer = (CAP_TIMING, 0, 0)
            c.inflight[1] = Request(1, 1, RPC, 1, b'')
            c.seq = 1
            peer.sendall(sent)
            peer.shutdown(socket.SHUT_WR)
            refused = None
            try:
                c.wait_closed(WATCHDOG)
            except Violation as e:
                refused = e
            c.close()
            peer.settimeout(WATCHDOG)
            answer = b''
            while True:
                chunk = peer.recv(65536)
                if not chunk:
                    break
                answer += chunk
            peer.close()
            if verdict == 'fatal':
                expect(refused is not None, '%s: the checker let the frames pass' % name)
            else:
                expect(refused is None, '%s: the checker refused: %s' % (name, refused))
                expect(answer == want, '%s: this client answered %s, the vector %s' % (name, answer.hex(' '), want.hex(' ')))
        return '%d vectors (%d fatal refused, the rest passed with the vector\'s answer)' % (
            len(names), sum(parse_hex_vector(os.path.join(d, n))[1] == 'fatal' for n in names))

    def t_rule_vectors(self):
        d = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'vectors', 'hbtp')
        done = []
        for name in sorted(os.listdir(d)):
            if not (name.startswith('rule_s_') and name.endswith('.hex')):
                continue
            sent, verdict, want = parse_hex_vector(os.path.join(d, name))
            if name in ('rule_s_default_answers.hex', 'rule_s_inflight.hex'):
                continue     # need the vector's server config (a routed 0x80 and STREAM handler; max in flight 4)
            c = Conn(self.server.port)
            c.note_sent(sent)
            c.send_raw(sent)
            wanted = []
            off = 0
            while off < len(want):
                op, fl, st, ln = HEADER.unpack_from(want, off)
                wanted.append((op, fl, st, want[off + 8:off + 8 + ln]))
                off += 8 + ln
            got = []
            try:
                if verdict == 'fatal':
                    got = c.wait_closed()
                else:
                    while len(got) < len(wanted):
                        got.append(c.recv())
            except (Violation, Closed, TimeoutError) as e:
                raise Fail('%s: %s after %r' % (name, e, got))
            c.close()
            # compare: opcode, flags, stream; ERROR/GOAWAY by code (messages are for people);
            # HELLO|ACK by everything but the server's own limits and capabilities
            ok = len(got) == len(wanted)
            for g, (op, fl, st, pl) in zip(got, wanted):
                if (g.opcode, g.flags, g.stream) != (op, fl, st):
                    ok = False
                elif op in (ERROR, GOAWAY) and not (fl & ACK):
                    ok = ok and bytes(g.payload[:4]) == pl[:4]
                elif op == HELLO:
                    ok = ok and bytes(g.payload[:8]) == pl[:8]
                else:
                    ok = ok and bytes(g.payload) == pl
            if not ok:
                raise Fail('%s: the server answered %r, the vector says %s' % (
                    name, got, ' | '.join('%s fl %x st %d %s' % (opname(o), f, s, p[:8].hex()) for o, f, s, p in wanted)))
            done.append(name[7:-4])
        self.well_behaved()
        return '%d vectors: %s' % (len(done), ' '.join(done))

    # ---- JWT (a second server with --jwt-secret)
    @staticmethod
    def jwt(secret, claims, header=None, sign=True):
        b64 = lambda x: base64.urlsafe_b64encode(x).rstrip(b'=')
        h = b64(json.dumps(header or {'alg': 'HS256', 'typ': 'JWT'}, separators=(',', ':')).encode())
        p = b64(json.dumps(claims, separators=(',', ':')).encode())
        signing = h + b'.' + p
        sig = b64(hmac.new(secret, signing, hashlib.sha256).digest()) if sign else b''
        return signing + b'.' + sig

    def t_jwt(self):
        secret = b'spec-client secret ' + os.urandom(8).hex().encode()
        srv = Server(self.binary, '--workers', '1', '--jwt-secret', secret.decode())
        try:
            now = int(time.time())
            good = self.jwt(secret, {'sub': 'ada', 'iat': now, 'exp': now + 3600})
            c = self.conn(srv, token=good)
            expect_rpc(c.rpc(M_WHOAMI), M_WHOAMI, b'ada')
            expect_rpc(c.rpc(M_ECHO, b'authenticated'), M_ECHO, b'authenticated')
            c.close()
            c = self.conn(srv, token=self.jwt(secret, {'sub': 'b\u00f6b', 'nbf': now - 10, 'exp': now + 10}))
            expect_rpc(c.rpc(M_WHOAMI), M_WHOAMI, 'b\u00f6b'.encode())
            c.close()
            c = self.conn(srv, token=self.jwt(secret, {'exp': now + 3600}))
            expect_error(c.rpc(M_WHOAMI), E_NO_SUB)
            c.close()
            # within the default --jwt-skew of 60 s: accepted
            c = self.conn(srv, token=self.jwt(secret, {'sub': 'late', 'exp': now - 5}))
            expect_rpc(c.rpc(M_WHOAMI), M_WHOAMI, b'late')
            c.close()
            refused = [
                ('no token', b''),
                ('expired', self.jwt(secret, {'sub': 'ada', 'exp': now - 3600})),
                ('not yet valid (nbf)', self.jwt(secret, {'sub': 'ada', 'nbf': now + 3600, 'exp': now + 7200})),
                ('wrong signature', self.jwt(secret + b'x', {'sub': 'ada', 'exp': now + 3600})),
                ('signature altered', self.jwt(secret, {'sub': 'ada', 'exp': now + 3600})[:-2] + b'AA'),
                ('alg none', self.jwt(secret, {'sub': 'ada', 'exp': now + 3600}, {'alg': 'none', 'typ': 'JWT'}, sign=False)),
                ('alg none with an HS256 signature', self.jwt(secret, {'sub': 'ada', 'exp': now + 3600}, {'alg': 'none'})),
                ('alg HS512 label', self.jwt(secret, {'sub': 'ada', 'exp': now + 3600}, {'alg': 'HS512'})),
                ('not a JWT', b's3cret'),
                ('two parts', b'.'.join(self.jwt(secret, {'sub': 'ada'}).split(b'.')[:2])),
            ]
            for what, tok in refused:
                c = Conn(srv.port)
                c.hello(token=tok, wait=False)
                frames = c.wait_closed()
                try:
                    expect_fatal(c, UNAUTHORIZED, 0, frames)
                except Fail as e:
                    raise Fail('%s token: %s' % (what, e))
                expect(not c.acked, '%s: HELLO|ACK before the refusal' % what)
                expect(c.sent_goaway_ack, 'no GOAWAY|ACK sent')
                c.close()
            # the server without --jwt-secret: WHOAMI has no sub
            c = self.conn()
            expect_error(c.rpc(M_WHOAMI), E_NO_SUB)
            c.close()
            c = self.conn(srv, token=good)
            expect_rpc(c.rpc(M_WHOAMI), M_WHOAMI, b'ada')
            c.close()
        finally:
            status, out = srv.stop()
            srv.kill()
        expect(status == 0, 'the JWT server exited %s' % status)
        return 'valid (sub, nbf, no sub, exp within skew) accepted; %d refused with ERROR 8 + GOAWAY 8: %s' % (
            len(refused), ', '.join(w for w, _ in refused))

    # ---- graceful stop
    def t_graceful(self):
        srv = Server(self.binary, '--workers', '2')
        try:
            busy = self.conn(srv)
            idle = self.conn(srv)
            window = busy.max_inflight
            sent = []
            n = 0
            signalled = False
            # a pipeline that never drains: requests in flight when SIGTERM arrives
            while busy.goaway is None:
                batch = []
                while len(busy.inflight) < window and busy.goaway is None:
                    n += 1
                    req, frame = busy.request(RPC, M_ECHO, b'g%d' % n, send=False)
                    sent.append(req)
                    batch.append(frame)
                if batch:
                    busy.send_raw(b''.join(batch))
                busy.recv()
                if not signalled and len(busy.done) >= 300:
                    srv.signal(signal.SIGTERM)
                    signalled = True
            in_flight_at_goaway = len(busy.inflight)
            busy.finish()
            handled = refused = 0
            for r in sent:
                if r.after_goaway:
                    expect_error(r.final, PROTOCOL, r.stream)
                    refused += 1
                else:
                    expect_rpc(r.final, M_ECHO, r.body)
                    handled += 1
            last, code, msg = busy.goaway
            expect(code == NONE, 'graceful GOAWAY code %d (%s)' % (code, msg))
            f = idle.recv()
            expect(f.opcode == GOAWAY and idle.goaway[1] == NONE and idle.sent_goaway_ack, 'idle connection: %r' % f)
            idle.finish()
            status, _ = srv.wait()      # exits once its clients have closed
            expect(status == 0, 'exit status %s' % status)
            out = (srv.stderr().strip().splitlines() or [''])[-1]
        finally:
            srv.kill()
        return ('%d requests, %d in flight at GOAWAY (last stream %d): %d answered, %d ERROR PROTOCOL (sent after); '
                'idle connection got GOAWAY 0; exit 0; %s' % (len(sent), in_flight_at_goaway, last, handled, refused,
                                                            out.strip().replace('hbtp_server: ', '')))

    def main(self):
        t0 = time.monotonic()
        try:
            self.server = Server(self.binary, '--workers', '2')
        except (RuntimeError, TimeoutError, OSError) as e:
            print('FAIL start hbtp_server: %s' % e)
            self.failed += 1
            return self.summary(t0)
        print('server: ' + self.server.first_line.strip())
        try:
            self.run('checker-vs-rule_c-vectors', self.t_checker_vectors)
            self.run('hello-ping', self.t_hello_ping)
            if not hasattr(self, 'limits'):
                return self.summary(t0)
            self.run('echo', self.t_echo)
            self.run('large-body', self.t_large_body)
            self.run('kv', self.t_kv)
            self.run('pipeline-1000', self.t_pipeline)
            self.run('stream-id-wrap', self.t_stream_wrap)
            self.run('users-teleport', self.t_users)
            self.run('bad-input-fatal', self.t_bad_fatal)
            self.run('bad-input-answered', self.t_bad_answered)
            self.run('inflight-limit', self.t_inflight_limit)
            self.run('client-goaway', self.t_client_goaway)
            self.run('rule-vectors', self.t_rule_vectors)
            self.run('jwt', self.t_jwt)
            status, out = self.server.stop()
            if status != 0:
                self.failed += 1
                print('FAIL server exit status %s: %s' % (status, self.server.stderr()[-2000:]))
            self.run('graceful-stop', self.t_graceful)
        finally:
            self.server.kill()
        return self.summary(t0)

    def summary(self, t0):
        print('hbtp_spec_client: %.1f s' % (time.monotonic() - t0))
        print('hbtp_spec_client: %d passed, %d failed, %d skipped' % (self.passed, self.failed, self.skipped))
        return 1 if self.failed else 0


if __name__ == '__main__':
    args = [a for a in sys.argv[1:] if not a.startswith('-')]
    if len(args) != 1:
        print('usage: hbtp_spec_client.py [-v] SERVER_BINARY', file=sys.stderr)
        sys.exit(2)
    sys.exit(Tests(args[0], verbose='-v' in sys.argv).main())
