#!/usr/bin/env bash
# tests/dxdiff_cli.sh DXDIFF - the dxdiff example as a user runs it: diff,
# apply, info, --in-place, --resume, --shift, on files made here; a wrong
# base or a damaged patch fails and leaves the files as they were.
# Prints one line per step; exits non-zero at the first failure.
set -eu
dx=$1
dxabs=$(cd "$(dirname "$dx")" && pwd)/$(basename "$dx") # for steps run from $dir
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
step() { echo "dxdiff: $*"; }
die() { echo "dxdiff: FAIL: $*" >&2; exit 1; }

# old: 300 KiB of a real binary; new: edits, an insertion and a deletion
head -c 307200 /bin/bash > "$dir/old"
{ head -c 100000 "$dir/old"; printf 'inserted bytes'; tail -c +100001 "$dir/old" | head -c 150000;
  tail -c +250101 "$dir/old"; } > "$dir/new"
printf 'XYZ' | dd of="$dir/new" bs=1 seek=4000 conv=notrunc 2>/dev/null

for mode in "" "--zstd 3" "--shift" "--shift --zstd 3 --block 1024"; do
    # shellcheck disable=SC2086 # $mode is a list of options
    "$dx" diff -f $mode "$dir/old" "$dir/new" "$dir/p" || die "diff $mode"
    "$dx" apply -f "$dir/old" "$dir/p" "$dir/out" || die "apply ($mode)"
    cmp -s "$dir/out" "$dir/new" || die "apply ($mode): wrong result"
    "$dx" info "$dir/p" > "$dir/info" || die "info ($mode)"
    grep -q '^records: ' "$dir/info" || die "info ($mode): no record counts"
    step "diff $mode: $(stat -c %s "$dir/p") bytes, apply and info ok"
done
grep -q 'SPLIT [1-9]' "$dir/info" || die "--shift: no SPLIT record for the insertion"
# -f over a file: the new one keeps its permission bits (a private file stays private; it was made 0644)
chmod 600 "$dir/out"
"$dx" apply -f "$dir/old" "$dir/p" "$dir/out" || die "apply -f over a private file"
[ "$(stat -c %a "$dir/out")" = 600 ] || die "apply -f over a 0600 file: now $(stat -c %a "$dir/out")"
chmod 640 "$dir/p"
"$dx" diff -f "$dir/old" "$dir/new" "$dir/p" || die "diff -f over a 0640 patch"
[ "$(stat -c %a "$dir/p")" = 640 ] || die "diff -f over a 0640 patch: now $(stat -c %a "$dir/p")"
step "-f over a file keeps its permission bits (0600, 0640)"

# the patch's hashes are XXH64, seed 0: what xxhsum -H1 prints for the files (when xxhsum is installed)
if command -v xxhsum >/dev/null; then
    grep -q "^base: .* xxh64 $(xxhsum -H1 < "$dir/old" | cut -d' ' -f1)\$" "$dir/info" || die "info: base hash is not xxhsum's"
    grep -q "^target: .* xxh64 $(xxhsum -H1 < "$dir/new" | cut -d' ' -f1)\$" "$dir/info" || die "info: target hash is not xxhsum's"
    step "info: base and target hashes equal xxhsum -H1's"
else
    step "info: xxhsum not installed, its hashes not compared (apt-get install xxhash)"
fi

# a format 1 patch (dx_patch.h 0.1, 0.2) is refused with a clear error
printf '%b' "$(awk '/^# patch:/ { on = 1; next } /^#/ { on = 0 } on' "$(dirname "$0")/vectors/patch/old_format.hex" |
    tr -d ' \n' | sed 's/../\\x&/g')" > "$dir/old_format"
[ "$(stat -c %s "$dir/old_format")" -gt 64 ] || die "old_format.hex: no patch bytes"
if "$dx" info "$dir/old_format" > /dev/null 2> "$dir/err"; then die "a format 1 patch was accepted"; fi
grep -q 'OLD_FORMAT.*format 1 patch.*make it again' "$dir/err" || die "format 1 patch: $(cat "$dir/err")"
step "a format 1 patch: refused ($(sed 's/^dxdiff: //' "$dir/err"))"

# in place, then back again (a reversible patch rolls back)
"$dx" diff -f --zstd 3 "$dir/old" "$dir/new" "$dir/p"
cp "$dir/old" "$dir/f"
"$dx" apply --in-place "$dir/f" "$dir/p" || die "in place"
cmp -s "$dir/f" "$dir/new" || die "in place: wrong result"
"$dx" apply --in-place "$dir/f" "$dir/p" || die "roll back"
cmp -s "$dir/f" "$dir/old" || die "roll back: wrong result"
step "in place and roll back ok"

# interrupted after 3 writes, then resumed
cp "$dir/old" "$dir/f"
if DXDIFF_FAIL_AFTER_WRITES=3 "$dx" apply --in-place "$dir/f" "$dir/p" 2>/dev/null; then die "the failing writes were not noticed"; fi
"$dx" apply --resume "$dir/f" "$dir/p" || die "resume"
cmp -s "$dir/f" "$dir/new" || die "resume: wrong result"
step "interrupted in-place apply resumed ok"
# --resume of an unrelated FILE shorter than the target: its growth is taken back, and it says nothing was written
head -c 1000 /dev/urandom > "$dir/small"; cp "$dir/small" "$dir/f"
if "$dx" apply --resume "$dir/f" "$dir/p" 2>"$dir/err"; then die "resume of an unrelated FILE"; fi
grep -q 'neither the patch.s base, nor its target, nor an interrupted apply.*nothing written' "$dir/err" &&
    cmp -s "$dir/f" "$dir/small" || die "resume of an unrelated FILE: $(cat "$dir/err")"
step "resume of an unrelated FILE: refused, FILE as it was, 'nothing written'"
# --resume of FILE = the target with 4 KiB appended (longer than base and target: no apply leaves that): refused, untouched
{ cat "$dir/new"; head -c 4096 /dev/zero | tr '\0' J; } > "$dir/longer"; cp "$dir/longer" "$dir/f"
if "$dx" apply --resume "$dir/f" "$dir/p" 2>"$dir/err"; then die "resume of FILE = target + 4 KiB: accepted (its bytes cut)"; fi
grep -q 'neither the patch.s base, nor its target, nor an interrupted apply.*nothing written' "$dir/err" &&
    cmp -s "$dir/f" "$dir/longer" || die "resume of FILE = target + 4 KiB: $(cat "$dir/err")"
step "resume of FILE longer than base and target: refused, FILE as it was"
# a WITNESS patch (no journal) and FILE = its base + 8 bytes (the target's length, neither): refused untouched without
# the advice to resume, and --resume writes nothing (its witnesses all checked first: the first blocks look like the base's)
head -c 307200 /dev/urandom > "$dir/xold"; { head -c 280000 "$dir/xold"; printf 'INSERTED'; tail -c +280001 "$dir/xold"; } > "$dir/xnew"
"$dx" diff -f --block 4096 "$dir/xold" "$dir/xnew" "$dir/xp" > /dev/null
"$dx" info "$dir/xp" | grep -q '^flags: .*WITNESS' && ! "$dx" info "$dir/xp" | grep -q '^flags: .*WINDOW' || die "xp: not a WITNESS patch"
{ cat "$dir/xold"; printf 'ABCDEFGH'; } > "$dir/xf0"; cp "$dir/xf0" "$dir/f"
if "$dx" apply --in-place "$dir/f" "$dir/xp" 2>"$dir/err"; then die "in place on base + 8 bytes: accepted"; fi
grep -q 'is untouched (nor an interrupted apply of .*xp: nothing to resume)' "$dir/err" && ! grep -q -- 'use --resume' "$dir/err" &&
    cmp -s "$dir/f" "$dir/xf0" || die "in place on base + 8 bytes: $(cat "$dir/err")"
