/*
 * run.c - setting up a run, recording what the loop delivers, waiting, and
 * the phase summaries. What each phase does is in phases.c.
 */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmdrun.h"
#include "msg.h"
#include "run_int.h"
#include "stats.h"
#include "track.h"

#ifndef VMSTORM_VERSION
#define VMSTORM_VERSION "0.0.0"
#endif

static const char *const phase_names[] = {"namespaces", "create", "stop",
                                          "storm",      "fio",    "cleanup"};

const char *phase_name(enum phase_id p)
{
    return p >= PH_NAMESPACES && p <= PH_CLEANUP ? phase_names[p] : NULL;
}

/* ---- requests ------------------------------------------------------------------ */

struct op *op_new(struct run *r, struct vm *vm, int kind)
{
    struct op *op = calloc(1, sizeof(*op));

    if (!op)
        return NULL;
    op->r = r;
    op->vm = vm;
    op->kind = kind;
    op->next = r->ops;
    if (r->ops)
        r->ops->prev = op;
    r->ops = op;
    return op;
}

void op_free(struct op *op)
{
    if (!op)
        return;
    if (op->prev)
        op->prev->next = op->next;
    else
        op->r->ops = op->next;
    if (op->next)
        op->next->prev = op->prev;
    free(op->body);
    free(op->error);
    free(op);
}

void op_keep(struct op *op, const struct kresp *resp)
{
    op->done = 1;
    op->status = resp->status;
    op->attempts = resp->attempts;
    free(op->body);
    free(op->error);
    op->body = NULL;
    op->error = NULL;
    op->len = 0;
    if (resp->body && (op->body = malloc(resp->len + 1))) {
        memcpy(op->body, resp->body, resp->len);
        op->body[resp->len] = '\0';
        op->len = resp->len;
    }
    if (resp->error)
        op->error = strdup(resp->error);
}

int op_send(struct op *op, const struct kreq *rq, kreq_done_fn done)
{
    struct vs_error err;

    if (kclient_request(op->r->client, rq, done, op, &err) < 0) {
        msg_error("%s %s: %s", rq->method, rq->path, err.msg);
        op_free(op);
        return -1;
    }
    return 0;
}

static void sync_done(void *ctx, const struct kresp *resp)
{
    op_keep(ctx, resp);
}

int run_request_sync(struct run *r, struct op *op, const struct kreq *rq, int64_t timeout_ns)
{
    struct vs_error err;
    int64_t until = clock_mono_ns() + timeout_ns;

    if (kclient_request(r->client, rq, sync_done, op, &err) < 0) {
        op_free(op);
        return vs_error_set(NULL, NULL, 0, 0, "%s", err.msg);
    }
    while (!op->done) {
        if (evloop_run_once(r->loop, 50, &err) < 0 || clock_mono_ns() > until + 5 * NS_PER_S) {
            /* the client's own timeout ends it well before; this is a safety net */
            op->done = 1;
            op->status = 0;
            free(op->error);
            op->error = strdup("no answer");
        }
    }
    return 0;
}

/* The "message" of a Kubernetes Status, or the start of the body, or the transport error. */
void op_describe(const struct op *op, char *buf, size_t n)
{
    cJSON *j;

    if (op->status == 0) {
        snprintf(buf, n, "%s", op->error ? op->error : "no answer");
        return;
    }
    j = op->body ? cJSON_Parse(op->body) : NULL;
    if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "message"))) {
        snprintf(buf, n, "HTTP %d: %s", op->status,
                 cJSON_GetObjectItemCaseSensitive(j, "message")->valuestring);
    } else {
        size_t len = op->body ? strcspn(op->body, "\r\n") : 0;

        snprintf(buf, n, "HTTP %d%s%.*s", op->status, len ? ": " : "", (int)(len > 200 ? 200 : len),
                 op->body ? op->body : "");
    }
    cJSON_Delete(j);
}

/* ---- the VMs ---------------------------------------------------------------- */

struct vm *vm_by_ns(struct run *r, const char *ns)
{
    size_t plen = strlen(r->o->namespace_prefix);
    char *end;
    long i;

    if (strncmp(ns, r->o->namespace_prefix, plen) != 0 || ns[plen] != '-' || ns[plen + 1] < '0' ||
        ns[plen + 1] > '9')
        return NULL;
    errno = 0;
    i = strtol(ns + plen + 1, &end, 10);
    if (errno || *end || i < r->o->start || i > r->o->end ||
        (ns[plen + 1] == '0' && ns[plen + 2] != '\0'))
        return NULL;
    return &r->vms[i - r->o->start];
}

static void set_str(char **dst, const char *src)
{
    if (*dst && src && strcmp(*dst, src) == 0)
        return;
    free(*dst);
    *dst = src ? strdup(src) : NULL;
}

void vm_fail(struct run *r, struct vm *vm, const char *fmt, ...)
{
    char text[600];
    va_list ap;
    cJSON *ctx = cJSON_CreateObject();

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    if (!vm->failed) {
        vm->failed = 1;
        set_str(&vm->why, text);
    }
    cJSON_AddStringToObject(ctx, "namespace", vm->ns);
    cJSON_AddStringToObject(ctx, "name", r->o->vm_name);
    if (phase_name(r->phase))
        cJSON_AddStringToObject(ctx, "phase", phase_name(r->phase));
    rec_note(r->rec, EV_ERROR, "vm_failed", ctx, "%s/%s: %s", vm->ns, r->o->vm_name, text);
    msg_debug("%s/%s: %s", vm->ns, r->o->vm_name, text);
}

void vm_reset_measure(struct vm *vm)
{
    vm->has_origin = 0;
    vm->action = 0;
    vm->running = 0;
    set_str(&vm->vm_failure, NULL);
    vm->probe = VP_NONE;
    set_str(&vm->probe_uid, NULL);
    set_str(&vm->probe_error, NULL);
}

static int measuring(const struct run *r)
{
    return r->phase == PH_CREATE || r->phase == PH_STORM;
}

