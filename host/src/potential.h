/* potential.h - batched potential energy and force of the Langevin computer.
 *
 * Batches are row-major B x N matrices (one row per trajectory, visible
 * units first).  The coupling part of the force, C = X J (J the full
 * symmetric coupling matrix), is computed block by block with BLAS GEMMs;
 * everything else is elementwise.  From C:
 *   dV/dx_i = 2 J2 x_i + 4 J4 x_i^3 + b_i + C_i            (paper eq. 12)
 *   V(x)    = sum_i (J2 x_i^2 + J4 x_i^4 + b_i x_i) + 1/2 sum_i x_i C_i
 */
#ifndef LV_POTENTIAL_H
#define LV_POTENTIAL_H

#include <stddef.h>

#include "model.h"

/* C (rows x N) = X J for the couplings in p. */
void lv_coupling_force(const lv_physics *ph, const lv_params *p, const double *X, size_t rows,
                       double *C);

/* Local (intrinsic) force derivative 2 J2 x + 4 J4 x^3. */
static inline double lv_local_grad(double J2, double J4, double x)
{
    return x * (2.0 * J2 + 4.0 * J4 * x * x);
}
static inline double lv_local_energy(double J2, double J4, double x)
{
    double x2 = x * x;
    return x2 * (J2 + J4 * x2);
}

/* G = grad V given C from lv_coupling_force (G may alias C). */
void lv_grad_from_coupling(const lv_physics *ph, const lv_params *p, const double *X, size_t rows,
                           const double *C, double *G);

/* Per-row energies given C from lv_coupling_force. */
void lv_energy_from_coupling(const lv_physics *ph, const lv_params *p, const double *X,
                             size_t rows, const double *C, double *V);

/* Convenience: energy of rows of X (allocates scratch). Returns 0/-1. */
int lv_energy(const lv_physics *ph, const lv_params *p, const double *X, size_t rows, double *V,
              lv_error *err);

#endif
