/*
 * fio results. Expected figures come from the sample files themselves, read
 * with jq and rounded by hand to 6 decimals (and the across-VM percentiles
 * from a few lines of Python), not from the code under test.
 */
#include "unit.h"

#include <errno.h>

#include "fio.h"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long len;

    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    len = ftell(f);
    assert_true(len > 0);
    rewind(f);
    buf = malloc((size_t)len + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
    buf[len] = '\0';
    fclose(f);
    return buf;
}

static cJSON *parse(const char *text)
{
    cJSON *j = cJSON_Parse(text);

    assert_non_null(j);
    return j;
}

/* A fio_result event, envelope included; fio (owned by the event) may be NULL. */
static cJSON *event(const char *ns, const char *name, const char *uid, const char *result,
                    cJSON *fio)
{
    cJSON *e = parse("{\"v\":1,\"seq\":7,\"wall_ns\":1795261189000000000,"
                     "\"mono_ns\":123456789,\"kind\":\"fio_result\"}");

    if (ns)
        cJSON_AddStringToObject(e, "namespace", ns);
    if (name)
        cJSON_AddStringToObject(e, "name", name);
    if (uid)
        cJSON_AddStringToObject(e, "uid", uid);
    if (result)
        cJSON_AddStringToObject(e, "result", result);
    if (fio)
        cJSON_AddItemToObject(e, "fio", fio);
    cJSON_AddNumberToObject(e, "exit_status", 0);
    return e;
}

static cJSON *sample(const char *path)
{
    char *text = slurp(path);
    cJSON *j = parse(text);

    free(text);
    return j;
}

static void add(struct fio_set *s, cJSON *ev)
{
    struct vs_error err;

    assert_int_equal(fio_set_add(s, ev, &err), 0);
    cJSON_Delete(ev);
}

static void add_sample(struct fio_set *s, const char *ns, const char *name, const char *path)
{
    add(s, event(ns, name, "uid-1", "ok", sample(path)));
}

