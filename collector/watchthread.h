/*
 * watchthread.h - the watches of a run in a thread of their own.
 *
 * A watch event's time is when its bytes arrived. The collector's main
 * loop is busy in a storm (hundreds of requests, probes, records), so bytes
 * waiting for it would be time-stamped late. The watch thread has its own
 * event loop and API client and does nothing but the four watches (VMs,
 * VMIs, DataVolumes, virt-launcher pods; watcher.h): it reads, frames,
 * time-stamps and builds the watch_event bodies, and hands them to the main
 * thread through a queue (an eventfd in the main loop wakes it). Only the
 * main thread writes the results file and touches the run's state.
 *
 * Messages, in the order they happened in the watch thread: a change (its
 * watch_event body and the tracked fields, for the run's bookkeeping), a
 * restart (its watch_restart body), an attempt of one of the thread's own
 * requests (an api_request body without "phase"), a warning (an object
 * that could not be recorded), and "synced" once every watch has listed.
 */
#ifndef VS_COLLECTOR_WATCHTHREAD_H
#define VS_COLLECTOR_WATCHTHREAD_H

#include <cJSON.h>

#include "client.h"
#include "clock.h"
#include "error.h"
#include "evloop.h"
#include "track.h"

enum wt_kind { WT_CHANGE, WT_RESTART, WT_ATTEMPT, WT_SYNCED, WT_WARNING };

struct wt_msg {
    enum wt_kind kind;
    struct vs_time t; /* received (change), sent (attempt), or when it happened */
    cJSON *body;      /* the event's body, owned by the message; NULL for WT_SYNCED */
    /* WT_CHANGE: */
    enum track_res res;
    char type[16];          /* ADDED MODIFIED DELETED */
    char *ns, *name, *uid;  /* metadata */
    struct track_state now; /* tracked fields after the change */
    struct wt_msg *next;
};

/* Called in the main thread for each message; it takes the message (wt_msg_free). */
typedef void (*wt_deliver_fn)(void *ctx, struct wt_msg *m);
/* Called in the WATCH thread: whether an object in namespace ns is the run's (NULL: all). */
typedef int (*wt_filter_fn)(void *ctx, const char *ns);

struct watchthread;

/*
 * Start the thread: its own client from cfg (copied), watching the four
 * resources with label_selector. Messages reach deliver from main_loop. The
 * caller must have called curl_global_init() and should block SIGINT and
 * SIGTERM only in the main thread's handlers (the thread blocks them).
 */
struct watchthread *watchthread_start(const struct kclient_config *cfg, const char *label_selector,
                                      struct evloop *main_loop, wt_deliver_fn deliver,
                                      wt_filter_fn filter, void *ctx, struct vs_error *err);

/* Give the thread's client a new bearer token (exec plugins, tokenFile). */
void watchthread_set_token(struct watchthread *w, const char *token);

/* Stop the watches, join the thread, deliver what is still queued, free. Accepts NULL. */
void watchthread_stop(struct watchthread *w);

void wt_msg_free(struct wt_msg *m);

#endif
