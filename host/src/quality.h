/* quality.h - sample quality of generated digits (defined in docs/quality.md).
 *
 * For each sample s (visible units, nv values) and training digit d:
 *   r(s, d) = Pearson correlation of s with d.
 * best(s) = the digit with the largest |r| (sign inversion allowed: the
 * paper observes inverted digits because the normalised pixels are roughly
 * symmetric about zero), match(s) = |r(s, best(s))|.
 * Reported: mean match, fraction of samples with match > 0.5 and > 0.7,
 * coverage (fraction of samples whose best digit is d, for each d), the
 * fraction whose best correlation is negative (inverted), the fraction of
 * near-copies (match >= 0.95) as the novelty figure, and the mean over
 * samples of the largest |r| with another sample (diversity; 1 = all alike).
 */
#ifndef LV_QUALITY_H
#define LV_QUALITY_H

#include "err.h"

#define LV_COPY_THRESHOLD 0.95

typedef struct {
    long n;
    int ndigits;
    double mean_match, frac_above_05, frac_above_07;
    double *coverage;      /* ndigits fractions, sum 1 */
    double min_coverage;   /* smallest entry of coverage */
    double frac_inverted;
    double frac_copies;    /* match >= LV_COPY_THRESHOLD */
    double mean_sample_nn; /* mean max |r| with another sample (NAN if n < 2) */
    int *best;             /* n: index of best digit */
    double *r_best;        /* n: signed r with best digit */
} lv_quality;

int lv_quality_eval(const double *samples, long n, int nv, const double *digits, int ndigits,
                    lv_quality *q, lv_error *err);
void lv_quality_free(lv_quality *q);

#endif
