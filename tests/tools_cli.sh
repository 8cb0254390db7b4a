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
    # hostile files were told by the reader's code name only ("DX_ERR_TRUNCATED at byte offset 0" for an empty one)
    say "an empty file, one that is not a teleport file, a damaged one: exit 1, in words, the code's name after them"
    : >empty
    run empty
    expect 1 "an empty file"
    grep -q 'empty: not a valid teleport file: the file is empty (DX_ERR_TRUNCATED at byte offset 0)' <<<"$err" || bad "an empty file: $err"
    printf 'PK\003\004 not a teleport file, a zip header' >zip
    run zip
    expect 1 "not a teleport file"
    grep -q 'zip: not a valid teleport file: it does not start with DXTP' <<<"$err" || bad "not a teleport file: $err"
    users=$(dirname "$prog")/ex-teleport_users
    if [ -x "$users" ] && "$users" --quiet users.dxtp 5 >/dev/null 2>&1; then
        # one byte of a record flipped: the CRC32C tells it
        printf '\377' | dd of=users.dxtp bs=1 seek=100 conv=notrunc 2>/dev/null
        run users.dxtp
        expect 1 "a damaged file"
        grep -q 'users.dxtp: not a valid teleport file: its CRC32C does not match its bytes: it is damaged (DX_ERR_CHECKSUM' <<<"$err" ||
            bad "a damaged file: $err"
        head -c 50 users.dxtp >short.dxtp
        run short.dxtp
        expect 1 "a truncated file"
        grep -q 'short.dxtp: not a valid teleport file: it ends before its header or its tables do (DX_ERR_TRUNCATED' <<<"$err" ||
            bad "a truncated file: $err"
    fi
    rm -f empty zip users.dxtp short.dxtp
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
    say "names with a newline, an escape sequence, a backslash: one line each, escaped (\\n, \\x1b, \\\\)"
    # printed raw, a newline in a name made two lines of one result, and ESC drove the terminal
    cp f $'new\nline'; cp f $'esc\033[31m'; cp f 'back\slash'
    run $'new\nline'
    expect 0 "a name with a newline"
    [ "$(wc -l <<<"$out")" -eq 1 ] && [ "$out" = "new\\nline:${a}" ] || bad "a name with a newline: $out"
    run $'esc\033[31m'
    [ "$out" = "esc\\x1b[31m:${a}" ] || bad "a name with ESC: $(cat -v <<<"$out")"
    run 'back\slash'
    [ "$out" = "back\\\\slash:${a}" ] || bad "a name with a backslash: $out"
    run $'gone\nfile'
    expect 1 "a missing name with a newline"
    [ "$(wc -l <<<"$err")" -eq 1 ] && grep -qF 'gone\nfile' <<<"$err" || bad "a missing name with a newline: $err"
    rm -f $'new\nline' $'esc\033[31m' 'back\slash'
    ;;
reactor_echo)
    # it said "DX_REACTOR_ERR_ADDRINUSE" only, where hbtp_server says it in words
    if command -v python3 >/dev/null; then
        say "a port in use: exit 1, in words"
        mkfifo "$work/.fifo"
        # a listener until it is stopped (the watchdog: 10 minutes)
        python3 -c 'import socket, time; s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1); print(s.getsockname()[1], flush=True); time.sleep(600)' \
            >"$work/.fifo" </dev/null &
        pid=$!
        port=""
        read -r -t 60 port <"$work/.fifo"
        if [ -z "$port" ]; then
            bad "the listener did not start"
        else
            run "$port"
            expect 1 "port $port in use"
            grep -q "cannot listen on 127.0.0.1:$port: another server listens on the port (DX_REACTOR_ERR_ADDRINUSE)" <<<"$err" ||
                bad "port $port in use: $err"
        fi
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        rm -f "$work/.fifo"
    fi
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
    run --host 1.2.3.4.5
    expect 2 "--host 1.2.3.4.5"
    say "an address that is not this machine's, a backend this system lacks: exit 1, in words (was a DX_ name only; a foreign address was \"ADDRINUSE\")"
    run --host 192.0.2.1 --port 0
    expect 1 "--host 192.0.2.1 (TEST-NET-1)"
    grep -q "192.0.2.1 port 0: the address is not one of this machine's" <<<"$err" || bad "--host 192.0.2.1: $err"
    if [ "$(uname -s)" = Linux ]; then
        run --backend kqueue --port 0
        expect 1 "--backend kqueue"
        grep -q "backend kqueue is not available on this system" <<<"$err" || bad "--backend kqueue: $err"
    fi
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
# values that grow past their room, shrink, reach 1024 bytes and pass it; a key deleted and set again
big = bytes(range(256)) * 4
assert rpc(6, 3, struct.pack("<H", 1) + b"k" + b"ab")[0] == 5
assert rpc(7, 3, struct.pack("<H", 1) + b"k" + big)[0] == 5
assert rpc(8, 2, b"k") == (5, 8, b"\x02\x00\x00\x00" + big)
assert rpc(9, 3, struct.pack("<H", 1) + b"k" + b"xyz")[0] == 5
assert rpc(10, 2, b"k") == (5, 10, b"\x02\x00\x00\x00xyz")
op, st, p = rpc(11, 3, struct.pack("<H", 1) + b"k" + big + b"!")
assert op == 6 and struct.unpack("<H", p[:2])[0] == 10
assert rpc(12, 4, b"k") == (5, 12, b"\x04\x00\x00\x00\x01")
assert rpc(13, 3, struct.pack("<H", 1) + b"k" + b"")[0] == 5
assert rpc(14, 2, b"k") == (5, 14, b"\x02\x00\x00\x00")
keys = [b"key:%05d" % i for i in range(300)]
for i, k in enumerate(keys): assert rpc(15, 3, struct.pack("<H", len(k)) + k + k * (i % 5))[0] == 5
for i, k in enumerate(keys): assert rpc(16, 2, k) == (5, 16, b"\x02\x00\x00\x00" + k * (i % 5))
for k in keys[::2]: assert rpc(17, 4, k) == (5, 17, b"\x04\x00\x00\x00\x01")
for i, k in enumerate(keys):
    op, st, p = rpc(18, 2, k)
    assert (op == 6) if i % 2 == 0 else (p == b"\x02\x00\x00\x00" + k * (i % 5))
