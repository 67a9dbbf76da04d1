#include "unit.h"

#include <errno.h>

#include "promtext.h"

#define CAP ((size_t)1 << 24)

/* The families kept, joined with ','. */
static void join_families(const struct promtext_families *fams, char *buf, size_t n)
{
    buf[0] = '\0';
    for (size_t i = 0; i < fams->n; i++) {
        assert_true(strlen(buf) + strlen(fams->names[i]) + 2 < n);
        if (i > 0)
            strcat(buf, ",");
        strcat(buf, fams->names[i]);
    }
}

/*
 * Filter len bytes of text, copied to a heap block of exactly len bytes with
 * no NUL after it (so that the sanitizers catch a read past len), and check
 * the output and the families listed (joined with ',').
 */
static void check_len(const char *text, size_t len, const char *const *keep, const char *expected,
                      const char *expected_families)
{
    char *copy = len ? malloc(len) : NULL;
    struct vbuf out = VBUF_INIT(CAP);
    struct promtext_families fams = {NULL, 99};
    struct vs_error err = {0};
    char joined[4096];

    if (len)
        memcpy(copy, text, len);
    if (promtext_filter(copy, len, keep, &out, &fams, &err) != 0)
        fail_msg("promtext_filter failed: %s", err.msg);
    if (strcmp(vbuf_str(&out), expected) != 0)
        fail_msg("output:\n%s\nexpected:\n%s", vbuf_str(&out), expected);
    assert_int_equal(out.len, strlen(expected));
    join_families(&fams, joined, sizeof(joined));
    assert_string_equal(joined, expected_families);
    assert_true(fams.n > 0 || fams.names == NULL);
    promtext_families_release(&fams);
    promtext_families_release(&fams);
    assert_null(fams.names);
    vbuf_release(&out);
    free(copy);
}

static void check(const char *text, const char *const *keep, const char *expected,
                  const char *expected_families)
{
    check_len(text, strlen(text), keep, expected, expected_families);
}

/* ---- a realistic excerpt of kube-apiserver's /metrics (v1.31) --------------------------- */

#define INFLIGHT                                                                                   \
    "# HELP apiserver_current_inflight_requests [STABLE] Maximal number of currently used "        \
    "inflight request limit of this apiserver per request kind in last second.\n"                  \
    "# TYPE apiserver_current_inflight_requests gauge\n"                                           \
    "apiserver_current_inflight_requests{request_kind=\"mutating\"} 3\n"                           \
    "apiserver_current_inflight_requests{request_kind=\"readOnly\"} 7\n"

#define DUR_VMI                                                                                    \
    "{component=\"apiserver\",dry_run=\"\",group=\"kubevirt.io\",resource=\"virtualmachines\","    \
    "scope=\"resource\",subresource=\"\",verb=\"POST\",version=\"v1\""
#define DUR_START                                                                                  \
    "{component=\"apiserver\",dry_run=\"\",group=\"subresources.kubevirt.io\","                    \
    "resource=\"virtualmachines\",scope=\"resource\",subresource=\"start\",verb=\"PUT\","          \
    "version=\"v1\""
