/*
 * probe.c - readiness probes (probe.h): the targets, their attempts and
 * timers, and the tcp method. ICMP is in probe_icmp.c, exec in
 * probe_exec.c; what they share is in probe_int.h.
 *
 * Timers: the prober keeps its own struct sched, woken by one timerfd in
 * the loop, rather than the loop's sched. Timers cannot be cancelled, and
 * this way the ones still pending die with the prober in prober_free()
 * instead of firing later into freed memory. A timer names its target by
 * slot (the arg) and a token; the token is checked against the target's
 * current step or give-up token, so stale timers do nothing.
 */
#include "probe_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#define DEFAULT_INTERVAL_NS NS_PER_S
#define DEFAULT_TIMEOUT_NS NS_PER_S
#define DEFAULT_EXEC_TIMEOUT_NS (10 * NS_PER_S)
#define DEFAULT_MAX_EXEC 20

const char *probe_method_name(enum probe_method m)
{
    switch (m) {
    case PROBE_ICMP:
        return "icmp";
    case PROBE_TCP:
        return "tcp";
    case PROBE_EXEC:
        return "exec";
    }
    return "?";
}

/* --- timers ------------------------------------------------------------------ */

static void on_timer(void *ctx, void *arg, uint64_t token);

/* Set the timerfd to the earliest timer. */
static void prober_arm(struct prober *p)
{
    int64_t next = sched_next(p->sched);
    struct itimerspec its;

    if (next == p->armed_ns)
        return;
    memset(&its, 0, sizeof(its));
    if (next != INT64_MAX) {
        if (next < 1)
            next = 1;
        its.it_value.tv_sec = next / NS_PER_S;
        its.it_value.tv_nsec = next % NS_PER_S;
    }
    if (timerfd_settime(p->tfd, TFD_TIMER_ABSTIME, &its, NULL) == 0)
        p->armed_ns = next;
}

int probe_at(struct prober *p, int64_t when, void *arg, uint64_t token)
{
    if (sched_at(p->sched, when, on_timer, p, arg, token) < 0)
        return -1;
    prober_arm(p);
    return 0;
}

static void slot_timer(struct target *t, int64_t when, uint64_t *token)
{
    struct prober *p = t->p;

    *token = ++p->next_token;
    if (probe_at(p, when, (void *)(uintptr_t)t->slot, *token) < 0)
        *token = 0;
}

static void timer_event(void *ctx, int fd, uint32_t events)
{
    struct prober *p = ctx;
    uint64_t expirations;

    (void)events;
    if (read(fd, &expirations, sizeof(expirations)) < 0 && errno == EAGAIN)
        return; /* not expired yet (a stale event) */
    p->armed_ns = INT64_MAX;
    sched_run(p->sched, clock_mono_ns());
    prober_arm(p);
}

/* --- targets ----------------------------------------------------------------- */

static void target_set_error(struct target *t, const char *fmt, ...) VS_PRINTF(2, 3);

static void target_set_error(struct target *t, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(t->last_error, sizeof(t->last_error), fmt, ap);
    va_end(ap);
}

static void target_free(struct target *t)
{
    if (!t)
        return;
    free(t->ns);
    free(t->name);
    free(t->uid);
    free(t->ip);
    free(t);
}

static int slot_alloc(struct prober *p, struct target *t)
{
    if (p->nfree == 0) {
        size_t n = p->nslots ? p->nslots * 2 : 64;
        struct target **s = realloc(p->slots, n * sizeof(*s));
        uint32_t *f;

        if (!s)
            return -1;
        p->slots = s;
        if (!(f = realloc(p->free_slots, n * sizeof(*f))))
            return -1;
        p->free_slots = f;
        for (size_t i = n; i > p->nslots; i--) {
            p->slots[i - 1] = NULL;
            p->free_slots[p->nfree++] = (uint32_t)(i - 1);
        }
        p->nslots = n;
    }
    t->slot = p->free_slots[--p->nfree];
    p->slots[t->slot] = t;
    return 0;
}

static void slot_release(struct prober *p, struct target *t)
{
    p->slots[t->slot] = NULL;
    p->free_slots[p->nfree++] = t->slot;
}

