/* ward — the container init: from a fresh set of namespaces to exec. */
#ifndef WARD_INIT_H
#define WARD_INIT_H

#include "context.h"

/* Build the container around this process, report READY (or one error line)
 * on `sock`, wait on the exec fifo for `start`, then exec process.args. */
__attribute__ ((noreturn)) void init_main (const struct ward_ctx *ctx, int sock,
                                           int fifo_fd);

#endif
