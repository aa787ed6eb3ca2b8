/* device_loader.c - load an image and run the two-phase protocol through the
 * register interface only.  See device_loader.h. */
#include "device_loader.h"

#include <string.h>
#include <zlib.h>

#include "device_image_io.h"
#include "lv_regs.h"

#define RD(R) lv_dev_mmio_read32(m, LV_REG_##R##_OFFSET)
#define WR(R, v) lv_dev_mmio_write32(m, LV_REG_##R##_OFFSET, (uint32_t)(v))

/* Ticks advanced per STATUS poll by the helper's own clock. */
#define LV_LOADER_STEP 4096u

static const char *err_name(uint32_t code)
{
    switch (code) {
    case LV_REG_ERR_CODE_CODE_NONE: return "NONE";
    case LV_REG_ERR_CODE_CODE_NOT_LOADED: return "NOT_LOADED";
    case LV_REG_ERR_CODE_CODE_CONFIG_RANGE: return "CONFIG_RANGE";
    case LV_REG_ERR_CODE_CODE_CONFIG_CRC: return "CONFIG_CRC";
    case LV_REG_ERR_CODE_CODE_LOAD_NO_CONFIG: return "LOAD_NO_CONFIG";
    case LV_REG_ERR_CODE_CODE_LOAD_COUNT: return "LOAD_COUNT";
    case LV_REG_ERR_CODE_CODE_LOAD_CRC: return "LOAD_CRC";
    case LV_REG_ERR_CODE_CODE_MEM_RANGE: return "MEM_RANGE";
    case LV_REG_ERR_CODE_CODE_BUSY: return "BUSY";
    default: return "unknown";
    }
}

/* If STATUS.ERROR is set: fail naming the step and ERR_CODE. */
static int check_error(lv_dev_mmio *m, const char *step, lv_error *err)
{
    if (!(RD(STATUS) & LV_REG_STATUS_ERROR_MASK)) return 0;
    uint32_t code = LV_FIELD_GET(RD(ERR_CODE), ERR_CODE, CODE);
    return lv_fail(err, "device refused %s: ERR_CODE = %u (%s): %s", step, (unsigned)code, err_name(code),
                   lv_dev_mmio_error_message(m));
}

static uint32_t crc_word(uint32_t crc, uint32_t w)
{
    const unsigned char b[4] = {(unsigned char)w, (unsigned char)(w >> 8), (unsigned char)(w >> 16),
                                (unsigned char)(w >> 24)};
    return (uint32_t)crc32(crc, b, 4);
}

/* Word k of a memory of img, sign-extended to 32 bits. */
static uint32_t mem_word(const lv_dev_image *img, uint32_t id, size_t k)
{
    switch (id) {
    case LV_MEM_COUPLINGS_ID: return (uint32_t)(int32_t)img->c[k];
    case LV_MEM_ROW_EXP_ID: return (uint32_t)(int32_t)img->ej[k];
    case LV_MEM_BIAS_ID: return (uint32_t)img->cb[k];
    default: return (uint32_t)(int32_t)img->eb[k];
    }
}

static int load_memory(lv_dev_mmio *m, const lv_dev_image *img, uint32_t id, const char *name, size_t words,
                       uint32_t bit, lv_error *err)
{
    WR(MEM_SEL, LV_FIELD_PREP(MEM_SEL, ID, id));
    if (words > RD(MEM_DEPTH))
        return lv_fail(err, "loading %s: %zu words do not fit the device's %u (MEM_DEPTH)", name, words,
                       (unsigned)RD(MEM_DEPTH));
    WR(MEM_ADDR, 0);
    uint32_t crc = 0;
    for (size_t k = 0; k < words; ++k) {
        uint32_t w = mem_word(img, id, k);
        WR(MEM_WDATA, w);
        crc = crc_word(crc, w);
    }
    if (RD(LOAD_COUNT) != words || RD(LOAD_CRC_CALC) != crc) {
        if (check_error(m, "a memory write", err)) return lv_fail_prefix(err, "loading %s", name);
        return lv_fail(err, "loading %s: the device counted %u words with CRC-32 0x%08x, the loader wrote %zu "
                            "with 0x%08x; words were lost or corrupted on the bus",
                       name, (unsigned)RD(LOAD_COUNT), (unsigned)RD(LOAD_CRC_CALC), words, (unsigned)crc);
    }
    WR(LOAD_CRC, crc);
    if (check_error(m, "the LOAD_CRC commit", err)) return lv_fail_prefix(err, "loading %s", name);
    if (!(RD(LOAD_STATE) & bit))
        return lv_fail(err, "loading %s: LOAD_CRC was accepted but LOAD_STATE (0x%03x) does not show the memory "
                            "committed",
                       name, (unsigned)RD(LOAD_STATE));
    /* Read back (MEM_ADDR = 0 restarts the stream counters, not the commit). */
    WR(MEM_ADDR, 0);
    for (size_t k = 0; k < words; ++k) {
        uint32_t got = RD(MEM_RDATA), want = mem_word(img, id, k);
        if (got != want)
            return lv_fail(err, "loading %s: word %zu reads back as 0x%08x, 0x%08x was written (a code outside "
                                "the configured width, or a faulty memory)",
                           name, k, (unsigned)got, (unsigned)want);
    }
    if (check_error(m, "the read-back", err)) return lv_fail_prefix(err, "loading %s", name);
    return 0;
}

