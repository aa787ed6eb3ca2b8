/* lv_cal_mismatch.h - per-element coupling errors of a chip, measured from
 * the response of pinned units (docs/calibration.md "Coupling mismatch"),
 * and what a trim of the coupling codes removes.
 *
 * Procedure (through the firmware driver, like every calibration run):
 * the stored couplings are split into rounds of disjoint pairs (a greedy
 * edge colouring: no unit in two pairs of a round).  For each round, a
 * calibration image holds only that round's couplings, each at the largest
 * code cmax = 2^(BJ-1) - 1 with its row exponent BJ - 1 (J_nom = cmax /
 * 2^(BJ-1), about 1), the noise gain scaled by noise_scale, and biases that
 * pin both units of every pair near +-pin_x, in the four sign
 * configurations.  In each configuration the stationary identity
 *     <u(x_i)> + b_i + J_ij <x_j> = h_i      (u = 2 J2 x + 4 J4 x^3)
 * holds exactly for the discrete dynamics (h_i: the unit's offset force),
 * so the slope of <u(x_i)> + b_i against <x_j> over the four
 * configurations is -J_ij; the two units' slopes are averaged.  The
 * element's relative error is d = J_ij / J_nom - 1 (the emulator's mismatch
 * is relative, so it does not depend on the code).  Standard errors come
 * from 8 batches of each configuration's reads.
 *
 * Cost: rounds x 4 x (burn + reads x gap) ticks; rounds is about the
 * largest number of couplings at one unit. */
#ifndef LV_CAL_MISMATCH_H
#define LV_CAL_MISMATCH_H

#include <stddef.h>
#include <stdint.h>

#include "device_image.h"
#include "err.h"
#include "lv_fw.h"
#include "progress.h"

typedef struct {
    double noise_scale; /* GAIN factor during these runs (lower noise = less averaging); 0 < s <= 1 */
    double pin_x;       /* |x| the pinning biases aim at */
    uint32_t burn, gap; /* per configuration: ticks before the first read, ticks between reads */
    long reads;         /* state reads per configuration (>= 16) */
    uint64_t seed;
    lv_progress *progress; /* may be NULL */
} lv_cal_mismatch_opts;

lv_cal_mismatch_opts lv_cal_mismatch_defaults(void);

typedef struct {
    size_t m;
    double *d, *d_err; /* [m] relative error of each stored coupling, and its standard error */
    int rounds;
    double j_nom;
    double ticks;      /* device ticks spent */
} lv_cal_mismatch;

/* dev: a probed device; img: the image whose formats the chip runs (its
 * couplings are not used).  Fills *out (free with lv_cal_mismatch_free). */
int lv_cal_mismatch_measure(lv_fw_dev *dev, const lv_dev_image *img, const lv_cal_mismatch_opts *o,
                            lv_cal_mismatch *out, lv_error *err);
void lv_cal_mismatch_free(lv_cal_mismatch *mm);

/* What pre-distorting img's codes, c' = round(c / (1 + d_est)) clipped to
 * the code range, leaves of the element errors, over the non-zero codes:
 * rms of c (1 + d) - c before and c' (1 + d) - c after, in code LSBs, and
 * relative to the rms code.  d is the chip's actual error (known for an
 * emulated chip) or, for a prediction, d_est itself. */
typedef struct {
    size_t nonzero;
    double before_lsb, after_lsb, before_rel, after_rel;
} lv_cal_trim_eval;
void lv_cal_coupling_trim_eval(const lv_dev_image *img, const double *d, const double *d_est, lv_cal_trim_eval *out);

#endif
