/* cal_thermal.c - temperature, offset, colour and distribution estimates
 * from calibration samples.  See lv_cal_thermal.h for the formulas. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lv_cal_thermal.h"
#include "lv_cal_well.h"
#include "nonlinearity.h"

enum { BATCHES = 20, NFIELDS = 18 };

void lv_cal_thermal_free(lv_cal_thermal *t)
{
    if (!t) return;
    free(t->kT); /* one allocation holds every array */
    memset(t, 0, sizeof *t);
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Standard error of the mean of v[0..n) from BATCHES batch means. */
static double batch_se(const double *v, long n)
{
    int nb = n >= 2 * BATCHES ? BATCHES : (int)(n / 2);
    if (nb < 2) return NAN;
    long per = n / nb;
    double s1 = 0, s2 = 0;
    for (int b = 0; b < nb; ++b) {
        double m = 0;
        for (long k = 0; k < per; ++k) m += v[b * per + k];
        m /= (double)per;
        s1 += m;
        s2 += m * m;
    }
    double mean = s1 / nb, var = (s2 / nb - mean * mean) * nb / (nb - 1);
    return sqrt(fmax(var, 0) / nb);
}

static double mean_of(const double *v, long n)
{
    double s = 0;
    for (long k = 0; k < n; ++k) s += v[k];
    return s / (double)n;
}

int lv_cal_thermal_measure(const lv_dev_image *img, const lv_cal_samples *s, lv_cal_thermal *out, lv_error *err)
{
    if (!img || !s || !out || s->n != img->nv + img->nh || s->blocks < 4 || !s->pairs)
        return lv_fail(err, "temperature estimate: need at least 4 sampling blocks with one-tick pairs of the "
                            "calibration image's %d units",
                       img ? img->nv + img->nh : 0);
    const int n = s->n;
    const long B = s->blocks;
    memset(out, 0, sizeof *out);
    double *all = calloc((size_t)n * NFIELDS, sizeof(double));
    double *v = malloc((size_t)B * 6 * sizeof(double));
    if (!all || !v) {
        free(all);
        free(v);
        return lv_fail(err, "temperature estimate: out of memory");
    }
    double **f[NFIELDS] = {&out->kT,   &out->kT_err, &out->kT_boltz, &out->kT_ident, &out->kT_inc, &out->h,
                           &out->h_err, &out->offset_lsb, &out->offset_err, &out->lag1, &out->lag1_err, &out->ks,
                           &out->mean, &out->var,    &out->skew,     &out->exkurt,   &out->inc_exkurt, &out->resid};
    for (int k = 0; k < NFIELDS; ++k) *f[k] = all + (size_t)k * n;
    out->n = n;
    const double j2 = img->j2 / 65536.0, j4 = img->j4 / 65536.0, eps = img->k * 0x1p-32, lsb = ldexp(1, -img->fx);
    double *x = v, *uu = v + B, *r0 = v + 2 * B, *r1 = v + 3 * B, *tmp = v + 4 * B, *xs = v + 5 * B;
    double euler = 0, neff = 0;
    for (int i = 0; i < n; ++i) {
        const double b = ldexp((double)lv_nl_bias(img->cb[i], img->eb[i < img->nv ? 0 : 1], img->ff), -img->ff);
        for (long k = 0; k < B; ++k) {
            const size_t o = (size_t)k * n + i;
            double a = s->x0[o] * lsb, a1 = s->x1[o] * lsb, a2 = s->x2[o] * lsb;
            x[k] = a;
            uu[k] = 2 * j2 * a + 4 * j4 * a * a * a + b;
            r0[k] = a1 - a + eps * uu[k];
            r1[k] = a2 - a1 + eps * (2 * j2 * a1 + 4 * j4 * a1 * a1 * a1 + b);
        }
        /* Offset force and the chip's offset per tick. */
        const double h = mean_of(uu, B);
        out->h[i] = h;
        out->h_err[i] = batch_se(uu, B);
        out->resid[i] = h - b;
        out->offset_lsb[i] = h * eps / lsb - img->offset / 65536.0;
        out->offset_err[i] = out->h_err[i] * eps / lsb;
        /* Moments of x0. */
        double m1 = mean_of(x, B), c2 = 0, c3 = 0, c4 = 0, xv = 0, v2 = 0;
        for (long k = 0; k < B; ++k) {
            double d = x[k] - m1, vp = uu[k] - h;
            c2 += d * d;
            c3 += d * d * d;
            c4 += d * d * d * d;
            xv += x[k] * vp;
            v2 += vp * vp;
        }
        c2 /= B;
        c3 /= B;
        c4 /= B;
        xv /= B;
        v2 /= B;
        out->mean[i] = m1;
        out->var[i] = c2;
        out->skew[i] = c3 / pow(c2, 1.5);
        out->exkurt[i] = c4 / (c2 * c2) - 3;
        double se_mean = batch_se(x, B);
        neff += c2 / (se_mean * se_mean);
        /* Temperature: the Boltzmann law of the well matched to the sample's
         * second moment, Euler-corrected.  Its linear term b - h is fitted
         * with kT to the mean and variance (moment matching), starting from
         * the measured b - h: the same law when h is well measured, and
         * still solvable when it is noisy (short runs). */
        lv_cal_well w = {j2, j4, b - h};
        double tb, tb2, cf;
        if (lv_cal_well_fit2(&w, m1, c2, b - h, &tb, &cf)) {
            free(all);
            free(v);
            memset(out, 0, sizeof *out);
            return lv_fail(err, "temperature estimate: unit %d's mean %g and variance %g cannot be matched by the "
                                "quartic well (J2 = %g, J4 = %g) at any kT; the unit is stuck or saturated",
                           i, m1, c2, j2, j4);
        }
        w.c = cf;
        for (long k = 0; k < B; ++k) tmp[k] = (x[k] - m1) * (x[k] - m1);
        const double se_var = batch_se(tmp, B);
        /* dlnT/dln var at the fitted c, 1 % higher (delta method). */
        if (lv_cal_well_kT_at_c(&w, c2 * 1.01, tb, &tb2)) tb2 = tb * 1.01;
        const double slope = log(tb2 / tb) / log(1.01);
        const double corr = 1 - 0.5 * eps * v2 / xv;
        out->kT_boltz[i] = tb;
        out->kT[i] = tb * corr;
        out->kT_err[i] = out->kT[i] * slope * se_var / c2;
        out->kT_ident[i] = xv - 0.5 * eps * v2;
        euler += 1 - corr;
        /* Increments: temperature, mean, lag-1 correlation, kurtosis. */
        double rm = 0.5 * (mean_of(r0, B) + mean_of(r1, B)), rv = 0, rc = 0, r4 = 0;
        for (long k = 0; k < B; ++k) {
            double d0 = r0[k] - rm, d1 = r1[k] - rm;
            rv += d0 * d0 + d1 * d1;
            r4 += d0 * d0 * d0 * d0 + d1 * d1 * d1 * d1;
            rc += d0 * d1;
        }
        rv /= 2.0 * B;
        r4 /= 2.0 * B;
        rc /= B;
        out->kT_inc[i] = rv / (2 * eps);
        out->lag1[i] = rc / rv;
        out->lag1_err[i] = sqrt(1.0 / (double)B); /* pairs of different blocks are independent */
        out->inc_exkurt[i] = r4 / (rv * rv) - 3;
        /* KS distance of x0 to the Boltzmann law at kT_boltz. */
        memcpy(xs, x, (size_t)B * sizeof(double));
        qsort(xs, (size_t)B, sizeof(double), cmp_d);
        if (lv_cal_well_cdf(&w, tb, xs, B, tmp)) {
            free(all);
            free(v);
            memset(out, 0, sizeof *out);
            return lv_fail(err, "temperature estimate: out of memory for the KS test");
        }
        double d = 0;
        for (long k = 0; k < B; ++k) d = fmax(d, fmax(fabs(tmp[k] - (double)k / B), fabs(tmp[k] - (double)(k + 1) / B)));
        out->ks[i] = d;
    }
    out->euler_rel = euler / n;
    out->n_eff = neff / n;
    free(v);
    return 0;
}

