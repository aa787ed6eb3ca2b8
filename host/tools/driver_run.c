/* driver_run.c - load and generation through the firmware driver (see
 * driver_run.h). */
#include "driver_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "energy_meter.h"

static int fw_fail(lv_error *err, const lv_fw_dev *dev, lv_fw_result fr, const char *what)
{
    if (fr == LV_FW_E_ACC_WIDTH)
        return lv_fail(err, "firmware driver, %s: %s (the image needs %u-bit accumulators, the device has "
                            "CAP_ACC_W = %u)",
                       what, lv_fw_strerror(fr), dev->detail, dev->cap_acc_w);
    if (dev->dev_err)
        return lv_fail(err, "firmware driver, %s: %s (detail %u; device error %s)", what, lv_fw_strerror(fr),
                       dev->detail, lv_fw_dev_err_name(dev->dev_err));
    return lv_fail(err, "firmware driver, %s: %s (detail %u)", what, lv_fw_strerror(fr), dev->detail);
}

int lv_driver_load(lv_target *t, lv_fw_dev *dev, const uint8_t *file, size_t file_len, const lv_driver_trims *trims,
                   lv_error *err)
{
    lv_fw_result fr;
    if ((fr = lv_fw_init(dev, lv_target_hal(t))) != LV_FW_OK) return fw_fail(err, dev, fr, "init");
    if ((fr = lv_fw_probe(dev)) != LV_FW_OK) return fw_fail(err, dev, fr, "probe");
    lv_fw_membuf mem;
    lv_fw_image_src src;
    lv_fw_src_buffer(&src, &mem, file, file_len);
    if ((fr = lv_fw_load(dev, &src)) != LV_FW_OK) return fw_fail(err, dev, fr, "load");
    if (trims && (fr = lv_fw_trim(dev, trims->gain, trims->offset)) != LV_FW_OK)
        return fw_fail(err, dev, fr, "trim");
    return 0;
}

/* Clock cycles one RTL run may take: well above the core's longest pass
 * (rtl/sim/core_timing.h: at most ceil(M/P) + N + 21) even at P = 1, so
 * only a hung device hits it. */
static uint64_t rtl_cycle_budget(const lv_dev_image *img)
{
    uint64_t ticks = (uint64_t)img->ticks_eq + img->ticks_run + 2;
    uint64_t per_pass = (uint64_t)img->m + 2u * (uint64_t)(img->nv + img->nh) + 4096u;
    return 4u * ticks * per_pass;
}

int lv_driver_generate(const lv_target_opts *to_in, const lv_dev_image *img, const uint8_t *file, size_t file_len,
                       const lv_driver_trims *trims, const lv_gen_opts *o, lv_gen_result *r, lv_device_stats *st,
                       lv_target_stats *bus, lv_progress_fn progress, void *ctx, lv_error *err)
{
    memset(r, 0, sizeof *r);
    memset(st, 0, sizeof *st);
    if (bus) memset(bus, 0, sizeof *bus);
    if (o->n < 1 || o->n > 0xFFFFFFFFl)
        return lv_fail(err, "device generation needs 1 <= n < 2^32 trajectories");
    lv_target_opts to = *to_in;
    if (to.kind == LV_TARGET_RTL && !to.cycle_budget) to.cycle_budget = rtl_cycle_budget(img);
    lv_target *t;
    if (lv_target_open(&t, &to, err)) return -1;
    size_t n = (size_t)o->n, nv = (size_t)img->nv, nh = (size_t)img->nh, N = nv + nh;
    int32_t *x = malloc(N * sizeof *x);
    r->n = o->n, r->nv = img->nv;
    r->samples = malloc(n * nv * sizeof(double));
    r->hidden = malloc(n * nh * sizeof(double));
    r->V0 = malloc(n * sizeof(double)), r->Vf = malloc(n * sizeof(double));
    r->Q_end = malloc(n * sizeof(double)), r->Q_path = malloc(n * sizeof(double));
    int rc = -1;
    lv_fw_dev dev;
    if (!x || !r->samples || !r->hidden || !r->V0 || !r->Vf || !r->Q_end || !r->Q_path) {
        lv_fail(err, "out of memory for %zu device trajectories", n);
        goto out;
    }
    if (lv_driver_load(t, &dev, file, file_len, trims, err)) goto out;
    st->ticks = (long)img->ticks_eq + (long)img->ticks_run;
    st->field_path = "register interface (firmware driver)";
    for (size_t j = 0; j < n; ++j) {
        lv_fw_meters mt;
        lv_fw_result fr = lv_fw_generate(&dev, lv_device_seed(o->seed, (uint32_t)j), img->ticks_eq, img->ticks_run,
                                         x, (uint32_t)N, &mt);
        if (fr != LV_FW_OK) {
            char what[48];
            snprintf(what, sizeof what, "trajectory %zu", j);
            fw_fail(err, &dev, fr, what);
            goto out;
        }
        lv_dev_codes_to_double(x, nv, img->fx, r->samples + j * nv);
        lv_dev_codes_to_double(x + nv, nh, img->fx, r->hidden + j * nh);
        r->V0[j] = lv_meter_to_double(mt.v0);
        r->Vf[j] = lv_meter_to_double(mt.v);
        r->Q_end[j] = lv_meter_diff_to_double(mt.v0, mt.v); /* as lv_dev_generate */
        r->Q_path[j] = lv_meter_to_double(mt.q);
        st->sat_state += mt.sat_state, st->sat_force += mt.sat_force;
        if (progress) progress(ctx, (long)j + 1, (long)n);
    }
    lv_target_stats ts;
    lv_target_get_stats(t, &ts);
    if (ts.bus_errors) {
        lv_fail(err, "the device answered %llu bus accesses with an error response", (unsigned long long)ts.bus_errors);
        goto out;
    }
    if (bus) *bus = ts;
    rc = 0;
out:
    free(x);
    lv_target_close(t);
    if (rc) lv_gen_result_free(r);
    return rc;
}
