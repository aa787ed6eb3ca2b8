/* test_fw_rtl.c - the same firmware driver (firmware/include/lv_fw.h) on two
 * backends: the emulated device (lv_fw_emu) and the Verilated RTL register
 * slave rtl/langevin_axi.v driven through AXI4-Lite handshakes (lv_fw_rtl over
 * rtl/sim/lvaxi.h).  For several small images (nv = 13, nh = 7 white and
 * coloured, a visible-visible block, a saturating one, nv = 9, nh = 4) and
 * five seeds each:
 *  - probe both (ID, VERSION, capacities equal);
 *  - lv_fw_load of the same file on both: OK, the driver's view of the image
 *    (nv, nh, ticks, colour) equal, STATUS.IMAGE_VALID set, no AXI error;
 *  - lv_fw_generate (the two-phase protocol) on both, twice per load (two
 *    seeds): final STATE (visible and hidden slices), V0, V, Q, TICK,
 *    SAT_STATE and SAT_FORCE compared bit for bit;
 *  - a corrupted image (a flipped couplings byte; a resealed out-of-range
 *    code) on the RTL backend: refused with the same code as on the emulator
 *    and ZERO register writes; a fresh model stays without IMAGE_VALID, a
 *    loaded one keeps its image (the next generate still matches);
 *  - the wait hook's cycle budget: a tiny budget aborts the wait
 *    (LV_FW_E_WAIT_ABORTED), a normal one then finishes the same run.
 *  - CTRL.STOP through the driver (lv_fw_run_stop) at several points of a
 *    run on the RTL: the run ends after k ticks, and its state and meters
 *    equal the emulator's after a run of exactly k ticks.
 * Without Verilator (LV_FW_HAVE_RTL undefined) the test is skipped (77). */
#include <stdio.h>

#ifndef LV_FW_HAVE_RTL
int main(void)
{
    puts("test_fw_rtl: built without Verilator (no langevin_axi model): skipped");
    return 77;
}
#else

#include <string.h>
#include <time.h>

#include "fw_test_image.h"
#include "fw_rigs.h"
#include "lv_regs.h"
#include "test_util.h"

#define NSEEDS 5

static uint32_t rtl_status(rtl_rig *r) { return lvaxi_read(r->rtl.h, LV_REG_STATUS_OFFSET, NULL); }

static long n_generates, n_sat_images;

/* One generate on both, everything compared.  Returns 0 when equal. */
static int compare_generate(const char *what, emu_rig *e, rtl_rig *h, uint64_t seed, uint32_t teq, uint32_t trun,
                            lv_fw_meters *out)
{
    int32_t xe[64], xh[64];
    lv_fw_meters me, mh;
    memset(xe, 0x5A, sizeof xe);
    memset(xh, 0xA5, sizeof xh);
    lv_fw_result re = lv_fw_generate(&e->dev, seed, teq, trun, xe, 64, &me);
    lv_fw_result rh = lv_fw_generate(&h->dev, seed, teq, trun, xh, 64, &mh);
    CHECK_MSG(re == LV_FW_OK, "%s: emu generate: %s", what, lv_fw_strerror(re));
    CHECK_MSG(rh == LV_FW_OK, "%s: rtl generate: %s (ERR_CODE %s)", what, lv_fw_strerror(rh),
              lv_fw_dev_err_name(h->dev.dev_err));
    if (re != LV_FW_OK || rh != LV_FW_OK) return -1;
    n_generates++;
    const uint32_t n = e->dev.nv + e->dev.nh;
    int bad = 0;
    for (uint32_t i = 0; i < n; ++i)
        if (xe[i] != xh[i]) BULK_FAIL(bad, "%s seed %llu: state[%u] emu %d rtl %d", what, (unsigned long long)seed, i,
                                      xe[i], xh[i]);
    CHECK_MSG(bad == 0, "%s: state differs", what);
    CHECK_MSG(me.v0 == mh.v0, "%s: V0 emu %lld rtl %lld", what, (long long)me.v0, (long long)mh.v0);
    CHECK_MSG(me.v == mh.v, "%s: V emu %lld rtl %lld", what, (long long)me.v, (long long)mh.v);
    CHECK_MSG(me.q == mh.q, "%s: Q emu %lld rtl %lld", what, (long long)me.q, (long long)mh.q);
    CHECK_MSG(me.tick == mh.tick && mh.tick == teq + trun, "%s: TICK emu %u rtl %u", what, me.tick, mh.tick);
    CHECK_MSG(me.sat_state == mh.sat_state && me.sat_force == mh.sat_force, "%s: SAT emu %u/%u rtl %u/%u", what,
              me.sat_state, me.sat_force, mh.sat_state, mh.sat_force);
    /* The visible / hidden slices through the driver, read again. */
    int32_t vis[64], hid[64];
    CHECK(lv_fw_read_state(&h->dev, 0, vis, h->dev.nv) == LV_FW_OK);
    CHECK(lv_fw_read_state(&h->dev, h->dev.nv, hid, h->dev.nh) == LV_FW_OK);
    CHECK(memcmp(vis, xe, h->dev.nv * 4u) == 0 && memcmp(hid, xe + h->dev.nv, h->dev.nh * 4u) == 0);
    CHECK((rtl_status(h) & (LV_REG_STATUS_BUSY_MASK | LV_REG_STATUS_DONE_MASK | LV_REG_STATUS_ERROR_MASK)) == 0);
    if (out) *out = mh;
    return 0;
}

