/*
 * probe_exec.c - the exec method of the prober (probe.h): `/bin/sh -c` a
 * command made from the template, at most max_concurrent_exec at once,
 * the others waiting in a FIFO queue.
 *
 * Each command (made and started by cmdtmpl.h) runs in its own process
 * group with its output on a pipe (the last PROBE_EXEC_TAIL bytes kept).
 * Its exit is learnt from a pidfd in the loop, or by polling when
 * pidfd_open(2) fails (Linux < 5.3), and checked with waitid(WNOWAIT)
 * first, so that the group is killed while the zombie still holds its id.
 */
#include "probe_int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmdtmpl.h"

#define EXEC_POLL_NS (10 * NS_PER_MS) /* waitpid polling when there is no pidfd */

static void exec_dispatch(struct prober *p);

static void run_tail_add(struct exec_run *r, const char *b, size_t n)
{
    if (cmdtmpl_tail_add(r->tail, PROBE_EXEC_TAIL, &r->tail_len, b, n))
        r->tail_cut = 1;
}

/*
 * prefix, then ": " and the output kept (blanks folded, control bytes as
 * '?', a UTF-8 sequence cut at the start dropped) when there is any.
 */
static void run_describe(const struct exec_run *r, const char *prefix, char *buf, size_t n)
{
    size_t o = (size_t)snprintf(buf, n, "%s", prefix), i = 0;
    int space = 0, started = 0;

    if (o >= n)
        return;
    while (r->tail_cut && i < r->tail_len && ((unsigned char)r->tail[i] & 0xc0) == 0x80)
        i++;
    for (; i < r->tail_len && o + 4 < n; i++) {
        unsigned char ch = (unsigned char)r->tail[i];

        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
            space = started;
            continue;
        }
        if (!started) {
            buf[o++] = ':';
            buf[o++] = ' ';
        } else if (space) {
            buf[o++] = ' ';
        }
        started = 1;
        space = 0;
        buf[o++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
    }
    buf[o] = '\0';
}

