// fx_prims.vh - the fixed-point primitives of docs/fixed-point.md §1, as
// Verilog functions (mirror of emu/src/fx_prims.h).  `include this file
// inside a module body.
//
// Every value is a 64-bit two's-complement integer, exactly the int64_t of
// the C model: products and sums are formed modulo 2^64, which is exact for
// every image the loader accepts (§10: every product, term, sum and rounding
// intermediate stays below 2^63 in magnitude), so the RTL and emu/ agree bit
// for bit by construction.  Shift amounts are run-time values (the formats
// are configuration, not parameters), signed 8-bit.
//
//   lv_rnd(v, s)  rnd(v, s): s > 0 round half away from zero,
//                 s = 0 identity, s < 0 exact left shift (-63 <= s <= 63)
//   lv_max(w)     2^(w-1) - 1, the largest code of a w-bit symmetric format
//   lv_sat(v, w)  clamp v to [-(2^(w-1)-1), 2^(w-1)-1]
//   lv_sat_hit(v, w)  1 when lv_sat clamps (the stage's saturation event)

function automatic signed [63:0] lv_rnd(input signed [63:0] v, input signed [7:0] s);
  reg signed [63:0] t;
  reg        [5:0]  sh;
  begin
    if (s > 8'sd0) begin
      sh = s[5:0] - 6'd1;
      t  = v + (64'sd1 <<< sh);
      if (v[63]) t = t - 64'sd1;
      lv_rnd = t >>> s[5:0];
    end else if (s < 8'sd0) begin
      sh = 6'd0 - s[5:0];
      lv_rnd = v <<< sh;
    end else begin
      lv_rnd = v;
    end
  end
endfunction

function automatic signed [63:0] lv_max(input [6:0] w);
  reg [6:0] sh;
  begin
    sh = w - 7'd1;
    lv_max = (64'sd1 <<< sh) - 64'sd1;
  end
endfunction

function automatic signed [63:0] lv_sat(input signed [63:0] v, input [6:0] w);
  reg signed [63:0] m;
  begin
    m = lv_max(w);
    if (v > m) lv_sat = m;
    else if (v < -m) lv_sat = -m;
    else lv_sat = v;
  end
endfunction

function automatic lv_sat_hit(input signed [63:0] v, input [6:0] w);
  reg signed [63:0] m;
  begin
    m = lv_max(w);
    lv_sat_hit = (v > m) || (v < -m);
  end
endfunction
