/* dynamics.h - Euler integration of eq. (3) for the coupling-free computer
 * (noising, equilibration) and helpers shared by training and generation.
 *
 *   x(t+dt) = x - mu dV/dx dt + sqrt(2 mu kT dt) eta,  eta ~ N(0,1)
 *
 * Noise for row r comes from lv_normals(seed, streams[r], step, ...), so a
 * row's trajectory depends only on its own stream id.
 */
#ifndef LV_DYNAMICS_H
#define LV_DYNAMICS_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* Pixel shown to hidden unit h by the strided projection: floor(h*nv/nh) mod nv. */
int lv_hidden_pixel(int h, int nv, int nh);

/* Imposed pattern I (N values) for a normalised digit (nv values):
 * I_v = strength * P_v, I_h = hidden_strength * P_{p(h)}; the imposed bias
 * at ramp value lambda is -lambda * I. */
void lv_imposed_pattern(const lv_model *m, const double *digit, double *imp);

/* Deterministic rest position of one uncoupled unit with bias b:
 * the root of 2 J2 x + 4 J4 x^3 + b = 0. */
double lv_unit_rest(double J2, double J4, double b);

/* Advance rows of X by `steps` coupling-free Euler steps with bias
 * -lambda * I[row] (I == NULL: zero bias), using noise steps step0.. .
 * eta: scratch of rows*N doubles.  Returns 0, or -1 with a message naming
 * dt if a value became non-finite. */
int lv_free_steps(const lv_physics *ph, double *X, size_t rows, const double *imp_rows, double lambda,
                  uint64_t seed, const uint64_t *streams, uint32_t step0, long steps, double *eta,
                  lv_error *err);

/* -1 with a clear message if any of X[0..n) is non-finite; 0 otherwise. */
int lv_check_finite_state(const lv_physics *ph, const double *X, size_t n, const char *phase,
                          long step, lv_error *err);

#endif
