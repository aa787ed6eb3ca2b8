// ice40_mac_top - a pin-limited timing harness around coupling_mac for
// place-and-route on a small FPGA (iCE40 UP5K, scripts/fpga_estimates.sh).
// Every input of coupling_mac comes from a register of one long serial-in
// shift register and every output is captured into a serial-out shift
// register, so all of the MAC's logic is kept, every timing path starts and
// ends at a flip-flop, and the design needs 5 pins instead of ~250.  It is a
// harness for resource and Fmax figures, not a usable device interface.
//
// Parameters: those of coupling_mac (P, MaxN, MaxM, CW).
`default_nettype none

module ice40_mac_top #(
  parameter integer P    = 1,
  parameter integer MaxN = 64,
  parameter integer MaxM = 2016,
  parameter integer CW   = 4
) (
  input  wire clk_i,
  input  wire rst_ni,
  input  wire sin_i,     // serial input (one bit per cycle into the input register)
  input  wire cap_i,     // 1: capture the outputs; 0: shift them out
  output wire sout_o
);

  localparam integer UnitW = $clog2(MaxN);
  localparam integer BankD = ((MaxM + P - 1) / P) < 2 ? 2 : (MaxM + P - 1) / P;
  localparam integer BankW = $clog2(BankD);
  localparam integer InW   = 2 * (UnitW + 1) + 1 + 6 + 6 + 2 + 16 + 1 + 8 + BankW + 1 + (UnitW + 1) + 8 +
                             1 + UnitW + 32 + 2 + 1 + UnitW + UnitW + 1;
  localparam integer OutW  = 1 + 1 + 64 + 8 + 16 + 8 + UnitW + 1;

  reg [InW-1:0]  in_q;
  reg [OutW-1:0] out_q;
  always @(posedge clk_i) in_q <= {in_q[InW-2:0], sin_i};

  // Input fields, in order from bit 0.
  localparam integer ONv = 0, ONh = ONv + UnitW + 1, OVv = ONh + UnitW + 1, OFx = OVv + 1, OFf = OFx + 6,
                     ORw = OFf + 6, OWe = ORw + 1, OLd = OWe + 1, OCs = OLd + 16, OCb = OCs + 1,
                     OCw = OCb + 8, OEw = OCw + BankW, OEr = OEw + 1, OEd = OEr + UnitW + 1,
                     OXw = OEd + 8, OXu = OXw + 1, OXd = OXu + UnitW, OSu = OXd + 32, OFi = OSu + 1,
                     ORv = OFi + 1, ORu = ORv + 1, OEa = ORu + UnitW;

  wire               busy, f_valid;
  wire signed [63:0] f;
  wire signed [7:0]  e_max;
  wire signed [15:0] cp_rdata;
  wire signed [7:0]  er_rdata;
  wire [UnitW:0]     rdy;

  coupling_mac #(.P(P), .MaxN(MaxN), .MaxM(MaxM), .UnitW(UnitW), .BankW(BankW), .CW(CW)) u_mac (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .nv_i         (in_q[ONv +: UnitW + 1]),
    .nh_i         (in_q[ONh +: UnitW + 1]),
    .vv_i         (in_q[OVv]),
    .fx_i         (in_q[OFx +: 6]),
    .ff_i         (in_q[OFf +: 6]),
    .ldc_rewind_i (in_q[ORw]),
    .ldc_we_i     (in_q[OWe]),
    .ldc_data_i   (in_q[OLd +: 16]),
    .cp_sel_i     (in_q[OCs]),
    .cp_bank_i    (in_q[OCb +: 8]),
    .cp_word_i    (in_q[OCw +: BankW]),
    .lde_we_i     (in_q[OEw]),
    .lde_row_i    (in_q[OEr +: UnitW + 1]),
    .lde_data_i   (in_q[OEd +: 8]),
    .xw_we_i      (in_q[OXw]),
    .xw_unit_i    (in_q[OXu +: UnitW]),
    .xw_data_i    (in_q[OXd +: 32]),
    .setup_i      (in_q[OSu]),
    .field_i      (in_q[OFi]),
    .busy_o       (busy),
    .rdy_o        (rdy),
    .rd_valid_i   (in_q[ORv]),
    .rd_unit_i    (in_q[ORu +: UnitW]),
    .f_valid_o    (f_valid),
    .f_o          (f),
    .e_max_o      (e_max),
    .cp_rdata_o   (cp_rdata),
    .er_row_i     (in_q[OEa +: UnitW + 1]),
    .er_rdata_o   (er_rdata)
  );

  always @(posedge clk_i) begin
    if (cap_i) out_q <= {busy, f_valid, f, e_max, cp_rdata, er_rdata, rdy};
    else       out_q <= {out_q[OutW-2:0], 1'b0};
  end
  assign sout_o = out_q[OutW-1];

endmodule

`default_nettype wire
