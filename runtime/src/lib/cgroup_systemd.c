/* ward — the systemd cgroup manager (--systemd-cgroup), as runc's.
 *
 * linux.cgroupsPath "slice:prefix:name" names a transient unit,
 * "prefix-name.scope" in the slice (or the slice "name" itself when it ends
 * in ".slice").  create checks that systemd answers on D-Bus and returns a
 * pending manager; once the init exists, cgroup_enter() calls
 * cgroup_systemd_start(): StartTransientUnit with the init's pid,
 * Delegate=yes and the resources systemd can express, waits for the job,
 * then takes the unit's cgroup as the manager's hierarchies (cgroup.c), so
 * the rest of linux.resources, update, pause, ps, events, kill --all and
 * delete work there as with the file system driver.  Delete stops the unit.
 *
 * The bus: root talks to systemd's private socket /run/systemd/private, else
 * the system bus; rootless to the user manager ($XDG_RUNTIME_DIR/systemd/
 * private, else $DBUS_SESSION_BUS_ADDRESS, else $XDG_RUNTIME_DIR/bus). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup_internal.h"
#include "dbus.h"
#include "utils.h"
#include "ward/cleanup.h"

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"

#define CONNECT_TIMEOUT_MS 5000
#define CALL_TIMEOUT_MS 25000
#define JOB_TIMEOUT_MS 30000

struct cgroup_systemd
{
  char *unit;  /* "ward-<id>.scope", or a slice */
  char *slice; /* the parent slice */
  char *id;
  char *bus; /* the D-Bus address used */
  bool bus_daemon;
  bool rootless; /* the bus is a user manager's */
  bool started;  /* the unit was made: stop it at destroy */
  unsigned version;
  const struct oci_resources *res; /* until started: linux.resources */
};

static bool
is_slice_unit (const char *unit)
{
  size_t n = strlen (unit);
  return n > 6 && strcmp (unit + n - 6, ".slice") == 0;
}

/* ---- pure helpers ---------------------------------------------------------- */

/* Characters systemd accepts in a unit name (we leave out '@' and '\\',
 * templates and escapes, which a container has no use for). */
static bool
unit_chars_ok (const char *s)
{
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')
          || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
      return false;
  return true;
}

int
cgroup_systemd_expand_slice (const char *slice, char **out, struct werr *err)
{
  size_t n = strlen (slice);
  if (n <= 6 || strcmp (slice + n - 6, ".slice") != 0 || strchr (slice, '/')
      || !unit_chars_ok (slice))
    return werr_set (err, 0, "`%s` is not a valid slice name", slice);
  if (strcmp (slice, "-.slice") == 0)
    {
      *out = xstrdup ("/");
      return 0;
    }
  size_t base = n - 6;
  if (slice[0] == '-' || slice[base - 1] == '-' || strstr (slice, "--"))
    return werr_set (err, 0, "`%s` is not a valid slice name", slice);
  /* Every '-' is a level: a-b-c.slice lives in a.slice/a-b.slice/. */
  size_t cap = 1;
  for (size_t i = 0; i <= base; i++)
    if (i == base || slice[i] == '-')
      cap += i + 7;
  char *p = xmalloc0 (cap);
  size_t o = 0;
  for (size_t i = 0; i <= base; i++)
    if (i == base || slice[i] == '-')
      o += (size_t) snprintf (p + o, cap - o, "/%.*s.slice", (int) i, slice);
  *out = p;
  return 0;
}

