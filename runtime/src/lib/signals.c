/* ward — signal names as `kill` accepts them (see signals.h). */
#include "signals.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "utils.h"

static const struct
{
  const char *name;
  int num;
} signal_names[] = {
  { "HUP", SIGHUP },       { "INT", SIGINT },       { "QUIT", SIGQUIT },
  { "ILL", SIGILL },       { "TRAP", SIGTRAP },     { "ABRT", SIGABRT },
  { "IOT", SIGIOT },       { "BUS", SIGBUS },       { "FPE", SIGFPE },
  { "KILL", SIGKILL },     { "USR1", SIGUSR1 },     { "SEGV", SIGSEGV },
  { "USR2", SIGUSR2 },     { "PIPE", SIGPIPE },     { "ALRM", SIGALRM },
  { "TERM", SIGTERM },     { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },
  { "CLD", SIGCHLD },      { "CONT", SIGCONT },     { "STOP", SIGSTOP },
  { "TSTP", SIGTSTP },     { "TTIN", SIGTTIN },     { "TTOU", SIGTTOU },
  { "URG", SIGURG },       { "XCPU", SIGXCPU },     { "XFSZ", SIGXFSZ },
  { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },     { "WINCH", SIGWINCH },
  { "IO", SIGIO },         { "POLL", SIGPOLL },     { "PWR", SIGPWR },
  { "SYS", SIGSYS },
};

static int
parse_rt (const char *s)
{
  const char *rest;
  int base;
  if (strncasecmp (s, "RTMIN", 5) == 0)
    rest = s + 5, base = SIGRTMIN;
  else if (strncasecmp (s, "RTMAX", 5) == 0)
    rest = s + 5, base = SIGRTMAX;
  else
    return -1;
  if (*rest == '\0')
    return base;
  int off = parse_uint (rest + 1);
  if (off < 0)
    return -1;
  int sig = *rest == '+' ? base + off : *rest == '-' ? base - off : -1;
  return sig >= SIGRTMIN && sig <= SIGRTMAX ? sig : -1;
}

int
signal_parse (const char *s)
{
  int n = parse_uint (s);
  if (n >= 0)
    return n >= 1 && n < NSIG ? n : -1;
  if (strncasecmp (s, "SIG", 3) == 0)
    s += 3;
  for (size_t i = 0; i < sizeof signal_names / sizeof signal_names[0]; i++)
    if (strcasecmp (s, signal_names[i].name) == 0)
      return signal_names[i].num;
  return parse_rt (s);
}
