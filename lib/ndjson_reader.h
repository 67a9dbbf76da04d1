/*
 * ndjson_reader.h - streaming line reader for NDJSON files.
 *
 * Reads a file (or an fd, or memory) one line at a time without ever holding
 * more than one line: memory is bounded by max_line. It knows lines, not JSON
 * (see evstream.h for events):
 *   - "\n" ends a line; one "\r" before it is dropped (CRLF files);
 *   - blank lines (only spaces, tabs, "\r") are skipped, but counted;
 *   - a line longer than max_line is reported with its number and skipped,
 *     reading on in bounded memory: the next call returns the next line;
 *   - text after the last "\n" is returned as NDJSON_TRUNCATED: a writer that
 *     crashed mid-line leaves exactly that. The next call returns NDJSON_EOF.
 * Line numbers are 1-based and count every physical line.
 * A file or fd whose first bytes are gzip's magic is read through zlib (one
 * member or several, as `cat a.gz b.gz` makes); line numbers are those of the
 * text. A cut-off or corrupt .gz is an I/O error after the lines before it.
 *
 * Ownership: the reader owns its buffer; line text stays valid until the next
 * call to ndjson_reader_next() or ndjson_reader_free(). Memory given to
 * ndjson_reader_from_mem() is borrowed and must outlive the reader.
 */
#ifndef VS_NDJSON_READER_H
#define VS_NDJSON_READER_H

#include <stddef.h>

#include "error.h"

struct ndjson_reader;

enum ndjson_status {
    NDJSON_LINE,      /* line filled */
    NDJSON_EOF,       /* no more lines */
    NDJSON_TOO_LONG,  /* err filled; line skipped; reading may go on */
    NDJSON_TRUNCATED, /* last line has no "\n"; line and err filled; EOF next */
    NDJSON_IO_ERROR,  /* err filled; stop */
};

struct ndjson_line {
    const char *text; /* not NUL-terminated; may contain NUL bytes */
    size_t len;       /* without the "\n" (and "\r") */
    long lineno;
};

/* Open `path` ("-" reads standard input). NULL with err on failure. */
struct ndjson_reader *ndjson_reader_open(const char *path, size_t max_line, struct vs_error *err);
/* Read from fd, named `name` in messages. The reader closes fd if `own`. */
struct ndjson_reader *ndjson_reader_from_fd(int fd, int own, const char *name, size_t max_line,
                                            struct vs_error *err);
/* Read from len bytes at data (borrowed). */
struct ndjson_reader *ndjson_reader_from_mem(const void *data, size_t len, const char *name,
                                             size_t max_line, struct vs_error *err);

enum ndjson_status ndjson_reader_next(struct ndjson_reader *r, struct ndjson_line *line,
                                      struct vs_error *err);

/* The name used in messages (the path, "<stdin>", or the given name). */
const char *ndjson_reader_name(const struct ndjson_reader *r);

/* Number of the last line read (returned, blank or skipped). */
long ndjson_reader_lineno(const struct ndjson_reader *r);

/* Bytes consumed so far (for progress and throughput). */
unsigned long long ndjson_reader_offset(const struct ndjson_reader *r);

/* Close (if owned) and free. Accepts NULL. */
void ndjson_reader_free(struct ndjson_reader *r);

#endif
