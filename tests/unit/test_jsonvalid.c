/* lib/jsonvalid: what it accepts and where it says a text goes wrong. */
#include "unit.h"

#include <string.h>

#include "jsonvalid.h"

static void accepts(const char *s)
{
    size_t where = 99;
    const char *what = NULL;

    if (json_validate(s, strlen(s), &where, &what) != 0)
        fail_msg("refused %s at %zu: %s", s, where, what);
}

static void refuses(const char *s, size_t at, const char *why)
{
    size_t where = 99;
    const char *what = NULL;

    if (json_validate(s, strlen(s), &where, &what) == 0)
        fail_msg("accepted %s", s);
    if (where != at || !what || strcmp(what, why) != 0)
        fail_msg("%s: at %zu (%s), expected %zu (%s)", s, where, what ? what : "-", at, why);
}

static void test_valid(void **state)
{
    (void)state;
    accepts("{}");
    accepts(" [ ] ");
    accepts("0");
    accepts("-0.5e+10");
    accepts("\"a\\\"b\\\\c\\/\\b\\f\\n\\r\\t\\u00E9\"");
    accepts("{\"a\":[1,2,{\"b\":null}],\"c\":true,\"d\":false}");
    accepts("\"\xc3\xa9\"");
    accepts("[[[[[[[[[[1]]]]]]]]]]");
    accepts("\"\\uD83D\\uDE00\""); /* a surrogate pair (U+1F600) */
    accepts("\"\\uFFFF\\u0000\"");
}

static void test_invalid(void **state)
{
    char deep[JSONVALID_MAX_DEPTH + 2];

    (void)state;
    refuses("", 0, "expected a value");
    refuses("{", 1, "expected a member name");
    refuses("{\"a\":1,}", 7, "expected a member name");
    refuses("[1,]", 3, "expected a value");
    refuses("[1 2]", 3, "expected ',' or ']'");
    refuses("{\"a\" 1}", 5, "expected ':'");
    refuses("{\"a\":1 \"b\":2}", 7, "expected ',' or '}'");
    refuses("01", 1, "unexpected text after the value");
    refuses("1.", 2, "expected a digit");
    refuses("-", 1, "expected a digit");
    refuses("1e", 2, "expected a digit");
    refuses("\"a\nb\"", 2, "control character in a string");
    refuses("\"a\\x\"", 3, "bad escape in a string");
    refuses("\"\\u12g4\"", 5, "bad \\u escape");
    refuses("\"abc", 4, "unterminated string");
    /* cJSON refuses unpaired surrogates: so does the checker (found by fuzz-jsonvalid) */
    refuses("\"\\uDDDD\"", 6, "lone low surrogate in a \\u escape");
    refuses("\"\\uD83D\"", 6, "high surrogate without its low one in a \\u escape");
    refuses("\"\\uD83Dx\"", 6, "high surrogate without its low one in a \\u escape");
    refuses("\"\\uD83D\\u0041\"", 12, "high surrogate without its low one in a \\u escape");
    refuses("tru", 3, "unknown literal");
    refuses("nul1", 3, "unknown literal");
    refuses("{} {}", 3, "unexpected text after the value");
    memset(deep, '[', sizeof(deep) - 1);
    deep[sizeof(deep) - 1] = '\0';
    refuses(deep, JSONVALID_MAX_DEPTH, "nested too deeply");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_invalid),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
