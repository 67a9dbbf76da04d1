/*
 * probe_exec.c - the exec method of the prober (probe.h): `/bin/sh -c` a
 * command made from the template, at most max_concurrent_exec at once,
 * the others waiting in a FIFO queue.
 *
 * Each command runs in its own process group with its output on a pipe
 * (the last PROBE_EXEC_TAIL bytes kept). Its exit is learnt from a pidfd
 * in the loop, or by polling when pidfd_open(2) fails (Linux < 5.3), and
 * checked with waitid(WNOWAIT) first, so that the group is killed while
 * the zombie still holds its id. posix_spawn rather than fork: the
 * collector may be large, and spawn uses vfork semantics.
 */
#include "probe_int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define EXEC_POLL_NS (10 * NS_PER_MS) /* waitpid polling when there is no pidfd */

static void exec_dispatch(struct prober *p);

/* s as one single-quoted shell word, at out (if not NULL); returns its length. */
static size_t shell_quote(char *out, const char *s)
{
    size_t n = 0;

    if (out)
        out[n] = '\'';
    n++;
    for (; *s; s++) {
        if (*s == '\'') {
            if (out)
                memcpy(out + n, "'\\''", 4);
            n += 4;
        } else {
            if (out)
                out[n] = *s;
            n++;
        }
    }
    if (out)
        out[n] = '\'';
    return n + 1;
}

/* The template with the placeholders replaced, at out (if not NULL); returns its length. */
static size_t exec_expand(char *out, const char *tmpl, const struct target *t)
{
    static const char *const names[] = {"{ip}", "{namespace}", "{name}"};
    size_t n = 0;

    while (*tmpl) {
        const char *v = NULL;
        size_t skip = 0;

        for (size_t i = 0; *tmpl == '{' && !v && i < 3; i++) {
            skip = strlen(names[i]);
            if (strncmp(tmpl, names[i], skip) == 0)
                v = i == 0 ? t->ip : i == 1 ? t->ns : t->name;
        }
        if (v) {
            n += shell_quote(out ? out + n : NULL, v);
            tmpl += skip;
        } else {
            if (out)
                out[n] = *tmpl;
            n++;
            tmpl++;
        }
    }
    if (out)
        out[n] = '\0';
    return n;
}

static char *exec_command(const char *tmpl, const struct target *t)
{
    char *cmd = malloc(exec_expand(NULL, tmpl, t) + 1);

    if (cmd)
        exec_expand(cmd, tmpl, t);
    return cmd;
}

static void run_tail_add(struct exec_run *r, const char *b, size_t n)
{
    if (n >= PROBE_EXEC_TAIL) {
        r->tail_cut = 1;
        memcpy(r->tail, b + n - PROBE_EXEC_TAIL, PROBE_EXEC_TAIL);
        r->tail_len = PROBE_EXEC_TAIL;
        return;
    }
    if (r->tail_len + n > PROBE_EXEC_TAIL) {
        size_t drop = r->tail_len + n - PROBE_EXEC_TAIL;

        r->tail_cut = 1;
        memmove(r->tail, r->tail + drop, r->tail_len - drop);
        r->tail_len -= drop;
    }
    memcpy(r->tail + r->tail_len, b, n);
    r->tail_len += n;
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
    int status = 0, ok = 0, lost = 0;
    pid_t w;

    clock_now(&at);
    kill(-r->pid, SIGKILL); /* what it left behind; the zombie keeps the group id ours */
    while ((w = waitpid(r->pid, &status, 0)) < 0 && errno == EINTR)
        ;
    run_read(r, 1024);
    if (w != r->pid) /* reaped behind our back: SIGCHLD is ignored */
        lost = snprintf(what, sizeof(what), "exit status lost: %s", strerror(errno)) > 0;
    else if (WIFSIGNALED(status))
        snprintf(what, sizeof(what), "killed by signal %d", WTERMSIG(status));
    else if (!(ok = WIFEXITED(status) && WEXITSTATUS(status) == 0))
        snprintf(what, sizeof(what), "exit status %d", WEXITSTATUS(status));
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

/* Has r's process exited? (Without reaping it.) */
static int run_has_exited(const struct exec_run *r)
{
    siginfo_t si;

    memset(&si, 0, sizeof(si));
    if (waitid(P_PID, (id_t)r->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
        return errno == ECHILD; /* reaped by someone else: treat as gone */
    return si.si_pid == r->pid;
}

static void run_pidfd_event(void *ctx, int fd, uint32_t events)
{
    struct exec_run *r = ctx;

    (void)fd;
    (void)events;
    if (run_has_exited(r))
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
            if (r->pidfd < 0 && run_has_exited(r)) {
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

/* posix_spawn /bin/sh -c cmd in a new process group, output on out_w. Returns 0 or an errno. */
static int exec_spawn_sh(const char *cmd, int out_w, pid_t *pid)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t none, all;
    char *argv[] = {(char *)"sh", (char *)"-c", (char *)cmd, NULL};
    int rc;

    sigemptyset(&none);
    sigfillset(&all);
    if ((rc = posix_spawn_file_actions_init(&fa)) != 0)
        return rc;
    if ((rc = posix_spawnattr_init(&attr)) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        return rc;
    }
    rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (!rc)
        rc = posix_spawn_file_actions_adddup2(&fa, out_w, 1);
    if (!rc)
        rc = posix_spawn_file_actions_adddup2(&fa, out_w, 2);
    if (!rc) /* nothing else of ours, even fds someone forgot to make close-on-exec */
        rc = posix_spawn_file_actions_addclosefrom_np(&fa, 3);
    if (!rc)
        rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                                 POSIX_SPAWN_SETSIGDEF);
    if (!rc)
        rc = posix_spawnattr_setpgroup(&attr, 0);
    if (!rc)
        rc = posix_spawnattr_setsigmask(&attr, &none);
    if (!rc)
        rc = posix_spawnattr_setsigdefault(&attr, &all);
    if (!rc)
        rc = posix_spawn(pid, "/bin/sh", &fa, &attr, argv, environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    return rc;
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
    char *cmd = exec_command(p->exec_template, t);
    int pfd[2] = {-1, -1}, rc = ENOMEM;

    t->state = T_ATTEMPT;
    if (r && cmd)
        rc = pipe2(pfd, O_CLOEXEC) < 0 ? errno : 0;
    if (r && cmd && rc == 0) {
        fcntl(pfd[0], F_SETFL, O_NONBLOCK); /* ours only: the command's end stays blocking */
        rc = exec_spawn_sh(cmd, pfd[1], &r->pid);
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

        kill(-r->pid, SIGKILL);
        while (waitpid(r->pid, NULL, 0) < 0 && errno == EINTR)
            ;
        run_close(r);
    }
}