static struct target *target_find(const struct prober *p, const char *uid)
{
    for (size_t i = 0; i < p->nslots; i++)
        if (p->slots[i] && strcmp(p->slots[i]->uid, uid) == 0)
            return p->slots[i];
    return NULL;
}

/* Release what the current attempt holds; late answers to it are ignored from now on. */
static void attempt_end(struct target *t)
{
    struct prober *p = t->p;

    if (t->fd >= 0) {
        evloop_del(p->loop, t->fd);
        close(t->fd);
        t->fd = -1;
    }
    if (t->run) {
        probe_exec_abandon(t->run);
        t->run = NULL;
    }
    if (t->state == T_QUEUED)
        probe_exec_dequeue(t);
    t->step_token = 0;
    t->attempt_token = 0;
}

/* Report the outcome and free t. at: when it happened; rtt_ns: -1 unless ready. */
static void target_finish(struct target *t, const char *result, const struct vs_time *at,
                          int64_t rtt_ns)
{
    struct prober *p = t->p;
    struct probe_result r;

    attempt_end(t);
    slot_release(p, t);
    p->active--;
    memset(&r, 0, sizeof(r));
    r.ns = t->ns;
    r.name = t->name;
    r.uid = t->uid;
    r.ip = t->ip;
    r.method = p->cfg.method;
    r.result = result;
    r.attempts = t->attempts;
    r.waited_ns = at->mono_ns > t->first_ns ? at->mono_ns - t->first_ns : 0;
    r.rtt_ns = rtt_ns;
    r.at = *at;
    r.last_error = t->last_error[0] ? t->last_error : NULL;
    p->done(p->ctx, &r);
    target_free(t);
}

void probe_target_ready(struct target *t, const struct vs_time *at, int64_t start_ns)
{
    target_finish(t, "ready", at, at->mono_ns > start_ns ? at->mono_ns - start_ns : 0);
}

void probe_attempt_fail(struct target *t, int64_t now, int local, const char *fmt, ...)
{
    struct prober *p = t->p;
    int64_t next = t->attempt_ns + p->cfg.interval_ns;
    va_list ap;

    attempt_end(t);
    va_start(ap, fmt);
    vsnprintf(t->last_error, sizeof(t->last_error), fmt, ap);
    va_end(ap);
    t->local_failures += local != 0;
    t->state = T_WAIT;
    if (next < now)
        next = now;
    if (next < t->first_ns + p->cfg.give_up_ns)
        slot_timer(t, next, &t->step_token);
    /* else the give-up timer ends it */
}

void probe_attempt_arm_timeout(struct target *t, int64_t now)
{
    slot_timer(t, now + t->p->cfg.attempt_timeout_ns, &t->step_token);
}

static void tcp_connect(struct target *t);

static void attempt_start(struct target *t)
{
    t->attempts++;
    t->attempt_ns = clock_mono_ns();
    t->state = T_ATTEMPT;
    t->step_token = 0;
    switch (t->p->cfg.method) {
    case PROBE_ICMP:
        probe_icmp_send(t);
        break;
    case PROBE_TCP:
        tcp_connect(t);
        break;
    case PROBE_EXEC:
        probe_exec_queue(t);
        break;
    }
}

/* The attempt under way timed out. */
static void attempt_timed_out(struct target *t)
{
    int64_t ms = PROBE_NS_TO_MS(t->p->cfg.attempt_timeout_ns), now = clock_mono_ns();

    switch (t->p->cfg.method) {
    case PROBE_ICMP:
        probe_attempt_fail(t, now, 0, "no echo reply within %lld ms", (long long)ms);
        break;
    case PROBE_TCP:
        probe_attempt_fail(t, now, 0, "connect timed out after %lld ms", (long long)ms);
        break;
    case PROBE_EXEC:
        probe_exec_timed_out(t, now);
        break;
    }
}

static void target_give_up(struct target *t)
{
    struct vs_time at;
    int local_only = t->local_failures == t->attempts;

    clock_now(&at);
    if (!t->last_error[0])
        target_set_error(t, "no answer within %lld ms",
                         (long long)PROBE_NS_TO_MS(at.mono_ns - t->first_ns));
    target_finish(t, local_only ? "error" : "timeout", &at, -1);
}

