/*
 * queue.h - the two kinds of contention in the timing model.
 *
 * struct fifo: a first-come first-served queue with k servers (virt-controller
 *   workers, the kube-scheduler, a node's serialized pod network setup,
 *   virt-handler workers). A job waits for a free server, then holds it for
 *   its service time, drawn when service starts.
 * struct ps: processor sharing with a capacity (the storage backend for
 *   clones and guest boots, a node's pod starts). Each job has work (seconds
 *   at full speed) and a demand (the share of the capacity it could use);
 *   when the demands add up to more than the capacity, every job slows by
 *   capacity / total demand. A ps may also have groups (ps_set_groups: the
 *   nodes, each with its cores): a job added with ps_add_grouped also
 *   shares its group's capacity, and runs at the lower of the two rates.
 *
 * Jobs belong to an owner pointer with an epoch; removing an owner's jobs
 * (a VM stopped while it boots) frees their servers or share at once. Times
 * are real CLOCK_MONOTONIC ns; `speed` converts model seconds into real
 * time (model seconds / speed). The queues own their job records, not the
 * owners.
 */
#ifndef SIM_QUEUE_H
#define SIM_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "ratelimit.h"
#include "evsched.h"

/* Called when a job completes (fifo: service done; ps: work done). */
typedef void (*job_done_fn)(void *ctx, void *owner, uint64_t epoch);
/* Draws a service time in model seconds (fifo). */
typedef double (*service_fn)(void *ctx, void *owner);

struct fifo_job;
struct fifo {
    const char *name;
    int servers, busy;
    struct fifo_job *head, *tail; /* waiting */
    struct fifo_job *active;      /* in service */
    struct sched *sched;
    double speed;
    uint64_t gen; /* invalidates timers of removed jobs */
    size_t max_waiting;
};

void fifo_init(struct fifo *q, const char *name, int servers, struct sched *s, double speed);
void fifo_release(struct fifo *q);
int fifo_push(struct fifo *q, void *owner, uint64_t epoch, service_fn service, job_done_fn done,
              void *ctx);
/* Drop every job of owner (waiting or in service). */
void fifo_remove_owner(struct fifo *q, void *owner);
size_t fifo_waiting(const struct fifo *q);

struct ps_job;
struct ps {
    const char *name;
    double capacity;
    int ngroups;           /* 0: no groups */
    double group_capacity; /* of each group */
    double *group_demand;  /* per group, recomputed as jobs come and go */
    struct ps_job *jobs;
    size_t njobs;
    int64_t last_ns;
    int64_t tick_ns; /* when the next completion is due (ps_plan) */
    uint64_t gen;
    struct sched *sched;
    double speed;
};

void ps_init(struct ps *p, const char *name, double capacity, struct sched *s, double speed);
void ps_release(struct ps *p);
int ps_add(struct ps *p, void *owner, uint64_t epoch, double work, double demand, job_done_fn done,
           void *ctx, int64_t now_ns);
/* Give p ngroups groups of group_capacity each (before adding jobs); 0 or -1. */
int ps_set_groups(struct ps *p, int ngroups, double group_capacity);
/* What a grouped job asks for: demand of p's capacity, group_demand of its group's. */
struct ps_share {
    double demand;
    int group; /* 0 .. ngroups - 1 */
    double group_demand;
};
int ps_add_grouped(struct ps *p, void *owner, uint64_t epoch, double work,
                   const struct ps_share *share, job_done_fn done, void *ctx, int64_t now_ns);
void ps_remove_owner(struct ps *p, void *owner, int64_t now_ns);
size_t ps_count(const struct ps *p);
/* Fraction of owner's work done, in [0, 1]; -1 when it has no job here. */
double ps_fraction_done(struct ps *p, const void *owner, int64_t now_ns);

#endif
