/*
 * kubeconfig_exec.c - running exec credential plugins (kube_exec_run in
 * kubeconfig.h), as client-go's plugin/pkg/client/auth/exec does.
 *
 * One run: build the environment (ours, the plugin's env, then
 * KUBERNETES_EXEC_INFO), find the command in $PATH, fork and exec it in its
 * own process group with stdin /dev/null and stdout/stderr on pipes, read
 * both until EOF or the deadline, reap it, then read the ExecCredential it
 * printed.
 *
 * fork/execve rather than posix_spawnp: <spawn.h> needs the system
 * <sched.h>, which lib/sched.h hides on our include path (-Ilib).
 */
#include "kubeconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cJSON.h>

#include "clock.h"

extern char **environ;

#define EXEC_STDERR_KEEP 1024 /* bytes of the plugin's stderr kept for messages */
#define EXEC_INFO_NAME "KUBERNETES_EXEC_INFO"

/* One run of a plugin. */
struct exec_run {
    const struct kube_auth_exec *e;
    pid_t pid;          /* > 0 until reaped */
    int out_fd, err_fd; /* read ends, -1 once at EOF */
    char *out;          /* stdout: KUBE_EXEC_STDOUT_MAX + 1 bytes (+ NUL) */
    size_t out_len;
    char errtext[EXEC_STDERR_KEEP + 1]; /* the start of stderr */
    size_t err_len;
    int status; /* from waitpid */
};

static void exec_wipe_free(char *s, size_t len)
{
    if (!s)
        return;
    explicit_bzero(s, len);
    free(s);
}

/*
 * prefix and text (len bytes) on one line: white space runs folded to one
 * space, control bytes shown as '?'; "" when text is blank. Returns buf.
 */
static const char *exec_oneline(const char *prefix, const char *text, size_t len, char *buf,
                                size_t n)
{
    size_t i, o = 0, plen = strlen(prefix);
    int space = 0;

    for (i = 0; i < len && o + plen + 2 < n; i++) {
        unsigned char ch = (unsigned char)text[i];

        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
            space = o > 0;
            continue;
        }
        if (o == 0) {
            memcpy(buf, prefix, plen);
            o = plen;
        } else if (space) {
            buf[o++] = ' ';
        }
        space = 0;
        buf[o++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
    }
    buf[o] = '\0';
    return buf;
}

/* ": <the start of stderr>", or "". */
static const char *exec_stderr(const struct exec_run *r, char *buf, size_t n)
{
    return exec_oneline(": ", r->errtext, r->err_len, buf, n);
}

/* The value of KUBERNETES_EXEC_INFO: the ExecCredential request, non-interactive. */
static char *exec_info(const struct kube_auth_exec *e)
{
    char *s = NULL;

    if (asprintf(&s,
                 EXEC_INFO_NAME "={\"kind\":\"ExecCredential\",\"apiVersion\":\"%s\","
                                "\"spec\":{\"interactive\":false}}",
                 e->api_version) < 0)
        return NULL;
    return s;
}

/* Does the environment entry `entry` set the variable named by `other` (up to '=')? */
static int exec_same_name(const char *entry, const char *other)
{
    size_t n = strcspn(entry, "=");

    return strncmp(entry, other, n) == 0 && (other[n] == '=' || other[n] == '\0');
}

/* Is entry overridden by a later plugin env entry (from index `from` on) or by the info? */
static int exec_overridden(const char *entry, char *const *env, size_t from)
{
    size_t i;

    if (exec_same_name(entry, EXEC_INFO_NAME))
        return 1;
    for (i = from; env && env[i]; i++)
        if (exec_same_name(entry, env[i]))
            return 1;
    return 0;
}

/*
 * The plugin's environment: ours, then e->env, then info; a later entry for
 * a name replaces earlier ones (Go's os/exec keeps the last). The array is
 * malloc'd; its strings are not copied.
 */
static char **exec_env(const struct kube_auth_exec *e, char *info)
{
    size_t n = 0, i, o = 0;
    char **envp;

    for (i = 0; environ && environ[i]; i++)
        n++;
    for (i = 0; e->env && e->env[i]; i++)
        n++;
    if (!(envp = calloc(n + 2, sizeof(*envp))))
        return NULL;
    for (i = 0; environ && environ[i]; i++)
        if (!exec_overridden(environ[i], e->env, 0))
            envp[o++] = environ[i];
    for (i = 0; e->env && e->env[i]; i++)
        if (!exec_overridden(e->env[i], e->env, i + 1))
            envp[o++] = e->env[i];
    envp[o] = info;
    return envp;
}