static void target_step(struct target *t)
{
    struct vs_time at;

    if (t->bad_addr) {
        clock_now(&at);
        target_finish(t, "error", &at, -1);
    } else if (t->state == T_WAIT) {
        attempt_start(t);
    } else if (t->state == T_ATTEMPT) {
        attempt_timed_out(t);
    }
}

static void on_timer(void *ctx, void *arg, uint64_t token)
{
    struct prober *p = ctx;
    uintptr_t slot = (uintptr_t)arg;
    struct target *t;

    if (arg == PROBE_POLL_ARG) {
        p->polling = 0;
        probe_exec_poll(p);
        return;
    }
    t = slot < p->nslots ? p->slots[slot] : NULL;
    if (!t || token == 0)
        return;
    if (token == t->giveup_token)
        target_give_up(t);
    else if (token == t->step_token)
        target_step(t);
}

int probe_errno_local(int e)
{
    return e == EMFILE || e == ENFILE || e == ENOMEM || e == ENOBUFS || e == EADDRNOTAVAIL ||
           e == EAGAIN;
}

/* --- tcp --------------------------------------------------------------------- */

static void tcp_event(void *ctx, int fd, uint32_t events)
{
    struct target *t = ctx;
    struct vs_time at;
    struct sockaddr_in peer;
    socklen_t len = sizeof(int);
    int soerr = 0;

    (void)events;
    clock_now(&at);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
        soerr = errno;
    if (soerr) {
        probe_attempt_fail(t, at.mono_ns, 0, "%s", strerror(soerr));
        return;
    }
    len = sizeof(peer);
    if (getpeername(fd, (struct sockaddr *)&peer, &len) == 0)
        probe_target_ready(t, &at, t->attempt_ns);
    /* else still connecting: an event meant for an earlier socket with this number */
}

static void tcp_connect(struct target *t)
{
    struct prober *p = t->p;
    struct sockaddr_in to;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), e;

    if (fd < 0) {
        e = errno;
        probe_attempt_fail(t, clock_mono_ns(), 1, "socket: %s", strerror(e));
        return;
    }
    memset(&to, 0, sizeof(to));
    to.sin_family = AF_INET;
    to.sin_port = htons((uint16_t)p->cfg.tcp_port);
    to.sin_addr = t->addr;
    if (connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0 && errno != EINPROGRESS) {
        e = errno;
        close(fd);
        probe_attempt_fail(t, clock_mono_ns(), probe_errno_local(e), "%s", strerror(e));
        return;
    }
    /* connected at once or not: the socket becomes writable either way */
    if (evloop_add(p->loop, fd, EPOLLOUT, tcp_event, t, NULL) < 0) {
        close(fd);
        probe_attempt_fail(t, clock_mono_ns(), 1, "cannot watch a socket");
        return;
    }
    t->fd = fd;
    probe_attempt_arm_timeout(t, t->attempt_ns);
}

/* --- the prober -------------------------------------------------------------- */

static int prober_config(struct prober *p, const struct probe_config *cfg, struct vs_error *err)
{
    p->cfg = *cfg;
    if (cfg->method == PROBE_TCP && (cfg->tcp_port < 1 || cfg->tcp_port > 65535))
        return vs_error_set(err, NULL, 0, 0, "tcp probe port %d is not in 1..65535", cfg->tcp_port);
    if (cfg->method == PROBE_EXEC && (!cfg->exec_template || !*cfg->exec_template))
        return vs_error_set(err, NULL, 0, 0, "exec probe needs a command");
    if (cfg->give_up_ns <= 0)
        return vs_error_set(err, NULL, 0, 0, "probe give-up time must be positive");
    if (p->cfg.interval_ns <= 0)
        p->cfg.interval_ns = DEFAULT_INTERVAL_NS;
    if (p->cfg.attempt_timeout_ns <= 0)
        p->cfg.attempt_timeout_ns =
            cfg->method == PROBE_EXEC ? DEFAULT_EXEC_TIMEOUT_NS : DEFAULT_TIMEOUT_NS;
    if (p->cfg.max_concurrent_exec <= 0)
        p->cfg.max_concurrent_exec = DEFAULT_MAX_EXEC;
    if (cfg->method == PROBE_EXEC && !(p->exec_template = strdup(cfg->exec_template)))
        return vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory");
    p->cfg.exec_template = p->exec_template;
    return 0;
}

