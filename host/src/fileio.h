/* fileio.h - whole-file reads and atomic writes.
 *
 * Atomic write contract: data goes to a temporary file in the destination's
 * directory, is fsync'ed, then rename()d over the destination, and the
 * directory is fsync'ed.  A crash or error at any point leaves either the old
 * file or the new one, never a mix; on error the temporary is removed.
 */
#ifndef LV_FILEIO_H
#define LV_FILEIO_H

#include <stdint.h>
#include <stdio.h>

#include "err.h"

typedef struct lv_atomic_file lv_atomic_file;

/* Open a temporary file that will replace `path` on commit. */
int lv_atomic_open(lv_atomic_file **out, const char *path, lv_error *err);
/* The stdio stream to write to. */
FILE *lv_atomic_stream(lv_atomic_file *f);
/* Flush, fsync, rename into place, free f (also on failure). */
int lv_atomic_commit(lv_atomic_file *f, lv_error *err);
/* Discard the temporary and free f. Safe with NULL. */
void lv_atomic_abort(lv_atomic_file *f);

/* Write a whole buffer atomically. */
int lv_write_file_atomic(const char *path, const void *data, size_t n, lv_error *err);

/* Read a whole regular file into a malloc'ed buffer (NUL-terminated, the
 * terminator not counted in *n).  Refuses files larger than max_bytes. */
int lv_read_file(const char *path, uint8_t **data, size_t *n, size_t max_bytes, lv_error *err);

/* Create a directory and its parents (like mkdir -p). */
int lv_mkdir_p(const char *path, lv_error *err);

#endif
