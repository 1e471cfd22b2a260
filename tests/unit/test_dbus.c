/* ward — unit tests for the D-Bus client (runtime/src/lib/dbus_*.c) and the
 * pure parts of the systemd cgroup driver: marshalling, parsing (valid,
 * truncated, corrupted, foreign byte order), a whole call against a fake
 * peer on a unix socket, cgroupsPath and slice names, CPU masks, and which
 * resources go to systemd.  No root, no systemd needed. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup_internal.h"
#include "dbus.h"
#include "unit.h"

/* ---- marshalling --------------------------------------------------------- */

static void
test_writer_layout (void)
{
  struct dbus_writer w;
  dbus_w_init (&w);
  dbus_w_byte (&w, 7);
  dbus_w_u32 (&w, 0x01020304); /* padded to 4 */
  dbus_w_string (&w, "ab");    /* len 2, "ab\0" */
  dbus_w_u64 (&w, 5);          /* padded to 8 */
  CHECK (!w.bad);
  CHECK_INT_EQ (w.len, 24);
  CHECK_INT_EQ (w.data[0], 7);
  CHECK (w.data[1] == 0 && w.data[2] == 0 && w.data[3] == 0);
  uint32_t v;
  memcpy (&v, w.data + 4, 4);
  CHECK_UINT_EQ (v, 0x01020304);
  memcpy (&v, w.data + 8, 4);
  CHECK_UINT_EQ (v, 2);
  CHECK (memcmp (w.data + 12, "ab", 3) == 0);
  dbus_w_free (&w);

  /* An empty array of structs: length 0, padding to 8 not counted. */
  dbus_w_init (&w);
  dbus_w_array_open (&w, '(');
  dbus_w_array_close (&w);
  CHECK_INT_EQ (w.len, 8);
  memcpy (&v, w.data, 4);
  CHECK_UINT_EQ (v, 0);
  dbus_w_free (&w);

  /* An array of u32 counts its elements' bytes. */
  dbus_w_init (&w);
  dbus_w_array_open (&w, 'u');
  dbus_w_u32 (&w, 1);
  dbus_w_u32 (&w, 2);
  dbus_w_array_close (&w);
  memcpy (&v, w.data, 4);
  CHECK_UINT_EQ (v, 8);
  dbus_w_free (&w);

  /* Misuse is caught, not written. */
  dbus_w_init (&w);
  dbus_w_object_path (&w, "not/a/path");
  CHECK (w.bad);
  dbus_w_free (&w);
  dbus_w_init (&w);
  dbus_w_variant (&w, "ss");
  CHECK (w.bad);
  dbus_w_free (&w);
  dbus_w_init (&w);
  dbus_w_array_close (&w);
  CHECK (w.bad);
  dbus_w_free (&w);
  dbus_w_init (&w);
  for (int i = 0; i < DBUS_MAX_DEPTH + 1; i++)
    dbus_w_array_open (&w, 'a');
  CHECK (w.bad);
  dbus_w_free (&w);
}

static void
test_signatures (void)
{
  CHECK (dbus_signature_valid (""));
  CHECK (dbus_signature_valid ("ssa(sv)a(sa(sv))"));
  CHECK (dbus_signature_valid ("a{sv}"));
  CHECK (dbus_signature_valid ("uoss"));
  CHECK (!dbus_signature_valid ("a{vs}"));
  CHECK (!dbus_signature_valid ("("));
  CHECK (!dbus_signature_valid ("()"));
  CHECK (!dbus_signature_valid ("a"));
  CHECK (!dbus_signature_valid ("{ss}"));
  CHECK (!dbus_signature_valid ("z"));
  char deep[80];
  memset (deep, 'a', 70);
  strcpy (deep + 70, "s");
  CHECK (!dbus_signature_valid (deep));
}

/* StartTransientUnit's body, as the driver builds it. */
static void
write_start_body (struct dbus_writer *w)
{
  dbus_w_string (w, "ward-x.scope");
  dbus_w_string (w, "replace");
  dbus_w_array_open (w, '(');
  dbus_w_struct_open (w);
  dbus_w_string (w, "Delegate");
  dbus_w_variant (w, "b");
  dbus_w_bool (w, true);
  dbus_w_struct_open (w);
  dbus_w_string (w, "PIDs");
  dbus_w_variant (w, "au");
  dbus_w_array_open (w, 'u');
  dbus_w_u32 (w, 4242);
  dbus_w_array_close (w);
  dbus_w_struct_open (w);
  dbus_w_string (w, "MemoryMax");
  dbus_w_variant (w, "t");
  dbus_w_u64 (w, 1u << 30);
  dbus_w_array_close (w);
  dbus_w_array_open (w, '(');
  dbus_w_array_close (w);
}

