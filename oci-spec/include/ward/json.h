/* ward — the only door to yajl.  A small JSON writer and a read-only tree.
 *
 * Writer:
 *   struct jw *w = jw_new (pretty);
 *   jw_obj_open (w); jw_key (w, "id"); jw_str (w, id); jw_obj_close (w);
 *   jw_finish (w, &buf, &len);  (buf is NUL-terminated, caller frees; w freed)
 *
 * Reader:
 *   struct jnode *root = jnode_parse (data, len, err);
 *   const struct jnode *pid = jnode_get (root, "pid");
 *   jnode_free (root);
 */
#ifndef WARD_JSON_H
#define WARD_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ward/error.h"

struct jw;

struct jw *jw_new (bool pretty);
void jw_obj_open (struct jw *w);
void jw_obj_close (struct jw *w);
void jw_arr_open (struct jw *w);
void jw_arr_close (struct jw *w);
void jw_key (struct jw *w, const char *key);
void jw_str (struct jw *w, const char *s); /* NULL writes null */
void jw_int (struct jw *w, int64_t v);
void jw_uint (struct jw *w, uint64_t v);
void jw_bool (struct jw *w, bool v);
void jw_null (struct jw *w);
/* Shorthands for "key": value inside an object. */
void jw_kstr (struct jw *w, const char *key, const char *s);
void jw_kint (struct jw *w, const char *key, int64_t v);
void jw_kbool (struct jw *w, const char *key, bool v);
void jw_kstrv (struct jw *w, const char *key, char *const *v, size_t n);
/* Returns 0, or -1 if the document was malformed (a bug); always frees w. */
int jw_finish (struct jw *w, char **out, size_t *len);
void jw_abort (struct jw *w);

enum jnode_type
{
  JNODE_NULL,
  JNODE_BOOL,
  JNODE_NUMBER,
  JNODE_STRING,
  JNODE_ARRAY,
  JNODE_OBJECT
};

struct jnode;

struct jnode *jnode_parse (const char *data, size_t len, struct werr *err);
void jnode_free (struct jnode *root);

enum jnode_type jnode_type (const struct jnode *n);
const struct jnode *jnode_get (const struct jnode *obj, const char *key);
size_t jnode_len (const struct jnode *n); /* array or object size */
const struct jnode *jnode_at (const struct jnode *arr, size_t i);
const char *jnode_key_at (const struct jnode *obj, size_t i);
const struct jnode *jnode_value_at (const struct jnode *obj, size_t i);
const char *jnode_str (const struct jnode *n); /* NULL if not a string */
bool jnode_is_integer (const struct jnode *n);
int64_t jnode_int (const struct jnode *n);
uint64_t jnode_uint (const struct jnode *n);
bool jnode_bool (const struct jnode *n);
bool jnode_is_true (const struct jnode *n);

#endif
