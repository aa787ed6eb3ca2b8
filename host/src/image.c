/* image.c - RGB8 canvas, colour maps, PNG output; see image.h. */
#include "image.h"

#include <math.h>
#include <png.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "font.h"

enum { MAX_SIDE = 32768 };
#define MAX_PIXELS (1LL << 26)

int lv_image_init(lv_image *im, int w, int h, lv_rgb fill, lv_error *err)
{
    im->w = im->h = 0;
    im->rgb = NULL;
    if (w < 1 || h < 1 || w > MAX_SIDE || h > MAX_SIDE || (long long)w * h > MAX_PIXELS)
        return lv_fail(err, "cannot make a %dx%d image: each side must be 1..%d pixels and the "
                            "total at most %lld pixels", w, h, MAX_SIDE, MAX_PIXELS);
    size_t npix = (size_t)w * (size_t)h;
    im->rgb = malloc(npix * 3);
    if (!im->rgb) return lv_fail(err, "out of memory allocating a %dx%d image", w, h);
    im->w = w;
    im->h = h;
    for (size_t i = 0; i < npix; i++) {
        im->rgb[3 * i] = fill.r;
        im->rgb[3 * i + 1] = fill.g;
        im->rgb[3 * i + 2] = fill.b;
    }
    return 0;
}

void lv_image_free(lv_image *im)
{
    if (!im) return;
    free(im->rgb);
    im->rgb = NULL;
    im->w = im->h = 0;
}

void lv_image_set(lv_image *im, int x, int y, lv_rgb c)
{
    if (!im || !im->rgb || x < 0 || y < 0 || x >= im->w || y >= im->h) return;
    uint8_t *p = im->rgb + 3 * ((size_t)y * (size_t)im->w + (size_t)x);
    p[0] = c.r;
    p[1] = c.g;
    p[2] = c.b;
}

void lv_image_fill_rect(lv_image *im, int x, int y, int w, int h, lv_rgb c)
{
    if (!im || !im->rgb || w <= 0 || h <= 0) return;
    /* Clip in long long: x + w may overflow int for extreme arguments. */
    long long x0 = x < 0 ? 0 : x, y0 = y < 0 ? 0 : y;
    long long x1 = (long long)x + w, y1 = (long long)y + h;
    if (x1 > im->w) x1 = im->w;
    if (y1 > im->h) y1 = im->h;
    for (long long yy = y0; yy < y1; yy++) {
        uint8_t *p = im->rgb + 3 * ((size_t)yy * (size_t)im->w + (size_t)x0);
        for (long long xx = x0; xx < x1; xx++, p += 3) {
            p[0] = c.r;
            p[1] = c.g;
            p[2] = c.b;
        }
    }
}

/* Liang-Barsky clip of the segment to [0,w-1] x [0,h-1]; 0 if it misses. */
static int clip_segment(double *x0, double *y0, double *x1, double *y1, int w, int h)
{
    double dx = *x1 - *x0, dy = *y1 - *y0, t0 = 0.0, t1 = 1.0;
    double p[4] = {-dx, dx, -dy, dy};
    double q[4] = {*x0, (w - 1) - *x0, *y0, (h - 1) - *y0};
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0.0) {
            if (q[i] < 0.0) return 0;
            continue;
        }
        double t = q[i] / p[i];
        if (p[i] < 0.0) {
            if (t > t1) return 0;
            if (t > t0) t0 = t;
        } else {
            if (t < t0) return 0;
            if (t < t1) t1 = t;
        }
    }
    double ax = *x0 + t0 * dx, ay = *y0 + t0 * dy;
    *x1 = *x0 + t1 * dx;
    *y1 = *y0 + t1 * dy;
    *x0 = ax;
    *y0 = ay;
    return 1;
}