#define DURATION                                                                                   \
    "# HELP apiserver_request_duration_seconds [STABLE] Response latency distribution in "         \
    "seconds for each verb, dry run value, group, version, resource, subresource, scope and "      \
    "component.\n"                                                                                 \
    "# TYPE apiserver_request_duration_seconds histogram\n"                                        \
    "apiserver_request_duration_seconds_bucket" DUR_VMI ",le=\"0.005\"} 0\n"                       \
    "apiserver_request_duration_seconds_bucket" DUR_VMI ",le=\"0.025\"} 12\n"                      \
    "apiserver_request_duration_seconds_bucket" DUR_VMI ",le=\"0.05\"} 95\n"                       \
    "apiserver_request_duration_seconds_bucket" DUR_VMI ",le=\"0.1\"} 180\n"                       \
    "apiserver_request_duration_seconds_bucket" DUR_VMI ",le=\"0.2\"} 199\n"                       \
    "apiserver_request_duration_seconds_bucket" DUR_VMI ",le=\"1\"} 200\n"                         \
    "apiserver_request_duration_seconds_bucket" DUR_VMI ",le=\"60\"} 200\n"                        \
    "apiserver_request_duration_seconds_bucket" DUR_VMI ",le=\"+Inf\"} 200\n"                      \
    "apiserver_request_duration_seconds_sum" DUR_VMI "} 11.417503139000005\n"                      \
    "apiserver_request_duration_seconds_count" DUR_VMI "} 200\n"                                   \
    "apiserver_request_duration_seconds_bucket" DUR_START ",le=\"0.005\"} 0\n"                     \
    "apiserver_request_duration_seconds_bucket" DUR_START ",le=\"0.025\"} 3\n"                     \
    "apiserver_request_duration_seconds_bucket" DUR_START ",le=\"0.05\"} 140\n"                    \
    "apiserver_request_duration_seconds_bucket" DUR_START ",le=\"0.1\"} 198\n"                     \
    "apiserver_request_duration_seconds_bucket" DUR_START ",le=\"0.2\"} 200\n"                     \
    "apiserver_request_duration_seconds_bucket" DUR_START ",le=\"1\"} 200\n"                       \
    "apiserver_request_duration_seconds_bucket" DUR_START ",le=\"60\"} 200\n"                      \
    "apiserver_request_duration_seconds_bucket" DUR_START ",le=\"+Inf\"} 200\n"                    \
    "apiserver_request_duration_seconds_sum" DUR_START "} 9.81\n"                                  \
    "apiserver_request_duration_seconds_count" DUR_START "} 200\n"

/* dropped, between the two kept families: a histogram whose name extends a kept one's */
#define FILTER_DURATION                                                                            \
    "# HELP apiserver_request_filter_duration_seconds [ALPHA] Request filter latency "             \
    "distribution in seconds, for each filter type\n"                                              \
    "# TYPE apiserver_request_filter_duration_seconds histogram\n"                                 \
    "apiserver_request_filter_duration_seconds_bucket{filter=\"audit\",le=\"0.0001\"} 9023\n"      \
    "apiserver_request_filter_duration_seconds_bucket{filter=\"audit\",le=\"+Inf\"} 9100\n"        \
    "apiserver_request_filter_duration_seconds_sum{filter=\"audit\"} 0.2113\n"                     \
    "apiserver_request_filter_duration_seconds_count{filter=\"audit\"} 9100\n"                     \
    "# HELP apiserver_request_terminations_total [STABLE] Number of requests which apiserver "     \
    "terminated in self-defense.\n"                                                                \
    "# TYPE apiserver_request_terminations_total counter\n"                                        \
    "apiserver_request_terminations_total{code=\"429\",component=\"apiserver\",group=\"\","        \
    "resource=\"pods\",scope=\"namespace\",subresource=\"\",verb=\"POST\",version=\"v1\"} 4\n"

#define REQ(code, group, resource, scope, sub, verb, n)                                            \
    "apiserver_request_total{code=\"" code                                                         \
    "\",component=\"apiserver\",dry_run=\"\",group=\"" group "\",resource=\"" resource             \
    "\",scope=\"" scope "\",subresource=\"" sub "\",verb=\"" verb "\",version=\"v1\"} " n "\n"
#define REQUEST_TOTAL                                                                              \
    "# HELP apiserver_request_total [STABLE] Counter of apiserver requests broken out for each "   \
    "verb, dry run value, group, version, resource, scope, component, and HTTP response code.\n"   \
    "# TYPE apiserver_request_total counter\n" REQ("200", "", "pods", "namespace", "", "LIST",     \
                                                   "42") REQ("200", "", "pods", "resource",        \
                                                             "status", "PATCH", "612")             \
        REQ("201", "", "pods", "resource", "", "POST", "200") REQ("409", "", "pods", "resource",   \
                                                                  "", "POST", "3")                 \
            REQ("200", "kubevirt.io", "virtualmachineinstances", "resource", "", "PATCH", "1849")  \
                REQ("0", "kubevirt.io", "virtualmachineinstances", "cluster", "", "WATCH", "17")   \
                    REQ("201", "kubevirt.io", "virtualmachines", "resource", "", "POST", "200")    \
                        REQ("202", "subresources.kubevirt.io", "virtualmachines", "resource",      \
                            "start", "PUT", "197")                                                 \
                            REQ("429", "subresources.kubevirt.io", "virtualmachines", "resource",  \
                                "start", "PUT", "3")                                               \
                                REQ("500", "subresources.kubevirt.io", "virtualmachines",          \
                                    "resource", "stop", "PUT", "1")

