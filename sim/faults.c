#include "faults.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "numparse.h"
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

/* The longest --fault duration and latency: a day, ten minutes. */
#define MAX_DURATION_S 86400.0
#define MAX_LATENCY_MS 600000.0

/* Parse "2s", "500ms" or "2" (seconds) into seconds, from 1 ms to a day; -1 on error. */
static int parse_duration(const char *v, double *out)
{
    char num[64];
    size_t n = strlen(v);
    double scale = 1.0, d;

    if (n > 2 && strcmp(v + n - 2, "ms") == 0) {
        n -= 2;
        scale = 1e-3;
    } else if (n > 1 && v[n - 1] == 's') {
        n -= 1;
    }
    if (n >= sizeof(num))
        return -1;
    memcpy(num, v, n);
    num[n] = '\0';
    if (num_parse_double(num, 0, MAX_DURATION_S / scale, &d) < 0 || d * scale < 1e-3)
        return -1;
    *out = d * scale;
    return 0;
}

/* A share from 0 to 1 into *out: NULL, or what is wrong. */
static const char *set_share(const char *v, double *out)
{
    return num_parse_double(v, 0, 1, out) < 0 ? "expected a share from 0 to 1" : NULL;
}

/* verbs=all|mutating into *all: NULL, or what is wrong. */
static const char *set_verbs(const char *v, int *all)
{
    if (strcmp(v, "all") != 0 && strcmp(v, "mutating") != 0)
        return "expected all or mutating";
    *all = strcmp(v, "all") == 0;
    return NULL;
}

static const char *set_http_error(struct http_error *e, const char *key, const char *val)
{
    uint64_t n;

    if (strcmp(key, "code") == 0) {
        if (num_parse_uint(val, 0, 999, &n) < 0 || (n != 429 && n != 500 && n != 503))
            return "expected 429, 500 or 503";
        e->code = (int)n;
    } else if (strcmp(key, "share") == 0) {
        return set_share(val, &e->share);
    } else if (strcmp(key, "retry-after") == 0) {
        if (num_parse_uint(val, 0, (uint64_t)MAX_DURATION_S, &n) < 0)
            return "expected whole seconds from 0 to 86400";
        e->retry_after = (int)n;
    } else if (strcmp(key, "verbs") == 0) {
        return set_verbs(val, &e->all_verbs);
    } else {
        return "unknown option (known: code, share, retry-after, verbs)";
    }
    return NULL;
}

static const char *set_latency(struct faults *f, const char *key, const char *val)
{
    if (strcmp(key, "ms") == 0) {
        if (num_parse_double(val, 0, MAX_LATENCY_MS, &f->latency_ms) < 0 || f->latency_ms <= 0)
            return "expected milliseconds, more than 0 and at most 600000";
    } else if (strcmp(key, "share") == 0) {
        return set_share(val, &f->latency_share);
    } else if (strcmp(key, "verbs") == 0) {
        return set_verbs(val, &f->latency_all);
    } else {
        return "unknown option (known: ms, share, verbs)";
    }
    return NULL;
}

static const char *set_vm_fail(struct faults *f, const char *key, const char *val)
{
    if (strcmp(key, "share") == 0) {
        return set_share(val, &f->vm_fail_share);
    } else if (strcmp(key, "mode") == 0) {
        if (strcmp(val, "crashloop") == 0)
            f->vm_fail_mode = VM_FAIL_CRASHLOOP;
        else if (strcmp(val, "unschedulable") == 0)
            f->vm_fail_mode = VM_FAIL_UNSCHEDULABLE;
        else
            return "expected crashloop or unschedulable";
    } else {
        return "unknown option (known: share, mode)";
    }
    return NULL;
}

/* Apply one key=value of fault `name`: NULL, or why it is refused. */
static const char *set_option(struct faults *f, const char *name, const char *key, const char *val)
{
    if (strcmp(name, "watch-drop") == 0) {
        if (strcmp(key, "every") != 0)
            return "unknown option (known: every)";
        return parse_duration(val, &f->watch_drop_every) < 0
                   ? "expected a duration from 1ms to 86400s (N, Ns or Nms)"
                   : NULL;
    }
    if (strcmp(name, "watch-expire") == 0) {
        if (strcmp(key, "share") != 0)
            return "unknown option (known: share)";
        return set_share(val, &f->watch_expire_share);
    }
    if (strcmp(name, "http-error") == 0)
        return set_http_error(&f->errors[f->nerrors - 1], key, val);
    if (strcmp(name, "latency") == 0)
        return set_latency(f, key, val);
    return set_vm_fail(f, key, val);
}

/* Start a fault of kind name with its defaults: 0, or why it is refused. */
static const char *start_fault(struct faults *f, const char *name)
{
    static const char *const known[] = {"watch-drop", "watch-expire", "http-error", "latency",
                                        "vm-fail"};
    int ok = 0;

    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        ok |= strcmp(name, known[i]) == 0;
    if (!ok)
        return "unknown fault kind (known: watch-drop, watch-expire, http-error, latency, "
               "vm-fail)";
    if (strcmp(name, "http-error") == 0) {
        if (f->nerrors == MAX_HTTP_ERRORS)
            return "http-error is given more than 4 times";
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
    return NULL;
}

/* Apply the KEY=VALUE list opts (modified) of fault `name`; -1 with err naming spec. */
static int set_options(struct faults *f, const char *spec, const char *name, char *opts,
                       struct vs_error *err)
{
    char *tok, *save = NULL;

    for (tok = opts ? strtok_r(opts, ",", &save) : NULL; tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        const char *why;

        if (!eq)
            return vs_error_set(err, NULL, 0, 0,
                                "--fault '%s': bad option '%s': expected KEY=VALUE", spec, tok);
        *eq = '\0';
        why = set_option(f, name, tok, eq + 1);
        if (why)
            return vs_error_set(err, NULL, 0, 0, "--fault '%s': bad option '%s=%s': %s", spec, tok,
                                eq + 1, why);
    }
    return 0;
}

int faults_parse(struct faults **fp, const char *spec, struct vs_error *err)
{
    char buf[256], *opts;
    const char *why;
    struct faults *f = *fp;

    if (strlen(spec) >= sizeof(buf))
        return vs_error_set(err, NULL, 0, 0, "--fault '%.40s...': longer than %zu characters", spec,
                            sizeof(buf) - 1);
    if (!f) {
        f = calloc(1, sizeof(*f));
        if (!f)
            return vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory");
        faults_seed(f, 1); /* main.c seeds it again from --seed once every option is read */
        *fp = f;
    }
    snprintf(buf, sizeof(buf), "%s", spec);
    opts = strchr(buf, ':');
    if (opts)
        *opts++ = '\0';
    why = start_fault(f, buf);
    if (why)
        return vs_error_set(err, NULL, 0, 0, "--fault '%s': '%s': %s", spec, buf, why);
    if (set_options(f, spec, buf, opts, err) < 0)
        return -1;
    if (strcmp(buf, "watch-drop") == 0 && f->watch_drop_every <= 0)
        return vs_error_set(err, NULL, 0, 0, "--fault '%s': needs every=DURATION", spec);
    if (strcmp(buf, "latency") == 0 && f->latency_ms <= 0)
        return vs_error_set(err, NULL, 0, 0, "--fault '%s': needs ms=N", spec);
    return 0;
}

void faults_seed(struct faults *f, uint64_t seed)
{
    if (f)
        rng_seed_stream(&f->rng, seed, SIM_RNG_FAULTS);
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
