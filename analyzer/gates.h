/*
 * gates.h - compare a run's summary with a baseline's, and check it against
 * thresholds. Both work on summary documents (analysis_summary_json), so a
 * baseline can be any run file the analyzer reads.
 *
 * Thresholds file: one gate a line, `KEY OP VALUE`, blank lines and `#`
 * comments ignored, e.g.
 *
 *     storm.running.p95 <= 60          # seconds
 *     storm.ready.censored == 0
 *     multipliers.running.p95 < 5
 *     multipliers.ready.verdict != critical
 *     api_calls.storm.collector.per_vm <= 4
 *
 * KEY is a dotted path: PHASE.MILESTONE.STAT names
 * phases.PHASE.MILESTONE.STAT (PHASE one of the collector's phases,
 * MILESTONE one of model.h's or "stopped", STAT count ok censored min avg
 * p50 p90 p95 p99 max stddev); any other key is a path from the document's
 * root (multipliers..., api_calls..., fio..., clock..., input...). OP is
 * one of < <= > >= == !=; VALUE a number, or for == and != also a word.
 * A gate whose value is missing or null in the summary (no VM reached the
 * milestone; the phase did not run) FAILS: a gate passes only on evidence.
 */
#ifndef VS_ANALYZER_GATES_H
#define VS_ANALYZER_GATES_H

#include <stdio.h>

#include <cJSON.h>

#include "error.h"

struct gates;

/* Read a thresholds file. NULL with err "FILE:LINE: what is wrong". */
struct gates *gates_load(const char *path, struct vs_error *err);
/* The same from text (tests); name is used in messages. */
struct gates *gates_parse(const char *text, const char *name, struct vs_error *err);
void gates_free(struct gates *g);

/*
 * Check summary against every gate. *out is a new array, one object per
 * gate in file order: {"gate": "storm.running.p95 <= 60", "line": N,
 * "value": x|null, "pass": bool, "reason": "..."} (reason on failure).
 * Returns the number of failed gates, or -1 on ENOMEM.
 */
int gates_check(const struct gates *g, const cJSON *summary, cJSON **out);

/*
 * A comparison of summary with baseline: {"run_id": baseline's id, "file":
 * its file, "changes": [{"key": "create.running.p95", "value": x,
 * "baseline": y, "change_pct": z|null}, ...]} over the statistics p50, p95,
 * p99, avg and max of every phase and milestone both have, the censored
 * counts, and the multipliers. NULL on ENOMEM.
 */
cJSON *baseline_compare(const cJSON *summary, const cJSON *baseline);

#endif
