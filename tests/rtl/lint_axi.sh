#!/usr/bin/env bash
# lint_axi.sh RTL_DIR GEN_DIR - verilator --lint-only -Wall on langevin_axi
# (CTest rtl/axi_lint) over a parameter matrix, no waivers.  GEN_DIR holds
# the generated lv_regs.vh.  Exits 77 (skipped) without verilator.
set -euo pipefail
rtl=$1
gen=$2
command -v verilator >/dev/null 2>&1 || { echo "verilator not installed: skipped"; exit 77; }
mapfile -t srcs < <(grep -v "^#" "$rtl/core.f")   # the core's sources, rtl/core.f
srcs+=(langevin_axi.v)
paths=()
for s in "${srcs[@]}"; do paths+=("$rtl/$s"); done
for cfg in "1 2 1 64" "3 4096 8388608 64" "3 40 780 64" "5 13 78 64" "8 100 3 64" "2 40 780 40" "3 4096 8388608 48" \
           "1 2 1 33"; do
  read -r p n m aw <<<"$cfg"
  echo "lint: langevin_axi P=$p MaxN=$n MaxM=$m AccW=$aw"
  verilator --lint-only -Wall -I"$rtl" -I"$gen" --top-module langevin_axi -GP="$p" -GMaxN="$n" -GMaxM="$m" -GAccW="$aw" \
    "${paths[@]}"
done
echo "lint_axi: OK"
