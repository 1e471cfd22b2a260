/* ward — messages for the user and the engine's log file.
 *
 * Errors always go to stderr as one line "ward: <msg>"; with --log they are
 * also appended to the file, as text or as JSON lines
 * {"level":"error","msg":"…","time":"<RFC 3339>"} (the last error line is
 * the root cause; containerd shows exactly that line). */
#ifndef WARD_LOG_H
#define WARD_LOG_H

#include <stdbool.h>

#include "ward/error.h"

enum log_format
{
  LOG_FORMAT_TEXT,
  LOG_FORMAT_JSON,
};

int log_init (const char *path, enum log_format format, bool debug,
              struct werr *err);
void log_error (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
void log_warn (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
void log_debug (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
/* Close the log file (the container init must not keep it). */
void log_close (void);

#endif
