#include "fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* mkdir, where a folder already there is fine and anything else there is not. */
static int make_one(const char *path)
{
    struct stat st;

    if (mkdir(path, 0777) == 0)
        return 0;
    if (errno != EEXIST)
        return -1;
    if (stat(path, &st) < 0)
        return -1;
    if (!S_ISDIR(st.st_mode))
        return errno = ENOTDIR, -1;
    return 0;
}

int fs_mkdir_p(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);

    if (n == 0 || n >= sizeof(buf))
        return errno = n ? ENAMETOOLONG : ENOENT, -1;
    memcpy(buf, path, n + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (make_one(buf) < 0)
            return -1;
        *p = '/';
    }
    return make_one(buf);
}

int fs_remove_flat_dir(const char *path)
{
    DIR *d;
    struct dirent *e;
    int first = 0;

    if (!path)
        return 0;
    if (!(d = opendir(path)))
        return -1;
    while ((e = readdir(d))) {
        char p[4096];

        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
        if (unlink(p) < 0 && !first)
            first = errno;
    }
    closedir(d);
    if (rmdir(path) < 0 && !first)
        first = errno;
    return first ? (errno = first, -1) : 0;
}

char *fs_read_file(const char *path, size_t max, size_t *len, struct vs_error *err)
{
    FILE *f = fopen(path, "rb");
    size_t n = 0, cap = 0, got = 1;
    char *buf = NULL;

    if (!f) {
        vs_error_setc(err, errno, path, 0, 0, "cannot open: %s", strerror(errno));
        return NULL;
    }
    while (got > 0) {
        if (n == cap) {
            size_t want = cap ? 2 * cap : 65536;
            char *b;

            if (cap > max) {
                vs_error_setc(err, EFBIG, path, 0, 0, "larger than %zu bytes", max);
                goto fail;
            }
            if (want > max + 1)
                want = max + 1; /* one byte past max tells a file that is too big */
            if (!(b = realloc(buf, want + 1))) {
                vs_error_setc(err, ENOMEM, path, 0, 0, "out of memory");
                goto fail;
            }
            buf = b;
            cap = want;
        }
        n += got = fread(buf + n, 1, cap - n, f);
    }
    if (ferror(f)) {
        vs_error_setc(err, EIO, path, 0, 0, "cannot read: %s", strerror(errno ? errno : EIO));
        goto fail;
    }
    if (n > max) {
        vs_error_setc(err, EFBIG, path, 0, 0, "larger than %zu bytes", max);
        goto fail;
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
fail:
    fclose(f);
    free(buf);
    return NULL;
}

/* fs.nr_open, the most a hard limit can be; 1048576 (Linux's default) when unreadable. */
static long nr_open(void)
{
    FILE *f = fopen("/proc/sys/fs/nr_open", "r");
    long n = 0;

    if (f) {
        if (fscanf(f, "%ld", &n) != 1)
            n = 0;
        fclose(f);
    }
    return n > 0 ? n : 1048576;
}

long fs_raise_nofile(long want)
{
    struct rlimit rl, up;
    long most = nr_open();

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return -1;
    if (want > most)
        want = most;
    if (rl.rlim_cur != RLIM_INFINITY && (rlim_t)want > rl.rlim_cur) {
        up.rlim_cur = (rlim_t)want;
        up.rlim_max =
            rl.rlim_max != RLIM_INFINITY && up.rlim_cur > rl.rlim_max ? up.rlim_cur : rl.rlim_max;
        /* a higher hard limit needs CAP_SYS_RESOURCE; without it, up to the hard one */
        if (setrlimit(RLIMIT_NOFILE, &up) != 0 && up.rlim_max != rl.rlim_max) {
            up.rlim_cur = up.rlim_max = rl.rlim_max;
            (void)setrlimit(RLIMIT_NOFILE, &up);
        }
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return -1;
    return rl.rlim_cur == RLIM_INFINITY ? want : (long)rl.rlim_cur;
}
