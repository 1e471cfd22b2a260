/* ward — the error object (see ward/error.h). */
#include "ward/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int
werr_set (struct werr *err, int errnum, const char *fmt, ...)
{
  if (err == NULL)
    return -1;
  va_list ap;
  va_start (ap, fmt);
  int n = vsnprintf (err->msg, sizeof err->msg, fmt, ap);
  va_end (ap);
  if (errnum != 0 && n >= 0 && (size_t) n < sizeof err->msg)
    snprintf (err->msg + n, sizeof err->msg - (size_t) n, ": %s",
              strerror (errnum));
  err->errnum = errnum;
  return -1;
}

int
werr_prefix (struct werr *err, const char *fmt, ...)
{
  if (err == NULL)
    return -1;
  char prefix[WERR_MSG_MAX];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (prefix, sizeof prefix, fmt, ap);
  va_end (ap);
  char old[WERR_MSG_MAX];
  memcpy (old, err->msg, sizeof old);
  snprintf (err->msg, sizeof err->msg, "%s: %s", prefix, old);
  return -1;
}

void
werr_clear (struct werr *err)
{
  err->errnum = 0;
  err->msg[0] = '\0';
}
