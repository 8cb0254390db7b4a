#!/usr/bin/env bash
# tests/cross.sh - dx's portability matrix (`make cross`). Run from anywhere;
# it works from the repository root, where the test programs expect to be.
#
#   arm32      pure tests and fuzz replays, arm-linux-gnueabihf-gcc, qemu-arm; every tool built (32-bit off_t refused)
#   aarch64    the same, aarch64-linux-gnu-gcc, qemu-aarch64 -cpu max (so the
#              ARMv8 crypto-extension paths, e.g. dx_cas.h's SHA-256, run)
#   s390x      the same, big-endian 64-bit, s390x-linux-gnu-gcc, qemu-s390x
#   tcc        every test program built with tcc, run natively
#   musl       every test program built with musl-gcc -static, run natively
#   mingw      every test program built with x86_64-w64-mingw32-gcc -static, run under wine
#   kqueue     reactor_test's and net_test's kqueue suites (--filter=kqueue) over libkqueue, a
#              kqueue(2) emulation on Linux, built once (cmake) from
#              ../shared/third_party/libkqueue-<commit>.tar.gz into build/kq/;
#              sanitized -O0, -O2, and sanitized with only the first kqueue's
#              flags (OpenBSD's pipe wake: no EVFILT_USER there; no EV_RECEIPT,
#              EV_DISPATCH). A clone without ../shared/third_party skips it.
#   cortex-m4  the pure headers compiled freestanding (tests/freestanding.c):
#              imports nothing but mem*, every public function present, and a
#              size report per header into bench/RESULTS.md (cross-size section);
#              the firmware programs of tests/firmware/ (dx_reactor.c: a custom
#              backend, no OS header), and that reactor program run on the host
#              built as for a target without an OS
#
# Test programs are tests/*_test.c and tests/*_selftest.c; "pure" ones are
# those not named reactor_* or net_* (sockets and threads); pure headers are
# dx_*.h but dx_reactor.h and dx_net.h. Fuzz
# harnesses are tests/fuzz/<mod>_<target>.c, replayed by tests/fuzz/fuzz_main.c
# over tests/fuzz/corpus/<name>/ (plus deterministic mutants) under qemu.
# A probe (tests/cross/probe.c) first proves each emulator runs the byte order
# and word size it claims and passes exit statuses through.
#
# One line per check: "cross: <target> <what> ok|FAIL|skipped"; logs are in
# build/cross/<target>/. The last line is "N passed, N failed[, N skipped]";
# the exit status is 1 if anything failed. A missing tool skips its target.
#
# Environment: DX_PROP_CASES (default 200 under qemu, the programs' own
# default elsewhere), DX_PROP_SEED, DX_CROSS_TARGETS (a subset, e.g.
# "arm32 s390x"), DX_CROSS_TESTS (test sources instead of the tests/ ones),
# DX_CROSS_TIMEOUT (seconds per program run, default 1800).
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -u
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 2

OUT=build/cross
WARN="-Wall -Wextra -Wpedantic -Wshadow -Wconversion -Werror"
CFLAGS="-std=c99 $WARN -O2"
EMU_CASES=${DX_PROP_CASES:-200}
RUN_TIMEOUT=${DX_CROSS_TIMEOUT:-1800} # a watchdog only: qemu on a loaded machine is slow
TARGETS=${DX_CROSS_TARGETS:-"arm32 aarch64 s390x tcc musl mingw kqueue cortex-m4"}
RESULTS=$OUT/results
FAILURES=$OUT/failures.txt # every failure again, printed next to the summary
# Libraries every test program links with; the reactor's need sockets and threads.
LIBS_POSIX="-lm -lpthread"
LIBS_WIN="-lm -lws2_32 -lmswsock -lpthread" # pthread: winpthreads, for the reactor test's waker thread

mkdir -p "$OUT" || exit 2
rm -rf "$RESULTS" "$FAILURES"
mkdir -p "$RESULTS" || exit 2

# ---- what there is to build

TESTS_ALL=()
TESTS_PURE=()
for f in ${DX_CROSS_TESTS:-tests/*_test.c tests/*_selftest.c}; do
    [ -f "$f" ] || continue
    TESTS_ALL+=("$f")
    case ${f##*/} in reactor_* | net_*) ;; *) TESTS_PURE+=("$f") ;; esac
done
FUZZ_PURE=()
for f in tests/fuzz/*.c; do
    [ -f "$f" ] || continue
    case ${f##*/} in fuzz_main.c | reactor_*) ;; *) FUZZ_PURE+=("$f") ;; esac
done
HEADERS_PURE=()
for f in dx_*.h; do
    [ -f "$f" ] || continue
    case $f in dx_reactor.h | dx_net.h) ;; *) HEADERS_PURE+=("$f") ;; esac
done

# ---- reporting: every check prints one line and records its outcome

