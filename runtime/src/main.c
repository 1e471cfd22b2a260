/* ward — an OCI container runtime.  Global options, then one command. */
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "git_commit.h"
#include "log.h"
#include "rootless.h"
#include "utils.h"
#include "ward/oci_output.h"

static const struct
{
  const char *name;
  command_fn fn;
  const char *help;
} commands[] = {
  { "create", cmd_create, "create a container" },
  { "start", cmd_start, "start the process of a created container" },
  { "run", cmd_run, "create and start a container" },
  { "exec", cmd_exec, "run a new process in a running container" },
  { "state", cmd_state, "print the state of a container" },
  { "kill", cmd_kill, "send a signal to a container" },
  { "delete", cmd_delete, "delete a container" },
  { "list", cmd_list, "list containers" },
  { "update", cmd_update, "update a container's cgroup limits" },
  { "pause", cmd_pause, "suspend every process of a container" },
  { "resume", cmd_resume, "resume a paused container" },
  { "ps", cmd_ps, "list the processes of a container" },
  { "events", cmd_events, "print a container's resource usage and OOM events" },
  { "spec", cmd_spec, "write a default config.json" },
  { "features", cmd_features, "print the runtime's features (JSON)" },
  { "policy", cmd_policy, "check and explain agent policies" },
  { "sandbox", cmd_sandbox, "run a host command under an agent policy" },
};

static void
print_version (void)
{
  const struct scmp_version *v = seccomp_version ();
  printf ("ward version %s\ncommit: %s\nspec: %s\n", PACKAGE_VERSION,
          WARD_GIT_COMMIT, WARD_OCI_VERSION);
  if (v)
    printf ("libseccomp: %u.%u.%u\n", v->major, v->minor, v->micro);
}

static void
print_usage (const struct opt_def *defs)
{
  printf ("Usage: ward [global options] COMMAND [options] [arguments]\n\n"
          "ward: an OCI container runtime for running AI agents safely.\n\n"
          "Commands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    printf ("  %-10s %s\n", commands[i].name, commands[i].help);
  printf ("\nRun `ward COMMAND --help` for a command's options.\n");
  opts_print_help (NULL, NULL, defs);
}

int
main (int argc, char **argv)
{
  struct global_opts g = { .log_format = "text" };
  bool version = false, help = false;
  struct werr err = { 0 };
  const struct opt_def defs[] = {
    { "root", 0, OPT_STRING, &g.root, "DIR",
      "state directory (default /run/ward; rootless: $XDG_RUNTIME_DIR/ward)" },
    { "log", 'l', OPT_STRING, &g.log, "FILE", "also write messages to FILE" },
    { "log-format", 0, OPT_STRING, &g.log_format, "text|json",
      "format of --log messages" },
    { "debug", 0, OPT_BOOL, &g.debug, NULL, "debug messages" },
    { "systemd-cgroup", 0, OPT_BOOL, &g.systemd_cgroup, NULL,
      "manage cgroups through systemd" },
    { "rootless", 0, OPT_STRING, &g.rootless, "true|false|auto",
      "treat cgroups as rootless (default auto: euid != 0 or in a user "
      "namespace)" },
    { "cgroup-manager", 0, OPT_STRING, &g.cgroup_manager,
      "cgroupfs|systemd|disabled",
      "crun's flag: systemd is --systemd-cgroup, disabled makes no cgroup" },
    { "version", 'v', OPT_BOOL, &version, NULL, "print the version" },
    { 0 },
  };
  int first = opts_parse ("global options", defs, argc, argv, &help, &err);
  if (first >= 0 && strcmp (g.log_format, "text")
      && strcmp (g.log_format, "json"))
    first
        = werr_set (&err, 0, "--log-format: expected text or json, got \"%s\"",
                    g.log_format);
  struct werr log_err = { 0 };
  if (log_init (g.log,
                strcmp (g.log_format, "json") == 0 ? LOG_FORMAT_JSON
                                                   : LOG_FORMAT_TEXT,
                g.debug, &log_err)
          < 0
      && first >= 0)
    first = -1, err = log_err;
  if (first < 0)
    {
      log_error ("%s", err.msg);
      return 1;
    }
  if (version)
    return print_version (), 0;
  if (help || first >= argc)
    {
      print_usage (defs);
      return help ? 0 : 1;
    }
  if (g.cgroup_manager && strcmp (g.cgroup_manager, "cgroupfs")
      && strcmp (g.cgroup_manager, "systemd")
      && strcmp (g.cgroup_manager, "disabled"))
    {
      log_error ("--cgroup-manager: expected cgroupfs, systemd or disabled, "
                 "got \"%s\"",
                 g.cgroup_manager);
      return 1;
    }
  if (g.cgroup_manager && strcmp (g.cgroup_manager, "systemd") == 0)
    g.systemd_cgroup = true;
  if (g.root == NULL)
    g.root = rootless_default_root ();
  const char *cmd = argv[first];
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp (cmd, commands[i].name) == 0)
      {
        int rc = commands[i].fn (&g, argc - first, argv + first, &err);
        if (rc != 0 && err.msg[0])
          log_error ("%s", err.msg);
        return rc;
      }
  log_error ("unknown command \"%s\" (see ward --help)", cmd);
  return 1;
}
