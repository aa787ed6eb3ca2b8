/* test_cal_well.c - Boltzmann integrals of the quartic well against closed
 * forms: with J4 = 0 the law is Gaussian (mean -c/(2 J2), variance
 * kT/(2 J2)); with J2 = 0, c = 0, <x^2> = sqrt(kT/J4) Gamma(3/4)/Gamma(1/4);
 * the inversion kT(<x^2>) round-trips; the CDF matches erf. */
#include <math.h>

#include "lv_cal_well.h"
#include "test_util.h"

int main(void)
{
    double mean, m2, kT;
    lv_cal_well g = {1.5, 0, 0.3};
    CHECK(lv_cal_well_moments(&g, 0.2, &mean, &m2) == 0);
    CHECK_NEAR(mean, -0.1, 1e-9);
    CHECK_NEAR(m2 - mean * mean, 0.2 / 3.0, 1e-9);
    lv_cal_well q = {0, 2.0, 0};
    CHECK(lv_cal_well_moments(&q, 0.1, &mean, &m2) == 0);
    CHECK_NEAR(m2, sqrt(0.1 / 2.0) * tgamma(0.75) / tgamma(0.25), 1e-9);
    CHECK_NEAR(mean, 0, 1e-12);
    /* Round trip over temperatures and the tilts offsets give (|c| <= 0.5)
     * in the paper's well.  (With a large tilt at low kT, <x^2> is nearly
     * the squared minimum and barely depends on kT: ill-conditioned.) */
    for (double t = 0.01; t < 20; t *= 3.7)
        for (double c = -0.5; c <= 0.5; c += 0.25) {
            lv_cal_well w = {1, 1, c};
            CHECK(lv_cal_well_moments(&w, t, NULL, &m2) == 0 && lv_cal_well_kT_from_m2(&w, m2, &kT) == 0);
            CHECK_NEAR(kT / t, 1, 1e-7);
        }
    /* Moment matching recovers (kT, c) from the law's own mean and variance. */
    for (double t = 0.02; t < 5; t *= 2.9)
        for (double c = -0.6; c <= 0.6; c += 0.4) {
            lv_cal_well w = {1, 1, c};
            double c_fit;
            CHECK(lv_cal_well_moments(&w, t, &mean, &m2) == 0);
            CHECK(lv_cal_well_fit2(&w, mean, m2 - mean * mean, 0.0, &kT, &c_fit) == 0);
            CHECK_NEAR(kT / t, 1, 1e-7);
            CHECK_NEAR(c_fit, c, 1e-7);
        }
    /* CDF of the Gaussian case. */
    double xs[5] = {-1, -0.3, -0.1, 0.2, 0.9}, cdf[5];
    CHECK(lv_cal_well_cdf(&g, 0.2, xs, 5, cdf) == 0);
    for (int k = 0; k < 5; ++k) CHECK_NEAR(cdf[k], 0.5 * erfc(-(xs[k] + 0.1) / sqrt(2 * 0.2 / 3.0)), 2e-6);
    /* Refusals. */
    lv_cal_well bad = {0, 0, 0};
    CHECK(lv_cal_well_moments(&bad, 0.1, &mean, &m2) == -1);
    CHECK(lv_cal_well_moments(&g, -1, &mean, &m2) == -1);
    CHECK(lv_cal_well_kT_from_m2(&g, -1, &kT) == -1);
    lv_cal_well tilted = {1, 1, -50}; /* minimum near x = 1.4: <x^2> >= 2 at any kT */
    CHECK(lv_cal_well_kT_from_m2(&tilted, 0.5, &kT) == -1);
    return lv_test_report("test_cal_well");
}
