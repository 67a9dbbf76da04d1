#include "unit.h"

#include <errno.h>
#include <math.h>

#include "promsample.h"

/*
 * A parser over a heap copy of exactly len bytes, no NUL after it, so that
 * the sanitizers catch a read past len. The copy is freed with the parser.
 */
struct fixture {
    char *copy;
    struct promsample_parser *p;
};

static void open_text(struct fixture *f, const char *text)
{
    size_t len = strlen(text);

    f->copy = len ? malloc(len) : NULL;
    if (len)
        memcpy(f->copy, text, len);
    f->p = promsample_parser_new(f->copy, len);
    assert_non_null(f->p);
}

static void close_text(struct fixture *f)
{
    promsample_parser_free(f->p);
    free(f->copy);
}

static void next_ok(struct fixture *f, struct promsample *s)
{
    struct vs_error err = {0};
    enum promsample_status st = promsample_next(f->p, s, &err);

    if (st != PROMSAMPLE_SAMPLE)
        fail_msg("expected a sample, got %d: %ld:%ld: %s", (int)st, err.line, err.col, err.msg);
}

static void next_end(struct fixture *f)
{
    struct promsample s;
    struct vs_error err = {0};

    assert_int_equal(promsample_next(f->p, &s, &err), PROMSAMPLE_END);
    assert_int_equal(promsample_next(f->p, &s, &err), PROMSAMPLE_END);
}

static void series_is(const struct promsample *s, const char *expected)
{
    struct vbuf b = VBUF_INIT(1 << 20);

    assert_int_equal(promsample_series(s, &b), 0);
    assert_string_equal(vbuf_str(&b), expected);
    vbuf_release(&b);
}

static void test_plain_samples(void **state)
{
    struct fixture f;
    struct promsample s;

    (void)state;
    open_text(&f, "# HELP up Whether it is up.\n"
                  "# TYPE up gauge\n"
                  "up 1\n"
                  "\n"
                  "   \t \n"
                  "  # an indented comment with {\"junk\n"
                  "process_start_time_seconds 1.7e9 1712345678901\n"
                  "\tx:y_z  -2.5\t\n"
                  "last 3");
    next_ok(&f, &s);
    assert_string_equal(s.name, "up");
    assert_int_equal(s.n_labels, 0);
    assert_true(s.value == 1.0);
    assert_false(s.has_timestamp);
    assert_int_equal(s.line, 3);
    series_is(&s, "up");
    next_ok(&f, &s);
    assert_string_equal(s.name, "process_start_time_seconds");
    assert_true(s.value == 1.7e9);
    assert_true(s.has_timestamp);
    assert_true(s.timestamp_ms == INT64_C(1712345678901));
    assert_int_equal(s.line, 7);
    next_ok(&f, &s);
    assert_string_equal(s.name, "x:y_z");
    assert_true(s.value == -2.5);
    assert_int_equal(s.line, 8);
    next_ok(&f, &s);
    assert_string_equal(s.name, "last");
    assert_true(s.value == 3.0);
    assert_int_equal(s.line, 9);
    next_end(&f);
    close_text(&f);
}

static void test_labels(void **state)
{
    struct fixture f;
    struct promsample s;

    (void)state;
    open_text(&f, "apiserver_request_total{code=\"200\",resource=\"pods\",subresource=\"\","
                  "verb=\"PATCH\"} 12\n"
                  "m { b = \"2\" ,\ta=\"1\", } 7\n"
                  "m{} 8\n"
                  "m{a=\"1\"}9\n");
    next_ok(&f, &s);
    assert_string_equal(s.name, "apiserver_request_total");
    assert_int_equal(s.n_labels, 4);
    assert_string_equal(s.labels[0].name, "code");
    assert_string_equal(s.labels[0].value, "200");
    assert_string_equal(s.labels[2].name, "subresource");
    assert_string_equal(s.labels[2].value, "");
    assert_string_equal(promsample_label(&s, "verb"), "PATCH");
    assert_string_equal(promsample_label(&s, "subresource"), "");
    assert_null(promsample_label(&s, "group"));
    assert_true(s.value == 12.0);
    next_ok(&f, &s);
    assert_int_equal(s.n_labels, 2);
    assert_string_equal(s.labels[0].name, "b"); /* line order */
    assert_string_equal(s.labels[1].value, "1");
    assert_true(s.value == 7.0);
    series_is(&s, "m{a=\"1\",b=\"2\"}"); /* sorted */
    next_ok(&f, &s);
    assert_int_equal(s.n_labels, 0);
    series_is(&s, "m");
    next_ok(&f, &s);
    assert_true(s.value == 9.0);
    next_end(&f);
    close_text(&f);
}