int lv_dev_mmio_load_image(lv_dev_mmio *m, const lv_dev_image *img, lv_error *err)
{
    if (!m) return lv_fail(err, "loading an image: no device given (NULL pointer)");
    if (lv_dev_image_validate(img, err)) return lv_fail_prefix(err, "loading an image into the device");
    if (RD(ID) != LV_REG_ID_MAGIC_RESVAL)
        return lv_fail(err, "loading an image: ID reads 0x%08x, not 0x%08x (\"LANG\"): the bus does not reach a "
                            "Langevin device",
                       (unsigned)RD(ID), (unsigned)LV_REG_ID_MAGIC_RESVAL);
    uint32_t major = LV_FIELD_GET(RD(VERSION), VERSION, MAJOR);
    if (major != LV_REG_VERSION_MAJOR_RESVAL)
        return lv_fail(err, "loading an image: the device's register interface is version %u.x, this loader "
                            "speaks %u.x; use a matching loader",
                       (unsigned)major, (unsigned)LV_REG_VERSION_MAJOR_RESVAL);
    const size_t n = (size_t)img->nv + (size_t)img->nh;
    if (n > RD(CAP_MAX_N) || img->m > RD(CAP_MAX_M))
        return lv_fail(err, "loading an image: %zu units and %zu couplings exceed this device's capacity (%u units, "
                            "%u couplings)",
                       n, img->m, (unsigned)RD(CAP_MAX_N), (unsigned)RD(CAP_MAX_M));
    if (RD(STATUS) & LV_REG_STATUS_BUSY_MASK)
        return lv_fail(err, "loading an image: the device is running (STATUS.BUSY = 1); wait for the run to end "
                            "or write CTRL.STOP first");
    WR(CTRL, LV_REG_CTRL_SOFT_RESET_MASK);

    /* The ten load registers, in CONFIG_CRC order. */
    const uint32_t cfg[] = {
        LV_FIELD_PREP(CFG_DIMS, NV, img->nv) | LV_FIELD_PREP(CFG_DIMS, NH, img->nh) |
            LV_FIELD_PREP(CFG_DIMS, VV, img->vv),
        LV_FIELD_PREP(CFG_FMT_X, WX, img->wx) | LV_FIELD_PREP(CFG_FMT_X, FX, img->fx) |
            LV_FIELD_PREP(CFG_FMT_X, WF, img->wf) | LV_FIELD_PREP(CFG_FMT_X, FF, img->ff),
        LV_FIELD_PREP(CFG_FMT_C, BJ, img->bj) | LV_FIELD_PREP(CFG_FMT_C, BB, img->bb) |
            LV_FIELD_PREP(CFG_FMT_C, BN, img->bn),
        LV_FIELD_PREP(J2, VALUE, (uint32_t)img->j2),
        LV_FIELD_PREP(J4, VALUE, (uint32_t)img->j4),
        LV_FIELD_PREP(K, VALUE, img->k),
        LV_FIELD_PREP(GAIN, VALUE, img->gain),
        LV_FIELD_PREP(OFFSET, VALUE, (uint32_t)img->offset),
        LV_FIELD_PREP(COLOUR_A, A, img->colour_a),
        LV_FIELD_PREP(COLOUR_C, C, img->colour_c),
    };
#define CFG_OFF(R) LV_REG_##R##_OFFSET,
#define CFG_NAME(R) #R,
    static const uint32_t cfg_off[] = {LV_CONFIG_CRC_LIST(CFG_OFF)};
    static const char *const cfg_name[] = {LV_CONFIG_CRC_LIST(CFG_NAME)};
#undef CFG_OFF
#undef CFG_NAME
    _Static_assert(sizeof cfg / sizeof cfg[0] == sizeof cfg_off / sizeof cfg_off[0],
                   "the loader writes every CONFIG_CRC register");
    uint32_t crc = 0;
    for (size_t i = 0; i < sizeof cfg / sizeof cfg[0]; ++i) {
        lv_dev_mmio_write32(m, cfg_off[i], cfg[i]);
        crc = crc_word(crc, cfg[i]);
    }
    for (size_t i = 0; i < sizeof cfg / sizeof cfg[0]; ++i) {
        uint32_t got = lv_dev_mmio_read32(m, cfg_off[i]);
        if (got != cfg[i])
            return lv_fail(err, "loading an image: load register %s reads back as 0x%08x, 0x%08x was written",
                           cfg_name[i], (unsigned)got, (unsigned)cfg[i]);
    }
    WR(CONFIG_CRC, crc);
    if (check_error(m, "the configuration (CONFIG_CRC commit)", err)) return lv_fail_prefix(err, "loading an image");
    if (!(RD(LOAD_STATE) & LV_REG_LOAD_STATE_CONFIG_MASK))
        return lv_fail(err, "loading an image: CONFIG_CRC was accepted but LOAD_STATE.CONFIG is clear");

    if (load_memory(m, img, LV_MEM_COUPLINGS_ID, "COUPLINGS", img->m, LV_REG_LOAD_STATE_COUPLINGS_MASK, err) ||
        load_memory(m, img, LV_MEM_ROW_EXP_ID, "ROW_EXP", img->n_rows, LV_REG_LOAD_STATE_ROW_EXP_MASK, err) ||
        load_memory(m, img, LV_MEM_BIAS_ID, "BIAS", n, LV_REG_LOAD_STATE_BIAS_MASK, err) ||
        load_memory(m, img, LV_MEM_BIAS_EXP_ID, "BIAS_EXP", LV_MEM_BIAS_EXP_DEPTH, LV_REG_LOAD_STATE_BIAS_EXP_MASK,
                    err))
        return lv_fail_prefix(err, "loading an image");
    if (!(RD(STATUS) & LV_REG_STATUS_IMAGE_VALID_MASK))
        return lv_fail(err, "loading an image: every part was committed but STATUS.IMAGE_VALID is clear "
                            "(LOAD_STATE = 0x%03x)",
                       (unsigned)RD(LOAD_STATE));
    return 0;
}

