/* test_nonlinearity.c - the force of docs/fixed-point.md §5.
 *
 *  - lv_nl_force / lv_nl_row equal an independent 128-bit evaluation of the
 *    §5 formulas on random states, fields and biases, over several formats
 *    (Ff above and below Fx + 16, negative bias shifts);
 *  - odd symmetry g(-x) = -g(x) without bias and field (half away from zero);
 *  - g tracks 2 J2 x + 4 J4 x^3 + b + f in double within the documented
 *    rounding (one half LSB per rounding, propagated);
 *  - saturation: g clamps to +-(2^(Wf-1) - 1) exactly when the sum leaves
 *    the range, one SAT_FORCE event per clamped unit, none at the limit. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "fx_prims.h"
#include "nonlinearity.h"
#include "emu_test_util.h"




typedef struct {
    int wx, fx, wf, ff;
    int32_t j2, j4;
} fmt;

/* §5 in 128 bits; *clamped = 1 when sat acts. */
static int64_t ref_force(const fmt *F, int64_t x, int32_t cb, int eb, int64_t f, int *clamped)
{
    i128 x2 = rnd128((i128)x * x, F->fx);
    i128 x3 = rnd128(x2 * x, F->fx);
    i128 lin = rnd128((i128)2 * F->j2 * x, 16 + F->fx - F->ff);
    i128 cub = rnd128((i128)4 * F->j4 * x3, 16 + F->fx - F->ff);
    i128 bf = rnd128(cb, eb - F->ff);
    i128 g = lin + cub + bf + f, m = ((i128)1 << (F->wf - 1)) - 1;
    *clamped = g > m || g < -m;
    return (int64_t)(g > m ? m : g < -m ? -m : g);
}

static void test_against_reference(void)
{
    static const fmt fmts[] = {
        {24, 20, 32, 16, 65536, 65536},     /* defaults, J2 = J4 = 1 */
        {28, 24, 32, 24, 98304, 32768},     /* fine states, Ff > Fx (shift 16) */
        {16, 8, 24, 20, 65536, 131072},     /* Ff > Fx + 16: lin/cub shift negative */
        {12, 6, 16, 4, 6553600, 3276800},   /* coarse, J2 = 100 */
        {20, 16, 40, 30, 1, 0},             /* tiny j2, no quartic */
    };
    uint64_t s = 1;
    for (size_t k = 0; k < sizeof fmts / sizeof fmts[0]; ++k) {
        const fmt *F = &fmts[k];
        lv_nl nl;
        lv_nl_init(&nl, F->fx, F->ff, F->wf, F->j2, F->j4);
        /* The §10 check keeps x to ranges where x3 fits; draw x from the
         * lower part of the Wx range so these formats stay in it. */
        const int64_t xm = ((int64_t)1 << (F->wx - 1)) - 1;
        const int64_t fmx = ((int64_t)1 << (F->wf - 2));
        int bad = 0, bad_row = 0;
        enum { NU = 2000 };
        static int32_t xs[NU];
        static int64_t bfs[NU], fs[NU], g[NU], gr[NU];
        uint64_t ev_ref = 0, ev = 0;
        for (int i = 0; i < NU; ++i) {
            xs[i] = (int32_t)irand(&s, -xm, xm);
            int32_t cb = (int32_t)irand(&s, -32767, 32767);
            int eb = (int)irand(&s, F->ff - 10, F->ff + 20);
            fs[i] = irand(&s, -fmx, fmx);
            int cl;
            gr[i] = ref_force(F, xs[i], cb, eb, fs[i], &cl);
            ev_ref += (uint64_t)cl;
            bfs[i] = lv_nl_bias(cb, eb, F->ff);
            if (bfs[i] != (int64_t)rnd128(cb, eb - F->ff)) bad++;
            uint64_t e1 = 0;
            int64_t gi = lv_nl_force(&nl, xs[i], lv_nl_x2(&nl, xs[i]), bfs[i], fs[i], &e1);
            if (gi != gr[i] || e1 != (uint64_t)cl) bad++;
        }
        lv_nl_row(&nl, NU, xs, bfs, fs, g, &ev);
        bad_row = memcmp(g, gr, sizeof g) != 0;
        CHECK_MSG(bad == 0, "format %zu: %d units differ from the 128-bit reference", k, bad);
        CHECK_MSG(!bad_row && ev == ev_ref, "format %zu: lv_nl_row differs (events %llu vs %llu)", k,
                  (unsigned long long)ev, (unsigned long long)ev_ref);
        printf("  format Wx=%d Fx=%d Wf=%d Ff=%d: %d units, %llu clamped, all equal to the reference\n", F->wx,
               F->fx, F->wf, F->ff, NU, (unsigned long long)ev_ref);
    }
}

