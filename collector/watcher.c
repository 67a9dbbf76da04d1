#include "watcher.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linebuf.h"

#define LINE_MAX_BYTES ((size_t)16 << 20)
#define WATCH_TIMEOUT_S 300
#define LIST_PAGE 500
#define RETRY_NS 1000000000LL

struct entry {
    char *uid, *ns, *name;
    struct track_state st;
    int mark;
    struct entry *next;
};

struct watcher {
    struct kclient *c;
    struct evloop *loop;
    enum track_res res;
    char *selector_q; /* URL-encoded */
    char base[128];   /* "/apis/kubevirt.io/v1/virtualmachineinstances" */
    watch_change_fn on_change;
    watch_restart_fn on_restart;
    void *ctx;
    struct entry **buckets;
    size_t nbuckets, count;
    char rv[64];
    struct linebuf *lines;
    uint64_t stream_id;
    int stopping, expired, synced, listing;
    int expired_in_a_row; /* relists with no event between them: back off */

    unsigned restarts;
    uint64_t epoch;
    struct vs_time received; /* of the bytes being parsed */
};

static const char *const paths[TRACK_RES_COUNT] = {
    [TRACK_VM] = "/apis/kubevirt.io/v1/virtualmachines",
    [TRACK_VMI] = "/apis/kubevirt.io/v1/virtualmachineinstances",
    [TRACK_DV] = "/apis/cdi.kubevirt.io/v1beta1/datavolumes",
    [TRACK_POD] = "/api/v1/pods",
};
static const char *const groups[TRACK_RES_COUNT] = {"kubevirt.io", "kubevirt.io", "cdi.kubevirt.io",
                                                    ""};
static const char *const versions[TRACK_RES_COUNT] = {"v1", "v1", "v1beta1", "v1"};

/* ---- the table of known objects --------------------------------------------- */

static size_t slot(const struct watcher *w, const char *uid)
{
    uint64_t h = 1469598103934665603ULL;

    for (; *uid; uid++)
        h = (h ^ (unsigned char)*uid) * 1099511628211ULL;
    return (size_t)(h & (w->nbuckets - 1));
}

static struct entry *find(const struct watcher *w, const char *uid)
{
    for (struct entry *e = w->buckets[slot(w, uid)]; e; e = e->next)
        if (strcmp(e->uid, uid) == 0)
            return e;
    return NULL;
}

static void grow(struct watcher *w)
{
    size_t n = w->nbuckets * 2;
    struct entry **b = calloc(n, sizeof(*b)), **old = w->buckets;
    size_t oldn = w->nbuckets;

    if (!b)
        return;
    w->buckets = b;
    w->nbuckets = n;
    for (size_t i = 0; i < oldn; i++)
        for (struct entry *e = old[i], *next; e; e = next) {
            next = e->next;
            e->next = b[slot(w, e->uid)];
            b[slot(w, e->uid)] = e;
        }
    free(old);
}

static struct entry *insert(struct watcher *w, const char *uid, const char *ns, const char *name)
{
    struct entry *e = calloc(1, sizeof(*e));
    size_t s;

    if (!e)
        return NULL;
    e->uid = strdup(uid);
    e->ns = strdup(ns);
    e->name = strdup(name);
    if (w->count + 1 > w->nbuckets)
        grow(w);
    s = slot(w, uid);
    e->next = w->buckets[s];
    w->buckets[s] = e;
    w->count++;
    return e;
}

static void entry_free(struct entry *e)
{
    track_state_release(&e->st);
    free(e->uid);
    free(e->ns);
    free(e->name);
    free(e);
}

static void remove_entry(struct watcher *w, struct entry *e)
{
    struct entry **pp = &w->buckets[slot(w, e->uid)];

    while (*pp && *pp != e)
        pp = &(*pp)->next;
    if (*pp)
        *pp = e->next;
    w->count--;
    entry_free(e);
}

/* ---- changes ------------------------------------------------------------------ */

static int count_changes(enum track_res r, const struct track_state *a, const struct track_state *b)
{
    int n = 0;

    for (int i = 0; track_field_name(r, i); i++) {
        const char *x = a ? a->v[i] : NULL, *y = b->v[i];

        n += (x || y) && (!x || !y || strcmp(x, y) != 0);
    }
    return n;
}

