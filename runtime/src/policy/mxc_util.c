/* ward — the policy parser's plumbing: JSON paths, typed members, strict
 * objects (unknown and duplicated keys are errors: a typo must never widen
 * access). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxc_parse.h"
#include "utils.h"

/* From oci-spec's json_internal.h: a string with its length, so that an
 * embedded "\u0000" cannot cut a path short. */
const char *jnode_strn (const struct jnode *n, size_t *len);

size_t
mp_push_key (struct mp *m, const char *key)
{
  size_t saved = m->plen;
  int n = snprintf (m->path + m->plen, sizeof m->path - m->plen, "%s%s",
                    m->plen ? "." : "", key);
  if (n > 0)
    m->plen += (size_t) n < sizeof m->path - m->plen
                   ? (size_t) n
                   : sizeof m->path - m->plen - 1;
  return saved;
}

size_t
mp_push_idx (struct mp *m, size_t i)
{
  size_t saved = m->plen;
  int n = snprintf (m->path + m->plen, sizeof m->path - m->plen, "[%zu]", i);
  if (n > 0)
    m->plen += (size_t) n < sizeof m->path - m->plen
                   ? (size_t) n
                   : sizeof m->path - m->plen - 1;
  return saved;
}

void
mp_pop (struct mp *m, size_t saved)
{
  m->plen = saved;
  m->path[saved] = '\0';
}

int
mp_fail (struct mp *m, const char *fmt, ...)
{
  char msg[WERR_MSG_MAX];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (msg, sizeof msg, fmt, ap);
  va_end (ap);
  return werr_set (m->err, 0, "%s: %s%s%s", m->origin ? m->origin : "policy",
                   m->path, m->plen ? ": " : "", msg);
}

char *
mp_where (const struct mp *m)
{
  if (m->origin)
    return xasprintf ("%s: %s", m->origin, m->path);
  return xstrdup (m->path);
}

static void
note_push (struct pol_note **v, size_t *n, char *where, const char *what)
{
  *v = realloc (*v, (*n + 1) * sizeof **v);
  if (*v == NULL)
    abort ();
  (*v)[*n].where = where;
  (*v)[*n].what = xstrdup (what);
  (*n)++;
}

void
mp_note (struct mp *m, const char *what)
{
  note_push (&m->p->notes, &m->p->n_notes, mp_where (m), what);
}

void
mp_unsupported (struct mp *m, const char *what)
{
  note_push (&m->p->unsupported, &m->p->n_unsupported, mp_where (m), what);
}

static const char *
type_name (enum jnode_type t)
{
  switch (t)
    {
    case JNODE_NULL:
      return "null";
    case JNODE_BOOL:
      return "a boolean";
    case JNODE_NUMBER:
      return "a number";
    case JNODE_STRING:
      return "a string";
    case JNODE_ARRAY:
      return "an array";
    case JNODE_OBJECT:
    default:
      return "an object";
    }
}

int
mp_check_object (struct mp *m, const struct jnode *n,
                 const char *const *allowed)
{
  if (jnode_type (n) != JNODE_OBJECT)
    return mp_fail (m, "expected an object, got %s",
                    type_name (jnode_type (n)));
  size_t len = jnode_len (n);
  for (size_t i = 0; i < len; i++)
    {
      const char *k = jnode_key_at (n, i);
      bool known = false;
      for (size_t a = 0; allowed[a] && !known; a++)
        known = strcmp (allowed[a], k) == 0;
      size_t saved = mp_push_key (m, k);
      if (!known)
        return mp_fail (m, "unknown field");
      for (size_t j = 0; j < i; j++)
        if (strcmp (jnode_key_at (n, j), k) == 0)
          return mp_fail (m, "duplicate field");
      mp_pop (m, saved);
    }
  return 0;
}

const struct jnode *
mp_member (const struct jnode *obj, const char *key)
{
  const struct jnode *v = jnode_get (obj, key);
  return jnode_type (v) == JNODE_NULL ? NULL : v;
}

const char *
mp_string (struct mp *m, const struct jnode *n)
{
  size_t len = 0;
  const char *s = jnode_strn (n, &len);
  if (s == NULL)
    {
      mp_fail (m, "expected a string, got %s", type_name (jnode_type (n)));
      return NULL;
    }
  if (memchr (s, '\0', len) != NULL)
    {
      mp_fail (m, "contains a NUL character");
      return NULL;
    }
  return s;
}

int
mp_get_str (struct mp *m, const struct jnode *obj, const char *key, char **out)
{
  const struct jnode *v = mp_member (obj, key);
  if (v == NULL)
    return 0;
  size_t saved = mp_push_key (m, key);
  const char *s = mp_string (m, v);
  if (s == NULL)
    return -1;
  mp_pop (m, saved);
  free (*out);
  *out = xstrdup (s);
  return 1;
}

int
mp_get_bool (struct mp *m, const struct jnode *obj, const char *key, bool *out)
{
  const struct jnode *v = mp_member (obj, key);
  if (v == NULL)
    return 0;
  size_t saved = mp_push_key (m, key);
  if (jnode_type (v) != JNODE_BOOL)
    return mp_fail (m, "expected true or false, got %s",
                    type_name (jnode_type (v)));
  mp_pop (m, saved);
  *out = jnode_bool (v);
  return 1;
}

int
mp_get_uint (struct mp *m, const struct jnode *obj, const char *key,
             uint64_t min, uint64_t max, uint64_t *out)
{
  const struct jnode *v = mp_member (obj, key);
  if (v == NULL)
    return 0;
  size_t saved = mp_push_key (m, key);
  bool ok = jnode_type (v) == JNODE_NUMBER && jnode_is_integer (v)
            && jnode_int (v) >= 0;
  uint64_t x = ok ? jnode_uint (v) : 0;
  if (!ok || x < min || x > max)
    return mp_fail (m, "expected an integer from %llu to %llu",
                    (unsigned long long) min, (unsigned long long) max);
  mp_pop (m, saved);
  *out = x;
  return 1;
}

void
pol_strv_free (char **v, size_t n)
{
  for (size_t i = 0; v && i < n; i++)
    free (v[i]);
  free (v);
}

int
mp_get_strv (struct mp *m, const struct jnode *obj, const char *key,
             char ***out, size_t *n)
{
  const struct jnode *v = mp_member (obj, key);
  if (v == NULL)
    return 0;
  size_t saved = mp_push_key (m, key);
  if (jnode_type (v) != JNODE_ARRAY)
    return mp_fail (m, "expected an array of strings, got %s",
                    type_name (jnode_type (v)));
  size_t len = jnode_len (v);
  char **r = xmalloc0 ((len + 1) * sizeof *r);
  for (size_t i = 0; i < len; i++)
    {
      size_t s2 = mp_push_idx (m, i);
      const char *s = mp_string (m, jnode_at (v, i));
      if (s == NULL)
        {
          pol_strv_free (r, i);
          return -1;
        }
      r[i] = xstrdup (s);
      mp_pop (m, s2);
    }
  mp_pop (m, saved);
  pol_strv_free (*out, *n);
  *out = r;
  *n = len;
  return 1;
}
