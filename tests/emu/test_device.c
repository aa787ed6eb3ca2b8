/* test_device.c - the emulated device as a whole (device.h).
 *
 *  - validation: malformed images (formats, codes, sizes, K, DAC, instance,
 *    batch) and images beyond the §10 bounds (among them Wx = 32, Fx = 24)
 *    are refused with a message naming the problem;
 *  - a trajectory's bits do not depend on its batch, its position in the
 *    batch, the field path (int64 / GEMM), the OpenMP thread count, or on
 *    splitting a run; a mismatch instance with Sm = 0 equals the ideal chip;
 *  - noise of tick t is lv_noise_z(seed, t, i) through the DAC;
 *  - lv_dev_generate equals the documented run sequence;
 *  - saturation: a state pinned at the limit by the noise offset clamps
 *    every unit-tick (SAT_STATE = N T) and a saturated force counts
 *    SAT_FORCE = N T;
 *  - tracking: with 16-bit couplings and fine states (Wx = 28, Fx = 24),
 *    the device follows a double-precision Euler integration of the float
 *    reference (host/src/potential.h gradients of the decoded parameters)
 *    driven by the device's own noise increments eta 2^-Fx, over 500
 *    coupled ticks. */
#include <cblas.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "model.h"
#include "noise_dac.h"
#include "noise_source.h"
#include "potential.h"
#include "emu_test_util.h"

static double urand(uint64_t *s) { return (double)(splitmix64(s) >> 11) * 0x1p-53 * 2.0 - 1.0; }

typedef struct {
    int nv, nh, bj, wx, fx, wf, ff, bb;
    double js, bs, kT, mudt;
} spec;

static spec spec_default(int nv, int nh)
{
    return (spec){nv, nh, 8, 24, 20, 32, 16, 16, 0.4, 0.5, 0.1, 1e-3};
}

/* Random image: couplings U(-js, js) quantized to BJ bits with per-row
 * exponents, biases U(-bs, bs) with per-block exponents, J2 = J4 = 1,
 * noise gain of §9 for kT. */
static int build_image(lv_dev_image *img, const spec *sp, uint64_t seed)
{
    memset(img, 0, sizeof *img);
    const int nv = sp->nv, nh = sp->nh;
    img->nv = nv;
    img->nh = nh;
    img->wx = sp->wx;
    img->fx = sp->fx;
    img->bj = sp->bj;
    img->bb = sp->bb;
    img->wf = sp->wf;
    img->ff = sp->ff;
    img->j2 = 65536;
    img->j4 = 65536;
    img->k = (uint32_t)lrint(sp->mudt * 4294967296.0);
    img->bn = 14;
    img->colour_c = lv_dac_colour_c(0);
    img->ticks_eq = 100;
    img->ticks_run = 150;
    lv_error err;
    if (lv_dac_gain(sqrt(2.0 * sp->kT * sp->mudt) * ldexp(1, sp->fx), 14, 0, 0.0, &img->gain, &err)) return -1;
    img->m = lv_dev_couplings(nv, nh, 0);
    img->n_rows = lv_dev_rows(nv, nh, 0);
    img->c = malloc((img->m ? img->m : 1) * sizeof(int16_t));
    img->ej = malloc(img->n_rows);
    img->cb = malloc((size_t)(nv + nh) * sizeof(int32_t));
    double *J = malloc((img->m ? img->m : 1) * sizeof(double));
    if (!img->c || !img->ej || !img->cb || !J) return -1;
    const double cm = (double)((1 << (sp->bj - 1)) - 1);
    for (size_t k = 0; k < img->m; ++k) J[k] = sp->js * urand(&seed);
    size_t off = 0;
    for (size_t r = 0; r < img->n_rows; ++r) {
        size_t cnt = r < (size_t)nv ? (size_t)nh : (size_t)(nh - 1 - ((int)r - nv));
        double mx = 1e-300;
        for (size_t k = 0; k < cnt; ++k) mx = fmax(mx, fabs(J[off + k]));
        int e = (int)floor(log2(cm / mx));
        e = e < -16 ? -16 : e > 47 ? 47 : e;
        img->ej[r] = (int8_t)e;
        for (size_t k = 0; k < cnt; ++k) img->c[off + k] = (int16_t)lrint(ldexp(J[off + k], e));
        off += cnt;
    }
    for (int blk = 0; blk < 2; ++blk) {
        int e = (int)floor(log2((double)((1 << (sp->bb - 1)) - 1) / sp->bs));
        img->eb[blk] = (int8_t)e;
        int i0 = blk ? nv : 0, i1 = blk ? nv + nh : nv;
        for (int i = i0; i < i1; ++i) img->cb[i] = (int32_t)lrint(ldexp(sp->bs * urand(&seed), e));
    }
    free(J);
    return 0;
}

