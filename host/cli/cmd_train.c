/* langevin train: train a Langevin computer on reversed noising
 * trajectories (paper eqs. 6-11), with atomic checkpoints and --resume. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <libgen.h>

#include "cli.h"
#include "dataset.h"
#include "fileio.h"
#include "model_io.h"
#include "progress.h"
#include "train.h"

static const char *help =
    "usage: langevin train [options] --out MODEL.safetensors\n"
    "\n"
    "Train by maximising the probability of the reversed noising trajectories\n"
    "(eqs. 6-11 of the paper).  One epoch = --batch noising trajectories run\n"
    "together (trajectory j noises training digit j mod n), then one update.\n"
    "\n"
    "data:\n"
    "  --images FILE       IDX images (default " LV_DEFAULT_IMAGES ")\n"
    "  --labels FILE       IDX labels (default " LV_DEFAULT_LABELS ")\n"
    "  --classes LIST      classes to train on, e.g. 0,1,2 (default 0,1,2)\n"
    "  --per-class N       images per class, the first N in file order (default 1)\n"
    "  --indices LIST      explicit image indices instead of --classes\n"
    "computer (defaults: the paper's J2 = J4 = 10 kT, see docs/physics.md):\n"
    "  --nh N              hidden units (default 512); nv = image size\n"
    "  --J2 X --J4 X       intrinsic couplings (default 1, 1)\n"
    "  --kT X              thermal energy (default 0.1)\n"
    "  --mu X              mobility (default 1)\n"
    "  --dt X              Euler time step (default 1e-3)\n"
    "  --tf X              trajectory duration t_f (default 2.5)\n"
    "  --vv                add trainable visible-visible couplings (off in the paper)\n"
    "  --train-vbias       make visible biases trainable (off in the paper)\n"
    "noising protocol:\n"
    "  --strength X        imposed digit strength s: visible bias -s*lambda(t)*P (default 3, docs/results.md)\n"
    "  --hidden-strength X same for the hidden units' strided projection (default = --strength)\n"
    "  --t-eq X            equilibration time before the ramp (default 1)\n"
    "optimisation:\n"
    "  --epochs N          total epochs to reach (default 60)\n"
    "  --batch N           trajectories per epoch (default 32)\n"
    "  --window N          Euler steps per GEMM block (default 16; speed only)\n"
    "  --lr X              learning rate (default 3e-3)\n"
    "  --optimizer adam|sgd  Adam (default) or plain gradient descent as in the paper\n"
    "  --grad-clip X       clip the gradient's L2 norm (default 0 = off)\n"
    "  --seed N            noise seed (default 1)\n"
    "files:\n"
    "  --out FILE          final model (safetensors; required)\n"
    "  --checkpoint FILE   checkpoint (default FILE.ckpt next to --out)\n"
    "  --checkpoint-every N  epochs between checkpoints (default 1)\n"
    "  --resume            continue from the checkpoint if it exists; the model,\n"
    "                      protocol and optimiser settings come from it\n"
    "  --log FILE          per-epoch CSV log (default FILE.csv next to --out)\n"
    "  --threads N         threads (default: OMP_NUM_THREADS or all cores)\n"
    "  --quiet             no per-epoch lines on stdout\n"
    "\n"
    "A kill loses at most the epochs since the last checkpoint; SIGINT/SIGTERM\n"
    "finish the current epoch and write a checkpoint first.  Exit status: 0 done,\n"
    "1 error (bad data, diverged run), 2 usage error, 130 interrupted.\n";

static volatile sig_atomic_t g_stop;
static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

#define LOG_COLS 9
static const char *log_header =
    "epoch,trajectories,S_rev,S_fwd,Q0_kT,Qtheta_kT,half_Q0_plus_Qtheta_kT,grad_norm,seconds\n";

static int write_log(const char *path, const double *hist, long rows, lv_error *err)
{
    lv_atomic_file *f;
    if (lv_atomic_open(&f, path, err)) return -1;
    FILE *fp = lv_atomic_stream(f);
    fputs(log_header, fp);
    for (long r = 0; r < rows; ++r) {
        const double *h = hist + r * LOG_COLS;
        fprintf(fp, "%.0f,%.0f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6g,%.3f\n", h[0], h[1], h[2], h[3], h[4], h[5],
                h[6], h[7], h[8]);
    }
    return lv_atomic_commit(f, err);
}

static int file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

int cmd_train(int argc, char **argv)
{
    const char *images = LV_DEFAULT_IMAGES, *labels = LV_DEFAULT_LABELS;
    const char *classes_s = "0,1,2", *indices_s = NULL, *out = NULL, *ckpt = NULL, *logp = NULL;
    long per_class = 1, epochs = 60, ckpt_every = 1, threads = 0;
    int resume = 0, quiet = 0, vv = 0, vbias = 0, hs_set = 0;
    uint64_t seed = 1;
    lv_physics ph = lv_physics_default();
    lv_protocol pr = lv_protocol_default();
    lv_train_opts to = lv_train_opts_default();
    to.lr = 3e-3;
    long lv;
    enum { O_IMAGES = 256, O_LABELS, O_CLASSES, O_PERCLASS, O_INDICES, O_NH, O_J2, O_J4, O_KT, O_MU, O_DT,
           O_TF, O_VV, O_VBIAS, O_STRENGTH, O_HSTRENGTH, O_TEQ, O_EPOCHS, O_BATCH, O_WINDOW, O_LR, O_OPT,
           O_CLIP, O_SEED, O_OUT, O_CKPT, O_CKEVERY, O_RESUME, O_LOG, O_THREADS, O_QUIET };
    static const struct option opts[] = {
        {"images", required_argument, 0, O_IMAGES}, {"labels", required_argument, 0, O_LABELS},
        {"classes", required_argument, 0, O_CLASSES}, {"per-class", required_argument, 0, O_PERCLASS},
        {"indices", required_argument, 0, O_INDICES}, {"nh", required_argument, 0, O_NH},
        {"J2", required_argument, 0, O_J2}, {"J4", required_argument, 0, O_J4},
        {"kT", required_argument, 0, O_KT}, {"mu", required_argument, 0, O_MU},
        {"dt", required_argument, 0, O_DT}, {"tf", required_argument, 0, O_TF},
        {"vv", no_argument, 0, O_VV}, {"train-vbias", no_argument, 0, O_VBIAS},
        {"strength", required_argument, 0, O_STRENGTH}, {"hidden-strength", required_argument, 0, O_HSTRENGTH},
        {"t-eq", required_argument, 0, O_TEQ}, {"epochs", required_argument, 0, O_EPOCHS},
        {"batch", required_argument, 0, O_BATCH}, {"window", required_argument, 0, O_WINDOW},
        {"lr", required_argument, 0, O_LR}, {"optimizer", required_argument, 0, O_OPT},
        {"grad-clip", required_argument, 0, O_CLIP}, {"seed", required_argument, 0, O_SEED},
        {"out", required_argument, 0, O_OUT}, {"checkpoint", required_argument, 0, O_CKPT},
        {"checkpoint-every", required_argument, 0, O_CKEVERY}, {"resume", no_argument, 0, O_RESUME},
        {"log", required_argument, 0, O_LOG}, {"threads", required_argument, 0, O_THREADS},
        {"quiet", no_argument, 0, O_QUIET}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *C = "train";
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case O_IMAGES: images = optarg; break;
        case O_LABELS: labels = optarg; break;
        case O_CLASSES: classes_s = optarg; break;
        case O_PERCLASS: bad = cli_int(C, "--per-class", optarg, 1, 100000, &per_class); break;
        case O_INDICES: indices_s = optarg; break;
        case O_NH: bad = cli_int(C, "--nh", optarg, 1, 1 << 20, &lv); ph.nh = (int)lv; break;
        case O_J2: bad = cli_double(C, "--J2", optarg, 1e-12, 1e12, &ph.J2); break;
        case O_J4: bad = cli_double(C, "--J4", optarg, 1e-12, 1e12, &ph.J4); break;
        case O_KT: bad = cli_double(C, "--kT", optarg, 1e-12, 1e12, &ph.kT); break;
        case O_MU: bad = cli_double(C, "--mu", optarg, 1e-12, 1e12, &ph.mu); break;
        case O_DT: bad = cli_double(C, "--dt", optarg, 1e-12, 1e6, &ph.dt); break;
        case O_TF: bad = cli_double(C, "--tf", optarg, 1e-12, 1e9, &ph.tf); break;
        case O_VV: vv = 1; break;
        case O_VBIAS: vbias = 1; break;
        case O_STRENGTH: bad = cli_double(C, "--strength", optarg, 0, 1e6, &pr.strength); break;
        case O_HSTRENGTH: bad = cli_double(C, "--hidden-strength", optarg, 0, 1e6, &pr.hidden_strength); hs_set = 1; break;
        case O_TEQ: bad = cli_double(C, "--t-eq", optarg, 0, 1e9, &pr.t_eq); break;
        case O_EPOCHS: bad = cli_int(C, "--epochs", optarg, 0, 100000000, &epochs); break;
        case O_BATCH: bad = cli_int(C, "--batch", optarg, 1, 65536, &lv); to.batch = (int)lv; break;
        case O_WINDOW: bad = cli_int(C, "--window", optarg, 1, 4096, &lv); to.window = (int)lv; break;
        case O_LR: bad = cli_double(C, "--lr", optarg, 1e-300, 1e6, &to.lr); break;
        case O_OPT:
            if (!strcmp(optarg, "adam")) to.adam = 1;
            else if (!strcmp(optarg, "sgd")) to.adam = 0;
            else bad = cli_usage_error(C, "--optimizer must be adam or sgd, got '%s'", optarg);
            break;
        case O_CLIP: bad = cli_double(C, "--grad-clip", optarg, 0, 1e300, &to.grad_clip); break;
        case O_SEED: bad = cli_u64(C, "--seed", optarg, &seed); break;
        case O_OUT: out = optarg; break;
        case O_CKPT: ckpt = optarg; break;
        case O_CKEVERY: bad = cli_int(C, "--checkpoint-every", optarg, 1, 100000000, &ckpt_every); break;
        case O_RESUME: resume = 1; break;
        case O_LOG: logp = optarg; break;
        case O_THREADS: bad = cli_int(C, "--threads", optarg, 1, 1024, &threads); break;
        case O_QUIET: quiet = 1; break;
        case 'h': fputs(help, stdout); return LV_EXIT_OK;
        default: return cli_usage_error(C, "unknown option");
        }
        if (bad) return LV_EXIT_USAGE;
    }
    if (optind < argc) return cli_usage_error(C, "unexpected argument '%s'", argv[optind]);
    if (!out) return cli_usage_error(C, "--out MODEL.safetensors is required");
    if (!hs_set) pr.hidden_strength = pr.strength;
    ph.vv = vv;
    cli_set_threads((int)threads);

    char ckpt_buf[4096], log_buf[4096];
    if (!ckpt) {
        snprintf(ckpt_buf, sizeof ckpt_buf, "%s.ckpt", out);
        ckpt = ckpt_buf;
    }
    if (!logp) {
        snprintf(log_buf, sizeof log_buf, "%s.csv", out);
        logp = log_buf;
    }

    lv_error err;
    /* Create the directories of the output files, like most ML tools. */
    const char *outs[3] = {out, ckpt, logp};
    for (int i = 0; i < 3; ++i) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s", outs[i]);
        if (lv_mkdir_p(dirname(dir), &err)) return cli_fail(C, &err);
    }
    lv_model m;
    lv_trainer *tr = NULL;
    double *hist = NULL;
    long hist_rows = 0;
    int rc = LV_EXIT_FAIL;
    int resumed = 0;
    lv_opt_state os = {0};
    memset(&m, 0, sizeof m);

    if (resume && file_exists(ckpt)) {
        if (lv_model_load(ckpt, &m, &err)) return cli_fail(C, &err);
        lv_params m1, m2;
        if (lv_params_alloc(&m1, &m.phys, &err) || lv_params_alloc(&m2, &m.phys, &err)) goto fail;
        os.m1 = &m1;
        os.m2 = &m2;
        if (lv_opt_load(ckpt, &m, &os, &err)) {
            lv_params_free(&m1);
            lv_params_free(&m2);
            goto fail;
        }
        if (!os.present) {
            lv_params_free(&m1);
            lv_params_free(&m2);
            lv_fail(&err, "%s has no optimiser state: it is a model, not a training checkpoint", ckpt);
            goto fail;
        }
        to.adam = os.adam;
        to.lr = os.lr;
        to.beta1 = os.beta1;
        to.beta2 = os.beta2;
        to.eps = os.eps;
        to.grad_clip = os.grad_clip;
        to.window = os.window;
        to.batch = (int)m.batch;
        if (lv_trainer_new(&tr, &m, &to, &err)) {
            lv_params_free(&m1);
            lv_params_free(&m2);
            goto fail;
        }
        lv_params_copy(lv_trainer_moment1(tr), &m1, &m.phys);
        lv_params_copy(lv_trainer_moment2(tr), &m2, &m.phys);
        *lv_trainer_step_count(tr) = os.step;
        lv_params_free(&m1);
        lv_params_free(&m2);
        if (os.history && os.history_cols == LOG_COLS) {
            hist = os.history;
            hist_rows = (long)os.history_rows;
        } else {
            free(os.history);
        }
        os.history = NULL;
        if (hist_rows > m.epochs_done) hist_rows = (long)m.epochs_done;
        resumed = 1;
        fprintf(stderr, "langevin train: resuming from %s at epoch %lld of %ld (model, protocol and optimiser "
                        "settings come from the checkpoint)\n",
                ckpt, (long long)m.epochs_done, epochs);
    } else {
        if (resume) fprintf(stderr, "langevin train: no checkpoint at %s; starting afresh\n", ckpt);
        lv_digit_set ds;
        int *cls = NULL, *idx = NULL, ncls = 0, nidx = 0;
        if (indices_s) {
            if (cli_int_list(C, "--indices", indices_s, 0, 2000000000L, &idx, &nidx)) return LV_EXIT_USAGE;
        } else if (cli_int_list(C, "--classes", classes_s, 0, 255, &cls, &ncls)) {
            return LV_EXIT_USAGE;
        }
        int r = lv_digits_select(images, labels, cls, ncls, (int)per_class, idx, nidx, &ds, &err);
        free(cls);
        free(idx);
        if (r) {
            fprintf(stderr, "langevin train: error: %s\n(run scripts/bootstrap.sh or `langevin data` to create "
                            "the default MNIST files)\n", err.msg);
            return LV_EXIT_FAIL;
        }
        ph.nv = ds.rows * ds.cols;
        if (lv_model_init(&m, &ph, &pr, &err) ||
            lv_model_set_digits(&m, ds.n, ds.digits, ds.labels, ds.index, &err)) {
            lv_digit_set_free(&ds);
            goto fail;
        }
        m.rows = ds.rows;
        m.cols = ds.cols;
        lv_digit_set_free(&ds);
        m.seed = seed;
        m.train_vbias = vbias;
        m.batch = to.batch;
        if (lv_trainer_new(&tr, &m, &to, &err)) goto fail;
    }
    hist = realloc(hist, (size_t)(epochs > hist_rows ? epochs : hist_rows + 1) * LOG_COLS * sizeof(double));
    if (!hist) {
        lv_fail(&err, "out of memory");
        goto fail;
    }
    os.present = 1;
    os.adam = to.adam;
    os.lr = to.lr;
    os.beta1 = to.beta1;
    os.beta2 = to.beta2;
    os.eps = to.eps;
    os.grad_clip = to.grad_clip;
    os.window = to.window;
    os.m1 = lv_trainer_moment1(tr);
    os.m2 = lv_trainer_moment2(tr);
    os.epochs_target = epochs;

    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    if (!quiet)
        printf("training %d+%d units on %d digit(s), %ld epochs x %d trajectories, lr %g (%s)%s\n", m.phys.nv,
               m.phys.nh, m.ndigits, epochs, to.batch, to.lr, to.adam ? "adam" : "sgd",
               resumed ? ", resumed" : "");
    lv_progress prog;
    lv_progress_start(&prog, "train");
    int interrupted = 0;
    while (m.epochs_done < epochs) {
        double t0 = lv_now();
        lv_epoch_stats st;
        if (lv_trainer_epoch(tr, &st, &err)) goto fail;
        double *h = hist + (size_t)hist_rows * LOG_COLS;
        h[0] = (double)m.epochs_done;
        h[1] = (double)(m.epochs_done * to.batch);
        h[2] = st.S_rev;
        h[3] = st.S_fwd;
        h[4] = st.Q0;
        h[5] = st.Qtheta;
        h[6] = 0.5 * (st.Q0 + st.Qtheta);
        h[7] = st.grad_norm;
        h[8] = lv_now() - t0;
        hist_rows++;
        char extra[128];
        snprintf(extra, sizeof extra, "S_rev-S_fwd %.1f  Qtheta %.1f kT", st.S_rev - st.S_fwd, st.Qtheta);
        lv_progress_update(&prog, (double)m.epochs_done, (double)epochs, extra);
        if (!quiet && !prog.tty)
            printf("epoch %lld/%ld  S_rev-S_fwd %.2f  Q0 %.1f kT  Qtheta %.1f kT  |grad| %.3g  %.1fs\n",
                   (long long)m.epochs_done, epochs, st.S_rev - st.S_fwd, st.Q0, st.Qtheta, st.grad_norm, h[8]);
        fflush(stdout);
        int last = m.epochs_done >= epochs;
        if (g_stop || last || m.epochs_done % ckpt_every == 0) {
            os.step = *lv_trainer_step_count(tr);
            os.history = hist;
            os.history_rows = hist_rows;
            os.history_cols = LOG_COLS;
            /* The checkpoint is the point of truth; the CSV is derived. */
            if (lv_model_save(ckpt, &m, &os, &err)) goto fail;
            if (write_log(logp, hist, hist_rows, &err)) goto fail;
        }
        if (g_stop) {
            interrupted = 1;
            break;
        }
    }
    lv_progress_end(&prog);
    if (interrupted) {
        fprintf(stderr, "langevin train: interrupted after epoch %lld; checkpoint saved to %s "
                        "(rerun with --resume to continue)\n", (long long)m.epochs_done, ckpt);
        rc = 130;
    } else {
        if (lv_model_save(out, &m, NULL, &err) || write_log(logp, hist, hist_rows, &err)) goto fail;
        if (!quiet) printf("wrote %s (%lld epochs) and %s\n", out, (long long)m.epochs_done, logp);
        rc = LV_EXIT_OK;
    }
    lv_trainer_free(tr);
    lv_model_free(&m);
    free(hist);
    return rc;
fail:
    lv_trainer_free(tr);
    lv_model_free(&m);
    free(hist);
    return cli_fail(C, &err);
}
