#include "unit.h"

#include <errno.h>

#include "patch.h"

static cJSON *json(const char *text)
{
    cJSON *v = cJSON_Parse(text);

    if (!v)
        fail_msg("bad JSON in the test: %s", text);
    return v;
}

static void assert_json(const cJSON *have, const char *want_text)
{
    cJSON *want = json(want_text);
    char *s = cJSON_PrintUnformatted(have);

    if (!cJSON_Compare(have, want, 1))
        fail_msg("got %s, expected %s", s, want_text);
    free(s);
    cJSON_Delete(want);
}

/* ---- RFC 7386 Appendix A: every example, and the one of section 3 ---------------------- */

struct merge_case {
    const char *name, *target, *patch, *result;
};

static const struct merge_case merge_cases[] = {
    {"rfc7386_replace_member", "{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}"},
    {"rfc7386_add_member", "{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}"},
    {"rfc7386_remove_member", "{\"a\":\"b\"}", "{\"a\":null}", "{}"},
    {"rfc7386_remove_one_of_two", "{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}"},
    {"rfc7386_array_by_string", "{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}"},
    {"rfc7386_string_by_array", "{\"a\":\"c\"}", "{\"a\":[\"b\"]}", "{\"a\":[\"b\"]}"},
    {"rfc7386_nested", "{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}",
     "{\"a\":{\"b\":\"d\"}}"},
    {"rfc7386_array_replaced", "{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}"},
    {"rfc7386_array_by_array", "[\"a\",\"b\"]", "[\"c\",\"d\"]", "[\"c\",\"d\"]"},
    {"rfc7386_object_by_array", "{\"a\":\"b\"}", "[\"c\"]", "[\"c\"]"},
    {"rfc7386_null_patch", "{\"a\":\"foo\"}", "null", "null"},
    {"rfc7386_string_patch", "{\"a\":\"foo\"}", "\"bar\"", "\"bar\""},
    {"rfc7386_null_in_target_kept", "{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}"},
    {"rfc7386_array_target", "[1,2]", "{\"a\":\"b\",\"c\":null}", "{\"a\":\"b\"}"},
    {"rfc7386_nested_nulls_dropped", "{}", "{\"a\":{\"bb\":{\"ccc\":null}}}",
     "{\"a\":{\"bb\":{}}}"},
    {"rfc7386_section3",
     "{\"title\":\"Goodbye!\",\"author\":{\"givenName\":\"John\",\"familyName\":\"Doe\"},"
     "\"tags\":[\"example\",\"sample\"],\"content\":\"This will be unchanged\"}",
     "{\"title\":\"Hello!\",\"phoneNumber\":\"+01-123-456-7890\",\"author\":{\"familyName\":null},"
     "\"tags\":[\"example\"]}",
     "{\"title\":\"Hello!\",\"author\":{\"givenName\":\"John\"},\"tags\":[\"example\"],"
     "\"content\":\"This will be unchanged\",\"phoneNumber\":\"+01-123-456-7890\"}"},
};

static void run_merge_case(void **state)
{
    const struct merge_case *c = *state;
    cJSON *target = json(c->target), *patch = json(c->patch);
    struct vs_error err;

    assert_int_equal(patch_merge(&target, patch, &err), 0);
    assert_json(target, c->result);
    /* the patch is only read */
    assert_json(patch, c->patch);
    cJSON_Delete(target);
    cJSON_Delete(patch);
}

/* ---- RFC 6902 Appendix A.1-A.16 ----------------------------------------------------------------
 */

struct json_case {
    const char *name, *doc, *patch;
    const char *result; /* NULL: the patch must fail */
    const char *error;  /* part of the message when it fails */
};

