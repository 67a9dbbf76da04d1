#include "watch.h"

#include <inttypes.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "msg.h"
#include "table.h"

#define WATCH_OUT_MAX ((size_t)64 << 20) /* a watcher this far behind is cut off */
#define BOOKMARK_EVERY_NS (60LL * 1000000000LL)

enum ending { RUNNING, END_CLEAN, END_ABORT };

struct watcher {
    struct watch_hub *hub;
    struct MHD_Connection *conn;
    const struct sim_resource *res;
    char *ns;
    struct selector *labels, *fields;
    int table, bookmarks;
    int64_t deadline, next_bookmark;
    struct vbuf out;
    size_t out_pos;
    int suspended;
    int final_bookmark_sent;
    enum ending ending;
    struct watcher *prev, *next;
};

struct watch_hub {
    struct sim *sim;
    struct watcher *head;
    size_t count;
};

struct watch_hub *watch_hub_new(struct sim *sim)
{
    struct watch_hub *hub = calloc(1, sizeof(*hub));

    if (hub)
        hub->sim = sim;
    return hub;
}

void watch_hub_free(struct watch_hub *hub)
{
    /* watchers are freed by libmicrohttpd's callbacks when the daemon stops */
    free(hub);
}

size_t watch_hub_count(const struct watch_hub *hub)
{
    return hub->count;
}

static void wake(struct watcher *w)
{
    if (w->suspended) {
        w->suspended = 0;
        MHD_resume_connection(w->conn);
    }
}

static void end_stream(struct watcher *w, enum ending how)
{
    if (w->ending == RUNNING)
        w->ending = how;
    wake(w);
}

/* Queue one line; a watcher that cannot keep up is ended, as the apiserver does. */
static void queue(struct watcher *w, const char *text, size_t len)
{
    if (w->ending != RUNNING)
        return;
    if (w->out_pos == w->out.len) {
        vbuf_reset(&w->out);
        w->out_pos = 0;
    }
    if (vbuf_add(&w->out, text, len) < 0) {
        msg_warn("watch on %s: client too slow, stream closed", w->res->plural);
        end_stream(w, END_ABORT);
        return;
    }
    wake(w);
}

static void queue_event_json(struct watcher *w, const char *type, const char *object, size_t len)
{
    struct vbuf line = VBUF_INIT(WATCH_OUT_MAX);

    vbuf_addf(&line, "{\"type\":\"%s\",\"object\":", type);
    vbuf_add(&line, object, len);
    vbuf_adds(&line, "}\n");
    queue(w, line.data, line.len);
    vbuf_release(&line);
}

static void queue_event_table(struct watcher *w, const char *type, const char *object, uint64_t rv)
{
    cJSON *obj = cJSON_Parse(object), *t = table_new(w->res, rv), *ev = cJSON_CreateObject();
    char *text;

    if (obj)
        table_add_row(t, w->res, obj, clock_wall_ns());
    cJSON_AddStringToObject(ev, "type", type);
    cJSON_AddItemToObject(ev, "object", t);
    text = cJSON_PrintUnformatted(ev);
    if (text) {
        queue(w, text, strlen(text));
        queue(w, "\n", 1);
    }
    free(text);
    cJSON_Delete(ev);
    cJSON_Delete(obj);
}

static int selected(const struct watcher *w, const char *ns, const cJSON *meta, const char *object)
{
    cJSON *wrapper;
    int ok = 1;

    if (w->ns && strcmp(w->ns, ns) != 0)
        return 0;
    if (w->labels) {
        wrapper = cJSON_CreateObject();
        cJSON_AddItemReferenceToObject(wrapper, "metadata", (cJSON *)meta);
        ok = selector_matches(w->labels, wrapper);
        cJSON_Delete(wrapper);
    }
    if (ok && w->fields) {
        cJSON *obj = cJSON_Parse(object);

        ok = obj && selector_matches(w->fields, obj);
        cJSON_Delete(obj);
    }
    return ok;
}

static void deliver(struct watcher *w, const struct store_event *ev)
{
    static const char *const types[] = {"ADDED", "MODIFIED", "DELETED"};

    if (w->ending != RUNNING || ev->res != w->res || !selected(w, ev->ns, ev->meta, ev->object))
        return;
    if (w->table)
        queue_event_table(w, types[ev->type], ev->object, ev->rv);
    else
        queue_event_json(w, types[ev->type], ev->object, ev->object_len);
}

void watch_hub_notify(void *ctx, const struct store_event *ev)
{
    struct watch_hub *hub = ctx;

    for (struct watcher *w = hub->head; w; w = w->next)
        deliver(w, ev);
}

static void replay_one(void *ctx, const struct store_event *ev)
{
    deliver(ctx, ev);
}

static void queue_bookmark(struct watcher *w)
{
    char text[512];
    int n = snprintf(text, sizeof(text),
                     "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"%s\",\"apiVersion\":\"%s\","
                     "\"metadata\":{\"resourceVersion\":\"%" PRIu64
                     "\",\"creationTimestamp\":null}}}\n",
                     w->res->kind, resource_api_version(w->res), store_rv(w->hub->sim->store));

    queue(w, text, (size_t)n);
}

