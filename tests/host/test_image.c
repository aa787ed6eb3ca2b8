/* test_image.c - canvas drawing, colour maps, bitmap font, PNG round trip,
 * field grids and atomic-write failure behaviour. */
#include <dirent.h>
#include <png.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "font.h"
#include "image.h"
#include "test_util.h"

static const uint8_t *px(const lv_image *im, int x, int y) { return im->rgb + 3 * ((size_t)y * im->w + x); }

static int is_rgb(const uint8_t *p, int r, int g, int b) { return p[0] == r && p[1] == g && p[2] == b; }

static int same(lv_rgb a, lv_rgb b) { return a.r == b.r && a.g == b.g && a.b == b.b; }

/* Read a PNG back with libpng's simplified API as 8-bit RGB. */
static uint8_t *read_png(const char *path, int *w, int *h)
{
    png_image pi;
    memset(&pi, 0, sizeof pi);
    pi.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&pi, path)) return NULL;
    pi.format = PNG_FORMAT_RGB;
    uint8_t *buf = malloc(PNG_IMAGE_SIZE(pi));
    if (!buf || !png_image_finish_read(&pi, NULL, buf, 0, NULL)) {
        free(buf);
        png_image_free(&pi);
        return NULL;
    }
    *w = (int)pi.width;
    *h = (int)pi.height;
    return buf;
}

/* Number of directory entries in cwd whose name starts with prefix. */
static int count_prefix(const char *prefix)
{
    DIR *d = opendir(".");
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    if (d) closedir(d);
    return n;
}

static void test_canvas(void)
{
    lv_error err = {{0}};
    lv_image im;
    lv_rgb white = {255, 255, 255}, red = {255, 0, 0}, green = {0, 255, 0};
    CHECK(lv_image_init(&im, 0, 10, white, &err) == -1);
    CHECK(strstr(err.msg, "0x10") != NULL);
    CHECK(im.rgb == NULL);
    CHECK(lv_image_init(&im, 100000, 100000, white, &err) == -1);
    CHECK(lv_image_init(&im, 20, 10, white, &err) == 0);
    CHECK(im.w == 20 && im.h == 10);
    CHECK(is_rgb(px(&im, 19, 9), 255, 255, 255));

    lv_image_set(&im, 3, 4, red);
    CHECK(is_rgb(px(&im, 3, 4), 255, 0, 0));
    lv_image_set(&im, -1, 0, red); /* clipped: must not crash or wrap */
    lv_image_set(&im, 20, 0, red);
    lv_image_set(&im, 0, 10, red);
    CHECK(is_rgb(px(&im, 19, 0), 255, 255, 255));
    CHECK(is_rgb(px(&im, 0, 1), 255, 255, 255));

    lv_image_fill_rect(&im, 18, 8, 100, 100, green);
    CHECK(is_rgb(px(&im, 19, 9), 0, 255, 0) && is_rgb(px(&im, 18, 8), 0, 255, 0));
    CHECK(is_rgb(px(&im, 17, 9), 255, 255, 255));
    lv_image_fill_rect(&im, -1000, -5, 2147483647, 2147483647, green); /* no overflow */
    lv_image_fill_rect(&im, 2147483600, 0, 2147483647, 5, red);
    CHECK(is_rgb(px(&im, 0, 0), 0, 255, 0));
    lv_image_free(&im);
    lv_image_free(&im); /* twice is fine */
    CHECK(im.rgb == NULL);

    CHECK(lv_image_init(&im, 10, 10, white, &err) == 0);
    lv_image_line(&im, 0, 0, 9, 9, red);
    int diag = 1;
    for (int i = 0; i < 10; i++) diag &= is_rgb(px(&im, i, i), 255, 0, 0);
    CHECK(diag);
    CHECK(is_rgb(px(&im, 1, 0), 255, 255, 255));
    lv_image_line(&im, 9, 2, 2, 2, green); /* right to left, endpoints included */
    CHECK(is_rgb(px(&im, 9, 2), 0, 255, 0) && is_rgb(px(&im, 3, 2), 0, 255, 0));
    CHECK(is_rgb(px(&im, 1, 2), 255, 255, 255));
    /* far-away endpoints are clipped, not walked pixel by pixel */
    lv_image_line(&im, -2000000000, 5, 2000000000, 5, green);
    int row = 1;
    for (int i = 0; i < 10; i++) row &= is_rgb(px(&im, i, 5), 0, 255, 0);
    CHECK(row);
    lv_image_line(&im, -50, -50, -10, 100, red); /* misses entirely */
    lv_image_free(&im);
}

