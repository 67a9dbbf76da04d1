#include "evstream.h"

#include <errno.h>
#include <stdlib.h>

#include "ndjson_reader.h"

struct evstream {
    struct ndjson_reader *reader;
    int has_warning;
    struct vs_error warning;
    int (*skim)(const char *line, size_t len, void *ctx);
    void *skim_ctx;
};

static struct evstream *stream_wrap(struct ndjson_reader *r, struct vs_error *err)
{
    struct evstream *s;

    if (!r)
        return NULL;
    s = calloc(1, sizeof(*s));
    if (!s) {
        vs_error_setc(err, ENOMEM, ndjson_reader_name(r), 0, 0, "out of memory");
        ndjson_reader_free(r);
        return NULL;
    }
    s->reader = r;
    return s;
}

struct evstream *evstream_open(const char *path, size_t max_line, struct vs_error *err)
{
    return stream_wrap(ndjson_reader_open(path, max_line ? max_line : EVENT_LINE_MAX, err), err);
}

struct evstream *evstream_from_mem(const void *data, size_t len, const char *name, size_t max_line,
                                   struct vs_error *err)
{
    return stream_wrap(
        ndjson_reader_from_mem(data, len, name, max_line ? max_line : EVENT_LINE_MAX, err), err);
}

/* Decode a line; on failure put the file and line in front of the error. */
static int decode_line(struct evstream *s, const struct ndjson_line *line, struct event *ev,
                       struct vs_error *err)
{
    struct vs_error e;

    vs_error_clear(&e);
    if (s->skim && s->skim(line->text, line->len, s->skim_ctx) == 1) {
        if (event_decode_skim(line->text, line->len, ev, &e) == 0)
            return 0;
    } else if (event_decode(line->text, line->len, ev, &e) == 0) {
        return 0;
    }
    vs_error_setc(err, e.code, ndjson_reader_name(s->reader), line->lineno, e.col, "%s", e.msg);
    return -1;
}

enum evstream_status evstream_next(struct evstream *s, struct event *ev, struct vs_error *err)
{
    struct ndjson_line line;
    enum ndjson_status st = ndjson_reader_next(s->reader, &line, err);

    s->has_warning = 0;
    switch (st) {
    case NDJSON_EOF:
        return EVSTREAM_EOF;
    case NDJSON_TOO_LONG:
        return EVSTREAM_BAD_LINE;
    case NDJSON_IO_ERROR:
        return EVSTREAM_IO_ERROR;
    case NDJSON_TRUNCATED:
        if (decode_line(s, &line, ev, NULL) == 0) {
            vs_error_set(&s->warning, ndjson_reader_name(s->reader), line.lineno, 0,
                         "no newline at end of file; the last event is whole and was kept");
            s->has_warning = 1;
            return EVSTREAM_EVENT;
        }
        vs_error_set(err, ndjson_reader_name(s->reader), line.lineno, 0,
                     "truncated last line (the writer stopped mid-line); skipped");
        return EVSTREAM_TRUNCATED;
    case NDJSON_LINE:
        break;
    }
    if (decode_line(s, &line, ev, err) < 0)
        return EVSTREAM_BAD_LINE;
    return EVSTREAM_EVENT;
}

void evstream_set_skim(struct evstream *s, int (*skim)(const char *line, size_t len, void *ctx),
                       void *ctx)
{
    s->skim = skim;
    s->skim_ctx = ctx;
}

const struct vs_error *evstream_last_warning(const struct evstream *s)
{
    return s->has_warning ? &s->warning : NULL;
}

long evstream_lineno(const struct evstream *s)
{
    return ndjson_reader_lineno(s->reader);
}

unsigned long long evstream_offset(const struct evstream *s)
{
    return ndjson_reader_offset(s->reader);
}

const char *evstream_name(const struct evstream *s)
{
    return ndjson_reader_name(s->reader);
}

void evstream_free(struct evstream *s)
{
    if (!s)
        return;
    ndjson_reader_free(s->reader);
    free(s);
}
