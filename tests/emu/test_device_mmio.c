/* test_device_mmio.c - the emulated device's register interface
 * (emu/src/device_mmio.h) and the register-level loader (device_loader.h).
 *
 *  - reset values of every register (fresh and after SOFT_RESET), unmapped,
 *    unaligned and out-of-window accesses;
 *  - access types: ro (writes ignored), rw (reserved bits read 0), w1c
 *    (STATUS.DONE / ERROR; ERR_CODE keeps the first error), wo (MEM_WDATA
 *    and the CTRL commands read 0); the memory port (auto-increment,
 *    sign extension from the code width, MEM_DEPTH / MEM_WIDTH, running
 *    CRC-32 and LOAD_COUNT, restart on MEM_SEL / MEM_ADDR);
 *  - load through the registers, then the two-phase protocol, gives the
 *    bits of lv_dev_create / lv_dev_reset / lv_dev_run on the same image and
 *    seed (state, V0, V, Q, TICK, counters): ideal, coloured noise, mismatch
 *    instance, visible-visible block, saturating;
 *  - integrity: an interrupted load, a config register rewritten after the
 *    commit, a memory rewritten after its commit, a stream not starting at
 *    0 leave IMAGE_VALID clear and START refused with NOT_LOADED; a
 *    corrupted word gives LOAD_CRC; CONFIG_RANGE, CONFIG_CRC,
 *    LOAD_NO_CONFIG; out-of-range MEM_ADDR and unknown MEM_SEL give
 *    MEM_RANGE; recommitting CONFIG_CRC after a GAIN trim revalidates;
 *  - runs: BUSY while started, writes refused with BUSY, STATE readable,
 *    STOP, continuation from TICK (colour filter kept), step granularity
 *    does not change a bit, the 64-bit LO-then-HI latch, a polling driver
 *    with poll_ticks, TICKS = 0, the 32-bit TICK wrap, images the core
 *    refuses at START (IMAGE_RANGE). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "device.h"
#include "device_loader.h"
#include "device_mmio.h"
#include "lv_regs.h"
#include "noise_dac.h"
#include "emu_test_util.h"
#include "../firmware/fw_test_image.h"

#define RD(R) lv_dev_mmio_read32(m, LV_REG_##R##_OFFSET)
#define WR(R, v) lv_dev_mmio_write32(m, LV_REG_##R##_OFFSET, (uint32_t)(v))
#define ERRC() LV_FIELD_GET(RD(ERR_CODE), ERR_CODE, CODE)
#define CLEAR_ERR() WR(STATUS, LV_REG_STATUS_ERROR_MASK)
#define VALID() ((RD(STATUS) & LV_REG_STATUS_IMAGE_VALID_MASK) != 0)
#define BUSY() ((RD(STATUS) & LV_REG_STATUS_BUSY_MASK) != 0)

/* ---- images ---------------------------------------------------------------- */

/* Random small images (couplings U(-0.4, 0.4) on 8 bits with per-row
 * exponents, biases U(-0.5, 0.5) on 16 bits): the builder the firmware tests
 * share, so the emulator and the driver are tested on the same images. */
typedef fw_spec spec;
#define spec_default fw_spec_default
#define build_image fw_build_image

/* The words of memory `id` of img (sign-extended), malloc'ed; *n = count. */
static uint32_t *image_words(const lv_dev_image *img, uint32_t id, size_t *n)
{
    size_t cnt = id == LV_MEM_COUPLINGS_ID ? img->m
                 : id == LV_MEM_ROW_EXP_ID ? img->n_rows
                 : id == LV_MEM_BIAS_ID    ? (size_t)(img->nv + img->nh)
                                           : 2;
    uint32_t *w = malloc((cnt ? cnt : 1) * sizeof *w);
    for (size_t k = 0; k < cnt; ++k)
        w[k] = id == LV_MEM_COUPLINGS_ID ? (uint32_t)(int32_t)img->c[k]
               : id == LV_MEM_ROW_EXP_ID ? (uint32_t)(int32_t)img->ej[k]
               : id == LV_MEM_BIAS_ID    ? (uint32_t)img->cb[k]
                                         : (uint32_t)(int32_t)img->eb[k];
    *n = cnt;
    return w;
}

static uint32_t crc_words(const uint32_t *w, size_t n)
{
    uLong c = crc32(0L, Z_NULL, 0);
    for (size_t k = 0; k < n; ++k) {
        unsigned char b[4] = {(unsigned char)w[k], (unsigned char)(w[k] >> 8), (unsigned char)(w[k] >> 16),
                              (unsigned char)(w[k] >> 24)};
        c = crc32(c, b, 4);
    }
    return (uint32_t)c;
}

/* The ten load register values of img, in CONFIG_CRC order. */
static void config_words(const lv_dev_image *img, uint32_t cfg[10])
{
    cfg[0] = LV_FIELD_PREP(CFG_DIMS, NV, img->nv) | LV_FIELD_PREP(CFG_DIMS, NH, img->nh) |
             LV_FIELD_PREP(CFG_DIMS, VV, img->vv);
    cfg[1] = LV_FIELD_PREP(CFG_FMT_X, WX, img->wx) | LV_FIELD_PREP(CFG_FMT_X, FX, img->fx) |
             LV_FIELD_PREP(CFG_FMT_X, WF, img->wf) | LV_FIELD_PREP(CFG_FMT_X, FF, img->ff);
    cfg[2] = LV_FIELD_PREP(CFG_FMT_C, BJ, img->bj) | LV_FIELD_PREP(CFG_FMT_C, BB, img->bb) |
             LV_FIELD_PREP(CFG_FMT_C, BN, img->bn);
    cfg[3] = (uint32_t)img->j2;
    cfg[4] = (uint32_t)img->j4;
    cfg[5] = img->k;
    cfg[6] = img->gain;
    cfg[7] = (uint32_t)img->offset;
    cfg[8] = img->colour_a;
    cfg[9] = img->colour_c;
}

#define OFF_ROW(R) LV_REG_##R##_OFFSET,
static const uint32_t cfg_off[10] = {LV_CONFIG_CRC_LIST(OFF_ROW)};
#undef OFF_ROW

/* Write the load registers of img and commit them (by hand). */
static void write_config(lv_dev_mmio *m, const lv_dev_image *img)
{
    uint32_t cfg[10];
    config_words(img, cfg);
    for (int i = 0; i < 10; ++i) lv_dev_mmio_write32(m, cfg_off[i], cfg[i]);
    WR(CONFIG_CRC, crc_words(cfg, 10));
}

/* Stream words[0..n) into memory id from address addr0 and commit with crc. */
static void stream(lv_dev_mmio *m, uint32_t id, uint32_t addr0, const uint32_t *w, size_t n, uint32_t crc)
{
    WR(MEM_SEL, id);
    WR(MEM_ADDR, addr0);
    for (size_t k = 0; k < n; ++k) WR(MEM_WDATA, w[k]);
    WR(LOAD_CRC, crc);
}

static void load_all_by_hand(lv_dev_mmio *m, const lv_dev_image *img)
{
    WR(CTRL, LV_REG_CTRL_SOFT_RESET_MASK);
    write_config(m, img);
    const uint32_t ids[4] = {LV_MEM_COUPLINGS_ID, LV_MEM_ROW_EXP_ID, LV_MEM_BIAS_ID, LV_MEM_BIAS_EXP_ID};
    for (int i = 0; i < 4; ++i) {
        size_t n;
        uint32_t *w = image_words(img, ids[i], &n);
        stream(m, ids[i], 0, w, n, crc_words(w, n));
        free(w);
    }
}