static const cJSON *get(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

static const cJSON *vm_at(const cJSON *fio, int i)
{
    const cJSON *vm = cJSON_GetArrayItem(get(fio, "per_vm"), i);

    assert_non_null(vm);
    return vm;
}

/* o[key] is exactly the number want (both rounded to 6 decimals already). */
#define NUM(o, key, want)                                                                          \
    do {                                                                                           \
        const cJSON *n_ = get((o), (key));                                                         \
        if (!cJSON_IsNumber(n_) || n_->valuedouble != (want))                                      \
            fail_msg("%s: got %.17g, want %.17g", (key),                                           \
                     cJSON_IsNumber(n_) ? n_->valuedouble : -1.0, (double)(want));                 \
    } while (0)
#define ABSENT(o, key) assert_null(get((o), (key)))
#define ISNULL(o, key) assert_true(cJSON_IsNull(get((o), (key))))

/* randread-4k.json: one job; its write side did nothing. */
static void test_randread_sample(void **state)
{
    struct fio_set *s = fio_set_new();
    cJSON *j;
    const cJSON *vm, *rd, *wr;

    (void)state;
    add_sample(s, "ns", "vm-1", "samples/fio/randread-4k.json");
    assert_int_equal(fio_set_count(s), 1);
    j = fio_set_json(s);
    NUM(j, "vms", 1);
    NUM(j, "ok", 1);
    NUM(j, "failed", 0);
    NUM(j, "invalid", 0);
    vm = vm_at(j, 0);
    assert_string_equal(get(vm, "namespace")->valuestring, "ns");
    assert_string_equal(get(vm, "name")->valuestring, "vm-1");
    assert_string_equal(get(vm, "uid")->valuestring, "uid-1");
    assert_string_equal(get(vm, "status")->valuestring, "ok");
    ABSENT(vm, "reason");
    NUM(vm, "jobs", 1);
    rd = get(vm, "read");
    NUM(rd, "iops", 8179.606798);
    NUM(rd, "bw_kib_s", 32718);
    NUM(rd, "lat_mean_ms", 0.119754); /* lat_ns.mean 119753.919135 */
    NUM(rd, "clat_p50_ms", 0.113152);
    NUM(rd, "clat_p95_ms", 0.164864);
    NUM(rd, "clat_p99_ms", 0.218112);
    assert_string_equal(get(rd, "clat_pct_source")->valuestring, "fio");
    wr = get(vm, "write");
    NUM(wr, "iops", 0); /* a real zero */
    NUM(wr, "bw_kib_s", 0);
    ABSENT(wr, "lat_mean_ms"); /* no IO: no mean, no percentiles */
    ABSENT(wr, "clat_p50_ms");
    ABSENT(wr, "clat_p99_ms");
    ABSENT(wr, "clat_pct_source");
    cJSON_Delete(j);
    fio_set_free(s);
}

static void check_randrw(const cJSON *vm)
{
    const cJSON *rd = get(vm, "read"), *wr = get(vm, "write");

    NUM(rd, "iops", 7950.016661);
    NUM(rd, "bw_kib_s", 31800);
    NUM(rd, "lat_mean_ms", 0.110721); /* 110721.485623 ns */
    NUM(rd, "clat_p50_ms", 0.103936);
    NUM(rd, "clat_p95_ms", 0.144384);
    NUM(rd, "clat_p99_ms", 0.191488);
    NUM(wr, "iops", 3400.199933);
    NUM(wr, "bw_kib_s", 13600);
    NUM(wr, "lat_mean_ms", 0.00766); /* 7659.571247 ns */
    NUM(wr, "clat_p50_ms", 0.007072);
    NUM(wr, "clat_p95_ms", 0.011456);
    NUM(wr, "clat_p99_ms", 0.015552);
}

static void check_randrw_plus(const cJSON *vm)
{
    const cJSON *rd = get(vm, "read"), *wr = get(vm, "write");

    NUM(rd, "iops", 8744.418527);
    NUM(rd, "bw_kib_s", 34977);
    NUM(rd, "lat_mean_ms", 0.101156); /* 101156.25524 ns */
    NUM(rd, "clat_p50_ms", 0.098816);
    NUM(rd, "clat_p95_ms", 0.132096);
    NUM(rd, "clat_p99_ms", 0.173056);
    NUM(wr, "iops", 3737.754082);
    NUM(wr, "bw_kib_s", 14951);
    NUM(wr, "lat_mean_ms", 0.007445); /* 7445.10279 ns */
    NUM(wr, "clat_p50_ms", 0.007264);
    NUM(wr, "clat_p95_ms", 0.010944);
    NUM(wr, "clat_p99_ms", 0.014272);
}

/* The keys of two objects, in order, are the same. */
static void same_keys(const cJSON *a, const cJSON *b)
{
    const cJSON *x = a->child, *y = b->child;

    for (; x && y; x = x->next, y = y->next)
        assert_string_equal(x->string, y->string);
    assert_null(x);
    assert_null(y);
}

/* json and json+ of the same kind give the same shape; json+ without its bins the same figures. */
static void test_json_vs_jsonplus(void **state)
{
    struct fio_set *s = fio_set_new();
    cJSON *plain_bins = sample("samples/fio/randrw-4k-jsonplus.json"), *j;
    cJSON *job = cJSON_GetArrayItem(cJSON_GetObjectItem(plain_bins, "jobs"), 0);

    (void)state;
    for (int d = 0; d < 2; d++) {
        cJSON *clat =
            cJSON_GetObjectItem(cJSON_GetObjectItem(job, d ? "write" : "read"), "clat_ns");

        assert_non_null(cJSON_GetObjectItem(clat, "bins"));
        cJSON_DeleteItemFromObject(clat, "bins");
    }
    add_sample(s, "ns", "a-json", "samples/fio/randrw-4k.json");
    add_sample(s, "ns", "b-jsonplus", "samples/fio/randrw-4k-jsonplus.json");
    add(s, event("ns", "c-jsonplus-nobins", "uid-1", "ok", plain_bins));
    j = fio_set_json(s);
    NUM(j, "ok", 3);
    check_randrw(vm_at(j, 0));
    check_randrw_plus(vm_at(j, 1));
    check_randrw_plus(vm_at(j, 2));
    for (int i = 1; i < 3; i++) {
        same_keys(vm_at(j, 0), vm_at(j, i));
        same_keys(get(vm_at(j, 0), "read"), get(vm_at(j, i), "read"));
        same_keys(get(vm_at(j, 0), "write"), get(vm_at(j, i), "write"));
    }
    assert_true(cJSON_Compare(get(vm_at(j, 1), "read"), get(vm_at(j, 2), "read"), 1));
    assert_true(cJSON_Compare(get(vm_at(j, 1), "write"), get(vm_at(j, 2), "write"), 1));
    cJSON_Delete(j);
    fio_set_free(s);
}

static void test_failed_result(void **state)
{
    struct fio_set *s = fio_set_new();
    cJSON *ev = event("ns", "vm-1", "uid-9", "failed", NULL), *j;
    const cJSON *vm;

    (void)state;
    cJSON_ReplaceItemInObject(ev, "exit_status", cJSON_CreateNumber(1));
    cJSON_AddStringToObject(ev, "error", "fio exited with status 1");
    cJSON_AddStringToObject(ev, "stderr_tail", "fio: pid=0, err=5/file:io_u.c");
    add(s, ev);
    add(s, event("ns", "vm-2", NULL, "failed", NULL)); /* no error: still failed */
    assert_int_equal(fio_set_count(s), 2);
    j = fio_set_json(s);
    NUM(j, "vms", 2);
    NUM(j, "ok", 0);
    NUM(j, "failed", 2);
    vm = vm_at(j, 0);
    assert_string_equal(get(vm, "status")->valuestring, "failed");
    assert_string_equal(get(vm, "reason")->valuestring, "fio exited with status 1");
    NUM(vm, "exit_status", 1);
    ABSENT(vm, "jobs");
    ISNULL(vm, "read");
    ISNULL(vm, "write");
    vm = vm_at(j, 1);
    ISNULL(vm, "uid");
    assert_string_equal(get(vm, "status")->valuestring, "failed");
    assert_non_null(get(vm, "reason")->valuestring);
    /* no ok VM: sums and spreads have no value */
    ISNULL(get(get(j, "total"), "read"), "iops_sum");
    NUM(get(get(get(j, "across_vms"), "write"), "iops"), "n", 0);
    ISNULL(get(get(get(j, "across_vms"), "write"), "iops"), "p99");
    cJSON_Delete(j);
    fio_set_free(s);
}

/* ok results whose fio JSON is not usable, and malformed events: kept, "invalid". */
static void test_invalid_results(void **state)
{
    static const struct {
        const char *fio;
        const char *reason;
    } cases[] = {
        {"{\"fio version\":\"fio-3.33\",\"client_stats\":[]}", "the fio JSON has no 'jobs' array"},
        {"{\"jobs\":{}}", "the fio JSON has no 'jobs' array"},
        {"{\"jobs\":[]}", "the fio JSON has no jobs"},
        {"{\"jobs\":[{\"jobname\":\"x\",\"mixed\":{\"iops\":5}}]}",
         "the fio JSON has no 'read' or 'write' figures"},
        {"{\"jobs\":[{\"jobname\":\"x\",\"read\":{}}]}",
         "the fio JSON has no 'read' or 'write' figures"},
    };
    struct fio_set *s = fio_set_new();
    cJSON *j;
    char name[16];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(name, sizeof(name), "vm-%zu", i);
        add(s, event("ns", name, "u", "ok", parse(cases[i].fio)));
    }
    add(s, event("ns", "vm-5", "u", "ok", NULL));
    add(s, event("ns", "vm-6", "u", "maybe", NULL));
    add(s, event("ns", "vm-7", "u", NULL, NULL));
    add(s, event(NULL, "vm-8", "u", "ok", sample("samples/fio/randread-4k.json")));
    add(s, event("ns", "vm-9", "u", "ok",
                 parse("{\"jobs\":[{\"jobname\":\"j1\",\"error\":5,\"read\":{\"iops\":1}}]}")));
    assert_int_equal(fio_set_count(s), 10);
    j = fio_set_json(s);
    NUM(j, "vms", 10);
    NUM(j, "ok", 0);
    NUM(j, "failed", 1);
    NUM(j, "invalid", 9);
    /* sorted: the nameless one ("" namespace) first */
    assert_string_equal(get(vm_at(j, 0), "reason")->valuestring,
                        "the event has no 'namespace' or 'name'");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const cJSON *vm = vm_at(j, (int)i + 1);

        assert_string_equal(get(vm, "status")->valuestring, "invalid");
        assert_string_equal(get(vm, "reason")->valuestring, cases[i].reason);
        ISNULL(vm, "read");
    }
    NUM(vm_at(j, 3), "jobs", 0);
    assert_string_equal(get(vm_at(j, 6), "reason")->valuestring, "the event has no 'fio' object");
    assert_string_equal(get(vm_at(j, 7), "reason")->valuestring, "unknown result 'maybe'");
    assert_string_equal(get(vm_at(j, 8), "reason")->valuestring, "the event has no 'result'");
    assert_string_equal(get(vm_at(j, 9), "status")->valuestring, "failed");
    assert_string_equal(get(vm_at(j, 9), "reason")->valuestring, "fio job 'j1' reported error 5");
    cJSON_Delete(j);
    fio_set_free(s);
}

