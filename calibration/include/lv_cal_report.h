/* lv_cal_report.h - the calibration report: a text file with the
 * before/after figures and PNG plots (host/src/plot.h), written into a
 * directory (created if needed; every file written atomically).
 *
 * Files: report.txt; temperature.png (kT per unit before / after trims vs
 * the target); offset.png (residual offset force per unit before / after);
 * mismatch.png (estimated coupling errors, with the chip's actual ones when
 * d_true is given: an emulated chip); colour.png when the image has colour.
 * d_true (may be NULL) is the chip's actual relative coupling error per
 * stored coupling, for an emulated chip's report.  The same summary is
 * printed to `summary` when it is not NULL.  0, or -1 with err set. */
#ifndef LV_CAL_REPORT_H
#define LV_CAL_REPORT_H

#include <stdio.h>

#include "device_image.h"
#include "err.h"
#include "lv_cal_run.h"

int lv_cal_report_write(const char *dir, const lv_dev_image *img, const lv_cal_result *res, const double *d_true,
                        FILE *summary, lv_error *err);
/* Only the text, to `out`. */
int lv_cal_report_write_summary(const lv_dev_image *img, const lv_cal_result *res, const double *d_true, FILE *out,
                                lv_error *err);

#endif
