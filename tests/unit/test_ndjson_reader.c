#include "unit.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <zlib.h>

#include "ndjson_reader.h"

#define MB ((size_t)1 << 20)

/* Read everything from r into a "|"-joined description of statuses and lines. */
static void expect_line(struct ndjson_reader *r, const char *text, long lineno)
{
    struct ndjson_line line;
    struct vs_error err;

    assert_int_equal(ndjson_reader_next(r, &line, &err), NDJSON_LINE);
    assert_int_equal(line.len, strlen(text));
    assert_memory_equal(line.text, text, line.len);
    assert_int_equal(line.lineno, lineno);
}

static void expect_status(struct ndjson_reader *r, enum ndjson_status want, long err_line)
{
    struct ndjson_line line;
    struct vs_error err;

    vs_error_clear(&err);
    assert_int_equal(ndjson_reader_next(r, &line, &err), want);
    if (err_line)
        assert_int_equal(err.line, err_line);
}

static struct ndjson_reader *mem_reader(const char *text, size_t max)
{
    struct ndjson_reader *r = ndjson_reader_from_mem(text, strlen(text), "mem", max, NULL);

    assert_non_null(r);
    return r;
}

static void test_empty(void **state)
{
    struct ndjson_reader *r = mem_reader("", 100);
    char *path = unit_tmpfile("", 0);
    struct ndjson_reader *f = ndjson_reader_open(path, 100, NULL);

    (void)state;
    expect_status(r, NDJSON_EOF, 0);
    expect_status(r, NDJSON_EOF, 0);
    assert_non_null(f);
    expect_status(f, NDJSON_EOF, 0);
    ndjson_reader_free(r);
    ndjson_reader_free(f);
    unlink(path);
    free(path);
}

static void test_lines_blank_crlf(void **state)
{
    struct ndjson_reader *r = mem_reader("{\"a\":1}\n\n  \t\r\n{\"b\":2}\r\nx\n", 100);

    (void)state;
    expect_line(r, "{\"a\":1}", 1);
    expect_line(r, "{\"b\":2}", 4);
    expect_line(r, "x", 5);
    expect_status(r, NDJSON_EOF, 0);
    assert_int_equal(ndjson_reader_offset(r), 25);
    ndjson_reader_free(r);
}

static void test_truncated_last_line(void **state)
{
    struct ndjson_reader *r = mem_reader("{}\n{\"cut", 100);
    struct ndjson_line line;
    struct vs_error err;

    (void)state;
    expect_line(r, "{}", 1);
    assert_int_equal(ndjson_reader_next(r, &line, &err), NDJSON_TRUNCATED);
    assert_int_equal(line.len, 5);
    assert_memory_equal(line.text, "{\"cut", 5);
    assert_int_equal(err.line, 2);
    assert_string_equal(err.where, "mem");
    assert_non_null(strstr(err.msg, "truncated"));
    expect_status(r, NDJSON_EOF, 0);
    ndjson_reader_free(r);
}

static void test_trailing_blank_is_not_truncation(void **state)
{
    struct ndjson_reader *r = mem_reader("{}\n  ", 100);

    (void)state;
    expect_line(r, "{}", 1);
    expect_status(r, NDJSON_EOF, 0);
    ndjson_reader_free(r);
}

static void test_max_line_boundary(void **state)
{
    /* max 4: "abcd" fits, "abcd\r" fits (the \r is dropped), "abcde" does not */
    struct ndjson_reader *r = mem_reader("abcd\nabcd\r\nabcde\nok\n", 4);

    (void)state;
    expect_line(r, "abcd", 1);
    expect_line(r, "abcd", 2);
    expect_status(r, NDJSON_TOO_LONG, 3);
    expect_line(r, "ok", 4);
    expect_status(r, NDJSON_EOF, 0);
    ndjson_reader_free(r);
}

