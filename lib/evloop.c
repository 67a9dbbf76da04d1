#include "evloop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "clock.h"

struct reg {
    evloop_fd_fn fn;
    void *ctx;
    int active;
};

struct evloop {
    int epfd;
    struct reg *regs; /* indexed by fd */
    size_t nregs;
    struct sched *sched;
    int stopped;
};

struct evloop *evloop_new(struct vs_error *err)
{
    struct evloop *l = calloc(1, sizeof(*l));

    if (!l || !(l->sched = sched_new())) {
        free(l);
        vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory");
        return NULL;
    }
    l->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (l->epfd < 0) {
        vs_error_setc(err, errno, NULL, 0, 0, "epoll_create1: %s", strerror(errno));
        sched_free(l->sched);
        free(l);
        return NULL;
    }
    return l;
}

void evloop_free(struct evloop *l)
{
    if (!l)
        return;
    close(l->epfd);
    sched_free(l->sched);
    free(l->regs);
    free(l);
}

static int ensure_slot(struct evloop *l, int fd)
{
    size_t n;
    struct reg *r;

    if (fd < 0)
        return -1;
    if ((size_t)fd < l->nregs)
        return 0;
    n = l->nregs ? l->nregs : 64;
    while (n <= (size_t)fd)
        n *= 2;
    r = realloc(l->regs, n * sizeof(*r));
    if (!r)
        return -1;
    memset(r + l->nregs, 0, (n - l->nregs) * sizeof(*r));
    l->regs = r;
    l->nregs = n;
    return 0;
}

int evloop_add(struct evloop *l, int fd, uint32_t events, evloop_fd_fn fn, void *ctx,
               struct vs_error *err)
{
    struct epoll_event ev = {.events = events, .data.fd = fd};

    if (ensure_slot(l, fd) < 0)
        return vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory");
    if (l->regs[fd].active)
        return vs_error_setc(err, EEXIST, NULL, 0, 0, "fd %d is already watched", fd);
    if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
        return vs_error_setc(err, errno, NULL, 0, 0, "epoll_ctl(add %d): %s", fd, strerror(errno));
    l->regs[fd] = (struct reg){fn, ctx, 1};
    return 0;
}

int evloop_mod(struct evloop *l, int fd, uint32_t events, struct vs_error *err)
{
    struct epoll_event ev = {.events = events, .data.fd = fd};

    if (fd < 0 || (size_t)fd >= l->nregs || !l->regs[fd].active)
        return vs_error_setc(err, ENOENT, NULL, 0, 0, "fd %d is not watched", fd);
    if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
        return vs_error_setc(err, errno, NULL, 0, 0, "epoll_ctl(mod %d): %s", fd, strerror(errno));
    return 0;
}

void evloop_del(struct evloop *l, int fd)
{
    if (fd < 0 || (size_t)fd >= l->nregs || !l->regs[fd].active)
        return;
    epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
    l->regs[fd].active = 0;
}

struct sched *evloop_sched(struct evloop *l)
{
    return l->sched;
}

int evloop_run_once(struct evloop *l, int max_wait_ms, struct vs_error *err)
{
    struct epoll_event evs[128];
    int64_t now = clock_mono_ns(), next = sched_next(l->sched);
    int timeout = max_wait_ms, n, ran = 0;

    if (next != INT64_MAX) {
        int64_t ms = next <= now ? 0 : (next - now + 999999) / 1000000;

        if (timeout < 0 || ms < timeout)
            timeout = ms > 60000 ? 60000 : (int)ms;
    }
    n = epoll_wait(l->epfd, evs, 128, timeout);
    if (n < 0 && errno != EINTR)
        return vs_error_setc(err, errno, NULL, 0, 0, "epoll_wait: %s", strerror(errno));
    for (int i = 0; i < n; i++) {
        int fd = evs[i].data.fd;

        /* an earlier callback of this round may have removed it */
        if ((size_t)fd < l->nregs && l->regs[fd].active) {
            l->regs[fd].fn(l->regs[fd].ctx, fd, evs[i].events);
            ran++;
        }
    }
    ran += (int)sched_run(l->sched, clock_mono_ns());
    return ran;
}

void evloop_stop(struct evloop *l)
{
    l->stopped = 1;
}

int evloop_stopped(const struct evloop *l)
{
    return l->stopped;
}

int evloop_run_until_stopped(struct evloop *l, struct vs_error *err)
{
    while (!l->stopped)
        if (evloop_run_once(l, -1, err) < 0)
            return -1;
    return 0;
}
