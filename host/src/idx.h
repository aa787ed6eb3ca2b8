/* idx.h - reader/writer for IDX files (the MNIST / Fashion-MNIST layout).
 *
 * Format: a 4-byte big-endian magic 0x0000TTNN (TT = element type, only
 * 0x08 unsigned byte is supported; NN = number of dimensions), NN big-endian
 * uint32 dimension sizes, then the row-major payload, and nothing after it.
 * Images are 3-D (count, rows, cols), magic 0x00000803; labels are 1-D
 * (count), magic 0x00000801.
 *
 * Reading goes through zlib, so plain and gzip-compressed (.gz) files are
 * both accepted.  Every header field is validated (dimensions nonzero,
 * rows/cols <= LV_IDX_MAX_SIDE, payload <= LV_IDX_MAX_BYTES), and a
 * truncated payload or trailing bytes are errors.  Error messages start
 * with the file name.  On failure *out is left zeroed, so the matching
 * _free function is always safe to call.
 *
 * Writing produces plain (uncompressed) IDX, atomically (fileio.h); a path
 * ending in ".gz" is refused, since the bytes would not be gzip data.
 */
#ifndef LV_IDX_H
#define LV_IDX_H

#include <stdint.h>

#include "err.h"

#define LV_IDX_MAGIC_IMAGES 0x00000803u
#define LV_IDX_MAGIC_LABELS 0x00000801u
#define LV_IDX_MAX_SIDE 4096u
#define LV_IDX_MAX_BYTES ((uint64_t)1 << 30) /* payload limit: 1 GiB */

typedef struct {
    uint32_t count, rows, cols;
    uint8_t *pixels; /* count*rows*cols bytes, image-major then row-major */
} lv_idx_images;

typedef struct {
    uint32_t count;
    uint8_t *labels; /* count bytes */
} lv_idx_labels;

int lv_idx_read_images(const char *path, lv_idx_images *out, lv_error *err);
int lv_idx_read_labels(const char *path, lv_idx_labels *out, lv_error *err);

/* Plain (uncompressed) IDX, written atomically.  The same limits as for
 * reading apply, so anything written can be read back. */
int lv_idx_write_images(const char *path, const lv_idx_images *im, lv_error *err);
int lv_idx_write_labels(const char *path, const lv_idx_labels *lb, lv_error *err);

/* Write a matching images/labels pair: both are fully written to
 * temporaries before either replaces its destination, so a failure while
 * writing (disk full, bad directory) changes neither file.  Counts must
 * match and the paths must differ. */
int lv_idx_write_pair(const char *images_path, const lv_idx_images *im, const char *labels_path,
                      const lv_idx_labels *lb, lv_error *err);

/* Free the payload and zero the struct.  Safe with NULL and on a zeroed
 * struct. */
void lv_idx_images_free(lv_idx_images *im);
void lv_idx_labels_free(lv_idx_labels *lb);

#endif
