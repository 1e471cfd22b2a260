/* ward — a tiny unit-test harness.
 *
 *   static void test_foo (void) { CHECK (1 + 1 == 2); CHECK_STR_EQ (a, b); }
 *   int main (void) { RUN (test_foo); return unit_report (); }
 *
 * A failed CHECK prints file:line and the expression, counts the failure and
 * lets the test go on.  unit_report() prints a summary and returns the exit
 * status: 0 when everything passed, 1 otherwise (77, automake's "skipped",
 * when every test called UNIT_SKIP and none failed).
 */
#ifndef WARD_UNIT_H
#define WARD_UNIT_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int unit_checks, unit_failures, unit_tests, unit_skipped;
static const char *unit_current = "";

static inline bool
unit_check (bool ok, const char *file, int line, const char *expr)
{
  unit_checks++;
  if (!ok)
    {
      unit_failures++;
      fprintf (stderr, "FAIL %s:%d: [%s] %s\n", file, line, unit_current, expr);
    }
  return ok;
}

#define CHECK(expr) unit_check (!!(expr), __FILE__, __LINE__, #expr)

#define CHECK_INT_EQ(a, b)                                                     \
  do                                                                           \
    {                                                                          \
      long long _a = (long long) (a), _b = (long long) (b);                    \
      if (!unit_check (_a == _b, __FILE__, __LINE__, #a " == " #b))            \
        fprintf (stderr, "     got %lld, want %lld\n", _a, _b);                \
    }                                                                          \
  while (0)

#define CHECK_UINT_EQ(a, b)                                                    \
  do                                                                           \
    {                                                                          \
      uint64_t _a = (uint64_t) (a), _b = (uint64_t) (b);                       \
      if (!unit_check (_a == _b, __FILE__, __LINE__, #a " == " #b))            \
        fprintf (stderr, "     got %" PRIu64 ", want %" PRIu64 "\n", _a, _b);  \
    }                                                                          \
  while (0)

#define CHECK_STR_EQ(a, b)                                                     \
  do                                                                           \
    {                                                                          \
      const char *_a = (a), *_b = (b);                                         \
      bool _ok = _a && _b ? strcmp (_a, _b) == 0 : _a == _b;                   \
      if (!unit_check (_ok, __FILE__, __LINE__, #a " == " #b))                 \
        fprintf (stderr, "     got \"%s\", want \"%s\"\n", _a ? _a : "(null)", \
                 _b ? _b : "(null)");                                          \
    }                                                                          \
  while (0)

/* `hay` contains `needle`. */
#define CHECK_STR_HAS(hay, needle)                                             \
  do                                                                           \
    {                                                                          \
      const char *_h = (hay), *_n = (needle);                                  \
      bool _ok = _h && _n && strstr (_h, _n) != NULL;                          \
      if (!unit_check (_ok, __FILE__, __LINE__, #hay " contains " #needle))    \
        fprintf (stderr, "     \"%s\" does not contain \"%s\"\n",              \
                 _h ? _h : "(null)", _n ? _n : "(null)");                      \
    }                                                                          \
  while (0)

/* Run one test function. */
#define RUN(fn)                                                                \
  do                                                                           \
    {                                                                          \
      int _before = unit_failures;                                             \
      unit_current = #fn;                                                      \
      unit_tests++;                                                            \
      fn ();                                                                   \
      fprintf (stderr, "%s %s\n", unit_failures == _before ? "ok  " : "FAIL",  \
               #fn);                                                           \
    }                                                                          \
  while (0)

/* Skip the rest of the current test (call from the test function). */
#define UNIT_SKIP(why)                                                         \
  do                                                                           \
    {                                                                          \
      fprintf (stderr, "skip %s: %s\n", unit_current, why);                    \
      unit_skipped++;                                                          \
      return;                                                                  \
    }                                                                          \
  while (0)

static inline int
unit_report (void)
{
  fprintf (stderr, "%d tests, %d checks, %d failures, %d skipped\n", unit_tests,
           unit_checks, unit_failures, unit_skipped);
  if (unit_failures > 0)
    return 1;
  if (unit_tests > 0 && unit_skipped == unit_tests)
    return 77;
  return 0;
}

#endif
