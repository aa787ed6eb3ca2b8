/* quantize.c - float model -> device image (see quantize.h). */
#include "quantize.h"

#include <libfixmath/fix16.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "device_image_io.h"
#include "noise_dac.h"
#include "rng.h"

#define EXP_MIN (-16)
#define EXP_MAX 47
/* Stream tags of stochastic rounding ("QUAN" couplings, "QUAB" biases). */
#define STREAM_QC (LV_STREAM_MISC | 0x5155414Eull)
#define STREAM_QB (LV_STREAM_MISC | 0x51554142ull)

lv_quant_opts lv_quant_opts_default(void)
{
    lv_quant_opts o = {.bj = 8, .scale = LV_Q_SCALE_BLOCK, .round = LV_Q_ROUND_NEAREST_EVEN,
                       .seed = 1, .clip_percentile = 100.0, .bb = 16, .wx = 24, .fx = 20,
                       .wf = 32, .ff = 16, .bn = 14, .gain_trim = 0.0, .offset = 0};
    return o;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Clip threshold T of n values: max |w|, or the percentile p of |w|. */
static int threshold(const double *w, size_t n, size_t stride, double p, double *T, lv_error *err)
{
    double mx = 0;
    for (size_t i = 0; i < n; ++i) {
        double a = fabs(w[i * stride]);
        if (a > mx) mx = a;
    }
    if (p >= 100.0 || n == 0) {
        *T = mx;
        return 0;
    }
    double *a = malloc(n * sizeof *a);
    if (!a) return lv_fail(err, "out of memory sorting %zu couplings for the clip percentile", n);
    for (size_t i = 0; i < n; ++i) a[i] = fabs(w[i * stride]);
    qsort(a, n, sizeof *a, cmp_double);
    size_t k = (size_t)ceil(p / 100.0 * (double)n);
    *T = a[k > 0 ? k - 1 : 0];
    free(a);
    return 0;
}

/* Largest e in [EXP_MIN, EXP_MAX] with T * 2^e <= qmax (T = 0: fallback). */
static int exponent_for(double T, int bits, int fallback)
{
    if (!(T > 0)) return fallback;
    double qmax = ldexp(1.0, bits - 1) - 1;
    int e = (int)floor(log2(qmax / T));
    while (e > EXP_MIN && ldexp(T, e) > qmax) --e;
    while (e < EXP_MAX && ldexp(T, e + 1) <= qmax) ++e;
    if (e < EXP_MIN) e = EXP_MIN;
    if (e > EXP_MAX) e = EXP_MAX;
    return e;
}

typedef struct {
    double sw2, se2, max_err, max_abs;
    size_t n, clipped;
    int emin, emax;
} acc_stats;

static void stats_init(acc_stats *s) { memset(s, 0, sizeof *s), s->emin = EXP_MAX + 1, s->emax = EXP_MIN - 1; }

/* Quantize one value to a `bits`-bit code at exponent e. */
static int32_t quant1(double w, int e, int bits, const lv_quant_opts *o, uint64_t stream, uint32_t idx,
                      acc_stats *s)
{
    double qmax = ldexp(1.0, bits - 1) - 1;
    double v = ldexp(w, e), r;
    if (o->round == LV_Q_ROUND_STOCHASTIC)
        r = floor(v + lv_uniform(o->seed, stream, idx));
    else
        r = nearbyint(v); /* default rounding mode: to nearest, ties to even */
    if (r > qmax || r < -qmax) {
        r = r > 0 ? qmax : -qmax;
        s->clipped++;
    }
    double q = ldexp(r, -e), d = fabs(w - q);
    s->sw2 += w * w;
    s->se2 += (w - q) * (w - q);
    if (d > s->max_err) s->max_err = d;
    if (fabs(w) > s->max_abs) s->max_abs = fabs(w);
    s->n++;
    if (e < s->emin) s->emin = e;
    if (e > s->emax) s->emax = e;
    return (int32_t)r;
}

static void stats_report(const acc_stats *s, const char *name, lv_quant_block *b)
{
    b->name = name;
    b->count = s->n;
    b->exp_min = s->n ? s->emin : 0;
    b->exp_max = s->n ? s->emax : 0;
    b->max_abs = s->max_abs;
    b->clip_frac = s->n ? (double)s->clipped / (double)s->n : 0;
    b->sqnr_db = s->se2 > 0 ? 10 * log10(s->sw2 / s->se2) : INFINITY;
    b->max_err = s->max_err;
}

/* One coupling block stored as rows r0.. of the image: row i holds the
 * values w[i*ld + col0(i) .. i*ld + ncols - 1]. */
typedef struct {
    const char *name;
    const double *w;
    size_t ld;
    int nrows, ncols;
    int upper;  /* 1: row i starts at column i+1 (strict upper triangle) */
    size_t row0;
} block_desc;

static int quant_block(const block_desc *bd, const lv_quant_opts *o, lv_dev_image *img, size_t *pos,
                       lv_quant_block *rep, lv_error *err)
{
    acc_stats s;
    stats_init(&s);
    /* Per-block threshold: over every stored value of the block. */
    size_t total = 0;
    for (int i = 0; i < bd->nrows; ++i) total += (size_t)(bd->ncols - (bd->upper ? i + 1 : 0));
    double *all = malloc((total ? total : 1) * sizeof *all);
    if (!all) return lv_fail(err, "out of memory quantizing block %s", bd->name);
    size_t k = 0;
    for (int i = 0; i < bd->nrows; ++i)
        for (int j = bd->upper ? i + 1 : 0; j < bd->ncols; ++j) all[k++] = bd->w[(size_t)i * bd->ld + j];
    double Tb;
    if (threshold(all, total, 1, o->clip_percentile, &Tb, err)) {
        free(all);
        return -1;
    }
    int eblock = exponent_for(Tb, o->bj, 0);
    size_t off = 0;
    for (int i = 0; i < bd->nrows; ++i) {
        int c0 = bd->upper ? i + 1 : 0;
        size_t len = (size_t)(bd->ncols - c0);
        int e = eblock;
        if (o->scale == LV_Q_SCALE_ROW && len > 0) {
            double Tr;
            if (threshold(all + off, len, 1, o->clip_percentile, &Tr, err)) {
                free(all);
                return -1;
            }
            e = exponent_for(Tr, o->bj, eblock);
        }
        img->ej[bd->row0 + (size_t)i] = (int8_t)e;
        for (size_t j = 0; j < len; ++j, ++*pos)
            img->c[*pos] = (int16_t)quant1(all[off + j], e, o->bj, o, STREAM_QC, (uint32_t)*pos, &s);
        off += len;
    }
    free(all);
    stats_report(&s, bd->name, rep);
    return 0;
}

static int check_opts(const lv_quant_opts *o, lv_error *err)
{
    if (o->bj < 2 || o->bj > 16) return lv_fail(err, "coupling bits %d out of range 2..16", o->bj);
    if (o->bb < 2 || o->bb > 24) return lv_fail(err, "bias bits %d out of range 2..24", o->bb);
    if (!(o->clip_percentile > 0 && o->clip_percentile <= 100))
        return lv_fail(err, "clip percentile %g must be in (0, 100]", o->clip_percentile);
    if (o->wx < 8 || o->wx > 32 || o->fx < 4 || o->fx > o->wx - 2)
        return lv_fail(err, "state format %d bits with %d fraction bits is out of range "
                       "(8 <= width <= 32, 4 <= fraction <= width - 2)", o->wx, o->fx);
    if (o->wf < 16 || o->wf > 40 || o->ff < 4 || o->ff > o->wf - 2)
        return lv_fail(err, "force format %d bits with %d fraction bits is out of range "
                       "(16 <= width <= 40, 4 <= fraction <= width - 2)", o->wf, o->ff);
    if (o->bn < 2 || o->bn > 14) return lv_fail(err, "noise DAC bits %d out of range 2..14", o->bn);
    if (!isfinite(o->gain_trim) || o->gain_trim <= -1)
        return lv_fail(err, "noise gain trim %g must be finite and > -1", o->gain_trim);
    return 0;
}

int lv_quantize(const lv_model *m, const lv_quant_opts *o, lv_dev_image *img, lv_quant_report *rep,
                lv_error *err)
{
    memset(img, 0, sizeof *img);
    memset(rep, 0, sizeof *rep);
    if (check_opts(o, err) || lv_model_validate(m, err)) return -1;
    const lv_physics *ph = &m->phys;
    int nv = ph->nv, nh = ph->nh, N = nv + nh;
    if (ph->J2 < 0 || ph->J4 < 0 || ph->J2 > 32767 || ph->J4 > 32767)
        return lv_fail(err, "J2 = %g, J4 = %g do not fit the device's Q16.16 format (0..32767)", ph->J2,
                       ph->J4);
    double kd = ldexp(ph->mu * ph->dt, 32);
    if (!(kd >= 0.5 && kd < 2147483647.5))
        return lv_fail(err, "mu*dt = %g does not fit the device's Q0.32 step (needs 2^-33 <= mu*dt < 0.5)",
                       ph->mu * ph->dt);
    long tr, te;
    if (lv_steps_for(ph->tf, ph->dt, &tr, err) || lv_steps_for(m->proto.t_eq, ph->dt, &te, err)) return -1;

    img->nv = nv, img->nh = nh, img->vv = ph->vv;
    img->wx = o->wx, img->fx = o->fx, img->bj = o->bj, img->bb = o->bb, img->wf = o->wf, img->ff = o->ff;
    img->j2 = fix16_from_dbl(ph->J2);
    img->j4 = fix16_from_dbl(ph->J4);
    img->k = (uint32_t)llround(kd);
    img->bn = o->bn;
    img->offset = o->offset;
    img->colour_a = 0, img->colour_c = lv_dac_colour_c(0); /* white noise: ca = 2^15 */
    img->ticks_eq = (uint32_t)te, img->ticks_run = (uint32_t)tr;
    img->J2 = ph->J2, img->J4 = ph->J4, img->kT = ph->kT, img->mu = ph->mu, img->dt = ph->dt;
    img->tf = ph->tf, img->t_eq = m->proto.t_eq;
    if (lv_dac_gain(sqrt(2 * ph->mu * ph->kT * ph->dt) * ldexp(1.0, o->fx), o->bn, 0, o->gain_trim,
                    &img->gain, err))
        return lv_fail_prefix(err, "noise DAC gain");

    img->m = lv_dev_couplings(nv, nh, ph->vv);
    img->n_rows = lv_dev_rows(nv, nh, ph->vv);
    img->c = malloc(img->m * sizeof *img->c);
    img->ej = malloc(img->n_rows * sizeof *img->ej);
    img->cb = malloc((size_t)N * sizeof *img->cb);
    if (!img->c || !img->ej || !img->cb) {
        lv_dev_image_free(img);
        return lv_fail(err, "out of memory for a device image of %zu couplings", lv_dev_couplings(nv, nh, ph->vv));
    }
    size_t pos = 0;
    block_desc blocks[3] = {
        {"vh", m->p.Wvh, (size_t)nh, nv, nh, 0, 0},
        {"hh", m->p.Whh, (size_t)nh, nh, nh, 1, (size_t)nv},
        {"vv", m->p.Wvv, (size_t)nv, nv, nv, 1, (size_t)N},
    };
    for (int b = 0; b < (ph->vv ? 3 : 2); ++b)
        if (quant_block(&blocks[b], o, img, &pos, &rep->b[rep->n++], err)) {
            lv_dev_image_free(img);
            return -1;
        }

    /* Biases: one exponent per block, never clipped; an all-zero block
     * (the paper's visible biases) gets the force LSB as its scale. */
    const double *bias[2] = {m->p.bv, m->p.bh};
    int cnt[2] = {nv, nh}, base[2] = {0, nv};
    static const char *bname[2] = {"bias_v", "bias_h"};
    lv_quant_opts ob = *o;
    ob.bj = o->bb;
    for (int b = 0; b < 2; ++b) {
        double T;
        if (threshold(bias[b], (size_t)cnt[b], 1, 100.0, &T, err)) {
            lv_dev_image_free(img);
            return -1;
        }
        if (o->bias_headroom > T) T = o->bias_headroom;
        int e = exponent_for(T, o->bb, o->ff);
        img->eb[b] = (int8_t)e;
        acc_stats s;
        stats_init(&s);
        for (int i = 0; i < cnt[b]; ++i)
            img->cb[base[b] + i] = quant1(bias[b][i], e, o->bb, &ob, STREAM_QB, (uint32_t)(base[b] + i), &s);
        stats_report(&s, bname[b], &rep->b[rep->n++]);
    }

    /* Reference digits for sample quality: each digit mapped affinely onto
     * 0..255 (Pearson r, the quality measure, is invariant to that map). */
    if (m->ndigits > 0) {
        img->n_digits = m->ndigits, img->rows = m->rows, img->cols = m->cols;
        img->digits = malloc((size_t)m->ndigits * (size_t)nv);
        img->digit_labels = malloc((size_t)m->ndigits);
        if (!img->digits || !img->digit_labels) {
            lv_dev_image_free(img);
            return lv_fail(err, "out of memory for reference digits");
        }
        for (int d = 0; d < m->ndigits; ++d) {
            const double *x = m->digits + (size_t)d * nv;
            double lo = x[0], hi = x[0];
            for (int i = 1; i < nv; ++i) lo = fmin(lo, x[i]), hi = fmax(hi, x[i]);
            double sc = hi > lo ? 255.0 / (hi - lo) : 0;
            for (int i = 0; i < nv; ++i) img->digits[(size_t)d * nv + i] = (uint8_t)lround((x[i] - lo) * sc);
            img->digit_labels[d] = (uint8_t)m->digit_labels[d];
        }
    }
    if (lv_dev_image_validate(img, err)) {
        lv_fail_prefix(err, "quantized image");
        lv_dev_image_free(img);
        return -1;
    }
    return 0;
}

int lv_dequantize_params(const lv_dev_image *img, lv_params *p, lv_error *err)
{
    lv_physics ph = {.nv = img->nv, .nh = img->nh, .vv = img->vv};
    if (lv_params_alloc(p, &ph, err)) return -1;
    int nv = img->nv, nh = img->nh;
    size_t pos = 0;
    for (int v = 0; v < nv; ++v)
        for (int h = 0; h < nh; ++h) p->Wvh[(size_t)v * nh + h] = ldexp(img->c[pos++], -img->ej[v]);
    for (int h = 0; h < nh; ++h)
        for (int g = h + 1; g < nh; ++g) {
            double w = ldexp(img->c[pos++], -img->ej[nv + h]);
            p->Whh[(size_t)h * nh + g] = p->Whh[(size_t)g * nh + h] = w;
        }
    if (img->vv)
        for (int v = 0; v < nv; ++v)
            for (int u = v + 1; u < nv; ++u) {
                double w = ldexp(img->c[pos++], -img->ej[nv + nh + v]);
                p->Wvv[(size_t)v * nv + u] = p->Wvv[(size_t)u * nv + v] = w;
            }
    for (int i = 0; i < nv; ++i) p->bv[i] = ldexp(img->cb[i], -img->eb[0]);
    for (int i = 0; i < nh; ++i) p->bh[i] = ldexp(img->cb[nv + i], -img->eb[1]);
    return 0;
}
