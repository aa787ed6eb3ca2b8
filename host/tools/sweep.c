/* sweep.c - sweep bookkeeping (see sweep.h). */
#include "sweep.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const axis_names[LV_AX_COUNT] = {"bits", "dac_bits", "state_frac", "mismatch", "scale"};
static const char *const axis_cli[LV_AX_COUNT] = {"bits", "dac-bits", "state-frac", "mismatch", "scale"};

/* Largest mismatch sigma the device accepts: 6 sigma_m < 1 (fixed-point.md §7). */
#define MISMATCH_MAX (10922.0 / 65536.0)

const char *lv_sweep_axis_name(lv_sweep_axis a) { return a < LV_AX_COUNT ? axis_names[a] : "?"; }

int lv_sweep_axis_from_name(const char *s)
{
    for (int a = 0; a < LV_AX_COUNT; ++a)
        if (!strcmp(s, axis_names[a]) || !strcmp(s, axis_cli[a])) return a;
    return -1;
}

static void axis_range(lv_sweep_axis a, double *lo, double *hi)
{
    switch (a) {
    case LV_AX_BITS: *lo = 2, *hi = 16; break;
    case LV_AX_DAC: *lo = 2, *hi = 14; break;
    case LV_AX_FRAC: *lo = 4, *hi = 28; break;
    case LV_AX_MISMATCH: *lo = 0, *hi = MISMATCH_MAX; break;
    default: *lo = 0, *hi = 1; break;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int parse_num(lv_sweep_axis a, const char *s, size_t len, double *v, lv_error *err)
{
    char buf[64];
    if (len == 0 || len >= sizeof buf)
        return lv_fail(err, "--%s: empty or overlong value in the list", axis_cli[a]);
    memcpy(buf, s, len);
    buf[len] = 0;
    char *end;
    errno = 0;
    double x = strtod(buf, &end);
    if (end == buf || *end || errno || !isfinite(x))
        return lv_fail(err, "--%s: '%s' is not a finite number", axis_cli[a], buf);
    if (a != LV_AX_MISMATCH && x != floor(x))
        return lv_fail(err, "--%s: '%s' is not an integer", axis_cli[a], buf);
    double lo, hi;
    axis_range(a, &lo, &hi);
    if (x < lo || x > hi) return lv_fail(err, "--%s: %s is outside [%g, %g]", axis_cli[a], buf, lo, hi);
    *v = x;
    return 0;
}

static int add_value(lv_sweep_axis a, lv_axis_values *out, double v, lv_error *err)
{
    if (out->n >= LV_SWEEP_MAX_VALUES)
        return lv_fail(err, "--%s: more than %d values", axis_cli[a], LV_SWEEP_MAX_VALUES);
    out->v[out->n++] = v;
    return 0;
}

int lv_sweep_parse_values(lv_sweep_axis a, const char *s, lv_axis_values *out, lv_error *err)
{
    out->n = 0;
    if (a >= LV_AX_COUNT) return lv_fail(err, "unknown sweep axis");
    if (!*s) return lv_fail(err, "--%s: empty value list", axis_cli[a]);
    const char *p = s;
    for (;;) {
        size_t len = strcspn(p, ",");
        if (a == LV_AX_SCALE) {
            double v = 0;
            if (len == 5 && !strncmp(p, "block", 5)) v = 0;
            else if (len == 3 && !strncmp(p, "row", 3)) v = 1;
            else return lv_fail(err, "--scale: '%.*s' is not 'block' or 'row'", (int)len, p);
            if (add_value(a, out, v, err)) return -1;
        } else {
            /* value, A:B or A:B:STEP */
            const char *c1 = memchr(p, ':', len);
            if (!c1) {
                double v = 0;
                if (parse_num(a, p, len, &v, err) || add_value(a, out, v, err)) return -1;
            } else {
                const char *c2 = memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - p));
                double A, B, step = 1;
                size_t lb = c2 ? (size_t)(c2 - c1 - 1) : len - (size_t)(c1 + 1 - p);
                if (parse_num(a, p, (size_t)(c1 - p), &A, err) || parse_num(a, c1 + 1, lb, &B, err)) return -1;
                if (c2) {
                    char buf[64];
                    size_t ls = len - (size_t)(c2 + 1 - p);
                    if (ls == 0 || ls >= sizeof buf) return lv_fail(err, "--%s: empty range step", axis_cli[a]);
                    memcpy(buf, c2 + 1, ls);
                    buf[ls] = 0;
                    char *end;
                    step = strtod(buf, &end);
                    if (end == buf || *end || !isfinite(step) || step <= 0)
                        return lv_fail(err, "--%s: range step '%s' must be a positive number", axis_cli[a], buf);
                    if (a != LV_AX_MISMATCH && step != floor(step))
                        return lv_fail(err, "--%s: range step '%s' must be an integer", axis_cli[a], buf);
                } else if (a == LV_AX_MISMATCH) {
                    return lv_fail(err, "--mismatch: a range needs a step, e.g. 0:0.1:0.02");
                }
                if (B < A) return lv_fail(err, "--%s: range %.*s runs backwards", axis_cli[a], (int)len, p);
                long k = (long)floor((B - A) / step + 1e-9);
                if (k + 1 > LV_SWEEP_MAX_VALUES)
                    return lv_fail(err, "--%s: range %.*s has more than %d values", axis_cli[a], (int)len, p,
                                   LV_SWEEP_MAX_VALUES);
                for (long i = 0; i <= k; ++i)
                    if (add_value(a, out, A + (double)i * step, err)) return -1;
            }
        }
        if (!p[len]) break;
        p += len + 1;
    }
    qsort(out->v, (size_t)out->n, sizeof out->v[0], cmp_double);
    int k = 0;
    for (int i = 0; i < out->n; ++i)
        if (k == 0 || out->v[i] != out->v[k - 1]) out->v[k++] = out->v[i];
    out->n = k;
    return 0;
}

