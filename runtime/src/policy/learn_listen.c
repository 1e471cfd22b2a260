/* ward — learning mode: the seccomp-notify listener that records the paths
 * the command's file syscalls use (learn.h).
 *
 * A child of `ward sandbox`, forked before create, listening on the unix
 * socket the bundle names in linux.seccomp.listenerPath: create hands it
 * the init's listener fd there (seccomp_notify.c).  It stays root: reading
 * the arguments out of the container's memory and its /proc entries needs
 * the ptrace access a non-dumpable init only grants to CAP_SYS_PTRACE.
 *
 * For each notification: the path arguments are read from the caller's
 * memory (process_vm_readv), made absolute against its cwd or the dirfd
 * (/proc/PID/cwd, /proc/PID/fd/N), resolved inside the caller's root
 * (openat2 RESOLVE_IN_ROOT through /proc/PID/root; for an entry that does
 * not exist yet, its directory), classified (learn_use), and appended once
 * per (use, path) to the container's audit stream as action "open" or
 * "exec", verdict allowed-audit.  The notification id is checked after all
 * of that: a target that died meanwhile (its pid maybe reused) leaves no
 * line.  /proc, /sys and /dev are not recorded; nor are 32-bit and x32
 * callers (their syscall numbers differ; they are let through), O_PATH
 * opens (Landlock does not check them), a create of what exists or a
 * remove of what does not (both fail before Landlock is asked).
 *
 * Every notification is answered SECCOMP_USER_NOTIF_FLAG_CONTINUE: the
 * kernel then runs the syscall as it would have without the filter.  That
 * is only acceptable because nothing here decides anything: the arguments
 * read are a copy the caller can change before the kernel uses them, so
 * CONTINUE must never carry a security decision; learning only observes.
 *
 * It ends when the filter has no process left (POLLHUP on the fd). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "fdpass.h"
#include "learn.h"
#include "mounts.h"
#include "utils.h"
#include "ward/cleanup.h"

#define SEEN_BUCKETS (1u << 16)
#define SEEN_MAX (SEEN_BUCKETS / 2)
#define STOP_WAIT_MS 5000

struct learn_listener
{
  pid_t pid;
};

/* ---- the syscalls ------------------------------------------------------- */

enum kind
{
  K_PATHS,  /* the operands' uses are fixed */
  K_OPEN,   /* open/openat: flags in an argument */
  K_OPEN2,  /* openat2: flags in struct open_how */
  K_CREAT,  /* creat: O_CREAT | O_WRONLY | O_TRUNC */
  K_EXECAT, /* execveat: AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW */
};

struct operand
{
  int8_t dirfd; /* argument index, or -1: AT_FDCWD */
  int8_t path;  /* argument index, or -1: no operand */
  enum learn_use use;
  bool follow; /* a final symlink is followed */
};

struct fsys
{
  const char *name;
  enum kind kind;
  int8_t flags; /* argument index of the flags, or -1 */
  struct operand op[2];
};

#define OP(d, p, u, f)                                                         \
  {                                                                            \
    (d), (p), (u), (f)                                                         \
  }
#define NONE OP (-1, -1, LEARN_READ, false)