static void test_escapes(void **state)
{
    struct fixture f;
    struct promsample s;

    (void)state;
    /* the label values as written: C:\dir\   say "hi"   two\nlines   } # , = */
    open_text(&f, "m{path=\"C:\\\\dir\\\\\",q=\"say \\\"hi\\\"\",nl=\"two\\nlines\","
                  "odd=\"} # , = \"} 1\n");
    next_ok(&f, &s);
    assert_int_equal(s.n_labels, 4);
    assert_string_equal(promsample_label(&s, "path"), "C:\\dir\\");
    assert_string_equal(promsample_label(&s, "q"), "say \"hi\"");
    assert_string_equal(promsample_label(&s, "nl"), "two\nlines");
    assert_string_equal(promsample_label(&s, "odd"), "} # , = ");
    /* escaped again, in label-name order */
    series_is(&s, "m{nl=\"two\\nlines\",odd=\"} # , = \",path=\"C:\\\\dir\\\\\","
                  "q=\"say \\\"hi\\\"\"}");
    next_end(&f);
    close_text(&f);
}

static void test_series_is_canonical(void **state)
{
    struct fixture f;
    struct promsample s;
    struct vbuf a = VBUF_INIT(1024), b = VBUF_INIT(1024);

    (void)state;
    open_text(&f, "x{verb=\"PUT\",code=\"202\"} 1\n"
                  "x { code = \"202\" , verb = \"PUT\" , } 2 5\n");
    next_ok(&f, &s);
    assert_int_equal(promsample_series(&s, &a), 0);
    next_ok(&f, &s);
    assert_int_equal(promsample_series(&s, &b), 0);
    assert_string_equal(vbuf_str(&a), "x{code=\"202\",verb=\"PUT\"}");
    assert_string_equal(vbuf_str(&a), vbuf_str(&b));
    /* appends, and on overflow leaves the buffer as it was */
    vbuf_release(&b);
    b.max = 10;
    assert_int_equal(vbuf_adds(&b, "ab"), 0);
    assert_int_equal(promsample_series(&s, &b), -1);
    assert_int_equal(errno, E2BIG);
    assert_string_equal(vbuf_str(&b), "ab");
    vbuf_release(&a);
    vbuf_release(&b);
    close_text(&f);
}

static void value_is(const char *line, double expected)
{
    struct fixture f;
    struct promsample s;

    open_text(&f, line);
    next_ok(&f, &s);
    if (isnan(expected))
        assert_true(isnan(s.value));
    else if (s.value != expected)
        fail_msg("'%s': got %.17g, expected %.17g", line, s.value, expected);
    close_text(&f);
}

static void test_values(void **state)
{
    (void)state;
    value_is("m NaN", NAN);
    value_is("m nan", NAN);
    value_is("m +Inf", INFINITY);
    value_is("m -Inf", -INFINITY);
    value_is("m Inf", INFINITY);
    value_is("m -infinity", -INFINITY);
    value_is("m 1e3", 1000.0);
    value_is("m 1E-3", 0.001);
    value_is("m .5", 0.5);
    value_is("m 5.", 5.0);
    value_is("m +7", 7.0);
    value_is("m -0", 0.0);
    value_is("m 9007199254740993", 9007199254740992.0); /* rounds as any strtod */
    value_is("m 1e-400", 0.0);                          /* underflow is fine */
}

