/*
 * API-call counts. The expected figures for samples/minimal.ndjson come from
 * jq over the api_request events and a few lines of Python over the scrape
 * texts, not from the code under test; the synthetic scrapes' figures are
 * worked out by hand next to each series.
 */
#include "unit.h"

#include <errno.h>

#include "apicalls.h"
#include "evstream.h"

static void feed_file(struct apicalls *a, const char *path)
{
    struct vs_error err;
    struct evstream *s = evstream_open(path, 0, &err);
    struct event ev;

    assert_non_null(s);
    while (evstream_next(s, &ev, &err) == EVSTREAM_EVENT) {
        assert_int_equal(apicalls_add(a, &ev, &err), 0);
        event_release(&ev);
    }
    evstream_free(s);
}

/* Feed one event of kind with body (a JSON object's members, without braces). */
static void feed(struct apicalls *a, const char *kind, const char *body)
{
    static int64_t seq;
    struct vbuf line = VBUF_INIT(1 << 20);
    struct event ev;
    struct vs_error err = {0};

    assert_int_equal(
        vbuf_addf(&line, "{\"v\":1,\"seq\":%lld,\"wall_ns\":1,\"mono_ns\":1,\"kind\":\"%s\",%s}",
                  (long long)seq++, kind, body),
        0);
    if (event_decode(line.data, line.len, &ev, &err) != 0)
        fail_msg("bad test event: %s: %s", err.msg, line.data);
    assert_int_equal(apicalls_add(a, &ev, &err), 0);
    event_release(&ev);
    vbuf_release(&line);
}

/* A metrics_scrape event; text is Prometheus text (JSON-escaped here). */
static void scrape(struct apicalls *a, const char *phase, const char *source, const char *at,
                   int status, const char *text)
{
    cJSON *o = cJSON_CreateObject();
    char *body;
    size_t n;

    cJSON_AddStringToObject(o, "source", source);
    cJSON_AddStringToObject(o, "url", "https://127.0.0.1:8443/metrics");
    cJSON_AddStringToObject(o, "phase", phase);
    cJSON_AddStringToObject(o, "at", at);
    cJSON_AddNumberToObject(o, "status", status);
    cJSON_AddStringToObject(o, "text", text);
    if (status != 200)
        cJSON_AddStringToObject(o, "error", "HTTP 503");
    body = cJSON_PrintUnformatted(o);
    n = strlen(body);
    assert_true(n >= 2);
    body[n - 1] = '\0'; /* the members without the braces */
    feed(a, "metrics_scrape", body + 1);
    free(body);
    cJSON_Delete(o);
}

/* The JSON of a->[phase] path..., printed unformatted (free()). */
static char *json_at(const struct apicalls *a, const char *phase, const char *k1, const char *k2)
{
    cJSON *j = apicalls_json(a), *o;
    char *s;

    assert_non_null(j);
    o = cJSON_GetObjectItemCaseSensitive(j, phase);
    if (o && k1)
        o = cJSON_GetObjectItemCaseSensitive(o, k1);
    if (o && k2)
        o = cJSON_GetObjectItemCaseSensitive(o, k2);
    s = o ? cJSON_PrintUnformatted(o) : strdup("(missing)");
    cJSON_Delete(j);
    return s;
}

static void json_is(const struct apicalls *a, const char *phase, const char *k1, const char *k2,
                    const char *expected)
{
    char *s = json_at(a, phase, k1, k2);

    if (strcmp(s, expected) != 0)
        fail_msg("%s/%s/%s:\n got %s\nwant %s", phase, k1 ? k1 : "", k2 ? k2 : "", s, expected);
    free(s);
}

/* The whole CSV as a string (free()). */
static char *csv_of(const struct apicalls *a)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct vs_error err = {0};

    assert_non_null(f);
    assert_int_equal(apicalls_write_csv(a, f, &err), 0);
    fclose(f);
    return buf;
}

static char *print_of(const struct apicalls *a)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    assert_non_null(f);
    apicalls_print(a, f);
    fclose(f);
    return buf;
}

/* ---- samples/minimal.ndjson ---------------------------------------------------------------- */

