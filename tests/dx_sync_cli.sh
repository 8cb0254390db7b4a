#!/usr/bin/env bash
# tests/dx_sync_cli.sh DX_SYNC - dx_sync as a user runs it, over real sockets on loopback:
#  1. a Unix tool: --help, --version, bad usage (exit 2), a missing store, an unknown name
#  2. three versions of a real binary (a shared library of this machine, edited in place, with an
#     insertion and a deletion) published; every answer kind: a first fetch (chunks), the same again
#     (NOT_MODIFIED, a few hundred bytes), an update (patch), a client two versions behind, a client
#     whose OUT is something else (its unchanged chunks not fetched), an empty cache with OUT = v2
#  3. a server that damages every patch chunk (--corrupt-patches): detected, the chunks instead, OUT right
#  4. a network that drops the connection after N bytes (tests/sync_proxy.c), at many points of a
#     fetch of 24 MiB: OUT is the old version or the new one, never anything else; the next get
#     succeeds and fetches less than the whole
#  5. a byte flipped on the way at many offsets (the proxy): the get fails and leaves OUT as it was, or
#     falls back and succeeds; never a wrong OUT with exit 0
#  6. the server killed (SIGKILL) while clients fetch: OUT old or new; after a restart the gets finish
#  7. DX_SYNC_CLIENTS (default 100) clients updating at once from one server, each right
#  8. publish while clients fetch: each client ends with exactly one published version
#  9. the client cache's quota: least recently used versions evicted, never the one OUT holds
# 10. the release before QUERY flag 2 (built from git, skipped outside a checkout): both ways
# 11. the release before QUERY flag 4 (built from git, skipped outside a checkout): both ways
# No sleeps: the test waits for lines the programs print (read -t is only a watchdog).
set -u
ds=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
pids=""
cleanup() {
    local p
    for p in $pids; do kill -9 "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    rm -rf "$dir"
}
trap cleanup EXIT
cd "$dir" || exit 1
step() { echo "dx_sync: $*"; }
# flip FILE AT: the byte at AT made another (its low bit turned; a fixed byte written over
# random data would leave it as it was once in 256 runs)
flip() {
    local v
    v=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    printf "\\$(printf '%03o' $((v ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
die() { echo "dx_sync: FAIL: $*" >&2; [ -f err ] && sed 's/^/  stderr: /' err >&2; exit 1; }
run() { "$ds" "$@" > out 2> err; rc=$?; }
CLIENTS=${DX_SYNC_CLIENTS:-100}
# wire bytes of the last get's summary line
wire() { sed -n 's/.*, \([0-9]*\) bytes on the wire.*/\1/p' out; }

# first_line PROGRAM ARGS...: starts it in the background (pid in bg), its first line of stdout in line
fifos=0
first_line() {
    local f=fifo$((fifos += 1)) fd
    mkfifo "$f"
    "$@" > "$f" 2>> bg.err &
    bg=$!
    pids="$pids $bg"
    exec {fd}< "$f"
    read -r -t 60 line <&"$fd" || die "$1 did not start: $(tail -n 3 bg.err)"
    exec {fd}<&-
    rm -f "$f"
}
# start_server STORE [OPTIONS]: sets port and spid
start_server() {
    local store=$1
    shift
    first_line "$ds" serve --store "$store" --port 0 --workers 2 "$@"
    spid=$bg
    port=$(sed -n 's/.* port \([0-9]*\),.*/\1/p' <<<"$line")
    [ -n "$port" ] || die "no port in: $line"
}
# stop_server: SIGTERM, a graceful stop that must exit 0 (a sanitizer's leak report fails it)
stop_server() {
    local st=0
    kill "$spid" 2>/dev/null
    wait "$spid" 2>/dev/null || st=$?
    [ "$st" = 0 ] || die "the server exited with $st after SIGTERM: $(tail -n 20 bg.err)"
}
# start_proxy UPSTREAM [OPTIONS]: sets pport and ppid
start_proxy() {
    first_line "$B/sync_proxy" "$@"
    ppid=$bg
    pport=${line#port }
}
stop_proxy() { kill "$ppid" 2>/dev/null; wait "$ppid" 2>/dev/null; }
B=$dir/bin
mkdir -p "$B"
gcc -O2 -o "$B/sync_proxy" "$here/sync_proxy.c" || die "cannot build tests/sync_proxy.c"

# --- 1. a Unix tool ---
run --help; [ $rc = 0 ] && grep -q '^usage: dx_sync publish' out || die "--help"
run --version; [ $rc = 0 ] && grep -q 'dx_patch.h' out || die "--version"
run; [ $rc = 2 ] || die "no command: exit $rc, not 2"
run get --cache c x y; [ $rc = 2 ] || die "get without --server: exit $rc"
run get --server 127.0.0.1:notaport --cache c x y; [ $rc = 2 ] || die "a bad port: exit $rc"
run publish --store s 'bad/name' /etc/hostname; [ $rc = 2 ] || die "a bad name: exit $rc"
run serve --store nowhere; [ $rc = 1 ] && grep -q 'not a dx_sync store' err || die "serve on a missing store: exit $rc"
# each command: --version and --help as without one; bad usage shows that command's usage line; empty paths
for c in publish serve get; do
    run $c --version; [ $rc = 0 ] && grep -q 'dx_patch.h' out || die "$c --version: exit $rc"
    run $c --help; [ $rc = 0 ] && grep -q '^usage: dx_sync publish' out || die "$c --help: exit $rc"
    run $c --bogus; [ $rc = 2 ] && grep -q "^usage: dx_sync $c " err || die "$c --bogus: exit $rc, or another command's usage line: $(cat err)"
done
run get --server 127.0.0.1:1 --cache c x ''; [ $rc = 2 ] || die "an empty OUT: exit $rc"
run get --server 127.0.0.1:1 --cache '' x o; [ $rc = 2 ] || die "an empty --cache: exit $rc"
run publish --store '' x /etc/hostname; [ $rc = 2 ] || die "an empty --store: exit $rc"
echo x > cfile
run get --server 127.0.0.1:1 --cache cfile x o; [ $rc = 1 ] && grep -q 'cfile is not a dx_sync cache (it is a file' err || die "a cache that is a file: exit $rc: $(cat err)"
[ ! -e nowhere ] || die "serve made a store"
# a folder of the user's is not made a store or a cache; a store is not a cache, nor a cache a store
mkdir mine && echo notes > mine/notes
run publish --store mine x /etc/hostname; [ $rc = 1 ] && grep -q 'mine is not a dx_sync store, and not empty' err || die "publish into a folder of the user's: exit $rc: $(cat err)"
run get --server 127.0.0.1:1 --cache mine x o; [ $rc = 1 ] && grep -q 'mine is not a dx_sync cache, and not empty' err || die "a cache in a folder of the user's: exit $rc: $(cat err)"
[ "$(ls mine)" = notes ] || die "a refused store or cache left files in the user's folder: $(ls mine)"
run publish --store sx x /etc/hostname; [ $rc = 0 ] || die "publish into a new store: $(cat err)"
run get --server 127.0.0.1:1 --cache sx x o; [ $rc = 1 ] && grep -q 'sx is a dx_sync store (its dx-tool file says so), not a dx_sync cache' err || die "a store as the cache: exit $rc: $(cat err)"
mkdir -p cx/outs cx/objects
run publish --store cx x /etc/hostname; [ $rc = 1 ] && grep -q 'cx is a dx_sync cache' err || die "a cache as the store: exit $rc: $(cat err)"
# "--": names from there on, even one that begins with a dash
cp /etc/hostname ./-f
run publish --store sdash -- app -f; [ $rc = 0 ] && grep -q '^app: version 1,' out || die "publish -- NAME -FILE: exit $rc: $(cat err)"
rm -f ./-f
# a named pipe as FILE: refused at once (opening it would wait for a writer)
mkfifo pipe
timeout 60 "$ds" publish --store sx x pipe > out 2> err; rc=$?
[ $rc = 1 ] && grep -q 'pipe is a pipe' err || die "publish of a named pipe: exit $rc (124: it waited): $(cat err)"
step "a Unix tool: --help, --version (of each command too), exit 2 on bad usage with the command's usage line, a missing store refused; a folder of the user's, a store as the cache, a cache as the store and a named pipe refused"

# --- 2. every answer kind ---
src=""
for f in /usr/lib/x86_64-linux-gnu/libcrypto.so.3 /usr/lib/*/libcrypto.so.3 /usr/bin/gcc-12 /usr/bin/perl "$ds"; do
    if [ -f "$f" ] && [ "$(stat -c %s "$f")" -gt 1000000 ]; then src=$f; break; fi
done
cp "$src" v1
size=$(stat -c %s v1)
cp v1 v2
for o in 100000 900000 $((size / 2)) $((size - 5000)); do
    head -c 64 /dev/urandom | dd of=v2 bs=64 seek=$((o / 64)) conv=notrunc status=none
done
{ head -c 700000 v2; head -c 3000 /dev/urandom; tail -c +700001 v2 | head -c $((size - 800000)); tail -c 90000 v2; } > v3
run publish --store st app v1; [ $rc = 0 ] || die "publish v1"
run publish --store st app v2 --progress; [ $rc = 0 ] && grep -q '1 patch' out || die "publish v2: $(cat out)"
grep -q '^dx_sync: patch from v1 .* 100%' err || die "publish --progress: no progress line of the patch search: $(cat err)"
run publish --store st app v3; [ $rc = 0 ] && grep -q '2 patches' out || die "publish v3: $(cat out)"
run publish --store st app v3; [ $rc = 0 ] && grep -q 'already the newest' out || die "publish v3 again: $(cat out)"
# a store that cannot be written (root writes anyway: not checked there): the reason said, not bare DX_ERR_IO
if [ "$(id -u)" != 0 ]; then
    cp -r st stro && chmod -R a-w stro
    run publish --store stro app v1; [ $rc = 1 ] && grep -q 'cannot record the new version of app in stro: .*Permission denied' err ||
        die "publish into a read-only store: exit $rc: $(cat err)"
    chmod -R u+w stro && rm -rf stro
fi
# publishes of one name at once: each a version of its own (without a lock, each read the same history and
# the last to move the ref dropped the others' versions, all saying done)
for i in 1 2 3 4; do head -c 300000 /dev/urandom > "pp$i"; done
run publish --store stp pp pp1; [ $rc = 0 ] || die "publish pp1"
ppids=""
for i in 2 3 4; do "$ds" publish --store stp pp "pp$i" > "pp$i.out" 2>&1 & ppids="$ppids $!"; done
for p in $ppids; do wait "$p" || die "a publish at once with others failed: $(cat pp*.out)"; done
run publish --store stp pp pp1; [ $rc = 0 ] && grep -q 'version 5,' out || die "3 publishes at once: a version lost: $(cat out pp*.out)"
# patches between random data (as large as the data) are not kept (version 1 is version 5 again: none from it)
grep -q '; 0 patches, 3 not kept (no smaller than fetching the chunks)' out || die "patches of random data kept: $(cat out)"
step "published 3 versions of $src ($size bytes); 3 publishes of one name at once, none lost; --progress"
start_server st
S="127.0.0.1:$port"
mainport=$port mainpid=$spid
# a second server on the same port: refused (its listeners would share the port with the first's, SO_REUSEPORT)
# (timeout: a server that starts would not return)
timeout 60 "$ds" serve --store st --port "$port" > out 2> err; rc=$?
[ $rc = 1 ] && grep -q 'another server listens on the port' err || die "a second server on port $port: exit $rc: $(cat out err)"
# more connections than memory (each reserved up front; ulimit -v makes it sure): said so, with what to lower
(ulimit -v 4000000; timeout 60 "$ds" serve --store st --port 0 --workers 4 --max-connections 65536 > out 2> err); rc=$?
# (a sanitized build cannot run under ulimit -v: its shadow memory; not checked there)
grep -q 'Sanitizer\|ReserveShadowMemory' err ||
    { [ $rc = 1 ] && grep -q 'out of memory for 65536 connections in each of 4 workers' err; } || die "a server out of memory: exit $rc: $(cat out err)"
run get --server "$S" --cache c1 app out1 --progress; [ $rc = 0 ] && grep -q ': chunks,' out && cmp -s out1 v3 || die "first fetch: $(cat out)"
grep -Eq '^dx_sync: fetch +[0-9]+\.[0-9] / [0-9]+\.[0-9] MiB +100%' err || die "get --progress: no progress line in MiB: $(cat err)"
full=$(wire)
step "first fetch: chunks, $full bytes on the wire (a second server on its port refused)"
run get --server "$S" --cache c1 app out1; [ $rc = 0 ] && grep -q 'up to date (not modified)' out || die "304: $(cat out)"
[ "$(wire)" -lt 400 ] || die "NOT_MODIFIED took $(wire) bytes"
cmp -s out1 v3 || die "304 changed OUT"
step "the same again: not modified, $(wire) bytes on the wire"
run get --server "$S" --cache c1 -- app -out1; [ $rc = 0 ] && cmp -s ./-out1 v3 || die "get -- NAME -OUT: exit $rc: $(cat err)"
rm -f ./-out1
# OUT edited after the get (same size): its recorded root is not trusted, the edit is undone
flip out1 12345
run get --server "$S" --cache c1 app out1; [ $rc = 0 ] && grep -q ': chunks,' out && cmp -s out1 v3 || die "an edited OUT: $(cat out)"
run get --server "$S" --cache c1 app out1; [ $rc = 0 ] && grep -q 'up to date' out || die "304 after the repair: $(cat out)"
step "OUT edited in place after a get: noticed and repaired, then not modified"
# dx_sync 1's formats (SHA-256 names): its QUERY is refused by name, its store is refused before
# anything is written, its cache's record of OUT is not trusted
z32=$(printf '\\x00%.0s' $(seq 32))
exec {q1}<>"/dev/tcp/127.0.0.1/$port" || die "cannot connect to the server"
# HELLO (max payload 128 KiB + 64, 16 in flight), RPC 1 QUERY version 1 for "app", GOAWAY
printf "\x01\x00\x00\x00\x18\x00\x00\x00HBTP\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x40\x00\x02\x00\x10\x00\x00\x00\x04\x00\x01\x00\x2b\x00\x00\x00\x01\x00\x00\x00\x01\x00\x03\x00${z32}app\x0a\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00\x00" >&$q1
ans=$(timeout 60 grep -a -m1 -o 'protocol version 2 only' <&$q1)
exec {q1}<&-
[ "$ans" = 'protocol version 2 only' ] || die "a version 1 QUERY was not refused by name"
cp -r st st1
sed -i 's/^blake3-/sha256-/' st1/refs/app
sums() { find "$1" -type f -print0 | sort -z | xargs -0 md5sum; }
sums st1 > st1.before
run publish --store st1 app v1; [ $rc = 1 ] && grep -q 'as dx_sync 1 wrote it (format 1' err || die "publish into a format 1 store: exit $rc"
run serve --store st1 --port 0; [ $rc = 1 ] && grep -q 'format 1, SHA-256' err || die "serve of a format 1 store: exit $rc"
sums st1 | cmp -s - st1.before || die "a format 1 store was changed"
rm -rf st1
# a store whose packs are lost (the ref names a history the store lacks): damage, not a new name
cp -r st st1
rm -rf st1/packs
cp st1/refs/app app.ref
run publish --store st1 app v1; [ $rc = 1 ] && grep -q 'history of app in st1 does not read' err || die "publish over a lost history: exit $rc: $(cat out)"
cmp -s st1/refs/app app.ref || die "publish over a lost history moved the ref (the versions before it lost)"
rm -rf st1
# an outs line as dx_sync 1 wrote it (a bare root): not used, so OUT is read again and the line rewritten
for f in c1/outs/*; do sed -i 's/ blake3-\([0-9a-f]*\)$/ \1/' "$f"; done
grep -q ' blake3-' c1/outs/* && die "could not make a format 1 outs line"
run get --server "$S" --cache c1 app out1; [ $rc = 0 ] && grep -q 'up to date' out && cmp -s out1 v3 || die "a format 1 outs line: $(cat out)"
grep -q ' blake3-[0-9a-f]\{64\}$' c1/outs/* || die "the outs line was not rewritten"
step "dx_sync 1's QUERY refused by name, its store refused unchanged, its record of OUT not used; a lost history refused, not restarted"
cp v2 out2
# and the temporary OUT of a get killed by SIGKILL (its process gone): removed by this get, which says so
sleep 1000 & gone=$!; kill -KILL $gone; wait $gone 2>/dev/null || true
head -c 1000 v3 > "out2.tmp-$gone-0"
run get --server "$S" --cache c2 app out2; [ $rc = 0 ] && grep -q ': patch,' out && cmp -s out2 v3 || die "update: $(cat out)"
[ "$(wire)" -lt $((size / 20)) ] || die "the patch took $(wire) bytes of $size"
[ ! -e "out2.tmp-$gone-0" ] && grep -q "removed out2.tmp-$gone-0, left by an interrupted run" err || die "a killed get's temporary OUT: $(ls; cat err)"
step "an update from v2: patch, $(wire) bytes on the wire (a killed get's temporary OUT removed)"
# a cache that cannot take the patch's result (its file system full): the patch still makes OUT (it was refused
# as 'its result does not read back' and every chunk fetched again); the cache says it could not record it
if [ "$(id -u)" = 0 ] && mkdir cfull && mount -t tmpfs -o size=1m tmpfs cfull 2>/dev/null; then
    cleanup_mount() { umount "$dir/cfull" 2>/dev/null; cleanup; }
    trap cleanup_mount EXIT
    head -c 2000000 /dev/zero > cfull/fill 2>/dev/null
    cp v2 out6
    run get --server "$S" --cache cfull/c app out6
    umount cfull
    trap cleanup EXIT
    [ $rc = 0 ] && grep -q ': patch,' out && cmp -s out6 v3 || die "a full cache: exit $rc: $(cat out err)"
    grep -q 'out6 is updated, but the cache cfull/c could not record it: .*No space left on device' err || die "a full cache, not said: $(cat err)"
    step "a cache on a full file system: the patch still makes OUT, the cache's failure said"
else
    echo "SKIP a cache on a full file system: needs root and a tmpfs mount"
fi
# a client and a server built differently (DX_SYNC_PEER: run.sh's other build, with zstd where this one has none):
# a patch only where the client can apply it (a client without zstd asks with QUERY flag 8: the server offers a patch
# without zstd frames, else the chunks), never 'the patch failed'; both ways, from v2 (a small patch, stored plain)
# and from v3 to m4 (v3 and 100 kB of new text: a patch with zstd frames where the server has zstd)
if [ -n "${DX_SYNC_PEER:-}" ] && [ -x "$DX_SYNC_PEER" ]; then
    peer=$(realpath "$DX_SYNC_PEER") kinds=""
    { head -c 500000 v3; seq 1 15000 | sed 's/^/a new line of text, number /'; tail -c +500001 v3; } > m4
    for srv in "$peer" "$ds"; do
        if [ "$srv" = "$peer" ]; then cli=$ds; else cli=$peer; fi
        rm -rf mstore
        for v in v1 v2 v3 m4; do "$srv" publish --store mstore app "$v" > out 2> err || die "mixed builds: publish $v: $(cat err)"; done
        first_line "$srv" serve --store mstore --port 0 --workers 1
        mpid=$bg mport=$(sed -n 's/.* port \([0-9]*\),.*/\1/p' <<<"$line")
        for from in v2 v3; do
            rm -rf mc && cp "$from" mout
            "$cli" get --server "127.0.0.1:$mport" --cache mc app mout > out 2> err; rc=$?
            [ $rc = 0 ] && cmp -s mout m4 && grep -Eq '^app: (patch|chunks),' out && ! grep -q 'patch failed' err ||
                die "mixed builds ($srv serving, from $from): exit $rc: $(cat out err)"
            kinds="$kinds $(sed -n 's/^app: \([a-z]*\),.*/\1/p' out)"
        done
        kill "$mpid"; wait "$mpid" 2>/dev/null
    done
    step "mixed builds (with and without zstd, both ways, from v2 and v3):$kinds; no failed patch"
else
    echo "SKIP mixed builds: DX_SYNC_PEER not set, or not a program (run.sh sets it for its build without zstd)"
fi
cp v1 out3
run get --server "$S" --cache c3 app out3; [ $rc = 0 ] && grep -Eq ': (patch|chunks),' out && cmp -s out3 v3 || die "two behind: $(cat out)"
step "two versions behind: $(sed 's/^app: \([a-z ]*\),.*/\1/' out), $(wire) bytes on the wire"
head -c 2000000 /dev/urandom > out4
chmod 600 out4
run get --server "$S" --cache c4 app out4; [ $rc = 0 ] && grep -q ': chunks,' out && cmp -s out4 v3 || die "another file: $(cat out)"
[ "$(stat -c %a out4)" = 600 ] || die "OUT's mode was not kept"
step "OUT something else: chunks, $(wire) bytes, mode kept"
cp v2 out5
flip out5 5000
run get --server "$S" --cache c5 app out5; [ $rc = 0 ] && grep -q ': chunks,' out && cmp -s out5 v3 || die "edited v2: $(cat out)"
[ "$(wire)" -lt $((full / 2)) ] || die "an edited v2 fetched $(wire) bytes: its chunks were not reused"
step "OUT an edited v2 (no patch from it): chunks, $(wire) bytes (OUT's chunks reused)"
run get --server "$S" --cache c1 nosuch outx; [ $rc = 1 ] && grep -q 'no such name' err && [ ! -e outx ] || die "an unknown name"
ls out1.tmp-* >/dev/null 2>&1 && die "a temporary file was left"
step "an unknown name: exit 1, nothing written"
# standard output that cannot be written (a full disk): exit 1, and the message says OUT was updated all the same
if [ -w /dev/full ]; then
    "$ds" get --server "$S" --cache c1 app outfull > /dev/full 2> err; rc=$?
    [ $rc = 1 ] && grep -q 'outfull is updated, but standard output cannot be written' err && cmp -s outfull v3 ||
        die "standard output full: exit $rc: $(cat err)"
fi
# OUT's temporary file cannot be written whole (a full disk; here a file size limit): said in words, OUT as it
# was, nothing left; the patch is not blamed (no fallback to the chunks, which would not fit either)
cp v2 outf
(ulimit -f 1000; run get --server "$S" --cache c8 app outf; exit $rc); rc=$?
[ $rc = 1 ] && grep -q 'cannot write outf.tmp-.*: File too large: outf is as it was' err || die "OUT over a file size limit: exit $rc: $(cat err)"
grep -q 'patch failed' err && die "OUT over a file size limit: blamed on the patch"
cmp -s outf v2 || die "OUT over a file size limit: OUT changed"
ls outf.tmp-* >/dev/null 2>&1 && die "OUT over a file size limit: a temporary file was left"
step "OUT's temporary file over a file size limit (a full disk): exit 1 in words, OUT as it was, nothing left"
# the server by name; OUT a symbolic link: the file it names is updated, the link stays; a refused connection in words
mkdir lk && cp v2 lk/real && ln -s lk/real olink && ln -s lk/missing dlink
run get --server "localhost:$port" --cache c7 app olink; [ $rc = 0 ] && [ -L olink ] && cmp -s lk/real v3 || die "OUT a link, the server by name: $(cat out)"
run get --server "localhost:$port" --cache c7 app olink; [ $rc = 0 ] && grep -q 'up to date' out || die "the link's file was not recorded: $(cat out)"
ls lk/real.tmp-* olink.tmp-* >/dev/null 2>&1 && die "a temporary file was left"
run get --server "$S" --cache c7 app dlink; [ $rc = 1 ] && grep -q 'symbolic link' err && [ -L dlink ] && [ ! -e lk/missing ] || die "a link to nothing: exit $rc"
run get --server 127.0.0.1:1 --cache c7 app outr; [ $rc = 1 ] && grep -q 'connection refused' err && [ ! -e outr ] || die "a refused connection: exit $rc"
run get --server no-such-host.invalid:1 --cache c7 app outr; [ $rc = 1 ] && grep -q 'cannot find no-such-host.invalid' err || die "an unknown host: exit $rc"
step "the server by name (localhost), OUT a symbolic link (its file updated, the link kept), a refused connection and an unknown host said in words"
# OUT in a folder that cannot take it: said of OUT and its folder, before any server is asked (port 1: none)
touch notdir
run get --server 127.0.0.1:1 --cache c7 app nodir/out; [ $rc = 1 ] && grep -q 'cannot create nodir/out: nodir does not exist$' err || die "OUT in a missing folder: exit $rc"
run get --server 127.0.0.1:1 --cache c7 app notdir/out; [ $rc = 1 ] && grep -q 'cannot create notdir/out: notdir is not a folder$' err || die "OUT under a file: exit $rc"
[ ! -e nodir ] || die "a get into a missing folder made it"
step "OUT in a missing folder or under a file: said of OUT and its folder (exit 1) before the server is asked"

# --- 3. damaged patches ---
# a patch of several chunks too (200 scattered edits of 500 random bytes: about 100 KB), so that reads are
# still in flight when the first damaged one is found
head -c 3000000 /dev/urandom > m1
cp m1 m2
for i in $(seq 1 200); do head -c 500 /dev/urandom | dd of=m2 bs=500 seek=$((i * 28)) conv=notrunc status=none; done
run publish --store st multi m1; [ $rc = 0 ] || die "publish m1"
run publish --store st multi m2; [ $rc = 0 ] || die "publish m2"
pbytes=$(sed -n 's/.*patch (\([0-9]*\) B).*/\1/p' out)
[ -n "$pbytes" ] && [ "$pbytes" -gt 70000 ] || die "the multi-chunk patch is $pbytes bytes: $(cat out)"
start_server st --corrupt-patches
cp v2 out6
run get --server "127.0.0.1:$port" --cache c6 app out6
[ $rc = 0 ] && grep -q 'chunks after a failed patch' out && grep -q 'damaged on the way' err && cmp -s out6 v3 || die "damaged patch: $(cat out)"
cp m1 out6m
run get --server "127.0.0.1:$port" --cache c6m multi out6m
[ $rc = 0 ] && grep -q 'chunks after a failed patch' out && cmp -s out6m m2 || die "damaged patch of several chunks: $(cat out)"
stop_server
step "every patch chunk damaged (a patch of one chunk, and one of $pbytes bytes): detected, the chunks instead, OUT right"
# a peer that does not speak HBTP (here the server's HELLO damaged on the way), and a server whose store does
# not read (a ref emptied): said in words, not as a code name ("DX_ERR_UNKNOWN", "the server answered an error")
start_proxy "$mainport" --flip-at 8
run get --server "127.0.0.1:$pport" --cache c9 app outp
[ $rc = 1 ] && grep -q "not dx_sync's protocol (HBTP)" err && [ ! -e outp ] || die "a peer that is not HBTP: exit $rc: $(cat err)"
stop_proxy
cp -r st st2
: > st2/refs/app
start_server st2
run get --server "127.0.0.1:$port" --cache c9 app outp
[ $rc = 1 ] && grep -q 'the server cannot read its store' err && [ ! -e outp ] || die "a store that does not read: exit $rc: $(cat err)"
stop_server
rm -rf st2
# a server at its --max-connections (one, held by a connection that says nothing): the refusal said in words
start_server st --workers 1 --max-connections 1
exec {hold}<>"/dev/tcp/127.0.0.1/$port" || die "cannot connect to the server"
run get --server "127.0.0.1:$port" --cache c9 app outp
exec {hold}<&-
[ $rc = 1 ] && grep -q 'refused the connection (busy' err && [ ! -e outp ] || die "a busy server: exit $rc: $(cat err)"
stop_server
step "a peer that is not HBTP and a server whose store does not read, a busy one: exit 1, said in words"

# --- 4. the connection dropped at many points ---
head -c $((24 << 20)) /dev/urandom > big1
cp big1 big2
head -c 1000 /dev/urandom | dd of=big2 bs=1000 seek=100 conv=notrunc status=none
run publish --store stb big big1; [ $rc = 0 ] || die "publish big1"
run publish --store stb big big2 --patches 0; [ $rc = 0 ] || die "publish big2"
start_server stb
bigport=$port bigpid=$spid
n=0
for cut in 1000 100000 1000000 5000000 9000000 13000000 17000000 21000000 24500000; do
    start_proxy "$bigport" --cut-after "$cut"
    rm -rf cb
    head -c 5000000 /dev/urandom > bout
    cp bout bout.before
    run get --server "127.0.0.1:$pport" --cache cb big bout
    if [ $rc = 0 ]; then cmp -s bout big2 || die "cut at $cut: exit 0 and OUT wrong"
    else cmp -s bout bout.before || die "cut at $cut: failed and OUT changed"; fi
    first=$rc
    stop_proxy
    run get --server "127.0.0.1:$bigport" --cache cb big bout; [ $rc = 0 ] && cmp -s bout big2 || die "after the cut at $cut: $(cat out)"
    # what came before the cut is in the cache: not fetched again
    # (a reset connection loses what the kernel held unread: up to a pipeline of chunks)
    [ "$first" = 0 ] || [ "$cut" -lt 2000000 ] || [ "$(wire)" -lt $(((24 << 20) - cut / 4)) ] ||
        die "after the cut at $cut the get fetched $(wire) bytes: what came before was fetched again"
    n=$((n + 1))
done
step "connection dropped at $n points: OUT old or new; the next get finished, fetching less than the whole"
# the network goes silent mid-transfer (the proxy forwards nothing more, both sockets open): the get gives up
# after --timeout with OUT as it was (none here), and the next one fetches the rest
start_proxy "$bigport" --stall-after 3000000
rm -rf cs sout
run get --timeout 1 --server "127.0.0.1:$pport" --cache cs big sout
[ $rc = 1 ] && grep -q 'timed out' err && [ ! -e sout ] || die "a silent network: exit $rc"
ls sout.tmp-* >/dev/null 2>&1 && die "a silent network: a temporary file was left"
stop_proxy
run get --server "127.0.0.1:$bigport" --cache cs big sout; [ $rc = 0 ] && cmp -s sout big2 || die "after a silent network: $(cat out)"
[ "$(wire)" -lt $((24 << 20)) ] || die "after a silent network the get fetched $(wire) bytes: the whole again"
step "a network silent mid-transfer: the get gave up after --timeout 1, OUT as it was; the next fetched the rest ($(wire) bytes)"
# the get stopped by SIGTERM (or Ctrl-C) while OUT's temporary file is written: it goes, OUT stays as it was
# (OUT shares no chunk with the new version: the whole is fetched, and the proxy stalls it after 3 MB with the
# temporary file there; an OUT that held big1 would be patched from its own chunks in a moment: a race)
start_proxy "$bigport" --stall-after 3000000
head -c 100000 /dev/urandom > tout; cp tout tout.was
"$ds" get --server "127.0.0.1:$pport" --cache ct big tout > term.out 2> term.err &
tpid=$!
for _ in $(seq 1 60000); do ls tout.tmp-* >/dev/null 2>&1 && break; done
ls tout.tmp-* >/dev/null 2>&1 || die "SIGTERM: no temporary file appeared"
kill -TERM "$tpid"
st=0; wait "$tpid" || st=$?
[ "$st" = 143 ] || die "SIGTERM: the get exited $st, not 143 (killed by SIGTERM)"
ls tout.tmp-* >/dev/null 2>&1 && die "SIGTERM: the temporary file was left: $(ls tout.tmp-*)"
cmp -s tout tout.was || die "SIGTERM: OUT changed"
stop_proxy
step "a get stopped by SIGTERM mid-transfer: its temporary file removed, OUT as it was"
# a cache that cannot be written (read-only; root writes anyway: not checked there): OUT is still updated, with a
# warning (a manifest of more than 1,024 chunks, written into the cache as it grows, failed the get in words of
# DX_ERR_IO)
if [ "$(id -u)" != 0 ]; then
    run get --server "127.0.0.1:$bigport" --cache cro nosuch rout0; [ $rc = 1 ] && [ -d cro ] || die "an empty cache: $(cat err)"
    chmod -R a-w cro
    run get --server "127.0.0.1:$bigport" --cache cro big rout0
    chmod -R u+w cro
    [ $rc = 0 ] && cmp -s rout0 big2 && grep -q 'could not record it' err || die "a read-only cache: exit $rc: $(cat err)"
    step "a read-only cache: OUT updated, the cache's failure a warning"
fi

# --- 5. a byte flipped on the way ---
# into an update by patch (OUT = v2, some 16 KB on the wire) and into a first fetch (chunks, compressed or not)
n=0 ok=0
for case in "v2:3 9 20 40 100 200 300 500 700 1000 2000 3000 5000 8000 12000 15000" \
            "none:600 5000 70000 300000 700000 1000000 1500000 2000000"; do
    base=${case%%:*}
    for at in ${case#*:}; do
        start_proxy "$mainport" --flip-at "$at"
        rm -rf cf fout
        [ "$base" = none ] || cp "$base" fout
        run get --server "127.0.0.1:$pport" --cache cf app fout
        if [ $rc = 0 ]; then cmp -s fout v3 || die "a byte flipped at $at ($base): exit 0 and OUT wrong"; ok=$((ok + 1))
        elif [ "$base" = none ]; then [ ! -e fout ] || die "a byte flipped at $at: failed and OUT was made"
        else cmp -s fout "$base" || die "a byte flipped at $at: failed and OUT changed"; fi
        ls fout.tmp-* >/dev/null 2>&1 && die "a byte flipped at $at: a temporary file was left"
        stop_proxy
        n=$((n + 1))
    done
done
step "a byte flipped at $n offsets: $ok recovered, $((n - ok)) refused with OUT as it was; never a wrong OUT"

# --- 6. the server killed mid-transfer ---
spid=$bigpid
for k in 1 2 3 4; do
    rm -rf "ck$k"
    cp big1 "kout$k"
done
kpids=""
for k in 1 2 3 4; do
    "$ds" get --server "127.0.0.1:$bigport" --cache "ck$k" big "kout$k" > "kill$k.out" 2> "kill$k.err" &
    kpids="$kpids $!"
done
# kill the server once a client has begun to fill its cache (a watchdog of 60 s)
for _ in $(seq 1 60000); do
    [ -n "$(find ck1/tmp ck2/tmp ck3/tmp ck4/tmp -type f 2>/dev/null | head -n 1)" ] && break
done
{ kill -9 "$spid"; wait "$spid"; } 2>/dev/null
for p in $kpids; do wait "$p"; done
for k in 1 2 3 4; do
    cmp -s "kout$k" big1 || cmp -s "kout$k" big2 || die "client $k: OUT neither old nor new after the kill"
done
start_server stb
for k in 1 2 3 4; do
    run get --server "127.0.0.1:$port" --cache "ck$k" big "kout$k"; [ $rc = 0 ] && cmp -s "kout$k" big2 || die "client $k after the restart: $(cat out)"
done
stop_server
step "server killed while 4 clients fetched: OUT old or new; after a restart every get finished"

# --- 7. many clients at once ---
cpids=""
for k in $(seq 1 "$CLIENTS"); do
    case $((k % 3)) in 0) cp v1 "m$k" ;; 1) cp v2 "m$k" ;; *) : ;; esac
    "$ds" get --server "127.0.0.1:$mainport" --cache "mc$k" app "m$k" > "m$k.out" 2> "m$k.err" &
    cpids="$cpids $!"
