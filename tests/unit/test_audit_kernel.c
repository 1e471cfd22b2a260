/* ward — Landlock's audit records: the parser, which domains are the
 * container's, and the audit lines they become (audit_kernel.c).  The
 * record text follows security/landlock/audit.c and the kernel's
 * Documentation/admin-guide/LSM/landlock.rst. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "audit_kernel.h"
#include "plan.h"
#include "unit.h"

#define ACCESS AK_TYPE_LANDLOCK_ACCESS
#define DOMAIN AK_TYPE_LANDLOCK_DOMAIN

static struct ak_record r;

static int
parse (int type, const char *text)
{
  return audit_kernel_parse (type, text, strlen (text), &r);
}

static void
test_access_quoted (void)
{
  CHECK_INT_EQ (parse (ACCESS, "audit(1729738800.268:30): domain=1a6fdc66f "
                               "blockers=fs.write_file path=\"/x\" "
                               "dev=\"vda1\" ino=42"),
                0);
  CHECK (r.has_domain);
  CHECK_UINT_EQ (r.domain, 0x1a6fdc66fULL);
  CHECK_STR_EQ (r.blockers, "fs.write_file");
  CHECK_STR_EQ (r.object, "/x");
  CHECK_STR_EQ (r.dev, "vda1");
  CHECK (r.has_ino);
  CHECK_UINT_EQ (r.ino, 42);
  CHECK_INT_EQ (r.time.tv_sec, 1729738800);
  CHECK_INT_EQ (r.time.tv_nsec, 268000000);
  CHECK_UINT_EQ (r.serial, 30);
}

/* audit writes a value with a space, a quote or a byte outside 0x21-0x7e
 * as hex, without quotes. */
static void
test_access_hex (void)
{
  CHECK_INT_EQ (parse (ACCESS, "audit(1729738800.268:31): domain=1a6fdc66f "
                               "blockers=fs.make_reg,fs.write_file "
                               "path=2F746D702F6120622063 "
                               "dev=\"tmpfs\" ino=7"),
                0);
  CHECK_STR_EQ (r.object, "/tmp/a b c");
  CHECK_STR_EQ (r.blockers, "fs.make_reg,fs.write_file");
  CHECK_INT_EQ (parse (ACCESS, "audit(1.000:1): domain=1 blockers=fs.read_file "
                               "path=6d79202266696c65 dev=\"sda1\" ino=1"),
                0);
  CHECK_STR_EQ (r.object, "my \"file");
  /* a dentry record names the entry, not a path */
  CHECK_INT_EQ (parse (ACCESS, "audit(1.000:2): domain=1 "
                               "blockers=fs.remove_file name=\"secret\" "
                               "dev=\"sda1\" ino=9"),
                0);
  CHECK_STR_EQ (r.object, "secret");
  /* d_path failures are written as they are */
  CHECK_INT_EQ (parse (ACCESS, "audit(1.000:3): domain=1 "
                               "blockers=fs.read_file path=<too_long>"),
                0);
  CHECK_STR_EQ (r.object, "<too_long>");
  /* an odd number of hex digits is not hex */
  CHECK_INT_EQ (parse (ACCESS, "audit(1.000:4): domain=1 "
                               "blockers=fs.read_file path=ABC"),
                0);
  CHECK_STR_EQ (r.object, "ABC");
}

static void
test_access_net (void)
{
  CHECK_INT_EQ (parse (ACCESS, "audit(1729738800.100:40): domain=2b "
                               "blockers=net.connect_tcp daddr=10.1.2.3 "
                               "dport=443"),
                0);
  CHECK_INT_EQ (r.family, AF_INET);
  CHECK (r.has_port && r.port == 443);
  CHECK (memcmp (r.addr, (uint8_t[]){ 10, 1, 2, 3 }, 4) == 0);
  CHECK_INT_EQ (parse (ACCESS, "audit(1.000:41): domain=2b "
                               "blockers=net.bind_tcp laddr=::1 lport=8080"),
                0);
  CHECK_INT_EQ (r.family, AF_INET6);
  CHECK (r.has_port && r.port == 8080);
  /* scope denials carry the other task */
  CHECK_INT_EQ (parse (ACCESS, "audit(1.000:42): domain=2b "
                               "blockers=scope.signal opid=1 ocomm=\"init\""),
                0);
  CHECK_STR_EQ (r.blockers, "scope.signal");
  CHECK_STR_EQ (r.object, "");
}

