#!/usr/bin/env bash
# fpga_smoke.sh ROOT WORK - CTest rtl/fpga_smoke: scripts/fpga_estimates.sh on
# a tiny configuration (coupling MAC only, ~30 s), then checks its outputs:
# the CSV / JSON files, a Xilinx row with LUTs, an iCE40 Fmax > 0 and a
# non-empty bitstream.  Exits 77 (skipped) without yosys / nextpnr / icepack.
set -euo pipefail
root=$1
work=$2
for t in yosys nextpnr-ice40 icepack; do
  command -v "$t" >/dev/null 2>&1 || { echo "$t not installed: skipped"; exit 77; }
done
rm -rf "$work"
XIL_TOP=mac XIL_POINTS="2:4" MAXN=16 MAXM=120 ICE_MAC=1:8:28:4 ICE_CORE="" \
  bash "$root/scripts/fpga_estimates.sh" "$work"
for f in xilinx.csv ice40.csv time.csv summary.json fpga_estimates.log; do
  [ -s "$work/$f" ] || { echo "fpga_smoke: $f missing or empty"; exit 1; }
done
lut=$(awk -F, 'NR == 2 { print $6 }' "$work/xilinx.csv")
fmax=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "fmax_MHz") c = i } NR == 2 { print $c }' "$work/ice40.csv")
bin=$(ls "$work"/points/*.bin)
echo "fpga_smoke: Xilinx LUT $lut, iCE40 Fmax $fmax MHz, bitstream $(stat -c %s "$bin") bytes"
[ "${lut:-0}" -gt 0 ] || { echo "fpga_smoke: no LUT count"; exit 1; }
awk -v f="$fmax" 'BEGIN { exit !(f > 0) }' || { echo "fpga_smoke: no Fmax"; exit 1; }
[ -s "$bin" ] || { echo "fpga_smoke: empty bitstream"; exit 1; }
grep -q '"fpga_over_physical"' "$work/summary.json" || { echo "fpga_smoke: summary.json lacks the time ratio"; exit 1; }
echo "fpga_smoke: OK"