static void check_spec(const char *what, const fw_spec *sp, int saturating)
{
    for (int s = 0; s < NSEEDS; ++s) {
        const uint64_t img_seed = 1000u + (uint64_t)s * 37u;
        lv_dev_image img;
        uint8_t *buf = NULL;
        size_t len = 0;
        lv_error err = {{0}};
        if (fw_build_image(&img, sp, img_seed) || lv_dev_image_encode(&img, "{\"test\":\"fw_rtl\"}", &buf, &len, &err)) {
            CHECK_MSG(0, "%s: cannot build the image: %s", what, err.msg);
            return;
        }
        emu_rig e;
        rtl_rig h;
        /* Odd seeds: the AXI master delays W / BREADY / RREADY at random. */
        if (emu_open(&e) || rtl_open(&h, s % 2 ? 0x5EED0000u + (uint64_t)s : 0)) {
            CHECK_MSG(0, "%s: cannot open the devices", what);
            return;
        }
        CHECK(e.dev.version == h.dev.version && e.dev.cap_max_n == h.dev.cap_max_n &&
              e.dev.cap_max_m == h.dev.cap_max_m);
        lv_fw_result re = load_buf(&e.dev, buf, len), rh = load_buf(&h.dev, buf, len);
        CHECK_MSG(re == LV_FW_OK, "%s: emu load: %s", what, lv_fw_strerror(re));
        CHECK_MSG(rh == LV_FW_OK, "%s: rtl load: %s (detail %u, ERR_CODE %s)", what, lv_fw_strerror(rh),
                  h.dev.detail, lv_fw_dev_err_name(h.dev.dev_err));
        CHECK(h.dev.nv == (uint32_t)img.nv && h.dev.nh == (uint32_t)img.nh && h.dev.ticks_eq == e.dev.ticks_eq &&
              h.dev.ticks_run == e.dev.ticks_run && h.dev.colour_a == e.dev.colour_a);
        CHECK(rtl_status(&h) & LV_REG_STATUS_IMAGE_VALID_MASK);
        if (re == LV_FW_OK && rh == LV_FW_OK) {
            lv_fw_meters m;
            const uint64_t seed = 0x0123456789ABCDEFull ^ ((uint64_t)s << 40) ^ (uint64_t)s;
            if (compare_generate(what, &e, &h, seed, img.ticks_eq, img.ticks_run, &m) == 0) {
                if (!saturating) CHECK_MSG(m.v0 != m.v && m.q != 0, "%s: no dynamics", what);
                if (saturating) {
                    CHECK_MSG(m.sat_state > 0 && m.sat_force > 0, "%s: nothing saturated", what);
                    n_sat_images++;
                }
                if (s == 0)
                    printf("  %s: %zu bytes, V0 = %.5f, V = %.5f, Q = %.5f, SAT = %u/%u\n", what, len,
                           ldexp((double)m.v0, -32), ldexp((double)m.v, -32), ldexp((double)m.q, -32), m.sat_state,
                           m.sat_force);
            }
            /* A second trajectory on the same loaded devices, other lengths. */
            compare_generate(what, &e, &h, seed + 0x9E37u, 7u + (uint32_t)s, 11u + 3u * (uint32_t)s, NULL);
        }
        CHECK_MSG(h.rtl.bus_errors == 0, "%s: %llu AXI error responses (last at 0x%03x)", what,
                  (unsigned long long)h.rtl.bus_errors, h.rtl.last_bad_offset);
        rtl_close(&h);
        emu_close(&e);
        free(buf);
        lv_dev_image_free(&img);
    }
}

