#!/usr/bin/env python3
"""manifest_gen.py - makes manifest.txt: blobs cut into fixed-size chunks, each
chunk's id and Merkle leaf, the blob root and the manifest ("DXCM") byte for
byte, written from dx_cas.h's WIRE FORMAT alone (an implementation independent
of the C code), plus manifests a reader must reject. Run from the repository root:
    python3 tests/vectors/cas/manifest_gen.py > tests/vectors/cas/manifest.txt
"""
import hashlib
import struct


def H(b):
    return hashlib.sha256(b).digest()


def leaf(d):  # RFC 9162 leaf hash
    return H(b"\x00" + d)


def node(l, r):
    return H(b"\x01" + l + r)


def mth(ls):  # RFC 9162 root: split at the largest power of two below n
    if not ls:
        return H(b"")
    if len(ls) == 1:
        return ls[0]
    k = 1
    while k * 2 < len(ls):
        k *= 2
    return node(mth(ls[:k]), mth(ls[k:]))


def mth_dup(ls):  # the rule readers must NOT accept: an odd last node paired with itself
    level = list(ls)
    while len(level) > 1:
        if len(level) % 2:
            level.append(level[-1])
        level = [node(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    return level[0] if level else H(b"")


def manifest(total, digests, root, alg=0x12, flags=0):
    out = b"DXCM" + bytes([1, 0, alg, flags]) + struct.pack("<QQ", total, len(digests)) + root
    for length, d in digests:
        out += struct.pack("<I", length) + d
    return out


def blob(name, chunk_size, data):
    chunks = [data[i:i + chunk_size] for i in range(0, len(data), chunk_size)]
    digests = [(len(c), H(c)) for c in chunks]
    leaves = [leaf(d) for _, d in digests]
    root = mth(leaves)
    print("blob %s %d %s" % (name, chunk_size, data.hex() or "-"))
    for (n, d), l in zip(digests, leaves):
        print("chunk %d %s %s" % (n, d.hex(), l.hex()))
    print("root %s" % root.hex())
    print("manifest %s" % manifest(len(data), digests, root).hex())
    # what a reader rejects (DX_ERR_CHECKSUM: the root is not the one of the rule above)
    wrong = {
        "leaf-over-id": mth([leaf(bytes([0x12, 32]) + d) for _, d in digests]),
        "leaf-over-bytes": mth([leaf(c) for c in chunks]),
        "no-leaf-prefix": mth([d for _, d in digests]),
        "odd-node-duplicated": mth_dup(leaves),
    }
    for why, r in wrong.items():
        if r != root:
            print("reject checksum %s %s" % (why, manifest(len(data), digests, r).hex()))
    if digests:
        print("reject corrupt total-size %s" % manifest(len(data) + 1, digests, root).hex())
        print("reject unsupported flags %s" % manifest(len(data), digests, root, flags=1).hex())
        print("reject limit zero-length-chunk %s" % manifest(len(data), [(0, digests[0][1])] + digests, root).hex())
    print("end")


print("""# Blobs, their chunks, Merkle leaves, roots and manifests (SHA-256), made by
# manifest_gen.py from dx_cas.h's WIRE FORMAT. One vector:
#   blob NAME CHUNK_SIZE HEX      the blob's bytes ("-": none), cut into fixed-size chunks
#   chunk LENGTH DIGEST LEAF      per chunk: SHA-256 of its bytes; leaf = SHA-256(0x00 || digest)
#   root HEX                      RFC 9162 root of the leaves (no leaves: SHA-256 of "")
#   manifest HEX                  the "DXCM" object a writer makes, byte for byte
#   reject CODE WHY HEX           a manifest a reader refuses: CODE checksum (DX_ERR_CHECKSUM),
#                                 corrupt, unsupported, limit
#   end""")
blob("empty", 4, b"")
blob("one", 4, b"abc")
blob("three", 4, b"abcdefghij")
blob("five", 3, bytes(range(15)))
blob("seven", 100, bytes((i * 7 + 3) & 0xff for i in range(650)))