static void test_minimal_phases_in_order(void **state)
{
    struct apicalls *a = apicalls_new();
    cJSON *j, *p;
    const char *expected[] = {"setup", "namespaces", "create", "stop", "storm", "cleanup"};
    size_t i = 0;

    (void)state;
    apicalls_set_phase_vms(a, "fio", 2); /* no events: not a phase of the output */
    feed_file(a, "samples/minimal.ndjson");
    j = apicalls_json(a);
    assert_non_null(j);
    cJSON_ArrayForEach(p, j)
    {
        assert_true(i < 6);
        assert_string_equal(p->string, expected[i]);
        i++;
    }
    assert_int_equal(i, 6);
    cJSON_Delete(j);
    apicalls_free(a);
}

static void test_minimal_collector(void **state)
{
    struct apicalls *a = apicalls_new();

    (void)state;
    feed_file(a, "samples/minimal.ndjson");
    apicalls_set_phase_vms(a, "storm", 2);
    apicalls_set_phase_vms(a, "create", 4);
    apicalls_set_phase_vms(a, "stop", 0);
    json_is(a, "storm", "collector", NULL,
            "{\"total\":10,\"failed\":2,\"retried\":1,\"throttled_429\":1,\"per_vm\":5,"
            "\"by_verb_resource\":{\"get /metrics\":4,\"list virtualmachineinstances\":1,"
            "\"update virtualmachines/start\":3,\"watch virtualmachineinstances\":2}}");
    json_is(a, "create", "collector", NULL,
            "{\"total\":2,\"failed\":0,\"retried\":0,\"throttled_429\":0,\"per_vm\":0.5,"
            "\"by_verb_resource\":{\"create virtualmachines\":2}}");
    json_is(a, "stop", "collector", "per_vm", "null"); /* 0 VMs */
    json_is(a, "stop", "collector", "by_verb_resource", "{\"update virtualmachines/stop\":2}");
    json_is(a, "setup", "collector", "total", "11");
    json_is(a, "setup", "collector", "per_vm", "null"); /* not told */
    json_is(a, "setup", "collector", "by_verb_resource",
            "{\"get /version\":1,\"list datavolumes\":1,\"list kubevirts\":1,\"list nodes\":1,"
            "\"list pods\":1,\"list virtualmachineinstances\":1,\"list virtualmachines\":1,"
            "\"watch datavolumes\":1,\"watch pods\":1,\"watch virtualmachineinstances\":1,"
            "\"watch virtualmachines\":1}");
    json_is(a, "cleanup", "collector", NULL,
            "{\"total\":4,\"failed\":2,\"retried\":0,\"throttled_429\":0,\"per_vm\":null,"
            "\"by_verb_resource\":{\"delete namespaces\":2,\"get namespaces\":2}}");
    json_is(a, "cleanup", "metrics", NULL, "{}");
    apicalls_free(a);
}

static void test_minimal_metrics(void **state)
{
    struct apicalls *a = apicalls_new();

    (void)state;
    feed_file(a, "samples/minimal.ndjson");
    /* apiserver, end - begin: PUT start 202 0->2 and 429 0->1, PUT stop 2->2, PATCH vmi
       31->48, PATCH pods/status 12->20, WATCH vmi 3->5 */
    json_is(
        a, "storm", "metrics", "apiserver",
        "{\"status\":\"ok\",\"counts\":{\"PATCH-pods-count\":8,"
        "\"PATCH-virtualmachineinstances-count\":17,\"UPDATE-virtualmachines-count\":3,"
        "\"WATCH-virtualmachineinstances-count\":2},\"total\":30,\"resets\":0,\"reset_series\":[],"
        "\"only_at_end\":0,\"only_at_end_series\":[]}");
    /* the end scrape timed out: unavailable, not zero */
    json_is(a, "storm", "metrics", "virt-controller",
            "{\"status\":\"unavailable\",\"reason\":\"end scrape failed: status 0: Operation "
            "timed out after 5000 milliseconds with 0 bytes received\"}");
    apicalls_free(a);
}

