#!/usr/bin/env bash
# The generated Verilog include lints clean (verilator --lint-only -Wall)
# inside a module, and its values match the C header's.
set -eu
command -v verilator >/dev/null || { echo "verilator not installed: skipped"; exit 77; }
cat > lv_regs_lint.v <<'V'
`default_nettype none
module lv_regs_lint (
  output wire [31:0] magic_o,
  output wire [11:0] ctrl_offset_o
);
`include "lv_regs.vh"
  assign magic_o = LV_REG_ID_RESVAL;
  assign ctrl_offset_o = LV_REG_CTRL_OFFSET;
endmodule
`default_nettype wire
V
verilator --lint-only -Wall -I"$LV_GEN_DIR" lv_regs_lint.v
# Every numeric localparam of the .vh equals the header's macro of the same
# name (one awk pass over both files: values parsed as hex or decimal).
awk '
  function num(s) {                      # "0x1f", "31", "32'"'"'h1f", "13'"'"'d5"
    if (s ~ /'"'"'h/) { sub(/.*'"'"'h/, "", s); s = "0x" s }
    else sub(/.*'"'"'d/, "", s)
    if (s ~ /^0x/) { v = 0; s = tolower(substr(s, 3))
      for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
      return v }
    return s + 0
  }
  FNR == NR {                            # lv_regs.h
    if ($1 == "#define" && $2 ~ /^LV_/ && $2 !~ /\(/) { v = $3; sub(/^UINT32_C\(/, "", v); sub(/\)$/, "", v); c[$2] = v }
    next
  }
  /^localparam / {                       # lv_regs.vh
    name = $(NF - 2); val = $NF; sub(/;$/, "", val)
    if (!(name in c)) { print "FAIL: " name " is in lv_regs.vh but not in lv_regs.h"; bad = 1; next }
    cv = c[name]; if (cv in c) cv = c[cv]  # LV_MEM_*_DEPTH -> LV_PARAM_*
    if (num(cv) != num(val)) { print "FAIL: " name " is " val " in Verilog, " cv " in C"; bad = 1 }
    n++
  }
  END {
    if (n < 100) { print "FAIL: only " n " localparams compared"; bad = 1 }
    if (bad) exit 1
    print "lv_regs.vh lints clean; " n " values agree with lv_regs.h"
  }' "$LV_GEN_DIR/lv_regs.h" "$LV_GEN_DIR/lv_regs.vh"
