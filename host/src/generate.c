#include "generate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dynamics.h"
#include "potential.h"
#include "rng.h"

lv_gen_opts lv_gen_opts_default(void)
{
    lv_gen_opts o = {.n = 1000, .batch = 64, .seed = 1, .strip_traj = 3, .snapshots = 8};
    return o;
}

void lv_gen_result_free(lv_gen_result *r)
{
    free(r->samples);
    free(r->hidden);
    free(r->V0);
    free(r->Vf);
    free(r->Q_end);
    free(r->Q_path);
    free(r->strips);
    free(r->snap_t);
    memset(r, 0, sizeof *r);
}

/* Step index at which snapshot s of S is taken (0 and K included). */
static long snap_step(int s, int S, long K) { return S <= 1 ? K : (long)((double)s * K / (S - 1) + 0.5); }

int lv_generate(const lv_model *m, const lv_gen_opts *o, lv_gen_result *res, lv_progress_fn progress,
                void *ctx, lv_error *err)
{
    memset(res, 0, sizeof *res);
    const lv_physics *ph = &m->phys;
    if (lv_model_validate(m, err)) return -1;
    if (o->n < 1 || o->n > 100000000) return lv_fail(err, "number of trajectories %ld out of range", o->n);
    if (o->batch < 1 || o->batch > 65536) return lv_fail(err, "batch %d out of range [1, 65536]", o->batch);
    if (o->strip_traj < 0 || o->snapshots < 2 || o->snapshots > 1000)
        return lv_fail(err, "snapshots must be in [2, 1000] and strip trajectories >= 0");
    long K, Keq;
    if (lv_steps_for(ph->tf, ph->dt, &K, err) || lv_steps_for(m->proto.t_eq, ph->dt, &Keq, err))
        return -1;
    const size_t N = (size_t)lv_units(ph), nv = (size_t)ph->nv, nh = (size_t)ph->nh;
    const size_t Bmax = (size_t)(o->batch < o->n ? o->batch : o->n);
    const int strips = (int)(o->strip_traj < o->n ? o->strip_traj : o->n);
    res->n = o->n;
    res->nv = ph->nv;
    res->strip_traj = strips;
    res->snapshots = o->snapshots;
    res->samples = malloc((size_t)o->n * nv * sizeof(double));
    res->hidden = malloc((size_t)o->n * nh * sizeof(double));
    res->V0 = malloc((size_t)o->n * sizeof(double));
    res->Vf = malloc((size_t)o->n * sizeof(double));
    res->Q_end = malloc((size_t)o->n * sizeof(double));
    res->Q_path = malloc((size_t)o->n * sizeof(double));
    res->strips = calloc((size_t)(strips ? strips : 1) * (size_t)o->snapshots * nv, sizeof(double));
    res->snap_t = malloc((size_t)o->snapshots * sizeof(double));
    double *X = malloc(Bmax * N * sizeof(double));
    double *G0 = malloc(Bmax * N * sizeof(double));
    double *G1 = malloc(Bmax * N * sizeof(double));
    double *eta = malloc(Bmax * N * sizeof(double));
    double *qpath = malloc(Bmax * sizeof(double));
    uint64_t *streams = malloc(Bmax * sizeof(uint64_t));
    int rc = 0;
    if (!res->samples || !res->hidden || !res->V0 || !res->Vf || !res->Q_end || !res->Q_path ||
        !res->strips || !res->snap_t || !X || !G0 || !G1 || !eta || !qpath || !streams) {
        rc = lv_fail(err, "out of memory for %ld trajectories of %zu units", o->n, N);
        goto done;
    }
    for (int s = 0; s < o->snapshots; ++s) res->snap_t[s] = snap_step(s, o->snapshots, K) * ph->dt;

    const double mudt = ph->mu * ph->dt, sigma = sqrt(2.0 * ph->mu * ph->kT * ph->dt);
    for (long base = 0; base < o->n; base += (long)Bmax) {
        size_t B = (size_t)(o->n - base < (long)Bmax ? o->n - base : (long)Bmax);
        for (size_t b = 0; b < B; ++b) streams[b] = LV_STREAM_GENERATE + (uint64_t)(base + (long)b);
        memset(X, 0, B * N * sizeof(double));
        if (lv_free_steps(ph, X, B, NULL, 0.0, o->seed, streams, 0, Keq, eta, err)) {
            rc = lv_fail_prefix(err, "preparing the noisy initial state");
            goto done;
        }
        lv_coupling_force(ph, &m->p, X, B, G0);
        lv_energy_from_coupling(ph, &m->p, X, B, G0, res->V0 + base);
        lv_grad_from_coupling(ph, &m->p, X, B, G0, G0);
        memset(qpath, 0, B * sizeof(double));
        int next_snap = 0;
        for (long k = 0; k <= K; ++k) {
            /* Record snapshots of the first trajectories at this step. */
            while (next_snap < o->snapshots && snap_step(next_snap, o->snapshots, K) == k) {
                for (size_t b = 0; b < B; ++b) {
                    long g = base + (long)b;
                    if (g < strips)
                        memcpy(res->strips + ((size_t)g * (size_t)o->snapshots + (size_t)next_snap) * nv,
                               X + b * N, nv * sizeof(double));
                }
                next_snap++;
            }
            if (k == K) break;
#pragma omp parallel for schedule(static)
            for (size_t b = 0; b < B; ++b) {
                double *x = X + b * N, *e = eta + b * N, *dx = G1 + b * N;
                const double *g = G0 + b * N;
                lv_normals(o->seed, streams[b], (uint32_t)(Keq + k), 0, N, e);
                for (size_t i = 0; i < N; ++i) {
                    double d = -mudt * g[i] + sigma * e[i];
                    dx[i] = d;
                    x[i] += d;
                }
            }
            /* eta <- dx; G1 <- grad V(x') ; heat uses both gradients. */
            memcpy(eta, G1, B * N * sizeof(double));
            lv_coupling_force(ph, &m->p, X, B, G1);
            lv_grad_from_coupling(ph, &m->p, X, B, G1, G1);
            lv_path_heat_step(G0, G1, eta, B, N, qpath);
            double *tmp = G0;
            G0 = G1;
            G1 = tmp;
            if ((k & 63) == 63 && lv_check_finite_state(ph, X, B * N, "generation", k + 1, err)) {
                rc = -1;
                goto done;
            }
        }
        if (lv_check_finite_state(ph, X, B * N, "generation", K, err)) {
            rc = -1;
            goto done;
        }
        lv_coupling_force(ph, &m->p, X, B, G1);
        lv_energy_from_coupling(ph, &m->p, X, B, G1, res->Vf + base);
        for (size_t b = 0; b < B; ++b) {
            long g = base + (long)b;
            memcpy(res->samples + (size_t)g * nv, X + b * N, nv * sizeof(double));
            memcpy(res->hidden + (size_t)g * nh, X + b * N + nv, nh * sizeof(double));
            res->Q_end[g] = res->V0[g] - res->Vf[g];
            res->Q_path[g] = qpath[b];
        }
        if (progress) progress(ctx, base + (long)B, o->n);
    }
done:
    free(X);
    free(G0);
    free(G1);
    free(eta);
    free(qpath);
    free(streams);
    if (rc) lv_gen_result_free(res);
    return rc;
}

void lv_path_heat_step(const double *G0, const double *G1, const double *DX, size_t B, size_t N, double *qpath)
{
#pragma omp parallel for schedule(static)
    for (size_t b = 0; b < B; ++b) {
        const double *g0 = G0 + b * N, *g1 = G1 + b * N, *dx = DX + b * N;
        double q = 0;
        for (size_t i = 0; i < N; ++i) q -= 0.5 * (g0[i] + g1[i]) * dx[i];
        qpath[b] += q;
    }
}
