/* ward — typed getters with path-named errors (see parse_util.h). */
#include "parse_util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
pctx_init (struct pctx *p, const char *name, struct werr *err)
{
  p->name = name ? name : "config.json";
  p->err = err;
  p->path[0] = '\0';
  p->len = 0;
}

static size_t
pctx_append (struct pctx *p, const char *fmt, ...)
{
  size_t mark = p->len;
  if (p->len >= sizeof p->path - 1)
    return mark;
  va_list ap;
  va_start (ap, fmt);
  int n = vsnprintf (p->path + p->len, sizeof p->path - p->len, fmt, ap);
  va_end (ap);
  if (n < 0)
    p->path[p->len] = '\0';
  else if ((size_t) n >= sizeof p->path - p->len)
    p->len = sizeof p->path - 1;
  else
    p->len += (size_t) n;
  return mark;
}

size_t
pctx_push_key (struct pctx *p, const char *key)
{
  return pctx_append (p, p->len ? ".%s" : "%s", key);
}

size_t
pctx_push_index (struct pctx *p, size_t i)
{
  return pctx_append (p, "[%zu]", i);
}

size_t
pctx_push_map_key (struct pctx *p, const char *key)
{
  return pctx_append (p, "[\"%s\"]", key);
}

void
pctx_pop (struct pctx *p, size_t mark)
{
  if (mark < sizeof p->path)
    {
      p->len = mark;
      p->path[mark] = '\0';
    }
}

static int
pu_vfail (struct pctx *p, const char *fmt, va_list ap)
{
  char msg[WERR_MSG_MAX];
  vsnprintf (msg, sizeof msg, fmt, ap);
  if (p->len == 0)
    werr_set (p->err, 0, "%s: %s", p->name, msg);
  else
    werr_set (p->err, 0, "%s: %s: %s", p->name, p->path, msg);
  /* Keys and values quoted come from the document: keep it one line. */
  if (p->err != NULL)
    for (char *c = p->err->msg; *c; c++)
      if ((unsigned char) *c < 0x20 || *c == 0x7f)
        *c = '?';
  return -1;
}

int
pu_fail (struct pctx *p, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  pu_vfail (p, fmt, ap);
  va_end (ap);
  return -1;
}

int
pu_fail_key (struct pctx *p, const char *key, const char *fmt, ...)
{
  size_t mark = pctx_push_key (p, key);
  va_list ap;
  va_start (ap, fmt);
  pu_vfail (p, fmt, ap);
  va_end (ap);
  pctx_pop (p, mark);
  return -1;
}

const struct jnode *
pu_field (const struct jnode *obj, const char *key)
{
  const struct jnode *v = jnode_get (obj, key);
  if (v == NULL || jnode_type (v) == JNODE_NULL)
    return NULL;
  return v;
}

/* ---- values at the current path --------------------------------------- */

int
pu_v_object (struct pctx *p, const struct jnode *v)
{
  if (jnode_type (v) != JNODE_OBJECT)
    return pu_fail (p, "expected an object");
  return 0;
}

int
pu_v_array (struct pctx *p, const struct jnode *v)
{
  if (jnode_type (v) != JNODE_ARRAY)
    return pu_fail (p, "expected an array");
  return 0;
}

/* A C string cannot carry "\u0000"; truncating it would change a path's
 * meaning, so such strings are refused. */
static int
checked_string (const struct jnode *v, const char **s)
{
  size_t len;
  *s = jnode_strn (v, &len);
  if (*s == NULL)
    return -1;
  if (memchr (*s, '\0', len) != NULL)
    return -2;
  return 0;
}

int
pu_v_string (struct pctx *p, const struct jnode *v, char **out)
{
  const char *s;
  int r = checked_string (v, &s);
  if (r == -1)
    return pu_fail (p, "expected a string");
  if (r == -2)
    return pu_fail (p, "string contains a NUL character");
  char *copy = strdup (s);
  if (copy == NULL)
    return werr_set (p->err, ENOMEM, "%s: %s", p->name, p->path);
  free (*out);
  *out = copy;
  return 0;
}

