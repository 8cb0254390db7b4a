#!/bin/bash
# run_statekeeper_memory.sh - statekeeper's peak memory against the size of one state file (issue 17:
# "peak memory under 64 MiB for any file size")
#
#   bash bench/run_statekeeper_memory.sh [--write-results] [--sizes=1,4,12]   (GiB; default 1,4,12)
#
# For each size a state folder holds one file of random bytes (xorshift64, seeded: the same bytes at every
# run); statekeeper (built as the Makefile builds it) then: captures it (chunks), has 20% of its 64 KiB
# blocks rewritten and captures again (a delta against the local copy), restores the latest and the
# oldest version into new folders (each compared with cmp), verifies the store (every object re-hashed,
# every version rebuilt against its root), has another 20% rewritten and captures it whole (--full-every 1:
# chunks), then gc --keep 1 (which deletes the first version's chunks the third lacks, about a third of
# all, from every pack, and rewrites the packs; the third version is then restored and compared). Each
# command's peak RSS (/usr/bin/time, maximum resident set size) and wall time. The goal holds if no peak
# reaches 64 MiB and the peaks do not grow with the size. A size needs about 3.6x its bytes of free disk
# in build/bench (file, store, its copy of the file, a restore): one that does not fit is skipped and said
# so. Needs (Debian): gcc time libzstd-dev.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=build/bench
work=$out/statekeeper-memory
CC=${CC:-cc}
OPT="-O2 -DNDEBUG"
write=false
sizes=1,4,12
for a in "$@"; do
    case $a in
        --write-results) write=true ;;
        --sizes=*) sizes=${a#--sizes=} ;;
        *) echo "run_statekeeper_memory.sh: unknown option $a (--write-results, --sizes=GiB,GiB,...)" >&2; exit 2 ;;
    esac
done

. bench/packages.sh
install_missing run_statekeeper_memory.sh /usr/bin/time:time -:libzstd-dev
mkdir -p "$work"
flags=$(make -s --no-print-directory example-flags-statekeeper)
echo "run_statekeeper_memory.sh: building $out/statekeeper ($CC $OPT $flags)"
# shellcheck disable=SC2086 # $flags is a list
$CC $OPT -std=c99 -I. examples/statekeeper/statekeeper.c -o "$out/statekeeper" $flags
cat > "$work/gen.c" <<'EOF'
/* gen FILE MIB SEED [PERCENT]: MIB MiB of xorshift64 bytes, or (PERCENT) that share of its 64 KiB blocks rewritten */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
    uint64_t mib = strtoull(argv[2], 0, 10), x = strtoull(argv[3], 0, 10) * 0x9E3779B97F4A7C15ull + 1, blk;
    int percent = argc > 4 ? atoi(argv[4]) : -1, i;
    FILE *f = fopen(argv[1], percent >= 0 ? "r+b" : "wb");
    static uint64_t buf[8192];
    if (!f) return 1;
    for (blk = 0; blk < mib * 16; blk++) {
        for (i = 0; i < 8192; i++) x ^= x << 13, x ^= x >> 7, x ^= x << 17, buf[i] = x;
        if (percent >= 0) {
            if ((int)(x % 100) >= percent) continue;
            if (fseeko(f, (off_t)(blk * 65536), SEEK_SET) != 0) return 1;
        }
        if (fwrite(buf, 1, 65536, f) != 65536) return 1;
    }
    return fclose(f) != 0;
}
EOF
$CC -O2 -D_FILE_OFFSET_BITS=64 -D_DEFAULT_SOURCE "$work/gen.c" -o "$work/gen"

