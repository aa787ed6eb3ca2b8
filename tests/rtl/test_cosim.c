/* test_cosim.c - RTL (rtl/langevin_core.v, Verilated) against the C model
 * (emu/), bit for bit, at every tick.
 *
 * For each seed a random image is drawn (unit counts up to the model's
 * capacity, among them nv = 13, nh = 7; the visible-visible block on or off;
 * every format of docs/fixed-point.md §2 at random: Wx, Fx, BJ 2..16, Bb, Wf,
 * Ff, J2, J4, K, Bn, gain, offset, colour; per-row coupling exponents;
 * random initial states, sometimes at full scale, and weights or offsets
 * that drive the force and the state into saturation) and kept when
 * lv_dev_create accepts it (the §10 bounds).  Both devices then run the same
 * sequence of 2-3 runs (COUPLE off/on, latch, a measure-only run, a tick
 * counter starting anywhere).  After every pass of the RTL the harness
 * compares the state (collected from the RTL's state-write stream), V, V0,
 * Q, SAT_STATE and SAT_FORCE with the emulator stepped one tick at a time
 * (a run split into single ticks gives the bits of the whole run,
 * device.h).  It also checks the cycles of every pass against the schedule
 * model rtl/sim/core_timing.c (exactly) and against the documented bound
 * max(N + 22, ceil(M/P) + P + 23) (rtl/README.md; a core built with
 * Overlap = 0: ceil(M/P) + N + 21).
 *
 * A core built with narrow accumulators (AccW < 64, lvrtl_acc_width()) is
 * exact only for images whose bound max_u xmax rowsum_u is below
 * 2^(AccW-1) (coupling_mac.v "Widths"; emu's lv_cn_acc_bits, the number the
 * firmware checks against CAP_ACC_W): a drawn image that needs more counts
 * as refused.  So that the accepted ones reach the limit, 40% of the draws
 * are tuned to need exactly AccW bits (Wx lowered, then the exponents of
 * every row but one lowered, one bit at a time), and most of those start
 * from the state that drives the field of the unit with the largest bound
 * to +-bound itself.  Then extra "wrap" seeds run crafted images that break
 * the bound on purpose: one unit's only couplings are c and three negative
 * codes adding up to -c (or -c + 1), and the state makes the term of c
 * >= 2^(AccW-1) (it wraps, alone or inside a lane word, depending on the
 * lanes and accumulators the couplings fall in) while the others do not,
 * yet every true |acc| is below 2^(AccW-1), so the field is still exact:
 * the modular argument of coupling_mac.v, checked (a datapath that summed
 * the lane words without wrapping them back fails it).
 *
 * Usage: test_cosim [--long] [seeds [first]]; --long (only with LV_LONG=1 in
 * the environment, otherwise it exits 77 = skipped) runs 10x the seeds, other
 * seeds, and 5x longer runs; LV_RTL_FST=file.fst dumps the first seed's waveform (only
 * in a LANGEVIN_RTL_TRACE=ON build). */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_timing.h"
#include "unit_serial_timing.h"
#include "coupling_network.h"
#include "device.h"
#include "lvrtl.h"
#include "noise_dac.h"
#include "test_util.h"
#define splitmix64 lv_t_splitmix64


static int irange(uint64_t *s, int lo, int hi) { return lo + (int)(splitmix64(s) % (uint64_t)(hi - lo + 1)); }
static int chance(uint64_t *s, int percent) { return irange(s, 0, 99) < percent; }
static int64_t smax(int w) { return ((int64_t)1 << (w - 1)) - 1; }
static int64_t scode(uint64_t *s, int w) /* uniform symmetric code of width w */
{
    int64_t m = smax(w);
    return (int64_t)(splitmix64(s) % (uint64_t)(2 * m + 1)) - m;
}

typedef struct {
    long seeds, accepted_draws, rejected_draws, passes, sat_state_seeds, sat_force_seeds, coupled_passes;
    long worst_over_bound;  /* max of cycles - bound over coupled passes (must be <= 0) */
    long worst_over_field;  /* max of cycles - ceil(M/P) over coupled passes with ceil(M/P) >= N */
    int example_printed;
    /* Narrow accumulators (AccW < 64). */
    long acc_refused;       /* draws needing more than AccW bits */
    long acc_tuned;         /* accepted images tuned to the limit */
    long acc_at_limit;      /* accepted images needing exactly AccW bits */
    long acc_top;           /* seeds whose initial state gives some |acc| >= 2^(AccW-2) */
    int acc_max_len;        /* largest bit length of an initial |acc| */
    long wrap_seeds;        /* crafted images whose terms wrap, all bit-exact */
} stats;

