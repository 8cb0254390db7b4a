#!/usr/bin/env bash
# tests/sync_spec_server.sh DX_SYNC [DXDIFF] - a second dx_sync server, written in Python from the
# specifications only (tests/sync_spec_server.py: dx_sync.c's WIRE FORMAT, dx_hbtp.h, dx_teleport.h;
# BLAKE3, FastCDC and Merkle from tests/sync_spec_client.py), run against the REAL client `DX_SYNC get`
# over TCP on 127.0.0.1 (each server on port 0, its port read from its "READY PORT n", killed by pid):
# first fetch, NOT_MODIFIED, an update fetching only new chunks, PATCH offers (made by the real dxdiff,
# DXDIFF or built here) inline and by READ, compressed offers and chunks, an old server refusing QUERY
# flags, a damaged patch; and a buggy or hostile server (another name, a lying listing, READs answered
# as the wire format does not say, wrong chunks, a bad offer, NOT_MODIFIED for another root, ERRORs,
# GOAWAY, a close mid-transfer): each checks the exit status, the message, OUT byte for byte (as it
# was after a failure) and that nothing is left beside OUT. Prints "ok - ..." or "FAIL ..." per case
# and "sync_spec_server: N passed, N failed"; exits non-zero on a failure. python3 or its zstandard
# module missing: SKIP.
set -u
client=$1
dxdiff=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
# /usr/bin/python3 first: the one the system has (a pyenv shim may come first on PATH)
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3 || true)
if [ -z "$py" ]; then
    echo "SKIP sync_spec_server: python3 is not installed"
    exit 0
fi
if ! "$py" -c 'import zstandard' 2>/dev/null; then
    echo "SKIP sync_spec_server: the python3 zstandard module is missing (Debian: python3-zstandard)"
    exit 0
fi
if [ ! -x "$client" ]; then
    echo "sync_spec_server: FAIL: $client is not an executable" >&2
    exit 1
fi
tmp=$(mktemp -d)
pid=
# shellcheck disable=SC2317 # called by the trap
cleanup() {
    # the driver kills its servers by pid; they also exit when the driver's pipe closes
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
if [ -z "$dxdiff" ]; then
    dxdiff=$tmp/dxdiff
    flags=$(cd "$here/.." && make -s --no-print-directory example-flags-dxdiff) || flags=
    # shellcheck disable=SC2086 # the flags are words
    if ! (cd "$here/.." && gcc -std=c99 -O2 -I. examples/dxdiff.c -o "$dxdiff" $flags); then
        echo "sync_spec_server: FAIL: cannot build dxdiff" >&2
        exit 1
    fi
fi
"$py" "$here/sync_spec_server.py" "$client" "$dxdiff" &
pid=$!
wait "$pid"
rc=$?
pid=
exit "$rc"
