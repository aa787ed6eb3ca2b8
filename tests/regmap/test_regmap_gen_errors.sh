#!/usr/bin/env bash
# regmap_gen refuses broken register maps with a message naming the problem
# (exit 1), accepts a minimal valid one, and rejects bad usage (exit 2).
set -u
gen=$LV_REGMAP_GEN
fails=0

# A minimal valid map; each case below replaces one piece of it.
default_mem='{"name": "M", "id": 0, "width": 8, "depth": "DEPTH", "access": "rw", "desc": "m"}'
map() { # $1 registers (extra), $2 memories, $3 crc list, $4 top-level extra
  local mems=$2 crc=$3
  [ -n "$mems" ] || mems=$default_mem
  [ -n "$crc" ] || crc='"CFG"'
  cat <<JSON
{
  "name": "t", "title": "T", "data_width": 32, "addr_bytes": 256,
  "description": ["# T"], $4
  "params": [{"name": "DEPTH", "value": 16, "desc": "d"}],
  "memory_port": {"select": "SEL.ID", "address": "ADDR.A"},
  "memories": [$mems],
  "config_crc_registers": [$crc],
  "registers": [
    {"name": "SEL", "offset": "0x00", "access": "rw", "desc": "s", "fields": [{"name": "ID", "bits": "1:0", "reset": 0, "desc": "i"}]},
    {"name": "ADDR", "offset": 4, "access": "rw", "desc": "a", "fields": [{"name": "A", "bits": "3:0", "reset": 0, "desc": "a"}]},
    {"name": "CFG", "offset": "0x08", "access": "rw", "load": true, "desc": "c", "fields": [{"name": "V", "bits": "31:0", "reset": "DEPTH", "desc": "v"}]}
    $1
  ]
}
JSON
}

expect_fail() { # $1 label, $2 expected message fragment; map on stdin
  cat > case.json
  out=$("$gen" case.json --header case.h 2>&1); rc=$?
  if [ $rc -ne 1 ]; then echo "FAIL [$1]: exit $rc, want 1 ($out)"; fails=$((fails + 1)); return; fi
  case $out in
    *"$2"*) echo "ok   [$1]: $out" ;;
    *) echo "FAIL [$1]: message '$out' lacks '$2'"; fails=$((fails + 1)) ;;
  esac
  [ ! -e case.h ] || { echo "FAIL [$1]: wrote an output for a bad map"; fails=$((fails + 1)); rm -f case.h; }
}

map "" "" "" "" > good.json
if "$gen" good.json --header good.h --verilog good.vh --markdown good.md; then
  echo "ok   [valid map]"
else
  echo "FAIL [valid map] refused"; fails=$((fails + 1))
fi
grep -q '#define LV_REG_CFG_V_RESVAL UINT32_C(0x10)' good.h || { echo "FAIL: parameter reset not resolved"; fails=$((fails + 1)); }