static void test_timestamps(void **state)
{
    struct fixture f;
    struct promsample s;

    (void)state;
    open_text(&f, "m 1 9223372036854775807\nm 2 -9223372036854775808\nm 3 +42\n");
    next_ok(&f, &s);
    assert_true(s.timestamp_ms == INT64_MAX);
    next_ok(&f, &s);
    assert_true(s.timestamp_ms == INT64_MIN);
    next_ok(&f, &s);
    assert_true(s.timestamp_ms == 42);
    next_end(&f);
    close_text(&f);
}

static void test_crlf_and_no_final_newline(void **state)
{
    struct fixture f;
    struct promsample s;

    (void)state;
    open_text(&f, "# TYPE a counter\r\na{x=\"1\"} 4 17\r\n\r\nb 5\r");
    next_ok(&f, &s);
    assert_string_equal(s.name, "a");
    assert_true(s.timestamp_ms == 17);
    next_ok(&f, &s);
    assert_string_equal(s.name, "b");
    assert_true(s.value == 5.0);
    assert_int_equal(s.line, 4);
    next_end(&f);
    close_text(&f);
}

static void test_empty(void **state)
{
    struct promsample_parser *p = promsample_parser_new(NULL, 0);
    struct fixture f;
    struct promsample s;

    (void)state;
    assert_non_null(p);
    assert_int_equal(promsample_next(p, &s, NULL), PROMSAMPLE_END);
    promsample_parser_free(p);
    promsample_parser_free(NULL);
    open_text(&f, "# only comments\n\n# and blanks\n");
    next_end(&f);
    close_text(&f);
}

/* text has one bad line: it fails at line:col with msg. */
static void bad_line(const char *text, long line, long col, const char *msg)
{
    struct fixture f;
    struct promsample s;
    struct vs_error err = {0};

    open_text(&f, text);
    if (promsample_next(f.p, &s, &err) != PROMSAMPLE_ERROR)
        fail_msg("'%s' parsed", text);
    if (err.line != line || err.col != col || strcmp(err.msg, msg) != 0)
        fail_msg("'%s': got %ld:%ld: %s\nexpected %ld:%ld: %s", text, err.line, err.col, err.msg,
                 line, col, msg);
    assert_int_equal(err.code, EINVAL);
    assert_string_equal(err.where, "");
    close_text(&f);
}

static void test_errors(void **state)
{
    (void)state;
    bad_line("m", 1, 2, "expected a value for metric 'm'");
    bad_line("# c\nm{a=\"1\"}  \n", 2, 11, "expected a value for metric 'm'");
    bad_line("9m 1", 1, 1, "expected a metric name");
    bad_line("  {a=\"b\"} 1", 1, 3, "expected a metric name");
    bad_line("m-x 1", 1, 2, "expected '{' or a blank after metric name 'm'");
    bad_line("m{1=\"x\"} 1", 1, 3, "expected a label name");
    bad_line("m{,} 1", 1, 3, "expected a label name");
    bad_line("m{code 1", 1, 8, "expected '=' after label name 'code'");
    bad_line("m{code=200} 1", 1, 8, "expected '\"' to open the value of label 'code'");
    bad_line("m{code=\"200} 1", 1, 15, "unterminated value of label 'code'");
    bad_line("m{code=\"20\\", 1, 12, "unterminated value of label 'code'");
    bad_line("m{code=\"a\\tb\"} 1", 1, 10, "invalid escape sequence in the value of label 'code'");
    bad_line("m{a=\"1\" b=\"2\"} 1", 1, 9, "expected ',' or '}' after label 'a'");
    bad_line("m{a=\"1\",b=\"2\",a=\"3\"} 1", 1, 15, "duplicate label name 'a'");
    bad_line("m{a=\"1\"\n} 1", 1, 8, "expected ',' or '}' after label 'a'");
    bad_line("m abc", 1, 3, "invalid value 'abc'");
    bad_line("m 0x10", 1, 3, "invalid value '0x10'");
    bad_line("m 1_000", 1, 3, "invalid value '1_000'");
    bad_line("m +NaN", 1, 3, "invalid value '+NaN'");
    bad_line("m 1e", 1, 3, "invalid value '1e'");
    bad_line("m .", 1, 3, "invalid value '.'");
    bad_line("m 1e400", 1, 3, "value '1e400' is out of range");
    bad_line("m 1 12x", 1, 5, "invalid timestamp '12x'");
    bad_line("m 1 -", 1, 5, "invalid timestamp '-'");
    bad_line("m 1 1.5", 1, 5, "invalid timestamp '1.5'");
    bad_line("m 1 9223372036854775808", 1, 5, "timestamp '9223372036854775808' is out of range");
    bad_line("m 1 2 3", 1, 7, "unexpected text after the timestamp");
}