if "$dx" apply --resume "$dir/f" "$dir/xp" 2>"$dir/err"; then rc=0; else rc=$?; fi
[ "$rc" = 1 ] && grep -q 'neither the patch.s base, nor its target, nor an interrupted apply.*nothing written' "$dir/err" &&
    cmp -s "$dir/f" "$dir/xf0" || die "resume of base + 8 bytes (exit $rc): $(cat "$dir/err")"
cp "$dir/xold" "$dir/f" # a real interruption still gets the advice, and resumes
if DXDIFF_FAIL_AFTER_WRITES=3 "$dx" apply --in-place "$dir/f" "$dir/xp" 2>/dev/null; then die "the failing writes were not noticed"; fi
if "$dx" apply --in-place "$dir/f" "$dir/xp" 2>"$dir/err"; then die "in place on a half-applied FILE: accepted"; fi
grep -q 'use --resume' "$dir/err" || die "half-applied FILE: no advice to resume: $(cat "$dir/err")"
"$dx" apply --resume "$dir/f" "$dir/xp" && cmp -s "$dir/f" "$dir/xnew" || die "resume after 3 writes"
step "WITNESS patch, FILE = base + 8 bytes: no advice to resume, --resume refused, FILE as it was; a real interruption resumes"
# an interrupted apply, then a byte changed where no record (and no witness) looks: the resume applies every record and
# the result does not check; finishing again cannot mend that: 'restore from a copy', not 'finish with --resume'
cp "$dir/xold" "$dir/f"
if DXDIFF_FAIL_AFTER_WRITES=3 "$dx" apply --in-place "$dir/f" "$dir/xp" 2>/dev/null; then die "the failing writes were not noticed"; fi
printf 'Q' | dd of="$dir/f" bs=1 seek=100 conv=notrunc 2>/dev/null
if "$dx" apply --resume "$dir/f" "$dir/xp" 2>"$dir/err"; then die "resume of a FILE changed under no witness: accepted"; fi
grep -q 'was changed by something other than this patch.*restore .* from a copy' "$dir/err" && ! grep -q -- '--resume' "$dir/err" ||
    die "resume that cannot finish: $(cat "$dir/err")"
step "a resume whose result does not check (a byte changed under no witness): 'restore from a copy', no advice to resume again"
# a shrinking WITNESS patch and FILE = its target + "JUNK" (a length between target and base, the JUNK in a block whose
# witness lies before the target's end): only an interrupted growth of a roll back leaves such a length, and then
# zeros past the target: refused, untouched (the JUNK was cut, exit 0); the target + zeros still resumes
head -c 300000 "$dir/xold" > "$dir/xt"; printf 'XY' | dd of="$dir/xt" bs=1 seek=299500 conv=notrunc 2>/dev/null
"$dx" diff -f --block 4096 "$dir/xold" "$dir/xt" "$dir/xp" > /dev/null
{ cat "$dir/xt"; printf JUNK; } > "$dir/xf0"; cp "$dir/xf0" "$dir/f"
if "$dx" apply --resume "$dir/f" "$dir/xp" 2>"$dir/err"; then rc=0; else rc=$?; fi
[ "$rc" = 1 ] && grep -q 'neither the patch.s base, nor its target, nor an interrupted apply.*nothing written' "$dir/err" &&
    cmp -s "$dir/f" "$dir/xf0" || die "resume of target + JUNK (exit $rc): $(cat "$dir/err")"
{ cat "$dir/xt"; printf '\0\0\0\0'; } > "$dir/f"
"$dx" apply --resume "$dir/f" "$dir/xp" && cmp -s "$dir/f" "$dir/xt" || die "resume of target + 4 zeros"
step "shrinking WITNESS patch, FILE = target + JUNK: --resume refused, FILE as it was; target + zeros resumes"

# refusals leave the data alone
head -c 307200 /bin/ls > "$dir/other" 2>/dev/null || head -c 307200 /dev/urandom > "$dir/other"
cp "$dir/other" "$dir/f"
if "$dx" apply --in-place "$dir/f" "$dir/p" 2>"$dir/err"; then die "a wrong base was accepted"; fi
grep -q 'WRONG_BASE' "$dir/err" || die "wrong base: $(cat "$dir/err")"
cmp -s "$dir/f" "$dir/other" || die "wrong base: the file changed"
cp "$dir/p" "$dir/bad"
printf '\377' | dd of="$dir/bad" bs=1 seek=100 conv=notrunc 2>/dev/null
cp "$dir/old" "$dir/f"
if "$dx" apply --in-place "$dir/f" "$dir/bad" 2>/dev/null; then die "a damaged patch was accepted"; fi
cmp -s "$dir/f" "$dir/old" || die "damaged patch: the file changed"
if "$dx" info "$dir/bad" >/dev/null 2>&1; then die "info passed a damaged patch"; fi
: > "$dir/empty-patch"
if "$dx" info "$dir/empty-patch" 2>"$dir/err"; then die "info passed an empty file"; fi
grep -q 'empty-patch is empty: not a patch' "$dir/err" || die "an empty patch: $(cat "$dir/err")"
{ cat "$dir/p"; echo trailing; } > "$dir/trail"
if "$dx" info "$dir/trail" >/dev/null 2>"$dir/err"; then die "info passed a patch with bytes after it"; fi
grep -q 'at its end, after its [0-9]* frames' "$dir/err" || die "bytes after a patch: $(cat "$dir/err")"
"$dx" diff -f --shift "$dir/old" "$dir/new" "$dir/p"
cp "$dir/old" "$dir/f"
if "$dx" apply --in-place "$dir/f" "$dir/p" 2>/dev/null; then die "a shift patch was applied in place"; fi
cmp -s "$dir/f" "$dir/old" || die "shift patch in place: the file changed"
rm -f "$dir/out"
if "$dx" apply "$dir/other" "$dir/p" "$dir/out" 2>/dev/null; then die "a shift patch accepted a wrong base"; fi
[ ! -e "$dir/out" ] || die "a failed apply left OUT behind"
step "wrong base, damaged patch, shift patch in place: refused, files untouched"
# a one-way patch given its target: not "neither the base nor the target" (it is the target; one-way does not roll back)
"$dx" diff -f --one-way "$dir/old" "$dir/new" "$dir/pone" || die "diff --one-way"
if "$dx" apply "$dir/new" "$dir/pone" "$dir/out" 2>"$dir/err"; then die "a one-way patch rolled back"; fi
grep -q 'not the patch.s base (a one-way patch' "$dir/err" && ! grep -q 'nor its target' "$dir/err" || die "one-way on its target: $(cat "$dir/err")"
step "a one-way patch given its target: refused as one-way"

# a shift patch with a window applies in place (the insertion moves data forward)
"$dx" diff -f --shift --window 64K --zstd 3 "$dir/old" "$dir/new" "$dir/p" || die "diff --window"
"$dx" info "$dir/p" | grep -q '^window: *65536' || die "info: no window"
cp "$dir/old" "$dir/f"
"$dx" apply --in-place "$dir/f" "$dir/p" || die "shift patch with a window, in place"
cmp -s "$dir/f" "$dir/new" || die "shift patch with a window, in place: wrong result"
step "shift patch with a 64 KiB window: $(stat -c %s "$dir/p") bytes, applied in place"