static int
build_call (uint8_t **raw, size_t *len)
{
  struct dbus_writer body;
  struct werr err = { 0 };
  dbus_w_init (&body);
  write_start_body (&body);
  struct dbus_call call = { .destination = "org.freedesktop.systemd1",
                            .path = "/org/freedesktop/systemd1",
                            .interface = "org.freedesktop.systemd1.Manager",
                            .member = "StartTransientUnit",
                            .signature = "ssa(sv)a(sa(sv))" };
  int r = dbus_msg_build (7, &call, &body, raw, len, &err);
  dbus_w_free (&body);
  return r;
}

static void
test_build_parse_roundtrip (void)
{
  uint8_t *raw;
  size_t len;
  if (!CHECK (build_call (&raw, &len) == 0))
    return;
  CHECK_INT_EQ (len % 8, 0);
  size_t total = 0;
  struct werr err = { 0 };
  CHECK (dbus_msg_size (raw, &total, &err) == 0);
  CHECK_INT_EQ (total, len);
  struct dbus_msg m;
  if (!CHECK (dbus_msg_parse (raw, len, &m, &err) == 0))
    return;
  CHECK_INT_EQ (m.type, DBUS_METHOD_CALL);
  CHECK_UINT_EQ (m.serial, 7);
  CHECK_STR_EQ (m.path, "/org/freedesktop/systemd1");
  CHECK_STR_EQ (m.member, "StartTransientUnit");
  CHECK_STR_EQ (m.interface, "org.freedesktop.systemd1.Manager");
  CHECK_STR_EQ (m.destination, "org.freedesktop.systemd1");
  CHECK_STR_EQ (m.signature, "ssa(sv)a(sa(sv))");

  struct dbus_reader r;
  const char *s, *sig;
  dbus_r_init (&r, &m);
  CHECK (dbus_r_string (&r, &s) == 0);
  CHECK_STR_EQ (s, "ward-x.scope");
  CHECK (dbus_r_string (&r, &s) == 0);
  CHECK_STR_EQ (s, "replace");
  size_t end;
  CHECK (dbus_r_array (&r, '(', &end) == 0);
  int props = 0;
  uint32_t pid = 0;
  uint64_t mem = 0;
  bool delegate = false;
  while (r.pos < end && props < 10)
    {
      props++;
      if (dbus_r_struct (&r) < 0 || dbus_r_string (&r, &s) < 0
          || dbus_r_variant (&r, &sig) < 0)
        break;
      if (strcmp (s, "PIDs") == 0 && strcmp (sig, "au") == 0)
        {
          size_t e2;
          CHECK (dbus_r_array (&r, 'u', &e2) == 0);
          CHECK (dbus_r_u32 (&r, &pid) == 0);
          CHECK_INT_EQ (r.pos, e2);
        }
      else if (strcmp (s, "MemoryMax") == 0)
        CHECK (dbus_r_u64 (&r, &mem) == 0);
      else if (strcmp (s, "Delegate") == 0)
        CHECK (dbus_r_bool (&r, &delegate) == 0);
      else
        CHECK (dbus_r_skip (&r, &sig) == 0);
    }
  CHECK_INT_EQ (props, 3);
  CHECK_UINT_EQ (pid, 4242);
  CHECK_UINT_EQ (mem, 1u << 30);
  CHECK (delegate);
  /* The rest skips as one complete type, to the end of the message. */
  const char *aux = "a(sa(sv))";
  CHECK (dbus_r_skip (&r, &aux) == 0);
  CHECK_INT_EQ (r.pos, m.len);
  CHECK_STR_EQ (aux, "");

  /* The whole body skips by its signature. */
  dbus_r_init (&r, &m);
  const char *all = m.signature;
  while (*all && dbus_r_skip (&r, &all) == 0)
    ;
  CHECK_STR_EQ (all, "");
  CHECK_INT_EQ (r.pos, m.len);
  dbus_msg_clear (&m);
}

/* Every truncation fails cleanly; corrupted bytes never crash the parser
 * or the reader (run under ASan in CI). */
