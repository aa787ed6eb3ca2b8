// meter_sums - the sums and registers of the energy / heat meter and the
// saturation counters of docs/fixed-point.md §8 (emu/src/energy_meter.h),
// fed with per-unit terms: energy_meter.v computes the terms with pipelined
// multipliers, core_units_serial.v takes them from unit_serial.v.
//
// Per valid_i: vsum += vterm_i, qsum += qterm_i (exact, modulo 2^64 like the
// C model).  At pass_end_i:  V <= vsum;  latch_i: V0 <= vsum, Q <= 0;
//                            heat_i: Q <= Q - qsum   (Q wraps modulo 2^64).
// pass_start_i zeroes the per-pass sums; clr_i (start of a batch) zeroes V,
// V0, Q and both counters.  Counters: 32-bit, sticky at 2^32 - 1, one count
// per event input.  LATENCY: a term is in the sums the cycle after its
// valid_i, so pass_end_i may come one cycle after the last valid_i.
//
// InPlace = 1 (the serial profile, where area counts): no per-pass sums; V is
// zeroed at pass_start_i and accumulates the terms, V += vterm_i per valid_i,
// Q -= qterm_i per qvalid_i of a heat pass (V and Q have separate strobes:
// unit_serial.v with Terms = 1 presents each part of v and q as it is formed,
// and they may come in any number and order), and pass_end_i latches V0 <= V,
// Q <= 0 (latch_i).  The same values at every pass end (sums modulo 2^64);
// during a pass V and Q show partial sums.  128 flip-flops and one 64-bit
// adder less.  qvalid_i is unused with InPlace = 0 (tie it to valid_i).
`default_nettype none

module meter_sums #(
  parameter integer InPlace = 0
) (
  input  wire               clk_i,
  input  wire               rst_ni,
  input  wire               clr_i,
  input  wire               pass_start_i,
  input  wire               pass_end_i,
  input  wire               heat_i,
  input  wire               latch_i,
  input  wire               valid_i,
  input  wire               qvalid_i,
  input  wire signed [63:0] vterm_i,
  input  wire signed [63:0] qterm_i,
  input  wire               sat_force_i,
  input  wire               sat_state_i,
  output reg  signed [63:0] v0_o,
  output reg  signed [63:0] v_o,
  output reg  signed [63:0] q_o,
  output reg  [31:0]        sat_force_o,
  output reg  [31:0]        sat_state_o
);

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      sat_force_o <= 32'd0;
      sat_state_o <= 32'd0;
    end else if (clr_i) begin
      sat_force_o <= 32'd0;
      sat_state_o <= 32'd0;
    end else begin
      if (sat_force_i && sat_force_o != 32'hFFFF_FFFF) sat_force_o <= sat_force_o + 32'd1;
      if (sat_state_i && sat_state_o != 32'hFFFF_FFFF) sat_state_o <= sat_state_o + 32'd1;
    end
  end

  // Per-pass sums (InPlace = 0 only; unused and removed otherwise).
  reg signed [63:0] vsum_q, qsum_q;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      vsum_q <= 64'sd0;
      qsum_q <= 64'sd0;
    end else if (InPlace != 0) begin
      vsum_q <= 64'sd0;
      qsum_q <= 64'sd0;
    end else if (pass_start_i) begin
      vsum_q <= 64'sd0;
      qsum_q <= 64'sd0;
    end else if (valid_i) begin
      vsum_q <= vsum_q + vterm_i;
      qsum_q <= qsum_q + qterm_i;
    end
  end

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      v0_o <= 64'sd0;
      v_o  <= 64'sd0;
      q_o  <= 64'sd0;
    end else if (clr_i) begin
      v0_o <= 64'sd0;
      v_o  <= 64'sd0;
      q_o  <= 64'sd0;
    end else if (InPlace == 0) begin
      if (pass_end_i) begin
        v_o <= vsum_q;
        if (latch_i) begin
          v0_o <= vsum_q;
          q_o  <= 64'sd0;
        end else if (heat_i) begin
          q_o <= q_o - qsum_q;
        end
      end
    end else begin
      if (pass_start_i) v_o <= 64'sd0;
      else if (valid_i) v_o <= v_o + vterm_i;
      if (pass_end_i && latch_i) begin
        v0_o <= v_o;
        q_o  <= 64'sd0;
      end else if (qvalid_i && heat_i) begin
        q_o <= q_o - qterm_i;
      end
    end
  end

  wire unused_qvalid = (InPlace == 0) & qvalid_i;

  initial begin
    if (InPlace != 0 && InPlace != 1) $error("meter_sums: InPlace = %0d must be 0 or 1", InPlace);
  end

endmodule

`default_nettype wire