/* A random image within the model's capacity; 0 when lv_dev_create accepts it. */
static int draw_image(lv_dev_image *img, uint64_t *s, int maxn, int force_13_7)
{
    memset(img, 0, sizeof *img);
    int nv, nh;
    if (force_13_7) {
        nv = 13;
        nh = 7;
    } else {
        int cap = chance(s, 30) ? maxn : (maxn < 24 ? maxn : 24);
        nv = irange(s, 1, cap - 1);
        nh = irange(s, 0, cap - nv);
    }
    img->nv = nv;
    img->nh = nh;
    img->vv = chance(s, 50);
    img->wx = irange(s, 8, 28);
    int fx_lo = (3 * (img->wx - 1) - 62) / 2 + 1;
    if (fx_lo < 4) fx_lo = 4;
    if (fx_lo > img->wx - 2) fx_lo = img->wx - 2;
    img->fx = irange(s, fx_lo, img->wx - 2);
    img->wf = irange(s, 16, 40);
    img->ff = irange(s, 4, img->wf - 2);
    img->bj = irange(s, 2, lvrtl_coupling_width());
    img->bb = irange(s, 2, 24);
    img->j2 = chance(s, 10) ? 0 : irange(s, 0, 4 << 16);
    img->j4 = chance(s, 10) ? 0 : irange(s, 0, 4 << 16);
    double mudt = pow(10.0, -4.0 + 2.5 * (double)irange(s, 0, 1000) / 1000.0);
    img->k = (uint32_t)(mudt * 4294967296.0);
    if (img->k < 1) img->k = 1;
    img->bn = irange(s, 2, 14);
    img->gain = chance(s, 5) ? 0 : (uint32_t)(splitmix64(s) >> irange(s, 32, 63));
    img->offset = chance(s, 70) ? 0 : (int32_t)scode(s, irange(s, 2, 32));
    img->colour_a = chance(s, 50) ? 0 : (uint16_t)(chance(s, 20) ? irange(s, 32000, 32767) : irange(s, 1, 32767));
    img->colour_c = lv_dac_colour_c(img->colour_a);
    img->ticks_eq = 0;
    img->ticks_run = 0;
    img->m = lv_dev_couplings(nv, nh, img->vv);
    img->n_rows = lv_dev_rows(nv, nh, img->vv);
    img->c = malloc((img->m ? img->m : 1) * sizeof(int16_t));
    img->ej = malloc(img->n_rows);
    img->cb = malloc((size_t)(nv + nh) * sizeof(int32_t));
    if (!img->c || !img->ej || !img->cb) return -1;
    /* Exponents: a base near Ff + the state scale, a per-row spread. */
    int base = irange(s, -16, 40), spread = irange(s, 0, 6);
    for (size_t r = 0; r < img->n_rows; ++r) {
        int e = base + irange(s, 0, spread);
        img->ej[r] = (int8_t)(e > 47 ? 47 : e);
    }
    int sparse = chance(s, 20); /* many zero couplings */
    for (size_t m = 0; m < img->m; ++m)
        img->c[m] = (int16_t)(sparse && chance(s, 70) ? 0 : scode(s, img->bj));
    for (int b = 0; b < 2; ++b) {
        int e = img->ff + irange(s, -4, 24);
        img->eb[b] = (int8_t)(e < -16 ? -16 : e > 47 ? 47 : e);
    }
    for (int i = 0; i < nv + nh; ++i) img->cb[i] = (int32_t)scode(s, img->bb);
    return 0;
}

/* ---- the accumulator bound (narrow AccW) ----------------------------------- */

/* Stored row r of §3 (emu/src/coupling_network.c's row_geom). */
static void row_geom(const lv_dev_image *img, size_t r, int *i, int *j0, int *cnt)
{
    const int nv = img->nv, nh = img->nh;
    if (r < (size_t)nv) {
        *i = (int)r, *j0 = nv, *cnt = nh;
    } else if (r < (size_t)(nv + nh)) {
        *i = (int)r, *j0 = (int)r + 1, *cnt = nv + nh - (int)r - 1;
    } else {
        int v = (int)r - nv - nh;
        *i = v, *j0 = v + 1, *cnt = nv - v - 1;
    }
}

/* E: the largest exponent of a row holding a coupling. */
static int exp_max(const lv_dev_image *img)
{
    int e = -1000, i, j0, cnt;
    for (size_t r = 0; r < img->n_rows; ++r) {
        row_geom(img, r, &i, &j0, &cnt);
        if (cnt > 0 && img->ej[r] > e) e = img->ej[r];
    }
    return e;
}

