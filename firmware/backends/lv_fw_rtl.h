/* lv_fw_rtl.h - firmware HAL backend over the Verilated RTL register slave
 * (rtl/langevin_axi.v through the C shim rtl/sim/lvaxi.h).  Host only;
 * built when Verilator is found (CMake target lv_fw_rtl, test builds).
 *
 * read32 / write32 are complete AXI4-Lite transactions (lvaxi_read /
 * lvaxi_write, full-word strobes), clocked cycle by cycle.  A response
 * other than OKAY is counted in bus_errors (last_bad_offset names it); the
 * HAL cannot return it, so a caller checks the counter.  The wait hook is the
 * model's clock: each call runs `step_cycles` idle cycles, then reads STATUS
 * over AXI, and repeats until STATUS.BUSY is clear (returns 0: the driver's
 * next poll sees the run ended) or `budget_cycles` cycles have passed in this
 * call (returns 1: the driver reports LV_FW_E_WAIT_ABORTED). */
#ifndef LV_FW_RTL_H
#define LV_FW_RTL_H

#include <stdint.h>

#include "lv_fw_hal.h"
#include "lvaxi.h"

typedef struct {
    lvaxi *h;               /* the model (lvaxi_create); not owned */
    uint32_t step_cycles;   /* idle cycles between STATUS peeks in wait; 0 means 64 */
    uint64_t budget_cycles; /* cycles one wait call may spend; 0 means 1 << 26 */
    /* Statistics / diagnostics. */
    uint64_t reads, writes, waits, wait_cycles;
    uint64_t bus_errors;     /* BRESP / RRESP != OKAY */
    uint32_t last_bad_offset;
} lv_fw_rtl;

/* Fill hal with the RTL backend; rtl must outlive hal. */
void lv_fw_rtl_hal(lv_fw_hal *hal, lv_fw_rtl *rtl);

#endif