# record TARGET STATUS LINE [DETAIL]: one write, so parallel targets do not mix lines
record() {
    local target=$1 status=$2 line=$3 detail=${4:-}
    printf '%s\n' "$status" >>"$RESULTS/$target"
    if [ -n "$detail" ]; then
        printf '%s\n%s\n' "$line" "$detail"
    else
        printf '%s\n' "$line"
    fi
}
pass() { record "$1" ok "cross: $1 $2 ok${3:+ ($3)}"; }
skip() { record "$1" skip "cross: $1 $2 skipped ($3)"; }
# fail TARGET WHAT WHY [LOG [head|tail]]: prints part of the log, indented
fail() {
    local excerpt=""
    if [ -n "${4:-}" ] && [ -s "$4" ]; then
        if [ "${5:-tail}" = head ]; then
            excerpt=$(head -n 25 "$4" | tr -d '\r' | sed 's/^/    /')
        else
            excerpt=$(tail -n 15 "$4" | tr -d '\r' | sed 's/^/    /')
        fi
        excerpt="$excerpt
    (full log: $4)"
    fi
    record "$1" FAIL "cross: $1 $2 FAIL ($3)" "$excerpt"
    # again at the end, next to the summary, where a log's tail shows it
    printf '%s\n%s\n' "cross: $1 $2 FAIL ($3)" "$excerpt" >>"$FAILURES"
}

