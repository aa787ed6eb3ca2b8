# Shared helpers for the CLI tests (sourced).  $1 of the test = langevin binary.
set -u
LANGEVIN=${LANGEVIN:-$1}
IMAGES="$LV_DATA/mnist/train-images-idx3-ubyte"
LABELS="$LV_DATA/mnist/train-labels-idx1-ubyte"
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
# expect_fail CODE PATTERN -- command...: exit code and stderr must match.
expect_fail() {
  local code=$1 pat=$2; shift 3
  local out rc
  out=$("$@" 2>&1 >/dev/null); rc=$?
  if [ "$rc" -ne "$code" ]; then bad "'$*' exited $rc, expected $code; stderr: $out"; return; fi
  if ! grep -qiE -- "$pat" <<<"$out"; then bad "'$*' stderr lacks /$pat/: $out"; return; fi
  ok
}
json_num() { grep -o "\"$2\":[[:space:]]*[-0-9.e+]*" "$1" | head -1 | sed 's/.*:[[:space:]]*//'; }
finish() { echo "$(basename "$0" .sh): $pass passed, $fail failed"; [ "$fail" -eq 0 ]; }
