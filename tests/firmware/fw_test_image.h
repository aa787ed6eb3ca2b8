/* fw_test_image.h - small random device images for the firmware tests and
 * tests/emu/test_device_mmio.c, encoded with the
 * reference writer lv_dev_image_encode, and a helper that re-seals an edited
 * file (head CRC, section CRCs, file CRC) so a test can reach the check it
 * targets behind the CRCs.  Also the coupling field's accumulator bound of an
 * image (a third implementation, in unsigned __int128, beside emu's
 * lv_cn_acc_bits and the firmware's lv_fw_image_acc_bits) and a helper that
 * tunes an image to need a given number of bits. */
#ifndef FW_TEST_IMAGE_H
#define FW_TEST_IMAGE_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "device_image.h"
#include "device_image_io.h"
#include "noise_dac.h"

typedef struct {
    int nv, nh, vv, wx, fx, wf, ff;
    uint16_t a;
    double kT;
    int32_t offset;
} fw_spec;

static inline fw_spec fw_spec_default(void) { return (fw_spec){12, 7, 0, 24, 20, 32, 16, 0, 0.1, 0}; }

static inline uint64_t fw_splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static inline double fw_urand(uint64_t *s) { return (double)(fw_splitmix(s) >> 11) * 0x1p-53 * 2.0 - 1.0; }

static inline int fw_build_image(lv_dev_image *img, const fw_spec *sp, uint64_t seed)
{
    memset(img, 0, sizeof *img);
    const int nv = sp->nv, nh = sp->nh, bj = 8, bb = 16;
    img->nv = nv;
    img->nh = nh;
    img->vv = sp->vv;
    img->wx = sp->wx;
    img->fx = sp->fx;
    img->bj = bj;
    img->bb = bb;
    img->wf = sp->wf;
    img->ff = sp->ff;
    img->j2 = 65536;
    img->j4 = 65536;
    img->k = (uint32_t)lrint(1e-3 * 4294967296.0);
    img->bn = 14;
    img->colour_a = sp->a;
    img->colour_c = lv_dac_colour_c(sp->a);
    img->offset = sp->offset;
    img->J2 = img->J4 = 1.0;
    img->kT = sp->kT;
    img->mu = 1.0;
    img->dt = 1e-3;
    img->tf = 1.0;
    img->t_eq = 0.5;
    img->ticks_eq = 60;
    img->ticks_run = 90;
    lv_error err;
    if (lv_dac_gain(sqrt(2.0 * sp->kT * 1e-3) * ldexp(1, sp->fx), 14, sp->a, 0.0, &img->gain, &err)) return -1;
    img->m = lv_dev_couplings(nv, nh, sp->vv);
    img->n_rows = lv_dev_rows(nv, nh, sp->vv);
    img->c = malloc((img->m ? img->m : 1) * sizeof(int16_t));
    img->ej = malloc(img->n_rows);
    img->cb = malloc((size_t)(nv + nh) * sizeof(int32_t));
    if (!img->c || !img->ej || !img->cb) return -1;
    const double cm = (double)((1 << (bj - 1)) - 1);
    size_t off = 0;
    for (size_t r = 0; r < img->n_rows; ++r) {
        size_t cnt = r < (size_t)nv ? (size_t)nh
                     : r < (size_t)(nv + nh) ? (size_t)(nh - 1 - ((int)r - nv))
                                             : (size_t)(nv - 1 - ((int)r - nv - nh));
        double J[64], mx = 1e-300;
        for (size_t k = 0; k < cnt; ++k) mx = fmax(mx, fabs(J[k] = 0.4 * fw_urand(&seed)));
        int e = (int)floor(log2(cm / mx));
        e = e < -16 ? -16 : e > 47 ? 47 : e;
        img->ej[r] = (int8_t)e;
        for (size_t k = 0; k < cnt; ++k) img->c[off + k] = (int16_t)lrint(ldexp(J[k], e));
        off += cnt;
    }
    for (int blk = 0; blk < 2; ++blk) {
        int e = (int)floor(log2((double)((1 << (bb - 1)) - 1) / 0.5));
        img->eb[blk] = (int8_t)e;
        for (int i = blk ? nv : 0; i < (blk ? nv + nh : nv); ++i)
            img->cb[i] = (int32_t)lrint(ldexp(0.5 * fw_urand(&seed), e));
    }
    return off == img->m ? 0 : -1;
}

