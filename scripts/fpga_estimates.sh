#!/usr/bin/env bash
# FPGA estimates of the RTL (issue 4; docs/fpga.md shows the results):
#  1. yosys synth_xilinx resource counts (LUT, FF, CARRY4, DSP48E1, RAMB36E1 /
#     RAMB18E1, LUTRAM) of langevin_core at the paper size (MaxN 1296,
#     MaxM 532,224) for each lane count P and coupling width CW of XIL_POINTS;
#  2. synth_ice40 + nextpnr-ice40 (UP5K) place-and-route of the coupling MAC
#     array (rtl/fpga/ice40_mac_top.v: coupling_mac behind a serial harness)
#     at a size that fits, its reported Fmax, and an icepack bitstream;
#  3. synth_ice40 + nextpnr-ice40 of the whole core in its small-FPGA profile
#     (Serial = 1, rtl/fpga/ice40_core_top.v) at a small capacity: the cells
#     it needs, and where it fits its Fmax and bitstream;
#  4. the time per generated sample at that Fmax, ticks x cycles/tick / Fmax,
#     against the analog device's physical time (TEQ + RUN) dt / mu.
# Writes OUT/xilinx.csv, OUT/ice40.csv, OUT/time.csv, OUT/summary.json,
# OUT/fpga_estimates.log and per-point logs in OUT/points/.  Points already
# done (their stat file exists) are reused: delete OUT to start over.
#
# Usage: bash scripts/fpga_estimates.sh [OUT]          (default: out/fpga)
# Environment:
#   XIL_POINTS  "P:CW ..." (default "4:8 16:8 64:8 16:4 16:16"; "" skips step 1)
#   XIL_TOP     core (langevin_core, default) or mac (coupling_mac only)
#   OVERLAP     the Overlap parameter of the Xilinx points: 1 (default; the
#               per-unit phase overlaps the field pass, read copies of the
#               accumulators) or 0 (no read copies)
#   MAXN MAXM   capacity of the Xilinx points (default 1296 532224)
#   ICE_MAC     "P:MaxN:MaxM:CW" of the iCE40 MAC harness (default 1:64:2016:4)
#   ICE_CORE    "P:MaxN:MaxM:CW:AccW[:Pair]" of the whole core (Serial = 1) on
#               iCE40, or "" to skip (default 1:16:120:4:40:0; Pair, the
#               coupling_mac parameter, is 0 when left out: one multiplier and
#               accumulator per lane, a coupling's two updates in two cycles)
#   ICE_FREQ    nextpnr target in MHz (default 12)
#   TIME_P      lane counts of the time table (default "1 4 8 16 32 64")
#   TEQ RUN     coupling-free and coupled ticks per sample (default 1000 2500)
#   NV NH       units of the timed device (default 784 512)
#   DT TAU_US   tick length dt and 1/mu in microseconds (default 1e-3 1)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${1:-out/fpga}
XIL_POINTS=${XIL_POINTS-"4:8 16:8 64:8 16:4 16:16"}
XIL_TOP=${XIL_TOP:-core}
OVERLAP=${OVERLAP:-1}
MAXN=${MAXN:-1296}
MAXM=${MAXM:-532224}
ICE_MAC=${ICE_MAC:-1:64:2016:4}
ICE_CORE=${ICE_CORE-1:16:120:4:40:0}
ICE_FREQ=${ICE_FREQ:-12}
TIME_P=${TIME_P:-1 4 8 16 32 64}
TEQ=${TEQ:-1000}
RUN=${RUN:-2500}
NV=${NV:-784}
NH=${NH:-512}
DT=${DT:-1e-3}
TAU_US=${TAU_US:-1}

for t in yosys nextpnr-ice40 icepack; do
  command -v "$t" >/dev/null 2>&1 || { echo "fpga_estimates: $t is not installed (scripts/bootstrap.sh installs it)" >&2; exit 1; }
