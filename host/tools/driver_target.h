/* driver_target.h - the devices the firmware driver can be pointed at from
 * the host, behind one handle: the register-level emulated device, the
 * Verilated RTL (rtl/langevin_axi.v) and a board's register window mapped
 * through Linux UIO or /dev/mem.
 *
 * Contract: lv_target_open builds the backend and fills a firmware HAL
 * (lv_target_hal) that lv_fw_init takes; the caller then speaks only the
 * driver (firmware/include/lv_fw.h), so what the CLI tests is what a board
 * runs.  The emulated device and the RTL live inside this process: what a
 * load leaves on them ends with lv_target_close.  A board keeps its image
 * after the process exits.
 *
 *  - emu: `inst` (may be NULL) gives a chip instance with mismatch.
 *  - rtl: exists when this build found Verilator (lv_target_rtl_available);
 *    otherwise opening it fails with a sentence saying so.  The RTL has no
 *    analog errors: an instance with mismatch is refused.  `cycle_budget`
 *    bounds the clock cycles one run may take (0: 2^40).
 *  - uio: maps `path` (/dev/uioN or /dev/mem) at `offset`, 4 KiB.
 * Errors: -1 with a sentence in err. */
#ifndef LV_DRIVER_TARGET_H
#define LV_DRIVER_TARGET_H

#include <stdint.h>
#include <sys/types.h>

#include "device.h"
#include "err.h"
#include "lv_fw_hal.h"

typedef enum { LV_TARGET_EMU, LV_TARGET_RTL, LV_TARGET_UIO } lv_target_kind;

typedef struct {
    lv_target_kind kind;
    const lv_dev_instance *inst; /* emu */
    uint64_t cycle_budget;       /* rtl */
    const char *path;            /* uio */
    off_t offset;                /* uio */
} lv_target_opts;

typedef struct lv_target lv_target;

/* Parse "emu", "rtl" or "uio:PATH" (offset 0; set o->offset after). */
int lv_target_parse(const char *spec, lv_target_opts *o, lv_error *err);
int lv_target_rtl_available(void);

int lv_target_open(lv_target **t, const lv_target_opts *o, lv_error *err);
void lv_target_close(lv_target *t);
const lv_fw_hal *lv_target_hal(const lv_target *t);
const char *lv_target_name(const lv_target *t); /* "emulated device", "Verilated RTL (P = 3)", "/dev/uio0" */

/* Bus activity since open (all targets count their own register accesses;
 * cycles only on the RTL, else 0). */
typedef struct {
    uint64_t reads, writes, cycles, bus_errors;
} lv_target_stats;
void lv_target_get_stats(const lv_target *t, lv_target_stats *s);

#endif
