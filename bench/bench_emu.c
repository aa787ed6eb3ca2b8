/* bench_emu.c - throughput of the emulated fixed-point device against the
 * float reference computer, in one run, on equivalent models.
 *
 * A paper-size random model (784 + 512 units by default) is quantized to a
 * device image (8-bit couplings with per-row exponents, 16-bit biases,
 * default formats of docs/fixed-point.md §2); the float model is the
 * image's decoded parameters, so both computers integrate the same
 * potential.  Both generate the same number of trajectories with the same
 * protocol (ticks_eq coupling-free ticks, then ticks_run coupled ticks, heat
 * and energies measured): lv_dev_generate against lv_generate.  Reported:
 * unit-ticks/s of each (n * N * (t_eq + t_run) / best wall time of
 * --repeat runs after a warm-up), the ratio emulator / float (target >=
 * 0.5), the emulator's field path (GEMM digits), and the share of one tick
 * spent in the coupling field.  Informational only: exits 0 unless
 * something fails.
 *
 * usage: bench_emu [--nv N] [--nh N] [--batch B] [--bj BITS] [--teq TICKS]
 *                  [--run TICKS] [--repeat R]
 */
#include <stdio.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cblas.h>

#include "bench_image.h"
#include "bench_util.h"
#include "progress.h"
#include "coupling_network.h"
#include "device.h"
#include "generate.h"
#include "model.h"
#include "noise_dac.h"


typedef struct {
    int nv, nh, batch, bj, teq, run, repeat;
} opts;

static int parse_args(int argc, char **argv, opts *o)
{
    *o = (opts){.nv = 784, .nh = 512, .batch = 32, .bj = 8, .teq = 0, .run = 250, .repeat = 3};
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            puts("usage: bench_emu [--nv N] [--nh N] [--batch B] [--bj BITS] [--teq TICKS] [--run TICKS] "
                 "[--repeat R]\n"
                 "  defaults: 784 512 32 8 0 250 3 (paper size, the host bench's t_f = 0.25)");
            exit(0);
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "bench_emu: option %s needs a value\n", a);
            return -1;
        }
        const char *v = argv[++i];
        int bad;
        if (!strcmp(a, "--nv")) bad = lv_bench_parse_int(v, 1, 4096, &o->nv);
        else if (!strcmp(a, "--nh")) bad = lv_bench_parse_int(v, 2, 4096, &o->nh);
        else if (!strcmp(a, "--batch")) bad = lv_bench_parse_int(v, 1, 4096, &o->batch);
        else if (!strcmp(a, "--bj")) bad = lv_bench_parse_int(v, 2, 16, &o->bj);
        else if (!strcmp(a, "--teq")) bad = lv_bench_parse_int(v, 0, 100000, &o->teq);
        else if (!strcmp(a, "--run")) bad = lv_bench_parse_int(v, 1, 100000, &o->run);
        else if (!strcmp(a, "--repeat")) bad = lv_bench_parse_int(v, 1, 100, &o->repeat);
        else {
            fprintf(stderr, "bench_emu: unknown option %s\n", a);
            return -1;
        }
        if (bad) {
            fprintf(stderr, "bench_emu: bad value '%s' for %s\n", v, a);
            return -1;
        }
    }
    return 0;
}

static uint64_t rng_state = LV_BENCH_RNG_SEED;
static double frand(void) { return lv_bench_frand(&rng_state); } /* uniform in [-1, 1) */

/* The shared benchmark image (bench_image.h) and the float model holding
 * exactly its decoded parameters. */
