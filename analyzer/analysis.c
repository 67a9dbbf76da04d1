#include "analysis.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csvout.h"
#include "evstream.h"

long analysis_missing_lines(const struct analysis *a)
{
    long n = (long)a->seq_gaps - a->bad_lines - a->truncated;

    return n > 0 ? n : 0;
}

double round_ns(double seconds)
{
    return isfinite(seconds) ? round(seconds * 1e9) / 1e9 : seconds;
}

const char *episode_status(const struct episode *e)
{
    if (e->superseded)
        return "replaced";
    if (!e->uid[0])
        return "no_vmi";
    if (e->reached & (1u << M_READY))
        return "ready";
    if (episode_failure(e))
        return "failed";
    if (e->reached & (1u << M_RUNNING))
        return "running";
    if (e->reached & (1u << M_SCHEDULED))
        return "scheduled";
    return "created";
}

static void bound(struct clock_check *c, int64_t server_s_ns, int64_t earliest_ns,
                  int64_t latest_ns)
{
    double lo = (double)(server_s_ns - latest_ns) / 1e9;
    double hi = (double)(server_s_ns + 1000000000 - earliest_ns) / 1e9;

    if (c->samples == 0 || lo > c->lo)
        c->lo = lo;
    if (c->samples == 0 || hi < c->hi)
        c->hi = hi;
    c->samples++;
}

static void clock_compute(struct clock_check *c, const struct model *m)
{
    memset(c, 0, sizeof(*c));
    for (const struct episode *e = m->first; e; e = e->next) {
        if (!e->has_t0)
            continue;
        if (e->srv_created_ns)
            bound(c, e->srv_created_ns, e->t0.wall_ns, e->at[M_VMI_CREATED].wall_ns);
        if (e->srv_running_ns && (e->reached & (1u << M_RUNNING)))
            bound(c, e->srv_running_ns, e->t0.wall_ns, e->at[M_RUNNING].wall_ns);
    }
    if (c->samples == 0)
        return;
    c->consistent = c->lo < c->hi;
    c->offset = c->consistent ? (c->lo + c->hi) / 2 : NAN;
    c->abs_max = fmax(fabs(c->lo), fabs(c->hi));
}

static int add_event(struct analysis *a, const struct event *ev, struct vs_error *err)
{
    if (model_add(a->model, ev, err) < 0 || apicalls_add(a->api, ev, err) < 0)
        return -1;
    if (ev->kind == EV_FIO_RESULT && fio_set_add(a->fio, ev->json, err) < 0)
        return -1;
    if (ev->kind == EV_WARNING)
        a->warning_events++;
    if (ev->kind == EV_ERROR)
        a->error_events++;
    return 0;
}

/*
 * Lines whose body nothing here reads: watch events of pods, and of
 * DataVolumes unless they are ADDED or may change the phase (about half of
 * a run's lines). They are still checked to be JSON, and counted, but no
 * tree is built for them.
 */
static int skim_line(const char *line, size_t len, void *ctx)
{
    const char *v;
    size_t n;

    (void)ctx;
    if (event_peek_string(line, len, "kind", &v, &n) < 0 || n != 11 ||
        memcmp(v, "watch_event", 11) != 0 || event_peek_string(line, len, "resource", &v, &n) < 0)
        return 0;
    if (n == 4 && memcmp(v, "pods", 4) == 0)
        return 1;
    if (n != 11 || memcmp(v, "datavolumes", 11) != 0)
        return 0;
    /* a DataVolume's first sight and its phase changes are read; its progress updates not */
    if (event_peek_string(line, len, "type", &v, &n) == 0 && n == 5 && memcmp(v, "ADDED", 5) == 0)
        return 0;
    return !memmem(line, len, "\"phase\":", 8);
}

