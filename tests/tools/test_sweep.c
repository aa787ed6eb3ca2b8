/* test_sweep.c - the sweep's bookkeeping and its float reference on common
 * random numbers (host/tools/sweep.h, crn_float.h, run_compare.h,
 * heat_budget.h):
 *  - value lists: values, ranges, steps, sorting, de-duplication, and every
 *    malformed list refused with a message naming the axis;
 *  - points: one axis at a time around the base, a configuration shared by
 *    two axes run once, state_frac keeping the integer bits;
 *  - hash: equal for equal configurations, different when any field that
 *    changes the numbers changes (model, n, seed, chip seed, each format);
 *  - CSV rows survive format -> parse; malformed rows are refused;
 *  - thresholds: smallest passing width, largest passing mismatch;
 *  - energy arithmetic: the paper's MLP is 2.2e5 MACs, 1 pJ = 2.4e8 kT at
 *    300 K;
 *  - the CRN float reference: trajectory j does not depend on the batch;
 *    its heat distribution agrees with the float reference's own noise
 *    (generate.h) within the two-sample KS critical value; and the device
 *    at 16-bit couplings and fine state tracks it trajectory by trajectory
 *    (common random numbers), while 3-bit couplings do not. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "crn_float.h"
#include "device_run.h"
#include "generate.h"
#include "heat_budget.h"
#include "model.h"
#include "quantize.h"
#include "run_compare.h"
#include "sweep.h"
#include "test_util.h"

static void test_values(void)
{
    lv_axis_values v;
    lv_error err;
    CHECK(lv_sweep_parse_values(LV_AX_BITS, "8,2:4,16,3", &v, &err) == 0);
    CHECK(v.n == 5 && v.v[0] == 2 && v.v[1] == 3 && v.v[2] == 4 && v.v[3] == 8 && v.v[4] == 16);
    CHECK(lv_sweep_parse_values(LV_AX_DAC, "4:14:5", &v, &err) == 0);
    CHECK(v.n == 3 && v.v[0] == 4 && v.v[1] == 9 && v.v[2] == 14);
    CHECK(lv_sweep_parse_values(LV_AX_MISMATCH, "0:0.1:0.05,0.02", &v, &err) == 0);
    CHECK(v.n == 4 && v.v[0] == 0 && fabs(v.v[1] - 0.02) < 1e-15 && fabs(v.v[3] - 0.1) < 1e-15);
    CHECK(lv_sweep_parse_values(LV_AX_SCALE, "row,block,row", &v, &err) == 0);
    CHECK(v.n == 2 && v.v[0] == 0 && v.v[1] == 1);
    const struct {
        lv_sweep_axis a;
        const char *s, *msg;
    } bad[] = {{LV_AX_BITS, "1", "outside"},       {LV_AX_BITS, "17", "outside"},
               {LV_AX_BITS, "8:4", "backwards"},   {LV_AX_BITS, "2.5", "integer"},
               {LV_AX_BITS, "x", "not a finite"},  {LV_AX_BITS, "", "empty"},
               {LV_AX_BITS, "4,,8", "empty"},      {LV_AX_DAC, "15", "outside"},
               {LV_AX_FRAC, "3", "outside"},       {LV_AX_MISMATCH, "nan", "not a finite"},
               {LV_AX_MISMATCH, "0:0.1", "step"},  {LV_AX_MISMATCH, "0.2", "outside"},
               {LV_AX_MISMATCH, "0:0.1:0", "positive"}, {LV_AX_SCALE, "column", "block"},
               {LV_AX_BITS, "2:16:0.5", "integer"}, {LV_AX_MISMATCH, "0:0.16:0.001", "more than"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
        err.msg[0] = 0;
        int rc = lv_sweep_parse_values(bad[i].a, bad[i].s, &v, &err);
        CHECK_MSG(rc != 0 && strstr(err.msg, bad[i].msg) && strstr(err.msg, "--"), "'%s': rc %d, '%s'", bad[i].s,
                  rc, err.msg);
    }
    CHECK(lv_sweep_axis_from_name("dac-bits") == LV_AX_DAC && lv_sweep_axis_from_name("state_frac") == LV_AX_FRAC);
    CHECK(lv_sweep_axis_from_name("colour") == -1);
}

static void test_points_and_hash(void)
{
    lv_sweep_point base = {.q = lv_quant_opts_default(), .sm = 0}, pts[LV_SWEEP_MAX_POINTS];
    lv_axis_values axes[LV_AX_COUNT] = {{0}};
    lv_error err;
    CHECK(lv_sweep_parse_values(LV_AX_BITS, "4,8", &axes[LV_AX_BITS], &err) == 0);
    CHECK(lv_sweep_parse_values(LV_AX_FRAC, "12,20", &axes[LV_AX_FRAC], &err) == 0);
    int n = lv_sweep_points(&base, axes, pts, LV_SWEEP_MAX_POINTS);
    CHECK(n == 3); /* 8 bits and Fx 20 are both the base point */
    CHECK(pts[0].q.bj == 4 && pts[1].q.bj == 8 && pts[2].q.fx == 12 && pts[2].q.wx == 16 && pts[2].q.bj == 8);
    CHECK(lv_sweep_on_slice(&pts[2], &base, LV_AX_FRAC) && !lv_sweep_on_slice(&pts[2], &base, LV_AX_BITS));

    lv_sweep_run run = {.model_hash = 0x1234, .n = 100, .seed = 1, .chip_seed = 1};
    uint64_t h = lv_sweep_point_hash(&run, &base);
    lv_sweep_point same = base;
    CHECK(lv_sweep_point_hash(&run, &same) == h);
    lv_sweep_run r2 = run;
    r2.model_hash ^= 1;
    CHECK(lv_sweep_point_hash(&r2, &base) != h);
    r2 = run, r2.n = 101;
    CHECK(lv_sweep_point_hash(&r2, &base) != h);
    r2 = run, r2.seed = 2;
    CHECK(lv_sweep_point_hash(&r2, &base) != h);
    r2 = run, r2.chip_seed = 2;
    CHECK(lv_sweep_point_hash(&r2, &base) != h);
    lv_sweep_point p;
    p = base, p.q.bj = 7;
    CHECK(lv_sweep_point_hash(&run, &p) != h);
    p = base, p.q.bn = 13;
    CHECK(lv_sweep_point_hash(&run, &p) != h);
    p = base, p.q.wx = 25;
    CHECK(lv_sweep_point_hash(&run, &p) != h);
    p = base, p.q.scale = LV_Q_SCALE_ROW;
    CHECK(lv_sweep_point_hash(&run, &p) != h);
    p = base, p.q.round = LV_Q_ROUND_STOCHASTIC;
    CHECK(lv_sweep_point_hash(&run, &p) != h);
    p = base, p.sm = 1;
    CHECK(lv_sweep_point_hash(&run, &p) != h);
    p = base, p.q.clip_percentile = 99.9;
    CHECK(lv_sweep_point_hash(&run, &p) != h);
}

