/* ward — masking denied paths, in the container's init after pivot_root.
 *
 * A denied directory gets an empty, read-only tmpfs; anything else an
 * empty, read-only file.  That file comes from a small tmpfs ward mounts
 * nowhere (fsopen/fsmount: a detached mount) and binds over each denied
 * file.  Not /dev/null, as linux.maskedPaths uses: the agent may write to
 * /dev/null, and a Landlock rule follows the inode, so a /dev/null mask
 * would be readable and writable; the private empty file has no rule, and
 * opening it fails with EACCES.  Symlinks are resolved first: the mask
 * lands on the object the path names. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "landlock.h"
#include "ward/cleanup.h"

#define EMPTY_NAME "empty"

static int
empty_file_mount (struct werr *err)
{
  _cleanup_close_ int fs = fsopen ("tmpfs", FSOPEN_CLOEXEC);
  if (fs < 0)
    return werr_set (err, errno, "fsopen tmpfs (masks of denied files)");
  if (fsconfig (fs, FSCONFIG_SET_STRING, "size", "4k", 0) < 0
      || fsconfig (fs, FSCONFIG_SET_STRING, "mode", "0555", 0) < 0
      || fsconfig (fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return werr_set (err, errno, "fsconfig tmpfs (masks of denied files)");
  int mnt = fsmount (fs, FSMOUNT_CLOEXEC,
                     MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
  if (mnt < 0)
    return werr_set (err, errno, "fsmount tmpfs (masks of denied files)");
  int f
      = openat (mnt, EMPTY_NAME, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0000);
  if (f >= 0)
    close (f); /* a file open for writing would keep the mount writable */
  struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
  if (f < 0 || mount_setattr (mnt, "", AT_EMPTY_PATH, &ro, sizeof ro) < 0)
    {
      int e = errno;
      close (mnt);
      return werr_set (err, e, "prepare the empty file for masks");
    }
  return mnt;
}

static int
mask_file (int *src, const char *path, struct werr *err)
{
  if (*src < 0 && (*src = empty_file_mount (err)) < 0)
    return -1;
  _cleanup_close_ int tree
      = open_tree (*src, EMPTY_NAME, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (tree < 0)
    return werr_set (err, errno, "open_tree (mask of `%s`)", path);
  /* The denied file's content is out of reach from here on. */
  if (move_mount (tree, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) < 0)
    return werr_set (err, errno, "mask `%s` (denied)", path);
  return 0;
}

int
policy_mask_denied (char *const *paths, size_t n, struct werr *err)
{
  int src = -1, rc = 0;
  for (size_t i = 0; rc == 0 && i < n; i++)
    {
      _cleanup_free_ char *real = realpath (paths[i], NULL);
      struct stat st;
      if (real == NULL || stat (real, &st) < 0)
        {
          if (errno == ENOENT || errno == ENOTDIR)
            continue; /* nothing there to hide */
          rc = werr_set (err, errno, "mask `%s` (denied)", paths[i]);
          break;
        }
      if (S_ISDIR (st.st_mode))
        {
          /* The denied directory's entries are out of reach from here on. */
          if (mount ("tmpfs", real, "tmpfs",
                     MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                     "size=4k,mode=0555")
              < 0)
            rc = werr_set (err, errno, "mask `%s` (denied)", real);
        }
      else
        rc = mask_file (&src, real, err);
    }
  if (src >= 0)
    close (src);
  return rc;
}