int analysis_load(struct analysis *a, const char *path, int skip_bad, struct vs_error *err)
{
    struct evstream *s;
    struct vs_error e;
    struct event ev;
    int rc = -1, done = 0;
    int64_t last_seq = -1;

    memset(a, 0, sizeof(*a));
    if (!(a->path = strdup(path)) || !(a->model = model_new()) || !(a->api = apicalls_new()) ||
        !(a->fio = fio_set_new()))
        return vs_error_setc(err, ENOMEM, path, 0, 0, "out of memory");
    if (!(s = evstream_open(path, 0, err)))
        return -1;
    evstream_set_skim(s, skim_line, NULL);
    while (!done) {
        vs_error_clear(&e);
        switch (evstream_next(s, &ev, &e)) {
        case EVSTREAM_EVENT:
            if (evstream_last_warning(s))
                a->no_final_newline = 1;
            if (a->model->events + a->repeated_lines > 0 && ev.seq <= last_seq) {
                a->repeated_lines++; /* the collector writes seq 0, 1, 2...: a copy */
                event_release(&ev);
                break;
            }
            a->seq_gaps += ev.seq - (a->model->events + a->repeated_lines > 0 ? last_seq + 1 : 0);
            last_seq = ev.seq;
            rc = add_event(a, &ev, err);
            event_release(&ev);
            if (rc < 0)
                goto out;
            rc = -1;
            break;
        case EVSTREAM_BAD_LINE:
            if (!skip_bad || e.code == EPROTONOSUPPORT) {
                *err = e;
                goto out;
            }
            if (a->bad_lines++ == 0)
                a->first_bad = e;
            break;
        case EVSTREAM_TRUNCATED:
            a->truncated = 1;
            a->truncation = e;
            break;
        case EVSTREAM_IO_ERROR:
            *err = e;
            goto out;
        case EVSTREAM_EOF:
            done = 1;
            break;
        }
    }
    if (a->model->events == 0) {
        vs_error_set(err, path, 0, 0, "no events: an empty file is not a run");
        goto out;
    }
    if (!a->model->run_begin) {
        vs_error_set(err, path, 0, 0,
                     "no run_begin event: not a vmstorm run file, or its first line was lost");
        goto out;
    }
    if (model_finish(a->model, err) < 0 || summary_compute(a->model, &a->ps, &a->n_ps, err) < 0)
        goto out;
    for (size_t i = 0; i < a->n_ps; i++)
        apicalls_set_phase_vms(a->api, a->ps[i].phase, a->ps[i].episodes);
    clock_compute(&a->clock, a->model);
    rc = 0;
out:
    evstream_free(s);
    return rc;
}

void analysis_free(struct analysis *a)
{
    if (!a)
        return;
    model_free(a->model);
    apicalls_free(a->api);
    fio_set_free(a->fio);
    free(a->ps);
    free(a->path);
    memset(a, 0, sizeof(*a));
}

/* --- the summary document ------------------------------------------------ */

