#!/usr/bin/env bash
# The device path of the command line: quantize a model, run it on the
# emulated device, and refuse bad images and bad options with a clear error.
. "$(dirname "$0")/common.sh"
L=$LANGEVIN
$L train --images "$IMAGES" --labels "$LABELS" --nh 8 --epochs 1 --batch 2 --tf 0.05 --t-eq 0.05 --quiet \
  --out m.safetensors >/dev/null 2>&1 && ok || bad "training a tiny model failed"

$L quantize --model m.safetensors --out m.lvimg --bits 6 --scale row --hex hex > q.txt 2>&1 \
  && ok || bad "quantize failed: $(cat q.txt)"
grep -q "SQNR" q.txt && grep -q "^vh " q.txt && grep -q "^hh " q.txt && ok || bad "quantize report lacks per-block lines: $(cat q.txt)"
for f in couplings.hex row_exp.hex bias.hex bias_exp.hex manifest.json; do
  [ -s "hex/$f" ] && ok || bad "missing readmemh export hex/$f"
done
# 784*8 + 8*7/2 = 6300 coupling words, 6-bit codes as two hex digits.
[ "$(wc -l < hex/couplings.hex)" -eq 6300 ] && ok || bad "couplings.hex has $(wc -l < hex/couplings.hex) lines, not 6300"

$L generate --device emu --image m.lvimg --n 6 --batch 4 --no-figures --outdir emu > g.txt 2>&1 \
  && ok || bad "generate --device emu failed: $(cat g.txt)"
grep -q '"kind":[[:space:]]*"emu"' emu/summary.json && ok || bad "summary.json lacks the device section"
grep -q "physical_time_per_trajectory_us" emu/summary.json && ok || bad "no physical time reported"
grep -q "saturations: state" g.txt && ok || bad "no saturation counts printed: $(cat g.txt)"
# Same seed, different batch size: identical heat (noise is per (seed, tick, unit)).
$L generate --device emu --image m.lvimg --n 6 --batch 1 --no-figures --outdir emu1 >/dev/null 2>&1
cut -d, -f5,6 emu/samples.csv > a.txt; cut -d, -f5,6 emu1/samples.csv > b.txt
cmp -s a.txt b.txt && ok || bad "device heat depends on the batch size"
# Through the firmware driver and the register interface: the same bits.
$L generate --device emu --via-driver --image m.lvimg --n 6 --no-figures --outdir drv > d.txt 2>&1 \
  && ok || bad "generate --via-driver failed: $(cat d.txt)"
cmp -s emu/samples.safetensors drv/samples.safetensors && ok || bad "the driver path gives different samples or heat than the direct path"
# The same driver on the Verilated RTL (when this build has Verilator): the same bits again.
if $L generate --device rtl --image m.lvimg --n 3 --no-figures --outdir rtl > r.txt 2>&1; then
  $L generate --device emu --image m.lvimg --n 3 --no-figures --outdir emu3 >/dev/null 2>&1
  cmp -s emu3/samples.safetensors rtl/samples.safetensors && grep -q "clock cycles simulated" r.txt \
    && ok || bad "the RTL through the driver gives different samples or heat than the emulator: $(cat r.txt)"
  expect_fail 2 "emulated chip" -- $L generate --device rtl --image m.lvimg --mismatch 0.01
else
  grep -q "built without Verilator" r.txt && ok || bad "generate --device rtl failed: $(cat r.txt)"
fi
# The float reference as reference distribution.
$L generate --model m.safetensors --n 6 --no-figures --outdir float >/dev/null 2>&1 && ok || bad "float generate failed"
$L generate --device emu --image m.lvimg --n 6 --no-figures --reference float --outdir cmp > c.txt 2>&1 \
  && grep -q "KS distance" c.txt && ok || bad "--reference failed: $(cat c.txt)"

# Bad options.
expect_fail 2 "needs --image" -- $L generate --device emu
expect_fail 2 "float, emu, rtl or uio" -- $L generate --device gpu --model m.safetensors
expect_fail 2 "uio-offset needs" -- $L generate --device emu --image m.lvimg --uio-offset 4096
expect_fail 2 "multiple of the 4096" -- $L generate --device uio:/dev/null --image m.lvimg --uio-offset 12
expect_fail 1 "cannot open the device window /nonexistent/uio9" -- $L generate --device uio:/nonexistent/uio9 --image m.lvimg --n 1 --outdir u1
expect_fail 2 "need a device" -- $L generate --model m.safetensors --image m.lvimg
expect_fail 2 "need a device" -- $L generate --model m.safetensors --via-driver
expect_fail 2 "outside|range" -- $L generate --device emu --image m.lvimg --mismatch 0.5
expect_fail 2 "outside|range" -- $L quantize --model m.safetensors --out x.lvimg --bits 1
expect_fail 2 "block' or 'row" -- $L quantize --model m.safetensors --out x.lvimg --scale column
expect_fail 2 "state-frac" -- $L quantize --model m.safetensors --out x.lvimg --state-bits 16 --state-frac 20
expect_fail 1 "samples.safetensors|cannot open" -- $L generate --device emu --image m.lvimg --n 2 --reference nowhere
[ ! -e x.lvimg ] && ok || bad "a refused quantize left x.lvimg behind"

# Damaged images are refused before anything runs.
size=$(stat -c %s m.lvimg)
head -c $((size / 2)) m.lvimg > trunc.lvimg
expect_fail 1 "truncat|short|size" -- $L generate --device emu --image trunc.lvimg --n 1 --outdir t1
cp m.lvimg flip.lvimg
printf '\x55' | dd of=flip.lvimg bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
expect_fail 1 "CRC" -- $L generate --device emu --image flip.lvimg --n 1 --outdir t2
[ ! -e t1 ] && [ ! -e t2 ] && ok || bad "a refused image still created an output directory"
$L info m.lvimg > info.txt 2>&1 && grep -q "device checks .*passed" info.txt && grep -q "couplings 6 bits" info.txt \
  && ok || bad "info on a device image: $(cat info.txt)"
expect_fail 1 "CRC" -- $L info flip.lvimg
printf 'not an image' > junk.lvimg
expect_fail 1 "magic|not a device image|LVDEVIMG|short" -- $L generate --device emu --image junk.lvimg --n 1
finish
