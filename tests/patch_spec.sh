#!/usr/bin/env bash
# tests/patch_spec.sh DXDIFF - dx_patch's WIRE FORMAT checked by a second
# reader: tests/patch_spec_reader.py, Python written from the header's
# specification only, runs the vectors (tests/vectors/patch/), then applies
# patches DXDIFF makes from generated pairs (the same on every machine) of
# every kind it writes and compares the result byte for byte; `dxdiff info`
# must show the flags each pair is meant to cover, the reader the records and
# frames. Hand-made patches at the format's edges (tests/patch_spec_made.py)
# must give the same answer from the reader and from `DXDIFF apply`. A
# damaged patch (a flipped byte in a frame, a cut last byte) must be refused
# with an error, never give a result.
# Needs python3 with the zstandard module (Debian: python3-zstandard); without
# them it prints SKIP and why. Last line: "patch_spec: N passed, N failed, N skipped".
set -u
dx=$1
here=$(cd "$(dirname "$0")" && pwd)
passed=0 failed=0 skipped=0
ok() { passed=$((passed + 1)); echo "ok   $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
summary() { echo "patch_spec: $passed passed, $failed failed, $skipped skipped"; [ "$failed" -eq 0 ]; exit; }

# /usr/bin/python3 first: a pyenv or venv python3 earlier in PATH may lack Debian's python3-zstandard
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3 || true)
if [ -z "$py" ]; then
    echo "SKIP patch spec reader: python3 is not installed (make test installs it)"; skipped=1; summary
fi
if ! "$py" -c 'import zstandard' 2>/dev/null; then
    echo "SKIP patch spec reader: $py has no zstandard module (Debian: apt-get install python3-zstandard; make test installs it)"
    skipped=1; summary
fi
reader=("$py" "$here/patch_spec_reader.py")
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
start=$(date +%s)

# 1. the vectors: each one's result or error, and the XXH64 known answers
if "${reader[@]}" vectors "$here/vectors/patch" > "$dir/vectors.log" 2>&1; then
    ok "vectors: $(tail -n 1 "$dir/vectors.log" | sed 's/.*: //')"
else
    fail "vectors:"; grep -v '^ok ' "$dir/vectors.log" | sed 's/^/     /'
fi

# hand-made patches at the format's edges (tests/patch_spec_made.py): the reader and dxdiff apply agree
if "$py" "$here/patch_spec_made.py" "$dx" > "$dir/made.log" 2>&1; then
    ok "hand-made patches: $(tail -n 1 "$dir/made.log" | sed 's/.*: //')"
else
    fail "hand-made patches:"; grep -v '^ok ' "$dir/made.log" | sed 's/^/     /'
fi

# 2. the pairs, generated (deterministic: the same bytes everywhere)
"$py" - "$dir" <<'PY'
import random, sys
d = sys.argv[1]

def prog(seed, n, variant=0):
    """program-like bytes: tokens from a table, 4-byte addresses; a variant
    moves the addresses above 512 KiB by 64 bytes, adds and drops a little code"""
    r = random.Random(seed)
    rv = random.Random(variant)
    toks = [r.randbytes(r.randint(3, 12)) for _ in range(300)]
    out = bytearray()
    while len(out) < n:
        t = int(r.paretovariate(1.2)) % 300
        x, a, y = r.random(), r.randint(0, 1 << 20), r.random()
        if variant and y < 0.002:
            out += rv.randbytes(rv.randint(1, 40))
        if variant and y > 0.998:
            continue
        out += toks[t]
        if x < 0.1:
            out += (a + 64 * variant if a > 1 << 19 else a).to_bytes(4, "little")
    return bytes(out[:n])

WORDS = ("int char void static const struct typedef return if else for while unsigned long size_t "
         "namespace template typename std vector allocator iterator value_type _M_impl noexcept inline "
         "operator __glibcxx_assert define include ifdef endif pragma once class public private").split()

def text(seed, n):
    """C++-header-like text"""
    r = random.Random(seed)
    out, size = [], 0
    while size < n:
        k = r.randint(0, 12)
        line = "    " * r.randint(0, 3) + " ".join(r.choice(WORDS) for _ in range(k)) + (";" if k else "") + "\n"
        if r.random() < 0.05:
            line = "/* %s */\n" % " ".join(r.choice(WORDS) for _ in range(8))
        out.append(line)
        size += len(line)
    return "".join(out).encode()[:n]