static void test_minimal_csv(void **state)
{
    struct apicalls *a = apicalls_new();
    char *csv;

    (void)state;
    feed_file(a, "samples/minimal.ndjson");
    csv = csv_of(a);
    assert_string_equal(csv, "phase,origin,source,name,count\n"
                             "setup,collector,,failed,0\n"
                             "setup,collector,,get /version,1\n"
                             "setup,collector,,list datavolumes,1\n"
                             "setup,collector,,list kubevirts,1\n"
                             "setup,collector,,list nodes,1\n"
                             "setup,collector,,list pods,1\n"
                             "setup,collector,,list virtualmachineinstances,1\n"
                             "setup,collector,,list virtualmachines,1\n"
                             "setup,collector,,retried,0\n"
                             "setup,collector,,throttled_429,0\n"
                             "setup,collector,,total,11\n"
                             "setup,collector,,watch datavolumes,1\n"
                             "setup,collector,,watch pods,1\n"
                             "setup,collector,,watch virtualmachineinstances,1\n"
                             "setup,collector,,watch virtualmachines,1\n"
                             "namespaces,collector,,create namespaces,2\n"
                             "namespaces,collector,,failed,0\n"
                             "namespaces,collector,,retried,0\n"
                             "namespaces,collector,,throttled_429,0\n"
                             "namespaces,collector,,total,2\n"
                             "create,collector,,create virtualmachines,2\n"
                             "create,collector,,failed,0\n"
                             "create,collector,,retried,0\n"
                             "create,collector,,throttled_429,0\n"
                             "create,collector,,total,2\n"
                             "stop,collector,,failed,0\n"
                             "stop,collector,,retried,0\n"
                             "stop,collector,,throttled_429,0\n"
                             "stop,collector,,total,2\n"
                             "stop,collector,,update virtualmachines/stop,2\n"
                             "storm,collector,,failed,2\n"
                             "storm,collector,,get /metrics,4\n"
                             "storm,collector,,list virtualmachineinstances,1\n"
                             "storm,collector,,retried,1\n"
                             "storm,collector,,throttled_429,1\n"
                             "storm,collector,,total,10\n"
                             "storm,collector,,update virtualmachines/start,3\n"
                             "storm,collector,,watch virtualmachineinstances,2\n"
                             "storm,metrics,apiserver,PATCH-pods-count,8\n"
                             "storm,metrics,apiserver,PATCH-virtualmachineinstances-count,17\n"
                             "storm,metrics,apiserver,UPDATE-virtualmachines-count,3\n"
                             "storm,metrics,apiserver,WATCH-virtualmachineinstances-count,2\n"
                             "cleanup,collector,,delete namespaces,2\n"
                             "cleanup,collector,,failed,2\n"
                             "cleanup,collector,,get namespaces,2\n"
                             "cleanup,collector,,retried,0\n"
                             "cleanup,collector,,throttled_429,0\n"
                             "cleanup,collector,,total,4\n");
    free(csv);
    apicalls_free(a);
}

static void test_minimal_print(void **state)
{
    struct apicalls *a = apicalls_new();
    char *out;

    (void)state;
    feed_file(a, "samples/minimal.ndjson");
    apicalls_set_phase_vms(a, "storm", 2);
    out = print_of(a);
    if (!strstr(out, "  storm: 10 requests by the collector (2 failed, 1 retried, 1 throttled "
                     "429), 5.00 per VM\n"
                     "    top: 4 get /metrics, 3 update virtualmachines/start, 2 watch "
                     "virtualmachineinstances, 1 list virtualmachineinstances\n"
                     "    apiserver: PATCH-virtualmachineinstances-count 17, PATCH-pods-count 8, "
                     "UPDATE-virtualmachines-count 3, WATCH-virtualmachineinstances-count 2\n"
                     "    virt-controller: unavailable (end scrape failed: status 0: Operation "
                     "timed out after 5000 milliseconds with 0 bytes received)\n") ||
        strncmp(out, "API calls\n  setup: 11 requests", 30) != 0 || !strstr(out, "(+6 more)"))
        fail_msg("got:\n%s", out);
    free(out);
    apicalls_free(a);
}

/* ---- synthetic scrapes ---------------------------------------------------------------------- */

#define KV "kubevirt_rest_client_requests_total"
/* One sample of KV: its labels (inside the braces) and value. */
#define KVS(labels, value) KV "{" labels "} " value "\n"
#define HOST "host=\"10.0.0.1:6443\","
#define QUOTED_HOST "host=\"a \\\"quoted\\\" \\\\ host\\nx\","

