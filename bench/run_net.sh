#!/bin/sh
# run_net.sh - dx_net.h's server against redis and memcached, over loopback
# (issue 15): examples/hbtp_server.c driven by examples/hbtp_load.c, redis-server 7
# driven by redis-benchmark, memcached 1.6 driven by bench/peers/mc_load.c (its
# binary protocol, HBTP's nearest peer; the same closed loop and histogram as
# hbtp_load, so the clients cost about the same).
#
#   sh bench/run_net.sh [--write-results] [--seconds=N (10)] [--rounds=N (3)] [--depths="1 2 4 8 16 32"] [--smoke]
#
# Each server: one thread (hbtp_server --workers 1, redis-server --io-threads 1,
# memcached -t 1), pinned to CPU 0; the load generator pinned to CPU 1 (with
# fewer than 2 CPUs nothing is pinned, and the figures say so). 64 connections;
# PING, GET and SET with 64-byte values over 10,000 keys, set beforehand; every
# pipeline depth in --depths. Server CPU per request: the server process's user +
# system time (/proc/PID/stat, the counters getrusage reports) over the requests
# answered. Then dx with 2 workers and 2 load threads, unpinned: both share the
# 2 cores, said so beside the figure. --smoke: 1 s runs at depths 1 and 16, to
# check that everything works (figures not for RESULTS.md). --rounds: the three
# servers take turns, round after round (interleaved, so a machine that gets
# busier mid-run weighs on all three alike); the best round of each case counts
# (build/bench/net_all.tsv keeps every round). A run with no answer, or with
# errors, stops the script (exit 1). Writes
# build/bench/net.tsv, the charts bench/net_rps.svg and bench/net_cdf.svg (gnuplot),
# and with --write-results the "net" section of bench/RESULTS.md.
# dx_hbtp_conn alone (rpc64, depth 1) is bench/run_hbtp.sh's figure.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. bench/packages.sh
out=build/bench
CC=${CC:-cc}
OPT="-O2 -DNDEBUG"
seconds=10 depths="1 2 4 8 16 32" write=0 smoke=0 rounds=3
for a in "$@"; do
    case $a in
    --write-results) write=1 ;;
    --seconds=*) seconds=${a#*=} ;;
    --depths=*) depths=${a#*=} ;;
    --rounds=*) rounds=${a#*=} ;;
    --smoke) smoke=1 seconds=1 depths="1 16" rounds=1 ;;
    *) echo "run_net.sh: unknown argument $a" >&2; exit 2 ;;
    esac
done
[ $smoke -eq 1 ] && [ $write -eq 1 ] && { echo "run_net.sh: --smoke figures are not for RESULTS.md" >&2; exit 2; }

install_missing run_net.sh redis-server:redis-server redis-benchmark:redis-tools memcached:memcached gnuplot:gnuplot-nox taskset:util-linux
for t in redis-server redis-benchmark redis-cli memcached; do
    command -v $t >/dev/null 2>&1 || { echo "run_net.sh: $t not found (Debian packages redis-server redis-tools memcached)" >&2; exit 1; }
done

mkdir -p "$out"
echo "run_net.sh: building hbtp_server, hbtp_load and mc_load ($CC $OPT)"
$CC $OPT -std=c99 -Wall -Wextra -D_DEFAULT_SOURCE -I. examples/hbtp_server.c -o "$out/hbtp_server" -lpthread
$CC $OPT -std=c99 -Wall -Wextra -D_DEFAULT_SOURCE -I. examples/hbtp_load.c -o "$out/hbtp_load" -lpthread
$CC $OPT -std=c99 -Wall -Wextra bench/peers/mc_load.c -o "$out/mc_load"

cpus=$(nproc)
if [ "$cpus" -ge 2 ]; then
    pin_srv="taskset -c 0" pin_load="taskset -c 1" pinning="server on CPU 0, load on CPU 1"
else
    pin_srv="" pin_load="" pinning="not pinned (1 CPU): server and load share it"
