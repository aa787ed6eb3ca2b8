/* test_quality.c - sample-quality figures (lv_quality_eval) on samples whose
 * correlations with the reference digits are known by construction, and
 * the statistics helpers (lv_summarize, lv_pearson, lv_ks_distance) against
 * hand-computed values. */
#include <stdint.h>
#include <string.h>

#include "quality.h"
#include "stats.h"
#include "test_util.h"

enum { NV = 100, ND = 3 };

static uint64_t lcg = 0xda3e39cb94b95bdbull;
static double urand(void) /* [-1, 1) */
{
    lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(lcg >> 11) / 9007199254740992.0 * 2.0 - 1.0;
}

static double dot(const double *a, const double *b)
{
    double s = 0;
    for (int i = 0; i < NV; ++i) s += a[i] * b[i];
    return s;
}

/* Centre and scale to unit norm. */
static void normalise(double *a)
{
    double m = 0;
    for (int i = 0; i < NV; ++i) m += a[i] / NV;
    for (int i = 0; i < NV; ++i) a[i] -= m;
    double n = sqrt(dot(a, a));
    for (int i = 0; i < NV; ++i) a[i] /= n;
}

/* Zero-mean, unit-norm, mutually orthogonal "digits" u[0..k), by
 * Gram-Schmidt on random vectors. */
static void orthonormal(double *u, int k)
{
    for (int d = 0; d < k; ++d) {
        double *v = u + d * NV;
        for (int i = 0; i < NV; ++i) v[i] = urand();
        normalise(v);
        for (int pass = 0; pass < 2; ++pass)
            for (int e = 0; e < d; ++e) {
                double c = dot(v, u + e * NV);
                for (int i = 0; i < NV; ++i) v[i] -= c * u[e * NV + i];
            }
        normalise(v);
    }
}

static void test_exact_copies(const double *digits)
{
    /* 5 copies of digit 0, 3 of digit 1, 2 of digit 2, each rescaled and
     * shifted (Pearson r is invariant to both). */
    enum { n = 10 };
    static double s[n * NV];
    const int which[n] = {0, 1, 0, 2, 0, 1, 0, 2, 1, 0};
    for (int k = 0; k < n; ++k)
        for (int i = 0; i < NV; ++i) s[k * NV + i] = 3.0 * digits[which[k] * NV + i] + 0.5 * k;
    lv_quality q;
    lv_error err;
    CHECK(lv_quality_eval(s, n, NV, digits, ND, &q, &err) == 0);
    CHECK_NEAR(q.mean_match, 1.0, 1e-12);
    CHECK_NEAR(q.coverage[0], 0.5, 1e-15);
    CHECK_NEAR(q.coverage[1], 0.3, 1e-15);
    CHECK_NEAR(q.coverage[2], 0.2, 1e-15);
    CHECK_NEAR(q.min_coverage, 0.2, 1e-15);
    CHECK(q.frac_inverted == 0.0);
    CHECK(q.frac_copies == 1.0);
    CHECK(q.frac_above_05 == 1.0 && q.frac_above_07 == 1.0);
    for (int k = 0; k < n; ++k) {
        CHECK(q.best[k] == which[k]);
        CHECK_NEAR(q.r_best[k], 1.0, 1e-12);
    }
    /* Every sample has an exact twin among the others. */
    CHECK_NEAR(q.mean_sample_nn, 1.0, 1e-12);
    CHECK(q.n == n && q.ndigits == ND);
    lv_quality_free(&q);
}

static void test_inverted(const double *digits)
{
    /* -P: a perfect but inverted match. 2 inverted of digit 2, 2 upright of
     * digit 1. */
    enum { n = 4 };
    static double s[n * NV];
    for (int i = 0; i < NV; ++i) {
        s[0 * NV + i] = -digits[2 * NV + i];
        s[1 * NV + i] = digits[1 * NV + i];
        s[2 * NV + i] = -2.0 * digits[2 * NV + i] + 1.0;
        s[3 * NV + i] = 0.1 * digits[1 * NV + i];
    }
    lv_quality q;
    lv_error err;
    CHECK(lv_quality_eval(s, n, NV, digits, ND, &q, &err) == 0);
    CHECK_NEAR(q.mean_match, 1.0, 1e-12);
    CHECK_NEAR(q.frac_inverted, 0.5, 1e-15);
    CHECK(q.best[0] == 2 && q.best[1] == 1 && q.best[2] == 2 && q.best[3] == 1);
    CHECK_NEAR(q.r_best[0], -1.0, 1e-12);
    CHECK_NEAR(q.r_best[2], -1.0, 1e-12);
    CHECK_NEAR(q.r_best[1], 1.0, 1e-12);
    CHECK_NEAR(q.coverage[0], 0.0, 0);
    CHECK_NEAR(q.coverage[1], 0.5, 1e-15);
    CHECK_NEAR(q.coverage[2], 0.5, 1e-15);
    CHECK(q.min_coverage == 0.0);
    CHECK(q.frac_copies == 1.0); /* inverted copies are copies too */
    lv_quality_free(&q);
}

