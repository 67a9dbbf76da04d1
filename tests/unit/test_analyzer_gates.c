/* Thresholds files, gates against a summary, and the baseline comparison. */
#include "unit.h"

#include <math.h>
#include <string.h>

#include "gates.h"

static const char summary_text[] =
    "{\"run\":{\"id\":\"r1\"},\"input\":{\"file\":\"r1.ndjson\"},"
    "\"phases\":{\"create\":{\"vms\":10,\"running\":{\"ok\":10,\"censored\":0,\"p50\":10,"
    "\"p95\":20,\"p99\":22,\"avg\":11,\"max\":23},\"ready\":{\"ok\":0,\"censored\":10,"
    "\"p50\":null,\"p95\":null,\"p99\":null,\"avg\":null,\"max\":null}},"
    "\"storm\":{\"vms\":10,\"running\":{\"ok\":9,\"censored\":1,\"p50\":30,\"p95\":70,"
    "\"p99\":80,\"avg\":33,\"max\":90}}},"
    "\"multipliers\":{\"running\":{\"p50\":3,\"p95\":3.5,\"p99\":3.636364,\"avg\":3,"
    "\"max\":3.913043,\"verdict\":\"concerning\"}}}";

static cJSON *summary(void)
{
    cJSON *s = cJSON_Parse(summary_text);

    assert_non_null(s);
    return s;
}

static void parse_fails(const char *text, long line, const char *msg_part)
{
    struct vs_error err;

    vs_error_clear(&err);
    assert_null(gates_parse(text, "g.txt", &err));
    assert_int_equal(err.line, line);
    assert_string_equal(err.where, "g.txt");
    if (!strstr(err.msg, msg_part))
        fail_msg("'%s' does not contain '%s'", err.msg, msg_part);
}

static void test_parse_errors(void **state)
{
    (void)state;
    parse_fails("storm.running.p95 <= 60\n\n# c\nstorm.running.p95 =< 60\n", 4,
                "unknown operator '=<'");
    parse_fails("storm.running.p95 <=\n", 1, "expected 'KEY OP VALUE'");
    parse_fails("storm.running.p95 <= 60 s\n", 1, "expected 'KEY OP VALUE'");
    parse_fails("\nstorm.runing.p95 <= 60\n", 2, "unknown milestone 'runing'");
    parse_fails("storm.running.p96 <= 60\n", 1, "unknown statistic 'p96'");
    parse_fails("storm.running <= 60\n", 1, "PHASE.MILESTONE.STAT");
    parse_fails("strom.running.p95 <= 60\n", 1, "'strom' is neither a phase");
    parse_fails("storm.running.p95 <= sixty\n", 1, "'sixty' is not a number");
    parse_fails("storm.running.p95 <= 0x3c\n", 1, "'0x3c' is not a number");
    parse_fails("storm.running.p95 <= inf\n", 1, "'inf' is not a number");
}

static void test_check(void **state)
{
    struct vs_error err;
    struct gates *g = gates_parse("storm.running.p95 <= 60   # fails: 70\n"
                                  "create.running.p95 <= 20  # passes, equal\n"
                                  "create.running.p95 < 20   # fails, equal\n"
                                  "create.ready.p95 < 100    # fails: null\n"
                                  "stop.stopped.p95 < 100    # fails: no stop phase\n"
                                  "multipliers.running.verdict != critical\n"
                                  "multipliers.running.verdict == good\n"
                                  "storm.running.censored == 1\n"
                                  "multipliers.running <= 1  # a structure\n",
                                  "g.txt", &err);
    cJSON *s = summary(), *res = NULL;
    static const int pass[] = {0, 1, 0, 0, 0, 1, 0, 1, 0};
    int i = 0;
    const cJSON *r;

    (void)state;
    assert_non_null(g);
    assert_int_equal(gates_check(g, s, &res), 6);
    assert_int_equal(cJSON_GetArraySize(res), 9);
    cJSON_ArrayForEach(r, res)
    {
        int p = cJSON_IsTrue(cJSON_GetObjectItem(r, "pass"));

        if (p != pass[i])
            fail_msg("gate %d (%s): pass %d", i + 1,
                     cJSON_GetStringValue(cJSON_GetObjectItem(r, "gate")), p);
        assert_int_equal((int)cJSON_GetNumberValue(cJSON_GetObjectItem(r, "line")), i + 1);
        assert_true(p == !cJSON_HasObjectItem(r, "reason"));
        i++;
    }
    assert_string_equal(
        cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(res, 0), "reason")),
        "70 is not <= 60");
    assert_string_equal(
        cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(res, 3), "reason")),
        "no value (no VM reached the milestone)");
    assert_string_equal(
        cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(res, 6), "reason")),
        "'concerning' is not == 'good'");
    cJSON_Delete(res);
    cJSON_Delete(s);
    gates_free(g);
}

static void test_baseline(void **state)
{
    cJSON *now = summary(), *then = summary(), *cmp;
    cJSON *then_run = cJSON_GetObjectItem(cJSON_GetObjectItem(then, "phases"), "storm");
    const cJSON *c, *found = NULL;
    int n = 0;

    (void)state;
    /* the baseline's storm P95 was 50 s: now 70 s is 40% more */
    cJSON_SetNumberValue(cJSON_GetObjectItem(cJSON_GetObjectItem(then_run, "running"), "p95"), 50);
    cJSON_SetValuestring(cJSON_GetObjectItem(cJSON_GetObjectItem(then, "run"), "id"), "base");
    cmp = baseline_compare(now, then);
    assert_non_null(cmp);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(cmp, "run_id")), "base");
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(cmp, "changes"))
    {
        const char *key = cJSON_GetStringValue(cJSON_GetObjectItem(c, "key"));

        n++;
        if (strcmp(key, "storm.running.p95") == 0)
            found = c;
        /* ready has no figures in either: no row for its p50 */
        assert_string_not_equal(key, "create.ready.p50");
    }
    assert_non_null(found);
    assert_true(fabs(cJSON_GetNumberValue(cJSON_GetObjectItem(found, "change_pct")) - 40.0) < 1e-9);
    /* create.running 6 + create.ready censored 1 + storm.running 6 + multipliers 5 */
    assert_int_equal(n, 18);
    cJSON_Delete(cmp);
    cJSON_Delete(now);
    cJSON_Delete(then);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_baseline),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
