#include "unit.h"

#include "selector.h"

/* A VirtualMachineInstance as the simulator serves it (trimmed). */
static const char VMI_JSON[] =
    "{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachineInstance\","
    "\"metadata\":{\"name\":\"vm1\",\"namespace\":\"storm\",\"uid\":\"6f1c\","
    "\"generation\":3,"
    "\"labels\":{\"kubevirt.io/domain\":\"vm1\",\"vm.kubevirt.io/name\":\"vm1\","
    "\"vmstorm.io/run\":\"abc\",\"kubevirt.io\":\"virt-launcher\",\"tier\":\"\","
    "\"replicas\":\"3\",\"bad\":7}},"
    "\"spec\":{\"domain\":{\"cpu\":{\"cores\":2}},\"running\":true,\"ratio\":0.5},"
    "\"status\":{\"phase\":\"Running\",\"nodeName\":\"node-3\",\"ready\":false,"
    "\"conditions\":[{\"type\":\"Ready\"}],\"guestOSInfo\":null}}";

static cJSON *vmi(void)
{
    cJSON *obj = cJSON_Parse(VMI_JSON);

    assert_non_null(obj);
    return obj;
}

/* An object whose metadata.labels is the given JSON object text. */
static cJSON *with_labels(const char *labels)
{
    char text[512];
    cJSON *obj;

    snprintf(text, sizeof(text), "{\"metadata\":{\"name\":\"x\",\"labels\":%s}}", labels);
    obj = cJSON_Parse(text);
    assert_non_null(obj);
    return obj;
}

static int labels_match(const char *sel_text, const cJSON *obj)
{
    struct vs_error err = {0};
    struct selector *sel = selector_parse_labels(sel_text, &err);
    int m;

    if (!sel)
        fail_msg("%s: col %ld: %s", sel_text, err.col, err.msg);
    m = selector_matches(sel, obj);
    selector_free(sel);
    return m;
}

static int fields_match(const char *sel_text, const cJSON *obj)
{
    struct vs_error err = {0};
    struct selector *sel = selector_parse_fields(sel_text, &err);
    int m;

    if (!sel)
        fail_msg("%s: col %ld: %s", sel_text, err.col, err.msg);
    m = selector_matches(sel, obj);
    selector_free(sel);
    return m;
}

static void expect_format(struct selector *(*parse)(const char *, struct vs_error *),
                          const char *text, const char *want)
{
    struct vs_error err = {0};
    struct selector *sel = parse(text, &err);
    char buf[256];

    if (!sel)
        fail_msg("%s: col %ld: %s", text, err.col, err.msg);
    assert_int_equal(selector_format(sel, buf, sizeof(buf)), strlen(want));
    assert_string_equal(buf, want);
    selector_free(sel);
}

/* Parsing fails at column col with a message containing msg. */
static void expect_error(struct selector *(*parse)(const char *, struct vs_error *),
                         const char *text, long col, const char *msg)
{
    struct vs_error err = {0};
    struct selector *sel = parse(text, &err);

    if (sel)
        fail_msg("%s: parsed, expected an error", text);
    if (err.col != col || !strstr(err.msg, msg))
        fail_msg("%s: got col %ld '%s', want col %ld '%s'", text, err.col, err.msg, col, msg);
    assert_int_equal(err.line, 1);
}

