#include "unit.h"

#include <errno.h>

#include "linebuf.h"

/* What the callback saw: the lines joined with '|', and how many. */
struct seen {
    char text[4096];
    size_t len;
    int lines;
    int stop_at; /* return stop_rc on this line (1-based); 0: never */
    int stop_rc;
};

static int collect(void *ctx, const char *line, size_t len)
{
    struct seen *s = ctx;

    assert_int_equal(line[len], '\0');
    assert_null(memchr(line, '\n', len));
    assert_true(s->len + len + 1 < sizeof(s->text));
    memcpy(s->text + s->len, line, len);
    s->len += len;
    s->text[s->len++] = '|';
    s->text[s->len] = '\0';
    s->lines++;
    return s->lines == s->stop_at ? s->stop_rc : 0;
}

/* Feed text whole into a new linebuf of max_line; returns what was seen. */
static void feed_whole(const char *text, size_t len, size_t max_line, struct seen *out,
                       size_t *overflows, size_t *pending)
{
    struct linebuf *b = linebuf_new(max_line);

    assert_non_null(b);
    memset(out, 0, sizeof(*out));
    assert_int_equal(linebuf_feed(b, text, len, collect, out), 0);
    *overflows = linebuf_overflows(b);
    *pending = linebuf_pending(b);
    linebuf_free(b);
}

/* Feed text cut at i and j (i <= j), and compare with feeding it whole. */
static void check_cuts(const char *text, size_t max_line)
{
    size_t len = strlen(text), ov, pend;
    struct seen whole;

    feed_whole(text, len, max_line, &whole, &ov, &pend);
    for (size_t i = 0; i <= len; i++) {
        for (size_t j = i; j <= len; j++) {
            struct linebuf *b = linebuf_new(max_line);
            struct seen s = {0};

            assert_int_equal(linebuf_feed(b, text, i, collect, &s), 0);
            assert_int_equal(linebuf_feed(b, text + i, j - i, collect, &s), 0);
            assert_int_equal(linebuf_feed(b, text + j, len - j, collect, &s), 0);
            if (strcmp(s.text, whole.text) != 0)
                fail_msg("cut at %zu,%zu: \"%s\", whole: \"%s\"", i, j, s.text, whole.text);
            assert_int_equal(linebuf_overflows(b), ov);
            assert_int_equal(linebuf_pending(b), pend);
            linebuf_free(b);
        }
    }
}

/* Feed text one byte at a time; the lines seen go to out. */
static void feed_bytes(struct linebuf *b, const char *text, struct seen *out)
{
    for (const char *p = text; *p; p++)
        assert_int_equal(linebuf_feed(b, p, 1, collect, out), 0);
}

static void test_split_points(void **state)
{
    static const char input[] = "{\"type\":\"ADDED\"}\n{\"a\":1}\r\n\nthird line\n  \t\nlast\npart";
    struct seen whole, bytes = {0};
    size_t ov, pend;
    struct linebuf *b = linebuf_new(64);

    (void)state;
    feed_whole(input, strlen(input), 64, &whole, &ov, &pend);
    assert_string_equal(whole.text, "{\"type\":\"ADDED\"}|{\"a\":1}|third line|last|");
    assert_int_equal(whole.lines, 4);
    assert_int_equal(ov, 0);
    assert_int_equal(pend, 4);
    check_cuts(input, 64);

    feed_bytes(b, input, &bytes);
    assert_string_equal(bytes.text, whole.text);
    assert_int_equal(linebuf_pending(b), 4);
    linebuf_free(b);
}

static void test_crlf(void **state)
{
    struct seen s = {0};
    struct linebuf *b = linebuf_new(64);
    static const char input[] = "a\r\nb\r\nc\rd\ne\r\r\n";

    (void)state;
    assert_int_equal(linebuf_feed(b, input, strlen(input), collect, &s), 0);
    /* one "\r" before "\n" goes; others stay */
    assert_string_equal(s.text, "a|b|c\rd|e\r|");
    linebuf_free(b);
    check_cuts(input, 64);
    check_cuts(input, 2); /* "e\r" is 2 bytes once its CR is stripped */
}

static void test_blank_lines(void **state)
{
    struct seen s = {0};
    struct linebuf *b = linebuf_new(64);
    static const char input[] = "\n\n \t\n\r\n\r\r\nx\n \n";

    (void)state;
    assert_int_equal(linebuf_feed(b, input, strlen(input), collect, &s), 0);
    assert_string_equal(s.text, "x|");
    assert_int_equal(s.lines, 1);
    assert_int_equal(linebuf_pending(b), 0);
    assert_int_equal(linebuf_overflows(b), 0);
    linebuf_free(b);
    check_cuts(input, 64);
}

