#include "model.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "track.h"

static const char *const milestone_names[M_COUNT] = {
    "vmi_created", "scheduled", "running", "vm_running", "ip", "ready", "agent",
};

const char *milestone_name(enum milestone m)
{
    return m >= 0 && m < M_COUNT ? milestone_names[m] : NULL;
}

/* A request that starts or stops a VM. */
struct req {
    struct vs_time t;
    char phase[16];
    int ok;   /* answered 2xx: it took effect */
    int used; /* the t0 of an episode */
};

struct reqs {
    struct req *v;
    size_t n, cap;
};

/* A printableStatus the VM was seen to take. */
struct vmstat {
    struct vs_time t;
    char status[32];
};

/* One VM (namespace/name): its requests and its episodes, in order of first sight. */
struct vmrec {
    struct reqs starts, stops;
    struct vmstat *st; /* its printableStatus changes, in file order */
    size_t n_st, cap_st;
    struct episode **eps;
    size_t n_eps, cap_eps;
};

/* A phase_begin or phase_end, kept until model_finish orders them by time. */
struct mark {
    char name[16], status[16];
    int begin;
    long order; /* in the file, for ties */
    struct vs_time t;
};

/* Probe results of a VMI not seen yet (lines need not be in time order). */
struct early_probe {
    char *uid, result[16];
    struct vs_time t;
};

struct model_priv {
    struct strmap *dv_uids; /* DataVolume uid -> index + 1 into m->dvs, as a pointer-sized int */
    size_t cap_dvs;
    struct strmap *vms;  /* "ns/name" -> struct vmrec */
    struct strmap *uids; /* VMI uid -> struct episode */
    struct early_probe *early;
    size_t n_early;
    struct mark *marks;
    size_t n_marks;
};

struct model *model_new(void)
{
    struct model *m = calloc(1, sizeof(*m));

    if (!m || !(m->priv = calloc(1, sizeof(*m->priv))) || !(m->priv->vms = strmap_new()) ||
        !(m->priv->uids = strmap_new()) || !(m->priv->dv_uids = strmap_new())) {
        model_free(m);
        return NULL;
    }
    return m;
}

static int free_vm(void *ctx, const char *key, void *value)
{
    struct vmrec *v = value;

    (void)ctx;
    (void)key;
    free(v->starts.v);
    free(v->stops.v);
    free(v->st);
    free(v->eps);
    free(v);
    return 0;
}

void model_free(struct model *m)
{
    if (!m)
        return;
    for (struct episode *e = m->first, *next; e; e = next) {
        next = e->next;
        free(e->ns);
        free(e->name);
        free(e->uid);
        free(e->node);
        free(e);
    }
    if (m->priv) {
        if (m->priv->vms) {
            strmap_each(m->priv->vms, free_vm, NULL);
            strmap_free(m->priv->vms);
        }
        strmap_free(m->priv->uids);
        strmap_free(m->priv->dv_uids);
        free(m->priv->marks);
        for (size_t i = 0; i < m->priv->n_early; i++)
            free(m->priv->early[i].uid);
        free(m->priv->early);
        free(m->priv);
    }
    free(m->dvs);
    cJSON_Delete(m->run_begin);
    free(m->run_id);
    free(m->phases);
    free(m);
}

static const char *str(const cJSON *o, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static struct vmrec *vm_get(struct model *m, const char *ns, const char *name)
{
    char small[256], *key = small;
    size_t n = strlen(ns) + strlen(name) + 2;
    struct vmrec *v;

    if (n > sizeof(small) && !(key = malloc(n)))
        return NULL;
    memcpy(key, ns, strlen(ns));
    key[strlen(ns)] = '/';
    memcpy(key + strlen(ns) + 1, name, strlen(name) + 1);
    if (!(v = strmap_get(m->priv->vms, key)) && (v = calloc(1, sizeof(*v))) &&
        strmap_put(m->priv->vms, key, v) < 0) {
        free(v);
        v = NULL;
    }
    if (key != small)
        free(key);
    return v;
}

static int reqs_add(struct reqs *r, const struct vs_time *t, const char *phase, int ok)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 2;
        struct req *v = realloc(r->v, cap * sizeof(*v));

        if (!v)
            return -1;
        r->v = v;
        r->cap = cap;
    }
    r->v[r->n].t = *t;
    snprintf(r->v[r->n].phase, sizeof(r->v[r->n].phase), "%s", phase ? phase : "");
    r->v[r->n].ok = ok;
    r->v[r->n].used = 0;
    r->n++;
    return 0;
}

