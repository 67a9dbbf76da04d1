/*
 * run_int.h - the insides of a run (run.h), shared by run.c (setup, event
 * recording, waiting, summaries) and phases.c (what each phase does).
 *
 * One event loop drives everything: requests (client.h), the four watches
 * (watcher.h), the probes (probe.h), fio commands (cmdrun.h). A phase
 * submits its requests, then run_pump() turns the loop until the phase's
 * condition holds, its deadline passes or a signal arrives. Callbacks only
 * update struct vm and record events; they never wait.
 */
#ifndef VS_COLLECTOR_RUN_INT_H
#define VS_COLLECTOR_RUN_INT_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "client.h"
#include "clock.h"
#include "evloop.h"
#include "kubeconfig.h"
#include "options.h"
#include "probe.h"
#include "recorder.h"
#include "template.h"
#include "watchthread.h"

#define NS_PER_S INT64_C(1000000000)
#define NS_PER_MS INT64_C(1000000)

enum phase_id { PH_NONE = -1, PH_NAMESPACES, PH_CREATE, PH_STOP, PH_STORM, PH_FIO, PH_CLEANUP };

/* Probe state of a VM in the current phase. */
enum vm_probe { VP_NONE, VP_PROBING, VP_READY, VP_TIMEOUT, VP_ERROR };

/* An object the run created (for cleanup with a uid precondition). */
struct created {
    struct tmpl_resource res;
    char *name, *uid;
};

struct vm {
    char ns[64];
    int index;   /* start + position */
    int ns_ok;   /* the namespace can be used */
    int ns_ours; /* the run created it (it carries the run label) */
    int failed;  /* out of the run: its namespace or creation failed */
    char *why;   /* why it failed (first reason) */

    /* creation */
    cJSON *objects; /* tmpl_instantiate's array while being created */
    int next_obj;
    int created; /* every object exists */
    struct created *made;
    size_t n_made;

    /* what the watches say */
    char *vm_uid;
    char *run_strategy;    /* the VM's, as last seen */
    char *vm_failure;      /* a failing printableStatus it showed in this phase, or NULL */
    char *vmi_uid;         /* the current VMI, NULL when none */
    char *vmi_phase, *ip;  /* of the current VMI */
    char *old_vmi_uid;     /* the VMI stopped before the storm: ignored afterwards */
    char *resume_strategy; /* runStrategy to restore when starting by patch */

    /* the current phase */
    struct vs_time origin; /* request sent (create: the VM's POST; storm: the start) */
    int has_origin;
    int action; /* stop/start request: 0 pending or none, 1 done, -1 failed */
    int running;
    struct vs_time running_at;
    enum vm_probe probe;
    struct vs_time ready_at;
    char *probe_uid; /* the VMI being probed */
    char *probe_error;
    int fio; /* fio: 0 not run, 1 running, 2 ok, 3 failed */
};

struct scrape_src {
    char *source;      /* "apiserver", or the URL's host */
    char *url;         /* for the record */
    char *path;        /* relative to the client's server */
    struct kclient *c; /* the main client, or one of its own */
    int own;           /* c is this source's (free it) */
    int pending;
};

struct op;
struct cmdrun;
struct doomed;

/* What the phase under way keeps (phases.c). */
struct phase_state {
    size_t in_flight;             /* namespaces, creations or deletions under way */
    size_t next;                  /* create: the next VM to start creating */
    struct tmpl_resource res[64]; /* create: the resource of each template document */
    size_t n_res;
    struct doomed *doom; /* cleanup: what carries the run's label */
    size_t n_doom;
};

struct run {
    struct collect_options *o;
    struct kube_conn *conn;
    const struct tmpl *tmpl;

    struct evloop *loop;
    struct kclient *client;
    struct recorder *rec;
    struct watchthread *wt;           /* the watches, in a thread of their own */
    struct kclient_config client_cfg; /* for the watch thread's client */
    int watches_synced;
    struct prober *prober;
    struct cmdrun *fio;
    char selector[320]; /* "vmstorm.io/run=ID", or "" with skip_vm_creation */
    char run_label[320];
    int sig_fd[2]; /* self-pipe of the signal handler */

