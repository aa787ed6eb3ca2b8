/* run_compare.c - run summaries and CRN comparisons (see run_compare.h). */
#include "run_compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int lv_run_measure(const lv_model *m, const lv_gen_result *r, lv_run_stats *s, lv_error *err)
{
    memset(s, 0, sizeof *s);
    const size_t n = (size_t)r->n;
    const double kT = m->phys.kT;
    double *qe = malloc(n * sizeof *qe), *qp = malloc(n * sizeof *qp);
    if (!qe || !qp) {
        free(qe), free(qp);
        return lv_fail(err, "out of memory summarising %zu trajectories", n);
    }
    double dmax = 0, dsum = 0;
    for (size_t i = 0; i < n; ++i) {
        qe[i] = r->Q_end[i] / kT;
        qp[i] = r->Q_path[i] / kT;
        double d = fabs(qe[i] - qp[i]);
        dsum += d;
        dmax = d > dmax ? d : dmax;
    }
    s->n = r->n;
    s->q_end = lv_summarize(qe, n);
    s->q_path = lv_summarize(qp, n);
    s->end_path_abs_mean = dsum / (double)n;
    s->end_path_abs_max = dmax;
    s->dV_mean = -s->q_end.mean;
    free(qe), free(qp);
    if (m->ndigits > 0) {
        if (lv_quality_eval(r->samples, r->n, m->phys.nv, m->digits, m->ndigits, &s->q, err)) return -1;
        s->has_quality = 1;
    }
    return 0;
}

void lv_run_stats_free(lv_run_stats *s)
{
    if (s->has_quality) lv_quality_free(&s->q);
    memset(s, 0, sizeof *s);
}

int lv_run_compare(const lv_gen_result *a, const lv_run_stats *sa, const lv_gen_result *ref,
                   const lv_run_stats *sref, double kT, lv_run_cmp *c, lv_error *err)
{
    memset(c, 0, sizeof *c);
    if (a->n != ref->n || a->n < 1)
        return lv_fail(err, "comparing runs of %ld and %ld trajectories: common random numbers need equal n", a->n,
                       ref->n);
    const size_t n = (size_t)a->n;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    if (!x || !y) {
        free(x), free(y);
        return lv_fail(err, "out of memory comparing %zu trajectories", n);
    }
    double s1 = 0, s2 = 0, sa1 = 0;
    for (size_t i = 0; i < n; ++i) {
        x[i] = a->Q_end[i] / kT;
        y[i] = ref->Q_end[i] / kT;
        double d = x[i] - y[i];
        s1 += d, s2 += d * d, sa1 += fabs(d);
    }
    c->ks = lv_ks_distance(x, n, y, n);
    c->rel_mean = (sa->q_end.mean - sref->q_end.mean) / sref->q_end.mean;
    c->paired_mean = s1 / (double)n;
    double var = n > 1 ? (s2 - s1 * s1 / (double)n) / (double)(n - 1) : 0;
    c->paired_sem = n > 1 ? sqrt(var > 0 ? var / (double)n : 0) : NAN;
    c->paired_abs = sa1 / (double)n;
    if (sa->has_quality && sref->has_quality) {
        size_t same = 0;
        for (size_t i = 0; i < n; ++i)
            same += sa->q.best[i] == sref->q.best[i] && (sa->q.r_best[i] < 0) == (sref->q.r_best[i] < 0);
        c->same_outcome = (double)same / (double)n;
    } else {
        c->same_outcome = NAN;
    }
    free(x), free(y);
    return 0;
}
