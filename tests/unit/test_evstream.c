#include "unit.h"

#include "evstream.h"

#define EV(seq) "{\"v\":1,\"seq\":" #seq ",\"wall_ns\":10,\"mono_ns\":20,\"kind\":\"probe\"}"

static struct evstream *stream(const char *text)
{
    struct evstream *s = evstream_from_mem(text, strlen(text), "run.ndjson", 0, NULL);

    assert_non_null(s);
    return s;
}

static void expect_event(struct evstream *s, int64_t seq)
{
    struct event ev;
    struct vs_error err;

    assert_int_equal(evstream_next(s, &ev, &err), EVSTREAM_EVENT);
    assert_int_equal(ev.seq, seq);
    event_release(&ev);
}

static void expect_status(struct evstream *s, enum evstream_status want, long line, long col,
                          const char *msg_part)
{
    struct event ev;
    struct vs_error err;

    vs_error_clear(&err);
    assert_int_equal(evstream_next(s, &ev, &err), want);
    assert_string_equal(err.where, "run.ndjson");
    assert_int_equal(err.line, line);
    assert_int_equal(err.col, col);
    if (!strstr(err.msg, msg_part))
        fail_msg("got '%s', want '%s'", err.msg, msg_part);
}

static void test_good_stream(void **state)
{
    struct evstream *s = stream(EV(0) "\n\r\n" EV(1) "\r\n");
    struct event ev;

    (void)state;
    expect_event(s, 0);
    expect_event(s, 1);
    assert_null(evstream_last_warning(s));
    assert_int_equal(evstream_next(s, &ev, NULL), EVSTREAM_EOF);
    assert_int_equal(evstream_lineno(s), 3);
    evstream_free(s);
}

static void test_bad_line_then_continue(void **state)
{
    struct evstream *s = stream(EV(0) "\n{\"v\":1,\"seq\":\"x\"}\nnot json\n" EV(3) "\n");

    (void)state;
    expect_event(s, 0);
    expect_status(s, EVSTREAM_BAD_LINE, 2, 14, "expected integer for 'seq'");
    expect_status(s, EVSTREAM_BAD_LINE, 3, 1, "invalid JSON");
    expect_event(s, 3);
    evstream_free(s);
}

static void test_truncated_last_line_skipped(void **state)
{
    struct evstream *s = stream(EV(0) "\n{\"v\":1,\"seq\":1,\"wall");
    struct event ev;

    (void)state;
    expect_event(s, 0);
    expect_status(s, EVSTREAM_TRUNCATED, 2, 0, "truncated last line");
    assert_int_equal(evstream_next(s, &ev, NULL), EVSTREAM_EOF);
    evstream_free(s);
}

static void test_whole_last_line_without_newline_kept(void **state)
{
    struct evstream *s = stream(EV(0) "\n" EV(1));
    const struct vs_error *w;

    (void)state;
    expect_event(s, 0);
    assert_null(evstream_last_warning(s));
    expect_event(s, 1);
    w = evstream_last_warning(s);
    assert_non_null(w);
    assert_int_equal(w->line, 2);
    assert_non_null(strstr(w->msg, "no newline at end of file"));
    evstream_free(s);
}

static void test_too_long_line_reported(void **state)
{
    char *text = malloc(300);
    struct evstream *s;

    (void)state;
    snprintf(text, 300, "%s\n{\"pad\":\"%0100d\"}\n%s\n", EV(0), 0, EV(2));
    s = evstream_from_mem(text, strlen(text), "run.ndjson", 80, NULL);
    expect_event(s, 0);
    expect_status(s, EVSTREAM_BAD_LINE, 2, 0, "longer than 80 bytes");
    expect_event(s, 2);
    evstream_free(s);
    free(text);
}

/* The hand-written sample: every line decodes, every kind is one this build knows. */
static void test_sample_minimal(void **state)
{
    struct vs_error err;
    struct evstream *s = evstream_open("samples/minimal.ndjson", 0, &err);
    int seen[EV_KIND_COUNT] = {0};
    struct event ev;
    enum evstream_status st;
    int64_t n = 0;

    (void)state;
    if (!s)
        fail_msg("%s: %s (run from the top of the tree)", err.where, err.msg);
    while ((st = evstream_next(s, &ev, &err)) == EVSTREAM_EVENT) {
        assert_int_equal(ev.seq, n++);
        assert_int_not_equal(ev.kind, EV_UNKNOWN);
        seen[ev.kind]++;
        event_release(&ev);
    }
    assert_int_equal(st, EVSTREAM_EOF);
    for (int k = EV_UNKNOWN + 1; k < EV_KIND_COUNT; k++)
        if (!seen[k])
            fail_msg("kind '%s' missing from samples/minimal.ndjson", event_kind_name(k));
    assert_true(n > 100);
    evstream_free(s);
}

static void test_open_missing(void **state)
{
    struct vs_error err;

    (void)state;
    assert_null(evstream_open("/nonexistent.ndjson", 0, &err));
    assert_string_equal(err.where, "/nonexistent.ndjson");
    evstream_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_stream),
        cmocka_unit_test(test_bad_line_then_continue),
        cmocka_unit_test(test_truncated_last_line_skipped),
        cmocka_unit_test(test_whole_last_line_without_newline_kept),
        cmocka_unit_test(test_too_long_line_reported),
        cmocka_unit_test(test_sample_minimal),
        cmocka_unit_test(test_open_missing),
    };

    return cmocka_run_group_tests_name("evstream", tests, NULL, NULL);
}