#define DEPRECATED                                                                                 \
    "# HELP apiserver_requested_deprecated_apis [STABLE] Gauge of deprecated APIs that have "      \
    "been requested, broken out by API group, version, resource, subresource, and "                \
    "removed_release.\n"                                                                           \
    "# TYPE apiserver_requested_deprecated_apis gauge\n"                                           \
    "apiserver_requested_deprecated_apis{group=\"policy\",removed_release=\"1.25\","               \
    "resource=\"podsecuritypolicies\",subresource=\"\",version=\"v1beta1\"} 1\n"

#define PROCESS                                                                                    \
    "# HELP process_start_time_seconds [ALPHA] Start time of the process since unix epoch in "     \
    "seconds.\n"                                                                                   \
    "# TYPE process_start_time_seconds gauge\n"                                                    \
    "process_start_time_seconds 1.73218161234e+09\n"

static const char APISERVER[] = INFLIGHT DURATION FILTER_DURATION REQUEST_TOTAL DEPRECATED PROCESS;

static void test_apiserver_excerpt(void **state)
{
    static const char *const keep[] = {"apiserver_request_total",
                                       "apiserver_request_duration_seconds", NULL};
    static const char *const keep_reversed[] = {"apiserver_request_duration_seconds",
                                                "apiserver_request_total", NULL};
    static const char *const prefix[] = {"apiserver_request*", NULL};
    static const char *const all[] = {"*", NULL};
    static const char *const none[] = {NULL};

    (void)state;
    check(APISERVER, keep, DURATION REQUEST_TOTAL,
          "apiserver_request_duration_seconds,apiserver_request_total");
    /* the order of the patterns does not matter; the output keeps the input's order */
    check(APISERVER, keep_reversed, DURATION REQUEST_TOTAL,
          "apiserver_request_duration_seconds,apiserver_request_total");
    check(APISERVER, prefix, DURATION FILTER_DURATION REQUEST_TOTAL DEPRECATED,
          "apiserver_request_duration_seconds,apiserver_request_filter_duration_seconds,"
          "apiserver_request_terminations_total,apiserver_request_total,"
          "apiserver_requested_deprecated_apis");
    check(APISERVER, all, APISERVER,
          "apiserver_current_inflight_requests,apiserver_request_duration_seconds,"
          "apiserver_request_filter_duration_seconds,apiserver_request_terminations_total,"
          "apiserver_request_total,apiserver_requested_deprecated_apis,"
          "process_start_time_seconds");
    check(APISERVER, NULL, APISERVER,
          "apiserver_current_inflight_requests,apiserver_request_duration_seconds,"
          "apiserver_request_filter_duration_seconds,apiserver_request_terminations_total,"
          "apiserver_request_total,apiserver_requested_deprecated_apis,"
          "process_start_time_seconds");
    check(APISERVER, none, "", "");
}

/* ---- line ends --------------------------------------------------------------------------- */

