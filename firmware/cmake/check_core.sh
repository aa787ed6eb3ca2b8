#!/usr/bin/env bash
# check_core.sh MODE CC NM FW_DIR GEN_DIR WORK [SIZE]
# Compile firmware/src/lv_fw.c alone as freestanding C99 and require that the
# object references no external symbol (nm -u prints nothing).  MODE riscv
# cross-compiles for rv32imac/ilp32 (-Os) and reports the code size.
set -euo pipefail
mode=$1 cc=$2 nm=$3 fw=$4 gen=$5 work=$6 size=${7:-}
mkdir -p "$work"
flags=(-std=c99 -ffreestanding -fno-builtin -fno-tree-loop-distribute-patterns -fno-stack-protector
       -pedantic -Wall -Wextra -Werror -I"$fw/include" -I"$gen" -c "$fw/src/lv_fw.c" -o "$work/lv_fw.o")
if [ "$mode" = riscv ]; then
  flags=(-march=rv32imac -mabi=ilp32 -Os -ffunction-sections -fdata-sections "${flags[@]}")
else
  flags=(-O2 "${flags[@]}")
fi
"$cc" "${flags[@]}"
undef=$("$nm" -u "$work/lv_fw.o" || true)
if [ -n "$undef" ]; then
  echo "FAIL: the freestanding core references external symbols:" >&2
  echo "$undef" >&2
  exit 1
fi
echo "ok: $mode lv_fw.o references no external symbol"
if [ -n "$size" ]; then
  "$size" "$work/lv_fw.o"
  "$size" -A "$work/lv_fw.o" | awk '/^\.text/ {t += $2} /^\.rodata/ {r += $2} /^\.s?data/ {d += $2} /^\.s?bss/ {b += $2}
    END {printf "code size (rv32imac -Os): .text %d bytes, .rodata %d bytes, data %d, bss %d\n", t, r, d, b}'
fi
