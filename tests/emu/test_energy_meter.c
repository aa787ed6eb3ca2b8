/* test_energy_meter.c - the meter and counters of docs/fixed-point.md §8.
 *
 *  - lv_meter_energy / lv_meter_heat equal a 128-bit evaluation of the §8
 *    formulas (several formats, shifts of both signs);
 *  - counters are sticky at 2^32 - 1; Q wraps modulo 2^64;
 *  - on a running device (coupled, with biases): the V register equals
 *    lv_meter_energy of the state codes with an independently built field,
 *    and is within the rounding bound documented in energy_meter.h of the
 *    energy recomputed in double from the codes;
 *  - path heat: Q over a 300-tick coupled run, relaxing from |x| = 0.8,
 *    agrees with V(x0) - V(xf)
 *    within a bound computed from the recorded trajectory (the trapezoid
 *    error of the quartic term, sum 2 J4 |x| |dx|^3 per unit-tick, plus the
 *    force and meter roundings); it is also checked to be a real test
 *    (|V(x0) - V(xf)| is much larger than the tolerance). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "coupling_network.h"
#include "device.h"
#include "energy_meter.h"
#include "model.h"
#include "noise_dac.h"
#include "nonlinearity.h"
#include "potential.h"
#include "emu_test_util.h"


static double urand(uint64_t *s) { return (double)(splitmix64(s) >> 11) * 0x1p-53 * 2.0 - 1.0; }

static void test_formulas(void)
{
    static const struct {
        int wx, fx, ff;
        int32_t j2, j4;
    } F[] = {{24, 20, 16, 65536, 65536}, {28, 24, 24, 65536, 65536}, {12, 8, 20, 6553600, 327680},
             {14, 6, 20, 1000, 70}}; /* ranges chosen so the §10 check would accept them */
    uint64_t s = 21;
    for (size_t c = 0; c < sizeof F / sizeof F[0]; ++c) {
        lv_meter m;
        lv_meter_init(&m, F[c].fx, F[c].ff, F[c].j2, F[c].j4);
        enum { N = 500 };
        static int32_t x[N], x1[N];
        static int64_t bf[N], f[N], g0[N], g1[N];
        const int64_t xm = ((int64_t)1 << (F[c].wx - 1)) - 1;
        i128 v_loc = 0, v_all = 0, q = 0;
        for (int i = 0; i < N; ++i) {
            x[i] = (int32_t)irand(&s, -xm, xm);
            x1[i] = (int32_t)irand(&s, -xm, xm);
            bf[i] = irand(&s, -(1 << 20), 1 << 20);
            f[i] = irand(&s, -(1 << 24), 1 << 24);
            g0[i] = irand(&s, -(1 << 30), 1 << 30);
            g1[i] = irand(&s, -(1 << 30), 1 << 30);
            i128 x2 = rnd128((i128)x[i] * x[i], F[c].fx), x4 = rnd128(x2 * x2, F[c].fx);
            i128 loc = rnd128(F[c].j2 * x2, 16 + F[c].fx - 32) + rnd128(F[c].j4 * x4, 16 + F[c].fx - 32);
            v_loc += loc;
            v_all += loc + rnd128((i128)bf[i] * x[i], F[c].ff + F[c].fx - 32) +
                     rnd128((i128)f[i] * x[i], F[c].ff + F[c].fx + 1 - 32);
            q += rnd128((i128)(g0[i] + g1[i]) * ((i128)x1[i] - x[i]), F[c].ff + F[c].fx + 1 - 32);
        }
        CHECK_MSG(lv_meter_energy(&m, N, x, NULL, NULL) == (int64_t)v_loc, "format %zu: V (COUPLE clear)", c);
        CHECK_MSG(lv_meter_energy(&m, N, x, bf, f) == (int64_t)v_all, "format %zu: V (COUPLE set)", c);
        CHECK_MSG(lv_meter_heat(&m, N, g0, g1, x, x1) == (int64_t)q, "format %zu: heat", c);
    }
}

