#!/usr/bin/env bash
# tests/install.sh - `make install` into build/test/prefix (DESTDIR too), then
# a small program using all five headers (tests/install/consumer.c) built
# against it three ways, each run: pkg-config (dx.pc), CMake find_package(dx),
# CMake add_subdirectory(dx). Prints what each step checks.
set -eu
cd "$(dirname "$0")/.."
T=$PWD/build/test/install
P=$T/prefix
rm -rf "$T"
mkdir -p "$T"
say() { echo "== $*"; }

say "make install PREFIX=$P (the tools built without optimisation: this checks the layout)"
make -s --no-print-directory install PREFIX="$P" B="$T/make" CFLAGS=-O0
for f in include/dx_cas.h include/dx_hbtp.h include/dx_patch.h include/dx_reactor.h include/dx_teleport.h include/dx_net.h \
    lib/pkgconfig/dx.pc lib/cmake/dx/dxConfig.cmake lib/cmake/dx/dxConfigVersion.cmake \
    bin/dxdiff bin/cas_snap bin/cas_chunks bin/tp_dump bin/statekeeper bin/dx_sync; do
    [ -e "$P/$f" ] || { echo "missing: $P/$f"; exit 1; }
done
for t in dxdiff cas_snap cas_chunks tp_dump statekeeper dx_sync; do
    [ -x "$P/bin/$t" ] || { echo "not executable: $P/bin/$t"; exit 1; }
done

say "make install DESTDIR=$T/stage PREFIX=/opt/dx: files under the stage, paths naming /opt/dx"
make -s --no-print-directory install DESTDIR="$T/stage" PREFIX=/opt/dx B="$T/make" CFLAGS=-O0
[ -f "$T/stage/opt/dx/include/dx_cas.h" ] && [ -x "$T/stage/opt/dx/bin/dxdiff" ]
grep -q '^includedir=/opt/dx/include$' "$T/stage/opt/dx/lib/pkgconfig/dx.pc"
grep -q '"/opt/dx/include"' "$T/stage/opt/dx/lib/cmake/dx/dxConfig.cmake"

if command -v pkg-config >/dev/null; then
    say "pkg-config: cc \$(pkg-config --cflags --libs dx) consumer.c"
    flags=$(PKG_CONFIG_PATH=$P/lib/pkgconfig pkg-config --cflags --libs dx | xargs)
    echo "flags: $flags; version $(PKG_CONFIG_PATH=$P/lib/pkgconfig pkg-config --modversion dx)"
    [ "$flags" = "-I$P/include" ]
    mkdir -p "$T/pc"
    cp tests/install/consumer.c "$T/pc/" # away from the source tree: only the installed headers can be found
    # shellcheck disable=SC2086 # $flags is a list
    (cd "$T/pc" && cc -std=c99 -Wall -Wextra -Wpedantic -Werror consumer.c $flags -o consumer && ./consumer)
else
    echo "SKIP pkg-config consumer: pkg-config is not installed (make test installs it)"
fi

if command -v cmake >/dev/null; then
    say "cmake find_package(dx) with CMAKE_PREFIX_PATH=$P"
    cmake -S tests/install -B "$T/cmake-find" -DCMAKE_PREFIX_PATH="$P" >"$T/cmake-find.log" 2>&1 ||
        { cat "$T/cmake-find.log"; exit 1; }
    grep -- '-- dx ' "$T/cmake-find.log"
    cmake --build "$T/cmake-find" >/dev/null && "$T/cmake-find/consumer"
    say "cmake find_package(dx 99) is refused"
    mkdir -p "$T/cmake-new"
    sed 's/find_package(dx REQUIRED CONFIG)/find_package(dx 99 REQUIRED CONFIG)/' tests/install/CMakeLists.txt > "$T/cmake-new/CMakeLists.txt"
    cp tests/install/consumer.c "$T/cmake-new/"
    if cmake -S "$T/cmake-new" -B "$T/cmake-new/b" -DCMAKE_PREFIX_PATH="$P" >"$T/cmake-new.log" 2>&1; then
        echo "find_package(dx 99) succeeded"; exit 1
    fi
    say "cmake add_subdirectory($PWD)"
    cmake -S tests/install -B "$T/cmake-sub" -DDX_SUBDIR="$PWD" >"$T/cmake-sub.log" 2>&1 ||
        { cat "$T/cmake-sub.log"; exit 1; }
    cmake --build "$T/cmake-sub" >/dev/null && "$T/cmake-sub/consumer"
else
    echo "SKIP cmake consumers: cmake is not installed (make test installs it)"
fi
say "ok"
