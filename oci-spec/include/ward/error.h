/* ward — the error object every fallible function fills.
 *
 * Functions that can fail return an int (< 0 on failure) and describe the
 * failure in a `struct werr` passed by pointer.  Callers add context on the
 * way up with werr_prefix(); main() prints the message once.
 */
#ifndef WARD_ERROR_H
#define WARD_ERROR_H

#include <stddef.h>

#define WERR_MSG_MAX 1024

struct werr
{
  int errnum;             /* errno of the root cause, 0 if none */
  char msg[WERR_MSG_MAX]; /* one line, no trailing newline */
};

/* Set the message from a format; when errnum != 0 append ": strerror(errnum)".
 * Returns -1 so that callers can write `return werr_set(err, errno, ...)`. */
int werr_set (struct werr *err, int errnum, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/* Prepend "context: " to an existing message.  Returns -1. */
int werr_prefix (struct werr *err, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

/* Reset to "no error". */
void werr_clear (struct werr *err);

#endif
