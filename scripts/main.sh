#!/usr/bin/env bash
# The main job, end to end: set up (installing what is missing), train the
# paper-size Langevin computer on three MNIST digits, generate 1000 samples,
# and write figures, sample quality and heat statistics to out/.
#
# Usage: scripts/main.sh [OUT_DIR]          (default: out)
# Environment: STRENGTH (imposed-digit strength, default 3), EPOCHS (default 30),
#              SEED (default 1).  Re-running resumes an interrupted training.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-out}
STRENGTH=${STRENGTH:-3}
EPOCHS=${EPOCHS:-30}
SEED=${SEED:-1}
L=build/langevin

bash scripts/bootstrap.sh build
mkdir -p "$OUT"
start=$(date +%s)

echo "main: training the paper-size computer (784 + 512 units, digits 0,1,2, strength $STRENGTH, $EPOCHS epochs)" >&2
$L train --classes 0,1,2 --strength "$STRENGTH" --epochs "$EPOCHS" --seed "$SEED" \
  --resume --quiet --out "$OUT/model.safetensors"
trained=$(date +%s)

echo "main: generating 1000 samples from thermal noise" >&2
$L generate --model "$OUT/model.safetensors" --n 1000 --seed "$SEED" --outdir "$OUT/generate"
done_t=$(date +%s)

$L info "$OUT/model.safetensors" > "$OUT/model-info.txt"
cat > "$OUT/wall-time.txt" <<TXT
training_s   $((trained - start))
generation_s $((done_t - trained))
total_s      $((done_t - start))
TXT
echo "main: done in $((done_t - start)) s; results in $OUT/ (generate/summary.json, generate/*.png, model.safetensors)" >&2
