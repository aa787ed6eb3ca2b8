/* test_axi.c - the AXI4-Lite register slave (rtl/langevin_axi.v, Verilated,
 * driven through real AXI4-Lite handshakes by lvaxi_shim.cpp) against the
 * emulator's register interface (emu/src/device_mmio.c): the same sequence
 * of 32-bit register writes and reads goes into both, and every read value
 * is compared.
 *
 * Per seed (>= 20 seeds; small images, among them nv = 13, nh = 7):
 *  1. load: SOFT_RESET, the ten load registers, CONFIG_CRC, COUPLINGS,
 *     ROW_EXP, BIAS, BIAS_EXP and an initial STATE through the indirect port
 *     with LOAD_COUNT / LOAD_CRC_CALC read and LOAD_CRC committed, every word
 *     read back through MEM_RDATA, LOAD_STATE and STATUS.IMAGE_VALID;
 *  2. the paper's two-phase run (COUPLE = 0 from TICK0 = 0, then COUPLE = 1
 *     from TICK0 = TICK, COLOUR_EN with a != 0): the RTL is polled until
 *     STATUS.BUSY = 0, the emulator stepped to completion, then STATUS, TICK,
 *     V0 / V / Q (LO then HI), SAT_*, and STATE (MEM_RDATA) are compared;
 *  3. random register sequences while idle (random offsets, mapped or not,
 *     ro / w1c / wo, random values, small memory addresses, CTRL commands,
 *     sometimes a valid CONFIG_CRC commit), every read compared;
 *  4. error paths: interrupted load then START (NOT_LOADED), wrong LOAD_CRC,
 *     LOAD_COUNT, MEM_RANGE, and during a run BUSY for load registers,
 *     MEM_WDATA, MEM_RDATA of COUPLINGS and START (with the final state of
 *     that run compared).
 *  5. CTRL.STOP: (a) STOP at a random cycle of a run (from before pass 0
 *     ends to after the run has ended); the RTL ends after the tick in
 *     progress, its TICK says how many ticks k it made, and the emulator is
 *     stepped k ticks and then given the same STOP write, which it applies
 *     between ticks: everything is compared as after a run, and a run
 *     continued from there (colour filter kept) too.  (b) STOP + START in
 *     one write while BUSY, issued as soon as the RTL's TICK shows tick j:
 *     the RTL completes tick j (k = j + 1 ticks), so the emulator is stepped
 *     k ticks before the same write; the second run is compared at its end
 *     (its state depends on k, so a wrong k fails).
 * Not covered (not implemented by the RTL, see rtl/README.md): IMAGE_RANGE,
 * register values in the middle of a run. */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core_timing.h"
#include "device.h"
#include "device_image.h"
#include "device_mmio.h"
#include "lv_regs.h"
#include "lvaxi.h"
#include "noise_dac.h"
#include "test_util.h"

typedef struct {
    lv_dev_mmio *e;
    lvaxi *h;
    uint64_t seed;
    long reads, writes, bad, runs, runs_done, nonzero_v, stops, stops_early, stop_starts;
    int pass_cycles; /* RTL cycles of one coupled pass (rtl/sim/core_timing.h) */
    const char *phase;
} pair;

static void W(pair *p, uint32_t off, uint32_t v)
{
    lv_dev_mmio_write32(p->e, off, v);
    int r = lvaxi_write(p->h, off, v, 0xF);
    p->writes++;
    int want = (off & 3u) ? LVAXI_SLVERR : LVAXI_OKAY;
    if (r != want && p->bad++ < 10)
        fprintf(stderr, "seed %" PRIu64 " %s: write 0x%03x = 0x%08x: BRESP %d, want %d\n", p->seed, p->phase, off, v,
                r, want);
}

static uint32_t R(pair *p, uint32_t off)
{
    uint32_t a = lv_dev_mmio_read32(p->e, off);
    int resp = 0;
    uint32_t b = lvaxi_read(p->h, off, &resp);
    p->reads++;
    int want = (off & 3u) ? LVAXI_SLVERR : LVAXI_OKAY;
    if ((a != b || resp != want) && p->bad++ < 10)
        fprintf(stderr, "seed %" PRIu64 " %s: read 0x%03x: emu 0x%08x, rtl 0x%08x (RRESP %d)\n", p->seed, p->phase,
                off, a, b, resp);
    return a;
}