static const char vc_begin[] =
    "# HELP " KV " Number of HTTP requests, partitioned by status code, method, and host.\n"
    "# TYPE " KV " counter\n"
    /* PATCH virtualmachineinstances */
    KVS("code=\"200\"," HOST "method=\"PATCH\",resource=\"virtualmachineinstances\",verb=\"PATCH\"",
        "26")
    /* CREATE pods */
    KVS("code=\"201\"," HOST "method=\"POST\",resource=\"pods\",verb=\"CREATE\"", "10")
    /* UPDATE virtualmachineinstances, to be reset */
    KVS("code=\"200\"," HOST "method=\"PUT\",resource=\"virtualmachineinstances\",verb=\"UPDATE\"",
        "100")
    /* GET nodes, to stay */
    KVS("code=\"200\"," HOST "method=\"GET\",resource=\"nodes\",verb=\"GET\"", "5")
    /* PATCH pods, with an escaped host */
    KVS("code=\"200\"," QUOTED_HOST "method=\"PATCH\",resource=\"pods\",verb=\"PATCH\"", "3")
    /* KubeVirt's label for a URL it could not parse */
    KVS("code=\"200\",host=\"h\",method=\"GET\",resource=\"none\",verb=\"none\"", "1")
    /* the old name */
    "rest_client_requests_total{code=\"200\",host=\"h\",method=\"PATCH\",resource=\"pods\","
    "verb=\"PATCH\"} 0\n"
    /* another family */
    "kubevirt_vmi_phase_count{phase=\"Running\"} NaN\n";

static const char vc_end[] =
    /* labels in another order, blanks: the same series; 26 -> 40: +14 */
    KVS(" verb=\"PATCH\", resource=\"virtualmachineinstances\",method=\"PATCH\"," HOST
        "code=\"200\" ",
        "40")
    /* 10 -> 12: +2 */
    KVS("code=\"201\"," HOST "method=\"POST\",resource=\"pods\",verb=\"CREATE\"", "12")
    /* only at end: +4 */
    KVS("code=\"409\"," HOST "method=\"PUT\",resource=\"virtualmachineinstances\",verb=\"UPDATE\"",
        "4")
    /* 100 -> 7: reset, +7 (so UPDATE-virtualmachineinstances-count = 11) */
    KVS("code=\"200\"," HOST "method=\"PUT\",resource=\"virtualmachineinstances\",verb=\"UPDATE\"",
        "7")
    /* 5 -> 5: nothing, no GET-nodes-count */
    KVS("code=\"200\"," HOST "method=\"GET\",resource=\"nodes\",verb=\"GET\"", "5")
    /* escaped host, 3 -> 9: +6 (were the keys different it would be +9, only at end) */
    KVS("code=\"200\"," QUOTED_HOST "method=\"PATCH\",resource=\"pods\",verb=\"PATCH\"", "9")
    /* KubeVirt's "none": kept as it is, 1 -> 2: +1 */
    KVS("code=\"200\",host=\"h\",method=\"GET\",resource=\"none\",verb=\"none\"", "2")
    /* only at end with 0: nothing, not listed */
    KVS("code=\"200\",host=\"h\",method=\"DELETE\",resource=\"pods\",verb=\"DELETE\"", "0")
    /* the old name beside the new one: ignored */
    "rest_client_requests_total{code=\"200\",host=\"h\",method=\"PATCH\",resource=\"pods\","
    "verb=\"PATCH\"} 50\n"
    "kubevirt_vmi_phase_count{phase=\"Running\"} 2\n";

static void test_deltas_resets_and_new_series(void **state)
{
    struct apicalls *a = apicalls_new();

    (void)state;
    scrape(a, "storm", "virt-controller", "begin", 200, vc_begin);
    json_is(a, "storm", "metrics", "virt-controller",
            "{\"status\":\"unavailable\",\"reason\":\"no end scrape\"}");
    scrape(a, "storm", "virt-controller", "end", 200, vc_end);
    json_is(
        a, "storm", "metrics", "virt-controller",
        "{\"status\":\"ok\",\"counts\":{\"CREATE-pods-count\":2,\"PATCH-pods-count\":6,"
        "\"PATCH-virtualmachineinstances-count\":14,"
        "\"UPDATE-virtualmachineinstances-count\":11,\"none-none-count\":1},"
        "\"total\":34,\"resets\":1,\"reset_series\":[\"" KV
        "{code=\\\"200\\\",host=\\\"10.0.0.1:6443\\\","
        "method=\\\"PUT\\\",resource=\\\"virtualmachineinstances\\\",verb=\\\"UPDATE\\\"}\"],"
        "\"only_at_end\":1,\"only_at_end_series\":[\"" KV "{code=\\\"409\\\","
        "host=\\\"10.0.0.1:6443\\\",method=\\\"PUT\\\",resource=\\\"virtualmachineinstances\\\","
        "verb=\\\"UPDATE\\\"}\"]}");
    apicalls_free(a);
}