static void
test_domain (void)
{
  CHECK_INT_EQ (parse (DOMAIN, "audit(1729738800.268:30): domain=1a6fdc66f "
                               "status=allocated mode=enforcing pid=286 uid=0 "
                               "exe=\"/root/sandboxer\" comm=\"sandboxer\""),
                0);
  CHECK (r.allocated && !r.deallocated);
  CHECK_INT_EQ (r.pid, 286);
  CHECK_STR_EQ (r.exe, "/root/sandboxer");
  CHECK_UINT_EQ (r.domain, 0x1a6fdc66fULL);
  CHECK_INT_EQ (parse (DOMAIN, "audit(1729738800.268:30): domain=1a6fdc66f "
                               "status=allocated mode=enforcing pid=286 uid=0 "
                               "exe=2F7573722F62696E2F6D7920617070 "
                               "comm=\"my app\""),
                0);
  CHECK_STR_EQ (r.exe, "/usr/bin/my app");
  CHECK_INT_EQ (parse (DOMAIN, "audit(1729738801.000:35): domain=1a6fdc66f "
                               "status=deallocated denials=3"),
                0);
  CHECK (r.deallocated && !r.allocated);
  CHECK_UINT_EQ (r.denials, 3);
  CHECK_INT_EQ (r.pid, 0);
  /* the SYSCALL record of the same event: its pid only */
  CHECK_INT_EQ (parse (AK_TYPE_SYSCALL,
                       "audit(1729738800.268:30): arch=c000003e syscall=257 "
                       "success=no exit=-13 a0=ffffff9c ppid=1 pid=287 "
                       "auid=4294967295 uid=0 comm=\"sh\" exe=\"/bin/sh\""),
                0);
  CHECK_INT_EQ (r.pid, 287);
}

static void
test_garbage (void)
{
  CHECK_INT_EQ (parse (ACCESS, ""), -1);
  CHECK_INT_EQ (parse (ACCESS, "hello world"), -1);
  CHECK_INT_EQ (parse (ACCESS, "audit(1.000:1): blockers=fs.read_file"), -1);
  CHECK_INT_EQ (parse (ACCESS, "audit(1.000:1): domain=1a6fdc66f"), -1);
  CHECK_INT_EQ (parse (ACCESS, "audit(1.000:1): domain=zz blockers=fs.x"), -1);
  CHECK_INT_EQ (parse (ACCESS, "audit(1.000:1): domain= blockers=fs.x"), -1);
  CHECK_INT_EQ (parse (ACCESS, "audit(x.000:1): domain=1 blockers=fs.x"), -1);
  CHECK_INT_EQ (parse (ACCESS, "audit(1.000:1): domain=1 blockers=fs.x ino=-1"),
                -1);
  CHECK_INT_EQ (parse (DOMAIN, "audit(1.000:1): domain=1 status=allocated "
                               "pid=0"),
                -1);
  CHECK_INT_EQ (parse (DOMAIN, "audit(1.000:1): domain=1 status=weird"), -1);
  CHECK_INT_EQ (parse (AK_TYPE_SYSCALL, "audit(1.000:1): arch=c000003e"), -1);
  CHECK_INT_EQ (parse (1400, "audit(1.000:1): apparmor=\"DENIED\""), -1);
  CHECK_INT_EQ (parse (ACCESS, "audit(1.000:1): domain=1 blockers=fs.x "
                               "daddr=10.0.0.1 dport=70000"),
                -1);
}

