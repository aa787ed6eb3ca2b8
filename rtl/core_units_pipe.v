// core_units_pipe - the per-unit phase of langevin_core, pipelined: one unit
// per cycle through a fixed-latency pipeline (the paper-size profile,
// Serial = 0).  Bit-exact with emu/ (device.c); core_units_serial.v is the
// same function for small FPGAs.
//
// A unit issued at U0 (issue_i, unit_i): its bias code arrives from the
// core's RAM at U1 (cb1_i), its field from coupling_mac at U2 (f_valid_i,
// f_i: the read takes 3 cycles, so the stages below are named as if the
// extra register U1d did not exist); force U3 (nonlinearity), meter terms
// complete U5 (energy_meter), noise z U12 (noise_source), eta U14
// (noise_dac), and with upd_i the state write x' U15 (integrator, also on
// xw_*).  ready_o is always 1; a pass's last unit is complete Drain = 16
// cycles after its issue (langevin_core counts them).
//
// State: X / XP / GP (integrator.v) and the colour filter (noise_dac.v);
// the STATE load port writes X (ld_*).  colour_clr_i zeroes the colour
// state of unit clr_unit_i (the core's setup sweep).  The meter (V, V0, Q,
// counters) is energy_meter.v.
`default_nettype none

module core_units_pipe #(
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

  localparam integer NoiseLat = 12;
  localparam integer DacLat   = 2;
  localparam integer EtaAt    = NoiseLat + DacLat;      // 14

  assign ready_o = 1'b1;

  // U1: RAM outputs.
  wire signed [31:0] x1, xp1;
  wire signed [63:0] gp1;
  reg                v1_q, v1d_q;
  reg  [UnitW-1:0]   u1_q, u1d_q;
  reg  signed [31:0] x1d_q, xp1d_q;
  reg  signed [63:0] gp1d_q;
  reg  [23:0]        cb1d_q;

  // U2: registered RAM outputs meet the field.
  reg                v2_q;
  reg  [UnitW-1:0]   u2_q;
  reg  signed [31:0] x2r_q;
  reg  signed [23:0] cb2_q;
  wire signed [7:0]  eb2 = ({1'b0, u2_q} < nv_i) ? eb_vis_i : eb_hid_i;

  // U3: force.
  wire               g_valid, sat_force_ev;
  wire signed [63:0] g3, xsq3, bf3;
  reg  signed [63:0] f3_q;
  reg  signed [31:0] x3_q, xp2_q, xp3_q;
  reg  signed [63:0] gp2_q, gp3_q;

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      v1_q <= 1'b0; u1_q <= {UnitW{1'b0}};
      v1d_q <= 1'b0; u1d_q <= {UnitW{1'b0}};
      x1d_q <= 32'sd0; xp1d_q <= 32'sd0; gp1d_q <= 64'sd0; cb1d_q <= 24'd0;
      v2_q <= 1'b0; u2_q <= {UnitW{1'b0}};
      x2r_q <= 32'sd0; cb2_q <= 24'sd0; xp2_q <= 32'sd0; gp2_q <= 64'sd0;
      x3_q <= 32'sd0; xp3_q <= 32'sd0; gp3_q <= 64'sd0; f3_q <= 64'sd0;
    end else begin
      v1_q  <= issue_i;
      u1_q  <= unit_i;
      v1d_q  <= v1_q;
      u1d_q  <= u1_q;
      x1d_q  <= x1;
      cb1d_q <= cb1_i;
      xp1d_q <= xp1;
      gp1d_q <= gp1;
      v2_q  <= v1d_q;
      u2_q  <= u1d_q;
      x2r_q <= x1d_q;
      cb2_q <= cb1d_q;
      xp2_q <= xp1d_q;
      gp2_q <= gp1d_q;
      x3_q  <= x2r_q;
      xp3_q <= xp2_q;
      gp3_q <= gp2_q;
      f3_q  <= f_i;
    end
  end

  nonlinearity u_nl (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .fx_i     (fx_i),
    .ff_i     (ff_i),
    .wf_i     (wf_i),
    .j2_i     (j2_i),
    .j4_i     (j4_i),
    .couple_i (couple_i),
    .valid_i  (v2_q),
    .x_i      (x2r_q),
    .cb_i     (cb2_q),
    .eb_i     (eb2),
    .f_i      (f_i),
    .valid_o  (g_valid),
    .g_o      (g3),
    .x2_o     (xsq3),
    .bf_o     (bf3),
    .sat_o    (sat_force_ev)
  );
  wire unused_valid = f_valid_i ^ g_valid;

  // Noise for (seed, TICK, u), issued at U0 with the unit; eta at U14.
  wire               z_valid;
  wire [UnitW-1:0]   z_unit;
  wire signed [13:0] z11;
  wire               eta_valid;
  wire signed [63:0] eta13;

  noise_source #(.Tag(32'h4E4F4953), .SideW(UnitW)) u_noise (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .seed_i  (seed_i),
    .valid_i (issue_i),
    .unit_i  ({{(32-UnitW){1'b0}}, unit_i}),
    .tick_i  (tick_i),
    .side_i  (unit_i),
    .valid_o (z_valid),
    .side_o  (z_unit),
    .z_o     (z11)
  );

  noise_dac #(.MaxN(MaxN), .UnitW(UnitW)) u_dac (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .bn_i       (bn_i),
    .gain_i     (gain_i),
    .offset_i   (offset_i),
    .colour_a_i (colour_a_i),
    .colour_c_i (colour_c_i),
    .clr_i      (colour_clr_i),
    .clr_unit_i (clr_unit_i),
    .valid_i    (z_valid & upd_i),
    .unit_i     (z_unit),
    .z_i        (z11),
    .valid_o    (eta_valid),
    .eta_o      (eta13)
  );

  // Align x (x2r_q) and g with eta (U14); with U1d they are at U3 and U4.
  wire [UnitW+31:0] xu13;
  wire [63:0]       g13;
  lv_delay #(.Width(UnitW + 32), .Depth(EtaAt - 3)) u_dly_x (
    .clk_i(clk_i), .rst_ni(rst_ni), .d_i({u2_q, x2r_q}), .q_o(xu13));
  lv_delay #(.Width(64), .Depth(EtaAt - 4)) u_dly_g (
    .clk_i(clk_i), .rst_ni(rst_ni), .d_i(g3), .q_o(g13));

  wire sat_state_ev;
  integrator #(.MaxN(MaxN), .UnitW(UnitW)) u_integ (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .k_i        (k_i),
    .fx_i       (fx_i),
    .ff_i       (ff_i),
    .wx_i       (wx_i),
    .ld_we_i    (ld_we_i),
    .ld_unit_i  (ld_unit_i),
    .ld_x_i     (ld_data_i),
    .rd_unit_i  (unit_i),
    .x_o        (x1),
    .xp_o       (xp1),
    .gp_o       (gp1),
    .up_valid_i (eta_valid),
    .up_unit_i  (xu13[UnitW+31:32]),
    .up_x_i     (xu13[31:0]),
    .up_g_i     (g13),
    .up_eta_i   (eta13),
    .wr_valid_o (xw_valid_o),
    .wr_unit_o  (xw_unit_o),
    .wr_x_o     (xw_x_o),
    .sat_o      (sat_state_ev)
  );

  energy_meter u_meter (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .fx_i         (fx_i),
    .ff_i         (ff_i),
    .j2_i         (j2_i),
    .j4_i         (j4_i),
    .clr_i        (meter_clr_i),
    .pass_start_i (pass_start_i),
    .pass_end_i   (pass_end_i),
    .couple_i     (couple_i),
    .heat_i       (heat_i),
    .latch_i      (latch_i),
    .valid_i      (g_valid),
    .x_i          (x3_q),
    .xp_i         (xp3_q),
    .x2_i         (xsq3),
    .bf_i         (bf3),
    .f_i          (f3_q),
    .g_i          (g3),
    .gp_i         (gp3_q),
    .sat_force_i  (sat_force_ev & upd_i),
    .sat_state_i  (sat_state_ev),
    .v0_o         (v0_o),
    .v_o          (v_o),
    .q_o          (q_o),
    .sat_force_o  (sat_force_o),
    .sat_state_o  (sat_state_o)
  );

endmodule

`default_nettype wire
