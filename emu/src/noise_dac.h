/* noise_dac.h - the device's noise DAC, colour filter, analog gain and offset
 * (docs/fixed-point.md §6), and the host-side gain calibration (§9).
 * Design notes and measured figures: docs/noise.md.
 *
 * Data path per unit and tick (all integers, bit-exact with the RTL):
 *
 *     z   = lv_noise_z(seed, t, i)                  raw Irwin-Hall sample, |z| <= 6138
 *     d   = rnd(z, 14 - Bn)                         Bn-bit DAC code, |d| <= 2^(Bn-1) - 1
 *     n   = d * 2^8                                 white (a == 0)
 *     n   = rnd(a * n(t-1) + ca * (d * 2^8), 15)    coloured (a != 0), n(-1) = 0
 *     eta = rnd(G * n + O * 2^8, 24)                state LSBs
 *
 * Every intermediate fits int64_t for every configuration lv_dac_check
 * accepts: |n| <= 402292736 < 2^29 (the colour filter's largest fixed point,
 * a = 2^15 - 1, ca = 256, d = 6138 held), so |G * n| < 2^61 and
 * |O * 2^8| < 2^39.
 *
 * Contract: lv_dac_code, lv_dac_eta and lv_dac_eta_block are the hot path
 * and do not validate (callers pass a configuration lv_dac_check accepted);
 * the host-side functions validate their arguments.  No global state: the
 * exact distribution behind lv_dac_sigma_d is recomputed on each call (about
 * 0.1 ms). */
#ifndef LV_NOISE_DAC_H
#define LV_NOISE_DAC_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "fx_prims.h"

#define LV_DAC_BN_MIN 2
#define LV_DAC_BN_MAX 14 /* = LV_NOISE_Z_BITS: Bn = 14 passes z unchanged */
#define LV_DAC_GUARD  8  /* guard bits of n (n = d * 2^8 when white) */
#define LV_DAC_FA     15 /* fraction bits of a and ca (Q1.15) */
#define LV_DAC_FG     16 /* fraction bits of G and O (Q16.16) */

typedef struct {
    int bn;          /* DAC resolution Bn, 2..14 */
    uint32_t gain;   /* G: Q16.16 state LSBs per DAC code */
    int32_t offset;  /* O: Q16.16 state LSBs, |O| < 2^31 (INT32_MIN refused) */
    uint16_t a, ca;  /* colour, Q1.15: 0 <= a < 2^15 (0 = white), ca = lv_dac_colour_c(a) */
} lv_noise_dac;

/* Fill *dac (ca derived from a) after checking the ranges of
 * docs/fixed-point.md §2.  Returns 0, or -1 with a message in err. */
int lv_dac_init(lv_noise_dac *dac, int bn, uint32_t gain, int32_t offset, uint16_t a, lv_error *err);

/* Check a configuration (e.g. read from a device image): 2 <= bn <= 14,
 * a < 2^15, offset != INT32_MIN, ca == lv_dac_colour_c(a).  0 or -1. */
int lv_dac_check(const lv_noise_dac *dac, lv_error *err);

/* The DAC: d = rnd(z, 14 - bn) for 2 <= bn <= 14; |d| <= 2^(bn-1) - 1 for
 * every |z| <= 6138 (no clipping). */
static inline int32_t lv_dac_code(int32_t z, int bn)
{
    return (int32_t)lv_fx_rnd(z, LV_DAC_BN_MAX - bn);
}

/* eta (state LSBs) for DAC code d.  colour_state is n(t-1) of this unit and
 * is replaced by n(t) when dac->a != 0; with a == 0 it is neither read nor
 * written (may be NULL) and n = d * 2^8 exactly.  Start a run with state 0. */
static inline int64_t lv_dac_eta(const lv_noise_dac *dac, int32_t d, int64_t *colour_state)
{
    int64_t n = (int64_t)d * ((int64_t)1 << LV_DAC_GUARD);
    if (dac->a != 0) {
        n = lv_fx_rnd((int64_t)dac->a * *colour_state + (int64_t)dac->ca * n, LV_DAC_FA);
        *colour_state = n;
    }
    return lv_fx_rnd((int64_t)dac->gain * n + (int64_t)dac->offset * ((int64_t)1 << LV_DAC_GUARD),
                     LV_DAC_FG + LV_DAC_GUARD);
}

/* eta[i] = lv_dac_eta(dac, lv_dac_code(z[i], dac->bn), &colour_state[i])
 * for i < n, from raw source samples z (lv_noise_z_block's output).
 * colour_state[0..n) is one filter state per unit (may be NULL when
 * dac->a == 0).  Vectorised; bit-identical to the scalar composition. */