static void test_overflow_and_recovery(void **state)
{
    static const char input[] =
        "12345678\n123456789\nabc\n12345678\r\n123456789\r\nxyz0123456789\nok\n";
    struct seen s = {0};
    size_t ov, pend;
    struct linebuf *b = linebuf_new(8);

    (void)state;
    feed_whole(input, strlen(input), 8, &s, &ov, &pend);
    assert_string_equal(s.text, "12345678|abc|12345678|ok|");
    assert_int_equal(ov, 3);
    assert_int_equal(pend, 0);
    check_cuts(input, 8);

    /* a line far longer than the buffer, in chunks, then a normal one */
    memset(&s, 0, sizeof(s));
    for (int i = 0; i < 100; i++)
        assert_int_equal(linebuf_feed(b, "0123456789", 10, collect, &s), 0);
    assert_int_equal(linebuf_overflows(b), 1); /* counted as soon as known */
    assert_int_equal(linebuf_pending(b), 0);
    assert_int_equal(linebuf_feed(b, "0123\nnext\n", 10, collect, &s), 0);
    assert_string_equal(s.text, "next|");
    assert_int_equal(linebuf_overflows(b), 1);
    linebuf_free(b);
}

static void test_max_zero(void **state)
{
    struct seen s = {0};
    struct linebuf *b = linebuf_new(0);

    (void)state;
    assert_non_null(b);
    assert_int_equal(linebuf_feed(b, "\n\r\na\nbc\n", 8, collect, &s), 0);
    assert_int_equal(s.lines, 0);
    assert_int_equal(linebuf_overflows(b), 2);
    linebuf_free(b);
    assert_null(linebuf_new(SIZE_MAX / 4));
    assert_null(linebuf_new(SIZE_MAX));
    linebuf_free(NULL);
}

static void test_pending_after_cut(void **state)
{
    struct seen s = {0};
    struct linebuf *b = linebuf_new(16);

    (void)state;
    assert_int_equal(linebuf_feed(b, "abc\nde", 6, collect, &s), 0);
    assert_int_equal(linebuf_pending(b), 2);
    assert_int_equal(linebuf_feed(b, "f", 1, collect, &s), 0);
    assert_int_equal(linebuf_pending(b), 3);
    assert_int_equal(linebuf_feed(b, NULL, 0, collect, &s), 0);
    assert_int_equal(linebuf_pending(b), 3);
    assert_int_equal(linebuf_feed(b, "\r", 1, collect, &s), 0);
    assert_int_equal(linebuf_pending(b), 4);
    assert_int_equal(linebuf_feed(b, "\n", 1, collect, &s), 0);
    assert_int_equal(linebuf_pending(b), 0);
    assert_string_equal(s.text, "abc|def|");

    /* a stream cut mid-line, then a new stream after a reset */
    assert_int_equal(linebuf_feed(b, "{\"type\":\"MOD", 12, collect, &s), 0);
    assert_int_equal(linebuf_pending(b), 12);
    linebuf_reset(b);
    assert_int_equal(linebuf_pending(b), 0);
    assert_int_equal(linebuf_feed(b, "x\n", 2, collect, &s), 0);
    assert_string_equal(s.text, "abc|def|x|");

    /* reset also ends the discarding of an overlong line */
    assert_int_equal(linebuf_feed(b, "0123456789abcdefghij", 20, collect, &s), 0);
    assert_int_equal(linebuf_overflows(b), 1);
    linebuf_reset(b);
    assert_int_equal(linebuf_feed(b, "y\n", 2, collect, &s), 0);
    assert_string_equal(s.text, "abc|def|x|y|");
    assert_int_equal(linebuf_overflows(b), 1);
    linebuf_free(b);
}

static void test_stop(void **state)
{
    struct seen s = {0};
    struct linebuf *b = linebuf_new(16);

    (void)state;
    s.stop_at = 2;
    s.stop_rc = 7;
    assert_int_equal(linebuf_feed(b, "one\ntwo\nthree\nfo", 16, collect, &s), 7);
    assert_string_equal(s.text, "one|two|");
    /* the rest of that chunk was dropped; the linebuf is at a line start */
    assert_int_equal(linebuf_pending(b), 0);
    assert_int_equal(linebuf_feed(b, "five\n", 5, collect, &s), 0);
    assert_string_equal(s.text, "one|two|five|");

    /* stop on a line completed by a later chunk */
    memset(&s, 0, sizeof(s));
    s.stop_at = 1;
    s.stop_rc = -3;
    assert_int_equal(linebuf_feed(b, "ab", 2, collect, &s), 0);
    assert_int_equal(linebuf_feed(b, "c\nd\n", 4, collect, &s), -3);
    assert_string_equal(s.text, "abc|");
    linebuf_free(b);
}

static void test_nul_bytes(void **state)
{
    struct seen s = {0};
    struct linebuf *b = linebuf_new(16);

    (void)state;
    assert_int_equal(linebuf_feed(b, "a\0b\n", 4, collect, &s), 0);
    assert_int_equal(s.lines, 1);
    assert_int_equal(s.len, 4); /* "a\0b|" */
    assert_memory_equal(s.text, "a\0b|", 4);
    linebuf_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_points), cmocka_unit_test(test_crlf),
        cmocka_unit_test(test_blank_lines),  cmocka_unit_test(test_overflow_and_recovery),
        cmocka_unit_test(test_max_zero),     cmocka_unit_test(test_pending_after_cut),
        cmocka_unit_test(test_stop),         cmocka_unit_test(test_nul_bytes),
    };

    return cmocka_run_group_tests_name("linebuf", tests, NULL, NULL);
}
