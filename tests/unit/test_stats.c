/*
 * test_stats.c - descriptive statistics with censoring.
 *
 * numpy is not installed here, so expected values were computed with
 * Python's statistics module, whose quantiles(method='inclusive') is the same
 * linear method as numpy's default but a different implementation:
 *   python3 -c 'import statistics as st; d=[...];
 *               print(st.quantiles(d, n=100, method="inclusive")[P-1],
 *                     st.mean(d), st.stdev(d))'
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "stats.h"

#define EPS 1e-9

/* cmocka 1.1's assert_float_equal compares as float; this compares doubles. */
#define assert_near(a, b, eps)                                                                     \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        if (!(fabs(a_ - b_) <= (eps)))                                                             \
            fail_msg("%s = %.17g, want %.17g (within %g)", #a, a_, b_, (double)(eps));             \
    } while (0)

static struct stats *stats_of(const double *v, size_t n)
{
    struct stats *s = stats_new();
    size_t i;

    assert_non_null(s);
    for (i = 0; i < n; i++)
        assert_int_equal(stats_add(s, v[i]), 0);
    return s;
}

static void assert_all_nan(const struct stats_summary *sum)
{
    assert_true(isnan(sum->min));
    assert_true(isnan(sum->max));
    assert_true(isnan(sum->mean));
    assert_true(isnan(sum->stddev));
    assert_true(isnan(sum->p50));
    assert_true(isnan(sum->p90));
    assert_true(isnan(sum->p95));
    assert_true(isnan(sum->p99));
}

static void test_empty(void **state)
{
    struct stats *s = stats_new();
    struct stats_summary sum;

    (void)state;
    assert_non_null(s);
    stats_summarize(s, &sum);
    assert_int_equal(sum.count, 0);
    assert_int_equal(sum.ok, 0);
    assert_int_equal(sum.censored, 0);
    assert_all_nan(&sum);
    assert_true(isnan(stats_percentile(s, 50)));

    stats_add_censored(s);
    stats_add_censored(s);
    stats_add_censored(s);
    stats_summarize(s, &sum);
    assert_int_equal(sum.count, 3); /* from censored only */
    assert_int_equal(sum.ok, 0);
    assert_int_equal(sum.censored, 3);
    assert_all_nan(&sum);
    stats_free(s);
    stats_free(NULL);
}

static void test_one_sample(void **state)
{
    const double v[] = {7.25};
    struct stats *s = stats_of(v, 1);
    struct stats_summary sum;

    (void)state;
    stats_summarize(s, &sum);
    assert_int_equal(sum.count, 1);
    assert_int_equal(sum.ok, 1);
    assert_near(sum.min, 7.25, 0);
    assert_near(sum.max, 7.25, 0);
    assert_near(sum.mean, 7.25, 0);
    assert_near(sum.stddev, 0.0, 0);
    assert_near(sum.p50, 7.25, 0);
    assert_near(sum.p90, 7.25, 0);
    assert_near(sum.p95, 7.25, 0);
    assert_near(sum.p99, 7.25, 0);
    assert_near(stats_percentile(s, 0), 7.25, 0);
    assert_near(stats_percentile(s, 100), 7.25, 0);
    stats_free(s);
}

static void test_two_samples(void **state)
{
    const double v[] = {3.0, 1.0};
    struct stats *s = stats_of(v, 2);
    struct stats_summary sum;

    (void)state;
    stats_summarize(s, &sum);
    /* sorted {1, 3}, n = 2, so h = (n-1)*p/100 = p/100 and lo = 0:
     * p50: 1 + 0.50*(3-1) = 2.0    p90: 1 + 0.90*(3-1) = 2.8
     * p95: 1 + 0.95*2 = 2.9        p99: 1 + 0.99*2 = 2.98
     * stddev: mean 2, ((1-2)^2 + (3-2)^2) / (2-1) = 2, sqrt(2) */
    assert_near(sum.p50, 2.0, EPS);
    assert_near(sum.p90, 2.8, EPS);
    assert_near(sum.p95, 2.9, EPS);
    assert_near(sum.p99, 2.98, EPS);
    assert_near(sum.mean, 2.0, EPS);
    assert_near(sum.stddev, sqrt(2.0), EPS);
    assert_near(sum.min, 1.0, 0);
    assert_near(sum.max, 3.0, 0);
    stats_free(s);
}

/* 20 boot durations; expected values from statistics (see the top). */
static const double boots[] = {12.5,  3.25, 47.0, 8.0, 8.0,  19.75, 31.5, 5.5,   61.0, 14.0,
                               22.25, 9.5,  40.0, 2.0, 27.0, 17.5,  11.0, 35.75, 6.25, 53.0};