static void
test_truncated (void)
{
  CHECK_INT_EQ (parse (ACCESS, "audit(1729738800.2"), -1);
  CHECK_INT_EQ (parse (ACCESS, "audit(1729738800.268:30): domain=1a6fdc66f "
                               "blockers=fs.write_file path=\"/wor"),
                -1);
  CHECK_INT_EQ (parse (DOMAIN, "audit(1729738800.268:30): domain=1a6fdc66f "
                               "status=allocated mode=enf"),
                -1);
  /* the kernel's text is not NUL-terminated: only `len` bytes count */
  const char *t = "audit(2.500:9): domain=ff blockers=fs.read_file "
                  "path=\"/etc/shadow\" dev=\"vda1\" ino=5GARBAGE";
  CHECK_INT_EQ (audit_kernel_parse (ACCESS, t, strlen (t) - 7, &r), 0);
  CHECK_UINT_EQ (r.ino, 5);
  CHECK_STR_EQ (r.object, "/etc/shadow");
  /* and an embedded NUL ends it */
  const char nul[] = "audit(2.500:9): domain=ff blockers=fs.read_file\0 x=\"";
  CHECK_INT_EQ (audit_kernel_parse (ACCESS, nul, sizeof nul - 1, &r), 0);
}

/* ---- which domains are the container's ---- */

static int emitted;
static uint32_t emitted_serial[32];

static int
fake_ours (void *ctx, pid_t pid)
{
  (void) ctx;
  switch (pid)
    {
    case 100: /* the init */
    case 200: /* in the container's cgroup */
      return 1;
    case 400: /* gone */
      return -1;
    default:
      return 0;
    }
}

static void
count (void *ctx, const struct ak_record *rec)
{
  (void) ctx;
  if (emitted < 32)
    emitted_serial[emitted] = rec->serial;
  emitted++;
}

static void
feed (struct ak_tracker *t, int type, const char *text)
{
  struct ak_record rec;
  if (!CHECK (audit_kernel_parse (type, text, strlen (text), &rec) == 0))
    return;
  ak_tracker_feed (t, &rec, count, NULL);
}

static void
test_tracker (void)
{
  struct ak_tracker t = { .ours = fake_ours };
  emitted = 0;
  /* the init's domain: the denial waits for the domain record */
  feed (&t, ACCESS,
        "audit(1.000:1): domain=d1 blockers=fs.write_file "
        "path=\"/a\" dev=\"x\" ino=1");
  CHECK_INT_EQ (emitted, 0);
  CHECK_INT_EQ (t.n_pending, 1);
  feed (&t, DOMAIN,
        "audit(1.000:1): domain=d1 status=allocated "
        "mode=enforcing pid=100 uid=0 exe=\"/bin/sh\" comm=\"sh\"");
  CHECK_INT_EQ (emitted, 1);
  CHECK_INT_EQ (t.n_pending, 0);
  /* later denials of the same domain go out at once, once each */
  feed (&t, ACCESS,
        "audit(1.000:2): domain=d1 blockers=fs.read_file "
        "path=\"/b\" dev=\"x\" ino=2");
  CHECK_INT_EQ (emitted, 2);
  CHECK_UINT_EQ (emitted_serial[1], 2);
  /* someone else's domain: dropped, now and later */
  feed (&t, ACCESS,
        "audit(1.000:3): domain=e1 blockers=fs.read_file "
        "path=\"/c\" dev=\"x\" ino=3");
  feed (&t, DOMAIN,
        "audit(1.000:3): domain=e1 status=allocated "
        "mode=enforcing pid=300 uid=0 exe=\"/x\" comm=\"x\"");
  feed (&t, ACCESS,
        "audit(1.000:4): domain=e1 blockers=fs.read_file "
        "path=\"/c\" dev=\"x\" ino=3");
  CHECK_INT_EQ (emitted, 2);
  CHECK_INT_EQ (t.n_pending, 0);
  /* a nested domain whose creator is gone: the SYSCALL record decides */
  feed (&t, ACCESS,
        "audit(1.000:5): domain=f1 blockers=fs.make_reg "
        "path=\"/d\" dev=\"x\" ino=4");
  feed (&t, DOMAIN,
        "audit(1.000:5): domain=f1 status=allocated "
        "mode=enforcing pid=400 uid=0 exe=\"/x\" comm=\"x\"");
  CHECK_INT_EQ (emitted, 2);
  CHECK_INT_EQ (t.n_pending, 1);
  feed (&t, AK_TYPE_SYSCALL, "audit(1.000:6): arch=c000003e pid=200");
  CHECK_INT_EQ (emitted, 2); /* another event */
  feed (&t, AK_TYPE_SYSCALL, "audit(1.000:5): arch=c000003e pid=200");
  CHECK_INT_EQ (emitted, 3);
  CHECK_UINT_EQ (emitted_serial[2], 5);
  /* a domain gone never shows again; its id is forgotten */
  feed (&t, DOMAIN, "audit(2.000:7): domain=d1 status=deallocated denials=2");
  feed (&t, ACCESS,
        "audit(2.000:8): domain=d1 blockers=fs.read_file "
        "path=\"/b\" dev=\"x\" ino=2");
  CHECK_INT_EQ (emitted, 3);
  CHECK_INT_EQ (t.n_pending, 1);
  /* undecided records are bounded */
  for (int i = 0; i < 40; i++)
    feed (&t, ACCESS,
          "audit(3.000:9): domain=a9 blockers=fs.read_file "
          "path=\"/z\" dev=\"x\" ino=2");
  CHECK_INT_EQ (t.n_pending, AK_PENDING);
  ak_tracker_clear (&t);
  CHECK_INT_EQ (t.n_pending, 0);
}

