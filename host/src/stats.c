#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

lv_summary lv_summarize(const double *x, size_t n)
{
    lv_summary s = {.n = n};
    if (n == 0) return s;
    double mean = 0;
    s.min = s.max = x[0];
    for (size_t i = 0; i < n; ++i) {
        mean += x[i];
        if (x[i] < s.min) s.min = x[i];
        if (x[i] > s.max) s.max = x[i];
    }
    mean /= (double)n;
    double ss = 0;
    for (size_t i = 0; i < n; ++i) ss += (x[i] - mean) * (x[i] - mean);
    s.mean = mean;
    s.std = n > 1 ? sqrt(ss / (double)(n - 1)) : 0.0;
    s.sem = n > 1 ? s.std / sqrt((double)n) : 0.0;
    return s;
}

double lv_pearson(const double *a, const double *b, size_t n)
{
    double ma = 0, mb = 0;
    for (size_t i = 0; i < n; ++i) {
        ma += a[i];
        mb += b[i];
    }
    ma /= (double)n;
    mb /= (double)n;
    double sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < n; ++i) {
        double da = a[i] - ma, db = b[i] - mb;
        sab += da * db;
        saa += da * da;
        sbb += db * db;
    }
    if (saa <= 0 || sbb <= 0) return 0.0;
    return sab / sqrt(saa * sbb);
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

double lv_ks_distance(const double *a, size_t na, const double *b, size_t nb)
{
    if (na == 0 || nb == 0) return NAN;
    double *sa = malloc(na * sizeof(double)), *sb = malloc(nb * sizeof(double));
    if (!sa || !sb) {
        free(sa);
        free(sb);
        return NAN;
    }
    memcpy(sa, a, na * sizeof(double));
    memcpy(sb, b, nb * sizeof(double));
    qsort(sa, na, sizeof(double), cmp_double);
    qsort(sb, nb, sizeof(double), cmp_double);
    size_t i = 0, j = 0;
    double d = 0;
    while (i < na && j < nb) {
        double v = sa[i] < sb[j] ? sa[i] : sb[j];
        while (i < na && sa[i] <= v) ++i;
        while (j < nb && sb[j] <= v) ++j;
        double diff = fabs((double)i / (double)na - (double)j / (double)nb);
        if (diff > d) d = diff;
    }
    free(sa);
    free(sb);
    return d;
}
