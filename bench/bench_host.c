/* bench_host.c - throughput of the float reference computer against BLAS.
 *
 * Measures, in one run and on the same shapes the batched step uses:
 *   - dgemm/dsyr2k throughput (GFLOP/s) of the generation shapes
 *     (B x nv x nh, B x nh x nv, B x nh x nh; lv_coupling_force) and of the
 *     training window shapes (rows = window*batch, plus the gradient GEMMs
 *     nv x nh x rows and dsyr2k nh x rows; lv_reverse_action_accumulate);
 *   - training (lv_trainer_epoch) and generation (lv_generate) throughput
 *     in unit-steps/s, and their FLOP-equivalent rate (the GEMM work they
 *     must do divided by their wall time) as a fraction of the GEMM rate;
 *   - noise (lv_normals) and coupling-free step (lv_free_steps) rates.
 * Target: "the batched step reaches at least half of the GEMM throughput"
 * (ratio >= 0.5).  Informational only: exits 0 unless something fails.
 *
 * Timings are best-of-N wall-clock times (the machine may be shared), for
 * the GEMMs and for the epochs/generations alike, so the ratios compare
 * like with like.  The OpenBLAS kernel is chosen when the library loads;
 * set OPENBLAS_CORETYPE (e.g. SkylakeX) in the environment to override.
 *
 * usage: bench_host [--nv N] [--nh N] [--batch B] [--window W] [--epochs E]
 *                   [--tf T] [--teq T] [--gen-n N] [--min-time S] [--json FILE]
 *                   [--only all|gemm|noise|train|gen]
 */
#include <cblas.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "progress.h"
#include "dynamics.h"
#include "generate.h"
#include "model.h"
#include "potential.h"
#include "rng.h"
#include "train.h"


/* ---- options ------------------------------------------------------------ */

typedef struct {
    int nv, nh, batch, window, epochs;
    double tf, teq, min_time;
    long gen_n;
    const char *json;
    const char *only; /* all, gemm, noise, train, gen */
} opts;

static void usage(FILE *f)
{
    fputs("usage: bench_host [--nv N] [--nh N] [--batch B] [--window W] [--epochs E]\n"
          "                  [--tf T] [--teq T] [--gen-n N] [--min-time S] [--json FILE]\n"
          "                  [--only all|gemm|noise|train|gen]\n"
          "  --nv, --nh   unit counts (784, 512: paper size)\n"
          "  --batch      trajectories per epoch and per generation batch (32)\n"
          "  --window     Euler steps per training GEMM block (16)\n"
          "  --epochs     timed training epochs after one warm-up epoch (3)\n"
          "  --tf         trajectory duration t_f (0.25 = 250 steps at dt 1e-3)\n"
          "  --teq        equilibration time t_eq before each trajectory (0)\n"
          "  --gen-n      generated trajectories per timed run (= batch)\n"
          "  --min-time   seconds spent timing each GEMM shape (0.5)\n"
          "  --json FILE  also write a JSON summary\n"
          "  --only PART  run only gemm, noise, train or gen (e.g. under perf record)\n"
          "Set OPENBLAS_CORETYPE (e.g. SkylakeX) to override OpenBLAS's kernel choice.\n",
          f);
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < lo || v > hi) return -1;
    *out = (int)v;
    return 0;
}

static int parse_double(const char *s, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (*s == '\0' || *end != '\0' || !(v >= lo && v <= hi)) return -1;
    *out = v;
    return 0;
}

