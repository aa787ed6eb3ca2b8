/* device.c - the emulated device: image validation with the §10 bounds,
 * and the tick loop (noise + integrator, coupling field, force + meter). */
#include "device.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "energy_meter.h"
#include "fx_prims.h"
#include "integrator.h"
#include "noise_dac.h"
#include "noise_source.h"
#include "nonlinearity.h"

__extension__ typedef unsigned __int128 u128;
__extension__ typedef __int128 i128;

#define LV_DEV_EMU_MAX_N 65536
#define LV_DEV_EMU_MAX_BATCH 65536

struct lv_dev {
    int nv, nh, n, batch, nb;
    int wx, fx, ff, wf;
    uint32_t ticks_eq, ticks_run;
    lv_coupling_net *cn;
    lv_nl nl;
    lv_meter meter;
    lv_integ integ;
    lv_noise_dac dac;
    int64_t *bf; /* [n] bias in force units */
    int64_t *ugain, *uoff; /* [n] per-unit G_i, O_i of a chip instance with DAC errors, else NULL */
    /* Batch state ([batch] or [batch * n]). */
    uint64_t *seed;
    int32_t *x, *xprev, *z;
    int64_t *g, *gprev, *f, *colour, *eta;
    int64_t *v0, *v, *q;
    uint32_t *sat_state, *sat_force;
    uint64_t tick; /* next tick; runs never pass 2^32 */
    int ready;     /* a batch has been started */
};

/* ---- §10 bounds ----------------------------------------------------------- */

static const u128 LIM63 = (u128)1 << 63;

static double l2(u128 v) { return v == 0 ? -INFINITY : log2((double)(v >> 64) * 0x1p64 + (double)(uint64_t)v); }

static int over(u128 v, const char *what, const char *fix, lv_error *err)
{
    if (v < LIM63) return 0;
    return lv_fail(err,
                   "device image refused: %s can reach 2^%.2f over the state and force range, beyond "
                   "the 64-bit datapath (docs/fixed-point.md §10 requires < 2^63); %s",
                   what, l2(v), fix);
}

/* Bound on |rnd(v', s)| for |v'| <= v, checking v and the rounding
 * intermediate (v + 2^(s-1), or the left shift) against 2^63. */
static int rnd_b(u128 v, int s, u128 *out, const char *what, const char *fix, lv_error *err)
{
    if (over(v, what, fix, err)) return -1;
    if (s > 0) {
        u128 t = v + ((u128)1 << (s - 1));
        if (over(t, what, fix, err)) return -1;
        *out = t >> s;
    } else {
        u128 t = v << -s;
        if (over(t, what, fix, err)) return -1;
        *out = t;
    }
    return 0;
}

