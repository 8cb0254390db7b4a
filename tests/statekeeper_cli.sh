#!/usr/bin/env bash
# tests/statekeeper_cli.sh STATEKEEPER - the statekeeper example as a user runs it:
#  1. a Unix tool: --help, --version, bad usage (exit 2), read-only commands never make a store
#  2. round trips: nested folders, empty files and folders, symlinks (relative, absolute, dangling, to a folder
#     outside DIR: kept as links, never followed), permissions, times, names with spaces; renames, deletes,
#     insertions (deltas in shift mode) in a file of several segments; every version restored byte-identical
#     with its times and modes; restore never writes through a symlink out of DIR (a folder or a file)
#  2b. a file rewritten (all A, all B) during captures is never stored half-old half-new
#  2c. the local copy of a large file's last version (--copy-min): diffed against, a spoilt one and one cut
#     short by a SIGKILL not used, every version restored byte-identical (the latest from the copy, its
#     chunks cut where its chunk list says; from the store past a spoilt copy or a list that lies), copies
#     of deleted files removed
#  2d. progress lines (--progress); a capture SIGKILLed after its first progress line: verify ok, the latest
#     version restores byte-identical (the state before or after)
#  3. a history of STATEKEEPER_VERSIONS versions of random edits, each restored byte-identical; gc --keep
#  4. a damaged store: verify reports it, restore writes nothing wrong
#  5. permission-denied files reported and skipped (as nobody, by setpriv or runuser, when run as root), exit 3
#  6. a sparse file of STATEKEEPER_BIG_MIB MiB (0 skips), peak memory of capture, restore, verify and gc
#     under STATEKEEPER_MAX_RSS_KB
#     (default 65536; empty: not checked, for sanitizer builds)
#  7. sqlite3 as PROGRAM under 'statekeeper run': writes, killed (program SIGKILL, statekeeper SIGKILL,
#     SIGTERM forwarded) and restarted into an empty folder; integrity_check ok and the captured rows there
#  7b. run: a folder made after the start is watched too, with inotify, with --poll, without inotify
#     (STATEKEEPER_TEST_INOTIFY=none: the scan that replaces it) and past the watch limit
#     (STATEKEEPER_TEST_INOTIFY=1); a symlink to a folder outside DIR is neither watched nor followed
#  8. STATEKEEPER_KILL_ROUNDS captures killed with SIGKILL at a random step (STATEKEEPER_TEST_KILL_AT),
#     each followed by verify --quick and a restore of the latest version that must equal the state before
#     or after that capture (a full verify every 25 rounds, gc --keep 20 every 50)
# The defaults are the counts issue 17 asks for (about half an hour at -O2 on a loaded 2-core machine):
#   STATEKEEPER_VERSIONS=50 STATEKEEPER_BIG_MIB=4096 STATEKEEPER_KILL_ROUNDS=1000 STATEKEEPER_DB_KB=5000
# (STATEKEEPER_DB_KB: the database of the history and of the killed captures). make test (tests/run.sh) runs
# smaller counts and says which on the last line; STATEKEEPER_FULL=1 make test runs these.
# No sleeps: the test waits for the lines statekeeper prints (read -t is only a watchdog).
# Prints one line per step; exits non-zero at the first failure.
set -u
sk=$(realpath "$1")
dir=$(mktemp -d)
pids=""
cleanup() {
    local p
    for p in $pids; do kill -9 "$p" 2>/dev/null; done
    chmod -R u+rwx "$dir" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT
cd "$dir" || exit 1
step() { echo "statekeeper: $*"; }
die() { echo "statekeeper: FAIL: $*" >&2; exit 1; }
run() { "$sk" "$@" > out 2> err; rc=$?; }
# the tree as "path type mode mtime [target]" lines, and the files' bytes
listing() { (cd "$1" && find . -mindepth 1 -printf '%P %y %m %T@ %l\n' | LC_ALL=C sort); }
same_tree() { # A B WHAT
    diff -r --no-dereference "$1" "$2" > /dev/null || die "$3: contents differ: $(diff -r --no-dereference "$1" "$2" | head -n 5)"
    [ "$(listing "$1")" = "$(listing "$2")" ] || die "$3: modes or times differ: $(diff <(listing "$1") <(listing "$2") | head -n 6)"
}
rnd() { head -c "$1" /dev/urandom; }
VERSIONS=${STATEKEEPER_VERSIONS:-50}
MIB=${STATEKEEPER_BIG_MIB:-4096}
ROUNDS=${STATEKEEPER_KILL_ROUNDS:-1000}
DB=$(( ${STATEKEEPER_DB_KB:-5000} * 1000 ))
MAXRSS=${STATEKEEPER_MAX_RSS_KB-65536}
counts="STATEKEEPER_VERSIONS=$VERSIONS STATEKEEPER_BIG_MIB=$MIB STATEKEEPER_KILL_ROUNDS=$ROUNDS STATEKEEPER_DB_KB=$((DB / 1000))"
# poke N OFFSET FILE: N random bytes written at OFFSET
poke() { rnd "$1" | dd of="$3" bs="$1" seek="$2" oflag=seek_bytes conv=notrunc status=none; }
# flip FILE AT: the byte at AT made another (its low bit turned)
flip() {
    local v
    v=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    printf "\\$(printf '%03o' $((v ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# --- 1. a Unix tool ---
run --help
[ $rc -eq 0 ] && grep -q '^usage: statekeeper' out && [ ! -s err ] || die "--help: rc $rc"
grep -q '^exit status: 0 ok' out || die "--help lists no exit codes"
run --version
[ $rc -eq 0 ] && grep -Eq '^statekeeper \(dx\) dx_cas\.h [0-9.]+, dx_patch\.h [0-9.]+, dx_teleport\.h [0-9.]+, dx_reactor\.h [0-9.]+' out || die "--version: $(cat out err)"
step "--help, --version ($(cat out)): ok"
for bad in "" "frob --store st" "capture --store st" "capture --state d" "restore --store st" "log --store st extra" \
           "gc --store st" "log --store st --keep 3" "run --store st --state d" "capture --store st --state d -- ls" \
           "verify --store st --bogus" "gc --store st --keep 0" "run --store st --state d --interval x -- true" \
           "restore --store st --version abc d" "restore --store st --version 0 d" "capture --store st --state d --full-every 0" \
           "capture --store st --state d --copy-min x" "run --store st --state d --quiet-ms 1x -- true" \
           "restore --store st -- d e" "log --store st -- extra"; do
    # shellcheck disable=SC2086 # each line is a list of arguments
    run $bad
    [ $rc -eq 2 ] && grep -q '^usage: statekeeper' err || die "bad usage '$bad': rc $rc, $(cat err)"
done
[ ! -e st ] && [ ! -e d ] || die "a usage error made a store or a folder"
for cmd in log verify stats "gc --keep 1" "restore x"; do
    # shellcheck disable=SC2086
    run $cmd --store st
    [ $rc -eq 1 ] && grep -q 'not a statekeeper store' err || die "$cmd on a missing store: rc $rc, $(cat err)"
done
[ ! -e st ] || die "a read-only command made a store"
step "bad usage exits 2 with the usage line; log, verify, stats, gc, restore on a missing store exit 1 and make none"

# --- 2. round trips of every kind of entry and change ---
mkdir -p s/a/b/c s/emptydir "s/with space"
rnd 9500000 > s/big            # three segments of 4 MiB
rnd 70000 > s/a/b/c/deep
: > s/empty
echo hello > "s/with space/x y"
printf '#!/bin/sh\necho hi\n' > s/a/run.sh; chmod 755 s/a/run.sh
ln -s ../big s/a/rel; ln -s /etc/passwd s/abs; ln -s nowhere s/dangling
# links to a folder outside s, absolute and relative: kept as links, never walked into
mkdir -p outtree/inner; echo "outside $$" > outtree/inner/secret; ln -s "$dir/outtree" s/outdir; ln -s ../../outtree s/a/upout
chmod 600 s/empty; chmod 750 s/a/b
touch -d '2001-02-03 04:05:06.123456789' s/big s/a/run.sh; touch -h -d '1999-01-01 00:00:01' s/abs
run capture --store S --state s --no-sync
[ $rc -eq 0 ] && grep -q 'captured version 1 ' err || die "capture 1: rc $rc, $(cat err)"
cp err cap1; cp -a s v1
run restore --store S r1 --no-sync; [ $rc -eq 0 ] || die "restore 1: $(cat err)"
counted=$(sed -n 's/.*captured version 1 [^:]*: \([0-9]* files, [0-9]* bytes\).*/\1/p' cap1)
grep -q "restored version 1 into r1: $counted," err || die "restore and capture count differently: $(cat cap1 err)"
same_tree v1 r1 "version 1"
run restore --store S --no-sync -- -r1; [ $rc -eq 0 ] || die "restore -- -r1 (a DIR that starts with -): rc $rc, $(cat err)"
same_tree v1 ./-r1 "version 1 restored after --"; rm -rf ./-r1
[ "$(readlink r1/abs)" = /etc/passwd ] && [ -L r1/dangling ] || die "symlinks were not kept as links"
[ "$(readlink r1/outdir)" = "$dir/outtree" ] && [ "$(readlink r1/a/upout)" = ../../outtree ] || die "links to an outside folder were not kept as links"
nfiles=$(find s -type f -o -type l | wc -l)
grep -q "captured version 1 [^:]*: $nfiles files, " cap1 && ! find r1 -name secret | grep -q . || die "capture followed a link out of s: $(cat cap1) ($nfiles files and links there)"
# changes: bytes overwritten in two segments, 1000 bytes inserted in the middle (shift), appended; renames,
# deletes, a new nested folder, a changed link, a mode change, a file that became empty
python3 - <<'EOF'
import os
p = 's/big'
b = bytearray(open(p, 'rb').read())
b[100:110] = b'0123456789'
b[6000000:6000004] = b'abcd'
b = b[:5000000] + os.urandom(1000) + b[5000000:] + os.urandom(3000)
open(p, 'wb').write(b)
EOF
mv s/a/b/c/deep s/a/moved; rm -rf "s/with space"; mkdir -p s/new/er; echo new > s/new/er/file
rm s/a/rel; ln -s ../../big s/a/rel; chmod 700 s/a/run.sh; echo x > s/empty; : > s/a/moved2
run capture --store S --state s --no-sync
[ $rc -eq 0 ] && grep -q 'captured version 2 ' err || die "capture 2: rc $rc, $(cat err)"
grep -q ' 1 as deltas' err || die "the changed big file was not stored as a delta: $(cat err)"
delta=$(sed -n 's/.* as deltas of \([0-9]*\) bytes.*/\1/p' err)
[ "$delta" -lt 20000 ] || die "the delta of 4 small changes and a 1000-byte insertion is $delta bytes"
cp -a s v2
run capture --store S --state s --no-sync
[ $rc -eq 0 ] && grep -q 'unchanged since version 2' err || die "an unchanged folder made a version: $(cat err)"
for v in 1 2; do
    run restore --store S --version $v rv$v --no-sync; [ $rc -eq 0 ] || die "restore $v: $(cat err)"
    same_tree v$v rv$v "version $v"
done
# over an existing folder: each file replaced, atomically
run restore --store S --version 1 r1 --no-sync; [ $rc -eq 0 ] || die "restore over the same version: $(cat err)"
grep -q "; $nfiles replaced what had that name" err || die "restore over a folder did not say it replaced its $nfiles files: $(cat err)"
same_tree v1 r1 "restore over an identical folder"
run verify --store S; [ $rc -eq 0 ] && grep -q ' 0 problems' out || die "verify: $(cat out err)"
# over a folder where one of the version's folders is a symlink out of it: refused, nothing written outside
mkdir -p evil outside; ln -s ../outside evil/a
run restore --store S --version 1 evil --no-sync
[ $rc -eq 1 ] && grep -q 'cannot restore folder evil/a: something else has that name' err || die "restore through a symlinked folder: rc $rc, $(cat err)"
[ -z "$(ls -A outside)" ] || die "restore wrote through a symlink out of DIR: $(ls -A outside)"
# over a folder where one of the version's files is a symlink to a file outside: the link is replaced, not followed
mkdir -p evil2; echo keep > outside/victim; ln -s ../outside/victim evil2/big
run restore --store S --version 1 evil2 --no-sync; [ $rc -eq 0 ] || die "restore over a symlinked file: rc $rc, $(cat err)"
[ ! -L evil2/big ] && cmp -s evil2/big v1/big && [ "$(cat outside/victim)" = keep ] || die "restore wrote through a symlinked file out of DIR"
# over a folder where a file of the version comes after others and is a folder there: refused before the first
# write (the files before it untouched), and so is a file where the version has a folder
mkdir -p conflict/"with space/x y" conflict2; echo mine > conflict/big; echo mine > conflict2/big; echo mine > conflict2/a
run restore --store S --version 1 conflict --no-sync
[ $rc -eq 1 ] && grep -q 'x y: a folder has that name' err && grep -q 'nothing was written' err || die "restore over a folder where a file goes: rc $rc, $(cat err)"
[ "$(cat conflict/big)" = mine ] && [ "$(ls -A conflict)" = "$(printf 'big\nwith space')" ] || die "a refused restore wrote: $(ls -A conflict)"
run restore --store S --version 1 conflict2 --no-sync
[ $rc -eq 1 ] && grep -q 'cannot restore folder conflict2/a: something else' err || die "restore over a file where a folder goes: rc $rc, $(cat err)"
[ "$(cat conflict2/big)" = mine ] && [ "$(ls -A conflict2)" = "$(printf 'a\nbig')" ] || die "a refused restore wrote: $(ls -A conflict2)"
# into the store itself, a folder in it, or where a folder of the version is the store: refused, the store whole
cp -a S Sin; latest=$(cat Sin/refs/latest)
for o in Sin Sin/refs Sin/objects/new; do
    run restore --store Sin "$o" --no-sync
    [ $rc -eq 1 ] && grep -q "cannot restore into $o: it is the store Sin" err || die "restore into $o: rc $rc, $(cat err)"
done
mkdir -p sst/Sst/refs; echo bogus > sst/Sst/refs/latest; "$sk" capture --store Sst --state sst --no-sync -q || die "capture of sst"
run restore --store Sst . --no-sync
[ $rc -eq 1 ] && grep -q 'cannot restore folder ./Sst: it is the store' err || die "restore over the store's folder: rc $rc, $(cat err)"
[ "$(cat Sin/refs/latest)" = "$latest" ] && [ ! -e Sin/objects/new ] && "$sk" log --store Sst > /dev/null || die "a restore wrote into the store"
step "round trips: folders, empty files and folders, symlinks as links (never followed out of DIR, capture or restore), modes, times, renames, deletes; a 9.5 MB file with edits and an insertion stored as a $delta-byte delta; verify ok; a restore over a folder in a file's place (or a file in a folder's), or into the store, refused before the first write"

# a restore ended by a signal (SIGTERM; SIGINT and SIGHUP alike: a script's background job ignores SIGINT):
# the file being written goes, nothing is left under its name or a temporary one.
# STATEKEEPER_TEST_STOP_IN_RESTORE: the restore stops itself once its first temporary file is created
stopped() { while kill -0 "$1" 2> /dev/null && [ "$(cut -d' ' -f3 "/proc/$1/stat" 2> /dev/null)" != T ]; do sleep 0.01; done; }
STATEKEEPER_TEST_STOP_IN_RESTORE=1 "$sk" restore --store S --version 1 rsig --no-sync > outa 2> erra & a=$!
stopped $a
tmps=$(find rsig -name '.statekeeper-*.tmp' 2> /dev/null)
[ -n "$tmps" ] || die "a stopped restore: no temporary file to remove: $(cat erra)"
kill -TERM $a; kill -CONT $a; wait $a; rca=$?
[ $rca -eq 143 ] || die "a restore ended by SIGTERM: rc $rca, $(cat erra)"
for t in $tmps; do [ ! -e "$t" ] || die "a restore ended by SIGTERM left its temporary $t"; done
step "a restore ended by SIGTERM: exit 143, its temporary file removed"

# an id that names no version (nothing, or an object that is not a version): said so, not sent to verify
for id in sha256-$(printf '%064d' 0) sha256-$(printf 'hello\n' | sha256sum | cut -c1-64); do
    run restore --store S --version "$id" rid --no-sync
    [ $rc -eq 1 ] && grep -q "no version $id in S (see 'statekeeper log')" err && [ ! -e rid ] || die "restore --version $id: rc $rc, $(cat err)"
done
# a damaged refs/latest is named as such by every command (not "an object it needs is malformed")
cp -a S Sref; : > Sref/refs/latest
for cmd in log stats verify "gc --keep 1" "restore rref" "capture --state s" "run --state rref -- true"; do
    # shellcheck disable=SC2086
    run --store Sref --no-sync $cmd
    [ $rc -eq 1 ] && grep -q 'Sref/refs/latest is damaged' out err && ! grep -q 'malformed' out err || die "$cmd with refs/latest emptied: rc $rc, $(cat out err)"
done
# refs/latest naming an object that is no version (a store of another program, cas_snap's): said so
cp -a S Snv; echo "sha256-$(printf 'hello\n' | sha256sum | cut -c1-64)" > Snv/refs/latest
run --store Snv --no-sync log
[ $rc -eq 1 ] && grep -q 'Snv/refs/latest names no statekeeper version' err || die "log with refs/latest naming a file's chunk: rc $rc, $(cat out err)"
step "restore --version of an id that names no version, a damaged refs/latest, and one naming no version: said so, exit 1"

# folders nested deeper than gc and verify walk (a version's tree and its "files" tree are above DIR's): skipped,
# said so; the store verifies and gc runs
deep=n; for _ in $(seq 2 70); do deep=$deep/n; done
mkdir -p "dn/$deep" "dn/${deep%/n/n/n/n/n/n/n/n}"; echo deep > "dn/$deep/f"; echo mid > "dn/${deep%/n/n/n/n/n/n/n/n}/f"
run capture --store DN --state dn --no-sync
[ $rc -eq 3 ] && grep -q 'more than 62 folders deep' err || die "capture of 70 nested folders: rc $rc, $(cat err)"
echo more >> "dn/${deep%/n/n/n/n/n/n/n/n}/f"; "$sk" capture --store DN --state dn --no-sync -q 2> /dev/null
run verify --store DN; [ $rc -eq 0 ] && grep -q ' 0 problems' out || die "verify of a store of deep folders: $(cat out err)"
run gc --store DN --keep 1; [ $rc -eq 0 ] || die "gc of a store of deep folders: $(cat err)"
run restore --store DN dnr --no-sync; [ $rc -eq 0 ] && cmp -s "dn/${deep%/n/n/n/n/n/n/n/n}/f" "dnr/${deep%/n/n/n/n/n/n/n/n}/f" || die "restore of deep folders: $(cat err)"
step "70 nested folders: those past 62 skipped (said so, exit 3), the 62nd kept; verify and gc ok"

# paths of 4,001 to 4,095 bytes (16 folders of 250-byte names; a 17th is past 4,096 bytes: skipped, said so)
long=$(printf 'y%.0s' $(seq 250))
python3 -c "
import os
os.mkdir('ln'); os.chdir('ln')
for i in range(17):
    os.mkdir('y' * 250); os.chdir('y' * 250); open('f', 'w').write(str(i))"
run capture --store LN --state ln --no-sync
[ $rc -eq 3 ] && grep -q 'name or path too long' err || die "capture of paths past 4,096 bytes: rc $rc, $(cut -c1-300 err)"
run restore --store LN lr --no-sync
[ $rc -eq 0 ] && [ "$(find lr -name f | wc -l)" -eq 16 ] || die "restore of paths of 4,001 to 4,095 bytes: rc $rc, $(cut -c1-300 err)"
run restore --store LN "lr-$long" --no-sync
[ $rc -eq 1 ] && grep -q 'path too long; nothing was written' err && [ ! -e "lr-$long" ] || die "restore into a folder whose name makes paths too long: rc $rc, $(cut -c1-300 err)"
step "paths of up to 4,095 bytes captured and restored (past that: skipped, said so; a restore they do not fit refused before the first write)"

# run with a program that cannot be run: said so, status 127, no "started" line, no version
run run --store NX --state nx --no-sync -- ./no-such-program
[ $rc -eq 127 ] && grep -q 'cannot run ./no-such-program: No such file or directory' err && ! grep -q started err || die "run of a missing program: rc $rc, $(cat err)"
run log --store NX; [ $rc -eq 0 ] && [ ! -s out ] || die "run of a missing program made a version: $(cat out err)"
# a file that is there but cannot be run (no x bit): status 126, as sh and env(1) give
printf 'echo ran\n' > noexec; chmod 644 noexec
run run --store NX --state nx --no-sync -- ./noexec
[ $rc -eq 126 ] && grep -q 'cannot run ./noexec: Permission denied' err && ! grep -q started err || die "run of a file that cannot be run: rc $rc, $(cat err)"
run log --store NX; [ $rc -eq 0 ] && [ ! -s out ] || die "run of a file that cannot be run made a version: $(cat out err)"
run --help; grep -q '^126 if PROGRAM cannot be run, 127 if it is not found' out || die "--help does not list 126 and 127"
step "run of a program that cannot be run: said so, status 127 (not found) or 126 (not runnable), not said to be started, nothing captured"

# --- 2b. a file rewritten while it is captured: never stored half-old half-new ---
R=262144   # a quarter MiB: every read of it retried while it changes costs a pass of the diff
mkdir -p t; head -c $R /dev/zero | tr '\0' A > t/f; echo stable > t/g
"$sk" capture --store T --state t --no-sync -q || die "capture before the rewrites"
# iflag=fullblock: each rewrite is one write of the whole file. Without it dd writes what each read of the
# pipe gives (64 KiB pieces), and a file that holds still between two pieces really is half A, half B then:
# a capture may rightly take it so (a fast machine showed it)
( while :; do
      head -c $R /dev/zero | tr '\0' B | dd of=t/f bs=$R iflag=fullblock conv=notrunc status=none
      head -c $R /dev/zero | tr '\0' A | dd of=t/f bs=$R iflag=fullblock conv=notrunc status=none
  done ) &
rewriter=$!; pids="$pids $rewriter"
for _ in 1 2 3 4 5; do
    "$sk" capture --store T --state t --no-sync 2> err; rc=$?
    [ $rc -eq 0 ] || [ $rc -eq 3 ] || die "capture during rewrites: rc $rc, $(cat err)"
done
kill "$rewriter"; wait "$rewriter" 2> /dev/null
kept=$(grep -c 'kept changing' err)
for v in $(seq 1 "$("$sk" log --store T | head -n 1 | cut -d' ' -f1)"); do
    rm -rf tr; "$sk" restore --store T --version "$v" tr --no-sync 2> /dev/null || die "restore $v of the rewritten file"
    n=$(tr -d A < tr/f | wc -c); m=$(tr -d B < tr/f | wc -c)
    [ "$(stat -c %s tr/f)" -eq $R ] && { [ "$n" -eq 0 ] || [ "$m" -eq 0 ]; } || die "version $v holds a torn file: $n bytes not A, $m not B"
done
step "a 256 KiB file rewritten (all A, all B) during 5 captures: every version holds all A or all B ($v versions; the last capture: $kept 'kept changing' warnings)"

# --- 2c. the local copy of a large file's last version (--copy-min): used, spoilt, killed, swept ---
mkdir -p c cv; rnd $((9 * 1048576 + 5000)) > c/big; echo small > c/small
cap_c() { # EXPECT...: a capture with copies from 1 MiB; err must hold each EXPECT
    "$sk" capture --store C --state c --no-sync --copy-min 1 2> err || die "copy capture: $(cat err)"
    for e in "$@"; do grep -q -- "$e" err || die "copy capture: no '$e' in: $(cat err)"; done
    n=$(sed -n 's/.*captured version \([0-9]*\) .*/\1/p' err); cp -a c "cv/$n"
    if grep -q 'diffed against their local copy' err; then diffed=$((diffed + 1)); fi
}
diffed=0
copies() { ls "$1"/sk-copy | grep -vc '\.cl$'; }          # copies in store $1 (a chunk list, .cl, beside each)
the_copy() { ls "$1"/sk-copy/* | grep -v '\.cl$'; }
cap_c 'captured version 1 '
[ "$(copies C)" -eq 1 ] || die "no copy of the 9 MiB file: $(ls -la C/sk-copy)"
[ -s "$(the_copy C).cl" ] || die "no chunk list beside the copy: $(ls -la C/sk-copy)"
poke 10 100 c/big; poke 5 $((6 * 1048576)) c/big; rnd 3000 >> c/big
cap_c ' 1 as deltas' '1 diffed against their local copy'
unhashed=$(sed -n 's/.*(\([0-9]*\) bytes of chunks not hashed again).*/\1/p' err)
[ "${unhashed:-0}" -gt 4000000 ] || die "the capture hashed again the chunks its list had (${unhashed:-0} bytes not): $(cat err)"
# a spoilt chunk list (an id in it): the capture sees it at the end and makes that version again from the store
list="$(the_copy C).cl"; flip "$list" $((56 + 36 * 40 + 9))
poke 10 150 c/big
cap_c ' 1 as deltas' 'local copy of c/big did not match'
copy=$(the_copy C); flip "$copy" $((5 * 1048576 + 7))
poke 10 200 c/big
cap_c ' 1 as deltas' 'local copy of c/big did not match'
grep -q 'diffed against' err && die "a spoilt copy was used: $(cat err)"
poke 10 300 c/big
cap_c ' 1 as deltas' '1 diffed against their local copy'
python3 -c "
b = open('c/big', 'rb').read(); open('c/big', 'wb').write(b[:4000000] + b'inserted' * 125 + b[4000000:])"
cap_c '1 diffed against their local copy' # (the new chunks are smaller than this delta: stored as chunks)
truncate -s 5000000 c/big
cap_c ' 1 as deltas' '1 diffed against their local copy'
# killed while the copy is rewritten (at its second segment): the next capture rebuilds the base from the store
poke 10 400 c/big; rnd 5000000 >> c/big
(STATEKEEPER_TEST_KILL_AT=2 "$sk" capture --store C --state c --no-sync --copy-min 1 -q 2> /dev/null; exit $?) 2> /dev/null
[ $? -eq 137 ] || die "the capture to be killed was not killed"
cap_c ' 1 as deltas'
grep -q 'diffed against' err && die "a copy cut short by a SIGKILL was used: $(cat err)"
poke 10 500 c/big
cap_c ' 1 as deltas' '1 diffed against their local copy'
for v in $(ls cv); do
    rm -rf cr; "$sk" restore --store C --version "$v" cr --no-sync 2> err || die "restore $v with copies: $(cat err)"
    same_tree "cv/$v" cr "version $v with copies"
done
run verify --store C; [ $rc -eq 0 ] && grep -q ' 0 problems' out || die "verify with copies: $(cat out err)"
# a restore of the latest version reads the copy; of a spoilt copy, the store
latest=$(ls cv | sort -n | tail -n 1)
rm -rf cr; "$sk" restore --store C cr --no-sync 2> err || die "restore of the latest with its copy: $(cat err)"
grep -q '(1 read from their local copy)' err || die "the restore of the latest version did not read the copy: $(cat err)"
same_tree "cv/$latest" cr "the latest version restored from its copy"
# a copy's root is made again on two threads (one cuts chunks, one hashes them): chunks that end right at
# a 4 MiB segment's end (zeros: 64 KiB chunks), a byte past it, a byte short of it
mkdir -p cz; head -c 8388608 /dev/zero > cz/z; head -c 8388609 /dev/zero > cz/z1; rnd 8388607 > cz/r
"$sk" capture --store CZ --state cz --no-sync --copy-min 1 -q 2> err || die "capture of zeros: $(cat err)"
rm -rf cr; "$sk" restore --store CZ cr --no-sync 2> err || die "restore of zeros from copies: $(cat err)"
grep -q '(3 read from their local copy)' err || die "the zeros were not restored from their copies: $(cat err)"
same_tree cz cr "files of 8 MiB and a byte more or less restored from their copies"
# the chunks of a copy are cut where its chunk list says: a list whose lengths lie gives another root, and
# each file is rebuilt from the store instead
for l in CZ/sk-copy/*.cl; do printf '\000\020\000\000' | dd of="$l" bs=1 seek=56 conv=notrunc status=none; done
rm -rf cr; "$sk" restore --store CZ cr --no-sync 2> err || die "restore past chunk lists that lie: $(cat err)"
grep -q 'local copy' err && die "a restore cut a copy where a chunk list that lies said: $(cat err)"
same_tree cz cr "files restored past chunk lists whose lengths lie"
flip "$(the_copy C)" $((4 * 1048576 + 3)) # (writing a fixed byte there spoilt nothing once in 256 runs)
rm -rf cr; "$sk" restore --store C cr --no-sync 2> err || die "restore of the latest with a spoilt copy: $(cat err)"
grep -q 'local copy' err && die "a restore used a spoilt copy: $(cat err)"
same_tree "cv/$latest" cr "the latest version restored past its spoilt copy"
rm c/big; cap_c ' 1 files, '
[ -z "$(ls -A C/sk-copy)" ] || die "the copy of a deleted file was kept: $(ls -la C/sk-copy)"
rnd 2000000 > c/big2; cap_c ' 2 files, '
[ "$(copies C)" -eq 1 ] || die "no copy of the new 2 MB file"
echo more >> c/small; "$sk" capture --store C --state c --no-sync --copy-min 0 2> err || die "capture --copy-min 0: $(cat err)"
[ -z "$(ls -A C/sk-copy)" ] || die "--copy-min 0 kept a copy: $(ls -la C/sk-copy)"
run restore --store C --copy-min 1 cr; [ $rc -eq 2 ] || die "restore --copy-min: rc $rc, not 2"
step "local copies (--copy-min 1): $(ls cv | wc -l) versions of a 9 MiB file, $diffed diffed against its copy ($unhashed bytes of chunks taken from its chunk list once), a spoilt copy, a spoilt chunk list and a copy cut short by a SIGKILL not used (the base rebuilt from the store), edits, an insertion, a shrink; every version restored byte-identical (the latest from its copy, and from the store past a spoilt copy; files of 8 MiB and a byte more or less from copies, cut where their chunk lists say, and from the store past lists whose lengths lie); verify ok; the copy of a deleted file removed, none with --copy-min 0"

# --- 2d. progress lines (--progress: also when stderr is not a terminal), and a capture SIGKILLed after its first ---
mkdir -p pg; rnd 30000000 > pg/big; echo 1 > pg/small
run capture --store PG --state pg --no-sync --progress
[ $rc -eq 0 ] && grep -q '^statekeeper: capturing .* MiB' err && grep -q 'captured version 1 ' err || die "capture --progress: rc $rc, $(cat err)"
run restore --store PG pgr --no-sync --progress
[ $rc -eq 0 ] && grep -q '^statekeeper: restoring .* 28.6 / 28.6 MiB 100%' err || die "restore --progress: rc $rc, $(cat err)"
run verify --store PG --progress
[ $rc -eq 0 ] && grep -q '^statekeeper: rebuilding ' err || die "verify --progress: rc $rc, $(cat out err)"
run capture --store PG --state pg --no-sync --progress -q; [ $rc -eq 0 ] && [ ! -s err ] || die "capture --progress -q printed: $(cat err)"
run log --store PG --progress; [ $rc -eq 2 ] || die "log --progress: rc $rc, not 2"
cp -a pg pg1; rnd 30000000 > pg/big; echo 2 > pg/small
mkfifo pgev
"$sk" capture --store PG --state pg --progress 2> pgev & kpid=$!; pids="$pids $kpid"
exec 6< pgev
read -r -t 120 line <&6 && [[ $line == *capturing* ]] || die "no progress line from the capture to be killed: $line"
kill -9 $kpid; wait $kpid 2> /dev/null; exec 6<&-
run verify --store PG; [ $rc -eq 0 ] || die "verify after a capture killed after its first progress line: $(cat out err)"
rm -rf pgr; run restore --store PG pgr --no-sync; [ $rc -eq 0 ] || die "restore after the kill: $(cat err)"
diff -r pgr pg1 > /dev/null || diff -r pgr pg > /dev/null || die "after the kill the latest version is neither the state before nor after"
# a restore killed half-way (at its 2nd segment): DIR is marked; capture refuses it, run restores it again (and
# removes the killed restore's temporary file) before it starts the program
rm -rf pgk; (STATEKEEPER_TEST_KILL_AT=2 "$sk" restore --store PG pgk --no-sync 2> /dev/null; exit $?) 2> /dev/null
[ $? -eq 137 ] && [ -e pgk/.statekeeper-restore ] || die "the restore to be killed was not killed, or left no mark: $(ls -A pgk)"
ls -A pgk | grep -q '^\.statekeeper-.*\.tmp$' || die "the killed restore left no temporary file (the test needs one): $(ls -A pgk)"
run capture --store PG --state pgk --no-sync
[ $rc -eq 1 ] && grep -q 'a restore into it did not finish' err || die "capture of a half-restored folder: rc $rc, $(cat err)"
run run --store PG --state pgk --no-sync -- sh -c 'cmp pgk/big pgr/big && cmp pgk/small pgr/small && echo program saw it whole'
[ $rc -eq 0 ] && grep -q 'program saw it whole' out && grep -q 'did not finish: restoring it again' err || die "run after a killed restore: rc $rc, $(cat out err)"
[ "$(ls -A pgk)" = "$(printf 'big\nsmall')" ] || die "a temporary file or the mark is left: $(ls -A pgk)"
step "--progress: capture, restore (to 100%), verify draw a progress line, -q none, log refuses it; a capture SIGKILLed after its first progress line: verify ok, the latest version restores byte-identical; a restore SIGKILLed half-way: capture refuses the folder, run restores it again"

# --- 3. a history of 50 versions of random edits ---
RANDOM=17
rm -rf h H hist; mkdir -p h/d hist
rnd $DB > h/db; rnd 300000 > h/log; echo 0 > h/d/conf
for v in $(seq 1 "$VERSIONS"); do
    for _ in 1 2 3; do
        case $((RANDOM % 8)) in
        0) rnd $((RANDOM % 5000 + 1)) >> h/log ;;
        1) poke 4096 $(( (RANDOM * 32768 + RANDOM) % DB )) h/db ;;
        2) off=$(( (RANDOM * 32768 + RANDOM) % (DB * 4 / 5) ))
           { head -c $off h/db; rnd 777; tail -c +$((off + 1)) h/db; } > h/db.new; mv h/db.new h/db ;;
        3) echo "$v" > "h/d/f$((RANDOM % 6))" ;;
        4) rm -f "h/d/f$((RANDOM % 6))" ;;
        5) [ -e h/d/f1 ] && mv h/d/f1 "h/d/g$((RANDOM % 3))" ;;
        6) s=$((RANDOM % 3)); mkdir -p "h/d/sub$s"; echo "$v" > "h/d/sub$s/x" ;;
        7) echo "$v" >> h/d/conf; chmod $((RANDOM % 2 ? 644 : 600)) h/d/conf ;;
        esac
    done
    "$sk" capture --store H --state h --no-sync --full-every 4 2> err || die "history capture $v: $(cat err)"
    grep -q "captured version $v " err || die "history: capture $v made no version $v: $(cat err)"
    cp -a h "hist/$v"
done
for v in $(seq 1 "$VERSIONS"); do
    rm -rf hr; "$sk" restore --store H --version "$v" hr --no-sync 2> err || die "history restore $v: $(cat err)"
    same_tree "hist/$v" hr "history version $v"
done
run stats --store H; [ $rc -eq 0 ] || die "stats: $(cat err)"
ratio=$(sed -n 's/^dedup ratio \([0-9.]*\) .*delta ratio \([0-9.]*\).*/dedup \1, delta \2/p' out)
deltas=$(awk 'NR > 1 && $1 ~ /^[0-9]+$/ { d += $6 } END { print d + 0 }' out)
[ "$deltas" -gt 0 ] || die "history: no file was stored as a delta: $(cat out)"
run verify --store H; [ $rc -eq 0 ] || die "history verify: $(cat out err)"
checked=$(sed -n 's/.* \([0-9]*\) contents rebuilt.*/\1/p' out)
step "history: $VERSIONS versions (full every 4), each restored byte-identical; $deltas deltas; $ratio; verify rebuilt $checked contents: ok"
cp -a H Hgc
keep=$(( VERSIONS > 10 ? 10 : (VERSIONS + 1) / 2 ))
run gc --store Hgc --keep $keep; [ $rc -eq 0 ] || die "gc: $(cat err)"
gcline=$(cat out)
run log --store Hgc; [ "$(wc -l < out)" -eq $keep ] || die "after gc --keep $keep, log shows $(wc -l < out) versions"
run verify --store Hgc; [ $rc -eq 0 ] || die "verify after gc: $(cat out err)"
for v in $(seq $((VERSIONS - keep + 1)) "$VERSIONS"); do
    rm -rf hr; "$sk" restore --store Hgc --version "$v" hr --no-sync 2> err || die "restore $v after gc: $(cat err)"
    same_tree "hist/$v" hr "version $v after gc"
done
before=$(du -sb H | cut -f1); after=$(du -sb Hgc | cut -f1)
[ "$after" -lt "$before" ] || die "gc deleted nothing: $before -> $after bytes"
step "gc --keep $keep: $gcline; store $before -> $after bytes; the kept versions restore byte-identical; verify ok"

# --- 4. a damaged store ---
cp -a H Hd
victim=$(find Hd/packs Hd/objects -type f -printf '%s %p\n' | sort -n | tail -n 1 | cut -d' ' -f2)
size=$(stat -c %s "$victim")
byte=$(od -An -tu1 -j $((size / 3)) -N 1 "$victim" | tr -d ' ')   # its bits flipped (0xff over 0xff changes nothing)
printf '%b' "\\0$(printf %o $((byte ^ 255)))" | dd of="$victim" bs=1 seek=$((size / 3)) conv=notrunc status=none
! cmp -s "$victim" "H/${victim#Hd/}" || die "the damage did not change $victim"
run verify --store Hd
[ $rc -eq 1 ] && grep -Eq 'corrupt|damaged|does not rebuild|missing' out || die "verify did not see the damage: rc $rc, $(cat out err)"
bad=0
for v in $(seq 1 "$VERSIONS"); do
    rm -rf hr; "$sk" restore --store Hd --version "$v" hr --no-sync 2> err; rc=$?
    [ $rc -eq 0 ] && { same_tree "hist/$v" hr "damaged store, version $v (restore said ok)"; continue; }
    bad=$((bad + 1))
    # every file there is right; no temporary file is left, the mark of an unfinished restore is
    ! find hr -name '.statekeeper-*.tmp' | grep -q . || die "restore left temporary files"
    [ ! -d hr ] || [ -e hr/.statekeeper-restore ] || grep -q 'nothing was written' err || die "a stopped restore left no mark: $(cat err)"
    (cd hr && find . -type f ! -name .statekeeper-restore -print0) | while IFS= read -r -d '' f; do
        cmp -s "hr/$f" "hist/$v/$f" || { echo "wrong bytes in $f" > wrong; break; }
    done
    [ ! -e wrong ] || die "damaged store, version $v: restore wrote a wrong file: $(cat wrong)"
done
[ "$bad" -gt 0 ] || die "no restore noticed the damage"
step "damaged store (a byte of $(basename "$victim") flipped): verify exits 1; $bad of $VERSIONS restores stop, writing no wrong byte"

# --- 5. permission denied ---
mkdir -p p/sub p/closed; echo ok > p/ok; echo secret > p/locked; echo s2 > p/sub/locked2; echo fine > p/sub/fine
echo hidden > p/closed/h
chmod 000 p/locked p/sub/locked2 p/closed
as=()
if [ "$(id -u)" -eq 0 ]; then   # root reads every file: the capture runs as nobody (65534) instead
    if command -v setpriv > /dev/null; then
        as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    elif command -v runuser > /dev/null && getent passwd 65534 > /dev/null; then
        as=(runuser -u "$(getent passwd 65534 | cut -d: -f1)" --)
    else
        echo "SKIP permission denied: running as root, and neither setpriv nor runuser to drop to nobody (root reads every file)"
    fi
    if [ ${#as[@]} -gt 0 ]; then chmod 755 "$dir"; chown -R 65534:65534 p; mkdir P; chown 65534:65534 P; fi
fi
if [ "$(id -u)" -ne 0 ] || [ ${#as[@]} -gt 0 ]; then
    "${as[@]}" "$sk" capture --store P --state p --no-sync > out 2> err; rc=$?
    [ $rc -eq 3 ] || die "capture with unreadable files: rc $rc (expected 3), $(cat err)"
    grep -q 'cannot read p/locked: Permission denied' err && grep -q 'cannot read p/sub/locked2' err &&
        grep -q 'cannot read folder p/closed: Permission denied' err || die "unreadable files not named: $(cat err)"
    "$sk" restore --store P pr --no-sync 2> err || die "restore: $(cat err)"
    [ "$(cat pr/ok pr/sub/fine)" = "$(printf 'ok\nfine')" ] && [ ! -e pr/locked ] && [ ! -e pr/closed ] || die "the readable files were not all captured"
    step "permission denied: two unreadable files and a folder named, exit 3, the rest captured and restored${as:+ (as nobody: ${as[0]})}"
fi

# --- 6. a sparse file of several GiB ---
if [ "$MIB" -gt 0 ]; then
    mkdir g; truncate -s "${MIB}M" g/huge; echo middle | dd of=g/huge bs=1 seek=$((MIB * 512 * 1024)) conv=notrunc status=none
    # holes and data in one segment (statekeeper zeroes holes instead of reading them: SEEK_DATA, SEEK_HOLE)
    for at in $((4 << 20)) $(((4 << 20) + 8192)) $(((4 << 20) + 70000)) $(((4 << 20) + 4194303)); do
        head -c 5000 /dev/urandom | dd of=g/huge bs=1 seek=$at conv=notrunc status=none
    done
    /usr/bin/time -f '%M' -o rss1 "$sk" capture --store G --state g --no-sync 2> err || die "capture of a ${MIB} MiB file: $(cat err)"
    before=$(du -sb --apparent-size G | cut -f1)
    echo more | dd of=g/huge bs=1 seek=12345 conv=notrunc status=none
    /usr/bin/time -f '%M' -o rss2 "$sk" capture --store G --state g --no-sync 2> err || die "second capture of a ${MIB} MiB file: $(cat err)"
    how=$(sed -n 's/.*(\(.*\) unchanged).*/\1/p' err); how=${how%,*}
    added=$(( $(du -sb --apparent-size G | cut -f1) - before )) # a delta or the changed chunk, whichever is smaller
    [ "$added" -lt 65536 ] || die "a 7-byte change to the ${MIB} MiB file added $added bytes to the store ($how)"
    /usr/bin/time -f '%M' -o rss3 "$sk" restore --store G gr --no-sync 2> err || die "restore of a ${MIB} MiB file: $(cat err)"
    cmp g/huge gr/huge || die "the ${MIB} MiB file came back different"
    used=$(du -k gr/huge | cut -f1); store=$(du -sk G | cut -f1)
    /usr/bin/time -f '%M' -o rss4 "$sk" verify --store G > out 2> err || die "verify of the ${MIB} MiB file's store: $(cat out err)"
    /usr/bin/time -f '%M' -o rss5 "$sk" gc --store G --keep 1 > out 2> err || die "gc of the ${MIB} MiB file's store: $(cat out err)"
    "$sk" verify --store G --quick > out 2> err || die "verify after the gc: $(cat out err)"
    rss="capture $(tail -n 1 rss1) KiB, delta capture $(tail -n 1 rss2) KiB, restore $(tail -n 1 rss3) KiB, verify $(tail -n 1 rss4) KiB, gc $(tail -n 1 rss5) KiB"
    if [ -n "$MAXRSS" ]; then
        for f in rss1 rss2 rss3 rss4 rss5; do [ "$(tail -n 1 $f)" -lt "$MAXRSS" ] || die "peak memory over $MAXRSS KiB: $rss"; done
    else
        rss="$rss (not checked: STATEKEEPER_MAX_RSS_KB is empty)"
    fi
    step "a sparse ${MIB} MiB file: captured, changed ($how; the store grew $added bytes), restored identical ($used KiB on disk, sparse); store $store KiB; peak memory $rss"
    rm -rf g gr G
else
    echo "SKIP sparse file: STATEKEEPER_BIG_MIB=0"
fi

# --- 7. sqlite3 as PROGRAM, killed and restarted ---
if command -v sqlite3 > /dev/null; then
    cat > writer.sh <<'EOF'
#!/usr/bin/env bash
# writer.sh DB CTL: commands from the FIFO CTL; says what it did on stderr
db=$1
echo "writer pid $$" >&2
sqlite3 "$db" "create table if not exists log(k integer primary key, v text); create table if not exists t(id integer primary key, n integer, s text);"
exec 4< "$2"
while read -r cmd n <&4; do
    case $cmd in
    batch) sqlite3 "$db" "begin; insert into t(n, s) select $n, hex(randomblob(200)) from (with recursive c(x) as (select 1 union all select x + 1 from c where x < 50) select x from c);
           update t set n = n + 1 where id % 7 = $n % 7; delete from t where id % 11 = $n % 11; insert into log values($n, 'batch'); commit;" &&
           echo "committed $n" >&2 ;;
    burst) echo "burst started" >&2
           for i in $(seq 1 200); do sqlite3 "$db" "begin; insert into t(n, s) values($i, hex(randomblob(3000))); update t set s = hex(randomblob(100)) where id % 13 = $i % 13; commit;"; done
           echo "burst done" >&2 ;;
    check) echo "check $(sqlite3 "$db" 'pragma integrity_check;') $(sqlite3 "$db" 'select coalesce(max(k), 0) from log;')" >&2 ;;
    exit) exit 0 ;;
    esac
done
EOF
    chmod +x writer.sh
    # start: statekeeper run with the writer; its lines come in on fd 3, the writer's commands go out on fd 5
    # new FIFOs each time: a sqlite3 the killed writer had just started may outlive it with the old ones open
    # (a write into the old ctl could then find no reader: SIGPIPE)
    fifo=0
    start() {
        fifo=$((fifo + 1)); mkfifo "ctl$fifo" "events$fifo"
        "$sk" run --store Q --state q --quiet-ms 100 -- ./writer.sh q/db "ctl$fifo" > "events$fifo" 2>&1 &
        skpid=$!; pids="$pids $skpid"
        exec 3< "events$fifo" 5> "ctl$fifo"
        wait_for "^writer pid" || die "the writer did not start: $line"
        wpid=${line##* }; pids="$pids $wpid"
    }
    # send CMD: to the writer; a writer that is gone is a failure said so (SIGPIPE would end the test silently)
    send() { ( trap '' PIPE; echo "$1" >&5 ) 2> /dev/null || die "the writer is gone: cannot send '$1': $(tail -n 3 q.log)"; }
    # wait_for REGEX: reads lines until one matches (into $line); 120 s without a line is a failure
    wait_for() {
        while read -r -t 120 line <&3; do
            echo "$line" >> q.log
            if [[ $line =~ $1 ]]; then return 0; fi
        done
        return 1
    }
    # the latest version holds commit K? (restored into a scratch folder and asked)
    latest_k() { rm -rf qk; "$sk" restore --store Q qk --no-sync 2> /dev/null && sqlite3 qk/db 'select coalesce(max(k), 0) from log;'; }
    k=0
    for round in 1 2 3 4 5 6; do
        rm -rf q     # a new container: the state is gone, the store is not
        start
        send check
        wait_for "^check " || die "round $round: no check: $(tail -n 5 q.log)"
        [[ $line =~ ^check\ ok\ ([0-9]+)$ ]] || die "round $round: after the restart: $line"
        [ "${BASH_REMATCH[1]}" -ge "$k" ] || die "round $round: the restored database has commit ${BASH_REMATCH[1]}, $k was captured"
        for _ in 1 2 3; do
            k=$((k + 1)); send "batch $k"
            wait_for "^committed $k$" || die "round $round: batch $k not committed: $(tail -n 5 q.log)"
        done
        # until a capture holds commit k (the writer is idle now: one will)
        for _ in $(seq 1 20); do
            wait_for "captured version|unchanged since" || die "round $round: no capture after commit $k: $(tail -n 5 q.log)"
            [ "$(latest_k)" = "$k" ] && break
        done
        [ "$(latest_k)" = "$k" ] || die "round $round: no capture of commit $k"
        case $((round % 3)) in
        1) send burst; wait_for "^burst started" || die "no burst"
           # shellcheck disable=SC2046 # a list of pids
           kill -9 $(ps -o pid= --ppid "$wpid") "$wpid" 2> /dev/null   # the program dies mid-write (its sqlite3 too)
           wait "$skpid"; rc=$?; [ $rc -eq 137 ] || die "round $round: statekeeper exited $rc, the program's status was 137"
           what="program SIGKILLed mid-write, status 137 passed on" ;;
        2) kill -TERM "$skpid"                               # forwarded; then a last capture
           wait "$skpid"; rc=$?; [ $rc -eq 143 ] || die "round $round: statekeeper exited $rc after SIGTERM (143 expected)"
           what="SIGTERM forwarded, status 143" ;;
        0) kill -9 "$skpid"; kill -9 "$wpid"; wait "$skpid" 2> /dev/null
           what="statekeeper SIGKILLed" ;;
        esac
        exec 3<&- 5>&-
        step "sqlite round $round: 3 batches (commit $k) captured, $what"
    done
    rm -rf q; start; send check; wait_for "^check " || die "no final check"
    [[ $line =~ ^check\ ok\ ([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" -ge "$k" ] || die "final restart: $line (commit $k captured)"
    send exit; wait "$skpid"; rc=$?; [ $rc -eq 0 ] || die "the last run exited $rc"
    exec 3<&- 5>&-
    "$sk" verify --store Q > out 2>&1 || die "verify of the sqlite store: $(cat out)"
    step "sqlite3: 6 kills and restarts into an empty folder: integrity_check ok and every captured commit there each time; verify ok"
else
    echo "SKIP sqlite3: not installed (make test installs it)"
fi

# --- 7b. run: a folder made later is watched too; --poll scans instead, and so does run without inotify ---
# modes: watch (inotify), poll (--poll), none (STATEKEEPER_TEST_INOTIFY=none: inotify_init1 fails as on a kernel
# without it), limit (STATEKEEPER_TEST_INOTIFY=1: the watch of a folder made later fails with ENOSPC, as past
# fs.inotify.max_user_watches). The program links a folder outside w in and makes a folder, then changes a
# file in it; each step waits for a capture (the change in the new folder is only seen if that folder is
# watched or scanned: the program does not exit before it is captured).
cat > later.sh <<'EOF'
exec 4< lctl
read -r _ <&4; ln -s ../o2 w/outlink; mkdir -p w/new/deeper; echo a > w/new/deeper/f
read -r _ <&4; echo b >> w/new/deeper/f
read -r _ <&4
EOF
mkfifo lev lctl   # not ctl2: section 7 made ctl1, ctl2, ...
mkdir -p o2/sub; echo outside > o2/sub/x
for mode in watch poll none limit; do
    rm -rf w W
    extra=() hook=""
    case $mode in
    poll) extra=(--poll --interval 1) ;;
    none) extra=(--interval 1) hook=none ;;
    limit) extra=(--interval 1) hook=1 ;;
    esac
    STATEKEEPER_TEST_INOTIFY=$hook "$sk" run --store W --state w --quiet-ms 100 --no-sync "${extra[@]}" -- bash later.sh > lev 2>&1 &
    wpid2=$!; pids="$pids $wpid2"
    exec 6< lev 7> lctl
    n=0 ok="" seen=""
    while read -r -t 120 line <&6; do   # go, go; then until a capture holds both changes
        case $line in
        *"inotify is not available"*) seen="$seen noinotify" ;;
        *"cannot watch w/new"*"scanning w every 1 s instead"*) seen="$seen limit" ;;
        *started*) [[ $line == *"(by scanning)"* ]] && seen="$seen scanning"
                   echo go >&7; n=1 ;;
        *"captured version"*)
            if [ $n -lt 2 ]; then echo go >&7; n=2; continue; fi
            rm -rf wr; "$sk" restore --store W wr --no-sync 2> /dev/null
            if [ "$(cat wr/new/deeper/f 2> /dev/null)" = "$(printf 'a\nb')" ]; then ok=1; echo go >&7; break; fi ;;
        esac
    done
    exec 6<&- 7>&-
    wait $wpid2
    [ -n "$ok" ] || die "run ($mode): the change in a folder made later was not captured: $line"
    case $mode in
    watch) [ -z "$seen" ] || die "run (watch): scanned instead of watching:$seen" ;;
    poll) [ "$seen" = " scanning" ] || die "run --poll: started without '(by scanning)':$seen" ;;
    none) [ "$seen" = " noinotify scanning" ] || die "run without inotify: no warning or no scan:$seen" ;;
    limit) [ "$seen" = " limit" ] || die "run past the watch limit: no 'cannot watch w/new ... scanning' warning:$seen" ;;
    esac
    [ -L wr/outlink ] && [ "$(readlink wr/outlink)" = ../o2 ] || die "run ($mode): the link to a folder outside w was not kept as a link"
