#include "msg.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const char *program = "vmstorm";
static enum msg_level level = MSG_INFO;
static FILE *log_file;

void msg_set_program(const char *name)
{
    if (name && *name)
        program = name;
}

const char *msg_program(void)
{
    return program;
}

void msg_set_level(enum msg_level l)
{
    level = l;
}

enum msg_level msg_level(void)
{
    return level;
}

void msg_set_log_file(FILE *f)
{
    log_file = f;
}

int msg_parse_level(const char *text, enum msg_level *out)
{
    static const struct {
        const char *name;
        enum msg_level level;
    } names[] = {
        {"error", MSG_ERROR}, {"warn", MSG_WARN},   {"warning", MSG_WARN},
        {"info", MSG_INFO},   {"debug", MSG_DEBUG},
    };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcasecmp(text, names[i].name) == 0) {
            *out = names[i].level;
            return 0;
        }
    }
    return -1;
}

VS_PRINTF(3, 0)
static void msg_vprint(enum msg_level l, const char *tag, const char *fmt, va_list ap)
{
    if (l > level)
        return;
    if (log_file) {
        struct timespec ts;
        struct tm tm;
        char stamp[32] = "";
        va_list copy;

        clock_gettime(CLOCK_REALTIME, &ts);
        if (gmtime_r(&ts.tv_sec, &tm))
            strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
        fprintf(log_file, "%s.%03ldZ %s: %s", stamp, ts.tv_nsec / 1000000, program, tag);
        va_copy(copy, ap);
        vfprintf(log_file, fmt, copy);
        va_end(copy);
        fputc('\n', log_file);
        fflush(log_file);
    }
    fprintf(stderr, "%s: %s", program, tag);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void msg_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    msg_vprint(MSG_ERROR, "", fmt, ap);
    va_end(ap);
}

void msg_warn(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    msg_vprint(MSG_WARN, "warning: ", fmt, ap);
    va_end(ap);
}

void msg_info(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    msg_vprint(MSG_INFO, "", fmt, ap);
    va_end(ap);
}

void msg_debug(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    msg_vprint(MSG_DEBUG, "debug: ", fmt, ap);
    va_end(ap);
}

void msg_report(const struct vs_error *err)
{
    char text[1024];

    msg_error("%s", vs_error_format(err, text, sizeof(text)));
}