static const char *str(const cJSON *o, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static cJSON *num_or_null(double v)
{
    return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

static void add_num(cJSON *o, const char *key, double v)
{
    cJSON_AddItemToObject(o, key, num_or_null(v));
}

/* A string member, or null when s is NULL (a value that does not exist). */
static void add_str(cJSON *o, const char *key, const char *s)
{
    cJSON_AddItemToObject(o, key, s ? cJSON_CreateString(s) : cJSON_CreateNull());
}

static cJSON *stats_json(const struct stats_summary *s)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddNumberToObject(o, "count", (double)s->count);
    cJSON_AddNumberToObject(o, "ok", (double)s->ok);
    cJSON_AddNumberToObject(o, "censored", (double)s->censored);
    add_num(o, "min", round_ns(s->min));
    add_num(o, "avg", round_ns(s->mean));
    add_num(o, "p50", round_ns(s->p50));
    add_num(o, "p90", round_ns(s->p90));
    add_num(o, "p95", round_ns(s->p95));
    add_num(o, "p99", round_ns(s->p99));
    add_num(o, "max", round_ns(s->max));
    add_num(o, "stddev", round_ns(s->stddev));
    return o;
}

/* Is milestone k measured in this run at all? Ready needs probes; the agent a guest agent. */
static int observed(const struct analysis *a, enum milestone k)
{
    if (k == M_READY)
        return a->model->kinds[EV_PROBE] > 0;
    if (k == M_AGENT) {
        for (const struct episode *e = a->model->first; e; e = e->next)
            if (e->reached & (1u << M_AGENT))
                return 1;
        return 0;
    }
    return 1;
}

static const struct phase_span *span_of(const struct model *m, const char *phase)
{
    for (size_t i = 0; i < m->n_phases; i++)
        if (strcmp(m->phases[i].name, phase) == 0)
            return &m->phases[i];
    return NULL;
}

static cJSON *phase_json(const struct analysis *a, const struct phase_stats *p)
{
    cJSON *o = cJSON_CreateObject();
    const struct phase_span *sp = span_of(a->model, p->phase);

    cJSON_AddStringToObject(o, "status", !sp ? "not_run" : sp->ended ? sp->status : "unfinished");
    add_num(o, "duration_s",
            sp && sp->ended ? round_ns((double)(sp->end.mono_ns - sp->begin.mono_ns) / 1e9) : NAN);
    if (strcmp(p->phase, "stop") == 0) {
        cJSON_AddItemToObject(o, "stopped", stats_json(&p->stopped));
        return o;
    }
    cJSON_AddNumberToObject(o, "vms", (double)p->episodes);
    cJSON_AddNumberToObject(o, "without_t0", (double)p->without_t0);
    cJSON_AddNumberToObject(o, "failed", (double)p->failed);
    for (int k = 0; k < M_COUNT; k++)
        if (observed(a, k))
            cJSON_AddItemToObject(o, milestone_name(k), stats_json(&p->ms[k]));
    return o;
}

static double ratio(double storm, double create)
{
    return isfinite(storm) && isfinite(create) && create > 0 ? round(storm / create * 1e6) / 1e6
                                                             : NAN;
}

/* Over 5% censored, a P95 over the VMs that got there says nothing of the P95 of all. */
#define CENSORED_SHARE_MAX 0.05

static double censored_share(const struct stats_summary *s)
{
    return s->count ? (double)s->censored / (double)s->count : 0;
}

static cJSON *multipliers_json(const struct analysis *a)
{
    const struct phase_stats *c = summary_phase(a->ps, a->n_ps, "create");
    const struct phase_stats *s = summary_phase(a->ps, a->n_ps, "storm");
    cJSON *o = cJSON_CreateObject();

    if (!c || !s)
        return o;
    for (int k = 0; k < M_COUNT; k++) {
        const struct stats_summary *x = &s->ms[k], *y = &c->ms[k];
        char why[300] = "";
        const char *verdict = NULL;
        cJSON *m;
        double p95;

        if (!observed(a, k) || x->ok == 0 || y->ok == 0)
            continue;
        m = cJSON_AddObjectToObject(o, milestone_name(k));
        add_num(m, "p50", ratio(x->p50, y->p50));
        add_num(m, "p95", p95 = ratio(x->p95, y->p95));
        add_num(m, "p99", ratio(x->p99, y->p99));
        add_num(m, "avg", ratio(x->mean, y->mean));
        add_num(m, "max", ratio(x->max, y->max));
        if (censored_share(x) > CENSORED_SHARE_MAX) {
            verdict = "critical";
            snprintf(why, sizeof(why),
                     "%zu of the storm's %zu VM starts never reached %s: its P95 lies beyond the "
                     "end of the phase",
                     x->censored, x->count, milestone_name(k));
        } else if (censored_share(y) > CENSORED_SHARE_MAX) {
            snprintf(why, sizeof(why),
                     "%zu of the creation's %zu VM starts never reached %s: its P95, the "
                     "reference, is not known",
                     y->censored, y->count, milestone_name(k));
        } else if (isfinite(p95)) {
            verdict = multiplier_verdict(p95);
        }
        add_str(m, "verdict", verdict);
        add_str(m, "verdict_reason", why[0] ? why : NULL);
    }
    return o;
}

static cJSON *clock_json(const struct analysis *a)
{
    const struct clock_check *c = &a->clock;
    cJSON *o = cJSON_CreateObject();
    char w[256] = "";

    cJSON_AddNumberToObject(o, "samples", (double)c->samples);
    cJSON_AddBoolToObject(o, "consistent", c->samples > 0 && c->consistent);
    add_num(o, "offset_s", c->samples && c->consistent ? round(c->offset * 1e3) / 1e3 : NAN);
    add_num(o, "offset_min_s", c->samples ? round(c->lo * 1e3) / 1e3 : NAN);
    add_num(o, "offset_max_s", c->samples ? round(c->hi * 1e3) / 1e3 : NAN);
    if (c->samples && !c->consistent)
        snprintf(w, sizeof(w),
                 "the server's timestamps do not fit the collector's clock with any one offset "
                 "(bounds %.3f s and %.3f s): a clock stepped during the run",
                 c->lo, c->hi);
    else if (c->samples && fabs(c->offset) > CLOCK_OFFSET_WARN_S)
        snprintf(w, sizeof(w),
                 "the server's clock is %.1f s %s the collector's: compare server timestamps "
                 "with care; durations come from the collector's clock and are not affected",
                 fabs(c->offset), c->offset > 0 ? "ahead of" : "behind");
    add_str(o, "warning", w[0] ? w : NULL);
    return o;
}

/*
 * The settings that shape the figures, from run_begin.config: how many VMs,
 * from which template, where, probed how. A copy of named members only, so
 * nothing else of the configuration (paths, labels) reaches the summary.
 */
static cJSON *config_json(const cJSON *cfg)
{
    static const char *const copy[] = {
        "vm_name",     "vm_template", "namespace_prefix", "storage_class",
        "single_node", "node_name",   "boot_storm",       "concurrency",
        "probe",       "probe_port",  "ping_timeout_s",   "qps",
        "burst",
    };
    const cJSON *start = cJSON_GetObjectItemCaseSensitive(cfg, "start");
    const cJSON *end = cJSON_GetObjectItemCaseSensitive(cfg, "end");
    const cJSON *fio = cJSON_GetObjectItemCaseSensitive(cfg, "fio_cmd");
    cJSON *o = cJSON_CreateObject();

    if (cJSON_IsNumber(start) && cJSON_IsNumber(end) && end->valuedouble >= start->valuedouble)
        cJSON_AddNumberToObject(o, "vms", end->valuedouble - start->valuedouble + 1);
    else
        cJSON_AddNullToObject(o, "vms");
    for (size_t i = 0; i < sizeof(copy) / sizeof(copy[0]); i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, copy[i]);

        cJSON_AddItemToObject(o, copy[i],
                              v && !cJSON_IsObject(v) && !cJSON_IsArray(v) ? cJSON_Duplicate(v, 0)
                                                                           : cJSON_CreateNull());
    }
    cJSON_AddBoolToObject(o, "fio", cJSON_IsString(fio) && fio->valuestring[0]);
    return o;
}

