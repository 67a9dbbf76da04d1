/* The watch manager against vmstorm-sim, with and without dropped and expired watches. */
#include "unit.h"

#include "simproc.h"

#include "watcher.h"

#define MAX_VMS 20

struct seen {
    struct evloop *loop;
    struct kclient *c;
    char running[MAX_VMS][64]; /* VMI uids seen Running */
    int nrunning;
    char phases[4096]; /* "Pending,Scheduling,..." of vm-0 */
    char last_phase[32];
    int relist_changes, restarts, expired_restarts;
    int64_t last_received;
    int out_of_order;
    int created;
};

static struct simproc *running_sim;

static int stop_leftover(void **state)
{
    (void)state;
    if (running_sim && running_sim->pid > 0)
        simproc_stop(running_sim);
    running_sim = NULL;
    return 0;
}

static void on_change(void *ctx, const struct watch_change *ch)
{
    struct seen *s = ctx;
    const char *phase = ch->now->v[0]; /* VMI field 0: phase */
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(ch->obj, "metadata");
    const char *name = cJSON_GetObjectItemCaseSensitive(meta, "name")->valuestring;
    const char *uid = cJSON_GetObjectItemCaseSensitive(meta, "uid")->valuestring;

    assert_string_equal(track_field_name(TRACK_VMI, 0), "phase");
    if (ch->received.mono_ns < s->last_received)
        s->out_of_order++;
    s->last_received = ch->received.mono_ns;
    if (strcmp(ch->source, "relist") == 0)
        s->relist_changes++;

    /* vm-0's phase transitions (other tracked fields change too: ip, conditions) */
    if (strcmp(name, "vm-0") == 0 && phase && strcmp(ch->type, "DELETED") != 0 &&
        strcmp(phase, s->last_phase) != 0) {
        strncat(s->phases, phase, sizeof(s->phases) - strlen(s->phases) - 2);
        strcat(s->phases, ",");
        snprintf(s->last_phase, sizeof(s->last_phase), "%s", phase);
    }
    if (phase && strcmp(phase, "Running") == 0 && s->nrunning < MAX_VMS) {
        for (int i = 0; i < s->nrunning; i++)
            if (strcmp(s->running[i], uid) == 0)
                return;
        snprintf(s->running[s->nrunning++], 64, "%s", uid);
    }
}

static void on_restart(void *ctx, const struct watch_restart *r)
{
    struct seen *s = ctx;

    s->restarts++;
    s->expired_restarts += strcmp(r->reason, "expired") == 0;
}

static void on_created(void *ctx, const struct kresp *r)
{
    struct seen *s = ctx;

    assert_int_equal(r->status, 201);
    s->created++;
}

static void create_vms(struct seen *s, int n)
{
    static const char ns_body[] = "{\"metadata\":{\"name\":\"w\"}}";
    struct kreq ns = {.method = "POST",
                      .verb = "create",
                      .version = "v1",
                      .resource = "namespaces",
                      .path = "/api/v1/namespaces",
                      .body = ns_body,
                      .body_len = sizeof(ns_body) - 1,
                      .retry = 1};
    char body[512];

    assert_int_equal(kclient_request(s->c, &ns, on_created, s, NULL), 0);
    while (s->created < 1)
        evloop_run_once(s->loop, 100, NULL);
    for (int i = 0; i < n; i++) {
        struct kreq vm = {.method = "POST",
                          .verb = "create",
                          .group = "kubevirt.io",
                          .version = "v1",
                          .resource = "virtualmachines",
                          .ns = "w",
                          .path = "/apis/kubevirt.io/v1/namespaces/w/virtualmachines",
                          .retry = 1};

        snprintf(body, sizeof(body),
                 "{\"metadata\":{\"name\":\"vm-%d\"},\"spec\":{\"runStrategy\":\"Always\","
                 "\"template\":{\"metadata\":{\"labels\":{\"vmstorm.io/run\":\"t1\"}},"
                 "\"spec\":{\"domain\":{\"memory\":{\"guest\":\"1Gi\"}}}}}}",
                 i);
        vm.body = body;
        vm.body_len = strlen(body);
        assert_int_equal(kclient_request(s->c, &vm, on_created, s, NULL), 0);
    }
}

/* Count "vmi_phase:Running" lines of the simulator's truth file. */
static int truth_running(const struct simproc *p)
{
    char path[128], line[1024];
    FILE *f;
    int n = 0;

    snprintf(path, sizeof(path), "%s/truth.ndjson", p->dir);
    f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f))
        n += strstr(line, "\"what\":\"vmi_phase:Running\"") != NULL;
    fclose(f);
    return n;
}

static void run_scenario(const char *const *sim_args, int n, struct seen *s, struct simproc *p)
{
    struct kclient_config cfg = {0};
    struct watcher *w;

    memset(s, 0, sizeof(*s));
    running_sim = p;
    assert_int_equal(simproc_start(p, sim_args), 0);
    cfg.server = p->server;
    cfg.token = p->token;
    s->loop = evloop_new(NULL);
    s->c = kclient_new(s->loop, &cfg, NULL);
    w = watcher_new(s->c, s->loop, TRACK_VMI, "vmstorm.io/run=t1", on_change, on_restart, s, NULL);
    assert_non_null(w);
    assert_int_equal(watcher_start(w, NULL), 0);
    create_vms(s, n);
    /* bounded by time, not iterations: under relists a round takes microseconds */
    for (int64_t end = clock_mono_ns() + 60000000000LL; s->nrunning < n && clock_mono_ns() < end;)
        evloop_run_once(s->loop, 50, NULL);

    watcher_stop(w);
    for (int i = 0; i < 10; i++)
        evloop_run_once(s->loop, 10, NULL);
    assert_true(watcher_synced(w));
    kclient_free(s->c);
    watcher_free(w);
    evloop_free(s->loop);
}

static void test_phases_in_order(void **state)
{
    static const char *const args[] = {"--speed", "50", NULL};
    struct seen s;
    struct simproc p;

    (void)state;
    run_scenario(args, 3, &s, &p);
    assert_int_equal(s.nrunning, 3);
    assert_string_equal(s.phases, "Pending,Scheduling,Scheduled,Running,");
    assert_int_equal(s.out_of_order, 0);
    assert_int_equal(truth_running(&p), 3);
    running_sim = NULL;
    assert_int_equal(simproc_stop(&p), 0);
}

/* Watches dropped every second and every resume expired: nothing is lost. */
static void test_survives_drops_and_expiry(void **state)
{
    static const char *const args[] = {
        "--speed", "10", "--fault", "watch-drop:every=1s", "--fault", "watch-expire:share=1", NULL};
    struct seen s;
    struct simproc p;

    (void)state;
    run_scenario(args, 10, &s, &p);
    if (s.nrunning != 10)
        fail_msg("running %d, created %d, restarts %d (expired %d), relist changes %d", s.nrunning,
                 s.created, s.restarts, s.expired_restarts, s.relist_changes);

    assert_int_equal(truth_running(&p), 10); /* every Running in the truth was seen */
    assert_true(s.restarts >= 2);
    assert_true(s.expired_restarts >= 1);
    assert_true(s.relist_changes >= 1);
    running_sim = NULL;
    assert_int_equal(simproc_stop(&p), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_phases_in_order, stop_leftover),
        cmocka_unit_test_teardown(test_survives_drops_and_expiry, stop_leftover),
    };

    return cmocka_run_group_tests_name("collector_watcher", tests, NULL, NULL);
}