static const struct fsys fsys[] = {
  { "open", K_OPEN, 1, { OP (-1, 0, LEARN_READ, true), NONE } },
  { "openat", K_OPEN, 2, { OP (0, 1, LEARN_READ, true), NONE } },
  { "openat2", K_OPEN2, 2, { OP (0, 1, LEARN_READ, true), NONE } },
  { "creat", K_CREAT, -1, { OP (-1, 0, LEARN_WRITE, true), NONE } },
  { "execve", K_PATHS, -1, { OP (-1, 0, LEARN_EXEC, true), NONE } },
  { "execveat", K_EXECAT, 4, { OP (0, 1, LEARN_EXEC, true), NONE } },
  { "mkdir", K_PATHS, -1, { OP (-1, 0, LEARN_CREATE, false), NONE } },
  { "mkdirat", K_PATHS, -1, { OP (0, 1, LEARN_CREATE, false), NONE } },
  { "mknod", K_PATHS, -1, { OP (-1, 0, LEARN_CREATE, false), NONE } },
  { "mknodat", K_PATHS, -1, { OP (0, 1, LEARN_CREATE, false), NONE } },
  { "unlink", K_PATHS, -1, { OP (-1, 0, LEARN_REMOVE, false), NONE } },
  { "unlinkat", K_PATHS, -1, { OP (0, 1, LEARN_REMOVE, false), NONE } },
  { "rmdir", K_PATHS, -1, { OP (-1, 0, LEARN_REMOVE, false), NONE } },
  { "rename",
    K_PATHS,
    -1,
    { OP (-1, 0, LEARN_REMOVE, false), OP (-1, 1, LEARN_CREATE, false) } },
  { "renameat",
    K_PATHS,
    -1,
    { OP (0, 1, LEARN_REMOVE, false), OP (2, 3, LEARN_CREATE, false) } },
  { "renameat2",
    K_PATHS,
    -1,
    { OP (0, 1, LEARN_REMOVE, false), OP (2, 3, LEARN_CREATE, false) } },
  { "link", K_PATHS, -1, { OP (-1, 1, LEARN_CREATE, false), NONE } },
  { "linkat", K_PATHS, -1, { OP (2, 3, LEARN_CREATE, false), NONE } },
  { "symlink", K_PATHS, -1, { OP (-1, 1, LEARN_CREATE, false), NONE } },
  { "symlinkat", K_PATHS, -1, { OP (1, 2, LEARN_CREATE, false), NONE } },
  { "truncate", K_PATHS, -1, { OP (-1, 0, LEARN_WRITE, true), NONE } },
};

/* What the learning filter notifies (learn_bundle.c): fsys's names. */
const char *const learn_syscalls[] = {
  "open",    "openat",    "openat2",  "creat",     "execve", "execveat",
  "mkdir",   "mkdirat",   "mknod",    "mknodat",   "unlink", "unlinkat",
  "rmdir",   "rename",    "renameat", "renameat2", "link",   "linkat",
  "symlink", "symlinkat", "truncate", NULL,
};
_Static_assert(ARRAY_SIZE (learn_syscalls) == ARRAY_SIZE (fsys) + 1,
               "learn_syscalls and fsys name the same syscalls");

struct listen
{
  int notify_fd, audit_fd;
  const char *id, *agent;
  uint32_t arch;
  int nr[ARRAY_SIZE (fsys)];
  char **seen; /* a set of "use:path", open addressing */
  size_t n_seen;
};

/* ---- reading the caller ------------------------------------------------- */

/* A NUL-terminated string at `addr` in pid's memory, read page by page so
 * that an unmapped page after a short string does not fail the read. */
static int
read_string (pid_t pid, uint64_t addr, char *buf, size_t size)
{
  size_t got = 0;
  while (got < size - 1)
    {
      size_t page = 4096 - ((addr + got) & 4095);
      size_t want = page < size - 1 - got ? page : size - 1 - got;
      struct iovec local = { buf + got, want };
      struct iovec remote = { (void *) (uintptr_t) (addr + got), want };
      ssize_t n = process_vm_readv (pid, &local, 1, &remote, 1, 0);
      if (n <= 0)
        return -1;
      if (memchr (buf + got, '\0', (size_t) n))
        return 0;
      got += (size_t) n;
    }
  return -1; /* longer than PATH_MAX: no such path */
}

static int
read_open_how (pid_t pid, uint64_t addr, uint64_t *flags)
{
  struct iovec local = { flags, sizeof *flags };
  struct iovec remote = { (void *) (uintptr_t) addr, sizeof *flags };
  return process_vm_readv (pid, &local, 1, &remote, 1, 0) == sizeof *flags ? 0
                                                                           : -1;
}

static char *
read_link (const char *link)
{
  char buf[PATH_MAX];
  ssize_t n = readlink (link, buf, sizeof buf - 1);
  if (n <= 0)
    return NULL;
  buf[n] = '\0';
  return xstrdup (buf);
}

/* `path` made absolute against the caller's cwd or dirfd; NULL when the
 * base is no path (a pipe, an anonymous inode). */
static char *
absolute (pid_t pid, int dirfd, const char *path)
{
  if (path[0] == '/')
    return xstrdup (path);
  char link[64];
  if (dirfd == AT_FDCWD)
    snprintf (link, sizeof link, "/proc/%d/cwd", pid);
  else
    snprintf (link, sizeof link, "/proc/%d/fd/%d", pid, dirfd);
  _cleanup_free_ char *base = read_link (link);
  if (base == NULL || base[0] != '/')
    return NULL;
  if (path[0] == '\0')
    return take_ptr (&base);
  return xasprintf ("%s%s%s", base, strcmp (base, "/") ? "/" : "", path);
}

