/*
 * runreport.h - the PDF of one run, and the PDF of a trend.
 *
 * runreport_write composes the run report from the analyzer's output and
 * the charts already drawn: a title page with the configuration and the
 * verdict, the statistics, distribution, timeline, stages, nodes, API load,
 * fio, and the VMs that never got there with the method notes. Sections
 * without data (no storm, one node, no fio) say so in a line instead of a
 * chart. trendreport_write does the same for a trend: the runs as a table,
 * then one page per metric family.
 *
 * Both write to path (the caller writes to a temporary name and renames).
 * 0, or -1 with err filled.
 */
#ifndef VS_REPORT_RUNREPORT_H
#define VS_REPORT_RUNREPORT_H

#include "charts.h"
#include "csvtable.h"
#include "error.h"
#include "rundata.h"

int runreport_write(const struct rundata *rd, const struct chartset *cs, const char *title,
                    const char *path, struct vs_error *err);

int trendreport_write(const struct csvtable *trend, const struct chartset *cs, const char *title,
                      const char *path, struct vs_error *err);

#endif