/* Stored row r of §3: unit i, column units j0 .. j0 + cnt - 1. */
static inline void fw_row_geom(const lv_dev_image *img, size_t r, int *i, int *j0, int *cnt)
{
    const int nv = img->nv, n = img->nv + img->nh;
    if (r < (size_t)nv) {
        *i = (int)r, *j0 = nv, *cnt = img->nh;
    } else if (r < (size_t)n) {
        *i = (int)r, *j0 = (int)r + 1, *cnt = n - (int)r - 1;
    } else {
        const int v = (int)r - n;
        *i = v, *j0 = v + 1, *cnt = nv - v - 1;
    }
}

/* The accumulator bits the coupling field needs: the smallest A with
 * max_u xmax sum |c| 2^(E - eJ[r]) < 2^(A-1) (E over the rows holding a
 * coupling, xmax = 2^(Wx-1) - 1), computed in 128 bits (< 2^122 for any
 * valid image). */
static inline int fw_ref_acc_bits(const lv_dev_image *img)
{
    __extension__ typedef unsigned __int128 u128;
    const int n = img->nv + img->nh;
    int i, j0, cnt, e = -1000, bits = 1;
    for (size_t r = 0; r < img->n_rows; ++r) {
        fw_row_geom(img, r, &i, &j0, &cnt);
        if (cnt > 0 && img->ej[r] > e) e = img->ej[r];
    }
    u128 *rs = calloc((size_t)n, sizeof *rs), mx = 0;
    if (!rs) return -1;
    size_t off = 0;
    for (size_t r = 0; r < img->n_rows; ++r) {
        fw_row_geom(img, r, &i, &j0, &cnt);
        for (int k = 0; k < cnt; ++k) {
            const int c = img->c[off + (size_t)k];
            const u128 a = (u128)(unsigned)(c < 0 ? -c : c) << (e - img->ej[r]);
            rs[i] += a;
            rs[j0 + k] += a;
        }
        off += (size_t)cnt;
    }
    for (int u = 0; u < n; ++u)
        if (rs[u] > mx) mx = rs[u];
    for (u128 b = mx * (u128)((1ull << (img->wx - 1)) - 1u); b; b >>= 1) bits++;
    free(rs);
    return bits;
}

/* Lower the exponent of every stored row but one non-empty row at E, one
 * step at a time (each step at most doubles a row sum: one bit more at
 * most), until the image needs `target` accumulator bits or no exponent can
 * go lower (-16).  Returns the bits it needs then. */
static inline int fw_tune_acc_bits(lv_dev_image *img, int target)
{
    int i, j0, cnt, e = -1000, bits = fw_ref_acc_bits(img);
    size_t anchor = 0;
    for (size_t r = 0; r < img->n_rows; ++r) {
        fw_row_geom(img, r, &i, &j0, &cnt);
        if (cnt > 0 && img->ej[r] > e) e = img->ej[r], anchor = r;
    }
    while (bits < target) {
        int moved = 0;
        for (size_t r = 0; r < img->n_rows; ++r)
            if (r != anchor && img->ej[r] > -16) img->ej[r]--, moved = 1;
        if (!moved) break;
        bits = fw_ref_acc_bits(img);
    }
    return bits;
}

static inline uint32_t fw_rd32(const uint8_t *p) { return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static inline uint64_t fw_rd64(const uint8_t *p) { return fw_rd32(p) | (uint64_t)fw_rd32(p + 4) << 32; }
static inline void fw_wr32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; ++i) p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint32_t fw_crc(const uint8_t *p, size_t n) { return (uint32_t)crc32(crc32(0L, Z_NULL, 0), p, (uInt)n); }

/* Section i's offset / length from the table. */
static inline size_t fw_sec_off(const uint8_t *b, int i) { return (size_t)fw_rd64(b + 160 + 32 * i + 8); }
static inline size_t fw_sec_len(const uint8_t *b, int i) { return (size_t)fw_rd64(b + 160 + 32 * i + 16); }

/* Recompute the section CRCs, the head CRC and the file CRC of an edited file. */
static inline void fw_reseal(uint8_t *b, size_t len)
{
    uint32_t ns = fw_rd32(b + 24), head = 164 + 32 * ns;
    if (ns < 4 || ns > 6) return;
    for (uint32_t i = 0; i < ns; ++i)
        fw_wr32(b + 160 + 32 * i + 24, fw_crc(b + fw_sec_off(b, (int)i), fw_sec_len(b, (int)i)));
    fw_wr32(b + head - 4, fw_crc(b, head - 4));
    fw_wr32(b + len - 4, fw_crc(b, len - 4));
}

#endif
