#!/usr/bin/env python3
"""Writes tests/vectors/hbtp/rule_*.hex (run from the repository root): one
file per rule of dx_hbtp.h's WIRE FORMAT that a reader enforces. Built from
the WIRE FORMAT text alone, not from the library. Each file holds what the
peer sends, a line "= ok" or "= fatal", then what the reader sends back.

  server rules: the server has max payload 4096, max in flight 4,
    capabilities 0x1; method 1 echoes the body, method 2 and opcode 0x80 and
    STREAM_DATA / STREAM_END handlers write nothing; nothing else is routed.
  client rules: the client has max payload 4096, max in flight 64,
    capabilities 0x1, and has already sent its HELLO and one RPC (stream 1,
    method 1, body "x"); what it sent before is not part of the answer.
  "= fatal": the reader closes the connection: its last two frames are ERROR
    and GOAWAY with the same code, and it takes nothing more. "= ok": no
    protocol error (the connection may still be closing after a GOAWAY).
ERROR and GOAWAY messages are this implementation's wording (informative):
another implementation compares opcode, flags, stream, codes and the rest."""
import struct

HELLO, PING, PONG, RPC, RPC_RESPONSE, ERROR, STREAM_DATA, STREAM_END, NOT_MODIFIED, GOAWAY = range(1, 11)
END_STREAM, MORE, ACK, TIMING = 0x01, 0x04, 0x08, 0x10
PROTOCOL, VERSION, UNKNOWN_OPCODE, UNKNOWN_METHOD, TOO_LARGE, TOO_MANY_INFLIGHT = 1, 2, 3, 4, 5, 6
UNAUTHORIZED, BAD_REQUEST = 8, 10
NAMES = {1: 'HELLO', 2: 'PING', 3: 'PONG', 4: 'RPC', 5: 'RPC_RESPONSE', 6: 'ERROR', 7: 'STREAM_DATA',
         8: 'STREAM_END', 9: 'NOT_MODIFIED', 10: 'GOAWAY'}


def frame(op, flags, stream, payload=b'', length=None):
    n = len(payload) if length is None else length
    return struct.pack('<BBHI', op, flags, stream, n) + payload


def hello(caps=1, max_payload=4096, inflight=64, flags=0, stream=0, major=1, minor=0, reserved=0, token=b''):
    p = b'HBTP' + struct.pack('<BBHQIHH', major, minor, len(token), caps, max_payload, inflight, reserved) + token
    return frame(HELLO, flags, stream, p)


def ack(caps=1, max_payload=4096, inflight=4, **kw):
    return hello(caps, max_payload, inflight, flags=ACK, **kw)


def rpc(stream, method, body=b'', flags=0):
    return frame(RPC, flags, stream, struct.pack('<I', method) + body)


def resp(stream, method, body=b'', flags=0):
    return frame(RPC_RESPONSE, flags, stream, struct.pack('<I', method) + body)


def error(stream, code, msg=b'', reserved=0):
    return frame(ERROR, 0, stream, struct.pack('<HH', code, reserved) + msg)


def goaway(last, code, msg=b''):
    return frame(GOAWAY, 0, 0, struct.pack('<HH', last, code) + msg)


GOAWAY_ACK = frame(GOAWAY, ACK, 0)


def fatal(code, msg, last=0, stream=0):
    return error(stream, code, msg) + goaway(last, code, msg)


