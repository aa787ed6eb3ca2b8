/* test_coupling_network.c - the coupling field of docs/fixed-point.md §4.
 *
 * Against an independent 128-bit reference that walks the stored couplings
 * of §3 in a random permutation (the sum is exact, so order cannot matter):
 *  - the int64 path and the double-GEMM path are bit-identical to it, for
 *    per-row exponents (including negative ones), with and without the
 *    visible-visible block, with one digit (the §10 "<= 52 bits" case) and
 *    with several digits (wide states);
 *  - a trajectory's field does not depend on the batch order;
 *  - paper size (784 + 512 units, 8-bit codes): AUTO picks one-digit GEMM,
 *    equal to the int64 path;
 *  - mismatch: c' = rnd(c (2^26 + Sm zm), 18) with eJ + 8; the relative
 *    spread of c' / (c 2^8) is sigma_m; Sm = 0 gives c' = 256 c and the
 *    ideal field;
 *  - the §10 bound refuses an accumulator >= 2^63, and forcing GEMM where it
 *    is not exact is refused with a message. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "coupling_network.h"
#include "device_image.h"
#include "noise_source.h"
#include "emu_test_util.h"

/* An image with only what the network reads; codes uniform in the BJ range,
 * row exponents uniform in [e_lo, e_hi]. */
static int make_image(lv_dev_image *img, int nv, int nh, int vv, int bj, int wx, int fx, int ff, int e_lo,
                      int e_hi, uint64_t seed)
{
    memset(img, 0, sizeof *img);
    img->nv = nv;
    img->nh = nh;
    img->vv = vv;
    img->bj = bj;
    img->wx = wx;
    img->fx = fx;
    img->wf = 40;
    img->ff = ff;
    img->m = lv_dev_couplings(nv, nh, vv);
    img->n_rows = lv_dev_rows(nv, nh, vv);
    img->c = malloc((img->m ? img->m : 1) * sizeof(int16_t));
    img->ej = malloc(img->n_rows);
    img->cb = calloc((size_t)(nv + nh), sizeof(int32_t));
    if (!img->c || !img->ej || !img->cb) return -1;
    const int64_t cm = (1 << (bj - 1)) - 1;
    for (size_t k = 0; k < img->m; ++k) img->c[k] = (int16_t)irand(&seed, -cm, cm);
    for (size_t r = 0; r < img->n_rows; ++r) img->ej[r] = (int8_t)irand(&seed, e_lo, e_hi);
    return 0;
}

/* The stored couplings in §3 order, written out independently. */
typedef struct {
    int i, j, r;
} pair;
static pair *pairs_of(const lv_dev_image *img)
{
    pair *p = malloc((img->m ? img->m : 1) * sizeof *p);
    size_t k = 0;
    const int nv = img->nv, nh = img->nh;
    for (int v = 0; v < nv; ++v)
        for (int h = 0; h < nh; ++h) p[k++] = (pair){v, nv + h, v};
    for (int h = 0; h < nh; ++h)
        for (int h2 = h + 1; h2 < nh; ++h2) p[k++] = (pair){nv + h, nv + h2, nv + h};
    if (img->vv)
        for (int v = 0; v < nv; ++v)
            for (int v2 = v + 1; v2 < nv; ++v2) p[k++] = (pair){v, v2, nv + nh + v};
    return p;
}


/* Reference f for one state: codes `code` (effective), exponents `ex`,
 * couplings visited in the order perm. */
static void ref_field(const lv_dev_image *img, const pair *pr, const int32_t *code, const int *ex,
                      const size_t *perm, const int32_t *x, int64_t *f)
{
    const int n = img->nv + img->nh;
    int E = -1000;
    for (size_t r = 0; r < img->n_rows; ++r)
        if (ex[r] > E) E = ex[r];
    i128 *acc = calloc((size_t)n, sizeof(i128));
    for (size_t q = 0; q < img->m; ++q) {
        size_t k = perm[q];
        pair p = pr[k];
        i128 c = (i128)code[k] * ((i128)1 << (E - ex[p.r]));
        acc[p.i] += c * x[p.j];
        acc[p.j] += c * x[p.i];
    }
    for (int i = 0; i < n; ++i) f[i] = (int64_t)rnd128(acc[i], img->fx + E - img->ff);
    free(acc);
}

static void shuffle(size_t *a, size_t n, uint64_t *s)
{
    for (size_t k = 0; k < n; ++k) a[k] = k;
    for (size_t k = n; k > 1; --k) {
        size_t j = (size_t)(splitmix64(s) % k);
        size_t t = a[k - 1];
        a[k - 1] = a[j];
        a[j] = t;
    }
}

