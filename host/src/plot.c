/* plot.c - histogram and line plots rendered with image.h/font.h; see plot.h.
 *
 * Layout: the title sits in the top margin, tick labels and the x label in
 * the bottom margin, the (rotated) y label and y tick labels in the left
 * margin, whose width is computed from the widest y tick label.  Tick steps
 * start fine and are coarsened until neighbouring labels clear each other.
 */
#include "plot.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "font.h"
#include "image.h"

enum {
    TS = 2,          /* text scale for everything on a plot */
    MAX_TICKS = 128, /* minor log ticks need >= 66 px per decade: <= 6 x 9 + 1 */
    TICK_LEN = 6,
    MINOR_LEN = 3,
    TOP = 42,                             /* title row plus a gap */
    BOTTOM = TICK_LEN + 4 + 16 + 10 + 16 + 10, /* ticks, labels, x label */
    RIGHT = 30,
    MAX_BINS = 100000
};

static const lv_rgb WHITE = {255, 255, 255}, INK = {30, 30, 30}, FRAME = {60, 60, 60},
                    GRID = {232, 232, 232}, BAR = {76, 130, 190}, BAR_EDGE = {40, 84, 140},
                    MARKER = {200, 30, 30}, LEGEND_EDGE = {170, 170, 170};

/* Colour-blind-friendly-ish categorical palette (matplotlib's tab10). */
static const lv_rgb PALETTE[LV_PLOT_MAX_SERIES] = {
    {31, 119, 180}, {255, 127, 14}, {44, 160, 44},   {214, 39, 40},
    {148, 103, 189}, {140, 86, 75}, {227, 119, 194}, {127, 127, 127}};

typedef struct {
    double v;       /* position in axis units (log10 of the value on a log axis) */
    int major;      /* major ticks get a grid line and a longer mark */
    char label[24]; /* empty: unlabelled */
} tick;

typedef struct {
    double lo, hi; /* axis range in axis units */
    int nt;
    tick t[MAX_TICKS];
} axis;

typedef struct {
    lv_image im;
    int px0, py0, px1, py1; /* plot area, inclusive pixel bounds */
    axis x, y;
} canvas;

/* ---- number formatting ------------------------------------------------ */

/* Label for a linear tick at v, with enough digits to tell neighbours apart
 * (step is 1, 2 or 5 x 10^k) and no more.  Very large or small magnitudes
 * share one exponent across the axis ("0.5e9", "1.0e9") so labels line up. */
static void format_linear(char *buf, size_t sz, double v, double step, double maxabs)
{
    if (fabs(v) < step * 1e-6) v = 0.0; /* avoid "-0" and 1e-17 from rounding */
    int k = (int)floor(log10(step) + 1e-9);
    if (maxabs < 1e6 && k >= -4) {
        snprintf(buf, sz, "%.*f", k < 0 ? -k : 0, v);
    } else if (v == 0.0) {
        snprintf(buf, sz, "0");
    } else {
        int e = (int)floor(log10(maxabs) + 1e-9), digits = e - k;
        if (digits < 0) digits = 0;
        if (digits > 8) digits = 8;
        double m = v / pow(10.0, e);
        if (isfinite(m))
            snprintf(buf, sz, "%.*fe%d", digits, m, e);
        else /* 10^e underflowed (subnormal data): plain %g is the best we can do */
            snprintf(buf, sz, "%g", v);
    }
}

/* Label for m x 10^e on a log axis: plain decimals for moderate exponents. */
static void format_log(char *buf, size_t sz, int m, int e)
{
    if (e >= -3 && e <= 4)
        snprintf(buf, sz, "%.*f", e < 0 ? -e : 0, m * pow(10.0, e));
    else
        snprintf(buf, sz, "%de%d", m, e);
}

/* ---- axes ------------------------------------------------------------- */

static int max_label_width(const axis *a)
{
    int w = 0;
    for (int i = 0; i < a->nt; i++) {
        int tw = lv_text_width(a->t[i].label, TS);
        if (tw > w) w = tw;
    }
    return w;
}

/* Widen a range too narrow to label (all values equal, or equal to within
 * rounding) to a symmetric one around its centre. */