/* The float model with exactly the image's (decoded) parameters. */
static int decode(const lv_dev_image *img, double kT, double mudt, lv_physics *ph, lv_params *p)
{
    *ph = lv_physics_default();
    ph->nv = img->nv;
    ph->nh = img->nh;
    ph->vv = 0;
    ph->J2 = img->j2 / 65536.0;
    ph->J4 = img->j4 / 65536.0;
    ph->kT = kT;
    ph->mu = 1.0;
    ph->dt = mudt;
    lv_error err;
    if (lv_params_alloc(p, ph, &err)) return -1;
    const int nv = img->nv, nh = img->nh;
    size_t k = 0;
    for (int v = 0; v < nv; ++v)
        for (int h = 0; h < nh; ++h) p->Wvh[(size_t)v * nh + h] = ldexp(img->c[k++], -img->ej[v]);
    for (int h = 0; h < nh; ++h)
        for (int h2 = h + 1; h2 < nh; ++h2) {
            double w = ldexp(img->c[k++], -img->ej[nv + h]);
            p->Whh[(size_t)h * nh + h2] = p->Whh[(size_t)h2 * nh + h] = w;
        }
    for (int v = 0; v < nv; ++v) p->bv[v] = ldexp(img->cb[v], -img->eb[0]);
    for (int h = 0; h < nh; ++h) p->bh[h] = ldexp(img->cb[nv + h], -img->eb[1]);
    return 0;
}

/* lv_dev_create must refuse img; the message must contain `needle`. */
static void expect_refusal(const char *what, const lv_dev_image *img, const lv_dev_instance *inst, int batch,
                           const char *needle)
{
    lv_error err = {{0}};
    lv_dev *d = lv_dev_create(img, inst, batch, &err);
    CHECK_MSG(d == NULL, "%s: accepted", what);
    CHECK_MSG(strstr(err.msg, needle) != NULL, "%s: message lacks \"%s\": %s", what, needle, err.msg);
    if (d) lv_dev_free(d);
    else printf("  refused (%s): %s\n", what, err.msg);
}