done
step "run: a change in a folder made after the start is captured: watched (inotify), --poll, without inotify (scans, said so), past the watch limit (scans from then on, said so); a link out of w kept as a link"

# --- 8. SIGKILL at random steps of a capture ---
mkdir -p k/sub; rnd $DB > k/db; rnd 20000 > k/wal; echo 1 > k/sub/conf
"$sk" capture --store K --state k --no-sync -q || die "kill test: first capture"
cp -a k expected
RANDOM=4242
killed=0 finished=0
for round in $(seq 1 "$ROUNDS"); do
    poke 4096 $(( (RANDOM * 32768 + RANDOM) % DB )) k/db
    rnd $((RANDOM % 3000 + 1)) >> k/wal
    [ $((RANDOM % 3)) -eq 0 ] && echo "$round" > "k/sub/f$((RANDOM % 4))"
    [ $((RANDOM % 5)) -eq 0 ] && rm -f "k/sub/f$((RANDOM % 4))"
    if [ "$round" -eq 1 ] || [ $((round % 10)) -eq 0 ]; then   # how many steps a capture takes now
        cp -a K Kc; STATEKEEPER_TEST_KILL_AT=999999999 "$sk" capture --store Kc --state k -q 2> err
        steps=$(sed -n 's/.*test: \([0-9]*\) steps/\1/p' err); rm -rf Kc
    fi
    at=$(( (RANDOM * 32768 + RANDOM) % (steps + 2) + 1 ))
    (STATEKEEPER_TEST_KILL_AT=$at "$sk" capture --store K --state k -q 2> err; exit $?) 2> /dev/null; rc=$?   # no "Killed" line
    if [ $rc -eq 137 ]; then killed=$((killed + 1)); elif [ $rc -eq 0 ]; then finished=$((finished + 1)); else die "kill round $round: rc $rc: $(cat err)"; fi
    if [ $((round % 25)) -eq 0 ]; then vq=""; else vq=--quick; fi
    "$sk" verify --store K $vq > out 2>&1 || die "kill round $round (killed at step $at of $steps): verify: $(cat out)"
    rm -rf kr; "$sk" restore --store K kr --no-sync 2> err || die "kill round $round (step $at): restore: $(cat err)"
    if diff -r --no-dereference kr k > /dev/null; then rm -rf expected; cp -a k expected
    else diff -r --no-dereference kr expected > /dev/null || die "kill round $round (step $at of $steps): the latest version is neither the state before nor after"; fi
    if [ $((round % 50)) -eq 0 ]; then   # the store stays small (verify re-hashes all of it each round); gc between kills
        "$sk" gc --store K --keep 20 > out 2>&1 || die "kill round $round: gc: $(cat out)"
    fi
    if [ $((round % 100)) -eq 0 ]; then echo "statekeeper: ... $round killed captures so far ($killed killed, $finished finished): ok"; fi
done
step "SIGKILL at a random step of $ROUNDS captures (about $steps steps each): $killed killed, $finished finished; verify and restore of the latest version ok after each"
echo "statekeeper: all steps passed with $counts"
[ "$counts" = "STATEKEEPER_VERSIONS=50 STATEKEEPER_BIG_MIB=4096 STATEKEEPER_KILL_ROUNDS=1000 STATEKEEPER_DB_KB=5000" ] ||
    echo "statekeeper: (issue 17's counts: STATEKEEPER_VERSIONS=50 STATEKEEPER_BIG_MIB=4096 STATEKEEPER_KILL_ROUNDS=1000 STATEKEEPER_DB_KB=5000)"
