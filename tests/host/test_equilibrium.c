/* test_equilibrium.c - the coupling-free computer's Euler dynamics
 * (lv_free_steps, eq. 3 with J = 0) samples the Boltzmann distribution of a
 * single unit, p(x) ~ exp(-(J2 x^2 + J4 x^4 + b x)/kT), at the paper's
 * J2 = J4 = 10 kT with dt = 1e-3.
 *
 * Every unit of every row is an independent copy of one unit, so the error
 * bar comes from the spread of per-unit time averages over ~1000
 * independent units (each a long, internally correlated trajectory): the
 * units are the independent replicas, no assumption about the correlation
 * time is needed.  The Euler bias at dt = 1e-3 is ~ mu dt k / 2 ~ 0.15% of
 * the variance (k ~ 2.6 the effective curvature), well inside the
 * statistical tolerance. */
#include <stdint.h>
#include <string.h>

#include "dynamics.h"
#include "model.h"
#include "test_util.h"

/* int x^p exp(-(J2 x^2 + J4 x^4 + b x)/kT) dx / int exp(...) dx, Simpson. */
static double boltzmann_moment(double J2, double J4, double b, double kT, int pw)
{
    const double L = 3.0;
    const int n = 20000; /* even */
    const double h = 2 * L / n;
    double z = 0, m = 0;
    for (int k = 0; k <= n; ++k) {
        double x = -L + k * h;
        double w = (k == 0 || k == n) ? 1 : (k % 2 ? 4 : 2);
        double e = exp(-(J2 * x * x + J4 * x * x * x * x + b * x) / kT);
        z += w * e;
        m += w * e * pow(x, pw);
    }
    return m / z;
}

enum { NV = 63, NH = 1, N = NV + NH, ROWS = 16, NU = ROWS * N };

static lv_physics phys(void)
{
    lv_physics ph = lv_physics_default();
    ph.nv = NV;
    ph.nh = NH;
    ph.J2 = 1.0;
    ph.J4 = 1.0;
    ph.kT = 0.1;
    ph.mu = 1.0;
    ph.dt = 1e-3;
    return ph;
}

/* Mean and standard error over units u in group g (u % ngroups == g) of the
 * per-unit averages a[u]. */
static void group_stats(const double *a, int ngroups, int g, double *mean, double *se)
{
    double s = 0, s2 = 0;
    int n = 0;
    for (int u = g; u < NU; u += ngroups) {
        s += a[u];
        s2 += a[u] * a[u];
        n++;
    }
    double m = s / n, var = (s2 - n * m * m) / (n - 1);
    *mean = m;
    *se = sqrt(var / n);
}

/* Run equilibration then production, sampling every `every` steps; per-unit
 * time averages of x and x^2 go to ax, ax2. */
