// ice40_unit_top - a pin-limited timing harness around unit_serial for
// place-and-route on an iCE40 UP5K (like ice40_noise_top.v): every input of
// unit_serial (configuration and request) comes from one long serial-in shift
// register and every output is captured into a serial-out shift register, so all
// of its logic is kept, every timing path starts and ends at a flip-flop, and the
// design needs 5 pins.  A harness for resource and Fmax figures, not a usable
// device interface (the configuration shifts while the unit is busy).
`default_nettype none

module ice40_unit_top (
  input  wire clk_i,
  input  wire rst_ni,
  input  wire sin_i,     // serial input (one bit per cycle into the input register)
  input  wire cap_i,     // 1: capture the outputs; 0: shift them out
  output wire sout_o
);

  // cfg: 6+6+7+7+32+32+32+4+32+32+16+16+8 = 230; request: 1+3+32+32+40+24+8+64+14+32 = 250
  localparam integer InW  = 230 + 250;
  localparam integer OutW = 1 + 1 + 64 + 1 + 64 + 64 + 64 + 64 + 32 + 1 + 32 + 1 + 2;

  reg [InW-1:0]  in_q;
  reg [OutW-1:0] out_q;
  always @(posedge clk_i) in_q <= {in_q[InW-2:0], sin_i};

  wire               ready, done, sat_force, n_we, sat_state, v_valid, q_valid;
  wire signed [63:0] g, x2, v, q, eta;
  wire signed [63:0] unused_term;   // the accumulator: v and q show its terms' sums
  wire signed [31:0] n, x;

  unit_serial u_unit (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .fx_i        (in_q[5:0]),
    .ff_i        (in_q[11:6]),
    .wf_i        (in_q[18:12]),
    .wx_i        (in_q[25:19]),
    .j2_i        (in_q[57:26]),
    .j4_i        (in_q[89:58]),
    .k_i         (in_q[121:90]),
    .bn_i        (in_q[125:122]),
    .gain_i      (in_q[157:126]),
    .offset_i    (in_q[189:158]),
    .colour_a_i  (in_q[205:190]),
    .colour_c_i  (in_q[221:206]),
    .e_i         (in_q[229:222]),
    .start_i     (in_q[230]),
    .ready_o     (ready),
    .couple_i    (in_q[231]),
    .heat_i      (in_q[232]),
    .update_i    (in_q[233]),
    .x_i         (in_q[265:234]),
    .xp_i        (in_q[297:266]),
    .gp_i        (in_q[337:298]),
    .cb_i        (in_q[361:338]),
    .eb_i        (in_q[369:362]),
    .acc_i       (in_q[433:370]),
    .z_i         (in_q[447:434]),
    .nprev_i     (in_q[479:448]),
    .done_o      (done),
    .g_o         (g),
    .sat_force_o (sat_force),
    .x2_o        (x2),
    .v_o         (v),
    .q_o         (q),
    .v_valid_o   (v_valid),
    .q_valid_o   (q_valid),
    .term_o      (unused_term),
    .eta_o       (eta),
    .n_o         (n),
    .n_we_o      (n_we),
    .x_o         (x),
    .sat_state_o (sat_state)
  );

  always @(posedge clk_i) begin
    if (cap_i) out_q <= {ready, done, g, sat_force, x2, v, q, eta, n, n_we, x, sat_state, v_valid, q_valid};
    else       out_q <= {out_q[OutW-2:0], 1'b0};
  end
  assign sout_o = out_q[OutW-1];

endmodule

`default_nettype wire
