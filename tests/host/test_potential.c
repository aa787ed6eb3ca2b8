/* test_potential.c - the potential of eq. (2) and its force, eq. (12):
 * grad V from lv_coupling_force + lv_grad_from_coupling against central
 * finite differences of lv_energy (with and without visible-visible
 * couplings), energies of small hand-computed systems (each pair counted
 * once), and independence of the rows of a batch. */
#include <stdint.h>
#include <string.h>

#include "model.h"
#include "potential.h"
#include "rng.h"
#include "test_util.h"

static uint64_t lcg = 0x9e3779b97f4a7c15ull;
/* Uniform in [-1, 1). */
static double urand(void)
{
    lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(lcg >> 11) / 9007199254740992.0 * 2.0 - 1.0;
}

static void random_params(const lv_physics *ph, lv_params *p, double scale)
{
    int nv = ph->nv, nh = ph->nh;
    for (int i = 0; i < nv * nh; ++i) p->Wvh[i] = scale * urand();
    for (int i = 0; i < nh; ++i) {
        p->Whh[i * nh + i] = 0;
        for (int j = i + 1; j < nh; ++j) p->Whh[i * nh + j] = p->Whh[j * nh + i] = scale * urand();
    }
    if (ph->vv)
        for (int i = 0; i < nv; ++i) {
            p->Wvv[i * nv + i] = 0;
            for (int j = i + 1; j < nv; ++j) p->Wvv[i * nv + j] = p->Wvv[j * nv + i] = scale * urand();
        }
    for (int i = 0; i < nv; ++i) p->bv[i] = scale * urand();
    for (int i = 0; i < nh; ++i) p->bh[i] = scale * urand();
}

static double energy1(const lv_physics *ph, const lv_params *p, const double *x)
{
    double V = NAN;
    lv_error err;
    CHECK(lv_energy(ph, p, x, 1, &V, &err) == 0);
    return V;
}

/* Central finite differences of lv_energy vs the analytic gradient. */
static void check_fd_grad(int vv)
{
    lv_physics ph = lv_physics_default();
    ph.nv = 7;
    ph.nh = 5;
    ph.vv = vv;
    ph.J2 = 0.8;
    ph.J4 = 1.3;
    lv_params p;
    lv_error err;
    CHECK(lv_params_alloc(&p, &ph, &err) == 0);
    random_params(&ph, &p, 0.7);
    const int N = ph.nv + ph.nh, rows = 3;
    double X[3 * 12], C[3 * 12], G[3 * 12];
    for (int i = 0; i < rows * N; ++i) X[i] = 1.2 * urand();
    lv_coupling_force(&ph, &p, X, (size_t)rows, C);
    lv_grad_from_coupling(&ph, &p, X, (size_t)rows, C, G);
    const double h = 1e-5;
    double worst = 0;
    for (int r = 0; r < rows; ++r)
        for (int i = 0; i < N; ++i) {
            double x[12];
            memcpy(x, X + r * N, sizeof x);
            x[i] = X[r * N + i] + h;
            double Vp = energy1(&ph, &p, x);
            x[i] = X[r * N + i] - h;
            double Vm = energy1(&ph, &p, x);
            double fd = (Vp - Vm) / (2 * h);
            double rel = fabs(fd - G[r * N + i]) / fmax(1.0, fabs(G[r * N + i]));
            if (rel > worst) worst = rel;
            CHECK_MSG(rel < 1e-7, "vv=%d row %d unit %d: analytic %.12g, finite difference %.12g", vv, r,
                      i, G[r * N + i], fd);
        }
    printf("vv=%d: worst relative force error %.3g\n", vv, worst);

    /* G may alias C, as documented. */
    double C2[3 * 12];
    lv_coupling_force(&ph, &p, X, (size_t)rows, C2);
    lv_grad_from_coupling(&ph, &p, X, (size_t)rows, C2, C2);
    CHECK(memcmp(C2, G, sizeof G) == 0);

    /* Eq. (12) written out, independently of the GEMM path. */
    int nv = ph.nv, nh = ph.nh, bad = 0;
    for (int r = 0; r < rows; ++r) {
        const double *x = X + r * N;
        for (int i = 0; i < N; ++i) {
            double g = 2 * ph.J2 * x[i] + 4 * ph.J4 * x[i] * x[i] * x[i];
            if (i < nv) {
                g += p.bv[i];
                for (int h2 = 0; h2 < nh; ++h2) g += p.Wvh[i * nh + h2] * x[nv + h2];
                if (vv)
                    for (int j = 0; j < nv; ++j) g += p.Wvv[i * nv + j] * x[j];
            } else {
                int hh = i - nv;
                g += p.bh[hh];
                for (int v = 0; v < nv; ++v) g += p.Wvh[v * nh + hh] * x[v];
                for (int j = 0; j < nh; ++j) g += p.Whh[hh * nh + j] * x[nv + j];
            }
            if (fabs(g - G[r * N + i]) > 1e-12 * (1 + fabs(g))) bad++;
        }
    }
    CHECK_MSG(bad == 0, "vv=%d: %d force entries differ from eq. (12)", vv, bad);

    /* Visible-visible couplings must be ignored when vv is off, even if the
     * array is present. */
    if (vv) {
        lv_physics ph0 = ph;
        ph0.vv = 0;
        double C0[3 * 12], V0[3], V1[3];
        lv_coupling_force(&ph0, &p, X, (size_t)rows, C0);
        lv_energy_from_coupling(&ph0, &p, X, (size_t)rows, C0, V0);
        lv_energy_from_coupling(&ph, &p, X, (size_t)rows, C, V1);
        /* Difference = sum_{v<v'} Wvv x_v x_v' for each row. */
        for (int r = 0; r < rows; ++r) {
            double e = 0;
            for (int i = 0; i < nv; ++i)
                for (int j = i + 1; j < nv; ++j) e += p.Wvv[i * nv + j] * X[r * N + i] * X[r * N + j];
            CHECK_NEAR(V1[r] - V0[r], e, 1e-12);
        }
    }
    lv_params_free(&p);
}

