#include "unit.h"

#include <sys/epoll.h>

#include "clock.h"
#include "evloop.h"

static char trace[256];
static char A[] = "a", Bs[] = "b", C[] = "c", X[] = "x", T[] = "t", E[] = "";

static void note(void *ctx, void *arg, uint64_t token)
{
    char buf[16];

    (void)ctx;
    snprintf(buf, sizeof(buf), "%s%llu", (const char *)arg, (unsigned long long)token);
    strncat(trace, buf, sizeof(trace) - strlen(trace) - 1);
}

static void test_sched_order_and_ties(void **state)
{
    struct sched *s = sched_new();
    int64_t t = 1000;

    (void)state;
    trace[0] = '\0';
    sched_at(s, t + 30, note, NULL, C, 3);
    sched_at(s, t + 10, note, NULL, A, 1);
    sched_at(s, t + 20, note, NULL, Bs, 1);
    sched_at(s, t + 20, note, NULL, Bs, 2); /* tie: in the order scheduled */
    sched_at(s, t + 10, note, NULL, A, 2);
    assert_int_equal(sched_pending(s), 5);
    assert_true(sched_next(s) == t + 10);
    assert_int_equal(sched_run(s, t + 20), 4);
    assert_string_equal(trace, "a1a2b1b2");
    assert_int_equal(sched_run(s, t + 29), 0);
    assert_int_equal(sched_run(s, t + 30), 1);
    assert_string_equal(trace, "a1a2b1b2c3");
    assert_true(sched_next(s) == INT64_MAX);
    sched_free(s);
}

static void other(void *ctx, void *arg, uint64_t token)
{
    (void)ctx;
    (void)arg;
    (void)token;
    strncat(trace, "!", sizeof(trace) - strlen(trace) - 1);
}

/* sched_flush runs the kept function's timers at once, in due order, and drops the others. */
static void test_sched_flush(void **state)
{
    struct sched *s = sched_new();

    (void)state;
    trace[0] = '\0';
    sched_at(s, INT64_MAX - 1, note, NULL, C, 3);
    sched_at(s, 50, other, NULL, NULL, 0);
    sched_at(s, 10, note, NULL, A, 1);
    sched_at(s, 5000000000000LL, other, NULL, NULL, 0);
    assert_int_equal(sched_flush(s, note), 2);
    assert_string_equal(trace, "a1c3");
    assert_int_equal(sched_pending(s), 0);
    assert_true(sched_next(s) == INT64_MAX);
    sched_free(s);
}

static void chain(void *ctx, void *arg, uint64_t token)
{
    struct sched *s = ctx;

    note(NULL, arg, token);
    if (token < 3)
        sched_at(s, 0, chain, s, arg, token + 1); /* due now: runs in the same round */
}

static void test_sched_timers_added_while_running(void **state)
{
    struct sched *s = sched_new();

    (void)state;
    trace[0] = '\0';
    sched_at(s, 0, chain, s, X, 1);
    assert_int_equal(sched_run(s, 5), 3);
    assert_string_equal(trace, "x1x2x3");
    sched_free(s);
}

static void test_sched_many(void **state)
{
    struct sched *s = sched_new();
    unsigned x = 7;

    (void)state;
    trace[0] = '\0';
    for (int i = 0; i < 20000; i++) {
        x = x * 1103515245u + 12345u;
        sched_at(s, (int64_t)(x % 100000), note, NULL, E, 0);
    }
    for (int64_t last = -1; sched_pending(s);) {
        int64_t next = sched_next(s);

        assert_true(next >= last);
        last = next;
        sched_run(s, next);
    }
    sched_free(s);
}

struct pipe_ctx {
    struct evloop *l;
    int reads, other_fd;
};

static void on_read(void *ctx, int fd, uint32_t events)
{
    struct pipe_ctx *p = ctx;
    char buf[16];

    assert_true(events & EPOLLIN);
    assert_true(read(fd, buf, sizeof(buf)) > 0);
    p->reads++;
    evloop_del(p->l, p->other_fd); /* removing another fd mid-round is safe */
    evloop_stop(p->l);
}

static void test_evloop_fds_and_timers(void **state)
{
    struct vs_error err;
    struct evloop *l = evloop_new(&err);
    int a[2], b[2];
    struct pipe_ctx pa = {l, 0, -1}, pb = {l, 0, -1};
    int64_t t0 = clock_mono_ns();

    (void)state;
    assert_non_null(l);
    assert_int_equal(pipe(a), 0);
    assert_int_equal(pipe(b), 0);
    pa.other_fd = b[0];
    pb.other_fd = a[0];
    assert_int_equal(evloop_add(l, a[0], EPOLLIN, on_read, &pa, &err), 0);
    assert_int_equal(evloop_add(l, b[0], EPOLLIN, on_read, &pb, &err), 0);
    assert_int_equal(evloop_add(l, a[0], EPOLLIN, on_read, &pa, &err), -1);
    assert_non_null(strstr(err.msg, "already watched"));
    assert_int_equal(write(a[1], "x", 1), 1);
    assert_int_equal(write(b[1], "y", 1), 1);
    assert_int_equal(evloop_run_until_stopped(l, &err), 0);
    /* exactly one of the two ran: it removed the other before its turn */
    assert_int_equal(pa.reads + pb.reads, 1);
    /* a timer wakes the loop even with no fd ready */
    trace[0] = '\0';
    sched_at(evloop_sched(l), clock_mono_ns() + 20000000, note, NULL, T, 9);
    while (!trace[0])
        assert_true(evloop_run_once(l, 1000, &err) >= 0);
    assert_string_equal(trace, "t9");
    assert_true(clock_mono_ns() - t0 >= 20000000);
    assert_int_equal(evloop_mod(l, 12345, EPOLLIN, &err), -1);
    evloop_del(l, 12345); /* unknown: ignored */
    evloop_free(l);
    close(a[0]);
    close(a[1]);
    close(b[0]);
    close(b[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sched_order_and_ties),
        cmocka_unit_test(test_sched_flush),
        cmocka_unit_test(test_sched_timers_added_while_running),
        cmocka_unit_test(test_sched_many),
        cmocka_unit_test(test_evloop_fds_and_timers),
    };

    return cmocka_run_group_tests_name("evloop", tests, NULL, NULL);
}
