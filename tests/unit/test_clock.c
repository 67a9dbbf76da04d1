/*
 * test_clock.c - clocks, RFC 3339 parsing and formatting.
 *
 * Expected Unix seconds were computed independently with Python, e.g.
 *   python3 -c 'import datetime as d; print(d.datetime(2006,1,2,15,4,5,
 *               tzinfo=d.timezone.utc).timestamp())'          -> 1136214245
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "clock.h"

#define NS INT64_C(1000000000)
#define T_2006 (INT64_C(1136214245) * NS) /* 2006-01-02T15:04:05Z */

/* Parse a NUL-terminated string; fail the test if it is rejected. */
static int64_t parse_ok(const char *s)
{
    struct vs_error err;
    int64_t ns = INT64_C(0x5a5a5a5a5a5a5a5a);

    vs_error_clear(&err);
    if (rfc3339_parse(s, strlen(s), &ns, &err) != 0)
        fail_msg("'%s' rejected: col %ld: %s", s, err.col, err.msg);
    return ns;
}

/* s must be rejected with the error at column col; returns the message. */
static const char *parse_bad(const char *s, long col)
{
    static struct vs_error err;
    int64_t ns = 42;

    vs_error_clear(&err);
    assert_int_equal(rfc3339_parse(s, strlen(s), &ns, &err), -1);
    assert_int_equal(ns, 42); /* untouched on failure */
    assert_string_equal(err.where, "");
    assert_true(err.msg[0] != '\0');
    if (err.col != col)
        fail_msg("'%s': col %ld, want %ld (%s)", s, err.col, col, err.msg);
    return err.msg;
}

static void test_parse_basic(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2006-01-02T15:04:05Z"), T_2006);
    assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(parse_ok("1970-01-01T00:00:01Z"), NS);
    assert_int_equal(parse_ok("2017-01-01T00:00:00Z"), INT64_C(1483228800) * NS);
}

static void test_parse_fraction(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2006-01-02T15:04:05.5Z"), T_2006 + 500000000);
    assert_int_equal(parse_ok("2006-01-02T15:04:05.000001Z"), T_2006 + 1000); /* MicroTime */
    assert_int_equal(parse_ok("2006-01-02T15:04:05.000000Z"), T_2006);
    assert_int_equal(parse_ok("2006-01-02T15:04:05.123456789Z"), T_2006 + 123456789);
    /* more than 9 digits: truncated, not rounded */
    assert_int_equal(parse_ok("2006-01-02T15:04:05.123456789999Z"), T_2006 + 123456789);
    assert_int_equal(parse_ok("2006-01-02T15:04:05.999999999999Z"), T_2006 + 999999999);
}

static void test_parse_offsets(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2006-01-02T17:04:05+02:00"), T_2006);
    assert_int_equal(parse_ok("2006-01-02T07:34:05-07:30"), T_2006);
    assert_int_equal(parse_ok("2006-01-02T15:04:05+00:00"), T_2006);
    assert_int_equal(parse_ok("2006-01-02T15:04:05-00:00"), T_2006);
    assert_int_equal(parse_ok("2006-01-02T15:04:05.000001+00:00"), T_2006 + 1000);
    /* the offset moves the instant across a day and a year boundary */
    assert_int_equal(parse_ok("2006-01-01T23:00:00-01:00"), parse_ok("2006-01-02T00:00:00Z"));
    assert_int_equal(parse_ok("2007-01-01T01:30:00+01:45"), parse_ok("2006-12-31T23:45:00Z"));
}

static void test_parse_separators(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2006-01-02t15:04:05z"), T_2006);
    assert_int_equal(parse_ok("2006-01-02 15:04:05Z"), T_2006);
    assert_int_equal(parse_ok("2006-01-02t15:04:05.5z"), T_2006 + 500000000);
}

static void test_parse_before_1970(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("1969-12-31T23:59:59Z"), -NS);
    assert_int_equal(parse_ok("1969-12-31T23:59:59.5Z"), -NS / 2);
    assert_int_equal(parse_ok("1969-12-31T23:59:59.999999999Z"), -1);
    assert_int_equal(parse_ok("1969-07-20T20:17:40Z"), INT64_C(-14182940) * NS);
    assert_int_equal(parse_ok("1900-01-01T00:00:00Z"), INT64_C(-2208988800) * NS);
}

