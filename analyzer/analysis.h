/*
 * analysis.h - one run file read and digested: the episodes (model.h), their
 * statistics (summary.h), the clock cross-check, the API-call counts
 * (apicalls.h) and the fio results (fio.h), and what was wrong with the
 * file. Everything vmstorm-analyze prints or writes comes from here, through
 * the summary document (analysis_summary_json) and vms.csv.
 *
 * One pass over the file; memory grows with VMs and episodes, not events.
 */
#ifndef VS_ANALYZER_ANALYSIS_H
#define VS_ANALYZER_ANALYSIS_H

#include <stdio.h>

#include <cJSON.h>

#include "apicalls.h"
#include "error.h"
#include "fio.h"
#include "model.h"
#include "summary.h"

/*
 * The client-server clock offset (server minus collector, seconds), bounded
 * from every episode whose VMI has server timestamps: the server stamped its
 * creation (and its Running transition) with a whole second S somewhere
 * between the collector's request (t0) and the collector seeing it (seen),
 * so S <= t + offset < S + 1 for some t in [t0, seen], i.e.
 *   S - seen <= offset < S + 1 - t0.
 * The intersection over all episodes is [lo, hi); its middle is the
 * estimate. An empty intersection means the clocks are not consistent (one
 * of them stepped, or the server's time stamps came from another clock).
 */
struct clock_check {
    size_t samples; /* timestamps used */
    int consistent; /* lo < hi */
    double lo, hi;  /* seconds; valid when samples > 0 */
    double offset;  /* (lo + hi) / 2 when consistent */
    double abs_max; /* max |bound| when not consistent: how far apart */
};

/* |offset| above this many seconds earns a warning. */
#define CLOCK_OFFSET_WARN_S 2.0

struct analysis {
    char *path;
    struct model *model;
    struct phase_stats *ps;
    size_t n_ps;
    struct clock_check clock;
    struct apicalls *api;
    struct fio_set *fio;
    long bad_lines;            /* skipped with --skip-bad-lines */
    struct vs_error first_bad; /* the first of them */
    int truncated;             /* the last line was cut (and skipped) */
    struct vs_error truncation;
    int no_final_newline; /* the last line lacked only its newline */
    long repeated_lines;  /* a seq not above the one before: a copied line, skipped */
    int64_t seq_gaps;     /* seq numbers skipped over (bad lines skipped among them) */
    long warning_events, error_events;
};

/*
 * Read path ("-" for stdin) into a. With skip_bad, malformed lines are
 * counted and skipped; otherwise the first stops the read with err naming
 * file:line. A line of another schema version always stops it. 0, or -1
 * with err (err->code EPROTONOSUPPORT for a version, ENOMEM, an I/O errno,
 * or 0 for a malformed line).
 */
int analysis_load(struct analysis *a, const char *path, int skip_bad, struct vs_error *err);
void analysis_free(struct analysis *a);

/* The whole summary document (schemas/summary.schema.json). NULL on ENOMEM. */
cJSON *analysis_summary_json(const struct analysis *a);

/* vms.csv: one row per episode, in phase order, then namespace and name in
   version order (strverscmp: vm-2 before vm-10), then first sight. */
int analysis_write_vms_csv(const struct analysis *a, FILE *f, struct vs_error *err);

/* The episodes in report order: by phase, then namespace and name in version
   order, then first sight. A new array of *n (free()), or NULL on ENOMEM. */
const struct episode **analysis_sorted_episodes(const struct analysis *a, size_t *n);

/* The status of an episode: "ready", "failed" (not ready, and the cluster
   said it failed: episode_failure), "running", "scheduled", "created",
   "no_vmi" (a start no VMI followed) or "replaced" (a failed VMI KubeVirt
   replaced). */
const char *episode_status(const struct episode *e);

/* Lines missing from the file: seq gaps not explained by skipped bad or cut lines. */
long analysis_missing_lines(const struct analysis *a);

/* Round seconds to whole nanoseconds (what the files print). */
double round_ns(double seconds);

#endif
