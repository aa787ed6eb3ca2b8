/* test_cal_thermal.c - temperature, offset, colour and distribution
 * calibration of emulated chips with injected noise-DAC errors, through the
 * firmware driver (lv_cal_run without mismatch).
 *
 * Chip: 10 units, kT = 0.1, mu dt = 1e-3; per-unit gain spread 5 %, global
 * gain error +8 %, per-unit offsets with sigma 0.1 in force units.  Truth:
 * kT_i = kT (G_i / G)^2 and offset_i = (O_i - O) / 2^16 LSB per tick, from
 * the instance formulas (lv_dev_instance_gain / _offset).
 *
 * Tolerances from the sample counts (B = 100000 blocks, 52 ticks apart):
 *  - stationary kT: x^2 decorrelates at rate 2 gamma, gamma = mu V'' ~ 2.6,
 *    so consecutive samples correlate rho = exp(-2 gamma 0.052) = 0.76,
 *    tau = (1 + rho) / (1 - rho) = 7.4 and the relative error of <x^2> is
 *    sqrt(2 tau / B) = 1.2 %; kT ~ <x^2>^1.1: about 1.3 % per unit.  The
 *    estimator's own standard error (20 batch means) must agree within a
 *    factor 2, and each unit must be within 5 standard errors;
 *  - increments: B i.i.d. pairs, relative error of var(eta) sqrt(2 / 2B) =
 *    0.32 %: kT_inc within 5 x 0.32 % of the truth;
 *  - offsets: within 5 of their batch-means standard errors (~6 LSB);
 *  - after the trims: mean kT / target - 1 within 5 x 1.3 % / sqrt(10)
 *    plus the spread's own sampling (the per-unit gain errors cannot be
 *    trimmed), residual offset forces within 5 standard errors;
 *  - lag-1 correlation of white noise within 5 / sqrt(B) of 0; of the
 *    colour a = 0.5 within 5 / sqrt(B) of 0.5;
 *  - KS distance per unit below 2.5 / sqrt(n_eff) (Kolmogorov 99.99 %: 2.0). */
#include <math.h>
#include <string.h>

#include "firmware/fw_test_image.h"
#include "lv_cal_run.h"
#include "test_util.h"