/* apiserver_request_total: POST/PUT renamed, subresources dropped, non-resource skipped. */
static void test_apiserver_names(void **state)
{
    struct apicalls *a = apicalls_new();
    static const char begin[] = "apiserver_request_total{code=\"201\",resource=\"virtualmachines\","
                                "subresource=\"\",verb=\"POST\"} 1\n";
    static const char end[] =
        "apiserver_request_total{code=\"201\",resource=\"virtualmachines\",subresource=\"\","
        "verb=\"POST\"} 3\n" /* +2 */
        "apiserver_request_total{code=\"200\",resource=\"virtualmachines\",subresource=\"start\","
        "verb=\"PUT\"} 2\n" /* +2 */
        "apiserver_request_total{code=\"200\",resource=\"virtualmachines\",subresource=\"\","
        "verb=\"PUT\"} 1\n" /* +1: UPDATE-virtualmachines-count 3 */
        "apiserver_request_total{code=\"200\",resource=\"pods\",subresource=\"status\","
        "verb=\"PATCH\"} 4\n"
        "apiserver_request_total{code=\"200\",resource=\"pods\",subresource=\"\","
        "verb=\"APPLY\"} 1\n"
        "apiserver_request_total{code=\"200\",resource=\"pods\",subresource=\"\","
        "verb=\"DELETECOLLECTION\"} 1\n"
        "apiserver_request_total{code=\"200\",resource=\"\",subresource=\"\",verb=\"GET\"} 99\n"
        "apiserver_request_total{code=\"200\",subresource=\"\",verb=\"GET\"} 98\n"
        "rest_client_requests_total{code=\"200\",host=\"[::1]:6443\",method=\"GET\"} 97\n";

    (void)state;
    scrape(a, "create", "apiserver", "begin", 200, begin);
    scrape(a, "create", "apiserver", "end", 200, end);
    json_is(
        a, "create", "metrics", "apiserver", /* all but the POST: only at end */
        "{\"status\":\"ok\",\"counts\":{\"APPLY-pods-count\":1,\"CREATE-virtualmachines-count\":"
        "2,\"DELETECOLLECTION-pods-count\":1,\"PATCH-pods-count\":4,"
        "\"UPDATE-virtualmachines-count\":3},\"total\":11,\"resets\":0,\"reset_series\":[],"
        "\"only_at_end\":5,\"only_at_end_series\":[\"apiserver_request_total{code=\\\"200\\\","
        "resource=\\\"pods\\\",subresource=\\\"\\\",verb=\\\"APPLY\\\"}\","
        "\"apiserver_request_total{code=\\\"200\\\",resource=\\\"pods\\\",subresource=\\\"\\\","
        "verb=\\\"DELETECOLLECTION\\\"}\",\"apiserver_request_total{code=\\\"200\\\","
        "resource=\\\"pods\\\",subresource=\\\"status\\\",verb=\\\"PATCH\\\"}\","
        "\"apiserver_request_total{code=\\\"200\\\",resource=\\\"virtualmachines\\\","
        "subresource=\\\"\\\",verb=\\\"PUT\\\"}\",\"apiserver_request_total{code=\\\"200\\\","
        "resource=\\\"virtualmachines\\\",subresource=\\\"start\\\",verb=\\\"PUT\\\"}\"]}");
    apicalls_free(a);
}

