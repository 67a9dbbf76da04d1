#include "unit.h"

#include "yamlpos.h"

/* yamlpos_find() returns want_rc and, unless -1, this position. */
static void assert_pos(const char *yaml, size_t idx, const char *path, int want_rc, long doc,
                       long line, long col)
{
    struct yamlpos pos = {-7, -7, -7};
    int rc = yamlpos_find(yaml, strlen(yaml), idx, path, &pos);

    if (rc != want_rc)
        fail_msg("'%s' in document %zu: got %d, want %d", path, idx, rc, want_rc);
    if (rc < 0) {
        assert_int_equal(pos.doc, -7); /* untouched */
        assert_int_equal(pos.line, -7);
        return;
    }
    if (pos.doc != doc || pos.line != line || pos.col != col)
        fail_msg("'%s' in document %zu: at document %ld %ld:%ld, want document %ld %ld:%ld", path,
                 idx, pos.doc, pos.line, pos.col, doc, line, col);
}

static void test_root_and_keys(void **state)
{
    const char *yaml = "# comment\n"
                       "apiVersion: v1\n"
                       "'kind': Secret\n"
                       "metadata:\n"
                       "  name: s\n"
                       "  labels: {a: b, \"c\": d}\n";

    (void)state;
    assert_pos(yaml, 0, "", 1, 1, 2, 1);
    assert_pos(yaml, 0, "apiVersion", 1, 1, 2, 13);
    assert_pos(yaml, 0, "kind", 1, 1, 3, 9); /* a quoted key matches its text */
    assert_pos(yaml, 0, "metadata", 1, 1, 5, 3);
    assert_pos(yaml, 0, "metadata.name", 1, 1, 5, 9);
    assert_pos(yaml, 0, "metadata.labels.c", 1, 1, 6, 23);
}

static void test_partial_paths(void **state)
{
    const char *yaml = "a: 1\n"
                       "b:\n"
                       "  c: [x, {d: 2}]\n";

    (void)state;
    assert_pos(yaml, 0, "missing", 0, 1, 1, 1);   /* the root */
    assert_pos(yaml, 0, "a.deeper", 0, 1, 1, 1);  /* 'a' holds a scalar: at its key */
    assert_pos(yaml, 0, "b.c[1].e", 0, 1, 3, 10); /* at the item */
    assert_pos(yaml, 0, "b.c[5]", 0, 1, 3, 3);    /* past the end: at 'c' */
    assert_pos(yaml, 0, "b[0]", 0, 1, 2, 1);      /* an index into a mapping */
    assert_pos(yaml, 0, "b.c[1].d", 1, 1, 3, 14);
    assert_pos(yaml, 0, "b.c[0]", 1, 1, 3, 7);
}

/* Keys after nested collections are found: the walk skips whole values. */
static void test_skips_nested_values(void **state)
{
    const char *yaml = "a: {b: [1, {c: 2}], d: [[3], {}]}\n"
                       "e:\n"
                       "  - - x\n"
                       "    - {f: g}\n"
                       "  - y\n"
                       "h: last\n";

    (void)state;
    assert_pos(yaml, 0, "e[1]", 1, 1, 5, 5);
    assert_pos(yaml, 0, "e[0][1].f", 1, 1, 4, 11);
    assert_pos(yaml, 0, "h", 1, 1, 6, 4);
}

/* idx counts the documents yamljson returns; doc counts every document. */
static void test_documents(void **state)
{
    const char *yaml = "---\n"
                       "---\n"
                       "# only a comment\n"
                       "---\n"
                       "x: 1\n"
                       "--- ~\n"
                       "--- [a]\n";

    (void)state;
    assert_pos(yaml, 0, "x", 1, 3, 5, 4);
    assert_pos(yaml, 1, "", 1, 4, 6, 5); /* a null document is kept, as in yamljson */
    assert_pos(yaml, 2, "[0]", 1, 5, 7, 6);
    assert_pos(yaml, 3, "", -1, 0, 0, 0);
}

static void test_aliases_and_merges(void **state)
{
    const char *yaml = "base: &B {k: 1}\n"
                       "copy: *B\n"
                       "merged:\n"
                       "  <<: *B\n"
                       "  own: 2\n";

    (void)state;
    assert_pos(yaml, 0, "copy", 1, 1, 2, 7);
    assert_pos(yaml, 0, "copy.k", 0, 1, 2, 1);   /* inside an alias: not followed */
    assert_pos(yaml, 0, "merged.k", 0, 1, 3, 1); /* a merged key: not found */
    assert_pos(yaml, 0, "merged.own", 1, 1, 5, 8);
}

static void test_bad_input(void **state)
{
    (void)state;
    assert_pos("", 0, "", -1, 0, 0, 0);
    assert_pos("a: [\n---\nb: 1\n", 1, "b", -1, 0, 0, 0); /* broken before the document */
    /* libyaml reads lazily: what comes before an error is found ... */
    assert_pos("a: [1\n", 0, "a", 1, 1, 1, 4);
    assert_pos("a: 1\n---\nb: [\n", 0, "a", 1, 1, 1, 4);
    /* ... and a walk that meets one stops where it got */
    assert_pos("a: 1\nb: [\n", 0, "c", 0, 1, 1, 1);
    {
        struct yamlpos pos;

        assert_int_equal(yamlpos_find(NULL, 0, 0, "", &pos), -1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_root_and_keys),       cmocka_unit_test(test_partial_paths),
        cmocka_unit_test(test_skips_nested_values), cmocka_unit_test(test_documents),
        cmocka_unit_test(test_aliases_and_merges),  cmocka_unit_test(test_bad_input),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