def edits(b, seed, n):  # n small overwrites in place
    r = random.Random(seed)
    b = bytearray(b)
    for _ in range(n):
        at = r.randrange(len(b))
        k = r.randint(1, 8)
        b[at:at + k] = r.randbytes(min(k, len(b) - at))
    return bytes(b)

def moves(b, seed, n, new):  # n insertions of new bytes or deletions
    r = random.Random(seed)
    b = bytearray(b)
    for _ in range(n):
        at, k = r.randrange(len(b)), r.randint(1, 3000)
        if r.random() < 0.5:
            b[at:at] = new(r, k)
        else:
            del b[at:at + k]
    return bytes(b)

def text_edits(t, seed, n, word_frac=0.0):  # words changed, text inserted, lines deleted
    r = random.Random(seed)
    lines = t.split(b"\n")
    for i in range(len(lines)):
        if r.random() < word_frac:
            w = lines[i].split(b" ")
            j = r.randrange(len(w))
            w[j] = w[j][:-1] + b"_t" if len(w[j]) > 2 else b"x"
            lines[i] = b" ".join(w)
    for _ in range(n):
        i, op = r.randrange(len(lines)), r.random()
        if op < 0.4:
            w = lines[i].split(b" ")
            w[r.randrange(len(w))] = r.choice([b"uint64_t", b"constexpr", b"auto", b"decltype", b"nullptr"])
            lines[i] = b" ".join(w)
        elif op < 0.7:
            lines[i:i] = text(r.randrange(1 << 30), r.randint(50, 2000)).split(b"\n")
        else:
            del lines[i:i + r.randint(1, 30)]
    return b"\n".join(lines)

