/*
 * msg.h - every message a program prints goes through here.
 *
 * Format: "PROGRAM: [warning: ]text". Errors and warnings go to stderr,
 * info and debug too (stdout is reserved for a program's results).
 * All functions are printf-checked. Not thread-safe; vmstorm's programs are
 * single-threaded event loops.
 */
#ifndef VS_MSG_H
#define VS_MSG_H

#include <stdio.h>

#include "error.h"

enum msg_level { MSG_ERROR = 0, MSG_WARN = 1, MSG_INFO = 2, MSG_DEBUG = 3 };

/* Name printed before each message (default "vmstorm"). Not copied. */
void msg_set_program(const char *name);
const char *msg_program(void);

/* Messages above this level are dropped (default MSG_INFO). */
void msg_set_level(enum msg_level level);
enum msg_level msg_level(void);

/*
 * Also write every message that passes the level to f, each line prefixed
 * with its UTC time (2026-11-21T13:52:59.123Z) and flushed. NULL stops it.
 * The caller keeps f open while it is set.
 */
void msg_set_log_file(FILE *f);

/* Parse "error", "warn"/"warning", "info", "debug". Returns 0, or -1. */
int msg_parse_level(const char *text, enum msg_level *out);

void msg_error(const char *fmt, ...) VS_PRINTF(1, 2);
void msg_warn(const char *fmt, ...) VS_PRINTF(1, 2);
void msg_info(const char *fmt, ...) VS_PRINTF(1, 2);
void msg_debug(const char *fmt, ...) VS_PRINTF(1, 2);

/* Print a filled error as "PROGRAM: where:line:col: msg". */
void msg_report(const struct vs_error *err);

#endif