static int
int_range_fail (struct pctx *p, const struct jnode *v, const char *range)
{
  const char *text = jnode_number_text (v);
  if (text == NULL)
    return pu_fail (p, "expected an integer%s%s", *range ? " " : "", range);
  return pu_fail (p, "expected an integer%s%s, got %.40s", *range ? " " : "",
                  range, text);
}

int
pu_v_int (struct pctx *p, const struct jnode *v, int64_t min, int64_t max,
          int64_t *out)
{
  char range[64];
  snprintf (range, sizeof range, "between %" PRId64 " and %" PRId64, min, max);
  bool neg;
  uint64_t mag;
  enum jnode_int_status st = jnode_integer (v, &neg, &mag);
  if (st == JNODE_INT_NOT_INT)
    return int_range_fail (p, v, "");
  if (st == JNODE_INT_TOO_LARGE)
    return int_range_fail (p, v, range);
  int64_t val;
  if (neg)
    {
      if (mag > (uint64_t) INT64_MAX + 1)
        return int_range_fail (p, v, range);
      val = mag == (uint64_t) INT64_MAX + 1 ? INT64_MIN : -(int64_t) mag;
    }
  else
    {
      if (mag > (uint64_t) INT64_MAX)
        return int_range_fail (p, v, range);
      val = (int64_t) mag;
    }
  if (val < min || val > max)
    return int_range_fail (p, v, range);
  *out = val;
  return 0;
}

int
pu_v_uint (struct pctx *p, const struct jnode *v, uint64_t max, uint64_t *out)
{
  char range[64];
  snprintf (range, sizeof range, "between 0 and %" PRIu64, max);
  bool neg;
  uint64_t mag;
  enum jnode_int_status st = jnode_integer (v, &neg, &mag);
  if (st == JNODE_INT_NOT_INT)
    return int_range_fail (p, v, "");
  if (st == JNODE_INT_TOO_LARGE || neg || mag > max)
    return int_range_fail (p, v, range);
  *out = mag;
  return 0;
}

int
pu_v_enum (struct pctx *p, const char *value, const char *const *names,
           const char *what)
{
  for (int i = 0; names[i] != NULL; i++)
    if (strcmp (value, names[i]) == 0)
      return i;
  return pu_fail (p, "unknown %s \"%.100s\"", what, value);
}

/* ---- fields ------------------------------------------------------------ */

static int
missing (struct pctx *p, const char *key)
{
  return pu_fail_key (p, key, "missing required field");
}

static int
typed_field (struct pctx *p, const struct jnode *obj, const char *key,
             bool required, enum jnode_type type, const char *expected,
             const struct jnode **out)
{
  const struct jnode *v = pu_field (obj, key);
  *out = NULL;
  if (v == NULL)
    return required ? missing (p, key) : 0;
  if (jnode_type (v) != type)
    return pu_fail_key (p, key, "expected %s", expected);
  *out = v;
  return 0;
}

int
pu_object (struct pctx *p, const struct jnode *obj, const char *key,
           bool required, const struct jnode **out)
{
  return typed_field (p, obj, key, required, JNODE_OBJECT, "an object", out);
}

int
pu_array (struct pctx *p, const struct jnode *obj, const char *key,
          bool required, const struct jnode **out)
{
  return typed_field (p, obj, key, required, JNODE_ARRAY, "an array", out);
}

int
pu_string (struct pctx *p, const struct jnode *obj, const char *key,
           bool required, char **out)
{
  const struct jnode *v = pu_field (obj, key);
  if (v == NULL)
    return required ? missing (p, key) : 0;
  size_t mark = pctx_push_key (p, key);
  int r = pu_v_string (p, v, out);
  pctx_pop (p, mark);
  return r;
}

