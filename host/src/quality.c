#include "quality.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

void lv_quality_free(lv_quality *q)
{
    free(q->coverage);
    free(q->best);
    free(q->r_best);
    memset(q, 0, sizeof *q);
}

int lv_quality_eval(const double *samples, long n, int nv, const double *digits, int ndigits,
                    lv_quality *q, lv_error *err)
{
    memset(q, 0, sizeof *q);
    if (n < 1 || ndigits < 1 || nv < 2)
        return lv_fail(err, "quality needs at least one sample and one reference digit");
    q->n = n;
    q->ndigits = ndigits;
    q->coverage = calloc((size_t)ndigits, sizeof(double));
    q->best = malloc((size_t)n * sizeof(int));
    q->r_best = malloc((size_t)n * sizeof(double));
    if (!q->coverage || !q->best || !q->r_best) {
        lv_quality_free(q);
        return lv_fail(err, "out of memory evaluating sample quality");
    }
    double sum = 0;
    long above5 = 0, above7 = 0, inv = 0, copies = 0;
    for (long s = 0; s < n; ++s) {
        const double *x = samples + (size_t)s * (size_t)nv;
        int best = 0;
        double rb = 0;
        for (int d = 0; d < ndigits; ++d) {
            double r = lv_pearson(x, digits + (size_t)d * (size_t)nv, (size_t)nv);
            if (d == 0 || fabs(r) > fabs(rb)) {
                rb = r;
                best = d;
            }
        }
        double a = fabs(rb);
        q->best[s] = best;
        q->r_best[s] = rb;
        q->coverage[best] += 1.0;
        sum += a;
        above5 += a > 0.5;
        above7 += a > 0.7;
        inv += rb < 0;
        copies += a >= LV_COPY_THRESHOLD;
    }
    q->mean_match = sum / (double)n;
    q->frac_above_05 = (double)above5 / (double)n;
    q->frac_above_07 = (double)above7 / (double)n;
    q->frac_inverted = (double)inv / (double)n;
    q->frac_copies = (double)copies / (double)n;
    q->min_coverage = 1.0;
    for (int d = 0; d < ndigits; ++d) {
        q->coverage[d] /= (double)n;
        if (q->coverage[d] < q->min_coverage) q->min_coverage = q->coverage[d];
    }
    /* Diversity: O(n^2 nv); cap at the first 2000 samples. */
    long m = n < 2000 ? n : 2000;
    if (m < 2) {
        q->mean_sample_nn = NAN;
    } else {
        double acc = 0;
#pragma omp parallel for schedule(dynamic, 8) reduction(+ : acc)
        for (long i = 0; i < m; ++i) {
            double best = 0;
            for (long j = 0; j < m; ++j) {
                if (j == i) continue;
                double r = fabs(lv_pearson(samples + (size_t)i * (size_t)nv,
                                           samples + (size_t)j * (size_t)nv, (size_t)nv));
                if (r > best) best = r;
            }
            acc += best;
        }
        q->mean_sample_nn = acc / (double)m;
    }
    return 0;
}
