/*
 * test_sim_queue.c - processor sharing in the timing model (sim/queue.h),
 * with and without groups: jobs of 2 model seconds of work at speed 20
 * (100 ms), on a virtual clock: each timer runs at exactly its time, so the
 * figures do not depend on how busy the machine is.
 */
#include "unit.h"

#include "queue.h"

#define SPEED 20.0
#define WORK 2.0
#define T0 1000000000000LL /* the virtual clock at the start, ns */

struct run {
    struct sched *s;
    struct ps p;
    int64_t now;    /* the virtual clock, ns */
    double done[8]; /* model seconds from T0 to each job's completion */
};

static void on_done(void *ctx, void *owner, uint64_t epoch)
{
    struct run *r = ctx;

    (void)epoch;
    r->done[(intptr_t)owner] = (double)(r->now - T0) / 1e9 * SPEED;
}

static void run_init(struct run *r, double capacity)
{
    memset(r, 0, sizeof(*r));
    r->s = sched_new();
    assert_non_null(r->s);
    ps_init(&r->p, "test", capacity, r->s, SPEED);
    r->now = T0;
}

/* Run the timers, each at its own time, until none is left; then release. */
static void run_finish(struct run *r)
{
    for (int n = 0; sched_pending(r->s) > 0; n++) {
        assert_true(n < 1000); /* a queue that keeps planning without progress */
        if (sched_next(r->s) > r->now)
            r->now = sched_next(r->s);
        sched_run(r->s, r->now);
    }
    ps_release(&r->p);
    sched_free(r->s);
}

static void add(struct run *r, intptr_t id, double demand, int group, double group_demand)
{
    struct ps_share share = {demand, group, group_demand};

    assert_int_equal(ps_add_grouped(&r->p, (void *)id, 1, WORK, &share, on_done, r, r->now), 0);
}

/* got == want up to the rounding of model seconds to whole ns (a microsecond here) */
static void assert_about(double got, double want)
{
    if (got < want - 1e-6 || got > want + 1e-6)
        fail_msg("done after %.9f model seconds, expected %.3f", got, want);
}

/* 4 jobs on a capacity of 2: each at half speed. */
static void test_capacity_shared(void **state)
{
    struct run r;

    (void)state;
    run_init(&r, 2);
    for (int i = 0; i < 4; i++)
        add(&r, i, 1, -1, 0);
    run_finish(&r);
    for (int i = 0; i < 4; i++)
        assert_about(r.done[i], 2 * WORK);
}

/* 4 jobs of demand 2 in group 0 and one in group 1 (groups of capacity 4) on capacity; the 4 end
 * at half speed (their group), the one alone after alone_done model seconds. */
static void four_and_one(double capacity, double alone_done)
{
    struct run r;

    run_init(&r, capacity);
    assert_int_equal(ps_set_groups(&r.p, 2, 4), 0);
    for (int i = 0; i < 4; i++)
        add(&r, i, 1, 0, 2);
    add(&r, 4, 1, 1, 2);
    run_finish(&r);
    for (int i = 0; i < 4; i++)
        assert_about(r.done[i], 2 * WORK);
    assert_about(r.done[4], alone_done);
}

/* Within the capacity, but 4 jobs of demand 2 in a group of capacity 4: half speed there;
 * a job alone in the other group runs at full speed. */
static void test_group_capacity(void **state)
{
    (void)state;
    four_and_one(100, WORK);
}

/* Both limits: 5 jobs on a capacity of 4 (0.8 each); the 4 in group 0 are held to 0.5 by
 * their group, the one in group 1 runs at 0.8 (done at 2.5 s); then the 4 go on at 0.5. */
static void test_lower_rate_wins(void **state)
{
    (void)state;
    four_and_one(4, WORK / 0.8);
}

/* A job whose group is out of range only shares the capacity. */
static void test_bad_group_is_no_group(void **state)
{
    struct run r;

    (void)state;
    run_init(&r, 10);
    assert_int_equal(ps_set_groups(&r.p, 1, 1), 0);
    add(&r, 0, 1, 7, 5);
    run_finish(&r);
    assert_about(r.done[0], WORK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_capacity_shared),
        cmocka_unit_test(test_group_capacity),
        cmocka_unit_test(test_lower_rate_wins),
        cmocka_unit_test(test_bad_group_is_no_group),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