static cJSON *run_json(const struct analysis *a)
{
    const cJSON *rb = a->model->run_begin;
    const cJSON *tool = cJSON_GetObjectItemCaseSensitive(rb, "tool");
    const cJSON *cl = cJSON_GetObjectItemCaseSensitive(rb, "cluster");
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(cl, "version");
    const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(cl, "nodes");
    cJSON *o = cJSON_CreateObject(), *c;

    cJSON_AddStringToObject(o, "id", a->model->run_id);
    cJSON_AddStringToObject(o, "tool", str(tool, "name") ? str(tool, "name") : "");
    cJSON_AddStringToObject(o, "tool_version", str(tool, "version") ? str(tool, "version") : "");
    cJSON_AddBoolToObject(o, "simulated",
                          cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rb, "simulated")));
    {
        /* vmstorm-sim says in /version how much faster than real time its model ran */
        const cJSON *speed = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(ver, "vmstormSim"), "speed");

        if (cJSON_IsNumber(speed) && speed->valuedouble > 0)
            cJSON_AddNumberToObject(o, "sim_speed", speed->valuedouble);
        else
            cJSON_AddNullToObject(o, "sim_speed");
    }
    add_str(o, "started_at", str(rb, "started_at"));
    cJSON_AddStringToObject(o, "status",
                            a->model->has_run_end ? a->model->run_status : "unfinished");
    c = cJSON_AddObjectToObject(o, "cluster");
    cJSON_AddStringToObject(c, "server", str(cl, "server") ? str(cl, "server") : "");
    add_str(c, "kubernetes_version", str(ver, "gitVersion"));
    add_str(c, "kubevirt_version", str(cl, "kubevirt_version"));
    cJSON_AddNumberToObject(c, "nodes", cJSON_IsArray(nodes) ? cJSON_GetArraySize(nodes) : 0);
    cJSON_AddItemToObject(o, "config", config_json(cJSON_GetObjectItemCaseSensitive(rb, "config")));
    return o;
}

