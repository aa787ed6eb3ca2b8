/* cal_well.c - Boltzmann integrals of the quartic well.  See lv_cal_well.h. */
#include <math.h>
#include <stdlib.h>

#include "lv_cal_well.h"

enum { GRID = 1201 };

static int valid(const lv_cal_well *w, double kT)
{
    return w && isfinite(w->j2) && isfinite(w->j4) && isfinite(w->c) && w->j2 >= 0 && w->j4 >= 0 &&
           w->j2 + w->j4 > 0 && isfinite(kT) && kT > 0;
}

static double energy(const lv_cal_well *w, double x) { return (w->j2 + w->j4 * x * x) * x * x + w->c * x; }

/* The minimum of the energy: the force 2 J2 x + 4 J4 x^3 + c is increasing,
 * so its root is unique; bisection to the last bit.  Then [lo, hi] is where
 * E - E_min <= 40 kT (the mass outside is < e^-40 times polynomial
 * factors), found by doubling the distance from the minimum. */
static void range(const lv_cal_well *w, double kT, double *lo, double *hi, double *emin)
{
    double a = -1, b = 1;
    while (2 * w->j2 * a + 4 * w->j4 * a * a * a + w->c > 0) a *= 2;
    while (2 * w->j2 * b + 4 * w->j4 * b * b * b + w->c < 0) b *= 2;
    for (int it = 0; it < 200; ++it) {
        double m = 0.5 * (a + b);
        if (m == a || m == b) break;
        if (2 * w->j2 * m + 4 * w->j4 * m * m * m + w->c < 0) a = m;
        else b = m;
    }
    const double xm = 0.5 * (a + b), em = energy(w, xm);
    double d = 1e-12;
    while (energy(w, xm - d) - em < 40 * kT) d *= 2;
    *lo = xm - d;
    d = 1e-12;
    while (energy(w, xm + d) - em < 40 * kT) d *= 2;
    *hi = xm + d;
    *emin = em;
}

/* Simpson weights over GRID points of [lo, hi]. */
static double simpson_w(int k, double h) { return (k == 0 || k == GRID - 1 ? 1 : (k & 1) ? 4 : 2) * h / 3.0; }

int lv_cal_well_moments(const lv_cal_well *w, double kT, double *mean, double *m2)
{
    if (!valid(w, kT)) return -1;
    double lo, hi, em;
    range(w, kT, &lo, &hi, &em);
    const double h = (hi - lo) / (GRID - 1);
    double z = 0, s1 = 0, s2 = 0;
    for (int k = 0; k < GRID; ++k) {
        double x = lo + h * k, p = simpson_w(k, h) * exp(-(energy(w, x) - em) / kT);
        z += p;
        s1 += p * x;
        s2 += p * x * x;
    }
    if (mean) *mean = s1 / z;
    if (m2) *m2 = s2 / z;
    return 0;
}

int lv_cal_well_kT_from_m2(const lv_cal_well *w, double m2, double *kT)
{
    if (!kT || !isfinite(m2) || m2 <= 0 || !valid(w, 1.0)) return -1;
    double a = log(1e-9), b = log(1e6), ma, mb;
    if (lv_cal_well_moments(w, exp(a), NULL, &ma) || lv_cal_well_moments(w, exp(b), NULL, &mb)) return -1;
    if (!(m2 > ma && m2 < mb)) return -1;
    for (int it = 0; it < 200 && b - a > 1e-13; ++it) {
        double c = 0.5 * (a + b), mc;
        if (lv_cal_well_moments(w, exp(c), NULL, &mc)) return -1;
        if (mc < m2) a = c;
        else b = c;
    }
    *kT = exp(0.5 * (a + b));
    return 0;
}

int lv_cal_well_cdf(const lv_cal_well *w, double kT, const double *xs, long n, double *cdf)
{
    if (!valid(w, kT) || n < 0 || (n && (!xs || !cdf))) return -1;
    double lo, hi, em;
    range(w, kT, &lo, &hi, &em);
    /* Cumulative trapezoid on a fine grid, then linear interpolation. */
    enum { FINE = 20001 };
    double *c = malloc(FINE * sizeof *c);
    if (!c) return -1;
    const double h = (hi - lo) / (FINE - 1);
    double prev = exp(-(energy(w, lo) - em) / kT);
    c[0] = 0;
    for (int k = 1; k < FINE; ++k) {
        double p = exp(-(energy(w, lo + h * k) - em) / kT);
        c[k] = c[k - 1] + 0.5 * h * (p + prev);
        prev = p;
    }
    const double z = c[FINE - 1];
    for (long i = 0; i < n; ++i) {
        double t = (xs[i] - lo) / h;
        if (t <= 0) cdf[i] = 0;
        else if (t >= FINE - 1) cdf[i] = 1;
        else {
            long k = (long)t;
            double f = t - (double)k;
            cdf[i] = ((1 - f) * c[k] + f * c[k + 1]) / z;
        }
    }
    free(c);
    return 0;
}

/* kT in [lo, hi] at which the variance at linear term w->c equals var. */
static int kT_from_var(const lv_cal_well *w, double var, double lo, double hi, double *kT)
{
    double a = log(lo), b = log(hi), m, m2;
    while (b - a > 1e-12) {
        double mid = 0.5 * (a + b);
        if (lv_cal_well_moments(w, exp(mid), &m, &m2)) return -1;
        if (m2 - m * m < var) a = mid;
        else b = mid;
    }
    *kT = exp(0.5 * (a + b));
    return 0;
}

int lv_cal_well_fit2(const lv_cal_well *w0, double mean, double var, double c0, double *kT, double *c)
{
    if (!w0 || !kT || !c || !isfinite(mean) || !isfinite(var) || var <= 0 || !isfinite(c0)) return -1;
    lv_cal_well w = *w0;
    w.c = c0;
    /* Start: kT from the variance at c0 (bisection around the harmonic guess
     * var * V''(mean)); then Newton steps: d<x>/dc = -var/kT exactly, and
     * var ~ kT^s locally with s measured by a 1 % step. */
    double t, m, m2, v;
    const double guess = var * (2 * w.j2 + 12 * w.j4 * (var + mean * mean));
    if (kT_from_var(&w, var, guess / 64, guess * 64, &t)) return -1;
    for (int it = 0; it < 50; ++it) {
        if (lv_cal_well_moments(&w, t, &m, &m2)) return -1;
        v = m2 - m * m;
        const double dc = (m - mean) * t / v;
        w.c += dc;
        double ma, m2a, mb, m2b;
        if (lv_cal_well_moments(&w, t, &ma, &m2a) || lv_cal_well_moments(&w, t * 1.01, &mb, &m2b)) return -1;
        const double va = m2a - ma * ma, vb = m2b - mb * mb, sl = log(vb / va) / log(1.01);
        if (!(sl > 0.05 && sl < 20)) return -1;
        double f = pow(var / va, 1 / sl);
        f = f < 0.5 ? 0.5 : f > 2 ? 2 : f;
        t *= f;
        if (fabs(f - 1) < 1e-11 && fabs(dc) < 1e-11 * (1 + fabs(w.c))) break;
    }
    if (!(t > 1e-9 && t < 1e6) || !isfinite(w.c)) return -1;
    *kT = t;
    *c = w.c;
    return 0;
}

int lv_cal_well_kT_at_c(const lv_cal_well *w, double var, double kT0, double *kT)
{
    if (!w || !kT || !(kT0 > 0) || !(var > 0)) return -1;
    return kT_from_var(w, var, kT0 / 4, kT0 * 4, kT);
}
