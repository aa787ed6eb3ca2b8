#include "dynamics.h"

#include <math.h>

#include "potential.h"
#include "rng.h"

int lv_hidden_pixel(int h, int nv, int nh)
{
    return (int)(((long long)h * nv / nh) % nv);
}

void lv_imposed_pattern(const lv_model *m, const double *digit, double *imp)
{
    const int nv = m->phys.nv, nh = m->phys.nh;
    for (int i = 0; i < nv; ++i) imp[i] = m->proto.strength * digit[i];
    for (int h = 0; h < nh; ++h) imp[nv + h] = m->proto.hidden_strength * digit[lv_hidden_pixel(h, nv, nh)];
}

double lv_unit_rest(double J2, double J4, double b)
{
    if (b == 0.0) return 0.0;
    /* |x| is bounded by both |b|/(2 J2) and (|b|/(4 J4))^(1/3); Newton on the
     * increasing convex branch from that bound converges monotonically. */
    double a = fabs(b);
    double x = fmin(a / (2.0 * J2), cbrt(a / (4.0 * J4)));
    for (int it = 0; it < 100; ++it) {
        double f = 2.0 * J2 * x + 4.0 * J4 * x * x * x - a;
        double d = 2.0 * J2 + 12.0 * J4 * x * x;
        double nx = x - f / d;
        if (!(nx < x)) break;
        x = nx;
    }
    return b > 0 ? -x : x;
}

int lv_check_finite_state(const lv_physics *ph, const double *X, size_t n, const char *phase,
                          long step, lv_error *err)
{
    for (size_t i = 0; i < n; ++i) {
        if (!isfinite(X[i]) || fabs(X[i]) > 1e6) {
            double maxabs = 0;
            for (size_t j = 0; j < n; ++j)
                if (isfinite(X[j]) && fabs(X[j]) > maxabs) maxabs = fabs(X[j]);
            return lv_fail(err,
                           "%s diverged at step %ld (t = %g): a unit's activation became %s. "
                           "The time step dt = %g is likely too large for this potential "
                           "(Euler needs mu*dt*(2*J2 + 12*J4*x^2 + |couplings|) < 2; "
                           "here mu*dt = %g, J2 = %g, J4 = %g); reduce dt or the coupling/bias scale",
                           phase, step, step * ph->dt, isfinite(X[i]) ? "huge" : "non-finite", ph->dt,
                           ph->mu * ph->dt, ph->J2, ph->J4);
        }
    }
    return 0;
}

int lv_free_steps(const lv_physics *ph, double *X, size_t rows, const double *imp_rows, double lambda,
                  uint64_t seed, const uint64_t *streams, uint32_t step0, long steps, double *eta,
                  lv_error *err)
{
    const size_t N = (size_t)lv_units(ph);
    const double mudt = ph->mu * ph->dt, sigma = sqrt(2.0 * ph->mu * ph->kT * ph->dt);
    const double J2 = ph->J2, J4 = ph->J4;
#pragma omp parallel for schedule(static)
    for (size_t r = 0; r < rows; ++r) {
        double *x = X + r * N;
        double *e = eta + r * N;
        const double *imp = imp_rows ? imp_rows + r * N : NULL;
        for (long k = 0; k < steps; ++k) {
            lv_normals(seed, streams[r], step0 + (uint32_t)k, 0, N, e);
            if (imp)
                for (size_t i = 0; i < N; ++i)
                    x[i] += -mudt * (lv_local_grad(J2, J4, x[i]) - lambda * imp[i]) + sigma * e[i];
            else
                for (size_t i = 0; i < N; ++i)
                    x[i] += -mudt * lv_local_grad(J2, J4, x[i]) + sigma * e[i];
        }
    }
    return lv_check_finite_state(ph, X, rows * N, "coupling-free dynamics", step0 + steps, err);
}
