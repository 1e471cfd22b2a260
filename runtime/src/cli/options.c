/* ward — option parsing with runc's conventions: --name value, --name=value,
 * -n value, single-dash long names, booleans with an optional =true|false. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "utils.h"

static const struct opt_def *
find_long (const struct opt_def *defs, const char *name, size_t len)
{
  for (; defs->name; defs++)
    if (strlen (defs->name) == len && strncmp (defs->name, name, len) == 0)
      return defs;
  return NULL;
}

static const struct opt_def *
find_short (const struct opt_def *defs, char c)
{
  for (; defs->name; defs++)
    if (defs->short_name && defs->short_name == c)
      return defs;
  return NULL;
}

static int
set_value (const char *cmd, const struct opt_def *d, const char *value,
           struct werr *err)
{
  switch (d->kind)
    {
    case OPT_BOOL:
      if (value == NULL || strcmp (value, "true") == 0)
        *(bool *) d->target = true;
      else if (strcmp (value, "false") == 0)
        *(bool *) d->target = false;
      else
        return werr_set (err, 0, "%s: --%s: expected true or false, got \"%s\"",
                         cmd, d->name, value);
      return 0;
    case OPT_STRING:
      *(const char **) d->target = value;
      return 0;
    case OPT_INT:
      {
        int v = parse_uint (value);
        if (v < 0)
          return werr_set (
              err, 0, "%s: --%s: expected a non-negative number, got \"%s\"",
              cmd, d->name, value);
        *(int *) d->target = v;
        return 0;
      }
    case OPT_STRING_LIST:
      {
        struct str_list *l = d->target;
        l->v = realloc (l->v, sizeof *l->v * (size_t) (l->n + 1));
        if (l->v == NULL)
          abort ();
        l->v[l->n++] = value;
        return 0;
      }
    }
  return 0;
}

int
opts_parse (const char *cmd, const struct opt_def *defs, int argc, char **argv,
            bool *help, struct werr *err)
{
  int i = 1;
  *help = false;
  while (i < argc)
    {
      const char *a = argv[i];
      if (strcmp (a, "--") == 0)
        return i + 1;
      if (a[0] != '-' || a[1] == '\0')
        return i;
      if (strcmp (a, "--help") == 0 || strcmp (a, "-h") == 0)
        {
          *help = true;
          return i + 1;
        }
      const char *name = a + (a[1] == '-' ? 2 : 1);
      const char *eq = strchr (name, '=');
      size_t len = eq ? (size_t) (eq - name) : strlen (name);
      const struct opt_def *d = find_long (defs, name, len);
      if (d == NULL && a[1] != '-' && len == 1)
        d = find_short (defs, name[0]);
      if (d == NULL)
        return werr_set (err, 0, "%s: unknown flag %.*s", cmd,
                         (int) (len + (size_t) (name - a)), a);
      const char *value = eq ? eq + 1 : NULL;
      if (value == NULL && d->kind != OPT_BOOL)
        {
          if (i + 1 >= argc)
            return werr_set (err, 0, "%s: flag --%s needs an argument", cmd,
                             d->name);
          value = argv[++i];
        }
      if (set_value (cmd, d, value, err) < 0)
        return -1;
      i++;
    }
  return i;
}

void
opts_print_help (const char *usage, const char *what,
                 const struct opt_def *defs)
{
  if (usage)
    printf ("Usage: %s\n\n%s\n", usage, what);
  if (defs && defs->name)
    printf ("\nOptions:\n");
  for (; defs && defs->name; defs++)
    {
      char left[64];
      if (defs->short_name)
        snprintf (left, sizeof left, "-%c, --%s%s%s", defs->short_name,
                  defs->name, defs->arg ? " " : "", defs->arg ? defs->arg : "");
      else
        snprintf (left, sizeof left, "    --%s%s%s", defs->name,
                  defs->arg ? " " : "", defs->arg ? defs->arg : "");
      printf ("  %-32s %s\n", left, defs->help);
    }
}

int
args_exact (const char *cmd, int argc, char **argv, int first, int want,
            const char *what, struct werr *err)
{
  int have = argc - first;
  if (have < want)
    return werr_set (err, 0, "%s: missing %s", cmd, what);
  if (have > want)
    return werr_set (err, 0, "%s: unexpected argument \"%s\"", cmd,
                     argv[first + want]);
  return 0;
}

int
cli_begin (const struct cli_usage *u, const struct opt_def *defs, int argc,
           char **argv, struct werr *err)
{
  bool help;
  int first = opts_parse (u->name, defs, argc, argv, &help, err);
  if (first < 0)
    return -1;
  if (help)
    {
      opts_print_help (u->usage, u->what, defs);
      return 0;
    }
  if (u->nargs >= 0
      && args_exact (u->name, argc, argv, first, u->nargs, u->arg_what, err)
             < 0)
    return -1;
  return first;
}

int
cli_id_command (const struct cli_usage *u, struct global_opts *g, int argc,
                char **argv, id_action_fn action, struct werr *err)
{
  const struct opt_def defs[] = { { 0 } };
  int first = cli_begin (u, defs, argc, argv, err);
  if (first <= 0)
    return first < 0;
  return action (g->root, argv[first], err) < 0 ? 1 : 0;
}
