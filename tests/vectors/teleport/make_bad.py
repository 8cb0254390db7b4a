#!/usr/bin/env python3
"""Derives the other *.hex vectors of the current format from basic.hex (run from
the repository root after `teleport_test -DTP_WRITE_VECTORS > basic.hex`).
Each file starts with '# expect: <result name>' that tests/teleport_test.c checks;
each breaks exactly one rule of dx_teleport.h's WIRE FORMAT section (or, for the
DX_OK ones, shows something a reader must accept).
v1.0/ holds the format 1.0 vectors as they were: a 1.1 reader gives the same results."""
import struct
D = 'tests/vectors/teleport/'

# Offsets, as the DX_TP_*_OFF_* enums of dx_teleport.h
H_FLAGS, H_CRC, H_ROOT = 8, 20, 40
H_SECTION_TABLE, H_SECTION_COUNT, H_TYPE_TABLE, H_TYPE_COUNT, H_STRING_TABLE_SIZE = 48, 52, 56, 60, 68
H_FINGERPRINT, H_RESERVED = 32, 72
S_SIZE, S_OFFSET, S_COUNT, S_ELEM_SIZE, S_ALIGN, S_RESERVED = 24, 4, 8, 12, 16, 20
T_SIZE, T_FINGERPRINT, T_ALIGN, T_FIELD_COUNT, T_RESERVED = 40, 0, 16, 20, 36
SLICE_COUNT = 4

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
put(plain, H_FLAGS, u32(plain, H_FLAGS) & ~1)
put(plain, H_CRC, 0)
sec = u32(plain, H_SECTION_TABLE)  # section 0: 3 rec (type 7, 48 bytes, align 8); section 1: the dir root
typ = u32(plain, H_TYPE_TABLE)     # type 0: rec; type 1: dir
rec = u32(plain, sec + S_OFFSET)
dir_at = u32(plain, sec + S_SIZE + S_OFFSET)

def plain_with(*edits):
    b = bytearray(plain)
    for at, v in edits: put(b, at, v)
    return b

b = bytearray(good); b[0] = ord('Q')
write('bad_magic.hex', 'magic "QXTP"', 'DX_TP_ERR_MAGIC', b)
b = bytearray(good); b[4] = 2
write('bad_major.hex', 'format major version 2', 'DX_ERR_UNSUPPORTED', b)
b = bytearray(good); b[100] ^= 1
write('bad_checksum.hex', 'one bit flipped in the first record', 'DX_ERR_CHECKSUM', b)
write('bad_string.hex', 'no checksum; record 0 name offset past the string table', 'DX_ERR_CORRUPT',
      plain_with((rec + 40, u32(plain, H_STRING_TABLE_SIZE) + 1)))
write('bad_section.hex', 'no checksum; section 0 overlaps the header', 'DX_ERR_CORRUPT', plain_with((sec + S_OFFSET, 8)))
write('truncated.hex', 'the valid buffer less its last byte', 'DX_ERR_TRUNCATED', good[:-1])
write('plain.hex', 'basic.hex without the checksum flag: still valid', 'DX_OK', plain)

# format 1.1 rules
write('trailing_bytes.hex', 'basic.hex followed by 16 bytes that are not part of it (framing): valid', 'DX_OK',
      good + bytes([0xee] * 16))
b = bytearray(plain); put(b, H_CRC, u32(good, H_CRC))
write('crc_without_flag.hex', 'no checksum flag but a nonzero CRC word', 'DX_ERR_CORRUPT', b)
b = bytearray(plain); b[H_RESERVED + 7] = 1
write('reserved_header.hex', 'no checksum; the last reserved header byte is 1', 'DX_ERR_CORRUPT', b)
write('reserved_section.hex', 'no checksum; section 0 reserved word is 1', 'DX_ERR_CORRUPT',
      plain_with((sec + S_RESERVED, 1)))
write('reserved_type.hex', 'no checksum; type 0 reserved word is 1', 'DX_ERR_CORRUPT', plain_with((typ + T_RESERVED, 1)))
write('empty_section.hex', 'no checksum; section 0 count 0', 'DX_ERR_CORRUPT', plain_with((sec + S_COUNT, 0)))
write('empty_slice.hex', 'no checksum; the root dir slice {offset of record 0, count 0}', 'DX_ERR_CORRUPT',
      plain_with((dir_at + SLICE_COUNT, 0)))
write('null_slice.hex', 'no checksum; the root dir slice {0, count 3}', 'DX_ERR_CORRUPT', plain_with((dir_at, 0)))
write('section_elem_size.hex', 'no checksum; section 0 element size 40, its type says 48', 'DX_ERR_CORRUPT',
      plain_with((sec + S_ELEM_SIZE, 40)))
write('section_align.hex', 'no checksum; section 0 alignment 16, its type says 8', 'DX_ERR_CORRUPT',
      plain_with((sec + S_ALIGN, 16)))
write('type_align_small.hex', 'no checksum; type 7 and its section aligned to 4, its u64 fields need 8',
      'DX_ERR_CORRUPT', plain_with((typ + T_ALIGN, 4), (sec + S_ALIGN, 4)))
write('type_align_pow2.hex', 'no checksum; type 7 and its section aligned to 12 (divides 48, not a power of two)',
      'DX_ERR_CORRUPT', plain_with((typ + T_ALIGN, 12), (sec + S_ALIGN, 12)))
write('type_align_divides.hex', 'no checksum; type 7 and its section aligned to 32, which does not divide 48',
      'DX_ERR_CORRUPT', plain_with((typ + T_ALIGN, 32), (sec + S_ALIGN, 32)))
write('type_fingerprint.hex', 'no checksum; type 7 fingerprint off by one', 'DX_ERR_CORRUPT',
      plain_with((typ + T_FINGERPRINT, u32(plain, typ + T_FINGERPRINT) ^ 1)))
write('header_fingerprint.hex', 'no checksum; header fingerprint off by one', 'DX_ERR_CORRUPT',
      plain_with((H_FINGERPRINT, u32(plain, H_FINGERPRINT) ^ 1)))
write('zero_fields.hex', 'no checksum; type 7 field count 0', 'DX_ERR_CORRUPT', plain_with((typ + T_FIELD_COUNT, 0)))
write('limit_fields.hex', 'no checksum; type 7 field count 257 (reader limit 256)', 'DX_ERR_LIMIT',
      plain_with((typ + T_FIELD_COUNT, 257)))
write('limit_types.hex', 'no checksum; type count 257 (reader limit 256)', 'DX_ERR_LIMIT', plain_with((H_TYPE_COUNT, 257)))
write('limit_sections.hex', 'no checksum; section count 65537 (reader limit 65536)', 'DX_ERR_LIMIT',
      plain_with((H_SECTION_COUNT, 65537)))
