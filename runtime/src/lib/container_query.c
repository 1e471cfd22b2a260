/* ward — reading containers: `state` and `list`. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../policy/policy.h"
#include "container.h"
#include "state.h"
#include "utils.h"
#include "ward/cleanup.h"
#include "ward/json.h"
#include "ward/oci_output.h"

static char *
owner_name (uid_t uid)
{
  struct passwd *pw = getpwuid (uid);
  return pw ? xstrdup (pw->pw_name) : xasprintf ("#%u", (unsigned) uid);
}

static void
fill_view (struct oci_state_view *v, const struct ward_state *st,
           const char *status, const char *owner)
{
  *v = (struct oci_state_view){
    .oci_version = WARD_OCI_VERSION,
    .id = st->id,
    .status = status,
    .pid = strcmp (status, "stopped") == 0 ? 0 : st->pid,
    .bundle = st->bundle,
    .rootfs = st->rootfs,
    .created = st->created,
    .owner = owner,
    .annotations = &st->annotations,
  };
}

static int
read_one (const char *root, const char *id, struct ward_state **st,
          const char **status, struct werr *err)
{
  _cleanup_close_ int dirfd = -1;
  if (state_open_read (root, id, &dirfd, st, err) < 0)
    return -1;
  *status = state_status (dirfd, *st);
  return 0;
}

int
container_print_state (const char *root, const char *id, struct werr *err)
{
  struct ward_state *st = NULL;
  const char *status;
  if (read_one (root, id, &st, &status, err) < 0)
    return -1;
  policy_state_annotations (&st->annotations, st->cgroup, status);
  _cleanup_free_ char *owner = owner_name (st->owner);
  struct oci_state_view v;
  fill_view (&v, st, status, st->owner == 0 ? "" : owner);
  _cleanup_free_ char *json = NULL;
  size_t len = 0;
  int r = oci_state_json (&v, true, &json, &len, err);
  state_free (st);
  if (r < 0)
    return -1;
  printf ("%s\n", json);
  return 0;
}

static void
list_row_table (const struct ward_state *st, const char *status,
                const char *owner)
{
  printf ("%-12s %-8d %-10s %-40s %-30s %s\n", st->id,
          strcmp (status, "stopped") == 0 ? 0 : (int) st->pid, status,
          st->bundle, st->created, owner);
}

int
container_list (const char *root, const char *format, bool quiet,
                struct werr *err)
{
  bool json = strcmp (format, "json") == 0;
  if (!json && strcmp (format, "table") != 0)
    return werr_set (err, 0,
                     "list: --format: unknown format \"%s\" (table or json)",
                     format);
  DIR *d = opendir (root);
  if (d == NULL && errno != ENOENT)
    return werr_set (err, errno, "open `%s`", root);
  struct jw *w = json ? jw_new (false) : NULL;
  if (w)
    jw_arr_open (w);
  if (!json && !quiet)
    printf ("%-12s %-8s %-10s %-40s %-30s %s\n", "ID", "PID", "STATUS",
            "BUNDLE", "CREATED", "OWNER");
  struct dirent *de;
  while (d && (de = readdir (d)))
    {
      struct ward_state *st = NULL;
      const char *status;
      struct werr ignored;
      if (de->d_name[0] == '.'
          || read_one (root, de->d_name, &st, &status, &ignored) < 0)
        continue;
      _cleanup_free_ char *owner = owner_name (st->owner);
      if (quiet)
        printf ("%s\n", st->id);
      else if (!json)
        list_row_table (st, status, owner);
      else
        {
          jw_obj_open (w);
          jw_kstr (w, "ociVersion", "1.2.0");
          jw_kstr (w, "id", st->id);
          jw_kint (w, "pid", strcmp (status, "stopped") == 0 ? 0 : st->pid);
          jw_kstr (w, "status", status);
          jw_kstr (w, "bundle", st->bundle);
          jw_kstr (w, "rootfs", st->rootfs);
          jw_kstr (w, "created", st->created);
          jw_kstr (w, "owner", owner);
          jw_obj_close (w);
        }
      state_free (st);
    }
  if (d)
    closedir (d);
  if (w)
    {
      jw_arr_close (w);
      _cleanup_free_ char *out = NULL;
      size_t len;
      if (jw_finish (w, &out, &len) < 0)
        return werr_set (err, EINVAL, "list: encode JSON");
      if (!quiet)
        printf ("%s\n", out);
    }
  return 0;
}