/* Random states over the full Wx range, with some extreme codes. */
static void random_states(int32_t *x, size_t cnt, int wx, uint64_t *s)
{
    const int64_t xm = ((int64_t)1 << (wx - 1)) - 1;
    for (size_t k = 0; k < cnt; ++k) {
        uint64_t u = splitmix64(s) % 16;
        x[k] = (int32_t)(u == 0 ? xm : u == 1 ? -xm : irand(s, -xm, xm));
    }
}

/* Compare both paths with the reference on B random states and a
 * permuted batch; returns the GEMM digit count. */
static int check_image(const char *name, const lv_dev_image *img, int mismatch, uint64_t mseed, uint32_t sm,
                       int B, uint64_t seed)
{
    lv_error err = {{0}};
    lv_coupling_net *cn = NULL;
    if (lv_cn_create(&cn, img, mismatch, mseed, sm, B, LV_CN_AUTO, &err)) {
        fprintf(stderr, "%s: %s\n", name, err.msg);
        CHECK(0);
        return -1;
    }
    const size_t n = (size_t)(img->nv + img->nh);
    pair *pr = pairs_of(img);
    int32_t *code = malloc((img->m ? img->m : 1) * sizeof(int32_t));
    int *ex = malloc(img->n_rows * sizeof(int));
    for (size_t r = 0; r < img->n_rows; ++r) ex[r] = img->ej[r] + (mismatch ? 8 : 0);
    int code_bad = 0;
    for (size_t k = 0; k < img->m; ++k) {
        code[k] = img->c[k];
        if (mismatch) { /* §7, written out */
            int64_t v = (int64_t)img->c[k] * (((int64_t)1 << 26) + (int64_t)sm * lv_noise_mismatch_z(mseed, (uint32_t)k));
            code[k] = (int32_t)rnd128(v, 18);
        }
        code_bad += code[k] != lv_cn_code(cn, k);
    }
    CHECK_MSG(code_bad == 0, "%s: %d effective codes differ", name, code_bad);
    int32_t *x = malloc((size_t)B * n * sizeof(int32_t)), *xp = malloc((size_t)B * n * sizeof(int32_t));
    int64_t *fr = malloc((size_t)B * n * sizeof(int64_t)), *fi = malloc((size_t)B * n * sizeof(int64_t));
    int64_t *fg = malloc((size_t)B * n * sizeof(int64_t)), *fp = malloc((size_t)B * n * sizeof(int64_t));
    size_t *perm = malloc((img->m ? img->m : 1) * sizeof(size_t)), bperm[64];
    random_states(x, (size_t)B * n, img->wx, &seed);
    for (int b = 0; b < B; ++b) {
        shuffle(perm, img->m, &seed); /* a different summation order per state */
        ref_field(img, pr, code, ex, perm, x + (size_t)b * n, fr + (size_t)b * n);
    }
    CHECK(lv_cn_set_path(cn, LV_CN_INT64, &err) == 0);
    lv_cn_field(cn, x, (size_t)B, fi);
    CHECK_MSG(memcmp(fi, fr, (size_t)B * n * sizeof(int64_t)) == 0, "%s: int64 path != reference", name);
    int slices = lv_cn_gemm_slices(cn);
    if (slices > 0) {
        CHECK(lv_cn_set_path(cn, LV_CN_GEMM, &err) == 0);
        memset(fg, 0x55, (size_t)B * n * sizeof(int64_t));
        lv_cn_field(cn, x, (size_t)B, fg);
        CHECK_MSG(memcmp(fg, fr, (size_t)B * n * sizeof(int64_t)) == 0, "%s: GEMM path (%d digits) != reference",
                  name, slices);
        /* Batch permutation: row b of the permuted batch is state bperm[b]. */
        shuffle(bperm, (size_t)B, &seed);
        for (int b = 0; b < B; ++b) memcpy(xp + (size_t)b * n, x + bperm[b] * n, n * sizeof(int32_t));
        lv_cn_field(cn, xp, (size_t)B, fp);
        int bad = 0;
        for (int b = 0; b < B; ++b) bad += memcmp(fp + (size_t)b * n, fr + bperm[b] * n, n * sizeof(int64_t)) != 0;
        CHECK_MSG(bad == 0, "%s: %d permuted batch rows differ", name, bad);
        /* A smaller batch (the first 3 states) gives the same rows. */
        if (B > 3) {
            lv_cn_field(cn, x, 3, fp);
            CHECK(memcmp(fp, fr, 3 * n * sizeof(int64_t)) == 0);
        }
    }
    printf("  %-34s N=%-4zu M=%-7zu E=%-3d shift=%-3d acc<=2^%.1f GEMM digits=%d\n", name, n, img->m,
           lv_cn_exp_max(cn), lv_cn_round_shift(cn), lv_cn_acc_log2(cn), slices);
    free(pr);
    free(code);
    free(ex);
    free(x);
    free(xp);
    free(fr);
    free(fi);
    free(fg);
    free(fp);
    free(perm);
    lv_cn_free(cn);
    return slices;
}

