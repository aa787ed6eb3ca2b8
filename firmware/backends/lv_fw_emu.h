/* lv_fw_emu.h - firmware HAL backend over the emulated device
 * (emu/src/device_mmio.h).  Host only.
 *
 * read32 / write32 go to lv_dev_mmio_read32 / write32; the wait hook is the
 * emulator's clock: each call advances a busy run by `step_ticks` ticks
 * (lv_dev_mmio_step), so the driver's polling loop runs the device exactly as
 * a board's loop waits for the FPGA. */
#ifndef LV_FW_EMU_H
#define LV_FW_EMU_H

#include <stdint.h>

#include "device_mmio.h"
#include "lv_fw_hal.h"

typedef struct {
    lv_dev_mmio *m;
    uint32_t step_ticks; /* ticks per wait call; 0 means 4096 */
} lv_fw_emu;

/* Fill hal with the emulator backend; emu must outlive hal. */
void lv_fw_emu_hal(lv_fw_hal *hal, lv_fw_emu *emu);

#endif
