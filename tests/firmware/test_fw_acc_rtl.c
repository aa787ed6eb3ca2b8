/* test_fw_acc_rtl.c - CAP_ACC_W end to end: the firmware driver on a
 * Verilated rtl/langevin_axi.v built with narrow coupling accumulators
 * (AccW = 40: CMake `lv_verilate_axi(... ACC_W 40)`, MaxN 40, MaxM 780,
 * P = 2) and on the emulated device (64 bits).
 *  - probe: the RTL reports CAP_ACC_W = 40 (= the model's parameter), the
 *    emulator 64;
 *  - an image tuned to need 44 bits (lv_fw_image_acc_bits): the RTL instance
 *    refuses it with LV_FW_E_ACC_WIDTH (detail 44, cap_acc_w 40) before any
 *    register write, STATUS.IMAGE_VALID stays clear; the emulator loads it
 *    and runs it;
 *  - an image tuned to need exactly 40 bits: loaded by both, and the
 *    two-phase generation gives the same state, V0, V, Q, TICK and counters
 *    bit for bit (two seeds);
 *  - the 44-bit image offered to the loaded RTL device: refused with nothing
 *    written, so the 40-bit image stays loaded and the next generation still
 *    matches the emulator.
 * Without Verilator (LV_FW_HAVE_RTL undefined) the test is skipped (77). */
#include <stdio.h>

#ifndef LV_FW_HAVE_RTL
int main(void)
{
    puts("test_fw_acc_rtl: built without Verilator (no narrow langevin_axi model): skipped");
    return 77;
}
#else

#include <string.h>

#include "fw_test_image.h"
#include "fw_rigs.h"
#include "lv_regs.h"
#include "test_util.h"

/* An image (nv = 9, nh = 6, visible-visible block) tuned to need `bits`
 * accumulator bits, encoded; returns the bits the driver computes for it. */
static uint32_t make_image(int bits, uint64_t seed, lv_dev_image *img, uint8_t **buf, size_t *len)
{
    fw_spec sp = fw_spec_default();
    sp.nv = 9;
    sp.nh = 6;
    sp.vv = 1;
    lv_error err = {{0}};
    if (fw_build_image(img, &sp, seed) || fw_tune_acc_bits(img, bits) != bits ||
        lv_dev_image_encode(img, NULL, buf, len, &err))
        return 0;
    lv_fw_dev u;
    lv_fw_image_src src;
    lv_fw_membuf mb;
    lv_fw_image_info info;
    uint32_t b = 0;
    lv_fw_src_buffer(&src, &mb, *buf, *len);
    memset(&u, 0, sizeof u); /* unprobed: lv_fw_image_check touches no register */
    if (lv_fw_image_check(&u, &src, &info) != LV_FW_OK || lv_fw_image_acc_bits(&src, &info, &b) != LV_FW_OK ||
        b != info.acc_bits)
        return 0;
    return b;
}

/* Two-phase generation on both devices, everything compared. */
static void compare_generate(const char *what, emu_rig *e, rtl_rig *h, uint64_t seed, const lv_dev_image *img)
{
    int32_t xe[64], xh[64];
    lv_fw_meters me, mh;
    memset(xe, 0x5A, sizeof xe);
    memset(xh, 0xA5, sizeof xh);
    lv_fw_result re = lv_fw_generate(&e->dev, seed, img->ticks_eq, img->ticks_run, xe, 64, &me);
    lv_fw_result rh = lv_fw_generate(&h->dev, seed, img->ticks_eq, img->ticks_run, xh, 64, &mh);
    CHECK_MSG(re == LV_FW_OK && rh == LV_FW_OK, "%s: generate: emu %s, rtl %s", what, lv_fw_strerror(re),
              lv_fw_strerror(rh));
    const int n = img->nv + img->nh;
    CHECK_MSG(memcmp(xe, xh, (size_t)n * sizeof(int32_t)) == 0, "%s seed %llu: states differ", what,
              (unsigned long long)seed);
    CHECK_MSG(me.v0 == mh.v0 && me.v == mh.v && me.q == mh.q && me.tick == mh.tick &&
                  me.sat_state == mh.sat_state && me.sat_force == mh.sat_force,
              "%s seed %llu: meters differ (V0 %lld/%lld V %lld/%lld Q %lld/%lld SAT %u/%u %u/%u)", what,
              (unsigned long long)seed, (long long)me.v0, (long long)mh.v0, (long long)me.v, (long long)mh.v,
              (long long)me.q, (long long)mh.q, me.sat_state, mh.sat_state, me.sat_force, mh.sat_force);
    printf("  %s, seed %llu: bit-exact (V0 %.4f, V %.4f, Q %.4f, SAT %u/%u)\n", what, (unsigned long long)seed,
           ldexp((double)mh.v0, -32), ldexp((double)mh.v, -32), ldexp((double)mh.q, -32), mh.sat_state,
           mh.sat_force);
}