static void widen_degenerate(double *lo, double *hi)
{
    if (*hi - *lo > 1e-9 * fmax(fabs(*lo), fabs(*hi)) && *hi - *lo > 1e-300) return;
    double c = *lo + 0.5 * (*hi - *lo), d = c != 0.0 ? 0.1 * fabs(c) : 1.0;
    *lo = c - d;
    *hi = c + d;
}

/* Choose the finest 1-2-5 step (>= min_step) whose labels fit `pixels`;
 * with `loose` the range is rounded outward to whole steps. */
static void linear_axis(axis *a, double lo, double hi, int pixels, int horizontal, int loose,
                        double min_step)
{
    static const double mant[3] = {1.0, 2.0, 5.0};
    widen_degenerate(&lo, &hi);
    int e = (int)floor(log10((hi - lo) / 10.0)), i = 0;
    for (int iter = 0; iter < 60; iter++, i = (i + 1) % 3, e += (i == 0)) {
        double step = mant[i] * pow(10.0, e);
        if (step < min_step) continue;
        a->lo = loose ? floor(lo / step + 1e-9) * step : lo;
        a->hi = loose ? ceil(hi / step - 1e-9) * step : hi;
        double k0 = ceil(a->lo / step - 1e-9), k1 = floor(a->hi / step + 1e-9);
        if (k1 - k0 + 1 > MAX_TICKS) continue;
        double maxabs = fmax(fabs(a->lo), fabs(a->hi));
        a->nt = 0;
        for (double k = k0; k <= k1; k++) {
            tick *t = &a->t[a->nt++];
            t->v = k * step;
            t->major = 1;
            format_linear(t->label, sizeof t->label, t->v, step, maxabs);
        }
        double spacing = step / (a->hi - a->lo) * pixels;
        /* gaps: three characters between x labels, about a label's height
         * between y labels (denser reads as clutter) */
        int need = horizontal ? max_label_width(a) + 3 * 6 * TS : 2 * lv_text_height(TS) + 4;
        if (spacing >= need) return;
    }
    /* Unreachable for sane sizes (a step wider than the axis always fits);
     * keep the last attempt rather than fail a plot over tick labels. */
}

/* Log axis over [lmin,lmax] (log10 units), widened to whole decades.
 * Labelled ticks every ds decades; with room, labelled 2 and 5 and
 * unlabelled 3,4,6..9 minor ticks. */
static void log_axis(axis *a, double lmin, double lmax, int pixels)
{
    static const int dsteps[] = {1, 2, 3, 5, 10, 20, 50, 100, 200, 500};
    const int need = 2 * lv_text_height(TS) + 4; /* as for linear y axes */
    double lo = floor(lmin + 1e-9), hi = ceil(lmax - 1e-9);
    if (hi <= lo) hi = lo + 1;
    int ds = 1;
    for (size_t i = 0; i < sizeof dsteps / sizeof dsteps[0]; i++) {
        ds = dsteps[i];
        double l = floor(lo / ds) * ds, h = ceil(hi / ds) * ds;
        if (pixels / (h - l) * ds >= need) break;
    }
    a->lo = floor(lo / ds) * ds;
    a->hi = ceil(hi / ds) * ds;
    double ppd = pixels / (a->hi - a->lo); /* pixels per decade */
    int with_25 = ds == 1 && ppd * log10(2.0) >= need;
    int with_minor = ds == 1 && ppd * log10(10.0 / 9.0) >= 3;
    a->nt = 0;
    for (int e = (int)a->lo; e <= (int)a->hi; e++) {
        if ((e - (int)a->lo) % ds == 0 && a->nt < MAX_TICKS) {
            tick *t = &a->t[a->nt++];
            t->v = e;
            t->major = 1;
            format_log(t->label, sizeof t->label, 1, e);
        }
        if (e == (int)a->hi) break;
        for (int m = 2; m <= 9 && a->nt < MAX_TICKS; m++) {
            int labelled = with_25 && (m == 2 || m == 5);
            if (!labelled && !with_minor) continue;
            tick *t = &a->t[a->nt++];
            t->v = e + log10((double)m);
            t->major = 0;
            t->label[0] = '\0';
            if (labelled) format_log(t->label, sizeof t->label, m, e);
        }
    }
}

