/* lv_cal.h - the calibration record of one chip and how it is applied to a
 * device image (docs/calibration.md).
 *
 * A record holds what calibration measured on one chip, in chip units that
 * do not depend on the image that will run on it:
 *  - a global noise-gain trim factor (the GAIN register is multiplied by it),
 *  - a global OFFSET trim (Q16.16 state LSBs added to the OFFSET register),
 *  - per unit: effective temperature, gain error and noise offset (state
 *    LSBs per tick) with their standard errors,
 *  - optionally, per stored coupling (docs/fixed-point.md §3 order), the
 *    estimated relative error d of the coupling element and its standard
 *    error.
 *
 * Contract:
 *  - lv_cal_read parses the JSON file (schema in docs/calibration.md),
 *    checks its format name, version, CRC-32 and every field's type, length
 *    and range before touching *rec: on failure *rec is unchanged and
 *    nothing leaks.  On success the caller frees *rec with lv_cal_free.
 *  - lv_cal_write writes atomically (host/src/fileio.h): on failure an
 *    existing file at path is untouched.
 *  - lv_cal_apply changes img in place: GAIN = round(GAIN * gain_trim),
 *    OFFSET += offset_trim, each unit's residual noise offset r_i (after the
 *    global trim), weighted by w_i = lv_cal_offset_weights (an estimate no
 *    better than the spread it measures is folded in only partly), folded
 *    into its bias code as the constant force that cancels it (a bias block whose
 *    codes cannot hold the trimmed biases gets a smaller exponent, its codes
 *    requantized: more range, coarser steps), and every coupling
 *    code pre-distorted, c' = round(c / (1 + d)), when the record has
 *    couplings.  It refuses (img untouched) a record for other unit counts or
 *    connectivity, a trim that does not fit its register (or the bias codes
 *    even at exponent -16), or a
 *    result the device would refuse (lv_dev_image_validate).  The in-memory
 *    image carries no CRC: lv_dev_image_encode / _write compute them, so a
 *    trimmed image loads through the firmware like any other.
 *  - lv_cal_free releases the arrays and zeroes *rec (safe twice, and on a
 *    zeroed record).
 * All fallible functions return 0, or -1 with a sentence in err.  No global
 * state. */
#ifndef LV_CAL_H
#define LV_CAL_H

#include <stddef.h>
#include <stdint.h>

#include "device_image.h"
#include "err.h"

#define LV_CAL_FORMAT "langevin-calibration"
#define LV_CAL_VERSION 1

typedef struct {
    double kT, kT_err;          /* effective temperature (energy units), untrimmed chip */
    double gain_error;          /* sqrt(kT / mean kT) - 1: relative noise-gain error vs the chip mean */
    double offset_lsb, offset_err; /* noise offset, state LSBs per tick (untrimmed OFFSET register) */
} lv_cal_unit;

typedef struct {
    /* The device the record was measured on (the record applies to images of
     * the same unit counts; couplings need the same connectivity). */
    int nv, nh, vv;
    int fx;                 /* state fraction bits of the calibration runs */
    uint32_t k;             /* mu*dt (Q0.32) of the calibration runs */
    double kT_target;       /* temperature the gain trim aims at */
    char chip[128];         /* free text naming the chip (e.g. emulated instance); may be "" */
    double gain_trim;       /* GAIN' = round(GAIN * gain_trim), > 0 */
    int32_t offset_trim;    /* OFFSET' = OFFSET + offset_trim (Q16.16 state LSBs) */
    int n_units;            /* nv + nh */
    lv_cal_unit *units;     /* [n_units] */
    size_t m;               /* stored couplings with an estimate; 0 = no coupling calibration */
    double *coupling_d;     /* [m] relative error of each coupling element */
    double *coupling_d_err; /* [m] its standard error */
} lv_cal_record;

/* What lv_cal_apply_stats reports about an application. */
typedef struct {
    uint32_t gain_before, gain_after;
    int32_t offset_before, offset_after;
    int bias_changed;          /* units whose bias code changed */
    double bias_trim_max;      /* largest |bias change| in force units */
    size_t couplings_changed;  /* coupling codes that changed */
    size_t couplings_clipped;  /* codes whose trimmed value was clipped to the BJ range */
    int eb_before[2], eb_after[2]; /* bias exponents (visible, hidden): lowered when the trims need range */
} lv_cal_apply_info;

int lv_cal_read(const char *path, lv_cal_record *rec, lv_error *err);
int lv_cal_write(const char *path, const lv_cal_record *rec, lv_error *err);
void lv_cal_free(lv_cal_record *rec);

/* Allocate the arrays of a record for nv + nh units and m couplings (m may
 * be 0), zero-filled; the scalar fields are set to neutral trims
 * (gain_trim 1, offset_trim 0). */
int lv_cal_alloc(lv_cal_record *rec, int nv, int nh, int vv, size_t m, lv_error *err);

/* Check a record's fields (counts, finiteness, ranges). */
int lv_cal_check(const lv_cal_record *rec, lv_error *err);

/* Weights of the per-unit offset folding: w_i = s2 / (s2 + SE_i^2), s2 the
 * spread of the residual offsets across units minus the mean squared
 * standard error (0 when the errors explain it all); 1 when all SE are 0.
 * w has n_units entries. */
void lv_cal_offset_weights(const lv_cal_record *rec, double *w);

int lv_cal_apply(const lv_cal_record *rec, lv_dev_image *img, lv_error *err);
/* lv_cal_apply, also telling what changed (stats may be NULL). */
int lv_cal_apply_stats(const lv_cal_record *rec, lv_dev_image *img, lv_cal_apply_info *stats, lv_error *err);

#endif
