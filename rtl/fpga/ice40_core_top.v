// ice40_core_top - a pin-limited harness around the whole langevin_core, for
// place-and-route on an iCE40 UP5K (scripts/fpga_estimates.sh, ICE_CORE).
// Like ice40_mac_top.v: every input of the core comes from a register of one
// serial-in shift register (the configuration, the load port and the run
// controls: the register file a real board would write over SPI), and every
// output is captured into a serial-out shift register, so none of the core's
// logic is optimised away and every timing path starts and ends at a
// flip-flop; 5 pins.  A harness for resource and Fmax figures: the usable
// register interface is langevin_axi.v.
//
// Parameters: those of langevin_core (P, MaxN, MaxM, CW, AccW, Serial, Pair;
// Overlap is 0: the small profile has no read copies).  Pair defaults to 0
// here (one multiplier and accumulator per coupling lane, the UP5K profile).
`default_nettype none

module ice40_core_top #(
  parameter integer P      = 1,
  parameter integer MaxN   = 16,
  parameter integer MaxM   = 120,
  parameter integer CW     = 4,
  parameter integer AccW   = 40,
  parameter integer Serial = 1,
  parameter integer Pair   = 0
) (
  input  wire clk_i,
  input  wire rst_ni,
  input  wire sin_i,     // serial input (one bit per cycle into the input register)
  input  wire cap_i,     // 1: capture the outputs; 0: shift them out
  output wire sout_o
);

  localparam integer UnitW = $clog2(MaxN);
  localparam integer NW    = UnitW + 1;
  // Input fields, in order from bit 0.
  localparam integer INv = 0, INh = INv + NW, IVv = INh + NW, IWx = IVv + 1, IFx = IWx + 7, IWf = IFx + 6,
                     IFf = IWf + 7, IJ2 = IFf + 6, IJ4 = IJ2 + 32, IK = IJ4 + 32, IBn = IK + 32,
                     IGn = IBn + 4, IOf = IGn + 32, ICa = IOf + 32, ICc = ICa + 16, IEv = ICc + 16,
                     IEh = IEv + 8, ILw = IEh + 8, ILm = ILw + 1, ILa = ILm + 3, ILd = ILa + NW,
                     ICs = ILd + 32, ICb = ICs + 1, ICw = ICb + 8, IMa = ICw + 24, ISt = IMa + NW,
                     ISp = ISt + 1, ICl = ISp + 1, ICo = ICl + 1, ILt = ICo + 1, ISd = ILt + 1,
                     IT0 = ISd + 64, ITs = IT0 + 32, InW = ITs + 32;
  localparam integer OutW = 3 + 32 + 3 * 64 + 2 * 32 + 8 + 1 + UnitW + 32 + 16 + 8 + 24;

  reg [InW-1:0]  in_q;
  reg [OutW-1:0] out_q;
  always @(posedge clk_i) in_q <= {in_q[InW-2:0], sin_i};

  wire               busy, done, pass_done, xw_valid;
  wire [31:0]        tick, sat_state, sat_force, xw_x;
  wire [63:0]        v0, v, q;
  wire [7:0]         e_max, mr_rexp;
  wire [UnitW-1:0]   xw_unit;
  wire [15:0]        cp_rdata;
  wire [23:0]        mr_bias;

  langevin_core #(.P(P), .MaxN(MaxN), .MaxM(MaxM), .CW(CW), .AccW(AccW), .Overlap(0), .Serial(Serial),
                  .Pair(Pair)) u_core (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .cfg_nv_i       (in_q[INv +: NW]),
    .cfg_nh_i       (in_q[INh +: NW]),
    .cfg_vv_i       (in_q[IVv]),
    .cfg_wx_i       (in_q[IWx +: 7]),
    .cfg_fx_i       (in_q[IFx +: 6]),
    .cfg_wf_i       (in_q[IWf +: 7]),
    .cfg_ff_i       (in_q[IFf +: 6]),
    .cfg_j2_i       (in_q[IJ2 +: 32]),
    .cfg_j4_i       (in_q[IJ4 +: 32]),
    .cfg_k_i        (in_q[IK +: 32]),
    .cfg_bn_i       (in_q[IBn +: 4]),
    .cfg_gain_i     (in_q[IGn +: 32]),
    .cfg_offset_i   (in_q[IOf +: 32]),
    .cfg_colour_a_i (in_q[ICa +: 16]),
    .cfg_colour_c_i (in_q[ICc +: 16]),
    .cfg_eb_vis_i   (in_q[IEv +: 8]),
    .cfg_eb_hid_i   (in_q[IEh +: 8]),
    .ld_we_i        (in_q[ILw]),
    .ld_mem_i       (in_q[ILm +: 3]),
    .ld_addr_i      (in_q[ILa +: NW]),
    .ld_data_i      (in_q[ILd +: 32]),
    .cp_sel_i       (in_q[ICs]),
    .cp_bank_i      (in_q[ICb +: 8]),
    .cp_word_i      (in_q[ICw +: 24]),
    .cp_rdata_o     (cp_rdata),
    .mr_addr_i      (in_q[IMa +: NW]),
    .mr_rexp_o      (mr_rexp),
    .mr_bias_o      (mr_bias),
    .start_i        (in_q[ISt]),
    .stop_i         (in_q[ISp]),
    .clear_i        (in_q[ICl]),
    .couple_i       (in_q[ICo]),
    .latch_i        (in_q[ILt]),
    .seed_i         (in_q[ISd +: 64]),
    .tick0_i        (in_q[IT0 +: 32]),
    .ticks_i        (in_q[ITs +: 32]),
    .busy_o         (busy),
    .done_o         (done),
    .pass_done_o    (pass_done),
    .tick_o         (tick),
    .v0_o           (v0),
    .v_o            (v),
    .q_o            (q),
    .sat_state_o    (sat_state),
    .sat_force_o    (sat_force),
    .e_max_o        (e_max),
    .xw_valid_o     (xw_valid),
    .xw_unit_o      (xw_unit),
    .xw_x_o         (xw_x)
  );

  always @(posedge clk_i) begin
    if (cap_i) out_q <= {busy, done, pass_done, tick, v0, v, q, sat_state, sat_force, e_max,
                         xw_valid, xw_unit, xw_x, cp_rdata, mr_rexp, mr_bias};
    else       out_q <= {out_q[OutW-2:0], 1'b0};
  end
  assign sout_o = out_q[OutW-1];

endmodule

`default_nettype wire
