#include "queue.h"

#include <math.h>
#include <stdlib.h>

#include "clock.h"

/* ---- FIFO with k servers ------------------------------------------------------ */

struct fifo_job {
    void *owner;
    uint64_t epoch;
    service_fn service;
    job_done_fn done;
    void *ctx;
    uint64_t token; /* identifies this job's timer while in service */
    struct fifo_job *next;
};

void fifo_init(struct fifo *q, const char *name, int servers, struct sched *s, double speed)
{
    *q = (struct fifo){0};
    q->name = name;
    q->servers = servers > 0 ? servers : 1;
    q->sched = s;
    q->speed = speed;
}

static void free_list(struct fifo_job *j)
{
    while (j) {
        struct fifo_job *next = j->next;

        free(j);
        j = next;
    }
}

void fifo_release(struct fifo *q)
{
    free_list(q->head);
    free_list(q->active);
    q->head = q->tail = q->active = NULL;
}

static int64_t model_to_ns(double seconds, double speed)
{
    double ns = seconds / speed * 1e9;

    return ns < 0 ? 0 : ns > 9e18 ? INT64_MAX / 2 : (int64_t)ns;
}

static void fifo_start_next(struct fifo *q);

static void fifo_service_done(void *ctx, void *arg, uint64_t token)
{
    struct fifo *q = ctx;
    struct fifo_job **pp = &q->active, *j;

    (void)arg;
    while (*pp && (*pp)->token != token)
        pp = &(*pp)->next;
    if (!*pp)
        return; /* removed while in service */
    j = *pp;
    *pp = j->next;
    q->busy--;
    fifo_start_next(q);
    j->done(j->ctx, j->owner, j->epoch);
    free(j);
}

static void fifo_start_next(struct fifo *q)
{
    while (q->busy < q->servers && q->head) {
        struct fifo_job *j = q->head;
        double s = j->service(j->ctx, j->owner);

        q->head = j->next;
        if (!q->head)
            q->tail = NULL;
        j->token = ++q->gen;
        j->next = q->active;
        q->active = j;
        q->busy++;
        sched_at(q->sched, clock_mono_ns() + model_to_ns(s, q->speed), fifo_service_done, q, NULL,
                 j->token);
    }
}

int fifo_push(struct fifo *q, void *owner, uint64_t epoch, service_fn service, job_done_fn done,
              void *ctx)
{
    struct fifo_job *j = calloc(1, sizeof(*j));

    if (!j)
        return -1;
    *j = (struct fifo_job){owner, epoch, service, done, ctx, 0, NULL};
    if (q->tail)
        q->tail->next = j;
    else
        q->head = j;
    q->tail = j;
    if (fifo_waiting(q) > q->max_waiting)
        q->max_waiting = fifo_waiting(q);
    fifo_start_next(q);
    return 0;
}

void fifo_remove_owner(struct fifo *q, void *owner)
{
    struct fifo_job **pp = &q->head, *last = NULL;
    int freed = 0;

    while (*pp) {
        if ((*pp)->owner == owner) {
            struct fifo_job *j = *pp;

            *pp = j->next;
            free(j);
        } else {
            last = *pp;
            pp = &(*pp)->next;
        }
    }
    q->tail = last;
    for (pp = &q->active; *pp;) {
        if ((*pp)->owner == owner) {
            struct fifo_job *j = *pp;

            *pp = j->next;
            free(j);
            q->busy--;
            freed = 1;
        } else {
            pp = &(*pp)->next;
        }
    }
    if (freed)
        fifo_start_next(q);
}

size_t fifo_waiting(const struct fifo *q)
{
    size_t n = 0;

    for (const struct fifo_job *j = q->head; j; j = j->next)
        n++;
    return n;
}

/* ---- processor sharing ------------------------------------------------------- */

struct ps_job {
    void *owner;
    uint64_t epoch;
    double total; /* model seconds at full speed */
    double remaining;
    double demand;
    int group; /* -1: none */
    double group_demand;
    job_done_fn done;
    void *ctx;
    struct ps_job *next;
};

void ps_init(struct ps *p, const char *name, double capacity, struct sched *s, double speed)
{
    *p = (struct ps){0};
    p->name = name;
    p->capacity = capacity > 0 ? capacity : 1;
    p->sched = s;
    p->speed = speed;
}

int ps_set_groups(struct ps *p, int ngroups, double group_capacity)
{
    double *d = calloc(ngroups > 0 ? (size_t)ngroups : 1, sizeof(*d));

    if (!d)
        return -1;
    free(p->group_demand);
    p->group_demand = d;
    p->ngroups = ngroups > 0 ? ngroups : 0;
    p->group_capacity = group_capacity > 0 ? group_capacity : 1;
    return 0;
}

void ps_release(struct ps *p)
{
    struct ps_job *j = p->jobs;

    while (j) {
        struct ps_job *next = j->next;

        free(j);
        j = next;
    }
    p->jobs = NULL;
    p->njobs = 0;
    free(p->group_demand);
    p->group_demand = NULL;
    p->ngroups = 0;
}

