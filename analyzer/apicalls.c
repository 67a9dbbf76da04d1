#include "apicalls.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csvout.h"
#include "promsample.h"
#include "strmap.h"

static const char *const families[] = {
    "apiserver_request_total",
    "kubevirt_rest_client_requests_total",
    "rest_client_requests_total",
};
#define FAMILY_KUBEVIRT 1
#define FAMILY_PLAIN 2

/* A growable list of strings (owned). */
struct strlist {
    char **v;
    size_t n, cap;
};

enum src_state {
    SRC_NEW,         /* no begin scrape yet */
    SRC_BEGUN,       /* begin values kept, waiting for the end */
    SRC_DONE,        /* counts computed */
    SRC_UNAVAILABLE, /* reason says why */
};

struct source {
    char *name;
    enum src_state state;
    char reason[512];
    struct strmap *begin;  /* series -> double *, SRC_BEGUN */
    struct strmap *counts; /* count name -> double *, SRC_DONE */
    struct strlist resets, only_at_end;
    struct source *next;
};

struct phase {
    char *name;
    int seen;         /* has events (not only told its VMs) */
    int64_t first_ns; /* mono_ns of its earliest event: phases are shown in time order */
    size_t total, failed, retried, throttled;
    struct strmap *by_vr; /* "<verb> <what>" -> double * */
    int has_vms;
    size_t vms;
    struct source *sources;
};

struct apicalls {
    struct phase **phases;
    size_t n, cap;
};

static int oom(struct vs_error *err)
{
    return vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory");
}

/* --- small tables ---------------------------------------------------------- */

static int list_add(struct strlist *l, const char *s)
{
    char *copy;

    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        char **v = realloc(l->v, cap * sizeof(*v));

        if (!v)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    if (!(copy = strdup(s)))
        return -1;
    l->v[l->n++] = copy;
    return 0;
}

static void list_release(struct strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static void list_sort(struct strlist *l)
{
    if (l->n)
        qsort(l->v, l->n, sizeof(*l->v), cmp_str);
}

static int free_value(void *ctx, const char *key, void *value)
{
    (void)ctx;
    (void)key;
    free(value);
    return 0;
}

/* Free a map of malloc'd values. NULL ok. */
static void map_free(struct strmap *m)
{
    if (m)
        strmap_each(m, free_value, NULL);
    strmap_free(m);
}

/* Add n to the double counter key of m (created at 0). */
static int count_add(struct strmap *m, const char *key, double n)
{
    double *v = strmap_get(m, key);

    if (!v) {
        if (!(v = calloc(1, sizeof(*v))) || strmap_put(m, key, v) < 0) {
            free(v);
            return -1;
        }
    }
    *v += n;
    return 0;
}

/* Replace the value of key by a new double x. */
static int value_put(struct strmap *m, const char *key, double x)
{
    double *v = malloc(sizeof(*v)), *old = strmap_get(m, key);

    if (!v)
        return -1;
    *v = x;
    if (strmap_put(m, key, v) < 0) {
        free(v);
        return -1;
    }
    free(old);
    return 0;
}

struct keys {
    const char **v;
    size_t n;
};

static int collect_key(void *ctx, const char *key, void *value)
{
    struct keys *k = ctx;

    (void)value;
    k->v[k->n++] = key;
    return 0;
}

/* The keys of m, sorted (the array is the caller's to free, the keys m's). -1 on ENOMEM. */
static int sorted_keys(const struct strmap *m, struct keys *k)
{
    k->n = 0;
    if (!(k->v = malloc((strmap_count(m) + 1) * sizeof(*k->v))))
        return -1;
    strmap_each(m, collect_key, k);
    qsort(k->v, k->n, sizeof(*k->v), cmp_str);
    return 0;
}

static double map_value(const struct strmap *m, const char *key)
{
    const double *v = strmap_get(m, key);

    return v ? *v : 0;
}

/* --- phases and sources ------------------------------------------------------ */

struct apicalls *apicalls_new(void)
{
    return calloc(1, sizeof(struct apicalls));
}

static void source_clear(struct source *s)
{
    map_free(s->begin);
    map_free(s->counts);
    s->begin = s->counts = NULL;
    list_release(&s->resets);
    list_release(&s->only_at_end);
    s->state = SRC_NEW;
    s->reason[0] = '\0';
}

static void phase_free(struct phase *p)
{
    struct source *s, *next;

    for (s = p->sources; s; s = next) {
        next = s->next;
        source_clear(s);
        free(s->name);
        free(s);
    }
    map_free(p->by_vr);
    free(p->name);
    free(p);
}

void apicalls_free(struct apicalls *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n; i++)
        phase_free(a->phases[i]);
    free(a->phases);
    free(a);
}