s.sendall(frame(2, 0, b"ping"))
assert read() == (3, 0, b"ping")
PY
            then bad "serving: the client's checks failed"; fi
            # the workers' SO_REUSEPORT listeners used to join the running server's: both served, each took part of the clients
            # (its own time limit: one that serves would otherwise outlive this script with the first)
            say "a second server on the port in use: exit 1, says so"
            timeout 10 "$prog" --port "$port" --workers 2 </dev/null >"$work/.out" 2>"$work/.err"
            rc=$? out=$(cat "$work/.out") err=$(cat "$work/.err")
            rm -f "$work/.out" "$work/.err"
            expect 1 "a second server on port $port"
            grep -q "port $port: another server listens on the port" <<<"$err" || bad "a second server on port $port: $err"
        fi
        kill -INT "$pid" 2>/dev/null
        wait "$pid"
        rc=$?
        [ "$rc" -eq 0 ] || bad "SIGINT: exit $rc ($(cat "$work/.srverr"))"
        grep -q 'stopped: 1 connections, 1064 requests' "$work/.srverr" || bad "SIGINT: $(cat "$work/.srverr")"
        rm -f "$work/.fifo" "$work/.srverr"
        # JWT in HELLO (RFC 7515 A.1's key, so its example token can be tried), the
        # teleport RPC and the rate limiter, over real sockets: two servers
        a1key=AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow
        run --jwt-secret x --jwt-secret-b64 "$a1key"
        expect 2 "--jwt-secret with --jwt-secret-b64"
        run --jwt-secret-b64 'not base64!'
        expect 2 "--jwt-secret-b64 with a bad key"
        run --jwt-skew -1
        expect 2 "--jwt-skew -1"
        run --burst 3
        expect 2 "--burst without --rate"
        for mode in strict lenient; do
            if [ $mode = strict ]; then
                say "JWT: valid (WHOAMI, USERS), expired, not yet valid, wrong signature, alg none, malformed, none: over TCP"
                # one worker: one rate limiter, so the tokens below are counted exactly
                set -- --workers 1 --jwt-secret-b64 "$a1key" --jwt-skew 300 --rate 1 --burst 4
            else
                say "JWT: RFC 7515 A.1's token (exp in 2011) accepted with a skew of 2^40 s; --unix"
                set -- --workers 2 --jwt-secret-b64 "$a1key" --jwt-skew 1099511627776 --unix "$work/.sock"
            fi
            mkfifo "$work/.fifo"
            "$prog" --port 0 "$@" >"$work/.fifo" 2>"$work/.srverr" </dev/null &
            pid=$!
            addr="" line=""
            if read -r -t 60 line <"$work/.fifo"; then
                if [ $mode = strict ]; then addr=$(sed -n 's/.* port \([0-9]*\), .*JWT required$/\1/p' <<<"$line")
                else grep -q "unix $work/.sock, .*JWT required" <<<"$line" && addr="$work/.sock"; fi
            fi
            if [ -z "$addr" ]; then
                bad "JWT $mode: no address line: $line $(cat "$work/.srverr")"
            elif ! python3 - "$mode" "$addr" "$a1key" <<'PY'
