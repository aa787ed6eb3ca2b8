// lv_delay - a Depth-cycle shift register (pipeline alignment), reset to 0.
//
// Parameters:
//   Width  bits per stage
//   Depth  latency in cycles (>= 1)
`default_nettype none

module lv_delay #(
  parameter integer Width = 1,
  parameter integer Depth = 1
) (
  input  wire             clk_i,
  input  wire             rst_ni,
  input  wire [Width-1:0] d_i,
  output wire [Width-1:0] q_o
);

  reg [Width-1:0] pipe_q [0:Depth-1];
  integer k;

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (k = 0; k < Depth; k = k + 1) pipe_q[k] <= {Width{1'b0}};
    end else begin
      pipe_q[0] <= d_i;
      for (k = 1; k < Depth; k = k + 1) pipe_q[k] <= pipe_q[k-1];
    end
  end

  assign q_o = pipe_q[Depth-1];

  initial begin
    if (Depth < 1) $error("lv_delay: Depth must be >= 1");
  end

endmodule

`default_nettype wire
