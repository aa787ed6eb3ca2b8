/* test_chip_instance.c - a chip instance's noise-DAC errors
 * (docs/fixed-point.md §7 "chip instance"):
 *  - the per-unit gain and offset follow their formulas (128-bit reference)
 *    from deviates that are pure functions of (instance seed, unit);
 *  - eta of every unit and tick of a device run equals
 *    rnd(G_i n + O_i 2^8, 24) (white and coloured);
 *  - the per-unit DAC block with uniform gain/offset is lv_dac_eta_block;
 *  - an instance with zero spreads is bit-identical to the ideal chip;
 *  - the register-level emulator runs the same bits as the core;
 *  - out-of-range instances are refused with a sentence. */
#include <string.h>

#include "device.h"
#include "device_loader.h"
#include "device_mmio.h"
#include "emu_test_util.h"
#include "firmware/fw_test_image.h"
#include "noise_dac.h"
#include "noise_source.h"

static void test_formulas(void)
{
    lv_dev_instance in = {.seed = 0xC0FFEEull, .sm = 0, .sg = 3277, .ge = -1311, .so = 5000000};
    int bad = 0, same = 0;
    double s1 = 0, s2 = 0;
    const int U = 4096;
    for (int i = 0; i < U; ++i) {
        int32_t zg = lv_noise_chip_z(in.seed, (uint32_t)i, LV_GAINERR_TAG);
        int32_t zo = lv_noise_chip_z(in.seed, (uint32_t)i, LV_OFFSERR_TAG);
        i128 g = rnd128((i128)3000000000u * (((i128)1 << 26) + (i128)in.ge * 1024 + (i128)in.sg * zg), 26);
        i128 o = -77 + rnd128((i128)in.so * zo, 10);
        if (lv_dev_instance_gain(&in, 3000000000u, (uint32_t)i) != (int64_t)g) BULK_FAIL(bad, "gain unit %d", i);
        if (lv_dev_instance_offset(&in, -77, (uint32_t)i) != (int64_t)o) BULK_FAIL(bad, "offset unit %d", i);
        same += (zg == zo) + (zg == lv_noise_mismatch_z(in.seed, (uint32_t)i)); /* distinct streams */
        double rel = (double)g / 3000000000.0 - 1.0;
        s1 += rel;
        s2 += rel * rel;
    }
    CHECK(bad == 0);
    /* Independent streams coincide with probability ~2.8e-4 per pair: ~2 of 8192. */
    CHECK_MSG(same < 15, "%d coincidences", same);
    /* Mean -1311/65536 = -0.0200, sd 3277/65536 = 0.0500 (standard errors
     * 0.0008 and 0.0006 over 4096 units: 5-sigma bounds). */
    double mean = s1 / U, sd = sqrt(s2 / U - mean * mean);
    CHECK_NEAR(mean, -1311 / 65536.0, 0.004);
    CHECK_NEAR(sd, 3277 / 65536.0, 0.003);
    lv_dev_instance none = {.seed = 5};
    CHECK(lv_dev_instance_gain(&none, 123456, 3) == 123456 && lv_dev_instance_offset(NULL, -9, 3) == -9);
}

static void test_block(void)
{
    uint64_t s = 7;
    int32_t z[300];
    int64_t g[300], o[300], c1[300] = {0}, c2[300] = {0}, e1[300], e2[300];
    for (int i = 0; i < 300; ++i) {
        z[i] = (int32_t)irand(&s, -6138, 6138);
        g[i] = 2864325376u;
        o[i] = -4242;
    }
    for (uint16_t a = 0; a < 40000; a += 29000) {
        lv_noise_dac dac;
        lv_error err;
        CHECK(lv_dac_init(&dac, 11, 2864325376u, -4242, a, &err) == 0);
        for (int t = 0; t < 3; ++t) {
            lv_dac_eta_block(&dac, z, 300, c1, e1);
            lv_dac_eta_block_units(&dac, g, o, z, 300, c2, e2);
            CHECK(!memcmp(e1, e2, sizeof e1) && !memcmp(c1, c2, sizeof c1));
        }
    }
}

