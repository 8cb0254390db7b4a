#!/usr/bin/env python3
"""Derives the bad_*.hex vectors from basic.hex (run from the repository root).
Each file starts with '# expect: <result name>' that tests/teleport_test.c checks."""
import struct
D = 'tests/vectors/teleport/'

def read(name):
    hexs = ''.join(l for l in open(D + name) if not l.startswith('#'))
    return bytearray(bytes.fromhex(''.join(hexs.split())))

def write(name, why, expect, b):
    with open(D + name, 'w') as f:
        f.write('# %s\n# expect: %s\n' % (why, expect))
        for i in range(0, len(b), 16):
            f.write(' '.join('%02x' % x for x in b[i:i + 16]) + '\n')

def u32(b, at): return struct.unpack_from('<I', b, at)[0]
def put(b, at, v): struct.pack_into('<I', b, at, v)

good = read('basic.hex')
plain = bytearray(good)            # the same buffer without its checksum
put(plain, 8, u32(plain, 8) & ~1)
put(plain, 20, 0)

b = bytearray(good); b[0] = ord('Q')
write('bad_magic.hex', 'magic "QXTP"', 'DX_TP_ERR_MAGIC', b)
b = bytearray(good); b[4] = 2
write('bad_major.hex', 'format major version 2', 'DX_ERR_UNSUPPORTED', b)
b = bytearray(good); b[100] ^= 1
write('bad_checksum.hex', 'one bit flipped in the first record', 'DX_ERR_CHECKSUM', b)
b = bytearray(plain)
sec = u32(b, 48); rec = u32(b, sec + 4); strtab_size = u32(b, 68)
put(b, rec + 40, strtab_size + 1)   # rec.name.off points before the string table
write('bad_string.hex', 'no checksum; record 0 name offset past the string table', 'DX_ERR_CORRUPT', b)
b = bytearray(plain)
put(b, sec + 4, 8)                  # section 0 starts inside the header
write('bad_section.hex', 'no checksum; section 0 overlaps the header', 'DX_ERR_CORRUPT', b)
write('truncated.hex', 'the valid buffer less its last byte', 'DX_ERR_TRUNCATED', good[:-1])
write('plain.hex', 'basic.hex without the checksum flag: still valid', 'DX_OK', plain)