/* argv: the command, then e->args. */
static char **exec_argv(const struct kube_auth_exec *e)
{
    size_t n = 0, i;
    char **argv;

    while (e->args && e->args[n])
        n++;
    if (!(argv = calloc(n + 2, sizeof(*argv))))
        return NULL;
    argv[0] = e->command;
    for (i = 0; i < n; i++)
        argv[i + 1] = e->args[i];
    return argv;
}

/*
 * The file to run: cmd itself when it holds a '/', else the first
 * executable regular file named cmd in $PATH (as Go's exec.LookPath; an
 * empty entry is the current directory). NULL with errno ENOENT, EACCES
 * (found, not executable) or ENOMEM.
 */
static char *exec_lookpath(const char *cmd)
{
    const char *path = getenv("PATH"), *p, *end;
    int eacces = 0;
    struct stat st;
    char *file;

    if (strchr(cmd, '/')) {
        if (stat(cmd, &st) != 0)
            return NULL;
        if (!S_ISREG(st.st_mode) || access(cmd, X_OK) != 0) {
            errno = EACCES;
            return NULL;
        }
        return strdup(cmd);
    }
    for (p = path ? path : ""; path && *cmd; p = end + 1) {
        end = p + strcspn(p, ":");
        if (asprintf(&file, "%.*s/%s", end > p ? (int)(end - p) : 1, end > p ? p : ".", cmd) < 0)
            return NULL;
        if (stat(file, &st) == 0 && S_ISREG(st.st_mode)) {
            if (access(file, X_OK) == 0)
                return file;
            eacces = 1;
        }
        free(file);
        if (!*end)
            break;
    }
    errno = eacces ? EACCES : ENOENT;
    return NULL;
}

/*
 * In the child, between fork and exec: only async-signal-safe calls. Own
 * process group, default signals, stdin /dev/null, stdout and stderr on the
 * pipes; on failure the errno goes up the report pipe.
 */