int
cgroup_systemd_parse_path (const char *cgroups_path, const char *id,
                           bool rootless, char **slice, char **unit,
                           struct werr *err)
{
  const char *dflt = rootless ? "user.slice" : "system.slice";
  _cleanup_free_ char *s = NULL, *prefix = NULL, *name = NULL;
  if (cgroups_path == NULL || *cgroups_path == '\0')
    {
      s = xstrdup (dflt);
      prefix = xstrdup ("ward");
      name = xstrdup (id ? id : "");
    }
  else
    {
      const char *c1 = strchr (cgroups_path, ':');
      const char *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
      if (c2 == NULL || strchr (c2 + 1, ':'))
        return werr_set (err, 0,
                         "config.json: linux.cgroupsPath: expected "
                         "\"slice:prefix:name\" with --systemd-cgroup, got "
                         "\"%s\"",
                         cgroups_path);
      s = c1 == cgroups_path ? xstrdup (dflt)
                             : strndup (cgroups_path, c1 - cgroups_path);
      prefix = strndup (c1 + 1, c2 - c1 - 1);
      name = xstrdup (c2 + 1);
    }
  _cleanup_free_ char *expanded = NULL;
  if (cgroup_systemd_expand_slice (s, &expanded, err) < 0)
    return werr_prefix (err, "config.json: linux.cgroupsPath");
  if (*name == '\0' || !unit_chars_ok (name) || !unit_chars_ok (prefix))
    return werr_set (err, 0,
                     "config.json: linux.cgroupsPath: `%s` and `%s` cannot "
                     "make a unit name (letters, digits, \"-_.\")",
                     prefix, name);
  char *u;
  if (is_slice_unit (name))
    {
      _cleanup_free_ char *check = NULL;
      if (cgroup_systemd_expand_slice (name, &check, err) < 0)
        return werr_prefix (err, "config.json: linux.cgroupsPath");
      u = xstrdup (name);
    }
  else
    u = *prefix ? xasprintf ("%s-%s.scope", prefix, name)
                : xasprintf ("%s.scope", name);
  if (strlen (u) > 255)
    {
      free (u);
      return werr_set (err, 0,
                       "config.json: linux.cgroupsPath: the unit name is "
                       "longer than 255 characters");
    }
  *unit = u;
  *slice = take_ptr (&s);
  return 0;
}

int
cgroup_systemd_cpu_mask (const char *list, uint8_t **mask, size_t *n,
                         struct werr *err)
{
  /* systemd's own limit on CPU and node numbers. */
  const unsigned long max = 8191;
  uint8_t *m = xmalloc0 (max / 8 + 1);
  size_t len = 0;
  for (const char *s = list; *s;)
    {
      char *end;
      if (*s < '0' || *s > '9')
        goto bad;
      unsigned long a = strtoul (s, &end, 10), b = a;
      if (*end == '-')
        {
          s = end + 1;
          if (*s < '0' || *s > '9')
            goto bad;
          b = strtoul (s, &end, 10);
        }
      if (a > b || b > max)
        goto bad;
      for (unsigned long i = a; i <= b; i++)
        m[i / 8] |= (uint8_t) (1u << (i % 8));
      if (b / 8 + 1 > len)
        len = b / 8 + 1;
      s = end;
      if (*s == ',')
        s++;
      else if (*s)
        goto bad;
    }
  *mask = m;
  *n = len;
  return 0;
bad:
  free (m);
  return werr_set (err, 0, "`%s` is not a list of numbers and ranges", list);
}

/* ---- properties ------------------------------------------------------------ */

static void
prop_open (struct dbus_writer *w, const char *name, const char *sig)
{
  dbus_w_struct_open (w);
  dbus_w_string (w, name);
  dbus_w_variant (w, sig);
}

static void
prop_t (struct dbus_writer *w, const char *name, uint64_t v)
{
  prop_open (w, name, "t");
  dbus_w_u64 (w, v);
}

static void
prop_b (struct dbus_writer *w, const char *name, bool v)
{
  prop_open (w, name, "b");
  dbus_w_bool (w, v);
}

static void
prop_s (struct dbus_writer *w, const char *name, const char *v)
{
  prop_open (w, name, "s");
  dbus_w_string (w, v);
}

static int
prop_mask (struct dbus_writer *w, const char *name, const char *list,
           const char *field, struct werr *err)
{
  _cleanup_free_ uint8_t *m = NULL;
  size_t n = 0;
  if (cgroup_systemd_cpu_mask (list, &m, &n, err) < 0)
    return werr_prefix (err, "linux.resources.%s", field);
  prop_open (w, name, "ay");
  dbus_w_array_open (w, 'y');
  for (size_t i = 0; i < n; i++)
    dbus_w_byte (w, m[i]);
  dbus_w_array_close (w);
  return 0;
}

/* -1 (or any negative) is "no limit": systemd's infinity. */
static uint64_t
limit_value (int64_t v)
{
  return v < 0 ? UINT64_MAX : (uint64_t) v;
}

