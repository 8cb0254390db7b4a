#!/usr/bin/env bash
# tests/sk_spec_reader.sh STATEKEEPER - a second reader of statekeeper's store, written in Python from the
# specifications only (tests/sk_spec_reader.py: statekeeper.c's top comment (STORE FORMAT, CRASH SAFETY,
# COPY FILE, CHUNK LIST, usage), dx_cas.h's WIRE FORMAT (ids, stored forms, packs, packs/index, manifests
# and PARTS manifests, trees, refs, FastCDC, the Merkle tree), dx_teleport.h's and dx_patch.h's WIRE FORMAT
# through tests/hbtp_spec_client.py and tests/patch_spec_reader.py), run against stores the statekeeper
# binary STATEKEEPER makes: a state folder captured 5 times with edits between (deltas of several 4 MiB
# segments, a blob in parts, a sparse file, symlinks, odd names and modes), every version restored by the
# reader and by `statekeeper restore` and compared with the folder at capture, gc --keep, loose objects, a
# packs/index written by the reader, damaged stores (a pack, a loose object, a manifest, a missing object,
# a forged record root) that both must refuse, the COPY FILE and CHUNK LIST of --copy-min.
# Prints one line per test ("KNOWN DISCREPANCY ..." for the program/spec disagreements listed at the top
# of the .py, not counted as failures) and "sk_spec_reader: N passed, N failed, N skipped"; exits non-zero
# on a failure. python3 or its zstandard module missing: SKIP. Scratch data (under 300 MB, each test's removed
# once it passes) in /tmp/skspec/run.<pid>.
set -u
sk=$1
here=$(cd "$(dirname "$0")" && pwd)
# /usr/bin/python3 first: the one the system has (a pyenv shim may come first on PATH)
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3 || true)
if [ -z "$py" ]; then
    echo "SKIP sk_spec_reader: python3 is not installed"
    exit 0
fi
if ! "$py" -c 'import zstandard' 2>/dev/null; then
    echo "SKIP sk_spec_reader: the python3 zstandard module is missing (Debian: python3-zstandard)"
    exit 0
fi
if [ ! -x "$sk" ]; then
    echo "sk_spec_reader: FAIL: $sk is not an executable" >&2
    exit 1
fi
exec "$py" "$here/sk_spec_reader.py" "$sk"