static void test_line_ends(void **state)
{
    static const char *const keep[] = {"a", NULL};
    static const char crlf[] =
        "# HELP a Some a.\r\n# TYPE a gauge\r\na 1\r\nb 2\r\na{x=\"y\"} 3\r\n";
    static const char want[] = "# HELP a Some a.\n# TYPE a gauge\na 1\na{x=\"y\"} 3\n";

    (void)state;
    check(crlf, keep, want, "a");
    /* the last line without its line end, with and without a CR */
    check("b 1\na 2", keep, "a 2\n", "a");
    check("b 1\na 2\r", keep, "a 2\n", "a");
    check("a 2\nb 1", keep, "a 2\n", "a");
    /* all the CRs before the LF are the line end's (so the output filters to itself) */
    check("a 1\r\r\nb 1\n", keep, "a 1\n", "a");
    check("a 1\r\r", keep, "a 1\n", "a");
    /* a lone CR inside a line is an ordinary byte */
    check("a{x=\"p\rq\"} 1\n", keep, "a{x=\"p\rq\"} 1\n", "a");
    /* blank lines go, even inside a kept family */
    check("\n\n# TYPE a gauge\n\n \t\r\na 1\n\r\n\n\na 2\n\n", keep, "# TYPE a gauge\na 1\na 2\n",
          "a");
    check("", keep, "", "");
    check("\n\r\n \n", NULL, "", "");
    check("\n", keep, "", "");
}

static void test_empty_input(void **state)
{
    struct vbuf out = VBUF_INIT(16);
    struct promtext_families fams = {(char **)&fams, 3};
    struct vs_error err = {0};

    (void)state;
    assert_int_equal(promtext_filter(NULL, 0, NULL, &out, &fams, &err), 0);
    assert_int_equal(out.len, 0);
    assert_int_equal(fams.n, 0);
    assert_null(fams.names);
    assert_int_equal(promtext_filter(NULL, 0, NULL, &out, NULL, NULL), 0);
    vbuf_release(&out);
    promtext_families_release(NULL);
}

/* ---- label values and names that could derail a naive parser ------------------------------ */

static void test_tricky_labels(void **state)
{
    static const char *const keep[] = {"http_requests_total", "job:apiserver_requests:rate5m",
                                       NULL};
    static const char text[] =
        "# HELP http_requests_total Requests, by \"path\" (the help has # and } and \\n).\n"
        "# TYPE http_requests_total counter\n"
        "http_requests_total{path=\"/a}b\",method=\"GET\"} 1\n"
        "http_requests_total{path=\"/a b # c\"} 2\n"
        "http_requests_total{path=\"say \\\"hi\\\" }\",x=\"\\\\\"} 3 1732181612000\n"
        "http_requests_total{path=\"\\n# TYPE other gauge\\nother 1\"} 4\n"
        "http_requests_total {path=\"{\"} 5\n"
        "  http_requests_total\t6\n"
        "# TYPE other gauge\n"
        "other{path=\"http_requests_total\"} 7\n"
        "other{path=\"}\\n# HELP http_requests_total x\"} 8\n"
        "# TYPE job:apiserver_requests:rate5m gauge\n"
        "job:apiserver_requests:rate5m{verb=\"LIST\"} 0.25\n"
        "job:apiserver_requests:rate5m 1.5\n";
    static const char want[] =
        "# HELP http_requests_total Requests, by \"path\" (the help has # and } and \\n).\n"
        "# TYPE http_requests_total counter\n"
        "http_requests_total{path=\"/a}b\",method=\"GET\"} 1\n"
        "http_requests_total{path=\"/a b # c\"} 2\n"
        "http_requests_total{path=\"say \\\"hi\\\" }\",x=\"\\\\\"} 3 1732181612000\n"
        "http_requests_total{path=\"\\n# TYPE other gauge\\nother 1\"} 4\n"
        "http_requests_total {path=\"{\"} 5\n"
        "  http_requests_total\t6\n"
        "# TYPE job:apiserver_requests:rate5m gauge\n"
        "job:apiserver_requests:rate5m{verb=\"LIST\"} 0.25\n"
        "job:apiserver_requests:rate5m 1.5\n";

    (void)state;
    check(text, keep, want, "http_requests_total,job:apiserver_requests:rate5m");
}

