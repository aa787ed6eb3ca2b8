/* lv_fw_hal.h - the hardware abstraction the firmware driver runs on.
 *
 * C99, freestanding (<stdint.h> only).  A board port fills one lv_fw_hal:
 *  - read32 / write32: one aligned 32-bit access at a byte offset of the
 *    device's 4 KiB register window (docs/register-map.md).  On a board they
 *    are volatile loads/stores at base + offset; on a host they go to the
 *    emulator (firmware/backends/lv_fw_emu.h) or to a mapped UIO / /dev/mem
 *    region (firmware/backends/lv_fw_uio.h).  Accesses must happen in program
 *    order and exactly once each: MEM_RDATA, the _LO halves of V0/V/Q and
 *    (on the emulator) STATUS have side effects.
 *  - wait (optional, may be NULL): called by the driver each time it finds
 *    STATUS.BUSY set while waiting for a run to end.  A board can sleep until
 *    the device's interrupt (WFI), an RTOS can yield, the emulator backend
 *    advances its clock.  Return 0 to keep waiting, non-zero to abort the wait
 *    (the driver then returns LV_FW_E_WAIT_ABORTED).  NULL: busy polling.
 *  - ctx: passed to every callback unchanged.
 */
#ifndef LV_FW_HAL_H
#define LV_FW_HAL_H

#include <stdint.h>

typedef struct {
    uint32_t (*read32)(void *ctx, uint32_t offset);
    void (*write32)(void *ctx, uint32_t offset, uint32_t value);
    int (*wait)(void *ctx); /* optional */
    void *ctx;
} lv_fw_hal;

#endif
