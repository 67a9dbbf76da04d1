#include "unit.h"

#include "strmap.h"

/* Against a plain array: puts, replacements and deletions in a pseudo-random order. */
static void check_against_reference(int nkeys, int live_max, int rounds)
{
    struct strmap *m = strmap_new();
    static int present[4096];
    static long values[4096];
    char key[32];
    unsigned x = 12345;
    int live = 0;

    assert_true(nkeys <= 4096);
    memset(present, 0, sizeof(present));
    for (int r = 0; r < rounds; r++) {
        int k;

        x = x * 1103515245u + 12345u;
        k = (int)((x >> 8) % (unsigned)nkeys);
        snprintf(key, sizeof(key), "ns-%d/vm", k);
        if (present[k] && ((x >> 4) & 1)) {
            assert_ptr_equal(strmap_del(m, key), &values[k]);
            present[k] = 0;
            live--;
        } else if (present[k] || live < live_max) {
            live += !present[k];
            present[k] = 1;
            assert_int_equal(strmap_put(m, key, &values[k]), 0);
        }
        if (r % 97 == 0) {
            for (int i = 0; i < nkeys; i++) {
                snprintf(key, sizeof(key), "ns-%d/vm", i);
                assert_ptr_equal(strmap_get(m, key), present[i] ? &values[i] : NULL);
            }
            assert_int_equal(strmap_count(m), (size_t)live);
        }
    }
    strmap_free(m);
}

static void test_small_table_wraps(void **state)
{
    (void)state;
    /* few live keys among many: the table stays small, runs wrap around its end */
    check_against_reference(1000, 11, 200000);
}

static void test_large(void **state)
{
    (void)state;
    check_against_reference(4096, 4096, 100000);
}

static int count_cb(void *ctx, const char *key, void *value)
{
    (void)key;
    (void)value;
    return ++*(int *)ctx == 3 ? 7 : 0;
}

static void test_basics(void **state)
{
    struct strmap *m = strmap_new();
    int a = 1, b = 2, n = 0;

    (void)state;
    assert_null(strmap_get(m, "x"));
    assert_null(strmap_del(m, "x"));
    assert_int_equal(strmap_put(m, "x", &a), 0);
    assert_int_equal(strmap_put(m, "x", &b), 0); /* replaces */
    assert_ptr_equal(strmap_get(m, "x"), &b);
    assert_int_equal(strmap_count(m), 1);
    assert_int_equal(strmap_put(m, "", &a), 0); /* the empty key is a key */
    assert_ptr_equal(strmap_get(m, ""), &a);
    assert_int_equal(strmap_put(m, "y", &a), 0);
    assert_int_equal(strmap_each(m, count_cb, &n), 7); /* stops at the third */
    assert_int_equal(n, 3);
    strmap_free(m);
    strmap_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basics),
        cmocka_unit_test(test_small_table_wraps),
        cmocka_unit_test(test_large),
    };

    return cmocka_run_group_tests_name("strmap", tests, NULL, NULL);
}
