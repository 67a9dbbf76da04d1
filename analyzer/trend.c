#include "trend.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csvout.h"
#include "selector.h"

/* The columns, and where each comes from in a summary (a dotted path). */
static const struct {
    const char *col, *path;
} cols[] = {
    {"started_at", "run.started_at"},
    {"run_id", "run.id"},
    {"status", "run.status"},
    {"file", "input.file"},
    {"tool_version", "run.tool_version"},
    {"kubernetes_version", "run.cluster.kubernetes_version"},
    {"kubevirt_version", "run.cluster.kubevirt_version"},
    {"simulated", "run.simulated"},
    {"nodes", "run.cluster.nodes"},
    {"create_vms", "phases.create.vms"},
    {"create_running_p50", "phases.create.running.p50"},
    {"create_running_p95", "phases.create.running.p95"},
    {"create_running_censored", "phases.create.running.censored"},
    {"create_ready_p50", "phases.create.ready.p50"},
    {"create_ready_p95", "phases.create.ready.p95"},
    {"create_ready_censored", "phases.create.ready.censored"},
    {"storm_vms", "phases.storm.vms"},
    {"storm_running_p50", "phases.storm.running.p50"},
    {"storm_running_p95", "phases.storm.running.p95"},
    {"storm_running_censored", "phases.storm.running.censored"},
    {"storm_ready_p50", "phases.storm.ready.p50"},
    {"storm_ready_p95", "phases.storm.ready.p95"},
    {"storm_ready_censored", "phases.storm.ready.censored"},
    {"stop_p95", "phases.stop.stopped.p95"},
    {"multiplier_running_p95", "multipliers.running.p95"},
    {"verdict_running", "multipliers.running.verdict"},
    {"multiplier_ready_p95", "multipliers.ready.p95"},
    {"verdict_ready", "multipliers.ready.verdict"},
    {"create_api_requests", "api_calls.create.collector.total"},
    {"storm_api_requests", "api_calls.storm.collector.total"},
    {"storm_api_per_vm", "api_calls.storm.collector.per_vm"},
    {"create_apiserver_requests", "api_calls.create.metrics.apiserver.total"},
    {"storm_apiserver_requests", "api_calls.storm.metrics.apiserver.total"},
};

#define NCOLS (sizeof(cols) / sizeof(cols[0]))

cJSON *trend_row(const cJSON *summary)
{
    cJSON *row = cJSON_CreateObject();

    if (!row)
        return NULL;
    for (size_t i = 0; i < NCOLS; i++) {
        const cJSON *v = json_path_get(summary, cols[i].path);
        cJSON *c = v && !cJSON_IsObject(v) && !cJSON_IsArray(v) ? cJSON_Duplicate(v, 0)
                                                                : cJSON_CreateNull();

        if (!c) {
            cJSON_Delete(row);
            return NULL;
        }
        cJSON_AddItemToObject(row, cols[i].col, c);
    }
    return row;
}

static const char *s_of(const cJSON *row, const char *key)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(row, key));

    return s ? s : "";
}

static int cmp_rows(const void *x, const void *y)
{
    const cJSON *a = *(const cJSON *const *)x, *b = *(const cJSON *const *)y;
    int c = strcmp(s_of(a, "started_at"), s_of(b, "started_at"));

    return c ? c : strcmp(s_of(a, "run_id"), s_of(b, "run_id"));
}

void trend_sort(cJSON *rows)
{
    int n = cJSON_GetArraySize(rows), i = 0;
    cJSON **v, *r;

    if (n < 2 || !(v = calloc((size_t)n, sizeof(*v))))
        return;
    while ((r = cJSON_DetachItemFromArray(rows, 0)))
        v[i++] = r;
    qsort(v, (size_t)n, sizeof(*v), cmp_rows);
    for (i = 0; i < n; i++)
        cJSON_AddItemToArray(rows, v[i]);
    free(v);
}

static void cell(FILE *f, int first, const cJSON *v)
{
    if (cJSON_IsNumber(v))
        csvout_num(f, first, v->valuedouble);
    else if (cJSON_IsString(v))
        csvout_str(f, first, v->valuestring);
    else if (cJSON_IsBool(v))
        csvout_str(f, first, cJSON_IsTrue(v) ? "true" : "false");
    else
        csvout_str(f, first, NULL);
}

int trend_write_csv(const cJSON *rows, FILE *f, struct vs_error *err)
{
    const cJSON *r;

    for (size_t i = 0; i < NCOLS; i++)
        csvout_str(f, i == 0, cols[i].col);
    csvout_end(f);
    cJSON_ArrayForEach(r, rows)
    {
        for (size_t i = 0; i < NCOLS; i++)
            cell(f, i == 0, cJSON_GetObjectItemCaseSensitive(r, cols[i].col));
        csvout_end(f);
    }
    if (ferror(f))
        return vs_error_setc(err, EIO, NULL, 0, 0, "write error");
    return 0;
}

static void num(FILE *out, const cJSON *row, const char *key, int w)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, key);

    if (cJSON_IsNumber(v))
        fprintf(out, " %*.*f", w, 2, v->valuedouble);
    else
        fprintf(out, " %*s", w, "-");
}

void trend_print(const cJSON *rows, FILE *out)
{
    const cJSON *r;

    fprintf(out, "%-20s %-24s %-9s %6s %8s %8s %8s %8s %6s %8s %8s %8s %8s %6s\n", "started", "run",
            "kubevirt", "VMs", "cRun50", "cRun95", "cRdy50", "cRdy95", "VMs", "sRun50", "sRun95",
            "sRdy50", "sRdy95", "xRun95");
    cJSON_ArrayForEach(r, rows)
    {
        const cJSON *cv = cJSON_GetObjectItemCaseSensitive(r, "create_vms");
        const cJSON *sv = cJSON_GetObjectItemCaseSensitive(r, "storm_vms");

        fprintf(out, "%-20.19s %-24.24s %-9.9s", s_of(r, "started_at"), s_of(r, "run_id"),
                s_of(r, "kubevirt_version"));
        fprintf(out, " %6.0f", cJSON_IsNumber(cv) ? cv->valuedouble : 0);
        num(out, r, "create_running_p50", 8);
        num(out, r, "create_running_p95", 8);
        num(out, r, "create_ready_p50", 8);
        num(out, r, "create_ready_p95", 8);
        fprintf(out, " %6.0f", cJSON_IsNumber(sv) ? sv->valuedouble : 0);
        num(out, r, "storm_running_p50", 8);
        num(out, r, "storm_running_p95", 8);
        num(out, r, "storm_ready_p50", 8);
        num(out, r, "storm_ready_p95", 8);
        num(out, r, "multiplier_running_p95", 6);
        fprintf(out, "\n");
    }
    fprintf(out, "(seconds; c = create, s = storm, Run = VMI Running, Rdy = probe-ready, "
                 "x = storm/create multiplier)\n");
}
