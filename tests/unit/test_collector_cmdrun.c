#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/pidfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "clock.h"
#include "cmdrun.h"
#include "evloop.h"

#define MS INT64_C(1000000)

/*
 * cmdrun's pidfd_open: this definition takes the place of libc's, so that
 * a test can take pidfds away and exercise the waitpid polling.
 */
static int no_pidfd, pidfd_calls;

/* RLIMIT_NOFILE to restore after a test that lowered it (rlim_max 0: none). */
static struct rlimit saved_nofile;

int pidfd_open(pid_t pid, unsigned int flags)
{
    pidfd_calls++;
    if (no_pidfd) {
        errno = ENOSYS;
        return -1;
    }
    return (int)syscall(SYS_pidfd_open, pid, flags);
}

/* One result, copied out of the done callback. */
struct outcome {
    char ns[64], name[256], ip[64], command[1024];
    void *arg;
    char *out; /* malloc'd, out_len bytes and a NUL */
    size_t out_len;
    char err[CMDRUN_STDERR_TAIL + 1];
    size_t err_len;
    int err_cut;
    int exit_status, term_signal, timed_out, cancelled;
    struct vs_time start;
    int64_t duration_ns;
    int has_error;
    char error[256];
};

struct rec {
    struct outcome o[16];
    int n;
    struct cmdrun *c;
    int in_add;        /* cmdrun_add is under way: done must not be called */
    const char *chain; /* a name to add from inside the first callback */
};

static void copy(char *dst, size_t n, const char *src)
{
    assert_non_null(src);
    assert_true(strlen(src) < n);
    strcpy(dst, src);
}

static void add(struct rec *rec, const char *ns, const char *name, const char *ip);

static void on_done(void *ctx, const struct cmdrun_result *r)
{
    struct rec *rec = ctx;
    struct outcome *o;

    assert_false(rec->in_add);
    assert_true(rec->n < 16);
    o = &rec->o[rec->n++];
    copy(o->ns, sizeof(o->ns), r->ns);
    copy(o->name, sizeof(o->name), r->name);
    copy(o->ip, sizeof(o->ip), r->ip);
    copy(o->command, sizeof(o->command), r->command);
    o->arg = r->arg;
    assert_non_null(r->out);
    assert_int_equal(r->out[r->out_len], '\0');
    assert_non_null(o->out = malloc(r->out_len + 1));
    memcpy(o->out, r->out, r->out_len + 1);
    o->out_len = r->out_len;
    assert_non_null(r->err);
    assert_true(r->err_len <= CMDRUN_STDERR_TAIL);
    assert_int_equal(r->err[r->err_len], '\0');
    memcpy(o->err, r->err, r->err_len + 1);
    o->err_len = r->err_len;
    o->err_cut = r->err_cut;
    o->exit_status = r->exit_status;
    o->term_signal = r->term_signal;
    o->timed_out = r->timed_out;
    o->cancelled = r->cancelled;
    o->start = r->start;
    o->duration_ns = r->duration_ns;
    o->has_error = r->error != NULL;
    if (r->error)
        copy(o->error, sizeof(o->error), r->error);
    if (rec->chain) {
        const char *name = rec->chain;

        rec->chain = NULL;
        add(rec, "ns", name, "127.0.0.1");
    }
}

/*
 * Each test's loop, results and directory, on the heap: a failed assertion
 * jumps out of the test, and the teardown still frees the runner (killing
 * what it runs) into a live rec, and removes the directory.
 */
struct fixture {
    struct evloop *l;
    struct rec rec;
    char *dir; /* a test's temporary directory, removed by the teardown */
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    if (!f || !(f->l = evloop_new(NULL)))
        return -1;
    *state = f;
    return 0;
}

static void rmtree(char *d);

static int teardown(void **state)
{
    struct fixture *f = *state;

    cmdrun_free(f->rec.c);
    for (int i = 0; i < f->rec.n; i++)
        free(f->rec.o[i].out);
    evloop_free(f->l);
    if (f->dir)
        rmtree(f->dir);
    free(f);
    no_pidfd = 0;
    signal(SIGCHLD, SIG_DFL);
    if (saved_nofile.rlim_max)
        setrlimit(RLIMIT_NOFILE, &saved_nofile);
    memset(&saved_nofile, 0, sizeof(saved_nofile));
    return 0;
}

