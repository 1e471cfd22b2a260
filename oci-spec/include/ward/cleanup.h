/* ward — scope-bound cleanup helpers (GCC/Clang cleanup attribute).
 *
 *   _cleanup_free_ char *p = NULL;      freed at end of scope
 *   _cleanup_close_ int fd = -1;        closed at end of scope
 *   return take_fd (&fd);               hand ownership on explicitly
 */
#ifndef WARD_CLEANUP_H
#define WARD_CLEANUP_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void
cleanup_freep (void *p)
{
  free (*(void **) p);
}

static inline void
cleanup_closep (int *fd)
{
  if (*fd >= 0)
    {
      int saved = errno;
      close (*fd);
      errno = saved;
    }
}

static inline void
cleanup_fclosep (FILE **f)
{
  if (*f)
    fclose (*f);
}

#define _cleanup_free_ __attribute__ ((cleanup (cleanup_freep)))
#define _cleanup_close_ __attribute__ ((cleanup (cleanup_closep)))
#define _cleanup_fclose_ __attribute__ ((cleanup (cleanup_fclosep)))

static inline int
take_fd (int *fd)
{
  int r = *fd;
  *fd = -1;
  return r;
}

static inline void *
take_ptr_impl (void **p)
{
  void *r = *p;
  *p = NULL;
  return r;
}
#define take_ptr(p) take_ptr_impl ((void **) (p))

#define ARRAY_SIZE(a) (sizeof (a) / sizeof ((a)[0]))

#endif