/* Two jobs (hand-made, plain json): sums, the IO-weighted mean, the max of the percentiles. */
static const char two_jobs[] =
    "{\"jobs\":["
    "{\"jobname\":\"a\",\"error\":0,"
    "\"read\":{\"iops\":100,\"bw\":400,\"lat_ns\":{\"N\":300,\"mean\":1000000},"
    "\"clat_ns\":{\"N\":300,\"percentile\":{\"50.000000\":1000000,\"95.000000\":2000000,"
    "\"99.000000\":5000000}}},"
    "\"write\":{\"iops\":0,\"bw\":0,\"lat_ns\":{\"N\":0,\"mean\":0},\"clat_ns\":{\"N\":0}}},"
    "{\"jobname\":\"b\",\"error\":0,"
    "\"read\":{\"iops\":300.5,\"bw\":1200,\"lat_ns\":{\"N\":900,\"mean\":2000000},"
    "\"clat_ns\":{\"N\":900,\"percentile\":{\"50.000000\":1500000,\"95.000000\":1800000,"
    "\"99.000000\":3000000}}},"
    "\"write\":{\"iops\":0,\"bw\":0,\"lat_ns\":{\"N\":0,\"mean\":0},\"clat_ns\":{\"N\":0}}}]}";

static void test_two_jobs(void **state)
{
    struct fio_set *s = fio_set_new();
    const cJSON *rd;
    cJSON *j;

    (void)state;
    add(s, event("ns", "vm", "u1", "ok", parse(two_jobs)));
    j = fio_set_json(s);
    rd = get(vm_at(j, 0), "read");
    NUM(vm_at(j, 0), "jobs", 2);
    NUM(rd, "iops", 400.5);
    NUM(rd, "bw_kib_s", 1600);
    NUM(rd, "lat_mean_ms", 1.75); /* (300 * 1 + 900 * 2) / 1200 */
    NUM(rd, "clat_p50_ms", 1.5);
    NUM(rd, "clat_p95_ms", 2);
    NUM(rd, "clat_p99_ms", 5);
    assert_string_equal(get(rd, "clat_pct_source")->valuestring, "max_over_jobs");
    cJSON_Delete(j);
    fio_set_free(s);
}