static int parse_args(int argc, char **argv, opts *o)
{
    *o = (opts){.nv = 784, .nh = 512, .batch = 32, .window = 16, .epochs = 3, .tf = 0.25,
                .teq = 0.0, .min_time = 0.5, .gen_n = 0, .json = NULL, .only = "all"};
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            exit(0);
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "bench_host: option %s needs a value\n", a);
            return -1;
        }
        const char *v = argv[++i];
        int bad = 0, gn = 0;
        if (!strcmp(a, "--nv")) bad = parse_int(v, 1, 1 << 16, &o->nv);
        else if (!strcmp(a, "--nh")) bad = parse_int(v, 1, 1 << 16, &o->nh);
        else if (!strcmp(a, "--batch")) bad = parse_int(v, 1, 1 << 16, &o->batch);
        else if (!strcmp(a, "--window")) bad = parse_int(v, 1, 4096, &o->window);
        else if (!strcmp(a, "--epochs")) bad = parse_int(v, 1, 1000, &o->epochs);
        else if (!strcmp(a, "--tf")) bad = parse_double(v, 1e-3, 1e3, &o->tf);
        else if (!strcmp(a, "--teq")) bad = parse_double(v, 0.0, 1e3, &o->teq);
        else if (!strcmp(a, "--min-time")) bad = parse_double(v, 1e-3, 60.0, &o->min_time);
        else if (!strcmp(a, "--gen-n")) {
            bad = parse_int(v, 1, 1 << 24, &gn);
            o->gen_n = gn;
        } else if (!strcmp(a, "--json")) o->json = v;
        else if (!strcmp(a, "--only")) {
            o->only = v;
            bad = strcmp(v, "all") && strcmp(v, "gemm") && strcmp(v, "noise") && strcmp(v, "train") &&
                  strcmp(v, "gen");
        }
        else {
            fprintf(stderr, "bench_host: unknown option %s\n\n", a);
            usage(stderr);
            return -1;
        }
        if (bad) {
            fprintf(stderr, "bench_host: bad value '%s' for %s\n", v, a);
            return -1;
        }
    }
    if (o->gen_n == 0) o->gen_n = o->batch;
    return 0;
}

/* ---- deterministic fill ------------------------------------------------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static double frand(void) /* uniform in [-1, 1) */
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) * 0x1p-52 - 1.0;
}
static void fill(double *a, size_t n, double scale)
{
    for (size_t i = 0; i < n; ++i) a[i] = scale * frand();
}

/* ---- BLAS shapes ---------------------------------------------------------- */

enum { G_CV, G_CH, G_CHH, G_DWVH1, G_DWVH2, G_SYR2K, G_NKIND };

typedef struct {
    const char *name;
    int kind;
    int rows;        /* batch rows (B or window*B) */
    double flops;    /* per call */
    double best_s;   /* best time per call */
    double gflops;
} shape;

typedef struct {
    int nv, nh, N;
    double *X, *Xp, *C, *R, *Wvh, *Whh, *gWvh, *gWhh;
} blasbuf;

static double shape_flops(int kind, int nv, int nh, int rows)
{
    double r = rows, v = nv, h = nh;
    switch (kind) {
    case G_CV: return 2.0 * r * v * h;
    case G_CH: return 2.0 * r * h * v;
    case G_CHH: return 2.0 * r * h * h;
    case G_DWVH1:
    case G_DWVH2: return 2.0 * v * h * r;
    default: return 2.0 * h * (h + 1.0) * r; /* both products, upper triangle */
    }
}

/* Exactly the calls of lv_coupling_force / lv_reverse_action_accumulate. */
static void run_shape(const blasbuf *b, int kind, int rows)
{
    const int nv = b->nv, nh = b->nh, N = b->N, M = rows;
    switch (kind) {
    case G_CV:
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, nv, nh, 1.0, b->X + nv, N, b->Wvh,
                    nh, 0.0, b->C, N);
        break;
    case G_CH:
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, nh, nv, 1.0, b->X, N, b->Wvh, nh,
                    0.0, b->C + nv, N);
        break;
    case G_CHH:
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, nh, nh, 1.0, b->X + nv, N, b->Whh,
                    nh, 1.0, b->C + nv, N);
        break;
    case G_DWVH1:
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, nv, nh, M, 1.0, b->R, N, b->Xp + nv, N,
                    1.0, b->gWvh, nh);
        break;
    case G_DWVH2:
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, nv, nh, M, 1.0, b->Xp, N, b->R + nv, N,
                    1.0, b->gWvh, nh);
        break;
    default:
        cblas_dsyr2k(CblasRowMajor, CblasUpper, CblasTrans, nh, M, 1.0, b->R + nv, N, b->Xp + nv, N,
                     1.0, b->gWhh, nh);
        break;
    }
}

/* Best time per call over 5 timed blocks of total length ~min_time. */
static void time_shape(const blasbuf *b, shape *s, double min_time)
{
    run_shape(b, s->kind, s->rows); /* warm-up */
    double t0 = lv_now();
    run_shape(b, s->kind, s->rows);
    double one = lv_now() - t0;
    long reps = (long)(min_time / 5.0 / (one > 1e-7 ? one : 1e-7));
    if (reps < 1) reps = 1;
    double best = 1e300;
    for (int blk = 0; blk < 5; ++blk) {
        t0 = lv_now();
        for (long r = 0; r < reps; ++r) run_shape(b, s->kind, s->rows);
        double t = (lv_now() - t0) / (double)reps;
        if (t < best) best = t;
    }
    s->best_s = best;
    s->gflops = s->flops / best * 1e-9;
}

