#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "faults.h"
#include "metrics.h"
#include "msg.h"
#include "tls.h"

#define MAX_EXTRA_HEADERS 4

/* What a request keeps beside struct req: headers for its reply. */
struct req_full {
    struct req r;
    int delayed; /* an injected latency was applied already */
    char *hdr_name[MAX_EXTRA_HEADERS];
    char *hdr_value[MAX_EXTRA_HEADERS];
    int nhdr;
};

static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
    char buf[512];

    (void)cls;
    vsnprintf(buf, sizeof(buf), fmt, ap);
    buf[strcspn(buf, "\n")] = '\0';
    msg_debug("http: %s", buf);
}

static int constant_time_eq(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char d = (unsigned char)(la != lb);

    for (size_t i = 0; i < la && i < lb; i++)
        d |= (unsigned char)(a[i] ^ b[i]);
    return d == 0;
}

/* Who is asking: 1 and r->user filled, or 0 when nobody we know. */
static int authenticate(struct req *r)
{
    const char *auth = http_header(r, MHD_HTTP_HEADER_AUTHORIZATION);
    const union MHD_ConnectionInfo *ci;
    char cn[128];

    if (auth && strncasecmp(auth, "Bearer ", 7) == 0 && constant_time_eq(auth + 7, r->sim->token)) {
        snprintf(r->user, sizeof(r->user), "token");
        return 1;
    }
    if (!r->sim->ca_cert_pem)
        return 0;
    ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    if (ci && ci->tls_session &&
        sim_tls_peer_identity(ci->tls_session, r->sim->ca_cert_pem, cn, sizeof(cn), NULL) == 1) {
        snprintf(r->user, sizeof(r->user), "%s", cn);
        return 1;
    }
    return 0;
}

static int is_health_path(const char *url)
{
    return strcmp(url, "/healthz") == 0 || strcmp(url, "/livez") == 0 ||
           strcmp(url, "/readyz") == 0;
}

void http_resume_request(void *ctx, void *arg, uint64_t token)
{
    (void)ctx;
    (void)token;
    MHD_resume_connection(arg);
}

/* Injected latency: park the request and come back to it later. */
static int delay_request(struct sim *sim, struct req_full *f)
{
    int64_t d = faults_latency_ns(sim, &f->r);

    f->delayed = 1;
    if (d <= 0)
        return 0;
    MHD_suspend_connection(f->r.conn);
    sched_at(sim->sched, clock_mono_ns() + d, http_resume_request, sim, f->r.conn, 0);
    return 1;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    struct sim *sim = cls;
    struct req_full *f = *con_cls;
    struct req *r;

    (void)version;
    if (!f) {
        f = calloc(1, sizeof(*f));
        if (!f)
            return MHD_NO;
        f->r.sim = sim;
        f->r.conn = conn;
        f->r.method = method;
        f->r.url = url;
        vbuf_init(&f->r.body, HTTP_BODY_MAX);
        *con_cls = f;
        return MHD_YES;
    }
    r = &f->r;
    if (*upload_size) {
        if (!r->too_large && vbuf_add(&r->body, upload_data, *upload_size) < 0)
            r->too_large = 1;
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->replied)
        return MHD_YES; /* a taken-over connection (watch) being resumed */
    if (!is_health_path(url) && !authenticate(r)) {
        r->verb = "GET";
        http_reply_status(r, 401, "Unauthorized", NULL, NULL, NULL, "Unauthorized");
        return MHD_YES;
    }
    if (!f->delayed && delay_request(sim, f))
        return MHD_YES;
    if (r->too_large) {
        http_reply_status(r, 413, "RequestEntityTooLarge", NULL, NULL, NULL,
                          "request body larger than %zu bytes", (size_t)HTTP_BODY_MAX);
        return MHD_YES;
    }
    api_handle(r);
    if (!r->replied)
        http_reply_status(r, 500, "InternalError", NULL, NULL, NULL, "no reply for %s %s", method,
                          url);
    return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct req_full *f = *con_cls;

    (void)cls;
    (void)conn;
    (void)toe;
    if (!f)
        return;
    for (int i = 0; i < f->nhdr; i++) {
        free(f->hdr_name[i]);
        free(f->hdr_value[i]);
    }
    vbuf_release(&f->r.body);
    free(f);
    *con_cls = NULL;
}

int http_start(struct sim *sim, const char *cert_pem, const char *key_pem, struct vs_error *err)
{
    struct sockaddr_in addr;
    unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;

    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)sim->opt.listen_port);
    if (inet_pton(AF_INET, sim->opt.listen_host, &addr.sin_addr) != 1)
        return vs_error_set(err, NULL, 0, 0, "--listen: '%s' is not an IPv4 address",
                            sim->opt.listen_host);
    if (sim->opt.tls)
        flags |= MHD_USE_TLS;
    sim->mhd = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, sim, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, sim, MHD_OPTION_EXTERNAL_LOGGER, mhd_logger,
        NULL, MHD_OPTION_CONNECTION_LIMIT, (unsigned)60000, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)0, MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
        sim->opt.tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, cert_pem,
        MHD_OPTION_HTTPS_MEM_KEY, key_pem, MHD_OPTION_HTTPS_MEM_TRUST, sim->ca_cert_pem,
        MHD_OPTION_END);
    if (!sim->mhd)
        return vs_error_set(err, NULL, 0, 0,
                            "cannot listen on %s:%d (in use, or not an address of this machine)",
                            sim->opt.listen_host, sim->opt.listen_port);
    return 0;
}