static void test_registers(void)
{
    uint32_t c = 5;
    lv_sat_add(&c, 10);
    CHECK(c == 15);
    c = UINT32_MAX - 3;
    lv_sat_add(&c, 3);
    CHECK(c == UINT32_MAX - 0);
    lv_sat_add(&c, 1);
    CHECK(c == UINT32_MAX);
    c = 7;
    lv_sat_add(&c, UINT64_MAX); /* even a huge increment sticks, no wrap */
    CHECK(c == UINT32_MAX);
    CHECK(lv_meter_q_sub(INT64_MIN, 1) == INT64_MAX); /* the register wraps */
    CHECK(lv_meter_q_sub(5, -7) == 12);
    CHECK(lv_meter_to_double((int64_t)3 << 31) == 1.5);
}

/* ---- a running device ---------------------------------------------------------- */

/* Random image: couplings U(-js, js) quantized to BJ bits with per-row
 * exponents, biases U(-bs, bs) with per-block exponents. */
static int build_image(lv_dev_image *img, int nv, int nh, int bj, double js, double bs, uint64_t seed)
{
    memset(img, 0, sizeof *img);
    img->nv = nv;
    img->nh = nh;
    img->wx = 24;
    img->fx = 20;
    img->bj = bj;
    img->bb = 16;
    img->wf = 32;
    img->ff = 16;
    img->j2 = 65536;
    img->j4 = 65536;
    img->k = 4294967u;
    img->bn = 14;
    img->colour_c = lv_dac_colour_c(0);
    lv_error err;
    if (lv_dac_gain(sqrt(2.0 * 0.1 * 1e-3) * 1048576.0, 14, 0, 0.0, &img->gain, &err)) return -1;
    img->m = lv_dev_couplings(nv, nh, 0);
    img->n_rows = lv_dev_rows(nv, nh, 0);
    img->c = malloc(img->m * sizeof(int16_t));
    img->ej = malloc(img->n_rows);
    img->cb = malloc((size_t)(nv + nh) * sizeof(int32_t));
    double *J = malloc(img->m * sizeof(double));
    if (!img->c || !img->ej || !img->cb || !J) return -1;
    const double cm = (double)((1 << (bj - 1)) - 1);
    for (size_t k = 0; k < img->m; ++k) J[k] = js * urand(&seed);
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
        int e = (int)floor(log2((double)((1 << (img->bb - 1)) - 1) / bs));
        img->eb[blk] = (int8_t)e;
        int i0 = blk ? nv : 0, i1 = blk ? nv + nh : nv;
        for (int i = i0; i < i1; ++i) img->cb[i] = (int32_t)lrint(ldexp(bs * urand(&seed), e));
    }
    free(J);
    return 0;
}

