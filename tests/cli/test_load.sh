#!/usr/bin/env bash
# `langevin load`: a device image onto the emulated device, the Verilated RTL
# and a (fake) board window through the firmware driver; damaged images and
# wrong devices refused with the cause named.
. "$(dirname "$0")/common.sh"
L=$LANGEVIN
$L train --images "$IMAGES" --labels "$LABELS" --nh 8 --epochs 1 --batch 2 --tf 0.05 --t-eq 0.05 --quiet \
  --out m.safetensors >/dev/null 2>&1 && ok || bad "training a tiny model failed"
$L quantize --model m.safetensors --out m.lvimg --bits 6 --scale row >/dev/null 2>&1 && ok || bad "quantize failed"

# The emulated device: loaded, read back, and the check run's heat is the
# heat `generate --via-driver` reports for trajectory 0 of the same seed
# (samples.csv holds 6 significant digits).
$L load --image m.lvimg --check-run --seed 3 --json load.json > l.txt 2>&1 && ok || bad "load failed: $(cat l.txt)"
grep -q "register map version 1\." l.txt && grep -q "IMAGE_VALID set" l.txt && ok || bad "load report incomplete: $(cat l.txt)"
[ "$(json_num load.json register_writes)" -gt 1000 ] && ok || bad "load.json: implausible register writes"
$L generate --device emu --via-driver --image m.lvimg --n 1 --seed 3 --no-figures --outdir g >/dev/null 2>&1 \
  && ok || bad "generate --via-driver failed"
q_load=$(json_num load.json Q_path_kT)
q_gen=$(cut -d, -f6 g/samples.csv | tail -1)
awk -v a="$q_load" -v b="$q_gen" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 1e-5 * (1 + (a < 0 ? -a : a))) }' \
  && ok || bad "check-run path heat $q_load kT differs from generate's $q_gen kT"

# The Verilated RTL, when this build has it: the same meters.
if $L load --image m.lvimg --device rtl --check-run --seed 3 --json rtl.json > r.txt 2>&1; then
  grep -q "clock cycles" r.txt && ok || bad "RTL load report lacks clock cycles: $(cat r.txt)"
  [ "$(json_num rtl.json Q_path_kT)" = "$q_load" ] && [ "$(json_num rtl.json V_kT)" = "$(json_num load.json V_kT)" ] \
    && ok || bad "RTL check run differs from the emulator's"
else
  grep -q "built without Verilator" r.txt && ok || bad "load --device rtl failed: $(cat r.txt)"
fi

# Calibration: a chip with noise-DAC errors, its record, and the trimmed
# image `load --cal` makes (quantized with bias headroom for the offsets).
$L quantize --model m.safetensors --out mh.lvimg --bits 6 --scale row --bias-headroom 0.5 >/dev/null 2>&1 \
  && ok || bad "quantize --bias-headroom failed"
chip="--gain-spread 0.05 --gain-error -0.1 --offset-spread 0.05 --chip-seed 4"
$L calibrate --image mh.lvimg --out cal.json $chip --blocks 60 --no-mismatch --no-verify > cal.txt 2>&1 \
  && ok || bad "calibrate failed: $(cat cal.txt)"
$L load --image mh.lvimg --cal cal.json --save-image trimmed.lvimg --check-run --json lc.json > lc.txt 2>&1 \
  && grep -q "calibration cal.json" lc.txt && ok || bad "load --cal failed: $(cat lc.txt)"
[ "$(json_num lc.json gain_after)" != "$(json_num lc.json gain_before)" ] && ok || bad "load --cal left GAIN unchanged"
$L info trimmed.lvimg > ti.txt 2>&1 && ok || bad "the saved trimmed image does not pass info: $(cat ti.txt)"
$L load --image trimmed.lvimg --check-run --json lt.json >/dev/null 2>&1 \
  && [ "$(json_num lt.json Q_path_kT)" = "$(json_num lc.json Q_path_kT)" ] && ok || bad "the saved image runs differently"