static void test_very_long_lines(void **state)
{
    static const char *const keep[] = {"big", NULL};
    size_t n = (size_t)1 << 20;
    char *text = malloc(3 * n + 64), *want = malloc(n + 64), *p = text;

    (void)state;
    /* a dropped family's line of 1 MB, then a kept one of 1 MB, then a long name */
    p += sprintf(p, "small{v=\"");
    memset(p, 'x', n);
    p += n;
    p += sprintf(p, "\"} 1\nbig{v=\"");
    memset(p, '}', n);
    p += n;
    p += sprintf(p, "\"} 2\n");
    memset(p, 'b', n);
    p += n;
    p += sprintf(p, " 3\n");
    strcpy(want, "big{v=\"");
    memset(want + 7, '}', n);
    strcpy(want + 7 + n, "\"} 2\n");
    check(text, keep, want, "big");
    free(text);
    free(want);
}

/* Never read past len: cut a text at every length and filter the piece. */
static void test_every_cut(void **state)
{
    static const char *const keep[] = {"h", NULL};
    static const char text[] = "# HELP h x\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_sum 2\n"
                               "h_count 1\n# TYPE h_sum gauge\nh_sum 3\n";
    struct vbuf out = VBUF_INIT(CAP);

    (void)state;
    for (size_t len = 0; len <= sizeof(text) - 1; len++) {
        char *copy = malloc(len ? len : 1);

        memcpy(copy, text, len);
        vbuf_reset(&out);
        assert_int_equal(promtext_filter(copy, len, keep, &out, NULL, NULL), 0);
        assert_true(out.len <= len + 1);
        /* each line kept is a line of the piece (the last one maybe cut) */
        for (const char *p = vbuf_str(&out), *nl; (nl = strchr(p, '\n')) != NULL; p = nl + 1)
            assert_non_null(memmem(copy, len, p, (size_t)(nl - p)));
        free(copy);
    }
    /* a name cut by len: "# TYPE h_s" names h_s, not h_sum */
    check_len("# TYPE h_sum gauge\nh_sum 1\n", 10, keep, "", "");
    check_len("h 1\nh_sum 2\n", 7, keep, "h 1\n", "h");
    vbuf_release(&out);
}

/* ---- families, types and suffixes ---------------------------------------------------------- */

static void test_histogram_and_summary(void **state)
{
    static const char *const keep_h[] = {"rpc", NULL};
    static const char *const keep_sum[] = {"rpc_sum", NULL};
    static const char text[] = "# TYPE rpc summary\n"
                               "rpc{quantile=\"0.5\"} 0.01\n"
                               "rpc{quantile=\"0.99\"} 0.2\n"
                               "rpc_sum 12.5\n"
                               "rpc_count 900\n"
                               "rpc_bucket{le=\"1\"} 1\n"
                               "# TYPE rpc_sum gauge\n"
                               "rpc_sum 4\n";

    (void)state;
    /* rpc_bucket is no sample of a summary: a family of its own */
    check(text, keep_h,
          "# TYPE rpc summary\nrpc{quantile=\"0.5\"} 0.01\nrpc{quantile=\"0.99\"} 0.2\n"
          "rpc_sum 12.5\nrpc_count 900\n",
          "rpc");
    check(text, keep_sum, "# TYPE rpc_sum gauge\nrpc_sum 4\n", "rpc_sum");
    /* HELP after TYPE, "#HELP" without a blank, bucket rows */
    check(
        "# TYPE lat histogram\n#HELP lat Latency.\nlat_bucket{le=\"1\"} 1\nlat_bucket{le=\"+Inf\"} "
        "2\nlat_sum 3\nlat_count 2\nlat_created 1.7e9\nlat_total 1\n",
        keep_h, "", "");
    {
        static const char *const keep_lat[] = {"lat", NULL};

        check("# TYPE lat histogram\n#HELP lat Latency.\nlat_bucket{le=\"1\"} 1\nlat_bucket{le="
              "\"+Inf\"} 2\nlat_sum 3\nlat_count 2\nlat_created 1.7e9\nlat_total 1\n",
              keep_lat,
              "# TYPE lat histogram\n#HELP lat Latency.\nlat_bucket{le=\"1\"} 1\nlat_bucket{le="
              "\"+Inf\"} 2\nlat_sum 3\nlat_count 2\nlat_created 1.7e9\n",
              "lat");
    }
}

