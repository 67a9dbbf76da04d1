/*
 * promtext.h - keep only some metric families of a Prometheus text exposition.
 *
 * The collector scrapes /metrics (several MB from a kube-apiserver) at phase
 * boundaries and stores only the families that matter. promtext_filter()
 * copies the lines of the kept families, in their order, and can list the
 * names of the families it kept (the event's `families` field).
 *
 * The input is the text format 0.0.4; OpenMetrics text works too.
 *   - Lines end at "\n"; "\r"s just before it (CRLF) or at the end of the
 *     text (the last line may lack its "\n") are not part of the line. Kept
 *     lines are copied byte for byte, each ended by one "\n", so CRLF becomes
 *     LF. Blank lines (only spaces, tabs and "\r") are dropped.
 *   - A family begins at a "# HELP", "# TYPE" (or OpenMetrics "# UNIT") line
 *     naming another family than the one being read, or at a sample that does
 *     not belong to the family being read. Its lines are those metadata lines
 *     and its samples. A sample belongs to the family F being read when its
 *     metric name is F or, by the type the TYPE line of F gave, F plus one of:
 *       counter          _total (OpenMetrics: TYPE names F, samples F_total), _created
 *       histogram        _bucket _sum _count _created
 *       gaugehistogram   _bucket _gsum _gcount
 *       summary          _sum _count _created
 *       info             _info
 *     and no suffix for gauge, untyped, unknown, stateset, or a missing or
 *     unknown type. So a sample with no TYPE before it is a family of its own
 *     name, as in 0.0.4, where a counter's TYPE line names F_total itself.
 *   - Only the start of a line is read: the metric name after any blanks, up
 *     to "{", a blank or the line end. Labels and values are never parsed:
 *     label values holding spaces, "#", "}" or escaped quotes cannot derail
 *     the filter (the format escapes newlines in them).
 *   - Other lines name no family: comments other than HELP/TYPE/UNIT, and
 *     lines that do not start with a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*
 *     followed by "{", a blank or the line end; a quoted UTF-8 name is not
 *     one). Such a line is kept only when the named lines just before and
 *     after it belong to one family, which is kept: a comment before a
 *     family's HELP line, or after its last sample, is dropped. keep == NULL
 *     keeps them all.
 *
 * Patterns: an exact family name ("apiserver_request_total"), or a prefix
 * followed by a final "*" ("kubevirt_*"; "*" alone matches every family). A
 * "*" anywhere else is an ordinary character, so it matches no name. Patterns
 * name families, not samples: "x_bucket" does not select histogram x.
 */
#ifndef VS_PROMTEXT_H
#define VS_PROMTEXT_H

#include <stddef.h>

#include "error.h"
#include "vbuf.h"

/* Names of the families kept. Ownership: all of it is one allocation, `names`. */
struct promtext_families {
    char **names; /* n NUL-terminated names; NULL when n == 0 */
    size_t n;
};

/*
 * Append to out the lines of text (len bytes; text may be NULL when len is
 * 0; it needs no NUL and is never read past len) that belong to a kept family:
 * a family whose name matches one of the patterns in keep, a NULL-terminated
 * list. keep == NULL keeps every non-blank line; an empty list keeps nothing.
 *
 * When families is not NULL it is filled (overwritten, not released first)
 * with the names of the families kept, each once, in the order of their first
 * line. Release it with promtext_families_release().
 *
 * The output is bounded by out's cap (out->max). Returns 0, or -1 with err
 * set (err->code E2BIG when the kept lines would pass the cap, err->line
 * then being the input line that did; ENOMEM when memory ran out); then out
 * holds what it held before the call and families is empty.
 */
int promtext_filter(const char *text, size_t len, const char *const *keep, struct vbuf *out,
                    struct promtext_families *families, struct vs_error *err);

/* Free the names and empty f. Accepts NULL. */
void promtext_families_release(struct promtext_families *f);

/*
 * Check that pattern can match a family: a metric name, optionally followed
 * by "*", or "*" alone. Returns 0, or -1 with err saying what is wrong (for
 * a command-line or configuration check before scraping).
 */
int promtext_pattern_check(const char *pattern, struct vs_error *err);

#endif