static void queue_expired(struct watcher *w, uint64_t since)
{
    char text[512];
    int n = snprintf(text, sizeof(text),
                     "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\","
                     "\"metadata\":{},\"status\":\"Failure\",\"message\":\"too old resource "
                     "version: %" PRIu64 " (%" PRIu64 ")\",\"reason\":\"Expired\",\"code\":410}}\n",
                     since, store_oldest_resumable(w->hub->sim->store) + 1);

    queue(w, text, (size_t)n);
    end_stream(w, END_CLEAN);
}

static void send_current_state(struct watcher *w)
{
    struct sim_object **objs;
    size_t n = store_list(w->hub->sim->store, w->res, w->ns, &objs);

    for (size_t i = 0; i < n; i++) {
        char *text = cJSON_PrintUnformatted(objs[i]->json);
        cJSON *meta = cJSON_GetObjectItemCaseSensitive(objs[i]->json, "metadata");

        if (text && selected(w, objs[i]->ns, meta, text)) {
            if (w->table)
                queue_event_table(w, "ADDED", text, objs[i]->rv);
            else
                queue_event_json(w, "ADDED", text, strlen(text));
        }
        free(text);
    }
    free(objs);
}

static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct watcher *w = cls;
    size_t avail = w->out.len - w->out_pos;

    (void)pos;
    if (avail) {
        size_t n = avail < max ? avail : max;

        memcpy(buf, w->out.data + w->out_pos, n);
        w->out_pos += n;
        return (ssize_t)n;
    }
    if (w->ending == END_CLEAN)
        return MHD_CONTENT_READER_END_OF_STREAM;
    if (w->ending == END_ABORT)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    w->suspended = 1;
    MHD_suspend_connection(w->conn);
    return 0;
}

static void watcher_free(void *cls)
{
    struct watcher *w = cls;
    struct watch_hub *hub = w->hub;

    if (w->prev)
        w->prev->next = w->next;
    else
        hub->head = w->next;
    if (w->next)
        w->next->prev = w->prev;
    hub->count--;
    selector_free(w->labels);
    selector_free(w->fields);
    vbuf_release(&w->out);
    free(w->ns);
    free(w);
}

void watch_start(struct req *r, struct watch_spec *spec)
{
    struct watch_hub *hub = r->sim->watches;
    struct watcher *w = calloc(1, sizeof(*w));
    struct MHD_Response *resp;
    int64_t now = clock_mono_ns();

    if (!w) {
        selector_free(spec->labels);
        selector_free(spec->fields);
        http_reply_status(r, 500, "InternalError", NULL, NULL, NULL, "out of memory");
        return;
    }
    w->hub = hub;
    w->conn = r->conn;
    w->res = spec->res;
    w->ns = spec->ns ? strdup(spec->ns) : NULL;
    w->labels = spec->labels;
    w->fields = spec->fields;
    w->table = spec->table;
    w->bookmarks = spec->bookmarks;
    w->deadline = now + (spec->timeout_ns > 0
                             ? spec->timeout_ns
                             : (int64_t)(1800 + rng_u64(&r->sim->id_rng) % 1800) * 1000000000LL);
    w->next_bookmark = now + BOOKMARK_EVERY_NS;
    vbuf_init(&w->out, WATCH_OUT_MAX);
    w->next = hub->head;
    if (hub->head)
        hub->head->prev = w;
    hub->head = w;
    hub->count++;

    if (spec->force_expired ||
        (!spec->from_now && store_replay(r->sim->store, spec->since, replay_one, w) < 0))
        queue_expired(w, spec->since);
    else if (spec->from_now)
        send_current_state(w);

    resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, reader, w, watcher_free);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(resp, "Cache-Control", "no-cache, private");
    MHD_queue_response(r->conn, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    r->replied = 1;
    http_note_status(r, 200);
}

void watch_hub_tick(struct watch_hub *hub, int64_t now)
{
    for (struct watcher *w = hub->head; w; w = w->next) {
        if (w->ending != RUNNING)
            continue;
        /* a bookmark every minute, and one shortly before the stream times out */
        if (w->bookmarks && !w->final_bookmark_sent &&
            (now >= w->next_bookmark || now >= w->deadline - 1000000000LL)) {
            queue_bookmark(w);
            w->next_bookmark = now + BOOKMARK_EVERY_NS;
            w->final_bookmark_sent = now >= w->deadline - 1000000000LL;
        }
        if (now >= w->deadline)
            end_stream(w, END_CLEAN);
    }
}

size_t watch_hub_drop_all(struct watch_hub *hub)
{
    size_t n = 0;

    for (struct watcher *w = hub->head; w; w = w->next)
        if (w->ending == RUNNING) {
            end_stream(w, END_ABORT);
            n++;
        }
    return n;
}
