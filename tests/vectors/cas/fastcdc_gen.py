#!/usr/bin/env python3
"""fastcdc_gen.py - makes the synthetic vectors of fastcdc.txt with a direct,
unoptimised transcription of the FastCDC 2020 cut loop (the one fastcdc-rs's
v2020 module documents): a second implementation, independent of dx_cas.h's
streaming one. Run from the repository root:
    python3 tests/vectors/cas/fastcdc_gen.py > /tmp/synthetic.txt
and paste the output into fastcdc.txt (the published vectors stay as they are).
"""
import hashlib

M64 = (1 << 64) - 1
GEAR = [int.from_bytes(hashlib.md5(bytes([i]) * 64).digest()[:8], "big") for i in range(256)]
MASKS = [0, 0, 0, 0, 0, 0x0000000001804110, 0x0000000001803110, 0x0000000018035100,
         0x0000001800035300, 0x0000019000353000, 0x0000590003530000, 0x0000d90003530000,
         0x0000d90103530000, 0x0000d90303530000, 0x0000d90313530000, 0x0000d90f03530000,
         0x0000d90303537000, 0x0000d90703537000, 0x0000d90707537000, 0x0000d91707537000,
         0x0000d91747537000, 0x0000d91767537000, 0x0000d93767537000, 0x0000d93777537000,
         0x0000d93777577000, 0x0000db3777577000]


def log2_round(v):
    import math
    return int(round(math.log2(v)))


def cut(src, mn, avg, mx, ms, ml, g, gls):
    remaining = len(src)
    if remaining <= mn:
        return 0, remaining
    center = avg
    if remaining > mx:
        remaining = mx
    elif remaining < center:
        center = remaining
    index = mn // 2
    h = 0
    while index < center // 2:
        a = index * 2
        h = ((h << 2) + gls[src[a]]) & M64
        if h & (ms << 1) & M64 == 0:
            return h, a
        h = (h + g[src[a + 1]]) & M64
        if h & ms == 0:
            return h, a + 1
        index += 1
    while index < remaining // 2:
        a = index * 2
        h = ((h << 2) + gls[src[a]]) & M64
        if h & (ml << 1) & M64 == 0:
            return h, a
        h = (h + g[src[a + 1]]) & M64
        if h & ml == 0:
            return h, a + 1
        index += 1
    return h, remaining


def chunks(data, mn, avg, mx, level, seed):
    bits = log2_round(avg)
    ms, ml = MASKS[bits + level], MASKS[bits - level]
    g = [x ^ seed for x in GEAR]
    gls = [(x << 1) & M64 for x in g]
    out, pos = [], 0
    while pos < len(data):
        h, n = cut(data[pos:], mn, avg, mx, ms, ml, g, gls)
        out.append((n, h))
        pos += n
    return out


def xorshift_bytes(seed, n):
    """The generator tests/cas_test.c uses: xorshift64*, 8 bytes little-endian per step."""
    s, out = seed, bytearray()
    while len(out) < n:
        s ^= s >> 12
        s = (s ^ (s << 25)) & M64
        s ^= s >> 27
        out += ((s * 0x2545F4914F6CDD1D) & M64).to_bytes(8, "little")
    return bytes(out[:n])


def mixed(seed):
    """random 100000 bytes, 70000 zeros, random 80001 bytes (an odd total)"""
    return xorshift_bytes(seed, 100000) + bytes(70000) + xorshift_bytes(seed + 1, 80001)


CASES = [  # name, source, min, avg, max, level, seed
    ("mixed_4k", "mixed:1", 1024, 4096, 16384, 1, 0),
    ("mixed_4k_nc0", "mixed:1", 1024, 4096, 16384, 0, 0),
    ("mixed_4k_nc3_oddmax", "mixed:1", 1000, 4096, 16383, 3, 0),
    ("mixed_16k_nc2", "mixed:7", 4096, 16384, 65535, 2, 0),
    ("mixed_1k_odd_min", "mixed:3", 255, 1000, 4097, 1, 0),
    ("mixed_4k_seeded", "mixed:1", 1024, 4096, 16384, 1, 0x1234567890abcdef),
]

if __name__ == "__main__":
    for name, source, mn, avg, mx, level, seed in CASES:
        data = mixed(int(source.split(":")[1]))
        print("vector %s %s %d %d %d %d 0x%016x" % (name, source, mn, avg, mx, level, seed))
        for n, h in chunks(data, mn, avg, mx, level, seed):
            print("chunk %d %d" % (n, h))
        print("end")