static int run(const lv_physics *ph, double *X, const double *imp, uint64_t seed, long eq_steps,
               long prod_steps, long every, double *ax, double *ax2)
{
    uint64_t streams[ROWS];
    for (int r = 0; r < ROWS; ++r) streams[r] = 1000 + (uint64_t)r;
    static double eta[NU];
    lv_error err;
    uint32_t step = 0;
    if (lv_free_steps(ph, X, ROWS, imp, 1.0, seed, streams, step, eq_steps, eta, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    step += (uint32_t)eq_steps;
    memset(ax, 0, NU * sizeof(double));
    memset(ax2, 0, NU * sizeof(double));
    long ns = 0;
    for (long k = 0; k < prod_steps; k += every) {
        if (lv_free_steps(ph, X, ROWS, imp, 1.0, seed, streams, step, every, eta, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            return -1;
        }
        step += (uint32_t)every;
        for (int u = 0; u < NU; ++u) {
            ax[u] += X[u];
            ax2[u] += X[u] * X[u];
        }
        ns++;
    }
    for (int u = 0; u < NU; ++u) {
        ax[u] /= (double)ns;
        ax2[u] /= (double)ns;
    }
    return 0;
}

static void test_unbiased(void)
{
    lv_physics ph = phys();
    static double X[NU], ax[NU], ax2[NU];
    memset(X, 0, sizeof X);
    CHECK(run(&ph, X, NULL, 11, 5000, 200000, 10, ax, ax2) == 0);
    double want2 = boltzmann_moment(ph.J2, ph.J4, 0, ph.kT, 2);
    double m2, se2, m1, se1;
    group_stats(ax2, 1, 0, &m2, &se2);
    group_stats(ax, 1, 0, &m1, &se1);
    printf("no bias: <x^2> = %.6f +- %.6f (Boltzmann %.6f, %.2f SE); <x> = %.5f +- %.5f\n", m2, se2, want2,
           (m2 - want2) / se2, m1, se1);
    CHECK_NEAR(m2, want2, 5 * se2);
    CHECK_NEAR(m1, 0.0, 5 * se1);
    /* The error bar is honest only if it is small compared with the effects
     * the test must resolve (e.g. a factor 2 in the noise variance). */
    CHECK(se2 < 0.01 * want2);
}

static void test_biased(void)
{
    lv_physics ph = phys();
    /* Imposed pattern I, bias b = -lambda I with lambda = 1. */
    const double levels[4] = {-1.0, -0.3, 0.3, 1.0};
    static double imp[NU], X[NU], ax[NU], ax2[NU];
    for (int u = 0; u < NU; ++u) {
        imp[u] = levels[u % 4];
        X[u] = lv_unit_rest(ph.J2, ph.J4, -imp[u]);
    }
    CHECK(run(&ph, X, imp, 12, 3000, 200000, 10, ax, ax2) == 0);
    for (int g = 0; g < 4; ++g) {
        double b = -levels[g];
        double want1 = boltzmann_moment(ph.J2, ph.J4, b, ph.kT, 1);
        double want2 = boltzmann_moment(ph.J2, ph.J4, b, ph.kT, 2);
        double m1, se1, m2, se2;
        group_stats(ax, 4, g, &m1, &se1);
        group_stats(ax2, 4, g, &m2, &se2);
        printf("bias %+.1f: <x> = %.6f +- %.6f (Boltzmann %.6f, %.2f SE); <x^2> = %.6f +- %.6f (%.6f)\n", b,
               m1, se1, want1, (m1 - want1) / se1, m2, se2, want2);
        CHECK_NEAR(m1, want1, 5 * se1);
        CHECK_NEAR(m2, want2, 5 * se2);
        /* The sign convention: the unit leans toward the sign of I. */
        CHECK(m1 * levels[g] > 0);
    }
}

/* lambda scales the imposed pattern: (lambda, I) and (lambda/2, 2I) give the
 * same bias exactly, hence the same trajectory bit for bit; lambda = 0 is
 * the bias-free computer. */
static void test_lambda(void)
{
    lv_physics ph = phys();
    static double imp[NU], imp2[NU], X1[NU], X2[NU], X3[NU], X4[NU], eta[NU];
    uint64_t streams[ROWS];
    for (int r = 0; r < ROWS; ++r) streams[r] = 77 + (uint64_t)r;
    for (int u = 0; u < NU; ++u) {
        imp[u] = 0.37 * ((u * 7) % 11 - 5);
        imp2[u] = 2 * imp[u];
        X1[u] = X2[u] = X3[u] = X4[u] = 0.01 * ((u % 5) - 2);
    }
    lv_error err;
    CHECK(lv_free_steps(&ph, X1, ROWS, imp, 0.8, 5, streams, 3, 200, eta, &err) == 0);
    CHECK(lv_free_steps(&ph, X2, ROWS, imp2, 0.4, 5, streams, 3, 200, eta, &err) == 0);
    CHECK(memcmp(X1, X2, sizeof X1) == 0);
    CHECK(lv_free_steps(&ph, X3, ROWS, imp, 0.0, 5, streams, 3, 200, eta, &err) == 0);
    CHECK(lv_free_steps(&ph, X4, ROWS, NULL, 0.0, 5, streams, 3, 200, eta, &err) == 0);
    CHECK(memcmp(X3, X4, sizeof X3) == 0);
    CHECK(memcmp(X1, X3, sizeof X1) != 0);
    /* Split into two calls with continued step numbers: same result. */
    static double X5[NU];
    for (int u = 0; u < NU; ++u) X5[u] = 0.01 * ((u % 5) - 2);
    CHECK(lv_free_steps(&ph, X5, ROWS, imp, 0.8, 5, streams, 3, 120, eta, &err) == 0);
    CHECK(lv_free_steps(&ph, X5, ROWS, imp, 0.8, 5, streams, 123, 80, eta, &err) == 0);
    CHECK(memcmp(X1, X5, sizeof X1) == 0);
    /* A row's trajectory depends only on its stream: run row 5 alone. */
    double x1[N];
    for (int i = 0; i < N; ++i) x1[i] = 0.01 * (((5 * N + i) % 5) - 2);
    CHECK(lv_free_steps(&ph, x1, 1, imp + 5 * N, 0.8, 5, streams + 5, 3, 200, eta, &err) == 0);
    CHECK(memcmp(x1, X1 + 5 * N, sizeof x1) == 0);
}

/* Deterministic pieces: the rest position solves 2 J2 x + 4 J4 x^3 + b = 0,
 * and a divergent run fails with a message naming dt. */
static void test_rest_and_divergence(void)
{
    const double bs[] = {-5.0, -1.0, -0.3, 0.0, 1e-9, 0.3, 1.0, 40.0};
    for (size_t i = 0; i < sizeof bs / sizeof *bs; ++i) {
        double x = lv_unit_rest(0.7, 1.9, bs[i]);
        double f = 2 * 0.7 * x + 4 * 1.9 * x * x * x + bs[i];
        CHECK_MSG(fabs(f) < 1e-12 * fmax(1, fabs(bs[i])), "b = %g: rest %g leaves force %g", bs[i], x, f);
    }
    lv_physics ph = phys();
    ph.J4 = 1e7; /* Euler is unstable for |x| > sqrt(2/(12 J4 mu dt)) ~ 4e-3 */
    static double X[NU], eta[NU];
    uint64_t streams[ROWS];
    for (int r = 0; r < ROWS; ++r) streams[r] = (uint64_t)r;
    memset(X, 0, sizeof X);
    lv_error err;
    memset(&err, 0, sizeof err);
    int rc = lv_free_steps(&ph, X, ROWS, NULL, 0.0, 1, streams, 0, 200, eta, &err);
    CHECK(rc == -1);
    CHECK_MSG(strstr(err.msg, "dt") != NULL, "message: %s", err.msg);
}

int main(void)
{
    test_rest_and_divergence();
    test_lambda();
    test_unbiased();
    test_biased();
    return lv_test_report("test_equilibrium");
}