/* Pixel column of x-axis value v; clamped so the cast can never overflow. */
static int map_x(const canvas *c, double v)
{
    double p = c->px0 + (v - c->x.lo) / (c->x.hi - c->x.lo) * (c->px1 - c->px0);
    return (int)lround(fmax(-1e6, fmin(1e6, p)));
}

static int map_y(const canvas *c, double v)
{
    double p = c->py1 - (v - c->y.lo) / (c->y.hi - c->y.lo) * (c->py1 - c->py0);
    return (int)lround(fmax(-1e6, fmin(1e6, p)));
}

/* ---- text fitting ----------------------------------------------------- */

/* Copy s into buf (sz >= 4), shortened with "..." until it is at most maxw
 * pixels wide at scale sc. */
static void shorten(char *buf, size_t sz, const char *s, int sc, int maxw)
{
    size_t len = strlen(s);
    if (len >= sz) len = sz - 1; /* the loop below trims to a character boundary */
    memcpy(buf, s, len);
    buf[len] = '\0';
    while (len > 0 && lv_text_width(buf, sc) > maxw) {
        len--;
        /* never leave half a UTF-8 sequence before the dots */
        while (len > 0 && ((unsigned char)buf[len] & 0xC0) == 0x80) len--;
        if (len + 4 <= sz) memcpy(buf + len, "...", 4);
    }
}

/* Fit s into maxw pixels: scale TS, else 1, else shortened at scale 1.
 * Returns the scale; buf receives the text to draw. */
static int fit_text(char *buf, size_t sz, const char *s, int maxw)
{
    if (lv_text_width(s, TS) <= maxw) {
        shorten(buf, sz, s, TS, maxw);
        return TS;
    }
    shorten(buf, sz, s, 1, maxw);
    return 1;
}

/* Draw s centred on column cx with its top at y, within maxw pixels. */
static void text_centred(lv_image *im, int cx, int y, const char *s, int maxw, lv_rgb c)
{
    if (!s || !*s) return;
    char buf[256];
    int sc = fit_text(buf, sizeof buf, s, maxw);
    int w = lv_text_width(buf, sc), h = lv_text_height(sc);
    lv_image_draw_text(im, cx - w / 2, y + (lv_text_height(TS) - h) / 2, buf, sc, c);
}

/* Rotated (bottom-to-top) text centred on row cy with its left edge at x. */
static void text_up_centred(lv_image *im, int x, int cy, const char *s, int maxh, lv_rgb c)
{
    if (!s || !*s) return;
    char buf[256];
    int sc = fit_text(buf, sizeof buf, s, maxh);
    int len = lv_text_width(buf, sc);
    lv_image_draw_text_up(im, x, cy - len / 2, buf, sc, c);
}

/* Text on a white box with a thin border, so it stays legible over data. */
static void text_boxed(lv_image *im, int x, int y, const char *s, lv_rgb c)
{
    int w = lv_text_width(s, TS), h = lv_text_height(TS);
    lv_image_fill_rect(im, x - 5, y - 4, w + 10, h + 7, LEGEND_EDGE);
    lv_image_fill_rect(im, x - 4, y - 3, w + 8, h + 5, WHITE);
    lv_image_draw_text(im, x, y, s, TS, c);
}

/* ---- frame ------------------------------------------------------------ */

/* Lay out the canvas: y axis first (its labels set the left margin), then
 * the x axis over the remaining width. */
