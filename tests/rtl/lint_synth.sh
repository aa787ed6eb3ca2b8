#!/usr/bin/env bash
# lint_synth.sh RTL_DIR WORK_DIR - static checks of rtl/ (CTest rtl/lint_synth).
#  1. verilator --lint-only -Wall on langevin_core over a parameter matrix
#     (lane counts that divide nothing, capacities that are not powers of
#     two, coupling widths CW, accumulator widths AccW down to 33, below
#     and above CW + 32, coupling_mac's Pair 1 and 0 (Pair 0 with Overlap 0
#     or Serial 1)) and on the FPGA harness rtl/fpga/; any warning
#     fails (no waivers are used); the same on the iterative noise source
#     rtl/noise_source_iter.v for every DigitW and its harness
#     rtl/fpga/ice40_noise_top.v; and on the serial per-unit datapath
#     rtl/unit_serial.v and its harness rtl/fpga/ice40_unit_top.v.
#  2. yosys: synth and synth_ice40 -dsp of noise_source_iter and unit_serial
#     (cell counts printed); read_verilog + the coarse part of synth -top langevin_core at a
#     small capacity (elaboration, processes, FSMs, memory inference, word-
#     level optimisation), and the same for coupling_mac alone at narrow AccW
#     (the truncated-product and sign-extension branches), with Pair 1 and 0.  Gate-level mapping of the whole core takes minutes; it is done
#     by scripts/fpga_estimates.sh (docs/fpga.md), and rtl/fpga_smoke maps
#     the coupling MAC down to an iCE40 bitstream.
# Exits 77 (CTest: skipped) when verilator or yosys is not installed.
set -euo pipefail
rtl=$1
work=$2
command -v verilator >/dev/null 2>&1 || { echo "verilator not installed: skipped"; exit 77; }
command -v yosys >/dev/null 2>&1 || { echo "yosys not installed: skipped"; exit 77; }
rm -rf "$work"
mkdir -p "$work"
cd "$work"
mapfile -t srcs < <(grep -v "^#" "$rtl/core.f")   # the core's sources, rtl/core.f
paths=()
for s in "${srcs[@]}"; do paths+=("$rtl/$s"); done

for cfg in "1 2 1 16 1 64 0 1" "2 64 2016 16 1 64 0 1" "3 40 780 16 1 64 0 1" "5 13 78 4 1 64 0 1" "8 40 780 2 1 64 0 1" \
           "8 4096 8386560 16 1 64 0 1" "7 100 3 8 1 64 0 1" "64 1296 532224 8 1 64 0 1" "1 16 120 4 0 64 0 1" \
           "8 1296 532224 8 0 64 0 1" "1 16 120 4 0 40 0 1" "2 40 780 16 1 40 0 1" "3 40 780 16 1 33 0 1" "5 13 78 4 1 36 0 1" \
           "8 40 780 2 1 33 0 1" "2 40 780 16 0 48 0 1" "3 40 780 16 1 47 0 1" "7 100 3 8 1 63 0 1" \
           "1 16 120 4 0 40 1 1" "2 40 780 16 1 64 1 1" "3 2 1 8 0 33 1 1" \
           "1 16 120 4 0 40 1 0" "3 40 780 16 0 64 0 0" "1 2 1 16 0 64 0 0" "8 40 780 2 0 33 0 0" \
           "7 100 3 8 0 63 0 0" "2 13 78 4 0 47 1 0"; do
  read -r p n m cw ov aw ser pr <<<"$cfg"
  echo "lint: P=$p MaxN=$n MaxM=$m CW=$cw Overlap=$ov AccW=$aw Serial=$ser Pair=$pr"
  verilator --lint-only -Wall -I"$rtl" --top-module langevin_core -GP="$p" -GMaxN="$n" -GMaxM="$m" -GCW="$cw" \
    -GOverlap="$ov" -GAccW="$aw" -GSerial="$ser" -GPair="$pr" "${paths[@]}"
done
for pr in 0 1; do
  echo "lint: fpga/ice40_core_top (the whole core's place-and-route harness, Serial = 1, Pair = $pr)"
  verilator --lint-only -Wall -I"$rtl" --top-module ice40_core_top -GPair="$pr" "${paths[@]}" "$rtl/fpga/ice40_core_top.v"
