/*
 * fio.h - the fio results of a run: one entry per VM from its `fio_result`
 * event, and the figures vmstorm-analyze writes (summary.json's "fio",
 * fio.csv, a terminal section).
 *
 * Input: fio 3.x `--output-format=json` or `json+` (the `fio` member of the
 * event, untouched). Only the `read` and `write` sections of each job are
 * used (trim and fio 2.x's microsecond keys are not). Per VM and direction:
 *
 *   iops, bw_kib_s  the sums over the jobs of fio's `iops` and `bw` (KiB/s)
 *   lat_mean_ms     the mean of `lat_ns` (submission + completion), over
 *                   all the jobs' IOs: the mean of the jobs' means weighted
 *                   by their `lat_ns.N`
 *   clat_pNN_ms     completion-latency percentiles (`clat_ns.percentile`,
 *                   keys "50.000000", "95.000000", "99.000000" as fio
 *                   prints them). With one job that did IO in that
 *                   direction (jobs without IO there are ignored), fio's
 *                   own figures ("clat_pct_source": "fio"). With several:
 *                   when every one has json+'s `clat_ns.bins`, the bins are
 *                   merged and the percentile is read off them as fio does
 *                   (the first bin value where the cumulative count reaches
 *                   p% of the total): exact to fio's bin resolution ("bins").
 *                   Otherwise the MAXIMUM over the jobs of their percentile,
 *                   an upper bound rather than a percentile ("max_over_jobs").
 *
 * A figure that cannot be computed (a job lacks the number, no IO for a
 * mean or percentile) is missing: left out of the JSON objects, an empty CSV
 * cell, "-" on the terminal; never 0. A direction whose section has IOPS 0
 * (the write side of a randread job) does report iops 0 and bw 0.
 *
 * A VM's status: "ok"; "failed" (the event's result is "failed", reason = its
 * `error`, or a job reports a non-zero `error`); "invalid" (result ok, but
 * the fio JSON has no usable `jobs` with a `read` or `write` section, or the
 * event lacks namespace/name/result). A later event for the same
 * namespace/name replaces the earlier one.
 *
 * Numbers written (JSON and CSV) are rounded to 6 decimal places: whole
 * nanoseconds for milliseconds, millionths of an IO or KiB per second. The
 * CSV prints them in plain decimal notation, built from integers (no locale,
 * no exponent), trailing zeros and a bare "." dropped: 8179.606798, 32718,
 * 0.119754. The JSON holds the same rounded doubles, which cJSON prints with
 * the same digits.
 *
 * Across VMs: over the "ok" VMs that have the figure, min, avg, and the
 * percentiles of lib/stats.h (linear interpolation between closest ranks).
 */
#ifndef VS_ANALYZER_FIO_H
#define VS_ANALYZER_FIO_H

#include <stddef.h>
#include <stdio.h>

#include <cJSON.h>

#include "error.h"

struct fio_set; /* the VMs' results, kept sorted by namespace, then name (bytewise) */

/* A new empty set, or NULL when out of memory. The caller frees it with fio_set_free. */
struct fio_set *fio_set_new(void);

/* Free s and everything it holds. Accepts NULL. */
void fio_set_free(struct fio_set *s);

/*
 * Add one fio_result event (the whole event object, envelope included; not
 * kept: what is needed is copied). A failed result, or an ok one whose fio
 * JSON lacks what is needed, is kept as a VM with status "failed" or
 * "invalid" and a reason: not an error. 0, or -1 with err only for ENOMEM
 * (the set is then unchanged).
 */
int fio_set_add(struct fio_set *s, const cJSON *event, struct vs_error *err);

/* The number of VMs in s (all statuses). */
size_t fio_set_count(const struct fio_set *s);

/*
 * The summary.json "fio" member, a new object the caller owns (NULL on
 * ENOMEM):
 *   {"vms": N, "ok": N, "failed": N, "invalid": N,     (ok+failed+invalid = vms)
 *    "per_vm": [{"namespace", "name", "uid" (null if unknown), "status",
 *                "reason" (not ok only), "exit_status" (when known),
 *                "jobs" (when the fio JSON had a jobs array),
 *                "read": {"iops", "bw_kib_s", "lat_mean_ms", "clat_p50_ms",
 *                         "clat_p95_ms", "clat_p99_ms", "clat_pct_source"},
 *                "write": {...}}, ...],   (read/write null unless ok, or
 *                                          when no job has that section)
 *    "total": {"read": {"iops_sum", "bw_kib_s_sum"}, "write": {...}},
 *    "across_vms": {"read": {"iops": {"n","min","avg","p50","p95","p99","max"},
 *                            "clat_p99_ms": {...}}, "write": {...}}}
 * per_vm is sorted by namespace, then name. Sums are over the ok VMs that
 * have the figure, null when none has; across_vms figures are null when n
 * is 0. Same input, same bytes from cJSON_Print.
 */
cJSON *fio_set_json(const struct fio_set *s);

/*
 * Write fio.csv to f through libcsv: a header row, then one row per VM
 * sorted by namespace, then name, lines ending in "\n":
 *   namespace,name,uid,status,read_iops,read_bw_kib_s,read_lat_mean_ms,
 *   read_clat_p50_ms,read_clat_p95_ms,read_clat_p99_ms,write_iops,
 *   write_bw_kib_s,write_lat_mean_ms,write_clat_p50_ms,write_clat_p95_ms,
 *   write_clat_p99_ms,reason
 * Text cells are quoted (csv_fwrite, "" doubled) only when they must be
 * (csvout.h: a comma, quote, CR/LF or edge blanks); numbers are bare, in the
 * format above; a missing value is an empty cell. Flushes f. 0, or -1 with
 * err (code = the errno of the failed write).
 */
int fio_set_write_csv(const struct fio_set *s, FILE *f, struct vs_error *err);

/*
 * A terminal section on out: a header line with the counts, an aligned
 * table of at most 20 VMs (then "... N more"), and the across-VM figures.
 * Prints nothing when s is empty. Write errors are the caller's to check
 * (ferror).
 */
void fio_set_print(const struct fio_set *s, FILE *out);

#endif
