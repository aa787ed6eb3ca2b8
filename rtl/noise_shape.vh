// noise_shape.vh - the Irwin-Hall shaping of docs/fixed-point.md §6, shared by
// noise_source.v and noise_source_iter.v (mirror of emu/src/noise_source.c):
//
//   z = u_0 + ... + u_11 - 6138,  u_k = bits [10k+9 : 10k] of w3:w2:w1:w0
//
// 14-bit signed, |z| <= 6138.  Bits 127:120 of the Philox block are unused,
// so the function takes bits 119:0.  `include inside a module.
function automatic signed [13:0] lv_irwin_hall_z(input [119:0] w);
  reg [13:0] usum;
  integer k;
  begin
    usum = 14'd0;
    for (k = 0; k < 12; k = k + 1) usum = usum + {4'd0, w[10*k +: 10]};
    lv_irwin_hall_z = $signed(usum - 14'd6138);
  end
endfunction