import base64, hashlib, hmac, json, socket, struct, sys, time
mode, addr, k64 = sys.argv[1], sys.argv[2], sys.argv[3]
key = base64.urlsafe_b64decode(k64 + "=" * (-len(k64) % 4))
def b64(b): return base64.urlsafe_b64encode(b).rstrip(b"=")
def token(header, claims, k=key):
    si = b64(json.dumps(header).encode()) + b"." + b64(json.dumps(claims).encode())
    return si + b"." + b64(hmac.new(k, si, hashlib.sha256).digest())
def frame(op, stream, payload): return struct.pack("<BBHI", op, 0, stream, len(payload)) + payload
class Conn:
    def __init__(self, tok):
        if mode == "strict": self.s = socket.create_connection(("127.0.0.1", int(addr)), timeout=60)
        else:
            self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); self.s.settimeout(60); self.s.connect(addr)
        self.s.sendall(frame(1, 0, b"HBTP" + bytes([1, 0]) + struct.pack("<HQIHH", len(tok), 0, 0, 0, 0) + tok))
    def take(self, n):
        b = b""
        while len(b) < n:
            c = self.s.recv(n - len(b))
            if not c: raise EOFError
            b += c
        return b
    def read(self):
        op, fl, st, ln = struct.unpack("<BBHI", self.take(8))
        return op, st, self.take(ln)
    def rpc(self, st, m, body=b""):
        self.s.sendall(frame(4, st, struct.pack("<I", m) + body))
        return self.read()
def refused(tok, why):
    c = Conn(tok)
    op, st, p = c.read()
    assert op == 6 and st == 0 and struct.unpack("<H", p[:2])[0] == 8, (why, op, st, p)  # ERROR UNAUTHORIZED
    f = c.read()
    assert f[0] == 10 and struct.unpack("<H", f[2][2:4])[0] == 8, (why, f)  # GOAWAY UNAUTHORIZED
    try:
        assert c.s.recv(1) == b"", why  # then closed
    except ConnectionResetError:
        pass