/* Start what the VM's current state calls for: Running noted, probe started. */
static void vm_evaluate(struct run *r, struct vm *vm, const struct vs_time *when)
{
    struct vs_error err;

    if (!measuring(r) || vm->failed || !vm->vmi_uid || !vm->has_origin)
        return;
    if (vm->old_vmi_uid && strcmp(vm->vmi_uid, vm->old_vmi_uid) == 0)
        return;
    if (!vm->running && vm->vmi_phase && strcmp(vm->vmi_phase, "Running") == 0) {
        vm->running = 1;
        vm->running_at = *when;
    }
    if (vm->running && vm->ip && vm->probe == VP_NONE) {
        if (probe_add(r->prober, vm->ns, r->o->vm_name, vm->vmi_uid, vm->ip, &err) == 0) {
            vm->probe = VP_PROBING;
            set_str(&vm->probe_uid, vm->vmi_uid);
        } else {
            msg_warn("%s/%s: cannot probe %s: %s", vm->ns, r->o->vm_name, vm->ip, err.msg);
        }
    }
}

void run_evaluate_all(struct run *r)
{
    struct vs_time now;

    clock_now(&now);
    for (size_t i = 0; i < r->n_vms; i++)
        vm_evaluate(r, &r->vms[i], &now);
}

/* ---- recording ----------------------------------------------------------------- */

static void on_attempt(void *ctx, const struct kattempt *a)
{
    struct run *r = ctx;
    cJSON *b = rec_api_request_body(a, phase_name(r->phase));

    if (!b)
        return;
    if (!r->rec) {
        /* before the results file exists (describing the cluster): kept until run_begin */
        struct early_req *e = realloc(r->early, (r->n_early + 1) * sizeof(*e));

        if (!e) {
            cJSON_Delete(b);
            return;
        }
        r->early = e;
        r->early[r->n_early++] = (struct early_req){a->sent, b};
        return;
    }
    rec_emit(r->rec, EV_API_REQUEST, &a->sent, b);
}

/* The requests made before the results file existed, right after run_begin. */
static void emit_early(struct run *r)
{
    for (size_t i = 0; i < r->n_early; i++)
        rec_emit(r->rec, EV_API_REQUEST, &r->early[i].t, r->early[i].body);
    free(r->early);
    r->early = NULL;
    r->n_early = 0;
}

/* The run's bookkeeping for a VM or VMI change the watch thread saw. */
static void apply_change(struct run *r, const struct wt_msg *m)
{
    struct vm *vm = m->ns ? vm_by_ns(r, m->ns) : NULL;
    const char *uid = m->uid;

    if (!vm || !m->name || !uid || strcmp(m->name, r->o->vm_name) != 0)
        return;
    if (m->res == TRACK_VM) {
        if (strcmp(m->type, "DELETED") == 0)
            return;
        set_str(&vm->vm_uid, uid);
        set_str(&vm->run_strategy, m->now.v[1]);
        if (vm->has_origin && measuring(r) && track_vm_status_failed(m->now.v[0]))
            set_str(&vm->vm_failure, m->now.v[0]);
    } else if (m->res == TRACK_VMI) {
        if (strcmp(m->type, "DELETED") == 0) {
            if (vm->vmi_uid && strcmp(vm->vmi_uid, uid) == 0) {
                set_str(&vm->vmi_uid, NULL);
                set_str(&vm->vmi_phase, NULL);
                set_str(&vm->ip, NULL);
            }
            if (vm->probe == VP_PROBING && vm->probe_uid && strcmp(vm->probe_uid, uid) == 0)
                probe_cancel(r->prober, uid);
            return;
        }
        set_str(&vm->vmi_uid, uid);
        set_str(&vm->vmi_phase, m->now.v[0]);
        set_str(&vm->ip, m->now.v[2]);
        vm_evaluate(r, vm, &m->t);
    }
}

/* A message of the watch thread, in the main thread: record it, then act on it. */
static void on_watch_msg(void *ctx, struct wt_msg *m)
{
    struct run *r = ctx;

    switch (m->kind) {
    case WT_CHANGE:
        rec_emit(r->rec, EV_WATCH_EVENT, &m->t, m->body);
        m->body = NULL;
        apply_change(r, m);
        break;
    case WT_RESTART:
        msg_debug("watch of %s: %s, %s",
                  cJSON_GetStringValue(cJSON_GetObjectItem(m->body, "resource")),
                  cJSON_GetStringValue(cJSON_GetObjectItem(m->body, "reason")),
                  cJSON_GetStringValue(cJSON_GetObjectItem(m->body, "action")));
        rec_emit(r->rec, EV_WATCH_RESTART, &m->t, m->body);
        m->body = NULL;
        break;
    case WT_ATTEMPT:
        if (phase_name(r->phase))
            cJSON_AddStringToObject(m->body, "phase", phase_name(r->phase));
        rec_emit(r->rec, EV_API_REQUEST, &m->t, m->body);
        m->body = NULL;
        break;
    case WT_WARNING:
        rec_emit(r->rec, EV_WARNING, &m->t, m->body);
        m->body = NULL;
        break;
    case WT_SYNCED:
        r->watches_synced = 1;
        break;
    }
    wt_msg_free(m);
}

/* With --skip-vm-creation the watches have no label selector: keep the run's namespaces. */
static int watch_filter(void *ctx, const char *ns)
{
    return vm_by_ns(ctx, ns) != NULL;
}

static void on_probe(void *ctx, const struct probe_result *p)
{
    struct run *r = ctx;
    struct vm *vm = vm_by_ns(r, p->ns);
    cJSON *b = cJSON_CreateObject();
    char target[16];

    if (b) {
        cJSON_AddStringToObject(b, "namespace", p->ns);
        cJSON_AddStringToObject(b, "name", p->name);
        cJSON_AddStringToObject(b, "uid", p->uid);
        cJSON_AddStringToObject(b, "ip", p->ip);
        cJSON_AddStringToObject(b, "method", probe_method_name(p->method));
        cJSON_AddStringToObject(b, "result", p->result);
        cJSON_AddNumberToObject(b, "attempts", p->attempts);
        cJSON_AddNumberToObject(b, "waited_ns", (double)p->waited_ns);
        if (p->method == PROBE_TCP) {
            snprintf(target, sizeof(target), "%d", r->o->probe_port);
            cJSON_AddStringToObject(b, "target", target);
        } else if (p->method == PROBE_EXEC) {
            cJSON_AddStringToObject(b, "target", r->o->probe_exec);
        }
        if (p->rtt_ns >= 0)
            cJSON_AddNumberToObject(b, "rtt_ns", (double)p->rtt_ns);
        if (p->last_error && *p->last_error)
            cJSON_AddStringToObject(b, "last_error", p->last_error);
        if (phase_name(r->phase))
            cJSON_AddStringToObject(b, "phase", phase_name(r->phase));
        rec_emit(r->rec, EV_PROBE, &p->at, b);
    }
    if (!vm || !vm->probe_uid || strcmp(vm->probe_uid, p->uid) != 0 || vm->probe != VP_PROBING)
        return;
    if (strcmp(p->result, "ready") == 0) {
        vm->probe = VP_READY;
        vm->ready_at = p->at;
    } else if (strcmp(p->result, "timeout") == 0) {
        vm->probe = VP_TIMEOUT;
    } else if (strcmp(p->result, "error") == 0) {
        vm->probe = VP_ERROR;
    } else {
        vm->probe = VP_NONE; /* cancelled: the VMI went away; a new one starts over */
    }
    set_str(&vm->probe_error, p->last_error);
}

