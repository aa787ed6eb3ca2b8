// unit_serial - the per-unit datapath of langevin_core (nonlinearity.v,
// energy_meter.v's per-unit terms, noise_dac.v, integrator.v's update) for one
// unit at a time on ONE shared 16x16 multiplier, one 64-bit accumulator adder,
// one sum adder and one saturation test; for small FPGAs (iCE40 UP5K).  Not used
// by langevin_core.  Bit-exact with the C references of emu/src/
// (docs/fixed-point.md §4-§8):
//
//   f   = rnd(acc, Fx+E-Ff)                     (couple_i)  coupling_network.c
//   x2  = rnd(x x, Fx)                                      lv_nl_x2
//   g   = sat(rnd(2j2 x, 16+Fx-Ff) + rnd(4j4 x3, 16+Fx-Ff) [+ f + bf], Wf)
//         x3 = rnd(x2 x, Fx), bf = rnd(cb, eb-Ff)           lv_nl_force, lv_nl_bias
//   v   = rnd(j2 x2, Fx-16) + rnd(j4 x4, Fx-16) [+ rnd(bf x, Ff+Fx-32)
//         + rnd(f x, Ff+Fx-31)],  x4 = rnd(x2 x2, Fx)       lv_meter_local, _coupled
//   q   = rnd((gp + g)(x - xp), Ff+Fx-31)         (heat_i)  lv_meter_heat_unit
//   d   = rnd(z, 14-Bn);  n = d 2^8 (a = 0) or rnd(a nprev + ca d 2^8, 15)
//   eta = rnd(G n + O 2^8, 24)                  (update_i)  lv_dac_code, lv_dac_eta
//   x'  = sat(x + rnd(-K g, Ff+32-Fx) + eta, Wx) (update_i)  lv_integ_update
// [..] only with couple_i (otherwise bf = f = 0, as in the core).  acc is the
// coupling MAC's raw sum (coupling_mac.v with FieldRound = 0, scale
// 2^-(Fx+E)) and E its e_max_o (the largest row exponent); f is rounded here as
// emu/src/coupling_network.c does, lv_fx_rnd(acc, s_round), s = Fx+E-Ff > 0,
// = 0 or < 0.  sat_force_o / sat_state_o are the SAT_FORCE / SAT_STATE events
// of this unit (the caller counts them, and masks SAT_FORCE in the measure pass
// as the core does).
//
// Contract.  Every value is the C model's int64_t, modulo 2^64: exact for every
// image the loader accepts (§10: every product, term and rounding intermediate
// below 2^63; for the field: |acc| + 2^(s-1) < 2^63 when s > 0, |acc| 2^-s <
// 2^63 when s < 0, and -63 <= s <= 63).  Inputs outside §10 give some value,
// not necessarily C's.  A product is a raw two's-complement A (taken modulo
// 2^64) times a 32-bit magnitude |B| with a sign, as 16x16 digit products
// A_i B_j at position i + j (i + j <= 3), skipping the digits that are zero for
// the widths §2 allows
// (x: 32 bits; j2, j4, K, G < 2^32; a, ca <= 2^15; |x - xp| < 2^32; |n| < 2^29).
// Facts used, all exact:
//   - rnd(2 j2 x, s) = rnd(j2 x, s-1), rnd(4 j4 x3, s) = rnd(j4 x3, s-2);
//   - x4 = rnd(x2 x2, Fx) multiplies the low 32 bits of x2 (x2 x2 < 2^63
//     implies x2 < 2^32);
//   - rnd(v, s), s > 0: u = v - [v < 0] (one cycle: the accumulator's sign),
//     then rnd = (u >>> s) + bit s-1 of u.  u >>> s is a second pass on the
//     multiplier: with s = 16c - r (c = ceil(s/16), 0 <= r < 16) it is
//     u 2^r / 2^(16c), and the digit products u_i 2^r do not overlap, so digit
//     i lands at position i - c exactly (i = c - 1: its upper half; its bit 15
//     is bit s-1 of u, the carry-in), plus -2^r at position 4 - c when u < 0
//     (the sign extension).  No barrel shifter;
//   - rnd(v, s), s < 0: v 2^-s, the same pass with u_i 2^(-s mod 16) at
//     position i + (-s)/16;
//   - the field f = rnd(acc, s) is the product acc x 1 (4x1 digits) followed by
//     that rounding; it ends in the accumulator like every result, adds to the
//     force sum at its write-back and is captured there into the register that
//     held acc (f_q), which the meter's f x reads.
// j2, j4 >= 0 (§2).  Results are defined for the enabled parts only: q_o with
// heat_i; eta_o, n_o, x_o and sat_state_o with update_i (n_we_o = update_i and
// a != 0).  x2_o and g_o are always defined.
//
// Handshake.  ready_o is high when idle.  start_i && ready_o samples the unit's
// inputs (x, xp, gp, cb, eb, acc, z, nprev and the three flags; they need not be
// held); the configuration inputs (fx_i .. colour_c_i and e_i) must stay stable
// until done_o.  done_o is a one-cycle pulse, ready_o is high again in that
// cycle (a new start may be taken in it), and the results hold until they are
// rewritten by the next request.  start_i while busy is ignored.
// Hold = 1 (parameter): the caller holds x, xp, gp, cb, eb and nprev stable from
// the start until done_o (core_units_serial.v keeps its RAMs' read address),
// and unit_serial keeps no copy of them: 160 flip-flops less.
// Meter terms.  Whatever Terms, each rounded part of v (bf x, f x, j4 x4,
// j2 x2: 4 with couple_i, 2 without) is shown on term_o (the accumulator) in
// the cycle of its write-back with v_valid_o high, and q (heat_i) with
// q_valid_o high; their sum modulo 2^64 is v_o (and q_o), all before done_o.
// Terms = 1 (parameter): v_o and q_o read 0 and their two 64-bit registers
// are gone (128 flip-flops); the caller sums the strobes (core_units_serial.v
// into meter_sums.v, V += part, Q -= q).
//
// Cycles.  A unit takes N cycles from its start edge to the edge that raises
// done_o, and back-to-back units take N cycles each:
//   N = 3 + sum over the instructions run of (1 + digit products + rounding)
//   rounding: s > 0: 8 - ceil(s/16);  s < 0: 5 - floor(-s/16);  s = 0: 0
// The program (A digits x B digits, the products with i + j <= 3; the rounding
// shift s in parentheses):
//   always   x2 2x2 (Fx), x3 4x2 (Fx), cub 4x2 (14+Fx-Ff), lin 2x2 (15+Fx-Ff),
//            x4 2x2 (Fx), j4 x4 4x2 (Fx-16), j2 x2 4x2 (Fx-16)
//   couple   f 4x1 (Fx+E-Ff), bf 1x2 (eb-Ff), bf x 4x2 (Ff+Fx-32), f x 4x2 (Ff+Fx-31)
//   heat     q 4x2 (Ff+Fx-31)
//   update   d 1x1 (14-Bn), a nprev 1x2 + ca d 2^8 1x2 (15) or d 2^8 1x1 (0),
//            G n 2x2 + O 2^8 1x2 (24), drift 4x2 (Ff+32-Fx), + x 1x2 (0)
// N depends on the formats (Fx, Ff, Bn, E) and on the unit's eb and flags,
// never on the data: lv_unit_serial_cycles (rtl/sim/unit_serial_timing.h)
// computes it, and tests/rtl/test_unit_serial.c checks it for every case.
// Default formats (Fx 20, Ff 16, Bn 14) with eb - Ff and Fx + E - Ff in 1..16:
// 94 cycles with no part on, 146 with couple, 161 with couple and heat, 196
// with everything (white), 207 (coloured).  The field's rounding costs a
// coupled unit 7 cycles for 1 <= s <= 16 down to 4 for s > 48, 5 down to 2 for
// s < 0, none for s = 0 (the 4x1 product was there before, as + f).  The
// test's random formats give 76..216, mean 142.  Throughput: one unit per N
// cycles.
//
// Size, yosys 0.23 `read_verilog -defer; chparam -set Hold H -set Terms T;
// synth_ice40 -dsp -top unit_serial` (the four pipelined per-unit modules:
// 16,149 SB_LUT4 + 87 SB_MAC16):
//
//                          SB_LUT4  SB_CARRY  SB_DFF*  SB_MAC16
//   Hold 0, Terms 0          1,626      262      967        1
//   Hold 1, Terms 1          1,621      262      671        1   (the small core's)
//
// (1,547 / 966 when the field rounding moved here, 1,484 / 965 before it; the
// coupling MAC saves 1,232 with FieldRound = 0.)  Place and route
// (nextpnr-ice40 0.4 --up5k, seed 1) inside the serial harness
// rtl/fpga/ice40_unit_top.v (480-bit input and 389-bit output shift registers,
// 3,188 of 5,280 ICESTORM_LC with the harness): Fmax 20.1 MHz (20.6 MHz,
// 3,169 cells before; seeds 2 and 3 give 20.4 and 21.3 MHz, before 20.7 and
// 20.9: within the placer's spread).  The critical path is the digit-product position logic
// into the 64-bit accumulator carry chain; the coupling MAC (P = 1,
// docs/fpga.md §2) closes at 19.4 MHz on the same part.
//
// Trade-offs measured on the way (git history of this file): a 64-bit barrel
// shifter for the right shifts (a rounding then took 1 cycle, here 8 - ceil(s/16))
// cost 335 SB_LUT4 more and saved 30 % of the cycles (test cases: mean 97
// instead of 138); preloading -[v < 0] from the operand signs (instead of the
// accumulator's sign, one cycle per rounding) cost 59 SB_LUT4 more; testing
// saturation in the cycle of the sum (one cycle less per unit) gave 16.1 MHz
// instead of 19.7 MHz (both with an earlier, chained saturation mask).  The
// field's rounding cost 63 SB_LUT4, mostly the 2:1 mux in front of f_q (acc or
// f; with f_q written inside the request-sampling block instead of with its own
// enable, yosys built 1,635); not storing f (f x right after the rounding,
// reading the accumulator, and bf computed a second time for bf x) gave 1,523
// SB_LUT4 but 3 + rnd(eb-Ff) more cycles per coupled unit (10 at the defaults).
//
// Storage is outside: the caller owns X, XP, GP and the colour-filter state
// (nprev_i in, n_o / n_we_o out), like the RAMs of integrator.v / noise_dac.v.
`default_nettype none

module unit_serial #(
  parameter integer Hold  = 0,
  parameter integer Terms = 0
) (
  input  wire               clk_i,
  input  wire               rst_ni,
  // configuration (static while busy)
  input  wire [5:0]         fx_i,
  input  wire [5:0]         ff_i,
  input  wire [6:0]         wf_i,
  input  wire [6:0]         wx_i,
  input  wire [31:0]        j2_i,       // Q16.16, >= 0
  input  wire [31:0]        j4_i,       // Q16.16, >= 0
  input  wire [31:0]        k_i,        // Q0.32, < 2^31
  input  wire [3:0]         bn_i,       // 2..14
  input  wire [31:0]        gain_i,     // G, unsigned Q16.16
  input  wire signed [31:0] offset_i,   // O, Q16.16
  input  wire [15:0]        colour_a_i, // a, < 2^15
  input  wire [15:0]        colour_c_i, // ca, <= 2^15
  input  wire signed [7:0]  e_i,        // E, the coupling rows' largest exponent
  // request
  input  wire               start_i,
  output wire               ready_o,
  input  wire               couple_i,
  input  wire               heat_i,
  input  wire               update_i,
  input  wire signed [31:0] x_i,
  input  wire signed [31:0] xp_i,       // x of the previous tick (heat)
  input  wire signed [39:0] gp_i,       // g of the previous pass (heat)
  input  wire signed [23:0] cb_i,       // bias code
  input  wire signed [7:0]  eb_i,       // bias exponent of the unit's block
  input  wire signed [63:0] acc_i,      // coupling sum, scale 2^-(Fx+E) (couple_i)
  input  wire signed [13:0] z_i,        // raw noise sample
  input  wire signed [31:0] nprev_i,    // colour-filter state n(t-1)
  // results
  output reg                done_o,
  output wire signed [63:0] g_o,
  output reg                sat_force_o,
  output wire signed [63:0] x2_o,
  output wire signed [63:0] v_o,        // energy term of the unit (0 with Terms = 1)
  output wire signed [63:0] q_o,        // heat term (heat_i only; 0 with Terms = 1)
  output wire               v_valid_o,  // term_o is a part of v (summed, they give v_o)
  output wire               q_valid_o,  // term_o is q (heat_i only)
  output wire signed [63:0] term_o,
  output reg  signed [63:0] eta_o,
  output reg  signed [31:0] n_o,        // colour-filter state n(t)
  output reg                n_we_o,     // write n_o back (update_i and a != 0)
  output reg  signed [31:0] x_o,        // x'
  output reg                sat_state_o
);

  `include "fx_prims.vh"

  // ---------------------------------------------------------------- micro-code
  // Sources of the multiplier's A operand (raw, two's complement) ...
  localparam [2:0] A_R = 3'd0, A_X2 = 3'd1, A_F = 3'd3, A_GPG = 3'd4, A_SM = 3'd6;
  // ... of its small positive A values (A_SM) ...
  localparam [2:0] M_B = 3'd0, M_J2 = 3'd1, M_ONE = 3'd2, M_256 = 3'd3, M_A = 3'd4,
                   M_CA = 3'd5, M_GN = 3'd6;
  // ... and of B (magnitude and sign).
  localparam [3:0] B_X = 4'd0, B_DX = 4'd1, B_Z = 4'd2, B_D8 = 4'd4,
                   B_NP = 4'd5, B_R = 4'd6, B_O = 4'd7, B_CB = 4'd8, B_X2 = 4'd9,
                   B_J2 = 4'd10, B_J4 = 4'd11, B_K = 4'd12,
                   B_ONE = 4'd13;
  // Rounding shifts.
  localparam [3:0] S_FX = 4'd0, S_NL1 = 4'd1, S_NL2 = 4'd2, S_BIAS = 4'd3, S_LOC = 4'd4,
                   S_MB = 4'd5, S_MH = 4'd6, S_DAC = 4'd7, S_15 = 4'd8, S_24 = 4'd9,
                   S_DR = 4'd10, S_0 = 4'd11, S_FLD = 4'd12;
  // Write-back: S (the running sum) and destinations.
  localparam [1:0] W_NONE = 2'd0, W_SR = 2'd1, W_SADD = 2'd2;
  localparam integer NIns = 20;

  // Instruction fields (decoded from pc).
  reg [2:0] i_asel, i_msel;
  reg [1:0] i_wb;
  reg [3:0] i_bsel, i_ssel;
  reg [1:0] i_na;          // A digits - 1
  reg       i_nb;          // B digits - 1
  reg       i_neg;         // negate the product (drift)
  reg       i_sq;          // |x| |x|: B's sign not applied
  reg       i_chain;       // product summed with the next one (no rounding)
  reg       i_keep;        // continue the previous product's sum
  reg       i_gsat, i_vout, i_xsat;
  reg [3:0] i_dst;         // 0 none, 1 X2, 2 F, 3 Q, 4 D, 5 N, 6 ETA
  reg [4:0] pc_q;

  always @(*) begin
    i_asel = A_R; i_msel = M_B; i_bsel = B_X; i_ssel = S_FX; i_na = 2'd3; i_nb = 1'b1;
    i_neg = 1'b0; i_sq = 1'b0; i_chain = 1'b0; i_keep = 1'b0; i_wb = W_NONE;
    i_gsat = 1'b0; i_vout = 1'b0; i_xsat = 1'b0; i_dst = 4'd0;
    case (pc_q)
      // force (§5); its last term's write-back also loads the meter's first
      5'd0:  begin i_asel = A_SM; i_msel = M_B; i_na = 2'd1; i_bsel = B_X; i_dst = 4'd1;
                   i_sq = 1'b1; end                                                          // x2
      5'd1:  begin i_asel = A_R;  i_bsel = B_X; end                                            // x3
      5'd2:  begin i_asel = A_R;  i_bsel = B_J4; i_ssel = S_NL2; i_wb = W_SR; i_gsat = 1'b1; end // cub
      5'd3:  begin i_asel = A_SM; i_msel = M_J2; i_na = 2'd1; i_bsel = B_X; i_ssel = S_NL1;
                   i_wb = W_SADD; i_gsat = 1'b1; end                                           // lin
      5'd4:  begin i_asel = A_F; i_bsel = B_ONE; i_nb = 1'b0; i_ssel = S_FLD; i_wb = W_SADD;
                   i_gsat = 1'b1; i_dst = 4'd2; end                                          // f
      5'd5:  begin i_asel = A_SM; i_msel = M_ONE; i_na = 2'd0; i_bsel = B_CB; i_ssel = S_BIAS;
                   i_wb = W_SADD; i_gsat = 1'b1; end                                           // bf
      // meter (§8)
      5'd6:  begin i_asel = A_R;  i_bsel = B_X; i_ssel = S_MB; i_wb = W_SR; i_vout = 1'b1; end   // bf x
      5'd7:  begin i_asel = A_F;  i_bsel = B_X; i_ssel = S_MH; i_wb = W_SADD; i_vout = 1'b1; end // f x
      5'd8:  begin i_asel = A_X2; i_na = 2'd1; i_bsel = B_X2; end                              // x4
      5'd9:  begin i_asel = A_R;  i_bsel = B_J4; i_ssel = S_LOC; i_wb = cpl_q ? W_SADD : W_SR;
                   i_vout = 1'b1; end
      5'd10: begin i_asel = A_X2; i_bsel = B_J2; i_ssel = S_LOC; i_wb = W_SADD; i_vout = 1'b1; end
      5'd11: begin i_asel = A_GPG; i_bsel = B_DX; i_ssel = S_MH; i_dst = 4'd3; end // heat
      // noise DAC (§6)
      5'd12: begin i_asel = A_SM; i_msel = M_ONE; i_na = 2'd0; i_bsel = B_Z; i_nb = 1'b0;
                   i_ssel = S_DAC; i_dst = 4'd4; end                                           // d
      5'd13: begin i_asel = A_SM; i_msel = M_A; i_na = 2'd0; i_bsel = B_NP; i_chain = 1'b1;
                   i_ssel = S_0; end
      5'd14: begin i_asel = A_SM; i_msel = M_CA; i_na = 2'd0; i_bsel = B_D8; i_keep = 1'b1;
                   i_ssel = S_15; i_dst = 4'd5; end                                            // n
      5'd15: begin i_asel = A_SM; i_msel = M_256; i_na = 2'd0; i_bsel = B_R; i_nb = 1'b0;
                   i_ssel = S_0; i_dst = 4'd5; end                                             // n white
      5'd16: begin i_asel = A_SM; i_msel = M_GN; i_na = 2'd1; i_bsel = B_R; i_chain = 1'b1;
                   i_ssel = S_0; end
      5'd17: begin i_asel = A_SM; i_msel = M_256; i_na = 2'd0; i_bsel = B_O; i_keep = 1'b1;
                   i_ssel = S_24; i_dst = 4'd6; i_wb = W_SR; end                               // eta
      // integrator (§7)
      5'd18: begin i_asel = A_GPG; i_bsel = B_K; i_neg = 1'b1; i_ssel = S_DR; i_wb = W_SADD; end // drift
      5'd19: begin i_asel = A_SM; i_msel = M_ONE; i_na = 2'd0; i_bsel = B_X; i_ssel = S_0;
                   i_wb = W_SADD; i_xsat = 1'b1; end                                         // + x
      default: ;
    endcase
  end

  // ---------------------------------------------------------------- state
  localparam [2:0] P_IDLE = 3'd0, P_LOAD = 3'd1, P_MUL = 3'd2, P_DEC = 3'd3,
                   P_SHL = 3'd4, P_SH = 3'd5, P_COR = 3'd6, P_WB = 3'd7;
  reg [2:0] ph_q;

  // Sampled request.
  reg               cpl_q, heat_q, upd_q;
  reg signed [31:0] x_q, xp_q, np_q;
  reg signed [39:0] gp_q;
  reg signed [23:0] cb_q;
  reg signed [7:0]  eb_q;
  reg               gp0_q;      // the heat term is done: gp reads as 0
  // The unit's inputs as used: the sampled copies, or the held inputs (Hold).
  wire signed [31:0] x_u  = (Hold != 0) ? x_i : x_q;
  wire signed [31:0] xp_u = (Hold != 0) ? xp_i : xp_q;
  wire signed [31:0] np_u = (Hold != 0) ? nprev_i : np_q;
  wire signed [39:0] gp_u = gp0_q ? 40'sd0 : (Hold != 0) ? gp_i : gp_q;
  wire signed [23:0] cb_u = (Hold != 0) ? cb_i : cb_q;
  wire signed [7:0]  eb_u = (Hold != 0) ? eb_i : eb_q;
  reg signed [63:0] f_q;                     // acc, then f once it is rounded
  reg signed [13:0] z_q;

  // Intermediates.
  reg signed [63:0] acc_q, ma_q, s_q, x2_q;
  reg signed [39:0] g_q;
  reg signed [15:0] d_q;
  reg        [31:0] mb_q;
  reg               sg_q;
  reg        [1:0]  di_q, na_q;
  reg               un_q;                    // the value being shifted is negative
  reg               dj_q, nb_q;

  reg    fin_q;                               // the last saturation test
  assign ready_o = (ph_q == P_IDLE) && !fin_q;
  assign g_o     = {{24{g_q[39]}}, g_q};
  assign x2_o    = x2_q;

  // The next instruction after pc_q for this unit's flags (NIns: none).
  wire white = (colour_a_i == 16'd0);
  wire [4:0] pc_end = NIns[4:0];
  reg  [4:0] pc_nxt;
  always @(*) begin
    case (pc_q)
      5'd3:  pc_nxt = cpl_q ? 5'd4 : 5'd8;
      5'd10: pc_nxt = heat_q ? 5'd11 : upd_q ? 5'd12 : pc_end;
      5'd11: pc_nxt = upd_q ? 5'd12 : pc_end;
      5'd12: pc_nxt = white ? 5'd15 : 5'd13;
      5'd14: pc_nxt = 5'd16;
      5'd19: pc_nxt = pc_end;
      default: pc_nxt = pc_q + 5'd1;
    endcase
  end

  // ---------------------------------------------------------------- shifts
  // The rounding shift of instruction pc_q, s = t1 + t2 + c, registered at its
  // load as s - 1 (s > 0) and -s (s < 0).
  reg  [7:0] t1, t2, tc;
  always @(*) begin
    t1 = 8'd0; t2 = 8'd0; tc = 8'd0;
    case (i_ssel)
      S_FX:   t1 = {2'b00, fx_i};
      S_NL1:  begin t1 = {2'b00, fx_i}; t2 = 8'd0 - {2'b00, ff_i}; tc = 8'd15; end
      S_NL2:  begin t1 = {2'b00, fx_i}; t2 = 8'd0 - {2'b00, ff_i}; tc = 8'd14; end
      S_BIAS: begin t1 = eb_u; t2 = 8'd0 - {2'b00, ff_i}; end
      S_FLD:  begin t1 = {2'b00, fx_i}; t2 = 8'd0 - {2'b00, ff_i}; tc = e_i; end
      S_LOC:  begin t1 = {2'b00, fx_i}; tc = 8'd0 - 8'd16; end
      S_MB:   begin t1 = {2'b00, fx_i}; t2 = {2'b00, ff_i}; tc = 8'd0 - 8'd32; end
      S_MH:   begin t1 = {2'b00, fx_i}; t2 = {2'b00, ff_i}; tc = 8'd0 - 8'd31; end
      S_DAC:  begin t1 = 8'd0 - {4'd0, bn_i}; tc = 8'd14; end
      S_15:   tc = 8'd15;
      S_24:   tc = 8'd24;
      S_DR:   begin t1 = 8'd0 - {2'b00, fx_i}; t2 = {2'b00, ff_i}; tc = 8'd32; end
      default: ;
    endcase
  end
  wire [7:0] s_new = t1 + t2 + tc;
  reg  [5:0] hm1_q, sl_q;         // s - 1 (s > 0), -s (s < 0)
  reg        spos_q, sneg_q;
  wire [7:0] s_m1n = s_new - 8'd1;
  wire [7:0] s_ln  = 8'd0 - s_new;
  wire [3:0] unused_s = {s_m1n[7:6], s_ln[7:6]};

  // The result of the last instruction: the accumulator after its shift pass.
  wire signed [63:0] r_bus = acc_q;
  reg  signed [63:0] v_q, q_q;    // v_o, q_o (Terms = 0 only; removed otherwise)

  // ---------------------------------------------------------------- operands
  wire signed [32:0] x33  = {x_u[31], x_u};
  wire signed [32:0] dx33 = x33 - {xp_u[31], xp_u};
  reg  signed [32:0] bs;        // B source (33-bit signed)
  always @(*) begin
    case (i_bsel)
      B_X:  bs = x33;
      B_DX: bs = dx33;
      B_Z:  bs = {{19{z_q[13]}}, z_q};
      B_D8: bs = {{9{d_q[15]}}, d_q, 8'd0};
      B_NP: bs = {np_u[31], np_u};
      B_R:  bs = r_bus[32:0];
      B_O:  bs = {offset_i[31], offset_i};
      B_CB: bs = {{9{cb_u[23]}}, cb_u};
      B_X2: bs = {1'b0, x2_q[31:0]};
      B_J2: bs = {1'b0, j2_i};
      B_J4: bs = {1'b0, j4_i};
      B_K:  bs = {1'b0, k_i};
      default: bs = 33'sd1;     // B_ONE
    endcase
  end
  wire        [32:0] bs_abs = bs[32] ? 33'd0 - bs : bs;
  wire               b_neg  = bs[32];
  wire        [31:0] b_mag  = bs_abs[31:0];
  wire               unused_babs = bs_abs[32];

  reg [31:0] a_small;
  always @(*) begin
    case (i_msel)
      M_B:    a_small = b_mag;
      M_J2:   a_small = j2_i;
      M_ONE:  a_small = 32'd1;
      M_256:  a_small = 32'd256;
      M_A:    a_small = {16'd0, colour_a_i};
      M_CA:   a_small = {16'd0, colour_c_i};
      M_GN:   a_small = gain_i;
      default: a_small = 32'd0;
    endcase
  end
  // gp + g; gp is taken as 0 once the heat term is done, so the drift reads g.
  wire signed [40:0] gpg = {gp_u[39], gp_u} + {g_q[39], g_q};
  reg  signed [63:0] a_src;
  always @(*) begin
    case (ph_q == P_SHL ? A_R : i_asel)
      A_R:   a_src = r_bus;
      A_X2:  a_src = x2_q;
      A_F:   a_src = f_q;
      A_GPG: a_src = {{23{gpg[40]}}, gpg};
      default: a_src = {32'd0, a_small};
    endcase
  end
  wire p_sign = (b_neg & ~i_sq) ^ i_neg;       // sign applied to A |B|

  // ---------------------------------------------------------------- multiplier
  // Partial (di, dj): A digit di times B digit dj at position di + dj.  The
  // shift passes of the roundings (P_SH, P_COR) reuse it with a forced B digit
  // 2^r (and A digit 1 in P_COR).
  wire [1:0]  lim = (dj_q ? 2'd2 : 2'd3) < na_q ? (dj_q ? 2'd2 : 2'd3) : na_q;
  wire [1:0]  llim = 2'd3 - sl_q[5:4];
  wire [1:0]  rc   = hm1_q[5:4];             // c - 1
  wire [3:0]  rr   = ~hm1_q[3:0];            // r
  reg  [15:0] adig, bdig;
  reg  [1:0]  pos;
  always @(*) begin
    case (di_q)
      2'd0: adig = ma_q[15:0];
      2'd1: adig = ma_q[31:16];
      2'd2: adig = ma_q[47:32];
      default: adig = ma_q[63:48];
    endcase
    bdig = dj_q ? mb_q[31:16] : mb_q[15:0];
    pos  = di_q + {1'b0, dj_q};
    if (ph_q == P_SH && sneg_q) begin
      bdig = 16'd1 << sl_q[3:0];
      pos  = di_q + sl_q[5:4];
    end else if (ph_q == P_SH || ph_q == P_COR) begin
      if (ph_q == P_COR) adig = 16'd1;
      bdig = 16'd1 << rr;
      pos  = (ph_q == P_COR) ? 2'd3 - rc : di_q - rc - 2'd1;
    end
  end
  wire        y_on;
  wire [15:0] adig_g = adig & {16{y_on}};        // 0 outside the product steps
  wire [31:0] prod = adig_g * bdig;              // the one multiplier (SB_MAC16)
  // Right shift by s = 16 c - r (c = ceil(s/16), 0 <= r < 16) as the product
  // u 2^r / 2^(16 c): the digit products A_i 2^r do not overlap, so digit i
  // lands at position i - c exactly (i = c - 1: its upper half at 0, lower
  // ones vanish); for u < 0 the sign extension is -2^r at position 4 - c
  // (P_COR).  Left shift by L = -s: A_i 2^(L mod 16) at i + L/16.
  // The rounding: rnd(v, s) = ((v - [v < 0]) >>> s) + bit s-1 of (v - [v < 0]),
  // and that bit is bit 15 of the digit product dropped at i = c - 1.
  assign      y_on = (ph_q == P_MUL) || (ph_q == P_SH) || (ph_q == P_COR && un_q);
  wire        y_hi = (ph_q == P_SH) && !sneg_q && (di_q == rc);

  // Accumulator adder: acc + (y ^ m) + c.
  wire [63:0] y    = y_hi ? {48'd0, prod[31:16]} : ({32'd0, prod} << {pos, 4'd0});
  reg        add_m, add_c;
  always @(*) begin
    add_m = 1'b0; add_c = 1'b0;
    if (ph_q == P_MUL) begin add_m = sg_q; add_c = sg_q; end
    else if (ph_q == P_DEC) add_m = acc_q[63];
    else if (ph_q == P_COR) begin add_m = un_q; add_c = un_q; end
    else if (y_hi) add_c = prod[15];
  end
  wire [63:0] acc_sum;

  // ---------------------------------------------------------------- write-back
  // S = R: S is cleared when the instruction is loaded (S is free then).
  wire signed [63:0] s_next = s_q + r_bus;
  // sat(v, W) for W = Wf (g) or Wx (x'), 8 <= W <= 40: with the mask M of
  // the bits >= W-1, v is clamped when |v| >= 2^(W-1); m = ~M, -m = M | 1.
  // The test runs in the cycle after the write-back, on the registered sum
  // sat_q (this keeps the S adder and the test in separate cycles).
  reg  signed [63:0] sat_q;
  reg                gsat_d, xsat_d;
  wire [6:0]  w_sat = xsat_d ? wx_i : wf_i;
  wire [6:0]  wm1   = w_sat - 7'd1;
  // M as a table of W (two LUT levels per bit, no chain); bits 0..6 are 0 and
  // 39..63 are 1 for every 8 <= W <= 40.
  reg  [63:0] smask;
  integer b;
  always @(*) begin
    smask = {64{1'b1}} << 39;
    for (b = 7; b < 39; b = b + 1)
      if (wm1[5:0] == b[5:0]) smask = {64{1'b1}} << b;
  end
  wire        unused_wm1 = wm1[6];
  wire        sv_neg = sat_q[63];
  wire [63:0] su     = sat_q ^ {64{sv_neg}};
  wire        s_hit  = |(su & smask) | (sv_neg & ~|(sat_q & ~smask));
  wire [39:0] s_satv = !s_hit ? sat_q[39:0] : sv_neg ? (smask[39:0] | 40'd1) : ~smask[39:0];

  // Control.  P_LOAD loads the operands of instruction pc_q and, in the same
  // cycle, writes back the previous instruction (its fields were registered
  // when it was loaded; r_bus still shows its result): one cycle per
  // instruction besides its partials and rounding.  P_WB writes back the last.
  wire last_part = (di_q == lim) && (dj_q == nb_q);
  wire last_sh   = sneg_q ? (di_q == llim) : (di_q == 2'd3);
  wire end_ins   = (ph_q == P_MUL && last_part && (i_chain || !(spos_q || sneg_q))) ||
                   (ph_q == P_COR) || (ph_q == P_SH && last_sh && sneg_q);
  wire wb_now    = (ph_q == P_LOAD) || (ph_q == P_WB);

  // The meter's terms as they are written back (r_bus): each rounded part of
  // v (bf x, f x, j4 x4, j2 x2; their sum is v_o) and q.  With Terms = 1 the
  // caller sums these strobes and v_o / q_o (128 flip-flops) are not kept.
  assign v_valid_o = wb_now & wvout_q;
  assign q_valid_o = wb_now & (wdst_q == 4'd3);
  assign term_o    = r_bus;
  assign v_o       = (Terms != 0) ? 64'sd0 : v_q;
  assign q_o       = (Terms != 0) ? 64'sd0 : q_q;

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ph_q   <= P_IDLE;
      pc_q   <= 5'd0;
      done_o <= 1'b0;
      fin_q  <= 1'b0;
    end else begin
      done_o <= fin_q;
      fin_q  <= (ph_q == P_WB);
      if (end_ins) begin
        if (pc_nxt == NIns[4:0]) ph_q <= P_WB;
        else begin
          ph_q <= P_LOAD;
          pc_q <= pc_nxt;
        end
      end else begin
        case (ph_q)
          P_IDLE: if (start_i && !fin_q) begin ph_q <= P_LOAD; pc_q <= 5'd0; end
          P_LOAD: ph_q <= P_MUL;
          P_MUL:  if (last_part) begin
                    if (sneg_q) ph_q <= P_SHL;
                    else ph_q <= P_DEC;
                  end
          P_DEC:  ph_q <= P_SHL;
          P_SHL:  ph_q <= P_SH;
          P_SH:   if (last_sh) ph_q <= P_COR;
          P_WB:   ph_q <= P_IDLE;
          default: ;
        endcase
      end
    end
  end

  // Request sampling, operand loads, multiplier steps and write-backs.  No
  // reset: every register is written before it is read in a request.
  reg [3:0] wdst_q;
  reg [1:0] wwb_q;
  reg       wgsat_q, wvout_q, wxsat_q;
  assign acc_sum = acc_q + (y ^ {64{add_m}}) + {63'd0, add_c};

  // f_q: acc at the start, f at the field rounding's write-back.
  wire take = start_i && ready_o;
  wire f_ld = take || (wb_now && wdst_q == 4'd2);
  wire [63:0] f_d = take ? acc_i : r_bus;
  always @(posedge clk_i) if (f_ld) f_q <= f_d;

  always @(posedge clk_i) begin
    if (start_i && ready_o) begin
      cpl_q <= couple_i; heat_q <= heat_i; upd_q <= update_i;
      if (Hold == 0) begin
        x_q <= x_i; xp_q <= xp_i; gp_q <= gp_i; cb_q <= cb_i; eb_q <= eb_i; np_q <= nprev_i;
      end
      z_q <= z_i; gp0_q <= 1'b0;
      sat_state_o <= 1'b0;
      n_we_o <= update_i & (colour_a_i != 16'd0);
      wdst_q <= 4'd0; wwb_q <= W_NONE; wgsat_q <= 1'b0; wvout_q <= 1'b0; wxsat_q <= 1'b0;
    end
    if (ph_q == P_LOAD && pc_q == 5'd12) gp0_q <= 1'b1;  // after the heat term
    if (ph_q == P_LOAD || ph_q == P_SHL) ma_q <= a_src;   // P_SHL: the accumulator
    if (ph_q == P_LOAD) begin
      mb_q <= b_mag;
      sg_q <= p_sign;
      na_q <= i_na;
      nb_q <= i_nb;
      di_q <= 2'd0;
      dj_q <= 1'b0;
      spos_q <= ~s_new[7] && s_new != 8'd0;
      sneg_q <= s_new[7];
      hm1_q  <= s_m1n[5:0];
      sl_q   <= s_ln[5:0];
      wdst_q <= i_dst; wwb_q <= i_wb; wgsat_q <= i_gsat; wvout_q <= i_vout; wxsat_q <= i_xsat;
    end
    if (ph_q == P_SHL || (ph_q == P_LOAD && !i_keep)) acc_q <= 64'sd0;
    else if (ph_q == P_MUL || ph_q == P_DEC || ph_q == P_SH || ph_q == P_COR) acc_q <= acc_sum;
    if (ph_q == P_MUL) begin
      if (di_q == lim) begin di_q <= 2'd0; dj_q <= 1'b1; end
      else di_q <= di_q + 2'd1;
    end
    if (ph_q == P_SH) di_q <= di_q + 2'd1;
    if (ph_q == P_SHL) begin
      di_q  <= sneg_q ? 2'd0 : rc;
      un_q  <= acc_q[63];
    end
    gsat_d <= wb_now & wgsat_q;
    xsat_d <= wb_now & wxsat_q;
    if (gsat_d) begin g_q <= s_satv[39:0]; sat_force_o <= s_hit; end
    if (xsat_d) begin x_o <= s_satv[31:0]; sat_state_o <= s_hit; end
    if (wb_now) begin
      if (wwb_q != W_NONE) s_q <= s_next;
      if (ph_q == P_LOAD && i_wb == W_SR) s_q <= 64'sd0;
      if (wgsat_q || wxsat_q) sat_q <= s_next;
      if (wvout_q) v_q <= s_next;
      case (wdst_q)
        4'd1: x2_q <= r_bus;
        4'd3: q_q <= r_bus;
        4'd4: d_q <= r_bus[15:0];
        4'd5: n_o <= r_bus[31:0];
        4'd6: eta_o <= r_bus;
        default: ;
      endcase
    end
  end

  initial begin
    if (Terms != 0 && Terms != 1) $error("unit_serial: Terms = %0d must be 0 or 1", Terms);
  end

endmodule

`default_nettype wire
