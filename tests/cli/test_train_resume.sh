#!/usr/bin/env bash
# --resume after an interruption (clean stop or kill -9) reproduces the
# uninterrupted run bit for bit: noise is a function of (seed, trajectory,
# step, unit) and the optimiser state is checkpointed atomically.
. "$(dirname "$0")/common.sh"
L=$LANGEVIN
ARGS=(--images "$IMAGES" --labels "$LABELS" --nh 16 --batch 4 --tf 0.2 --t-eq 0.1 --quiet)
$L train "${ARGS[@]}" --epochs 6 --out straight.safetensors >/dev/null 2>&1 && ok || bad "straight run failed"

# Stop after 3 epochs, then resume to 6.
$L train "${ARGS[@]}" --epochs 3 --out part.safetensors --checkpoint run.ckpt --log run.csv >/dev/null 2>&1 && ok || bad "first half failed"
$L train "${ARGS[@]}" --epochs 6 --resume --out resumed.safetensors --checkpoint run.ckpt --log run.csv >/dev/null 2>&1 && ok || bad "resume failed"
cmp -s straight.safetensors resumed.safetensors && ok || bad "resumed model differs from the uninterrupted one"
[ "$(wc -l < run.csv)" -eq 7 ] && ok || bad "log should have a header and 6 rows, has $(wc -l < run.csv) lines"
cmp -s straight.safetensors.csv run.csv && bad "logs should differ only in timing" || ok
diff <(cut -d, -f1-8 straight.safetensors.csv) <(cut -d, -f1-8 run.csv) >/dev/null && ok || bad "resumed log values differ"

# kill -9 at an arbitrary moment, then resume.
rm -f k.ckpt
$L train "${ARGS[@]}" --epochs 6 --out killed.safetensors --checkpoint k.ckpt >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 400); do [ -f k.ckpt ] && break; sleep 0.05; done
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
$L train "${ARGS[@]}" --epochs 6 --resume --out killed.safetensors --checkpoint k.ckpt >/dev/null 2>&1 && ok || bad "resume after kill failed"
cmp -s straight.safetensors killed.safetensors && ok || bad "model after kill+resume differs from the uninterrupted one"
$L info k.ckpt >/dev/null 2>&1 && ok || bad "checkpoint unreadable after kill -9"
# A clean run leaves no temporary files (a kill -9 mid-write may leave one
# k.ckpt.tmpXXXXXX, never a damaged k.ckpt).
ls ./straight*.tmp* ./run.ckpt.tmp* >/dev/null 2>&1 && bad "temporary files left behind" || ok
finish
