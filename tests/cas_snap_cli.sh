#!/usr/bin/env bash
# tests/cas_snap_cli.sh CAS_SNAP - the cas_snap example as a user runs it, with
# bad input too: usage and exit codes, refs per snapshot, ref delete, bad refs
# stopping gc, read-only commands that never create a store, the store left out
# of its own snapshot, FIFOs reported, restore of times and permissions, and a
# restore that never leaves a partial file (corrupt chunk; full disk on a small
# tmpfs, as root: "SKIP ..." when it cannot mount), runs at once on one store
# (two snaps with one NAME, a gc during a snap), names with control bytes.
# Prints one line per step; exits non-zero at the first failure
# (CAS_SNAP_CLI_ALL=1: runs every step and counts the failures).
set -u
cs=$(realpath "$1")
dir=$(mktemp -d)
mnt=""
cleanup() { if [ -n "$mnt" ]; then umount "$mnt" 2>/dev/null; fi; rm -rf "$dir"; }
trap cleanup EXIT
cd "$dir" || exit 1
failures=0
step() { echo "cas_snap: $*"; }
# flip FILE AT: the byte at AT made another (its low bit turned; a fixed byte written over
# random data would leave it as it was once in 256 runs)
flip() {
    local v
    v=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    printf "\\$(printf '%03o' $((v ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
die() {
    echo "cas_snap: FAIL: $*" >&2
    failures=$((failures + 1))
    if [ -z "${CAS_SNAP_CLI_ALL:-}" ]; then exit 1; fi
}
# run: the command's stdout in $dir/out, stderr in $dir/err, exit code in $rc
run() { "$cs" "$@" > out 2> err; rc=$?; }
# the tree as "path type mode mtime" lines (no FIFOs, no store)
listing() { (cd "$1" && find . -mindepth 1 \( -name .cas-store -prune \) -o \( ! -type p -printf '%P %y %m %T@\n' \) | sort); }

mkdir -p data/sub/deeper
head -c 400000 /bin/bash > data/big
echo small > data/small
printf '#!/bin/sh\necho hi\n' > data/sub/run.sh
echo deep > data/sub/deeper/file
ln -s ../small data/sub/link
chmod 755 data/sub/run.sh; chmod 600 data/small; chmod 750 data/sub/deeper
touch -h -d '2001-02-03 04:05:06.123456789' data/sub/link
touch -d '2001-02-03 04:05:06.123456789' data/big data/sub/run.sh data/sub/deeper/file
touch -d '1999-12-31 23:59:59' data/sub/deeper data/sub
mkfifo data/fifo

# --- a Unix tool: help, version, usage errors ---
run --help
[ $rc -eq 0 ] && grep -q '^usage: cas_snap' out && [ ! -s err ] || die "--help: rc $rc"
grep -q '^exit status: 0 ok, 1 failure, 2 bad usage' out || die "--help lists no exit codes"
grep -q 'does not restore: owners' out || die "--help does not say what restore leaves out"
run -h; [ $rc -eq 0 ] && grep -q '^usage: cas_snap' out || die "-h: rc $rc"
run restore --help; [ $rc -eq 0 ] && grep -q '^usage: cas_snap' out || die "help after a command: rc $rc"
run --version
[ $rc -eq 0 ] && grep -Eq '^cas_snap \(dx\) dx_cas\.h [0-9]+\.[0-9]+\.[0-9]+(, zstd [0-9.]+)?$' out || die "--version: $(cat out err)"
step "--help, -h, help after a command, --version ($(cat out)): ok"
for bad in "--bogus verify" "--avg abc snap data" "--avg 100 snap data" "--compress x snap data" "--store" "" "frobnicate" \
           "restore onlyone" "ref remove x" "verify --force" "snap data bad/name" "snap data .hidden" "snap data latest" \
           "restore bad/name r" "restore ../v1 r" "ref delete bad/name" "ref delete .."; do
    # shellcheck disable=SC2086 # each line is a list of arguments
    run --store st $bad
    [ $rc -eq 2 ] && grep -q '^usage: cas_snap' err || die "bad usage '$bad': rc $rc, $(cat err)"
done
[ ! -e st ] || die "a usage error made a store"
step "bad usage (unknown option, --avg abc, missing value, no or unknown command, wrong arguments, a NAME or SNAP that cannot be a ref name, snap NAME latest): exit 2 with the usage line"

# --- read-only commands never create a store (item 4) ---
for cmd in verify stats refs gc "restore latest r" "ref delete x"; do
    # shellcheck disable=SC2086
    run --store typo $cmd
    [ $rc -eq 1 ] && grep -q 'typo is not a cas_snap store' err || die "'$cmd' on a missing store: rc $rc, $(cat err)"
    [ ! -e typo ] || die "'$cmd' created a store at typo"
    # shellcheck disable=SC2086
    run --store data $cmd
    [ $rc -eq 1 ] && grep -q 'data is not a cas_snap store' err || die "'$cmd' on a data folder: rc $rc, $(cat err)"
    [ ! -e data/objects ] && [ ! -e data/refs ] || die "'$cmd' made a store inside data/"
    # shellcheck disable=SC2086
    run --store data/small $cmd
    [ $rc -eq 1 ] && grep -q 'data/small is not a cas_snap store (it is a file' err || die "'$cmd' on a file: rc $rc, $(cat err)"
done
run --store data snap data/sub
[ $rc -eq 1 ] && grep -q 'not a cas_snap store, and not empty' err && [ ! -e data/objects ] || die "snap made a store in a non-empty folder: $(cat err)"
run --store st snap data/small
[ $rc -eq 1 ] && grep -q 'data/small: it is not a directory' err && [ ! -e st ] || die "snap of a file: rc $rc, $(cat err)"
step "verify, stats, refs, gc, restore, ref delete on a missing path, a data folder, a file: 'not a cas_snap store', exit 1, nothing made"

# --- snap: its own ref plus latest (item 5), FIFOs reported, the store left out (item 4) ---
run --store st snap data
[ $rc -eq 0 ] || die "snap: rc $rc, $(cat err)"
id1=$(cat out)
grep -q 'skipped data/fifo: a FIFO' err || die "the FIFO was not reported: $(cat err)"
grep -q '1 skipped (FIFOs, sockets, devices)' err || die "no count of skipped entries: $(cat err)"
run --store st snap data
[ $rc -eq 0 ] && [ "$(cat out)" = "$id1" ] || die "second snap: rc $rc"
run --store st refs
[ "$(grep -c '^snap-[0-9]\{8\}-[0-9]\{6\}' out)" -eq 2 ] && grep -q "^latest  *$id1\$" out || die "refs after two snaps: $(cat out)"
step "two snaps: two refs snap-YYYYMMDD-HHMMSS[-N] and latest; FIFO reported and counted"
run --store st snap data v1
[ $rc -eq 0 ] && grep -q 'ref v1 and latest' err || die "snap NAME: $(cat err)"
run --store st snap data v1
[ $rc -eq 1 ] && grep -q 'ref v1 exists' err || die "an existing ref name was overwritten: rc $rc"
# latest is every snap's: naming a snapshot so used to replace it quietly (exit 0)
latest=$(sed -n 's/^latest  *//p' <("$cs" --store st refs))
echo other > data/other
run --store st snap data latest
[ $rc -eq 2 ] && grep -q '^latest: every snap moves this ref' <(sed 's/^cas_snap: //' err) || die "snap NAME latest: rc $rc, $(cat err)"
[ "$(sed -n 's/^latest  *//p' <("$cs" --store st refs))" = "$latest" ] || die "snap NAME latest moved latest"
rm data/other
# a good name that no ref has: 1 (restore said so with the same words as for a name that cannot be one)
run --store st restore nosuch r
[ $rc -eq 1 ] && grep -q 'no ref nosuch in st' err && [ ! -e r ] || die "restore of a missing ref: rc $rc, $(cat err)"
run --store st restore sha256-0000000000000000000000000000000000000000000000000000000000000000 r
[ $rc -eq 1 ] && grep -q 'no snapshot sha256-0000000000000000000000000000000000000000000000000000000000000000 in st' err && [ ! -e r ] ||
    die "restore of an id the store lacks: rc $rc, $(cat err)"
echo changed > data/small2
run --quiet --store st snap data
[ $rc -eq 0 ] && ! grep -qv 'skipped data/fifo' err || die "snap --quiet printed more than its warning: $(cat err)"
run --store st gc
[ $rc -eq 0 ] || die "gc: $(cat err)"
run --store st restore v1 r1
[ $rc -eq 0 ] || die "restore v1 after gc: $(cat err)"
[ ! -e r1/small2 ] && diff <(listing data | grep -v small2) <(listing r1) >/dev/null ||
    die "v1 after gc differs: $(diff <(listing data | grep -v small2) <(listing r1))"
rm data/small2
step "snap NAME, an existing NAME refused, NAME latest refused (exit 2), a missing ref or id named (exit 1), gc keeps every snapshot a ref names (v1 restored after a later snap and gc)"

# --- names with control bytes: one line per message, escaped (they were printed raw) ---
mkdir nl; echo x > nl/$'new\nline'; mkfifo nl/$'fi\nfo\033[2J'
run --store st snap nl
[ $rc -eq 0 ] && [ "$(grep -c '^cas_snap: skipped' err)" -eq 1 ] && grep -qF 'skipped nl/fi\nfo\x1b[2J: a FIFO' err ||
    die "a FIFO named with a newline and ESC: rc $rc, $(cat -v err)"
run --store st restore latest rnl
[ $rc -eq 0 ] && cmp nl/$'new\nline' rnl/$'new\nline' || die "restore of a name with a newline: rc $rc, $(cat err)"
rm -rf nl rnl
step "names with a newline or ESC: warnings on one line, escaped (\\n, \\x1b); such names restore"

# --- restore: contents, permissions, mtimes ---
cmp data/big r1/big && cmp data/sub/deeper/file r1/sub/deeper/file || die "restored contents differ"
[ "$(readlink r1/sub/link)" = ../small ] || die "symlink target"
diff <(listing data) <(listing r1) > diffs || die "times or permissions differ: $(cat diffs)"
step "restore: contents, symlinks, permissions and mtimes (ns) equal the originals ($(listing r1 | wc -l) entries)"
run --store st restore v1 r1
[ $rc -eq 1 ] && grep -q 'r1: it is not empty' err || die "restore into a non-empty folder: rc $rc, $(cat err)"
run --store st restore v1 data/small
[ $rc -eq 1 ] && grep -q 'data/small: it exists and is not a directory' err || die "restore onto a file: rc $rc, $(cat err)"
mkdir empty; run --store st restore v1 empty
[ $rc -eq 0 ] && cmp data/big empty/big || die "restore into an empty folder: $(cat err)"
step "restore into a non-empty folder or onto a file: refused; into an empty folder: ok"

# --- the store inside the snapshotted folder ---
(cd data && "$cs" --quiet snap . inside > ../out 2> ../err) || die "snap . with the store inside: $(cat err)"
(cd data && "$cs" --quiet restore inside ../r2 2> ../err) || die "restore of snap .: $(cat err)"
[ ! -e r2/.cas-store ] || die "snap . stored the store itself"
rm -rf data/.cas-store
step "snap . with the store (./.cas-store) inside: the store is left out"

# --- bad refs stop gc and fail verify (item 2) ---
# objects in a store (loose files and packed ones), as verify counts them
objects() { "$cs" --store "${1:-st}" verify 2> /dev/null | sed -n 's/^\([0-9]*\) objects, .*/\1/p'; }
n=$(objects)
echo garbage > st/refs/v2
run --store st gc
[ $rc -eq 1 ] && grep -q 'bad ref v2: st/refs/v2 does not hold a snapshot id' err && grep -q 'nothing deleted' err ||
    die "gc with a garbage ref: rc $rc, $(cat err)"
[ "$(objects)" -eq "$n" ] || die "gc deleted objects despite a bad ref"
run --store st verify
[ $rc -ne 0 ] && grep -q 'bad ref v2' out || die "verify with a garbage ref: rc $rc, $(cat out err)"
run --store st refs
[ $rc -eq 1 ] && grep -q 'bad ref v2' err || die "refs with a garbage ref: rc $rc"
run --store st ref delete v2
[ $rc -eq 0 ] && [ ! -e st/refs/v2 ] || die "ref delete of a garbage ref: $(cat err)"
run --store st ref delete v2
[ $rc -eq 1 ] && grep -q 'no ref v2' err || die "ref delete of a missing ref: rc $rc"
step "a garbage ref: gc exits 1 naming it and deletes nothing ($n objects kept), verify and refs fail, ref delete removes it"

# the case of issue 12: the only ref is garbage (cas_snap gc used to crash, and would have deleted everything)
rm -rf st-one; "$cs" --quiet --store st-one snap data/sub only > /dev/null || die "snap for the garbage-only test"
rm st-one/refs/latest; echo garbage > st-one/refs/only
n=$(objects st-one)
run --store st-one gc
[ $rc -eq 1 ] && grep -q 'bad ref only' err && [ "$(objects st-one)" -eq "$n" ] ||
    die "gc with only a garbage ref: rc $rc, $(cat err)"
step "the only ref is garbage: gc exits 1 naming it, all $n objects kept"

# --- verify reports missing objects ---
rm -rf st-missing; "$cs" --quiet --store st-missing snap --loose data m1 > /dev/null || die "snap --loose for the missing test"
victim=$(find st-missing/objects -type f | head -n 1)
rm "$victim"
run --store st-missing verify
[ $rc -ne 0 ] && grep -q "^missing $(basename "$victim")" out || die "verify with an object missing: rc $rc, $(cat out)"
step "verify with an object missing: exit $rc, '$(head -c 20 out)...'"

# --- a FIFO where a ref or an object should be (a hostile store): reported, never waited on ---
# (the open of a FIFO waits for a writer: verify, refs and restore hung there; timeout stops them, exit 124)
mkfifo st-missing/refs/fifo
timeout 60 "$cs" --store st-missing refs > out 2> err; rc=$?
[ $rc -eq 1 ] && grep -q 'bad ref fifo: st-missing/refs/fifo cannot be read' err || die "a FIFO as a ref: rc $rc, $(cat err)"
rm st-missing/refs/fifo
victim=$(find st-missing/objects -type f | head -n 1)
rm "$victim"; mkfifo "$victim"
timeout 60 "$cs" --store st-missing verify > out 2> err; rc=$?
[ $rc -eq 1 ] && grep -q "^corrupt $(basename "$victim")" out || die "a FIFO as an object: verify rc $rc, $(cat out err)"
timeout 60 "$cs" --store st-missing restore m1 rfifo > out 2> err; rc=$?
[ $rc -eq 1 ] || die "a FIFO as an object: restore rc $rc, $(cat err)"
step "a FIFO as a ref or an object: refs and verify name it, restore fails (exit 1), nothing waits"

# --- gc with no refs refuses unless --force (item 2) ---
for r in $(ls st/refs); do "$cs" --store st ref delete "$r" || die "ref delete $r"; done
n=$(objects)
run --store st gc
[ $rc -eq 1 ] && grep -q "has no refs: gc would delete all $n objects" err || die "gc with no refs: rc $rc, $(cat err)"
[ "$(objects)" -eq "$n" ] || die "gc with no refs deleted objects"
run --store st gc --dry-run --force
[ $rc -eq 0 ] && grep -q "$n would be deleted" out && [ "$(objects)" -eq "$n" ] || die "gc --dry-run --force: $(cat out err)"
run --store st gc --force
[ $rc -eq 0 ] && [ "$(objects)" -eq 0 ] || die "gc --force: $(cat out err)"
step "gc with no refs: refused ($n objects kept), --dry-run counts, --force deletes"

# --- packs (dx_cas 0.4.0): small objects share pack files; damage is reported, never trusted ---
rm -rf sp; "$cs" --quiet --store sp snap data p1 > /dev/null || die "snap for the pack test"
pack=$(ls sp/packs/*.pack 2> /dev/null | head -n 1)
[ -n "$pack" ] && [ "$(find sp/objects -type f | wc -l)" -eq 0 ] || die "snap wrote no pack: $(ls -R sp)"
n=$(objects sp)
[ "$n" -gt 5 ] || die "verify of a packed store counts $n objects"
cp "$pack" saved.pack
size=$(stat -c %s "$pack")
chmod u+w "$pack"
flip "$pack" $((size - 70)) # inside the index
run --store sp verify
[ $rc -eq 1 ] && grep -q "^bad pack $(basename "$pack")" out || die "verify with a damaged pack index: rc $rc, $(cat out err)"
run --store sp gc
[ $rc -eq 1 ] && grep -q "nothing deleted: sp/packs/$(basename "$pack") is damaged" err || die "gc with a damaged pack: rc $rc, $(cat err)"
# stats used to say "the snapshots the refs name hold 0 bytes", exit 0
run --store sp stats
[ $rc -eq 1 ] && grep -Eq "the snapshot of ref (latest|p1) cannot be read" err && grep -q "could not be read whole" err ||
    die "stats with a damaged pack: rc $rc, $(cat out err)"
cp saved.pack "$pack"
run --store sp verify
[ $rc -eq 0 ] || die "verify of the repaired pack: rc $rc, $(cat out err)"
step "packs: snap writes packs/*.pack and no loose file ($n objects); a damaged pack index: verify names it, gc refuses, stats says what it left out"

# --- the kind of ids (SHA-256 or BLAKE3) comes from the store: verify, stats and gc of a --blake3 store used
# SHA-256 and failed ("this build has no zstd"); a snap without --blake3 wrote SHA-256 ids into it ---
for opt in "" "--compress 0"; do
    rm -rf b3 rb3
    # shellcheck disable=SC2086 # $opt: no argument or two
    run --quiet --store b3 --blake3 $opt snap data/sub s1
    [ $rc -eq 0 ] && grep -q '^blake3-' out || die "snap --blake3 $opt: rc $rc, $(cat out err)"
    run --store b3 verify
    [ $rc -eq 0 ] && grep -Eq ' [1-9][0-9]* manifests, 2 refs: 0 corrupt, 0 missing, 0 bad refs' out || die "verify of a BLAKE3 store ($opt): rc $rc, $(cat out err)"
    run --store b3 stats
    [ $rc -eq 0 ] && grep -q 'dedup ratio' out && [ ! -s err ] || die "stats of a BLAKE3 store ($opt): rc $rc, $(cat out err)"
    run --store b3 gc --dry-run
    [ $rc -eq 0 ] && grep -q ', 0 would be deleted' out || die "gc --dry-run of a BLAKE3 store ($opt): rc $rc, $(cat out err)"
    run --store b3 restore s1 rb3
    [ $rc -eq 0 ] && diff <(listing data/sub) <(listing rb3) > /dev/null || die "restore from a BLAKE3 store ($opt): rc $rc, $(cat err)"
    # shellcheck disable=SC2086
    run --quiet --store b3 $opt snap data s2 # no --blake3: the store's kind
    [ $rc -eq 0 ] && grep -q '^blake3-' out || die "snap into a BLAKE3 store without --blake3 ($opt): rc $rc, $(cat out err)"
    run --store b3 gc
    [ $rc -eq 0 ] || die "gc of a BLAKE3 store ($opt): rc $rc, $(cat out err)"
    run --store b3 verify
    [ $rc -eq 0 ] && grep -q ' 3 refs: 0 corrupt, 0 missing, 0 bad refs' out || die "verify after gc of a BLAKE3 store ($opt): rc $rc, $(cat out err)"
done
rm -rf s256; "$cs" --quiet --store s256 snap data/sub a > /dev/null || die "snap for the SHA-256 store"
state() { find "$1" -printf '%P %y %s %T@\n' | sort; }
state s256 > before
run --store s256 --blake3 snap data/sub b
[ $rc -eq 1 ] && grep -q 's256 holds SHA-256 ids' err && state s256 | diff before - > /dev/null ||
    die "snap --blake3 into a SHA-256 store: rc $rc, $(cat out err)"
"$cs" --store s256 ref delete a && "$cs" --store s256 ref delete latest || die "ref delete in s256"
state s256 > before
run --store s256 --blake3 snap data/sub b # no ref left: its objects say which kind
[ $rc -eq 1 ] && grep -q 's256 holds SHA-256 ids' err && state s256 | diff before - > /dev/null ||
    die "snap --blake3 into a SHA-256 store without refs: rc $rc, $(cat out err)"
"$cs" --quiet --store s256 snap data/sub a > /dev/null || die "snap into a SHA-256 store without refs"
cp b3/refs/s1 s256/refs/other # a store of both kinds (as cas_snap made them before)
for cmd in verify stats "gc --dry-run" "snap data/sub c"; do
    # shellcheck disable=SC2086
    run --store s256 $cmd
    [ $rc -eq 1 ] && grep -q 's256 holds snapshots of both kinds' err || die "'$cmd' on a store of both kinds: rc $rc, $(cat out err)"
done
run --store s256 restore other rmix
[ $rc -eq 1 ] && grep -q 'no snapshot blake3-' err || die "restore of the other kind's ref: rc $rc, $(cat err)"
rm -rf b3 rb3 s256 before
step "a --blake3 store (with and without --compress 0): verify, stats, gc, restore and snap use BLAKE3; --blake3 into a SHA-256 store refused, the store unchanged; a store of both kinds named"

# --- a pack cut short: restore said "no snapshot ...", verify counted every ref whole ---
rm -rf sp2; cp -a sp sp2
for p in sp2/packs/*.pack; do chmod u+w "$p"; truncate -s $(($(stat -c %s "$p") / 2)) "$p"; done
run --store sp2 restore p1 rt
[ $rc -eq 1 ] && grep -q "cannot restore p1: .*damaged" err && ! grep -q 'no snapshot' err || die "restore from a pack cut short: rc $rc, $(cat err)"
run --store sp2 verify
[ $rc -eq 1 ] && grep -q '^bad pack ' out && grep -Eq ' 2 refs: 0 corrupt, [1-9][0-9]* missing' out ||
    die "verify of a pack cut short: rc $rc, $(cat out err)"
rm -rf sp2 rt
step "a pack cut short: restore says the store is damaged, verify counts what the refs miss"

# --- another tool's store (statekeeper's, by its lock file; a dx_sync cache, by outs/): refused, unchanged ---
# (their records name objects where cas_snap's walk does not look: a gc deleted a statekeeper store's history)
for marker in statekeeper.lock outs; do
    rm -rf so; cp -a sp so; rm -f so/dx-tool # a store made before dx-tool (tests/stores_cli.sh: marked ones)
    if [ $marker = outs ]; then mkdir so/outs; else : > so/$marker; fi
    state so > before
    for cmd in gc verify "snap data/sub x" "restore p1 ro"; do
        # shellcheck disable=SC2086
        run --store so $cmd
        [ $rc -eq 1 ] && grep -q 'not a cas_snap store' err && state so | diff before - > /dev/null && [ ! -e ro ] ||
            die "'$cmd' on a store with $marker: rc $rc, $(cat out err)"
    done
done
rm -rf so before
step "another tool's store (statekeeper's, a dx_sync cache): every command refused, the store unchanged"

# --- restore of an id that is no snapshot: a chunk of 1 byte said DX_ERR_TRUNCATED ---
rm -rf s1b r1b; mkdir one; printf x > one/x; head -c 100 /bin/bash > one/y
"$cs" --quiet --store s1b snap --loose one > /dev/null || die "snap for the 1-byte chunk test"
for f in x y; do
    run --store s1b restore "sha256-$(sha256sum < one/$f | cut -d' ' -f1)" r1b
    [ $rc -eq 1 ] && grep -q 'it is not a snapshot' err || die "restore of a $(stat -c %s one/$f)-byte chunk's id: rc $rc, $(cat err)"
done
rm -rf s1b r1b one
step "restore of a chunk's id (1 byte, 100 bytes): 'it is not a snapshot'"

# --- progress: on request, never with --quiet ---
run --progress --store st snap data p1
grep -q '^cas_snap: snap ' err || die "snap --progress: no progress line: $(cat err)"
run --progress --store st verify
grep -q '^cas_snap: verify ' err || die "verify --progress: no progress line: $(cat err)"
run --progress --store st gc --dry-run
grep -q '^cas_snap: gc ' err || die "gc --progress: no progress line: $(cat err)"
run --progress --store st restore p1 r3
grep -q '^cas_snap: restore ' err || die "restore --progress: no progress line: $(cat err)"
run --progress --store st stats
grep -q '^cas_snap: snapshots ' err && grep -q '^cas_snap: objects ' err && grep -q 'dedup ratio' out || die "stats --progress: $(cat out err)"
run --quiet --progress --store st restore p1 r4
[ $rc -eq 0 ] && [ ! -s err ] || die "--quiet still printed: $(cat err)"
step "--progress shows snap, verify, gc, restore and stats progress on stderr; --quiet prints nothing"

# --- runs at once on one store: no ref replaced, nothing a snap needs deleted by a gc ---
# CAS_SNAP_TEST_STOP_BEFORE_REF: the snap stops itself (SIGSTOP) when its objects are stored, before its ref
# stopped PID: waits until PID is stopped or gone
stopped() { while kill -0 "$1" 2> /dev/null && [ "$(cut -d' ' -f3 "/proc/$1/stat" 2> /dev/null)" != T ]; do sleep 0.01; done; }
rm -rf sc; mkdir -p ca cb; echo a > ca/f; echo b > cb/f
"$cs" --quiet --store sc snap ca first > /dev/null || die "snap for the concurrency test"
CAS_SNAP_TEST_STOP_BEFORE_REF=1 "$cs" --store sc snap ca same > outa 2> erra & a=$!
stopped $a
run --store sc snap cb same # the same name while the first run has checked it and not yet written it
idb=$(cat out)
[ $rc -eq 0 ] || die "second snap with the same name: rc $rc, $(cat err)"
kill -CONT $a; wait $a; rca=$?
[ $rca -eq 1 ] && grep -q 'ref same was written by another run meanwhile' erra || die "the first snap's name was taken meanwhile: rc $rca, $(cat erra)"
[ "$(sed -n 's/^same  *//p' <("$cs" --store sc refs))" = "$idb" ] || die "ref same was replaced: $("$cs" --store sc refs)"
# gc while a snap is under way: the snap reuses objects no ref reaches (a deleted ref's), the gc must not delete them
head -c 3000000 /dev/urandom > ca/big
"$cs" --quiet --store sc snap ca gone > /dev/null && "$cs" --store sc ref delete gone && "$cs" --store sc ref delete latest || die "snap and ref delete for the gc test"
CAS_SNAP_TEST_STOP_BEFORE_REF=1 "$cs" --store sc snap ca kept > outa 2> erra & a=$!
stopped $a
"$cs" --store sc gc > outg 2> errg & g=$!
while kill -0 $g 2> /dev/null && ! grep -q 'waiting for the other cas_snap runs on sc' errg; do sleep 0.01; done
kill -CONT $a; wait $a; rca=$?; wait $g; rcg=$?
[ $rca -eq 0 ] && [ $rcg -eq 0 ] || die "snap and gc at once: rc $rca and $rcg, $(cat erra errg)"
run --store sc verify
[ $rc -eq 0 ] || die "gc during a snap deleted what the snap names: $(cat out err)"
run --store sc restore kept rk
[ $rc -eq 0 ] && cmp ca/big rk/big || die "restore of the snap made during a gc: rc $rc, $(cat err)"
step "at once on one store: a snap whose NAME another run took meanwhile fails (exit 1) and the other's ref stays; a gc waits for a snap under way"

# --- a file rewritten while snap reads it: read again, never stored as a mix of two versions ---
# CAS_SNAP_TEST_STOP_MID_READ: the snap stops itself after the first MiB of a file
rm -rf mr; mkdir mr; head -c 3145728 /dev/urandom > mr/big; head -c 3145728 /dev/urandom > new
CAS_SNAP_TEST_STOP_MID_READ=1 "$cs" --store sc snap mr midread > outa 2> erra & a=$!
stopped $a
cat new > mr/big # the same file, the same size, other bytes
kill -CONT $a; wait $a; rca=$?
[ $rca -eq 0 ] || die "snap of a file rewritten mid-read: rc $rca, $(cat erra)"
run --store sc restore midread rmr
[ $rc -eq 0 ] && cmp new rmr/big || die "a file rewritten mid-read was stored as a mix of its versions: $(cat err)"
step "a file rewritten while snap read it: read again, its new version stored whole"

# --- restore never leaves a partial file: a corrupt chunk (item 3) ---
rm -rf st; "$cs" --quiet --store st snap --loose data c1 > /dev/null || die "snap for the corrupt test"
chunk=""
for o in $(find st/objects -type f); do if [ "$(stat -c %s "$o")" -gt 8000 ]; then chunk=$o; break; fi; done
[ -n "$chunk" ] || die "no large chunk found"
flip "$chunk" 1000
run --store st restore c1 rc1
[ $rc -eq 1 ] && grep -q 'cannot restore rc1/big: .*corrupt' err || die "restore with a corrupt chunk: rc $rc, $(cat err)"
[ ! -e rc1/big ] || die "a corrupt chunk left rc1/big ($(stat -c %s rc1/big) bytes)"
[ -z "$(find rc1 -name '.cas_snap-*')" ] || die "temporary files left: $(find rc1 -name '.cas_snap-*')"
cmp data/sub/deeper/file rc1/sub/deeper/file || die "the other files were not restored"
step "restore with a corrupt chunk: exit 1 naming rc1/big, no rc1/big, no temporary file, the rest restored"

# --- restore ended by a signal: the file being written goes, nothing under its name ---
# CAS_SNAP_TEST_STOP_MID_RESTORE: the restore stops itself after the first MiB of a file; SIGTERM (SIGINT,
# SIGHUP alike: a script's background job ignores SIGINT) then ends it
rm -rf st rs; mkdir -p sg; head -c 3145728 /dev/urandom > sg/big
"$cs" --quiet --store st snap sg s1 > /dev/null || die "snap for the signal test"
CAS_SNAP_TEST_STOP_MID_RESTORE=1 "$cs" --store st restore s1 rs > outa 2> erra & a=$!
stopped $a
[ -n "$(find rs -name '.cas_snap-*')" ] || die "a stopped restore: no temporary file to remove ($(ls -A rs))"
kill -TERM $a; kill -CONT $a; wait $a; rca=$?
[ $rca -eq 143 ] || die "a restore ended by SIGTERM: rc $rca, $(cat erra)"
[ ! -e rs/big ] && [ -z "$(find rs -name '.cas_snap-*')" ] || die "a restore ended by SIGTERM left: $(ls -A rs)"
run --store st restore s1 rs2
[ $rc -eq 0 ] && cmp sg/big rs2/big || die "restore after the signalled one: rc $rc, $(cat err)"
step "a restore ended by SIGTERM mid-file: exit 143, neither the file nor its temporary left"

# --- restore never leaves a partial file: a full disk (item 3) ---
rm -rf st; "$cs" --quiet --store st snap data f1 > /dev/null || die "snap for the full-disk test"
mkdir full
if mount -t tmpfs -o size=256k tmpfs full 2>/dev/null; then
    mnt=$dir/full
    run --store st restore f1 full/out
    [ $rc -eq 1 ] && grep -q 'cannot restore full/out/big: No space left on device' err || die "restore on a full disk: rc $rc, $(cat err)"
    [ ! -e full/out/big ] || die "a full disk left full/out/big ($(stat -c %s full/out/big) bytes)"
    [ -z "$(find full -name '.cas_snap-*')" ] || die "temporary files left on the full disk"
    umount full; mnt=""
    step "restore onto a full 256 KiB tmpfs: exit 1 naming full/out/big, no partial file, no temporary file"
else
    echo "SKIP cas_snap restore on a full disk: cannot mount a tmpfs (needs root)"
fi

if [ "$failures" -ne 0 ]; then echo "cas_snap: $failures steps failed"; exit 1; fi
echo "cas_snap: all steps passed"
