#!/usr/bin/env bash
# The dx common block must be byte-for-byte identical in every header.
set -eu
cd "$(dirname "$0")/../.."
first=""
for h in dx_*.h; do
    sed -n '/^\/\* ---- dx common block v/,/^\/\* ---- end of dx common block ---- \*\//p' "$h" > "build/test/common_$h.txt"
    if [ ! -s "build/test/common_$h.txt" ]; then echo "$h: no common block"; exit 1; fi
    if [ -z "$first" ]; then first=$h; continue; fi
    if ! cmp -s "build/test/common_$first.txt" "build/test/common_$h.txt"; then
        echo "$h: common block differs from $first:"; diff "build/test/common_$first.txt" "build/test/common_$h.txt"; exit 1
    fi
done
echo "common block identical in: $(ls dx_*.h | tr '\n' ' ')"
