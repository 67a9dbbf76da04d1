#include "unit.h"

#include <errno.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "fsutil.h"

/* A file of 200,000 bytes (past the first 64 KiB read) comes back whole. */
static void test_read_whole(void **state)
{
    size_t n = 200000, len = 0;
    char *data = malloc(n), *path, *got;
    struct vs_error err;

    (void)state;
    assert_non_null(data);
    for (size_t i = 0; i < n; i++)
        data[i] = (char)('a' + i % 26);
    path = unit_tmpfile(data, n);
    got = fs_read_file(path, n, &len, &err);
    assert_non_null(got);
    assert_int_equal(len, n);
    assert_memory_equal(got, data, n);
    assert_int_equal(got[n], '\0');
    free(got);
    /* one byte over the limit is refused, naming the file */
    assert_null(fs_read_file(path, n - 1, &len, &err));
    assert_int_equal(err.code, EFBIG);
    assert_string_equal(err.where, path);
    assert_string_equal(err.msg, "larger than 199999 bytes");
    unlink(path);
    free(path);
    free(data);
}

static void test_read_empty_and_missing(void **state)
{
    char *path = unit_tmpfile("", 0), *got;
    size_t len = 99;
    struct vs_error err;

    (void)state;
    got = fs_read_file(path, 10, &len, &err);
    assert_non_null(got);
    assert_int_equal(len, 0);
    assert_string_equal(got, "");
    free(got);
    unlink(path);
    assert_null(fs_read_file(path, 10, NULL, &err));
    assert_int_equal(err.code, ENOENT);
    assert_string_equal(err.where, path);
    assert_string_equal(err.msg, "cannot open: No such file or directory");
    free(path);
}

static void test_mkdir_and_remove(void **state)
{
    char dir[] = "/tmp/vmstorm-unit-fs.XXXXXX", deep[200], file[240];
    struct stat st;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(deep, sizeof(deep), "%s/a/b/c", dir);
    assert_int_equal(fs_mkdir_p(deep), 0);
    assert_int_equal(fs_mkdir_p(deep), 0); /* already there: fine */
    assert_int_equal(stat(deep, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    snprintf(file, sizeof(file), "%s/f", deep);
    fclose(fopen(file, "w"));
    errno = 0;
    assert_int_equal(fs_mkdir_p(file), -1); /* a file is in the way */
    assert_int_equal(errno, ENOTDIR);
    assert_int_equal(fs_remove_flat_dir(deep), 0);
    assert_int_equal(stat(deep, &st), -1);
    snprintf(deep, sizeof(deep), "%s/a", dir);
    assert_int_equal(fs_remove_flat_dir(deep), -1); /* holds a folder: not flat */
    assert_int_equal(fs_remove_flat_dir(NULL), 0);
    snprintf(deep, sizeof(deep), "rm -rf '%s'", dir);
    assert_int_equal(system(deep), 0);
}

/* The open-file limit goes up to what is asked (the hard limit at most, for
 * one without CAP_SYS_RESOURCE), never down. */
static void test_raise_nofile(void **state)
{
    struct rlimit saved, rl;

    (void)state;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
    rl = saved;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < 256)
        skip();
    rl.rlim_cur = 64;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
    assert_int_equal(fs_raise_nofile(128), 128);
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
    assert_int_equal(rl.rlim_cur, 128);
    assert_int_equal(fs_raise_nofile(10), 128); /* never lowered */
    if (saved.rlim_max != RLIM_INFINITY)        /* past the hard limit: at least it */
        assert_true(fs_raise_nofile((long)saved.rlim_max + 1) >= (long)saved.rlim_max);
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_whole),
        cmocka_unit_test(test_read_empty_and_missing),
        cmocka_unit_test(test_mkdir_and_remove),
        cmocka_unit_test(test_raise_nofile),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