def x86prog(seed, n, variant=0):
    """an x86-64 ELF library's shape: an ELF header (type 3, machine 62),
    then functions of filler with calls (E8 rel32) to other functions and
    RIP-relative loads (8B 05 disp32) of globals past the code; a variant
    adds a few functions, so what lies after them moves and the calls and
    loads that cross them change"""
    r = random.Random(seed)
    funcs = []
    for f in range(n // 120):
        body = []
        for _ in range(r.randint(3, 12)):
            k = r.random()
            if k < 0.3:
                body.append(("call", r.randrange(n // 120)))
            elif k < 0.5:
                body.append(("load", r.randrange(4096)))
            else:
                body.append(("fill", r.randbytes(r.randint(1, 9)).replace(b"\xe8", b"\x90")))
        funcs.append(body)
    if variant:
        rv = random.Random(variant)
        for _ in range(6):
            funcs.insert(rv.randrange(len(funcs)), [("fill", rv.randbytes(200))])
    pos, at = [], 64
    for body in funcs:  # where each function starts
        pos.append(at)
        at += sum(5 if i[0] == "call" else 6 if i[0] == "load" else len(i[1]) for i in body)
    data_at = at + 4096
    out = bytearray(b"\x7fELF\x02\x01\x01" + bytes(9) + (3).to_bytes(2, "little") + (62).to_bytes(2, "little") + bytes(44))
    for body in funcs:
        for i in body:
            if i[0] == "call":
                out += b"\xe8" + ((pos[i[1] % len(pos)] - (len(out) + 5)) & 0xFFFFFFFF).to_bytes(4, "little")
            elif i[0] == "load":
                out += b"\x8b\x05" + ((data_at + 8 * i[1] - (len(out) + 6)) & 0xFFFFFFFF).to_bytes(4, "little")
            else:
                out += i[1]
    return bytes(out)

def put(name, old, new):
    open("%s/%s.old" % (d, name), "wb").write(old)
    open("%s/%s.new" % (d, name), "wb").write(new)

p = prog(1, 2000000)
put("edits", p, edits(p, 3, 40))                                             # bytes changed in place
put("moves", p, edits(moves(p, 4, 12, lambda r, k: r.randbytes(k)), 5, 20))  # random bytes inserted, bytes deleted
p7 = prog(7, 2000000)
put("moved", p7, edits(moves(p7, 8, 200, lambda r, k: prog(r.randrange(1 << 30), k)), 9, 300))
t = text(2, 2000000)
put("text", t, text_edits(t, 6, 300))
t11 = text(11, 2000000)
put("text-words", t11, text_edits(t11, 13, 100, 0.3))                        # much new text: DICT frames
# 4 MB of new text, then the old text edited: an in-place patch's window (4 MiB) is about the
# shift, so late frames' dictionary ranges reach below their end less the window and are cut
t41 = text(41, 1000000)
para = text(42, 3000)
put("text-grown", t41, b"".join(b"/* %d */\n" % i + para for i in range(4000000 // (len(para) + 12))) +
    text_edits(t41, 43, 0, 0.4))
put("rebuilt", prog(31, 2000000), prog(31, 2000000, 1))
r = random.Random(5)
b = r.randbytes(300000)
n = bytearray(b)
for i in range(0, len(n), 8192):
    n[i:i + 4096] = r.randbytes(4096)
n[100000:150000] = bytes(50000)
put("zeroed", b, bytes(n[:250000]))                                          # zeroed, rewritten, cut
put("random", random.Random(24).randbytes(1000000), random.Random(25).randbytes(1200000))
p21 = prog(21, 1500000)
put("shrink", p21, edits(p21[:900000], 26, 20))
put("grow", p21[:700000], edits(p21, 27, 20))
put("x86", x86prog(51, 400000), x86prog(51, 400000, 52))                    # X86: moved code's calls and loads
small = b"hello, world\n" * 10
put("empty-empty", b"", b"")
put("empty-small", b"", small)
put("small-empty", small, b"")
put("small-edit", small, small.replace(b"world", b"there"))
PY
[ -s "$dir/moved.new" ] || { fail "the pairs were not generated"; summary; }

bits() { # flag names -> bit mask (WIRE FORMAT, flags)
    local m=0 f
    for f in "$@"; do
        case $f in
            ZSTD) m=$((m | 1)) ;; WITNESS) m=$((m | 2)) ;; ONE_WAY) m=$((m | 4)) ;; COPY) m=$((m | 8)) ;;
            COLUMNS) m=$((m | 16)) ;; CARRY) m=$((m | 32)) ;; WINDOW) m=$((m | 64)) ;; LITERAL) m=$((m | 128)) ;;
            STREAM) m=$((m | 256)) ;; PREFIX) m=$((m | 512)) ;; DICT) m=$((m | 1024)) ;; X86) m=$((m | 2048)) ;;
            NEWBYTES) m=$((m | 4096)) ;; ANCHORS) m=$((m | 8192)) ;;
            *) echo "patch_spec.sh: unknown flag $f" >&2; exit 2 ;;
        esac
    done
    echo $m
}
covered=0 # every flag some pair's patch had

