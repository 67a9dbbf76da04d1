#include "faults.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "rng.h"

#define MAX_HTTP_ERRORS 4

struct http_error {
    int code;
    double share;
    int retry_after;
    int all_verbs;
};

struct faults {
    struct rng rng;
    double watch_drop_every;
    double watch_expire_share;
    struct http_error errors[MAX_HTTP_ERRORS];
    int nerrors;
    double latency_ms, latency_share;
    int latency_all;
    double vm_fail_share;
    enum vm_fail_mode vm_fail_mode;
};

/* Parse "2s", "500ms", "2" (seconds) into seconds; -1 on error. */
static double parse_duration(const char *v)
{
    char *end;
    double d = strtod(v, &end);

    if (end == v || d < 0)
        return -1;
    if (strcmp(end, "ms") == 0)
        return d / 1000.0;
    if (strcmp(end, "s") == 0 || *end == '\0')
        return d;
    return -1;
}

static int parse_share(const char *v, double *out)
{
    char *end;
    double d = strtod(v, &end);

    if (end == v || *end || d < 0 || d > 1)
        return -1;
    *out = d;
    return 0;
}

/* Apply one key=value of fault `name`; -1 when unknown or bad. */
static int set_option(struct faults *f, const char *name, const char *key, const char *val)
{
    struct http_error *e = f->nerrors ? &f->errors[f->nerrors - 1] : NULL;

    if (strcmp(name, "watch-drop") == 0 && strcmp(key, "every") == 0)
        return (f->watch_drop_every = parse_duration(val)) > 0 ? 0 : -1;
    if (strcmp(name, "watch-expire") == 0 && strcmp(key, "share") == 0)
        return parse_share(val, &f->watch_expire_share);
    if (strcmp(name, "http-error") == 0 && strcmp(key, "code") == 0)
        return (e->code = atoi(val)) == 429 || e->code == 500 || e->code == 503 ? 0 : -1;
    if (strcmp(name, "http-error") == 0 && strcmp(key, "share") == 0)
        return parse_share(val, &e->share);
    if (strcmp(name, "http-error") == 0 && strcmp(key, "retry-after") == 0)
        return (e->retry_after = atoi(val)) >= 0 ? 0 : -1;
    if ((strcmp(name, "http-error") == 0 || strcmp(name, "latency") == 0) &&
        strcmp(key, "verbs") == 0) {
        int all = strcmp(val, "all") == 0;

        if (!all && strcmp(val, "mutating") != 0)
            return -1;
        if (strcmp(name, "latency") == 0)
            f->latency_all = all;
        else
            e->all_verbs = all;
        return 0;
    }
    if (strcmp(name, "latency") == 0 && strcmp(key, "ms") == 0)
        return (f->latency_ms = atof(val)) > 0 ? 0 : -1;
    if (strcmp(name, "latency") == 0 && strcmp(key, "share") == 0)
        return parse_share(val, &f->latency_share);
    if (strcmp(name, "vm-fail") == 0 && strcmp(key, "share") == 0)
        return parse_share(val, &f->vm_fail_share);
    if (strcmp(name, "vm-fail") == 0 && strcmp(key, "mode") == 0) {
        f->vm_fail_mode = strcmp(val, "crashloop") == 0       ? VM_FAIL_CRASHLOOP
                          : strcmp(val, "unschedulable") == 0 ? VM_FAIL_UNSCHEDULABLE
                                                              : VM_FAIL_NONE;
        return f->vm_fail_mode == VM_FAIL_NONE ? -1 : 0;
    }
    return -1;
}

static int start_fault(struct faults *f, const char *name)
{
    static const char *const known[] = {"watch-drop", "watch-expire", "http-error", "latency",
                                        "vm-fail"};
    int ok = 0;

    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        ok |= strcmp(name, known[i]) == 0;
    if (!ok)
        return -1;
    if (strcmp(name, "http-error") == 0) {
        if (f->nerrors == MAX_HTTP_ERRORS)
            return -1;
        f->errors[f->nerrors++] = (struct http_error){500, 0.1, 1, 0};
    } else if (strcmp(name, "latency") == 0) {
        f->latency_share = 1.0;
        f->latency_all = 1;
    } else if (strcmp(name, "vm-fail") == 0) {
        f->vm_fail_mode = VM_FAIL_CRASHLOOP;
        f->vm_fail_share = 0.05;
    } else if (strcmp(name, "watch-expire") == 0) {
        f->watch_expire_share = 1.0;
    }
    return 0;
}

