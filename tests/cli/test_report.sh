#!/usr/bin/env bash
# langevin report on a small trained computer: the files, numbers that must
# agree with each other (relative differences recomputed from the means,
# endpoint energy change = -Q, the energy comparison recomputed from its
# printed assumptions), common random numbers (a 16-bit, fine-state image
# tracks the float computer on its dequantized weights trajectory by
# trajectory), the Verilated RTL bit-identical to the emulated device on
# the first trajectories, and bad input.
. "$(dirname "$0")/common.sh"
L=$LANGEVIN
$L train --images "$IMAGES" --labels "$LABELS" --classes 0,1 --nh 32 --epochs 20 --batch 8 --lr 1e-2 --quiet \
  --out m.safetensors >/dev/null 2>train.err && ok || { bad "training failed: $(cat train.err)"; finish; exit 1; }
$L quantize --model m.safetensors --out m6.lvimg --bits 6 >/dev/null && ok || bad "quantize failed"
R="$L report --model m.safetensors --n 32 --threads 1"
$R --image m6.lvimg --out r6 --rtl-n 1 > r6.txt 2>&1 && ok || { bad "report failed: $(cat r6.txt)"; finish; exit 1; }
for f in report.md report.json heat_hist.png heat_paired.png heat_diff_hist.png; do
  [ -s "r6/$f" ] && ok || bad "missing r6/$f"
done
grep -q "RTL: 1 trajectories .* 1 of 1 bit-identical" r6.txt && ok || bad "RTL not run or not bit-identical: $(grep RTL r6.txt)"
grep -q "pJ" r6/report.md && grep -q "Horowitz" r6/report.md && grep -q "T = 300 K" r6/report.md \
  && ok || bad "report.md does not print its energy assumptions"

# check.py: every derived number of report.json against its inputs.
cat > check.py <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
runs, bad = j["runs"], []
def near(a, b, tol, what):
    if abs(a - b) > tol * max(1.0, abs(b)):
        bad.append("%s: %r vs %r" % (what, a, b))
for c in j["comparisons"]:
    a, r = runs[c["run"]]["Q_end_mean_kT"], runs[c["reference"]]["Q_end_mean_kT"]
    near(c["relative_mean_difference"], (a - r) / r, 1e-9, "relative difference %s vs %s" % (c["run"], c["reference"]))
    near(c["paired_mean_dQ_kT"], a - r, 1e-6, "paired mean = difference of means (%s)" % c["run"])
rtl = runs.pop("rtl")
if rtl["trajectories"] and rtl["bit_identical_to_device"] != rtl["trajectories"]:
    bad.append("RTL not bit-identical: %r" % rtl)
for k, r in runs.items():
    if True:
        near(r["delta_V_mean_kT"], -r["Q_end_mean_kT"], 1e-12, "delta V = -Q (%s)" % k)
        if r["mean_abs_end_minus_path_kT"] > 0.01 * r["Q_end_std_kT"] + 1:
            bad.append("path heat far from endpoint heat in %s" % k)
e, a = j["energy"], j["energy"]["assumptions"]
kT = a["boltzmann_J_per_K"] * a["temperature_K"]
near(e["kT_joules"], kT, 1e-12, "kT")
near(e["device_heat_per_sample_J"], e["device_heat_per_sample_kT"] * kT, 1e-9, "device heat in J")
near(e["device_heat_per_sample_kT"], runs["device"]["Q_end_mean_kT"], 1e-12, "device heat = device run mean")
for d in e["digital"]:
    near(d["macs"], d["macs_per_step"] * d["steps"], 1e-12, d["case"] + " MACs")
    near(d["joules"], d["macs"] * a["pJ_per_MAC"] * 1e-12, 1e-9, d["case"] + " joules")
    near(d["kT"], d["joules"] / kT, 1e-9, d["case"] + " kT")
    near(d["ratio_to_device_heat"], d["kT"] / e["device_heat_per_sample_kT"], 1e-9, d["case"] + " ratio")
p = [d for d in e["digital"] if d["case"] == "mlp_paper_steps"][0]
near(p["macs_per_step"], 784 * 128 * 2 + 128 * 128, 0, "paper MLP MACs")
if len(sys.argv) > 2:  # a 16-bit fine-state image: device tracks float-deq per trajectory
    c = [c for c in j["comparisons"] if c["reference"] == "float-deq"][0]
    if not (c["paired_mean_abs_dQ_kT"] < 1e-3 * runs["float-deq"]["Q_end_std_kT"] and c["same_outcome"] == 1):
        bad.append("16-bit device does not track float-deq: %r" % c)
print("\n".join(bad) if bad else "consistent")
sys.exit(1 if bad else 0)
PY
python3 check.py r6/report.json > c6.txt 2>&1 && ok || bad "report.json inconsistent: $(cat c6.txt)"
$L quantize --model m.safetensors --out m16.lvimg --bits 16 --bias-bits 24 --state-bits 28 --state-frac 24 >/dev/null \
  && ok || bad "quantize 16 failed"
$R --image m16.lvimg --out r16 --temperature 77 --pj-per-mac 0.25 --rtl-n 0 > r16.txt 2>&1 && ok || bad "report 16 failed: $(cat r16.txt)"
python3 check.py r16/report.json track > c16.txt 2>&1 && ok || bad "16-bit report: $(cat c16.txt)"
grep -q "T = 77 K" r16/report.md && ok || bad "--temperature not used"
grep -q "RTL: not run (--rtl-n 0)" r16.txt && ok || bad "--rtl-n 0 not reported: $(grep RTL r16.txt)"

# Bad input.
$L train --images "$IMAGES" --labels "$LABELS" --nh 8 --epochs 1 --batch 2 --tf 0.05 --t-eq 0.05 --quiet \
  --out m2.safetensors >/dev/null 2>&1 && $L quantize --model m2.safetensors --out other.lvimg >/dev/null \
  && ok || bad "second model failed"
expect_fail 1 "units.*made from this model" -- $R --image other.lvimg --out x
expect_fail 2 "--image" -- $R --out x
expect_fail 2 "--out" -- $R --image m6.lvimg
expect_fail 2 "--mlp" -- $R --image m6.lvimg --out x --mlp 784
expect_fail 2 "temperature" -- $R --image m6.lvimg --out x --temperature -1
expect_fail 2 "pj-per-mac" -- $R --image m6.lvimg --out x --pj-per-mac nan
expect_fail 1 "nowhere" -- $R --image nowhere.lvimg --out x
[ ! -e x ] && ok || bad "a refused report created its output directory"
finish
