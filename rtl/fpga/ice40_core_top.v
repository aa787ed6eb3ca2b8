// ice40_core_top - a pin-limited register-file harness around the whole
// langevin_core, for place-and-route on an iCE40 UP5K (scripts/fpga_estimates.sh,
// ICE_CORE), usable by a board over an SPI-like link.  Every input of the core
// comes from a register and every output can be read back, so none of the
// core's logic is optimised away and every timing path into the core starts at
// a flip-flop; 7 pins.  Its own little map (the full register interface is
// langevin_axi.v, with another map).
//
// Pins.  sin_i / sen_i: while sen_i is high, one bit per clock shifts into the
// 40-bit command register C = {addr[7:0], data[31:0]} (MSB first: the address,
// then the data) and sout_o shows C[39], so the previous content shifts out as
// the next command shifts in.  wr_i (one cycle, sen_i low): write data to
// register addr.  rd_i (one cycle, sen_i low): C[31:0] <= the read word addr
// (C[39:32] keeps the address), then shift it out: 8 address bits, the word
// MSB first.  Keep sen_i low in the cycle after wr_i: the load port and the run
// command read C then.  addr[7:5] are ignored; reads decode addr[3:0].
//
// Write map (addr: fields, bit positions):
//   0x00 FMT     wx [6:0], fx [13:8], wf [22:16], ff [29:24]   cfg_*, held
//   0x01 SIZE    nv [15:0], nh [31:16] (NW = log2(MaxN) + 1 bits each)
//   0x02 BLK     vv [0], bn [11:8], eb_vis [23:16], eb_hid [31:24]
//   0x03 J2   0x04 J4   0x05 K   0x06 GAIN   0x07 OFFSET          (32 bits)
//   0x08 COLOUR  a [15:0], ca [31:16]
//   0x09 SEED_LO 0x0A SEED_HI 0x0B TICK0 0x0C TICKS              held
//   0x0D ADDR    ld_addr_i = mr_addr_i [15:0], cp_bank [23:16], ld_mem [30:28],
//                cp_sel [31]                                      held
//   0x0E CPWORD  cp_word [23:0]                                   held
//   0x0F LOAD    one ld_we_i pulse with ld_data_i = data (the core's load
//                port: ld_mem, ld_addr of ADDR)
//   0x10 CMD     start [0], stop [1] (one-cycle pulses), clear [2], couple [3],
//                latch [4] (held; the core samples them at start)
// Read map (addr[3:0]):
//   0x0 STATUS   busy [0], done [1], pass_done [2], xw_valid [3] (the three
//                last are the core's one-cycle pulses: a board polls busy),
//                e_max [15:8], xw_unit [31:16]
//   0x1 TICK  0x2 V0 lo  0x3 V0 hi  0x4 V lo  0x5 V hi  0x6 Q lo  0x7 Q hi
//   0x8 SAT_STATE  0x9 SAT_FORCE  0xA XW_X (the last state write)
//   0xB cp_rdata [15:0]  0xC mr_bias [23:0], mr_rexp [31:24]  0xD-0xF 0
//
// Cost (yosys 0.23 synth_ice40 -dsp -noflatten, P 1, MaxN 16, AccW 40): 357
// SB_LUT4 (mostly the read multiplexer, about one per output bit) and 464
// flip-flops (424 held bits, what a device must hold anyway, the command
// register and 3 strobes), against 384 and 845 for the first harness (465-bit
// input and 381-bit capture / output shift registers).  Placed with the core
// (docs/fpga.md §2.2): 5,918 logic cells instead of 6,009, since each held bit
// still takes a cell of its own and the old capture flip-flops shared theirs
// with their multiplexer LUTs.
//
// Parameters: those of langevin_core (P, MaxN, MaxM, CW, AccW, Serial, Pair;
// Overlap is 0: the small profile has no read copies).  Pair defaults to 0
// here (one multiplier and accumulator per coupling lane, the UP5K profile).
// MaxN <= 2^15 (NW <= 16).
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
  input  wire sin_i,     // serial data in (shifted while sen_i)
  input  wire sen_i,     // shift enable
  input  wire wr_i,      // write C's data to register C's addr
  input  wire rd_i,      // load read word C's addr into C's data
  output wire sout_o     // C[39]
);

  localparam integer UnitW = $clog2(MaxN);
  localparam integer NW    = UnitW + 1;

  localparam [4:0] AFmt = 5'h00, ASize = 5'h01, ABlk = 5'h02, AJ2 = 5'h03, AJ4 = 5'h04, AK = 5'h05,
                   AGain = 5'h06, AOff = 5'h07, ACol = 5'h08, ASeedL = 5'h09, ASeedH = 5'h0A,
                   ATick0 = 5'h0B, ATicks = 5'h0C, AAddr = 5'h0D, ACpw = 5'h0E, ALoad = 5'h0F,
                   ACmd = 5'h10;

  // ---- command register -----------------------------------------------------
  reg  [39:0] c_q;
  wire [4:0]  addr = c_q[36:32];
  wire [2:0]  unused_addr = c_q[39:37];
  wire [31:0] d = c_q[31:0];
  reg  [31:0] rword;

  always @(posedge clk_i) begin
    if (rd_i)       c_q[31:0] <= rword;
    else if (sen_i) c_q <= {c_q[38:0], sin_i};
  end
  assign sout_o = c_q[39];

  // ---- held registers (the device's configuration and run parameters) -----
  reg [6:0]  wx_q, wf_q;
  reg [5:0]  fx_q, ff_q;
  reg [NW-1:0] nv_q, nh_q, la_q;
  reg        vv_q;
  reg [3:0]  bn_q;
  reg [7:0]  ebv_q, ebh_q, cpb_q;
  reg [31:0] j2_q, j4_q, k_q, gain_q, off_q, t0_q, ts_q;
  reg [15:0] ca_q, cc_q;
  reg [63:0] seed_q;
  reg [2:0]  lm_q;
  reg        cps_q;
  reg [23:0] cpw_q;
  reg        clr_q, cpl_q, lat_q;
  // strobes: one cycle after the write (C is still the written command)
  reg        ldwe_q, start_q, stop_q;

  always @(posedge clk_i) begin
    if (wr_i) begin
      case (addr)
        AFmt:   begin wx_q <= d[6:0]; fx_q <= d[13:8]; wf_q <= d[22:16]; ff_q <= d[29:24]; end
        ASize:  begin nv_q <= d[NW-1:0]; nh_q <= d[16 +: NW]; end
        ABlk:   begin vv_q <= d[0]; bn_q <= d[11:8]; ebv_q <= d[23:16]; ebh_q <= d[31:24]; end
        AJ2:    j2_q <= d;
        AJ4:    j4_q <= d;
        AK:     k_q <= d;
        AGain:  gain_q <= d;
        AOff:   off_q <= d;
        ACol:   begin ca_q <= d[15:0]; cc_q <= d[31:16]; end
        ASeedL: seed_q[31:0] <= d;
        ASeedH: seed_q[63:32] <= d;
        ATick0: t0_q <= d;
        ATicks: ts_q <= d;
        AAddr:  begin la_q <= d[NW-1:0]; cpb_q <= d[23:16]; lm_q <= d[30:28]; cps_q <= d[31]; end
        ACpw:   cpw_q <= d[23:0];
        ACmd:   begin clr_q <= d[2]; cpl_q <= d[3]; lat_q <= d[4]; end
        default: ;
      endcase
    end
  end

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ldwe_q  <= 1'b0;
      start_q <= 1'b0;
      stop_q  <= 1'b0;
    end else begin
      ldwe_q  <= wr_i && addr == ALoad;
      start_q <= wr_i && addr == ACmd && d[0];
      stop_q  <= wr_i && addr == ACmd && d[1];
    end
  end

  // ---- the core ---------------------------------------------------------------
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
    .cfg_nv_i       (nv_q),
    .cfg_nh_i       (nh_q),
    .cfg_vv_i       (vv_q),
    .cfg_wx_i       (wx_q),
    .cfg_fx_i       (fx_q),
    .cfg_wf_i       (wf_q),
    .cfg_ff_i       (ff_q),
    .cfg_j2_i       (j2_q),
    .cfg_j4_i       (j4_q),
    .cfg_k_i        (k_q),
    .cfg_bn_i       (bn_q),
    .cfg_gain_i     (gain_q),
    .cfg_offset_i   (off_q),
    .cfg_colour_a_i (ca_q),
    .cfg_colour_c_i (cc_q),
    .cfg_eb_vis_i   (ebv_q),
    .cfg_eb_hid_i   (ebh_q),
    .ld_we_i        (ldwe_q),
    .ld_mem_i       (lm_q),
    .ld_addr_i      (la_q),
    .ld_data_i      (d),
    .cp_sel_i       (cps_q),
    .cp_bank_i      (cpb_q),
    .cp_word_i      (cpw_q),
    .cp_rdata_o     (cp_rdata),
    .mr_addr_i      (la_q),
    .mr_rexp_o      (mr_rexp),
    .mr_bias_o      (mr_bias),
    .start_i        (start_q),
    .stop_i         (stop_q),
    .clear_i        (clr_q),
    .couple_i       (cpl_q),
    .latch_i        (lat_q),
    .seed_i         (seed_q),
    .tick0_i        (t0_q),
    .ticks_i        (ts_q),
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

  // ---- read words -------------------------------------------------------------
  wire [15:0] unit16 = {{(16 - UnitW){1'b0}}, xw_unit};
  always @(*) begin
    case (addr[3:0])
      4'h0: rword = {unit16, e_max, 4'd0, xw_valid, pass_done, done, busy};
      4'h1: rword = tick;
      4'h2: rword = v0[31:0];
      4'h3: rword = v0[63:32];
      4'h4: rword = v[31:0];
      4'h5: rword = v[63:32];
      4'h6: rword = q[31:0];
      4'h7: rword = q[63:32];
      4'h8: rword = sat_state;
      4'h9: rword = sat_force;
      4'hA: rword = xw_x;
      4'hB: rword = {16'd0, cp_rdata};
      4'hC: rword = {mr_rexp, mr_bias};
      default: rword = 32'd0;
    endcase
  end
  wire unused_a4 = addr[4];

  initial begin
    if (NW > 16) $error("ice40_core_top: MaxN = %0d needs NW = %0d > 16 address bits", MaxN, NW);
  end

endmodule

`default_nettype wire
