/* font.h - a small embedded bitmap font for labelling pictures.
 *
 * Contract: glyphs are 5x8 cells (cap height 7 rows, one descender row) for
 * printable ASCII 32..126, advanced 6 columns per character, scaled by an
 * integer factor.  Text is a single line; each byte outside 32..126 (or each
 * UTF-8 sequence, counted once) renders as a hollow box so that unsupported
 * input is visible rather than silently dropped.  Drawing is clipped to the
 * image and never fails.  No external font files, no global state.
 */
#ifndef LV_FONT_H
#define LV_FONT_H

#include "image.h"

/* Draw s with its top-left corner at (x,y); scale < 1 is treated as 1. */
void lv_image_draw_text(lv_image *im, int x, int y, const char *s, int scale, lv_rgb c);
/* The same text rotated 90 degrees counter-clockwise (reads bottom to top,
 * as on a y-axis label); (x,y) is the top-left of the rotated bounding box,
 * which is lv_text_height() wide and lv_text_width() tall. */
void lv_image_draw_text_up(lv_image *im, int x, int y, const char *s, int scale, lv_rgb c);
/* Width in pixels of s at this scale (0 for an empty string); the last
 * glyph's spacing column is not counted. */
int lv_text_width(const char *s, int scale);
/* Height in pixels of a line of text, descenders included. */
int lv_text_height(int scale);

#endif
