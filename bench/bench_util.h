/* bench_util.h - helpers shared by the benchmark programs. */
#ifndef LV_BENCH_UTIL_H
#define LV_BENCH_UTIL_H

#include <stdio.h>

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

#endif