/* ---- signals ---------------------------------------------------------------- */

static volatile sig_atomic_t sig_count;
static int sig_write_fd = -1;

static void on_signal(int sig)
{
    int saved = errno;
    char c = (char)sig;

    if (sig_count++ > 0 && sig == SIGINT)
        _exit(130); /* a second Ctrl-C: every line written is already in the kernel */
    if (sig_write_fd >= 0 && write(sig_write_fd, &c, 1) < 0) {
        /* the pipe is full: a signal is pending anyway */
    }
    errno = saved;
}

static void on_signal_fd(void *ctx, int fd, uint32_t events)
{
    struct run *r = ctx;
    char buf[16];
    ssize_t n = read(fd, buf, sizeof(buf));

    (void)events;
    if (n <= 0 || r->interrupted)
        return;
    r->interrupted = 1;
    msg_warn("%s: ending the %s phase%s (press Ctrl-C again to exit at once)",
             buf[0] == SIGINT ? "interrupted" : "terminated",
             phase_name(r->phase) ? phase_name(r->phase) : "current",
             r->o->cleanup || r->o->cleanup_on_failure ? ", then cleaning up" : "");
    rec_note(r->rec, EV_WARNING, "interrupted", NULL, "%s",
             buf[0] == SIGINT ? "SIGINT received" : "SIGTERM received");
}

static int signals_setup(struct run *r, struct vs_error *err)
{
    struct sigaction sa;

    if (pipe2(r->sig_fd, O_CLOEXEC | O_NONBLOCK) < 0)
        return vs_error_setc(err, errno, NULL, 0, 0, "pipe: %s", strerror(errno));
    if (evloop_add(r->loop, r->sig_fd[0], EPOLLIN, on_signal_fd, r, err) < 0)
        return -1;
    sig_write_fd = r->sig_fd[1];
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN); /* a file size limit is a write error, not a kill */
    return 0;
}

/* ---- credentials that change ---------------------------------------------------- */

/* A new bearer token for both clients (and for a watch thread started later). */
static void token_set(struct run *r, const char *token)
{
    char *copy = strdup(token);

    if (!copy)
        return;
    if (r->conn->token) {
        explicit_bzero(r->conn->token, strlen(r->conn->token));
        free(r->conn->token);
    }
    r->conn->token = copy;
    r->client_cfg.token = copy;
    if (r->client)
        kclient_set_token(r->client, copy);
    if (r->wt)
        watchthread_set_token(r->wt, copy);
}

static int64_t exec_refresh(struct run *r, struct vs_error *err)
{
    struct kube_exec_result res;
    int64_t now = clock_wall_ns(), life;

    if (kube_exec_run(r->conn->exec, 0, &res, err) < 0)
        return -1;
    if (res.token)
        token_set(r, res.token);
    if (!res.token && res.client_cert_pem && !r->client) {
        free(r->conn->client_cert_pem);
        free(r->conn->client_key_pem);
        r->conn->client_cert_pem = strdup(res.client_cert_pem);
        r->conn->client_key_pem = strdup(res.client_key_pem);
    }
    life = res.expires_ns > now ? res.expires_ns - now : 0;
    kube_exec_result_release(&res);
    /* refresh at 80% of the lifetime (client-go refreshes on expiry; earlier is kinder) */
    return life ? clock_mono_ns() + life / 5 * 4 : 0;
}

static void token_file_reload(struct run *r)
{
    FILE *f = fopen(r->conn->token_file, "re");
    char buf[8192];
    size_t n;

    if (!f)
        return;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
        n--;
    buf[n] = '\0';
    if (n && (!r->conn->token || strcmp(buf, r->conn->token) != 0))
        token_set(r, buf);
    explicit_bzero(buf, sizeof(buf));
}

static void credentials_tick(struct run *r)
{
    struct vs_error err;

    if (!r->token_refresh_at || clock_mono_ns() < r->token_refresh_at)
        return;
    if (r->conn->exec) {
        r->token_refresh_at = exec_refresh(r, &err);
        if (r->token_refresh_at < 0) {
            msg_warn("refreshing credentials: %s", err.msg);
            r->token_refresh_at = clock_mono_ns() + 10 * NS_PER_S;
        }
    } else if (r->conn->token_file) {
        token_file_reload(r);
        r->token_refresh_at = clock_mono_ns() + 60 * NS_PER_S;
    }
}

/* ---- waiting ------------------------------------------------------------------- */

static void progress(struct run *r, int final)
{
    size_t created = 0, running = 0, ready = 0, failed = 0, gone = 0;
    double elapsed = (double)(clock_mono_ns() - r->phase_t0) / 1e9;
    char line[256];

    if (msg_level() < MSG_INFO || !phase_name(r->phase))
        return;
    for (size_t i = 0; i < r->n_vms; i++) {
        const struct vm *vm = &r->vms[i];

        created += vm->created;
        running += vm->running;
        ready += vm->probe == VP_READY;
        failed += vm->failed || vm->probe == VP_TIMEOUT || vm->probe == VP_ERROR;
        gone += !vm->vmi_uid;
    }
    if (r->phase == PH_NAMESPACES) {
        size_t made = 0;

        for (size_t i = 0; i < r->n_vms; i++)
            made += r->vms[i].ns_ok;
        snprintf(line, sizeof(line), "%s: %zu | created %zu | failed %zu | %.1f s",
                 phase_name(r->phase), r->n_vms, made, failed, elapsed);
    } else if (r->phase == PH_STOP)
        snprintf(line, sizeof(line), "%s: %zu VMs | stopped %zu | %.1f s", phase_name(r->phase),
                 r->n_vms, gone, elapsed);
    else
        snprintf(line, sizeof(line),
                 "%s: %zu VMs | created %zu | running %zu | ready %zu | failed %zu | %.1f s",
                 phase_name(r->phase), r->n_vms, created, running, ready, failed, elapsed);
    if (r->tty) {
        fprintf(stderr, "\r\033[K%s%s", line, final ? "\n" : "");
        r->progress_shown = !final;
    } else if (!final) {
        msg_info("%s", line);
    }
}