static void test_label_operators(void **state)
{
    static const struct {
        const char *sel, *labels;
        int match;
    } cases[] = {
        {"app", "{\"app\":\"web\"}", 1},
        {"app", "{\"tier\":\"web\"}", 0},
        {"!app", "{\"tier\":\"web\"}", 1},
        {"!app", "{\"app\":\"\"}", 0},
        {"app=web", "{\"app\":\"web\"}", 1},
        {"app=web", "{\"app\":\"db\"}", 0},
        {"app=web", "{}", 0},
        {"app==web", "{\"app\":\"web\"}", 1},
        {"app==web", "{\"app\":\"webx\"}", 0},
        {"app!=web", "{\"app\":\"db\"}", 1},
        {"app!=web", "{}", 1}, /* a missing label is "not equal" */
        {"app!=web", "{\"app\":\"web\"}", 0},
        {"app in (web,db)", "{\"app\":\"db\"}", 1},
        {"app in (web,db)", "{\"app\":\"cache\"}", 0},
        {"app in (web,db)", "{}", 0},
        {"app notin (web,db)", "{\"app\":\"cache\"}", 1},
        {"app notin (web,db)", "{}", 1},
        {"app notin (web,db)", "{\"app\":\"web\"}", 0},
        {"app=", "{\"app\":\"\"}", 1},
        {"app=", "{\"app\":\"x\"}", 0},
        {"app in (,x)", "{\"app\":\"\"}", 1},
        {"notin=in", "{\"notin\":\"in\"}", 1}, /* keywords as key and value */
        {"app=web,tier=db", "{\"app\":\"web\",\"tier\":\"db\"}", 1},
        {"app=web,tier=db", "{\"app\":\"web\",\"tier\":\"fe\"}", 0},
        {"App=web", "{\"app\":\"web\"}", 0}, /* keys are case-sensitive */
        {"app=web", "{\"app\":7}", 0},       /* a non-string label is absent */
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cJSON *obj = with_labels(cases[i].labels);

        if (labels_match(cases[i].sel, obj) != cases[i].match)
            fail_msg("'%s' on %s: want %d", cases[i].sel, cases[i].labels, cases[i].match);
        cJSON_Delete(obj);
    }
}

static void test_prefixed_keys(void **state)
{
    cJSON *obj = vmi();

    (void)state;
    assert_true(labels_match("vmstorm.io/run=abc", obj));
    assert_false(labels_match("vmstorm.io/run=abd", obj));
    assert_true(labels_match("kubevirt.io=virt-launcher,vm.kubevirt.io/name=vm1", obj));
    assert_false(labels_match("kubevirt.io=virt-launcher,vm.kubevirt.io/name=vm2", obj));
    assert_true(labels_match("kubevirt.io/domain", obj));
    assert_true(labels_match("tier=", obj));
    assert_true(labels_match("!vmstorm.io/phase", obj));
    expect_format(selector_parse_labels, "vm.kubevirt.io/name=vm1 , kubevirt.io = virt-launcher",
                  "kubevirt.io=virt-launcher,vm.kubevirt.io/name=vm1");
    cJSON_Delete(obj);
}

static void test_not_exists(void **state)
{
    cJSON *obj = with_labels("{\"a\":\"1\"}");

    (void)state;
    assert_true(labels_match("!b", obj));
    assert_false(labels_match("!a", obj));
    assert_true(labels_match("  ! b  ", obj)); /* blanks after '!' */
    assert_true(labels_match("a,!b", obj));
    expect_format(selector_parse_labels, "! b", "!b");
    expect_error(selector_parse_labels, "!a=1", 3, "found '=', expected: ',' or 'end of string'");
    expect_error(selector_parse_labels, "!", 2,
                 "unable to parse requirement: found '', expected: "
                 "identifier");
    cJSON_Delete(obj);
}

static void test_in_notin_spaces(void **state)
{
    cJSON *obj = with_labels("{\"env\":\"prod\"}");

    (void)state;
    assert_true(labels_match("env in (prod, qa)", obj));
    assert_true(labels_match("env  in\t( qa ,prod )", obj));
    assert_true(labels_match("env\nin\r\n(prod)", obj));
    assert_true(labels_match("env in(prod)", obj));
    assert_false(labels_match(" env notin ( prod , qa ) ", obj));
    assert_true(labels_match("env notin (dev)", obj));
    expect_format(selector_parse_labels, "env in ( qa , prod,qa )", "env in (prod,qa)");
    expect_format(selector_parse_labels, "env notin ( )", "env notin ()");
    expect_format(selector_parse_labels, "x in (in,notin)", "x in (in,notin)");
    expect_error(selector_parse_labels, "env in (qa prod)", 12,
                 "unable to parse requirement: found 'prod', expected: ',' or ')'");
    cJSON_Delete(obj);
}

