#include "ndjson_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define READ_CHUNK 65536

/* What the fd holds, known after the first read. */
enum source { SRC_UNKNOWN, SRC_PLAIN, SRC_GZIP };

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
    /* fd mode: the file may be gzip'd (one member or several, as `cat a.gz b.gz`) */
    enum source src;
    unsigned char *raw; /* bytes read from fd, not yet handed on */
    size_t raw_pos, raw_len;
    int raw_eof;     /* read() returned 0 */
    z_stream zs;     /* SRC_GZIP */
    int zs_live;     /* inflateInit2 done */
    int member_done; /* the last inflate ended a member */
    int zs_bad;      /* inflate found damage: the error comes after the text before it */
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

/* read(2) on the fd, again when interrupted; -1 with err on an error. */
static ssize_t fd_read(struct ndjson_reader *r, void *dst, size_t n, struct vs_error *err)
{
    ssize_t m;

    do {
        m = read(r->fd, dst, n);
    } while (m < 0 && errno == EINTR);
    if (m < 0)
        vs_error_setc(err, errno, r->name, r->lineno + 1, 0, "read error: %s", strerror(errno));
    return m;
}

/* Read more raw bytes from the fd into r->raw (which must be empty). */
static int raw_fill(struct ndjson_reader *r, struct vs_error *err)
{
    ssize_t n;

    if (!r->raw) {
        r->raw = malloc(READ_CHUNK);
        if (!r->raw)
            return vs_error_setc(err, ENOMEM, r->name, r->lineno + 1, 0, "out of memory");
    }
    if ((n = fd_read(r, r->raw, READ_CHUNK, err)) < 0)
        return -1;
    r->raw_pos = 0;
    r->raw_len = (size_t)n;
    r->raw_eof = n == 0;
    return 0;
}

static ssize_t gzip_error(struct ndjson_reader *r, const char *what, struct vs_error *err)
{
    vs_error_setc(err, EIO, r->name, r->lineno + 1, 0,
                  "%s; the lines before are intact (gzip -t tells more)", what);
    return -1;
}

static ssize_t gzip_corrupt(struct ndjson_reader *r, struct vs_error *err)
{
    char what[160];

    snprintf(what, sizeof(what), "not valid gzip data (%s)", r->zs.msg ? r->zs.msg : "corrupt");
    return gzip_error(r, what, err);
}

/* Up to n bytes of text from a gzip'd fd; 0 at the end of the last member. */
static ssize_t gzip_read(struct ndjson_reader *r, char *dst, size_t n, struct vs_error *err)
{
    uInt want = (uInt)(n > UINT_MAX ? UINT_MAX : n);

    if (r->zs_bad)
        return gzip_corrupt(r, err);
    r->zs.next_out = (unsigned char *)dst;
    r->zs.avail_out = want;
    while (r->zs.avail_out == want) {
        int rc;

        if (r->raw_pos == r->raw_len && !r->raw_eof && raw_fill(r, err) < 0)
            return -1;
        if (r->member_done) {
            if (r->raw_pos == r->raw_len)
                return 0; /* the end of the last member */
            /* more bytes after a member: another member follows */
            if (inflateReset(&r->zs) != Z_OK)
                return gzip_error(r, "cannot restart decompression", err);
            r->member_done = 0;
        }
        /* no input left at the end of the file: inflate may still hold text (a long match) */
        r->zs.next_in = r->raw + r->raw_pos;
        r->zs.avail_in = (uInt)(r->raw_len - r->raw_pos);
        rc = inflate(&r->zs, Z_NO_FLUSH);
        r->raw_pos = r->raw_len - r->zs.avail_in;
        if (rc == Z_STREAM_END)
            r->member_done = 1;
        else if (rc == Z_MEM_ERROR)
            return vs_error_setc(err, ENOMEM, r->name, r->lineno + 1, 0, "out of memory");
        else if (rc == Z_BUF_ERROR && r->raw_eof) /* nothing more to come out */
            return gzip_error(r, "compressed data ends early (a cut-off .gz file?)", err);
        else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            /* the text decoded before the damage goes on first: its lines are intact */
            r->zs_bad = 1;
            if (r->zs.avail_out == want)
                return gzip_corrupt(r, err);
        }
    }
    return (ssize_t)(want - r->zs.avail_out);
}

/* Up to n bytes of text from the fd, gunzipped when it starts with gzip's magic. */
static ssize_t source_read(struct ndjson_reader *r, char *dst, size_t n, struct vs_error *err)
{
    if (r->src == SRC_UNKNOWN) {
        if (raw_fill(r, err) < 0)
            return -1;
        /* a pipe may give one byte first: gzip's magic needs two */
        if (r->raw_len == 1 && !r->raw_eof) {
            ssize_t m = fd_read(r, r->raw + 1, READ_CHUNK - 1, err);

            if (m < 0)
                return -1;
            r->raw_len += (size_t)m;
        }
        r->src = SRC_PLAIN;
        if (r->raw_len >= 2 && r->raw[0] == 0x1f && r->raw[1] == 0x8b) {
            /* 15 + 16: a gzip wrapper, the largest window */
            if (inflateInit2(&r->zs, 15 + 16) != Z_OK)
                return vs_error_setc(err, ENOMEM, r->name, 0, 0, "cannot start decompression");
            r->zs_live = 1;
            r->src = SRC_GZIP;
        }
    }
    if (r->src == SRC_GZIP)
        return gzip_read(r, dst, n, err);
    if (r->raw_pos < r->raw_len) {
        size_t k = r->raw_len - r->raw_pos < n ? r->raw_len - r->raw_pos : n;

        memcpy(dst, r->raw + r->raw_pos, k);
        r->raw_pos += k;
        return (ssize_t)k;
    }
    return r->raw_eof ? 0 : fd_read(r, dst, n, err);
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
    n = source_read(r, r->own + r->end, r->cap - r->end, err);
    if (n < 0)
        return -1;
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
    if (r->zs_live)
        inflateEnd(&r->zs);
    free(r->raw);
    free(r->own);
    free(r);
}
