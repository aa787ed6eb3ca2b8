/* bench_rtl.c - the Verilated RTL core (rtl/langevin_core.v) at paper size
 * running whole generation trajectories, against the emulated device
 * (emu/, lv_dev) on the same image and seed in the same run.
 *
 * The image is random with the shape of the default quantized model
 * (784 visible + 512 hidden units, no visible-visible block: M = 532,224
 * stored couplings, docs/fixed-point.md §3; 8-bit codes with per-row
 * exponents, the formats of §2).  One trajectory is the paper protocol on
 * the device: --teq coupling-free ticks from x = 0, then --run coupled ticks
 * with the V0 latch (t_f = 2.5 at dt = 1e-3: 2500 ticks, as the float
 * reference and `langevin generate --device emu` use).  Printed: cycles per
 * coupled tick (measured between pass ends) against the core's schedule
 * model (rtl/sim/core_timing.h), against ceil(M/P) alone and against the
 * issue's 1.05 ceil(M/P), cycles of the coupling-free ticks, simulated cycles per second, wall time per
 * trajectory of the RTL and of the emulator and their ratio, and whether
 * the final state, V, V0, Q and counters are bit-identical (they must be).
 * Informational: exits 0 unless something fails or the two differ.
 *
 * Built only with -DLANGEVIN_BENCH_RTL=ON, one executable per lane count
 * (bench_rtl_p<P>, LANGEVIN_BENCH_RTL_LANES, default "8;32").
 *
 * usage: bench_rtl_p<P> [--nv N] [--nh N] [--bj BITS] [--teq TICKS]
 *                       [--run TICKS] [--traj T]
 */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_image.h"
#include "bench_util.h"
#include "core_timing.h"
#include "device.h"
#include "lvrtl.h"
#include "noise_dac.h"
#include "progress.h"


typedef struct {
    int nv, nh, bj, teq, run, traj, emu_batch;
} opts;

static int parse_args(int argc, char **argv, opts *o)
{
    *o = (opts){.nv = 784, .nh = 512, .bj = 8, .teq = 1000, .run = 2500, .traj = 1, .emu_batch = 32};
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            printf("usage: %s [--nv N] [--nh N] [--bj BITS] [--teq TICKS] [--run TICKS] [--traj T] [--emu-batch B]\n"
                   "  defaults: 784 512 8 1000 2500 1 32 (paper size and protocol: 1000 coupling-free ticks,\n"
                   "  then t_f / dt = 2500 coupled ticks); nv + nh <= the model's MaxN = %d, M <= MaxM = %d.\n"
                   "  Runs T trajectories on the Verilated core (P = %d lanes) and on the emulator (one at a\n"
                   "  time, compared bit for bit), then B trajectories as one emulator batch (its fast path);\n"
                   "  prints cycles per tick, simulated cycles/s and wall time per trajectory of each;\n"
                   "  exits 1 if the RTL and the emulator differ.\n",
                   argv[0], lvrtl_max_n(), lvrtl_max_m(), lvrtl_lanes());
            exit(0);
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "bench_rtl: option %s needs a value\n", a);
            return -1;
        }
        const char *v = argv[++i];
        int bad;
        if (!strcmp(a, "--nv")) bad = lv_bench_parse_int(v, 1, lvrtl_max_n() - 2, &o->nv);
        else if (!strcmp(a, "--nh")) bad = lv_bench_parse_int(v, 2, lvrtl_max_n() - 1, &o->nh);
        else if (!strcmp(a, "--bj")) bad = lv_bench_parse_int(v, 2, 16, &o->bj);
        else if (!strcmp(a, "--teq")) bad = lv_bench_parse_int(v, 0, 1000000, &o->teq);
        else if (!strcmp(a, "--run")) bad = lv_bench_parse_int(v, 1, 1000000, &o->run);
        else if (!strcmp(a, "--traj")) bad = lv_bench_parse_int(v, 1, 1000, &o->traj);
        else if (!strcmp(a, "--emu-batch")) bad = lv_bench_parse_int(v, 1, 4096, &o->emu_batch);
        else {
            fprintf(stderr, "bench_rtl: unknown option %s (see --help)\n", a);
            return -1;
        }
        if (bad) {
            fprintf(stderr, "bench_rtl: bad value '%s' for %s (see --help for the ranges)\n", v, a);
            return -1;
        }
    }
    if (o->nv + o->nh > lvrtl_max_n() ||
        lv_dev_couplings(o->nv, o->nh, 0) > (size_t)lvrtl_max_m()) {
        fprintf(stderr, "bench_rtl: nv + nh = %d units, M = %zu couplings exceed the model (MaxN = %d, MaxM = %d)\n",
                o->nv + o->nh, lv_dev_couplings(o->nv, o->nh, 0), lvrtl_max_n(), lvrtl_max_m());
        return -1;
    }
    return 0;
}