/* One run: program the run registers, START, poll STATUS while stepping the
 * emulator's clock, clear DONE. */
static int run_phase(lv_dev_mmio *m, uint64_t seed, uint32_t tick0, uint32_t ticks, uint32_t ctrl, const char *what,
                     lv_error *err)
{
    WR(SEED_LO, LV_FIELD_PREP(SEED_LO, VALUE, (uint32_t)seed));
    WR(SEED_HI, LV_FIELD_PREP(SEED_HI, VALUE, (uint32_t)(seed >> 32)));
    WR(TICK0, LV_FIELD_PREP(TICK0, VALUE, tick0));
    WR(TICKS, LV_FIELD_PREP(TICKS, VALUE, ticks));
    WR(STATUS, LV_REG_STATUS_DONE_MASK); /* w1c: the DONE we wait for is this run's */
    WR(CTRL, ctrl | LV_REG_CTRL_START_MASK);
    if (check_error(m, what, err)) return -1;
    while (RD(STATUS) & LV_REG_STATUS_BUSY_MASK) lv_dev_mmio_step(m, LV_LOADER_STEP);
    uint32_t s = RD(STATUS);
    if (check_error(m, what, err)) return -1;
    if (!(s & LV_REG_STATUS_DONE_MASK)) return lv_fail(err, "%s: the run ended without STATUS.DONE", what);
    WR(STATUS, LV_REG_STATUS_DONE_MASK);
    return 0;
}