static void test_csv(void)
{
    lv_sweep_row r = {0}, q;
    r.run = (lv_sweep_run){.model_hash = 0xfedcba9876543210ull, .n = 64, .seed = 7, .chip_seed = 3};
    r.pt.q = lv_quant_opts_default();
    r.pt.q.bj = 5, r.pt.q.scale = LV_Q_SCALE_ROW, r.pt.q.fx = 12, r.pt.q.wx = 16, r.pt.sm = 655;
    r.hash = lv_sweep_point_hash(&r.run, &r.pt);
    r.ok = 1, r.mean_r = 0.75, r.frac_r07 = 0.5, r.min_cov = 0.3, r.ndigits = 3;
    r.cov[0] = 0.3, r.cov[1] = 0.3, r.cov[2] = 0.4;
    r.q_mean = 3012.5, r.q_std = 1000.25, r.rel_heat = -0.0125, r.ks = 0.0625, r.paired_mean = -2.5,
    r.paired_abs = 10, r.same_outcome = 0.96, r.sat_state = 12345678901ull, r.sat_force = 3, r.wall_s = 12.5;
    snprintf(r.msg, sizeof r.msg, "a, \"quoted\" message");
    char line[2048];
    lv_error err;
    CHECK(lv_sweep_row_format(&r, line, sizeof line) == 0);
    CHECK(strchr(line, '\n') == NULL && strchr(line, '"') == NULL);
    CHECK_MSG(lv_sweep_row_parse(line, &q, &err) == 0, "%s", err.msg);
    CHECK(q.hash == r.hash && q.run.model_hash == r.run.model_hash && q.run.n == 64 && q.run.seed == 7 &&
          q.run.chip_seed == 3);
    CHECK(q.pt.q.bj == 5 && q.pt.q.scale == LV_Q_SCALE_ROW && q.pt.q.fx == 12 && q.pt.q.wx == 16 && q.pt.sm == 655);
    CHECK(lv_sweep_point_hash(&q.run, &q.pt) == r.hash); /* the row re-derives its own hash */
    CHECK(q.ok == 1 && q.ndigits == 3 && fabs(q.cov[2] - 0.4) < 1e-9 && q.sat_state == 12345678901ull);
    CHECK(fabs(q.q_mean - 3012.5) < 1e-9 && fabs(q.rel_heat + 0.0125) < 1e-9 && fabs(q.ks - 0.0625) < 1e-9);
    CHECK(strstr(q.msg, "quoted") != NULL);
    char cols[2048];
    snprintf(cols, sizeof cols, "%s", lv_sweep_csv_header());
    int nh = 1, nl = 1;
    for (char *c = cols; *c; ++c) nh += *c == ',';
    for (char *c = line; *c; ++c) nl += *c == ',';
    CHECK(nh == nl);
    CHECK(lv_sweep_row_parse("1,2,3", &q, &err) != 0 && strstr(err.msg, "fields"));
    char broken[2048];
    snprintf(broken, sizeof broken, "%s", line);
    memcpy(broken + 17, "zz", 2); /* inside model_hash */
    CHECK(lv_sweep_row_parse(broken, &q, &err) != 0 && strstr(err.msg, "model_hash"));
}

