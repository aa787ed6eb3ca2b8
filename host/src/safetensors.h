/* safetensors.h - read and write the Hugging Face safetensors format.
 *
 * File layout: an 8-byte little-endian unsigned header length N, N bytes of
 * UTF-8 JSON header, then the data buffer.  The header is an object mapping
 * each tensor name to {"dtype", "shape", "data_offsets": [begin, end]}
 * (offsets relative to the start of the data buffer, end exclusive), plus an
 * optional "__metadata__" object of string -> string.  Tensor data is dense,
 * row-major (C order) and little-endian.
 *
 * Writer contract: tensors are laid out contiguously in insertion order and
 * listed in the header in that order, after "__metadata__"; the header is
 * padded with spaces so the data buffer starts at a multiple of 8 bytes.
 * The file is written atomically (see fileio.h).
 *
 * Reader contract: lv_st_open loads the whole file and validates it before
 * returning, following the reference implementation's rules: header at most
 * 100,000,000 bytes and inside the file; valid UTF-8 JSON object; every entry
 * well typed with a supported dtype; shape x dtype size equal to the byte
 * span (no overflow); tensors cover the data buffer exactly, with no holes,
 * overlaps or trailing bytes; no duplicate names; metadata values strings.
 * Only the ten dtypes below are supported (F16, BF16, BOOL etc. are refused
 * with a message naming the dtype).  Extra keys inside a tensor entry are
 * ignored, as the reference implementation does.  JSON numbers are accepted
 * as integers when their value is an integer in [0, 2^53].
 *
 * Endianness: this module reads and writes tensor bytes as they are in
 * memory, so it only supports little-endian hosts.  Big-endian targets fail
 * to compile where the compiler reports byte order, and lv_st_open and
 * lv_st_writer_write fail with an error at run time otherwise.
 *
 * Not thread-safe per object; distinct objects may be used concurrently.
 */
#ifndef LV_SAFETENSORS_H
#define LV_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef enum {
    LV_ST_F64, LV_ST_F32, LV_ST_I64, LV_ST_I32, LV_ST_I16,
    LV_ST_I8, LV_ST_U8, LV_ST_U16, LV_ST_U32, LV_ST_U64
} lv_st_dtype;

#define LV_ST_MAX_DIMS 8
/* The format caps the header at this many bytes. */
#define LV_ST_MAX_HEADER 100000000u

typedef struct {
    char *name;           /* NUL-terminated; owned by the file */
    lv_st_dtype dtype;
    int ndim;             /* 0 for a scalar (shape []) */
    int64_t shape[LV_ST_MAX_DIMS];
    size_t offset;        /* byte offset into the data buffer */
    size_t nbytes;        /* may be 0 when a dimension is 0 */
} lv_st_tensor;

/* ---- Writer: collects tensors (data is COPIED at add time) and metadata,
 * then writes atomically.  lv_st_writer_write does not consume the writer:
 * it may be called again (e.g. to another path). */
typedef struct lv_st_writer lv_st_writer;

/* NULL when out of memory. */
lv_st_writer *lv_st_writer_new(void);
/* Add a tensor of ndim dims (0..LV_ST_MAX_DIMS; shape may be NULL when 0).
 * data holds prod(shape) elements in row-major order (may be NULL if that is
 * 0).  Fails on an empty, non-UTF-8, duplicate or reserved ("__metadata__")
 * name, a bad dtype or dims, or a size overflow. */
int lv_st_writer_add(lv_st_writer *w, const char *name, lv_st_dtype dt, int ndim,
                     const int64_t *shape, const void *data, lv_error *err);
/* Set a metadata entry (UTF-8 strings); setting a key again replaces it. */
int lv_st_writer_meta(lv_st_writer *w, const char *key, const char *value, lv_error *err);
int lv_st_writer_write(lv_st_writer *w, const char *path, lv_error *err);
void lv_st_writer_free(lv_st_writer *w);  /* safe with NULL */

/* ---- Reader: loads and validates the whole file. */
typedef struct lv_st_file lv_st_file;

/* On failure *out is NULL and err names the file and the problem. */
int lv_st_open(const char *path, lv_st_file **out, lv_error *err);
void lv_st_close(lv_st_file *f);  /* safe with NULL */
/* Tensors are indexed in header order. */
size_t lv_st_count(const lv_st_file *f);
const lv_st_tensor *lv_st_at(const lv_st_file *f, size_t i);          /* NULL if out of range */
const lv_st_tensor *lv_st_find(const lv_st_file *f, const char *name); /* NULL if absent */
/* Pointer to the tensor's bytes inside the loaded buffer, valid until
 * lv_st_close.  It is NOT necessarily aligned for the element type (files
 * from other writers need not align the data start or tensors): memcpy out
 * of it rather than casting it to a typed pointer. */
const void *lv_st_data(const lv_st_file *f, const lv_st_tensor *t);
/* Copy tensor `name` into out as doubles.  Fails unless it exists, its dtype
 * is F64 or F32, and its shape equals (ndim, shape) exactly; the message
 * names the tensor and both shapes. */
int lv_st_read_f64(const lv_st_file *f, const char *name, int ndim, const int64_t *shape,
                   double *out, lv_error *err);
/* Metadata in header order.  lv_st_meta returns NULL if key is absent;
 * lv_st_meta_at returns 0, or -1 if i is out of range. */
const char *lv_st_meta(const lv_st_file *f, const char *key);
size_t lv_st_meta_count(const lv_st_file *f);
int lv_st_meta_at(const lv_st_file *f, size_t i, const char **key, const char **value);

/* "F64", "U8", ...; "?" for an invalid value. */
const char *lv_st_dtype_name(lv_st_dtype dt);
/* Element size in bytes; 0 for an invalid value. */
size_t lv_st_dtype_size(lv_st_dtype dt);
/* Parse a dtype name; 0 on success, -1 if unknown. */
int lv_st_dtype_parse(const char *name, lv_st_dtype *dt);

#endif