static struct episode *episode_new(struct model *m, struct vmrec *v, const char *ns,
                                   const char *name, const char *uid, const struct vs_time *t)
{
    struct episode *e = calloc(1, sizeof(*e));

    if (!e || !(e->ns = strdup(ns)) || !(e->name = strdup(name)) || !(e->uid = strdup(uid)) ||
        strmap_put(m->priv->uids, uid, e) < 0) {
        if (e) {
            free(e->ns);
            free(e->name);
            free(e->uid);
            free(e);
        }
        return NULL;
    }
    if (v->n_eps == v->cap_eps) {
        size_t cap = v->cap_eps ? v->cap_eps * 2 : 2;
        struct episode **eps = realloc(v->eps, cap * sizeof(*eps));

        if (!eps) {
            strmap_del(m->priv->uids, uid);
            free(e->ns);
            free(e->name);
            free(e->uid);
            free(e);
            return NULL;
        }
        v->eps = eps;
        v->cap_eps = cap;
    }
    v->eps[v->n_eps++] = e;
    e->reached = 1u << M_VMI_CREATED;
    e->at[M_VMI_CREATED] = *t;
    if (m->last)
        m->last->next = e;
    else
        m->first = e;
    m->last = e;
    m->n_episodes++;
    return e;
}

/* Reach milestone ms at t: the earliest time wins (lines are not in time order). */
static void reach(struct episode *e, enum milestone ms, const struct vs_time *t)
{
    if (!(e->reached & (1u << ms)) || t->mono_ns < e->at[ms].mono_ns) {
        e->reached |= 1u << ms;
        e->at[ms] = *t;
    }
}

static int on_request(struct model *m, const cJSON *j, const struct vs_time *t)
{
    const char *res = str(j, "resource"), *method = str(j, "method"), *sub = str(j, "subresource");
    const char *ns = str(j, "namespace"), *name = str(j, "name"), *phase = str(j, "phase");
    const cJSON *attempt = cJSON_GetObjectItemCaseSensitive(j, "attempt");
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(j, "status");
    struct vmrec *v;
    int start;

    if (!res || strcmp(res, "virtualmachines") != 0 || !ns || !name || !method)
        return 0;
    /* retries of one request: its first attempt counts */
    if (cJSON_IsNumber(attempt) && attempt->valuedouble > 1)
        return 0;
    if (strcmp(method, "POST") == 0)
        start = 1;
    else if (sub && strcmp(sub, "start") == 0)
        start = 1;
    else if (sub && strcmp(sub, "stop") == 0)
        start = 0;
    else if (strcmp(method, "PATCH") == 0 && phase)
        start = strcmp(phase, "stop") != 0 && strcmp(phase, "cleanup") != 0;
    else
        return 0;
    if (!(v = vm_get(m, ns, name)))
        return -1;
    return reqs_add(start ? &v->starts : &v->stops, t, phase,
                    cJSON_IsNumber(status) && status->valuedouble >= 200 &&
                        status->valuedouble < 300);
}

/* An RFC 3339 time at key in o, as unix ns; 0 when absent or not one. */
static int64_t rfc3339_at(const cJSON *o, const char *key)
{
    const char *s = str(o, key);
    int64_t ns;

    if (!s || rfc3339_parse(s, strlen(s), &ns, NULL) < 0)
        return 0;
    return ns;
}

/* The server's creation and Running times of a VMI: read once each (they do not change). */
static void server_times(struct episode *e, const cJSON *server)
{
    if (!e->srv_created_ns)
        e->srv_created_ns = rfc3339_at(server, "creation");
    if (!e->srv_running_ns)
        e->srv_running_ns =
            rfc3339_at(cJSON_GetObjectItemCaseSensitive(server, "phase_transitions"), "Running");
}

