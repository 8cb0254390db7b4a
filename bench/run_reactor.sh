#!/bin/sh
# run_reactor.sh - build and run the dx_reactor benchmark: bench/reactor_bench.c
# (the dx echo server and the load generator) against the echo servers in
# bench/peers/reactor_peer_{liburing,uv,epoll}.c.
#
#   sh bench/run_reactor.sh [--write-results] [--ms=N] [--rounds=N (7)] [--no-profile]
#
# Needs (Debian): liburing-dev libuv1-dev, and two CPUs (servers on CPU 0,
# the load on CPU 1). Loopback only. Builds into build/bench/, -O2 -DNDEBUG.
# Every argument is passed to the program. CC is honoured.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=build/bench
CC=${CC:-cc}
OPT="-O2 -DNDEBUG"

for h in liburing.h uv.h; do
    if ! printf '#include <%s>\n' "$h" | $CC -E -x c - >/dev/null 2>&1; then
        echo "run_reactor.sh: <$h> not found (Debian packages liburing-dev libuv1-dev)" >&2
        exit 1
    fi
done
mkdir -p "$out"
echo "run_reactor.sh: building $out/reactor_bench and the peers ($CC $OPT)"
$CC $OPT -std=c99 -Wall -Wextra -I. -Ibench bench/reactor_bench.c -o "$out/reactor_bench"
$CC $OPT -Wall -Wextra -Ibench/peers bench/peers/reactor_peer_epoll.c -o "$out/reactor_peer_epoll"
$CC $OPT -Wall -Wextra -Ibench/peers bench/peers/reactor_peer_liburing.c -o "$out/reactor_peer_liburing" -luring
$CC $OPT -Wall -Wextra -Ibench/peers bench/peers/reactor_peer_uv.c -o "$out/reactor_peer_uv" -luv
echo "run_reactor.sh: running $out/reactor_bench $*"
exec "$out/reactor_bench" --peers="$out" "$@"
