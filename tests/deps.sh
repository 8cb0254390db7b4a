#!/usr/bin/env bash
# tests/deps.sh GROUP - installs the Debian packages a make target needs when
# they are missing, and says so. Groups: demo test cross fuzz bench all.
set -eu
group=${1:-all}
demo="gcc make libc6-dev libzstd-dev zstd rsync git"
test="$demo g++ clang libclang-rt-14-dev binutils python3 python3-zstandard libzstd-dev coreutils b3sum xxhash cmake pkg-config sqlite3 time util-linux"
cross="gcc-arm-linux-gnueabihf libc6-dev-armhf-cross gcc-aarch64-linux-gnu libc6-dev-arm64-cross gcc-s390x-linux-gnu libc6-dev-s390x-cross qemu-user tcc musl-tools gcc-arm-none-eabi binutils-arm-none-eabi gcc-mingw-w64-x86-64 wine64 wine"
fuzz="clang libfuzzer-14-dev libclang-rt-14-dev"
bench="g++ xdelta3 bsdiff zstd gdb liburing-dev libuv1-dev casync zsync zchunk curl python3 time strace restic borgbackup git openssl coreutils b3sum libflatbuffers-dev flatbuffers-compiler libcapnp-dev capnproto libprotobuf-c-dev protobuf-c-compiler libmsgpack-dev libhttp-parser-dev libnghttp2-dev libhiredis-dev hyperfine libzstd-dev"
case $group in
    demo) want=$demo ;;
    test) want=$test ;;
    cross) want="$test $cross" ;;
    fuzz) want="$test $fuzz" ;;
    bench) want="$demo $bench" ;;
    all) want="$test $cross $fuzz $bench" ;;
    *) echo "deps.sh: unknown group $group" >&2; exit 2 ;;
esac
if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "deps.sh: not a Debian system; make sure these are installed: $want"
    exit 0
fi
missing=""
for p in $want; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "make: installing missing Debian packages:$missing"
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
        echo "make: run as root, or install them yourself: apt-get install$missing" >&2; exit 1
    fi
else SUDO=""; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