/* Samples with a prescribed correlation r with one digit:
 * s = r u_d + sqrt(1 - r^2) w, w zero-mean, unit-norm, orthogonal to all
 * digits. */
static void make_sample(const double *digits, int d, double r, double *s)
{
    double w[NV];
    for (int i = 0; i < NV; ++i) w[i] = urand();
    normalise(w);
    for (int pass = 0; pass < 2; ++pass)
        for (int e = 0; e < ND; ++e) {
            double c = dot(w, digits + e * NV);
            for (int i = 0; i < NV; ++i) w[i] -= c * digits[e * NV + i];
        }
    normalise(w);
    for (int i = 0; i < NV; ++i) s[i] = r * digits[d * NV + i] + sqrt(1 - r * r) * w[i];
}

static void test_thresholds(const double *digits)
{
    /* Correlations 0.96 (copy), 0.94, 0.8, 0.6, -0.75, 0.3: match > 0.5 for
     * 5, > 0.7 for 4, copies 1, inverted 1. */
    enum { n = 6 };
    const double rs[n] = {0.96, 0.94, 0.8, 0.6, -0.75, 0.3};
    const int ds[n] = {0, 1, 2, 0, 1, 2};
    static double s[n * NV];
    for (int k = 0; k < n; ++k) make_sample(digits, ds[k], rs[k], s + k * NV);
    lv_quality q;
    lv_error err;
    CHECK(lv_quality_eval(s, n, NV, digits, ND, &q, &err) == 0);
    double want_mean = (0.96 + 0.94 + 0.8 + 0.6 + 0.75 + 0.3) / 6;
    CHECK_NEAR(q.mean_match, want_mean, 1e-12);
    CHECK_NEAR(q.frac_copies, 1.0 / 6, 1e-15);
    CHECK_NEAR(q.frac_above_05, 5.0 / 6, 1e-15);
    CHECK_NEAR(q.frac_above_07, 4.0 / 6, 1e-15);
    CHECK_NEAR(q.frac_inverted, 1.0 / 6, 1e-15);
    for (int k = 0; k < n; ++k) {
        CHECK(q.best[k] == ds[k]);
        CHECK_NEAR(q.r_best[k], rs[k], 1e-12);
    }
    lv_quality_free(&q);

    /* The best digit is the one with the largest |r|, not the largest r:
     * r = +0.6 with digit 0 and -0.8 with digit 1. */
    double s2[NV];
    for (int i = 0; i < NV; ++i) s2[i] = 0.6 * digits[i] - 0.8 * digits[NV + i];
    CHECK(lv_quality_eval(s2, 1, NV, digits, ND, &q, &err) == 0);
    CHECK(q.best[0] == 1);
    CHECK_NEAR(q.r_best[0], -0.8, 1e-12);
    CHECK(q.frac_inverted == 1.0);
    CHECK(isnan(q.mean_sample_nn)); /* a single sample has no neighbour */
    lv_quality_free(&q);
}

static void test_noise(const double *digits)
{
    /* Independent noise: |r| ~ 1/sqrt(NV) = 0.1 with each digit. */
    enum { n = 200 };
    static double s[n * NV];
    for (int k = 0; k < n * NV; ++k) s[k] = urand();
    lv_quality q;
    lv_error err;
    CHECK(lv_quality_eval(s, n, NV, digits, ND, &q, &err) == 0);
    printf("noise: mean match %.3f, above 0.5 %.3f, sample nn %.3f\n", q.mean_match, q.frac_above_05,
           q.mean_sample_nn);
    /* E max_d |r| over 3 digits ~ 0.13; anything near 0.3 is wrong. */
    CHECK(q.mean_match > 0.05 && q.mean_match < 0.2);
    CHECK(q.frac_above_05 == 0.0);
    CHECK(q.frac_copies == 0.0);
    CHECK(q.mean_sample_nn < 0.5);
    double cs = 0;
    for (int d = 0; d < ND; ++d) cs += q.coverage[d];
    CHECK_NEAR(cs, 1.0, 1e-12);
    /* Inversion is a coin flip for noise. */
    CHECK(q.frac_inverted > 0.3 && q.frac_inverted < 0.7);
    lv_quality_free(&q);
}

static void test_errors(const double *digits)
{
    lv_quality q;
    lv_error err;
    double s[NV] = {0};
    memset(&err, 0, sizeof err);
    CHECK(lv_quality_eval(s, 0, NV, digits, ND, &q, &err) < 0);
    CHECK(strlen(err.msg) > 0);
    CHECK(lv_quality_eval(s, 1, NV, digits, 0, &q, &err) < 0);
    CHECK(lv_quality_eval(s, 1, 1, digits, ND, &q, &err) < 0);
    /* A constant sample correlates with nothing: match 0 (not NaN). */
    CHECK(lv_quality_eval(s, 1, NV, digits, ND, &q, &err) == 0);
    CHECK(q.mean_match == 0.0);
    lv_quality_free(&q);
}

