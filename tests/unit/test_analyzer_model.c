/* The analyzer's episodes from samples/minimal.ndjson (values checked by hand with jq). */
#include "unit.h"

#include "evstream.h"
#include "model.h"

static struct model *load(const char *path)
{
    struct vs_error err;
    struct evstream *s = evstream_open(path, 0, &err);
    struct model *m = model_new();
    struct event ev;
    enum evstream_status st;

    assert_non_null(s);
    assert_non_null(m);
    while ((st = evstream_next(s, &ev, &err)) == EVSTREAM_EVENT) {
        assert_int_equal(model_add(m, &ev, &err), 0);
        event_release(&ev);
    }
    assert_int_equal(st, EVSTREAM_EOF);
    assert_int_equal(model_finish(m, &err), 0);
    evstream_free(s);
    return m;
}

static const struct episode *find(const struct model *m, const char *uid_prefix)
{
    for (const struct episode *e = m->first; e; e = e->next)
        if (strncmp(e->uid, uid_prefix, strlen(uid_prefix)) == 0)
            return e;
    return NULL;
}

static void test_minimal_sample(void **state)
{
    char path[512];
    struct model *m;
    const struct episode *c1, *s1, *s2;

    (void)state;
    snprintf(path, sizeof(path), "%s/samples/minimal.ndjson", getenv("TOP") ? getenv("TOP") : ".");
    m = load(path);
    assert_string_equal(m->run_id, "sample-minimal");
    assert_int_equal(m->n_episodes, 4);
    assert_int_equal(m->n_phases, 6);
    assert_string_equal(m->phases[1].name, "create");
    assert_string_equal(m->phases[1].status, "ok");
    assert_true(m->has_run_end);

    /* vmstorm-1's creation: every milestone, t0 the POST (seq 17) */
    c1 = find(m, "2a7c9e41");
    assert_non_null(c1);
    assert_string_equal(c1->phase, "create");
    assert_string_equal(c1->ns, "vmstorm-1");
    assert_string_equal(c1->node, "sim-worker-1");
    assert_true(c1->has_t0);
    assert_true(c1->t0.mono_ns == INT64_C(5000036512008));
    assert_true(c1->at[M_VMI_CREATED].mono_ns == INT64_C(5014681918000));
    assert_true(c1->at[M_SCHEDULED].mono_ns == INT64_C(5016381918000));
    assert_true(c1->at[M_RUNNING].mono_ns == INT64_C(5017031918000));
    assert_true(c1->at[M_IP].mono_ns == INT64_C(5017031918000));
    assert_true(c1->at[M_READY].mono_ns == INT64_C(5043461918000));
    assert_true(c1->at[M_AGENT].mono_ns == INT64_C(5047841918000));
    assert_true(c1->reached & (1u << M_VM_RUNNING));
    assert_string_equal(c1->probe, "ready");
    /* stopped by the PUT stop of seq 55, gone at seq 61 */
    assert_true(c1->gone && c1->has_stop);
    assert_true(c1->stop_t0.mono_ns == INT64_C(5055000601339));
    assert_true(c1->gone_at.mono_ns == INT64_C(5059604201339));

    /* vmstorm-1's storm start: t0 the PUT start of seq 75 */
    s1 = find(m, "5d8e1f2a");
    assert_non_null(s1);
    assert_string_equal(s1->phase, "storm");
    assert_true(s1->t0.mono_ns == INT64_C(5063065131202));
    assert_true(s1->at[M_RUNNING].mono_ns == INT64_C(5066550231202));
    assert_true(s1->at[M_READY].mono_ns == INT64_C(5107640231202));
    assert_false(s1->gone);

    /* vmstorm-2's storm start was retried: its first attempt (seq 76) is t0, not seq 82 */
    s2 = find(m, "c0a3e7b9");
    assert_non_null(s2);
    assert_true(s2->t0.mono_ns == INT64_C(5063065343202));
    model_free(m);
}

