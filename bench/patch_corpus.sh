#!/usr/bin/env bash
# patch_corpus.sh - builds the file pairs of the dx_patch benchmark into build/bench/patch/
#
#   bash bench/patch_corpus.sh [--force]
#
# Deterministic: fixed seeds (bench/peers/patch_corpus_tool.c, splitmix64) and
# files from this machine's Debian packages, chosen by a fixed rule; the same
# packages give the same bytes (except the core files of pair b, see below).
# Built once: a later run does nothing while build/bench/patch/corpus.md exists
# and was made by this version of the script (--force rebuilds).
#   a  16 MiB of real shared libraries (the .so files of a fixed list of Debian
#      library packages, sorted by path, concatenated, cut at 16 MiB), then 200
#      in-place edits of 1..8 bytes at seeded positions
#   b  a process's memory at two moments: a program with ~60 MiB of structured
#      data (zeros, a record table, text, a hash index with pointers, random
#      bytes, a float matrix) is gcore'd, changes 1.5% of its data pages (a few
#      fields each), and is gcore'd again. The cores also hold the program's
#      stack and libc data, which change too; they depend on addresses (ASLR)
#      and the pid, so pair b differs between builds in those bytes only.
#      Where gcore cannot attach (ptrace refused), the program writes the two
#      states of its data regions itself (raw dumps): corpus.md says which.
#   c  the first 8 MiB of gcc's cc1 with 3 insertions and 2 deletions of
#      8..256 random bytes at seeded positions
#   d  libcrypto.so.3 from two versions of Debian's libssl3 (apt-get download;
#      3.0.20-1~deb12u2 -> 3.0.22-1~deb12u2 where apt still offers them,
#      otherwise the two newest versions apt offers: corpus.md says which)
#   e  20 KiB of libc.so.6 (from offset 1 MiB) with 5 edits of 1..2 bytes
# Real upgrade pairs (issue 13), each from fixed Debian 12 package versions
# fetched with apt-get download into build/bench/patch/debs/ and unpacked
# with dpkg-deb -x there (nothing is installed); a version apt no longer
# offers leaves its pair out, and corpus.md says so:
#   f  libLLVM 14 -> 15: usr/lib/x86_64-linux-gnu/libLLVM-1N.so.1 of libllvm14
#      1:14.0.6-12 and libllvm15 1:15.0.6-4+b1 (two major versions, > 100 MB)
#   g  gcc 11 -> 12: cc1 of cpp-11 11.3.0-12 and cpp-12 12.2.0-14+deb12u1
#   h  two threading models: libopenblasp-r0.3.21.so of libopenblas0-pthread
#      and libopenblas0-openmp 0.3.21+ds-4 (one source, built twice)
#   i  two targets: cc1 of cpp-12 12.2.0-14+deb12u1 (x86_64) and of
#      cpp-12-aarch64-linux-gnu 12.2.0-14cross1 (the aarch64 cross compiler)
#   j  C++ headers 11 -> 12 (text): an uncompressed tar of usr/include of
#      libstdc++-11-dev 11.3.0-12 and libstdc++-12-dev 12.2.0-14+deb12u1
#      (GNU tar, names sorted, mtime 0, owner 0:0: reproducible)
#   k  a .deb across versions (compressed content): the libpython3.11 package
#      files 3.11.2-6+deb12u8 -> 3.11.2-6+deb12u9 themselves
#   l  a security update: libpython3.11.so.1.0 of those two packages
#
# Needs: gcc, gdb (gcore), apt-get + dpkg-deb (pairs d, f-l), GNU tar, coreutils.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
dir=build/bench/patch
version=4 # bump when a pair changes
force=0
[ "${1:-}" = "--force" ] && force=1

if [ $force = 0 ] && [ -f "$dir/corpus.md" ] && grep -q "^<!-- corpus version $version -->" "$dir/corpus.md"; then
    echo "patch_corpus.sh: $dir is up to date (--force rebuilds)"
    exit 0
fi
mkdir -p "$dir"
rm -f "$dir/corpus.md"
CC=${CC:-cc}
tool=$dir/patch_corpus_tool
$CC -O2 -std=c99 -Wall -Wextra -o "$tool" bench/peers/patch_corpus_tool.c