/* Rate of a set of shapes as used together: total flops / total time. */
static double set_gflops(const shape *s, int n)
{
    double f = 0, t = 0;
    for (int i = 0; i < n; ++i) {
        f += s[i].flops;
        t += s[i].best_s;
    }
    return f / t * 1e-9;
}

/* ---- model ---------------------------------------------------------------- */

static int make_model(lv_model *m, const opts *o, lv_error *err)
{
    lv_physics ph = lv_physics_default();
    ph.nv = o->nv;
    ph.nh = o->nh;
    ph.tf = o->tf;
    lv_protocol pr = lv_protocol_default();
    pr.t_eq = o->teq;
    if (lv_model_init(m, &ph, &pr, err)) return -1;
    const size_t nv = (size_t)o->nv, nh = (size_t)o->nh;
    /* Small random couplings: keeps Euler stable and the dynamics generic. */
    const double sc = 0.5 / (double)(nv + nh);
    fill(m->p.Wvh, nv * nh, sc);
    for (size_t i = 0; i < nh; ++i) {
        m->p.Whh[i * nh + i] = 0.0;
        for (size_t j = i + 1; j < nh; ++j) m->p.Whh[i * nh + j] = m->p.Whh[j * nh + i] = sc * frand();
    }
    fill(m->p.bh, nh, 0.05);
    m->seed = 12345;
    /* Synthetic training digits, normalised to zero mean and unit variance. */
    enum { ND = 16 };
    double *d = malloc(ND * nv * sizeof(double));
    if (!d) return lv_fail(err, "out of memory for digits");
    for (int k = 0; k < ND; ++k) {
        double *x = d + (size_t)k * nv, mean = 0, var = 0;
        for (size_t i = 0; i < nv; ++i) mean += (x[i] = frand() > 0.2 ? 1.0 : -1.0);
        mean /= (double)nv;
        for (size_t i = 0; i < nv; ++i) var += (x[i] - mean) * (x[i] - mean);
        double sd = var > 0 ? sqrt(var / (double)nv) : 1.0;
        for (size_t i = 0; i < nv; ++i) x[i] = (x[i] - mean) / sd;
    }
    int rc = lv_model_set_digits(m, ND, d, NULL, NULL, err);
    free(d);
    if (rc) return -1;
    return lv_model_validate(m, err);
}

/* GEMM flops of one coupling force on `rows` rows / one gradient block. */
static double force_flops(int nv, int nh, double rows)
{
    return 2.0 * rows * (2.0 * nv * nh + (double)nh * nh);
}
static double grad_flops(int nv, int nh, double rows)
{
    return rows * (4.0 * nv * nh + 2.0 * nh * (nh + 1.0));
}

typedef struct {
    double best_s, mean_s, unit_steps, flop_rate, ratio;
} phase_result;

static cJSON *phase_json(const phase_result *r, double gemm, int have_gemm)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "best_seconds", r->best_s);
    cJSON_AddNumberToObject(o, "mean_seconds", r->mean_s);
    cJSON_AddNumberToObject(o, "unit_steps_per_s", r->unit_steps);
    cJSON_AddNumberToObject(o, "flop_equiv_gflops", r->flop_rate * 1e-9);
    if (have_gemm) {
        cJSON_AddNumberToObject(o, "gemm_gflops", gemm);
        cJSON_AddNumberToObject(o, "ratio_to_gemm", r->ratio);
        cJSON_AddBoolToObject(o, "reaches_half_gemm", r->ratio >= 0.5);
    }
    return o;
}

/* ---- phases --------------------------------------------------------------- */

static const char *shape_names[G_NKIND] = {"C_v  = X_h Wvh^T", "C_h  = X_v Wvh", "C_h += X_h Whh",
                                           "dWvh += R_v^T X'_h", "dWvh += X'_v^T R_h",
                                           "dWhh += syr2k(R_h,X'_h)"};

