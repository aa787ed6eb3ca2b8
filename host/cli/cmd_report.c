/* langevin report: heat budget of one device image - the float reference
 * and the emulated device (and the RTL when this build has it) on the same
 * weights and the same random numbers, and the paper's energy comparison
 * with a digital denoiser (docs/sweep.md). */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_chip.h"
#include "crn_float.h"
#include "device_image_io.h"
#include "device_run.h"
#include "fileio.h"
#include "stats.h"
#include "heat_budget.h"
#include "model_io.h"
#include "plot.h"
#include "progress.h"
#include "run_compare.h"

static const char *help =
    "usage: langevin report --model MODEL.safetensors --image IMAGE.lvimg --out DIR [options]\n"
    "\n"
    "Heat budget of one device image made from MODEL (`langevin quantize`).  Runs\n"
    "--n trajectories several ways on the same random numbers (the device's noise\n"
    "source; trajectory j uses chip seed (seed << 32) | j):\n"
    "  float       the float computer with MODEL's trained weights\n"
    "  float-deq   the float computer with the image's dequantized weights\n"
    "              (same weights as the device: isolates the fixed-point dynamics)\n"
    "  device      the ideal emulated device running IMAGE\n"
    "  chip        IMAGE on an emulated chip with the analog errors given below\n"
    "              (only when some are given)\n"
    "  trimmed     --trimmed IMAGE2 (IMAGE after `langevin load --cal`) on the\n"
    "              same chip: what calibration bought\n"
    "  rtl         the first --rtl-n of the device run on the Verilated RTL\n"
    "and reports for each: heat Q = V(x0) - V(xf) mean +- std, the path heat and\n"
    "its difference from the endpoint energy change, relative differences, KS\n"
    "distances and per-trajectory differences, sample quality; then the paper's\n"
    "energy comparison: heat per sample in kT and joules at temperature T against\n"
    "a digital network's MAC energy, every assumption printed.\n"
    "\n"
    "  --n N            trajectories (default 200)\n"
    "  --seed N         noise seed (default 1)\n"
    "  --trimmed FILE   the calibrated image (`langevin load --cal --save-image`)\n"
    "  --batch N        trajectories simulated together (default 64; speed only)\n"
    "  --threads N      threads\n"
    "the emulated chip (docs/fixed-point.md §7; default none):\n"
    "%s"
    "energy assumptions:\n"
    "  --temperature K  bath temperature in kelvin (default 300)\n"
    "  --pj-per-mac X   energy of one digital multiply-accumulate in pJ (default 1,\n"
    "                   the paper's figure, citing Horowitz, ISSCC 2014)\n"
    "  --mlp W,W,...    layer widths of the digital denoiser (default the paper's\n"
    "                   784,128,128,784)\n"
    "  --mlp-steps N    denoiser evaluations per sample (default 10, the paper's\n"
    "                   'very conservative' count); the report also counts one\n"
    "                   evaluation per device tick\n"
    "RTL:\n"
    "  --rtl-n N        also run the first N trajectories on the Verilated RTL\n"
    "                   through the firmware driver and check them bit for bit\n"
    "                   against the emulated device (default 2; 0 = skip).  The\n"
    "                   RTL simulates every clock: several seconds per trajectory\n"
    "                   for a 784+32-unit image, minutes at paper size.  Not\n"
    "                   possible without Verilator: the report then says why\n"
    "\n"
    "Writes DIR/report.md, DIR/report.json, heat_hist.png (device heat, float\n"
    "mean marked), heat_paired.png (device vs float heat per trajectory) and\n"
    "heat_diff_hist.png (their difference), heat_cdf.png (the heat distribution of\n"
    "every run).  Exit status: 0 done, 1 error, 2 usage.\n";

/* The image must stand for the same computer as the model. */
static int check_match(const lv_model *m, const lv_dev_image *img, lv_error *err)
{
    const lv_physics *p = &m->phys;
    if (p->nv != img->nv || p->nh != img->nh || p->vv != img->vv)
        return lv_fail(err, "the image has %d+%d units%s, the model %d+%d%s: was it made from this model?", img->nv,
                       img->nh, img->vv ? " (with visible-visible couplings)" : "", p->nv, p->nh,
                       p->vv ? " (with visible-visible couplings)" : "");
    struct {
        const char *name;
        double a, b;
    } f[] = {{"kT", p->kT, img->kT}, {"dt", p->dt, img->dt}, {"tf", p->tf, img->tf}, {"t_eq", m->proto.t_eq, img->t_eq},
             {"mu", p->mu, img->mu}, {"J2", p->J2, img->J2}, {"J4", p->J4, img->J4}};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; ++i)
        if (fabs(f[i].a - f[i].b) > 1e-12 * fmax(1, fabs(f[i].a)))
            return lv_fail(err, "the image's %s = %g differs from the model's %g: was it made from this model?",
                           f[i].name, f[i].b, f[i].a);
    return 0;
}

