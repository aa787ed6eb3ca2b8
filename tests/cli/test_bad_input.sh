#!/usr/bin/env bash
# Bad input gets a clear message and a non-zero exit, and nothing is lost.
. "$(dirname "$0")/common.sh"
L=$LANGEVIN
expect_fail 2 "unknown command" -- $L frobnicate
expect_fail 2 "expects a number" -- $L train --lr abc --out m.st
expect_fail 2 "outside" -- $L train --nh 0 --out m.st
expect_fail 2 "required" -- $L train --epochs 1
expect_fail 2 "adam or sgd" -- $L train --optimizer rmsprop --out m.st
expect_fail 1 "unstable" -- $L train --images "$IMAGES" --labels "$LABELS" --dt 0.3 --tf 0.6 --out m.st
expect_fail 1 "integer number of time steps" -- $L train --images "$IMAGES" --labels "$LABELS" --dt 0.003 --tf 0.01 --out m.st
expect_fail 1 "only 0 images of class|outside" -- $L train --images "$IMAGES" --labels "$LABELS" --classes 11 --out m.st
expect_fail 1 "cannot open|no such" -- $L train --images nonexistent.idx --labels "$LABELS" --out m.st
expect_fail 1 "labels file|not an images" -- $L train --images "$LABELS" --labels "$LABELS" --out m.st
expect_fail 2 "required" -- $L generate
expect_fail 1 "cannot open" -- $L generate --model missing.safetensors
expect_fail 1 "cannot open" -- $L info missing.safetensors

# A real small model, then damaged copies of it.
$L train --images "$IMAGES" --labels "$LABELS" --nh 8 --epochs 1 --batch 2 --tf 0.05 --t-eq 0.05 --quiet --out good.safetensors >/dev/null 2>&1 \
  && ok || bad "training a tiny model failed"
size=$(stat -c %s good.safetensors)
head -c $((size / 2)) good.safetensors > truncated.safetensors
expect_fail 1 "not a valid safetensors|truncat|beyond|short" -- $L info truncated.safetensors
expect_fail 1 "not a valid safetensors|truncat|beyond|short" -- $L generate --model truncated.safetensors --n 1
printf 'garbage that is not a model at all' > garbage.safetensors
expect_fail 1 "not a valid safetensors" -- $L info garbage.safetensors
# Flip a byte inside the JSON header (offset 20 is inside the header).
cp good.safetensors flipped.safetensors
printf '\x00' | dd of=flipped.safetensors bs=1 seek=20 conv=notrunc 2>/dev/null
expect_fail 1 "not a valid safetensors|control|json" -- $L info flipped.safetensors
# Resuming from a model (not a checkpoint) is refused.
expect_fail 1 "no optimiser state" -- $L train --resume --checkpoint good.safetensors --epochs 2 --out other.safetensors
# Generation with a time step that makes the trained dynamics diverge is caught
# at load (dt is a model property), so a failed run leaves the model intact.
cmp -s good.safetensors good.safetensors && ok
$L info good.safetensors >/dev/null 2>&1 && ok || bad "good model no longer loads"
finish
