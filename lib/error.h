/*
 * error.h - error values filled in by library code.
 *
 * Library code never prints and never exits: a function that can fail takes
 * a `struct vs_error *` (which may be NULL when the caller does not care),
 * fills it and returns -1 (or an error status). Only a program's main.c turns
 * an error into a message and an exit code.
 *
 * A filled error names where the problem is (a file or other source, and a
 * 1-based line and column when known) and what is wrong, in lowercase with
 * the subject quoted, e.g. "run.ndjson:42:17: expected integer for 'mono_ns'".
 * The struct owns no heap memory; copy it freely.
 */
#ifndef VS_ERROR_H
#define VS_ERROR_H

#include <stddef.h>

#if defined(__GNUC__)
#define VS_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define VS_PRINTF(fmt, args)
#endif

/* Exit codes shared by every program (documented in each man page). */
enum vs_exit {
    VS_EXIT_OK = 0,            /* success */
    VS_EXIT_FAILURE = 1,       /* runtime failure: I/O, network, cluster */
    VS_EXIT_USAGE = 2,         /* bad command line */
    VS_EXIT_DATA = 3,          /* bad input data: malformed file, template, ... */
    VS_EXIT_GATE = 4,          /* the analysis is fine, but a --thresholds gate failed */
    VS_EXIT_INTERRUPTED = 130, /* stopped by SIGINT/SIGTERM (128 + SIGINT, as shells say) */
};

struct vs_error {
    char where[256]; /* file name or other source; "" when none */
    long line;       /* 1-based; 0 when not applicable */
    long col;        /* 1-based; 0 when not applicable */
    int code;        /* errno, HTTP status or 0: for callers that branch on it */
    char msg[512];   /* what is wrong, without the location prefix */
};

/* Reset to "no error". Accepts NULL. */
void vs_error_clear(struct vs_error *err);

/*
 * Fill err (if not NULL) with a location and a printf-style message.
 * `where` may be NULL. Long texts are truncated, never overflowed.
 * Always returns -1, so that `return vs_error_set(...)` reads naturally.
 */
int vs_error_set(struct vs_error *err, const char *where, long line, long col, const char *fmt, ...)
    VS_PRINTF(5, 6);

/* Same, also recording `code` (an errno value, say). Returns -1. */
int vs_error_setc(struct vs_error *err, int code, const char *where, long line, long col,
                  const char *fmt, ...) VS_PRINTF(6, 7);

/*
 * Format as "where:line:col: msg" (parts that are unknown are left out) into
 * buf of size n, always NUL-terminated. Returns buf.
 */
char *vs_error_format(const struct vs_error *err, char *buf, size_t n);

#endif
