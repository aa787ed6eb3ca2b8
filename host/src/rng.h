/* rng.h - counter-based Gaussian noise for the float reference computer.
 *
 * Contract: the noise value for (seed, stream, step, unit) is a pure function
 * of those four numbers (Philox4x32-10 + Box-Muller), so trajectories do not
 * depend on batch size, thread count or evaluation order, and a resumed
 * training run draws exactly the numbers the uninterrupted one would have.
 * `stream` identifies a trajectory (training: global trajectory index;
 * generation: sample index, offset by a per-purpose tag), `step` the Euler
 * step, `unit` the unit index.
 *
 * Layout: Philox key = seed (64 bits); counter = {unit/4, step, stream_lo,
 * stream_hi}; the four 32-bit outputs r0..r3 give units 4k..4k+3:
 *   rho = sqrt(-2 ln u(r0)), z[4k] = rho cos(2 pi u(r1)), z[4k+1] = rho sin(..),
 *   and likewise (r2, r3) for units 4k+2, 4k+3 (Box-Muller, both branches),
 * with u(b) = (b + 0.5) / 2^32 so ln(0) never happens.  Tail reach:
 * |z| <= sqrt(66 ln 2) = 6.7637 (r0 = 0).
 *
 * Evaluation: ln, sin and cos are not libm's but fixed polynomials in rng.c
 * (fdlibm's log and sin/cos kernels; the angle is reduced to a quadrant
 * exactly on the integer r1), using only IEEE-754 basic operations
 * (+ - * / sqrt, exact conversions) with FMA contraction switched off in
 * rng.c and -ffast-math refused.  The values are therefore bit-identical on
 * every machine and build, whatever the SIMD width, libm version or -march
 * (checked: GCC 12 and clang 14, -O0..-O3, x86-64 baseline/v2/v3/native,
 * c11/gnu11; tests/host/test_rng_vectors.c pins golden bits).
 * Accuracy against the exact (real-number) formula for the given u(r0),
 * u(r1): at most 3.5 ulp of z (relative error < 8e-16, absolute < 1.3e-15),
 * checked on 2e8 random pairs, all 2^22 extreme radial words (u near 0 and
 * 1) and 2^23 angles at quadrant/octant boundaries.  The earlier glibc
 * scalar version, rho*cos(2*pi*u), was off by up to 3.9e-15 absolute (and by
 * many ulp near the zeros of cos/sin, from rounding 2*pi*u); the two differ
 * by at most 3.4e-15.  Speed: ~1.4 ns per normal on one Zen 5 core
 * (AVX-512), ~19 ns before.
 */
#ifndef LV_RNG_H
#define LV_RNG_H

#include <stddef.h>
#include <stdint.h>

/* Philox4x32-10 block function (exposed for tests against known answers). */
void lv_philox4x32(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);

/* Fill out[0..n) with the standard normals of units [unit0, unit0+n) for the
 * given (seed, stream, step).  unit0 must be a multiple of 4. */
void lv_normals(uint64_t seed, uint64_t stream, uint32_t step, uint32_t unit0, size_t n, double *out);

/* One uniform in (0,1) for (seed, stream, index): used for sampling choices. */
double lv_uniform(uint64_t seed, uint64_t stream, uint32_t index);

/* Stream tags keep the noise of different purposes independent. */
#define LV_STREAM_TRAIN    0x0000000000000000ull
#define LV_STREAM_GENERATE 0x4000000000000000ull
#define LV_STREAM_MISC     0x8000000000000000ull

#endif