void http_stop(struct sim *sim)
{
    if (sim->mhd)
        MHD_stop_daemon(sim->mhd);
    sim->mhd = NULL;
}

int http_port(struct sim *sim)
{
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(sim->mhd, MHD_DAEMON_INFO_BIND_PORT);

    return di ? di->port : sim->opt.listen_port;
}

void http_run(struct sim *sim)
{
    MHD_run(sim->mhd);
}

int http_timeout_ms(struct sim *sim)
{
    MHD_UNSIGNED_LONG_LONG t;

    if (MHD_get_timeout(sim->mhd, &t) != MHD_YES)
        return -1;
    return t > 60000 ? 60000 : (int)t;
}

const char *http_query(struct req *r, const char *key)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *http_header(struct req *r, const char *key)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, key);
}

void http_add_header(struct req *r, const char *name, const char *value)
{
    struct req_full *f = (struct req_full *)r;

    if (f->nhdr == MAX_EXTRA_HEADERS)
        return;
    f->hdr_name[f->nhdr] = strdup(name);
    f->hdr_value[f->nhdr] = strdup(value);
    f->nhdr++;
}

void http_note_status(struct req *r, int status)
{
    r->status = status;
    metrics_count_request(r->sim->metrics, r->verb ? r->verb : r->method, r->group, r->version,
                          r->resource, r->subresource, status);
}

/* Queue `len` bytes at `buf` (malloc'd, taken over) as the reply. */
static void reply(struct req *r, int status, const char *ctype, char *buf, size_t len)
{
    struct req_full *f = (struct req_full *)r;
    struct MHD_Response *resp;

    resp = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(buf);
        return;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    MHD_add_response_header(resp, "Cache-Control", "no-cache, private");
    for (int i = 0; i < f->nhdr; i++)
        MHD_add_response_header(resp, f->hdr_name[i], f->hdr_value[i]);
    MHD_queue_response(r->conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    r->replied = 1;
    http_note_status(r, status);
}

void http_reply_json(struct req *r, int status, cJSON *body)
{
    char *text = cJSON_PrintUnformatted(body);

    cJSON_Delete(body);
    if (!text) {
        text = strdup("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                      "\"message\":\"out of memory\",\"code\":500}");
        status = 500;
    }
    reply(r, status, "application/json", text, text ? strlen(text) : 0);
}

void http_reply_text(struct req *r, int status, const char *content_type, const char *text)
{
    char *copy = strdup(text);

    reply(r, status, content_type, copy, copy ? strlen(copy) : 0);
}

/* A Kubernetes Status object for a failure; details only when one of name, group, kind is set. */
static cJSON *status_new(int code, const char *reason, const char *name, const char *group,
                         const char *kind, const char *message)
{
    cJSON *st = cJSON_CreateObject(), *details;

    cJSON_AddStringToObject(st, "kind", "Status");
    cJSON_AddStringToObject(st, "apiVersion", "v1");
    cJSON_AddItemToObject(st, "metadata", cJSON_CreateObject());
    cJSON_AddStringToObject(st, "status", "Failure");
    cJSON_AddStringToObject(st, "message", message);
    cJSON_AddStringToObject(st, "reason", reason);
    if (name || group || kind) {
        details = cJSON_AddObjectToObject(st, "details");
        if (name)
            cJSON_AddStringToObject(details, "name", name);
        if (group)
            cJSON_AddStringToObject(details, "group", group);
        if (kind)
            cJSON_AddStringToObject(details, "kind", kind);
    }
    cJSON_AddNumberToObject(st, "code", code);
    return st;
}

void http_reply_status(struct req *r, int code, const char *reason, const char *name,
                       const char *group, const char *kind, const char *fmt, ...)
{
    char message[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    http_reply_json(r, code, status_new(code, reason, name, group, kind, message));
}

void http_reply_invalid(struct req *r, const char *name, const char *group, const char *kind,
                        const char *field, const char *message)
{
    char text[1024];
    cJSON *st, *cause = cJSON_CreateObject();

    snprintf(text, sizeof(text), "%s \"%s\" is invalid: %s: %s", kind, name, field, message);
    st = status_new(422, "Invalid", name, group, kind, text);
    cJSON_AddStringToObject(cause, "reason", "FieldValueInvalid");
    cJSON_AddStringToObject(cause, "message", message);
    cJSON_AddStringToObject(cause, "field", field);
    cJSON_AddItemToArray(
        cJSON_AddArrayToObject(cJSON_GetObjectItemCaseSensitive(st, "details"), "causes"), cause);
    http_reply_json(r, 422, st);
}
