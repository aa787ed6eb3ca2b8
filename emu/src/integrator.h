/* integrator.h - one Euler tick of the device, docs/fixed-point.md §7.
 *
 * Contract, per unit, from the old state x, the force g = g(x) (§5, Ff
 * fraction bits) and the unit's raw noise sample z (§6):
 *     drift = rnd(-K g, Ff + 32 - Fx)                 (state LSBs)
 *     eta   = lv_dac_eta(dac, lv_dac_code(z, Bn), &n) (state LSBs, §6)
 *     x'    = sat(x + drift + eta, Wx)                (SAT_STATE when it clamps)
 * All units read the old state (the caller passes g computed from it), so
 * x' may overwrite x in place.  Bounds: lv_dev_create's §10 check
 * guarantees K |g| and x + drift + eta fit int64; nothing is checked here.
 */
#ifndef LV_INTEGRATOR_H
#define LV_INTEGRATOR_H

#include <stddef.h>
#include <stdint.h>

#include "fx_prims.h"
#include "noise_dac.h"
#include "nonlinearity.h"

typedef struct {
    int64_t k;    /* mu*dt in Q0.32, 1 <= K < 2^31 */
    int s_drift;  /* Ff + 32 - Fx (> 0 for every valid format) */
    int wx;
    int64_t xmax; /* 2^(Wx-1) - 1 */
    lv_rs r_drift;
} lv_integ;

void lv_integ_init(lv_integ *in, uint32_t k, int fx, int ff, int wx);

static inline int64_t lv_integ_drift(const lv_integ *in, int64_t g) { return lv_rs_apply(in->r_drift, -in->k * g); }

/* x' = sat(x + drift(g) + eta, Wx); *events += 1 if it clamps. */
static inline int32_t lv_integ_update(const lv_integ *in, int32_t x, int64_t g, int64_t eta,
                                      uint64_t *events)
{
    return (int32_t)lv_sat_m((int64_t)x + lv_integ_drift(in, g) + eta, in->xmax, events);
}

/* One tick of n units: x_out[i] from x[i], g[i] and z[i] (x_out may equal
 * x).  colour: the n per-unit filter states (NULL allowed when the DAC is
 * white).  eta_out (may be NULL) receives eta[i].  Adds the number of
 * clamped units to *sat_state (may be NULL). */
void lv_integ_row(const lv_integ *in, const lv_noise_dac *dac, size_t n, const int32_t *x,
                  const int64_t *g, const int32_t *z, int64_t *colour, int64_t *eta_out,
                  int32_t *x_out, uint64_t *sat_state);

/* lv_integ_row with a per-unit noise gain and offset (a chip instance's
 * analog errors, lv_dac_eta_block_units); gain / offset index the row's
 * units 0..n-1. */
void lv_integ_row_units(const lv_integ *in, const lv_noise_dac *dac, const int64_t *gain, const int64_t *offset,
                        size_t n, const int32_t *x, const int64_t *g, const int32_t *z, int64_t *colour,
                        int64_t *eta_out, int32_t *x_out, uint64_t *sat_state);

#endif