# need TARGET TOOL...: succeeds if every tool exists, else records a skip
need() {
    local target=$1 t
    shift
    for t in "$@"; do
        case $t in
        /*) [ -e "$t" ] || { skip "$target" all "$t not found"; return 1; } ;;
        *) command -v "$t" >/dev/null 2>&1 || { skip "$target" all "$t not found"; return 1; } ;;
        esac
    done
}

# ---- building and running one program

# build TARGET NAME EXE COMPILER-AND-ARGS...: compiles to EXE, records only failures
build() {
    local target=$1 name=$2 exe=$3 log
    shift 3
    log=$OUT/$target/${name//\//_}.build.log
    if "$@" -o "$exe" >"$log" 2>&1; then
        return 0
    fi
    fail "$target" "$name" "build" "$log" head
    return 1
}

# summary_of LOG: the "<name>: N passed, N failed, N skipped" line, if it is the last one
summary_of() {
    tr -d '\r' <"$1" | awk 'NF { last = $0 } END { print last }' |
        grep -E '^[^ ]+: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$'
}

# run_test TARGET NAME LOG CMD...: runs from the repository root with no stdin
run_test() {
    local target=$1 name=$2 log=$3 rc sum detail
    shift 3
    timeout -k 10 "$RUN_TIMEOUT" "$@" </dev/null >"$log" 2>&1
    rc=$?
    sum=$(summary_of "$log")
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        fail "$target" "$name" "timed out after ${RUN_TIMEOUT}s" "$log"
    elif [ "$rc" -ne 0 ]; then
        fail "$target" "$name" "exit status $rc${sum:+; ${sum#*: }}" "$log"
    elif [ -z "$sum" ]; then
        fail "$target" "$name" "exit 0 but no 'N passed, N failed, N skipped' last line" "$log"
    else
        detail=${sum#*: }
        case $detail in
        *" 0 failed, 0 skipped") detail=${detail%%,*} ;;
        esac
        pass "$target" "$name" "$detail"
    fi
}

# run_fuzz TARGET NAME LOG CMD...: fuzz_main prints "<name>: N inputs"
run_fuzz() {
    local target=$1 name=$2 log=$3 rc n
    shift 3
    timeout -k 10 "$RUN_TIMEOUT" "$@" </dev/null >"$log" 2>&1
    rc=$?
    n=$(tr -d '\r' <"$log" | sed -n 's/^[^ ]*: \([0-9][0-9]*\) inputs$/\1/p' | tail -n 1)
    if [ "$rc" -ne 0 ]; then
        fail "$target" "$name" "exit status $rc" "$log"
    elif [ -z "$n" ]; then
        fail "$target" "$name" "no 'N inputs' line" "$log"
    else
        pass "$target" "$name" "$n inputs"
    fi
}

# probe TARGET EXPECT EXE RUNNER...: the emulator runs what it claims and keeps exit statuses
probe() {
    local target=$1 expect=$2 exe=$3 log=$OUT/$1/probe.run.log rc got
    shift 3
    timeout -k 10 600 "$@" "$exe" 7 </dev/null >"$log" 2>&1
    rc=$?
    got=$(tr -d '\r' <"$log" | sed -n 's/^probe: //p' | head -n 1)
    if [ "$rc" -ne 7 ]; then
        fail "$target" probe "exit status $rc, expected 7: the runner loses exit statuses" "$log"
        return 1
    elif [ "$got" != "$expect" ]; then
        fail "$target" probe "runs ${got:-nothing}, expected $expect" "$log"
        return 1
    fi
    pass "$target" probe "$expect, exit status passes through"
}

# ---- a hosted target: probe, every test program, and optionally the fuzz replays

# hosted TARGET EXPECT-PROBE CASES FUZZ EXE-SUFFIX "CC AND FLAGS" "LIBS" "RUNNER" TESTS...
#   EXPECT-PROBE empty: no probe; CASES empty: the programs' default; FUZZ: yes|no
hosted() {
    local target=$1 expect=$2 cases=$3 fuzz=$4 sfx=$5 cc=$6 libs=$7 runner=$8 src name exe corpus
    shift 8
    local -a ccw libw runw envw files
    read -r -a ccw <<<"$cc"
    read -r -a libw <<<"$libs"
    read -r -a runw <<<"$runner"
    envw=(env)
    [ -n "$cases" ] && envw+=("DX_PROP_CASES=$cases")
    mkdir -p "$OUT/$target"
    if [ -n "$expect" ]; then
        build "$target" probe "$OUT/$target/probe$sfx" "${ccw[@]}" tests/cross/probe.c || return
        probe "$target" "$expect" "$OUT/$target/probe$sfx" "${runw[@]}" || return
    fi
    for src in "$@"; do
        name=${src##*/}
        name=${name%.c}
        exe=$OUT/$target/$name$sfx
        build "$target" "$name" "$exe" "${ccw[@]}" -I. -Itests "$src" "${libw[@]}" || continue
        run_test "$target" "$name" "$OUT/$target/$name.run.log" "${envw[@]}" "${runw[@]}" "$exe"
    done
    [ "$fuzz" = yes ] || return 0
    for src in "${FUZZ_PURE[@]}"; do
        name=${src##*/}
        name=${name%.c}
        exe=$OUT/$target/fuzz_$name$sfx
        build "$target" "fuzz/$name" "$exe" "${ccw[@]}" -I. -Itests "$src" tests/fuzz/fuzz_main.c "${libw[@]}" || continue
        # Files, not the directory: fuzz_main's readdir() is unreliable under
        # qemu-arm (see target_arm32).
        files=()
        for corpus in tests/fuzz/corpus/"$name"/*; do
            [ -f "$corpus" ] && files+=("$corpus")
        done
        if [ "${#files[@]}" -eq 0 ]; then
            pass "$target" "fuzz/$name" "built; no corpus in tests/fuzz/corpus/$name"
            continue
        fi
        run_fuzz "$target" "fuzz/$name" "$OUT/$target/fuzz_$name.run.log" \
            "${runw[@]}" "$exe" --mutations=200 "${files[@]}"
    done
}

target_arm32() {
    need arm32 arm-linux-gnueabihf-gcc qemu-arm /usr/arm-linux-gnueabihf || return 0
    # _FILE_OFFSET_BITS=64: under qemu-user a 32-bit readdir() fails with
    # EOVERFLOW on the host's 64-bit directory offsets (ext4 hashes); on real
    # 32-bit kernels it works, and large-file builds are the norm there anyway.
    hosted arm32 "little-endian 32-bit" "$EMU_CASES" yes "" \
        "arm-linux-gnueabihf-gcc $CFLAGS -D_FILE_OFFSET_BITS=64" "$LIBS_POSIX" \
        "qemu-arm -L /usr/arm-linux-gnueabihf" "${TESTS_PURE[@]}"
    tools_32bit arm32 arm-linux-gnueabihf-gcc
}

# tools_32bit TARGET CC: every tool built for a 32-bit host as a user builds it (no -D_FILE_OFFSET_BITS: each
# defines it, and tool.h refuses an off_t of 32 bits, with which files past 2 GiB fail or wrap), its warnings
# errors (size_t is 32 bits there); built, not run (the tools' tests run on the host)
tools_32bit() {
    local target=$1 cc=$2 src name
    for src in examples/*.c examples/*/*.c; do
        grep -q '#include "\(\.\./\)\{0,1\}tool\.h"' "$src" || continue
        name=${src##*/}
        name=tool_${name%.c}
        build "$target" "$name" "$OUT/$target/$name" "$cc" -std=c99 $WARN -O0 -D_DEFAULT_SOURCE -I. "$src" -lpthread -lm &&
            pass "$target" "$name" "built for a 32-bit host (64-bit off_t)"
    done
}

target_aarch64() {
    need aarch64 aarch64-linux-gnu-gcc qemu-aarch64 /usr/aarch64-linux-gnu || return 0
    hosted aarch64 "little-endian 64-bit" "$EMU_CASES" yes "" \
        "aarch64-linux-gnu-gcc $CFLAGS" "$LIBS_POSIX" \
        "qemu-aarch64 -cpu max -L /usr/aarch64-linux-gnu" "${TESTS_PURE[@]}"
}

target_s390x() {
    need s390x s390x-linux-gnu-gcc qemu-s390x /usr/s390x-linux-gnu || return 0
    hosted s390x "big-endian 64-bit" "$EMU_CASES" yes "" \
        "s390x-linux-gnu-gcc $CFLAGS" "$LIBS_POSIX" \
        "qemu-s390x -L /usr/s390x-linux-gnu" "${TESTS_PURE[@]}"
}

target_tcc() {
    need tcc tcc || return 0
    # tcc has no -Wextra/-Wconversion; -Wall -Werror is its strictest.
    hosted tcc "" "" no "" "tcc -std=c99 -Wall -Werror" "$LIBS_POSIX" "" "${TESTS_ALL[@]}"
}

target_musl() {
    need musl musl-gcc || return 0
    hosted musl "" "" no "" "musl-gcc -static $CFLAGS" "$LIBS_POSIX" "" "${TESTS_ALL[@]}"
}

# The reactor's example under Wine: examples/reactor_echo.c on IOCP, echoing
# 64 KiB from a host client (Wine's sockets are the host's, on loopback).
mingw_reactor_echo() {
    local wine=$1 exe=$OUT/mingw/reactor_echo.exe log=$OUT/mingw/reactor_echo.run.log pid port="" i
    build mingw examples/reactor_echo "$exe" x86_64-w64-mingw32-gcc -static $CFLAGS -I. -Itests -Iexamples \
        examples/reactor_echo.c $LIBS_WIN || return 0
    if ! command -v python3 >/dev/null 2>&1; then
        skip mingw examples/reactor_echo "built; no python3 for the client"
        return 0
    fi
    "$wine" "$exe" --backend iocp 0 </dev/null >"$log" 2>&1 &
    pid=$!
    for i in $(seq 1 600); do # a watchdog: Wine starts in about a second
        port=$(tr -d '\r' <"$log" | sed -n 's/^reactor_echo: port \([0-9]*\), backend iocp$/\1/p')
        [ -n "$port" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if [ -n "$port" ] && timeout 120 python3 -c '
import os, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=60)
data = os.urandom(65536)
s.sendall(data)
got = b""
while len(got) < len(data):
    b = s.recv(65536)
    if not b: break
    got += b
sys.exit(0 if got == data else 1)' "$port" >>"$log" 2>&1; then
        pass mingw examples/reactor_echo "IOCP echo of 64 KiB under Wine"
    else
        fail mingw examples/reactor_echo "no echo (port '${port}')" "$log"
    fi
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}

# dx_net.h's server on IOCP: examples/hbtp_server.exe under Wine, driven by
# the native hbtp_load (pipelined GET/SET/DEL/ECHO/PING from 16 connections):
# every request answered, no error, no connection lost.
mingw_hbtp_server() {
    local wine=$1 exe=$OUT/mingw/hbtp_server.exe load=$OUT/mingw/hbtp_load log=$OUT/mingw/hbtp_server.run.log
    local pid port="" i
    build mingw examples/hbtp_server "$exe" x86_64-w64-mingw32-gcc -static $CFLAGS -I. -Iexamples \
        examples/hbtp_server.c $LIBS_WIN || return 0
    build mingw examples/hbtp_load-native "$load" gcc -std=c99 -O2 -D_DEFAULT_SOURCE -I. -Iexamples \
        examples/hbtp_load.c $LIBS_POSIX || return 0
    "$wine" "$exe" --backend iocp --port 0 </dev/null >"$log" 2>&1 &
    pid=$!
    for i in $(seq 1 600); do # a watchdog: Wine starts in about a second
        port=$(tr -d '\r' <"$log" | sed -n 's/^hbtp_server: 127\.0\.0\.1 port \([0-9]*\), 1 workers, backend iocp$/\1/p')
        [ -n "$port" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if [ -n "$port" ] && timeout 300 "$load" --connections 16 --pipeline 8 --duration 2 \
        --mix get:5,set:4,del:1,echo:1,ping:1 "127.0.0.1:$port" >>"$log" 2>&1 &&
        grep -Eq '^summary: requests=[1-9][0-9]* errors=0 .* lost_connections=0$' "$log"; then
        pass mingw examples/hbtp_server "IOCP under Wine: $(sed -n 's/^requests: \([0-9]*\) answered.*/\1/p' "$log") pipelined requests answered, no error"
    else
        fail mingw examples/hbtp_server "hbtp_load against it failed (port '${port}')" "$log"
    fi
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}

target_mingw() {
    local wine="" wineserver="" prefix rc log
    need mingw x86_64-w64-mingw32-gcc || return 0
    if command -v wine64 >/dev/null 2>&1; then
        wine=wine64
    elif [ -x /usr/lib/wine/wine64 ]; then
        wine=/usr/lib/wine/wine64 # Debian without wine32: /usr/bin/wine would exec this
    elif command -v wine >/dev/null 2>&1; then
        wine=wine
    else
        skip mingw all "neither wine64 nor wine found"
        return 0
    fi
    if command -v wineserver >/dev/null 2>&1; then
        wineserver=wineserver
    elif [ -x /usr/lib/wine/wineserver ]; then
        wineserver=/usr/lib/wine/wineserver
    fi
    mkdir -p "$OUT/mingw"
    # One throwaway prefix under build/, kept between runs; headless: no
    # display, no mono/gecko installers, no debug chatter.
    prefix=$PWD/$OUT/wine
    export WINEPREFIX=$prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" DISPLAY= WAYLAND_DISPLAY=
    export WINEARCH=win64
    unset WINELOADER
    # A prefix left by another user or an interrupted boot is made anew.
    if [ ! -f "$prefix/.dx-ready" ] || [ ! -O "$prefix" ]; then
        rm -rf "$prefix"
        log=$OUT/mingw/wineboot.log
        timeout -k 10 900 "$wine" wineboot -i </dev/null >"$log" 2>&1
        rc=$?
        if [ "$rc" -ne 0 ] || [ ! -d "$prefix/drive_c" ]; then
            fail mingw wineboot "exit status $rc creating $prefix" "$log"
            return 0
        fi
        : >"$prefix/.dx-ready"
    fi
    # net_test's 10,000 connections have both ends in one Windows process, and
    # under Wine every socket of both is a Unix fd of wineserver: as many as
    # the fd limit allows, with room for wineserver's own.
    local hard
    hard=$(ulimit -Hn)
    if [ "$hard" = unlimited ] || [ "$hard" -ge 21500 ]; then
        export DX_NET_CONNECTIONS=10000
    else
        export DX_NET_CONNECTIONS=$(((hard - 1500) / 2))
    fi
    hosted mingw "little-endian 64-bit" "" no .exe \
        "x86_64-w64-mingw32-gcc -static $CFLAGS" "$LIBS_WIN" "$wine" "${TESTS_ALL[@]}"
    mingw_reactor_echo "$wine"
    mingw_hbtp_server "$wine"
    # Let this prefix's wineserver finish (it lingers a few seconds) so that
    # nothing outlives the run.
    [ -n "$wineserver" ] && timeout 30 "$wineserver" -w </dev/null >/dev/null 2>&1
    return 0
}

# ---- kqueue: dx_reactor.h's kqueue backend over libkqueue (Linux)

# The suite runs on the emulation, not on a BSD or macOS kernel: evidence, not
# proof (the backend follows the kqueue(2) manual pages; where libkqueue
# differs, dx_reactor.h's kqueue section says so). libkqueue is built once
# and kept (build/kq/.dx-built-<commit>), as ../shared/third_party/README.md says;
# its header comes in with -isystem, as <sys/event.h> does on the BSDs.
target_kqueue() {
    local t=kqueue ver=f966089 dir=$OUT/kqueue prefix=$PWD/build/kq tarball log variant flags exe
    tarball=../shared/third_party/libkqueue-$ver.tar.gz
    if [ ! -f "$tarball" ]; then
        skip "$t" all "$tarball not found: libkqueue (the kqueue emulation this target runs on) comes from ../shared/third_party, not in this clone"
        return 0
    fi
    need "$t" cmake make gcc tar || return 0
    mkdir -p "$dir"
    if [ ! -f "$prefix/.dx-built-$ver" ]; then
        log=$dir/libkqueue.build.log
        rm -rf "build/libkqueue-$ver" build/libkqueue "$prefix"
        if { tar xzf "$tarball" -C build/ &&
            cmake -S "build/libkqueue-$ver" -B build/libkqueue -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix" &&
            make -C build/libkqueue -j2 install; } >"$log" 2>&1 && [ -f "$prefix/lib/libkqueue.a" ]; then
            : >"$prefix/.dx-built-$ver"
            pass "$t" "libkqueue $ver" "built into build/kq"
        else
            fail "$t" "libkqueue $ver" "build (cmake)" "$log"
            return 0
        fi
    fi
    local asan="-O0 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
    for variant in asan O2 asan-basic; do
        case $variant in
        asan) flags=$asan ;;
        O2) flags="-O2" ;;
        # as where <sys/event.h> lacks EVFILT_USER (OpenBSD: a pipe wakes the
        # loop), EV_RECEIPT and EV_DISPATCH
        asan-basic) flags="$asan -DDXI_REACTOR_KQUEUE_BASIC" ;;
        esac
        exe=$dir/reactor_test-$variant
        # shellcheck disable=SC2086 # $WARN and $flags are lists
        build "$t" "reactor_test ($variant)" "$exe" gcc -std=c99 $WARN $flags -DDX_REACTOR_KQUEUE_LIBKQUEUE \
            -isystem "$prefix/include/kqueue" -I. -Itests tests/reactor_test.c "$prefix/lib/libkqueue.a" $LIBS_POSIX || continue
        run_test "$t" "reactor_test --filter=kqueue ($variant)" "$dir/reactor_test-$variant.run.log" \
            env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 "$exe" --filter=kqueue
        # dx_net.h's scenarios on the kqueue backend (the basic variant is the
        # reactor's concern alone)
        [ "$variant" = asan-basic ] && continue
        exe=$dir/net_test-$variant
        # shellcheck disable=SC2086 # $WARN and $flags are lists
        build "$t" "net_test ($variant)" "$exe" gcc -std=c99 $WARN $flags -DDX_REACTOR_KQUEUE_LIBKQUEUE \
            -isystem "$prefix/include/kqueue" -I. -Itests tests/net_test.c "$prefix/lib/libkqueue.a" $LIBS_POSIX || continue
        run_test "$t" "net_test --filter=kqueue ($variant)" "$dir/net_test-$variant.run.log" \
            env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 "$exe" --filter=kqueue
    done
    return 0
}

