/* stats.h - summary statistics used in reports. */
#ifndef LV_STATS_H
#define LV_STATS_H

#include <stddef.h>

typedef struct {
    size_t n;
    double mean, std, min, max, sem; /* std: sample (n-1) standard deviation */
} lv_summary;

lv_summary lv_summarize(const double *x, size_t n);
/* Pearson correlation of two length-n vectors (0 if either is constant). */
double lv_pearson(const double *a, const double *b, size_t n);
/* Two-sample Kolmogorov-Smirnov statistic D = sup |F_a - F_b|. */
double lv_ks_distance(const double *a, size_t na, const double *b, size_t nb);

#endif