static void
test_parse_malformed (void)
{
  uint8_t *raw;
  size_t len;
  if (!CHECK (build_call (&raw, &len) == 0))
    return;
  struct werr err = { 0 };
  for (size_t n = 0; n < len; n++)
    {
      uint8_t *copy = malloc (n ? n : 1);
      memcpy (copy, raw, n);
      struct dbus_msg m;
      CHECK (dbus_msg_parse (copy, n, &m, &err) < 0);
    }
  srand (1);
  for (int round = 0; round < 4000; round++)
    {
      uint8_t *copy = malloc (len);
      memcpy (copy, raw, len);
      for (int k = 0; k < 1 + round % 4; k++)
        copy[(size_t) rand () % len] = (uint8_t) rand ();
      struct dbus_msg m;
      size_t total;
      if (dbus_msg_size (copy, &total, &err) < 0 || total != len)
        {
          free (copy);
          continue;
        }
      if (dbus_msg_parse (copy, len, &m, &err) < 0)
        continue;
      struct dbus_reader r;
      dbus_r_init (&r, &m);
      const char *sig = m.signature;
      while (*sig && dbus_r_skip (&r, &sig) == 0)
        ;
      CHECK (r.pos <= m.len);
      dbus_msg_clear (&m);
    }
  /* A body length beyond the limit is refused from the fixed header. */
  uint8_t head[16] = { 'l', 2, 0, 1, 0, 0, 0, 0x7f, 1, 0, 0, 0, 0, 0, 0, 0 };
  size_t total;
  CHECK (dbus_msg_size (head, &total, &err) < 0);
  head[0] = 'x';
  head[7] = 0;
  CHECK (dbus_msg_size (head, &total, &err) < 0);
  free (raw);
}

/* A reply in big-endian byte order: "s" body "hi", reply to serial 3. */
static void
test_parse_big_endian (void)
{
  static const uint8_t msg[] = {
    'B', 2, 0,   1, 0,   0,   0, 7,  /* return, body 7 bytes */
    0,   0, 0,   9, 0,   0,   0, 15, /* serial 9, fields 15 bytes */
    5,   1, 'u', 0, 0,   0,   0, 3,  /* REPLY_SERIAL u 3 */
    8,   1, 'g', 0, 1,   's', 0,     /* SIGNATURE g "s" */
    0,                               /* pad the header to 8 */
    0,   0, 0,   2, 'h', 'i', 0,     /* body: s "hi" */
  };
  uint8_t *raw = malloc (sizeof msg);
  memcpy (raw, msg, sizeof msg);
  struct dbus_msg m;
  struct werr err = { 0 };
  if (!CHECK (dbus_msg_parse (raw, sizeof msg, &m, &err) == 0))
    {
      fprintf (stderr, "     %s\n", err.msg);
      return;
    }
  CHECK_INT_EQ (m.type, DBUS_METHOD_RETURN);
  CHECK_UINT_EQ (m.serial, 9);
  CHECK_UINT_EQ (m.reply_serial, 3);
  CHECK_STR_EQ (m.signature, "s");
  struct dbus_reader r;
  const char *s;
  dbus_r_init (&r, &m);
  CHECK (dbus_r_string (&r, &s) == 0);
  CHECK_STR_EQ (s, "hi");
  dbus_msg_clear (&m);
}

/* ---- a whole call against a fake peer ---------------------------------- */