/* Two json+ jobs: the percentiles come from the merged bins, not the jobs' own. */
static void test_two_jobs_bins(void **state)
{
    /* merged: 1000:50 2000:35 3000:4 4000:9 5000:2 (cumulative 50 85 89 98 100): P50 is
       the first value whose cumulative count REACHES half, 1000 */
    static const char fio[] =
        "{\"jobs\":["
        "{\"jobname\":\"a\",\"read\":{\"iops\":10,\"bw\":40,\"lat_ns\":{\"N\":54,\"mean\":2000},"
        "\"clat_ns\":{\"N\":54,\"percentile\":{\"50.000000\":9000000,\"95.000000\":9000000,"
        "\"99.000000\":9000000},\"bins\":{\"3000\":4,\"1000\":50}}}},"
        "{\"jobname\":\"b\",\"read\":{\"iops\":20,\"bw\":80,\"lat_ns\":{\"N\":46,\"mean\":3000},"
        "\"clat_ns\":{\"N\":46,\"percentile\":{\"50.000000\":9000000,\"95.000000\":9000000,"
        "\"99.000000\":9000000},\"bins\":{\"2000\":35,\"4000\":9,\"5000\":2}}}}]}";
    struct fio_set *s = fio_set_new();
    cJSON *twice = sample("samples/fio/randrw-4k-jsonplus.json"), *j;
    cJSON *jobs = cJSON_GetObjectItem(twice, "jobs");
    const cJSON *rd, *wr;

    (void)state;
    add(s, event("ns", "vm-1", "u1", "ok", parse(fio)));
    j = fio_set_json(s);
    rd = get(vm_at(j, 0), "read");
    NUM(rd, "iops", 30);
    NUM(rd, "lat_mean_ms", 0.00246); /* (54 * 2000 + 46 * 3000) / 100 ns */
    NUM(rd, "clat_p50_ms", 0.001);
    NUM(rd, "clat_p95_ms", 0.004);
    NUM(rd, "clat_p99_ms", 0.005);
    assert_string_equal(get(rd, "clat_pct_source")->valuestring, "bins");
    cJSON_Delete(j);

    /* the json+ sample's job twice: same distribution, so fio's own percentiles */
    cJSON_AddItemToArray(jobs, cJSON_Duplicate(cJSON_GetArrayItem(jobs, 0), 1));
    add(s, event("ns", "vm-2", "u2", "ok", twice));
    j = fio_set_json(s);
    rd = get(vm_at(j, 1), "read");
    wr = get(vm_at(j, 1), "write");
    NUM(rd, "iops", 17488.837054);
    NUM(rd, "bw_kib_s", 69954);
    NUM(rd, "lat_mean_ms", 0.101156);
    NUM(rd, "clat_p50_ms", 0.098816);
    NUM(rd, "clat_p95_ms", 0.132096);
    NUM(rd, "clat_p99_ms", 0.173056);
    NUM(wr, "clat_p50_ms", 0.007264);
    NUM(wr, "clat_p95_ms", 0.010944);
    NUM(wr, "clat_p99_ms", 0.014272);
    assert_string_equal(get(wr, "clat_pct_source")->valuestring, "bins");
    cJSON_Delete(j);
    fio_set_free(s);
}