/* A corrupted file: the same refusal on both backends, no write on the RTL. */
static void check_refused(const char *what, const uint8_t *good, size_t good_len, const uint8_t *bad, size_t len)
{
    emu_rig e;
    rtl_rig h;
    if (emu_open(&e) || rtl_open(&h, 0)) {
        CHECK_MSG(0, "%s: cannot open the devices", what);
        return;
    }
    const lv_fw_result want = load_buf(&e.dev, bad, len);
    CHECK_MSG(want != LV_FW_OK, "%s: the emulator backend accepted it", what);
    /* A fresh model. */
    uint64_t w0 = h.rtl.writes;
    lv_fw_result got = load_buf(&h.dev, bad, len);
    CHECK_MSG(got == want, "%s: rtl %s, emu %s", what, lv_fw_strerror(got), lv_fw_strerror(want));
    CHECK_MSG(h.rtl.writes == w0, "%s: %llu register writes before the refusal", what,
              (unsigned long long)(h.rtl.writes - w0));
    CHECK(!(rtl_status(&h) & LV_REG_STATUS_IMAGE_VALID_MASK));
    lv_fw_meters m;
    CHECK(lv_fw_generate(&h.dev, 1, 5, 5, NULL, 0, &m) == LV_FW_E_NOT_LOADED);
    CHECK(h.rtl.writes == w0);
    /* A model with a good image: the refusal touches nothing, the image stays. */
    CHECK(load_buf(&e.dev, good, good_len) == LV_FW_OK && load_buf(&h.dev, good, good_len) == LV_FW_OK);
    w0 = h.rtl.writes;
    got = load_buf(&h.dev, bad, len);
    CHECK_MSG(got == want, "%s (loaded): rtl %s, emu %s", what, lv_fw_strerror(got), lv_fw_strerror(want));
    CHECK_MSG(h.rtl.writes == w0, "%s (loaded): %llu register writes", what, (unsigned long long)(h.rtl.writes - w0));
    CHECK(rtl_status(&h) & LV_REG_STATUS_IMAGE_VALID_MASK);
    compare_generate(what, &e, &h, 77, 10, 20, NULL);
    CHECK(h.rtl.bus_errors == 0);
    rtl_close(&h);
    emu_close(&e);
}

static void test_corrupted(void)
{
    fw_spec sp = fw_spec_default();
    sp.nv = 13;
    lv_dev_image img;
    uint8_t *good = NULL;
    size_t len = 0;
    lv_error err = {{0}};
    CHECK(fw_build_image(&img, &sp, 5) == 0 && lv_dev_image_encode(&img, "{}", &good, &len, &err) == 0);
    uint8_t *b = malloc(len);
    const size_t coff = fw_sec_off(good, 0);
    /* A flipped bit in the couplings: section CRC. */
    memcpy(b, good, len);
    b[coff + 3] ^= 0x10;
    check_refused("corrupt couplings byte", good, len, b, len);
    /* A coupling code past BJ = 8 bits, resealed (all CRCs right). */
    memcpy(b, good, len);
    b[coff] = 0x00;
    b[coff + 1] = 0x40; /* int16 0x4000 */
    fw_reseal(b, len);
    check_refused("out-of-range coupling (resealed)", good, len, b, len);
    /* Truncated. */
    check_refused("truncated", good, len, good, len - 9);
    free(b);
    free(good);
    lv_dev_image_free(&img);
}

/* The wait hook's cycle budget. */
static void test_wait_budget(void)
{
    fw_spec sp = fw_spec_default();
    sp.nv = 13;
    lv_dev_image img;
    uint8_t *buf = NULL;
    size_t len = 0;
    lv_error err = {{0}};
    CHECK(fw_build_image(&img, &sp, 9) == 0 && lv_dev_image_encode(&img, "{}", &buf, &len, &err) == 0);
    rtl_rig h;
    CHECK(rtl_open(&h, 0) == 0);
    CHECK(load_buf(&h.dev, buf, len) == LV_FW_OK);
    lv_fw_run_cfg rc = {42, 0, 200, 1, 0};
    h.rtl.step_cycles = 8;
    h.rtl.budget_cycles = 16;
    CHECK(lv_fw_run_start(&h.dev, &rc) == LV_FW_OK);
    CHECK(lv_fw_run_wait(&h.dev) == LV_FW_E_WAIT_ABORTED);
    CHECK(rtl_status(&h) & LV_REG_STATUS_BUSY_MASK);
    h.rtl.budget_cycles = 0; /* default */
    CHECK(lv_fw_run_wait(&h.dev) == LV_FW_OK);
    lv_fw_meters m;
    CHECK(lv_fw_read_meters(&h.dev, &m) == LV_FW_OK && m.tick == 200);
    CHECK(h.rtl.waits >= 2 && h.rtl.bus_errors == 0);
    rtl_close(&h);
    free(buf);
    lv_dev_image_free(&img);
}

