/* ward — `ward sandbox`: a host command under a policy, through the same
 * create/start path as a bundle (sandbox_bundle.c writes the bundle). */
#ifndef WARD_POLICY_SANDBOX_H
#define WARD_POLICY_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

#include "doc.h"

struct sandbox_request
{
  const struct agent_policy *policy; /* merged, for the paths to bind */
  const char *policy_file;           /* absolute, or NULL */
  const char *profile;               /* or NULL */
  const char *agent;                 /* or NULL */
  char **argv;                       /* the command */
  size_t argc;
  char **env;
  size_t n_env;
  const char *cwd; /* inside the sandbox */
  bool terminal;
};

/* Write DIR/config.json and DIR/rootfs for the request. */
int sandbox_write_bundle (const struct sandbox_request *r, const char *dir,
                          struct werr *err);

#endif
