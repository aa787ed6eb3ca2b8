/* test_integrator.c - one Euler tick of docs/fixed-point.md §7, and the
 * stationary distribution the device's integrator + noise produce.
 *
 *  - drift = rnd(-K g, Ff + 32 - Fx) and x' = sat(x + drift + eta, Wx)
 *    equal a 128-bit evaluation; drift(-g) = -drift(g);
 *  - lv_integ_row: eta from the DAC (§6, also coloured: the filter state is
 *    carried), in-place update, SAT_STATE events exactly for the clamped
 *    units, clamps to +-(2^(Wx-1) - 1);
 *  - Boltzmann: 1024 independent uncoupled units (COUPLE clear) at
 *    J2 = J4 = 1, kT = 0.1 (the paper's J = 10 kT), mu dt = 1e-3, noise gain
 *    from §9: the stationary <x^2> matches the Boltzmann value of
 *    J2 x^2 + J4 x^4 (Simpson integral) within 1 %.  The statistical error
 *    comes from the spread of the per-unit time averages over the 1024
 *    units (independent replicas, no correlation-time assumption); the run
 *    is long enough for it to be ~0.2 %, and the Euler bias at this dt is
 *    ~0.15 % (tests/host/test_equilibrium.c). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "fx_prims.h"
#include "integrator.h"
#include "noise_dac.h"
#include "noise_source.h"
#include "emu_test_util.h"



static void test_tick(void)
{
    static const struct {
        int wx, fx, wf, ff;
        uint32_t k;
    } F[] = {{24, 20, 32, 16, 4294967u}, {28, 24, 32, 24, 4294967u}, {8, 4, 16, 12, 2147483647u},
             {32, 30, 40, 4, 1u}};
    uint64_t s = 3;
    for (size_t c = 0; c < sizeof F / sizeof F[0]; ++c) {
        lv_integ in;
        lv_integ_init(&in, F[c].k, F[c].fx, F[c].ff, F[c].wx);
        const int64_t xm = lv_fx_max(F[c].wx), gm = lv_fx_max(F[c].wf);
        int bad = 0, asym = 0;
        for (int t = 0; t < 20000; ++t) {
            int64_t x = irand(&s, -xm, xm), g = irand(&s, -gm, gm), eta = irand(&s, -xm / 4, xm / 4);
            i128 dr = rnd128(-(i128)F[c].k * g, F[c].ff + 32 - F[c].fx);
            i128 v = x + dr + eta;
            int cl = v > xm || v < -xm;
            i128 want = v > xm ? xm : v < -xm ? -xm : v;
            uint64_t ev = 0;
            int32_t got = lv_integ_update(&in, (int32_t)x, g, eta, &ev);
            bad += got != (int32_t)want || ev != (uint64_t)cl || lv_integ_drift(&in, g) != (int64_t)dr;
            asym += lv_integ_drift(&in, -g) != -lv_integ_drift(&in, g);
        }
        CHECK_MSG(bad == 0, "format %zu: %d ticks differ from the 128-bit reference", c, bad);
        CHECK_MSG(asym == 0, "format %zu: drift not odd in g (%d)", c, asym);
    }
}

static void test_row(void)
{
    enum { N = 300 };
    const int wx = 16, fx = 10, ff = 16;
    lv_integ in;
    lv_integ_init(&in, 4294967u, fx, ff, wx);
    const int64_t xm = lv_fx_max(wx);
    lv_error err = {{0}};
    for (int coloured = 0; coloured < 2; ++coloured) {
        lv_noise_dac dac;
        CHECK(lv_dac_init(&dac, 12, 3u << 16, -5 * 1024, coloured ? 29491 : 0, &err) == 0);
        static int32_t x[N], xo[N], xi[N], z[N], want[N];
        static int64_t g[N], eta[N], eta_ref[N], col[N], col_pre[N], col_ref[N];
        uint64_t s = 11 + (uint64_t)coloured;
        memset(col, 0, sizeof col);
        memset(col_ref, 0, sizeof col_ref);
        for (int tick = 0; tick < 3; ++tick) {
            lv_noise_z_block(77, (uint32_t)tick, 0, N, z);
            uint64_t ev_ref = 0;
            for (int i = 0; i < N; ++i) {
                /* Every 10th unit sits at a limit with a force pushing outwards. */
                if (tick == 0) x[i] = (int32_t)(i % 10 == 0 ? xm : i % 10 == 1 ? -xm : irand(&s, -xm / 2, xm / 2));
                g[i] = i % 10 == 0 ? -(1 << 20) : i % 10 == 1 ? (1 << 20) : irand(&s, -(1 << 22), 1 << 22);
                eta_ref[i] = lv_dac_eta(&dac, lv_dac_code(z[i], dac.bn), &col_ref[i]);
                int64_t v = (int64_t)x[i] + lv_integ_drift(&in, g[i]) + eta_ref[i];
                ev_ref += v > xm || v < -xm;
                want[i] = (int32_t)(v > xm ? xm : v < -xm ? -xm : v);
            }
            memcpy(col_pre, col, sizeof col);
            uint64_t ev = 0;
            lv_integ_row(&in, &dac, N, x, g, z, col, eta, xo, &ev);
            CHECK(memcmp(xo, want, sizeof xo) == 0);
            CHECK(memcmp(eta, eta_ref, sizeof eta) == 0);
            CHECK(memcmp(col, col_ref, sizeof col) == 0);
            CHECK_MSG(ev == ev_ref && ev >= N / 20, "events %llu, expected %llu", (unsigned long long)ev,
                      (unsigned long long)ev_ref);
            /* In place, without eta output (white: no filter state): same bits. */
            uint64_t ev2 = 0;
            memcpy(xi, x, sizeof xi);
            lv_integ_row(&in, &dac, N, xi, g, z, coloured ? col_pre : NULL, NULL, xi, &ev2);
            CHECK(memcmp(xi, want, sizeof xi) == 0 && ev2 == ev);
            if (coloured) CHECK(memcmp(col_pre, col_ref, sizeof col) == 0);
            memcpy(x, xo, sizeof x);
        }
    }
}

