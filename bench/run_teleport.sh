#!/bin/sh
# run_teleport.sh - build and run the teleport benchmark (bench/teleport_bench.c + bench/peers/)
#
#   sh bench/run_teleport.sh [--write-results] [--records=N] [--runs=N]
#
# Needs (Debian): libflatbuffers-dev flatbuffers-compiler libcapnp-dev capnproto
# libprotobuf-c-dev protobuf-c-compiler libmsgpack-dev g++ (pkg-config optional).
# Everything generated or built goes to build/bench/ (the peers' schema code to
# build/bench/gen/, made here at every run; none of it is committed). -O2
# -DNDEBUG, no -march, so the figures are those of a portable release build.
# Every argument is passed to the program; it exits non-zero on a checksum
# mismatch, as this script does on a build failure. CC and CXX are honoured.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=build/bench
gen=$out/gen
obj=$out/obj
CC=${CC:-cc}
CXX=${CXX:-c++}
OPT="-O2 -DNDEBUG"

need() {
    if ! command -v "$1" >/dev/null 2>&1; then
        echo "run_teleport.sh: $1 not found (Debian package $2)" >&2
        exit 1
    fi
}
need "$CC" gcc
need "$CXX" g++
need flatc flatbuffers-compiler
need capnp capnproto
need capnpc-c++ capnproto
need protoc-c protobuf-c-compiler

rm -rf "$gen" "$obj"
mkdir -p "$gen" "$obj"

# the peers' generated code
flatc --cpp -o "$gen" bench/peers/users.fbs
capnp compile -oc++:"$gen" --src-prefix=bench/peers bench/peers/users.capnp
protoc-c --c_out="$gen" --proto_path=bench/peers bench/peers/users.proto

# compile and link flags of the peer libraries
PKGS="flatbuffers capnp msgpack libprotobuf-c"
if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists $PKGS 2>/dev/null; then
    PCFLAGS=$(pkg-config --cflags $PKGS)
    PLIBS=$(pkg-config --libs $PKGS)
else
    PCFLAGS=
    PLIBS="-lflatbuffers -lcapnp -lkj -lmsgpackc -lprotobuf-c"
fi

INC="-Ibench/peers -I$gen"
CFLAGS_ALL="$OPT -std=c99 -Wall -Wextra $INC $PCFLAGS"
CXXFLAGS_ALL="$OPT -std=c++17 -Wall -Wextra $INC $PCFLAGS"

echo "run_teleport.sh: building $out/teleport_bench ($CC / $CXX $OPT)"
$CC $CFLAGS_ALL -DBENCH_FLAGS="\"$CC / $CXX $OPT\"" -c bench/teleport_bench.c -o "$obj/teleport_bench.o"
$CC $CFLAGS_ALL -c bench/peers/protobuf_c_peer.c -o "$obj/protobuf_c_peer.o"
$CC $OPT -std=c99 $INC $PCFLAGS -c "$gen/users.pb-c.c" -o "$obj/users.pb-c.o"
$CC $CFLAGS_ALL -c bench/peers/msgpack_peer.c -o "$obj/msgpack_peer.o"
$CXX $CXXFLAGS_ALL -c bench/peers/flatbuffers_peer.cc -o "$obj/flatbuffers_peer.o"
$CXX $CXXFLAGS_ALL -c bench/peers/capnp_peer.cc -o "$obj/capnp_peer.o"
$CXX $OPT -std=c++17 $INC $PCFLAGS -c "$gen/users.capnp.c++" -o "$obj/users.capnp.o"
$CXX -o "$out/teleport_bench" "$obj"/*.o $PLIBS -pthread

# glibc malloc asks for transparent huge pages (glibc >= 2.35; ignored elsewhere),
# for every implementation alike: with 4 KiB pages the speed of reading one
# 80 MB buffer depended on where its pages landed (up to 1.5x between two
# buffers of one run on a VM), which is noise, not a property of the format.
if [ -z "${GLIBC_TUNABLES:-}" ]; then
    GLIBC_TUNABLES=glibc.malloc.hugetlb=1
    export GLIBC_TUNABLES
fi
echo "run_teleport.sh: running $out/teleport_bench $* (GLIBC_TUNABLES=$GLIBC_TUNABLES)"
exec "$out/teleport_bench" "$@"
