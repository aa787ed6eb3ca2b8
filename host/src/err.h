/* err.h - error reporting for the host library.
 *
 * Contract: every fallible library function returns 0 on success and a
 * negative value on failure, after writing a complete, user-facing sentence
 * into the caller's lv_error (what failed, where, and the likely cause).
 * Libraries never print and never exit; the CLI prints err.msg and exits
 * non-zero.  No global state: the error buffer belongs to the caller.
 */
#ifndef LV_ERR_H
#define LV_ERR_H

#include <stddef.h>

typedef struct {
    char msg[1024];
} lv_error;

/* Format a message into err (if non-NULL) and return -1. */
int lv_fail(lv_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Like lv_fail, appending ": strerror(errno)" for the current errno. */
int lv_fail_errno(lv_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prefix an existing message with context ("loading model: ..."). */
int lv_fail_prefix(lv_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
