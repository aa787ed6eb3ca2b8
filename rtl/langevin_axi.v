// langevin_axi - the AXI4-Lite register slave of regmap/langevin_device.json
// (docs/register-map.md) around langevin_core: register file, indirect
// memory port, CRC-32 load-integrity protocol, run sequencing.  The
// reference behaviour is the emulator's register interface
// (emu/src/device_mmio.c, docs/emulator-mmio.md); tests/rtl/test_axi.c
// drives both with the same register sequences and compares every read.
//
// Every offset, field, reset value, memory id and error code comes from the
// generated lv_regs.vh (`include, <build>/generated on the include path).
//
// Bus: one transaction at a time.  AW and W are registered independently
// (awready = wready = "slot empty"); a write executes when both slots are
// full and B is free; a read executes one cycle after its AR is taken (the
// memories have a registered read).  Writes and reads are serialised, so the
// register file sees exactly the sequential order of the bus.  Most writes
// take one cycle; CONFIG_CRC takes 10 cycles (CRC-32 over the ten load
// registers, one per cycle), MEM_ADDR 25 (the division below),
// CTRL.SOFT_RESET MaxN + 2 (the STATE memory is zeroed in the core) and
// CTRL.STOP + START while BUSY until the stopped run ends; B is answered
// after that.
//   - WSTRB other than 4'hF, or an unaligned address: the write is ignored,
//     B = SLVERR.  An unaligned read returns 0 with R = SLVERR.  Unmapped
//     offsets read 0 (OKAY) and ignore writes (OKAY).
//
// Memories.  COUPLINGS is not copied here: writes and MEM_RDATA reads use
// the core's random-access coupling port at (MEM_ADDR mod P, MEM_ADDR div
// P), a pair kept in step with MEM_ADDR and recomputed by a 24-cycle
// division (OpDiv, B waits) when MEM_ADDR is written.  ROW_EXP and BIAS are
// read through the core's idle read ports too.  BIAS_EXP is two registers;
// STATE is read from a shadow copy (MaxN x 32) that follows the core's
// state-write stream, because STATE may be read during a run.
//
// Runs.  CTRL.START (idle, IMAGE_VALID) starts the core with latch = 1 and
// clear = (TICK0 = 0 or first run since reset / SOFT_RESET): the colour
// filter is kept by a START with TICK0 != 0, as the map says.  TICK, V, V0,
// Q and the counters are copied from the core at the end of every pass
// (SAT_* relative to the core's counts at START, sticky at 2^32 - 1); TICK
// is set to TICK0 and Q / SAT_* cleared at the START write itself.
//
// Differences from the map / emulator (see rtl/README.md):
//   - CTRL.STOP (BUSY) ends the run after the tick in progress (the core's
//     stop_i: that pass completes its update, the next pass measures);
//     BUSY = 0 and DONE = 1 when that pass has ended, TICK tells how far it
//     got.  STOP with START while BUSY: the write's B waits until the
//     stopped run has ended, then the START executes (STOP first, as the
//     map says).  The emulator ends the run at the write, between ticks.
//   - V and V0 show the new V(x) after pass 0 (the emulator: at the START
//     write); STATE reads during a run see the tick being written.
//   - No IMAGE_RANGE check at START (emulator-only).
//
// Parameters:
//   P     coupling lanes of the core (1 .. 255)
//   MaxN  unit capacity (<= MAX_N of the map); CAP_MAX_N, MEM_DEPTH of BIAS /
//         STATE (MaxN) and ROW_EXP (2 MaxN), CONFIG_RANGE use it
//   MaxM  coupling capacity (<= MAX_M); CAP_MAX_M, MEM_DEPTH of COUPLINGS
//   AccW  coupling accumulator width of the core, 33 .. 64 (default 64: the
//         full datapath of §10); CAP_ACC_W.  The slave does not check the
//         image against it: the firmware refuses images whose field bound
//         needs more (coupling_mac.v, "Widths")
`default_nettype none

module langevin_axi #(
  parameter integer P    = 2,
  parameter integer MaxN = 64,
  parameter integer MaxM = 2016,
  parameter integer AccW = 64
) (
  input  wire        clk_i,
  input  wire        rst_ni,
  // AXI4-Lite slave (12-bit byte address: the 4 KiB window)
  input  wire [11:0] s_axi_awaddr_i,
  input  wire        s_axi_awvalid_i,
  output wire        s_axi_awready_o,
  input  wire [31:0] s_axi_wdata_i,
  input  wire [3:0]  s_axi_wstrb_i,
  input  wire        s_axi_wvalid_i,
  output wire        s_axi_wready_o,
  output reg  [1:0]  s_axi_bresp_o,
  output reg         s_axi_bvalid_o,
  input  wire        s_axi_bready_i,
  input  wire [11:0] s_axi_araddr_i,
  input  wire        s_axi_arvalid_i,
  output wire        s_axi_arready_o,
  output reg  [31:0] s_axi_rdata_o,
  output reg  [1:0]  s_axi_rresp_o,
  output reg         s_axi_rvalid_o,
  input  wire        s_axi_rready_i
);

`include "lv_regs.vh"

  localparam integer UnitW   = $clog2(MaxN);
  localparam integer MaxRows = 2 * MaxN;
  localparam [31:0]  P32     = P;
  localparam [8:0]   P9      = P32[8:0];
  localparam [31:0]  LastBank32 = P - 1;
  localparam [7:0]   LastBank = LastBank32[7:0];

  localparam [1:0] RespOkay = 2'b00, RespSlvErr = 2'b10;
  localparam [2:0] OpIdle = 3'd0, OpRead = 3'd1, OpCrc = 3'd2, OpRst = 3'd3, OpSweep = 3'd4,
                   OpStop = 3'd5, OpDiv = 3'd6;

  localparam [2:0] IdCoup  = LV_MEM_COUPLINGS_ID[2:0];
  localparam [2:0] IdRexp  = LV_MEM_ROW_EXP_ID[2:0];
  localparam [2:0] IdBias  = LV_MEM_BIAS_ID[2:0];
  localparam [2:0] IdBexp  = LV_MEM_BIAS_EXP_ID[2:0];
  localparam [2:0] IdState = LV_MEM_STATE_ID[2:0];

  localparam [31:0] DepthCoup  = MaxM;
  localparam [31:0] DepthRexp  = MaxRows;
  localparam [31:0] DepthBias  = MaxN;
  localparam [31:0] DepthBexp  = LV_MEM_BIAS_EXP_DEPTH;
  localparam [31:0] DepthState = MaxN;
  localparam [31:0] AccW32     = AccW;
  localparam [5:0]  WidthCoup  = LV_MEM_COUPLINGS_WIDTH[5:0];
  localparam [5:0]  WidthRexp  = LV_MEM_ROW_EXP_WIDTH[5:0];
  localparam [5:0]  WidthBias  = LV_MEM_BIAS_WIDTH[5:0];
  localparam [5:0]  WidthBexp  = LV_MEM_BIAS_EXP_WIDTH[5:0];
  localparam [5:0]  WidthState = LV_MEM_STATE_WIDTH[5:0];

  localparam [47:0] MaxN48    = {16'd0, DepthBias};
  localparam [47:0] MaxM48    = {16'd0, DepthCoup};
  localparam [47:0] MaxRows48 = {16'd0, DepthRexp};
  localparam [31:0] LoadRequired = LV_REG_LOAD_STATE_CONFIG_MASK | LV_REG_LOAD_STATE_COUPLINGS_MASK |
                                   LV_REG_LOAD_STATE_ROW_EXP_MASK | LV_REG_LOAD_STATE_BIAS_MASK |
                                   LV_REG_LOAD_STATE_BIAS_EXP_MASK;
  localparam [31:0] CtrlLevels = LV_REG_CTRL_COUPLE_MASK | LV_REG_CTRL_COLOUR_EN_MASK;
  localparam [31:0] LastUnit32 = MaxN - 1;
  localparam [UnitW:0] LastUnit = LastUnit32[UnitW:0];

  // zlib's CRC-32 (reflected 0xEDB88320, pre/post inversion) of one 32-bit
  // word sent as 4 little-endian bytes: crc32(crc, &w, 4).
  function automatic [31:0] crc32_word(input [31:0] crc, input [31:0] w);
    integer i;
    reg [31:0] c;
    begin
      c = ~crc;
      for (i = 0; i < 32; i = i + 1)
        c = (c >> 1) ^ ((c[0] ^ w[i]) ? 32'hEDB88320 : 32'h0);
      crc32_word = ~c;
    end
  endfunction

  // Sign-extend the low w bits (1 .. 32) of v.
  function automatic [31:0] sext(input [31:0] v, input [5:0] w);
    reg [5:0] sh;
    begin
      sh   = 6'd32 - w;
      sext = $unsigned($signed(v << sh) >>> sh);
    end
  endfunction

  // ---- AXI channel slots ----------------------------------------------------
  reg        aw_full_q, w_full_q, ar_full_q;
  reg [11:0] aw_addr_q, ar_addr_q;
  reg [31:0] w_data_q;
  reg [3:0]  w_strb_q;
  reg [2:0]  op_q;

  assign s_axi_awready_o = !aw_full_q;
  assign s_axi_wready_o  = !w_full_q;
  assign s_axi_arready_o = !ar_full_q;

  wire wr_go = (op_q == OpIdle) && aw_full_q && w_full_q && !s_axi_bvalid_o;
  wire rd_start = (op_q == OpIdle) && !wr_go && ar_full_q && !s_axi_rvalid_o;
  wire rd_go = (op_q == OpRead);
  wire wr_ok = (w_strb_q == 4'hF) && (aw_addr_q[1:0] == 2'b00);
  wire [11:0] wa = aw_addr_q;
  wire [11:0] ra = ar_addr_q;
  wire [31:0] wd = w_data_q;

  // ---- registers -------------------------------------------------------------
  reg [31:0] cfg_dims_q, cfg_fmt_x_q, cfg_fmt_c_q, j2_q, j4_q, k_q, gain_q, offset_q, colour_a_q, colour_c_q;
  reg [31:0] ctrl_q, config_crc_q, seed_lo_q, seed_hi_q, ticks_q, tick0_q, tick_q;
  reg        done_q, error_q, busy_q;
  reg [7:0]  err_code_q;
  reg [63:0] v0_q, v_q, q_q;
  reg [31:0] v0_hi_q, v_hi_q, q_hi_q;
  reg [31:0] sat_state_q, sat_force_q, base_state_q, base_force_q;
  reg [31:0] load_crc_q, load_crc_calc_q, load_count_q, load_state_q;
  reg [2:0]  mem_sel_q;
  reg [23:0] mem_addr_q;
  reg [7:0]  eb_vis_q, eb_hid_q;
  reg        first_run_q;   // no run since reset / SOFT_RESET: clear the colour filter
  reg        run_colour_q;  // CTRL.COLOUR_EN sampled at START
  reg        start_q, stop_q, clear_q, core_rst_q;
  reg [3:0]  crc_idx_q;
  reg [31:0] crc_acc_q;
  reg [UnitW:0] sweep_q;
  // MEM_ADDR as coupling (bank, word) = (MEM_ADDR mod P, MEM_ADDR div P):
  // stepped with MEM_ADDR, recomputed by a 24-cycle restoring division
  // (OpDiv) when MEM_ADDR is written; during OpDiv coup_word_q collects the
  // quotient and coup_bank_q the remainder.
  reg [7:0]  coup_bank_q;
  reg [23:0] coup_word_q, div_num_q;
  reg [4:0]  div_cnt_q;
  wire [8:0] div_try = {coup_bank_q, div_num_q[23]};
  wire       div_ge  = (div_try >= P9);
  wire [8:0] div_rem = div_ge ? div_try - P9 : div_try;   // < P: bit 8 is 0

  // Configuration fields.
  wire [LV_REG_CFG_DIMS_NV_WIDTH-1:0]  f_nv = cfg_dims_q[LV_REG_CFG_DIMS_NV_SHIFT +: LV_REG_CFG_DIMS_NV_WIDTH];
  wire [LV_REG_CFG_DIMS_NH_WIDTH-1:0]  f_nh = cfg_dims_q[LV_REG_CFG_DIMS_NH_SHIFT +: LV_REG_CFG_DIMS_NH_WIDTH];
  wire                                 f_vv = cfg_dims_q[LV_REG_CFG_DIMS_VV_SHIFT];
  wire [LV_REG_CFG_FMT_X_WX_WIDTH-1:0] f_wx = cfg_fmt_x_q[LV_REG_CFG_FMT_X_WX_SHIFT +: LV_REG_CFG_FMT_X_WX_WIDTH];
  wire [LV_REG_CFG_FMT_X_FX_WIDTH-1:0] f_fx = cfg_fmt_x_q[LV_REG_CFG_FMT_X_FX_SHIFT +: LV_REG_CFG_FMT_X_FX_WIDTH];
  wire [LV_REG_CFG_FMT_X_WF_WIDTH-1:0] f_wf = cfg_fmt_x_q[LV_REG_CFG_FMT_X_WF_SHIFT +: LV_REG_CFG_FMT_X_WF_WIDTH];
  wire [LV_REG_CFG_FMT_X_FF_WIDTH-1:0] f_ff = cfg_fmt_x_q[LV_REG_CFG_FMT_X_FF_SHIFT +: LV_REG_CFG_FMT_X_FF_WIDTH];
  wire [LV_REG_CFG_FMT_C_BJ_WIDTH-1:0] f_bj = cfg_fmt_c_q[LV_REG_CFG_FMT_C_BJ_SHIFT +: LV_REG_CFG_FMT_C_BJ_WIDTH];
  wire [LV_REG_CFG_FMT_C_BB_WIDTH-1:0] f_bb = cfg_fmt_c_q[LV_REG_CFG_FMT_C_BB_SHIFT +: LV_REG_CFG_FMT_C_BB_WIDTH];
  wire [LV_REG_CFG_FMT_C_BN_WIDTH-1:0] f_bn = cfg_fmt_c_q[LV_REG_CFG_FMT_C_BN_SHIFT +: LV_REG_CFG_FMT_C_BN_WIDTH];
  wire [LV_REG_COLOUR_A_A_WIDTH-1:0]   f_a  = colour_a_q[LV_REG_COLOUR_A_A_SHIFT +: LV_REG_COLOUR_A_A_WIDTH];
  wire [LV_REG_COLOUR_C_C_WIDTH-1:0]   f_c  = colour_c_q[LV_REG_COLOUR_C_C_SHIFT +: LV_REG_COLOUR_C_C_WIDTH];

  // Derived sizes (§3), 48 bits: every field value fits without wrapping.
  wire [47:0] nv48 = {{(48-LV_REG_CFG_DIMS_NV_WIDTH){1'b0}}, f_nv};
  wire [47:0] nh48 = {{(48-LV_REG_CFG_DIMS_NH_WIDTH){1'b0}}, f_nh};
  wire [47:0] units48 = nv48 + nh48;
  wire [47:0] rows48  = units48 + (f_vv ? nv48 : 48'd0);
  wire [47:0] nhh48   = nh48 * (nh48 - 48'd1);
  wire [47:0] nvv48   = nv48 * (nv48 - 48'd1);
  wire [47:0] m48     = nv48 * nh48 + {1'b0, nhh48[47:1]} + (f_vv ? {1'b0, nvv48[47:1]} : 48'd0);

  // COLOUR_C = round(sqrt(2^30 - a^2)) <=> c^2 - c < 2^30 - a^2 <= c^2 + c.
  wire [33:0] a2 = {18'd0, f_a} * {18'd0, f_a};
  wire [33:0] cm = 34'h40000000 - a2;
  wire [33:0] c2 = {18'd0, f_c} * {18'd0, f_c};
  wire        colour_ok = (c2 - {18'd0, f_c} < cm) && (cm <= c2 + {18'd0, f_c});

  // CONFIG_RANGE: docs/fixed-point.md §2 and the instance's capacities.
  wire cfg_bad =
      (nv48 < 48'd1) || (nv48 > MaxN48) || (nh48 > MaxN48) || (units48 > MaxN48) ||
      (m48 > MaxM48) || (rows48 < 48'd1) || (rows48 > MaxRows48) ||
      (f_wx < 6'd8) || (f_wx > 6'd32) || (f_fx < 6'd4) || ({1'b0, f_fx} + 7'd2 > {1'b0, f_wx}) ||
      (f_wf < 6'd16) || (f_wf > 6'd40) || (f_ff < 6'd4) || ({1'b0, f_ff} + 7'd2 > {1'b0, f_wf}) ||
      (f_bj < 5'd2) || ({1'b0, f_bj} > WidthCoup) || (f_bb < 5'd2) || ({1'b0, f_bb} > WidthBias) ||
      (f_bn < 4'd2) || (f_bn > 4'd14) || j2_q[31] || j4_q[31] || (k_q == 32'd0) || k_q[31] ||
      (offset_q == 32'h80000000) || f_a[15] || !colour_ok;

  // ---- memory port ------------------------------------------------------------
  reg        mid_valid;
  reg [31:0] mem_depth;
  reg [5:0]  mem_width, code_w;
  reg [31:0] mem_bit;
  reg [47:0] mem_need;
  always @* begin
    mid_valid = 1'b1;
    mem_depth = 32'd0;
    mem_width = 6'd0;
    code_w    = 6'd32;
    mem_bit   = 32'd0;
    mem_need  = 48'd0;
    case (mem_sel_q)
      IdCoup: begin
        mem_depth = DepthCoup; mem_width = WidthCoup; mem_bit = LV_REG_LOAD_STATE_COUPLINGS_MASK;
        code_w = (f_bj >= 5'd2 && {1'b0, f_bj} <= WidthCoup) ? {1'b0, f_bj} : WidthCoup;
        mem_need = m48;
      end
      IdRexp: begin
        mem_depth = DepthRexp; mem_width = WidthRexp; code_w = WidthRexp;
        mem_bit = LV_REG_LOAD_STATE_ROW_EXP_MASK; mem_need = rows48;
      end
      IdBias: begin
        mem_depth = DepthBias; mem_width = WidthBias; mem_bit = LV_REG_LOAD_STATE_BIAS_MASK;
        code_w = (f_bb >= 5'd2 && {1'b0, f_bb} <= WidthBias) ? {1'b0, f_bb} : WidthBias;
        mem_need = units48;
      end
      IdBexp: begin
        mem_depth = DepthBexp; mem_width = WidthBexp; code_w = WidthBexp;
        mem_bit = LV_REG_LOAD_STATE_BIAS_EXP_MASK; mem_need = {16'd0, DepthBexp};
      end
      IdState: begin
        mem_depth = DepthState; mem_width = WidthState; code_w = WidthState;
        mem_bit = LV_REG_LOAD_STATE_STATE_MASK; mem_need = units48;
      end
      default: mid_valid = 1'b0;
    endcase
  end
  wire addr_in   = ({8'd0, mem_addr_q} < mem_depth);
  wire [31:0] wcode = sext(wd, code_w);

  // Port write (MEM_WDATA) / read (MEM_RDATA) that go through.
  wire is_wdata  = wr_go && wr_ok && (wa == LV_REG_MEM_WDATA_OFFSET);
  wire port_we   = is_wdata && !busy_q && mid_valid && addr_in;
  wire is_rdata  = rd_go && (ra == LV_REG_MEM_RDATA_OFFSET);
  wire port_re   = is_rdata && mid_valid && addr_in && !(busy_q && mem_sel_q != IdState);

  // MEM_RDATA: COUPLINGS, ROW_EXP and BIAS through the core's read ports (no
  // copies here; reads are legal only while idle), STATE from a shadow.
  wire [15:0] core_coup;
  wire [7:0]  core_rexp;
  wire [23:0] core_bias;
  wire [31:0] sh_state;
  wire        sweep_we = (op_q == OpSweep);
  wire        core_xw_valid;
  wire [UnitW-1:0] core_xw_unit;
  wire [31:0] core_xw_x;
  wire        st_we    = (port_we && mem_sel_q == IdState) || sweep_we || (busy_q && core_xw_valid);
  wire [UnitW-1:0] st_waddr = sweep_we ? sweep_q[UnitW-1:0] :
                              (busy_q && core_xw_valid) ? core_xw_unit : mem_addr_q[UnitW-1:0];
  wire [31:0] st_wdata = sweep_we ? 32'd0 : (busy_q && core_xw_valid) ? core_xw_x : wcode;

  lv_ram #(.Width(32), .Depth(MaxN), .AddrW(UnitW)) u_sh_state (
    .clk_i(clk_i), .we_i(st_we), .waddr_i(st_waddr), .wdata_i(st_wdata),
    .raddr_i(mem_addr_q[UnitW-1:0]), .rdata_o(sh_state));

  reg [31:0] port_rdata;
  always @* begin
    case (mem_sel_q)
      IdCoup:  port_rdata = sext({16'd0, core_coup}, WidthCoup);
      IdRexp:  port_rdata = sext({24'd0, core_rexp}, WidthRexp);
      IdBias:  port_rdata = sext({8'd0, core_bias}, WidthBias);
      IdBexp:  port_rdata = sext({24'd0, mem_addr_q[0] ? eb_hid_q : eb_vis_q}, WidthBexp);
      IdState: port_rdata = sh_state;
      default: port_rdata = 32'd0;
    endcase
  end

  // ---- decode of the executing write / read ---------------------------------------
  wire image_valid = ((load_state_q & LoadRequired) == LoadRequired);
  wire is_load_reg = (wa == LV_REG_CFG_DIMS_OFFSET) || (wa == LV_REG_CFG_FMT_X_OFFSET) ||
                     (wa == LV_REG_CFG_FMT_C_OFFSET) || (wa == LV_REG_J2_OFFSET) || (wa == LV_REG_J4_OFFSET) ||
                     (wa == LV_REG_K_OFFSET) || (wa == LV_REG_GAIN_OFFSET) || (wa == LV_REG_OFFSET_OFFSET) ||
                     (wa == LV_REG_COLOUR_A_OFFSET) || (wa == LV_REG_COLOUR_C_OFFSET);
  wire soft_reset = (wa == LV_REG_CTRL_OFFSET) && ((wd & LV_REG_CTRL_SOFT_RESET_MASK) != 32'd0);
  wire start_cmd  = (wa == LV_REG_CTRL_OFFSET) && !soft_reset && ((wd & LV_REG_CTRL_START_MASK) != 32'd0);
  wire stop_cmd   = (wa == LV_REG_CTRL_OFFSET) && !soft_reset && ((wd & LV_REG_CTRL_STOP_MASK) != 32'd0);
  wire start_ok   = start_cmd && !busy_q && image_valid;
  // STOP and START in one write while BUSY: STOP first (the map's order), so
  // the write waits in OpStop until the stopped run has ended, then starts.
  wire stop_start = start_cmd && stop_cmd && busy_q;
  wire start_late = (op_q == OpStop) && !busy_q;
  wire start_go   = (wr_go && wr_ok && start_ok) || (start_late && image_valid);
  wire start_colour = start_late ? ((ctrl_q & LV_REG_CTRL_COLOUR_EN_MASK) != 32'd0)
                                 : ((wd & LV_REG_CTRL_COLOUR_EN_MASK) != 32'd0);
  wire count_bad  = ({16'd0, load_count_q} != mem_need) || ({8'd0, mem_addr_q} != load_count_q);

  reg [7:0] wr_err, rd_err;
  always @* begin
    wr_err = LV_REG_ERR_CODE_CODE_NONE;
    if (is_load_reg && busy_q) wr_err = LV_REG_ERR_CODE_CODE_BUSY;
    else if (start_cmd) begin
      if (busy_q && !stop_cmd) wr_err = LV_REG_ERR_CODE_CODE_BUSY;
      else if (busy_q) wr_err = LV_REG_ERR_CODE_CODE_NONE;    // decided in OpStop
      else if (!image_valid) wr_err = LV_REG_ERR_CODE_CODE_NOT_LOADED;
    end else if (wa == LV_REG_LOAD_CRC_OFFSET) begin
      if (!mid_valid) wr_err = LV_REG_ERR_CODE_CODE_MEM_RANGE;
      else if ((load_state_q & LV_REG_LOAD_STATE_CONFIG_MASK) == 32'd0) wr_err = LV_REG_ERR_CODE_CODE_LOAD_NO_CONFIG;
      else if (count_bad) wr_err = LV_REG_ERR_CODE_CODE_LOAD_COUNT;
      else if ((wd & LV_REG_LOAD_CRC_VALUE_MASK) != load_crc_calc_q) wr_err = LV_REG_ERR_CODE_CODE_LOAD_CRC;
    end else if (wa == LV_REG_MEM_WDATA_OFFSET) begin
      if (busy_q) wr_err = LV_REG_ERR_CODE_CODE_BUSY;
      else if (!mid_valid || !addr_in) wr_err = LV_REG_ERR_CODE_CODE_MEM_RANGE;
    end
    rd_err = LV_REG_ERR_CODE_CODE_NONE;
    if (ra == LV_REG_MEM_RDATA_OFFSET) begin
      if (mid_valid && busy_q && mem_sel_q != IdState) rd_err = LV_REG_ERR_CODE_CODE_BUSY;
      else if (!mid_valid || !addr_in) rd_err = LV_REG_ERR_CODE_CODE_MEM_RANGE;
    end
  end

  // Register read mux (MEM_RDATA from the port).
  reg [31:0] rmux;
  always @* begin
    case (ra)
      LV_REG_ID_OFFSET:            rmux = LV_REG_ID_RESVAL;
      LV_REG_VERSION_OFFSET:       rmux = LV_REG_VERSION_RESVAL;
      LV_REG_CAP_MAX_N_OFFSET:     rmux = DepthBias & LV_REG_CAP_MAX_N_VALUE_MASK;
      LV_REG_CAP_MAX_M_OFFSET:     rmux = DepthCoup & LV_REG_CAP_MAX_M_VALUE_MASK;
      LV_REG_CAP_ACC_W_OFFSET:     rmux = AccW32 & LV_REG_CAP_ACC_W_VALUE_MASK;
      LV_REG_CTRL_OFFSET:          rmux = ctrl_q;
      LV_REG_STATUS_OFFSET:        rmux = (busy_q ? LV_REG_STATUS_BUSY_MASK : 32'd0) |
                                          (done_q ? LV_REG_STATUS_DONE_MASK : 32'd0) |
                                          (error_q ? LV_REG_STATUS_ERROR_MASK : 32'd0) |
                                          (image_valid ? LV_REG_STATUS_IMAGE_VALID_MASK : 32'd0);
      LV_REG_ERR_CODE_OFFSET:      rmux = {24'd0, err_code_q};
      LV_REG_CFG_DIMS_OFFSET:      rmux = cfg_dims_q;
      LV_REG_CFG_FMT_X_OFFSET:     rmux = cfg_fmt_x_q;
      LV_REG_CFG_FMT_C_OFFSET:     rmux = cfg_fmt_c_q;
      LV_REG_J2_OFFSET:            rmux = j2_q;
      LV_REG_J4_OFFSET:            rmux = j4_q;
      LV_REG_K_OFFSET:             rmux = k_q;
      LV_REG_GAIN_OFFSET:          rmux = gain_q;
      LV_REG_OFFSET_OFFSET:        rmux = offset_q;
      LV_REG_COLOUR_A_OFFSET:      rmux = colour_a_q;
      LV_REG_COLOUR_C_OFFSET:      rmux = colour_c_q;
      LV_REG_CONFIG_CRC_OFFSET:    rmux = config_crc_q;
      LV_REG_SEED_LO_OFFSET:       rmux = seed_lo_q;
      LV_REG_SEED_HI_OFFSET:       rmux = seed_hi_q;
      LV_REG_TICKS_OFFSET:         rmux = ticks_q;
      LV_REG_TICK0_OFFSET:         rmux = tick0_q;
      LV_REG_TICK_OFFSET:          rmux = tick_q;
      LV_REG_V0_LO_OFFSET:         rmux = v0_q[31:0];
      LV_REG_V0_HI_OFFSET:         rmux = v0_hi_q;
      LV_REG_V_LO_OFFSET:          rmux = v_q[31:0];
      LV_REG_V_HI_OFFSET:          rmux = v_hi_q;
      LV_REG_Q_LO_OFFSET:          rmux = q_q[31:0];
      LV_REG_Q_HI_OFFSET:          rmux = q_hi_q;
      LV_REG_SAT_STATE_OFFSET:     rmux = sat_state_q;
      LV_REG_SAT_FORCE_OFFSET:     rmux = sat_force_q;
      LV_REG_LOAD_CRC_OFFSET:      rmux = load_crc_q;
      LV_REG_LOAD_CRC_CALC_OFFSET: rmux = load_crc_calc_q;
      LV_REG_LOAD_COUNT_OFFSET:    rmux = load_count_q;
      LV_REG_LOAD_STATE_OFFSET:    rmux = load_state_q;
      LV_REG_MEM_SEL_OFFSET:       rmux = {29'd0, mem_sel_q};
      LV_REG_MEM_ADDR_OFFSET:      rmux = {8'd0, mem_addr_q};
      LV_REG_MEM_RDATA_OFFSET:     rmux = port_re ? port_rdata : 32'd0;
      LV_REG_MEM_DEPTH_OFFSET:     rmux = mem_depth & LV_REG_MEM_DEPTH_VALUE_MASK;
      LV_REG_MEM_WIDTH_OFFSET:     rmux = {26'd0, mem_width} & LV_REG_MEM_WIDTH_VALUE_MASK;
      default:                     rmux = 32'd0;
    endcase
  end

  // CONFIG_CRC: the ten load registers in CONFIG_CRC order, one per cycle.
  reg [31:0] crc_word_in;
  always @* begin
    case (crc_idx_q)
      4'd0: crc_word_in = cfg_dims_q;
      4'd1: crc_word_in = cfg_fmt_x_q;
      4'd2: crc_word_in = cfg_fmt_c_q;
      4'd3: crc_word_in = j2_q;
      4'd4: crc_word_in = j4_q;
      4'd5: crc_word_in = k_q;
      4'd6: crc_word_in = gain_q;
      4'd7: crc_word_in = offset_q;
      4'd8: crc_word_in = colour_a_q;
      default: crc_word_in = colour_c_q;
    endcase
  end
  wire [31:0] crc_next = crc32_word(crc_acc_q, crc_word_in);
  wire        crc_done = (op_q == OpCrc) && (crc_idx_q == 4'd9);
  wire [7:0]  crc_err  = cfg_bad ? LV_REG_ERR_CODE_CODE_CONFIG_RANGE :
                         (crc_next != config_crc_q) ? LV_REG_ERR_CODE_CODE_CONFIG_CRC : LV_REG_ERR_CODE_CODE_NONE;

  // The error raised this cycle (at most one source executes per cycle).
  wire [7:0] ev_err = (wr_go && wr_ok) ? wr_err : rd_go ? rd_err : crc_done ? crc_err :
                     (start_late && !image_valid) ? LV_REG_ERR_CODE_CODE_NOT_LOADED : LV_REG_ERR_CODE_CODE_NONE;

  // ---- the core -----------------------------------------------------------------
  wire        core_busy, core_done, core_pass_done;
  wire [31:0] core_tick, core_sat_state, core_sat_force;
  wire [63:0] core_v0, core_v, core_q;
  wire [7:0]  core_e_max;
  wire        core_rst_n = rst_ni & ~core_rst_q;
  wire        ld_we   = port_we && (mem_sel_q != IdBexp);
  wire [UnitW:0] ld_addr = sweep_we ? sweep_q : mem_addr_q[UnitW:0];

  langevin_core #(.P(P), .MaxN(MaxN), .MaxM(MaxM), .AccW(AccW)) u_core (
    .clk_i          (clk_i),
    .rst_ni         (core_rst_n),
    .cfg_nv_i       (f_nv[UnitW:0]),
    .cfg_nh_i       (f_nh[UnitW:0]),
    .cfg_vv_i       (f_vv),
    .cfg_wx_i       ({1'b0, f_wx}),
    .cfg_fx_i       (f_fx),
    .cfg_wf_i       ({1'b0, f_wf}),
    .cfg_ff_i       (f_ff),
    .cfg_j2_i       (j2_q),
    .cfg_j4_i       (j4_q),
    .cfg_k_i        (k_q),
    .cfg_bn_i       (f_bn),
    .cfg_gain_i     (gain_q),
    .cfg_offset_i   (offset_q),
    .cfg_colour_a_i (run_colour_q ? f_a : 16'd0),
    .cfg_colour_c_i (run_colour_q ? f_c : 16'h8000),
    .cfg_eb_vis_i   (eb_vis_q),
    .cfg_eb_hid_i   (eb_hid_q),
    .ld_we_i        (ld_we || sweep_we),
    .ld_mem_i       (sweep_we ? IdState : mem_sel_q),
    .ld_addr_i      (ld_addr),
    .ld_data_i      (sweep_we ? 32'd0 : wcode),
    .cp_sel_i       (1'b1),
    .cp_bank_i      (coup_bank_q),
    .cp_word_i      (coup_word_q),
    .cp_rdata_o     (core_coup),
    .mr_addr_i      (mem_addr_q[UnitW:0]),
    .mr_rexp_o      (core_rexp),
    .mr_bias_o      (core_bias),
    .start_i        (start_q),
    .stop_i         (stop_q),
    .clear_i        (clear_q),
    .couple_i       ((ctrl_q & LV_REG_CTRL_COUPLE_MASK) != 32'd0),
    .latch_i        (1'b1),
    .seed_i         ({seed_hi_q, seed_lo_q}),
    .tick0_i        (tick0_q),
    .ticks_i        (ticks_q),
    .busy_o         (core_busy),
    .done_o         (core_done),
    .pass_done_o    (core_pass_done),
    .tick_o         (core_tick),
    .v0_o           (core_v0),
    .v_o            (core_v),
    .q_o            (core_q),
    .sat_state_o    (core_sat_state),
    .sat_force_o    (core_sat_force),
    .e_max_o        (core_e_max),
    .xw_valid_o     (core_xw_valid),
    .xw_unit_o      (core_xw_unit),
    .xw_x_o         (core_xw_x)
  );

  // Bits of the fields and ports this block does not use.
  wire unused = ^{core_busy, div_rem[8], core_e_max, f_nv[LV_REG_CFG_DIMS_NV_WIDTH-1:UnitW+1],
                  f_nh[LV_REG_CFG_DIMS_NH_WIDTH-1:UnitW+1], nhh48[0], nvv48[0]};

  // ---- sequential -----------------------------------------------------------------
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      aw_full_q <= 1'b0; w_full_q <= 1'b0; ar_full_q <= 1'b0;
      aw_addr_q <= 12'd0; ar_addr_q <= 12'd0; w_data_q <= 32'd0; w_strb_q <= 4'd0;
      s_axi_bvalid_o <= 1'b0; s_axi_bresp_o <= RespOkay;
      s_axi_rvalid_o <= 1'b0; s_axi_rresp_o <= RespOkay; s_axi_rdata_o <= 32'd0;
      op_q <= OpIdle;
      cfg_dims_q <= LV_REG_CFG_DIMS_RESVAL; cfg_fmt_x_q <= LV_REG_CFG_FMT_X_RESVAL;
      cfg_fmt_c_q <= LV_REG_CFG_FMT_C_RESVAL; j2_q <= LV_REG_J2_RESVAL; j4_q <= LV_REG_J4_RESVAL;
      k_q <= LV_REG_K_RESVAL; gain_q <= LV_REG_GAIN_RESVAL; offset_q <= LV_REG_OFFSET_RESVAL;
      colour_a_q <= LV_REG_COLOUR_A_RESVAL; colour_c_q <= LV_REG_COLOUR_C_RESVAL;
      ctrl_q <= LV_REG_CTRL_RESVAL & CtrlLevels; config_crc_q <= LV_REG_CONFIG_CRC_RESVAL;
      seed_lo_q <= LV_REG_SEED_LO_RESVAL; seed_hi_q <= LV_REG_SEED_HI_RESVAL;
      ticks_q <= LV_REG_TICKS_RESVAL; tick0_q <= LV_REG_TICK0_RESVAL; tick_q <= LV_REG_TICK_RESVAL;
      done_q <= 1'b0; error_q <= 1'b0; busy_q <= 1'b0; err_code_q <= LV_REG_ERR_CODE_CODE_RESVAL;
      v0_q <= {LV_REG_V0_HI_RESVAL, LV_REG_V0_LO_RESVAL}; v_q <= {LV_REG_V_HI_RESVAL, LV_REG_V_LO_RESVAL};
      q_q <= {LV_REG_Q_HI_RESVAL, LV_REG_Q_LO_RESVAL};
      v0_hi_q <= LV_REG_V0_HI_RESVAL; v_hi_q <= LV_REG_V_HI_RESVAL; q_hi_q <= LV_REG_Q_HI_RESVAL;
      sat_state_q <= LV_REG_SAT_STATE_RESVAL; sat_force_q <= LV_REG_SAT_FORCE_RESVAL;
      base_state_q <= 32'd0; base_force_q <= 32'd0;
      load_crc_q <= LV_REG_LOAD_CRC_RESVAL; load_crc_calc_q <= LV_REG_LOAD_CRC_CALC_RESVAL;
      load_count_q <= LV_REG_LOAD_COUNT_RESVAL; load_state_q <= LV_REG_LOAD_STATE_RESVAL;
      mem_sel_q <= LV_REG_MEM_SEL_RESVAL[2:0]; mem_addr_q <= LV_REG_MEM_ADDR_RESVAL[23:0];
      eb_vis_q <= 8'd0; eb_hid_q <= 8'd0;
      first_run_q <= 1'b1; run_colour_q <= 1'b0;
      start_q <= 1'b0; stop_q <= 1'b0; clear_q <= 1'b0; core_rst_q <= 1'b0;
      crc_idx_q <= 4'd0; crc_acc_q <= 32'd0; sweep_q <= {(UnitW+1){1'b0}};
      coup_bank_q <= 8'd0; coup_word_q <= 24'd0; div_num_q <= 24'd0; div_cnt_q <= 5'd0;
    end else begin
      start_q    <= 1'b0;
      stop_q     <= 1'b0;
      core_rst_q <= 1'b0;

      // AXI slots.
      if (s_axi_awvalid_i && !aw_full_q) begin aw_full_q <= 1'b1; aw_addr_q <= s_axi_awaddr_i; end
      if (s_axi_wvalid_i && !w_full_q) begin
        w_full_q <= 1'b1; w_data_q <= s_axi_wdata_i; w_strb_q <= s_axi_wstrb_i;
      end
      if (s_axi_arvalid_i && !ar_full_q) begin ar_full_q <= 1'b1; ar_addr_q <= s_axi_araddr_i; end
      if (s_axi_bvalid_o && s_axi_bready_i) s_axi_bvalid_o <= 1'b0;
      if (s_axi_rvalid_o && s_axi_rready_i) s_axi_rvalid_o <= 1'b0;

      // The run: registers follow the core at the end of every pass.
      if (busy_q && core_pass_done) begin
        v_q  <= core_v;
        v0_q <= core_v0;
        q_q  <= core_q;
        tick_q <= core_tick;
        sat_state_q <= (core_sat_state == 32'hFFFFFFFF) ? 32'hFFFFFFFF : core_sat_state - base_state_q;
        sat_force_q <= (core_sat_force == 32'hFFFFFFFF) ? 32'hFFFFFFFF : core_sat_force - base_force_q;
      end
      if (busy_q && core_done) begin
        busy_q <= 1'b0;
        done_q <= 1'b1;
      end

      // Errors: ERR_CODE keeps the first one.
      if (ev_err != LV_REG_ERR_CODE_CODE_NONE && !error_q) begin
        error_q    <= 1'b1;
        err_code_q <= ev_err;
      end

      // Memory port side effects.
      if (port_we) begin
        mem_addr_q      <= mem_addr_q + 24'd1;
        load_crc_calc_q <= crc32_word(load_crc_calc_q, wd);
        load_count_q    <= load_count_q + 32'd1;
        load_state_q    <= load_state_q & ~mem_bit;
        if (mem_sel_q == IdBexp) begin
          if (mem_addr_q[0]) eb_hid_q <= wcode[7:0];
          else eb_vis_q <= wcode[7:0];
        end
      end
      if (port_re) mem_addr_q <= mem_addr_q + 24'd1;
      if (port_we || port_re) begin
        if (coup_bank_q == LastBank) begin
          coup_bank_q <= 8'd0;
          coup_word_q <= coup_word_q + 24'd1;
        end else begin
          coup_bank_q <= coup_bank_q + 8'd1;
        end
      end

      case (op_q)
        OpIdle: begin
          if (wr_go) begin
            aw_full_q <= 1'b0;
            w_full_q  <= 1'b0;
            s_axi_bresp_o  <= wr_ok ? RespOkay : RespSlvErr;
            s_axi_bvalid_o <= 1'b1;
            if (wr_ok) begin
              if (is_load_reg && !busy_q) begin
                case (wa)
                  LV_REG_CFG_DIMS_OFFSET:  cfg_dims_q  <= wd & (LV_REG_CFG_DIMS_NV_MASK | LV_REG_CFG_DIMS_NH_MASK |
                                                                 LV_REG_CFG_DIMS_VV_MASK);
                  LV_REG_CFG_FMT_X_OFFSET: cfg_fmt_x_q <= wd & (LV_REG_CFG_FMT_X_WX_MASK | LV_REG_CFG_FMT_X_FX_MASK |
                                                                 LV_REG_CFG_FMT_X_WF_MASK | LV_REG_CFG_FMT_X_FF_MASK);
                  LV_REG_CFG_FMT_C_OFFSET: cfg_fmt_c_q <= wd & (LV_REG_CFG_FMT_C_BJ_MASK | LV_REG_CFG_FMT_C_BB_MASK |
                                                                 LV_REG_CFG_FMT_C_BN_MASK);
                  LV_REG_J2_OFFSET:        j2_q        <= wd & LV_REG_J2_VALUE_MASK;
                  LV_REG_J4_OFFSET:        j4_q        <= wd & LV_REG_J4_VALUE_MASK;
                  LV_REG_K_OFFSET:         k_q         <= wd & LV_REG_K_VALUE_MASK;
                  LV_REG_GAIN_OFFSET:      gain_q      <= wd & LV_REG_GAIN_VALUE_MASK;
                  LV_REG_OFFSET_OFFSET:    offset_q    <= wd & LV_REG_OFFSET_VALUE_MASK;
                  LV_REG_COLOUR_A_OFFSET:  colour_a_q  <= wd & LV_REG_COLOUR_A_A_MASK;
                  default:                 colour_c_q  <= wd & LV_REG_COLOUR_C_C_MASK;
                endcase
                if (wa == LV_REG_CFG_DIMS_OFFSET || wa == LV_REG_CFG_FMT_C_OFFSET) load_state_q <= 32'd0;
                else load_state_q <= load_state_q & ~LV_REG_LOAD_STATE_CONFIG_MASK;
              end
              case (wa)
                LV_REG_CTRL_OFFSET: begin
                  if (soft_reset) begin
                    // Every register to its reset value, the run stopped
                    // (core reset), then STATE zeroed (OpSweep).
                    cfg_dims_q <= LV_REG_CFG_DIMS_RESVAL; cfg_fmt_x_q <= LV_REG_CFG_FMT_X_RESVAL;
                    cfg_fmt_c_q <= LV_REG_CFG_FMT_C_RESVAL; j2_q <= LV_REG_J2_RESVAL; j4_q <= LV_REG_J4_RESVAL;
                    k_q <= LV_REG_K_RESVAL; gain_q <= LV_REG_GAIN_RESVAL; offset_q <= LV_REG_OFFSET_RESVAL;
                    colour_a_q <= LV_REG_COLOUR_A_RESVAL; colour_c_q <= LV_REG_COLOUR_C_RESVAL;
                    ctrl_q <= LV_REG_CTRL_RESVAL & CtrlLevels; config_crc_q <= LV_REG_CONFIG_CRC_RESVAL;
                    seed_lo_q <= LV_REG_SEED_LO_RESVAL; seed_hi_q <= LV_REG_SEED_HI_RESVAL;
                    ticks_q <= LV_REG_TICKS_RESVAL; tick0_q <= LV_REG_TICK0_RESVAL; tick_q <= LV_REG_TICK_RESVAL;
                    done_q <= 1'b0; error_q <= 1'b0; busy_q <= 1'b0; err_code_q <= LV_REG_ERR_CODE_CODE_RESVAL;
                    v0_q <= {LV_REG_V0_HI_RESVAL, LV_REG_V0_LO_RESVAL};
                    v_q <= {LV_REG_V_HI_RESVAL, LV_REG_V_LO_RESVAL};
                    q_q <= {LV_REG_Q_HI_RESVAL, LV_REG_Q_LO_RESVAL};
                    v0_hi_q <= LV_REG_V0_HI_RESVAL; v_hi_q <= LV_REG_V_HI_RESVAL; q_hi_q <= LV_REG_Q_HI_RESVAL;
                    sat_state_q <= LV_REG_SAT_STATE_RESVAL; sat_force_q <= LV_REG_SAT_FORCE_RESVAL;
                    base_state_q <= 32'd0; base_force_q <= 32'd0;
                    load_crc_q <= LV_REG_LOAD_CRC_RESVAL; load_crc_calc_q <= LV_REG_LOAD_CRC_CALC_RESVAL;
                    load_count_q <= LV_REG_LOAD_COUNT_RESVAL; load_state_q <= LV_REG_LOAD_STATE_RESVAL;
                    mem_sel_q <= LV_REG_MEM_SEL_RESVAL[2:0]; mem_addr_q <= LV_REG_MEM_ADDR_RESVAL[23:0];
                    coup_bank_q <= 8'd0; coup_word_q <= 24'd0;   // MEM_ADDR resets to 0
                    first_run_q <= 1'b1;
                    core_rst_q <= 1'b1;
                    s_axi_bvalid_o <= 1'b0;
                    op_q <= OpRst;
                  end else begin
                    ctrl_q <= wd & CtrlLevels;
                    // STOP (busy): the core ends the run after the tick in
                    // progress; BUSY falls at its done.  START: below.
                    if (stop_cmd && busy_q) stop_q <= 1'b1;
                    if (stop_start) begin
                      s_axi_bvalid_o <= 1'b0;
                      op_q <= OpStop;
                    end
                  end
                end
                LV_REG_STATUS_OFFSET: begin
                  if ((wd & LV_REG_STATUS_DONE_MASK) != 32'd0) done_q <= 1'b0;
                  if ((wd & LV_REG_STATUS_ERROR_MASK) != 32'd0) begin
                    error_q    <= 1'b0;
                    err_code_q <= LV_REG_ERR_CODE_CODE_NONE;
                  end
                end
                LV_REG_CONFIG_CRC_OFFSET: begin
                  config_crc_q   <= wd & LV_REG_CONFIG_CRC_VALUE_MASK;
                  crc_idx_q      <= 4'd0;
                  crc_acc_q      <= 32'd0;
                  s_axi_bvalid_o <= 1'b0;
                  op_q           <= OpCrc;
                end
                LV_REG_SEED_LO_OFFSET: seed_lo_q <= wd & LV_REG_SEED_LO_VALUE_MASK;
                LV_REG_SEED_HI_OFFSET: seed_hi_q <= wd & LV_REG_SEED_HI_VALUE_MASK;
                LV_REG_TICKS_OFFSET:   ticks_q   <= wd & LV_REG_TICKS_VALUE_MASK;
                LV_REG_TICK0_OFFSET:   tick0_q   <= wd & LV_REG_TICK0_VALUE_MASK;
                LV_REG_LOAD_CRC_OFFSET: begin
                  load_crc_q <= wd & LV_REG_LOAD_CRC_VALUE_MASK;
                  if (mid_valid) begin
                    if (wr_err == LV_REG_ERR_CODE_CODE_NONE) load_state_q <= load_state_q | mem_bit;
                    else load_state_q <= load_state_q & ~mem_bit;
                  end
                end
                LV_REG_MEM_SEL_OFFSET: begin
                  mem_sel_q       <= wd[LV_REG_MEM_SEL_ID_SHIFT +: 3];
                  load_crc_calc_q <= 32'd0;
                  load_count_q    <= 32'd0;
                end
                LV_REG_MEM_ADDR_OFFSET: begin
                  mem_addr_q      <= wd[LV_REG_MEM_ADDR_ADDR_SHIFT +: 24];
                  load_crc_calc_q <= 32'd0;
                  load_count_q    <= 32'd0;
                  coup_bank_q     <= 8'd0;
                  coup_word_q     <= 24'd0;
                  div_num_q       <= wd[LV_REG_MEM_ADDR_ADDR_SHIFT +: 24];
                  div_cnt_q       <= 5'd0;
                  s_axi_bvalid_o  <= 1'b0;
                  op_q            <= OpDiv;
                end
                default: ;
              endcase
            end
          end else if (rd_start) begin
            op_q <= OpRead;
          end
        end
        OpRead: begin
          ar_full_q      <= 1'b0;
          s_axi_rvalid_o <= 1'b1;
          s_axi_rresp_o  <= (ra[1:0] == 2'b00) ? RespOkay : RespSlvErr;
          s_axi_rdata_o  <= (ra[1:0] == 2'b00) ? rmux : 32'd0;
          if (ra == LV_REG_V0_LO_OFFSET) v0_hi_q <= v0_q[63:32];
          if (ra == LV_REG_V_LO_OFFSET)  v_hi_q  <= v_q[63:32];
          if (ra == LV_REG_Q_LO_OFFSET)  q_hi_q  <= q_q[63:32];
          op_q <= OpIdle;
        end
        OpCrc: begin
          crc_acc_q <= crc_next;
          crc_idx_q <= crc_idx_q + 4'd1;
          if (crc_done) begin
            if (crc_err == LV_REG_ERR_CODE_CODE_NONE) load_state_q <= load_state_q | LV_REG_LOAD_STATE_CONFIG_MASK;
            else load_state_q <= load_state_q & ~LV_REG_LOAD_STATE_CONFIG_MASK;
            s_axi_bvalid_o <= 1'b1;
            op_q <= OpIdle;
          end
        end
        OpDiv: begin
          coup_bank_q <= div_rem[7:0];
          coup_word_q <= {coup_word_q[22:0], div_ge};
          div_num_q   <= {div_num_q[22:0], 1'b0};
          div_cnt_q   <= div_cnt_q + 5'd1;
          if (div_cnt_q == 5'd23) begin
            s_axi_bvalid_o <= 1'b1;
            op_q <= OpIdle;
          end
        end
        OpStop: if (start_late) begin
          s_axi_bvalid_o <= 1'b1;
          op_q <= OpIdle;
        end
        OpRst: begin
          sweep_q <= {(UnitW+1){1'b0}};
          op_q    <= OpSweep;
        end
        OpSweep: begin
          sweep_q <= sweep_q + {{UnitW{1'b0}}, 1'b1};
          if (sweep_q == LastUnit) begin
            s_axi_bvalid_o <= 1'b1;
            op_q <= OpIdle;
          end
        end
        default: op_q <= OpIdle;
      endcase

      // START (idle START, or STOP + START once the stopped run has ended):
      // TICK = TICK0, Q and the counters cleared; the core measures V(x)
      // into V / V0 in pass 0.
      if (start_go) begin
        start_q      <= 1'b1;
        clear_q      <= first_run_q || (tick0_q == 32'd0);
        first_run_q  <= 1'b0;
        run_colour_q <= start_colour;
        busy_q       <= 1'b1;
        tick_q       <= tick0_q;
        q_q          <= 64'd0;
        sat_state_q  <= 32'd0;
        sat_force_q  <= 32'd0;
        base_state_q <= (first_run_q || tick0_q == 32'd0) ? 32'd0 : core_sat_state;
        base_force_q <= (first_run_q || tick0_q == 32'd0) ? 32'd0 : core_sat_force;
      end
    end
  end

  initial begin
    if (MaxN > LV_PARAM_MAX_N) $error("langevin_axi: MaxN = %0d exceeds the map's MAX_N", MaxN);
    if (MaxM > LV_PARAM_MAX_M) $error("langevin_axi: MaxM = %0d exceeds the map's MAX_M", MaxM);
    if (MaxRows > LV_PARAM_MAX_ROWS) $error("langevin_axi: 2 MaxN exceeds the map's MAX_ROWS");
    if (LV_REGS_ADDR_WIDTH != 12) $error("langevin_axi: the register window is not 4 KiB");
  end

endmodule

`default_nettype wire