static void test_parse_leap_days(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2024-02-29T12:00:00Z"), INT64_C(1709208000) * NS);
    assert_int_equal(parse_ok("2000-02-29T00:00:00Z"), INT64_C(951782400) * NS);
    assert_int_equal(parse_ok("2024-03-01T00:00:00Z") - parse_ok("2024-02-28T00:00:00Z"),
                     2 * 86400 * NS);
    assert_int_equal(parse_ok("2023-03-01T00:00:00Z") - parse_ok("2023-02-28T00:00:00Z"),
                     86400 * NS);
    parse_bad("2023-02-29T00:00:00Z", 9);
    parse_bad("2100-02-29T00:00:00Z", 9); /* divisible by 100, not by 400 */
    parse_bad("2024-02-30T00:00:00Z", 9);
    parse_bad("2024-04-31T00:00:00Z", 9);
    parse_bad("2024-01-00T00:00:00Z", 9);
    parse_bad("2024-01-32T00:00:00Z", 9);
    assert_int_equal(parse_ok("2024-12-31T00:00:00Z") + 86400 * NS,
                     parse_ok("2025-01-01T00:00:00Z"));
}

static void test_parse_leap_second(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2016-12-31T23:59:60Z"), parse_ok("2017-01-01T00:00:00Z"));
    assert_int_equal(parse_ok("2016-12-31T23:59:60.5Z"), parse_ok("2017-01-01T00:00:00.5Z"));
    parse_bad("2016-12-31T23:59:61Z", 18);
}

static void test_parse_errors(void **state)
{
    const char *msg;

    (void)state;
    msg = parse_bad("2006-01-02X15:04:05Z", 11); /* missing T */
    assert_non_null(strstr(msg, "'T'"));
    assert_non_null(strstr(msg, "'2006-01-02X15:04:05Z'"));
    parse_bad("2006-01-0215:04:05Z", 11);
    msg = parse_bad("2006-13-02T15:04:05Z", 6);
    assert_non_null(strstr(msg, "month 13"));
    parse_bad("2006-00-02T15:04:05Z", 6);
    msg = parse_bad("2006-01-02T24:04:05Z", 12);
    assert_non_null(strstr(msg, "hour 24"));
    parse_bad("2006-01-02T15:60:05Z", 15);
    msg = parse_bad("2006-01-02T15-04:05Z", 14);
    assert_string_equal(msg, "expected ':' after hour in time '2006-01-02T15-04:05Z'");
    msg = parse_bad("2006-01-02T15:04:05Zx", 21); /* trailing garbage */
    assert_non_null(strstr(msg, "after time zone"));
    parse_bad("2006-01-02T15:04:05Z ", 21);
    parse_bad("2006-01-02T15:04", 17); /* truncated: col is one past the end */
    parse_bad("2006-01-02T15:04:05.", 21);
    parse_bad("2006-01-02T15:04:05.Z", 21);
    parse_bad("2006-01-02T15:04:05+02", 23);
    parse_bad("2006", 5);
    parse_bad("", 1);
    msg = parse_bad("2006-01-02T15:04:05", 20); /* no time zone */
    assert_non_null(strstr(msg, "time zone"));
    parse_bad("2006-01-02T15:04:05+2:00", 22);
    parse_bad("2006-01-02T15:04:05+24:00", 21);
    parse_bad("2006-01-02T15:04:05+02:60", 24);
    parse_bad("2006-01-02T15:04:05+0200", 23);
    parse_bad("06-01-02T15:04:05Z", 3);
    parse_bad("2006-1-02T15:04:05Z", 7);
    parse_bad("2006-01-02T15:04:05 Z", 20);
    parse_bad("2006-01-02T1:04:05Z", 13);
    parse_bad("-006-01-02T15:04:05Z", 1);
    parse_bad("2006-01-02TT15:04:05Z", 12);
}

static void test_parse_long_input_quoted_short(void **state)
{
    char s[300];
    const char *msg;

    (void)state;
    memset(s, '9', sizeof(s) - 1);
    s[sizeof(s) - 1] = '\0';
    memcpy(s, "2006-01-02T15:04:05Z", 20);
    msg = parse_bad(s, 21);
    assert_non_null(strstr(msg, "'2006-01-02T15:04:05Z999"));
    assert_non_null(strstr(msg, "...'"));
    assert_true(strlen(msg) < 150);
}

static void test_parse_non_printable_quoted(void **state)
{
    struct vs_error err;
    int64_t ns;
    const char s[] = "2006-01-02\n15:04:05Z";

    (void)state;
    vs_error_clear(&err);
    assert_int_equal(rfc3339_parse(s, sizeof(s) - 1, &ns, &err), -1);
    assert_int_equal(err.col, 11);
    assert_null(strchr(err.msg, '\n'));
    assert_non_null(strstr(err.msg, "'2006-01-02?15:04:05Z'"));
}