/* Accumulator bits the image needs (emu's exact bound, lv_cn_acc_bits); 99
 * when emu refuses it outright (>= 2^63). */
static int acc_bits(const lv_dev_image *img)
{
    lv_coupling_net *cn = NULL;
    lv_error err = {{0}};
    if (lv_cn_create(&cn, img, 0, 0, 0, 1, LV_CN_INT64, &err)) return 99;
    int b = lv_cn_acc_bits(cn);
    lv_cn_free(cn);
    return b;
}

/* The true acc_u of state x for every unit (caller: the §10 bound holds, so
 * every term and sum is below 2^63); returns max |acc_u|. */
static uint64_t acc_of(const lv_dev_image *img, const int32_t *x, int64_t *acc)
{
    const int n = img->nv + img->nh, e = exp_max(img);
    int i, j0, cnt;
    memset(acc, 0, (size_t)n * sizeof *acc);
    size_t off = 0;
    for (size_t r = 0; r < img->n_rows; ++r) {
        row_geom(img, r, &i, &j0, &cnt);
        for (int k = 0; k < cnt; ++k) {
            if (!img->c[off + (size_t)k]) continue; /* (its shift may be 63) */
            const int64_t a = (int64_t)img->c[off + (size_t)k] * ((int64_t)1 << (e - img->ej[r]));
            acc[i] += a * x[j0 + k];
            acc[j0 + k] += a * x[i];
        }
        off += (size_t)cnt;
    }
    uint64_t mx = 0;
    for (int u = 0; u < n; ++u) {
        uint64_t v = acc[u] < 0 ? (uint64_t)0 - (uint64_t)acc[u] : (uint64_t)acc[u];
        if (v > mx) mx = v;
    }
    return mx;
}

static int bitlen64(uint64_t v)
{
    int b = 0;
    for (; v; v >>= 1) ++b;
    return b;
}

/* Tune a draw to need exactly A bits: lower Wx while it needs more, then
 * lower the exponent of every row but one non-empty row at E (each step at
 * most doubles a row sum: +1 bit at most).  Returns the bits it needs. */
static int tune_to_limit(lv_dev_image *img, int A)
{
    int b = acc_bits(img);
    while (b > A && img->wx > 8) {
        img->wx--;
        if (img->fx > img->wx - 2) img->fx = img->wx - 2;
        b = acc_bits(img);
    }
    const int e = exp_max(img);
    size_t anchor = 0;
    int i, j0, cnt;
    for (size_t r = 0; r < img->n_rows; ++r) {
        row_geom(img, r, &i, &j0, &cnt);
        if (cnt > 0 && img->ej[r] == e) {
            anchor = r;
            break;
        }
    }
    while (b < A) {
        int moved = 0;
        for (size_t r = 0; r < img->n_rows; ++r)
            if (r != anchor && img->ej[r] > -16) {
                img->ej[r]--;
                moved = 1;
            }
        if (!moved) break;
        b = acc_bits(img);
    }
    return b;
}

/* The state that drives the field of the unit with the largest row sum to
 * +-its bound: its partners at +-xmax with the signs of their couplings. */
static void worst_state(const lv_dev_image *img, int32_t *x, int sign)
{
    const int n = img->nv + img->nh, e = exp_max(img);
    const int32_t xm = (int32_t)smax(img->wx);
    uint64_t *rs = calloc((size_t)n, sizeof *rs);
    int i, j0, cnt, best = 0;
    size_t off = 0;
    for (size_t r = 0; r < img->n_rows; ++r) {
        row_geom(img, r, &i, &j0, &cnt);
        for (int k = 0; k < cnt; ++k) {
            int c = img->c[off + (size_t)k];
            uint64_t a = (uint64_t)(c < 0 ? -c : c) << (e - img->ej[r]);
            rs[i] += a;
            rs[j0 + k] += a;
        }
        off += (size_t)cnt;
    }
    for (int u = 1; u < n; ++u)
        if (rs[u] > rs[best]) best = u;
    off = 0;
    for (size_t r = 0; r < img->n_rows; ++r) {
        row_geom(img, r, &i, &j0, &cnt);
        for (int k = 0; k < cnt; ++k) {
            int c = img->c[off + (size_t)k], other = i == best ? j0 + k : j0 + k == best ? i : -1;
            if (other >= 0 && c != 0) x[other] = (c > 0) == (sign > 0) ? xm : -xm;
        }
        off += (size_t)cnt;
    }
    free(rs);
}

