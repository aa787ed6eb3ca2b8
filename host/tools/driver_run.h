/* driver_run.h - load and generation through the firmware driver
 * (firmware/include/lv_fw.h) on any driver target (driver_target.h).
 *
 * Contract: the image FILE bytes are what the driver verifies and streams
 * (two-pass verified load, docs/firmware.md); `img` is the same file parsed
 * by the host (dimensions, protocol ticks, formats for the conversions).
 * lv_driver_generate runs n trajectories of the paper's two-phase protocol
 * one at a time (lv_fw_generate) with chip seed lv_device_seed(o->seed, j),
 * so on the emulated device and on the RTL the result is bit-identical to
 * lv_device_generate (tests/cli/test_device_cli.sh).  `trims` (may be NULL)
 * are written after the load with lv_fw_trim (calibration).
 * Errors: -1 with a sentence naming the driver's result code. */
#ifndef LV_DRIVER_RUN_H
#define LV_DRIVER_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "device_image.h"
#include "device_run.h"
#include "driver_target.h"
#include "generate.h"
#include "lv_fw.h"

typedef struct {
    uint32_t gain;   /* GAIN register value */
    int32_t offset;  /* OFFSET register value */
} lv_driver_trims;

/* Probe and load: on success the device holds the verified image (and the
 * trims).  dev is the driver handle bound to t's HAL. */
int lv_driver_load(lv_target *t, lv_fw_dev *dev, const uint8_t *file, size_t file_len,
                   const lv_driver_trims *trims, lv_error *err);

int lv_driver_generate(const lv_target_opts *to, const lv_dev_image *img, const uint8_t *file, size_t file_len,
                       const lv_driver_trims *trims, const lv_gen_opts *o, lv_gen_result *r, lv_device_stats *st,
                       lv_target_stats *bus, lv_progress_fn progress, void *ctx, lv_error *err);

#endif
