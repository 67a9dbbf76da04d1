/* The collector's API client against a real vmstorm-sim. */
#include "unit.h"

#include "simproc.h"

#include "client.h"
#include "clock.h"

struct run {
    struct evloop *loop;
    struct kclient *c;
    int done;
    int status, attempts;
    char body[65536];
    char error[512];
    size_t streamed;
    char stream_text[65536];
    int observed;
    struct kattempt last; /* its pointers are valid only during the callback */
    char last_verb[32];
    int64_t sent_ns[64], end_ns[64];
};

static struct simproc *running_sim; /* stopped by teardown if a test fails */

static int stop_leftover(void **state)
{
    (void)state;
    if (running_sim && running_sim->pid > 0)
        simproc_stop(running_sim);
    running_sim = NULL;
    return 0;
}

static void on_done(void *ctx, const struct kresp *r)
{
    struct run *u = ctx;

    u->done++;
    u->status = r->status;
    u->attempts = r->attempts;
    snprintf(u->body, sizeof(u->body), "%s", r->body ? r->body : "");
    snprintf(u->error, sizeof(u->error), "%s", r->error ? r->error : "");
}

static int on_data(void *ctx, const char *data, size_t len)
{
    struct run *u = ctx;
    size_t room = sizeof(u->stream_text) - 1 - u->streamed;

    if (len > room)
        len = room;
    memcpy(u->stream_text + u->streamed, data, len);
    u->streamed += len;
    u->stream_text[u->streamed] = '\0';
    return 0;
}

static void on_attempt(void *ctx, const struct kattempt *a)
{
    struct run *u = ctx;

    if (u->observed < 64) {
        u->sent_ns[u->observed] = a->sent.mono_ns;
        u->end_ns[u->observed] = a->sent.mono_ns + a->duration_ns;
    }
    u->observed++;
    u->last = *a;
    snprintf(u->last_verb, sizeof(u->last_verb), "%s", a->req->verb ? a->req->verb : "");
}

static void run_until(struct run *u, int done)
{
    for (int i = 0; i < 3000 && u->done < done; i++)
        assert_true(evloop_run_once(u->loop, 100, NULL) >= 0);
    assert_true(u->done >= done);
}

static void setup_client(struct run *u, const struct simproc *s, double qps)
{
    struct kclient_config cfg = {0};

    memset(u, 0, sizeof(*u));
    cfg.server = s->server;
    cfg.token = s->token;
    cfg.qps = qps;
    cfg.burst = 1;
    u->loop = evloop_new(NULL);
    u->c = kclient_new(u->loop, &cfg, NULL);
    assert_non_null(u->c);
    kclient_set_observer(u->c, on_attempt, u);
}

static void teardown_client(struct run *u)
{
    kclient_free(u->c);
    evloop_free(u->loop);
}

static const struct kreq GET_VERSION = {.method = "GET", .verb = "get", .path = "/version"};

static void test_get_create_conflict(void **state)
{
    struct simproc s;
    struct run u;
    struct kreq ns = {.method = "POST",
                      .verb = "create",
                      .version = "v1",
                      .resource = "namespaces",
                      .name = "t1",
                      .path = "/api/v1/namespaces"};
    static const char body[] = "{\"metadata\":{\"name\":\"t1\"}}";

    (void)state;
    running_sim = &s;
    assert_int_equal(simproc_start(&s, NULL), 0);
    setup_client(&u, &s, 0);
    assert_int_equal(kclient_request(u.c, &GET_VERSION, on_done, &u, NULL), 0);
    run_until(&u, 1);
    assert_int_equal(u.status, 200);
    assert_non_null(strstr(u.body, "\"gitVersion\""));
    assert_int_equal(u.observed, 1);
    assert_string_equal(u.last_verb, "get");
    assert_true(u.last.duration_ns > 0 && u.last.bytes_received > 10);
    ns.body = body;
    ns.body_len = strlen(body);
    ns.retry = 1;
    assert_int_equal(kclient_request(u.c, &ns, on_done, &u, NULL), 0);
    run_until(&u, 2);
    assert_int_equal(u.status, 201);
    assert_int_equal(kclient_request(u.c, &ns, on_done, &u, NULL), 0);
    run_until(&u, 3);
    if (u.status != 409)
        fail_msg("status %d, error '%s'", u.status, u.error);
    assert_int_equal(u.status, 409); /* not retried: a conflict is an answer */
    assert_int_equal(u.attempts, 1);
    assert_non_null(strstr(u.body, "AlreadyExists"));
    assert_int_equal(kclient_pending(u.c), 0);
    teardown_client(&u);
    running_sim = NULL;
    assert_int_equal(simproc_stop(&s), 0);
}