static void test_small(void)
{
    lv_dev_image img;
    /* 8-bit codes, mixed positive exponents, vv off and on. */
    CHECK(make_image(&img, 7, 5, 0, 8, 24, 20, 16, 4, 9, 11) == 0);
    CHECK(check_image("8-bit, vv off", &img, 0, 0, 0, 6, 1) == 1);
    lv_dev_image_free(&img);
    CHECK(make_image(&img, 6, 9, 1, 8, 24, 20, 16, 3, 12, 12) == 0);
    CHECK(check_image("8-bit, vv on", &img, 0, 0, 0, 5, 2) == 1);
    lv_dev_image_free(&img);
    /* Negative exponents (J = c 2^3) and a spread of 6: shift Fx+E-Ff < 0 too. */
    CHECK(make_image(&img, 5, 4, 1, 6, 16, 8, 30, -5, 1, 13) == 0);
    CHECK(check_image("negative exponents", &img, 0, 0, 0, 4, 3) == 1);
    lv_dev_image_free(&img);
    /* 16-bit codes, 32-bit states, exponent spread 7: needs several digits. */
    CHECK(make_image(&img, 6, 7, 1, 16, 32, 24, 16, 10, 17, 14) == 0);
    CHECK(check_image("16-bit codes, Wx=32 (digits)", &img, 0, 0, 0, 7, 4) > 1);
    lv_dev_image_free(&img);
    /* No hidden units, no couplings at all (f = 0). */
    CHECK(make_image(&img, 4, 0, 0, 8, 24, 20, 16, 8, 8, 15) == 0);
    CHECK(check_image("no couplings", &img, 0, 0, 0, 2, 5) == 1);
    lv_dev_image_free(&img);
    /* Only visible-visible couplings. */
    CHECK(make_image(&img, 6, 0, 1, 10, 20, 12, 16, 6, 9, 16) == 0);
    CHECK(check_image("visible-visible only", &img, 0, 0, 0, 3, 6) == 1);
    lv_dev_image_free(&img);
}

static void test_paper_size(void)
{
    lv_dev_image img;
    CHECK(make_image(&img, 784, 512, 0, 8, 24, 20, 16, 7, 9, 21) == 0);
    CHECK(check_image("paper size 784+512, 8-bit", &img, 0, 0, 0, 3, 7) == 1);
    lv_error err = {{0}};
    lv_coupling_net *cn = NULL;
    CHECK(lv_cn_create(&cn, &img, 0, 0, 0, 4, LV_CN_AUTO, &err) == 0);
    CHECK(cn && lv_cn_get_path(cn) == LV_CN_GEMM);
    lv_cn_free(cn);
    lv_dev_image_free(&img);
}

