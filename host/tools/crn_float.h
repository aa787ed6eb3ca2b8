/* crn_float.h - the float reference computer driven by the device's noise.
 *
 * Why: the float reference (generate.h) draws Gaussian noise from the host's
 * own counter-based generator, so its trajectories share no random numbers
 * with the emulated device's; comparing the two heat distributions then
 * mixes quantization error with sampling scatter (KS ~ 0.04-0.06 at n = 1000
 * even for identical computers).  Here the float computer (double precision,
 * the trained parameters of m, generate.h's protocol and heat definitions)
 * is driven by exactly the random numbers the device uses:
 *
 *     x_i(t+1) = x_i(t) - mu dt dV/dx_i + z(seed_j, t, i) * sigma / sigma_z
 *
 * z = lv_noise_z (emu/src/noise_source.h), sigma = sqrt(2 mu kT dt),
 * sigma_z = sqrt(2^20 - 1) (its exact standard deviation), seed_j =
 * lv_device_seed(seed, j) for trajectory j, tick t counted from 0 over both
 * phases (t_eq/dt coupling-free, bias-free ticks from x = 0, then t_f/dt
 * coupled ticks), as lv_dev_generate does.  Trajectory j of this run and
 * trajectory j of a device run with the same seed are "common random
 * numbers": the only differences are the device's DAC rounding of z, its
 * fixed-point state, force and parameters (docs/sweep.md).
 *
 * Results (lv_gen_result, no strips) do not depend on batch size or thread
 * count beyond OpenBLAS's last-bit GEMM rounding.
 */
#ifndef LV_CRN_FLOAT_H
#define LV_CRN_FLOAT_H

#include "generate.h"
#include "model.h"

int lv_crn_float_generate(const lv_model *m, const lv_gen_opts *o, lv_gen_result *r, lv_progress_fn progress,
                          void *ctx, lv_error *err);

#endif
