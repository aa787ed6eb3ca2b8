/* langevin sweep: quantization sweeps of a trained model on the emulated
 * device against the float reference on common random numbers
 * (docs/sweep.md).  Bookkeeping in host/tools/sweep.h. */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "crn_float.h"
#include "device_run.h"
#include "fileio.h"
#include "model_io.h"
#include "plot.h"
#include "progress.h"
#include "quantize.h"
#include "run_compare.h"
#include "safetensors.h"
#include "sweep.h"

static const char *help =
    "usage: langevin sweep --model MODEL.safetensors --out DIR AXIS... [options]\n"
    "\n"
    "Quantize a trained float model at each sweep point, generate --n samples on\n"
    "the emulated device, and compare them with the float reference computer run\n"
    "on the same random numbers: the float dynamics driven by the device's own\n"
    "noise source, trajectory j with chip seed (seed << 32) | j (docs/sweep.md).\n"
    "One axis varies at a time; the others stay at the base point.\n"
    "\n"
    "axes (LIST = comma-separated values or ranges A:B, A:B:STEP):\n"
    "  --bits LIST        coupling bits, 2..16\n"
    "  --dac-bits LIST    noise-DAC bits, 2..14\n"
    "  --state-frac LIST  state fraction bits Fx, 4..28 (the state width moves\n"
    "                     with it, keeping the base point's integer bits)\n"
    "  --mismatch LIST    coupling mismatch sigma, 0 <= S < 0.1667 (ranges need\n"
    "                     a step: 0:0.1:0.02)\n"
    "  --scale LIST       block,row: power-of-two scale per block or per row\n"
    "base point (default: `langevin quantize` defaults, no mismatch):\n"
    "  --base K=V[,K=V]   e.g. --base bits=5,scale=row (keys: the axis names)\n"
    "run:\n"
    "  --n N              trajectories per point (default 200)\n"
    "  --seed N           noise seed, the same at every point (default 1)\n"
    "  --chip-seed N      mismatch instance (default 1)\n"
    "  --batch N          trajectories simulated together (default 64; speed only)\n"
    "  --threads N        threads\n"
    "tolerances (a point passes if all hold; defaults in brackets):\n"
    "  --tol-heat X       |device mean heat / float mean heat - 1| <= X [0.05]\n"
    "  --tol-ks X         KS distance of the heat distributions <= X [0.1]\n"
    "  --tol-quality X    mean best |r| >= float's - X [0.02]\n"
    "  --tol-coverage X   smallest digit coverage >= float's - X [0.1]\n"
    "files:\n"
    "  --restart          discard DIR/sweep.csv rows made with another model or\n"
    "                     other --n/--seed/--chip-seed (otherwise refused)\n"
    "  --no-plots         skip the PNG plots\n"
    "\n"
    "Writes to DIR: sweep.csv (one row per point, rewritten atomically after each\n"
    "point; rerunning the same command skips points already there, matched by a\n"
    "hash of the model file and every setting of the point), float_crn.safetensors\n"
    "(the float reference run, reused when model, n and seed match), summary.json\n"
    "and summary.md (float reference, every point, pass/fail and, per axis, the\n"
    "smallest width - largest mismatch - from which on every point passes),\n"
    "sweep_<axis>.png and heat_<axis>.png per numeric axis with two or more values.\n"
    "Points the quantizer or the device refuses (e.g. a DAC too coarse for kT)\n"
    "are recorded as 'refused' with the reason and fail.\n"
    "Exit status: 0 done, 1 error, 2 usage.\n";

typedef struct {
    const char *model_path, *out;
    lv_sweep_run run;
    int batch, restart, plots;
    lv_sweep_tol tol;
    lv_axis_values axes[LV_AX_COUNT];
    lv_sweep_point base;
} sweep_cfg;

typedef struct {
    lv_progress *p;
    int point, npoints;
    char label[160];
} prog_ctx;

static void on_progress(void *ctx, long done, long total)
{
    prog_ctx *c = ctx;
    lv_progress_update(c->p, c->point + (double)done / (double)total, c->npoints, c->label);
}

static int parse_base(const char *C, const char *s, lv_sweep_point *base)
{
    char buf[512];
    if (strlen(s) >= sizeof buf) return cli_usage_error(C, "--base is too long");
    strcpy(buf, s);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        char *eq = strchr(tok, '=');
        if (!eq) return cli_usage_error(C, "--base expects KEY=VALUE items, got '%s'", tok);
        *eq = 0;
        int a = lv_sweep_axis_from_name(tok);
        if (a < 0)
            return cli_usage_error(C, "--base: unknown axis '%s' (bits, dac-bits, state-frac, mismatch, scale)", tok);
        lv_axis_values v;
        lv_error err;
        if (lv_sweep_parse_values((lv_sweep_axis)a, eq + 1, &v, &err)) return cli_usage_error(C, "--base: %s", err.msg);
        if (v.n != 1) return cli_usage_error(C, "--base %s= takes one value", tok);
        lv_sweep_point_set(base, (lv_sweep_axis)a, v.v[0]);
    }
    return 0;
}