static void test_counter_suffixes(void **state)
{
    static const char *const keep[] = {"req", "old_total", NULL};

    (void)state;
    /* OpenMetrics style: TYPE names req, the samples are req_total and req_created */
    check("# TYPE req counter\n# UNIT req requests\nreq_total{a=\"1\"} 3\nreq_created{a=\"1\"} "
          "1.7e9\nreq_sum 1\n# EOF\n",
          keep,
          "# TYPE req counter\n# UNIT req requests\nreq_total{a=\"1\"} 3\nreq_created{a=\"1\"} "
          "1.7e9\n",
          "req");
    /* 0.0.4 style: TYPE names the sample's own name */
    check("# TYPE old_total counter\nold_total 3\nold_created 1\n", keep,
          "# TYPE old_total counter\nold_total 3\n", "old_total");
    /* a gauge has no suffixes */
    check("# TYPE req gauge\nreq 1\nreq_total 2\nreq_sum 3\n", keep, "# TYPE req gauge\nreq 1\n",
          "req");
    /* gaugehistogram and info */
    {
        static const char *const k[] = {"g", "i", NULL};

        check("# TYPE g gaugehistogram\ng_bucket{le=\"+Inf\"} 1\ng_gsum 2\ng_gcount 1\ng_sum 9\n"
              "# TYPE i info\ni_info{v=\"1\"} 1\ni 1\n",
              k,
              "# TYPE g gaugehistogram\ng_bucket{le=\"+Inf\"} 1\ng_gsum 2\ng_gcount 1\n"
              "# TYPE i info\ni_info{v=\"1\"} 1\ni 1\n",
              "g,i");
    }
    /* an unknown or missing type word: no suffixes */
    check("# TYPE req Counter\nreq_total 1\n# TYPE req\nreq 2\nreq_total 3\n", keep,
          "# TYPE req Counter\n# TYPE req\nreq 2\n", "req");
}

static void test_untyped_samples(void **state)
{
    static const char *const keep[] = {"up", NULL};

    (void)state;
    /* no TYPE: each sample name is its own family */
    check("up 1\nup_sum 2\nup{job=\"a\"} 1\nupx 4\n", keep, "up 1\nup{job=\"a\"} 1\n", "up");
    /* a sample that does not fit the family being read begins another */
    check("# TYPE up gauge\nup 1\nother 2\nup 3\n", keep, "# TYPE up gauge\nup 1\nup 3\n", "up");
    /* HELP of a new family after samples of an untyped one */
    check("up 1\n# HELP up Up.\nup 2\n", keep, "up 1\n# HELP up Up.\nup 2\n", "up");
}

/* A family found in two groups (not valid exposition) is listed once, where first seen. */
static void test_families_listed_once(void **state)
{
    static const char *const keep[] = {"b", "a*", NULL};

    (void)state;
    check("b 1\nab 1\nc 1\nb 2\na 1\nab 3\nb 4\n", keep, "b 1\nab 1\nb 2\na 1\nab 3\nb 4\n",
          "b,ab,a");
}

/* ---- comments and lines that name no family -------------------------------------------------- */