done
case $XIL_TOP in core|mac) ;; *) echo "fpga_estimates: XIL_TOP must be core or mac, not '$XIL_TOP'" >&2; exit 2;; esac
num() { [[ $2 =~ ^[0-9]+$ ]] || { echo "fpga_estimates: $1 = '$2' is not a whole number" >&2; exit 2; }; }
num MAXN "$MAXN"; num MAXM "$MAXM"; num TEQ "$TEQ"; num RUN "$RUN"; num NV "$NV"; num NH "$NH"; num ICE_FREQ "$ICE_FREQ"
# The iCE40 points, checked before any synthesis runs (a bad value would
# otherwise surface only after the MAC's place and route).
IFS=: read -r IP IN IM ICW <<<"$ICE_MAC"
for v in "$IP" "$IN" "$IM" "$ICW"; do num ICE_MAC "$v"; done
if [ -n "$ICE_CORE" ]; then
  IFS=: read -r CP CN CM CCW CAW CPR <<<"$ICE_CORE"
  CPR=${CPR:-0}
  for v in "$CP" "$CN" "$CM" "$CCW" "$CAW" "$CPR"; do num ICE_CORE "$v"; done
  (( CAW >= 33 && CAW <= 64 )) || { echo "fpga_estimates: ICE_CORE AccW = $CAW must be 33..64" >&2; exit 2; }
  (( CPR <= 1 )) || { echo "fpga_estimates: ICE_CORE Pair = $CPR must be 0 or 1" >&2; exit 2; }
fi

mkdir -p "$OUT/points"
OUT=$(cd "$OUT" && pwd)
LOG=$OUT/fpga_estimates.log
: > "$LOG"
say() { echo "$*" | tee -a "$LOG"; }
die() { echo "fpga_estimates: $*" | tee -a "$LOG" >&2; exit 1; }
RTL=$ROOT/rtl
mapfile -t CORE_SRCS < <(grep -v "^#" "$RTL/core.f")   # the core's sources (rtl/core.f)
MAC_SRCS=(lv_ram.v coupling_mac.v fpga/ice40_mac_top.v)
reads() { local r=""; for s in "$@"; do r+="read_verilog -defer -I$RTL $RTL/$s; "; done; echo "$r"; }
clog2() { local n=$1 w=0; while (( (1 << w) < n )); do w=$((w + 1)); done; echo $w; }
# Count of one cell type in a yosys stat file (0 when absent).
cells() { awk -v c="$2" '$1 == c { n = $2 } END { print n + 0 }' "$1"; }
# CPU seconds (user + system) of a yosys run, from the end of its log (the
# wall time on a shared machine mostly measures the other jobs).
cpu() { sed -nE 's/.*CPU: user ([0-9.]+)s system ([0-9.]+)s.*/\1 \2/p' "$1" | tail -1 | awk '{printf "%.0f", $1 + $2}'; }
# Atomic write: the content of $2 to $1.
put() { printf '%s' "$2" > "$1.tmp" && mv "$1.tmp" "$1"; }

say "fpga_estimates: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(yosys -V), nextpnr-ice40 $(nextpnr-ice40 --version 2>&1 | head -1)"
say "  Xilinx points (P:CW) $XIL_POINTS of $XIL_TOP at MaxN = $MAXN, MaxM = $MAXM; iCE40 MAC $ICE_MAC, core ${ICE_CORE:-skipped}"

