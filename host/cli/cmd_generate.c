/* langevin generate: run the trained computer from noise; write samples,
 * quality, heat and the paper's figures. */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_chip.h"
#include "device_image_io.h"
#include "device_run.h"
#include "driver_run.h"
#include "figures.h"
#include "fileio.h"
#include "generate.h"
#include "model_io.h"
#include "plot.h"
#include "progress.h"
#include "quality.h"
#include "safetensors.h"
#include "stats.h"

static const char *help =
    "usage: langevin generate --model MODEL.safetensors [options]\n"
    "       langevin generate --device emu|rtl|uio:PATH --image IMAGE.lvimg [options]\n"
    "\n"
    "Start each trajectory from the coupling-free computer at equilibrium\n"
    "(pure thermal noise), run the trained dynamics for t_f, read the visible\n"
    "units.  Reports sample quality against the model's training digits\n"
    "(docs/quality.md) and the heat released (Q = V(x0) - V(xf) and the\n"
    "Stratonovich path heat).\n"
    "\n"
    "  --model FILE     trained float model (the float reference computer)\n"
    "  --device D       float: the float reference (default); emu: the emulated\n"
    "                   fixed-point device running a device image\n"
    "                   (docs/fixed-point.md): noisy start = the coupling-free\n"
    "                   device after t_eq/dt ticks, then t_f/dt coupled ticks, heat\n"
    "                   from the device's own meter; rtl: the same on the Verilated\n"
    "                   RTL (rtl/langevin_axi.v) through the firmware driver, bit-\n"
    "                   identical to emu, every clock cycle simulated (practical for\n"
    "                   small images); uio:PATH: a board's register window\n"
    "                   (/dev/uioN or /dev/mem) through the firmware driver\n"
    "  --image FILE     device image from `langevin quantize` (any device but float)\n"
    "  --uio-offset N   with uio:/dev/mem: the device's physical base address\n"
    "an emulated chip's analog errors (--device emu; docs/fixed-point.md §7;\n"
    "default: an ideal chip):\n"
    "%s"
    "  --via-driver     with --device emu: run through the firmware driver and the\n"
    "                   device's register interface, one chip and one trajectory at\n"
    "                   a time (what a board runs; same bits, slower); rtl and uio\n"
    "                   always run this way\n"
    "  --tau-us X       the analog device's time unit 1/mu in microseconds, for the\n"
    "                   physical time reported (default 1)\n"
    "  --reference DIR  an earlier generate output (e.g. the float reference): report\n"
    "                   the two-sample Kolmogorov-Smirnov distance between its heat\n"
    "                   distribution and this run's, and both means\n"
    "  --n N            trajectories (default 1000)\n"
    "  --batch N        trajectories simulated together (default 64; speed only)\n"
    "  --seed N         noise seed (default 1)\n"
    "  --outdir DIR     output directory (default out/generate; created)\n"
    "  --untrained      zero the couplings and biases first (baseline computer)\n"
    "  --no-figures     skip the PNG figures\n"
    "  --threads N      threads\n"
    "\n"
    "Writes to DIR: summary.json (quality, heat, settings, wall time),\n"
    "samples.csv (per trajectory: best digit, r, Q_end, Q_path),\n"
    "samples.safetensors (visible states [n, nv]), and figures:\n"
    "noising.png (Fig. 1a), training_digits.png (1b), strips.png (2a),\n"
    "samples_grid.png (2b), fields.png (2c), heat_hist.png.  With a device:\n"
    "no noising or strip figures; summary.json gains a \"device\" section\n"
    "(formats, saturation counts, physical time).  Device trajectory j uses\n"
    "chip seed (seed << 32) | j.\n";

static cJSON *summary_json(const lv_summary *s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "mean", s->mean);
    cJSON_AddNumberToObject(o, "std", s->std);
    cJSON_AddNumberToObject(o, "sem", s->sem);
    cJSON_AddNumberToObject(o, "min", s->min);
    cJSON_AddNumberToObject(o, "max", s->max);
    return o;
}

int lv_cli_write_json(const char *path, cJSON *root, lv_error *err)
{
    char *txt = cJSON_Print(root);
    if (!txt) return lv_fail(err, "out of memory formatting %s", path);
    size_t n = strlen(txt);
    txt[n] = '\n';
    int rc = lv_write_file_atomic(path, txt, n + 1, err);
    free(txt);
    return rc;
}

