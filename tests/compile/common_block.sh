#!/usr/bin/env bash
# What STYLE.md 3.3, 3.4 and 3.10 say is the same in every dx header must be
# byte-for-byte identical: the dx common block (declarations), the common
# implementation block (DX_ASSERT/DX_MALLOC/DX_MEMCPY defaults) and the license.
set -eu
cd "$(dirname "$0")/../.."
mkdir -p build/test
# part NAME SED-RANGE: extracts the part from every header and compares the copies
part() {
    local name=$1 range=$2 first="" h
    for h in dx_*.h; do
        sed -n "$range" "$h" > "build/test/$name-$h.txt"
        if [ ! -s "build/test/$name-$h.txt" ]; then echo "$h: no $name"; exit 1; fi
        if [ -z "$first" ]; then first=$h; continue; fi
        if ! cmp -s "build/test/$name-$first.txt" "build/test/$name-$h.txt"; then
            echo "$h: $name differs from $first:"; diff "build/test/$name-$first.txt" "build/test/$name-$h.txt"; exit 1
        fi
    done
    echo "$name identical in: $(ls dx_*.h | tr '\n' ' ')"
}
part "common block" '/^\/\* ---- dx common block v/,/^\/\* ---- end of dx common block ---- \*\//p'
part "common implementation block" '/^\/\* ---- dx common implementation block v/,/^\/\* ---- end of dx common implementation block ---- \*\//p'
part "license" '/^This software is available under 2 licenses/,$p'
