#include "train.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dynamics.h"
#include "potential.h"
#include "rng.h"

lv_train_opts lv_train_opts_default(void)
{
    lv_train_opts o = {.batch = 32, .window = 16, .lr = 1e-3, .adam = 1,
                       .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .grad_clip = 0};
    return o;
}

int lv_train_opts_check(const lv_train_opts *o, lv_error *err)
{
    if (o->batch < 1 || o->batch > 1 << 16)
        return lv_fail(err, "batch size %d is out of range [1, 65536]", o->batch);
    if (o->window < 1 || o->window > 4096)
        return lv_fail(err, "window %d is out of range [1, 4096]", o->window);
    if (!isfinite(o->lr) || o->lr <= 0) return lv_fail(err, "learning rate %g must be positive", o->lr);
    if (o->adam && (!(o->beta1 >= 0 && o->beta1 < 1) || !(o->beta2 >= 0 && o->beta2 < 1) ||
                    !(o->eps > 0)))
        return lv_fail(err, "Adam needs 0 <= beta1, beta2 < 1 and eps > 0");
    if (!isfinite(o->grad_clip) || o->grad_clip < 0)
        return lv_fail(err, "gradient clip %g must be >= 0 (0 = off)", o->grad_clip);
    return 0;
}

struct lv_trainer {
    lv_model *m;
    lv_train_opts o;
    long K, Keq;
    size_t N;
    double *patterns; /* ndigits x N imposed patterns */
    double *X, *Iw, *eta, *Gprev;
    double *Xw, *Dw, *Cw;
    uint64_t *streams;
    lv_params g, m1, m2;
    int64_t adam_t;
};

lv_params *lv_trainer_moment1(lv_trainer *t) { return &t->m1; }
lv_params *lv_trainer_moment2(lv_trainer *t) { return &t->m2; }
int64_t *lv_trainer_step_count(lv_trainer *t) { return &t->adam_t; }

void lv_trainer_free(lv_trainer *t)
{
    if (!t) return;
    free(t->patterns);
    free(t->X);
    free(t->Iw);
    free(t->eta);
    free(t->Gprev);
    free(t->Xw);
    free(t->Dw);
    free(t->Cw);
    free(t->streams);
    lv_params_free(&t->g);
    lv_params_free(&t->m1);
    lv_params_free(&t->m2);
    free(t);
}

int lv_trainer_new(lv_trainer **out, lv_model *m, const lv_train_opts *o, lv_error *err)
{
    *out = NULL;
    if (lv_train_opts_check(o, err) || lv_model_validate(m, err)) return -1;
    if (m->ndigits < 1) return lv_fail(err, "the model has no training digits to noise");
    lv_trainer *t = calloc(1, sizeof *t);
    if (!t) return lv_fail(err, "out of memory");
    t->m = m;
    t->o = *o;
    t->N = (size_t)lv_units(&m->phys);
    if (lv_steps_for(m->phys.tf, m->phys.dt, &t->K, err) ||
        lv_steps_for(m->proto.t_eq, m->phys.dt, &t->Keq, err)) {
        lv_trainer_free(t);
        return -1;
    }
    size_t B = (size_t)o->batch, N = t->N, W = (size_t)o->window;
    t->patterns = malloc((size_t)m->ndigits * N * sizeof(double));
    t->X = malloc(B * N * sizeof(double));
    t->Iw = malloc(B * N * sizeof(double));
    t->eta = malloc(B * N * sizeof(double));
    t->Gprev = malloc(B * N * sizeof(double));
    t->Xw = malloc(W * B * N * sizeof(double));
    t->Dw = malloc(W * B * N * sizeof(double));
    t->Cw = malloc(W * B * N * sizeof(double));
    t->streams = malloc(B * sizeof(uint64_t));
    if (!t->patterns || !t->X || !t->Iw || !t->eta || !t->Gprev || !t->Xw || !t->Dw || !t->Cw ||
        !t->streams || lv_params_alloc(&t->g, &m->phys, err) ||
        lv_params_alloc(&t->m1, &m->phys, err) || lv_params_alloc(&t->m2, &m->phys, err)) {
        lv_trainer_free(t);
        return lv_fail(err, "out of memory allocating training buffers (batch %zu, window %zu, %zu units)",
                       B, W, N);
    }
    for (int d = 0; d < m->ndigits; ++d)
        lv_imposed_pattern(m, m->digits + (size_t)d * (size_t)m->phys.nv, t->patterns + (size_t)d * N);
    *out = t;
    return 0;
}

