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


def parts_manifest(total, count, parts, root, alg=0x12, flags=1):
    out = b"DXCM" + bytes([1, 0, alg, flags]) + struct.pack("<QQ", total, count) + root
    for size, n, d, r in parts:
        out += struct.pack("<QI", size, n) + d + r
    return out


def blob_in_parts(name, chunk_size, data, span):
    """A blob of more than span chunks: parts of span chunks (the last shorter), each a
    manifest without flags, and the PARTS manifest naming them."""
    chunks = [data[i:i + chunk_size] for i in range(0, len(data), chunk_size)]
    digests = [(len(c), H(c)) for c in chunks]
    leaves = [leaf(d) for _, d in digests]
    root = mth(leaves)
    assert len(chunks) > span
    print("blob %s %d %s %d" % (name, chunk_size, data.hex(), span))
    for (n, d), l in zip(digests, leaves):
        print("chunk %d %s %s" % (n, d.hex(), l.hex()))
    print("root %s" % root.hex())
    parts = []
    for i in range(0, len(digests), span):
        pd = digests[i:i + span]
        proot = mth(leaves[i:i + span])
        pm = manifest(sum(n for n, _ in pd), pd, proot)
        print("part %s" % pm.hex())
        parts.append((sum(n for n, _ in pd), len(pd), H(pm), proot))
    assert mth([p[3] for p in parts]) == root  # whole parts are whole subtrees of the blob's tree
    print("manifest %s" % parts_manifest(len(data), len(chunks), parts, root).hex())
    bad = {  # what a reader rejects
        "corrupt total-size": parts_manifest(len(data) + 1, len(chunks), parts, root),
        "corrupt count": parts_manifest(len(data), len(chunks) + 1, parts, root),
        "corrupt part-size-sum": parts_manifest(len(data), len(chunks), [(parts[0][0] + 1,) + parts[0][1:]] + parts[1:], root),
        "corrupt one-part": parts_manifest(len(data), len(chunks), parts[:1], parts[0][3]),
        "corrupt entries-truncated": parts_manifest(len(data), len(chunks), parts, root)[:-1],
        "checksum parts-root-over-leaves": parts_manifest(len(data), len(chunks), parts, mth([leaf(p[3]) for p in parts])),
        "checksum part-root": parts_manifest(len(data), len(chunks), [parts[0][:3] + (H(b"x"),)] + parts[1:], root),
        "unsupported flags": parts_manifest(len(data), len(chunks), parts, root, flags=3),
    }
    if len(parts) > 2 and parts[-1][1] < span:  # a middle part shorter than the first (counts still add up)
        moved = list(parts)
        moved[1] = (moved[1][0], moved[1][1] - 1) + moved[1][2:]
        moved[-1] = (moved[-1][0], moved[-1][1] + 1) + moved[-1][2:]
        bad["corrupt uneven-parts"] = parts_manifest(len(data), len(chunks), moved, root)
    longer = parts[:-1] + [(parts[-1][0] + span, span + 1) + parts[-1][2:]]
    bad["corrupt last-part-longer"] = parts_manifest(len(data) + span, len(chunks) - parts[-1][1] + span + 1, longer, root)
    if span > 2:  # a part count that is not a power of two (the sizes and counts still add up)
        odd = [(0, span - 1, b"", b"")] + [(0, span + 1, b"", b"")] * (len(parts) - 1)
        odd = [(p[0], o[1], p[2], p[3]) for p, o in zip(parts, odd)]
        bad["corrupt span-not-power-of-two"] = parts_manifest(len(data), sum(p[1] for p in odd), odd, root)
    for why, m in bad.items():
        print("reject %s %s" % (why, m.hex()))
    print("end")


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
        print("reject unsupported flags %s" % manifest(len(data), digests, root, flags=2).hex())
        print("reject limit zero-length-chunk %s" % manifest(len(data), [(0, digests[0][1])] + digests, root).hex())
    print("end")


print("""# Blobs, their chunks, Merkle leaves, roots and manifests (SHA-256), made by
# manifest_gen.py from dx_cas.h's WIRE FORMAT. One vector:
#   blob NAME CHUNK_SIZE HEX [SPAN] the blob's bytes ("-": none), cut into fixed-size chunks;
#                                 with SPAN, stored in parts of SPAN chunks (the last shorter)
#   chunk LENGTH DIGEST LEAF      per chunk: SHA-256 of its bytes; leaf = SHA-256(0x00 || digest)
#   root HEX                      RFC 9162 root of the leaves (no leaves: SHA-256 of "")
#   part HEX                      each part, in order (a "DXCM" manifest without flags)
#   manifest HEX                  the "DXCM" object a writer makes, byte for byte (with
#                                 SPAN: the PARTS manifest naming the parts)
#   reject CODE WHY HEX           a manifest a reader refuses: CODE checksum (DX_ERR_CHECKSUM),
#                                 corrupt, unsupported, limit
#   end""")
blob("empty", 4, b"")
blob("one", 4, b"abc")
blob("three", 4, b"abcdefghij")
blob("five", 3, bytes(range(15)))
blob("seven", 100, bytes((i * 7 + 3) & 0xff for i in range(650)))
blob_in_parts("ten-in-fours", 7, bytes((i * 13 + 5) & 0xff for i in range(66)), 4)
blob_in_parts("nine-in-twos", 5, bytes((i * 3 + 1) & 0xff for i in range(45)), 2)
blob_in_parts("eight-in-fours", 6, bytes((i * 11) & 0xff for i in range(48)), 4)
