/* ward — reading the egress programs' ring buffer (egress_events.c). */
#ifndef WARD_POLICY_EGRESS_EVENTS_H
#define WARD_POLICY_EGRESS_EVENTS_H

#include <stddef.h>

#include "egress_names.h"

struct egress_events;

typedef void (*egress_event_fn) (void *ctx, const struct egress_event *ev);

/* Map the ring buffer `map_fd` (of `size` bytes); the fd stays the
 * caller's.  NULL with *err on failure. */
struct egress_events *egress_events_open (int map_fd, size_t size,
                                          struct werr *err);
void egress_events_free (struct egress_events *e);
/* Poll it for POLLIN. */
int egress_events_fd (const struct egress_events *e);
/* Every complete record not seen yet, in order. */
void egress_events_drain (struct egress_events *e, egress_event_fn fn,
                          void *ctx);

#endif