/* A 10 MB line between two good ones, read from a file with an 8 MiB cap. */
static char *ten_mb_file(int final_newline, size_t *size)
{
    size_t big = 10 * 1000 * 1000, len = 0;
    char *data = malloc(big + 64), *path;

    assert_non_null(data);
    len += (size_t)sprintf(data, "{\"first\":1}\n");
    memset(data + len, 'x', big);
    len += big;
    if (final_newline)
        len += (size_t)sprintf(data + len, "\n{\"third\":3}\n");
    path = unit_tmpfile(data, len);
    free(data);
    *size = len;
    return path;
}

static void test_ten_mb_line_fd(void **state)
{
    size_t size;
    char *path = ten_mb_file(1, &size);
    struct vs_error err;
    struct ndjson_line line;
    struct ndjson_reader *r = ndjson_reader_open(path, 8 * MB, NULL);

    (void)state;
    assert_non_null(r);
    expect_line(r, "{\"first\":1}", 1);
    assert_int_equal(ndjson_reader_next(r, &line, &err), NDJSON_TOO_LONG);
    assert_int_equal(err.line, 2);
    assert_string_equal(err.where, path);
    assert_non_null(strstr(err.msg, "longer than 8388608 bytes"));
    expect_line(r, "{\"third\":3}", 3);
    expect_status(r, NDJSON_EOF, 0);
    assert_int_equal(ndjson_reader_offset(r), size);
    ndjson_reader_free(r);
    unlink(path);
    free(path);
}

static void test_ten_mb_last_line_unterminated(void **state)
{
    size_t size;
    char *path = ten_mb_file(0, &size);
    struct ndjson_reader *r = ndjson_reader_open(path, 8 * MB, NULL);

    (void)state;
    assert_non_null(r);
    expect_line(r, "{\"first\":1}", 1);
    expect_status(r, NDJSON_TOO_LONG, 2);
    expect_status(r, NDJSON_EOF, 0);
    ndjson_reader_free(r);
    unlink(path);
    free(path);
}

/* Many lines of varied length through a small cap: refill and compaction. */
static void test_many_lines_small_cap(void **state)
{
    size_t n = 200000, len = 0, cap = n * 40;
    char *data = malloc(cap), *path;
    struct ndjson_reader *r;
    struct ndjson_line line;
    size_t i = 0;

    (void)state;
    assert_non_null(data);
    for (i = 0; i < n; i++)
        len += (size_t)snprintf(data + len, cap - len, "%zu:%.*s\n", i, (int)(i % 29),
                                "abcdefghijklmnopqrstuvwxyz0123");
    path = unit_tmpfile(data, len);
    r = ndjson_reader_open(path, 40, NULL);
    assert_non_null(r);
    for (i = 0; ndjson_reader_next(r, &line, NULL) == NDJSON_LINE; i++) {
        char want[64];
        int wl = snprintf(want, sizeof(want), "%zu:%.*s", i, (int)(i % 29),
                          "abcdefghijklmnopqrstuvwxyz0123");

        assert_int_equal(line.len, (size_t)wl);
        assert_memory_equal(line.text, want, line.len);
        assert_int_equal(line.lineno, (long)i + 1);
    }
    assert_int_equal(i, n);
    assert_int_equal(ndjson_reader_offset(r), len);
    ndjson_reader_free(r);
    unlink(path);
    free(path);
    free(data);
}

/* Binary garbage: every byte is accounted for, nothing crashes. */
static void test_binary_garbage(void **state)
{
    size_t len = 1 << 20, seen = 0, nl = 0;
    unsigned char *data = malloc(len);
    struct ndjson_reader *r;
    struct ndjson_line line;
    enum ndjson_status st;
    unsigned x = 12345;

    (void)state;
    assert_non_null(data);
    for (size_t i = 0; i < len; i++) {
        x = x * 1103515245u + 12345u;
        data[i] = (unsigned char)(x >> 16);
        nl += data[i] == '\n';
    }
    r = ndjson_reader_from_mem(data, len, "garbage", 1000, NULL);
    assert_non_null(r);
    while ((st = ndjson_reader_next(r, &line, NULL)) != NDJSON_EOF) {
        assert_true(st == NDJSON_LINE || st == NDJSON_TOO_LONG || st == NDJSON_TRUNCATED);
        if (st != NDJSON_TOO_LONG)
            assert_true(line.len <= 1000);
        seen++;
    }
    assert_true(seen > 0 && seen <= nl + 1);
    assert_int_equal(ndjson_reader_offset(r), len);
    assert_int_equal(ndjson_reader_lineno(r) >= (long)nl, 1);
    ndjson_reader_free(r);
    free(data);
}

