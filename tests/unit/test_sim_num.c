/* test_sim_num.c - strict parsing of the simulator's numbers (sim/num.h). */
#include "unit.h"

#include "num.h"

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
    static const char *const bad[] = {"",
                                      "8x",
                                      " 8",
                                      "8 ",
                                      "+8",
                                      "-1",
                                      "0x10",
                                      "1e3",
                                      "4.5",
                                      "429abc",
                                      "18446744073709551616",
                                      "99999999999999999999999"};
    uint64_t v = 42;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (num_parse_uint(bad[i], 0, UINT64_MAX, &v) != -1)
            fail_msg("'%s' was accepted", bad[i]);
        assert_int_equal(v, 42); /* untouched */
    }
    assert_int_equal(num_parse_uint(NULL, 0, 1, &v), -1);
    assert_int_equal(num_parse_uint("0", 1, 10, &v), -1);
    assert_int_equal(num_parse_uint("11", 1, 10, &v), -1);
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
    static const char *const bad[] = {"",      "nan",   "NaN", "inf",    "infinity", "-1",
                                      "+1",    " 1",    "1 ",  "1x",     "0x1p3",    "1e",
                                      "1.5.5", "1e400", "e3",  "1e-400", ".",        "-0"};
    double v = 42;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (num_parse_double(bad[i], 0, 1e300, &v) != -1)
            fail_msg("'%s' was accepted", bad[i]);
        assert_true(v == 42); /* untouched */
    }
    assert_int_equal(num_parse_double(NULL, 0, 1, &v), -1);
    assert_int_equal(num_parse_double("0.0009", 0.001, 1, &v), -1);
    assert_int_equal(num_parse_double("1.0001", 0, 1, &v), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uint_accepts),
        cmocka_unit_test(test_uint_refuses),
        cmocka_unit_test(test_double_accepts),
        cmocka_unit_test(test_double_refuses),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