# ---- 1. synth_xilinx --------------------------------------------------------------
case "$OVERLAP" in 0|1) ;; *) echo "fpga_estimates: OVERLAP must be 0 or 1, not '$OVERLAP'" >&2; exit 2;; esac
ov_tag=""; [ "$OVERLAP" = 0 ] && ov_tag=_seq
xcsv="top,P,CW,MaxN,MaxM,LUT,FF,CARRY4,DSP48E1,RAMB36E1,RAMB18E1,BRAM36_equiv,LUTRAM,cpu_s,wall_s,overlap"$'\n'
for pt in $XIL_POINTS; do
  IFS=: read -r P CW <<<"$pt"
  num P "$P"; num CW "$CW"
  base=$OUT/points/xil_${XIL_TOP}_p${P}_cw${CW}_n${MAXN}_m${MAXM}${ov_tag}
  if [ ! -f "$base.stat" ]; then
    say "  synth_xilinx $XIL_TOP P = $P, CW = $CW ... (log: $base.log)"
    t0=$SECONDS
    if [ "$XIL_TOP" = core ]; then
      script="$(reads "${CORE_SRCS[@]}") chparam -set P $P -set MaxN $MAXN -set MaxM $MAXM -set CW $CW -set Overlap $OVERLAP langevin_core;"
      script+=" synth_xilinx -top langevin_core -flatten; tee -q -o $base.stat.tmp stat"
    else
      uw=$(clog2 "$MAXN"); bd=$(( (MAXM + P - 1) / P )); (( bd < 2 )) && bd=2; bw=$(clog2 "$bd")
      script="$(reads lv_ram.v coupling_mac.v) chparam -set P $P -set MaxN $MAXN -set MaxM $MAXM -set CW $CW"
      script+=" -set UnitW $uw -set BankW $bw -set Overlap $OVERLAP coupling_mac; synth_xilinx -top coupling_mac -flatten; tee -q -o $base.stat.tmp stat"
    fi
    nice yosys -q -l "$base.log" -p "$script" >/dev/null
    mv "$base.stat.tmp" "$base.stat"
    echo $((SECONDS - t0)) > "$base.time"
  fi
  s=$base.stat
  lut=$(( $(cells "$s" LUT1) + $(cells "$s" LUT2) + $(cells "$s" LUT3) + $(cells "$s" LUT4) + $(cells "$s" LUT5) + $(cells "$s" LUT6) ))
  ff=$(( $(cells "$s" FDRE) + $(cells "$s" FDSE) + $(cells "$s" FDCE) + $(cells "$s" FDPE) ))
  lutram=$(( $(cells "$s" RAM32M) + $(cells "$s" RAM64M) + $(cells "$s" RAM32X1D) + $(cells "$s" RAM64X1D) + $(cells "$s" RAM128X1D) + $(cells "$s" RAM256X1S) + $(cells "$s" RAM64X1S) ))
  b36=$(cells "$s" RAMB36E1); b18=$(cells "$s" RAMB18E1)
  row="$XIL_TOP,$P,$CW,$MAXN,$MAXM,$lut,$ff,$(cells "$s" CARRY4),$(cells "$s" DSP48E1),$b36,$b18,$(awk -v a="$b36" -v b="$b18" 'BEGIN{printf "%.1f", a + b / 2}'),$lutram,$(cpu "$base.log"),$(cat "$base.time"),$OVERLAP"
  xcsv+="$row"$'\n'
  say "    $row"
done
put "$OUT/xilinx.csv" "$xcsv"

# ---- 2. iCE40 UP5K: the MAC array placed and routed ---------------------------------
ib=$OUT/points/ice40_mac_p${IP}_n${IN}_m${IM}_cw${ICW}
say "  synth_ice40 + nextpnr-ice40 --up5k: coupling MAC P = $IP, MaxN = $IN, MaxM = $IM, CW = $ICW"
nice yosys -q -l "$ib.yosys.log" -p "$(reads "${MAC_SRCS[@]}") chparam -set P $IP -set MaxN $IN -set MaxM $IM -set CW $ICW ice40_mac_top; synth_ice40 -top ice40_mac_top -dsp -json $ib.json; tee -q -o $ib.stat stat" >/dev/null
nice nextpnr-ice40 --up5k --package sg48 --json "$ib.json" --asc "$ib.asc" --freq "$ICE_FREQ" --timing-allow-fail \
  --seed 1 --log "$ib.pnr.log" >/dev/null 2>&1 || { echo "fpga_estimates: nextpnr-ice40 failed, see $ib.pnr.log" >&2; exit 1; }