/* gen[3] on rows B, trn[G_NKIND] on rows window*B. */
static int bench_gemm(const opts *o, shape gen[3], shape trn[G_NKIND])
{
    const int nv = o->nv, nh = o->nh, N = nv + nh, B = o->batch, Rw = o->window * o->batch;
    blasbuf bb = {.nv = nv, .nh = nh, .N = N};
    size_t rowsmax = (size_t)(Rw > B ? Rw : B);
    bb.X = malloc(rowsmax * N * sizeof(double));
    bb.Xp = malloc(rowsmax * N * sizeof(double));
    bb.C = malloc(rowsmax * N * sizeof(double));
    bb.R = malloc(rowsmax * N * sizeof(double));
    bb.Wvh = malloc((size_t)nv * nh * sizeof(double));
    bb.Whh = malloc((size_t)nh * nh * sizeof(double));
    bb.gWvh = calloc((size_t)nv * nh, sizeof(double));
    bb.gWhh = calloc((size_t)nh * nh, sizeof(double));
    int rc = 0;
    if (!bb.X || !bb.Xp || !bb.C || !bb.R || !bb.Wvh || !bb.Whh || !bb.gWvh || !bb.gWhh) {
        fprintf(stderr, "bench_host: out of memory for the GEMM operands\n");
        rc = -1;
        goto out;
    }
    fill(bb.X, rowsmax * N, 1.0);
    fill(bb.Xp, rowsmax * N, 1.0);
    fill(bb.R, rowsmax * N, 1.0);
    fill(bb.C, rowsmax * N, 1.0);
    fill(bb.Wvh, (size_t)nv * nh, 0.01);
    fill(bb.Whh, (size_t)nh * nh, 0.01);
    for (int k = 0; k < 3; ++k)
        gen[k] = (shape){.name = shape_names[k], .kind = k, .rows = B, .flops = shape_flops(k, nv, nh, B)};
    for (int k = 0; k < G_NKIND; ++k)
        trn[k] = (shape){.name = shape_names[k], .kind = k, .rows = Rw, .flops = shape_flops(k, nv, nh, Rw)};
    for (int k = 0; k < 3; ++k) time_shape(&bb, &gen[k], o->min_time);
    for (int k = 0; k < G_NKIND; ++k) time_shape(&bb, &trn[k], o->min_time);
out:
    free(bb.X);
    free(bb.Xp);
    free(bb.C);
    free(bb.R);
    free(bb.Wvh);
    free(bb.Whh);
    free(bb.gWvh);
    free(bb.gWhh);
    return rc;
}

static void shape_dims(const shape *s, int nv, int nh, int *M, int *Nn, int *K)
{
    if (s->kind <= G_CHH) {
        *M = s->rows;
        *Nn = s->kind == G_CV ? nv : nh;
        *K = s->kind == G_CH ? nv : nh;
    } else {
        *M = s->kind == G_SYR2K ? nh : nv;
        *Nn = nh;
        *K = s->rows;
    }
}

/* Single-thread and all-thread normals/s of lv_normals on rows of N units. */
static void bench_noise(const opts *o, double *one, double *all)
{
    const int N = o->nv + o->nh, threads = omp_get_max_threads();
    double *buf = malloc((size_t)threads * N * sizeof(double));
    if (!buf) {
        *one = *all = 0;
        return;
    }
    long nrows = 0;
    double t0 = lv_now(), t;
    do {
        for (int r = 0; r < 64; ++r, ++nrows) lv_normals(7, (uint64_t)nrows, 3, 0, (size_t)N, buf);
        t = lv_now() - t0;
    } while (t < o->min_time);
    *one = (double)nrows * N / t;
    long rows_mt = (long)(*one * o->min_time / N) * threads + threads;
    t0 = lv_now();
#pragma omp parallel for schedule(static)
    for (long r = 0; r < rows_mt; ++r)
        lv_normals(7, (uint64_t)r, 4, 0, (size_t)N, buf + (size_t)omp_get_thread_num() * N);
    *all = (double)rows_mt * N / (lv_now() - t0);
    free(buf);
}