typedef struct {
    const char *name, *what;
    lv_gen_result r;
    lv_run_stats s;
    double wall;
    int ran;
} run_t;

static cJSON *stats_json(const run_t *x)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "what", x->what);
    cJSON_AddNumberToObject(o, "trajectories", (double)x->s.n);
    cJSON_AddNumberToObject(o, "Q_end_mean_kT", x->s.q_end.mean);
    cJSON_AddNumberToObject(o, "Q_end_std_kT", x->s.q_end.std);
    cJSON_AddNumberToObject(o, "Q_end_sem_kT", x->s.q_end.sem);
    cJSON_AddNumberToObject(o, "Q_path_mean_kT", x->s.q_path.mean);
    cJSON_AddNumberToObject(o, "Q_path_std_kT", x->s.q_path.std);
    cJSON_AddNumberToObject(o, "delta_V_mean_kT", x->s.dV_mean);
    cJSON_AddNumberToObject(o, "mean_abs_end_minus_path_kT", x->s.end_path_abs_mean);
    cJSON_AddNumberToObject(o, "max_abs_end_minus_path_kT", x->s.end_path_abs_max);
    if (x->s.has_quality) {
        cJSON_AddNumberToObject(o, "mean_best_r", x->s.q.mean_match);
        cJSON_AddNumberToObject(o, "frac_r_above_0_7", x->s.q.frac_above_07);
        cJSON_AddNumberToObject(o, "min_coverage", x->s.q.min_coverage);
    }
    cJSON_AddNumberToObject(o, "wall_s", x->wall);
    return o;
}

static cJSON *cmp_json(const char *a, const char *b, const lv_run_cmp *c)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "run", a);
    cJSON_AddStringToObject(o, "reference", b);
    cJSON_AddNumberToObject(o, "relative_mean_difference", c->rel_mean);
    cJSON_AddNumberToObject(o, "ks_distance", c->ks);
    cJSON_AddNumberToObject(o, "paired_mean_dQ_kT", c->paired_mean);
    cJSON_AddNumberToObject(o, "paired_sem_dQ_kT", c->paired_sem);
    cJSON_AddNumberToObject(o, "paired_mean_abs_dQ_kT", c->paired_abs);
    if (!isnan(c->same_outcome)) cJSON_AddNumberToObject(o, "same_outcome", c->same_outcome);
    return o;
}

/* Scatter of device vs float heat as isolated points (NaN breaks the lines). */
static int paired_plot(const char *path, const run_t *dev, const run_t *flt, double kT, lv_error *err)
{
    size_t n = (size_t)dev->r.n, m = 2 * n + 2;
    double *x = malloc(m * sizeof *x), *y = malloc(m * sizeof *y), *d = malloc(m * sizeof *d);
    if (!x || !y || !d) {
        free(x), free(y), free(d);
        return lv_fail(err, "out of memory");
    }
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; ++i) {
        x[2 * i] = x[2 * i + 1] = flt->r.Q_end[i] / kT;
        y[2 * i] = dev->r.Q_end[i] / kT;
        y[2 * i + 1] = NAN;
        d[2 * i] = d[2 * i + 1] = NAN;
        lo = fmin(lo, fmin(x[2 * i], y[2 * i]));
        hi = fmax(hi, fmax(x[2 * i], y[2 * i]));
    }
    x[2 * n] = y[2 * n] = d[2 * n] = lo;
    x[2 * n + 1] = y[2 * n + 1] = d[2 * n + 1] = hi;
    y[2 * n] = y[2 * n + 1] = NAN;
    lv_series s[] = {{"trajectory", y}, {"device = float", d}};
    int rc = lv_plot_lines(path, x, m, s, 2, "heat per trajectory: emulated device vs float reference",
                           "float Q_end [kT]", "device Q_end [kT]", 0, err);
    free(x), free(y), free(d);
    return rc;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Heat distribution of every run as an empirical CDF on a common grid of
 * quantiles (x: probability, y: heat), one line per run. */
