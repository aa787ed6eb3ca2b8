// ice40_noise_top - a pin-limited timing harness around noise_source_iter for
// place-and-route on an iCE40 UP5K (like ice40_mac_top.v): every input of the
// noise source comes from one long serial-in shift register and every output is
// captured into a serial-out shift register, so all of its logic is kept, every
// timing path starts and ends at a flip-flop, and the design needs 5 pins.  A
// harness for resource and Fmax figures, not a usable device interface.
//
// Parameters: DigitW and SideW of noise_source_iter.
`default_nettype none

module ice40_noise_top #(
  parameter integer DigitW = 4,
  parameter integer SideW  = 8
) (
  input  wire clk_i,
  input  wire rst_ni,
  input  wire sin_i,     // serial input (one bit per cycle into the input register)
  input  wire cap_i,     // 1: capture the outputs; 0: shift them out
  output wire sout_o
);

  localparam integer InW  = 64 + 1 + 32 + 32 + SideW;
  localparam integer OutW = 1 + 1 + SideW + 14;

  reg [InW-1:0]  in_q;
  reg [OutW-1:0] out_q;
  always @(posedge clk_i) in_q <= {in_q[InW-2:0], sin_i};

  wire               ready, valid;
  wire [SideW-1:0]   side;
  wire signed [13:0] z;

  noise_source_iter #(.Tag(32'h4E4F4953), .SideW(SideW), .DigitW(DigitW)) u_noise (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .seed_i  (in_q[63:0]),
    .valid_i (in_q[64]),
    .unit_i  (in_q[96:65]),
    .tick_i  (in_q[128:97]),
    .side_i  (in_q[129 +: SideW]),
    .ready_o (ready),
    .valid_o (valid),
    .side_o  (side),
    .z_o     (z)
  );

  always @(posedge clk_i) begin
    if (cap_i) out_q <= {ready, valid, side, z};
    else       out_q <= {out_q[OutW-2:0], 1'b0};
  end
  assign sout_o = out_q[OutW-1];

endmodule

`default_nettype wire
