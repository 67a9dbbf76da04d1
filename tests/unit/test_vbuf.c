#include "unit.h"

#include <errno.h>

#include "vbuf.h"

static void test_add_and_cap(void **state)
{
    struct vbuf b = VBUF_INIT(10);

    (void)state;
    assert_string_equal(vbuf_str(&b), "");
    assert_int_equal(vbuf_adds(&b, "hello"), 0);
    assert_int_equal(vbuf_addc(&b, ' '), 0);
    assert_int_equal(vbuf_addf(&b, "%d", 123), 0);
    assert_string_equal(vbuf_str(&b), "hello 123");
    assert_int_equal(b.len, 9);
    errno = 0;
    assert_int_equal(vbuf_adds(&b, "xy"), -1);
    assert_int_equal(errno, E2BIG);
    assert_string_equal(vbuf_str(&b), "hello 123"); /* unchanged on failure */
    assert_int_equal(vbuf_addf(&b, "%s", "ab"), -1);
    assert_string_equal(vbuf_str(&b), "hello 123");
    assert_int_equal(vbuf_addc(&b, '!'), 0); /* exactly at the cap */
    assert_int_equal(b.len, 10);
    assert_true(b.cap <= 11);
    vbuf_release(&b);
    assert_null(b.data);
    assert_int_equal(b.max, 10);
}

static void test_growth_many(void **state)
{
    struct vbuf b = VBUF_INIT(1 << 20);
    char *p;
    size_t len;

    (void)state;
    for (int i = 0; i < 100000; i++)
        assert_int_equal(vbuf_addc(&b, (char)('a' + i % 26)), 0);
    assert_int_equal(b.len, 100000);
    assert_int_equal(b.data[99999], 'a' + 99999 % 26);
    assert_int_equal(b.data[100000], '\0');
    vbuf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(vbuf_str(&b), "");
    assert_int_equal(vbuf_add(&b, "a\0b", 3), 0);
    p = vbuf_detach(&b, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(p, "a\0b", 3);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    free(p);
    vbuf_release(NULL);
}

static void test_huge_add_refused(void **state)
{
    struct vbuf b = VBUF_INIT(100);

    (void)state;
    assert_int_equal(vbuf_add(&b, "", (size_t)-1), -1);
    assert_int_equal(errno, E2BIG);
    assert_int_equal(b.len, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_and_cap),
        cmocka_unit_test(test_growth_many),
        cmocka_unit_test(test_huge_add_refused),
    };

    return cmocka_run_group_tests_name("vbuf", tests, NULL, NULL);
}