static void test_retries_honour_retry_after(void **state)
{
    static const char *const fault[] = {"--fault", "http-error:code=429,share=0.6,retry-after=1",
                                        "--seed", "3", NULL};
    struct simproc s;
    struct run u;
    char body[128], name[32];
    int retried = 0;

    (void)state;
    running_sim = &s;
    assert_int_equal(simproc_start(&s, fault), 0);
    setup_client(&u, &s, 0);
    for (int i = 0; i < 6; i++) {
        struct kreq ns = {.method = "POST",
                          .verb = "create",
                          .version = "v1",
                          .resource = "namespaces",
                          .path = "/api/v1/namespaces"};

        snprintf(name, sizeof(name), "r%d", i);
        snprintf(body, sizeof(body), "{\"metadata\":{\"name\":\"%s\"}}", name);
        ns.body = body;
        ns.body_len = strlen(body);
        ns.retry = 1;
        ns.max_attempts = 20;
        u.done = 0;
        u.observed = 0;
        assert_int_equal(kclient_request(u.c, &ns, on_done, &u, NULL), 0);
        run_until(&u, 1);
        assert_int_equal(u.status, 201);
        assert_int_equal(u.attempts, u.observed); /* every attempt was reported */
        if (u.attempts > 1) {
            retried++;
            /* Retry-After: 1 s between the rejected attempt and the next one */
            assert_true(u.sent_ns[1] - u.sent_ns[0] >= 1000000000LL);
        }
    }
    assert_true(retried > 0); /* with share 0.6, some were rejected first */
    teardown_client(&u);
    running_sim = NULL;
    assert_int_equal(simproc_stop(&s), 0);
}

