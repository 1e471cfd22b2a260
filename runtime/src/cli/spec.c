/* ward spec — write a default config.json, like `runc spec`. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "utils.h"
#include "ward/cleanup.h"
#include "ward/oci_output.h"

int
cmd_spec (struct global_opts *g, int argc, char **argv, struct werr *err)
{
  bool rootless = false;
  const char *bundle = ".";
  const struct opt_def defs[] = {
    { "bundle", 'b', OPT_STRING, &bundle, "DIR",
      "directory to write config.json into" },
    { "rootless", 0, OPT_BOOL, &rootless, NULL,
      "a config for a rootless container" },
    { 0 },
  };
  static const struct cli_usage usage = {
    "spec",
    "ward spec [options]",
    "Write a default config.json into the bundle directory.",
    0,
    "",
  };
  int first = cli_begin (&usage, defs, argc, argv, err);
  if (first <= 0)
    return first < 0;
  _cleanup_free_ char *json = NULL;
  size_t len = 0;
  if (oci_spec_default_json (rootless, &json, &len, err) < 0)
    return 1;
  _cleanup_free_ char *path = xasprintf ("%s/config.json", bundle);
  /* Never overwrite a config someone wrote. */
  _cleanup_close_ int fd
      = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      if (errno == EEXIST)
        return werr_set (err, 0, "spec: `%s` already exists; remove it first",
                         path),
               1;
      return werr_set (err, errno, "spec: create `%s`", path), 1;
    }
  if (write_all (fd, json, len) < 0 || write_all (fd, "\n", 1) < 0)
    return werr_set (err, errno, "spec: write `%s`", path), 1;
  return 0;
}