MiB=$((1024 * 1024))
desc=$dir/corpus.md.tmp
: >"$desc"
sha() { sha256sum "$1" | cut -c1-12; }
size() { stat -c %s "$1"; }
say() { printf '%s\n' "$*" >>"$desc"; }

# ---- a: shared libraries with in-place edits ----
a_pkgs="libc6 libstdc++6 libgcc-s1 libzstd1 zlib1g liblzma5 libbz2-1.0 libexpat1 libffi8 libsqlite3-0 libxml2 libpython3.11 libgnutls30 libsystemd0"
list=$dir/a.files
: >"$list"
for p in $a_pkgs; do
    dpkg-query -L "$p" 2>/dev/null || true
done | grep -E '^(/usr)?/lib/x86_64-linux-gnu/[^/]*\.so[.0-9]*$' | while read -r f; do
    f=$(readlink -f "$f")
    [ -f "$f" ] && echo "$f"
done | LC_ALL=C sort -u >"$list"
# not enough of those installed: more libraries from the same folder, in order
if [ "$(xargs -r cat <"$list" 2>/dev/null | wc -c)" -lt $((16 * MiB)) ]; then
    find /usr/lib/x86_64-linux-gnu -maxdepth 1 -type f -name '*.so*' -size -8M | LC_ALL=C sort >>"$list"
fi
xargs cat <"$list" 2>/dev/null | head -c $((16 * MiB)) >"$dir/a.old"
used=0
nfiles=0
while read -r f; do
    [ $used -ge $((16 * MiB)) ] && break
    used=$((used + $(size "$f")))
    nfiles=$((nfiles + 1))
done <"$list"
head -n $nfiles "$list" >"$list.used" && mv "$list.used" "$list"
"$tool" edit "$dir/a.old" "$dir/a.new" 0x61 200 1 8 >/dev/null
say "- **a** (sparse edits): the first 16 MiB of $nfiles shared libraries concatenated (the \`.so\` files of Debian packages $(echo $a_pkgs | sed 's/ /, /g') that are installed, sorted by path; list in $dir/a.files: $(head -n 1 "$list" | xargs basename) ... $(tail -n 1 "$list" | xargs basename)), then 200 in-place edits of 1..8 random bytes at seeded positions. old $(size "$dir/a.old") B (sha256 $(sha "$dir/a.old")), new $(size "$dir/a.new") B ($(sha "$dir/a.new"))."

# ---- b: a process's memory at two moments ----
rm -f "$dir"/b.ready.* "$dir"/b.core.*
bmode=gcore
if command -v gcore >/dev/null 2>&1; then
    "$tool" memimage "$dir/b.ready" 2>/dev/null &
    pid=$!
    for _ in $(seq 1 600); do [ -f "$dir/b.ready.1" ] && break; sleep 0.05; done
    if [ -f "$dir/b.ready.1" ] && gcore -o "$dir/b.core" "$pid" >/dev/null 2>&1 && [ -f "$dir/b.core.$pid" ]; then
        mv "$dir/b.core.$pid" "$dir/b.old"
        kill -USR1 "$pid"
        for _ in $(seq 1 600); do [ -f "$dir/b.ready.2" ] && break; sleep 0.05; done
        if gcore -o "$dir/b.core" "$pid" >/dev/null 2>&1 && [ -f "$dir/b.core.$pid" ]; then
            mv "$dir/b.core.$pid" "$dir/b.new"
        else
            bmode=raw
        fi
    else
        bmode=raw
    fi
    kill -USR1 "$pid" 2>/dev/null || true
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
else
    bmode=raw
fi
rm -f "$dir"/b.ready.* "$dir"/b.core.*
if [ $bmode = raw ]; then
    echo "patch_corpus.sh: gcore could not attach: pair b is the program's own raw dumps" >&2
    "$tool" memimage "$dir/b.ready" --raw "$dir/b.old" "$dir/b.new" 2>/dev/null
