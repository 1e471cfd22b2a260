/* ward — command-line plumbing shared by the commands. */
#ifndef WARD_CLI_H
#define WARD_CLI_H

#include <stdbool.h>

#include "ward/error.h"

struct global_opts
{
  const char *root;
  const char *log;
  const char *log_format;
  bool debug;
  bool systemd_cgroup;
  const char *rootless;       /* "true" | "false" | "auto" (accepted) */
  const char *cgroup_manager; /* crun's: cgroupfs | systemd | disabled */
};

enum opt_kind
{
  OPT_BOOL,
  OPT_STRING,
  OPT_INT,
  OPT_STRING_LIST, /* repeatable */
};

struct opt_def
{
  const char *name; /* long name without dashes */
  char short_name;  /* 0 if none */
  enum opt_kind kind;
  void *target;    /* bool*, const char**, int*, struct str_list* */
  const char *arg; /* argument name in help, e.g. "DIR" */
  const char *help;
};

struct str_list
{
  const char **v;
  int n;
};

/* Parse leading options of argv (argv[0] is the command name); stops at the
 * first argument that is not an option, or after "--".  Returns the index of
 * the first positional argument, or -1 with err naming the flag.  "--help"
 * sets *help. */
int opts_parse (const char *cmd, const struct opt_def *defs, int argc,
                char **argv, bool *help, struct werr *err);
void opts_print_help (const char *usage, const char *what,
                      const struct opt_def *defs);

struct cli_usage
{
  const char *name;     /* "start" */
  const char *usage;    /* "ward start CONTAINER_ID" */
  const char *what;     /* what the command does, for --help */
  int nargs;            /* exact number of arguments, -1: any */
  const char *arg_what; /* named in "missing …" errors */
};

/* The start of every command: parse its flags, print --help, check the
 * number of arguments.  Returns the index of the first argument, 0 when
 * help was printed (exit 0), or -1 with err set (exit 1). */
int cli_begin (const struct cli_usage *u, const struct opt_def *defs, int argc,
               char **argv, struct werr *err);

/* The whole of a command that takes no flags and one container id: runs
 * `action (g->root, id, err)`; returns the exit status. */
typedef int (*id_action_fn) (const char *root, const char *id,
                             struct werr *err);
int cli_id_command (const struct cli_usage *u, struct global_opts *g, int argc,
                    char **argv, id_action_fn action, struct werr *err);

/* Each command: argv[0] is its name.  Returns the process exit status. */
typedef int (*command_fn) (struct global_opts *g, int argc, char **argv,
                           struct werr *err);

int cmd_create (struct global_opts *g, int argc, char **argv, struct werr *err);
int cmd_start (struct global_opts *g, int argc, char **argv, struct werr *err);
int cmd_run (struct global_opts *g, int argc, char **argv, struct werr *err);
int cmd_state (struct global_opts *g, int argc, char **argv, struct werr *err);
int cmd_kill (struct global_opts *g, int argc, char **argv, struct werr *err);
int cmd_delete (struct global_opts *g, int argc, char **argv, struct werr *err);
int cmd_list (struct global_opts *g, int argc, char **argv, struct werr *err);
int cmd_spec (struct global_opts *g, int argc, char **argv, struct werr *err);
int cmd_exec (struct global_opts *g, int argc, char **argv, struct werr *err);
int cmd_features (struct global_opts *g, int argc, char **argv,
                  struct werr *err);
int cmd_update (struct global_opts *g, int argc, char **argv, struct werr *err);
int cmd_pause (struct global_opts *g, int argc, char **argv, struct werr *err);
int cmd_resume (struct global_opts *g, int argc, char **argv, struct werr *err);
int cmd_ps (struct global_opts *g, int argc, char **argv, struct werr *err);
int cmd_events (struct global_opts *g, int argc, char **argv, struct werr *err);
int cmd_policy (struct global_opts *g, int argc, char **argv, struct werr *err);
int cmd_sandbox (struct global_opts *g, int argc, char **argv,
                 struct werr *err);

/* Exactly `want` positional arguments after `first`, else an error naming
 * what is missing or extra.  Returns 0 or -1. */
int args_exact (const char *cmd, int argc, char **argv, int first, int want,
                const char *what, struct werr *err);

#endif
