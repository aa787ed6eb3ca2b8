/* lv_cal_thermal.h - per-unit temperature, noise offset, noise colour and
 * distribution checks from samples of a coupling-free calibration run
 * (docs/calibration.md "Temperature and offset", "Colour and distribution").
 *
 * Input: samples (lv_cal_sample, with pairs) of the calibration image `img`
 * (zero couplings; its biases, e.g. offset trims, are included in the
 * force).  With x in state units, u(x) = 2 J2 x + 4 J4 x^3, b_i the
 * device's bias force and eps = mu dt = K / 2^32:
 *  - h_i = <u(x_i) + b_i>: the noise offset as a force (exact for the
 *    discrete dynamics: stationary increments have mean zero);
 *    offset_lsb = h_i eps 2^Fx - OFFSET / 2^16 is the chip's own offset,
 *    resid = h_i - b_i what the bias (e.g. an offset trim) leaves of it;
 *  - kT_boltz: the kT whose Boltzmann law of J2 x^2 + J4 x^4 + c x has the
 *    measured mean and variance, c fitted with it from c = b_i - h_i
 *    (moment matching, lv_cal_well_fit2; c = b - h when h is exact);
 *  - kT = kT_boltz (1 - (eps/2) <V'^2> / <x V'>) with V' = u + b - h: the
 *    Euler correction (the discrete stationary law obeys
 *    <x V'> - (eps/2) <V'^2> = kT exactly); euler_rel is its mean size;
 *  - kT_ident = <x V'> - (eps/2) <V'^2> (that identity as an estimator);
 *  - from the one-tick increments r = x1 - x0 + eps (u(x0) + b):
 *    kT_inc = var(r) / (2 eps), lag1 = corr(r(x0->x1), r(x1->x2));
 *  - ks: Kolmogorov-Smirnov distance of the x0 samples to the Boltzmann law
 *    at kT_boltz; moments of x0 and the increments' excess kurtosis.
 * Standard errors come from 20 batch means (samples are correlated in
 * time); n_eff is the mean effective number of independent x0 samples. */
#ifndef LV_CAL_THERMAL_H
#define LV_CAL_THERMAL_H

#include "device_image.h"
#include "err.h"
#include "lv_cal.h"
#include "lv_cal_device.h"

typedef struct {
    int n;
    double *kT, *kT_err, *kT_boltz, *kT_ident, *kT_inc;
    double *h, *h_err, *offset_lsb, *offset_err;
    double *resid;    /* h_i - b_i: the offset force the unit's bias leaves uncancelled */
    double *lag1, *lag1_err;
    double *ks, *mean, *var, *skew, *exkurt, *inc_exkurt;
    double euler_rel; /* mean relative Euler correction of kT */
    double n_eff;     /* mean effective independent x0 samples per unit */
} lv_cal_thermal;

int lv_cal_thermal_measure(const lv_dev_image *img, const lv_cal_samples *s, lv_cal_thermal *out, lv_error *err);
void lv_cal_thermal_free(lv_cal_thermal *t);

/* Fill the unit entries, gain_trim = sqrt(kT_target / mean kT) and
 * offset_trim = -round(mean offset_lsb 2^16) of rec (allocated for the
 * same units). */
int lv_cal_thermal_to_record(const lv_cal_thermal *t, double kT_target, lv_cal_record *rec, lv_error *err);

/* Design feedback: a per-unit gain-trim DAC of `bits` bits spanning the
 * measured gain errors (range +-R, R = the largest |gain error| rounded up
 * to 0.5 %) would leave residual rms gain error sqrt(q^2/12 + se^2), q the
 * trim LSB 2R/(2^bits - 1), se the rms standard error of the measured gain
 * errors. */
typedef struct {
    int bits;
    double range, lsb, residual_rms, before_rms;
} lv_cal_trim_dac;
void lv_cal_gain_trim_dac(const lv_cal_record *rec, int bits, lv_cal_trim_dac *out);

#endif