static void rtl_load_image(lvrtl *h, const lv_dev_image *img, const int32_t *x0)
{
    lvrtl_cfg c = {img->nv, img->nh, img->vv, img->wx, img->fx, img->wf, img->ff, img->j2, img->j4, img->k,
                   img->bn, img->gain, img->offset, img->colour_a, img->colour_c, img->eb[0], img->eb[1]};
    lvrtl_set_cfg(h, &c);
    for (size_t m = 0; m < img->m; ++m)
        lvrtl_load(h, LVRTL_MEM_COUPLINGS, m ? 1u : 0u, (uint32_t)(int32_t)img->c[m], NULL);
    for (size_t r = 0; r < img->n_rows; ++r)
        lvrtl_load(h, LVRTL_MEM_ROW_EXP, (uint32_t)r, (uint32_t)(int32_t)img->ej[r], NULL);
    for (int i = 0; i < img->nv + img->nh; ++i) {
        lvrtl_load(h, LVRTL_MEM_BIAS, (uint32_t)i, (uint32_t)img->cb[i], NULL);
        lvrtl_load(h, LVRTL_MEM_STATE, (uint32_t)i, (uint32_t)x0[i], NULL);
    }
}

/* unit_serial's cycles for a visible (hidden = 0) or hidden unit in pass k of
 * a T-tick run (Serial = 1 cores): the pass computes heat from pass 1 on and
 * updates before pass T; e_max is E as the RTL's setup sweep found it (its
 * field rounding depends on it; a wrong E shows in the bits anyway). */
static int serial_unit_cycles(const lv_dev_image *img, int e_max, int hidden, int couple, uint32_t k, uint32_t T)
{
    return lv_unit_serial_cycles(img->fx, img->ff, img->bn, img->eb[hidden], e_max, couple, k != 0, k != T,
                                 img->colour_a != 0);
}

/* One run on both devices; compares after every pass.  Returns the number
 * of mismatching passes (0 = bit-exact). */
static int run_both(lvrtl *h, lv_dev *d, uint64_t seed, int couple, uint32_t T, int latch, int clear, int32_t *xr,
                    const lv_dev_image *img, uint64_t tseed, stats *st)
{
    const int n = img->nv + img->nh, P = lvrtl_lanes();
    const long M = (long)img->m;
    lv_error err = {{0}};
    const uint32_t tick0 = lv_dev_tick(d);
    int bad = 0;
    if (lv_dev_run(d, couple, 0, latch, &err)) {
        fprintf(stderr, "emu: %s\n", err.msg);
        return 1;
    }
    lv_dev_regs prev, cur;
    lv_dev_regs_get(d, 0, &prev);
    lvrtl_out o;
    lvrtl_start(h, seed, tick0, T, couple, latch, clear, &o);
    uint64_t last = lvrtl_cycles(h);
    const uint64_t per_unit = lvrtl_serial() ? 400 : 4; /* unit_serial: at most ~220 cycles a unit */
    const uint64_t field_m = lvrtl_pair() ? (uint64_t)M : 2 * (uint64_t)M; /* Pair = 0: two cycles a coupling */
    const uint64_t limit = last + (uint64_t)(T + 1) * (field_m + per_unit * n + 200) + 4 * (uint64_t)n + 100;
    uint32_t k = 0;
    for (;;) {
        lvrtl_cycle(h, &o);
        if (o.xw_valid) xr[o.xw_unit] = o.xw_x;
        if (o.pass_done) {
            uint64_t now = lvrtl_cycles(h), cyc = now - last;
            last = now;
            if (k > 0) { /* pass 0 includes the run's setup sweep */
                long want = lvrtl_serial()
                                ? (long)lv_core_pass_cycles_serial_pair(
                                      img->nv, img->nh, img->vv, P, couple, k != T,
                                      serial_unit_cycles(img, o.e_max, 0, couple, k, T),
                                      serial_unit_cycles(img, o.e_max, 1, couple, k, T), lvrtl_pair())
                                : (long)lv_core_pass_cycles_pair(img->nv, img->nh, img->vv, P, couple,
                                                                 lvrtl_overlap(), lvrtl_pair());
                CHECK_MSG((long)cyc == want,
                          "seed %" PRIu64 ": pass %u took %" PRIu64 " cycles, schedule model %ld (nv %d nh %d vv %d)",
                          tseed, k, cyc, want, img->nv, img->nh, img->vv);
                if (couple && img->nv == 13 && img->nh == 7 && !st->example_printed) {
                    printf("  example: nv = 13, nh = 7, vv = %d, M = %ld, P = %d: %" PRIu64
                           " cycles per coupled tick (ceil(M/P) = %ld, N = %d)\n",
                           img->vv, M, P, cyc, (M + P - 1) / P, n);
                    st->example_printed = 1;
                }
                if (couple && !lvrtl_serial()) {
                    /* Pair = 0 (Overlap 0): the field pass is 2 ceil(M/P), the bound F + N + 21 */
                    const long field = (long)lv_core_field_cycles(img->nv, img->nh, img->vv, P, lvrtl_pair());
                    const long bound = lvrtl_pair()
                                           ? (long)lv_core_pass_bound(img->nv, img->nh, img->vv, P, lvrtl_overlap())
                                           : field + n + 21;
                    if ((long)cyc - bound > st->worst_over_bound) st->worst_over_bound = (long)cyc - bound;
                    if (field >= n && (long)cyc - field > st->worst_over_field) st->worst_over_field = (long)cyc - field;
                }
                if (couple) st->coupled_passes++;
            }
            int ok = o.v == prev.v && o.q == prev.q && o.v0 == prev.v0;
            if (k < T) {
                if (lv_dev_run(d, couple, 1, 0, &err)) {
                    fprintf(stderr, "emu: %s\n", err.msg);
                    return bad + 1;
                }
                lv_dev_regs_get(d, 0, &cur);
            } else {
                cur = prev;
            }
            ok = ok && o.sat_state == cur.sat_state && o.sat_force == cur.sat_force;
            const int32_t *xe = lv_dev_state(d);
            int xbad = -1;
            for (int i = 0; i < n && xbad < 0; ++i)
                if (xr[i] != xe[i]) xbad = i;
            ok = ok && xbad < 0;
            CHECK_MSG(ok,
                      "seed %" PRIu64 " (couple %d, T %u): pass %u differs: V %" PRId64 "/%" PRId64 " Q %" PRId64
                      "/%" PRId64 " V0 %" PRId64 "/%" PRId64 " SAT_STATE %u/%u SAT_FORCE %u/%u, first state "
                      "mismatch unit %d (%d/%d) [rtl/emu]",
                      tseed, couple, T, k, o.v, prev.v, o.q, prev.q, o.v0, prev.v0, o.sat_state, cur.sat_state,
                      o.sat_force, cur.sat_force, xbad, xbad >= 0 ? xr[xbad] : 0, xbad >= 0 ? xe[xbad] : 0);
            if (!ok && ++bad > 2) return bad;
            prev = cur;
            st->passes++;
            k++;
        }
        if (o.done) break;
        if (lvrtl_cycles(h) > limit) {
            CHECK_MSG(0, "seed %" PRIu64 ": the RTL did not finish a %u-tick run", tseed, T);
            return bad + 1;
        }
    }
    CHECK_MSG(k == T + 1, "seed %" PRIu64 ": %u passes, expected %u", tseed, k, T + 1);
    CHECK_MSG(o.tick == lv_dev_tick(d), "seed %" PRIu64 ": TICK %u, emu %u", tseed, o.tick, lv_dev_tick(d));
    if (k != T + 1 || o.tick != lv_dev_tick(d)) bad++;
    return bad;
}