static int
memory_props (bool v2, const struct oci_resources *res, struct dbus_writer *w,
              struct oci_resources *rest, struct werr *err)
{
  const typeof (res->memory) *m = &res->memory;
  int64_t limit = m->has_limit ? m->limit : 0;
  bool swap = m->has_swap && m->swap != 0;
  if (v2 && swap)
    {
      int64_t s2;
      if (cgroup_swap_to_v2 (m->swap, limit, &s2, err) < 0)
        return -1;
      if (s2 != -2)
        prop_t (w, "MemorySwapMax", limit_value (s2));
      rest->memory.has_swap = false;
    }
  if (limit != 0)
    {
      prop_t (w, v2 ? "MemoryMax" : "MemoryLimit", limit_value (limit));
      /* v1: memory+swap and the limit are written in an order that keeps
       * memsw >= limit; the file back end does both. */
      if (v2 || !swap)
        rest->memory.has_limit = false;
    }
  if (v2 && m->has_reservation && m->reservation != 0)
    {
      prop_t (w, "MemoryLow", limit_value (m->reservation));
      rest->memory.has_reservation = false;
    }
  return 0;
}

/* CPUQuotaPerSecUSec is usec of CPU time per second; systemd keeps it at
 * 10 ms granularity, so round up as runc does. */
static uint64_t
quota_per_sec (int64_t quota, uint64_t period)
{
  if (quota < 0)
    return UINT64_MAX;
  uint64_t v = (uint64_t) quota * 1000000u / period;
  if (v % 10000)
    v = (v / 10000 + 1) * 10000;
  return v;
}

static void
cpu_props (bool v2, unsigned version, const struct oci_resources *res,
           bool update, struct dbus_writer *w, struct oci_resources *rest)
{
  const typeof (res->cpu) *c = &res->cpu;
  if (c->has_shares && c->shares)
    {
      if (v2)
        prop_t (w, "CPUWeight", cgroup_shares_to_weight (c->shares));
      else
        prop_t (w, "CPUShares", c->shares);
      rest->cpu.has_shares = false;
    }
  bool period_ok = version == 0 || version >= 242; /* CPUQuotaPeriodUSec */
  bool has_period = c->has_period && c->period;
  bool has_quota = c->has_quota && c->quota;
  /* An update of one without the other: the file back end knows the
   * current value of the other. */
  if (has_quota && (has_period || !update)
      && (period_ok || !has_period || c->period == 100000))
    {
      uint64_t period = has_period ? c->period : 100000;
      prop_t (w, "CPUQuotaPerSecUSec", quota_per_sec (c->quota, period));
      rest->cpu.has_quota = false;
    }
  if (has_period && period_ok && (has_quota || !update))
    {
      prop_t (w, "CPUQuotaPeriodUSec", c->period);
      rest->cpu.has_period = false;
    }
}

int
cgroup_systemd_properties (enum cgroup_mode mode, unsigned version,
                           const struct oci_resources *res, bool update,
                           struct dbus_writer *w, struct oci_resources *rest,
                           struct werr *err)
{
  bool v2 = mode == CGROUP_MODE_UNIFIED;
  if (!update)
    {
      prop_b (w, "MemoryAccounting", true);
      prop_b (w, "CPUAccounting", true);
      prop_b (w, v2 ? "IOAccounting" : "BlockIOAccounting", true);
      prop_b (w, "TasksAccounting", true);
    }
  if (res == NULL)
    return 0;
  *rest = *res;
  if (res->has_memory && memory_props (v2, res, w, rest, err) < 0)
    return -1;
  if (res->has_cpu)
    {
      cpu_props (v2, version, res, update, w, rest);
      /* AllowedCPUs / AllowedMemoryNodes: systemd 244, cgroup v2 only. */
      bool cpuset = v2 && (version == 0 || version >= 244);
      if (cpuset && res->cpu.cpus && *res->cpu.cpus)
        {
          if (prop_mask (w, "AllowedCPUs", res->cpu.cpus, "cpu.cpus", err) < 0)
            return -1;
          rest->cpu.cpus = NULL;
        }
      if (cpuset && res->cpu.mems && *res->cpu.mems)
        {
          if (prop_mask (w, "AllowedMemoryNodes", res->cpu.mems, "cpu.mems",
                         err)
              < 0)
            return -1;
          rest->cpu.mems = NULL;
        }
    }
  if (res->has_pids && !(update && res->pids_limit == 0))
    {
      prop_t (w, "TasksMax",
              res->pids_limit > 0 ? (uint64_t) res->pids_limit : UINT64_MAX);
      rest->has_pids = false;
    }
  if (res->has_block_io && res->block_io.has_weight && res->block_io.weight)
    {
      if (v2)
        prop_t (w, "IOWeight",
                cgroup_blkio_weight_to_io_weight (res->block_io.weight));
      else
        prop_t (w, "BlockIOWeight", res->block_io.weight);
      rest->block_io.has_weight = false;
    }
  return 0;
}

