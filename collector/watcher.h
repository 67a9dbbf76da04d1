/*
 * watcher.h - keep up with one resource across namespaces, by label
 * selector, as client-go's reflector does: list, then watch from the list's
 * resourceVersion with bookmarks; when the stream ends, resume from the last
 * version seen; when that version expired (an ERROR event with code 410
 * inside an HTTP 200 stream, or HTTP 410), list again and report what
 * changed meanwhile, marked as coming from a relist.
 *
 * Every change (an object added, a tracked field changed, an object gone)
 * is reported with the time its bytes were received, and every restart of
 * the stream too. The watcher keeps the tracked state of each object it
 * knows (memory proportional to objects, not to events).
 */
#ifndef COLLECTOR_WATCHER_H
#define COLLECTOR_WATCHER_H

#include <cJSON.h>

#include "client.h"
#include "track.h"

struct watcher;

struct watch_change {
    enum track_res res;
    const char *type;               /* ADDED MODIFIED DELETED */
    const char *source;             /* watch | relist */
    const cJSON *obj;               /* the object as received */
    const struct track_state *prev; /* NULL when new */
    const struct track_state *now;
    int changed; /* tracked fields that changed */
    struct vs_time received;
};

struct watch_restart {
    enum track_res res;
    const char *reason; /* closed | expired | error | timeout */
    const char *action; /* resume | relist */
    const char *resource_version;
    int status;
    const char *message;
};

typedef void (*watch_change_fn)(void *ctx, const struct watch_change *ch);
typedef void (*watch_restart_fn)(void *ctx, const struct watch_restart *r);

/* label_selector is a Kubernetes selector ("vmstorm.io/run=abc"), copied. */
struct watcher *watcher_new(struct kclient *c, struct evloop *loop, enum track_res res,
                            const char *label_selector, watch_change_fn on_change,
                            watch_restart_fn on_restart, void *ctx, struct vs_error *err);
/* List, then watch. Changes arrive from the loop. */
int watcher_start(struct watcher *w, struct vs_error *err);
/* Stop watching (cancel the stream). */
void watcher_stop(struct watcher *w);
/*
 * Free. Its pending timers and requests point at it: free a watcher only when
 * the loop will not run again (at shutdown, after kclient_free).
 */
void watcher_free(struct watcher *w);

/* Objects currently known, and restarts so far. */
size_t watcher_count(const struct watcher *w);
unsigned watcher_restarts(const struct watcher *w);
/* Whether the initial list completed (changes before it are from the list). */
int watcher_synced(const struct watcher *w);

#endif
