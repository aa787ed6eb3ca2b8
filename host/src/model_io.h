/* model_io.h - float models and training checkpoints as safetensors.
 *
 * A model file holds the tensors Wvh [nv,nh], Whh [nh,nh] (full symmetric,
 * zero diagonal), bh [nh], bv [nv], optionally Wvv [nv,nv], and the training
 * digits (digits [n,nv] F64, digit_labels/digit_index [n] I32), all F64
 * unless stated; every physical parameter and the noising protocol are in
 * __metadata__ (see docs/model-format.md).  A checkpoint is a model file plus
 * the optimiser state (opt.m.*, opt.v.* tensors and opt.* metadata).
 * Loading validates everything (shapes against the metadata, finiteness,
 * symmetry) and fails with a message naming the file and the problem.
 */
#ifndef LV_MODEL_IO_H
#define LV_MODEL_IO_H

#include "model.h"

#define LV_MODEL_FORMAT "langevin.model"
#define LV_MODEL_FORMAT_VERSION 1

typedef struct {
    int present;        /* 1 when saving/loaded an optimiser state */
    int adam;
    double lr, beta1, beta2, eps, grad_clip;
    int window;
    int64_t step;       /* Adam step count */
    lv_params *m1, *m2; /* moments (saved from / loaded into; caller allocates) */
    int64_t epochs_target;
    /* Training log rows (history_rows x history_cols), so a resumed run
     * rewrites exactly the log of the epochs it keeps.  lv_opt_load
     * malloc's history (caller frees). */
    double *history;
    int64_t history_rows;
    int history_cols;
} lv_opt_state;

int lv_model_save(const char *path, const lv_model *m, const lv_opt_state *opt, lv_error *err);
/* Load a model into an uninitialised m (lv_model_free it afterwards). */
int lv_model_load(const char *path, lv_model *m, lv_error *err);
/* Load the optimiser state of a checkpoint saved for model m into opt
 * (opt->m1/m2 allocated by the caller for m's shape).  opt->present = 0
 * when the file has none (a plain model file). */
int lv_opt_load(const char *path, const lv_model *m, lv_opt_state *opt, lv_error *err);

#endif
