#include "client.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "ratelimit.h"
#include "vbuf.h"

#define RESPONSE_MAX ((size_t)256 << 20) /* a list of 10,000 VMs fits comfortably */
#define BACKOFF_FIRST_NS 200000000LL     /* 0.2 s, doubling */
#define BACKOFF_MAX_NS 10000000000LL     /* 10 s */

struct kcall {
    struct kclient *c;
    uint64_t id;
    struct kreq rq; /* strings point into `strings` */
    char *strings[10];
    char *body;
    CURL *easy;
    struct curl_slist *headers;
    struct vbuf resp;
    kreq_done_fn done;
    kstream_data_fn data;
    void *ctx;
    int stream, attempt, cancelled;
    int queued;          /* waiting for a free slot (see kclient.max_active) */
    struct kcall *qnext; /* in the wait queue */
    struct vs_time sent;
    char errbuf[CURL_ERROR_SIZE];
    struct kcall *prev, *next;
};

struct kclient {
    struct evloop *loop;
    CURLM *multi;
    char *server, *ca_pem, *auth_header, *cert, *key, *userpwd, *user_agent;
    int insecure;
    long timeout_ms;
    int limited;
    struct bucket bucket;
    uint64_t timer_gen, next_id;
    kclient_observer_fn observer;
    void *observer_ctx;
    struct kcall *calls;
    size_t ncalls;
    /*
     * Requests (not streams) handed to libcurl at once. Past this they wait
     * here, in order: libcurl's own pending list makes every socket event
     * cost O(pending), which turns a 1,000-VM storm into long loop rounds
     * (late watch time stamps), and "sent" is then when the request really
     * can go out.
     */
    size_t active, max_active;
    struct kcall *qhead, *qtail;
};

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* ---- libcurl <-> evloop --------------------------------------------------- */

static void check_done(struct kclient *c);

static void on_fd(void *ctx, int fd, uint32_t events)
{
    struct kclient *c = ctx;
    int flags = 0, running;

    if (events & EPOLLIN)
        flags |= CURL_CSELECT_IN;
    if (events & EPOLLOUT)
        flags |= CURL_CSELECT_OUT;
    if (events & (EPOLLERR | EPOLLHUP))
        flags |= CURL_CSELECT_ERR;
    curl_multi_socket_action(c->multi, fd, flags, &running);
    check_done(c);
}

static int on_socket(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
    struct kclient *c = userp;
    uint32_t ev = 0;

    (void)e;
    if (what == CURL_POLL_REMOVE) {
        evloop_del(c->loop, s);
        curl_multi_assign(c->multi, s, NULL);
        return 0;
    }
    if (what & CURL_POLL_IN)
        ev |= EPOLLIN;
    if (what & CURL_POLL_OUT)
        ev |= EPOLLOUT;
    if (!socketp) {
        if (evloop_add(c->loop, s, ev, on_fd, c, NULL) == 0)
            curl_multi_assign(c->multi, s, c);
    } else {
        evloop_mod(c->loop, s, ev, NULL);
    }
    return 0;
}

static void on_timer_fire(void *ctx, void *arg, uint64_t token)
{
    struct kclient *c = ctx;
    int running;

    (void)arg;
    if (token != c->timer_gen)
        return;
    curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    check_done(c);
}

static int on_timer(CURLM *m, long timeout_ms, void *userp)
{
    struct kclient *c = userp;

    (void)m;
    c->timer_gen++;
    if (timeout_ms >= 0)
        sched_at(evloop_sched(c->loop), clock_mono_ns() + (int64_t)timeout_ms * 1000000,
                 on_timer_fire, c, NULL, c->timer_gen);
    return 0;
}

char *kclient_escape(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = malloc(strlen(s) * 3 + 1), *p = out;

    if (!out)
        return NULL;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;

        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
            ch == '-' || ch == '_' || ch == '.' || ch == '~') {
            *p++ = (char)ch;
        } else {
            *p++ = '%';
            *p++ = hex[ch >> 4];
            *p++ = hex[ch & 15];
        }
    }
    *p = '\0';
    return out;
}

