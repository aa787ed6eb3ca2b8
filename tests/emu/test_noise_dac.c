/* test_noise_dac.c - noise DAC, colour filter, gain and offset
 * (docs/fixed-point.md §6) and the gain calibration (§9): DAC codes
 * (exhaustive), the exact sigma_d against an independent double-precision
 * convolution and a Monte-Carlo estimate, ca, block vs scalar, eta's standard
 * deviation, mean and lag-1 autocorrelation against their targets (white,
 * offset, coloured), the colour filter's worst-case bound, and argument
 * validation.
 *
 * `test_noise_dac --report [samples]` prints the tables of docs/noise.md
 * (measured moments, per-Bn sigma_d, colour, throughput) instead. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "noise_dac.h"
#include "noise_source.h"

#include "test_util.h"

/* sqrt(2 mu kT dt) * 2^Fx with mu dt = 1e-3, Fx = 20 (docs/physics.md,
 * docs/fixed-point.md §2): the default kT = 0.1, and kT = 1. */
static const double SIGMA_DEFAULT = 14829.104; /* sqrt(2e-4) * 2^20 */
static const double SIGMA_KT1 = 46893.744;      /* sqrt(2e-3) * 2^20 */

/* ---- DAC code and ca ----------------------------------------------------- */

static void test_code(void)
{
    int bad = 0;
    for (int bn = LV_DAC_BN_MIN; bn <= LV_DAC_BN_MAX; ++bn) {
        int32_t lim = (1 << (bn - 1)) - 1, prev = INT32_MIN, dmax = 0;
        for (int32_t z = -6138; z <= 6138; ++z) {
            int32_t d = lv_dac_code(z, bn);
            int32_t want = (int32_t)lround(ldexp(z, bn - 14)); /* lround: half away from zero */
            if (d != want || d > lim || d < -lim || d < prev || lv_dac_code(-z, bn) != -d)
                BULK_FAIL(bad, "bn %d z %d: d %d (want %d, limit %d)", bn, z, d, want, lim);
            prev = d;
            dmax = d > dmax ? d : dmax;
        }
        if (lv_dac_code(0, bn) != 0 || dmax != lv_dac_code(6138, bn))
            BULK_FAIL(bad, "bn %d: d(0) or max wrong", bn);
    }
    CHECK_MSG(bad == 0, "%d DAC codes wrong or out of range", bad);
    CHECK(lv_dac_code(6138, 14) == 6138 && lv_dac_code(6138, 2) == 1 && lv_dac_code(6138, 3) == 3);
    CHECK(lv_dac_code(2048, 2) == 1 && lv_dac_code(2047, 2) == 0 && lv_dac_code(-2048, 2) == -1);
}

static void test_colour_c(void)
{
    int bad = 0;
    for (uint32_t a = 0; a < 32768; ++a) {
        double x = a / 32768.0;
        long want = lround(sqrt(1.0 - x * x) * 32768.0);
        if (lv_dac_colour_c((uint16_t)a) != want)
            BULK_FAIL(bad, "a %u: ca %u want %ld", a, lv_dac_colour_c((uint16_t)a), want);
    }
    CHECK_MSG(bad == 0, "%d ca values wrong", bad);
    CHECK(lv_dac_colour_c(0) == 32768 && lv_dac_colour_c(32767) == 256);
    CHECK(lv_dac_colour_c(32768) == 0 && lv_dac_colour_c(65535) == 0);
}

/* ---- sigma_d ------------------------------------------------------------- */

