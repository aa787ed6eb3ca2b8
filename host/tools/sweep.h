/* sweep.h - the bookkeeping of `langevin sweep` (docs/sweep.md): axes and
 * their values, sweep points, the per-point configuration hash, the CSV row
 * format, and which widths keep quality and heat within tolerance.
 *
 * Contract: everything here is a pure function of its arguments (no I/O);
 * the CLI (host/cli/cmd_sweep.c) runs the points.
 *  - Axes: coupling bits (2..16), noise-DAC bits (2..14), state fraction
 *    bits (4..28; the state width follows, keeping the base point's integer
 *    bits), mismatch sigma (0 <= S < 10922/65536) and scale (block, row).
 *    A value list is comma-separated items, each a value or a range A:B
 *    (step 1) or A:B:STEP (STEP > 0; mismatch ranges need a step); values
 *    are sorted and de-duplicated.
 *  - Points: one axis at a time varies over its list, the other axes stay at
 *    the base point; a configuration reached from two axes is one point.
 *  - Hash: FNV-1a 64 of a canonical text of everything that changes a
 *    point's numbers (model file hash, n, seed, chip seed, every quantizer
 *    field, mismatch code); equal hash = reusable result.
 */
#ifndef LV_SWEEP_H
#define LV_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "quantize.h"

typedef enum { LV_AX_BITS = 0, LV_AX_DAC, LV_AX_FRAC, LV_AX_MISMATCH, LV_AX_SCALE, LV_AX_COUNT } lv_sweep_axis;

enum { LV_SWEEP_MAX_VALUES = 64, LV_SWEEP_MAX_POINTS = LV_AX_COUNT * LV_SWEEP_MAX_VALUES };

/* Name used on the command line and in files ("bits", "dac_bits",
 * "state_frac", "mismatch", "scale"). */
const char *lv_sweep_axis_name(lv_sweep_axis a);
/* Axis for a name (also accepts the CLI spellings with '-'); -1 if unknown. */
int lv_sweep_axis_from_name(const char *s);

typedef struct {
    int n;
    double v[LV_SWEEP_MAX_VALUES]; /* scale: 0 = block, 1 = row */
} lv_axis_values;

/* Parse a value list for axis a (syntax above); names the bad item. */
int lv_sweep_parse_values(lv_sweep_axis a, const char *s, lv_axis_values *out, lv_error *err);

/* A sweep point: quantizer options plus the chip's mismatch. */
typedef struct {
    lv_quant_opts q;
    uint32_t sm; /* mismatch sigma in Q0.16 (the device's register) */
} lv_sweep_point;

/* Value of axis a at point p (scale: 0/1, mismatch: sm / 65536). */
double lv_sweep_point_value(const lv_sweep_point *p, lv_sweep_axis a);
/* Set axis a of p to v (state_frac moves the state width with it). */
void lv_sweep_point_set(lv_sweep_point *p, lv_sweep_axis a, double v);
/* 1 if p equals base on every axis other than a. */
int lv_sweep_on_slice(const lv_sweep_point *p, const lv_sweep_point *base, lv_sweep_axis a);

/* Points of a one-axis-at-a-time sweep around base over the axes with
 * values (axes[a].n > 0), de-duplicated, in axis order.  Returns the count. */
int lv_sweep_points(const lv_sweep_point *base, const lv_axis_values axes[LV_AX_COUNT], lv_sweep_point *out,
                    int cap);

/* Run settings shared by all points of a sweep. */
typedef struct {
    uint64_t model_hash; /* FNV-1a 64 of the model file's bytes */
    long n;
    uint64_t seed, chip_seed;
} lv_sweep_run;

uint64_t lv_fnv1a64(const void *data, size_t n);
uint64_t lv_sweep_point_hash(const lv_sweep_run *run, const lv_sweep_point *p);

/* One CSV row: a point's configuration and what was measured. */
typedef struct {
    uint64_t hash;
    lv_sweep_run run;
    lv_sweep_point pt;
    int ok;                        /* 0: the quantizer or device refused the point (msg says why) */
    double mean_r, frac_r07, min_cov;
    int ndigits;
    double cov[16];
    double q_mean, q_std;          /* device heat Q_end, kT */
    double rel_heat;               /* (q_mean - float mean) / float mean */
    double ks;                     /* KS distance to the CRN float heat distribution */
    double paired_mean, paired_abs; /* mean of Q_dev - Q_float and of |Q_dev - Q_float| per trajectory, kT */
    double same_outcome;           /* fraction of trajectories whose best digit and sign match the float's */
    uint64_t sat_state, sat_force;
    double wall_s;
    char msg[256];
} lv_sweep_row;

/* The CSV header line (no newline). */
const char *lv_sweep_csv_header(void);
/* Format r as one CSV line (no newline) into buf; -1 if it does not fit. */
int lv_sweep_row_format(const lv_sweep_row *r, char *buf, size_t cap);
/* Parse one CSV line (without newline) into r; names the bad field. */
int lv_sweep_row_parse(const char *line, lv_sweep_row *r, lv_error *err);

/* Tolerances: a point passes when it ran, |rel_heat| <= heat, ks <= ks,
 * mean_r >= float mean_r - quality and min_cov >= float min_cov - coverage. */
typedef struct {
    double heat, ks, quality, coverage;
} lv_sweep_tol;

typedef struct {
    double mean_r, min_cov;
} lv_sweep_float_ref;

int lv_sweep_row_passes(const lv_sweep_row *r, const lv_sweep_float_ref *f, const lv_sweep_tol *t);

/* Along one axis: the smallest value v (largest for mismatch) such that
 * every point of the slice at or beyond v toward the fine end passes.
 * vals/pass: the slice's points sorted by value (n of them).
 * Returns the index of that point, or -1 if the finest point fails. */
int lv_sweep_threshold(lv_sweep_axis a, const double *vals, const int *pass, int n);

#endif