double lv_sweep_point_value(const lv_sweep_point *p, lv_sweep_axis a)
{
    switch (a) {
    case LV_AX_BITS: return p->q.bj;
    case LV_AX_DAC: return p->q.bn;
    case LV_AX_FRAC: return p->q.fx;
    case LV_AX_MISMATCH: return p->sm / 65536.0;
    case LV_AX_SCALE: return p->q.scale == LV_Q_SCALE_ROW;
    default: return NAN;
    }
}

void lv_sweep_point_set(lv_sweep_point *p, lv_sweep_axis a, double v)
{
    switch (a) {
    case LV_AX_BITS: p->q.bj = (int)v; break;
    case LV_AX_DAC: p->q.bn = (int)v; break;
    case LV_AX_FRAC: {
        int ib = p->q.wx - p->q.fx; /* keep the range (integer bits), move the resolution */
        p->q.fx = (int)v;
        p->q.wx = p->q.fx + ib;
        break;
    }
    case LV_AX_MISMATCH: p->sm = (uint32_t)lround(v * 65536.0); break;
    case LV_AX_SCALE: p->q.scale = v != 0 ? LV_Q_SCALE_ROW : LV_Q_SCALE_BLOCK; break;
    default: break;
    }
}

static int same_point(const lv_sweep_point *x, const lv_sweep_point *y)
{
    return x->q.bj == y->q.bj && x->q.bn == y->q.bn && x->q.fx == y->q.fx && x->q.wx == y->q.wx &&
           x->q.scale == y->q.scale && x->sm == y->sm && x->q.round == y->q.round && x->q.bb == y->q.bb &&
           x->q.wf == y->q.wf && x->q.ff == y->q.ff && x->q.clip_percentile == y->q.clip_percentile &&
           x->q.seed == y->q.seed && x->q.gain_trim == y->q.gain_trim && x->q.offset == y->q.offset;
}

int lv_sweep_on_slice(const lv_sweep_point *p, const lv_sweep_point *base, lv_sweep_axis a)
{
    lv_sweep_point t = *p;
    lv_sweep_point_set(&t, a, lv_sweep_point_value(base, a));
    return same_point(&t, base);
}

int lv_sweep_points(const lv_sweep_point *base, const lv_axis_values axes[LV_AX_COUNT], lv_sweep_point *out,
                    int cap)
{
    int n = 0;
    for (int a = 0; a < LV_AX_COUNT; ++a) {
        for (int i = 0; i < axes[a].n; ++i) {
            lv_sweep_point p = *base;
            lv_sweep_point_set(&p, (lv_sweep_axis)a, axes[a].v[i]);
            int dup = 0;
            for (int k = 0; k < n && !dup; ++k) dup = same_point(&out[k], &p);
            if (!dup && n < cap) out[n++] = p;
        }
    }
    return n;
}