/* <x^2> of p(x) ~ exp(-(J2 x^2 + J4 x^4)/kT), Simpson on [-3, 3]. */
static double boltzmann_x2(double J2, double J4, double kT)
{
    const double L = 3.0;
    const int n = 20000;
    const double h = 2 * L / n;
    double z = 0, m = 0;
    for (int k = 0; k <= n; ++k) {
        double x = -L + k * h, w = (k == 0 || k == n) ? 1 : (k % 2 ? 4 : 2);
        double e = exp(-(J2 * x * x + J4 * x * x * x * x) / kT);
        z += w * e;
        m += w * e * x * x;
    }
    return m / z;
}

static void test_boltzmann(void)
{
    enum { NV = 256, B = 4, NU = NV * B, EVERY = 8 };
    const double J2 = 1.0, J4 = 1.0, kT = 0.1, mudt = 1e-3;
    const long eq_ticks = 2000, prod_ticks = 200000;
    lv_error err = {{0}};
    lv_dev_image img;
    memset(&img, 0, sizeof img);
    img.nv = NV;
    img.nh = 0;
    img.wx = 24;
    img.fx = 20;
    img.bj = 8;
    img.bb = 16;
    img.wf = 32;
    img.ff = 16;
    img.j2 = (int32_t)lrint(J2 * 65536);
    img.j4 = (int32_t)lrint(J4 * 65536);
    img.k = (uint32_t)lrint(mudt * 4294967296.0);
    img.bn = 14;
    img.colour_c = lv_dac_colour_c(0);
    CHECK(lv_dac_gain(sqrt(2.0 * kT * mudt) * 1048576.0, 14, 0, 0.0, &img.gain, &err) == 0);
    img.m = 0;
    img.n_rows = lv_dev_rows(NV, 0, 0);
    img.c = NULL;
    img.ej = calloc(img.n_rows, 1);
    img.cb = calloc(NV, sizeof(int32_t));
    lv_dev *d = lv_dev_create(&img, NULL, B, &err);
    CHECK_MSG(d != NULL, "%s", err.msg);
    if (!d) return;
    const uint64_t seeds[B] = {101, 202, 303, 404};
    CHECK(lv_dev_reset(d, seeds, B, 0, &err) == 0);
    CHECK(lv_dev_run(d, 0, (uint32_t)eq_ticks, 0, &err) == 0);
    double *a2 = calloc(NU, sizeof(double));
    long samples = 0;
    int run_fail = 0;
    for (long t = 0; t < prod_ticks; t += EVERY) {
        run_fail |= lv_dev_run(d, 0, EVERY, 0, &err) != 0;
        const int32_t *x = lv_dev_state(d);
        for (int u = 0; u < NU; ++u) {
            double v = ldexp((double)x[u], -img.fx);
            a2[u] += v * v;
        }
        samples++;
    }
    CHECK_MSG(!run_fail, "%s", err.msg);
    double s = 0, s2 = 0;
    for (int u = 0; u < NU; ++u) {
        double m = a2[u] / (double)samples;
        s += m;
        s2 += m * m;
    }
    double mean = s / NU, se = sqrt((s2 - NU * mean * mean) / (NU - 1) / NU);
    double ref = boltzmann_x2(J2, J4, kT), rel = mean / ref - 1.0;
    uint64_t sat_s, sat_f;
    lv_dev_sat_totals(d, &sat_s, &sat_f);
    printf("  Boltzmann <x^2>: device %.6f +- %.6f (%.2f %%), exact %.6f, deviation %+.3f %% "
           "(%d units x %ld ticks)\n",
           mean, se, 100 * se / ref, ref, 100 * rel, NU, prod_ticks);
    CHECK_MSG(fabs(rel) < 0.01, "stationary variance off by %.3f %%", 100 * rel);
    CHECK_MSG(se / ref < 0.0025, "statistical error %.3f %% is not well below 1 %%", 100 * se / ref);
    CHECK(sat_s == 0 && sat_f == 0);
    free(a2);
    lv_dev_free(d);
    lv_dev_image_free(&img);
}

int main(void)
{
    test_tick();
    test_row();
    test_boltzmann();
    return lv_test_report("test_integrator");
}