static void test_empty_selector(void **state)
{
    static const char *const empties[] = {"", " ", "\t\r\n "};
    cJSON *obj = vmi();
    char buf[8] = "junk";

    (void)state;
    for (size_t i = 0; i < sizeof(empties) / sizeof(empties[0]); i++) {
        struct selector *sel = selector_parse_labels(empties[i], NULL);

        assert_non_null(sel);
        assert_true(selector_is_empty(sel));
        assert_true(selector_matches(sel, obj));
        assert_true(selector_matches(sel, NULL));
        assert_int_equal(selector_format(sel, buf, sizeof(buf)), 0);
        assert_string_equal(buf, "");
        selector_free(sel);
    }
    assert_true(selector_is_empty(NULL));
    assert_true(selector_matches(NULL, obj));
    selector_free(NULL);
    cJSON_Delete(obj);
}

static void test_label_errors(void **state)
{
    char long_key[80], long_value[80], long_prefix[300];

    (void)state;
    expect_error(selector_parse_labels, "a=b,", 5, "found '', expected: identifier after ','");
    expect_error(selector_parse_labels, "a in (b", 8,
                 "unable to parse requirement: found '', expected: ',' or ')'");
    expect_error(selector_parse_labels, "=b", 1,
                 "found '=', expected: !, identifier, or 'end of string'");
    expect_error(selector_parse_labels, "a b", 3,
                 "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt");
    expect_error(selector_parse_labels, "a in b", 6, "found 'b', expected: '('");
    expect_error(selector_parse_labels, "a=(", 3, "found '(', expected: identifier");
    expect_error(selector_parse_labels, "a,,b", 3, "found ',', expected: identifier after ','");

    snprintf(long_key, sizeof(long_key), "x,%064d=1", 0); /* a 64-character name */
    expect_error(selector_parse_labels, long_key, 3,
                 "unable to parse requirement: invalid label key \"0000");
    expect_error(selector_parse_labels, long_key, 3,
                 "name part must be no more than 63 characters");
    snprintf(long_value, sizeof(long_value), "x=%064d", 0);
    expect_error(selector_parse_labels, long_value, 3, "must be no more than 63 characters");
    memset(long_prefix, 'a', 254);
    snprintf(long_prefix + 254, sizeof(long_prefix) - 254, "/n");
    expect_error(selector_parse_labels, long_prefix, 1,
                 "prefix part must be no more than 253 characters");

    expect_error(selector_parse_labels, "app=web,a@b=c", 9,
                 "invalid label key \"a@b\": name part "
                 "must consist of alphanumeric");
    expect_error(selector_parse_labels, "a=b@c", 3, "invalid label value \"b@c\"");
    expect_error(selector_parse_labels, "a in (ok,-bad)", 10, "invalid label value \"-bad\"");
    expect_error(selector_parse_labels, "Example.com/a", 1, "prefix part a lowercase RFC 1123");
    expect_error(selector_parse_labels, "/a", 1, "prefix part must be non-empty");
    expect_error(selector_parse_labels, "a/", 1,
                 "name part must be non-empty; name part must consist of");
    expect_error(selector_parse_labels, "a/b/c", 1, "a qualified name must consist of");
    expect_error(selector_parse_labels, "x=\x01", 3, "invalid label value \"\\x01\"");
}

static void test_numeric(void **state)
{
    cJSON *obj = with_labels("{\"n\":\"5\",\"neg\":\"-3\",\"v\":\"v2\",\"big\":"
                             "\"99999999999999999999\"}");

    (void)state;
    assert_true(labels_match("n>4", obj));
    assert_false(labels_match("n>5", obj));
    assert_true(labels_match("n<6", obj));
    assert_false(labels_match("n<5", obj));
    assert_true(labels_match("n > 004", obj));
    assert_true(labels_match("neg<0", obj));  /* the label may be signed (ParseInt) */
    assert_false(labels_match("v>1", obj));   /* not a number: no match */
    assert_false(labels_match("big>1", obj)); /* overflows int64: no match */
    assert_false(labels_match("big<1", obj));
    assert_false(labels_match("missing<1", obj));
    assert_true(labels_match("n<9223372036854775807", obj));
    expect_format(selector_parse_labels, "n > 007", "n>007");
    expect_error(selector_parse_labels, "n>a", 3,
                 "invalid label value \"a\": for 'Gt', 'Lt' operators, the value must be an "
                 "integer");
    expect_error(selector_parse_labels, "n<", 3, "the value must be an integer");
    expect_error(selector_parse_labels, "n<9223372036854775808", 3, "the value must be an integer");
    /* ParseInt takes the sign but a label value cannot start with '-' */
    expect_error(selector_parse_labels, "n>-1", 3, "invalid label value \"-1\"");
    expect_error(selector_parse_labels, "n>=1", 3, "found '=', expected: identifier");
    cJSON_Delete(obj);
}

