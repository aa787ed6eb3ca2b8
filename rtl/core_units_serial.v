// core_units_serial - the per-unit phase of langevin_core for small FPGAs
// (Serial = 1): one unit at a time through unit_serial.v (one shared 16x16
// multiplier), its noise from noise_source_iter.v.  The same bits as
// core_units_pipe.v (emu/, device.c); coupling_mac hands over the
// unrounded field (FieldRound = 0), which unit_serial rounds.
//
// Per unit (the core issues it when ready_o):
//   U0   issue_i, unit_i: the X / XP / GP / colour RAMs are addressed (they
//        keep the address until the write-back), the core's bias RAM and
//        coupling_mac's read port too
//   U1   the bias code (cb1_i) is captured
//   U3   the field arrives (f_valid_i, f_i = acc): unit_serial starts and
//        samples it and the noise source's z; the RAM words and the bias code
//        stay on its inputs until done (unit_serial's Hold = 1), so nothing
//        is copied twice
//   then unit_serial runs n_u cycles (rtl/sim/unit_serial_timing.h); at its
//        done_o the results are written back: X = x', XP = x, GP = g
//        (upd_i), the colour state (unit_serial's n_we_o), the counters,
//        and x' on xw_* (upd_i); idle from the next cycle.  The meter's
//        terms go into meter_sums while the unit runs, each part of v and q
//        on its strobe as unit_serial forms it (Terms = 1: no v / q output
//        registers), so V and Q are complete at done_o.
// Noise is prefetched one unit ahead: whenever no z is held or in flight,
// the unit the core will issue next (unit_i while pend_i) is requested at
// tick_i, so the 81-cycle noise source runs during the field pass and the
// previous unit.  ready_o waits for that z (upd_i), so a unit's start at U3
// never stalls.  rtl/sim/core_timing.c (lv_core_pass_cycles_serial) models
// the cycles; the co-simulation checks them.
//
// idle_o: no unit in flight (the pass may end once the core issued all).
`default_nettype none

module core_units_serial #(
  parameter integer MaxN  = 64,
  parameter integer UnitW = 6
) (
  input  wire               clk_i,
  input  wire               rst_ni,
  // image configuration (§2), static while busy
  input  wire [UnitW:0]     nv_i,
  input  wire [6:0]         wx_i,
  input  wire [5:0]         fx_i,
  input  wire [6:0]         wf_i,
  input  wire [5:0]         ff_i,
  input  wire [31:0]        j2_i,
  input  wire [31:0]        j4_i,
  input  wire [31:0]        k_i,
  input  wire [3:0]         bn_i,
  input  wire [31:0]        gain_i,
  input  wire [31:0]        offset_i,
  input  wire [15:0]        colour_a_i,
  input  wire [15:0]        colour_c_i,
  input  wire [7:0]         eb_vis_i,
  input  wire [7:0]         eb_hid_i,
  input  wire signed [7:0]  e_i,         // E of the field (coupling_mac)
  // run and pass control (langevin_core)
  input  wire [63:0]        seed_i,
  input  wire [31:0]        tick_i,
  input  wire               couple_i,
  input  wire               upd_i,
  input  wire               heat_i,
  input  wire               latch_i,
  input  wire               meter_clr_i,
  input  wire               pass_start_i,
  input  wire               pass_end_i,
  input  wire               colour_clr_i,
  input  wire [UnitW-1:0]   clr_unit_i,
  // STATE load port (idle only)
  input  wire               ld_we_i,
  input  wire [UnitW-1:0]   ld_unit_i,
  input  wire [31:0]        ld_data_i,
  // units
  output wire               ready_o,
  output wire               idle_o,
  input  wire               pend_i,      // unit_i is the next unit to issue
  input  wire               issue_i,
  input  wire [UnitW-1:0]   unit_i,
  input  wire [23:0]        cb1_i,
  input  wire               f_valid_i,
  input  wire signed [63:0] f_i,
  // meter (§8)
  output wire [63:0]        v0_o,
  output wire [63:0]        v_o,
  output wire [63:0]        q_o,
  output wire [31:0]        sat_state_o,
  output wire [31:0]        sat_force_o,
  // state write stream
  output wire               xw_valid_o,
  output wire [UnitW-1:0]   xw_unit_o,
  output wire [31:0]        xw_x_o
);

  localparam [1:0] SIdle = 2'd0, SRead = 2'd1, SRun = 2'd2;
  localparam [1:0] ZEmpty = 2'd0, ZBusy = 2'd1, ZHave = 2'd2;

  reg [1:0]          st_q;
  reg [1:0]          zst_q;
  reg [UnitW-1:0]    u_q;
  reg                v1_q;
  reg signed [23:0]  cb_q;

  // ---- unit state RAMs: read at issue, address held until the write-back --
  wire [UnitW-1:0]   raddr = (st_q == SIdle) ? unit_i : u_q;
  wire signed [31:0] x_rd, xp_rd, n_rd;
  wire [39:0]        gp_rd;

  wire               us_done, us_ready, us_sat_force, us_sat_state, us_n_we;
  wire               us_v_valid, us_q_valid;
  wire signed [63:0] us_g, us_x2, us_v, us_q, us_eta, us_term;
  wire signed [31:0] us_n, us_x;
  wire               unused_us = ^{us_x2, us_eta, us_g[63:40], us_v, us_q};

  wire wb      = us_done;
  wire wb_upd  = us_done & upd_i;

  lv_ram #(.Width(32), .Depth(MaxN), .AddrW(UnitW)) u_x (
    .clk_i(clk_i), .we_i(ld_we_i | wb_upd), .waddr_i(ld_we_i ? ld_unit_i : u_q),
    .wdata_i(ld_we_i ? ld_data_i : us_x), .raddr_i(raddr), .rdata_o(x_rd));
  lv_ram #(.Width(32), .Depth(MaxN), .AddrW(UnitW)) u_xp (
    .clk_i(clk_i), .we_i(wb_upd), .waddr_i(u_q), .wdata_i(x_rd),
    .raddr_i(raddr), .rdata_o(xp_rd));
  // |g| <= 2^(Wf-1) - 1 < 2^39: 40 bits hold every force code (integrator.v).
  lv_ram #(.Width(40), .Depth(MaxN), .AddrW(UnitW)) u_gp (
    .clk_i(clk_i), .we_i(wb_upd), .waddr_i(u_q), .wdata_i(us_g[39:0]),
    .raddr_i(raddr), .rdata_o(gp_rd));
  // Colour-filter state n(t-1) (noise_dac.v): zeroed by the setup sweep.
  lv_ram #(.Width(32), .Depth(MaxN), .AddrW(UnitW)) u_n (
    .clk_i(clk_i), .we_i(colour_clr_i | (wb & us_n_we)), .waddr_i(colour_clr_i ? clr_unit_i : u_q),
    .wdata_i(colour_clr_i ? 32'd0 : us_n), .raddr_i(raddr), .rdata_o(n_rd));

  // ---- noise, one unit ahead ------------------------------------------------
  wire               nz_ready, nz_valid;
  wire signed [13:0] nz_z;
  wire               nz_side;
  wire               nz_req = (zst_q == ZEmpty) && pend_i && upd_i && nz_ready;

  noise_source_iter #(.Tag(32'h4E4F4953), .SideW(1)) u_noise (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .seed_i  (seed_i),
    .valid_i (nz_req),
    .unit_i  ({{(32-UnitW){1'b0}}, unit_i}),
    .tick_i  (tick_i),
    .side_i  (1'b0),
    .ready_o (nz_ready),
    .valid_o (nz_valid),
    .side_o  (nz_side),
    .z_o     (nz_z)
  );
  wire unused_nz = nz_side;

  // ---- the unit ---------------------------------------------------------------
  wire us_start = (st_q == SRead) && f_valid_i;
  wire signed [7:0] eb = ({1'b0, u_q} < nv_i) ? eb_vis_i : eb_hid_i;

  unit_serial #(.Hold(1), .Terms(1)) u_unit (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .fx_i        (fx_i),
    .ff_i        (ff_i),
    .wf_i        (wf_i),
    .wx_i        (wx_i),
    .j2_i        (j2_i),
    .j4_i        (j4_i),
    .k_i         (k_i),
    .bn_i        (bn_i),
    .gain_i      (gain_i),
    .offset_i    (offset_i),
    .colour_a_i  (colour_a_i),
    .colour_c_i  (colour_c_i),
    .start_i     (us_start),
    .ready_o     (us_ready),
    .couple_i    (couple_i),
    .heat_i      (heat_i),
    .update_i    (upd_i),
    .x_i         (x_rd),
    .xp_i        (xp_rd),
    .gp_i        (gp_rd),
    .cb_i        (cb_q),
    .eb_i        (eb),
    .acc_i       (f_i),
    .e_i         (e_i),
    .z_i         (nz_z),
    .nprev_i     (n_rd),
    .done_o      (us_done),
    .g_o         (us_g),
    .sat_force_o (us_sat_force),
    .x2_o        (us_x2),
    .v_o         (us_v),
    .q_o         (us_q),
    .v_valid_o   (us_v_valid),
    .q_valid_o   (us_q_valid),
    .term_o      (us_term),
    .eta_o       (us_eta),
    .n_o         (us_n),
    .n_we_o      (us_n_we),
    .x_o         (us_x),
    .sat_state_o (us_sat_state)
  );
  wire unused_ready = us_ready;

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      st_q       <= SIdle;
      zst_q      <= ZEmpty;
      u_q        <= {UnitW{1'b0}};
      v1_q       <= 1'b0;
      cb_q       <= 24'sd0;
    end else begin
      v1_q       <= issue_i;
      if (v1_q) cb_q <= cb1_i;
      // noise: requested (nz_req), arrived (z_o holds it), taken by the start
      if (nz_req) zst_q <= ZBusy;
      else if (nz_valid) zst_q <= ZHave;
      else if (us_start && upd_i) zst_q <= ZEmpty;
      case (st_q)
        SIdle: if (issue_i) begin
          u_q  <= unit_i;
          st_q <= SRead;
        end
        SRead: if (us_start) st_q <= SRun;
        SRun:  if (us_done) st_q <= SIdle;
        default: st_q <= SIdle;
      endcase
    end
  end

  // The state write stream is the write-back itself (unit_serial's x_o holds
  // x' from done_o on): no copy registers.
  assign xw_valid_o = wb_upd;
  assign xw_unit_o  = u_q;
  assign xw_x_o     = us_x;

  assign ready_o = (st_q == SIdle) && (!upd_i || zst_q == ZHave);
  assign idle_o  = (st_q == SIdle);

  meter_sums #(.InPlace(1)) u_sums (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .clr_i        (meter_clr_i),
    .pass_start_i (pass_start_i),
    .pass_end_i   (pass_end_i),
    .heat_i       (heat_i),
    .latch_i      (latch_i),
    .valid_i      (us_v_valid),
    .qvalid_i     (us_q_valid),
    .vterm_i      (us_term),
    .qterm_i      (us_term),
    .sat_force_i  (wb_upd & us_sat_force),
    .sat_state_i  (wb_upd & us_sat_state),
    .v0_o         (v0_o),
    .v_o          (v_o),
    .q_o          (q_o),
    .sat_force_o  (sat_force_o),
    .sat_state_o  (sat_state_o)
  );

endmodule

`default_nettype wire
