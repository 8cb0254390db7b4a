#!/usr/bin/env bash
# tests/stores_cli.sh CAS_SNAP STATEKEEPER DX_SYNC - no tool writes into, or collects the garbage of,
# another tool's store (examples/tool.h "whose store": STORE/dx-tool, and the files a store made
# before it holds). statekeeper's gc once deleted a dx_sync store's versions, and cas_snap's gc a
# statekeeper store's history: each reads only its own records. For every store kind (cas_snap,
# statekeeper, dx_sync's store and cache), marked and made before the mark, every other tool's
# commands are refused with exit 1 and the store is left byte for byte as it was; each tool still
# opens its own store of either kind, and a writer marks one made before the mark.
set -u
cs=$(realpath "$1") sk=$(realpath "$2") ds=$(realpath "$3")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
die() { echo "FAIL: $*"; exit 1; }
step() { echo "ok - $*"; }
run() { # run PROGRAM ARGS...: rc, and stdout/stderr in out/err (a server that starts is stopped: exit 124)
    timeout 20 "$@" > out 2> err < /dev/null
    rc=$?
}
# every file under a store: path, size, mode, time and content's hash
state() { (cd "$1" && find . -printf '%p %s %m %T@\n' | sort && find . -type f -exec sha256sum {} + | sort); }

mkdir data
head -c 200000 /dev/urandom > data/a
head -c 100000 /dev/zero > data/b
cp data/a file
run "$cs" --quiet --store cs snap data; [ $rc = 0 ] || die "cas_snap snap: $(cat err)"
run "$sk" capture --quiet --store sk --state data; [ $rc = 0 ] || die "statekeeper capture: $(cat err)"
run "$ds" publish --quiet --store ds app file; [ $rc = 0 ] || die "dx_sync publish: $(cat err)"
run "$ds" get --quiet --server 127.0.0.1:1 --cache dc app outfile; [ $rc = 1 ] || die "dx_sync get from no server: exit $rc"
mkdir -p dc/outs # a cache that has written an OUT (made before the mark, this is what tells it)
for s in cs:"cas_snap store" sk:"statekeeper store" ds:"dx_sync store" dc:"dx_sync cache"; do
    [ "$(cat "${s%%:*}/dx-tool" 2>/dev/null)" = "${s#*:}" ] || die "${s%%:*}/dx-tool: '$(cat "${s%%:*}/dx-tool" 2>/dev/null)', expected '${s#*:}'"
done
step "each tool marks the store it makes: cas_snap store, statekeeper store, dx_sync store, dx_sync cache"

# the commands of each tool on store S; the ones on another tool's store must all be refused
port=$((21000 + RANDOM % 900))
cmds_cs=("$cs --store @S@ snap data" "$cs --store @S@ gc" "$cs --store @S@ verify")
cmds_sk=("$sk capture --store @S@ --state data" "$sk gc --keep 1 --store @S@" "$sk verify --store @S@")
cmds_ds=("$ds publish --store @S@ app file" "$ds serve --store @S@ --port $port")
cmds_dc=("$ds get --server 127.0.0.1:1 --cache @S@ app outfile")
refused() { # refused STORE KIND CMD...: each command on a copy of STORE exits 1 naming KIND, the copy unchanged
    local store=$1 kind=$2 c
    shift 2
    for c in "$@"; do
        rm -rf t; cp -a "$store" t; state t > before
        # shellcheck disable=SC2086 # the command is a list of words
        run ${c//@S@/t}
        [ $rc = 1 ] && grep -q "$kind" err || die "'${c//@S@/t}' on a $kind: exit $rc, $(cat out err)"
        state t | diff before - > /dev/null || die "'${c//@S@/t}' changed the $kind it refused"
        [ ! -e outfile ] || die "'${c//@S@/t}' wrote OUT"
    done
}
check_all() { # check_all HOW: every tool's commands on every other tool's stores
    refused cs "cas_snap store" "${cmds_sk[@]}" "${cmds_ds[@]}" "${cmds_dc[@]}"
    refused sk "statekeeper store" "${cmds_cs[@]}" "${cmds_ds[@]}" "${cmds_dc[@]}"
    refused ds "dx_sync store" "${cmds_cs[@]}" "${cmds_sk[@]}" "${cmds_dc[@]}"
    refused dc "dx_sync cache" "${cmds_cs[@]}" "${cmds_sk[@]}" "${cmds_ds[@]}"
    step "$1: every command of every other tool refused (exit 1, the store byte for byte as it was)"
}
check_all "marked stores"

# stores made before the mark: told by their files (statekeeper.lock, refs/latest, a ref's name, outs/)
for s in cs sk ds dc; do rm "$s/dx-tool"; done
check_all "stores made before dx-tool (statekeeper.lock, refs/latest, refs/app, outs/)"

# each tool still opens its own (made before the mark), and a writer marks it
run "$cs" --store cs verify; [ $rc = 0 ] || die "cas_snap verify of its own store: $(cat err)"
run "$sk" verify --store sk; [ $rc = 0 ] || die "statekeeper verify of its own store: $(cat err)"
[ ! -e cs/dx-tool ] && [ ! -e sk/dx-tool ] || die "a reading command marked a store"
run "$cs" --quiet --store cs snap data; [ $rc = 0 ] || die "cas_snap snap into its own store: $(cat err)"
run "$sk" capture --quiet --store sk --state data; [ $rc = 0 ] || die "statekeeper capture into its own store: $(cat err)"
run "$ds" publish --quiet --store ds app data/b; [ $rc = 0 ] || die "dx_sync publish into its own store: $(cat err)"
run "$ds" get --quiet --server 127.0.0.1:1 --cache dc app outfile; [ $rc = 1 ] && grep -q 'cannot connect' err || die "dx_sync get with its own cache: exit $rc, $(cat err)"
for s in cs:"cas_snap store" sk:"statekeeper store" ds:"dx_sync store" dc:"dx_sync cache"; do
    [ "$(cat "${s%%:*}/dx-tool" 2>/dev/null)" = "${s#*:}" ] || die "a write did not mark ${s%%:*}: '$(cat "${s%%:*}/dx-tool" 2>/dev/null)'"
done
step "each tool opens its own store made before the mark; its writers mark it"

# a program's own dx_cas store (refs of its own): not taken for any tool's
rm -rf mine; cp -a ds mine; rm mine/dx-tool; mv mine/refs/app mine/refs/myprog
refused mine "myprog, a dx_sync store's name or another program's ref" "${cmds_cs[@]}" "${cmds_sk[@]}"
step "a store with refs no tool wrote: cas_snap and statekeeper refuse it, naming the ref"
echo "all stores checks passed"