icepack "$ib.asc" "$ib.bin.tmp" && mv "$ib.bin.tmp" "$ib.bin"
# The last report (after routing) for clk_i (yosys may add a constant
# "clock" net for unused RAM read clocks; it is not a clock of the design).
fmax=$(grep -E "Max frequency for clock +'clk_i" "$ib.pnr.log" | tail -1 | sed -E 's/.*: ([0-9.]+) MHz.*/\1/')
[ -n "$fmax" ] || { echo "fpga_estimates: no Fmax in $ib.pnr.log" >&2; exit 1; }
util() { grep -E "^Info:[[:space:]]+$1:" "$ib.pnr.log" | tail -1 | sed -E 's/.*: *([0-9]+)\/ *([0-9]+).*/\1 of \2/'; }
lc=$(util ICESTORM_LC); ram=$(util ICESTORM_RAM); dsp=$(util ICESTORM_DSP); io=$(util SB_IO)
icsv="design,P,MaxN,MaxM,CW,AccW,Pair,SB_LUT4,SB_MAC16,SB_RAM40_4K,placed_LC,placed_EBR,placed_DSP,placed_IO,fmax_MHz,bitstream"$'\n'
icsv+="mac_harness,$IP,$IN,$IM,$ICW,64,1,$(cells "$ib.stat" SB_LUT4),$(cells "$ib.stat" SB_MAC16),$(cells "$ib.stat" SB_RAM40_4K),$lc,$ram,$dsp,$io,$fmax,$(basename "$ib.bin") ($(stat -c %s "$ib.bin") bytes)"$'\n'
say "    placed: LC $lc, EBR $ram, DSP $dsp, IO $io; Fmax $fmax MHz; bitstream $ib.bin"

# ---- 3. iCE40 UP5K: the whole core, small-FPGA profile (Serial = 1) --------------
# rtl/fpga/ice40_core_top.v: langevin_core with the serial per-unit datapath
# behind the same kind of serial harness.  nextpnr stops when the design needs
# more cells than the part has; the demand it reports is recorded then.
if [ -n "$ICE_CORE" ]; then
  cb=$OUT/points/ice40_core_serial_p${CP}_n${CN}_m${CM}_cw${CCW}_acc${CAW}_pair${CPR}
  if [ ! -f "$cb.stat" ]; then
    say "  synth_ice40 + nextpnr-ice40 --up5k: langevin_core Serial = 1, P = $CP, MaxN = $CN, MaxM = $CM, CW = $CCW, AccW = $CAW, Pair = $CPR"
    nice yosys -q -l "$cb.yosys.log" -p "$(reads "${CORE_SRCS[@]}" fpga/ice40_core_top.v) chparam -set P $CP -set MaxN $CN -set MaxM $CM -set CW $CCW -set AccW $CAW -set Pair $CPR ice40_core_top; synth_ice40 -top ice40_core_top -dsp -json $cb.json; tee -q -o $cb.stat.tmp stat" >/dev/null
    rm -f "$cb.bin"
    if nice nextpnr-ice40 --up5k --package sg48 --json "$cb.json" --asc "$cb.asc" --freq "$ICE_FREQ" --timing-allow-fail \
         --seed 1 --log "$cb.pnr.log" >/dev/null 2>&1; then
      icepack "$cb.asc" "$cb.bin.tmp" && mv "$cb.bin.tmp" "$cb.bin"
    fi
    mv "$cb.stat.tmp" "$cb.stat"
  fi
  cutil() { grep -E "^Info:[[:space:]]+$1:" "$cb.pnr.log" | tail -1 | sed -E 's/.*: *([0-9]+)\/ *([0-9]+).*/\1 of \2/'; }
  clc=$(cutil ICESTORM_LC); cram=$(cutil ICESTORM_RAM); cdsp=$(cutil ICESTORM_DSP); cio=$(cutil SB_IO)
  if [ -f "$cb.bin" ]; then
    cfmax=$(grep -E "Max frequency for clock +'clk_i" "$cb.pnr.log" | tail -1 | sed -E 's/.*: ([0-9.]+) MHz.*/\1/')
    cbit="$(basename "$cb.bin") ($(stat -c %s "$cb.bin") bytes)"
  else
    cfmax=""; cbit="does not fit"
  fi
  icsv+="core_serial_harness,$CP,$CN,$CM,$CCW,$CAW,$CPR,$(cells "$cb.stat" SB_LUT4),$(cells "$cb.stat" SB_MAC16),$(cells "$cb.stat" SB_RAM40_4K),$clc,$cram,$cdsp,$cio,$cfmax,$cbit"$'\n'
  say "    core (Serial = 1, Pair = $CPR): SB_LUT4 $(cells "$cb.stat" SB_LUT4), LC $clc, EBR $cram, DSP $cdsp; Fmax ${cfmax:-none}; $cbit"