/* One observed object: report it if new, changed or gone, and remember it. */
static void observe(struct watcher *w, const char *type, const char *source, const cJSON *obj)
{
    const char *uid = track_meta(obj, "uid"), *ns = track_meta(obj, "namespace");
    const char *name = track_meta(obj, "name"), *rv = track_meta(obj, "resourceVersion");
    struct entry *e;
    struct track_state now = {{0}};
    struct watch_change ch;
    int deleted = strcmp(type, "DELETED") == 0;

    if (!uid || !name)
        return;
    if (rv && !w->listing)
        snprintf(w->rv, sizeof(w->rv), "%s", rv);
    if (track_extract(w->res, obj, &now) < 0)
        return;
    e = find(w, uid);
    ch = (struct watch_change){w->res, type, source, obj, e ? &e->st : NULL, &now, 0, w->received};
    ch.changed = count_changes(w->res, ch.prev, &now);
    if (e)
        e->mark = 1;
    if (deleted) {
        w->on_change(w->ctx, &ch);
        if (e)
            remove_entry(w, e);
        track_state_release(&now);
        return;
    }
    if (!e) {
        e = insert(w, uid, ns ? ns : "", name);
        ch.type = "ADDED";
        ch.prev = NULL;
        if (e)
            e->mark = 1;
    } else {
        ch.type = "MODIFIED";
    }
    if (!ch.prev || ch.changed > 0)
        w->on_change(w->ctx, &ch);
    if (e) {
        track_state_release(&e->st);
        e->st = now;
    } else {
        track_state_release(&now);
    }
}

static void restart(struct watcher *w, const char *reason, const char *action, int status,
                    const char *message)
{
    struct watch_restart r = {w->res, reason, action, w->rv, status, message};

    w->restarts++;
    if (w->on_restart)
        w->on_restart(w->ctx, &r);
}

/* ---- list ---------------------------------------------------------------------- */

static void start_list(struct watcher *w, const char *cont);
static void start_watch(struct watcher *w);

static void retry_cb(void *ctx, void *arg, uint64_t epoch)
{
    struct watcher *w = ctx;

    if (epoch != w->epoch || w->stopping)
        return;
    if (arg)
        start_list(w, NULL);
    else
        start_watch(w);
}

static void later(struct watcher *w, int relist)
{
    sched_at(evloop_sched(w->loop), clock_mono_ns() + RETRY_NS, retry_cb, w,
             relist ? (void *)w : NULL, w->epoch);
}

/* Objects the list no longer has were deleted while we were not watching. */
static void sweep_unmarked(struct watcher *w)
{
    for (size_t i = 0; i < w->nbuckets; i++)
        for (struct entry *e = w->buckets[i], *next; e; e = next) {
            next = e->next;
            if (!e->mark) {
                cJSON *obj = cJSON_CreateObject(), *meta = cJSON_AddObjectToObject(obj, "metadata");

                cJSON_AddStringToObject(meta, "name", e->name);
                cJSON_AddStringToObject(meta, "namespace", e->ns);
                cJSON_AddStringToObject(meta, "uid", e->uid);
                cJSON_AddStringToObject(meta, "resourceVersion", w->rv);
                observe(w, "DELETED", "relist", obj);
                cJSON_Delete(obj);
            }
        }
}

static void on_list(void *ctx, const struct kresp *r)
{
    struct watcher *w = ctx;
    cJSON *doc, *item;
    const char *rv, *cont;

    if (w->stopping)
        return;
    if (r->status == 410) {
        restart(w, "expired", "relist", 410, "list continue token expired");
        start_list(w, NULL);
        return;
    }
    doc = r->status == 200 ? cJSON_ParseWithLength(r->body, r->len) : NULL;
    if (!doc) {
        restart(w, "error", "relist", r->status, r->error ? r->error : "bad list answer");
        later(w, 1);
        return;
    }
    clock_now(&w->received);

    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(doc, "items"))
    {
        observe(w, "ADDED", "relist", item);
    }

    rv = track_meta(doc, "resourceVersion");
    cont = track_meta(doc, "continue");
    if (rv && !(cont && *cont))
        snprintf(w->rv, sizeof(w->rv), "%s", rv);
    if (cont && *cont) {
        start_list(w, cont);
    } else {
        w->listing = 0;
        sweep_unmarked(w);
        w->synced = 1;
        start_watch(w);
    }
    cJSON_Delete(doc);
}

static void start_list(struct watcher *w, const char *cont)
{
    char path[2048], *cont_q = cont ? kclient_escape(cont) : NULL;
    struct kreq rq = {.method = "GET",
                      .verb = "list",
                      .group = groups[w->res],
                      .version = versions[w->res],
                      .resource = track_res_plural(w->res),
                      .path = path,
                      .retry = 1};

    if (!cont) {
        w->listing = 1;
        for (size_t i = 0; i < w->nbuckets; i++)
            for (struct entry *e = w->buckets[i]; e; e = e->next)
                e->mark = 0;
    }
    snprintf(path, sizeof(path), "%s?labelSelector=%s&limit=%d%s%s", w->base, w->selector_q,
             LIST_PAGE, cont_q ? "&continue=" : "", cont_q ? cont_q : "");
    free(cont_q);
    if (kclient_request(w->c, &rq, on_list, w, NULL) < 0)
        later(w, 1);
}

/* ---- watch --------------------------------------------------------------------- */