done
echo "lint: fpga/ice40_mac_top (the place-and-route harness of scripts/fpga_estimates.sh)"
verilator --lint-only -Wall -I"$rtl" --top-module ice40_mac_top "$rtl/lv_ram.v" "$rtl/coupling_mac.v" \
  "$rtl/fpga/ice40_mac_top.v"

for dw in 1 2 4 8 16 32; do
  echo "lint: noise_source_iter DigitW=$dw"
  verilator --lint-only -Wall -I"$rtl" --top-module noise_source_iter -GDigitW="$dw" "$rtl/noise_source_iter.v"
done
verilator --lint-only -Wall -I"$rtl" --top-module noise_source_iter -GSideW=1 "$rtl/noise_source_iter.v"
echo "lint: fpga/ice40_noise_top (place-and-route harness of noise_source_iter)"
verilator --lint-only -Wall -I"$rtl" --top-module ice40_noise_top "$rtl/noise_source_iter.v" "$rtl/fpga/ice40_noise_top.v"

echo "lint: unit_serial and fpga/ice40_unit_top (its place-and-route harness)"
verilator --lint-only -Wall -I"$rtl" --top-module unit_serial "$rtl/unit_serial.v"
verilator --lint-only -Wall -I"$rtl" --top-module ice40_unit_top "$rtl/unit_serial.v" "$rtl/fpga/ice40_unit_top.v"

echo "yosys: synth -top noise_source_iter; synth_ice40 -dsp -top noise_source_iter"
yosys -q -l yosys_nsi.log -p "read_verilog -I$rtl $rtl/noise_source_iter.v; synth -top noise_source_iter" >/dev/null
yosys -q -l yosys_nsi_ice40.log -p "read_verilog -I$rtl $rtl/noise_source_iter.v; synth_ice40 -dsp -top noise_source_iter; stat" >/dev/null
awk '/Number of cells/{n++} n == 1 && /SB_|Number of cells/' yosys_nsi_ice40.log

echo "yosys: synth -top unit_serial; synth_ice40 -dsp -top unit_serial"
yosys -q -l yosys_us.log -p "read_verilog -I$rtl $rtl/unit_serial.v; synth -top unit_serial" >/dev/null
yosys -q -l yosys_us_ice40.log -p "read_verilog -I$rtl $rtl/unit_serial.v; synth_ice40 -dsp -top unit_serial; stat" >/dev/null
awk '/Number of cells/{n++} n == 1 && /SB_|Number of cells/' yosys_us_ice40.log

echo "yosys: synth -top langevin_core -run :fine (P=3, MaxN=8, MaxM=28)"
reads=""
for s in "${paths[@]}"; do reads+="read_verilog -defer -I$rtl $s; "; done
yosys -q -l yosys.log -p "${reads} chparam -set P 3 -set MaxN 8 -set MaxM 28 langevin_core; synth -top langevin_core -run :fine; stat" >/dev/null
# Totals of the design hierarchy (the last stat block of the log).
awk '/=== design hierarchy ===/{f=1} f' yosys.log | grep -E "Number of (wires|cells)|langevin_core|coupling_mac" | head -8 || true
for cfg in "16 33 1 1 1" "4 40 0 1 1" "4 36 1 1 1" "4 40 0 0 0" "16 33 1 0 0" "16 64 1 0 0"; do
  read -r cw aw fr ov pr <<<"$cfg"
  echo "yosys: synth -top coupling_mac -run :fine (P=2, MaxN=8, MaxM=28, CW=$cw, AccW=$aw, FieldRound=$fr, Overlap=$ov, Pair=$pr)"
  yosys -q -l "yosys_mac_${aw}_$pr.log" -p "read_verilog -defer -I$rtl $rtl/lv_ram.v; read_verilog -defer -I$rtl $rtl/coupling_mac.v; \
    chparam -set P 2 -set MaxN 8 -set MaxM 28 -set UnitW 3 -set BankW 4 -set CW $cw -set AccW $aw -set FieldRound $fr \
    -set Overlap $ov -set Pair $pr coupling_mac; synth -top coupling_mac -run :fine; stat" >/dev/null
done
echo "lint_synth: OK"