static int cdf_plot(const char *path, const run_t *runs, int nruns, long n, double kT, lv_error *err)
{
    double *p = malloc((size_t)n * sizeof *p), *y = malloc((size_t)nruns * (size_t)n * sizeof *y);
    lv_series s[8];
    if (!p || !y) {
        free(p), free(y);
        return lv_fail(err, "out of memory");
    }
    for (long i = 0; i < n; ++i) p[i] = (i + 0.5) / (double)n;
    for (int k = 0; k < nruns; ++k) {
        double *yk = y + (size_t)k * (size_t)n;
        for (long i = 0; i < n; ++i) yk[i] = runs[k].r.Q_end[i] / kT;
        qsort(yk, (size_t)n, sizeof *yk, cmp_double);
        s[k] = (lv_series){runs[k].name, yk};
    }
    int rc = lv_plot_lines(path, p, (size_t)n, s, nruns, "heat per sample, sorted (quantile function)",
                           "fraction of samples", "Q = V(x0) - V(xf)  [kT]", 0, err);
    free(p), free(y);
    return rc;
}

int cmd_report(int argc, char **argv)
{
    const char *C = "report", *model_path = NULL, *image_path = NULL, *out = NULL, *mlp = "784,128,128,784";
    lv_gen_opts go = lv_gen_opts_default();
    go.n = 200;
    go.strip_traj = 0;
    long lv, threads = 0, mlp_steps = 10, rtl_n = 2;
    double T = 300, pj = 1;
    const char *trimmed_path = NULL;
    cli_chip chip = cli_chip_default();
    enum { O_MODEL = 256, O_IMAGE, O_OUT, O_N, O_SEED, O_TRIM, O_BATCH, O_THREADS, O_T, O_PJ, O_MLP, O_MLPS, O_RTLN };
    static const struct option opts[] = {
        {"model", required_argument, 0, O_MODEL}, {"image", required_argument, 0, O_IMAGE},
        {"out", required_argument, 0, O_OUT}, {"n", required_argument, 0, O_N},
        {"seed", required_argument, 0, O_SEED}, {"trimmed", required_argument, 0, O_TRIM}, CLI_CHIP_OPTIONS,
        {"batch", required_argument, 0, O_BATCH},
        {"threads", required_argument, 0, O_THREADS}, {"temperature", required_argument, 0, O_T},
        {"pj-per-mac", required_argument, 0, O_PJ}, {"mlp", required_argument, 0, O_MLP},
        {"mlp-steps", required_argument, 0, O_MLPS}, {"rtl-n", required_argument, 0, O_RTLN}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case O_MODEL: model_path = optarg; break;
        case O_IMAGE: image_path = optarg; break;
        case O_OUT: out = optarg; break;
        case O_N: bad = cli_int(C, "--n", optarg, 2, 10000000, &lv); go.n = lv; break;
        case O_SEED: bad = cli_u64(C, "--seed", optarg, &go.seed); break;
        case O_TRIM: trimmed_path = optarg; break;
        case O_BATCH: bad = cli_int(C, "--batch", optarg, 1, 65536, &lv); go.batch = (int)lv; break;
        case O_THREADS: bad = cli_int(C, "--threads", optarg, 1, 1024, &threads); break;
        case O_T: bad = cli_double(C, "--temperature", optarg, 1e-6, 1e9, &T); break;
        case O_PJ: bad = cli_double(C, "--pj-per-mac", optarg, 1e-12, 1e12, &pj); break;
        case O_MLP: mlp = optarg; break;
        case O_MLPS: bad = cli_int(C, "--mlp-steps", optarg, 1, 1000000000, &mlp_steps); break;
        case O_RTLN: bad = cli_int(C, "--rtl-n", optarg, 0, 10000000, &rtl_n); break;
        case 'h': printf(help, cli_chip_help); return LV_EXIT_OK;
        default:
            if (!cli_chip_option(C, c, optarg, &chip, &bad)) return cli_usage_error(C, "unknown option");
        }
        if (bad) return LV_EXIT_USAGE;
    }
    if (optind < argc) return cli_usage_error(C, "unexpected argument '%s'", argv[optind]);
    if (!model_path) return cli_usage_error(C, "--model FILE is required");
    if (!image_path) return cli_usage_error(C, "--image FILE is required (make one with `langevin quantize`)");
    if (!out) return cli_usage_error(C, "--out DIR is required");
    int layers[16], nl;
    lv_error err;
    if (lv_parse_layers(mlp, layers, &nl, &err)) return cli_usage_error(C, "--mlp: %s", err.msg);
    cli_set_threads((int)threads);

    lv_model m, mdq;
    lv_dev_image img = {0}, timg = {0};
    lv_dev_instance inst = {0};
    if (lv_model_load(model_path, &m, &err)) return cli_fail(C, &err);
    if (lv_dev_image_read(image_path, &img, NULL, &err) ||
        (trimmed_path && lv_dev_image_read(trimmed_path, &timg, NULL, &err))) {
        lv_model_free(&m);
        lv_dev_image_free(&img);
        return cli_fail(C, &err);
    }
    /* The trimmed image must be IMAGE after calibration: the same computer
     * (its GAIN, OFFSET, biases and coupling codes may differ). */
    if (check_match(&m, &img, &err) || (trimmed_path && check_match(&m, &timg, &err)) ||
        cli_chip_instance(&chip, &img, &inst, &err) || lv_model_from_image(&img, &mdq, &err)) {
        if (trimmed_path) lv_fail_prefix(&err, "%s", trimmed_path);
        lv_model_free(&m);
        lv_dev_image_free(&img);
        lv_dev_image_free(&timg);
        return cli_fail(C, &err);
    }
    const int has_chip = cli_chip_injected(&chip);
    int rc = LV_EXIT_FAIL;
    const double kT = m.phys.kT;
    /* Runs: 0 float, 1 float-deq, 2 device (ideal), then optionally the chip
     * (image on the chip) and the trimmed image on the chip. */
    enum { MAX_RUNS = 5 };
    run_t runs[MAX_RUNS] = {{.name = "float", .what = "float computer, trained weights of the model, device's noise"},
                            {.name = "float-deq", .what = "float computer, the image's dequantized weights, device's noise"},
                            {.name = "device", .what = "ideal emulated device running the image"}};
    const lv_dev_image *run_img[MAX_RUNS] = {NULL, NULL, &img, &img, &timg};
    const lv_dev_instance *run_inst[MAX_RUNS] = {NULL, NULL, NULL, NULL, NULL};
    int nruns = 3;
    if (has_chip) {
        runs[nruns] = (run_t){.name = "chip", .what = "the image on the emulated chip with analog errors"};
        run_img[nruns] = &img, run_inst[nruns++] = &inst;
    }
    if (trimmed_path) {
        runs[nruns] = (run_t){.name = "trimmed", .what = has_chip ? "the calibrated image on the same chip"
                                                                   : "the calibrated image on the ideal device"};
        run_img[nruns] = &timg, run_inst[nruns++] = has_chip ? &inst : NULL;
    }
    lv_device_stats dst = {0};
    lv_run_cmp cmp[MAX_RUNS + 1];
    int ncmp = 0;
    cJSON *root = NULL;
    char *md = NULL;
    if (lv_mkdir_p(out, &err)) goto out;
    for (int k = 0; k < nruns; ++k) {
        lv_progress prog;
        char label[64];
        snprintf(label, sizeof label, "report: %s", runs[k].name);
        lv_progress_start(&prog, label);
        lv_device_stats kst;
        double t0 = lv_now();
        int grc = k == 0   ? lv_crn_float_generate(&m, &go, &runs[k].r, lv_progress_count, &prog, &err)
                  : k == 1 ? lv_crn_float_generate(&mdq, &go, &runs[k].r, lv_progress_count, &prog, &err)
                           : lv_device_generate(run_img[k], run_inst[k], &go, &runs[k].r, k == 2 ? &dst : &kst,
                                                lv_progress_count, &prog, &err);
        lv_progress_end(&prog);
        runs[k].wall = lv_now() - t0;
        if (grc) {
            lv_fail_prefix(&err, "%s run", runs[k].name);
            goto out;
        }
        runs[k].ran = 1;
        /* Quality always against the model's own training digits. */
        if (lv_run_measure(&m, &runs[k].r, &runs[k].s, &err)) goto out;
    }
    /* The RTL: the first rtl_n trajectories, checked bit for bit. */
    char rtl_line[1400];
    lv_summary rtl_q = {0};
    long rtl_ran = 0, rtl_same = 0;
    double rtl_wall = 0;
    if (rtl_n > go.n) rtl_n = go.n;
    if (rtl_n == 0) {
        snprintf(rtl_line, sizeof rtl_line, "not run (--rtl-n 0)");
    } else {
        uint8_t *file = NULL;
        size_t flen = 0;
        lv_gen_opts ro = go;
        ro.n = rtl_n;
        lv_gen_result rr;
        lv_device_stats rst;
        lv_error rerr;
        lv_progress prog;
        lv_progress_start(&prog, "report: rtl");
        double t0 = lv_now();
        int rrc = lv_read_file(image_path, &file, &flen, (size_t)1 << 31, &rerr) ||
                  lv_device_generate_rtl(&img, file, flen, NULL, &ro, &rr, &rst, lv_progress_count, &prog,
                                         &rerr);
        lv_progress_end(&prog);
        rtl_wall = lv_now() - t0;
        free(file);
        if (rrc) {
            snprintf(rtl_line, sizeof rtl_line, "not run (%.1200s)", rerr.msg);
        } else {
            double *q = malloc((size_t)rtl_n * sizeof *q);
            const size_t nv = (size_t)img.nv;
            for (long j = 0; j < rtl_n; ++j) {
                if (q) q[j] = rr.Q_end[j] / kT;
                rtl_same += rr.Q_end[j] == runs[2].r.Q_end[j] && rr.Q_path[j] == runs[2].r.Q_path[j] &&
                            !memcmp(rr.samples + (size_t)j * nv, runs[2].r.samples + (size_t)j * nv, nv * sizeof(double));
            }
            if (q) rtl_q = lv_summarize(q, (size_t)rtl_n);
            free(q);
            rtl_ran = rtl_n;
            snprintf(rtl_line, sizeof rtl_line,
                     "%ld trajectories (the first of the device run) in %.1f s; %ld of %ld bit-identical to the "
                     "emulated device (samples, Q_end, Q_path)",
                     rtl_n, rtl_wall, rtl_same, rtl_n);
            lv_gen_result_free(&rr);
        }
    }
    /* Comparisons: every device run against the float reference, the device
     * against float-deq (the fixed-point dynamics alone), float-deq against
     * float (the weight quantization alone). */
    const char *cmp_a[MAX_RUNS + 1], *cmp_b[MAX_RUNS + 1];
    char cmp_name[MAX_RUNS + 1][48];
    {
        int pa[MAX_RUNS + 1], pb[MAX_RUNS + 1];
        pa[ncmp] = 2, pb[ncmp++] = 0;
        pa[ncmp] = 2, pb[ncmp++] = 1;
        pa[ncmp] = 1, pb[ncmp++] = 0;
        for (int k = 3; k < nruns; ++k) pa[ncmp] = k, pb[ncmp++] = 0;
        for (int i = 0; i < ncmp; ++i) {
            cmp_a[i] = runs[pa[i]].name, cmp_b[i] = runs[pb[i]].name;
            snprintf(cmp_name[i], sizeof cmp_name[i], "%s vs %s", cmp_a[i], cmp_b[i]);
            if (lv_run_compare(&runs[pa[i]].r, &runs[pa[i]].s, &runs[pb[i]].r, &runs[pb[i]].s, kT, &cmp[i], &err))
                goto out;
        }
    }

    /* Energy comparison. */
    const double q_dev = runs[2].s.q_end.mean, q_flt = runs[0].s.q_end.mean;
    const double ticks = (double)img.ticks_eq + img.ticks_run;
    const double mlp_macs = lv_mlp_macs(layers, nl);
    lv_energy e_paper = lv_energy_of_macs(mlp_macs * (double)mlp_steps, pj, T);
    lv_energy e_ticks = lv_energy_of_macs(mlp_macs * (double)img.ticks_run, pj, T);
    lv_energy e_sim = lv_energy_of_macs(lv_langevin_step_macs(img.nv, img.nh, img.vv) * ticks, pj, T);
    lv_energy e_one = lv_energy_of_macs(1, pj, T);

    root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "model", model_path);
    cJSON_AddStringToObject(root, "image", image_path);
    cJSON_AddNumberToObject(root, "trajectories", (double)go.n);
    cJSON_AddNumberToObject(root, "seed", (double)go.seed);
    cJSON_AddStringToObject(root, "common_random_numbers",
                            "all runs use the device's noise source z(seed_j, tick, unit); the float runs scale it "
                            "by sqrt(2 mu kT dt)/sqrt(2^20-1), the device passes it through its DAC");
    cJSON *dv = cJSON_AddObjectToObject(root, "device");
    cJSON_AddNumberToObject(dv, "coupling_bits", img.bj);
    cJSON_AddNumberToObject(dv, "state_bits", img.wx);
    cJSON_AddNumberToObject(dv, "state_frac", img.fx);
    cJSON_AddNumberToObject(dv, "dac_bits", img.bn);
    if (has_chip) {
        cJSON *cj = cJSON_AddObjectToObject(root, "chip");
        cJSON_AddNumberToObject(cj, "chip_seed", (double)chip.seed);
        cJSON_AddNumberToObject(cj, "mismatch_sigma", inst.sm / 65536.0);
        cJSON_AddNumberToObject(cj, "gain_spread", inst.sg / 65536.0);
        cJSON_AddNumberToObject(cj, "gain_error", inst.ge / 65536.0);
        cJSON_AddNumberToObject(cj, "offset_spread_force", chip.os);
    }
    if (trimmed_path) cJSON_AddStringToObject(root, "trimmed_image", trimmed_path);
    cJSON_AddNumberToObject(dv, "ticks_eq", img.ticks_eq);
    cJSON_AddNumberToObject(dv, "ticks_run", img.ticks_run);
    cJSON_AddNumberToObject(dv, "sat_state_unit_ticks", (double)dst.sat_state);
    cJSON_AddNumberToObject(dv, "sat_force_unit_ticks", (double)dst.sat_force);
    cJSON *ro = cJSON_AddObjectToObject(root, "runs");
    for (int k = 0; k < nruns; ++k) cJSON_AddItemToObject(ro, runs[k].name, stats_json(&runs[k]));
    /* (the "rtl" entry follows) */
    cJSON *rj = cJSON_AddObjectToObject(ro, "rtl");
    cJSON_AddStringToObject(rj, "status", rtl_line);
    cJSON_AddNumberToObject(rj, "trajectories", (double)rtl_ran);
    if (rtl_ran) {
        cJSON_AddNumberToObject(rj, "bit_identical_to_device", (double)rtl_same);
        cJSON_AddNumberToObject(rj, "Q_end_mean_kT", rtl_q.mean);
        cJSON_AddNumberToObject(rj, "Q_end_std_kT", rtl_n > 1 ? rtl_q.std : 0);
        cJSON_AddNumberToObject(rj, "wall_s", rtl_wall);
    }
    cJSON *co = cJSON_AddArrayToObject(root, "comparisons");
    for (int i = 0; i < ncmp; ++i) cJSON_AddItemToArray(co, cmp_json(cmp_a[i], cmp_b[i], &cmp[i]));
    cJSON *en = cJSON_AddObjectToObject(root, "energy");
    cJSON *as = cJSON_AddObjectToObject(en, "assumptions");
    cJSON_AddNumberToObject(as, "temperature_K", T);
    cJSON_AddNumberToObject(as, "boltzmann_J_per_K", LV_BOLTZMANN);
    cJSON_AddNumberToObject(as, "pJ_per_MAC", pj);
    cJSON_AddStringToObject(as, "pJ_per_MAC_source",
                            "Whitelam PRL 2025 ('typically about 1 pJ'), citing M. Horowitz, ISSCC 2014, pp. 10-14");
    cJSON_AddStringToObject(as, "mlp_layers", mlp);
    cJSON_AddNumberToObject(as, "mlp_evaluations_per_sample", (double)mlp_steps);
    cJSON_AddStringToObject(as, "excluded",
                            "memory traffic, noise generation, DACs, control and readout of both machines; the "
                            "device's figure is the heat of its Langevin dynamics only");
    cJSON_AddNumberToObject(en, "kT_joules", LV_BOLTZMANN * T);
    cJSON_AddNumberToObject(en, "one_MAC_kT", e_one.kT);
    cJSON_AddNumberToObject(en, "device_heat_per_sample_kT", q_dev);
    cJSON_AddNumberToObject(en, "device_heat_per_sample_J", lv_kT_to_joules(q_dev, T));
    cJSON_AddNumberToObject(en, "float_heat_per_sample_kT", q_flt);
    cJSON_AddNumberToObject(en, "float_heat_per_sample_J", lv_kT_to_joules(q_flt, T));
    struct {
        const char *key, *label;
        lv_energy e;
        double macs_per_step, steps;
    } dig[3] = {{"mlp_paper_steps", "MLP denoiser, paper's evaluation count", e_paper, mlp_macs, (double)mlp_steps},
                {"mlp_per_tick", "MLP denoiser, one evaluation per device tick", e_ticks, mlp_macs, img.ticks_run},
                {"digital_langevin", "the same Langevin computer simulated digitally, every tick", e_sim,
                 lv_langevin_step_macs(img.nv, img.nh, img.vv), ticks}};
    cJSON *da = cJSON_AddArrayToObject(en, "digital");
    for (int k = 0; k < 3; ++k) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "case", dig[k].key);
        cJSON_AddStringToObject(o, "description", dig[k].label);
        cJSON_AddNumberToObject(o, "macs_per_step", dig[k].macs_per_step);
        cJSON_AddNumberToObject(o, "steps", dig[k].steps);
        cJSON_AddNumberToObject(o, "macs", dig[k].e.macs);
        cJSON_AddNumberToObject(o, "joules", dig[k].e.joules);
        cJSON_AddNumberToObject(o, "kT", dig[k].e.kT);
        cJSON_AddNumberToObject(o, "ratio_to_device_heat", dig[k].e.kT / q_dev);
        cJSON_AddItemToArray(da, o);
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/report.json", out);
    if (lv_cli_write_json(path, root, &err)) goto out;

    size_t mcap = 1 << 16, mo = 0;
    md = malloc(mcap);
    if (!md) {
        lv_fail(&err, "out of memory");
        goto out;
    }