static void test_pipe_input(void **state)
{
    int fds[2];
    struct ndjson_reader *r;
    const char *text = "{\"a\":1}\n{\"b\":2}";

    (void)state;
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(write(fds[1], text, strlen(text)), (ssize_t)strlen(text));
    close(fds[1]);
    r = ndjson_reader_from_fd(fds[0], 1, "pipe", 100, NULL);
    assert_non_null(r);
    expect_line(r, "{\"a\":1}", 1);
    expect_status(r, NDJSON_TRUNCATED, 2);
    expect_status(r, NDJSON_EOF, 0);
    ndjson_reader_free(r);
}

static void test_open_missing(void **state)
{
    struct vs_error err;

    (void)state;
    vs_error_clear(&err);
    assert_null(ndjson_reader_open("/nonexistent/run.ndjson", 100, &err));
    assert_string_equal(err.where, "/nonexistent/run.ndjson");
    assert_non_null(strstr(err.msg, "cannot open"));
    ndjson_reader_free(NULL);
}

/* text gzip'd as one member (as gzip(1) writes it); *len set. */
static unsigned char *gz(const char *text, size_t *len)
{
    z_stream zs;
    size_t cap = strlen(text) + 128;
    unsigned char *out = malloc(cap);

    assert_non_null(out);
    memset(&zs, 0, sizeof(zs));
    assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (unsigned char *)(uintptr_t)text;
    zs.avail_in = (uInt)strlen(text);
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    *len = cap - zs.avail_out;
    deflateEnd(&zs);
    return out;
}

static struct ndjson_reader *file_reader(const void *data, size_t len, size_t max, char **path)
{
    struct ndjson_reader *r;

    *path = unit_tmpfile(data, len);
    r = ndjson_reader_open(*path, max, NULL);
    assert_non_null(r);
    return r;
}

/* A gzip'd file reads as its text: same lines, numbers and truncation. */
static void test_gzip_file(void **state)
{
    size_t len;
    unsigned char *data = gz("{\"a\":1}\n\n{\"b\":2}\r\nlast", &len);
    char *path;
    struct ndjson_reader *r = file_reader(data, len, 100, &path);

    (void)state;
    expect_line(r, "{\"a\":1}", 1);
    expect_line(r, "{\"b\":2}", 3);
    expect_status(r, NDJSON_TRUNCATED, 4);
    expect_status(r, NDJSON_EOF, 0);
    assert_int_equal(ndjson_reader_offset(r), strlen("{\"a\":1}\n\n{\"b\":2}\r\nlast"));
    ndjson_reader_free(r);
    unlink(path);
    free(path);
    free(data);
}

/* `cat a.gz b.gz`: both members, the lines numbered on. */
static void test_gzip_members(void **state)
{
    size_t la, lb;
    unsigned char *a = gz("{\"a\":1}\n", &la), *b = gz("{\"b\":2}\n{\"c\":3}\n", &lb);
    unsigned char *both = malloc(la + lb);
    char *path;
    struct ndjson_reader *r;

    (void)state;
    assert_non_null(both);
    memcpy(both, a, la);
    memcpy(both + la, b, lb);
    r = file_reader(both, la + lb, 100, &path);
    expect_line(r, "{\"a\":1}", 1);
    expect_line(r, "{\"b\":2}", 2);
    expect_line(r, "{\"c\":3}", 3);
    expect_status(r, NDJSON_EOF, 0);
    ndjson_reader_free(r);
    unlink(path);
    free(path);
    free(a);
    free(b);
    free(both);
}