/* A NUL byte inside a label value (strlen cannot build that text). */
static void test_nul_in_label_value(void **state)
{
    static const char text[] = "m{a=\"x\0y\"} 1\n";
    char *copy = malloc(sizeof(text) - 1);
    struct promsample_parser *p;
    struct promsample s;
    struct vs_error err = {0};

    (void)state;
    memcpy(copy, text, sizeof(text) - 1);
    p = promsample_parser_new(copy, sizeof(text) - 1);
    assert_int_equal(promsample_next(p, &s, &err), PROMSAMPLE_ERROR);
    assert_int_equal(err.col, 7);
    assert_string_equal(err.msg, "NUL byte in the value of label 'a'");
    assert_int_equal(promsample_next(p, &s, &err), PROMSAMPLE_END);
    promsample_parser_free(p);
    free(copy);
}

/* After a bad line the parser goes on with the next one. */
static void test_goes_on_after_an_error(void **state)
{
    struct fixture f;
    struct promsample s;
    struct vs_error err = {0};

    (void)state;
    open_text(&f, "a 1\nb{x=\"y} 2\nc 3\n");
    next_ok(&f, &s);
    assert_int_equal(promsample_next(f.p, &s, &err), PROMSAMPLE_ERROR);
    assert_int_equal(err.line, 2);
    next_ok(&f, &s);
    assert_string_equal(s.name, "c");
    assert_int_equal(s.line, 3);
    next_end(&f);
    close_text(&f);
}

/* The first lines of a kube-apiserver scrape as the collector keeps them. */
static void test_apiserver_excerpt(void **state)
{
    struct fixture f;
    struct promsample s;
    double sum = 0;
    int n = 0;

    (void)state;
    open_text(&f, "# HELP apiserver_request_total [STABLE] Counter of apiserver requests broken "
                  "out for each verb, dry run value, group, version, resource, scope, component, "
                  "and HTTP response code.\n"
                  "# TYPE apiserver_request_total counter\n"
                  "apiserver_request_total{code=\"200\",component=\"apiserver\",dry_run=\"\","
                  "group=\"\",resource=\"pods\",scope=\"resource\",subresource=\"status\","
                  "verb=\"PATCH\",version=\"v1\"} 12\n"
                  "apiserver_request_total{code=\"201\",component=\"apiserver\",dry_run=\"\","
                  "group=\"kubevirt.io\",resource=\"virtualmachines\",scope=\"resource\","
                  "subresource=\"\",verb=\"POST\",version=\"v1\"} 1.234e+06\n");
    while (n < 3) {
        struct vs_error err = {0};
        enum promsample_status st = promsample_next(f.p, &s, &err);

        if (st != PROMSAMPLE_SAMPLE)
            break;
        assert_string_equal(s.name, "apiserver_request_total");
        assert_int_equal(s.n_labels, 9);
        sum += s.value;
        n++;
    }
    assert_int_equal(n, 2);
    assert_true(sum == 1234012.0);
    close_text(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_samples),
        cmocka_unit_test(test_labels),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_series_is_canonical),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_timestamps),
        cmocka_unit_test(test_crlf_and_no_final_newline),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_nul_in_label_value),
        cmocka_unit_test(test_goes_on_after_an_error),
        cmocka_unit_test(test_apiserver_excerpt),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
