/* cli_chip.c - emulated chip options (see cli_chip.h). */
#include "cli_chip.h"

#include <math.h>

#include "cli.h"

const char cli_chip_help[] =
    "  --chip-seed N     instance seed of the chip's errors (default 1)\n"
    "  --mismatch S      coupling mismatch, relative sigma, 0..0.16 (default 0)\n"
    "  --gain-spread S   per-unit noise-gain error, relative sigma, 0..0.16 (default 0)\n"
    "  --gain-error E    global noise-gain error, relative, -0.49..0.49 (default 0)\n"
    "  --offset-spread F per-unit noise offset, sigma as an equivalent force\n"
    "                    (energy/length, like a bias), >= 0 (default 0)\n";

cli_chip cli_chip_default(void) { return (cli_chip){.seed = 1}; }

int cli_chip_option(const char *cmd, int code, const char *arg, cli_chip *c, int *bad)
{
    /* The upper bounds keep every coupling's sign and every unit's gain
     * positive (lv_dev_instance_check states the exact joint condition). */
    switch (code) {
    case CLI_CHIP_O_SEED: *bad = cli_u64(cmd, "--chip-seed", arg, &c->seed); return 1;
    case CLI_CHIP_O_SM: *bad = cli_double(cmd, "--mismatch", arg, 0, 10922.0 / 65536, &c->sm); return 1;
    case CLI_CHIP_O_GS: *bad = cli_double(cmd, "--gain-spread", arg, 0, 10922.0 / 65536, &c->gs); return 1;
    case CLI_CHIP_O_GE: *bad = cli_double(cmd, "--gain-error", arg, -0.49, 0.49, &c->ge); return 1;
    case CLI_CHIP_O_OS: *bad = cli_double(cmd, "--offset-spread", arg, 0, 1e6, &c->os); return 1;
    default: return 0;
    }
}

int cli_chip_injected(const cli_chip *c) { return c->sm > 0 || c->gs > 0 || c->ge != 0 || c->os > 0; }

int cli_chip_instance(const cli_chip *c, const lv_dev_image *img, lv_dev_instance *inst, lv_error *err)
{
    /* Offset as a force F: per tick it moves the state by F mu dt, i.e.
     * F (K / 2^32) 2^Fx state LSBs, held in Q16.16. */
    const double so = c->os * (img->k * 0x1p-32) * ldexp(1, img->fx) * 65536.0;
    if (so >= 268435456.0)
        return lv_fail(err, "--offset-spread %g is %.3g state LSBs per tick for this image, beyond the emulator's "
                            "limit (2^12 LSBs): use a smaller spread",
                       c->os, so / 65536.0);
    *inst = (lv_dev_instance){.seed = c->seed,
                              .sm = (uint32_t)lround(c->sm * 65536.0),
                              .sg = (uint32_t)lround(c->gs * 65536.0),
                              .ge = (int32_t)lround(c->ge * 65536.0),
                              .so = (uint32_t)lround(so)};
    return lv_dev_instance_check(inst, err);
}
