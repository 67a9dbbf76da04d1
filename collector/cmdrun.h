/*
 * cmdrun.h - one shell command per target, run from the collector's event
 * loop (evloop.h): the commands of --fio-cmd.
 *
 * cmdrun_add() makes a command from the template (cmdtmpl.h: {ip},
 * {namespace} and {name} become single-quoted shell words) and runs
 * `/bin/sh -c COMMAND` in its own process group, with stdin /dev/null,
 * stdout and stderr on two pipes and no other fd of ours. At most
 * max_running commands run at once; the others wait in a FIFO queue and
 * start, in the order they were added, as running ones end.
 *
 * Nothing blocks and no thread is started: the pipes are non-blocking fds
 * in the loop, exits are learnt through pidfd_open(2) (Linux >= 5.3), else
 * by polling waitpid every 10 ms, and one timerfd of cmdrun's own in the
 * loop serves the time limits and the polling (so no timer of cmdrun is
 * left in the loop once it is freed).
 *
 * What is kept of a command: all of its stdout up to max_output bytes
 * (more, and its process group is killed: "output over N bytes"), and the
 * last CMDRUN_STDERR_TAIL bytes of its stderr. A command still running
 * timeout_ns after it started is killed with its group (timed_out).
 * When the shell exits, its process group is killed (SIGKILL), so that
 * background jobs it left do not linger, and what is still in the pipes is
 * read; a command has ended when its shell has exited, whoever else holds
 * its pipes.
 *
 * Callbacks: done is called exactly once per command added, from the
 * loop's callbacks or from cmdrun_free() - never from inside cmdrun_add().
 * done may call cmdrun_add() (but not from cmdrun_free()'s calls), and
 * must not call cmdrun_free().
 *
 * The process must not set SIGCHLD to SIG_IGN (the kernel would reap the
 * commands, whose status is then lost: "exit status lost"), and must have fds
 * 0, 1 and 2 open (so that the pipes get higher numbers).
 *
 * Ownership: cmdrun copies the config and the strings given to
 * cmdrun_add(); arg stays the caller's. The strings of a cmdrun_result are
 * valid during the done call only. cmdrun registers fds in the loop and
 * must be freed before it; the loop may keep running after cmdrun_free().
 */
#ifndef COLLECTOR_CMDRUN_H
#define COLLECTOR_CMDRUN_H

#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "error.h"
#include "evloop.h"

#define CMDRUN_STDERR_TAIL 4096                              /* bytes of stderr kept */
#define CMDRUN_DEFAULT_MAX_OUTPUT ((size_t)16 * 1024 * 1024) /* bytes of stdout */
#define CMDRUN_DEFAULT_MAX_RUNNING 20

struct cmdrun_config {
    const char *template; /* the command line, non-empty (cmdtmpl.h) */
    int max_running;      /* commands running at once; <= 0: CMDRUN_DEFAULT_MAX_RUNNING */
    int64_t timeout_ns;   /* per command, from its start; <= 0: no limit */
    size_t max_output;    /* stdout bytes kept, at most 1 GiB; 0: CMDRUN_DEFAULT_MAX_OUTPUT */
};

/*
 * One command's outcome. error is NULL exactly when the shell exited by
 * itself with status 0; otherwise it says, for a person, what happened:
 *   "exit status 3"               exited by itself (exit_status)
 *   "killed by signal 15"         killed by a signal cmdrun did not send (term_signal)
 *   "timed out after 500 ms"      timed_out: cmdrun killed it at its time limit
 *   "output over 16777216 bytes"  cmdrun killed it for writing more than max_output
 *   "cannot run /bin/sh: ..."     it could not be started (no pipe, no process)
 *   "exit status lost: ..."       SIGCHLD is ignored (see above)
 *   "out of memory for its output"
 *   "cancelled"                   cancelled: cmdrun_free() killed it, or it never started
 */
struct cmdrun_result {
    const char *ns, *name, *ip; /* as given to cmdrun_add */
    void *arg;                  /* as given to cmdrun_add */
    const char *command;        /* the command line (the template expanded) */
    const char *error;          /* see above */
    int exit_status; /* the shell's exit status (0..255) when it exited by itself, else -1 */
    int term_signal; /* the signal that ended it (SIGKILL when cmdrun killed it), else 0 */
    int timed_out;   /* killed at its time limit */
    int cancelled;   /* killed or dropped by cmdrun_free() */
    const char *out; /* stdout, out_len bytes (NULs included) and a NUL after them */
    size_t out_len;
    /* The end of stderr, err_len <= CMDRUN_STDERR_TAIL bytes and a NUL after them. When
     * err_cut (older bytes were dropped), it starts at a UTF-8 character: the
     * continuation bytes of a character cut in two are dropped too. */
    const char *err;
    size_t err_len;
    int err_cut;
    struct vs_time start; /* when the shell was started; both 0 when it never was */
    int64_t duration_ns;  /* from start to when its exit was learnt; 0 if it never started */
};

typedef void (*cmdrun_done_fn)(void *ctx, const struct cmdrun_result *r);

struct cmdrun;

/*
 * A command runner using loop. Fails (NULL with err) on a bad config (empty
 * template, max_output over 1 GiB), without memory, or without a timerfd.
 */
struct cmdrun *cmdrun_new(struct evloop *loop, const struct cmdrun_config *cfg, cmdrun_done_fn done,
                          void *ctx, struct vs_error *err);

/*
 * Run the command for the target ip in ns/name: now if fewer than
 * max_running run, else once its turn comes. arg is handed back in the
 * result. Returns 0, or -1 with err without memory or when cmdrun is being
 * freed; done is then not called for it. A command that cannot be started
 * is reported ("cannot run /bin/sh: ...") from the loop.
 */
int cmdrun_add(struct cmdrun *c, const char *ns, const char *name, const char *ip, void *arg,
               struct vs_error *err);

/* Commands added and not yet reported (queued, running, or failed to start). */
size_t cmdrun_pending(const struct cmdrun *c);

/* Commands whose shell is running now (at most max_running). */
size_t cmdrun_running(const struct cmdrun *c);

/*
 * Kill the commands still running with their groups and reap them (waiting
 * for SIGKILL to take effect), report every command not reported yet as
 * cancelled (with what it wrote so far), unregister from the loop and
 * free. Accepts NULL.
 */
void cmdrun_free(struct cmdrun *c);

#endif