/* The phase named name, created when absent; NULL on ENOMEM. */
static struct phase *phase_get(struct apicalls *a, const char *name)
{
    struct phase *p;

    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->phases[i]->name, name) == 0)
            return a->phases[i];
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 8;
        struct phase **v = realloc(a->phases, cap * sizeof(*v));

        if (!v)
            return NULL;
        a->phases = v;
        a->cap = cap;
    }
    if (!(p = calloc(1, sizeof(*p))) || !(p->name = strdup(name)) || !(p->by_vr = strmap_new())) {
        if (p)
            free(p->name);
        free(p);
        return NULL;
    }
    a->phases[a->n++] = p;
    return p;
}

/*
 * The phase of an event at mono_ns, created when new; ordered by its
 * earliest event (lines need not be in time order). Requests without a
 * phase were made before the first one (the collector's setup).
 */
static struct phase *phase_seen(struct apicalls *a, const char *name, int64_t mono_ns)
{
    struct phase *p = phase_get(a, name && name[0] ? name : "setup");

    if (p && (!p->seen || mono_ns < p->first_ns)) {
        p->seen = 1;
        p->first_ns = mono_ns;
    }
    return p;
}

static struct source *source_get(struct phase *p, const char *name)
{
    struct source *s, **tail = &p->sources;

    for (s = p->sources; s; s = s->next) {
        if (strcmp(s->name, name) == 0)
            return s;
        tail = &s->next;
    }
    if (!(s = calloc(1, sizeof(*s))) || !(s->name = strdup(name))) {
        free(s);
        return NULL;
    }
    *tail = s;
    return s;
}

void apicalls_set_phase_vms(struct apicalls *a, const char *phase, size_t vms)
{
    struct phase *p = phase_get(a, phase);

    if (p) {
        p->has_vms = 1;
        p->vms = vms;
    }
}

/* --- the collector's requests ------------------------------------------------ */

static const char *jstr(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsString(v) && v->valuestring ? v->valuestring : "";
}