static uint64_t rnd(uint64_t *s) { return lv_t_splitmix64(s); }
static int irange(uint64_t *s, int lo, int hi) { return lo + (int)(rnd(s) % (uint64_t)(hi - lo + 1)); }
static int chance(uint64_t *s, int pc) { return irange(s, 0, 99) < pc; }
static int64_t scode(uint64_t *s, int w)
{
    int64_t m = ((int64_t)1 << (w - 1)) - 1;
    return (int64_t)(rnd(s) % (uint64_t)(2 * m + 1)) - m;
}
static uint32_t crc_word(uint32_t crc, uint32_t w)
{
    const unsigned char b[4] = {(unsigned char)w, (unsigned char)(w >> 8), (unsigned char)(w >> 16),
                                (unsigned char)(w >> 24)};
    return (uint32_t)crc32(crc, b, 4);
}

/* A random image the emulator's core accepts (no IMAGE_RANGE at START). */
static int draw_image(lv_dev_image *img, uint64_t *s, int force_13_7)
{
    for (int tries = 0; tries < 200; ++tries) {
        memset(img, 0, sizeof *img);
        int nv = force_13_7 ? 13 : irange(s, 1, 16), nh = force_13_7 ? 7 : irange(s, 0, 10);
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
        img->bj = irange(s, 2, 16);
        img->bb = irange(s, 2, 24);
        img->j2 = irange(s, 0, 4 << 16);
        img->j4 = irange(s, 0, 4 << 16);
        img->k = (uint32_t)(pow(10.0, -4.0 + 2.5 * irange(s, 0, 1000) / 1000.0) * 4294967296.0);
        if (img->k < 1) img->k = 1;
        img->bn = irange(s, 2, 14);
        img->gain = (uint32_t)(rnd(s) >> irange(s, 32, 63));
        img->offset = chance(s, 70) ? 0 : (int32_t)scode(s, irange(s, 2, 32));
        img->colour_a = chance(s, 50) ? 0 : (uint16_t)irange(s, 1, 32767);
        img->colour_c = lv_dac_colour_c(img->colour_a);
        img->m = lv_dev_couplings(nv, nh, img->vv);
        img->n_rows = lv_dev_rows(nv, nh, img->vv);
        img->c = malloc((img->m ? img->m : 1) * sizeof(int16_t));
        img->ej = malloc(img->n_rows);
        img->cb = malloc((size_t)(nv + nh) * sizeof(int32_t));
        int base = irange(s, -16, 40), spread = irange(s, 0, 6);
        for (size_t r = 0; r < img->n_rows; ++r) {
            int e = base + irange(s, 0, spread);
            img->ej[r] = (int8_t)(e > 47 ? 47 : e);
        }
        for (size_t m = 0; m < img->m; ++m) img->c[m] = (int16_t)scode(s, img->bj);
        for (int b = 0; b < 2; ++b) {
            int e = img->ff + irange(s, -4, 24);
            img->eb[b] = (int8_t)(e < -16 ? -16 : e > 47 ? 47 : e);
        }
        for (int i = 0; i < nv + nh; ++i) img->cb[i] = (int32_t)scode(s, img->bb);
        lv_error err;
        lv_dev *d = lv_dev_create(img, NULL, 1, &err);
        if (d && img->m > 0) {
            lv_dev_free(d);
            return 0;
        }
        lv_dev_free(d);
        free(img->c);
        free(img->ej);
        free(img->cb);
    }
    return -1;
}

