/*
 * ndjson_writer.h - append-only writer of a run's event stream.
 *
 * The file is opened O_APPEND and each event is one write() of one whole
 * line, so a crash can lose or cut only the last line. Each line gets the
 * next per-file sequence number (from 0). Nothing is buffered in user space:
 * after ndjson_writer_emit() returns 0 the line is in the kernel; call
 * ndjson_writer_sync() at the points where it must be on disk (phase ends).
 *
 * When a write fails (disk full, file size limit, I/O error) the writer cuts
 * the file back to the end of the last whole line, so every line already
 * written stays valid, reports the path and the cause, and refuses further
 * events. (Programs should ignore SIGXFSZ so a file size limit is an error,
 * not a kill.) Not thread-safe.
 *
 * Ownership: the writer owns its fd and buffer; ndjson_writer_close() frees
 * everything. Body objects passed to emit are only read.
 */
#ifndef VS_NDJSON_WRITER_H
#define VS_NDJSON_WRITER_H

#include <stdint.h>

#include <cJSON.h>

#include "clock.h"
#include "error.h"

struct ndjson_writer;

/* Flags for ndjson_writer_open(). */
enum {
    NDJSON_WRITER_EXCL = 1, /* fail if the path exists */
};

/*
 * Open `path` for appending, creating it (mode 0644 less umask). A regular
 * file that already holds data is refused: a run file has one writer and one
 * sequence. Non-regular files (a pipe, /dev/stdout) are accepted.
 */
struct ndjson_writer *ndjson_writer_open(const char *path, int flags, struct vs_error *err);

/*
 * Write one event: envelope (schema version, seq, t or now if t is NULL,
 * kind) followed by the members of body (a JSON object, or NULL). Lines over
 * EVENT_LINE_MAX are refused without writing anything (the writer stays
 * usable). Members may be cJSON raw items holding minified JSON (spliced
 * untouched, e.g. fio output). Returns 0, or -1 with err.
 */
int ndjson_writer_emit(struct ndjson_writer *w, const char *kind, const struct vs_time *t,
                       const cJSON *body, struct vs_error *err);

/* fsync the file. 0, or -1 with err. */
int ndjson_writer_sync(struct ndjson_writer *w, struct vs_error *err);

/* Number of lines written (= the next seq). */
int64_t ndjson_writer_count(const struct ndjson_writer *w);

/* Bytes written by this writer. */
uint64_t ndjson_writer_bytes(const struct ndjson_writer *w);

/* Whether a write failed earlier (the writer then refuses events). */
int ndjson_writer_failed(const struct ndjson_writer *w);

const char *ndjson_writer_path(const struct ndjson_writer *w);

/*
 * fsync (regular files), close and free. Returns 0, or -1 with err if the
 * data may not have reached the disk. Accepts NULL.
 */
int ndjson_writer_close(struct ndjson_writer *w, struct vs_error *err);

#endif
