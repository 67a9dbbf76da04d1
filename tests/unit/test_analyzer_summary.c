/*
 * Statistics of samples/minimal.ndjson. Expected values come from an
 * independent computation (a few lines of Python over the same file, by
 * hand), not from the code under test.
 */
#include "unit.h"

#include <math.h>

#include "evstream.h"
#include "model.h"
#include "summary.h"

static struct model *load(const char *path)
{
    struct vs_error err;
    struct evstream *s = evstream_open(path, 0, &err);
    struct model *m = model_new();
    struct event ev;

    assert_non_null(s);
    while (evstream_next(s, &ev, &err) == EVSTREAM_EVENT) {
        assert_int_equal(model_add(m, &ev, &err), 0);
        event_release(&ev);
    }
    assert_int_equal(model_finish(m, &err), 0);
    evstream_free(s);
    return m;
}

#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-9)

static void test_minimal_sample(void **state)
{
    struct model *m = load("samples/minimal.ndjson");
    struct phase_stats *ps;
    size_t n;
    const struct phase_stats *create, *storm, *stop;
    struct vs_error err;

    (void)state;
    assert_int_equal(summary_compute(m, &ps, &n, &err), 0);
    create = summary_phase(ps, n, "create");
    storm = summary_phase(ps, n, "storm");
    stop = summary_phase(ps, n, "stop");
    assert_non_null(create);
    assert_non_null(storm);
    assert_non_null(stop);
    assert_null(summary_phase(ps, n, "namespaces")); /* no episodes, not stop */

    assert_int_equal(create->episodes, 2);
    assert_int_equal(create->without_t0, 0);
    assert_int_equal(create->ms[M_RUNNING].ok, 2);
    NEAR(create->ms[M_RUNNING].min, 16.995405992);
    NEAR(create->ms[M_RUNNING].max, 20.305703553);
    NEAR(create->ms[M_RUNNING].mean, (16.995405992 + 20.305703553) / 2);
    NEAR(create->ms[M_RUNNING].p50, (16.995405992 + 20.305703553) / 2);
    NEAR(create->ms[M_READY].max, 47.565703553);

    NEAR(storm->ms[M_RUNNING].min, 3.4851);
    NEAR(storm->ms[M_RUNNING].max, 4.487288);
    NEAR(storm->ms[M_READY].mean, (44.5751 + 46.407288) / 2);

    assert_int_equal(stop->stopped.ok, 2);
    NEAR(stop->stopped.min, 4.6036);
    NEAR(stop->stopped.max, 5.173);

    assert_string_equal(multiplier_verdict(storm->ms[M_RUNNING].mean / create->ms[M_RUNNING].mean),
                        "good");
    assert_string_equal(multiplier_verdict(1.99), "good");
    assert_string_equal(multiplier_verdict(2.0), "concerning");
    assert_string_equal(multiplier_verdict(4.99), "concerning");
    assert_string_equal(multiplier_verdict(5.0), "critical");
    free(ps);
    model_free(m);
}

/* An episode that never ran is censored: counted, kept out of the figures. */
static void test_censored(void **state)
{
    static const char text[] =
        "{\"v\":1,\"seq\":0,\"wall_ns\":1,\"mono_ns\":1000000000,\"kind\":\"phase_begin\","
        "\"phase\":\"create\"}\n"
        "{\"v\":1,\"seq\":1,\"wall_ns\":2,\"mono_ns\":2000000000,\"kind\":\"api_request\","
        "\"method\":\"POST\",\"verb\":\"create\",\"resource\":\"virtualmachines\",\"status\":201,"
        "\"duration_ns\":1,\"namespace\":\"a\",\"name\":\"vm\",\"phase\":\"create\"}\n"
        "{\"v\":1,\"seq\":2,\"wall_ns\":3,\"mono_ns\":2000000000,\"kind\":\"api_request\","
        "\"method\":\"POST\",\"verb\":\"create\",\"resource\":\"virtualmachines\",\"status\":201,"
        "\"duration_ns\":1,\"namespace\":\"b\",\"name\":\"vm\",\"phase\":\"create\"}\n"
        "{\"v\":1,\"seq\":3,\"wall_ns\":4,\"mono_ns\":3000000000,\"kind\":\"watch_event\","
        "\"resource\":\"virtualmachineinstances\",\"type\":\"ADDED\",\"source\":\"watch\","
        "\"namespace\":\"a\",\"name\":\"vm\",\"uid\":\"ua\",\"resource_version\":\"1\",\"changed\":"
        "{\"phase\":\"Running\"}}\n"
        "{\"v\":1,\"seq\":4,\"wall_ns\":5,\"mono_ns\":3000000000,\"kind\":\"watch_event\","
        "\"resource\":\"virtualmachineinstances\",\"type\":\"ADDED\",\"source\":\"watch\","
        "\"namespace\":\"b\",\"name\":\"vm\",\"uid\":\"ub\",\"resource_version\":\"2\",\"changed\":"
        "{\"phase\":\"Pending\"}}\n";
    struct vs_error err;
    struct evstream *s = evstream_from_mem(text, sizeof(text) - 1, "mem", 0, &err);
    struct model *m = model_new();
    struct event ev;
    struct phase_stats *ps;
    size_t n;

    (void)state;
    while (evstream_next(s, &ev, &err) == EVSTREAM_EVENT) {
        assert_int_equal(model_add(m, &ev, &err), 0);
        event_release(&ev);
    }
    assert_int_equal(model_finish(m, &err), 0);
    assert_int_equal(summary_compute(m, &ps, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(ps[0].episodes, 2);
    assert_int_equal(ps[0].ms[M_RUNNING].count, 2);
    assert_int_equal(ps[0].ms[M_RUNNING].ok, 1);
    assert_int_equal(ps[0].ms[M_RUNNING].censored, 1);
    NEAR(ps[0].ms[M_RUNNING].mean, 1.0); /* the censored one is not a zero */
    NEAR(ps[0].ms[M_RUNNING].max, 1.0);
    assert_int_equal(ps[0].ms[M_READY].ok, 0);
    assert_true(isnan(ps[0].ms[M_READY].mean));
    free(ps);
    evstream_free(s);
    model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal_sample),
        cmocka_unit_test(test_censored),
    };

    return cmocka_run_group_tests_name("analyzer_summary", tests, NULL, NULL);
}