static int canvas_init(canvas *c, double xlo, double xhi, double ylo, double yhi, int logy,
                       double y_min_step, const char *path, lv_error *err)
{
    /* Widening can overflow near DBL_MAX, and so can hi - lo for data of
     * opposite signs; either would poison every pixel position. */
    double x0 = xlo, x1 = xhi, y0 = ylo, y1 = yhi;
    widen_degenerate(&xlo, &xhi);
    if (!logy) widen_degenerate(&ylo, &yhi);
    if (!isfinite(xhi - xlo))
        return lv_fail(err, "cannot plot %s: the x values run from %g to %g, too close to the "
                            "limits of double precision to draw", path, x0, x1);
    if (!isfinite(yhi - ylo))
        return lv_fail(err, "cannot plot %s: the y values run from %g to %g, too close to the "
                            "limits of double precision to draw", path, y0, y1);
    c->py0 = TOP;
    c->py1 = LV_PLOT_HEIGHT - 1 - BOTTOM;
    if (logy)
        log_axis(&c->y, ylo, yhi, c->py1 - c->py0);
    else
        linear_axis(&c->y, ylo, yhi, c->py1 - c->py0, 0, 1, y_min_step);
    c->px0 = 10 + lv_text_height(TS) + 10 + max_label_width(&c->y) + 4 + TICK_LEN;
    c->px1 = LV_PLOT_WIDTH - 1 - RIGHT;
    linear_axis(&c->x, xlo, xhi, c->px1 - c->px0, 1, 0, 0.0);
    if (lv_image_init(&c->im, LV_PLOT_WIDTH, LV_PLOT_HEIGHT, WHITE, err))
        return lv_fail_prefix(err, "drawing %s", path);
    return 0;
}

static void draw_grid(canvas *c, int vertical_too)
{
    for (int i = 0; i < c->y.nt; i++)
        if (c->y.t[i].major) {
            int y = map_y(c, c->y.t[i].v);
            lv_image_line(&c->im, c->px0, y, c->px1, y, GRID);
        }
    for (int i = 0; vertical_too && i < c->x.nt; i++) {
        int x = map_x(c, c->x.t[i].v);
        lv_image_line(&c->im, x, c->py0, x, c->py1, GRID);
    }
}

static void draw_frame(canvas *c, const char *title, const char *xlabel, const char *ylabel)
{
    lv_image *im = &c->im;
    const int th = lv_text_height(TS);
    lv_image_line(im, c->px0, c->py0, c->px1, c->py0, FRAME);
    lv_image_line(im, c->px0, c->py1, c->px1, c->py1, FRAME);
    lv_image_line(im, c->px0, c->py0, c->px0, c->py1, FRAME);
    lv_image_line(im, c->px1, c->py0, c->px1, c->py1, FRAME);
    for (int i = 0; i < c->x.nt; i++) {
        int x = map_x(c, c->x.t[i].v);
        lv_image_fill_rect(im, x, c->py1 + 1, 1, TICK_LEN, FRAME);
        /* keep end labels on the canvas rather than centring them off it */
        int w = lv_text_width(c->x.t[i].label, TS), lx = x - w / 2;
        if (lx + w > LV_PLOT_WIDTH - 2) lx = LV_PLOT_WIDTH - 2 - w;
        if (lx < 2) lx = 2;
        lv_image_draw_text(im, lx, c->py1 + TICK_LEN + 4, c->x.t[i].label, TS, INK);
    }
    for (int i = 0; i < c->y.nt; i++) {
        int y = map_y(c, c->y.t[i].v);
        int len = c->y.t[i].major ? TICK_LEN : MINOR_LEN;
        lv_image_fill_rect(im, c->px0 - len, y, len, 1, FRAME);
        int w = lv_text_width(c->y.t[i].label, TS);
        /* centre the cap height (7 of the 8 glyph rows) on the tick */
        lv_image_draw_text(im, c->px0 - TICK_LEN - 4 - w, y - 7 * TS / 2, c->y.t[i].label, TS, INK);
    }
    text_centred(im, LV_PLOT_WIDTH / 2, 12, title, LV_PLOT_WIDTH - 20, INK);
    int xc = (c->px0 + c->px1) / 2; /* centred under the plot, but kept on the canvas */
    text_centred(im, xc, c->py1 + TICK_LEN + 4 + th + 10, xlabel,
                 2 * (xc < LV_PLOT_WIDTH - xc ? xc : LV_PLOT_WIDTH - xc) - 8, INK);
    text_up_centred(im, 10, (c->py0 + c->py1) / 2, ylabel, c->py1 - c->py0, INK);
}

static int finish(canvas *c, const char *path, lv_error *err)
{
    int rc = lv_image_write_png(&c->im, path, err);
    lv_image_free(&c->im);
    return rc;
}

/* ---- histogram -------------------------------------------------------- */

