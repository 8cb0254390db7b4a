#!/bin/sh
# run_hbtp.sh - build and run the HBTP benchmark (bench/hbtp_bench.c + bench/peers/hbtp_*.c)
#
#   sh bench/run_hbtp.sh [--write-results] [--runs=N] [--run-ms=N] [--frames=N] [--only=NAME] [--case=NAME]
#
# Needs (Debian): libhttp-parser-dev libnghttp2-dev libhiredis-dev (pkg-config
# optional). Everything built goes to build/bench/ (objects in
# build/bench/obj-hbtp/). -O2 -DNDEBUG, no -march, so the figures are those
# of a portable release build. Every argument is passed to the program; it
# exits non-zero if an implementation's output is wrong, as this script does
# on a build failure. CC is honoured.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=build/bench
obj=$out/obj-hbtp
CC=${CC:-cc}
OPT="-O2 -DNDEBUG"

if ! command -v "$CC" >/dev/null 2>&1; then
    echo "run_hbtp.sh: $CC not found (Debian package gcc)" >&2
    exit 1
fi
for h in http_parser.h nghttp2/nghttp2.h hiredis/hiredis.h; do
    if ! printf '#include <%s>\n' "$h" | $CC -E -x c - >/dev/null 2>&1; then
        echo "run_hbtp.sh: <$h> not found (Debian packages libhttp-parser-dev libnghttp2-dev libhiredis-dev)" >&2
        exit 1
    fi
done

rm -rf "$obj"
mkdir -p "$obj"

# compile and link flags of the peer libraries (http-parser has no .pc file)
if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists libnghttp2 hiredis 2>/dev/null; then
    PCFLAGS=$(pkg-config --cflags libnghttp2 hiredis)
    PLIBS="$(pkg-config --libs libnghttp2 hiredis) -lhttp_parser"
else
    PCFLAGS=
    PLIBS="-lnghttp2 -lhiredis -lhttp_parser"
fi

CFLAGS_ALL="$OPT -std=c99 -Wall -Wextra -Ibench/peers $PCFLAGS"

echo "run_hbtp.sh: building $out/hbtp_bench ($CC $OPT)"
$CC $CFLAGS_ALL -DBENCH_FLAGS="\"$CC $OPT\"" -c bench/hbtp_bench.c -o "$obj/hbtp_bench.o"
for p in http1 h2 resp; do
    $CC $CFLAGS_ALL -c "bench/peers/hbtp_${p}_peer.c" -o "$obj/hbtp_${p}_peer.o"
done
$CC -o "$out/hbtp_bench" "$obj"/*.o $PLIBS

# as run_teleport.sh: glibc malloc asks for transparent huge pages (glibc >= 2.35;
# ignored elsewhere), for every implementation alike (the large-payload stream is 64 MiB)
if [ -z "${GLIBC_TUNABLES:-}" ]; then
    GLIBC_TUNABLES=glibc.malloc.hugetlb=1
    export GLIBC_TUNABLES
fi
echo "run_hbtp.sh: running $out/hbtp_bench $* (GLIBC_TUNABLES=$GLIBC_TUNABLES)"
exec "$out/hbtp_bench" "$@"