fi
bdiff=$(cmp -l "$dir/b.old" "$dir/b.new" 2>/dev/null | awk '{print int(($1 - 1) / 4096)}' | uniq | wc -l)
bpages=$(( ($(size "$dir/b.old") + 4095) / 4096 ))
if [ $bmode = gcore ]; then
    say "- **b** (memory image): two gcore core files of one process (bench/peers/patch_corpus_tool.c memimage) holding ~60 MiB of structured data (12 MiB mostly zeros, a 20 MiB table of 64-byte records, 12 MiB of key=value text, 8 MiB of hash slots and pointers, 4 MiB of random bytes, 4 MiB of doubles); between the two, 1.5% of the data pages get 1..4 field updates each (counters, timestamps, words, pointers, keys). $bdiff of the core's $bpages 4 KiB pages differ. old $(size "$dir/b.old") B ($(sha "$dir/b.old")), new $(size "$dir/b.new") B ($(sha "$dir/b.new")); the cores' stack/libc bytes depend on ASLR and the pid."
else
    say "- **b** (memory image, raw dumps: gcore could not attach here): the 60 MiB of data regions of bench/peers/patch_corpus_tool.c memimage written by the program itself at two moments (12 MiB mostly zeros, a 20 MiB table of 64-byte records, 12 MiB of key=value text, 8 MiB of hash slots and pointers, 4 MiB of random bytes, 4 MiB of doubles); between the two, 1.5% of the data pages get 1..4 field updates each. $bdiff of $bpages 4 KiB pages differ. old $(size "$dir/b.old") B ($(sha "$dir/b.old")), new $(size "$dir/b.new") B ($(sha "$dir/b.new"))."
fi

# ---- c: a binary with insertions and deletions ----
cc1=$($CC -print-prog-name=cc1)
cc1=$(readlink -f "$cc1")
head -c $((8 * MiB)) "$cc1" >"$dir/c.old"
"$tool" shift "$dir/c.old" "$dir/c.new" 0x63 3 2 8 256 >"$dir/c.edits"
say "- **c** (insertions): the first 8 MiB of $cc1 ($(dpkg-query -S "$cc1" 2>/dev/null | cut -d: -f1 | head -n 1) $(dpkg-query -W -f='${Version}' "$(dpkg-query -S "$cc1" 2>/dev/null | cut -d: -f1 | head -n 1)" 2>/dev/null)) with $(tr '\n' ';' <"$dir/c.edits" | sed 's/;$//; s/;/; /g') (random bytes, seeded). old $(size "$dir/c.old") B ($(sha "$dir/c.old")), new $(size "$dir/c.new") B ($(sha "$dir/c.new"))."

# ---- d: two versions of a real library ----
want_old=3.0.20-1~deb12u2
want_new=3.0.22-1~deb12u2
debs=$dir/debs
mkdir -p "$debs"
offered=$(apt-cache madison libssl3 2>/dev/null | awk -F'|' '{gsub(/ /, "", $2); print $2}' | sort -V -u)
if echo "$offered" | grep -qx "$want_old" && echo "$offered" | grep -qx "$want_new"; then
    v_old=$want_old v_new=$want_new
else
    v_old=$(echo "$offered" | tail -n 2 | head -n 1)
    v_new=$(echo "$offered" | tail -n 1)
fi
rm -f "$dir/d.old" "$dir/d.new"
if [ -n "$v_old" ] && [ "$v_old" != "$v_new" ]; then
    for side in old new; do
        v=$(eval echo \$v_$side)
        deb=$(ls "$debs"/libssl3_"$(echo "$v" | sed 's/:/%3a/')"_amd64.deb 2>/dev/null | head -n 1 || true)
        if [ -z "$deb" ]; then
            (cd "$debs" && apt-get download -q "libssl3=$v" >/dev/null 2>&1) || true
            deb=$(ls "$debs"/libssl3_*"$(echo "$v" | sed 's/.*://')"_amd64.deb 2>/dev/null | head -n 1 || true)
        fi
        if [ -n "$deb" ]; then
            rm -rf "$debs/x-$side"
            dpkg-deb -x "$deb" "$debs/x-$side"
            cp "$debs/x-$side/usr/lib/x86_64-linux-gnu/libcrypto.so.3" "$dir/d.$side"
        fi
    done