static int one_seed(uint64_t tseed, int longrun, const char *fst, stats *st)
{
    uint64_t s = tseed * 0x2545F4914F6CDD1Dull + 17;
    const int maxn = lvrtl_max_n(), A = lvrtl_acc_width();
    lv_dev_image img;
    lv_dev *d = NULL;
    lv_error err = {{0}};
    int tuned = 0, bits = 0;
    for (int attempt = 0; attempt < 1000 && !d; ++attempt) {
        if (draw_image(&img, &s, maxn, tseed % 10 == 0 && attempt < 50)) {
            lv_dev_image_free(&img);
            return 1;
        }
        if (A < 64) { /* narrow accumulators: only images within the bound */
            tuned = chance(&s, 40);
            bits = tuned ? tune_to_limit(&img, A) : acc_bits(&img);
            if (bits > A) {
                st->acc_refused++;
                lv_dev_image_free(&img);
                continue;
            }
        }
        d = lv_dev_create(&img, NULL, 1, &err);
        if (!d) {
            st->rejected_draws++;
            lv_dev_image_free(&img);
        }
    }
    if (!d) {
        CHECK_MSG(0, "seed %" PRIu64 ": no acceptable image in 1000 draws (%s)", tseed, err.msg);
        return 1;
    }
    st->accepted_draws++;
    const int n = img.nv + img.nh;
    int32_t *x0 = malloc((size_t)n * sizeof(int32_t)), *xr = malloc((size_t)n * sizeof(int32_t));
    /* Initial state: zero, small, or anywhere in the Wx range. */
    int mode = irange(&s, 0, 2);
    for (int i = 0; i < n; ++i) {
        int64_t m = smax(img.wx);
        x0[i] = mode == 0 ? 0 : (int32_t)(mode == 1 ? scode(&s, img.fx + 1) : scode(&s, img.wx));
        if (x0[i] > m) x0[i] = (int32_t)m;
    }
    if (A < 64) {
        if (tuned && chance(&s, 80)) worst_state(&img, x0, chance(&s, 50) ? 1 : -1);
        int64_t *acc = malloc((size_t)n * sizeof *acc);
        const int len = bitlen64(acc_of(&img, x0, acc));
        free(acc);
        if (len >= A - 1) st->acc_top++; /* |acc| >= 2^(A-2): the top magnitude bit */
        if (len > st->acc_max_len) st->acc_max_len = len;
        st->acc_tuned += tuned;
        st->acc_at_limit += bits == A;
    }
    for (int i = 0; i < n; ++i) xr[i] = x0[i];
    uint64_t seed = splitmix64(&s);
    uint32_t tick0 = chance(&s, 70) ? 0 : (uint32_t)(splitmix64(&s) % 0xFFFFF000u);
    int bad = 0;
    if (lv_dev_reset(d, &seed, 1, tick0, &err) || lv_dev_set_state(d, x0, &err)) {
        CHECK_MSG(0, "emu: %s", err.msg);
        bad = 1;
    }
    lvrtl *h = lvrtl_create(fst);
    rtl_load_image(h, &img, x0);
    /* Runs: the paper protocol (free, then coupled with the latch), or
     * random COUPLE / latch; a third run sometimes (maybe measure-only). */
    int runs = chance(&s, 40) ? 3 : 2, tmax = longrun ? 60 : 12;
    for (int r = 0; r < runs && !bad; ++r) {
        int couple = chance(&s, 25) ? irange(&s, 0, 1) : (r > 0);
        int latch = r == 0 ? chance(&s, 20) : chance(&s, 70);
        uint32_t T = (uint32_t)(r == 2 && chance(&s, 30) ? 0 : irange(&s, 1, tmax));
        bad += run_both(h, d, seed, couple, T, latch, r == 0, xr, &img, tseed, st);
    }
    lv_dev_regs rg;
    lv_dev_regs_get(d, 0, &rg);
    if (rg.sat_state) st->sat_state_seeds++;
    if (rg.sat_force) st->sat_force_seeds++;
    st->seeds++;
    lvrtl_free(h);
    lv_dev_free(d);
    lv_dev_image_free(&img);
    free(x0);
    free(xr);
    return bad;
}

