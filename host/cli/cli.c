#include "cli.h"

#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_fail(const char *cmd, const lv_error *err)
{
    fprintf(stderr, "langevin %s: error: %s\n", cmd, err->msg);
    return LV_EXIT_FAIL;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    fprintf(stderr, "langevin %s: ", cmd);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(run `langevin %s --help` for usage)\n", cmd);
    return LV_EXIT_USAGE;
}

int cli_double(const char *cmd, const char *opt, const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(v))
        return cli_usage_error(cmd, "%s expects a number, got '%s'", opt, s);
    if (v < lo || v > hi) return cli_usage_error(cmd, "%s = %g is outside [%g, %g]", opt, v, lo, hi);
    *out = v;
    return 0;
}

int cli_int(const char *cmd, const char *opt, const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno) return cli_usage_error(cmd, "%s expects an integer, got '%s'", opt, s);
    if (v < lo || v > hi) return cli_usage_error(cmd, "%s = %ld is outside [%ld, %ld]", opt, v, lo, hi);
    *out = v;
    return 0;
}

int cli_u64(const char *cmd, const char *opt, const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    if (*s == '-') return cli_usage_error(cmd, "%s expects a non-negative integer, got '%s'", opt, s);
    unsigned long long v = strtoull(s, &end, 0);
    if (end == s || *end || errno)
        return cli_usage_error(cmd, "%s expects a non-negative integer, got '%s'", opt, s);
    *out = (uint64_t)v;
    return 0;
}

int cli_int_list(const char *cmd, const char *opt, const char *s, long lo, long hi, int **out, int *n)
{
    *out = NULL;
    *n = 0;
    size_t cap = 1;
    for (const char *p = s; *p; ++p) cap += *p == ',';
    int *v = malloc(cap * sizeof(int));
    if (!v) return cli_usage_error(cmd, "out of memory");
    const char *p = s;
    int k = 0;
    for (;;) {
        char *end;
        errno = 0;
        long x = strtol(p, &end, 10);
        if (end == p || errno || (*end && *end != ',')) {
            free(v);
            return cli_usage_error(cmd, "%s expects comma-separated integers, got '%s'", opt, s);
        }
        if (x < lo || x > hi) {
            free(v);
            return cli_usage_error(cmd, "%s: value %ld is outside [%ld, %ld]", opt, x, lo, hi);
        }
        v[k++] = (int)x;
        if (!*end) break;
        p = end + 1;
    }
    *out = v;
    *n = k;
    return 0;
}

void cli_set_threads(int n)
{
    if (n > 0) omp_set_num_threads(n);
}

int cli_uio_offset(const char *cmd, const char *s, long long *out)
{
    uint64_t u = 0;
    if (cli_u64(cmd, "--uio-offset", s, &u)) return -1;
    if (u > (uint64_t)INT64_MAX || u % 4096) {
        cli_usage_error(cmd, "--uio-offset must be a multiple of the 4096-byte page, not %s", s);
        return -1;
    }
    *out = (long long)u;
    return 0;
}