fi
if [ -f "$dir/d.old" ] && [ -f "$dir/d.new" ]; then
    say "- **d** (release): usr/lib/x86_64-linux-gnu/libcrypto.so.3 of Debian's libssl3 $v_old -> $v_new (apt-get download; two OpenSSL point releases, rebuilt: code moves throughout). old $(size "$dir/d.old") B ($(sha "$dir/d.old")), new $(size "$dir/d.new") B ($(sha "$dir/d.new"))."
else
    rm -f "$dir/d.old" "$dir/d.new"
    echo "patch_corpus.sh: apt offers no two versions of libssl3 to download: no pair d" >&2
    say "- **d** (release): not built: apt-get download found no two versions of libssl3."
fi

# ---- e: a small file with a few changed bytes ----
libc=$(readlink -f /lib/x86_64-linux-gnu/libc.so.6)
dd if="$libc" of="$dir/e.old" bs=1024 skip=1024 count=20 status=none
"$tool" edit "$dir/e.old" "$dir/e.new" 0x65 5 1 2 >/dev/null
say "- **e** (small file): 20 KiB of $libc (libc6 $(dpkg-query -W -f='${Version}' libc6 2>/dev/null)) from offset 1 MiB, with 5 edits of 1..2 random bytes. old $(size "$dir/e.old") B ($(sha "$dir/e.old")), new $(size "$dir/e.new") B ($(sha "$dir/e.new"))."

# ---- f-l: real upgrade pairs from fixed Debian 12 package versions ----
# get_deb NAME VERSION: the unpacked package's folder on stdout (empty if apt
# does not offer that version); the .deb is kept in $debs (DEB_FILE).
get_deb() {
    local name=$1 v=$2 deb x
    x="$debs/x/$name=$v"
    deb=$(ls "$debs/${name}_$(echo "$v" | sed 's/:/%3a/')_amd64.deb" 2>/dev/null | head -n 1 || true)
    if [ -z "$deb" ]; then
        (cd "$debs" && apt-get download -q "$name=$v" >/dev/null 2>&1) || true
        deb=$(ls "$debs/${name}_$(echo "$v" | sed 's/:/%3a/')_amd64.deb" 2>/dev/null | head -n 1 || true)
    fi
    DEB_FILE=$deb
    [ -n "$deb" ] || return 0
    if [ ! -d "$x" ]; then
        rm -rf "$x.tmp"
        mkdir -p "$x.tmp"
        dpkg-deb -x "$deb" "$x.tmp"
        mv "$x.tmp" "$x"
    fi
    echo "$x"
}
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }
sizes() { echo "old $(size "$dir/$1.old") B = $(mb "$(size "$dir/$1.old")") (sha256 $(sha256sum "$dir/$1.old" | cut -d' ' -f1)), new $(size "$dir/$1.new") B = $(mb "$(size "$dir/$1.new")") (sha256 $(sha256sum "$dir/$1.new" | cut -d' ' -f1))"; }
# real_pair ID "DESCRIPTION" PKG_OLD=VER PATH_OLD PKG_NEW=VER PATH_NEW: copies
# PATH_* (inside the unpacked packages) to ID.old / ID.new
real_pair() {
    local id=$1 what=$2 po=$3 fo=$4 pn=$5 fn=$6 xo xn
    rm -f "$dir/$id.old" "$dir/$id.new"
    xo=$(get_deb "${po%%=*}" "${po#*=}")
    xn=$(get_deb "${pn%%=*}" "${pn#*=}")
    if [ -n "$xo" ] && [ -n "$xn" ] && [ -f "$xo/$fo" ] && [ -f "$xn/$fn" ]; then
        cp "$xo/$fo" "$dir/$id.old"
        cp "$xn/$fn" "$dir/$id.new"
        say "- **$id** ($what): $fo of Debian's ${po%%=*} ${po#*=} -> $fn of ${pn%%=*} ${pn#*=} (apt-get download, dpkg-deb -x). $(sizes "$id")."
    else
        echo "patch_corpus.sh: apt offers no ${po} or ${pn} (or the file is missing): no pair $id" >&2
        say "- **$id** ($what): not built: apt-get download found no ${po} or ${pn}."
    fi
}
mkdir -p "$debs/x"
real_pair f "two major versions, > 100 MB" libllvm14=1:14.0.6-12 usr/lib/x86_64-linux-gnu/libLLVM-14.so.1 \
    libllvm15=1:15.0.6-4+b1 usr/lib/x86_64-linux-gnu/libLLVM-15.so.1
