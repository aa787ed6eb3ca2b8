/* unit_serial_timing.h - the cycle count of rtl/unit_serial.v (the per-unit
 * datapath on one shared 16x16 multiplier) as plain C: how many clock cycles
 * one unit takes from the edge that samples start_i to the edge that raises
 * done_o (back-to-back units take that many cycles each).  A serial core's
 * per-unit phase issues its units one after the other, so its pass costs the
 * sum of this over its units (per unit: the flags and the bias exponent eb of
 * the unit's block may differ).  tests/rtl/test_unit_serial.c checks it
 * against the Verilated module on every case.
 *
 * The count is a function of the formats and the unit's flags only, never of
 * the data (x, the field, the noise ...):
 *
 *   N = 3 + sum over the instructions run of (1 + digit products + rounding)
 *   rounding(s): s > 0: 8 - ceil(s/16);  s < 0: 5 - floor(-s/16);  s = 0: 0
 *
 * with the micro-program listed in the header of rtl/unit_serial.v.  The
 * rounding shifts that depend on the image: Fx, Ff (every part), Fx + E - Ff
 * (the field, with couple), eb - Ff (the bias, with couple), 14 - Bn (update).
 *
 * Default formats (Fx 20, Ff 16, Bn 14) with eb - Ff and Fx + E - Ff in
 * 1..16: 94 cycles with no part on, 146 with couple, 161 with couple and heat,
 * 196 with everything (white noise), 207 (coloured). */
#ifndef LV_UNIT_SERIAL_TIMING_H
#define LV_UNIT_SERIAL_TIMING_H

#ifdef __cplusplus
extern "C" {
#endif

/* Cycles of one rounding pass rnd(v, s) on the shared multiplier (the
 * rounding column of the formula); -1 for an s the RTL does not support
 * (s > 64 or s < -63; docs/fixed-point.md §10 keeps every accepted image's
 * shifts within 63). */
int lv_unit_serial_round_cycles(int s);

/* Cycles of one unit: formats fx = Fx, ff = Ff, bn = Bn; eb = the bias
 * exponent of the unit's block and e = E (the coupling rows' largest
 * exponent), both used only when couple != 0; the unit's flags couple, heat,
 * update; colour != 0 when the noise colour a != 0 (used only with update).
 * 0 when an enabled instruction's rounding shift is outside what the RTL
 * supports (see lv_unit_serial_round_cycles). */
int lv_unit_serial_cycles(int fx, int ff, int bn, int eb, int e, int couple, int heat, int update, int colour);

#ifdef __cplusplus
}
#endif

#endif
