/*
 * promsample.h - read the samples of a Prometheus text exposition (format
 * 0.0.4), one at a time: metric name, labels, value, optional timestamp.
 * promtext.h keeps whole families; this reads the numbers inside them.
 *
 * The grammar is that of Prometheus' own parser (expfmt's text_parse.go),
 * stricter in one place (marked "expfmt:"):
 *   - Lines end at "\n". "\r"s just before it (CRLF), or at the end of the
 *     text, are not part of the line. Lines that are empty or only blanks
 *     (space, tab) are skipped, and so are lines whose first non-blank is
 *     "#" (HELP, TYPE and other comments): their content is not checked.
 *   - A sample line: blanks, a metric name [a-zA-Z_:][a-zA-Z0-9_:]*, then
 *     optionally blanks and labels in braces, then blanks (none needed after
 *     "}"), the value, and optionally blanks and a timestamp, then optional
 *     blanks. A name followed by anything but a blank, "{" or the line end
 *     is an error (expfmt: "a-1 2" is sample a, value -1, timestamp 2).
 *     Labels: name="value" pairs, name [a-zA-Z_][a-zA-Z0-9_]*, separated by ",",
 *     blanks allowed around every token, one trailing "," allowed, "{}" too.
 *     A label name twice in one sample is an error.
 *   - Label values are in double quotes, with three escapes: \\ (backslash),
 *     \" (quote) and \n (newline). Any other "\" sequence is an error. The
 *     value is returned unescaped; it may hold any other byte but NUL (an
 *     error, as the value is a C string).
 *   - The value is a decimal float ([+-] digits [. digits] [e[+-]digits], or
 *     with a leading "."), or, ignoring case, NaN, Inf or Infinity, the last
 *     two with an optional sign (+Inf, -Inf). No hex, no "_". A decimal that
 *     overflows a double is an error. The decimal point is "." in any locale.
 *   - The timestamp is an integer number of milliseconds ([+-] digits) that
 *     fits in int64.
 *
 * A bad line is reported as its 1-based line and column (the byte where the
 * problem was seen) and a message, e.g. 3:17 "expected '=' after label name
 * 'code'". Reading can go on after an error, from the next line.
 *
 * The parser reads the caller's text in place (never past len, no NUL needed)
 * and keeps no copy of it; the text must stay valid while the parser is used.
 * Memory: the current sample's names and unescaped values, at most the length
 * of its line.
 */
#ifndef VS_PROMSAMPLE_H
#define VS_PROMSAMPLE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "vbuf.h"

struct promsample_label {
    const char *name;
    const char *value; /* unescaped, NUL-terminated */
};

/* One sample. All the strings belong to the parser: valid until its next call. */
struct promsample {
    const char *name;
    const struct promsample_label *labels; /* in the order of the line */
    size_t n_labels;
    double value;
    int has_timestamp;
    int64_t timestamp_ms; /* 0 when has_timestamp is 0 */
    long line;            /* 1-based */
};

struct promsample_parser;

/* A parser over text (len bytes; text may be NULL when len is 0). NULL on ENOMEM. */
struct promsample_parser *promsample_parser_new(const char *text, size_t len);
/* Free p (not the text). Accepts NULL. */
void promsample_parser_free(struct promsample_parser *p);

enum promsample_status {
    PROMSAMPLE_ERROR = -1, /* err set: code EINVAL (bad line, line/col set) or ENOMEM */
    PROMSAMPLE_END = 0,    /* no more samples */
    PROMSAMPLE_SAMPLE = 1, /* *s filled */
};

/*
 * The next sample into *s. After a PROMSAMPLE_ERROR for a bad line the next
 * call goes on with the line after it. err->where is left empty: the caller
 * names the text.
 */
enum promsample_status promsample_next(struct promsample_parser *p, struct promsample *s,
                                       struct vs_error *err);

/* The value of label name in s, or NULL when s has no such label. */
const char *promsample_label(const struct promsample *s, const char *name);

/*
 * Append the sample's series, the canonical way: the metric name, then, if
 * it has labels, "{" name="value" pairs sorted by label name (bytewise) and
 * joined by "," "}", values escaped as in the text format (\\, \", \n). Two
 * samples of the same series give the same string whatever their label
 * order or blanks. 0, or -1 with errno E2BIG (out's cap) or ENOMEM; out is
 * then as it was.
 */
int promsample_series(const struct promsample *s, struct vbuf *out);

#endif