static int check_bounds(const lv_dev *d, const lv_dev_image *img, lv_error *err)
{
    const int fx = d->fx, ff = d->ff, n = d->n;
    const u128 X = ((u128)1 << (d->wx - 1)) - 1, Gm = ((u128)1 << (d->wf - 1)) - 1;
    const char *range = "lower Wx or Fx (the state range is 2^(Wx-1-Fx))";
    const int s_nl = 16 + fx - ff;
    u128 x2m, x3m, linm, cubm, x4m, t;
    /* §5 */
    if (rnd_b(X * X, fx, &x2m, "the square x*x of §5", range, err) ||
        rnd_b(x2m * X, fx, &x3m, "the cube x2*x of §5", range, err) ||
        rnd_b(2 * (u128)(uint32_t)img->j2 * X, s_nl, &linm, "the linear force (2 j2) x of §5",
              "lower Wx, J2 or Ff", err) ||
        rnd_b(4 * (u128)(uint32_t)img->j4 * x3m, s_nl, &cubm, "the cubic force (4 j4) x3 of §5",
              "lower Wx, J4 or Ff", err))
        return -1;
    const int64_t *fmax = lv_cn_fmax(d->cn);
    for (int i = 0; i < n; ++i) {
        u128 bfm = (u128)(d->bf[i] < 0 ? -(i128)d->bf[i] : (i128)d->bf[i]);
        if (over(linm + cubm + bfm + (u128)fmax[i], "the force sum lin + cub + bf + f of §5 (before saturation)",
                 "lower Wx, Ff, the bias scale or the coupling scale", err))
            return -1;
    }
    /* §7 drift, §6 eta, state sum. */
    u128 driftm, etam, nmax;
    if (rnd_b((u128)d->integ.k * Gm, d->integ.s_drift, &driftm, "the drift product K g of §7",
              "lower K (mu*dt) or the force width Wf", err))
        return -1;
    const u128 D = (u128)lv_fx_rnd(LV_NOISE_Z_MAX, LV_DAC_BN_MAX - d->dac.bn);
    if (d->dac.a == 0) {
        nmax = D << LV_DAC_GUARD;
    } else {
        /* |n(t-1)| <= nmax implies |n(t)| <= nmax when (2^15 - a) nmax >= ca D 2^8 + 2^14. */
        u128 den = ((u128)1 << LV_DAC_FA) - d->dac.a;
        nmax = ((u128)d->dac.ca * (D << LV_DAC_GUARD) + ((u128)1 << (LV_DAC_FA - 1)) + den - 1) / den;
        if (over((u128)d->dac.a * nmax + (u128)d->dac.ca * (D << LV_DAC_GUARD), "the colour filter sum of §6",
                 "lower a", err))
            return -1;
    }
    u128 gmax = d->dac.gain, oabs = (u128)(d->dac.offset < 0 ? -(int64_t)d->dac.offset : d->dac.offset);
    for (int i = 0; d->ugain && i < n; ++i) { /* a chip instance's per-unit G_i, O_i */
        if ((u128)d->ugain[i] > gmax) gmax = (u128)d->ugain[i];
        u128 oi = (u128)(d->uoff[i] < 0 ? -d->uoff[i] : d->uoff[i]);
        if (oi > oabs) oabs = oi;
    }
    oabs <<= LV_DAC_GUARD;
    if (rnd_b(gmax * nmax + oabs, LV_DAC_FG + LV_DAC_GUARD, &etam,
              "the noise sum G n + O 2^8 of §6", "lower the noise gain G", err) ||
        over(X + driftm + etam, "the state sum x + drift + eta of §7", "lower K or Wf", err))
        return -1;
    /* §8 meter: per-unit terms, then the sum over units. */
    const int s_loc = d->meter.s_loc, s_bias = d->meter.s_bias, s_half = d->meter.s_half;
    const char *mfix = "lower Wx (the state range) or the couplings' scale";
    u128 e2, e4, eb, ef, vsum = 0;
    if (rnd_b(x2m * x2m, fx, &x4m, "the fourth power x2*x2 of §8", range, err) ||
        rnd_b((u128)(uint32_t)img->j2 * x2m, s_loc, &e2, "the meter term j2 x2 of §8", mfix, err) ||
        rnd_b((u128)(uint32_t)img->j4 * x4m, s_loc, &e4, "the meter term j4 x4 of §8", mfix, err))
        return -1;
    for (int i = 0; i < n; ++i) {
        u128 bfm = (u128)(d->bf[i] < 0 ? -(i128)d->bf[i] : (i128)d->bf[i]);
        if (rnd_b(bfm * X, s_bias, &eb, "the meter term bf x of §8", mfix, err) ||
            rnd_b((u128)fmax[i] * X, s_half, &ef, "the meter term f x of §8", mfix, err))
            return -1;
        vsum += e2 + e4 + eb + ef;
    }
    if (over(vsum, "the energy V(x) of §8 (sum over units)", mfix, err)) return -1;
    if (rnd_b(2 * Gm * 2 * X, s_half, &t, "the heat product (g + g') dx of §8", "lower Wf or Wx", err) ||
        over(t * (u128)n, "the per-tick heat sum of §8", "lower Wf or Wx", err))
        return -1;
    return 0;
}

/* ---- validation of the image fields ---------------------------------------- */

static int range_i(long v, long lo, long hi, const char *what, lv_error *err)
{
    if (v >= lo && v <= hi) return 0;
    return lv_fail(err, "device image refused: %s = %ld is outside the allowed range %ld..%ld "
                        "(docs/fixed-point.md §2)",
                   what, v, lo, hi);
}

