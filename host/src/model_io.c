#include "model_io.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "safetensors.h"

/* ---- writing ---------------------------------------------------------- */

static int meta_d(lv_st_writer *w, const char *k, double v, lv_error *err)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.17g", v);
    return lv_st_writer_meta(w, k, buf, err);
}

static int meta_i(lv_st_writer *w, const char *k, long long v, lv_error *err)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", v);
    return lv_st_writer_meta(w, k, buf, err);
}

static int add_params(lv_st_writer *w, const char *prefix, const lv_params *p, const lv_physics *ph,
                      lv_error *err)
{
    char name[64];
    int64_t s_vh[2] = {ph->nv, ph->nh}, s_hh[2] = {ph->nh, ph->nh}, s_vv[2] = {ph->nv, ph->nv};
    int64_t s_h[1] = {ph->nh}, s_v[1] = {ph->nv};
#define ADD(nm, nd, shape, data)                                                   \
    do {                                                                           \
        snprintf(name, sizeof name, "%s%s", prefix, nm);                           \
        if (lv_st_writer_add(w, name, LV_ST_F64, nd, shape, data, err)) return -1; \
    } while (0)
    ADD("Wvh", 2, s_vh, p->Wvh);
    ADD("Whh", 2, s_hh, p->Whh);
    ADD("bh", 1, s_h, p->bh);
    ADD("bv", 1, s_v, p->bv);
    if (ph->vv) ADD("Wvv", 2, s_vv, p->Wvv);
#undef ADD
    return 0;
}

int lv_model_save(const char *path, const lv_model *m, const lv_opt_state *opt, lv_error *err)
{
    if (lv_model_validate(m, err)) return lv_fail_prefix(err, "refusing to save %s", path);
    const lv_physics *ph = &m->phys;
    lv_st_writer *w = lv_st_writer_new();
    if (!w) return lv_fail(err, "out of memory");
    int rc = -1;
    if (lv_st_writer_meta(w, "format", LV_MODEL_FORMAT, err) ||
        meta_i(w, "format_version", LV_MODEL_FORMAT_VERSION, err) ||
        meta_i(w, "nv", ph->nv, err) || meta_i(w, "nh", ph->nh, err) || meta_i(w, "vv", ph->vv, err) ||
        meta_i(w, "image_rows", m->rows, err) || meta_i(w, "image_cols", m->cols, err) ||
        meta_d(w, "J2", ph->J2, err) || meta_d(w, "J4", ph->J4, err) || meta_d(w, "mu", ph->mu, err) ||
        meta_d(w, "kT", ph->kT, err) || meta_d(w, "dt", ph->dt, err) || meta_d(w, "tf", ph->tf, err) ||
        meta_d(w, "protocol.strength", m->proto.strength, err) ||
        meta_d(w, "protocol.hidden_strength", m->proto.hidden_strength, err) ||
        meta_d(w, "protocol.t_eq", m->proto.t_eq, err) ||
        lv_st_writer_meta(w, "protocol.ramp", "linear: lambda(t) = 1 - t/tf", err) ||
        lv_st_writer_meta(w, "protocol.hidden_projection", "strided: hidden h shows pixel floor(h*nv/nh) mod nv", err) ||
        lv_st_writer_meta(w, "protocol.normalisation", "per digit: zero mean, unit variance", err) ||
        lv_st_writer_meta(w, "protocol.bias_sign", "imposed bias = -strength*lambda*P", err) ||
        meta_i(w, "train.vbias", m->train_vbias, err) || meta_i(w, "train.seed", (long long)m->seed, err) ||
        meta_i(w, "train.epochs", m->epochs_done, err) || meta_i(w, "train.batch", m->batch, err) ||
        add_params(w, "", &m->p, ph, err))
        goto out;
    if (m->ndigits > 0) {
        int64_t sd[2] = {m->ndigits, ph->nv}, sl[1] = {m->ndigits};
        if (lv_st_writer_add(w, "digits", LV_ST_F64, 2, sd, m->digits, err) ||
            lv_st_writer_add(w, "digit_labels", LV_ST_I32, 1, sl, m->digit_labels, err) ||
            lv_st_writer_add(w, "digit_index", LV_ST_I32, 1, sl, m->digit_index, err))
            goto out;
    }
    if (opt && opt->present) {
        if (lv_st_writer_meta(w, "opt.kind", opt->adam ? "adam" : "sgd", err) ||
            meta_d(w, "opt.lr", opt->lr, err) || meta_d(w, "opt.beta1", opt->beta1, err) ||
            meta_d(w, "opt.beta2", opt->beta2, err) || meta_d(w, "opt.eps", opt->eps, err) ||
            meta_d(w, "opt.grad_clip", opt->grad_clip, err) || meta_i(w, "opt.window", opt->window, err) ||
            meta_i(w, "opt.step", opt->step, err) ||
            meta_i(w, "opt.epochs_target", opt->epochs_target, err) ||
            add_params(w, "opt.m.", opt->m1, ph, err) || add_params(w, "opt.v.", opt->m2, ph, err))
            goto out;
        if (opt->history_cols > 0) {
            int64_t sh[2] = {opt->history_rows, opt->history_cols};
            if (lv_st_writer_add(w, "opt.history", LV_ST_F64, 2, sh, opt->history, err)) goto out;
        }
    }
    rc = lv_st_writer_write(w, path, err);
out:
    lv_st_writer_free(w);
    return rc;
}