static void cfg_values(const lv_dev_image *img, uint32_t v[10])
{
    v[0] = LV_FIELD_PREP(CFG_DIMS, NV, img->nv) | LV_FIELD_PREP(CFG_DIMS, NH, img->nh) |
           LV_FIELD_PREP(CFG_DIMS, VV, img->vv);
    v[1] = LV_FIELD_PREP(CFG_FMT_X, WX, img->wx) | LV_FIELD_PREP(CFG_FMT_X, FX, img->fx) |
           LV_FIELD_PREP(CFG_FMT_X, WF, img->wf) | LV_FIELD_PREP(CFG_FMT_X, FF, img->ff);
    v[2] = LV_FIELD_PREP(CFG_FMT_C, BJ, img->bj) | LV_FIELD_PREP(CFG_FMT_C, BB, img->bb) |
           LV_FIELD_PREP(CFG_FMT_C, BN, img->bn);
    v[3] = (uint32_t)img->j2;
    v[4] = (uint32_t)img->j4;
    v[5] = img->k;
    v[6] = img->gain;
    v[7] = (uint32_t)img->offset;
    v[8] = img->colour_a;
    v[9] = img->colour_c;
}
#define LR_OFF(R) LV_REG_##R##_OFFSET,
static const uint32_t cfg_off[10] = {LV_CONFIG_CRC_LIST(LR_OFF)};
#undef LR_OFF

static void load_config(pair *p, const lv_dev_image *img)
{
    uint32_t v[10], crc = 0;
    cfg_values(img, v);
    for (int i = 0; i < 10; ++i) {
        W(p, cfg_off[i], v[i]);
        R(p, cfg_off[i]);
        crc = crc_word(crc, v[i]);
    }
    W(p, LV_REG_CONFIG_CRC_OFFSET, crc);
    R(p, LV_REG_CONFIG_CRC_OFFSET);
    R(p, LV_REG_LOAD_STATE_OFFSET);
    R(p, LV_REG_STATUS_OFFSET);
    R(p, LV_REG_ERR_CODE_OFFSET);
}

/* Stream one memory and commit it; count < n interrupts the stream. */
static void load_mem(pair *p, uint32_t id, const uint32_t *w, size_t n, size_t count, int corrupt_crc)
{
    W(p, LV_REG_MEM_SEL_OFFSET, id);
    W(p, LV_REG_MEM_ADDR_OFFSET, 0);
    R(p, LV_REG_MEM_DEPTH_OFFSET);
    R(p, LV_REG_MEM_WIDTH_OFFSET);
    uint32_t crc = 0;
    for (size_t i = 0; i < n; ++i) {
        if (i < count) W(p, LV_REG_MEM_WDATA_OFFSET, w[i]);
        crc = crc_word(crc, w[i]);
    }
    R(p, LV_REG_LOAD_COUNT_OFFSET);
    R(p, LV_REG_LOAD_CRC_CALC_OFFSET);
    R(p, LV_REG_MEM_ADDR_OFFSET);
    W(p, LV_REG_LOAD_CRC_OFFSET, corrupt_crc ? crc ^ 0x100u : crc);
    R(p, LV_REG_LOAD_CRC_OFFSET);
    R(p, LV_REG_LOAD_STATE_OFFSET);
    R(p, LV_REG_STATUS_OFFSET);
    R(p, LV_REG_ERR_CODE_OFFSET);
    /* Read-back. */
    W(p, LV_REG_MEM_ADDR_OFFSET, 0);
    for (size_t i = 0; i < n; ++i) R(p, LV_REG_MEM_RDATA_OFFSET);
    R(p, LV_REG_MEM_ADDR_OFFSET);
}

static void load_image(pair *p, const lv_dev_image *img, const int32_t *x0)
{
    const int n = img->nv + img->nh;
    uint32_t *w = malloc((img->m + img->n_rows + (size_t)n + 4) * sizeof(uint32_t));
    W(p, LV_REG_CTRL_OFFSET, LV_REG_CTRL_SOFT_RESET_MASK);
    R(p, LV_REG_LOAD_STATE_OFFSET);
    load_config(p, img);
    for (size_t i = 0; i < img->m; ++i) w[i] = (uint32_t)(int32_t)img->c[i];
    load_mem(p, LV_MEM_COUPLINGS_ID, w, img->m, img->m, 0);
    for (size_t i = 0; i < img->n_rows; ++i) w[i] = (uint32_t)(int32_t)img->ej[i];
    load_mem(p, LV_MEM_ROW_EXP_ID, w, img->n_rows, img->n_rows, 0);
    for (int i = 0; i < n; ++i) w[i] = (uint32_t)img->cb[i];
    load_mem(p, LV_MEM_BIAS_ID, w, (size_t)n, (size_t)n, 0);
    w[0] = (uint32_t)(int32_t)img->eb[0];
    w[1] = (uint32_t)(int32_t)img->eb[1];
    load_mem(p, LV_MEM_BIAS_EXP_ID, w, 2, 2, 0);
    if (x0) {
        for (int i = 0; i < n; ++i) w[i] = (uint32_t)x0[i];
        load_mem(p, LV_MEM_STATE_ID, w, (size_t)n, (size_t)n, 0);
    }
    R(p, LV_REG_STATUS_OFFSET);
    free(w);
}

