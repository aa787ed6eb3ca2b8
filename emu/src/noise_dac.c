/* noise_dac.c - noise DAC, colour filter, gain and offset (docs/fixed-point.md
 * §6) and the host-side gain calibration (§9).  See noise_dac.h. */
#include "noise_dac.h"

#include <math.h>
#include <stdlib.h>

#include "noise_source.h"

int lv_dac_check(const lv_noise_dac *dac, lv_error *err)
{
    if (!dac)
        return lv_fail(err, "noise DAC: no configuration given (NULL pointer)");
    if (dac->bn < LV_DAC_BN_MIN || dac->bn > LV_DAC_BN_MAX)
        return lv_fail(err, "noise DAC: resolution Bn = %d is outside the supported range %d..%d bits",
                       dac->bn, LV_DAC_BN_MIN, LV_DAC_BN_MAX);
    if (dac->a >= (1u << LV_DAC_FA))
        return lv_fail(err,
                       "noise DAC: colour coefficient a = %u (Q1.15) must be below 32768 (a/2^15 < 1); "
                       "a >= 1 would make the colour filter unstable",
                       (unsigned)dac->a);
    if (dac->offset == INT32_MIN)
        return lv_fail(err, "noise DAC: offset O = -2^31 is outside the symmetric range |O| < 2^31");
    if (dac->ca != lv_dac_colour_c(dac->a))
        return lv_fail(err,
                       "noise DAC: colour input coefficient ca = %u does not match a = %u "
                       "(expected round(sqrt(1 - (a/2^15)^2) * 2^15) = %u)",
                       (unsigned)dac->ca, (unsigned)dac->a, (unsigned)lv_dac_colour_c(dac->a));
    return 0;
}

int lv_dac_init(lv_noise_dac *dac, int bn, uint32_t gain, int32_t offset, uint16_t a, lv_error *err)
{
    if (!dac)
        return lv_fail(err, "noise DAC: no configuration to fill (NULL pointer)");
    lv_noise_dac d = {bn, gain, offset, a, 0};
    if (a < (1u << LV_DAC_FA))
        d.ca = lv_dac_colour_c(a);
    if (lv_dac_check(&d, err) != 0)
        return -1;
    *dac = d;
    return 0;
}

void lv_dac_eta_block(const lv_noise_dac *dac, const int32_t *restrict z, size_t n,
                      int64_t *restrict colour_state, int64_t *restrict eta)
{
    const int s = LV_DAC_BN_MAX - dac->bn;
    const int64_t g = dac->gain, o = (int64_t)dac->offset * ((int64_t)1 << LV_DAC_GUARD);
    const int fs = LV_DAC_FG + LV_DAC_GUARD;
    if (dac->a == 0) {
        for (size_t i = 0; i < n; ++i) {
            int64_t nn = lv_fx_rnd(z[i], s) * ((int64_t)1 << LV_DAC_GUARD);
            eta[i] = lv_fx_rnd(g * nn + o, fs);
        }
    } else {
        const int64_t a = dac->a, ca = dac->ca;
        for (size_t i = 0; i < n; ++i) {
            int64_t nn = lv_fx_rnd(z[i], s) * ((int64_t)1 << LV_DAC_GUARD);
            nn = lv_fx_rnd(a * colour_state[i] + ca * nn, LV_DAC_FA);
            colour_state[i] = nn;
            eta[i] = lv_fx_rnd(g * nn + o, fs);
        }
    }
}

void lv_dac_eta_block_units(const lv_noise_dac *dac, const int64_t *restrict gain, const int64_t *restrict offset,
                            const int32_t *restrict z, size_t n, int64_t *restrict colour_state, int64_t *restrict eta)
{
    const int s = LV_DAC_BN_MAX - dac->bn, fs = LV_DAC_FG + LV_DAC_GUARD;
    const int64_t a = dac->a, ca = dac->ca;
    for (size_t i = 0; i < n; ++i) {
        int64_t nn = lv_fx_rnd(z[i], s) * ((int64_t)1 << LV_DAC_GUARD);
        if (a != 0) {
            nn = lv_fx_rnd(a * colour_state[i] + ca * nn, LV_DAC_FA);
            colour_state[i] = nn;
        }
        eta[i] = lv_fx_rnd(gain[i] * nn + offset[i] * ((int64_t)1 << LV_DAC_GUARD), fs);
    }
}

uint16_t lv_dac_colour_c(uint16_t a)
{
    if (a >= (1u << LV_DAC_FA))
        return 0;
    /* round(sqrt(m)) = (floor(sqrt(4m)) + 1) >> 1 with m = 2^30 - a^2: exact. */
    uint64_t m4 = 4 * ((UINT64_C(1) << 30) - (uint64_t)a * a);
    uint64_t r = (uint64_t)sqrt((double)m4); /* within 1 of isqrt(m4) < 2^17: fix up exactly */
    while (r * r > m4)
        --r;
    while ((r + 1) * (r + 1) <= m4)
        ++r;
    return (uint16_t)((r + 1) >> 1);
}

/* ---- Exact distribution of z ----------------------------------------------
 * counts of the sum of k uniforms on 0..1023 are integers <= 2^(10k - 10);
 * 128-bit unsigned integers (two uint64 limbs) hold all of them for k = 12. */
typedef struct {
    uint64_t lo, hi;
} u128;

static inline u128 u128_add(u128 a, u128 b)
{
    u128 r = {a.lo + b.lo, a.hi + b.hi};
    r.hi += r.lo < a.lo;
    return r;
}

