// lv_ram - simple dual-port synchronous RAM: one write port, one registered
// read port.  The shape block-RAM inference expects; no reset, contents
// undefined until written.
//
// A read of the address written in the same cycle returns an UNDEFINED word
// (no_rw_check: synthesis adds no collision logic; on an iCE40 that logic was
// a copy of the write data and address per RAM, 800 flip-flops in the small
// core).  No caller uses such a word (coupling_mac's read-modify-write
// forwards the last write instead; every other RAM is read and written at
// different units).  Verilator builds enforce this: there the word read is the
// complement of the old one, so any use shows in the co-simulation.
//
// Parameters:
//   Width  word width in bits
//   Depth  number of words (need not be a power of two)
//   AddrW  address width, >= clog2(Depth) (set by the instantiating module)
`default_nettype none

module lv_ram #(
  parameter integer Width = 32,
  parameter integer Depth = 64,
  parameter integer AddrW = 6
) (
  input  wire             clk_i,
  input  wire             we_i,
  input  wire [AddrW-1:0] waddr_i,
  input  wire [Width-1:0] wdata_i,
  input  wire [AddrW-1:0] raddr_i,
  output reg  [Width-1:0] rdata_o
);

  (* no_rw_check *) reg [Width-1:0] mem_q [0:Depth-1];

  always @(posedge clk_i) begin
    if (we_i) mem_q[waddr_i] <= wdata_i;
`ifdef VERILATOR
    rdata_o <= (we_i && waddr_i == raddr_i) ? ~mem_q[raddr_i] : mem_q[raddr_i];   // poisoned
`else
    rdata_o <= mem_q[raddr_i];
`endif
  end

  initial begin
    if (Width < 1 || Depth < 1) $error("lv_ram: Width and Depth must be >= 1");
    if ((1 << AddrW) < Depth) $error("lv_ram: AddrW = %0d cannot address Depth = %0d", AddrW, Depth);
  end

endmodule

`default_nettype wire