int run_pump(struct run *r, int (*done)(struct run *), int64_t deadline)
{
    struct vs_error err;
    int64_t next_check = 0;

    for (;;) {
        int64_t now = clock_mono_ns();

        if (rec_failed(r->rec)) {
            r->fatal = 1;
            return -1;
        }
        if (now >= next_check) {
            if (done && done(r))
                return 0;
            next_check = now + 20 * NS_PER_MS;
        }
        if (r->interrupted)
            return 2;
        if (deadline && now >= deadline)
            return 1;
        if (now >= r->next_progress) {
            progress(r, 0);
            r->next_progress = now + (r->tty ? NS_PER_S / 2 : 10 * NS_PER_S);
        }
        credentials_tick(r);
        if (evloop_run_once(r->loop, 20, &err) < 0) {
            msg_report(&err);
            r->fatal = 1;
            return -1;
        }
    }
}

/* ---- phases: begin, end, summary ------------------------------------------------ */

void phase_begin(struct run *r, enum phase_id p, size_t vms)
{
    cJSON *b = cJSON_CreateObject();

    r->phase = p;
    r->phase_t0 = clock_mono_ns();
    r->next_progress = r->phase_t0 + (r->tty ? NS_PER_S / 2 : 10 * NS_PER_S);
    cJSON_AddStringToObject(b, "phase", phase_name(p));
    cJSON_AddNumberToObject(b, "vms", (double)vms);
    rec_emit(r->rec, EV_PHASE_BEGIN, NULL, b);
    msg_info("phase %s: %zu VMs", phase_name(p), vms);
    scrape_all(r, "begin");
}

void phase_end(struct run *r, const char *status, cJSON *counts)
{
    cJSON *b = cJSON_CreateObject();

    if (r->progress_shown)
        progress(r, 1);
    r->progress_shown = 0;
    scrape_all(r, "end");
    cJSON_AddStringToObject(b, "phase", phase_name(r->phase));
    cJSON_AddStringToObject(b, "status", status);
    if (counts)
        cJSON_AddItemToObject(b, "counts", counts);
    {
        /* for --save-results */
        cJSON *p = cJSON_Duplicate(b, 1);

        if (p && r->phase_stats)
            cJSON_AddItemToObject(p, "seconds", r->phase_stats);
        else
            cJSON_Delete(r->phase_stats);
        r->phase_stats = NULL;
        if (p && !r->summary)
            r->summary = cJSON_CreateArray();
        if (p)
            cJSON_AddItemToArray(r->summary, p);
    }
    rec_emit(r->rec, EV_PHASE_END, NULL, b);
    if (rec_sync(r->rec) < 0)
        r->fatal = 1;
    r->phase = PH_NONE;
}

static void fmt_secs(char *buf, size_t n, double v)
{
    if (isnan(v))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.2fs", v);
}

/* One milestone's figures, in seconds, for --save-results (null where there is no value). */
static cJSON *stats_json(const struct stats_summary *m)
{
    cJSON *o = cJSON_CreateObject();
    const struct {
        const char *key;
        double v;
    } f[] = {{"avg_s", m->mean}, {"p50_s", m->p50}, {"p95_s", m->p95},
             {"p99_s", m->p99},  {"min_s", m->min}, {"max_s", m->max}};

    cJSON_AddNumberToObject(o, "count", (double)m->count);
    cJSON_AddNumberToObject(o, "ok", (double)m->ok);
    cJSON_AddNumberToObject(o, "missed", (double)m->censored);
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
        if (isnan(f[i].v))
            cJSON_AddNullToObject(o, f[i].key);
        else
            cJSON_AddNumberToObject(o, f[i].key, f[i].v);
    }
    return o;
}

static void summary_row(struct run *r, const char *label, struct stats *s)
{
    struct stats_summary m;
    char avg[24], p50[24], p95[24], max[24];

    stats_summarize(s, &m);
    if (!r->phase_stats)
        r->phase_stats = cJSON_CreateObject();
    cJSON_AddItemToObject(r->phase_stats, label, stats_json(&m));
    fmt_secs(avg, sizeof(avg), m.mean);
    fmt_secs(p50, sizeof(p50), m.p50);
    fmt_secs(p95, sizeof(p95), m.p95);
    fmt_secs(max, sizeof(max), m.max);
    printf("  %-8s %6zu %6zu %7zu %9s %9s %9s %9s\n", label, m.count, m.ok, m.censored, avg, p50,
           p95, max);
}

static double since(const struct vs_time *origin, const struct vs_time *t)
{
    return (double)(t->mono_ns - origin->mono_ns) / 1e9;
}

enum outcome { OUT_NONE, OUT_READY, OUT_FAILED, OUT_TIMED_OUT };

/* How vm's start in this phase ended, and for the summary why it is not ready. */
static enum outcome vm_outcome(const struct run *r, const struct vm *vm, char *why, size_t n)
{
    if (vm->failed && !vm->has_origin) {
        snprintf(why, n, "%s", r->phase == PH_CREATE && vm->why ? vm->why : "not created");
        return OUT_FAILED;
    }
    if (!vm->has_origin)
        return OUT_NONE; /* not part of this phase */
    if (vm->probe == VP_READY)
        return OUT_READY;
    if (vm->probe == VP_ERROR) {
        snprintf(why, n, "probe error");
        return OUT_FAILED;
    }
    if (vm->failed) {
        snprintf(why, n, "failed%s%s", vm->why ? ": " : "", vm->why ? vm->why : "");
        return OUT_FAILED;
    }
    if (vm->vm_failure) {
        snprintf(why, n, "failed: the VM is %s", vm->vm_failure);
        return OUT_FAILED;
    }
    snprintf(why, n, "%s %s", r->interrupted ? "interrupted" : "timed out",
             !vm->running ? "before Running"
             : !vm->ip    ? "without an IP address"
                          : "waiting for the probe");
    return OUT_TIMED_OUT;
}