typedef struct {
    uint64_t cycles_free, passes_free, cycles_coupled, passes_coupled;
} pass_stats;

/* One run on the RTL; pass lengths (after pass 0, which holds the setup
 * sweep) go into ps.  xr collects the state-write stream. */
static int rtl_run(lvrtl *h, uint64_t seed, uint32_t tick0, uint32_t T, int couple, int latch, int clear,
                   int32_t *xr, pass_stats *ps, lv_progress *pg, double done0, double total, lvrtl_out *o)
{
    lvrtl_start(h, seed, tick0, T, couple, latch, clear, o);
    uint64_t last = lvrtl_cycles(h);
    uint32_t k = 0;
    for (;;) {
        lvrtl_cycle(h, o);
        if (o->xw_valid) xr[o->xw_unit] = o->xw_x;
        if (o->pass_done) {
            uint64_t now = lvrtl_cycles(h);
            if (k > 0) {
                if (couple) {
                    ps->cycles_coupled += now - last;
                    ps->passes_coupled++;
                } else {
                    ps->cycles_free += now - last;
                    ps->passes_free++;
                }
            }
            last = now;
            k++;
            if (pg && (k & 15) == 0) lv_progress_update(pg, done0 + k, total, "RTL ticks");
        }
        if (o->done) break;
    }
    return k == T + 1 ? 0 : -1;
}

