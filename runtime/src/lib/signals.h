/* ward — signal names as `kill` accepts them. */
#ifndef WARD_SIGNALS_H
#define WARD_SIGNALS_H

/* "TERM", "SIGTERM", "sigterm", "15", "RTMIN+3": the number, or -1. */
int signal_parse (const char *s);

#endif
