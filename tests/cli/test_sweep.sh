#!/usr/bin/env bash
# langevin sweep on a small trained computer: the trends that must hold
# (coupling bits: KS distance and heat error shrink, 2 bits clearly worse
# than 8, 16 bits tracks the float reference on common random numbers),
# resume (finished points skipped; a pre-seeded partial CSV runs only the
# missing points, with the same numbers as a fresh run), refusal of rows
# made with another model or run setting, --restart, a refused point, and
# bad input.
. "$(dirname "$0")/common.sh"
L=$LANGEVIN
$L train --images "$IMAGES" --labels "$LABELS" --classes 0,1 --nh 32 --epochs 20 --batch 8 --lr 1e-2 --quiet \
  --out m.safetensors >/dev/null 2>train.err && ok || { bad "training failed: $(cat train.err)"; finish; exit 1; }

S="$L sweep --model m.safetensors --n 48 --threads 1"
$S --out s --bits 2,3,4,8,16 > run1.txt 2>&1 && ok || { bad "sweep failed: $(cat run1.txt)"; finish; exit 1; }
[ "$(wc -l < s/sweep.csv)" -eq 6 ] && ok || bad "sweep.csv has $(wc -l < s/sweep.csv) lines, not header + 5"
for f in summary.json summary.md sweep_bits.png heat_bits.png float_crn.safetensors; do
  [ -s "s/$f" ] && ok || bad "missing s/$f"
done
# col: 7 bits, 13 mean_best_r, 19 rel_heat_diff, 20 ks_crn, 23 same_outcome
col() { awk -F, -v b="$1" -v c="$2" 'NR > 1 && $7 == b { print $c }' s/sweep.csv; }
k2=$(col 2 20) k3=$(col 3 20) k8=$(col 8 20) k16=$(col 16 20)
echo "KS distance by coupling bits: 2: $k2, 3: $k3, 8: $k8, 16: $k16"
awk -v a="$k2" -v b="$k3" -v c="$k8" -v d="$k16" 'BEGIN { exit !((a + b) / 2 > (c + d) / 2 + 0.3) }' \
  && ok || bad "KS does not shrink with coupling bits on average: 2,3 bits $k2 $k3 vs 8,16 bits $k8 $k16"
awk -v a="$k2" -v c="$k8" 'BEGIN { exit !(a > c + 0.3) }' && ok || bad "2 bits (KS $k2) not clearly worse than 8 ($k8)"
h2=$(col 2 19) h16=$(col 16 19)
awk -v a="$h2" -v d="$h16" 'BEGIN { exit !((a < 0 ? -a : a) > 0.2 && (d < 0 ? -d : d) < 0.01) }' \
  && ok || bad "heat error: 2 bits $h2 should exceed 20 %, 16 bits $h16 be below 1 %"
s16=$(col 16 23) s2=$(col 2 23)
awk -v a="$s16" -v b="$s2" 'BEGIN { exit !(a >= 0.95 && b < a) }' \
  && ok || bad "common random numbers: 16 bits should end on the float's digit (same $s16, 2 bits $s2)"
grep -q '"smallest_passing":[[:space:]]*\(3\|4\|8\|16\)' s/summary.json && ok || bad "summary.json lacks a smallest passing width in 3..16"
grep -q "Smallest passing width" s/summary.md && ok || bad "summary.md lacks the smallest passing width"

# Resume: the same command runs nothing and leaves the CSV as it was.
cp s/sweep.csv before.csv
$S --out s --bits 2,3,4,8,16 > run2.txt 2>&1 && ok || bad "rerun failed: $(cat run2.txt)"
grep -q "5 already in .*0 to run" run2.txt && ok || bad "rerun did not skip the finished points: $(head -2 run2.txt)"
grep -q "reusing" run2.txt && ok || bad "rerun recomputed the float reference"
cmp -s before.csv s/sweep.csv && ok || bad "rerun changed sweep.csv"
# A partial CSV (header + the 2- and 3-bit rows): only the missing 3 points run,
# and they give the numbers of the full run (everything but wall time).
mkdir -p p && head -n 3 s/sweep.csv > p/sweep.csv
$S --out p --bits 2,3,4,8,16 > run3.txt 2>&1 && ok || bad "resume failed: $(cat run3.txt)"
grep -q "2 already in .*3 to run" run3.txt && ok || bad "resume ran the wrong points: $(head -1 run3.txt)"
[ "$(grep -c '^point ' run3.txt)" -eq 3 ] && ok || bad "resume ran $(grep -c '^point ' run3.txt) points, not 3"
cut -d, -f1-25 s/sweep.csv > a.txt; cut -d, -f1-25 p/sweep.csv > b.txt
cmp -s a.txt b.txt && ok || bad "resumed points differ from the full run: $(diff a.txt b.txt | head -4)"

