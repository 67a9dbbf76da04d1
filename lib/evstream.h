/*
 * evstream.h - read a run file as a stream of decoded events.
 *
 * Joins ndjson_reader (lines, bounded memory) and event_decode (envelope).
 * Every problem is reported with "file:line[:col]". A bad line can be skipped
 * by calling next again (what --skip-bad-lines does); a truncated last line
 * (a collector that crashed mid-write) is reported and skipped, unless it is
 * a whole, valid event that only lacks its newline, which is returned (with
 * a warning in err; see evstream_last_warning()).
 *
 * Ownership: the stream owns its reader; each returned event is the caller's
 * (event_release()).
 */
#ifndef VS_EVSTREAM_H
#define VS_EVSTREAM_H

#include "error.h"
#include "event.h"

struct evstream;

enum evstream_status {
    EVSTREAM_EVENT,     /* ev filled */
    EVSTREAM_EOF,       /* done */
    EVSTREAM_BAD_LINE,  /* err filled; calling next again skips the line */
    EVSTREAM_TRUNCATED, /* err filled; the cut last line was skipped; EOF next */
    EVSTREAM_IO_ERROR,  /* err filled; stop */
};

/* Open a run file ("-" for stdin); max_line 0 means EVENT_LINE_MAX. */
struct evstream *evstream_open(const char *path, size_t max_line, struct vs_error *err);
/* A stream over borrowed memory (tests, fuzzing). */
struct evstream *evstream_from_mem(const void *data, size_t len, const char *name, size_t max_line,
                                   struct vs_error *err);

enum evstream_status evstream_next(struct evstream *s, struct event *ev, struct vs_error *err);

/*
 * Let skim(line, len, ctx) decide, for each line, whether its body is not
 * needed (it returns 1): such a line is decoded with event_decode_skim
 * (checked, envelope read, no JSON tree: ev->json is NULL). NULL: decode
 * every line in full (the default).
 */
void evstream_set_skim(struct evstream *s, int (*skim)(const char *line, size_t len, void *ctx),
                       void *ctx);

/* Set when the last event returned lacked its final newline; else NULL. */
const struct vs_error *evstream_last_warning(const struct evstream *s);

/* Lines read so far (the number of the last line seen). */
long evstream_lineno(const struct evstream *s);
unsigned long long evstream_offset(const struct evstream *s);
const char *evstream_name(const struct evstream *s);

void evstream_free(struct evstream *s);

#endif