/* Coupling-free Euler steps (noise + elementwise only): unit-steps/s. */
static int bench_free(const opts *o, const lv_model *m, double *rate, lv_error *err)
{
    const int B = o->batch, N = o->nv + o->nh;
    double *X = calloc((size_t)B * N, sizeof(double)), *eta = malloc((size_t)B * N * sizeof(double));
    uint64_t *streams = malloc((size_t)B * sizeof(uint64_t));
    int rc = 0;
    if (!X || !eta || !streams) {
        rc = lv_fail(err, "out of memory");
        goto out;
    }
    for (int b = 0; b < B; ++b) streams[b] = LV_STREAM_MISC + (uint64_t)b;
    long steps = 50, total = 0;
    double t0 = lv_now(), t;
    do {
        if (lv_free_steps(&m->phys, X, (size_t)B, NULL, 0.0, 1, streams, (uint32_t)total, steps, eta,
                          err)) {
            rc = -1;
            goto out;
        }
        total += steps;
        t = lv_now() - t0;
    } while (t < o->min_time);
    *rate = (double)B * N * (double)total / t;
out:
    free(X);
    free(eta);
    free(streams);
    return rc;
}

static int bench_train(const opts *o, lv_model *m, long K, phase_result *r, lv_error *err)
{
    const int nv = o->nv, nh = o->nh, N = nv + nh, B = o->batch, W = o->window;
    lv_train_opts to = lv_train_opts_default();
    to.batch = B;
    to.window = W;
    to.lr = 1e-4;
    lv_trainer *tr = NULL;
    if (lv_trainer_new(&tr, m, &to, err)) return -1;
    lv_epoch_stats st;
    *r = (phase_result){.best_s = 1e300};
    double sum = 0;
    for (int e = -1; e < o->epochs; ++e) { /* epoch -1: warm-up */
        double t0 = lv_now();
        if (lv_trainer_epoch(tr, &st, err)) {
            lv_trainer_free(tr);
            return lv_fail_prefix(err, "training epoch");
        }
        double t = lv_now() - t0;
        if (e < 0) continue;
        sum += t;
        if (t < r->best_s) r->best_s = t;
    }
    lv_trainer_free(tr);
    r->mean_s = sum / o->epochs;
    double flops = force_flops(nv, nh, B); /* gradient at the start point */
    for (long k0 = 0; k0 < K; k0 += W) {
        double rows = (double)((K - k0 < W) ? K - k0 : W) * B;
        flops += force_flops(nv, nh, rows) + grad_flops(nv, nh, rows);
    }
    r->unit_steps = (double)B * N * (double)K / r->best_s;
    r->flop_rate = flops / r->best_s;
    return 0;
}

static int bench_gen(const opts *o, const lv_model *m, long K, phase_result *r, lv_error *err)
{
    const int nv = o->nv, nh = o->nh, N = nv + nh, B = o->batch;
    lv_gen_opts go = lv_gen_opts_default();
    go.n = o->gen_n;
    go.batch = B;
    go.seed = 3;
    go.strip_traj = 0;
    go.snapshots = 2;
    *r = (phase_result){.best_s = 1e300};
    double sum = 0;
    for (int e = -1; e < o->epochs; ++e) { /* run -1: warm-up */
        lv_gen_result res;
        double t0 = lv_now();
        if (lv_generate(m, &go, &res, NULL, NULL, err)) return lv_fail_prefix(err, "generation");
        double t = lv_now() - t0;
        lv_gen_result_free(&res);
        if (e < 0) continue;
        sum += t;
        if (t < r->best_s) r->best_s = t;
    }
    r->mean_s = sum / o->epochs;
    double flops = 0; /* force at the start, after each step, and for V at the end */
    for (long base = 0; base < go.n; base += B) {
        double rows = (double)(go.n - base < B ? go.n - base : B);
        flops += (double)(K + 2) * force_flops(nv, nh, rows);
    }
    r->unit_steps = (double)go.n * N * (double)K / r->best_s;
    r->flop_rate = flops / r->best_s;
    return 0;
}

/* ---- main ------------------------------------------------------------------ */

static void print_phase(const char *name, const phase_result *r, double gemm, int have_gemm)
{
    printf("  %-11s %9.3f %9.3f %13.3e %11.2f", name, r->best_s, r->mean_s, r->unit_steps,
           r->flop_rate * 1e-9);
    if (have_gemm)
        printf(" %11.2f %7.3f  %s\n", gemm, r->ratio, r->ratio >= 0.5 ? "PASS" : "BELOW TARGET");
    else
        printf(" %11s %7s  %s\n", "-", "-", "(no GEMM run)");
}