/* ---- reading ---------------------------------------------------------- */

static int get_meta(const lv_st_file *f, const char *path, const char *key, const char **out, lv_error *err)
{
    *out = lv_st_meta(f, key);
    if (!*out)
        return lv_fail(err, "%s: metadata key '%s' is missing (not a langevin model, or a damaged one)",
                       path, key);
    return 0;
}

static int get_d(const lv_st_file *f, const char *path, const char *key, double *v, lv_error *err)
{
    const char *s;
    if (get_meta(f, path, key, &s, err)) return -1;
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(*v))
        return lv_fail(err, "%s: metadata '%s' = '%s' is not a finite number", path, key, s);
    return 0;
}

static int get_i(const lv_st_file *f, const char *path, const char *key, long long lo, long long hi,
                 long long *v, lv_error *err)
{
    const char *s;
    if (get_meta(f, path, key, &s, err)) return -1;
    char *end;
    errno = 0;
    *v = strtoll(s, &end, 10);
    if (end == s || *end || errno || *v < lo || *v > hi)
        return lv_fail(err, "%s: metadata '%s' = '%s' is not an integer in [%lld, %lld]", path, key, s,
                       lo, hi);
    return 0;
}

static int read_params(const lv_st_file *f, const char *path, const char *prefix, lv_params *p,
                       const lv_physics *ph, lv_error *err)
{
    char name[64];
    int64_t s_vh[2] = {ph->nv, ph->nh}, s_hh[2] = {ph->nh, ph->nh}, s_vv[2] = {ph->nv, ph->nv};
    int64_t s_h[1] = {ph->nh}, s_v[1] = {ph->nv};
#define RD(nm, nd, shape, data)                                                 \
    do {                                                                        \
        snprintf(name, sizeof name, "%s%s", prefix, nm);                        \
        if (lv_st_read_f64(f, name, nd, shape, data, err))                      \
            return lv_fail_prefix(err, "%s", path);                             \
    } while (0)
    RD("Wvh", 2, s_vh, p->Wvh);
    RD("Whh", 2, s_hh, p->Whh);
    RD("bh", 1, s_h, p->bh);
    RD("bv", 1, s_v, p->bv);
    if (ph->vv) RD("Wvv", 2, s_vv, p->Wvv);
#undef RD
    return 0;
}

