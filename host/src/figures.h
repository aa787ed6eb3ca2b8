/* figures.h - the paper's pictures as PNG files.
 *   noising strip   (Fig. 1a)  lv_fig_noising
 *   training digits (Fig. 1b)  lv_fig_digits
 *   generation strips (Fig. 2a), sample grid (Fig. 2b)  from lv_gen_result
 *   receptive fields (Fig. 2c) lv_fig_fields: the 16 hidden units with the
 *       largest visible-coupling norm, red negative / blue positive
 * Unit activations use the paper's colours: positive blue, negative white.
 */
#ifndef LV_FIGURES_H
#define LV_FIGURES_H

#include <stdint.h>

#include "generate.h"
#include "model.h"

int lv_fig_noising(const char *path, const lv_model *m, int digit, int snapshots, uint64_t seed,
                   lv_error *err);
int lv_fig_digits(const char *path, const lv_model *m, lv_error *err);
int lv_fig_strips(const char *path, const lv_model *m, const lv_gen_result *r, lv_error *err);
int lv_fig_grid(const char *path, const lv_model *m, const lv_gen_result *r, int side, lv_error *err);
int lv_fig_fields(const char *path, const lv_model *m, int count, lv_error *err);

#endif
