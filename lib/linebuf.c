/*
 * linebuf.c - push framing of a newline-delimited stream (see linebuf.h).
 *
 * The partial line lives in a vbuf capped at max_line + 1 bytes: one more than
 * a line may have, for the "\r" of a CRLF that only the next chunk can show
 * to be one. A line that does not fit switches the linebuf to discarding
 * until the next "\n".
 */
#include "linebuf.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vbuf.h"

struct linebuf {
    struct vbuf line; /* the line being gathered, without its "\n" */
    size_t max_line;
    size_t overflows;
    int discarding; /* dropping the rest of a line that was too long */
};

typedef int (*linebuf_fn)(void *ctx, const char *line, size_t len);

struct linebuf *linebuf_new(size_t max_line)
{
    struct linebuf *b;

    if (max_line >= SIZE_MAX / 4)
        return NULL;
    b = calloc(1, sizeof(*b));
    if (!b)
        return NULL;
    vbuf_init(&b->line, max_line + 1);
    b->max_line = max_line;
    return b;
}

void linebuf_free(struct linebuf *b)
{
    if (!b)
        return;
    vbuf_release(&b->line);
    free(b);
}

static int is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return 0;
    return 1;
}

/* The gathered line is complete: pass it on (or count it), then forget it. */
static int emit(struct linebuf *b, linebuf_fn fn, void *ctx)
{
    char *s = b->line.data;
    size_t n = b->line.len;
    int rc = 0;

    if (n > 0 && s[n - 1] == '\r')
        s[--n] = '\0';
    if (n > b->max_line)
        b->overflows++;
    else if (n > 0 && !is_blank(s, n))
        rc = fn(ctx, s, n);
    vbuf_reset(&b->line);
    return rc;
}

int linebuf_feed(struct linebuf *b, const char *data, size_t len, linebuf_fn fn, void *ctx)
{
    int nomem = 0;

    while (len > 0) {
        const char *nl = memchr(data, '\n', len);
        size_t seg = nl ? (size_t)(nl - data) : len;

        if (b->discarding) {
            if (nl)
                b->discarding = 0;
        } else if (vbuf_add(&b->line, data, seg) < 0) {
            /* too long, or no memory: drop the line up to its "\n" */
            if (errno == E2BIG)
                b->overflows++;
            else
                nomem = 1;
            vbuf_reset(&b->line);
            b->discarding = nl == NULL;
        } else if (nl) {
            int rc = emit(b, fn, ctx);

            if (rc != 0)
                return rc;
        }
        if (!nl)
            break;
        data = nl + 1;
        len -= seg + 1;
    }
    if (nomem) {
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

size_t linebuf_pending(const struct linebuf *b)
{
    return b->line.len;
}

size_t linebuf_overflows(const struct linebuf *b)
{
    return b->overflows;
}

void linebuf_reset(struct linebuf *b)
{
    vbuf_reset(&b->line);
    b->discarding = 0;
}