/* lv_fw_run_stop on the RTL = a run of exactly the ticks it completed. */
static void test_stop(void)
{
    fw_spec sp = fw_spec_default();
    sp.nv = 13;
    lv_dev_image img;
    uint8_t *buf = NULL;
    size_t len = 0;
    lv_error err = {{0}};
    CHECK(fw_build_image(&img, &sp, 11) == 0 && lv_dev_image_encode(&img, "{}", &buf, &len, &err) == 0);
    const uint64_t idle[4] = {1, 700, 2900, 11000};
    long stopped = 0;
    for (int i = 0; i < 4; ++i) {
        emu_rig e;
        rtl_rig h;
        if (emu_open(&e) || rtl_open(&h, 0)) {
            CHECK_MSG(0, "stop: cannot open the devices");
            return;
        }
        CHECK(load_buf(&e.dev, buf, len) == LV_FW_OK && load_buf(&h.dev, buf, len) == LV_FW_OK);
        lv_fw_run_cfg rc = {0xABCDu + (uint64_t)i, 3, 100000, 1, 0};
        CHECK(lv_fw_run_start(&h.dev, &rc) == LV_FW_OK);
        lvaxi_idle(h.rtl.h, idle[i]);
        CHECK(lv_fw_run_stop(&h.dev) == LV_FW_OK);
        CHECK(lv_fw_run_wait(&h.dev) == LV_FW_OK);
        lv_fw_meters mh, me;
        CHECK(lv_fw_read_meters(&h.dev, &mh) == LV_FW_OK);
        const uint32_t k = mh.tick - rc.tick0;
        CHECK_MSG(k < rc.ticks, "stop after %llu cycles: the run was not stopped (TICK %u)",
                  (unsigned long long)idle[i], mh.tick);
        stopped += k > 0;
        printf("  stop after %llu idle cycles: %u ticks completed\n", (unsigned long long)idle[i], k);
        /* The emulator: the same start, exactly k ticks. */
        lv_fw_run_cfg ec = rc;
        ec.ticks = k;
        CHECK(lv_fw_run_start(&e.dev, &ec) == LV_FW_OK && lv_fw_run_wait(&e.dev) == LV_FW_OK);
        CHECK(lv_fw_read_meters(&e.dev, &me) == LV_FW_OK);
        CHECK_MSG(me.tick == mh.tick && me.v0 == mh.v0 && me.v == mh.v && me.q == mh.q &&
                      me.sat_state == mh.sat_state && me.sat_force == mh.sat_force,
                  "stop at tick %u: meters differ from a %u-tick run on the emulator", mh.tick, k);
        int32_t xe[64], xh[64];
        const uint32_t n = e.dev.nv + e.dev.nh;
        CHECK(lv_fw_read_state(&e.dev, 0, xe, n) == LV_FW_OK && lv_fw_read_state(&h.dev, 0, xh, n) == LV_FW_OK);
        CHECK_MSG(memcmp(xe, xh, n * sizeof *xe) == 0, "stop at tick %u: state differs", mh.tick);
        CHECK(h.rtl.bus_errors == 0);
        rtl_close(&h);
        emu_close(&e);
    }
    CHECK_MSG(stopped >= 2, "only %ld of 4 stops landed inside a run", stopped);
    free(buf);
    lv_dev_image_free(&img);
}

int main(void)
{
    const clock_t t0 = clock();
    printf("test_fw_rtl: langevin_axi P = %d, MaxN = %d, MaxM = %d, %d seeds per image\n", lvaxi_lanes(),
           lvaxi_max_n(), lvaxi_max_m(), NSEEDS);
    fw_spec sp = fw_spec_default();
    sp.nv = 13;
    check_spec("white, nv = 13, nh = 7", &sp, 0);
    fw_spec col = sp;
    col.a = 16384;
    check_spec("coloured a = 0.5, nv = 13, nh = 7", &col, 0);
    fw_spec vv = sp;
    vv.vv = 1;
    vv.nv = 6;
    check_spec("visible-visible block, nv = 6, nh = 7", &vv, 0);
    fw_spec sat = sp;
    sat.wx = 8;
    sat.fx = 4;
    sat.wf = 16;
    sat.ff = 8;
    sat.kT = 2.0;
    sat.offset = 3 << 16;
    check_spec("saturating, nv = 13, nh = 7", &sat, 1);
    fw_spec small = sp;
    small.nv = 9;
    small.nh = 4;
    check_spec("white, nv = 9, nh = 4", &small, 0);
    test_corrupted();
    test_wait_budget();
    test_stop();
    CHECK(n_generates >= 5 * 2 * NSEEDS && n_sat_images == NSEEDS);
    printf("  %ld generates compared, %.1f s CPU\n", n_generates, (double)(clock() - t0) / CLOCKS_PER_SEC);
    return lv_test_report("test_fw_rtl");
}
#endif