static void test_cmap(void)
{
    lv_rgb white = {255, 255, 255}, magenta = {255, 0, 255};
    lv_rgb c = lv_cmap_color(LV_CMAP_BLUE_WHITE, 1.0, -1.0, 1.0);
    CHECK(c.b > 150 && c.r < 100 && c.g < 120); /* vmax: a clear blue */
    CHECK(same(lv_cmap_color(LV_CMAP_BLUE_WHITE, 0.0, -1.0, 1.0), white));
    CHECK(same(lv_cmap_color(LV_CMAP_BLUE_WHITE, -1.0, -1.0, 1.0), white));
    CHECK(same(lv_cmap_color(LV_CMAP_BLUE_WHITE, 0.0, 0.0, 1.0), white));
    CHECK(same(lv_cmap_color(LV_CMAP_BLUE_WHITE, 2.0, 0.0, 1.0), c)); /* saturates */
    lv_rgb mid = lv_cmap_color(LV_CMAP_BLUE_WHITE, 0.5, 0.0, 1.0);
    CHECK(mid.r < 255 && mid.r > c.r); /* in between */

    lv_rgb neg = lv_cmap_color(LV_CMAP_RED_WHITE_BLUE, -2.0, -2.0, 2.0);
    lv_rgb pos = lv_cmap_color(LV_CMAP_RED_WHITE_BLUE, 2.0, -2.0, 2.0);
    CHECK(neg.r > 150 && neg.g < 100 && neg.b < 100);
    CHECK(pos.b > 150 && pos.r < 100);
    CHECK(same(lv_cmap_color(LV_CMAP_RED_WHITE_BLUE, 0.0, -2.0, 2.0), white));
    CHECK(same(lv_cmap_color(LV_CMAP_RED_WHITE_BLUE, 0.0, -1.0, 5.0), white)); /* asymmetric */
    lv_rgb halfneg = lv_cmap_color(LV_CMAP_RED_WHITE_BLUE, -1.0, -2.0, 2.0);
    CHECK(halfneg.r > neg.r - 1 && halfneg.g > neg.g && halfneg.g < 255);

    lv_rgb k = lv_cmap_color(LV_CMAP_GRAY, -3.0, -3.0, 5.0), w = lv_cmap_color(LV_CMAP_GRAY, 5.0, -3.0, 5.0);
    CHECK(k.r == 0 && k.g == 0 && k.b == 0);
    CHECK(same(w, white));
    lv_rgb g = lv_cmap_color(LV_CMAP_GRAY, 1.0, -3.0, 5.0);
    CHECK(g.r == g.g && g.g == g.b && g.r > 120 && g.r < 135);
    (void)lv_cmap_color(LV_CMAP_GRAY, 1.0, 1.0, 1.0); /* degenerate range: no division by zero */

    for (int m = 0; m < 3; m++) {
        CHECK(same(lv_cmap_color((lv_cmap)m, NAN, -1.0, 1.0), magenta));
        CHECK(same(lv_cmap_color((lv_cmap)m, 0.5, NAN, 1.0), magenta));
    }
}

static void test_font(void)
{
    CHECK(lv_text_width("", 2) == 0);
    CHECK(lv_text_width("A", 1) == 5);
    CHECK(lv_text_width("AB", 1) == 11);
    CHECK(lv_text_width("AB", 2) == 22);
    CHECK(lv_text_width("AB", 0) == 11); /* scale < 1 -> 1 */
    CHECK(lv_text_height(1) == 8 && lv_text_height(2) == 16);
    CHECK(lv_text_width("\xc3\xa9", 1) == 5); /* one UTF-8 character, one box */

    lv_error err;
    lv_image im;
    lv_rgb white = {255, 255, 255}, ink = {0, 0, 0};
    CHECK(lv_image_init(&im, 60, 30, white, &err) == 0);
    const char *s = "Hi 9";
    lv_image_draw_text(&im, 5, 6, s, 2, ink);
    int w = lv_text_width(s, 2), h = lv_text_height(2), inside = 0, outside = 0;
    for (int y = 0; y < im.h; y++)
        for (int x = 0; x < im.w; x++) {
            int ink_px = is_rgb(px(&im, x, y), 0, 0, 0);
            int in_box = x >= 5 && x < 5 + w && y >= 6 && y < 6 + h;
            inside += ink_px && in_box;
            outside += ink_px && !in_box;
        }
    CHECK(inside > 20);
    CHECK(outside == 0);
    /* 'H' has a full-height left stem: column 5..6 set from row 6 to 6+13 */
    CHECK(is_rgb(px(&im, 5, 6), 0, 0, 0) && is_rgb(px(&im, 6, 19), 0, 0, 0));

    /* unknown characters render as a visible box */
    lv_image_fill_rect(&im, 0, 0, 60, 30, white);
    lv_image_draw_text(&im, 0, 0, "\x01", 1, ink);
    CHECK(is_rgb(px(&im, 0, 0), 0, 0, 0) && is_rgb(px(&im, 4, 6), 0, 0, 0));
    CHECK(is_rgb(px(&im, 2, 3), 255, 255, 255));

    /* rotated text stays in its rotated bounding box; clipping is safe */
    lv_image_fill_rect(&im, 0, 0, 60, 30, white);
    lv_image_draw_text_up(&im, 2, 1, "ab", 1, ink);
    inside = outside = 0;
    for (int y = 0; y < im.h; y++)
        for (int x = 0; x < im.w; x++) {
            int ink_px = is_rgb(px(&im, x, y), 0, 0, 0);
            int in_box = x >= 2 && x < 2 + lv_text_height(1) && y >= 1 && y < 1 + lv_text_width("ab", 1);
            inside += ink_px && in_box;
            outside += ink_px && !in_box;
        }
    CHECK(inside > 10 && outside == 0);
    lv_image_draw_text(&im, -100, -3, "clipped text running off the canvas", 3, ink);
    lv_image_draw_text(&im, 0, 0, NULL, 1, ink);
    lv_image_free(&im);
}

