/* lv_cal_device.h - the calibration's access to a chip: through the
 * firmware driver only (lv_fw_* over any HAL backend: the emulated device,
 * the Verilated RTL or a board), plus the calibration images it loads.
 *
 * Contract:
 *  - lv_cal_load encodes an in-memory image (lv_dev_image_encode computes
 *    the CRCs) and loads it with lv_fw_load on a probed device.
 *  - lv_cal_sample runs the loaded image from state 0 for `burn` ticks, then
 *    `blocks` sampling blocks; block k runs `gap` ticks and reads the state
 *    (x0), then with `pairs` set one more tick (x1) and one more (x2), each a
 *    separate run continued from the previous TICK with the same seed (so
 *    the colour filter keeps its state).  All runs use COUPLE = 1 (the
 *    calibration images hold their test couplings and biases) and
 *    COLOUR_EN = colour.  Ticks must stay below 2^32 in total.
 *  - Samples are state codes; lv_cal_samples_free releases them.
 *  - lv_cal_emu_chip creates an emulated chip (lv_dev_mmio with the given
 *    instance, NULL = ideal) behind the firmware's emulator backend and
 *    probes it; lv_cal_emu_chip_free releases it.
 * 0, or -1 with a sentence in err. */
#ifndef LV_CAL_DEVICE_H
#define LV_CAL_DEVICE_H

#include <stdint.h>

#include "device.h"
#include "device_image.h"
#include "device_mmio.h"
#include "err.h"
#include "lv_fw.h"
#include "lv_fw_emu.h"
#include "progress.h"

typedef struct {
    uint64_t seed;     /* noise seed of the runs */
    uint32_t burn;     /* ticks before the first block */
    uint32_t gap;      /* ticks before each block's x0 (>= 1) */
    long blocks;       /* sampling blocks (>= 1) */
    int pairs;         /* also read x1, x2 (one and two ticks after x0) */
    int colour;        /* CTRL.COLOUR_EN */
    lv_progress *progress; /* may be NULL */
} lv_cal_sampling;

typedef struct {
    int n;             /* units */
    long blocks;
    int pairs;
    int32_t *x0;       /* [blocks * n] */
    int32_t *x1, *x2;  /* [blocks * n] when pairs, else NULL */
} lv_cal_samples;

int lv_cal_load(lv_fw_dev *dev, const lv_dev_image *img, lv_error *err);
int lv_cal_sample(lv_fw_dev *dev, int n, const lv_cal_sampling *s, lv_cal_samples *out, lv_error *err);
void lv_cal_samples_free(lv_cal_samples *s);

/* The image the calibration measures with: img's formats, J2, J4, K, noise
 * DAC, GAIN x gain_scale (rounded), OFFSET; every coupling and bias code 0,
 * the row exponents kept, the bias exponents lowered where needed so biases
 * up to 8 (force units) fit (callers set test couplings and biases). */
int lv_cal_blank_image(const lv_dev_image *img, double gain_scale, lv_dev_image *out, lv_error *err);

typedef struct {
    lv_dev_mmio *mmio;
    lv_fw_emu emu;
    lv_fw_hal hal;
    lv_fw_dev dev;
} lv_cal_emu_chip;

/* chip must stay at its address while in use (the HAL points into it). */
int lv_cal_emu_chip_init(lv_cal_emu_chip *chip, const lv_dev_instance *inst, lv_error *err);
void lv_cal_emu_chip_free(lv_cal_emu_chip *chip);

#endif
