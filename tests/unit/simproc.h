/*
 * simproc.h - start vmstorm-sim from a unit test (BIN from the environment,
 * as tests/run.sh sets it) and read its kubeconfig. For plain-HTTP runs.
 */
#ifndef VS_SIMPROC_H
#define VS_SIMPROC_H

#include <signal.h>
#include <sys/wait.h>

#include "kubeconfig.h"

struct simproc {
    pid_t pid;
    char dir[64];
    char server[256];
    char token[128];
};

/* Start the simulator with extra args (NULL-terminated); 0 or -1. */
static inline int simproc_start(struct simproc *s, const char *const *extra)
{
    const char *bin = getenv("BIN") ? getenv("BIN") : "bin";
    char exe[512], kc[128], truth[128];
    const char *argv[32];
    int argc = 0, i;

    memset(s, 0, sizeof(*s));
    snprintf(s->dir, sizeof(s->dir), "/tmp/vmstorm-simproc.XXXXXX");
    if (!mkdtemp(s->dir))
        return -1;
    snprintf(exe, sizeof(exe), "%s/vmstorm-sim", bin);
    snprintf(kc, sizeof(kc), "%s/kubeconfig", s->dir);
    snprintf(truth, sizeof(truth), "%s/truth.ndjson", s->dir);
    argv[argc++] = exe;
    argv[argc++] = "--listen=127.0.0.1:0";
    argv[argc++] = "--no-tls";
    argv[argc++] = "--guest-port=2222";
    argv[argc++] = "--log-level=warn";
    argv[argc++] = "--kubeconfig-out";
    argv[argc++] = kc;
    argv[argc++] = "--truth";
    argv[argc++] = truth;
    for (i = 0; extra && extra[i] && argc < 30; i++)
        argv[argc++] = extra[i];
    argv[argc] = NULL;
    s->pid = fork();
    if (s->pid == 0) {
        execv(exe, (char *const *)argv);
        _exit(127);
    }
    for (i = 0; i < 100 && access(kc, R_OK) != 0; i++)
        usleep(100000);
    {
        /* read it as the collector does */
        struct kube_conn conn = {0};

        if (kube_conn_load(&conn, kc, NULL, NULL) < 0)
            return -1;
        snprintf(s->server, sizeof(s->server), "%s", conn.server ? conn.server : "");
        snprintf(s->token, sizeof(s->token), "%s", conn.token ? conn.token : "");
        kube_conn_release(&conn);
    }
    return s->server[0] ? 0 : -1;
}

/* SIGTERM and wait; returns the exit status (0 = clean). */
static inline int simproc_stop(struct simproc *s)
{
    int status = -1;
    char cmd[128];

    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        waitpid(s->pid, &status, 0);
    }
    snprintf(cmd, sizeof(cmd), "rm -rf %s", s->dir);
    if (system(cmd) != 0)
        status = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#endif
