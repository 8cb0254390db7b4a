#!/usr/bin/env python3
"""Writes the seed corpora of tests/fuzz/hbtp_framer.c and tests/fuzz/hbtp_conn.c
(run from the repository root). Frames are built from the WIRE FORMAT in
dx_hbtp.h, independently of the library; the session seed reuses
session_client.hex from this directory."""
import os
import struct

FR = 'tests/fuzz/corpus/hbtp_framer/'
CO = 'tests/fuzz/corpus/hbtp_conn/'


def frame(op, flags, stream, payload=b''):
    return struct.pack('<BBHI', op, flags, stream, len(payload)) + payload


def hello(major=1, caps=1, max_payload=4096, inflight=64, token=b'', flags=0):
    p = b'HBTP' + struct.pack('<BBHQIHH', major, 0, len(token), caps, max_payload, inflight, 0) + token
    return frame(0x01, flags, 0, p)


def rpc(stream, method, body=b''):
    return frame(0x04, 0, stream, struct.pack('<I', method) + body)


def hexfile(name):
    text = ''.join(l.split('#')[0] for l in open('tests/vectors/hbtp/' + name))
    return bytes.fromhex(''.join(text.split()))


def write(d, name, data):
    os.makedirs(d, exist_ok=True)
    with open(d + name, 'wb') as f:
        f.write(data)


# framer: byte 0 max_payload, byte 1 split count, split sizes, stream
frames = (frame(0x02, 0, 0, b'ping') + rpc(1, 7, b'hello') + frame(0x05, 0x11, 1, b'\x07\0\0\0ok') +
          frame(0x80, 0x80, 9, b'') + frame(0x07, 0x04, 3, bytes(range(40))) + frame(0x08, 0x01, 3))
write(FR, 'valid_one_piece', bytes([64, 0]) + frames)
write(FR, 'valid_splits', bytes([64, 4, 1, 7, 0, 13]) + frames)
write(FR, 'valid_bytewise', bytes([64, 1, 1]) + frames)
write(FR, 'max_payload', bytes([128 + 2, 2, 9, 70]) + frame(0x04, 0, 1, bytes(64)) + frame(0x03, 0, 0, b''))
write(FR, 'too_large', bytes([16, 2, 3, 5]) + frame(0x02, 0, 0, b'a') + struct.pack('<BBHI', 4, 0, 1, 17) + b'x' * 20)
write(FR, 'reserved_opcode', bytes([32, 1, 5]) + frame(0x02, 0, 0) + frame(0x0b, 0, 1, b'zz'))
write(FR, 'required_flag', bytes([32, 1, 3]) + frame(0x04, 0x40, 1, b'\1\0\0\0'))
write(FR, 'truncated', bytes([64, 2, 2, 11]) + frames[:-3])

# conn: byte 0 config, bytes 1-2 rng seed, then what the peer sends
session = hexfile('session_client.hex')
write(CO, 'session', bytes([0x20, 1, 2]) + session)
calls = b''.join(rpc(i + 1, m, b'body') for i, m in enumerate([0, 1, 2, 3, 5, 6, 7, 100]))
calls += rpc(9, 4, struct.pack('<I', 600)) + rpc(10, 4, struct.pack('<I', 5000))
calls += frame(0x80, 0, 11, b'app') + frame(0x81, 0, 12, b'odd') + frame(0xfe, 0, 13, b'')
calls += frame(0x07, 0, 14, b'up') + frame(0x08, 0x01, 14, b'load') + frame(0x02, 0, 0, b'p')
calls += frame(0x0a, 0, 0, b'\0\0\0\0bye')
write(CO, 'all_methods', bytes([0x22, 3, 4]) + hello(caps=1) + calls)
write(CO, 'auth_ok', bytes([0x26, 5, 6]) + hello(token=b'tok') + rpc(1, 1, b'in'))
write(CO, 'auth_bad', bytes([0x24, 7, 8]) + hello(token=b'tik') + rpc(1, 1, b'in'))
write(CO, 'ratelimit', bytes([0x28, 9, 10]) + hello() + b''.join(rpc(i + 1, 1, b'r') for i in range(8)))
write(CO, 'small_out', bytes([0x21, 11, 12]) + hello() + b''.join(rpc(i + 1, 4, struct.pack('<I', 300)) for i in range(12)))
write(CO, 'inflight', bytes([0x60, 13, 14]) + hello(inflight=8) + b''.join(rpc(i + 1, 1, b'') for i in range(4)))
write(CO, 'version2', bytes([0x20, 15, 16]) + hello(major=2))
write(CO, 'too_large', bytes([0x00, 17, 18]) + hello(max_payload=64) + rpc(1, 1, bytes(range(64))))
write(CO, 'fallback', bytes([0xa0, 19, 20]) + hello() + rpc(1, 1000, b'fb') + frame(0x06, 0, 0, b'\x01\0\0\0') +
      frame(0x03, 0, 0, b''))
# what a server says, for the client side of the harness
answers = (hello(caps=1, flags=0x08) + frame(0x05, 0x10, 1, b'\0\0\0\0\x39\x30\0\0') + frame(0x06, 0, 2, b'\x04\0\0\0no') +
           frame(0x07, 0, 3, b'part') + frame(0x08, 0x01, 3) + frame(0x09, 0, 4, b'etag') + frame(0x0a, 0, 0, b'\4\0\0\0'))
write(CO, 'client_answers', bytes([0x20, 21, 22]) + answers)
write(CO, 'client_refused', bytes([0x20, 23, 24]) + frame(0x06, 0, 0, b'\x08\0\0\0no') + frame(0x0a, 0, 0, b'\0\0\x08\0'))
# every rule vector's input (rule_*.hex, the part before "= ok" / "= fatal"), server side of the harness
for name in sorted(os.listdir('tests/vectors/hbtp')):
    if name.startswith('rule_') and name.endswith('.hex'):
        text = open('tests/vectors/hbtp/' + name).read().split('\n=')[0]
        data = bytes.fromhex(''.join(''.join(l.split('#')[0] for l in text.split('\n')).split()))
        write(CO, name[:-4], bytes([0x30, 25, 26]) + data)