static void test_field_selectors(void **state)
{
    cJSON *obj = vmi();

    (void)state;
    assert_true(fields_match("metadata.name=vm1", obj));
    assert_false(fields_match("metadata.name=vm2", obj));
    assert_true(fields_match("metadata.name==vm1", obj));
    assert_true(fields_match("metadata.namespace!=kube-system", obj));
    assert_false(fields_match("metadata.namespace!=storm", obj));
    assert_true(fields_match("status.phase=Running", obj));
    assert_false(fields_match("status.phase=Pending", obj));
    assert_true(fields_match("status.phase=Running,status.nodeName=node-3,metadata.name=vm1", obj));
    assert_false(fields_match("status.phase=Running,status.nodeName=node-4", obj));
    assert_true(fields_match("spec.nodeName=", obj)); /* missing compares as "" */
    assert_false(fields_match("spec.nodeName!=", obj));
    assert_true(fields_match("no.such.path!=x", obj));
    assert_true(fields_match("status.guestOSInfo=", obj)); /* null */
    assert_true(fields_match("status.conditions=", obj));  /* array */
    assert_true(fields_match("spec.running=true", obj));
    assert_true(fields_match("status.ready=false", obj));
    assert_true(fields_match("metadata.generation=3", obj));
    assert_true(fields_match("spec.domain.cpu.cores=2", obj));
    assert_true(fields_match("spec.ratio=0.5", obj));
    assert_true(fields_match(",,", obj));
    assert_true(fields_match("=", obj)); /* no field, no value: dropped as apimachinery does */
    cJSON_Delete(obj);
}

static void test_field_escapes(void **state)
{
    cJSON *obj = cJSON_Parse("{\"metadata\":{\"name\":\"a,b=c\\\\d\"}}");

    (void)state;
    assert_non_null(obj);
    assert_true(fields_match("metadata.name=a\\,b\\=c\\\\d", obj));
    assert_false(fields_match("metadata.name=a\\,b", obj));
    expect_format(selector_parse_fields, "metadata.name==a\\,b\\=c\\\\d",
                  "metadata.name=a\\,b\\=c\\\\d");
    expect_error(selector_parse_fields, "metadata.name=a\\x", 16,
                 "invalid field selector: invalid escape sequence: \\x");
    expect_error(selector_parse_fields, "metadata.name=a\\", 16, "invalid escape sequence: \\");
    expect_error(selector_parse_fields, "metadata.name=a=b", 16,
                 "invalid field selector: unescaped character in value: '='");
    expect_error(selector_parse_fields, "status.phase", 1,
                 "invalid selector: 'status.phase'; can't understand 'status.phase'");
    expect_error(selector_parse_fields, "a=b,c", 5, "can't understand 'c'");
    /* terms are checked in sorted order, as apimachinery does: "b" before "c" */
    expect_error(selector_parse_fields, "c,b", 3, "can't understand 'b'");
    cJSON_Delete(obj);
}

