// nonlinearity - the quartic nonlinearity and the force of
// docs/fixed-point.md §5, mirror of emu/src/nonlinearity.h.
//
//   x2  = rnd(x * x,  Fx)              x3  = rnd(x2 * x, Fx)
//   lin = rnd((2 j2) x, 16 + Fx - Ff)  cub = rnd((4 j4) x3, 16 + Fx - Ff)
//   bf  = rnd(cb, eb - Ff)             (bias in force units)
//   g   = sat(lin + cub + bf + f, Wf)  (sat_o = SAT_FORCE event)
//
// With couple_i clear, bf = f = 0 (the coupling-free phase).  x2 and bf are
// also outputs (the energy meter reuses them).  All arithmetic in 64 bits
// as the C model (fx_prims.vh).  LATENCY = 1 cycle (one output register;
// the three chained multipliers are one combinational stage in this slice).
`default_nettype none

module nonlinearity (
  input  wire               clk_i,
  input  wire               rst_ni,
  // configuration (static during a run)
  input  wire [5:0]         fx_i,     // state fraction bits Fx
  input  wire [5:0]         ff_i,     // force fraction bits Ff
  input  wire [6:0]         wf_i,     // force width Wf
  input  wire signed [31:0] j2_i,     // J2, Q16.16, >= 0
  input  wire signed [31:0] j4_i,     // J4, Q16.16, >= 0
  input  wire               couple_i,
  // one unit per cycle
  input  wire               valid_i,
  input  wire signed [31:0] x_i,      // state code
  input  wire signed [23:0] cb_i,     // bias code
  input  wire signed [7:0]  eb_i,     // bias exponent of the unit's block
  input  wire signed [63:0] f_i,      // coupling field (Ff fraction bits)
  output reg                valid_o,
  output reg  signed [63:0] g_o,
  output reg  signed [63:0] x2_o,
  output reg  signed [63:0] bf_o,     // 0 when couple_i is clear
  output reg                sat_o
);

  `include "fx_prims.vh"

  wire signed [7:0]  s_fx   = $signed({2'b00, fx_i});
  wire signed [7:0]  s_nl   = 8'sd16 + s_fx - $signed({2'b00, ff_i});
  wire signed [7:0]  s_bias = eb_i - $signed({2'b00, ff_i});

  wire signed [63:0] x64    = {{32{x_i[31]}}, x_i};
  wire signed [63:0] x2     = lv_rnd(x64 * x64, s_fx);
  wire signed [63:0] x3     = lv_rnd(x2 * x64, s_fx);
  wire signed [63:0] two_j2 = {{31{j2_i[31]}}, j2_i, 1'b0};
  wire signed [63:0] four_j4 = {{30{j4_i[31]}}, j4_i, 2'b00};
  wire signed [63:0] lin    = lv_rnd(two_j2 * x64, s_nl);
  wire signed [63:0] cub    = lv_rnd(four_j4 * x3, s_nl);
  wire signed [63:0] bf     = couple_i ? lv_rnd({{40{cb_i[23]}}, cb_i}, s_bias) : 64'sd0;
  wire signed [63:0] f      = couple_i ? f_i : 64'sd0;
  wire signed [63:0] gsum   = lin + cub + bf + f;

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_o <= 1'b0;
      g_o     <= 64'sd0;
      x2_o    <= 64'sd0;
      bf_o    <= 64'sd0;
      sat_o   <= 1'b0;
    end else begin
      valid_o <= valid_i;
      g_o     <= lv_sat(gsum, wf_i);
      x2_o    <= x2;
      bf_o    <= bf;
      sat_o   <= valid_i & lv_sat_hit(gsum, wf_i);
    end
  end

endmodule

`default_nettype wire
