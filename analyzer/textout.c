#include "textout.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const cJSON *get(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

static const char *sget(const cJSON *o, const char *key, const char *dflt)
{
    const char *s = cJSON_GetStringValue(get(o, key));

    return s ? s : dflt;
}

static double nget(const cJSON *o, const char *key)
{
    const cJSON *v = get(o, key);

    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* A number in a column of width w with d decimals, or "-" when there is none. */
static void col(FILE *out, double v, int w, int d)
{
    if (isfinite(v))
        fprintf(out, " %*.*f", w, d, v);
    else
        fprintf(out, " %*s", w, "-");
}

static void header(const cJSON *s, FILE *out)
{
    const cJSON *run = get(s, "run"), *cl = get(run, "cluster"), *in = get(s, "input");

    char sim[64] = "";

    if (cJSON_IsTrue(get(run, "simulated"))) {
        double speed = nget(run, "sim_speed");

        if (isfinite(speed) && speed != 1)
            snprintf(sim, sizeof(sim), "  (simulated cluster, model at %gx real time)", speed);
        else
            snprintf(sim, sizeof(sim), "  (simulated cluster)");
    }
    fprintf(out, "Run %s  %s %s  started %s  status %s%s\n", sget(run, "id", "?"),
            sget(run, "tool", "?"), sget(run, "tool_version", "?"), sget(run, "started_at", "?"),
            sget(run, "status", "?"), sim);
    fprintf(out, "Cluster %s  Kubernetes %s  KubeVirt %s  %.0f nodes\n", sget(cl, "server", "?"),
            sget(cl, "kubernetes_version", "unknown"), sget(cl, "kubevirt_version", "unknown"),
            nget(cl, "nodes"));
    fprintf(out, "Input %s: %.0f events, %.0f warning and %.0f error events", sget(in, "file", "?"),
            nget(in, "events"), nget(in, "warning_events"), nget(in, "error_events"));
    if (nget(in, "bad_lines_skipped") > 0)
        fprintf(out, "; %.0f bad lines skipped (first: %s)", nget(in, "bad_lines_skipped"),
                sget(in, "first_bad_line", "?"));
    if (cJSON_IsTrue(get(in, "truncated_last_line")))
        fprintf(out, "; the last line was cut off (a crashed collector?) and skipped");
    if (nget(in, "repeated_lines") > 0)
        fprintf(out, "; %.0f repeated lines skipped", nget(in, "repeated_lines"));
    if (nget(in, "missing_lines") > 0)
        fprintf(out, "; %.0f lines missing (gaps in seq)", nget(in, "missing_lines"));
    if (nget(in, "dropped_milestones") > 0)
        fprintf(out, "; %.0f milestone times before their start dropped",
                nget(in, "dropped_milestones"));
    if (nget(in, "unmatched_probes") > 0)
        fprintf(out, "; %.0f probe results for unknown VMIs", nget(in, "unmatched_probes"));
    fprintf(out, "\n");
}

static double dur(const struct episode *e, enum milestone k)
{
    if (!e->has_t0 || !(e->reached & (1u << k)))
        return NAN;
    return (double)(e->at[k].mono_ns - e->t0.mono_ns) / 1e9;
}

static void vm_rows(const struct analysis *a, const char *phase, FILE *out)
{
    size_t all, n = 0, wns = 9, wname = 4;
    const struct episode **v = analysis_sorted_episodes(a, &all);

    if (!v)
        return;
    for (size_t i = 0; i < all; i++)
        if (strcmp(v[i]->phase, phase) == 0) {
            v[n++] = v[i];
            if (strlen(v[i]->ns) > wns)
                wns = strlen(v[i]->ns);
            if (strlen(v[i]->name) > wname)
                wname = strlen(v[i]->name);
        }
    fprintf(out, "  %-*s  %-*s  %10s  %10s  %s\n", (int)wns, "Namespace", (int)wname, "Name",
            "Running(s)", "Ready(s)", "Status");
    for (size_t i = 0; i < n; i++) {
        const char *st = episode_status(v[i]);

        fprintf(out, "  %-*s  %-*s ", (int)wns, v[i]->ns, (int)wname, v[i]->name);
        col(out, dur(v[i], M_RUNNING), 10, 3);
        fprintf(out, " ");
        col(out, dur(v[i], M_READY), 10, 3);
        if (!v[i]->has_t0)
            fprintf(out, "  %s (started by someone else: no t0)\n", st);
        else if (episode_failure(v[i]))
            fprintf(out, "  %s (%s)\n", st, episode_failure(v[i]));
        else if (strcmp(st, "ready") != 0 && v[i]->probe[0])
            fprintf(out, "  %s (probe: %s)\n", st, v[i]->probe);
        else
            fprintf(out, "  %s\n", st);
    }
    free(v);
}

static void stats_table(const cJSON *s, FILE *out)
{
    const cJSON *ph, *ms;

    fprintf(out, "\nStatistics: seconds from the request that started each VM to the milestone\n"
                 "(percentiles: linear interpolation between closest ranks;\n"
                 " cens = censored, never reached: counted, left out of the figures)\n");
    fprintf(out, "  %-7s %-12s %6s %6s %5s %8s %8s %8s %8s %8s %8s %8s %8s\n", "phase", "milestone",
            "count", "ok", "cens", "min", "avg", "p50", "p90", "p95", "p99", "max", "stddev");
    cJSON_ArrayForEach(ph, get(s, "phases"))
    {
        cJSON_ArrayForEach(ms, ph)
        {
            if (!cJSON_IsObject(ms))
                continue;
            fprintf(out, "  %-7s %-12s %6.0f %6.0f %5.0f", ph->string, ms->string,
                    nget(ms, "count"), nget(ms, "ok"), nget(ms, "censored"));
            col(out, nget(ms, "min"), 8, 3);
            col(out, nget(ms, "avg"), 8, 3);
            col(out, nget(ms, "p50"), 8, 3);
            col(out, nget(ms, "p90"), 8, 3);
            col(out, nget(ms, "p95"), 8, 3);
            col(out, nget(ms, "p99"), 8, 3);
            col(out, nget(ms, "max"), 8, 3);
            col(out, nget(ms, "stddev"), 8, 3);
            fprintf(out, "\n");
        }
    }
}

static void multipliers(const cJSON *s, FILE *out)
{
    static const char *const mult_stats[] = {"p50", "p95", "p99", "avg", "max"};
    const cJSON *mu = get(s, "multipliers"), *m;

    if (!cJSON_GetArraySize(mu)) {
        fprintf(out, "\nBoot storm vs creation: no comparison (the run needs both a create and a "
                     "storm phase with VMs that got there)\n");
        return;
    }
    fprintf(out, "\nBoot storm vs creation (storm / create; verdict on p95: below 2 good, 2 to 5 "
                 "concerning, 5 and above critical)\n");
    fprintf(out, "  %-12s %8s %8s %8s %8s %8s  %s\n", "milestone", "p50", "p95", "p99", "avg",
            "max", "verdict");
    cJSON_ArrayForEach(m, mu)
    {
        fprintf(out, "  %-12s", m->string);
        for (size_t i = 0; i < sizeof(mult_stats) / sizeof(mult_stats[0]); i++) {
            col(out, nget(m, mult_stats[i]), 7, 2);
            fprintf(out, "x");
        }
        fprintf(out, "  %s\n", sget(m, "verdict", "-"));
        if (cJSON_IsString(get(m, "verdict_reason")))
            fprintf(out, "  %12s %s\n", "", sget(m, "verdict_reason", ""));
    }
}

static void not_reached(const cJSON *s, FILE *out)
{
    const cJSON *nr = get(s, "not_reached"), *e;
    int n = cJSON_GetArraySize(nr), i = 0;

    if (n == 0)
        return;
    fprintf(out, "\nNot there by the end of their phase (%d; censored above):\n", n);
    cJSON_ArrayForEach(e, nr)
    {
        if (i++ == 20) {
            fprintf(out, "  ... %d more (see summary.json)\n", n - 20);
            break;
        }
        fprintf(out, "  %-7s %s/%s: %s%s%s%s%s%s\n", sget(e, "phase", "?"),
                sget(e, "namespace", "?"), sget(e, "name", "?"), sget(e, "status", "?"),
                cJSON_IsString(get(e, "failure")) ? " (" : "", sget(e, "failure", ""),
                cJSON_IsString(get(e, "failure")) ? ")" : "",
                cJSON_IsString(get(e, "probe")) ? ", probe " : "", sget(e, "probe", ""));
    }
}

static void datavolumes(const cJSON *s, FILE *out)
{
    const cJSON *ph;

    if (!cJSON_GetArraySize(get(s, "datavolumes")))
        return;
    fprintf(out,
            "\nDataVolumes (seconds from first sight; import or clone in progress, then done)\n");
    cJSON_ArrayForEach(ph, get(s, "datavolumes"))
    {
        fprintf(out, "  %-7s %.0f: %.0f succeeded, %.0f failed;", ph->string, nget(ph, "count"),
                nget(ph, "succeeded"), nget(ph, "failed"));
        static const struct {
            const char *label, *which, *stat;
        } cells[] = {{" in progress P50", "in_progress", "p50"},
                     {" P95", "in_progress", "p95"},
                     {"; done P50", "done", "p50"},
                     {" P95", "done", "p95"},
                     {" max", "done", "max"}};

        for (size_t i = 0; i < sizeof(cells) / sizeof(cells[0]); i++) {
            fputs(cells[i].label, out);
            col(out, nget(get(ph, cells[i].which), cells[i].stat), 0, 3);
        }
        fprintf(out, "\n");
    }
}

static void clock_line(const cJSON *s, FILE *out)
{
    const cJSON *c = get(s, "clock");

    if (nget(c, "samples") <= 0) {
        fprintf(out, "\nClock: no server timestamps to cross-check\n");
        return;
    }
    if (cJSON_IsTrue(get(c, "consistent")))
        fprintf(out,
                "\nClock: server - collector = %+.3f s (between %+.3f and %+.3f; %.0f server "
                "timestamps)\n",
                nget(c, "offset_s"), nget(c, "offset_min_s"), nget(c, "offset_max_s"),
                nget(c, "samples"));
    else
        fprintf(out, "\nClock: inconsistent (%.0f server timestamps)\n", nget(c, "samples"));
    if (cJSON_IsString(get(c, "warning")))
        fprintf(out, "  warning: %s\n", sget(c, "warning", ""));
}

static void baseline(const cJSON *s, FILE *out)
{
    const cJSON *b = get(s, "baseline"), *c;

    if (!b)
        return;
    fprintf(out, "\nAgainst baseline %s (%s)\n", sget(b, "run_id", "?"), sget(b, "file", "?"));
    fprintf(out, "  %-26s %10s %10s %9s\n", "statistic", "this run", "baseline", "change");
    cJSON_ArrayForEach(c, get(b, "changes"))
    {
        fprintf(out, "  %-26s", sget(c, "key", "?"));
        col(out, nget(c, "value"), 10, 3);
        col(out, nget(c, "baseline"), 10, 3);
        if (isfinite(nget(c, "change_pct")))
            fprintf(out, " %+8.1f%%\n", nget(c, "change_pct"));
        else
            fprintf(out, " %9s\n", "-");
    }
}

static void gates(const cJSON *s, FILE *out)
{
    const cJSON *g = get(s, "gates"), *r;
    int failed = 0;

    if (!g)
        return;
    fprintf(out, "\nGates\n");
    cJSON_ArrayForEach(r, g)
    {
        int pass = cJSON_IsTrue(get(r, "pass"));

        failed += !pass;
        fprintf(out, "  %s  %s", pass ? "PASS" : "FAIL", sget(r, "gate", "?"));
        if (!pass)
            fprintf(out, ": %s", sget(r, "reason", ""));
        fprintf(out, "\n");
    }
    fprintf(out, "  %d of %d gates failed\n", failed, cJSON_GetArraySize(g));
}

void textout_print(const struct analysis *a, const cJSON *summary, int all_vms, FILE *out)
{
    header(summary, out);
    for (size_t i = 0; i < a->n_ps; i++) {
        const struct phase_stats *p = &a->ps[i];

        if (strcmp(p->phase, "stop") == 0)
            continue;
        fprintf(out, "\n%s: %zu VM starts\n", p->phase, p->episodes);
        if (all_vms || a->model->n_episodes <= TEXTOUT_MAX_VM_ROWS)
            vm_rows(a, p->phase, out);
        else
            fprintf(out,
                    "  (rows omitted: %zu VM starts in the run; vms.csv (-o DIR) has them, "
                    "--all-vms prints them)\n",
                    a->model->n_episodes);
    }
    stats_table(summary, out);
    multipliers(summary, out);
    not_reached(summary, out);
    datavolumes(summary, out);
    clock_line(summary, out);
    fprintf(out, "\n");
    apicalls_print(a->api, out);
    if (fio_set_count(a->fio)) {
        fprintf(out, "\n");
        fio_set_print(a->fio, out);
    }
    baseline(summary, out);
    gates(summary, out);
}