static const struct json_case json_cases[] = {
    {"rfc6902_A01_add_object_member", "{\"foo\":\"bar\"}",
     "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\"}]", "{\"baz\":\"qux\",\"foo\":\"bar\"}",
     NULL},
    {"rfc6902_A02_add_array_element", "{\"foo\":[\"bar\",\"baz\"]}",
     "[{\"op\":\"add\",\"path\":\"/foo/1\",\"value\":\"qux\"}]",
     "{\"foo\":[\"bar\",\"qux\",\"baz\"]}", NULL},
    {"rfc6902_A03_remove_object_member", "{\"baz\":\"qux\",\"foo\":\"bar\"}",
     "[{\"op\":\"remove\",\"path\":\"/baz\"}]", "{\"foo\":\"bar\"}", NULL},
    {"rfc6902_A04_remove_array_element", "{\"foo\":[\"bar\",\"qux\",\"baz\"]}",
     "[{\"op\":\"remove\",\"path\":\"/foo/1\"}]", "{\"foo\":[\"bar\",\"baz\"]}", NULL},
    {"rfc6902_A05_replace_value", "{\"baz\":\"qux\",\"foo\":\"bar\"}",
     "[{\"op\":\"replace\",\"path\":\"/baz\",\"value\":\"boo\"}]",
     "{\"baz\":\"boo\",\"foo\":\"bar\"}", NULL},
    {"rfc6902_A06_move_value",
     "{\"foo\":{\"bar\":\"baz\",\"waldo\":\"fred\"},\"qux\":{\"corge\":\"grault\"}}",
     "[{\"op\":\"move\",\"from\":\"/foo/waldo\",\"path\":\"/qux/thud\"}]",
     "{\"foo\":{\"bar\":\"baz\"},\"qux\":{\"corge\":\"grault\",\"thud\":\"fred\"}}", NULL},
    {"rfc6902_A07_move_array_element", "{\"foo\":[\"all\",\"grass\",\"cows\",\"eat\"]}",
     "[{\"op\":\"move\",\"from\":\"/foo/1\",\"path\":\"/foo/3\"}]",
     "{\"foo\":[\"all\",\"cows\",\"eat\",\"grass\"]}", NULL},
    {"rfc6902_A08_test_success", "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}",
     "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"qux\"},"
     "{\"op\":\"test\",\"path\":\"/foo/1\",\"value\":2}]",
     "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}", NULL},
    {"rfc6902_A09_test_error", "{\"baz\":\"qux\"}",
     "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"bar\"}]", NULL,
     "operation 1 (test): test failed: the value at path '/baz' differs"},
    {"rfc6902_A10_add_nested_object", "{\"foo\":\"bar\"}",
     "[{\"op\":\"add\",\"path\":\"/child\",\"value\":{\"grandchild\":{}}}]",
     "{\"foo\":\"bar\",\"child\":{\"grandchild\":{}}}", NULL},
    {"rfc6902_A11_ignore_unknown_members", "{\"foo\":\"bar\"}",
     "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\",\"xyz\":123}]",
     "{\"foo\":\"bar\",\"baz\":\"qux\"}", NULL},
    {"rfc6902_A12_add_to_missing_target", "{\"foo\":\"bar\"}",
     "[{\"op\":\"add\",\"path\":\"/baz/bat\",\"value\":\"qux\"}]", NULL,
     "operation 1 (add): path '/baz/bat': '/baz' does not exist"},
    {"rfc6902_A13_invalid_patch_document", "{\"foo\":\"bar\"}",
     "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\",\"op\":\"remove\"}]", NULL,
     "operation 1: member 'op' is given twice"},
    {"rfc6902_A14_escape_ordering", "{\"/\":9,\"~1\":10}",
     "[{\"op\":\"test\",\"path\":\"/~01\",\"value\":10}]", "{\"/\":9,\"~1\":10}", NULL},
    {"rfc6902_A15_string_vs_number", "{\"/\":9,\"~1\":10}",
     "[{\"op\":\"test\",\"path\":\"/~01\",\"value\":\"10\"}]", NULL,
     "operation 1 (test): test failed: the value at path '/~01' differs"},
    {"rfc6902_A16_add_array_value", "{\"foo\":[\"bar\"]}",
     "[{\"op\":\"add\",\"path\":\"/foo/-\",\"value\":[\"abc\",\"def\"]}]",
     "{\"foo\":[\"bar\",[\"abc\",\"def\"]]}", NULL},
};

