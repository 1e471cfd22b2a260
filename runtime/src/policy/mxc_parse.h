/* ward — the policy parser's plumbing, shared by mxc.c (top level,
 * filesystem, process, extensions) and mxc_network.c (network). */
#ifndef WARD_POLICY_MXC_PARSE_H
#define WARD_POLICY_MXC_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doc.h"
#include "ward/json.h"

#define MP_PATH_MAX 512

/* Parser state: the document being filled and the JSON path of the value
 * being read, for messages. */
struct mp
{
  struct agent_policy *p;
  struct werr *err;
  const char *origin; /* NULL, or "profile coding" */
  char path[MP_PATH_MAX];
  size_t plen;
};

/* Enter `key` / `[i]`; returns the length to restore with mp_pop(). */
size_t mp_push_key (struct mp *m, const char *key);
size_t mp_push_idx (struct mp *m, size_t i);
void mp_pop (struct mp *m, size_t saved);

/* "policy: <path>: <message>"; returns -1. */
int mp_fail (struct mp *m, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));
/* A malloc'd "where" for the current path (origin-prefixed). */
char *mp_where (const struct mp *m);
/* Record a note (accepted, no effect) or an unsupported field. */
void mp_note (struct mp *m, const char *what);
void mp_unsupported (struct mp *m, const char *what);

/* `n` is an object whose keys are all in the NULL-terminated `allowed`,
 * each at most once.  The path must point at `n`. */
int mp_check_object (struct mp *m, const struct jnode *n,
                     const char *const *allowed);

/* Typed members of an object: 0 absent or null, 1 read, -1 error.  Each
 * pushes the member's name for its own messages. */
int mp_get_str (struct mp *m, const struct jnode *obj, const char *key,
                char **out);
int mp_get_bool (struct mp *m, const struct jnode *obj, const char *key,
                 bool *out);
int mp_get_uint (struct mp *m, const struct jnode *obj, const char *key,
                 uint64_t min, uint64_t max, uint64_t *out);
/* An array of strings; *out NULL-terminated as well. */
int mp_get_strv (struct mp *m, const struct jnode *obj, const char *key,
                 char ***out, size_t *n);
/* An object member (not null); NULL when absent or null. */
const struct jnode *mp_member (const struct jnode *obj, const char *key);
/* The string value of `n` (no NUL inside), or NULL after an error. */
const char *mp_string (struct mp *m, const struct jnode *n);

int mxc_parse_network (struct mp *m, const struct jnode *net);

void pol_strv_free (char **v, size_t n);

#endif