now = int(time.time())
hs = {"alg": "HS256", "typ": "JWT"}
a1 = (b"eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
      b"eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ."
      b"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
if mode == "strict":
    # the rate limiter's bucket holds 4 tokens: 1 for this WHOAMI, 2 for the next
    # connection's WHOAMI and USERS, 1 for the first of its ten pipelined ECHOs
    # within the skew: exp 100 s ago, nbf 100 s ahead (200 s of margin for a slow machine)
    c = Conn(token(hs, {"sub": "bob", "exp": now - 100, "nbf": now + 100}))
    assert c.read()[0] == 1 and c.rpc(1, 5) == (5, 1, struct.pack("<I", 5) + b"bob"), "within the skew"
    c.s.close()
    c = Conn(token(hs, {"sub": "ada", "exp": now + 3600, "nbf": now - 10}))
    assert c.read()[0] == 1  # HELLO|ACK
    assert c.rpc(1, 5) == (5, 1, struct.pack("<I", 5) + b"ada"), "WHOAMI"
    op, st, p = c.rpc(3, 6)
    assert op == 5 and st == 3 and p[4:8] == b"DXTP", ("USERS", op, p[:16])
    # the rate limiter: 3 of the 4 tokens spent, 1 more per second; ten more at once: the first
    # of them is answered, and some later ones are limited (all nine would take 9 s to refill)
    c.s.sendall(b"".join(frame(4, 5 + 2 * i, struct.pack("<I", 1) + b"x") for i in range(10)))
    answers = [c.read() for i in range(10)]
    limited = [a for a in answers if a[0] == 6 and struct.unpack("<H", a[2][:2])[0] == 7]
    assert [a[1] for a in answers] == [5 + 2 * i for i in range(10)], "in order"
    assert answers[0] == (5, 5, struct.pack("<I", 1) + b"x") and 1 <= len(limited) <= 9, ("rate limiter", answers)
    c.s.close()
    refused(token(hs, {"sub": "ada", "exp": now - 3600}), "expired")
    refused(token(hs, {"sub": "ada", "exp": now - 400}), "expired beyond the 300 s skew")
    refused(token(hs, {"sub": "ada", "nbf": now + 3600}), "not yet valid")
    refused(token(hs, {"sub": "ada"}, b"another key"), "wrong signature")
    refused(b64(b'{"alg":"none"}') + b"." + b64(b'{"sub":"root"}') + b".", "alg none")
    refused(token({"alg": "none"}, {"sub": "root"}), "alg none, signed")
    refused(token({"alg": "HS512"}, {"sub": "root"}), "alg HS512")
    refused(b"not.a.token", "malformed")
    refused(b"", "no token")
    refused(a1, "RFC 7515 A.1 (expired in 2011)")
else:
    c = Conn(a1)
    assert c.read()[0] == 1, "A.1 accepted"
    op, st, p = c.rpc(1, 5)
    assert op == 6 and struct.unpack("<H", p[:2])[0] == 0x8003, "A.1 has no sub"
    assert c.rpc(3, 1, b"hi")[2][4:] == b"hi"
PY
            then bad "JWT $mode: the client's checks failed"; fi
            if [ $mode = lenient ] && [ -n "$addr" ]; then
                # it used to replace the socket file: the first server ran on where no client could reach it
                say "a second server on the AF_UNIX path in use: exit 1; the first still takes connections there"
                timeout 10 "$prog" --unix "$addr" --workers 1 </dev/null >"$work/.out" 2>"$work/.err"
                rc=$? out=$(cat "$work/.out") err=$(cat "$work/.err")
                rm -f "$work/.out" "$work/.err"
                expect 1 "a second server on $addr"
                grep -q "another server listens on it" <<<"$err" || bad "a second server on $addr: $err"
                python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).connect(sys.argv[1])' "$addr" 2>/dev/null ||
                    bad "a second server on $addr: the first no longer takes connections there"
            fi
            kill -INT "$pid" 2>/dev/null
            wait "$pid"
            rc=$?
            [ "$rc" -eq 0 ] || bad "JWT $mode: SIGINT: exit $rc ($(cat "$work/.srverr"))"
            if [ $mode = strict ]; then
                grep -q 'tokens refused: 2 malformed, 3 algorithm, 1 signature, 3 expired, 1 not yet valid' "$work/.srverr" ||
                    bad "JWT $mode: the refusal counts: $(cat "$work/.srverr")"
                grep -q 'rate limited: [1-9]' "$work/.srverr" || bad "JWT $mode: the rate limit count: $(cat "$work/.srverr")"
            fi
            rm -f "$work/.fifo" "$work/.srverr" "$work/.sock"
        done
        set --
    else
        echo "SKIP hbtp_server serving: python3 is not installed (make test installs it)"
    fi
    ;;
