#!/usr/bin/env bash
# tests/dxdiff_cli.sh DXDIFF - the dxdiff example as a user runs it: diff,
# apply, info, --in-place, --resume, --shift, on files made here; a wrong
# base or a damaged patch fails and leaves the files as they were.
# Prints one line per step; exits non-zero at the first failure.
set -eu
dx=$1
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
"$dx" diff -f --shift "$dir/old" "$dir/new" "$dir/p"
cp "$dir/old" "$dir/f"
if "$dx" apply --in-place "$dir/f" "$dir/p" 2>/dev/null; then die "a shift patch was applied in place"; fi
cmp -s "$dir/f" "$dir/old" || die "shift patch in place: the file changed"
rm -f "$dir/out"
if "$dx" apply "$dir/other" "$dir/p" "$dir/out" 2>/dev/null; then die "a shift patch accepted a wrong base"; fi
[ ! -e "$dir/out" ] || die "a failed apply left OUT behind"
step "wrong base, damaged patch, shift patch in place: refused, files untouched"

# a shift patch with a window applies in place (the insertion moves data forward)
"$dx" diff -f --shift --window 64K --zstd 3 "$dir/old" "$dir/new" "$dir/p" || die "diff --window"
"$dx" info "$dir/p" | grep -q '^window: *65536' || die "info: no window"
cp "$dir/old" "$dir/f"
"$dx" apply --in-place "$dir/f" "$dir/p" || die "shift patch with a window, in place"
cmp -s "$dir/f" "$dir/new" || die "shift patch with a window, in place: wrong result"
step "shift patch with a 64 KiB window: $(stat -c %s "$dir/p") bytes, applied in place"
