/* energy_meter.h - the energy / heat meter and the saturation counters of
 * docs/fixed-point.md §8.
 *
 * Contract (FE = 32 fraction bits, 64-bit registers):
 *     V(x) = sum_i [ rnd(j2 x2_i, 16+Fx-FE) + rnd(j4 x4_i, 16+Fx-FE)
 *                    + rnd(bf_i x_i, Ff+Fx-FE) + rnd(f_i x_i, Ff+Fx+1-FE) ]
 *     x4   = rnd(x2 x2, Fx)
 * (the last two terms only with COUPLE set), an exact int64 sum: lv_dev_create
 * refuses images whose worst case reaches 2^63.  Path heat, once g(x_{t+1})
 * is known:
 *     Q -= sum_i rnd((g_i(t) + g_i(t+1)) (x_i(t+1) - x_i(t)), Ff+Fx+1-FE)
 * The per-tick sum is bounded by the same check; the running Q over a run
 * is not (its worst case grows with the tick count), so Q, like a hardware
 * register, accumulates modulo 2^64 (physically |Q| stays of the order of
 * the energy differences, far from 2^63 / 2^32 = 2^31 energy units).
 *
 * Pass protocol (implemented by device.c): a run of T ticks makes T+1
 * field passes; pass k (k = 0..T) computes g(x_k) and V(x_k) and, for
 * k >= 1, the heat of tick k-1; passes 0..T-1 are followed by an update,
 * pass T is the trailing measure pass.  V(x_0) is latched (and Q cleared)
 * at pass 0 of a run started with the latch control.
 *
 * Accuracy: against the real-number energy of the decoded parameters at
 * the same state codes (x = code 2^-Fx, J2 = j2/2^16, b = cb 2^-eb, exact
 * coupling field), each unit's contribution is off by at most (L = 2^-Fx,
 * Lf = 2^-Ff, u = 2^-32)
 *     J2 L/2 + J4 (x^2 L + L^2/4 + L/2) + |x| db + |x| df / 2 + 2u
 * with db = Lf/2 if eb > Ff (bias rounded) else 0 and df = Lf/2 if
 * Fx + E - Ff > 0 (field rounded, §4) else 0 (tests/emu/test_energy_meter.c).
 *
 * Counters: 32-bit, sticky at 2^32 - 1 (lv_sat_add).
 */
#ifndef LV_ENERGY_METER_H
#define LV_ENERGY_METER_H

#include <stddef.h>
#include <stdint.h>

#include "fx_prims.h"
#include "nonlinearity.h"

#define LV_FE 32 /* meter fraction bits */

typedef struct {
    int fx, ff;
    int s_loc;   /* 16 + Fx - FE: j2 and j4 terms */
    int s_bias;  /* Ff + Fx - FE: bias term */
    int s_half;  /* Ff + Fx + 1 - FE: coupling term and heat (the 1/2) */
    int64_t j2, j4;
    lv_rs r_fx, r_loc, r_bias, r_half; /* the same shifts, prepared (nonlinearity.h) */
} lv_meter;

void lv_meter_init(lv_meter *m, int fx, int ff, int32_t j2, int32_t j4);

/* Intrinsic energy of one unit from x2 = rnd(x*x, Fx). */
static inline int64_t lv_meter_local(const lv_meter *m, int64_t x2)
{
    int64_t x4 = lv_rs_apply(m->r_fx, x2 * x2);
    return lv_rs_apply(m->r_loc, m->j2 * x2) + lv_rs_apply(m->r_loc, m->j4 * x4);
}

/* Bias and (halved) coupling energy of one unit (COUPLE set only). */
static inline int64_t lv_meter_coupled(const lv_meter *m, int64_t x, int64_t bf, int64_t f)
{
    return lv_rs_apply(m->r_bias, bf * x) + lv_rs_apply(m->r_half, f * x);
}

/* Heat term of one unit for one tick (subtract from Q). */
static inline int64_t lv_meter_heat_unit(const lv_meter *m, int64_t g0, int64_t g1, int64_t dx)
{
    return lv_rs_apply(m->r_half, (g0 + g1) * dx);
}

/* V(x) of n units; bf, f NULL for COUPLE clear. */
int64_t lv_meter_energy(const lv_meter *m, size_t n, const int32_t *x, const int64_t *bf,
                        const int64_t *f);

/* The heat sum of one tick: sum_i rnd((g0_i + g1_i)(x1_i - x0_i), Ff+Fx+1-FE);
 * the register update is q = lv_meter_q_sub(q, this). */
int64_t lv_meter_heat(const lv_meter *m, size_t n, const int64_t *g0, const int64_t *g1,
                      const int32_t *x0, const int32_t *x1);

/* Q - dq modulo 2^64 (the register wraps instead of invoking C's UB). */
static inline int64_t lv_meter_q_sub(int64_t q, int64_t dq) { return (int64_t)((uint64_t)q - (uint64_t)dq); }

/* Sticky 32-bit counter: *c += k, stopping at 2^32 - 1. */
static inline void lv_sat_add(uint32_t *c, uint64_t k)
{
    uint64_t s = (uint64_t)*c + k;
    *c = s > UINT32_MAX || s < k ? UINT32_MAX : (uint32_t)s;
}

/* Meter value (FE = 32 fraction bits) in energy units; the only place a
 * meter reading becomes a double. */
static inline double lv_meter_to_double(int64_t e) { return (double)e * 0x1p-32; }

/* The difference a - b of two meter values (e.g. Q_end = V0 - V), exact in
 * 65 bits before its one rounding to double. */
static inline double lv_meter_diff_to_double(int64_t a, int64_t b)
{
    __extension__ typedef __int128 lv_i128;
    return (double)((lv_i128)a - b) * 0x1p-32;
}

#endif