def describe(data):
    """One comment line per frame (a reader of the file sees the fields)."""
    out, at = [], 0
    while at + 8 <= len(data):
        op, fl, st, n = struct.unpack_from('<BBHI', data, at)
        body = data[at + 8:at + 8 + n]
        name = NAMES.get(op, 'APP 0x%02x' % op if op >= 0x80 else 'opcode 0x%02x' % op)
        line = '%s flags 0x%02x stream %d length %d' % (name, fl, st, n)
        if op in (ERROR,) and len(body) >= 4:
            line += ': code %d, reserved %d, %r' % (struct.unpack_from('<HH', body) + (body[4:].decode(),))
        elif op == GOAWAY and len(body) >= 4:
            line += ': last stream %d, code %d, %r' % (struct.unpack_from('<HH', body) + (body[4:].decode(),))
        elif op in (RPC, RPC_RESPONSE) and len(body) >= 4:
            line += ': method %d, body %r' % (struct.unpack_from('<I', body)[0], body[4:])
        elif op == HELLO and len(body) >= 24:
            ma, mi, tl, caps, mp, mf, rsv = struct.unpack_from('<BBHQIHH', body, 4)
            line += ': %r %d.%d, token %d, caps 0x%x, max payload %d, max in flight %d, reserved %d' % (
                body[:4], ma, mi, tl, caps, mp, mf, rsv)
        elif n:
            line += ': %r' % body
        out.append((data[at:at + 8 + min(n, len(body))], line))
        at += 8 + n
    if at < len(data):
        out.append((data[at:], 'a frame cut short (its header is enough)'))
    return out


def write(name, role, rule, sends, outcome, answer):
    lines = ['# %s rule: %s' % (role, rule), '# the peer sends:']
    for raw, what in describe(sends):
        lines += ['# ' + what, ' '.join('%02x' % b for b in raw)]
    lines.append('= ' + outcome)
    lines.append('# the %s answers:%s' % (role, '' if answer else ' nothing'))
    for raw, what in describe(answer):
        lines += ['# ' + what, ' '.join('%02x' % b for b in raw)]
    with open('tests/vectors/hbtp/rule_%s.hex' % name, 'w') as f:
        f.write('\n'.join(lines) + '\n')


H = hello()              # a client HELLO: caps 0x1, 4096, 64
A = ack()                # the server's answer to it: 0x1, 4096, 4
S = 'server'
C = 'client'
CA = ack(inflight=64)    # what a client rule's server says: 0x1, 4096, 64