int lv_model_load(const char *path, lv_model *m, lv_error *err)
{
    memset(m, 0, sizeof *m);
    lv_st_file *f;
    if (lv_st_open(path, &f, err)) return -1;
    int rc = -1;
    const char *fmt;
    long long nv, nh, vv, ver, rows, cols, vbias, seed, epochs, batch;
    lv_physics ph;
    lv_protocol pr;
    if (get_meta(f, path, "format", &fmt, err)) goto out;
    if (strcmp(fmt, LV_MODEL_FORMAT) != 0) {
        lv_fail(err, "%s: format is '%s', expected '%s' (a float model from `langevin train`)", path,
                fmt, LV_MODEL_FORMAT);
        goto out;
    }
    if (get_i(f, path, "format_version", 0, 1000000, &ver, err)) goto out;
    if (ver != LV_MODEL_FORMAT_VERSION) {
        lv_fail(err, "%s: model format version %lld is not supported (this build reads version %d)",
                path, ver, LV_MODEL_FORMAT_VERSION);
        goto out;
    }
    if (get_i(f, path, "nv", 1, 1 << 20, &nv, err) || get_i(f, path, "nh", 1, 1 << 20, &nh, err) ||
        get_i(f, path, "vv", 0, 1, &vv, err) || get_i(f, path, "image_rows", 1, 1 << 20, &rows, err) ||
        get_i(f, path, "image_cols", 1, 1 << 20, &cols, err) ||
        get_d(f, path, "J2", &ph.J2, err) || get_d(f, path, "J4", &ph.J4, err) ||
        get_d(f, path, "mu", &ph.mu, err) || get_d(f, path, "kT", &ph.kT, err) ||
        get_d(f, path, "dt", &ph.dt, err) || get_d(f, path, "tf", &ph.tf, err) ||
        get_d(f, path, "protocol.strength", &pr.strength, err) ||
        get_d(f, path, "protocol.hidden_strength", &pr.hidden_strength, err) ||
        get_d(f, path, "protocol.t_eq", &pr.t_eq, err) ||
        get_i(f, path, "train.vbias", 0, 1, &vbias, err) ||
        get_i(f, path, "train.seed", 0, INT64_MAX, &seed, err) ||
        get_i(f, path, "train.epochs", 0, INT64_MAX, &epochs, err) ||
        get_i(f, path, "train.batch", 0, 1 << 20, &batch, err))
        goto out;
    ph.nv = (int)nv;
    ph.nh = (int)nh;
    ph.vv = (int)vv;
    if (lv_model_init(m, &ph, &pr, err)) {
        lv_fail_prefix(err, "%s", path);
        goto out;
    }
    m->rows = (int)rows;
    m->cols = (int)cols;
    m->train_vbias = (int)vbias;
    m->seed = (uint64_t)seed;
    m->epochs_done = epochs;
    m->batch = batch;
    if (read_params(f, path, "", &m->p, &ph, err)) goto out;
    const lv_st_tensor *td = lv_st_find(f, "digits");
    if (td) {
        if (td->ndim != 2 || td->shape[1] != nv || td->shape[0] < 1 || td->shape[0] > 1000000) {
            lv_fail(err, "%s: tensor 'digits' must have shape [n, %lld]", path, nv);
            goto out;
        }
        int n = (int)td->shape[0];
        int64_t sd[2] = {n, nv}, sl[1] = {n};
        double *dg = malloc((size_t)n * (size_t)nv * sizeof(double));
        int32_t *lab = malloc((size_t)n * sizeof(int32_t)), *idx = malloc((size_t)n * sizeof(int32_t));
        const lv_st_tensor *tl = lv_st_find(f, "digit_labels"), *ti = lv_st_find(f, "digit_index");
        int bad = !dg || !lab || !idx;
        if (!bad && lv_st_read_f64(f, "digits", 2, sd, dg, err)) bad = 2;
        if (!bad && (!tl || !ti || tl->dtype != LV_ST_I32 || ti->dtype != LV_ST_I32 || tl->ndim != 1 ||
                     ti->ndim != 1 || tl->shape[0] != sl[0] || ti->shape[0] != sl[0]))
            bad = 3;
        if (!bad) {
            memcpy(lab, lv_st_data(f, tl), (size_t)n * sizeof(int32_t));
            memcpy(idx, lv_st_data(f, ti), (size_t)n * sizeof(int32_t));
            if (lv_model_set_digits(m, n, dg, lab, idx, err)) bad = 2;
        }
        free(dg);
        free(lab);
        free(idx);
        if (bad == 1) lv_fail(err, "out of memory loading %s", path);
        if (bad == 2) lv_fail_prefix(err, "%s", path);
        if (bad == 3) lv_fail(err, "%s: digit_labels/digit_index must be I32 tensors of shape [%d]", path, n);
        if (bad) goto out;
    }
    if (lv_model_validate(m, err)) {
        lv_fail_prefix(err, "%s", path);
        goto out;
    }
    rc = 0;
out:
    lv_st_close(f);
    if (rc) lv_model_free(m);
    return rc;
}

