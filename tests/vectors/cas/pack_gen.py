#!/usr/bin/env python3
"""pack_gen.py - writes pack.txt: directory store packs ("DXCK") made from dx_cas.h's WIRE FORMAT
alone (an independent transcription: tests/cas_test.c checks that dx_cas_pack_parse and the
directory store read them, and refuse the damaged ones with the codes listed here).

  pack NAME HEX              a whole pack file (its name in packs/ is the SUM field, in hex)
  object ID_TEXT HEX         an object the pack holds (its content)
  reject CODE WHY HEX        a pack dx_cas_pack_parse refuses: CODE magic (DX_CAS_ERR_MAGIC),
                             unsupported, corrupt, checksum
  end
Records here are plain bytes (no compression), so any reader can check them by hand."""
import hashlib, struct, sys

def ident(content):
    return bytes([0x12, 32]) + hashlib.sha256(content).digest()

def id_text(content):
    return "sha256-" + hashlib.sha256(content).hexdigest()

def build(records, fix=None):
    """records: list of lists of objects; each inner list is one record (contents back to back).
    fix(entries, trailer_fields) may change fields before the checksum is taken."""
    out = bytearray(b"DXCK" + bytes([1, 0]) + struct.pack("<H", 0))
    entries = []
    for objs in records:
        off, content = len(out), b"".join(objs)
        out += content
        inner = 0
        for o in objs:
            entries.append(dict(id=ident(o), flags=0, offset=off, stored=len(content), size=len(o), inner=inner))
            inner += len(o)
    entries.sort(key=lambda e: e["id"])
    tf = dict(index=len(out), count=len(entries), flags=0, magic=b"DXCI", major=1, minor=0, reserved=0)
    if fix:
        fix(entries, tf)
    index = b"".join(e["id"] + struct.pack("<HQIII", e["flags"], e["offset"], e["stored"], e["size"], e["inner"])
                     for e in entries)
    head = struct.pack("<QII", tf["index"], tf["count"], tf["flags"])
    s = hashlib.sha256(index + head).digest()
    out += index + head + s + tf["magic"] + bytes([tf["major"], tf["minor"]]) + struct.pack("<H", tf["reserved"])
    return bytes(out)

def main():
    a, b, c, d = b"hello, packs", b"a second object in the same record", b"", b"x" * 300
    e = bytes(range(256)) * 3
    lines = [l for l in __doc__.splitlines()[2:]]
    out = ["# " + l if l else "#" for l in ["Packs of the directory store, made by pack_gen.py from dx_cas.h's WIRE FORMAT."] + lines[1:]]
    good = [("one-record", [[a]]), ("shared-record", [[a, b, c], [d]]), ("three-records", [[e], [a, b], [d, c]]),
            ("empty", [])]
    for name, recs in good:
        p = build(recs)
        out.append("pack %s %s" % (name, p.hex()))
        seen = set()
        for objs in recs:
            for o in objs:
                if o not in seen:
                    seen.add(o)
                    out.append("object %s %s" % (id_text(o), o.hex() if o else "-"))
        if name == "shared-record":
            base = recs
            def r(code, why, fix=None, mutate=None):
                q = bytearray(build(base, fix))
                if mutate:
                    mutate(q)
                out.append("reject %s %s %s" % (code, why, bytes(q).hex()))
            def set_(k, v):
                return lambda en, tf: tf.__setitem__(k, v)
            def ent(i, k, v):
                return lambda en, tf: en[i].__setitem__(k, v)
            r("magic", "trailer-magic", set_("magic", b"DXCJ"))
            r("unsupported", "trailer-major", set_("major", 2))
            r("unsupported", "trailer-flags", set_("flags", 1))
            r("unsupported", "trailer-reserved", set_("reserved", 1))
            r("corrupt", "count-too-large", set_("count", 1000))
            r("corrupt", "index-offset", set_("index", 9))
            r("checksum", "sum", mutate=lambda q: q.__setitem__(len(q) - 40, q[len(q) - 40] ^ 1))
            r("checksum", "index-byte", mutate=lambda q: q.__setitem__(len(q) - 60, q[len(q) - 60] ^ 1))
            r("magic", "header-magic", mutate=lambda q: q.__setitem__(0, ord("X")))
            r("unsupported", "header-major", mutate=lambda q: q.__setitem__(4, 2))
            r("unsupported", "entry-flags", ent(0, "flags", 1))
            r("unsupported", "entry-id-code", ent(0, "id", bytes([0x13, 32]) + bytes(32)))
            r("corrupt", "entry-id-length", ent(0, "id", bytes([0x12, 31]) + bytes(32)))
            r("corrupt", "entry-order", lambda en, tf: en.reverse())
            r("corrupt", "entry-twice", lambda en, tf: en.__setitem__(1, dict(en[0])))
            r("corrupt", "offset-in-header", ent(0, "offset", 4))
            r("corrupt", "offset-past-index", lambda en, tf: en[0].__setitem__("offset", tf["index"] + 1))
            r("corrupt", "stored-past-index", lambda en, tf: en[0].__setitem__("stored", tf["index"]))
            r("corrupt", "inner-past-16MiB", lambda en, tf: (en[0].__setitem__("inner", 1 << 24), en[0].__setitem__("size", 1)))
        out.append("end")
    sys.stdout.write("\n".join(out) + "\n")

if __name__ == "__main__":
    main()
