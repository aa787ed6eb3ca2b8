/* fx_prims.h - the fixed-point primitives of the device (docs/fixed-point.md §1).
 *
 * Contract: every rounding in the device is lv_fx_rnd (round half away from
 * zero, the rounding of libfixmath's fix16_mul), every clamp is lv_fx_sat
 * (symmetric: the most negative code is never produced).  Callers guarantee
 * the bounds of docs/fixed-point.md §10, so no intermediate here overflows
 * int64_t.  These are inline because they sit in the innermost loops; the
 * RTL mirrors them in rtl/fx_prims.vh.
 */
#ifndef LV_FX_PRIMS_H
#define LV_FX_PRIMS_H

#include <stdint.h>

/* rnd(v, s): v / 2^s rounded half away from zero (s > 0); v (s == 0);
 * v * 2^-s exactly (s < 0). */
static inline int64_t lv_fx_rnd(int64_t v, int s)
{
    if (s > 0)
        return (v + ((int64_t)1 << (s - 1)) - (v < 0)) >> s;
    if (s < 0)
        return (int64_t)((uint64_t)v << -s);
    return v;
}

/* Largest code of a W-bit symmetric saturating format: 2^(W-1) - 1. */
static inline int64_t lv_fx_max(int w) { return ((int64_t)1 << (w - 1)) - 1; }

/* sat(v, W): clamp to [-(2^(W-1)-1), 2^(W-1)-1]; *events += 1 if clamped
 * (events may be NULL). */
static inline int64_t lv_fx_sat(int64_t v, int w, uint64_t *events)
{
    int64_t m = lv_fx_max(w);
    if (v > m) { if (events) ++*events; return m; }
    if (v < -m) { if (events) ++*events; return -m; }
    return v;
}

#endif