/* ---- setup -------------------------------------------------------------- */

struct kclient *kclient_new(struct evloop *loop, const struct kclient_config *cfg,
                            struct vs_error *err)
{
    struct kclient *c = calloc(1, sizeof(*c));
    char buf[8192];

    if (!c || !(c->multi = curl_multi_init())) {
        free(c);
        vs_error_set(err, NULL, 0, 0, "cannot initialise libcurl");
        return NULL;
    }
    c->loop = loop;
    c->server = strdup(cfg->server);
    if (c->server[0] && c->server[strlen(c->server) - 1] == '/')
        c->server[strlen(c->server) - 1] = '\0';
    c->ca_pem = dup_or_null(cfg->ca_pem);
    c->cert = dup_or_null(cfg->client_cert_pem);
    c->key = dup_or_null(cfg->client_key_pem);
    c->insecure = cfg->insecure_skip_tls_verify;
    c->timeout_ms = cfg->request_timeout_ms > 0 ? cfg->request_timeout_ms : 60000;
    snprintf(buf, sizeof(buf), "%s", cfg->user_agent ? cfg->user_agent : "vmstorm-collect");
    c->user_agent = strdup(buf);
    if (cfg->username && cfg->password) {
        snprintf(buf, sizeof(buf), "%s:%s", cfg->username, cfg->password);
        c->userpwd = strdup(buf);
    }
    kclient_set_token(c, cfg->token);
    if (cfg->qps > 0) {
        c->limited = 1;
        bucket_init(&c->bucket, cfg->qps, cfg->burst > 0 ? cfg->burst : cfg->qps, 1.0,
                    clock_mono_ns());
    }
    curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
    curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
    curl_multi_setopt(c->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
    curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                      (long)(cfg->max_connections > 0 ? cfg->max_connections : 64));
    c->max_active = (size_t)(cfg->max_connections > 0 ? cfg->max_connections : 64);
    return c;
}

static void wipe_free(char *s)
{
    if (s) {
        memset(s, 0, strlen(s));
        free(s);
    }
}

static void call_free(struct kcall *k)
{
    for (size_t i = 0; i < sizeof(k->strings) / sizeof(k->strings[0]); i++)
        free(k->strings[i]);
    free(k->body);
    curl_slist_free_all(k->headers);
    vbuf_release(&k->resp);
    free(k);
}

static void unlink_call(struct kcall *k)
{
    struct kclient *c = k->c;

    if (k->prev)
        k->prev->next = k->next;
    else if (c->calls == k)
        c->calls = k->next;
    if (k->next)
        k->next->prev = k->prev;
    k->prev = k->next = NULL;
    c->ncalls--;
}

void kclient_free(struct kclient *c)
{
    if (!c)
        return;
    while (c->calls) {
        struct kcall *k = c->calls;

        if (k->easy) {
            curl_multi_remove_handle(c->multi, k->easy);
            curl_easy_cleanup(k->easy);
        }
        unlink_call(k);
        call_free(k);
    }
    curl_multi_cleanup(c->multi);
    free(c->server);
    free(c->ca_pem);
    free(c->cert);
    wipe_free(c->key);
    wipe_free(c->auth_header);
    wipe_free(c->userpwd);
    free(c->user_agent);
    free(c);
}

void kclient_set_observer(struct kclient *c, kclient_observer_fn fn, void *ctx)
{
    c->observer = fn;
    c->observer_ctx = ctx;
}

int kclient_set_token(struct kclient *c, const char *token)
{
    char *h = NULL;

    if (token && *token) {
        size_t n = strlen(token) + 32;

        h = malloc(n);
        if (!h)
            return -1;
        snprintf(h, n, "Authorization: Bearer %s", token);
    }
    wipe_free(c->auth_header);
    c->auth_header = h;
    return 0;
}

