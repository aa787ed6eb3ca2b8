/* model.h - the float (double) reference Langevin computer: dimensions,
 * physical constants, noising protocol, and trainable parameters.
 *
 * Potential (paper eq. 2), units ordered visible [0, nv) then hidden [nv, N):
 *   V(x) = sum_i (J2 x_i^2 + J4 x_i^4) + sum_i b_i x_i
 *        + sum_{v,h} Wvh[v][h] x_v x_h + sum_{h<h'} Whh[h][h'] x_h x_h'
 *        (+ sum_{v<v'} Wvv[v][v'] x_v x_v' when vv is enabled)
 * Whh (and Wvv) are stored as full symmetric matrices with a zero diagonal:
 * each pair's coupling appears twice in memory and once in V.
 *
 * Contract: lv_model_validate() accepts only finite parameters, symmetric
 * zero-diagonal Whh/Wvv, positive physical constants, an integer number of
 * steps t_f/dt and a dt that is not trivially unstable; everything that
 * builds or loads a model calls it.
 */
#ifndef LV_MODEL_H
#define LV_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct {
    int nv, nh;     /* visible and hidden unit counts */
    int vv;         /* 1: visible-visible couplings present (off by default) */
    double J2, J4;  /* intrinsic quadratic and quartic couplings */
    double mu;      /* mobility: 1/mu is the computer's basic time unit */
    double kT;      /* thermal energy; energies are in the same unit as J2 */
    double dt;      /* Euler time step */
    double tf;      /* trajectory duration (noising and generation) */
} lv_physics;

/* Noising protocol (training only).  With lambda(t) = 1 - t/t_f:
 *   visible imposed bias b_v(t) = -strength        * lambda(t) * P_v
 *   hidden  imposed bias b_h(t) = -hidden_strength * lambda(t) * P_{p(h)}
 * where P is the digit normalised to zero mean and unit variance and
 * p(h) = floor(h * nv / nh) mod nv picks nh pixels evenly spread over the
 * image ("strided projection").  The minus sign makes a unit's equilibrium
 * activation take the sign of its pixel.  Before the ramp the coupling-free
 * computer equilibrates for t_eq at lambda = 1, starting from the
 * noise-free equilibrium position of each unit. */
typedef struct {
    double strength;
    double hidden_strength;
    double t_eq;
} lv_protocol;

/* Trainable parameters (also used for gradients and optimiser moments). */
typedef struct {
    double *Wvh;  /* nv x nh */
    double *Whh;  /* nh x nh, symmetric, zero diagonal */
    double *Wvv;  /* nv x nv or NULL */
    double *bv;   /* nv (trainable only with train_vbias; zero in the paper) */
    double *bh;   /* nh */
} lv_params;

typedef struct {
    lv_physics phys;
    lv_protocol proto;
    int train_vbias;
    lv_params p;
    /* Training digits (normalised, nv values each) with their dataset
     * labels and indices: the model carries what it was trained on. */
    int ndigits;
    int rows, cols; /* display shape of the visible layer (rows*cols == nv) */
    double *digits;
    int32_t *digit_labels;
    int32_t *digit_index;
    /* Provenance. */
    uint64_t seed;
    int64_t epochs_done;
    int64_t batch;
} lv_model;

/* Defaults: J2 = J4 = 1, kT = 0.1 (so J2 = J4 = 10 kT as in the paper),
 * mu = 1, dt = 1e-3, t_f = 2.5, nv = 784, nh = 512. */
lv_physics lv_physics_default(void);
lv_protocol lv_protocol_default(void);

int lv_physics_check(const lv_physics *ph, lv_error *err);
int lv_protocol_check(const lv_protocol *pr, lv_error *err);
/* Number of Euler steps in t (t must be an integer multiple of dt). */
int lv_steps_for(double t, double dt, long *steps, lv_error *err);

/* Allocate a zero-initialised model (couplings 0, biases 0, no digits). */
int lv_model_init(lv_model *m, const lv_physics *ph, const lv_protocol *pr, lv_error *err);
void lv_model_free(lv_model *m);
int lv_model_set_digits(lv_model *m, int n, const double *digits, const int32_t *labels,
                        const int32_t *index, lv_error *err);
int lv_model_validate(const lv_model *m, lv_error *err);

/* Parameter-block helpers: allocate/zero/free a parameter set shaped like m. */
int lv_params_alloc(lv_params *p, const lv_physics *ph, lv_error *err);
void lv_params_free(lv_params *p);
void lv_params_zero(lv_params *p, const lv_physics *ph);
void lv_params_copy(lv_params *dst, const lv_params *src, const lv_physics *ph);

/* Number of distinct couplings stored (each symmetric pair once). */
size_t lv_coupling_count(const lv_physics *ph);

static inline int lv_units(const lv_physics *ph) { return ph->nv + ph->nh; }

#endif