/* ---- the audit lines ---- */

static char *
line_for (const struct policy_plan *plan, const char *text)
{
  size_t len;
  struct audit_event ev;
  if (!CHECK (audit_kernel_parse (ACCESS, text, strlen (text), &r) == 0))
    return NULL;
  audit_kernel_event (plan, &r, &ev);
  return audit_format (&ev, 0, &len);
}

static void
test_event (void)
{
  struct plan_fs_rule rules[] = {
    { .path = "/", .kind = POL_FS_RO, .where = "baseline" },
    { .path = "/workspace",
      .kind = POL_FS_RW,
      .where = "filesystem.readwritePaths[0]" },
    { .path = "/workspace/.env",
      .kind = POL_FS_DENY,
      .where = "filesystem.deniedPaths[0]" },
  };
  struct policy_plan plan = { .id = "c1", .agent = "bot" };
  plan.fs.landlock = true;
  plan.fs.rules = rules;
  plan.fs.n_rules = 3;

  char *l = line_for (&plan, "audit(1729738800.268:30): domain=1a6fdc66f "
                             "blockers=fs.read_file path=\"/workspace/.env\" "
                             "dev=\"vda1\" ino=42");
  CHECK_STR_EQ (l, "{\"time\":\"2024-10-24T03:00:00.268000000Z\","
                   "\"container\":\"c1\",\"agent\":\"bot\","
                   "\"action\":\"landlock\",\"verdict\":\"denied\","
                   "\"target\":{\"path\":\"/workspace/.env\"},"
                   "\"rule\":\"filesystem.deniedPaths[0]\","
                   "\"detail\":\"fs.read_file\"}\n");
  free (l);
  /* the most specific rule above the path decides */
  l = line_for (&plan, "audit(1.000:1): domain=1 blockers=fs.make_reg "
                       "path=\"/workspace/src\" dev=\"vda1\" ino=43");
  CHECK_STR_HAS (l, "\"rule\":\"filesystem.readwritePaths[0]\"");
  free (l);
  /* /workspacex is not under /workspace */
  l = line_for (&plan, "audit(1.000:1): domain=1 blockers=fs.write_file "
                       "path=\"/workspacex\" dev=\"vda1\" ino=44");
  CHECK_STR_HAS (l, "\"rule\":\"baseline\"");
  free (l);
  /* no rule at all, or no path: "filesystem" */
  plan.fs.n_rules = 0;
  l = line_for (&plan, "audit(1.000:1): domain=1 blockers=fs.remove_file "
                       "name=\"x\" dev=\"vda1\" ino=44");
  CHECK_STR_HAS (l, "\"target\":{\"path\":\"x\"},\"rule\":\"filesystem\"");
  free (l);
  /* audit mode */
  plan.audit = true;
  l = line_for (&plan, "audit(1.000:1): domain=1 blockers=fs.write_file "
                       "path=\"/x\" dev=\"vda1\" ino=45");
  CHECK_STR_HAS (l, "\"verdict\":\"allowed-audit\"");
  free (l);
  plan.audit = false;
  /* a Landlock TCP denial is a connect */
  l = line_for (&plan, "audit(1.000:1): domain=1 blockers=net.connect_tcp "
                       "daddr=192.0.2.7 dport=25");
  CHECK_STR_HAS (l, "\"action\":\"connect\"");
  CHECK_STR_HAS (l, "\"target\":{\"address\":\"192.0.2.7\",\"port\":25,"
                    "\"protocol\":\"tcp\"},\"rule\":\"network\"");
  free (l);
  l = line_for (&plan, "audit(1.000:1): domain=1 blockers=scope.signal "
                       "opid=1 ocomm=\"init\"");
  CHECK_STR_HAS (l, "\"target\":{},\"rule\":\"landlock.scope\","
                    "\"detail\":\"scope.signal\"");
  free (l);
}