static void compare_end(pair *p, int n, uint32_t tick0, uint32_t ticks);

/* Start a run on both; the emulator runs it to completion, the RTL is
 * polled until BUSY = 0; then everything observable is compared. */
static void run(pair *p, int n, uint32_t tick0, uint32_t ticks, int couple, int colour, int check_busy)
{
    W(p, LV_REG_TICK0_OFFSET, tick0);
    W(p, LV_REG_TICKS_OFFSET, ticks);
    W(p, LV_REG_CTRL_OFFSET, (couple ? LV_REG_CTRL_COUPLE_MASK : 0) | (colour ? LV_REG_CTRL_COLOUR_EN_MASK : 0) |
                                 LV_REG_CTRL_START_MASK);
    if (check_busy) {
        /* BUSY refusals while the run is in progress (both are busy now). */
        R(p, LV_REG_STATUS_OFFSET);
        W(p, LV_REG_J2_OFFSET, 0x1234);
        R(p, LV_REG_ERR_CODE_OFFSET);
        W(p, LV_REG_STATUS_OFFSET, LV_REG_STATUS_ERROR_MASK);
        W(p, LV_REG_MEM_SEL_OFFSET, LV_MEM_COUPLINGS_ID);
        W(p, LV_REG_MEM_ADDR_OFFSET, 0);
        R(p, LV_REG_MEM_RDATA_OFFSET);
        R(p, LV_REG_MEM_ADDR_OFFSET);
        R(p, LV_REG_ERR_CODE_OFFSET);
        W(p, LV_REG_STATUS_OFFSET, LV_REG_STATUS_ERROR_MASK);
        W(p, LV_REG_MEM_WDATA_OFFSET, 5);
        R(p, LV_REG_ERR_CODE_OFFSET);
        W(p, LV_REG_STATUS_OFFSET, LV_REG_STATUS_ERROR_MASK);
        W(p, LV_REG_CTRL_OFFSET, LV_REG_CTRL_START_MASK | (couple ? LV_REG_CTRL_COUPLE_MASK : 0) |
                                     (colour ? LV_REG_CTRL_COLOUR_EN_MASK : 0));
        R(p, LV_REG_ERR_CODE_OFFSET);
        R(p, LV_REG_STATUS_OFFSET);
        R(p, LV_REG_J2_OFFSET);
    }
    lv_dev_mmio_step(p->e, UINT32_MAX);
    compare_end(p, n, tick0, ticks);
}

/* Poll the RTL (only) until BUSY = 0; 0 when it never ends. */
static int rtl_wait(pair *p)
{
    long polls = 0;
    while (lvaxi_read(p->h, LV_REG_STATUS_OFFSET, NULL) & LV_REG_STATUS_BUSY_MASK) {
        lvaxi_idle(p->h, 64);
        if (++polls > 10000000) {
            p->bad++;
            fprintf(stderr, "seed %" PRIu64 ": RTL run never ended\n", p->seed);
            return 0;
        }
    }
    return 1;
}

/* After a run on both (the emulator already stepped): wait for the RTL, then
 * compare everything observable. */
