#!/usr/bin/env bash
# tests/sync_spec_client.sh DX_SYNC - a second dx_sync client, written in Python from the
# specifications only (tests/sync_spec_client.py: dx_sync.c's WIRE FORMAT and STORE, dx_hbtp.h,
# dx_teleport.h and dx_patch.h's WIRE FORMAT, dx_cas.h's BLAKE3, FastCDC, Merkle tree and Blobs),
# run against the dx_sync binary DX_SYNC over TCP on 127.0.0.1 (it publishes its own blobs,
# starts `dx_sync serve --port 0` and stops it by pid): ETags computed by the client equal the
# server's roots, offers, listings frame by frame, pipelined chunk READs (raw and zstd), PATCH
# offers applied by tests/patch_spec_reader.py, CHUNKS offers fetching only what is lacking,
# NOT_MODIFIED, every error the spec names, the store's history, format 1 stores, a damaged store.
# Prints one line per test ("KNOWN DISCREPANCY ..." for the server/spec disagreements listed at
# the top of the .py, not counted as failures) and "sync_spec_client: N passed, N failed,
# N skipped"; exits non-zero on a failure. python3 or its zstandard module missing: SKIP.
set -u
server=$1
here=$(cd "$(dirname "$0")" && pwd)
# /usr/bin/python3 first: the one the system has (a pyenv shim may come first on PATH)
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3 || true)
if [ -z "$py" ]; then
    echo "SKIP sync_spec_client: python3 is not installed"
    exit 0
fi
if ! "$py" -c 'import zstandard' 2>/dev/null; then
    echo "SKIP sync_spec_client: the python3 zstandard module is missing (Debian: python3-zstandard)"
    exit 0
fi
if [ ! -x "$server" ]; then
    echo "sync_spec_client: FAIL: $server is not an executable" >&2
    exit 1
fi
exec "$py" "$here/sync_spec_client.py" "$server"