    struct vm *vms;
    size_t n_vms;
    struct op *ops; /* requests in flight (freed at the end whatever happens) */

    struct scrape_src *srcs;
    size_t n_srcs;

    enum phase_id phase;
    struct phase_state ps;
    int64_t phase_t0; /* mono */
    int stop_mode;    /* 0 subresources, 1 runStrategy patches (no subresource API) */
    int interrupted;
    int fatal;       /* a run-stopping error was reported */
    char *node_name; /* --single-node's node */
    int64_t next_progress;
    int tty;
    int progress_shown;
    int64_t token_refresh_at; /* exec plugin / tokenFile: mono ns, 0 = never */
    int simulated;
    int warned_strategy;
    struct early_req {
        struct vs_time t;
        cJSON *body;
    } * early; /* api_request events from before the results file was open */
    size_t n_early;
    cJSON *summary;     /* --save-results: one object per phase_end */
    cJSON *phase_stats; /* the current phase's Running/ready figures */
};

/* A request in flight: the context of its done callback. */
struct op {
    struct op *prev, *next;
    struct run *r;
    struct vm *vm;
    int kind;
    size_t idx;
    int done;
    int status;
    char *body;
    size_t len;
    char *error;
    int attempts;
    size_t idx2;
    struct vs_time t;
};

/* run.c */
const char *phase_name(enum phase_id p);
struct op *op_new(struct run *r, struct vm *vm, int kind);
void op_free(struct op *op);
/* Keep what resp says in op (status, body copy, error). */
void op_keep(struct op *op, const struct kresp *resp);
/* Send rq; done gets the op as ctx. -1 when it could not be queued (op freed). */
int op_send(struct op *op, const struct kreq *rq, kreq_done_fn done);
/*
 * Send rq, wait for the answer (rq->timeout_ms, default 30 s) and parse a
 * 200 answer's JSON. NULL otherwise, with *status (0: no answer) and why.
 */
cJSON *run_get_json(struct run *r, const struct kreq *rq, int *status, char *why, size_t why_n);
/* Send rq and turn the loop until its answer is in op (op->done). 0, or -1 (op freed). */
int run_request_sync(struct run *r, struct op *op, const struct kreq *rq, int64_t timeout_ns);

/* Turn the loop until done(r) or deadline (mono ns, 0: none). 0 done, 1 deadline, 2 interrupted,
 * -1 fatal. */
int run_pump(struct run *r, int (*done)(struct run *), int64_t deadline);

void vm_fail(struct run *r, struct vm *vm, const char *fmt, ...) VS_PRINTF(3, 4);
struct vm *vm_by_ns(struct run *r, const char *ns);
void vm_reset_measure(struct vm *vm);
/* Note what each VM's watched state means now (Running, start its probe). */
void run_evaluate_all(struct run *r);
/* A Status body's message, or the body itself (trimmed), or the transport error. */
void op_describe(const struct op *op, char *buf, size_t n);

void phase_begin(struct run *r, enum phase_id p, size_t vms);
/* End the phase: scrape, summary, phase_end, fsync. status: ok failed timeout interrupted */
void phase_end(struct run *r, const char *status, cJSON *counts);
/* Print the Running/ready summary of a create or storm phase; returns the counts object.
   *status is how the wait ended; an "ok" becomes "failed" when a VM failed, else
   "timeout" when one timed out. */
cJSON *phase_summary(struct run *r, const char **status);

/* phases.c */
int check_datasources(struct run *r, struct vs_error *err);
int phase_namespaces(struct run *r);
int phase_create(struct run *r);
int phase_wait_ready(struct run *r, const char *title);
int phase_stop(struct run *r);
int phase_storm(struct run *r);
int phase_fio(struct run *r);
/* Each --fio-cmd command has this long before it is killed. */
#define FIO_TIMEOUT_S 3600
struct cmdrun_result;
void fio_done(void *ctx, const struct cmdrun_result *res);
int phase_cleanup(struct run *r, int dry_run);
/* The metrics sources: the API server's /metrics and each --metrics-url. */
int scrape_setup(struct run *r, struct vs_error *err);
void scrape_all(struct run *r, const char *at);

#endif
