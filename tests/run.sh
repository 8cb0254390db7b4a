#!/usr/bin/env bash
# tests/run.sh - everything `make test` runs. Each check prints one line; the
# last line is "N passed, N failed, N skipped". Test programs count their own
# tests (prop.h prints "<prog>: N passed, N failed, N skipped"); every other
# check counts as one. Logs: build/test/logs/.
set -u
cd "$(dirname "$0")/.."
B=build/test
LOGS=$B/logs
rm -rf "$LOGS"
mkdir -p "$B" "$LOGS"
WARN="-std=c99 -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Werror"
CXXWARN="-Wall -Wextra -Wpedantic -Wshadow -Wconversion -Werror"
ASAN="-O0 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1
CASES=${DX_PROP_CASES:-1000}
passed=0 failed=0 skipped=0

FAILURES=$(mktemp) || exit 2
trap 'rm -f "$FAILURES"' EXIT
note_fail() { # name log; shown now and again next to the summary
    { echo "FAIL $1 (log: $2)"; tail -n 25 "$2" | sed 's/^/     /'; } | tee -a "$FAILURES"
}

# check NAME COMMAND...: one check, passed when the command exits 0. A script
# that could not do part of its work prints "SKIP <what>: <why>" lines: each
# counts as skipped and is shown.
check() {
    local name=$1 log="$LOGS/$1.log" s
    shift
    if "$@" >"$log" 2>&1; then
        passed=$((passed + 1)); echo "ok   $name"
    else
        failed=$((failed + 1)); note_fail "$name" "$log"
    fi
    s=$(grep -c '^SKIP ' "$log")
    if [ "$s" -gt 0 ]; then
        skipped=$((skipped + s)); grep '^SKIP ' "$log" | sed "s/^SKIP /skip $name: /"
    fi
}

# skip NAME WHY
skip() { skipped=$((skipped + 1)); echo "skip $1: $2"; }

# run_prog NAME PROGRAM ARGS...: a prop.h test program; adds its own counts.
run_prog() {
    local name=$1 log="$LOGS/$1.log" line p f s
    shift
    "$@" --quiet --cases="$CASES" >"$log" 2>&1
    local rc=$?
    line=$(grep -E ': [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log" | tail -n 1)
    if [ -z "$line" ]; then
        failed=$((failed + 1)); note_fail "$name (no summary, exit $rc)" "$log"; return
    fi
    read -r p f s <<<"$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1 \2 \3/')"
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then failed=$((failed + 1)); fi
    if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ]; then note_fail "$name" "$log"
    else echo "ok   $name ($p passed, $s skipped; $(head -n 1 "$log" | sed 's/^[^:]*: //'))"; fi
    grep -E '^SKIP ' "$log" | sed 's/^/     /'
}

HEADERS=$(ls dx_*.h)
TESTS="tests/prop_selftest.c $(ls tests/*_test.c)"

# 1. unit and property tests: gcc and clang, sanitized -O0 and plain -O2. A
# test with a line "/* run.sh variant NAME: FLAGS */" is also built with FLAGS
# added and run as <test>-<cc>-<mode>-NAME.
for cc in gcc clang; do
    for mode in asan O2; do
        if [ "$mode" = asan ]; then flags=$ASAN; else flags="-O2"; fi
        for t in $TESTS; do
            while IFS='|' read -r variant extra; do
                name=$(basename "$t" .c)-$cc-$mode${variant:+-$variant}
                # shellcheck disable=SC2086 # $extra is a list of flags
                if $cc $WARN $flags -I. -Itests "$t" $extra -o "$B/$name" >"$LOGS/$name.build.log" 2>&1; then
                    run_prog "$name" "./$B/$name"
                else
                    failed=$((failed + 1)); note_fail "$name (build)" "$LOGS/$name.build.log"
                fi
            done < <(echo '|'; sed -n 's|^/\* run\.sh variant \([A-Za-z0-9_]*\): \(.*\) \*/$|\1\|\2|p' "$t")
        done
    done
done