static int64_t read64(lv_dev_mmio *m, uint32_t lo_off, uint32_t hi_off)
{
    uint32_t lo = lv_dev_mmio_read32(m, lo_off); /* LO first: latches HI */
    uint32_t hi = lv_dev_mmio_read32(m, hi_off);
    return (int64_t)(((uint64_t)hi << 32) | lo);
}

static void sat_add(uint32_t *c, uint32_t k)
{
    uint64_t s = (uint64_t)*c + k;
    *c = s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
}

int lv_dev_mmio_generate(lv_dev_mmio *m, uint64_t seed, uint32_t ticks_eq, uint32_t ticks_run, int32_t *state,
                         size_t state_cap, lv_dev_mmio_gen_result *res, lv_error *err)
{
    if (!m || !res) return lv_fail(err, "device generation: no device or result given (NULL pointer)");
    memset(res, 0, sizeof *res);
    if ((uint64_t)ticks_eq + ticks_run > UINT32_MAX)
        return lv_fail(err, "device generation: ticks_eq + ticks_run = %llu exceeds the 32-bit tick counter",
                       (unsigned long long)ticks_eq + ticks_run);
    uint32_t st = RD(STATUS);
    if (st & LV_REG_STATUS_BUSY_MASK)
        return lv_fail(err, "device generation: the device is running (STATUS.BUSY = 1); wait for the run to end "
                            "or write CTRL.STOP first");
    if (!(st & LV_REG_STATUS_IMAGE_VALID_MASK))
        return lv_fail(err, "device generation: no image is loaded (STATUS.IMAGE_VALID = 0); load one first "
                            "(lv_dev_mmio_load_image)");
    const uint32_t dims = RD(CFG_DIMS);
    res->nv = (int)LV_FIELD_GET(dims, CFG_DIMS, NV);
    res->nh = (int)LV_FIELD_GET(dims, CFG_DIMS, NH);
    const size_t n = (size_t)res->nv + (size_t)res->nh;
    if (state && state_cap < n)
        return lv_fail(err, "device generation: the state buffer holds %zu words, the device has %zu units", state_cap,
                       n);
    WR(STATUS, LV_REG_STATUS_ERROR_MASK); /* a stale error must not be taken for this run's */
    const uint32_t colour = RD(COLOUR_A) ? LV_REG_CTRL_COLOUR_EN_MASK : 0;
    /* Both phases start from state 0: zero the STATE memory (not committed;
     * the commit is optional). */
    WR(MEM_SEL, LV_FIELD_PREP(MEM_SEL, ID, LV_MEM_STATE_ID));
    WR(MEM_ADDR, 0);
    for (size_t i = 0; i < n; ++i) WR(MEM_WDATA, 0);
    if (check_error(m, "the initial state", err)) return lv_fail_prefix(err, "device generation");

    if (run_phase(m, seed, 0, ticks_eq, colour, "the coupling-free phase (START)", err))
        return lv_fail_prefix(err, "device generation");
    uint32_t sat_state = RD(SAT_STATE), sat_force = RD(SAT_FORCE);
    const uint32_t tick1 = RD(TICK);
    if (run_phase(m, seed, tick1, ticks_run, colour | LV_REG_CTRL_COUPLE_MASK, "the coupled phase (START)", err))
        return lv_fail_prefix(err, "device generation");
    sat_add(&sat_state, RD(SAT_STATE));
    sat_add(&sat_force, RD(SAT_FORCE));
    res->sat_state = sat_state;
    res->sat_force = sat_force;
    res->v0 = read64(m, LV_REG_V0_LO_OFFSET, LV_REG_V0_HI_OFFSET);
    res->v = read64(m, LV_REG_V_LO_OFFSET, LV_REG_V_HI_OFFSET);
    res->q = read64(m, LV_REG_Q_LO_OFFSET, LV_REG_Q_HI_OFFSET);
    res->tick = RD(TICK);
    if (state) {
        WR(MEM_SEL, LV_FIELD_PREP(MEM_SEL, ID, LV_MEM_STATE_ID));
        WR(MEM_ADDR, 0);
        for (size_t i = 0; i < n; ++i) state[i] = (int32_t)RD(MEM_RDATA);
        if (check_error(m, "the state read-back", err)) return lv_fail_prefix(err, "device generation");
    }
    return 0;
}