static void test_threshold_and_pass(void)
{
    double v[5] = {2, 4, 6, 8, 16};
    int p1[5] = {0, 0, 1, 1, 1}, p2[5] = {0, 1, 0, 1, 1}, p3[5] = {1, 1, 1, 1, 0}, p4[5] = {1, 1, 1, 1, 1};
    CHECK(lv_sweep_threshold(LV_AX_BITS, v, p1, 5) == 2);
    CHECK(lv_sweep_threshold(LV_AX_BITS, v, p2, 5) == 3); /* a failure at 6 bits means 4 does not count */
    CHECK(lv_sweep_threshold(LV_AX_BITS, v, p3, 5) == -1);
    CHECK(lv_sweep_threshold(LV_AX_BITS, v, p4, 5) == 0);
    double s[4] = {0, 0.01, 0.05, 0.1};
    int m1[4] = {1, 1, 0, 1}, m2[4] = {0, 1, 1, 1};
    CHECK(lv_sweep_threshold(LV_AX_MISMATCH, s, m1, 4) == 1);
    CHECK(lv_sweep_threshold(LV_AX_MISMATCH, s, m2, 4) == -1);
    lv_sweep_tol t = {.heat = 0.05, .ks = 0.1, .quality = 0.02, .coverage = 0.1};
    lv_sweep_float_ref f = {.mean_r = 0.75, .min_cov = 0.3};
    lv_sweep_row r = {.ok = 1, .rel_heat = 0.04, .ks = 0.09, .mean_r = 0.74, .min_cov = 0.25};
    CHECK(lv_sweep_row_passes(&r, &f, &t));
    r.rel_heat = -0.06;
    CHECK(!lv_sweep_row_passes(&r, &f, &t));
    r.rel_heat = 0, r.ks = 0.11;
    CHECK(!lv_sweep_row_passes(&r, &f, &t));
    r.ks = 0, r.mean_r = 0.72;
    CHECK(!lv_sweep_row_passes(&r, &f, &t));
    r.mean_r = 0.75, r.min_cov = 0.19;
    CHECK(!lv_sweep_row_passes(&r, &f, &t));
    r.min_cov = 0.3, r.ok = 0;
    CHECK(!lv_sweep_row_passes(&r, &f, &t));
}

static void test_energy(void)
{
    int w[16], n;
    lv_error err;
    CHECK(lv_parse_layers("784,128,128,784", w, &n, &err) == 0 && n == 4);
    CHECK(lv_mlp_macs(w, n) == 784.0 * 128 * 2 + 128.0 * 128); /* 217088 ~ the paper's 2.2e5 */
    CHECK(lv_parse_layers("784", w, &n, &err) != 0 && strstr(err.msg, "at least"));
    CHECK(lv_parse_layers("784,0", w, &n, &err) != 0);
    CHECK(lv_parse_layers("784,x", w, &n, &err) != 0);
    lv_energy e = lv_energy_of_macs(1, 1, 300);
    CHECK(fabs(e.joules - 1e-12) < 1e-24);
    CHECK(fabs(e.kT - 2.414e8) < 0.001e8); /* the paper: 2.4e8 kT per pJ at room temperature */
    CHECK(fabs(lv_kT_to_joules(1, 300) - 4.1419e-21) < 1e-25);
    /* paper size: 784*512 + 512*511/2 stored couplings, each used twice, + 1296 units */
    CHECK(lv_langevin_step_macs(784, 512, 0) == 2.0 * (784 * 512 + 512 * 511 / 2) + 1296);
}

