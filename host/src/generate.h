/* generate.h - generation by the trained computer's own dynamics, and heat.
 *
 * Each trajectory starts from the coupling-free, bias-free computer at
 * equilibrium (x = 0 relaxed for t_eq with J = 0, b = 0: pure thermal
 * noise), then runs t_f/dt Euler steps of the trained potential V_theta.
 * Heat released to the bath, per trajectory:
 *   Q_end  = V_theta(x(0)) - V_theta(x(t_f))        (paper; no work is done)
 *   Q_path = -sum_k 1/2 (grad V(x_k) + grad V(x_{k+1})) . dx_k
 *            (Stratonovich/Sekimoto, trapezoidal rule)
 * The two agree up to O(dt) discretisation error per step (sum of O(dx^3)).
 * Noise: lv_normals(seed, LV_STREAM_GENERATE + sample index, step, unit),
 * so the noise of a trajectory does not depend on the batch.  The float
 * results agree across batch sizes to rounding, not bit for bit: OpenBLAS
 * rounds the tail rows of odd-sized GEMMs differently (~1e-16 relative).
 */
#ifndef LV_GENERATE_H
#define LV_GENERATE_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

typedef struct {
    long n;         /* trajectories */
    int batch;      /* trajectories simulated together */
    uint64_t seed;
    int strip_traj; /* record snapshots for the first strip_traj trajectories */
    int snapshots;  /* snapshots per recorded trajectory (>= 2: includes t=0 and t_f) */
} lv_gen_opts;

typedef struct {
    long n;
    int nv, strip_traj, snapshots;
    double *samples; /* n x nv visible units at t_f */
    double *hidden;  /* n x nh hidden units at t_f */
    double *V0, *Vf; /* energies at start and end */
    double *Q_end, *Q_path;
    double *strips;  /* strip_traj x snapshots x nv */
    double *snap_t;  /* snapshots times */
} lv_gen_result;

typedef void (*lv_progress_fn)(void *ctx, long done, long total);

/* The Q_path term of one Euler step for B trajectories of N units:
 * qpath[b] -= sum_i 1/2 (g0[b,i] + g1[b,i]) dx[b,i] (the trapezoidal rule
 * above).  Shared by every float generator so their heats agree. */
void lv_path_heat_step(const double *G0, const double *G1, const double *DX, size_t B, size_t N, double *qpath);

lv_gen_opts lv_gen_opts_default(void);
int lv_generate(const lv_model *m, const lv_gen_opts *o, lv_gen_result *res, lv_progress_fn progress,
                void *ctx, lv_error *err);
void lv_gen_result_free(lv_gen_result *r);

#endif
