#include "watchthread.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "recorder.h"
#include "watcher.h"

struct watchthread {
    pthread_t th;
    int running;
    atomic_int stop;

    /* the thread's own; the main thread touches them only before start and after join */
    struct evloop *loop;
    struct kclient *client;
    struct watcher *w[TRACK_RES_COUNT];
    int synced_sent;
    int wake[2]; /* main -> thread: stop, new token */

    /* shared, under mu */
    pthread_mutex_t mu;
    struct wt_msg *head, *tail;
    char *token;

    /* the main thread's */
    struct evloop *main_loop;
    int efd; /* thread -> main: messages queued */
    wt_deliver_fn deliver;
    wt_filter_fn filter;
    void *ctx;
};

void wt_msg_free(struct wt_msg *m)
{
    if (!m)
        return;
    cJSON_Delete(m->body);
    free(m->ns);
    free(m->name);
    free(m->uid);
    track_state_release(&m->now);
    free(m);
}

/* ---- the watch thread ---------------------------------------------------------- */

static void push(struct watchthread *w, struct wt_msg *m)
{
    uint64_t one = 1;

    pthread_mutex_lock(&w->mu);
    if (w->tail)
        w->tail->next = m;
    else
        w->head = m;
    w->tail = m;
    pthread_mutex_unlock(&w->mu);
    if (write(w->efd, &one, sizeof(one)) < 0) {
        /* the counter is saturated: the main thread has a wake-up pending anyway */
    }
}

static struct wt_msg *msg_new(enum wt_kind kind, const struct vs_time *t, cJSON *body)
{
    struct wt_msg *m = calloc(1, sizeof(*m));

    if (!m) {
        cJSON_Delete(body);
        return NULL;
    }
    m->kind = kind;
    if (t)
        m->t = *t;
    else
        clock_now(&m->t);
    m->body = body;
    return m;
}

static void on_change(void *ctx, const struct watch_change *ch)
{
    struct watchthread *w = ctx;
    const char *ns = track_meta(ch->obj, "namespace"), *name = track_meta(ch->obj, "name");
    const char *uid = track_meta(ch->obj, "uid");
    struct wt_msg *m;
    struct vs_error err;
    cJSON *body;
    int n = 0;

    if (w->filter && (!ns || !w->filter(w->ctx, ns)))
        return;
    body = track_event_body(ch->res, ch->type, ch->source, ch->obj, ch->prev, ch->now, &n, &err);
    if (!body) {
        cJSON *b = cJSON_CreateObject();
        char text[700];

        snprintf(text, sizeof(text), "%s object skipped: %s", track_res_plural(ch->res), err.msg);
        cJSON_AddStringToObject(b, "message", text);
        cJSON_AddStringToObject(b, "code", "watch_object_invalid");
        if ((m = msg_new(WT_WARNING, &ch->received, b)))
            push(w, m);
        return;
    }
    if (n == 0 && strcmp(ch->type, "MODIFIED") == 0) {
        cJSON_Delete(body);
        return;
    }
    if (!(m = msg_new(WT_CHANGE, &ch->received, body)))
        return;
    m->res = ch->res;
    snprintf(m->type, sizeof(m->type), "%s", ch->type);
    m->ns = ns ? strdup(ns) : NULL;
    m->name = name ? strdup(name) : NULL;
    m->uid = uid ? strdup(uid) : NULL;
    for (int i = 0; i < TRACK_MAX_FIELDS; i++)
        m->now.v[i] = ch->now->v[i] ? strdup(ch->now->v[i]) : NULL;
    push(w, m);
}

static void on_restart(void *ctx, const struct watch_restart *r)
{
    struct watchthread *w = ctx;
    cJSON *b = cJSON_CreateObject();
    struct wt_msg *m;

    if (!b)
        return;
    cJSON_AddStringToObject(b, "resource", track_res_plural(r->res));
    cJSON_AddStringToObject(b, "reason", r->reason);
    cJSON_AddStringToObject(b, "action", r->action);
    cJSON_AddStringToObject(b, "resource_version", r->resource_version ? r->resource_version : "");
    if (r->status > 0)
        cJSON_AddNumberToObject(b, "status", r->status);
    if (r->message && *r->message)
        cJSON_AddStringToObject(b, "message", r->message);
    if ((m = msg_new(WT_RESTART, NULL, b)))
        push(w, m);
}

static void on_attempt(void *ctx, const struct kattempt *a)
{
    struct watchthread *w = ctx;
    struct wt_msg *m = msg_new(WT_ATTEMPT, &a->sent, rec_api_request_body(a, NULL));

    if (m && m->body)
        push(w, m);
    else
        wt_msg_free(m);
}

static void on_wake(void *ctx, int fd, uint32_t events)
{
    struct watchthread *w = ctx;
    char buf[64];
    char *token;

    (void)events;
    while (read(fd, buf, sizeof(buf)) > 0) {
    }
    pthread_mutex_lock(&w->mu);
    token = w->token;
    w->token = NULL;
    pthread_mutex_unlock(&w->mu);
    if (token) {
        kclient_set_token(w->client, token);
        explicit_bzero(token, strlen(token));
        free(token);
    }
}