int faults_parse(struct faults **fp, const char *spec, uint64_t seed, struct vs_error *err)
{
    char buf[256], name[64];
    char *opts, *tok, *save = NULL;
    struct faults *f = *fp;

    if (!f) {
        f = calloc(1, sizeof(*f));
        if (!f)
            return vs_error_set(err, NULL, 0, 0, "out of memory");
        rng_seed(&f->rng, seed ^ 0x6661756c74ULL);
        *fp = f;
    }
    snprintf(buf, sizeof(buf), "%s", spec);
    opts = strchr(buf, ':');
    if (opts)
        *opts++ = '\0';
    snprintf(name, sizeof(name), "%.63s", buf);
    if (start_fault(f, name) < 0)
        return vs_error_set(err, NULL, 0, 0,
                            "--fault '%s': unknown fault '%s' (known: watch-drop, watch-expire, "
                            "http-error, latency, vm-fail)",
                            spec, name);
    for (tok = opts ? strtok_r(opts, ",", &save) : NULL; tok; tok = strtok_r(NULL, ",", &save)) {
        char opt[128], *eq;

        snprintf(opt, sizeof(opt), "%s", tok);
        eq = strchr(tok, '=');
        if (!eq || (*eq = '\0', set_option(f, name, tok, eq + 1) < 0))
            return vs_error_set(err, NULL, 0, 0, "--fault '%s': bad option '%s'", spec, opt);
    }
    if (strcmp(name, "watch-drop") == 0 && f->watch_drop_every <= 0)
        return vs_error_set(err, NULL, 0, 0, "--fault '%s': needs every=DURATION", spec);
    if (strcmp(name, "latency") == 0 && f->latency_ms <= 0)
        return vs_error_set(err, NULL, 0, 0, "--fault '%s': needs ms=N", spec);
    return 0;
}

void faults_free(struct faults *f)
{
    free(f);
}

double faults_watch_drop_every(const struct faults *f)
{
    return f ? f->watch_drop_every : 0;
}

static int is_mutating(const char *method)
{
    return strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
           strcmp(method, "PATCH") == 0 || strcmp(method, "DELETE") == 0;
}

static void count(struct sim *sim, const char *what)
{
    char name[128];

    snprintf(name, sizeof(name), "vmstorm_sim_faults_injected_total_%s", what);
    metrics_add(sim->metrics, "vmstorm_sim_faults_injected_total",
                "Faults injected by vmstorm-sim (all kinds).", 1);
    metrics_add(sim->metrics, name, "Faults injected by vmstorm-sim, by kind.", 1);
}

int faults_before_request(struct sim *sim, struct req *r)
{
    struct faults *f = sim->faults;
    char ra[16];

    if (!f || strcmp(r->url, "/metrics") == 0)
        return 0;
    for (int i = 0; i < f->nerrors; i++) {
        struct http_error *e = &f->errors[i];

        if (!e->all_verbs && !is_mutating(r->method))
            continue;
        if (rng_uniform(&f->rng) >= e->share)
            continue;
        count(sim, e->code == 429 ? "http_429" : "http_5xx");
        if (e->code == 429) {
            snprintf(ra, sizeof(ra), "%d", e->retry_after);
            http_add_header(r, "Retry-After", ra);
            http_reply_status(r, 429, "TooManyRequests", NULL, NULL, NULL,
                              "the server has received too many requests and has asked us to "
                              "try again later (injected)");
        } else {
            http_reply_status(r, e->code, e->code == 503 ? "ServiceUnavailable" : "InternalError",
                              NULL, NULL, NULL, "injected failure (HTTP %d)", e->code);
        }
        return 1;
    }
    return 0;
}

int64_t faults_latency_ns(struct sim *sim, struct req *r)
{
    struct faults *f = sim->faults;

    if (!f || f->latency_ms <= 0 || (!f->latency_all && !is_mutating(r->method)))
        return 0;
    if (rng_uniform(&f->rng) >= f->latency_share)
        return 0;
    count(sim, "latency");
    return (int64_t)(f->latency_ms * 1e6);
}

int faults_expire_resume(struct sim *sim)
{
    struct faults *f = sim->faults;

    if (!f || f->watch_expire_share <= 0 || rng_uniform(&f->rng) >= f->watch_expire_share)
        return 0;
    count(sim, "watch_expired");
    return 1;
}

enum vm_fail_mode faults_vm_start(struct sim *sim)
{
    struct faults *f = sim->faults;

    if (!f || f->vm_fail_share <= 0 || rng_uniform(&f->rng) >= f->vm_fail_share)
        return VM_FAIL_NONE;
    count(sim, "vm_fail");
    return f->vm_fail_mode;
}