static void exec_child(const char *file, char **argv, char **envp, const int outp[2],
                       const int errp[2], int report)
{
    static const int sigs[] = {SIGPIPE, SIGINT,  SIGQUIT, SIGTERM, SIGHUP,
                               SIGCHLD, SIGALRM, SIGUSR1, SIGUSR2};
    struct sigaction dfl;
    sigset_t none;
    size_t i;
    int fd, e;

    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        sigaction(sigs[i], &dfl, NULL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    setpgid(0, 0);
    fd = open("/dev/null", O_RDONLY);
    if (fd >= 0 && dup2(fd, 0) >= 0 && dup2(outp[1], 1) >= 0 && dup2(errp[1], 2) >= 0) {
        for (fd = 0; fd < 3; fd++)
            fcntl(fd, F_SETFD, 0); /* dup2 onto itself would keep FD_CLOEXEC */
        execve(file, argv, envp);
    }
    e = errno;
    if (write(report, &e, sizeof(e)) < 0)
        e = 0;
    _exit(127);
}

/* Fork and exec file; returns 0 or an error number (then nothing is left running). */
static int exec_fork(struct exec_run *r, const char *file, char **argv, char **envp,
                     const int outp[2], const int errp[2])
{
    int report[2], e = 0;
    ssize_t n;

    if (pipe2(report, O_CLOEXEC) != 0)
        return errno;
    r->pid = fork();
    if (r->pid == 0)
        exec_child(file, argv, envp, outp, errp, report[1]);
    e = r->pid < 0 ? errno : 0;
    close(report[1]);
    if (r->pid > 0) {
        setpgid(r->pid, r->pid); /* also here, so that kill(-pid) works at once */
        do
            n = read(report[0], &e, sizeof(e));
        while (n < 0 && errno == EINTR);
        if (n != (ssize_t)sizeof(e))
            e = 0; /* EOF: exec succeeded and closed the report pipe */
        else
            while (waitpid(r->pid, NULL, 0) < 0 && errno == EINTR)
                ;
    }
    close(report[0]);
    if (e != 0)
        r->pid = 0;
    return e;
}

static int exec_spawn_error(const struct kube_auth_exec *e, int code, struct vs_error *err)
{
    char hint[512];

    if (code == ENOENT && e->install_hint)
        return vs_error_setc(
            err, code, NULL, 0, 0, "exec plugin '%s' not found%s", e->command,
            exec_oneline(": ", e->install_hint, strlen(e->install_hint), hint, sizeof(hint)));
    if (code == ENOENT)
        return vs_error_setc(err, code, NULL, 0, 0,
                             "exec plugin '%s' not found (is it installed and on PATH?)",
                             e->command);
    if (code == EACCES)
        return vs_error_setc(err, code, NULL, 0, 0, "exec plugin '%s' is not executable",
                             e->command);
    return vs_error_setc(err, code, NULL, 0, 0, "cannot run exec plugin '%s': %s", e->command,
                         strerror(code));
}

/* Start the plugin with its pipes. */
static int exec_start(struct exec_run *r, struct vs_error *err)
{
    int outp[2] = {-1, -1}, errp[2] = {-1, -1}, rc = ENOMEM;
    char *info = exec_info(r->e), **envp = NULL, **argv = exec_argv(r->e);
    char *file = exec_lookpath(r->e->command);

    if (!file)
        rc = errno;
    else if (info && argv && (envp = exec_env(r->e, info)) != NULL)
        rc = pipe2(outp, O_CLOEXEC) == 0 && pipe2(errp, O_CLOEXEC) == 0 ? 0 : errno;
    if (file && envp && rc == 0)
        rc = exec_fork(r, file, argv, envp, outp, errp);
    free(file);
    free(info);
    free(envp);
    free(argv);
    if (outp[1] >= 0)
        close(outp[1]);
    if (errp[1] >= 0)
        close(errp[1]);
    r->out_fd = outp[0];
    r->err_fd = errp[0];
    return rc == 0 ? 0 : exec_spawn_error(r->e, rc, err);
}

static void exec_close(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Read what is there from one pipe; -1 when stdout outgrew KUBE_EXEC_STDOUT_MAX. */
static int exec_read(struct exec_run *r, int *fd)
{
    char scratch[4096];
    ssize_t n;

    if (fd == &r->out_fd)
        n = read(*fd, r->out + r->out_len, KUBE_EXEC_STDOUT_MAX + 1 - r->out_len);
    else
        n = read(*fd, scratch, sizeof(scratch));
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return 0;
    if (n <= 0) {
        exec_close(fd);
        return 0;
    }
    if (fd == &r->out_fd) {
        r->out_len += (size_t)n;
        return r->out_len > KUBE_EXEC_STDOUT_MAX ? -1 : 0;
    }
    if (r->err_len < EXEC_STDERR_KEEP) {
        size_t keep =
            EXEC_STDERR_KEEP - r->err_len < (size_t)n ? EXEC_STDERR_KEEP - r->err_len : (size_t)n;
        memcpy(r->errtext + r->err_len, scratch, keep);
        r->err_len += keep;
    }
    return 0;
}

static int exec_timeout(const struct exec_run *r, int timeout_ms, struct vs_error *err)
{
    char msg[EXEC_STDERR_KEEP + 8];

    return vs_error_setc(err, ETIMEDOUT, NULL, 0, 0, "exec plugin '%s' timed out after %d ms%s",
                         r->e->command, timeout_ms, exec_stderr(r, msg, sizeof(msg)));
}

/* Read stdout and stderr until both are at EOF, or fail at the deadline. */
static int exec_collect(struct exec_run *r, int64_t deadline, int timeout_ms, struct vs_error *err)
{
    struct pollfd p[2];
    int64_t left;
    int n, i;

    while (r->out_fd >= 0 || r->err_fd >= 0) {
        n = 0;
        if (r->out_fd >= 0)
            p[n++] = (struct pollfd){.fd = r->out_fd, .events = POLLIN};
        if (r->err_fd >= 0)
            p[n++] = (struct pollfd){.fd = r->err_fd, .events = POLLIN};
        if ((left = deadline - clock_mono_ns()) <= 0)
            return exec_timeout(r, timeout_ms, err);
        left = (left + 999999) / 1000000;
        if (poll(p, (nfds_t)n, left > INT_MAX ? INT_MAX : (int)left) < 0) {
            if (errno == EINTR)
                continue;
            return vs_error_setc(err, errno, NULL, 0, 0, "exec plugin '%s': poll: %s",
                                 r->e->command, strerror(errno));
        }
        for (i = 0; i < n; i++) {
            if (!p[i].revents)
                continue;
            if (exec_read(r, p[i].fd == r->out_fd ? &r->out_fd : &r->err_fd) != 0)
                return vs_error_setc(err, E2BIG, NULL, 0, 0,
                                     "exec plugin '%s' printed more than %d bytes", r->e->command,
                                     KUBE_EXEC_STDOUT_MAX);
        }
    }
    return 0;
}

/* Reap the plugin (which closed its output) by the deadline. */
static int exec_wait(struct exec_run *r, int64_t deadline, int timeout_ms, struct vs_error *err)
{
    pid_t w;

    for (;;) {
        w = waitpid(r->pid, &r->status, WNOHANG);
        if (w == r->pid) {
            r->pid = 0;
            return 0;
        }
        if (w < 0 && errno != EINTR) {
            r->pid = 0; /* not ours to wait for any more */
            return vs_error_setc(err, errno, NULL, 0, 0, "exec plugin '%s': waitpid: %s",
                                 r->e->command, strerror(errno));
        }
        if (clock_mono_ns() >= deadline)
            return exec_timeout(r, timeout_ms, err);
        poll(NULL, 0, 2);
    }
}

/* A non-zero exit or a signal is an error quoting stderr. */
static int exec_status(const struct exec_run *r, struct vs_error *err)
{
    char msg[EXEC_STDERR_KEEP + 8];

    if (WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0)
        return 0;
    if (WIFSIGNALED(r->status))
        return vs_error_set(err, NULL, 0, 0, "exec plugin '%s' was killed by signal %d%s",
                            r->e->command, WTERMSIG(r->status), exec_stderr(r, msg, sizeof(msg)));
    return vs_error_set(err, NULL, 0, 0, "exec plugin '%s' exited with status %d%s", r->e->command,
                        WEXITSTATUS(r->status), exec_stderr(r, msg, sizeof(msg)));
}

/* A string member of o: *out NULL when absent, null or ""; -1 when of another type. */
static int exec_str(const cJSON *o, const char *key, const char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    *out = NULL;
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsString(v))
        return -1;
    if (v->valuestring[0])
        *out = v->valuestring;
    return 0;
}

/* Check kind, apiVersion and status of the ExecCredential; *status gets the status. */
static int exec_check_envelope(const struct exec_run *r, const cJSON *j, const cJSON **status,
                               struct vs_error *err)
{
    const char *cmd = r->e->command, *kind, *api;

    if (exec_str(j, "kind", &kind) != 0 || !kind || strcmp(kind, "ExecCredential") != 0)
        return vs_error_set(err, NULL, 0, 0,
                            "exec plugin '%s' returned kind '%s', expected "
                            "'ExecCredential'",
                            cmd, kind ? kind : "");
    if (exec_str(j, "apiVersion", &api) != 0 || !api || strcmp(api, r->e->api_version) != 0)
        return vs_error_set(err, NULL, 0, 0,
                            "exec plugin '%s' returned apiVersion '%s', expected "
                            "'%s'",
                            cmd, api ? api : "", r->e->api_version);
    *status = cJSON_GetObjectItemCaseSensitive(j, "status");
    if (!cJSON_IsObject(*status))
        return vs_error_set(err, NULL, 0, 0, "exec plugin '%s' returned no 'status'", cmd);
    return 0;
}

/* Copy the credentials of status into out. */
static int exec_credentials(const struct exec_run *r, const cJSON *status,
                            struct kube_exec_result *out, struct vs_error *err)
{
    const char *cmd = r->e->command, *token, *cert, *key, *exp;
    struct vs_error perr;

    if (exec_str(status, "token", &token) != 0 ||
        exec_str(status, "clientCertificateData", &cert) != 0 ||
        exec_str(status, "clientKeyData", &key) != 0 ||
        exec_str(status, "expirationTimestamp", &exp) != 0)
        return vs_error_set(err, NULL, 0, 0,
                            "exec plugin '%s' returned a 'status' field that "
                            "is not a string",
                            cmd);
    if (!token && !cert && !key)
        return vs_error_set(err, NULL, 0, 0,
                            "exec plugin '%s' returned no credentials (no "
                            "'status.token', no client certificate)",
                            cmd);
    if (!cert != !key)
        return vs_error_set(err, NULL, 0, 0,
                            "exec plugin '%s' returned only one of "
                            "'clientCertificateData' and 'clientKeyData'",
                            cmd);
    if (exp && rfc3339_parse(exp, strlen(exp), &out->expires_ns, &perr) != 0)
        return vs_error_set(err, NULL, 0, 0,
                            "exec plugin '%s' returned a bad 'status.expirationTimestamp': %s", cmd,
                            perr.msg);
    if ((token && !(out->token = strdup(token))) ||
        (cert && !(out->client_cert_pem = strdup(cert))) ||
        (key && !(out->client_key_pem = strdup(key))))
        return vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory");
    return 0;
}

static void exec_json_wipe(cJSON *v)
{
    for (; v; v = v->next) {
        if (cJSON_IsString(v) && v->valuestring)
            explicit_bzero(v->valuestring, strlen(v->valuestring));
        exec_json_wipe(v->child);
    }
}

/* Read the ExecCredential the plugin printed. */
static int exec_parse(const struct exec_run *r, struct kube_exec_result *out, struct vs_error *err)
{
    cJSON *j = cJSON_ParseWithLength(r->out, r->out_len);
    const cJSON *status = NULL;
    char msg[EXEC_STDERR_KEEP + 8];
    int rc;

    if (!cJSON_IsObject(j)) {
        rc = vs_error_set(err, NULL, 0, 0,
                          "exec plugin '%s' printed no valid JSON ExecCredential (%zu bytes)%s",
                          r->e->command, r->out_len, exec_stderr(r, msg, sizeof(msg)));
    } else {
        rc = exec_check_envelope(r, j, &status, err);
        if (rc == 0)
            rc = exec_credentials(r, status, out, err);
    }
    exec_json_wipe(j);
    cJSON_Delete(j);
    return rc;
}

static int exec_valid(const struct kube_auth_exec *e, struct vs_error *err)
{
    if (!e || !e->command || !e->command[0])
        return vs_error_set(err, NULL, 0, 0, "exec plugin has no 'command'");
    if (!e->api_version || (strcmp(e->api_version, KUBE_EXEC_API_V1) != 0 &&
                            strcmp(e->api_version, KUBE_EXEC_API_V1BETA1) != 0))
        return vs_error_set(err, NULL, 0, 0, "exec plugin '%s' has unsupported apiVersion '%s'",
                            e->command, e->api_version ? e->api_version : "");
    return 0;
}

int kube_exec_run(const struct kube_auth_exec *e, int timeout_ms, struct kube_exec_result *out,
                  struct vs_error *err)
{
    struct exec_run r = {.e = e, .pid = 0, .out_fd = -1, .err_fd = -1};
    int64_t deadline;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    if (exec_valid(e, err) != 0)
        return -1;
    if (timeout_ms <= 0)
        timeout_ms = KUBE_EXEC_DEFAULT_TIMEOUT_MS;
    deadline = clock_mono_ns() + (int64_t)timeout_ms * 1000000;
    if (!(r.out = malloc(KUBE_EXEC_STDOUT_MAX + 2)))
        return vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory");
    if (exec_start(&r, err) == 0 && exec_collect(&r, deadline, timeout_ms, err) == 0 &&
        exec_wait(&r, deadline, timeout_ms, err) == 0 && exec_status(&r, err) == 0)
        rc = exec_parse(&r, out, err);
    exec_close(&r.out_fd);
    exec_close(&r.err_fd);
    if (r.pid > 0) { /* timed out or failed: kill its process group and reap it */
        kill(-r.pid, SIGKILL);
        kill(r.pid, SIGKILL);
        while (waitpid(r.pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    exec_wipe_free(r.out, r.out_len);
    if (rc != 0)
        kube_exec_result_release(out);
    return rc;
}

void kube_exec_result_release(struct kube_exec_result *r)
{
    if (!r)
        return;
    if (r->token)
        exec_wipe_free(r->token, strlen(r->token));
    if (r->client_cert_pem)
        exec_wipe_free(r->client_cert_pem, strlen(r->client_cert_pem));
    if (r->client_key_pem)
        exec_wipe_free(r->client_key_pem, strlen(r->client_key_pem));
    memset(r, 0, sizeof(*r));
}
