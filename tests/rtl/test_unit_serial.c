/* test_unit_serial.c - rtl/unit_serial.v (Verilated) against the C references of
 * emu/src/ (lv_fx_rnd for the field as coupling_network.c rounds it, lv_nl_x2,
 * lv_nl_bias, lv_nl_force, lv_meter_local, lv_meter_coupled, lv_meter_heat_unit,
 * lv_dac_code, lv_dac_eta, lv_integ_update), bit for bit.
 *
 * Each case draws a fresh configuration inside the ranges of docs/fixed-point.md
 * §2 (Wx 8..32, Fx 4..Wx-2, Wf 16..40, Ff 4..Wf-2, j2 / j4 >= 0 with a random
 * bit length, K 1..2^31-1, Bn 2..14, G 0..2^32-1, |O| < 2^31, a 0..2^15-1 with
 * ca = lv_dac_colour_c(a), a = 0 half of the time, eb -16..47, 24-bit cb) and
 * flags couple / heat / update at random, and inputs: x and xp full scale
 * (+-(2^(Wx-1)-1)), 0, +-1 or random in the Wx range, gp in the Wf range, z in
 * +-6138 (+-6138 included), nprev up to the filter's bound 402,292,736.
 *
 * The field.  The module takes the raw coupling sum acc (scale 2^-(Fx+E)) and E,
 * and rounds f = rnd(acc, s), s = Fx + E - Ff, itself (emu/src/coupling_network.c:
 * lv_fx_rnd(acc, s_round)).  E is drawn in -16..55 (§2's -16..47, +8 with the
 * emulator's mismatch), often aimed at s = 0, s = 63, s > 48 (four 16-bit digits
 * shifted out) or s < 0; acc within the loader's bounds (§10: |acc| + 2^(s-1) <
 * 2^63 for s > 0, |acc| 2^-s < 2^63 for s < 0): mostly a field f0 up to 2^(Wf+1)
 * (so that g saturates often) times 2^s plus low bits that make exact ties, ties
 * - 1, zeros or random remainders, otherwise anything up to the bound, the bound
 * itself included.
 *
 * The §10 bounds.  The loader refuses every image for which a product, term,
 * sum or rounding intermediate of §4-§8 could reach 2^63; only cases it accepts
 * need to match.  The test enforces this per case: it recomputes every
 * intermediate of the contract in 128-bit integers (each product, each sum, each
 * v + 2^(s-1) of a rounding and each v 2^-s of a left shift) and redraws the case
 * when one reaches 2^63 (a per-case check: it accepts every case an accepted
 * image can produce).  It also checks that the 128-bit recomputation equals the C
 * functions' results.  The rejected fraction is printed.
 *
 * Compared: g, SAT_FORCE, x2 and v always; q with heat; eta, x', SAT_STATE and
 * (coloured) n with update (the contract of rtl/unit_serial.v).  Also checked:
 * ready_o high when idle and low while busy, junk on every request input (and
 * start_i held high) while busy changes nothing, n_we_o = update and a != 0,
 * the strobed meter terms (term_o at v_valid_o sums to v, 2 strobes, 4 with
 * couple; q_valid_o once with heat, term_o = q: what core_units_serial adds
 * with Terms = 1; the test runs the default Terms = 0, where both the output
 * registers and the strobes exist),
 * and the cycle count of every case against the formula in the header of
 * rtl/unit_serial.v (lv_unit_serial_cycles of rtl/sim/unit_serial_timing.h).
 * The draws must produce saturations of g and x', coloured updates, negative
 * exact rounding ties (v = -2^(s-1) mod 2^s, where the -[v < 0] of §1 matters),
 * among them ties of the field, and field shifts s < 0, s = 0, s > 48 and s = 63
 * often enough; their counts are printed.
 *
 * Usage: test_unit_serial [cases [rng seed]]   (default 100,000; about 1 s) */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "energy_meter.h"