int lv_plot_histogram(const char *path, const double *x, size_t n, int bins, double lo, double hi,
                      const char *title, const char *xlabel, double marker,
                      const char *marker_label, lv_error *err)
{
    if (!path) return lv_fail(err, "no output path was given for the histogram");
    if (n == 0) return lv_fail(err, "cannot plot histogram %s: there are no values to plot", path);
    if (!x) return lv_fail(err, "cannot plot histogram %s: no data array was given", path);
    if (bins < 1 || bins > MAX_BINS)
        return lv_fail(err, "cannot plot histogram %s: the number of bins must be 1..%d, got %d",
                       path, MAX_BINS, bins);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return lv_fail(err, "cannot plot histogram %s: value %zu of %zu is %g; histogram "
                                "values must be finite numbers", path, i, n, x[i]);
    int explicit_range = lo < hi;
    if (explicit_range && !(isfinite(lo) && isfinite(hi)))
        return lv_fail(err, "cannot plot histogram %s: the range [%g, %g] must be finite", path,
                       lo, hi);
    if (marker_label && !isfinite(marker))
        return lv_fail(err, "cannot plot histogram %s: the marker position for \"%s\" is %g, "
                            "not a finite number", path, marker_label, marker);
    if (!explicit_range) {
        lo = hi = x[0];
        for (size_t i = 1; i < n; i++) {
            if (x[i] < lo) lo = x[i];
            if (x[i] > hi) hi = x[i];
        }
    }
    if (!isfinite(hi - lo)) /* binning would divide by infinity */
        return lv_fail(err, "cannot plot histogram %s: the values run from %g to %g, too close "
                            "to the limits of double precision to draw", path, lo, hi);
    size_t *count = calloc((size_t)bins, sizeof *count);
    if (!count) return lv_fail(err, "out of memory counting %d histogram bins for %s", bins, path);

    /* Bars as [edge_lo, edge_lo + width) per bin; all-equal data becomes a
     * single bar centred on the value, one bin-width of the widened axis. */
    double axlo = lo, axhi = hi, edge_lo = lo, width = (hi - lo) / bins;
    size_t outside = 0, maxc = 0;
    int nbars = bins;
    widen_degenerate(&axlo, &axhi);
    if (!explicit_range && (axlo != lo || axhi != hi)) {
        nbars = 1;
        width = (axhi - axlo) / bins;
        edge_lo = lo + 0.5 * (hi - lo) - 0.5 * width;
        count[0] = n;
    } else {
        for (size_t i = 0; i < n; i++) {
            if (x[i] < lo || x[i] > hi) {
                outside++;
                continue;
            }
            long b = (long)((x[i] - lo) / (hi - lo) * bins);
            if (b >= bins) b = bins - 1; /* x == hi belongs to the last bin */
            if (b < 0) b = 0;
            count[b]++;
        }
    }
    for (int b = 0; b < nbars; b++)
        if (count[b] > maxc) maxc = count[b];
    int marker_shown = marker_label && (explicit_range ? marker >= lo && marker <= hi : 1);
    if (marker_label && !explicit_range) {
        if (marker < axlo) axlo = marker - 0.05 * (axhi - marker);
        if (marker > axhi) axhi = marker + 0.05 * (marker - axlo);
    }

    canvas c;
    /* ~12% headroom above the tallest bar keeps the marker label and the
     * out-of-range note off the bars. */
    double ytop = maxc ? 1.12 * (double)maxc : 1.0;
    if (canvas_init(&c, axlo, axhi, 0.0, ytop, 0, 1.0, path, err)) {
        free(count);
        return -1;
    }
    draw_grid(&c, 0);
    for (int b = 0; b < nbars; b++) {
        if (!count[b]) continue;
        int xa = map_x(&c, edge_lo + b * width), xb = map_x(&c, edge_lo + (b + 1) * width);
        int yt = map_y(&c, (double)count[b]);
        if (xb <= xa) xb = xa + 1; /* thin bins still show */
        lv_image_fill_rect(&c.im, xa, yt, xb - xa, c.py1 - yt, BAR);
        if (xb - xa >= 5) { /* outlines only where they don't swallow the bar */
            lv_image_line(&c.im, xa, yt, xa, c.py1, BAR_EDGE);
            lv_image_line(&c.im, xb, yt, xb, c.py1, BAR_EDGE);
            lv_image_line(&c.im, xa, yt, xb, yt, BAR_EDGE);
        }
    }
    free(count);
    const int th = lv_text_height(TS);
    if (marker_shown) {
        int mx = map_x(&c, marker);
        for (int y = c.py0; y < c.py1; y += 12) /* dashed: 8 on, 4 off */
            lv_image_fill_rect(&c.im, mx - 1, y, 2, y + 8 < c.py1 ? 8 : c.py1 - y, MARKER);
    }
    draw_frame(&c, title, xlabel, "count");
    if (marker_label) {
        char text[300], buf[256];
        if (marker_shown)
            snprintf(text, sizeof text, "%s", marker_label);
        else
            snprintf(text, sizeof text, "%.200s = %g (off scale)", marker_label, marker);
        shorten(buf, sizeof buf, text, TS, c.px1 - c.px0 - 20);
        int w = lv_text_width(buf, TS), ly = c.py0 + 8, lx = c.px1 - 10 - w;
        if (marker_shown) {
            int mx = map_x(&c, marker);
            lx = mx + 8 + w <= c.px1 - 8 ? mx + 8 : mx - 8 - w; /* right of the line, else left */
            if (lx < c.px0 + 8) lx = c.px0 + 8;
        }
        text_boxed(&c.im, lx, ly, buf, MARKER);
    }
    if (outside) {
        char note[96];
        snprintf(note, sizeof note, "%zu of %zu outside range", outside, n);
        text_boxed(&c.im, c.px0 + 10, c.py0 + 8 + (marker_label ? th + 12 : 0), note, INK);
    }
    return finish(&c, path, err);
}