/* A later result for the same VM replaces the earlier one. */
static void test_replace(void **state)
{
    struct fio_set *s = fio_set_new();
    cJSON *j;

    (void)state;
    add(s, event("ns", "vm", "u1", "failed", NULL));
    add_sample(s, "ns", "vm", "samples/fio/randread-4k.json");
    assert_int_equal(fio_set_count(s), 1);
    j = fio_set_json(s);
    NUM(j, "ok", 1);
    NUM(j, "failed", 0);
    cJSON_Delete(j);
    fio_set_free(s);
}

/* The across-VM figures over the three samples; a failed VM stays out. */
static void test_across_vms(void **state)
{
    struct fio_set *s = fio_set_new();
    const cJSON *t, *a;
    cJSON *j;

    (void)state;
    add_sample(s, "ns", "vm-1", "samples/fio/randread-4k.json");
    add_sample(s, "ns", "vm-2", "samples/fio/randrw-4k.json");
    add_sample(s, "ns", "vm-3", "samples/fio/randrw-4k-jsonplus.json");
    add(s, event("ns", "vm-4", "u", "failed", NULL));
    j = fio_set_json(s);
    t = get(j, "total");
    NUM(get(t, "read"), "iops_sum", 24874.041986);
    NUM(get(t, "read"), "bw_kib_s_sum", 99495);
    NUM(get(t, "write"), "iops_sum", 7137.954015);
    NUM(get(t, "write"), "bw_kib_s_sum", 28551);
    a = get(get(get(j, "across_vms"), "read"), "iops");
    NUM(a, "n", 3);
    NUM(a, "min", 7950.016661);
    NUM(a, "avg", 8291.347329);
    NUM(a, "p50", 8179.606798);
    NUM(a, "p95", 8687.937354);
    NUM(a, "p99", 8733.122292);
    NUM(a, "max", 8744.418527);
    a = get(get(get(j, "across_vms"), "read"), "clat_p99_ms");
    NUM(a, "n", 3);
    NUM(a, "min", 0.173056);
    NUM(a, "avg", 0.194219);
    NUM(a, "p50", 0.191488);
    NUM(a, "p95", 0.21545);
    NUM(a, "p99", 0.21758);
    NUM(a, "max", 0.218112);
    a = get(get(get(j, "across_vms"), "write"), "iops");
    NUM(a, "n", 3); /* randread's write side counts, with 0 IOPS */
    NUM(a, "min", 0);
    NUM(a, "p50", 3400.199933);
    NUM(a, "p95", 3703.998667);
    NUM(a, "p99", 3731.002999);
    a = get(get(get(j, "across_vms"), "write"), "clat_p99_ms");
    NUM(a, "n", 2); /* ... but has no latency */
    NUM(a, "avg", 0.014912);
    NUM(a, "p95", 0.015488);
    NUM(a, "p99", 0.015539);
    cJSON_Delete(j);
    fio_set_free(s);
}

