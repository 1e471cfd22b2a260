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
  char buf[WERR_MSG_MAX];
  va_list ap;
  va_start (ap, fmt);
  int n = vsnprintf (buf, sizeof buf, fmt, ap);
  va_end (ap);
  if (n < 0)
    return -1;
  /* Keep as much of "prefix: message" as fits; the end is what is lost. */
  size_t off = (size_t) n < sizeof buf ? (size_t) n : sizeof buf - 1;
  if (off + 2 < sizeof buf)
    {
      memcpy (buf + off, ": ", 2);
      off += 2;
    }
  size_t mlen = strnlen (err->msg, sizeof err->msg);
  if (mlen > sizeof buf - 1 - off)
    mlen = sizeof buf - 1 - off;
  memcpy (buf + off, err->msg, mlen);
  buf[off + mlen] = '\0';
  memcpy (err->msg, buf, off + mlen + 1);
  return -1;
}

void
werr_clear (struct werr *err)
{
  if (err == NULL)
    return;
  err->errnum = 0;
  err->msg[0] = '\0';
}