# pair NAME DXDIFF-OPTIONS FLAGS NOT-FLAGS READER-COUNTS: dxdiff diff with the options; its info's
# flags must hold FLAGS and none of NOT-FLAGS; the reader's apply -v must count each of READER-COUNTS
# (record types, "frames DICT", "blocks carried", ...); its result must be NEW, and rolled back
# (patches without ONE_WAY) OLD; a flipped byte in the first frame and a cut last byte are refused.
pair() {
    local name=$1 opts=$2 want=$3 not=$4 counts=$5 base=${1%%:*} p="$dir/$1.patch" out="$dir/out" info flags c
    local old="$dir/$base.old" new="$dir/$base.new" what="pair $name (${opts:-default})"
    # shellcheck disable=SC2086 # $opts is a list of options
    if ! "$dx" diff -q -f $opts "$old" "$new" "$p" > "$dir/diff.log" 2>&1; then
        fail "$what: dxdiff diff: $(cat "$dir/diff.log")"; return; fi
    info=$("$dx" info "$p" 2>&1) || { fail "$what: dxdiff info: $info"; return; }
    flags=$(echo "$info" | sed -n 's/^flags: *\(0x[0-9a-f]*\).*/\1/p')
    [ -n "$flags" ] || { fail "$what: no flags in dxdiff info: $info"; return; }
    # shellcheck disable=SC2086
    if [ $((flags & $(bits $want))) -ne "$(bits $want)" ] || [ $((flags & $(bits $not))) -ne 0 ]; then
        fail "$what: flags $flags, meant to have $want${not:+ and not $not}"; return; fi
    covered=$((covered | flags))
    rm -f "$out"
    if ! "${reader[@]}" apply -v "$old" "$p" "$out" > "$dir/apply.log" 2>&1; then
        fail "$what: the reader refused dxdiff's patch ($flags): $(tr '\n' ' ' < "$dir/apply.log")"; return; fi
    cmp -s "$out" "$new" || { fail "$what: the reader's result differs from NEW ($flags)"; return; }
    for c in $counts; do
        grep -q "\(^\|; \)${c//_/ } [1-9]" "$dir/apply.log" || {
            fail "$what: the reader counted no ${c//_/ }: $(cat "$dir/apply.log")"; return; }
    done
    local extra=""
    if [ $((flags & 4)) -eq 0 ]; then # reversible: the same patch given NEW makes OLD
        rm -f "$out"
        # (data that is both, OLD equal to NEW, is patched forward)
        if ! "${reader[@]}" apply -v "$new" "$p" "$out" > "$dir/back.log" 2>&1 || ! cmp -s "$out" "$old" ||
            { ! grep -q 'rolled back 1' "$dir/back.log" && ! cmp -s "$old" "$new"; }; then
            fail "$what: roll back: $(tr '\n' ' ' < "$dir/back.log")"; return; fi
        extra=", rolled back"
    fi
    # damage: a byte flipped in the middle of the first frame's stored bytes (with no frames:
    # in the header's base length), the last byte cut
    local nframes stored at err
    nframes=$(od -An -tu4 -j52 -N4 "$p" | tr -d ' ')
    at=16
    if [ "$nframes" -gt 0 ]; then
        stored=$(od -An -tu4 -j68 -N4 "$p" | tr -d ' ')
        at=$((64 + 12 + stored / 2))
    fi
    cp "$p" "$dir/bad"
    # shellcheck disable=SC2059 # the format is the byte, as an octal escape
    printf "\\$(printf %03o $(($(od -An -tu1 -j$at -N1 "$p") ^ 0x5a)))" | dd of="$dir/bad" bs=1 seek=$at conv=notrunc 2>/dev/null
    rm -f "$out"
    if err=$("${reader[@]}" apply "$old" "$dir/bad" "$out" 2>/dev/null); then
        fail "$what: a flipped byte at $at was not noticed"; return; fi
    if [[ $err != DX_* ]] || [ -e "$out" ]; then fail "$what: flipped byte at $at: '$err'"; return; fi
    extra="$extra, flipped byte $at: $err"
    head -c -1 "$p" > "$dir/bad"
    err=$("${reader[@]}" apply "$old" "$dir/bad" "$out" 2>/dev/null)
    if [ "$err" != DX_ERR_TRUNCATED ] || [ -e "$out" ]; then fail "$what: the last byte cut: '$err'"; return; fi
    ok "$what: $(stat -c %s "$p") B, $(echo "$info" | sed -n 's/^flags: *//p' | sed 's/ (.*//'), $nframes frames; $(sed 's/forward 1; //' "$dir/apply.log")$extra"
}