void lv_dac_eta_block(const lv_noise_dac *dac, const int32_t *z, size_t n, int64_t *colour_state,
                      int64_t *eta);

/* ---- Per-unit analog errors of a chip instance (emulator only, §7) ------ */

/* G_i = rnd(G * (2^26 + ge * 2^10 + sg * zg), 26): the unit's effective gain
 * (Q16.16) for global gain error ge (Q0.16, signed) and spread sg (Q0.16)
 * with deviate zg (|zg| <= 6138).  Callers keep 2^26 + ge 2^10 + sg zg
 * positive (lv_dev_instance_check); the result is then < 2^33. */
static inline int64_t lv_dac_unit_gain(uint32_t gain, int32_t ge, uint32_t sg, int32_t zg)
{
    return lv_fx_rnd((int64_t)gain * (((int64_t)1 << 26) + (int64_t)ge * 1024 + (int64_t)sg * zg), 26);
}

/* O_i = O + rnd(so * zo, 10): the unit's effective offset (Q16.16 state
 * LSBs) for spread so (Q16.16 state LSBs, < 2^28) and deviate zo. */
static inline int64_t lv_dac_unit_offset(int32_t offset, uint32_t so, int32_t zo)
{
    return (int64_t)offset + lv_fx_rnd((int64_t)so * zo, 10);
}

/* lv_dac_eta_block with a gain and offset per unit: eta[i] =
 * rnd(gain[i] * n_i + offset[i] * 2^8, 24), n_i as in lv_dac_eta_block
 * (dac->gain and dac->offset are not used).  With gain[i] = G and
 * offset[i] = O for all i it gives lv_dac_eta_block's bits. */
void lv_dac_eta_block_units(const lv_noise_dac *dac, const int64_t *gain, const int64_t *offset, const int32_t *z,
                            size_t n, int64_t *colour_state, int64_t *eta);

/* ---- Host side (double precision, before a run) ------------------------ */

/* Exact standard deviation of d = rnd(z, 14 - bn) (mean 0 by symmetry), from
 * the exact distribution of z (12-fold convolution of the uniform on
 * 0..1023, integer counts up to 2^120 held exactly); the only roundings are
 * the final conversion to double and sqrt.  sigma_d(14) = sqrt(2^20 - 1).
 * NaN if bn is outside 2..14 (or on allocation failure, 200 KB). */
double lv_dac_sigma_d(int bn);

/* Stationary standard deviation of n (in n units, i.e. DAC codes * 2^8):
 * sigma_d(bn) * 2^8 * (ca / 2^15) / sqrt(1 - (a / 2^15)^2), the linear
 * AR(1) filter's value (= sigma_d * 2^8 when white).  The rounding inside the
 * colour filter is neglected: it perturbs n by at most 0.5 / (1 - a/2^15)
 * n-units (a deterministic, sign-symmetric error), i.e. a relative error in
 * sigma_n of at most 1 / (512 * sigma_d * (1 - a/2^15)) -- 2e-5 for Bn = 14,
 * a = 0.9 * 2^15; it matters only for a close to 2^15 with a coarse DAC.
 * NaN if bn is outside 2..14 or a >= 2^15. */
double lv_dac_sigma_n(int bn, uint16_t a, uint16_t ca);

/* ca = round(sqrt(1 - (a/2^15)^2) * 2^15) for a < 2^15, computed exactly in
 * integers (= (isqrt(4 * (2^30 - a^2)) + 1) >> 1); 32768 for a = 0.
 * Returns 0 for a >= 2^15 (out of range). */
uint16_t lv_dac_colour_c(uint16_t a);

/* Noise gain (§9): G = round(sigma_state_lsb / sigma_n * 2^24 * (1 + gain_trim)),
 * with sigma_n = lv_dac_sigma_n(bn, a, lv_dac_colour_c(a)), so that eta has
 * standard deviation sigma_state_lsb = sqrt(2 mu kT dt) * 2^Fx.  Returns 0 and
 * writes *gain, or -1 with a message in err when an argument is out of range
 * (bn outside 2..14, a >= 2^15, sigma_state_lsb negative or not finite,
 * 1 + gain_trim negative or not finite) or G would not fit 32 bits. */
int lv_dac_gain(double sigma_state_lsb, int bn, uint16_t a, double gain_trim, uint32_t *gain,
                lv_error *err);

#endif
