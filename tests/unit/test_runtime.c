/* ward — unit tests of runtime pieces that need no container: signal names,
 * container ids, the state file, the sync protocol, fd hygiene. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fds.h"
#include "signals.h"
#include "state.h"
#include "sync.h"
#include "unit.h"
#include "utils.h"

static void
test_signal_names (void)
{
  CHECK_INT_EQ (signal_parse ("TERM"), SIGTERM);
  CHECK_INT_EQ (signal_parse ("SIGTERM"), SIGTERM);
  CHECK_INT_EQ (signal_parse ("sigkill"), SIGKILL);
  CHECK_INT_EQ (signal_parse ("9"), 9);
  CHECK_INT_EQ (signal_parse ("HUP"), SIGHUP);
  CHECK_INT_EQ (signal_parse ("RTMIN+2"), SIGRTMIN + 2);
  CHECK_INT_EQ (signal_parse ("SIGRTMAX-1"), SIGRTMAX - 1);
  CHECK_INT_EQ (signal_parse ("0"), -1);
  CHECK_INT_EQ (signal_parse ("65"), -1);
  CHECK_INT_EQ (signal_parse ("FOO"), -1);
  CHECK_INT_EQ (signal_parse (""), -1);
  CHECK_INT_EQ (signal_parse ("RTMIN+99"), -1);
}

static void
test_container_ids (void)
{
  struct werr err;
  CHECK_INT_EQ (state_check_id ("abc-1.2_3+x", &err), 0);
  CHECK (state_check_id ("", &err) < 0);
  CHECK (state_check_id ("../x", &err) < 0);
  CHECK_STR_HAS (err.msg, "invalid container id");
  CHECK (state_check_id ("a/b", &err) < 0);
  CHECK (state_check_id ("-a", &err) < 0);
  CHECK (state_check_id (".hidden", &err) < 0);
}

static char *
make_tmp_root (void)
{
  char tmpl[] = "/tmp/ward-unit-XXXXXX";
  char *d = mkdtemp (tmpl);
  return d ? xstrdup (d) : NULL;
}

static void
test_state_roundtrip (void)
{
  struct werr err = { 0 };
  char *root = make_tmp_root ();
  CHECK (root != NULL);
  int fd = state_dir_create (root, "c1", &err);
  CHECK (fd >= 0);
  CHECK (state_dir_create (root, "c1", &err) < 0);
  CHECK_STR_HAS (err.msg, "already exists");
  struct oci_kv kv = { "a.b", "v" };
  struct ward_state st = { .id = "c1",
                           .pid = getpid (),
                           .start_time = proc_start_time (getpid ()),
                           .bundle = "/b",
                           .rootfs = "/b/rootfs",
                           .created = "2026-01-01T00:00:00Z",
                           .owner = 0,
                           .annotations = { &kv, 1 } };
  CHECK_INT_EQ (state_write (fd, &st, &err), 0);
  struct ward_state *back = NULL;
  CHECK_INT_EQ (state_read (fd, &back, &err), 0);
  if (back)
    {
      CHECK_STR_EQ (back->id, "c1");
      CHECK_INT_EQ (back->pid, getpid ());
      CHECK_STR_EQ (back->rootfs, "/b/rootfs");
      CHECK_INT_EQ (back->annotations.n, 1);
      CHECK_STR_EQ (back->annotations.v[0].value, "v");
      CHECK (state_process_alive (back));
      CHECK_STR_EQ (state_status (fd, back), "running");
      back->start_time++; /* a reused pid: a different process */
      CHECK_STR_EQ (state_status (fd, back), "stopped");
      state_free (back);
    }
  close (fd);
  CHECK (state_dir_open (root, "nope", &err) < 0);
  CHECK_STR_HAS (err.msg, "does not exist");
  CHECK_INT_EQ (state_dir_remove (root, "c1", &err), 0);
  struct stat sb;
  char *path = xasprintf ("%s/c1", root);
  CHECK (stat (path, &sb) < 0 && errno == ENOENT);
  free (path);
  rmdir (root);
  free (root);
}

static void
test_sync_error_and_fd (void)
{
  int sv[2];
  CHECK_INT_EQ (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
  struct werr err = { 0 };
  werr_set (&err, ENOENT, "mount `%s`", "/x");
  sync_send_error (sv[1], &err);
  struct sync_msg m;
  struct werr got = { 0 };
  CHECK (sync_expect (sv[0], SYNC_READY, &m, NULL, &got) < 0);
  CHECK_STR_EQ (got.msg, "mount `/x`: No such file or directory");
  CHECK_INT_EQ (got.errnum, ENOENT);
  int devnull = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  CHECK_INT_EQ (sync_send (sv[1], SYNC_CONSOLE, 0, devnull), 0);
  int passed = -1;
  CHECK_INT_EQ (sync_expect (sv[0], SYNC_CONSOLE, &m, &passed, &got), 0);
  CHECK (passed >= 0 && passed != devnull);
  CHECK (fcntl (passed, F_GETFD) & FD_CLOEXEC);
  close (passed);
  close (devnull);
  close (sv[1]);
  CHECK (sync_recv (sv[0], &m, NULL, &got) < 0);
  CHECK_STR_HAS (got.msg, "died");
  close (sv[0]);
}

static void
test_fds_prepare_exec (void)
{
  pid_t pid = fork ();
  if (pid == 0)
    {
      struct werr err;
      int keep = open ("/dev/null", O_RDONLY | O_CLOEXEC); /* lands on 3 */
      int leak = open ("/dev/null", O_RDONLY);             /* no CLOEXEC */
      if (keep != 3 || fds_prepare_exec (1, &err) < 0)
        _exit (2);
      bool ok = !(fcntl (3, F_GETFD) & FD_CLOEXEC)
                && (fcntl (leak, F_GETFD) & FD_CLOEXEC);
      _exit (ok ? 0 : 1);
    }
  int status = -1;
  waitpid (pid, &status, 0);
  CHECK (WIFEXITED (status) && WEXITSTATUS (status) == 0);
}

int
main (void)
{
  RUN (test_signal_names);
  RUN (test_container_ids);
  RUN (test_state_roundtrip);
  RUN (test_sync_error_and_fd);
  RUN (test_fds_prepare_exec);
  return unit_report ();
}