static void *thread_main(void *arg)
{
    struct watchthread *w = arg;

    while (!atomic_load(&w->stop)) {
        evloop_run_once(w->loop, 500, NULL);
        if (!w->synced_sent) {
            int all = 1;

            for (int i = 0; i < TRACK_RES_COUNT; i++)
                all &= watcher_synced(w->w[i]);
            if (all) {
                struct wt_msg *m = msg_new(WT_SYNCED, NULL, NULL);

                w->synced_sent = 1;
                if (m)
                    push(w, m);
            }
        }
    }
    for (int i = 0; i < TRACK_RES_COUNT; i++)
        watcher_stop(w->w[i]);
    return NULL;
}

/* ---- the main thread --------------------------------------------------------------- */

static void drain(struct watchthread *w)
{
    struct wt_msg *m;

    pthread_mutex_lock(&w->mu);
    m = w->head;
    w->head = w->tail = NULL;
    pthread_mutex_unlock(&w->mu);
    while (m) {
        struct wt_msg *next = m->next;

        m->next = NULL;
        w->deliver(w->ctx, m);
        m = next;
    }
}

static void on_main_wake(void *ctx, int fd, uint32_t events)
{
    struct watchthread *w = ctx;
    uint64_t n;

    (void)events;
    if (read(fd, &n, sizeof(n)) < 0) {
        /* EAGAIN: drained by an earlier round */
    }
    drain(w);
}

static void teardown(struct watchthread *w)
{
    kclient_free(w->client);
    for (int i = 0; i < TRACK_RES_COUNT; i++)
        watcher_free(w->w[i]);
    if (w->wake[0] >= 0) {
        if (w->loop)
            evloop_del(w->loop, w->wake[0]);
        close(w->wake[0]);
        close(w->wake[1]);
    }
    evloop_free(w->loop);
    if (w->efd >= 0) {
        evloop_del(w->main_loop, w->efd);
        close(w->efd);
    }
    while (w->head) {
        struct wt_msg *m = w->head;

        w->head = m->next;
        wt_msg_free(m);
    }
    free(w->token);
    pthread_mutex_destroy(&w->mu);
    free(w);
}

struct watchthread *watchthread_start(const struct kclient_config *cfg, const char *label_selector,
                                      struct evloop *main_loop, wt_deliver_fn deliver,
                                      wt_filter_fn filter, void *ctx, struct vs_error *err)
{
    struct watchthread *w = calloc(1, sizeof(*w));
    sigset_t block, old;
    int rc;

    if (!w) {
        vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&w->mu, NULL);
    w->wake[0] = w->wake[1] = w->efd = -1;
    w->main_loop = main_loop;
    w->deliver = deliver;
    w->filter = filter;
    w->ctx = ctx;
    if (pipe2(w->wake, O_CLOEXEC | O_NONBLOCK) < 0 ||
        (w->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
        vs_error_setc(err, errno, NULL, 0, 0, "watch thread: %s", strerror(errno));
        teardown(w);
        return NULL;
    }
    if (!(w->loop = evloop_new(err)) || !(w->client = kclient_new(w->loop, cfg, err)) ||
        evloop_add(w->loop, w->wake[0], EPOLLIN, on_wake, w, err) < 0 ||
        evloop_add(main_loop, w->efd, EPOLLIN, on_main_wake, w, err) < 0) {
        teardown(w);
        return NULL;
    }
    kclient_set_observer(w->client, on_attempt, w);
    for (int i = 0; i < TRACK_RES_COUNT; i++) {
        w->w[i] = watcher_new(w->client, w->loop, (enum track_res)i, label_selector, on_change,
                              on_restart, w, err);
        if (!w->w[i] || watcher_start(w->w[i], err) < 0) {
            teardown(w);
            return NULL;
        }
    }
    /* signals are the main thread's business */
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGCHLD);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    rc = pthread_create(&w->th, NULL, thread_main, w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        vs_error_setc(err, rc, NULL, 0, 0, "cannot start the watch thread: %s", strerror(rc));
        teardown(w);
        return NULL;
    }
    w->running = 1;
    return w;
}

void watchthread_set_token(struct watchthread *w, const char *token)
{
    char *copy = strdup(token);

    if (!copy)
        return;
    pthread_mutex_lock(&w->mu);
    free(w->token);
    w->token = copy;
    pthread_mutex_unlock(&w->mu);
    if (write(w->wake[1], "t", 1) < 0) {
        /* full: a wake-up is pending */
    }
}

void watchthread_stop(struct watchthread *w)
{
    if (!w)
        return;
    if (w->running) {
        atomic_store(&w->stop, 1);
        if (write(w->wake[1], "s", 1) < 0) {
            /* full: a wake-up is pending */
        }
        pthread_join(w->th, NULL);
        w->running = 0;
    }
    drain(w);
    teardown(w);
}