uint64_t lv_fnv1a64(const void *data, size_t n)
{
    const unsigned char *p = data;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

uint64_t lv_sweep_point_hash(const lv_sweep_run *run, const lv_sweep_point *p)
{
    char s[512];
    const lv_quant_opts *q = &p->q;
    int k = snprintf(s, sizeof s,
                     "sweep-v1|model=%016" PRIx64 "|n=%ld|seed=%" PRIu64 "|chip=%" PRIu64
                     "|bj=%d|scale=%d|round=%d|qseed=%" PRIu64 "|clip=%.17g|bb=%d|wx=%d|fx=%d|wf=%d|ff=%d|bn=%d"
                     "|trim=%.17g|offset=%d|sm=%u",
                     run->model_hash, run->n, run->seed, run->chip_seed, q->bj, (int)q->scale, (int)q->round, q->seed,
                     q->clip_percentile, q->bb, q->wx, q->fx, q->wf, q->ff, q->bn, q->gain_trim, (int)q->offset,
                     (unsigned)p->sm);
    return lv_fnv1a64(s, (size_t)k);
}

/* ---- CSV ---------------------------------------------------------------- */

static const char *header =
    "hash,model_hash,n,seed,chip_seed,scale,bits,dac_bits,state_bits,state_frac,mismatch,status,"
    "mean_best_r,frac_r_above_0_7,min_coverage,coverage,Q_end_mean_kT,Q_end_std_kT,rel_heat_diff,ks_crn,"
    "paired_dQ_mean_kT,paired_abs_dQ_mean_kT,same_outcome,sat_state,sat_force,wall_s,message";

const char *lv_sweep_csv_header(void) { return header; }

int lv_sweep_row_format(const lv_sweep_row *r, char *buf, size_t cap)
{
    char cov[16 * 12 + 1] = "";
    size_t o = 0;
    for (int d = 0; d < r->ndigits && d < 16; ++d)
        o += (size_t)snprintf(cov + o, sizeof cov - o, "%s%.4f", d ? ";" : "", r->cov[d]);
    char msg[sizeof r->msg];
    size_t i = 0;
    for (; r->msg[i] && i + 1 < sizeof msg; ++i) {
        char c = r->msg[i];
        msg[i] = (c == ',' || c == '"' || c == '\n' || c == '\r') ? ';' : c; /* keep one field */
    }
    msg[i] = 0;
    int k = snprintf(buf, cap,
                     "%016" PRIx64 ",%016" PRIx64 ",%ld,%" PRIu64 ",%" PRIu64 ",%s,%d,%d,%d,%d,%.6f,%s,"
                     "%.6f,%.6f,%.6f,%s,%.6g,%.6g,%.6g,%.6f,%.6g,%.6g,%.6f,%" PRIu64 ",%" PRIu64 ",%.3f,%s",
                     r->hash, r->run.model_hash, r->run.n, r->run.seed, r->run.chip_seed,
                     r->pt.q.scale == LV_Q_SCALE_ROW ? "row" : "block", r->pt.q.bj, r->pt.q.bn, r->pt.q.wx,
                     r->pt.q.fx, r->pt.sm / 65536.0, r->ok ? "ok" : "refused", r->mean_r, r->frac_r07, r->min_cov,
                     cov, r->q_mean, r->q_std, r->rel_heat, r->ks, r->paired_mean, r->paired_abs, r->same_outcome,
                     r->sat_state, r->sat_force, r->wall_s, msg);
    return (k < 0 || (size_t)k >= cap) ? -1 : 0;
}

enum { NCOL = 27 };

int lv_sweep_row_parse(const char *line, lv_sweep_row *r, lv_error *err)
{
    memset(r, 0, sizeof *r);
    r->pt.q = lv_quant_opts_default();
    const char *f[NCOL];
    size_t len[NCOL];
    int nf = 0;
    const char *p = line;
    for (;;) {
        size_t l = strcspn(p, ",");
        if (nf < NCOL) f[nf] = p, len[nf] = l;
        nf++;
        if (!p[l]) break;
        p += l + 1;
    }
    if (nf != NCOL) return lv_fail(err, "has %d fields, not %d", nf, NCOL);
    char b[256];
#define FIELD(i) (memcpy(b, f[i], len[i] < sizeof b ? len[i] : sizeof b - 1), b[len[i] < sizeof b ? len[i] : sizeof b - 1] = 0, b)
    static const char *const names[NCOL] = {
        "hash", "model_hash", "n", "seed", "chip_seed", "scale", "bits", "dac_bits", "state_bits", "state_frac",
        "mismatch", "status", "mean_best_r", "frac_r_above_0_7", "min_coverage", "coverage", "Q_end_mean_kT",
        "Q_end_std_kT", "rel_heat_diff", "ks_crn", "paired_dQ_mean_kT", "paired_abs_dQ_mean_kT", "same_outcome",
        "sat_state", "sat_force", "wall_s", "message"};
    double num[NCOL] = {0};
    for (int i = 0; i < NCOL; ++i) {
        if (i == 0 || i == 1 || i == 3 || i == 4 || i == 23 || i == 24) { /* unsigned 64-bit */
            char *end;
            errno = 0;
            uint64_t u = strtoull(FIELD(i), &end, i <= 1 ? 16 : 10);
            if (end == b || *end || errno) return lv_fail(err, "field %s = '%s' is not an unsigned integer", names[i], b);
            if (i == 0) r->hash = u;
            else if (i == 1) r->run.model_hash = u;
            else if (i == 3) r->run.seed = u;
            else if (i == 4) r->run.chip_seed = u;
            else if (i == 23) r->sat_state = u;
            else r->sat_force = u;
        } else if (i == 5 || i == 11 || i == 15 || i == 26) { /* text */
            continue;
        } else {
            char *end;
            double v = strtod(FIELD(i), &end);
            if (end == b || *end) return lv_fail(err, "field %s = '%s' is not a number", names[i], b);
            num[i] = v;
        }
    }
    FIELD(5);
    if (!strcmp(b, "row")) r->pt.q.scale = LV_Q_SCALE_ROW;
    else if (!strcmp(b, "block")) r->pt.q.scale = LV_Q_SCALE_BLOCK;
    else return lv_fail(err, "field scale = '%s' is not block or row", b);
    FIELD(11);
    if (!strcmp(b, "ok")) r->ok = 1;
    else if (strcmp(b, "refused")) return lv_fail(err, "field status = '%s' is not ok or refused", b);
    r->run.n = (long)num[2];
    r->pt.q.bj = (int)num[6], r->pt.q.bn = (int)num[7], r->pt.q.wx = (int)num[8], r->pt.q.fx = (int)num[9];
    r->pt.sm = (uint32_t)lround(num[10] * 65536.0);
    r->mean_r = num[12], r->frac_r07 = num[13], r->min_cov = num[14];
    r->q_mean = num[16], r->q_std = num[17], r->rel_heat = num[18], r->ks = num[19];
    r->paired_mean = num[20], r->paired_abs = num[21], r->same_outcome = num[22], r->wall_s = num[25];
    FIELD(15);
    for (char *s = b; *s && r->ndigits < 16;) {
        char *end;
        double v = strtod(s, &end);
        if (end == s) return lv_fail(err, "field coverage = '%s' is not a ';'-separated list", b);
        r->cov[r->ndigits++] = v;
        s = *end == ';' ? end + 1 : end;
        if (*end && *end != ';') return lv_fail(err, "field coverage = '%s' is not a ';'-separated list", b);
    }
    FIELD(26);
    snprintf(r->msg, sizeof r->msg, "%.*s", (int)sizeof r->msg - 1, b);
#undef FIELD
    return 0;
}

int lv_sweep_row_passes(const lv_sweep_row *r, const lv_sweep_float_ref *f, const lv_sweep_tol *t)
{
    return r->ok && fabs(r->rel_heat) <= t->heat && r->ks <= t->ks && r->mean_r >= f->mean_r - t->quality &&
           r->min_cov >= f->min_cov - t->coverage;
}

int lv_sweep_threshold(lv_sweep_axis a, const double *vals, const int *pass, int n)
{
    (void)vals;
    if (n < 1 || a == LV_AX_SCALE) return -1;
    if (a == LV_AX_MISMATCH) { /* fine end = smallest sigma: walk up while passing */
        if (!pass[0]) return -1;
        int k = 0;
        while (k + 1 < n && pass[k + 1]) ++k;
        return k;
    }
    if (!pass[n - 1]) return -1; /* fine end = most bits: walk down while passing */
    int k = n - 1;
    while (k > 0 && pass[k - 1]) --k;
    return k;
}
