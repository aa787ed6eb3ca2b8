/* lv_cal_well.h - the Boltzmann law of one unit's quartic well,
 *     p(x) ∝ exp(-(J2 x^2 + J4 x^4 + c x) / kT),
 * by numerical integration (docs/calibration.md "Temperature").
 *
 * Contract: J2, J4 >= 0 with J2 + J4 > 0, kT > 0, all finite; c is the
 * linear term (bias minus offset force).  The integrals run over a grid of
 * 1201 points (Simpson) wide enough that the neglected tails are below 1e-14 of the
 * mass; moments are accurate to ~1e-10 relative.  Pure functions, no
 * state. */
#ifndef LV_CAL_WELL_H
#define LV_CAL_WELL_H

typedef struct {
    double j2, j4, c;
} lv_cal_well;

/* <x> and <x^2> at temperature kT.  0, or -1 on invalid arguments. */
int lv_cal_well_moments(const lv_cal_well *w, double kT, double *mean, double *m2);

/* The kT > 0 at which <x^2> equals m2 (bisection on log kT: <x^2> grows
 * with kT).  0, or -1 when m2 is not positive/finite or out of reach. */
int lv_cal_well_kT_from_m2(const lv_cal_well *w, double m2, double *kT);

/* Moment matching: the kT and linear term c at which the law of
 * J2 x^2 + J4 x^4 + c x has the given mean and variance (alternating
 * bisections from c = c0: the variance grows with kT, the mean falls with
 * c).  w->c is ignored.  0, or -1 when no such law exists. */
int lv_cal_well_fit2(const lv_cal_well *w, double mean, double var, double c0, double *kT, double *c);

/* The kT in [kT0/4, 4 kT0] at which the variance at linear term w->c is
 * var (for error propagation).  0, or -1. */
int lv_cal_well_kT_at_c(const lv_cal_well *w, double var, double kT0, double *kT);

/* The cumulative distribution at sorted points xs[0..n) (ascending), for
 * a KS test: cdf[k] = P(X <= xs[k]). */
int lv_cal_well_cdf(const lv_cal_well *w, double kT, const double *xs, long n, double *cdf);

#endif
