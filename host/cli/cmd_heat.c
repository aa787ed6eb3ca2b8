/* langevin heat: heat released by the trained computer while generating. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "fileio.h"
#include "generate.h"
#include "model_io.h"
#include "plot.h"
#include "progress.h"
#include "stats.h"

static const char *help =
    "usage: langevin heat --model MODEL.safetensors [options]\n"
    "\n"
    "Heat released to the bath by N generation trajectories, in units of kT:\n"
    "  Q_end  = V(x(0)) - V(x(t_f))   (the paper's estimate; no work is done)\n"
    "  Q_path = -sum_k 1/2 (grad V(x_k) + grad V(x_k+1)) . dx_k  (Stratonovich)\n"
    "Prints mean +- std of both, their agreement, and the paper's 2.9e3 +- 3.5e2 kT.\n"
    "\n"
    "  --model FILE   trained model (required)\n"
    "  --n N          trajectories (default 1000)\n"
    "  --batch N      trajectories simulated together (default 64)\n"
    "  --seed N       noise seed (default 1)\n"
    "  --csv FILE     per-trajectory heats (CSV)\n"
    "  --hist FILE    histogram of Q_end (PNG)\n"
    "  --untrained    zero the couplings and biases first (baseline)\n"
    "  --threads N    threads\n";

int cmd_heat(int argc, char **argv)
{
    const char *C = "heat", *model_path = NULL, *csv = NULL, *hist = NULL;
    lv_gen_opts go = lv_gen_opts_default();
    go.strip_traj = 0;
    long lv, threads = 0;
    int untrained = 0;
    enum { O_MODEL = 256, O_N, O_BATCH, O_SEED, O_CSV, O_HIST, O_UNTRAINED, O_THREADS };
    static const struct option opts[] = {
        {"model", required_argument, 0, O_MODEL}, {"n", required_argument, 0, O_N},
        {"batch", required_argument, 0, O_BATCH}, {"seed", required_argument, 0, O_SEED},
        {"csv", required_argument, 0, O_CSV}, {"hist", required_argument, 0, O_HIST},
        {"untrained", no_argument, 0, O_UNTRAINED}, {"threads", required_argument, 0, O_THREADS},
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
        case O_CSV: csv = optarg; break;
        case O_HIST: hist = optarg; break;
        case O_UNTRAINED: untrained = 1; break;
        case O_THREADS: bad = cli_int(C, "--threads", optarg, 1, 1024, &threads); break;
        case 'h': fputs(help, stdout); return LV_EXIT_OK;
        default: return cli_usage_error(C, "unknown option");
        }
        if (bad) return LV_EXIT_USAGE;
    }
    if (optind < argc) return cli_usage_error(C, "unexpected argument '%s'", argv[optind]);
    if (!model_path) return cli_usage_error(C, "--model FILE is required");
    cli_set_threads((int)threads);
    lv_error err;
    lv_model m;
    if (lv_model_load(model_path, &m, &err)) return cli_fail(C, &err);
    if (untrained) lv_params_zero(&m.p, &m.phys);
    lv_gen_result r;
    lv_progress prog;
    lv_progress_start(&prog, "heat");
    double t0 = lv_now();
    int grc = lv_generate(&m, &go, &r, lv_progress_count, &prog, &err);
    lv_progress_end(&prog);
    if (grc) {
        lv_model_free(&m);
        return cli_fail(C, &err);
    }
    double wall = lv_now() - t0;
    size_t n = (size_t)r.n;
    int rc = LV_EXIT_FAIL;
    double *qe = malloc(n * sizeof(double)), *qp = malloc(n * sizeof(double));
    if (!qe || !qp) {
        lv_fail(&err, "out of memory");
        goto out;
    }
    double dsum = 0, dmax = 0;
    for (size_t i = 0; i < n; ++i) {
        qe[i] = r.Q_end[i] / m.phys.kT;
        qp[i] = r.Q_path[i] / m.phys.kT;
        double d = fabs(qe[i] - qp[i]);
        dsum += d;
        if (d > dmax) dmax = d;
    }
    lv_summary se = lv_summarize(qe, n), sp = lv_summarize(qp, n);
    if (csv) {
        lv_atomic_file *af;
        if (lv_atomic_open(&af, csv, &err)) goto out;
        FILE *fp = lv_atomic_stream(af);
        fprintf(fp, "trajectory,Q_end_kT,Q_path_kT\n");
        for (size_t i = 0; i < n; ++i) fprintf(fp, "%zu,%.6f,%.6f\n", i, qe[i], qp[i]);
        if (lv_atomic_commit(af, &err)) goto out;
    }
    if (hist && lv_plot_histogram(hist, qe, n, 40, 0, 0, "heat per generated sample",
                                  "Q = V(x0) - V(xf)  [kT]", 2.9e3, "paper 2.9e3 kT", &err))
        goto out;
    printf("trajectories   %zu (%.1f s)%s\n", n, wall, untrained ? ", untrained baseline" : "");
    printf("Q_end  [kT]    %.6g +- %.4g (sem %.3g, min %.4g, max %.4g)\n", se.mean, se.std, se.sem, se.min, se.max);
    printf("Q_path [kT]    %.6g +- %.4g (sem %.3g)\n", sp.mean, sp.std, sp.sem);
    printf("|Q_end-Q_path| mean %.3g kT, max %.3g kT (relative to mean |Q|: %.2g)\n", dsum / (double)n, dmax,
           se.mean != 0 ? dsum / (double)n / fabs(se.mean) : NAN);
    printf("paper          2.9e3 +- 3.5e2 kT (784+512 units, J2 = J4 = 10 kT, t_f = 2.5)\n");
    rc = LV_EXIT_OK;
out:
    if (rc) cli_fail(C, &err);
    free(qe);
    free(qp);
    lv_gen_result_free(&r);
    lv_model_free(&m);
    return rc;
}
