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

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static double frand(void) /* uniform in [-1, 1) */
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) * 0x1p-52 - 1.0;
}

/* Per-row exponent for codes of `bits` bits and largest |value| mx. */
static int row_exp(double mx, int bits)
{
    int e = mx > 0 ? (int)floor(log2((double)((1 << (bits - 1)) - 1) / mx)) : 0;
    return e < -16 ? -16 : e > 47 ? 47 : e;
}

/* Random image (couplings ~ U(-sc, sc), hidden biases ~ U(-0.05, 0.05)) and
 * the float model holding exactly its decoded parameters. */
static int make_pair(const opts *o, lv_dev_image *img, lv_model *m, lv_error *err)
{
    const int nv = o->nv, nh = o->nh;
    const double sc = 0.5 / (double)(nv + nh);
    memset(img, 0, sizeof *img);
    img->nv = nv;
    img->nh = nh;
    img->wx = 24;
    img->fx = 20;
    img->bj = o->bj;
    img->bb = 16;
    img->wf = 32;
    img->ff = 16;
    img->j2 = 65536;
    img->j4 = 65536;
    img->k = 4294967u; /* mu dt = 1e-3 */
    img->bn = 14;
    img->colour_c = lv_dac_colour_c(0);
    img->ticks_eq = (uint32_t)o->teq;
    img->ticks_run = (uint32_t)o->run;
    if (lv_dac_gain(sqrt(2.0 * 0.1 * 1e-3) * 1048576.0, 14, 0, 0.0, &img->gain, err)) return -1;
    img->m = lv_dev_couplings(nv, nh, 0);
    img->n_rows = lv_dev_rows(nv, nh, 0);
    img->c = malloc(img->m * sizeof(int16_t));
    img->ej = malloc(img->n_rows);
    img->cb = calloc((size_t)(nv + nh), sizeof(int32_t));
    double *J = malloc(img->m * sizeof(double));
    if (!img->c || !img->ej || !img->cb || !J) return lv_fail(err, "out of memory for the image");
    for (size_t k = 0; k < img->m; ++k) J[k] = sc * frand();
    size_t off = 0;
    for (size_t r = 0; r < img->n_rows; ++r) {
        size_t cnt = r < (size_t)nv ? (size_t)nh : (size_t)(nh - 1 - ((int)r - nv));
        double mx = 0;
        for (size_t k = 0; k < cnt; ++k) mx = fmax(mx, fabs(J[off + k]));
        int e = cnt ? row_exp(mx, o->bj) : row_exp(sc, o->bj);
        img->ej[r] = (int8_t)e;
        for (size_t k = 0; k < cnt; ++k) img->c[off + k] = (int16_t)lrint(ldexp(J[off + k], e));
        off += cnt;
    }
    free(J);
    img->eb[0] = (int8_t)row_exp(0.05, img->bb);
    img->eb[1] = img->eb[0];
    for (int h = 0; h < nh; ++h) img->cb[nv + h] = (int32_t)lrint(ldexp(0.05 * frand(), img->eb[1]));

    lv_physics ph = lv_physics_default();
    ph.nv = nv;
    ph.nh = nh;
    ph.tf = o->run * ph.dt;
    lv_protocol pr = lv_protocol_default();
    pr.t_eq = o->teq * ph.dt;
    if (lv_model_init(m, &ph, &pr, err)) return -1;
    off = 0;
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