static void test_draw_field(void)
{
    lv_error err;
    lv_image im;
    lv_rgb white = {255, 255, 255};
    CHECK(lv_image_init(&im, 10, 10, white, &err) == 0);
    /* 2x2 gray field, 5-px cells, partly off the top-left corner */
    double v[4] = {0.0, 1.0, 0.5, NAN};
    lv_image_draw_field(&im, -3, -3, v, 2, 2, 5, LV_CMAP_GRAY, 0.0, 1.0);
    CHECK(is_rgb(px(&im, 0, 0), 0, 0, 0) && is_rgb(px(&im, 1, 1), 0, 0, 0));
    CHECK(is_rgb(px(&im, 2, 0), 255, 255, 255) && is_rgb(px(&im, 6, 1), 255, 255, 255));
    CHECK(px(&im, 0, 2)[0] > 120 && px(&im, 0, 2)[0] < 135);
    CHECK(is_rgb(px(&im, 6, 6), 255, 0, 255));
    CHECK(is_rgb(px(&im, 7, 7), 255, 255, 255)); /* beyond the field */
    lv_image_draw_field(&im, 2000000000, 0, v, 2, 2, 1000000000, LV_CMAP_GRAY, 0.0, 1.0);
    lv_image_free(&im);
}

static void test_png_roundtrip(void)
{
    lv_error err = {{0}};
    lv_image im;
    lv_rgb black = {0, 0, 0};
    CHECK(lv_image_init(&im, 37, 23, black, &err) == 0);
    for (int y = 0; y < im.h; y++)
        for (int x = 0; x < im.w; x++) {
            lv_rgb c = {(uint8_t)(x * 7), (uint8_t)(y * 11), (uint8_t)(x * y)};
            lv_image_set(&im, x, y, c);
        }
    CHECK_MSG(lv_image_write_png(&im, "round.png", &err) == 0, "%s", err.msg);

    FILE *fp = fopen("round.png", "rb");
    uint8_t hdr[24] = {0};
    CHECK(fp && fread(hdr, 1, 24, fp) == 24);
    if (fp) fclose(fp);
    CHECK(memcmp(hdr, "\x89PNG\r\n\x1a\n", 8) == 0);
    CHECK(memcmp(hdr + 12, "IHDR", 4) == 0);
    uint32_t w = (uint32_t)hdr[16] << 24 | hdr[17] << 16 | hdr[18] << 8 | hdr[19];
    uint32_t h = (uint32_t)hdr[20] << 24 | hdr[21] << 16 | hdr[22] << 8 | hdr[23];
    CHECK(w == 37 && h == 23);

    int rw = 0, rh = 0;
    uint8_t *back = read_png("round.png", &rw, &rh);
    CHECK(back != NULL);
    CHECK(rw == 37 && rh == 23);
    if (back && rw == 37 && rh == 23) CHECK(memcmp(back, im.rgb, (size_t)37 * 23 * 3) == 0);
    free(back);
    CHECK(count_prefix("round.png.tmp") == 0);

    /* overwriting an existing file works and leaves no temporary */
    lv_image_fill_rect(&im, 0, 0, 37, 23, black);
    CHECK(lv_image_write_png(&im, "round.png", &err) == 0);
    back = read_png("round.png", &rw, &rh);
    CHECK(back && back[0] == 0 && back[3 * 36 + 1] == 0);
    free(back);
    CHECK(count_prefix("round.png.tmp") == 0);

    /* a nonexistent directory: error names the path, nothing is created */
    err.msg[0] = '\0';
    CHECK(lv_image_write_png(&im, "no_such_dir/out.png", &err) == -1);
    CHECK_MSG(strstr(err.msg, "no_such_dir/out.png") != NULL, "message: %s", err.msg);
    struct stat st;
    CHECK(stat("no_such_dir", &st) != 0);

    lv_image empty = {0, 0, NULL};
    CHECK(lv_image_write_png(&empty, "empty.png", &err) == -1);
    CHECK(strstr(err.msg, "empty.png") != NULL);
    CHECK(stat("empty.png", &st) != 0);
    lv_image_free(&im);
}

