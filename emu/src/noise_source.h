/* noise_source.h - the device's thermal-noise source (docs/fixed-point.md §6).
 *
 * Contract: the raw sample z of unit i at tick t is a pure function of
 * (seed, t, i): Philox4x32-10 with key = seed, counter = (i, t, "NOIS", 0),
 * shaped into an Irwin-Hall sum of twelve 10-bit uniforms minus 6138.
 * z has mean 0, variance 2^20 - 1 exactly, |z| <= 6138 (14 signed bits).
 * No state, so the result cannot depend on evaluation order or lane count.
 */
#ifndef LV_NOISE_SOURCE_H
#define LV_NOISE_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#define LV_NOISE_TAG    0x4E4F4953u /* "NOIS": counter word 2 of the thermal noise */
#define LV_MISMATCH_TAG 0x4D49534Du /* "MISM": counter word 2 of coupling mismatch */
#define LV_GAINERR_TAG  0x4741494Eu /* "GAIN": per-unit noise-gain error of a chip instance */
#define LV_OFFSERR_TAG  0x4F464653u /* "OFFS": per-unit noise offset of a chip instance */
#define LV_NOISE_Z_MAX  6138        /* 12 * 1023 / 2 rounded: the largest |z| */
#define LV_NOISE_Z_BITS 14          /* signed width of z */

/* Irwin-Hall shaping of one Philox output block (the twelve 10-bit fields
 * u_k = bits [10k+9:10k] of w0 | w1<<32 | w2<<64 | w3<<96, summed, - 6138). */
int32_t lv_noise_shape(const uint32_t w[4]);

/* z for (seed, tick, unit). */
int32_t lv_noise_z(uint64_t seed, uint32_t tick, uint32_t unit);

/* z for units unit0 .. unit0+n-1 at one (seed, tick): the device's hot path. */
void lv_noise_z_block(uint64_t seed, uint32_t tick, uint32_t unit0, size_t n, int32_t *z);

/* Mismatch deviate of stored coupling m of a chip instance (§7): the same
 * shaping on counter (m, 0, "MISM", 0) under key = instance seed. */
int32_t lv_noise_mismatch_z(uint64_t instance_seed, uint32_t m);

/* Per-unit analog-error deviate of a chip instance (§7 "chip instance"):
 * the same shaping on counter (unit, 0, tag, 0) under key = instance seed,
 * tag LV_GAINERR_TAG or LV_OFFSERR_TAG. */
int32_t lv_noise_chip_z(uint64_t instance_seed, uint32_t unit, uint32_t tag);

#endif
