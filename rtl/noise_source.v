// noise_source - the device's thermal-noise source (docs/fixed-point.md §6),
// mirror of emu/src/noise_source.c.
//
// For each request (unit i, tick t) it computes
//
//   (w0, w1, w2, w3) = Philox4x32-10(key = (seed_lo, seed_hi),
//                                    counter = (i, t, Tag, 0))
//   u_k = bits [10k+9 : 10k] of w3:w2:w1:w0,  k = 0 .. 11
//   z   = u_0 + ... + u_11 - 6138                  (14-bit signed, |z| <= 6138)
//
// Fully pipelined: an input register, one Philox round per stage (10 stages, each with two
// 32x32 -> 64 multipliers), then one stage for the Irwin-Hall sum.
// Throughput one sample per cycle, LATENCY = 12 cycles from valid_i to
// valid_o.  The round keys key + r (W0, W1) are recomputed per stage from
// seed_i, which must stay constant while requests are in flight.  A side
// band tag_i (e.g. the unit index) travels with each request.
//
//   Philox4x32 round r (Salmon et al., SC'11; host/src/rng.c):
//     p0 = c0 * 0xD2511F53            p1 = c2 * 0xCD9E8D57
//     c' = (hi(p1) ^ c1 ^ k0_r, lo(p1), hi(p0) ^ c3 ^ k1_r, lo(p0))
//     k0_r = seed_lo + r * 0x9E3779B9, k1_r = seed_hi + r * 0xBB67AE85
//
// Parameters:
//   Tag    counter word 2 (0x4E4F4953 "NOIS" for thermal noise, 0x4D49534D
//          "MISM" for mismatch deviates)
//   SideW  width of the side band carried with each request
`default_nettype none

module noise_source #(
  parameter [31:0]  Tag   = 32'h4E4F4953,
  parameter integer SideW = 16
) (
  input  wire                    clk_i,
  input  wire                    rst_ni,
  input  wire [63:0]             seed_i,
  input  wire                    valid_i,
  input  wire [31:0]             unit_i,
  input  wire [31:0]             tick_i,
  input  wire [SideW-1:0]        side_i,
  output reg                     valid_o,
  output reg  [SideW-1:0]        side_o,
  output reg  signed [13:0]      z_o
);

  localparam integer Rounds = 10;
  localparam [31:0] M0 = 32'hD2511F53;
  localparam [31:0] M1 = 32'hCD9E8D57;
  localparam [31:0] W0 = 32'h9E3779B9;
  localparam [31:0] W1 = 32'hBB67AE85;

  // Stage r holds the counter after r rounds (stage 0 = the input counter).
  reg [127:0]     ctr_q   [0:Rounds];
  reg             vld_q   [0:Rounds];
  reg [SideW-1:0] side_q  [0:Rounds];

  wire [31:0] key0 = seed_i[31:0];
  wire [31:0] key1 = seed_i[63:32];

  integer r;
  wire [127:0] ctr_next [0:Rounds-1];

  genvar g;
  generate
    for (g = 0; g < Rounds; g = g + 1) begin : gen_round
      localparam [31:0] RoundIdx = g;
      wire [31:0] c0 = ctr_q[g][31:0];
      wire [31:0] c1 = ctr_q[g][63:32];
      wire [31:0] c2 = ctr_q[g][95:64];
      wire [31:0] c3 = ctr_q[g][127:96];
      wire [31:0] k0 = key0 + RoundIdx * W0;
      wire [31:0] k1 = key1 + RoundIdx * W1;
      wire [63:0] p0 = {32'd0, c0} * {32'd0, M0};
      wire [63:0] p1 = {32'd0, c2} * {32'd0, M1};
      assign ctr_next[g] = {p0[31:0], p0[63:32] ^ c3 ^ k1, p1[31:0], p1[63:32] ^ c1 ^ k0};
    end
  endgenerate

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (r = 0; r <= Rounds; r = r + 1) begin
        ctr_q[r]  <= 128'd0;
        vld_q[r]  <= 1'b0;
        side_q[r] <= {SideW{1'b0}};
      end
    end else begin
      ctr_q[0]  <= {32'd0, Tag, tick_i, unit_i};
      vld_q[0]  <= valid_i;
      side_q[0] <= side_i;
      for (r = 0; r < Rounds; r = r + 1) begin
        ctr_q[r+1]  <= ctr_next[r];
        vld_q[r+1]  <= vld_q[r];
        side_q[r+1] <= side_q[r];
      end
    end
  end

  // Irwin-Hall shaping of the final block (bits 127:120 are unused).
  `include "noise_shape.vh"
  wire [127:0] w = ctr_q[Rounds];
  wire [7:0]   unused_w = w[127:120];

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_o <= 1'b0;
      side_o  <= {SideW{1'b0}};
      z_o     <= 14'sd0;
    end else begin
      valid_o <= vld_q[Rounds];
      side_o  <= side_q[Rounds];
      z_o     <= lv_irwin_hall_z(w[119:0]);
    end
  end

  initial begin
    if (SideW < 1) $error("noise_source: SideW must be >= 1");
  end

endmodule

`default_nettype wire
