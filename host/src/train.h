/* train.h - training by maximum likelihood of reversed noising trajectories
 * (paper eqs. 6-11), batched so every step is matrix-matrix work.
 *
 * One epoch = `batch` noising trajectories run in parallel (global
 * trajectory ids epoch*batch .. epoch*batch+batch-1; trajectory j noises
 * training digit j mod ndigits), the reverse action of every step
 * accumulated, then one parameter update.  The noising trajectories do not
 * depend on the parameters, so Euler steps are generated `window` at a time
 * and the force/gradient work for the whole window is done as single GEMMs.
 *
 * Per step x -> x' (dx = x' - x), with theta the generator's parameters
 * (couplings, hidden biases; no imposed digit):
 *   r_i   = (-dx_i + mu dt dV_theta/dx_i(x')) / (2 kT)
 *   S_rev = sum_i (2 kT r_i)^2 / (4 mu kT dt)                      (eq. 7)
 *   dS/db_i  = r_i                                                  (eq. 11)
 *   dS/dJ_ij = r_i x'_j + r_j x'_i                                  (eq. 10)
 * Note: eq. (10) prints x_j, but V_theta is evaluated at x', so the exact
 * derivative carries x'_j; the finite-difference test pins this down.
 * Logged heats (in kT) along the forward trajectory, trapezoidal rule
 * (Stratonovich): Q = -sum_k 1/2 (F(x_k) + F(x_{k+1})) . dx_k for the
 * reference (coupling-free, imposed digit) computer (Q0) and the trained
 * one (Qtheta); eq. (13)-(14) then read S_rev - S_fwd ~= (Q0 + Qtheta)/(2kT)
 * with heat counted positive when released to the bath.
 */
#ifndef LV_TRAIN_H
#define LV_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

typedef struct {
    int batch;        /* trajectories per update */
    int window;       /* Euler steps per GEMM block */
    double lr;        /* learning rate */
    int adam;         /* 1: Adam, 0: plain gradient descent (paper) */
    double beta1, beta2, eps;
    double grad_clip; /* 0: off; else max L2 norm of the per-trajectory gradient */
} lv_train_opts;

lv_train_opts lv_train_opts_default(void);
int lv_train_opts_check(const lv_train_opts *o, lv_error *err);

typedef struct {
    double S_rev;     /* reverse action per trajectory (eq. 7 summed) */
    double S_fwd;     /* forward action per trajectory = sum eta^2/2 */
    double Q0;        /* heat by the reference computer along omega, in kT */
    double Qtheta;    /* heat by the trained computer along omega, in kT */
    double grad_norm; /* L2 norm of the per-trajectory gradient */
} lv_epoch_stats;

typedef struct lv_trainer lv_trainer;

/* The trainer updates m in place; m must carry its training digits. */
int lv_trainer_new(lv_trainer **out, lv_model *m, const lv_train_opts *o, lv_error *err);
void lv_trainer_free(lv_trainer *t);
/* Run one epoch and update the parameters; increments m->epochs_done. */
int lv_trainer_epoch(lv_trainer *t, lv_epoch_stats *st, lv_error *err);
/* Optimiser state, for checkpoints. */
lv_params *lv_trainer_moment1(lv_trainer *t);
lv_params *lv_trainer_moment2(lv_trainer *t);
int64_t *lv_trainer_step_count(lv_trainer *t);

/* Core, exposed for tests: accumulate into g (Whh/Wvv upper triangles only)
 * the gradient of the reverse action over `rows` steps given x' rows Xp,
 * dx rows Dx and G = grad V_theta(x') rows; returns the summed action.
 * R (rows*N) receives r and may alias Dx. */
double lv_reverse_action_accumulate(const lv_physics *ph, int train_vbias, const double *Xp,
                                    const double *Dx, const double *G, size_t rows, double *R,
                                    lv_params *g);
/* Mirror the accumulated upper triangles and zero the diagonals. */
void lv_grad_symmetrize(lv_params *g, const lv_physics *ph);

#endif