cJSON *phase_summary(struct run *r, const char **status)
{
    struct stats *run_s = stats_new(), *ready_s = stats_new();
    size_t count[4] = {0}, vms;
    double elapsed = (double)(clock_mono_ns() - r->phase_t0) / 1e9;
    int show_all = msg_level() >= MSG_DEBUG;
    char why[300];
    cJSON *counts = cJSON_CreateObject();

    for (size_t i = 0; i < r->n_vms; i++)
        count[vm_outcome(r, &r->vms[i], why, sizeof(why))]++;
    if (strcmp(*status, "ok") == 0 && (count[OUT_FAILED] || count[OUT_TIMED_OUT]))
        *status = count[OUT_FAILED] ? "failed" : "timeout";
    vms = count[OUT_READY] + count[OUT_FAILED] + count[OUT_TIMED_OUT];
    printf("\n%s: %s after %.1f s\n", phase_name(r->phase), *status, elapsed);
    for (size_t i = 0; i < r->n_vms; i++) {
        struct vm *vm = &r->vms[i];
        char rs[24] = "-", ds[24] = "-";
        enum outcome o = vm_outcome(r, vm, why, sizeof(why));

        if (o == OUT_NONE)
            continue;
        if (vm->failed && !vm->has_origin) {
            if (r->phase == PH_CREATE)
                printf("  %s/%s: failed: %s\n", vm->ns, r->o->vm_name, why);
            continue;
        }
        if (vm->running) {
            stats_add(run_s, since(&vm->origin, &vm->running_at));
            fmt_secs(rs, sizeof(rs), since(&vm->origin, &vm->running_at));
        } else {
            stats_add_censored(run_s);
        }
        if (o == OUT_READY) {
            stats_add(ready_s, since(&vm->origin, &vm->ready_at));
            fmt_secs(ds, sizeof(ds), since(&vm->origin, &vm->ready_at));
        } else {
            stats_add_censored(ready_s);
        }
        if (show_all || o != OUT_READY)
            printf("  %s/%s: running %s, ready %s%s%s%s%s\n", vm->ns, r->o->vm_name, rs, ds,
                   o != OUT_READY ? " - " : "", o != OUT_READY ? why : "",
                   vm->probe_error ? ": " : "", vm->probe_error ? vm->probe_error : "");
    }
    printf("  %-8s %6s %6s %7s %9s %9s %9s %9s\n", "", "count", "ok", "missed", "avg", "P50", "P95",
           "max");
    summary_row(r, "Running", run_s);
    summary_row(r, "ready", ready_s);
    printf("  %zu VMs: %zu ready, %zu failed, %zu %s\n", vms, count[OUT_READY], count[OUT_FAILED],
           count[OUT_TIMED_OUT], r->interrupted ? "not ready when interrupted" : "timed out");
    fflush(stdout);
    stats_free(run_s);
    stats_free(ready_s);
    cJSON_AddNumberToObject(counts, "vms", (double)vms);
    cJSON_AddNumberToObject(counts, "ok", (double)count[OUT_READY]);
    cJSON_AddNumberToObject(counts, "failed", (double)count[OUT_FAILED]);
    cJSON_AddNumberToObject(counts, "timed_out", (double)count[OUT_TIMED_OUT]);
    return counts;
}

/* ---- describing the cluster ------------------------------------------------------- */

cJSON *run_get_json(struct run *r, const struct kreq *rq, int *status, char *why, size_t why_n)
{
    struct op *op = op_new(r, NULL, 0);
    int64_t timeout = (rq->timeout_ms > 0 ? rq->timeout_ms : 30000) * NS_PER_MS;
    cJSON *j = NULL;

    if (!op || run_request_sync(r, op, rq, timeout) < 0) {
        snprintf(why, why_n, "cannot send the request");
        *status = 0;
        return NULL;
    }
    *status = op->status;
    if (op->status == 200)
        j = cJSON_Parse(op->body ? op->body : "");
    if (!j)
        op_describe(op, why, why_n);
    op_free(op);
    return j;
}

static cJSON *get_json(struct run *r, const char *path, const char *resource, const char *verb,
                       int *status, char *why, size_t why_n)
{
    struct kreq rq = {.method = "GET",
                      .verb = verb,
                      .resource = resource,
                      .version = resource ? "v1" : NULL,
                      .path = path,
                      .timeout_ms = 15000,
                      .retry = 1, /* a 429 or 503 at the start must not end the run */
                      .max_attempts = 4};

    return run_get_json(r, &rq, status, why, why_n);
}

static int node_ready(const cJSON *node)
{
    const cJSON *c;
    const cJSON *conds = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(node, "status"), "conditions");

    cJSON_ArrayForEach(c, conds)
    {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(c, "type");
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(c, "status");

        if (cJSON_IsString(type) && strcmp(type->valuestring, "Ready") == 0)
            return cJSON_IsString(st) && strcmp(st->valuestring, "True") == 0;
    }
    return 0;
}

static int node_schedulable(const cJSON *node)
{
    return !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(node, "spec"), "unschedulable"));
}

static cJSON *node_describe(const cJSON *node, int *control_plane)
{
    cJSON *o = cJSON_CreateObject(), *roles = cJSON_CreateArray(), *cap = cJSON_CreateObject();
    const cJSON *labels = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(node, "metadata"), "labels");
    const cJSON *c, *l;
    static const char role_prefix[] = "node-role.kubernetes.io/";

    *control_plane = 0;
    cJSON_AddStringToObject(o, "name", track_meta(node, "name"));
    cJSON_AddBoolToObject(o, "ready", node_ready(node));
    cJSON_AddBoolToObject(o, "schedulable", node_schedulable(node));
    cJSON_ArrayForEach(l, labels)
    {
        if (strncmp(l->string, role_prefix, sizeof(role_prefix) - 1) == 0 &&
            l->string[sizeof(role_prefix) - 1]) {
            const char *role = l->string + sizeof(role_prefix) - 1;

            cJSON_AddItemToArray(roles, cJSON_CreateString(role));
            if (strcmp(role, "control-plane") == 0 || strcmp(role, "master") == 0)
                *control_plane = 1;
        }
    }
    cJSON_AddItemToObject(o, "roles", roles);
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(
                              cJSON_GetObjectItemCaseSensitive(node, "status"), "capacity"))
    {
        if (cJSON_IsString(c))
            cJSON_AddStringToObject(cap, c->string, c->valuestring);
    }
    cJSON_AddItemToObject(o, "capacity", cap);
    return o;
}