static void test_format(void **state)
{
    struct selector *sel;
    char small[6];

    (void)state;
    expect_format(selector_parse_labels, "z, x=a ,!y,w!=b,v==c,u notin (b,a,b),t>1,s<2",
                  "s<2,t>1,u notin (a,b),v==c,w!=b,x=a,!y,z");
    expect_format(selector_parse_labels, "x=a,a=x", "a=x,x=a");
    expect_format(selector_parse_labels, "a=x,x=a", "a=x,x=a");
    expect_format(selector_parse_labels, "x in (,a,)", "x in (,a)");
    expect_format(selector_parse_labels, "x= ,z= ", "x=,z=");
    expect_format(selector_parse_fields, "status.phase=Running,metadata.name==vm1",
                  "metadata.name=vm1,status.phase=Running");
    expect_format(selector_parse_fields, "a!=1,a=1,,", "a=1,a!=1");

    sel = selector_parse_labels("abc=def", NULL);
    assert_non_null(sel);
    assert_int_equal(selector_format(sel, small, sizeof(small)), 7);
    assert_string_equal(small, "abc=d");
    assert_int_equal(selector_format(sel, NULL, 0), 7);
    selector_free(sel);
}

/*
 * Selector strings with the outcome apimachinery's labels.Parse gives
 * (mostly from its selector_test.go), each with the reason.
 */
static void test_apimachinery_behaviour(void **state)
{
    static const struct {
        const char *text;
        int ok;
    } cases[] = {
        {"x=a,y=b,z=c", 1}, /* plain equality list */
        {"x!=a,y=b", 1},    /* != is one token */
        {"x= ,z= ", 1},     /* an empty value before ',' or the end */
        {"!x", 1},          /* does-not-exist */
        {"x>1,z<5", 1},     /* numeric comparison */
        {"x in (),y", 1},   /* "()" is the set holding "" */
        {"\rx", 1},         /* CR is a blank */
        {"0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)", 1}, /* digits and dots */
        {"a in (x,y,notin, z,in)", 1}, /* keywords are values inside the list */
        {"x notin (, a)", 1},          /* a leading comma adds "" */
        {"in in (in)", 1},             /* 'in' is a key where a key is expected */
        {"x=a||y=b", 0},               /* "||" glued to the value: "a||y" is not a label value */
        {"x==a==b", 0},                /* a second "==" where ',' or the end belongs */
        {"!x=a", 0},                   /* '!' takes a bare key only */
        {"x<a", 0},                    /* gt/lt need an integer */
        {"x,,y", 0},                   /* an empty requirement */
        {",x,y", 0},                   /* a leading comma */
        {"x nott in (y)", 0},          /* "nott" is not an operator */
        {"a in (xyz),", 0},            /* a trailing comma needs a requirement after it */
        {"a in (xyz)b notin ()", 0},   /* no comma between requirements */
        {"a in (xyz abc)", 0},         /* values need commas */
        {"a notin(", 0},               /* unterminated list */
        {"a (", 0},                    /* '(' is not an operator */
        {"(", 0},                      /* a requirement starts with '!' or a key */
        {"x>=1", 0},                   /* no ">=": '>' then '=' where a value belongs */
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct vs_error err = {0};
        struct selector *sel = selector_parse_labels(cases[i].text, &err);

        if ((sel != NULL) != cases[i].ok)
            fail_msg("'%s': want %s, got %s", cases[i].text, cases[i].ok ? "ok" : "error",
                     sel ? "ok" : err.msg);
        selector_free(sel);
    }
}

static void test_too_long(void **state)
{
    char *text = malloc(SELECTOR_TEXT_MAX + 2);
    struct vs_error err = {0};

    (void)state;
    assert_non_null(text);
    memset(text, 'a', SELECTOR_TEXT_MAX + 1);
    text[SELECTOR_TEXT_MAX + 1] = '\0';
    assert_null(selector_parse_labels(text, &err));
    assert_non_null(strstr(err.msg, "longer than"));
    assert_null(selector_parse_fields(text, NULL));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_label_operators),
        cmocka_unit_test(test_prefixed_keys),
        cmocka_unit_test(test_not_exists),
        cmocka_unit_test(test_in_notin_spaces),
        cmocka_unit_test(test_empty_selector),
        cmocka_unit_test(test_label_errors),
        cmocka_unit_test(test_numeric),
        cmocka_unit_test(test_field_selectors),
        cmocka_unit_test(test_field_escapes),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_apimachinery_behaviour),
        cmocka_unit_test(test_too_long),
    };

    return cmocka_run_group_tests_name("selector", tests, NULL, NULL);
}
