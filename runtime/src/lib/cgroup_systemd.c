/* ward — the systemd cgroup manager (--systemd-cgroup).
 *
 * For now only the checks: systemd must be running (/run/systemd/system) and
 * its D-Bus must answer.  Creating the transient scope over D-Bus is a later
 * issue; until then a clear error says so. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "cgroup_internal.h"
#include "utils.h"
#include "ward/cleanup.h"

/* The bus to talk to: the user's for rootless, else the system bus. */
static char *
bus_socket_path (bool rootless)
{
  const char *addr = getenv (rootless ? "DBUS_SESSION_BUS_ADDRESS"
                                      : "DBUS_SYSTEM_BUS_ADDRESS");
  if (addr && strncmp (addr, "unix:path=", 10) == 0)
    return strndup (addr + 10, strcspn (addr + 10, ",;"));
  if (rootless)
    {
      const char *run = getenv ("XDG_RUNTIME_DIR");
      return run ? xasprintf ("%s/bus", run) : NULL;
    }
  return xstrdup ("/run/dbus/system_bus_socket");
}

/* Connect and do D-Bus's SASL EXTERNAL handshake: "OK <guid>" means a bus
 * daemon is there and accepts us. */
static int
dbus_answers (const char *path, struct werr *err)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  if (strlen (path) >= sizeof sa.sun_path)
    return werr_set (err, ENAMETOOLONG, "D-Bus socket `%s`", path);
  strcpy (sa.sun_path, path);
  _cleanup_close_ int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return werr_set (err, errno, "socket");
  struct timeval tv = { 1, 0 };
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (connect (fd, (struct sockaddr *) &sa, sizeof sa) < 0)
    return werr_set (err, errno, "connect to D-Bus at `%s`", path);
  char uid[16], hex[40] = "", msg[96];
  snprintf (uid, sizeof uid, "%u", (unsigned) geteuid ());
  for (size_t i = 0; uid[i]; i++)
    snprintf (hex + 2 * i, sizeof hex - 2 * i, "%02x", (unsigned char) uid[i]);
  int len = snprintf (msg, sizeof msg, "%cAUTH EXTERNAL %s\r\n", '\0', hex);
  if (write_all (fd, msg, (size_t) len) < 0)
    return werr_set (err, errno, "write to D-Bus at `%s`", path);
  char reply[128] = "";
  ssize_t r = read (fd, reply, sizeof reply - 1);
  if (r <= 0)
    return werr_set (err, r < 0 ? errno : 0, "no answer from D-Bus at `%s`",
                     path);
  if (strncmp (reply, "OK ", 3) != 0)
    return werr_set (err, 0, "D-Bus at `%s` refused authentication", path);
  return 0;
}

int
cgroup_systemd_create (const struct cgroup_request *req,
                       struct cgroup_mgr **out, struct werr *err)
{
  struct stat st;
  if (stat ("/run/systemd/system", &st) < 0)
    return werr_set (err, 0,
                     "systemd cgroup manager: systemd is not running "
                     "(no /run/systemd/system)");
  _cleanup_free_ char *bus = bus_socket_path (req->rootless);
  if (bus == NULL)
    return werr_set (err, 0,
                     "systemd cgroup manager: no user D-Bus "
                     "(DBUS_SESSION_BUS_ADDRESS and XDG_RUNTIME_DIR "
                     "unset)");
  if (dbus_answers (bus, err) < 0)
    return werr_prefix (err, "systemd cgroup manager");
  const char *p = req->cgroups_path;
  if (p && *p)
    {
      const char *c1 = strchr (p, ':');
      const char *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
      if (c2 == NULL || strchr (c2 + 1, ':'))
        return werr_set (err, 0,
                         "expected cgroupsPath to be of format "
                         "\"slice:prefix:name\" for systemd cgroups, got "
                         "\"%s\" instead",
                         p);
    }
  (void) out;
  return werr_set (err, 0,
                   "systemd cgroup manager: not implemented yet "
                   "(run without --systemd-cgroup)");
}
