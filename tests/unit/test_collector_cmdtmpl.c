#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include "clock.h"
#include "cmdtmpl.h"

static void expect(const char *tmpl, const char *ip, const char *ns, const char *name,
                   const char *want)
{
    char *got = cmdtmpl_expand(tmpl, ip, ns, name);

    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void test_expand(void **state)
{
    (void)state;
    expect("ping -c1 {ip}", "10.0.0.1", "ns", "vm", "ping -c1 '10.0.0.1'");
    expect("{namespace}/{name}@{ip}", "1.2.3.4", "ns-1", "vm-1", "'ns-1'/'vm-1'@'1.2.3.4'");
    expect("{ip}{ip}", "a", "b", "c", "'a''a'");
    expect("", "a", "b", "c", "");
    expect("no placeholders", "a", "b", "c", "no placeholders");
    /* other braces stay; a value is one word and never expanded again */
    expect("{foo} {ip} {nam} {name", "{name}", "b", "c", "{foo} '{name}' {nam} {name");
    expect("echo {name}", "", "", "it's", "echo 'it'\\''s'");
    expect("echo {name}", "", "", "", "echo ''");
    expect("x{namespace}", "", "$(rm -rf /) `x` \"q\" ;|&", "", "x'$(rm -rf /) `x` \"q\" ;|&'");
    expect("{name}", "", "", "''", "''\\'''\\'''");
}

/* The expansion, run by /bin/sh, gives the values back byte for byte. */
static void test_expand_reaches_shell(void **state)
{
    const char *name = "a'b c\"d$(touch /nonexistent/x)`id`\\\n{ip}*?~ ;";
    char *cmd = cmdtmpl_expand("printf '%s|%s|%s' {ip} {namespace} {name}", "1'2", "$HOME", name);
    char want[256], got[256];
    int fds[2], status = 0;
    pid_t pid;
    ssize_t n;
    size_t len = 0;

    (void)state;
    assert_non_null(cmd);
    assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
    assert_int_equal(cmdtmpl_spawn(cmd, fds[1], fds[1], &pid), 0);
    close(fds[1]);
    while ((n = read(fds[0], got + len, sizeof(got) - 1 - len)) > 0)
        len += (size_t)n;
    got[len] = '\0';
    close(fds[0]);
    assert_int_equal(cmdtmpl_reap(pid, &status), 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    snprintf(want, sizeof(want), "1'2|$HOME|%s", name);
    assert_string_equal(got, want);
    free(cmd);
}

static void test_spawn_group_and_fds(void **state)
{
    int fds[2], status = 0, leak = open("/dev/null", O_RDONLY); /* no O_CLOEXEC */
    char cmd[256], got[128];
    pid_t pid;
    ssize_t n;
    size_t len = 0;

    (void)state;
    assert_true(leak > 2);
    /* own group (pgid = pid), stdin /dev/null, fd `leak` not inherited */
    snprintf(cmd, sizeof(cmd),
             "read -r a b c d pg rest < /proc/$$/stat; test \"$pg\" = $$ && echo group;"
             " readlink /proc/self/fd/0; test -e /proc/self/fd/%d || echo closed; echo err >&2",
             leak);
    assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
    assert_int_equal(cmdtmpl_spawn(cmd, fds[1], fds[1], &pid), 0);
    close(fds[1]);
    while ((n = read(fds[0], got + len, sizeof(got) - 1 - len)) > 0)
        len += (size_t)n;
    got[len] = '\0';
    close(fds[0]);
    close(leak);
    assert_int_equal(cmdtmpl_reap(pid, &status), 0);
    assert_string_equal(got, "group\n/dev/null\nclosed\nerr\n");
}

static void test_exited_and_reap(void **state)
{
    int fds[2], status = 0;
    int64_t until = clock_mono_ns() + INT64_C(5000000000);
    pid_t pid;
    char c;

    (void)state;
    assert_int_equal(cmdtmpl_spawn("true", 1, 2, &pid), EBADF); /* not above 2 */
    assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
    assert_int_equal(cmdtmpl_spawn("read x; exit 7", fds[1], fds[1], &pid), 0);
    close(fds[1]);
    /* stdin is /dev/null: read fails at once, the shell exits 7 */
    assert_int_equal(read(fds[0], &c, 1), 0); /* EOF: it is gone */
    close(fds[0]);
    while (!cmdtmpl_exited(pid) && clock_mono_ns() < until)
        usleep(1000);
    assert_true(cmdtmpl_exited(pid)); /* not reaped by asking */
    assert_int_equal(cmdtmpl_reap(pid, &status), 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 7);
    assert_int_equal(cmdtmpl_reap(pid, &status), ECHILD);
    assert_true(cmdtmpl_exited(pid)); /* gone counts as exited */
}

static void test_status_text(void **state)
{
    char buf[64];

    (void)state;
    assert_string_equal(cmdtmpl_status_text(3 << 8, buf, sizeof(buf)), "exit status 3");
    assert_string_equal(cmdtmpl_status_text(0, buf, sizeof(buf)), "exit status 0");
    assert_string_equal(cmdtmpl_status_text(SIGKILL, buf, sizeof(buf)), "killed by signal 9");
}

static void test_tail(void **state)
{
    char tail[8];
    size_t len = 0;

    (void)state;
    assert_int_equal(cmdtmpl_tail_add(tail, sizeof(tail), &len, "abc", 3), 0);
    assert_int_equal(cmdtmpl_tail_add(tail, sizeof(tail), &len, "defgh", 5), 0);
    assert_int_equal(len, 8);
    assert_memory_equal(tail, "abcdefgh", 8);
    assert_int_equal(cmdtmpl_tail_add(tail, sizeof(tail), &len, "ij", 2), 1);
    assert_memory_equal(tail, "cdefghij", 8);
    assert_int_equal(cmdtmpl_tail_add(tail, sizeof(tail), &len, "0123456789", 10), 1);
    assert_int_equal(len, 8);
    assert_memory_equal(tail, "23456789", 8);
    len = 0; /* exactly cap into an empty tail: nothing dropped */
    assert_int_equal(cmdtmpl_tail_add(tail, sizeof(tail), &len, "ABCDEFGH", 8), 0);
    assert_memory_equal(tail, "ABCDEFGH", 8);
    assert_int_equal(cmdtmpl_tail_add(tail, sizeof(tail), &len, "", 0), 0);
    assert_int_equal(len, 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expand),
        cmocka_unit_test(test_expand_reaches_shell),
        cmocka_unit_test(test_spawn_group_and_fds),
        cmocka_unit_test(test_exited_and_reap),
        cmocka_unit_test(test_status_text),
        cmocka_unit_test(test_tail),
    };

    return cmocka_run_group_tests_name("collector_cmdtmpl", tests, NULL, NULL);
}