fi
tick=$(getconf CLK_TCK)
port=17900
tsv=$out/net.tsv
work=$(mktemp -d)
srv_pid=""
cleanup() {
    [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null && wait "$srv_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

# cpu_s PID: the process's user + system seconds so far
cpu_s() { awk -v t="$tick" '{ sub(/^.*\) /, ""); printf "%.3f\n", ($12 + $13) / t }' "/proc/$1/stat"; }

# wait_port PORT: until something listens there (a benchmark, not a test: polling is fine)
wait_port() {
    i=0
    until ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; do
        i=$((i + 1))
        [ $i -gt 100 ] && { echo "run_net.sh: nothing listens on port $1" >&2; cat "$work/srv.out" "$work/srv.err" 2>/dev/null >&2; exit 1; }
        sleep 0.1
    done
}

start_server() { # NAME
    port=$((port + 1))
    case $1 in
    dx) $pin_srv "$out/hbtp_server" --port $port --workers "${workers:-1}" >"$work/srv.out" 2>"$work/srv.err" & ;;
    redis) $pin_srv redis-server --port $port --bind 127.0.0.1 --save '' --appendonly no --io-threads 1 --daemonize no \
        >"$work/srv.out" 2>&1 & ;;
    memcached) # as root memcached wants a user to switch to
        $pin_srv memcached -l 127.0.0.1 -p $port -U 0 -t 1 -m 256 -c 4096 $([ "$(id -u)" = 0 ] && echo "-u nobody") \
            >"$work/srv.out" 2>&1 & ;;
    esac
    srv_pid=$!
    wait_port $port
}

stop_server() {
    kill -INT "$srv_pid" 2>/dev/null || true
    wait "$srv_pid" 2>/dev/null || true
    srv_pid=""
}

# load SERVER WORKLOAD DEPTH [CDF-FILE]: one run; prints "rps p50 p99 p999 requests"
load() {
    s=$1 w=$2 d=$3 cdf=${4:-}
    case $s in
    dx)
        mix=$w
        $pin_load "$out/hbtp_load" --connections 64 --pipeline "$d" --threads "${threads:-1}" --duration "$seconds" --size 64 \
            --mix "$mix" ${cdf:+--cdf "$cdf"} "127.0.0.1:$port" >"$work/load.out"
        sed -n 's/^summary: //p' "$work/load.out" | tr ' ' '\n' | awk -F= '{ v[$1] = $2 } END { print v["rps"], v["p50_us"], v["p99_us"], v["p999_us"], v["requests"] }'
        ;;
    memcached)
        mix=$w
        [ "$w" = ping ] && mix=noop
        $pin_load "$out/mc_load" --connections 64 --pipeline "$d" --duration "$seconds" --size 64 --mix "$mix" \
            ${cdf:+--cdf "$cdf"} "127.0.0.1:$port" >"$work/load.out"
        sed -n 's/^summary: //p' "$work/load.out" | tr ' ' '\n' | awk -F= '{ v[$1] = $2 } END { print v["rps"], v["p50_us"], v["p99_us"], v["p999_us"], v["requests"] }'
        ;;
    redis)
        t=$w
        [ "$w" = ping ] && t=ping_mbulk
        # redis-benchmark runs a count, not a time: a short calibration first
        n=$($pin_load redis-benchmark -p $port -c 64 -P "$d" -n 20000 -t "$t" -d 64 -r 10000 --threads 1 --csv |
            awk -F'"' 'NR == 2 { printf "%d\n", $4 }')
        n=$((n * seconds))
        [ "$n" -lt 1000 ] && n=1000
        $pin_load redis-benchmark -p $port -c 64 -P "$d" -n "$n" -t "$t" -d 64 -r 10000 --threads 1 >"$work/load.out"
        # "  50.000% <= 0.223 milliseconds (cumulative count 1234)" lines: the distribution
        # (the first of its two distributions: "Latency by percentile distribution")
        awk '/Latency by percentile/ { on = 1; next } /Cumulative distribution/ { on = 0 }
             on && /% <= .* milliseconds/ { gsub(/%/, "", $1); printf "%.3f %.6f\n", $3 * 1000, $1 / 100 }' \
            "$work/load.out" >"$work/redis.cdf"
        [ -n "$cdf" ] && cp "$work/redis.cdf" "$cdf"
        rps=$(awk '/requests per second/ { for (i = 2; i <= NF; i++) if ($i == "requests") r = $(i - 1) } END { print r }' "$work/load.out")
        awk -v rps="$rps" -v n="$n" '
            function at(q,   i) { for (i = 1; i <= c; i++) if (f[i] >= q) return us[i]; return us[c] }
            { c++; us[c] = $1; f[c] = $2 }
            END { printf "%s %.2f %.2f %.2f %d\n", rps, at(0.5), at(0.99), at(0.999), n }' "$work/redis.cdf"
        ;;
    esac
}