static int on_vmi(struct model *m, const cJSON *j, const struct vs_time *t)
{
    const char *ns = str(j, "namespace"), *name = str(j, "name"), *uid = str(j, "uid");
    const char *type = str(j, "type");
    const cJSON *ch = cJSON_GetObjectItemCaseSensitive(j, "changed");
    const char *phase = str(ch, "phase"), *ip = str(ch, "ip"), *node = str(ch, "node");
    const char *agent = str(ch, "agent_connected");
    struct episode *e;
    struct vmrec *v;

    if (!ns || !name || !uid || !type)
        return 0;
    if (!(v = vm_get(m, ns, name)))
        return -1;
    e = strmap_get(m->priv->uids, uid);
    if (!e && !(e = episode_new(m, v, ns, name, uid, t)))
        return -1;
    if (t->mono_ns < e->at[M_VMI_CREATED].mono_ns)
        e->at[M_VMI_CREATED] = *t;
    if (strcmp(type, "DELETED") == 0) {
        if (!e->gone || t->mono_ns < e->gone_at.mono_ns) {
            e->gone = 1;
            e->gone_at = *t;
        }
        return 0;
    }
    if (phase && strcmp(phase, "Scheduled") == 0)
        reach(e, M_SCHEDULED, t);
    if (phase && strcmp(phase, "Running") == 0)
        reach(e, M_RUNNING, t);
    if (phase && strcmp(phase, "Failed") == 0)
        e->vmi_failed = 1;
    if (ip)
        reach(e, M_IP, t);
    if (agent && strcmp(agent, "True") == 0)
        reach(e, M_AGENT, t);
    server_times(e, cJSON_GetObjectItemCaseSensitive(j, "server"));
    if (node && (!e->node || strcmp(e->node, node) != 0)) {
        free(e->node);
        if (!(e->node = strdup(node)))
            return -1;
    }
    return 0;
}

static int on_vm(struct model *m, const cJSON *j, const struct vs_time *t)
{
    const char *ns = str(j, "namespace"), *name = str(j, "name");
    const char *ps = str(cJSON_GetObjectItemCaseSensitive(j, "changed"), "printable_status");
    struct vmrec *v;

    if (!ns || !name || !ps)
        return 0;
    if (!(v = vm_get(m, ns, name)))
        return -1;
    if (v->n_st == v->cap_st) {
        size_t cap = v->cap_st ? v->cap_st * 2 : 4;
        struct vmstat *st = realloc(v->st, cap * sizeof(*st));

        if (!st)
            return -1;
        v->st = st;
        v->cap_st = cap;
    }
    v->st[v->n_st].t = *t;
    snprintf(v->st[v->n_st].status, sizeof(v->st[v->n_st].status), "%s", ps);
    v->n_st++;
    return 0;
}

static void probe_result(struct episode *e, const char *result, const struct vs_time *t)
{
    if (!e->probe[0] || t->mono_ns >= e->probe_at.mono_ns) {
        snprintf(e->probe, sizeof(e->probe), "%s", result);
        e->probe_at = *t;
    }
    if (strcmp(result, "ready") == 0)
        reach(e, M_READY, t);
}

static int on_dv(struct model *m, const cJSON *j, const struct vs_time *t)
{
    const char *uid = str(j, "uid"), *type = str(j, "type");
    const char *ph = str(cJSON_GetObjectItemCaseSensitive(j, "changed"), "phase");
    uintptr_t idx;
    struct datavolume *d;

    if (!uid || !type || strcmp(type, "DELETED") == 0)
        return 0;
    idx = (uintptr_t)strmap_get(m->priv->dv_uids, uid);
    if (!idx) {
        if (m->n_dvs == m->priv->cap_dvs) {
            size_t cap = m->priv->cap_dvs ? m->priv->cap_dvs * 2 : 64;

            if (!(d = realloc(m->dvs, cap * sizeof(*d))))
                return -1;
            m->dvs = d;
            m->priv->cap_dvs = cap;
        }
        idx = ++m->n_dvs;
        if (strmap_put(m->priv->dv_uids, uid, (void *)idx) < 0) {
            m->n_dvs--;
            return -1;
        }
        memset(&m->dvs[idx - 1], 0, sizeof(*d));
        m->dvs[idx - 1].seen = *t;
    }
    d = &m->dvs[idx - 1];
    if (t->mono_ns < d->seen.mono_ns)
        d->seen = *t;
    if (!ph)
        return 0;
    if (strstr(ph, "InProgress") && (!d->has_started || t->mono_ns < d->started.mono_ns)) {
        d->has_started = 1;
        d->started = *t;
    }
    if ((strcmp(ph, "Succeeded") == 0 || strcmp(ph, "Failed") == 0) &&
        (!(d->succeeded || d->failed) || t->mono_ns < d->done.mono_ns)) {
        d->succeeded = ph[0] == 'S';
        d->failed = ph[0] == 'F';
        d->done = *t;
    }
    return 0;
}