static void test_comments(void **state)
{
    static const char *const keep[] = {"a", NULL};
    static const char text[] = "# a header comment\n"
                               "# HELP a A.\n"
                               "# between HELP and TYPE\n"
                               "# TYPE a counter\n"
                               "a{x=\"1\"} 1\n"
                               "# between samples\n"
                               "\n"
                               "#\n"
                               "a{x=\"2\"} 2\n"
                               "# after the last sample\n"
                               "# HELP b B.\n"
                               "# in b\n"
                               "b 1\n"
                               "# HELP a Again.\n"
                               "# trailing\n";

    (void)state;
    check(text, keep,
          "# HELP a A.\n# between HELP and TYPE\n# TYPE a counter\na{x=\"1\"} 1\n"
          "# between samples\n#\na{x=\"2\"} 2\n# HELP a Again.\n",
          "a");
    /* keep == NULL keeps every line; "*" only those of families */
    {
        static const char *const star[] = {"*", NULL};

        check(text, NULL,
              "# a header comment\n# HELP a A.\n# between HELP and TYPE\n# TYPE a counter\n"
              "a{x=\"1\"} 1\n# between samples\n#\na{x=\"2\"} 2\n# after the last sample\n"
              "# HELP b B.\n# in b\nb 1\n# HELP a Again.\n# trailing\n",
              "a,b");
        check(text, star,
              "# HELP a A.\n# between HELP and TYPE\n# TYPE a counter\na{x=\"1\"} 1\n"
              "# between samples\n#\na{x=\"2\"} 2\n# HELP b B.\n# in b\nb 1\n# HELP a Again.\n",
              "a,b");
    }
    /* comments between two groups of one name are not inside a family */
    check("a 1\n# c\nb 1\n# d\na 2\n", keep, "a 1\na 2\n", "a");
}

static void test_lines_naming_no_family(void **state)
{
    static const char *const keep[] = {"a", NULL};
    static const char text[] = "{\"quoted.name\",x=\"y\"} 1\n"
                               "a 1\n"
                               "a.b 2\n"
                               "9a 3\n"
                               "a-b 4\n"
                               "# HELP a.b Not a name.\n"
                               "# HELPER a x\n"
                               "# HELP\n"
                               "# HELP  \n"
                               "a 5\n"
                               "garbage\x01\n"
                               "\xff\n";

    (void)state;
    /* kept only between two lines of a kept family */
    check(text, keep,
          "a 1\na.b 2\n9a 3\na-b 4\n# HELP a.b Not a name.\n# HELPER a x\n# HELP\n# HELP  \n"
          "a 5\n",
          "a");
    {
        /* a NUL byte is an ordinary byte: the line holding it names no family */
        struct vbuf out = VBUF_INIT(CAP);

        assert_int_equal(promtext_filter("a 1\n\0\na 2\n", 10, keep, &out, NULL, NULL), 0);
        assert_int_equal(out.len, 10);
        assert_memory_equal(out.data, "a 1\n\0\na 2\n", 10);
        vbuf_release(&out);
    }
}

/* ---- patterns ----------------------------------------------------------------------------------
 */

static void test_patterns(void **state)
{
    static const char text[] = "# TYPE kubevirt_vmi_phase_count gauge\n"
                               "kubevirt_vmi_phase_count{phase=\"running\"} 200\n"
                               "kubevirt_ 1\n"
                               "kubevirtx 2\n"
                               "apiserver_request_total 3\n"
                               "apiserver_request 4\n";
    static const char *const prefix[] = {"kubevirt_*", NULL};
    static const char *const exact[] = {"apiserver_request", NULL};
    static const char *const inner[] = {"kube*_vmi_phase_count", "*request*", NULL};
    static const char *const empty[] = {"", NULL};
    static const char *const twice[] = {"kubevirt_*", "kubevirt_vmi_phase_count", "kubevirt_",
                                        NULL};

    (void)state;
    check(text, prefix,
          "# TYPE kubevirt_vmi_phase_count gauge\nkubevirt_vmi_phase_count{phase=\"running\"} 200\n"
          "kubevirt_ 1\n",
          "kubevirt_vmi_phase_count,kubevirt_");
    check(text, exact, "apiserver_request 4\n", "apiserver_request");
    check(text, inner, "", "");
    check(text, empty, "", "");
    check(text, twice,
          "# TYPE kubevirt_vmi_phase_count gauge\nkubevirt_vmi_phase_count{phase=\"running\"} 200\n"
          "kubevirt_ 1\n",
          "kubevirt_vmi_phase_count,kubevirt_");
}