static cJSON *input_json(const struct analysis *a)
{
    cJSON *o = cJSON_CreateObject(), *k;
    const char *base = strrchr(a->path, '/');
    char buf[800];

    cJSON_AddStringToObject(o, "file", base ? base + 1 : a->path);
    cJSON_AddNumberToObject(o, "events", (double)a->model->events);
    k = cJSON_AddObjectToObject(o, "kinds");
    for (int i = 1; i < EV_KIND_COUNT; i++)
        if (a->model->kinds[i])
            cJSON_AddNumberToObject(k, event_kind_name(i), (double)a->model->kinds[i]);
    cJSON_AddNumberToObject(o, "bad_lines_skipped", (double)a->bad_lines);
    if (a->bad_lines)
        cJSON_AddStringToObject(o, "first_bad_line",
                                vs_error_format(&a->first_bad, buf, sizeof(buf)));
    cJSON_AddBoolToObject(o, "truncated_last_line", a->truncated);
    cJSON_AddNumberToObject(o, "repeated_lines", (double)a->repeated_lines);
    cJSON_AddNumberToObject(o, "missing_lines", (double)analysis_missing_lines(a));
    cJSON_AddNumberToObject(o, "dropped_milestones", (double)a->model->dropped_milestones);
    cJSON_AddNumberToObject(o, "unmatched_probes", (double)a->model->unmatched_probes);
    cJSON_AddNumberToObject(o, "warning_events", (double)a->warning_events);
    cJSON_AddNumberToObject(o, "error_events", (double)a->error_events);
    return o;
}

static cJSON *method_json(void)
{
    cJSON *o = cJSON_CreateObject(), *v;

    cJSON_AddStringToObject(o, "durations",
                            "seconds on the collector's monotonic clock, from the request that "
                            "caused each VM start (t0) to the first observation of the milestone");
    cJSON_AddStringToObject(
        o, "percentiles", "linear interpolation between closest ranks (numpy 'linear', R type 7)");
    cJSON_AddStringToObject(o, "stddev", "sample standard deviation (n - 1)");
    cJSON_AddStringToObject(o, "censored",
                            "VMs that never reached a milestone are counted as censored and kept "
                            "out of min, avg, percentiles, max and stddev");
    cJSON_AddStringToObject(o, "multiplier", "storm statistic / create statistic");
    cJSON_AddStringToObject(o, "verdict_basis", "p95");
    v = cJSON_AddObjectToObject(o, "verdicts");
    cJSON_AddStringToObject(v, "good", "< 2.0");
    cJSON_AddStringToObject(v, "concerning", ">= 2.0 and < 5.0");
    cJSON_AddStringToObject(v, "critical", ">= 5.0");
    return o;
}

static int phase_rank(const struct analysis *a, const char *phase)
{
    for (size_t i = 0; i < a->n_ps; i++)
        if (strcmp(a->ps[i].phase, phase) == 0)
            return (int)i;
    return (int)a->n_ps;
}

struct row {
    const struct episode *e;
    int rank;
};

static int cmp_rows(const void *x, const void *y)
{
    const struct row *a = x, *b = y;
    int c;
    int64_t d;

    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    if ((c = strverscmp(a->e->ns, b->e->ns)) || (c = strverscmp(a->e->name, b->e->name)))
        return c;
    d = a->e->at[M_VMI_CREATED].mono_ns - b->e->at[M_VMI_CREATED].mono_ns;
    return d < 0 ? -1 : d > 0;
}