real_pair g "compiler, two major versions" cpp-11=11.3.0-12 usr/lib/gcc/x86_64-linux-gnu/11/cc1 \
    cpp-12=12.2.0-14+deb12u1 usr/lib/gcc/x86_64-linux-gnu/12/cc1
real_pair h "two threading models, one source" libopenblas0-pthread=0.3.21+ds-4 usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so \
    libopenblas0-openmp=0.3.21+ds-4 usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblasp-r0.3.21.so
real_pair i "two targets, one compiler version" cpp-12=12.2.0-14+deb12u1 usr/lib/gcc/x86_64-linux-gnu/12/cc1 \
    cpp-12-aarch64-linux-gnu=12.2.0-14cross1 usr/lib/gcc-cross/aarch64-linux-gnu/12/cc1
# j: a tar of the headers, reproducible (names sorted, fixed mtime and owner)
rm -f "$dir/j.old" "$dir/j.new"
jo=$(get_deb libstdc++-11-dev 11.3.0-12)
jn=$(get_deb libstdc++-12-dev 12.2.0-14+deb12u1)
if [ -n "$jo" ] && [ -n "$jn" ]; then
    for side in old new; do
        x=$jo
        [ $side = new ] && x=$jn
        tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=gnu -C "$x" -cf "$dir/j.$side" usr/include
    done
    say "- **j** (text: C++ headers, two major versions): an uncompressed tar of usr/include of Debian's libstdc++-11-dev 11.3.0-12 -> libstdc++-12-dev 12.2.0-14+deb12u1 ($(tar -tf "$dir/j.old" | grep -vc '/$') -> $(tar -tf "$dir/j.new" | grep -vc '/$') files; GNU tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=gnu). $(sizes j)."
else
    echo "patch_corpus.sh: apt offers no libstdc++-11-dev 11.3.0-12 or libstdc++-12-dev 12.2.0-14+deb12u1: no pair j" >&2
    say "- **j** (text: C++ headers): not built: apt-get download found no libstdc++-11-dev=11.3.0-12 or libstdc++-12-dev=12.2.0-14+deb12u1."
fi
# k: the .deb files themselves (their data.tar is xz-compressed)
rm -f "$dir/k.old" "$dir/k.new"
get_deb libpython3.11 3.11.2-6+deb12u8 >/dev/null
ko=$DEB_FILE
get_deb libpython3.11 3.11.2-6+deb12u9 >/dev/null
kn=$DEB_FILE
if [ -n "$ko" ] && [ -n "$kn" ]; then
    cp "$ko" "$dir/k.old"
    cp "$kn" "$dir/k.new"
    say "- **k** (compressed: a .deb across versions): the package files $(basename "$ko") -> $(basename "$kn") (apt-get download; data.tar.xz inside). $(sizes k)."
else
    echo "patch_corpus.sh: apt offers no libpython3.11 3.11.2-6+deb12u8 or +deb12u9: no pair k" >&2
    say "- **k** (compressed: a .deb across versions): not built: apt-get download found no libpython3.11=3.11.2-6+deb12u8 or =3.11.2-6+deb12u9."
fi
real_pair l "security update, same version rebuilt" libpython3.11=3.11.2-6+deb12u8 usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0 \
    libpython3.11=3.11.2-6+deb12u9 usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0

{ echo "<!-- corpus version $version -->"; cat "$desc"; } >"$dir/corpus.md"
rm -f "$desc"
echo "patch_corpus.sh: built $dir:"
sed 1d "$dir/corpus.md"
