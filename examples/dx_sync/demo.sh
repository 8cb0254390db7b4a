#!/usr/bin/env bash
# examples/dx_sync/demo.sh DX_SYNC - what `make demo` runs: a dx_sync server and clients on loopback walk a
# real program through three releases: hbtp_server as this repository built it at its last three commits
# that changed it (a git checkout; otherwise three builds of this tree at -O0, -O1 and -O2). Each step prints
# the answer, the bytes on the wire and the time, next to what the same update costs with zstd
# --patch-from (-19, the patch alone), rsync (its daemon on loopback, delta transfer: bytes sent and
# received) and a plain download of the file, and checks the result byte for byte.
set -eu
ds=$(realpath "$1")
repo=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d)
rpid=""
cleanup() {
    [ -n "${spid:-}" ] && kill "$spid" 2>/dev/null && wait "$spid" 2>/dev/null
    [ -n "$rpid" ] && kill "$rpid" 2>/dev/null && wait "$rpid" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT
cd "$dir"
die() { echo "demo: FAIL: $*" >&2; exit 1; }
t0=$(date +%s.%N)

# --- three releases of a real program ---
src="examples/hbtp_server.c"
commits=""
if git -C "$repo" rev-parse --git-dir >/dev/null 2>&1; then
    commits=$(git -C "$repo" log -n 3 --format=%h -- "$src" dx_net.h dx_hbtp.h dx_reactor.h examples/tool.h | tac)
fi
n=0
if [ "$(wc -w <<<"$commits")" = 3 ]; then
    bpids=""
    for c in $commits; do
        n=$((n + 1))
        mkdir "tree$n"
        git -C "$repo" archive "$c" | tar -x -C "tree$n"
        gcc -std=c99 -O2 -D_DEFAULT_SOURCE -I"tree$n" "tree$n/$src" -o "v$n" &
        bpids="$bpids $!"
    done
    for p in $bpids; do wait "$p" || die "cannot build $src at one of $commits"; done
    echo "demo: hbtp_server built at commits $(tr '\n' ' ' <<<"$commits")($(stat -c %s v1), $(stat -c %s v2), $(stat -c %s v3) bytes)"
else
    for o in 0 1 2; do
        n=$((n + 1))
        gcc -std=c99 -O$o -D_DEFAULT_SOURCE -I"$repo" "$repo/$src" -o "v$n" || die "cannot build $src"
    done
    echo "demo: not a git checkout: hbtp_server built at -O0, -O1, -O2 as three releases"
fi

# --- the server: three versions published ---
for v in 1 2 3; do "$ds" publish --store store app "v$v" | sed 's/^/demo: publish: /'; done
exec {sfd}< <(exec "$ds" serve --store store --port 0 --workers 2 2>serve.err)
read -r -t 60 line <&"$sfd" || die "the server did not start: $(cat serve.err)"
spid=$!
port=$(sed -n 's/.* port \([0-9]*\),.*/\1/p' <<<"$line")
echo "demo: ${line#dx_sync: }"

# --- rsync's daemon on loopback, serving the same files ---
rport=""
if command -v rsync >/dev/null; then
    mkdir -p rs
    cp -p v1 v2 v3 rs/ # their own times: step 2's copy of v3 then matches rsync's quick check (size and time)
    printf 'use chroot = no\n[d]\npath = %s/rs\nread only = yes\n' "$dir" > rsyncd.conf
    for p in $(seq 18730 18790); do
        rsync --daemon --no-detach --port "$p" --address 127.0.0.1 --config rsyncd.conf 2>/dev/null &
        rpid=$!
        for _ in $(seq 1 200); do rsync "rsync://127.0.0.1:$p/d/" >/dev/null 2>&1 && { rport=$p; break; }; kill -0 "$rpid" 2>/dev/null || break; done
        [ -n "$rport" ] && break
        kill "$rpid" 2>/dev/null; wait "$rpid" 2>/dev/null; rpid=""
    done
fi
# peers OLD NEW: the same update by the other tools
peers() {
    local old=$1 new=$2 z="n/a" r="n/a"
    if command -v zstd >/dev/null; then
        z=$( { [ -n "$old" ] && zstd -q -19 --patch-from="$old" "$new" -c || zstd -q -19 "$new" -c; } 2>/dev/null | wc -c)
    fi
    if [ -n "$rport" ]; then
        rm -rf rsd; mkdir rsd
        [ -n "$old" ] && cp "$old" "rsd/$(basename "$new")"
        # --ignore-times: the versions are built in the same second, with one size: rsync's quick check
        # would take OLD for NEW and send nothing
        r=$(rsync --no-whole-file --ignore-times --stats "rsync://127.0.0.1:$rport/d/$(basename "$new")" rsd/ |
            awk '/Total bytes sent/ {s = $4} /Total bytes received/ {r = $4} END {gsub(",", "", s); gsub(",", "", r); print s + r}')
        cmp -s "rsd/$(basename "$new")" "$new" || die "rsync's result differs"
    fi
    echo "    same update: zstd --patch-from $z B, rsync $r B, full download $(stat -c %s "$new") B"
}
# step TITLE OLD CACHE [SERVER]: one get, its line, checked
step() {
    local title=$1 old=$2 cache=$3 server=${4:-127.0.0.1:$port}
    rm -f out
    [ -n "$old" ] && cp "$old" out
    "$ds" get --server "$server" --cache "$cache" app out > get.out 2> get.err || die "$title: $(cat get.err)"
    cmp -s out v3 || die "$title: the result is not v3"
    echo "demo: $title"
    sed 's/^app: /    dx_sync: /' get.out
    [ -s get.err ] && sed 's/^/    /' get.err
    peers "$old" v3
}
step "1. first fetch (no OUT, empty cache)" "" cache1
rm -f out && cp v3 out
"$ds" get --server "127.0.0.1:$port" --cache cache1 app out > get.out || die "304"
echo "demo: 2. the same again (OUT is v3)"
sed 's/^app: /    dx_sync: /' get.out
echo "    same update: zstd has no 'not modified'; rsync $(
    [ -n "$rport" ] && { mkdir -p rsd2; cp -p v3 rsd2/; rsync --no-whole-file --stats "rsync://127.0.0.1:$rport/d/v3" rsd2/ |
        awk '/Total bytes sent/ {s = $4} /Total bytes received/ {r = $4} END {gsub(",", "", s); gsub(",", "", r); print s + r " B"}'; } || echo n/a)"
step "3. an update (OUT is v2)" v2 cache3
step "4. two versions behind (OUT is v1)" v1 cache4
# a server that damages every patch chunk it sends: the client detects it and takes the chunks
exec {cfd}< <(exec "$ds" serve --store store --port 0 --workers 1 --corrupt-patches 2>serve2.err)
cpid=$!
read -r -t 60 line <&"$cfd" || die "the second server did not start"
cport=$(sed -n 's/.* port \([0-9]*\),.*/\1/p' <<<"$line")
step "5. a damaged patch (a server that flips a byte in each patch chunk)" v2 cache5 "127.0.0.1:$cport"
kill "$cpid"; wait "$cpid" 2>/dev/null || true
echo "demo: every result checked byte for byte against v3; $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}') s in all"
