/* cli_chip.h - the emulated chip instance on the command line: the options
 * that describe a chip's analog errors (docs/fixed-point.md §7 "chip
 * instance") and their conversion into an lv_dev_instance for one image.
 *
 * Options (long names, shared by the commands that run emulated chips):
 *   --chip-seed N  --mismatch S  --gain-spread S  --gain-error E  --offset-spread F
 * cli_chip_option returns 1 when it consumed the option (with *bad set on a
 * bad value), 0 when the option is not one of these. */
#ifndef LV_CLI_CHIP_H
#define LV_CLI_CHIP_H

#include <getopt.h>
#include <stdint.h>

#include "device.h"
#include "device_image.h"
#include "err.h"

typedef struct {
    uint64_t seed; /* instance seed (default 1) */
    double sm;     /* coupling mismatch, relative sigma */
    double gs;     /* per-unit noise-gain error, relative sigma */
    double ge;     /* global noise-gain error, relative */
    double os;     /* per-unit noise offset, sigma as an equivalent force (like a bias) */
} cli_chip;

/* getopt_long codes of the chip options start here; CLI_CHIP_OPTIONS goes
 * into a command's option table. */
enum { CLI_CHIP_O_SEED = 900, CLI_CHIP_O_SM, CLI_CHIP_O_GS, CLI_CHIP_O_GE, CLI_CHIP_O_OS };
#define CLI_CHIP_OPTIONS                                                                                         \
    {"chip-seed", required_argument, 0, CLI_CHIP_O_SEED}, {"mismatch", required_argument, 0, CLI_CHIP_O_SM},     \
        {"gain-spread", required_argument, 0, CLI_CHIP_O_GS}, {"gain-error", required_argument, 0, CLI_CHIP_O_GE}, \
        {"offset-spread", required_argument, 0, CLI_CHIP_O_OS}

/* --help text of the options (one block, two-space indent). */
extern const char cli_chip_help[];

cli_chip cli_chip_default(void);
int cli_chip_option(const char *cmd, int code, const char *arg, cli_chip *c, int *bad);
/* Any error injected (an ideal chip otherwise)? */
int cli_chip_injected(const cli_chip *c);
/* The instance for an image (the offset spread converted from a force into
 * Q16.16 state LSBs per tick with the image's mu dt and Fx), checked with
 * lv_dev_instance_check.  0, or -1 with err set. */
int cli_chip_instance(const cli_chip *c, const lv_dev_image *img, lv_dev_instance *inst, lv_error *err);

#endif
