/* quantize.h - float model -> device image (docs/fixed-point.md, docs/quantize.md).
 *
 * Contract: lv_quantize turns a trained float model into integer codes and
 * formats the emulated device (and the RTL) load, and reports per block how
 * much was lost.  Couplings: BJ-bit symmetric codes with a power-of-two scale
 * per block (visible-hidden, hidden-hidden, visible-visible) or per stored
 * row; the scale exponent is the largest e with T * 2^e <= 2^(BJ-1) - 1,
 * T = max |w| (clip 100) or the given percentile of |w| (values above T
 * saturate, counted as clipped).  Rounding: to nearest, ties to even, or
 * stochastic (floor(w 2^e + u), u uniform from (seed, element)), so
 * E[code] = w 2^e.  Biases: Bb-bit codes, one exponent per block, never
 * clipped.  The result passes lv_dev_image_validate.  Deterministic.
 */
#ifndef LV_QUANTIZE_H
#define LV_QUANTIZE_H

#include <stdint.h>

#include "device_image.h"
#include "err.h"
#include "model.h"

typedef enum { LV_Q_SCALE_BLOCK = 0, LV_Q_SCALE_ROW = 1 } lv_q_scale;
typedef enum { LV_Q_ROUND_NEAREST_EVEN = 0, LV_Q_ROUND_STOCHASTIC = 1 } lv_q_round;

typedef struct {
    int bj;                 /* coupling bits 2..16 */
    lv_q_scale scale;
    lv_q_round round;
    uint64_t seed;          /* stochastic rounding */
    double clip_percentile; /* (0, 100]; 100 = max-abs, never clips */
    int bb;                 /* bias bits */
    double bias_headroom;   /* bias codes represent at least +-this (force units), room for calibration's
                               offset trims folded into the biases; 0 = just the model's biases */
    int wx, fx, wf, ff;     /* state and force formats */
    int bn;                 /* noise DAC bits */
    double gain_trim;       /* relative noise gain trim (calibration), 0 = none */
    int32_t offset;         /* noise offset, Q16.16 state LSBs (calibration) */
} lv_quant_opts;

/* Defaults: 8-bit couplings, per-block scales, nearest-even, max-abs,
 * 16-bit biases, state Q4.20 in 24 bits, force Q16.16 in 32 bits, 14-bit DAC. */
lv_quant_opts lv_quant_opts_default(void);

typedef struct {
    const char *name;       /* "vh", "hh", "vv", "bias_v", "bias_h" */
    size_t count;           /* values */
    int exp_min, exp_max;   /* scale exponents used (equal for per-block) */
    double max_abs;         /* largest |w| */
    double clip_frac;       /* fraction of values that saturated */
    double sqnr_db;         /* 10 log10(sum w^2 / sum (w - q)^2); INFINITY if exact */
    double max_err;         /* max |w - q| */
} lv_quant_block;

typedef struct {
    int n;
    lv_quant_block b[5];
} lv_quant_report;

int lv_quantize(const lv_model *m, const lv_quant_opts *o, lv_dev_image *img, lv_quant_report *rep,
                lv_error *err);

/* Dequantized coupling/bias values of an image as a float parameter set
 * (same layout as lv_params), for comparisons against the float model. */
int lv_dequantize_params(const lv_dev_image *img, lv_params *p, lv_error *err);

#endif