/* A reply or signal as systemd would send it. */
static void
send_msg (int fd, uint8_t type, uint32_t serial, uint32_t reply_serial,
          const char *member, const char *error_name, const char *sig,
          const struct dbus_writer *body)
{
  struct dbus_writer w;
  dbus_w_init (&w);
  dbus_w_byte (&w, 'l');
  dbus_w_byte (&w, type);
  dbus_w_byte (&w, 0);
  dbus_w_byte (&w, 1);
  dbus_w_u32 (&w, (uint32_t) body->len);
  dbus_w_u32 (&w, serial);
  dbus_w_array_open (&w, '(');
  if (reply_serial)
    {
      dbus_w_struct_open (&w);
      dbus_w_byte (&w, 5);
      dbus_w_variant (&w, "u");
      dbus_w_u32 (&w, reply_serial);
    }
  if (type == DBUS_SIGNAL)
    {
      dbus_w_struct_open (&w);
      dbus_w_byte (&w, 1);
      dbus_w_variant (&w, "o");
      dbus_w_object_path (&w, "/org/freedesktop/systemd1");
      dbus_w_struct_open (&w);
      dbus_w_byte (&w, 2);
      dbus_w_variant (&w, "s");
      dbus_w_string (&w, "org.freedesktop.systemd1.Manager");
      dbus_w_struct_open (&w);
      dbus_w_byte (&w, 3);
      dbus_w_variant (&w, "s");
      dbus_w_string (&w, member);
    }
  if (error_name)
    {
      dbus_w_struct_open (&w);
      dbus_w_byte (&w, 4);
      dbus_w_variant (&w, "s");
      dbus_w_string (&w, error_name);
    }
  dbus_w_struct_open (&w);
  dbus_w_byte (&w, 8);
  dbus_w_variant (&w, "g");
  dbus_w_signature (&w, sig);
  dbus_w_array_close (&w);
  dbus_w_struct_open (&w); /* pad the header to 8 */
  size_t hlen = w.len;
  uint8_t *out = malloc (hlen + body->len);
  memcpy (out, w.data, hlen);
  memcpy (out + hlen, body->data, body->len);
  /* Split in two writes: the reader must put the pieces together. */
  size_t half = (hlen + body->len) / 2;
  (void) !write (fd, out, half);
  usleep (2000);
  (void) !write (fd, out + half, hlen + body->len - half);
  free (out);
  dbus_w_free (&w);
}

static void
job_removed (int fd, uint32_t serial, const char *job, const char *result)
{
  struct dbus_writer b;
  dbus_w_init (&b);
  dbus_w_u32 (&b, 1);
  dbus_w_object_path (&b, job);
  dbus_w_string (&b, "ward-x.scope");
  dbus_w_string (&b, result);
  send_msg (fd, DBUS_SIGNAL, serial, 0, "JobRemoved", NULL, "uoss", &b);
  dbus_w_free (&b);
}

/* The peer: authenticate, answer the first call with an error, the second
 * with a job path, surrounded by signals. */
static void
fake_peer (int lfd)
{
  int fd = accept (lfd, NULL, NULL);
  char line[256];
  size_t n = 0;
  while (n < sizeof line - 1 && read (fd, line + n, 1) == 1 && line[n] != '\n')
    n++;
  line[n] = '\0';
  if (memcmp (line, "\0AUTH EXTERNAL ", 15) != 0)
    _exit (2);
  /* BEGIN comes pipelined, before our OK. */
  char begin[7];
  if (read (fd, begin, 7) != 7 || memcmp (begin, "BEGIN\r\n", 7) != 0)
    _exit (3);
  (void) !write (fd, "OK 0123456789abcdef0123456789abcdef\r\n", 37);
  for (uint32_t call = 1; call <= 2; call++)
    {
      uint8_t head[16];
      size_t total;
      struct werr err = { 0 };
      if (read (fd, head, 16) != 16 || dbus_msg_size (head, &total, &err) < 0)
        _exit (4);
      uint8_t *raw = malloc (total);
      memcpy (raw, head, 16);
      size_t got = 16;
      while (got < total)
        {
          ssize_t r = read (fd, raw + got, total - got);
          if (r <= 0)
            _exit (5);
          got += (size_t) r;
        }
      struct dbus_msg m;
      if (dbus_msg_parse (raw, total, &m, &err) < 0)
        _exit (6);
      struct dbus_writer b;
      dbus_w_init (&b);
      if (call == 1)
        {
          dbus_w_string (&b, "Unit ward-x.scope already exists.");
          send_msg (fd, DBUS_ERROR, 100, m.serial, NULL,
                    "org.freedesktop.systemd1.UnitExists", "s", &b);
        }
      else
        {
          job_removed (fd, 101, "/org/freedesktop/systemd1/job/1", "done");
          dbus_w_object_path (&b, "/org/freedesktop/systemd1/job/2");
          send_msg (fd, DBUS_METHOD_RETURN, 102, m.serial, NULL, NULL, "o", &b);
          job_removed (fd, 103, "/org/freedesktop/systemd1/job/2", "done");
        }
      dbus_w_free (&b);
      dbus_msg_clear (&m);
    }
  sleep (1);
  _exit (0);
}

struct seen
{
  const char *want;
  bool found;
  int signals;
};

