/* ward resume — thaw a paused container. */
#include "cli.h"
#include "container_cgroup.h"

int
cmd_resume (struct global_opts *g, int argc, char **argv, struct werr *err)
{
  static const struct cli_usage usage = {
    "resume",
    "ward resume CONTAINER_ID",
    "Resume every process of a paused container.",
    1,
    "container id",
  };
  return cli_id_command (&usage, g, argc, argv, container_resume, err);
}