static void test_parse_not_nul_terminated(void **state)
{
    const char text[] = "2006-01-02T15:04:05.123Z+garbage";
    char *exact;
    int64_t ns = 0;

    (void)state;
    /* len stops before the garbage */
    assert_int_equal(rfc3339_parse(text, 24, &ns, NULL), 0);
    assert_int_equal(ns, T_2006 + 123000000);
    /* an exact-size heap copy: a read past the end would trip ASan */
    exact = malloc(24);
    assert_non_null(exact);
    memcpy(exact, text, 24);
    ns = 0;
    assert_int_equal(rfc3339_parse(exact, 24, &ns, NULL), 0);
    assert_int_equal(ns, T_2006 + 123000000);
    /* cut inside the fraction and inside the year */
    assert_int_equal(rfc3339_parse(exact, 23, &ns, NULL), -1);
    assert_int_equal(rfc3339_parse(exact, 3, &ns, NULL), -1);
    free(exact);
}

static void test_parse_range(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("1677-09-21T00:12:43.145224192Z"), INT64_MIN);
    assert_int_equal(parse_ok("2262-04-11T23:47:16.854775807Z"), INT64_MAX);
    parse_bad("1677-09-21T00:12:43.145224191Z", 1);
    parse_bad("2262-04-11T23:47:16.854775808Z", 1);
    parse_bad("2263-01-01T00:00:00Z", 1);
    parse_bad("1600-01-01T00:00:00Z", 1);
    parse_bad("9999-12-31T23:59:59Z", 1);
    parse_bad("0000-01-01T00:00:00Z", 1);
    /* an offset can bring an instant back into range */
    assert_int_equal(parse_ok("2262-04-12T00:47:16+01:00"), parse_ok("2262-04-11T23:47:16Z"));
}

static void test_parse_null_err(void **state)
{
    int64_t ns = 7;

    (void)state;
    assert_int_equal(rfc3339_parse("nope", 4, &ns, NULL), -1);
    assert_int_equal(ns, 7);
}

/* rfc3339_format into a large buffer; checks the returned length. */
static const char *fmt(int64_t ns, int digits)
{
    static char buf[64];
    size_t len;

    memset(buf, 'x', sizeof(buf));
    len = rfc3339_format(ns, digits, buf, sizeof(buf));
    assert_int_equal(len, strlen(buf));
    assert_true(len < RFC3339_BUFSZ);
    return buf;
}

static void test_format(void **state)
{
    (void)state;
    assert_string_equal(fmt(0, 0), "1970-01-01T00:00:00Z");
    assert_string_equal(fmt(T_2006, 0), "2006-01-02T15:04:05Z");
    assert_string_equal(fmt(T_2006 + 123456789, 3), "2006-01-02T15:04:05.123Z");
    assert_string_equal(fmt(T_2006 + 123456789, 6), "2006-01-02T15:04:05.123456Z");
    assert_string_equal(fmt(T_2006 + 123456789, 9), "2006-01-02T15:04:05.123456789Z");
    assert_string_equal(fmt(T_2006 + 999999999, 3), "2006-01-02T15:04:05.999Z"); /* truncates */
    assert_string_equal(fmt(T_2006 + 1000, 6), "2006-01-02T15:04:05.000001Z");
    assert_string_equal(fmt(T_2006 + 5, 1), "2006-01-02T15:04:05.0Z");
    /* out-of-range digit counts are clamped */
    assert_string_equal(fmt(T_2006 + 1, 12), "2006-01-02T15:04:05.000000001Z");
    assert_string_equal(fmt(T_2006 + 1, -3), "2006-01-02T15:04:05Z");
    assert_string_equal(fmt(INT64_C(1709208000) * NS, 0), "2024-02-29T12:00:00Z");
}

static void test_format_negative(void **state)
{
    (void)state;
    assert_string_equal(fmt(-1, 9), "1969-12-31T23:59:59.999999999Z");
    assert_string_equal(fmt(-1, 0), "1969-12-31T23:59:59Z");
    assert_string_equal(fmt(-NS, 0), "1969-12-31T23:59:59Z");
    assert_string_equal(fmt(-NS - 1, 3), "1969-12-31T23:59:58.999Z");
    assert_string_equal(fmt(-86400 * NS, 0), "1969-12-31T00:00:00Z");
    assert_string_equal(fmt(INT64_C(-2208988800) * NS, 0), "1900-01-01T00:00:00Z");
    assert_string_equal(fmt(INT64_MIN, 9), "1677-09-21T00:12:43.145224192Z");
    assert_string_equal(fmt(INT64_MAX, 9), "2262-04-11T23:47:16.854775807Z");
}