static bool
on_signal (const struct dbus_msg *m, void *data)
{
  struct seen *s = data;
  if (m->type != DBUS_SIGNAL || strcmp (m->member, "JobRemoved") != 0)
    return false;
  s->signals++;
  struct dbus_reader r;
  uint32_t id;
  const char *job;
  dbus_r_init (&r, m);
  if (dbus_r_u32 (&r, &id) == 0 && dbus_r_string (&r, &job) == 0 && s->want
      && strcmp (job, s->want) == 0)
    s->found = true;
  return s->found;
}

static void
test_conn_fake_peer (void)
{
  char dir[] = "/tmp/ward-dbus-test.XXXXXX";
  if (mkdtemp (dir) == NULL)
    UNIT_SKIP ("mkdtemp");
  char path[128];
  snprintf (path, sizeof path, "%s/sock", dir);
  int lfd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  strcpy (sa.sun_path, path);
  if (bind (lfd, (struct sockaddr *) &sa, sizeof sa) < 0 || listen (lfd, 1) < 0)
    {
      close (lfd);
      rmdir (dir);
      UNIT_SKIP ("cannot listen on a unix socket");
    }
  pid_t peer = fork ();
  if (peer == 0)
    fake_peer (lfd);
  close (lfd);

  struct werr err = { 0 };
  struct dbus_conn *c = NULL;
  char addr[160];
  snprintf (addr, sizeof addr, "unix:path=%s,guid=0123", path);
  CHECK (dbus_open (addr, false, 5000, &c, &err) == 0);
  if (c)
    {
      struct dbus_call call = { .destination = "org.freedesktop.systemd1",
                                .path = "/org/freedesktop/systemd1",
                                .interface = "org.freedesktop.systemd1.Manager",
                                .member = "StartTransientUnit",
                                .signature = "ssa(sv)a(sa(sv))" };
      struct dbus_writer body;
      dbus_w_init (&body);
      write_start_body (&body);
      struct dbus_msg reply;
      char text[256];
      CHECK_INT_EQ (
          dbus_call (c, &call, &body, "o", NULL, NULL, 5000, &reply, &err), 1);
      dbus_error_text (&reply, text, sizeof text);
      CHECK_STR_EQ (text, "org.freedesktop.systemd1.UnitExists: Unit "
                          "ward-x.scope already exists.");
      dbus_msg_clear (&reply);

      struct seen s = { 0 };
      CHECK_INT_EQ (
          dbus_call (c, &call, &body, "o", on_signal, &s, 5000, &reply, &err),
          0);
      CHECK_INT_EQ (s.signals, 1);
      struct dbus_reader r;
      const char *job = NULL;
      dbus_r_init (&r, &reply);
      CHECK (dbus_r_string (&r, &job) == 0);
      CHECK_STR_EQ (job, "/org/freedesktop/systemd1/job/2");
      s.want = job;
      CHECK (dbus_wait (c, on_signal, &s, 5000, &err) == 0);
      CHECK (s.found);
      dbus_msg_clear (&reply);
      /* Nothing more comes: the wait ends by its deadline. */
      s.want = NULL;
      CHECK (dbus_wait (c, on_signal, &s, 200, &err) < 0);
      CHECK_INT_EQ (err.errnum, ETIMEDOUT);
      dbus_w_free (&body);
      dbus_close (c);
    }
  int status = 0;
  kill (peer, SIGKILL);
  waitpid (peer, &status, 0);
  unlink (path);
  rmdir (dir);

  /* Nobody there: a clear error naming the socket. */
  CHECK (dbus_open (path, false, 1000, &c, &err) < 0);
  CHECK_STR_HAS (err.msg, path);
  CHECK (dbus_open ("tcp:host=localhost", false, 1000, &c, &err) < 0);
}

/* ---- the systemd driver's pure parts ----------------------------------- */

static void
test_expand_slice (void)
{
  struct werr err = { 0 };
  char *p = NULL;
  CHECK (cgroup_systemd_expand_slice ("system.slice", &p, &err) == 0);
  CHECK_STR_EQ (p, "/system.slice");
  free (p);
  CHECK (cgroup_systemd_expand_slice ("a-b-c.slice", &p, &err) == 0);
  CHECK_STR_EQ (p, "/a.slice/a-b.slice/a-b-c.slice");
  free (p);
  CHECK (cgroup_systemd_expand_slice ("-.slice", &p, &err) == 0);
  CHECK_STR_EQ (p, "/");
  free (p);
  const char *bad[] = { "a--b.slice", "-a.slice",  "a-.slice", "a.scope",
                        ".slice",     "a/b.slice", "x$.slice" };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    CHECK (cgroup_systemd_expand_slice (bad[i], &p, &err) < 0);
}