static struct outcome *outcome(struct rec *rec, const char *name)
{
    for (int i = 0; i < rec->n; i++)
        if (strcmp(rec->o[i].name, name) == 0)
            return &rec->o[i];
    fail_msg("no outcome for '%s'", name);
    return NULL;
}

static struct cmdrun *new_runner(struct evloop *l, const char *tmpl, int max_running,
                                 int64_t timeout_ms, size_t max_output, struct rec *rec)
{
    struct cmdrun_config cfg = {.template = tmpl,
                                .max_running = max_running,
                                .timeout_ns = timeout_ms * MS,
                                .max_output = max_output};
    struct vs_error err;
    struct cmdrun *c = cmdrun_new(l, &cfg, on_done, rec, &err);

    if (!c)
        fail_msg("cmdrun_new: %s", err.msg);
    rec->c = c;
    return c;
}

static void add(struct rec *rec, const char *ns, const char *name, const char *ip)
{
    struct vs_error err;
    int rc, was = rec->in_add;

    rec->in_add = 1;
    rc = cmdrun_add(rec->c, ns, name, ip, rec, &err);
    rec->in_add = was;
    if (rc != 0)
        fail_msg("cmdrun_add: %s", err.msg);
}

/* Run the loop until n results are in, for at most max_ms. */
static void run_until(struct evloop *l, struct rec *rec, int n, int64_t max_ms)
{
    struct vs_error err;
    int64_t end = clock_mono_ns() + max_ms * MS;

    while (rec->n < n && clock_mono_ns() < end)
        assert_true(evloop_run_once(l, 20, &err) >= 0);
    assert_int_equal(rec->n, n);
}

static void run_for(struct evloop *l, int64_t ms)
{
    struct vs_error err;
    int64_t end = clock_mono_ns() + ms * MS;

    while (clock_mono_ns() < end)
        assert_true(evloop_run_once(l, 10, &err) >= 0);
}

static char *tmpdir(void)
{
    char *d = strdup("/tmp/vmstorm-cmdrun.XXXXXX");

    assert_non_null(mkdtemp(d));
    return d;
}

static void rmtree(char *d)
{
    char cmd[256];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
    assert_int_equal(system(cmd), 0);
    free(d);
}