const struct episode **analysis_sorted_episodes(const struct analysis *a, size_t *n)
{
    struct row *rows = calloc(a->model->n_episodes + 1, sizeof(*rows));
    const struct episode **v = calloc(a->model->n_episodes + 1, sizeof(*v));
    size_t k = 0;

    if (!rows || !v) {
        free(rows);
        free(v);
        return NULL;
    }
    for (const struct episode *e = a->model->first; e; e = e->next) {
        rows[k].e = e;
        rows[k++].rank = phase_rank(a, e->phase);
    }
    qsort(rows, k, sizeof(*rows), cmp_rows);
    for (size_t i = 0; i < k; i++)
        v[i] = rows[i].e;
    free(rows);
    *n = k;
    return v;
}

/* Episodes of the create and storm phases that did not get as far as the run waited for. */
static cJSON *not_reached_json(const struct analysis *a)
{
    cJSON *v = cJSON_CreateArray();
    int want_ready = observed(a, M_READY);
    size_t n;
    const struct episode **eps = analysis_sorted_episodes(a, &n);

    if (!eps) {
        cJSON_Delete(v);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const struct episode *e = eps[i];
        int ok = want_ready ? (e->reached & (1u << M_READY)) != 0
                            : (e->reached & (1u << M_RUNNING)) != 0;
        cJSON *o;

        if (ok || e->superseded || !e->has_t0 || !summary_phase(a->ps, a->n_ps, e->phase) ||
            strcmp(e->phase, "stop") == 0)
            continue;
        {
            o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "phase", e->phase);
            cJSON_AddStringToObject(o, "namespace", e->ns);
            cJSON_AddStringToObject(o, "name", e->name);
            add_str(o, "uid", e->uid[0] ? e->uid : NULL);
            cJSON_AddStringToObject(o, "status", episode_status(e));
            add_str(o, "failure", episode_failure(e));
            add_str(o, "vm_status", e->vm_status[0] ? e->vm_status : NULL);
            add_str(o, "probe", e->probe[0] ? e->probe : NULL);
            cJSON_AddItemToArray(v, o);
        }
    }
    free(eps);
    return v;
}

static double dsecs(const struct vs_time *from, const struct vs_time *to)
{
    return (double)(to->mono_ns - from->mono_ns) / 1e9;
}

/* Per phase, the DataVolumes first seen in it: to in-progress, to Succeeded. */
static cJSON *datavolumes_json(const struct analysis *a)
{
    cJSON *o = cJSON_CreateObject();
    const struct model *m = a->model;

    for (size_t i = 0; i < m->n_phases + 1; i++) {
        const char *ph = i < m->n_phases ? m->phases[i].name : "setup";
        struct stats *st = stats_new(), *done = stats_new();
        struct stats_summary s1, s2;
        size_t n = 0, ok = 0, failed = 0;
        cJSON *p;

        if (!st || !done || cJSON_HasObjectItem(o, ph)) {
            stats_free(st);
            stats_free(done);
            continue;
        }
        for (size_t k = 0; k < m->n_dvs; k++) {
            const struct datavolume *d = &m->dvs[k];

            if (strcmp(d->phase, ph) != 0)
                continue;
            n++;
            ok += d->succeeded;
            failed += d->failed;
            if (d->has_started)
                stats_add(st, dsecs(&d->seen, &d->started));
            else
                stats_add_censored(st);
            if (d->succeeded)
                stats_add(done, dsecs(&d->seen, &d->done));
            else
                stats_add_censored(done);
        }
        if (n) {
            stats_summarize(st, &s1);
            stats_summarize(done, &s2);
            p = cJSON_AddObjectToObject(o, ph);
            cJSON_AddNumberToObject(p, "count", (double)n);
            cJSON_AddNumberToObject(p, "succeeded", (double)ok);
            cJSON_AddNumberToObject(p, "failed", (double)failed);
            cJSON_AddItemToObject(p, "in_progress", stats_json(&s1));
            cJSON_AddItemToObject(p, "done", stats_json(&s2));
        }
        stats_free(st);
        stats_free(done);
    }
    return o;
}