/* ---- line plot -------------------------------------------------------- */

/* Axis-unit y of point i of a series, or 0 if it is not plotted. */
static int y_value(const double *y, size_t i, int logy, double *out)
{
    double v = y[i];
    if (!isfinite(v) || (logy && v <= 0.0)) return 0;
    *out = logy ? log10(v) : v;
    return 1;
}

/* Thick (2 px) line: a 1-px line doubled along both axes. */
static void thick_line(lv_image *im, int x0, int y0, int x1, int y1, lv_rgb col)
{
    lv_image_line(im, x0, y0, x1, y1, col);
    lv_image_line(im, x0 + 1, y0, x1 + 1, y1, col);
    lv_image_line(im, x0, y0 + 1, x1, y1 + 1, col);
}

int lv_plot_lines(const char *path, const double *x, size_t n, const lv_series *series,
                  int nseries, const char *title, const char *xlabel, const char *ylabel, int logy,
                  lv_error *err)
{
    if (!path) return lv_fail(err, "no output path was given for the line plot");
    if (n == 0) return lv_fail(err, "cannot plot %s: there are no points to plot", path);
    if (!x) return lv_fail(err, "cannot plot %s: no x array was given", path);
    if (nseries < 1 || nseries > LV_PLOT_MAX_SERIES || !series)
        return lv_fail(err, "cannot plot %s: a line plot takes 1..%d series, got %d", path,
                       LV_PLOT_MAX_SERIES, series ? nseries : 0);
    for (int s = 0; s < nseries; s++)
        if (!series[s].y)
            return lv_fail(err, "cannot plot %s: series %d (%s) has no y array", path, s + 1,
                           series[s].name ? series[s].name : "unnamed");
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]))
            return lv_fail(err, "cannot plot %s: x value %zu of %zu is %g; x values must be "
                                "finite numbers", path, i, n, x[i]);
        xlo = fmin(xlo, x[i]);
        xhi = fmax(xhi, x[i]);
        for (int s = 0; s < nseries; s++) {
            double v;
            if (!y_value(series[s].y, i, logy, &v)) continue;
            ylo = fmin(ylo, v);
            yhi = fmax(yhi, v);
        }
    }
    if (!(ylo <= yhi))
        return lv_fail(err, "cannot plot %s: no series has a %s y value to plot", path,
                       logy ? "finite positive (log axis)" : "finite");

    canvas c;
    if (canvas_init(&c, xlo, xhi, ylo, yhi, logy, 0.0, path, err)) return -1;
    draw_grid(&c, 1);
    for (int s = 0; s < nseries; s++) {
        const double *y = series[s].y;
        lv_rgb col = PALETTE[s];
        int have_prev = 0, px = 0, py = 0, minx = INT_MAX, maxx = INT_MIN, miny = INT_MAX,
            maxy = INT_MIN;
        for (size_t i = 0; i < n; i++) {
            double v;
            if (!y_value(y, i, logy, &v)) {
                have_prev = 0;
                continue;
            }
            int qx = map_x(&c, x[i]), qy = map_y(&c, v);
            double w;
            int has_next = i + 1 < n && y_value(y, i + 1, logy, &w);
            if (have_prev)
                thick_line(&c.im, px, py, qx, qy, col);
            else if (!has_next) /* isolated point: a dot, or it would be invisible */
                lv_image_fill_rect(&c.im, qx - 3, qy - 3, 7, 7, col);
            have_prev = 1;
            px = qx;
            py = qy;
            minx = qx < minx ? qx : minx;
            maxx = qx > maxx ? qx : maxx;
            miny = qy < miny ? qy : miny;
            maxy = qy > maxy ? qy : maxy;
        }
        /* every point on (nearly) one pixel, e.g. all x equal: the joined
         * line would be a speck, so mark it like an isolated point */
        if (minx <= maxx && maxx - minx <= 1 && maxy - miny <= 1)
            lv_image_fill_rect(&c.im, minx - 3, miny - 3, 7, 7, col);
    }
    draw_frame(&c, title, xlabel, ylabel);

    /* Legend: names shortened to at most half the plot width, placed in the
     * inset corner that covers the least of the drawn data. */
    const int th = lv_text_height(TS), sample = 28, row = th + 6;
    char names[LV_PLOT_MAX_SERIES][128];
    int namew = 0;
    for (int s = 0; s < nseries; s++) {
        char dflt[32];
        snprintf(dflt, sizeof dflt, "series %d", s + 1);
        const char *nm = series[s].name ? series[s].name : dflt;
        shorten(names[s], sizeof names[s], nm, TS, (c.px1 - c.px0) / 2 - sample - 30);
        int w = lv_text_width(names[s], TS);
        if (w > namew) namew = w;
    }
    int lw = 10 + sample + 8 + namew + 10, lh = nseries * row + 8;
    int cand[4][2] = {{c.px1 - 10 - lw, c.py0 + 10},
                      {c.px0 + 10, c.py0 + 10},
                      {c.px1 - 10 - lw, c.py1 - 10 - lh},
                      {c.px0 + 10, c.py1 - 10 - lh}};
    size_t best_hits = (size_t)-1;
    int bx = cand[0][0], by = cand[0][1];
    for (int k = 0; k < 4; k++) {
        size_t hits = 0;
        for (int s = 0; s < nseries; s++)
            for (size_t i = 0; i < n; i++) {
                double v, w;
                if (!y_value(series[s].y, i, logy, &v)) continue;
                int qx = map_x(&c, x[i]), qy = map_y(&c, v);
                /* sample along the segment to the next point too, so a
                 * long line through a corner counts against it */
                int has_next = i + 1 < n && y_value(series[s].y, i + 1, logy, &w);
                int rx = has_next ? map_x(&c, x[i + 1]) : qx, ry = has_next ? map_y(&c, w) : qy;
                for (int j = 0; j < (has_next ? 8 : 1); j++) {
                    int sx = qx + (rx - qx) * j / 8, sy = qy + (ry - qy) * j / 8;
                    hits += sx >= cand[k][0] && sx < cand[k][0] + lw && sy >= cand[k][1] &&
                            sy < cand[k][1] + lh;
                }
            }
        if (hits < best_hits) {
            best_hits = hits;
            bx = cand[k][0];
            by = cand[k][1];
        }
    }
    lv_image_fill_rect(&c.im, bx, by, lw, lh, LEGEND_EDGE);
    lv_image_fill_rect(&c.im, bx + 1, by + 1, lw - 2, lh - 2, WHITE);
    for (int s = 0; s < nseries; s++) {
        int ry = by + 4 + s * row + 3;
        lv_image_fill_rect(&c.im, bx + 10, ry + th / 2 - 2, sample, 3, PALETTE[s]);
        lv_image_draw_text(&c.im, bx + 10 + sample + 8, ry, names[s], TS, INK);
    }
    return finish(&c, path, err);
}
