// noise_dac - noise DAC, colour filter, analog gain and offset
// (docs/fixed-point.md §6), mirror of emu/src/noise_dac.h lv_dac_eta.
//
//   d   = rnd(z, 14 - Bn)                                  Bn-bit DAC code
//   n   = d * 2^8                                          white (a == 0)
//   n   = rnd(a * n_u(t-1) + ca * (d * 2^8), 15)           coloured (a != 0)
//   eta = rnd(G * n + O * 2^8, 24)                         state LSBs
//
// The per-unit filter state n_u lives in an internal RAM (MaxN x 32 bits),
// read one cycle ahead and written back when a != 0; clr_i zeroes one word
// (the core sweeps it to start a batch, like lv_dev_reset).  Requests must
// carry distinct units in consecutive cycles (true of the per-unit sweep).
// LATENCY = 2 cycles from valid_i to valid_o.
//
// Parameters:
//   MaxN   filter-state capacity (units)
//   UnitW  width of the unit index
`default_nettype none

module noise_dac #(
  parameter integer MaxN  = 64,
  parameter integer UnitW = 6
) (
  input  wire                    clk_i,
  input  wire                    rst_ni,
  // configuration (static during a run)
  input  wire [3:0]              bn_i,       // 2..14
  input  wire [31:0]             gain_i,     // G, unsigned Q16.16
  input  wire signed [31:0]      offset_i,   // O, Q16.16
  input  wire [15:0]             colour_a_i, // a, Q1.15, < 2^15
  input  wire [15:0]             colour_c_i, // ca, Q1.15, 1..2^15
  // filter-state clear port
  input  wire                    clr_i,
  input  wire [UnitW-1:0]        clr_unit_i,
  // samples
  input  wire                    valid_i,
  input  wire [UnitW-1:0]        unit_i,
  input  wire signed [13:0]      z_i,
  output reg                     valid_o,
  output reg  signed [63:0]      eta_o
);

  `include "fx_prims.vh"

  // Stage 1: DAC code, filter-state read issued.
  reg                    vld1_q;
  reg  [UnitW-1:0]       unit1_q;
  reg  signed [63:0]     d1_q;
  wire [31:0]            nprev_raw;

  wire signed [7:0] s_dac = 8'sd14 - $signed({4'd0, bn_i});

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      vld1_q  <= 1'b0;
      unit1_q <= {UnitW{1'b0}};
      d1_q    <= 64'sd0;
    end else begin
      vld1_q  <= valid_i;
      unit1_q <= unit_i;
      d1_q    <= lv_rnd({{50{z_i[13]}}, z_i}, s_dac);
    end
  end

  // Stage 2: filter, gain and offset.
  wire signed [63:0] nprev  = {{32{nprev_raw[31]}}, nprev_raw};
  wire signed [63:0] n_in   = d1_q <<< 8;
  wire signed [63:0] a64    = $signed({48'd0, colour_a_i});
  wire signed [63:0] ca64   = $signed({48'd0, colour_c_i});
  wire signed [63:0] n_col  = lv_rnd(a64 * nprev + ca64 * n_in, 8'sd15);
  wire               white  = (colour_a_i == 16'd0);
  wire signed [63:0] n_cur  = white ? n_in : n_col;
  wire signed [63:0] g64    = $signed({32'd0, gain_i});
  wire signed [63:0] o64    = {{32{offset_i[31]}}, offset_i};
  wire signed [63:0] eta_d  = lv_rnd(g64 * n_cur + (o64 <<< 8), 8'sd24);

  wire              st_we    = clr_i | (vld1_q & ~white);
  wire [UnitW-1:0]  st_waddr = clr_i ? clr_unit_i : unit1_q;
  wire [31:0]       st_wdata = clr_i ? 32'd0 : n_cur[31:0];
  wire [31:0]       unused_n = n_cur[63:32];

  lv_ram #(.Width(32), .Depth(MaxN), .AddrW(UnitW)) u_colour (
    .clk_i   (clk_i),
    .we_i    (st_we),
    .waddr_i (st_waddr),
    .wdata_i (st_wdata),
    .raddr_i (unit_i),
    .rdata_o (nprev_raw)
  );

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_o <= 1'b0;
      eta_o   <= 64'sd0;
    end else begin
      valid_o <= vld1_q;
      eta_o   <= eta_d;
    end
  end

  initial begin
    if (MaxN < 1 || (1 << UnitW) < MaxN) $error("noise_dac: UnitW = %0d cannot index MaxN = %0d", UnitW, MaxN);
  end

endmodule

`default_nettype wire