/* Q_end (in kT) of an earlier generate run, from DIR/samples.safetensors. */
static int load_reference_heat(const char *dir, double kT, double **q, size_t *n, lv_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/samples.safetensors", dir);
    lv_st_file *f;
    if (lv_st_open(path, &f, err)) return lv_fail_prefix(err, "--reference");
    const lv_st_tensor *t = lv_st_find(f, "Q_end");
    if (!t || t->ndim != 1 || t->shape[0] < 1) {
        lv_st_close(f);
        return lv_fail(err, "--reference: %s has no 1-D tensor Q_end (is it a `langevin generate` output?)", path);
    }
    *n = (size_t)t->shape[0];
    *q = malloc(*n * sizeof **q);
    if (!*q) {
        lv_st_close(f);
        return lv_fail(err, "out of memory reading %s", path);
    }
    int64_t shape[1] = {t->shape[0]};
    int rc = lv_st_read_f64(f, "Q_end", 1, shape, *q, err);
    lv_st_close(f);
    if (rc) {
        free(*q);
        *q = NULL;
        return -1;
    }
    for (size_t i = 0; i < *n; ++i) (*q)[i] /= kT; /* stored in energy units */
    return 0;
}

int cmd_generate(int argc, char **argv)
{
    const char *C = "generate", *model_path = NULL, *outdir = "out/generate";
    lv_gen_opts go = lv_gen_opts_default();
    long lv, threads = 0;
    int untrained = 0, figures = 1, emu = 0, via_driver = 0;
    const char *image_path = NULL, *ref_dir = NULL, *device = "float";
    lv_target_opts target = {.kind = LV_TARGET_EMU};
    long long uio_offset = -1;
    double tau_us = 1;
    cli_chip chip = cli_chip_default();
    enum { O_MODEL = 256, O_N, O_BATCH, O_SEED, O_OUTDIR, O_UNTRAINED, O_NOFIG, O_THREADS, O_DEVICE, O_IMAGE,
           O_TAU, O_REF, O_DRIVER, O_UIOOFF };
    static const struct option opts[] = {
        {"model", required_argument, 0, O_MODEL}, {"n", required_argument, 0, O_N},
        {"batch", required_argument, 0, O_BATCH}, {"seed", required_argument, 0, O_SEED},
        {"outdir", required_argument, 0, O_OUTDIR}, {"untrained", no_argument, 0, O_UNTRAINED},
        {"no-figures", no_argument, 0, O_NOFIG}, {"threads", required_argument, 0, O_THREADS},
        {"device", required_argument, 0, O_DEVICE}, {"image", required_argument, 0, O_IMAGE},
        CLI_CHIP_OPTIONS,
        {"tau-us", required_argument, 0, O_TAU}, {"reference", required_argument, 0, O_REF},
        {"via-driver", no_argument, 0, O_DRIVER}, {"uio-offset", required_argument, 0, O_UIOOFF},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case O_MODEL: model_path = optarg; break;
        case O_N: bad = cli_int(C, "--n", optarg, 1, 10000000, &lv); go.n = lv; break;
        case O_BATCH: bad = cli_int(C, "--batch", optarg, 1, 65536, &lv); go.batch = (int)lv; break;
        case O_SEED: bad = cli_u64(C, "--seed", optarg, &go.seed); break;
        case O_OUTDIR: outdir = optarg; break;
        case O_UNTRAINED: untrained = 1; break;
        case O_NOFIG: figures = 0; break;
        case O_THREADS: bad = cli_int(C, "--threads", optarg, 1, 1024, &threads); break;
        case O_DEVICE: {
            lv_error perr;
            device = optarg;
            emu = strcmp(optarg, "float") != 0;
            if (emu && lv_target_parse(optarg, &target, &perr))
                return cli_usage_error(C, "--device must be float, emu, rtl or uio:PATH, not '%s'", optarg);
            break;
        }
        case O_UIOOFF: bad = cli_uio_offset(C, optarg, &uio_offset); break;
        case O_IMAGE: image_path = optarg; break;
        case O_TAU: bad = cli_double(C, "--tau-us", optarg, 1e-12, 1e12, &tau_us); break;
        case O_REF: ref_dir = optarg; break;
        case O_DRIVER: via_driver = 1; break;
        case 'h': printf(help, cli_chip_help); return LV_EXIT_OK;
        default:
            if (!cli_chip_option(C, c, optarg, &chip, &bad)) return cli_usage_error(C, "unknown option");
        }
        if (bad) return LV_EXIT_USAGE;
    }
    if (optind < argc) return cli_usage_error(C, "unexpected argument '%s'", argv[optind]);
    if (emu) {
        if (!image_path)
            return cli_usage_error(C, "--device %s needs --image IMAGE (make one with `langevin quantize`)", device);
        if (model_path) return cli_usage_error(C, "--device %s runs --image, not --model", device);
        if (target.kind != LV_TARGET_EMU) via_driver = 1;
        if (via_driver && untrained)
            return cli_usage_error(C, "--untrained changes the image in memory; it cannot go through the firmware "
                                      "driver (--device %s%s)", device, target.kind == LV_TARGET_EMU ? " --via-driver" : "");
        if (target.kind != LV_TARGET_EMU && cli_chip_injected(&chip))
            return cli_usage_error(C, "--mismatch, --gain-spread, --gain-error and --offset-spread describe an "
                                      "emulated chip (emulator only); --device %s has none", device);
        if (uio_offset >= 0 && target.kind != LV_TARGET_UIO)
            return cli_usage_error(C, "--uio-offset needs --device uio:PATH");
        if (uio_offset >= 0) target.offset = (off_t)uio_offset;
    } else {
        if (image_path || cli_chip_injected(&chip) || via_driver || uio_offset >= 0)
            return cli_usage_error(C, "--image, the chip options, --via-driver and --uio-offset need a device "
                                      "(--device emu, rtl or uio:PATH)");
        if (!model_path) return cli_usage_error(C, "--model FILE is required");
    }
    cli_set_threads((int)threads);

    lv_error err;
    lv_model m;
    lv_dev_image img = {0};
    lv_device_stats dst = {0};
    lv_target_stats bus = {0};
    lv_dev_instance inst = {0};
    const lv_dev_instance *instp = NULL;
    if (emu) {
        if (lv_dev_image_read(image_path, &img, NULL, &err)) return cli_fail(C, &err);
        if (cli_chip_instance(&chip, &img, &inst, &err)) {
            lv_dev_image_free(&img);
            return cli_fail(C, &err);
        }
        if (cli_chip_injected(&chip)) instp = &inst;
        if (lv_model_from_image(&img, &m, &err)) {
            lv_dev_image_free(&img);
            return cli_fail(C, &err);
        }
        if (untrained) {
            memset(img.c, 0, img.m * sizeof *img.c);
            memset(img.cb, 0, (size_t)(img.nv + img.nh) * sizeof *img.cb);
            lv_params_zero(&m.p, &m.phys);
        }
        go.strip_traj = 0;
        model_path = image_path;
    } else if (lv_model_load(model_path, &m, &err)) {
        return cli_fail(C, &err);
    }
    if (!emu && untrained) lv_params_zero(&m.p, &m.phys);
    double *ref_q = NULL;
    size_t ref_n = 0;
    if ((ref_dir && load_reference_heat(ref_dir, m.phys.kT, &ref_q, &ref_n, &err)) || lv_mkdir_p(outdir, &err)) {
        lv_model_free(&m);
        lv_dev_image_free(&img);
        return cli_fail(C, &err);
    }
    lv_gen_result r;
    lv_quality q = {0};
    lv_progress prog;
    lv_progress_start(&prog, "generate");
    double t0 = lv_now();
    int grc;
    if (emu && via_driver) {
        uint8_t *file = NULL;
        size_t flen = 0;
        target.inst = instp;
        grc = lv_read_file(image_path, &file, &flen, (size_t)1 << 31, &err) ||
              lv_driver_generate(&target, &img, file, flen, NULL, &go, &r, &dst, &bus, lv_progress_count, &prog, &err);
        free(file);
    } else if (emu) {
        grc = lv_device_generate(&img, instp, &go, &r, &dst, lv_progress_count, &prog, &err);
    } else {
        grc = lv_generate(&m, &go, &r, lv_progress_count, &prog, &err);
    }
    if (grc) {
        lv_progress_end(&prog);
        lv_model_free(&m);
        lv_dev_image_free(&img);
        return cli_fail(C, &err);
    }
    lv_progress_end(&prog);
    double wall = lv_now() - t0;
    int rc = LV_EXIT_FAIL;
    char path[4096];
    const double kT = m.phys.kT;
    const size_t n = (size_t)r.n, nv = (size_t)m.phys.nv;
    double *qe = malloc(n * sizeof(double)), *qp = malloc(n * sizeof(double));
    if (!qe || !qp) {
        lv_fail(&err, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; ++i) {
        qe[i] = r.Q_end[i] / kT;
        qp[i] = r.Q_path[i] / kT;
    }
    lv_summary se = lv_summarize(qe, n), sp = lv_summarize(qp, n);
    double dmax = 0, dsum = 0;
    for (size_t i = 0; i < n; ++i) {
        double d = fabs(qe[i] - qp[i]);
        dsum += d;
        if (d > dmax) dmax = d;
    }
    if (m.ndigits > 0 && lv_quality_eval(r.samples, r.n, m.phys.nv, m.digits, m.ndigits, &q, &err)) goto out;

    /* per-sample CSV */
    snprintf(path, sizeof path, "%s/samples.csv", outdir);
    lv_atomic_file *af;
    if (lv_atomic_open(&af, path, &err)) goto out;
    FILE *fp = lv_atomic_stream(af);
    fprintf(fp, "trajectory,best_digit,best_label,r_best,Q_end_kT,Q_path_kT,V0,Vf\n");
    for (size_t i = 0; i < n; ++i) {
        int b = m.ndigits > 0 ? q.best[i] : -1;
        fprintf(fp, "%zu,%d,%d,%.6f,%.6f,%.6f,%.9g,%.9g\n", i, b, b >= 0 ? (int)m.digit_labels[b] : -1,
                m.ndigits > 0 ? q.r_best[i] : NAN, qe[i], qp[i], r.V0[i], r.Vf[i]);
    }
    if (lv_atomic_commit(af, &err)) goto out;

    /* samples as safetensors */
    snprintf(path, sizeof path, "%s/samples.safetensors", outdir);
    lv_st_writer *w = lv_st_writer_new();
    int64_t shape[2] = {(int64_t)n, (int64_t)nv}, shq[1] = {(int64_t)n};
    char rows_s[16], cols_s[16];
    snprintf(rows_s, sizeof rows_s, "%d", m.rows);
    snprintf(cols_s, sizeof cols_s, "%d", m.cols);
    int wr = !w || lv_st_writer_add(w, "samples", LV_ST_F64, 2, shape, r.samples, &err) ||
             lv_st_writer_add(w, "Q_end", LV_ST_F64, 1, shq, r.Q_end, &err) ||
             lv_st_writer_add(w, "Q_path", LV_ST_F64, 1, shq, r.Q_path, &err) ||
             lv_st_writer_meta(w, "model", model_path, &err) || lv_st_writer_meta(w, "image_rows", rows_s, &err) ||
             lv_st_writer_meta(w, "image_cols", cols_s, &err) || lv_st_writer_write(w, path, &err);
    lv_st_writer_free(w);
    if (wr) goto out;

    /* summary.json */
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "model", model_path);
    cJSON_AddBoolToObject(root, "untrained", untrained);
    cJSON_AddNumberToObject(root, "trajectories", (double)n);
    cJSON_AddNumberToObject(root, "seed", (double)go.seed);
    cJSON_AddNumberToObject(root, "wall_seconds", wall);
    cJSON *ph = cJSON_AddObjectToObject(root, "physics");
    cJSON_AddNumberToObject(ph, "nv", m.phys.nv);
    cJSON_AddNumberToObject(ph, "nh", m.phys.nh);
    cJSON_AddNumberToObject(ph, "J2", m.phys.J2);
    cJSON_AddNumberToObject(ph, "J4", m.phys.J4);
    cJSON_AddNumberToObject(ph, "mu", m.phys.mu);
    cJSON_AddNumberToObject(ph, "kT", m.phys.kT);
    cJSON_AddNumberToObject(ph, "dt", m.phys.dt);
    cJSON_AddNumberToObject(ph, "tf", m.phys.tf);
    cJSON_AddNumberToObject(ph, "strength", m.proto.strength);
    cJSON_AddNumberToObject(ph, "hidden_strength", m.proto.hidden_strength);
    if (emu) {
        /* Physical time of one trajectory on the analog device: every tick is
         * dt in units of 1/mu. */
        double t_phys_us = (double)dst.ticks * img.dt * tau_us;
        cJSON *dv = cJSON_AddObjectToObject(root, "device");
        cJSON_AddStringToObject(dv, "kind", target.kind == LV_TARGET_UIO ? "uio" : device);
        if (target.kind == LV_TARGET_UIO) cJSON_AddStringToObject(dv, "window", target.path);
        cJSON_AddBoolToObject(dv, "via_driver", via_driver);
        if (via_driver) {
            cJSON_AddNumberToObject(dv, "register_reads", (double)bus.reads);
            cJSON_AddNumberToObject(dv, "register_writes", (double)bus.writes);
        }
        if (target.kind == LV_TARGET_RTL) {
            cJSON_AddNumberToObject(dv, "rtl_clock_cycles", (double)bus.cycles);
            cJSON_AddNumberToObject(dv, "rtl_cycles_per_second", bus.cycles / wall);
        }
        cJSON_AddStringToObject(dv, "image", image_path);
        cJSON_AddNumberToObject(dv, "coupling_bits", img.bj);
        cJSON_AddNumberToObject(dv, "bias_bits", img.bb);
        cJSON_AddNumberToObject(dv, "state_bits", img.wx);
        cJSON_AddNumberToObject(dv, "state_frac", img.fx);
        cJSON_AddNumberToObject(dv, "force_bits", img.wf);
        cJSON_AddNumberToObject(dv, "force_frac", img.ff);
        cJSON_AddNumberToObject(dv, "dac_bits", img.bn);
        cJSON_AddNumberToObject(dv, "mismatch_sigma", inst.sm / 65536.0);
        cJSON_AddNumberToObject(dv, "gain_spread", inst.sg / 65536.0);
        cJSON_AddNumberToObject(dv, "gain_error", inst.ge / 65536.0);
        cJSON_AddNumberToObject(dv, "offset_spread_force", chip.os);
        cJSON_AddNumberToObject(dv, "chip_seed", (double)chip.seed);
        cJSON_AddStringToObject(dv, "field_path", dst.field_path);
        cJSON_AddNumberToObject(dv, "ticks_per_trajectory", (double)dst.ticks);
        cJSON_AddNumberToObject(dv, "sat_state_unit_ticks", (double)dst.sat_state);
        cJSON_AddNumberToObject(dv, "sat_force_unit_ticks", (double)dst.sat_force);
        cJSON_AddNumberToObject(dv, "tau_us", tau_us);
        cJSON_AddNumberToObject(dv, "physical_time_per_trajectory_us", t_phys_us);
    }
    double ks = NAN;
    lv_summary sref = {0};
    if (ref_q) {
        ks = lv_ks_distance(qe, n, ref_q, ref_n);
        sref = lv_summarize(ref_q, ref_n);
        cJSON *ro = cJSON_AddObjectToObject(root, "reference");
        cJSON_AddStringToObject(ro, "dir", ref_dir);
        cJSON_AddItemToObject(ro, "Q_end_kT", summary_json(&sref));
        cJSON_AddNumberToObject(ro, "ks_distance_Q_end", ks);
        cJSON_AddNumberToObject(ro, "relative_mean_difference", (se.mean - sref.mean) / sref.mean);
    }
    cJSON *heat = cJSON_AddObjectToObject(root, "heat_kT");
    cJSON_AddItemToObject(heat, "Q_end", summary_json(&se));
    cJSON_AddItemToObject(heat, "Q_path", summary_json(&sp));
    cJSON_AddNumberToObject(heat, "mean_abs_end_minus_path", dsum / (double)n);
    cJSON_AddNumberToObject(heat, "max_abs_end_minus_path", dmax);
    cJSON_AddNumberToObject(heat, "paper_mean", 2.9e3);
    cJSON_AddNumberToObject(heat, "paper_std", 3.5e2);
    if (m.ndigits > 0) {
        cJSON *qo = cJSON_AddObjectToObject(root, "quality");
        cJSON_AddNumberToObject(qo, "mean_match", q.mean_match);
        cJSON_AddNumberToObject(qo, "frac_above_0_5", q.frac_above_05);
        cJSON_AddNumberToObject(qo, "frac_above_0_7", q.frac_above_07);
        cJSON_AddNumberToObject(qo, "min_coverage", q.min_coverage);
        cJSON *cov = cJSON_AddArrayToObject(qo, "coverage");
        for (int d = 0; d < m.ndigits; ++d) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddNumberToObject(e, "digit", d);
            cJSON_AddNumberToObject(e, "label", m.digit_labels[d]);
            cJSON_AddNumberToObject(e, "dataset_index", m.digit_index[d]);
            cJSON_AddNumberToObject(e, "fraction", q.coverage[d]);
            cJSON_AddItemToArray(cov, e);
        }
        cJSON_AddNumberToObject(qo, "frac_inverted", q.frac_inverted);
        cJSON_AddNumberToObject(qo, "frac_copies", q.frac_copies);
        cJSON_AddNumberToObject(qo, "copy_threshold", LV_COPY_THRESHOLD);
        cJSON_AddNumberToObject(qo, "mean_sample_nearest_r", q.mean_sample_nn);
    }
    snprintf(path, sizeof path, "%s/summary.json", outdir);
    int jr = lv_cli_write_json(path, root, &err);
    cJSON_Delete(root);
    if (jr) goto out;

    if (figures) {
        char title[128];
        snprintf(title, sizeof title, "heat per sample, %zu trajectories", n);
        snprintf(path, sizeof path, "%s/heat_hist.png", outdir);
        if (lv_plot_histogram(path, qe, n, 40, 0, 0, title, "Q = V(x0) - V(xf)  [kT]", 2.9e3,
                              "paper 2.9e3 kT", &err))
            goto out;
        snprintf(path, sizeof path, "%s/strips.png", outdir);
        if (r.strip_traj > 0 && lv_fig_strips(path, &m, &r, &err)) goto out;
        snprintf(path, sizeof path, "%s/samples_grid.png", outdir);
        if (lv_fig_grid(path, &m, &r, 5, &err)) goto out;
        snprintf(path, sizeof path, "%s/fields.png", outdir);
        if (lv_fig_fields(path, &m, 16, &err)) goto out;
        if (m.ndigits > 0 && !emu) {
            snprintf(path, sizeof path, "%s/noising.png", outdir);
            if (lv_fig_noising(path, &m, 0, 8, go.seed, &err)) goto out;
            snprintf(path, sizeof path, "%s/training_digits.png", outdir);
            if (lv_fig_digits(path, &m, &err)) goto out;
        }
    }

    printf("%zu trajectories of %d+%d units in %.1f s%s\n", n, m.phys.nv, m.phys.nh, wall,
           untrained ? " (untrained baseline)" : "");
    printf("heat Q_end  = %.4g +- %.3g kT   (paper: 2.9e3 +- 3.5e2 kT)\n", se.mean, se.std);
    printf("heat Q_path = %.4g +- %.3g kT   |Q_end - Q_path|: mean %.3g, max %.3g kT\n", sp.mean, sp.std,
           dsum / (double)n, dmax);
    if (m.ndigits > 0) {
        printf("quality: mean |r| %.3f, >0.5: %.1f%%, >0.7: %.1f%%, inverted %.1f%%, copies %.1f%%\n", q.mean_match,
               100 * q.frac_above_05, 100 * q.frac_above_07, 100 * q.frac_inverted, 100 * q.frac_copies);
        printf("coverage:");
        for (int d = 0; d < m.ndigits; ++d)
            printf(" digit %d (label %d) %.1f%%", d, (int)m.digit_labels[d], 100 * q.coverage[d]);
        printf("\n");
    }
    if (emu)
        printf("device: %s, %d-bit couplings, state Q%d.%d, %ld ticks per trajectory = %.4g us at 1/mu = %g us; "
               "saturations: state %llu, force %llu unit-ticks\n",
               device, img.bj, img.wx - img.fx, img.fx, dst.ticks, (double)dst.ticks * img.dt * tau_us, tau_us,
               (unsigned long long)dst.sat_state, (unsigned long long)dst.sat_force);
    if (target.kind == LV_TARGET_RTL)
        printf("rtl: %llu clock cycles simulated (%.3g cycles/s), %llu register reads, %llu writes\n",
               (unsigned long long)bus.cycles, bus.cycles / wall, (unsigned long long)bus.reads,
               (unsigned long long)bus.writes);
    if (ref_q)
        printf("reference %s: Q_end %.4g +- %.3g kT; KS distance of the heat distributions %.4f\n", ref_dir,
               sref.mean, sref.std, ks);
    printf("wrote %s/summary.json, samples.csv, samples.safetensors%s\n", outdir, figures ? " and figures" : "");
    rc = LV_EXIT_OK;
out:
    if (rc) cli_fail(C, &err);
    free(qe);
    free(qp);
    lv_quality_free(&q);
    lv_gen_result_free(&r);
    lv_model_free(&m);
    lv_dev_image_free(&img);
    free(ref_q);
    return rc;
}