/* Independent: the pmf of z by direct (non-sliding) convolution in double. */
static double *pmf_z(void)
{
    enum { L = 12 * 1023 + 1 };
    double *p = calloc(L, sizeof *p), *q = calloc(L, sizeof *q);
    if (!p || !q)
        abort();
    for (int s = 0; s < 1024; ++s)
        p[s] = 1.0 / 1024;
    for (int k = 2, len = 1024; k <= 12; ++k) {
        int nlen = len + 1023;
        for (int s = 0; s < nlen; ++s) {
            double acc = 0;
            int lo = s - 1023 > 0 ? s - 1023 : 0, hi = s < len - 1 ? s : len - 1;
            for (int j = lo; j <= hi; ++j)
                acc += p[j];
            q[s] = acc / 1024;
        }
        memcpy(p, q, sizeof *p * nlen);
        len = nlen;
    }
    free(q);
    return p;
}

static void test_sigma_d_exact(void)
{
    double *p = pmf_z();
    double tot = 0;
    for (int s = 0; s < 12277; ++s)
        tot += p[s];
    CHECK_MSG(fabs(tot - 1) < 1e-13, "pmf sums to %.17g", tot);
    for (int bn = LV_DAC_BN_MIN; bn <= LV_DAC_BN_MAX; ++bn) {
        double m1 = 0, m2 = 0;
        for (int s = 0; s < 12277; ++s) {
            double d = lv_dac_code(s - 6138, bn);
            m1 += p[s] * d;
            m2 += p[s] * d * d;
        }
        double sd = lv_dac_sigma_d(bn), ref = sqrt(m2);
        CHECK_MSG(fabs(sd - ref) <= 1e-12 * ref, "bn %d: sigma_d %.17g, convolution %.17g", bn, sd, ref);
        CHECK_MSG(fabs(m1) < 1e-12, "bn %d: mean of d %.3g", bn, m1);
    }
    free(p);
    double s14 = lv_dac_sigma_d(14);
    CHECK_MSG(fabs(s14 * s14 - 1048575.0) <= 1e-15 * 1048575.0 * 4, "sigma_d(14)^2 = %.17g", s14 * s14);
    CHECK(isnan(lv_dac_sigma_d(1)) && isnan(lv_dac_sigma_d(15)) && isnan(lv_dac_sigma_d(-3)));
}

/* Monte-Carlo: 2e6 samples; SE of a sample std = sigma sqrt((kurt - 1) / (4 n)). */
static void test_sigma_d_mc(void)
{
    enum { N = 2000000 };
    static int32_t z[N];
    lv_noise_z_block(0xDAC0DAC0ull, 5, 0, N, z);
    static const int bns[] = {2, 3, 4, 6, 8, 10, 12, 14};
    for (size_t k = 0; k < sizeof bns / sizeof bns[0]; ++k) {
        int bn = bns[k];
        double s2 = 0, s4 = 0;
        for (int i = 0; i < N; ++i) {
            double d = lv_dac_code(z[i], bn);
            s2 += d * d;
            s4 += d * d * d * d;
        }
        double var = s2 / N, kurt = s4 / N / (var * var), sd = sqrt(var), ex = lv_dac_sigma_d(bn);
        double se = ex * sqrt((kurt - 1) / (4.0 * N));
        CHECK_MSG(fabs(sd - ex) <= 5 * se, "bn %d: Monte-Carlo sigma_d %.6f, exact %.6f, 5 SE = %.2g", bn,
                  sd, ex, 5 * se);
    }
}

/* ---- eta ----------------------------------------------------------------- */

