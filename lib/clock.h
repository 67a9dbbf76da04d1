/*
 * clock.h - reading the clocks, and RFC 3339 time stamps.
 *
 * vmstorm records every event on two clocks: the wall clock (CLOCK_REALTIME,
 * comparable with the Kubernetes API's time stamps) and the monotonic clock
 * (CLOCK_MONOTONIC, for durations that NTP steps cannot disturb). Times are
 * int64_t nanoseconds; a Unix-ns value covers 1677-09-21..2262-04-11.
 *
 * The RFC 3339 functions are pure: they use neither the TZ environment nor
 * timegm/mktime, and work for instants before 1970. Nothing here allocates.
 */
#ifndef VS_CLOCK_H
#define VS_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* One instant read on both clocks. */
struct vs_time {
    int64_t wall_ns; /* CLOCK_REALTIME, ns since the Unix epoch */
    int64_t mono_ns; /* CLOCK_MONOTONIC, ns since an unspecified start */
};

/* CLOCK_REALTIME in ns since 1970-01-01T00:00:00Z. */
int64_t clock_wall_ns(void);

/* CLOCK_MONOTONIC in ns; never decreases. */
int64_t clock_mono_ns(void);

/* Read both clocks back to back (monotonic first, then wall) into t. */
void clock_now(struct vs_time *t);

/* Resolution of CLOCK_MONOTONIC in ns (clock_getres), at least 1. */
int64_t clock_resolution_ns(void);

/*
 * Parse an RFC 3339 date-time, as Kubernetes writes metav1.Time
 * ("2006-01-02T15:04:05Z") and metav1.MicroTime
 * ("2006-01-02T15:04:05.000000Z" or with "+hh:mm"/"-hh:mm"), into ns since
 * the Unix epoch.
 *
 * Accepted: "YYYY-MM-DD", then 'T', 't' or one space, "hh:mm:ss", an optional
 * '.' with one or more digits, then 'Z', 'z' or "+hh:mm"/"-hh:mm"; nothing
 * may follow. Digits beyond the ninth fractional digit are accepted and
 * truncated (the value is rounded toward the earlier instant, not to nearest).
 * Second 60 (a leap second) is accepted and becomes the first instant of the
 * next minute; "23:59:60Z" is the next day's "00:00:00Z". Day ranges follow
 * the Gregorian calendar, including leap years. The offset may be -00:00.
 *
 * Reads exactly `len` bytes of s, which need not be NUL-terminated.
 * On success stores the instant in *unix_ns and returns 0. On failure leaves
 * *unix_ns alone, returns -1 and fills err (if not NULL): `where` empty, line
 * 0 (the caller knows its own line), col the 1-based column of the offending
 * byte (len + 1 when the text ended too early; 1 when the whole instant is
 * outside the int64 range), and a message quoting the input (shortened when
 * long, other than printable ASCII shown as '?'), e.g.
 * "expected ':' after hour in time '2006-01-02T15-04:05Z'".
 */
int rfc3339_parse(const char *s, size_t len, int64_t *unix_ns, struct vs_error *err);

/*
 * Format unix_ns as UTC "YYYY-MM-DDThh:mm:ss[.f...]Z" with frac_digits
 * fractional digits (clamped to 0..9; 0 writes no '.'). Extra precision is
 * truncated toward the earlier instant, so -1 ns with 0 digits is
 * "1969-12-31T23:59:59Z". Writes at most n bytes including the NUL (buf may
 * be NULL when n is 0) and returns the length the full text needs, without
 * the NUL, as snprintf does: the output was truncated when the result >= n.
 * At most 31 bytes are ever needed ("2006-01-02T15:04:05.123456789Z" + NUL).
 */
size_t rfc3339_format(int64_t unix_ns, int frac_digits, char *buf, size_t n);

/* A buffer size always large enough for rfc3339_format. */
#define RFC3339_BUFSZ 32

#endif