#define MD(...) (mo += (size_t)snprintf(md + mo, mo < mcap ? mcap - mo : 0, __VA_ARGS__))
    MD("# Heat budget of %s\n\nModel `%s`; image: %d-bit couplings, state Q%d.%d, %d-bit noise DAC; "
       "%ld trajectories, seed %llu, %u + %u ticks.\n\n",
       image_path, model_path, img.bj, img.wx - img.fx, img.fx, img.bn, go.n, (unsigned long long)go.seed,
       img.ticks_eq, img.ticks_run);
    if (has_chip)
        MD("Emulated chip (seed %llu): coupling mismatch %g, noise-gain spread %g, global gain error %+g, noise "
           "offset spread %g (force units).%s%s%s\n\n",
           (unsigned long long)chip.seed, inst.sm / 65536.0, inst.sg / 65536.0, inst.ge / 65536.0, chip.os,
           trimmed_path ? " Trimmed image: `" : "", trimmed_path ? trimmed_path : "", trimmed_path ? "`." : "");
    for (int k = 0; k < nruns; ++k) MD("- **%s**: %s\n", runs[k].name, runs[k].what);
    MD("\n");
    MD("All runs use the same random numbers: the device's noise source z(seed_j, tick, unit); the float runs scale "
       "it by sqrt(2 mu kT dt)/sqrt(2^20-1), the device passes it through its DAC.\n\n");
    MD("| run | heat Q = V(x0) - V(xf) (kT) | path heat (kT) | mean ΔV = V(xf) - V(x0) (kT) | mean / max \\|Q - "
       "Q_path\\| (kT) | mean best \\|r\\| | > 0.7 | s |\n|---|---|---|---|---|---|---|---|\n");
    for (int k = 0; k < nruns; ++k) {
        const lv_run_stats *s = &runs[k].s;
        MD("| %s | %.1f ± %.1f | %.1f ± %.1f | %.1f | %.3g / %.3g | %.3f | %.1f %% | %.1f |\n", runs[k].name,
           s->q_end.mean, s->q_end.std, s->q_path.mean, s->q_path.std, s->dV_mean, s->end_path_abs_mean,
           s->end_path_abs_max, s->q.mean_match, 100 * s->q.frac_above_07, runs[k].wall);
    }
    if (rtl_ran)
        MD("| rtl (first %ld) | %.1f ± %.1f | | | | | | %.1f |\n\nRTL: %s.\n\n", rtl_ran, rtl_q.mean,
           rtl_ran > 1 ? rtl_q.std : 0, rtl_wall, rtl_line);
    else
        MD("\nRTL: %s.\n\n", rtl_line);
    MD("| comparison | relative mean difference | KS distance | paired mean dQ ± s.e. (kT) | mean \\|dQ\\| (kT) | "
       "same digit |\n|---|---|---|---|---|---|\n");
    for (int k = 0; k < ncmp; ++k)
        MD("| %s | %+.3f %% | %.4f | %+.2f ± %.2f | %.2f | %.1f %% |\n", cmp_name[k], 100 * cmp[k].rel_mean, cmp[k].ks,
           cmp[k].paired_mean, cmp[k].paired_sem, cmp[k].paired_abs, 100 * cmp[k].same_outcome);
    MD("\nDevice saturations: state %llu, force %llu unit-ticks.\n\n", (unsigned long long)dst.sat_state,
       (unsigned long long)dst.sat_force);
    MD("## Energy: device heat vs a digital denoiser\n\nAssumptions: T = %g K, so kT = %.4g J; one MAC = %g pJ = "
       "%.3g kT (the paper's 'typically about 1 pJ', citing M. Horowitz, ISSCC 2014); digital denoiser = MLP %s "
       "(%.4g MACs per evaluation). Excluded on both sides: memory traffic, noise generation, DACs, control and "
       "readout; the device figure is the heat of its Langevin dynamics only.\n\n",
       T, LV_BOLTZMANN * T, pj, e_one.kT, mlp, mlp_macs);
    MD("Heat per sample: device %.4g kT = %.4g J; float reference %.4g kT = %.4g J (paper: 2.9e3 kT).\n\n", q_dev,
       lv_kT_to_joules(q_dev, T), q_flt, lv_kT_to_joules(q_flt, T));
    MD("| digital computation per sample | MACs per step | steps | MACs | energy (J) | energy (kT) | ratio to device "
       "heat |\n|---|---|---|---|---|---|---|\n");
    for (int k = 0; k < 3; ++k)
        MD("| %s | %.4g | %.4g | %.4g | %.3g | %.3g | %.3g |\n", dig[k].label, dig[k].macs_per_step, dig[k].steps,
           dig[k].e.macs, dig[k].e.joules, dig[k].e.kT, dig[k].e.kT / q_dev);
    MD("\nThe paper's estimate: 2.2e5 MACs x 10 evaluations x 2.4e8 kT/MAC >= 5e14 kT, ratio > 1e11 to 2.9e3 kT.\n");
