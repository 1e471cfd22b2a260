/* ward — typed getters shared by the config.json parsers.
 *
 * A `struct pctx` carries the document name and the JSON path of the value
 * being read, so that every error reads like
 *   config.json: linux.namespaces[2].type: unknown namespace type "foo"
 *
 * Getters named pu_<type> read `obj[key]`; pu_v_<type> read a value already
 * at the current path.  A missing key and an explicit JSON null both count as
 * absent (Go's decoder, hence runc, treats them alike).  All return 0 or -1.
 */
#ifndef WARD_PARSE_UTIL_H
#define WARD_PARSE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json_internal.h"
#include "ward/error.h"
#include "ward/oci_config.h"

#define PCTX_PATH_MAX 256

struct pctx
{
  const char *name;
  struct werr *err;
  char path[PCTX_PATH_MAX];
  size_t len;
};

void pctx_init (struct pctx *p, const char *name, struct werr *err);

/* Descend into `.key`, `[i]` or `["key"]`; returns a mark for pctx_pop. */
size_t pctx_push_key (struct pctx *p, const char *key);
size_t pctx_push_index (struct pctx *p, size_t i);
size_t pctx_push_map_key (struct pctx *p, const char *key);
void pctx_pop (struct pctx *p, size_t mark);

/* "<name>: <path>: <message>"; returns -1. */
int pu_fail (struct pctx *p, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));
/* Same, for the child `key` of the current path. */
int pu_fail_key (struct pctx *p, const char *key, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/* obj[key], or NULL when absent or null. */
const struct jnode *pu_field (const struct jnode *obj, const char *key);

/* ---- values at the current path ---- */
int pu_v_object (struct pctx *p, const struct jnode *v);
int pu_v_array (struct pctx *p, const struct jnode *v);
int pu_v_string (struct pctx *p, const struct jnode *v, char **out);
int pu_v_int (struct pctx *p, const struct jnode *v, int64_t min, int64_t max,
              int64_t *out);
int pu_v_uint (struct pctx *p, const struct jnode *v, uint64_t max,
               uint64_t *out);

/* ---- fields of an object ---- */
/* *out is NULL when absent (an error if `required`). */
int pu_object (struct pctx *p, const struct jnode *obj, const char *key,
               bool required, const struct jnode **out);
int pu_array (struct pctx *p, const struct jnode *obj, const char *key,
              bool required, const struct jnode **out);
int pu_string (struct pctx *p, const struct jnode *obj, const char *key,
               bool required, char **out);
/* `present` may be NULL; *out is left alone when absent. */
int pu_bool (struct pctx *p, const struct jnode *obj, const char *key,
             bool *out, bool *present);
int pu_int (struct pctx *p, const struct jnode *obj, const char *key,
            bool required, int64_t min, int64_t max, int64_t *out,
            bool *present);
int pu_uint (struct pctx *p, const struct jnode *obj, const char *key,
             bool required, uint64_t max, uint64_t *out, bool *present);
int pu_u32 (struct pctx *p, const struct jnode *obj, const char *key,
            bool required, uint32_t *out, bool *present);
int pu_i32 (struct pctx *p, const struct jnode *obj, const char *key,
            int32_t *out, bool *present);
int pu_i64 (struct pctx *p, const struct jnode *obj, const char *key,
            bool required, int64_t *out, bool *present);
int pu_u64 (struct pctx *p, const struct jnode *obj, const char *key,
            bool required, uint64_t *out, bool *present);

/* Array of strings; out->v is NULL-terminated.  Absent: v NULL, n 0. */
int pu_strv (struct pctx *p, const struct jnode *obj, const char *key,
             struct oci_strv *out);
/* Object of string values (annotations, sysctl, unified). */
int pu_kvv (struct pctx *p, const struct jnode *obj, const char *key,
            struct oci_kvv *out);
/* Array of {containerID, hostID, size}. */
int pu_id_mappings (struct pctx *p, const struct jnode *obj, const char *key,
                    struct oci_id_mapping **out, size_t *n);

/* The string is one of `names` (NULL-terminated); index or -1 with error. */
int pu_v_enum (struct pctx *p, const char *value, const char *const *names,
               const char *what);

/* obj[key] is an optional array: calloc `size`-byte elements into *out / *n
 * and call `one` on each value v with the path at element i. */
typedef int (*pu_index_fn) (struct pctx *p, const struct jnode *v, void *arr,
                            size_t i, void *ctx);
int pu_array_each (struct pctx *p, const struct jnode *obj, const char *key,
                   size_t size, void **out, size_t *n, pu_index_fn one,
                   void *ctx);

/* The same for an array of objects, `one` called on each element. */
typedef int (*pu_elem_fn) (struct pctx *p, const struct jnode *v, void *elem);
int pu_array_of (struct pctx *p, const struct jnode *obj, const char *key,
                 size_t size, void **out, size_t *n, pu_elem_fn one);

/* obj[key] is an optional object: when present, set *present (may be NULL)
 * and, unless `fields` is NULL, call it on the object with the path at
 * `key`. */
typedef int (*pu_fields_fn) (struct pctx *p, const struct jnode *obj,
                             void *out);
int pu_section (struct pctx *p, const struct jnode *obj, const char *key,
                bool *present, void *out, pu_fields_fn fields);

/* Parse `data` as the document `name` into a zeroed `size`-byte struct,
 * filled by `fields` with the path at the document's root; on failure the
 * struct is released with `free_fn`. */
typedef void (*pu_free_fn) (void *doc);
int pu_parse_document (const char *data, size_t len, const char *name,
                       size_t size, pu_fields_fn fields, pu_free_fn free_fn,
                       void **out, struct werr *err);

/* `value` (at child `key`; NULL: nothing to check) / every element of `v`
 * is one of `names`. */
int pu_check_enum (struct pctx *p, const char *key, const char *value,
                   const char *const *names, const char *what);
int pu_check_enum_strv (struct pctx *p, const char *key,
                        const struct oci_strv *v, const char *const *names,
                        const char *what);

/* Release helpers, NULL-safe. */
void oci_strv_free (struct oci_strv *v);
void oci_kvv_free (struct oci_kvv *v);

/* Per-section parsers and destructors (config_*.c). */
int oci_parse_process_obj (struct pctx *p, const struct jnode *obj,
                           struct oci_process *out);
void oci_process_release (struct oci_process *proc);
int oci_parse_linux_obj (struct pctx *p, const struct jnode *obj,
                         struct oci_linux *out);
void oci_linux_release (struct oci_linux *lx);
int oci_parse_resources_obj (struct pctx *p, const struct jnode *obj,
                             struct oci_resources *out);
void oci_resources_release (struct oci_resources *r);

#endif
