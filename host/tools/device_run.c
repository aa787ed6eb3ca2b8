/* device_run.c - generation on the emulated device (see device_run.h). */
#include "device_run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "device_image_io.h"
#include "driver_run.h"
#include "quantize.h"


int lv_model_from_image(const lv_dev_image *img, lv_model *m, lv_error *err)
{
    lv_physics ph = {.nv = img->nv, .nh = img->nh, .vv = img->vv, .J2 = img->J2, .J4 = img->J4,
                     .mu = img->mu, .kT = img->kT, .dt = img->dt, .tf = img->tf};
    lv_protocol pr = lv_protocol_default();
    pr.t_eq = img->t_eq;
    if (lv_model_init(m, &ph, &pr, err)) return lv_fail_prefix(err, "device image");
    lv_params_free(&m->p);
    if (lv_dequantize_params(img, &m->p, err)) {
        lv_model_free(m);
        return -1;
    }
    m->rows = img->rows > 0 ? img->rows : 1;
    m->cols = img->cols > 0 ? img->cols : img->nv;
    if (img->n_digits > 0) {
        /* Reference digits, normalised as the trainer normalises them. */
        double *d = malloc((size_t)img->n_digits * img->nv * sizeof *d);
        int32_t *lab = malloc((size_t)img->n_digits * sizeof *lab);
        if (!d || !lab) {
            free(d), free(lab);
            lv_model_free(m);
            return lv_fail(err, "out of memory for reference digits");
        }
        for (int k = 0; k < img->n_digits; ++k) {
            const uint8_t *px = img->digits + (size_t)k * img->nv;
            double mean = 0, var = 0;
            for (int i = 0; i < img->nv; ++i) mean += px[i];
            mean /= img->nv;
            for (int i = 0; i < img->nv; ++i) var += (px[i] - mean) * (px[i] - mean);
            double sd = sqrt(var / img->nv);
            for (int i = 0; i < img->nv; ++i) d[(size_t)k * img->nv + i] = sd > 0 ? (px[i] - mean) / sd : 0;
            lab[k] = img->digit_labels[k];
        }
        int rc = lv_model_set_digits(m, img->n_digits, d, lab, NULL, err);
        free(d), free(lab);
        if (rc) {
            lv_model_free(m);
            return -1;
        }
    }
    return 0;
}

int lv_device_generate(const lv_dev_image *img, const lv_dev_instance *inst, const lv_gen_opts *o,
                       lv_gen_result *r, lv_device_stats *st, lv_progress_fn progress, void *ctx,
                       lv_error *err)
{
    memset(r, 0, sizeof *r);
    memset(st, 0, sizeof *st);
    if (o->n < 1 || o->n > 0xFFFFFFFFl || o->batch < 1)
        return lv_fail(err, "device generation needs 1 <= n < 2^32 trajectories and a batch >= 1");
    int batch = o->batch < o->n ? o->batch : (int)o->n;
    lv_dev *d = lv_dev_create(img, inst, batch, err);
    if (!d) return -1;
    size_t n = (size_t)o->n, nv = (size_t)img->nv, nh = (size_t)img->nh;
    r->n = o->n, r->nv = img->nv;
    r->samples = malloc(n * nv * sizeof(double));
    r->hidden = malloc(n * nh * sizeof(double));
    r->V0 = malloc(n * sizeof(double)), r->Vf = malloc(n * sizeof(double));
    r->Q_end = malloc(n * sizeof(double)), r->Q_path = malloc(n * sizeof(double));
    uint64_t *seeds = malloc((size_t)batch * sizeof *seeds);
    int rc = -1;
    if (!r->samples || !r->hidden || !r->V0 || !r->Vf || !r->Q_end || !r->Q_path || !seeds) {
        lv_fail(err, "out of memory for %zu device trajectories", n);
        goto out;
    }
    st->ticks = (long)img->ticks_eq + (long)img->ticks_run;
    st->field_path = lv_dev_field_path(d) == LV_CN_INT64 ? "int64" : "GEMM";
    for (size_t j0 = 0; j0 < n; j0 += (size_t)batch) {
        size_t nb = n - j0 < (size_t)batch ? n - j0 : (size_t)batch;
        for (size_t b = 0; b < nb; ++b) seeds[b] = lv_device_seed(o->seed, (uint32_t)(j0 + b));
        lv_dev_gen_result g;
        if (lv_dev_generate(d, nb, seeds, &g, err)) goto out;
        memcpy(r->samples + j0 * nv, g.visible, nb * nv * sizeof(double));
        memcpy(r->hidden + j0 * nh, g.hidden, nb * nh * sizeof(double));
        memcpy(r->V0 + j0, g.v0, nb * sizeof(double));
        memcpy(r->Vf + j0, g.vf, nb * sizeof(double));
        memcpy(r->Q_end + j0, g.q_end, nb * sizeof(double));
        memcpy(r->Q_path + j0, g.q_path, nb * sizeof(double));
        for (size_t b = 0; b < nb; ++b) st->sat_state += g.sat_state[b], st->sat_force += g.sat_force[b];
        lv_dev_gen_result_free(&g);
        if (progress) progress(ctx, (long)(j0 + nb), (long)n);
    }
    rc = 0;
out:
    free(seeds);
    lv_dev_free(d);
    if (rc) lv_gen_result_free(r);
    return rc;
}

int lv_device_generate_driver(const lv_dev_image *img, const uint8_t *file, size_t file_len,
                              const lv_dev_instance *inst, const lv_gen_opts *o, lv_gen_result *r,
                              lv_device_stats *st, lv_progress_fn progress, void *ctx, lv_error *err)
{
    lv_target_opts to = {.kind = LV_TARGET_EMU, .inst = inst};
    return lv_driver_generate(&to, img, file, file_len, NULL, o, r, st, NULL, progress, ctx, err);
}

int lv_device_generate_rtl(const lv_dev_image *img, const uint8_t *file, size_t file_len,
                           const lv_dev_instance *inst, const lv_gen_opts *o, lv_gen_result *r,
                           lv_device_stats *st, lv_progress_fn progress, void *ctx, lv_error *err)
{
    lv_target_opts to = {.kind = LV_TARGET_RTL, .inst = inst};
    return lv_driver_generate(&to, img, file, file_len, NULL, o, r, st, NULL, progress, ctx, err);
}
