/*
 * csvout.h - CSV fields as vmstorm writes them (RFC 4180): comma-separated,
 * "\n"-ended rows, a field quoted (through libcsv) only when it holds a
 * comma, a quote, a CR or LF, or leading/trailing blanks; numbers never are.
 * NULL writes an empty field (a value that does not exist).
 */
#ifndef VS_ANALYZER_CSVOUT_H
#define VS_ANALYZER_CSVOUT_H

#include <stdint.h>
#include <stdio.h>

/* Does s need quotes in a CSV field? */
int csvout_needs_quotes(const char *s);
/* One field; a comma before it unless first. */
void csvout_str(FILE *f, int first, const char *s);
/* An integer field. */
void csvout_i64(FILE *f, int first, int64_t v);
/* A number with up to 9 decimals, trailing zeros dropped ("%.9f" trimmed; "%.17g" from
   1e15 up); NaN or inf: empty. */
void csvout_num(FILE *f, int first, double v);
/* End the row. */
void csvout_end(FILE *f);

#endif
