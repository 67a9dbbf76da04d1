#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void vs_error_clear(struct vs_error *err)
{
    if (!err)
        return;
    memset(err, 0, sizeof(*err));
}

static void error_vset(struct vs_error *err, int code, const char *where, long line, long col,
                       const char *fmt, va_list ap)
{
    snprintf(err->where, sizeof(err->where), "%s", where ? where : "");
    err->line = line;
    err->col = col;
    err->code = code;
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int vs_error_set(struct vs_error *err, const char *where, long line, long col, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return -1;
    va_start(ap, fmt);
    error_vset(err, 0, where, line, col, fmt, ap);
    va_end(ap);
    return -1;
}

int vs_error_setc(struct vs_error *err, int code, const char *where, long line, long col,
                  const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return -1;
    va_start(ap, fmt);
    error_vset(err, code, where, line, col, fmt, ap);
    va_end(ap);
    return -1;
}

char *vs_error_format(const struct vs_error *err, char *buf, size_t n)
{
    char loc[320] = "";

    if (n == 0)
        return buf;
    if (err->where[0] && err->line > 0 && err->col > 0)
        snprintf(loc, sizeof(loc), "%s:%ld:%ld: ", err->where, err->line, err->col);
    else if (err->where[0] && err->line > 0)
        snprintf(loc, sizeof(loc), "%s:%ld: ", err->where, err->line);
    else if (err->where[0])
        snprintf(loc, sizeof(loc), "%s: ", err->where);
    snprintf(buf, n, "%s%s", loc, err->msg);
    return buf;
}