static int make_pair(const opts *o, lv_dev_image *img, lv_model *m, lv_error *err)
{
    const int nv = o->nv, nh = o->nh;
    if (lv_bench_image(nv, nh, o->bj, &rng_state, img, err)) return -1;
    img->ticks_eq = (uint32_t)o->teq;
    img->ticks_run = (uint32_t)o->run;

    lv_physics ph = lv_physics_default();
    ph.nv = nv;
    ph.nh = nh;
    ph.tf = o->run * ph.dt;
    lv_protocol pr = lv_protocol_default();
    pr.t_eq = o->teq * ph.dt;
    if (lv_model_init(m, &ph, &pr, err)) return -1;
    size_t off = 0;
    for (int v = 0; v < nv; ++v)
        for (int h = 0; h < nh; ++h) m->p.Wvh[(size_t)v * nh + h] = ldexp(img->c[off++], -img->ej[v]);
    for (int h = 0; h < nh; ++h)
        for (int h2 = h + 1; h2 < nh; ++h2) {
            double w = ldexp(img->c[off++], -img->ej[nv + h]);
            m->p.Whh[(size_t)h * nh + h2] = m->p.Whh[(size_t)h2 * nh + h] = w;
        }
    for (int h = 0; h < nh; ++h) m->p.bh[h] = ldexp(img->cb[nv + h], -img->eb[1]);
    enum { ND = 4 };
    double *d = malloc(ND * (size_t)nv * sizeof(double));
    if (!d) return lv_fail(err, "out of memory for digits");
    for (size_t k = 0; k < ND * (size_t)nv; ++k) d[k] = (k % 2) ? 1.0 : -1.0;
    int rc = lv_model_set_digits(m, ND, d, NULL, NULL, err);
    free(d);
    return rc ? rc : lv_model_validate(m, err);
}