static int validate(const lv_dev_image *img, const lv_dev_instance *inst, int batch, lv_error *err)
{
    if (!img) return lv_fail(err, "no device image given (NULL pointer)");
    if (img->nv < 1 || img->nh < 0 || (long)img->nv + img->nh > LV_DEV_EMU_MAX_N)
        return lv_fail(err, "device image refused: unit counts nv = %d, nh = %d are invalid (need nv >= 1, "
                            "nh >= 0, nv + nh <= %d)",
                       img->nv, img->nh, LV_DEV_EMU_MAX_N);
    if (img->vv != 0 && img->vv != 1)
        return lv_fail(err, "device image refused: vv = %d must be 0 or 1", img->vv);
    size_t m = lv_dev_couplings(img->nv, img->nh, img->vv), rows = lv_dev_rows(img->nv, img->nh, img->vv);
    if (img->m != m)
        return lv_fail(err, "device image refused: it stores %zu couplings but nv = %d, nh = %d, vv = %d "
                            "need exactly %zu (docs/fixed-point.md §3); the image is corrupt or was "
                            "built for other sizes",
                       img->m, img->nv, img->nh, img->vv, m);
    if (img->n_rows != rows)
        return lv_fail(err, "device image refused: it has %zu coupling row exponents but the "
                            "connectivity needs %zu (one per stored row, §3)",
                       img->n_rows, rows);
    if ((m && !img->c) || !img->ej || !img->cb)
        return lv_fail(err, "device image refused: a coupling, exponent or bias array is missing (NULL)");
    if (range_i(img->wx, 8, 32, "state width Wx", err) || range_i(img->fx, 4, img->wx - 2, "state fraction bits Fx", err) ||
        range_i(img->bj, 2, 16, "coupling width BJ", err) || range_i(img->bb, 2, 24, "bias width Bb", err) ||
        range_i(img->wf, 16, 40, "force width Wf", err) || range_i(img->ff, 4, img->wf - 2, "force fraction bits Ff", err) ||
        range_i(img->eb[0], -16, 47, "visible bias exponent eb[0]", err) ||
        range_i(img->eb[1], -16, 47, "hidden bias exponent eb[1]", err))
        return -1;
    if (img->j2 < 0 || img->j4 < 0)
        return lv_fail(err, "device image refused: j2 = %d and j4 = %d (Q16.16) must be >= 0: a negative "
                            "J2 or J4 is not a confining well",
                       img->j2, img->j4);
    if (img->k < 1 || img->k >= (1u << 31))
        return lv_fail(err, "device image refused: K = %u (mu*dt in Q0.32) must satisfy 1 <= K < 2^31, "
                            "i.e. 0 < mu*dt < 0.5; choose a smaller dt",
                       img->k);
    lv_noise_dac dac = {img->bn, img->gain, img->offset, img->colour_a, img->colour_c};
    if (lv_dac_check(&dac, err)) return lv_fail_prefix(err, "device image refused");
    const int32_t cmax = (int32_t)lv_fx_max(img->bj);
    size_t off = 0;
    for (size_t r = 0; r < rows; ++r) {
        if (img->ej[r] < -16 || img->ej[r] > 47)
            return lv_fail(err, "device image refused: coupling exponent eJ[%zu] = %d is outside -16..47", r,
                           img->ej[r]);
    }
    for (; off < m; ++off)
        if (img->c[off] > cmax || img->c[off] < -cmax)
            return lv_fail(err, "device image refused: coupling code %d (stored coupling %zu) does not fit "
                                "BJ = %d bits (|c| <= %d; the most negative code is never used)",
                           img->c[off], off, img->bj, cmax);
    const int32_t bmax = (int32_t)lv_fx_max(img->bb);
    for (int i = 0; i < img->nv + img->nh; ++i)
        if (img->cb[i] > bmax || img->cb[i] < -bmax)
            return lv_fail(err, "device image refused: bias code %d of unit %d does not fit Bb = %d bits "
                                "(|cb| <= %d)",
                           img->cb[i], i, img->bb, bmax);
    if (batch < 1 || batch > LV_DEV_EMU_MAX_BATCH)
        return lv_fail(err, "device batch size %d is outside 1..%d", batch, LV_DEV_EMU_MAX_BATCH);
    return lv_dev_instance_check(inst, err);
}