static void test_pattern_check(void **state)
{
    static const char *const good[] = {"a", "kubevirt_*", "*", "job:rate5m", "_x9", "A:*"};
    static const char *const bad[] = {"", "**", "a*b", "9a", "a.b", "a b", "kube*_x", "*a"};
    struct vs_error err = {0};

    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        if (promtext_pattern_check(good[i], &err) != 0)
            fail_msg("'%s': %s", good[i], err.msg);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        vs_error_clear(&err);
        if (promtext_pattern_check(bad[i], &err) != -1 || !err.msg[0])
            fail_msg("'%s' accepted", bad[i]);
    }
    assert_int_equal(promtext_pattern_check("a.b", &err), -1);
    assert_string_equal(err.msg, "metric family pattern 'a.b' is not a metric name, optionally "
                                 "followed by '*'");
    assert_int_equal(err.col, 2);
    assert_int_equal(promtext_pattern_check("a b", NULL), -1);
}

/* ---- the byte cap ------------------------------------------------------------------------------
 */

static void test_byte_cap(void **state)
{
    static const char *const keep[] = {"apiserver_request_total", NULL};
    static const char want[] = REQUEST_TOTAL;
    size_t n = sizeof(want) - 1;
    struct vbuf out = VBUF_INIT(n);
    struct promtext_families fams;
    struct vs_error err = {0};
    char msg[600], want_msg[100];

    (void)state;
    /* exactly the cap fits */
    assert_int_equal(promtext_filter(APISERVER, sizeof(APISERVER) - 1, keep, &out, &fams, &err), 0);
    assert_string_equal(vbuf_str(&out), want);
    assert_int_equal(fams.n, 1);
    promtext_families_release(&fams);

    /* one byte less fails, and leaves out as it was */
    vbuf_release(&out);
    vbuf_init(&out, n + 2);
    assert_int_equal(vbuf_adds(&out, "pre"), 0);
    assert_int_equal(promtext_filter(APISERVER, sizeof(APISERVER) - 1, keep, &out, &fams, &err),
                     -1);
    assert_int_equal(err.code, E2BIG);
    assert_int_equal(err.line, 47); /* the last line of apiserver_request_total */
    vs_error_format(&err, msg, sizeof(msg));
    snprintf(want_msg, sizeof(want_msg),
             "filtered metrics text would exceed %zu bytes (input line 47)", n + 2);
    assert_string_equal(msg, want_msg);
    assert_string_equal(vbuf_str(&out), "pre");
    assert_int_equal(fams.n, 0);
    assert_null(fams.names);

    /* appending after what out holds */
    vbuf_release(&out);
    vbuf_init(&out, n + 4);
    assert_int_equal(vbuf_adds(&out, "pre\n"), 0);
    assert_int_equal(promtext_filter(APISERVER, sizeof(APISERVER) - 1, keep, &out, NULL, NULL), 0);
    assert_int_equal(strncmp(vbuf_str(&out), "pre\n", 4), 0);
    assert_string_equal(vbuf_str(&out) + 4, want);

    /* the cap also counts the comments held back until their family goes on */
    vbuf_release(&out);
    vbuf_init(&out, 6);
    {
        static const char *const a[] = {"a", NULL};

        vs_error_clear(&err);
        assert_int_equal(promtext_filter("a 1\n# c\na 2\n", 12, a, &out, NULL, &err), -1);
        assert_int_equal(err.code, E2BIG);
        assert_int_equal(err.line, 2);
        assert_int_equal(out.len, 0);
    }
    vbuf_release(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apiserver_excerpt),
        cmocka_unit_test(test_line_ends),
        cmocka_unit_test(test_empty_input),
        cmocka_unit_test(test_tricky_labels),
        cmocka_unit_test(test_very_long_lines),
        cmocka_unit_test(test_every_cut),
        cmocka_unit_test(test_histogram_and_summary),
        cmocka_unit_test(test_counter_suffixes),
        cmocka_unit_test(test_untyped_samples),
        cmocka_unit_test(test_families_listed_once),
        cmocka_unit_test(test_comments),
        cmocka_unit_test(test_lines_naming_no_family),
        cmocka_unit_test(test_patterns),
        cmocka_unit_test(test_pattern_check),
        cmocka_unit_test(test_byte_cap),
    };

    return cmocka_run_group_tests_name("promtext", tests, NULL, NULL);
}
