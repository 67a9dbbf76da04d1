#include "fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
        if (mkdir(buf, 0777) < 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(buf, 0777) < 0 && errno != EEXIST)
        return -1;
    return 0;
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