static int on_probe(struct model *m, const cJSON *j, const struct vs_time *t)
{
    const char *uid = str(j, "uid"), *result = str(j, "result");
    struct episode *e;
    struct early_probe *p;

    if (!uid || !result)
        return 0;
    if ((e = strmap_get(m->priv->uids, uid))) {
        probe_result(e, result, t);
        return 0;
    }
    p = realloc(m->priv->early, (m->priv->n_early + 1) * sizeof(*p));
    if (!p)
        return -1;
    m->priv->early = p;
    p = &p[m->priv->n_early];
    if (!(p->uid = strdup(uid)))
        return -1;
    m->priv->n_early++;
    snprintf(p->result, sizeof(p->result), "%s", result);
    p->t = *t;
    return 0;
}

static int on_phase(struct model *m, const cJSON *j, const struct vs_time *t, int begin)
{
    const char *name = str(j, "phase"), *status = str(j, "status");
    struct mark *k;

    if (!name)
        return 0;
    k = realloc(m->priv->marks, (m->priv->n_marks + 1) * sizeof(*k));
    if (!k)
        return -1;
    m->priv->marks = k;
    k = &k[m->priv->n_marks];
    memset(k, 0, sizeof(*k));
    snprintf(k->name, sizeof(k->name), "%s", name);
    snprintf(k->status, sizeof(k->status), "%s", status ? status : "");
    k->begin = begin;
    k->order = (long)m->priv->n_marks++;
    k->t = *t;
    return 0;
}

int model_add(struct model *m, const struct event *ev, struct vs_error *err)
{
    const cJSON *j = ev->json;
    struct vs_time t = {ev->wall_ns, ev->mono_ns};
    const char *res;
    int rc = 0;

    m->events++;
    if (ev->kind > EV_UNKNOWN && ev->kind < EV_KIND_COUNT)
        m->kinds[ev->kind]++;
    switch (ev->kind) {
    case EV_RUN_BEGIN:
        if (!m->run_begin) {
            const char *id = str(j, "run_id");

            m->run_begin = cJSON_Duplicate(j, 1);
            m->run_id = strdup(id ? id : "");
            if (!m->run_begin || !m->run_id)
                rc = -1;
        }
        break;
    case EV_RUN_END:
        m->has_run_end = 1;
        snprintf(m->run_status, sizeof(m->run_status), "%s",
                 str(j, "status") ? str(j, "status") : "");
        break;
    case EV_PHASE_BEGIN:
    case EV_PHASE_END:
        rc = on_phase(m, j, &t, ev->kind == EV_PHASE_BEGIN);
        break;
    case EV_API_REQUEST:
        rc = on_request(m, j, &t);
        break;
    case EV_WATCH_EVENT:
        res = str(j, "resource");
        if (res && strcmp(res, "virtualmachineinstances") == 0)
            rc = on_vmi(m, j, &t);
        else if (res && strcmp(res, "datavolumes") == 0)
            rc = on_dv(m, j, &t);
        else if (res && strcmp(res, "virtualmachines") == 0)
            rc = on_vm(m, j, &t);
        break;
    case EV_PROBE:
        rc = on_probe(m, j, &t);
        break;
    default:
        break;
    }
    if (rc < 0)
        return vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory");
    return 0;
}

/* The latest request in r sent in [after, before). NULL when none. */
static struct req *latest(struct reqs *r, int64_t after, int64_t before, int need_ok)
{
    struct req *best = NULL;

    for (size_t i = 0; i < r->n; i++)
        if (r->v[i].t.mono_ns >= after && r->v[i].t.mono_ns < before && (!need_ok || r->v[i].ok) &&
            (!best || r->v[i].t.mono_ns > best->t.mono_ns))
            best = &r->v[i];
    return best;
}

static int cmp_first_seen(const void *a, const void *b)
{
    const struct episode *x = *(struct episode *const *)a, *y = *(struct episode *const *)b;
    int64_t d = x->at[M_VMI_CREATED].mono_ns - y->at[M_VMI_CREATED].mono_ns;

    return d < 0 ? -1 : d > 0;
}

static int64_t first_seen(const struct episode *e)
{
    return e->at[M_VMI_CREATED].mono_ns;
}

/* A start request that no VMI followed: an episode without one, censored on every milestone. */
static int add_vmiless(struct model *m, const char *key, const struct req *r)
{
    struct episode *e = calloc(1, sizeof(*e));
    const char *slash = strchr(key, '/');

    if (!e || !slash || !(e->ns = strndup(key, (size_t)(slash - key))) ||
        !(e->name = strdup(slash + 1)) || !(e->uid = strdup(""))) {
        if (e) {
            free(e->ns);
            free(e->name);
        }
        free(e);
        return -1;
    }
    snprintf(e->phase, sizeof(e->phase), "%s", r->phase);
    e->has_t0 = 1;
    e->t0 = r->t;
    if (m->last)
        m->last->next = e;
    else
        m->first = e;
    m->last = e;
    m->n_episodes++;
    return 0;
}

