#!/usr/bin/env bash
# tests/tools_cli.sh PROGRAM - what every example program does as a Unix tool
# (examples/tool.h, README "Command-line tools"), run by tests/run.sh once per
# examples/*.c: --help and -h print a usage to stdout with exit 0; --version
# prints the dx header versions with exit 0; an unknown option exits 2 with the
# usage line on stderr; none of them writes a file. Then the cases the issue
# lists for the program itself, where it has some. Prints what each step checks.
set -u
prog=$1
name=$(basename "$prog")
name=${name#ex-}
name=${name%-nozstd}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prog=$(cd "$(dirname "$prog")" && pwd)/$(basename "$prog")
cd "$work" || exit 1
fails=0
say() { echo "-- $name: $*"; }
bad() { echo "FAIL $name: $*"; fails=$((fails + 1)); }
# run ARGS...: runs the program (stdin empty), sets rc, out, err. The time
# limit only stops a program that ignores its arguments and serves forever
# (reactor_echo once took --help for port 0): exit 124, a failure.
run() {
    timeout 60 "$prog" "$@" </dev/null >"$work/.out" 2>"$work/.err"
    rc=$?
    if [ "$rc" -eq 124 ]; then echo "FAIL $name $*: still running after 60 s, stopped"; exit 1; fi
    out=$(cat "$work/.out")
    err=$(cat "$work/.err")
    rm -f "$work/.out" "$work/.err"
}
# expect RC WHAT: the last run's exit status
expect() {
    [ "$rc" -eq "$1" ] || bad "$2: exit $rc, expected $1 (stdout: ${out:0:200}; stderr: ${err:0:300})"
}
nothing_written() {
    local left
    left=$(ls -A "$work")
    [ -z "$left" ] || bad "$1 left files behind: $left"
}

for h in --help -h; do
    say "$h: usage on stdout, exit 0"
    run "$h"
    expect 0 "$h"
    grep -qi usage <<<"$out" || bad "$h: no 'usage' on stdout"
    nothing_written "$h"
done
run --help
usage_line=$(head -n 1 <<<"$out")

say "--version: the dx header versions, exit 0"
run --version
expect 0 --version
grep -Eq 'dx_[a-z]+\.h [0-9]+\.[0-9]+\.[0-9]+' <<<"$out" || bad "--version: no 'dx_NAME.h X.Y.Z' on stdout: $out"

say "--no-such-option: exit 2, the usage line on stderr"
run --no-such-option
expect 2 --no-such-option
grep -qF -- "$usage_line" <<<"$err" || bad "--no-such-option: the usage line ($usage_line) is not on stderr: $err"
[ -z "$out" ] || bad "--no-such-option: wrote to stdout: $out"
nothing_written --no-such-option

# ---- per program ----
case $name in
teleport_users)
    say "no argument: exit 2, nothing written (it would be 75 MB)"
    run
    expect 2 "no argument"
    nothing_written "no argument"
    say "bad COUNT: exit 2"
    run out.dxtp abc
    expect 2 "COUNT abc"
    nothing_written "COUNT abc"
    say "FILE a directory: says so, exit 1"
    mkdir d
    run d 3
    expect 1 "FILE a directory"
    grep -q 'd is a directory' <<<"$err" || bad "FILE a directory: $err"
    rmdir d
    say "writes FILE, then refuses to overwrite it without -f, overwrites with -f"
    run out.dxtp 100
    expect 0 "write 100 records"
    run out.dxtp 100
    expect 1 "existing FILE without -f"
    grep -q 'out.dxtp exists' <<<"$err" || bad "existing FILE: $err"
    run -f out.dxtp 50
    expect 0 "-f"
    grep -q 'wrote 50 user records to out.dxtp' <<<"$out" || bad "-f: $out"
    left=$(ls -A "$work"); [ "$left" = out.dxtp ] || bad "files left: $left"
    ;;
tp_dump)
    say "--max abc: exit 2; a directory says so (exit 1); a missing file is named (exit 1)"
    run --max abc f
    expect 2 "--max abc"
    mkdir d
    run d
    expect 1 "a directory"
    grep -q 'd is a directory' <<<"$err" || bad "a directory: $err"
    run missing.dxtp
    expect 1 "a missing file"
    grep -q 'missing.dxtp' <<<"$err" || bad "a missing file not named: $err"
    ;;