# Another run setting or another model: refused, the CSV untouched.
expect_fail 1 "different --n.*--restart" -- $L sweep --model m.safetensors --n 40 --out s --bits 2,3,4,8,16
expect_fail 1 "different --seed" -- $S --seed 2 --out s --bits 8
$L train --images "$IMAGES" --labels "$LABELS" --nh 8 --epochs 1 --batch 2 --tf 0.05 --t-eq 0.05 --quiet \
  --out m2.safetensors >/dev/null 2>&1 && ok || bad "training the second model failed"
expect_fail 1 "different model" -- $L sweep --model m2.safetensors --n 48 --out s --bits 8
cmp -s before.csv s/sweep.csv && ok || bad "a refused sweep changed sweep.csv"
# --restart recomputes and says what it discarded.
cp -r p r
$L sweep --model m2.safetensors --n 8 --out r --bits 4,8 --restart --no-plots > run4.txt 2>run4.err && ok || bad "--restart failed: $(cat run4.err)"
grep -q "discarding the 5 rows" run4.err && ok || bad "--restart did not say what it discarded: $(cat run4.err)"
grep -q "another model.*recomputing" run4.txt && ok || bad "a stale float reference was not reported: $(head -3 run4.txt)"
[ "$(wc -l < r/sweep.csv)" -eq 3 ] && ok || bad "after --restart sweep.csv should hold 2 rows"
# Another base point: its points are new (computed), the old rows are kept.
$S --out s --bits 8 --base scale=row --no-plots > run5.txt 2>&1 && ok || bad "--base scale=row failed: $(cat run5.txt)"
grep -q "0 already in .*1 to run; 5 rows of other points" run5.txt && ok || bad "changed base not recomputed: $(head -1 run5.txt)"
[ "$(wc -l < s/sweep.csv)" -eq 7 ] && ok || bad "sweep.csv should now hold 6 rows"
# A point the quantizer refuses is recorded, not fatal.
$S --out s --dac-bits 2 --no-plots > run6.txt 2>&1 && ok || bad "a refused point aborted the sweep: $(cat run6.txt)"
grep -q ",refused,.*gain" s/sweep.csv && ok || bad "the refused 2-bit DAC point is not recorded with its reason"

# Bad input.
expect_fail 2 "bits.*outside" -- $S --out x --bits 1
expect_fail 2 "backwards" -- $S --out x --bits 8:4
expect_fail 2 "needs a step" -- $S --out x --mismatch 0:0.1
expect_fail 2 "finite" -- $S --out x --mismatch nan
expect_fail 2 "unknown axis 'colour'" -- $S --out x --bits 8 --base colour=3
expect_fail 2 "at least one axis" -- $S --out x
expect_fail 2 "--model" -- $L sweep --out x --bits 8
expect_fail 2 "--out" -- $L sweep --model m.safetensors --bits 8
expect_fail 2 "tol-ks" -- $S --out x --bits 8 --tol-ks 2
expect_fail 1 "nowhere.safetensors" -- $L sweep --model nowhere.safetensors --out x --bits 8
mkdir -p y && echo "bits,ks" > y/sweep.csv
expect_fail 1 "not a sweep CSV" -- $S --out y --bits 8
[ ! -e x ] && ok || bad "a refused sweep created its output directory"
$L sweep --help | grep -q -- "--tol-heat" && ok || bad "--help lacks the tolerances"
finish