/* A small random computer with couplings strong enough to matter. */
static void make_model(lv_model *m)
{
    lv_error err;
    lv_physics ph = lv_physics_default();
    ph.nv = 24, ph.nh = 8, ph.tf = 0.3;
    lv_protocol pr = lv_protocol_default();
    pr.t_eq = 0.1;
    if (lv_model_init(m, &ph, &pr, &err)) {
        fprintf(stderr, "model init: %s\n", err.msg);
        exit(1);
    }
    uint64_t s = 12345;
    for (int i = 0; i < ph.nv * ph.nh; ++i) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        m->p.Wvh[i] = ((double)(s >> 11) / 9007199254740992.0 - 0.5) * 1.2;
    }
    for (int h = 0; h < ph.nh; ++h) m->p.bh[h] = (h % 2 ? 0.3 : -0.3);
}

static void test_crn(void)
{
    lv_model m;
    make_model(&m);
    lv_error err = {{0}};
    lv_gen_opts go = lv_gen_opts_default();
    go.n = 400, go.seed = 3, go.strip_traj = 0;
    lv_gen_result a, b, g;
    CHECK_MSG(lv_crn_float_generate(&m, &go, &a, NULL, NULL, &err) == 0, "%s", err.msg);
    go.batch = 7;
    CHECK(lv_crn_float_generate(&m, &go, &b, NULL, NULL, &err) == 0);
    double maxd = 0;
    for (long j = 0; j < go.n; ++j) maxd = fmax(maxd, fabs(a.Q_end[j] - b.Q_end[j]));
    CHECK_MSG(maxd < 1e-9, "batch changed the CRN float heat by %g", maxd);
    /* Same computer, the host's Gaussian noise: same heat distribution. */
    CHECK(lv_generate(&m, &go, &g, NULL, NULL, &err) == 0);
    lv_run_stats sa, sg;
    lv_run_cmp c;
    CHECK(lv_run_measure(&m, &a, &sa, &err) == 0 && lv_run_measure(&m, &g, &sg, &err) == 0);
    CHECK(lv_run_compare(&a, &sa, &g, &sg, m.phys.kT, &c, &err) == 0);
    double crit = 1.63 * sqrt(2.0 / (double)go.n); /* 1 % two-sample KS critical value */
    printf("  CRN float vs host-noise float: heat %.3f vs %.3f kT, KS %.4f (1%% critical %.4f)\n", sa.q_end.mean,
           sg.q_end.mean, c.ks, crit);
    CHECK(c.ks < crit);
    CHECK(fabs(sa.q_end.mean) > 3 * sa.q_end.sem); /* the heat is not trivially zero */

    /* Device vs CRN float on the dequantized weights: 16-bit couplings and a
     * fine state track trajectory by trajectory; 3-bit couplings do not. */
    lv_quant_opts qo = lv_quant_opts_default();
    double track[2];
    int bits[2] = {16, 3};
    for (int k = 0; k < 2; ++k) {
        qo.bj = bits[k], qo.wx = 28, qo.fx = 24, qo.bb = 24;
        lv_dev_image img;
        lv_quant_report rep;
        lv_model dq;
        CHECK_MSG(lv_quantize(&m, &qo, &img, &rep, &err) == 0, "%s", err.msg);
        CHECK(lv_model_from_image(&img, &dq, &err) == 0);
        lv_gen_result d, f;
        lv_device_stats st;
        go.batch = 64;
        CHECK_MSG(lv_device_generate(&img, NULL, &go, &d, &st, NULL, NULL, &err) == 0, "%s", err.msg);
        CHECK(lv_crn_float_generate(k == 0 ? &dq : &m, &go, &f, NULL, NULL, &err) == 0);
        lv_run_stats sd, sf;
        CHECK(lv_run_measure(&m, &d, &sd, &err) == 0 && lv_run_measure(&m, &f, &sf, &err) == 0);
        CHECK(lv_run_compare(&d, &sd, &f, &sf, m.phys.kT, &c, &err) == 0);
        track[k] = c.paired_abs / sf.q_end.std;
        printf("  %2d-bit device vs CRN float: mean |dQ| / std(Q) = %.2e, KS %.4f\n", bits[k], track[k], c.ks);
        lv_run_stats_free(&sd), lv_run_stats_free(&sf);
        lv_gen_result_free(&d), lv_gen_result_free(&f);
        lv_model_free(&dq);
        lv_dev_image_free(&img);
    }
    CHECK(track[0] < 1e-3);
    CHECK(track[1] > 100 * track[0]);
    lv_run_stats_free(&sa), lv_run_stats_free(&sg);
    lv_gen_result_free(&a), lv_gen_result_free(&b), lv_gen_result_free(&g);
    lv_model_free(&m);
}

int main(void)
{
    test_values();
    test_points_and_hash();
    test_csv();
    test_threshold_and_pass();
    test_energy();
    test_crn();
    return lv_test_report("sweep");
}
