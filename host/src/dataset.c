#include "dataset.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "idx.h"

void lv_digit_set_free(lv_digit_set *s)
{
    free(s->digits);
    free(s->labels);
    free(s->index);
    memset(s, 0, sizeof *s);
}

int lv_normalise_pixels(const uint8_t *pix, int n, double *out, lv_error *err)
{
    double mean = 0;
    for (int i = 0; i < n; ++i) mean += pix[i] / 255.0;
    mean /= n;
    double var = 0;
    for (int i = 0; i < n; ++i) {
        double d = pix[i] / 255.0 - mean;
        var += d * d;
    }
    var /= n;
    if (!(var > 0)) return lv_fail(err, "image is constant and cannot be normalised to unit variance");
    double inv = 1.0 / sqrt(var);
    for (int i = 0; i < n; ++i) out[i] = (pix[i] / 255.0 - mean) * inv;
    return 0;
}

int lv_digits_select(const char *images_path, const char *labels_path, const int *classes,
                     int nclasses, int per_class, const int *indices, int nindices, lv_digit_set *out,
                     lv_error *err)
{
    memset(out, 0, sizeof *out);
    if ((classes == NULL) == (indices == NULL))
        return lv_fail(err, "choose training digits either by class or by index, not both");
    lv_idx_images im;
    lv_idx_labels lb;
    if (lv_idx_read_images(images_path, &im, err)) return -1;
    if (lv_idx_read_labels(labels_path, &lb, err)) {
        lv_idx_images_free(&im);
        return -1;
    }
    int rc = -1;
    int *pick = NULL;
    int n = 0;
    if (lb.count != im.count) {
        lv_fail(err, "%s holds %u images but %s holds %u labels", images_path, im.count, labels_path,
                lb.count);
        goto out;
    }
    if (indices) {
        if (nindices < 1) {
            lv_fail(err, "no training digit indices given");
            goto out;
        }
        pick = malloc((size_t)nindices * sizeof(int));
        if (!pick) goto oom;
        for (int i = 0; i < nindices; ++i) {
            if (indices[i] < 0 || (uint32_t)indices[i] >= im.count) {
                lv_fail(err, "digit index %d is outside %s (which holds %u images)", indices[i],
                        images_path, im.count);
                goto out;
            }
            pick[n++] = indices[i];
        }
    } else {
        if (nclasses < 1 || per_class < 1) {
            lv_fail(err, "need at least one class and at least one digit per class");
            goto out;
        }
        pick = malloc((size_t)nclasses * (size_t)per_class * sizeof(int));
        if (!pick) goto oom;
        for (int c = 0; c < nclasses; ++c) {
            int got = 0;
            for (uint32_t i = 0; i < im.count && got < per_class; ++i)
                if (lb.labels[i] == classes[c]) {
                    pick[n++] = (int)i;
                    got++;
                }
            if (got < per_class) {
                lv_fail(err, "%s has only %d images of class %d, %d requested", labels_path, got,
                        classes[c], per_class);
                goto out;
            }
        }
    }
    size_t npx = (size_t)im.rows * im.cols;
    out->digits = malloc((size_t)n * npx * sizeof(double));
    out->labels = malloc((size_t)n * sizeof(int32_t));
    out->index = malloc((size_t)n * sizeof(int32_t));
    if (!out->digits || !out->labels || !out->index) goto oom;
    for (int k = 0; k < n; ++k) {
        if (lv_normalise_pixels(im.pixels + (size_t)pick[k] * npx, (int)npx, out->digits + (size_t)k * npx,
                                err)) {
            lv_fail_prefix(err, "%s image %d", images_path, pick[k]);
            goto out;
        }
        out->labels[k] = lb.labels[pick[k]];
        out->index[k] = pick[k];
    }
    out->n = n;
    out->rows = (int)im.rows;
    out->cols = (int)im.cols;
    rc = 0;
    goto out;
oom:
    lv_fail(err, "out of memory selecting training digits");
out:
    free(pick);
    lv_idx_images_free(&im);
    lv_idx_labels_free(&lb);
    if (rc) lv_digit_set_free(out);
    return rc;
}