int lv_dev_instance_check(const lv_dev_instance *inst, lv_error *err)
{
    if (!inst) return 0;
    /* 2^26 + Sm*zm must stay positive for |zm| <= 6138 (docs/fixed-point.md
     * §7/§10): beyond sigma_m = 1/6 mismatch could flip a coupling's sign. */
    if (inst->sm >= 10923u)
        return lv_fail(err, "chip instance refused: mismatch spread Sm = %u (sigma_m = %.4f) is too large; "
                            "Sm must be < 10923 (sigma_m < 1/6) so mismatch can never flip a coupling's sign",
                       inst->sm, inst->sm / 65536.0);
    if (inst->sg >= 10923u)
        return lv_fail(err, "chip instance refused: noise-gain spread Sg = %u (sigma_g = %.4f) is too large; Sg "
                            "must be < 10923 (sigma_g < 1/6) so no unit's noise gain can reach zero",
                       inst->sg, inst->sg / 65536.0);
    if (inst->ge <= -32768 || inst->ge >= 32768)
        return lv_fail(err, "chip instance refused: global noise-gain error Ge = %d (%.4f) must satisfy |Ge| < "
                            "32768 (|error| < 0.5)",
                       inst->ge, inst->ge / 65536.0);
    int64_t worst = (int64_t)(inst->ge < 0 ? -inst->ge : inst->ge) * 1024 + (int64_t)inst->sg * LV_NOISE_Z_MAX;
    if (worst >= ((int64_t)1 << 26))
        return lv_fail(err, "chip instance refused: global gain error %.4f plus 6.0 x the gain spread %.4f "
                            "reaches 1, so a unit's noise gain could be zero or negative; lower either",
                       inst->ge / 65536.0, inst->sg / 65536.0);
    if (inst->so >= (1u << 28))
        return lv_fail(err, "chip instance refused: offset spread So = %u (Q16.16 state LSBs) must be < 2^28",
                       inst->so);
    return 0;
}

static int has_dac_errors(const lv_dev_instance *inst) { return inst && (inst->sg || inst->ge || inst->so); }

int64_t lv_dev_instance_gain(const lv_dev_instance *inst, uint32_t gain, uint32_t unit)
{
    if (!has_dac_errors(inst)) return gain;
    return lv_dac_unit_gain(gain, inst->ge, inst->sg, lv_noise_chip_z(inst->seed, unit, LV_GAINERR_TAG));
}

int64_t lv_dev_instance_offset(const lv_dev_instance *inst, int32_t offset, uint32_t unit)
{
    if (!has_dac_errors(inst)) return offset;
    return lv_dac_unit_offset(offset, inst->so, lv_noise_chip_z(inst->seed, unit, LV_OFFSERR_TAG));
}

/* ---- creation ----------------------------------------------------------------- */

void lv_dev_free(lv_dev *d)
{
    if (!d) return;
    lv_cn_free(d->cn);
    free(d->bf);
    free(d->ugain);
    free(d->uoff);
    free(d->seed);
    free(d->x);
    free(d->xprev);
    free(d->z);
    free(d->g);
    free(d->gprev);
    free(d->f);
    free(d->colour);
    free(d->eta);
    free(d->v0);
    free(d->v);
    free(d->q);
    free(d->sat_state);
    free(d->sat_force);
    free(d);
}

