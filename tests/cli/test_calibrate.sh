#!/usr/bin/env bash
# langevin calibrate: a quantized tiny model calibrated on an emulated chip
# with injected errors through the firmware driver; the record is applied by
# `langevin load --cal`; bad input is refused with a clear error and nothing
# written.  (Coupling mismatch is skipped here: at 792 units it needs ~800
# rounds; tests/calibration/test_cal_mismatch.c covers it on a small chip.)
. "$(dirname "$0")/common.sh"
L=$LANGEVIN
$L train --images "$IMAGES" --labels "$LABELS" --nh 8 --epochs 1 --batch 2 --tf 0.05 --t-eq 0.05 --quiet \
  --out m.safetensors >/dev/null 2>&1 && ok || bad "training a tiny model failed"
$L quantize --model m.safetensors --out m.lvimg >/dev/null 2>&1 && ok || bad "quantize failed"

$L calibrate --help | grep -q -- "--offset-spread" && ok || bad "--help lacks --offset-spread"
# Injected +10 % global gain error: kT x 1.21, so the trim is ~1/1.1.
$L calibrate --image m.lvimg --out rec.json --report rep --no-mismatch --blocks 2000 --gap 20 --burn 500 \
  --gain-error 0.1 --gain-spread 0.02 --offset-spread 0.02 --chip-seed 3 > c.txt 2>&1 \
  && ok || bad "calibrate failed: $(cat c.txt)"
grep -q "After trims" c.txt && grep -q "gain-trim DAC" c.txt && ok || bad "summary lacks before/after: $(cat c.txt)"
for f in rec.json rep/report.txt rep/temperature.png rep/offset.png; do [ -s "$f" ] && ok || bad "$f missing"; done
g=$(json_num rec.json gain_trim)
awk -v g="$g" 'BEGIN { exit !(g > 0.88 && g < 0.94) }' && ok || bad "gain trim $g, expected ~0.909"
$L load --image m.lvimg --cal rec.json --save-image trimmed.lvimg > l.txt 2>&1 && grep -q "GAIN" l.txt && ok || bad "load --cal failed: $(cat l.txt)"
[ -s trimmed.lvimg ] && ok || bad "load --save-image wrote no trimmed image"

# The same procedure on the Verilated RTL (when built) gives the emulator's
# record bit for bit (an ideal chip: the RTL has no analog errors).
small() { $L calibrate --image m.lvimg --no-mismatch --no-verify --blocks 40 --gap 2 --burn 10 "$@"; }
if small --device rtl --out rtl.json > r.txt 2>&1; then
  small --device emu --out emu.json >/dev/null 2>&1 && ok || bad "emu calibrate failed"
  body() { sed -n '/"kT_target"/,/"crc32"/p' "$1" | grep -v crc32; }
  [ -n "$(body rtl.json)" ] && [ "$(body rtl.json)" = "$(body emu.json)" ] && ok || bad "RTL and emulator records differ"
else
  grep -qi "verilator\|rtl" r.txt && ok || bad "calibrate --device rtl failed unclearly: $(cat r.txt)"
fi

# Bad input.
expect_fail 2 "--image" -- $L calibrate --out x.json
expect_fail 2 "--out" -- $L calibrate --image m.lvimg
expect_fail 2 "gain-spread" -- $L calibrate --image m.lvimg --out x.json --gain-spread 0.5
expect_fail 2 "emulated chip" -- $L calibrate --image m.lvimg --out x.json --device rtl --mismatch 0.01
expect_fail 2 "blocks" -- $L calibrate --image m.lvimg --out x.json --blocks 3
expect_fail 1 "no_such" -- $L calibrate --image no_such.lvimg --out x.json
head -c 100 m.lvimg > trunc.lvimg
expect_fail 1 "trunc.lvimg" -- $L calibrate --image trunc.lvimg --out x.json
expect_fail 1 "no_dir" -- $L calibrate --image m.lvimg --out no_dir/x.json --no-mismatch --no-verify --blocks 40 --gap 2 --burn 0
[ ! -e x.json ] && ok || bad "a refused run wrote x.json"
finish
