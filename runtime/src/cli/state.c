/* ward state — print a container's state as runtime-spec JSON. */
#include "cli.h"
#include "container.h"

int
cmd_state (struct global_opts *g, int argc, char **argv, struct werr *err)
{
  static const struct cli_usage usage = {
    "state",
    "ward state CONTAINER_ID",
    "Print the state of a container (runtime-spec JSON).",
    1,
    "container id",
  };
  return cli_id_command (&usage, g, argc, argv, container_print_state, err);
}
