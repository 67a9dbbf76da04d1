/*
 * client.h - the collector's Kubernetes API client: libcurl's multi
 * interface driven by the collector's event loop (evloop.h), so hundreds of
 * requests and the watch streams share one thread.
 *
 * Every attempt of every request is reported to an observer (the collector
 * records it as an api_request event). Credentials go into request headers
 * and TLS settings only; nothing here logs them. Mutations that get 429 or
 * a 5xx are retried with exponential backoff, honouring Retry-After. A
 * client-side rate limit (--qps/--burst) applies when configured; unset,
 * requests go as fast as libcurl can send them (a storm is a storm).
 *
 * Ownership: the client copies what it is given (request strings, bodies,
 * TLS material); response bodies passed to callbacks are valid only during
 * the call.
 */
#ifndef COLLECTOR_CLIENT_H
#define COLLECTOR_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "error.h"
#include "evloop.h"

struct kclient;

struct kclient_config {
    const char *server; /* "https://host:port" */
    const char *ca_pem; /* NULL: the system's CAs */
    int insecure_skip_tls_verify;
    const char *tls_server_name; /* NULL: the server's host */
    const char *token;           /* bearer token, or NULL */
    const char *client_cert_pem, *client_key_pem;
    const char *username, *password;
    double qps, burst;       /* 0: no client-side limit */
    int max_connections;     /* per host; 0: 64 */
    long request_timeout_ms; /* 0: 60 s */
    const char *user_agent;
};

/* A request. Strings are copied. path includes the query string. */
struct kreq {
    const char *method; /* GET POST PUT PATCH DELETE */
    const char *verb;   /* Kubernetes verb: get list watch create update patch delete */
    const char *group, *version, *resource, *subresource, *ns, *name; /* for the record */
    const char *path;
    const char *content_type; /* of the body; NULL: application/json */
    const char *body;
    size_t body_len;
    int retry; /* retry 429/5xx and transport errors but TLS verification (the caller marks) */
    int max_attempts; /* 0: 5 */
    long timeout_ms;  /* 0: the client's default; watches: their own guard */
};

struct kresp {
    int status;       /* HTTP status; 0 when no answer */
    const char *body; /* whole body (not for streams); NUL-terminated */
    size_t len;
    const char *error; /* transport error text, or NULL */
    int attempts;
    long retry_after_s; /* from the last answer, or -1 */
};

/* One attempt, as it happened: for the api_request event. */
struct kattempt {
    const struct kreq *req;
    struct vs_time sent;
    int64_t duration_ns;
    int status;
    const char *error;
    int attempt;
    long retry_after_s;
    uint64_t bytes_sent, bytes_received;
};

typedef void (*kclient_observer_fn)(void *ctx, const struct kattempt *a);
typedef void (*kreq_done_fn)(void *ctx, const struct kresp *resp);
/* Stream data (any chunking); return non-zero to end the stream. */
typedef int (*kstream_data_fn)(void *ctx, const char *data, size_t len);

struct kclient *kclient_new(struct evloop *loop, const struct kclient_config *cfg,
                            struct vs_error *err);
void kclient_free(struct kclient *c);
void kclient_set_observer(struct kclient *c, kclient_observer_fn fn, void *ctx);
/* Replace the bearer token (exec plugins, rotating service-account tokens). */
int kclient_set_token(struct kclient *c, const char *token);

/* Send rq; done is called exactly once, from the loop. 0, or -1 with err. */
int kclient_request(struct kclient *c, const struct kreq *rq, kreq_done_fn done, void *ctx,
                    struct vs_error *err);
/*
 * Open a stream (a watch): data gets the body as it arrives, then done is
 * called once when it ends (status, error). Streams are never retried here:
 * the watcher decides how to resume. Returns an id for kclient_cancel.
 */
uint64_t kclient_stream(struct kclient *c, const struct kreq *rq, kstream_data_fn data,
                        kreq_done_fn done, void *ctx, struct vs_error *err);
/* End a request or stream early: done runs from the loop, with error "cancelled". */

void kclient_cancel(struct kclient *c, uint64_t id);

/*
 * s percent-encoded for a query parameter (all but A-Z a-z 0-9 - _ . ~), as a
 * new string the caller frees; NULL when memory runs out.
 */
char *kclient_escape(const char *s);

/* Requests in flight or waiting (retries, rate limit). */
size_t kclient_pending(const struct kclient *c);

#endif
