/*
 * stats.h - descriptive statistics of a set of samples, with censoring.
 *
 * A `struct stats` collects durations (any finite doubles) for one milestone,
 * e.g. "seconds from create to Running", plus a count of censored samples:
 * VMs that never reached the milestone before the run ended. Censored
 * samples are counted apart and never enter min, max, mean, stddev or the
 * percentiles, so a report can say "p99 of the 950 that booted; 50 did not".
 *
 * Percentiles use linear interpolation between closest ranks, the method of
 * numpy's default (method='linear'), R's type 7 and Excel's PERCENTILE.INC:
 * with the n values sorted as x[0..n-1], h = (n-1)*p/100, lo = floor(h), and
 * the p-th percentile is x[lo] + (h-lo)*(x[lo+1]-x[lo]). So p=0 is the
 * minimum, p=100 the maximum, and p=50 the usual median.
 *
 * The standard deviation is the SAMPLE standard deviation (n-1 denominator;
 * 0 for a single value), computed in two passes (mean first, then squared
 * deviations from it) for accuracy. Sums of values near DBL_MAX overflow to
 * inf; durations never come close.
 *
 * The caller owns a struct stats from stats_new until stats_free; it owns its
 * sample array. Not thread-safe.
 */
#ifndef VS_STATS_H
#define VS_STATS_H

#include <stddef.h>

struct stats; /* a growable set of samples plus a censored count */

/* A new empty set, or NULL when out of memory. */
struct stats *stats_new(void);

/* Free s and its samples. Accepts NULL. */
void stats_free(struct stats *s);

/*
 * Add one sample. Returns 0, or -1 with errno set to EINVAL when x is NaN or
 * infinite (or s is NULL), or ENOMEM when the array cannot grow; the set is
 * unchanged on failure.
 */
int stats_add(struct stats *s, double x);

/* Count one sample that never reached its milestone (it has no value). */
void stats_add_censored(struct stats *s);

struct stats_summary {
    size_t count;    /* ok + censored */
    size_t ok;       /* samples with a value */
    size_t censored; /* samples without one */
    /* Over the ok samples only; all NAN when ok == 0. */
    double min, max, mean;
    double stddev; /* sample standard deviation; 0 when ok == 1 */
    double p50, p90, p95, p99;
};

/*
 * Fill *out from s. Sorts the samples in place (hence not const); adding more
 * samples afterwards is fine, the next call sorts again.
 */
void stats_summarize(struct stats *s, struct stats_summary *out);

/*
 * The p-th percentile (p in [0, 100]) of the ok samples, sorting them first
 * if needed. NAN when there are none or p is outside [0, 100] or NaN.
 */
double stats_percentile(struct stats *s, double p);

/*
 * The same over an array already sorted ascending (n values, finite).
 * NAN when n == 0 or p is outside [0, 100] or NaN. Does not check the order.
 */
double stats_percentile_sorted(const double *sorted, size_t n, double p);

#endif
