#include "figures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynamics.h"
#include "image.h"
#include "rng.h"

/* Scale for unit activations: white at <= 0, full blue at the given max. */
static double pos_max(const double *v, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; ++i)
        if (v[i] > m) m = v[i];
    return m > 0 ? m : 1.0;
}

int lv_fig_noising(const char *path, const lv_model *m, int digit, int snapshots, uint64_t seed,
                   lv_error *err)
{
    const lv_physics *ph = &m->phys;
    if (digit < 0 || digit >= m->ndigits) return lv_fail(err, "the model has no training digit %d", digit);
    if (snapshots < 2) return lv_fail(err, "need at least 2 snapshots");
    long K, Keq;
    if (lv_steps_for(ph->tf, ph->dt, &K, err) || lv_steps_for(m->proto.t_eq, ph->dt, &Keq, err)) return -1;
    size_t N = (size_t)lv_units(ph), nv = (size_t)ph->nv;
    double *x = malloc(N * sizeof(double)), *imp = malloc(N * sizeof(double));
    double *eta = malloc(N * sizeof(double));
    double *snaps = malloc((size_t)snapshots * nv * sizeof(double));
    char(*cap)[32] = malloc((size_t)snapshots * sizeof *cap);
    const char **caps = malloc((size_t)snapshots * sizeof *caps);
    int rc = -1;
    if (!x || !imp || !eta || !snaps || !cap || !caps) {
        lv_fail(err, "out of memory");
        goto out;
    }
    lv_imposed_pattern(m, m->digits + (size_t)digit * nv, imp);
    for (size_t i = 0; i < N; ++i) x[i] = lv_unit_rest(ph->J2, ph->J4, -imp[i]);
    uint64_t stream = LV_STREAM_MISC + (uint64_t)digit;
    if (lv_free_steps(ph, x, 1, imp, 1.0, seed, &stream, 0, Keq, eta, err)) goto out;
    int s = 0;
    for (long k = 0; k <= K; ++k) {
        long want = (long)((double)s * K / (snapshots - 1) + 0.5);
        if (s < snapshots && k == want) {
            memcpy(snaps + (size_t)s * nv, x, nv * sizeof(double));
            snprintf(cap[s], sizeof cap[s], "t=%.2g", k * ph->dt);
            caps[s] = cap[s];
            s++;
        }
        if (k == K) break;
        double lam = 1.0 - (double)k * ph->dt / ph->tf;
        if (lv_free_steps(ph, x, 1, imp, lam, seed, &stream, (uint32_t)(Keq + k), 1, eta, err)) goto out;
    }
    rc = lv_png_field_grid(path, snaps, snapshots, m->rows, m->cols, snapshots, 4, 4, LV_CMAP_BLUE_WHITE, 0,
                           0.0, pos_max(snaps, (size_t)snapshots * nv), caps, err);
out:
    free(x);
    free(imp);
    free(eta);
    free(snaps);
    free(cap);
    free(caps);
    return rc;
}

int lv_fig_digits(const char *path, const lv_model *m, lv_error *err)
{
    if (m->ndigits < 1) return lv_fail(err, "the model carries no training digits");
    int n = m->ndigits;
    char(*cap)[32] = malloc((size_t)n * sizeof *cap);
    const char **caps = malloc((size_t)n * sizeof *caps);
    if (!cap || !caps) {
        free(cap);
        free(caps);
        return lv_fail(err, "out of memory");
    }
    for (int i = 0; i < n; ++i) {
        snprintf(cap[i], sizeof cap[i], "#%d (%d)", (int)m->digit_index[i], (int)m->digit_labels[i]);
        caps[i] = cap[i];
    }
    int rc = lv_png_field_grid(path, m->digits, n, m->rows, m->cols, n < 10 ? n : 10, 4, 4, LV_CMAP_BLUE_WHITE,
                               0, 0.0, pos_max(m->digits, (size_t)n * (size_t)m->phys.nv), caps, err);
    free(cap);
    free(caps);
    return rc;
}

int lv_fig_strips(const char *path, const lv_model *m, const lv_gen_result *r, lv_error *err)
{
    if (r->strip_traj < 1) return lv_fail(err, "no trajectories were recorded for strips");
    int n = r->strip_traj * r->snapshots;
    char(*cap)[32] = malloc((size_t)n * sizeof *cap);
    const char **caps = malloc((size_t)n * sizeof *caps);
    if (!cap || !caps) {
        free(cap);
        free(caps);
        return lv_fail(err, "out of memory");
    }
    for (int i = 0; i < n; ++i) {
        snprintf(cap[i], sizeof cap[i], "t=%.2g", r->snap_t[i % r->snapshots]);
        caps[i] = cap[i];
    }
    int rc = lv_png_field_grid(path, r->strips, n, m->rows, m->cols, r->snapshots, 4, 4, LV_CMAP_BLUE_WHITE, 0,
                               0.0, pos_max(r->strips, (size_t)n * (size_t)r->nv), caps, err);
    free(cap);
    free(caps);
    return rc;
}

int lv_fig_grid(const char *path, const lv_model *m, const lv_gen_result *r, int side, lv_error *err)
{
    int n = side * side;
    if (n > r->n) n = (int)r->n;
    return lv_png_field_grid(path, r->samples, n, m->rows, m->cols, side, 4, 4, LV_CMAP_BLUE_WHITE, 0, 0.0,
                             pos_max(r->samples, (size_t)n * (size_t)r->nv), NULL, err);
}

int lv_fig_fields(const char *path, const lv_model *m, int count, lv_error *err)
{
    const size_t nv = (size_t)m->phys.nv, nh = (size_t)m->phys.nh;
    if (count > (int)nh) count = (int)nh;
    double *norm = malloc(nh * sizeof(double));
    int *order = malloc(nh * sizeof(int));
    double *f = malloc((size_t)count * nv * sizeof(double));
    if (!norm || !order || !f) {
        free(norm);
        free(order);
        free(f);
        return lv_fail(err, "out of memory");
    }
    for (size_t h = 0; h < nh; ++h) {
        double s = 0;
        for (size_t v = 0; v < nv; ++v) s += m->p.Wvh[v * nh + h] * m->p.Wvh[v * nh + h];
        norm[h] = s;
        order[h] = (int)h;
    }
    /* partial selection sort: the `count` strongest hidden units */
    for (int i = 0; i < count; ++i)
        for (size_t j = (size_t)i + 1; j < nh; ++j)
            if (norm[order[j]] > norm[order[i]]) {
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
    for (int i = 0; i < count; ++i)
        for (size_t v = 0; v < nv; ++v) f[(size_t)i * nv + v] = m->p.Wvh[v * nh + (size_t)order[i]];
    int rc = lv_png_field_grid(path, f, count, m->rows, m->cols, 4, 4, 4, LV_CMAP_RED_WHITE_BLUE, 1, 0, 0, NULL,
                               err);
    free(norm);
    free(order);
    free(f);
    return rc;
}
