/* device_mmio.c - the register interface of the emulated device
 * (docs/register-map.md); the design is explained in docs/emulator-mmio.md.
 * Every offset, mask, reset value, memory and error code comes from the
 * generated lv_regs.h. */
#include "device_mmio.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "device_image.h"
#include "device_image_io.h"
#include "energy_meter.h"
#include "fx_prims.h"
#include "lv_regs.h"
#include "noise_dac.h"

/* The device image code and the register map must agree on the sizes. */
_Static_assert(LV_DEV_MAX_N == LV_PARAM_MAX_N, "LV_DEV_MAX_N differs from the register map's MAX_N");
_Static_assert(LV_DEV_MAX_M == LV_PARAM_MAX_M, "LV_DEV_MAX_M differs from the register map's MAX_M");
_Static_assert(LV_MEM_BIAS_EXP_DEPTH == 2, "BIAS_EXP holds eb[0] (visible) and eb[1] (hidden)");

/* Networks up to this many stored couplings use the exact int64 field path
 * in the (batch-1) core: faster than a GEMM call per tick there. */
#define LV_MMIO_INT64_MAX_M 65536u

/* ---- static tables from the generated header --------------------------- */

/* The load registers, in CONFIG_CRC order (they are exactly the ten). */
enum {
#define LR_ENUM(R) LR_##R,
    LV_CONFIG_CRC_LIST(LR_ENUM)
#undef LR_ENUM
    LR_COUNT
};
#define LR_OFF(R) LV_REG_##R##_OFFSET,
static const uint32_t load_off[LR_COUNT] = {LV_CONFIG_CRC_LIST(LR_OFF)};
#undef LR_OFF
#define LR_RES(R) LV_REG_##R##_RESVAL,
static const uint32_t load_res[LR_COUNT] = {LV_CONFIG_CRC_LIST(LR_RES)};
#undef LR_RES
#define LR_NAME(R) #R,
static const char *const load_name[LR_COUNT] = {LV_CONFIG_CRC_LIST(LR_NAME)};
#undef LR_NAME

typedef struct {
    uint32_t id, width, depth, bit;
    const char *name;
} mem_info;
#define MEM_ROW(M) {LV_MEM_##M##_ID, LV_MEM_##M##_WIDTH, LV_MEM_##M##_DEPTH, LV_REG_LOAD_STATE_##M##_MASK, #M},
static const mem_info mems[] = {LV_MEM_LIST(MEM_ROW)};
#undef MEM_ROW
#define N_MEMS (sizeof mems / sizeof mems[0])

static const mem_info *mem_find(uint32_t id)
{
    for (size_t i = 0; i < N_MEMS; ++i)
        if (mems[i].id == id) return &mems[i];
    return NULL;
}

