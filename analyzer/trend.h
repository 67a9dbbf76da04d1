/*
 * trend.h - one row per run for a release report (vmstorm-analyze --trend):
 * when, which run, which versions, how many VMs, and P50/P95 of Running and
 * ready per phase with the storm multipliers. Rows are made from summary
 * documents, so only the rows stay in memory, not the runs.
 */
#ifndef VS_ANALYZER_TREND_H
#define VS_ANALYZER_TREND_H

#include <stdio.h>

#include <cJSON.h>

#include "error.h"

/* A row (a flat object, keys in column order) from a summary. NULL on ENOMEM. */
cJSON *trend_row(const cJSON *summary);

/* Sort rows (an array of trend_row objects) by started_at, then run_id. */
void trend_sort(cJSON *rows);

/* trend.csv: a header and one line per row. 0, or -1 with err. */
int trend_write_csv(const cJSON *rows, FILE *f, struct vs_error *err);

/* The terminal table. */
void trend_print(const cJSON *rows, FILE *out);

#endif