# 2. header hygiene (tests/compile/)
C=tests/compile
for h in $HEADERS; do
    stem=$(basename "$h" .h)
    for cc in gcc clang; do
        # included from a .c file, as users do: declarations only, then with the implementation
        # (dx_net.h, the bridge, after the two headers it needs)
        if [ "$stem" = dx_net ]; then
            printf '#include "dx_reactor.h"\n#include "dx_hbtp.h"\n#include "%s"\n' "$h" > "$B/alone-$stem.c"
        else
            printf '#include "%s"\n' "$h" > "$B/alone-$stem.c"
        fi
        check "alone-$stem-$cc-decl" $cc $WARN -I. -c "$B/alone-$stem.c" -o "$B/alone-$stem-$cc-decl.o"
        check "alone-$stem-$cc-impl" $cc $WARN -I. -DDX_IMPLEMENTATION -c "$B/alone-$stem.c" -o "$B/alone-$stem-$cc.o"
    done
    for cxx in g++ clang++; do
        check "alone-$stem-$cxx-impl" $cxx $CXXWARN -I. -DDX_IMPLEMENTATION -c -x c++ "$B/alone-$stem.c" -o "$B/alone-$stem-$cxx.o"
    done
    # exported symbols: only dx_ names
    check "exports-$stem" bash -c "nm -g --defined-only $B/alone-$stem-gcc.o | awk '{print \$3}' | grep -v '^dx_' | { ! grep .; }"
done
for cc in gcc clang; do
    check "all-orderA-$cc" bash -c "$cc $WARN -I. -I$C $C/all.c -o $B/all-a-$cc && ./$B/all-a-$cc"
    check "all-orderB-$cc" bash -c "$cc $WARN -DDX_ORDER_B -I. -I$C $C/all.c -o $B/all-b-$cc && ./$B/all-b-$cc"
    check "split-$cc" bash -c "$cc $WARN -I. -I$C -c $C/split_a.c -o $B/split_a-$cc.o && $cc $WARN -I. -I$C -c $C/split_b.c -o $B/split_b-$cc.o && $cc $B/split_a-$cc.o $B/split_b-$cc.o -o $B/split-$cc && ./$B/split-$cc"
    check "decl-then-impl-$cc" bash -c "$cc $WARN -I. -I$C $C/decl_then_impl.c -o $B/dti-$cc && ./$B/dti-$cc"
    check "static-$cc" bash -c "$cc $WARN -I. -I$C -c $C/static.c -o $B/static-$cc.o && nm -g --defined-only $B/static-$cc.o | awk '{print \$3}' | grep -v '^static_main\$' | { ! grep .; }"
    check "options-$cc" bash -c "$cc $WARN -I. -I$C $C/options.c -o $B/options-$cc && ./$B/options-$cc"
done
for cxx in g++ clang++; do
    check "cpp-$cxx" bash -c "$cxx $CXXWARN -I. -I$C $C/cpp.cc -o $B/cpp-$cxx && ./$B/cpp-$cxx"
