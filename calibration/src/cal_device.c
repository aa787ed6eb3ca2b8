/* cal_device.c - calibration runs through the firmware driver.  See
 * lv_cal_device.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "device_image_io.h"
#include "lv_cal_device.h"

static int fw_fail(lv_error *err, const char *what, const lv_fw_dev *dev, lv_fw_result r)
{
    return lv_fail(err, "%s: %s (device error %s, detail %u)", what, lv_fw_strerror(r),
                   lv_fw_dev_err_name(dev->dev_err), dev->detail);
}

int lv_cal_load(lv_fw_dev *dev, const lv_dev_image *img, lv_error *err)
{
    uint8_t *buf;
    size_t len;
    if (lv_dev_image_encode(img, NULL, &buf, &len, err)) return lv_fail_prefix(err, "calibration image");
    lv_fw_membuf mem;
    lv_fw_image_src src;
    lv_fw_src_buffer(&src, &mem, buf, len);
    lv_fw_result r = lv_fw_load(dev, &src);
    free(buf);
    if (r != LV_FW_OK) return fw_fail(err, "loading a calibration image through the firmware", dev, r);
    return 0;
}

void lv_cal_samples_free(lv_cal_samples *s)
{
    if (!s) return;
    free(s->x0);
    free(s->x1);
    free(s->x2);
    memset(s, 0, sizeof *s);
}

/* One run of `ticks` continued from *tick, then the state read into x. */
static int run_read(lv_fw_dev *dev, const lv_cal_sampling *s, uint32_t *tick, uint32_t ticks, int n, int32_t *x,
                    lv_error *err)
{
    lv_fw_run_cfg cfg = {s->seed, *tick, ticks, 1, s->colour};
    lv_fw_result r = lv_fw_run_start(dev, &cfg);
    if (r == LV_FW_OK) r = lv_fw_run_wait(dev);
    if (r == LV_FW_OK && x) r = lv_fw_read_state(dev, 0, x, (uint32_t)n);
    if (r != LV_FW_OK) return fw_fail(err, "calibration run", dev, r);
    *tick += ticks;
    return 0;
}

int lv_cal_sample(lv_fw_dev *dev, int n, const lv_cal_sampling *s, lv_cal_samples *out, lv_error *err)
{
    if (!dev || !s || !out || n < 1 || s->blocks < 1 || s->gap < 1)
        return lv_fail(err, "calibration sampling: invalid arguments (need n >= 1, blocks >= 1, gap >= 1)");
    double total = (double)s->burn + (double)s->blocks * ((double)s->gap + (s->pairs ? 2 : 0));
    if (total >= 4294967295.0)
        return lv_fail(err, "calibration sampling: %.0f ticks would pass the 32-bit tick counter; use fewer "
                            "blocks or a shorter gap",
                       total);
    lv_cal_samples S = {n, s->blocks, s->pairs, NULL, NULL, NULL};
    const size_t cnt = (size_t)s->blocks * (size_t)n;
    S.x0 = malloc(cnt * sizeof(int32_t));
    if (s->pairs) {
        S.x1 = malloc(cnt * sizeof(int32_t));
        S.x2 = malloc(cnt * sizeof(int32_t));
    }
    if (!S.x0 || (s->pairs && (!S.x1 || !S.x2))) {
        lv_cal_samples_free(&S);
        return lv_fail(err, "calibration sampling: out of memory for %ld blocks of %d units", s->blocks, n);
    }
    int32_t *zero = calloc((size_t)n, sizeof(int32_t));
    lv_fw_result r = zero ? lv_fw_write_state(dev, 0, zero, (uint32_t)n) : LV_FW_E_BAD_ARG;
    free(zero);
    if (r != LV_FW_OK) {
        lv_cal_samples_free(&S);
        return fw_fail(err, "calibration sampling: clearing the state", dev, r);
    }
    uint32_t tick = 0;
    if (s->burn && run_read(dev, s, &tick, s->burn, n, NULL, err)) {
        lv_cal_samples_free(&S);
        return -1;
    }
    for (long b = 0; b < s->blocks; ++b) {
        const size_t o = (size_t)b * (size_t)n;
        if (run_read(dev, s, &tick, s->gap, n, S.x0 + o, err) ||
            (s->pairs && (run_read(dev, s, &tick, 1, n, S.x1 + o, err) || run_read(dev, s, &tick, 1, n, S.x2 + o, err)))) {
            lv_cal_samples_free(&S);
            return -1;
        }
        if (s->progress && (b & 63) == 0) lv_progress_update(s->progress, (double)b, (double)s->blocks, NULL);
    }
    *out = S;
    return 0;
}

int lv_cal_blank_image(const lv_dev_image *img, double gain_scale, lv_dev_image *out, lv_error *err)
{
    if (lv_dev_image_validate(img, err)) return lv_fail_prefix(err, "calibration image");
    double g = round((double)img->gain * gain_scale);
    if (!(gain_scale >= 0) || !(g < 4294967296.0))
        return lv_fail(err, "calibration image: noise gain scale %g is invalid for GAIN = %u", gain_scale, img->gain);
    lv_dev_image c = *img;
    c.gain = (uint32_t)g;
    c.digits = NULL;
    c.digit_labels = NULL;
    c.n_digits = 0;
    c.c = calloc(img->m, sizeof(int16_t));
    c.ej = malloc(img->n_rows);
    c.cb = calloc((size_t)(img->nv + img->nh), sizeof(int32_t));
    if (!c.c || !c.ej || !c.cb) {
        free(c.c);
        free(c.ej);
        free(c.cb);
        return lv_fail(err, "calibration image: out of memory");
    }
    memcpy(c.ej, img->ej, img->n_rows);
    /* Bias headroom for offset trims: |b| up to 2^3 in force units (the
     * image's own exponent may leave only the range its biases needed). */
    for (int b = 0; b < 2; ++b) {
        int e = img->bb - 1 - 3;
        if (e < c.eb[b]) c.eb[b] = (int8_t)(e < -16 ? -16 : e);
    }
    *out = c;
    return 0;
}

int lv_cal_emu_chip_init(lv_cal_emu_chip *chip, const lv_dev_instance *inst, lv_error *err)
{
    memset(chip, 0, sizeof *chip);
    lv_dev_mmio_opts o = {inst, 0};
    chip->mmio = lv_dev_mmio_create(&o, err);
    if (!chip->mmio) return -1;
    chip->emu.m = chip->mmio;
    chip->emu.step_ticks = 1u << 20;
    lv_fw_emu_hal(&chip->hal, &chip->emu);
    lv_fw_result r = lv_fw_init(&chip->dev, &chip->hal);
    if (r == LV_FW_OK) r = lv_fw_probe(&chip->dev);
    if (r != LV_FW_OK) {
        lv_dev_mmio_free(chip->mmio);
        chip->mmio = NULL;
        return lv_fail(err, "emulated chip: the firmware cannot probe it: %s", lv_fw_strerror(r));
    }
    return 0;
}

void lv_cal_emu_chip_free(lv_cal_emu_chip *chip)
{
    if (!chip) return;
    lv_dev_mmio_free(chip->mmio);
    memset(chip, 0, sizeof *chip);
}