static void compare_end(pair *p, int n, uint32_t tick0, uint32_t ticks)
{
    if (!rtl_wait(p)) return;
    const uint32_t st = R(p, LV_REG_STATUS_OFFSET);
    R(p, LV_REG_ERR_CODE_OFFSET);
    const uint32_t tk = R(p, LV_REG_TICK_OFFSET);
    p->runs++;
    if ((st & LV_REG_STATUS_DONE_MASK) && tk == tick0 + ticks) p->runs_done++;
    R(p, LV_REG_V0_LO_OFFSET);
    R(p, LV_REG_V0_HI_OFFSET);
    const uint32_t vlo = R(p, LV_REG_V_LO_OFFSET), vhi = R(p, LV_REG_V_HI_OFFSET);
    if (vlo | vhi) p->nonzero_v++;
    R(p, LV_REG_Q_LO_OFFSET);
    R(p, LV_REG_Q_HI_OFFSET);
    R(p, LV_REG_SAT_STATE_OFFSET);
    R(p, LV_REG_SAT_FORCE_OFFSET);
    W(p, LV_REG_MEM_SEL_OFFSET, LV_MEM_STATE_ID);
    W(p, LV_REG_MEM_ADDR_OFFSET, 0);
    for (int i = 0; i < n; ++i) R(p, LV_REG_MEM_RDATA_OFFSET);
    W(p, LV_REG_STATUS_OFFSET, LV_REG_STATUS_DONE_MASK);
    R(p, LV_REG_STATUS_OFFSET);
}

static uint32_t ctrl_bits(int couple, int colour)
{
    return (couple ? LV_REG_CTRL_COUPLE_MASK : 0) | (colour ? LV_REG_CTRL_COLOUR_EN_MASK : 0);
}

/* 5a: a run of `ticks` ticks from TICK0 stopped at a random RTL cycle. */
static uint32_t run_stop(pair *p, uint64_t *s, int n, uint32_t tick0, uint32_t ticks, int couple, int colour)
{
    p->phase = "stop";
    W(p, LV_REG_TICK0_OFFSET, tick0);
    W(p, LV_REG_TICKS_OFFSET, ticks);
    W(p, LV_REG_CTRL_OFFSET, ctrl_bits(couple, colour) | LV_REG_CTRL_START_MASK);
    /* Up to 10 % past the end of the run (then STOP finds it idle). */
    const long span = (long)(ticks + 1) * p->pass_cycles + 2 * n + 16;
    lvaxi_idle(p->h, (uint64_t)irange(s, 0, (int)(span + span / 10)));
    const int busy = (lvaxi_read(p->h, LV_REG_STATUS_OFFSET, NULL) & LV_REG_STATUS_BUSY_MASK) != 0;
    const uint32_t stop = ctrl_bits(couple, colour) | LV_REG_CTRL_STOP_MASK;
    int r = lvaxi_write(p->h, LV_REG_CTRL_OFFSET, stop, 0xF);
    if (r != LVAXI_OKAY && p->bad++ < 10) fprintf(stderr, "seed %" PRIu64 ": STOP answered %d\n", p->seed, r);
    if (!rtl_wait(p)) return 0;
    const uint32_t k = lvaxi_read(p->h, LV_REG_TICK_OFFSET, NULL) - tick0;
    if (k > ticks && p->bad++ < 10)
        fprintf(stderr, "seed %" PRIu64 ": stopped RTL run made %u of %u ticks\n", p->seed, k, ticks);
    p->stops++;
    if (busy && k < ticks) p->stops_early++;
    lv_dev_mmio_step(p->e, k);
    lv_dev_mmio_write32(p->e, LV_REG_CTRL_OFFSET, stop);
    compare_end(p, n, tick0, k);
    return tick0 + k;
}

/* 5b: STOP + START in one write while the RTL's run is at tick j; the RTL
 * completes that tick, so the first run makes min(j + 1, ticks) ticks. */
static void run_stop_start(pair *p, uint64_t *s, int n, uint32_t tick0, uint32_t ticks, int couple, int colour)
{
    p->phase = "stop+start";
    W(p, LV_REG_TICK0_OFFSET, tick0);
    W(p, LV_REG_TICKS_OFFSET, ticks);
    W(p, LV_REG_CTRL_OFFSET, ctrl_bits(couple, colour) | LV_REG_CTRL_START_MASK);
    /* The second run: fresh from tick 0 (allowed while BUSY: not load registers). */
    const uint32_t ticks2 = (uint32_t)irange(s, 0, 4);
    W(p, LV_REG_TICK0_OFFSET, 0);
    W(p, LV_REG_TICKS_OFFSET, ticks2);
    const uint32_t j = (uint32_t)irange(s, 0, (int)ticks - 1);
    uint32_t t;
    long polls = 0;
    while ((t = lvaxi_read(p->h, LV_REG_TICK_OFFSET, NULL) - tick0) < j)
        if (++polls > 10000000) {
            p->bad++;
            fprintf(stderr, "seed %" PRIu64 ": RTL never reached tick %u\n", p->seed, j);
            return;
        }
    const uint32_t both = ctrl_bits(couple, colour) | LV_REG_CTRL_STOP_MASK | LV_REG_CTRL_START_MASK;
    int r = lvaxi_write(p->h, LV_REG_CTRL_OFFSET, both, 0xF);
    if (r != LVAXI_OKAY && p->bad++ < 10) fprintf(stderr, "seed %" PRIu64 ": STOP+START answered %d\n", p->seed, r);
    const uint32_t k = t + 1 < ticks ? t + 1 : ticks;
    lv_dev_mmio_step(p->e, k);
    lv_dev_mmio_write32(p->e, LV_REG_CTRL_OFFSET, both);
    p->stop_starts++;
    lv_dev_mmio_step(p->e, UINT32_MAX);
    compare_end(p, n, 0, ticks2);
}