static void test_symmetry_and_float(void)
{
    const fmt F = {24, 20, 32, 16, 65536, 65536};
    lv_nl nl;
    lv_nl_init(&nl, F.fx, F.ff, F.wf, F.j2, F.j4);
    uint64_t s = 7;
    int asym = 0;
    double worst = 0;
    for (int k = 0; k < 100000; ++k) {
        int64_t x = irand(&s, -(1 << 23) + 1, (1 << 23) - 1); /* |x| < 8 */
        int64_t f = irand(&s, -(1 << 20), 1 << 20);
        int64_t bf = irand(&s, -(1 << 18), 1 << 18);
        uint64_t ev = 0;
        int64_t gp = lv_nl_force(&nl, x, lv_nl_x2(&nl, x), 0, 0, &ev);
        int64_t gm = lv_nl_force(&nl, -x, lv_nl_x2(&nl, -x), 0, 0, &ev);
        asym += gp != -gm;
        /* Against the real-number force of the decoded values. */
        int64_t g = lv_nl_force(&nl, x, lv_nl_x2(&nl, x), bf, f, &ev);
        if (ev) continue; /* clamped units are checked separately */
        double xd = ldexp((double)x, -F.fx);
        double exact = 2.0 * xd + 4.0 * xd * xd * xd + ldexp((double)(bf + f), -F.ff);
        /* Roundings: x2, x3 (half an Fx LSB each, x3 inherits x2's times |x|),
         * then lin and cub (half an Ff LSB each); cub scales x3's error by 4 J4. */
        double e3 = 0.5 * ldexp(1.0, -F.fx) * (1.0 + fabs(xd));
        double tol = 4.0 * e3 + 2 * 0.5 * ldexp(1.0, -F.ff) + 1e-12;
        double err = fabs(ldexp((double)g, -F.ff) - exact);
        if (err / tol > worst) worst = err / tol;
    }
    CHECK_MSG(asym == 0, "%d states with g(-x) != -g(x)", asym);
    CHECK_MSG(worst <= 1.0, "float deviation reaches %.3f of the documented rounding bound", worst);
    printf("  odd symmetry holds; largest |g - g_exact| = %.3f of the rounding bound\n", worst);
}

/* The prepared branch-free rounding equals lv_fx_rnd for every shift. */
static void test_prepared_rounding(void)
{
    uint64_t s = 5;
    int bad = 0;
    for (int sh = -24; sh <= 48; ++sh) {
        lv_rs p = lv_rs_make(sh);
        for (int k = 0; k < 4000; ++k) {
            /* values whose exact result fits: |v| < 2^(62 - max(0, -sh)) */
            int bits = 62 - (sh < 0 ? -sh : 0);
            int64_t v = (int64_t)(splitmix64(&s) >> (64 - bits)) * (splitmix64(&s) & 1 ? 1 : -1);
            if (k < 8) v = (int64_t[]){0, 1, -1, 2, -2, 3, -3, (int64_t)1 << (sh > 0 ? sh - 1 : 0)}[k];
            bad += lv_rs_apply(p, v) != lv_fx_rnd(v, sh);
            bad += lv_rs_apply(p, -v) != lv_fx_rnd(-v, sh);
        }
        /* exact halves: +-(2k+1) 2^(sh-1) round away from zero */
        if (sh > 0)
            for (int64_t k = -50; k <= 50; ++k) {
                int64_t v = (2 * k + 1) * ((int64_t)1 << (sh - 1));
                bad += lv_rs_apply(p, v) != lv_fx_rnd(v, sh);
            }
    }
    CHECK_MSG(bad == 0, "%d prepared roundings differ from lv_fx_rnd", bad);
    uint64_t e2 = 0;
    CHECK(lv_sat_m(100, 99, &e2) == 99 && e2 == 1);
    CHECK(lv_sat_m(-100, 99, &e2) == -99 && e2 == 2);
    CHECK(lv_sat_m(99, 99, &e2) == 99 && lv_sat_m(-99, 99, &e2) == -99 && e2 == 2);
}

