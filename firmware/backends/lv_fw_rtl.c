/* lv_fw_rtl.c - the Verilated-RTL backend.  See lv_fw_rtl.h. */
#include "lv_fw_rtl.h"

#include "lv_regs.h"

static uint32_t rtl_read32(void *ctx, uint32_t offset)
{
    lv_fw_rtl *r = ctx;
    int resp = 0;
    uint32_t v = lvaxi_read(r->h, offset, &resp);
    r->reads++;
    if (resp != LVAXI_OKAY) {
        r->bus_errors++;
        r->last_bad_offset = offset;
    }
    return v;
}

static void rtl_write32(void *ctx, uint32_t offset, uint32_t value)
{
    lv_fw_rtl *r = ctx;
    int resp = lvaxi_write(r->h, offset, value, 0xFu);
    r->writes++;
    if (resp != LVAXI_OKAY) {
        r->bus_errors++;
        r->last_bad_offset = offset;
    }
}

static int rtl_wait(void *ctx)
{
    lv_fw_rtl *r = ctx;
    const uint64_t step = r->step_cycles ? r->step_cycles : 64u;
    const uint64_t budget = r->budget_cycles ? r->budget_cycles : (uint64_t)1 << 26;
    const uint64_t start = lvaxi_cycles(r->h);
    r->waits++;
    for (;;) {
        lvaxi_idle(r->h, step);
        /* A STATUS read has no side effect on the RTL slave. */
        int resp = 0;
        uint32_t st = lvaxi_read(r->h, LV_REG_STATUS_OFFSET, &resp);
        const uint64_t spent = lvaxi_cycles(r->h) - start;
        if (resp != LVAXI_OKAY) {
            r->bus_errors++;
            r->last_bad_offset = LV_REG_STATUS_OFFSET;
            r->wait_cycles += spent;
            return 1;
        }
        if (!(st & LV_REG_STATUS_BUSY_MASK)) {
            r->wait_cycles += spent;
            return 0;
        }
        if (spent >= budget) {
            r->wait_cycles += spent;
            return 1;
        }
    }
}

void lv_fw_rtl_hal(lv_fw_hal *hal, lv_fw_rtl *rtl)
{
    hal->read32 = rtl_read32;
    hal->write32 = rtl_write32;
    hal->wait = rtl_wait;
    hal->ctx = rtl;
}