/* Energies of tiny systems, eq. (2) written out by hand. */
static void check_hand_energy(void)
{
    lv_error err;
    /* 2 visible + 1 hidden, no vv: V = sum(J2 x^2 + J4 x^4) + sum b x
     *   + W00 x0 x2 + W10 x1 x2. */
    {
        lv_physics ph = lv_physics_default();
        ph.nv = 2;
        ph.nh = 1;
        ph.J2 = 0.5;
        ph.J4 = 2.0;
        lv_params p;
        CHECK(lv_params_alloc(&p, &ph, &err) == 0);
        p.Wvh[0] = 0.3;  /* v0-h0 */
        p.Wvh[1] = -1.1; /* v1-h0 */
        p.bv[0] = 0.25;
        p.bv[1] = -0.5;
        p.bh[0] = 0.75;
        double x[3] = {0.5, -1.0, 2.0};
        /* local: 0.5*0.25 + 2*0.0625 = 0.25; 0.5*1 + 2*1 = 2.5; 0.5*4 + 2*16 = 34
         * bias: 0.125 + 0.5 + 1.5 = 2.125
         * couplings: 0.3*0.5*2 + (-1.1)*(-1)*2 = 0.3 + 2.2 = 2.5
         * total = 36.75 + 2.125 + 2.5 = 41.375 */
        CHECK_NEAR(energy1(&ph, &p, x), 41.375, 1e-12);
        lv_params_free(&p);
    }
    /* 1 visible + 2 hidden: a single hidden-hidden pair counted once,
     * although stored twice. */
    {
        lv_physics ph = lv_physics_default();
        ph.nv = 1;
        ph.nh = 2;
        ph.J2 = 1.0;
        ph.J4 = 1.0;
        lv_params p;
        CHECK(lv_params_alloc(&p, &ph, &err) == 0);
        p.Whh[1] = p.Whh[2] = 0.7;
        double x[3] = {0.0, 1.5, -2.0};
        /* local: (2.25 + 5.0625) + (4 + 16) = 27.3125; pair: 0.7*1.5*(-2) = -2.1 */
        CHECK_NEAR(energy1(&ph, &p, x), 27.3125 - 2.1, 1e-12);
        /* Visible-hidden coupling on top, with x_v nonzero. */
        p.Wvh[0] = -0.4;
        p.Wvh[1] = 0.9;
        x[0] = 1.0;
        /* local adds 2; couplings add -0.4*1*1.5 + 0.9*1*(-2) = -0.6 - 1.8 */
        CHECK_NEAR(energy1(&ph, &p, x), 27.3125 - 2.1 + 2.0 - 2.4, 1e-12);
        lv_params_free(&p);
    }
    /* 2 visible + 1 hidden with vv: the visible pair is counted once too. */
    {
        lv_physics ph = lv_physics_default();
        ph.nv = 2;
        ph.nh = 1;
        ph.vv = 1;
        ph.J2 = 1.0;
        ph.J4 = 0.5;
        lv_params p;
        CHECK(lv_params_alloc(&p, &ph, &err) == 0);
        p.Wvv[1] = p.Wvv[2] = -1.5;
        double x[3] = {2.0, 3.0, 0.0};
        /* local: (4 + 8) + (9 + 40.5) = 61.5; pair: -1.5*6 = -9 */
        CHECK_NEAR(energy1(&ph, &p, x), 61.5 - 9.0, 1e-12);
        lv_params_free(&p);
    }
    /* Zero-unit-activation energy is zero whatever the parameters. */
    {
        lv_physics ph = lv_physics_default();
        ph.nv = 3;
        ph.nh = 2;
        lv_params p;
        CHECK(lv_params_alloc(&p, &ph, &err) == 0);
        random_params(&ph, &p, 2.0);
        double x[5] = {0};
        CHECK(energy1(&ph, &p, x) == 0.0);
        lv_params_free(&p);
    }
}

