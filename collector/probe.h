/*
 * probe.h - waiting until VMs answer on the network: the readiness probes
 * of vmstorm-collect, driven by the collector's event loop (evloop.h).
 *
 * A prober probes many targets (one VMI episode each, named by its uid) with
 * one method, and reports one outcome per target through a callback. It
 * never blocks, never logs and starts no threads; everything it waits for is
 * an fd in the loop. Methods:
 *
 *   icmp  echo request / reply, IPv4 only, through ONE socket for all
 *         targets: an unprivileged ICMP datagram socket when the process's
 *         group is in net.ipv4.ping_group_range, else a raw socket (root or
 *         CAP_NET_RAW). Replies are matched by a token in the payload and by
 *         their source address; replies from other addresses, to other
 *         programs or to an earlier attempt are ignored. The receive time is
 *         the kernel's time stamp of the reply.
 *   tcp   a non-blocking connect to tcp_port; the attempt succeeds when the
 *         connection is established (the socket is then closed).
 *   exec  `/bin/sh -c COMMAND` with COMMAND made from exec_template, in its
 *         own process group, with stdin /dev/null, stdout and stderr on one
 *         pipe and no other fd of ours; it succeeds when the shell exits with
 *         status 0. In the template, {ip}, {namespace} and {name} become the
 *         target's values as single-quoted shell words ('it'\''s'), so values
 *         from the cluster are never parsed by the shell: do not put the
 *         placeholders inside quotes yourself. Other braces are left alone.
 *         At most max_concurrent_exec commands run at once; due attempts
 *         beyond that wait in a FIFO queue (an attempt counts from when it is
 *         due). A command's process group is killed (SIGKILL) when its
 *         attempt times out, when its target ends, and when it exits (so
 *         background jobs it left do not pile up). Exits are learnt through
 *         pidfd_open(2) (Linux >= 5.3), else by polling waitpid every 10 ms.
 *         The process must not set SIGCHLD to SIG_IGN: the kernel would reap
 *         the commands, and an attempt whose exit status is lost fails.
 *
 * Attempts: the first starts when the target is added; attempt k + 1
 * starts interval_ns after attempt k started, or when attempt k ended if
 * that is later; attempts never overlap. An attempt fails when its reply
 * does not come within attempt_timeout_ns, or on an error (connection
 * refused, host unreachable, non-zero exit). No attempt starts give_up_ns
 * or later after the first, so a target makes at most
 * give_up_ns / interval_ns + 1 attempts.
 *
 * Outcomes ("result" as in the `probe` event of schemas/README.md):
 *   ready      an attempt succeeded (rtt_ns is its time)
 *   timeout    give_up_ns passed since the first attempt without success
 *   error      the probe could not run: the address is not IPv4 (reported
 *              at once), or every attempt until giving up failed locally
 *              (no socket, /bin/sh could not be started, ...)
 *   cancelled  probe_cancel() or prober_free()
 *
 * Callbacks: done is called exactly once per target added, from the loop's
 * callbacks, from probe_cancel() or from prober_free() - never from inside
 * probe_add(). done may call probe_add() and probe_cancel(), but not
 * prober_free().
 *
 * Ownership: the prober copies the config and the strings given to
 * probe_add(); the strings of a probe_result are valid during the done call
 * only. The prober registers fds in the loop and must be freed before it.
 */
#ifndef COLLECTOR_PROBE_H
#define COLLECTOR_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "error.h"
#include "evloop.h"

enum probe_method { PROBE_ICMP, PROBE_TCP, PROBE_EXEC };

/* Longest last_error text, with the NUL. Exec output is cut to its last 512 bytes. */
#define PROBE_ERROR_MAX 640

struct probe_config {
    enum probe_method method;
    int tcp_port;               /* PROBE_TCP: 1..65535 */
    const char *exec_template;  /* PROBE_EXEC: the command line, non-empty (see above) */
    int64_t interval_ns;        /* between attempt starts on one target; <= 0: 1 s */
    int64_t attempt_timeout_ns; /* one attempt; <= 0: 1 s (exec: 10 s) */
    int64_t give_up_ns;         /* per target, from its first attempt (--ping-timeout); > 0 */
    int max_concurrent_exec;    /* PROBE_EXEC: commands running at once; <= 0: 20 */
};

/* What the collector turns into a `probe` event. */
struct probe_result {
    const char *ns, *name, *uid, *ip; /* as given to probe_add */
    enum probe_method method;
    const char *result; /* "ready" | "timeout" | "error" | "cancelled" */
    int attempts;       /* attempts started, >= 1 */
    int64_t waited_ns;  /* from the first attempt to this outcome */
    int64_t rtt_ns;     /* ready: the successful attempt's round trip (icmp), connect time (tcp) or
                           run time (exec); otherwise -1 */
    struct vs_time at;  /* when the outcome happened: for icmp, the reply's receive time */
    const char *last_error; /* the last failed attempt's error, or NULL */
};

typedef void (*probe_done_fn)(void *ctx, const struct probe_result *r);

struct prober;

/* The text of a method as in the `probe` event: "icmp", "tcp" or "exec". */
const char *probe_method_name(enum probe_method m);

/*
 * A prober using loop. For icmp it opens the socket now: when neither kind
 * is allowed it fails with a message naming the sysctl and the capability
 * needed (and suggesting --probe tcp:22). Other failures: a bad config
 * (tcp_port out of range, empty exec_template, give_up_ns <= 0), no memory,
 * no timerfd. Returns NULL and fills err on failure.
 */
struct prober *prober_new(struct evloop *loop, const struct probe_config *cfg, probe_done_fn done,
                          void *ctx, struct vs_error *err);

/*
 * Start probing the target ip (dotted IPv4) of the VMI ns/name with the given
 * uid; the first attempt starts now. Returns 0, or -1 with err when uid is
 * already being probed (EEXIST), when the prober is being freed, or on
 * ENOMEM; done is then not called for it. An address that is not IPv4 is
 * accepted and ends as "error" from the loop.
 */
int probe_add(struct prober *p, const char *ns, const char *name, const char *uid, const char *ip,
              struct vs_error *err);

/* Stop probing uid: done is called with "cancelled" before this returns. Unknown uids are
 * ignored. */
void probe_cancel(struct prober *p, const char *uid);

/* Targets added and not yet done. */
size_t prober_active(const struct prober *p);

/*
 * Cancel every remaining target (done is called with "cancelled"), kill the
 * commands still running and reap them (waiting for SIGKILL to take effect),
 * unregister from the loop and free. Accepts NULL.
 */
void prober_free(struct prober *p);

#endif
