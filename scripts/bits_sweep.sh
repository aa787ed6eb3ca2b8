#!/usr/bin/env bash
# Sample quality and heat of the emulated device against coupling bits, next
# to the float reference on the same trained model.  For each width: quantize
# (nearest-even; per-block or per-row scales), generate N samples on the emulated device,
# and append one row to OUT/bits.csv with the two-sample Kolmogorov-Smirnov
# distance between the device's and the float reference's heat distributions.
# Finished points are skipped on a re-run.
#
# Usage: scripts/bits_sweep.sh [OUT_DIR]   (default: out/bits)
# Environment: MODEL (default out/model.safetensors), FLOAT (a float
#   `langevin generate` output dir, default out/generate: made if missing),
#   BITS (default "2 4 6 8 12 16"), N (default 1000), SEED (default 1),
#   SCALE (block or row: power-of-two scale per block or per stored row; default block)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-out/bits}
MODEL=${MODEL:-out/model.safetensors}
FLOAT=${FLOAT:-out/generate}
BITS=${BITS:-2 4 6 8 12 16}
N=${N:-1000}
SEED=${SEED:-1}
SCALE=${SCALE:-block}
L=build/langevin
[ -x "$L" ] || bash scripts/bootstrap.sh build
[ -f "$MODEL" ] || { echo "bits_sweep: no model at $MODEL (run scripts/main.sh first)" >&2; exit 1; }
mkdir -p "$OUT"
if [ ! -f "$FLOAT/samples.safetensors" ]; then
  $L generate --model "$MODEL" --n "$N" --seed "$SEED" --outdir "$FLOAT" >/dev/null
fi
csv=$OUT/bits.csv
[ -f "$csv" ] || echo "bits,n,mean_match,frac_above_0_7,min_coverage,Q_end_mean_kT,Q_end_std_kT,float_Q_end_mean_kT,float_Q_end_std_kT,relative_mean_difference,ks_distance,sat_state,sat_force,generate_s" > "$csv"

# num FILE KEY [NTH]: the NTH (default 1st) number stored under "KEY" in our summary.json.
num() { grep -o "\"$2\":[[:space:]]*[-0-9.e+]*" "$1" | sed -n "${3:-1}p" | sed 's/.*:[[:space:]]*//'; }

for b in $BITS; do
  if grep -q "^$b,$N," "$csv"; then echo "bits_sweep: $b bits done, skipped" >&2; continue; fi
  echo "bits_sweep: $b-bit couplings" >&2
  $L quantize --model "$MODEL" --out "$OUT/b$b.lvimg" --bits "$b" --scale "$SCALE" > "$OUT/b$b.quantize.txt"
  t0=$(date +%s)
  $L generate --device emu --image "$OUT/b$b.lvimg" --n "$N" --seed "$SEED" --reference "$FLOAT" \
    --no-figures --outdir "$OUT/b$b" > "$OUT/b$b.generate.txt"
  t1=$(date +%s)
  j=$OUT/b$b/summary.json
  # "mean"/"std": the reference's Q_end comes first in summary.json, then this run's Q_end.
  echo "$b,$N,$(num "$j" mean_match),$(num "$j" frac_above_0_7),$(num "$j" min_coverage),$(num "$j" mean 2),$(num "$j" std 2),$(num "$j" mean 1),$(num "$j" std 1),$(num "$j" relative_mean_difference),$(num "$j" ks_distance_Q_end),$(num "$j" sat_state_unit_ticks),$(num "$j" sat_force_unit_ticks),$((t1 - t0))" >> "$csv"
done
column -s, -t "$csv" 2>/dev/null || cat "$csv"
