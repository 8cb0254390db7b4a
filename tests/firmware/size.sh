#!/usr/bin/env bash
# tests/firmware/size.sh OUTDIR - what firmware pays for each header's core API.
# Every tests/firmware/dx_<stem>.c is a minimal program (entry fw_main) that
# calls the core API a firmware would use; it is linked for Cortex-M4 with
# --gc-sections, so only what it reaches is kept. Prints one line a program:
#   <header> <text> <data> <bss> <total> <goal> <reached|not reached>
# (sizes without fw_libc.c's mem* functions, which a firmware brings itself;
# the last line says what they took).
set -u
cd "$(dirname "$0")/../.."
# -nostdinc with only GCC's own headers, as on a bare-metal SDK (tests/cross.sh does the same).
FLAGS="-mcpu=cortex-m4 -mthumb -ffreestanding -nostdlib -Os -DDX_NO_LIBC -DDX_CAS_NO_STDIO -std=c99
 -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Werror -ffunction-sections -fdata-sections -I.
 -nostdinc -isystem $(arm-none-eabi-gcc -print-file-name=include) -isystem $(arm-none-eabi-gcc -print-file-name=include-fixed)"
if [ "${1:-}" = --flags ]; then echo "$FLAGS -Wl,--gc-sections -Wl,-e,fw_main" | tr -s ' \n' '  '; exit 0; fi
out=${1:-build/firmware}
mkdir -p "$out"
goal() { case $1 in dx_hbtp) echo 4096 ;; dx_reactor) echo 4608 ;; dx_teleport) echo 3072 ;; dx_patch) echo 6144 ;; dx_cas) echo 12288 ;; *) echo 0 ;; esac; }
sizes() { arm-none-eabi-size "$1" | awk 'NR == 2 { print $1, $2, $3 }'; }
rc=0
memsize() {
    local n=0 addr size kind name
    while read -r addr size kind name; do
        case $name in memcpy | memmove | memset | memcmp) n=$((n + 16#$size)) ;; esac
    done < <(arm-none-eabi-nm -S "$1")
    echo "$n"
}
lmax=0
for src in tests/firmware/dx_*.c; do
    [ -f "$src" ] || continue
    stem=$(basename "$src" .c)
    # shellcheck disable=SC2086
    if ! arm-none-eabi-gcc $FLAGS -Wl,--gc-sections -Wl,-e,fw_main "$src" tests/firmware/fw_libc.c -o "$out/$stem.elf" 2>"$out/$stem.log"; then
        echo "$stem.h build failed (log: $out/$stem.log)"; cat "$out/$stem.log" >&2; rc=1; continue
    fi
    read -r t d b <<<"$(sizes "$out/$stem.elf")"
    lt=$(memsize "$out/$stem.elf"); t=$((t - lt)); [ "$lt" -gt "$lmax" ] && lmax=$lt
    total=$((t + d + b)) g=$(goal "$stem")
    verdict="not reached"; [ "$g" -gt 0 ] && [ "$total" -le "$g" ] && verdict=reached
    echo "$stem.h $t $d $b $total $g $verdict"
done
echo "fw_libc.c $lmax 0 0 $lmax 0 -"
exit $rc