/* KubeVirt's older name counts when the scrape has only it. */
static void test_plain_rest_client_alone(void **state)
{
    struct apicalls *a = apicalls_new();

    (void)state;
    scrape(a, "storm", "virt-handler", "begin", 200,
           "rest_client_requests_total{code=\"200\",method=\"PATCH\",resource=\"pods\","
           "verb=\"PATCH\"} 5\n");
    scrape(a, "storm", "virt-handler", "end", 200,
           "rest_client_requests_total{code=\"200\",method=\"PATCH\",resource=\"pods\","
           "verb=\"PATCH\"} 12\n");
    json_is(a, "storm", "metrics", "virt-handler", /* 5 -> 12 */
            "{\"status\":\"ok\",\"counts\":{\"PATCH-pods-count\":7},\"total\":7,\"resets\":0,"
            "\"reset_series\":[],\"only_at_end\":0,\"only_at_end_series\":[]}");
    apicalls_free(a);
}

static void unavailable_is(struct apicalls *a, const char *phase, const char *source,
                           const char *reason)
{
    char expected[1024];

    snprintf(expected, sizeof(expected), "{\"status\":\"unavailable\",\"reason\":\"%s\"}", reason);
    json_is(a, phase, "metrics", source, expected);
}

static void test_unavailable(void **state)
{
    struct apicalls *a = apicalls_new();
    char *csv;

    (void)state;
    scrape(a, "p1", "apiserver", "begin", 503, "");
    scrape(a, "p1", "apiserver", "end", 200, "apiserver_request_total{verb=\"GET\"} 1\n");
    unavailable_is(a, "p1", "apiserver", "begin scrape failed: status 503: HTTP 503");

    scrape(a, "p2", "apiserver", "begin", 200, "a 1\n");
    scrape(a, "p2", "apiserver", "end", 200, "");
    unavailable_is(a, "p2", "apiserver", "end scrape failed: empty text");

    scrape(a, "p3", "apiserver", "begin", 200, "a 1\n");
    scrape(a, "p3", "apiserver", "end", 200, "# TYPE x counter\nx{code=\"200\" verb=\"GET\"} 1\n");
    unavailable_is(a, "p3", "apiserver",
                   "end scrape: 2:14: expected ',' or '}' after label 'code'");

    scrape(a, "p4", "apiserver", "begin", 200, "a{b=\"c\\q\"} 1\n");
    scrape(a, "p4", "apiserver", "end", 200, "a 2\n");
    unavailable_is(a, "p4", "apiserver",
                   "begin scrape: 1:7: invalid escape sequence in the value of label 'b'");

    scrape(a, "p5", "apiserver", "end", 200, "a 2\n");
    unavailable_is(a, "p5", "apiserver", "no begin scrape");

    scrape(a, "p6", "apiserver", "begin", 200, "a 1\n");
    scrape(a, "p6", "apiserver", "end", 200, "a 2\n");
    json_is(a, "p6", "metrics", "apiserver", /* no series that count: ok, nothing */
            "{\"status\":\"ok\",\"counts\":{},\"total\":0,\"resets\":0,\"reset_series\":[],"
            "\"only_at_end\":0,\"only_at_end_series\":[]}");
    scrape(a, "p6", "apiserver", "end", 200, "a 3\n");
    unavailable_is(a, "p6", "apiserver", "more than one end scrape");

    /* a second begin starts over */
    scrape(a, "p7", "apiserver", "begin", 0, "");
    scrape(a, "p7", "apiserver", "begin", 200,
           "apiserver_request_total{resource=\"pods\",verb=\"GET\"} 4\n");
    scrape(a, "p7", "apiserver", "end", 200,
           "apiserver_request_total{resource=\"pods\",verb=\"GET\"} 6\n");
    json_is(a, "p7", "metrics", "apiserver",
            "{\"status\":\"ok\",\"counts\":{\"GET-pods-count\":2},"
            "\"total\":2,\"resets\":0,\"reset_series\":[],\"only_at_end\":0,\"only_at_end_series\":"
            "[]}");

    /* an unknown `at` is ignored */
    scrape(a, "p8", "apiserver", "middle", 200, "a 1\n");
    json_is(a, "p8", NULL, NULL, "(missing)");

    csv = csv_of(a); /* unavailable sources have no rows */
    assert_string_equal(csv, "phase,origin,source,name,count\n"
                             "p1,collector,,failed,0\np1,collector,,retried,0\n"
                             "p1,collector,,throttled_429,0\np1,collector,,total,0\n"
                             "p2,collector,,failed,0\np2,collector,,retried,0\n"
                             "p2,collector,,throttled_429,0\np2,collector,,total,0\n"
                             "p3,collector,,failed,0\np3,collector,,retried,0\n"
                             "p3,collector,,throttled_429,0\np3,collector,,total,0\n"
                             "p4,collector,,failed,0\np4,collector,,retried,0\n"
                             "p4,collector,,throttled_429,0\np4,collector,,total,0\n"
                             "p5,collector,,failed,0\np5,collector,,retried,0\n"
                             "p5,collector,,throttled_429,0\np5,collector,,total,0\n"
                             "p6,collector,,failed,0\np6,collector,,retried,0\n"
                             "p6,collector,,throttled_429,0\np6,collector,,total,0\n"
                             "p7,collector,,failed,0\np7,collector,,retried,0\n"
                             "p7,collector,,throttled_429,0\np7,collector,,total,0\n"
                             "p7,metrics,apiserver,GET-pods-count,2\n");
    free(csv);
    apicalls_free(a);
}