int main(int argc, char **argv)
{
    opts o;
    if (parse_args(argc, argv, &o)) return 2;
    lv_error err = {{0}};
    const int N = o.nv + o.nh, B = o.batch;
    const double load0 = lv_bench_loadavg1();
    printf("bench_emu: nv=%d nh=%d batch=%d BJ=%d ticks: %d coupling-free + %d coupled; "
           "%d OpenMP / %d OpenBLAS threads\n",
           o.nv, o.nh, B, o.bj, o.teq, o.run, omp_get_max_threads(), openblas_get_num_threads());
    lv_dev_image img;
    lv_model m;
    memset(&m, 0, sizeof m);
    if (make_pair(&o, &img, &m, &err)) {
        fprintf(stderr, "bench_emu: %s\n", err.msg);
        return 1;
    }
    lv_dev *d = lv_dev_create(&img, NULL, B, &err);
    if (!d) {
        fprintf(stderr, "bench_emu: %s\n", err.msg);
        return 1;
    }
    const lv_coupling_net *cn = lv_dev_network(d);
    printf("device: M = %zu couplings, field path %s (%d GEMM digit%s), accumulator <= 2^%.1f\n", img.m,
           lv_dev_field_path(d) == LV_CN_GEMM ? "GEMM" : "int64", lv_cn_gemm_slices(cn),
           lv_cn_gemm_slices(cn) == 1 ? "" : "s", lv_cn_acc_log2(cn));
    uint64_t *seeds = malloc((size_t)B * sizeof(uint64_t));
    for (int b = 0; b < B; ++b) seeds[b] = 1000 + (uint64_t)b;
    const double work = (double)B * N * (double)(o.teq + o.run); /* unit-ticks per generation */

    /* Emulator. */
    double best_e = 1e300, qe = 0;
    for (int r = -1; r < o.repeat; ++r) {
        lv_dev_gen_result res;
        double t0 = lv_now();
        if (lv_dev_generate(d, (size_t)B, seeds, &res, &err)) {
            fprintf(stderr, "bench_emu: %s\n", err.msg);
            return 1;
        }
        double t = lv_now() - t0;
        if (r >= 0 && t < best_e) best_e = t;
        qe = res.q_path[0];
        lv_dev_gen_result_free(&res);
    }
    /* Share of the coupling field alone (the same GEMM / int64 call, per tick). */
    double best_f = 1e300;
    {
        lv_coupling_net *c2 = NULL;
        int64_t *f = malloc((size_t)B * N * sizeof(int64_t));
        int32_t *x = malloc((size_t)B * N * sizeof(int32_t));
        if (!f || !x || lv_cn_create(&c2, &img, 0, 0, 0, B, LV_CN_AUTO, &err)) {
            fprintf(stderr, "bench_emu: %s\n", err.msg[0] ? err.msg : "out of memory");
            return 1;
        }
        for (size_t k = 0; k < (size_t)B * N; ++k) x[k] = (int32_t)(frand() * 300000);
        for (int r = 0; r < 5; ++r) {
            double t0 = lv_now();
            for (int k = 0; k < 20; ++k) lv_cn_field(c2, x, (size_t)B, f);
            double t = (lv_now() - t0) / 20;
            if (t < best_f) best_f = t;
        }
        lv_cn_free(c2);
        free(f);
        free(x);
    }

    /* The coupling field alone against the batch size, int64 path against
     * GEMM path (same bits): where LV_CN_AUTO's small-batch switch to int64
     * (coupling_network.c, LV_CN_INT64_MAX_ROWS) pays. */
    printf("\n  coupling field per call, by rows (best of 3; int64 / GEMM < 1: int64 faster)\n");
    printf("  %6s %12s %12s %8s\n", "rows", "int64 ms", "GEMM ms", "ratio");
    {
        enum { RMAX = 64 };
        lv_coupling_net *ci = NULL, *cg = NULL;
        int64_t *f = malloc((size_t)RMAX * N * sizeof(int64_t));
        int32_t *x = malloc((size_t)RMAX * N * sizeof(int32_t));
        if (!f || !x || lv_cn_create(&ci, &img, 0, 0, 0, RMAX, LV_CN_INT64, &err) ||
            lv_cn_create(&cg, &img, 0, 0, 0, RMAX, LV_CN_GEMM, &err)) {
            fprintf(stderr, "bench_emu: %s\n", err.msg[0] ? err.msg : "out of memory");
            return 1;
        }
        for (size_t k = 0; k < (size_t)RMAX * N; ++k) x[k] = (int32_t)(frand() * 300000);
        for (int rows = 1; rows <= RMAX; rows *= 2) {
            double bt[2] = {1e300, 1e300};
            for (int w = 0; w < 2; ++w)
                for (int r = 0; r < 3; ++r) {
                    const int calls = rows < 8 ? 8 : 2;
                    double t0 = lv_now();
                    for (int k = 0; k < calls; ++k) lv_cn_field(w ? cg : ci, x, (size_t)rows, f);
                    double t = (lv_now() - t0) / calls;
                    if (t < bt[w]) bt[w] = t;
                }
            printf("  %6d %12.3f %12.3f %8.2f\n", rows, 1e3 * bt[0], 1e3 * bt[1], bt[0] / bt[1]);
        }
        lv_cn_free(ci);
        lv_cn_free(cg);
        free(f);
        free(x);
    }

    /* Float reference, the same protocol. */
    lv_gen_opts go = lv_gen_opts_default();
    go.n = B;
    go.batch = B;
    go.seed = 3;
    go.strip_traj = 0;
    go.snapshots = 2;
    double best_h = 1e300, qh = 0;
    for (int r = -1; r < o.repeat; ++r) {
        lv_gen_result res;
        double t0 = lv_now();
        if (lv_generate(&m, &go, &res, NULL, NULL, &err)) {
            fprintf(stderr, "bench_emu: float generation: %s\n", err.msg);
            return 1;
        }
        double t = lv_now() - t0;
        if (r >= 0 && t < best_h) best_h = t;
        qh = res.Q_path[0];
        lv_gen_result_free(&res);
    }

    const double re = work / best_e, rh = work / best_h, ticks = (double)(o.teq + o.run);
    printf("\n  %-28s %10s %14s\n", "generation (best of runs)", "seconds", "unit-ticks/s");
    printf("  %-28s %10.3f %14.3e\n", "emulator (lv_dev_generate)", best_e, re);
    printf("  %-28s %10.3f %14.3e\n", "float (lv_generate)", best_h, rh);
    printf("  ratio emulator / float: %.3f  (target >= 0.5: %s)\n", re / rh, re / rh >= 0.5 ? "PASS" : "BELOW TARGET");
    printf("  emulator per tick: %.3f ms, of which coupling field %.3f ms (%.0f %%)\n", 1e3 * best_e / (ticks + 2),
           1e3 * best_f, 100 * best_f * (ticks + 2) / best_e);
    printf("  (sanity: Q_path of trajectory 0, emulator %.4f, float %.4f -- different noise, same scale)\n", qe, qh);
    const double load1 = lv_bench_loadavg1();
    printf("Load average (1 min) at start/end: %.2f / %.2f%s\n", load0, load1,
           (load0 > 1.0 + omp_get_max_threads() / 2.0 || load1 > 1.0 + omp_get_max_threads() / 2.0)
               ? "  -- the machine is busy; compare with OMP_NUM_THREADS=1"
               : "");
    free(seeds);
    lv_dev_free(d);
    lv_dev_image_free(&img);
    lv_model_free(&m);
    return 0;
}