static const char two_jobs_json[] =
    "{\"vms\":1,\"ok\":1,\"failed\":0,\"invalid\":0,\"per_vm\":[{\"namespace\":\"ns\","
    "\"name\":\"vm\",\"uid\":\"u1\",\"status\":\"ok\",\"exit_status\":0,\"jobs\":2,"
    "\"read\":{\"iops\":400.5,\"bw_kib_s\":1600,\"lat_mean_ms\":1.75,\"clat_p50_ms\":1.5,"
    "\"clat_p95_ms\":2,\"clat_p99_ms\":5,\"clat_pct_source\":\"max_over_jobs\"},"
    "\"write\":{\"iops\":0,\"bw_kib_s\":0}}],"
    "\"total\":{\"read\":{\"iops_sum\":400.5,\"bw_kib_s_sum\":1600},"
    "\"write\":{\"iops_sum\":0,\"bw_kib_s_sum\":0}},"
    "\"across_vms\":{\"read\":{\"iops\":{\"n\":1,\"min\":400.5,\"avg\":400.5,\"p50\":400.5,"
    "\"p95\":400.5,\"p99\":400.5,\"max\":400.5},\"clat_p99_ms\":{\"n\":1,\"min\":5,\"avg\":5,"
    "\"p50\":5,\"p95\":5,\"p99\":5,\"max\":5}},\"write\":{\"iops\":{\"n\":1,\"min\":0,\"avg\":0,"
    "\"p50\":0,\"p95\":0,\"p99\":0,\"max\":0},\"clat_p99_ms\":{\"n\":0,\"min\":null,"
    "\"avg\":null,\"p50\":null,\"p95\":null,\"p99\":null,\"max\":null}}}}";