hbtp_load)
    say "bad usage: --pipeline 0, an unknown mix kind, two servers, more threads than connections, no port: exit 2"
    run --pipeline 0
    expect 2 "--pipeline 0"
    run --mix get:90,fetch:10
    expect 2 "--mix fetch"
    run 127.0.0.1:1 127.0.0.1:2
    expect 2 "two servers"
    run --threads 5 --connections 2
    expect 2 "--threads 5 --connections 2"
    run localhost
    expect 2 "no port"
    run '[localhost]:7070'
    expect 2 "a name in brackets"
    run --duration 0
    expect 2 "--duration 0"
    # it used to write FILE (a rename over it) after the run, whatever was there
    say "--cdf: an existing file, a directory: exit 1 before the run (no server needed), the file as it was"
    echo precious >kept
    run --duration 1 --cdf kept 127.0.0.1:1
    expect 1 "--cdf an existing file"
    grep -q 'kept exists (use -f to overwrite it)' <<<"$err" || bad "--cdf an existing file: $err"
    [ "$(cat kept)" = precious ] || bad "--cdf an existing file: it was changed: $(head -c 200 kept)"
    mkdir d
    run --duration 1 --cdf d 127.0.0.1:1
    expect 1 "--cdf a directory"
    grep -q 'd is a directory' <<<"$err" || bad "--cdf a directory: $err"
    rm -r kept d
    left=$(ls -A "$work"); [ -z "$left" ] || bad "--cdf refused: files left: $left"
    # past ulimit -n, sockets used to fail one by one mid-setup ("failed: socket", no reason), or the run went on with fewer
    say "--connections above ulimit -n: exit 1 before the run, in words; a soft limit below the hard one is raised"
    out=$(bash -c 'ulimit -n 64 && exec "$0" --duration 1 --connections 100 127.0.0.1:1' "$prog" 2>"$work/.err" </dev/null)
    rc=$? err=$(cat "$work/.err")
    rm -f "$work/.err"
    expect 1 "--connections 100 with ulimit -n 64"
    grep -q -- '--connections 100 needs about 140 open files, and this process may open 64 (ulimit -n; its hard limit is 64)' <<<"$err" ||
        bad "--connections 100 with ulimit -n 64: $err"
    hard=$(ulimit -Hn)
    if [ "$hard" = unlimited ] || [ "$hard" -ge 200 ]; then
        out=$(bash -c 'ulimit -Sn 64 && exec "$0" --duration 1 --connections 100 127.0.0.1:1' "$prog" 2>"$work/.err" </dev/null)
        rc=$? err=$(cat "$work/.err")
        rm -f "$work/.err"
        expect 1 "--connections 100 with a soft ulimit -n 64"
        grep -q 'no connection to 127.0.0.1:1 was opened: connect: connection refused' <<<"$err" ||
            bad "--connections 100 with a soft ulimit -n 64 (raised to the need, every connect refused): $err"
    fi
    server=$(dirname "$prog")/ex-hbtp_server
    if [ ! -x "$server" ]; then
        echo "SKIP hbtp_load against hbtp_server: $server is not built"
    elif ! command -v python3 >/dev/null; then
        echo "SKIP hbtp_load against hbtp_server: python3 is not installed (it mints the JWT)"
    else
        # shape_ok FILE: the five lines, requests answered, no error, p50 <= p99 <= p99.9 <= max
        shape_ok() {
            python3 - "$1" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 5, lines
assert re.fullmatch(r"hbtp_load: (unix \S+|[0-9.]+:[0-9]+), \d+ connections, \d+ threads, pipeline \d+, \d+-byte payload, "
                    r"mix [a-z:0-9,]+, [0-9.]+ s, backend [a-z_]+", lines[0]), lines[0]
assert re.fullmatch(r"requests: [1-9]\d* answered \(\d+ not found\), 0 errors, [1-9]\d* requests/s", lines[1]), lines[1]
t = r"[0-9.]+ (us|ms)"
assert re.fullmatch(rf"latency: p50 {t}, p99 {t}, p99\.9 {t}, max {t}", lines[2]), lines[2]
assert re.fullmatch(r"cpu: user [0-9.]+ s, system [0-9.]+ s, [0-9.]+% of one core, \d+ ns per request", lines[3]), lines[3]
kv = dict(x.split("=") for x in lines[4].split()[1:])
assert lines[4].startswith("summary: ") and int(kv["requests"]) > 0 and kv["errors"] == "0" and kv["lost_connections"] == "0", lines[4]
q = [float(kv[k]) for k in ("p50_us", "p99_us", "p999_us", "max_us")]
assert 0 < q[0] <= q[1] <= q[2] <= q[3], q
print(kv["requests"])
PY
        }
        key=c2VjcmV0LWtleS1mb3ItaGJ0cF9sb2Fk
        token=$(python3 - "$key" <<'PY'
import base64, hashlib, hmac, json, sys, time
k = base64.urlsafe_b64decode(sys.argv[1] + "=" * (-len(sys.argv[1]) % 4))
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=")
si = b64(b'{"alg":"HS256","typ":"JWT"}') + b"." + b64(json.dumps({"sub": "load", "exp": int(time.time()) + 3600}).encode())
print((si + b"." + b64(hmac.new(k, si, hashlib.sha256).digest())).decode())
PY
)
        for mode in tcp unix; do
            if [ $mode = tcp ]; then
                say "1 s against hbtp_server over TCP: 4 connections, 2 threads, pipeline 4, get:50,set:50; the output's shape; --cdf -f over a file"
                set -- --port 0 --workers 1
            else
                say "1 s against hbtp_server over AF_UNIX with a JWT: ping, echo and del, 300-byte payloads"
                set -- --unix "$work/.sock" --workers 2 --jwt-secret-b64 "$key"
            fi
            mkfifo "$work/.fifo"
            "$server" "$@" >"$work/.fifo" 2>"$work/.srverr" </dev/null &
            pid=$!
            line="" port=""
            read -r -t 60 line <"$work/.fifo"
            if [ $mode = tcp ]; then
                port=$(sed -n 's/.* port \([0-9]*\), .*/\1/p' <<<"$line")
                echo old >"$work/.cdf"
                [ -n "$port" ] && run --duration 1 --connections 4 --threads 2 --pipeline 4 --mix get:50,set:50 --cdf "$work/.cdf" -f "127.0.0.1:$port"
            else
                port=unix
                grep -q "unix $work/.sock" <<<"$line" || port=""
                [ -n "$port" ] && run --duration 1 --connections 3 --mix ping:1,echo:1,del:1 --size 300 --unix "$work/.sock" --token "$token"
            fi
            if [ -z "$port" ]; then
                bad "$mode: hbtp_server did not start: $line $(cat "$work/.srverr")"
            else
                expect 0 "$mode: a 1 s run"
                printf '%s\n' "$out" >"$work/.loadout"
                if n=$(shape_ok "$work/.loadout" 2>"$work/.shape"); then
                    say "$mode: $n requests answered; $(sed -n 2p "$work/.loadout")"
                else
                    bad "$mode: the output: $(cat "$work/.shape") -- $out"
                fi
                # it said "no request was answered" where every one was answered with an ERROR
                if [ $mode = tcp ]; then
                    say "$mode: SET of 1025-byte values (hbtp_server's limit is 1024): exit 1, the ERROR named"
                    run --duration 1 --connections 1 --mix set --size 1025 "127.0.0.1:$port"
                    expect 1 "$mode: --mix set --size 1025"
                    grep -q 'every request was answered with an ERROR (the first: ERROR 10, "value too long")' <<<"$err" ||
                        bad "$mode: --mix set --size 1025: $err"
                    # it took IP literals only ("bad server address localhost")
                    if getent hosts localhost | grep -q '^127\.0\.0\.1 '; then
                        say "$mode: a host name (localhost:PORT): resolved, its address that takes the connection used"
                        run --duration 1 --connections 2 "localhost:$port"
                        expect 0 "$mode: localhost:$port"
                        grep -q "^hbtp_load: localhost (127\.0\.0\.1) port $port, 2 connections, " <<<"$out" || bad "$mode: localhost:$port: ${out:0:300}"
                    else
                        echo "SKIP hbtp_load by host name: localhost does not resolve to 127.0.0.1 here ($(getent hosts localhost | head -1))"
                    fi
                    run --duration 1 no-such-host.invalid:7070
                    expect 1 "$mode: a name that does not resolve"
                    grep -q '^hbtp_load: cannot find no-such-host.invalid: ' <<<"$err" || bad "$mode: a name that does not resolve: $err"
                fi
                # --cdf: latencies rising, fractions rising to exactly 1
                if [ $mode = tcp ] && ! python3 - "$work/.cdf" <<'PY'
