/*
 * cmdtmpl.c - command templates and their shell processes (cmdtmpl.h).
 *
 * posix_spawn rather than fork: the collector may be large, and glibc's
 * spawn uses vfork semantics.
 */
#include "cmdtmpl.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

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
static size_t expand(char *out, const char *tmpl, const char *const values[3])
{
    static const char *const names[] = {"{ip}", "{namespace}", "{name}"};
    size_t n = 0;

    while (*tmpl) {
        const char *v = NULL;
        size_t skip = 0;

        for (size_t i = 0; *tmpl == '{' && !v && i < 3; i++) {
            skip = strlen(names[i]);
            if (strncmp(tmpl, names[i], skip) == 0)
                v = values[i];
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

char *cmdtmpl_expand(const char *tmpl, const char *ip, const char *ns, const char *name)
{
    const char *const values[3] = {ip, ns, name};
    char *cmd = malloc(expand(NULL, tmpl, values) + 1);

    if (cmd)
        expand(cmd, tmpl, values);
    return cmd;
}

static int spawn_actions(posix_spawn_file_actions_t *fa, int out_fd, int err_fd)
{
    int rc = posix_spawn_file_actions_addopen(fa, 0, "/dev/null", O_RDONLY, 0);

    if (!rc)
        rc = posix_spawn_file_actions_adddup2(fa, out_fd, 1);
    if (!rc)
        rc = posix_spawn_file_actions_adddup2(fa, err_fd, 2);
    if (!rc) /* nothing else of ours, even fds someone forgot to make close-on-exec */
        rc = posix_spawn_file_actions_addclosefrom_np(fa, 3);
    return rc;
}

static int spawn_attrs(posix_spawnattr_t *attr)
{
    sigset_t none, all;
    int rc;

    sigemptyset(&none);
    sigfillset(&all);
    rc = posix_spawnattr_setflags(attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                            POSIX_SPAWN_SETSIGDEF);
    if (!rc)
        rc = posix_spawnattr_setpgroup(attr, 0);
    if (!rc)
        rc = posix_spawnattr_setsigmask(attr, &none);
    if (!rc)
        rc = posix_spawnattr_setsigdefault(attr, &all);
    return rc;
}

int cmdtmpl_spawn(const char *cmd, int out_fd, int err_fd, pid_t *pid)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    char *argv[] = {(char *)"sh", (char *)"-c", (char *)cmd, NULL};
    int rc;

    if (out_fd <= 2 || err_fd <= 2) /* the file actions would overwrite them */
        return EBADF;
    if ((rc = posix_spawn_file_actions_init(&fa)) != 0)
        return rc;
    if ((rc = posix_spawnattr_init(&attr)) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        return rc;
    }
    rc = spawn_actions(&fa, out_fd, err_fd);
    if (!rc)
        rc = spawn_attrs(&attr);
    if (!rc)
        rc = posix_spawn(pid, "/bin/sh", &fa, &attr, argv, environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    return rc;
}

int cmdtmpl_exited(pid_t pid)
{
    siginfo_t si;

    memset(&si, 0, sizeof(si));
    if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
        return errno == ECHILD; /* reaped by someone else: treat as gone */
    return si.si_pid == pid;
}

int cmdtmpl_reap(pid_t pid, int *status)
{
    int st = 0;
    pid_t w;

    kill(-pid, SIGKILL); /* the zombie, if it is one, keeps the group id ours */
    while ((w = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
        ;
    if (w != pid)
        return errno;
    if (status)
        *status = st;
    return 0;
}

const char *cmdtmpl_status_text(int status, char *buf, size_t n)
{
    if (WIFSIGNALED(status))
        snprintf(buf, n, "killed by signal %d", WTERMSIG(status));
    else
        snprintf(buf, n, "exit status %d", WEXITSTATUS(status));
    return buf;
}

int cmdtmpl_tail_add(char *tail, size_t cap, size_t *len, const char *b, size_t n)
{
    size_t drop;

    if (n >= cap) {
        int cut = n > cap || *len > 0;

        memcpy(tail, b + n - cap, cap);
        *len = cap;
        return cut;
    }
    drop = *len + n > cap ? *len + n - cap : 0;
    if (drop) {
        memmove(tail, tail + drop, *len - drop);
        *len -= drop;
    }
    memcpy(tail + *len, b, n);
    *len += n;
    return drop > 0;
}