/* Row r of a batch must equal a single-row evaluation of that row. */
static void check_batch_rows(void)
{
    lv_physics ph = lv_physics_default();
    ph.nv = 13;
    ph.nh = 9;
    ph.vv = 1;
    lv_params p;
    lv_error err;
    CHECK(lv_params_alloc(&p, &ph, &err) == 0);
    random_params(&ph, &p, 0.5);
    enum { R = 37 };
    const int N = ph.nv + ph.nh;
    double *X = malloc(R * 22 * sizeof(double)), *C = malloc(R * 22 * sizeof(double));
    double *G = malloc(R * 22 * sizeof(double)), V[R], V2[R];
    for (int i = 0; i < R * N; ++i) X[i] = urand();
    lv_coupling_force(&ph, &p, X, R, C);
    lv_energy_from_coupling(&ph, &p, X, R, C, V);
    lv_grad_from_coupling(&ph, &p, X, R, C, G);
    CHECK(lv_energy(&ph, &p, X, R, V2, &err) == 0);
    int exact_v = 1, exact_g = 1;
    double maxdv = 0, maxdg = 0;
    for (int r = 0; r < R; ++r) {
        double c1[22], g1[22], v1;
        lv_coupling_force(&ph, &p, X + r * N, 1, c1);
        lv_energy_from_coupling(&ph, &p, X + r * N, 1, c1, &v1);
        lv_grad_from_coupling(&ph, &p, X + r * N, 1, c1, g1);
        CHECK_NEAR(v1, V[r], 1e-12 * (1 + fabs(v1)));
        CHECK(V2[r] == V[r]);
        if (v1 != V[r]) exact_v = 0;
        maxdv = fmax(maxdv, fabs(v1 - V[r]));
        for (int i = 0; i < N; ++i) {
            if (g1[i] != G[r * N + i]) exact_g = 0;
            maxdg = fmax(maxdg, fabs(g1[i] - G[r * N + i]));
        }
        /* Also: the same row in a different position of another batch. */
        double Xs[2 * 22], Cs[2 * 22], Vs[2];
        for (int i = 0; i < N; ++i) {
            Xs[i] = 3.0 * urand();
            Xs[N + i] = X[r * N + i];
        }
        lv_coupling_force(&ph, &p, Xs, 2, Cs);
        lv_energy_from_coupling(&ph, &p, Xs, 2, Cs, Vs);
        CHECK_NEAR(Vs[1], V[r], 1e-12 * (1 + fabs(V[r])));
    }
    CHECK(maxdg < 1e-12);
    printf("batch vs single row: energies %s (max diff %.3g), forces %s (max diff %.3g)\n",
           exact_v ? "bit-identical" : "differ", maxdv, exact_g ? "bit-identical" : "differ", maxdg);
    free(X);
    free(C);
    free(G);
    lv_params_free(&p);
}

int main(void)
{
    check_fd_grad(0);
    check_fd_grad(1);
    check_hand_energy();
    check_batch_rows();
    return lv_test_report("test_potential");
}