/* A crafted image whose terms wrap modulo 2^AccW while every true |acc|
 * stays below 2^(AccW-1) (see the top): no noise, no local force, no bias;
 * unit u = nv has 4 non-zero couplings, cm and three negative codes that
 * add up to -(cm - d), d = 0, 1, at exponent E - sh, spread over its acc_i
 * and acc_j words of the lanes; every other code is 0; its partners' states
 * are +-xm with 2^(AccW-1) <= cm xm 2^sh < 2^AccW (x 2 with a second wrap
 * sometimes), x_u small, the rest 0.  A measure-only run
 * (V, V0 of x0: the meter's f x terms), then a 1-tick run when the state it
 * reaches is still within 2^(AccW-1) (x_0 moves by f_0, which wrapping
 * wrongly would saturate).  Returns the number of failures. */
static int wrap_seed(uint64_t tseed, stats *st)
{
    const int A = lvrtl_acc_width(), maxn = lvrtl_max_n();
    uint64_t s = tseed * 0x9E3779B97F4A7C15ull + 5;
    lv_dev_image img;
    lv_error err = {{0}};
    lv_dev *d = NULL;
    int32_t x0[64] = {0}, xr[64];
    int64_t acc[64];
    for (int attempt = 0; attempt < 200 && !d; ++attempt) {
        memset(&img, 0, sizeof img);
        const int nv = irange(&s, 1, 6), nh = irange(&s, 3, maxn - nv < 10 ? maxn - nv : 10), n = nv + nh;
        img.nv = nv, img.nh = nh, img.vv = chance(&s, 50);
        img.wx = irange(&s, 20, 28);
        img.fx = irange(&s, img.wx - 8, img.wx - 2); /* a small state range: §10's x^3, x^4 bounds */
        img.wf = irange(&s, 24, 40);
        img.ff = irange(&s, 4, 16);
        img.bj = irange(&s, 4, lvrtl_coupling_width());
        img.bb = 8, img.bn = 14, img.j2 = img.j4 = 0, img.gain = 0, img.offset = 0;
        img.k = (uint32_t)(1e-3 * 4294967296.0);
        img.colour_a = 0, img.colour_c = lv_dac_colour_c(0);
        img.m = lv_dev_couplings(nv, nh, img.vv);
        img.n_rows = lv_dev_rows(nv, nh, img.vv);
        img.c = calloc(img.m, sizeof(int16_t));
        img.ej = malloc(img.n_rows);
        img.cb = calloc((size_t)n, sizeof(int32_t));
        img.eb[0] = img.eb[1] = (int8_t)img.ff;
        /* Unit u = nv (the first hidden one) is coupled to the visible units
         * r (VH row r, column u: coupling r nh, in acc_j words) and to the
         * hidden units j > u (its own HH row: coupling nv nh + j - u - 1, in
         * acc_i words).  K = 4 of those nv + nh - 1 candidates, distinct. */
        const int u = nv, ncand = nv + nh - 1, K = ncand < 4 ? ncand : 4;
        int q[4];
        for (int a = 0; a < K; ++a) {
            int dup;
            do {
                q[a] = irange(&s, 0, ncand - 1);
                dup = 0;
                for (int b = 0; b < a; ++b) dup |= q[b] == q[a];
            } while (dup);
        }
        const int64_t cm = smax(img.bj), xm = smax(img.wx) - irange(&s, 0, 15);
        const int dd = irange(&s, 0, 1);
        int64_t code[4] = {cm, 0, 0, 0}, rest = cm - dd; /* -(cm - d) split into K - 1 parts >= 1 */
        for (int a = 1; a < K; ++a) {
            const int64_t part = a == K - 1 ? rest : irange(&s, 1, (int)(rest - (K - 1 - a)));
            code[a] = -part;
            rest -= part;
        }
        const int32_t sg = chance(&s, 50) ? 1 : -1;
        memset(x0, 0, sizeof x0);
        x0[u] = (int32_t)irange(&s, 1, 7) * (chance(&s, 50) ? 1 : -1);
        for (int a = 0; a < K; ++a) {
            const int partner = q[a] < nv ? q[a] : u + 1 + (q[a] - nv);
            const size_t idx = q[a] < nv ? (size_t)q[a] * (size_t)nh : (size_t)nv * nh + (size_t)(q[a] - nv);
            img.c[idx] = (int16_t)code[a];
            x0[partner] = (int32_t)(sg * xm);
        }
        int sh = A - 1 - (bitlen64((uint64_t)(cm * xm)) - 1) + (chance(&s, 20) ? 1 : 0);
        if (sh < 0) sh = 0;
        /* E near Ff - Fx, so that f = rnd(acc, Fx + E - Ff) keeps the bits a
         * wrong wrap (2^AccW) would change. */
        int e = img.ff - img.fx + irange(&s, 0, 12);
        if (e < -16 + sh) e = -16 + sh;
        if (e > 47) e = 47;
        for (size_t r = 0; r < img.n_rows; ++r) /* u's rows at E - sh; row u + 1 (not empty) at E */
            img.ej[r] = (int8_t)(r < (size_t)nv || r == (size_t)u ? e - sh : e);
        const int ok_term = (uint64_t)(cm * xm) << sh >= (uint64_t)1 << (A - 1);
        if (ok_term && acc_bits(&img) <= 64 && bitlen64(acc_of(&img, x0, acc)) < A)
            d = lv_dev_create(&img, NULL, 1, &err);
        if (!d) lv_dev_image_free(&img);
    }
    if (!d) {
        CHECK_MSG(0, "wrap seed %" PRIu64 ": no crafted image accepted (%s)", tseed, err.msg);
        return 1;
    }
    const int n = img.nv + img.nh;
    uint64_t seed = splitmix64(&s);
    /* The state one tick reaches, from the emulator alone. */
    int T = 0;
    {
        lv_dev *p = lv_dev_create(&img, NULL, 1, &err);
        if (p && !lv_dev_reset(p, &seed, 1, 0, &err) && !lv_dev_set_state(p, x0, &err) &&
            !lv_dev_run(p, 1, 1, 0, &err) && bitlen64(acc_of(&img, lv_dev_state(p), acc)) < A)
            T = 1;
        lv_dev_free(p);
    }
    int bad = 0;
    if (lv_dev_reset(d, &seed, 1, 0, &err) || lv_dev_set_state(d, x0, &err)) {
        CHECK_MSG(0, "emu: %s", err.msg);
        bad = 1;
    }
    for (int i = 0; i < n; ++i) xr[i] = x0[i];
    lvrtl *h = lvrtl_create(NULL);
    rtl_load_image(h, &img, x0);
    if (!bad) bad += run_both(h, d, seed, 1, 0, 1, 1, xr, &img, tseed, st);
    if (!bad && T) bad += run_both(h, d, seed, 1, (uint32_t)T, 0, 0, xr, &img, tseed, st);
    if (!bad) st->wrap_seeds++;
    lvrtl_free(h);
    lv_dev_free(d);
    lv_dev_image_free(&img);
    return bad;
}

