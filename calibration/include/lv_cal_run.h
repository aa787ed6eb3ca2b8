/* lv_cal_run.h - the whole calibration of one chip through the firmware
 * driver (docs/calibration.md): temperature and offset, noise colour,
 * coupling mismatch, the record, and a verification run with the trims.
 *
 * Contract: dev is a probed device (any HAL backend); img the image the
 * chip will run (its formats, J2, J4, K, noise DAC and kT are used; its
 * couplings and biases are not).  Steps:
 *  1. calibration image = img with zero couplings and biases (COUPLE = 1,
 *     white noise): temperature, offset, distribution (lv_cal_thermal.h);
 *  2. when img has colour (a != 0): the same with COLOUR_EN = 1, for the
 *     lag-1 autocorrelation of the noise against a / 2^15;
 *  3. with o->mismatch: lv_cal_mismatch_measure;
 *  4. the record (gain and offset trims, per-unit values, coupling errors);
 *  5. with o->verify: the calibration image with the record applied
 *     (lv_cal_apply: GAIN, OFFSET, bias folding), measured again.
 * The device is left loaded with the last calibration image: load the
 * trimmed user image afterwards.  res is freed with lv_cal_result_free. */
#ifndef LV_CAL_RUN_H
#define LV_CAL_RUN_H

#include "device_image.h"
#include "err.h"
#include "lv_cal.h"
#include "lv_cal_device.h"
#include "lv_cal_mismatch.h"
#include "lv_cal_thermal.h"

typedef struct {
    uint64_t seed;
    uint32_t burn, gap;  /* thermal sampling: ticks before the first block, ticks between blocks */
    long blocks;         /* thermal sampling blocks (each gap + 2 ticks, 3 state reads) */
    int verify;
    int mismatch;
    lv_cal_mismatch_opts mm;
    const char *chip;    /* name stored in the record (may be NULL) */
    lv_progress *progress; /* may be NULL */
} lv_cal_opts;

lv_cal_opts lv_cal_defaults(void);

typedef struct {
    lv_cal_thermal before, after, colour;
    int has_after, has_colour;
    double colour_expected; /* a / 2^15 of the image */
    lv_cal_mismatch mm;
    int has_mm;
    lv_cal_record rec;
    double ticks;           /* device ticks spent in total */
} lv_cal_result;

int lv_cal_run(lv_fw_dev *dev, const lv_dev_image *img, const lv_cal_opts *o, lv_cal_result *res, lv_error *err);
void lv_cal_result_free(lv_cal_result *res);

#endif
