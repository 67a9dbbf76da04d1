/*
 * http.h - the simulator's HTTP(S) front: libmicrohttpd in external epoll
 * mode, request bodies gathered up to a cap, authentication (bearer token or
 * TLS client certificate), and replies in Kubernetes' shapes.
 *
 * A `struct req` lives from the first byte of a request until libmicrohttpd
 * says it completed; handlers receive it fully read. A handler must reply
 * exactly once (http_reply_* or by taking over the connection, as a watch
 * does). The request owns its body; a reply takes ownership of the cJSON
 * it is given.
 */
#ifndef SIM_HTTP_H
#define SIM_HTTP_H

#include <cJSON.h>

#include "error.h"
#include "sim.h"
#include "vbuf.h"

/* Request bodies larger than this get 413, as kube-apiserver's 3 MiB limit. */
#define HTTP_BODY_MAX ((size_t)3 << 20)

struct MHD_Connection;

struct req {
    struct sim *sim;
    struct MHD_Connection *conn;
    const char *method;
    const char *url;
    struct vbuf body;
    int too_large;
    char user[128]; /* who authenticated: "token" or the certificate's CN */
    /* filled by the router, used for metrics and logs */
    const char *verb; /* GET LIST WATCH POST PUT PATCH DELETE */
    const char *group, *version, *resource, *subresource;
    int replied;
    int status;
};

/* Start listening as sim->opt says; sim->mhd is set. -1 with err. */
int http_start(struct sim *sim, const char *cert_pem, const char *key_pem, struct vs_error *err);
void http_stop(struct sim *sim);
/* The port actually bound (for --listen HOST:0). */
int http_port(struct sim *sim);

/* Drive libmicrohttpd: call after epoll reports its fd, and on its timeout. */
void http_run(struct sim *sim);
/* The timer that resumes a request delayed by an injected latency (a sched_fn). */
void http_resume_request(void *ctx, void *arg, uint64_t token);
/* Milliseconds until libmicrohttpd needs http_run again, or -1. */
int http_timeout_ms(struct sim *sim);

/* Query parameter (URL-decoded) or header; NULL when absent. */
const char *http_query(struct req *r, const char *key);
const char *http_header(struct req *r, const char *key);

/* Reply with a JSON body (consumed). */
void http_reply_json(struct req *r, int status, cJSON *body);
/* Reply with text (copied) of the given content type. */
void http_reply_text(struct req *r, int status, const char *content_type, const char *text);
/*
 * Reply with a Kubernetes Status object: reason like "NotFound",
 * "AlreadyExists", "Conflict", "Invalid", "Forbidden", "Unauthorized",
 * "MethodNotAllowed", "BadRequest", "Expired", "TooManyRequests"; details
 * name/group/kind may be NULL.
 */
void http_reply_status(struct req *r, int code, const char *reason, const char *name,
                       const char *group, const char *kind, const char *fmt, ...) VS_PRINTF(7, 8);
/*
 * Reply 422 Invalid with one cause (field and message), which kubectl shows as
 * 'The KIND "NAME" is invalid: FIELD: MESSAGE'.
 */
void http_reply_invalid(struct req *r, const char *name, const char *group, const char *kind,
                        const char *field, const char *message);
/* Add a header to the next reply (e.g. Retry-After). Copied. */

void http_add_header(struct req *r, const char *name, const char *value);

/* Record the reply's status for metrics (also done by http_reply_*). */
void http_note_status(struct req *r, int status);

/* The API layer's entry point, implemented in api.c. */
void api_handle(struct req *r);

#endif