static void run_json_case(void **state)
{
    const struct json_case *c = *state;
    cJSON *doc = json(c->doc), *patch = json(c->patch);
    struct vs_error err;
    int rc;

    vs_error_clear(&err);
    rc = patch_json(&doc, patch, &err);
    if (c->result) {
        if (rc != 0)
            fail_msg("unexpected error: %s", err.msg);
        assert_json(doc, c->result);
    } else {
        assert_int_equal(rc, -1);
        assert_json(doc, c->doc); /* unchanged */
        if (strstr(err.msg, c->error) == NULL)
            fail_msg("error '%s' lacks '%s'", err.msg, c->error);
    }
    cJSON_Delete(doc);
    cJSON_Delete(patch);
}

/* ---- beyond the RFC examples ------------------------------------------------------------------
 */

/* Apply ops to doc_text; expect result (or, when result is NULL, an error containing part). */
static void check_patch(const char *doc_text, const char *ops_text, const char *result,
                        const char *part)
{
    cJSON *doc = json(doc_text), *ops = json(ops_text);
    cJSON *before = doc;
    struct vs_error err;
    int rc;

    vs_error_clear(&err);
    rc = patch_json(&doc, ops, &err);
    if (result) {
        if (rc != 0)
            fail_msg("%s: unexpected error: %s", ops_text, err.msg);
        assert_json(doc, result);
    } else {
        if (rc != -1)
            fail_msg("%s: expected an error", ops_text);
        assert_ptr_equal(doc, before);
        assert_json(doc, doc_text);
        if (strstr(err.msg, part) == NULL)
            fail_msg("error '%s' lacks '%s'", err.msg, part);
    }
    cJSON_Delete(doc);
    cJSON_Delete(ops);
}

static void test_atomic(void **state)
{
    const char *vm = "{\"spec\":{\"running\":true,\"template\":{\"x\":[1,2]}},\"status\":{}}";

    (void)state;
    /* two operations succeed on the copy, the third fails: nothing changes */
    check_patch(vm,
                "[{\"op\":\"replace\",\"path\":\"/spec/running\",\"value\":false},"
                "{\"op\":\"add\",\"path\":\"/spec/template/x/-\",\"value\":3},"
                "{\"op\":\"replace\",\"path\":\"/spec/runStrategy\",\"value\":\"Halted\"}]",
                NULL, "operation 3 (replace): path '/spec/runStrategy' does not exist");
    check_patch(vm,
                "[{\"op\":\"remove\",\"path\":\"/spec\"},"
                "{\"op\":\"test\",\"path\":\"/status\",\"value\":[]}]",
                NULL, "operation 2 (test)");
}

static void test_bad_pointers(void **state)
{
    const char *doc = "{\"a\":{\"b\":[0,1,2]},\"s\":\"x\"}";

    (void)state;
    check_patch(doc, "[{\"op\":\"add\",\"path\":\"a\",\"value\":1}]", NULL,
                "path 'a' is not a JSON pointer");
    check_patch(doc, "[{\"op\":\"remove\",\"path\":\"/a/~2\"}]", NULL,
                "a '~' not followed by '0' or '1'");
    check_patch(doc, "[{\"op\":\"remove\",\"path\":\"/a/b~\"}]", NULL, "not followed by");
    check_patch(doc, "[{\"op\":\"remove\",\"path\":\"/a/b/01\"}]", NULL,
                "path '/a/b/01' does not exist");
    check_patch(doc, "[{\"op\":\"add\",\"path\":\"/a/b/01\",\"value\":9}]", NULL,
                "'01' is not an array index");
    check_patch(doc, "[{\"op\":\"add\",\"path\":\"/a/b/x\",\"value\":9}]", NULL,
                "'x' is not an array index");
    check_patch(doc, "[{\"op\":\"add\",\"path\":\"/a/b/4\",\"value\":9}]", NULL,
                "index 4 is out of range (the array has 3 elements)");
    check_patch(doc, "[{\"op\":\"remove\",\"path\":\"/a/b/3\"}]", NULL, "does not exist");
    check_patch(doc, "[{\"op\":\"remove\",\"path\":\"/a/b/-\"}]", NULL, "does not exist");
    check_patch(doc, "[{\"op\":\"add\",\"path\":\"/s/t\",\"value\":1}]", NULL,
                "path '/s/t': '/s' is not an object or an array");
    check_patch(doc, "[{\"op\":\"add\",\"path\":\"/a/x/y/z\",\"value\":1}]", NULL,
                "path '/a/x/y/z': '/a/x' does not exist");
    check_patch(doc, "[{\"op\":\"add\",\"path\":\"/a/b/1/c\",\"value\":1}]", NULL,
                "'/a/b/1' is not an object or an array");
    check_patch(doc, "[{\"op\":\"remove\",\"path\":\"\"}]", NULL,
                "cannot remove the whole document");
    check_patch(doc, "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a/b/-\"}]", NULL,
                "cannot move '/a' into itself");
    check_patch(doc, "[{\"op\":\"copy\",\"from\":\"/nope\",\"path\":\"/c\"}]", NULL,
                "operation 1 (copy): path '/nope' does not exist");
    check_patch("7", "[{\"op\":\"add\",\"path\":\"/a\",\"value\":1}]", NULL,
                "the document is not an object or an array");
}