# ---- freestanding Cortex-M4

# api_of TARGET HEADER AUX-FILE: "extern|static NAME" for each public function
# the header declares under the freestanding options, as gcc -aux-info sees
# them (declarations only: no DX_IMPLEMENTATION, so no private helpers).
api_of() {
    sed -n 's|^/\* \([^:]*\):[0-9]*:[A-Za-z]* \*/ \(.*\)$|\1 \2|p' "$3" | awk -v h="$2" '
        { f = $1; sub(/^.*\//, "", f); if (f != h) next
          decl = $0; sub(/^[^ ]+ /, "", decl)
          i = index(decl, " ("); if (!i) next
          n = split(substr(decl, 1, i - 1), w, /[^A-Za-z0-9_]+/)
          if (w[n] ~ /^dx_/) print w[1], w[n] }' | sort -u
}

# bad_imports OBJECT: undefined symbols other than the mem* functions
bad_imports() {
    arm-none-eabi-nm -u "$1" | awk '{ print $NF }' | grep -vxE 'memcpy|memmove|memset|memcmp'
}

target_cortex_m4() {
    local t=cortex-m4 dir=$OUT/cortex-m4 gi gf obj log h stem missing undefined n f defined apis
    local row sizes=""
    local -a fs
    need "$t" arm-none-eabi-gcc arm-none-eabi-nm arm-none-eabi-size || return 0
    mkdir -p "$dir"
    if [ "${#HEADERS_PURE[@]}" -eq 0 ]; then
        skip "$t" all "no pure dx_*.h header"
        return 0
    fi
    # -nostdinc with only GCC's own headers: a header that includes <string.h>
    # (or any libc header) under DX_NO_LIBC fails here, as on a bare-metal SDK.
    gi=$(arm-none-eabi-gcc -print-file-name=include)
    gf=$(arm-none-eabi-gcc -print-file-name=include-fixed)
    fs=(arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -ffreestanding -nostdlib -Os
        -DDX_NO_LIBC -DDX_CAS_NO_STDIO -std=c99 $WARN -nostdinc -isystem "$gi" -isystem "$gf")

    # 1. the public functions of each header, for the reference table
    apis=$dir/api.h
    printf '/* generated by tests/cross.sh from arm-none-eabi-gcc -aux-info; do not edit */\n' >"$apis"
    for h in "${HEADERS_PURE[@]}"; do
        stem=${h%.h}
        printf '#include "%s"\n' "$h" >"$dir/$stem.decl.c"
        log=$dir/$stem.decl.log
        if ! "${fs[@]}" -I. -fsyntax-only -aux-info "$dir/$stem.aux" "$dir/$stem.decl.c" >"$log" 2>&1; then
            fail "$t" "$h api" "declarations alone do not compile" "$log" head
            continue
        fi
        api_of "$t" "$h" "$dir/$stem.aux" >"$dir/$stem.api"
        printf '/* %s */\n' "$h" >>"$apis"
        awk '{ print "DX_FS_REF(" $2 ")," }' "$dir/$stem.api" >>"$apis"
    done

    # 2. every pure header in one TU, every public function referenced
    obj=$dir/freestanding.o
    log=$dir/freestanding.build.log
    if "${fs[@]}" "-DDX_FS_API=\"$PWD/$apis\"" -c tests/freestanding.c -o "$obj" >"$log" 2>&1; then
        pass "$t" "freestanding.c" "${HEADERS_PURE[*]}"
        undefined=$(bad_imports "$obj" | tr '\n' ' ')
        if [ -n "$undefined" ]; then
            fail "$t" imports "undefined symbols besides mem*: ${undefined% }"
        else
            pass "$t" imports "$(arm-none-eabi-nm -u "$obj" | awk '{ print $NF }' | tr '\n' ' ' | sed 's/ $//')"
        fi
        defined=$(arm-none-eabi-nm --defined-only "$obj" | awk '{ print $3 }')
        for h in "${HEADERS_PURE[@]}"; do
            stem=${h%.h}
            [ -f "$dir/$stem.api" ] || continue
            n=$(grep -c . "$dir/$stem.api")
            missing=""
            for f in $(awk '{ print $2 }' "$dir/$stem.api"); do
                printf '%s\n' "$defined" | grep -qx -- "$f" || missing="$missing $f"
            done
            if [ "$n" -eq 0 ]; then
                fail "$t" "$h api" "gcc -aux-info found no public dx_ function"
            elif [ -n "$missing" ]; then
                fail "$t" "$h api" "declared but not in the object:$missing"
            else
                pass "$t" "$h api" "$n functions, $(grep -c '^extern ' "$dir/$stem.api") extern"
            fi
        done
    else
        fail "$t" "freestanding.c" "build; -nostdinc: only GCC's freestanding headers exist" "$log" head
    fi

    # 3. each header alone, for the size report (rows also for a header whose
    #    imports fail, so that the report stays current; the check fails)
    for h in "${HEADERS_PURE[@]}"; do
        stem=${h%.h}
        printf '#define DX_IMPLEMENTATION\n#include "%s"\n' "$h" >"$dir/$stem.c"
        obj=$dir/$stem.o
        log=$dir/$stem.build.log
        if ! "${fs[@]}" -ffunction-sections -fdata-sections -I. -c "$dir/$stem.c" -o "$obj" >"$log" 2>&1; then
            fail "$t" "$h size" "build alone; -nostdinc: only GCC's freestanding headers exist" "$log" head
            continue
        fi
        undefined=$(bad_imports "$obj" | tr '\n' ' ')
        undefined=${undefined% }
        row=$(arm-none-eabi-size "$obj" | awk -v h="$h" -v u="${undefined:-none}" \
            'NR == 2 { printf "| `%s` | %d | %d | %d | %d | %s |", h, $1, $2, $3, $4, u }')
        sizes="$sizes$row
"
        if [ -n "$undefined" ]; then
            fail "$t" "$h size" "alone, undefined symbols besides mem*: $undefined"
        else
            pass "$t" "$h size" "$(arm-none-eabi-size "$obj" | awk 'NR == 2 { printf "text %d, data %d, bss %d", $1, $2, $3 }')"
        fi
    done

    # 4. what firmware pays for each header's core API: the minimal programs
    #    of tests/firmware/, linked with --gc-sections (tests/firmware/size.sh)
    local fw="" hdr tx da bs tot goal verdict opts
    while read -r hdr tx da bs tot goal verdict; do
        case $hdr in
        fw_libc.c) fw="$fw| (\`fw_libc.c\`: the byte-loop mem* functions, not counted above) | | $tx | $da | $bs | $tot | | |
" ;;
        *.h) if [ "$tx" = "build" ]; then
                fail "$t" "$hdr firmware" "tests/firmware/${hdr%.h}.c does not build" "$dir/firmware/${hdr%.h}.log" head
            else
                opts=$(sed -n 's|^#define \(DX_[A-Z0-9_]*_NO_[A-Z0-9_]*\).*|\1|p' "tests/firmware/${hdr%.h}.c" | tr '\n' ' ')
                opts=${opts% }
                fw="$fw| \`$hdr\` | ${opts:-none} | $tx | $da | $bs | $tot | $goal | $verdict |