int
pu_bool (struct pctx *p, const struct jnode *obj, const char *key, bool *out,
         bool *present)
{
  const struct jnode *v = pu_field (obj, key);
  if (present)
    *present = v != NULL;
  if (v == NULL)
    return 0;
  if (jnode_type (v) != JNODE_BOOL)
    return pu_fail_key (p, key, "expected a boolean");
  *out = jnode_bool (v);
  return 0;
}

int
pu_int (struct pctx *p, const struct jnode *obj, const char *key, bool required,
        int64_t min, int64_t max, int64_t *out, bool *present)
{
  const struct jnode *v = pu_field (obj, key);
  if (present)
    *present = false;
  if (v == NULL)
    return required ? missing (p, key) : 0;
  size_t mark = pctx_push_key (p, key);
  int r = pu_v_int (p, v, min, max, out);
  pctx_pop (p, mark);
  if (r == 0 && present)
    *present = true;
  return r;
}

int
pu_uint (struct pctx *p, const struct jnode *obj, const char *key,
         bool required, uint64_t max, uint64_t *out, bool *present)
{
  const struct jnode *v = pu_field (obj, key);
  if (present)
    *present = false;
  if (v == NULL)
    return required ? missing (p, key) : 0;
  size_t mark = pctx_push_key (p, key);
  int r = pu_v_uint (p, v, max, out);
  pctx_pop (p, mark);
  if (r == 0 && present)
    *present = true;
  return r;
}

int
pu_u32 (struct pctx *p, const struct jnode *obj, const char *key, bool required,
        uint32_t *out, bool *present)
{
  uint64_t v;
  bool has = false;
  if (pu_uint (p, obj, key, required, UINT32_MAX, &v, &has) < 0)
    return -1;
  if (has)
    *out = (uint32_t) v;
  if (present)
    *present = has;
  return 0;
}

int
pu_i32 (struct pctx *p, const struct jnode *obj, const char *key, int32_t *out,
        bool *present)
{
  int64_t v;
  bool has = false;
  if (pu_int (p, obj, key, false, INT32_MIN, INT32_MAX, &v, &has) < 0)
    return -1;
  if (has)
    *out = (int32_t) v;
  if (present)
    *present = has;
  return 0;
}

int
pu_i64 (struct pctx *p, const struct jnode *obj, const char *key, bool required,
        int64_t *out, bool *present)
{
  return pu_int (p, obj, key, required, INT64_MIN, INT64_MAX, out, present);
}

int
pu_u64 (struct pctx *p, const struct jnode *obj, const char *key, bool required,
        uint64_t *out, bool *present)
{
  return pu_uint (p, obj, key, required, UINT64_MAX, out, present);
}

/* ---- composites --------------------------------------------------------- */

int
pu_strv (struct pctx *p, const struct jnode *obj, const char *key,
         struct oci_strv *out)
{
  const struct jnode *v = pu_field (obj, key);
  oci_strv_free (out);
  if (v == NULL)
    return 0;
  size_t n = jnode_len (v);
  if (jnode_type (v) != JNODE_ARRAY)
    return pu_fail_key (p, key, "expected an array of strings");
  out->v = calloc (n + 1, sizeof *out->v);
  if (out->v == NULL)
    return werr_set (p->err, ENOMEM, "%s: %s", p->name, key);
  out->n = n;
  for (size_t i = 0; i < n; i++)
    {
      const char *s;
      int r = checked_string (jnode_at (v, i), &s);
      if (r == -1)
        return pu_fail_key (p, key, "expected an array of strings");
      if (r == -2)
        {
          size_t mark = pctx_push_key (p, key);
          pctx_push_index (p, i);
          pu_fail (p, "string contains a NUL character");
          pctx_pop (p, mark);
          return -1;
        }
      out->v[i] = strdup (s);
      if (out->v[i] == NULL)
        return werr_set (p->err, ENOMEM, "%s: %s", p->name, key);
    }
  return 0;
}

