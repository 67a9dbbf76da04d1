#include "unit.h"

#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "evstream.h"
#include "ndjson_writer.h"

static const struct vs_time T = {1795168800000000001LL, 5000000000001LL};

static cJSON *body_with(const char *key, const char *value)
{
    cJSON *b = cJSON_CreateObject();

    cJSON_AddStringToObject(b, key, value);
    return b;
}

/* Read a whole run file back; returns the number of events, asserts no bad line. */
static long read_back(const char *path, int64_t *last_seq)
{
    struct vs_error err;
    struct evstream *s = evstream_open(path, 0, &err);
    struct event ev;
    enum evstream_status st;
    long n = 0;

    assert_non_null(s);
    while ((st = evstream_next(s, &ev, &err)) == EVSTREAM_EVENT) {
        assert_int_equal(ev.seq, n);
        if (last_seq)
            *last_seq = ev.seq;
        event_release(&ev);
        n++;
    }
    if (st != EVSTREAM_EOF)
        fail_msg("%s:%ld: %s", err.where, err.line, err.msg);
    evstream_free(s);
    return n;
}

static void test_write_and_read_back(void **state)
{
    char *path = unit_tmppath();
    struct vs_error err;
    struct ndjson_writer *w = ndjson_writer_open(path, NDJSON_WRITER_EXCL, &err);
    cJSON *b = body_with("phase", "create");
    struct evstream *s;
    struct event ev;
    struct stat st;

    (void)state;
    assert_non_null(w);
    assert_int_equal(ndjson_writer_emit(w, "phase_begin", &T, b, &err), 0);
    assert_int_equal(ndjson_writer_emit(w, "phase_end", NULL, b, &err), 0);
    assert_int_equal(ndjson_writer_emit(w, "run_end", &T, NULL, &err), 0);
    assert_int_equal(ndjson_writer_count(w), 3);
    assert_int_equal(ndjson_writer_sync(w, &err), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal((uint64_t)st.st_size, ndjson_writer_bytes(w));
    assert_int_equal(ndjson_writer_close(w, &err), 0);

    assert_int_equal(read_back(path, NULL), 3);
    s = evstream_open(path, 0, NULL);
    assert_int_equal(evstream_next(s, &ev, NULL), EVSTREAM_EVENT);
    assert_true(ev.wall_ns == T.wall_ns && ev.mono_ns == T.mono_ns);
    assert_int_equal(ev.kind, EV_PHASE_BEGIN);
    event_release(&ev);
    assert_int_equal(evstream_next(s, &ev, NULL), EVSTREAM_EVENT);
    /* t == NULL stamps the current time */
    assert_true(ev.wall_ns > 1577836800000000000LL && ev.mono_ns > 0 && ev.wall_ns != T.wall_ns);
    event_release(&ev);
    evstream_free(s);
    cJSON_Delete(b);
    unlink(path);
    free(path);
}

static void test_refuses_existing_data(void **state)
{
    char *path = unit_tmpfile("{\"precious\":1}\n", 15);
    struct vs_error err;
    char buf[64] = "";
    FILE *f;

    (void)state;
    assert_null(ndjson_writer_open(path, 0, &err));
    assert_string_equal(err.where, path);
    assert_non_null(strstr(err.msg, "already holds data"));
    assert_null(ndjson_writer_open(path, NDJSON_WRITER_EXCL, &err));
    assert_int_equal(err.code, EEXIST);
    f = fopen(path, "r");
    assert_non_null(fgets(buf, sizeof(buf), f));
    fclose(f);
    assert_string_equal(buf, "{\"precious\":1}\n");
    unlink(path);
    free(path);
}

static void test_dev_full(void **state)
{
    struct vs_error err;
    struct ndjson_writer *w = ndjson_writer_open("/dev/full", 0, &err);

    (void)state;
    if (!w)
        skip();
    assert_int_equal(ndjson_writer_emit(w, "run_end", &T, NULL, &err), -1);
    assert_string_equal(err.where, "/dev/full");
    assert_int_equal(err.code, ENOSPC);
    assert_non_null(strstr(err.msg, "cannot write event 0"));
    assert_true(ndjson_writer_failed(w));
    assert_int_equal(ndjson_writer_emit(w, "run_end", &T, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "an earlier write failed"));
    assert_int_equal(ndjson_writer_count(w), 0);
    ndjson_writer_close(w, NULL);
}

/*
 * Under a file size limit, the writer fills the file until a line no longer
 * fits, cuts off the partial line, and fails: every line in the file is whole.
 */
static void test_file_size_limit(void **state)
{
    char *path = unit_tmppath();
    int pipefd[2], status;
    long written = -1;
    pid_t pid;

    (void)state;
    assert_int_equal(pipe(pipefd), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rlimit rl = {10000, 10000};
        struct ndjson_writer *w;
        struct vs_error err;
        cJSON *b = body_with("message", "0123456789012345678901234567890123456789"
                                        "0123456789012345678901234567890123456789");
        long n = 0;

        signal(SIGXFSZ, SIG_IGN);
        setrlimit(RLIMIT_FSIZE, &rl);
        w = ndjson_writer_open(path, 0, &err);
        while (w && ndjson_writer_emit(w, "warning", &T, b, &err) == 0)
            n++;
        /* report: events written, then whether the error named the file */
        n = (w && strstr(err.msg, "File too large") && strcmp(err.where, path) == 0 &&
             strstr(err.msg, "intact"))
                ? n
                : -n - 1;
        ndjson_writer_close(w, &err);
        cJSON_Delete(b);
        if (write(pipefd[1], &n, sizeof(n)) != sizeof(n))
            _exit(2);
        _exit(0);
    }
    close(pipefd[1]);
    assert_int_equal(read(pipefd[0], &written, sizeof(written)), sizeof(written));
    close(pipefd[0]);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_true(written > 10); /* 10000 bytes hold about 70 such lines */
    assert_int_equal(read_back(path, NULL), written);
    unlink(path);
    free(path);
}

static void test_too_long_event_refused_writer_usable(void **state)
{
    char *path = unit_tmppath();
    struct vs_error err;
    struct ndjson_writer *w = ndjson_writer_open(path, 0, &err);
    size_t big = EVENT_LINE_MAX + 10;
    char *text = malloc(big + 1);
    cJSON *b;

    (void)state;
    memset(text, 'a', big);
    text[big] = '\0';
    b = body_with("message", text);
    assert_non_null(w);
    assert_int_equal(ndjson_writer_emit(w, "warning", &T, b, &err), -1);
    assert_int_equal(err.code, E2BIG);
    assert_string_equal(err.where, path);
    assert_false(ndjson_writer_failed(w));
    assert_int_equal(ndjson_writer_emit(w, "run_end", &T, NULL, &err), 0);
    assert_int_equal(ndjson_writer_close(w, &err), 0);
    assert_int_equal(read_back(path, NULL), 1);
    cJSON_Delete(b);
    free(text);
    unlink(path);
    free(path);
}

static void test_bad_kind_not_written(void **state)
{
    char *path = unit_tmppath();
    struct vs_error err;
    struct ndjson_writer *w = ndjson_writer_open(path, 0, &err);

    (void)state;
    assert_int_equal(ndjson_writer_emit(w, "Bad Kind", &T, NULL, &err), -1);
    assert_string_equal(err.where, path);
    assert_int_equal(ndjson_writer_count(w), 0);
    assert_int_equal(ndjson_writer_bytes(w), 0);
    assert_int_equal(ndjson_writer_close(w, &err), 0);
    assert_int_equal(ndjson_writer_close(NULL, &err), 0);
    unlink(path);
    free(path);
}

static void test_open_in_missing_dir(void **state)
{
    struct vs_error err;

    (void)state;
    assert_null(ndjson_writer_open("/nonexistent-dir/run.ndjson", 0, &err));
    assert_string_equal(err.where, "/nonexistent-dir/run.ndjson");
    assert_non_null(strstr(err.msg, "cannot create"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_and_read_back),
        cmocka_unit_test(test_refuses_existing_data),
        cmocka_unit_test(test_dev_full),
        cmocka_unit_test(test_file_size_limit),
        cmocka_unit_test(test_too_long_event_refused_writer_usable),
        cmocka_unit_test(test_bad_kind_not_written),
        cmocka_unit_test(test_open_in_missing_dir),
    };

    return cmocka_run_group_tests_name("ndjson_writer", tests, NULL, NULL);
}
