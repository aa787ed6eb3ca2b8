/* test_quantize.c - the quantizer's contract (host/tools/quantize.h):
 * codes within their width, the largest exponent that fits the clip
 * threshold, nearest rounding within half an LSB, per-row scales never
 * worse than per-block, stochastic rounding unbiased, percentile clipping
 * clips the stated fraction, formats and physics carried into the image,
 * and bad options refused with a message. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "device_image.h"
#include "model.h"
#include "quantize.h"
#include "test_util.h"

enum { NV = 20, NH = 11 };

static uint64_t lcg = 0x2545F4914F6CDD1Dull;
static double urand(void) /* [-1, 1) */
{
    lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(lcg >> 11) / 9007199254740992.0 * 2.0 - 1.0;
}

static void make_model(lv_model *m, int vv)
{
    lv_error err;
    lv_physics ph = lv_physics_default();
    ph.nv = NV, ph.nh = NH, ph.vv = vv;
    lv_protocol pr = lv_protocol_default();
    if (lv_model_init(m, &ph, &pr, &err)) {
        fprintf(stderr, "model init: %s\n", err.msg);
        exit(1);
    }
    m->rows = 4, m->cols = 5;
    /* Rows of very different magnitude, so per-row scaling matters. */
    for (int v = 0; v < NV; ++v)
        for (int h = 0; h < NH; ++h) m->p.Wvh[v * NH + h] = urand() * (v % 3 == 0 ? 0.5 : 0.02);
    for (int h = 0; h < NH; ++h)
        for (int g = h + 1; g < NH; ++g) m->p.Whh[h * NH + g] = m->p.Whh[g * NH + h] = urand() * 0.1;
    if (vv)
        for (int v = 0; v < NV; ++v)
            for (int u = v + 1; u < NV; ++u) m->p.Wvv[v * NV + u] = m->p.Wvv[u * NV + v] = urand() * 0.05;
    for (int h = 0; h < NH; ++h) m->p.bh[h] = urand() * 3;
}

/* Stored value k of the image in §3 order, dequantized, and its float source. */
static void pairs(const lv_model *m, const lv_dev_image *img, double *w, double *q)
{
    size_t k = 0;
    for (int v = 0; v < NV; ++v)
        for (int h = 0; h < NH; ++h, ++k) w[k] = m->p.Wvh[v * NH + h], q[k] = ldexp(img->c[k], -img->ej[v]);
    for (int h = 0; h < NH; ++h)
        for (int g = h + 1; g < NH; ++g, ++k)
            w[k] = m->p.Whh[h * NH + g], q[k] = ldexp(img->c[k], -img->ej[NV + h]);
    if (img->vv)
        for (int v = 0; v < NV; ++v)
            for (int u = v + 1; u < NV; ++u, ++k)
                w[k] = m->p.Wvv[v * NV + u], q[k] = ldexp(img->c[k], -img->ej[NV + NH + v]);
}

static double sqnr(const double *w, const double *q, size_t n)
{
    double s = 0, e = 0;
    for (size_t i = 0; i < n; ++i) s += w[i] * w[i], e += (w[i] - q[i]) * (w[i] - q[i]);
    return 10 * log10(s / e);
}

