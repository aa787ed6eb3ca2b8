#!/usr/bin/env bash
# End to end: a small computer trained on one digit generates samples that
# correlate with that digit clearly better than the untrained computer's.
. "$(dirname "$0")/common.sh"
L=$LANGEVIN
$L train --images "$IMAGES" --labels "$LABELS" --classes 0 --nh 512 --epochs 6 --batch 8 --strength 3 --lr 3e-3 \
  --quiet --out m.safetensors >/dev/null 2>train.err && ok || { bad "training failed: $(cat train.err)"; finish; exit 1; }
$L generate --model m.safetensors --n 48 --no-figures --outdir trained >/dev/null 2>&1 && ok || bad "generate failed"
$L generate --model m.safetensors --n 48 --no-figures --untrained --outdir untrained >/dev/null 2>&1 && ok || bad "baseline failed"
t=$(json_num trained/summary.json mean_match)
u=$(json_num untrained/summary.json mean_match)
echo "mean |r| with the training digit: trained $t, untrained $u"
awk -v t="$t" -v u="$u" 'BEGIN { exit !(t > 0.5 && t > u + 0.3) }' && ok || bad "trained $t is not clearly above untrained $u"
# The heat estimates agree: |Q_end - Q_path| is small against the spread.
d=$(json_num trained/summary.json mean_abs_end_minus_path)
s=$(grep -A5 '"Q_end"' trained/summary.json | json_num /dev/stdin std)
awk -v d="$d" -v s="$s" 'BEGIN { exit !(d < 0.05 * s + 1) }' && ok || bad "path heat disagrees with V(x0)-V(xf): mean diff $d vs std $s"
finish
