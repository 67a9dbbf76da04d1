#include "ndjson_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READ_CHUNK 65536

struct ndjson_reader {
    int fd; /* -1 in memory mode */
    int own_fd;
    char *own;         /* our buffer in fd mode */
    const char *data;  /* own, or the borrowed memory */
    size_t cap;        /* size of own */
    size_t start, end; /* unread bytes are data[start..end) */
    size_t max_line;
    int eof;      /* no more bytes will arrive */
    int skipping; /* inside a too-long line, discarding */
    long lineno;  /* number of the last line returned */
    unsigned long long offset;
    char name[256];
};

static struct ndjson_reader *reader_new(const char *name, size_t max_line)
{
    struct ndjson_reader *r = calloc(1, sizeof(*r));

    if (!r)
        return NULL;
    r->fd = -1;
    r->max_line = max_line ? max_line : 1;
    strncpy(r->name, name, sizeof(r->name) - 1);
    return r;
}

struct ndjson_reader *ndjson_reader_from_fd(int fd, int own, const char *name, size_t max_line,
                                            struct vs_error *err)
{
    struct ndjson_reader *r = reader_new(name, max_line);

    if (!r) {
        vs_error_setc(err, ENOMEM, name, 0, 0, "out of memory");
        return NULL;
    }
    r->fd = fd;
    r->own_fd = own;
    /* room for a whole line of max_line bytes plus "\r\n" */
    r->cap = r->max_line + 2 < READ_CHUNK ? r->max_line + 2 : READ_CHUNK;
    r->own = malloc(r->cap);
    if (!r->own) {
        vs_error_setc(err, ENOMEM, name, 0, 0, "out of memory");
        free(r);
        return NULL;
    }
    r->data = r->own;
    return r;
}

struct ndjson_reader *ndjson_reader_open(const char *path, size_t max_line, struct vs_error *err)
{
    struct ndjson_reader *r;
    int fd;

    if (strcmp(path, "-") == 0)
        return ndjson_reader_from_fd(STDIN_FILENO, 0, "<stdin>", max_line, err);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        vs_error_setc(err, errno, path, 0, 0, "cannot open: %s", strerror(errno));
        return NULL;
    }
    r = ndjson_reader_from_fd(fd, 1, path, max_line, err);
    if (!r)
        close(fd);
    return r;
}

struct ndjson_reader *ndjson_reader_from_mem(const void *data, size_t len, const char *name,
                                             size_t max_line, struct vs_error *err)
{
    struct ndjson_reader *r = reader_new(name, max_line);

    if (!r) {
        vs_error_setc(err, ENOMEM, name, 0, 0, "out of memory");
        return NULL;
    }
    r->data = data;
    r->end = len;
    r->eof = 1;
    return r;
}

/* Read more bytes after the unread ones, growing the buffer up to the line cap. */
static int reader_fill(struct ndjson_reader *r, struct vs_error *err)
{
    ssize_t n;

    if (r->start > 0) {
        memmove(r->own, r->own + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    if (r->end == r->cap) {
        size_t cap = r->cap * 2 > r->max_line + 2 ? r->max_line + 2 : r->cap * 2;
        char *p = realloc(r->own, cap);

        if (!p)
            return vs_error_setc(err, ENOMEM, r->name, r->lineno + 1, 0, "out of memory");
        r->own = p;
        r->data = p;
        r->cap = cap;
    }
    do {
        n = read(r->fd, r->own + r->end, r->cap - r->end);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return vs_error_setc(err, errno, r->name, r->lineno + 1, 0, "read error: %s",
                             strerror(errno));
    if (n == 0)
        r->eof = 1;
    r->end += (size_t)n;
    return 0;
}

static int is_blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            return 0;
    return 1;
}

static enum ndjson_status too_long(struct ndjson_reader *r, struct vs_error *err)
{
    vs_error_setc(err, E2BIG, r->name, r->lineno, 0, "line longer than %zu bytes; skipped",
                  r->max_line);
    return NDJSON_TOO_LONG;
}

/* The unread bytes hold no "\n" and cannot grow: the line is too long. */
static int buffer_full(const struct ndjson_reader *r)
{
    return r->fd >= 0 && r->start == 0 && r->end == r->cap && r->cap >= r->max_line + 2;
}

enum ndjson_status ndjson_reader_next(struct ndjson_reader *r, struct ndjson_line *line,
                                      struct vs_error *err)
{
    for (;;) {
        const char *p = r->data + r->start;
        size_t avail = r->end - r->start;
        const char *nl = avail ? memchr(p, '\n', avail) : NULL;

        if (nl) {
            size_t len = (size_t)(nl - p);
            int was_skipping = r->skipping;

            r->start += len + 1;
            r->offset += len + 1;
            r->lineno++;
            r->skipping = 0;
            if (len && p[len - 1] == '\r')
                len--;
            if (was_skipping || len > r->max_line)
                return too_long(r, err);
            if (is_blank(p, len))
                continue;
            line->text = p;
            line->len = len;
            line->lineno = r->lineno;
            return NDJSON_LINE;
        }
        if (r->eof) {
            r->offset += avail;
            r->start = r->end;
            if (r->skipping || avail > r->max_line) {
                r->skipping = 0;
                r->lineno++;
                return too_long(r, err);
            }
            if (avail == 0 || is_blank(p, avail))
                return NDJSON_EOF;
            r->lineno++;
            line->text = p;
            line->len = avail;
            line->lineno = r->lineno;
            vs_error_set(err, r->name, r->lineno, 0,
                         "truncated last line (no newline at end of file)");
            return NDJSON_TRUNCATED;
        }
        if (buffer_full(r)) {
            /* discard what we have of the long line and keep reading */
            r->offset += avail;
            r->start = r->end = 0;
            r->skipping = 1;
        }
        if (reader_fill(r, err) < 0)
            return NDJSON_IO_ERROR;
    }
}

const char *ndjson_reader_name(const struct ndjson_reader *r)
{
    return r->name;
}

long ndjson_reader_lineno(const struct ndjson_reader *r)
{
    return r->lineno;
}

unsigned long long ndjson_reader_offset(const struct ndjson_reader *r)
{
    return r->offset;
}

void ndjson_reader_free(struct ndjson_reader *r)
{
    if (!r)
        return;
    if (r->own_fd && r->fd >= 0)
        close(r->fd);
    free(r->own);
    free(r);
}