static void test_field_grid(void)
{
    lv_error err = {{0}};
    /* 3 fields of 2x3 cells: +1 everywhere, all zero, -1 everywhere */
    double f[3 * 6];
    for (int i = 0; i < 6; i++) {
        f[i] = 1.0;
        f[6 + i] = 0.0;
        f[12 + i] = -1.0;
    }
    f[6] = NAN; /* NaN is drawn magenta, not an error */
    /* ncols 2, scale 4, pad 3: W = 3 + 2*(12+3) = 33, H = 3 + 2*(8+3) = 25 */
    CHECK_MSG(lv_png_field_grid("grid.png", f, 3, 2, 3, 2, 4, 3, LV_CMAP_RED_WHITE_BLUE, 1, 0, 0,
                                NULL, &err) == 0, "%s", err.msg);
    int w = 0, h = 0;
    uint8_t *p = read_png("grid.png", &w, &h);
    CHECK(p && w == 33 && h == 25);
    if (p && w == 33 && h == 25) {
        lv_image im = {w, h, p};
        CHECK(is_rgb(px(&im, 0, 0), 220, 220, 220));    /* gutter */
        CHECK(px(&im, 5, 5)[2] > 150 && px(&im, 5, 5)[0] < 100); /* tile 0: blue */
        CHECK(is_rgb(px(&im, 18, 3), 255, 0, 255));    /* tile 1, cell 0: NaN */
        CHECK(is_rgb(px(&im, 28, 8), 255, 255, 255));  /* tile 1 rest: zero -> white */
        CHECK(px(&im, 5, 16)[0] > 150 && px(&im, 5, 16)[2] < 100); /* tile 2: red */
        CHECK(is_rgb(px(&im, 20, 16), 220, 220, 220)); /* empty slot stays gutter */
    }
    free(p);

    /* captions wider than a tile widen every cell; NULL entries allowed */
    const char *caps[2] = {"wide caption", NULL};
    CHECK_MSG(lv_png_field_grid("grid2.png", f, 2, 2, 3, 2, 1, 2, LV_CMAP_BLUE_WHITE, 0, -1.0, 1.0,
                                caps, &err) == 0, "%s", err.msg);
    p = read_png("grid2.png", &w, &h);
    CHECK(p && w == 2 + 2 * (lv_text_width("wide caption", 1) + 6 + 2));
    CHECK(p && h == 2 + lv_text_height(1) + 2 + 2 + 2);
    free(p);

    struct stat st;
    CHECK(lv_png_field_grid("bad.png", f, 0, 2, 3, 2, 4, 3, LV_CMAP_GRAY, 1, 0, 0, NULL, &err) == -1);
    CHECK(strstr(err.msg, "bad.png") != NULL);
    CHECK(lv_png_field_grid("bad.png", f, 3, 2, 3, 2, 4, 3, LV_CMAP_GRAY, 0, 1.0, 1.0, NULL, &err) == -1);
    CHECK(strstr(err.msg, "vmin < vmax") != NULL);
    CHECK(lv_png_field_grid("bad.png", f, 3, 2, 3, 2, 100000, 3, LV_CMAP_GRAY, 1, 0, 0, NULL, &err) == -1);
    CHECK(strstr(err.msg, "pixel") != NULL);
    CHECK(stat("bad.png", &st) != 0);
    CHECK(lv_png_field_grid("no_such_dir/g.png", f, 3, 2, 3, 2, 4, 3, LV_CMAP_GRAY, 1, 0, 0, NULL, &err) == -1);
    CHECK(strstr(err.msg, "no_such_dir/g.png") != NULL);
}

int main(void)
{
    test_canvas();
    test_cmap();
    test_font();
    test_draw_field();
    test_png_roundtrip();
    test_field_grid();
    return lv_test_report("test_image");
}