fi
put "$OUT/ice40.csv" "$icsv"

# ---- 4. time per sample ------------------------------------------------------------
# Cycles per sample: the core's schedule model (rtl/sim/core_timing.c, which
# the co-simulation checks pass by pass and bench_rtl at paper size), via its
# command-line front end core_cycles, compiled here: a run of T ticks makes
# T + 1 passes plus its setup; two runs (the coupling-free phase, then the
# coupled one).
N=$((NV + NH)); M=$((NV * NH + NH * (NH - 1) / 2))
CC=${CC:-cc}
command -v "$CC" >/dev/null 2>&1 || die "no C compiler ($CC) for rtl/sim/core_cycles.c"
"$CC" -std=c11 -O2 -o "$OUT/points/core_cycles" "$ROOT/rtl/sim/core_cycles.c" "$ROOT/rtl/sim/core_timing.c" ||
  die "cannot compile rtl/sim/core_cycles.c"
tcsv="P,N,M,cycles_per_coupled_tick,cycles_per_sample,fmax_MHz,fpga_us_per_sample,physical_us_per_sample,fpga_over_physical"$'\n'
phys=$(awk -v a="$TEQ" -v b="$RUN" -v dt="$DT" -v tau="$TAU_US" 'BEGIN{printf "%.6g", (a + b) * dt * tau}')
for P in $TIME_P; do
  num TIME_P "$P"
  cc_out=$("$OUT/points/core_cycles" "$NV" "$NH" 0 "$P" "$TEQ" "$RUN") || die "core_cycles failed for P = $P"
  cpt=$(sed -n 's/^coupled_pass=//p' <<<"$cc_out")
  cyc=$(sed -n 's/^trajectory=//p' <<<"$cc_out")
  us=$(awk -v c="$cyc" -v f="$fmax" 'BEGIN{printf "%.6g", c / f}')
  tcsv+="$P,$N,$M,$cpt,$cyc,$fmax,$us,$phys,$(awk -v a="$us" -v b="$phys" 'BEGIN{printf "%.4g", a / b}')"$'\n'
done
put "$OUT/time.csv" "$tcsv"
say "  time per sample at $fmax MHz (iCE40 MAC Fmax) vs physical (TEQ + RUN) dt / mu = $phys us:"
while IFS=, read -r P _ _ cpt cyc _ us _ r; do say "    P = $P: $cpt cycles/tick, $cyc cycles/sample, $us us, ratio $r"; done < <(tail -n +2 "$OUT/time.csv")

# ---- summary.json ---------------------------------------------------------------------
csv_json() { awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[i] = $i; next }
  { printf "%s    {", (NR > 2 ? ",\n" : ""); for (i = 1; i <= NF; i++) { v = $i;
    if (v !~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/) { gsub(/"/, "\\\"", v); v = "\"" v "\"" }
    printf "%s\"%s\": %s", (i > 1 ? ", " : ""), h[i], v } printf "}" } END { print "" }' "$1"; }
json="{\n  \"tools\": {\"yosys\": \"$(yosys -V)\", \"nextpnr-ice40\": \"$(nextpnr-ice40 --version 2>&1 | head -1)\"},\n"
json+="  \"protocol\": {\"ticks_eq\": $TEQ, \"ticks_run\": $RUN, \"dt\": $DT, \"tau_us\": $TAU_US},\n"
json+="  \"xilinx\": [\n$(csv_json "$OUT/xilinx.csv")  ],\n  \"ice40\": [\n$(csv_json "$OUT/ice40.csv")  ],\n"
json+="  \"time\": [\n$(csv_json "$OUT/time.csv")  ]\n}\n"
put "$OUT/summary.json" "$(printf "$json")"
say "fpga_estimates: wrote $OUT/{xilinx,ice40,time}.csv, summary.json, fpga_estimates.log"