static void
test_parse_path (void)
{
  struct werr err = { 0 };
  char *slice = NULL, *unit = NULL;
  CHECK (cgroup_systemd_parse_path ("machine.slice:libpod:abc", "id", false,
                                    &slice, &unit, &err)
         == 0);
  CHECK_STR_EQ (slice, "machine.slice");
  CHECK_STR_EQ (unit, "libpod-abc.scope");
  free (slice), free (unit);
  CHECK (cgroup_systemd_parse_path (NULL, "c1", false, &slice, &unit, &err)
         == 0);
  CHECK_STR_EQ (slice, "system.slice");
  CHECK_STR_EQ (unit, "ward-c1.scope");
  free (slice), free (unit);
  CHECK (cgroup_systemd_parse_path (":p:n", "c1", true, &slice, &unit, &err)
         == 0);
  CHECK_STR_EQ (slice, "user.slice");
  CHECK_STR_EQ (unit, "p-n.scope");
  free (slice), free (unit);
  CHECK (cgroup_systemd_parse_path ("system.slice::n", "c1", false, &slice,
                                    &unit, &err)
         == 0);
  CHECK_STR_EQ (unit, "n.scope");
  free (slice), free (unit);
  CHECK (cgroup_systemd_parse_path ("system.slice:x:box-a.slice", "c1", false,
                                    &slice, &unit, &err)
         == 0);
  CHECK_STR_EQ (unit, "box-a.slice");
  free (slice), free (unit);

  const char *bad[] = { "/a/b",
                        "a:b",
                        "a:b:c:d",
                        "system.slice:p:",
                        "nope:p:n",
                        "system.slice:p:a/b",
                        "system.slice:p:-x--.slice" };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    {
      werr_clear (&err);
      CHECK (
          cgroup_systemd_parse_path (bad[i], "c1", false, &slice, &unit, &err)
          < 0);
      CHECK_STR_HAS (err.msg, "linux.cgroupsPath");
    }
}

static void
test_cpu_mask (void)
{
  struct werr err = { 0 };
  uint8_t *m = NULL;
  size_t n = 0;
  CHECK (cgroup_systemd_cpu_mask ("0-3,8", &m, &n, &err) == 0);
  CHECK_INT_EQ (n, 2);
  CHECK_INT_EQ (m[0], 0x0f);
  CHECK_INT_EQ (m[1], 0x01);
  free (m);
  CHECK (cgroup_systemd_cpu_mask ("", &m, &n, &err) == 0);
  CHECK_INT_EQ (n, 0);
  free (m);
  const char *bad[] = { "3-1", "a", "1,,2", "1-", "99999", "1 2" };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    CHECK (cgroup_systemd_cpu_mask (bad[i], &m, &n, &err) < 0);
}

/* Count the properties in an a(sv) written from offset 0 and find one. */
static int
find_prop (const struct dbus_writer *w, const char *name, uint64_t *t)
{
  /* Wrap as a message body to read it back. */
  struct dbus_msg m = { .raw = w->data, .len = w->len, .body = 0 };
  struct dbus_reader r;
  size_t end;
  int count = 0, found = 0;
  dbus_r_init (&r, &m);
  if (dbus_r_array (&r, '(', &end) < 0)
    return -1;
  while (r.pos < end)
    {
      const char *s, *sig;
      if (dbus_r_struct (&r) < 0 || dbus_r_string (&r, &s) < 0
          || dbus_r_variant (&r, &sig) < 0)
        return -1;
      count++;
      if (strcmp (s, name) == 0 && strcmp (sig, "t") == 0)
        {
          found = 1;
          if (dbus_r_u64 (&r, t) < 0)
            return -1;
        }
      else if (dbus_r_skip (&r, &sig) < 0)
        return -1;
    }
  return found ? count : -count;
}