static void test_stats(void)
{
    /* lv_summarize */
    const double x[8] = {2, 4, 4, 4, 5, 5, 7, 9};
    lv_summary s = lv_summarize(x, 8);
    CHECK(s.n == 8);
    CHECK_NEAR(s.mean, 5.0, 1e-15);
    CHECK_NEAR(s.std, sqrt(32.0 / 7.0), 1e-14); /* sum of squares 32, n - 1 = 7 */
    CHECK_NEAR(s.sem, sqrt(32.0 / 7.0) / sqrt(8.0), 1e-14);
    CHECK(s.min == 2.0 && s.max == 9.0);
    const double y[3] = {-1.5, -7.25, 3.0};
    s = lv_summarize(y, 3);
    CHECK_NEAR(s.mean, -5.75 / 3, 1e-15);
    CHECK(s.min == -7.25 && s.max == 3.0);
    /* deviations: 0.41667, -5.33333, 4.91667: ss = 0.173611 + 28.444444 + 24.173611 = 52.791667 */
    CHECK_NEAR(s.std, sqrt(52.791666666666667 / 2), 1e-12);
    s = lv_summarize(y, 1);
    CHECK(s.n == 1 && s.mean == -1.5 && s.std == 0.0 && s.sem == 0.0 && s.min == -1.5 && s.max == -1.5);
    s = lv_summarize(NULL, 0);
    CHECK(s.n == 0 && s.mean == 0.0 && s.std == 0.0);

    /* lv_pearson */
    const double a[5] = {1, 2, 3, 4, 5}, b[5] = {2, 4, 6, 8, 10}, c[5] = {5, 4, 3, 2, 1}, k[5] = {3, 3, 3, 3, 3};
    const double d[5] = {1, 3, 2, 5, 4};
    CHECK_NEAR(lv_pearson(a, b, 5), 1.0, 1e-15);
    CHECK_NEAR(lv_pearson(a, c, 5), -1.0, 1e-15);
    CHECK(lv_pearson(a, k, 5) == 0.0);
    CHECK_NEAR(lv_pearson(a, d, 5), 0.8, 1e-15); /* sab = 8, saa = sbb = 10 */

    /* lv_ks_distance, by hand.
     * a = {1,2,3}, b = {1.5,2.5,3.5,4.5}: F_a - F_b at 1, 1.5, 2, 2.5, 3, 3.5
     * = 1/3, 1/12, 5/12, 1/6, 1/2, 1/4 -> D = 1/2. */
    const double ka[3] = {3, 1, 2}, kb[4] = {4.5, 1.5, 3.5, 2.5};
    CHECK_NEAR(lv_ks_distance(ka, 3, kb, 4), 0.5, 1e-15);
    CHECK_NEAR(lv_ks_distance(kb, 4, ka, 3), 0.5, 1e-15);
    CHECK(ka[0] == 3 && kb[0] == 4.5); /* inputs untouched */
    /* Ties across and within samples: a = {1,2,2,3}, b = {2,2}:
     * at 1: 1/4 - 0; at 2: 3/4 - 1; at 3: 0 -> D = 1/4.  (Stepping through
     * tied values one at a time would report 1/2.) */
    const double ta[4] = {2, 1, 3, 2}, tb[2] = {2, 2};
    CHECK_NEAR(lv_ks_distance(ta, 4, tb, 2), 0.25, 1e-15);
    CHECK_NEAR(lv_ks_distance(tb, 2, ta, 4), 0.25, 1e-15);
    /* Identical samples: 0; disjoint: 1. */
    CHECK(lv_ks_distance(ta, 4, ta, 4) == 0.0);
    const double lo[3] = {-3, -2, -1}, hi[2] = {10, 11};
    CHECK(lv_ks_distance(lo, 3, hi, 2) == 1.0);
    CHECK(lv_ks_distance(hi, 2, lo, 3) == 1.0);
    /* Interleaved: a = {1,3,5,7}, b = {2,4,6,8}: D = 1/4. */
    const double ia[4] = {1, 3, 5, 7}, ib[4] = {2, 4, 6, 8};
    CHECK_NEAR(lv_ks_distance(ia, 4, ib, 4), 0.25, 1e-15);
    /* b shifted: a = {1,2,3,4}, b = {3,4,5,6}: at 2, F_a = 1/2, F_b = 0 -> D = 1/2. */
    const double sa[4] = {1, 2, 3, 4}, sb[4] = {3, 4, 5, 6};
    CHECK_NEAR(lv_ks_distance(sa, 4, sb, 4), 0.5, 1e-15);
    CHECK(isnan(lv_ks_distance(sa, 0, sb, 4)));
}

int main(void)
{
    static double digits[ND * NV];
    orthonormal(digits, ND);
    /* Sanity of the construction itself. */
    CHECK_NEAR(dot(digits, digits + NV), 0.0, 1e-12);
    CHECK_NEAR(lv_pearson(digits, digits + 2 * NV, NV), 0.0, 1e-12);
    test_exact_copies(digits);
    test_inverted(digits);
    test_thresholds(digits);
    test_noise(digits);
    test_errors(digits);
    test_stats();
    return lv_test_report("test_quality");
}