/* The bits of register `off` that hold fields (reserved bits read 0). */
static uint32_t field_mask(uint32_t off)
{
    uint32_t mask = 0;
#define FM(R, F) \
    if (LV_REG_##R##_OFFSET == off) mask |= LV_REG_##R##_##F##_MASK;
    LV_REG_FIELD_LIST(FM)
#undef FM
    return mask;
}

static const uint32_t LOAD_REQUIRED = LV_REG_LOAD_STATE_CONFIG_MASK | LV_REG_LOAD_STATE_COUPLINGS_MASK |
                                      LV_REG_LOAD_STATE_ROW_EXP_MASK | LV_REG_LOAD_STATE_BIAS_MASK |
                                      LV_REG_LOAD_STATE_BIAS_EXP_MASK;

/* ---- the device ---------------------------------------------------------- */

struct lv_dev_mmio {
    /* Options. */
    int has_inst;
    lv_dev_instance inst;
    uint32_t poll_ticks;
    /* Registers. */
    uint32_t ctrl;   /* levels COUPLE, COLOUR_EN */
    uint32_t status; /* DONE, ERROR (BUSY and IMAGE_VALID are derived) */
    uint32_t err_code;
    uint32_t load[LR_COUNT];
    uint32_t config_crc, seed_lo, seed_hi, ticks, tick0, tick;
    int64_t v0, v, q;
    uint32_t sat_state, sat_force;
    uint32_t v0_hi, v_hi, q_hi; /* _HI halves latched by the _LO reads */
    uint32_t load_crc, load_crc_calc, load_count, load_state;
    uint32_t mem_sel;
    uint32_t mem_addr; /* wider than MEM_ADDR.ADDR: it may point just past the last word */
    /* Memories (capacity of the map), words sign-extended to their code width. */
    int16_t *coup;
    int8_t row_exp[LV_MEM_ROW_EXP_DEPTH];
    int32_t bias[LV_MEM_BIAS_DEPTH];
    int8_t bias_exp[LV_MEM_BIAS_EXP_DEPTH];
    int32_t state[LV_MEM_STATE_DEPTH];
    /* The device core, built from the committed image at START. */
    lv_dev *core;
    int core_dirty;    /* a load register or image memory was written since it was built */
    uint16_t core_a;   /* colour coefficient it was built with (0: bypassed) */
    int core_started;  /* lv_dev_reset was called on it */
    uint64_t core_seed;
    uint64_t core_tick; /* its next tick, 0 .. 2^32 */
    /* The run. */
    int busy;
    int run_couple;
    uint32_t ticks_left;
    uint64_t q_acc;                       /* Q of the core segments before a tick-counter wrap */
    uint32_t sat_state_acc, sat_force_acc; /* likewise, sticky */
    uint32_t base_state, base_force;      /* core counters when the current segment started */
    lv_error msg;                         /* sentence behind ERR_CODE */
};

static void mmio_err(lv_dev_mmio *m, uint32_t code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void mmio_err(lv_dev_mmio *m, uint32_t code, const char *fmt, ...)
{
    if (m->status & LV_REG_STATUS_ERROR_MASK) return; /* ERR_CODE keeps the first error */
    m->status |= LV_REG_STATUS_ERROR_MASK;
    m->err_code = LV_FIELD_PREP(ERR_CODE, CODE, code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->msg.msg, sizeof m->msg.msg, fmt, ap);
    va_end(ap);
}

/* ---- configuration fields ---------------------------------------------- */

#define CFG(R, F) ((int)LV_FIELD_GET(m->load[LR_##R], R, F))

static int image_valid(const lv_dev_mmio *m) { return (m->load_state & LOAD_REQUIRED) == LOAD_REQUIRED; }

/* Width a memory word is stored and read back in: the configured code width
 * for COUPLINGS (BJ) and BIAS (Bb), while it is in range; the memory's
 * width otherwise. */
static int code_width(const lv_dev_mmio *m, const mem_info *mi)
{
    if (mi->id == LV_MEM_COUPLINGS_ID) {
        int bj = CFG(CFG_FMT_C, BJ);
        return bj >= 2 && bj <= (int)LV_MEM_COUPLINGS_WIDTH ? bj : (int)LV_MEM_COUPLINGS_WIDTH;
    }
    if (mi->id == LV_MEM_BIAS_ID) {
        int bb = CFG(CFG_FMT_C, BB);
        return bb >= 2 && bb <= (int)LV_MEM_BIAS_WIDTH ? bb : (int)LV_MEM_BIAS_WIDTH;
    }
    return (int)mi->width;
}

/* Words a memory must receive for the configured dimensions. */
static uint64_t required_words(const lv_dev_mmio *m, const mem_info *mi)
{
    const int nv = CFG(CFG_DIMS, NV), nh = CFG(CFG_DIMS, NH), vv = CFG(CFG_DIMS, VV);
    switch (mi->id) {
    case LV_MEM_COUPLINGS_ID: return lv_dev_couplings(nv, nh, vv);
    case LV_MEM_ROW_EXP_ID: return lv_dev_rows(nv, nh, vv);
    case LV_MEM_BIAS_ID: return (uint64_t)nv + (uint64_t)nh;
    case LV_MEM_BIAS_EXP_ID: return LV_MEM_BIAS_EXP_DEPTH;
    case LV_MEM_STATE_ID: return (uint64_t)nv + (uint64_t)nh;
    default: return 0;
    }
}

static int32_t sext(uint32_t v, int w)
{
    if (w >= 32) return (int32_t)v;
    uint32_t mask = (UINT32_C(1) << w) - 1, sign = UINT32_C(1) << (w - 1);
    v &= mask;
    return (int32_t)(int64_t)(v & sign ? (int64_t)v - ((int64_t)1 << w) : (int64_t)v);
}

/* ---- reset ---------------------------------------------------------------- */

static void soft_reset(lv_dev_mmio *m)
{
    m->ctrl = LV_REG_CTRL_RESVAL & (LV_REG_CTRL_COUPLE_MASK | LV_REG_CTRL_COLOUR_EN_MASK);
    m->status = LV_REG_STATUS_RESVAL & (LV_REG_STATUS_DONE_MASK | LV_REG_STATUS_ERROR_MASK);
    m->err_code = LV_REG_ERR_CODE_RESVAL;
    for (int i = 0; i < LR_COUNT; ++i) m->load[i] = load_res[i];
    m->config_crc = LV_REG_CONFIG_CRC_RESVAL;
    m->seed_lo = LV_REG_SEED_LO_RESVAL;
    m->seed_hi = LV_REG_SEED_HI_RESVAL;
    m->ticks = LV_REG_TICKS_RESVAL;
    m->tick0 = LV_REG_TICK0_RESVAL;
    m->tick = LV_REG_TICK_RESVAL;
    m->v0 = (int64_t)(((uint64_t)LV_REG_V0_HI_RESVAL << 32) | LV_REG_V0_LO_RESVAL);
    m->v = (int64_t)(((uint64_t)LV_REG_V_HI_RESVAL << 32) | LV_REG_V_LO_RESVAL);
    m->q = (int64_t)(((uint64_t)LV_REG_Q_HI_RESVAL << 32) | LV_REG_Q_LO_RESVAL);
    m->v0_hi = LV_REG_V0_HI_RESVAL;
    m->v_hi = LV_REG_V_HI_RESVAL;
    m->q_hi = LV_REG_Q_HI_RESVAL;
    m->sat_state = LV_REG_SAT_STATE_RESVAL;
    m->sat_force = LV_REG_SAT_FORCE_RESVAL;
    m->load_crc = LV_REG_LOAD_CRC_RESVAL;
    m->load_crc_calc = LV_REG_LOAD_CRC_CALC_RESVAL;
    m->load_count = LV_REG_LOAD_COUNT_RESVAL;
    m->load_state = LV_REG_LOAD_STATE_RESVAL;
    m->mem_sel = LV_REG_MEM_SEL_RESVAL;
    m->mem_addr = LV_REG_MEM_ADDR_RESVAL;
    /* STATE and the colour-filter state are zeroed (the colour filter lives
     * in the core, which is dropped); the other memories are "undefined" and
     * keep their words. */
    memset(m->state, 0, sizeof m->state);
    lv_dev_free(m->core);
    m->core = NULL;
    m->core_dirty = 1;
    m->core_started = 0;
    m->busy = 0;
    m->ticks_left = 0;
    m->q_acc = 0;
    m->sat_state_acc = m->sat_force_acc = m->base_state = m->base_force = 0;
    m->msg.msg[0] = '\0';
}

lv_dev_mmio *lv_dev_mmio_create(const lv_dev_mmio_opts *opts, lv_error *err)
{
    if (opts && opts->instance && lv_dev_instance_check(opts->instance, err)) {
        lv_fail_prefix(err, "emulated device");
        return NULL;
    }
    lv_dev_mmio *m = calloc(1, sizeof *m);
    if (m) m->coup = calloc(LV_MEM_COUPLINGS_DEPTH, sizeof(int16_t));
    if (!m || !m->coup) {
        free(m);
        lv_fail(err, "emulated device: out of memory for the register file and the %u-word coupling memory",
                (unsigned)LV_MEM_COUPLINGS_DEPTH);
        return NULL;
    }
    if (opts) {
        m->poll_ticks = opts->poll_ticks;
        if (opts->instance) {
            m->has_inst = 1;
            m->inst = *opts->instance;
        }
    }
    soft_reset(m);
    return m;
}

void lv_dev_mmio_free(lv_dev_mmio *m)
{
    if (!m) return;
    lv_dev_free(m->core);
    free(m->coup);
    free(m);
}

const char *lv_dev_mmio_error_message(const lv_dev_mmio *m)
{
    return (m->status & LV_REG_STATUS_ERROR_MASK) ? m->msg.msg : "";
}

/* ---- load-integrity protocol -------------------------------------------- */

static uint32_t crc_word(uint32_t crc, uint32_t w)
{
    const unsigned char b[4] = {(unsigned char)w, (unsigned char)(w >> 8), (unsigned char)(w >> 16),
                                (unsigned char)(w >> 24)};
    return (uint32_t)crc32(crc, b, 4);
}

static int range(long v, long lo, long hi, const char *what, char *why, size_t len)
{
    if (v >= lo && v <= hi) return 0;
    snprintf(why, len, "%s = %ld is outside %ld..%ld", what, v, lo, hi);
    return -1;
}

/* The ranges of docs/fixed-point.md §2 and the map's capacities. */
static int config_check(const lv_dev_mmio *m, char *why, size_t len)
{
    const long nv = CFG(CFG_DIMS, NV), nh = CFG(CFG_DIMS, NH), vv = CFG(CFG_DIMS, VV);
    const long wx = CFG(CFG_FMT_X, WX), wf = CFG(CFG_FMT_X, WF);
    if (range(nv, 1, LV_PARAM_MAX_N, "CFG_DIMS.NV", why, len) || range(nh, 0, LV_PARAM_MAX_N, "CFG_DIMS.NH", why, len) ||
        range(nv + nh, 1, LV_PARAM_MAX_N, "nv + nh (CFG_DIMS.NV + CFG_DIMS.NH, MAX_N)", why, len) ||
        range((long)lv_dev_couplings((int)nv, (int)nh, (int)vv), 0, LV_PARAM_MAX_M, "the coupling count m (MAX_M)",
              why, len) ||
        range((long)lv_dev_rows((int)nv, (int)nh, (int)vv), 1, LV_PARAM_MAX_ROWS, "the stored rows (MAX_ROWS)", why,
              len) ||
        range(wx, 8, 32, "CFG_FMT_X.WX", why, len) || range(CFG(CFG_FMT_X, FX), 4, wx - 2, "CFG_FMT_X.FX", why, len) ||
        range(wf, 16, 40, "CFG_FMT_X.WF", why, len) || range(CFG(CFG_FMT_X, FF), 4, wf - 2, "CFG_FMT_X.FF", why, len) ||
        range(CFG(CFG_FMT_C, BJ), 2, LV_MEM_COUPLINGS_WIDTH, "CFG_FMT_C.BJ", why, len) ||
        range(CFG(CFG_FMT_C, BB), 2, LV_MEM_BIAS_WIDTH, "CFG_FMT_C.BB", why, len) ||
        range(CFG(CFG_FMT_C, BN), LV_DAC_BN_MIN, LV_DAC_BN_MAX, "CFG_FMT_C.BN", why, len) ||
        range((int32_t)m->load[LR_J2], 0, INT32_MAX, "J2 (signed Q16.16)", why, len) ||
        range((int32_t)m->load[LR_J4], 0, INT32_MAX, "J4 (signed Q16.16)", why, len) ||
        range((long)m->load[LR_K], 1, INT32_MAX, "K", why, len) ||
        range((int32_t)m->load[LR_OFFSET], -INT32_MAX, INT32_MAX, "OFFSET (signed Q16.16)", why, len) ||
        range(CFG(COLOUR_A, A), 0, (1L << LV_DAC_FA) - 1, "COLOUR_A.A", why, len))
        return -1;
    const uint16_t a = (uint16_t)CFG(COLOUR_A, A), ca = (uint16_t)CFG(COLOUR_C, C);
    if (ca != lv_dac_colour_c(a)) {
        snprintf(why, len, "COLOUR_C.C = %u does not match COLOUR_A.A = %u: it must be round(sqrt(1 - (a/2^15)^2) 2^15) = %u",
                 (unsigned)ca, (unsigned)a, (unsigned)lv_dac_colour_c(a));
        return -1;
    }
    return 0;
}

static void commit_config(lv_dev_mmio *m)
{
    char why[512];
    if (config_check(m, why, sizeof why)) {
        m->load_state &= ~LV_REG_LOAD_STATE_CONFIG_MASK;
        mmio_err(m, LV_REG_ERR_CODE_CODE_CONFIG_RANGE,
              "CONFIG_CRC commit refused (CONFIG_RANGE): %s (docs/fixed-point.md §2); write a valid value to the "
              "load register and commit CONFIG_CRC again",
              why);
        return;
    }
    uint32_t crc = 0;
    for (int i = 0; i < LR_COUNT; ++i) crc = crc_word(crc, m->load[i]);
    if (crc != m->config_crc) {
        m->load_state &= ~LV_REG_LOAD_STATE_CONFIG_MASK;
        mmio_err(m, LV_REG_ERR_CODE_CODE_CONFIG_CRC,
              "CONFIG_CRC commit refused (CONFIG_CRC): 0x%08x was written but the CRC-32 of the ten load registers "
              "as they read back (CFG_DIMS ... COLOUR_C, reserved bits 0) is 0x%08x; a register write was lost or "
              "the CRC was computed over other values",
              (unsigned)m->config_crc, (unsigned)crc);
        return;
    }
    m->load_state |= LV_REG_LOAD_STATE_CONFIG_MASK;
}

static void commit_memory(lv_dev_mmio *m)
{
    const mem_info *mi = mem_find(LV_FIELD_GET(m->mem_sel, MEM_SEL, ID));
    if (!mi) {
        mmio_err(m, LV_REG_ERR_CODE_CODE_MEM_RANGE,
              "LOAD_CRC commit refused (MEM_RANGE): MEM_SEL.ID = %u names no memory; select one of the memories "
              "of docs/register-map.md",
              (unsigned)LV_FIELD_GET(m->mem_sel, MEM_SEL, ID));
        return;
    }
    if (!(m->load_state & LV_REG_LOAD_STATE_CONFIG_MASK)) {
        m->load_state &= ~mi->bit;
        mmio_err(m, LV_REG_ERR_CODE_CODE_LOAD_NO_CONFIG,
              "LOAD_CRC commit of %s refused (LOAD_NO_CONFIG): the configuration is not committed; write the load "
              "registers and CONFIG_CRC first",
              mi->name);
        return;
    }
    const uint64_t need = required_words(m, mi);
    if (m->load_count != need || m->mem_addr != m->load_count) {
        m->load_state &= ~mi->bit;
        if (m->load_count != need)
            mmio_err(m, LV_REG_ERR_CODE_CODE_LOAD_COUNT,
                  "LOAD_CRC commit of %s refused (LOAD_COUNT): %u words were written since MEM_SEL / MEM_ADDR, "
                  "the configured dimensions need %llu; the load was interrupted or CFG_DIMS is wrong",
                  mi->name, (unsigned)m->load_count, (unsigned long long)need);
        else
            mmio_err(m, LV_REG_ERR_CODE_CODE_LOAD_COUNT,
                  "LOAD_CRC commit of %s refused (LOAD_COUNT): the %u words written do not cover addresses "
                  "0..%u (MEM_ADDR is %u: the stream did not start at MEM_ADDR = 0, or MEM_RDATA reads moved "
                  "the address); write MEM_ADDR = 0 and stream the memory again",
                  mi->name, (unsigned)m->load_count, (unsigned)need - 1, (unsigned)m->mem_addr);
        return;
    }
    if (m->load_crc != m->load_crc_calc) {
        m->load_state &= ~mi->bit;
        mmio_err(m, LV_REG_ERR_CODE_CODE_LOAD_CRC,
              "LOAD_CRC commit of %s refused (LOAD_CRC): 0x%08x was written but the device computed 0x%08x over "
              "the %u words it received; a word was corrupted or lost on the bus, load the memory again",
              mi->name, (unsigned)m->load_crc, (unsigned)m->load_crc_calc, (unsigned)m->load_count);
        return;
    }
    m->load_state |= mi->bit;
}

/* ---- memory port ---------------------------------------------------------- */

static void restart_stream(lv_dev_mmio *m)
{
    m->load_crc_calc = 0; /* CRC-32 of no bytes */
    m->load_count = 0;
}

static int port_check(lv_dev_mmio *m, const mem_info *mi, const char *what)
{
    if (!mi) {
        mmio_err(m, LV_REG_ERR_CODE_CODE_MEM_RANGE,
              "%s ignored (MEM_RANGE): MEM_SEL.ID = %u names no memory; select one of the memories of "
              "docs/register-map.md",
              what, (unsigned)LV_FIELD_GET(m->mem_sel, MEM_SEL, ID));
        return -1;
    }
    if (m->mem_addr >= mi->depth) {
        mmio_err(m, LV_REG_ERR_CODE_CODE_MEM_RANGE,
              "%s ignored (MEM_RANGE): address %u is at or past the %u words of memory %s (MEM_DEPTH); "
              "set MEM_ADDR inside the memory",
              what, (unsigned)m->mem_addr, (unsigned)mi->depth, mi->name);
        return -1;
    }
    return 0;
}

static void port_write(lv_dev_mmio *m, uint32_t value)
{
    const mem_info *mi = mem_find(LV_FIELD_GET(m->mem_sel, MEM_SEL, ID));
    if (m->busy) {
        mmio_err(m, LV_REG_ERR_CODE_CODE_BUSY,
              "MEM_WDATA write ignored (BUSY): memory %s cannot be written during a run; wait for STATUS.BUSY = 0 "
              "or write CTRL.STOP",
              mi ? mi->name : "(none)");
        return;
    }
    if (port_check(m, mi, "MEM_WDATA write")) return;
    const int32_t w = sext(value, code_width(m, mi));
    const uint32_t a = m->mem_addr;
    switch (mi->id) {
    case LV_MEM_COUPLINGS_ID: m->coup[a] = (int16_t)w; break;
    case LV_MEM_ROW_EXP_ID: m->row_exp[a] = (int8_t)w; break;
    case LV_MEM_BIAS_ID: m->bias[a] = w; break;
    case LV_MEM_BIAS_EXP_ID: m->bias_exp[a] = (int8_t)w; break;
    case LV_MEM_STATE_ID: m->state[a] = w; break;
    default: break;
    }
    m->mem_addr++;
    m->load_crc_calc = crc_word(m->load_crc_calc, value);
    m->load_count++;
    m->load_state &= ~mi->bit;
    if (mi->id != LV_MEM_STATE_ID) m->core_dirty = 1;
}

static uint32_t port_read(lv_dev_mmio *m)
{
    const mem_info *mi = mem_find(LV_FIELD_GET(m->mem_sel, MEM_SEL, ID));
    if (m->busy && mi && mi->id != LV_MEM_STATE_ID) {
        mmio_err(m, LV_REG_ERR_CODE_CODE_BUSY,
              "MEM_RDATA read ignored (BUSY): memory %s cannot be read during a run (only STATE can); wait for "
              "STATUS.BUSY = 0",
              mi->name);
        return 0;
    }
    if (port_check(m, mi, "MEM_RDATA read")) return 0;
    const uint32_t a = m->mem_addr;
    int32_t w = 0;
    switch (mi->id) {
    case LV_MEM_COUPLINGS_ID: w = m->coup[a]; break;
    case LV_MEM_ROW_EXP_ID: w = m->row_exp[a]; break;
    case LV_MEM_BIAS_ID: w = m->bias[a]; break;
    case LV_MEM_BIAS_EXP_ID: w = m->bias_exp[a]; break;
    case LV_MEM_STATE_ID: w = m->state[a]; break;
    default: break;
    }
    m->mem_addr++;
    return (uint32_t)w;
}

/* ---- runs ------------------------------------------------------------------ */

static uint32_t seg_count(uint32_t core, uint32_t base) { return core == UINT32_MAX ? UINT32_MAX : core - base; }

/* Registers and STATE from the core after a completed step. */
static void mirror(lv_dev_mmio *m)
{
    lv_dev_regs r;
    lv_dev_regs_get(m->core, 0, &r);
    m->v = r.v;
    m->q = (int64_t)(m->q_acc + (uint64_t)r.q);
    m->sat_state = m->sat_state_acc;
    m->sat_force = m->sat_force_acc;
    lv_sat_add(&m->sat_state, seg_count(r.sat_state, m->base_state));
    lv_sat_add(&m->sat_force, seg_count(r.sat_force, m->base_force));
    memcpy(m->state, lv_dev_state(m->core), (size_t)lv_dev_units(m->core) * sizeof(int32_t));
    m->tick = (uint32_t)m->core_tick;
}

static void end_run(lv_dev_mmio *m)
{
    m->busy = 0;
    m->ticks_left = 0;
    m->status |= LV_REG_STATUS_DONE_MASK;
}

/* Build the core from the committed registers and memories. */
static int build_core(lv_dev_mmio *m, uint16_t a, lv_error *err)
{
    lv_dev_image img;
    memset(&img, 0, sizeof img);
    img.nv = CFG(CFG_DIMS, NV);
    img.nh = CFG(CFG_DIMS, NH);
    img.vv = CFG(CFG_DIMS, VV);
    img.wx = CFG(CFG_FMT_X, WX);
    img.fx = CFG(CFG_FMT_X, FX);
    img.wf = CFG(CFG_FMT_X, WF);
    img.ff = CFG(CFG_FMT_X, FF);
    img.bj = CFG(CFG_FMT_C, BJ);
    img.bb = CFG(CFG_FMT_C, BB);
    img.bn = CFG(CFG_FMT_C, BN);
    img.j2 = (int32_t)m->load[LR_J2];
    img.j4 = (int32_t)m->load[LR_J4];
    img.k = m->load[LR_K];
    img.gain = m->load[LR_GAIN];
    img.offset = (int32_t)m->load[LR_OFFSET];
    img.colour_a = a;
    img.colour_c = a ? (uint16_t)CFG(COLOUR_C, C) : lv_dac_colour_c(0);
    img.m = lv_dev_couplings(img.nv, img.nh, img.vv);
    img.c = m->coup;
    img.n_rows = lv_dev_rows(img.nv, img.nh, img.vv);
    img.ej = m->row_exp;
    img.cb = m->bias;
    img.eb[0] = m->bias_exp[0];
    img.eb[1] = m->bias_exp[1];
    lv_dev *d = lv_dev_create(&img, m->has_inst ? &m->inst : NULL, 1, err);
    if (!d) return -1;
    /* One trajectory: a GEMM per tick costs more in call and buffer overhead
     * than the exact int64 sum for small networks (same bits either way,
     * coupling_network.h). */
    if (img.m <= LV_MMIO_INT64_MAX_M) lv_dev_set_field_path(d, LV_CN_INT64, NULL);
    lv_dev_free(m->core);
    m->core = d;
    m->core_dirty = 0;
    m->core_a = a;
    m->core_started = 0;
    return 0;
}

static void start(lv_dev_mmio *m)
{
    if (m->busy) {
        mmio_err(m, LV_REG_ERR_CODE_CODE_BUSY,
              "CTRL.START ignored (BUSY): a run is in progress; wait for STATUS.BUSY = 0 or write CTRL.STOP first");
        return;
    }
    if (!image_valid(m)) {
        mmio_err(m, LV_REG_ERR_CODE_CODE_NOT_LOADED,
              "CTRL.START refused (NOT_LOADED): STATUS.IMAGE_VALID = 0, LOAD_STATE = 0x%03x lacks 0x%03x; load "
              "and commit the configuration and the COUPLINGS, ROW_EXP, BIAS and BIAS_EXP memories",
              (unsigned)m->load_state, (unsigned)(LOAD_REQUIRED & ~m->load_state));
        return;
    }
    const int colour_en = (int)LV_FIELD_GET(m->ctrl, CTRL, COLOUR_EN);
    const uint16_t a = colour_en ? (uint16_t)CFG(COLOUR_A, A) : 0;
    lv_error e;
    if (!m->core || m->core_dirty || m->core_a != a) {
        if (build_core(m, a, &e)) {
            mmio_err(m, LV_REG_ERR_CODE_CODE_IMAGE_RANGE,
                  "CTRL.START refused (IMAGE_RANGE): the emulated device cannot run the loaded image: %s", e.msg);
            return;
        }
    }
    const int n = lv_dev_units(m->core), wx = CFG(CFG_FMT_X, WX);
    const int32_t xm = (int32_t)lv_fx_max(wx);
    for (int i = 0; i < n; ++i)
        if (m->state[i] > xm || m->state[i] < -xm) {
            mmio_err(m, LV_REG_ERR_CODE_CODE_IMAGE_RANGE,
                  "CTRL.START refused (IMAGE_RANGE): STATE word %d = %d is outside the Wx = %d bit state range "
                  "|x| <= %d; write a valid initial state (or SOFT_RESET for 0)",
                  i, m->state[i], wx, xm);
            return;
        }
    const uint64_t seed = ((uint64_t)m->seed_hi << 32) | m->seed_lo;
    /* Continue the core (keeping the colour filter) only where the filter
     * matters and the core already sits at TICK0 with this seed; otherwise
     * restart it at TICK0, which is exact because everything else the core
     * carries between runs is either reloaded (state) or recomputed. */
    const int cont = m->core_started && m->tick0 != 0 && a != 0 && m->core_tick == m->tick0 && m->core_seed == seed;
    if (cont) {
        lv_dev_regs r;
        lv_dev_regs_get(m->core, 0, &r);
        m->base_state = r.sat_state;
        m->base_force = r.sat_force;
    } else {
        if (lv_dev_reset(m->core, &seed, 1, m->tick0, &e)) goto core_fail;
        m->core_started = 1;
        m->core_seed = seed;
        m->core_tick = m->tick0;
        m->base_state = m->base_force = 0;
    }
    m->run_couple = (int)LV_FIELD_GET(m->ctrl, CTRL, COUPLE);
    /* Pass 0: V(x) into V, latched in V0, Q cleared (no tick, no counting). */
    if (lv_dev_set_state(m->core, m->state, &e) || lv_dev_run(m->core, m->run_couple, 0, 1, &e)) goto core_fail;
    m->q_acc = 0;
    m->sat_state_acc = m->sat_force_acc = 0;
    mirror(m);
    lv_dev_regs r;
    lv_dev_regs_get(m->core, 0, &r);
    m->v0 = r.v0;
    m->ticks_left = m->ticks;
    m->busy = 1;
    return;
core_fail:
    m->core_started = 0;
    mmio_err(m, LV_REG_ERR_CODE_CODE_IMAGE_RANGE, "CTRL.START refused (IMAGE_RANGE): the emulated device core failed: %s",
          e.msg);
}

uint32_t lv_dev_mmio_step(lv_dev_mmio *m, uint32_t max_ticks)
{
    if (!m->busy) return 0;
    const uint64_t wrap = (uint64_t)1 << 32;
    uint32_t done = 0;
    lv_error e;
    while (m->ticks_left > 0 && done < max_ticks) {
        if (m->core_tick == wrap) {
            /* TICK wraps to 0 (32 bits).  The core refuses to pass 2^32, so it
             * restarts at tick 0 with the same seed and state; Q and the
             * counters carry over in the accumulators. */
            lv_dev_regs r;
            lv_dev_regs_get(m->core, 0, &r);
            m->q_acc += (uint64_t)r.q;
            lv_sat_add(&m->sat_state_acc, seg_count(r.sat_state, m->base_state));
            lv_sat_add(&m->sat_force_acc, seg_count(r.sat_force, m->base_force));
            if (lv_dev_reset(m->core, &m->core_seed, 1, 0, &e) || lv_dev_set_state(m->core, m->state, &e)) break;
            m->core_tick = 0;
            m->base_state = m->base_force = 0;
        }
        uint64_t k = m->ticks_left;
        if (k > (uint64_t)(max_ticks - done)) k = max_ticks - done;
        if (k > wrap - m->core_tick) k = wrap - m->core_tick;
        if (lv_dev_run(m->core, m->run_couple, (uint32_t)k, 0, &e)) break;
        m->core_tick += k;
        m->ticks_left -= (uint32_t)k;
        done += (uint32_t)k;
        mirror(m);
    }
    if (m->ticks_left > 0 && done < max_ticks) {
        /* Only a core failure gets here (not expected: the core was
         * validated at START); end the run rather than spin. */
        end_run(m);
        m->core_started = 0;
        mmio_err(m, LV_REG_ERR_CODE_CODE_CONFIG_RANGE, "run ended early: the emulated device core failed: %s", e.msg);
        return done;
    }
    if (m->ticks_left == 0) end_run(m);
    return done;
}

static void write_ctrl(lv_dev_mmio *m, uint32_t value)
{
    if (value & LV_REG_CTRL_SOFT_RESET_MASK) {
        soft_reset(m); /* also stops a run; the other bits of this write are ignored */
        return;
    }
    m->ctrl = value & (LV_REG_CTRL_COUPLE_MASK | LV_REG_CTRL_COLOUR_EN_MASK);
    if ((value & LV_REG_CTRL_STOP_MASK) && m->busy) end_run(m); /* the current tick is complete between steps */
    if (value & LV_REG_CTRL_START_MASK) start(m);
}

/* ---- bus ------------------------------------------------------------------- */

static int load_index(uint32_t offset)
{
    for (int i = 0; i < LR_COUNT; ++i)
        if (load_off[i] == offset) return i;
    return -1;
}

uint32_t lv_dev_mmio_read32(lv_dev_mmio *m, uint32_t offset)
{
    if ((offset & 3u) || offset >= LV_REGS_ADDR_BYTES) return 0;
    int li = load_index(offset);
    if (li >= 0) return m->load[li];
    const mem_info *mi;
    switch (offset) {
    case LV_REG_ID_OFFSET: return LV_REG_ID_RESVAL;
    case LV_REG_VERSION_OFFSET: return LV_REG_VERSION_RESVAL;
    case LV_REG_CAP_MAX_N_OFFSET: return LV_FIELD_PREP(CAP_MAX_N, VALUE, LV_PARAM_MAX_N);
    case LV_REG_CAP_MAX_M_OFFSET: return LV_FIELD_PREP(CAP_MAX_M, VALUE, LV_PARAM_MAX_M);
    case LV_REG_CAP_ACC_W_OFFSET: return LV_FIELD_PREP(CAP_ACC_W, VALUE, 64u); /* int64 field (§10) */
    case LV_REG_CTRL_OFFSET: return m->ctrl;
    case LV_REG_STATUS_OFFSET: {
        uint32_t s = m->status;
        if (m->busy) s |= LV_REG_STATUS_BUSY_MASK;
        if (image_valid(m)) s |= LV_REG_STATUS_IMAGE_VALID_MASK;
        if (m->busy && m->poll_ticks) lv_dev_mmio_step(m, m->poll_ticks); /* time passes after the read */
        return s;
    }
    case LV_REG_ERR_CODE_OFFSET: return m->err_code;
    case LV_REG_CONFIG_CRC_OFFSET: return m->config_crc;
    case LV_REG_SEED_LO_OFFSET: return m->seed_lo;
    case LV_REG_SEED_HI_OFFSET: return m->seed_hi;
    case LV_REG_TICKS_OFFSET: return m->ticks;
    case LV_REG_TICK0_OFFSET: return m->tick0;
    case LV_REG_TICK_OFFSET: return m->tick;
    case LV_REG_V0_LO_OFFSET: m->v0_hi = (uint32_t)((uint64_t)m->v0 >> 32); return (uint32_t)m->v0;
    case LV_REG_V0_HI_OFFSET: return m->v0_hi;
    case LV_REG_V_LO_OFFSET: m->v_hi = (uint32_t)((uint64_t)m->v >> 32); return (uint32_t)m->v;
    case LV_REG_V_HI_OFFSET: return m->v_hi;
    case LV_REG_Q_LO_OFFSET: m->q_hi = (uint32_t)((uint64_t)m->q >> 32); return (uint32_t)m->q;
    case LV_REG_Q_HI_OFFSET: return m->q_hi;
    case LV_REG_SAT_STATE_OFFSET: return m->sat_state;
    case LV_REG_SAT_FORCE_OFFSET: return m->sat_force;
    case LV_REG_LOAD_CRC_OFFSET: return m->load_crc;
    case LV_REG_LOAD_CRC_CALC_OFFSET: return m->load_crc_calc;
    case LV_REG_LOAD_COUNT_OFFSET: return m->load_count;
    case LV_REG_LOAD_STATE_OFFSET: return m->load_state;
    case LV_REG_MEM_SEL_OFFSET: return m->mem_sel;
    case LV_REG_MEM_ADDR_OFFSET: return LV_FIELD_PREP(MEM_ADDR, ADDR, m->mem_addr);
    case LV_REG_MEM_WDATA_OFFSET: return 0; /* wo */
    case LV_REG_MEM_RDATA_OFFSET: return port_read(m);
    case LV_REG_MEM_DEPTH_OFFSET: mi = mem_find(LV_FIELD_GET(m->mem_sel, MEM_SEL, ID)); return mi ? LV_FIELD_PREP(MEM_DEPTH, VALUE, mi->depth) : 0;
    case LV_REG_MEM_WIDTH_OFFSET: mi = mem_find(LV_FIELD_GET(m->mem_sel, MEM_SEL, ID)); return mi ? LV_FIELD_PREP(MEM_WIDTH, VALUE, mi->width) : 0;
    default: return 0;
    }
}

void lv_dev_mmio_write32(lv_dev_mmio *m, uint32_t offset, uint32_t value)
{
    if ((offset & 3u) || offset >= LV_REGS_ADDR_BYTES) return;
    int li = load_index(offset);
    if (li >= 0) {
        if (m->busy) {
            mmio_err(m, LV_REG_ERR_CODE_CODE_BUSY,
                  "write of load register %s ignored (BUSY): the loaded image cannot change during a run; wait for "
                  "STATUS.BUSY = 0 or write CTRL.STOP",
                  load_name[li]);
            return;
        }
        m->load[li] = value & field_mask(offset);
        m->core_dirty = 1;
        if (li == LR_CFG_DIMS || li == LR_CFG_FMT_C) m->load_state = 0; /* memory sizes / code widths change */
        else m->load_state &= ~LV_REG_LOAD_STATE_CONFIG_MASK;
        return;
    }
    switch (offset) {
    case LV_REG_CTRL_OFFSET: write_ctrl(m, value); break;
    case LV_REG_STATUS_OFFSET:
        if (value & LV_REG_STATUS_DONE_MASK) m->status &= ~LV_REG_STATUS_DONE_MASK;
        if (value & LV_REG_STATUS_ERROR_MASK) {
            m->status &= ~LV_REG_STATUS_ERROR_MASK;
            m->err_code = 0;
            m->msg.msg[0] = '\0';
        }
        break;
    case LV_REG_CONFIG_CRC_OFFSET:
        m->config_crc = value & field_mask(offset);
        commit_config(m);
        break;
    case LV_REG_SEED_LO_OFFSET: m->seed_lo = value & field_mask(offset); break;
    case LV_REG_SEED_HI_OFFSET: m->seed_hi = value & field_mask(offset); break;
    case LV_REG_TICKS_OFFSET: m->ticks = value & field_mask(offset); break;
    case LV_REG_TICK0_OFFSET: m->tick0 = value & field_mask(offset); break;
    case LV_REG_LOAD_CRC_OFFSET:
        m->load_crc = value & field_mask(offset);
        commit_memory(m);
        break;
    case LV_REG_MEM_SEL_OFFSET:
        m->mem_sel = LV_FIELD_PREP(MEM_SEL, ID, LV_FIELD_GET(value, MEM_SEL, ID));
        restart_stream(m);
        break;
    case LV_REG_MEM_ADDR_OFFSET:
        m->mem_addr = LV_FIELD_GET(value, MEM_ADDR, ADDR);
        restart_stream(m);
        break;
    case LV_REG_MEM_WDATA_OFFSET: port_write(m, value); break;
    default: break; /* read-only or unmapped: ignored */
    }
}
