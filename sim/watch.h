/*
 * watch.h - watch streams, as kube-apiserver serves them.
 *
 * A watch is a chunked HTTP 200 response of one JSON event a line:
 * {"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":{...}}. It starts
 * from the current state (resourceVersion "" or "0": every object as ADDED)
 * or from a given resourceVersion (replayed from the store's history; when
 * that version has left the history: one ERROR event with a 410 Expired
 * Status, then the end). With allowWatchBookmarks, BOOKMARK events carry
 * only metadata.resourceVersion. The stream ends at timeoutSeconds, or when
 * a fault drops it.
 *
 * The hub owns its watchers; a watcher lives until libmicrohttpd is done
 * with its response.
 */
#ifndef SIM_WATCH_H
#define SIM_WATCH_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"
#include "selector.h"
#include "store.h"

struct watch_spec {
    const struct sim_resource *res;
    const char *ns;          /* NULL: all namespaces */
    struct selector *labels; /* consumed; NULL = everything */
    struct selector *fields; /* consumed; NULL = everything */
    int from_now;            /* resourceVersion "" or "0": start with the current state */
    uint64_t since;          /* otherwise: events after this version */
    int force_expired;       /* fault injection: answer as if expired */
    int table;               /* events carry meta.k8s.io Tables (kubectl get -w) */
    int bookmarks;           /* allowWatchBookmarks=true */
    int64_t timeout_ns;      /* 0 = the default (30 to 60 min, as the apiserver picks) */
};

struct watch_hub *watch_hub_new(struct sim *sim);
void watch_hub_free(struct watch_hub *hub);

/* Store listener: deliver one change to every matching watcher. */
void watch_hub_notify(void *hub, const struct store_event *ev);

/* Answer request r with a watch stream (takes over the reply). */
void watch_start(struct req *r, struct watch_spec *spec);

/* Deadlines and bookmarks; call about once a second. */
void watch_hub_tick(struct watch_hub *hub, int64_t now_mono_ns);

/* Fault injection: end every stream now, abruptly (no final chunk). Returns how many. */
size_t watch_hub_drop_all(struct watch_hub *hub);

size_t watch_hub_count(const struct watch_hub *hub);

#endif