#define NBOOTS (sizeof(boots) / sizeof(boots[0]))

static void check_boots(struct stats *s)
{
    struct stats_summary sum;

    stats_summarize(s, &sum);
    assert_int_equal(sum.ok, NBOOTS);
    assert_near(sum.min, 2.0, 0);
    assert_near(sum.max, 61.0, 0);
    assert_near(sum.mean, 21.7375, EPS);
    assert_near(sum.stddev, 17.55395348332497, EPS);
    assert_near(sum.p50, 15.75, EPS);
    assert_near(sum.p90, 47.6, EPS);
    assert_near(sum.p95, 53.4, EPS);
    assert_near(sum.p99, 59.48, EPS);
    assert_near(stats_percentile(s, 1), 2.2375, EPS);
    assert_near(stats_percentile(s, 10), 5.275, EPS);
    assert_near(stats_percentile(s, 25), 8.0, EPS);
    assert_near(stats_percentile(s, 75), 32.5625, EPS);
}

static void test_many_samples(void **state)
{
    struct stats *s = stats_of(boots, NBOOTS);

    (void)state;
    check_boots(s);
    stats_free(s);
}

static void test_order_does_not_matter(void **state)
{
    double v[NBOOTS];
    struct stats *s;
    size_t i;

    (void)state;
    for (i = 0; i < NBOOTS; i++) /* reversed */
        v[i] = boots[NBOOTS - 1 - i];
    s = stats_of(v, NBOOTS);
    check_boots(s);
    stats_free(s);
    for (i = 0; i < NBOOTS; i++) /* a different permutation: 7 is prime to 20 */
        v[i] = boots[(i * 7) % NBOOTS];
    s = stats_of(v, NBOOTS);
    check_boots(s);
    stats_free(s);
}

static void test_ties(void **state)
{
    const double dup[] = {5, 5, 5, 1, 1, 9, 9, 9, 9, 2};
    struct stats *s = stats_new();
    struct stats_summary sum;
    int i;

    (void)state;
    for (i = 0; i < 1000; i++)
        assert_int_equal(stats_add(s, 0.1), 0);
    stats_summarize(s, &sum);
    assert_near(sum.min, 0.1, 0);
    assert_near(sum.max, 0.1, 0);
    assert_near(sum.p50, 0.1, 0);
    assert_near(sum.p99, 0.1, 0);
    assert_near(sum.mean, 0.1, 1e-15);
    assert_near(sum.stddev, 0.0, 1e-15);
    stats_free(s);

    s = stats_of(dup, sizeof(dup) / sizeof(dup[0]));
    stats_summarize(s, &sum);
    /* sorted 1 1 2 5 5 5 9 9 9 9: p50 h=4.5 between 5 and 5; p90 h=8.1 between 9 and 9 */
    assert_near(sum.p50, 5.0, EPS);
    assert_near(sum.p90, 9.0, EPS);
    assert_near(sum.p99, 9.0, EPS);
    assert_near(sum.mean, 5.5, EPS);
    assert_near(sum.stddev, 3.3747427885527643, EPS);
    assert_near(stats_percentile(s, 25), 2.75, EPS); /* h=2.25: 2 + 0.25*(5-2) */
    stats_free(s);
}

static void test_censored(void **state)
{
    struct stats *s = stats_of(boots, NBOOTS);
    struct stats_summary sum;
    int i;

    (void)state;
    for (i = 0; i < 5; i++)
        stats_add_censored(s);
    stats_summarize(s, &sum);
    assert_int_equal(sum.count, NBOOTS + 5);
    assert_int_equal(sum.ok, NBOOTS);
    assert_int_equal(sum.censored, 5);
    check_boots(s); /* mean, percentiles unchanged by the censored ones */
    stats_free(s);
}

