/* nonlinearity.h - the quartic nonlinearity and the force of
 * docs/fixed-point.md §5.
 *
 * Contract, for a state code x (Fx fraction bits), bias code cb of exponent
 * eb and coupling field f (Ff fraction bits, §4):
 *     x2  = rnd(x * x, Fx)            x3  = rnd(x2 * x, Fx)
 *     lin = rnd((2 j2) x, 16+Fx-Ff)   cub = rnd((4 j4) x3, 16+Fx-Ff)
 *     bf  = rnd(cb, eb - Ff)
 *     g   = sat(lin + cub + bf + f, Wf)      (SAT_FORCE when it clamps)
 * With COUPLE clear the caller passes bf = f = 0.  Every intermediate fits
 * int64 under the §10 check that lv_dev_create performs; nothing here
 * checks again (these run per unit-tick).
 */
#ifndef LV_NONLINEARITY_H
#define LV_NONLINEARITY_H

#include <stddef.h>
#include <stdint.h>

#include "fx_prims.h"

/* rnd(v, s) for a shift s fixed per image, in the branch-free form
 *     ((v << l) + half - [v < 0] * neg) >> r
 * (s > 0: l = 0, r = s, half = 2^(s-1), neg = 1; s <= 0: l = -s, the rest 0),
 * which equals lv_fx_rnd(v, s) bit for bit (tests/emu/test_nonlinearity.c)
 * and lets the per-unit loops vectorise: lv_fx_rnd's branch on s is
 * loop-invariant but GCC does not unswitch loops holding several of them. */
typedef struct {
    int l, r;
    int64_t half, neg;
} lv_rs;

static inline lv_rs lv_rs_make(int s)
{
    lv_rs p = {0, 0, 0, 0};
    if (s > 0) {
        p.r = s;
        p.half = (int64_t)1 << (s - 1);
        p.neg = 1;
    } else {
        p.l = -s;
    }
    return p;
}

static inline int64_t lv_rs_apply(lv_rs p, int64_t v)
{
    return ((int64_t)((uint64_t)v << p.l) + p.half - ((int64_t)(v < 0) & p.neg)) >> p.r;
}

/* sat(v, W) with max code m = 2^(W-1) - 1, branch-free; *events += 1 if it clamps. */
static inline int64_t lv_sat_m(int64_t v, int64_t m, uint64_t *events)
{
    int64_t c = v > m ? m : v;
    c = c < -m ? -m : c;
    *events += (uint64_t)(c != v);
    return c;
}

typedef struct {
    int fx, ff, wf;
    int s_nl;          /* 16 + Fx - Ff: shift of lin and cub */
    int64_t two_j2;    /* 2 * j2 (Q16.16) */
    int64_t four_j4;   /* 4 * j4 (Q16.16) */
    int64_t gmax;      /* 2^(Wf-1) - 1 */
    lv_rs r_fx, r_nl;  /* prepared rnd(., Fx) and rnd(., s_nl) */
} lv_nl;

void lv_nl_init(lv_nl *nl, int fx, int ff, int wf, int32_t j2, int32_t j4);

/* bf = rnd(cb, eb - Ff): the bias in force units. */
static inline int64_t lv_nl_bias(int32_t cb, int eb, int ff) { return lv_fx_rnd(cb, eb - ff); }

/* x2 = rnd(x * x, Fx) (shared with the meter). */
static inline int64_t lv_nl_x2(const lv_nl *nl, int64_t x) { return lv_rs_apply(nl->r_fx, x * x); }

/* Local force lin + cub for x with x2 = lv_nl_x2(x). */
static inline int64_t lv_nl_local(const lv_nl *nl, int64_t x, int64_t x2)
{
    int64_t x3 = lv_rs_apply(nl->r_fx, x2 * x);
    return lv_rs_apply(nl->r_nl, nl->two_j2 * x) + lv_rs_apply(nl->r_nl, nl->four_j4 * x3);
}

/* g = sat(lin + cub + bf + f, Wf); *events += 1 if it clamps. */
static inline int64_t lv_nl_force(const lv_nl *nl, int64_t x, int64_t x2, int64_t bf, int64_t f,
                                  uint64_t *events)
{
    return lv_sat_m(lv_nl_local(nl, x, x2) + bf + f, nl->gmax, events);
}

/* g[i] for n units.  bf, f: NULL means 0 (COUPLE clear).  Adds the number
 * of clamped units to *sat_force (may be NULL). */
void lv_nl_row(const lv_nl *nl, size_t n, const int32_t *x, const int64_t *bf, const int64_t *f,
               int64_t *g, uint64_t *sat_force);

#endif