double lv_reverse_action_accumulate(const lv_physics *ph, int train_vbias, const double *Xp,
                                    const double *Dx, const double *G, size_t rows, double *R,
                                    lv_params *g)
{
    const int nv = ph->nv, nh = ph->nh, N = nv + nh, M = (int)rows;
    const double mudt = ph->mu * ph->dt, inv2kT = 1.0 / (2.0 * ph->kT);
    const double scale = ph->kT / mudt; /* (2kT r)^2 / (4 mu kT dt) = kT r^2 / (mu dt) */
    double S = 0.0;
#pragma omp parallel for schedule(static) reduction(+ : S)
    for (size_t k = 0; k < rows * (size_t)N; ++k) {
        double r = (-Dx[k] + mudt * G[k]) * inv2kT;
        R[k] = r;
        S += r * r;
    }
    /* dS/dWvh = R_v^T X'_h + X'_v^T R_h */
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, nv, nh, M, 1.0, R, N, Xp + nv, N, 1.0,
                g->Wvh, nh);
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, nv, nh, M, 1.0, Xp, N, R + nv, N, 1.0,
                g->Wvh, nh);
    /* dS/dWhh (upper triangle) = R_h^T X'_h + X'_h^T R_h */
    cblas_dsyr2k(CblasRowMajor, CblasUpper, CblasTrans, nh, M, 1.0, R + nv, N, Xp + nv, N, 1.0,
                 g->Whh, nh);
    if (ph->vv && g->Wvv)
        cblas_dsyr2k(CblasRowMajor, CblasUpper, CblasTrans, nv, M, 1.0, R, N, Xp, N, 1.0, g->Wvv, nv);
    for (size_t k = 0; k < rows; ++k) {
        const double *r = R + k * (size_t)N;
        for (int h = 0; h < nh; ++h) g->bh[h] += r[nv + h];
        if (train_vbias)
            for (int v = 0; v < nv; ++v) g->bv[v] += r[v];
    }
    return S * scale;
}

static void symmetrize(double *W, size_t n)
{
    for (size_t i = 0; i < n; ++i) {
        W[i * n + i] = 0.0;
        for (size_t j = i + 1; j < n; ++j) W[j * n + i] = W[i * n + j];
    }
}

void lv_grad_symmetrize(lv_params *g, const lv_physics *ph)
{
    symmetrize(g->Whh, (size_t)ph->nh);
    if (ph->vv && g->Wvv) symmetrize(g->Wvv, (size_t)ph->nv);
}

/* Apply fn to every (param, grad, m1, m2) element block. */
typedef struct {
    double *p, *g, *m1, *m2;
    size_t n;
} block;

static int param_blocks(lv_trainer *t, block out[5])
{
    const lv_physics *ph = &t->m->phys;
    size_t nv = (size_t)ph->nv, nh = (size_t)ph->nh;
    lv_params *p = &t->m->p;
    int nb = 0;
    out[nb++] = (block){p->Wvh, t->g.Wvh, t->m1.Wvh, t->m2.Wvh, nv * nh};
    out[nb++] = (block){p->Whh, t->g.Whh, t->m1.Whh, t->m2.Whh, nh * nh};
    out[nb++] = (block){p->bh, t->g.bh, t->m1.bh, t->m2.bh, nh};
    if (t->m->train_vbias) out[nb++] = (block){p->bv, t->g.bv, t->m1.bv, t->m2.bv, nv};
    if (ph->vv && p->Wvv) out[nb++] = (block){p->Wvv, t->g.Wvv, t->m1.Wvv, t->m2.Wvv, nv * nv};
    return nb;
}

static double update(lv_trainer *t, double inv_batch)
{
    block b[5];
    int nb = param_blocks(t, b);
    double norm2 = 0;
    for (int i = 0; i < nb; ++i)
        for (size_t k = 0; k < b[i].n; ++k) {
            b[i].g[k] *= inv_batch;
            norm2 += b[i].g[k] * b[i].g[k];
        }
    double norm = sqrt(norm2);
    double clip = 1.0;
    if (t->o.grad_clip > 0 && norm > t->o.grad_clip) clip = t->o.grad_clip / norm;
    const double lr = t->o.lr;
    if (t->o.adam) {
        t->adam_t++;
        const double b1 = t->o.beta1, b2 = t->o.beta2, eps = t->o.eps;
        const double c1 = 1.0 - pow(b1, (double)t->adam_t), c2 = 1.0 - pow(b2, (double)t->adam_t);
        for (int i = 0; i < nb; ++i) {
            double *p = b[i].p, *g = b[i].g, *m1 = b[i].m1, *m2 = b[i].m2;
#pragma omp parallel for schedule(static)
            for (size_t k = 0; k < b[i].n; ++k) {
                double gk = g[k] * clip;
                m1[k] = b1 * m1[k] + (1 - b1) * gk;
                m2[k] = b2 * m2[k] + (1 - b2) * gk * gk;
                p[k] -= lr * (m1[k] / c1) / (sqrt(m2[k] / c2) + eps);
            }
        }
    } else {
        for (int i = 0; i < nb; ++i)
            for (size_t k = 0; k < b[i].n; ++k) b[i].p[k] -= lr * clip * b[i].g[k];
    }
    /* Keep the exact symmetry and zero diagonal the model contract demands. */
    lv_grad_symmetrize(&t->m->p, &t->m->phys);
    return norm;
}

