#!/usr/bin/env bash
# tests/hbtp_spec_client.sh SERVER - a second HBTP client, written in Python from
# dx_hbtp.h's WIRE FORMAT section only (tests/hbtp_spec_client.py), run against
# the hbtp_server binary SERVER over TCP on 127.0.0.1 (it starts its own servers
# with --port 0 and stops them by pid): HELLO limits, PING, ECHO up to the frame
# limit, the key-value store, 1000 pipelined requests, stream ids past 65535,
# USERS' teleport buffer, HS256 JWTs, every fatal protocol error and the
# answered ones, the rule_s_* vectors, client GOAWAY and a SIGTERM with requests
# in flight. Every frame the server sends is checked against the spec.
# Prints one line per test, "SKIP <what>: <why>" for what it cannot test, and
# "hbtp_spec_client: N passed, N failed, N skipped"; exits non-zero on a failure.
set -u
server=$1
here=$(cd "$(dirname "$0")" && pwd)
# /usr/bin/python3 first: the one the system has (a pyenv shim may come first on PATH)
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3 || true)
if [ -z "$py" ]; then
    echo "SKIP hbtp_spec_client: python3 is not installed"
    exit 0
fi
if [ ! -x "$server" ]; then
    echo "hbtp_spec_client: FAIL: $server is not an executable" >&2
    exit 1
fi
exec "$py" "$here/hbtp_spec_client.py" "$server"
