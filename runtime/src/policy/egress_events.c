/* ward — the egress programs' refusal records, read by the monitor from a
 * BPF ring buffer (BPF_MAP_TYPE_RINGBUF): the consumer position page is
 * mapped read-write, the producer position page and the data area (mapped
 * twice in a row by the kernel, so a record never wraps) read-only. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "egress_events.h"
#include "utils.h"

#define RB_BUSY (1u << 31)
#define RB_DISCARD (1u << 30)
#define RB_HDR 8

struct egress_events
{
  int fd;
  size_t page, size;
  uint64_t *consumer;
  uint8_t *producer; /* page with the producer position, then the data */
};

struct egress_events *
egress_events_open (int map_fd, size_t size, struct werr *err)
{
  struct egress_events *e = xmalloc0 (sizeof *e);
  e->fd = map_fd;
  e->page = (size_t) sysconf (_SC_PAGESIZE);
  e->size = size;
  e->consumer
      = mmap (NULL, e->page, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
  if (e->consumer == MAP_FAILED)
    {
      free (e);
      return werr_set (err, errno, "mmap the BPF ring buffer"), NULL;
    }
  e->producer = mmap (NULL, e->page + 2 * size, PROT_READ, MAP_SHARED, map_fd,
                      (off_t) e->page);
  if (e->producer == MAP_FAILED)
    {
      munmap (e->consumer, e->page);
      free (e);
      return werr_set (err, errno, "mmap the BPF ring buffer"), NULL;
    }
  return e;
}

void
egress_events_free (struct egress_events *e)
{
  if (e == NULL)
    return;
  munmap (e->consumer, e->page);
  munmap (e->producer, e->page + 2 * e->size);
  free (e);
}

int
egress_events_fd (const struct egress_events *e)
{
  return e ? e->fd : -1;
}

void
egress_events_drain (struct egress_events *e, egress_event_fn fn, void *ctx)
{
  if (e == NULL)
    return;
  uint64_t cons = __atomic_load_n (e->consumer, __ATOMIC_ACQUIRE);
  const uint8_t *data = e->producer + e->page;
  for (;;)
    {
      uint64_t prod
          = __atomic_load_n ((uint64_t *) e->producer, __ATOMIC_ACQUIRE);
      if (cons >= prod)
        break;
      const uint32_t *hdr = (const uint32_t *) (data + (cons & (e->size - 1)));
      uint32_t len = __atomic_load_n (hdr, __ATOMIC_ACQUIRE);
      if (len & RB_BUSY)
        break; /* still being written */
      uint32_t body = len & ~(RB_BUSY | RB_DISCARD);
      if (!(len & RB_DISCARD) && body >= sizeof (struct egress_event))
        {
          struct egress_event ev;
          memcpy (&ev, (const uint8_t *) hdr + RB_HDR, sizeof ev);
          fn (ctx, &ev);
        }
      cons += (body + RB_HDR + 7) & ~(uint64_t) 7;
      __atomic_store_n (e->consumer, cons, __ATOMIC_RELEASE);
    }
}