# no mode option: dxdiff picks the smaller of XOR blocks and the shift mode (here the shift
# mode: the insertion moved everything after it); --in-place makes one that applies in place
"$dx" diff -f "$dir/old" "$dir/new" "$dir/pa" || die "diff with the default choice"
"$dx" info "$dir/pa" | grep -q 'LITERAL' || die "default choice: not the shift mode for moved data"
"$dx" diff -f --zstd 3 "$dir/old" "$dir/new" "$dir/pxor" || die "diff --zstd 3 (XOR blocks)"
[ "$(stat -c %s "$dir/pa")" -lt "$(stat -c %s "$dir/pxor")" ] || die "default choice: not smaller than XOR blocks"
"$dx" apply -f "$dir/old" "$dir/pa" "$dir/out" && cmp -s "$dir/out" "$dir/new" || die "default choice: apply"
"$dx" diff -f --in-place "$dir/old" "$dir/new" "$dir/pw" >"$dir/say" || die "diff --in-place"
grep -q '^in place: [0-9]* bytes (.*); unconstrained: [0-9]* bytes$' "$dir/say" || die "diff --in-place: $(cat "$dir/say")"
cp "$dir/old" "$dir/f"
"$dx" apply --in-place "$dir/f" "$dir/pw" && cmp -s "$dir/f" "$dir/new" || die "diff --in-place: apply in place"
if "$dx" diff -f --in-place --shift "$dir/old" "$dir/new" "$dir/pw" 2>/dev/null; then die "diff --in-place --shift accepted"; fi
if [ -w /dev/full ]; then # the sizes it prints are its output too: a write error is a failure
    if "$dx" diff -f --in-place "$dir/old" "$dir/new" "$dir/pw" >/dev/full 2>"$dir/err"; then die "diff --in-place >/dev/full passed"; fi
    grep -q 'cannot write to standard output' "$dir/err" || die "diff --in-place >/dev/full: $(cat "$dir/err")"
fi
# NEW grows by 2 MiB of new bytes before 2 MiB of OLD: that data lies 2 MiB behind its source, so the
# in-place patch gets a 2 MiB window (with 1 MiB it would store the moved 2 MiB again)
head -c $((3 << 20)) /dev/urandom > "$dir/gold"
{ head -c $((1 << 20)) "$dir/gold"; head -c $((2 << 20)) /dev/urandom; tail -c +$(((1 << 20) + 1)) "$dir/gold"; } > "$dir/gnew"
"$dx" diff -f -q --in-place "$dir/gold" "$dir/gnew" "$dir/gp" >"$dir/gsay" || die "diff --in-place (grown by 2 MiB)"
grep -q '^in place: [0-9]* bytes (shift mode, 2 MiB window); unconstrained' "$dir/gsay" || die "diff --in-place (grown): $(cat "$dir/gsay")"
"$dx" info "$dir/gp" | grep -q '^window: *2097152 ' || die "diff --in-place (grown): $("$dx" info "$dir/gp" | grep window)"
[ "$(stat -c %s "$dir/gp")" -lt $(((2 << 20) + (256 << 10))) ] || die "diff --in-place (grown): $(stat -c %s "$dir/gp") bytes: the moved data stored again"
cp "$dir/gold" "$dir/gf"
"$dx" apply -q --in-place "$dir/gf" "$dir/gp" && cmp -s "$dir/gf" "$dir/gnew" || die "diff --in-place (grown): apply in place"
step "NEW 2 MiB longer: diff --in-place: $(cat "$dir/gsay"), applied in place"
# with two threads (the default where the machine has two CPUs) a second one compresses each frame while the
# next is found: the patch is the one a diff on one thread writes, byte for byte (4 MiB of new bytes: frames
# past the 2 MiB a stream holds back go to the second thread)
{ cat "$dir/gnew"; head -c $((2 << 20)) /dev/urandom; } > "$dir/tnew"
DXDIFF_THREADS=2 "$dx" diff -f -q "$dir/gold" "$dir/tnew" "$dir/tp2" || die "diff on two threads"
DXDIFF_THREADS=1 "$dx" diff -f -q "$dir/gold" "$dir/tnew" "$dir/tp1" || die "diff on one thread"
cmp -s "$dir/tp1" "$dir/tp2" || die "a diff on two threads differs from the one on one thread"
"$dx" apply -q -f "$dir/gold" "$dir/tp2" "$dir/tout" && cmp -s "$dir/tout" "$dir/tnew" || die "diff on two threads: apply"
step "a diff on two threads: the same patch as on one ($(stat -c %s "$dir/tp2") bytes), applied"
rm -f "$dir/tnew" "$dir/tp1" "$dir/tp2" "$dir/tout"
for l in 1 3 4 9; do
    "$dx" diff -f -$l --shift --zstd 3 "$dir/old" "$dir/new" "$dir/pl" || die "diff -$l"
    "$dx" apply -f "$dir/old" "$dir/pl" "$dir/out" && cmp -s "$dir/out" "$dir/new" || die "diff -$l: apply"
done
if "$dx" apply -5 "$dir/old" "$dir/pl" "$dir/out" 2>/dev/null; then die "apply -5 accepted"; fi
step "default choice $(stat -c %s "$dir/pa") bytes (XOR blocks $(stat -c %s "$dir/pxor")); diff --in-place: $(cat "$dir/say"); levels 1 3 4 9"

