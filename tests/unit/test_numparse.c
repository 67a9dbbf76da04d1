/* test_numparse.c - strict parsing of option and input-file numbers (lib/numparse.h). */
#include "unit.h"

#include <limits.h>

#include "numparse.h"

static void test_uint_accepts(void **state)
{
    uint64_t v = 99;

    (void)state;
    assert_int_equal(num_parse_uint("0", 0, 10, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(num_parse_uint("65535", 1, 65535, &v), 0);
    assert_int_equal(v, 65535);
    assert_int_equal(num_parse_uint("007", 1, 10, &v), 0);
    assert_int_equal(v, 7);
    assert_int_equal(num_parse_uint("1000000000000000000", 0, 1000000000000000000ULL, &v), 0);
    assert_true(v == 1000000000000000000ULL); /* exact: no trip through a double */
    assert_int_equal(num_parse_uint("999999999999999999", 0, 1000000000000000000ULL, &v), 0);
    assert_true(v == 999999999999999999ULL);
}

static void test_uint_refuses(void **state)
{
    static const char *const bad[] = {"",   "8x",   " 8",  "8 ",  "+8",
                                      "-1", "0x10", "1e3", "4.5", "429abc"};
    uint64_t v = 42;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (num_parse_uint(bad[i], 0, UINT64_MAX, &v) != NUM_BAD)
            fail_msg("'%s' was not refused as not a number", bad[i]);
        assert_int_equal(v, 42); /* untouched */
    }
    assert_int_equal(num_parse_uint(NULL, 0, 1, &v), NUM_BAD);
    assert_int_equal(num_parse_uint("18446744073709551616", 0, UINT64_MAX, &v), NUM_RANGE);
    assert_int_equal(num_parse_uint("99999999999999999999999", 0, UINT64_MAX, &v), NUM_RANGE);
    assert_int_equal(num_parse_uint("0", 1, 10, &v), NUM_RANGE);
    assert_int_equal(num_parse_uint("11", 1, 10, &v), NUM_RANGE);
    assert_int_equal(v, 42);
}

static void test_double_accepts(void **state)
{
    double v = -1;

    (void)state;
    assert_int_equal(num_parse_double("0.5", 0, 1, &v), 0);
    assert_true(v == 0.5);
    assert_int_equal(num_parse_double(".5", 0, 1, &v), 0);
    assert_true(v == 0.5);
    assert_int_equal(num_parse_double("1e3", 0, 1e6, &v), 0);
    assert_true(v == 1000);
    assert_int_equal(num_parse_double("2.5E-1", 0, 1, &v), 0);
    assert_true(v == 0.25);
    assert_int_equal(num_parse_double("0", 0, 1, &v), 0);
    assert_true(v == 0);
    assert_int_equal(num_parse_double("10000", 0.001, 10000, &v), 0);
    assert_true(v == 10000);
}

static void test_double_refuses(void **state)
{
    static const char *const bad[] = {"",   "nan", "NaN", "inf",   "infinity", "-inf",  "+1",
                                      " 1", "1 ",  "1x",  "0x1p3", "1e",       "1.5.5", "e3",
                                      ".",  "-",   "--1", "-.",    "- 1"};
    static const char *const range[] = {"1e400", "1e-400", "-1", "-0", "-0.5"};
    double v = 42;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (num_parse_double(bad[i], 0, 1e300, &v) != NUM_BAD)
            fail_msg("'%s' was not refused as not a number", bad[i]);
        assert_true(v == 42); /* untouched */
    }
    /* numbers, but too large, too small to hold, or negative where min >= 0 */
    for (size_t i = 0; i < sizeof(range) / sizeof(range[0]); i++) {
        if (num_parse_double(range[i], 0, 1e300, &v) != NUM_RANGE)
            fail_msg("'%s' was not refused as out of range", range[i]);
        assert_true(v == 42);
    }
    assert_int_equal(num_parse_double(NULL, 0, 1, &v), NUM_BAD);
    assert_int_equal(num_parse_double("0.0009", 0.001, 1, &v), NUM_RANGE);
    assert_int_equal(num_parse_double("1.0001", 0, 1, &v), NUM_RANGE);
    assert_int_equal(num_parse_double("-2", -1, 1, &v), NUM_RANGE);
    assert_true(v == 42);
}

static void test_double_negative(void **state)
{
    double v = 42;

    (void)state;
    assert_int_equal(num_parse_double("-0.5", -1, 1, &v), NUM_OK);
    assert_true(v == -0.5);
    assert_int_equal(num_parse_double("-1e-1", -1, 1, &v), NUM_OK);
    assert_true(v == -0.1);
    assert_int_equal(num_parse_double("-.25", -1, 1, &v), NUM_OK);
    assert_true(v == -0.25);
}

static void test_long(void **state)
{
    static const char *const bad[] = {"",    "-",   "+5",   " 5",  "5 ", "5x",
                                      "1.5", "1e3", "0x10", "--5", "-+5"};
    long v = 42;

    (void)state;
    assert_int_equal(num_parse_long("0", 0, 10, &v), NUM_OK);
    assert_int_equal(v, 0);
    assert_int_equal(num_parse_long("-7", -10, 10, &v), NUM_OK);
    assert_int_equal(v, -7);
    assert_int_equal(num_parse_long("99999999", 0, 99999999, &v), NUM_OK);
    assert_int_equal(v, 99999999);
    assert_int_equal(num_parse_long("9223372036854775807", LONG_MIN, LONG_MAX, &v), NUM_OK);
    assert_true(v == LONG_MAX);
    assert_int_equal(num_parse_long("-9223372036854775808", LONG_MIN, LONG_MAX, &v), NUM_OK);
    assert_true(v == LONG_MIN);
    v = 42;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (num_parse_long(bad[i], LONG_MIN, LONG_MAX, &v) != NUM_BAD)
            fail_msg("'%s' was not refused as not a number", bad[i]);
        assert_int_equal(v, 42);
    }
    assert_int_equal(num_parse_long(NULL, 0, 1, &v), NUM_BAD);
    assert_int_equal(num_parse_long("-1", 0, 10, &v), NUM_RANGE);
    assert_int_equal(num_parse_long("11", 0, 10, &v), NUM_RANGE);
    assert_int_equal(num_parse_long("99999999999999999999", LONG_MIN, LONG_MAX, &v), NUM_RANGE);
    assert_int_equal(num_parse_long("-99999999999999999999", LONG_MIN, LONG_MAX, &v), NUM_RANGE);
    assert_int_equal(num_parse_long("9223372036854775808", LONG_MIN, LONG_MAX, &v), NUM_RANGE);
    assert_int_equal(num_parse_long("-9223372036854775809", LONG_MIN, LONG_MAX, &v), NUM_RANGE);
    assert_int_equal(v, 42);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uint_accepts),    cmocka_unit_test(test_uint_refuses),
        cmocka_unit_test(test_double_accepts),  cmocka_unit_test(test_double_refuses),
        cmocka_unit_test(test_double_negative), cmocka_unit_test(test_long),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
