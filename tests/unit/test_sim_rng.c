/* test_sim_rng.c - the simulator's random streams (sim/rng.h). */
#include "unit.h"

#include "rng.h"

static void test_stream_zero_is_the_seed(void **state)
{
    struct rng a, b;

    (void)state;
    rng_seed(&a, 12345);
    rng_seed_stream(&b, 12345, 0);
    for (int i = 0; i < 100; i++)
        assert_true(rng_u64(&a) == rng_u64(&b));
}

static void test_streams_are_reproducible_and_distinct(void **state)
{
    struct rng s[3], again;

    (void)state;
    for (unsigned k = 0; k < 3; k++)
        rng_seed_stream(&s[k], 1, k);
    rng_seed_stream(&again, 1, 2);
    assert_memory_equal(&again, &s[2], sizeof(again));
    for (unsigned k = 0; k < 3; k++)
        for (unsigned j = k + 1; j < 3; j++)
            assert_memory_not_equal(&s[k], &s[j], sizeof(s[k]));
    /* stream 1 is not stream 0 a few draws later */
    for (int i = 0; i < 1000; i++) {
        rng_u64(&s[0]);
        assert_memory_not_equal(&s[0], &s[1], sizeof(s[0]));
    }
}

static void test_draws_of_one_stream_leave_another_alone(void **state)
{
    struct rng model, ids, fresh;
    double want[5];

    (void)state;
    rng_seed_stream(&fresh, 9, 0);
    for (int i = 0; i < 5; i++)
        want[i] = rng_lognormal(&fresh, 15, 1.35);
    rng_seed_stream(&model, 9, 0);
    rng_seed_stream(&ids, 9, 1);
    for (int i = 0; i < 5; i++) {
        char uid[37];

        rng_uuid(&ids, uid); /* a client's request between two model draws */
        assert_true(rng_lognormal(&model, 15, 1.35) == want[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream_zero_is_the_seed),
        cmocka_unit_test(test_streams_are_reproducible_and_distinct),
        cmocka_unit_test(test_draws_of_one_stream_leave_another_alone),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
