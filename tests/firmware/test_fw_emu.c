/* test_fw_emu.c - the firmware driver (firmware/include/lv_fw.h) on the
 * emulator backend:
 *  - probe (ID, VERSION), strerror table complete, CRC-32 check value;
 *  - load round trips (white, coloured, visible-visible), then generate through
 *    the driver: bit-identical state / V0 / V / Q / TICK / counters to
 *    lv_dev_mmio_generate (emu/src/device_loader.h) and to direct
 *    lv_dev_create / lv_dev_reset / lv_dev_run;
 *  - every corruption class refused with its own code and NOTHING written to
 *    the device (a counting HAL wraps the backend);
 *  - an interrupted load (the source fails after half the couplings), a
 *    source that changes between passes, a bus that loses words: refused, and
 *    a run afterwards refused (driver and device both);
 *  - trim + CONFIG_CRC recommit, run/stop/poll, the wait hook and timeout;
 *  - the accumulator width: the bits an image's coupling field needs
 *    (lv_fw_image_acc_bits, info.acc_bits) equal emu's lv_cn_acc_bits and a
 *    128-bit reference over images up to ~110 bits; an instance reporting
 *    fewer bits in CAP_ACC_W refuses the load with LV_FW_E_ACC_WIDTH (detail
 *    = the bits needed) and NOTHING written, one with exactly enough loads
 *    it; a device older than VERSION.MINOR 1 counts as 64 bits, CAP_ACC_W
 *    unread. */
#include <stdio.h>
#include <string.h>

#include "coupling_network.h"
#include "device.h"
#include "device_loader.h"
#include "fw_test_image.h"
#include "lv_fw.h"
#include "lv_fw_emu.h"
#include "lv_regs.h"
#include "test_util.h"

/* ---- a counting / fault-injecting HAL around the emulator backend ---------- */

typedef struct {
    lv_fw_hal inner;
    unsigned reads, writes;
    uint32_t cap_max_n;     /* non-zero: CAP_MAX_N reads this (a smaller instance) */
    long drop_wdata_after;  /* >= 0: MEM_WDATA writes after this many are lost */
    long wdata;
    uint32_t cap_acc_w;     /* non-zero: CAP_ACC_W reads this (a narrower instance) */
    uint32_t version;       /* non-zero: VERSION reads this (an older device) */
    unsigned acc_w_reads;   /* reads of CAP_ACC_W */
} count_hal;

static uint32_t c_read(void *ctx, uint32_t off)
{
    count_hal *c = ctx;
    c->reads++;
    uint32_t v = c->inner.read32(c->inner.ctx, off);
    if (off == LV_REG_CAP_MAX_N_OFFSET && c->cap_max_n) v = c->cap_max_n;
    if (off == LV_REG_CAP_ACC_W_OFFSET) {
        c->acc_w_reads++;
        if (c->cap_acc_w) v = c->cap_acc_w;
    }
    if (off == LV_REG_VERSION_OFFSET && c->version) v = c->version;
    return v;
}
static void c_write(void *ctx, uint32_t off, uint32_t v)
{
    count_hal *c = ctx;
    c->writes++;
    if (off == LV_REG_MEM_WDATA_OFFSET && c->drop_wdata_after >= 0 && c->wdata++ >= c->drop_wdata_after) return;
    c->inner.write32(c->inner.ctx, off, v);
}
static int c_wait(void *ctx)
{
    count_hal *c = ctx;
    return c->inner.wait(c->inner.ctx);
}

typedef struct {
    lv_dev_mmio *m;
    lv_fw_emu emu;
    count_hal ch;
    lv_fw_dev dev;
} rig;

static int rig_open(rig *r)
{
    lv_error err = {{0}};
    memset(r, 0, sizeof *r);
    r->m = lv_dev_mmio_create(NULL, &err);
    if (!r->m) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    r->emu.m = r->m;
    r->emu.step_ticks = 16;
    lv_fw_emu_hal(&r->ch.inner, &r->emu);
    r->ch.drop_wdata_after = -1;
    lv_fw_hal hal = {c_read, c_write, c_wait, &r->ch};
    if (lv_fw_init(&r->dev, &hal) != LV_FW_OK || lv_fw_probe(&r->dev) != LV_FW_OK) return -1;
    return 0;
}
static void rig_close(rig *r) { lv_dev_mmio_free(r->m); }

#define RRD(R) lv_dev_mmio_read32(r.m, LV_REG_##R##_OFFSET)

/* ---- images -------------------------------------------------------------- */