static const uint32_t interesting[] = {
    LV_REG_CTRL_OFFSET,     LV_REG_STATUS_OFFSET,    LV_REG_CONFIG_CRC_OFFSET, LV_REG_LOAD_CRC_OFFSET,
    LV_REG_MEM_SEL_OFFSET,  LV_REG_MEM_ADDR_OFFSET,  LV_REG_MEM_WDATA_OFFSET,  LV_REG_MEM_RDATA_OFFSET,
    LV_REG_CFG_DIMS_OFFSET, LV_REG_CFG_FMT_C_OFFSET, LV_REG_COLOUR_A_OFFSET,   LV_REG_COLOUR_C_OFFSET,
    LV_REG_V_LO_OFFSET,     LV_REG_V_HI_OFFSET,      LV_REG_MEM_DEPTH_OFFSET,  LV_REG_MEM_WIDTH_OFFSET,
};

static void random_ops(pair *p, uint64_t *s, const lv_dev_image *img, int nops)
{
    p->phase = "random";
    W(p, LV_REG_CTRL_OFFSET, LV_REG_CTRL_SOFT_RESET_MASK);
    for (int k = 0; k < nops; ++k) {
        uint32_t off;
        int pick = irange(s, 0, 99);
        if (pick < 40) off = interesting[irange(s, 0, (int)(sizeof interesting / sizeof interesting[0]) - 1)];
        else if (pick < 95) off = (uint32_t)irange(s, 0, 0xDC / 4) * 4u;
        else off = (uint32_t)irange(s, 0, 0xFFF); /* anywhere, maybe unaligned */
        uint32_t v = (uint32_t)rnd(s);
        if (off == LV_REG_MEM_ADDR_OFFSET && chance(s, 80)) v = (uint32_t)irange(s, 0, 12);
        if (off == LV_REG_MEM_SEL_OFFSET && chance(s, 80)) v = (uint32_t)irange(s, 0, 4);
        if (off == LV_REG_CTRL_OFFSET && chance(s, 70)) v &= ~LV_REG_CTRL_SOFT_RESET_MASK;
        if (off == LV_REG_COLOUR_A_OFFSET && chance(s, 50)) v &= 0x7FFF;
        if (off == LV_REG_COLOUR_C_OFFSET && chance(s, 50))
            v = lv_dac_colour_c((uint16_t)(lv_dev_mmio_read32(p->e, LV_REG_COLOUR_A_OFFSET) & 0x7FFF)) +
                (uint32_t)irange(s, -1, 1);
        if (chance(s, 3)) {
            load_config(p, img); /* a valid commit (range and CRC pass) */
            continue;
        }
        if (chance(s, 45)) W(p, off, v);
        else R(p, off);
    }
    for (uint32_t off = 0; off < 0x100; off += 4) R(p, off);
}

