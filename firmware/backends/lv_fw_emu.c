/* lv_fw_emu.c - the emulator backend.  See lv_fw_emu.h. */
#include "lv_fw_emu.h"

static uint32_t emu_read32(void *ctx, uint32_t offset)
{
    return lv_dev_mmio_read32(((lv_fw_emu *)ctx)->m, offset);
}

static void emu_write32(void *ctx, uint32_t offset, uint32_t value)
{
    lv_dev_mmio_write32(((lv_fw_emu *)ctx)->m, offset, value);
}

static int emu_wait(void *ctx)
{
    lv_fw_emu *e = ctx;
    lv_dev_mmio_step(e->m, e->step_ticks ? e->step_ticks : 4096u);
    return 0;
}

void lv_fw_emu_hal(lv_fw_hal *hal, lv_fw_emu *emu)
{
    hal->read32 = emu_read32;
    hal->write32 = emu_write32;
    hal->wait = emu_wait;
    hal->ctx = emu;
}