static void test_validation(void)
{
    spec sp = spec_default(6, 4);
    lv_dev_image img;
    CHECK(build_image(&img, &sp, 1) == 0);
    lv_error err = {{0}};
    lv_dev *d = lv_dev_create(&img, NULL, 2, &err);
    CHECK_MSG(d != NULL, "the valid base image was refused: %s", err.msg);
    lv_dev_free(d);
    lv_dev_image t;
    int16_t *t_c = NULL;
#define clone(dst, src)                                                          \
    do {                                                                         \
        *(dst) = *(src);                                                         \
        t_c = (dst)->c = malloc((src)->m * sizeof(int16_t));                     \
        (dst)->ej = malloc((src)->n_rows);                                       \
        (dst)->cb = malloc((size_t)((src)->nv + (src)->nh) * sizeof(int32_t));   \
        memcpy((dst)->c, (src)->c, (src)->m * sizeof(int16_t));                  \
        memcpy((dst)->ej, (src)->ej, (src)->n_rows);                             \
        memcpy((dst)->cb, (src)->cb, (size_t)((src)->nv + (src)->nh) * sizeof(int32_t)); \
    } while (0)
    /* Each mutation works on a deep copy of the valid image. */
#define MUTATE(stmt, needle, inst, batch)                                        \
    do {                                                                         \
        clone(&t, &img);                                                         \
        stmt;                                                                    \
        expect_refusal(#stmt, &t, inst, batch, needle);                          \
        free(t_c);                                                               \
        free(t.ej);                                                              \
        free(t.cb);                                                              \
    } while (0)
    MUTATE(t.wx = 33, "Wx", NULL, 1);
    MUTATE(t.fx = t.wx - 1, "Fx", NULL, 1);
    MUTATE(t.bj = 17, "BJ", NULL, 1);
    MUTATE(t.wf = 41, "Wf", NULL, 1);
    MUTATE(t.ff = 3, "Ff", NULL, 1);
    MUTATE(t.c[3] = 128, "coupling code 128", NULL, 1);
    MUTATE(t.ej[2] = 48, "eJ[2]", NULL, 1);
    MUTATE(t.eb[1] = -17, "eb[1]", NULL, 1);
    MUTATE(t.cb[5] = 40000, "bias code", NULL, 1);
    MUTATE(t.k = 1u << 31, "K = 2147483648", NULL, 1);
    MUTATE(t.k = 0, "K = 0", NULL, 1);
    MUTATE(t.j4 = -1, "j4", NULL, 1);
    MUTATE(t.m = t.m - 1, "couplings", NULL, 1);
    MUTATE(t.n_rows = 3, "row exponents", NULL, 1);
    MUTATE(t.c = NULL, "NULL", NULL, 1);
    MUTATE(t.bn = 15, "Bn", NULL, 1);
    MUTATE(t.colour_c = 100, "ca", NULL, 1);
    MUTATE(t.vv = 2, "vv", NULL, 1);
    MUTATE(t.nv = 0, "unit counts", NULL, 1);
    MUTATE((void)0, "batch size 0", NULL, 0);
    lv_dev_instance bad = {.seed = 1, .sm = 70000};
    MUTATE((void)0, "Sm = 70000", &bad, 1);
    /* §10: the brief's fine format Wx = 32, Fx = 24 overflows x2*x (2^69). */
    MUTATE((t.wx = 32, t.fx = 24), "cube x2*x", NULL, 1);
    /* Wide states with coarse fraction bits: x2*x reaches 2^75. */
    MUTATE((t.wx = 30, t.fx = 12), "2^63", NULL, 1);
    MUTATE((t.wf = 40, t.k = 2147483647u), "drift product K g", NULL, 1);
    MUTATE((t.wf = 40, t.ff = 30, t.wx = 28, t.fx = 24), "heat product", NULL, 1);
    MUTATE((t.bb = 24, t.wf = 40, t.ff = 38, t.eb[0] = -16), "bias in force units", NULL, 1);
    MUTATE((t.ej[0] = -16, t.wx = 32), "coupling field", NULL, 1);
#undef MUTATE
#undef clone
    lv_dev_image_free(&img);
}

/* Run a fixed protocol for seeds[0..nb) on d; copy states and registers. */
static int protocol(lv_dev *d, const uint64_t *seeds, int nb, int split, int32_t *xs, lv_dev_regs *regs)
{
    lv_error err = {{0}};
    const int n = lv_dev_units(d);
    if (lv_dev_reset(d, seeds, nb, 7, &err) || lv_dev_run(d, 0, 40, 0, &err)) goto fail;
    if (split) {
        if (lv_dev_run(d, 1, 30, 1, &err) || lv_dev_run(d, 1, 0, 0, &err) || lv_dev_run(d, 1, 70, 0, &err)) goto fail;
    } else if (lv_dev_run(d, 1, 100, 1, &err)) {
        goto fail;
    }
    memcpy(xs, lv_dev_state(d), (size_t)nb * (size_t)n * sizeof(int32_t));
    for (int b = 0; b < nb; ++b) lv_dev_regs_get(d, b, &regs[b]);
    return 0;
fail:
    fprintf(stderr, "protocol: %s\n", err.msg);
    return -1;
}

static int same_traj(const int32_t *xa, const lv_dev_regs *ra, const int32_t *xb, const lv_dev_regs *rb, int n)
{
    return memcmp(xa, xb, (size_t)n * sizeof(int32_t)) == 0 && memcmp(ra, rb, sizeof *ra) == 0;
}

static void test_invariance(void)
{
    enum { NB = 5 };
    spec sp = spec_default(20, 12);
    const int n = sp.nv + sp.nh;
    lv_dev_image img;
    CHECK(build_image(&img, &sp, 2) == 0);
    lv_error err = {{0}};
    lv_dev *d = lv_dev_create(&img, NULL, NB, &err), *d1 = lv_dev_create(&img, NULL, 1, &err);
    lv_dev_instance i0 = {.seed = 12345, .sm = 0}, i5 = {.seed = 12345, .sm = 3277};
    lv_dev *dm0 = lv_dev_create(&img, &i0, NB, &err), *dm5 = lv_dev_create(&img, &i5, NB, &err);
    CHECK_MSG(d && d1 && dm0 && dm5, "%s", err.msg);
    if (!d || !d1 || !dm0 || !dm5) return;
    CHECK(lv_dev_field_path(d) == LV_CN_GEMM);
    const uint64_t seeds[NB] = {11, 22, 33, 44, 55}, perm[NB] = {44, 11, 55, 33, 22};
    const int pidx[NB] = {3, 0, 4, 2, 1};
    static int32_t xa[NB * 64], xb[NB * 64];
    lv_dev_regs ra[NB], rb[NB];
    CHECK(protocol(d, seeds, NB, 0, xa, ra) == 0);
    /* Some dynamics happened, and the coupled phase moved the energy. */
    int moved = 0;
    for (int k = 0; k < NB * n; ++k) moved += xa[k] != 0;
    CHECK(moved > NB * n / 2 && ra[0].v0 != ra[0].v && ra[0].q != 0);
    /* Alone in a batch of 1. */
    int bad = 0;
    for (int b = 0; b < NB; ++b) {
        CHECK(protocol(d1, &seeds[b], 1, 0, xb, rb) == 0);
        bad += !same_traj(xa + b * n, &ra[b], xb, &rb[0], n);
    }
    CHECK_MSG(bad == 0, "%d trajectories differ between batch of 5 and batch of 1", bad);
    /* Permuted batch, and a smaller batch in the big device. */
    CHECK(protocol(d, perm, NB, 0, xb, rb) == 0);
    bad = 0;
    for (int b = 0; b < NB; ++b) bad += !same_traj(xa + pidx[b] * n, &ra[pidx[b]], xb + b * n, &rb[b], n);
    CHECK_MSG(bad == 0, "%d trajectories differ in a permuted batch", bad);
    CHECK(protocol(d, seeds + 2, 2, 0, xb, rb) == 0);
    CHECK(same_traj(xa + 2 * n, &ra[2], xb, &rb[0], n) && same_traj(xa + 3 * n, &ra[3], xb + n, &rb[1], n));
    /* Split run. */
    CHECK(protocol(d, seeds, NB, 1, xb, rb) == 0);
    CHECK_MSG(memcmp(xa, xb, (size_t)NB * n * sizeof(int32_t)) == 0 && memcmp(ra, rb, sizeof ra) == 0,
              "a split run differs from one run");
    /* int64 field path. */
    CHECK(lv_dev_set_field_path(d, LV_CN_INT64, &err) == 0);
    CHECK(protocol(d, seeds, NB, 0, xb, rb) == 0);
    CHECK_MSG(memcmp(xa, xb, (size_t)NB * n * sizeof(int32_t)) == 0 && memcmp(ra, rb, sizeof ra) == 0,
              "int64 field path differs from GEMM");
    CHECK(lv_dev_set_field_path(d, LV_CN_AUTO, &err) == 0);
    /* Thread count (OpenMP loops and OpenBLAS GEMMs). */
    int th = omp_get_max_threads(), tb = openblas_get_num_threads();
    omp_set_num_threads(th > 1 ? 1 : 2);
    openblas_set_num_threads(tb > 1 ? 1 : 2);
    CHECK(protocol(d, seeds, NB, 0, xb, rb) == 0);
    omp_set_num_threads(th);
    openblas_set_num_threads(tb);
    CHECK_MSG(memcmp(xa, xb, (size_t)NB * n * sizeof(int32_t)) == 0 && memcmp(ra, rb, sizeof ra) == 0,
              "the thread count changed the bits");
    /* Mismatch: Sm = 0 is the ideal chip; Sm = 0.05 is not. */
    CHECK(protocol(dm0, seeds, NB, 0, xb, rb) == 0);
    CHECK_MSG(memcmp(xa, xb, (size_t)NB * n * sizeof(int32_t)) == 0 && memcmp(ra, rb, sizeof ra) == 0,
              "an instance with Sm = 0 differs from the ideal device");
    CHECK(protocol(dm5, seeds, NB, 0, xb, rb) == 0);
    CHECK(memcmp(xa, xb, (size_t)NB * n * sizeof(int32_t)) != 0);
    lv_dev_free(d);
    lv_dev_free(d1);
    lv_dev_free(dm0);
    lv_dev_free(dm5);
    lv_dev_image_free(&img);
}

static void test_noise_and_ticks(void)
{
    spec sp = spec_default(5, 3);
    const int n = 8;
    lv_dev_image img;
    CHECK(build_image(&img, &sp, 3) == 0);
    lv_error err = {{0}};
    lv_dev *d = lv_dev_create(&img, NULL, 2, &err);
    CHECK_MSG(d != NULL, "%s", err.msg);
    if (!d) return;
    CHECK(lv_dev_run(d, 0, 1, 0, &err) != 0); /* before reset */
    const uint64_t seeds[2] = {0xABCDEF0123456789ull, 5};
    CHECK(lv_dev_reset(d, seeds, 2, 1000, &err) == 0);
    CHECK(lv_dev_run(d, 1, 3, 0, &err) == 0);
    CHECK(lv_dev_tick(d) == 1003);
    lv_noise_dac dac = {img.bn, img.gain, img.offset, img.colour_a, img.colour_c};
    int bad = 0;
    for (int b = 0; b < 2; ++b)
        for (int i = 0; i < n; ++i)
            bad += lv_dev_last_eta(d)[b * n + i] !=
                   lv_dac_eta(&dac, lv_dac_code(lv_noise_z(seeds[b], 1002, (uint32_t)i), img.bn), NULL);
    CHECK_MSG(bad == 0, "%d eta values are not the noise of tick 1002", bad);
    /* The 32-bit tick counter: a run may end exactly at 2^32, not beyond. */
    CHECK(lv_dev_reset(d, seeds, 1, UINT32_MAX - 5, &err) == 0);
    CHECK(lv_dev_run(d, 0, 7, 0, &err) != 0);
    CHECK(strstr(err.msg, "tick counter") != NULL);
    CHECK(lv_dev_run(d, 0, 6, 0, &err) == 0);
    CHECK(lv_dev_reset(d, seeds, 3, 0, &err) != 0); /* more than the batch */
    int32_t bad_state[16] = {0};
    bad_state[3] = 1 << 23;
    CHECK(lv_dev_reset(d, seeds, 2, 0, &err) == 0);
    CHECK(lv_dev_set_state(d, bad_state, &err) != 0);
    double out[3];
    int32_t codes[3] = {1 << 20, -(3 << 19), 1};
    lv_dev_codes_to_double(codes, 3, 20, out);
    CHECK(out[0] == 1.0 && out[1] == -1.5 && out[2] == ldexp(1, -20));
    lv_dev_free(d);
    lv_dev_image_free(&img);
}

static void test_generate(void)
{
    spec sp = spec_default(9, 6);
    const int n = sp.nv + sp.nh, nv = sp.nv;
    lv_dev_image img;
    CHECK(build_image(&img, &sp, 4) == 0);
    lv_error err = {{0}};
    lv_dev *d = lv_dev_create(&img, NULL, 3, &err);
    CHECK_MSG(d != NULL, "%s", err.msg);
    if (!d) return;
    const uint64_t seeds[7] = {1, 2, 3, 4, 5, 6, 7};
    lv_dev_gen_result res;
    CHECK(lv_dev_generate(d, 7, seeds, &res, &err) == 0);
    int bad = 0;
    for (int t = 0; t < 7; ++t) {
        CHECK(lv_dev_reset(d, &seeds[t], 1, 0, &err) == 0);
        CHECK(lv_dev_run(d, 0, img.ticks_eq, 0, &err) == 0);
        CHECK(lv_dev_run(d, 1, img.ticks_run, 1, &err) == 0);
        lv_dev_regs r;
        lv_dev_regs_get(d, 0, &r);
        const int32_t *x = lv_dev_state(d);
        bad += memcmp(res.visible_codes + (size_t)t * nv, x, (size_t)nv * sizeof(int32_t)) != 0;
        bad += res.visible[(size_t)t * nv] != ldexp(x[0], -img.fx);
        bad += res.hidden[(size_t)t * sp.nh + 1] != ldexp(x[nv + 1], -img.fx);
        bad += res.q_end[t] != ldexp((double)(r.v0 - r.v), -32) || res.q_path[t] != ldexp((double)r.q, -32);
        bad += res.v0[t] != ldexp((double)r.v0, -32) || res.vf[t] != ldexp((double)r.v, -32);
        bad += res.sat_state[t] != r.sat_state || res.sat_force[t] != r.sat_force;
        bad += fabs(res.q_end[t] - res.q_path[t]) > 0.05 * (1 + fabs(res.q_end[t]));
    }
    CHECK_MSG(bad == 0, "generate differs from the documented run sequence in %d places", bad);
    printf("  generate: trajectory 0 Q_end = %.5f, Q_path = %.5f\n", res.q_end[0], res.q_path[0]);
    (void)n;
    lv_dev_gen_result_free(&res);
    lv_dev_free(d);
    lv_dev_image_free(&img);
}

static void test_saturation(void)
{
    /* Wx = 8, Fx = 4: states +-127/16.  Wf = 16, Ff = 5: forces +-1024, so the
     * force at the top state (2x + 4x^3 = 2016) saturates.  No noise (G = 0),
     * offset +100 LSB per tick: the drift (-16 LSB) cannot hold it, every
     * unit clamps every tick. */
    spec sp = spec_default(6, 4);
    sp.wx = 8;
    sp.fx = 4;
    sp.wf = 16;
    sp.ff = 5;
    lv_dev_image img;
    CHECK(build_image(&img, &sp, 5) == 0);
    img.gain = 0;
    img.offset = 100 << 16;
    const int n = 10, T = 50, B = 2;
    lv_error err = {{0}};
    lv_dev *d = lv_dev_create(&img, NULL, B, &err);
    CHECK_MSG(d != NULL, "%s", err.msg);
    if (!d) return;
    const uint64_t seeds[2] = {1, 2};
    int32_t top[20];
    for (int k = 0; k < 20; ++k) top[k] = 127;
    CHECK(lv_dev_reset(d, seeds, B, 0, &err) == 0);
    CHECK(lv_dev_set_state(d, top, &err) == 0);
    CHECK(lv_dev_run(d, 0, (uint32_t)T, 0, &err) == 0);
    lv_dev_regs r;
    lv_dev_regs_get(d, 1, &r);
    uint64_t ts, tf;
    lv_dev_sat_totals(d, &ts, &tf);
    printf("  saturation: SAT_STATE = %u, SAT_FORCE = %u per trajectory (N T = %d)\n", r.sat_state, r.sat_force,
           n * T);
    CHECK(r.sat_state == (uint32_t)(n * T) && r.sat_force == (uint32_t)(n * T));
    CHECK(ts == (uint64_t)B * n * T && tf == (uint64_t)B * n * T);
    CHECK(memcmp(lv_dev_state(d), top, sizeof top) == 0);
    CHECK(lv_dev_force(d)[0] == 32767);
    /* A measure-only run (0 ticks) counts nothing. */
    CHECK(lv_dev_run(d, 0, 0, 0, &err) == 0);
    lv_dev_regs_get(d, 1, &r);
    CHECK(r.sat_force == (uint32_t)(n * T));
    lv_dev_free(d);
    lv_dev_image_free(&img);
}

static void test_tracking(void)
{
    enum { T = 500 };
    spec sp = spec_default(12, 8);
    sp.bj = 16;
    sp.wx = 28;
    sp.fx = 24;
    sp.wf = 32;
    sp.ff = 24;
    sp.bb = 24;
    sp.js = 0.5;
    sp.bs = 0.5;
    const int N = sp.nv + sp.nh;
    lv_dev_image img;
    CHECK(build_image(&img, &sp, 6) == 0);
    lv_error err = {{0}};
    lv_dev *d = lv_dev_create(&img, NULL, 1, &err);
    CHECK_MSG(d != NULL, "%s", err.msg);
    lv_physics ph;
    lv_params p;
    CHECK(decode(&img, sp.kT, sp.mudt, &ph, &p) == 0);
    if (!d) return;
    const uint64_t seed = 2024;
    CHECK(lv_dev_reset(d, &seed, 1, 0, &err) == 0);
    double xf[64], G[64], gd0[64], gd1[64], xdev[64];
    memset(xf, 0, sizeof xf);
    double maxdiff = 0, maxabs = 0, qf = 0;
    const double L = ldexp(1, -sp.fx), mudt = ph.mu * ph.dt;
    lv_coupling_force(&ph, &p, xf, 1, G);
    lv_grad_from_coupling(&ph, &p, xf, 1, G, gd0);
    for (int t = 0; t < T; ++t) {
        CHECK(lv_dev_run(d, 1, 1, t == 0, &err) == 0);
        const int64_t *eta = lv_dev_last_eta(d);
        double xold[64];
        memcpy(xold, xf, sizeof xold);
        for (int i = 0; i < N; ++i) xf[i] += -mudt * gd0[i] + ldexp((double)eta[i], -sp.fx);
        lv_coupling_force(&ph, &p, xf, 1, G);
        lv_grad_from_coupling(&ph, &p, xf, 1, G, gd1);
        for (int i = 0; i < N; ++i) qf -= 0.5 * (gd0[i] + gd1[i]) * (xf[i] - xold[i]);
        memcpy(gd0, gd1, sizeof gd0);
        lv_dev_codes_to_double(lv_dev_state(d), (size_t)N, sp.fx, xdev);
        for (int i = 0; i < N; ++i) {
            maxdiff = fmax(maxdiff, fabs(xdev[i] - xf[i]));
            maxabs = fmax(maxabs, fabs(xf[i]));
        }
    }
    lv_dev_regs r;
    lv_dev_regs_get(d, 0, &r);
    double qdev = ldexp((double)r.q, -32);
    /* Per tick the device rounds the state update (half an LSB) and its
     * force (2L(1+|x|) + 2 Lf, times mu dt).  Tolerance: twice the linear
     * accumulation of those over T ticks (the factor 2 covers the growth
     * e^(lambda t) of the unstable directions of V, |lambda| <~ 1 here,
     * over t = 0.5), i.e. ~3e-5 against |x| ~ 0.6. */
    double tol = 2.0 * T * (0.5 * L + mudt * (2 * L * (1 + maxabs) + 2 * ldexp(1, -sp.ff)));
    printf("  tracking over %d ticks: max |x_dev - x_float| = %.3e (tolerance %.2e, max |x| = %.3f, "
           "state LSB %.1e); Q_path device %.8f, float %.8f\n",
           T, maxdiff, tol, maxabs, L, qdev, qf);
    CHECK(maxdiff <= tol);
    CHECK(maxabs > 0.3);
    CHECK_NEAR(qdev, qf, 1e-4 * (1 + fabs(qf)));
    lv_params_free(&p);
    lv_dev_free(d);
    lv_dev_image_free(&img);
}

int main(void)
{
    test_validation();
    test_invariance();
    test_noise_and_ticks();
    test_generate();
    test_saturation();
    test_tracking();
    return lv_test_report("test_device");
}
