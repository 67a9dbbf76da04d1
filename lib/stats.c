#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define STATS_INITIAL_CAP 64

struct stats {
    double *v;       /* the ok samples */
    size_t n;        /* used */
    size_t cap;      /* allocated */
    size_t censored; /* samples without a value */
    int sorted;      /* v[0..n-1] ascending */
};

struct stats *stats_new(void)
{
    struct stats *s = calloc(1, sizeof(*s));

    if (s)
        s->sorted = 1;
    return s;
}

void stats_free(struct stats *s)
{
    if (!s)
        return;
    free(s->v);
    free(s);
}

static int stats_grow(struct stats *s)
{
    size_t cap = s->cap ? s->cap * 2 : STATS_INITIAL_CAP;
    double *v;

    if (cap < s->cap || cap > SIZE_MAX / sizeof(*v)) {
        errno = ENOMEM;
        return -1;
    }
    v = realloc(s->v, cap * sizeof(*v));
    if (!v) {
        errno = ENOMEM;
        return -1;
    }
    s->v = v;
    s->cap = cap;
    return 0;
}

int stats_add(struct stats *s, double x)
{
    if (!s || !isfinite(x)) {
        errno = EINVAL;
        return -1;
    }
    if (s->n == s->cap && stats_grow(s) < 0)
        return -1;
    if (s->n > 0 && x < s->v[s->n - 1])
        s->sorted = 0;
    s->v[s->n++] = x;
    return 0;
}

void stats_add_censored(struct stats *s)
{
    s->censored++;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static void stats_sort(struct stats *s)
{
    if (s->sorted)
        return;
    qsort(s->v, s->n, sizeof(*s->v), cmp_double);
    s->sorted = 1;
}

double stats_percentile_sorted(const double *sorted, size_t n, double p)
{
    double h, frac, a, b, d;
    size_t lo;

    if (n == 0 || !(p >= 0.0 && p <= 100.0))
        return NAN;
    h = (double)(n - 1) * p / 100.0;
    lo = (size_t)floor(h);
    if (lo >= n - 1)
        return sorted[n - 1];
    frac = h - (double)lo;
    a = sorted[lo];
    b = sorted[lo + 1];
    if (frac == 0.0)
        return a;
    d = b - a;
    if (!isfinite(d)) /* a and b more than DBL_MAX apart */
        return a * (1.0 - frac) + b * frac;
    return a + frac * d;
}

double stats_percentile(struct stats *s, double p)
{
    stats_sort(s);
    return stats_percentile_sorted(s->v, s->n, p);
}

/* Mean and sample standard deviation, two-pass (corrected: Chan et al.). */
static void stats_moments(const double *v, size_t n, double *mean, double *stddev)
{
    double sum = 0.0, dev = 0.0, sq = 0.0, m;
    size_t i;

    for (i = 0; i < n; i++)
        sum += v[i];
    m = sum / (double)n;
    for (i = 0; i < n; i++) {
        double d = v[i] - m;
        dev += d;
        sq += d * d;
    }
    *mean = m + dev / (double)n; /* dev: the rounding error left in m, times n */
    if (n < 2) {
        *stddev = 0.0;
        return;
    }
    sq -= dev * dev / (double)n;
    *stddev = sq > 0.0 ? sqrt(sq / (double)(n - 1)) : 0.0;
}

void stats_summarize(struct stats *s, struct stats_summary *out)
{
    out->ok = s->n;
    out->censored = s->censored;
    out->count = s->n + s->censored;
    if (s->n == 0) {
        out->min = out->max = out->mean = out->stddev = NAN;
        out->p50 = out->p90 = out->p95 = out->p99 = NAN;
        return;
    }
    stats_sort(s);
    out->min = s->v[0];
    out->max = s->v[s->n - 1];
    stats_moments(s->v, s->n, &out->mean, &out->stddev);
    out->p50 = stats_percentile_sorted(s->v, s->n, 50.0);
    out->p90 = stats_percentile_sorted(s->v, s->n, 90.0);
    out->p95 = stats_percentile_sorted(s->v, s->n, 95.0);
    out->p99 = stats_percentile_sorted(s->v, s->n, 99.0);
}
