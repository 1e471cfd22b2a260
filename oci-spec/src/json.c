/* ward — the only door to yajl: a JSON writer (yajl_gen) and a read-only
 * tree built from yajl's event parser.
 *
 * The tree is built here rather than with yajl_tree so that nesting depth is
 * bounded (a hostile config.json must not exhaust the stack when the tree is
 * freed), strings keep their length (so "\u0000" inside a path is seen, not
 * silently truncated), and integers up to 2^64-1 are exact.
 */
#include "json_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>

/* ====================================================================== */
/* writer                                                                 */
/* ====================================================================== */

struct jw
{
  yajl_gen g;
  bool failed;
  int depth;
  bool wrote;
};

struct jw *
jw_new (bool pretty)
{
  struct jw *w = calloc (1, sizeof *w);
  if (w == NULL)
    return NULL;
  w->g = yajl_gen_alloc (NULL);
  if (w->g == NULL)
    {
      free (w);
      return NULL;
    }
  if (pretty)
    {
      yajl_gen_config (w->g, yajl_gen_beautify, 1);
      yajl_gen_config (w->g, yajl_gen_indent_string, "  ");
    }
  return w;
}

static void
jw_check (struct jw *w, yajl_gen_status st)
{
  if (st != yajl_gen_status_ok)
    w->failed = true;
  w->wrote = true;
}

void
jw_obj_open (struct jw *w)
{
  if (w == NULL)
    return;
  w->depth++;
  jw_check (w, yajl_gen_map_open (w->g));
}

void
jw_obj_close (struct jw *w)
{
  if (w == NULL)
    return;
  w->depth--;
  jw_check (w, yajl_gen_map_close (w->g));
}

void
jw_arr_open (struct jw *w)
{
  if (w == NULL)
    return;
  w->depth++;
  jw_check (w, yajl_gen_array_open (w->g));
}

