/* fw_test_image.h - small random device images for the firmware tests and
 * tests/emu/test_device_mmio.c, encoded with the
 * reference writer lv_dev_image_encode, and a helper that re-seals an edited
 * file (head CRC, section CRCs, file CRC) so a test can reach the check it
 * targets behind the CRCs. */
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