static int encode(const fw_spec *sp, uint64_t seed, const char *meta, lv_dev_image *img, uint8_t **buf, size_t *len)
{
    lv_error err = {{0}};
    if (fw_build_image(img, sp, seed)) return -1;
    if (lv_dev_image_encode(img, meta, buf, len, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    return 0;
}

static lv_fw_result load_buf(rig *r, const uint8_t *b, size_t n)
{
    lv_fw_image_src src;
    lv_fw_membuf mb;
    lv_fw_src_buffer(&src, &mb, b, n);
    return lv_fw_load(&r->dev, &src);
}

/* ---- basics ----------------------------------------------------------------- */

static void test_basics(void)
{
    const uint8_t s[] = "123456789";
    CHECK(lv_fw_crc32_update(0, s, 9) == 0xCBF43926u);
    CHECK(lv_fw_crc32_word(0, 0x04030201u) == fw_crc((const uint8_t *)"\x01\x02\x03\x04", 4));
    for (int i = 0; i < LV_FW_RESULT_COUNT; ++i) {
        const char *msg = lv_fw_strerror((lv_fw_result)i);
        CHECK_MSG(msg && strcmp(msg, "unknown result code") != 0 && strlen(msg) > 5, "result %d has no message", i);
        for (int j = 0; j < i; ++j) CHECK(strcmp(msg, lv_fw_strerror((lv_fw_result)j)) != 0);
    }
    CHECK(strcmp(lv_fw_strerror(LV_FW_RESULT_COUNT), "unknown result code") == 0);
    CHECK(strcmp(lv_fw_dev_err_name(LV_REG_ERR_CODE_CODE_NOT_LOADED), "NOT_LOADED") == 0);

    lv_fw_dev d;
    lv_fw_hal bad = {0};
    CHECK(lv_fw_init(&d, &bad) == LV_FW_E_BAD_ARG);
    rig r;
    CHECK(rig_open(&r) == 0);
    CHECK(r.dev.probed && r.dev.cap_max_n == LV_PARAM_MAX_N && r.dev.cap_max_m == LV_PARAM_MAX_M);
    CHECK(r.dev.cap_acc_w == 64 && r.ch.acc_w_reads == 1 && LV_FIELD_GET(r.dev.version, VERSION, MINOR) >= 1);
    CHECK(r.ch.writes == 0); /* probing only reads */
    /* Not loaded: runs refused by the driver, with no START written. */
    lv_fw_run_cfg rc = {1, 0, 10, 1, 0};
    CHECK(lv_fw_run_start(&r.dev, &rc) == LV_FW_E_NOT_LOADED);
    lv_fw_meters mt;
    CHECK(lv_fw_generate(&r.dev, 1, 10, 10, NULL, 0, &mt) == LV_FW_E_NOT_LOADED);
    CHECK(r.ch.writes == 0);
    rig_close(&r);

    /* A bus that does not reach the device / another register MAJOR. */
    lv_dev_mmio *m = lv_dev_mmio_create(NULL, NULL);
    lv_fw_emu emu = {m, 0};
    lv_fw_hal h;
    lv_fw_emu_hal(&h, &emu);
    count_hal ch = {h, 0, 0, 0, -1, 0, 0, 0, 0};
    lv_fw_hal hc = {c_read, c_write, c_wait, &ch};
    CHECK(lv_fw_init(&d, &hc) == LV_FW_OK);
    lv_fw_image_src src;
    lv_fw_membuf mb;
    lv_fw_src_buffer(&src, &mb, "", 0);
    CHECK(lv_fw_load(&d, &src) == LV_FW_E_NOT_PROBED);
    lv_dev_mmio_free(m);
}

static uint32_t zero_read(void *ctx, uint32_t off)
{
    (void)ctx;
    return off == LV_REG_ID_OFFSET ? LV_REG_ID_MAGIC_RESVAL : off == LV_REG_VERSION_OFFSET ? 0x00020000u : 0;
}
static void null_write(void *ctx, uint32_t off, uint32_t v) { (void)ctx, (void)off, (void)v; }
static uint32_t garbage_read(void *ctx, uint32_t off) { return (void)ctx, off * 0x01010101u; }

static void test_probe_refusals(void)
{
    lv_fw_dev d;
    lv_fw_hal h1 = {zero_read, null_write, NULL, NULL};
    CHECK(lv_fw_init(&d, &h1) == LV_FW_OK);
    CHECK(lv_fw_probe(&d) == LV_FW_E_REG_VERSION && d.detail == 0x00020000u && !d.probed);
    lv_fw_hal h2 = {garbage_read, null_write, NULL, NULL};
    CHECK(lv_fw_init(&d, &h2) == LV_FW_OK);
    CHECK(lv_fw_probe(&d) == LV_FW_E_NO_DEVICE && !d.probed);
}

/* ---- round trips and equivalence ------------------------------------------------ */

typedef struct {
    int32_t x[64];
    lv_dev_regs r;
    uint32_t tick;
} ref_out;

static int reference(const lv_dev_image *img, uint64_t seed, uint32_t teq, uint32_t trun, ref_out *o)
{
    lv_error err = {{0}};
    lv_dev *d = lv_dev_create(img, NULL, 1, &err);
    int rc = !d || lv_dev_reset(d, &seed, 1, 0, &err) || lv_dev_run(d, 0, teq, 0, &err) ||
             lv_dev_run(d, 1, trun, 1, &err);
    if (rc) {
        fprintf(stderr, "reference: %s\n", err.msg);
        lv_dev_free(d);
        return -1;
    }
    memcpy(o->x, lv_dev_state(d), (size_t)(img->nv + img->nh) * sizeof(int32_t));
    lv_dev_regs_get(d, 0, &o->r);
    o->tick = lv_dev_tick(d);
    lv_dev_free(d);
    return 0;
}

static void check_generate(const char *what, const fw_spec *sp)
{
    lv_dev_image img;
    uint8_t *buf = NULL;
    size_t len = 0;
    CHECK(encode(sp, 42, "{\"test\":\"firmware\"}", &img, &buf, &len) == 0);
    rig r;
    CHECK(rig_open(&r) == 0);
    lv_fw_result res = load_buf(&r, buf, len);
    CHECK_MSG(res == LV_FW_OK, "%s: load: %s", what, lv_fw_strerror(res));
    CHECK(RRD(STATUS) & LV_REG_STATUS_IMAGE_VALID_MASK);
    CHECK(r.dev.nv == (uint32_t)img.nv && r.dev.nh == (uint32_t)img.nh && r.dev.ticks_eq == img.ticks_eq &&
          r.dev.ticks_run == img.ticks_run && r.dev.colour_a == img.colour_a);

    /* Read-back round trip of every memory against the image. */
    const uint32_t n = (uint32_t)(img.nv + img.nh);
    int bad = 0;
    lv_dev_mmio_write32(r.m, LV_REG_MEM_SEL_OFFSET, LV_MEM_COUPLINGS_ID);
    lv_dev_mmio_write32(r.m, LV_REG_MEM_ADDR_OFFSET, 0);
    for (size_t k = 0; k < img.m; ++k)
        if ((int32_t)RRD(MEM_RDATA) != img.c[k]) BULK_FAIL(bad, "coupling %zu", k);
    lv_dev_mmio_write32(r.m, LV_REG_MEM_SEL_OFFSET, LV_MEM_BIAS_ID);
    lv_dev_mmio_write32(r.m, LV_REG_MEM_ADDR_OFFSET, 0);
    for (uint32_t k = 0; k < n; ++k)
        if ((int32_t)RRD(MEM_RDATA) != img.cb[k]) BULK_FAIL(bad, "bias %u", k);
    lv_dev_mmio_write32(r.m, LV_REG_MEM_SEL_OFFSET, LV_MEM_ROW_EXP_ID);
    lv_dev_mmio_write32(r.m, LV_REG_MEM_ADDR_OFFSET, 0);
    for (size_t k = 0; k < img.n_rows; ++k)
        if ((int32_t)RRD(MEM_RDATA) != img.ej[k]) BULK_FAIL(bad, "row exp %zu", k);
    CHECK(RRD(GAIN) == img.gain && RRD(K) == img.k && RRD(COLOUR_A) == img.colour_a);
    CHECK(bad == 0);

    const uint64_t seed = 0x0123456789ABCDEFull;
    ref_out ref;
    CHECK(reference(&img, seed, img.ticks_eq, img.ticks_run, &ref) == 0);
    int32_t x[64];
    lv_fw_meters mt;
    res = lv_fw_generate(&r.dev, seed, img.ticks_eq, img.ticks_run, x, 64, &mt);
    CHECK_MSG(res == LV_FW_OK, "%s: generate: %s (ERR_CODE %s)", what, lv_fw_strerror(res),
              lv_fw_dev_err_name(r.dev.dev_err));
    CHECK_MSG(memcmp(x, ref.x, n * sizeof(int32_t)) == 0, "%s: state differs from lv_dev_run", what);
    CHECK_MSG(mt.v0 == ref.r.v0 && mt.v == ref.r.v && mt.q == ref.r.q, "%s: V0/V/Q differ from lv_dev_run", what);
    CHECK_MSG(mt.sat_state == ref.r.sat_state && mt.sat_force == ref.r.sat_force, "%s: counters %u/%u vs %u/%u",
              what, mt.sat_state, mt.sat_force, ref.r.sat_state, ref.r.sat_force);
    CHECK(mt.tick == ref.tick && mt.tick == img.ticks_eq + img.ticks_run);
    if (sp->offset == 0) CHECK_MSG(mt.v0 != mt.v && mt.q != 0, "%s: no dynamics", what);
    else CHECK_MSG(mt.sat_state > 0 && mt.sat_force > 0, "%s: nothing saturated", what);

    /* The host reference loader + generate on a second emulated device. */
    lv_error err = {{0}};
    lv_dev_mmio *m2 = lv_dev_mmio_create(NULL, &err);
    lv_dev_mmio_gen_result g;
    int32_t x2[64];
    CHECK(m2 && lv_dev_mmio_load_image(m2, &img, &err) == 0);
    CHECK_MSG(lv_dev_mmio_generate(m2, seed, img.ticks_eq, img.ticks_run, x2, 64, &g, &err) == 0, "%s", err.msg);
    CHECK(memcmp(x, x2, n * sizeof(int32_t)) == 0 && g.v0 == mt.v0 && g.v == mt.v && g.q == mt.q &&
          g.tick == mt.tick && g.sat_state == mt.sat_state && g.sat_force == mt.sat_force);
    lv_dev_mmio_free(m2);

    /* Visible / hidden slices of STATE. */
    int32_t vis[64], hid[64];
    CHECK(lv_fw_read_state(&r.dev, 0, vis, (uint32_t)img.nv) == LV_FW_OK);
    CHECK(lv_fw_read_state(&r.dev, (uint32_t)img.nv, hid, (uint32_t)img.nh) == LV_FW_OK);
    CHECK(memcmp(vis, x, (size_t)img.nv * 4) == 0 && memcmp(hid, x + img.nv, (size_t)img.nh * 4) == 0);
    CHECK(lv_fw_read_state(&r.dev, 1, vis, n) == LV_FW_E_BAD_ARG);
    CHECK(lv_fw_generate(&r.dev, seed, 1, 1, x, n - 1, &mt) == LV_FW_E_BUF_SMALL);
    CHECK(lv_fw_generate(&r.dev, seed, 0xffffffffu, 1, NULL, 0, &mt) == LV_FW_E_TICKS);

    /* A second trajectory on the same loaded device. */
    CHECK(reference(&img, seed + 1, img.ticks_eq, img.ticks_run, &ref) == 0);
    CHECK(lv_fw_generate(&r.dev, seed + 1, img.ticks_eq, img.ticks_run, x, 64, &mt) == LV_FW_OK);
    CHECK(memcmp(x, ref.x, n * sizeof(int32_t)) == 0 && mt.q == ref.r.q && mt.v0 == ref.r.v0);
    printf("  %s: %zu bytes, V0 = %.5f, V = %.5f, Q = %.5f, SAT = %u/%u\n", what, len, ldexp((double)mt.v0, -32),
           ldexp((double)mt.v, -32), ldexp((double)mt.q, -32), mt.sat_state, mt.sat_force);
    rig_close(&r);
    free(buf);
    lv_dev_image_free(&img);
}

static void test_generate(void)
{
    fw_spec sp = fw_spec_default();
    check_generate("white, nv = 12, nh = 7", &sp);
    fw_spec col = sp;
    col.a = 16384;
    check_generate("coloured a = 0.5", &col);
    fw_spec vv = sp;
    vv.vv = 1;
    vv.nv = 6;
    check_generate("visible-visible block", &vv);
    fw_spec sat = sp;
    sat.wx = 8;
    sat.fx = 4;
    sat.wf = 16;
    sat.ff = 8;
    sat.kT = 2.0;
    sat.offset = 3 << 16;
    check_generate("saturating", &sat);
}

/* ---- corruption: each class refused with its code, nothing written ------------------------ */

static void expect_refused(const char *what, const uint8_t *b, size_t n, lv_fw_result want, uint32_t cap_n,
                           int check_detail, uint32_t detail)
{
    rig r;
    if (rig_open(&r)) {
        CHECK(0);
        return;
    }
    r.ch.cap_max_n = cap_n;
    if (cap_n) CHECK(lv_fw_probe(&r.dev) == LV_FW_OK);
    r.ch.writes = 0;
    lv_fw_result got = load_buf(&r, b, n);
    CHECK_MSG(got == want, "%s: got %d (%s), want %d (%s)", what, got, lv_fw_strerror(got), want,
              lv_fw_strerror(want));
    CHECK_MSG(r.ch.writes == 0, "%s: %u register writes before the refusal", what, r.ch.writes);
    if (check_detail) CHECK_MSG(r.dev.detail == detail, "%s: detail %u, want %u", what, r.dev.detail, detail);
    CHECK(!(RRD(STATUS) & LV_REG_STATUS_IMAGE_VALID_MASK));
    rig_close(&r);
}

static void test_corruption(void)
{
    fw_spec sp = fw_spec_default();
    lv_dev_image img;
    uint8_t *good = NULL;
    size_t len = 0;
    CHECK(encode(&sp, 7, "{\"k\":1}", &img, &good, &len) == 0);
    uint8_t *b = malloc(len + 16);
    const uint32_t ns = fw_rd32(good + 24), head = 164 + 32 * ns;
    CHECK(ns == 5);
    {
        rig r;
        CHECK(rig_open(&r) == 0 && load_buf(&r, good, len) == LV_FW_OK);
        rig_close(&r);
    }
#define RESET() memcpy(b, good, len)

    /* A bit flip in each section. */
    for (uint32_t i = 0; i < ns; ++i) {
        RESET();
        size_t off = fw_sec_off(b, (int)i), sl = fw_sec_len(b, (int)i);
        b[off + sl / 2] ^= 0x10;
        char what[64];
        uint32_t type = fw_rd32(b + 160 + 32 * i);
        snprintf(what, sizeof what, "bit flip in section type %u", type);
        expect_refused(what, b, len, LV_FW_E_IMG_SECTION_CRC, 0, 1, type);
    }
    /* Header, section table, head CRC, file CRC. */
    RESET();
    b[33] ^= 0x01;
    expect_refused("bit flip in the header", b, len, LV_FW_E_IMG_HEAD_CRC, 0, 0, 0);
    RESET();
    b[160 + 32 + 16] ^= 0x01;
    expect_refused("bit flip in the section table", b, len, LV_FW_E_IMG_HEAD_CRC, 0, 0, 0);
    RESET();
    b[len - 1] ^= 0x80;
    expect_refused("bit flip in the file CRC", b, len, LV_FW_E_IMG_FILE_CRC, 0, 0, 0);
    /* Padding (after ROW_EXPONENTS, n_rows = 19 bytes), resealed. */
    RESET();
    {
        size_t pad = fw_sec_off(b, 1) + fw_sec_len(b, 1);
        CHECK(pad % 8 != 0);
        b[pad] = 0xAA;
        fw_reseal(b, len);
        expect_refused("non-zero padding", b, len, LV_FW_E_IMG_PADDING, 0, 0, 0);
    }
    /* Truncation and trailing bytes. */
    size_t cuts[] = {len - 1, len - 4, len / 2, head, 159, 100, 11, 5, 0};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; ++i) {
        char what[64];
        snprintf(what, sizeof what, "truncated to %zu bytes", cuts[i]);
        expect_refused(what, good, cuts[i], LV_FW_E_IMG_TRUNCATED, 0, 0, 0);
    }
    RESET();
    memset(b + len, 0, 16);
    expect_refused("8 trailing bytes", b, len + 8, LV_FW_E_IMG_TRAILING, 0, 0, 0);
    /* Magic, version (resealed: the version check is what refuses). */
    RESET();
    b[0] = 'X';
    expect_refused("wrong magic", b, len, LV_FW_E_IMG_MAGIC, 0, 0, 0);
    RESET();
    fw_wr32(b + 8, 2);
    fw_reseal(b, len);
    expect_refused("version 2", b, len, LV_FW_E_IMG_VERSION, 0, 1, 2);
    /* Dimensions: nv that does not give m; too many units; too big for the device. */
    RESET();
    fw_wr32(b + 32, (uint32_t)sp.nv + 1);
    fw_reseal(b, len);
    expect_refused("nv + 1 (m does not follow)", b, len, LV_FW_E_IMG_DIMS, 0, 0, 0);
    RESET();
    fw_wr32(b + 36, 4096);
    fw_reseal(b, len);
    expect_refused("nv + nh > MAX_N", b, len, LV_FW_E_IMG_DIMS, 0, 0, 0);
    expect_refused("19 units on a 16-unit instance", good, len, LV_FW_E_CAPACITY, 16, 0, 0);
    /* Flags, reserved fields. */
    RESET();
    b[28] |= 0x02;
    fw_reseal(b, len);
    expect_refused("undefined flag bit", b, len, LV_FW_E_IMG_HEADER, 0, 0, 0);
    RESET();
    b[92] = 1;
    fw_reseal(b, len);
    expect_refused("reserved field", b, len, LV_FW_E_IMG_HEADER, 0, 0, 0);
    /* Section table layout. */
    RESET();
    fw_wr32(b + 160 + 32 * 4 + 8, fw_rd32(b + 160 + 32 * 4 + 8) + 8);
    fw_reseal(b, len);
    expect_refused("section offset off the layout", b, len, LV_FW_E_IMG_LAYOUT, 0, 0, 0);
    /* Formats. */
    RESET();
    b[52] = 40; /* Wx */
    fw_reseal(b, len);
    expect_refused("Wx = 40", b, len, LV_FW_E_IMG_FORMAT, 0, 0, 0);
    RESET();
    b[82] ^= 1; /* colour_c no longer matches a */
    fw_reseal(b, len);
    expect_refused("colour_c inconsistent", b, len, LV_FW_E_IMG_FORMAT, 0, 0, 0);
    /* Physical parameters: NaN, negative, inf, j2 not encoding J2. */
    const struct {
        uint32_t at;
        uint64_t bits;
        const char *what;
    } phys[] = {
        {112, 0x7ff8000000000000ull, "kT = NaN"},     {96, 0x7ff8000000000001ull, "J2 = NaN"},
        {120, 0xbff0000000000000ull, "mu = -1"},      {128, 0x0000000000000000ull, "dt = 0"},
        {136, 0x7ff0000000000000ull, "tf = +inf"},    {96, 0x4000000000000000ull, "J2 = 2, j2 = 1.0"},
        {104, 0x3ff0010000000000ull, "J4 off by 16 LSB"},
    };
    for (size_t i = 0; i < sizeof phys / sizeof phys[0]; ++i) {
        RESET();
        fw_wr32(b + phys[i].at, (uint32_t)phys[i].bits);
        fw_wr32(b + phys[i].at + 4, (uint32_t)(phys[i].bits >> 32));
        fw_reseal(b, len);
        expect_refused(phys[i].what, b, len, LV_FW_E_IMG_PHYSICS, 0, 0, 0);
    }
    /* A J2 within one LSB is accepted (pass 1 only). */
    RESET();
    fw_wr32(b + 96, 0x00000001u); /* 1.0 + 2^-52 */
    fw_reseal(b, len);
    {
        lv_fw_dev d;
        lv_fw_hal h = {zero_read, null_write, NULL, NULL};
        lv_fw_image_src src;
        lv_fw_membuf mb;
        lv_fw_src_buffer(&src, &mb, b, len);
        CHECK(lv_fw_init(&d, &h) == LV_FW_OK && lv_fw_image_check(&d, &src, NULL) == LV_FW_OK);
    }
    /* Codes outside their bits / exponent range (CRCs valid). */
    RESET();
    b[fw_sec_off(b, 0) + 2] = 0x80; /* coupling 1 = -128 with BJ = 8 */
    b[fw_sec_off(b, 0) + 3] = 0xff;
    fw_reseal(b, len);
    expect_refused("coupling code -128 (BJ = 8)", b, len, LV_FW_E_IMG_CODE_RANGE, 0, 1, 1);
    RESET();
    b[fw_sec_off(b, 1) + 3] = 48;
    fw_reseal(b, len);
    expect_refused("row exponent 48", b, len, LV_FW_E_IMG_CODE_RANGE, 0, 1, 2);
    RESET();
    fw_wr32(b + fw_sec_off(b, 2) + 8, 40000); /* > 2^15 - 1 with Bb = 16 */
    fw_reseal(b, len);
    expect_refused("bias code 40000 (Bb = 16)", b, len, LV_FW_E_IMG_CODE_RANGE, 0, 1, 3);
    RESET();
    b[fw_sec_off(b, 3) + 1] = (uint8_t)-17;
    fw_reseal(b, len);
    expect_refused("bias exponent -17", b, len, LV_FW_E_IMG_CODE_RANGE, 0, 1, 4);
#undef RESET
    free(b);
    free(good);
    lv_dev_image_free(&img);
}

/* ---- interrupted loads ------------------------------------------------------------------ */

typedef struct {
    lv_fw_membuf mb;
    count_hal *ch;      /* pass 2 has started once it has seen a write */
    uint32_t fail_from; /* in pass 2, reads at or past this offset fail */
    int flip;           /* instead of failing, flip a bit there */
} flaky;

static int flaky_read(void *ctx, uint32_t off, uint8_t *buf, uint32_t n)
{
    flaky *f = ctx;
    if (off > f->mb.len || n > f->mb.len - off) return -1;
    memcpy(buf, f->mb.data + off, n);
    if (f->ch->writes > 0 && off + n > f->fail_from) {
        if (!f->flip) return -1;
        if (off <= f->fail_from) buf[f->fail_from - off] ^= 1;
    }
    return 0;
}

static void test_interrupted(void)
{
    fw_spec sp = fw_spec_default();
    lv_dev_image img;
    uint8_t *good = NULL;
    size_t len = 0;
    CHECK(encode(&sp, 11, NULL, &img, &good, &len) == 0);
    const uint32_t half = (uint32_t)(fw_sec_off(good, 0) + fw_sec_len(good, 0) / 2);

    for (int variant = 0; variant < 3; ++variant) {
        rig r;
        CHECK(rig_open(&r) == 0);
        /* A complete image first: an interrupted reload must not leave it runnable. */
        CHECK(load_buf(&r, good, len) == LV_FW_OK);
        r.ch.writes = 0;
        lv_fw_result got;
        const char *what;
        if (variant < 2) {
            flaky f = {{good, len}, &r.ch, half, variant};
            lv_fw_image_src src = {flaky_read, &f, (uint32_t)len, 0};
            got = lv_fw_load(&r.dev, &src);
            what = variant ? "source changed between passes" : "source failed after half the couplings";
            CHECK_MSG(got == (variant ? LV_FW_E_IMG_CHANGED : LV_FW_E_IMG_READ), "%s: %s", what,
                      lv_fw_strerror(got));
            /* It did stop in the couplings: the config was committed, no memory was. */
            CHECK((RRD(LOAD_STATE) & 0x1f) == 0 && (RRD(LOAD_STATE) & LV_REG_LOAD_STATE_CONFIG_MASK));
        } else {
            what = "bus lost MEM_WDATA words after half the couplings";
            r.ch.drop_wdata_after = (long)img.m / 2;
            got = load_buf(&r, good, len);
            CHECK_MSG(got == LV_FW_E_DEV_STREAM && r.dev.detail == LV_MEM_COUPLINGS_ID, "%s: %s", what,
                      lv_fw_strerror(got));
            r.ch.drop_wdata_after = -1;
        }
        CHECK_MSG(!(RRD(STATUS) & LV_REG_STATUS_IMAGE_VALID_MASK), "%s: image still valid", what);
        /* The driver refuses to run; forcing START, the device refuses too. */
        lv_fw_run_cfg rc = {5, 0, 10, 1, 0};
        CHECK(lv_fw_run_start(&r.dev, &rc) == LV_FW_E_NOT_LOADED);
        lv_fw_meters mt;
        CHECK(lv_fw_generate(&r.dev, 5, 10, 10, NULL, 0, &mt) == LV_FW_E_NOT_LOADED);
        lv_dev_mmio_write32(r.m, LV_REG_CTRL_OFFSET, LV_REG_CTRL_START_MASK | LV_REG_CTRL_COUPLE_MASK);
        CHECK(!(RRD(STATUS) & LV_REG_STATUS_BUSY_MASK) &&
              LV_FIELD_GET(RRD(ERR_CODE), ERR_CODE, CODE) == LV_REG_ERR_CODE_CODE_NOT_LOADED);
        /* A full reload recovers. */
        CHECK(load_buf(&r, good, len) == LV_FW_OK);
        CHECK(lv_fw_generate(&r.dev, 5, 10, 10, NULL, 0, &mt) == LV_FW_OK);
        rig_close(&r);
    }
    free(good);
    lv_dev_image_free(&img);
}

/* ---- runs: trim, poll, stop, wait hook, timeout ---------------------------------------------- */

static int abort_wait(void *ctx) { return (void)ctx, 1; }

static void test_runs(void)
{
    fw_spec sp = fw_spec_default();
    lv_dev_image img;
    uint8_t *buf = NULL;
    size_t len = 0;
    CHECK(encode(&sp, 3, NULL, &img, &buf, &len) == 0);
    rig r;
    CHECK(rig_open(&r) == 0 && load_buf(&r, buf, len) == LV_FW_OK);

    /* Trim: GAIN / OFFSET rewritten and CONFIG_CRC recommitted; still valid. */
    CHECK(lv_fw_trim(&r.dev, img.gain + 100, -5) == LV_FW_OK);
    CHECK(RRD(GAIN) == img.gain + 100 && RRD(OFFSET) == (uint32_t)-5);
    CHECK(RRD(STATUS) & LV_REG_STATUS_IMAGE_VALID_MASK);

    /* A run, polled by hand (step 16 ticks per wait call). */
    lv_fw_run_cfg rc = {9, 0, 100, 1, 0};
    CHECK(lv_fw_run_start(&r.dev, &rc) == LV_FW_OK);
    int busy = 0;
    CHECK(lv_fw_run_poll(&r.dev, &busy) == LV_FW_OK && busy);
    CHECK(lv_fw_run_start(&r.dev, &rc) == LV_FW_E_BUSY);
    CHECK(lv_fw_trim(&r.dev, img.gain, 0) == LV_FW_E_BUSY);
    /* STOP ends it after the current tick. */
    lv_dev_mmio_step(r.m, 10);
    CHECK(lv_fw_run_stop(&r.dev) == LV_FW_OK);
    CHECK(lv_fw_run_wait(&r.dev) == LV_FW_OK);
    lv_fw_meters mt;
    CHECK(lv_fw_read_meters(&r.dev, &mt) == LV_FW_OK && mt.tick == 10);

    /* Timeout and an aborting wait hook. */
    rc.ticks = 1000;
    CHECK(lv_fw_run_start(&r.dev, &rc) == LV_FW_OK);
    r.dev.max_polls = 3;
    CHECK(lv_fw_run_wait(&r.dev) == LV_FW_E_TIMEOUT);
    r.dev.max_polls = 0;
    lv_fw_hal saved = r.dev.hal;
    r.dev.hal.wait = abort_wait;
    CHECK(lv_fw_run_wait(&r.dev) == LV_FW_E_WAIT_ABORTED);
    r.dev.hal = saved;
    CHECK(lv_fw_run_wait(&r.dev) == LV_FW_OK);
    CHECK(lv_fw_read_meters(&r.dev, &mt) == LV_FW_OK && mt.tick == 1000);

    /* A device error surfaces with its ERR_CODE: a load register write while busy. */
    CHECK(lv_fw_run_start(&r.dev, &rc) == LV_FW_OK);
    lv_dev_mmio_write32(r.m, LV_REG_J2_OFFSET, 1);
    CHECK(lv_fw_run_poll(&r.dev, &busy) == LV_FW_E_DEV_ERROR && r.dev.dev_err == LV_REG_ERR_CODE_CODE_BUSY);
    CHECK(lv_fw_run_stop(&r.dev) == LV_FW_OK);
    rig_close(&r);
    free(buf);
    lv_dev_image_free(&img);
}

/* ---- accumulator width (CAP_ACC_W) ------------------------------------------------ */

/* The bits an encoded image needs, from the driver (an unprobed handle: no
 * capacity check) through info.acc_bits and lv_fw_image_acc_bits. */
static int fw_bits(const uint8_t *b, size_t len, uint32_t *bits)
{
    rig r;
    if (rig_open(&r)) return -1;
    lv_fw_dev u;
    lv_fw_hal hal = {c_read, c_write, c_wait, &r.ch};
    lv_fw_image_src src;
    lv_fw_membuf mb;
    lv_fw_image_info info;
    uint32_t again = 0;
    lv_fw_src_buffer(&src, &mb, b, len);
    int rc = lv_fw_init(&u, &hal) != LV_FW_OK || lv_fw_image_check(&u, &src, &info) != LV_FW_OK ||
             lv_fw_image_acc_bits(&src, &info, &again) != LV_FW_OK || again != info.acc_bits;
    *bits = info.acc_bits;
    /* Arguments the check cannot have produced. */
    lv_fw_image_info bad = info;
    bad.m++;
    rc |= lv_fw_image_acc_bits(&src, &bad, &again) != LV_FW_E_BAD_ARG ||
          lv_fw_image_acc_bits(NULL, &info, &again) != LV_FW_E_BAD_ARG;
    rig_close(&r);
    return rc ? -1 : 0;
}

/* Load with CAP_ACC_W reading cap (0: the device's own 64) and VERSION
 * reading version (0: its own). */
static lv_fw_result load_with_acc_w(const uint8_t *b, size_t len, uint32_t cap, uint32_t version, rig *r)
{
    if (rig_open(r)) return LV_FW_E_BAD_ARG;
    r->ch.cap_acc_w = cap;
    r->ch.version = version;
    r->ch.acc_w_reads = 0;
    if (lv_fw_probe(&r->dev) != LV_FW_OK) return LV_FW_E_NOT_PROBED;
    r->ch.writes = 0;
    return load_buf(r, b, len);
}

static void test_acc_width(void)
{
    CHECK(strstr(lv_fw_strerror(LV_FW_E_ACC_WIDTH), "CAP_ACC_W") != NULL);
    /* The bound three ways, over shapes, exponent spreads and code widths. */
    int n_cmp = 0, n_emu = 0, lo = 1000, hi = 0;
    for (int t = 0; t < 48; ++t) {
        uint64_t s = 77u + (uint64_t)t * 1013u;
        fw_spec sp = fw_spec_default();
        sp.nv = 1 + (int)(fw_splitmix(&s) % 14);
        sp.nh = (int)(fw_splitmix(&s) % 10);
        sp.vv = (int)(fw_splitmix(&s) & 1);
        if (sp.nh == 0 && (!sp.vv || sp.nv < 2)) sp.nh = 1; /* at least one coupling */
        sp.wx = 8 + (int)(fw_splitmix(&s) % 25);
        sp.fx = sp.wx - 2 < 20 ? sp.wx - 2 : 20;
        lv_dev_image img;
        CHECK(fw_build_image(&img, &sp, s) == 0);
        if (t % 3 == 1) /* 16-bit codes */
            for (size_t k = 0; k < img.m; ++k) img.c[k] = (int16_t)(img.c[k] * 256);
        if (t % 3 == 1) img.bj = 16;
        if (t % 4 == 2) /* a wide spread: some rows far below E */
            for (size_t r0 = 0; r0 < img.n_rows; ++r0)
                if (fw_splitmix(&s) & 1) img.ej[r0] = (int8_t)(-16 + (int)(fw_splitmix(&s) % 8));
        if (t % 4 == 3) fw_tune_acc_bits(&img, 30 + (int)(fw_splitmix(&s) % 35));
        if (t % 8 == 5) { /* the widest spread: one row at 47, the rest at -16 (beyond 96 bits) */
            int i0, j0, cnt, top = 0;
            for (size_t r0 = 0; r0 < img.n_rows; ++r0) {
                fw_row_geom(&img, r0, &i0, &j0, &cnt);
                img.ej[r0] = (int8_t)(cnt > 0 && !top ? 47 : -16);
                top |= cnt > 0;
            }
        }
        uint8_t *buf = NULL;
        size_t len = 0;
        lv_error err = {{0}};
        CHECK(lv_dev_image_encode(&img, NULL, &buf, &len, &err) == 0);
        uint32_t fb = 0;
        const int ref = fw_ref_acc_bits(&img);
        CHECK_MSG(fw_bits(buf, len, &fb) == 0 && (int)fb == ref, "image %d: driver %u bits, reference %d", t, fb,
                  ref);
        lv_coupling_net *cn = NULL; /* refuses the image when the bound (+ rounding) reaches 2^63 */
        if (lv_cn_create(&cn, &img, 0, 0, 0, 1, LV_CN_INT64, &err) == 0) {
            CHECK_MSG(lv_cn_acc_bits(cn) == ref, "image %d: emu %d bits, reference %d", t, lv_cn_acc_bits(cn), ref);
            lv_cn_free(cn);
            n_emu++;
        }
        n_cmp++;
        lo = ref < lo ? ref : lo;
        hi = ref > hi ? ref : hi;
        /* The device's width decides: one bit short refused, exactly enough loaded. */
        if (t % 6 == 0 && ref <= 64) {
            rig r;
            lv_fw_result res = load_with_acc_w(buf, len, (uint32_t)ref - 1u, 0, &r);
            CHECK_MSG(res == LV_FW_E_ACC_WIDTH && r.dev.detail == (uint32_t)ref &&
                          r.dev.cap_acc_w == (uint32_t)ref - 1u,
                      "image %d on a %d-bit instance: %s (detail %u)", t, ref - 1, lv_fw_strerror(res), r.dev.detail);
            CHECK_MSG(r.ch.writes == 0, "image %d: %u register writes before the refusal", t, r.ch.writes);
            CHECK(!(RRD(STATUS) & LV_REG_STATUS_IMAGE_VALID_MASK) && r.ch.acc_w_reads == 1);
            rig_close(&r);
            res = load_with_acc_w(buf, len, (uint32_t)ref, 0, &r);
            CHECK_MSG(res == LV_FW_OK && (RRD(STATUS) & LV_REG_STATUS_IMAGE_VALID_MASK),
                      "image %d on a %d-bit instance: %s", t, ref, lv_fw_strerror(res));
            rig_close(&r);
        }
        if (ref > 64) { /* refused by the 64-bit emulated device itself */
            rig r;
            lv_fw_result res = load_with_acc_w(buf, len, 0, 0, &r);
            CHECK_MSG(res == LV_FW_E_ACC_WIDTH && r.dev.detail == (uint32_t)ref && r.ch.writes == 0,
                      "image %d (%d bits) on the emulator: %s", t, ref, lv_fw_strerror(res));
            rig_close(&r);
        }
        free(buf);
        lv_dev_image_free(&img);
    }
    printf("  accumulator bits: driver = 128-bit reference on %d images (%d..%d bits), = emu on the %d it accepts\n",
           n_cmp, lo, hi, n_emu);
    CHECK(lo <= 40 && hi > 96 && n_emu > n_cmp / 2);

    /* A device older than VERSION.MINOR 1: 64 bits, CAP_ACC_W not read (it
     * would say 1 here), so a 60-bit image loads. */
    fw_spec sp = fw_spec_default();
    lv_dev_image img;
    CHECK(fw_build_image(&img, &sp, 5) == 0);
    CHECK(fw_tune_acc_bits(&img, 60) == 60);
    uint8_t *buf = NULL;
    size_t len = 0;
    lv_error err = {{0}};
    CHECK(lv_dev_image_encode(&img, NULL, &buf, &len, &err) == 0);
    rig r;
    const uint32_t v10 = LV_FIELD_PREP(VERSION, MAJOR, LV_REG_VERSION_MAJOR_RESVAL);
    lv_fw_result res = load_with_acc_w(buf, len, 1, v10, &r);
    CHECK_MSG(res == LV_FW_OK && r.dev.cap_acc_w == 64 && r.ch.acc_w_reads == 0, "MINOR 0 device: %s, %u bits",
              lv_fw_strerror(res), r.dev.cap_acc_w);
    rig_close(&r);
    res = load_with_acc_w(buf, len, 59, 0, &r);
    CHECK(res == LV_FW_E_ACC_WIDTH && r.dev.detail == 60 && r.ch.writes == 0);
    printf("  a 60-bit image on a 59-bit instance: %s (needs %u, has %u)\n", lv_fw_strerror(res), r.dev.detail,
           r.dev.cap_acc_w);
    rig_close(&r);
    free(buf);
    lv_dev_image_free(&img);
}

int main(void)
{
    test_basics();
    test_probe_refusals();
    test_generate();
    test_corruption();
    test_interrupted();
    test_runs();
    test_acc_width();
    return lv_test_report("firmware/test_fw_emu");
}