/* ---- talking to systemd ---------------------------------------------------- */

static bool
usable_socket (const char *path)
{
  struct stat st;
  return stat (path, &st) == 0 && S_ISSOCK (st.st_mode);
}

/* The D-Bus address of the systemd instance that manages our cgroups. */
static int
bus_address (bool rootless, char **address, bool *bus_daemon, struct werr *err)
{
  if (!rootless)
    {
      /* The private socket needs no dbus-daemon and is what systemctl uses
       * as root. */
      if (usable_socket ("/run/systemd/private"))
        {
          *address = xstrdup ("/run/systemd/private");
          *bus_daemon = false;
          return 0;
        }
      const char *env = getenv ("DBUS_SYSTEM_BUS_ADDRESS");
      *address = xstrdup (env && *env ? env : "/run/dbus/system_bus_socket");
      *bus_daemon = true;
      return 0;
    }
  const char *run = getenv ("XDG_RUNTIME_DIR");
  _cleanup_free_ char *priv
      = run && *run ? xasprintf ("%s/systemd/private", run) : NULL;
  const char *env = getenv ("DBUS_SESSION_BUS_ADDRESS");
  *bus_daemon = true;
  if (priv && usable_socket (priv))
    {
      *address = take_ptr (&priv);
      *bus_daemon = false;
    }
  else if (env && *env)
    *address = xstrdup (env);
  else if (run && *run)
    *address = xasprintf ("%s/bus", run);
  else
    return werr_set (err, 0,
                     "--systemd-cgroup: no user D-Bus to reach systemd "
                     "(DBUS_SESSION_BUS_ADDRESS and XDG_RUNTIME_DIR unset)");
  return 0;
}

static int
connect_systemd (const struct cgroup_systemd *sd, struct dbus_conn **c,
                 struct werr *err)
{
  if (dbus_open (sd->bus, sd->bus_daemon, CONNECT_TIMEOUT_MS, c, err) < 0)
    {
      /* Rootless needs a manager of the user's own, which only a login or
       * `loginctl enable-linger` starts: say which one is missing. */
      if (sd->rootless)
        werr_prefix (err,
                     "no systemd user manager answers for uid %u (is "
                     "user@%u.service running?)",
                     (unsigned) geteuid (), (unsigned) geteuid ());
      return werr_prefix (err, "--systemd-cgroup");
    }
  if (!sd->bus_daemon)
    return 0;
  /* A bus routes signals only to those who asked: JobRemoved. */
  struct dbus_writer w;
  dbus_w_init (&w);
  dbus_w_string (&w, "type='signal',sender='" SD_DEST "',interface='" SD_MANAGER
                     "',member='JobRemoved',path='" SD_PATH "'");
  struct dbus_call call = { .destination = "org.freedesktop.DBus",
                            .path = "/org/freedesktop/DBus",
                            .interface = "org.freedesktop.DBus",
                            .member = "AddMatch",
                            .signature = "s" };
  struct dbus_msg reply;
  int r
      = dbus_call (*c, &call, &w, "", NULL, NULL, CALL_TIMEOUT_MS, &reply, err);
  dbus_w_free (&w);
  if (r == 1)
    {
      char text[256];
      dbus_error_text (&reply, text, sizeof text);
      werr_set (err, 0, "D-Bus AddMatch: %s", text);
    }
  dbus_msg_clear (&reply);
  if (r != 0)
    {
      dbus_close (*c);
      *c = NULL;
      return werr_prefix (err, "--systemd-cgroup");
    }
  return 0;
}

/* A call to the manager: -2 with "what: Error.Name: text" on an error
 * reply, -1 on no reply; 1 when the error reply is `tolerated`; 0 and
 * *reply (when not NULL) on success. */