static void test_bad_operations(void **state)
{
    const char *doc = "{\"a\":1}";
    cJSON *d = json(doc), *ops = json("{\"op\":\"add\"}");
    struct vs_error err;

    (void)state;
    assert_int_equal(patch_json(&d, ops, &err), -1);
    assert_string_equal(err.msg, "a JSON patch must be an array of operations");
    cJSON_Delete(d);
    cJSON_Delete(ops);
    check_patch(doc, "[1]", NULL, "operation 1: not an object");
    check_patch(doc, "[{\"path\":\"/a\"}]", NULL, "operation 1: missing 'op'");
    check_patch(doc, "[{\"op\":7,\"path\":\"/a\"}]", NULL, "'op' must be a string");
    check_patch(doc, "[{\"op\":\"merge\",\"path\":\"/a\"}]", NULL, "unknown op 'merge'");
    check_patch(doc, "[{\"op\":\"add\",\"value\":1}]", NULL, "operation 1 (add): missing 'path'");
    check_patch(doc, "[{\"op\":\"add\",\"path\":\"/b\"}]", NULL, "(add): missing 'value'");
    check_patch(doc, "[{\"op\":\"replace\",\"path\":\"/a\"}]", NULL, "(replace): missing 'value'");
    check_patch(doc, "[{\"op\":\"test\",\"path\":\"/a\"}]", NULL, "(test): missing 'value'");
    check_patch(doc, "[{\"op\":\"move\",\"path\":\"/b\"}]", NULL, "(move): missing 'from'");
    check_patch(doc, "[{\"op\":\"copy\",\"path\":\"/b\",\"from\":1}]", NULL,
                "'from' must be a string");
    /* no document at all */
    d = NULL;
    ops = json("[{\"op\":\"test\",\"path\":\"\",\"value\":null}]");
    assert_int_equal(patch_json(&d, ops, &err), -1);
    assert_string_equal(err.msg, "operation 1 (test): there is no document");
    cJSON_Delete(ops);
    ops = json("[{\"op\":\"add\",\"path\":\"\",\"value\":{\"a\":1}}]");
    assert_int_equal(patch_json(&d, ops, &err), 0);
    assert_json(d, "{\"a\":1}");
    cJSON_Delete(ops);
    cJSON_Delete(d);
    /* an empty patch changes nothing */
    check_patch(doc, "[]", doc, NULL);
}