/* Fields that need quoting are quoted; sources sorted; other kinds ignored. */
static void test_csv_quoting_and_order(void **state)
{
    struct apicalls *a = apicalls_new();
    char *csv;

    (void)state;
    feed(a, "warning", "\"message\":\"x\",\"code\":\"x\"");
    feed(a, "api_request",
         "\"method\":\"GET\",\"verb\":\"get\",\"resource\":\"\",\"status\":200,"
         "\"duration_ns\":1,\"path\":\"/x,\\\"y\\\"\",\"phase\":\"a,b\"");
    scrape(a, "a,b", "zeta", "begin", 200,
           "apiserver_request_total{resource=\"pods\",verb=\"GET\"} 1\n");
    scrape(a, "a,b", "alpha", "begin", 200,
           "apiserver_request_total{resource=\"pods\",verb=\"LIST\"} 1\n");
    scrape(a, "a,b", "zeta", "end", 200,
           "apiserver_request_total{resource=\"pods\",verb=\"GET\"} 3\n");
    scrape(a, "a,b", "alpha", "end", 200,
           "apiserver_request_total{resource=\"pods\",verb=\"LIST\"} 1.5\n");
    csv = csv_of(a);
    /* alpha's 0.5 is below 1: nothing, as in perfscale-audit */
    assert_string_equal(csv, "phase,origin,source,name,count\n"
                             "\"a,b\",collector,,failed,0\n"
                             "\"a,b\",collector,,\"get /x,\"\"y\"\"\",1\n"
                             "\"a,b\",collector,,retried,0\n"
                             "\"a,b\",collector,,throttled_429,0\n"
                             "\"a,b\",collector,,total,1\n"
                             "\"a,b\",metrics,zeta,GET-pods-count,2\n");
    free(csv);
    apicalls_free(a);
}

/* A failed write is an error. */
static void test_csv_write_error(void **state)
{
    struct apicalls *a = apicalls_new();
    FILE *f = fopen("/dev/full", "w");
    struct vs_error err = {0};

    (void)state;
    feed_file(a, "samples/minimal.ndjson");
    assert_non_null(f);
    setvbuf(f, NULL, _IONBF, 0);
    assert_int_equal(apicalls_write_csv(a, f, &err), -1);
    assert_int_not_equal(err.code, 0);
    fclose(f);
    apicalls_free(a);
}

static void test_empty(void **state)
{
    struct apicalls *a = apicalls_new();
    char *out, *csv;

    (void)state;
    apicalls_free(NULL);
    json_is(a, "x", NULL, NULL, "(missing)");
    out = print_of(a);
    assert_string_equal(out, "API calls\n  (no api_request or metrics_scrape events)\n");
    csv = csv_of(a);
    assert_string_equal(csv, "phase,origin,source,name,count\n");
    free(out);
    free(csv);
    apicalls_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal_phases_in_order),
        cmocka_unit_test(test_minimal_collector),
        cmocka_unit_test(test_minimal_metrics),
        cmocka_unit_test(test_minimal_csv),
        cmocka_unit_test(test_minimal_print),
        cmocka_unit_test(test_deltas_resets_and_new_series),
        cmocka_unit_test(test_apiserver_names),
        cmocka_unit_test(test_plain_rest_client_alone),
        cmocka_unit_test(test_unavailable),
        cmocka_unit_test(test_csv_quoting_and_order),
        cmocka_unit_test(test_csv_write_error),
        cmocka_unit_test(test_empty),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
