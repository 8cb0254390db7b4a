#!/bin/sh
# build_hdiffpatch.sh - builds HDiffPatch (hdiffz, hpatchz), a benchmark peer of dx_patch.h, from
# ../shared/third_party/HDiffPatch-505eaa5.tar.gz into build/HDiffPatch-505eaa5/ as
# ../shared/third_party/README.md says (zstd and zlib only; about 30 s on two cores; once).
#
#   sh bench/build_hdiffpatch.sh     prints the folder holding hdiffz and hpatchz on stdout,
#                                    or nothing (and why on stderr) where the tarball is absent
#                                    or the build fails; exit 0 either way
# Needs: make, a C/C++ compiler, zlib1g-dev, libzstd-dev.
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
name=HDiffPatch-505eaa5
tarball=../shared/third_party/$name.tar.gz
dir=build/$name
if [ -x "$dir/hdiffz" ] && [ -x "$dir/hpatchz" ]; then
    echo "$root/$dir"
    exit 0
fi
if [ ! -f "$tarball" ]; then
    echo "build_hdiffpatch.sh: $tarball is absent: no HDiffPatch rows" >&2
    exit 0
fi
mkdir -p build
rm -rf "$dir"
tar xzf "$tarball" -C build/ || { echo "build_hdiffpatch.sh: cannot unpack $tarball: no HDiffPatch rows" >&2; exit 0; }
echo "build_hdiffpatch.sh: building $dir (about 30 s)" >&2
if ! make -C "$dir" -j2 LDEF=0 ZLIB=2 LZMA=0 ZSTD=2 MD5=0 XXH=0 VCD=0 BSD=0 BZIP2=0 DIR_DIFF=0 MT=0 >"$dir/build.log" 2>&1 ||
    [ ! -x "$dir/hdiffz" ] || [ ! -x "$dir/hpatchz" ]; then
    echo "build_hdiffpatch.sh: the build failed (see $dir/build.log): no HDiffPatch rows" >&2
    exit 0
fi
echo "$root/$dir"