populate() { # SERVER: 10,000 keys with 64-byte values before the GET runs
    case $1 in
    dx) "$out/hbtp_load" --connections 8 --pipeline 16 --duration 1 --size 64 --mix set "127.0.0.1:$port" >/dev/null ;;
    memcached) "$out/mc_load" --connections 8 --pipeline 16 --duration 1 --size 64 --mix set "127.0.0.1:$port" >/dev/null ;;
    redis) redis-benchmark -p $port -c 8 -P 16 -n 200000 -t set -d 64 -r 10000 -q >/dev/null ;;
    esac
}

all=$out/net_all.tsv
printf 'round\tserver\tworkload\tdepth\trps\tp50_us\tp99_us\tp999_us\tserver_cpu_s\trequests\tcpu_ns_per_req\n' >"$all"
r=1
while [ $r -le "$rounds" ]; do
    for s in dx redis memcached; do
        start_server $s
        populate $s
        for w in ping get set; do
            for d in $depths; do
                c0=$(cpu_s "$srv_pid")
                cdf=""
                [ "$d" = 1 ] && [ "$w" = get ] && cdf=$out/net_cdf_${s}_$r.dat
                set -- $(load $s $w "$d" "$cdf")
                c1=$(cpu_s "$srv_pid")
                if [ $# -lt 5 ] || [ "${5:-0}" -le 0 ] || { [ $s != redis ] && ! grep -q ' errors=0 ' "$work/load.out"; }; then
                    echo "run_net.sh: $s $w depth $d: no answers or errors: $(cat "$work/load.out")" >&2
                    exit 1
                fi
                cpu=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.3f", b - a }')
                ns=$(awk -v c="$cpu" -v n="$5" 'BEGIN { printf "%.0f", (n > 0 ? c * 1e9 / n : 0) }')
                printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' $r $s $w "$d" "$1" "$2" "$3" "$4" "$cpu" "$5" "$ns" | tee -a "$all"
            done
        done
        stop_server
    done
    r=$((r + 1))
done
# the best round of each case (highest requests/s), and its CDF
printf 'server\tworkload\tdepth\trps\tp50_us\tp99_us\tp999_us\tserver_cpu_s\trequests\tcpu_ns_per_req\n' >"$tsv"
awk -F'\t' 'NR > 1 { k = $2 "\t" $3 "\t" $4; if (!(k in best) || $5 + 0 > rps[k]) { best[k] = $0; rps[k] = $5 + 0 }; order[k] = order[k] ? order[k] : ++n; keys[order[k]] = k }
     END { for (i = 1; i <= n; i++) { split(best[keys[i]], f, "\t"); print f[2] "\t" f[3] "\t" f[4] "\t" f[5] "\t" f[6] "\t" f[7] "\t" f[8] "\t" f[9] "\t" f[10] "\t" f[11] } }' \
    "$all" >>"$tsv"
for s in dx redis memcached; do
    r=$(awk -F'\t' -v s=$s 'NR > 1 && $2 == s && $3 == "get" && $4 == 1 { if ($5 + 0 > b) { b = $5 + 0; r = $1 } } END { print r }' "$all")
    [ -n "$r" ] && [ -f "$out/net_cdf_${s}_$r.dat" ] && cp "$out/net_cdf_${s}_$r.dat" "$out/net_cdf_$s.dat"
done

# dx with 2 workers, 2 load threads, nothing pinned: server and load share the 2 cores
workers=2 threads=2 pin_srv="" pin_load=""
start_server dx
populate dx
set -- $(load dx get 16)
printf 'dx-2workers\tget\t16\t%s\t%s\t%s\t%s\t-\t%s\t-\n' "$1" "$2" "$3" "$4" "$5" | tee -a "$tsv"
stop_server
unset workers threads

# charts (with --smoke into build/bench/, not over the committed ones)
charts=bench
[ $smoke -eq 1 ] && charts=$out
if command -v gnuplot >/dev/null 2>&1; then
    for s in dx redis memcached; do
        awk -F'\t' -v s=$s '$1 == s && $2 == "get" { print $3, $4 }' "$tsv" >"$out/net_rps_$s.dat"
    done
    gnuplot <<EOF
set terminal svg size 720,420 font "sans,11"
set output "$charts/net_rps.svg"
set title "GET, 64-byte values, 64 connections, one server thread ($pinning)"
set xlabel "pipeline depth"; set ylabel "requests/s"; set logscale x 2; set key left top; set grid
plot "$out/net_rps_dx.dat" with linespoints title "dx (hbtp_server)", \
     "$out/net_rps_redis.dat" with linespoints title "redis-server", \
     "$out/net_rps_memcached.dat" with linespoints title "memcached (binary)"
set output "$charts/net_cdf.svg"
set title "GET latency at pipeline 1, 64 connections (CDF)"
set xlabel "latency (us)"; set ylabel "fraction of requests at or below"; set logscale x 10; unset logscale y
set key right bottom
plot "$out/net_cdf_dx.dat" with lines title "dx", "$out/net_cdf_redis.dat" with lines title "redis", \
     "$out/net_cdf_memcached.dat" with lines title "memcached"
EOF
    echo "run_net.sh: charts $charts/net_rps.svg $charts/net_cdf.svg"
fi

[ $write -eq 1 ] || { echo "run_net.sh: figures in $tsv (--write-results puts them in bench/RESULTS.md)"; exit 0; }

# the section of RESULTS.md: the table, the ratios against the goals
section=$work/section.md
{
    echo "<!-- BEGIN net -->"
    echo "## dx_net.h: hbtp_server against redis and memcached (bench/run_net.sh)"
    echo
    echo "Measured $(date -u +%Y-%m-%d) on $(nproc) CPUs ($pinning), $seconds s per run, loopback; load average before: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo "redis: $(redis-server --version | cut -d' ' -f3); memcached: $(memcached -V | cut -d' ' -f2); clients: hbtp_load, redis-benchmark, bench/peers/mc_load.c."
    echo
    echo "| server | workload | depth | requests/s | p50 us | p99 us | p99.9 us | server CPU ns/request |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|"
    awk -F'\t' 'NR > 1 { printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $10 }' "$tsv"
    echo
    echo "Goals (issue 15), GET:"
    awk -F'\t' '
        NR > 1 { rps[$1 "/" $2 "/" $3] = $4; cpu[$1 "/" $2 "/" $3] = $10; p99[$1 "/" $2 "/" $3] = $6 }
        function line(what, v, goal, more_is_better) {
            printf "- %s: %.2f (goal %s %.2f): %s\n", what, v, more_is_better ? ">=" : "<=", goal,
                (more_is_better ? v >= goal : v <= goal) ? "reached" : "NOT reached"
        }
        END {
            line("requests/s dx / redis, pipeline 16", rps["dx/get/16"] / rps["redis/get/16"], 2, 1)
            line("requests/s dx / redis, pipeline 1", rps["dx/get/1"] / rps["redis/get/1"], 1.3, 1)
            line("server CPU per request dx / redis, pipeline 16", cpu["dx/get/16"] / cpu["redis/get/16"], 0.5, 0)
            line("server CPU per request dx / memcached, pipeline 16", cpu["dx/get/16"] / cpu["memcached/get/16"], 0.7, 0)
            line("p99 latency dx / redis, pipeline 1", p99["dx/get/1"] / p99["redis/get/1"], 1, 0)
            line("2 workers / 1 worker, pipeline 16 (load on the same 2 cores)", rps["dx-2workers/get/16"] / rps["dx/get/16"], 1.7, 1)
        }' "$tsv"
    echo
    echo "Charts: [requests/s against pipeline depth](net_rps.svg), [latency CDF at pipeline 1](net_cdf.svg)."
    echo "<!-- END net -->"
} >"$section"
if grep -q '^<!-- BEGIN net -->' bench/RESULTS.md; then
    awk -v f="$section" '
        /^<!-- BEGIN net -->/ { while ((getline l < f) > 0) print l; skip = 1; next }
        /^<!-- END net -->/ { skip = 0; next }
        !skip' bench/RESULTS.md >"$work/RESULTS.md"
else
    { cat bench/RESULTS.md; echo; cat "$section"; } >"$work/RESULTS.md"
fi
mv "$work/RESULTS.md" bench/RESULTS.md
echo "run_net.sh: bench/RESULTS.md updated (section net)"
