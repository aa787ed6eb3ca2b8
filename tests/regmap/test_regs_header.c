/* test_regs_header.c - the generated lv_regs.h is self-consistent and agrees
 * with the rest of the code base: register offsets unique, aligned and in
 * the window; every field's mask, shift, width and reset agree and fields do
 * not overlap; register resets are the OR of their fields'; memory IDs and
 * depths fit the memory port; the map's maximum sizes and memory widths hold
 * what docs/fixed-point.md and the device image allow. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "device_image_io.h"
#include "lv_regs.h"
#include "test_util.h"

typedef struct {
    const char *name;
    uint32_t offset, resval;
} reg_info;

typedef struct {
    const char *reg, *name;
    uint32_t offset, shift, width, mask, resval;
} field_info;

#define REG_ROW(R) {#R, LV_REG_##R##_OFFSET, LV_REG_##R##_RESVAL},
static const reg_info regs[] = {LV_REG_LIST(REG_ROW)};
#define FIELD_ROW(R, F)                                                                              \
    {#R, #F, LV_REG_##R##_OFFSET, LV_REG_##R##_##F##_SHIFT, LV_REG_##R##_##F##_WIDTH,               \
     LV_REG_##R##_##F##_MASK, LV_REG_##R##_##F##_RESVAL},
static const field_info fields[] = {LV_REG_FIELD_LIST(FIELD_ROW)};
#define MEM_ROW(M) {#M, LV_MEM_##M##_ID, LV_MEM_##M##_WIDTH, LV_MEM_##M##_DEPTH},
static const struct {
    const char *name;
    uint32_t id, width, depth;
} mems[] = {LV_MEM_LIST(MEM_ROW)};
#define CRC_ROW(R) LV_REG_##R##_OFFSET,
static const uint32_t crc_regs[] = {LV_CONFIG_CRC_LIST(CRC_ROW)};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

int main(void)
{
    /* Registers. */
    for (size_t i = 0; i < COUNT(regs); i++) {
        CHECK_MSG(regs[i].offset % 4 == 0, "%s offset 0x%x not aligned", regs[i].name, (unsigned)regs[i].offset);
        CHECK_MSG(regs[i].offset < LV_REGS_ADDR_BYTES, "%s outside the window", regs[i].name);
        if (i) CHECK_MSG(regs[i].offset > regs[i - 1].offset, "%s and %s: offsets not unique and ascending",
                         regs[i - 1].name, regs[i].name);
        for (size_t j = 0; j < i; j++) CHECK(strcmp(regs[i].name, regs[j].name) != 0);
    }
    CHECK(LV_REGS_ADDR_BYTES == (UINT32_C(1) << LV_REGS_ADDR_WIDTH));

    /* Fields. */
    for (size_t i = 0; i < COUNT(fields); i++) {
        const field_info *f = &fields[i];
        CHECK_MSG(f->width >= 1 && f->shift + f->width <= 32, "%s.%s bits", f->reg, f->name);
        uint32_t m = (uint32_t)((((uint64_t)1 << f->width) - 1) << f->shift);
        CHECK_MSG(m == f->mask, "%s.%s mask 0x%08x, want 0x%08x", f->reg, f->name, (unsigned)f->mask, (unsigned)m);
        CHECK_MSG(((uint64_t)f->resval >> f->width) == 0, "%s.%s reset does not fit", f->reg, f->name);
        for (size_t j = 0; j < i; j++)
            if (fields[j].offset == f->offset)
                CHECK_MSG((fields[j].mask & f->mask) == 0, "%s.%s overlaps %s.%s", f->reg, f->name, fields[j].reg,
                          fields[j].name);
    }
    for (size_t i = 0; i < COUNT(regs); i++) {
        uint32_t rv = 0;
        int nf = 0;
        for (size_t j = 0; j < COUNT(fields); j++)
            if (fields[j].offset == regs[i].offset) rv |= fields[j].resval << fields[j].shift, nf++;
        CHECK_MSG(nf > 0 && rv == regs[i].resval, "%s reset 0x%08x, fields give 0x%08x", regs[i].name,
                  (unsigned)regs[i].resval, (unsigned)rv);
    }

    /* Field helpers. */
    uint32_t ctrl = LV_FIELD_PREP(CTRL, COUPLE, 1) | LV_FIELD_PREP(CTRL, START, 1);
    CHECK(LV_FIELD_GET(ctrl, CTRL, COUPLE) == 1 && LV_FIELD_GET(ctrl, CTRL, COLOUR_EN) == 0);
    CHECK(LV_FIELD_GET(LV_REG_CFG_FMT_X_RESVAL, CFG_FMT_X, WX) == 24);
    CHECK(LV_FIELD_PREP(CFG_DIMS, NH, 0xFFFFFFFFu) == LV_REG_CFG_DIMS_NH_MASK);

    /* Memories and the port that reaches them. */
    for (size_t i = 0; i < COUNT(mems); i++) {
        CHECK(mems[i].id < (UINT32_C(1) << LV_REG_MEM_SEL_ID_WIDTH));
        CHECK(mems[i].depth >= 1 && (uint64_t)mems[i].depth <= ((uint64_t)1 << LV_REG_MEM_ADDR_ADDR_WIDTH));
        CHECK(mems[i].width >= 1 && mems[i].width <= 32);
        for (size_t j = 0; j < i; j++) CHECK_MSG(mems[i].id != mems[j].id, "%s and %s share an id", mems[i].name, mems[j].name);
    }
    CHECK(LV_REG_MEM_DEPTH_RESVAL == LV_MEM_COUPLINGS_DEPTH && LV_REG_MEM_WIDTH_RESVAL == LV_MEM_COUPLINGS_WIDTH &&
          LV_MEM_COUPLINGS_ID == LV_REG_MEM_SEL_RESVAL);
    /* LOAD_STATE bit i is memory i. */
    CHECK(LV_REG_LOAD_STATE_COUPLINGS_SHIFT == LV_MEM_COUPLINGS_ID && LV_REG_LOAD_STATE_ROW_EXP_SHIFT == LV_MEM_ROW_EXP_ID &&
          LV_REG_LOAD_STATE_BIAS_SHIFT == LV_MEM_BIAS_ID && LV_REG_LOAD_STATE_BIAS_EXP_SHIFT == LV_MEM_BIAS_EXP_ID &&
          LV_REG_LOAD_STATE_STATE_SHIFT == LV_MEM_STATE_ID);

    /* Agreement with the device image and docs/fixed-point.md §2-§3. */
    CHECK_MSG(LV_PARAM_MAX_N == LV_DEV_MAX_N, "map MAX_N %u, device image %d", (unsigned)LV_PARAM_MAX_N, LV_DEV_MAX_N);
    CHECK_MSG(LV_PARAM_MAX_M == LV_DEV_MAX_M, "map MAX_M %u, device image %u", (unsigned)LV_PARAM_MAX_M, LV_DEV_MAX_M);
    CHECK(LV_PARAM_MAX_ROWS == 2 * LV_PARAM_MAX_N);
    CHECK((uint64_t)LV_PARAM_MAX_N * (LV_PARAM_MAX_N - 1) / 2 <= LV_PARAM_MAX_M); /* all three blocks fit */
    CHECK(LV_MEM_COUPLINGS_WIDTH >= 16 && LV_MEM_BIAS_WIDTH >= 24 && LV_MEM_STATE_WIDTH >= 32);
    CHECK(LV_MEM_ROW_EXP_WIDTH >= 7 && LV_MEM_BIAS_EXP_WIDTH >= 7); /* -16..47 */
    CHECK(LV_MEM_BIAS_DEPTH == LV_PARAM_MAX_N && LV_MEM_STATE_DEPTH == LV_PARAM_MAX_N &&
          LV_MEM_ROW_EXP_DEPTH == LV_PARAM_MAX_ROWS && LV_MEM_BIAS_EXP_DEPTH == 2);
    CHECK(LV_REG_CFG_DIMS_NV_WIDTH >= 13 && LV_REG_CFG_DIMS_NH_WIDTH >= 13); /* 0..4096 */
    CHECK(LV_REG_CFG_FMT_X_WF_WIDTH >= 6 && LV_REG_CFG_FMT_C_BB_WIDTH >= 5 && LV_REG_CFG_FMT_C_BN_WIDTH >= 4);
    CHECK(LV_REG_COLOUR_C_C_WIDTH >= 16); /* ca = 2^15 for a = 0 */
    CHECK(LV_REG_ID_RESVAL == 0x4C414E47u && LV_REG_VERSION_MAJOR_RESVAL == 1);
    CHECK(LV_REG_K_RESVAL == 4294967u); /* round(1e-3 * 2^32) */

    /* The CONFIG_CRC list: load registers, each once.  Print the CRC of the
     * reset values as a worked example for firmware writers. */
    CHECK(COUNT(crc_regs) == 10);
    uint8_t bytes[4 * COUNT(crc_regs)];
    for (size_t i = 0; i < COUNT(crc_regs); i++) {
        uint32_t rv = 0;
        int found = 0;
        for (size_t j = 0; j < COUNT(regs); j++)
            if (regs[j].offset == crc_regs[i]) rv = regs[j].resval, found = 1;
        CHECK(found);
        for (size_t j = 0; j < i; j++) CHECK(crc_regs[j] != crc_regs[i]);
        for (int k = 0; k < 4; k++) bytes[4 * i + (size_t)k] = (uint8_t)(rv >> (8 * k));
    }
    printf("CONFIG_CRC of the reset values: 0x%08lx\n", crc32(0, bytes, (uInt)sizeof bytes));
    printf("%zu registers, %zu fields, %zu memories\n", COUNT(regs), COUNT(fields), COUNT(mems));
    return lv_test_report("test_regs_header");
}