/*
 * The milestones of an episode, made consistent: nothing before its t0 or
 * its VMI's first sight (a clock or recording problem: dropped and counted),
 * and Scheduled no later than Running (a VMI first seen already Running was
 * scheduled by then).
 */
static void tidy(struct model *m, struct episode *e)
{
    if ((e->reached & (1u << M_RUNNING)) && !(e->reached & (1u << M_SCHEDULED)))
        reach(e, M_SCHEDULED, &e->at[M_RUNNING]);
    for (int k = 0; k < M_COUNT; k++) {
        int64_t t = e->at[k].mono_ns;

        if (!(e->reached & (1u << k)))
            continue;
        if ((e->has_t0 && t < e->t0.mono_ns) ||
            (k != M_VMI_CREATED && k != M_VM_RUNNING && t < e->at[M_VMI_CREATED].mono_ns)) {
            e->reached &= ~(1u << k);
            m->dropped_milestones++;
        }
    }
}

const char *episode_failure(const struct episode *e)
{
    if (e->reached & (1u << M_READY))
        return NULL;
    return e->vm_failure[0] ? e->vm_failure : e->vmi_failed ? "Failed" : NULL;
}

/* The end of the phase named name that was under way at from, if it ended
   before until; else until. */
static int64_t phase_end_before(const struct model *m, const char *name, int64_t from,
                                int64_t until)
{
    for (size_t i = 0; i < m->n_phases; i++) {
        const struct phase_span *p = &m->phases[i];

        if (p->ended && strcmp(p->name, name) == 0 && p->begin.mono_ns <= from &&
            p->end.mono_ns >= from && p->end.mono_ns < until)
            until = p->end.mono_ns;
    }
    return until;
}

/*
 * What the VM's printableStatus says of episode e, from its start (or first
 * sight) to the end of its phase, our stop request or the next VMI's first
 * sight, whichever comes first: when it became Running, and the last
 * status it showed (by time; the file need not be in time order).
 */
static void vm_statuses(const struct model *m, struct episode *e, const struct vmrec *v,
                        int64_t next)
{
    int64_t fs = first_seen(e), from = e->has_t0 && e->t0.mono_ns < fs ? e->t0.mono_ns : fs;
    int64_t until = e->has_stop && e->stop_t0.mono_ns < next ? e->stop_t0.mono_ns : next;
    const struct vmstat *last = NULL, *failure = NULL;

    until = phase_end_before(m, e->phase, from, until); /* not the cleanup after it */

    for (size_t k = 0; k < v->n_st; k++) {
        const struct vmstat *s = &v->st[k];

        if (s->t.mono_ns < from || s->t.mono_ns >= until)
            continue;
        if (strcmp(s->status, "Running") == 0)
            reach(e, M_VM_RUNNING, &s->t);
        if (!last || s->t.mono_ns >= last->t.mono_ns)
            last = s;
        if (track_vm_status_failed(s->status) && (!failure || s->t.mono_ns >= failure->t.mono_ns))
            failure = s;
    }
    if (last)
        snprintf(e->vm_status, sizeof(e->vm_status), "%s", last->status);
    if (failure)
        snprintf(e->vm_failure, sizeof(e->vm_failure), "%s", failure->status);
}