static void test_block_vs_scalar(void)
{
    enum { U = 1296, T = 60 };
    static int32_t z[U];
    static int64_t st_b[U], st_s[U], eta[U];
    lv_noise_dac dacs[4];
    lv_error err;
    CHECK(lv_dac_init(&dacs[0], 14, 4000000, 0, 0, &err) == 0);
    CHECK(lv_dac_init(&dacs[1], 5, 123456789, -987654, 0, &err) == 0);
    CHECK(lv_dac_init(&dacs[2], 9, 4294967295u, 2147483647, 29491, &err) == 0);
    CHECK(lv_dac_init(&dacs[3], 2, 77777, -2147483647, 32767, &err) == 0);
    int bad = 0;
    for (int c = 0; c < 4; ++c) {
        const lv_noise_dac *dac = &dacs[c];
        memset(st_b, 0, sizeof st_b);
        memset(st_s, 0, sizeof st_s);
        for (uint32_t t = 0; t < T; ++t) {
            lv_noise_z_block(99, t, 0, U, z);
            lv_dac_eta_block(dac, z, U, dac->a ? st_b : NULL, eta);
            for (int i = 0; i < U; ++i) {
                int64_t sentinel = 0x5555;
                int64_t e = lv_dac_eta(dac, lv_dac_code(z[i], dac->bn), dac->a ? &st_s[i] : &sentinel);
                if (e != eta[i] || st_s[i] != st_b[i] || sentinel != 0x5555)
                    BULK_FAIL(bad, "config %d tick %u unit %d: block %lld scalar %lld", c, t, i,
                              (long long)eta[i], (long long)e);
            }
        }
    }
    CHECK_MSG(bad == 0, "%d block/scalar differences", bad);
    /* white: n = d * 2^8 exactly, eta = rnd(G d 2^8 + O 2^8, 24) */
    lv_noise_dac w = {14, 65536, 0, 0, 32768};
    CHECK(lv_dac_eta(&w, 1000, NULL) == 1000 && lv_dac_eta(&w, -7, NULL) == -7);
    w.gain = 32768; /* half an LSB per code: ties round away from zero */
    CHECK(lv_dac_eta(&w, 1, NULL) == 1 && lv_dac_eta(&w, -1, NULL) == -1 && lv_dac_eta(&w, 2, NULL) == 1);
    w.offset = 65536 * 3; /* +3 LSB */
    CHECK(lv_dac_eta(&w, 0, NULL) == 3 && lv_dac_eta(&w, -2, NULL) == 2);
}

/* The colour filter's worst case (a = 2^15 - 1, d held at +-6138) stays at
 * the bound documented in noise_dac.h, and eta is exact there with the
 * largest gain and offset (no int64 overflow). */
static void test_filter_bound(void)
{
    lv_noise_dac dac;
    lv_error err;
    CHECK(lv_dac_init(&dac, 14, UINT32_MAX, INT32_MAX, 32767, &err) == 0);
    for (int sgn = -1; sgn <= 1; sgn += 2) {
        int64_t st = 0, nmax = 0, e = 0;
        for (int t = 0; t < 2000000; ++t) {
            e = lv_dac_eta(&dac, sgn * 6138, &st);
            nmax = llabs(st) > nmax ? llabs(st) : nmax;
        }
        CHECK_MSG(nmax <= 402292736 && nmax > 400000000, "filter reached |n| = %lld", (long long)nmax);
        long double ref = roundl(((long double)UINT32_MAX * st + (long double)INT32_MAX * 256) / 16777216.0L);
        CHECK_MSG((long double)e == ref, "eta %lld, exact %.1Lf", (long long)e, ref);
    }
}

typedef struct {
    const char *name;
    int bn;
    double a_frac; /* a / 2^15 (rounded to Q1.15) */
    double offset_lsb;
    double sigma;
} eta_case;

typedef struct {
    double mean, sd, r1, kurt;
    double want_sd, want_mean, want_r1;
    double tol_sd, tol_mean, tol_r1;
    uint32_t gain;
} eta_stats;

/* Run U units for T ticks after a burn-in, accumulating mean, std, kurtosis
 * and the lag-1 autocorrelation of eta per unit.  Tolerances: 5 standard
 * errors of each estimator for an AR(1) process with coefficient rho over n
 * samples (variance: (|kurt - 3| + 2 (1 + rho^2) / (1 - rho^2)) / n relative,
 * mean: sigma^2 (1 + rho) / (1 - rho) / n, r1: (1 - rho^2) / n), plus the
 * deterministic errors: G's rounding (0.5 / G relative), the colour filter's
 * rounding (noise_dac.h), and 0.5 LSB of eta's rounding for the mean. */