#undef MD
    if (mo >= mcap) mo = mcap - 1;
    snprintf(path, sizeof path, "%s/report.md", out);
    if (lv_write_file_atomic(path, md, mo, &err)) goto out;

    double *qd = malloc((size_t)go.n * sizeof *qd), *dq = malloc((size_t)go.n * sizeof *dq);
    int prc = !qd || !dq;
    if (prc) lv_fail(&err, "out of memory");
    for (long i = 0; !prc && i < go.n; ++i) {
        qd[i] = runs[2].r.Q_end[i] / kT;
        dq[i] = (runs[2].r.Q_end[i] - runs[0].r.Q_end[i]) / kT;
    }
    char t1[128];
    snprintf(t1, sizeof t1, "emulated device heat, %ld trajectories", go.n);
    snprintf(path, sizeof path, "%s/heat_hist.png", out);
    if (!prc) prc = lv_plot_histogram(path, qd, (size_t)go.n, 40, 0, 0, t1, "Q = V(x0) - V(xf)  [kT]", q_flt,
                                      "float reference mean", &err);
    snprintf(path, sizeof path, "%s/heat_diff_hist.png", out);
    if (!prc) prc = lv_plot_histogram(path, dq, (size_t)go.n, 40, 0, 0, "device minus float heat, same random numbers",
                                      "Q_device - Q_float  [kT]", 0, "0", &err);
    snprintf(path, sizeof path, "%s/heat_paired.png", out);
    if (!prc) prc = paired_plot(path, &runs[2], &runs[0], kT, &err);
    snprintf(path, sizeof path, "%s/heat_cdf.png", out);
    if (!prc) prc = cdf_plot(path, runs, nruns, go.n, kT, &err);
    free(qd), free(dq);
    if (prc) goto out;
    fwrite(md, 1, mo, stdout);
    printf("wrote %s/report.md, report.json, heat_hist.png, heat_paired.png, heat_diff_hist.png, heat_cdf.png\n", out);
    rc = LV_EXIT_OK;
out:
    if (rc) cli_fail(C, &err);
    cJSON_Delete(root);
    free(md);
    for (int k = 0; k < MAX_RUNS; ++k) {
        if (runs[k].ran) lv_run_stats_free(&runs[k].s);
        lv_gen_result_free(&runs[k].r);
    }
    lv_model_free(&m);
    lv_model_free(&mdq);
    lv_dev_image_free(&img);
    lv_dev_image_free(&timg);
    return rc;
}