size_t kclient_pending(const struct kclient *c)
{
    return c->ncalls;
}

/* ---- one attempt ----------------------------------------------------------- */

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct kcall *k = ud;
    size_t len = size * n;

    if (k->cancelled)
        return 0;
    if (k->stream)
        return k->data(k->ctx, p, len) ? 0 : len;
    return vbuf_add(&k->resp, p, len) < 0 ? 0 : len;
}

static void set_tls(struct kclient *c, CURL *e)
{
    struct curl_blob blob;

    if (c->ca_pem) {
        blob = (struct curl_blob){c->ca_pem, strlen(c->ca_pem), CURL_BLOB_COPY};
        curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &blob);
    }
    if (c->cert && c->key) {
        blob = (struct curl_blob){c->cert, strlen(c->cert), CURL_BLOB_COPY};
        curl_easy_setopt(e, CURLOPT_SSLCERT_BLOB, &blob);
        curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
        blob = (struct curl_blob){c->key, strlen(c->key), CURL_BLOB_COPY};
        curl_easy_setopt(e, CURLOPT_SSLKEY_BLOB, &blob);
        curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
    }
    /* verification stays on unless the kubeconfig itself says otherwise */
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, c->insecure ? 0L : 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, c->insecure ? 0L : 2L);
}

static int build_headers(struct kcall *k)
{
    struct kclient *c = k->c;
    char ct[256];
    struct curl_slist *h = NULL;

    snprintf(ct, sizeof(ct), "Content-Type: %s",
             k->rq.content_type ? k->rq.content_type : "application/json");
    h = curl_slist_append(h, "Accept: application/json");
    if (h && k->rq.body)
        h = curl_slist_append(h, ct);
    if (h)
        h = curl_slist_append(h, "Expect:");
    if (h && c->auth_header)
        h = curl_slist_append(h, c->auth_header);
    if (!h)
        return -1;
    curl_slist_free_all(k->headers);
    k->headers = h;
    return 0;
}

static int start_attempt(struct kcall *k)
{
    struct kclient *c = k->c;
    char url[8192];
    CURL *e = curl_easy_init();

    if (!e || build_headers(k) < 0) {
        if (e)
            curl_easy_cleanup(e);
        return -1;
    }
    snprintf(url, sizeof(url), "%s%s", c->server, k->rq.path);
    vbuf_reset(&k->resp);
    k->errbuf[0] = '\0';
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_PRIVATE, k);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, k);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, k->headers);
    curl_easy_setopt(e, CURLOPT_USERAGENT, c->user_agent);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, k->errbuf);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
                     k->rq.timeout_ms > 0 ? k->rq.timeout_ms
                     : k->stream          ? 0L
                                          : c->timeout_ms);
    if (c->userpwd) {
        curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(e, CURLOPT_USERPWD, c->userpwd);
    }
    set_tls(c, e);
    if (strcmp(k->rq.method, "GET") != 0)
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, k->rq.method);
    if (k->rq.body || strcmp(k->rq.method, "PUT") == 0 || strcmp(k->rq.method, "POST") == 0) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)k->rq.body_len);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, k->body ? k->body : "");
    }
    k->easy = e;
    k->attempt++;
    clock_now(&k->sent);
    if (curl_multi_add_handle(c->multi, e) != CURLM_OK) {
        k->easy = NULL;
        curl_easy_cleanup(e);
        return -1;
    }
    return 0;
}

static void start_cb(void *ctx, void *arg, uint64_t token);

/* Start waiting requests while there is room. */
static void queue_pump(struct kclient *c)
{
    while (c->qhead && c->active < c->max_active) {
        struct kcall *k = c->qhead;

        c->qhead = k->qnext;
        if (!c->qhead)
            c->qtail = NULL;
        k->qnext = NULL;
        k->queued = 0;
        start_cb(c, k, k->id);
    }
}