sk=$(pwd)/$out/statekeeper
gen=$(pwd)/$work/gen
rows=""
worst=0
skipped=""
# one command: its peak RSS in KiB and its wall time; "peak s" appended to $row
measure() {
    local t0 t1 kib
    t0=$(date +%s.%N)
    /usr/bin/time -f '%M' -o "$work/rss" "$@" > "$work/cmd.out" 2> "$work/cmd.err" || {
        echo "run_statekeeper_memory.sh: $* failed: $(cat "$work/cmd.out" "$work/cmd.err")" >&2; exit 1; }
    t1=$(date +%s.%N)
    kib=$(tail -n 1 "$work/rss")
    [ "$kib" -gt "$worst" ] && worst=$kib
    row="$row | $(awk -v k="$kib" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f MiB, %.1f s", k / 1024, b - a }')"
}
for g in ${sizes//,/ }; do
    d=$work/g$g
    rm -rf "$d" && mkdir -p "$d/state"
    need=$((g * 1024 * 1024 * 36 / 10)) # KiB
    free=$(df -Pk "$work" | awk 'NR == 2 { print $4 }')
    if [ "$free" -lt "$need" ]; then
        echo "run_statekeeper_memory.sh: $g GiB skipped: $((free / 1048576)) GiB free in $work, $((need / 1048576)) needed"
        skipped="$skipped $g GiB (disk)"
        continue
    fi
    echo "run_statekeeper_memory.sh: $g GiB"
    "$gen" "$d/state/big" $((g * 1024)) 1
    row="| $g GiB"
    measure "$sk" capture --store "$d/store" --state "$d/state"
    "$gen" "$d/state/big" $((g * 1024)) 2 20
    measure "$sk" capture --store "$d/store" --state "$d/state"
    grep -q "1 as deltas" "$work/cmd.err" || { echo "run_statekeeper_memory.sh: the second capture made no delta: $(cat "$work/cmd.err")" >&2; exit 1; }
    measure "$sk" restore --store "$d/store" "$d/latest"
    cmp "$d/latest/big" "$d/state/big" || { echo "run_statekeeper_memory.sh: the latest version came back different" >&2; exit 1; }
    rm -rf "$d/latest"
    measure "$sk" restore --store "$d/store" --version 1 "$d/oldest"
    "$gen" "$d/state/big" $((g * 1024)) 1 # version 1 again, to compare
    cmp "$d/oldest/big" "$d/state/big" || { echo "run_statekeeper_memory.sh: the oldest version came back different" >&2; exit 1; }
    rm -rf "$d/oldest"
    measure "$sk" verify --store "$d/store"
    "$gen" "$d/state/big" $((g * 1024)) 3 20
    measure "$sk" capture --full-every 1 --store "$d/store" --state "$d/state"
    measure "$sk" gc --store "$d/store" --keep 1
    grep -Eq "deleted [1-9][0-9]* objects" "$work/cmd.out" "$work/cmd.err" || {
        echo "run_statekeeper_memory.sh: gc deleted nothing: $(cat "$work/cmd.out" "$work/cmd.err")" >&2; exit 1; }
    deleted=$(grep -Eho "deleted [0-9]+ objects \([0-9]+ bytes\)" "$work/cmd.out" "$work/cmd.err" | head -n 1)
    "$sk" restore --store "$d/store" "$d/latest" 2> "$work/cmd.err" || {
        echo "run_statekeeper_memory.sh: restore after gc failed: $(cat "$work/cmd.err")" >&2; exit 1; }
    cmp "$d/latest/big" "$d/state/big" || { echo "run_statekeeper_memory.sh: after gc the latest version came back different" >&2; exit 1; }
    row="$row ($deleted)"
    rows="$rows$row |"$'\n'
    echo "$row |"
    rm -rf "$d"
done
[ -n "$rows" ] || { echo "run_statekeeper_memory.sh: no size was run" >&2; exit 1; }
verdict=$([ "$worst" -lt 65536 ] && echo reached || echo "NOT reached")
body="One file of random bytes per size; commands as a user runs them (default options), peak RSS (/usr/bin/time) and wall time. Machine: $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr). Run $(date -u '+%Y-%m-%d %H:%M UTC').

| file | first capture (chunks) | capture, 20% of 64 KiB blocks rewritten (delta) | restore latest | restore oldest | verify | capture, another 20% (whole: --full-every 1) | gc --keep 1 (what it deleted) |
|---|---|---|---|---|---|---|---|
$rows
Goal (issue 17): peak memory under 64 MiB for any file size: the largest peak of all $(echo "$worst" | awk '{ printf "%.1f MiB", $1 / 1024 }'): $verdict${skipped:+ (skipped:$skipped)}. Every restore compared with cmp.

What may still grow with the size, and where it stops (dx_cas.h 0.6.1, statekeeper.c): the store's table of packed objects (a first capture), up to 65,536 entries, about 5.5 MB (DX_CAS_DIR_TABLE_MAX; the rest are in packs/index); gc's mark set, up to 786,432 objects, 8 MiB, a pass (DX_CAS_GC_MARKS: a 12 GiB file is about that many chunks; a store with more reachable objects takes more passes, not more memory), and its sweep a bit per indexed object (a delete in a pack packs/index covers; 0.6.0 took that pack's entries back into the table: 34 MiB for this gc at 4 GiB) while the sync that rewrites the packs merges its copies into packs/index every 65,536. A blob's manifest is held one part (1,024 chunks, 36 KiB) at a time; verify keeps no set of chunks.

Built with $CC $OPT $flags (examples/statekeeper/statekeeper.c). Run: bash bench/run_statekeeper_memory.sh --sizes=$sizes."
echo
echo "$body"
if $write; then
    python3 - "$body" <<'PY'
import re, sys
path, body = "bench/RESULTS.md", sys.argv[1]
title = "## statekeeper: peak memory against the size of a state file (bench/run_statekeeper_memory.sh)"
section = "<!-- BEGIN statekeeper-memory -->\n%s\n\n%s\n<!-- END statekeeper-memory -->\n" % (title, body)
text = open(path).read()
m = re.search(r"<!-- BEGIN statekeeper-memory -->\n.*?<!-- END statekeeper-memory -->\n", text, re.S)
if m:
    text = text[:m.start()] + section + text[m.end():]
else:  # after the statekeeper histories
    e = text.find("<!-- END statekeeper -->\n")
    text = text[:e + 25] + "\n" + section + text[e + 25:] if e >= 0 else text.rstrip("\n") + "\n\n" + section
open(path, "w").write(text)
print("run_statekeeper_memory.sh: wrote its section of %s" % path)
PY
fi