static void test_format_small_buffer(void **state)
{
    char buf[8];

    (void)state;
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(rfc3339_format(0, 0, buf, 5), 20);
    assert_string_equal(buf, "1970");
    assert_int_equal(buf[5], 'x'); /* nothing written past n */
    assert_int_equal(rfc3339_format(0, 9, buf, 1), 30);
    assert_string_equal(buf, "");
    assert_int_equal(rfc3339_format(0, 3, NULL, 0), 24);
    assert_int_equal(rfc3339_format(0, 0, buf, sizeof(buf)), 20);
    assert_string_equal(buf, "1970-01");
}

/* splitmix64: a fixed, portable sequence (seed below). */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static void round_trip(int64_t ns)
{
    char buf[RFC3339_BUFSZ];
    struct vs_error err;
    int64_t back = 0;
    size_t len = rfc3339_format(ns, 9, buf, sizeof(buf));

    assert_true(len < sizeof(buf));
    vs_error_clear(&err);
    if (rfc3339_parse(buf, len, &back, &err) != 0)
        fail_msg("'%s' rejected: %s", buf, err.msg);
    if (back != ns)
        fail_msg("%lld -> '%s' -> %lld", (long long)ns, buf, (long long)back);
}

static void test_round_trip(void **state)
{
    static const int64_t fixed[] = {0,
                                    1,
                                    -1,
                                    NS - 1,
                                    -NS + 1,
                                    T_2006 + 123456789,
                                    INT64_MIN,
                                    INT64_MAX,
                                    INT64_MIN + 1,
                                    INT64_MAX - 1,
                                    INT64_C(951782400) * NS,
                                    INT64_C(-2208988800) * NS - 1};
    uint64_t seed = UINT64_C(20060102150405);
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        round_trip(fixed[i]);
    for (i = 0; i < 20000; i++)
        round_trip((int64_t)next_random(&seed)); /* the whole int64 range */
    for (i = 0; i < 20000; i++)                  /* near the epoch: +-2^40 ns, ~18 min */
        round_trip((int64_t)(next_random(&seed) >> 23) - (INT64_C(1) << 40));
    /* whole seconds with 0 digits round-trip too */
    assert_string_equal(fmt(T_2006, 0), "2006-01-02T15:04:05Z");
    assert_int_equal(parse_ok(fmt(-T_2006, 0)), -T_2006);
}

static void test_clock_mono(void **state)
{
    int64_t prev = clock_mono_ns(), now;
    int i;

    (void)state;
    assert_true(prev > 0);
    for (i = 0; i < 100000; i++) {
        now = clock_mono_ns();
        if (now < prev)
            fail_msg("monotonic clock went back: %lld < %lld", (long long)now, (long long)prev);
        prev = now;
    }
}

static void test_clock_wall(void **state)
{
    int64_t wall = clock_wall_ns();
    struct vs_time t;

    (void)state;
    assert_true(wall > parse_ok("2020-01-01T00:00:00Z"));
    assert_true(wall < parse_ok("2200-01-01T00:00:00Z"));
    clock_now(&t);
    assert_true(t.wall_ns >= wall);
    assert_true(t.wall_ns - wall < 60 * NS);
    assert_true(t.mono_ns > 0);
    assert_true(t.mono_ns <= clock_mono_ns());
}

static void test_clock_resolution(void **state)
{
    int64_t res = clock_resolution_ns();

    (void)state;
    assert_true(res >= 1);
    assert_true(res <= NS); /* a monotonic clock coarser than 1 s would be useless */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_basic),
        cmocka_unit_test(test_parse_fraction),
        cmocka_unit_test(test_parse_offsets),
        cmocka_unit_test(test_parse_separators),
        cmocka_unit_test(test_parse_before_1970),
        cmocka_unit_test(test_parse_leap_days),
        cmocka_unit_test(test_parse_leap_second),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_parse_long_input_quoted_short),
        cmocka_unit_test(test_parse_non_printable_quoted),
        cmocka_unit_test(test_parse_not_nul_terminated),
        cmocka_unit_test(test_parse_range),
        cmocka_unit_test(test_parse_null_err),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_format_negative),
        cmocka_unit_test(test_format_small_buffer),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_clock_mono),
        cmocka_unit_test(test_clock_wall),
        cmocka_unit_test(test_clock_resolution),
    };

    return cmocka_run_group_tests_name("clock", tests, NULL, NULL);
}