static int match_vm(void *ctx, const char *key, void *value)
{
    struct model *m = ctx;
    struct vmrec *v = value;
    int64_t after = INT64_MIN;
    enum milestone goal = m->kinds[EV_PROBE] > 0 ? M_READY : M_RUNNING;

    if (v->n_eps > 1)
        qsort(v->eps, v->n_eps, sizeof(*v->eps), cmp_first_seen);
    for (size_t i = 0; i < v->n_eps; i++) {
        struct episode *e = v->eps[i], *prev = i ? v->eps[i - 1] : NULL;
        int64_t fs = first_seen(e), next = i + 1 < v->n_eps ? first_seen(v->eps[i + 1]) : INT64_MAX;
        struct req *r = latest(&v->starts, after, fs, 0), *s;

        if (r) {
            r->used = 1;
            e->has_t0 = 1;
            e->t0 = r->t;
            if (r->phase[0])
                snprintf(e->phase, sizeof(e->phase), "%s", r->phase);
        } else if (prev && prev->has_t0 && !(prev->reached & (1u << goal)) && !prev->has_stop &&
                   strcmp(prev->phase, e->phase) == 0) {
            /* KubeVirt replaced a VMI that failed, with no request of ours: the same start */
            e->has_t0 = 1;
            e->t0 = prev->t0;
            prev->superseded = 1;
        }
        if (e->gone) {
            s = latest(&v->stops, fs,
                       e->gone_at.mono_ns == INT64_MAX ? INT64_MAX : e->gone_at.mono_ns + 1, 0);
            if (s) {
                e->has_stop = 1;
                e->stop_t0 = s->t;
            }
        } else if ((s = latest(&v->stops, fs, next, 1)) && strcmp(s->phase, "stop") == 0) {
            e->has_stop = 1; /* stopped by us, never gone: censored */
            e->stop_t0 = s->t;
        }
        vm_statuses(m, e, v, next);
        tidy(m, e);
        after = fs;
    }
    /* starts that took effect (2xx) but produced no VMI before the next start */
    for (size_t i = 0; i < v->starts.n; i++) {
        const struct req *r = &v->starts.v[i];
        int64_t until = INT64_MAX;
        int followed = 0;

        if (r->used || !r->ok)
            continue;
        for (size_t k = 0; k < v->starts.n; k++)
            if (v->starts.v[k].ok && v->starts.v[k].t.mono_ns > r->t.mono_ns &&
                v->starts.v[k].t.mono_ns < until)
                until = v->starts.v[k].t.mono_ns;
        for (size_t k = 0; k < v->n_eps && !followed; k++)
            followed = first_seen(v->eps[k]) >= r->t.mono_ns && first_seen(v->eps[k]) < until;
        if (!followed && add_vmiless(m, key, r) < 0)
            return -1;
    }
    return 0;
}

static int cmp_marks(const void *a, const void *b)
{
    const struct mark *x = a, *y = b;

    if (x->t.mono_ns != y->t.mono_ns)
        return x->t.mono_ns < y->t.mono_ns ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* The phases' spans, from their begin and end marks in time order (lines need not be). */
static int build_spans(struct model *m)
{
    struct model_priv *pv = m->priv;

    if (pv->n_marks > 1)
        qsort(pv->marks, pv->n_marks, sizeof(*pv->marks), cmp_marks);
    for (size_t i = 0; i < pv->n_marks; i++) {
        const struct mark *k = &pv->marks[i];
        struct phase_span *p;

        if (k->begin) {
            p = realloc(m->phases, (m->n_phases + 1) * sizeof(*p));
            if (!p)
                return -1;
            m->phases = p;
            p = &m->phases[m->n_phases++];
            memset(p, 0, sizeof(*p));
            snprintf(p->name, sizeof(p->name), "%s", k->name);
            p->begin = k->t;
            continue;
        }
        for (size_t j = m->n_phases; j-- > 0;) {
            p = &m->phases[j];
            if (!p->ended && strcmp(p->name, k->name) == 0) {
                p->ended = 1;
                p->end = k->t;
                snprintf(p->status, sizeof(p->status), "%s", k->status);
                break;
            }
        }
    }
    return 0;
}

/*
 * The phase under way at a time (the last one begun by then), "setup" before
 * the first: where an episode without a request of ours, or a DataVolume,
 * belongs by its first sight.
 */
static void phase_at(const struct model *m, int64_t mono_ns, char phase[16])
{
    snprintf(phase, 16, "setup");
    for (size_t i = 0; i < m->n_phases; i++)
        if (m->phases[i].begin.mono_ns <= mono_ns)
            snprintf(phase, 16, "%s", m->phases[i].name);
}

int model_finish(struct model *m, struct vs_error *err)
{
    if (build_spans(m) < 0)
        return vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory");
    for (struct episode *e = m->first; e; e = e->next)
        phase_at(m, e->at[M_VMI_CREATED].mono_ns, e->phase);
    for (size_t i = 0; i < m->n_dvs; i++)
        phase_at(m, m->dvs[i].seen.mono_ns, m->dvs[i].phase);
    for (size_t i = 0; i < m->priv->n_early; i++) {
        const struct early_probe *p = &m->priv->early[i];
        struct episode *e = strmap_get(m->priv->uids, p->uid);

        if (e)
            probe_result(e, p->result, &p->t);
        else
            m->unmatched_probes++;
    }
    if (strmap_each(m->priv->vms, match_vm, m) != 0)
        return vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory");
    return 0;
}