int lv_opt_load(const char *path, const lv_model *m, lv_opt_state *opt, lv_error *err)
{
    lv_st_file *f;
    if (lv_st_open(path, &f, err)) return -1;
    int rc = -1;
    opt->present = 0;
    const char *kind = lv_st_meta(f, "opt.kind");
    if (!kind) {
        rc = 0;
        goto out;
    }
    long long window, step, target;
    if (strcmp(kind, "adam") != 0 && strcmp(kind, "sgd") != 0) {
        lv_fail(err, "%s: unknown optimiser '%s'", path, kind);
        goto out;
    }
    opt->adam = strcmp(kind, "adam") == 0;
    if (get_d(f, path, "opt.lr", &opt->lr, err) || get_d(f, path, "opt.beta1", &opt->beta1, err) ||
        get_d(f, path, "opt.beta2", &opt->beta2, err) || get_d(f, path, "opt.eps", &opt->eps, err) ||
        get_d(f, path, "opt.grad_clip", &opt->grad_clip, err) ||
        get_i(f, path, "opt.window", 1, 4096, &window, err) ||
        get_i(f, path, "opt.step", 0, INT64_MAX, &step, err) ||
        get_i(f, path, "opt.epochs_target", 0, INT64_MAX, &target, err))
        goto out;
    opt->window = (int)window;
    opt->step = step;
    opt->epochs_target = target;
    if (opt->m1 && read_params(f, path, "opt.m.", opt->m1, &m->phys, err)) goto out;
    if (opt->m2 && read_params(f, path, "opt.v.", opt->m2, &m->phys, err)) goto out;
    opt->history = NULL;
    opt->history_rows = 0;
    const lv_st_tensor *th = lv_st_find(f, "opt.history");
    if (th) {
        if (th->ndim != 2 || th->shape[1] < 1 || th->shape[1] > 64 || th->shape[0] > 100000000) {
            lv_fail(err, "%s: tensor 'opt.history' has an unexpected shape", path);
            goto out;
        }
        int64_t sh[2] = {th->shape[0], th->shape[1]};
        opt->history = malloc((size_t)(sh[0] * sh[1] + 1) * sizeof(double));
        if (!opt->history) {
            lv_fail(err, "out of memory");
            goto out;
        }
        if (lv_st_read_f64(f, "opt.history", 2, sh, opt->history, err)) {
            free(opt->history);
            opt->history = NULL;
            lv_fail_prefix(err, "%s", path);
            goto out;
        }
        opt->history_rows = sh[0];
        opt->history_cols = (int)sh[1];
    }
    opt->present = 1;
    rc = 0;
out:
    lv_st_close(f);
    return rc;
}
