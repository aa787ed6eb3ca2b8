#include "potential.h"

#include <cblas.h>
#include <stdlib.h>

void lv_coupling_force(const lv_physics *ph, const lv_params *p, const double *X, size_t rows,
                       double *C)
{
    const int nv = ph->nv, nh = ph->nh, N = nv + nh;
    const int B = (int)rows;
    /* visible rows: C_v = X_h Wvh^T (+ X_v Wvv) */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, nv, nh, 1.0, X + nv, N, p->Wvh, nh,
                0.0, C, N);
    if (ph->vv && p->Wvv)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, nv, nv, 1.0, X, N, p->Wvv, nv,
                    1.0, C, N);
    /* hidden rows: C_h = X_v Wvh + X_h Whh */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, nh, nv, 1.0, X, N, p->Wvh, nh, 0.0,
                C + nv, N);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, nh, nh, 1.0, X + nv, N, p->Whh, nh,
                1.0, C + nv, N);
}

void lv_grad_from_coupling(const lv_physics *ph, const lv_params *p, const double *X, size_t rows,
                           const double *C, double *G)
{
    const size_t nv = (size_t)ph->nv, N = nv + (size_t)ph->nh;
    const double J2 = ph->J2, J4 = ph->J4;
    const double *bv = p->bv, *bh = p->bh;
#pragma omp parallel for schedule(static)
    for (size_t r = 0; r < rows; ++r) {
        const double *x = X + r * N;
        const double *c = C + r * N;
        double *g = G + r * N;
        for (size_t i = 0; i < nv; ++i) g[i] = lv_local_grad(J2, J4, x[i]) + bv[i] + c[i];
        for (size_t i = nv; i < N; ++i) g[i] = lv_local_grad(J2, J4, x[i]) + bh[i - nv] + c[i];
    }
}

void lv_energy_from_coupling(const lv_physics *ph, const lv_params *p, const double *X,
                             size_t rows, const double *C, double *V)
{
    const size_t nv = (size_t)ph->nv, N = nv + (size_t)ph->nh;
    const double J2 = ph->J2, J4 = ph->J4;
#pragma omp parallel for schedule(static)
    for (size_t r = 0; r < rows; ++r) {
        const double *x = X + r * N;
        const double *c = C + r * N;
        double e = 0.0;
        for (size_t i = 0; i < nv; ++i)
            e += lv_local_energy(J2, J4, x[i]) + p->bv[i] * x[i] + 0.5 * x[i] * c[i];
        for (size_t i = nv; i < N; ++i)
            e += lv_local_energy(J2, J4, x[i]) + p->bh[i - nv] * x[i] + 0.5 * x[i] * c[i];
        V[r] = e;
    }
}

int lv_energy(const lv_physics *ph, const lv_params *p, const double *X, size_t rows, double *V,
              lv_error *err)
{
    size_t N = (size_t)lv_units(ph);
    double *C = malloc(rows * N * sizeof(double));
    if (!C) return lv_fail(err, "out of memory computing energies");
    lv_coupling_force(ph, p, X, rows, C);
    lv_energy_from_coupling(ph, p, X, rows, C, V);
    free(C);
    return 0;
}
