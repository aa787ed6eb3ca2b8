/* crn_float.c - float dynamics on the device's noise (see crn_float.h). */
#include "crn_float.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "device_run.h"
#include "dynamics.h"
#include "noise_source.h"
#include "potential.h"

int lv_crn_float_generate(const lv_model *m, const lv_gen_opts *o, lv_gen_result *r, lv_progress_fn progress,
                          void *ctx, lv_error *err)
{
    memset(r, 0, sizeof *r);
    const lv_physics *ph = &m->phys;
    if (lv_model_validate(m, err)) return -1;
    if (o->n < 1 || o->n > 0xFFFFFFFFl || o->batch < 1 || o->batch > 65536)
        return lv_fail(err, "CRN float reference needs 1 <= n < 2^32 trajectories and a batch in [1, 65536]");
    long K, Keq;
    if (lv_steps_for(ph->tf, ph->dt, &K, err) || lv_steps_for(m->proto.t_eq, ph->dt, &Keq, err)) return -1;
    if (K + Keq > 0xFFFFFFFFl) return lv_fail(err, "CRN float reference: t_eq + t_f exceed 2^32 ticks");
    const size_t N = (size_t)lv_units(ph), nv = (size_t)ph->nv, nh = (size_t)ph->nh;
    const size_t Bmax = (size_t)(o->batch < o->n ? o->batch : o->n), n = (size_t)o->n;
    r->n = o->n;
    r->nv = ph->nv;
    r->samples = malloc(n * nv * sizeof(double));
    r->hidden = malloc((nh ? n * nh : 1) * sizeof(double));
    r->V0 = malloc(n * sizeof(double)), r->Vf = malloc(n * sizeof(double));
    r->Q_end = malloc(n * sizeof(double)), r->Q_path = malloc(n * sizeof(double));
    double *X = malloc(Bmax * N * sizeof(double)), *G0 = malloc(Bmax * N * sizeof(double));
    double *G1 = malloc(Bmax * N * sizeof(double)), *DX = malloc(Bmax * N * sizeof(double));
    double *qpath = malloc(Bmax * sizeof(double));
    int32_t *Z = malloc(Bmax * N * sizeof(int32_t));
    uint64_t *seeds = malloc(Bmax * sizeof(uint64_t));
    int rc = -1;
    if (!r->samples || !r->hidden || !r->V0 || !r->Vf || !r->Q_end || !r->Q_path || !X || !G0 || !G1 || !DX ||
        !qpath || !Z || !seeds) {
        lv_fail(err, "out of memory for %zu CRN float trajectories of %zu units", n, N);
        goto done;
    }
    const double mudt = ph->mu * ph->dt;
    const double zs = sqrt(2.0 * ph->mu * ph->kT * ph->dt) / sqrt(1048575.0); /* sigma / sigma_z */
    for (size_t base = 0; base < n; base += Bmax) {
        const size_t B = n - base < Bmax ? n - base : Bmax;
        for (size_t b = 0; b < B; ++b) seeds[b] = lv_device_seed(o->seed, (uint32_t)(base + b));
        memset(X, 0, B * N * sizeof(double));
        /* Coupling-free, bias-free equilibration (the device with COUPLE clear). */
        for (long t = 0; t < Keq; ++t) {
#pragma omp parallel for schedule(static)
            for (size_t b = 0; b < B; ++b) {
                double *x = X + b * N;
                int32_t *z = Z + b * N;
                lv_noise_z_block(seeds[b], (uint32_t)t, 0, N, z);
                for (size_t i = 0; i < N; ++i) x[i] += -mudt * lv_local_grad(ph->J2, ph->J4, x[i]) + zs * z[i];
            }
        }
        lv_coupling_force(ph, &m->p, X, B, G0);
        lv_energy_from_coupling(ph, &m->p, X, B, G0, r->V0 + base);
        lv_grad_from_coupling(ph, &m->p, X, B, G0, G0);
        memset(qpath, 0, B * sizeof(double));
        for (long k = 0; k < K; ++k) {
#pragma omp parallel for schedule(static)
            for (size_t b = 0; b < B; ++b) {
                double *x = X + b * N, *dx = DX + b * N;
                const double *g = G0 + b * N;
                int32_t *z = Z + b * N;
                lv_noise_z_block(seeds[b], (uint32_t)(Keq + k), 0, N, z);
                for (size_t i = 0; i < N; ++i) {
                    dx[i] = -mudt * g[i] + zs * z[i];
                    x[i] += dx[i];
                }
            }
            lv_coupling_force(ph, &m->p, X, B, G1);
            lv_grad_from_coupling(ph, &m->p, X, B, G1, G1);
            lv_path_heat_step(G0, G1, DX, B, N, qpath); /* Stratonovich heat, as generate.h */
            double *tmp = G0;
            G0 = G1;
            G1 = tmp;
            if ((k & 63) == 63 && lv_check_finite_state(ph, X, B * N, "CRN float generation", k + 1, err)) goto done;
        }
        if (lv_check_finite_state(ph, X, B * N, "CRN float generation", K, err)) goto done;
        lv_coupling_force(ph, &m->p, X, B, G1);
        lv_energy_from_coupling(ph, &m->p, X, B, G1, r->Vf + base);
        for (size_t b = 0; b < B; ++b) {
            size_t j = base + b;
            memcpy(r->samples + j * nv, X + b * N, nv * sizeof(double));
            if (nh) memcpy(r->hidden + j * nh, X + b * N + nv, nh * sizeof(double));
            r->Q_end[j] = r->V0[j] - r->Vf[j];
            r->Q_path[j] = qpath[b];
        }
        if (progress) progress(ctx, (long)(base + B), o->n);
    }
    rc = 0;
done:
    free(X), free(G0), free(G1), free(DX), free(qpath), free(Z), free(seeds);
    if (rc) lv_gen_result_free(r);
    return rc;
}
