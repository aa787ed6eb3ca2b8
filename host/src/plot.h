/* plot.h - simple, readable PNG plots (histograms and line plots).
 *
 * Contract: each call renders an 800x500 picture - white background, framed
 * axes, outward tick marks labelled at "nice" values (1, 2, 5 x 10^k, or
 * decades on a log axis) spaced so labels never overlap, a title, axis
 * labels - and writes it atomically as a PNG (image.h).  Text that does not
 * fit is drawn smaller, then shortened with "...".  Title and labels may be
 * NULL.  Returns 0, or -1 with a sentence in *err (err.h); degenerate data
 * (one point, all values equal) gives a sensible plot, never a crash.
 */
#ifndef LV_PLOT_H
#define LV_PLOT_H

#include <stddef.h>

#include "err.h"

enum { LV_PLOT_WIDTH = 800, LV_PLOT_HEIGHT = 500, LV_PLOT_MAX_SERIES = 8 };

/* Histogram of n values into `bins` (1..100000) bins over the data range,
 * or over [lo,hi] if lo < hi (values outside are counted in a note on the
 * plot).  When marker_label != NULL a dashed vertical line is drawn at
 * `marker` (e.g. a paper's reported mean) and labelled; with an automatic
 * range the x axis widens to include it.  If all values are equal the plot
 * shows one bar centred on that value.  Values must be finite: NaN or
 * infinity is an error naming the first offending index; so are n == 0 and
 * a data range too wide for double arithmetic (e.g. -1e308..1e308). */
int lv_plot_histogram(const char *path, const double *x, size_t n, int bins, double lo, double hi,
                      const char *title, const char *xlabel, double marker,
                      const char *marker_label, lv_error *err);

/* Line plot of 1..8 series sharing one x array of n points (x must be
 * finite; it need not be sorted: points are joined in array order).  A
 * legend shows the series names (NULL name -> "series k") in the corner
 * that covers the fewest points.  Non-finite y values, and with logy != 0
 * non-positive ones, are skipped and break the line; isolated points are
 * drawn as dots.  It is an error if no point at all remains to plot. */
typedef struct {
    const char *name;
    const double *y;
} lv_series;

int lv_plot_lines(const char *path, const double *x, size_t n, const lv_series *series,
                  int nseries, const char *title, const char *xlabel, const char *ylabel, int logy,
                  lv_error *err);

#endif
