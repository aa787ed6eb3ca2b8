/* heat_budget.h - the paper's energy comparison (Whitelam, PRL 2025,
 * "Thermodynamic advantage"): heat per sample of the thermodynamic computer
 * against the MAC energy of a digital network doing the denoising.
 *
 * Contract: pure arithmetic, every assumption an argument.  A MAC count is a
 * count of multiply-accumulates; joules = MACs * pJ/MAC * 1e-12; an energy
 * in kT is joules / (k_B T).  Nothing here includes memory traffic, the
 * noise source, DACs or control of either machine (docs/sweep.md).
 */
#ifndef LV_HEAT_BUDGET_H
#define LV_HEAT_BUDGET_H

#include "err.h"

#define LV_BOLTZMANN 1.380649e-23 /* J/K, exact (SI 2019) */

/* MACs of one forward pass of a dense MLP with layer widths w[0..n). */
double lv_mlp_macs(const int *w, int n);

/* MACs of one Euler step of the Langevin computer simulated digitally: each
 * stored coupling is used twice (both units it joins), plus one MAC per unit
 * for the cubic force (J2 x + 2 J4 x^3 as x (a + b x^2)) - the cheapest
 * honest count. */
double lv_langevin_step_macs(int nv, int nh, int vv);

/* Parse "784,128,128,784" (2..16 positive widths). */
int lv_parse_layers(const char *s, int *w, int *n, lv_error *err);

typedef struct {
    double macs;   /* total */
    double joules;
    double kT;     /* joules / (k_B T) */
} lv_energy;

lv_energy lv_energy_of_macs(double macs, double pj_per_mac, double t_kelvin);
/* Joules of a heat given in kT at temperature T. */
double lv_kT_to_joules(double q_kT, double t_kelvin);

#endif