static char *print_set(const struct fio_set *s)
{
    cJSON *j = fio_set_json(s);
    char *text;

    assert_non_null(j);
    text = cJSON_Print(j);
    assert_non_null(text);
    cJSON_Delete(j);
    return text;
}

/* The exact document, and the same bytes whatever the order of the events. */
static void test_json_deterministic(void **state)
{
    struct fio_set *s = fio_set_new(), *t = fio_set_new();
    cJSON *j;
    char *text, *a, *b;
    static const char *const files[] = {"samples/fio/randread-4k.json",
                                        "samples/fio/randrw-4k.json",
                                        "samples/fio/randrw-4k-jsonplus.json"};

    (void)state;
    add(s, event("ns", "vm", "u1", "ok", parse(two_jobs)));
    j = fio_set_json(s);
    text = cJSON_PrintUnformatted(j);
    assert_string_equal(text, two_jobs_json);
    free(text);
    cJSON_Delete(j);
    fio_set_free(s);

    s = fio_set_new();
    for (int i = 0; i < 3; i++) {
        char name[8];

        snprintf(name, sizeof(name), "vm-%d", i);
        add_sample(s, i == 1 ? "b" : "a", name, files[i]);
        snprintf(name, sizeof(name), "vm-%d", 2 - i);
        add_sample(t, 2 - i == 1 ? "b" : "a", name, files[2 - i]);
    }
    add(s, event("a", "vm-x", "u", "failed", NULL));
    add(t, event("a", "vm-x", "u", "failed", NULL));
    a = print_set(s);
    b = print_set(t);
    assert_string_equal(a, b);
    free(b);
    b = print_set(s);
    assert_string_equal(a, b);
    free(a);
    free(b);
    fio_set_free(s);
    fio_set_free(t);
}

static char *csv_of(const struct fio_set *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct vs_error err;

    assert_non_null(f);
    assert_int_equal(fio_set_write_csv(s, f, &err), 0);
    fclose(f);
    return buf;
}

static void test_csv_bytes(void **state)
{
    static const char want[] =
        "namespace,name,uid,status,read_iops,read_bw_kib_s,read_lat_mean_ms,read_clat_p50_ms,"
        "read_clat_p95_ms,read_clat_p99_ms,write_iops,write_bw_kib_s,write_lat_mean_ms,"
        "write_clat_p50_ms,write_clat_p95_ms,write_clat_p99_ms,reason\n"
        "a,vm-1,uid-1,failed,,,,,,,,,,,,,\"fio exited 1: \"\"disk\"\", gone\"\n"
        "a,vm-2,uid-1,ok,8179.606798,32718,0.119754,0.113152,0.164864,0.218112,"
        "0,0,,,,,\n"
        "a,vm-3,uid-1,ok,400.5,1600,1.75,1.5,2,5,0,0,,,,,\n"
        "b,vm-0,,invalid,,,,,,,,,,,,,the fio JSON has no 'jobs' array\n"
        "b,vm-4,uid-1,ok,7950.016661,31800,0.110721,0.103936,0.144384,0.191488,"
        "3400.199933,13600,0.00766,0.007072,0.011456,0.015552,\n";
    struct fio_set *s = fio_set_new();
    cJSON *failed = event("a", "vm-1", "uid-1", "failed", NULL);
    char *got;

    (void)state;
    cJSON_AddStringToObject(failed, "error", "fio exited 1: \"disk\", gone");
    add_sample(s, "b", "vm-4", "samples/fio/randrw-4k.json");
    add(s, event("b", "vm-0", NULL, "ok", parse("{\"fio version\":\"fio-3.33\"}")));
    add(s, event("a", "vm-3", "uid-1", "ok", parse(two_jobs)));
    add_sample(s, "a", "vm-2", "samples/fio/randread-4k.json");
    add(s, failed);
    got = csv_of(s);
    assert_string_equal(got, want);
    free(got);
    fio_set_free(s);
}

