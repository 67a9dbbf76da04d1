/*
 * recorder.h - the run file: every event the collector records goes through
 * one recorder, which writes it with lib/ndjson_writer (one append-only
 * write per line, fsync at phase ends) and counts what it wrote.
 *
 * The first write that fails (disk full, I/O error) is remembered: the
 * writer has already cut the file back to its last whole line, so what was
 * captured stays readable; every later event is dropped, and the runner
 * asks rec_failed() to stop the run. Bodies are consumed (freed) by
 * rec_emit() whatever happens, so callers never leak on error paths.
 */
#ifndef VS_COLLECTOR_RECORDER_H
#define VS_COLLECTOR_RECORDER_H

#include <stdint.h>

#include <cJSON.h>

#include "client.h"
#include "clock.h"
#include "error.h"
#include "event.h"

struct recorder;

/* Create path (which must not hold data yet) for the run's events. NULL with err on failure. */
struct recorder *recorder_open(const char *path, struct vs_error *err);

/*
 * Write one event of kind at t (NULL: now) with body (a JSON object or NULL),
 * then free body. Returns 0, or -1 when the event could not be written (the
 * recorder failed earlier or fails now).
 */
int rec_emit(struct recorder *r, enum event_kind kind, const struct vs_time *t, cJSON *body);

/*
 * A warning or error event: message (printf-style), code ([a-z0-9_.]+) and
 * context (an object of strings/integers/booleans, consumed; may be NULL).
 */
int rec_note(struct recorder *r, enum event_kind kind, const char *code, cJSON *context,
             const char *fmt, ...) VS_PRINTF(5, 6);

/*
 * The body of the api_request event of one attempt (time = a->sent), with
 * "phase" when phase is not NULL. NULL when memory runs out.
 */
cJSON *rec_api_request_body(const struct kattempt *a, const char *phase);

/* fsync what was written. 0, or -1 (and the recorder is failed). */
int rec_sync(struct recorder *r);

/* Whether a write failed; rec_error() says why (valid while r lives). */
int rec_failed(const struct recorder *r);
const struct vs_error *rec_error(const struct recorder *r);

/* Lines written so far, in all and of one kind. */
int64_t rec_count(const struct recorder *r);
int64_t rec_kind_count(const struct recorder *r, enum event_kind kind);
uint64_t rec_bytes(const struct recorder *r);
const char *rec_path(const struct recorder *r);

/*
 * The counts for run_end: {"events": lines so far, "<kind>": lines of each
 * kind written}. NULL when memory runs out.
 */
cJSON *rec_counts_json(const struct recorder *r);

/* fsync, close and free. 0, or -1 with err when data may not be on disk. Accepts NULL. */
int recorder_close(struct recorder *r, struct vs_error *err);

#endif