int main(int argc, char **argv)
{
    long nseeds = argc > 1 ? atol(argv[1]) : 24;
    printf("test_axi: langevin_axi P = %d, MaxN = %d, MaxM = %d, %ld seeds\n", lvaxi_lanes(), lvaxi_max_n(),
           lvaxi_max_m(), nseeds);
    lv_error err;
    long total_reads = 0, total_writes = 0;
    uint64_t cycles = 0;
    long seeds_nonzero_v = 0, total_stops = 0, total_early = 0;
    for (long sd = 0; sd < nseeds; ++sd) {
        uint64_t s = 0xA11CE000u + (uint64_t)sd * 7919u;
        pair p = {0};
        p.seed = (uint64_t)sd;
        p.pass_cycles = 0;
        p.e = lv_dev_mmio_create(NULL, &err);
        p.h = lvaxi_create(sd % 2 ? (uint64_t)sd * 31u + 1u : 0);
        if (!p.e || !p.h) {
            fprintf(stderr, "cannot create the devices\n");
            return 1;
        }
        lv_dev_image img;
        if (draw_image(&img, &s, sd < 4)) {
            fprintf(stderr, "seed %ld: no acceptable image\n", sd);
            return 1;
        }
        const int n = img.nv + img.nh;
        p.pass_cycles = (int)lv_core_pass_cycles(img.nv, img.nh, img.vv, lvaxi_lanes(), 1, 1);
        int32_t *x0 = malloc((size_t)n * sizeof(int32_t));
        const int64_t xm = ((int64_t)1 << (img.wx - 1)) - 1;
        for (int i = 0; i < n; ++i) x0[i] = (int32_t)(chance(&s, 10) ? (chance(&s, 50) ? xm : -xm) : scode(&s, img.wx) / 2);

        /* Reset values of every register. */
        p.phase = "reset";
        for (uint32_t off = 0; off < 0x100; off += 4) R(&p, off);

        /* 1-2: load, read back, two-phase run. */
        p.phase = "load";
        load_image(&p, &img, sd % 3 ? x0 : NULL);
        p.phase = "run";
        W(&p, LV_REG_SEED_LO_OFFSET, (uint32_t)rnd(&s));
        W(&p, LV_REG_SEED_HI_OFFSET, (uint32_t)rnd(&s));
        const int colour = img.colour_a != 0;
        const uint32_t teq = (uint32_t)irange(&s, 0, 12), trun = (uint32_t)irange(&s, 1, 12);
        run(&p, n, 0, teq, 0, colour, 0);
        uint32_t tick = lv_dev_mmio_read32(p.e, LV_REG_TICK_OFFSET);
        run(&p, n, tick, trun, 1, colour, sd % 2 == 0);
        /* A third run continuing the colour filter again, then a fresh one. */
        tick = lv_dev_mmio_read32(p.e, LV_REG_TICK_OFFSET);
        run(&p, n, tick, (uint32_t)irange(&s, 0, 5), 1, colour, 0);
        run(&p, n, 0, (uint32_t)irange(&s, 0, 5), chance(&s, 50), colour, 0);

        /* 5: STOP at a random point, a continuation, STOP + START. */
        tick = run_stop(&p, &s, n, 0, (uint32_t)irange(&s, 1, 10), 1, colour);
        run(&p, n, tick, (uint32_t)irange(&s, 1, 5), 1, colour, 0);
        tick = lv_dev_mmio_read32(p.e, LV_REG_TICK_OFFSET);
        tick = run_stop(&p, &s, n, tick, (uint32_t)irange(&s, 1, 10), 1, colour);
        run_stop_start(&p, &s, n, tick, (uint32_t)irange(&s, 2, 10), chance(&s, 70), colour);

        /* 4: error paths. */
        p.phase = "errors";
        W(&p, LV_REG_STATUS_OFFSET, LV_REG_STATUS_ERROR_MASK | LV_REG_STATUS_DONE_MASK);
        {
            uint32_t *w = malloc((img.m + 4) * sizeof(uint32_t));
            for (size_t i = 0; i < img.m; ++i) w[i] = (uint32_t)(int32_t)img.c[i];
            /* Interrupted COUPLINGS load: LOAD_COUNT, then START: NOT_LOADED. */
            load_mem(&p, LV_MEM_COUPLINGS_ID, w, img.m, img.m / 2, 0);
            W(&p, LV_REG_STATUS_OFFSET, LV_REG_STATUS_ERROR_MASK);
            W(&p, LV_REG_CTRL_OFFSET, LV_REG_CTRL_START_MASK);
            R(&p, LV_REG_ERR_CODE_OFFSET);
            R(&p, LV_REG_STATUS_OFFSET);
            W(&p, LV_REG_STATUS_OFFSET, LV_REG_STATUS_ERROR_MASK);
            /* Wrong LOAD_CRC. */
            load_mem(&p, LV_MEM_COUPLINGS_ID, w, img.m, img.m, 1);
            W(&p, LV_REG_STATUS_OFFSET, LV_REG_STATUS_ERROR_MASK);
            /* Commit before the configuration: LOAD_NO_CONFIG. */
            W(&p, LV_REG_K_OFFSET, img.k);
            load_mem(&p, LV_MEM_COUPLINGS_ID, w, img.m, img.m, 0);
            W(&p, LV_REG_STATUS_OFFSET, LV_REG_STATUS_ERROR_MASK);
            /* MEM_RANGE: unknown memory, past the depth. */
            W(&p, LV_REG_MEM_SEL_OFFSET, 6);
            W(&p, LV_REG_MEM_WDATA_OFFSET, 1);
            R(&p, LV_REG_ERR_CODE_OFFSET);
            R(&p, LV_REG_MEM_DEPTH_OFFSET);
            W(&p, LV_REG_LOAD_CRC_OFFSET, 0);
            W(&p, LV_REG_STATUS_OFFSET, LV_REG_STATUS_ERROR_MASK);
            W(&p, LV_REG_MEM_SEL_OFFSET, LV_MEM_BIAS_EXP_ID);
            W(&p, LV_REG_MEM_ADDR_OFFSET, 1);
            W(&p, LV_REG_MEM_WDATA_OFFSET, 3);
            W(&p, LV_REG_MEM_WDATA_OFFSET, 4);
            R(&p, LV_REG_ERR_CODE_OFFSET);
            R(&p, LV_REG_MEM_RDATA_OFFSET);
            R(&p, LV_REG_MEM_ADDR_OFFSET);
            W(&p, LV_REG_MEM_SEL_OFFSET, LV_MEM_COUPLINGS_ID);
            W(&p, LV_REG_MEM_ADDR_OFFSET, (uint32_t)lvaxi_max_m() - 1);
            W(&p, LV_REG_MEM_WDATA_OFFSET, 7);
            R(&p, LV_REG_MEM_ADDR_OFFSET);
            W(&p, LV_REG_MEM_WDATA_OFFSET, 7);
            R(&p, LV_REG_ERR_CODE_OFFSET);
            /* Byte strobes: ignored, SLVERR (the emulator has no strobes). */
            int r = lvaxi_write(p.h, LV_REG_SEED_LO_OFFSET, 0x55u, 0x3);
            CHECK_MSG(r == LVAXI_SLVERR, "seed %ld: WSTRB 0x3 answered %d", sd, r);
            R(&p, LV_REG_SEED_LO_OFFSET);
            free(w);
        }

        /* 3: random register sequences while idle. */
        random_ops(&p, &s, &img, 600);

        CHECK_MSG(p.bad == 0, "seed %ld: %ld mismatches", sd, p.bad);
        /* 5 runs to completion (4 + the continuation after a stop), 2 stopped, 1 after STOP + START. */
        CHECK_MSG(p.runs == 8 && p.runs_done == 8, "seed %ld: %ld of %ld runs completed", sd, p.runs_done, p.runs);
        total_stops += p.stops;
        total_early += p.stops_early;
        if (p.nonzero_v > 0) seeds_nonzero_v++;
        total_reads += p.reads;
        total_writes += p.writes;
        cycles += lvaxi_cycles(p.h);
        lvaxi_free(p.h);
        lv_dev_mmio_free(p.e);
        free(x0);
        free(img.c);
        free(img.ej);
        free(img.cb);
    }
    printf("  %ld register reads and %ld writes compared, %" PRIu64 " RTL cycles\n", total_reads, total_writes,
           cycles);
    printf("  %ld of %ld seeds ended runs with V != 0\n", seeds_nonzero_v, nseeds);
    printf("  %ld STOPs, %ld of them ended a run early; STOP + START compared\n", total_stops, total_early);
    /* STOP must actually cut runs short (an ignored STOP would pass the
     * comparisons with k = TICKS). */
    CHECK(total_early * 4 >= total_stops);
    CHECK(2 * seeds_nonzero_v >= nseeds);
    return lv_test_report("test_axi");
}
