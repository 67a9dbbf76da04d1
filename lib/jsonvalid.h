/*
 * jsonvalid.h - check that a text is JSON (RFC 8259) without building it.
 *
 * For readers that must reject a malformed line but do not need its
 * contents (vmstorm-analyze skims the watch events it does not use): no
 * allocation, one pass. Strings: escapes \" \\ \/ \b \f \n \r \t \uXXXX,
 * no raw control characters; bytes >= 0x80 are taken as they are (as cJSON
 * does; UTF-8 is not checked). Numbers: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?.
 * Nesting deeper than JSONVALID_MAX_DEPTH is refused (cJSON refuses 1000).
 * Whatever this accepts, cJSON_Parse accepts too (tests/fuzz/fuzz-jsonvalid.c).
 */
#ifndef VS_JSONVALID_H
#define VS_JSONVALID_H

#include <stddef.h>

#define JSONVALID_MAX_DEPTH 512

/*
 * Is [s, s+len) one JSON value, with only whitespace around it? 0, or -1
 * with *where set to the offset of the first byte that is wrong (len when
 * the text ends too early) and *what to a short description.
 */
int json_validate(const char *s, size_t len, size_t *where, const char **what);

#endif