static int
open_in_root (int rootfd, const char *abs, uint64_t flags)
{
  const char *rel = abs + strspn (abs, "/");
  struct open_how how = { .flags = flags | O_PATH | O_CLOEXEC,
                          .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
  return (int) syscall (SYS_openat2, rootfd, *rel ? rel : ".", &how,
                        sizeof how);
}

/* Where the absolute `path` leads inside the caller's root (cleaned
 * lexically, then symlinks resolved): readlink of an fd opened through
 * /proc/PID/root gives the path as the container sees it.  For an entry
 * that does not exist (*exists false): its resolved directory and its
 * name. */
static char *
canonical (pid_t pid, const char *path, bool follow, bool *exists)
{
  *exists = false;
  _cleanup_free_ char *abs = path_clean (path);
  char root[64];
  snprintf (root, sizeof root, "/proc/%d/root", pid);
  _cleanup_close_ int rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return xstrdup (abs);
  char self[64];
  _cleanup_close_ int fd = open_in_root (rootfd, abs, follow ? 0 : O_NOFOLLOW);
  if (fd >= 0)
    {
      *exists = true;
      snprintf (self, sizeof self, "/proc/self/fd/%d", fd);
      char *p = read_link (self);
      return p && p[0] == '/' ? p : (free (p), xstrdup (abs));
    }
  char *slash = strrchr (abs, '/');
  if (slash == abs)
    return xstrdup (abs);
  *slash = '\0';
  _cleanup_close_ int dfd = open_in_root (rootfd, abs, O_DIRECTORY);
  *slash = '/';
  if (dfd < 0)
    return xstrdup (abs);
  snprintf (self, sizeof self, "/proc/self/fd/%d", dfd);
  _cleanup_free_ char *dir = read_link (self);
  if (dir == NULL || dir[0] != '/')
    return xstrdup (abs);
  return xasprintf ("%s%s", strcmp (dir, "/") ? dir : "", slash);
}

/* ---- classifying --------------------------------------------------------- */

/* What an open with `flags` of a path that does (not) exist asks for; -1:
 * nothing Landlock checks (O_PATH). */
static int
open_use (uint64_t flags, bool exists)
{
  if (flags & O_PATH)
    return -1;
  if ((flags & O_TMPFILE) == O_TMPFILE)
    return LEARN_WRITE; /* an unnamed file in that directory */
  if ((flags & O_CREAT) && !exists)
    return LEARN_CREATE;
  if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC))
    return LEARN_WRITE;
  return LEARN_READ;
}

static bool
open_follows (uint64_t flags)
{
  return !(flags & O_NOFOLLOW) && !((flags & O_CREAT) && (flags & O_EXCL));
}

/* ---- recording ----------------------------------------------------------- */

static uint64_t
fnv1a (const char *s)
{
  uint64_t h = 0xcbf29ce484222325ULL;
  for (; *s; s++)
    h = (h ^ (uint8_t) *s) * 0x100000001b3ULL;
  return h;
}

/* Add "use:path" to the set; false when it was there (or the set is
 * full: a run that uses that many paths is recorded in part). */
static bool
seen_add (struct listen *L, enum learn_use use, const char *path)
{
  _cleanup_free_ char *key = xasprintf ("%d:%s", (int) use, path);
  if (L->seen == NULL)
    {
      L->seen = calloc (SEEN_BUCKETS, sizeof *L->seen);
      if (L->seen == NULL)
        return false;
    }
  size_t i = fnv1a (key) & (SEEN_BUCKETS - 1);
  for (; L->seen[i]; i = (i + 1) & (SEEN_BUCKETS - 1))
    if (strcmp (L->seen[i], key) == 0)
      return false;
  if (L->n_seen >= SEEN_MAX)
    return false;
  L->seen[i] = take_ptr (&key);
  L->n_seen++;
  return true;
}

static bool
pseudo (const char *path)
{
  return pol_path_under (path, "/proc") || pol_path_under (path, "/sys")
         || pol_path_under (path, "/dev");
}