static void run_chip(uint16_t a)
{
    fw_spec sp = fw_spec_default();
    sp.nv = 6;
    sp.nh = 4;
    sp.a = a;
    lv_dev_image img;
    CHECK(fw_build_image(&img, &sp, 5) == 0);
    const double eps = img.k * 0x1p-32;
    lv_dev_instance in = {.seed = 7, .sg = 3277, .ge = 5243, .so = (uint32_t)lround(0.1 * eps * 1048576.0 * 65536.0)};
    lv_cal_emu_chip chip;
    lv_error err;
    CHECK(lv_cal_emu_chip_init(&chip, &in, &err) == 0);
    lv_cal_opts o = lv_cal_defaults();
    o.blocks = a ? 20000 : 100000;
    o.mismatch = 0;
    lv_cal_result r;
    if (lv_cal_run(&chip.dev, &img, &o, &r, &err)) {
        CHECK_MSG(0, "%s", err.msg);
        return;
    }
    const int n = 10;
    const double tol_rel = 0.013, B = (double)o.blocks;
    if (a == 0) {
        int bad = 0;
        double chi2 = 0, mean_err = 0, grms = 0;
        for (int i = 0; i < n; ++i) grms += pow((double)lv_dev_instance_gain(&in, img.gain, (uint32_t)i) / img.gain, 2) / n;
        grms = sqrt(grms);
        for (int i = 0; i < n; ++i) {
            double g = (double)lv_dev_instance_gain(&in, img.gain, (uint32_t)i) / img.gain, kt = 0.1 * g * g;
            double off = lv_dev_instance_offset(&in, 0, (uint32_t)i) / 65536.0;
            const lv_cal_thermal *t = &r.before;
            double z = (t->kT[i] - kt) / t->kT_err[i];
            chi2 += z * z;
            mean_err += (t->kT[i] / kt - 1) / n;
            if (fabs(z) > 5) BULK_FAIL(bad, "unit %d kT %.5f +- %.5f, true %.5f", i, t->kT[i], t->kT_err[i], kt);
            if (!(t->kT_err[i] / t->kT[i] > 0.5 * tol_rel && t->kT_err[i] / t->kT[i] < 2 * tol_rel))
                BULK_FAIL(bad, "unit %d standard error %.4f, expected ~%.4f", i, t->kT_err[i] / t->kT[i], tol_rel);
            if (fabs(t->kT_inc[i] / kt - 1) > 5 * sqrt(1 / B))
                BULK_FAIL(bad, "unit %d kT from increments %.5f, true %.5f", i, t->kT_inc[i], kt);
            if (fabs(t->offset_lsb[i] - off) > 5 * t->offset_err[i])
                BULK_FAIL(bad, "unit %d offset %.2f +- %.2f LSB, true %.2f", i, t->offset_lsb[i], t->offset_err[i], off);
            if (fabs(t->lag1[i]) > 5 / sqrt(B)) BULK_FAIL(bad, "unit %d white lag-1 %.4f", i, t->lag1[i]);
            if (t->ks[i] > 2.5 / sqrt(t->n_eff)) BULK_FAIL(bad, "unit %d KS %.4f (n_eff %.0f)", i, t->ks[i], t->n_eff);
            /* The recorded gain error: the unit's gain relative to the chip's rms gain. */
            if (fabs(r.rec.units[i].gain_error - (g / grms - 1)) > 5 * 0.5 * tol_rel * sqrt(2))
                BULK_FAIL(bad, "unit %d gain error %.4f, true %.4f", i, r.rec.units[i].gain_error, g / grms - 1);
        }
        CHECK(bad == 0);
        CHECK_MSG(chi2 / n < 4, "chi2 per unit %.2f", chi2 / n);
        CHECK_MSG(fabs(mean_err) < 5 * tol_rel / sqrt(n), "mean relative kT error %.4f", mean_err);
        /* Injected: +8 % global gain error, 5 % spread: kT ~ 1.17 kT.  The
         * gain trim is sqrt(kT / mean kT). */
        CHECK_MSG(r.before.kT[0] > 0 && r.rec.gain_trim < 0.97 && r.rec.gain_trim > 0.88, "gain trim %.4f",
                  r.rec.gain_trim);
        CHECK(r.before.euler_rel > 5e-4 && r.before.euler_rel < 3e-3); /* ~ eps <V''> / 2 */
        /* After the trims. */
        CHECK(r.has_after);
        double ma = 0, rb = 0, ra = 0;
        bad = 0;
        for (int i = 0; i < n; ++i) {
            ma += r.after.kT[i] / 0.1 / n;
            rb += r.before.resid[i] * r.before.resid[i] / n;
            ra += r.after.resid[i] * r.after.resid[i] / n;
            if (fabs(r.after.resid[i]) > 5 * r.after.h_err[i])
                BULK_FAIL(bad, "unit %d residual offset force %.4f +- %.4f", i, r.after.resid[i], r.after.h_err[i]);
        }
        CHECK(bad == 0);
        CHECK_MSG(sqrt(ra) < 0.25 * sqrt(rb), "offset force rms %.4f -> %.4f", sqrt(rb), sqrt(ra));
        /* The mean of kT over units is what the global trim controls: the
         * before and after estimates each carry tol_rel / sqrt(n). */
        CHECK_MSG(fabs(ma - 1) < 5 * sqrt(2.0) * tol_rel / sqrt(n), "mean kT after / target = %.4f", ma);
    } else {
        CHECK(r.has_colour);
        double m = 0;
        for (int i = 0; i < n; ++i) m += r.colour.lag1[i] / n;
        CHECK_NEAR(m, a / 32768.0, 5 / sqrt((double)o.blocks * n));
        CHECK_NEAR(r.colour_expected, a / 32768.0, 1e-12);
    }
    lv_cal_result_free(&r);
    lv_cal_emu_chip_free(&chip);
    lv_dev_image_free(&img);
}

int main(void)
{
    run_chip(0);
    run_chip(16384);
    return lv_test_report("test_cal_thermal");
}
