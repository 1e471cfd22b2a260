/* ward — a minimal D-Bus client: what the systemd cgroup driver needs to
 * call systemd's manager (no libdbus, no libsystemd).
 *
 * dbus_msg.c marshals and parses messages (pure, unit-tested);
 * dbus_conn.c connects (SASL EXTERNAL, Hello on a bus), sends method calls
 * and reads replies, errors and signals with a deadline. */
#ifndef WARD_DBUS_H
#define WARD_DBUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ward/error.h"

enum dbus_msg_type
{
  DBUS_METHOD_CALL = 1,
  DBUS_METHOD_RETURN = 2,
  DBUS_ERROR = 3,
  DBUS_SIGNAL = 4,
};

/* The largest message accepted (the protocol allows 128 MiB; systemd's
 * replies and signals are a few KiB). */
#define DBUS_MAX_MESSAGE (8u << 20)
/* Nesting of arrays and structs, as the specification limits it. */
#define DBUS_MAX_DEPTH 32

/* ---- writing (dbus_msg.c) ---- */

struct dbus_writer
{
  uint8_t *data;
  size_t len, cap;
  size_t arr_len_at[DBUS_MAX_DEPTH]; /* offset of each open array's length */
  size_t arr_start[DBUS_MAX_DEPTH];  /* where its elements begin */
  unsigned depth;
  bool bad; /* nesting too deep, an array too long, a bad string */
};

void dbus_w_init (struct dbus_writer *w);
void dbus_w_free (struct dbus_writer *w);
void dbus_w_byte (struct dbus_writer *w, uint8_t v);
void dbus_w_bool (struct dbus_writer *w, bool v);
void dbus_w_u32 (struct dbus_writer *w, uint32_t v);
void dbus_w_u64 (struct dbus_writer *w, uint64_t v);
/* s and o (an object path is checked to be one). */
void dbus_w_string (struct dbus_writer *w, const char *s);
void dbus_w_object_path (struct dbus_writer *w, const char *s);
void dbus_w_signature (struct dbus_writer *w, const char *s);
/* An array whose elements have type code `elem` ('s', '(', 'y', ...). */
void dbus_w_array_open (struct dbus_writer *w, char elem);
void dbus_w_array_close (struct dbus_writer *w);
/* A struct (or dict entry) starts 8-aligned; it needs no close. */
void dbus_w_struct_open (struct dbus_writer *w);
/* A variant: its signature now, then the value by the caller. */
void dbus_w_variant (struct dbus_writer *w, const char *sig);

/* What a method call is addressed to.  `signature` describes the body. */
struct dbus_call
{
  const char *destination, *path, *interface, *member, *signature;
};

/* Header + body of a method call with serial `serial`; *out malloc'd. */
int dbus_msg_build (uint32_t serial, const struct dbus_call *c,
                    const struct dbus_writer *body, uint8_t **out, size_t *len,
                    struct werr *err);

/* ---- reading (dbus_msg.c) ---- */

struct dbus_msg
{
  uint8_t *raw; /* owned */
  size_t len;
  bool swap; /* sender's byte order differs from ours */
  uint8_t type, flags;
  uint32_t serial, reply_serial;
  /* Point into raw; NULL when absent. */
  const char *path, *interface, *member, *error_name, *destination, *sender;
  const char *signature; /* "" when absent */
  size_t body;           /* offset of the body in raw */
};

/* From the first 16 bytes of a message: its total length.  Fails on a
 * malformed or oversized header. */
int dbus_msg_size (const uint8_t head[16], size_t *total, struct werr *err);
/* Parse a whole message; takes ownership of raw (freed on failure too). */
int dbus_msg_parse (uint8_t *raw, size_t len, struct dbus_msg *m,
                    struct werr *err);
void dbus_msg_clear (struct dbus_msg *m);

struct dbus_reader
{
  const uint8_t *p; /* the whole message; positions count from its start */
  size_t end, pos;
  bool swap;
  unsigned depth;
};

/* The reader of m's body. */
void dbus_r_init (struct dbus_reader *r, const struct dbus_msg *m);
int dbus_r_byte (struct dbus_reader *r, uint8_t *v);
int dbus_r_bool (struct dbus_reader *r, bool *v);
int dbus_r_u32 (struct dbus_reader *r, uint32_t *v);
int dbus_r_u64 (struct dbus_reader *r, uint64_t *v);
/* s and o: a NUL-terminated string inside the message. */
int dbus_r_string (struct dbus_reader *r, const char **s);
int dbus_r_signature (struct dbus_reader *r, const char **s);
/* A variant's signature (a single complete type); its value follows. */
int dbus_r_variant (struct dbus_reader *r, const char **sig);
/* Enter an array: *end is where its elements stop. */
int dbus_r_array (struct dbus_reader *r, char elem, size_t *end);
int dbus_r_struct (struct dbus_reader *r);
/* Skip one value of the single complete type at *sig; *sig moves past it. */
int dbus_r_skip (struct dbus_reader *r, const char **sig);
/* Whether `sig` is a valid signature (a sequence of complete types). */
bool dbus_signature_valid (const char *sig);

/* ---- the connection (dbus_conn.c) ---- */

struct dbus_conn;

/* Connect to `address` ("unix:path=/p", "unix:abstract=n" or a plain
 * socket path) and authenticate as our euid.  `bus`: a message bus daemon
 * is there (say Hello); else a peer-to-peer socket such as systemd's
 * private one. */
int dbus_open (const char *address, bool bus, int timeout_ms,
               struct dbus_conn **out, struct werr *err);
void dbus_close (struct dbus_conn *c);
bool dbus_is_bus (const struct dbus_conn *c);

/* Called for every message that is not the awaited reply (signals);
 * return true to stop dbus_wait(). */
typedef bool (*dbus_msg_fn) (const struct dbus_msg *m, void *data);

/* Send a method call and wait for its reply, at most timeout_ms.  Returns
 * 0 with *reply a method return whose body has signature `want_sig`, 1 with
 * *reply an error (see dbus_error_text), -1 on any other failure.
 * `other` sees the messages that come meanwhile. */
int dbus_call (struct dbus_conn *c, const struct dbus_call *call,
               const struct dbus_writer *body, const char *want_sig,
               dbus_msg_fn other, void *data, int timeout_ms,
               struct dbus_msg *reply, struct werr *err);
/* Read messages until `fn` returns true (0), or the time is up (-1 with
 * ETIMEDOUT). */
int dbus_wait (struct dbus_conn *c, dbus_msg_fn fn, void *data, int timeout_ms,
               struct werr *err);
/* "org.freedesktop.systemd1.NoSuchUnit: Unit x.scope not loaded." */
void dbus_error_text (const struct dbus_msg *m, char *buf, size_t len);

#endif