static double jnum(const cJSON *o, const char *key, double dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

/* "<verb> <resource>[/<subresource>]", or "<verb> <path>" for a non-resource request. */
static int request_key(const cJSON *j, struct vbuf *key)
{
    const char *verb = jstr(j, "verb"), *resource = jstr(j, "resource");
    const char *sub = jstr(j, "subresource"), *path = jstr(j, "path");

    vbuf_init(key, strlen(verb) + strlen(resource) + strlen(sub) + strlen(path) + 8);
    if (resource[0])
        return vbuf_addf(key, "%s %s%s%s", verb, resource, sub[0] ? "/" : "", sub);
    return vbuf_addf(key, "%s %s", verb, path[0] ? path : "-");
}

static int add_request(struct apicalls *a, const cJSON *j, int64_t t, struct vs_error *err)
{
    struct phase *p = phase_seen(a, jstr(j, "phase"), t);
    double status = jnum(j, "status", 0);
    struct vbuf key;
    int rc;

    if (!p)
        return oom(err);
    rc = request_key(j, &key) < 0 ? -1 : count_add(p->by_vr, key.data, 1);
    vbuf_release(&key);
    if (rc < 0)
        return oom(err);
    p->total++;
    p->failed += status == 0 || status >= 400;
    p->throttled += status == 429;
    p->retried += jnum(j, "attempt", 1) > 1;
    return 0;
}

/* --- the scrapes ----------------------------------------------------------- */

/* The family of sample name s, or -1 when it is none of ours. */
static int family_of(const char *name)
{
    for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
        if (strcmp(name, families[i]) == 0)
            return (int)i;
    return -1;
}

/* The count name of a sample into out ("" when it has no verb or resource). */
static int count_name(const struct promsample *s, struct vbuf *out)
{
    const char *verb = promsample_label(s, "verb"), *res = promsample_label(s, "resource");

    vbuf_reset(out);
    if (!verb || !res || !verb[0] || !res[0])
        return 0;
    if (strcmp(verb, "POST") == 0)
        verb = "CREATE";
    else if (strcmp(verb, "PUT") == 0)
        verb = "UPDATE";
    return vbuf_addf(out, "%s-%s-count", verb, res);
}

/* An end value, with the name it counts in. */
struct end_value {
    double value;
    int family;
    char name[];
};

static int put_end(struct strmap *m, const char *series, double x, int family, const char *name)
{
    size_t n = strlen(name) + 1;
    struct end_value *v = malloc(sizeof(*v) + n), *old = strmap_get(m, series);

    if (!v)
        return -1;
    v->value = x;
    v->family = family;
    memcpy(v->name, name, n);
    if (strmap_put(m, series, v) < 0) {
        free(v);
        return -1;
    }
    free(old);
    return 0;
}

struct scrape {
    const char *at;      /* "begin" or "end" */
    struct strmap *into; /* series -> double * (begin) or struct end_value * (end) */
    int has_kubevirt;    /* end: a kubevirt_rest_client_requests_total series counts */
    char *reason;        /* filled when the text does not parse */
    size_t reason_size;
};

/* One sample into sc->into, if it can count. */
static int keep_sample(struct scrape *sc, const struct promsample *s, struct vbuf *series,
                       struct vbuf *name)
{
    int family = family_of(s->name);

    if (family < 0)
        return 0;
    if (count_name(s, name) < 0)
        return -1;
    if (name->len == 0)
        return 0;
    vbuf_reset(series);
    if (promsample_series(s, series) < 0)
        return -1;
    if (strcmp(sc->at, "begin") == 0)
        return value_put(sc->into, series->data, s->value);
    sc->has_kubevirt |= family == FAMILY_KUBEVIRT;
    return put_end(sc->into, series->data, s->value, family, name->data);
}

/* Read a scrape's text: 0, 1 when it does not parse (sc->reason says why), -1 on ENOMEM. */
static int read_scrape(struct scrape *sc, const char *text)
{
    size_t len = strlen(text);
    struct promsample_parser *p = promsample_parser_new(text, len);
    /* a canonical series is no longer than its line; a count name, 7 bytes more */
    struct vbuf series = VBUF_INIT(len + 64), name = VBUF_INIT(len + 64);
    struct promsample s;
    struct vs_error e = {0};
    enum promsample_status st = PROMSAMPLE_ERROR;
    int rc = -1;

    if (!p)
        return -1;
    while ((st = promsample_next(p, &s, &e)) == PROMSAMPLE_SAMPLE)
        if (keep_sample(sc, &s, &series, &name) < 0)
            goto out;
    if (st == PROMSAMPLE_ERROR && e.code == ENOMEM)
        goto out;
    rc = st == PROMSAMPLE_ERROR;
    if (rc)
        snprintf(sc->reason, sc->reason_size, "%s scrape: %ld:%ld: %s", sc->at, e.line, e.col,
                 e.msg);
out:
    promsample_parser_free(p);
    vbuf_release(&series);
    vbuf_release(&name);
    return rc;
}

struct delta_ctx {
    struct source *src;
    int skip_plain; /* rest_client_requests_total: the scrape has KubeVirt's own */
};

/* One end series: its delta into the counts (after Prometheus' increase()). */
static int add_delta(void *ctx, const char *series, void *value)
{
    struct delta_ctx *c = ctx;
    const struct end_value *e = value;
    const double *b = strmap_get(c->src->begin, series);
    double d = e->value;

    if ((c->skip_plain && e->family == FAMILY_PLAIN) || !isfinite(e->value) || (b && !isfinite(*b)))
        return 0;
    if (b && e->value >= *b)
        d = e->value - *b;
    else if (b && list_add(&c->src->resets, series) < 0)
        return -1;
    if (d < 1)
        return 0;
    if (!b && list_add(&c->src->only_at_end, series) < 0)
        return -1;
    return count_add(c->src->counts, e->name, d);
}

/* A scrape that failed: not 200, or no text. */
static int scrape_failed(const cJSON *j)
{
    return jnum(j, "status", 0) != 200 || jstr(j, "text")[0] == '\0';
}

/* The at ("begin" or "end") scrape failed: s is unavailable, saying how. */
static void scrape_unavailable(struct source *s, const char *at, const cJSON *j)
{
    const char *error = jstr(j, "error");
    double status = jnum(j, "status", 0);

    map_free(s->begin);
    s->begin = NULL;
    s->state = SRC_UNAVAILABLE;
    if (status != 200)
        snprintf(s->reason, sizeof(s->reason), "%s scrape failed: status %.0f%s%s", at, status,
                 error[0] ? ": " : "", error);
    else
        snprintf(s->reason, sizeof(s->reason), "%s scrape failed: empty text", at);
}

static int begin_scrape(struct source *src, const cJSON *j)
{
    struct scrape sc = {"begin", NULL, 0, src->reason, sizeof(src->reason)};
    int rc;

    source_clear(src);
    if (scrape_failed(j)) {
        scrape_unavailable(src, "begin", j);
        return 0;
    }
    if (!(sc.into = src->begin = strmap_new()))
        return -1;
    if ((rc = read_scrape(&sc, jstr(j, "text"))) < 0)
        return -1;
    if (rc > 0) {
        map_free(src->begin);
        src->begin = NULL;
        src->state = SRC_UNAVAILABLE;
        return 0;
    }
    src->state = SRC_BEGUN;
    return 0;
}

/* The end scrape of a begun source: its counts, or why there are none. */
static int end_counts(struct source *src, const cJSON *j)
{
    struct scrape sc = {"end", strmap_new(), 0, src->reason, sizeof(src->reason)};
    struct delta_ctx c = {src, 0};
    int rc = -1;

    if (!sc.into || (rc = read_scrape(&sc, jstr(j, "text"))) < 0)
        goto out;
    if (rc > 0) {
        src->state = SRC_UNAVAILABLE;
        rc = 0;
        goto out;
    }
    c.skip_plain = sc.has_kubevirt;
    if (!(src->counts = strmap_new()) || strmap_each(sc.into, add_delta, &c) != 0) {
        rc = -1;
        goto out;
    }
    list_sort(&src->resets);
    list_sort(&src->only_at_end);
    src->state = SRC_DONE;
out:
    map_free(sc.into);
    map_free(src->begin);
    src->begin = NULL;
    return rc;
}

static int end_scrape(struct source *src, const cJSON *j)
{
    switch (src->state) {
    case SRC_UNAVAILABLE:
        return 0; /* the first reason stays */
    case SRC_NEW:
        snprintf(src->reason, sizeof(src->reason), "no begin scrape");
        src->state = SRC_UNAVAILABLE;
        return 0;
    case SRC_DONE:
        source_clear(src);
        snprintf(src->reason, sizeof(src->reason), "more than one end scrape");
        src->state = SRC_UNAVAILABLE;
        return 0;
    case SRC_BEGUN:
        break;
    }
    if (scrape_failed(j)) {
        scrape_unavailable(src, "end", j);
        return 0;
    }
    return end_counts(src, j);
}

static int add_scrape(struct apicalls *a, const cJSON *j, int64_t t, struct vs_error *err)
{
    const char *at = jstr(j, "at");
    struct phase *p;
    struct source *src;
    int rc;

    if (strcmp(at, "begin") != 0 && strcmp(at, "end") != 0)
        return 0;
    if (!(p = phase_seen(a, jstr(j, "phase"), t)) || !(src = source_get(p, jstr(j, "source"))))
        return oom(err);
    rc = at[0] == 'b' ? begin_scrape(src, j) : end_scrape(src, j);
    if (rc < 0) {
        source_clear(src);
        snprintf(src->reason, sizeof(src->reason), "out of memory");
        src->state = SRC_UNAVAILABLE;
        return oom(err);
    }
    return 0;
}

int apicalls_add(struct apicalls *a, const struct event *ev, struct vs_error *err)
{
    if (ev->kind == EV_API_REQUEST)
        return add_request(a, ev->json, ev->mono_ns, err);
    if (ev->kind == EV_METRICS_SCRAPE)
        return add_scrape(a, ev->json, ev->mono_ns, err);
    return 0;
}

/* --- output ------------------------------------------------------------------- */

static int cmp_phase_order(const void *x, const void *y)
{
    const struct phase *p = *(const struct phase *const *)x, *q = *(const struct phase *const *)y;

    if (p->first_ns != q->first_ns)
        return p->first_ns < q->first_ns ? -1 : 1;
    return strcmp(p->name, q->name);
}

/* The phases that had events, in order (array the caller's to free). -1 on ENOMEM. */
static int ordered_phases(const struct apicalls *a, const struct phase ***out, size_t *n)
{
    const struct phase **v = malloc((a->n + 1) * sizeof(*v));

    if (!v)
        return -1;
    *n = 0;
    for (size_t i = 0; i < a->n; i++)
        if (a->phases[i]->seen)
            v[(*n)++] = a->phases[i];
    qsort(v, *n, sizeof(*v), cmp_phase_order);
    *out = v;
    return 0;
}

static int cmp_source(const void *x, const void *y)
{
    return strcmp((*(const struct source *const *)x)->name,
                  (*(const struct source *const *)y)->name);
}

/* The sources of p sorted by name (array the caller's to free). -1 on ENOMEM. */
static int sorted_sources(const struct phase *p, const struct source ***out, size_t *n)
{
    const struct source **v;
    size_t k = 0;

    for (const struct source *s = p->sources; s; s = s->next)
        k++;
    if (!(v = malloc((k + 1) * sizeof(*v))))
        return -1;
    k = 0;
    for (const struct source *s = p->sources; s; s = s->next)
        v[k++] = s;
    qsort(v, k, sizeof(*v), cmp_source);
    *out = v;
    *n = k;
    return 0;
}

/* An object of m's counters, sorted by key. */
static cJSON *counts_json(const struct strmap *m)
{
    cJSON *o = cJSON_CreateObject();
    struct keys k;

    if (!o || sorted_keys(m, &k) < 0) {
        cJSON_Delete(o);
        return NULL;
    }
    for (size_t i = 0; i < k.n; i++)
        if (!cJSON_AddNumberToObject(o, k.v[i], map_value(m, k.v[i]))) {
            cJSON_Delete(o);
            o = NULL;
            break;
        }
    free(k.v);
    return o;
}

/* The sum of a counts object's values (all requests the source counted). */
static double counts_total(const cJSON *counts)
{
    const cJSON *c;
    double t = 0;

    cJSON_ArrayForEach(c, counts) t += c->valuedouble;
    return t;
}

/* An array of l's strings. */
static cJSON *list_json(const struct strlist *l)
{
    cJSON *arr;

    if (!(arr = cJSON_CreateArray()))
        return NULL;
    for (size_t i = 0; i < l->n; i++) {
        cJSON *s = cJSON_CreateString(l->v[i]);

        if (!s || !cJSON_AddItemToArray(arr, s)) {
            cJSON_Delete(s);
            cJSON_Delete(arr);
            return NULL;
        }
    }
    return arr;
}

/* Add item to o under key; false (and item freed) on failure. */
static int put(cJSON *o, const char *key, cJSON *item)
{
    if (!item || !cJSON_AddItemToObject(o, key, item)) {
        cJSON_Delete(item);
        return 0;
    }
    return 1;
}

static cJSON *source_json(const struct source *s)
{
    cJSON *o = cJSON_CreateObject();
    int ok = o != NULL;

    if (ok && s->state != SRC_DONE) {
        ok = put(o, "status", cJSON_CreateString("unavailable")) &&
             put(o, "reason",
                 cJSON_CreateString(s->state == SRC_BEGUN ? "no end scrape" : s->reason));
    } else if (ok) {
        cJSON *counts = counts_json(s->counts);

        ok = put(o, "status", cJSON_CreateString("ok")) && put(o, "counts", counts) &&
             put(o, "total", cJSON_CreateNumber(counts_total(counts))) &&
             put(o, "resets", cJSON_CreateNumber((double)s->resets.n)) &&
             put(o, "reset_series", list_json(&s->resets)) &&
             put(o, "only_at_end", cJSON_CreateNumber((double)s->only_at_end.n)) &&
             put(o, "only_at_end_series", list_json(&s->only_at_end));
    }
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static cJSON *metrics_json(const struct phase *p)
{
    cJSON *o = cJSON_CreateObject();
    const struct source **v = NULL;
    size_t n = 0;

    if (!o || sorted_sources(p, &v, &n) < 0) {
        cJSON_Delete(o);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (!put(o, v[i]->name, source_json(v[i]))) {
            cJSON_Delete(o);
            o = NULL;
            break;
        }
    free(v);
    return o;
}

static cJSON *collector_json(const struct phase *p)
{
    cJSON *o = cJSON_CreateObject();
    int ok = o != NULL;

    ok = ok && put(o, "total", cJSON_CreateNumber((double)p->total)) &&
         put(o, "failed", cJSON_CreateNumber((double)p->failed)) &&
         put(o, "retried", cJSON_CreateNumber((double)p->retried)) &&
         put(o, "throttled_429", cJSON_CreateNumber((double)p->throttled)) &&
         put(o, "per_vm",
             p->has_vms && p->vms ? cJSON_CreateNumber((double)p->total / (double)p->vms)
                                  : cJSON_CreateNull()) &&
         put(o, "by_verb_resource", counts_json(p->by_vr));
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

cJSON *apicalls_json(const struct apicalls *a)
{
    cJSON *o = cJSON_CreateObject();
    const struct phase **v = NULL;
    size_t n = 0;

    if (!o || ordered_phases(a, &v, &n) < 0) {
        cJSON_Delete(o);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        cJSON *ph = cJSON_CreateObject();

        if (!put(o, v[i]->name, ph) || !put(ph, "collector", collector_json(v[i])) ||
            !put(ph, "metrics", metrics_json(v[i]))) {
            cJSON_Delete(o);
            o = NULL;
            break;
        }
    }
    free(v);
    return o;
}

/* --- CSV ---------------------------------------------------------------------- */

static void csv_row(FILE *f, const char *phase, const char *origin, const char *source,
                    const char *name, double count)
{
    csvout_str(f, 1, phase);
    csvout_str(f, 0, origin);
    csvout_str(f, 0, source);
    csvout_str(f, 0, name);
    csvout_num(f, 0, count);
    csvout_end(f);
}

/* The rows of a name -> count map, sorted by name. -1 on ENOMEM. */
static int csv_counts(FILE *f, const char *phase, const char *origin, const char *source,
                      const struct strmap *m)
{
    struct keys k;

    if (sorted_keys(m, &k) < 0)
        return -1;
    for (size_t i = 0; i < k.n; i++)
        csv_row(f, phase, origin, source, k.v[i], map_value(m, k.v[i]));
    free(k.v);
    return 0;
}

/* The collector's rows of p: its totals and its requests by verb, sorted by name together. */
static int csv_collector(FILE *f, const struct phase *p)
{
    struct strmap *m = strmap_new();
    struct keys k = {NULL, 0};
    int rc = -1;

    if (!m || sorted_keys(p->by_vr, &k) < 0)
        goto out;
    for (size_t i = 0; i < k.n; i++)
        if (count_add(m, k.v[i], map_value(p->by_vr, k.v[i])) < 0)
            goto out;
    if (count_add(m, "total", (double)p->total) < 0 ||
        count_add(m, "failed", (double)p->failed) < 0 ||
        count_add(m, "retried", (double)p->retried) < 0 ||
        count_add(m, "throttled_429", (double)p->throttled) < 0)
        goto out;
    rc = csv_counts(f, p->name, "collector", "", m);
out:
    free(k.v);
    map_free(m);
    return rc;
}

static int csv_phase(FILE *f, const struct phase *p)
{
    const struct source **v = NULL;
    size_t n = 0;
    int rc = 0;

    if (csv_collector(f, p) < 0 || sorted_sources(p, &v, &n) < 0)
        return -1;
    for (size_t i = 0; i < n && rc == 0; i++)
        if (v[i]->state == SRC_DONE)
            rc = csv_counts(f, p->name, "metrics", v[i]->name, v[i]->counts);
    free(v);
    return rc;
}

int apicalls_write_csv(const struct apicalls *a, FILE *f, struct vs_error *err)
{
    static const char *const header[] = {"phase", "origin", "source", "name", "count"};
    const struct phase **v = NULL;
    size_t n = 0;
    int rc = 0;

    if (ordered_phases(a, &v, &n) < 0)
        return oom(err);
    for (size_t i = 0; i < sizeof(header) / sizeof(header[0]); i++)
        csvout_str(f, i == 0, header[i]);
    csvout_end(f);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = csv_phase(f, v[i]);
    free(v);
    if (rc < 0)
        return oom(err);
    if (ferror(f))
        return vs_error_setc(err, errno ? errno : EIO, NULL, 0, 0, "write error: %s",
                             strerror(errno ? errno : EIO));
    return 0;
}

/* --- terminal ----------------------------------------------------------------- */

#define TOP_REQUESTS 5

struct ranked {
    const char *key;
    double n;
};

static int cmp_ranked(const void *x, const void *y)
{
    const struct ranked *a = x, *b = y;

    if (a->n != b->n)
        return a->n < b->n ? 1 : -1;
    return strcmp(a->key, b->key);
}

static void print_collector(const struct phase *p, FILE *out)
{
    struct keys k;
    struct ranked *r;

    fprintf(out, "  %s: %zu requests by the collector (%zu failed, %zu retried, %zu throttled 429)",
            p->name, p->total, p->failed, p->retried, p->throttled);
    if (p->has_vms && p->vms)
        fprintf(out, ", %.2f per VM", (double)p->total / (double)p->vms);
    fputc('\n', out);
    if (sorted_keys(p->by_vr, &k) < 0)
        return;
    if ((r = malloc((k.n + 1) * sizeof(*r))) != NULL) {
        for (size_t i = 0; i < k.n; i++)
            r[i] = (struct ranked){k.v[i], map_value(p->by_vr, k.v[i])};
        qsort(r, k.n, sizeof(*r), cmp_ranked);
        for (size_t i = 0; i < k.n && i < TOP_REQUESTS; i++)
            fprintf(out, "%s%.0f %s", i ? ", " : "    top: ", r[i].n, r[i].key);
        if (k.n > TOP_REQUESTS)
            fprintf(out, " (+%zu more)", k.n - TOP_REQUESTS);
        if (k.n)
            fputc('\n', out);
        free(r);
    }
    free(k.v);
}

static void print_source(const struct source *s, FILE *out)
{
    size_t shown = 0;

    fprintf(out, "    %s: ", s->name);
    if (s->state != SRC_DONE) {
        fprintf(out, "unavailable (%s)\n", s->state == SRC_BEGUN ? "no end scrape" : s->reason);
        return;
    }
    {
        struct keys k;
        struct ranked *r;

        /* the largest counts first */
        if (sorted_keys(s->counts, &k) == 0) {
            if ((r = malloc((k.n + 1) * sizeof(*r))) != NULL) {
                for (size_t i = 0; i < k.n; i++)
                    r[i] = (struct ranked){k.v[i], map_value(s->counts, k.v[i])};
                qsort(r, k.n, sizeof(*r), cmp_ranked);
                for (; shown < k.n && shown < TOP_REQUESTS; shown++)
                    fprintf(out, "%s%s %.0f", shown ? ", " : "", r[shown].key, r[shown].n);
                if (k.n > shown)
                    fprintf(out, " (+%zu more)", k.n - shown);
                free(r);
            }
            free(k.v);
        }
    }
    if (shown == 0)
        fputs("no requests counted", out);
    if (s->resets.n)
        fprintf(out, "; %zu counter reset%s (counts are lower bounds)", s->resets.n,
                s->resets.n == 1 ? "" : "s");
    fputc('\n', out);
}

void apicalls_print(const struct apicalls *a, FILE *out)
{
    const struct phase **v = NULL;
    size_t n = 0;

    if (ordered_phases(a, &v, &n) < 0)
        return;
    fputs("API calls\n", out);
    for (size_t i = 0; i < n; i++) {
        const struct source **s = NULL;
        size_t ns = 0;

        print_collector(v[i], out);
        if (sorted_sources(v[i], &s, &ns) < 0)
            continue;
        for (size_t j = 0; j < ns; j++)
            print_source(s[j], out);
        free(s);
    }
    if (n == 0)
        fputs("  (no api_request or metrics_scrape events)\n", out);
    free(v);
}
