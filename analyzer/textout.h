/*
 * textout.h - the terminal report of one run: header, per-VM rows
 * (Namespace  Name  Running(s)  Ready(s)  Status), statistics per phase and
 * milestone, the boot-storm comparison, VMs that did not get there, the
 * clock check, API calls, fio, and, when present in the summary, the
 * baseline comparison and the gates.
 */
#ifndef VS_ANALYZER_TEXTOUT_H
#define VS_ANALYZER_TEXTOUT_H

#include <stdio.h>

#include <cJSON.h>

#include "analysis.h"

/* Per-VM rows are printed when there are at most this many episodes, or with all_vms. */
#define TEXTOUT_MAX_VM_ROWS 100

void textout_print(const struct analysis *a, const cJSON *summary, int all_vms, FILE *out);

#endif
