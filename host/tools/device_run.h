/* device_run.h - run generation on a device and hand back what the float
 * reference's reports consume.
 *
 * Contract: lv_model_from_image gives the float model a device image
 * stands for (dequantized couplings and biases, physics, protocol ticks,
 * reference digits), so quality, figures and summaries are computed by the
 * same code for the float reference and the device.  lv_device_generate
 * runs n trajectories of the paper's two-phase protocol on the emulated
 * device (lv_dev_generate) and fills an lv_gen_result (samples in x units,
 * V0, Vf, Q_end = V(x0) - V(xf) and Q_path from the device's own meter, in
 * energy units).  Trajectory j uses chip seed (seed << 32) | j, so results
 * do not depend on the batch size or thread count.
 */
#ifndef LV_DEVICE_RUN_H
#define LV_DEVICE_RUN_H

#include <stdint.h>

#include "device.h"
#include "device_image.h"
#include "generate.h"
#include "model.h"

int lv_model_from_image(const lv_dev_image *img, lv_model *m, lv_error *err);

typedef struct {
    uint64_t sat_state, sat_force; /* totals over all trajectories (unit-ticks) */
    long ticks;                    /* ticks per trajectory (both phases) */
    const char *field_path;        /* "GEMM" or "int64" */
} lv_device_stats;

/* Chip seed of trajectory j of a run seeded with `seed`. */
static inline uint64_t lv_device_seed(uint64_t seed, uint32_t j) { return (seed << 32) | j; }

int lv_device_generate(const lv_dev_image *img, const lv_dev_instance *inst, const lv_gen_opts *o,
                       lv_gen_result *r, lv_device_stats *st, lv_progress_fn progress, void *ctx,
                       lv_error *err);

/* The same generation, but through the firmware driver (firmware/lv_fw.h)
 * on the register-level emulated device, one chip and one trajectory at a
 * time: the image FILE bytes are verified and streamed by the driver, each
 * trajectory is the driver's two-phase lv_fw_generate with the chip seed
 * above.  What is tested this way is what a board runs; the result is
 * bit-identical to lv_device_generate (tests/cli/test_device_cli.sh). */
int lv_device_generate_driver(const lv_dev_image *img, const uint8_t *file, size_t file_len,
                              const lv_dev_instance *inst, const lv_gen_opts *o, lv_gen_result *r,
                              lv_device_stats *st, lv_progress_fn progress, void *ctx, lv_error *err);

/* The same through the driver on the Verilated RTL (rtl/langevin_axi.v):
 * bit-identical to the two above; practical for small images (the RTL
 * simulates every clock cycle).  Fails with a sentence when this build has no
 * Verilator, or when inst asks for mismatch (the RTL has none). */
int lv_device_generate_rtl(const lv_dev_image *img, const uint8_t *file, size_t file_len,
                           const lv_dev_instance *inst, const lv_gen_opts *o, lv_gen_result *r,
                           lv_device_stats *st, lv_progress_fn progress, void *ctx, lv_error *err);

#endif