static void test_saturation(void)
{
    /* Wf = 16, Ff = 4: the force range is +-2047.9 in force units. */
    const fmt F = {24, 20, 16, 4, 65536, 65536};
    lv_nl nl;
    lv_nl_init(&nl, F.fx, F.ff, F.wf, F.j2, F.j4);
    const int64_t gm = lv_fx_max(F.wf);
    uint64_t ev = 0;
    /* x = 0: g = f exactly; at the limit no event, one past it one event. */
    CHECK(lv_nl_force(&nl, 0, 0, 0, gm, &ev) == gm && ev == 0);
    CHECK(lv_nl_force(&nl, 0, 0, 0, -gm, &ev) == -gm && ev == 0);
    CHECK(lv_nl_force(&nl, 0, 0, 0, gm + 1, &ev) == gm && ev == 1);
    CHECK(lv_nl_force(&nl, 0, 0, -1, -gm, &ev) == -gm && ev == 2);
    CHECK(lv_nl_force(&nl, 0, 0, 5, -gm - 5, &ev) == -gm && ev == 2); /* bias cancels: inside */
    /* Large states: at x = 7.5, 2x + 4x^3 = 1702.5 is inside; a field of +400
     * pushes it out; the largest state (8 - 2^-20: 2064) clamps by itself. */
    const int64_t xm = lv_fx_max(F.wx), x75 = (int64_t)15 << (F.fx - 1);
    int64_t g = lv_nl_force(&nl, x75, lv_nl_x2(&nl, x75), 0, 0, &ev);
    CHECK(g == (int64_t)(1702.5 * 16) && ev == 2);
    g = lv_nl_force(&nl, x75, lv_nl_x2(&nl, x75), 0, 400 << 4, &ev);
    CHECK(g == gm && ev == 3);
    g = lv_nl_force(&nl, -xm, lv_nl_x2(&nl, -xm), 0, 0, &ev);
    CHECK(g == -gm && ev == 4);
    ev = 2;
    /* Row form counts every clamped unit. */
    int32_t x[6] = {0, 0, (int32_t)xm, (int32_t)-xm, 1000, -1000};
    int64_t f[6] = {gm + 7, -gm - 7, 1 << 12, -(1 << 12), 0, 0}, out[6];
    uint64_t rev = 0;
    lv_nl_row(&nl, 6, x, NULL, f, out, &rev);
    CHECK(rev == 4);
    CHECK(out[0] == gm && out[1] == -gm && out[2] == gm && out[3] == -gm);
    CHECK(out[4] == -out[5]);
    /* bf = f = NULL (COUPLE clear): the local force only. */
    lv_nl_row(&nl, 6, x, NULL, NULL, out, &rev);
    CHECK(out[0] == 0 && out[1] == 0 && rev == 6);
    printf("  saturation at +-%lld with SAT_FORCE events as expected\n", (long long)gm);
}

int main(void)
{
    test_prepared_rounding();
    test_against_reference();
    test_symmetry_and_float();
    test_saturation();
    return lv_test_report("test_nonlinearity");
}