/* A cut-off or corrupt .gz: the whole lines before it, then an error naming the line. */
static void test_gzip_damaged(void **state)
{
    char text[64 * 1024];
    size_t len, n = 0;
    unsigned char *data;
    char *path;
    struct ndjson_reader *r;
    struct ndjson_line line;
    struct vs_error err;
    long lines = 0;
    enum ndjson_status st;

    (void)state;
    /* incompressible enough that half the file holds half the lines */
    for (unsigned x = 7; n + 40 < sizeof(text);) {
        x = x * 1103515245u + 12345u;
        n += (size_t)snprintf(text + n, sizeof(text) - n, "{\"n\":%10u,\"x\":\"%08x\"}\n", x,
                              x * 7u);
    }
    data = gz(text, &len);
    r = file_reader(data, len / 2, 100, &path);
    vs_error_clear(&err);
    while ((st = ndjson_reader_next(r, &line, &err)) == NDJSON_LINE)
        assert_int_equal(line.lineno, ++lines);
    assert_int_equal(st, NDJSON_IO_ERROR);
    assert_true(lines > 100);
    assert_int_equal(err.line, lines + 1);
    assert_non_null(strstr(err.msg, "ends early"));
    ndjson_reader_free(r);
    unlink(path);
    free(path);

    data[len / 3] ^= 0x55; /* corrupt the middle of the deflate stream */
    r = file_reader(data, len, 100, &path);
    vs_error_clear(&err);
    while ((st = ndjson_reader_next(r, &line, &err)) == NDJSON_LINE)
        ;
    assert_int_equal(st, NDJSON_IO_ERROR);
    assert_true(strstr(err.msg, "not valid gzip data") || strstr(err.msg, "ends early"));
    ndjson_reader_free(r);
    unlink(path);
    free(path);
    free(data);
}

/* Plain text that starts like gzip's magic (0x1f alone) stays plain; so does one byte. */
static void test_gzip_magic_only(void **state)
{
    char *path;
    struct ndjson_reader *r = file_reader("\x1f{}\n", 4, 100, &path);

    (void)state;
    expect_line(r, "\x1f{}", 1);
    expect_status(r, NDJSON_EOF, 0);
    ndjson_reader_free(r);
    unlink(path);
    free(path);
    r = file_reader("x", 1, 100, &path);
    expect_status(r, NDJSON_TRUNCATED, 1);
    ndjson_reader_free(r);
    unlink(path);
    free(path);
}

/* A pipe that gives gzip's first byte alone still reads as gzip (gunzip -c | ...). */
static void test_gzip_pipe_split_magic(void **state)
{
    size_t len;
    unsigned char *data = gz("{\"a\":1}\n{\"b\":2}\n", &len);
    int fds[2];
    pid_t pid;
    struct ndjson_reader *r;
    int status;

    (void)state;
    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        if (write(fds[1], data, 1) != 1)
            _exit(1);
        usleep(100 * 1000);
        _exit(write(fds[1], data + 1, len - 1) == (ssize_t)(len - 1) ? 0 : 1);
    }
    close(fds[1]);
    r = ndjson_reader_from_fd(fds[0], 1, "pipe", 100, NULL);
    assert_non_null(r);
    expect_line(r, "{\"a\":1}", 1);
    expect_line(r, "{\"b\":2}", 2);
    expect_status(r, NDJSON_EOF, 0);
    ndjson_reader_free(r);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_lines_blank_crlf),
        cmocka_unit_test(test_truncated_last_line),
        cmocka_unit_test(test_trailing_blank_is_not_truncation),
        cmocka_unit_test(test_max_line_boundary),
        cmocka_unit_test(test_ten_mb_line_fd),
        cmocka_unit_test(test_ten_mb_last_line_unterminated),
        cmocka_unit_test(test_many_lines_small_cap),
        cmocka_unit_test(test_binary_garbage),
        cmocka_unit_test(test_pipe_input),
        cmocka_unit_test(test_open_missing),
        cmocka_unit_test(test_gzip_file),
        cmocka_unit_test(test_gzip_members),
        cmocka_unit_test(test_gzip_damaged),
        cmocka_unit_test(test_gzip_magic_only),
        cmocka_unit_test(test_gzip_pipe_split_magic),
    };

    return cmocka_run_group_tests_name("ndjson_reader", tests, NULL, NULL);
}