/* A request line written after the VMI's first watch event still is its t0; a VMI never
 * Running has no running milestone. */
static void test_out_of_order_and_censored(void **state)
{
    static const char text[] =
        "{\"v\":1,\"seq\":0,\"wall_ns\":1000,\"mono_ns\":1000,\"kind\":\"phase_begin\",\"phase\":"
        "\"create\"}\n"
        "{\"v\":1,\"seq\":1,\"wall_ns\":3000,\"mono_ns\":3000,\"kind\":\"watch_event\","
        "\"resource\":\"virtualmachineinstances\",\"type\":\"ADDED\",\"source\":\"watch\","
        "\"namespace\":\"a\",\"name\":\"vm\",\"uid\":\"u1\",\"resource_version\":\"1\",\"changed\":"
        "{\"phase\":\"Pending\"}}\n"
        "{\"v\":1,\"seq\":2,\"wall_ns\":2000,\"mono_ns\":2000,\"kind\":\"api_request\",\"method\":"
        "\"POST\",\"verb\":\"create\",\"resource\":\"virtualmachines\",\"status\":201,\"duration_"
        "ns\":5000,\"namespace\":\"a\",\"name\":\"vm\",\"attempt\":1,\"phase\":\"create\"}\n"
        "{\"v\":1,\"seq\":3,\"wall_ns\":4000,\"mono_ns\":4000,\"kind\":\"watch_event\","
        "\"resource\":\"virtualmachineinstances\",\"type\":\"MODIFIED\",\"source\":\"watch\","
        "\"namespace\":\"a\",\"name\":\"vm\",\"uid\":\"u1\",\"resource_version\":\"2\",\"changed\":"
        "{\"phase\":\"Scheduling\"}}\n";
    struct vs_error err;
    struct evstream *s = evstream_from_mem(text, sizeof(text) - 1, "mem", 0, &err);
    struct model *m = model_new();
    struct event ev;

    (void)state;
    while (evstream_next(s, &ev, &err) == EVSTREAM_EVENT) {
        assert_int_equal(model_add(m, &ev, &err), 0);
        event_release(&ev);
    }
    assert_int_equal(model_finish(m, &err), 0);
    assert_int_equal(m->n_episodes, 1);
    assert_true(m->first->has_t0);
    assert_true(m->first->t0.mono_ns == 2000);
    assert_false(m->first->reached & (1u << M_RUNNING));
    assert_false(m->first->reached & (1u << M_READY));
    assert_string_equal(m->first->probe, "");
    evstream_free(s);
    model_free(m);
}

/* Lines of a made-up run: a VMI event, a VM printableStatus, a create request. */
#define L_BEGIN "{\"v\":1,\"seq\":%d,\"wall_ns\":%d,\"mono_ns\":%d,"
#define L_VMI                                                                                      \
    L_BEGIN "\"kind\":\"watch_event\",\"resource\":\"virtualmachineinstances\",\"type\":"          \
            "\"MODIFIED\",\"source\":\"watch\",\"namespace\":\"%s\",\"name\":\"vm\",\"uid\":"      \
            "\"%s\",\"resource_version\":\"%d\",\"changed\":{\"phase\":\"%s\"}}\n"
#define L_VM                                                                                       \
    L_BEGIN "\"kind\":\"watch_event\",\"resource\":\"virtualmachines\",\"type\":\"MODIFIED\","     \
            "\"source\":\"watch\",\"namespace\":\"%s\",\"name\":\"vm\",\"uid\":\"vm-%s\","         \
            "\"resource_version\":\"%d\",\"changed\":{\"printable_status\":\"%s\"}}\n"
#define L_POST                                                                                     \
    L_BEGIN "\"kind\":\"api_request\",\"method\":\"POST\",\"verb\":\"create\",\"resource\":"       \
            "\"virtualmachines\",\"status\":201,\"duration_ns\":5,\"namespace\":\"%s\",\"name\":"  \
            "\"vm\",\"attempt\":1,\"phase\":\"create\"}\n"

