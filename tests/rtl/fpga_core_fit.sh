#!/usr/bin/env bash
# fpga_core_fit.sh ROOT WORK - CTest rtl/fpga_core_fit: the whole core in its
# small-FPGA profile still places and routes on an iCE40 UP5K (docs/fpga.md
# §2.2: scripts/fpga_estimates.sh's default ICE_CORE point, Serial 1, AccW 40,
# Pair 0; ~2 min), with an Fmax and a bitstream.  It fails when a change makes
# the core outgrow the part, and prints the cells it needs either way.  Exits
# 77 (skipped) without yosys / nextpnr / icepack.
set -euo pipefail
root=$1
work=$2
for t in yosys nextpnr-ice40 icepack; do
  command -v "$t" >/dev/null 2>&1 || { echo "$t not installed: skipped"; exit 77; }
done
rm -rf "$work"
XIL_POINTS="" ICE_MAC=1:8:28:4 bash "$root/scripts/fpga_estimates.sh" "$work" >/dev/null
col() { awk -F, -v n="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == n) c = i } $1 == "core_serial_harness" { print $c }' "$work/ice40.csv"; }
lc=$(col placed_LC); fmax=$(col fmax_MHz); bit=$(col bitstream)
echo "fpga_core_fit: logic cells $lc, Fmax ${fmax:-none} MHz, bitstream: $bit"
[ -n "$fmax" ] && awk -v f="$fmax" 'BEGIN { exit !(f > 0) }' || { echo "fpga_core_fit: the core does not fit the UP5K any more"; exit 1; }
bin=$(ls "$work"/points/ice40_core_serial_*.bin)
[ -s "$bin" ] || { echo "fpga_core_fit: empty bitstream"; exit 1; }
echo "fpga_core_fit: OK"
