/* unit.h - shared includes and helpers for the cmocka unit tests. */
#ifndef VS_UNIT_H
#define VS_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Create a temporary file holding len bytes of data; returns its path (free()). */
static inline char *unit_tmpfile(const void *data, size_t len)
{
    char *path = strdup("/tmp/vmstorm-unit.XXXXXX");
    int fd = mkstemp(path);

    assert_true(fd >= 0);
    while (len > 0) {
        ssize_t n = write(fd, data, len);

        assert_true(n > 0);
        data = (const char *)data + n;
        len -= (size_t)n;
    }
    close(fd);
    return path;
}

/* A fresh path in /tmp that does not exist yet (free()). */
static inline char *unit_tmppath(void)
{
    char *path = unit_tmpfile("", 0);

    unlink(path);
    return path;
}

#endif
