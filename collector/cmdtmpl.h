/*
 * cmdtmpl.h - command templates, and the shell commands made from them:
 * what the exec probe (probe_exec.c) and --fio-cmd (cmdrun.h) share.
 *
 * A template is a shell command line in which {ip}, {namespace} and {name}
 * stand for a VM's values. Each becomes one single-quoted shell word
 * ('it'\''s'), so values from the cluster are never parsed by the shell: do
 * not put the placeholders inside quotes yourself. Other braces are left
 * alone, and placeholders that appear inside a value are not expanded.
 *
 * A command runs as `/bin/sh -c COMMAND` in a process group of its own
 * (its pid is the group id), so that it and whatever it started can be
 * killed together. To kill a group safely, learn that the shell exited
 * without reaping it (cmdtmpl_exited), then cmdtmpl_reap: while the zombie
 * is not reaped, its group id cannot be reused by an unrelated process.
 *
 * Nothing here allocates but cmdtmpl_expand, and nothing blocks but
 * cmdtmpl_reap (until SIGKILL has taken effect).
 */
#ifndef COLLECTOR_CMDTMPL_H
#define COLLECTOR_CMDTMPL_H

#include <stddef.h>
#include <sys/types.h>

/* The command made from tmpl and the values (malloc'd, free() it), or NULL without memory. */
char *cmdtmpl_expand(const char *tmpl, const char *ip, const char *ns, const char *name);

/*
 * Start `/bin/sh -c cmd` in a new process group, with stdin /dev/null,
 * stdout on out_fd and stderr on err_fd (which may be the same fd), no other
 * fd of ours (even ones without O_CLOEXEC), an empty signal mask and every
 * signal at its default action. out_fd and err_fd must be above 2. Stores
 * the pid and returns 0, or returns an errno value.
 */
int cmdtmpl_spawn(const char *cmd, int out_fd, int err_fd, pid_t *pid);

/*
 * Has our child pid exited? Does not reap it. Also 1 when pid is no longer
 * ours to wait for (ECHILD: SIGCHLD ignored, or reaped elsewhere).
 */
int cmdtmpl_exited(pid_t pid);

/*
 * Kill pid's process group (SIGKILL: what it left behind) and reap pid,
 * waiting until it is gone. Stores its wait status in *status (if not NULL)
 * and returns 0, or returns the errno of waitpid (ECHILD: the status was lost).
 */
int cmdtmpl_reap(pid_t pid, int *status);

/* A wait status as text: "exit status 3" or "killed by signal 9". Returns buf. */
const char *cmdtmpl_status_text(int status, char *buf, size_t n);

/*
 * Keep the last cap bytes of a stream in tail (*len bytes used): append the
 * n bytes at b, dropping the oldest ones beyond cap. Returns 1 when bytes
 * were dropped, else 0.
 */
int cmdtmpl_tail_add(char *tail, size_t cap, size_t *len, const char *b, size_t n);

#endif
