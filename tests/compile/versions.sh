#!/usr/bin/env bash
# Every header says its version four times: the first line (v1.2.3), the
# _MAJOR/_MINOR/_PATCH macros, the packed _VERSION (what code tests with #if)
# and the README's table. They must agree: a bump that misses one makes a
# user's version check lie.
set -eu
cd "$(dirname "$0")/../.."
bad=0
for h in dx_*.h; do
    up=$(basename "$h" .h | tr 'a-z' 'A-Z')
    line=$(sed -n '1s/^.* - v\([0-9]*\.[0-9]*\.[0-9]*\) - .*$/\1/p' "$h")
    macro() { sed -n "s/^#define ${up}_VERSION_$1 \([0-9]*\)\$/\1/p" "$h"; }
    parts="$(macro MAJOR).$(macro MINOR).$(macro PATCH)"
    pack=$(sed -n "s/^#define ${up}_VERSION DX_VERSION_PACK(\([0-9]*\), \([0-9]*\), \([0-9]*\))\$/\1.\2.\3/p" "$h")
    readme=$(grep -F "[\`$h\`]($h)" README.md | sed -n 's/.*| \*\*v\([0-9.]*\)\*\* |$/\1/p')
    if [ -z "$line" ] || [ "$line" != "$parts" ] || [ "$line" != "$pack" ] || [ "$line" != "$readme" ]; then
        echo "$h: first line v$line, macros $parts, ${up}_VERSION $pack, README v$readme"
        bad=1
    fi
done
[ "$bad" = 0 ] && echo "versions agree: $(for h in dx_*.h; do printf '%s %s  ' "$h" "$(sed -n '1s/^.* - \(v[0-9.]*\) - .*$/\1/p' "$h")"; done)"
exit "$bad"