done
# the zstd-only code as C++ too (DX_<MOD>_WITH_ZSTD: the builds above leave it out), under both compilers
if printf '#include <zstd.h>\nint main(void) { return ZSTD_versionNumber() == 0; }\n' |
    gcc -x c - -o "$B/zstd-probe" -lzstd >/dev/null 2>&1; then
    for zd in dx_patch:DX_PATCH_WITH_ZSTD dx_cas:DX_CAS_WITH_ZSTD; do
        stem=${zd%%:*} def=${zd#*:}
        check "cpp-$def" bash -c "set -e; for cxx in g++ clang++; do echo \"\$cxx\"
            \$cxx $CXXWARN -I. -DDX_IMPLEMENTATION -D$def -c -x c++ $B/alone-$stem.c -o $B/cpp-$def-\$cxx.o; done"
    done
else
    skip "cpp-DX_PATCH_WITH_ZSTD" "libzstd-dev is not installed (make test installs it)"
    skip "cpp-DX_CAS_WITH_ZSTD" "libzstd-dev is not installed (make test installs it)"
fi
check "common-block" bash $C/common_block.sh
check "versions" bash $C/versions.sh
# dx_net.h without the headers it needs: a clear #error, not a pile of unknown types
for cc in gcc clang; do
    check "net-requires-$cc" bash -c "printf '#include \"dx_net.h\"\n' > $B/net-alone.c; ! $cc $WARN -I. -c $B/net-alone.c -o $B/net-alone.o 2>$B/net-alone-$cc.err && grep -q 'dx_net.h needs dx_reactor.h and dx_hbtp.h' $B/net-alone-$cc.err"
done
# dx_reactor.h with every built-in backend left out (DX_REACTOR_NO_*): a custom
# backend only, as firmware with its own network stack (tests/firmware/dx_reactor.c)
for cc in gcc clang; do
    check "reactor-custom-only-$cc" bash -c "$cc $WARN -I. tests/firmware/host_reactor.c -o $B/reactor-custom-only-$cc && ./$B/reactor-custom-only-$cc"
done

# 3. fuzz harnesses, replayed without libFuzzer: seeds plus deterministic mutants
for f in tests/fuzz/*.c; do
    name=$(basename "$f" .c)
    [ "$name" = fuzz_main ] && continue
    extra=$(sed -n 's|^/\* fuzz flags: \(.*\) \*/$|\1|p' "$f") # e.g. -DDX_CAS_WITH_ZSTD -lzstd
    # a harness whose every input is a whole diff says how many mutants a seed it can afford
    mutations=$(sed -n 's|^/\* fuzz replay mutations: \([0-9]*\) \*/$|\1|p' "$f")
    mutations=${DX_FUZZ_MUTATIONS:-${mutations:-3000}}
    check "fuzz-replay-$name" bash -c "clang $WARN -D_DEFAULT_SOURCE $ASAN -I. $f tests/fuzz/fuzz_main.c $extra -o $B/fuzz-$name && ./$B/fuzz-$name --mutations=$mutations tests/fuzz/corpus/$name"
done

# 4. examples: warning-free, and they run. Built as the Makefile builds them
# (`make example-flags-NAME`: zstd when libzstd is installed), and a tool that
# has a zstd build is also built without it (ZSTD=0), as ex-NAME-nozstd.
for e in examples/*.c; do
    name=$(basename "$e" .c)
    flags=$(make -s --no-print-directory "example-flags-$name")
    flags0=$(make -s --no-print-directory "example-flags-$name" ZSTD=0)
    # shellcheck disable=SC2086 # $flags is a list
    check "example-build-$name" gcc $WARN $ASAN -I. "$e" -o "$B/ex-$name" $flags
    if [ "$flags" != "$flags0" ]; then
        # shellcheck disable=SC2086
        check "example-build-$name-nozstd" gcc $WARN $ASAN -I. "$e" -o "$B/ex-$name-nozstd" $flags0
    fi
done
# each one as a Unix tool: --help, -h, --version, an unknown option (tests/tools_cli.sh)
for e in examples/*.c; do
    name=$(basename "$e" .c)
    [ -x "$B/ex-$name" ] && check "tools-cli-$name" bash tests/tools_cli.sh "$B/ex-$name"
done
if [ -x "$B/ex-teleport_users" ]; then
    check "example-teleport_users" "./$B/ex-teleport_users" --quiet -f "$B/users.dxtp" 20000
    if [ -x "$B/ex-tp_dump" ]; then
        check "example-tp_dump" bash -c "./$B/ex-tp_dump --max 3 $B/users.dxtp > $B/users.json"
        if command -v python3 >/dev/null; then
            check "example-tp_dump-json-valid" python3 -m json.tool "$B/users.json"
        else
            skip "example-tp_dump-json-valid" "python3 is not installed (make test installs it)"
        fi
        check "example-tp_dump-rejects-garbage" bash -c "head -c 500 /dev/urandom > $B/garbage.dxtp; ! ./$B/ex-tp_dump $B/garbage.dxtp"
    fi
fi

if [ -x "$B/ex-cas_chunks" ]; then
    check "example-cas_chunks" bash -c "a=\$(./$B/ex-cas_chunks dx_cas.h | sed 's/^[^:]*://') && b=\$(./$B/ex-cas_chunks - < dx_cas.h | sed 's/^[^:]*://') && [ \"\$a\" = \"\$b\" ] && echo \"\$a\" | grep -q ' chunks, root sha256-'"
fi

# the build without zstd where there is one (else the only build)
cas_snap0=$B/ex-cas_snap-nozstd
[ -x "$cas_snap0" ] || cas_snap0=$B/ex-cas_snap
if [ -x "$cas_snap0" ]; then
    # snapshot tests/, restore it, compare; then a second snapshot, verify, gc
    check "example-cas_snap" bash -c "set -e; rm -rf $B/snap-store $B/snap-out; S='./$cas_snap0 --quiet --no-sync --store $B/snap-store'
        \$S snap tests v1 >/dev/null; \$S restore v1 $B/snap-out; diff -r tests $B/snap-out
        \$S snap examples v2 >/dev/null; \$S verify >/dev/null; \$S gc | grep -q ' 0 deleted'; \$S stats | grep -q 'dedup ratio'"
    # as a user runs it, with bad input: refs, gc and verify on bad refs, restore on a corrupt chunk and a full disk
    check "example-cas_snap-cli" bash tests/cas_snap_cli.sh "./$B/ex-cas_snap"
fi
# the same with zstd-compressed chunks (DX_CAS_WITH_ZSTD): smaller on disk, same snapshot ids
# (the default build when it has zstd, which it has when ex-cas_snap-nozstd exists; else built here)
casz=$B/ex-cas_snap-zstd
[ -x "$B/ex-cas_snap-nozstd" ] && casz=$B/ex-cas_snap
check "example-cas_snap-zstd" bash -c "set -e; [ $casz = $B/ex-cas_snap ] || gcc $WARN -D_DEFAULT_SOURCE $ASAN -I. -DDX_CAS_WITH_ZSTD examples/cas_snap.c -o $casz -lzstd
    rm -rf $B/snapz-store $B/snapz-out $B/snap0-store; S='./$casz --quiet --no-sync --store $B/snapz-store'
    a=\$(\$S snap tests v1); \$S restore v1 $B/snapz-out; diff -r tests $B/snapz-out; \$S verify >/dev/null
    b=\$(./$casz --quiet --no-sync --compress 0 --store $B/snap0-store snap tests v1); [ \"\$a\" = \"\$b\" ]
    z=\$(du -sck --apparent-size $B/snapz-store/objects $B/snapz-store/packs | tail -n 1 | cut -f1)
    p=\$(du -sck --apparent-size $B/snap0-store/objects $B/snap0-store/packs | tail -n 1 | cut -f1)
    echo \"compressed \$z KiB, plain \$p KiB\"; [ \"\$z\" -lt \"\$p\" ]"
# statekeeper (examples/statekeeper/, a folder: built here as the Makefile builds it), sanitized: as a Unix
# tool, then as a user runs it (tests/statekeeper_cli.sh: round trips, symlinks never followed, a file rewritten
# during captures, a history, gc, a damaged store, permission denied, a sparse file, sqlite3 under 'run' killed
# and restarted, run watching new folders, scanning without inotify and past the watch limit, captures SIGKILLed
# at random steps); once more at -O2 with peak memory under 64 MiB. Counts that fit CI (about 3 minutes on a
# loaded 2-core machine): sanitized 8 versions, 24 MiB, 20 killed captures; -O2 30 versions, a 2100 MiB sparse
# file (offsets past 2^31), 50 killed captures; both with a 1 MB database. STATEKEEPER_FULL=1 runs issue 17's
# counts in both (50 versions, 4 GiB, 1000 killed captures, 5 MB: about half an hour at -O2 alone).
sk_flags=$(make -s --no-print-directory example-flags-statekeeper)
sk_flags0=$(make -s --no-print-directory example-flags-statekeeper ZSTD=0)
sk_asan=(STATEKEEPER_VERSIONS=8 STATEKEEPER_BIG_MIB=24 STATEKEEPER_KILL_ROUNDS=20 STATEKEEPER_DB_KB=1000)
sk_o2=(STATEKEEPER_VERSIONS=30 STATEKEEPER_BIG_MIB=2100 STATEKEEPER_KILL_ROUNDS=50 STATEKEEPER_DB_KB=1000)
if [ -n "${STATEKEEPER_FULL:-}" ]; then sk_asan=(STATEKEEPER_FULL=1) sk_o2=(STATEKEEPER_FULL=1); fi
# shellcheck disable=SC2086 # the flags are lists
check "example-build-statekeeper" gcc $WARN $ASAN -I. examples/statekeeper/statekeeper.c -o "$B/ex-statekeeper" $sk_flags
if [ "$sk_flags" != "$sk_flags0" ]; then
    # shellcheck disable=SC2086
    check "example-build-statekeeper-nozstd" gcc $WARN $ASAN -I. examples/statekeeper/statekeeper.c -o "$B/ex-statekeeper-nozstd" $sk_flags0
fi
if [ -x "$B/ex-statekeeper" ]; then
    check "tools-cli-statekeeper" bash tests/tools_cli.sh "$B/ex-statekeeper"
    check "example-statekeeper-cli" env "${sk_asan[@]}" STATEKEEPER_MAX_RSS_KB= bash tests/statekeeper_cli.sh "./$B/ex-statekeeper"
fi
# shellcheck disable=SC2086
if gcc $WARN -O2 -I. examples/statekeeper/statekeeper.c -o "$B/ex-statekeeper-O2" $sk_flags >"$LOGS/statekeeper-O2.build.log" 2>&1; then
    check "example-statekeeper-cli-O2" env "${sk_o2[@]}" bash tests/statekeeper_cli.sh "./$B/ex-statekeeper-O2"
else
    failed=$((failed + 1)); note_fail "example-statekeeper-O2 (build)" "$LOGS/statekeeper-O2.build.log"
fi
# dx_sync (examples/dx_sync/, all five headers and dx_net.h) as a user runs it (tests/dx_sync_cli.sh: every
# answer kind over real sockets, damaged patches, a dropped connection and flipped bytes through a proxy, the
# server killed mid-transfer, many clients at once, publish during gets): sanitized with 20 clients at once,
# then at -O2 with 100 (issue 16's count)
ds_flags=$(make -s --no-print-directory example-flags-dx_sync)
ds_flags0=$(make -s --no-print-directory example-flags-dx_sync ZSTD=0)
# shellcheck disable=SC2086 # the flags are lists
check "example-build-dx_sync" gcc $WARN $ASAN -I. examples/dx_sync/dx_sync.c -o "$B/ex-dx_sync" $ds_flags
if [ "$ds_flags" != "$ds_flags0" ]; then
    # shellcheck disable=SC2086
    # (and a seed list of 64 chunks: OUT's chunks past it go into the cache, the way a large OUT takes)
    check "example-build-dx_sync-nozstd" gcc $WARN $ASAN -DSYNC_SEED_MAX=64 -I. examples/dx_sync/dx_sync.c -o "$B/ex-dx_sync-nozstd" $ds_flags0
fi
if [ -x "$B/ex-dx_sync" ]; then
    check "tools-cli-dx_sync" bash tests/tools_cli.sh "$B/ex-dx_sync"
    check "example-dx_sync-cli" env DX_SYNC_CLIENTS=20 bash tests/dx_sync_cli.sh "./$B/ex-dx_sync"
fi
# (and against the build with zstd, both ways: DX_SYNC_PEER)
[ -x "$B/ex-dx_sync-nozstd" ] && check "example-dx_sync-cli-nozstd" env DX_SYNC_CLIENTS=10 DX_SYNC_PEER="./$B/ex-dx_sync" \
    bash tests/dx_sync_cli.sh "./$B/ex-dx_sync-nozstd"
# shellcheck disable=SC2086
if gcc $WARN -O2 -I. examples/dx_sync/dx_sync.c -o "$B/ex-dx_sync-O2" $ds_flags >"$LOGS/dx_sync-O2.build.log" 2>&1; then
    check "example-dx_sync-cli-O2" bash tests/dx_sync_cli.sh "./$B/ex-dx_sync-O2"
else
    failed=$((failed + 1)); note_fail "example-dx_sync-O2 (build)" "$LOGS/dx_sync-O2.build.log"
fi
# no tool writes into, or collects the garbage of, another tool's store (tests/stores_cli.sh)
if [ -x "$B/ex-cas_snap" ] && [ -x "$B/ex-statekeeper" ] && [ -x "$B/ex-dx_sync" ]; then
    check "example-stores-cli" bash tests/stores_cli.sh "$B/ex-cas_snap" "$B/ex-statekeeper" "$B/ex-dx_sync"
fi
# hbtp_server as a second implementation sees it: an HBTP client written in Python from dx_hbtp.h's WIRE FORMAT
# only (tests/hbtp_spec_client.sh: HELLO limits, PING, ECHO to the frame limit, the key-value store, 1000 pipelined
# requests, stream ids past 65535, USERS' teleport buffer, HS256 JWTs, every protocol error, the rule_* vectors,
# GOAWAY both ways and SIGTERM with requests in flight; every frame the server sends checked against the spec)
[ -x "$B/ex-hbtp_server" ] && check "example-hbtp_server-spec-client" bash tests/hbtp_spec_client.sh "./$B/ex-hbtp_server"
# dx_sync as a second implementation sees it: a client written in Python from the specifications only
# (tests/sync_spec_client.sh: dx_sync.c's WIRE FORMAT and STORE, BLAKE3/FastCDC/Merkle from dx_cas.h, listings,
# chunks, compressed READs, PATCH offers applied by tests/patch_spec_reader.py, every error the spec names, format 1
# and damaged stores); the sanitized server; the known discrepancies are listed in the .py and not failures
[ -x "$B/ex-dx_sync" ] && check "example-dx_sync-spec-client" bash tests/sync_spec_client.sh "./$B/ex-dx_sync"
# dx_sync get as a second implementation's server sees it: a server written in Python from the wire format
# (tests/sync_spec_server.sh: every answer kind, PATCH offers made by dxdiff, and a buggy or hostile server's answers:
# exit status, message, OUT byte for byte as it was after a failure, nothing left beside OUT)
[ -x "$B/ex-dx_sync" ] && check "example-dx_sync-spec-server" bash tests/sync_spec_server.sh "./$B/ex-dx_sync"
# statekeeper as a second implementation sees it: a reader of its store written in Python from the specifications
# only (tests/sk_spec_reader.sh: statekeeper.c's STORE FORMAT, COPY FILE and CHUNK LIST, dx_cas.h's packs, index,
# manifests in parts, trees, FastCDC and Merkle roots, SKDP segments through tests/patch_spec_reader.py): every
# version of 5 captures rebuilt, checked and restored by the reader and by the sanitized binary byte for byte, gc,
# loose objects, damaged stores both must refuse; the known discrepancies are listed in the .py, not failures
[ -x "$B/ex-statekeeper" ] && check "example-statekeeper-spec-reader" bash tests/sk_spec_reader.sh "./$B/ex-statekeeper"
# dxdiff as a user runs it (built with zstd): diff, apply, info, in place, resume, shift, refusals
check "example-dxdiff-cli" bash -c "gcc $WARN -D_DEFAULT_SOURCE $ASAN -I. -DDXDIFF_ZSTD examples/dxdiff.c -o $B/ex-dxdiff-zstd -lzstd && bash tests/dxdiff_cli.sh ./$B/ex-dxdiff-zstd"
# dx_patch's WIRE FORMAT read by a second implementation (tests/patch_spec.sh: tests/patch_spec_reader.py,
# Python written from the header's specification only) on the vectors and on dxdiff's patches of every
# kind; dxdiff -O2, as its diffs of a few MB at -9 take seconds (python3-zstandard missing: SKIP)
check "patch-spec-reader" bash -c "gcc $WARN -O2 -D_DEFAULT_SOURCE -I. -DDXDIFF_ZSTD examples/dxdiff.c -o $B/ex-dxdiff-zstd-O2 -lzstd && bash tests/patch_spec.sh ./$B/ex-dxdiff-zstd-O2"

# 5. every quick start in the README compiles as written and runs, as C (gcc)
# and as C++ (g++, clang++)
rm -f "$B"/readme_quickstart_*.c
awk -v dir="$B" '/^```c$/ { n++; f = dir "/readme_quickstart_" n ".c"; printf "" > f; on = 1; next }
                 /^```$/ { on = 0; next } on { print >> f }' README.md
for q in "$B"/readme_quickstart_*.c; do
    name=$(basename "$q" .c)
    check "$name" bash -c "gcc -std=c99 -Wall -Wextra -Wpedantic -Werror $ASAN -I. $q -o $B/$name && ./$B/$name"
    for cxx in g++ clang++; do
        check "$name-$cxx" bash -c "$cxx -x c++ -Wall -Wextra -Wpedantic -Werror $ASAN -I. $q -o $B/$name-$cxx && ./$B/$name-$cxx"
    done
done

# 6. make install, and programs built against the installed tree (pkg-config,
# CMake find_package) and against this folder (CMake add_subdirectory)
check "install" bash tests/install.sh
# make demo, test, cross, fuzz and bench install the Debian packages they lack: each runs tests/deps.sh
# GROUP first (make applies no pattern rule to a .PHONY target: a deps-% rule once ran nothing)
check "make-deps-targets" bash -c 'for g in demo test cross fuzz bench; do
    [ "$(make -s -n deps-$g)" = "bash tests/deps.sh $g" ] || { echo "make deps-$g runs: \"$(make -s -n deps-$g)\""; exit 1; }; done'

if [ -s "$FAILURES" ]; then
    echo "what failed:"
    cat "$FAILURES"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
