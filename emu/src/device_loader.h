/* device_loader.h - a host-side helper that loads a device image into an
 * emulated device and runs the paper's protocol, through the register
 * interface only (docs/register-map.md, docs/emulator-mmio.md).
 *
 * Contract:
 *  - lv_dev_mmio_load_image validates img (lv_dev_image_validate), then
 *    follows the documented load sequence with read32 / write32 alone:
 *    check ID and VERSION.MAJOR, refuse a busy device, SOFT_RESET, write the
 *    ten load registers and read them back, commit CONFIG_CRC, and stream
 *    COUPLINGS, ROW_EXP, BIAS and BIAS_EXP through the memory port (words
 *    sign-extended to 32 bits, CRC-32 over the bus words), committing each
 *    with LOAD_CRC and reading it back.  Success means STATUS.IMAGE_VALID = 1
 *    and every word and register read back as written; any refusal names the
 *    step, ERR_CODE and the device's explanation.  The image's ticks_eq /
 *    ticks_run, physical parameters and digits are not device registers.
 *  - lv_dev_mmio_generate runs one trajectory of the two-phase protocol:
 *    COUPLE = 0, TICK0 = 0, TICKS = ticks_eq; then COUPLE = 1, TICK0 = the
 *    TICK the first phase reached, TICKS = ticks_run (V0 latched at that
 *    START).  COLOUR_EN is set when COLOUR_A is not 0.  It advances the run
 *    with lv_dev_mmio_step between STATUS polls (the emulator's clock) and
 *    reads back the STATE memory, V0, V, Q, TICK and the counters.  The
 *    result equals lv_dev_generate's trajectory for the same image, seed and
 *    instance: the device clears SAT_STATE / SAT_FORCE at each START, so the
 *    helper adds the two phases' counts (sticky at 2^32 - 1).
 *  - The firmware driver replaces this helper; it keeps to the documented
 *    sequences and uses no emulator internals.
 * Both return 0, or -1 with a sentence in err.
 */
#ifndef LV_DEVICE_LOADER_H
#define LV_DEVICE_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "device_image.h"
#include "device_mmio.h"
#include "err.h"

int lv_dev_mmio_load_image(lv_dev_mmio *m, const lv_dev_image *img, lv_error *err);

typedef struct {
    int nv, nh;                     /* from CFG_DIMS */
    int64_t v0, v, q;               /* V0, V, Q (Q31.32) after the coupled phase */
    uint32_t tick;                  /* TICK at the end (ticks_eq + ticks_run) */
    uint32_t sat_state, sat_force;  /* both phases, sticky sum */
} lv_dev_mmio_gen_result;

/* One trajectory with seed `seed` (SEED_HI:SEED_LO).  state (may be NULL)
 * receives the final codes of all nv + nh units, visible first; state_cap
 * is its capacity in words and must be at least nv + nh when state is not
 * NULL. */
int lv_dev_mmio_generate(lv_dev_mmio *m, uint64_t seed, uint32_t ticks_eq, uint32_t ticks_run, int32_t *state,
                         size_t state_cap, lv_dev_mmio_gen_result *res, lv_error *err);

#endif
