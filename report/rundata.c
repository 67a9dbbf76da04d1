#include "rundata.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "selector.h"
#include "stats.h"

/* The biggest summary.json we read: a few MB even for huge runs. */
#define SUMMARY_MAX_BYTES ((size_t)256 << 20)

cJSON *rundata_read_json(const char *path, struct vs_error *err)
{
    size_t len = 0;
    char *text = fs_read_file(path, SUMMARY_MAX_BYTES, &len, err);
    const char *end = NULL;
    cJSON *j;

    if (!text)
        return NULL;
    /* the length counts the NUL: cJSON 1.7.15 wants to see it when asked to
     * check that nothing follows the value */
    j = cJSON_ParseWithLengthOpts(text, len + 1, &end, 1);
    if (!j) {
        const char *at = cJSON_GetErrorPtr();
        long line = 1;

        if (at < text || at > text + len)
            at = text + len;
        for (const char *p = text; p < at; p++)
            line += *p == '\n';
        vs_error_setc(err, EINVAL, path, line, 0,
                      len ? "not valid JSON: run vmstorm-analyze again to rewrite it"
                          : "empty file: run vmstorm-analyze again to rewrite it");
    }
    free(text);
    return j;
}

static int check_summary(const char *path, const cJSON *s, struct vs_error *err)
{
    static const char *const need[] = {"run",         "input",       "method",    "phases",
                                       "multipliers", "not_reached", "api_calls", "fio"};
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(s, "summary_version");

    if (!cJSON_IsObject(s))
        return vs_error_setc(err, EINVAL, path, 1, 0, "expected a JSON object");
    if (!cJSON_IsNumber(v))
        return vs_error_setc(err, EINVAL, path, 0, 0,
                             "no summary_version: not a summary written by vmstorm-analyze");
    if (v->valuedouble != 1)
        return vs_error_setc(err, EPROTONOSUPPORT, path, 0, 0,
                             "summary_version %g: this vmstorm-report reads version 1",
                             v->valuedouble);
    for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
        if (!cJSON_GetObjectItemCaseSensitive(s, need[i]))
            return vs_error_setc(err, EINVAL, path, 0, 0, "no '%s' member: incomplete summary",
                                 need[i]);
    return 0;
}

/* The start phases: those with a "running" milestone, in summary order. */
static void find_phases(struct rundata *rd)
{
    const cJSON *p;

    cJSON_ArrayForEach(p, rundata_get(rd, "phases"))
    {
        if (rd->nphases < sizeof(rd->phases) / sizeof(rd->phases[0]) &&
            cJSON_GetObjectItemCaseSensitive(p, "running"))
            rd->phases[rd->nphases++] = p->string;
    }
}

static int phase_index(const struct rundata *rd, const char *phase)
{
    for (size_t i = 0; i < rd->nphases; i++)
        if (strcmp(rd->phases[i], phase) == 0)
            return (int)i;
    return -1;
}

static int cmp_episodes(const void *x, const void *y)
{
    const struct episode *a = x, *b = y;
    int c;

    if (a->phase_no != b->phase_no)
        return a->phase_no < b->phase_no ? -1 : 1;
    if (a->t0 != b->t0)
        return a->t0 < b->t0 ? -1 : 1;
    if ((c = strcmp(a->ns, b->ns)))
        return c;
    return strcmp(a->name, b->name);
}

enum { C_PHASE, C_NS, C_NAME, C_NODE, C_STATUS, C_T0, C_SCHED, C_RUN, C_READY, C_N };
static const char *const vm_cols[C_N] = {"phase", "namespace",   "name",      "node",   "status",
                                         "t0_ns", "scheduled_s", "running_s", "ready_s"};

/* A number cell, NAN when empty; -1 with err when it is not a number. */
static int num_cell(const struct csvtable *t, size_t row, int col, const char *name,
                    const char *path, double *out, struct vs_error *err)
{
    const char *s = csvtable_cell(t, row, col);

    *out = csvtable_num(t, row, col);
    if (*s && isnan(*out))
        return vs_error_setc(err, EINVAL, path, csvtable_line(t, row), 0,
                             "column '%s': '%s' is not a number", name, s);
    return 0;
}

static int read_episode(struct rundata *rd, const int *col, size_t row, size_t phase_no,
                        const char *path, double *t0_abs, struct vs_error *err)
{
    const struct csvtable *t = rd->vms;
    struct episode *e = &rd->ep[rd->nep];
    double *dst[] = {
        [C_T0] = t0_abs, [C_SCHED] = &e->sched, [C_RUN] = &e->running, [C_READY] = &e->ready};

    for (int c = C_T0; c < C_N; c++)
        if (num_cell(t, row, col[c], vm_cols[c], path, dst[c], err) < 0)
            return -1;
    e->phase = rd->phases[phase_no];
    e->phase_no = phase_no;
    rd->probed |= isfinite(e->ready);
    e->ns = csvtable_cell(t, row, col[C_NS]);
    e->name = csvtable_cell(t, row, col[C_NAME]);
    e->node = csvtable_cell(t, row, col[C_NODE]);
    e->status = csvtable_cell(t, row, col[C_STATUS]);
    return 0;
}

