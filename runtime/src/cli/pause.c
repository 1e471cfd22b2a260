/* ward pause — freeze every process of a container (its cgroup). */
#include "cli.h"
#include "container_cgroup.h"

int
cmd_pause (struct global_opts *g, int argc, char **argv, struct werr *err)
{
  static const struct cli_usage usage = {
    "pause",
    "ward pause CONTAINER_ID",
    "Suspend every process of the container (the cgroup freezer); "
    "`ward resume` continues them.",
    1,
    "container id",
  };
  return cli_id_command (&usage, g, argc, argv, container_pause, err);
}