static char *slurp(const char *path)
{
    static char buf[4096];
    FILE *f = fopen(path, "r");
    size_t n;

    if (!f)
        return NULL;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Is pid a live process (not gone, not a zombie)? */
static int alive(pid_t pid)
{
    char path[64], *s;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    if (!(s = slurp(path)) || !(s = strrchr(s, ')')))
        return 0;
    return s[1] == ' ' && s[2] != 'Z' && s[2] != 'X';
}

/* Every pid listed in path (one a line) is dead within 2 s; returns how many. */
static int all_dead(const char *path)
{
    char *s = slurp(path), *end;
    pid_t pids[64];
    int n = 0;

    assert_non_null(s);
    for (long v; (v = strtol(s, &end, 10)) > 0 && n < 64; s = end)
        pids[n++] = (pid_t)v;
    for (int i = 0; i < n; i++) {
        int64_t until = clock_mono_ns() + 2000 * MS;

        while (alive(pids[i]) && clock_mono_ns() < until)
            usleep(10000);
        assert_false(alive(pids[i]));
    }
    return n;
}

/* Lines in path (0 when it does not exist). */
static int lines(const char *path)
{
    char *s = slurp(path);
    int n = 0;

    for (; s && *s; s++)
        n += *s == '\n';
    return n;
}

/* `seq 1 n` as text (malloc'd). */
static char *seq_text(int n, size_t *len)
{
    char *s = malloc((size_t)n * 12 + 1);
    size_t o = 0;

    assert_non_null(s);
    for (int i = 1; i <= n; i++)
        o += (size_t)sprintf(s + o, "%d\n", i);
    *len = o;
    return s;
}

/* --- tests -------------------------------------------------------------------- */

static void test_config_checked(void **state)
{
    struct fixture *f = *state;
    struct evloop *l = f->l;
    struct cmdrun_config cfg = {.template = ""};
    struct vs_error err;
    struct rec *rec = &f->rec;

    assert_null(cmdrun_new(l, &cfg, on_done, rec, &err));
    assert_string_equal(err.msg, "the command template is empty");
    cfg.template = NULL;
    assert_null(cmdrun_new(l, &cfg, on_done, rec, &err));
    cfg.template = "true";
    cfg.max_output = ((size_t)1 << 30) + 1;
    assert_null(cmdrun_new(l, &cfg, on_done, rec, &err));
    assert_non_null(strstr(err.msg, "output limit"));
    cmdrun_free(NULL);
}

static void test_stdout_exact(void **state)
{
    struct fixture *f = *state;
    struct evloop *l = f->l;
    struct rec *rec = &f->rec;
    struct outcome *o;
    const char *want = "{\"jobs\": [{\"jobname\": \"vm-1\", \"ip\": \"10.0.0.7\"}]}\n";

    new_runner(l, "printf '{\"jobs\": [{\"jobname\": \"%s\", \"ip\": \"%s\"}]}\\n' {name} {ip}", 0,
               0, 0, rec);
    add(rec, "ns-1", "vm-1", "10.0.0.7");
    assert_int_equal(cmdrun_pending(rec->c), 1);
    run_until(l, rec, 1, 5000);
    assert_int_equal(cmdrun_pending(rec->c), 0);
    assert_int_equal(cmdrun_running(rec->c), 0);
    o = &rec->o[0];
    assert_string_equal(o->ns, "ns-1");
    assert_string_equal(o->name, "vm-1");
    assert_string_equal(o->ip, "10.0.0.7");
    assert_ptr_equal(o->arg, rec);
    assert_string_equal(o->command,
                        "printf '{\"jobs\": [{\"jobname\": \"%s\", \"ip\": \"%s\"}]}\\n'"
                        " 'vm-1' '10.0.0.7'");
    assert_false(o->has_error);
    assert_int_equal(o->exit_status, 0);
    assert_int_equal(o->term_signal, 0);
    assert_false(o->timed_out);
    assert_false(o->cancelled);
    assert_int_equal(o->out_len, strlen(want));
    assert_string_equal(o->out, want);
    assert_int_equal(o->err_len, 0);
    assert_false(o->err_cut);
    assert_true(o->start.wall_ns > 0 && o->start.mono_ns > 0);
    assert_true(o->duration_ns >= 0);
}

/* Both pipes at once, far more than a pipe holds: stdout whole, stderr's last 4096 bytes. */
static void large_output(void **state, int without_pidfd)
{
    struct fixture *f = *state;
    struct evloop *l = f->l;
    struct rec *rec = &f->rec;
    struct outcome *o;
    size_t len;
    char *want = seq_text(100000, &len);

    no_pidfd = without_pidfd;
    pidfd_calls = 0;
    new_runner(l, "seq 1 100000 >&2 & seq 1 100000; wait", 0, 0, 0, rec);
    add(rec, "ns", "vm", "127.0.0.1");
    run_until(l, rec, 1, 10000);
    no_pidfd = 0;
    assert_int_equal(pidfd_calls, 1);
    o = &rec->o[0];
    assert_false(o->has_error);
    assert_int_equal(o->exit_status, 0);
    assert_true(len > 64 * 1024);
    assert_int_equal(o->out_len, len);
    assert_memory_equal(o->out, want, len);
    assert_true(o->err_cut);
    assert_int_equal(o->err_len, CMDRUN_STDERR_TAIL);
    assert_memory_equal(o->err, want + len - CMDRUN_STDERR_TAIL, CMDRUN_STDERR_TAIL);
    free(want);
}

static void test_large_output(void **state)
{
    large_output(state, 0);
}

static void test_large_output_without_pidfd(void **state)
{
    large_output(state, 1);
}

static void test_exit_status_and_stderr(void **state)
{
    struct fixture *f = *state;
    struct evloop *l = f->l;
    struct rec *rec = &f->rec;
    struct outcome *o;

    new_runner(l, "echo out; echo 'bad thing' >&2; exit 3", 0, 0, 0, rec);
    add(rec, "ns", "vm", "127.0.0.1");
    run_until(l, rec, 1, 5000);
    o = &rec->o[0];
    assert_int_equal(o->exit_status, 3);
    assert_int_equal(o->term_signal, 0);
    assert_string_equal(o->error, "exit status 3");
    assert_string_equal(o->out, "out\n");
    assert_string_equal(o->err, "bad thing\n");
    assert_false(o->err_cut);
    assert_false(o->timed_out);
}

/* 3000 'é' then 'x': the last 4096 bytes start inside an 'é', which is dropped. */
static void test_stderr_tail_utf8(void **state)
{
    struct fixture *f = *state;
    struct evloop *l = f->l;
    struct rec *rec = &f->rec;
    struct outcome *o;
    char want[4096];

    new_runner(l, "yes \"$(printf '\\303\\251')\" | head -n 3000 | tr -d '\\n' >&2; printf x >&2",
               0, 0, 0, rec);
    add(rec, "ns", "vm", "127.0.0.1");
    run_until(l, rec, 1, 5000);
    o = &rec->o[0];
    assert_false(o->has_error);
    assert_true(o->err_cut);
    assert_int_equal(o->err_len, 4095);
    for (int i = 0; i < 2047; i++)
        memcpy(want + 2 * i, "\303\251", 2);
    want[4094] = 'x';
    assert_memory_equal(o->err, want, 4095);
}

static void test_killed_by_signal(void **state)
{
    struct fixture *f = *state;
    struct evloop *l = f->l;
    struct rec *rec = &f->rec;
    struct outcome *o;

    new_runner(l, "echo bye >&2; kill -TERM $$", 0, 0, 0, rec);
    add(rec, "ns", "vm", "127.0.0.1");
    run_until(l, rec, 1, 5000);
    o = &rec->o[0];
    assert_int_equal(o->exit_status, -1);
    assert_int_equal(o->term_signal, SIGTERM);
    assert_string_equal(o->error, "killed by signal 15");
    assert_string_equal(o->err, "bye\n");
    assert_false(o->timed_out);
}

/* The time limit kills the shell and its background job. */
static void timeout_kills_group(void **state, int without_pidfd)
{
    struct fixture *f = *state;
    struct evloop *l = f->l;
    struct rec *rec = &f->rec;
    struct outcome *o;
    char *d = f->dir = tmpdir(), tmpl[1024], pids[300];

    snprintf(pids, sizeof(pids), "%s/pids", d);
    snprintf(tmpl, sizeof(tmpl),
             "sleep 30 & echo $! > %s; echo $$ >> %s; echo started; echo warming >&2; sleep 30",
             pids, pids);
    no_pidfd = without_pidfd;
    new_runner(l, tmpl, 0, 1000, 0, rec); /* ample time for the lines before "sleep 30" */
    add(rec, "ns", "vm", "127.0.0.1");
    run_until(l, rec, 1, 10000);
    no_pidfd = 0;
    o = &rec->o[0];
    assert_true(o->timed_out);
    assert_false(o->cancelled);
    assert_string_equal(o->error, "timed out after 1000 ms");
    assert_int_equal(o->exit_status, -1);
    assert_int_equal(o->term_signal, SIGKILL);
    assert_string_equal(o->out, "started\n");
    assert_string_equal(o->err, "warming\n");
    assert_int_equal(all_dead(pids), 2); /* the shell and its background job */
}

static void test_timeout_kills_group(void **state)
{
    timeout_kills_group(state, 0);
}

static void test_timeout_kills_group_without_pidfd(void **state)
{
    timeout_kills_group(state, 1);
}

/* A background job that keeps the pipes open neither delays the result nor survives. */
static void test_exit_kills_leftovers(void **state)
{
    struct fixture *f = *state;
    struct evloop *l = f->l;
    struct rec *rec = &f->rec;
    char *d = f->dir = tmpdir(), tmpl[1024], pids[300];

    snprintf(pids, sizeof(pids), "%s/pids", d);
    snprintf(tmpl, sizeof(tmpl), "sleep 30 & echo $! > %s; echo done", pids);
    new_runner(l, tmpl, 0, 0, 0, rec);
    add(rec, "ns", "vm", "127.0.0.1");
    run_until(l, rec, 1, 10000); /* not the 30 s of the pipes' EOF */
    assert_false(rec->o[0].has_error);
    assert_string_equal(rec->o[0].out, "done\n");
    assert_int_equal(all_dead(pids), 1);
}

static void test_output_limit(void **state)
{
    struct fixture *f = *state;
    struct evloop *l = f->l;
    struct rec *rec = &f->rec;
    struct outcome *o;

    /* no time limit: only the output limit can end "over" and "yes" */
    new_runner(l,
               "case {name} in exact) head -c 1000 /dev/zero;; over) head -c 1001 /dev/zero;"
               " sleep 30;; yes) yes;; esac",
               0, 0, 1000, rec);
    add(rec, "ns", "exact", "127.0.0.1");
    add(rec, "ns", "over", "127.0.0.1");
    add(rec, "ns", "yes", "127.0.0.1");
    run_until(l, rec, 3, 10000);
    o = outcome(rec, "exact");
    assert_false(o->has_error);
    assert_int_equal(o->out_len, 1000);
    for (size_t i = 0; i < 1000; i++)
        assert_int_equal(o->out[i], '\0');
    for (int i = 0; i < 2; i++) {
        o = outcome(rec, i ? "yes" : "over");
        assert_string_equal(o->error, "output over 1000 bytes");
        assert_true(o->out_len <= 1000);
        assert_int_equal(o->term_signal, SIGKILL);
        assert_false(o->timed_out);
    }
}

static void test_hostile_values(void **state)
{
    struct fixture *f = *state;
    struct evloop *l = f->l;
    struct rec *rec = &f->rec;
    char *d = f->dir = tmpdir(), name[1024], want[1100], pwned[300];
    struct stat st;

    snprintf(pwned, sizeof(pwned), "%s/pwned", d);
    snprintf(name, sizeof(name), "a'b;touch %s;$(touch %s)`touch %s`\"'\\'' \n{ip}%%s*", pwned,
             pwned, pwned);
    new_runner(l, "printf '%s|%s|%s' {ip} {namespace} {name}", 0, 0, 0, rec);
    add(rec, "* $HOME", name, "1.2.3.4 $(id)");
    run_until(l, rec, 1, 5000);
    snprintf(want, sizeof(want), "1.2.3.4 $(id)|* $HOME|%s", name);
    assert_false(rec->o[0].has_error);
    assert_string_equal(rec->o[0].out, want);
    assert_int_equal(stat(pwned, &st), -1);
}

/* Files named run.* in dir: the commands running now, by their own account. */
static int running_files(const char *dir)
{
    char cmd[400], *s;
    FILE *p;
    int n = -1;

    snprintf(cmd, sizeof(cmd), "ls '%s' | grep -c '^run'", dir);
    assert_non_null(p = popen(cmd, "r"));
    s = fgets(cmd, sizeof(cmd), p);
    pclose(p);
    if (s)
        n = atoi(s);
    return n;
}

/* Run the loop until `running_files` is n (never above 2), for at most 5 s. */
static void run_until_files(struct evloop *l, const char *dir, int n)
{
    struct vs_error err;
    int64_t end = clock_mono_ns() + 5000 * MS;
    int now;

    while ((now = running_files(dir)) != n && clock_mono_ns() < end) {
        assert_true(now <= 2);
        assert_true(evloop_run_once(l, 10, &err) >= 0);
    }
    assert_int_equal(running_files(dir), n);
}

/*
 * max_running 2 with 5 commands, each running until the test lets it end:
 * never more than 2 run at once (as counted by the commands), and the
 * queued ones start in the order they were added.
 */
static void concurrency_bounded(void **state, int without_pidfd)
{
    struct fixture *f = *state;
    struct evloop *l = f->l;
    struct rec *rec = &f->rec;
    char *d = f->dir = tmpdir(), tmpl[1024], path[300], *s;
    int max = 0, counts = 0;

    snprintf(tmpl, sizeof(tmpl),
             "echo {name} >> %s/order; touch %s/run.{name}; ls %s | grep -c '^run' >> %s/counts;"
             " while ! test -e %s/go.{name}; do sleep 0.01; done; rm %s/run.{name}",
             d, d, d, d, d, d);
    no_pidfd = without_pidfd;
    pidfd_calls = 0;
    new_runner(l, tmpl, 2, 0, 0, rec);
    for (int i = 0; i < 5; i++) {
        char name[16];

        snprintf(name, sizeof(name), "vm%d", i);
        add(rec, "ns", name, "127.0.0.1");
    }
    run_until_files(l, d, 2);
    run_for(l, 100);
    assert_int_equal(running_files(d), 2); /* the other three wait */
    assert_int_equal(rec->n, 0);
    assert_int_equal(cmdrun_pending(rec->c), 5);
    for (int i = 0; i < 5; i++) {
        snprintf(path, sizeof(path), "%s/go.vm%d", d, i);
        fclose(fopen(path, "w"));
        run_until(l, rec, i + 1, 5000);
        assert_string_equal(rec->o[i].name, path + strlen(path) - 3);
        assert_false(rec->o[i].has_error);
        run_until_files(l, d, i < 3 ? 2 : 4 - i);
    }
    no_pidfd = 0;
    assert_int_equal(pidfd_calls, 5);
    snprintf(path, sizeof(path), "%s/order", d);
    assert_non_null(s = slurp(path));
    assert_true(strcmp(s, "vm0\nvm1\nvm2\nvm3\nvm4\n") == 0 ||
                strcmp(s, "vm1\nvm0\nvm2\nvm3\nvm4\n") == 0);
    snprintf(path, sizeof(path), "%s/counts", d);
    assert_non_null(s = slurp(path));
    for (char *end; *s; s = end + (*end == '\n')) {
        long v = strtol(s, &end, 10);

        assert_true(end > s);
        max = v > max ? (int)v : max;
        counts++;
    }
    assert_int_equal(counts, 5);
    assert_int_equal(max, 2);
}

static void test_concurrency_bounded(void **state)
{
    concurrency_bounded(state, 0);
}

static void test_concurrency_bounded_without_pidfd(void **state)
{
    concurrency_bounded(state, 1);
}

/* No fd for the pipes: reported from the loop, not from cmdrun_add; the next one runs. */
static void test_start_failure(void **state)
{
    struct fixture *f = *state;
    struct evloop *l = f->l;
    struct rec *rec = &f->rec;
    struct outcome *o;
    struct rlimit low;
    int lowest;

    new_runner(l, "echo {name}", 0, 0, 0, rec);
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved_nofile), 0);
    lowest = dup(0); /* the next fd a pipe would get */
    assert_true(lowest >= 0);
    close(lowest);
    low = saved_nofile;
    low.rlim_cur = (rlim_t)lowest;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
    add(rec, "ns", "a", "127.0.0.1");
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved_nofile), 0);
    assert_int_equal(rec->n, 0);
    assert_int_equal(cmdrun_pending(rec->c), 1);
    assert_int_equal(cmdrun_running(rec->c), 0);
    run_until(l, rec, 1, 5000);
    o = &rec->o[0];
    assert_string_equal(o->error, "cannot run /bin/sh: Too many open files");
    assert_int_equal(o->exit_status, -1);
    assert_int_equal(o->term_signal, 0);
    assert_int_equal(o->start.wall_ns, 0);
    assert_int_equal(o->start.mono_ns, 0);
    assert_int_equal(o->duration_ns, 0);
    assert_int_equal(o->out_len, 0);
    assert_int_equal(cmdrun_pending(rec->c), 0);
    add(rec, "ns", "b", "127.0.0.1");
    run_until(l, rec, 2, 5000);
    assert_false(rec->o[1].has_error);
    assert_string_equal(rec->o[1].out, "b\n");
}

