/* dataset.h - choosing and normalising training digits from IDX files.
 *
 * Selection: either explicit dataset indices, or for each requested class
 * the first `per_class` images of that class in file order (deterministic,
 * so a model can be retrained from its metadata).  Each chosen image is
 * scaled to [0,1] and normalised to zero mean and unit variance (paper).
 */
#ifndef LV_DATASET_H
#define LV_DATASET_H

#include <stdint.h>

#include "err.h"

typedef struct {
    int n, rows, cols;
    double *digits;   /* n x rows*cols, normalised */
    int32_t *labels;  /* n */
    int32_t *index;   /* n: position in the IDX file */
} lv_digit_set;

/* classes/nclasses: classes to take (per_class each), or NULL; indices/
 * nindices: explicit image indices, or NULL (exactly one of the two). */
int lv_digits_select(const char *images_path, const char *labels_path, const int *classes,
                     int nclasses, int per_class, const int *indices, int nindices, lv_digit_set *out,
                     lv_error *err);
void lv_digit_set_free(lv_digit_set *s);

/* Normalise n pixels (0..255) to zero mean, unit variance; -1 if constant. */
int lv_normalise_pixels(const uint8_t *pix, int n, double *out, lv_error *err);

#endif