int main(int argc, char **argv)
{
    opts o;
    if (parse_args(argc, argv, &o)) return 2;
    lv_error err = {{0}};
    const int nv = o.nv, nh = o.nh, N = nv + nh, B = o.batch, W = o.window;
    const int threads = omp_get_max_threads();
    const int all = !strcmp(o.only, "all");
    const int do_gemm = all || !strcmp(o.only, "gemm"), do_noise = all || !strcmp(o.only, "noise");
    const int do_train = all || !strcmp(o.only, "train"), do_gen = all || !strcmp(o.only, "gen");

    const char *ct = getenv("OPENBLAS_CORETYPE");
    printf("bench_host: nv=%d nh=%d batch=%d window=%d t_f=%g t_eq=%g\n", nv, nh, B, W, o.tf, o.teq);
    printf("OpenBLAS: core %s, OPENBLAS_CORETYPE=%s, %d OpenMP / %d OpenBLAS threads\n",
           openblas_get_corename(), ct ? ct : "(unset)", threads, openblas_get_num_threads());
    printf("          %s\n", openblas_get_config());
    const double load0 = lv_bench_loadavg1();

    shape gen[3], trn[G_NKIND];
    double gemm_gen = 0, gemm_trn = 0;
    if (do_gemm) {
        if (bench_gemm(&o, gen, trn)) return 1;
        gemm_gen = set_gflops(gen, 3);
        gemm_trn = set_gflops(trn, G_NKIND);
        printf("\nBLAS on the batched step's shapes (best of 5 blocks)\n");
        printf("  %-5s %-24s %6s %6s %6s %10s %9s\n", "use", "operation", "M", "N", "K", "us/call",
               "GFLOP/s");
        for (int pass = 0; pass < 2; ++pass) {
            const shape *s = pass ? trn : gen;
            for (int k = 0; k < (pass ? G_NKIND : 3); ++k) {
                int M, Nn, K;
                shape_dims(&s[k], nv, nh, &M, &Nn, &K);
                printf("  %-5s %-24s %6d %6d %6d %10.1f %9.2f\n", pass ? "train" : "gen", s[k].name, M,
                       Nn, K, s[k].best_s * 1e6, s[k].gflops);
            }
        }
        printf("  generation set (3 calls, rows %d):      %9.2f GFLOP/s\n", B, gemm_gen);
        printf("  training window set (6 calls, rows %d): %9.2f GFLOP/s\n", W * B, gemm_trn);
    }

    double normals_1t = 0, normals_mt = 0, free_rate = 0;
    if (do_noise) bench_noise(&o, &normals_1t, &normals_mt);

    phase_result trr = {0}, gnr = {0};
    long K = 0;
    if (do_noise || do_train || do_gen) {
        lv_model m;
        memset(&m, 0, sizeof m);
        if (make_model(&m, &o, &err) || lv_steps_for(m.phys.tf, m.phys.dt, &K, &err) ||
            (do_noise && bench_free(&o, &m, &free_rate, &err)) ||
            (do_train && bench_train(&o, &m, K, &trr, &err)) ||
            (do_gen && bench_gen(&o, &m, K, &gnr, &err))) {
            fprintf(stderr, "bench_host: %s\n", err.msg);
            lv_model_free(&m);
            return 1;
        }
        lv_model_free(&m);
    }
    if (do_gemm) {
        trr.ratio = trr.flop_rate * 1e-9 / gemm_trn;
        gnr.ratio = gnr.flop_rate * 1e-9 / gemm_gen;
    }

    if (do_train || do_gen) {
        printf("\nBatched step: %ld steps x %d units per trajectory (time: best of %d runs, and mean)\n",
               K, N, o.epochs);
        printf("  %-11s %9s %9s %13s %11s %11s %7s  %s\n", "phase", "best s", "mean s", "unit-steps/s",
               "GFLOP-eq/s", "GEMM GF/s", "ratio", "target: ratio >= 0.5");
        if (do_train) print_phase("training", &trr, gemm_trn, do_gemm);
        if (do_gen) print_phase("generation", &gnr, gemm_gen, do_gemm);
        printf("  GFLOP-eq/s: GEMM work the phase must do / its wall time; GEMM GF/s: the same\n"
               "  calls timed alone (training: window set, generation: generation set).\n");
    }
    if (do_noise) {
        printf("\nNoise (lv_normals): %.3e normals/s on 1 thread = %.2f ns/normal; %.3e/s on %d threads\n",
               normals_1t, 1e9 / normals_1t, normals_mt, threads);
        printf("Coupling-free Euler steps (lv_free_steps, %d rows): %.3e unit-steps/s\n", B, free_rate);
    }

    const double load1 = lv_bench_loadavg1();
    printf("\nLoad average (1 min) at start/end: %.2f / %.2f", load0, load1);
    if (load0 > 1.0 + threads / 2.0 || load1 > 1.0 + threads / 2.0)
        printf("  -- the machine is busy: multi-threaded timings (OpenMP barriers) are unreliable;\n"
               "     compare with OMP_NUM_THREADS=1");
    printf("\n");

    if (o.json) {
        cJSON *j = cJSON_CreateObject();
        cJSON *cfg = cJSON_AddObjectToObject(j, "config");
        cJSON_AddNumberToObject(cfg, "nv", nv);
        cJSON_AddNumberToObject(cfg, "nh", nh);
        cJSON_AddNumberToObject(cfg, "batch", B);
        cJSON_AddNumberToObject(cfg, "window", W);
        cJSON_AddNumberToObject(cfg, "epochs", o.epochs);
        cJSON_AddNumberToObject(cfg, "tf", o.tf);
        cJSON_AddNumberToObject(cfg, "teq", o.teq);
        cJSON_AddNumberToObject(cfg, "steps", (double)K);
        cJSON_AddNumberToObject(cfg, "gen_n", (double)o.gen_n);
        cJSON_AddStringToObject(cfg, "only", o.only);
        cJSON *env = cJSON_AddObjectToObject(j, "blas");
        cJSON_AddStringToObject(env, "corename", openblas_get_corename());
        cJSON_AddStringToObject(env, "config", openblas_get_config());
        cJSON_AddStringToObject(env, "OPENBLAS_CORETYPE", ct ? ct : "");
        cJSON_AddNumberToObject(env, "omp_threads", threads);
        cJSON_AddNumberToObject(env, "openblas_threads", openblas_get_num_threads());
        cJSON_AddNumberToObject(env, "loadavg_start", load0);
        cJSON_AddNumberToObject(env, "loadavg_end", load1);
        if (do_gemm) {
            cJSON *ga = cJSON_AddArrayToObject(j, "gemm");
            for (int pass = 0; pass < 2; ++pass) {
                const shape *s = pass ? trn : gen;
                for (int k = 0; k < (pass ? G_NKIND : 3); ++k) {
                    int M, Nn, Kd;
                    shape_dims(&s[k], nv, nh, &M, &Nn, &Kd);
                    cJSON *e = cJSON_CreateObject();
                    cJSON_AddStringToObject(e, "use", pass ? "train" : "generate");
                    cJSON_AddStringToObject(e, "op", s[k].name);
                    cJSON_AddNumberToObject(e, "M", M);
                    cJSON_AddNumberToObject(e, "N", Nn);
                    cJSON_AddNumberToObject(e, "K", Kd);
                    cJSON_AddNumberToObject(e, "seconds_per_call", s[k].best_s);
                    cJSON_AddNumberToObject(e, "gflops", s[k].gflops);
                    cJSON_AddItemToArray(ga, e);
                }
            }
            cJSON_AddNumberToObject(j, "gemm_generation_gflops", gemm_gen);
            cJSON_AddNumberToObject(j, "gemm_training_gflops", gemm_trn);
        }
        if (do_train) cJSON_AddItemToObject(j, "training", phase_json(&trr, gemm_trn, do_gemm));
        if (do_gen) cJSON_AddItemToObject(j, "generation", phase_json(&gnr, gemm_gen, do_gemm));
        if (do_noise) {
            cJSON *nz = cJSON_AddObjectToObject(j, "noise");
            cJSON_AddNumberToObject(nz, "normals_per_s_1thread", normals_1t);
            cJSON_AddNumberToObject(nz, "ns_per_normal_1thread", 1e9 / normals_1t);
            cJSON_AddNumberToObject(nz, "normals_per_s_all_threads", normals_mt);
            cJSON_AddNumberToObject(nz, "free_steps_unit_steps_per_s", free_rate);
        }
        char *txt = cJSON_Print(j);
        cJSON_Delete(j);
        FILE *f = txt ? fopen(o.json, "w") : NULL;
        int bad = !f || fputs(txt, f) < 0 || fputc('\n', f) == EOF;
        if (f && fclose(f)) bad = 1;
        free(txt);
        if (bad) {
            fprintf(stderr, "bench_host: could not write %s\n", o.json);
            return 1;
        }
        printf("JSON summary written to %s\n", o.json);
    }
    return 0;
}