/* A write error comes back with its errno. */
static void test_csv_write_error(void **state)
{
    struct fio_set *s = fio_set_new();
    FILE *f = fopen("/dev/full", "w");
    struct vs_error err;

    (void)state;
    if (!f)
        skip();
    add_sample(s, "a", "vm-2", "samples/fio/randread-4k.json");
    vs_error_clear(&err);
    assert_int_equal(fio_set_write_csv(s, f, &err), -1);
    assert_int_equal(err.code, ENOSPC);
    assert_non_null(strstr(err.msg, "No space left"));
    fclose(f);
    fio_set_free(s);
}

static char *print_of(const struct fio_set *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    assert_non_null(f);
    fio_set_print(s, f);
    fclose(f);
    return buf;
}

static void test_print(void **state)
{
    struct fio_set *s = fio_set_new();
    char *out, name[16];

    (void)state;
    out = print_of(s);
    assert_string_equal(out, ""); /* nothing for an empty set */
    free(out);
    for (int i = 0; i < 25; i++) {
        snprintf(name, sizeof(name), "vm-%02d", i);
        add_sample(s, "a", name, "samples/fio/randread-4k.json");
    }
    add(s, event("a", "vm-00", "u", "failed", NULL)); /* replaces the first */
    out = print_of(s);
    assert_non_null(strstr(out, "fio: 25 VMs: 24 ok, 1 failed, 0 invalid"));
    assert_non_null(
        strstr(out, "\n  VM      status    rd IOPS  rd KiB/s   rd lat   rd P99   wr IOPS"));
    assert_non_null(strstr(out, "\n  a/vm-00 failed  failed without an 'error'\n"));
    assert_non_null(strstr(out, "\n  a/vm-01 ok           8180     32718   0.1198   0.2181"
                                "         0         0        -        -\n"));
    assert_non_null(strstr(out, "a/vm-19"));
    assert_null(strstr(out, "a/vm-20"));
    assert_non_null(strstr(out, "\n  ... 5 more\n"));
    assert_non_null(strstr(out, "\n  read IOPS             24       8180       8180"));
    assert_non_null(strstr(out, "\n  read clat P99 ms      24     0.2181     0.2181"));
    assert_null(strstr(out, "write clat P99")); /* no VM has one */
    free(out);
    fio_set_free(s);
}

/* A long reason is cut, at a whole UTF-8 character. */
static void test_long_reason(void **state)
{
    struct fio_set *s = fio_set_new();
    cJSON *ev = event("ns", "vm", "u", "failed", NULL), *j;
    char *long_error = malloc(4001);
    const char *reason;

    (void)state;
    for (int i = 0; i < 2000; i++)
        memcpy(long_error + 2 * i, "\xc3\xa9", 2); /* é */
    long_error[4000] = '\0';
    cJSON_AddStringToObject(ev, "error", long_error);
    free(long_error);
    add(s, ev);
    j = fio_set_json(s);
    reason = get(vm_at(j, 0), "reason")->valuestring;
    assert_int_equal(strlen(reason), 1022);
    assert_memory_equal(reason + 1020, "\xc3\xa9", 2);
    cJSON_Delete(j);
    fio_set_free(s);
}

static void test_free_null(void **state)
{
    (void)state;
    fio_set_free(NULL);
    assert_int_equal(fio_set_count(NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_randread_sample),
        cmocka_unit_test(test_json_vs_jsonplus),
        cmocka_unit_test(test_failed_result),
        cmocka_unit_test(test_invalid_results),
        cmocka_unit_test(test_two_jobs),
        cmocka_unit_test(test_two_jobs_bins),
        cmocka_unit_test(test_replace),
        cmocka_unit_test(test_across_vms),
        cmocka_unit_test(test_json_deterministic),
        cmocka_unit_test(test_csv_bytes),
        cmocka_unit_test(test_csv_write_error),
        cmocka_unit_test(test_print),
        cmocka_unit_test(test_long_reason),
        cmocka_unit_test(test_free_null),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