R='{"name": "X", "offset": "0x0C", "access": "ro", "desc": "x", "fields": [{"name": "F", "bits": "0", "reset": 0, "desc": "f"}]}'
map ", ${R/0x0C/0x08}" "" "" "" | expect_fail "overlapping offsets" "registers CFG and X overlap: both are at offset 0x008"
map ", ${R/0x0C/0x0E}" "" "" "" | expect_fail "misaligned" "offset 0x00e is not a multiple of 4"
map ", ${R/0x0C/0x100}" "" "" "" | expect_fail "outside window" "outside the 256-byte register window"
map ", ${R/\"X\"/\"CFG\"}" "" "" "" | expect_fail "duplicate register" "two registers are named CFG"
map ", ${R/\"0\", \"reset\"/\"32\", \"reset\"}" "" "" "" | expect_fail "bit outside" "bits 32:32 are outside the 32-bit register"
map ", ${R/\"0\", \"reset\"/\"0:3\", \"reset\"}" "" "" "" | expect_fail "msb below lsb" "msb below lsb"
map ", ${R/\"0\", \"reset\"/\"a:b\", \"reset\"}" "" "" "" | expect_fail "bad bits" "is not \"msb:lsb\""
map ", ${R/\"reset\": 0/\"reset\": 2}" "" "" "" | expect_fail "reset too wide" "reset value 2 does not fit its 1 bit"
map ", ${R/\"access\": \"ro\"/\"access\": \"rx\"}" "" "" "" | expect_fail "bad access" "access \"rx\" is not one of ro, rw, w1c, wo"
map ", ${R/\"x\", \"fields\"/\"x\", \"feilds\"}" "" "" "" | expect_fail "unknown key" "register X has an unknown key \"feilds\""
map ", ${R/\"X\"/\"x\"}" "" "" "" | expect_fail "bad name" "has the name \"x\""
map ", ${R/\"desc\": \"x\"/\"desc\": \"a */ b\"}" "" "" "" | expect_fail "comment end" "would end a C comment"
two='{"name": "X", "offset": "0x0C", "access": "ro", "desc": "x", "fields": [{"name": "F", "bits": "3:0", "reset": 0, "desc": "f"}, {"name": "G", "bits": "4:2", "reset": 0, "desc": "g"}]}'
map ", $two" "" "" "" | expect_fail "overlapping fields" "field G (bits 4:2) overlaps field F (bits 3:0)"
map ", ${two/\"G\"/\"F\"}" "" "" "" | expect_fail "duplicate field" "two fields are named F"
enum='{"name": "X", "offset": "0x0C", "access": "ro", "desc": "x", "fields": [{"name": "F", "bits": "1:0", "reset": 0, "desc": "f", "enum": [{"name": "A", "value": 0, "desc": "a"}, {"name": "B", "value": VAL, "desc": "b"}]}]}'
map ", ${enum/VAL/0}" "" "" "" | expect_fail "duplicate enum value" "enum values A and B are both 0"
map ", ${enum/VAL/4}" "" "" "" | expect_fail "enum too wide" "value 4 does not fit the field's 2 bits"
# REG "X" + field "F_MASK" and REG "X_F" + field "MASK"... collide as LV_REG_X_F_MASK.
c1='{"name": "X", "offset": "0x0C", "access": "ro", "desc": "x", "fields": [{"name": "F_MASK", "bits": "0", "reset": 0, "desc": "f"}]}'
c2='{"name": "X_F", "offset": "0x10", "access": "ro", "desc": "x", "fields": [{"name": "MASK", "bits": "0", "reset": 0, "desc": "f"}]}'
map ", $c1, $c2" "" "" "" | expect_fail "identifier collision" "generate the same identifier LV_REG_X_F_MASK_"
map "" '{"name": "M", "id": 4, "width": 8, "depth": 4, "access": "rw", "desc": "m"}' "" "" | expect_fail "memory id too wide" "id 4 does not fit SEL.ID (2 bits)"
map "" '{"name": "M", "id": 0, "width": 8, "depth": 17, "access": "rw", "desc": "m"}' "" "" | expect_fail "memory too deep" "depth 17 is outside 1..2^4"
map "" '{"name": "M", "id": 0, "width": 8, "depth": 2, "access": "rw", "desc": "m"}, {"name": "N", "id": 0, "width": 8, "depth": 2, "access": "rw", "desc": "n"}' "" "" | expect_fail "duplicate memory id" "memories M and N both have id 0"
map "" '{"name": "M", "id": 0, "width": 8, "depth": "NOPE", "access": "rw", "desc": "m"}' "" "" | expect_fail "unknown parameter" "\"NOPE\" names no parameter"
map "" "" '"SEL"' "" | expect_fail "crc list not load" "lists SEL, which is not a \"load\" register"
map "" "" '"CFG", "CFG"' "" | expect_fail "crc list twice" "lists CFG twice"
map ", ${R/\"access\": \"ro\", \"desc\"/\"access\": \"rw\", \"load\": true, \"desc\"}" "" "" "" | expect_fail "load missing from crc" "register X is a \"load\" register but is missing"
map "" "" "" '"data_width": 64,' | expect_fail "duplicate top key" "has the key \"data_width\" twice"
printf '{"name": "t",\n  "title": }\n' | expect_fail "syntax error" "not valid JSON (syntax error near line 2)"

"$gen" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && echo "ok   [no arguments: exit 2]" || { echo "FAIL [no arguments]: exit $rc"; fails=$((fails + 1)); }
"$gen" good.json --header >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && echo "ok   [missing option value: exit 2]" || { echo "FAIL [missing option value]: exit $rc"; fails=$((fails + 1)); }
"$gen" missing.json >/dev/null 2>&1; rc=$?
[ $rc -eq 1 ] && echo "ok   [missing file: exit 1]" || { echo "FAIL [missing file]: exit $rc"; fails=$((fails + 1)); }

[ $fails -eq 0 ] || { echo "$fails failures"; exit 1; }
echo "all regmap_gen error cases pass"
