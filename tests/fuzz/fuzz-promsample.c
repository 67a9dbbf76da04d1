/*
 * fuzz-promsample: the Prometheus sample parser on arbitrary bytes.
 * Properties: reading goes on after each bad line and ends within one result
 * per line; an error names a line and a column inside it (the line end
 * included); every sample's canonical series, written back with its value
 * as "%.17g", reads back as the same series and value. Built with libFuzzer
 * by `make fuzz`, and as a corpus replayer in the normal build
 * (tests/fuzz/replay.c).
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "promsample.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAP ((size_t)1 << 26)

/* The length of line `line` (1-based) of text, without its "\n". */
static size_t line_len(const char *text, size_t len, long line)
{
    const char *p = text, *end = text + len;

    for (long i = 1; i < line; i++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));

        if (!nl)
            abort();
        p = nl + 1;
    }
    for (const char *q = p; q < end; q++)
        if (*q == '\n')
            return (size_t)(q - p);
    return (size_t)(end - p);
}

/* The series and value of s, written as a sample, read back the same. */
static void check_round_trip(const struct promsample *s)
{
    struct vbuf line = VBUF_INIT(CAP), again = VBUF_INIT(CAP);
    struct promsample_parser *p;
    struct promsample t;
    size_t n;

    if (promsample_series(s, &line) < 0)
        abort();
    n = line.len;
    if (vbuf_addf(&line, " %.17g", s->value) < 0)
        abort();
    p = promsample_parser_new(line.data, line.len);
    if (!p || promsample_next(p, &t, NULL) != PROMSAMPLE_SAMPLE ||
        promsample_series(&t, &again) < 0 || again.len != n || memcmp(again.data, line.data, n))
        abort();
    if (isnan(s->value) ? !isnan(t.value) : t.value != s->value)
        abort();
    if (promsample_next(p, &t, NULL) != PROMSAMPLE_END)
        abort();
    promsample_parser_free(p);
    vbuf_release(&line);
    vbuf_release(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    struct promsample_parser *p = promsample_parser_new(text, size);
    long lines = 1, results = 0, last_line = 0;
    struct promsample s;
    struct vs_error err;
    enum promsample_status st;

    for (size_t i = 0; i < size; i++)
        lines += text[i] == '\n';
    if (!p)
        abort();
    while ((st = promsample_next(p, &s, &err)) != PROMSAMPLE_END) {
        long line = st == PROMSAMPLE_SAMPLE ? s.line : err.line;

        if (++results > lines || line <= last_line || line > lines)
            abort();
        last_line = line;
        if (st == PROMSAMPLE_ERROR) {
            if (err.code != EINVAL || err.col < 1 ||
                (size_t)err.col > line_len(text, size, err.line) + 1)
                abort();
            continue;
        }
        check_round_trip(&s);
    }
    promsample_parser_free(p);
    return 0;
}
