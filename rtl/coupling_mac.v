// coupling_mac - the resistor network: the coupling field of
// docs/fixed-point.md §4 with P parallel lanes, mirror of
// emu/src/coupling_network.h (the LV_CN_INT64 path).
//
// For every stored coupling c of row r joining units (i, j):
//     acc_i += (c x_j) 2^(E - eJ[r])        acc_j += (c x_i) 2^(E - eJ[r])
// then f_u = rnd(acc_u, Fx + E - Ff).  E = max eJ over the rows that hold
// a coupling (computed by the setup sweep).
//
// Lanes and memories.  Stored coupling m (§3 order) lives in bank m mod P at
// word m div P, so one field cycle reads couplings aP .. aP+P-1, one per
// lane, each exactly once; it serves both units it joins.  A combinational
// walker chains P "next pair" steps over the §3 order (visible-hidden rows,
// hidden-hidden strict upper triangle, optional visible-visible), so rows
// shorter than P, block boundaries and a last partial cycle (P need not
// divide M nor any row length) cost nothing.  Per lane l:
//   cbank[l]  ceil(MaxM/P) x 16   coupling codes
//   rexp[l]   2 MaxN x 8          row exponents (a copy per lane: each lane
//                                 may be in a different row)
//   xa[l]     MaxN x 32           x copy read at j (for acc_i)
//   xb[l]     MaxN x 32           x copy read at i (for acc_j)
//   acc_i[l]  MaxN x (AccW+1)     private accumulators: lane l adds
//   acc_j[l]  MaxN x (AccW+1)     c x_j into acc_i[l][i] and c x_i into
//                                 acc_j[l][j]; bit AccW is the pass parity
//                                 of the last write
//   rdi[l], rdj[l]  MaxN x AccW   read copies of acc_i[l] / acc_j[l] (same
//                                 writes), for the per-unit read port
// Private accumulators make the 2P updates per cycle conflict-free; each is
// a read-modify-write over 2 cycles with a one-deep forward (the same unit
// in consecutive cycles, e.g. a row's i).
// With Pair = 0 a lane has one multiplier, one shifter, one read-modify-write
// path, one x copy (xa, read at j then at i) and one accumulator acc[l]
// (MaxN x (AccW+1)): each position is held for two cycles, the first adds
// c x_j into acc[l][i], the second c x_i into acc[l][j] (one stored word per
// coupling as before; the bank keeps its address for both cycles, so the
// second read repeats the first).  The update stream then has a
// row's i every other cycle and j of one pair next to i of the lane's next
// pair; the read (F2) of an update shares its cycle with the write (F3) of
// the one before, whatever the units, so the one-deep forward still covers
// every read-after-write distance (1; at 2 and more the RAM read follows the
// write), including the read of the address written in that cycle (lv_ram's
// undefined word, never used).  A word whose parity is not the
// current pass's reads as 0, so nothing has to clear it between passes:
// lane l touches the same words in every pass of a run (the lane of a
// coupling is fixed), and the setup sweep zeroes all of them.
//
// Per-unit read during the field pass.  The per-unit read port sums the 2P
// read-copy words of unit u (P words with Pair = 0; exact: the total of §4)
// and rounds.  A unit's
// field is complete as soon as the walker has passed its last coupling, and
// in the §3 order no later coupling reads its x either: without the
// visible-visible block, unit u's last coupling ends stored row u (visible
// rows in the visible-hidden block, hidden rows in the hidden-hidden
// triangle), and with it the hidden units complete in the hidden-hidden
// block and the visible ones in their visible-visible rows.  rdy_o counts
// the completed units in the read order (0 .. N-1 without the
// visible-visible block; hidden Nv .. N-1 then visible 0 .. Nv-1 with it),
// delayed so that their last read-modify-write has reached the read copies:
// the core reads unit k of that order when k < rdy_o, while the field pass
// runs, and writes x' back into the lanes' copies (no later coupling reads
// it).  So the per-unit phase overlaps the field pass instead of following
// it.
//
// Widths: codes 16, states 32, terms, accumulators and the 2P-word sum
// AccW bits, i.e. modulo 2^AccW (two's complement: a lane word or partial
// sum may wrap), then the sum is sign-extended to 64 bits for the rounding
// and f_o.  That is exact whenever the true per-unit total |acc_u| <
// 2^(AccW-1): the wrapped lanes add up to acc_u mod 2^AccW, and the sign
// extension recovers acc_u.  With |x| <= 2^(Wx-1) - 1 (the state range),
// |acc_u| <= xmax rowsum_u, rowsum_u = sum over u's couplings of
// |c| 2^(E - eJ[r]), so an image is computed exactly when
//     max_u xmax rowsum_u < 2^(AccW-1)
// (the bound emu/src/coupling_network.c checks against 2^63; the firmware
// checks it against the instance's CAP_ACC_W, lv_fw_image_acc_bits).  The
// rounding is done on the sign-extended 64-bit value exactly as at AccW =
// 64, so its offset need not fit AccW bits (§10's 64-bit bound covers it).
// AccW = 64 is the full §10 datapath: exact for every image the loader
// accepts (§10 bounds every |acc| below 2^63).
//
// Timing: field pass = 1 + ceil(M/P) issue cycles + 3 drain cycles
// (busy_o covers all of them; with Pair = 0, 1 + 2 ceil(M/P) + 3, and rdy_o
// jumps from 0 to N 3 cycles after the last issue cycle, as with Overlap = 0
// at Pair = 1); setup = n_rows + 2 cycles; read port
// LATENCY = 3 (RAM read, the sum of the 2P (Pair = 0: P) words registered,
// the rounding: one carry-chain stage each, for the clock rate).  After field_i (cycle 0)
// rdy_o is 0 in cycles 1 .. 3, and in cycle a + 4 it is K(aP): the units
// completed before stored coupling aP (N once the walker is past the last
// coupling); it holds that value after the pass.
//
// Parameters:
//   P      lanes (>= 1; need not divide MaxM or M)
//   MaxN   units capacity (>= 2)
//   MaxM   stored couplings capacity (>= 1)
//   UnitW  clog2(MaxN)
//   BankW  clog2(BankD), BankD = max(2, ceil(MaxM / P)) words per bank
//   CW     stored coupling width (2 .. 16): the banks keep the low CW bits
//          of the sign-extended codes, exact for every image with BJ <= CW
//          (the register slave refuses wider BJ through CONFIG_RANGE)
//   Overlap 1 (default): the read copies above, units readable during the
//          field pass.  0: no read copies (half the accumulator RAM, for
//          small FPGAs); the per-unit read shares the accumulators' read
//          port, so rdy_o stays 0 until the pass's last read-modify-write is
//          done and then jumps to N (the per-unit phase follows the field)
//   FieldRound 1 (default): f_o = rnd(acc, Fx + E - Ff), the field in Ff
//          fraction bits.  0: f_o = acc, the exact sum at scale 2^-(Fx+E)
//          unrounded; the caller rounds (unit_serial does, on its shared
//          multiplier), and the 64-bit rounding adder and the two 64-bit
//          shifters drop out (1,232 of 2,807 SB_LUT4 at P 1, MaxN 16)
//   AccW   lane term / accumulator / sum width, 33 .. 64 (default 64; see
//          Widths above).  The datapath is exact modulo 2^AccW at any
//          width; whether an image fits is checked per image (CAP_ACC_W).
//          Lower end: one coupling term alone, |c x| <= (2^(CW-1) - 1)
//          (2^31 - 1) < 2^(CW+30), needs up to CW + 31 bits, i.e. 33 at the
//          narrowest store (CW = 2) with a full 32-bit state; below that an
//          instance could not run a single full-scale coupling of any code
//          width at Wx = 32.  AccW < CW + 31 is legal (the product is then
//          taken modulo 2^AccW): such an instance runs the images with
//          narrower Wx or BJ whose bound fits.  Narrower accumulators save
//          RAM bits and adder / shifter width (docs/fpga.md §2)
//   Pair   1 (default): both updates of a stored coupling in the same cycle
//          (per lane two multipliers, shifters, x copies, read-modify-write
//          paths and accumulators, and with Overlap two read copies).  0: one
//          of each, the two updates in two consecutive cycles (above), field
//          pass 2 ceil(M/P) issue cycles; needs Overlap = 0.  For small FPGAs:
//          at P 1, MaxN 16, CW 4, Overlap 0, FieldRound 0, AccW 40 the module
//          takes 755 SB_LUT4, 301 flip-flops, 7 SB_RAM40_4K and 2 SB_MAC16
//          (synth_ice40 -dsp) against 1,152 / 436 / 12 / 4 with Pair = 1
`default_nettype none

module coupling_mac #(
  parameter integer P     = 1,
  parameter integer MaxN  = 64,
  parameter integer MaxM  = 2016,
  parameter integer UnitW = 6,
  parameter integer BankW = 11,
  parameter integer CW    = 16,
  parameter integer Overlap = 1,
  parameter integer FieldRound = 1,
  parameter integer AccW  = 64,
  parameter integer Pair  = 1
) (
  input  wire               clk_i,
  input  wire               rst_ni,
  // configuration (static during a run)
  input  wire [UnitW:0]     nv_i,
  input  wire [UnitW:0]     nh_i,
  input  wire               vv_i,
  input  wire [5:0]         fx_i,
  input  wire [5:0]         ff_i,
  // coupling load port: sequential words in §3 order (rewind: this
  // write is coupling 0)
  input  wire               ldc_rewind_i,
  input  wire               ldc_we_i,
  input  wire signed [15:0] ldc_data_i,
  // random access to the coupling banks (idle only): with cp_sel_i a
  // coupling write goes to word cp_word_i of bank cp_bank_i (coupling
  // m = word P + bank) instead of the sequential pointer; cp_rdata_o is the
  // code at (cp_bank_i, cp_word_i) of the previous cycle
  input  wire               cp_sel_i,
  input  wire [7:0]         cp_bank_i,
  input  wire [BankW-1:0]   cp_word_i,
  output reg  signed [15:0] cp_rdata_o,
  // row-exponent read (idle only): lane 0's copy at row er_row_i, one cycle
  input  wire [UnitW:0]     er_row_i,
  output wire signed [7:0]  er_rdata_o,
  // row-exponent load port
  input  wire               lde_we_i,
  input  wire [UnitW:0]     lde_row_i,
  input  wire signed [7:0]  lde_data_i,
  // state copies (load port and integrator write stream)
  input  wire               xw_we_i,
  input  wire [UnitW-1:0]   xw_unit_i,
  input  wire signed [31:0] xw_data_i,
  // control
  input  wire               setup_i,   // pulse: E sweep + zero accumulators
  input  wire               field_i,   // pulse: one field pass
  output wire               busy_o,
  output wire [UnitW:0]     rdy_o,     // units readable (read order, above)
  // per-unit field read (any time; a unit's field is final once counted
  // by rdy_o, or when no field pass ran since setup: 0)
  input  wire               rd_valid_i,
  input  wire [UnitW-1:0]   rd_unit_i,
  output reg                f_valid_o,
  output reg  signed [63:0] f_o,
  output wire signed [7:0]  e_max_o
);

  wire unused_ldc = ^ldc_data_i;   // bits above CW are sign copies (BJ <= CW)

  `include "fx_prims.vh"

  localparam integer BankD = ((MaxM + P - 1) / P) < 2 ? 2 : (MaxM + P - 1) / P;
  localparam integer RowW  = UnitW + 1;
  localparam integer MaxRows = 2 * MaxN;
  localparam [1:0] BlkVH = 2'd0, BlkHH = 2'd1, BlkVV = 2'd2, BlkEnd = 2'd3;
  localparam [UnitW:0] U1 = 1, U2 = 2;
  localparam [RowW:0]  R1 = 1;
  localparam [BankW-1:0] W1 = 1;
  localparam integer LastBankI = P - 1;
  localparam [AccW-1:0] AccZ = {AccW{1'b0}};
  localparam [7:0] LastBank = LastBankI[7:0];

  // ---- configuration-derived counts ----------------------------------------
  wire [UnitW:0] n_units = nv_i + nh_i;
  wire [RowW:0]  n_rows  = {1'b0, n_units} + (vv_i ? {1'b0, nv_i} : {(RowW+1){1'b0}});

  // ---- walker over the §3 order ---------------------------------------------
  // A position is {blk, i, j}; r = i (vh, hh rows) or N + i (vv rows).
  localparam integer PosW = 2 + 2 * (UnitW + 1);

  function automatic [PosW-1:0] vv_start(input [UnitW:0] nv, input vv);
    if (vv && nv >= 2) vv_start = {BlkVV, {(UnitW+1){1'b0}}, U1};
    else vv_start = {BlkEnd, {(2*UnitW+2){1'b0}}};
  endfunction

  function automatic [PosW-1:0] hh_start(input [UnitW:0] nv, input [UnitW:0] nh, input vv);
    if (nh >= 2) hh_start = {BlkHH, nv, nv + U1};
    else hh_start = vv_start(nv, vv);
  endfunction

  function automatic [PosW-1:0] first_pos(input [UnitW:0] nv, input [UnitW:0] nh, input vv);
    if (nh >= 1) first_pos = {BlkVH, {(UnitW+1){1'b0}}, nv};
    else first_pos = hh_start(nv, nh, vv);
  endfunction

  function automatic [PosW-1:0] next_pos(input [PosW-1:0] p, input [UnitW:0] nv,
                                         input [UnitW:0] nh, input vv);
    reg [1:0]     blk;
    reg [UnitW:0] i, j, n;
    begin
      blk = p[PosW-1 -: 2];
      i   = p[2*UnitW+1 -: UnitW+1];
      j   = p[UnitW:0];
      n   = nv + nh;
      case (blk)
        BlkVH: begin
          if (j + U1 < n)       next_pos = {BlkVH, i, j + U1};
          else if (i + U1 < nv) next_pos = {BlkVH, i + U1, nv};
          else                    next_pos = hh_start(nv, nh, vv);
        end
        BlkHH: begin
          if (j + U1 < n)       next_pos = {BlkHH, i, j + U1};
          else if (i + U2 < n)  next_pos = {BlkHH, i + U1, i + U2};
          else                    next_pos = vv_start(nv, vv);
        end
        BlkVV: begin
          if (j + U1 < nv)      next_pos = {BlkVV, i, j + U1};
          else if (i + U2 < nv) next_pos = {BlkVV, i + U1, i + U2};
          else                    next_pos = {BlkEnd, {(2*UnitW+2){1'b0}}};
        end
        default:                  next_pos = p;
      endcase
    end
  endfunction

  reg              run_q;          // field pass issuing
  reg [PosW-1:0]   pos_q;          // position of lane 0
  reg [BankW-1:0]  word_q;         // coupling word of this cycle
  reg [PosW-1:0]   lane_pos [0:P-1];
  reg              half_q;         // Pair = 0: second update of the pair
  integer l;

  always @(*) begin
    lane_pos[0] = pos_q;
    for (l = 1; l < P; l = l + 1) lane_pos[l] = next_pos(lane_pos[l-1], nv_i, nh_i, vv_i);
  end

  wire [PosW-1:0] pos_next = next_pos(lane_pos[P-1], nv_i, nh_i, vv_i);
  wire            pass_more = (pos_q[PosW-1 -: 2] != BlkEnd);
  // Pair = 0: each position is held for two cycles (half_q 0: the update of
  // unit i, 1: of unit j); Pair = 1 advances every cycle (half_q stays 0).
  wire            pos_adv   = (Pair != 0) || half_q;

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      run_q  <= 1'b0;
      pos_q  <= {BlkEnd, {(2*UnitW+2){1'b0}}};
      word_q <= {BankW{1'b0}};
      half_q <= 1'b0;
    end else if (field_i) begin
      run_q  <= 1'b1;
      pos_q  <= first_pos(nv_i, nh_i, vv_i);
      word_q <= {BankW{1'b0}};
      half_q <= 1'b0;
    end else if (run_q) begin
      if (pass_more) begin
        if (pos_adv) begin
          pos_q  <= pos_next;
          word_q <= word_q + W1;
        end
        half_q <= (Pair == 0) && !half_q;
      end else begin
        run_q <= 1'b0;
      end
    end
  end

  // ---- completed units: the frontier of the walker (lane 0's position) -----
  // Everything before pos_q was issued in earlier cycles.  Without the
  // visible-visible block, rows i of both blocks end units 0 .. i-1; with it
  // the read order is hidden first, so row i of the hidden-hidden block ends
  // i - Nv of them and row i of the visible-visible block Nh + i.
  wire [1:0]     fr_blk = pos_q[PosW-1 -: 2];
  wire [UnitW:0] fr_row = pos_q[2*UnitW+1 -: UnitW+1];
  reg  [UnitW:0] fr_now;
  always @(*) begin
    case (fr_blk)
      BlkVH:   fr_now = vv_i ? {(UnitW+1){1'b0}} : fr_row;
      BlkHH:   fr_now = vv_i ? fr_row - nv_i : fr_row;
      BlkVV:   fr_now = nh_i + fr_row;
      default: fr_now = n_units;
    endcase
  end

  // fr_q: K of the position issued last cycle; two more stages so that the
  // last read-modify-write of a counted unit (F3, 3 cycles after its issue)
  // is in the read copies before the core's read.  par_q: pass parity.
  reg [UnitW:0] fr_q, fr1_q, fr2_q;
  reg           par_q;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      fr_q  <= {(UnitW+1){1'b0}};
      fr1_q <= {(UnitW+1){1'b0}};
      fr2_q <= {(UnitW+1){1'b0}};
      par_q <= 1'b0;
    end else if (field_i) begin
      fr_q  <= {(UnitW+1){1'b0}};
      fr1_q <= {(UnitW+1){1'b0}};
      fr2_q <= {(UnitW+1){1'b0}};
      par_q <= ~par_q;
    end else begin
      if (run_q) fr_q <= fr_now;
      fr1_q <= fr_q;
      fr2_q <= fr1_q;
    end
  end
  assign rdy_o = (Overlap != 0 || fr2_q == n_units) ? fr2_q : {(UnitW+1){1'b0}};

  // ---- setup sweep: E over non-empty rows, accumulators zeroed -------------
  reg              set_q;          // sweeping
  reg [RowW:0]     set_row_q;      // row read this cycle
  reg              set_vld1_q;     // a row exponent arrives this cycle
  reg              set_ne1_q;      // ... and that row is non-empty
  reg signed [7:0] e_max_q;
  reg              e_any_q;
  wire signed [7:0] rexp0_rdata;

  wire [RowW:0] nv_r = {1'b0, nv_i};
  wire [RowW:0] nu_r = {1'b0, n_units};
  wire          row_nonempty =
      (set_row_q < nv_r) ? (nh_i != {(UnitW+1){1'b0}}) :
      (set_row_q < nu_r) ? (set_row_q + R1 < nu_r) :
                           (set_row_q - nu_r + R1 < nv_r);

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      set_q      <= 1'b0;
      set_row_q  <= {(RowW+1){1'b0}};
      set_vld1_q <= 1'b0;
      set_ne1_q  <= 1'b0;
      e_max_q    <= 8'sd0;
      e_any_q    <= 1'b0;
    end else if (setup_i) begin
      set_q      <= 1'b1;
      set_row_q  <= {(RowW+1){1'b0}};
      set_vld1_q <= 1'b0;
      e_max_q    <= 8'sd0;
      e_any_q    <= 1'b0;
    end else begin
      set_vld1_q <= set_q;
      set_ne1_q  <= set_q & row_nonempty;
      if (set_q) begin
        if (set_row_q + R1 >= n_rows) set_q <= 1'b0;
        set_row_q <= set_row_q + R1;
      end
      if (set_vld1_q && set_ne1_q && (!e_any_q || rexp0_rdata > e_max_q)) begin
        e_max_q <= rexp0_rdata;
        e_any_q <= 1'b1;
      end
    end
  end
  assign e_max_o    = e_max_q;
  assign er_rdata_o = rexp0_rdata;

  // ---- coupling load pointer ---------------------------------------------
  // A write with ldc_rewind_i goes to coupling 0; each write advances.
  reg  [BankW-1:0] ldc_word_q;
  reg  [7:0]       ldc_bank_q;
  wire [BankW-1:0] ldc_word = cp_sel_i ? cp_word_i : ldc_rewind_i ? {BankW{1'b0}} : ldc_word_q;
  wire [7:0]       ldc_bank = cp_sel_i ? cp_bank_i : ldc_rewind_i ? 8'd0 : ldc_bank_q;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ldc_word_q <= {BankW{1'b0}};
      ldc_bank_q <= 8'd0;
    end else if (ldc_we_i) begin
      if (ldc_bank == LastBank) begin
        ldc_bank_q <= 8'd0;
        ldc_word_q <= ldc_word + W1;
      end else begin
        ldc_bank_q <= ldc_bank + 8'd1;
        ldc_word_q <= ldc_word;
      end
    end
  end

  // ---- per-unit read of the accumulated field ------------------------------
  reg              rd1_q;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) rd1_q <= 1'b0;
    else         rd1_q <= rd_valid_i;
  end

  // ---- lanes ------------------------------------------------------------------
  localparam integer PW = CW + 32;   // exact width of a CW x 32 product
  wire signed [AccW-1:0] acc_i_word [0:P-1];
  wire signed [AccW-1:0] acc_j_word [0:P-1];
  wire               lane_busy  [0:P-1];
  wire signed [CW-1:0] lane_code [0:P-1];

  genvar g;
  generate
    for (g = 0; g < P; g = g + 1) begin : gen_lane
      // F0: position, memory reads.
      wire [1:0]     blk0 = lane_pos[g][PosW-1 -: 2];
      wire [UnitW:0] i0   = lane_pos[g][2*UnitW+1 -: UnitW+1];
      wire [UnitW:0] j0   = lane_pos[g][UnitW:0];
      wire           v0   = run_q && (blk0 != BlkEnd);
      wire [RowW-1:0] r0  = (blk0 == BlkVV) ? (n_units + i0) : i0;
      localparam [7:0] LaneId = g;
      wire           unused_top = i0[UnitW] ^ j0[UnitW];

      wire signed [CW-1:0] c1;
      wire signed [7:0]  ej1;
      wire signed [31:0] xj1;            // Pair = 0: x at j or i (half_q)
      wire               set_rd = (g == 0) && set_q;
      wire [RowW-1:0]    rexp_raddr = set_rd ? set_row_q[RowW-1:0] :
                                      (g == 0 && !run_q) ? er_row_i : r0;
      wire               unused_setrow = set_row_q[RowW];

      lv_ram #(.Width(CW), .Depth(BankD), .AddrW(BankW)) u_cbank (
        .clk_i(clk_i), .we_i(ldc_we_i && ldc_bank == LaneId), .waddr_i(ldc_word),
        .wdata_i(ldc_data_i[CW-1:0]), .raddr_i(run_q ? word_q : cp_word_i), .rdata_o(c1));
      assign lane_code[g] = c1;
      lv_ram #(.Width(8), .Depth(MaxRows), .AddrW(RowW)) u_rexp (
        .clk_i(clk_i), .we_i(lde_we_i), .waddr_i(lde_row_i), .wdata_i(lde_data_i),
        .raddr_i(rexp_raddr), .rdata_o(ej1));
      // Pair = 0: one x copy, read at j for unit i's update (half_q 0) and
      // at i for unit j's (half_q 1).
      wire [UnitW-1:0]   xa_raddr = (Pair == 0 && half_q) ? i0[UnitW-1:0] : j0[UnitW-1:0];
      lv_ram #(.Width(32), .Depth(MaxN), .AddrW(UnitW)) u_xa (
        .clk_i(clk_i), .we_i(xw_we_i), .waddr_i(xw_unit_i), .wdata_i(xw_data_i),
        .raddr_i(xa_raddr), .rdata_o(xj1));
      if (g == 0) begin : gen_rexp0
        assign rexp0_rdata = ej1;
      end

      if (Pair != 0) begin : gen_pair
        wire signed [31:0] xi1;
        lv_ram #(.Width(32), .Depth(MaxN), .AddrW(UnitW)) u_xb (
          .clk_i(clk_i), .we_i(xw_we_i), .waddr_i(xw_unit_i), .wdata_i(xw_data_i),
          .raddr_i(i0[UnitW-1:0]), .rdata_o(xi1));
        // F1: products, scaled by 2^(E - eJ[r]).
        reg              v1_q, v2_q, v3_q;
        reg [UnitW-1:0]  i1_q, j1_q, i2_q, j2_q, i3_q, j3_q;
        reg signed [AccW-1:0] ti2_q, tj2_q, ti3_q, tj3_q;
        wire signed [7:0]  sh1 = e_max_q - ej1;
        // |c x| < 2^(CW-1+31): a CW x 32 multiplier is exact; the product is
        // then taken modulo 2^AccW (sign-extended, or its top bits dropped
        // when AccW < CW + 32) and the shift works modulo 2^AccW like the C
        // model's int64_t at AccW = 64.
        wire signed [PW-1:0] pi1 = c1 * xj1;
        wire signed [PW-1:0] pj1 = c1 * xi1;
        wire signed [AccW-1:0] pi1w, pj1w;
        if (AccW > PW) begin : gen_pext
          assign pi1w = {{(AccW-PW){pi1[PW-1]}}, pi1};
          assign pj1w = {{(AccW-PW){pj1[PW-1]}}, pj1};
        end else if (AccW == PW) begin : gen_pfit
          assign pi1w = pi1;
          assign pj1w = pj1;
        end else begin : gen_ptrunc
          assign pi1w = pi1[AccW-1:0];
          assign pj1w = pj1[AccW-1:0];
          wire unused_ptop = ^{pi1[PW-1:AccW], pj1[PW-1:AccW]};
        end
        wire signed [AccW-1:0] ti1 = pi1w <<< sh1[5:0];
        wire signed [AccW-1:0] tj1 = pj1w <<< sh1[5:0];
        wire [1:0]         unused_sh = sh1[7:6];

        // F3: read-modify-write with a one-deep forward; a word of another
        // pass (parity bit AccW) is 0.
        wire [AccW:0]      acc_i_rd, acc_j_rd;
        reg               lwi_v_q, lwj_v_q;
        reg [UnitW-1:0]   lwi_a_q, lwj_a_q;
        reg signed [AccW-1:0] lwi_d_q, lwj_d_q;
        wire signed [AccW-1:0] mem_i = (acc_i_rd[AccW] == par_q) ? $signed(acc_i_rd[AccW-1:0]) : AccZ;
        wire signed [AccW-1:0] mem_j = (acc_j_rd[AccW] == par_q) ? $signed(acc_j_rd[AccW-1:0]) : AccZ;
        wire signed [AccW-1:0] old_i = (lwi_v_q && lwi_a_q == i3_q) ? lwi_d_q : mem_i;
        wire signed [AccW-1:0] old_j = (lwj_v_q && lwj_a_q == j3_q) ? lwj_d_q : mem_j;
        wire signed [AccW-1:0] new_i = old_i + ti3_q;
        wire signed [AccW-1:0] new_j = old_j + tj3_q;

        always @(posedge clk_i or negedge rst_ni) begin
          if (!rst_ni) begin
            v1_q <= 1'b0; v2_q <= 1'b0; v3_q <= 1'b0;
            i1_q <= {UnitW{1'b0}}; j1_q <= {UnitW{1'b0}};
            i2_q <= {UnitW{1'b0}}; j2_q <= {UnitW{1'b0}};
            i3_q <= {UnitW{1'b0}}; j3_q <= {UnitW{1'b0}};
            ti2_q <= AccZ; tj2_q <= AccZ; ti3_q <= AccZ; tj3_q <= AccZ;
            lwi_v_q <= 1'b0; lwj_v_q <= 1'b0;
            lwi_a_q <= {UnitW{1'b0}}; lwj_a_q <= {UnitW{1'b0}};
            lwi_d_q <= AccZ; lwj_d_q <= AccZ;
          end else begin
            v1_q <= v0;  i1_q <= i0[UnitW-1:0]; j1_q <= j0[UnitW-1:0];
            v2_q <= v1_q; i2_q <= i1_q; j2_q <= j1_q; ti2_q <= ti1; tj2_q <= tj1;
            v3_q <= v2_q; i3_q <= i2_q; j3_q <= j2_q; ti3_q <= ti2_q; tj3_q <= tj2_q;
            lwi_v_q <= v3_q; lwi_a_q <= i3_q; lwi_d_q <= new_i;
            lwj_v_q <= v3_q; lwj_a_q <= j3_q; lwj_d_q <= new_j;
          end
        end

        // Accumulator write port: setup zeroing or F3, into the accumulator
        // and its read copy alike.  Read ports: F2 (accumulator) and the
        // per-unit read (copy), so reads during the field pass never collide.
        wire              zero_we = set_q && ({1'b0, set_row_q} < {2'b00, n_units});
        wire [UnitW-1:0]  wi_a    = zero_we ? set_row_q[UnitW-1:0] : i3_q;
        wire [UnitW-1:0]  wj_a    = zero_we ? set_row_q[UnitW-1:0] : j3_q;
        wire [AccW-1:0]   wi_d    = zero_we ? AccZ : new_i;
        wire [AccW-1:0]   wj_d    = zero_we ? AccZ : new_j;
        wire              acc_we  = zero_we | v3_q;
        // Without read copies the per-unit read takes the accumulators' read
        // port; the core reads only after the field pass (rdy_o).
        wire              rd_own  = (Overlap == 0) && rd_valid_i;

        lv_ram #(.Width(AccW+1), .Depth(MaxN), .AddrW(UnitW)) u_acc_i (
          .clk_i(clk_i), .we_i(acc_we), .waddr_i(wi_a), .wdata_i({par_q, wi_d}),
          .raddr_i(rd_own ? rd_unit_i : i2_q), .rdata_o(acc_i_rd));
        lv_ram #(.Width(AccW+1), .Depth(MaxN), .AddrW(UnitW)) u_acc_j (
          .clk_i(clk_i), .we_i(acc_we), .waddr_i(wj_a), .wdata_i({par_q, wj_d}),
          .raddr_i(rd_own ? rd_unit_i : j2_q), .rdata_o(acc_j_rd));

        if (Overlap != 0) begin : gen_copy
          wire [AccW-1:0] cpy_i_rd, cpy_j_rd;
          lv_ram #(.Width(AccW), .Depth(MaxN), .AddrW(UnitW)) u_cpy_i (
            .clk_i(clk_i), .we_i(acc_we), .waddr_i(wi_a), .wdata_i(wi_d),
            .raddr_i(rd_unit_i), .rdata_o(cpy_i_rd));
          lv_ram #(.Width(AccW), .Depth(MaxN), .AddrW(UnitW)) u_cpy_j (
            .clk_i(clk_i), .we_i(acc_we), .waddr_i(wj_a), .wdata_i(wj_d),
            .raddr_i(rd_unit_i), .rdata_o(cpy_j_rd));
          assign acc_i_word[g] = cpy_i_rd;
          assign acc_j_word[g] = cpy_j_rd;
        end else begin : gen_shared
          assign acc_i_word[g] = mem_i;
          assign acc_j_word[g] = mem_j;
        end
        assign lane_busy[g]  = v1_q | v2_q | v3_q;
      end else begin : gen_half
        // F0 (continued): the unit this cycle's update goes to.
        wire [UnitW-1:0] u0 = half_q ? j0[UnitW-1:0] : i0[UnitW-1:0];

        // F1: the product, scaled by 2^(E - eJ[r]) (as in gen_pair).
        reg              v1_q, v2_q, v3_q;
        reg [UnitW-1:0]  u1_q, u2_q, u3_q;
        reg signed [AccW-1:0] t3_q;
        wire signed [7:0]  sh1 = e_max_q - ej1;
        wire signed [PW-1:0] p1 = c1 * xj1;
        wire signed [AccW-1:0] p1w;
        if (AccW > PW) begin : gen_pext
          assign p1w = {{(AccW-PW){p1[PW-1]}}, p1};
        end else if (AccW == PW) begin : gen_pfit
          assign p1w = p1;
        end else begin : gen_ptrunc
          assign p1w = p1[AccW-1:0];
          wire unused_ptop = ^p1[PW-1:AccW];
        end
        wire [1:0]         unused_sh = sh1[7:6];
        // The product and its shift are registered at F1 and shifted at F2,
        // so the F2 -> F3 register is the shifter's output (a cell with its
        // LUT on an iCE40) rather than a second copy of the shifted term.
        reg signed [AccW-1:0] p2_q;
        reg        [5:0]      sh2_q;
        wire signed [AccW-1:0] t2 = p2_q <<< sh2_q;

        // F3: read-modify-write.  The read (F2) of an update and the write
        // (F3) of the one before it fall in the same cycle, so the only
        // read-after-write distance is 1 (that read may return the RAM's
        // undefined collision word): the one-deep forward covers it; an
        // update two or more cycles later reads the RAM after the write.
        // (A row's i recurs at distance 2.  At distance 1 the units are j of
        // one pair and i of the lane's next pair: never equal at P = 1 in the
        // §3 order, but at P > 1, e.g. (a, b) then (b, c) P couplings later;
        // rtl/cosim_p3_seq_half fails without the forward.)  So at P = 1
        // the forward is left out (Fwd = 0): the Verilated lv_ram poisons a
        // collision read, so the co-simulations would show a forward missed.
        localparam integer Fwd = (P > 1) ? 1 : 0;
        wire [AccW:0]      acc_rd;
        reg               lw_v_q;
        reg [UnitW-1:0]   lw_a_q;
        reg signed [AccW-1:0] lw_d_q;
        wire signed [AccW-1:0] mem_u = (acc_rd[AccW] == par_q) ? $signed(acc_rd[AccW-1:0]) : AccZ;
        wire signed [AccW-1:0] old_u = (Fwd != 0 && lw_v_q && lw_a_q == u3_q) ? lw_d_q : mem_u;
        wire signed [AccW-1:0] new_u = old_u + t3_q;

        always @(posedge clk_i or negedge rst_ni) begin
          if (!rst_ni) begin
            v1_q <= 1'b0; v2_q <= 1'b0; v3_q <= 1'b0;
            u1_q <= {UnitW{1'b0}}; u2_q <= {UnitW{1'b0}}; u3_q <= {UnitW{1'b0}};
            p2_q <= AccZ; sh2_q <= 6'd0; t3_q <= AccZ;
            lw_v_q <= 1'b0; lw_a_q <= {UnitW{1'b0}}; lw_d_q <= AccZ;
          end else begin
            v1_q <= v0;   u1_q <= u0;
            v2_q <= v1_q; u2_q <= u1_q; p2_q <= p1w; sh2_q <= sh1[5:0];
            v3_q <= v2_q; u3_q <= u2_q; t3_q <= t2;
            lw_v_q <= v3_q; lw_a_q <= u3_q; lw_d_q <= new_u;
          end
        end

        // One accumulator per lane: setup zeroing or F3; read at F2, or by
        // the per-unit read after the pass (Overlap = 0 only).
        wire              zero_we = set_q && ({1'b0, set_row_q} < {2'b00, n_units});
        wire [UnitW-1:0]  w_a     = zero_we ? set_row_q[UnitW-1:0] : u3_q;
        wire [AccW-1:0]   w_d     = zero_we ? AccZ : new_u;
        wire              acc_we  = zero_we | v3_q;
        wire              rd_own  = rd_valid_i;

        lv_ram #(.Width(AccW+1), .Depth(MaxN), .AddrW(UnitW)) u_acc (
          .clk_i(clk_i), .we_i(acc_we), .waddr_i(w_a), .wdata_i({par_q, w_d}),
          .raddr_i(rd_own ? rd_unit_i : u2_q), .rdata_o(acc_rd));
        assign acc_i_word[g] = mem_u;
        assign acc_j_word[g] = AccZ;
        assign lane_busy[g]  = v1_q | v2_q | v3_q;
      end
    end
  endgenerate

  // ---- random-access read: the bank addressed in the previous cycle ----------
  reg [7:0] cp_bank1_q;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) cp_bank1_q <= 8'd0;
    else         cp_bank1_q <= cp_bank_i;
  end
  always @(*) begin
    cp_rdata_o = 16'sd0;
    for (l = 0; l < P; l = l + 1)
      if (cp_bank1_q == l[7:0]) cp_rdata_o = {{(16-CW){lane_code[l][CW-1]}}, lane_code[l]};
  end

  // ---- field of one unit: sum of the 2P private words, rounded ----------------
  // The sum modulo 2^AccW, registered, then sign-extended to 64 bits: the
  // exact acc_u for every image within the AccW bound (Widths above).
  reg signed [AccW-1:0] acc_sum, acc_sum_q;
  reg               rd2_q;
  always @(*) begin
    acc_sum = AccZ;
    for (l = 0; l < P; l = l + 1)
      acc_sum = (Pair != 0) ? acc_sum + acc_i_word[l] + acc_j_word[l] : acc_sum + acc_i_word[l];
  end
  wire signed [63:0] acc_x;
  if (AccW < 64) begin : gen_sext
    assign acc_x = {{(64-AccW){acc_sum_q[AccW-1]}}, acc_sum_q};
  end else begin : gen_full
    assign acc_x = acc_sum_q;
  end
  // The rounding shift is static during a pass (formats, E): registered, so
  // the read path is only the 2P-word sum and the rounding.
  // So are the rounding constants: rnd(v, s) = (v + 2^(s-1) - [v < 0]) >>> s
  // for s > 0 (§1) becomes one adder whose second operand is a mux.
  reg signed [7:0]  s_round;
  reg signed [63:0] rc_q, rcm_q;     // 2^(s-1), 2^(s-1) - 1 (0 unless s > 0)
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s_round <= 8'sd0;
      rc_q    <= 64'sd0;
      rcm_q   <= 64'sd0;
    end else begin
      s_round <= $signed({2'b00, fx_i}) + e_max_q - $signed({2'b00, ff_i});
      rc_q    <= (s_round > 8'sd0) ? (64'sd1 <<< (s_round[5:0] - 6'd1)) : 64'sd0;
      rcm_q   <= (s_round > 8'sd0) ? (64'sd1 <<< (s_round[5:0] - 6'd1)) - 64'sd1 : 64'sd0;
    end
  end
  wire signed [63:0] rnd_sum = acc_x + (acc_x[63] ? rcm_q : rc_q);
  wire signed [63:0] f_next  = (s_round > 8'sd0) ? (rnd_sum >>> s_round[5:0]) :
                               (s_round < 8'sd0) ? (acc_x <<< (6'd0 - s_round[5:0])) : acc_x;

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      f_valid_o <= 1'b0;
      f_o       <= 64'sd0;
      acc_sum_q <= AccZ;
      rd2_q     <= 1'b0;
    end else begin
      acc_sum_q <= acc_sum;
      rd2_q     <= rd1_q;
      f_valid_o <= rd2_q;
      f_o       <= (FieldRound != 0) ? f_next : acc_x;   // lv_rnd(acc, s_round) or acc
    end
  end

  assign busy_o = run_q | set_q | set_vld1_q | lane_busy[0];

  initial begin
    if (P < 1 || P > 255) $error("coupling_mac: P = %0d lanes must be 1..255", P);
    if (CW < 2 || CW > 16) $error("coupling_mac: CW = %0d must be 2..16", CW);
    if (Overlap != 0 && Overlap != 1) $error("coupling_mac: Overlap = %0d must be 0 or 1", Overlap);
    if (FieldRound != 0 && FieldRound != 1) $error("coupling_mac: FieldRound = %0d must be 0 or 1", FieldRound);
    if (AccW < 33 || AccW > 64) $error("coupling_mac: AccW = %0d must be 33..64", AccW);
    if (Pair != 0 && Pair != 1) $error("coupling_mac: Pair = %0d must be 0 or 1", Pair);
    if (Pair == 0 && Overlap != 0) $error("coupling_mac: Pair = 0 needs Overlap = 0");
    if (MaxN < 2 || (1 << UnitW) < MaxN || (1 << (UnitW - 1)) >= MaxN)
      $error("coupling_mac: UnitW = %0d must be clog2(MaxN = %0d)", UnitW, MaxN);
    if ((1 << BankW) < BankD || (1 << (BankW - 1)) >= BankD)
      $error("coupling_mac: BankW = %0d must be clog2(%0d)", BankW, BankD);
  end

endmodule

`default_nettype wire
