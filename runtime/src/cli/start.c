/* ward start — run the process of a created container. */
#include "cli.h"
#include "container.h"

int
cmd_start (struct global_opts *g, int argc, char **argv, struct werr *err)
{
  static const struct cli_usage usage = {
    "start",
    "ward start CONTAINER_ID",
    "Run the user process of a created container.",
    1,
    "container id",
  };
  return cli_id_command (&usage, g, argc, argv, container_start, err);
}