#    name:variant     dxdiff options               flags it must have                 must not have  reader counts
pair edits           "--zstd 3"                    "ZSTD WITNESS COLUMNS STREAM"      "ONE_WAY NEWBYTES" "XOR"
pair edits:b1k       "--block 1024"                "WITNESS"                          "ZSTD ONE_WAY" "XOR frames_raw"
pair edits:b64       "--block 64 --zstd 1"         "ZSTD STREAM COLUMNS"              "ONE_WAY"      "XOR"
pair moved:b512k     "--block 512K --zstd 3"       "ZSTD COLUMNS"                     "ONE_WAY STREAM" "XOR frames_zstd"
pair edits:auto      ""                            "COPY CARRY COLUMNS"               ""             "COPY blocks_carried"
pair moves           "--shift"                     "ONE_WAY COPY CARRY LITERAL ANCHORS" "ZSTD"       "COPY SPLIT blocks_carried"
pair moves:window    "--shift --window 64K --zstd 3" "WINDOW CARRY COLUMNS"           "PREFIX"       "SPLIT blocks_carried"
pair moved           ""                            "COPY CARRY LITERAL STREAM COLUMNS NEWBYTES" "PREFIX" "COPY SPLIT sources_past_the_base frames_NEWBYTES"
pair moved:b1k       "--shift --zstd 19 --block 1024" "STREAM COLUMNS CARRY"          "WINDOW"       "SPLIT"
pair moved:in-place  "--in-place"                  "WINDOW CARRY LITERAL"             "DICT PREFIX"  "SPLIT"
pair text            ""                            "DICT PREFIX COLUMNS CARRY NEWBYTES" "WINDOW"     "SPLIT frames_DICT DICT_merged_ranges frames_NEWBYTES"
pair text:in-place   "--in-place"                  "DICT PREFIX WINDOW"               ""             "SPLIT frames_DICT DICT_merged_ranges"
pair text:-9         "-9"                          "PREFIX"                           "DICT STREAM"  "SPLIT frames_PREFIX"
pair text-words      ""                            "DICT PREFIX"                      "WINDOW"       "frames_DICT DICT_merged_ranges"
pair text-words:in-place "--in-place"              "DICT WINDOW"                      ""             "frames_DICT"
pair text-grown:in-place "--in-place"              "DICT WINDOW"                      ""             "frames_DICT DICT_ranges_cut_by_the_window"
pair rebuilt:-9      "-9"                          "PREFIX COPY CARRY"                "DICT STREAM"  "frames_PREFIX SPLIT"
pair zeroed          "--one-way"                   "ONE_WAY WITNESS"                  "ZSTD COPY"    "XOR ZERO RAW frames_raw"
pair zeroed:zstd     "--one-way --zstd 3"          "ONE_WAY COLUMNS STREAM"           "COPY"         "XOR ZERO RAW"
pair zeroed:auto     ""                            "ONE_WAY"                          ""             ""
pair random          ""                            "ONE_WAY"                          "COPY"         ""
pair shrink          ""                            "COPY CARRY"                       ""             "COPY"
pair shrink:xor      "--zstd 3"                    "STREAM"                           "ONE_WAY"      "XOR"
pair grow            ""                            ""                                 ""             "XOR"
pair grow:shift      "--shift --zstd 3"            "COPY CARRY"                       ""             "COPY"
pair empty-empty     ""                            ""                                 ""             ""
pair empty-small     ""                            ""                                 ""             "XOR"
pair empty-small:shift "--shift"                   "COPY LITERAL"                     ""             "COPY sources_past_the_base"
pair small-empty     ""                            ""                                 ""             ""
pair small-empty:one-way "--one-way"               "ONE_WAY"                          "COPY"         "ZERO"
pair small-empty:in-place "--in-place"             ""                                 ""             ""
pair small-edit      "--block 64"                  "WITNESS"                          "ONE_WAY"      "XOR"
pair x86             ""                            "COPY CARRY X86 STREAM"            ""             "SPLIT X86_segments"
pair x86:in-place    "--in-place"                  "WINDOW X86"                       ""             "X86_segments"

# together the pairs cover every flag dx_patch writes
if [ "$covered" -eq "$(bits ZSTD WITNESS ONE_WAY COPY COLUMNS CARRY WINDOW LITERAL STREAM PREFIX DICT X86 NEWBYTES ANCHORS)" ]; then
    ok "the pairs' patches had every flag (0x$(printf %x $covered))"
else
    fail "the pairs' patches had flags 0x$(printf %x $covered) of 0x3fff"
fi

# a wrong base is refused
err=$("${reader[@]}" apply "$dir/text.old" "$dir/edits:b1k.patch" "$dir/out" 2>/dev/null)
if [ "$err" = DX_PATCH_ERR_WRONG_BASE ]; then ok "a wrong base: $err"; else fail "a wrong base: '$err'"; fi
echo "patch_spec: $(($(date +%s) - start)) s"
summary