import sys
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1])]
assert rows and all(a[0] < b[0] and a[1] < b[1] for a, b in zip(rows, rows[1:])) and rows[-1][1] == 1.0, rows[-3:]
PY
                then bad "$mode: --cdf's file: $(head -c 300 "$work/.cdf" 2>&1)"; fi
            fi
            kill -INT "$pid" 2>/dev/null
            wait "$pid"
            rc=$?
            [ "$rc" -eq 0 ] || bad "$mode: hbtp_server exit $rc ($(cat "$work/.srverr"))"
            # every request the load generator counted was served (the server counts the drained
            # ones too; PINGs are dx_hbtp's own, not counted: TCP's run has none)
            if [ $mode = tcp ] && [ -n "${n:-}" ]; then
                served=$(sed -n 's/.*stopped: [0-9]* connections, \([0-9]*\) requests.*/\1/p' "$work/.srverr")
                if [ -z "$served" ] || [ "$served" -lt "$n" ]; then
                    bad "$mode: the server served ${served:-?} < $n: $(cat "$work/.srverr")"
                fi
            fi
            n=""
            rm -f "$work/.fifo" "$work/.srverr" "$work/.sock" "$work/.loadout" "$work/.shape" "$work/.cdf"
        done
        set --
        # serve_bg CMD...: CMD in the background (its pid in $pid), its first stdout line in $line
        serve_bg() {
            rm -f "$work/.fifo"
            mkfifo "$work/.fifo"
            "$@" >"$work/.fifo" 2>"$work/.srverr" </dev/null &
            pid=$!
            line=""
            read -r -t 60 line <"$work/.fifo"
            rm -f "$work/.fifo"
        }
        # stop_bg: the server started by serve_bg, by its pid
        stop_bg() { # TERM: a background job of a script ignores SIGINT unless it catches it (hbtp_server does, reactor_echo not)
            kill -TERM "$pid" 2>/dev/null
            wait "$pid" 2>/dev/null
            rm -f "$work/.srverr"
        }
        # no_report WHAT PATTERN: the last run failed (exit 1), printed no report (stdout empty), said PATTERN
        no_report() {
            expect 1 "$1"
            [ -z "$out" ] || bad "$1: a report of nothing on stdout: ${out:0:300}"
            grep -Eq "$2" <<<"$err" || bad "$1: $err"
        }
        # every connection failing used to print a report of zero requests ("656% of one core"), and leave an empty --cdf
        say "no server (a closed port): exit 1, no report, no --cdf file, the reason in words"
        run --duration 1 --connections 4 --cdf c.txt 127.0.0.1:1
        no_report "a closed port" '^hbtp_load: no connection to 127\.0\.0\.1:1 was opened: connect: connection refused'
        [ ! -e c.txt ] || bad "a closed port: --cdf's file written: $(head -c 100 c.txt)"
        left=$(ls -A "$work"); [ -z "$left" ] || bad "a closed port: files left: $left"
        echo_server=$(dirname "$prog")/ex-reactor_echo
        if [ -x "$echo_server" ]; then
            say "a TCP echo server (not HBTP): exit 1, no report, its first bytes shown"
            serve_bg "$echo_server" 0
            port=$(sed -n 's/^reactor_echo: port \([0-9]*\),.*/\1/p' <<<"$line")
            if [ -z "$port" ]; then
                bad "reactor_echo did not start: $line $(cat "$work/.srverr")"
            else
                run --duration 1 --connections 2 "127.0.0.1:$port"
                no_report "an echo server" "no connection to 127\\.0\\.0\\.1:$port was opened: not an HBTP server: its first bytes were \"\\\\x01"
            fi
            stop_bg
        fi
        say "an HTTP server (python3 -m http.server): exit 1, no report, not HBTP in words"
        serve_bg python3 -u -m http.server 0 --bind 127.0.0.1
        port=$(sed -n 's/^Serving HTTP on .* port \([0-9]*\) .*/\1/p' <<<"$line")
        if [ -z "$port" ]; then
            bad "http.server did not start: $line $(cat "$work/.srverr")"
        else
            run --duration 1 --connections 2 "127.0.0.1:$port"
            no_report "an HTTP server" "no connection to 127\\.0\\.0\\.1:$port was opened: (not an HBTP server|no answer to HELLO in the 1 s of the run)"
        fi
        stop_bg
        # a refused connection was "refused (DX_HBTP_ERR_REFUSED)", and the report said "3 connections" where one carried the load
        say "hbtp_server --max-connections 1, three connections: the report says 1 of 3, exit 1, the server's ERROR named"
        serve_bg "$server" --port 0 --workers 1 --max-connections 1
        port=$(sed -n 's/.* port \([0-9]*\), .*/\1/p' <<<"$line")
        if [ -z "$port" ]; then
            bad "hbtp_server --max-connections 1 did not start: $line $(cat "$work/.srverr")"
        else
            run --duration 1 --connections 3 "127.0.0.1:$port"
            expect 1 "--max-connections 1"
            grep -q "^hbtp_load: 127.0.0.1:$port, 1 of 3 connections, " <<<"$out" || bad "--max-connections 1: the report: ${out:0:300}"
            grep -q '^requests: [1-9][0-9]* answered' <<<"$out" || bad "--max-connections 1: nothing answered: ${out:0:300}"
            grep -q '2 of 3 connections failed: refused by the server: ERROR 7, "too many connections"' <<<"$err" ||
                bad "--max-connections 1: $err"
        fi
        stop_bg
        say "hbtp_server --jwt-secret, no --token: exit 1, no report, the refusal and the missing --token said"
        serve_bg "$server" --port 0 --workers 1 --jwt-secret s3cret
        port=$(sed -n 's/.* port \([0-9]*\), .*/\1/p' <<<"$line")
        if [ -z "$port" ]; then
            bad "hbtp_server --jwt-secret did not start: $line $(cat "$work/.srverr")"
        else
            run --duration 1 --connections 2 "127.0.0.1:$port"
            no_report "no --token" 'was opened: refused by the server: ERROR 8, "unauthorized" \(it wants a --token\)'
        fi
        stop_bg
        # a fake HBTP server (python): HELLO|ACK, then each RPC echoed; "serve" prints "busy" on its 11th
        # request, "die N" closes a connection at its request N+1, "errors" answers every second one ERROR 9
        cat >"$work/.fake.py" <<'PY'