void lv_image_line(lv_image *im, int x0, int y0, int x1, int y1, lv_rgb c)
{
    if (!im || !im->rgb) return;
    int inside = x0 >= 0 && x0 < im->w && x1 >= 0 && x1 < im->w && y0 >= 0 && y0 < im->h &&
                 y1 >= 0 && y1 < im->h;
    if (!inside) {
        /* Only clip when needed, so on-canvas lines rasterise exactly. */
        double fx0 = x0, fy0 = y0, fx1 = x1, fy1 = y1;
        if (!clip_segment(&fx0, &fy0, &fx1, &fy1, im->w, im->h)) return;
        x0 = (int)lround(fx0);
        y0 = (int)lround(fy0);
        x1 = (int)lround(fx1);
        y1 = (int)lround(fy1);
    }
    /* Bresenham, all octants. */
    int dx = abs(x1 - x0), sx = x0 < x1 ? 1 : -1;
    int dy = -abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
    int e = dx + dy;
    for (;;) {
        lv_image_set(im, x0, y0, c);
        if (x0 == x1 && y0 == y1) break;
        int e2 = 2 * e;
        if (e2 >= dy) {
            e += dy;
            x0 += sx;
        }
        if (e2 <= dx) {
            e += dx;
            y0 += sy;
        }
    }
}

static lv_rgb mix(lv_rgb a, lv_rgb b, double t) /* a at t=0, b at t=1 */
{
    if (t < 0.0) t = 0.0;
    if (t > 1.0) t = 1.0;
    lv_rgb r = {(uint8_t)lround(a.r + (b.r - a.r) * t), (uint8_t)lround(a.g + (b.g - a.g) * t),
                (uint8_t)lround(a.b + (b.b - a.b) * t)};
    return r;
}

lv_rgb lv_cmap_color(lv_cmap m, double v, double vmin, double vmax)
{
    static const lv_rgb white = {255, 255, 255}, black = {0, 0, 0};
    static const lv_rgb blue = {24, 68, 180}, red = {196, 32, 32}, magenta = {255, 0, 255};
    if (isnan(v) || isnan(vmin) || isnan(vmax)) return magenta;
    switch (m) {
    case LV_CMAP_BLUE_WHITE: {
        double lo = vmin > 0.0 ? vmin : 0.0;
        if (v <= lo) return white;
        if (!(vmax > lo) || v >= vmax) return blue; /* degenerate range: anything above lo */
        return mix(white, blue, (v - lo) / (vmax - lo));
    }
    case LV_CMAP_RED_WHITE_BLUE:
        if (v < 0.0) return vmin < 0.0 && v > vmin ? mix(white, red, v / vmin) : red;
        if (v > 0.0) return vmax > 0.0 && v < vmax ? mix(white, blue, v / vmax) : blue;
        return white;
    case LV_CMAP_GRAY:
        if (!(vmax > vmin)) return v > vmin ? white : v < vmin ? black : mix(black, white, 0.5);
        return mix(black, white, (v - vmin) / (vmax - vmin));
    }
    return magenta; /* unknown map: make the mistake visible */
}

void lv_image_draw_field(lv_image *im, int x0, int y0, const double *v, int rows, int cols,
                         int scale, lv_cmap m, double vmin, double vmax)
{
    if (!im || !im->rgb || !v || rows < 1 || cols < 1 || scale < 1) return;
    /* Positions in long long (c * scale may overflow int); cells wholly off
     * the canvas are skipped, so a huge field costs only its visible part. */
    for (int r = 0; r < rows; r++) {
        long long y = (long long)y0 + (long long)r * scale;
        if (y >= im->h) break;
        if (y + scale <= 0) continue;
        for (int c = 0; c < cols; c++) {
            long long x = (long long)x0 + (long long)c * scale;
            if (x >= im->w) break;
            if (x + scale <= 0) continue;
            double val = v[(size_t)r * (size_t)cols + (size_t)c];
            lv_image_fill_rect(im, (int)x, (int)y, scale, scale, lv_cmap_color(m, val, vmin, vmax));
        }
    }
}

int lv_image_write_png(const lv_image *im, const char *path, lv_error *err)
{
    if (!path) return lv_fail(err, "no output path was given for the PNG image");
    if (!im || !im->rgb || im->w < 1 || im->h < 1)
        return lv_fail(err, "cannot write %s: the image is empty or was never initialised", path);
    lv_atomic_file *f;
    if (lv_atomic_open(&f, path, err)) return -1;
    /* libpng's simplified API reports errors in image.message instead of
     * printing or longjmp'ing through our frames. */
    png_image pi;
    memset(&pi, 0, sizeof pi);
    pi.version = PNG_IMAGE_VERSION;
    pi.width = (png_uint_32)im->w;
    pi.height = (png_uint_32)im->h;
    pi.format = PNG_FORMAT_RGB;
    if (!png_image_write_to_stdio(&pi, lv_atomic_stream(f), 0, im->rgb, (png_int_32)(3 * im->w),
                                  NULL)) {
        lv_atomic_abort(f);
        int rc = lv_fail(err, "encoding PNG %s failed: %s", path, pi.message);
        png_image_free(&pi);
        return rc;
    }
    png_image_free(&pi);
    return lv_atomic_commit(f, err);
}

