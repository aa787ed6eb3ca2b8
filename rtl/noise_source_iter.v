// noise_source_iter - the thermal-noise source of docs/fixed-point.md §6, computed
// iteratively for small FPGAs (iCE40 UP5K); bit-exact with noise_source.v and with
// emu/src/noise_source.c (lv_noise_z for the default Tag).
//
// Same function as noise_source: for each accepted request (unit i, tick t)
//
//   (w0, w1, w2, w3) = Philox4x32-10(key = (seed_lo, seed_hi),
//                                    counter = (i, t, Tag, 0))
//   z = (sum of the twelve 10-bit fields of w3:w2:w1:w0, bits 0..119) - 6138
//
// but one request at a time, with the two Philox multiplications of a round done
// digit-serially: each cycle multiplies one DigitW-bit digit of c0 and of c2 by the
// constants M0 and M1 and adds it into a running product (LSB first, the low
// product bits shifting into the multiplicand's register).  With the default
// DigitW = 4 the digit products d * M (d = 0..15) are two 16-entry constant tables,
// one LUT4 per bit, and the adders are 36-bit carry chains: no multiplier and no
// SB_MAC16 at all.  DigitW = 8, 16, 32 multiply with `*` instead (yosys maps those
// onto SB_MAC16 / DSP blocks); DigitW = 1, 2 use the same tables as 4.
//
// Timing (S = 32 / DigitW cycles per round):
//   ready_o    high when a request can be accepted (idle, or the cycle in which the
//              previous result is being registered).  A request is taken on a
//              cycle with valid_i && ready_o; valid_i while !ready_o is a protocol
//              error and the request is dropped.
//   LATENCY    10 S + 2 cycles from the accepting cycle to valid_o (82 at DigitW 4;
//              12 at DigitW 32, like noise_source).
//   THROUGHPUT one sample per 10 S + 1 cycles when requests come back to back
//              (81 at DigitW 4, 41 at 8, 21 at 16, 11 at 32).
//   valid_o is a one-cycle pulse; side_o and z_o hold until the next result.
// seed_i, unit_i, tick_i and side_i are sampled with the request (seed_i need not
// stay constant afterwards, unlike noise_source).
//
// Size (yosys 0.23 `synth_ice40 -dsp -top noise_source_iter`, chparam DigitW; the
// pipelined noise_source: 2,301 SB_LUT4 + 80 SB_MAC16):
//
//   DigitW  cycles/sample  SB_LUT4  SB_MAC16  SB_CARRY
//      1         321          679       0        140
//      2         161          690       0        141
//      4          81          747       0        144
//      8          41          691       4        151
//     16          21          706       4        167
//     32          11          833       8        293
//
// The Irwin-Hall sum alone maps to 216 SB_LUT4, common to every DigitW.  Why
// DigitW = 4 is the default: the SB_MAC16 is the scarce resource of a UP5K (8 in
// all; the coupling lanes and the per-unit products need them), and among the
// variants without one, 4 gives 4x the throughput of DigitW = 1 for 10 % more
// SB_LUT4.  81 cycles per sample is also below what a per-unit datapath sharing
// one SB_MAC16 would spend per unit (14 products of up to 64 x 64 bits, up to 10
// 16x16 partial products each); and since z does not depend on the state, a small
// device can compute the next tick's noise during the coupling phase, which hides
// it whenever ceil(M/P) >= 81 N.  With 4 SB_MAC16 to spare, DigitW = 16 is both
// smaller and 4x faster (21 cycles per sample).
//
//   Philox4x32 round r (Salmon et al., SC'11; host/src/rng.c):
//     p0 = c0 * 0xD2511F53            p1 = c2 * 0xCD9E8D57
//     c' = (hi(p1) ^ c1 ^ k0_r, lo(p1), hi(p0) ^ c3 ^ k1_r, lo(p0))
//     k0_r = seed_lo + r * 0x9E3779B9, k1_r = seed_hi + r * 0xBB67AE85
//
// Parameters:
//   Tag     counter word 2 (0x4E4F4953 "NOIS" for thermal noise)
//   SideW   width of the side band carried with each request
//   DigitW  multiplier digit width: 1, 2, 4, 8, 16 or 32
`default_nettype none

module noise_source_iter #(
  parameter [31:0]  Tag    = 32'h4E4F4953,
  parameter integer SideW  = 16,
  parameter integer DigitW = 4
) (
  input  wire                    clk_i,
  input  wire                    rst_ni,
  input  wire [63:0]             seed_i,
  input  wire                    valid_i,
  input  wire [31:0]             unit_i,
  input  wire [31:0]             tick_i,
  input  wire [SideW-1:0]        side_i,
  output wire                    ready_o,
  output reg                     valid_o,
  output reg  [SideW-1:0]        side_o,
  output reg  signed [13:0]      z_o
);

  localparam integer Rounds = 10;
  localparam integer Steps  = 32 / DigitW;              // cycles per round
  localparam integer StepW  = Steps > 1 ? $clog2(Steps) : 1;
  localparam integer PW     = 32 + DigitW;              // width of a partial sum
  localparam [31:0] M0 = 32'hD2511F53;
  localparam [31:0] M1 = 32'hCD9E8D57;
  localparam [31:0] W0 = 32'h9E3779B9;
  localparam [31:0] W1 = 32'hBB67AE85;
  localparam [31:0] LastStep  = Steps - 1;
  localparam [31:0] LastRound = Rounds - 1;

  // Counter words: lane 0 multiplies x0 (c0) and XORs y0 (c3) into hi(p0); lane 1
  // multiplies x1 (c2) and XORs y1 (c1) into hi(p1).  During a round x0 / x1 shift
  // right by DigitW, the low product bits entering at the top; a0 / a1 hold the
  // running high parts.
  reg [31:0]      x0_q, x1_q, y0_q, y1_q, a0_q, a1_q;
  reg [31:0]      k0_q, k1_q;                   // round keys k0_r, k1_r
  reg [StepW-1:0] step_q;
  reg [3:0]       round_q;
  reg             busy_q;                       // rounds in progress
  reg             fin_q;                        // x/y hold the final block
  reg [SideW-1:0] side_q;

  // Digit product d * M: a constant table for narrow digits, a multiplier otherwise.
  function [PW-1:0] dmul;
    input [DigitW-1:0] d;
    input [31:0]       m;
    integer v;
    begin
      if (DigitW <= 4) begin
        dmul = {PW{1'b0}};
        for (v = 0; v < (1 << DigitW); v = v + 1)
          if (d == v[DigitW-1:0]) dmul = v[DigitW-1:0] * m;
      end else begin
        dmul = {{(PW-DigitW){1'b0}}, d} * {{DigitW{1'b0}}, m};
      end
    end
  endfunction

  wire [PW-1:0] t0 = {{DigitW{1'b0}}, a0_q} + dmul(x0_q[DigitW-1:0], M0);
  wire [PW-1:0] t1 = {{DigitW{1'b0}}, a1_q} + dmul(x1_q[DigitW-1:0], M1);

  // After this step: low / high product words (complete on the last step).
  wire [31:0] lo0, lo1;
  generate
    if (Steps > 1) begin : gen_shift
      assign lo0 = {t0[DigitW-1:0], x0_q[31:DigitW]};
      assign lo1 = {t1[DigitW-1:0], x1_q[31:DigitW]};
    end else begin : gen_full
      assign lo0 = t0[31:0];
      assign lo1 = t1[31:0];
    end
  endgenerate
  wire [31:0] hi0 = t0[PW-1:DigitW];
  wire [31:0] hi1 = t1[PW-1:DigitW];

  wire last_step = (step_q == LastStep[StepW-1:0]);
  wire accept    = valid_i & ready_o;
  assign ready_o = ~busy_q;

  // Control: asynchronous reset.
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      fin_q  <= 1'b0;
    end else if (accept) begin
      busy_q <= 1'b1;
      fin_q  <= 1'b0;
    end else begin
      if (busy_q && last_step && round_q == LastRound[3:0]) busy_q <= 1'b0;
      fin_q <= busy_q && last_step && round_q == LastRound[3:0];
    end
  end

  // Datapath: no reset (every word is loaded by an accepted request before it is
  // used), so that the iCE40 flip-flops can absorb the loads of constants and the
  // clearing of a0 / a1 as synchronous set / reset.
  always @(posedge clk_i) begin
    if (accept) begin
      x0_q    <= unit_i;                      // c0
      y1_q    <= tick_i;                      // c1
      x1_q    <= Tag;                         // c2
      y0_q    <= 32'd0;                       // c3
      a0_q    <= 32'd0;
      a1_q    <= 32'd0;
      k0_q    <= seed_i[31:0];
      k1_q    <= seed_i[63:32];
      step_q  <= {StepW{1'b0}};
      round_q <= 4'd0;
      side_q  <= side_i;
    end else if (busy_q) begin
      if (last_step) begin
        // c' = (hi(p1) ^ c1 ^ k0, lo(p1), hi(p0) ^ c3 ^ k1, lo(p0))
        x0_q    <= hi1 ^ y1_q ^ k0_q;
        y1_q    <= lo1;
        x1_q    <= hi0 ^ y0_q ^ k1_q;
        y0_q    <= lo0;
        a0_q    <= 32'd0;
        a1_q    <= 32'd0;
        k0_q    <= k0_q + W0;
        k1_q    <= k1_q + W1;
        step_q  <= {StepW{1'b0}};
        round_q <= round_q + 4'd1;
      end else begin
        x0_q   <= lo0;
        x1_q   <= lo1;
        a0_q   <= hi0;
        a1_q   <= hi1;
        step_q <= step_q + {{(StepW-1){1'b0}}, 1'b1};
      end
    end
  end

  // Irwin-Hall shaping of the final block w = (w0, w1, w2, w3) = (x0, y1, x1, y0);
  // bits 127:120 (the top byte of w3) are unused.
  `include "noise_shape.vh"
  wire [127:0] w = {y0_q, x1_q, y1_q, x0_q};
  wire [7:0]   unused_w = w[127:120];

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_o <= 1'b0;
      side_o  <= {SideW{1'b0}};
      z_o     <= 14'sd0;
    end else begin
      valid_o <= fin_q;
      if (fin_q) begin
        side_o <= side_q;
        z_o    <= lv_irwin_hall_z(w[119:0]);
      end
    end
  end

  initial begin
    if (SideW < 1) $error("noise_source_iter: SideW must be >= 1");
    if (DigitW != 1 && DigitW != 2 && DigitW != 4 && DigitW != 8 && DigitW != 16 && DigitW != 32)
      $error("noise_source_iter: DigitW must be 1, 2, 4, 8, 16 or 32");
  end

endmodule

`default_nettype wire