static int eta_run(const eta_case *c, int U, int T, eta_stats *o, lv_error *err)
{
    uint16_t a = (uint16_t)lround(c->a_frac * 32768);
    int32_t off = (int32_t)lround(c->offset_lsb * 65536);
    uint32_t g;
    lv_noise_dac dac;
    if (lv_dac_gain(c->sigma, c->bn, a, 0.0, &g, err) != 0 || lv_dac_init(&dac, c->bn, g, off, a, err) != 0)
        return -1;
    int32_t *z = malloc(sizeof *z * U);
    int64_t *st = calloc(U, sizeof *st), *eta = malloc(sizeof *eta * U), *prev = malloc(sizeof *prev * U);
    if (!z || !st || !eta || !prev)
        abort();
    double rho = a / 32768.0;
    int burn = a ? (int)ceil(25.0 / (1.0 - rho)) : 0;
    double s1 = 0, s2 = 0, s3 = 0, s4 = 0, sl = 0, sp1 = 0, sp0 = 0;
    long npair = 0;
    for (int t = 0; t < burn + T; ++t) {
        lv_noise_z_block(0xE7Aull + (uint64_t)c->bn, (uint32_t)t, 0, (size_t)U, z);
        lv_dac_eta_block(&dac, z, (size_t)U, a ? st : NULL, eta);
        if (t >= burn) {
            double p1 = 0, p2 = 0, p3 = 0, p4 = 0, pl = 0, q1 = 0, q0 = 0;
            for (int i = 0; i < U; ++i) {
                double e = (double)eta[i];
                p1 += e;
                p2 += e * e;
                p3 += e * e * e;
                p4 += e * e * e * e;
                if (t > burn) {
                    pl += e * (double)prev[i];
                    q1 += e;
                    q0 += (double)prev[i];
                }
                prev[i] = eta[i];
            }
            s1 += p1, s2 += p2, s3 += p3, s4 += p4, sl += pl, sp1 += q1, sp0 += q0;
            if (t > burn)
                npair += U;
        } else {
            memcpy(prev, eta, sizeof *prev * U);
        }
    }
    double n = (double)U * T;
    o->mean = s1 / n;
    double var = s2 / n - o->mean * o->mean;
    o->sd = sqrt(var);
    {
        double m = o->mean, e2 = s2 / n, e3 = s3 / n, e4 = s4 / n;
        o->kurt = (e4 - 4 * m * e3 + 6 * m * m * e2 - 3 * m * m * m * m) / (var * var);
    }
    double cov1 = sl / npair - (sp1 / npair) * (sp0 / npair);
    o->r1 = cov1 / var;
    o->gain = g;
    o->want_sd = c->sigma;
    o->want_mean = off / 65536.0;
    o->want_r1 = rho;
    double filt = a ? 1.0 / (512.0 * lv_dac_sigma_d(c->bn) * (1 - rho)) : 0;
    o->tol_sd = c->sigma * (5 * 0.5 * sqrt((fabs(o->kurt - 3) + 2 * (1 + rho * rho) / (1 - rho * rho)) / n) +
                            0.5 / g + filt);
    o->tol_mean = 5 * c->sigma * sqrt((1 + rho) / (1 - rho) / n) + 0.5;
    o->tol_r1 = 5 * sqrt((1 - rho * rho) / npair) + filt;
    free(z), free(st), free(eta), free(prev);
    return 0;
}

static const eta_case CASES[] = {
    {"Bn=14 white, kT=1", 14, 0.0, 0.0, 46893.744},
    {"Bn=6 white, offset +12.25 LSB", 6, 0.0, 12.25, 1000.0},
    {"Bn=4 a=0.5, offset -3 LSB, kT=1", 4, 0.5, -3.0, 46893.744},
    {"Bn=10 a=0.9, kT=0.1", 10, 0.9, 0.0, 14829.104},
    {"Bn=14 a=0.99, offset +0.5 LSB", 14, 0.99, 0.5, 1000.0},
};