struct prober *prober_new(struct evloop *loop, const struct probe_config *cfg, probe_done_fn done,
                          void *ctx, struct vs_error *err)
{
    struct prober *p = calloc(1, sizeof(*p));

    if (!p) {
        vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory");
        return NULL;
    }
    p->loop = loop;
    p->done = done;
    p->ctx = ctx;
    p->tfd = p->icmp_fd = -1;
    p->armed_ns = INT64_MAX;
    if (getrandom(&p->salt, sizeof(p->salt), GRND_NONBLOCK) != sizeof(p->salt))
        p->salt = (uint32_t)clock_mono_ns() ^ (uint32_t)getpid() ^ (uint32_t)(uintptr_t)p;
    p->icmp_id = (uint16_t)p->salt;
    if (prober_config(p, cfg, err) < 0)
        goto fail;
    if (!(p->sched = sched_new())) {
        vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory");
        goto fail;
    }
    p->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (p->tfd < 0) {
        vs_error_setc(err, errno, NULL, 0, 0, "timerfd_create: %s", strerror(errno));
        goto fail;
    }
    if (evloop_add(loop, p->tfd, EPOLLIN, timer_event, p, err) < 0)
        goto fail;
    if (cfg->method == PROBE_ICMP && probe_icmp_open(p, err) < 0)
        goto fail;
    return p;
fail:
    prober_free(p);
    return NULL;
}

static struct target *target_new(const char *ns, const char *name, const char *uid, const char *ip)
{
    struct target *t = calloc(1, sizeof(*t));

    if (!t)
        return NULL;
    t->fd = -1;
    t->ns = strdup(ns);
    t->name = strdup(name);
    t->uid = strdup(uid);
    t->ip = strdup(ip);
    if (!t->ns || !t->name || !t->uid || !t->ip) {
        target_free(t);
        return NULL;
    }
    t->bad_addr = inet_pton(AF_INET, ip, &t->addr) != 1;
    return t;
}

int probe_add(struct prober *p, const char *ns, const char *name, const char *uid, const char *ip,
              struct vs_error *err)
{
    struct target *t;

    if (p->freeing)
        return vs_error_set(err, NULL, 0, 0, "the prober is being freed");
    if (target_find(p, uid))
        return vs_error_setc(err, EEXIST, NULL, 0, 0, "vmi '%s/%s' (uid %s) is already probed", ns,
                             name, uid);
    if (!(t = target_new(ns, name, uid, ip)) || slot_alloc(p, t) < 0) {
        target_free(t);
        return vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory");
    }
    t->p = p;
    t->first_ns = clock_mono_ns();
    slot_timer(t, t->first_ns + p->cfg.give_up_ns, &t->giveup_token);
    if (!t->giveup_token) {
        slot_release(p, t);
        target_free(t);
        return vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory");
    }
    p->active++;
    if (t->bad_addr) { /* one attempt that could not run, reported from the loop */
        t->attempts = t->local_failures = 1;
        t->attempt_ns = t->first_ns;
        target_set_error(t, "'%s' is not an IPv4 address", ip);
        slot_timer(t, t->first_ns, &t->step_token);
        return 0;
    }
    attempt_start(t);
    return 0;
}

void probe_cancel(struct prober *p, const char *uid)
{
    struct target *t = target_find(p, uid);
    struct vs_time at;

    if (!t)
        return;
    clock_now(&at);
    target_finish(t, "cancelled", &at, -1);
}

size_t prober_active(const struct prober *p)
{
    return p->active;
}

void prober_free(struct prober *p)
{
    if (!p)
        return;
    p->freeing = 1;
    for (size_t i = 0; i < p->nslots; i++)
        if (p->slots[i])
            probe_cancel(p, p->slots[i]->uid);
    probe_exec_free(p);
    if (p->icmp_fd >= 0) {
        evloop_del(p->loop, p->icmp_fd);
        close(p->icmp_fd);
    }
    if (p->tfd >= 0) {
        evloop_del(p->loop, p->tfd);
        close(p->tfd);
    }
    sched_free(p->sched);
    free(p->slots);
    free(p->free_slots);
    free(p->exec_template);
    free(p);
}