struct pending
{
  char *path;
  enum learn_use use;
};

static void
emit (struct listen *L, const struct fsys *f, const struct pending *p)
{
  if (pseudo (p->path) || !seen_add (L, p->use, p->path))
    return;
  struct audit_event ev
      = { .container_id = L->id,
          .agent = L->agent,
          .action = p->use == LEARN_EXEC ? AUDIT_EXEC : AUDIT_OPEN,
          .verdict = AUDIT_ALLOWED_AUDIT,
          .path = p->path,
          .syscall = f->name,
          .detail = learn_use_name (p->use) };
  size_t len = 0;
  _cleanup_free_ char *line = audit_format (&ev, 0, &len);
  /* Unlike audit_event(), no rate limit: each (use, path) is written once,
   * and a learning run needs every one of them. */
  if (line && L->audit_fd >= 0)
    write_all (L->audit_fd, line, len);
}

/* One operand: read, made absolute, resolved, classified. */
static int
operand (const struct seccomp_notif *req, const struct fsys *f,
         const struct operand *o, struct pending *out)
{
  pid_t pid = (pid_t) req->pid;
  char path[PATH_MAX];
  if (read_string (pid, req->data.args[o->path], path, sizeof path) < 0)
    return -1;
  uint64_t flags = 0;
  if (f->kind == K_OPEN || f->kind == K_EXECAT)
    flags = req->data.args[f->flags];
  else if (f->kind == K_OPEN2
           && read_open_how (pid, req->data.args[f->flags], &flags) < 0)
    return -1;
  else if (f->kind == K_CREAT)
    flags = O_CREAT | O_WRONLY | O_TRUNC;
  if (path[0] == '\0' && !(f->kind == K_EXECAT && (flags & AT_EMPTY_PATH)))
    return -1;
  int dirfd = o->dirfd < 0 ? AT_FDCWD : (int) req->data.args[o->dirfd];
  _cleanup_free_ char *abs = absolute (pid, dirfd, path);
  if (abs == NULL)
    return -1;
  bool follow = o->follow;
  if (f->kind == K_OPEN || f->kind == K_OPEN2 || f->kind == K_CREAT)
    follow = open_follows (flags);
  else if (f->kind == K_EXECAT)
    follow = !(flags & AT_SYMLINK_NOFOLLOW);
  bool exists;
  out->path = canonical (pid, abs, follow, &exists);
  int use = o->use;
  if (f->kind == K_OPEN || f->kind == K_OPEN2 || f->kind == K_CREAT)
    use = open_use (flags, exists);
  /* Removing what is not there, or making what is (mkdir -p), fails
   * before Landlock is asked: nothing to learn.  A rename replaces. */
  else if ((use == LEARN_REMOVE && !exists)
           || (use == LEARN_CREATE && exists
               && strncmp (f->name, "rename", 6) != 0))
    use = -1;
  if (use < 0)
    {
      free (out->path);
      return -1;
    }
  out->use = (enum learn_use) use;
  return 0;
}

static void
record (struct listen *L, const struct seccomp_notif *req)
{
  if (req->data.arch != L->arch)
    return;
  const struct fsys *f = NULL;
  for (size_t i = 0; i < ARRAY_SIZE (fsys) && f == NULL; i++)
    if (L->nr[i] >= 0 && L->nr[i] == req->data.nr)
      f = &fsys[i];
  if (f == NULL)
    return;
  struct pending p[2];
  size_t n = 0;
  for (size_t i = 0; i < 2; i++)
    if (f->op[i].path >= 0 && operand (req, f, &f->op[i], &p[n]) == 0)
      n++;
  /* All of the above read the caller's memory and /proc entries by pid:
   * only if the notification is still pending was that pid the caller. */
  bool valid
      = ioctl (L->notify_fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id) == 0;
  for (size_t i = 0; i < n; i++)
    {
      if (valid)
        emit (L, f, &p[i]);
      free (p[i].path);
    }
}

