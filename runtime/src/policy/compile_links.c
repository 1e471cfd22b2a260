/* ward — compile, hard links of denied paths.
 *
 * Landlock and masks work on paths: a second hard link to a denied file,
 * elsewhere in the image, would stay readable under its other name.  Before
 * anything is created, each denied path is looked up in the bundle's rootfs
 * (resolved inside it, symlinks as the container would see them): a
 * regular file with more than one link, or one directly inside a denied
 * directory, is refused (or a weakening under best_effort).  Files deeper
 * in a denied directory and files that come from the bundle's own mounts
 * are not examined (docs/policy.md). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "path_in_root.h"
#include "plan.h"
#include "utils.h"
#include "ward/cleanup.h"

#define SCAN_MAX 4096

static int
linked (struct policy_plan *plan, const struct plan_fs_rule *r,
        const char *name, nlink_t n, struct werr *err)
{
  return plan_need (plan, r->where, err,
                    "\"%s%s%s\" has %lu hard links: its other names would "
                    "stay readable",
                    r->path, name ? "/" : "", name ? name : "",
                    (unsigned long) n);
}

static int
scan_dir (struct policy_plan *plan, const struct plan_fs_rule *r, int dirfd,
          struct werr *err)
{
  int fd = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  if (d == NULL)
    {
      if (fd >= 0)
        close (fd);
      return 0;
    }
  int rc = 0, seen = 0;
  struct dirent *de;
  while (rc == 0 && seen++ < SCAN_MAX && (de = readdir (d)) != NULL)
    {
      struct stat st;
      if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
        continue;
      if (fstatat (dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0
          && S_ISREG (st.st_mode) && st.st_nlink > 1)
        rc = linked (plan, r, de->d_name, st.st_nlink, err);
    }
  closedir (d);
  return rc;
}

int
compile_links (struct policy_plan *plan, const char *rootfs, struct werr *err)
{
  if (rootfs == NULL || plan->n_masks == 0)
    return 0;
  _cleanup_close_ int root = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return 0; /* create reports a missing rootfs itself */
  for (size_t i = 0; i < plan->fs.n_rules; i++)
    {
      const struct plan_fs_rule *r = &plan->fs.rules[i];
      if (r->kind != POL_FS_DENY)
        continue;
      struct werr ignored;
      _cleanup_close_ int fd
          = open_in_root (root, r->path, O_PATH, 0, &ignored);
      struct stat st;
      if (fd < 0 || fstat (fd, &st) < 0)
        continue; /* not in the image (maybe a mount): nothing to check */
      if (S_ISREG (st.st_mode) && st.st_nlink > 1
          && linked (plan, r, NULL, st.st_nlink, err) < 0)
        return -1;
      if (S_ISDIR (st.st_mode) && scan_dir (plan, r, fd, err) < 0)
        return -1;
    }
  return 0;
}
