/* bench_util.h - helpers shared by the benchmark programs. */
#ifndef LV_BENCH_UTIL_H
#define LV_BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>

/* 1-minute load average from /proc/loadavg, or -1 if unavailable: printed
 * next to every figure, because these machines are shared. */
static inline double lv_bench_loadavg1(void)
{
    FILE *f = fopen("/proc/loadavg", "r");
    double l = -1;
    if (f) {
        if (fscanf(f, "%lf", &l) != 1) l = -1;
        fclose(f);
    }
    return l;
}

/* A whole decimal integer in [lo, hi] (the benchmarks' argument parser):
 * 0, or -1 for anything else. */
static inline int lv_bench_parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < lo || v > hi) return -1;
    *out = (int)v;
    return 0;
}

#endif