/*
 * The nodes for run_begin, and --single-node's choice: --node-name must be
 * a Ready node; otherwise a random Ready, schedulable node that is not a
 * control-plane node.
 */
static int describe_nodes(struct run *r, cJSON *cluster, struct vs_error *err)
{
    int status;
    char why[300];
    cJSON *list = get_json(r, "/api/v1/nodes", "nodes", "list", &status, why, sizeof(why));
    cJSON *nodes = cJSON_AddArrayToObject(cluster, "nodes");
    const cJSON *n;
    const char *pick[4096];
    size_t n_pick = 0;
    int found = 0;

    if (!list) {
        if (r->o->single_node)
            return vs_error_set(err, NULL, 0, 0, "listing the nodes for --single-node: %s", why);
        msg_warn("cannot list the nodes (%s): run_begin will not describe them", why);
        return 0;
    }
    cJSON_ArrayForEach(n, cJSON_GetObjectItemCaseSensitive(list, "items"))
    {
        int cp;
        const char *name = track_meta(n, "name");

        if (!name)
            continue;
        cJSON_AddItemToArray(nodes, node_describe(n, &cp));
        if (r->o->node_name && strcmp(name, r->o->node_name) == 0) {
            found = 1;
            if (!node_ready(n)) {
                cJSON_Delete(list);
                return vs_error_set(err, NULL, 0, 0, "--node-name: node '%s' is not Ready", name);
            }
        }
        if (node_ready(n) && node_schedulable(n) && !cp && n_pick < 4096)
            pick[n_pick++] = name;
    }
    if (r->o->single_node) {
        if (r->o->node_name && !found) {
            cJSON_Delete(list);
            return vs_error_set(err, NULL, 0, 0, "--node-name: no node named '%s' in the cluster",
                                r->o->node_name);
        }
        if (!r->o->node_name) {
            if (!n_pick) {
                cJSON_Delete(list);
                return vs_error_set(err, NULL, 0, 0,
                                    "--single-node: no Ready, schedulable worker node; name one "
                                    "with --node-name");
            }
            srand((unsigned)(clock_wall_ns() ^ getpid()));
            r->node_name = strdup(pick[(size_t)rand() % n_pick]);
            r->o->node_name = r->node_name;
            msg_info("--single-node: every VM goes to node %s", r->node_name);
        }
    }
    cJSON_Delete(list);
    return 0;
}

/* /version must answer: the first request, so it is where an unreachable cluster shows. */
static int describe_cluster(struct run *r, cJSON *cluster, struct vs_error *err)
{
    int status;
    char why[300];
    cJSON *v = get_json(r, "/version", NULL, "get", &status, why, sizeof(why));
    const cJSON *commit;

    if (!v) {
        if (status == 0 && (strstr(why, "certificate") || strstr(why, "SSL peer")))
            return vs_error_set(err, NULL, 0, 0,
                                "the API server at %s is not trusted: %s; the kubeconfig's "
                                "certificate-authority must be the CA that signed the server's "
                                "certificate (or the server is not the one meant)",
                                r->conn->server, why);
        if (status == 0)
            return vs_error_set(err, NULL, 0, 0,
                                "cannot reach the API server at %s: %s; check that the cluster is "
                                "up and the kubeconfig's server is right",
                                r->conn->server, why);
        if (status == 401 || status == 403)
            return vs_error_set(err, NULL, 0, 0,
                                "the API server at %s refused the credentials of %s (%s); log in "
                                "again or check --context",
                                r->conn->server,
                                r->conn->source ? r->conn->source : "the kubeconfig", why);
        return vs_error_set(err, NULL, 0, 0, "GET %s/version: %s", r->conn->server, why);
    }
    commit = cJSON_GetObjectItemCaseSensitive(v, "gitCommit");
    r->simulated = cJSON_IsString(commit) && strncmp(commit->valuestring, "vmstorm-sim", 11) == 0;
    cJSON_AddStringToObject(cluster, "server", r->conn->server);
    cJSON_AddItemToObject(cluster, "version", v);
    {
        cJSON *kv = get_json(r, "/apis/subresources.kubevirt.io/v1/version", NULL, "get", &status,
                             why, sizeof(why));
        const cJSON *gv = cJSON_GetObjectItemCaseSensitive(kv, "gitVersion");

        if (cJSON_IsString(gv))
            cJSON_AddStringToObject(cluster, "kubevirt_version", gv->valuestring);
        else
            cJSON_AddNullToObject(cluster, "kubevirt_version");
        cJSON_Delete(kv);
    }
    return describe_nodes(r, cluster, err);
}

static cJSON *clock_json(void)
{
    cJSON *c = cJSON_CreateObject();
    char host[256] = "unknown";

    gethostname(host, sizeof(host) - 1);
    cJSON_AddStringToObject(c, "host", host);
    cJSON_AddStringToObject(c, "wall_clock", "CLOCK_REALTIME");
    cJSON_AddStringToObject(c, "mono_clock", "CLOCK_MONOTONIC");
    cJSON_AddNumberToObject(c, "resolution_ns", (double)clock_resolution_ns());
    return c;
}

/* ---- the run ------------------------------------------------------------------------ */

static int make_parent_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];

    if (!slash || slash == path || (size_t)(slash - path) >= sizeof(dir))
        return 0;
    memcpy(dir, path, (size_t)(slash - path));
    dir[slash - path] = '\0';
    if (mkdir(dir, 0755) < 0 && errno != EEXIST)
        return -1;
    return 0;
}

static int client_setup(struct run *r, struct vs_error *err)
{
    struct kube_conn *c = r->conn;
    struct kclient_config cfg = {
        .server = c->server,
        .ca_pem = c->ca_pem,
        .insecure_skip_tls_verify = c->insecure_skip_tls_verify,
        .tls_server_name = c->tls_server_name,
        .token = c->token,
        .client_cert_pem = c->client_cert_pem,
        .client_key_pem = c->client_key_pem,
        .username = c->username,
        .password = c->password,
        .qps = r->o->qps,
        .burst = r->o->burst,
        .user_agent = "vmstorm-collect/" VMSTORM_VERSION,
    };

    if (c->insecure_skip_tls_verify)
        msg_warn("the kubeconfig sets insecure-skip-tls-verify: the API server's certificate is "
                 "NOT checked, and anyone on the path can read the credentials and the results");
    if (c->exec) {
        r->token_refresh_at = exec_refresh(r, err);
        if (r->token_refresh_at < 0)
            return -1;
        cfg.token = c->token;
        cfg.client_cert_pem = c->client_cert_pem;
        cfg.client_key_pem = c->client_key_pem;
    } else if (c->token_file) {
        r->token_refresh_at = clock_mono_ns() + 60 * NS_PER_S;
    }
    r->client = kclient_new(r->loop, &cfg, err);
    if (!r->client)
        return -1;
    kclient_set_observer(r->client, on_attempt, r);
    /* the watch thread's client: the same, without the rate limit (its lists are few) */
    r->client_cfg = cfg;
    r->client_cfg.qps = r->client_cfg.burst = 0;
    return 0;
}