/* With SIGCHLD ignored the kernel reaps the shells: the status is lost. */
static void test_sigchld_ignored(void **state)
{
    struct fixture *f = *state;
    struct evloop *l = f->l;
    struct rec *rec = &f->rec;

    new_runner(l, "true", 0, 0, 0, rec);
    signal(SIGCHLD, SIG_IGN);
    add(rec, "ns", "vm", "127.0.0.1");
    run_until(l, rec, 1, 5000);
    signal(SIGCHLD, SIG_DFL);
    assert_string_equal(rec->o[0].error, "exit status lost: No child processes");
    assert_int_equal(rec->o[0].exit_status, -1);
}

/* A callback may add the next command. */
static void test_add_from_done(void **state)
{
    struct fixture *f = *state;
    struct evloop *l = f->l;
    struct rec *rec = &f->rec;

    new_runner(l, "echo {name}", 1, 0, 0, rec);
    rec->chain = "second";
    add(rec, "ns", "first", "127.0.0.1");
    run_until(l, rec, 2, 5000);
    assert_string_equal(rec->o[0].out, "first\n");
    assert_string_equal(rec->o[1].out, "second\n");
    assert_int_equal(cmdrun_pending(rec->c), 0);
}

/* cmdrun_free with one running and one queued: both cancelled, nothing left behind. */
static void test_free_cancels(void **state)
{
    struct fixture *f = *state;
    struct evloop *l = f->l;
    struct rec *rec = &f->rec;
    char *d = f->dir = tmpdir(), tmpl[1024], pids[300];
    struct vs_error err;
    int64_t until;

    snprintf(pids, sizeof(pids), "%s/pids", d);
    snprintf(tmpl, sizeof(tmpl),
             "sleep 30 & echo $! >> %s; echo $$ >> %s; echo partial; exec sleep 30", pids, pids);
    new_runner(l, tmpl, 1, 0, 0, rec);
    add(rec, "ns", "a", "127.0.0.1");
    add(rec, "ns", "b", "127.0.0.1"); /* waits in the queue */
    until = clock_mono_ns() + 5000 * MS;
    while (lines(pids) < 2 && clock_mono_ns() < until)
        assert_true(evloop_run_once(l, 10, &err) >= 0);
    assert_int_equal(lines(pids), 2);
    assert_int_equal(rec->n, 0);
    cmdrun_free(rec->c);
    rec->c = NULL;
    assert_int_equal(rec->n, 2);
    for (int i = 0; i < 2; i++) {
        struct outcome *o = outcome(rec, i ? "b" : "a");

        assert_true(o->cancelled);
        assert_false(o->timed_out);
        assert_string_equal(o->error, "cancelled");
        assert_int_equal(o->exit_status, -1);
    }
    assert_int_equal(outcome(rec, "a")->term_signal, SIGKILL);
    assert_true(outcome(rec, "a")->start.mono_ns > 0);
    assert_int_equal(outcome(rec, "b")->start.mono_ns, 0);
    assert_int_equal(outcome(rec, "b")->term_signal, 0);
    /* no child of ours is left, not even a zombie, and the background job died too */
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
    assert_int_equal(all_dead(pids), 2);
    run_for(l, 50); /* the loop runs on without cmdrun */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_config_checked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stdout_exact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_output, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_output_without_pidfd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exit_status_and_stderr, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stderr_tail_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_killed_by_signal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout_kills_group, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout_kills_group_without_pidfd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exit_kills_leftovers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrency_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrency_bounded_without_pidfd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sigchld_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_from_done, setup, teardown),
        cmocka_unit_test_setup_teardown(test_free_cancels, setup, teardown),
    };

    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests_name("collector_cmdrun", tests, NULL, NULL);
}
