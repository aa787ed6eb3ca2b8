// integrator - one Euler tick of docs/fixed-point.md §7, mirror of
// emu/src/integrator.h, and the double-buffered unit state.
//
//   drift = rnd(-K g, Ff + 32 - Fx)        (state LSBs)
//   x'    = sat(x + drift + eta, Wx)       (sat_o = SAT_STATE event)
//
// State memories (MaxN words each, simple dual-port RAMs):
//   X   x_t, the current state; also the STATE load port
//   XP  x_(t-1), the state before the last update (heat of §8)
//   GP  g(x_(t-1)), the force of the previous pass (heat of §8)
// A pass reads unit u's (x, xp, gp) through the read port (registered, one
// cycle); the update of unit u, later in the same sweep, writes X[u] = x',
// XP[u] = x and GP[u] = g.  Each unit is read before it is written and no
// unit reads another's state, so every update uses the old state (the
// double buffering of §7): X and XP are the two buffers.
// LATENCY: read port 1 cycle; update 1 cycle (wr_*_o and the RAM writes).
//
// Parameters:
//   MaxN   units capacity
//   UnitW  width of the unit index (>= clog2(MaxN))
`default_nettype none

module integrator #(
  parameter integer MaxN  = 64,
  parameter integer UnitW = 6
) (
  input  wire               clk_i,
  input  wire               rst_ni,
  // configuration (static during a run)
  input  wire [31:0]        k_i,      // K = mu dt, Q0.32, 1 <= K < 2^31
  input  wire [5:0]         fx_i,
  input  wire [5:0]         ff_i,
  input  wire [6:0]         wx_i,
  // STATE load port (idle only)
  input  wire               ld_we_i,
  input  wire [UnitW-1:0]   ld_unit_i,
  input  wire signed [31:0] ld_x_i,
  // read port
  input  wire [UnitW-1:0]   rd_unit_i,
  output wire signed [31:0] x_o,
  output wire signed [31:0] xp_o,
  output wire signed [63:0] gp_o,
  // update
  input  wire               up_valid_i,
  input  wire [UnitW-1:0]   up_unit_i,
  input  wire signed [31:0] up_x_i,
  input  wire signed [63:0] up_g_i,
  input  wire signed [63:0] up_eta_i,
  output reg                wr_valid_o,
  output reg  [UnitW-1:0]   wr_unit_o,
  output reg  signed [31:0] wr_x_o,
  output reg                sat_o
);

  `include "fx_prims.vh"

  wire signed [7:0]  s_drift = $signed({2'b00, ff_i}) + 8'sd32 - $signed({2'b00, fx_i});
  wire signed [63:0] k64     = $signed({32'd0, k_i});
  wire signed [63:0] x64     = {{32{up_x_i[31]}}, up_x_i};
  wire signed [63:0] drift   = lv_rnd(-(k64 * up_g_i), s_drift);
  wire signed [63:0] xsum    = x64 + drift + up_eta_i;
  wire signed [63:0] xnew    = lv_sat(xsum, wx_i);
  wire [31:0]        unused_xnew = xnew[63:32];

  // X: the load port or the update.
  wire               x_we    = ld_we_i | up_valid_i;
  wire [UnitW-1:0]   x_waddr = ld_we_i ? ld_unit_i : up_unit_i;
  wire [31:0]        x_wdata = ld_we_i ? ld_x_i : xnew[31:0];
  wire [39:0]        gp_raw;

  lv_ram #(.Width(32), .Depth(MaxN), .AddrW(UnitW)) u_x (
    .clk_i(clk_i), .we_i(x_we), .waddr_i(x_waddr), .wdata_i(x_wdata),
    .raddr_i(rd_unit_i), .rdata_o(x_o)
  );
  lv_ram #(.Width(32), .Depth(MaxN), .AddrW(UnitW)) u_xp (
    .clk_i(clk_i), .we_i(up_valid_i), .waddr_i(up_unit_i), .wdata_i(up_x_i),
    .raddr_i(rd_unit_i), .rdata_o(xp_o)
  );
  // |g| <= 2^(Wf-1) - 1 < 2^39: 40 bits hold every force code.
  lv_ram #(.Width(40), .Depth(MaxN), .AddrW(UnitW)) u_gp (
    .clk_i(clk_i), .we_i(up_valid_i), .waddr_i(up_unit_i), .wdata_i(up_g_i[39:0]),
    .raddr_i(rd_unit_i), .rdata_o(gp_raw)
  );
  assign gp_o = {{24{gp_raw[39]}}, gp_raw};
  wire [23:0] unused_g = up_g_i[63:40];

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wr_valid_o <= 1'b0;
      wr_unit_o  <= {UnitW{1'b0}};
      wr_x_o     <= 32'sd0;
      sat_o      <= 1'b0;
    end else begin
      wr_valid_o <= up_valid_i;
      wr_unit_o  <= up_unit_i;
      wr_x_o     <= xnew[31:0];
      sat_o      <= up_valid_i & lv_sat_hit(xsum, wx_i);
    end
  end

  initial begin
    if (MaxN < 1 || (1 << UnitW) < MaxN) $error("integrator: UnitW = %0d cannot index MaxN = %0d", UnitW, MaxN);
  end

endmodule

`default_nettype wire
