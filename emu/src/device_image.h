/* device_image.h - the in-memory device image: everything the device loads.
 *
 * Contract: an lv_dev_image holds integer codes and formats exactly as
 * docs/fixed-point.md defines them, plus the physical parameters they were
 * made from (for reports only; the device never reads a double).  The
 * quantizer (host) fills one from a float model; device_image_io.c writes
 * and reads it as a file (docs/device-image.md); device.c runs it.
 * Arrays are owned by the struct (lv_dev_image_free releases them).
 */
#ifndef LV_DEVICE_IMAGE_H
#define LV_DEVICE_IMAGE_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    /* Units and connectivity (§3). */
    int nv, nh;         /* visible, hidden units; N = nv + nh */
    int vv;             /* 1 if the visible-visible block is stored */
    /* Formats (§2). */
    int wx, fx;         /* state width, fraction bits */
    int bj;             /* coupling code width 2..16 */
    int bb;             /* bias code width */
    int wf, ff;         /* force width, fraction bits */
    int32_t j2, j4;     /* J2, J4 in Q16.16 (fix16_t) */
    uint32_t k;         /* mu*dt in Q0.32 */
    /* Noise DAC (§6): resolution, gain Q16.16, offset Q16.16, colour Q1.15. */
    int bn;
    uint32_t gain;
    int32_t offset;
    uint16_t colour_a, colour_c;
    /* Run protocol in ticks: coupling-free equilibration, then coupled run. */
    uint32_t ticks_eq, ticks_run;
    /* Memories. */
    size_t m;           /* stored couplings, §3 order */
    int16_t *c;         /* [m] coupling codes */
    size_t n_rows;      /* stored rows: nv (vh) + nh (hh) [+ nv (vv)] */
    int8_t *ej;         /* [n_rows] coupling scale exponents, J = c * 2^-ej */
    int32_t *cb;        /* [nv + nh] bias codes */
    int8_t eb[2];       /* bias exponents: [0] visible, [1] hidden */
    /* Physical parameters the codes were made from (reports only). */
    double J2, J4, kT, mu, dt, tf, t_eq;
    /* Reference digits for sample quality (optional, may be 0/NULL):
     * n_digits images of rows*cols = nv pixels, 0..255, and their labels. */
    int n_digits, rows, cols;
    uint8_t *digits;
    uint8_t *digit_labels;
} lv_dev_image;

/* Stored-row index bases: vh rows start at 0, hh rows at nv, vv rows at nv+nh. */
static inline size_t lv_dev_rows(int nv, int nh, int vv) { return (size_t)nv + nh + (vv ? nv : 0); }

/* Number of stored couplings M for the given connectivity. */
static inline size_t lv_dev_couplings(int nv, int nh, int vv)
{
    size_t m = (size_t)nv * nh + (size_t)nh * (nh - 1) / 2;
    if (vv) m += (size_t)nv * (nv - 1) / 2;
    return m;
}

void lv_dev_image_free(lv_dev_image *img);

#endif
