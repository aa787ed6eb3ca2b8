/* device_mmio.h - the emulated device behind its 32-bit register interface
 * (docs/register-map.md, generated from regmap/langevin_device.json), so a
 * driver can drive the emulator exactly as it drives the FPGA's AXI4-Lite
 * slave.  Design notes: docs/emulator-mmio.md.
 *
 * Contract:
 *  - One lv_dev_mmio is one chip running one trajectory (batch 1).  Every
 *    register, field, memory and error code of the map is implemented with
 *    its access type and reset value; offsets and masks come from the
 *    generated lv_regs.h only.
 *  - read32 / write32 take a byte offset in the 4 KiB window.  Unaligned or
 *    out-of-window offsets, like unmapped ones, read 0 and ignore writes
 *    (the AXI slave answers SLVERR there; this interface has no response
 *    channel).  Reads of STATUS (with poll_ticks), MEM_RDATA and the _LO
 *    halves of V0, V, Q have side effects, exactly as on the bus.
 *  - Runs are asynchronous, as the map's run sequence implies (BUSY, STOP,
 *    STATE readable while running): writing CTRL.START does the START
 *    actions (TICK = TICK0, Q and the saturation counters cleared, V(x)
 *    measured into V and latched in V0) and sets STATUS.BUSY; ticks then
 *    happen only in lv_dev_mmio_step, or, with opts->poll_ticks > 0, after
 *    each read of STATUS (the read returns the status first, so a polling
 *    driver always sees BUSY at least once).  Between steps the registers
 *    and the STATE memory show the last completed tick; STOP therefore ends
 *    the run at once (BUSY = 0, DONE = 1).  lv_dev_mmio_step(m, UINT32_MAX)
 *    completes a run synchronously.
 *  - The device core (device.h) is built from the committed registers and
 *    memories at START, and rebuilt only when a load register or an image
 *    memory was written since (or CTRL.COLOUR_EN changed).  A run through
 *    the registers gives the bits of lv_dev_create / lv_dev_reset /
 *    lv_dev_set_state / lv_dev_run on the same image, seed and instance.
 *  - Emulator-only: coupling mismatch (opts->instance, docs/fixed-point.md
 *    §7) and lv_dev_mmio_error_message, a sentence explaining ERR_CODE.
 *  - No global state; an lv_dev_mmio is not thread-safe (one bus master).
 */
#ifndef LV_DEVICE_MMIO_H
#define LV_DEVICE_MMIO_H

#include <stdint.h>

#include "device.h"
#include "err.h"

typedef struct lv_dev_mmio lv_dev_mmio;

typedef struct {
    /* Coupling mismatch and noise-DAC errors of this chip instance (emulator
     * only); NULL = the ideal chip.  Copied at creation and checked with
     * lv_dev_instance_check. */
    const lv_dev_instance *instance;
    /* Ticks a busy run advances after each read of STATUS (0: runs advance
     * only in lv_dev_mmio_step).  Lets an unmodified polling driver run. */
    uint32_t poll_ticks;
} lv_dev_mmio_opts;

/* A device in its reset state (every register at its reset value, memories
 * zero).  opts may be NULL (ideal chip, poll_ticks = 0).  Allocates the
 * memories at the map's capacity (MAX_M couplings: 16 MiB, touched only as
 * written).  Returns NULL with err set on failure. */
lv_dev_mmio *lv_dev_mmio_create(const lv_dev_mmio_opts *opts, lv_error *err);
void lv_dev_mmio_free(lv_dev_mmio *m);

uint32_t lv_dev_mmio_read32(lv_dev_mmio *m, uint32_t offset);
void lv_dev_mmio_write32(lv_dev_mmio *m, uint32_t offset, uint32_t value);

/* Advance a started run by up to max_ticks ticks (each tick: noise, state
 * update, field pass; the step ends with the measure pass, so V, Q and the
 * counters are complete).  When TICKS ticks are done the run ends (BUSY = 0,
 * DONE = 1), also within this call; a run of TICKS = 0 ends at the first
 * step.  Returns the ticks advanced (0 when idle). */
uint32_t lv_dev_mmio_step(lv_dev_mmio *m, uint32_t max_ticks);

/* The sentence behind the current ERR_CODE (what was refused and how to fix
 * it), or "" when STATUS.ERROR is clear.  Emulator-only diagnostics. */
const char *lv_dev_mmio_error_message(const lv_dev_mmio *m);

#endif