static int
manager_call (struct dbus_conn *c, const char *member, const char *sig,
              const struct dbus_writer *body, const char *want_sig,
              dbus_msg_fn other, void *data, const char *tolerated,
              struct dbus_msg *reply, const char *what, struct werr *err)
{
  struct dbus_call call = { .destination = SD_DEST,
                            .path = SD_PATH,
                            .interface = SD_MANAGER,
                            .member = member,
                            .signature = sig };
  struct dbus_msg m;
  int r = dbus_call (c, &call, body, want_sig, other, data, CALL_TIMEOUT_MS, &m,
                     err);
  if (r == 1 && tolerated && m.error_name
      && strcmp (m.error_name, tolerated) == 0)
    {
      dbus_msg_clear (&m);
      return 1;
    }
  if (r == 1)
    {
      char text[512];
      dbus_error_text (&m, text, sizeof text);
      dbus_msg_clear (&m);
      werr_set (err, 0, "--systemd-cgroup: %s: %s", what, text);
      return -2;
    }
  if (r < 0)
    return werr_prefix (err, "--systemd-cgroup: %s", what);
  if (reply)
    *reply = m;
  else
    dbus_msg_clear (&m);
  return 0;
}

/* systemd's major version (Manager.Version "252.38-1~deb12u1"); 0 when it
 * cannot be read. */
static unsigned
manager_version (struct dbus_conn *c)
{
  struct dbus_writer w;
  dbus_w_init (&w);
  dbus_w_string (&w, SD_MANAGER);
  dbus_w_string (&w, "Version");
  struct dbus_call call = { .destination = SD_DEST,
                            .path = SD_PATH,
                            .interface = "org.freedesktop.DBus.Properties",
                            .member = "Get",
                            .signature = "ss" };
  struct dbus_msg m;
  struct werr ignored = { 0 };
  unsigned v = 0;
  if (dbus_call (c, &call, &w, "v", NULL, NULL, CALL_TIMEOUT_MS, &m, &ignored)
      == 0)
    {
      struct dbus_reader r;
      const char *sig, *s;
      dbus_r_init (&r, &m);
      if (dbus_r_variant (&r, &sig) == 0 && strcmp (sig, "s") == 0
          && dbus_r_string (&r, &s) == 0)
        v = (unsigned) strtoul (s, NULL, 10);
    }
  dbus_msg_clear (&m);
  dbus_w_free (&w);
  return v;
}

/* ---- jobs ------------------------------------------------------------------ */

/* JobRemoved signals seen, ours among them perhaps. */
struct job_wait
{
  const char *job; /* the job's object path, once known */
  char result[32];
  bool done;
  char seen[8][160];
  char seen_result[8][32];
  unsigned n_seen;
};

static bool
on_job_removed (const struct dbus_msg *m, void *data)
{
  struct job_wait *jw = data;
  if (m->type != DBUS_SIGNAL || strcmp (m->member, "JobRemoved") != 0
      || strcmp (m->interface, SD_MANAGER) != 0
      || strcmp (m->signature, "uoss") != 0)
    return false;
  struct dbus_reader r;
  uint32_t id;
  const char *job, *unit, *result;
  dbus_r_init (&r, m);
  if (dbus_r_u32 (&r, &id) < 0 || dbus_r_string (&r, &job) < 0
      || dbus_r_string (&r, &unit) < 0 || dbus_r_string (&r, &result) < 0)
    return false;
  if (jw->job == NULL)
    {
      /* Before the reply naming our job: remember, in case. */
      unsigned i = jw->n_seen++ % 8;
      snprintf (jw->seen[i], sizeof jw->seen[i], "%s", job);
      snprintf (jw->seen_result[i], sizeof jw->seen_result[i], "%s", result);
      return false;
    }
  if (strcmp (job, jw->job) != 0)
    return false;
  snprintf (jw->result, sizeof jw->result, "%s", result);
  jw->done = true;
  return true;
}

/* Wait for the job of a reply (signature "o") to finish: its result. */
static int
wait_job (struct dbus_conn *c, struct dbus_msg *reply, struct job_wait *jw,
          const char *what, struct werr *err)
{
  struct dbus_reader r;
  dbus_r_init (&r, reply);
  if (dbus_r_string (&r, &jw->job) < 0)
    return werr_set (err, 0, "--systemd-cgroup: %s: bad reply", what);
  for (unsigned i = 0; i < 8 && i < jw->n_seen; i++)
    if (strcmp (jw->seen[i], jw->job) == 0)
      {
        snprintf (jw->result, sizeof jw->result, "%s", jw->seen_result[i]);
        return 0;
      }
  if (dbus_wait (c, on_job_removed, jw, JOB_TIMEOUT_MS, err) < 0)
    return werr_prefix (err, "--systemd-cgroup: %s: waiting for job `%s`", what,
                        jw->job);
  return 0;
}

/* ---- the unit ---------------------------------------------------------- */

