// energy_meter - the energy / heat meter and the saturation counters of
// docs/fixed-point.md §8, mirror of emu/src/energy_meter.h.
//
// Per unit of a field pass (FE = 32 fraction bits):
//   x4 = rnd(x2 x2, Fx)
//   v  = rnd(j2 x2, 16+Fx-FE) + rnd(j4 x4, 16+Fx-FE)
//        [+ rnd(bf x, Ff+Fx-FE) + rnd(f x, Ff+Fx+1-FE)   with couple_i]
//   q  = rnd((gp + g) (x - xp), Ff+Fx+1-FE)              (heat passes only)
// summed over the units of the pass (exact, modulo 2^64 like the C model).
// At pass_end_i:  V <= sum v;  latch_i: V0 <= sum v, Q <= 0;
//                 heat_i: Q <= Q - sum q   (Q wraps modulo 2^64).
// clr_i (start of a batch) zeroes V, V0, Q and both counters.
// Counters: 32-bit, sticky at 2^32 - 1, one count per event input (the
// sums and registers are meter_sums.v).
// LATENCY: the per-unit terms are registered once, then accumulated; the
// sums are complete 2 cycles after the last valid_i (pass_end_i must come
// no earlier).
`default_nettype none

module energy_meter (
  input  wire               clk_i,
  input  wire               rst_ni,
  // configuration (static during a run)
  input  wire [5:0]         fx_i,
  input  wire [5:0]         ff_i,
  input  wire signed [31:0] j2_i,
  input  wire signed [31:0] j4_i,
  // pass control
  input  wire               clr_i,       // zero registers and counters
  input  wire               pass_start_i, // zero the per-pass sums
  input  wire               pass_end_i,  // commit the sums (one cycle)
  input  wire               couple_i,
  input  wire               heat_i,
  input  wire               latch_i,
  // one unit per cycle
  input  wire               valid_i,
  input  wire signed [31:0] x_i,
  input  wire signed [31:0] xp_i,        // x of the previous tick
  input  wire signed [63:0] x2_i,
  input  wire signed [63:0] bf_i,
  input  wire signed [63:0] f_i,
  input  wire signed [63:0] g_i,
  input  wire signed [63:0] gp_i,        // g of the previous pass
  // saturation events (one unit-tick each)
  input  wire               sat_force_i,
  input  wire               sat_state_i,
  // registers
  output wire signed [63:0] v0_o,
  output wire signed [63:0] v_o,
  output wire signed [63:0] q_o,
  output wire [31:0]        sat_force_o,
  output wire [31:0]        sat_state_o
);

  `include "fx_prims.vh"

  wire signed [7:0] s_fx   = $signed({2'b00, fx_i});
  wire signed [7:0] s_loc  = 8'sd16 + s_fx - 8'sd32;
  wire signed [7:0] s_bias = $signed({2'b00, ff_i}) + s_fx - 8'sd32;
  wire signed [7:0] s_half = s_bias + 8'sd1;

  wire signed [63:0] x64  = {{32{x_i[31]}}, x_i};
  wire signed [63:0] xp64 = {{32{xp_i[31]}}, xp_i};
  wire signed [63:0] j264 = {{32{j2_i[31]}}, j2_i};
  wire signed [63:0] j464 = {{32{j4_i[31]}}, j4_i};
  wire signed [63:0] x4   = lv_rnd(x2_i * x2_i, s_fx);
  wire signed [63:0] vloc = lv_rnd(j264 * x2_i, s_loc) + lv_rnd(j464 * x4, s_loc);
  wire signed [63:0] vcpl = lv_rnd(bf_i * x64, s_bias) + lv_rnd(f_i * x64, s_half);
  wire signed [63:0] vterm = couple_i ? vloc + vcpl : vloc;
  wire signed [63:0] qterm = heat_i ? lv_rnd((gp_i + g_i) * (x64 - xp64), s_half) : 64'sd0;

  reg               tvld_q;
  reg signed [63:0] vterm_q, qterm_q;

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      tvld_q  <= 1'b0;
      vterm_q <= 64'sd0;
      qterm_q <= 64'sd0;
    end else begin
      tvld_q  <= valid_i;
      vterm_q <= vterm;
      qterm_q <= qterm;
    end
  end

  // The sums, V / V0 / Q and the counters (shared with the serial datapath).
  meter_sums u_sums (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .clr_i        (clr_i),
    .pass_start_i (pass_start_i),
    .pass_end_i   (pass_end_i),
    .heat_i       (heat_i),
    .latch_i      (latch_i),
    .valid_i      (tvld_q),
    .qvalid_i     (tvld_q),
    .vterm_i      (vterm_q),
    .qterm_i      (qterm_q),
    .sat_force_i  (sat_force_i),
    .sat_state_i  (sat_state_i),
    .v0_o         (v0_o),
    .v_o          (v_o),
    .q_o          (q_o),
    .sat_force_o  (sat_force_o),
    .sat_state_o  (sat_state_o)
  );

endmodule

`default_nettype wire
