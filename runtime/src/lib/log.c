/* ward — messages for the user and the engine's log file (see log.h). */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "utils.h"
#include "ward/json.h"

static int log_fd = -1;
static enum log_format log_fmt = LOG_FORMAT_TEXT;
static bool log_debug_enabled;

int
log_init (const char *path, enum log_format format, bool debug,
          struct werr *err)
{
  log_fmt = format;
  log_debug_enabled = debug;
  if (path == NULL)
    return 0;
  log_fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log_fd < 0)
    return werr_set (err, errno, "--log: open `%s`", path);
  return 0;
}

void
log_close (void)
{
  if (log_fd >= 0)
    close (log_fd);
  log_fd = -1;
}

static void
log_to_file (const char *level, const char *msg)
{
  char now[64];
  rfc3339_now (now, sizeof now);
  if (log_fmt == LOG_FORMAT_JSON)
    {
      struct jw *w = jw_new (false);
      jw_obj_open (w);
      jw_kstr (w, "level", level);
      jw_kstr (w, "msg", msg);
      jw_kstr (w, "time", now);
      jw_obj_close (w);
      char *line = NULL;
      size_t len = 0;
      if (jw_finish (w, &line, &len) == 0)
        {
          char *nl = xasprintf ("%s\n", line);
          write_all (log_fd, nl, strlen (nl));
          free (nl);
        }
      free (line);
      return;
    }
  char *line = xasprintf ("time=\"%s\" level=%s msg=\"%s\"\n", now, level, msg);
  write_all (log_fd, line, strlen (line));
  free (line);
}

static void
log_emit (const char *level, bool to_stderr, const char *fmt, va_list ap)
{
  int saved = errno;
  char msg[WERR_MSG_MAX * 2];
  vsnprintf (msg, sizeof msg, fmt, ap);
  if (to_stderr)
    {
      char *line = strcmp (level, "error") == 0
                       ? xasprintf ("ward: %s\n", msg)
                       : xasprintf ("ward: %s: %s\n", level, msg);
      write_all (STDERR_FILENO, line, strlen (line));
      free (line);
    }
  if (log_fd >= 0)
    log_to_file (level, msg);
  errno = saved;
}

void
log_error (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  log_emit ("error", true, fmt, ap);
  va_end (ap);
}

void
log_warn (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  log_emit ("warning", true, fmt, ap);
  va_end (ap);
}

void
log_debug (const char *fmt, ...)
{
  if (!log_debug_enabled)
    return;
  va_list ap;
  va_start (ap, fmt);
  log_emit ("debug", log_fd < 0, fmt, ap);
  va_end (ap);
}