cJSON *analysis_summary_json(const struct analysis *a)
{
    cJSON *o = cJSON_CreateObject(), *ph, *api, *fio;

    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "summary_version", 1);
    cJSON_AddItemToObject(o, "run", run_json(a));
    cJSON_AddItemToObject(o, "input", input_json(a));
    cJSON_AddItemToObject(o, "method", method_json());
    ph = cJSON_AddObjectToObject(o, "phases");
    for (size_t i = 0; i < a->n_ps; i++)
        cJSON_AddItemToObject(ph, a->ps[i].phase, phase_json(a, &a->ps[i]));
    cJSON_AddItemToObject(o, "multipliers", multipliers_json(a));
    cJSON_AddItemToObject(o, "not_reached", not_reached_json(a));
    cJSON_AddItemToObject(o, "datavolumes", datavolumes_json(a));
    cJSON_AddItemToObject(o, "clock", clock_json(a));
    api = apicalls_json(a->api);
    cJSON_AddItemToObject(o, "api_calls", api ? api : cJSON_CreateObject());
    fio = fio_set_json(a->fio);
    cJSON_AddItemToObject(o, "fio", fio ? fio : cJSON_CreateObject());
    if (!api || !fio) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* --- vms.csv --------------------------------------------------------------- */

static const char *const vms_columns[] = {
    "phase",     "namespace",      "name",          "uid",        "node",        "status",
    "t0_ns",     "vmi_created_ns", "scheduled_ns",  "running_ns", "ip_ns",       "ready_ns",
    "running_s", "ready_s",        "vm_running_ns", "agent_ns",   "scheduled_s", "vm_running_s",
    "ip_s",      "agent_s",        "probe",         "stopped_s",  "vm_status",   "failure",
};

static void abs_col(FILE *f, const struct episode *e, enum milestone k)
{
    if (e->reached & (1u << k))
        csvout_i64(f, 0, e->at[k].wall_ns);
    else
        csvout_str(f, 0, NULL);
}

static void dur_col(FILE *f, const struct episode *e, enum milestone k)
{
    if (e->has_t0 && (e->reached & (1u << k)))
        csvout_num(f, 0, (double)(e->at[k].mono_ns - e->t0.mono_ns) / 1e9);
    else
        csvout_str(f, 0, NULL);
}

int analysis_write_vms_csv(const struct analysis *a, FILE *f, struct vs_error *err)
{
    size_t n;
    const struct episode **rows = analysis_sorted_episodes(a, &n);

    if (!rows)
        return vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < sizeof(vms_columns) / sizeof(vms_columns[0]); i++)
        csvout_str(f, i == 0, vms_columns[i]);
    csvout_end(f);
    for (size_t i = 0; i < n; i++) {
        const struct episode *e = rows[i];

        csvout_str(f, 1, e->phase);
        csvout_str(f, 0, e->ns);
        csvout_str(f, 0, e->name);
        csvout_str(f, 0, e->uid[0] ? e->uid : NULL);
        csvout_str(f, 0, e->node);
        csvout_str(f, 0, episode_status(e));
        if (e->has_t0)
            csvout_i64(f, 0, e->t0.wall_ns);
        else
            csvout_str(f, 0, NULL);
        abs_col(f, e, M_VMI_CREATED);
        abs_col(f, e, M_SCHEDULED);
        abs_col(f, e, M_RUNNING);
        abs_col(f, e, M_IP);
        abs_col(f, e, M_READY);
        dur_col(f, e, M_RUNNING);
        dur_col(f, e, M_READY);
        abs_col(f, e, M_VM_RUNNING);
        abs_col(f, e, M_AGENT);
        dur_col(f, e, M_SCHEDULED);
        dur_col(f, e, M_VM_RUNNING);
        dur_col(f, e, M_IP);
        dur_col(f, e, M_AGENT);
        csvout_str(f, 0, e->probe[0] ? e->probe : NULL);
        if (e->has_stop && e->gone)
            csvout_num(f, 0, (double)(e->gone_at.mono_ns - e->stop_t0.mono_ns) / 1e9);
        else
            csvout_str(f, 0, NULL);
        csvout_str(f, 0, e->vm_status[0] ? e->vm_status : NULL);
        csvout_str(f, 0, episode_failure(e));
        csvout_end(f);
    }
    free(rows);
    if (ferror(f))
        return vs_error_setc(err, errno ? errno : EIO, NULL, 0, 0, "write error: %s",
                             strerror(errno ? errno : EIO));
    return 0;
}