import socket, struct, sys, threading
mode, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 0
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(16)
print("port", srv.getsockname()[1], flush=True)
def take(s, k):
    b = b""
    while len(b) < k:
        c = s.recv(k - len(b))
        if not c: raise EOFError
        b += c
    return b
def frame(op, fl, st, p): return struct.pack("<BBHI", op, fl, st, len(p)) + p
def serve(s):
    try:
        op, fl, st, ln = struct.unpack("<BBHI", take(s, 8)); take(s, ln)
        s.sendall(frame(1, 8, 0, b"HBTP" + bytes([1, 0]) + struct.pack("<HQIHH", 0, 0, 4096, 64, 0)))
        count = 0
        while True:
            op, fl, st, ln = struct.unpack("<BBHI", take(s, 8)); p = take(s, ln)
            count += 1
            if mode == "serve" and count == 11: print("busy", flush=True)
            if mode == "die" and count > n: s.close(); return
            if mode == "errors" and count % 2 == 0: s.sendall(frame(6, 0, st, struct.pack("<HH", 9, 0) + b"oops"))
            else: s.sendall(frame(5, 0, st, p))
    except (EOFError, OSError): pass
while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
        # Ctrl-C used to kill it with no report at all, and leave --cdf's temporary file behind
        say "SIGINT during a run: the report of the time until then, a note on stderr, death by SIGINT (130), --cdf written, no temporary file"
        mkfifo "$work/.fifo"
        python3 "$work/.fake.py" serve >"$work/.fifo" 2>"$work/.srverr" </dev/null &
        pid=$!
        exec 3<"$work/.fifo"
        line="" busy=""
        read -r -t 60 line <&3
        port=${line#port }
        if [ -z "$line" ]; then
            bad "SIGINT: the fake server did not start: $(cat "$work/.srverr")"
        else
            # one connection, pipeline 1: its 11th request went out after the 10th answer was counted.
            # timeout passes SIGINT on, and stops (exit 124) one that ignores it: a background job starts so.
            # --foreground: without it, timeout also signals its whole process group, a second SIGINT (which ends it at once)
            timeout --foreground 120 "$prog" --duration 86400 --connections 1 --cdf c.txt "127.0.0.1:$port" >"$work/.out" 2>"$work/.err" </dev/null &
            lpid=$!
            read -r -t 60 busy <&3 || bad "SIGINT: the run never reached 11 requests"
            kill -INT "$lpid"
            wait "$lpid"
            rc=$? out=$(cat "$work/.out") err=$(cat "$work/.err")
            rm -f "$work/.out" "$work/.err"
            expect 130 "SIGINT"
            grep -q '^requests: [1-9][0-9]* answered (0 not found), 0 errors' <<<"$out" || bad "SIGINT: no report: ${out:0:300}"
            grep -q '^summary: requests=[1-9]' <<<"$out" || bad "SIGINT: no summary line: ${out:0:300}"
            grep -q 'interrupted (SIGINT) after [0-9.]* s of the 86400 s run' <<<"$err" || bad "SIGINT: $err"
            [ -s c.txt ] || bad "SIGINT: --cdf's file not written"
            left=$(ls -A "$work" | grep -v '^\.fifo$\|^\.fake\.py$\|^\.srverr$\|^c\.txt$')
            [ -z "$left" ] || bad "SIGINT: files left: $left"
            rm -f c.txt
        fi
        exec 3<&-
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        rm -f "$work/.fifo" "$work/.srverr"
        say "a server that answers 5 requests, then closes: the report counts exactly 5, exit 1, the loss said"
        serve_bg python3 "$work/.fake.py" die 5
        port=${line#port }
        if [ -z "$line" ]; then
            bad "die 5: the fake server did not start: $(cat "$work/.srverr")"
        else
            run --duration 86400 --connections 1 "127.0.0.1:$port"
            expect 1 "die 5"
            grep -q '^requests: 5 answered (0 not found), 0 errors' <<<"$out" || bad "die 5: the report: ${out:0:300}"
            grep -q '1 of 1 connections failed: closed by the server (DX_ERR_CLOSED)' <<<"$err" || bad "die 5: $err"
        fi
        stop_bg
        say "a server that answers every second request with an ERROR: answered and errors counted apart, exit 0, the ERROR named"
        serve_bg python3 "$work/.fake.py" errors
        port=${line#port }
        if [ -z "$line" ]; then
            bad "errors: the fake server did not start: $(cat "$work/.srverr")"
        else
            run --duration 1 --connections 1 "127.0.0.1:$port"
            expect 0 "errors"
            a=$(sed -n 's/^summary: requests=\([0-9]*\) errors=\([0-9]*\) .*/\1 \2/p' <<<"$out")
            # answers alternate: the counts differ by at most one (the last request may be either)
            if [ -z "$a" ] || [ "${a% *}" -lt 1 ] || [ $(( ${a% *} - ${a#* } )) -lt 0 ] || [ $(( ${a% *} - ${a#* } )) -gt 1 ]; then
                bad "errors: answered and errors: ${a:-none}: ${out:0:300}"
            fi
            grep -q 'requests were answered with an ERROR (the first: ERROR 9, "oops")' <<<"$err" || bad "errors: $err"
        fi
        stop_bg
        rm -f "$work/.fake.py"
    fi
    ;;
esac

if [ "$fails" -ne 0 ]; then
    echo "$name: $fails check(s) failed"
    exit 1
fi
echo "$name: ok"