int lv_cal_thermal_to_record(const lv_cal_thermal *t, double kT_target, lv_cal_record *rec, lv_error *err)
{
    if (!t || !rec || rec->n_units != t->n || !(kT_target > 0))
        return lv_fail(err, "calibration record: the temperature estimate does not match the record's units");
    double mk = 0, mo = 0;
    for (int i = 0; i < t->n; ++i) {
        mk += t->kT[i];
        mo += t->offset_lsb[i];
    }
    mk /= t->n;
    mo /= t->n;
    for (int i = 0; i < t->n; ++i) {
        lv_cal_unit *u = &rec->units[i];
        u->kT = t->kT[i];
        u->kT_err = t->kT_err[i];
        u->gain_error = sqrt(t->kT[i] / mk) - 1;
        u->offset_lsb = t->offset_lsb[i];
        u->offset_err = t->offset_err[i];
    }
    rec->kT_target = kT_target;
    rec->gain_trim = sqrt(kT_target / mk);
    double ot = -round(mo * 65536.0);
    if (!(fabs(ot) < 2147483647.0))
        return lv_fail(err, "calibration: the mean noise offset %g LSB per tick is beyond the OFFSET register", mo);
    rec->offset_trim = (int32_t)ot;
    return 0;
}

void lv_cal_gain_trim_dac(const lv_cal_record *rec, int bits, lv_cal_trim_dac *o)
{
    double mx = 0, s2 = 0, se2 = 0;
    for (int i = 0; i < rec->n_units; ++i) {
        const lv_cal_unit *u = &rec->units[i];
        mx = fmax(mx, fabs(u->gain_error));
        s2 += u->gain_error * u->gain_error;
        double se = 0.5 * u->kT_err / u->kT; /* gain ~ sqrt(kT) */
        se2 += se * se;
    }
    o->bits = bits;
    o->range = ceil(mx / 0.005) * 0.005;
    if (o->range == 0) o->range = 0.005;
    o->lsb = 2 * o->range / (ldexp(1, bits) - 1);
    o->residual_rms = sqrt(o->lsb * o->lsb / 12 + se2 / rec->n_units);
    o->before_rms = sqrt(s2 / rec->n_units);
}