# text (C headers; a line in 7 replaced by a line from elsewhere with a byte in 9 changed): by default its new
# bytes are compressed with the base bytes they replaced as a dictionary (DICT), smaller than the shift mode's
# one stream; -9 also tries zstd frames that see the base as their prefix, smaller still here; both apply out
# of place only (the C library's headers are there wherever this was compiled)
{
    cat /usr/include/*.h | head -c 400000 > "$dir/told"
    awk 'NR == FNR { l[NR] = $0; n = NR; next }
         { if (FNR % 7 == 0) { s = l[(FNR + 500) % n + 1]; t = ""
               for (i = 1; i <= length(s); i++) t = t (i % 9 == 0 ? "x" : substr(s, i, 1)); print t } else print }' \
        "$dir/told" "$dir/told" > "$dir/tnew"
    "$dx" diff -f -q "$dir/told" "$dir/tnew" "$dir/tp6" || die "text: diff"
    "$dx" info "$dir/tp6" > "$dir/tinfo" || die "text: info of the default patch"
    grep -q '^flags: .* DICT ' "$dir/tinfo" && grep -q '^dictionary: *up to [0-9]* bytes' "$dir/tinfo" || die "text: the default is not DICT: $(cat "$dir/tinfo")"
    "$dx" apply -f -q "$dir/told" "$dir/tp6" "$dir/tout" && cmp -s "$dir/tout" "$dir/tnew" || die "text: apply the default patch"
    "$dx" diff -f -q --shift --zstd 19 "$dir/told" "$dir/tnew" "$dir/tps" || die "text: diff --shift --zstd 19"
    [ "$(stat -c %s "$dir/tp6")" -lt "$(stat -c %s "$dir/tps")" ] || die "text: default $(stat -c %s "$dir/tp6") bytes, not under the one stream's $(stat -c %s "$dir/tps")"
    "$dx" diff -f -q -9 "$dir/told" "$dir/tnew" "$dir/tp9" || die "text: diff -9"
    "$dx" info "$dir/tp9" > "$dir/tinfo" || die "text: info of the -9 patch"
    grep -q '^flags: .* PREFIX ' "$dir/tinfo" && grep -q '^prefix: *up to [0-9]* bytes' "$dir/tinfo" || die "text: -9 is not PREFIX: $(cat "$dir/tinfo")"
    [ "$(stat -c %s "$dir/tp9")" -lt $(($(stat -c %s "$dir/tp6") * 9 / 10)) ] || die "text: -9 $(stat -c %s "$dir/tp9") bytes, default $(stat -c %s "$dir/tp6")"
    "$dx" apply -f -q "$dir/told" "$dir/tp9" "$dir/tout" && cmp -s "$dir/tout" "$dir/tnew" || die "text: apply the -9 patch"
    cp "$dir/told" "$dir/tf"
    if "$dx" apply -q --in-place "$dir/tf" "$dir/tp9" 2>"$dir/err"; then die "text: a PREFIX patch applied in place"; fi
    cmp -s "$dir/tf" "$dir/told" && [ ! -e "$dir/tf.dxdiff-journal" ] || die "text: the refused in-place apply changed FILE"
    step "text: default $(stat -c %s "$dir/tp6") bytes (DICT; one stream $(stat -c %s "$dir/tps")), -9 $(stat -c %s "$dir/tp9") (PREFIX); in place refused, FILE untouched"
    # --in-place on text: DICT with a window, applied in place (its dictionaries from the ring and the data ahead)
    "$dx" diff -f --in-place "$dir/told" "$dir/tnew" "$dir/tpi" > "$dir/say" || die "text: diff --in-place"
    "$dx" info "$dir/tpi" > "$dir/tinfo" || die "text: info of the in-place patch"
    grep -q '^flags: .* WINDOW .* DICT ' "$dir/tinfo" || die "text: the in-place patch is not DICT with a window: $(cat "$dir/tinfo")"
    [ "$(stat -c %s "$dir/tpi")" -lt "$(stat -c %s "$dir/tps")" ] || die "text: in place $(stat -c %s "$dir/tpi") bytes, not under the one stream's $(stat -c %s "$dir/tps")"
    cp "$dir/told" "$dir/tf"
    "$dx" apply -q --in-place "$dir/tf" "$dir/tpi" && cmp -s "$dir/tf" "$dir/tnew" || die "text: apply the in-place patch in place"
    step "text: --in-place $(stat -c %s "$dir/tpi") bytes (DICT with a window), applied in place"
}

# ---- issue 12 ----
# a Unix tool: --help anywhere (stdout, 0), --version, usage errors exit 2 with the usage line
for args in "--help" "-h" "diff --help" "apply -h x y"; do
    # shellcheck disable=SC2086
    out=$("$dx" $args 2>/dev/null) || die "$args: exit $?"
    case $out in usage:*"exit status:"*) ;; *) die "$args: no usage with exit codes on stdout" ;; esac
done
"$dx" --version | grep -Eq '^dxdiff \(dx\) dx_patch\.h [0-9]+\.[0-9]+\.[0-9]+(, zstd [0-9.]+)?$' || die "--version: $("$dx" --version)"
for args in "diff --bogus a b c" "diff --block abc a b c" "diff --block 1000 a b c" "diff --zstd 0 a b c" "diff a b" \
            "apply --window 4K a b c" "frobnicate" "" "diff --window 64K a b c"; do
    # shellcheck disable=SC2086
    if "$dx" $args >/dev/null 2>"$dir/err"; then die "'$args' was accepted"; else rc=$?; fi
    [ "$rc" = 2 ] || die "'$args': exit $rc, not 2"
    grep -q '^usage: dxdiff' "$dir/err" || die "'$args': no usage line: $(cat "$dir/err")"
done
# the command's own usage line; an option the command does not take named as such
for c in apply info; do
    "$dx" $c a b c d >/dev/null 2>"$dir/err" && die "$c with 4 names was accepted"
    grep -q "^usage: dxdiff $c " "$dir/err" || die "$c: not its usage line: $(cat "$dir/err")"
done
"$dx" info --in-place p >/dev/null 2>"$dir/err" && die "info --in-place was accepted"
grep -q 'in-place and --resume go with diff and apply' "$dir/err" || die "info --in-place: $(cat "$dir/err")"
# a named pipe: refused at once (opening one waits for a writer), for each place a file is read
mkfifo "$dir/pipe"
for args in "diff $dir/pipe $dir/pipe $dir/pp" "apply $dir/pipe $dir/pipe $dir/pp" "info $dir/pipe"; do
    # shellcheck disable=SC2086
    if timeout 60 "$dx" $args >/dev/null 2>"$dir/err"; then rc=0; else rc=$?; fi
    [ $rc = 1 ] && grep -q 'pipe is a pipe' "$dir/err" || die "'$args': exit $rc (124: it waited): $(cat "$dir/err")"
done
rm -f "$dir/pipe"
step "--help, -h anywhere; --version; bad options and numbers: exit 2 with the usage line (the command's); a named pipe refused"
# --block's range as --help gives it: its largest is accepted and applies, the next power of two is not
top=$("$dx" --help | sed -n 's/^ *--block N .* from 64 to \([0-9]*[KM]\) .*/\1/p')
"$dx" diff -f -q --block "$top" "$dir/old" "$dir/new" "$dir/pbig" && "$dx" apply -f -q "$dir/old" "$dir/pbig" "$dir/out" &&
    cmp -s "$dir/out" "$dir/new" || die "--block $top (the largest --help gives)"
if "$dx" diff -f --block "$((2 * $(echo "$top" | tr -d KM)))${top#"${top%?}"}" "$dir/old" "$dir/new" "$dir/pbig" 2>/dev/null; then
    die "--block above $top accepted"; fi
step "--block $top, the largest --help gives: accepted and applied; twice that refused"
# an input that holds more than its size says (one that grows while it is read; a /proc file, whose size is 0)
# is refused: a patch of its first bytes would pass for one of the whole file
if [ -r /proc/self/status ]; then
    if "$dx" diff -f "$dir/old" /proc/self/status "$dir/pgrow" 2>"$dir/err"; then die "diff of a /proc file (size 0) passed"; fi
    grep -q 'holds more than the 0 bytes its size said' "$dir/err" && [ ! -e "$dir/pgrow" ] || die "a /proc file: $(cat "$dir/err")"
    step "an input longer than its size (a /proc file): refused"
fi
# a pipe as an input: refused, and the message says why (dxdiff seeks in its inputs)
if cat "$dir/new" | "$dx" diff -f "$dir/old" /dev/stdin "$dir/ppipe" 2>"$dir/err"; then die "diff from a pipe passed"; fi
grep -q 'is a pipe, and dxdiff reads only files it can seek in' "$dir/err" && [ ! -e "$dir/ppipe" ] || die "a pipe: $(cat "$dir/err")"
if cat "$dir/p" | "$dx" apply -f "$dir/old" /dev/stdin "$dir/out2" 2>"$dir/err"; then die "apply from a pipe passed"; fi
grep -q 'is a pipe' "$dir/err" && [ ! -e "$dir/out2" ] || die "a pipe as PATCH: $(cat "$dir/err")"
step "a pipe as NEW or PATCH: refused, 'it is a pipe'"
# "--" ends the options: names that start with a dash
(cd "$dir" && cp old ./-o && "$dxabs" diff -f -- -o new -p && "$dxabs" apply -f -- -o -p -n && cmp -s ./-n new &&
    "$dxabs" info -- -p >/dev/null && rm ./-o ./-p ./-n) || die "names that start with -, after --"
step "-- ends the options: files named -o, -p, -n"
mkdir "$dir/adir"
for args in "diff $dir/adir $dir/new $dir/px" "diff $dir/old $dir/adir $dir/px" "diff $dir/old $dir/new $dir/adir" \
            "apply $dir/old $dir/adir $dir/outx" "apply --in-place $dir/adir $dir/p" "info $dir/adir"; do
    # shellcheck disable=SC2086
    if "$dx" $args 2>"$dir/err"; then die "'$args' was accepted"; fi
    grep -q "adir is a directory" "$dir/err" || die "'$args': $(cat "$dir/err")"
done
[ ! -e "$dir/px" ] && [ ! -e "$dir/outx" ] || die "a refused command left an output"
step "a directory as OLD, NEW, PATCH, FILE: 'is a directory'"

# an output in a folder that is not there: the message names the folder, not a temporary file
for args in "diff $dir/old $dir/new $dir/nodir/p" "apply $dir/old $dir/p $dir/nodir/out" "apply $dir/old $dir/p $dir/old/out"; do
    # shellcheck disable=SC2086
    if "$dx" $args 2>"$dir/err"; then die "'$args' was accepted"; fi
    grep -Eq "cannot create .*: $dir/(nodir does not exist|old is not a folder)\$" "$dir/err" || die "'$args': $(cat "$dir/err")"
done
step "an output in a missing folder: 'nodir does not exist'"

# item 6: an output that is an input (any name) is refused; an existing output needs -f
cp "$dir/old" "$dir/o"; ln "$dir/o" "$dir/o-link"
for out in "$dir/o" "$dir/o-link" "$dir/adir/../o"; do
    if "$dx" diff "$dir/o" "$dir/new" "$out" 2>"$dir/err"; then die "diff o n $out was accepted"; fi
    grep -q 'is also an input' "$dir/err" || die "diff o n $out: $(cat "$dir/err")"
    cmp -s "$dir/o" "$dir/old" || die "diff o n $out: OLD changed"
done
if "$dx" apply "$dir/o" "$dir/p" "$dir/o-link" 2>"$dir/err"; then die "apply OLD PATCH OLD was accepted"; fi
cmp -s "$dir/o" "$dir/old" || die "apply o p o: OLD changed"
echo keep > "$dir/exists"
if "$dx" diff "$dir/old" "$dir/new" "$dir/exists" 2>"$dir/err"; then die "diff over an existing PATCH without -f"; fi
grep -q 'exists (use -f' "$dir/err" && [ "$(cat "$dir/exists")" = keep ] || die "existing PATCH: $(cat "$dir/err")"
if "$dx" apply "$dir/old" "$dir/p" "$dir/exists" 2>"$dir/err"; then die "apply over an existing OUT without -f"; fi
[ "$(cat "$dir/exists")" = keep ] || die "existing OUT changed"
"$dx" apply -f "$dir/old" "$dir/p" "$dir/exists" && cmp -s "$dir/exists" "$dir/new" || die "apply -f"
"$dx" diff --force "$dir/old" "$dir/new" "$dir/exists" && "$dx" info "$dir/exists" >/dev/null || die "diff --force"
ls "$dir" | grep -q '\.tmp-' && die "a temporary file was left: $(ls "$dir")"
step "diff o n o (same name, hard link, other path) and apply o p o refused; existing outputs need -f"

# an output that is a symbolic link: the file it names is written, the link stays; to nothing: refused; "-": refused
echo keep > "$dir/ltarget"; ln -s ltarget "$dir/lout"; ln -s nowhere "$dir/ldangling"
if "$dx" apply "$dir/old" "$dir/p" "$dir/lout" 2>"$dir/err"; then die "apply over a link to an existing file without -f"; fi
grep -q 'exists (use -f' "$dir/err" && [ "$(cat "$dir/ltarget")" = keep ] || die "a link to an existing OUT: $(cat "$dir/err")"
"$dx" apply -f "$dir/old" "$dir/p" "$dir/lout" && [ -L "$dir/lout" ] && cmp -s "$dir/ltarget" "$dir/new" || die "apply -f through a link"
if "$dx" apply "$dir/old" "$dir/p" "$dir/ldangling" 2>"$dir/err"; then die "apply into a link to nothing was accepted"; fi
grep -q 'symbolic link' "$dir/err" && [ -L "$dir/ldangling" ] && [ ! -e "$dir/nowhere" ] || die "a link to nothing: $(cat "$dir/err")"
if (cd "$dir" && "$dxabs" apply old p - > stdout 2>err); then die "apply into - was accepted"; fi
grep -q 'standard output' "$dir/err" && [ ! -e "$dir/-" ] && [ ! -s "$dir/stdout" ] || die "apply into -: $(cat "$dir/err")"
ln -s o "$dir/o-symlink"
if "$dx" diff "$dir/o" "$dir/new" "$dir/o-symlink" 2>"$dir/err"; then die "diff o n (a link to o) was accepted"; fi
grep -q 'is also an input' "$dir/err" && cmp -s "$dir/o" "$dir/old" && [ -L "$dir/o-symlink" ] || die "a link to OLD as PATCH: $(cat "$dir/err")"
ls "$dir" | grep -q '\.tmp-' && die "a temporary file was left: $(ls "$dir")"
step "an output that is a symbolic link: its file written, the link kept; a link to nothing and \"-\" refused"

# an existing output that is not a regular file (a pipe here; /dev/null alike) is refused even with -f:
# renamed over, it would have become a file
mkfifo "$dir/pipe-out"
for args in "apply -f $dir/old $dir/p $dir/pipe-out" "diff -f $dir/old $dir/new $dir/pipe-out"; do
    # shellcheck disable=SC2086
    if "$dx" $args 2>"$dir/err"; then die "'$args' was accepted"; fi
    grep -q 'not a regular file' "$dir/err" && [ -p "$dir/pipe-out" ] || die "'$args': $(cat "$dir/err"); $(ls -l "$dir/pipe-out")"
done
rm "$dir/pipe-out"
for t in "$dir"/*.tmp-*; do [ ! -e "$t" ] || die "a temporary file was left: $t"; done
step "an existing output that is a pipe: refused with -f too, the pipe kept"

# in place: FILE that is also PATCH, or not a regular file, and a patch that applies out of place only
# (a shift patch without a window, here on a wrong base: no "use --resume" then) are refused, untouched
cp "$dir/p" "$dir/pself"; ln -s pself "$dir/pself-link"; mkfifo "$dir/pipe-in"; cp "$dir/other" "$dir/oth"
"$dx" diff -f --shift "$dir/old" "$dir/new" "$dir/pshift" || die "diff --shift"
for args in "--in-place $dir/pself $dir/pself" "--resume $dir/pself-link $dir/pself" "--in-place $dir/pipe-in $dir/p" \
            "--in-place $dir/oth $dir/pshift" "--resume $dir/oth $dir/pshift"; do
    # shellcheck disable=SC2086
    if "$dx" apply $args 2>"$dir/err"; then die "apply $args was accepted"; fi
    grep -Eq 'in place: it is also the patch|in place: it is not a regular file|applies out of place only' "$dir/err" &&
        ! grep -q -- '--resume' "$dir/err" || die "apply $args: $(cat "$dir/err")"
done
cmp -s "$dir/pself" "$dir/p" && cmp -s "$dir/other" "$dir/oth" && [ -p "$dir/pipe-in" ] || die "a refused in-place apply changed a file"
rm "$dir/pself" "$dir/pself-link" "$dir/pipe-in" "$dir/pshift" "$dir/oth"
step "in place: FILE = PATCH, a pipe, a patch for out of place only: refused, untouched"

# a patch without witnesses (nor a window; dx_patch's cfg.no_witness, not made by dxdiff): an interrupted apply in
# place could not be finished, so in place it is refused, untouched; out of place it applies
for sec in base target patch; do
    printf '%b' "$(awk -v s="# $sec:" '$0 == s { on = 1; next } /^#/ { on = 0 } on' "$(dirname "$0")/vectors/patch/no_witness_frames.hex" |
        tr -d ' \n' | sed 's/../\\x&/g')" > "$dir/nw-$sec"
done
[ "$(stat -c %s "$dir/nw-base")" = 400 ] || die "no_witness_frames.hex: no base"
cp "$dir/nw-base" "$dir/nwf"
for mode in --in-place --resume; do
    if "$dx" apply $mode "$dir/nwf" "$dir/nw-patch" 2>"$dir/err"; then die "apply $mode of a patch without witnesses"; fi
    grep -q 'has no resume witnesses.*out of place only' "$dir/err" && cmp -s "$dir/nwf" "$dir/nw-base" || die "apply $mode, no witnesses: $(cat "$dir/err")"
done
"$dx" apply -f "$dir/nw-base" "$dir/nw-patch" "$dir/out" && cmp -s "$dir/out" "$dir/nw-target" || die "a patch without witnesses out of place"
rm -f "$dir"/nw*
step "a patch without witnesses: refused in place (it could not resume), FILE untouched; applied out of place"

# a diff ended by a signal (SIGTERM; SIGINT and SIGHUP alike) removes its temporary PATCH (the diff
# shows its first progress line, then it is signalled: done or not, no temporary is left)
head -c $((6 << 20)) /dev/urandom > "$dir/sold"
{ head -c 3000000 "$dir/sold"; printf 'inserted'; tail -c +3000001 "$dir/sold"; } > "$dir/snew"
mkfifo "$dir/sfifo"
"$dx" diff -9 --progress "$dir/sold" "$dir/snew" "$dir/sp" 2>"$dir/sfifo" & pid=$!
while IFS= read -r line; do
    case $line in *diffing*) kill -TERM "$pid" 2>/dev/null; break ;; esac
done < "$dir/sfifo"
rc=0; wait "$pid" 2>/dev/null || rc=$?
for t in "$dir"/sp.tmp-*; do [ ! -e "$t" ] || die "a signalled diff left its temporary: $t"; done
[ "$rc" = 143 ] && [ ! -e "$dir/sp" ] || [ "$rc" = 0 ] || die "a signalled diff: exit $rc"
# its progress into a pipe that closes (| head -5: the lines of reading OLD and NEW, then diffing): SIGPIPE, no temporary
"$dx" diff -f -9 --progress "$dir/sold" "$dir/snew" "$dir/sp" 2>&1 | head -5 > /dev/null
for t in "$dir"/sp.tmp-*; do [ ! -e "$t" ] || die "a diff ended by SIGPIPE left its temporary: $t"; done
step "a diff ended by SIGTERM: exit $rc, no temporary left; by SIGPIPE (progress into | head) alike"

# a diff killed by SIGKILL cannot remove its temporary: the next run writing the same PATCH does, and says so;
# a temporary of a process still running (this shell's) is kept
"$dx" diff -9 --progress "$dir/sold" "$dir/snew" "$dir/sk" 2>"$dir/sfifo" & pid=$!
while IFS= read -r line; do
    case $line in *diffing*) kill -KILL "$pid" 2>/dev/null; break ;; esac
done < "$dir/sfifo"
wait "$pid" 2>/dev/null || true
sleep 1000 & gone=$!; kill -KILL $gone; wait $gone 2>/dev/null || true   # a process id that is gone
echo partial > "$dir/sk.tmp-$gone-3"; echo partial > "$dir/sk.tmp-$$-0"; echo mine > "$dir/sk.tmp-x"
left=$(ls "$dir" | grep -c '^sk\.tmp-[0-9]*-[0-9]*$')
"$dx" diff -f "$dir/sold" "$dir/snew" "$dir/sk" 2> "$dir/err" || die "a diff after one killed: $(cat "$dir/err")"
[ ! -e "$dir/sk.tmp-$gone-3" ] && grep -q "removed .*sk.tmp-$gone-3, left by an interrupted run (process $gone is gone)" "$dir/err" ||
    die "a killed run's temporary not removed: $(ls "$dir"; cat "$dir/err")"
[ -e "$dir/sk.tmp-$$-0" ] && [ -e "$dir/sk.tmp-x" ] || die "a running process's temporary or another file removed: $(ls "$dir")"
[ "$(ls "$dir" | grep -c '^sk\.tmp-[0-9]*-[0-9]*$')" = 1 ] || die "temporaries left: $(ls "$dir")"
rm -f "$dir"/s*
step "a diff killed by SIGKILL: the next run removed the $((left - 1)) temporaries of gone processes, saying so; a running one's kept"

# item 1: an interrupted in-place apply of a --shift --window patch resumes, interrupted at any write
# (DXDIFF_FAIL_AFTER_WRITES tears that write and fails every later one; KILL sends SIGKILL there)
head -c 700000 /bin/bash > "$dir/wold" 2>/dev/null
[ "$(stat -c %s "$dir/wold")" = 700000 ] || head -c 700000 /dev/urandom > "$dir/wold"
{ head -c 150000 "$dir/wold"; head -c 30000 /dev/urandom; tail -c +150001 "$dir/wold" | head -c 300000;
  tail -c +470001 "$dir/wold"; head -c 9000 /dev/urandom; } > "$dir/wnew"
"$dx" diff -f --shift --window 64K "$dir/wold" "$dir/wnew" "$dir/wp" || die "diff --window"
export DXDIFF_JOURNAL_STEP=64K
cp "$dir/wold" "$dir/wf"
"$dx" apply --in-place "$dir/wf" "$dir/wp" || die "window patch in place"
cmp -s "$dir/wf" "$dir/wnew" && [ ! -e "$dir/wf.dxdiff-journal" ] || die "window patch in place: wrong result or journal left"
n=0 tried=0
while :; do
    cp "$dir/wold" "$dir/wf"
    if DXDIFF_FAIL_AFTER_WRITES=$n "$dx" apply --in-place "$dir/wf" "$dir/wp" 2>"$dir/err"; then break; fi
    if ! cmp -s "$dir/wf" "$dir/wold"; then
        grep -q 'partly patched.*finish with' "$dir/err" || die "interrupted after $n writes: $(cat "$dir/err")"
        [ -e "$dir/wf.dxdiff-journal" ] || die "interrupted after $n writes: no journal"
    fi
    "$dx" apply --resume "$dir/wf" "$dir/wp" 2>"$dir/err" || die "resume after $n writes: $(cat "$dir/err")"
    cmp -s "$dir/wf" "$dir/wnew" || die "resume after $n writes: FILE is not NEW"
    [ ! -e "$dir/wf.dxdiff-journal" ] || die "resume after $n writes: the journal was left"
    tried=$((tried + 1)) n=$((n + 1 + n / 16))
done
cmp -s "$dir/wf" "$dir/wnew" || die "uninterrupted at $n writes: wrong result"
step "window patch in place, interrupted after each of $tried write counts (0 .. $n), resumed: FILE == NEW each time"
for n in 0 1 5 40 77 150; do
    cp "$dir/wold" "$dir/wf"
    ( rc=0; DXDIFF_KILL_AFTER_WRITES=$n "$dx" apply --in-place "$dir/wf" "$dir/wp" || rc=$?; echo $rc > "$dir/rc" ) 2>/dev/null
    rc=$(cat "$dir/rc")
    [ "$rc" = 137 ] || die "SIGKILL after $n writes: exit $rc"
    "$dx" apply --resume "$dir/wf" "$dir/wp" 2>"$dir/err" || die "resume after SIGKILL at $n: $(cat "$dir/err")"
    cmp -s "$dir/wf" "$dir/wnew" || die "resume after SIGKILL at $n: FILE is not NEW"
done
step "window patch in place, SIGKILL at 6 writes, resumed: FILE == NEW"
# an apply whose journal step is not this dxdiff's (another version's default, say): resumed with the
# journal's own step
for n in 20 60; do
    cp "$dir/wold" "$dir/wf"
    ( rc=0; DXDIFF_JOURNAL_STEP=131072 DXDIFF_KILL_AFTER_WRITES=$n "$dx" apply --in-place "$dir/wf" "$dir/wp" || rc=$?; echo $rc > "$dir/rc" ) 2>/dev/null
    [ "$(cat "$dir/rc")" = 137 ] || die "SIGKILL after $n writes (step 128 KiB): exit $(cat "$dir/rc")"
    "$dx" apply --resume "$dir/wf" "$dir/wp" 2>"$dir/err" || die "resume of a 128 KiB-step journal after $n writes: $(cat "$dir/err")"
    cmp -s "$dir/wf" "$dir/wnew" || die "resume of a 128 KiB-step journal after $n writes: FILE is not NEW"
done
step "window patch in place, SIGKILL with another journal step: resumed with the journal's"
# a wrong FILE given to --resume (none, or a copied journal) and a damaged journal: refused, nothing written
cp "$dir/wold" "$dir/wf"
DXDIFF_FAIL_AFTER_WRITES=60 "$dx" apply --in-place "$dir/wf" "$dir/wp" 2>/dev/null && die "not interrupted"
head -c 700000 /dev/urandom > "$dir/other2"; cp "$dir/other2" "$dir/g"
if "$dx" apply --resume "$dir/g" "$dir/wp" 2>"$dir/err"; then die "resume of an unrelated FILE"; fi
grep -q 'nothing written' "$dir/err" && cmp -s "$dir/g" "$dir/other2" && [ ! -e "$dir/g.dxdiff-journal" ] ||
    die "unrelated FILE: $(cat "$dir/err")"
cp "$dir/wf.dxdiff-journal" "$dir/g.dxdiff-journal"
if "$dx" apply --resume "$dir/g" "$dir/wp" 2>"$dir/err"; then die "resume of an unrelated FILE with a journal"; fi
cmp -s "$dir/g" "$dir/other2" || die "unrelated FILE with a journal: changed"
cp "$dir/wf" "$dir/wf-was"; cp "$dir/wf.dxdiff-journal" "$dir/j-was"
size=$(stat -c %s "$dir/wf.dxdiff-journal")
for at in 10 100 $((size / 2 + 20)) $((size - 5)); do
    cp "$dir/j-was" "$dir/wf.dxdiff-journal"
    printf '\377' | dd of="$dir/wf.dxdiff-journal" bs=1 seek=$at conv=notrunc 2>/dev/null
    if "$dx" apply --resume "$dir/wf" "$dir/wp" 2>"$dir/err"; then
        cmp -s "$dir/wf" "$dir/wnew" || die "journal byte $at damaged: resumed to a wrong result"
        cp "$dir/wf-was" "$dir/wf"
    else
        cmp -s "$dir/wf" "$dir/wf-was" || die "journal byte $at damaged: refused, but FILE changed"
    fi
done
cp "$dir/j-was" "$dir/wf.dxdiff-journal"
"$dx" apply --resume "$dir/wf" "$dir/wp" && cmp -s "$dir/wf" "$dir/wnew" || die "resume after the damage tests"
# FILE.dxdiff-journal that is not a journal (a user's file, one that starts with zeros as a torn journal does, a link
# to one) is never written over, nor through
echo mine > "$dir/mine"; cp "$dir/wold" "$dir/wf"
for kind in file zeros link; do
    rm -f "$dir/wf.dxdiff-journal"
    case $kind in
    file) cp "$dir/mine" "$dir/wf.dxdiff-journal" ;;
    zeros) printf '\0\0\0\0mine, not a journal\n' > "$dir/wf.dxdiff-journal" ;;
    link) ln -s mine "$dir/wf.dxdiff-journal" ;;
    esac
    cp "$dir/wf.dxdiff-journal" "$dir/jwas"
    for mode in --in-place --resume; do
        if "$dx" apply $mode "$dir/wf" "$dir/wp" 2>"$dir/err"; then die "apply $mode over a $kind named like the journal"; fi
        grep -q 'is not a journal of dxdiff' "$dir/err" && [ "$(cat "$dir/mine")" = mine ] && cmp -s "$dir/wf.dxdiff-journal" "$dir/jwas" &&
            cmp -s "$dir/wf" "$dir/wold" || die "apply $mode, a $kind named like the journal: $(cat "$dir/err")"
    done
done
rm -f "$dir/jwas"
rm -f "$dir/wf.dxdiff-journal" "$dir/mine"
unset DXDIFF_JOURNAL_STEP
step "resume: an unrelated FILE (with and without a copied journal) refused untouched; a damaged journal never trusted; a file or link named like the journal never written"
# the journal's name is durable (its folder synced) before the first write to FILE: after a power cut
# FILE may hold patched blocks, and without its journal it could not be finished
if command -v strace >/dev/null; then
    cp "$dir/wold" "$dir/wf"
    # (LeakSanitizer does not run under ptrace: a sanitized build checks no leaks here)
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -o "$dir/trace" -e trace=openat,fsync,write,pwrite64,close "$dx" apply --in-place "$dir/wf" "$dir/wp" ||
        die "in place under strace"
    cmp -s "$dir/wf" "$dir/wnew" || die "in place under strace: wrong result"
    awk -v f="\"$dir/wf\"" -v j="\"$dir/wf.dxdiff-journal\"" -v d="\"$dir\"" '
        function fd_of(line) { sub(/.*= /, "", line); return line + 0 }
        $0 ~ "openat\\(AT_FDCWD, " f ","      { ffd = fd_of($0) }
        $0 ~ "openat\\(AT_FDCWD, " j ","      { made = 1 }
        $0 ~ "openat\\(AT_FDCWD, " d ","      { dfd = fd_of($0) }
        made && dfd && $0 ~ "^fsync\\(" dfd "\\)" { synced = 1 }
        ffd && $0 ~ "^(write|pwrite64)\\(" ffd "," { if (!synced) bad = 1; exit }
        END { exit bad || !ffd || !made }' "$dir/trace" ||
        die "in place: FILE written before the journal's folder was synced: $(grep -E "openat\(AT_FDCWD, \"$dir|^fsync" "$dir/trace" | head -n 6)"
    step "in place: the journal's folder synced after it is made, before the first write to FILE"
else
    echo "SKIP dxdiff journal folder sync: strace is not installed"
fi

# a real SIGKILL from outside, while a bigger apply runs (it shows its first progress line: then it is killed)
head -c $((12 << 20)) /dev/urandom > "$dir/bold"
{ head -c 5000000 "$dir/bold"; printf 'a few inserted bytes'; tail -c +5000001 "$dir/bold"; } > "$dir/bnew"
"$dx" diff -f --shift --window 64K "$dir/bold" "$dir/bnew" "$dir/bp" || die "diff (12 MiB)"
cp "$dir/bold" "$dir/bf"
mkfifo "$dir/fifo"
"$dx" apply --in-place --progress "$dir/bf" "$dir/bp" 2>"$dir/fifo" & pid=$!
while IFS= read -r line; do
    case $line in *patching*) kill -9 "$pid" 2>/dev/null; break ;; esac
done < "$dir/fifo"
wait "$pid" 2>/dev/null || true
if [ -e "$dir/bf.dxdiff-journal" ] || ! cmp -s "$dir/bf" "$dir/bnew"; then
    "$dx" apply --resume "$dir/bf" "$dir/bp" || die "resume after kill -9"
fi
cmp -s "$dir/bf" "$dir/bnew" && [ ! -e "$dir/bf.dxdiff-journal" ] || die "after kill -9 and resume: FILE is not NEW"
step "kill -9 during an in-place apply of 12 MiB, resumed: FILE == NEW"
rm -f "$dir"/b*

# x86 code (X86 patches): two builds of a program, the second with a function added between main and the 600
# functions main calls, which read globals: the calls' rel32 and the RIP-relative operands after it change
if command -v cc >/dev/null && [ "$(uname -m)" = x86_64 ]; then
    for v in 0 1; do
        { echo 'int g[600];'
          for i in $(seq 1 600); do echo "int f$i(int x);"; done
          echo 'int main(int c, char **v) { int s = 0;'
          for i in $(seq 1 600); do echo "  s += f$i(c);"; done
          echo '  return s & (v != 0); }'
          [ $v = 1 ] && echo 'int added(int x) { return x * 7 + g[x & 7]; }'
          for i in $(seq 1 600); do echo "int f$i(int x) { return x + g[$i % 600] + $i; }"; done; } > "$dir/x$v.c"
        cc -O1 -fno-inline -o "$dir/x$v" "$dir/x$v.c" || die "cc x$v.c"
    done
    "$dx" diff -f "$dir/x0" "$dir/x1" "$dir/xp" || die "diff (x86 programs)"
    "$dx" info "$dir/xp" | grep -q '^flags: .* X86 ' || die "x86 programs: no X86 flag: $("$dx" info "$dir/xp" | grep flags)"
    "$dx" apply -f "$dir/x0" "$dir/xp" "$dir/xout" && cmp -s "$dir/xout" "$dir/x1" || die "apply (X86)"
    "$dx" diff -f --in-place "$dir/x0" "$dir/x1" "$dir/xpi" > /dev/null || die "diff --in-place (x86 programs)"
    cp "$dir/x0" "$dir/xf"
    "$dx" apply --in-place "$dir/xf" "$dir/xpi" && cmp -s "$dir/xf" "$dir/x1" || die "apply --in-place (X86)"
    step "x86 programs ($(stat -c %s "$dir/x1") bytes): an X86 patch of $(stat -c %s "$dir/xp") bytes, applied out of place and in place ($(stat -c %s "$dir/xpi") bytes)"
else
    step "x86 programs: skipped (no cc, or not an x86-64 host)"
fi

# item 3: full disks (a small tmpfs): nothing partial under a final name, FILE untouched
mnt="$dir/mnt"; mkdir "$mnt"
if ! mount -t tmpfs -o size=768k tmpfs "$mnt" 2>/dev/null; then
    echo "SKIP dxdiff full disk: cannot mount a tmpfs (not root?)"
else
    trap 'umount "$mnt" 2>/dev/null; rm -rf "$dir"' EXIT
    head -c 300000 /dev/urandom > "$dir/fold"
    { head -c 100000 "$dir/fold"; head -c 200000 /dev/urandom; tail -c +100001 "$dir/fold"; } > "$dir/fnew"
    "$dx" diff -f --block 4096 "$dir/fold" "$dir/fnew" "$dir/fp" || die "diff for the full disk" # XOR blocks: in place
    head -c 600000 /dev/urandom > "$mnt/filler"
    if "$dx" diff "$dir/fold" "$dir/fnew" "$mnt/p" 2>"$dir/err"; then die "diff to a full disk succeeded"; fi
    [ ! -e "$mnt/p" ] && [ -z "$(ls "$mnt" | grep -v '^filler$')" ] || die "diff to a full disk left: $(ls "$mnt")"
    if "$dx" apply "$dir/fold" "$dir/fp" "$mnt/out" 2>"$dir/err"; then die "apply to a full disk succeeded"; fi
    [ -z "$(ls "$mnt" | grep -v '^filler$')" ] || die "apply to a full disk left: $(ls "$mnt")"
    rm "$mnt/filler"; cp "$dir/fold" "$mnt/f"; head -c 300000 /dev/urandom > "$mnt/filler"
    if "$dx" apply --in-place "$mnt/f" "$dir/fp" 2>"$dir/err"; then die "in-place growth on a full disk succeeded"; fi
    grep -q "not enough space on the device for $mnt/f (need [0-9]* bytes more" "$dir/err" || die "in place, full disk: $(cat "$dir/err")"
    cmp -s "$mnt/f" "$dir/fold" || die "in place, full disk: FILE changed"
    "$dx" diff -f --shift --window 64K "$dir/fold" "$dir/fnew" "$dir/fpw" || die "diff --window for the full disk"
    if "$dx" apply --in-place "$mnt/f" "$dir/fpw" 2>"$dir/err"; then die "in-place window growth on a full disk succeeded"; fi
    grep -q "not enough space on the device" "$dir/err" && cmp -s "$mnt/f" "$dir/fold" || die "in place (window), full disk: $(cat "$dir/err")"
    [ -z "$(ls "$mnt" | grep -v '^filler$' | grep -v '^f$')" ] || die "in place, full disk: left $(ls "$mnt")"
    rm "$mnt/filler"
    "$dx" apply --in-place "$mnt/f" "$dir/fp" && cmp -s "$mnt/f" "$dir/fnew" || die "in place after freeing space"
    step "full disk: diff and apply leave no file, in-place growth refused with FILE untouched"
    # a sparse FILE (4 MiB, nothing allocated) on the small disk: its holes are reserved too, and the message says so
    rm "$mnt/f"; truncate -s 4M "$mnt/f"; truncate -s 4M "$dir/sparse-old"; cp "$dir/sparse-old" "$dir/sparse-new"
    printf 'changed' | dd of="$dir/sparse-new" bs=1 seek=3000000 conv=notrunc 2>/dev/null
    "$dx" diff -f "$dir/sparse-old" "$dir/sparse-new" "$dir/sparse-p" || die "diff of sparse files"
    if "$dx" apply --in-place "$mnt/f" "$dir/sparse-p" 2>"$dir/err"; then
        cmp -s "$mnt/f" "$dir/sparse-new" || die "sparse FILE: applied, wrong result"
    else
        grep -q 'need [1-9][0-9]* bytes more, with its holes' "$dir/err" && cmp -s "$mnt/f" "$dir/sparse-old" ||
            die "sparse FILE on a small disk: $(cat "$dir/err")"
    fi
    rm -f "$mnt/f" "$dir"/sparse-*
    step "a sparse FILE on a small disk: refused, with its holes counted in the space it needs"
fi
