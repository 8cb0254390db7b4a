#!/usr/bin/env bash
# reactor_ab.sh - the dx echo server of bench/reactor_bench.c built twice, from
# REF's dx_reactor.h ("old") and from the working tree's ("new"), and run
# interleaved in one run: does a change to the header cost throughput?
#
#   bash bench/reactor_ab.sh [REF (main)]      env: ROUNDS (7), MS (1000)
#
# Each round runs every (load, backend) pair for old and new back to back
# (which goes first alternates), the server pinned to CPU 0 and the load
# generator (reactor_bench's own, from the new build) to CPU 1. Prints each
# round, then per pair the medians of msgs/s and of the server's CPU per
# message (utime + stime from /proc over the whole run, warm-up included,
# divided by msgs/s x the run's length), and the median over the rounds of
# the per-round ratio new / old. Loopback only; Linux (taskset, /proc).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
ref=${1:-main}
rounds=${ROUNDS:-7}
ms=${MS:-1000}
out=build/bench/ab
CC=${CC:-cc}
mkdir -p "$out/old"
git show "$ref:dx_reactor.h" >"$out/old/dx_reactor.h"
# "dx_reactor.h" is looked up in bench/ (absent), then in the -I order: old first for the old build
$CC -O2 -DNDEBUG -std=c99 -w -I"$out/old" -I. -Ibench bench/reactor_bench.c -o "$out/bench_old"
$CC -O2 -DNDEBUG -std=c99 -w -I. -Ibench bench/reactor_bench.c -o "$out/bench_new"
tick=$(getconf CLK_TCK)
port=$((21000 + $$ % 8000))
echo "reactor_ab: $ref vs working tree, $rounds rounds of $ms ms; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
res=$out/results.txt
: >"$res"
run_one() { # port version backend n p s -> "msgs/s cpu_ns_per_msg"
    local port=$1 v=$2 b=$3 n=$4 p=$5 s=$6 pid line rate t0 t1 i
    taskset -c 0 "$out/bench_$v" serve "$b" "$port" >/dev/null 2>&1 &
    pid=$!
    for i in $(seq 1 600); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.005; done
    t0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
    line=$(taskset -c 1 "$out/bench_new" load "$port" "$n" "$p" "$s" "$ms" || true)
    t1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null || true
    rate=$(echo "$line" | awk '{ print $1 }')
    awk -v r="${rate:-0}" -v c=$((t1 - t0)) -v hz="$tick" -v ms="$ms" \
        'BEGIN { m = r * (ms + 300) / 1000; printf "%.0f %.0f\n", r, (m > 0 ? c * 1e9 / hz / m : 0) }'
}
for round in $(seq 1 "$rounds"); do
    for load in "64 16 64" "64 1 64"; do
        for b in io_uring epoll; do
            if [ $((round % 2)) -eq 1 ]; then order="old new"; else order="new old"; fi
            for v in $order; do
                # shellcheck disable=SC2086
                port=$((port + 1))
                r=$(run_one "$port" "$v" "$b" $load)
                echo "$round ${load// /,} $b $v $r" | tee -a "$res"
            done
        done
    done
done
echo "reactor_ab: load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "load(N,P,S) backend: old msgs/s | new msgs/s | new/old msgs/s (median of rounds) || old CPU ns/msg | new | new/old CPU (median)"
awk '
    function median(a, n,   i, j, t) { for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
                                       return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2 }
    { k = $2 " " $3; keys[k] = 1; v[k, $4, $1] = $5; c[k, $4, $1] = $6; R[$1] = 1 }
    END {
        for (k in keys) {
            n = 0
            for (r in R) if ((k, "old", r) in v && (k, "new", r) in v && v[k, "old", r] > 0 && v[k, "new", r] > 0) {
                n++; mo[n] = v[k, "old", r]; mn[n] = v[k, "new", r]; rr[n] = v[k, "new", r] / v[k, "old", r]
                co[n] = c[k, "old", r]; cn[n] = c[k, "new", r]; cr[n] = c[k, "old", r] > 0 ? c[k, "new", r] / c[k, "old", r] : 0
            }
            if (!n) { print k ": no complete round"; continue }
            printf "%s: %.0f | %.0f | %.3f || %.0f | %.0f | %.3f  (%d rounds)\n", k, median(mo, n), median(mn, n), median(rr, n),
                   median(co, n), median(cn, n), median(cr, n), n
        }
    }' "$res" | sort