lv_dev *lv_dev_create(const lv_dev_image *img, const lv_dev_instance *inst, int batch, lv_error *err)
{
    if (validate(img, inst, batch, err)) return NULL;
    lv_dev *d = calloc(1, sizeof *d);
    if (!d) {
        lv_fail(err, "out of memory creating the device");
        return NULL;
    }
    d->nv = img->nv;
    d->nh = img->nh;
    d->n = img->nv + img->nh;
    d->batch = batch;
    d->wx = img->wx;
    d->fx = img->fx;
    d->ff = img->ff;
    d->wf = img->wf;
    d->ticks_eq = img->ticks_eq;
    d->ticks_run = img->ticks_run;
    d->dac = (lv_noise_dac){img->bn, img->gain, img->offset, img->colour_a, img->colour_c};
    lv_nl_init(&d->nl, img->fx, img->ff, img->wf, img->j2, img->j4);
    lv_meter_init(&d->meter, img->fx, img->ff, img->j2, img->j4);
    lv_integ_init(&d->integ, img->k, img->fx, img->ff, img->wx);
    const size_t n = (size_t)d->n, bn = (size_t)batch * n;
    d->bf = malloc(n * sizeof(int64_t));
    d->seed = calloc((size_t)batch, sizeof(uint64_t));
    d->x = calloc(bn, sizeof(int32_t));
    d->xprev = calloc(bn, sizeof(int32_t));
    d->z = calloc(bn, sizeof(int32_t));
    d->g = calloc(bn, sizeof(int64_t));
    d->gprev = calloc(bn, sizeof(int64_t));
    d->f = calloc(bn, sizeof(int64_t));
    d->colour = calloc(bn, sizeof(int64_t));
    d->eta = calloc(bn, sizeof(int64_t));
    d->v0 = calloc((size_t)batch, sizeof(int64_t));
    d->v = calloc((size_t)batch, sizeof(int64_t));
    d->q = calloc((size_t)batch, sizeof(int64_t));
    d->sat_state = calloc((size_t)batch, sizeof(uint32_t));
    d->sat_force = calloc((size_t)batch, sizeof(uint32_t));
    if (!d->bf || !d->seed || !d->x || !d->xprev || !d->z || !d->g || !d->gprev || !d->f || !d->colour ||
        !d->eta || !d->v0 || !d->v || !d->q || !d->sat_state || !d->sat_force) {
        lv_dev_free(d);
        lv_fail(err, "out of memory for a device batch of %d trajectories x %zu units", batch, n);
        return NULL;
    }
    /* Biases in force units: checked against 2^63 before the shift. */
    for (size_t i = 0; i < n; ++i) {
        int eb = img->eb[i < (size_t)d->nv ? 0 : 1];
        int32_t cb = img->cb[i];
        u128 mag = (u128)(uint32_t)(cb < 0 ? -cb : cb), bfm;
        if (rnd_b(mag, eb - img->ff, &bfm, "a bias in force units rnd(cb, eb - Ff) of §5",
                  "the bias exponent eb is too small for Ff: requantize the biases", err)) {
            lv_dev_free(d);
            return NULL;
        }
        d->bf[i] = lv_nl_bias(cb, eb, img->ff);
    }
    if (has_dac_errors(inst)) {
        d->ugain = malloc(n * sizeof(int64_t));
        d->uoff = malloc(n * sizeof(int64_t));
        if (!d->ugain || !d->uoff) {
            lv_dev_free(d);
            lv_fail(err, "out of memory for the chip instance's per-unit noise gains");
            return NULL;
        }
        for (size_t i = 0; i < n; ++i) {
            d->ugain[i] = lv_dev_instance_gain(inst, img->gain, (uint32_t)i);
            d->uoff[i] = lv_dev_instance_offset(inst, img->offset, (uint32_t)i);
            /* O_i has the OFFSET register's range, so §6's |O 2^8| < 2^39 holds. */
            if (d->uoff[i] <= INT32_MIN || d->uoff[i] > INT32_MAX) {
                lv_fail(err, "chip instance refused: unit %zu's effective noise offset OFFSET + error = %lld "
                             "(Q16.16 state LSBs) leaves the 32-bit OFFSET range; lower the offset spread",
                        i, (long long)d->uoff[i]);
                lv_dev_free(d);
                return NULL;
            }
        }
    }
    if (lv_cn_create(&d->cn, img, inst != NULL, inst ? inst->seed : 0, inst ? inst->sm : 0, batch, LV_CN_AUTO,
                     err)) {
        lv_fail_prefix(err, "device image refused");
        lv_dev_free(d);
        return NULL;
    }
    if (check_bounds(d, img, err)) {
        lv_dev_free(d);
        return NULL;
    }
    return d;
}

