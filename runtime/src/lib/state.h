/* ward — the container's state directory under --root.
 *
 *   <root>/<id>/state.json   written atomically (temp file + rename)
 *   <root>/<id>/exec.fifo    exists from create until start
 *
 * Commands that change a container take an exclusive flock on the
 * directory, so concurrent commands on one container do not race. */
#ifndef WARD_STATE_H
#define WARD_STATE_H

#include <stdbool.h>
#include <sys/types.h>

#include "cgroup.h"
#include "ward/error.h"
#include "ward/oci_config.h"

#define STATE_FILE "state.json"
#define EXEC_FIFO "exec.fifo"
#define CONFIG_FILE "config.json"

struct ward_state
{
  char *id;
  pid_t pid;
  unsigned long long start_time; /* /proc/<pid>/stat field 22 */
  char *bundle;
  char *rootfs;
  char *created; /* RFC 3339 */
  uid_t owner;
  struct oci_kvv annotations;
  struct cgroup_mgr *cgroup; /* may be NULL */
};

/* Container ids: [A-Za-z0-9][A-Za-z0-9_.+-]*, at most 1024 bytes (runc's). */
int state_check_id (const char *id, struct werr *err);
/* Create <root> (0700) if needed, then <root>/<id>; EEXIST → "already
 * exists".  Returns a directory fd, locked. */
int state_dir_create (const char *root, const char *id, struct werr *err);
/* Open and lock an existing container's directory; ENOENT → "does not
 * exist". */
int state_dir_open (const char *root, const char *id, struct werr *err);
/* state_dir_open() then state_read(): the caller closes *dirfd and frees
 * *st.  On failure nothing is left open. */
int state_open_read (const char *root, const char *id, int *dirfd,
                     struct ward_state **st, struct werr *err);
/* Remove the directory and everything in it. */
int state_dir_remove (const char *root, const char *id, struct werr *err);

/* The container's config.json as it was at create, kept in the state dir so
 * that exec, start (poststart) and delete (poststop) use what the container
 * was created with, whatever happens to the bundle later. */
int state_save_config (int dirfd, const char *data, size_t len,
                       struct werr *err);
int state_load_config (int dirfd, struct oci_config **out, struct werr *err);

int state_write (int dirfd, const struct ward_state *st, struct werr *err);
int state_read (int dirfd, struct ward_state **out, struct werr *err);
void state_free (struct ward_state *st);

/* "created", "running", "paused" or "stopped", from the process, the
 * cgroup freezer and the exec fifo. */
const char *state_status (int dirfd, const struct ward_state *st);
/* Whether st->pid is still the process we started (start time matches). */
bool state_process_alive (const struct ward_state *st);
/* A pidfd for st->pid, only while it is still the process we started
 * (-1 with errno ESRCH otherwise). */
int state_open_pidfd (const struct ward_state *st);
/* /proc/<pid>/stat field 22; 0 if the process is gone. */
unsigned long long proc_start_time (pid_t pid);

#endif