static void test_eta_stats(void)
{
    for (size_t k = 0; k < sizeof CASES / sizeof CASES[0]; ++k) {
        eta_stats s;
        lv_error err;
        int rc = eta_run(&CASES[k], 2048, 1500, &s, &err);
        CHECK_MSG(rc == 0, "%s: %s", CASES[k].name, err.msg);
        if (rc)
            continue;
        printf("%-32s G %10u  sd %.2f (%.2f)  mean %.3f (%.3f)  r1 %.5f (%.5f)\n", CASES[k].name, s.gain,
               s.sd, s.want_sd, s.mean, s.want_mean, s.r1, s.want_r1);
        CHECK_MSG(fabs(s.sd - s.want_sd) <= s.tol_sd, "%s: sd %.3f, target %.3f, tol %.3f", CASES[k].name,
                  s.sd, s.want_sd, s.tol_sd);
        CHECK_MSG(fabs(s.mean - s.want_mean) <= s.tol_mean, "%s: mean %.3f, target %.3f, tol %.3f",
                  CASES[k].name, s.mean, s.want_mean, s.tol_mean);
        CHECK_MSG(fabs(s.r1 - s.want_r1) <= s.tol_r1, "%s: r1 %.5f, target %.5f, tol %.5f", CASES[k].name,
                  s.r1, s.want_r1, s.tol_r1);
    }
}

/* ---- gain and validation ------------------------------------------------- */

