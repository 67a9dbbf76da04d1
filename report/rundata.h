/*
 * rundata.h - what the analyzer wrote for one run, loaded for the report.
 *
 * An analysis folder holds summary.json (the statistics, the run's
 * description, API calls, fio) and vms.csv (one row per VM start). The
 * report never reads the raw run file. rundata_load checks what it needs
 * and names the file and what is wrong otherwise: a missing file, JSON that
 * does not parse (with its line), a summary of another version, a CSV
 * without a needed column or with a cell that is not a number.
 *
 * Episodes are the rows of vms.csv in the phases that start VMs (those
 * whose summary has a "running" milestone), ordered by phase as in the
 * summary, then by start time (t0), then namespace/name.
 *
 * Ownership: rundata_release frees everything rundata_load allocated;
 * episode strings point into the CSV table and live as long as rd.
 */
#ifndef VS_REPORT_RUNDATA_H
#define VS_REPORT_RUNDATA_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "csvtable.h"
#include "error.h"
#include "stats.h"

struct episode {
    const char *phase, *ns, *name, *node, *status;
    size_t phase_no;              /* index of phase in rundata.phases */
    double t0;                    /* seconds from the phase's first t0 */
    double sched, running, ready; /* seconds from t0; NAN when not reached */
};

struct rundata {
    char *dir;
    cJSON *summary;
    struct csvtable *vms;
    struct episode *ep; /* grouped by phase, each group sorted by t0 */
    size_t nep;
    const char *phases[8]; /* the start phases, in summary order */
    size_t nphases;
    int probed; /* some episode reached ready: charts show ready, else Running */
};

/* Load dir/summary.json and dir/vms.csv into *rd. 0, or -1 with err. */
int rundata_load(const char *dir, struct rundata *rd, struct vs_error *err);

void rundata_release(struct rundata *rd);

/* The episodes of start phase number phase (an index into rd->phases):
 * *first is set to the first, the count returned. */
size_t rundata_phase_episodes(const struct rundata *rd, size_t phase, const struct episode **first);

/*
 * The distinct non-empty node names of the episodes, sorted, in a new array
 * the caller frees (the strings live as long as rd); the count returned (0
 * with *out NULL when out of memory).
 */
size_t rundata_nodes(const struct rundata *rd, const char ***out);

/* Statistics of time to ready (ms 2) or Running (ms 1) of the episodes of
 * start phase number phase on node; unreached ones censored. */
void rundata_node_stats(const struct rundata *rd, size_t phase, const char *node, int ms,
                        struct stats_summary *out);

/* The median duration of stage 0 (start request to Scheduled), 1 (to
 * Running) or 2 (Running to ready) over the episodes of start phase number
 * phase that went through it; NAN when none did. */
double rundata_stage_median(const struct rundata *rd, size_t phase, int stage);

/* A member of the summary by dotted path ("phases.storm.ready.p95"), or NULL. */
const cJSON *rundata_get(const struct rundata *rd, const char *path);

/* A number by dotted path; NAN when absent or not a number. */
double rundata_num(const struct rundata *rd, const char *path);

/* A string by dotted path; NULL when absent or not a string. */
const char *rundata_str(const struct rundata *rd, const char *path);

/* Read a whole JSON file (for the summary and tests): NULL with err naming
 * the file and the line of a syntax error. */
cJSON *rundata_read_json(const char *path, struct vs_error *err);

#endif