int main(void)
{
    emu_rig e;
    rtl_rig h;
    CHECK(emu_open(&e) == 0 && rtl_open(&h, 0) == 0);
    printf("test_fw_acc_rtl: Verilated langevin_axi P = %d, MaxN = %d, MaxM = %d, AccW = %d\n", lvaxi_lanes(),
           lvaxi_max_n(), lvaxi_max_m(), lvaxi_acc_width());
    CHECK(h.dev.cap_acc_w == (uint32_t)lvaxi_acc_width() && h.dev.cap_acc_w == 40 && e.dev.cap_acc_w == 64);
    CHECK(LV_FIELD_GET(h.dev.version, VERSION, MINOR) >= 1 && h.dev.version == e.dev.version);
    CHECK(h.dev.cap_max_n == (uint32_t)lvaxi_max_n() && h.dev.cap_max_m == (uint32_t)lvaxi_max_m());

    lv_dev_image wide, fits;
    uint8_t *bw = NULL, *bf = NULL;
    size_t lw = 0, lf = 0;
    const uint32_t need_w = make_image(44, 11, &wide, &bw, &lw), need_f = make_image(40, 12, &fits, &bf, &lf);
    CHECK_MSG(need_w == 44 && need_f == 40, "tuned images need %u and %u bits", need_w, need_f);

    /* Too wide for the instance: refused before any write, nothing loaded. */
    h.rtl.writes = 0;
    lv_fw_result r = load_buf(&h.dev, bw, lw);
    printf("  44-bit image on the 40-bit instance: %s (needs %u bits, CAP_ACC_W %u); %llu register writes\n",
           lv_fw_strerror(r), h.dev.detail, h.dev.cap_acc_w, (unsigned long long)h.rtl.writes);
    CHECK(r == LV_FW_E_ACC_WIDTH && h.dev.detail == 44 && h.rtl.writes == 0 && h.rtl.bus_errors == 0);
    CHECK(!(lvaxi_read(h.rtl.h, LV_REG_STATUS_OFFSET, NULL) & LV_REG_STATUS_IMAGE_VALID_MASK));
    /* ... which a 64-bit device loads and runs. */
    CHECK(load_buf(&e.dev, bw, lw) == LV_FW_OK);
    lv_fw_meters mt;
    CHECK(lv_fw_generate(&e.dev, 3, wide.ticks_eq, wide.ticks_run, NULL, 0, &mt) == LV_FW_OK);

    /* Exactly at the limit: the same bits on both. */
    CHECK(load_buf(&e.dev, bf, lf) == LV_FW_OK);
    r = load_buf(&h.dev, bf, lf);
    CHECK_MSG(r == LV_FW_OK, "40-bit image on the 40-bit instance: %s", lv_fw_strerror(r));
    compare_generate("40-bit image", &e, &h, 0x5EED, &fits);
    compare_generate("40-bit image", &e, &h, 0xC0FFEE, &fits);

    /* The wide image again: refused with nothing written, the loaded one stays. */
    h.rtl.writes = 0;
    CHECK(load_buf(&h.dev, bw, lw) == LV_FW_E_ACC_WIDTH && h.rtl.writes == 0);
    CHECK(lvaxi_read(h.rtl.h, LV_REG_STATUS_OFFSET, NULL) & LV_REG_STATUS_IMAGE_VALID_MASK);
    compare_generate("40-bit image after the refusal", &e, &h, 77, &fits);
    CHECK(h.rtl.bus_errors == 0);

    free(bw);
    free(bf);
    lv_dev_image_free(&wide);
    lv_dev_image_free(&fits);
    rtl_close(&h);
    emu_close(&e);
    return lv_test_report("firmware/test_fw_acc_rtl");
}
#endif