/* Relative speed of every job now as far as the whole capacity goes (1 = full speed); sums
 * the demand of each group too. */
static double ps_load(struct ps *p)
{
    double demand = 0;

    for (int g = 0; g < p->ngroups; g++)
        p->group_demand[g] = 0;
    for (const struct ps_job *j = p->jobs; j; j = j->next) {
        demand += j->demand;
        if (j->group >= 0)
            p->group_demand[j->group] += j->group_demand;
    }
    return demand <= p->capacity ? 1.0 : p->capacity / demand;
}

/* Relative speed of job j, given the rate of the whole (ps_load just ran). */
static double ps_job_rate(const struct ps *p, const struct ps_job *j, double rate)
{
    double gd = j->group >= 0 ? p->group_demand[j->group] : 0;

    if (gd > p->group_capacity && p->group_capacity / gd < rate)
        return p->group_capacity / gd;
    return rate;
}

/* Advance every job to now_ns at the rate that held since last_ns. */
static void ps_advance(struct ps *p, int64_t now_ns)
{
    double elapsed = (double)(now_ns - p->last_ns) / 1e9 * p->speed;
    double rate = ps_load(p);

    if (elapsed <= 0)
        return; /* never backwards: a tick may have advanced past a caller's now */
    for (struct ps_job *j = p->jobs; j; j = j->next)
        j->remaining -= elapsed * ps_job_rate(p, j, rate);
    p->last_ns = now_ns;
}

static void ps_tick(void *ctx, void *arg, uint64_t token);

/* Schedule the next completion. */
static void ps_plan(struct ps *p)
{
    double rate = ps_load(p), first = INFINITY;

    p->gen++;
    for (const struct ps_job *j = p->jobs; j; j = j->next) {
        double t = j->remaining > 0 ? j->remaining / ps_job_rate(p, j, rate) : 0;

        if (t < first)
            first = t;
    }
    if (p->jobs) {
        /* + 1: model_to_ns truncates, and advancing to tick_ns must finish the job */
        p->tick_ns = p->last_ns + model_to_ns(first, p->speed) + 1;
        sched_at(p->sched, p->tick_ns, ps_tick, p, NULL, p->gen);
    }
}

static void ps_tick(void *ctx, void *arg, uint64_t token)
{
    struct ps *p = ctx;
    struct ps_job **pp, *done = NULL;

    (void)arg;
    if (token != p->gen)
        return;
    /* to the planned completion, not to now: a loop that runs the timer late
       must not shift the model (the jobs' rates change at that instant) */
    ps_advance(p, p->tick_ns);
    for (pp = &p->jobs; *pp;) {
        if ((*pp)->remaining <= 1e-6) {
            struct ps_job *j = *pp;

            *pp = j->next;
            p->njobs--;
            j->next = done;
            done = j;
        } else {
            pp = &(*pp)->next;
        }
    }
    ps_plan(p);
    while (done) {
        struct ps_job *j = done;

        done = j->next;
        j->done(j->ctx, j->owner, j->epoch);
        free(j);
    }
}

int ps_add_grouped(struct ps *p, void *owner, uint64_t epoch, double work,
                   const struct ps_share *share, job_done_fn done, void *ctx, int64_t now_ns)
{
    struct ps_job *j = calloc(1, sizeof(*j));
    int grouped = share->group >= 0 && share->group < p->ngroups;

    if (!j)
        return -1;
    ps_advance(p, now_ns);
    *j = (struct ps_job){owner,
                         epoch,
                         work,
                         work,
                         share->demand > 0 ? share->demand : 1,
                         grouped ? share->group : -1,
                         share->group_demand > 0 ? share->group_demand : 1,
                         done,
                         ctx,
                         p->jobs};
    p->jobs = j;
    p->njobs++;
    ps_plan(p);
    return 0;
}

int ps_add(struct ps *p, void *owner, uint64_t epoch, double work, double demand, job_done_fn done,
           void *ctx, int64_t now_ns)
{
    struct ps_share share = {demand, -1, 0};

    return ps_add_grouped(p, owner, epoch, work, &share, done, ctx, now_ns);
}

void ps_remove_owner(struct ps *p, void *owner, int64_t now_ns)
{
    struct ps_job **pp;
    int removed = 0;

    ps_advance(p, now_ns);
    for (pp = &p->jobs; *pp;) {
        if ((*pp)->owner == owner) {
            struct ps_job *j = *pp;

            *pp = j->next;
            p->njobs--;
            free(j);
            removed = 1;
        } else {
            pp = &(*pp)->next;
        }
    }
    if (removed)
        ps_plan(p);
}

size_t ps_count(const struct ps *p)
{
    return p->njobs;
}

double ps_fraction_done(struct ps *p, const void *owner, int64_t now_ns)
{
    ps_advance(p, now_ns);
    for (const struct ps_job *j = p->jobs; j; j = j->next)
        if (j->owner == owner)
            return j->total > 0 ? 1.0 - (j->remaining > 0 ? j->remaining / j->total : 0) : 1.0;
    return -1;
}