void
jw_arr_close (struct jw *w)
{
  if (w == NULL)
    return;
  w->depth--;
  jw_check (w, yajl_gen_array_close (w->g));
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if it is invalid:
 * overlong forms, surrogates and code points above U+10FFFF included. */
static size_t
utf8_seq_len (const unsigned char *s, size_t left)
{
  unsigned char c = s[0];
  size_t n;
  uint32_t cp;
  if (c < 0x80)
    return 1;
  if (c >= 0xc2 && c <= 0xdf)
    n = 2, cp = c & 0x1f;
  else if (c >= 0xe0 && c <= 0xef)
    n = 3, cp = c & 0x0f;
  else if (c >= 0xf0 && c <= 0xf4)
    n = 4, cp = c & 0x07;
  else
    return 0;
  if (left < n)
    return 0;
  for (size_t i = 1; i < n; i++)
    {
      if ((s[i] & 0xc0) != 0x80)
        return 0;
      cp = (cp << 6) | (s[i] & 0x3f);
    }
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff
      || (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return n;
}

/* JSON must be UTF-8; paths and annotations may not be.  Like Go's encoder
 * (what runc prints), replace each invalid byte with U+FFFD. */
static char *
utf8_sanitize (const char *s, size_t len, size_t *out_len)
{
  char *out = malloc (len * 3 + 1);
  if (out == NULL)
    return NULL;
  size_t o = 0;
  for (size_t i = 0; i < len;)
    {
      size_t n = utf8_seq_len ((const unsigned char *) s + i, len - i);
      if (n == 0)
        {
          memcpy (out + o, "\xef\xbf\xbd", 3);
          o += 3;
          i++;
          continue;
        }
      memcpy (out + o, s + i, n);
      o += n;
      i += n;
    }
  out[o] = '\0';
  *out_len = o;
  return out;
}

static void
jw_string_n (struct jw *w, const char *s, size_t len)
{
  for (size_t i = 0; i < len;)
    {
      size_t n = utf8_seq_len ((const unsigned char *) s + i, len - i);
      if (n == 0)
        {
          size_t clean_len;
          char *clean = utf8_sanitize (s, len, &clean_len);
          if (clean == NULL)
            {
              w->failed = true;
              return;
            }
          jw_check (w, yajl_gen_string (w->g, (const unsigned char *) clean,
                                        clean_len));
          free (clean);
          return;
        }
      i += n;
    }
  jw_check (w, yajl_gen_string (w->g, (const unsigned char *) s, len));
}

void
jw_key (struct jw *w, const char *key)
{
  if (w == NULL)
    return;
  if (key == NULL)
    {
      w->failed = true;
      return;
    }
  jw_string_n (w, key, strlen (key));
}

void
jw_str (struct jw *w, const char *s)
{
  if (w == NULL)
    return;
  if (s == NULL)
    jw_null (w);
  else
    jw_string_n (w, s, strlen (s));
}

void
jw_int (struct jw *w, int64_t v)
{
  if (w == NULL)
    return;
  jw_check (w, yajl_gen_integer (w->g, (long long) v));
}

void
jw_uint (struct jw *w, uint64_t v)
{
  if (w == NULL)
    return;
  char buf[24];
  int n = snprintf (buf, sizeof buf, "%" PRIu64, v);
  jw_check (w, yajl_gen_number (w->g, buf, (size_t) n));
}

void
jw_bool (struct jw *w, bool v)
{
  if (w == NULL)
    return;
  jw_check (w, yajl_gen_bool (w->g, v));
}

void
jw_null (struct jw *w)
{
  if (w == NULL)
    return;
  jw_check (w, yajl_gen_null (w->g));
}

void
jw_kstr (struct jw *w, const char *key, const char *s)
{
  jw_key (w, key);
  jw_str (w, s);
}

void
jw_kint (struct jw *w, const char *key, int64_t v)
{
  jw_key (w, key);
  jw_int (w, v);
}

void
jw_kbool (struct jw *w, const char *key, bool v)
{
  jw_key (w, key);
  jw_bool (w, v);
}

void
jw_kstrv (struct jw *w, const char *key, char *const *v, size_t n)
{
  jw_key (w, key);
  jw_arr_open (w);
  for (size_t i = 0; i < n; i++)
    jw_str (w, v[i]);
  jw_arr_close (w);
}

/* The output never ends with a newline, pretty or not: callers add one. */
int
jw_finish (struct jw *w, char **out, size_t *len)
{
  if (w == NULL)
    return -1;
  const unsigned char *buf = NULL;
  size_t blen = 0;
  int ret = -1;
  if (!w->failed && w->wrote && w->depth == 0
      && yajl_gen_get_buf (w->g, &buf, &blen) == yajl_gen_status_ok)
    {
      while (blen > 0 && buf[blen - 1] == '\n')
        blen--;
      char *copy = malloc (blen + 1);
      if (copy != NULL)
        {
          memcpy (copy, buf, blen);
          copy[blen] = '\0';
          *out = copy;
          if (len)
            *len = blen;
          ret = 0;
        }
    }
  jw_abort (w);
  return ret;
}

void
jw_abort (struct jw *w)
{
  if (w == NULL)
    return;
  yajl_gen_free (w->g);
  free (w);
}

/* ====================================================================== */
/* reader                                                                 */
/* ====================================================================== */

struct jmember
{
  char *key;
  struct jnode *val;
};

struct jnode
{
  enum jnode_type type;
  union
  {
    bool b;
    struct
    {
      char *s;
      size_t len;
    } str;
    struct
    {
      char *text;
      enum jnode_int_status status;
      bool neg;
      uint64_t mag;
    } num;
    struct
    {
      struct jnode **v;
      size_t n, cap;
    } arr;
    struct
    {
      struct jmember *v;
      size_t n, cap;
    } obj;
  };
};

struct jbuild
{
  struct jnode *root;
  struct jnode **stack; /* open containers, innermost last */
  size_t depth, cap;
  char *key;       /* pending object key */
  const char *why; /* why the build was cancelled */
};

void
jnode_free (struct jnode *n)
{
  if (n == NULL)
    return;
  switch (n->type)
    {
    case JNODE_STRING:
      free (n->str.s);
      break;
    case JNODE_NUMBER:
      free (n->num.text);
      break;
    case JNODE_ARRAY:
      for (size_t i = 0; i < n->arr.n; i++)
        jnode_free (n->arr.v[i]);
      free (n->arr.v);
      break;
    case JNODE_OBJECT:
      for (size_t i = 0; i < n->obj.n; i++)
        {
          free (n->obj.v[i].key);
          jnode_free (n->obj.v[i].val);
        }
      free (n->obj.v);
      break;
    default:
      break;
    }
  free (n);
}

static bool
grow (void **v, size_t *cap, size_t need, size_t elem)
{
  if (need <= *cap)
    return true;
  size_t ncap = *cap ? *cap * 2 : 4;
  while (ncap < need)
    ncap *= 2;
  void *nv = reallocarray (*v, ncap, elem);
  if (nv == NULL)
    return false;
  *v = nv;
  *cap = ncap;
  return true;
}

/* Attach a new node to the innermost container (or make it the root).
 * The node belongs to the tree as soon as this returns true. */
static bool
jb_attach (struct jbuild *b, struct jnode *n)
{
  if (b->depth == 0)
    {
      b->root = n;
      return true;
    }
  struct jnode *top = b->stack[b->depth - 1];
  if (top->type == JNODE_ARRAY)
    {
      if (!grow ((void **) &top->arr.v, &top->arr.cap, top->arr.n + 1,
                 sizeof *top->arr.v))
        return false;
      top->arr.v[top->arr.n++] = n;
      return true;
    }
  if (b->key == NULL
      || !grow ((void **) &top->obj.v, &top->obj.cap, top->obj.n + 1,
                sizeof *top->obj.v))
    return false;
  top->obj.v[top->obj.n].key = b->key;
  top->obj.v[top->obj.n].val = n;
  top->obj.n++;
  b->key = NULL;
  return true;
}

static struct jnode *
jb_new (struct jbuild *b, enum jnode_type type)
{
  struct jnode *n = calloc (1, sizeof *n);
  if (n == NULL)
    return NULL;
  n->type = type;
  if (!jb_attach (b, n))
    {
      free (n);
      return NULL;
    }
  return n;
}

static int
cb_null (void *ctx)
{
  return jb_new (ctx, JNODE_NULL) != NULL;
}

static int
cb_boolean (void *ctx, int v)
{
  struct jnode *n = jb_new (ctx, JNODE_BOOL);
  if (n == NULL)
    return 0;
  n->b = v != 0;
  return 1;
}

static void
parse_integer (struct jnode *n, const char *s, size_t len)
{
  n->num.status = JNODE_INT_NOT_INT;
  if (memchr (s, '.', len) || memchr (s, 'e', len) || memchr (s, 'E', len))
    return;
  size_t i = 0;
  if (i < len && s[i] == '-')
    {
      n->num.neg = true;
      i++;
    }
  uint64_t mag = 0;
  for (; i < len; i++)
    {
      unsigned d = (unsigned) (s[i] - '0');
      if (d > 9)
        return;
      if (mag > (UINT64_MAX - d) / 10)
        {
          n->num.status = JNODE_INT_TOO_LARGE;
          return;
        }
      mag = mag * 10 + d;
    }
  n->num.mag = mag;
  n->num.status = JNODE_INT_OK;
}

static int
cb_number (void *ctx, const char *s, size_t len)
{
  char *text = strndup (s, len);
  if (text == NULL)
    return 0;
  struct jnode *n = jb_new (ctx, JNODE_NUMBER);
  if (n == NULL)
    {
      free (text);
      return 0;
    }
  n->num.text = text;
  parse_integer (n, s, len);
  return 1;
}

static int
cb_string (void *ctx, const unsigned char *s, size_t len)
{
  char *copy = malloc (len + 1);
  if (copy == NULL)
    return 0;
  memcpy (copy, s, len);
  copy[len] = '\0';
  struct jnode *n = jb_new (ctx, JNODE_STRING);
  if (n == NULL)
    {
      free (copy);
      return 0;
    }
  n->str.s = copy;
  n->str.len = len;
  return 1;
}

static int
cb_key (void *ctx, const unsigned char *s, size_t len)
{
  struct jbuild *b = ctx;
  if (memchr (s, '\0', len) != NULL)
    {
      b->why = "object key contains a NUL character";
      return 0;
    }
  free (b->key);
  b->key = strndup ((const char *) s, len);
  return b->key != NULL;
}

static int
jb_open (struct jbuild *b, enum jnode_type type)
{
  if (b->depth >= JNODE_MAX_DEPTH)
    {
      b->why = "nesting too deep";
      return 0;
    }
  if (!grow ((void **) &b->stack, &b->cap, b->depth + 1, sizeof *b->stack))
    return 0;
  struct jnode *n = jb_new (b, type);
  if (n == NULL)
    return 0;
  b->stack[b->depth++] = n;
  return 1;
}

static int
cb_start_map (void *ctx)
{
  return jb_open (ctx, JNODE_OBJECT);
}

static int
cb_start_array (void *ctx)
{
  return jb_open (ctx, JNODE_ARRAY);
}

static int
cb_end (void *ctx)
{
  struct jbuild *b = ctx;
  b->depth--;
  return 1;
}

static const yajl_callbacks jb_callbacks = {
  .yajl_null = cb_null,
  .yajl_boolean = cb_boolean,
  .yajl_number = cb_number,
  .yajl_string = cb_string,
  .yajl_start_map = cb_start_map,
  .yajl_map_key = cb_key,
  .yajl_end_map = cb_end,
  .yajl_start_array = cb_start_array,
  .yajl_end_array = cb_end,
};

/* Line and column (1-based) of byte offset `off`. */
static void
position (const char *data, size_t len, size_t off, size_t *line, size_t *col)
{
  *line = 1;
  *col = 1;
  for (size_t i = 0; i < off && i < len; i++)
    {
      if (data[i] == '\n')
        {
          (*line)++;
          *col = 1;
        }
      else
        (*col)++;
    }
}

static void
parse_error (yajl_handle h, struct jbuild *b, const char *data, size_t len,
             yajl_status st, struct werr *err)
{
  size_t line, col;
  position (data, len, yajl_get_bytes_consumed (h), &line, &col);
  if (st == yajl_status_client_canceled)
    {
      if (b->why != NULL)
        werr_set (err, 0, "invalid JSON at line %zu, column %zu: %s", line, col,
                  b->why);
      else
        werr_set (err, ENOMEM, "parse JSON");
      return;
    }
  unsigned char *msg = yajl_get_error (h, 0, (const unsigned char *) data, len);
  char *text = msg ? (char *) msg : "syntax error";
  size_t tl = strlen (text);
  while (tl > 0 && (text[tl - 1] == '\n' || text[tl - 1] == ' '))
    text[--tl] = '\0';
  werr_set (err, 0, "invalid JSON at line %zu, column %zu: %s", line, col,
            text);
  if (msg)
    yajl_free_error (h, msg);
}

struct jnode *
jnode_parse (const char *data, size_t len, struct werr *err)
{
  if (len > JNODE_MAX_INPUT)
    {
      werr_set (err, 0, "invalid JSON: document larger than %u bytes",
                JNODE_MAX_INPUT);
      return NULL;
    }
  size_t ws = 0;
  while (ws < len && strchr (" \t\r\n", data[ws]) != NULL && data[ws])
    ws++;
  if (ws == len)
    {
      werr_set (err, 0, "invalid JSON: empty document");
      return NULL;
    }
  struct jbuild b = { 0 };
  yajl_handle h = yajl_alloc (&jb_callbacks, NULL, &b);
  if (h == NULL)
    {
      werr_set (err, ENOMEM, "parse JSON");
      return NULL;
    }
  yajl_status st = yajl_parse (h, (const unsigned char *) data, len);
  if (st == yajl_status_ok)
    st = yajl_complete_parse (h);
  if (st == yajl_status_ok && b.root == NULL)
    {
      werr_set (err, 0, "invalid JSON: empty document");
      st = yajl_status_error;
    }
  else if (st != yajl_status_ok)
    parse_error (h, &b, data, len, st, err);
  yajl_free (h);
  free (b.stack);
  free (b.key);
  if (st != yajl_status_ok)
    {
      jnode_free (b.root);
      return NULL;
    }
  return b.root;
}

enum jnode_type
jnode_type (const struct jnode *n)
{
  return n ? n->type : JNODE_NULL;
}

const struct jnode *
jnode_get (const struct jnode *obj, const char *key)
{
  if (obj == NULL || obj->type != JNODE_OBJECT || key == NULL)
    return NULL;
  /* The last occurrence of a duplicated key wins, as in Go's decoder (runc). */
  for (size_t i = obj->obj.n; i > 0; i--)
    if (strcmp (obj->obj.v[i - 1].key, key) == 0)
      return obj->obj.v[i - 1].val;
  return NULL;
}

size_t
jnode_len (const struct jnode *n)
{
  if (n == NULL)
    return 0;
  if (n->type == JNODE_ARRAY)
    return n->arr.n;
  if (n->type == JNODE_OBJECT)
    return n->obj.n;
  return 0;
}

const struct jnode *
jnode_at (const struct jnode *arr, size_t i)
{
  if (arr == NULL || arr->type != JNODE_ARRAY || i >= arr->arr.n)
    return NULL;
  return arr->arr.v[i];
}

const char *
jnode_key_at (const struct jnode *obj, size_t i)
{
  if (obj == NULL || obj->type != JNODE_OBJECT || i >= obj->obj.n)
    return NULL;
  return obj->obj.v[i].key;
}

const struct jnode *
jnode_value_at (const struct jnode *obj, size_t i)
{
  if (obj == NULL || obj->type != JNODE_OBJECT || i >= obj->obj.n)
    return NULL;
  return obj->obj.v[i].val;
}

const char *
jnode_str (const struct jnode *n)
{
  return n && n->type == JNODE_STRING ? n->str.s : NULL;
}

const char *
jnode_strn (const struct jnode *n, size_t *len)
{
  if (n == NULL || n->type != JNODE_STRING)
    return NULL;
  *len = n->str.len;
  return n->str.s;
}

const char *
jnode_number_text (const struct jnode *n)
{
  return n && n->type == JNODE_NUMBER ? n->num.text : NULL;
}

enum jnode_int_status
jnode_integer (const struct jnode *n, bool *neg, uint64_t *mag)
{
  if (n == NULL || n->type != JNODE_NUMBER)
    return JNODE_INT_NOT_INT;
  if (n->num.status == JNODE_INT_OK)
    {
      *neg = n->num.neg && n->num.mag != 0;
      *mag = n->num.mag;
    }
  return n->num.status;
}

bool
jnode_is_integer (const struct jnode *n)
{
  bool neg;
  uint64_t mag;
  if (jnode_integer (n, &neg, &mag) != JNODE_INT_OK)
    return false;
  return !neg || mag <= (uint64_t) INT64_MAX + 1;
}

/* Saturating conversions: callers that care check jnode_is_integer first. */
int64_t
jnode_int (const struct jnode *n)
{
  bool neg;
  uint64_t mag;
  if (jnode_integer (n, &neg, &mag) == JNODE_INT_OK)
    {
      if (neg)
        return mag > (uint64_t) INT64_MAX ? INT64_MIN : -(int64_t) mag;
      return mag > (uint64_t) INT64_MAX ? INT64_MAX : (int64_t) mag;
    }
  if (n == NULL || n->type != JNODE_NUMBER)
    return 0;
  double d = strtod (n->num.text, NULL);
  if (d != d)
    return 0;
  if (d >= 9223372036854775807.0)
    return INT64_MAX;
  if (d <= -9223372036854775808.0)
    return INT64_MIN;
  return (int64_t) d;
}

uint64_t
jnode_uint (const struct jnode *n)
{
  bool neg;
  uint64_t mag;
  if (jnode_integer (n, &neg, &mag) == JNODE_INT_OK)
    return neg ? 0 : mag;
  if (n == NULL || n->type != JNODE_NUMBER)
    return 0;
  double d = strtod (n->num.text, NULL);
  if (!(d > 0))
    return 0;
  if (d >= 18446744073709551615.0)
    return UINT64_MAX;
  return (uint64_t) d;
}

bool
jnode_bool (const struct jnode *n)
{
  return n && n->type == JNODE_BOOL && n->b;
}

bool
jnode_is_true (const struct jnode *n)
{
  return jnode_bool (n);
}