/* Start now, or when the rate limiter allows. */
static void schedule_attempt(struct kcall *k, int64_t not_before)
{
    struct kclient *c = k->c;
    int64_t now = clock_mono_ns(), at = not_before > now ? not_before : now;

    if (c->limited)
        at = bucket_reserve(&c->bucket, at);
    if (at > now)
        sched_at(evloop_sched(c->loop), at, start_cb, c, k, k->id);
    else
        start_cb(c, k, k->id);
}

static void finish(struct kcall *k, int status, const char *error, long retry_after)
{
    struct kresp r = {status, vbuf_str(&k->resp), k->resp.len, error, k->attempt, retry_after};

    unlink_call(k);
    k->done(k->ctx, &r);
    call_free(k);
}

static void start_cb(void *ctx, void *arg, uint64_t token)
{
    struct kcall *k = arg;

    (void)ctx;
    (void)token;
    if (k->cancelled) {
        finish(k, 0, "cancelled", -1);
        return;
    }
    if (!k->stream && k->c->active >= k->c->max_active) {
        struct kclient *c = k->c;

        k->queued = 1;
        if (c->qtail)
            c->qtail->qnext = k;
        else
            c->qhead = k;
        c->qtail = k;
        return;
    }
    if (start_attempt(k) < 0)
        finish(k, 0, "cannot start the request (out of memory)", -1);
    else if (!k->stream)
        k->c->active++;
}

static int retryable(const struct kcall *k, int status, CURLcode res)
{
    int max = k->rq.max_attempts > 0 ? k->rq.max_attempts : 5;

    if (!k->rq.retry || k->stream || k->cancelled || k->attempt >= max)
        return 0;
    if (res == CURLE_PEER_FAILED_VERIFICATION || res == CURLE_SSL_CACERT_BADFILE ||
        res == CURLE_SSL_CERTPROBLEM || res == CURLE_URL_MALFORMAT)
        return 0; /* no second attempt will do better */
    return status == 429 || status >= 500 || (status == 0 && res != CURLE_OK);
}

static int64_t backoff_ns(const struct kcall *k, long retry_after)
{
    int64_t d = BACKOFF_FIRST_NS << (k->attempt - 1 < 16 ? k->attempt - 1 : 16);

    if (retry_after >= 0)
        return (int64_t)retry_after * 1000000000LL;
    return d > BACKOFF_MAX_NS ? BACKOFF_MAX_NS : d;
}

static void attempt_done(struct kcall *k, CURLcode res)
{
    struct kclient *c = k->c;
    long status = 0;
    curl_off_t ra = -1, up = 0, down = 0;
    const char *error = NULL;
    struct kattempt a;

    curl_easy_getinfo(k->easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(k->easy, CURLINFO_RETRY_AFTER, &ra);
    curl_easy_getinfo(k->easy, CURLINFO_SIZE_UPLOAD_T, &up);
    curl_easy_getinfo(k->easy, CURLINFO_SIZE_DOWNLOAD_T, &down);
    if (ra <= 0)
        ra = -1; /* libcurl says 0 when there was no Retry-After */
    if (k->cancelled)
        error = "cancelled";
    else if (res != CURLE_OK)
        error = k->errbuf[0] ? k->errbuf : curl_easy_strerror(res);
    a = (struct kattempt){&k->rq,      k->sent,      clock_mono_ns() - k->sent.mono_ns,
                          (int)status, error,        k->attempt,
                          (long)ra,    (uint64_t)up, (uint64_t)down};
    if (c->observer)
        c->observer(c->observer_ctx, &a);
    curl_multi_remove_handle(c->multi, k->easy);
    curl_easy_cleanup(k->easy);
    k->easy = NULL;
    if (!k->stream)
        c->active--;
    if (retryable(k, (int)status, res)) {
        schedule_attempt(k, clock_mono_ns() + backoff_ns(k, (long)ra));
    } else {
        /* a transport error is "no answer" even if a status line arrived */
        finish(k, res == CURLE_OK || k->stream ? (int)status : 0, error, (long)ra);
    }
    queue_pump(c);
}

static void check_done(struct kclient *c)
{
    CURLMsg *msg;
    int left;

    while ((msg = curl_multi_info_read(c->multi, &left))) {
        struct kcall *k = NULL;

        if (msg->msg != CURLMSG_DONE)
            continue;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&k);
        if (k)
            attempt_done(k, msg->data.result);
    }
}

