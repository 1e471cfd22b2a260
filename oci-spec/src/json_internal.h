/* ward — accessors of json.c that only the oci-spec parsers need. */
#ifndef WARD_JSON_INTERNAL_H
#define WARD_JSON_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ward/json.h"

/* Deepest nesting jnode_parse accepts; bounds the recursion of jnode_free. */
#define JNODE_MAX_DEPTH 256
/* Largest document jnode_parse accepts (yajl's buffers use int sizes). */
#define JNODE_MAX_INPUT (64u << 20)

/* A string's bytes and length (it may hold "\u0000"); NULL if not a string. */
const char *jnode_strn (const struct jnode *n, size_t *len);

enum jnode_int_status
{
  JNODE_INT_OK,        /* *neg and *mag hold the value */
  JNODE_INT_NOT_INT,   /* not a number, or has a fraction/exponent */
  JNODE_INT_TOO_LARGE, /* an integer whose magnitude exceeds 2^64-1 */
};

/* Read an integer as sign and magnitude, so that every int64 and uint64 is
 * representable and range checks need no casts. */
enum jnode_int_status jnode_integer (const struct jnode *n, bool *neg,
                                     uint64_t *mag);

/* The number as written in the document; NULL if not a number. */
const char *jnode_number_text (const struct jnode *n);

#endif