/* A run's eta against the formula, tick by tick. */
static void test_device_eta(uint16_t a)
{
    fw_spec sp = fw_spec_default();
    sp.a = a;
    sp.offset = 3000;
    lv_dev_image img;
    CHECK(fw_build_image(&img, &sp, 21) == 0);
    lv_dev_instance in = {.seed = 99, .sm = 2000, .sg = 4000, .ge = 2000, .so = 30000000};
    lv_error err;
    lv_dev *d = lv_dev_create(&img, &in, 2, &err);
    CHECK_MSG(d != NULL, "%s", err.msg);
    if (!d) return;
    const int n = img.nv + img.nh;
    uint64_t seeds[2] = {17, 18};
    CHECK(lv_dev_reset(d, seeds, 2, 5, &err) == 0);
    int64_t colour[2][64] = {{0}};
    int bad = 0;
    for (uint32_t t = 5; t < 40; ++t) {
        CHECK(lv_dev_run(d, t & 1, 1, 0, &err) == 0);
        const int64_t *eta = lv_dev_last_eta(d);
        for (int b = 0; b < 2; ++b)
            for (int i = 0; i < n; ++i) {
                i128 nn = (i128)lv_fx_rnd(lv_noise_z(seeds[b], t, (uint32_t)i), 0) * 256;
                if (a) {
                    nn = rnd128((i128)a * colour[b][i] + (i128)img.colour_c * nn, 15);
                    colour[b][i] = (int64_t)nn;
                }
                i128 gi = lv_dev_instance_gain(&in, img.gain, (uint32_t)i);
                i128 oi = lv_dev_instance_offset(&in, img.offset, (uint32_t)i);
                i128 want = rnd128(gi * nn + oi * 256, 24);
                if (eta[b * n + i] != (int64_t)want) BULK_FAIL(bad, "a %u tick %u traj %d unit %d", a, t, b, i);
            }
    }
    CHECK(bad == 0);
    lv_dev_free(d);

    /* Zero spreads: the ideal chip's bits (mismatch alone stays as it was). */
    lv_dev_instance z0 = {.seed = 99, .sm = 2000}, z1 = {.seed = 12345, .sm = 2000};
    z1.seed = 99;
    lv_dev *p = lv_dev_create(&img, &z0, 1, &err), *q = lv_dev_create(&img, &z1, 1, &err);
    CHECK(p && q);
    CHECK(lv_dev_reset(p, seeds, 1, 0, &err) == 0 && lv_dev_reset(q, seeds, 1, 0, &err) == 0);
    CHECK(lv_dev_run(p, 1, 200, 1, &err) == 0 && lv_dev_run(q, 1, 200, 1, &err) == 0);
    CHECK(!memcmp(lv_dev_state(p), lv_dev_state(q), (size_t)n * sizeof(int32_t)));
    lv_dev_free(p);
    lv_dev_free(q);

    /* The register-level emulator with the same instance: the core's bits. */
    lv_dev_mmio_opts o = {&in, 0};
    lv_dev_mmio *m = lv_dev_mmio_create(&o, &err);
    CHECK(m != NULL);
    int32_t xm[64], xc[64];
    lv_dev_mmio_gen_result gr;
    CHECK_MSG(lv_dev_mmio_load_image(m, &img, &err) == 0, "%s", err.msg);
    CHECK(lv_dev_mmio_generate(m, 31, img.ticks_eq, img.ticks_run, xm, 64, &gr, &err) == 0);
    lv_dev *c = lv_dev_create(&img, &in, 1, &err);
    uint64_t s31 = 31;
    CHECK(c && lv_dev_reset(c, &s31, 1, 0, &err) == 0 && lv_dev_run(c, 0, img.ticks_eq, 0, &err) == 0 &&
          lv_dev_run(c, 1, img.ticks_run, 1, &err) == 0);
    memcpy(xc, lv_dev_state(c), (size_t)n * sizeof(int32_t));
    CHECK(!memcmp(xm, xc, (size_t)n * sizeof(int32_t)));
    lv_dev_regs r;
    lv_dev_regs_get(c, 0, &r);
    CHECK(r.v == gr.v && r.q == gr.q);
    lv_dev_free(c);
    lv_dev_mmio_free(m);
    lv_dev_image_free(&img);
}

static void test_refusals(void)
{
    fw_spec sp = fw_spec_default();
    lv_dev_image img;
    CHECK(fw_build_image(&img, &sp, 3) == 0);
    lv_error err;
    struct {
        lv_dev_instance in;
        const char *needle;
    } cases[] = {
        {{.seed = 1, .sg = 10923}, "Sg = 10923"},
        {{.seed = 1, .ge = 32768}, "Ge = 32768"},
        {{.seed = 1, .ge = -40000}, "Ge = -40000"},
        {{.seed = 1, .sg = 10000, .ge = -10000}, "reaches 1"},
        {{.seed = 1, .so = 1u << 28}, "So = "},
        {{.seed = 1, .sm = 11000}, "Sm = 11000"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; ++k) {
        err.msg[0] = 0;
        CHECK_MSG(lv_dev_create(&img, &cases[k].in, 1, &err) == NULL && strstr(err.msg, cases[k].needle),
                  "case %zu: %s", k, err.msg);
        lv_dev_mmio_opts o = {&cases[k].in, 0};
        CHECK(lv_dev_mmio_create(&o, &err) == NULL && strstr(err.msg, cases[k].needle));
    }
    /* A legal spread that pushes some unit's OFFSET + error out of 32 bits. */
    img.offset = 2147000000;
    lv_dev_instance big = {.seed = 1, .so = (1u << 28) - 1};
    CHECK(lv_dev_create(&img, &big, 1, &err) == NULL && strstr(err.msg, "OFFSET range"));
    lv_dev_image_free(&img);
}

int main(void)
{
    test_formulas();
    test_block();
    test_device_eta(0);
    test_device_eta(29491);
    test_refusals();
    return lv_test_report("test_chip_instance");
}
