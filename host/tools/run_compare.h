/* run_compare.h - what `langevin sweep` and `langevin report` measure on a
 * generation run, and how two runs on common random numbers differ.
 *
 * Contract: lv_run_measure summarises one run (heat in kT, quality against
 * the model's training digits when it has them).  lv_run_compare compares a
 * run with a reference run of the same n whose trajectory j used the same
 * random numbers (crn_float.h): KS distance of the Q_end distributions,
 * relative difference of the means, per-trajectory paired differences and
 * the fraction of trajectories that end on the same digit with the same
 * sign.  Heat arrays in lv_gen_result are in energy units; kT converts.
 */
#ifndef LV_RUN_COMPARE_H
#define LV_RUN_COMPARE_H

#include "generate.h"
#include "model.h"
#include "quality.h"
#include "stats.h"

typedef struct {
    long n;
    lv_summary q_end, q_path;     /* kT */
    double end_path_abs_mean;     /* mean |Q_end - Q_path|, kT */
    double end_path_abs_max;
    double dV_mean;               /* mean (V(x_f) - V(x_0)) = -mean Q_end, kT */
    int has_quality;
    lv_quality q;                 /* owned; valid when has_quality */
} lv_run_stats;

int lv_run_measure(const lv_model *m, const lv_gen_result *r, lv_run_stats *s, lv_error *err);
void lv_run_stats_free(lv_run_stats *s);

typedef struct {
    double ks;            /* two-sample KS distance of Q_end */
    double rel_mean;      /* (mean - ref mean) / ref mean */
    double paired_mean;   /* mean over j of Q_end[j] - ref Q_end[j], kT */
    double paired_sem;    /* its standard error */
    double paired_abs;    /* mean |Q_end[j] - ref Q_end[j]|, kT */
    double same_outcome;  /* fraction with equal best digit and sign (NAN without quality) */
} lv_run_cmp;

/* a and ref must have the same n. */
int lv_run_compare(const lv_gen_result *a, const lv_run_stats *sa, const lv_gen_result *ref,
                   const lv_run_stats *sref, double kT, lv_run_cmp *c, lv_error *err);

#endif
