/* ward — the parts of the learning mode (`ward sandbox --learn`) that
 * learn filesystem paths:
 *   learn_listen.c  the seccomp-notify listener that records the paths the
 *                   command's file syscalls use (audit actions "open" and
 *                   "exec");
 *   learn_bundle.c  the learning run's bundle: the host's directories in
 *                   view, and the NOTIFY filter in linux.seccomp;
 *   learn_paths.c   recorded paths → the smallest readonlyPaths and
 *                   readwritePaths (pure, unit-tested);
 *   learn.c         the learnt policy as a whole (egress and paths). */
#ifndef WARD_POLICY_LEARN_H
#define WARD_POLICY_LEARN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doc.h"
#include "ward/error.h"

/* How a path was used.  CREATE and REMOVE name the entry made or removed:
 * what they need is the right to change its directory. */
enum learn_use
{
  LEARN_READ,
  LEARN_EXEC,
  LEARN_WRITE,
  LEARN_CREATE,
  LEARN_REMOVE,
};

/* "read", "exec", "write", "create", "remove"; the audit line's detail. */
const char *learn_use_name (enum learn_use u);
/* The inverse; -1 when unknown. */
int learn_use_from_name (const char *s);

struct learn_seen
{
  const char *path; /* absolute, as the sandbox saw it */
  enum learn_use use;
};

struct learn_grant
{
  char *path;
  enum pol_fs_access access; /* POL_FS_RO or POL_FS_RW */
};

struct learn_fs
{
  struct learn_grant *grants; /* sorted by path */
  size_t n;
  char **refused; /* used, but not learnt (denied, a system directory) */
  size_t n_refused;
};

/* Whether `path` exists on the host once the run is over. */
typedef bool (*learn_exists_fn) (const char *path, void *data);

/* At or below a system directory of the sandbox's baseline (read-only
 * under every policy, learning included). */
bool learn_in_system_dir (const char *path);

/* A directory with this many learnt entries right below it (same access)
 * is learnt instead of them. */
#define LEARN_COLLAPSE 4

/* The smallest set of grants that allows `seen` on top of what `p` (the
 * policy in use) and the sandbox's baseline already allow (the rules are in
 * learn_paths.c's header comment). */
void learn_fs_compute (const struct learn_seen *seen, size_t n,
                       const struct agent_policy *p, learn_exists_fn exists,
                       void *data, struct learn_fs *out);
void learn_fs_clear (struct learn_fs *f);

/* ---- the listener (learn_listen.c) ---- */

struct learn_listener;

/* The syscalls the learning filter notifies and the listener decodes
 * (NULL-terminated). */
extern const char *const learn_syscalls[];

/* Listen on the unix socket `sock_path` (the bundle's
 * linux.seccomp.listenerPath) in a child process, which then records every
 * notified path in <state_dir>/audit.jsonl as container `id`, agent
 * `agent`, until the last process of the filter is gone. */
int learn_listener_start (const char *sock_path, const char *state_dir,
                          const char *id, const char *agent,
                          struct learn_listener **out, struct werr *err);
/* Wait (a few seconds at most) for the listener to record what is pending
 * and end; kill it after that, or at once when `drain` is false. */
void learn_listener_stop (struct learn_listener *l, bool drain);

/* ---- the learning run's bundle (learn_bundle.c) ---- */

/* The native architecture (an AUDIT_ARCH_ value, as seccomp_data.arch)
 * and a syscall's number on it, -1 if unknown; the listener's decoding
 * (kept apart: libseccomp's headers define AUDIT_* macros that clash with
 * audit.h). */
uint32_t learn_native_arch (void);
int learn_syscall_nr (const char *name);

/* `view`: `p` with the host's top-level directories added (read-write,
 * /usr read-only) and its read-only paths outside the system directories
 * made read-write, for the binds of the learning run.  A shallow copy:
 * free it with learn_view_clear only. */
void learn_view (const struct agent_policy *p, struct agent_policy *view);
void learn_view_clear (struct agent_policy *view, const struct agent_policy *p);

/* Add to DIR/config.json the filter that notifies `listener_path` of the
 * learn_syscalls. */
int learn_bundle_amend (const char *dir, const char *listener_path,
                        struct werr *err);

#endif