static int
kv_index_cmp (const void *a, const void *b, void *base)
{
  const struct oci_kv *v = base;
  size_t ia = *(const size_t *) a, ib = *(const size_t *) b;
  int c = strcmp (v[ia].key, v[ib].key);
  if (c != 0)
    return c;
  return ia < ib ? -1 : ia > ib;
}

/* A key given twice keeps its last value, as jnode_get and Go's decoder do,
 * so that oci_config_annotation() and a loop over the map agree.  Sorting
 * keeps this O(n log n) for maps of any size. */
static int
kvv_dedup (struct pctx *p, struct oci_kvv *kv)
{
  if (kv->n < 2)
    return 0;
  size_t *idx = calloc (kv->n, sizeof *idx);
  if (idx == NULL)
    return werr_set (p->err, ENOMEM, "%s", p->name);
  for (size_t i = 0; i < kv->n; i++)
    idx[i] = i;
  qsort_r (idx, kv->n, sizeof *idx, kv_index_cmp, kv->v);
  bool any = false;
  for (size_t i = 0; i + 1 < kv->n; i++)
    if (strcmp (kv->v[idx[i]].key, kv->v[idx[i + 1]].key) == 0)
      {
        struct oci_kv *lost = &kv->v[idx[i]];
        free (lost->key);
        free (lost->value);
        lost->key = lost->value = NULL;
        any = true;
      }
  free (idx);
  if (!any)
    return 0;
  size_t o = 0;
  for (size_t i = 0; i < kv->n; i++)
    if (kv->v[i].key != NULL)
      kv->v[o++] = kv->v[i];
  kv->n = o;
  return 0;
}

int
pu_kvv (struct pctx *p, const struct jnode *obj, const char *key,
        struct oci_kvv *out)
{
  const struct jnode *m;
  oci_kvv_free (out);
  if (pu_object (p, obj, key, false, &m) < 0)
    return -1;
  if (m == NULL)
    return 0;
  size_t n = jnode_len (m);
  out->v = calloc (n ? n : 1, sizeof *out->v);
  if (out->v == NULL)
    return werr_set (p->err, ENOMEM, "%s: %s", p->name, key);
  out->n = n;
  size_t mark = pctx_push_key (p, key);
  int r = 0;
  for (size_t i = 0; i < n && r == 0; i++)
    {
      const char *k = jnode_key_at (m, i);
      size_t m2 = pctx_push_map_key (p, k);
      if (*k == '\0')
        r = pu_fail (p, "empty key");
      else if (!(out->v[i].key = strdup (k)))
        r = werr_set (p->err, ENOMEM, "%s: %s", p->name, p->path);
      else
        r = pu_v_string (p, jnode_value_at (m, i), &out->v[i].value);
      pctx_pop (p, m2);
    }
  pctx_pop (p, mark);
  if (r == 0)
    r = kvv_dedup (p, out);
  return r;
}

static int
parse_id_mapping (struct pctx *p, const struct jnode *v, void *elem)
{
  struct oci_id_mapping *m = elem;
  if (pu_u32 (p, v, "containerID", true, &m->container_id, NULL) < 0
      || pu_u32 (p, v, "hostID", true, &m->host_id, NULL) < 0
      || pu_u32 (p, v, "size", true, &m->size, NULL) < 0)
    return -1;
  return 0;
}

int
pu_id_mappings (struct pctx *p, const struct jnode *obj, const char *key,
                struct oci_id_mapping **out, size_t *n)
{
  return pu_array_of (p, obj, key, sizeof **out, (void **) out, n,
                      parse_id_mapping);
}

