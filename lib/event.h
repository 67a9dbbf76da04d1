/*
 * event.h - the envelope of vmstorm's event stream (schemas/event.schema.json).
 *
 * Every line of a run file is one JSON object that starts with the envelope
 *   {"v":1,"seq":N,"wall_ns":T,"mono_ns":M,"kind":"K", ...body...}
 * v is the schema version, seq counts lines from 0, wall_ns is Unix time and
 * mono_ns CLOCK_MONOTONIC, both integer nanoseconds of the instant the event
 * HAPPENED (not when it was written). Durations come from mono_ns.
 *
 * cJSON keeps numbers as doubles, which cannot hold Unix nanoseconds exactly
 * (2^53 ns is 104 days). So the envelope is written and read here with exact
 * 64-bit integers; the body goes through cJSON, and the schema keeps
 * absolute instants out of bodies (they are durations, counts, or RFC 3339).
 */
#ifndef VS_EVENT_H
#define VS_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "clock.h"
#include "error.h"
#include "vbuf.h"

#define EVENT_SCHEMA_VERSION 1

/* The longest line the writer produces and the reader accepts by default. */
#define EVENT_LINE_MAX ((size_t)8 << 20)

enum event_kind {
    EV_UNKNOWN = 0, /* a kind this build does not know (from a newer writer) */
    EV_RUN_BEGIN,
    EV_RUN_END,
    EV_PHASE_BEGIN,
    EV_PHASE_END,
    EV_API_REQUEST,
    EV_WATCH_EVENT,
    EV_WATCH_RESTART,
    EV_PROBE,
    EV_FIO_RESULT,
    EV_METRICS_SCRAPE,
    EV_WARNING,
    EV_ERROR,
    EV_KIND_COUNT
};

/* "run_begin" for EV_RUN_BEGIN ...; NULL for EV_UNKNOWN or out of range. */
const char *event_kind_name(enum event_kind kind);
/* The kind named `name`, or EV_UNKNOWN. */
enum event_kind event_kind_from_name(const char *name);

struct event {
    int v;
    int64_t seq;
    int64_t wall_ns;
    int64_t mono_ns;
    enum event_kind kind;
    const char *kind_name; /* points into json */
    cJSON *json;           /* the whole object, envelope included; owned */
};

/*
 * Decode one line (len bytes, need not be NUL-terminated) into ev.
 * Checks that it is one JSON object with a valid envelope of a supported
 * version; the body is not checked against the schema. On error returns -1
 * and fills err->col (1-based column, when known) and err->msg; the caller
 * sets the file and line. A line of another schema version fails with
 * err->code EPROTONOSUPPORT. On success the caller owns ev (event_release()).
 */
int event_decode(const char *line, size_t len, struct event *ev, struct vs_error *err);

/*
 * The same for a line the caller does not need the body of: the line is
 * checked to be JSON (lib/jsonvalid.h) and its envelope read exactly, but
 * no tree is built: ev->json is NULL, ev->kind_name a constant ("unknown"
 * for a kind this build does not know). Several times faster.
 */
int event_decode_skim(const char *line, size_t len, struct event *ev, struct vs_error *err);

/*
 * The raw value of the top-level string member `key` of a line that may not
 * even be valid JSON (for deciding how to decode it): *val points into
 * line, *n bytes, no quotes. -1 when there is no such member, or it is not
 * a string, or it holds escapes.
 */
int event_peek_string(const char *line, size_t len, const char *key, const char **val, size_t *n);

/* Free what ev holds and zero it. Accepts NULL and zeroed events. */
void event_release(struct event *ev);

/*
 * Append one encoded line, "\n" included, to out: the envelope from seq, t
 * and kind, then the members of `body` (an object or NULL) in their order.
 * kind must be a lowercase identifier ([a-z][a-z0-9_]*). Body members named
 * like envelope fields are an error. -1 with err on failure (out unchanged).
 */
int event_encode(struct vbuf *out, int64_t seq, const struct vs_time *t, const char *kind,
                 const cJSON *body, struct vs_error *err);

#endif