int lv_dev_set_field_path(lv_dev *d, lv_cn_path path, lv_error *err) { return lv_cn_set_path(d->cn, path, err); }
lv_cn_path lv_dev_field_path(const lv_dev *d) { return lv_cn_get_path(d->cn); }
const lv_coupling_net *lv_dev_network(const lv_dev *d) { return d->cn; }
int lv_dev_units(const lv_dev *d) { return d->n; }
int lv_dev_visible(const lv_dev *d) { return d->nv; }
int lv_dev_batch(const lv_dev *d) { return d->batch; }
int lv_dev_active(const lv_dev *d) { return d->nb; }
int lv_dev_fx(const lv_dev *d) { return d->fx; }
const int32_t *lv_dev_state(const lv_dev *d) { return d->x; }
const int64_t *lv_dev_force(const lv_dev *d) { return d->g; }
const int64_t *lv_dev_last_eta(const lv_dev *d) { return d->eta; }
uint32_t lv_dev_tick(const lv_dev *d) { return (uint32_t)d->tick; }

void lv_dev_regs_get(const lv_dev *d, int b, lv_dev_regs *r)
{
    *r = (lv_dev_regs){d->v0[b], d->v[b], d->q[b], d->sat_state[b], d->sat_force[b]};
}

void lv_dev_sat_totals(const lv_dev *d, uint64_t *sat_state, uint64_t *sat_force)
{
    uint64_t s = 0, f = 0;
    for (int b = 0; b < d->nb; ++b) {
        s += d->sat_state[b];
        f += d->sat_force[b];
    }
    if (sat_state) *sat_state = s;
    if (sat_force) *sat_force = f;
}

int lv_dev_reset(lv_dev *d, const uint64_t *seeds, int nb, uint32_t tick0, lv_error *err)
{
    if (nb < 1 || nb > d->batch)
        return lv_fail(err, "device reset: %d trajectories requested, the device was built for 1..%d", nb,
                       d->batch);
    if (!seeds) return lv_fail(err, "device reset: no seeds given (NULL pointer)");
    const size_t bn = (size_t)nb * (size_t)d->n;
    d->nb = nb;
    memcpy(d->seed, seeds, (size_t)nb * sizeof(uint64_t));
    memset(d->x, 0, bn * sizeof(int32_t));
    memset(d->xprev, 0, bn * sizeof(int32_t));
    memset(d->g, 0, bn * sizeof(int64_t));
    memset(d->gprev, 0, bn * sizeof(int64_t));
    memset(d->colour, 0, bn * sizeof(int64_t));
    memset(d->eta, 0, bn * sizeof(int64_t));
    memset(d->v0, 0, (size_t)nb * sizeof(int64_t));
    memset(d->v, 0, (size_t)nb * sizeof(int64_t));
    memset(d->q, 0, (size_t)nb * sizeof(int64_t));
    memset(d->sat_state, 0, (size_t)nb * sizeof(uint32_t));
    memset(d->sat_force, 0, (size_t)nb * sizeof(uint32_t));
    d->tick = tick0;
    d->ready = 1;
    return 0;
}

int lv_dev_set_state(lv_dev *d, const int32_t *x, lv_error *err)
{
    if (!d->ready) return lv_fail(err, "device: set_state before lv_dev_reset started a batch");
    const size_t bn = (size_t)d->nb * (size_t)d->n;
    const int32_t xm = (int32_t)lv_fx_max(d->wx);
    for (size_t k = 0; k < bn; ++k)
        if (x[k] > xm || x[k] < -xm)
            return lv_fail(err, "device: state code %d (trajectory %zu, unit %zu) is outside the Wx = %d "
                                "bit range |x| <= %d",
                           x[k], k / (size_t)d->n, k % (size_t)d->n, d->wx, xm);
    memcpy(d->x, x, bn * sizeof(int32_t));
    return 0;
}

/* ---- the tick loop ------------------------------------------------------------- */

/* One field pass over trajectory b: g(x), V(x), and with `heat` the heat
 * of the tick from (xprev, gprev) to (x, g).  Inlined with constant couple
 * and heat so each variant is a straight loop. */
