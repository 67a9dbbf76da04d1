/*
 * cmdrun.c - one shell command per target from the event loop (cmdrun.h).
 *
 * A command (a job) is in one of three lists: queued (waiting for a free
 * slot), running (its shell started and not reaped yet) or failed (it
 * could not be started; reported from the timer, so never from inside
 * cmdrun_add). A running job's exit is learnt from its pidfd, or by the
 * waitpid poll, and checked with waitid(WNOWAIT) first, so that its group
 * is killed while the zombie still holds the group id (cmdtmpl.h).
 *
 * Timers: one timerfd, armed to the earliest of the running jobs' time
 * limits, the next waitpid poll, and "now" while failed jobs wait to be
 * reported. Evsched timers cannot be cancelled and would outlive cmdrun in
 * the loop; the timerfd is simply closed. A timer event finds what is due
 * by looking at the jobs, so a stale event does nothing.
 *
 * Callbacks may add jobs, which changes the lists: whoever calls one
 * (job_report) holds no pointer into a list across the call, and scans
 * start again from the head afterwards.
 */
#include "cmdrun.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/pidfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmdtmpl.h"
#include "vbuf.h"

#define NS_PER_MS INT64_C(1000000)
#define NS_PER_S INT64_C(1000000000)
#define POLL_NS (10 * NS_PER_MS) /* waitpid polling when there is no pidfd */
#define MAX_OUTPUT_LIMIT ((size_t)1 << 30)
#define READ_CHUNK 65536 /* one read of a pipe */
#define EVENT_READS 16   /* reads of a pipe per loop event */
#define DRAIN_READS 256  /* reads of a pipe once the shell exited */

/* Why cmdrun killed a running job's group, if it did. */
enum kill_reason { K_NONE, K_TIMEOUT, K_OVERFLOW, K_NOMEM, K_CANCELLED };

struct job {
    struct cmdrun *c;
    char *ns, *name, *ip, *cmd;
    void *arg;
    pid_t pid;               /* > 0 once started */
    int pidfd, outfd, errfd; /* -1 when none / closed */
    struct vs_time start;    /* zeros until started */
    int64_t deadline;        /* mono time limit; INT64_MAX: none */
    enum kill_reason killed;
    struct vbuf out;                   /* stdout, capped at max_output */
    char tail[CMDRUN_STDERR_TAIL + 1]; /* stderr's end, and room for a NUL */
    size_t tail_len;
    int tail_cut;
    char error[256];         /* in the failed list: why it did not start */
    struct job *prev, *next; /* in its list */
};

struct jlist {
    struct job *head, *tail;
    size_t n;
};

struct cmdrun {
    struct evloop *loop;
    struct cmdrun_config cfg;
    char *template;
    cmdrun_done_fn done;
    void *ctx;
    int tfd;
    int64_t armed_ns; /* the timerfd's expiry, INT64_MAX when disarmed */
    int64_t poll_ns;  /* the next waitpid poll, INT64_MAX when none is planned */
    struct jlist queued, running, failed;
    int freeing;
};

/* --- lists and jobs --------------------------------------------------------- */

static void jlist_push(struct jlist *l, struct job *j)
{
    j->prev = l->tail;
    j->next = NULL;
    if (l->tail)
        l->tail->next = j;
    else
        l->head = j;
    l->tail = j;
    l->n++;
}

static void jlist_remove(struct jlist *l, struct job *j)
{
    if (j->prev)
        j->prev->next = j->next;
    else
        l->head = j->next;
    if (j->next)
        j->next->prev = j->prev;
    else
        l->tail = j->prev;
    j->prev = j->next = NULL;
    l->n--;
}

static void job_free(struct job *j)
{
    if (!j)
        return;
    free(j->ns);
    free(j->name);
    free(j->ip);
    free(j->cmd);
    vbuf_release(&j->out);
    free(j);
}

static struct job *job_new(struct cmdrun *c, const char *ns, const char *name, const char *ip,
                           void *arg)
{
    struct job *j = calloc(1, sizeof(*j));

    if (!j)
        return NULL;
    j->c = c;
    j->arg = arg;
    j->pidfd = j->outfd = j->errfd = -1;
    j->deadline = INT64_MAX;
    vbuf_init(&j->out, c->cfg.max_output);
    j->ns = strdup(ns);
    j->name = strdup(name);
    j->ip = strdup(ip);
    j->cmd = cmdtmpl_expand(c->template, ip, ns, name);
    if (!j->ns || !j->name || !j->ip || !j->cmd) {
        job_free(j);
        return NULL;
    }
    return j;
}

static void fd_close(struct cmdrun *c, int *fd)
{
    if (*fd < 0)
        return;
    evloop_del(c->loop, *fd);
    close(*fd);
    *fd = -1;
}