static int
start_body (const struct cgroup_mgr *mgr, pid_t pid, struct dbus_writer *w,
            struct oci_resources *rest, struct werr *err)
{
  const struct cgroup_systemd *sd = mgr->systemd;
  bool slice = is_slice_unit (sd->unit);
  dbus_w_string (w, sd->unit);
  dbus_w_string (w, "replace");
  dbus_w_array_open (w, '(');
  _cleanup_free_ char *desc = xasprintf ("ward container %s", sd->id);
  prop_s (w, "Description", desc);
  if (slice)
    {
      /* A slice's place comes from its name; the parent is pulled in. */
      prop_open (w, "Wants", "as");
      dbus_w_array_open (w, 's');
      dbus_w_string (w, sd->slice);
      dbus_w_array_close (w);
    }
  else
    {
      prop_s (w, "Slice", sd->slice);
      /* The container may manage cgroups below its own (nested
       * runtimes, systemd inside). */
      prop_b (w, "Delegate", true);
      prop_open (w, "PIDs", "au");
      dbus_w_array_open (w, 'u');
      dbus_w_u32 (w, (uint32_t) pid);
      dbus_w_array_close (w);
    }
  prop_b (w, "DefaultDependencies", false);
  /* A unit that failed is collected too: nothing lingers after delete. */
  if (sd->version == 0 || sd->version >= 236)
    prop_s (w, "CollectMode", "inactive-or-failed");
  if (cgroup_systemd_properties (mgr->mode, sd->version, sd->res, false, w,
                                 rest, err)
      < 0)
    return werr_prefix (err, "config.json");
  dbus_w_array_close (w);
  dbus_w_array_open (w, '('); /* no auxiliary units */
  dbus_w_array_close (w);
  return 0;
}

/* StartTransientUnit and wait until systemd has made it. */
static int
start_unit (struct cgroup_mgr *mgr, struct dbus_conn *c, pid_t pid,
            struct oci_resources *rest, struct werr *err)
{
  struct cgroup_systemd *sd = mgr->systemd;
  _cleanup_free_ char *what = xasprintf ("start unit `%s`", sd->unit);
  struct dbus_writer w;
  dbus_w_init (&w);
  if (start_body (mgr, pid, &w, rest, err) < 0)
    {
      dbus_w_free (&w);
      return -1;
    }
  struct job_wait jw = { 0 };
  struct dbus_msg reply;
  /* Unless systemd says no (the unit may be another container's), the
   * unit may exist from here on: destroy stops it. */
  sd->started = true;
  int r = manager_call (c, "StartTransientUnit", "ssa(sv)a(sa(sv))", &w, "o",
                        on_job_removed, &jw, NULL, &reply, what, err);
  dbus_w_free (&w);
  if (r == -2)
    sd->started = false;
  if (r < 0)
    return -1;
  r = wait_job (c, &reply, &jw, what, err);
  dbus_msg_clear (&reply);
  if (r < 0)
    return -1;
  if (strcmp (jw.result, "done") != 0)
    return werr_set (err, 0,
                     "--systemd-cgroup: %s: the job ended `%s` (see "
                     "`systemctl status %s`)",
                     what, jw.result, sd->unit);
  return 0;
}

bool
cgroup_systemd_pending (const struct cgroup_mgr *mgr)
{
  return mgr && mgr->systemd && !mgr->systemd->started;
}

int
cgroup_systemd_start (struct cgroup_mgr *mgr, pid_t pid, struct werr *err)
{
  struct cgroup_systemd *sd = mgr->systemd;
  struct dbus_conn *c = NULL;
  struct oci_resources rest = { 0 };
  if (connect_systemd (sd, &c, err) < 0)
    return -1;
  int r = start_unit (mgr, c, pid, &rest, err);
  dbus_close (c);
  if (r < 0)
    return -1;
  _cleanup_free_ char *inner = NULL;
  /* Where systemd put the init: its own hierarchy, cgroup2 unless the host
   * is v1 only. */
  const char *hier = mgr->mode == CGROUP_MODE_LEGACY ? "name=systemd" : NULL;
  if (is_slice_unit (sd->unit))
    r = cgroup_systemd_expand_slice (sd->unit, &inner, err);
  else
    r = (inner = cgroup_pid_path (pid, hier, err)) ? 0 : -1;
  if (r < 0)
    return werr_prefix (err, "--systemd-cgroup: the cgroup of `%s`", sd->unit);
  const char *base = strrchr (inner, '/');
  if (base == NULL || strcmp (base + 1, sd->unit) != 0)
    return werr_set (err, 0,
                     "--systemd-cgroup: pid %d is in `%s`, not in "
                     "the unit `%s`",
                     (int) pid, inner, sd->unit);
  /* From here on, the unit's cgroup is an ordinary one. */
  if (cgroup_fs_setup (mgr, inner, err) < 0)
    return -1;
  const struct oci_resources *res = sd->res;
  sd->res = NULL;
  return cgroup_apply_resources (mgr, res ? &rest : NULL, err);
}