int main(int argc, char **argv)
{
    const char *lng = getenv("LV_LONG");
    int longrun = argc > 1 && strcmp(argv[1], "--long") == 0;
    if (longrun) {
        if (!lng || !*lng || strcmp(lng, "0") == 0) {
            printf("rtl cosim --long: skipped (set LV_LONG=1 to run it)\n");
            return 77;
        }
        argc--;
        argv++;
    }
    long nseeds = argc > 1 ? atol(argv[1]) : 200, first = argc > 2 ? atol(argv[2]) : 0;
    if (longrun) {
        nseeds *= 10;
        first += 1000000;
    }
    const char *fst = getenv("LV_RTL_FST");
    stats st = {0};
    st.worst_over_bound = -1000000;
    int failed_seeds = 0;
    const int A = lvrtl_acc_width();
    printf("rtl cosim: P = %d lanes, MaxN = %d, MaxM = %d, CW = %d, Overlap = %d, AccW = %d, Serial = %d, Pair = %d, "
           "%ld seeds from %ld%s\n",
           lvrtl_lanes(), lvrtl_max_n(), lvrtl_max_m(), lvrtl_coupling_width(), lvrtl_overlap(), A, lvrtl_serial(),
           lvrtl_pair(), nseeds, first,
           longrun ? " (LV_LONG)" : "");
    for (long t = first; t < first + nseeds; ++t) {
        if (one_seed((uint64_t)t, longrun, t == first ? fst : NULL, &st)) failed_seeds++;
        if (failed_seeds > 3) break;
    }
    const long nwrap = A < 64 ? (nseeds + 3) / 4 : 0;
    int failed_wrap = 0;
    for (long t = first; t < first + nwrap && failed_wrap <= 3; ++t)
        if (wrap_seed((uint64_t)t, &st)) failed_wrap++;
    printf("  %ld seeds bit-exact of %ld run (%ld images drawn and refused by the §10 check), %ld passes compared\n",
           st.seeds - failed_seeds, st.seeds, st.rejected_draws, st.passes);
    printf("  saturation seen: SAT_STATE in %ld seeds, SAT_FORCE in %ld seeds\n", st.sat_state_seeds,
           st.sat_force_seeds);
    if (A < 64) {
        printf("  AccW = %d: %ld draws refused (bound needs more than %d bits); of the %ld seeds %ld were tuned to "
               "the limit, %ld need exactly %d bits, %ld start with some |acc| >= 2^%d (largest initial |acc| "
               "< 2^%d); %ld of %ld crafted wrap seeds (terms >= 2^%d, wrapping) bit-exact\n",
               A, st.acc_refused, A, st.seeds, st.acc_tuned, st.acc_at_limit, A, st.acc_top, A - 2, st.acc_max_len,
               st.wrap_seeds, nwrap, A - 1);
        CHECK(st.seeds - st.acc_at_limit >= st.seeds / 4); /* many below the limit */
        CHECK(st.acc_at_limit >= st.seeds / 5 && st.acc_top >= st.seeds / 10);
        CHECK(st.acc_max_len <= A - 1 && st.wrap_seeds == nwrap && failed_wrap == 0);
    }
    if (lvrtl_serial()) {
        /* The serial profile has no ceil(M/P) bound: its units take about N (n_u + 4) cycles. */
        printf("  cycles per pass equal the schedule model (Serial = 1: lv_core_pass_cycles_serial_pair, Pair = %d) "
               "in every pass, %ld of them coupled\n", lvrtl_pair(), st.coupled_passes);
        CHECK(st.coupled_passes > 0);
    } else {
        const char *bound_txt = lvrtl_overlap() ? "max(N + 22, ceil(M/P) + P + 23)"
                                : lvrtl_pair()  ? "(ceil(M/P) + N + 21)"
                                                : "(2 ceil(M/P) + N + 21)";
        const char *field_txt = lvrtl_pair() ? "ceil(M/P)" : "2 ceil(M/P)";
        printf("  cycles per pass equal the schedule model in every pass; %ld coupled passes: worst "
               "cycles - %s = %ld (must be <= 0); worst cycles - %s where %s >= N: %ld\n",
               st.coupled_passes, bound_txt, st.worst_over_bound, field_txt, field_txt, st.worst_over_field);
        CHECK(st.coupled_passes > 0);
        CHECK(st.worst_over_bound <= 0);
    }
    CHECK(failed_seeds == 0);
    return lv_test_report("rtl cosim");
}
