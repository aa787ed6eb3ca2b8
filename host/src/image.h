/* image.h - an RGB8 canvas, colour maps, and atomic PNG output.
 *
 * Contract: an lv_image owns a row-major buffer of w*h pixels, 3 bytes each
 * (r,g,b).  Drawing calls clip to the canvas and never fail, whatever the
 * coordinates.  Fallible calls follow err.h (0 ok, -1 with a sentence in
 * *err); PNG files are written atomically (fileio.h), so a failed write
 * leaves any previous file intact and no temporary behind.
 */
#ifndef LV_IMAGE_H
#define LV_IMAGE_H

#include <stdint.h>

#include "err.h"

typedef struct {
    int w, h;
    uint8_t *rgb; /* row-major, 3 bytes per pixel */
} lv_image;

typedef struct {
    uint8_t r, g, b;
} lv_rgb;

/* Allocate a w x h canvas filled with `fill`.  Sizes must be 1..32768 per
 * side and at most 2^26 pixels in total. */
int lv_image_init(lv_image *im, int w, int h, lv_rgb fill, lv_error *err);
/* Release the pixels; safe to call twice or on a zeroed struct. */
void lv_image_free(lv_image *im);

void lv_image_set(lv_image *im, int x, int y, lv_rgb c); /* clipped */
void lv_image_fill_rect(lv_image *im, int x, int y, int w, int h, lv_rgb c);
/* One-pixel line, both endpoints included (clipped before rasterising, so
 * far-away endpoints cost nothing). */
void lv_image_line(lv_image *im, int x0, int y0, int x1, int y1, lv_rgb c);

typedef enum {
    LV_CMAP_BLUE_WHITE,     /* paper Figs 1-2 unit activations: positive -> blue, zero/negative -> white */
    LV_CMAP_RED_WHITE_BLUE, /* diverging, paper Fig 2c couplings: negative red, zero white, positive blue */
    LV_CMAP_GRAY            /* vmin black .. vmax white */
} lv_cmap;

/* Map v to a colour.  Values outside [vmin,vmax] saturate.
 *  BLUE_WHITE: white at max(vmin,0) and below, full blue at vmax.
 *  RED_WHITE_BLUE: zero is always white; full red at vmin (if < 0), full
 *    blue at vmax (if > 0), linear in between.
 *  GRAY: linear black..white.
 * NaN (in v or the range) gives magenta, which no map otherwise produces. */
lv_rgb lv_cmap_color(lv_cmap m, double v, double vmin, double vmax);

/* Draw a rows x cols field of doubles (row-major) with each cell
 * scale x scale pixels and the top-left corner at (x0,y0). */
void lv_image_draw_field(lv_image *im, int x0, int y0, const double *v, int rows, int cols,
                         int scale, lv_cmap m, double vmin, double vmax);

/* Write an 8-bit RGB PNG atomically. */
int lv_image_write_png(const lv_image *im, const char *path, lv_error *err);

/* Convenience: a grid of n fields (each rows x cols, consecutive in
 * `fields`), ncols tiles per row, `pad` pixels of light-gray gutter around
 * and between tiles, optional per-tile captions (captions may be NULL, and
 * so may any entry) drawn centred above each tile.  With per_tile_scale != 0
 * each tile is scaled symmetrically around zero by its own max |v| (an
 * all-zero tile uses +-1), else all tiles use [vmin,vmax], which must be
 * finite with vmin < vmax.  If a caption is wider than a tile, all cells
 * widen to fit it.  Writes a PNG atomically. */
int lv_png_field_grid(const char *path, const double *fields, int n, int rows, int cols, int ncols,
                      int scale, int pad, lv_cmap m, int per_tile_scale, double vmin, double vmax,
                      const char *const *captions, lv_error *err);

#endif