/* ---- the float reference on common random numbers, cached in DIR ------- */

static int load_cached_ref(const char *path, const sweep_cfg *cfg, int nv, lv_gen_result *r, int *hit, lv_error *err)
{
    *hit = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    fclose(f);
    lv_st_file *st;
    if (lv_st_open(path, &st, err)) return lv_fail_prefix(err, "cached float reference (delete it to recompute)");
    char want[64];
    snprintf(want, sizeof want, "%016" PRIx64 "/%ld/%" PRIu64, cfg->run.model_hash, cfg->run.n, cfg->run.seed);
    const char *key = lv_st_meta(st, "model_hash/n/seed");
    if (!key || strcmp(key, want)) {
        lv_st_close(st);
        *hit = -1; /* another model or run: recompute */
        return 0;
    }
    size_t n = (size_t)cfg->run.n;
    memset(r, 0, sizeof *r);
    r->n = cfg->run.n, r->nv = nv;
    r->samples = malloc(n * (size_t)nv * sizeof(double));
    r->Q_end = malloc(n * sizeof(double)), r->Q_path = malloc(n * sizeof(double));
    int64_t sh2[2] = {(int64_t)n, nv}, sh1[1] = {(int64_t)n};
    int rc = (!r->samples || !r->Q_end || !r->Q_path) ? lv_fail(err, "out of memory") : 0;
    if (!rc)
        rc = lv_st_read_f64(st, "samples", 2, sh2, r->samples, err) || lv_st_read_f64(st, "Q_end", 1, sh1, r->Q_end, err) ||
             lv_st_read_f64(st, "Q_path", 1, sh1, r->Q_path, err);
    lv_st_close(st);
    if (rc) {
        lv_gen_result_free(r);
        return lv_fail_prefix(err, "cached float reference %s (delete it to recompute)", path);
    }
    *hit = 1;
    return 0;
}

static int save_ref(const char *path, const sweep_cfg *cfg, const lv_gen_result *r, lv_error *err)
{
    char key[64];
    snprintf(key, sizeof key, "%016" PRIx64 "/%ld/%" PRIu64, cfg->run.model_hash, cfg->run.n, cfg->run.seed);
    lv_st_writer *w = lv_st_writer_new();
    int64_t sh2[2] = {r->n, r->nv}, sh1[1] = {r->n};
    int rc = !w || lv_st_writer_add(w, "samples", LV_ST_F64, 2, sh2, r->samples, err) ||
             lv_st_writer_add(w, "Q_end", LV_ST_F64, 1, sh1, r->Q_end, err) ||
             lv_st_writer_add(w, "Q_path", LV_ST_F64, 1, sh1, r->Q_path, err) ||
             lv_st_writer_meta(w, "model_hash/n/seed", key, err) ||
             lv_st_writer_meta(w, "what", "float reference on the device's noise (langevin sweep)", err) ||
             lv_st_writer_write(w, path, err);
    if (!w) lv_fail(err, "out of memory");
    lv_st_writer_free(w);
    return rc ? -1 : 0;
}

/* ---- CSV --------------------------------------------------------------- */

typedef struct {
    lv_sweep_row *rows;
    int n, cap;
} row_set;

static int rows_push(row_set *s, const lv_sweep_row *r, lv_error *err)
{
    if (s->n == s->cap) {
        int cap = s->cap ? 2 * s->cap : 64;
        lv_sweep_row *p = realloc(s->rows, (size_t)cap * sizeof *p);
        if (!p) return lv_fail(err, "out of memory");
        s->rows = p, s->cap = cap;
    }
    s->rows[s->n++] = *r;
    return 0;
}

