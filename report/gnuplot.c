#include "gnuplot.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define INSTALL_HINT "install the gnuplot-nox package (apt-get install gnuplot-nox)"

const char *gnuplot_program(void)
{
    const char *p = getenv("VMSTORM_GNUPLOT");

    return p && *p ? p : "gnuplot";
}

/*
 * Start the program with argv in workdir, output to log (created in
 * workdir). Returns the pid, or -1 with err filled.
 */
static pid_t start(const char *workdir, char *const argv[], const char *log, struct vs_error *err)
{
    posix_spawn_file_actions_t fa;
    char logpath[4096];
    pid_t pid = -1;
    int rc;

    snprintf(logpath, sizeof(logpath), "%s/%s", workdir, log);
    if (posix_spawn_file_actions_init(&fa) != 0) {
        vs_error_setc(err, ENOMEM, gnuplot_program(), 0, 0, "out of memory");
        return -1;
    }
    rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (!rc)
        rc = posix_spawn_file_actions_addopen(&fa, 1, logpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (!rc)
        rc = posix_spawn_file_actions_adddup2(&fa, 1, 2);
    if (!rc)
        rc = posix_spawn_file_actions_addchdir_np(&fa, workdir);
    if (!rc)
        rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc == ENOENT)
        vs_error_setc(err, ENOENT, argv[0], 0, 0,
                      "gnuplot not found: " INSTALL_HINT ", or set VMSTORM_GNUPLOT to its path");
    else if (rc)
        vs_error_setc(err, rc, argv[0], 0, 0, "cannot run: %s", strerror(rc));
    return rc ? -1 : pid;
}

/* The line of the log that says what went wrong: gnuplot's errors name the
 * script line (`"x.gp" line 12: undefined variable: foo`); warnings, which
 * it also prints that way, only when there is nothing else. */
static void first_error(const char *workdir, const char *log, char *out, size_t n)
{
    char path[4096], line[512], warning[512] = "", other[512] = "";
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", workdir, log);
    snprintf(out, n, "(no message)");
    if (!(f = fopen(path, "r")))
        return;
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        if (strstr(line, " line ") && !strstr(line, "warning:")) {
            snprintf(out, n, "%s", line);
            fclose(f);
            return;
        }
        if (!warning[0] && strstr(line, "warning:"))
            snprintf(warning, sizeof(warning), "%s", line);
        else if (!other[0] && line[0] && strspn(line, " ^") != strlen(line))
            snprintf(other, sizeof(other), "%s", line);
    }
    fclose(f);
    if (other[0] || warning[0])
        snprintf(out, n, "%s", other[0] ? other : warning);
}

static int wait_for(pid_t pid, int *status)
{
    while (waitpid(pid, status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return 0;
}

static int failed(int status)
{
    return !WIFEXITED(status) || WEXITSTATUS(status) != 0;
}

int gnuplot_check(const char *workdir, struct vs_error *err)
{
    char *argv[] = {(char *)gnuplot_program(), (char *)"-e",
                    (char *)"set terminal pngcairo; set output '/dev/null'; plot x", NULL};
    char msg[512];
    int status;
    pid_t pid = start(workdir, argv, "gnuplot-check.log", err);

    if (pid < 0)
        return -1;
    if (wait_for(pid, &status) < 0)
        return vs_error_setc(err, errno, argv[0], 0, 0, "cannot wait: %s", strerror(errno));
    if (failed(status)) {
        first_error(workdir, "gnuplot-check.log", msg, sizeof(msg));
        return vs_error_setc(err, EINVAL, argv[0], 0, 0,
                             "gnuplot cannot draw with the pngcairo terminal (%s): " INSTALL_HINT,
                             msg);
    }
    return 0;
}

int gnuplot_run_all(const char *workdir, const char *const *scripts, int n, struct vs_error *err)
{
    pid_t pids[8];
    char logs[8][256];
    int started = 0, rc = 0;

    if (n > 8)
        return vs_error_setc(err, EINVAL, "gnuplot", 0, 0, "more than 8 scripts at once");
    for (; started < n; started++) {
        char *argv[] = {(char *)gnuplot_program(), (char *)scripts[started], NULL};

        snprintf(logs[started], sizeof(logs[started]), "%s.log", scripts[started]);
        if ((pids[started] = start(workdir, argv, logs[started], err)) < 0)
            break;
    }
    if (started < n)
        rc = -1;
    for (int i = 0; i < started; i++) {
        int status = 0;

        if (wait_for(pids[i], &status) < 0 || failed(status)) {
            char msg[512];

            first_error(workdir, logs[i], msg, sizeof(msg));
            if (rc == 0)
                vs_error_setc(err, EINVAL, scripts[i], 0, 0, "gnuplot failed: %s (log: %s/%s)", msg,
                              workdir, logs[i]);
            rc = -1;
        }
    }
    return rc;
}

int gnuplot_run(const char *workdir, const char *script, struct vs_error *err)
{
    return gnuplot_run_all(workdir, &script, 1, err);
}
