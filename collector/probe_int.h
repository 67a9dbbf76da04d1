/*
 * probe_int.h - the insides of the prober (probe.h), shared by its three
 * files: probe.c (targets, their attempts and timers, tcp), probe_icmp.c
 * and probe_exec.c. Not for other modules.
 *
 * A target is in one of three states; its attempt's resources (the tcp
 * socket, the exec run, the queue link) are released by attempt_end() in
 * probe.c whatever ends the attempt. Exec runs outlive the attempt that
 * started them: a killed command stays in the run list, counted against
 * max_concurrent_exec, until it is reaped.
 */
#ifndef COLLECTOR_PROBE_INT_H
#define COLLECTOR_PROBE_INT_H

#include <netinet/in.h>
#include <stdint.h>
#include <sys/types.h>

#include "probe.h"

#define NS_PER_MS INT64_C(1000000)
#define NS_PER_S INT64_C(1000000000)
#define PROBE_NS_TO_MS(ns) ((ns) / NS_PER_MS)
#define PROBE_EXEC_TAIL 512                  /* bytes of a command's output kept */
#define PROBE_POLL_ARG ((void *)UINTPTR_MAX) /* timer arg of the waitpid poll */

enum tstate {
    T_WAIT,    /* between attempts */
    T_ATTEMPT, /* an attempt is under way */
    T_QUEUED,  /* an exec attempt waits for a free slot */
};

struct exec_run;

struct target {
    struct prober *p;
    char *ns, *name, *uid, *ip;
    uint32_t slot; /* index in p->slots */
    struct in_addr addr;
    int bad_addr;
    enum tstate state;
    int attempts, local_failures;
    int64_t first_ns, attempt_ns; /* first attempt's start, this attempt's (mono) */
    uint64_t step_token;          /* next attempt or this attempt's timeout; 0: none */
    uint64_t giveup_token;
    uint64_t attempt_token; /* icmp: carried in the echo; 0 when no attempt is under way */
    int fd;                 /* tcp: the connecting socket, or -1 */
    struct exec_run *run;   /* exec: the running command */
    struct target *qprev, *qnext;
    char last_error[PROBE_ERROR_MAX];
};

struct exec_run {
    struct prober *p;
    struct target *t; /* NULL once its attempt ended without it */
    pid_t pid;
    int pidfd, outfd; /* -1 when none / closed */
    int64_t start_ns;
    char tail[PROBE_EXEC_TAIL];
    size_t tail_len;
    int tail_cut; /* older output was dropped */
    struct exec_run *next;
};

struct prober {
    struct evloop *loop;
    struct probe_config cfg;
    char *exec_template;
    probe_done_fn done;
    void *ctx;
    struct sched *sched; /* ours, not the loop's: pending timers die with the prober */
    int tfd;             /* timerfd set to the earliest of them */
    int64_t armed_ns;    /* the timerfd's expiry, INT64_MAX when disarmed */
    uint64_t next_token;
    struct target **slots;
    uint32_t *free_slots;
    size_t nslots, nfree, active;
    int icmp_fd, icmp_raw;
    uint32_t salt; /* in every echo: tells our echoes from other probers' */
    uint16_t icmp_id, next_seq;
    struct exec_run *runs;
    size_t running;
    struct target *qhead, *qtail;
    int polling; /* the waitpid poll timer is pending */
    int freeing;
};

/* --- probe.c ---------------------------------------------------------------- */

/*
 * Run the prober's timer at mono time `when` with arg (a target's slot, or
 * PROBE_POLL_ARG) and token. 0, or -1 without memory: a target's give-up
 * timer is set when it is added, so a lost step timer leaves it waiting
 * for that, never forever.
 */
int probe_at(struct prober *p, int64_t when, void *arg, uint64_t token);

/* The attempt under way, started at mono time start, may last attempt_timeout_ns. */
void probe_attempt_arm_timeout(struct target *t, int64_t start);

/*
 * The attempt under way failed at mono time now: release it, set
 * last_error, schedule the next attempt. local: it failed on our side (no
 * socket, no /bin/sh), so it does not count as having probed the target.
 */
void probe_attempt_fail(struct target *t, int64_t now, int local, const char *fmt, ...)
    VS_PRINTF(4, 5);

/* The attempt that started at mono time start_ns succeeded at `at`: report "ready", free t. */
void probe_target_ready(struct target *t, const struct vs_time *at, int64_t start_ns);

/* Is errno value e our own shortage rather than an answer about the target? */
int probe_errno_local(int e);

/* --- probe_icmp.c ----------------------------------------------------------- */

/* Open the one icmp socket, datagram if allowed, else raw, and watch it. */
int probe_icmp_open(struct prober *p, struct vs_error *err);

/* Send the echo request of t's attempt under way. */
void probe_icmp_send(struct target *t);

/* --- probe_exec.c ----------------------------------------------------------- */

/* t's attempt is due: run its command now if there is room, else queue it (T_QUEUED). */
void probe_exec_queue(struct target *t);

/* Take t (T_QUEUED) out of the queue. */
void probe_exec_dequeue(struct target *t);

/* The attempt no longer waits for r: kill its process group; r is reaped when it exits. */
void probe_exec_abandon(struct exec_run *r);

/* t's command ran attempt_timeout_ns: fail the attempt, with its output so far. */
void probe_exec_timed_out(struct target *t, int64_t now);

/* Reap the exited commands that have no pidfd; poll again while some are left. */
void probe_exec_poll(struct prober *p);

/* Kill and reap every command left (blocks until SIGKILL has taken effect). */
void probe_exec_free(struct prober *p);

#endif
