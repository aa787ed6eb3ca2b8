/* device_image_io.h - the device image file (docs/device-image.md), its
 * validation, and $readmemh export for the RTL's block RAMs.
 *
 * Contract:
 *  - lv_dev_image_validate checks an in-memory image against
 *    docs/fixed-point.md §2-§3 and the device's maximum sizes (below): every
 *    message names the field, its value and the allowed range.
 *  - lv_dev_image_write validates, encodes and writes atomically
 *    (host/src/fileio.h): on any failure an existing file at `path` is left
 *    untouched.  metadata_json (may be NULL) must be a JSON object; it is
 *    stored verbatim in the METADATA section.
 *  - lv_dev_image_read reads the whole file, checks magic, version, sizes,
 *    the head CRC, every section CRC, the file CRC, padding, the section
 *    sizes against the header's dimensions and then validates the decoded
 *    image, all before touching the caller's struct: on failure *img and
 *    *metadata_json are unchanged and nothing is leaked.  On success *img is
 *    overwritten (the caller frees it with lv_dev_image_free; pass an empty
 *    or already-freed struct) and *metadata_json is a malloc'ed NUL-terminated
 *    string, or NULL when the file has no METADATA section.  metadata_json
 *    may be NULL if the caller does not want it.
 *  - lv_dev_image_encode / lv_dev_image_decode are the same format on a
 *    memory buffer (decode takes a `name` used in messages in place of a
 *    path); the file functions are thin wrappers over them.
 *  - lv_dev_image_export_readmemh validates, creates `dir` (mkdir -p) and
 *    writes couplings.hex, row_exp.hex, bias.hex, bias_exp.hex and, last,
 *    manifest.json, each atomically.
 * All functions return 0 on success and -1 with a sentence in err on
 * failure.  No global state.
 */
#ifndef LV_DEVICE_IMAGE_IO_H
#define LV_DEVICE_IMAGE_IO_H

#include <stddef.h>
#include <stdint.h>

#include "device_image.h"
#include "err.h"

/* File format version this code writes; the only one it reads. */
#define LV_DEV_IMAGE_VERSION 1u

/* Device maximum sizes; they must equal MAX_N / MAX_M of the register map
 * (regmap/langevin_device.json; tests/regmap checks that they do). */
#define LV_DEV_MAX_N 4096
#define LV_DEV_MAX_M 8388608u /* 2^23 stored couplings */
/* Reference digits are reports only; the cap keeps a corrupt count from
 * asking for gigabytes. */
#define LV_DEV_MAX_DIGITS 100000

/* Section types (docs/device-image.md). */
typedef enum {
    LV_DEV_SEC_COUPLINGS = 1,      /* int16 codes, docs/fixed-point.md §3 order */
    LV_DEV_SEC_ROW_EXPONENTS = 2,  /* int8 per stored row */
    LV_DEV_SEC_BIASES = 3,         /* int32 per unit */
    LV_DEV_SEC_BIAS_EXPONENTS = 4, /* int8 visible, int8 hidden */
    LV_DEV_SEC_DIGITS = 5,         /* optional reference digits and labels */
    LV_DEV_SEC_METADATA = 6        /* optional JSON object, UTF-8 */
} lv_dev_section;

int lv_dev_image_validate(const lv_dev_image *img, lv_error *err);

int lv_dev_image_write(const char *path, const lv_dev_image *img, const char *metadata_json, lv_error *err);
int lv_dev_image_read(const char *path, lv_dev_image *img, char **metadata_json, lv_error *err);

/* In-memory form: *buf is malloc'ed (caller frees), *len its size. */
int lv_dev_image_encode(const lv_dev_image *img, const char *metadata_json, uint8_t **buf, size_t *len,
                        lv_error *err);
int lv_dev_image_decode(const uint8_t *buf, size_t len, const char *name, lv_dev_image *img,
                        char **metadata_json, lv_error *err);

int lv_dev_image_export_readmemh(const lv_dev_image *img, const char *dir, lv_error *err);

#endif