/* Read what the command wrote, up to max reads; close the pipe at EOF. */
static void run_read(struct exec_run *r, int max)
{
    char buf[4096];

    for (int i = 0; i < max && r->outfd >= 0; i++) {
        ssize_t n = read(r->outfd, buf, sizeof(buf));

        if (n > 0) {
            run_tail_add(r, buf, (size_t)n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        evloop_del(r->p->loop, r->outfd);
        close(r->outfd);
        r->outfd = -1;
    }
}

static void run_close(struct exec_run *r)
{
    struct exec_run **pp;

    for (pp = &r->p->runs; *pp != r; pp = &(*pp)->next)
        ;
    *pp = r->next;
    r->p->running--;
    if (r->outfd >= 0) {
        evloop_del(r->p->loop, r->outfd);
        close(r->outfd);
    }
    if (r->pidfd >= 0) {
        evloop_del(r->p->loop, r->pidfd);
        close(r->pidfd);
    }
    free(r);
}

void probe_exec_abandon(struct exec_run *r)
{
    r->t = NULL;
    kill(-r->pid, SIGKILL);
}

/* r's process has exited (not reaped yet): reap it, then end its attempt. */
static void run_exited(struct exec_run *r)
{
    struct prober *p = r->p;
    struct target *t = r->t;
    struct vs_time at;
    char what[64], msg[PROBE_ERROR_MAX];
    int status = 0, ok = 0, lost = 0, e;

    clock_now(&at);
    e = cmdtmpl_reap(r->pid, &status); /* and what it left behind */
    run_read(r, 1024);
    if (e) /* reaped behind our back: SIGCHLD is ignored */
        lost = snprintf(what, sizeof(what), "exit status lost: %s", strerror(e)) > 0;
    else if (!(ok = WIFEXITED(status) && WEXITSTATUS(status) == 0))
        cmdtmpl_status_text(status, what, sizeof(what));
    if (t && ok) {
        t->run = NULL;
        probe_target_ready(t, &at, r->start_ns);
    } else if (t) {
        t->run = NULL;
        run_describe(r, what, msg, sizeof(msg));
        probe_attempt_fail(t, at.mono_ns, lost, "%s", msg);
    }
    run_close(r);
    exec_dispatch(p);
}

static void run_pidfd_event(void *ctx, int fd, uint32_t events)
{
    struct exec_run *r = ctx;

    (void)fd;
    (void)events;
    if (cmdtmpl_exited(r->pid))
        run_exited(r);
}

static void run_output_event(void *ctx, int fd, uint32_t events)
{
    (void)fd;
    (void)events;
    run_read(ctx, 16);
}

void probe_exec_poll(struct prober *p)
{
    struct exec_run *r;
    int again = 1;

    while (again) {
        again = 0;
        for (r = p->runs; r; r = r->next) {
            if (r->pidfd < 0 && cmdtmpl_exited(r->pid)) {
                run_exited(r); /* changes the list: scan again */
                again = 1;
                break;
            }
        }
    }
    for (r = p->runs; r; r = r->next)
        if (r->pidfd < 0 && !p->polling) {
            p->polling = probe_at(p, clock_mono_ns() + EXEC_POLL_NS, PROBE_POLL_ARG, 0) == 0;
            break;
        }
}

/* Watch r's pidfd and output; without a pidfd, poll. Cannot fail: a missing watch degrades. */
static void run_watch(struct exec_run *r)
{
    struct prober *p = r->p;

    if (r->outfd >= 0 && evloop_add(p->loop, r->outfd, EPOLLIN, run_output_event, r, NULL) < 0) {
        close(r->outfd);
        r->outfd = -1;
    }
    if (r->pidfd >= 0 && evloop_add(p->loop, r->pidfd, EPOLLIN, run_pidfd_event, r, NULL) < 0) {
        close(r->pidfd);
        r->pidfd = -1;
    }
    if (r->pidfd < 0 && !p->polling)
        p->polling = probe_at(p, clock_mono_ns() + EXEC_POLL_NS, PROBE_POLL_ARG, 0) == 0;
}

/* Start t's command now. */
static void exec_start(struct target *t)
{
    struct prober *p = t->p;
    struct exec_run *r = calloc(1, sizeof(*r));
    char *cmd = cmdtmpl_expand(p->exec_template, t->ip, t->ns, t->name);
    int pfd[2] = {-1, -1}, rc = ENOMEM;

    t->state = T_ATTEMPT;
    if (r && cmd)
        rc = pipe2(pfd, O_CLOEXEC) < 0 ? errno : 0;
    if (r && cmd && rc == 0) {
        fcntl(pfd[0], F_SETFL, O_NONBLOCK); /* ours only: the command's end stays blocking */
        rc = cmdtmpl_spawn(cmd, pfd[1], pfd[1], &r->pid);
        close(pfd[1]);
    }
    free(cmd);
    if (rc != 0) {
        if (pfd[0] >= 0)
            close(pfd[0]);
        free(r);
        probe_attempt_fail(t, clock_mono_ns(), 1, "cannot run /bin/sh: %s", strerror(rc));
        return;
    }
    r->p = p;
    r->t = t;
    r->outfd = pfd[0];
    r->pidfd = pidfd_open(r->pid, 0);
    r->start_ns = clock_mono_ns();
    r->next = p->runs;
    p->runs = r;
    p->running++;
    t->run = r;
    run_watch(r);
    probe_attempt_arm_timeout(t, r->start_ns);
}

void probe_exec_dequeue(struct target *t)
{
    struct prober *p = t->p;

    if (t->qprev)
        t->qprev->qnext = t->qnext;
    else
        p->qhead = t->qnext;
    if (t->qnext)
        t->qnext->qprev = t->qprev;
    else
        p->qtail = t->qprev;
    t->qprev = t->qnext = NULL;
}

/* Start queued attempts while there is room. */
static void exec_dispatch(struct prober *p)
{
    while (p->qhead && p->running < (size_t)p->cfg.max_concurrent_exec) {
        struct target *t = p->qhead;

        probe_exec_dequeue(t);
        exec_start(t);
    }
}

void probe_exec_queue(struct target *t)
{
    struct prober *p = t->p;

    t->state = T_QUEUED;
    t->qprev = p->qtail;
    t->qnext = NULL;
    if (p->qtail)
        p->qtail->qnext = t;
    else
        p->qhead = t;
    p->qtail = t;
    exec_dispatch(p);
}

void probe_exec_timed_out(struct target *t, int64_t now)
{
    char what[64], msg[PROBE_ERROR_MAX];

    snprintf(what, sizeof(what), "timed out after %lld ms",
             (long long)PROBE_NS_TO_MS(t->p->cfg.attempt_timeout_ns));
    if (t->run) {
        run_read(t->run, 1024);
        run_describe(t->run, what, msg, sizeof(msg));
    } else {
        snprintf(msg, sizeof(msg), "%s", what);
    }
    probe_attempt_fail(t, now, 0, "%s", msg);
}

void probe_exec_free(struct prober *p)
{
    while (p->runs) {
        struct exec_run *r = p->runs;

        cmdtmpl_reap(r->pid, NULL);
        run_close(r);
    }
}
