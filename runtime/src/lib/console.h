/* ward — the container's terminal (process.terminal). */
#ifndef WARD_CONSOLE_H
#define WARD_CONSOLE_H

#include <poll.h>
#include <stdbool.h>
#include <sys/types.h>

#include "ward/error.h"
#include "ward/oci_config.h"

/* Inside the container: open a pty in the container's devpts, bind its slave
 * onto /dev/console (the init only, not exec), make it the controlling
 * terminal and stdio.
 * Returns the master fd (for the runtime), or -1 with err set. */
int console_setup_in_container (const struct oci_process *p, bool bind_console,
                                struct werr *err);
/* `run` with a terminal and no --console-socket: ward copies between its
 * own stdio and the pty master while it waits for the container. */
struct console_proxy;
struct console_proxy *console_proxy_new (int master);
/* Fill up to 2 pollfds (our stdin while open, the master); returns count. */
int console_proxy_pollfds (struct console_proxy *cp, struct pollfd *pfds);
/* Copy what poll() said is ready. */
void console_proxy_handle (struct console_proxy *cp, const struct pollfd *pfds,
                           int n);
/* After the container exited: copy what output is left. */
void console_proxy_drain (struct console_proxy *cp);
/* SIGWINCH: give the pty our terminal's size. */
void console_proxy_resize (struct console_proxy *cp);
/* Restore our terminal mode and close the master. */
void console_proxy_free (struct console_proxy *cp);

#endif