/* Through the writer into a file, as the monitor does. */
static void
test_written (void)
{
  char path[] = "/tmp/ward-test-audit-kernel-XXXXXX";
  int fd = mkstemp (path);
  if (!CHECK (fd >= 0))
    return;
  struct audit *a = audit_from_fd (fd);
  struct policy_plan plan = { .id = "c2", .agent = "a" };
  struct audit_event ev;
  CHECK (parse (ACCESS, "audit(1729738800.268:30): domain=1 "
                        "blockers=fs.write_file path=\"/x\" dev=\"d\" ino=1")
         == 0);
  audit_kernel_event (&plan, &r, &ev);
  CHECK_INT_EQ (audit_event (a, &ev), 0);
  audit_close (a);
  FILE *f = fopen (path, "r");
  char buf[512] = "";
  CHECK (f && fgets (buf, sizeof buf, f));
  CHECK_STR_HAS (buf, "\"container\":\"c2\"");
  CHECK_STR_HAS (buf, "\"target\":{\"path\":\"/x\"}");
  CHECK_STR_HAS (buf, "\"detail\":\"fs.write_file\"");
  if (f)
    fclose (f);
  unlink (path);
}

/* Whatever this host says, the words are one of the documented ones. */
static void
test_status_words (void)
{
  const char *w = audit_kernel_report_word ();
  CHECK (strcmp (w, "on") == 0 || strcmp (w, "off") == 0
         || strcmp (w, "unknown") == 0 || strcmp (w, "unreadable") == 0);
  char *text = NULL;
  size_t len = 0;
  FILE *o = open_memstream (&text, &len);
  audit_kernel_explain (o);
  fclose (o);
  CHECK_STR_HAS (text, "  Landlock denials: ");
  if (strcmp (w, "off") == 0)
    CHECK_STR_EQ (text, "  Landlock denials: not reported (kernel audit "
                        "disabled)\n");
  free (text);
}

int
main (void)
{
  RUN (test_access_quoted);
  RUN (test_access_hex);
  RUN (test_access_net);
  RUN (test_domain);
  RUN (test_garbage);
  RUN (test_truncated);
  RUN (test_tracker);
  RUN (test_event);
  RUN (test_written);
  RUN (test_status_words);
  return unit_report ();
}