"
                pass "$t" "$hdr firmware" "total $tot bytes, goal $goal: $verdict"
            fi ;;
        esac
    done < <(bash tests/firmware/size.sh "$dir/firmware" 2>/dev/null)

    # 4b. dx_reactor.h without an OS (firmware with its own network stack):
    #     tests/firmware/dx_reactor.c (every built-in backend left out, a custom
    #     backend) was built above with -nostdinc for the Cortex-M4; here the
    #     same program is built for the host as for a target without an OS
    #     (no __unix__ or __linux__, only GCC's freestanding headers) and run.
    if command -v gcc >/dev/null 2>&1; then
        log=$dir/reactor_no_os.log
        if gcc -std=c99 $WARN -ffreestanding -nostdinc -isystem "$(gcc -print-file-name=include)" \
            -U__linux__ -U__unix__ -U__unix -Ulinux -Uunix -DDX_NO_LIBC -I. \
            tests/firmware/host_reactor.c -o "$dir/reactor_no_os" >"$log" 2>&1; then
            if timeout -k 10 60 "$dir/reactor_no_os" </dev/null >>"$log" 2>&1; then
                pass "$t" "dx_reactor.h without an OS" "custom backend only, no OS header; runs on the host"
            else
                fail "$t" "dx_reactor.h without an OS" "tests/firmware/host_reactor.c: exit status $?" "$log"
            fi
        else
            fail "$t" "dx_reactor.h without an OS" "build; -nostdinc: only GCC's freestanding headers exist" "$log" head
        fi
    else
        skip "$t" "dx_reactor.h without an OS" "no host gcc"
    fi

    # 5. bench/RESULTS.md, section cross-size only
    [ -n "$sizes" ] && write_size_report "$sizes" "${fs[*]}" "$fw"
    return 0
}