#include "integrator.h"
#include "noise_dac.h"
#include "nonlinearity.h"
#include "test_util.h"
#include "unit_serial_shim.h"
#include "unit_serial_timing.h"
#define splitmix64 lv_t_splitmix64

__extension__ typedef __int128 i128;

static int g_bad;   /* set when an intermediate reaches 2^63 */
static long g_ties; /* roundings of a negative exact half (where -[v < 0] matters) */

static i128 chk(i128 v)
{
    const i128 lim = (i128)1 << 63;
    if (v >= lim || v <= -lim) g_bad = 1;
    return v;
}

/* rnd(v, s) of §1 in 128 bits, flagging every intermediate that reaches 2^63. */
static i128 rnd128(i128 v, int s)
{
    chk(v);
    if (s > 0) {
        i128 t = chk(v + ((i128)1 << (s - 1)) - (v < 0));
        if (s > 63) g_bad = 1;
        if (v < 0 && ((v + ((i128)1 << (s - 1))) & (((i128)1 << s) - 1)) == 0) g_ties++;
        return t >> s;
    }
    if (s < 0) {
        if (-s > 63) { g_bad = 1; return 0; }
        return chk(v * ((i128)1 << -s));
    }
    return v;
}

static uint64_t rbits(uint64_t *r, int bits) { return bits >= 64 ? splitmix64(r) : splitmix64(r) & (((uint64_t)1 << bits) - 1); }
static int64_t rrange(uint64_t *r, int64_t lo, int64_t hi) { return lo + (int64_t)(splitmix64(r) % (uint64_t)(hi - lo + 1)); }

/* A value in [-m, m]: full scale, 0, +-1, +-2^k (+-2^k 3: exact rounding ties),
 * or random (log-uniform magnitude half the time). */
static int64_t rval(uint64_t *r, int64_t m)
{
    switch (splitmix64(r) % 10) {
    case 8:
    case 9: {
        int64_t v = (int64_t)1 << (splitmix64(r) % 63);
        if (splitmix64(r) & 1) v = v / 2 * 3;
        while (v > m) v >>= 1;
        return (splitmix64(r) & 1) ? -v : v;
    }
    case 0: return m;
    case 1: return -m;
    case 2: return 0;
    case 3: return (splitmix64(r) & 1) ? 1 : -1;
    case 4:
    case 5: {
        int b = (int)(splitmix64(r) % 64);
        int64_t v = (int64_t)rbits(r, b);
        if (v > m) v = m;
        return (splitmix64(r) & 1) ? -v : v;
    }
    default: return rrange(r, -m, m);
    }
}

typedef struct {
    int64_t g, x2, v, q, eta;
    int sat_force, sat_state;
    int32_t n, x;
} expect;

/* A magnitude in [0, m] (m < 2^63): uniform or with a log-uniform bit count. */
static int64_t rmag(uint64_t *r, int64_t m)
{
    uint64_t v = (splitmix64(r) & 1) ? splitmix64(r) % ((uint64_t)m + 1) : rbits(r, (int)(splitmix64(r) % 64));
    return v > (uint64_t)m ? m : (int64_t)v;
}

/* The raw coupling sum for the field shift s, inside §10's bounds. */
static int64_t draw_acc(uint64_t *r, int s, int wf)
{
    if (s > 63) return (int64_t)splitmix64(r); /* refused by the loader (redrawn when coupled) */
    const i128 top = ((i128)1 << 63) - 1;
    const i128 bound = s > 0 ? top - ((i128)1 << (s - 1)) : top >> -s;
    i128 a;
    switch (splitmix64(r) % 10) {
    case 0: a = bound; break;
    case 1: a = -bound; break;
    case 2:
    case 3: a = (splitmix64(r) & 1) ? rmag(r, (int64_t)bound) : -(i128)rmag(r, (int64_t)bound); break;
    default: { /* a field f0 and the bits below it */
        i128 f0 = rval(r, (int64_t)1 << (wf + (int)(splitmix64(r) % 3) - 1));
        if (s <= 0) {
            a = f0 >> -s;
            break;
        }
        i128 one = (i128)1 << s, half = one >> 1, low;
        switch (splitmix64(r) % 6) {
        case 0: low = half; break;     /* a tie */
        case 1: low = half - 1; break; /* just below it */
        case 2: low = half + 1; break;
        case 3: low = 0; break;
        default: low = (i128)(splitmix64(r) & (uint64_t)(one - 1)); break;
        }
        a = f0 * one + low;
        break;
    }
    }
    return (int64_t)(a > bound ? bound : a < -bound ? -bound : a);
}