int main(void)
{
    lv_error err;
    lv_model m;
    make_model(&m, 1);
    lv_quant_opts o = lv_quant_opts_default();
    lv_dev_image img;
    lv_quant_report rep;

    for (int bits = 2; bits <= 16; bits += 2) {
        o.bj = bits;
        CHECK_MSG(lv_quantize(&m, &o, &img, &rep, &err) == 0, "%s", err.msg);
        size_t M = lv_dev_couplings(NV, NH, 1);
        CHECK(img.m == M && img.n_rows == lv_dev_rows(NV, NH, 1) && rep.n == 5);
        int qmax = (1 << (bits - 1)) - 1, inrange = 1, halflsb = 1;
        double *w = malloc(M * sizeof *w), *q = malloc(M * sizeof *q);
        pairs(&m, &img, w, q);
        for (size_t k = 0; k < M; ++k) inrange &= img.c[k] >= -qmax && img.c[k] <= qmax;
        /* Max-abs clipping: nothing clips, every value within half an LSB. */
        for (size_t k = 0; k < img.m; ++k) {
            int row = k < (size_t)NV * NH ? (int)(k / NH) : -1;
            if (row >= 0) halflsb &= fabs(w[k] - q[k]) <= ldexp(0.5, -img.ej[row]) * (1 + 1e-12);
        }
        CHECK_MSG(inrange, "codes outside %d bits", bits);
        CHECK_MSG(halflsb, "nearest rounding off by more than half an LSB at %d bits", bits);
        CHECK(rep.b[0].clip_frac == 0 && rep.b[1].clip_frac == 0);
        /* Exponent maximal: the block's max |w| fits, one more bit would not. */
        double T = rep.b[0].max_abs;
        int e = img.ej[0];
        CHECK_MSG(ldexp(T, e) <= qmax && ldexp(T, e + 1) > qmax, "bits %d: T %g e %d", bits, T, e);
        CHECK_NEAR(rep.b[0].sqnr_db, sqnr(w, q, (size_t)NV * NH), 1e-9);
        /* Per-row scales: at least as good as per-block on every row. */
        lv_quant_opts orow = o;
        orow.scale = LV_Q_SCALE_ROW;
        lv_dev_image ir;
        lv_quant_report rr;
        CHECK_MSG(lv_quantize(&m, &orow, &ir, &rr, &err) == 0, "%s", err.msg);
        CHECK_MSG(rr.b[0].sqnr_db >= rep.b[0].sqnr_db - 1e-9, "bits %d: row %.2f dB < block %.2f dB", bits,
                  rr.b[0].sqnr_db, rep.b[0].sqnr_db);
        CHECK(rr.b[0].exp_max > rr.b[0].exp_min); /* the rows really got different scales */
        lv_dev_image_free(&ir);
        /* Roughly 6 dB per bit once the codes resolve the distribution. */
        if (bits >= 8) CHECK_MSG(rep.b[1].sqnr_db > 6.02 * bits - 12, "bits %d: hh %.1f dB", bits, rep.b[1].sqnr_db);
        free(w);
        free(q);
        lv_dev_image_free(&img);
    }

    /* Formats and physics travel into the image. */
    o = lv_quant_opts_default();
    CHECK_MSG(lv_quantize(&m, &o, &img, &rep, &err) == 0, "%s", err.msg);
    CHECK(img.wx == 24 && img.fx == 20 && img.wf == 32 && img.ff == 16 && img.bn == 14 && img.bb == 16);
    CHECK(img.j2 == 65536 && img.j4 == 65536);
    CHECK(img.k == 4294967u); /* round(1e-3 * 2^32) */
    CHECK(img.ticks_run == 2500 && img.ticks_eq == 1000);
    CHECK(img.gain > 0 && img.n_digits == 0);
    /* Biases: zero visible block gets the force LSB, hidden within half an LSB. */
    CHECK(img.eb[0] == 16);
    int bias_ok = 1;
    for (int h = 0; h < NH; ++h) bias_ok &= fabs(ldexp(img.cb[NV + h], -img.eb[1]) - m.p.bh[h]) <= ldexp(0.5, -img.eb[1]);
    CHECK(bias_ok);
    lv_dev_image_free(&img);

    /* Stochastic rounding is unbiased: averaged over seeds, codes -> w 2^e. */
    o.bj = 3;
    o.round = LV_Q_ROUND_STOCHASTIC;
    size_t M = lv_dev_couplings(NV, NH, 1);
    double *mean = calloc(M, sizeof *mean), *w = malloc(M * sizeof *w), *q = malloc(M * sizeof *q);
    int S = 400;
    for (int s = 0; s < S; ++s) {
        o.seed = 1000 + (uint64_t)s;
        CHECK(lv_quantize(&m, &o, &img, &rep, &err) == 0);
        pairs(&m, &img, w, q);
        for (size_t k = 0; k < M; ++k) mean[k] += q[k] / S;
        if (s + 1 < S) lv_dev_image_free(&img);
    }
    /* Per-value std of the mean <= LSB/(2 sqrt(S)); check the block average. */
    double bias = 0, lsb = ldexp(1.0, -img.ej[0]);
    for (int k = 0; k < NV * NH; ++k) bias += (mean[k] - w[k]) / (NV * NH);
    CHECK_MSG(fabs(bias) < 4 * lsb / (2 * sqrt((double)S * NV * NH)), "stochastic rounding bias %g (lsb %g)", bias, lsb);
    lv_dev_image_free(&img);
    free(mean), free(w), free(q);

    /* Percentile clipping clips about the stated fraction. */
    o = lv_quant_opts_default();
    o.clip_percentile = 90;
    /* The power-of-two scale puts the real clip level between T and 2T, so
     * the clipped fraction is at most 10 %; it must equal an independent
     * count of values beyond the largest code. */
    CHECK(lv_quantize(&m, &o, &img, &rep, &err) == 0);
    int nclip = 0, qm = (1 << (o.bj - 1)) - 1;
    for (int k = 0; k < NV * NH; ++k) nclip += nearbyint(ldexp(fabs(m.p.Wvh[k]), img.ej[0])) > qm;
    CHECK_MSG(nclip > 0 && rep.b[0].clip_frac <= 0.10 + 1e-12 && rep.b[0].clip_frac == (double)nclip / (NV * NH),
              "clip frac %g, counted %d", rep.b[0].clip_frac, nclip);
    lv_dev_image_free(&img);

    /* Bad options are refused with a message naming them. */
    o = lv_quant_opts_default();
    o.bj = 17;
    CHECK(lv_quantize(&m, &o, &img, &rep, &err) != 0 && strstr(err.msg, "coupling bits") != NULL);
    o = lv_quant_opts_default();
    o.fx = 23;
    CHECK(lv_quantize(&m, &o, &img, &rep, &err) != 0 && strstr(err.msg, "state format") != NULL);
    o = lv_quant_opts_default();
    o.clip_percentile = 0;
    CHECK(lv_quantize(&m, &o, &img, &rep, &err) != 0 && strstr(err.msg, "percentile") != NULL);
    o = lv_quant_opts_default();
    m.p.Wvh[3] = NAN;
    CHECK(lv_quantize(&m, &o, &img, &rep, &err) != 0);
    lv_model_free(&m);
    return lv_test_report("quantize");
}