static void test_mismatch(void)
{
    lv_dev_image img;
    /* 16-bit codes near full scale so c' resolves the spread well. */
    CHECK(make_image(&img, 40, 30, 0, 16, 24, 20, 16, 15, 17, 31) == 0);
    for (size_t k = 0; k < img.m; ++k) img.c[k] = (int16_t)(k % 2 ? 30000 - (int)(k % 7) : -(30000 - (int)(k % 5)));
    const double sigma = 0.05;
    const uint32_t sm = (uint32_t)lrint(sigma * 65536);
    lv_error err = {{0}};
    lv_coupling_net *cn = NULL, *c0 = NULL, *ci = NULL;
    CHECK(lv_cn_create(&cn, &img, 1, 0xC0FFEEull, sm, 2, LV_CN_AUTO, &err) == 0);
    CHECK(lv_cn_create(&c0, &img, 1, 0xC0FFEEull, 0, 2, LV_CN_AUTO, &err) == 0);
    CHECK(lv_cn_create(&ci, &img, 0, 0, 0, 2, LV_CN_AUTO, &err) == 0);
    if (!cn || !c0 || !ci) return;
    double s = 0, s2 = 0;
    int exact0 = 1;
    for (size_t k = 0; k < img.m; ++k) {
        double rel = lv_cn_code(cn, k) / (256.0 * img.c[k]) - 1.0;
        s += rel;
        s2 += rel * rel;
        exact0 &= lv_cn_code(c0, k) == 256 * img.c[k];
    }
    double mean = s / (double)img.m, sd = sqrt(s2 / (double)img.m - mean * mean);
    printf("  mismatch sigma_m = %.4f (Sm = %u): relative spread %.5f, mean %+.5f over %zu couplings\n", sigma,
           sm, sd, mean, img.m);
    /* sd of the estimate: sigma / sqrt(2M) = 0.0009 for M = 1635. */
    CHECK_NEAR(sd, sigma * 1023.9995 / 1024.0, 0.004);
    CHECK_NEAR(mean, 0.0, 0.005);
    CHECK(exact0);
    CHECK(lv_cn_exp_max(cn) == lv_cn_exp_max(ci) + 8);
    CHECK(lv_cn_row_exp(cn, 3) == img.ej[3] + 8);
    /* Sm = 0: the ideal bits. */
    const size_t n = 70;
    int32_t x[2 * 70];
    int64_t f0[2 * 70], fi[2 * 70];
    uint64_t seed = 99;
    random_states(x, 2 * n, img.wx, &seed);
    lv_cn_field(c0, x, 2, f0);
    lv_cn_field(ci, x, 2, fi);
    CHECK(memcmp(f0, fi, sizeof f0) == 0);
    lv_cn_free(cn);
    lv_cn_free(c0);
    lv_cn_free(ci);
    /* Full reference check of the mismatch field, both paths. */
    CHECK(check_image("mismatch sigma 0.05", &img, 1, 0xC0FFEEull, sm, 4, 32) >= 1);
    lv_dev_image_free(&img);
}

static void test_refusals(void)
{
    lv_dev_image img;
    lv_error err = {{0}};
    lv_coupling_net *cn = NULL;
    /* Exponent spread 40 with 16-bit codes and 24-bit states: acc ~ 2^(15+40+23+..) >= 2^63. */
    CHECK(make_image(&img, 4, 4, 0, 16, 24, 20, 16, 0, 0, 41) == 0);
    img.ej[0] = 40;
    img.c[4] = 32767; /* row 1 (exponent 0) has a full-scale code */
    CHECK(lv_cn_create(&cn, &img, 0, 0, 0, 1, LV_CN_AUTO, &err) != 0);
    CHECK(cn == NULL);
    CHECK_MSG(strstr(err.msg, "2^63") != NULL && strstr(err.msg, "exponent spread") != NULL, "message: %s",
              err.msg);
    printf("  refusal message: %s\n", err.msg);
    lv_dev_image_free(&img);
    /* Exact in int64 but not in double: two couplings of 2^52 on unit 0. */
    CHECK(make_image(&img, 1, 2, 0, 16, 8, 4, 16, 38, 38, 42) == 0);
    img.ej[0] = 0;
    img.c[0] = img.c[1] = 16384;
    img.c[2] = 1;
    err.msg[0] = 0;
    CHECK(lv_cn_create(&cn, &img, 0, 0, 0, 2, LV_CN_AUTO, &err) == 0);
    if (cn) {
        CHECK(lv_cn_gemm_slices(cn) == 0);
        CHECK(lv_cn_get_path(cn) == LV_CN_INT64);
        CHECK(lv_cn_set_path(cn, LV_CN_GEMM, &err) != 0);
        CHECK_MSG(strstr(err.msg, "not exact") != NULL, "message: %s", err.msg);
        lv_cn_free(cn);
    }
    CHECK(check_image("int64 only (row sum 2^53)", &img, 0, 0, 0, 3, 43) == 0);
    lv_dev_image_free(&img);
    /* A row without couplings (the last hh row) does not count in E. */
    CHECK(make_image(&img, 3, 3, 0, 16, 24, 20, 16, 8, 8, 44) == 0);
    img.ej[img.n_rows - 1] = 47;
    CHECK(lv_cn_create(&cn, &img, 0, 0, 0, 2, LV_CN_AUTO, &err) == 0);
    if (cn) {
        CHECK(lv_cn_exp_max(cn) == 8);
        lv_cn_free(cn);
    }
    CHECK(check_image("empty row with eJ = 47", &img, 0, 0, 0, 3, 45) == 1);
    lv_dev_image_free(&img);
}

int main(void)
{
    test_small();
    test_paper_size();
    test_mismatch();
    test_refusals();
    return lv_test_report("test_coupling_network");
}