static int read_csv(const char *path, row_set *s, lv_error *err)
{
    uint8_t *data;
    size_t len;
    FILE *f = fopen(path, "rb");
    if (!f) return 0; /* a new sweep */
    fclose(f);
    if (lv_read_file(path, &data, &len, (size_t)1 << 28, err)) return -1;
    char *save = NULL;
    int line = 0, rc = 0;
    for (char *l = strtok_r((char *)data, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        ++line;
        size_t k = strlen(l);
        if (k && l[k - 1] == '\r') l[k - 1] = 0;
        if (line == 1) {
            if (strcmp(l, lv_sweep_csv_header())) {
                rc = lv_fail(err, "%s is not a sweep CSV of this version (its header differs); move it away or "
                                  "choose another --out", path);
                break;
            }
            continue;
        }
        lv_sweep_row r;
        if (lv_sweep_row_parse(l, &r, err)) {
            rc = lv_fail_prefix(err, "%s line %d", path, line);
            break;
        }
        if ((rc = rows_push(s, &r, err))) break;
    }
    if (!rc && line == 0) rc = lv_fail(err, "%s is empty; delete it or choose another --out", path);
    free(data);
    return rc;
}

static int write_csv(const char *path, const row_set *s, lv_error *err)
{
    lv_atomic_file *af;
    if (lv_atomic_open(&af, path, err)) return -1;
    FILE *fp = lv_atomic_stream(af);
    fprintf(fp, "%s\n", lv_sweep_csv_header());
    char line[2048];
    for (int i = 0; i < s->n; ++i) {
        if (lv_sweep_row_format(&s->rows[i], line, sizeof line)) {
            lv_atomic_abort(af);
            return lv_fail(err, "internal: CSV row %d too long", i);
        }
        fprintf(fp, "%s\n", line);
    }
    return lv_atomic_commit(af, err);
}

/* Rows of another model or run cannot be mixed into this sweep. */
static int check_rows(const sweep_cfg *cfg, const char *path, row_set *s, lv_error *err)
{
    int bad = -1;
    const char *what = NULL;
    for (int i = 0; i < s->n && bad < 0; ++i) {
        const lv_sweep_run *r = &s->rows[i].run;
        if (r->model_hash != cfg->run.model_hash) what = "a different model file (its bytes hash differently)";
        else if (r->n != cfg->run.n) what = "a different --n";
        else if (r->seed != cfg->run.seed) what = "a different --seed";
        else if (r->chip_seed != cfg->run.chip_seed) what = "a different --chip-seed";
        if (what) bad = i;
    }
    if (bad < 0) return 0;
    if (cfg->restart) {
        fprintf(stderr, "langevin sweep: --restart: discarding the %d rows of %s (made with %s)\n", s->n, path, what);
        s->n = 0;
        return 0;
    }
    return lv_fail(err, "%s holds points made with %s (row %d); refusing to mix them with this sweep. "
                        "Rerun with --restart to discard them, or choose another --out",
                   path, what, bad + 2);
}

/* ---- one point ---------------------------------------------------------- */

static void describe(const lv_sweep_point *p, char *buf, size_t cap)
{
    snprintf(buf, cap, "bits=%d scale=%s dac=%d state=Q%d.%d S=%.4g", p->q.bj,
             p->q.scale == LV_Q_SCALE_ROW ? "row" : "block", p->q.bn, p->q.wx - p->q.fx, p->q.fx, p->sm / 65536.0);
}

static int run_point(const sweep_cfg *cfg, const lv_model *m, const lv_gen_result *fref, const lv_run_stats *fst,
                     const lv_sweep_point *p, lv_sweep_row *row, prog_ctx *pc, lv_error *err)
{
    memset(row, 0, sizeof *row);
    row->run = cfg->run;
    row->pt = *p;
    row->hash = lv_sweep_point_hash(&cfg->run, p);
    double t0 = lv_now();
    lv_dev_image img;
    lv_quant_report rep;
    lv_error perr;
    if (lv_quantize(m, &p->q, &img, &rep, &perr)) {
        row->ok = 0;
        snprintf(row->msg, sizeof row->msg, "quantizer: %.240s", perr.msg);
        row->wall_s = lv_now() - t0;
        return 0;
    }
    lv_gen_opts go = lv_gen_opts_default();
    go.n = cfg->run.n, go.seed = cfg->run.seed, go.batch = cfg->batch, go.strip_traj = 0;
    lv_dev_instance inst = {.seed = cfg->run.chip_seed, .sm = p->sm};
    lv_gen_result r;
    lv_device_stats dst;
    int rc = lv_device_generate(&img, p->sm ? &inst : NULL, &go, &r, &dst, on_progress, pc, &perr);
    lv_dev_image_free(&img);
    if (rc) {
        row->ok = 0;
        snprintf(row->msg, sizeof row->msg, "device: %.240s", perr.msg);
        row->wall_s = lv_now() - t0;
        return 0;
    }
    lv_run_stats st;
    lv_run_cmp c;
    rc = lv_run_measure(m, &r, &st, err) || lv_run_compare(&r, &st, fref, fst, m->phys.kT, &c, err);
    if (!rc) {
        row->ok = 1;
        row->mean_r = st.q.mean_match, row->frac_r07 = st.q.frac_above_07, row->min_cov = st.q.min_coverage;
        row->ndigits = m->ndigits < 16 ? m->ndigits : 16;
        for (int d = 0; d < row->ndigits; ++d) row->cov[d] = st.q.coverage[d];
        row->q_mean = st.q_end.mean, row->q_std = st.q_end.std, row->rel_heat = c.rel_mean, row->ks = c.ks;
        row->paired_mean = c.paired_mean, row->paired_abs = c.paired_abs, row->same_outcome = c.same_outcome;
        row->sat_state = dst.sat_state, row->sat_force = dst.sat_force;
    }
    lv_run_stats_free(&st);
    lv_gen_result_free(&r);
    row->wall_s = lv_now() - t0;
    return rc ? -1 : 0;
}

/* ---- summary ----------------------------------------------------------- */

typedef struct {
    const lv_sweep_row *row[LV_SWEEP_MAX_VALUES];
    double v[LV_SWEEP_MAX_VALUES];
    int pass[LV_SWEEP_MAX_VALUES];
    int n, thr;
} slice;

static const lv_sweep_row *find_row(const row_set *s, uint64_t h)
{
    for (int i = s->n - 1; i >= 0; --i)
        if (s->rows[i].hash == h) return &s->rows[i];
    return NULL;
}

static void build_slice(const sweep_cfg *cfg, lv_sweep_axis a, const row_set *s, const lv_sweep_float_ref *fr,
                        slice *sl)
{
    sl->n = 0;
    for (int i = 0; i < cfg->axes[a].n; ++i) {
        lv_sweep_point p = cfg->base;
        lv_sweep_point_set(&p, a, cfg->axes[a].v[i]);
        const lv_sweep_row *r = find_row(s, lv_sweep_point_hash(&cfg->run, &p));
        if (!r) continue;
        sl->row[sl->n] = r;
        sl->v[sl->n] = cfg->axes[a].v[i];
        sl->pass[sl->n] = lv_sweep_row_passes(r, fr, &cfg->tol);
        sl->n++;
    }
    sl->thr = lv_sweep_threshold(a, sl->v, sl->pass, sl->n);
}

static const char *axis_label(lv_sweep_axis a)
{
    static const char *const l[LV_AX_COUNT] = {"coupling bits", "noise-DAC bits", "state fraction bits Fx",
                                               "mismatch sigma", "scale (0 block, 1 row)"};
    return l[a];
}

static void fmt_value(lv_sweep_axis a, double v, char *buf, size_t cap)
{
    if (a == LV_AX_SCALE) snprintf(buf, cap, "%s", v != 0 ? "row" : "block");
    else if (a == LV_AX_MISMATCH) snprintf(buf, cap, "%.4g", v);
    else snprintf(buf, cap, "%d", (int)v);
}

static int plots(const sweep_cfg *cfg, lv_sweep_axis a, const slice *sl, const lv_run_stats *fst, lv_error *err)
{
    if (sl->n < 2 || a == LV_AX_SCALE) return 0;
    double ks[LV_SWEEP_MAX_VALUES], rh[LV_SWEEP_MAX_VALUES], mr[LV_SWEEP_MAX_VALUES], f7[LV_SWEEP_MAX_VALUES],
        qm[LV_SWEEP_MAX_VALUES], fq[LV_SWEEP_MAX_VALUES], so[LV_SWEEP_MAX_VALUES], mc[LV_SWEEP_MAX_VALUES];
    int ran = 0;
    for (int i = 0; i < sl->n; ++i) {
        ran += sl->row[i]->ok;
        const lv_sweep_row *r = sl->row[i];
        ks[i] = r->ok ? r->ks : NAN;
        rh[i] = r->ok ? fabs(r->rel_heat) : NAN;
        mr[i] = r->ok ? r->mean_r : NAN;
        f7[i] = r->ok ? r->frac_r07 : NAN;
        so[i] = r->ok ? r->same_outcome : NAN;
        mc[i] = r->ok ? r->min_cov : NAN;
        qm[i] = r->ok ? r->q_mean : NAN;
        fq[i] = fst->q_end.mean;
    }
    if (!ran) return 0; /* every point refused: nothing to draw */
    char path[4096], title[160];
    lv_series s1[] = {{"KS to float", ks}, {"|heat diff.|", rh}, {"mean |r|", mr}, {"frac. |r|>0.7", f7},
                      {"same digit", so}, {"min coverage", mc}};
    snprintf(path, sizeof path, "%s/sweep_%s.png", cfg->out, lv_sweep_axis_name(a));
    snprintf(title, sizeof title, "emulated device vs float reference, n = %ld per point", cfg->run.n);
    if (lv_plot_lines(path, sl->v, (size_t)sl->n, s1, 6, title, axis_label(a), NULL, 0, err)) return -1;
    lv_series s2[] = {{"device", qm}, {"float reference", fq}};
    snprintf(path, sizeof path, "%s/heat_%s.png", cfg->out, lv_sweep_axis_name(a));
    return lv_plot_lines(path, sl->v, (size_t)sl->n, s2, 2, "mean heat per sample", axis_label(a), "kT", 0, err);
}

static int write_summary(const sweep_cfg *cfg, const row_set *s, const lv_run_stats *fst, double float_wall,
                         lv_error *err)
{
    lv_sweep_float_ref fr = {fst->q.mean_match, fst->q.min_coverage};
    cJSON *root = cJSON_CreateObject();
    char buf[4096], hx[32];
    snprintf(hx, sizeof hx, "%016" PRIx64, cfg->run.model_hash);
    cJSON_AddStringToObject(root, "model", cfg->model_path);
    cJSON_AddStringToObject(root, "model_hash_fnv1a64", hx);
    cJSON_AddNumberToObject(root, "trajectories_per_point", (double)cfg->run.n);
    cJSON_AddNumberToObject(root, "seed", (double)cfg->run.seed);
    cJSON_AddNumberToObject(root, "chip_seed", (double)cfg->run.chip_seed);
    cJSON_AddStringToObject(root, "common_random_numbers",
                            "float reference driven by the device's noise source z(seed_j, tick, unit) scaled by "
                            "sqrt(2 mu kT dt)/sqrt(2^20-1); device trajectory j uses the same seed_j");
    cJSON *tol = cJSON_AddObjectToObject(root, "tolerances");
    cJSON_AddNumberToObject(tol, "heat_relative", cfg->tol.heat);
    cJSON_AddNumberToObject(tol, "ks", cfg->tol.ks);
    cJSON_AddNumberToObject(tol, "quality_mean_best_r", cfg->tol.quality);
    cJSON_AddNumberToObject(tol, "min_coverage", cfg->tol.coverage);
    cJSON *fo = cJSON_AddObjectToObject(root, "float_reference");
    cJSON_AddNumberToObject(fo, "Q_end_mean_kT", fst->q_end.mean);
    cJSON_AddNumberToObject(fo, "Q_end_std_kT", fst->q_end.std);
    cJSON_AddNumberToObject(fo, "mean_best_r", fst->q.mean_match);
    cJSON_AddNumberToObject(fo, "frac_r_above_0_7", fst->q.frac_above_07);
    cJSON_AddNumberToObject(fo, "min_coverage", fst->q.min_coverage);
    if (float_wall > 0) cJSON_AddNumberToObject(fo, "wall_s", float_wall);
    describe(&cfg->base, buf, sizeof buf);
    cJSON_AddStringToObject(root, "base_point", buf);

    /* Markdown alongside. */
    size_t mcap = 1 << 20, mo = 0;
    char *md = malloc(mcap);
    if (!md) {
        cJSON_Delete(root);
        return lv_fail(err, "out of memory");
    }
#define MD(...) (mo += (size_t)snprintf(md + mo, mo < mcap ? mcap - mo : 0, __VA_ARGS__))
    MD("# Quantization sweep\n\nModel `%s` (FNV-1a %s), %ld trajectories per point, seed %" PRIu64
       ", chip seed %" PRIu64 ".\nBase point: %s.\n\n",
       cfg->model_path, hx, cfg->run.n, cfg->run.seed, cfg->run.chip_seed, buf);
    MD("Float reference on the device's noise (common random numbers): heat %.1f +- %.1f kT, mean best |r| %.3f, "
       "> 0.7: %.1f %%, min coverage %.1f %%.\n\n",
       fst->q_end.mean, fst->q_end.std, fst->q.mean_match, 100 * fst->q.frac_above_07, 100 * fst->q.min_coverage);
    MD("Tolerances: |heat difference| <= %.3g, KS <= %.3g, mean best |r| >= float - %.3g, min coverage >= float - "
       "%.3g.\n\n",
       cfg->tol.heat, cfg->tol.ks, cfg->tol.quality, cfg->tol.coverage);
    cJSON *axes = cJSON_AddObjectToObject(root, "axes");
    for (int a = 0; a < LV_AX_COUNT; ++a) {
        if (!cfg->axes[a].n) continue;
        slice sl;
        build_slice(cfg, (lv_sweep_axis)a, s, &fr, &sl);
        cJSON *ao = cJSON_AddObjectToObject(axes, lv_sweep_axis_name((lv_sweep_axis)a));
        char v[32];
        MD("## %s\n\n", axis_label((lv_sweep_axis)a));
        if (a != LV_AX_SCALE) {
            if (sl.thr >= 0) {
                fmt_value((lv_sweep_axis)a, sl.v[sl.thr], v, sizeof v);
                cJSON_AddNumberToObject(ao, a == LV_AX_MISMATCH ? "largest_passing" : "smallest_passing", sl.v[sl.thr]);
                cJSON_AddBoolToObject(ao, "at_end_of_swept_range", a == LV_AX_MISMATCH ? sl.thr == sl.n - 1 : sl.thr == 0);
                MD("**%s %s** (%s): every point from there on passes%s.\n\n",
                   a == LV_AX_MISMATCH ? "Largest passing mismatch" : "Smallest passing width", v,
                   axis_label((lv_sweep_axis)a),
                   (a == LV_AX_MISMATCH ? sl.thr == sl.n - 1 : sl.thr == 0) ? " (the end of the swept range: the limit "
                                                                               "may lie beyond it)"
                                                                             : "");
            } else {
                cJSON_AddNullToObject(ao, a == LV_AX_MISMATCH ? "largest_passing" : "smallest_passing");
                MD("**No passing point** at the %s end of the swept range.\n\n",
                   a == LV_AX_MISMATCH ? "low" : "high");
            }
        }
        MD("| %s | status | mean best \\|r\\| | > 0.7 | min cov. | heat Q_end (kT) | vs float | KS (CRN) | paired "
           "\\|dQ\\| (kT) | same digit | sat. state/force | s | pass |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
           lv_sweep_axis_name((lv_sweep_axis)a));
        cJSON *pts = cJSON_AddArrayToObject(ao, "points");
        for (int i = 0; i < sl.n; ++i) {
            const lv_sweep_row *r = sl.row[i];
            fmt_value((lv_sweep_axis)a, sl.v[i], v, sizeof v);
            cJSON *po = cJSON_CreateObject();
            cJSON_AddNumberToObject(po, "value", sl.v[i]);
            cJSON_AddBoolToObject(po, "ran", r->ok);
            cJSON_AddBoolToObject(po, "passes", sl.pass[i]);
            if (r->ok) {
                cJSON_AddNumberToObject(po, "mean_best_r", r->mean_r);
                cJSON_AddNumberToObject(po, "frac_r_above_0_7", r->frac_r07);
                cJSON_AddNumberToObject(po, "min_coverage", r->min_cov);
                cJSON_AddNumberToObject(po, "Q_end_mean_kT", r->q_mean);
                cJSON_AddNumberToObject(po, "Q_end_std_kT", r->q_std);
                cJSON_AddNumberToObject(po, "rel_heat_diff", r->rel_heat);
                cJSON_AddNumberToObject(po, "ks_crn", r->ks);
                cJSON_AddNumberToObject(po, "paired_abs_dQ_kT", r->paired_abs);
                cJSON_AddNumberToObject(po, "same_outcome", r->same_outcome);
                cJSON_AddNumberToObject(po, "sat_state", (double)r->sat_state);
                cJSON_AddNumberToObject(po, "sat_force", (double)r->sat_force);
                MD("| %s | ok | %.3f | %.1f %% | %.1f %% | %.0f ± %.0f | %+.1f %% | %.3f | %.0f | %.1f %% | %" PRIu64
                   "/%" PRIu64 " | %.1f | %s |\n",
                   v, r->mean_r, 100 * r->frac_r07, 100 * r->min_cov, r->q_mean, r->q_std, 100 * r->rel_heat, r->ks,
                   r->paired_abs, 100 * r->same_outcome, r->sat_state, r->sat_force, r->wall_s,
                   sl.pass[i] ? "yes" : "no");
            } else {
                cJSON_AddStringToObject(po, "refused", r->msg);
                MD("| %s | refused: %s | | | | | | | | | | | no |\n", v, r->msg);
            }
            cJSON_AddNumberToObject(po, "wall_s", r->wall_s);
            cJSON_AddItemToArray(pts, po);
        }
        MD("\n");
        if (cfg->plots && plots(cfg, (lv_sweep_axis)a, &sl, fst, err)) {
            free(md);
            cJSON_Delete(root);
            return -1;
        }
    }
#undef MD
    if (mo >= mcap) mo = mcap - 1;
    char path[4096];
    snprintf(path, sizeof path, "%s/summary.json", cfg->out);
    int rc = lv_cli_write_json(path, root, err);
    cJSON_Delete(root);
    snprintf(path, sizeof path, "%s/summary.md", cfg->out);
    if (!rc) rc = lv_write_file_atomic(path, md, mo, err);
    if (!rc) fwrite(md, 1, mo, stdout);
    free(md);
    return rc;
}

/* ---- command ------------------------------------------------------------ */

int cmd_sweep(int argc, char **argv)
{
    const char *C = "sweep";
    sweep_cfg cfg = {.run = {.n = 200, .seed = 1, .chip_seed = 1}, .batch = 64, .plots = 1,
                     .tol = {.heat = 0.05, .ks = 0.1, .quality = 0.02, .coverage = 0.1}};
    cfg.base.q = lv_quant_opts_default();
    cfg.base.sm = 0;
    const char *base_arg = NULL;
    long lv, threads = 0;
    enum { O_MODEL = 256, O_OUT, O_BITS, O_DAC, O_FRAC, O_MISM, O_SCALE, O_BASE, O_N, O_SEED, O_CHIP, O_BATCH,
           O_THREADS, O_TH, O_TK, O_TQ, O_TC, O_RESTART, O_NOPLOT };
    static const struct option opts[] = {
        {"model", required_argument, 0, O_MODEL}, {"out", required_argument, 0, O_OUT},
        {"bits", required_argument, 0, O_BITS}, {"dac-bits", required_argument, 0, O_DAC},
        {"state-frac", required_argument, 0, O_FRAC}, {"mismatch", required_argument, 0, O_MISM},
        {"scale", required_argument, 0, O_SCALE}, {"base", required_argument, 0, O_BASE},
        {"n", required_argument, 0, O_N}, {"seed", required_argument, 0, O_SEED},
        {"chip-seed", required_argument, 0, O_CHIP}, {"batch", required_argument, 0, O_BATCH},
        {"threads", required_argument, 0, O_THREADS}, {"tol-heat", required_argument, 0, O_TH},
        {"tol-ks", required_argument, 0, O_TK}, {"tol-quality", required_argument, 0, O_TQ},
        {"tol-coverage", required_argument, 0, O_TC}, {"restart", no_argument, 0, O_RESTART},
        {"no-plots", no_argument, 0, O_NOPLOT}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int bad = 0, axis = -1;
        switch (c) {
        case O_MODEL: cfg.model_path = optarg; break;
        case O_OUT: cfg.out = optarg; break;
        case O_BITS: axis = LV_AX_BITS; break;
        case O_DAC: axis = LV_AX_DAC; break;
        case O_FRAC: axis = LV_AX_FRAC; break;
        case O_MISM: axis = LV_AX_MISMATCH; break;
        case O_SCALE: axis = LV_AX_SCALE; break;
        case O_BASE: base_arg = optarg; break;
        case O_N: bad = cli_int(C, "--n", optarg, 2, 10000000, &lv); cfg.run.n = lv; break;
        case O_SEED: bad = cli_u64(C, "--seed", optarg, &cfg.run.seed); break;
        case O_CHIP: bad = cli_u64(C, "--chip-seed", optarg, &cfg.run.chip_seed); break;
        case O_BATCH: bad = cli_int(C, "--batch", optarg, 1, 65536, &lv); cfg.batch = (int)lv; break;
        case O_THREADS: bad = cli_int(C, "--threads", optarg, 1, 1024, &threads); break;
        case O_TH: bad = cli_double(C, "--tol-heat", optarg, 0, 1e6, &cfg.tol.heat); break;
        case O_TK: bad = cli_double(C, "--tol-ks", optarg, 0, 1, &cfg.tol.ks); break;
        case O_TQ: bad = cli_double(C, "--tol-quality", optarg, 0, 1, &cfg.tol.quality); break;
        case O_TC: bad = cli_double(C, "--tol-coverage", optarg, 0, 1, &cfg.tol.coverage); break;
        case O_RESTART: cfg.restart = 1; break;
        case O_NOPLOT: cfg.plots = 0; break;
        case 'h': fputs(help, stdout); return LV_EXIT_OK;
        default: return cli_usage_error(C, "unknown option");
        }
        if (axis >= 0) {
            lv_error e;
            if (lv_sweep_parse_values((lv_sweep_axis)axis, optarg, &cfg.axes[axis], &e))
                return cli_usage_error(C, "%s", e.msg);
        }
        if (bad) return LV_EXIT_USAGE;
    }
    if (optind < argc) return cli_usage_error(C, "unexpected argument '%s'", argv[optind]);
    if (!cfg.model_path) return cli_usage_error(C, "--model FILE is required");
    if (!cfg.out) return cli_usage_error(C, "--out DIR is required");
    if (base_arg && parse_base(C, base_arg, &cfg.base)) return LV_EXIT_USAGE;
    int naxes = 0;
    for (int a = 0; a < LV_AX_COUNT; ++a) naxes += cfg.axes[a].n > 0;
    if (!naxes) return cli_usage_error(C, "give at least one axis (--bits, --dac-bits, --state-frac, --mismatch, --scale)");
    cli_set_threads((int)threads);

    lv_error err;
    uint8_t *bytes;
    size_t nbytes;
    if (lv_read_file(cfg.model_path, &bytes, &nbytes, (size_t)1 << 32, &err)) return cli_fail(C, &err);
    cfg.run.model_hash = lv_fnv1a64(bytes, nbytes);
    free(bytes);
    lv_model m;
    if (lv_model_load(cfg.model_path, &m, &err)) return cli_fail(C, &err);
    if (m.ndigits < 1) {
        lv_model_free(&m);
        lv_fail(&err, "%s has no training digits, so sample quality cannot be measured (is it a trained model?)",
                cfg.model_path);
        return cli_fail(C, &err);
    }
    lv_sweep_point pts[LV_SWEEP_MAX_POINTS];
    int np = lv_sweep_points(&cfg.base, cfg.axes, pts, LV_SWEEP_MAX_POINTS);

    int rc = LV_EXIT_FAIL;
    row_set rows = {0};
    lv_gen_result fref = {0};
    lv_run_stats fst = {0};
    char csv[4096], refp[4096];
    snprintf(csv, sizeof csv, "%s/sweep.csv", cfg.out);
    snprintf(refp, sizeof refp, "%s/float_crn.safetensors", cfg.out);
    if (lv_mkdir_p(cfg.out, &err) || read_csv(csv, &rows, &err) || check_rows(&cfg, csv, &rows, &err)) goto out;

    int todo = 0;
    for (int i = 0; i < np; ++i) todo += !find_row(&rows, lv_sweep_point_hash(&cfg.run, &pts[i]));
    int kept_other = 0;
    for (int i = 0; i < rows.n; ++i) {
        int mine = 0;
        for (int k = 0; k < np && !mine; ++k) mine = rows.rows[i].hash == lv_sweep_point_hash(&cfg.run, &pts[k]);
        kept_other += !mine;
    }
    printf("sweep: %d points, %d already in %s, %d to run", np, np - todo, csv, todo);
    if (kept_other) printf("; %d rows of other points (other axis values or base) kept but not summarised", kept_other);
    printf("\n");
    fflush(stdout);

    lv_progress prog;
    prog_ctx pc = {&prog, 0, todo + 1, ""};
    double fwall = 0, t_sweep = lv_now();
    int hit = 0;
    if (load_cached_ref(refp, &cfg, m.phys.nv, &fref, &hit, &err)) goto out;
    if (hit < 0) printf("float reference: %s was made with another model, --n or --seed; recomputing it\n", refp);
    if (hit <= 0) {
        lv_gen_opts go = lv_gen_opts_default();
        go.n = cfg.run.n, go.seed = cfg.run.seed, go.batch = cfg.batch, go.strip_traj = 0;
        snprintf(pc.label, sizeof pc.label, "float reference");
        lv_progress_start(&prog, "sweep");
        double t0 = lv_now();
        int grc = lv_crn_float_generate(&m, &go, &fref, on_progress, &pc, &err);
        lv_progress_end(&prog);
        fwall = lv_now() - t0;
        if (grc || save_ref(refp, &cfg, &fref, &err)) goto out;
        printf("float reference on the device's noise: %ld trajectories in %.1f s\n", cfg.run.n, fwall);
    } else {
        printf("float reference: reusing %s (same model, n and seed)\n", refp);
    }
    if (lv_run_measure(&m, &fref, &fst, &err)) goto out;
    pc.point = 1;
    for (int i = 0; i < np; ++i) {
        if (find_row(&rows, lv_sweep_point_hash(&cfg.run, &pts[i]))) continue;
        char d[128];
        describe(&pts[i], d, sizeof d);
        snprintf(pc.label, sizeof pc.label, "%s", d);
        lv_sweep_row row;
        lv_progress_start(&prog, "sweep");
        prog.t0 = t_sweep; /* elapsed and ETA over the whole sweep, not this point */
        int prc = run_point(&cfg, &m, &fref, &fst, &pts[i], &row, &pc, &err);
        lv_progress_end(&prog);
        if (prc || rows_push(&rows, &row, &err) || write_csv(csv, &rows, &err)) goto out;
        pc.point++;
        if (row.ok)
            printf("point %d/%d %s: KS %.3f, heat %+.1f %%, mean best |r| %.3f, same digit %.0f %%, sat %" PRIu64
                   "/%" PRIu64 " (%.1f s)\n",
                   pc.point - 1, todo, d, row.ks, 100 * row.rel_heat, row.mean_r, 100 * row.same_outcome,
                   row.sat_state, row.sat_force, row.wall_s);
        else
            printf("point %d/%d %s: refused (%s)\n", pc.point - 1, todo, d, row.msg);
        fflush(stdout);
    }
    if (write_summary(&cfg, &rows, &fst, fwall, &err)) goto out;
    printf("wrote %s, %s/summary.json, summary.md%s\n", csv, cfg.out, cfg.plots ? " and plots" : "");
    rc = LV_EXIT_OK;
out:
    if (rc) cli_fail(C, &err);
    free(rows.rows);
    lv_run_stats_free(&fst);
    lv_gen_result_free(&fref);
    lv_model_free(&m);
    return rc;
}
