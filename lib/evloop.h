/*
 * evloop.h - a single-threaded event loop: epoll over file descriptors plus
 * the timers of a struct sched (evsched.h).
 *
 * Each fd is registered once with a callback; callbacks may add, change or
 * remove registrations (including their own) and add timers. The loop owns
 * its epoll fd and its registrations, not the registered fds.
 */
#ifndef VS_EVLOOP_H
#define VS_EVLOOP_H

#include <stdint.h>

#include "error.h"
#include "evsched.h"

struct evloop;

/* Called with the epoll events (EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP...). */
typedef void (*evloop_fd_fn)(void *ctx, int fd, uint32_t events);

struct evloop *evloop_new(struct vs_error *err);
void evloop_free(struct evloop *l);

/* Watch fd for events; 0 or -1 with err. An fd is registered at most once. */
int evloop_add(struct evloop *l, int fd, uint32_t events, evloop_fd_fn fn, void *ctx,
               struct vs_error *err);
/* Change the events watched for fd. */
int evloop_mod(struct evloop *l, int fd, uint32_t events, struct vs_error *err);
/* Stop watching fd (before closing it). Unknown fds are ignored. */
void evloop_del(struct evloop *l, int fd);

/* The loop's timers: sched_at(evloop_sched(l), when, fn, ...). */
struct sched *evloop_sched(struct evloop *l);

/*
 * Wait for fds or the next timer, at most max_wait_ms (-1: no limit but
 * the timers), then run the fd callbacks and the due timers. Returns the
 * number of callbacks run, or -1 on an epoll error (with err).
 */
int evloop_run_once(struct evloop *l, int max_wait_ms, struct vs_error *err);

/* Ask evloop_run_until_stopped() to return after the current round. */
void evloop_stop(struct evloop *l);
int evloop_stopped(const struct evloop *l);
int evloop_run_until_stopped(struct evloop *l, struct vs_error *err);

#endif
