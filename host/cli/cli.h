/* cli.h - shared helpers for the langevin subcommands: strict number
 * parsing (the whole string must be a finite number in range), error
 * printing, thread setup.  Exit codes: 0 success, 1 failure (bad file, bad
 * data, diverged run), 2 usage error. */
#ifndef LV_CLI_H
#define LV_CLI_H

#include <stdint.h>

#include "err.h"

#define LV_EXIT_OK 0
#define LV_EXIT_FAIL 1
#define LV_EXIT_USAGE 2

int cmd_data(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_generate(int argc, char **argv);
int cmd_heat(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_quantize(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_calibrate(int argc, char **argv);

/* Print "langevin <cmd>: <msg>" to stderr and return LV_EXIT_FAIL. */
int cli_fail(const char *cmd, const lv_error *err);
/* Print a usage error plus "try --help" and return LV_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int cli_double(const char *cmd, const char *opt, const char *s, double lo, double hi, double *out);
int cli_int(const char *cmd, const char *opt, const char *s, long lo, long hi, long *out);
int cli_u64(const char *cmd, const char *opt, const char *s, uint64_t *out);
/* --uio-offset: a page-aligned (4096) physical offset of a board's register
 * window (driver_target.h). */
int cli_uio_offset(const char *cmd, const char *s, long long *out);
/* Comma-separated integers in [lo, hi]; *out malloc'ed. */
int cli_int_list(const char *cmd, const char *opt, const char *s, long lo, long hi, int **out, int *n);

/* Apply --threads (0 = leave OpenMP's default). */
void cli_set_threads(int n);

struct cJSON;
/* Pretty-print a cJSON tree to path atomically. */
int lv_cli_write_json(const char *path, struct cJSON *root, lv_error *err);

/* Default data locations (relative to the current directory). */
#define LV_DEFAULT_IMAGES "data/mnist/train-images-idx3-ubyte"
#define LV_DEFAULT_LABELS "data/mnist/train-labels-idx1-ubyte"

#endif