static int on_line(void *ctx, const char *line, size_t len)
{
    struct watcher *w = ctx;
    cJSON *ev = cJSON_ParseWithLength(line, len);
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(ev, "type");
    const cJSON *obj = cJSON_GetObjectItemCaseSensitive(ev, "object");
    int stop = 0;

    if (!cJSON_IsString(type) || !cJSON_IsObject(obj)) {
        cJSON_Delete(ev);
        return 0;
    }
    if (strcmp(type->valuestring, "BOOKMARK") == 0) {
        const char *rv = track_meta(obj, "resourceVersion");

        if (rv)
            snprintf(w->rv, sizeof(w->rv), "%s", rv);
    } else if (strcmp(type->valuestring, "ERROR") == 0) {
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(obj, "code");

        w->expired = cJSON_IsNumber(code) && code->valueint == 410;
        stop = 1; /* the server ends the stream; we decide how to go on in on_end */
    } else {
        w->expired_in_a_row = 0;
        observe(w, type->valuestring, "watch", obj);
    }

    cJSON_Delete(ev);
    return stop;
}

static int on_data(void *ctx, const char *data, size_t len)
{
    struct watcher *w = ctx;

    clock_now(&w->received);
    return linebuf_feed(w->lines, data, len, on_line, w) != 0;
}

static void on_end(void *ctx, const struct kresp *r)
{
    struct watcher *w = ctx;

    w->stream_id = 0;
    if (w->stopping)
        return;
    if (w->expired || r->status == 410) {
        w->expired = 0;
        restart(w, "expired", "relist", 410, "resourceVersion too old");
        /* a server that keeps expiring us gets a relist a second, not a flood */
        if (++w->expired_in_a_row > 1)
            later(w, 1);
        else
            start_list(w, NULL);

    } else if (r->status == 200 && !r->error) {
        restart(w, "closed", "resume", 200, NULL);
        start_watch(w);
    } else {
        restart(w, "error", "resume", r->status, r->error ? r->error : "watch failed");
        later(w, 0);
    }
}

static void start_watch(struct watcher *w)
{
    char path[2048];
    struct kreq rq = {.method = "GET",
                      .verb = "watch",
                      .group = groups[w->res],
                      .version = versions[w->res],
                      .resource = track_res_plural(w->res),
                      .path = path,
                      .timeout_ms = (WATCH_TIMEOUT_S + 60) * 1000L};

    linebuf_reset(w->lines);
    snprintf(path, sizeof(path),
             "%s?watch=1&labelSelector=%s&resourceVersion=%s&allowWatchBookmarks=true"
             "&timeoutSeconds=%d",
             w->base, w->selector_q, w->rv, WATCH_TIMEOUT_S);
    w->stream_id = kclient_stream(w->c, &rq, on_data, on_end, w, NULL);
    if (!w->stream_id)
        later(w, 0);
}

/* ---- lifecycle --------------------------------------------------------------- */

struct watcher *watcher_new(struct kclient *c, struct evloop *loop, enum track_res res,
                            const char *label_selector, watch_change_fn on_change,
                            watch_restart_fn on_restart, void *ctx, struct vs_error *err)
{
    struct watcher *w = calloc(1, sizeof(*w));

    if (!w || !(w->buckets = calloc(256, sizeof(*w->buckets))) ||
        !(w->selector_q = kclient_escape(label_selector ? label_selector : "")) ||
        !(w->lines = linebuf_new(LINE_MAX_BYTES))) {
        watcher_free(w);
        vs_error_set(err, NULL, 0, 0, "out of memory");
        return NULL;
    }
    w->nbuckets = 256;
    w->c = c;
    w->loop = loop;
    w->res = res;
    snprintf(w->base, sizeof(w->base), "%s", paths[res]);
    w->on_change = on_change;
    w->on_restart = on_restart;
    w->ctx = ctx;
    return w;
}

int watcher_start(struct watcher *w, struct vs_error *err)
{
    (void)err;
    w->stopping = 0;
    w->epoch++;
    start_list(w, NULL);
    return 0;
}

void watcher_stop(struct watcher *w)
{
    w->stopping = 1;
    w->epoch++;
    if (w->stream_id)
        kclient_cancel(w->c, w->stream_id);
}

void watcher_free(struct watcher *w)
{
    if (!w)
        return;
    for (size_t i = 0; w->buckets && i < w->nbuckets; i++)
        for (struct entry *e = w->buckets[i], *next; e; e = next) {
            next = e->next;
            entry_free(e);
        }
    free(w->buckets);
    free(w->selector_q);
    linebuf_free(w->lines);
    free(w);
}

size_t watcher_count(const struct watcher *w)
{
    return w->count;
}

unsigned watcher_restarts(const struct watcher *w)
{
    return w->restarts;
}

int watcher_synced(const struct watcher *w)
{
    return w->synced;
}