static inline __attribute__((always_inline)) void pass_row(lv_dev *d, size_t b, const int couple,
                                                           const int heat, int count_force, int latch)
{
    const size_t n = (size_t)d->n;
    const int32_t *x = d->x + b * n, *xp = d->xprev + b * n;
    const int64_t *f = d->f + b * n, *gp = d->gprev + b * n, *bf = d->bf;
    int64_t *g = d->g + b * n;
    const lv_nl nl = d->nl;
    const lv_meter mt = d->meter;
    uint64_t ev = 0;
    int64_t v = 0, q = 0;
    for (size_t i = 0; i < n; ++i) {
        const int64_t xi = x[i], x2 = lv_nl_x2(&nl, xi);
        const int64_t gi = lv_nl_force(&nl, xi, x2, couple ? bf[i] : 0, couple ? f[i] : 0, &ev);
        g[i] = gi;
        v += lv_meter_local(&mt, x2);
        if (couple) v += lv_meter_coupled(&mt, xi, bf[i], f[i]);
        if (heat) q += lv_meter_heat_unit(&mt, gp[i], gi, xi - xp[i]);
    }
    d->v[b] = v;
    if (latch) {
        d->v0[b] = v;
        d->q[b] = 0;
    }
    if (heat) d->q[b] = lv_meter_q_sub(d->q[b], q);
    if (count_force) lv_sat_add(&d->sat_force[b], ev);
}

static void pass_one(lv_dev *d, size_t b, int couple, int heat, int count_force, int latch)
{
    if (couple && heat) pass_row(d, b, 1, 1, count_force, latch);
    else if (couple) pass_row(d, b, 1, 0, count_force, latch);
    else if (heat) pass_row(d, b, 0, 1, count_force, latch);
    else pass_row(d, b, 0, 0, count_force, latch);
}

/* A single trajectory (the register-level emulator) stays out of OpenMP:
 * even an `if (0)` parallel region costs a futex call in libgomp, which
 * dominated a batch-1 tick of a small device. */
static void pass(lv_dev *d, int couple, int heat, int count_force, int latch)
{
    const size_t nb = (size_t)d->nb;
    if (couple) lv_cn_field(d->cn, d->x, nb, d->f);
    if (nb == 1) {
        pass_one(d, 0, couple, heat, count_force, latch);
        return;
    }
#pragma omp parallel for schedule(static)
    for (size_t b = 0; b < nb; ++b) pass_one(d, b, couple, heat, count_force, latch);
}

/* Noise and Euler update of trajectory b at tick t (old state in xprev). */
static void update_row(lv_dev *d, size_t b, uint32_t t)
{
    const size_t n = (size_t)d->n;
    int32_t *z = d->z + b * n;
    uint64_t ev = 0;
    lv_noise_z_block(d->seed[b], t, 0, n, z);
    if (d->ugain)
        lv_integ_row_units(&d->integ, &d->dac, d->ugain, d->uoff, n, d->xprev + b * n, d->gprev + b * n, z,
                           d->colour + b * n, d->eta + b * n, d->x + b * n, &ev);
    else
        lv_integ_row(&d->integ, &d->dac, n, d->xprev + b * n, d->gprev + b * n, z, d->colour + b * n,
                     d->eta + b * n, d->x + b * n, &ev);
    lv_sat_add(&d->sat_state[b], ev);
}


static void update(lv_dev *d)
{
    const size_t nb = (size_t)d->nb;
    /* Double buffering: the old state and force become xprev / gprev. */
    int32_t *tx = d->x;
    d->x = d->xprev;
    d->xprev = tx;
    int64_t *tg = d->g;
    d->g = d->gprev;
    d->gprev = tg;
    const uint32_t t = (uint32_t)d->tick;
    if (nb == 1) update_row(d, 0, t);
    else {
#pragma omp parallel for schedule(static)
        for (size_t b = 0; b < nb; ++b) update_row(d, b, t);
    }
    d->tick++;
}