static inline u128 u128_sub(u128 a, u128 b) /* a >= b */
{
    u128 r = {a.lo - b.lo, a.hi - b.hi};
    r.hi -= a.lo < b.lo;
    return r;
}

/* counts[s] = number of 12-tuples of 10-bit fields with sum s, s = 0..12276
 * (z = s - 6138).  Box filter applied 11 times, in place, by a sliding
 * window running downwards (entry s is read before it is overwritten and
 * entry s - 1024 is still the old value). */
enum { FIELDS = 12, FIELD_RANGE = 1024, SUM_LEN = FIELDS * (FIELD_RANGE - 1) + 1 };

static void irwin_hall_counts(u128 *c)
{
    const u128 zero = {0, 0};
    for (int s = 0; s < SUM_LEN; ++s)
        c[s] = s < FIELD_RANGE ? (u128){1, 0} : zero;
    int len = FIELD_RANGE;
    for (int k = 1; k < FIELDS; ++k) {
        int nlen = len + FIELD_RANGE - 1;
        u128 w = c[len - 1]; /* window of the top new entry: old[len-1] only */
        for (int s = nlen - 1; s >= 0; --s) {
            u128 old_s = s < len ? c[s] : zero;
            u128 old_in = s >= FIELD_RANGE ? c[s - FIELD_RANGE] : zero;
            c[s] = w;
            w = u128_add(u128_sub(w, old_s), old_in);
        }
        len = nlen;
    }
}

double lv_dac_sigma_d(int bn)
{
    if (bn < LV_DAC_BN_MIN || bn > LV_DAC_BN_MAX)
        return NAN;
    u128 *c = malloc(sizeof *c * SUM_LEN);
    if (!c)
        return NAN;
    irwin_hall_counts(c);
    /* sum of counts * d^2 < 2^109 * 2^26 * 2^14: five 32-bit limbs, exact. */
    uint64_t acc[5] = {0, 0, 0, 0, 0};
    for (int s = 0; s < SUM_LEN; ++s) {
        int64_t d = lv_dac_code(s - LV_NOISE_Z_MAX, bn);
        uint64_t m = (uint64_t)(d * d); /* < 2^26 */
        acc[0] += (c[s].lo & 0xFFFFFFFFu) * m;
        acc[1] += (c[s].lo >> 32) * m;
        acc[2] += (c[s].hi & 0xFFFFFFFFu) * m;
        acc[3] += (c[s].hi >> 32) * m;
        for (int i = 0; i < 4; ++i) { /* keep limbs 0..3 below 2^32 */
            acc[i + 1] += acc[i] >> 32;
            acc[i] &= 0xFFFFFFFFu;
        }
    }
    free(c);
    /* E[d^2] = sum / 2^120; the conversion to double rounds once per limb. */
    double v = 0;
    for (int i = 4; i >= 0; --i)
        v += ldexp((double)acc[i], 32 * i - 120);
    return sqrt(v);
}

double lv_dac_sigma_n(int bn, uint16_t a, uint16_t ca)
{
    if (bn < LV_DAC_BN_MIN || bn > LV_DAC_BN_MAX || a >= (1u << LV_DAC_FA))
        return NAN;
    double sd = lv_dac_sigma_d(bn);
    double af = a / 32768.0, cf = ca / 32768.0;
    return sd * 256.0 * cf / sqrt(1.0 - af * af);
}

int lv_dac_gain(double sigma_state_lsb, int bn, uint16_t a, double gain_trim, uint32_t *gain,
                lv_error *err)
{
    if (!gain)
        return lv_fail(err, "noise gain: no output given (NULL pointer)");
    if (bn < LV_DAC_BN_MIN || bn > LV_DAC_BN_MAX)
        return lv_fail(err, "noise gain: DAC resolution Bn = %d is outside the supported range %d..%d bits",
                       bn, LV_DAC_BN_MIN, LV_DAC_BN_MAX);
    if (a >= (1u << LV_DAC_FA))
        return lv_fail(err,
                       "noise gain: colour coefficient a = %u (Q1.15) must be below 32768 (a/2^15 < 1)",
                       (unsigned)a);
    if (!isfinite(sigma_state_lsb) || sigma_state_lsb < 0)
        return lv_fail(err,
                       "noise gain: target noise sigma = %g state LSBs is not a finite non-negative "
                       "number (it is sqrt(2 mu kT dt) * 2^Fx: check kT, mu and dt)",
                       sigma_state_lsb);
    if (!isfinite(gain_trim) || !(1.0 + gain_trim >= 0))
        return lv_fail(err, "noise gain: gain trim %g is not a finite number >= -1", gain_trim);
    double sn = lv_dac_sigma_n(bn, a, lv_dac_colour_c(a));
    if (!(sn > 0))
        return lv_fail(err, "noise gain: could not compute the DAC noise level for Bn = %d (out of memory?)",
                       bn);
    double g = round(sigma_state_lsb / sn * 16777216.0 * (1.0 + gain_trim));
    if (!(g < 4294967296.0)) {
        /* The largest sigma this Bn can reach: G = 2^32 - 1. */
        double reach = 4294967295.0 * sn / 16777216.0 / (1.0 + gain_trim);
        return lv_fail(err,
                       "noise gain: G = %.6g does not fit the 32-bit Q16.16 gain register: with a "
                       "%d-bit noise DAC (noise sigma %.4g DAC codes) the largest reachable noise is "
                       "%.6g state LSBs, below the requested %.6g; use more DAC bits, fewer state "
                       "fraction bits Fx, or a lower temperature or time step",
                       g, bn, sn / 256.0, reach, sigma_state_lsb);
    }
    *gain = (uint32_t)g;
    return 0;
}