int lv_trainer_epoch(lv_trainer *t, lv_epoch_stats *st, lv_error *err)
{
    lv_model *m = t->m;
    const lv_physics *ph = &m->phys;
    const size_t B = (size_t)t->o.batch, N = t->N;
    const double mudt = ph->mu * ph->dt, sigma = sqrt(2.0 * ph->mu * ph->kT * ph->dt);
    const double J2 = ph->J2, J4 = ph->J4;
    const uint64_t seed = m->seed;
    memset(st, 0, sizeof *st);
    lv_params_zero(&t->g, ph);

    /* Start: each unit at its noise-free rest position under the full
     * imposed digit, then equilibrate for t_eq at lambda = 1. */
    for (size_t b = 0; b < B; ++b) {
        uint64_t traj = (uint64_t)m->epochs_done * B + b;
        t->streams[b] = LV_STREAM_TRAIN + traj;
        const double *pat = t->patterns + (size_t)(traj % (uint64_t)m->ndigits) * N;
        memcpy(t->Iw + b * N, pat, N * sizeof(double));
        for (size_t i = 0; i < N; ++i) t->X[b * N + i] = lv_unit_rest(J2, J4, -pat[i]);
    }
    if (lv_free_steps(ph, t->X, B, t->Iw, 1.0, seed, t->streams, 0, t->Keq, t->eta, err))
        return lv_fail_prefix(err, "equilibrating the noising computer");

    /* Trained-computer gradient at the start point, for the heat Qtheta. */
    lv_coupling_force(ph, &m->p, t->X, B, t->Gprev);
    lv_grad_from_coupling(ph, &m->p, t->X, B, t->Gprev, t->Gprev);

    double Sfwd = 0, Q0 = 0, Qth = 0, Srev = 0;
    for (long k0 = 0; k0 < t->K; k0 += t->o.window) {
        long Tw = t->K - k0 < t->o.window ? t->K - k0 : t->o.window;
#pragma omp parallel for schedule(static) reduction(+ : Sfwd, Q0)
        for (size_t b = 0; b < B; ++b) {
            double *x = t->X + b * N, *e = t->eta + b * N;
            const double *pat = t->Iw + b * N;
            for (long s = 0; s < Tw; ++s) {
                long k = k0 + s;
                double lam = 1.0 - (double)k * ph->dt / ph->tf;
                lv_normals(seed, t->streams[b], (uint32_t)(t->Keq + k), 0, N, e);
                double *xp = t->Xw + ((size_t)s * B + b) * N, *dx = t->Dw + ((size_t)s * B + b) * N;
                double sf = 0, q0 = 0;
                for (size_t i = 0; i < N; ++i) {
                    double f0 = lv_local_grad(J2, J4, x[i]) - lam * pat[i];
                    double d = -mudt * f0 + sigma * e[i];
                    double xn = x[i] + d;
                    double f1 = lv_local_grad(J2, J4, xn) - lam * pat[i];
                    q0 -= 0.5 * (f0 + f1) * d;
                    sf += 0.5 * e[i] * e[i];
                    xp[i] = xn;
                    dx[i] = d;
                    x[i] = xn;
                }
                Sfwd += sf;
                Q0 += q0;
            }
        }
        size_t rows = (size_t)Tw * B;
        /* Qtheta needs grad V_theta at x' before Dw is overwritten by r. */
        lv_coupling_force(ph, &m->p, t->Xw, rows, t->Cw);
        lv_grad_from_coupling(ph, &m->p, t->Xw, rows, t->Cw, t->Cw);
        double qth = 0;
#pragma omp parallel for schedule(static) reduction(+ : qth)
        for (size_t b = 0; b < B; ++b) {
            const double *gp = t->Gprev + b * N;
            for (long s = 0; s < Tw; ++s) {
                const double *g1 = t->Cw + ((size_t)s * B + b) * N;
                const double *dx = t->Dw + ((size_t)s * B + b) * N;
                for (size_t i = 0; i < N; ++i) qth -= 0.5 * (gp[i] + g1[i]) * dx[i];
                gp = g1;
            }
        }
        Qth += qth;
        memcpy(t->Gprev, t->Cw + (size_t)(Tw - 1) * B * N, B * N * sizeof(double));
        Srev += lv_reverse_action_accumulate(ph, m->train_vbias, t->Xw, t->Dw, t->Cw, rows, t->Dw,
                                             &t->g);
    }
    if (lv_check_finite_state(ph, t->X, B * N, "noising trajectory", t->Keq + t->K, err)) return -1;
    lv_grad_symmetrize(&t->g, ph);
    double inv_b = 1.0 / (double)B;
    st->S_rev = Srev * inv_b;
    st->S_fwd = Sfwd * inv_b;
    st->Q0 = Q0 * inv_b / ph->kT;
    st->Qtheta = Qth * inv_b / ph->kT;
    st->grad_norm = update(t, inv_b);
    m->epochs_done++;
    m->batch = t->o.batch;
    if (!isfinite(st->S_rev) || !isfinite(st->grad_norm) || lv_model_validate(m, err))
        return lv_fail(err, "training diverged after epoch %lld (reverse action %g, gradient norm %g): "
                            "the learning rate %g is likely too large",
                       (long long)m->epochs_done, st->S_rev, st->grad_norm, t->o.lr);
    return 0;
}