rules = [
    # the HELLO exchange
    ('s_hello_zero_limits', S, 'a HELLO limit of 0 means no preference: the server\'s own limits win',
     hello(max_payload=0, inflight=0), 'ok', A),
    ('s_hello_minor', S, 'an unknown minor version is accepted', hello(minor=7), 'ok', A),
    ('s_hello_version', S, 'another major version is refused with VERSION', hello(major=2), 'fatal',
     fatal(VERSION, b'unsupported protocol version')),
    ('s_hello_stream', S, 'HELLO only on stream 0', hello(stream=1), 'fatal', fatal(PROTOCOL, b'expected HELLO')),
    ('s_hello_reserved', S, 'the reserved u16 of HELLO must be 0', hello(reserved=1), 'fatal',
     fatal(PROTOCOL, b'malformed HELLO')),
    ('s_hello_small_limit', S, 'a max payload below 64 (other than 0) is malformed', hello(max_payload=63), 'fatal',
     fatal(PROTOCOL, b'malformed HELLO')),
    ('s_first_not_hello', S, 'the first frame must be HELLO', frame(PING, 0, 0, b'p'), 'fatal',
     fatal(PROTOCOL, b'expected HELLO')),
    ('s_second_hello', S, 'a second HELLO is a protocol error', H + H, 'fatal', A + fatal(PROTOCOL, b'unexpected frame')),
    # requests and their answers
    ('s_rpc_short', S, 'an RPC shorter than 4 bytes gets ERROR BAD_REQUEST and the connection stays open',
     H + frame(RPC, 0, 1, b'ab') + rpc(2, 1, b'ok'), 'ok',
     A + error(1, BAD_REQUEST, b'RPC without a method id') + resp(2, 1, b'ok')),
    ('s_default_answers', S, 'every request is answered but a STREAM_DATA piece without END_STREAM; a handler that '
     'writes nothing gives an empty RPC_RESPONSE (method id of the RPC, 0 otherwise); an unrouted application '
     'opcode gives ERROR UNKNOWN_OPCODE',
     H + rpc(1, 2, b'q') + frame(0x80, 0, 2, b'a') + frame(0x81, 0, 3) + frame(STREAM_DATA, 0, 4, b'p') +
     frame(STREAM_END, END_STREAM, 4, b'e'), 'ok',
     A + resp(1, 2) + resp(2, 0) + error(3, UNKNOWN_OPCODE, b'unknown opcode') + resp(4, 0)),
    ('s_ping', S, 'PING on any stream is answered by PONG with its stream and payload; it is not a request',
     H + frame(PING, 0, 0, b'p') + frame(PING, 0, 7, b'q'), 'ok', A + frame(PONG, 0, 0, b'p') + frame(PONG, 0, 7, b'q')),
    ('s_optional_flag', S, 'flag bit 7 is optional: ignored', H + rpc(1, 1, b'x', flags=0x80), 'ok',
     A + resp(1, 1, b'x')),
    ('s_stream0_request', S, 'a request on stream 0 is a protocol error', H + rpc(0, 1, b'x'), 'fatal',
     A + fatal(PROTOCOL, b'request on stream 0')),
    ('s_reserved_opcode', S, 'a reserved opcode (0x0b-0x7f) is UNKNOWN_OPCODE', H + frame(0x0b, 0, 1, b'x'), 'fatal',
     A + fatal(UNKNOWN_OPCODE, b'bad frame')),
    ('s_opcode_zero', S, 'opcode 0 is UNKNOWN_OPCODE', H + frame(0, 0, 1, b'x'), 'fatal',
     A + fatal(UNKNOWN_OPCODE, b'bad frame')),
    ('s_required_flag', S, 'an unknown required flag (bits 5-6) is a protocol error', H + rpc(1, 1, b'x', flags=0x20),
     'fatal', A + fatal(PROTOCOL, b'bad frame')),
    ('s_too_large', S, 'a frame above the negotiated max payload is TOO_LARGE, refused on its header',
     hello(max_payload=64) + struct.pack('<BBHI', RPC, 0, 1, 65), 'fatal',
     ack(max_payload=64) + fatal(TOO_LARGE, b'bad frame')),
    ('s_inflight', S, 'more unanswered requests than the negotiated max in flight: TOO_MANY_INFLIGHT on the refused '
     'request\'s stream; GOAWAY names the last request handled',
     H + b''.join(rpc(i, 1, b'x') for i in range(1, 6)), 'fatal',
     A + b''.join(resp(i, 1, b'x') for i in range(1, 5)) +
     fatal(TOO_MANY_INFLIGHT, b'too many requests in flight', last=4, stream=5)),
    ('s_unexpected', S, 'a client may not send RPC_RESPONSE (nor NOT_MODIFIED, nor HELLO again)',
     H + resp(1, 1), 'fatal', A + fatal(PROTOCOL, b'unexpected frame')),
    ('s_error_reserved', S, 'the reserved u16 of ERROR must be 0', H + error(0, 9, reserved=1), 'fatal',
     A + fatal(PROTOCOL, b'malformed frame')),
    ('s_error_short', S, 'an ERROR payload has at least 4 bytes', H + frame(ERROR, 0, 0, b'\x09\x00'), 'fatal',
     A + fatal(PROTOCOL, b'malformed frame')),
    ('s_goaway_short', S, 'a GOAWAY payload has at least 4 bytes', H + frame(GOAWAY, 0, 0, b'\x00\x00'), 'fatal',
     A + fatal(PROTOCOL, b'malformed frame')),
    ('s_goaway_ack_payload', S, 'GOAWAY|ACK has an empty payload', H + frame(GOAWAY, ACK, 0, b'x'), 'fatal',
     A + fatal(PROTOCOL, b'malformed frame')),
    ('s_after_goaway', S, 'GOAWAY is answered by GOAWAY|ACK; requests after it get ERROR PROTOCOL and nothing closes',
     H + rpc(1, 1, b'a') + goaway(0, 0, b'bye') + rpc(2, 1, b'b'), 'ok',
     A + resp(1, 1, b'a') + GOAWAY_ACK + error(2, PROTOCOL, b'going away')),
    # the client's side
    ('c_ack_zero_limits', C, 'HELLO|ACK limits of 0 mean no preference', ack(max_payload=0, inflight=0), 'ok', b''),
    ('c_ack_stream', C, 'HELLO|ACK only on stream 0', ack(inflight=64, stream=1), 'fatal',
     fatal(PROTOCOL, b'malformed HELLO')),
    ('c_ack_reserved', C, 'the reserved u16 of HELLO|ACK must be 0', ack(inflight=64, reserved=1), 'fatal',
     fatal(PROTOCOL, b'malformed HELLO')),
    ('c_ack_version', C, 'another major version is refused with VERSION', ack(inflight=64, major=2), 'fatal',
     fatal(VERSION, b'malformed HELLO')),
    ('c_hello_without_ack', C, 'the server answers HELLO with HELLO|ACK, never HELLO', hello(), 'fatal',
     fatal(PROTOCOL, b'unexpected HELLO')),
    ('c_answer_before_ack', C, 'the server\'s first frame is HELLO|ACK, or ERROR on stream 0 and GOAWAY',
     resp(1, 1, b'x'), 'fatal', fatal(PROTOCOL, b'expected HELLO')),
    ('c_refused', C, 'a refused HELLO: ERROR on stream 0, then GOAWAY, answered by GOAWAY|ACK',
     error(0, UNAUTHORIZED, b'unauthorized') + goaway(0, UNAUTHORIZED, b'unauthorized'), 'ok', GOAWAY_ACK),
    ('c_ping', C, 'a client answers PING with PONG too', CA + frame(PING, 0, 0, b'p'), 'ok', frame(PONG, 0, 0, b'p')),
    ('c_unknown_stream', C, 'an answer on a stream with no request in flight is a protocol error',
     CA + resp(7, 1, b'x'), 'fatal', fatal(PROTOCOL, b'answer to no request')),
    ('c_stream_end', C, 'STREAM_DATA pieces keep the stream open, STREAM_END ends it: a later answer on it has no '
     'request', CA + frame(STREAM_DATA, 0, 1, b'a') + frame(STREAM_END, END_STREAM, 1, b'b') + resp(1, 1), 'fatal',
     fatal(PROTOCOL, b'answer to no request')),
    ('c_more', C, 'an answer with MORE keeps the stream open; the next one without MORE ends it',
     CA + resp(1, 1, b'a', flags=MORE) + resp(1, 1, b'b') + resp(1, 1, b'c'), 'fatal',
     fatal(PROTOCOL, b'answer to no request')),
    ('c_timing', C, 'a TIMING answer ends with u32 server microseconds (here 1000)',
     CA + resp(1, 1, b'x' + struct.pack('<I', 1000), flags=TIMING), 'ok', b''),
    ('c_timing_short', C, 'a TIMING frame has at least the 4 trailer bytes',
     CA + frame(NOT_MODIFIED, TIMING, 1, b'abc'), 'fatal', fatal(PROTOCOL, b'malformed frame')),
    ('c_rpc_response_short', C, 'an RPC_RESPONSE payload has at least 4 bytes', CA + frame(RPC_RESPONSE, 0, 1, b'ab'),
     'fatal', fatal(PROTOCOL, b'malformed frame')),
    ('c_error_reserved', C, 'the reserved u16 of ERROR must be 0', CA + error(1, 9, reserved=1), 'fatal',
     fatal(PROTOCOL, b'malformed frame')),
    ('c_rpc_from_server', C, 'a server may not send RPC', CA + rpc(1, 1), 'fatal', fatal(PROTOCOL, b'unexpected frame')),
    ('c_goaway', C, 'a server\'s GOAWAY is answered by GOAWAY|ACK', CA + goaway(1, 0, b'bye'), 'ok', GOAWAY_ACK),
]

for name, role, rule, sends, outcome, answer in rules:
    write(name, role, rule, sends, outcome, answer)
print('%d rule vectors' % len(rules))
