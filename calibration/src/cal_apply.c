/* cal_apply.c - apply a calibration record to a device image: GAIN and OFFSET
 * trims, per-unit offsets folded into the bias codes, coupling codes
 * pre-distorted against the chip's element errors (docs/calibration.md). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "device_image_io.h"
#include "lv_cal.h"

/* Largest magnitude of a w-bit symmetric code. */
static long code_max(int w) { return (1L << (w - 1)) - 1; }

void lv_cal_offset_weights(const lv_cal_record *rec, double *w)
{
    /* Wiener weights: residual offsets r_i (after the global trim) spread
     * with variance s2 = <r^2> - <SE^2> across units; an estimate with
     * standard error SE_i is worth w_i = s2 / (s2 + SE_i^2) of itself. */
    const int n = rec->n_units;
    double r2 = 0, e2 = 0;
    for (int i = 0; i < n; ++i) {
        const double r = rec->units[i].offset_lsb + rec->offset_trim / 65536.0;
        r2 += r * r / n;
        e2 += rec->units[i].offset_err * rec->units[i].offset_err / n;
    }
    const double s2 = r2 > e2 ? r2 - e2 : 0;
    for (int i = 0; i < n; ++i) {
        const double se2 = rec->units[i].offset_err * rec->units[i].offset_err;
        w[i] = s2 + se2 > 0 ? s2 / (s2 + se2) : 1.0;
    }
}

int lv_cal_apply_stats(const lv_cal_record *rec, lv_dev_image *img, lv_cal_apply_info *stats, lv_error *err)
{
    if (!img) return lv_fail(err, "applying a calibration record: no device image given (NULL pointer)");
    if (lv_cal_check(rec, err)) return lv_fail_prefix(err, "applying a calibration record");
    if (lv_dev_image_validate(img, err)) return lv_fail_prefix(err, "applying a calibration record");
    if (img->nv != rec->nv || img->nh != rec->nh)
        return lv_fail(err, "calibration record is for a chip run with nv = %d, nh = %d units but the image has "
                            "nv = %d, nh = %d: calibrate with this image's sizes",
                       rec->nv, rec->nh, img->nv, img->nh);
    if (rec->m && img->vv != rec->vv)
        return lv_fail(err, "calibration record's coupling estimates are for vv = %d, the image has vv = %d (a "
                            "different coupling memory layout): calibrate with this image's connectivity",
                       rec->vv, img->vv);
    if (img->fx != rec->fx)
        return lv_fail(err, "calibration record was measured with Fx = %d state fraction bits, the image uses Fx = "
                            "%d: the per-unit offsets are in state LSBs of that format; calibrate with this "
                            "image's format",
                       rec->fx, img->fx);
    /* Work on copies: img changes only when everything fits. */
    const int n = img->nv + img->nh;
    const double g = round((double)img->gain * rec->gain_trim);
    if (!(g < 4294967296.0))
        return lv_fail(err, "calibration: the trimmed noise gain GAIN = %u x %.6f = %.0f does not fit the 32-bit "
                            "register; the chip cannot reach this image's temperature",
                       img->gain, rec->gain_trim, g);
    const int64_t o = (int64_t)img->offset + rec->offset_trim;
    if (o <= INT32_MIN || o > INT32_MAX)
        return lv_fail(err, "calibration: the trimmed OFFSET %d + %d is outside the 32-bit register", img->offset,
                       rec->offset_trim);
    int32_t *cb = malloc((size_t)n * sizeof *cb);
    int16_t *c = malloc((img->m ? img->m : 1) * sizeof *c);
    if (!cb || !c) {
        free(cb);
        free(c);
        return lv_fail(err, "calibration: out of memory for a copy of the image's codes");
    }
    lv_cal_apply_info st = {img->gain, (uint32_t)g, img->offset, (int32_t)o, 0, 0, 0, 0, {0, 0}, {0, 0}};
    /* A constant noise offset r (state LSBs per tick) moves x by r each tick;
     * a bias db moves it by -(K/2^32) db 2^Fx: db = r 2^-Fx / (mu dt) cancels
     * it exactly (docs/calibration.md "Offset").  A block whose codes cannot
     * hold its trimmed biases gets a smaller exponent (all its biases
     * requantized one step coarser per step), down to -16. */
    const double mudt = (double)img->k * 0x1p-32, bmax = (double)code_max(img->bb);
    double *w = malloc((size_t)n * sizeof *w);
    if (!w) {
        free(cb);
        free(c);
        return lv_fail(err, "calibration: out of memory");
    }
    lv_cal_offset_weights(rec, w);
    int8_t eb_new[2] = {img->eb[0], img->eb[1]};
    for (int blk = 0; blk < 2; ++blk) {
        const int lo = blk ? img->nv : 0, hi = blk ? n : img->nv;
        for (int e = img->eb[blk];; --e) {
            int fits = 1;
            for (int i = lo; i < hi && fits; ++i) {
                const double r = w[i] * (rec->units[i].offset_lsb + rec->offset_trim / 65536.0);
                const double db = r * ldexp(1.0, -img->fx) / mudt;
                const double code = round(ldexp((double)img->cb[i], e - img->eb[blk])) + round(ldexp(db, e));
                if (fabs(code) > bmax) fits = 0;
                else cb[i] = (int32_t)code;
                if (fabs(db) > st.bias_trim_max) st.bias_trim_max = fabs(db);
            }
            if (fits) {
                eb_new[blk] = (int8_t)e;
                break;
            }
            if (e == -16) {
                free(cb);
                free(c);
                free(w);
                return lv_fail(err, "calibration: the %s units' offset trims (largest bias %.4g) do not fit %d-bit "
                                    "bias codes even at the smallest bias exponent -16",
                               blk ? "hidden" : "visible", st.bias_trim_max, img->bb);
            }
        }
        st.eb_before[blk] = img->eb[blk];
        st.eb_after[blk] = eb_new[blk];
    }
    for (int i = 0; i < n; ++i)
        if (cb[i] != img->cb[i] || eb_new[i < img->nv ? 0 : 1] != img->eb[i < img->nv ? 0 : 1]) st.bias_changed++;
    free(w);
    memcpy(c, img->c, img->m * sizeof *c);
    if (rec->m) {
        const double cmax = (double)code_max(img->bj);
        for (size_t k = 0; k < img->m; ++k) {
            double t = round(img->c[k] / (1.0 + rec->coupling_d[k]));
            if (t > cmax || t < -cmax) {
                t = t > 0 ? cmax : -cmax;
                st.couplings_clipped++;
            }
            c[k] = (int16_t)t;
            if (c[k] != img->c[k]) st.couplings_changed++;
        }
    }
    /* Commit, validate, and roll back on refusal. */
    lv_dev_image keep = *img;
    int32_t *cb_old = img->cb;
    int16_t *c_old = img->c;
    img->gain = (uint32_t)g;
    img->offset = (int32_t)o;
    img->cb = cb;
    img->c = c;
    img->eb[0] = eb_new[0];
    img->eb[1] = eb_new[1];
    if (lv_dev_image_validate(img, err)) {
        *img = keep;
        free(cb);
        free(c);
        return lv_fail_prefix(err, "calibration: the trimmed image would be refused");
    }
    free(cb_old);
    free(c_old);
    if (stats) *stats = st;
    return 0;
}

int lv_cal_apply(const lv_cal_record *rec, lv_dev_image *img, lv_error *err)
{
    return lv_cal_apply_stats(rec, img, NULL, err);
}