static void test_gain(void)
{
    lv_error err;
    uint32_t g = 0, g2 = 0;
    CHECK(lv_dac_gain(SIGMA_DEFAULT, 14, 0, 0.0, &g, &err) == 0);
    CHECK(lv_dac_gain(SIGMA_DEFAULT, 3, 0, 0.0, &g2, &err) == 0); /* Bn = 3 reaches the default */
    double sn = lv_dac_sigma_n(14, 0, 32768);
    CHECK_MSG(fabs(sn - sqrt(1048575.0) * 256) < 1e-9, "sigma_n %.12g", sn);
    CHECK_MSG(g == (uint32_t)llround(SIGMA_DEFAULT / sn * 16777216.0), "G = %u", g);
    CHECK_MSG(fabs(g * sn / 16777216.0 - SIGMA_DEFAULT) <= 0.5 * sn / 16777216.0, "G = %u", g);
    CHECK(lv_dac_gain(SIGMA_DEFAULT, 14, 0, 0.01, &g2, &err) == 0);
    CHECK_MSG(fabs((double)g2 / g - 1.01) < 1e-6, "trim: %u / %u", g2, g);
    CHECK(lv_dac_gain(0.0, 8, 0, 0.0, &g, &err) == 0 && g == 0);
    /* colour: sigma_n uses ca, G follows */
    uint16_t a = 29491, ca = lv_dac_colour_c(a);
    double snc = lv_dac_sigma_n(10, a, ca);
    CHECK(fabs(snc / (lv_dac_sigma_d(10) * 256) - (ca / 32768.0) / sqrt(1 - (a / 32768.0) * (a / 32768.0))) < 1e-12);
    CHECK(lv_dac_gain(1000.0, 10, a, 0.0, &g, &err) == 0 && g == (uint32_t)llround(1000.0 / snc * 16777216.0));
    CHECK(isnan(lv_dac_sigma_n(1, 0, 32768)) && isnan(lv_dac_sigma_n(14, 32768, 0)));

    /* rejected arguments: each returns nonzero, writes a message, leaves *gain */
    struct {
        double sigma;
        int bn;
        unsigned a;
        double trim;
        const char *what;
    } bad[] = {
        {1000, 1, 0, 0, "Bn"},           {1000, 15, 0, 0, "Bn"},           {1000, 14, 32768, 0, "a = "},
        {1000, 14, 65535, 0, "a = "},    {NAN, 14, 0, 0, "sigma"},         {-1, 14, 0, 0, "sigma"},
        {INFINITY, 14, 0, 0, "sigma"},   {1000, 14, 0, NAN, "trim"},       {1000, 14, 0, -2, "trim"},
        {1000, 14, 0, INFINITY, "trim"}, {1e9, 14, 0, 0, "32-bit"},        {SIGMA_DEFAULT, 2, 0, 0, "32-bit"}, {SIGMA_KT1, 3, 0, 0, "32-bit"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; ++k) {
        g = 4242;
        err.msg[0] = 0;
        int rc = lv_dac_gain(bad[k].sigma, bad[k].bn, (uint16_t)bad[k].a, bad[k].trim, &g, &err);
        CHECK_MSG(rc != 0 && g == 4242 && strstr(err.msg, bad[k].what) != NULL,
                  "case %zu (sigma %g, bn %d, a %u, trim %g): rc %d, msg \"%s\"", k, bad[k].sigma, bad[k].bn,
                  bad[k].a, bad[k].trim, rc, err.msg);
    }
    printf("example gain error: %s\n", err.msg);
    CHECK(lv_dac_gain(1000, 14, 0, 0, NULL, &err) != 0);
    CHECK(lv_dac_gain(1000, 14, 0, 0, NULL, NULL) != 0); /* err may be NULL */
}

static void test_init_check(void)
{
    lv_noise_dac d;
    lv_error err;
    CHECK(lv_dac_init(&d, 8, 1000, -5, 16384, &err) == 0);
    CHECK(d.bn == 8 && d.gain == 1000 && d.offset == -5 && d.a == 16384 && d.ca == lv_dac_colour_c(16384));
    CHECK(lv_dac_check(&d, &err) == 0);
    CHECK(lv_dac_init(&d, 1, 0, 0, 0, &err) != 0 && strstr(err.msg, "Bn") != NULL);
    CHECK(lv_dac_init(&d, 15, 0, 0, 0, &err) != 0);
    CHECK(lv_dac_init(&d, 8, 0, 0, 32768, &err) != 0 && strstr(err.msg, "32768") != NULL);
    CHECK(lv_dac_init(&d, 8, 0, INT32_MIN, 0, &err) != 0);
    CHECK(lv_dac_init(NULL, 8, 0, 0, 0, &err) != 0);
    lv_noise_dac w = {8, 1000, 0, 1000, 32768}; /* ca inconsistent with a (32753) */
    CHECK(lv_dac_check(&w, &err) != 0 && strstr(err.msg, "ca") != NULL);
    CHECK(lv_dac_check(NULL, &err) != 0);
}

/* ---- report (docs/noise.md) ---------------------------------------------- */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static int report(long long nsamp)
{
    enum { U = 1296 };
    const int T = nsamp > 2 * U ? (int)((nsamp + U - 1) / U) : 2;
    const double n = (double)U * T;
    static int32_t z[U], zp[U];
    const double var0 = 1048575.0, sd0 = sqrt(var0);
    /* source moments: exact integer power sums per tick */
    double s1 = 0, s2 = 0, s3 = 0, s4 = 0, lt = 0, lu = 0;
    int32_t zmin = 0, zmax = 0;
    for (int t = 0; t < T; ++t) {
        lv_noise_z_block(0x4E4F495345ull, (uint32_t)t, 0, U, z);
        int64_t p1 = 0, p2 = 0, p3 = 0, pt = 0, pu = 0;
        uint64_t p4 = 0;
        for (int i = 0; i < U; ++i) {
            int64_t v = z[i], v2 = v * v;
            p1 += v, p2 += v2, p3 += v2 * v, p4 += (uint64_t)(v2 * v2);
            if (t)
                pt += v * zp[i];
            if (i)
                pu += v * z[i - 1];
            zmin = z[i] < zmin ? z[i] : zmin;
            zmax = z[i] > zmax ? z[i] : zmax;
        }
        s1 += (double)p1, s2 += (double)p2, s3 += (double)p3, s4 += (double)p4, lt += (double)pt,
            lu += (double)pu;
        memcpy(zp, z, sizeof z);
    }
    double mean = s1 / n, var = s2 / n - mean * mean;
    double m3 = s3 / n - 3 * mean * s2 / n + 2 * mean * mean * mean;
    double m4 = s4 / n - 4 * mean * s3 / n + 6 * mean * mean * s2 / n - 3 * mean * mean * mean * mean;
    double rt = (lt / ((double)U * (T - 1)) - mean * mean) / var, ru = (lu / ((double)(U - 1) * T) - mean * mean) / var;
    printf("## Source z (%.3g samples: %d units x %d ticks, seed 0x4E4F495345)\n\n", n, U, T);
    printf("| quantity | measured | exact | standard error |\n|---|---|---|---|\n");
    printf("| mean | %.3f | 0 | %.3f |\n", mean, sd0 / sqrt(n));
    printf("| variance | %.1f | %.0f (2^20 - 1) | %.1f |\n", var, var0, var0 * sqrt(1.9 / n));
    printf("| skewness | %.5f | 0 | %.5f |\n", m3 / pow(var, 1.5), sqrt(6.0 / n));
    printf("| excess kurtosis | %.5f | -0.1000002 | %.5f |\n", m4 / (var * var) - 3, sqrt(17.63 / n));
    printf("| min, max | %d, %d | +-6138 | |\n", zmin, zmax);
    printf("| tail reach max\\|z\\|/sigma | %.3f (observed) | 6138/sigma_z = %.4f | |\n",
           (zmax > -zmin ? zmax : -zmin) / sd0, 6138 / sd0);
    printf("| lag-1 autocorrelation, tick t vs t+1 | %.5f | 0 | %.5f |\n", rt, 1 / sqrt(n));
    printf("| correlation, unit i vs i+1 | %.5f | 0 | %.5f |\n\n", ru, 1 / sqrt(n));

    /* exact tails (independent double convolution) against the normal law */
    {
        double *p = pmf_z();
        printf("| P(\\|z\\| >= k sigma_z), exact | k = 3 | k = 4 | k = 4.5 | k = 5 | k = 5.5 |\n|---|---|---|---|---|---|\n");
        static const double ks[] = {3, 4, 4.5, 5, 5.5};
        printf("| Irwin-Hall z |");
        for (int k = 0; k < 5; ++k) {
            double tail = 0;
            for (int s = 0; s < 12277; ++s)
                tail += fabs((double)(s - 6138)) >= ks[k] * sd0 ? p[s] : 0;
            printf(" %.3g |", tail);
        }
        printf("\n| normal |");
        for (int k = 0; k < 5; ++k)
            printf(" %.3g |", erfc(ks[k] / sqrt(2.0)));
        printf("\n\n");
        free(p);
    }

    /* per Bn */
    printf("## DAC code d = rnd(z, 14 - Bn) (Monte Carlo: 1e7 samples, same seed, units 0..1295 of ticks 0, 1, ..)\n\n");
    printf("| Bn | max \\|d\\| | sigma_d exact | sigma_d MC | excess kurtosis of d (MC) | sigma_d^2 - sigma_z^2/4^(14-Bn) "
           "| largest sigma_state (LSB), white, G = 2^32-1 |\n|---|---|---|---|---|---|---|\n");
    enum { MC = 10000000 };
    int32_t *zz = malloc(sizeof *zz * MC);
    if (!zz)
        return 1;
    for (int t = 0; t * U < MC; ++t)
        lv_noise_z_block(0x4E4F495345ull, (uint32_t)t, 0, (size_t)(MC - t * U < U ? MC - t * U : U), zz + t * U);
    for (int bn = LV_DAC_BN_MIN; bn <= LV_DAC_BN_MAX; ++bn) {
        double q2 = 0, q4 = 0;
        for (int i = 0; i < MC; ++i) {
            double d = lv_dac_code(zz[i], bn);
            q2 += d * d, q4 += d * d * d * d;
        }
        double v = q2 / MC, sd = lv_dac_sigma_d(bn);
        printf("| %d | %d | %.6f | %.6f | %.4f | %+.5f | %.4g |\n", bn, lv_dac_code(6138, bn), sd, sqrt(v),
               q4 / MC / (v * v) - 3, sd * sd - var0 / pow(4, 14 - bn), 4294967295.0 * sd * 256 / 16777216.0);
    }
    free(zz);

    /* colour */
    printf("\n## eta = rnd(G n + O 2^8, 24) (2048 units x 15000 ticks after burn-in; G from lv_dac_gain; "
           "+- = test tolerance, 5 standard errors + deterministic bounds)\n\n");
    printf("| configuration | G | sigma target | sigma measured | mean target | mean measured | lag-1 target a/2^15 | lag-1 measured |\n"
           "|---|---|---|---|---|---|---|---|\n");
    for (size_t k = 0; k < sizeof CASES / sizeof CASES[0]; ++k) {
        eta_stats s;
        lv_error err;
        if (eta_run(&CASES[k], 2048, 15000, &s, &err) != 0) {
            printf("| %s | error: %s |\n", CASES[k].name, err.msg);
            continue;
        }
        printf("| %s | %u | %.2f | %.2f +- %.2f | %.3f | %.3f +- %.3f | %.5f | %.5f +- %.5f |\n", CASES[k].name,
               s.gain, s.want_sd, s.sd, s.tol_sd, s.want_mean, s.mean, s.tol_mean, s.want_r1, s.r1, s.tol_r1);
    }

    /* throughput: best of 7 runs of 2000 calls (the machine may be shared) */
    printf("\n## Throughput (one core, N = %d units per call, best of 7 runs)\n\n", U);
    static int64_t eta[U], st[U];
    lv_noise_dac dw, dc;
    lv_error err;
    if (lv_dac_init(&dw, 14, 11723, 0, 0, &err) || lv_dac_init(&dc, 14, 11723, 0, 29491, &err))
        return 1;
    printf("| function | samples/s | ns/sample |\n|---|---|---|\n");
    for (int f = 0; f < 4; ++f) {
        double best = 1e30;
        volatile int32_t sink = 0;
        for (int rep = 0; rep < 7; ++rep) {
            int calls = f == 1 ? 200 : 2000;
            double t0 = now();
            for (int r = 0; r < calls; ++r) {
                if (f == 0)
                    lv_noise_z_block(1, (uint32_t)r, 0, U, z);
                else if (f == 1)
                    for (uint32_t i = 0; i < U; ++i)
                        sink += lv_noise_z(1, (uint32_t)r, i);
                else
                    lv_dac_eta_block(f == 2 ? &dw : &dc, z, U, st, eta);
            }
            double dt = (now() - t0) / ((double)calls * U);
            best = dt < best ? dt : best;
        }
        (void)sink;
        static const char *names[] = {"lv_noise_z_block", "lv_noise_z (scalar, lv_philox4x32)",
                                      "lv_dac_eta_block, white", "lv_dac_eta_block, coloured"};
        printf("| %s | %.3g | %.3f |\n", names[f], 1 / best, best * 1e9);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--report") == 0)
        return report(argc > 2 ? (long long)strtod(argv[2], NULL) : 100000000LL);
    test_code();
    test_colour_c();
    test_sigma_d_exact();
    test_sigma_d_mc();
    test_block_vs_scalar();
    test_filter_bound();
    test_eta_stats();
    test_gain();
    test_init_check();
    return lv_test_report("test_noise_dac");
}