int lv_dev_run(lv_dev *d, int couple, uint32_t ticks, int latch, lv_error *err)
{
    if (!d->ready) return lv_fail(err, "device: run before lv_dev_reset started a batch");
    if (d->tick + ticks > ((uint64_t)1 << 32))
        return lv_fail(err, "device: a run of %u ticks from tick %llu would pass the 32-bit tick counter "
                            "(the noise would repeat); start the batch at a lower tick",
                       ticks, (unsigned long long)d->tick);
    couple = couple ? 1 : 0;
    pass(d, couple, 0, ticks > 0, latch);
    for (uint32_t k = 0; k < ticks; ++k) {
        update(d);
        pass(d, couple, 1, k + 1 < ticks, 0);
    }
    return 0;
}

/* ---- conversions and generation ------------------------------------------------ */

void lv_dev_codes_to_double(const int32_t *codes, size_t n, int fx, double *out)
{
    const double s = ldexp(1.0, -fx);
    for (size_t k = 0; k < n; ++k) out[k] = (double)codes[k] * s;
}

void lv_dev_gen_result_free(lv_dev_gen_result *r)
{
    if (!r) return;
    free(r->visible_codes);
    free(r->visible);
    free(r->hidden);
    free(r->v0);
    free(r->vf);
    free(r->q_end);
    free(r->q_path);
    free(r->sat_state);
    free(r->sat_force);
    memset(r, 0, sizeof *r);
}

int lv_dev_generate(lv_dev *d, size_t n, const uint64_t *seeds, lv_dev_gen_result *res, lv_error *err)
{
    memset(res, 0, sizeof *res);
    if (n < 1 || !seeds) return lv_fail(err, "device generation: need at least one trajectory and its seed");
    if ((uint64_t)d->ticks_eq + d->ticks_run > UINT32_MAX)
        return lv_fail(err, "device generation: ticks_eq + ticks_run = %llu exceeds the 32-bit tick counter",
                       (unsigned long long)d->ticks_eq + d->ticks_run);
    const size_t nv = (size_t)d->nv, nh = (size_t)d->nh, N = (size_t)d->n;
    res->n = n;
    res->nv = d->nv;
    res->nh = d->nh;
    res->visible_codes = malloc(n * nv * sizeof(int32_t));
    res->visible = malloc(n * nv * sizeof(double));
    res->hidden = malloc((nh > 0 ? n * nh : 1) * sizeof(double));
    res->v0 = malloc(n * sizeof(double));
    res->vf = malloc(n * sizeof(double));
    res->q_end = malloc(n * sizeof(double));
    res->q_path = malloc(n * sizeof(double));
    res->sat_state = malloc(n * sizeof(uint32_t));
    res->sat_force = malloc(n * sizeof(uint32_t));
    if (!res->visible_codes || !res->visible || !res->hidden || !res->v0 || !res->vf || !res->q_end ||
        !res->q_path || !res->sat_state || !res->sat_force) {
        lv_dev_gen_result_free(res);
        return lv_fail(err, "device generation: out of memory for %zu trajectories of %zu units", n, N);
    }
    for (size_t base = 0; base < n; base += (size_t)d->batch) {
        int nb = (int)(n - base < (size_t)d->batch ? n - base : (size_t)d->batch);
        if (lv_dev_reset(d, seeds + base, nb, 0, err) || lv_dev_run(d, 0, d->ticks_eq, 0, err) ||
            lv_dev_run(d, 1, d->ticks_run, 1, err)) {
            lv_dev_gen_result_free(res);
            return lv_fail_prefix(err, "device generation");
        }
        for (int b = 0; b < nb; ++b) {
            size_t t = base + (size_t)b;
            const int32_t *x = d->x + (size_t)b * N;
            memcpy(res->visible_codes + t * nv, x, nv * sizeof(int32_t));
            lv_dev_codes_to_double(x, nv, d->fx, res->visible + t * nv);
            lv_dev_codes_to_double(x + nv, nh, d->fx, res->hidden + t * nh);
            res->v0[t] = lv_meter_to_double(d->v0[b]);
            res->vf[t] = lv_meter_to_double(d->v[b]);
            res->q_end[t] = lv_meter_diff_to_double(d->v0[b], d->v[b]); /* exact before the one rounding */
            res->q_path[t] = lv_meter_to_double(d->q[b]);
            res->sat_state[t] = d->sat_state[b];
            res->sat_force[t] = d->sat_force[b];
        }
    }
    return 0;
}
