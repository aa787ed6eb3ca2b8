#!/usr/bin/env bash
# Heat and sample quality against the imposed digit's strength s (the one
# protocol parameter the paper leaves open, and the one that sets the heat).
# For each s: train the paper-size computer, generate N samples, and append
# one row to OUT/strength.csv.  Finished points are skipped on a re-run.
#
# Usage: scripts/strength_sweep.sh [OUT_DIR]      (default: out/strength)
# Environment: STRENGTHS (default "1 2 3 4"), EPOCHS (default 30), N (default 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-out/strength}
STRENGTHS=${STRENGTHS:-1 2 3 4}
EPOCHS=${EPOCHS:-30}
N=${N:-1000}
L=build/langevin
[ -x "$L" ] || bash scripts/bootstrap.sh build
mkdir -p "$OUT"
csv=$OUT/strength.csv
[ -f "$csv" ] || echo "strength,epochs,n,mean_match,frac_above_0_5,frac_above_0_7,min_coverage,frac_copies,Q_end_mean_kT,Q_end_std_kT,Q_path_mean_kT,mean_abs_end_minus_path_kT,train_s,generate_s" > "$csv"

# num FILE KEY [NTH]: the NTH (default 1st) number stored under "KEY" in our summary.json.
num() { grep -o "\"$2\":[[:space:]]*[-0-9.e+]*" "$1" | sed -n "${3:-1}p" | sed 's/.*:[[:space:]]*//'; }

for s in $STRENGTHS; do
  if grep -q "^$s,$EPOCHS,$N," "$csv"; then echo "sweep: s=$s done, skipped" >&2; continue; fi
  d=$OUT/s$s
  mkdir -p "$d"
  echo "sweep: s=$s: training $EPOCHS epochs" >&2
  t0=$(date +%s)
  $L train --strength "$s" --epochs "$EPOCHS" --resume --quiet --out "$d/model.safetensors"
  t1=$(date +%s)
  $L generate --model "$d/model.safetensors" --n "$N" --outdir "$d/generate" >/dev/null
  t2=$(date +%s)
  j=$d/generate/summary.json
  # Q_end is the first "mean"/"std" in the file, Q_path the second.
  echo "$s,$EPOCHS,$N,$(num "$j" mean_match),$(num "$j" frac_above_0_5),$(num "$j" frac_above_0_7),$(num "$j" min_coverage),$(num "$j" frac_copies),$(num "$j" mean 1),$(num "$j" std 1),$(num "$j" mean 2),$(num "$j" mean_abs_end_minus_path),$((t1 - t0)),$((t2 - t1))" >> "$csv"
done
column -s, -t "$csv" 2>/dev/null || cat "$csv"