static void job_close_fds(struct job *j)
{
    fd_close(j->c, &j->pidfd);
    fd_close(j->c, &j->outfd);
    fd_close(j->c, &j->errfd);
}

/* Kill j's process group, for reason (the first reason given stays). */
static void job_kill(struct job *j, enum kill_reason reason)
{
    if (j->killed == K_NONE)
        j->killed = reason;
    kill(-j->pid, SIGKILL);
}

/* --- output ------------------------------------------------------------------ */

/* Keep n bytes read from fd. */
static void job_keep(struct job *j, int fd, const char *b, size_t n)
{
    if (fd == j->errfd) {
        if (cmdtmpl_tail_add(j->tail, CMDRUN_STDERR_TAIL, &j->tail_len, b, n))
            j->tail_cut = 1;
        return;
    }
    if (vbuf_add(&j->out, b, n) == 0)
        return;
    job_kill(j, errno == E2BIG ? K_OVERFLOW : K_NOMEM);
    fd_close(j->c, &j->outfd); /* the rest is not wanted */
}

/* Read what fd (j's stdout or stderr) holds, up to max reads; close it at EOF. */
static void job_read(struct job *j, int fd, int max)
{
    char buf[READ_CHUNK];

    for (int i = 0; i < max && fd >= 0 && (fd == j->outfd || fd == j->errfd); i++) {
        ssize_t n = read(fd, buf, sizeof(buf));

        if (n > 0) {
            job_keep(j, fd, buf, (size_t)n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        fd_close(j->c, fd == j->outfd ? &j->outfd : &j->errfd);
        return;
    }
}

static void pipe_event(void *ctx, int fd, uint32_t events)
{
    (void)events;
    job_read(ctx, fd, EVENT_READS);
}

/* --- the end of a job ------------------------------------------------------- */

/*
 * Report j (already out of its list) and free it. end: when it ended (NULL:
 * it never started); status: its wait status, when status_known.
 */
static void job_report(struct job *j, const struct vs_time *end, int status_known, int status,
                       const char *error)
{
    struct cmdrun *c = j->c;
    struct cmdrun_result r;
    size_t skip = 0;

    memset(&r, 0, sizeof(r));
    r.ns = j->ns;
    r.name = j->name;
    r.ip = j->ip;
    r.arg = j->arg;
    r.command = j->cmd;
    r.error = error;
    r.exit_status = status_known && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.term_signal = status_known && WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    r.timed_out = j->killed == K_TIMEOUT;
    r.cancelled = j->killed == K_CANCELLED;
    r.out = vbuf_str(&j->out);
    r.out_len = j->out.len;
    /* a character cut in two: drop its continuation bytes (at most 3) */
    while (j->tail_cut && skip < 3 && skip < j->tail_len &&
           ((unsigned char)j->tail[skip] & 0xc0) == 0x80)
        skip++;
    j->tail[j->tail_len] = '\0';
    r.err = j->tail + skip;
    r.err_len = j->tail_len - skip;
    r.err_cut = j->tail_cut;
    if (j->pid > 0 && end) {
        r.start = j->start;
        r.duration_ns = end->mono_ns > j->start.mono_ns ? end->mono_ns - j->start.mono_ns : 0;
    }
    c->done(c->ctx, &r);
    job_free(j);
}

/* j's shell ended: report it. wait_errno: 0, or why its wait status was lost. */
static void job_ended(struct job *j, const struct vs_time *end, int wait_errno, int status)
{
    char error[128];
    int ok = j->killed == K_NONE && !wait_errno && WIFEXITED(status) && WEXITSTATUS(status) == 0;

    switch (j->killed) {
    case K_TIMEOUT:
        snprintf(error, sizeof(error), "timed out after %lld ms",
                 (long long)(j->c->cfg.timeout_ns / NS_PER_MS));
        break;
    case K_OVERFLOW:
        snprintf(error, sizeof(error), "output over %zu bytes", j->c->cfg.max_output);
        break;
    case K_NOMEM:
        snprintf(error, sizeof(error), "out of memory for its output");
        break;
    case K_CANCELLED:
        snprintf(error, sizeof(error), "cancelled");
        break;
    case K_NONE:
        if (wait_errno) /* reaped behind our back: SIGCHLD is ignored */
            snprintf(error, sizeof(error), "exit status lost: %s", strerror(wait_errno));
        else
            cmdtmpl_status_text(status, error, sizeof(error));
        break;
    }
    job_report(j, end, wait_errno == 0, status, ok ? NULL : error);
}

static void dispatch(struct cmdrun *c);
static void cmdrun_arm(struct cmdrun *c);

/* j's shell has exited (not reaped yet): kill what it left, reap it, read the rest, report. */
static void job_exited(struct job *j)
{
    struct cmdrun *c = j->c;
    struct vs_time end;
    int status = 0, e;

    clock_now(&end);
    e = cmdtmpl_reap(j->pid, &status);
    job_read(j, j->outfd, DRAIN_READS);
    job_read(j, j->errfd, DRAIN_READS);
    job_close_fds(j);
    jlist_remove(&c->running, j);
    job_ended(j, &end, e, status);
    if (!c->freeing) {
        dispatch(c);
        cmdrun_arm(c);
    }
}

static void pidfd_event(void *ctx, int fd, uint32_t events)
{
    struct job *j = ctx;

    (void)fd;
    (void)events;
    if (cmdtmpl_exited(j->pid))
        job_exited(j);
}

/* --- starting ---------------------------------------------------------------- */

/* Pipes for stdout and stderr, our ends non-blocking and watched. 0 or an errno. */
static int job_pipes(struct job *j, int out[2], int err[2])
{
    struct vs_error e;

    if (pipe2(out, O_CLOEXEC) < 0)
        return errno;
    j->outfd = out[0];
    if (pipe2(err, O_CLOEXEC) < 0)
        return errno;
    j->errfd = err[0];
    /* ours only: the command's ends stay blocking */
    if (fcntl(j->outfd, F_SETFL, O_NONBLOCK) < 0 || fcntl(j->errfd, F_SETFL, O_NONBLOCK) < 0)
        return errno;
    if (evloop_add(j->c->loop, j->outfd, EPOLLIN, pipe_event, j, &e) < 0 ||
        evloop_add(j->c->loop, j->errfd, EPOLLIN, pipe_event, j, &e) < 0)
        return e.code ? e.code : ENOMEM;
    return 0;
}

/* Start j now: into the running list, or the failed one. */
static void job_start(struct job *j)
{
    struct cmdrun *c = j->c;
    int out[2] = {-1, -1}, err[2] = {-1, -1}, rc;

    rc = job_pipes(j, out, err);
    if (rc == 0) {
        clock_now(&j->start);
        rc = cmdtmpl_spawn(j->cmd, out[1], err[1], &j->pid);
    }
    if (out[1] >= 0)
        close(out[1]);
    if (err[1] >= 0)
        close(err[1]);
    if (rc != 0) {
        snprintf(j->error, sizeof(j->error), "cannot run /bin/sh: %s", strerror(rc));
        job_close_fds(j);
        memset(&j->start, 0, sizeof(j->start));
        j->pid = 0;
        jlist_push(&c->failed, j);
        return;
    }
    if (c->cfg.timeout_ns > 0 && j->start.mono_ns < INT64_MAX - c->cfg.timeout_ns)
        j->deadline = j->start.mono_ns + c->cfg.timeout_ns;
    j->pidfd = pidfd_open(j->pid, 0);
    if (j->pidfd >= 0 && evloop_add(c->loop, j->pidfd, EPOLLIN, pidfd_event, j, NULL) < 0) {
        close(j->pidfd); /* poll instead */
        j->pidfd = -1;
    }
    jlist_push(&c->running, j);
}

/* Start queued jobs while there is room. */
static void dispatch(struct cmdrun *c)
{
    while (!c->freeing && c->queued.head && c->running.n < (size_t)c->cfg.max_running) {
        struct job *j = c->queued.head;

        jlist_remove(&c->queued, j);
        job_start(j);
    }
}

/* --- the timer --------------------------------------------------------------- */

/* Set the timerfd to the earliest thing due. */
static void cmdrun_arm(struct cmdrun *c)
{
    int64_t next = c->failed.head ? 1 : INT64_MAX;
    struct itimerspec its;

    for (struct job *j = c->running.head; j; j = j->next) {
        if (j->killed == K_NONE && j->deadline < next)
            next = j->deadline;
        if (j->pidfd < 0 && c->poll_ns == INT64_MAX)
            c->poll_ns = clock_mono_ns() + POLL_NS;
    }
    if (c->poll_ns < next)
        next = c->poll_ns;
    if (next == c->armed_ns)
        return;
    memset(&its, 0, sizeof(its));
    if (next != INT64_MAX) {
        its.it_value.tv_sec = next / NS_PER_S;
        its.it_value.tv_nsec = next % NS_PER_S;
    }
    if (timerfd_settime(c->tfd, TFD_TIMER_ABSTIME, &its, NULL) == 0)
        c->armed_ns = next;
}

/* Report the jobs that could not start. */
static void report_failed(struct cmdrun *c)
{
    struct job *j;

    while ((j = c->failed.head) != NULL) {
        jlist_remove(&c->failed, j);
        job_report(j, NULL, 0, 0, j->error);
    }
}

/* End the running jobs without a pidfd whose shell exited. */
static void poll_exits(struct cmdrun *c)
{
    for (;;) {
        struct job *j = c->running.head;

        while (j && !(j->pidfd < 0 && cmdtmpl_exited(j->pid)))
            j = j->next;
        if (!j)
            return;
        job_exited(j); /* changes the list: scan again */
    }
}

/* Kill the running jobs past their time limit (unless they just exited). */
static void check_timeouts(struct cmdrun *c, int64_t now)
{
    for (;;) {
        struct job *j = c->running.head;

        while (j && !(j->killed == K_NONE && j->deadline <= now))
            j = j->next;
        if (!j)
            return;
        if (cmdtmpl_exited(j->pid))
            job_exited(j); /* changes the list: scan again */
        else
            job_kill(j, K_TIMEOUT);
    }
}

static void timer_event(void *ctx, int fd, uint32_t events)
{
    struct cmdrun *c = ctx;
    uint64_t expirations;
    int64_t now;

    (void)events;
    if (read(fd, &expirations, sizeof(expirations)) < 0 && errno == EAGAIN)
        return; /* not expired yet (a stale event) */
    c->armed_ns = INT64_MAX;
    now = clock_mono_ns();
    report_failed(c);
    if (c->poll_ns <= now) {
        c->poll_ns = INT64_MAX;
        poll_exits(c);
    }
    check_timeouts(c, now);
    cmdrun_arm(c);
}

/* --- the runner -------------------------------------------------------------- */

static int cmdrun_config(struct cmdrun *c, const struct cmdrun_config *cfg, struct vs_error *err)
{
    c->cfg = *cfg;
    if (!cfg->template || !*cfg->template)
        return vs_error_set(err, NULL, 0, 0, "the command template is empty");
    if (cfg->max_output > MAX_OUTPUT_LIMIT)
        return vs_error_set(err, NULL, 0, 0, "command output limit %zu is over %zu bytes",
                            cfg->max_output, MAX_OUTPUT_LIMIT);
    if (c->cfg.max_output == 0)
        c->cfg.max_output = CMDRUN_DEFAULT_MAX_OUTPUT;
    if (c->cfg.max_running <= 0)
        c->cfg.max_running = CMDRUN_DEFAULT_MAX_RUNNING;
    if (!(c->template = strdup(cfg->template)))
        return vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory");
    c->cfg.template = c->template;
    return 0;
}

struct cmdrun *cmdrun_new(struct evloop *loop, const struct cmdrun_config *cfg, cmdrun_done_fn done,
                          void *ctx, struct vs_error *err)
{
    struct cmdrun *c = calloc(1, sizeof(*c));

    if (!c) {
        vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory");
        return NULL;
    }
    c->loop = loop;
    c->done = done;
    c->ctx = ctx;
    c->armed_ns = c->poll_ns = INT64_MAX;
    c->tfd = -1;
    if (cmdrun_config(c, cfg, err) < 0)
        goto fail;
    c->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (c->tfd < 0) {
        vs_error_setc(err, errno, NULL, 0, 0, "timerfd_create: %s", strerror(errno));
        goto fail;
    }
    if (evloop_add(loop, c->tfd, EPOLLIN, timer_event, c, err) < 0)
        goto fail;
    return c;
fail:
    cmdrun_free(c);
    return NULL;
}

int cmdrun_add(struct cmdrun *c, const char *ns, const char *name, const char *ip, void *arg,
               struct vs_error *err)
{
    struct job *j;

    if (c->freeing)
        return vs_error_set(err, NULL, 0, 0, "the command runner is being freed");
    if (!(j = job_new(c, ns, name, ip, arg)))
        return vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory");
    jlist_push(&c->queued, j);
    dispatch(c);
    cmdrun_arm(c);
    return 0;
}

size_t cmdrun_pending(const struct cmdrun *c)
{
    return c->queued.n + c->running.n + c->failed.n;
}

size_t cmdrun_running(const struct cmdrun *c)
{
    return c->running.n;
}

/* Report every job of l (none of them running) as cancelled. */
static void cancel_list(struct jlist *l)
{
    struct job *j;

    while ((j = l->head) != NULL) {
        jlist_remove(l, j);
        j->killed = K_CANCELLED;
        job_report(j, NULL, 0, 0, "cancelled");
    }
}

void cmdrun_free(struct cmdrun *c)
{
    if (!c)
        return;
    c->freeing = 1;
    /* kill them all first, so that they die together */
    for (struct job *j = c->running.head; j; j = j->next) {
        j->killed = K_CANCELLED;
        kill(-j->pid, SIGKILL);
    }
    while (c->running.head)
        job_exited(c->running.head);
    cancel_list(&c->failed);
    cancel_list(&c->queued);
    if (c->tfd >= 0) {
        evloop_del(c->loop, c->tfd);
        close(c->tfd);
    }
    free(c->template);
    free(c);
}