/* ---- API ---------------------------------------------------------------- */

static struct kcall *new_call(struct kclient *c, const struct kreq *rq, kreq_done_fn done,
                              void *ctx, struct vs_error *err)
{
    struct kcall *k = calloc(1, sizeof(*k));
    const char *src[] = {rq->method,      rq->verb, rq->group, rq->version, rq->resource,
                         rq->subresource, rq->ns,   rq->name,  rq->path,    rq->content_type};
    const char **dst[] = {&k->rq.method,   &k->rq.verb,        &k->rq.group, &k->rq.version,
                          &k->rq.resource, &k->rq.subresource, &k->rq.ns,    &k->rq.name,
                          &k->rq.path,     &k->rq.content_type};

    if (!k) {
        vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory");
        return NULL;
    }
    if (!rq->method || !rq->path) {
        free(k);
        vs_error_set(err, NULL, 0, 0, "request without method or path");
        return NULL;
    }
    k->rq = *rq;
    for (size_t i = 0; i < sizeof(src) / sizeof(src[0]); i++) {
        k->strings[i] = dup_or_null(src[i]);
        *dst[i] = k->strings[i];
    }
    if (rq->body) {
        k->body = malloc(rq->body_len + 1);
        if (k->body) {
            memcpy(k->body, rq->body, rq->body_len);
            k->body[rq->body_len] = '\0';
        }
        k->rq.body = k->body;
    }
    vbuf_init(&k->resp, RESPONSE_MAX);
    k->c = c;
    k->id = ++c->next_id;
    k->done = done;
    k->ctx = ctx;
    k->next = c->calls;
    if (c->calls)
        c->calls->prev = k;
    c->calls = k;
    c->ncalls++;
    return k;
}

int kclient_request(struct kclient *c, const struct kreq *rq, kreq_done_fn done, void *ctx,
                    struct vs_error *err)
{
    struct kcall *k = new_call(c, rq, done, ctx, err);

    if (!k)
        return -1;
    schedule_attempt(k, 0);
    return 0;
}

uint64_t kclient_stream(struct kclient *c, const struct kreq *rq, kstream_data_fn data,
                        kreq_done_fn done, void *ctx, struct vs_error *err)
{
    struct kcall *k = new_call(c, rq, done, ctx, err);

    if (!k)
        return 0;
    k->stream = 1;
    k->data = data;
    schedule_attempt(k, 0);
    return k->id;
}

/* End a cancelled call from the loop (never from inside a libcurl callback). */
static void cancel_cb(void *ctx, void *arg, uint64_t id)
{
    struct kclient *c = ctx;

    (void)arg;
    for (struct kcall *k = c->calls; k; k = k->next)
        if (k->id == id) {
            if (k->easy) {
                attempt_done(k, CURLE_ABORTED_BY_CALLBACK);
            } else if (k->queued) {
                struct kcall **pp = &c->qhead, *last = NULL;

                while (*pp && *pp != k) {
                    last = *pp;
                    pp = &(*pp)->qnext;
                }
                *pp = k->qnext;
                if (c->qtail == k)
                    c->qtail = last;
                finish(k, 0, "cancelled", -1);
            }
            return; /* a call waiting for its start timer ends there */
        }
}

void kclient_cancel(struct kclient *c, uint64_t id)
{
    for (struct kcall *k = c->calls; k; k = k->next)
        if (k->id == id && !k->cancelled) {
            k->cancelled = 1;
            sched_at(evloop_sched(c->loop), clock_mono_ns(), cancel_cb, c, NULL, id);
            return;
        }
}