# write_size_report ROWS FLAGS FIRMWARE-ROWS: replaces or appends the cross-size section
write_size_report() {
    local rows=$1 flags=$2 fwrows=$3 file=bench/RESULTS.md tmp section begins ends
    local begin='<!-- BEGIN cross-size -->' end='<!-- END cross-size -->'
    flags=$(printf '%s\n' "$flags" | sed -e 's/^arm-none-eabi-gcc //' -e 's/ -isystem [^ ]*//g')
    section="$begin
## Freestanding size, Cortex-M4 (tests/cross.sh)

Measured $(date -u +%Y-%m-%d) with \`$(arm-none-eabi-gcc --version | head -n 1)\`.
Each header alone, \`#define DX_IMPLEMENTATION\`, every function kept (no
\`--gc-sections\`): what linking all of it costs. Flags: \`$flags -ffunction-sections -fdata-sections\`.

| header | text | data | bss | total (bytes) | imports besides mem* |
|---|---:|---:|---:|---:|---|
$rows
What firmware pays: each header's minimal program (\`tests/firmware/dx_<stem>.c\`: the
core API a firmware calls, entry \`fw_main\`) linked with \`--gc-sections\`, so only what
it reaches is kept; sizes without the mem* functions, which a firmware brings itself
(bss holds the program's own input and output buffers).
Flags: \`$(bash tests/firmware/size.sh --flags | sed -e 's/ -isystem [^ ]*//g')\`.

| program | options it sets | text | data | bss | total (bytes) | goal | |
|---|---|---:|---:|---:|---:|---:|---|
$fwrows$end"
    mkdir -p bench || { fail cortex-m4 "$file" "cannot create bench/"; return; }
    tmp=$(mktemp "$OUT/RESULTS.md.XXXXXX") || { fail cortex-m4 "$file" "mktemp"; return; }
    if [ -f "$file" ]; then
        begins=$(grep -cxF -- "$begin" "$file")
        ends=$(grep -cxF -- "$end" "$file")
        if [ "$begins" -eq 0 ] && [ "$ends" -eq 0 ]; then
            # append, separated by one blank line
            { cat "$file"; [ -n "$(tail -c 1 "$file")" ] && echo; [ -n "$(tail -n 1 "$file")" ] && echo
              printf '%s\n' "$section"; } >"$tmp"
        elif [ "$begins" -eq 1 ] && [ "$ends" -eq 1 ] &&
            [ "$(grep -nxF -- "$begin" "$file" | cut -d: -f1)" -lt "$(grep -nxF -- "$end" "$file" | cut -d: -f1)" ]; then
            SECTION=$section awk -v b="$begin" -v e="$end" '
                $0 == b { print ENVIRON["SECTION"]; skip = 1; next }
                $0 == e { skip = 0; next }
                !skip { print }' "$file" >"$tmp"
        else
            rm -f "$tmp"
            fail cortex-m4 "$file" "markers '$begin'/'$end' are unbalanced; left it alone"
            return
        fi
        chmod --reference="$file" "$tmp" 2>/dev/null
    else
        printf '# dx benchmark results\n\n%s\n' "$section" >"$tmp"
        chmod 644 "$tmp"
    fi
    if mv -f "$tmp" "$file"; then
        pass cortex-m4 "$file" "cross-size section"
    else
        rm -f "$tmp"
        fail cortex-m4 "$file" "cannot write"
    fi
}

# ---- run the targets in parallel, then count

start=$(date +%s)
pids=()
for target in $TARGETS; do
    case $target in
    arm32) target_arm32 & ;;
    aarch64) target_aarch64 & ;;
    s390x) target_s390x & ;;
    tcc) target_tcc & ;;
    musl) target_musl & ;;
    mingw) target_mingw & ;;
    kqueue) target_kqueue & ;;
    cortex-m4) target_cortex_m4 & ;;
    *) record "$target" FAIL "cross: $target FAIL (unknown target; known: arm32 aarch64 s390x tcc musl mingw kqueue cortex-m4)"; continue ;;
    esac
    pids+=("$!")
done
for pid in "${pids[@]}"; do
    wait "$pid"
done

passed=$(cat "$RESULTS"/* 2>/dev/null | grep -cx ok)
failed=$(cat "$RESULTS"/* 2>/dev/null | grep -cx FAIL)
skipped=$(cat "$RESULTS"/* 2>/dev/null | grep -cx skip)
echo "cross: took $(($(date +%s) - start))s; logs in $OUT/"
if [ -s "$FAILURES" ]; then
    echo "cross: what failed:"
    cat "$FAILURES"
fi
if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