done
failed=0
for p in $cpids; do wait "$p" || failed=$((failed + 1)); done
[ $failed = 0 ] || die "$failed of $CLIENTS clients failed: $(cat m*.err | sort | uniq -c | head -n 5)"
for k in $(seq 1 "$CLIENTS"); do cmp -s "m$k" v3 || die "client $k of $CLIENTS: OUT wrong"; done
step "$CLIENTS clients at once: every OUT right ($(grep -l ': patch,' m*.out | wc -l) by patch, $(grep -l ': chunks,' m*.out | wc -l) by chunks)"

# --- 8. publish while clients fetch ---
cp v3 v4
head -c 5000 /dev/urandom | dd of=v4 bs=5000 seek=20 conv=notrunc status=none
cpids=""
for k in $(seq 1 20); do
    cp v2 "p$k"
    "$ds" get --server "127.0.0.1:$mainport" --cache "pc$k" app "p$k" > "p$k.out" 2> "p$k.err" &
    cpids="$cpids $!"
done
run publish --store st app v4; [ $rc = 0 ] || die "publish v4 during the gets"
for p in $cpids; do wait "$p" || die "a get during the publish failed"; done
for k in $(seq 1 20); do cmp -s "p$k" v3 || cmp -s "p$k" v4 || die "client $k during the publish: neither v3 nor v4"; done
run get --server "127.0.0.1:$mainport" --cache pc1 app p1; [ $rc = 0 ] && cmp -s p1 v4 || die "after the publish: $(cat out)"
step "publish during 20 gets: each got v3 or v4 whole; then v4"
# --- 9. the cache's quota ---
for q in 1 2 3; do head -c 3000000 /dev/urandom > "q$q"; done
run publish --store stq qq q1; [ $rc = 0 ] || die "publish q1"
start_server stq
Q="127.0.0.1:$port"
run get --server "$Q" --cache cq --cache-quota 7M qq qa; [ $rc = 0 ] && cmp -s qa q1 || die "quota: q1: $(cat out)"
run publish --store stq qq q2; [ $rc = 0 ] || die "publish q2"
run get --server "$Q" --cache cq --cache-quota 7M qq qa; [ $rc = 0 ] && cmp -s qa q2 || die "quota: q2: $(cat out)"
grep -q evicted out && die "quota: evicted below the quota: $(cat out)"
run publish --store stq qq q3; [ $rc = 0 ] || die "publish q3"
run get --server "$Q" --cache cq --cache-quota 7M qq qa; [ $rc = 0 ] && cmp -s qa q3 || die "quota: q3: $(cat out)"
grep -q '1 older version evicted' out || die "quota: q1 not evicted at 9 MB of 7: $(cat out)"
kb=$(du -sk --apparent-size cq/objects cq/packs | awk '{s += $1} END {print s}')
[ "$kb" -le 7200 ] || die "quota: the cache holds $kb KiB, over 7M"
run get --server "$Q" --cache cq --cache-quota 1K qq qa; [ $rc = 0 ] && grep -q 'up to date' out || die "quota: 304: $(cat out)"
run get --server "$Q" --cache cq --cache-quota 1K qq qc; [ $rc = 0 ] && cmp -s qc q3 || die "quota: a second OUT: $(cat out)"
grep -q '1 older version evicted' out || die "quota: q2 not evicted at a quota of 1K: $(cat out)"
rm -f qc
run get --server "$Q" --cache cq --cache-quota 1K qq qc; [ $rc = 0 ] && cmp -s qc q3 || die "quota: after the eviction: $(cat out)"
grep -q '3000000 from the cache' out || die "quota: the version OUT holds was evicted: $(cat out)"
# an OUT dx_sync wrote (its root recorded, OUT not read before the answer): a patch, and a damaged one
head -c 2000000 /dev/urandom > r1
cp r1 r2; printf 'edit' | dd of=r2 bs=1 seek=777777 conv=notrunc status=none
cp r2 r3; printf 'more' | dd of=r3 bs=1 seek=1500000 conv=notrunc status=none
run publish --store stq rq r1; [ $rc = 0 ] || die "publish r1"
run get --server "$Q" --cache cr rq rout; [ $rc = 0 ] && cmp -s rout r1 || die "recorded OUT: r1: $(cat out)"
run publish --store stq rq r2; [ $rc = 0 ] || die "publish r2"
run get --server "$Q" --cache cr rq rout; [ $rc = 0 ] && grep -q ': patch,' out && cmp -s rout r2 || die "recorded OUT: patch to r2: $(cat out)"
run publish --store stq rq r3; [ $rc = 0 ] || die "publish r3"
stop_server
start_server stq --corrupt-patches
run get --server "127.0.0.1:$port" --cache cr rq rout
[ $rc = 0 ] && grep -q 'chunks after a failed patch' out && cmp -s rout r3 || die "recorded OUT: damaged patch to r3: $(cat out)"
stop_server
step "cache quota: the oldest version evicted over 7M ($kb KiB kept), never the one OUT holds (q3 then all from the cache); a recorded OUT patched, and a damaged patch to it replaced by chunks"