int main(int argc, char **argv)
{
    opts o;
    if (parse_args(argc, argv, &o)) return 2;
    lv_error err = {{0}};
    const int N = o.nv + o.nh, P = lvrtl_lanes();
    lv_dev_image img;
    uint64_t rng = LV_BENCH_RNG_SEED;
    if (lv_bench_image(o.nv, o.nh, o.bj, &rng, &img, &err)) {
        fprintf(stderr, "bench_rtl: %s\n", err.msg);
        return 1;
    }
    const long M = (long)img.m, mp = (M + P - 1) / P;
    printf("bench_rtl: Verilated langevin_core P = %d lanes (MaxN = %d, MaxM = %d); nv = %d, nh = %d, M = %ld, "
           "BJ = %d; trajectory = %d coupling-free + %d coupled ticks; load average %.2f\n",
           P, lvrtl_max_n(), lvrtl_max_m(), o.nv, o.nh, M, o.bj, o.teq, o.run, lv_bench_loadavg1());
    lv_dev *d = lv_dev_create(&img, NULL, 1, &err);
    if (!d) {
        fprintf(stderr, "bench_rtl: the emulator refuses the image: %s\n", err.msg);
        return 1;
    }
    int32_t *x0 = calloc((size_t)N, sizeof(int32_t)), *xr = calloc((size_t)N, sizeof(int32_t));
    if (!x0 || !xr) return 1;

    /* RTL: load once (one word per cycle), then the trajectories. */
    lvrtl *h = lvrtl_create(NULL);
    lvrtl_cfg c = {img.nv, img.nh, img.vv, img.wx, img.fx, img.wf, img.ff, img.j2, img.j4, img.k,
                   img.bn, img.gain, img.offset, img.colour_a, img.colour_c, img.eb[0], img.eb[1]};
    lvrtl_set_cfg(h, &c);
    double t0 = lv_now();
    for (size_t m = 0; m < img.m; ++m)
        lvrtl_load(h, LVRTL_MEM_COUPLINGS, m ? 1u : 0u, (uint32_t)(int32_t)img.c[m], NULL);
    for (size_t r = 0; r < img.n_rows; ++r) lvrtl_load(h, LVRTL_MEM_ROW_EXP, (uint32_t)r, (uint32_t)(int32_t)img.ej[r], NULL);
    for (int i = 0; i < N; ++i) lvrtl_load(h, LVRTL_MEM_BIAS, (uint32_t)i, (uint32_t)img.cb[i], NULL);
    const double t_load = lv_now() - t0;

    lv_progress pg, *pgp = &pg; /* shown only when stderr is a terminal */
    pass_stats ps = {0};
    double t_rtl = 0, t_emu = 0;
    uint64_t cyc_traj = 0;
    int mismatches = 0;
    for (int t = 0; t < o.traj; ++t) {
        const uint64_t seed = 1000u + (uint64_t)t;
        /* RTL trajectory: x = 0, free phase (clear), coupled phase with the latch. */
        lvrtl_out out;
        for (int i = 0; i < N; ++i) {
            lvrtl_load(h, LVRTL_MEM_STATE, (uint32_t)i, 0u, NULL);
            xr[i] = 0;
        }
        if (pgp) lv_progress_start(pgp, "bench_rtl");
        const uint64_t c0 = lvrtl_cycles(h);
        t0 = lv_now();
        int bad = rtl_run(h, seed, 0, (uint32_t)o.teq, 0, 0, 1, xr, &ps, pgp, 0, o.teq + o.run, &out);
        bad |= rtl_run(h, seed, out.tick, (uint32_t)o.run, 1, 1, 0, xr, &ps, pgp, o.teq, o.teq + o.run, &out);
        t_rtl += lv_now() - t0;
        cyc_traj += lvrtl_cycles(h) - c0;
        if (pgp) lv_progress_end(pgp);

        /* Emulator: the same trajectory. */
        t0 = lv_now();
        if (lv_dev_reset(d, &seed, 1, 0, &err) || lv_dev_set_state(d, x0, &err) ||
            lv_dev_run(d, 0, (uint32_t)o.teq, 0, &err) || lv_dev_run(d, 1, (uint32_t)o.run, 1, &err)) {
            fprintf(stderr, "bench_rtl: emulator: %s\n", err.msg);
            return 1;
        }
        t_emu += lv_now() - t0;
        lv_dev_regs r;
        lv_dev_regs_get(d, 0, &r);
        const int32_t *xe = lv_dev_state(d);
        int same = !bad && out.v == r.v && out.v0 == r.v0 && out.q == r.q && out.sat_state == r.sat_state &&
                   out.sat_force == r.sat_force && out.tick == lv_dev_tick(d);
        for (int i = 0; i < N && same; ++i) same = xr[i] == xe[i];
        if (!same) {
            mismatches++;
            fprintf(stderr, "bench_rtl: trajectory %d: RTL and emulator differ (V %" PRId64 "/%" PRId64 ", Q %" PRId64
                    "/%" PRId64 ", TICK %u/%u)\n", t, out.v, r.v, out.q, r.q, out.tick, lv_dev_tick(d));
        }
    }
    /* The emulator's batched path: emu_batch trajectories at once. */
    double t_emu_b = 0;
    {
        const int B = o.emu_batch;
        lv_dev *db = lv_dev_create(&img, NULL, B, &err);
        uint64_t *seeds = malloc((size_t)B * sizeof(uint64_t));
        int32_t *xb = calloc((size_t)B * (size_t)N, sizeof(int32_t));
        if (!db || !seeds || !xb) {
            fprintf(stderr, "bench_rtl: emulator batch of %d: %s\n", B, db ? "out of memory" : err.msg);
            return 1;
        }
        for (int b = 0; b < B; ++b) seeds[b] = 1000u + (uint64_t)b;
        t0 = lv_now();
        if (lv_dev_reset(db, seeds, B, 0, &err) || lv_dev_set_state(db, xb, &err) ||
            lv_dev_run(db, 0, (uint32_t)o.teq, 0, &err) || lv_dev_run(db, 1, (uint32_t)o.run, 1, &err)) {
            fprintf(stderr, "bench_rtl: emulator batch: %s\n", err.msg);
            return 1;
        }
        t_emu_b = (lv_now() - t0) / B;
        lv_dev_free(db);
        free(seeds);
        free(xb);
    }
    const double cpt = ps.passes_coupled ? (double)ps.cycles_coupled / (double)ps.passes_coupled : 0;
    const double cpf = ps.passes_free ? (double)ps.cycles_free / (double)ps.passes_free : 0;
    const double rate = (double)cyc_traj / t_rtl;
    printf("  image load: %zu words in %.2f s (one word per cycle)\n", img.m + img.n_rows + (size_t)N, t_load);
    const uint64_t model = lv_core_pass_cycles(o.nv, o.nh, 0, P, 1, 1);
    printf("  cycles per coupled tick: %.1f measured; schedule model %" PRIu64 " (%s); ceil(M/P) = %ld: "
           "measured - ceil(M/P) = %.1f, measured / ceil(M/P) = %.4f, 1.05 ceil(M/P) = %.1f\n",
           cpt, model, cpt == (double)model ? "equal" : "DIFFERENT", mp, cpt - (double)mp, cpt / (double)mp,
           1.05 * (double)mp);
    printf("  cycles per coupling-free tick: %.1f measured (schedule model N + 18 = %d)\n", cpf, N + 18);
    printf("  cycles per trajectory: %" PRIu64 " (incl. setup sweeps)\n", cyc_traj / (uint64_t)o.traj);
    printf("  simulated: %.3g cycles/s (Verilator, one thread)\n", rate);
    printf("  wall time per trajectory: RTL %.2f s; emulator one at a time %.3f s (RTL / emulator = %.1f), "
           "emulator batch of %d %.3f s (RTL / emulator = %.0f)\n",
           t_rtl / o.traj, t_emu / o.traj, t_rtl / t_emu, o.emu_batch, t_emu_b, t_rtl / o.traj / t_emu_b);
    printf("  bit-exact: %s (%d of %d trajectories: state, V, V0, Q, SAT_*, TICK)\n", mismatches ? "NO" : "yes",
           o.traj - mismatches, o.traj);
    lvrtl_free(h);
    lv_dev_free(d);
    lv_dev_image_free(&img);
    free(x0);
    free(xr);
    return mismatches || cpt != (double)model ? 1 : 0;
}
