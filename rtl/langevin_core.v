// langevin_core - the device datapath of docs/fixed-point.md: one Euler
// tick per pass over the units, bit-exact with emu/ (device.c).
//
// A run (start_i) of T = ticks_i ticks makes T + 1 passes (§8).  Pass k:
//   1. field:  (couple only) coupling_mac streams the M stored couplings
//              through P lanes: acc_i += c x_j 2^(E-eJ[r]), acc_j += c x_i ...
//   2. units:  one unit per cycle through a fixed-latency pipeline
//              (core_units_pipe.v), as soon as its field is complete
//              (coupling_mac's rdy_o), so this phase overlaps the field phase
//              of the same pass: f = rnd(acc, Fx+E-Ff) (coupling_mac), g and
//              x2 (nonlinearity), V and heat terms (energy_meter), and for
//              k < T the update x' = sat(x + drift(g) + eta, Wx) (integrator)
//              with the noise of tick t = TICK (noise_source -> noise_dac).
//              With Serial = 1 the same, one unit at a time, after the field
//              pass (core_units_serial.v: unit_serial, noise_source_iter).
//   3. end:    V = sum, V0/Q latch (latch_i, pass 0), Q -= heat (k >= 1);
//              TICK += 1 after an update pass.
// SAT_FORCE counts passes 0 .. T-1 (the measure pass T does not count),
// SAT_STATE every update, as emu/src/device.h specifies.
//
// Cycles (checked exactly by tests/rtl/test_cosim.c against the schedule
// model rtl/sim/core_timing.c):
//   pass, COUPLE clear            N + 18
//   pass, COUPLE set              18 + max(N, max_k (a_k + 4 + N - 1 - k))
//       k = 0 .. N-1 in the read order, a_k = the first field cycle a with
//       K(aP) > k (coupling_mac): ceil(M/P) + 23 .. + 55 at the paper's size
//       for P <= 64, never more than ceil(M/P) + N + 21 (which Overlap = 0
//       takes: a_k = ceil(M/P) for every k)
//   Serial = 1: the pass of rtl/sim/core_timing.c (lv_core_pass_cycles_serial),
//       about N (n_u + 4) plus the field pass, n_u = unit_serial's cycles
//   setup (once per run, before pass 0)  about n_rows + 4 (not checked)
// where N = nv + nh, n_rows = nv + nh (+ nv with vv), M stored couplings.
//
// Interfaces (langevin_axi.v, the AXI4-Lite register block of
// regmap/langevin_device.json, drives these):
//   cfg_*     formats and constants of the loaded image (§2), run-time values
//             (one instance runs every image that fits MaxN / MaxM), to be held
//             stable while busy_o; BJ and Bb need no port: codes are stored
//             sign-extended (16 and 24 bits)
//   ld_*      memory load port (idle only): ld_mem_i = 0 COUPLINGS (sequential
//             in §3 order; ld_addr_i = 0 restarts at coupling 0), 1 ROW_EXP,
//             2 BIAS, 4 STATE (also read back through xw_* as it is written)
//   cp_*      (idle) cp_sel_i = 1: COUPLINGS writes go to coupling
//             m = cp_word_i P + cp_bank_i instead of the sequential pointer;
//             cp_rdata_o reads the code there (one cycle latency), so the
//             register slave needs no copy of the coupling memory
//   mr_*      (idle) read ROW_EXP row / BIAS unit mr_addr_i (one cycle)
//   stop_i    (busy) end the run after the tick in progress: the pass
//             running when stop_i is seen completes its update, the next
//             pass is the measure pass (V, Q of the state reached), then
//             done_o; TICK tells how many ticks were made.  A stop during
//             setup or pass 0 still makes one tick; during the measure pass
//             it changes nothing.  Ignored while idle.
//   start_i   run: seed_i, tick0_i, ticks_i, couple_i, latch_i, clear_i are
//             sampled; clear_i starts a batch like lv_dev_reset (colour
//             filters, V, V0, Q and counters to 0; the state is whatever was
//             loaded or left by the previous run)
//   xw_*      stream of state writes (x' of every update, in unit order)
//
// Parameters:
//   P     coupling lanes (1 .. 255, need not divide anything)
//   MaxN  units capacity (>= 2)
//   MaxM  stored couplings capacity (>= 1)
//   CW    stored coupling width, 2 .. 16 (images need BJ <= CW)
//   AccW  coupling accumulator width, 33 .. 64 (coupling_mac): exact for
//         images whose field bound needs at most AccW bits (the firmware
//         checks it against CAP_ACC_W)
//   Overlap  1 (default): the per-unit phase overlaps the field pass
//         (coupling_mac's read copies); 0: it follows the field pass, with
//         half the accumulator RAM (rtl/sim/core_timing.h gives both)
//   Serial  0 (default): the pipelined per-unit phase (paper size).  1: the
//         small-FPGA profile, core_units_serial.v (one shared multiplier,
//         the iterative noise source); Overlap is then taken as 0 and
//         coupling_mac leaves the rounding of the field to unit_serial
`default_nettype none

module langevin_core #(
  parameter integer P    = 2,
  parameter integer MaxN = 64,
  parameter integer MaxM = 2016,
  parameter integer CW   = 16,
  parameter integer AccW = 64,
  parameter integer Overlap = 1,
  parameter integer Serial = 0,
  parameter integer Pair = 1
) (
  input  wire               clk_i,
  input  wire               rst_ni,
  // image configuration (§2)
  input  wire [$clog2(MaxN):0]   cfg_nv_i,
  input  wire [$clog2(MaxN):0]   cfg_nh_i,
  input  wire               cfg_vv_i,
  input  wire [6:0]         cfg_wx_i,
  input  wire [5:0]         cfg_fx_i,
  input  wire [6:0]         cfg_wf_i,
  input  wire [5:0]         cfg_ff_i,
  input  wire [31:0]        cfg_j2_i,
  input  wire [31:0]        cfg_j4_i,
  input  wire [31:0]        cfg_k_i,
  input  wire [3:0]         cfg_bn_i,
  input  wire [31:0]        cfg_gain_i,
  input  wire [31:0]        cfg_offset_i,
  input  wire [15:0]        cfg_colour_a_i,
  input  wire [15:0]        cfg_colour_c_i,
  input  wire [7:0]         cfg_eb_vis_i,
  input  wire [7:0]         cfg_eb_hid_i,
  // memory load port
  input  wire               ld_we_i,
  input  wire [2:0]         ld_mem_i,
  input  wire [$clog2(MaxN):0]   ld_addr_i,
  input  wire [31:0]        ld_data_i,
  // coupling random access (idle only; see coupling_mac)
  input  wire               cp_sel_i,
  input  wire [7:0]         cp_bank_i,
  input  wire [23:0]        cp_word_i,
  output wire [15:0]        cp_rdata_o,
  // ROW_EXP / BIAS read (idle only): row / unit mr_addr_i, one cycle latency
  input  wire [$clog2(MaxN):0]   mr_addr_i,
  output wire [7:0]         mr_rexp_o,
  output wire [23:0]        mr_bias_o,
  // run control
  input  wire               start_i,
  input  wire               stop_i,
  input  wire               clear_i,
  input  wire               couple_i,
  input  wire               latch_i,
  input  wire [63:0]        seed_i,
  input  wire [31:0]        tick0_i,
  input  wire [31:0]        ticks_i,
  output wire               busy_o,
  output reg                done_o,
  output reg                pass_done_o,
  output wire [31:0]        tick_o,
  // registers (§8)
  output wire [63:0]        v0_o,
  output wire [63:0]        v_o,
  output wire [63:0]        q_o,
  output wire [31:0]        sat_state_o,
  output wire [31:0]        sat_force_o,
  output wire [7:0]         e_max_o,
  // state write stream
  output wire               xw_valid_o,
  output wire [$clog2(MaxN)-1:0] xw_unit_o,
  output wire [31:0]        xw_x_o
);

  localparam integer UnitW = $clog2(MaxN);
  localparam integer MacOverlap = (Serial != 0) ? 0 : Overlap;
  localparam integer BankD = ((MaxM + P - 1) / P) < 2 ? 2 : (MaxM + P - 1) / P;
  localparam integer BankW = $clog2(BankD);
  // Pipelined unit phase (core_units_pipe.v, unit issued at U0): the state
  // write is at U15, so a pass ends Drain cycles after its last issue.
  localparam integer NoiseLat = 12;
  localparam integer DacLat   = 2;
  localparam integer EtaAt    = NoiseLat + DacLat;      // 14
  localparam integer Drain    = EtaAt + 2;              // last issue -> pass end

  localparam [2:0] MemCouplings = 3'd0, MemRowExp = 3'd1, MemBias = 3'd2, MemState = 3'd4;
  localparam [3:0] SIdle = 4'd0, SSetup0 = 4'd1, SSetup = 4'd2, SPassBegin = 4'd3,
                   SUnits = 4'd6, SDrain = 4'd7, SPassEnd = 4'd8;
  localparam [UnitW:0] U1 = 1;
  localparam [31:0] One32 = 32'd1;
  localparam integer DrainLastI = Drain - 1;
  localparam [4:0] DrainLast = DrainLastI[4:0];

  // ---- run registers -----------------------------------------------------------
  reg [3:0]         state_q;
  reg               couple_q, latch_q, clear_q;
  reg [63:0]        seed_q;
  reg [31:0]        tick_q, rem_q;   // rem_q: updates still to make in this run
  reg               first_q;         // pass 0 of the run
  reg [UnitW:0]     unit_q;       // next unit to issue (read order) / colour clear sweep
  reg [4:0]         drain_q;

  wire [UnitW:0] n_units = cfg_nv_i + cfg_nh_i;
  wire           upd     = (rem_q != 32'd0);      // pass followed by an update
  wire           heat    = !first_q;
  wire           latch   = latch_q && first_q;
  wire           mac_busy;
  wire [UnitW:0] mac_rdy;        // units whose field is complete (read order)

  // With COUPLE set a unit is issued once its field is complete; the read
  // order is coupling_mac's (hidden units first with the visible-visible
  // block).  Every sum of the pass is exact, so the order changes no bit.
  wire units_ready, units_idle;
  wire issue     = (state_q == SUnits) && (unit_q != n_units) && (!couple_q || unit_q < mac_rdy) &&
                   units_ready;
  wire last_unit = (unit_q + U1 == n_units);

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q     <= SIdle;
      couple_q    <= 1'b0;
      latch_q     <= 1'b0;
      clear_q     <= 1'b0;
      seed_q      <= 64'd0;
      tick_q      <= 32'd0;
      rem_q       <= 32'd0;
      first_q     <= 1'b0;
      unit_q      <= {(UnitW+1){1'b0}};
      drain_q     <= 5'd0;
      done_o      <= 1'b0;
      pass_done_o <= 1'b0;
    end else begin
      done_o      <= 1'b0;
      pass_done_o <= 1'b0;
      // STOP: the pass in progress keeps its update (the tick it computes
      // completes) and the next pass becomes the measure pass.  The measure
      // pass itself (rem_q = 0) is not affected.  Lowering rem_q to 1 never
      // changes `upd` of the pass in progress.
      if (stop_i && state_q != SIdle && rem_q > One32) rem_q <= One32;
      case (state_q)
        SIdle: if (start_i) begin
          couple_q <= couple_i;
          latch_q  <= latch_i;
          clear_q  <= clear_i;
          seed_q   <= seed_i;
          tick_q   <= tick0_i;
          rem_q    <= ticks_i;
          first_q  <= 1'b1;
          unit_q   <= {(UnitW+1){1'b0}};
          state_q  <= SSetup0;
        end
        SSetup0: state_q <= SSetup;       // coupling_mac raises busy
        SSetup: begin
          if (unit_q != n_units) unit_q <= unit_q + U1;   // colour-clear sweep
          if (!mac_busy && unit_q == n_units) state_q <= SPassBegin;
        end
        SPassBegin: begin
          unit_q  <= {(UnitW+1){1'b0}};
          state_q <= SUnits;
        end
        SUnits: if (issue) begin
          unit_q <= unit_q + U1;
          if (last_unit) begin
            drain_q <= 5'd0;
            state_q <= SDrain;
          end
        end
        SDrain: begin
          drain_q <= drain_q + 5'd1;
          // Serial: until the last unit is written back (drain_q is unused).
          if (Serial != 0 ? units_idle : drain_q == DrainLast) state_q <= SPassEnd;
        end
        SPassEnd: begin
          pass_done_o <= 1'b1;
          if (upd) tick_q <= tick_q + One32;
          if (!upd) begin
            done_o  <= 1'b1;
            state_q <= SIdle;
          end else begin
            rem_q   <= rem_q - One32;
            first_q <= 1'b0;
            state_q <= SPassBegin;
          end
        end
        default: state_q <= SIdle;
      endcase
    end
  end

  assign busy_o = (state_q != SIdle);
  assign tick_o = tick_q;

  wire setup_pulse = (state_q == SIdle) && start_i;
  wire field_pulse = (state_q == SPassBegin) && couple_q;
  wire colour_clr  = (state_q == SSetup) && clear_q && (unit_q != n_units);
  wire meter_clr   = (state_q == SSetup0) && clear_q;

  // ---- load port decode ------------------------------------------------------
  wire ld_c = ld_we_i && (ld_mem_i == MemCouplings);
  wire ld_e = ld_we_i && (ld_mem_i == MemRowExp);
  wire ld_b = ld_we_i && (ld_mem_i == MemBias);
  wire ld_s = ld_we_i && (ld_mem_i == MemState);
  wire [UnitW-1:0] ld_unit = ld_addr_i[UnitW-1:0];
  wire             unused_ld = ld_addr_i[UnitW];
  wire             unused_cp = ^cp_word_i;   // only BankW bits address a bank

  // ---- per-unit phase ------------------------------------------------------------
  wire [UnitW:0]   u_ord = !cfg_vv_i ? unit_q :
                           (unit_q < cfg_nh_i) ? cfg_nv_i + unit_q : unit_q - cfg_nh_i;
  wire [UnitW-1:0] u0 = u_ord[UnitW-1:0];
  wire             unused_u_ord = u_ord[UnitW];

  // Bias codes: read at U0 with the unit, data at U1.
  wire [23:0] cb1;
  lv_ram #(.Width(24), .Depth(MaxN), .AddrW(UnitW)) u_bias (
    .clk_i(clk_i), .we_i(ld_b), .waddr_i(ld_unit), .wdata_i(ld_data_i[23:0]),
    .raddr_i(busy_o ? u0 : mr_addr_i[UnitW-1:0]), .rdata_o(cb1));
  assign mr_bias_o = cb1;
  wire [7:0] unused_ld_data = ld_data_i[31:24];

  wire               f_valid;
  wire signed [63:0] f2;

  coupling_mac #(.P(P), .MaxN(MaxN), .MaxM(MaxM), .UnitW(UnitW), .BankW(BankW), .CW(CW),
                 .Overlap(MacOverlap), .FieldRound(Serial != 0 ? 0 : 1), .AccW(AccW), .Pair(Pair)) u_mac (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .nv_i         (cfg_nv_i),
    .nh_i         (cfg_nh_i),
    .vv_i         (cfg_vv_i),
    .fx_i         (cfg_fx_i),
    .ff_i         (cfg_ff_i),
    .ldc_rewind_i (ld_c && ld_addr_i == {(UnitW+1){1'b0}}),
    .ldc_we_i     (ld_c),
    .ldc_data_i   (ld_data_i[15:0]),
    .cp_sel_i     (cp_sel_i),
    .cp_bank_i    (cp_bank_i),
    .cp_word_i    (cp_word_i[BankW-1:0]),
    .cp_rdata_o   (cp_rdata_o),
    .er_row_i     (mr_addr_i),
    .er_rdata_o   (mr_rexp_o),
    .lde_we_i     (ld_e),
    .lde_row_i    (ld_addr_i),
    .lde_data_i   (ld_data_i[7:0]),
    .xw_we_i      (ld_s | xw_valid_o),
    .xw_unit_i    (ld_s ? ld_unit : xw_unit_o),
    .xw_data_i    (ld_s ? ld_data_i : xw_x_o),
    .setup_i      (setup_pulse),
    .field_i      (field_pulse),
    .busy_o       (mac_busy),
    .rdy_o        (mac_rdy),
    .rd_valid_i   (issue),
    .rd_unit_i    (u0),
    .f_valid_o    (f_valid),
    .f_o          (f2),
    .e_max_o      (e_max_o)
  );

  // The datapath of the unit phase: pipelined (one unit per cycle) or serial.
  generate
    if (Serial == 0) begin : gen_pipe
      core_units_pipe #(.MaxN(MaxN), .UnitW(UnitW)) u_units (
        .clk_i (clk_i), .rst_ni (rst_ni),
        .nv_i (cfg_nv_i), .wx_i (cfg_wx_i), .fx_i (cfg_fx_i), .wf_i (cfg_wf_i), .ff_i (cfg_ff_i),
        .j2_i (cfg_j2_i), .j4_i (cfg_j4_i), .k_i (cfg_k_i), .bn_i (cfg_bn_i),
        .gain_i (cfg_gain_i), .offset_i (cfg_offset_i),
        .colour_a_i (cfg_colour_a_i), .colour_c_i (cfg_colour_c_i),
        .eb_vis_i (cfg_eb_vis_i), .eb_hid_i (cfg_eb_hid_i),
        .seed_i (seed_q), .tick_i (tick_q), .couple_i (couple_q), .upd_i (upd), .heat_i (heat),
        .latch_i (latch), .meter_clr_i (meter_clr), .pass_start_i (state_q == SPassBegin),
        .pass_end_i (state_q == SPassEnd), .colour_clr_i (colour_clr), .clr_unit_i (u0),
        .ld_we_i (ld_s), .ld_unit_i (ld_unit), .ld_data_i (ld_data_i),
        .ready_o (units_ready), .issue_i (issue), .unit_i (u0), .cb1_i (cb1),
        .f_valid_i (f_valid), .f_i (f2),
        .v0_o (v0_o), .v_o (v_o), .q_o (q_o), .sat_state_o (sat_state_o), .sat_force_o (sat_force_o),
        .xw_valid_o (xw_valid_o), .xw_unit_o (xw_unit_o), .xw_x_o (xw_x_o));
      assign units_idle = 1'b1;
    end else begin : gen_serial
      core_units_serial #(.MaxN(MaxN), .UnitW(UnitW)) u_units (
        .clk_i (clk_i), .rst_ni (rst_ni),
        .nv_i (cfg_nv_i), .wx_i (cfg_wx_i), .fx_i (cfg_fx_i), .wf_i (cfg_wf_i), .ff_i (cfg_ff_i),
        .j2_i (cfg_j2_i), .j4_i (cfg_j4_i), .k_i (cfg_k_i), .bn_i (cfg_bn_i),
        .gain_i (cfg_gain_i), .offset_i (cfg_offset_i),
        .colour_a_i (cfg_colour_a_i), .colour_c_i (cfg_colour_c_i),
        .eb_vis_i (cfg_eb_vis_i), .eb_hid_i (cfg_eb_hid_i), .e_i (e_max_o),
        .seed_i (seed_q), .tick_i (tick_q), .couple_i (couple_q), .upd_i (upd), .heat_i (heat),
        .latch_i (latch), .meter_clr_i (meter_clr), .pass_start_i (state_q == SPassBegin),
        .pass_end_i (state_q == SPassEnd), .colour_clr_i (colour_clr), .clr_unit_i (u0),
        .ld_we_i (ld_s), .ld_unit_i (ld_unit), .ld_data_i (ld_data_i),
        .ready_o (units_ready), .idle_o (units_idle),
        .pend_i ((state_q == SUnits) && (unit_q != n_units)), .issue_i (issue), .unit_i (u0),
        .cb1_i (cb1), .f_valid_i (f_valid), .f_i (f2),
        .v0_o (v0_o), .v_o (v_o), .q_o (q_o), .sat_state_o (sat_state_o), .sat_force_o (sat_force_o),
        .xw_valid_o (xw_valid_o), .xw_unit_o (xw_unit_o), .xw_x_o (xw_x_o));
    end
  endgenerate

  initial begin
    if (P < 1 || P > 255) $error("langevin_core: P = %0d lanes must be 1..255", P);
    if (MaxN < 2) $error("langevin_core: MaxN = %0d must be >= 2", MaxN);
    if (MaxM < 1) $error("langevin_core: MaxM = %0d must be >= 1", MaxM);
    if (Drain > 31) $error("langevin_core: drain counter too narrow");
    if (Serial != 0 && Serial != 1) $error("langevin_core: Serial = %0d must be 0 or 1", Serial);
  end

endmodule

`default_nettype wire
