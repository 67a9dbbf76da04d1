/*
 * csvtable.h - a CSV file the analyzer wrote, read whole into memory.
 *
 * The report reads vms.csv and trend.csv: a header row naming the columns,
 * then records of the same width. csvtable_read parses with libcsv (strict
 * quoting: RFC 4180 as the analyzer writes it) and checks that every record
 * has as many fields as the header; a file that is not so fails with
 * "file:line: what is wrong" in err. Cells are NUL-terminated strings in one
 * arena; an empty cell is "".
 *
 * Ownership: csvtable_read returns a table the caller frees with
 * csvtable_free (accepts NULL); strings returned by csvtable_cell live as
 * long as the table.
 */
#ifndef VS_REPORT_CSVTABLE_H
#define VS_REPORT_CSVTABLE_H

#include <stddef.h>

#include "error.h"

struct csvtable;

/* Read path; NULL with err filled (file, line, message) on failure. */
struct csvtable *csvtable_read(const char *path, struct vs_error *err);

void csvtable_free(struct csvtable *t);

/* Records after the header. */
size_t csvtable_rows(const struct csvtable *t);

/* The index of the column named name, or -1 when the header has none. */
int csvtable_col(const struct csvtable *t, const char *name);

/* The cell of record row (0-based, header excluded) in column col; "" when
 * col is -1 or out of range. */
const char *csvtable_cell(const struct csvtable *t, size_t row, int col);

/*
 * The cell as a number: NAN when it is empty, col is -1, or the cell is not
 * a whole finite number ("1.5", "-2e3" are; "1.5x", "nan" are not).
 */
double csvtable_num(const struct csvtable *t, size_t row, int col);

/* The 1-based line of the file where record row begins (for messages). */
long csvtable_line(const struct csvtable *t, size_t row);

#endif