static const struct episode *by_ns(const struct model *m, const char *ns)
{
    for (const struct episode *e = m->first; e; e = e->next)
        if (strcmp(e->ns, ns) == 0)
            return e;
    return NULL;
}

/* A start is failed when the VM showed a failing printableStatus (or the VMI went Failed)
 * within its phase and it never got ready; the status after the phase does not count. */
static void test_failed_starts(void **state)
{
    char text[8192];
    int n = 0, seq = 0;
    struct vs_error err;
    struct evstream *s;
    struct model *m = model_new();
    struct event ev;
    const struct episode *e;

#define ADD(...) n += snprintf(text + n, sizeof(text) - (size_t)n, __VA_ARGS__)
    (void)state;
    ADD(L_BEGIN "\"kind\":\"phase_begin\",\"phase\":\"create\"}\n", seq, 1000, 1000), seq++;
    /* crash: an old failure before its request is not its own; CrashLoopBackOff is */
    ADD(L_VM, seq, 1500, 1500, "crash", "c", seq, "ErrImagePull"), seq++;
    ADD(L_POST, seq, 2000, 2000, "crash"), seq++;
    ADD(L_VMI, seq, 2100, 2100, "crash", "c", seq, "Scheduling"), seq++;
    ADD(L_VM, seq, 2200, 2200, "crash", "c", seq, "Starting"), seq++;
    ADD(L_VM, seq, 5000, 5000, "crash", "c", seq, "CrashLoopBackOff"), seq++;
    /* failedvmi: only the VMI's phase says so */
    ADD(L_POST, seq, 2000, 2000, "failedvmi"), seq++;
    ADD(L_VMI, seq, 2100, 2100, "failedvmi", "f", seq, "Failed"), seq++;
    /* late: its status turns failing only after the phase ended */
    ADD(L_POST, seq, 2000, 2000, "late"), seq++;
    ADD(L_VMI, seq, 2100, 2100, "late", "l", seq, "Scheduling"), seq++;
    ADD(L_VM, seq, 2200, 2200, "late", "l", seq, "Starting"), seq++;
    ADD(L_BEGIN "\"kind\":\"phase_end\",\"phase\":\"create\",\"status\":\"failed\"}\n", seq, 6000,
        6000),
        seq++;
    ADD(L_VM, seq, 7000, 7000, "crash", "c", seq, "Stopped"), seq++;
    ADD(L_VM, seq, 7000, 7000, "late", "l", seq, "ErrorUnschedulable"), seq++;
#undef ADD
    s = evstream_from_mem(text, (size_t)n, "mem", 0, &err);
    assert_non_null(s);
    while (evstream_next(s, &ev, &err) == EVSTREAM_EVENT) {
        assert_int_equal(model_add(m, &ev, &err), 0);
        event_release(&ev);
    }
    assert_int_equal(model_finish(m, &err), 0);
    assert_int_equal(m->n_episodes, 3);

    e = by_ns(m, "crash");
    assert_non_null(e);
    assert_string_equal(e->vm_status, "CrashLoopBackOff"); /* not the Stopped after the phase */
    assert_string_equal(e->vm_failure, "CrashLoopBackOff");
    assert_string_equal(episode_failure(e), "CrashLoopBackOff");

    e = by_ns(m, "failedvmi");
    assert_non_null(e);
    assert_string_equal(e->vm_status, "");
    assert_string_equal(episode_failure(e), "Failed");

    e = by_ns(m, "late");
    assert_non_null(e);
    assert_string_equal(e->vm_status, "Starting");
    assert_null(episode_failure(e));
    evstream_free(s);
    model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal_sample),
        cmocka_unit_test(test_out_of_order_and_censored),
        cmocka_unit_test(test_failed_starts),
    };

    return cmocka_run_group_tests_name("analyzer_model", tests, NULL, NULL);
}
