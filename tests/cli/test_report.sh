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

# check.awk: every derived number of report.json against its inputs.  The
# JSON (cJSON's pretty print, one key per line) is first flattened to
# path=value lines by flat.awk.
cat > flat.awk <<'AWK'
function path(   i, p) { p = ""; for (i = 1; i <= d; ++i) p = p (i > 1 ? "." : "") st[i]; return p }
NR == 1 { next }
{ sub(/^[ \t]+/, ""); sub(/,$/, "") }
/^"[^"]*":[ \t]*\{$/ { k = $0; sub(/^"/, "", k); sub(/".*/, "", k); st[++d] = k; next }
/^"[^"]*":[ \t]*\[\{$/ { k = $0; sub(/^"/, "", k); sub(/".*/, "", k); st[++d] = k; st[++d] = 0; next }
/^\}, \{$/ { st[d] = st[d] + 1; next }
/^\}\]$/ { d -= 2; next }
/^\}$/ { d--; next }
/^"[^"]*":/ { k = $0; sub(/^"/, "", k); sub(/".*/, "", k); v = $0; sub(/^"[^"]*":[ \t]*/, "", v); gsub(/"/, "", v)
              print (d ? path() "." : "") k "=" v }
AWK
cat > check.awk <<'AWK'
function abs(x) { return x < 0 ? -x : x }
function near(a, b, tol, what) {
  if (a == "" || b == "" || abs(a - b) > tol * (abs(b) > 1 ? abs(b) : 1)) { print what ": " a " vs " b; bad++ }
}
{ i = index($0, "="); V[substr($0, 1, i - 1)] = substr($0, i + 1) }
END {
  for (c = 0; ("comparisons." c ".run") in V; ++c) {
    a = V["runs." V["comparisons." c ".run"] ".Q_end_mean_kT"]; r = V["runs." V["comparisons." c ".reference"] ".Q_end_mean_kT"]
    near(V["comparisons." c ".relative_mean_difference"], (a - r) / r, 1e-9, "relative difference " c)
    near(V["comparisons." c ".paired_mean_dQ_kT"], a - r, 1e-6, "paired mean = difference of means " c)
  }
  if (c != 3) { print "expected 3 comparisons, found " c; bad++ }
  split("float float-deq device", R, " ")
  for (k = 1; k <= 3; ++k) {
    p = "runs." R[k] "."
    near(V[p "delta_V_mean_kT"], -V[p "Q_end_mean_kT"], 1e-12, "delta V = -Q " R[k])
    if (V[p "mean_abs_end_minus_path_kT"] > 0.01 * V[p "Q_end_std_kT"] + 1) { print "path heat far from Q in " R[k]; bad++ }
  }
  if (V["runs.rtl.trajectories"] > 0 && V["runs.rtl.bit_identical_to_device"] != V["runs.rtl.trajectories"]) {
    print "RTL not bit-identical"; bad++
  }
  kT = V["energy.assumptions.boltzmann_J_per_K"] * V["energy.assumptions.temperature_K"]
  near(V["energy.kT_joules"], kT, 1e-12, "kT")
  q = V["energy.device_heat_per_sample_kT"]
  near(V["energy.device_heat_per_sample_J"], q * kT, 1e-9, "device heat in J")
  near(q, V["runs.device.Q_end_mean_kT"], 1e-12, "device heat = device run mean")
  for (i = 0; ("energy.digital." i ".case") in V; ++i) {
    p = "energy.digital." i "."
    near(V[p "macs"], V[p "macs_per_step"] * V[p "steps"], 1e-12, V[p "case"] " MACs")
    near(V[p "joules"], V[p "macs"] * V["energy.assumptions.pJ_per_MAC"] * 1e-12, 1e-9, V[p "case"] " joules")
    near(V[p "kT"], V[p "joules"] / kT, 1e-9, V[p "case"] " kT")
    near(V[p "ratio_to_device_heat"], V[p "kT"] / q, 1e-9, V[p "case"] " ratio")
    if (V[p "case"] == "mlp_paper_steps") near(V[p "macs_per_step"], 784 * 128 * 2 + 128 * 128, 0, "paper MLP MACs")
  }
  if (i != 3) { print "expected 3 digital cases, found " i; bad++ }
  if (track) { # a 16-bit fine-state image: the device tracks float-deq trajectory by trajectory
    c = 1
    if (!(V["comparisons." c ".reference"] == "float-deq" && V["comparisons." c ".paired_mean_abs_dQ_kT"] < 1e-3 * V["runs.float-deq.Q_end_std_kT"] && V["comparisons." c ".same_outcome"] == 1)) {
      print "16-bit device does not track float-deq"; bad++
    }
  }
  print bad ? bad " inconsistencies" : "consistent"
  exit bad ? 1 : 0
}
AWK
check() { awk -f flat.awk "$1" | awk -v track="${2:-0}" -f check.awk; }
check r6/report.json > c6.txt 2>&1 && ok || bad "report.json inconsistent: $(cat c6.txt)"
$L quantize --model m.safetensors --out m16.lvimg --bits 16 --bias-bits 24 --state-bits 28 --state-frac 24 >/dev/null \
  && ok || bad "quantize 16 failed"
$R --image m16.lvimg --out r16 --temperature 77 --pj-per-mac 0.25 --rtl-n 0 > r16.txt 2>&1 && ok || bad "report 16 failed: $(cat r16.txt)"
check r16/report.json 1 > c16.txt 2>&1 && ok || bad "16-bit report: $(cat c16.txt)"
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
