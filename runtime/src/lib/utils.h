/* ward — small file and string helpers shared by the runtime. */
#ifndef WARD_UTILS_H
#define WARD_UTILS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ward/error.h"

/* Write `len` bytes to `path` (O_WRONLY|O_TRUNC|O_CLOEXEC, no create). */
int write_file (const char *path, const char *data, size_t len,
                struct werr *err);
/* Same, relative to a directory fd. */
int write_file_at (int dirfd, const char *path, const char *data, size_t len,
                   struct werr *err);
/* Create-or-replace atomically: write a temp file in the same dir, fsync-free
 * rename over `name`.  Mode of the new file is `mode`. */
int write_file_atomic_at (int dirfd, const char *name, const char *data,
                          size_t len, mode_t mode, struct werr *err);
/* Read a whole file; *out is NUL-terminated, caller frees. */
int read_file (const char *path, char **out, size_t *len, struct werr *err);
int read_file_at (int dirfd, const char *path, char **out, size_t *len,
                  struct werr *err);
/* mkdir -p with `mode` for each created component. */
int mkdir_p (const char *path, mode_t mode, struct werr *err);
/* Write all of buf to fd, retrying on EINTR/short writes. -errno on error. */
ssize_t write_all (int fd, const void *buf, size_t len);
/* Read exactly len bytes (or EOF). Returns bytes read or -errno. */
ssize_t read_all (int fd, void *buf, size_t len);
/* xmalloc-style helpers: abort on OOM (a runtime cannot go on without memory). */
void *xmalloc0 (size_t n);
char *xstrdup (const char *s);
char *xasprintf (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
/* Now as RFC 3339 UTC with nanoseconds: "2026-11-25T18:15:57.123456789Z". */
void rfc3339_now (char *buf, size_t len);
/* CLOCK_MONOTONIC in milliseconds, for deadlines and intervals. */
int64_t monotonic_ms (void);
/* Parse a non-negative decimal that fits in an int; -1 if invalid. */
int parse_uint (const char *s);

#endif
