#!/usr/bin/env bash
# tests/fuzz.sh SECONDS - runs every libFuzzer harness in tests/fuzz/ for
# SECONDS each, starting from its seed corpus (new inputs go to build/fuzz/).
# A crash leaves its reproducer in build/fuzz/ and fails the run.
set -u
cd "$(dirname "$0")/.."
secs=${1:-60}
mkdir -p build/fuzz
passed=0 failed=0
for f in tests/fuzz/*.c; do
    name=$(basename "$f" .c)
    [ "$name" = fuzz_main ] && continue
    dict=""
    [ -f "tests/fuzz/$name.dict" ] && dict="-dict=tests/fuzz/$name.dict"
    mkdir -p "build/fuzz/$name"
    extra=$(sed -n 's|^/\* fuzz flags: \(.*\) \*/$|\1|p' "$f") # e.g. -DDX_CAS_WITH_ZSTD -lzstd
    # shellcheck disable=SC2086 # $extra is a list of flags
    if ! clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -I. "$f" $extra -o "build/fuzz/$name.bin"; then
        echo "FAIL $name (build)"; failed=$((failed + 1)); continue
    fi
    echo "fuzz: $name for ${secs}s"
    if "build/fuzz/$name.bin" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="build/fuzz/$name-" $dict \
        "build/fuzz/$name" "tests/fuzz/corpus/$name" > "build/fuzz/$name.log" 2>&1; then
        echo "ok   $name: $(grep -E '^stat::number_of_executed_units' "build/fuzz/$name.log" | awk '{print $2}') runs"
        passed=$((passed + 1))
    else
        echo "FAIL $name: see build/fuzz/$name.log"; tail -n 30 "build/fuzz/$name.log"; failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