# --- 10. the release before QUERY flag 2 (a patch inline), both ways ---
# A client of today asks with flag 2: that server answers BAD_REQUEST, and the client asks again
# without it and gets the patch by READ; that release's client reads today's offers (one field more).
repo=$(cd "$here/.." && pwd)
# release COMMIT BIN: dx_sync as it was at COMMIT, built into BIN as DX_SYNC is, with zstd or without (a
# store one writes with zstd, the other cannot read); false, saying why, outside a checkout holding it
release() {
    if ! git -C "$repo" cat-file -e "$1^{commit}" 2>/dev/null; then
        echo "SKIP dx_sync-release-$1: $repo is not a git checkout holding commit $1"
        return 1
    fi
    local zstd_flag=""
    rm -rf rel && mkdir rel && git -C "$repo" archive "$1" | tar -x -C rel || die "git archive $1"
    "$ds" --version | grep -q 'zstd [0-9]' || zstd_flag="ZSTD=0"
    # shellcheck disable=SC2046,SC2086 # the flags are words
    gcc -O2 -Irel -o "$2" rel/examples/dx_sync/dx_sync.c $(make -s --no-print-directory -C rel example-flags-dx_sync $zstd_flag) -lpthread ||
        die "cannot build dx_sync at $1"
}
# both_ways BIN: v2 -> v4 (st's newest, section 8) by a patch, three ways, each OUT checked: today's
# client from BIN's server (its bytes on the wire in old_wire), BIN's client from today's server
# (old_client_wire), and today's both (new_wire); today's server left running on st
both_ways() {
    first_line "$1" serve --store st --port 0 --workers 1
    opid=$bg oport=$(sed -n 's/.* port \([0-9]*\),.*/\1/p' <<<"$line")
    rm -rf w1 w2 w3 cw1 cw2 cw3 && cp v2 w1 && cp v2 w2 && cp v2 w3
    run get --server "127.0.0.1:$oport" --cache cw1 app w1
    [ $rc = 0 ] && grep -q ': patch,' out && cmp -s w1 v4 || die "today's client, the server of $old: $(cat out err)"
    old_wire=$(wire)
    kill "$opid"; wait "$opid" 2>/dev/null
    start_server st
    "$1" get --server "127.0.0.1:$port" --cache cw2 app w2 > out 2> err; rc=$?
    [ $rc = 0 ] && grep -q ': patch,' out && cmp -s w2 v4 || die "the client of $old, today's server: $(cat out err)"
    old_client_wire=$(wire)
    run get --server "127.0.0.1:$port" --cache cw3 app w3
    [ $rc = 0 ] && grep -q ': patch,' out && cmp -s w3 v4 || die "today's client and server: $(cat out err)"
    new_wire=$(wire)
}
old=141b56a # main before flag 2: the same wire and store format 2 otherwise
if release "$old" "$B/dx_sync_old"; then
    both_ways "$B/dx_sync_old"
    [ "$new_wire" -lt "$old_wire" ] || die "the patch inline saved nothing: $new_wire bytes on the wire, $old_wire by READ"
    inline_wire=$new_wire
    # a first fetch from a store that release wrote (no chunks kept compressed: its history's versions have
    # two fields fewer) and from today's: with zstd, today's store sends fewer bytes
    rm -rf ia ib
    "$B/dx_sync_old" publish --store sto app v4 > out 2> err || die "that release's publish: $(cat out err)"
    run get --server "127.0.0.1:$port" --cache cfn app ib
    [ $rc = 0 ] && cmp -s ib v4 || die "a first fetch from today's store: $(cat out err)"
    new_first=$(wire)
    stop_server
    start_server sto
    run get --server "127.0.0.1:$port" --cache cfo app ia
    [ $rc = 0 ] && cmp -s ia v4 || die "today's server, a store that release wrote: $(cat out err)"
    old_first=$(wire)
    if "$ds" --version | grep -q 'zstd [0-9]'; then
        [ "$new_first" -lt $((old_first - old_first / 20)) ] ||
            die "chunks kept compressed saved under 5% of a first fetch: $new_first bytes, $old_first from a store without"
    fi
    stop_server
    step "the release before a patch inline ($old): its server answers today's client (asked again without flag 2), its client reads today's offers, today's server its store; a patch inline: $inline_wire bytes on the wire, $old_wire by READ; a first fetch $new_first bytes, $old_first from its store (no chunks kept compressed)"
fi

# --- 11. the release before QUERY flag 4 (an offer compressed), both ways ---
# A client of today asks with flag 4: that server answers BAD_REQUEST, and the client asks again
# without it; that release's client never asks for it, and today's server answers it as before.
old=965256a # main before flag 4
if release "$old" "$B/dx_sync_old4"; then
    both_ways "$B/dx_sync_old4"
    if "$ds" --version | grep -q 'zstd [0-9]'; then
        [ "$new_wire" -lt "$old_client_wire" ] ||
            die "the offer compressed saved nothing: $new_wire bytes on the wire, $old_client_wire without"
    fi
    stop_server
    step "the release before an offer compressed ($old): its server answers today's client (asked again without flag 4: $old_wire bytes), its client today's server ($old_client_wire bytes); today's both: $new_wire bytes"
fi
spid=$mainpid
stop_server
echo "dx_sync: all passed ($CLIENTS clients)"