/* AttachProcessesToUnit (systemd 238): a rootless user's manager moves a
 * process the user could not move out of its session's scope. */
int
cgroup_systemd_attach (struct cgroup_mgr *mgr, pid_t pid, struct werr *err)
{
  struct cgroup_systemd *sd = mgr->systemd;
  struct dbus_conn *c = NULL;
  if (connect_systemd (sd, &c, err) < 0)
    return -1;
  _cleanup_free_ char *what
      = xasprintf ("attach pid %d to `%s`", (int) pid, sd->unit);
  struct dbus_writer w;
  dbus_w_init (&w);
  dbus_w_string (&w, sd->unit);
  dbus_w_string (&w, "");
  dbus_w_array_open (&w, 'u');
  dbus_w_u32 (&w, (uint32_t) pid);
  dbus_w_array_close (&w);
  int r = manager_call (c, "AttachProcessesToUnit", "ssau", &w, "", NULL, NULL,
                        NULL, NULL, what, err);
  dbus_w_free (&w);
  dbus_close (c);
  return r < 0 ? -1 : 0;
}

int
cgroup_systemd_create (const struct cgroup_request *req,
                       struct cgroup_mgr **out, struct werr *err)
{
  _cleanup_free_ char *slice = NULL, *unit = NULL;
  enum cgroup_mode mode;
  if (cgroup_systemd_parse_path (req->cgroups_path, req->id, req->rootless,
                                 &slice, &unit, err)
      < 0)
    return -1;
  if (cgroup_detect_mode (&mode, err) < 0)
    return -1;
  /* linux.resources errors before anything exists. */
  struct dbus_writer scratch;
  struct oci_resources rest;
  dbus_w_init (&scratch);
  int r = cgroup_systemd_properties (mode, 0, req->resources, false, &scratch,
                                     &rest, err);
  dbus_w_free (&scratch);
  if (r < 0)
    return werr_prefix (err, "config.json");
  struct stat st;
  if (stat ("/run/systemd/system", &st) < 0)
    return werr_set (err, 0,
                     "--systemd-cgroup: systemd is not running "
                     "(no /run/systemd/system)");
  struct cgroup_systemd *sd = xmalloc0 (sizeof *sd);
  struct cgroup_mgr *mgr = xmalloc0 (sizeof *mgr);
  mgr->systemd = sd;
  mgr->rootless = req->rootless;
  sd->unit = take_ptr (&unit);
  sd->slice = take_ptr (&slice);
  sd->id = xstrdup (req->id ? req->id : "");
  sd->res = req->resources;
  sd->rootless = req->rootless;
  mgr->mode = mode;
  struct dbus_conn *c = NULL;
  if (bus_address (req->rootless, &sd->bus, &sd->bus_daemon, err) < 0
      || connect_systemd (sd, &c, err) < 0)
    {
      cgroup_mgr_free (mgr);
      return -1;
    }
  /* The connection is not kept: the container's processes are forked
   * before the unit is started, and must not inherit it. */
  sd->version = manager_version (c);
  dbus_close (c);
  *out = mgr;
  return 0;
}

int
cgroup_systemd_update (struct cgroup_mgr *mgr, const struct oci_resources *res,
                       struct oci_resources *rest, struct werr *err)
{
  struct cgroup_systemd *sd = mgr->systemd;
  struct dbus_writer w;
  dbus_w_init (&w);
  dbus_w_string (&w, sd->unit);
  dbus_w_bool (&w, true); /* runtime: gone at the next boot */
  dbus_w_array_open (&w, '(');
  size_t before = w.len;
  if (cgroup_systemd_properties (mgr->mode, sd->version, res, true, &w, rest,
                                 err)
      < 0)
    {
      dbus_w_free (&w);
      return -1;
    }
  bool any = w.len != before;
  dbus_w_array_close (&w);
  int r = 0;
  struct dbus_conn *c = NULL;
  if (any && (r = connect_systemd (sd, &c, err)) == 0)
    {
      _cleanup_free_ char *what
          = xasprintf ("set properties of `%s`", sd->unit);
      r = manager_call (c, "SetUnitProperties", "sba(sv)", &w, "", NULL, NULL,
                        NULL, NULL, what, err);
      dbus_close (c);
    }
  dbus_w_free (&w);
  return r;
}

