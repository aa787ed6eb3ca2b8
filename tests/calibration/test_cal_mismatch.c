/* test_cal_mismatch.c - coupling mismatch of an emulated chip (sigma_m =
 * 5 %, plus noise-DAC errors that the procedure must not confuse with it)
 * recovered per element through the firmware driver, and the trim of a
 * user image's codes checked against the chip's actual errors.
 *
 * Tolerances from the sample counts: each configuration averages
 * reads = 2000 states 20 ticks apart at kT_eff = (0.1 noise scale)^2 kT =
 * 1e-3; a pinned unit relaxes at gamma = mu V''(1) = 14 per time unit, so
 * reads are nearly independent and <u(x_i)> has standard error
 * sqrt(kT_eff V'' / reads) ~ 2.6e-3; the slope over configurations 2 apart in
 * <x_j>, averaged over two units, gives d to ~1-3e-3, which is what the
 * estimator's 8-batch standard error reports (checked to within a factor
 * 3).  Each element must be within 5 standard errors (8-batch errors are
 * t-distributed with 7 degrees of freedom: 5 is beyond their 99.9 %), the
 * rms error within 2x the rms standard error. */
#include <math.h>

#include "firmware/fw_test_image.h"
#include "lv_cal.h"
#include "lv_cal_device.h"
#include "lv_cal_mismatch.h"
#include "noise_source.h"
#include "test_util.h"

int main(void)
{
    fw_spec sp = fw_spec_default();
    sp.nv = 6;
    sp.nh = 4;
    lv_dev_image img;
    CHECK(fw_build_image(&img, &sp, 5) == 0);
    lv_dev_instance in = {.seed = 11, .sm = 3277, .sg = 3277, .ge = -3000, .so = 5000000};
    lv_cal_emu_chip chip;
    lv_error err;
    CHECK(lv_cal_emu_chip_init(&chip, &in, &err) == 0);
    lv_cal_mismatch_opts o = lv_cal_mismatch_defaults();
    lv_cal_mismatch mm;
    if (lv_cal_mismatch_measure(&chip.dev, &img, &o, &mm, &err)) {
        CHECK_MSG(0, "%s", err.msg);
        return lv_test_report("test_cal_mismatch");
    }
    CHECK(mm.m == img.m && mm.rounds >= 9 && mm.rounds <= 12); /* the hidden units have 9 couplings */
    double *dt = malloc(img.m * sizeof(double));
    double e2 = 0, s2 = 0, t2 = 0;
    int bad = 0;
    for (size_t k = 0; k < img.m; ++k) {
        dt[k] = (double)in.sm * lv_noise_mismatch_z(in.seed, (uint32_t)k) / 67108864.0;
        if (fabs(mm.d[k] - dt[k]) > 5 * mm.d_err[k])
            BULK_FAIL(bad, "coupling %zu: d = %.5f +- %.5f, actual %.5f", k, mm.d[k], mm.d_err[k], dt[k]);
        if (!(mm.d_err[k] > 3e-4 && mm.d_err[k] < 1e-2)) BULK_FAIL(bad, "coupling %zu: standard error %.5f", k, mm.d_err[k]);
        e2 += pow(mm.d[k] - dt[k], 2);
        s2 += mm.d_err[k] * mm.d_err[k];
        t2 += dt[k] * dt[k];
    }
    CHECK(bad == 0);
    CHECK_MSG(sqrt(e2) < 2 * sqrt(s2), "rms error %.5f, rms standard error %.5f", sqrt(e2 / img.m), sqrt(s2 / img.m));
    CHECK(sqrt(t2 / img.m) > 0.03); /* the injected 5 % is there to be found */

    /* Trim: the user image's codes pre-distorted with the estimates.  What
     * remains is code rounding (>= 1/sqrt(12) LSB) and estimation noise. */
    lv_cal_trim_eval te;
    lv_cal_coupling_trim_eval(&img, dt, mm.d, &te);
    CHECK_MSG(te.after_lsb < 0.25 * te.before_lsb && te.after_lsb < 0.5, "rms element error %.3f -> %.3f LSB",
              te.before_lsb, te.after_lsb);
    /* Through the record: lv_cal_apply gives the same codes. */
    lv_cal_record rec;
    CHECK(lv_cal_alloc(&rec, img.nv, img.nh, img.vv, img.m, &err) == 0);
    rec.fx = img.fx;
    rec.k = img.k;
    rec.kT_target = 0.1;
    for (int i = 0; i < rec.n_units; ++i) rec.units[i] = (lv_cal_unit){0.1, 0.001, 0, 0, 0.1};
    for (size_t k = 0; k < img.m; ++k) {
        rec.coupling_d[k] = mm.d[k];
        rec.coupling_d_err[k] = mm.d_err[k];
    }
    lv_dev_image trimmed;
    CHECK(fw_build_image(&trimmed, &sp, 5) == 0);
    CHECK(lv_cal_apply(&rec, &trimmed, &err) == 0);
    double a2 = 0;
    for (size_t k = 0; k < img.m; ++k) a2 += pow(trimmed.c[k] * (1 + dt[k]) - img.c[k], 2);
    CHECK_NEAR(sqrt(a2 / img.m), te.after_lsb, 1e-9);
    lv_cal_free(&rec);
    lv_dev_image_free(&trimmed);
    free(dt);
    lv_cal_mismatch_free(&mm);
    lv_cal_emu_chip_free(&chip);
    lv_dev_image_free(&img);
    return lv_test_report("test_cal_mismatch");
}