static void test_stream_and_cancel(void **state)
{
    struct simproc s;
    struct run u;
    struct kreq w = {.method = "GET",
                     .verb = "watch",
                     .version = "v1",
                     .resource = "namespaces",
                     .path = "/api/v1/namespaces?watch=1&timeoutSeconds=1"};
    uint64_t id;

    (void)state;
    running_sim = &s;
    assert_int_equal(simproc_start(&s, NULL), 0);
    setup_client(&u, &s, 0);
    assert_true(kclient_stream(u.c, &w, on_data, on_done, &u, NULL) > 0);
    run_until(&u, 1);
    assert_int_equal(u.status, 200);
    assert_string_equal(u.error, "");
    /* the simulator's nodes exist, namespaces none: the stream was just empty */
    w.path = "/api/v1/nodes?watch=1&timeoutSeconds=1";
    w.resource = "nodes";
    assert_true(kclient_stream(u.c, &w, on_data, on_done, &u, NULL) > 0);
    run_until(&u, 2);
    assert_non_null(strstr(u.stream_text, "{\"type\":\"ADDED\",\"object\":{"));
    assert_non_null(strstr(u.stream_text, "\"kind\":\"Node\""));
    /* a watch without timeout ends only when cancelled */
    w.path = "/api/v1/namespaces?watch=1";
    id = kclient_stream(u.c, &w, on_data, on_done, &u, NULL);
    for (int i = 0; i < 5; i++)
        evloop_run_once(u.loop, 50, NULL);
    assert_int_equal(u.done, 2);
    kclient_cancel(u.c, id);
    run_until(&u, 3);
    assert_string_equal(u.error, "cancelled");
    teardown_client(&u);
    running_sim = NULL;
    assert_int_equal(simproc_stop(&s), 0);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

static void test_rate_limit_spaces_requests(void **state)
{
    struct simproc s;
    struct run u;
    int64_t queued_ns;

    (void)state;
    running_sim = &s;
    assert_int_equal(simproc_start(&s, NULL), 0);
    setup_client(&u, &s, 20); /* 20 QPS, burst 1: one every 50 ms */
    queued_ns = clock_mono_ns();
    for (int i = 0; i < 6; i++)
        assert_int_equal(kclient_request(u.c, &GET_VERSION, on_done, &u, NULL), 0);
    run_until(&u, 6);
    assert_int_equal(u.observed, 6);
    /* attempts are reported as they complete, which need not be the order they
       were sent in (the first one also opens the connection): sort first.
       The six were queued at once, so the limiter gave them the times
       queued + 0, 50, ..., 250 ms (or later); a busy machine can only start one
       after its time (two late ones may then go close together), never
       before. So the bound is on each start against the queueing time, not
       between neighbours (1 us for the limiter's rounding). */
    qsort(u.sent_ns, 6, sizeof(u.sent_ns[0]), cmp_i64);
    for (int i = 1; i < 6; i++)
        if (u.sent_ns[i] - queued_ns < i * 50000000LL - 1000)
            fail_msg("request %d started %.3f ms after queueing, before its %d ms", i + 1,
                     (double)(u.sent_ns[i] - queued_ns) / 1e6, i * 50);

    teardown_client(&u);
    running_sim = NULL;
    assert_int_equal(simproc_stop(&s), 0);
}

static void test_unreachable_server(void **state)
{
    struct kclient_config cfg = {0};
    struct run u;
    struct kreq rq = GET_VERSION;

    (void)state;
    memset(&u, 0, sizeof(u));
    cfg.server = "http://127.0.0.1:1"; /* nothing listens on port 1 */
    u.loop = evloop_new(NULL);
    u.c = kclient_new(u.loop, &cfg, NULL);
    kclient_set_observer(u.c, on_attempt, &u);
    rq.retry = 1;
    rq.max_attempts = 3;
    assert_int_equal(kclient_request(u.c, &rq, on_done, &u, NULL), 0);
    run_until(&u, 1);
    assert_int_equal(u.status, 0);
    assert_int_equal(u.attempts, 3);
    assert_int_equal(u.observed, 3);
    assert_true(strlen(u.error) > 0);
    teardown_client(&u);
}

/* More requests than connections wait in the client, in order: with one connection, each
 * request is sent only after the one before it ended. */
static void test_queue_beyond_connections(void **state)
{
    struct simproc s;
    struct run u;
    struct kclient_config cfg = {0};

    (void)state;
    running_sim = &s;
    assert_int_equal(simproc_start(&s, NULL), 0);
    memset(&u, 0, sizeof(u));
    cfg.server = s.server;
    cfg.token = s.token;
    cfg.max_connections = 1;
    u.loop = evloop_new(NULL);
    u.c = kclient_new(u.loop, &cfg, NULL);
    assert_non_null(u.c);
    kclient_set_observer(u.c, on_attempt, &u);
    for (int i = 0; i < 6; i++)
        assert_int_equal(kclient_request(u.c, &GET_VERSION, on_done, &u, NULL), 0);
    assert_int_equal(kclient_pending(u.c), 6);
    run_until(&u, 6);
    assert_int_equal(u.status, 200);
    assert_int_equal(u.observed, 6);
    for (int i = 1; i < 6; i++)
        assert_true(u.sent_ns[i] >= u.end_ns[i - 1]);
    assert_int_equal(kclient_pending(u.c), 0);
    teardown_client(&u);
    running_sim = NULL;
    assert_int_equal(simproc_stop(&s), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_get_create_conflict, stop_leftover),
        cmocka_unit_test_teardown(test_retries_honour_retry_after, stop_leftover),
        cmocka_unit_test_teardown(test_stream_and_cancel, stop_leftover),
        cmocka_unit_test_teardown(test_rate_limit_spaces_requests, stop_leftover),
        cmocka_unit_test_teardown(test_queue_beyond_connections, stop_leftover),
        cmocka_unit_test(test_unreachable_server),
    };

    return cmocka_run_group_tests_name("collector_client", tests, NULL, NULL);
}