int
pu_array_each (struct pctx *p, const struct jnode *obj, const char *key,
               size_t size, void **out, size_t *n, pu_index_fn one, void *ctx)
{
  const struct jnode *arr;
  if (pu_array (p, obj, key, false, &arr) < 0)
    return -1;
  if (arr == NULL)
    return 0;
  size_t len = jnode_len (arr);
  *out = calloc (len ? len : 1, size);
  if (*out == NULL)
    return werr_set (p->err, ENOMEM, "%s: %s", p->name, key);
  *n = len;
  size_t mark = pctx_push_key (p, key);
  int r = 0;
  for (size_t i = 0; i < len && r == 0; i++)
    {
      size_t m = pctx_push_index (p, i);
      r = one (p, jnode_at (arr, i), *out, i, ctx);
      pctx_pop (p, m);
    }
  pctx_pop (p, mark);
  return r;
}

struct elem_call
{
  pu_elem_fn one;
  size_t size;
};

static int
object_elem (struct pctx *p, const struct jnode *v, void *arr, size_t i,
             void *ctx)
{
  const struct elem_call *c = ctx;
  if (pu_v_object (p, v) < 0)
    return -1;
  return c->one (p, v, (char *) arr + i * c->size);
}

int
pu_array_of (struct pctx *p, const struct jnode *obj, const char *key,
             size_t size, void **out, size_t *n, pu_elem_fn one)
{
  struct elem_call c = { one, size };
  return pu_array_each (p, obj, key, size, out, n, object_elem, &c);
}

int
pu_section (struct pctx *p, const struct jnode *obj, const char *key,
            bool *present, void *out, pu_fields_fn fields)
{
  const struct jnode *sub;
  if (pu_object (p, obj, key, false, &sub) < 0)
    return -1;
  if (sub == NULL)
    return 0;
  if (present)
    *present = true;
  if (fields == NULL)
    return 0;
  size_t mark = pctx_push_key (p, key);
  int r = fields (p, sub, out);
  pctx_pop (p, mark);
  return r;
}

int
pu_parse_document (const char *data, size_t len, const char *name, size_t size,
                   pu_fields_fn fields, pu_free_fn free_fn, void **out,
                   struct werr *err)
{
  struct pctx p;
  pctx_init (&p, name, err);
  struct jnode *doc = jnode_parse (data, len, err);
  if (doc == NULL)
    return werr_prefix (err, "%s", p.name);
  void *res = calloc (1, size);
  if (res == NULL)
    {
      jnode_free (doc);
      return werr_set (err, ENOMEM, "%s", p.name);
    }
  int r = fields (&p, doc, res);
  jnode_free (doc);
  if (r < 0)
    {
      free_fn (res);
      return -1;
    }
  *out = res;
  return 0;
}

int
pu_check_enum (struct pctx *p, const char *key, const char *value,
               const char *const *names, const char *what)
{
  if (value == NULL)
    return 0;
  size_t mark = pctx_push_key (p, key);
  int r = pu_v_enum (p, value, names, what);
  pctx_pop (p, mark);
  return r < 0 ? -1 : 0;
}

int
pu_check_enum_strv (struct pctx *p, const char *key, const struct oci_strv *v,
                    const char *const *names, const char *what)
{
  size_t mark = pctx_push_key (p, key);
  int r = 0;
  for (size_t i = 0; i < v->n && r == 0; i++)
    {
      size_t m = pctx_push_index (p, i);
      r = pu_v_enum (p, v->v[i], names, what) < 0 ? -1 : 0;
      pctx_pop (p, m);
    }
  pctx_pop (p, mark);
  return r;
}

void
oci_strv_free (struct oci_strv *v)
{
  if (v == NULL || v->v == NULL)
    return;
  for (size_t i = 0; i < v->n; i++)
    free (v->v[i]);
  free (v->v);
  v->v = NULL;
  v->n = 0;
}

void
oci_kvv_free (struct oci_kvv *kv)
{
  if (kv == NULL || kv->v == NULL)
    return;
  for (size_t i = 0; i < kv->n; i++)
    {
      free (kv->v[i].key);
      free (kv->v[i].value);
    }
  free (kv->v);
  kv->v = NULL;
  kv->n = 0;
}