cas_chunks)
    say "--avg abc: exit 2; --avg 100 (too small): exit 2; a directory says so (exit 1)"
    run --avg abc f
    expect 2 "--avg abc"
    run --avg 100 f
    expect 2 "--avg 100"
    mkdir d
    run d
    expect 1 "a directory"
    grep -q 'd is a directory' <<<"$err" || bad "a directory: $err"
    say "a file and the same bytes on stdin: the same root; --avg 4K changes it"
    head -c 300000 "$prog" >f
    run f
    expect 0 "a file"
    a=${out#f:}
    b=$("$prog" - <f)
    [ "$a" = "${b#-:}" ] || bad "file and stdin differ: $a / $b"
    run --avg 4K f
    expect 0 "--avg 4K"
    [ "${out#f:}" != "$a" ] || bad "--avg 4K: same chunks as the default"
    ;;
reactor_echo)
    say "a bad port (99999, abc): exit 2"
    run 99999
    expect 2 "port 99999"
    run abc
    expect 2 "port abc"
    say "an unknown backend: exit 2; a backend this system lacks (kqueue, iocp on Linux): exit 1, says so"
    run 7777 nosuch
    expect 2 "backend nosuch"
    if [ "$(uname -s)" = Linux ]; then
        for b in kqueue iocp; do
            run 7777 "$b"
            expect 1 "backend $b"
            grep -q "backend $b is not available" <<<"$err" || bad "backend $b: $err"
            run --backend "$b" 0
            expect 1 "--backend $b"
        done
    fi
    ;;
hbtp_loopback)
    say "an argument: exit 2; no argument: the script runs, exit 0"
    run extra
    expect 2 "an argument"
    run
    expect 0 "the script"
    grep -q '^ok: ' <<<"$out" || bad "the script: $out"
    ;;
hbtp_server)
    say "a bad port, a bad worker count, an unknown backend: exit 2"
    run --port 99999
    expect 2 "--port 99999"
    run --workers 0
    expect 2 "--workers 0"
    run --backend nosuch
    expect 2 "--backend nosuch"
    if command -v python3 >/dev/null; then
        say "serving: ECHO, SET, GET, DEL, a missing key, PING over TCP; then SIGINT stops it (exit 0)"
        mkfifo "$work/.fifo"
        "$prog" --port 0 --workers 2 >"$work/.fifo" 2>"$work/.srverr" </dev/null &
        pid=$!
        port="" line=""
        # its first line says the port: wait for that line (60 s: a watchdog only)
        if read -r -t 60 line <"$work/.fifo"; then port=$(sed -n 's/.* port \([0-9]*\), .*/\1/p' <<<"$line"); fi
        if [ -z "$port" ]; then
            bad "serving: no port line: $line $(cat "$work/.srverr")"
        else
            if ! python3 - "$port" <<'PY'
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=60)
def frame(op, stream, payload): return struct.pack("<BBHI", op, 0, stream, len(payload)) + payload
def read():
    def take(n):
        b = b""
        while len(b) < n:
            c = s.recv(n - len(b))
            if not c: raise SystemExit("closed")
            b += c
        return b
    op, fl, st, ln = struct.unpack("<BBHI", take(8))
    return op, st, take(ln)
s.sendall(frame(1, 0, b"HBTP" + bytes([1, 0]) + struct.pack("<HQIHH", 0, 0, 0, 0, 0)))
assert read()[0] == 1
def rpc(st, m, body):
    s.sendall(frame(4, st, struct.pack("<I", m) + body))
    return read()
assert rpc(1, 1, b"hi") == (5, 1, b"\x01\x00\x00\x00hi")
assert rpc(2, 3, struct.pack("<H", 3) + b"key" + b"value")[0] == 5
assert rpc(3, 2, b"key") == (5, 3, b"\x02\x00\x00\x00value")
assert rpc(4, 4, b"key") == (5, 4, b"\x04\x00\x00\x00\x01")
op, st, p = rpc(5, 2, b"key")
assert op == 6 and struct.unpack("<H", p[:2])[0] == 0x8001
s.sendall(frame(2, 0, b"ping"))
assert read() == (3, 0, b"ping")
PY
            then bad "serving: the client's checks failed"; fi
        fi
        kill -INT "$pid" 2>/dev/null
        wait "$pid"
        rc=$?
        [ "$rc" -eq 0 ] || bad "SIGINT: exit $rc ($(cat "$work/.srverr"))"
        grep -q 'stopped: 1 connections, 5 requests' "$work/.srverr" || bad "SIGINT: $(cat "$work/.srverr")"
        rm -f "$work/.fifo" "$work/.srverr"
    else
        echo "SKIP hbtp_server serving: python3 is not installed (make test installs it)"
    fi
    ;;
esac

if [ "$fails" -ne 0 ]; then
    echo "$name: $fails check(s) failed"
    exit 1
fi
echo "$name: ok"