int main(int argc, char **argv)
{
    long n_cases = argc > 1 ? atol(argv[1]) : 100000;
    uint64_t rng = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x5eed1234abcdULL;
    uss *h = uss_create();
    uss_reset(h);
    long done = 0, rejected = 0, n_sat_f = 0, n_sat_s = 0, n_couple = 0, n_heat = 0, n_upd = 0, n_col = 0;
    long cyc_min = 1L << 30, cyc_max = 0, cyc_sum = 0, fails = 0;
    long n_fs_neg = 0, n_fs_zero = 0, n_fs_hi = 0, n_fs_63 = 0, n_f_ties = 0;
    int fail0 = lv_t_fail;
    while (done < n_cases) {
        uss_cfg c;
        uss_in in, junk;
        c.wx = (int)rrange(&rng, 8, 32);
        c.fx = (int)rrange(&rng, 4, c.wx - 2);
        c.wf = (int)rrange(&rng, 16, 40);
        c.ff = (int)rrange(&rng, 4, c.wf - 2);
        c.j2 = (uint32_t)rbits(&rng, (int)(splitmix64(&rng) % 32));
        c.j4 = (uint32_t)rbits(&rng, (int)(splitmix64(&rng) % 32));
        if (splitmix64(&rng) % 4 == 0) c.j2 = (uint32_t)1 << (splitmix64(&rng) % 31);
        if (splitmix64(&rng) % 4 == 0) c.j4 = (uint32_t)1 << (splitmix64(&rng) % 31);
        c.k = (uint32_t)rrange(&rng, 1, 0x7FFFFFFF);
        if (splitmix64(&rng) % 4 == 0) c.k = (uint32_t)1 << (splitmix64(&rng) % 31);
        if (splitmix64(&rng) & 1) c.k = (uint32_t)rrange(&rng, 1, 1 << (int)(splitmix64(&rng) % 31));
        c.bn = (int)rrange(&rng, 2, 14);
        c.gain = (splitmix64(&rng) % 4 == 0) ? (uint32_t)1 << (splitmix64(&rng) % 32)
                                             : (uint32_t)rbits(&rng, 1 + (int)(splitmix64(&rng) % 32));
        c.offset = (int32_t)rrange(&rng, -0x7FFFFFFF, 0x7FFFFFFF);
        if (splitmix64(&rng) & 1) c.offset = (int32_t)rval(&rng, 0x7FFFFFFF >> (splitmix64(&rng) % 31));
        c.a = (splitmix64(&rng) & 1) ? 0 : (uint16_t)rrange(&rng, 1, 0x7FFF);
        if (c.a && (splitmix64(&rng) % 4) == 0) c.a = (splitmix64(&rng) & 1) ? 0x7FFF : (uint16_t)rrange(&rng, 1, 181);
        c.ca = lv_dac_colour_c(c.a);
        in.couple = (int)(splitmix64(&rng) & 1);
        in.heat = (int)(splitmix64(&rng) & 1);
        in.update = (int)(splitmix64(&rng) & 1);
        int64_t xmax = lv_fx_max(c.wx), gmax = lv_fx_max(c.wf);
        in.x = (int32_t)rval(&rng, xmax);
        in.xp = (int32_t)rval(&rng, xmax);
        in.gp = rval(&rng, gmax);
        in.cb = (int32_t)rval(&rng, lv_fx_max((int)rrange(&rng, 2, 24)));
        in.eb = (int)rrange(&rng, -16, 47);
        /* E, often aimed at a field shift s = Fx + E - Ff (when E stays in range). */
        c.e = (int)rrange(&rng, -16, 55);
        {
            int aim = 1000;
            switch (splitmix64(&rng) % 8) {
            case 0: aim = 0; break;
            case 1: aim = 63; break;
            case 2: aim = (int)rrange(&rng, 49, 63); break;
            case 3: aim = (int)rrange(&rng, -50, -1); break;
            default: break;
            }
            int e = aim - c.fx + c.ff;
            if (aim != 1000 && e >= -16 && e <= 55) c.e = e;
        }
        const int s_f = c.fx + c.e - c.ff;
        in.acc = draw_acc(&rng, s_f, c.wf);
        in.z = (int32_t)rval(&rng, 6138);
        in.nprev = (int32_t)rval(&rng, 402292736);

        /* 128-bit recomputation with the bounds check. */
        g_bad = 0;
        long ties0 = g_ties;
        const int fx = c.fx, ff = c.ff;
        i128 x = in.x, xp = in.xp;
        i128 x2 = rnd128(chk(x * x), fx);
        i128 x3 = rnd128(chk(x2 * x), fx);
        i128 lin = rnd128(chk((i128)2 * c.j2 * x), 16 + fx - ff);
        i128 cub = rnd128(chk((i128)4 * c.j4 * x3), 16 + fx - ff);
        i128 bf = in.couple ? rnd128(in.cb, in.eb - ff) : 0;
        long fties0 = g_ties;
        i128 f = in.couple ? rnd128(in.acc, s_f) : 0;
        long fties = g_ties - fties0;
        i128 gs = chk(chk(chk(lin + cub) + bf) + f);
        i128 g = gs > gmax ? gmax : gs < -gmax ? -gmax : gs;
        i128 x4 = rnd128(chk(x2 * x2), fx);
        i128 v = chk(rnd128(chk((i128)c.j2 * x2), 16 + fx - 32) + rnd128(chk((i128)c.j4 * x4), 16 + fx - 32));
        if (in.couple) v = chk(chk(v + rnd128(chk(bf * x), ff + fx - 32)) + rnd128(chk(f * x), ff + fx + 1 - 32));
        i128 q = in.heat ? rnd128(chk(((i128)in.gp + g) * (x - xp)), ff + fx + 1 - 32) : 0;
        i128 eta = 0, xn = 0, n = 0;
        if (in.update) {
            i128 d = rnd128(in.z, 14 - c.bn);
            n = d * 256;
            if (c.a) n = rnd128(chk(chk((i128)c.a * in.nprev) + chk((i128)c.ca * n)), 15);
            eta = rnd128(chk(chk((i128)c.gain * n) + (i128)c.offset * 256), 24);
            i128 drift = rnd128(chk(-(i128)c.k * g), ff + 32 - fx);
            xn = chk(chk(x + drift) + eta);
        }
        if (g_bad) {
            g_ties = ties0;
            rejected++;
            continue;
        }

        /* The C references. */
        lv_nl nl;
        lv_meter m;
        lv_integ ig;
        lv_nl_init(&nl, fx, ff, c.wf, (int32_t)c.j2, (int32_t)c.j4);
        lv_meter_init(&m, fx, ff, (int32_t)c.j2, (int32_t)c.j4);
        lv_integ_init(&ig, c.k, fx, ff, c.wx);
        lv_noise_dac dac = {.bn = c.bn, .gain = c.gain, .offset = c.offset, .a = c.a, .ca = c.ca};
        expect e = {0};
        uint64_t sf = 0, ss = 0;
        e.x2 = lv_nl_x2(&nl, in.x);
        int64_t bf_c = in.couple ? lv_nl_bias(in.cb, in.eb, ff) : 0;
        int64_t f_c = in.couple ? lv_fx_rnd(in.acc, s_f) : 0;
        e.g = lv_nl_force(&nl, in.x, e.x2, bf_c, f_c, &sf);
        e.sat_force = sf != 0;
        e.v = lv_meter_local(&m, e.x2) + (in.couple ? lv_meter_coupled(&m, in.x, bf_c, f_c) : 0);
        e.q = in.heat ? lv_meter_heat_unit(&m, in.gp, e.g, (int64_t)in.x - in.xp) : 0;
        if (in.update) {
            int64_t cs = in.nprev;
            e.eta = lv_dac_eta(&dac, lv_dac_code(in.z, c.bn), &cs);
            e.n = (int32_t)(c.a ? cs : (int64_t)lv_dac_code(in.z, c.bn) * 256);
            e.x = lv_integ_update(&ig, in.x, e.g, e.eta, &ss);
            e.sat_state = ss != 0;
        }
        CHECK_MSG(f_c == (int64_t)f && e.x2 == (int64_t)x2 && e.g == (int64_t)g && e.v == (int64_t)v &&
                      e.q == (int64_t)q && e.eta == (int64_t)eta && (!in.update || e.n == (int32_t)n) &&
                      (!in.update || e.x == (int32_t)(xn > lv_fx_max(c.wx) ? lv_fx_max(c.wx)
                                                      : xn < -lv_fx_max(c.wx) ? -lv_fx_max(c.wx) : xn)),
                  "case %ld: 128-bit recomputation differs from emu", done);

        /* The RTL, with junk on the request inputs while busy. */
        junk.couple = (int)(splitmix64(&rng) & 1);
        junk.heat = (int)(splitmix64(&rng) & 1);
        junk.update = (int)(splitmix64(&rng) & 1);
        junk.x = (int32_t)splitmix64(&rng);
        junk.xp = (int32_t)splitmix64(&rng);
        junk.gp = (int64_t)splitmix64(&rng);
        junk.cb = (int32_t)splitmix64(&rng);
        junk.eb = (int32_t)(int8_t)splitmix64(&rng);
        junk.acc = (int64_t)splitmix64(&rng);
        junk.z = (int32_t)(splitmix64(&rng) % 12277) - 6138;
        junk.nprev = (int32_t)splitmix64(&rng);
        uss_out o;
        if (uss_run(h, &c, &in, &junk, 1000, &o) != 0) {
            CHECK_MSG(0, "case %ld: no done_o within 1000 cycles", done);
            uss_reset(h);
            fails++;
            done++;
            continue;
        }
        int ok = o.g == e.g && o.sat_force == e.sat_force && o.x2 == e.x2 && o.v == e.v && (!in.heat || o.q == e.q) &&
                 o.ready_ok;
        /* The strobed terms (what core_units_serial sums with Terms = 1): v's
         * parts add up to v (2 without couple, 4 with), q once with heat. */
        ok = ok && o.vsum == e.v && o.nv == (in.couple ? 4 : 2) && o.nq == (in.heat ? 1 : 0) &&
             (!in.heat || o.qsum == e.q);
        if (in.update)
            ok = ok && o.eta == e.eta && o.x == e.x && o.sat_state == e.sat_state && o.n_we == (c.a != 0) &&
                 (c.a == 0 || o.n == e.n);
        else
            ok = ok && o.n_we == 0;
        long want = lv_unit_serial_cycles(c.fx, c.ff, c.bn, in.eb, c.e, in.couple, in.heat, in.update, c.a != 0);
        if (!ok || o.cycles != want) {
            fails++;
            if (fails <= 10) {
                fprintf(stderr,
                        "case %ld MISMATCH: Wx %d Fx %d Wf %d Ff %d j2 %" PRIu32 " j4 %" PRIu32 " K %" PRIu32
                        " Bn %d G %" PRIu32 " O %" PRId32 " a %u ca %u E %d | couple %d heat %d update %d | x %" PRId32
                        " xp %" PRId32 " gp %" PRId64 " cb %" PRId32 " eb %d acc %" PRId64 " (f %" PRId64
                        ", s %d) z %d nprev %" PRId32 "\n",
                        done, c.wx, c.fx, c.wf, c.ff, c.j2, c.j4, c.k, c.bn, c.gain, c.offset, c.a, c.ca, c.e,
                        in.couple, in.heat, in.update, in.x, in.xp, in.gp, in.cb, in.eb, in.acc, f_c, s_f, in.z,
                        in.nprev);
                fprintf(stderr, "  g %" PRId64 "/%" PRId64 " satf %d/%d x2 %" PRId64 "/%" PRId64 " v %" PRId64 "/%" PRId64
                        " q %" PRId64 "/%" PRId64 " strobes v %" PRId64 " (%d) q %" PRId64 " (%d) eta %" PRId64 "/%" PRId64 " n %" PRId32 "/%" PRId32 " x' %" PRId32
                        "/%" PRId32 " sats %d/%d n_we %d ready %d cycles %ld/%ld   (rtl/emu)\n",
                        o.g, e.g, o.sat_force, e.sat_force, o.x2, e.x2, o.v, e.v, o.q, e.q, o.vsum, o.nv, o.qsum, o.nq, o.eta, e.eta, o.n, e.n,
                        o.x, e.x, o.sat_state, e.sat_state, o.n_we, o.ready_ok, o.cycles, want);
            }
        }
        n_sat_f += e.sat_force;
        n_sat_s += in.update && e.sat_state;
        n_couple += in.couple;
        if (in.couple) {
            n_fs_neg += s_f < 0;
            n_fs_zero += s_f == 0;
            n_fs_hi += s_f > 48;
            n_fs_63 += s_f == 63;
            n_f_ties += fties;
        }
        n_heat += in.heat;
        n_upd += in.update;
        n_col += in.update && c.a != 0;
        cyc_min = o.cycles < cyc_min ? o.cycles : cyc_min;
        cyc_max = o.cycles > cyc_max ? o.cycles : cyc_max;
        cyc_sum += o.cycles;
        done++;
    }
    CHECK_MSG(fails == 0, "%ld of %ld cases differ from emu (or in cycles)", fails, done);
    CHECK_MSG(lv_t_fail == fail0 || fails > 0, "consistency");
    /* The draws must reach the interesting corners. */
    CHECK(n_sat_f > done / 20);
    CHECK(n_sat_s > done / 200);
    CHECK(n_col > done / 10);
    CHECK(g_ties > done / 100);
    CHECK(n_fs_neg > done / 50 && n_fs_zero > done / 50 && n_fs_hi > done / 50 && n_fs_63 > done / 200);
    CHECK(n_f_ties > done / 200);
    printf("unit_serial: %ld cases (%ld redrawn by the 2^63 check, %.1f %%), %ld couple, %ld heat, %ld update "
           "(%ld coloured), %ld SAT_FORCE, %ld SAT_STATE; field shift s < 0 / = 0 / > 48 / = 63 in "
           "%ld / %ld / %ld / %ld coupled cases; cycles per unit %ld..%ld, mean %.1f; %ld negative rounding ties (%ld of the field); "
           "%ld mismatches\n",
           done, rejected, 100.0 * (double)rejected / (double)(done + rejected), n_couple, n_heat, n_upd, n_col,
           n_sat_f, n_sat_s, n_fs_neg, n_fs_zero, n_fs_hi, n_fs_63, cyc_min, cyc_max, (double)cyc_sum / (double)done,
           g_ties, n_f_ties, fails);
    uss_destroy(h);
    return lv_test_report("test_unit_serial");
}
