/* test_plot.c - histograms and line plots: readable PNGs of the stated size,
 * clear errors for bad input, no crash on degenerate data. */
#include <png.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "plot.h"
#include "test_util.h"

/* Colours plot.c draws with, so the tests can find bars and frame lines. */
static const uint8_t BAR[3] = {76, 130, 190}, FRAME[3] = {60, 60, 60};

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

/* 1 if path is a readable PNG of the plot size with some dark (text/axis)
 * pixels and mostly white background. */
static int plot_ok(const char *path)
{
    int w = 0, h = 0;
    uint8_t *p = read_png(path, &w, &h);
    if (!p) return 0;
    size_t dark = 0, white = 0, npx = (size_t)w * h;
    for (size_t i = 0; i < npx; i++) {
        const uint8_t *q = p + 3 * i;
        dark += q[0] < 80 && q[1] < 80 && q[2] < 80;
        white += q[0] == 255 && q[1] == 255 && q[2] == 255;
    }
    free(p);
    return w == LV_PLOT_WIDTH && h == LV_PLOT_HEIGHT && dark > 500 && white > npx / 3;
}

static int px_is(const uint8_t *p, int w, int x, int y, const uint8_t c[3])
{
    return memcmp(p + 3 * ((size_t)y * w + x), c, 3) == 0;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static void test_histogram(void)
{
    lv_error err = {{0}};
    enum { N = 2000 };
    double x[N];
    uint64_t s = 12345;
    for (int i = 0; i < N; i++) { /* sum of uniforms: a bell shape */
        double u = 0;
        for (int k = 0; k < 4; k++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            u += (double)(s >> 11) / 9007199254740992.0;
        }
        x[i] = 3.0 * (u - 2.0);
    }
    CHECK_MSG(lv_plot_histogram("h.png", x, N, 40, 0, 0, "Energy of samples", "energy E", 0.25,
                                "paper mean", &err) == 0, "%s", err.msg);
    CHECK(plot_ok("h.png"));
    /* explicit range with values outside, marker off scale */
    CHECK_MSG(lv_plot_histogram("h2.png", x, N, 10, -1.0, 1.0, NULL, NULL, 5.0, "paper", &err) == 0,
              "%s", err.msg);
    CHECK(plot_ok("h2.png"));
    CHECK(lv_plot_histogram("h3.png", x, 1, 1, 0, 0, "one value, one bin", "x", 0, NULL, &err) == 0);
    CHECK(plot_ok("h3.png"));
    CHECK(lv_plot_histogram("h4.png", x, N, 100000, 0, 0, "many bins", "x", 0, NULL, &err) == 0);
    CHECK(plot_ok("h4.png"));

    /* all-equal data: one bar, centred between the frame's vertical lines */
    double eq[50];
    for (int i = 0; i < 50; i++) eq[i] = 7.5;
    CHECK_MSG(lv_plot_histogram("heq.png", eq, 50, 20, 0, 0, "all equal", "x", 0, NULL, &err) == 0,
              "%s", err.msg);
    int w = 0, h = 0;
    uint8_t *p = read_png("heq.png", &w, &h);
    CHECK(p && w == LV_PLOT_WIDTH && h == LV_PLOT_HEIGHT);
    if (p) {
        int y = h / 2, f0 = -1, f1 = -1, b0 = -1, b1 = -1;
        for (int x = 0; x < w; x++) {
            if (px_is(p, w, x, y, FRAME)) {
                if (f0 < 0) f0 = x;
                f1 = x;
            }
            if (px_is(p, w, x, y, BAR)) {
                if (b0 < 0) b0 = x;
                b1 = x;
            }
        }
        CHECK(f0 > 0 && f1 > f0 + 400);
        CHECK(b0 > f0 && b1 < f1);
        CHECK_MSG(abs((b0 + b1) - (f0 + f1)) <= 4, "bar %d..%d, frame %d..%d", b0, b1, f0, f1);
    }
    free(p);
    double zeros[3] = {0, 0, 0};
    CHECK(lv_plot_histogram("hz.png", zeros, 3, 5, 0, 0, "zeros", "x", 0, "zero", &err) == 0);
    CHECK(plot_ok("hz.png"));
    double tiny[2] = {1e9, 1e9 + 1e-6};
    CHECK(lv_plot_histogram("ht.png", tiny, 2, 5, 0, 0, "nearly equal", "x", 0, NULL, &err) == 0);
    CHECK(plot_ok("ht.png"));
    double huge[2] = {-1e300, 1e300};
    CHECK(lv_plot_histogram("hh.png", huge, 2, 5, 0, 0, "huge", "x", 0, NULL, &err) == 0);
    CHECK(plot_ok("hh.png"));

    double over[2] = {-1.5e308, 1.5e308}, top[2] = {1.7e308, 1.7e308};
    CHECK(lv_plot_histogram("e.png", over, 2, 5, 0, 0, "t", "x", 0, NULL, &err) == -1);
    CHECK_MSG(strstr(err.msg, "limits of double precision"), "%s", err.msg);
    CHECK(lv_plot_histogram("e.png", top, 2, 5, 0, 0, "t", "x", 0, NULL, &err) == -1);
    CHECK_MSG(strstr(err.msg, "limits of double precision"), "%s", err.msg);

    /* errors: clear message naming the file, nothing written */
    err.msg[0] = '\0';
    CHECK(lv_plot_histogram("e.png", x, 0, 10, 0, 0, "t", "x", 0, NULL, &err) == -1);
    CHECK_MSG(strstr(err.msg, "e.png") && strstr(err.msg, "no values"), "%s", err.msg);
    double bad[3] = {1.0, NAN, 2.0};
    CHECK(lv_plot_histogram("e.png", bad, 3, 10, 0, 0, "t", "x", 0, NULL, &err) == -1);
    CHECK_MSG(strstr(err.msg, "value 1 of 3") && strstr(err.msg, "nan"), "%s", err.msg);
    CHECK(lv_plot_histogram("e.png", x, N, 0, 0, 0, "t", "x", 0, NULL, &err) == -1);
    CHECK_MSG(strstr(err.msg, "bins"), "%s", err.msg);
    CHECK(lv_plot_histogram("e.png", x, N, 10, 0, 0, "t", "x", NAN, "m", &err) == -1);
    CHECK(lv_plot_histogram("e.png", x, N, 10, 0, INFINITY, "t", "x", 0, NULL, &err) == -1);
    CHECK(!exists("e.png"));
    CHECK(lv_plot_histogram("no_such_dir/h.png", x, N, 10, 0, 0, "t", "x", 0, NULL, &err) == -1);
    CHECK_MSG(strstr(err.msg, "no_such_dir/h.png") != NULL, "%s", err.msg);
    CHECK(!exists("no_such_dir"));
}

static void test_lines(void)
{
    lv_error err = {{0}};
    enum { N = 200 };
    double x[N], a[N], b[N], c[N];
    for (int i = 0; i < N; i++) {
        x[i] = i * 5.0;
        a[i] = 2.0 * exp(-i / 40.0) + 0.01;
        b[i] = 1.0 / (1.0 + i);
        c[i] = i % 17 == 3 ? NAN : 0.5 + 0.3 * sin(i / 10.0);
    }
    lv_series s[3] = {{"train loss", a}, {"test loss", b}, {NULL, c}};
    CHECK_MSG(lv_plot_lines("l.png", x, N, s, 3, "Training", "epoch", "loss", 0, &err) == 0, "%s",
              err.msg);
    CHECK(plot_ok("l.png"));
    CHECK_MSG(lv_plot_lines("llog.png", x, N, s, 3, "Training (log)", "epoch", "loss", 1, &err) == 0,
              "%s", err.msg);
    CHECK(plot_ok("llog.png"));

    /* degenerate: one point, all-equal y, all-equal x, mostly-NaN series */
    CHECK(lv_plot_lines("l1.png", x, 1, s, 1, "one point", "x", "y", 0, &err) == 0);
    CHECK(plot_ok("l1.png"));
    double flat[N], same_x[N];
    for (int i = 0; i < N; i++) flat[i] = 3.0, same_x[i] = 2.0;
    lv_series f = {"flat", flat};
    CHECK(lv_plot_lines("lf.png", x, N, &f, 1, "flat", "x", "y", 0, &err) == 0);
    CHECK(plot_ok("lf.png"));
    CHECK(lv_plot_lines("lfl.png", x, N, &f, 1, "flat log", "x", "y", 1, &err) == 0);
    CHECK(plot_ok("lfl.png"));
    CHECK(lv_plot_lines("lx.png", same_x, N, &f, 1, "same x", "x", "y", 0, &err) == 0);
    CHECK(plot_ok("lx.png"));
    double wide[3] = {1e-200, 1.0, 1e200};
    lv_series ws = {"wide", wide};
    CHECK(lv_plot_lines("lw.png", x, 3, &ws, 1, "400 decades", "x", "y", 1, &err) == 0);
    CHECK(plot_ok("lw.png"));
    lv_series eight[8];
    for (int k = 0; k < 8; k++) eight[k] = (lv_series){"a very long series name that must be shortened", a};
    CHECK(lv_plot_lines("l8.png", x, N, eight, 8, "eight", "x", "y", 0, &err) == 0);
    CHECK(plot_ok("l8.png"));

    /* errors */
    err.msg[0] = '\0';
    CHECK(lv_plot_lines("e.png", x, 0, s, 3, "t", "x", "y", 0, &err) == -1);
    CHECK_MSG(strstr(err.msg, "e.png") && strstr(err.msg, "no points"), "%s", err.msg);
    CHECK(lv_plot_lines("e.png", x, N, s, 0, "t", "x", "y", 0, &err) == -1);
    CHECK(lv_plot_lines("e.png", x, N, eight, 9, "t", "x", "y", 0, &err) == -1);
    CHECK_MSG(strstr(err.msg, "1..8"), "%s", err.msg);
    lv_series nully = {"missing", NULL};
    CHECK(lv_plot_lines("e.png", x, N, &nully, 1, "t", "x", "y", 0, &err) == -1);
    CHECK_MSG(strstr(err.msg, "missing"), "%s", err.msg);
    double xb[3] = {0, NAN, 2};
    CHECK(lv_plot_lines("e.png", xb, 3, s, 1, "t", "x", "y", 0, &err) == -1);
    CHECK_MSG(strstr(err.msg, "x value 1 of 3"), "%s", err.msg);
    double neg[3] = {-1, 0, -2}, nan3[3] = {NAN, NAN, NAN};
    lv_series ns = {"neg", neg}, nn = {"nan", nan3};
    CHECK(lv_plot_lines("e.png", x, 3, &ns, 1, "t", "x", "y", 1, &err) == -1);
    CHECK_MSG(strstr(err.msg, "positive"), "%s", err.msg);
    CHECK(lv_plot_lines("e.png", x, 3, &nn, 1, "t", "x", "y", 0, &err) == -1);
    double big[2] = {-1.5e308, 1.5e308};
    lv_series bs = {"big", big};
    CHECK(lv_plot_lines("e.png", x, 2, &bs, 1, "t", "x", "y", 0, &err) == -1);
    CHECK_MSG(strstr(err.msg, "y values run from"), "%s", err.msg);
    CHECK(lv_plot_lines("e.png", big, 2, s, 1, "t", "x", "y", 0, &err) == -1);
    CHECK_MSG(strstr(err.msg, "x values run from"), "%s", err.msg);
    CHECK(lv_plot_lines("lbig.png", x, 2, &bs, 1, "huge y on a log axis", "x", "y", 1, &err) == 0);
    CHECK(!exists("e.png"));
    CHECK(lv_plot_lines("no_such_dir/l.png", x, N, s, 3, "t", "x", "y", 0, &err) == -1);
    CHECK_MSG(strstr(err.msg, "no_such_dir/l.png") != NULL, "%s", err.msg);
    CHECK(!exists("no_such_dir"));
}

int main(void)
{
    test_histogram();
    test_lines();
    return lv_test_report("test_plot");
}
