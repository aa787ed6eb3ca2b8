/* cal_run.c - one chip's calibration, step by step.  See lv_cal_run.h. */
#include <stdio.h>
#include <string.h>

#include "lv_cal_run.h"

lv_cal_opts lv_cal_defaults(void)
{
    lv_cal_opts o;
    memset(&o, 0, sizeof o);
    o.seed = 0xCA11B8A7Eull;
    o.burn = 5000;
    o.gap = 50;
    o.blocks = 60000;
    o.verify = 1;
    o.mismatch = 1;
    o.mm = lv_cal_mismatch_defaults();
    return o;
}

void lv_cal_result_free(lv_cal_result *r)
{
    if (!r) return;
    lv_cal_thermal_free(&r->before);
    lv_cal_thermal_free(&r->after);
    lv_cal_thermal_free(&r->colour);
    lv_cal_mismatch_free(&r->mm);
    lv_cal_free(&r->rec);
    memset(r, 0, sizeof *r);
}

/* Load `cal`, sample it, estimate. */
static int measure(lv_fw_dev *dev, const lv_dev_image *cal, const lv_cal_opts *o, uint64_t seed, int colour,
                   lv_cal_thermal *out, double *ticks, lv_error *err)
{
    lv_cal_sampling s = {seed, o->burn, o->gap, o->blocks, 1, colour, o->progress};
    lv_cal_samples S;
    if (lv_cal_load(dev, cal, err) || lv_cal_sample(dev, cal->nv + cal->nh, &s, &S, err)) return -1;
    *ticks += (double)o->burn + (double)o->blocks * (o->gap + 2.0);
    int rc = lv_cal_thermal_measure(cal, &S, out, err);
    lv_cal_samples_free(&S);
    return rc;
}

int lv_cal_run(lv_fw_dev *dev, const lv_dev_image *img, const lv_cal_opts *o, lv_cal_result *res, lv_error *err)
{
    if (!dev || !img || !o || !res) return lv_fail(err, "calibration: NULL argument");
    memset(res, 0, sizeof *res);
    if (!(img->kT > 0))
        return lv_fail(err, "calibration: the image does not state its temperature kT (%g): the gain trim needs "
                            "the target",
                       img->kT);
    lv_dev_image cal;
    if (lv_cal_blank_image(img, 1.0, &cal, err)) return -1;
    int rc = -1;
    if (measure(dev, &cal, o, o->seed, 0, &res->before, &res->ticks, err)) goto done;
    if (img->colour_a) {
        res->colour_expected = img->colour_a / 32768.0;
        if (measure(dev, &cal, o, o->seed + 1, 1, &res->colour, &res->ticks, err)) goto done;
        res->has_colour = 1;
    }
    if (o->mismatch) {
        lv_cal_mismatch_opts mo = o->mm;
        mo.progress = o->progress;
        if (lv_cal_mismatch_measure(dev, img, &mo, &res->mm, err)) goto done;
        res->has_mm = 1;
        res->ticks += res->mm.ticks;
    }
    if (lv_cal_alloc(&res->rec, img->nv, img->nh, img->vv, res->has_mm ? img->m : 0, err) ||
        lv_cal_thermal_to_record(&res->before, img->kT, &res->rec, err))
        goto done;
    res->rec.fx = img->fx;
    res->rec.k = img->k;
    if (o->chip) snprintf(res->rec.chip, sizeof res->rec.chip, "%s", o->chip);
    if (res->has_mm) {
        memcpy(res->rec.coupling_d, res->mm.d, img->m * sizeof(double));
        memcpy(res->rec.coupling_d_err, res->mm.d_err, img->m * sizeof(double));
    }
    if (lv_cal_check(&res->rec, err)) goto done;
    if (o->verify) {
        if (lv_cal_apply(&res->rec, &cal, err) ||
            measure(dev, &cal, o, o->seed + 2, 0, &res->after, &res->ticks, err))
            goto done;
        res->has_after = 1;
    }
    rc = 0;
done:
    lv_dev_image_free(&cal);
    if (rc) lv_cal_result_free(res);
    return rc;
}
