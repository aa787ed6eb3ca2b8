/* core_timing.h - the clock-cycle schedule of rtl/langevin_core.v as a pure
 * function of the image's shape and the lane count: what one pass (one tick,
 * docs/fixed-point.md §8) costs on the RTL.  The co-simulation
 * (tests/rtl/test_cosim.c) checks every pass of the Verilated core against
 * it exactly; bench_rtl and scripts/fpga_estimates.sh use it for figures.
 *
 * The schedule (rtl/README.md, "The tick and its cycle count"): cycle 0 of a
 * pass starts the field phase; the lanes issue stored couplings aP .. aP+P-1
 * in field cycle a = 0 .. ceil(M/P) - 1 (cycle a + 1); unit k of the read
 * order can be read from cycle a_k + 4 on, where a_k is the first field
 * cycle whose walker position has passed the unit's last coupling; one unit
 * is issued per cycle, in the read order, from cycle 1; the pass ends 18
 * cycles after the last issue:
 *
 *     cycles = 18 + max(N, max_k (a_k + 4 + N - 1 - k))       (COUPLE set)
 *     cycles = N + 18                                        (COUPLE clear)
 *
 * Read order: units 0 .. N-1 without the visible-visible block; hidden
 * units first (Nv .. N-1, then 0 .. Nv-1) with it.
 *
 * A core built with Overlap = 0 (no read copies of the accumulators) reads
 * every unit after the field pass: a_k = ceil(M/P) for all k, so a coupled
 * pass takes ceil(M/P) + N + 21 cycles.
 *
 * A core built with Pair = 0 (coupling_mac: one multiplier and one
 * accumulator per lane, the two updates of a stored coupling in two
 * consecutive cycles; Overlap 0 or Serial 1 only) has a field pass of
 * F = 2 ceil(M/P) issue cycles instead of ceil(M/P): everything else is
 * the same with ceil(M/P) replaced by F (the _pair variants below). */
#ifndef LV_CORE_TIMING_H
#define LV_CORE_TIMING_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Stored couplings of the §3 order: Nv Nh + Nh (Nh-1)/2 [+ Nv (Nv-1)/2]. */
uint64_t lv_core_couplings(int64_t nv, int64_t nh, int vv);

/* Cycles of one pass (COUPLE set when couple != 0) of langevin_core with
 * `lanes` coupling lanes and its Overlap parameter (1 default, 0 without
 * read copies); 0 when an argument is out of range (nv, nh < 0,
 * nv + nh < 1, lanes < 1). */
uint64_t lv_core_pass_cycles(int64_t nv, int64_t nh, int vv, int lanes, int couple, int overlap);

/* The documented bound on a coupled pass (rtl/README.md): with Overlap,
 * max(N + 22, ceil(M/P) + P + 23) for every shape (checked by the
 * rtl/core_timing test over all shapes up to 120 + 120 units and by the
 * co-simulation); without, ceil(M/P) + N + 21 exactly.  0 for shapes
 * lv_core_pass_cycles refuses. */
uint64_t lv_core_pass_bound(int64_t nv, int64_t nh, int vv, int lanes, int overlap);

/* Cycles of one pass of a core built with Serial = 1 (core_units_serial.v):
 * the field pass as with Overlap = 0 (COUPLE set), then one unit at a time
 * through unit_serial, unit_cycles each: its N for this pass's flags and
 * the unit's bias exponent (lv_unit_serial_cycles in unit_serial_timing.h),
 * cyc_vis for visible and cyc_hid for hidden units, in the read order of
 * lv_core_pass_cycles; with the noise of the next
 * unit prefetched (81 cycles) while the previous one runs (upd != 0: the
 * pass is followed by an update; the measure pass needs no noise):
 *
 *     i_0 = max(ceil(M/P) + 4 (COUPLE set) or 1, z_0)   issue of unit 0
 *     z_0 = 84 (upd) or 0                         its noise is there
 *     t_k = i_k + 3                               unit_serial starts
 *     i_(k+1) = max(t_k + unit_cycles + 1, z_(k+1)),  z_(k+1) = t_k + 84 (upd)
 *     cycles = t_(N-1) + unit_cycles + 3
 *
 * so about N max(unit_cycles + 4, 84) plus the field pass.  0 when an
 * argument is out of range (as lv_core_pass_cycles, or a cycle count < 1). */
uint64_t lv_core_pass_cycles_serial(int64_t nv, int64_t nh, int vv, int lanes, int couple, int upd,
                                    int cyc_vis, int cyc_hid);

/* Field issue cycles of a coupled pass: ceil(M/P) with pair != 0 (the
 * default), 2 ceil(M/P) with Pair = 0; 0 for shapes lv_core_pass_cycles
 * refuses. */
uint64_t lv_core_field_cycles(int64_t nv, int64_t nh, int vv, int lanes, int pair);

/* lv_core_pass_cycles and lv_core_pass_cycles_serial of a core with its
 * Pair parameter (the plain functions are pair = 1).  Pair = 0 needs
 * Overlap = 0: lv_core_pass_cycles_pair returns 0 for pair == 0 with
 * overlap != 0 (COUPLE set; a free pass has no field phase). */
uint64_t lv_core_pass_cycles_pair(int64_t nv, int64_t nh, int vv, int lanes, int couple, int overlap,
                                  int pair);
uint64_t lv_core_pass_cycles_serial_pair(int64_t nv, int64_t nh, int vv, int lanes, int couple, int upd,
                                         int cyc_vis, int cyc_hid, int pair);

/* Setup of a run (before pass 0): n_rows + 3 cycles, n_rows = N [+ Nv]. */
uint64_t lv_core_setup_cycles(int64_t nv, int64_t nh, int vv);

#ifdef __cplusplus
}
#endif

#endif