static void
test_properties (void)
{
  struct oci_resources res = { 0 }, rest;
  res.has_memory = true;
  res.memory.has_limit = true;
  res.memory.limit = 64 << 20;
  res.memory.has_swappiness = true;
  res.memory.swappiness = 10;
  res.has_pids = true;
  res.pids_limit = 42;
  res.has_cpu = true;
  res.cpu.has_quota = true;
  res.cpu.quota = 12345;
  res.cpu.has_period = true;
  res.cpu.period = 100000;
  res.cpu.cpus = "0-1";
  struct werr err = { 0 };
  struct dbus_writer w;
  uint64_t t = 0;

  /* cgroup v2: memory, tasks, CPU quota (rounded up to 10 ms) and
   * AllowedCPUs to systemd; swappiness stays for the files. */
  dbus_w_init (&w);
  dbus_w_array_open (&w, '(');
  CHECK (cgroup_systemd_properties (CGROUP_MODE_UNIFIED, 252, &res, false, &w,
                                    &rest, &err)
         == 0);
  dbus_w_array_close (&w);
  CHECK (find_prop (&w, "MemoryMax", &t) > 0);
  CHECK_UINT_EQ (t, 64 << 20);
  CHECK (find_prop (&w, "TasksMax", &t) > 0);
  CHECK_UINT_EQ (t, 42);
  CHECK (find_prop (&w, "CPUQuotaPerSecUSec", &t) > 0);
  CHECK_UINT_EQ (t, 130000);
  CHECK (find_prop (&w, "CPUQuotaPeriodUSec", &t) > 0);
  CHECK (!rest.memory.has_limit && rest.memory.has_swappiness);
  CHECK (!rest.has_pids && !rest.cpu.has_quota && !rest.cpu.has_period);
  CHECK (rest.cpu.cpus == NULL);
  dbus_w_free (&w);

  /* Old systemd: no AllowedCPUs, no CPUQuotaPeriodUSec; the files do it. */
  dbus_w_init (&w);
  dbus_w_array_open (&w, '(');
  CHECK (cgroup_systemd_properties (CGROUP_MODE_UNIFIED, 240, &res, false, &w,
                                    &rest, &err)
         == 0);
  dbus_w_array_close (&w);
  CHECK (find_prop (&w, "CPUQuotaPeriodUSec", &t) < 0);
  CHECK_STR_EQ (rest.cpu.cpus, "0-1");
  dbus_w_free (&w);

  /* cgroup v1 with swap: MemoryLimit to systemd, and the limit stays for
   * the files too (they order memsw and the limit). */
  res.memory.has_swap = true;
  res.memory.swap = 128 << 20;
  dbus_w_init (&w);
  dbus_w_array_open (&w, '(');
  CHECK (cgroup_systemd_properties (CGROUP_MODE_HYBRID, 252, &res, false, &w,
                                    &rest, &err)
         == 0);
  dbus_w_array_close (&w);
  CHECK (find_prop (&w, "MemoryLimit", &t) > 0);
  CHECK (find_prop (&w, "MemoryMax", &t) < 0);
  CHECK (rest.memory.has_limit && rest.memory.has_swap);
  CHECK_STR_EQ (rest.cpu.cpus, "0-1");
  dbus_w_free (&w);

  /* An update of the quota alone is left to the files (they know the
   * period); a bad swap is refused naming the field. */
  struct oci_resources up = { 0 };
  up.has_cpu = true;
  up.cpu.has_quota = true;
  up.cpu.quota = 50000;
  dbus_w_init (&w);
  dbus_w_array_open (&w, '(');
  CHECK (cgroup_systemd_properties (CGROUP_MODE_UNIFIED, 252, &up, true, &w,
                                    &rest, &err)
         == 0);
  dbus_w_array_close (&w);
  CHECK (rest.cpu.has_quota);
  dbus_w_free (&w);
  res.memory.swap = 1;
  dbus_w_init (&w);
  CHECK (cgroup_systemd_properties (CGROUP_MODE_UNIFIED, 252, &res, false, &w,
                                    &rest, &err)
         < 0);
  CHECK_STR_HAS (err.msg, "linux.resources.memory.swap");
  dbus_w_free (&w);
}

int
main (void)
{
  signal (SIGPIPE, SIG_IGN);
  RUN (test_writer_layout);
  RUN (test_signatures);
  RUN (test_build_parse_roundtrip);
  RUN (test_parse_malformed);
  RUN (test_parse_big_endian);
  RUN (test_conn_fake_peer);
  RUN (test_expand_slice);
  RUN (test_parse_path);
  RUN (test_cpu_mask);
  RUN (test_properties);
  return unit_report ();
}
