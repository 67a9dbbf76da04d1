/*
 * evsched.h - timers for a single-threaded event loop (the simulator, the
 * collector): a binary
 * min-heap of (due time on CLOCK_MONOTONIC, callback, argument). Timers
 * cannot be cancelled: a callback checks whether what it was for still holds
 * (the controller keeps an epoch per object for that). Ties fire in the
 * order they were scheduled. The scheduler owns nothing the callbacks point at.
 */
#ifndef VS_EVSCHED_H
#define VS_EVSCHED_H

#include <stddef.h>
#include <stdint.h>

typedef void (*sched_fn)(void *ctx, void *arg, uint64_t token);

struct sched;

struct sched *sched_new(void);
void sched_free(struct sched *s);

/* Run fn(ctx, arg, token) at mono_ns (or as soon as possible if in the past). 0 or -1 (ENOMEM). */
int sched_at(struct sched *s, int64_t mono_ns, sched_fn fn, void *ctx, void *arg, uint64_t token);

/* Due time of the earliest timer, or INT64_MAX when none. */
int64_t sched_next(const struct sched *s);

/* Run every timer due at or before now_ns (including ones they add that are due). Returns how many
 * ran. */
size_t sched_run(struct sched *s, int64_t now_ns);

size_t sched_pending(const struct sched *s);

/* Empty the schedule at once, whatever is due when: timers whose function is `keep` run (in due
 * order), the others are dropped. For shutting down without waiting out what was planned.
 * Returns how many ran. */
size_t sched_flush(struct sched *s, sched_fn keep);

#endif