static void test_rejects_non_finite(void **state)
{
    struct stats *s = stats_new();
    struct stats_summary sum;

    (void)state;
    errno = 0;
    assert_int_equal(stats_add(s, NAN), -1);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_int_equal(stats_add(s, INFINITY), -1);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_int_equal(stats_add(s, -INFINITY), -1);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_int_equal(stats_add(NULL, 1.0), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(stats_add(s, -0.5), 0); /* negative finite values are fine */
    stats_summarize(s, &sum);
    assert_int_equal(sum.ok, 1);
    assert_near(sum.mean, -0.5, 0);
    stats_free(s);
}

static void test_percentile_bounds(void **state)
{
    struct stats *s = stats_of(boots, NBOOTS);
    const double sorted[] = {1.0, 2.0, 4.0};

    (void)state;
    assert_true(isnan(stats_percentile(s, -0.001)));
    assert_true(isnan(stats_percentile(s, 100.001)));
    assert_true(isnan(stats_percentile(s, NAN)));
    assert_true(isnan(stats_percentile(s, INFINITY)));
    assert_near(stats_percentile(s, 0), 2.0, 0);    /* min */
    assert_near(stats_percentile(s, 100), 61.0, 0); /* max */
    stats_free(s);

    assert_true(isnan(stats_percentile_sorted(sorted, 0, 50)));
    assert_true(isnan(stats_percentile_sorted(sorted, 3, -1)));
    assert_near(stats_percentile_sorted(sorted, 3, 0), 1.0, 0);
    assert_near(stats_percentile_sorted(sorted, 3, 50), 2.0, 0);
    assert_near(stats_percentile_sorted(sorted, 3, 75), 3.0, EPS); /* h=1.5 */
    assert_near(stats_percentile_sorted(sorted, 3, 100), 4.0, 0);
}

static void test_large(void **state)
{
    struct stats *s = stats_new();
    struct stats_summary sum;
    const size_t n = 100000;
    size_t i;

    (void)state;
    /* 0..n-1 in a scrambled order: 7919 is prime to n, so i*7919 mod n is a permutation */
    for (i = 0; i < n; i++)
        assert_int_equal(stats_add(s, (double)((i * 7919) % n)), 0);
    stats_summarize(s, &sum);
    assert_int_equal(sum.ok, n);
    assert_near(sum.min, 0.0, 0);
    assert_near(sum.max, 99999.0, 0);
    assert_near(sum.mean, 49999.5, EPS);
    /* sample stddev of 0..n-1 is sqrt(n(n+1)/12) */
    assert_near(sum.stddev, 28867.657796687745, 1e-6);
    assert_near(sum.p50, 49999.5, 1e-6);
    assert_near(sum.p90, 89999.1, 1e-6);
    assert_near(sum.p95, 94999.05, 1e-6);
    assert_near(sum.p99, 98999.01, 1e-6);
    stats_free(s);
}

static void test_add_after_summarize(void **state)
{
    const double first[] = {4.0, 1.0, 2.0};
    struct stats *s = stats_of(first, 3);
    struct stats_summary sum;

    (void)state;
    stats_summarize(s, &sum);
    assert_near(sum.p50, 2.0, 0);
    assert_near(sum.max, 4.0, 0);
    /* one above the maximum, one below the minimum: the set must re-sort */
    assert_int_equal(stats_add(s, 10.0), 0);
    assert_int_equal(stats_add(s, 0.5), 0);
    stats_summarize(s, &sum);
    assert_int_equal(sum.ok, 5);
    assert_near(sum.min, 0.5, 0);
    assert_near(sum.max, 10.0, 0);
    assert_near(sum.p50, 2.0, EPS);
    assert_near(sum.p90, 7.6, EPS); /* sorted .5 1 2 4 10: h=3.6, 4 + .6*6 */
    assert_near(sum.mean, 3.5, EPS);
    assert_near(sum.stddev, 3.872983346207417, EPS);
    /* stats_percentile also sees a value added after it sorted */
    assert_int_equal(stats_add(s, -1.0), 0);
    assert_near(stats_percentile(s, 0), -1.0, 0);
    stats_free(s);
}

static void test_stddev_accuracy(void **state)
{
    /* {4, 7, 13, 16} shifted by 1e9: a one-pass sum-of-squares formula loses
     * the answer; two passes keep it. stddev = sqrt(90 / 3) = sqrt(30). */
    const double v[] = {1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16};
    struct stats *s = stats_of(v, 4);
    struct stats_summary sum;

    (void)state;
    stats_summarize(s, &sum);
    assert_near(sum.stddev, sqrt(30.0), 1e-6);
    assert_near(sum.mean, 1e9 + 10, 1e-6);
    stats_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_one_sample),
        cmocka_unit_test(test_two_samples),
        cmocka_unit_test(test_many_samples),
        cmocka_unit_test(test_order_does_not_matter),
        cmocka_unit_test(test_ties),
        cmocka_unit_test(test_censored),
        cmocka_unit_test(test_rejects_non_finite),
        cmocka_unit_test(test_percentile_bounds),
        cmocka_unit_test(test_large),
        cmocka_unit_test(test_add_after_summarize),
        cmocka_unit_test(test_stddev_accuracy),
    };

    return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