int lv_png_field_grid(const char *path, const double *fields, int n, int rows, int cols, int ncols,
                      int scale, int pad, lv_cmap m, int per_tile_scale, double vmin, double vmax,
                      const char *const *captions, lv_error *err)
{
    static const lv_rgb gutter = {220, 220, 220}, ink = {30, 30, 30};
    if (!path) return lv_fail(err, "no output path was given for the field grid");
    if (!fields) return lv_fail(err, "cannot draw %s: no field data was given", path);
    if (n < 1 || rows < 1 || cols < 1 || ncols < 1 || scale < 1 || pad < 0)
        return lv_fail(err, "cannot draw %s: need at least one field of at least 1x1 cells, at "
                            "least one tile per row, scale >= 1 and pad >= 0 (got n=%d, %dx%d, "
                            "ncols=%d, scale=%d, pad=%d)", path, n, rows, cols, ncols, scale, pad);
    if (!per_tile_scale && !(isfinite(vmin) && isfinite(vmax) && vmin < vmax))
        return lv_fail(err, "cannot draw %s: the colour range [%g, %g] must be finite with "
                            "vmin < vmax", path, vmin, vmax);
    if (ncols > n) ncols = n;
    int nrows = (n + ncols - 1) / ncols;

    /* Captions get the larger font only when a tile is wide enough to hold
     * a few characters of it. */
    long long tile_w = (long long)cols * scale, tile_h = (long long)rows * scale;
    int ts = tile_w >= 96 ? 2 : 1, cap_h = 0;
    long long cell_w = tile_w;
    for (int k = 0; captions && k < n; k++)
        if (captions[k]) {
            cap_h = lv_text_height(ts) + 2 * ts;
            /* plus a character's width so neighbouring captions stay apart */
            long long tw = lv_text_width(captions[k], ts) + 6 * ts;
            if (tw > cell_w) cell_w = tw;
        }
    long long W = pad + (long long)ncols * (cell_w + pad);
    long long H = pad + (long long)nrows * (cap_h + tile_h + pad);
    if (W > MAX_SIDE || H > MAX_SIDE || W * H > MAX_PIXELS)
        return lv_fail(err, "cannot draw %s: a grid of %d fields of %dx%d cells at scale %d would "
                            "be %lldx%lld pixels, more than the %d-pixel-per-side limit; use a "
                            "smaller scale or fewer fields", path, n, rows, cols, scale, W, H,
                       MAX_SIDE);
    lv_image im;
    if (lv_image_init(&im, (int)W, (int)H, gutter, err))
        return lv_fail_prefix(err, "drawing %s", path);
    size_t cells = (size_t)rows * (size_t)cols;
    for (int k = 0; k < n; k++) {
        const double *v = fields + (size_t)k * cells;
        int cx = pad + (k % ncols) * (int)(cell_w + pad);
        int cy = pad + (k / ncols) * (int)(cap_h + tile_h + pad);
        if (captions && captions[k]) {
            int tw = lv_text_width(captions[k], ts);
            lv_image_draw_text(&im, cx + ((int)cell_w - tw) / 2, cy + ts, captions[k], ts, ink);
        }
        double lo = vmin, hi = vmax;
        if (per_tile_scale) {
            double a = 0.0;
            for (size_t i = 0; i < cells; i++)
                if (isfinite(v[i]) && fabs(v[i]) > a) a = fabs(v[i]);
            if (a == 0.0) a = 1.0;
            lo = -a;
            hi = a;
        }
        lv_image_draw_field(&im, cx + (int)(cell_w - tile_w) / 2, cy + cap_h, v, rows, cols, scale,
                            m, lo, hi);
    }
    int rc = lv_image_write_png(&im, path, err);
    lv_image_free(&im);
    return rc;
}