/* Rebase each phase's t0 on its first start. */
static void rebase(struct rundata *rd, double *abs)
{
    for (size_t p = 0; p < rd->nphases; p++) {
        double first = INFINITY;

        for (size_t i = 0; i < rd->nep; i++)
            if (rd->ep[i].phase_no == p && abs[i] < first)
                first = abs[i];
        for (size_t i = 0; i < rd->nep; i++)
            if (rd->ep[i].phase_no == p)
                rd->ep[i].t0 = isnan(abs[i]) ? NAN : (abs[i] - first) / 1e9;
    }
}

static int load_episodes(struct rundata *rd, const char *path, struct vs_error *err)
{
    int col[C_N];
    size_t rows = csvtable_rows(rd->vms);
    double *abs = NULL;

    for (int c = 0; c < C_N; c++)
        if ((col[c] = csvtable_col(rd->vms, vm_cols[c])) < 0)
            return vs_error_setc(err, EINVAL, path, 1, 0,
                                 "no '%s' column: not a vms.csv written by vmstorm-analyze",
                                 vm_cols[c]);
    rd->ep = calloc(rows ? rows : 1, sizeof(*rd->ep));
    abs = calloc(rows ? rows : 1, sizeof(*abs));
    if (!rd->ep || !abs) {
        free(abs);
        return vs_error_setc(err, ENOMEM, path, 0, 0, "out of memory");
    }
    for (size_t r = 0; r < rows; r++) {
        int p = phase_index(rd, csvtable_cell(rd->vms, r, col[C_PHASE]));

        if (p < 0)
            continue;
        if (read_episode(rd, col, r, (size_t)p, path, &abs[rd->nep], err) < 0) {
            free(abs);
            return -1;
        }
        rd->nep++;
    }
    rebase(rd, abs);
    free(abs);
    qsort(rd->ep, rd->nep, sizeof(*rd->ep), cmp_episodes);
    return 0;
}

int rundata_load(const char *dir, struct rundata *rd, struct vs_error *err)
{
    char path[4096];

    memset(rd, 0, sizeof(*rd));
    vs_error_clear(err);
    if (!(rd->dir = strdup(dir)))
        return vs_error_setc(err, ENOMEM, dir, 0, 0, "out of memory");
    snprintf(path, sizeof(path), "%s/summary.json", dir);
    if (!(rd->summary = rundata_read_json(path, err)) || check_summary(path, rd->summary, err) < 0)
        goto fail;
    find_phases(rd);
    snprintf(path, sizeof(path), "%s/vms.csv", dir);
    if (!(rd->vms = csvtable_read(path, err)) || load_episodes(rd, path, err) < 0)
        goto fail;
    return 0;
fail:
    rundata_release(rd);
    return -1;
}

void rundata_release(struct rundata *rd)
{
    if (!rd)
        return;
    cJSON_Delete(rd->summary);
    csvtable_free(rd->vms);
    free(rd->ep);
    free(rd->dir);
    memset(rd, 0, sizeof(*rd));
}

size_t rundata_phase_episodes(const struct rundata *rd, size_t phase, const struct episode **first)
{
    size_t i = 0, n = 0;

    while (i < rd->nep && rd->ep[i].phase_no != phase)
        i++;
    *first = rd->ep + i;
    while (i + n < rd->nep && rd->ep[i + n].phase_no == phase)
        n++;
    return n;
}

const cJSON *rundata_get(const struct rundata *rd, const char *path)
{
    return json_path_get(rd->summary, path);
}

double rundata_num(const struct rundata *rd, const char *path)
{
    const cJSON *v = rundata_get(rd, path);

    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

const char *rundata_str(const struct rundata *rd, const char *path)
{
    return cJSON_GetStringValue(rundata_get(rd, path));
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

size_t rundata_nodes(const struct rundata *rd, const char ***out)
{
    const char **v = malloc((rd->nep ? rd->nep : 1) * sizeof(*v));
    size_t n = 0, k = 0;

    *out = v;
    if (!v)
        return 0;
    for (size_t i = 0; i < rd->nep; i++)
        if (rd->ep[i].node[0])
            v[n++] = rd->ep[i].node;
    qsort(v, n, sizeof(*v), cmp_str);
    for (size_t i = 0; i < n; i++)
        if (k == 0 || strcmp(v[k - 1], v[i]) != 0)
            v[k++] = v[i];
    return k;
}

void rundata_node_stats(const struct rundata *rd, size_t phase, const char *node, int ms,
                        struct stats_summary *out)
{
    const struct episode *e;
    size_t n = rundata_phase_episodes(rd, phase, &e);
    struct stats *st = stats_new();

    memset(out, 0, sizeof(*out));
    if (!st)
        return;
    for (size_t i = 0; i < n; i++) {
        double v = ms == 2 ? e[i].ready : e[i].running;

        if (strcmp(e[i].node, node) != 0)
            continue;
        if (isfinite(v))
            stats_add(st, v);
        else
            stats_add_censored(st);
    }
    stats_summarize(st, out);
    stats_free(st);
}

double rundata_stage_median(const struct rundata *rd, size_t phase, int stage)
{
    const struct episode *e;
    size_t n = rundata_phase_episodes(rd, phase, &e);
    struct stats *st = stats_new();
    struct stats_summary sum;

    if (!st)
        return NAN;
    for (size_t i = 0; i < n; i++) {
        double at[4] = {0, e[i].sched, e[i].running, e[i].ready};
        double from = at[stage], to = at[stage + 1];

        if (isfinite(from) && isfinite(to))
            stats_add(st, to - from);
    }
    stats_summarize(st, &sum);
    stats_free(st);
    return sum.ok ? sum.p50 : NAN;
}
