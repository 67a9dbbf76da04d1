#include "unit.h"

#include <fcntl.h>

#include "msg.h"

static void test_error_format(void **state)
{
    struct vs_error err;
    char buf[128];

    (void)state;
    vs_error_clear(&err);
    assert_int_equal(
        vs_error_set(&err, "run.ndjson", 42, 17, "expected integer for '%s'", "mono_ns"), -1);
    assert_string_equal(vs_error_format(&err, buf, sizeof(buf)),
                        "run.ndjson:42:17: expected integer for 'mono_ns'");
    vs_error_set(&err, "run.ndjson", 42, 0, "x");
    assert_string_equal(vs_error_format(&err, buf, sizeof(buf)), "run.ndjson:42: x");
    vs_error_set(&err, "vm.yaml", 0, 0, "y");
    assert_string_equal(vs_error_format(&err, buf, sizeof(buf)), "vm.yaml: y");
    vs_error_setc(&err, 13, NULL, 5, 6, "z");
    assert_int_equal(err.code, 13);
    assert_string_equal(vs_error_format(&err, buf, sizeof(buf)), "z");
    assert_string_equal(vs_error_format(&err, buf, 2), "z");
    assert_int_equal(vs_error_set(NULL, "a", 1, 1, "ignored"), -1);
}

static void test_error_truncates(void **state)
{
    struct vs_error err;
    char big[2000];

    (void)state;
    memset(big, 'q', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    vs_error_set(&err, big, 1, 1, "%s", big);
    assert_int_equal(strlen(err.where), sizeof(err.where) - 1);
    assert_int_equal(strlen(err.msg), sizeof(err.msg) - 1);
}

static void test_parse_level(void **state)
{
    enum msg_level l = MSG_INFO;

    (void)state;
    assert_int_equal(msg_parse_level("debug", &l), 0);
    assert_int_equal(l, MSG_DEBUG);
    assert_int_equal(msg_parse_level("WARNING", &l), 0);
    assert_int_equal(l, MSG_WARN);
    assert_int_equal(msg_parse_level("verbose", &l), -1);
    assert_int_equal(l, MSG_WARN);
}

/* Capture what the msg functions print to stderr. */
static void test_messages(void **state)
{
    char path[] = "/tmp/vmstorm-msg.XXXXXX";
    int fd = mkstemp(path), saved = dup(2);
    char out[512] = "";
    struct vs_error err;
    FILE *f;
    size_t n;

    (void)state;
    assert_true(fd >= 0);
    dup2(fd, 2);
    msg_set_program("vmstorm-test");
    msg_set_level(MSG_INFO);
    msg_error("cannot open '%s'", "x.yaml");
    msg_warn("slow");
    msg_info("ready");
    msg_debug("hidden");
    vs_error_set(&err, "run.ndjson", 3, 9, "bad");
    msg_report(&err);
    msg_set_level(MSG_ERROR);
    msg_warn("also hidden");
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    f = fdopen(fd, "r");
    rewind(f);
    n = fread(out, 1, sizeof(out) - 1, f);
    out[n] = '\0';
    fclose(f);
    unlink(path);
    assert_string_equal(out, "vmstorm-test: cannot open 'x.yaml'\n"
                             "vmstorm-test: warning: slow\n"
                             "vmstorm-test: ready\n"
                             "vmstorm-test: run.ndjson:3:9: bad\n");
    assert_string_equal(msg_program(), "vmstorm-test");
    assert_int_equal(msg_level(), MSG_ERROR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_format),
        cmocka_unit_test(test_error_truncates),
        cmocka_unit_test(test_parse_level),
        cmocka_unit_test(test_messages),
    };

    return cmocka_run_group_tests_name("msg", tests, NULL, NULL);
}