static void
answer (struct listen *L, const struct seccomp_notif *req)
{
  /* CONTINUE: the kernel carries the syscall out as if unfiltered.  Safe
   * here only because learning decides nothing (see the header). */
  struct seccomp_notif_resp resp
      = { .id = req->id, .flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE };
  while (ioctl (L->notify_fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0
         && errno == EINTR)
    ;
}

static void
serve (struct listen *L)
{
  for (;;)
    {
      struct pollfd pfd = { .fd = L->notify_fd, .events = POLLIN };
      if (poll (&pfd, 1, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return;
        }
      if (!(pfd.revents & POLLIN))
        return; /* POLLHUP: the filter has no process left */
      struct seccomp_notif req;
      memset (&req, 0, sizeof req);
      if (ioctl (L->notify_fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
        {
          if (errno == EINTR || errno == ENOENT)
            continue;
          return;
        }
      record (L, &req);
      answer (L, &req);
    }
}

/* The listener fd, from the one connection create makes. */
static int
receive_fd (int sock)
{
  _cleanup_close_ int c = accept4 (sock, NULL, NULL, SOCK_CLOEXEC);
  if (c < 0)
    return -1;
  char buf[8192];
  int fd;
  if (fdpass_recv (c, buf, sizeof buf, &fd) <= 0 && fd >= 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

static __attribute__ ((noreturn)) void
listener_main (int sock, const char *state_dir, const char *id,
               const char *agent)
{
  struct listen L = { .id = id, .agent = agent, .audit_fd = -1 };
  prctl (PR_SET_NAME, "ward-learn", 0, 0, 0);
  L.notify_fd = receive_fd (sock);
  close (sock);
  if (L.notify_fd < 0)
    _exit (1);
  _cleanup_free_ char *path = xasprintf ("%s/%s", state_dir, AUDIT_FILE);
  /* As audit_open(): appended whole lines, whoever else writes. */
  L.audit_fd = open (
      path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  L.arch = learn_native_arch ();
  for (size_t i = 0; i < ARRAY_SIZE (fsys); i++)
    L.nr[i] = learn_syscall_nr (fsys[i].name);
  /* Even without an audit file every notification is answered: the
   * container must not hang on a listener that cannot write. */
  serve (&L);
  _exit (0);
}

int
learn_listener_start (const char *sock_path, const char *state_dir,
                      const char *id, const char *agent,
                      struct learn_listener **out, struct werr *err)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  if (strlen (sock_path) >= sizeof sa.sun_path)
    return werr_set (err, ENAMETOOLONG, "learn: socket `%s`", sock_path);
  strcpy (sa.sun_path, sock_path);
  _cleanup_close_ int sock = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    return werr_set (err, errno, "learn: socket");
  if (bind (sock, (struct sockaddr *) &sa, sizeof sa) < 0)
    return werr_set (err, errno, "learn: bind `%s`", sock_path);
  /* Only root (ward itself) hands a listener fd in. */
  if (chmod (sock_path, 0600) < 0 || listen (sock, 1) < 0)
    return werr_set (err, errno, "learn: listen on `%s`", sock_path);
  pid_t parent = getpid ();
  pid_t pid = fork ();
  if (pid < 0)
    return werr_set (err, errno, "learn: fork");
  if (pid == 0)
    {
      prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
      if (getppid () != parent)
        _exit (1);
      /* Hold nothing of ward's (a pipe on its stdout would not see EOF):
       * the socket at fd 3, /dev/null for stdio. */
      if (dup3 (sock, 3, O_CLOEXEC) < 0 && sock != 3)
        _exit (1);
      syscall (SYS_close_range, 4U, ~0U, 0U);
      int null = open ("/dev/null", O_RDWR | O_CLOEXEC);
      for (int i = 0; i < 3 && null >= 0; i++)
        dup2 (null, i);
      listener_main (3, state_dir, id, agent);
    }
  *out = calloc (1, sizeof **out);
  if (*out == NULL)
    abort ();
  (*out)->pid = pid;
  return 0;
}

void
learn_listener_stop (struct learn_listener *l, bool drain)
{
  if (l == NULL)
    return;
  int status;
  for (int waited = 0; drain && waited < STOP_WAIT_MS; waited += 10)
    {
      pid_t r = waitpid (l->pid, &status, WNOHANG);
      if (r == l->pid || (r < 0 && errno != EINTR))
        {
          free (l);
          return;
        }
      struct timespec ts = { 0, 10 * 1000 * 1000 };
      nanosleep (&ts, NULL);
    }
  kill (l->pid, SIGKILL);
  while (waitpid (l->pid, &status, 0) < 0 && errno == EINTR)
    ;
  free (l);
}