int
cgroup_systemd_stop (struct cgroup_mgr *mgr, struct werr *err)
{
  struct cgroup_systemd *sd = mgr->systemd;
  if (!sd->started)
    return 0;
  struct dbus_conn *c = NULL;
  if (connect_systemd (sd, &c, err) < 0)
    return -1;
  _cleanup_free_ char *what = xasprintf ("stop unit `%s`", sd->unit);
  struct dbus_writer w;
  dbus_w_init (&w);
  dbus_w_string (&w, sd->unit);
  dbus_w_string (&w, "replace");
  struct job_wait jw = { 0 };
  struct dbus_msg reply;
  /* An empty scope is stopped and collected by systemd on its own: the
   * unit may well be gone already. */
  int r
      = manager_call (c, "StopUnit", "ss", &w, "o", on_job_removed, &jw,
                      "org.freedesktop.systemd1.NoSuchUnit", &reply, what, err);
  dbus_w_free (&w);
  if (r == 0)
    {
      r = wait_job (c, &reply, &jw, what, err);
      dbus_msg_clear (&reply);
    }
  if (r >= 0)
    {
      /* Not "failed" either, should it have ended so. */
      dbus_w_init (&w);
      dbus_w_string (&w, sd->unit);
      struct werr ignored = { 0 };
      manager_call (c, "ResetFailedUnit", "s", &w, NULL, NULL, NULL, NULL, NULL,
                    what, &ignored);
      dbus_w_free (&w);
      sd->started = false;
    }
  dbus_close (c);
  return r < 0 ? -1 : 0;
}

/* ---- state ---------------------------------------------------------------- */

void
cgroup_systemd_save (const struct cgroup_mgr *mgr, struct jw *w)
{
  const struct cgroup_systemd *sd = mgr->systemd;
  jw_key (w, "systemd");
  jw_obj_open (w);
  jw_kstr (w, "unit", sd->unit);
  jw_kstr (w, "slice", sd->slice);
  jw_kstr (w, "bus", sd->bus);
  jw_kbool (w, "bus_daemon", sd->bus_daemon);
  jw_kbool (w, "started", sd->started);
  jw_kint (w, "version", sd->version);
  jw_obj_close (w);
}

static const char *
jstr (const struct jnode *obj, const char *key)
{
  const struct jnode *n = jnode_get (obj, key);
  return n ? jnode_str (n) : NULL;
}

int
cgroup_systemd_load (const struct jnode *n, struct cgroup_mgr *mgr,
                     struct werr *err)
{
  const struct jnode *o = jnode_get (n, "systemd");
  if (o == NULL || jnode_type (o) == JNODE_NULL)
    return 0;
  const char *unit = jstr (o, "unit");
  const char *slice = jstr (o, "slice");
  const char *bus = jstr (o, "bus");
  if (jnode_type (o) != JNODE_OBJECT || unit == NULL || !unit_chars_ok (unit)
      || strlen (unit) > 255 || bus == NULL || *bus == '\0')
    return werr_set (err, 0, "cgroup state: systemd: bad unit or bus");
  struct cgroup_systemd *sd = xmalloc0 (sizeof *sd);
  sd->unit = xstrdup (unit);
  sd->slice = xstrdup (slice ? slice : "");
  sd->bus = xstrdup (bus);
  sd->id = xstrdup ("");
  const struct jnode *b = jnode_get (o, "bus_daemon");
  sd->bus_daemon = b && jnode_is_true (b);
  b = jnode_get (o, "started");
  sd->started = b && jnode_is_true (b);
  b = jnode_get (o, "version");
  if (b && jnode_is_integer (b) && jnode_int (b) > 0 && jnode_int (b) < 100000)
    sd->version = (unsigned) jnode_int (b);
  sd->rootless = mgr->rootless;
  mgr->systemd = sd;
  return 0;
}

void
cgroup_systemd_free (struct cgroup_systemd *sd)
{
  if (sd == NULL)
    return;
  free (sd->unit);
  free (sd->slice);
  free (sd->id);
  free (sd->bus);
  free (sd);
}
