#!/bin/sh
# run_cas.sh - make the corpus (once) and run the dx_cas benchmark (bench/cas_bench.c)
#
#   sh bench/run_cas.sh [--write-results] [--runs=N]
#
# Needs (Debian): gcc python3 openssl coreutils b3sum casync git libzstd-dev; run as root,
# it installs the missing ones. The corpus goes to build/bench/cas/ (once;
# delete that folder to make it anew):
#   v1/   the first 256 MiB of the shared libraries under /usr/lib/x86_64-linux-gnu
#         (regular *.so* files up to 16 MiB, each inode once, sorted by path),
#         copied with their relative paths
#   v2/   v1 with scattered edits (seeded): 3 overwrites of 1..8 bytes in 5% of
#         the files, a 100-byte insertion in 2%, 4 KiB appended to 1%, 1% deleted,
#         10 new files of 100 KiB of random bytes
#   big.bin  v1's files concatenated (the file every tool hashes)
# -O2 -DNDEBUG, no -march: the figures of a portable release build. Takes
# about two minutes (git add and casync make take most of it). CC is honoured.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=build/bench
work=$out/cas
CC=${CC:-cc}
OPT="-O2 -DNDEBUG"

. bench/packages.sh
install_missing run_cas.sh python3:python3 openssl:openssl sha256sum:coreutils b3sum:b3sum casync:casync git:git
for t in python3 openssl sha256sum b3sum git; do
    command -v "$t" >/dev/null 2>&1 || { echo "run_cas.sh: $t not found" >&2; exit 1; }
done
command -v casync >/dev/null 2>&1 || echo "run_cas.sh: casync not found (Debian package casync): its rows are skipped" >&2

mkdir -p "$work"
if [ ! -f "$work/.ready" ]; then
    echo "run_cas.sh: making the corpus in $work"
    rm -rf "$work/v1" "$work/v2" "$work/big.bin"
    python3 - "$work" <<'PY'
import os, random, shutil, sys
work = sys.argv[1]
src = "/usr/lib/x86_64-linux-gnu"
files, seen = [], set()
for dp, dn, fn in os.walk(src):
    dn.sort()
    for f in sorted(fn):
        p = os.path.join(dp, f)
        if ".so" not in f or not os.path.isfile(p) or os.path.islink(p):
            continue
        st = os.stat(p)
        if (st.st_dev, st.st_ino) in seen or st.st_size > (16 << 20):
            continue  # hard links (mesa's dri drivers are one file) and the few giants
        seen.add((st.st_dev, st.st_ino))
        files.append(p)
files.sort()
total, limit = 0, 256 << 20
v1 = os.path.join(work, "v1")
with open(os.path.join(work, "big.bin"), "wb") as big:
    for p in files:
        if total >= limit:
            break
        data = open(p, "rb").read()
        rel = os.path.relpath(p, src)
        dst = os.path.join(v1, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        open(dst, "wb").write(data)
        big.write(data)
        total += len(data)
v2 = os.path.join(work, "v2")
shutil.copytree(v1, v2)
rng = random.Random(20261123)
names = sorted(os.path.relpath(os.path.join(dp, f), v2) for dp, dn, fn in os.walk(v2) for f in fn)
for rel in names:
    p = os.path.join(v2, rel)
    x = rng.random()
    if x < 0.01:
        os.remove(p)
        continue
    data = bytearray(open(p, "rb").read())
    if x < 0.06 and data:
        for _ in range(3):
            at = rng.randrange(len(data))
            for k in range(rng.randint(1, 8)):
                if at + k < len(data):
                    data[at + k] = rng.randrange(256)
    elif x < 0.08:
        at = rng.randrange(len(data) + 1)
        data[at:at] = bytes(rng.randrange(256) for _ in range(100))
    elif x < 0.09:
        data += bytes(rng.randrange(256) for _ in range(4096))
    else:
        continue
    open(p, "wb").write(bytes(data))
os.makedirs(os.path.join(v2, "new"), exist_ok=True)
for i in range(10):
    open(os.path.join(v2, "new", "file%d.bin" % i), "wb").write(rng.randbytes(100 << 10))
print("corpus: %d files, %.1f MiB" % (len(names), total / 1048576))
PY
    touch "$work/.ready"
fi

ZSTD=""
if echo '#include <zstd.h>' | $CC -E - >/dev/null 2>&1; then ZSTD="-DDX_CAS_WITH_ZSTD"; else
    echo "run_cas.sh: zstd.h not found (Debian libzstd-dev): the dx store will not compress chunks" >&2; fi
echo "run_cas.sh: building $out/cas_bench ($CC $OPT $ZSTD)"
# shellcheck disable=SC2086 # $ZSTD is empty or one flag
$CC $OPT $ZSTD -std=c99 -Wall -Wextra -DBENCH_FLAGS="\"$CC $OPT $ZSTD\"" bench/cas_bench.c -o "$out/cas_bench" ${ZSTD:+-lzstd}
echo "run_cas.sh: running $out/cas_bench $*"
exec "$out/cas_bench" --file="$work/big.bin" --v1="$work/v1" --v2="$work/v2" --work="$work" "$@"