static int emit_run_begin(struct run *r, cJSON *cluster)
{
    cJSON *b = cJSON_CreateObject(), *tool = cJSON_CreateObject();
    char when[RFC3339_BUFSZ];
    struct vs_time now;

    clock_now(&now);
    rfc3339_format(now.wall_ns, 3, when, sizeof(when));
    cJSON_AddStringToObject(b, "run_id", r->o->run_id);
    cJSON_AddStringToObject(tool, "name", "vmstorm-collect");
    cJSON_AddStringToObject(tool, "version", VMSTORM_VERSION);
    cJSON_AddItemToObject(b, "tool", tool);
    cJSON_AddBoolToObject(b, "simulated", r->simulated);
    cJSON_AddStringToObject(b, "started_at", when);
    cJSON_AddStringToObject(b, "run_label", r->run_label);
    cJSON_AddItemToObject(b, "config", collect_options_to_json(r->o));
    cJSON_AddItemToObject(b, "cluster", cluster);
    cJSON_AddItemToObject(b, "clock", clock_json());
    return rec_emit(r->rec, EV_RUN_BEGIN, &now, b);
}

static int all_synced(struct run *r)
{
    return r->watches_synced;
}

static int watches_start(struct run *r, struct vs_error *err)
{
    r->wt = watchthread_start(&r->client_cfg, r->selector, r->loop, on_watch_msg,
                              r->selector[0] ? NULL : watch_filter, r, err);
    if (!r->wt)
        return -1;
    if (run_pump(r, all_synced, clock_mono_ns() + 60 * NS_PER_S) != 0)
        return vs_error_set(err, NULL, 0, 0,
                            "the watches of VMs, VMIs, DataVolumes and pods did not list within "
                            "60 s");
    return 0;
}

static int probe_setup(struct run *r, struct vs_error *err)
{
    struct probe_config pc = {
        .method = r->o->probe == OPT_PROBE_TCP    ? PROBE_TCP
                  : r->o->probe == OPT_PROBE_EXEC ? PROBE_EXEC
                                                  : PROBE_ICMP,
        .tcp_port = r->o->probe_port,
        .exec_template = r->o->probe_exec,
        .interval_ns = (int64_t)(r->o->probe_interval_s * 1e9),
        .give_up_ns = (int64_t)(r->o->ping_timeout_s * 1e9),
        .max_concurrent_exec = (int)r->o->concurrency,
    };

    r->prober = prober_new(r->loop, &pc, on_probe, r, err);
    return r->prober ? 0 : -1;
}

static void run_free(struct run *r)
{
    watchthread_stop(r->wt);
    prober_free(r->prober);
    cmdrun_free(r->fio);
    for (size_t i = 0; i < r->n_srcs; i++) {
        if (r->srcs[i].own)
            kclient_free(r->srcs[i].c);
        free(r->srcs[i].source);
        free(r->srcs[i].url);
        free(r->srcs[i].path);
    }
    free(r->srcs);
    kclient_free(r->client);
    while (r->ops)
        op_free(r->ops);
    if (r->sig_fd[0] > 0) {
        sig_write_fd = -1;
        evloop_del(r->loop, r->sig_fd[0]);
        close(r->sig_fd[0]);
        close(r->sig_fd[1]);
    }
    evloop_free(r->loop);
    for (size_t i = 0; i < r->n_vms; i++) {
        struct vm *vm = &r->vms[i];

        free(vm->why);
        cJSON_Delete(vm->objects);
        for (size_t k = 0; k < vm->n_made; k++) {
            free(vm->made[k].name);
            free(vm->made[k].uid);
        }
        free(vm->made);
        free(vm->vm_uid);
        free(vm->run_strategy);
        free(vm->vm_failure);
        free(vm->vmi_uid);
        free(vm->vmi_phase);
        free(vm->ip);
        free(vm->old_vmi_uid);
        free(vm->resume_strategy);
        free(vm->probe_uid);
        free(vm->probe_error);
    }
    free(r->vms);
    free(r->node_name);
}

/*
 * --save-results: the figures of each phase, as printed, in RESULTS.summary.json
 * (RESULTS without its .ndjson), written to a temporary file and renamed.
 */