# The trimmed image on the same emulated chip: through the driver and batched, the same bits.
$L generate --device emu --image trimmed.lvimg $chip --n 3 --no-figures --outdir chip1 >/dev/null 2>&1 \
  && $L generate --device emu --via-driver --image trimmed.lvimg $chip --n 3 --no-figures --outdir chip2 >/dev/null 2>&1 \
  && cmp -s chip1/samples.safetensors chip2/samples.safetensors && ok || bad "chip runs differ between driver and batch"
$L generate --device emu --image trimmed.lvimg --n 3 --no-figures --outdir ideal >/dev/null 2>&1
cmp -s chip1/samples.safetensors ideal/samples.safetensors && bad "the chip's errors changed nothing" || ok
expect_fail 2 "emulated chip" -- $L generate --device rtl --image trimmed.lvimg --gain-spread 0.05
# The heat budget of the whole story: the chip's errors shift the heat, the
# trims bring it back towards the float reference (same random numbers).
$L report --model m.safetensors --image mh.lvimg --trimmed trimmed.lvimg $chip --n 24 --rtl-n 0 --out rep \
  > rep.txt 2>&1 && ok || bad "report --trimmed failed: $(cat rep.txt)"
rel() { awk -F'|' -v r="$1 vs float" '$2 ~ "^ *"r" *$" { gsub(/[ %+-]/, "", $3); print $3 }' rep/report.md; }
chip_d=$(rel chip); trim_d=$(rel trimmed)
[ -n "$chip_d" ] && [ -n "$trim_d" ] && awk -v a="$chip_d" -v b="$trim_d" 'BEGIN { exit !(b < a && a > 3) }' \
  && ok || bad "calibration did not bring the heat back: chip ${chip_d}%, trimmed ${trim_d}% from float"
[ -s rep/heat_cdf.png ] && ok || bad "report wrote no heat_cdf.png"
sed 's/"gain_trim":[^,]*/"gain_trim": 7/' cal.json > badcal.json
expect_fail 1 "badcal.json" -- $L load --image mh.lvimg --cal badcal.json --save-image never.lvimg
[ ! -e never.lvimg ] && ok || bad "a refused record still wrote --save-image"
# Without headroom the record lowers the bias exponents to make room (cal_apply.c).
$L load --image m.lvimg --cal cal.json > nh.txt 2>&1 && grep -q "bias exponents lowered" nh.txt && ok || bad "load --cal without bias headroom: $(cat nh.txt)"

# Damaged images: refused by the driver's pass 1, before any device write.
size=$(stat -c %s m.lvimg)
head -c $((size - 7)) m.lvimg > trunc.lvimg
expect_fail 1 "truncat|short|size" -- $L load --image trunc.lvimg
cp m.lvimg flip.lvimg
printf '\x55' | dd of=flip.lvimg bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
expect_fail 1 "CRC" -- $L load --image flip.lvimg --json flip.json
[ ! -e flip.json ] && ok || bad "a refused load wrote its JSON record"
# A window that is not a Langevin device (a zero-filled file mapped as a
# board's registers): the probe refuses it.
head -c 4096 /dev/zero > zeros.bin
expect_fail 1 "probe.*(not|ID)" -- $L load --image m.lvimg --device uio:zeros.bin
expect_fail 1 "cannot open the device window" -- $L load --image m.lvimg --device uio:/nonexistent/uio7
# Usage errors.
expect_fail 2 "--image IMAGE is required" -- $L load
expect_fail 2 "emu, rtl or uio" -- $L load --image m.lvimg --device fpga
expect_fail 2 "uio-offset needs" -- $L load --image m.lvimg --uio-offset 4096
expect_fail 2 "multiple of the 4096" -- $L load --image m.lvimg --device uio:zeros.bin --uio-offset 100
$L load --help | grep -q "two-pass\|verify the whole image" && ok || bad "load --help"
finish