/* The float model with exactly the image's (decoded) parameters. */
static int decode(const lv_dev_image *img, lv_physics *ph, lv_params *p)
{
    *ph = lv_physics_default();
    ph->nv = img->nv;
    ph->nh = img->nh;
    ph->vv = 0;
    ph->J2 = img->j2 / 65536.0;
    ph->J4 = img->j4 / 65536.0;
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

static void test_device_meter(void)
{
    enum { NV = 24, NH = 12, N = NV + NH, T = 300 };
    lv_dev_image img;
    CHECK(build_image(&img, NV, NH, 8, 0.4, 0.5, 5) == 0);
    lv_error err = {{0}};
    lv_dev *d = lv_dev_create(&img, NULL, 1, &err);
    CHECK_MSG(d != NULL, "%s", err.msg);
    lv_coupling_net *cn = NULL;
    CHECK(lv_cn_create(&cn, &img, 0, 0, 0, 1, LV_CN_INT64, &err) == 0);
    lv_physics ph;
    lv_params p;
    CHECK(decode(&img, &ph, &p) == 0);
    if (!d || !cn) return;
    lv_meter m;
    lv_meter_init(&m, img.fx, img.ff, img.j2, img.j4);
    int64_t bf[N];
    for (int i = 0; i < N; ++i) bf[i] = lv_nl_bias(img.cb[i], img.eb[i < NV ? 0 : 1], img.ff);
    const double L = ldexp(1, -img.fx), Lf = ldexp(1, -img.ff), u = ldexp(1, -32);
    const double db = (img.eb[0] > img.ff || img.eb[1] > img.ff) ? Lf / 2 : 0;
    const double df = lv_cn_round_shift(cn) > 0 ? Lf / 2 : 0;

    /* Equilibrate without coupling, then the coupled run one tick at a
     * time (split runs are the same bits as one run, test_device.c). */
    const uint64_t seed = 42;
    CHECK(lv_dev_reset(d, &seed, 1, 0, &err) == 0);
    CHECK(lv_dev_run(d, 0, 200, 0, &err) == 0);
    /* Displace every unit to |x| = 0.8 (random sign) so the coupled run
     * relaxes and releases a heat far above the error bound. */
    int32_t x0[N];
    uint64_t rs = 17;
    for (int i = 0; i < N; ++i) x0[i] = (int32_t)((splitmix64(&rs) & 1 ? 8 : -8) * (1 << img.fx) / 10);
    CHECK(lv_dev_set_state(d, x0, &err) == 0);
    static double xs[T + 1][N];
    double heat_tol = 0, worst_v = 0;
    int64_t f[N];
    double xd[N], C[N];
    for (int t = 0; t <= T; ++t) {
        if (t == 0) CHECK(lv_dev_run(d, 1, 0, 1, &err) == 0); /* latch V(x0) */
        else CHECK(lv_dev_run(d, 1, 1, 0, &err) == 0);
        const int32_t *x = lv_dev_state(d);
        lv_dev_regs r;
        lv_dev_regs_get(d, 0, &r);
        lv_cn_field(cn, x, 1, f);
        CHECK(r.v == lv_meter_energy(&m, N, x, bf, f));
        /* Against double: the real-number energy of the codes. */
        lv_dev_codes_to_double(x, N, img.fx, xd);
        lv_coupling_force(&ph, &p, xd, 1, C);
        double V, bound = 0;
        lv_energy_from_coupling(&ph, &p, xd, 1, C, &V);
        for (int i = 0; i < N; ++i)
            bound += ph.J2 * L / 2 + ph.J4 * (xd[i] * xd[i] * L + L * L / 4 + L / 2) + fabs(xd[i]) * (db + df / 2) +
                     2 * u;
        double e = fabs(lv_meter_to_double(r.v) - V) / bound;
        if (e > worst_v) worst_v = e;
        memcpy(xs[t], xd, sizeof xd);
        if (t > 0)
            for (int i = 0; i < N; ++i) {
                double dx = xs[t][i] - xs[t - 1][i], xa = fmax(fabs(xs[t][i]), fabs(xs[t - 1][i]));
                /* trapezoid error of J4 x^4 on the step, and the force rounding
                 * (x2, x3, lin, cub, bias, field: <= 2L(1+|x|) + 2 Lf) times |dx|, + the heat rounding */
                heat_tol += 2 * ph.J4 * xa * fabs(dx) * dx * dx + (2 * L * (1 + xa) + 2 * Lf) * fabs(dx) + u;
            }
    }
    lv_dev_regs r;
    lv_dev_regs_get(d, 0, &r);
    double qend = lv_meter_to_double(r.v0) - lv_meter_to_double(r.v), qpath = lv_meter_to_double(r.q);
    heat_tol += 2 * 1e-6; /* the two V readings' rounding (bound above, ~1e-6 here) */
    printf("  V register vs double energy of the codes: worst %.3f of the documented bound\n", worst_v);
    printf("  heat over %d ticks: Q_path = %.6f, V(x0) - V(xf) = %.6f, |diff| = %.2e, bound %.2e\n", T, qpath,
           qend, fabs(qpath - qend), heat_tol);
    CHECK(worst_v <= 1.0);
    CHECK_NEAR(qpath, qend, heat_tol);
    CHECK(fabs(qend) > 20 * heat_tol); /* the comparison is not vacuous */
    lv_params_free(&p);
    lv_cn_free(cn);
    lv_dev_free(d);
    lv_dev_image_free(&img);
}

int main(void)
{
    test_formulas();
    test_registers();
    test_device_meter();
    return lv_test_report("test_energy_meter");
}