static lv_dev_mmio *new_dev(const lv_dev_mmio_opts *o)
{
    lv_error err = {{0}};
    lv_dev_mmio *m = lv_dev_mmio_create(o, &err);
    CHECK_MSG(m != NULL, "%s", err.msg);
    return m;
}

static lv_dev_mmio *loaded_dev(const lv_dev_image *img, const lv_dev_mmio_opts *o)
{
    lv_dev_mmio *m = new_dev(o);
    if (!m) return NULL;
    lv_error err = {{0}};
    int rc = lv_dev_mmio_load_image(m, img, &err);
    CHECK_MSG(rc == 0, "%s", err.msg);
    if (rc) {
        lv_dev_mmio_free(m);
        return NULL;
    }
    return m;
}

/* ---- reset values and access types --------------------------------------- */

typedef struct {
    const char *name;
    uint32_t offset, resval;
} reg_info;
#define REG_ROW(R) {#R, LV_REG_##R##_OFFSET, LV_REG_##R##_RESVAL},
static const reg_info regs[] = {LV_REG_LIST(REG_ROW)};
#undef REG_ROW
#define N_REGS (sizeof regs / sizeof regs[0])

static uint32_t field_mask(uint32_t off)
{
    uint32_t mask = 0;
#define FM(R, F) \
    if (LV_REG_##R##_OFFSET == off) mask |= LV_REG_##R##_##F##_MASK;
    LV_REG_FIELD_LIST(FM)
#undef FM
    return mask;
}

/* Every register at its reset value (MEM_RDATA only when memories are 0). */
static int check_resets(lv_dev_mmio *m, int with_rdata, const char *when)
{
    int bad = 0;
    for (size_t i = 0; i < N_REGS; ++i) {
        if (regs[i].offset == LV_REG_MEM_RDATA_OFFSET && !with_rdata) continue;
        uint32_t v = lv_dev_mmio_read32(m, regs[i].offset);
        if (v != regs[i].resval) {
            fprintf(stderr, "  %s: %s = 0x%08x, reset value 0x%08x\n", when, regs[i].name, (unsigned)v,
                    (unsigned)regs[i].resval);
            ++bad;
        }
    }
    return bad;
}

static void test_reset_values(const lv_dev_image *img)
{
    lv_dev_mmio *m = new_dev(NULL);
    if (!m) return;
    CHECK(check_resets(m, 1, "fresh device") == 0);
    CHECK(RD(ID) == 0x4C414E47u); /* "LANG": the one number the map states in prose */
    /* Unmapped, unaligned and out-of-window accesses read 0, writes do nothing. */
    const uint32_t odd[] = {0x02C, 0x058, 0x0FC, 0xFFC, LV_REG_ID_OFFSET + 1, LV_REG_J2_OFFSET + 2,
                            LV_REGS_ADDR_BYTES, LV_REGS_ADDR_BYTES + LV_REG_J2_OFFSET};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; ++i) {
        lv_dev_mmio_write32(m, odd[i], 0xFFFFFFFFu);
        CHECK_MSG(lv_dev_mmio_read32(m, odd[i]) == 0, "offset 0x%x", (unsigned)odd[i]);
    }
    CHECK(RD(MEM_ADDR) == 1); /* the MEM_RDATA read of the sweep moved it */
    WR(MEM_ADDR, 0);
    CHECK(check_resets(m, 1, "after stray writes") == 0);
    /* After a load and a run, SOFT_RESET returns every register to reset and
     * zeroes STATE (the other memories are undefined: MEM_RDATA skipped). */
    lv_error err = {{0}};
    CHECK_MSG(lv_dev_mmio_load_image(m, img, &err) == 0, "%s", err.msg);
    lv_dev_mmio_gen_result res;
    CHECK_MSG(lv_dev_mmio_generate(m, 9, 20, 20, NULL, 0, &res, &err) == 0, "%s", err.msg);
    WR(SEED_LO, 5);
    WR(TICKS, 100);
    WR(CTRL, LV_REG_CTRL_COUPLE_MASK | LV_REG_CTRL_START_MASK);
    lv_dev_mmio_step(m, 3);
    CHECK(BUSY());
    (void)RD(V0_LO);
    WR(CTRL, LV_REG_CTRL_SOFT_RESET_MASK); /* also stops the run */
    CHECK(check_resets(m, 0, "after SOFT_RESET") == 0);
    WR(MEM_SEL, LV_MEM_STATE_ID);
    int nz = 0;
    for (int i = 0; i < img->nv + img->nh; ++i) nz += RD(MEM_RDATA) != 0;
    CHECK(nz == 0);
    lv_dev_mmio_free(m);
}

