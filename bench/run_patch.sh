#!/bin/sh
# run_patch.sh - build the corpora (once) and run the dx_patch benchmark (bench/patch_bench.c)
#
#   sh bench/run_patch.sh [--write-results] [--runs=N] [--slow-runs=N] [--real-runs=N]
#                         [--bsdiff-timeout=S] [--only=abcdefghijkl]
#
# Needs (Debian): gcc libzstd-dev zlib1g-dev xdelta3 bsdiff zstd gdb (gcore, for
# pair b) gnuplot (the chart) and apt (apt-get download, for pairs d and f-l);
# run as root, it installs the missing ones. The twelve file pairs are made by
# bench/patch_corpus.sh into build/bench/patch/ (once; `bash
# bench/patch_corpus.sh --force` rebuilds them); the program goes to
# build/bench/patch_bench, dxdiff is built by the Makefile (`make
# build/dxdiff`, with zstd), HDiffPatch by bench/build_hdiffpatch.sh from
# ../shared/third_party (its rows say "not run" where that tarball is absent).
# -O2 -DNDEBUG, no -march, so the figures are those of a portable release
# build. Every argument is passed to the program; it exits non-zero if any
# output differs from the new file, as this script does on a build failure.
# CC is honoured. Takes about an hour on two cores: bsdiff (up to its
# watchdog, --bsdiff-timeout, 1200 s by default) and zstd -19 on the 110 MB
# pair f take most of it; --only=abcde is the few minutes of issue 9's pairs.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=build/bench
CC=${CC:-cc}
OPT="-O2 -DNDEBUG"

# The peers and the tools for the corpora, installed as tests/deps.sh does
# when missing (root and apt-get), else named.
zstd_dev=""
printf '#include <zstd.h>\n' | ${CC:-cc} -E -x c - >/dev/null 2>&1 || zstd_dev="-:libzstd-dev"
. bench/packages.sh
install_missing run_patch.sh xdelta3:xdelta3 bsdiff:bsdiff zstd:zstd gcore:gdb gnuplot:gnuplot-nox $zstd_dev -:zlib1g-dev

need() {
    if ! command -v "$1" >/dev/null 2>&1; then
        echo "run_patch.sh: $1 not found (Debian package $2)" >&2
        exit 1
    fi
}
need "$CC" gcc
need xdelta3 xdelta3
need bsdiff bsdiff
need bspatch bsdiff
need zstd zstd
if ! printf '#include <zstd.h>\n' | $CC -E -x c - >/dev/null 2>&1; then
    echo "run_patch.sh: <zstd.h> not found (Debian package libzstd-dev)" >&2
    exit 1
fi
command -v gcore >/dev/null 2>&1 || echo "run_patch.sh: gcore not found (Debian package gdb): pair b will be raw dumps" >&2
command -v gnuplot >/dev/null 2>&1 || echo "run_patch.sh: gnuplot not found (Debian package gnuplot-nox): no chart" >&2

bash bench/patch_corpus.sh

mkdir -p "$out"
echo "run_patch.sh: building $out/patch_bench ($CC $OPT)"
hsha=$(sha256sum dx_patch.h | cut -c1-12)
$CC $OPT -std=c99 -Wall -Wextra -DBENCH_FLAGS="\"$CC $OPT\"" -DDX_PATCH_SHA="\"$hsha\"" bench/patch_bench.c -o "$out/patch_bench" -lzstd

# dxdiff as the Makefile builds it (with zstd where libzstd is installed); HDiffPatch from ../shared/third_party
make -s build/dxdiff
hdiff=$(sh bench/build_hdiffpatch.sh)

echo "run_patch.sh: running $out/patch_bench --dxdiff=build/dxdiff --hdiffpatch=$hdiff $*"
exec "$out/patch_bench" --dxdiff=build/dxdiff --hdiffpatch="$hdiff" "$@"