static void test_append_and_escapes(void **state)
{
    (void)state;
    check_patch("{\"l\":[]}",
                "[{\"op\":\"add\",\"path\":\"/l/-\",\"value\":1},"
                "{\"op\":\"add\",\"path\":\"/l/-\",\"value\":{\"k\":2}},"
                "{\"op\":\"add\",\"path\":\"/l/0\",\"value\":0},"
                "{\"op\":\"add\",\"path\":\"/l/3\",\"value\":3}]",
                "{\"l\":[0,1,{\"k\":2},3]}", NULL);
    check_patch("{\"l\":[0,1,2,3]}",
                "[{\"op\":\"replace\",\"path\":\"/l/2\",\"value\":20},"
                "{\"op\":\"add\",\"path\":\"/l/2\",\"value\":15},"
                "{\"op\":\"remove\",\"path\":\"/l/1\"},"
                "{\"op\":\"replace\",\"path\":\"/l/0\",\"value\":-1},"
                "{\"op\":\"replace\",\"path\":\"/l/3\",\"value\":30}]",
                "{\"l\":[-1,15,20,30]}", NULL);
    /* Kubernetes label and annotation names hold '/' and sometimes '~' */
    check_patch("{\"metadata\":{\"labels\":{\"kubevirt.io/domain\":\"a\",\"x~y\":\"b\"}}}",
                "[{\"op\":\"replace\",\"path\":\"/metadata/labels/kubevirt.io~1domain\","
                "\"value\":\"c\"},"
                "{\"op\":\"remove\",\"path\":\"/metadata/labels/x~0y\"},"
                "{\"op\":\"add\",\"path\":\"/metadata/labels/~01~10\",\"value\":\"d\"}]",
                "{\"metadata\":{\"labels\":{\"kubevirt.io/domain\":\"c\",\"~1/0\":\"d\"}}}", NULL);
    /* "" is the whole document; an empty member name is "/" */
    check_patch("{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"\",\"value\":[1]}]", "[1]", NULL);
    check_patch("{\"a\":1}", "[{\"op\":\"add\",\"path\":\"\",\"value\":{\"b\":2}}]", "{\"b\":2}",
                NULL);
    check_patch("{\"\":1}", "[{\"op\":\"replace\",\"path\":\"/\",\"value\":2}]", "{\"\":2}", NULL);
    check_patch("{\"a\":1}", "[{\"op\":\"test\",\"path\":\"\",\"value\":{\"a\":1}}]", "{\"a\":1}",
                NULL);
    /* move and copy, including "-" and a move to the same place */
    check_patch("{\"a\":[1,2],\"b\":{\"c\":3}}",
                "[{\"op\":\"copy\",\"from\":\"/b\",\"path\":\"/a/-\"},"
                "{\"op\":\"move\",\"from\":\"/b/c\",\"path\":\"/d\"},"
                "{\"op\":\"move\",\"from\":\"/d\",\"path\":\"/d\"},"
                "{\"op\":\"test\",\"path\":\"/a/2\",\"value\":{\"c\":3}}]",
                "{\"a\":[1,2,{\"c\":3}],\"b\":{},\"d\":3}", NULL);
    /* test compares objects whatever their member order, and numbers by value */
    check_patch("{\"o\":{\"x\":1,\"y\":[true,null]}}",
                "[{\"op\":\"test\",\"path\":\"/o\",\"value\":{\"y\":[true,null],\"x\":1.0}}]",
                "{\"o\":{\"x\":1,\"y\":[true,null]}}", NULL);
    check_patch("{\"o\":{\"x\":1}}",
                "[{\"op\":\"test\",\"path\":\"/o\",\"value\":{\"x\":1,\"y\":2}}]", NULL,
                "test failed");
}

static void test_replace_keeps_order(void **state)
{
    cJSON *doc = json("{\"a\":1,\"b\":2,\"c\":3}");
    cJSON *ops = json("[{\"op\":\"replace\",\"path\":\"/b\",\"value\":20},"
                      "{\"op\":\"add\",\"path\":\"/a\",\"value\":10}]");
    char *s;

    (void)state;
    assert_int_equal(patch_json(&doc, ops, NULL), 0);
    s = cJSON_PrintUnformatted(doc);
    assert_string_equal(s, "{\"a\":10,\"b\":20,\"c\":3}");
    free(s);
    cJSON_Delete(doc);
    cJSON_Delete(ops);
}