static void test_access_types(void)
{
    lv_dev_mmio *m = new_dev(NULL);
    if (!m) return;
    /* ro registers: writes ignored. */
    const uint32_t ro[] = {LV_REG_ID_OFFSET, LV_REG_VERSION_OFFSET, LV_REG_CAP_MAX_N_OFFSET, LV_REG_CAP_MAX_M_OFFSET,
                           LV_REG_CAP_ACC_W_OFFSET, LV_REG_ERR_CODE_OFFSET, LV_REG_TICK_OFFSET, LV_REG_V0_LO_OFFSET,
                           LV_REG_V0_HI_OFFSET, LV_REG_V_LO_OFFSET, LV_REG_V_HI_OFFSET, LV_REG_Q_LO_OFFSET,
                           LV_REG_Q_HI_OFFSET, LV_REG_SAT_STATE_OFFSET, LV_REG_SAT_FORCE_OFFSET,
                           LV_REG_LOAD_CRC_CALC_OFFSET, LV_REG_LOAD_COUNT_OFFSET, LV_REG_LOAD_STATE_OFFSET,
                           LV_REG_MEM_DEPTH_OFFSET, LV_REG_MEM_WIDTH_OFFSET};
    for (size_t i = 0; i < sizeof ro / sizeof ro[0]; ++i) {
        uint32_t before = lv_dev_mmio_read32(m, ro[i]);
        lv_dev_mmio_write32(m, ro[i], ~before);
        CHECK_MSG(lv_dev_mmio_read32(m, ro[i]) == before, "ro register at 0x%03x changed", (unsigned)ro[i]);
    }
    CHECK(RD(CAP_MAX_N) == LV_PARAM_MAX_N && RD(CAP_MAX_M) == LV_PARAM_MAX_M);
    CHECK(RD(CAP_ACC_W) == 64); /* the int64 field of §10 */
    /* rw registers: all-ones reads back the field bits, zero reads 0. */
    const uint32_t rw[] = {LV_REG_CFG_DIMS_OFFSET, LV_REG_CFG_FMT_X_OFFSET, LV_REG_CFG_FMT_C_OFFSET,
                           LV_REG_J2_OFFSET,       LV_REG_J4_OFFSET,        LV_REG_K_OFFSET,
                           LV_REG_GAIN_OFFSET,     LV_REG_OFFSET_OFFSET,    LV_REG_COLOUR_A_OFFSET,
                           LV_REG_COLOUR_C_OFFSET, LV_REG_SEED_LO_OFFSET,   LV_REG_SEED_HI_OFFSET,
                           LV_REG_TICKS_OFFSET,    LV_REG_TICK0_OFFSET,     LV_REG_MEM_SEL_OFFSET,
                           LV_REG_MEM_ADDR_OFFSET};
    for (size_t i = 0; i < sizeof rw / sizeof rw[0]; ++i) {
        lv_dev_mmio_write32(m, rw[i], 0xFFFFFFFFu);
        uint32_t ones = lv_dev_mmio_read32(m, rw[i]);
        lv_dev_mmio_write32(m, rw[i], 0);
        uint32_t zero = lv_dev_mmio_read32(m, rw[i]);
        CHECK_MSG(ones == field_mask(rw[i]) && zero == 0, "rw register at 0x%03x: ones 0x%08x (fields 0x%08x), zero 0x%08x",
                  (unsigned)rw[i], (unsigned)ones, (unsigned)field_mask(rw[i]), (unsigned)zero);
    }
    CHECK(ERRC() == LV_REG_ERR_CODE_CODE_NONE);
    /* CONFIG_CRC and LOAD_CRC are rw (they read back the last value) but
     * writing them commits: with this garbage configuration both fail. */
    WR(CONFIG_CRC, 0x12345678);
    CHECK(RD(CONFIG_CRC) == 0x12345678 && ERRC() == LV_REG_ERR_CODE_CODE_CONFIG_RANGE);
    CHECK((RD(LOAD_STATE) & LV_REG_LOAD_STATE_CONFIG_MASK) == 0);
    CLEAR_ERR();
    WR(LOAD_CRC, 0xCAFEF00D);
    CHECK(RD(LOAD_CRC) == 0xCAFEF00D && ERRC() == LV_REG_ERR_CODE_CODE_LOAD_NO_CONFIG);
    CLEAR_ERR();
    /* CTRL: levels read back, commands read 0. */
    WR(CTRL, LV_REG_CTRL_COUPLE_MASK | LV_REG_CTRL_COLOUR_EN_MASK | LV_REG_CTRL_STOP_MASK | 0xFFFF0000u);
    CHECK(RD(CTRL) == (LV_REG_CTRL_COUPLE_MASK | LV_REG_CTRL_COLOUR_EN_MASK));
    CHECK(RD(STATUS) == 0); /* STOP while idle does nothing */
    /* w1c: STATUS.ERROR and ERR_CODE, first error kept. */
    WR(CTRL, LV_REG_CTRL_START_MASK);
    CHECK(RD(CTRL) == 0 && ERRC() == LV_REG_ERR_CODE_CODE_NOT_LOADED);
    CHECK(RD(STATUS) == LV_REG_STATUS_ERROR_MASK);
    CHECK(strstr(lv_dev_mmio_error_message(m), "IMAGE_VALID") != NULL);
    WR(STATUS, ~LV_REG_STATUS_ERROR_MASK); /* writing 0 to ERROR, 1 to the others */
    CHECK(RD(STATUS) == LV_REG_STATUS_ERROR_MASK && ERRC() == LV_REG_ERR_CODE_CODE_NOT_LOADED);
    WR(MEM_SEL, 6); /* names no memory */
    WR(MEM_WDATA, 1);
    CHECK(ERRC() == LV_REG_ERR_CODE_CODE_NOT_LOADED); /* the first error stays */
    CLEAR_ERR();
    CHECK(RD(STATUS) == 0 && ERRC() == 0 && lv_dev_mmio_error_message(m)[0] == '\0');
    /* The memory port: MEM_DEPTH / MEM_WIDTH per memory, unknown id 0. */
#define MEM_CHECK(M)                                                                    \
    WR(MEM_SEL, LV_MEM_##M##_ID);                                                        \
    CHECK_MSG(RD(MEM_DEPTH) == LV_MEM_##M##_DEPTH && RD(MEM_WIDTH) == LV_MEM_##M##_WIDTH, \
              "memory %s: depth %u, width %u", #M, (unsigned)RD(MEM_DEPTH), (unsigned)RD(MEM_WIDTH));
    LV_MEM_LIST(MEM_CHECK)
#undef MEM_CHECK
    WR(MEM_SEL, 7);
    CHECK(RD(MEM_DEPTH) == 0 && RD(MEM_WIDTH) == 0 && RD(MEM_SEL) == 7);
    /* wo: MEM_WDATA reads 0; auto-increment; sign extension from the code
     * width (reset CFG_FMT_C: BJ = 8, Bb = 16; the rw sweep left it 0). */
    WR(CFG_FMT_C, LV_REG_CFG_FMT_C_RESVAL);
    WR(MEM_SEL, LV_MEM_COUPLINGS_ID);
    WR(MEM_ADDR, 0);
    const uint32_t cw[3] = {0xFFu, 0x17Fu, 0xFFFFFF81u};
    for (int k = 0; k < 3; ++k) WR(MEM_WDATA, cw[k]);
    CHECK(RD(MEM_WDATA) == 0 && RD(MEM_ADDR) == 3 && RD(LOAD_COUNT) == 3);
    CHECK(RD(LOAD_CRC_CALC) == crc_words(cw, 3));
    CHECK(RD(LOAD_STATE) == 0);
    WR(MEM_ADDR, 0);
    CHECK(RD(LOAD_COUNT) == 0 && RD(LOAD_CRC_CALC) == 0); /* MEM_ADDR restarts the stream */
    CHECK(RD(MEM_RDATA) == 0xFFFFFFFFu && RD(MEM_RDATA) == 127u && RD(MEM_RDATA) == 0xFFFFFF81u);
    CHECK(RD(MEM_ADDR) == 3 && RD(LOAD_COUNT) == 0); /* reads move the address, not the count */
    WR(MEM_ADDR, 0);
    WR(MEM_WDATA, 5);
    WR(MEM_SEL, LV_MEM_COUPLINGS_ID);
    CHECK(RD(LOAD_COUNT) == 0 && RD(LOAD_CRC_CALC) == 0 && RD(MEM_ADDR) == 1); /* MEM_SEL restarts it too */
    WR(MEM_SEL, LV_MEM_BIAS_ID);
    WR(MEM_ADDR, 10);
    WR(MEM_WDATA, 0x00008000u); /* Bb = 16: -32768 */
    WR(MEM_WDATA, 0xABC07FFFu); /* low 16 bits: 32767 */
    WR(MEM_SEL, LV_MEM_ROW_EXP_ID);
    WR(MEM_ADDR, 0);
    WR(MEM_WDATA, 0x80u);
    WR(MEM_SEL, LV_MEM_STATE_ID);
    WR(MEM_ADDR, 0);
    WR(MEM_WDATA, 0x89ABCDEFu); /* 32 bits */
    WR(MEM_SEL, LV_MEM_BIAS_ID);
    WR(MEM_ADDR, 10);
    CHECK(RD(MEM_RDATA) == 0xFFFF8000u && RD(MEM_RDATA) == 0x7FFFu);
    WR(MEM_SEL, LV_MEM_ROW_EXP_ID);
    WR(MEM_ADDR, 0);
    CHECK(RD(MEM_RDATA) == 0xFFFFFF80u);
    WR(MEM_SEL, LV_MEM_STATE_ID);
    WR(MEM_ADDR, 0);
    CHECK(RD(MEM_RDATA) == 0x89ABCDEFu);
    /* A wider BJ widens what COUPLINGS keeps. */
    WR(CFG_FMT_C, LV_FIELD_PREP(CFG_FMT_C, BJ, 12) | LV_FIELD_PREP(CFG_FMT_C, BB, 16) | LV_FIELD_PREP(CFG_FMT_C, BN, 14));
    WR(MEM_SEL, LV_MEM_COUPLINGS_ID);
    WR(MEM_ADDR, 0);
    WR(MEM_WDATA, 0x17Fu);
    WR(MEM_ADDR, 0);
    CHECK(RD(MEM_RDATA) == 0x17Fu);
    CHECK(ERRC() == 0);
    lv_dev_mmio_free(m);
}

/* ---- equivalence with the core ------------------------------------------------ */

typedef struct {
    int32_t x[64];
    lv_dev_regs r;
    uint32_t tick;
} ref_out;

static int reference(const lv_dev_image *img, const lv_dev_instance *inst, uint64_t seed, uint32_t teq, uint32_t trun,
                     ref_out *o)
{
    lv_error err = {{0}};
    lv_dev *d = lv_dev_create(img, inst, 1, &err);
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

static void check_equivalence(const char *what, const spec *sp, const lv_dev_instance *inst, int by_hand)
{
    lv_dev_image img;
    CHECK(build_image(&img, sp, 42) == 0);
    const uint32_t teq = 60, trun = 90;
    const uint64_t seed = 0x0123456789ABCDEFull;
    ref_out ref;
    CHECK(reference(&img, inst, seed, teq, trun, &ref) == 0);
    lv_dev_mmio_opts o = {inst, 0};
    lv_dev_mmio *m;
    if (by_hand) {
        m = new_dev(&o);
        if (m) load_all_by_hand(m, &img);
        CHECK(m && VALID() && ERRC() == 0);
    } else {
        m = loaded_dev(&img, &o);
    }
    if (!m) {
        lv_dev_image_free(&img);
        return;
    }
    lv_error err = {{0}};
    lv_dev_mmio_gen_result res;
    int32_t x[64];
    CHECK_MSG(lv_dev_mmio_generate(m, seed, teq, trun, x, 64, &res, &err) == 0, "%s: %s", what, err.msg);
    const int n = img.nv + img.nh;
    int moved = 0;
    for (int i = 0; i < n; ++i) moved += x[i] != 0;
    CHECK_MSG(memcmp(x, ref.x, (size_t)n * sizeof(int32_t)) == 0 && moved > n / 2, "%s: state differs", what);
    CHECK_MSG(res.v0 == ref.r.v0 && res.v == ref.r.v && res.q == ref.r.q, "%s: V0 %lld/%lld V %lld/%lld Q %lld/%lld",
              what, (long long)res.v0, (long long)ref.r.v0, (long long)res.v, (long long)ref.r.v, (long long)res.q,
              (long long)ref.r.q);
    CHECK_MSG(res.sat_state == ref.r.sat_state && res.sat_force == ref.r.sat_force,
              "%s: SAT_STATE %u/%u SAT_FORCE %u/%u", what, res.sat_state, ref.r.sat_state, res.sat_force,
              ref.r.sat_force);
    CHECK_MSG(res.tick == ref.tick && res.tick == teq + trun, "%s: TICK %u, reference %u", what, res.tick, ref.tick);
    CHECK(res.nv == img.nv && res.nh == img.nh);
    if (sp->offset == 0) CHECK_MSG(res.v0 != res.v && res.q != 0, "%s: no dynamics", what);
    else CHECK_MSG(res.sat_state > 0 && res.sat_force > 0, "%s: nothing saturated", what);
    /* A second trajectory on the same loaded device (STATE is re-zeroed). */
    CHECK(reference(&img, inst, seed + 1, teq, trun, &ref) == 0);
    CHECK_MSG(lv_dev_mmio_generate(m, seed + 1, teq, trun, x, 64, &res, &err) == 0, "%s: %s", what, err.msg);
    CHECK_MSG(memcmp(x, ref.x, (size_t)n * sizeof(int32_t)) == 0 && res.q == ref.r.q && res.v0 == ref.r.v0,
              "%s: second trajectory differs", what);
    printf("  %s: V0 = %.5f, V = %.5f, Q = %.5f, SAT_STATE = %u, SAT_FORCE = %u\n", what, ldexp((double)res.v0, -32),
           ldexp((double)res.v, -32), ldexp((double)res.q, -32), res.sat_state, res.sat_force);
    lv_dev_mmio_free(m);
    lv_dev_image_free(&img);
}

static void test_equivalence(void)
{
    spec sp = spec_default();
    check_equivalence("ideal, nv = 12, nh = 7", &sp, NULL, 0);
    check_equivalence("ideal, loaded by hand", &sp, NULL, 1);
    lv_dev_instance inst = {.seed = 0xFEEDull, .sm = 3277};
    check_equivalence("mismatch instance Sm = 0.05", &sp, &inst, 0);
    spec col = sp;
    col.a = 16384;
    check_equivalence("coloured noise a = 0.5", &col, NULL, 0);
    spec vv = sp;
    vv.vv = 1;
    vv.nv = 6;
    check_equivalence("visible-visible block", &vv, NULL, 0);
    /* Wx = 8, Fx = 4 (|x| <= 127/16) and Wf = 16, Ff = 8 (|g| <= 128, so the
     * force saturates beyond |x| = 2.4, where the drift is at most 2 LSB a
     * tick): an offset of 3 LSB a tick and 1 LSB of noise push the state
     * to its limit, so both counters count. */
    spec sat = sp;
    sat.wx = 8;
    sat.fx = 4;
    sat.wf = 16;
    sat.ff = 8;
    sat.kT = 2.0;
    sat.offset = 3 << 16;
    check_equivalence("saturating", &sat, NULL, 0);
}

/* ---- load integrity --------------------------------------------------------- */

static void expect_not_loaded(lv_dev_mmio *m, const char *what)
{
    CLEAR_ERR();
    CHECK_MSG(!VALID(), "%s: IMAGE_VALID set", what);
    WR(CTRL, LV_REG_CTRL_START_MASK);
    CHECK_MSG(!BUSY() && ERRC() == LV_REG_ERR_CODE_CODE_NOT_LOADED, "%s: START not refused (ERR_CODE %u)", what,
              (unsigned)ERRC());
    CLEAR_ERR();
}

static void test_load_integrity(const lv_dev_image *img)
{
    lv_dev_mmio *m = new_dev(NULL);
    if (!m) return;
    size_t nc, nr, nb, ne;
    uint32_t *wc = image_words(img, LV_MEM_COUPLINGS_ID, &nc), *wr = image_words(img, LV_MEM_ROW_EXP_ID, &nr);
    uint32_t *wb = image_words(img, LV_MEM_BIAS_ID, &nb), *we = image_words(img, LV_MEM_BIAS_EXP_ID, &ne);
    const uint32_t cc = crc_words(wc, nc);

    /* Memory commit before the configuration. */
    stream(m, LV_MEM_COUPLINGS_ID, 0, wc, nc, cc);
    CHECK(ERRC() == LV_REG_ERR_CODE_CODE_LOAD_NO_CONFIG && RD(LOAD_STATE) == 0);
    CLEAR_ERR();
    /* Configuration errors. */
    uint32_t cfg[10];
    config_words(img, cfg);
    for (int i = 0; i < 10; ++i) lv_dev_mmio_write32(m, cfg_off[i], cfg[i]);
    WR(CONFIG_CRC, crc_words(cfg, 10) ^ 1u);
    CHECK(ERRC() == LV_REG_ERR_CODE_CODE_CONFIG_CRC && RD(LOAD_STATE) == 0);
    CLEAR_ERR();
    WR(CFG_FMT_X, (cfg[1] & ~LV_REG_CFG_FMT_X_WX_MASK) | LV_FIELD_PREP(CFG_FMT_X, WX, 40));
    uint32_t bad[10];
    memcpy(bad, cfg, sizeof bad);
    bad[1] = RD(CFG_FMT_X);
    WR(CONFIG_CRC, crc_words(bad, 10)); /* right CRC, value out of range */
    CHECK(ERRC() == LV_REG_ERR_CODE_CODE_CONFIG_RANGE && RD(LOAD_STATE) == 0);
    CHECK(strstr(lv_dev_mmio_error_message(m), "WX") != NULL);
    CLEAR_ERR();
    WR(COLOUR_C, 1234); /* does not match COLOUR_A */
    WR(CFG_FMT_X, cfg[1]);
    memcpy(bad, cfg, sizeof bad);
    bad[9] = 1234;
    WR(CONFIG_CRC, crc_words(bad, 10));
    CHECK(ERRC() == LV_REG_ERR_CODE_CODE_CONFIG_RANGE);
    CLEAR_ERR();
    WR(COLOUR_C, cfg[9]);
    WR(CONFIG_CRC, crc_words(cfg, 10));
    CHECK(ERRC() == 0 && RD(LOAD_STATE) == LV_REG_LOAD_STATE_CONFIG_MASK);

    /* Interrupted: half the couplings, then the commit. */
    stream(m, LV_MEM_COUPLINGS_ID, 0, wc, nc / 2, crc_words(wc, nc / 2));
    CHECK(ERRC() == LV_REG_ERR_CODE_CODE_LOAD_COUNT);
    CHECK(strstr(lv_dev_mmio_error_message(m), "interrupted") != NULL);
    CLEAR_ERR();
    /* Interrupted without a commit: the rest of the image is committed. */
    WR(MEM_SEL, LV_MEM_COUPLINGS_ID);
    WR(MEM_ADDR, 0);
    for (size_t k = 0; k < nc / 2; ++k) WR(MEM_WDATA, wc[k]);
    stream(m, LV_MEM_ROW_EXP_ID, 0, wr, nr, crc_words(wr, nr));
    stream(m, LV_MEM_BIAS_ID, 0, wb, nb, crc_words(wb, nb));
    stream(m, LV_MEM_BIAS_EXP_ID, 0, we, ne, crc_words(we, ne));
    CHECK(ERRC() == 0);
    CHECK(RD(LOAD_STATE) == (LV_REG_LOAD_STATE_CONFIG_MASK | LV_REG_LOAD_STATE_ROW_EXP_MASK |
                             LV_REG_LOAD_STATE_BIAS_MASK | LV_REG_LOAD_STATE_BIAS_EXP_MASK));
    expect_not_loaded(m, "couplings interrupted half-way");
    /* A stream that does not start at address 0 (right count and CRC). */
    stream(m, LV_MEM_COUPLINGS_ID, 1, wc, nc, cc);
    CHECK(ERRC() == LV_REG_ERR_CODE_CODE_LOAD_COUNT);
    expect_not_loaded(m, "stream from MEM_ADDR = 1");
    /* A corrupted word: the device's CRC differs from the loader's. */
    uint32_t *wbad = malloc(nc * sizeof *wbad);
    memcpy(wbad, wc, nc * sizeof *wbad);
    wbad[nc / 3] ^= 0x4u;
    stream(m, LV_MEM_COUPLINGS_ID, 0, wbad, nc, cc);
    CHECK(ERRC() == LV_REG_ERR_CODE_CODE_LOAD_CRC && RD(LOAD_CRC_CALC) == crc_words(wbad, nc) &&
          RD(LOAD_CRC_CALC) != cc);
    expect_not_loaded(m, "corrupted coupling word");
    free(wbad);
    /* The right stream completes the image. */
    stream(m, LV_MEM_COUPLINGS_ID, 0, wc, nc, cc);
    CHECK(ERRC() == 0 && VALID());

    /* A config register rewritten after the commit (even with its own
     * value): CONFIG cleared, memories stay; a recommit revalidates
     * (calibration trims GAIN this way). */
    WR(GAIN, cfg[6] + 100);
    CHECK(!VALID() && RD(LOAD_STATE) == (LV_REG_LOAD_STATE_COUPLINGS_MASK | LV_REG_LOAD_STATE_ROW_EXP_MASK |
                                         LV_REG_LOAD_STATE_BIAS_MASK | LV_REG_LOAD_STATE_BIAS_EXP_MASK));
    expect_not_loaded(m, "GAIN rewritten");
    cfg[6] += 100;
    WR(CONFIG_CRC, crc_words(cfg, 10));
    CHECK(ERRC() == 0 && VALID());
    WR(J4, cfg[4]);
    expect_not_loaded(m, "J4 rewritten with its own value");
    WR(CONFIG_CRC, crc_words(cfg, 10));
    CHECK(VALID());
    /* A failed recommit leaves the configuration uncommitted. */
    WR(CONFIG_CRC, 0);
    CHECK(ERRC() == LV_REG_ERR_CODE_CODE_CONFIG_CRC);
    expect_not_loaded(m, "failed CONFIG_CRC recommit");
    WR(CONFIG_CRC, crc_words(cfg, 10));
    CHECK(VALID());
    /* A memory written after its commit. */
    WR(MEM_SEL, LV_MEM_BIAS_ID);
    WR(MEM_ADDR, 3);
    WR(MEM_WDATA, wb[3]);
    CHECK((RD(LOAD_STATE) & LV_REG_LOAD_STATE_BIAS_MASK) == 0);
    expect_not_loaded(m, "BIAS word rewritten");
    stream(m, LV_MEM_BIAS_ID, 0, wb, nb, crc_words(wb, nb));
    CHECK(VALID());
    /* Reading a memory back does not un-commit it. */
    WR(MEM_ADDR, 0);
    for (size_t k = 0; k < nb; ++k) (void)RD(MEM_RDATA);
    CHECK(VALID());
    /* CFG_DIMS (and CFG_FMT_C) clear all of LOAD_STATE. */
    WR(CFG_DIMS, cfg[0]);
    CHECK(RD(LOAD_STATE) == 0);
    expect_not_loaded(m, "CFG_DIMS rewritten");
    load_all_by_hand(m, img);
    CHECK(VALID());
    WR(CFG_FMT_C, cfg[2]);
    CHECK(RD(LOAD_STATE) == 0);
    /* Committing STATE is optional and sets its bit. */
    load_all_by_hand(m, img);
    uint32_t xs[64] = {0};
    xs[0] = 1u << 18;
    const size_t n = (size_t)(img->nv + img->nh);
    stream(m, LV_MEM_STATE_ID, 0, xs, n, crc_words(xs, n));
    CHECK(ERRC() == 0 && (RD(LOAD_STATE) & LV_REG_LOAD_STATE_STATE_MASK) && VALID());
    free(wc);
    free(wr);
    free(wb);
    free(we);
    lv_dev_mmio_free(m);
}

static void test_mem_range(const lv_dev_image *img)
{
    lv_dev_mmio *m = new_dev(NULL);
    if (!m) return;
    WR(MEM_SEL, LV_MEM_BIAS_EXP_ID);
    WR(MEM_ADDR, LV_MEM_BIAS_EXP_DEPTH);
    WR(MEM_WDATA, 3);
    CHECK(ERRC() == LV_REG_ERR_CODE_CODE_MEM_RANGE && RD(LOAD_COUNT) == 0 && RD(MEM_ADDR) == LV_MEM_BIAS_EXP_DEPTH);
    CLEAR_ERR();
    WR(MEM_SEL, LV_MEM_ROW_EXP_ID);
    WR(MEM_ADDR, LV_MEM_ROW_EXP_DEPTH);
    CHECK(RD(MEM_RDATA) == 0 && ERRC() == LV_REG_ERR_CODE_CODE_MEM_RANGE);
    CLEAR_ERR();
    WR(MEM_ADDR, LV_MEM_ROW_EXP_DEPTH - 1); /* the last word is fine */
    WR(MEM_WDATA, 0xF0);
    CHECK(ERRC() == 0);
    WR(MEM_ADDR, LV_MEM_ROW_EXP_DEPTH - 1);
    CHECK(RD(MEM_RDATA) == 0xFFFFFFF0u && ERRC() == 0);
    CHECK(RD(MEM_RDATA) == 0 && ERRC() == LV_REG_ERR_CODE_CODE_MEM_RANGE); /* auto-increment past the end */
    CLEAR_ERR();
    /* COUPLINGS: MEM_DEPTH = 2^23; the word after the last is refused
     * (MEM_ADDR then reads 2^23) instead of wrapping onto word 0. */
    WR(MEM_SEL, LV_MEM_COUPLINGS_ID);
    WR(MEM_ADDR, LV_MEM_COUPLINGS_DEPTH - 1);
    WR(MEM_WDATA, 1);
    CHECK(ERRC() == 0 && RD(LOAD_COUNT) == 1);
    WR(MEM_WDATA, 2);
    CHECK(ERRC() == LV_REG_ERR_CODE_CODE_MEM_RANGE && RD(LOAD_COUNT) == 1);
    CLEAR_ERR();
    WR(MEM_ADDR, 0);
    CHECK(RD(MEM_RDATA) == 0); /* word 0 was not overwritten by a wrap */
    /* Unknown MEM_SEL: reads, writes and commits. */
    write_config(m, img);
    CHECK(ERRC() == 0);
    WR(MEM_SEL, 5);
    (void)RD(MEM_RDATA);
    CHECK(ERRC() == LV_REG_ERR_CODE_CODE_MEM_RANGE);
    CLEAR_ERR();
    WR(LOAD_CRC, 0);
    CHECK(ERRC() == LV_REG_ERR_CODE_CODE_MEM_RANGE && RD(LOAD_STATE) == LV_REG_LOAD_STATE_CONFIG_MASK);
    lv_dev_mmio_free(m);
}

/* ---- runs ------------------------------------------------------------------ */

static void start_run(lv_dev_mmio *m, uint64_t seed, uint32_t tick0, uint32_t ticks, uint32_t ctrl)
{
    WR(SEED_LO, (uint32_t)seed);
    WR(SEED_HI, (uint32_t)(seed >> 32));
    WR(TICK0, tick0);
    WR(TICKS, ticks);
    WR(CTRL, ctrl | LV_REG_CTRL_START_MASK);
}

static void read_state(lv_dev_mmio *m, int32_t *x, int n)
{
    WR(MEM_SEL, LV_MEM_STATE_ID);
    WR(MEM_ADDR, 0);
    for (int i = 0; i < n; ++i) x[i] = (int32_t)RD(MEM_RDATA);
}

static int64_t rd64(lv_dev_mmio *m, uint32_t lo, uint32_t hi)
{
    uint32_t l = lv_dev_mmio_read32(m, lo);
    return (int64_t)(((uint64_t)lv_dev_mmio_read32(m, hi) << 32) | l);
}

static void test_runs(void)
{
    spec sp = spec_default();
    sp.a = 20000; /* coloured: continuation must keep the filter */
    lv_dev_image img;
    CHECK(build_image(&img, &sp, 7) == 0);
    const int n = img.nv + img.nh;
    const uint32_t ctrl = LV_REG_CTRL_COUPLE_MASK | LV_REG_CTRL_COLOUR_EN_MASK;
    const uint64_t seed = 77;
    lv_dev_mmio *m = loaded_dev(&img, NULL), *m2 = loaded_dev(&img, NULL);
    if (!m || !m2) return;

    /* Busy rules. */
    start_run(m, seed, 0, 50, ctrl);
    CHECK(BUSY() && ERRC() == 0 && RD(TICK) == 0);
    CHECK((RD(STATUS) & LV_REG_STATUS_DONE_MASK) == 0);
    const uint32_t j2 = RD(J2);
    WR(J2, j2 + 1);
    CHECK(ERRC() == LV_REG_ERR_CODE_CODE_BUSY && RD(J2) == j2 && VALID());
    CHECK(strstr(lv_dev_mmio_error_message(m), "J2") != NULL);
    CLEAR_ERR();
    WR(MEM_SEL, LV_MEM_COUPLINGS_ID);
    WR(MEM_ADDR, 0);
    WR(MEM_WDATA, 1);
    CHECK(ERRC() == LV_REG_ERR_CODE_CODE_BUSY && RD(LOAD_COUNT) == 0 && VALID());
    CLEAR_ERR();
    (void)RD(MEM_RDATA);
    CHECK(ERRC() == LV_REG_ERR_CODE_CODE_BUSY && RD(MEM_ADDR) == 0);
    CLEAR_ERR();
    WR(MEM_SEL, LV_MEM_STATE_ID);
    WR(MEM_WDATA, 1);
    CHECK(ERRC() == LV_REG_ERR_CODE_CODE_BUSY);
    CLEAR_ERR();
    WR(CTRL, ctrl | LV_REG_CTRL_START_MASK);
    CHECK(ERRC() == LV_REG_ERR_CODE_CODE_BUSY && BUSY());
    CLEAR_ERR();
    /* Progress, STATE readable while running, STOP. */
    CHECK(lv_dev_mmio_step(m, 10) == 10 && RD(TICK) == 10 && BUSY());
    int32_t xa[64], xb[64];
    read_state(m, xa, n);
    CHECK(ERRC() == 0);
    int moved = 0;
    for (int i = 0; i < n; ++i) moved += xa[i] != 0;
    CHECK(moved > n / 2);
    WR(CTRL, ctrl | LV_REG_CTRL_STOP_MASK);
    CHECK(!BUSY() && (RD(STATUS) & LV_REG_STATUS_DONE_MASK) && RD(TICK) == 10);
    CHECK(lv_dev_mmio_step(m, 5) == 0 && RD(TICK) == 10);
    WR(STATUS, LV_REG_STATUS_DONE_MASK);
    CHECK((RD(STATUS) & LV_REG_STATUS_DONE_MASK) == 0);
    /* Continue from TICK: the same bits as one uninterrupted run of 50
     * (state, V; Q and the counters restart at each START). */
    start_run(m, seed, RD(TICK), 40, ctrl);
    CHECK(lv_dev_mmio_step(m, UINT32_MAX) == 40 && !BUSY() && RD(TICK) == 50);
    start_run(m2, seed, 0, 50, ctrl);
    CHECK(lv_dev_mmio_step(m2, UINT32_MAX) == 50);
    read_state(m, xa, n);
    read_state(m2, xb, n);
    CHECK_MSG(memcmp(xa, xb, (size_t)n * sizeof(int32_t)) == 0 &&
                  rd64(m, LV_REG_V_LO_OFFSET, LV_REG_V_HI_OFFSET) == rd64(m2, LV_REG_V_LO_OFFSET, LV_REG_V_HI_OFFSET),
              "a run stopped at tick 10 and continued differs from one run");
    /* The core's own split run gives the Q of the second part. */
    {
        lv_error err = {{0}};
        lv_dev *d = lv_dev_create(&img, NULL, 1, &err);
        lv_dev_regs r10, r;
        CHECK(d && lv_dev_reset(d, &seed, 1, 0, &err) == 0 && lv_dev_run(d, 1, 10, 1, &err) == 0);
        lv_dev_regs_get(d, 0, &r10);
        CHECK(lv_dev_run(d, 1, 40, 1, &err) == 0);
        lv_dev_regs_get(d, 0, &r);
        CHECK(memcmp(lv_dev_state(d), xa, (size_t)n * sizeof(int32_t)) == 0);
        CHECK(rd64(m, LV_REG_Q_LO_OFFSET, LV_REG_Q_HI_OFFSET) == r.q &&
              rd64(m, LV_REG_V0_LO_OFFSET, LV_REG_V0_HI_OFFSET) == r.v0);
        CHECK(RD(SAT_STATE) == r.sat_state - r10.sat_state && RD(SAT_FORCE) == r.sat_force - r10.sat_force);
        lv_dev_free(d);
    }
    /* Step granularity does not change a bit (state, V, Q, counters). */
    WR(MEM_SEL, LV_MEM_STATE_ID);
    WR(MEM_ADDR, 0);
    for (int i = 0; i < n; ++i) WR(MEM_WDATA, 0);
    lv_dev_mmio *m3 = loaded_dev(&img, NULL);
    if (!m3) return;
    start_run(m, seed, 0, 37, ctrl);
    start_run(m3, seed, 0, 37, ctrl);
    for (int k = 0; k < 37; ++k) CHECK(lv_dev_mmio_step(m, 1) == 1);
    CHECK(!BUSY());
    lv_dev_mmio_step(m3, UINT32_MAX);
    read_state(m, xa, n);
    read_state(m3, xb, n);
    CHECK(memcmp(xa, xb, (size_t)n * sizeof(int32_t)) == 0);
#define SAME(R) CHECK_MSG(lv_dev_mmio_read32(m, LV_REG_##R##_OFFSET) == lv_dev_mmio_read32(m3, LV_REG_##R##_OFFSET), #R)
    SAME(V0_LO);
    SAME(V0_HI);
    SAME(V_LO);
    SAME(V_HI);
    SAME(Q_LO);
    SAME(Q_HI);
    SAME(SAT_STATE);
    SAME(SAT_FORCE);
    SAME(TICK);
#undef SAME
    lv_dev_mmio_free(m3);

    /* 64-bit registers: the LO read latches HI.  From x = 2.5 the energy
     * falls by more than 2^32 LSB (one energy unit) per tick. */
    WR(MEM_SEL, LV_MEM_STATE_ID);
    WR(MEM_ADDR, 0);
    for (int i = 0; i < n; ++i) WR(MEM_WDATA, (uint32_t)(5 << (img.fx - 1)));
    start_run(m, seed, 0, 5, ctrl);
    int64_t v_before = rd64(m, LV_REG_V_LO_OFFSET, LV_REG_V_HI_OFFSET);
    CHECK(v_before == rd64(m, LV_REG_V0_LO_OFFSET, LV_REG_V0_HI_OFFSET) && v_before > ((int64_t)1 << 36));
    CHECK(rd64(m, LV_REG_Q_LO_OFFSET, LV_REG_Q_HI_OFFSET) == 0);
    uint32_t lo = RD(V_LO);
    lv_dev_mmio_step(m, 1);
    uint32_t hi = RD(V_HI);
    CHECK((int64_t)(((uint64_t)hi << 32) | lo) == v_before); /* the pair latched before the tick */
    int64_t v_after = rd64(m, LV_REG_V_LO_OFFSET, LV_REG_V_HI_OFFSET);
    CHECK((v_after >> 32) != (v_before >> 32));
    const int64_t q1 = rd64(m, LV_REG_Q_LO_OFFSET, LV_REG_Q_HI_OFFSET);
    lo = RD(Q_LO);
    lv_dev_mmio_step(m, 1);
    hi = RD(Q_HI);
    CHECK((int64_t)(((uint64_t)hi << 32) | lo) == q1);
    const int64_t q2 = rd64(m, LV_REG_Q_LO_OFFSET, LV_REG_Q_HI_OFFSET);
    CHECK(q1 != 0 && (q2 >> 32) != (q1 >> 32));
    /* A HI read without its LO read returns the last latch. */
    CHECK(RD(V_HI) == (uint32_t)((uint64_t)v_after >> 32));
    CHECK(RD(V0_HI) == (uint32_t)((uint64_t)v_before >> 32));
    lv_dev_mmio_step(m, UINT32_MAX);

    /* TICKS = 0 only measures V. */
    start_run(m, seed, 0, 0, ctrl);
    CHECK(BUSY());
    CHECK(lv_dev_mmio_step(m, 100) == 0 && !BUSY() && RD(TICK) == 0);
    CHECK(rd64(m, LV_REG_V_LO_OFFSET, LV_REG_V_HI_OFFSET) == rd64(m, LV_REG_V0_LO_OFFSET, LV_REG_V0_HI_OFFSET));

    /* The 32-bit TICK wraps (the noise counter restarts at 0): white noise
     * here, where the core restart is exact. */
    lv_dev_mmio_free(m2);
    spec wsp = spec_default();
    lv_dev_image wimg;
    CHECK(build_image(&wimg, &wsp, 8) == 0);
    m2 = loaded_dev(&wimg, NULL);
    if (m2) {
        start_run(m2, seed, UINT32_MAX - 1, 5, LV_REG_CTRL_COUPLE_MASK);
        CHECK(lv_dev_mmio_step(m2, UINT32_MAX) == 5 && lv_dev_mmio_read32(m2, LV_REG_TICK_OFFSET) == 3);
        CHECK(LV_FIELD_GET(lv_dev_mmio_read32(m2, LV_REG_ERR_CODE_OFFSET), ERR_CODE, CODE) == 0);
        lv_error err = {{0}};
        lv_dev *d = lv_dev_create(&wimg, NULL, 1, &err);
        lv_dev_regs r1, r2;
        CHECK(d && lv_dev_reset(d, &seed, 1, UINT32_MAX - 1, &err) == 0 && lv_dev_run(d, 1, 2, 1, &err) == 0);
        lv_dev_regs_get(d, 0, &r1);
        int32_t x1[64];
        memcpy(x1, lv_dev_state(d), (size_t)n * sizeof(int32_t));
        CHECK(lv_dev_reset(d, &seed, 1, 0, &err) == 0 && lv_dev_set_state(d, x1, &err) == 0 &&
              lv_dev_run(d, 1, 3, 0, &err) == 0);
        lv_dev_regs_get(d, 0, &r2);
        read_state(m2, xa, n);
        CHECK(memcmp(xa, lv_dev_state(d), (size_t)n * sizeof(int32_t)) == 0);
        CHECK(rd64(m2, LV_REG_Q_LO_OFFSET, LV_REG_Q_HI_OFFSET) == (int64_t)((uint64_t)r1.q + (uint64_t)r2.q));
        CHECK(rd64(m2, LV_REG_V0_LO_OFFSET, LV_REG_V0_HI_OFFSET) == r1.v0);
        lv_dev_free(d);
        lv_dev_mmio_free(m2);
    }
    lv_dev_image_free(&wimg);
    lv_dev_mmio_free(m);
    lv_dev_image_free(&img);
}

/* Calibration: GAIN trimmed after the load and CONFIG_CRC recommitted (over
 * the registers as read back) reaches the core: the run equals the core's
 * on the image with that gain. */
static void test_calibration(const lv_dev_image *img)
{
    lv_dev_mmio *m = loaded_dev(img, NULL);
    if (!m) return;
    const uint64_t seed = 99;
    const int n = img->nv + img->nh;
    lv_dev_mmio_gen_result res;
    lv_error err = {{0}};
    CHECK(lv_dev_mmio_generate(m, seed, 10, 10, NULL, 0, &res, &err) == 0); /* builds the core once */
    lv_dev_image trim = *img;
    trim.gain = img->gain / 3;
    trim.offset = -(5 << 14);
    WR(GAIN, trim.gain);
    WR(OFFSET, (uint32_t)trim.offset);
    uint32_t cfg[10];
    for (int i = 0; i < 10; ++i) cfg[i] = lv_dev_mmio_read32(m, cfg_off[i]);
    WR(CONFIG_CRC, crc_words(cfg, 10));
    CHECK(ERRC() == 0 && VALID());
    int32_t x[64];
    CHECK_MSG(lv_dev_mmio_generate(m, seed, 40, 60, x, 64, &res, &err) == 0, "%s", err.msg);
    ref_out ref;
    CHECK(reference(&trim, NULL, seed, 40, 60, &ref) == 0);
    CHECK(memcmp(x, ref.x, (size_t)n * sizeof(int32_t)) == 0 && res.q == ref.r.q && res.v == ref.r.v);
    lv_dev_mmio_free(m);
}

/* A driver that only polls STATUS (poll_ticks): it sees BUSY, then DONE. */
static void test_polling_driver(const lv_dev_image *img)
{
    lv_dev_mmio_opts o = {NULL, 7};
    lv_dev_mmio *m = loaded_dev(img, &o), *ref = loaded_dev(img, NULL);
    if (!m || !ref) return;
    start_run(m, 3, 0, 50, LV_REG_CTRL_COUPLE_MASK);
    int polls = 0;
    while (RD(STATUS) & LV_REG_STATUS_BUSY_MASK) ++polls;
    CHECK_MSG(polls == 8, "%d polls saw BUSY (50 ticks, 7 per poll)", polls);
    CHECK((RD(STATUS) & LV_REG_STATUS_DONE_MASK) && RD(TICK) == 50);
    start_run(ref, 3, 0, 50, LV_REG_CTRL_COUPLE_MASK);
    lv_dev_mmio_step(ref, UINT32_MAX);
    CHECK(rd64(m, LV_REG_Q_LO_OFFSET, LV_REG_Q_HI_OFFSET) == rd64(ref, LV_REG_Q_LO_OFFSET, LV_REG_Q_HI_OFFSET));
    start_run(m, 3, 0, 0, 0);
    CHECK((RD(STATUS) & LV_REG_STATUS_BUSY_MASK) && !(RD(STATUS) & LV_REG_STATUS_BUSY_MASK));
    /* The loader refuses a busy device. */
    start_run(ref, 3, 0, 10, 0);
    lv_error err = {{0}};
    CHECK(lv_dev_mmio_load_image(ref, img, &err) != 0 && strstr(err.msg, "BUSY") != NULL);
    /* SOFT_RESET stops a run. */
    lv_dev_mmio_write32(ref, LV_REG_CTRL_OFFSET, LV_REG_CTRL_SOFT_RESET_MASK);
    CHECK(lv_dev_mmio_read32(ref, LV_REG_STATUS_OFFSET) == 0);
    lv_dev_mmio_free(m);
    lv_dev_mmio_free(ref);
}

/* Images the committed registers accept but the core refuses at START. */
static void test_core_refusal(const lv_dev_image *img)
{
    lv_dev_mmio *m = loaded_dev(img, NULL);
    if (!m) return;
    /* The most negative 8-bit code (-128) is never a valid coupling. */
    size_t nc;
    uint32_t *wc = image_words(img, LV_MEM_COUPLINGS_ID, &nc);
    wc[0] = 0x80u;
    stream(m, LV_MEM_COUPLINGS_ID, 0, wc, nc, crc_words(wc, nc));
    CHECK(ERRC() == 0 && VALID());
    start_run(m, 1, 0, 10, LV_REG_CTRL_COUPLE_MASK);
    CHECK(!BUSY() && ERRC() == LV_REG_ERR_CODE_CODE_IMAGE_RANGE);
    CHECK(strstr(lv_dev_mmio_error_message(m), "coupling code -128") != NULL);
    printf("  core refusal: %s\n", lv_dev_mmio_error_message(m));
    CLEAR_ERR();
    free(wc);
    /* A STATE word outside the Wx range. */
    lv_error err = {{0}};
    CHECK(lv_dev_mmio_load_image(m, img, &err) == 0);
    WR(MEM_SEL, LV_MEM_STATE_ID);
    WR(MEM_ADDR, 2);
    WR(MEM_WDATA, 1u << (img->wx - 1));
    start_run(m, 1, 0, 10, LV_REG_CTRL_COUPLE_MASK);
    CHECK(!BUSY() && ERRC() == LV_REG_ERR_CODE_CODE_IMAGE_RANGE);
    CHECK(strstr(lv_dev_mmio_error_message(m), "STATE word 2") != NULL);
    CLEAR_ERR();
    /* The loader refuses an invalid image before touching the device. */
    lv_dev_image bad = *img;
    bad.bj = 1;
    CHECK(lv_dev_mmio_load_image(m, &bad, &err) != 0 && strstr(err.msg, "BJ") != NULL);
    CHECK(VALID());
    /* An instance with too large a spread is refused at creation. */
    lv_dev_instance wide = {.seed = 1, .sm = 20000};
    lv_dev_mmio_opts o = {&wide, 0};
    CHECK(lv_dev_mmio_create(&o, &err) == NULL && strstr(err.msg, "Sm = 20000") != NULL);
    lv_dev_mmio_free(m);
}

int main(void)
{
    spec sp = spec_default();
    lv_dev_image img;
    CHECK(build_image(&img, &sp, 1) == 0);
    test_reset_values(&img);
    test_access_types();
    test_equivalence();
    test_load_integrity(&img);
    test_mem_range(&img);
    test_runs();
    test_calibration(&img);
    test_polling_driver(&img);
    test_core_refusal(&img);
    lv_dev_image_free(&img);
    return lv_test_report("test_device_mmio");
}
