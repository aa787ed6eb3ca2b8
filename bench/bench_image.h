/* bench_image.h - the random device image the benchmarks share: the shape
 * and formats of the default quantized model (784 + 512 units by default,
 * no visible-visible block, Q4.20 state, 32-bit force, 16-bit biases,
 * J2 = J4 = 1, mu dt = 1e-3, white 14-bit noise at kT = 0.1), couplings
 * J ~ U(-sc, sc) with sc = 0.5 / N quantized to `bj`-bit codes with one
 * exponent per stored row (from the row's largest |J|), hidden biases
 * ~ U(-0.05, 0.05).  Deterministic for a given generator state. */
#ifndef LV_BENCH_IMAGE_H
#define LV_BENCH_IMAGE_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "device_image.h"
#include "err.h"
#include "noise_dac.h"

#define LV_BENCH_RNG_SEED 0x9E3779B97F4A7C15ull

/* xorshift64: uniform in [-1, 1). */
static inline double lv_bench_frand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (double)(*s >> 11) * 0x1p-52 - 1.0;
}

/* Scale exponent for `bits`-bit codes whose largest |value| is mx, clamped
 * to the image's -16 .. 47. */
static inline int lv_bench_row_exp(double mx, int bits)
{
    int e = mx > 0 ? (int)floor(log2((double)((1 << (bits - 1)) - 1) / mx)) : 0;
    return e < -16 ? -16 : e > 47 ? 47 : e;
}

/* Fill img (zeroed first; free with lv_dev_image_free) from generator s. */
static inline int lv_bench_image(int nv, int nh, int bj, uint64_t *s, lv_dev_image *img, lv_error *err)
{
    const double sc = 0.5 / (double)(nv + nh);
    memset(img, 0, sizeof *img);
    img->nv = nv;
    img->nh = nh;
    img->wx = 24;
    img->fx = 20;
    img->bj = bj;
    img->bb = 16;
    img->wf = 32;
    img->ff = 16;
    img->j2 = 65536;
    img->j4 = 65536;
    img->k = 4294967u; /* mu dt = 1e-3 */
    img->bn = 14;
    img->colour_c = lv_dac_colour_c(0);
    if (lv_dac_gain(sqrt(2.0 * 0.1 * 1e-3) * 1048576.0, 14, 0, 0.0, &img->gain, err)) return -1;
    img->m = lv_dev_couplings(nv, nh, 0);
    img->n_rows = lv_dev_rows(nv, nh, 0);
    img->c = malloc(img->m * sizeof(int16_t));
    img->ej = malloc(img->n_rows);
    img->cb = calloc((size_t)(nv + nh), sizeof(int32_t));
    double *J = malloc((img->m ? img->m : 1) * sizeof(double));
    if (!img->c || !img->ej || !img->cb || !J) {
        free(J);
        return lv_fail(err, "out of memory for the benchmark image");
    }
    for (size_t k = 0; k < img->m; ++k) J[k] = sc * lv_bench_frand(s);
    size_t off = 0;
    for (size_t r = 0; r < img->n_rows; ++r) {
        size_t cnt = r < (size_t)nv ? (size_t)nh : (size_t)(nh - 1 - ((int)r - nv));
        double mx = 0;
        for (size_t k = 0; k < cnt; ++k) mx = fmax(mx, fabs(J[off + k]));
        int e = cnt ? lv_bench_row_exp(mx, bj) : lv_bench_row_exp(sc, bj);
        img->ej[r] = (int8_t)e;
        for (size_t k = 0; k < cnt; ++k) img->c[off + k] = (int16_t)lrint(ldexp(J[off + k], e));
        off += cnt;
    }
    free(J);
    img->eb[0] = (int8_t)lv_bench_row_exp(0.05, img->bb);
    img->eb[1] = img->eb[0];
    for (int h = 0; h < nh; ++h) img->cb[nv + h] = (int32_t)lrint(ldexp(0.05 * lv_bench_frand(s), img->eb[1]));
    return 0;
}

#endif