static int save_summary(struct run *r, const char *status)
{
    char path[4096], tmp[4200];
    size_t n = strlen(r->o->output);
    cJSON *o = cJSON_CreateObject();
    char *text;
    FILE *f;
    int ok;

    if (n > 7 && strcmp(r->o->output + n - 7, ".ndjson") == 0)
        n -= 7;
    snprintf(path, sizeof(path), "%.*s.summary.json", (int)n, r->o->output);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    cJSON_AddStringToObject(o, "run_id", r->o->run_id);
    cJSON_AddStringToObject(o, "results", r->o->output);
    cJSON_AddStringToObject(o, "status", status);
    cJSON_AddNumberToObject(o, "vms", (double)r->n_vms);
    cJSON_AddItemToObject(o, "phases", r->summary ? r->summary : cJSON_CreateArray());
    r->summary = NULL;
    text = cJSON_Print(o);
    cJSON_Delete(o);
    f = text ? fopen(tmp, "we") : NULL;
    ok = f && fputs(text, f) >= 0 && fputc('\n', f) != EOF;
    ok = f && fclose(f) == 0 && ok && rename(tmp, path) == 0;
    free(text);
    if (!ok) {
        msg_error("--save-results: cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    msg_info("summary: %s", path);
    return 0;
}

static int run_phases(struct run *r)
{
    int failed = 0;

    if (!r->o->skip_namespace_creation && !r->interrupted && !r->fatal)
        failed |= phase_namespaces(r) != 0;
    if (!r->interrupted && !r->fatal)
        failed |= phase_create(r) != 0;
    if (r->o->boot_storm && !r->interrupted && !r->fatal) {
        failed |= phase_stop(r) != 0;
        if (!r->interrupted && !r->fatal)
            failed |= phase_storm(r) != 0;
    }
    if (r->o->fio_cmd && !r->interrupted && !r->fatal)
        failed |= phase_fio(r) != 0;
    return failed;
}

int collect_run(struct collect_options *o, struct kube_conn *conn, const struct tmpl *tmpl)
{
    struct run run = {.o = o, .conn = conn, .tmpl = tmpl, .phase = PH_NONE, .sig_fd = {-1, -1}};
    struct run *r = &run;
    struct vs_error err;
    cJSON *cluster = cJSON_CreateObject(), *end;
    int rc = VS_EXIT_FAILURE, failed = 0;
    const char *status, *why = NULL;
    char describe[512];

    r->tty = isatty(STDERR_FILENO);
    snprintf(r->run_label, sizeof(r->run_label), "%s=%s", COLLECT_RUN_LABEL, o->run_id);
    if (!o->skip_vm_creation)
        memcpy(r->selector, r->run_label, sizeof(r->selector));
    r->n_vms = (size_t)(o->end - o->start + 1);
    r->vms = calloc(r->n_vms, sizeof(*r->vms));
    if (!r->vms || !cluster) {
        msg_error("out of memory");
        goto out;
    }
    for (size_t i = 0; i < r->n_vms; i++) {
        r->vms[i].index = (int)(o->start + (long)i);
        snprintf(r->vms[i].ns, sizeof(r->vms[i].ns), "%s-%ld", o->namespace_prefix,
                 o->start + (long)i);
        r->vms[i].ns_ok = o->skip_namespace_creation;
    }
    kube_conn_describe(conn, describe, sizeof(describe));
    msg_info("run %s: %s", o->run_id, describe);

    if (!(r->loop = evloop_new(&err)) || signals_setup(r, &err) < 0 || client_setup(r, &err) < 0 ||
        describe_cluster(r, cluster, &err) < 0 || probe_setup(r, &err) < 0) {
        msg_report(&err);
        goto out;
    }
    if (o->fio_cmd) {
        struct cmdrun_config cc = {.template = o->fio_cmd,
                                   .max_running = (int)o->concurrency,
                                   .timeout_ns = FIO_TIMEOUT_S * NS_PER_S};

        if (!(r->fio = cmdrun_new(r->loop, &cc, fio_done, r, &err))) {
            msg_report(&err);
            goto out;
        }
    }
    if (make_parent_dir(o->output) < 0 || !(r->rec = recorder_open(o->output, &err))) {
        if (!r->rec && !err.msg[0])
            vs_error_setc(&err, errno, o->output, 0, 0, "cannot create the directory: %s",
                          strerror(errno));
        msg_report(&err);
        goto out;
    }
    if (emit_run_begin(r, cluster) < 0) {
        cluster = NULL;
        msg_report(rec_error(r->rec));
        goto out;
    }
    cluster = NULL;
    emit_early(r);
    if (scrape_setup(r, &err) < 0) {
        msg_report(&err);
        rec_note(r->rec, EV_ERROR, "setup_failed", NULL, "%s", err.msg);
        r->fatal = 1;
        goto finish;
    }
    if (watches_start(r, &err) < 0) {
        msg_report(&err);
        rec_note(r->rec, EV_ERROR, "watch_failed", NULL, "%s", err.msg);
        r->fatal = 1;
        goto finish;
    }
    if (!o->skip_vm_creation && check_datasources(r, &err) < 0) {
        msg_report(&err);
        rec_note(r->rec, EV_ERROR, "template_invalid", NULL, "%s", err.msg);
        r->fatal = 1;
        goto finish;
    }
    failed = run_phases(r);
    if (r->fatal)
        failed = 1;
    if (!r->fatal && (o->cleanup || o->dry_run_cleanup ||
                      (o->cleanup_on_failure && (failed || r->interrupted)))) {
        int was_interrupted = r->interrupted;

        r->interrupted = 0; /* cleanup runs even after a Ctrl-C; a second one exits */
        failed |= phase_cleanup(r, o->dry_run_cleanup) != 0;
        r->interrupted |= was_interrupted;
    }
    rc = failed || r->fatal ? VS_EXIT_FAILURE : VS_EXIT_OK;

finish:
    /* the last watch events, then what probes and commands still hold, before run_end */
    watchthread_stop(r->wt);
    r->wt = NULL;
    cmdrun_free(r->fio);
    r->fio = NULL;
    prober_free(r->prober);
    r->prober = NULL;
    status = r->interrupted ? "interrupted" : failed || r->fatal ? "failed" : "ok";
    if (r->interrupted)
        why = "stopped by a signal";
    else if (rec_failed(r->rec))
        why = "writing the results failed";
    else if (r->fatal)
        why = "the run stopped on an error";
    else if (failed)
        why = "some VMs failed or timed out";
    end = cJSON_CreateObject();
    cJSON_AddStringToObject(end, "status", status);
    cJSON_AddItemToObject(end, "counts", rec_counts_json(r->rec));
    if (why)
        cJSON_AddStringToObject(end, "message", why);
    rec_emit(r->rec, EV_RUN_END, NULL, end);
    if (rec_failed(r->rec)) {
        msg_report(rec_error(r->rec));
        msg_error("the results file %s stops at its last whole line; what it holds is readable",
                  rec_path(r->rec));
        rc = VS_EXIT_FAILURE;
    }
    msg_info("results: %s (%lld events, %llu bytes)", rec_path(r->rec),
             (long long)rec_count(r->rec), (unsigned long long)rec_bytes(r->rec));
    if (o->save_results && save_summary(r, status) < 0)
        rc = VS_EXIT_FAILURE;
    if (r->interrupted)
        rc = VS_EXIT_INTERRUPTED;
out:
    cJSON_Delete(cluster);
    cJSON_Delete(r->summary);
    cJSON_Delete(r->phase_stats);
    for (size_t i = 0; i < r->n_early; i++)
        cJSON_Delete(r->early[i].body);
    free(r->early);
    if (r->rec && recorder_close(r->rec, &err) < 0) {
        msg_report(&err);
        rc = VS_EXIT_FAILURE;
    }
    if (r->loop)
        run_free(r);
    else
        free(r->vms);
    return rc;
}
