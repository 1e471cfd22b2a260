/* ward — identities derived from the agent's name: SELinux MCS categories
 * and the session level's user-namespace id range.
 *
 * h = FNV-1a-64 over the name's bytes (offset basis 0xcbf29ce484222325,
 * prime 0x100000001b3).
 *
 * MCS: k = h mod 523776 (the number of pairs {x, y}, 0 <= x < y <= 1023);
 * the categories are the k-th pair in lexicographic order: (0,1), (0,2), …,
 * (0,1023), (1,2), …  The label level is "s0:cX,cY".  The same name always
 * gets the same pair on every host; two names share a pair with
 * probability 1/523776 per pair of agents (see docs/policy.md).
 *
 * Id range (session): slot = (h >> 32) mod 4096; the agent's uids and gids
 * are 65536 ids from 1048576 + slot × 65536, so ranges never overlap the
 * host's own ids (below 1048576) and stay below 2^31. */
#include <string.h>

#include "plan.h"

#define MCS_CATEGORIES 1024u
#define MCS_PAIRS (MCS_CATEGORIES * (MCS_CATEGORIES - 1) / 2)

static uint64_t
fnv1a64 (const char *s)
{
  uint64_t h = 0xcbf29ce484222325ULL;
  for (const unsigned char *p = (const unsigned char *) s; *p; p++)
    {
      h ^= *p;
      h *= 0x100000001b3ULL;
    }
  return h;
}

void
policy_mcs_derive (const char *agent, unsigned out[2])
{
  uint64_t k = fnv1a64 (agent) % MCS_PAIRS;
  unsigned x = 0;
  /* Pairs starting with x: 1023 - x of them. */
  while (k >= MCS_CATEGORIES - 1 - x)
    {
      k -= MCS_CATEGORIES - 1 - x;
      x++;
    }
  out[0] = x;
  out[1] = x + 1 + (unsigned) k;
}

void
policy_id_range_derive (const char *agent, uint32_t *base, uint32_t *size)
{
  uint64_t slot = (fnv1a64 (agent) >> 32) % 4096;
  *base = (uint32_t) (1048576 + slot * 65536);
  *size = 65536;
}