static void test_kubernetes_usage(void **state)
{
    const char *vm = "{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachine\","
                     "\"metadata\":{\"name\":\"vm-1\",\"labels\":{\"app\":\"storm\"}},"
                     "\"spec\":{\"running\":true,\"template\":{\"spec\":{\"domain\":{}}}}}";
    cJSON *doc = json(vm), *patch;
    struct vs_error err;

    (void)state;
    /* kubectl patch vm vm-1 --type merge -p '{"spec":{"runStrategy":"Halted"}}' */
    patch = json("{\"spec\":{\"runStrategy\":\"Halted\",\"running\":null},"
                 "\"metadata\":{\"labels\":{\"app\":null,\"vmstorm.io/run\":\"r1\"}}}");
    assert_int_equal(patch_merge(&doc, patch, &err), 0);
    assert_string_equal(cJSON_GetStringValue(patch_pointer_get(doc, "/spec/runStrategy")),
                        "Halted");
    assert_null(patch_pointer_get(doc, "/spec/running"));
    assert_null(patch_pointer_get(doc, "/metadata/labels/app"));
    assert_string_equal(
        cJSON_GetStringValue(patch_pointer_get(doc, "/metadata/labels/vmstorm.io~1run")), "r1");
    assert_non_null(patch_pointer_get(doc, "/spec/template/spec/domain"));
    cJSON_Delete(patch);
    cJSON_Delete(doc);
    /* kubectl patch vm vm-1 --type json -p
     * '[{"op":"replace","path":"/spec/running","value":false}]' */
    check_patch(vm, "[{\"op\":\"replace\",\"path\":\"/spec/running\",\"value\":false}]",
                "{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachine\","
                "\"metadata\":{\"name\":\"vm-1\",\"labels\":{\"app\":\"storm\"}},"
                "\"spec\":{\"running\":false,\"template\":{\"spec\":{\"domain\":{}}}}}",
                NULL);
}

static void test_merge_edges(void **state)
{
    cJSON *target = NULL, *patch = json("{\"a\":{\"b\":null,\"c\":1}}");
    cJSON *arr;

    (void)state;
    /* no document: the patch, without its nulls */
    assert_int_equal(patch_merge(&target, patch, NULL), 0);
    assert_json(target, "{\"a\":{\"c\":1}}");
    cJSON_Delete(target);
    /* a member of a bigger value as the patch: the result carries no name */
    arr = json("{\"p\":[1,2]}");
    target = json("{\"x\":1}");
    assert_int_equal(patch_merge(&target, cJSON_GetObjectItem(arr, "p"), NULL), 0);
    assert_null(target->string);
    assert_json(target, "[1,2]");
    cJSON_Delete(target);
    cJSON_Delete(arr);
    cJSON_Delete(patch);
}

static void test_pointer_get(void **state)
{
    cJSON *doc = json("{\"a\":[{\"b\":1}],\"m/n\":2,\"t~\":3,\"\":4}");

    (void)state;
    assert_ptr_equal(patch_pointer_get(doc, ""), doc);
    assert_true(patch_pointer_get(doc, "/a/0/b")->valuedouble == 1);
    assert_true(patch_pointer_get(doc, "/m~1n")->valuedouble == 2);
    assert_true(patch_pointer_get(doc, "/t~0")->valuedouble == 3);
    assert_true(patch_pointer_get(doc, "/")->valuedouble == 4);
    assert_null(patch_pointer_get(doc, "/a/1"));
    assert_null(patch_pointer_get(doc, "/a/00"));
    assert_null(patch_pointer_get(doc, "/a/-"));
    assert_null(patch_pointer_get(doc, "a"));
    assert_null(patch_pointer_get(doc, "/t~"));
    assert_null(patch_pointer_get(doc, "/a/0/b/c"));
    assert_null(patch_pointer_get(NULL, "/a"));
    cJSON_Delete(doc);
}

#define NMERGE (sizeof(merge_cases) / sizeof(merge_cases[0]))
#define NJSON (sizeof(json_cases) / sizeof(json_cases[0]))

int main(void)
{
    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_atomic),
        cmocka_unit_test(test_bad_pointers),
        cmocka_unit_test(test_bad_operations),
        cmocka_unit_test(test_append_and_escapes),
        cmocka_unit_test(test_replace_keeps_order),
        cmocka_unit_test(test_kubernetes_usage),
        cmocka_unit_test(test_merge_edges),
        cmocka_unit_test(test_pointer_get),
    };
    struct CMUnitTest tests[NMERGE + NJSON + sizeof(fixed) / sizeof(fixed[0])];
    size_t n = 0;

    /* one named test per RFC example */
    for (size_t i = 0; i < NMERGE; i++)
        tests[n++] = (struct CMUnitTest){merge_cases[i].name, run_merge_case, NULL, NULL,
                                         (void *)&merge_cases[i]};
    for (size_t i = 0; i < NJSON; i++)
        tests[n++] = (struct CMUnitTest){json_cases[i].name, run_json_case, NULL, NULL,
                                         (void *)&json_cases[i]};
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        tests[n++] = fixed[i];
    return cmocka_run_group_tests(tests, NULL, NULL);
}
