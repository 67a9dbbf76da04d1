/*
 * genrun.c - write a synthetic but realistic run file (run.ndjson, event
 * schema version 1) for benchmarking the analyzer:
 *
 *   genrun [--vms N] [--seed S] [--per-ns M] [--run-id ID] > run.ndjson
 *
 * N VMs (default 10000) in ceil(N/M) namespaces of M (default 100) VMs go
 * through the phases namespaces, create (each VM with a cloned DataVolume),
 * stop, storm (all started again at the client's rate limit, slower) and
 * cleanup, as vmstorm-collect would record them against a simulated
 * cluster: api_requests (with a few 429s and their retries), watch events
 * of VMs, VMIs, pods and DataVolumes (the milestones, plus the MODIFIED
 * events with no tracked change that real watches deliver: status and
 * condition updates), probes (about 0.5% of starts never become ready and
 * give up after the ping timeout), periodic watch restarts, one expired VMI
 * watch relisted in the storm, and metrics scrapes around the storm. About
 * 100 lines per VM: 10,000 VMs give about a million lines.
 *
 * Latencies are lognormal, the storm's slower and growing with the backlog.
 * The output is a function of the options alone (deterministic per seed).
 * Lines come out in write order: sorted by when the collector would write
 * them (a request when its answer arrives), each stamped with when its
 * event happened, so a line can be a little earlier than the one before.
 *
 * One file, C99 and libc only: cc -O2 -o genrun bench/genrun.c -lm
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS 1000000000LL
#define MS 1000000LL
#define US 1000LL

/* The clocks: mono_ns starts near 5000 s, wall_ns at 2026-11-20T10:00:00Z. */
#define MONO0 5000000000000LL
#define WALL0 1795168800000000000LL
#define WALL_OFF (WALL0 - MONO0)
#define SRV_SKEW (-210 * MS) /* the cluster's clock is 210 ms behind the host's */
#define SRV_LAG (8 * MS)     /* a change happens this long before its watch event arrives */

#define QPS 50
#define BURST 100
#define PING_TIMEOUT_S 300
#define SETTLE (2 * NS)

/* ---- random numbers: splitmix64, one stream per (seed, vm, purpose) ----- */

static uint64_t g_seed = 1;

static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

struct rng {
    uint64_t s;
};

static struct rng rng_for(uint64_t a, uint64_t b)
{
    struct rng r = {mix(mix(g_seed * 0x9e3779b97f4a7c15ULL + a) + b * 0x632be59bd9b4e019ULL)};
    return r;
}

static uint64_t rnd(struct rng *r)
{
    return mix(r->s += 0x9e3779b97f4a7c15ULL);
}

static double unif(struct rng *r) /* (0, 1) */
{
    return ((double)(rnd(r) >> 11) + 0.5) / 9007199254740992.0;
}

static double gauss(struct rng *r)
{
    return sqrt(-2.0 * log(unif(r))) * cos(6.283185307179586 * unif(r));
}

/* A lognormal duration in ns with the given median (ns) and sigma. */
static int64_t ln(struct rng *r, double median_ns, double sigma)
{
    return (int64_t)(median_ns * exp(sigma * gauss(r)));
}

static int64_t uni_between(struct rng *r, int64_t a, int64_t b)
{
    return b <= a ? a : a + (int64_t)(unif(r) * (double)(b - a));
}

static void uuid(struct rng *r, char out[37])
{
    static const char hex[] = "0123456789abcdef";
    uint64_t a = rnd(r), b = rnd(r);
    unsigned char v[16];

    for (int i = 0; i < 8; i++) {
        v[i] = (unsigned char)(a >> (8 * i));
        v[8 + i] = (unsigned char)(b >> (8 * i));
    }
    v[6] = (unsigned char)((v[6] & 0x0f) | 0x40);
    v[8] = (unsigned char)((v[8] & 0x3f) | 0x80);
    for (int i = 0, o = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[v[i] >> 4];
        out[o++] = hex[v[i] & 15];
    }
    out[36] = '\0';
}

/* ---- the model: VMs, their starts (episodes), and events ----------------- */

enum phase { PH_NAMESPACES, PH_CREATE, PH_STOP, PH_STORM, PH_CLEANUP, PH_SETUP, PH_COUNT };
static const char *const phase_names[PH_COUNT] = {"namespaces", "create", "stop",
                                                  "storm",      "cleanup", "setup"};

/* One start of a VM (0: create, 1: storm) and how its VMI ended (stop, cleanup). */
struct episode {
    char vmi_uid[37], pod_uid[37], pod_sfx[6];
    uint8_t timeout; /* the guest never answers the probe */
    uint16_t node, iphost;
    int64_t vmi_add, scheding, pod_add, pod_node, pod_run, scheded, running, vm_running, ready,
        agent;
    int64_t delmark, succ, pod_succ, vmi_del, pod_del, vm_stopped; /* 0 = not (yet) */
};

struct vm {
    uint32_t ns, idx; /* namespace 1.., VM 1.. within it */
    char uid[37], dv_uid[37];
    int64_t created, dv_add, terminating, vm_del, dv_del;
    uint16_t n_prog;
    struct episode e[2];
};

enum evtype {
    T_RUN_BEGIN, T_SETUP_REQ, T_PHASE_BEGIN, T_PHASE_END, T_NS_REQ, T_WATCH_RESTART, T_WATCH_REQ,
    T_LIST_REQ, T_WARNING, T_METRICS_REQ, T_METRICS, T_RUN_END, T_VM_REQ, T_VM, T_DV, T_VMI, T_POD,
    T_PROBE, T_DROPPED
};
enum { VM_ADDED, VM_EXTRA, VM_PROV, VM_STRATEGY, VM_STARTING, VM_RUNNING, VM_STOPPING,
       VM_STOPPED, VM_TERMINATING, VM_DELETED };
enum { DV_ADDED, DV_SCHED, DV_INPROG, DV_PROG, DV_DONE, DV_DELETED };
enum { VMI_ADDED, VMI_SCHEDULING, VMI_SCHEDULED, VMI_RUNNING, VMI_AGENT, VMI_EXTRA, VMI_DELMARK,
       VMI_SUCC, VMI_DELETED };
enum { POD_ADDED, POD_NODE, POD_EXTRA, POD_RUNNING, POD_SUCC, POD_DELETED };
enum { REQ_POST, REQ_STOP, REQ_START, REQ_NS_POST, REQ_NS_DELETE, REQ_NS_GET };
enum { RS_CLOSED, RS_ERROR, RS_EXPIRED };
/* VMI tracked fields, for merging events into one relist event */
enum { F_PHASE = 1, F_NODE = 2, F_IP = 4, F_READY = 8, F_AGENT = 16 };
#define FL_429 1
#define FL_RELIST 2

struct ev {
    int64_t key; /* when the line is written: sort key */
    int64_t t;   /* envelope time: when it happened */
    int64_t st;  /* the state it shows (t before a relist moved it) */
    uint32_t id; /* VM, namespace or resource index */
    uint32_t ord;
    uint8_t type, sub, cyc, flags, mask, ph;
    uint16_t aux;
};

static struct vm *vms;
static long n_vms, per_ns = 100, n_ns, n_workers;
static const char *run_id = "bench-10k";
static struct ev *evs;
static size_t n_evs, cap_evs;
static uint16_t *node_ips;
static long n429[PH_COUNT], n_timeouts[PH_COUNT];
static int64_t phase_t[PH_COUNT][2];
static int64_t relist_w0 = -1, relist_w1 = -1;

static struct ev *add(int type, int sub, int64_t t, int64_t key, uint32_t id)
{
    struct ev *e;

    if (n_evs == cap_evs) {
        cap_evs = cap_evs ? cap_evs * 2 : 1 << 16;
        evs = realloc(evs, cap_evs * sizeof(*evs));
        if (!evs) {
            perror("genrun");
            exit(1);
        }
    }
    e = &evs[n_evs];
    memset(e, 0, sizeof(*e));
    e->type = (uint8_t)type;
    e->sub = (uint8_t)sub;
    e->t = e->st = t;
    e->key = key;
    e->id = id;
    e->ord = (uint32_t)n_evs++;
    return e;
}

/* A watch event: received at t. */
static struct ev *w(int type, int sub, int64_t t, uint32_t vm, int cyc)
{
    struct ev *e = add(type, sub, t, t, vm);

    e->cyc = (uint8_t)cyc;
    return e;
}

/* A request sent at t taking dur. */
static struct ev *req(int type, int sub, int64_t t, int64_t dur, uint32_t id, int ph)
{
    struct ev *e = add(type, sub, t, t + dur, id);

    e->ph = (uint8_t)ph;
    return e;
}

/* When the client's rate limiter (QPS, BURST) lets the i-th request of a phase go. */
static int64_t issue_at(long i, struct rng *r)
{
    int64_t base = i < BURST ? i * 150 * US : BURST * 150 * US + (i - BURST + 1) * (NS / QPS);

    return base + (int64_t)(unif(r) * 400 * US);
}

static int64_t max_key(size_t from)
{
    int64_t m = 0;

    for (size_t i = from; i < n_evs; i++)
        if (evs[i].key > m)
            m = evs[i].key;
    return m;
}

/* In the storm, virt-controller creates VMIs at most VMI_RATE a second:
   past the client's QPS a backlog builds up. */
#define VMI_RATE 40
static int64_t vmi_queue;

/* A VM boots: from the start (at t: the DataVolume is ready, or the VM's
   runStrategy was set to Always) to the guest agent. */

static void gen_boot(uint32_t v, int cyc, int64_t t, double load, int storm, struct rng *r)
{
    struct vm *vm = &vms[v];
    struct episode *ep = &vm->e[cyc];
    int64_t probe_start, end;
    int k;

    uuid(r, ep->vmi_uid);
    uuid(r, ep->pod_uid);
    for (int i = 0; i < 5; i++)
        ep->pod_sfx[i] = "bcdfghjklmnpqrstvwxz2456789"[rnd(r) % 27];
    ep->node = (uint16_t)(1 + rnd(r) % (uint64_t)n_workers);
    ep->iphost = (uint16_t)(2 + node_ips[ep->node]++ % 250);

    ep->vmi_add = t + (storm ? ln(r, 1500 * MS * load, 0.6) : ln(r, 11 * MS, 0.4));
    if (storm) {
        if (ep->vmi_add < vmi_queue + NS / VMI_RATE)
            ep->vmi_add = vmi_queue + NS / VMI_RATE;
        vmi_queue = ep->vmi_add;
        w(T_VM, VM_STRATEGY, t, v, cyc);
        w(T_VM, VM_STARTING, ep->vmi_add - ln(r, 4 * MS, 0.3), v, cyc);
    } else {
        w(T_VM, VM_STARTING, t, v, cyc);
    }
    ep->pod_add = ep->vmi_add + ln(r, 45 * MS * load, 0.3);
    ep->scheding = ep->pod_add + ln(r, 22 * MS, 0.3);
    ep->pod_node = ep->scheding + ln(r, 30 * MS * load * (storm ? 8 : 1), 0.5);
    ep->pod_run = ep->pod_node + ln(r, 1600 * MS * load * (storm ? 5 : 1), 0.35);
    ep->scheded = ep->pod_run + ln(r, 60 * MS, 0.3);
    ep->running = ep->scheded + ln(r, 650 * MS * load * (storm ? 2 : 1), 0.3);
    ep->vm_running = ep->running + ln(r, 60 * MS, 0.3);
    w(T_VMI, VMI_ADDED, ep->vmi_add, v, cyc);
    w(T_POD, POD_ADDED, ep->pod_add, v, cyc);
    w(T_VMI, VMI_SCHEDULING, ep->scheding, v, cyc);
    w(T_POD, POD_NODE, ep->pod_node, v, cyc);
    /* container statuses (init containers, compute) as the launcher pod starts */
    k = 3 + (int)(rnd(r) % 5);
    for (int i = 0; i < k; i++)
        w(T_POD, POD_EXTRA, uni_between(r, ep->pod_node + MS, ep->pod_run - MS), v, cyc);
    w(T_POD, POD_RUNNING, ep->pod_run, v, cyc);
    w(T_VMI, VMI_SCHEDULED, ep->scheded, v, cyc);
    w(T_VMI, VMI_RUNNING, ep->running, v, cyc);
    w(T_VM, VM_RUNNING, ep->vm_running, v, cyc);

    probe_start = ep->running + ln(r, 3 * MS, 0.3);
    if (ep->timeout) {
        struct ev *p = w(T_PROBE, 1, probe_start + (int64_t)PING_TIMEOUT_S * NS, v, cyc);

        p->ph = storm ? PH_STORM : PH_CREATE;
        ep->ready = ep->agent = 0;
        end = ep->running + 60 * NS;
        n_timeouts[p->ph]++;
    } else {
        struct ev *p;

        ep->ready = probe_start + ln(r, 26 * NS * load * (storm ? 2.2 : 1), 0.3);
        ep->agent = ep->ready + ln(r, 4 * NS, 0.5);
        p = w(T_PROBE, 0, ep->ready, v, cyc);
        p->ph = storm ? PH_STORM : PH_CREATE;
        p->aux = (uint16_t)(1 + (ep->ready - probe_start) / NS); /* attempts, 1 s apart */
        w(T_VMI, VMI_AGENT, ep->agent, v, cyc);
        end = ep->agent + 15 * NS;
        w(T_VM, VM_EXTRA, ep->agent + ln(r, 800 * MS, 0.4), v, cyc); /* AgentConnected copied */
    }
    /* status updates without a tracked change: LiveMigratable, interfaces,
       volume status, guest OS info, user list, ... */
    k = 5 + (int)(rnd(r) % 10);
    if (ep->timeout)
        k /= 2;
    for (int i = 0; i < k; i++)
        w(T_VMI, VMI_EXTRA, uni_between(r, ep->running + MS, end), v, cyc);
    w(T_VM, VM_EXTRA, ep->vm_running + ln(r, 400 * MS, 0.4), v, cyc);
}

/* The VMI of episode `cyc` goes away: asked at t (stop request or namespace deletion). */
static void gen_teardown(uint32_t v, int cyc, int64_t t, struct rng *r)
{
    struct episode *ep = &vms[v].e[cyc];

    ep->delmark = t + ln(r, 15 * MS, 0.4);
    ep->succ = ep->delmark + (ep->timeout ? ln(r, 30 * NS, 0.1) : ln(r, 4 * NS, 0.4));
    ep->pod_succ = ep->succ + ln(r, 280 * MS, 0.3);
    ep->vmi_del = ep->succ + ln(r, 390 * MS, 0.3);
    ep->vm_stopped = ep->vmi_del + ln(r, 60 * MS, 0.3);
    ep->pod_del = ep->pod_succ + ln(r, 500 * MS, 0.3);
    w(T_VMI, VMI_DELMARK, ep->delmark, v, cyc);
    w(T_VMI, VMI_SUCC, ep->succ, v, cyc);
    w(T_POD, POD_SUCC, ep->pod_succ, v, cyc);
    w(T_VMI, VMI_DELETED, ep->vmi_del, v, cyc);
    w(T_POD, POD_DELETED, ep->pod_del, v, cyc);
}

static int64_t gen_namespaces(int64_t t0)
{
    size_t from = n_evs;
    struct rng r = rng_for(0, 100);

    phase_t[PH_NAMESPACES][0] = t0;
    add(T_PHASE_BEGIN, 0, t0, t0, 0)->ph = PH_NAMESPACES;
    for (long j = 0; j < n_ns; j++) {
        int64_t t = t0 + 300 * US + issue_at(j, &r);
        req(T_NS_REQ, REQ_NS_POST, t, ln(&r, 2300 * US, 0.2), (uint32_t)j + 1, PH_NAMESPACES);
    }
    phase_t[PH_NAMESPACES][1] = max_key(from) + 700 * US;
    add(T_PHASE_END, 0, phase_t[PH_NAMESPACES][1], phase_t[PH_NAMESPACES][1], 0)->ph =
        PH_NAMESPACES;
    return phase_t[PH_NAMESPACES][1];
}

static int64_t gen_create(int64_t t0)
{
    size_t from = n_evs;

    phase_t[PH_CREATE][0] = t0;
    add(T_PHASE_BEGIN, 0, t0, t0, 0)->ph = PH_CREATE;
    for (long i = 0; i < n_vms; i++) {
        struct rng r = rng_for((uint64_t)i, 1);
        struct vm *vm = &vms[i];
        double load = 1.0 + 0.6 * (double)i / (double)n_vms;
        int64_t t = t0 + 500 * US + issue_at(i, &r), dur, clone, inprog;
        int attempt = 1;
        struct ev *e;

        uuid(&r, vm->uid);
        uuid(&r, vm->dv_uid);
        vm->e[0].timeout = unif(&r) < 0.005 || i == 3;
        if (unif(&r) < 0.004 || i == 0) { /* throttled: 429, retried after Retry-After */
            e = req(T_VM_REQ, REQ_POST, t, ln(&r, 3 * MS, 0.2), (uint32_t)i, PH_CREATE);
            e->flags = FL_429;
            e->aux = 1;
            n429[PH_CREATE]++;
            t += NS + ln(&r, 2 * MS, 0.5);
            attempt = 2;
        }
        dur = ln(&r, 8 * MS * load, 0.35);
        req(T_VM_REQ, REQ_POST, t, dur, (uint32_t)i, PH_CREATE)->aux = (uint16_t)attempt;
        vm->created = t + dur * 6 / 10;
        w(T_VM, VM_ADDED, vm->created, (uint32_t)i, 0);
        w(T_VM, VM_EXTRA, vm->created + ln(&r, 30 * MS, 0.4), (uint32_t)i, 0);
        vm->dv_add = vm->created + ln(&r, 25 * MS, 0.3);
        w(T_DV, DV_ADDED, vm->dv_add, (uint32_t)i, 0);
        w(T_VM, VM_PROV, vm->dv_add + ln(&r, 30 * MS, 0.3), (uint32_t)i, 0);
        t = vm->dv_add + ln(&r, 350 * MS * load, 0.4);
        w(T_DV, DV_SCHED, t, (uint32_t)i, 0);
        inprog = t + ln(&r, 1400 * MS * load, 0.4);
        w(T_DV, DV_INPROG, inprog, (uint32_t)i, 0);
        clone = ln(&r, 14 * NS * load, 0.35);
        vm->n_prog = (uint16_t)(clone / NS);
        for (int k = 1; k <= vm->n_prog; k++)
            w(T_DV, DV_PROG, inprog + clone * k / (vm->n_prog + 1) + ln(&r, 40 * MS, 0.5),
              (uint32_t)i, 0)
                ->aux = (uint16_t)k;
        w(T_DV, DV_DONE, inprog + clone, (uint32_t)i, 0);
        gen_boot((uint32_t)i, 0, inprog + clone + ln(&r, 50 * MS, 0.3), load, 0, &r);
    }
    phase_t[PH_CREATE][1] = max_key(from) + ln(&(struct rng){1}, 2 * MS, 0.2);
    add(T_PHASE_END, 0, phase_t[PH_CREATE][1], phase_t[PH_CREATE][1], 0)->ph = PH_CREATE;
    return phase_t[PH_CREATE][1];
}

static int64_t gen_stop(int64_t t0)
{
    size_t from = n_evs;

    phase_t[PH_STOP][0] = t0;
    add(T_PHASE_BEGIN, 0, t0, t0, 0)->ph = PH_STOP;
    for (long i = 0; i < n_vms; i++) {
        struct rng r = rng_for((uint64_t)i, 2);
        int64_t t = t0 + 400 * US + issue_at(i, &r), dur = ln(&r, 10 * MS, 0.4);
        struct episode *ep = &vms[i].e[0];
        int64_t stopping = t + dur * 6 / 10 + ln(&r, 20 * MS, 0.4);

        req(T_VM_REQ, REQ_STOP, t, dur, (uint32_t)i, PH_STOP)->aux = 1;
        w(T_VM, VM_STOPPING, stopping, (uint32_t)i, 0);
        gen_teardown((uint32_t)i, 0, stopping, &r);
        w(T_VM, VM_STOPPED, ep->vm_stopped, (uint32_t)i, 0);
        w(T_VM, VM_EXTRA, ep->vm_stopped + ln(&r, 300 * MS, 0.4), (uint32_t)i, 0);
    }
    phase_t[PH_STOP][1] = max_key(from) + 1300 * US;
    add(T_PHASE_END, 0, phase_t[PH_STOP][1], phase_t[PH_STOP][1], 0)->ph = PH_STOP;
    return phase_t[PH_STOP][1];
}

static void gen_scrapes(int64_t *t, int at)
{
    struct rng r = rng_for(1000 + (uint64_t)at, 4);

    for (int s = 0; s < 2; s++) {
        int64_t dur = ln(&r, s == 0 ? 40 * MS : 18 * MS, 0.2);
        struct ev *e = req(T_METRICS_REQ, (uint8_t)s, *t, dur, 0, PH_STORM);

        e->cyc = (uint8_t)at;
        e = req(T_METRICS, (uint8_t)s, *t, dur, 0, PH_STORM);
        e->cyc = (uint8_t)at;
        *t += dur + 200 * US;
    }
}

static int64_t gen_storm(int64_t t0)
{
    size_t from = n_evs, storm_from;
    int64_t t = t0 + 400 * US, first, span;
    struct rng r0 = rng_for(0, 5);

    phase_t[PH_STORM][0] = t0;
    add(T_PHASE_BEGIN, 0, t0, t0, 0)->ph = PH_STORM;
    gen_scrapes(&t, 0);
    first = t;
    storm_from = n_evs;
    for (long i = 0; i < n_vms; i++) {
        struct rng r = rng_for((uint64_t)i, 3);
        double load = 1.0 + 1.2 * (double)i / (double)n_vms;
        int64_t ts = first + issue_at(i, &r), dur;
        int attempt = 1;
        struct ev *e;

        vms[i].e[1].timeout = unif(&r) < 0.005 || i == 2;
        if (unif(&r) < 0.03 || i == 1) {
            e = req(T_VM_REQ, REQ_START, ts, ln(&r, 3 * MS, 0.2), (uint32_t)i, PH_STORM);
            e->flags = FL_429;
            e->aux = 1;
            n429[PH_STORM]++;
            ts += NS + ln(&r, 2 * MS, 0.5);
            attempt = 2;
        }
        dur = ln(&r, 11 * MS * load, 0.4);
        req(T_VM_REQ, REQ_START, ts, dur, (uint32_t)i, PH_STORM)->aux = (uint16_t)attempt;
        gen_boot((uint32_t)i, 1, ts + dur * 6 / 10 + ln(&r, 30 * MS * load, 0.5), load, 1, &r);
    }

    /* The VMI watch breaks mid-storm; resuming it fails with 410 Expired, so
       it relists: the VMI changes in the gap arrive as one relist event per
       VMI (holding all that changed), when the list's answer is in. */
    span = issue_at(n_vms - 1, &r0);
    relist_w0 = first + span * 4 / 10 + 7 * NS;
    {
        int64_t tw = relist_w0 + 2 * NS + ln(&r0, 3 * MS, 0.3), tl, ldur;
        struct ev *e = add(T_WATCH_RESTART, RS_ERROR, relist_w0, relist_w0, 1);

        e->ph = PH_STORM;
        req(T_WATCH_REQ, 0, tw, 900 * US, 1, PH_STORM);
        e = add(T_WATCH_RESTART, RS_EXPIRED, tw + 4 * MS, tw + 4 * MS, 1);
        e->ph = PH_STORM;
        add(T_WARNING, 0, tw + 4100 * US, tw + 4100 * US, 1)->ph = PH_STORM;
        tl = tw + 4300 * US;
        ldur = 20 * MS + (int64_t)n_vms * 90 * US; /* ~4.5 KB a VMI at ~50 MB/s */
        req(T_LIST_REQ, 0, tl, ldur, 1, PH_STORM);
        relist_w1 = tl + ldur + 50 * US;
        req(T_WATCH_REQ, 0, relist_w1 + 300 * US, 800 * US, 1, PH_STORM);
    }
    {
        int32_t *last = malloc((size_t)n_vms * sizeof(*last));
        uint8_t *mask = calloc((size_t)n_vms, 1), *added = calloc((size_t)n_vms, 1);
        static const uint8_t own[VMI_DELETED + 1] = {
            [VMI_ADDED] = F_PHASE, [VMI_SCHEDULING] = F_PHASE, [VMI_SCHEDULED] = F_PHASE | F_NODE,
            [VMI_RUNNING] = F_PHASE | F_IP | F_READY, [VMI_AGENT] = F_AGENT};

        for (long i = 0; i < n_vms; i++)
            last[i] = -1;
        for (size_t i = storm_from; i < n_evs; i++) {
            struct ev *e = &evs[i];

            if (e->type != T_VMI || e->t < relist_w0 || e->t > relist_w1)
                continue;
            mask[e->id] |= own[e->sub];
            added[e->id] |= e->sub == VMI_ADDED;
            if (last[e->id] >= 0 && evs[last[e->id]].st > e->st) {
                e->type = T_DROPPED;
                continue;
            }
            if (last[e->id] >= 0)
                evs[last[e->id]].type = T_DROPPED;
            last[e->id] = (int32_t)i;
        }
        for (long i = 0; i < n_vms; i++) {
            struct ev *e;

            if (last[i] < 0)
                continue;
            e = &evs[last[i]];
            e->mask = mask[i];
            e->flags |= FL_RELIST;
            if (added[i])
                e->sub = VMI_ADDED;
            e->t = e->key = relist_w1;
        }
        free(last);
        free(mask);
        free(added);
    }

    t = max_key(from) + 10 * MS;
    gen_scrapes(&t, 1);
    phase_t[PH_STORM][1] = t + 700 * US;
    add(T_PHASE_END, 0, phase_t[PH_STORM][1], phase_t[PH_STORM][1], 0)->ph = PH_STORM;
    return phase_t[PH_STORM][1];
}

static int64_t gen_cleanup(int64_t t0)
{
    size_t from = n_evs;
    struct rng r0 = rng_for(0, 6);

    phase_t[PH_CLEANUP][0] = t0;
    add(T_PHASE_BEGIN, 0, t0, t0, 0)->ph = PH_CLEANUP;
    for (long j = 0; j < n_ns; j++) {
        int64_t td = t0 + 300 * US + issue_at(j, &r0), gone = td;
        long lo = j * per_ns, hi = lo + per_ns < n_vms ? lo + per_ns : n_vms;

        req(T_NS_REQ, REQ_NS_DELETE, td, ln(&r0, 4900 * US, 0.2), (uint32_t)j + 1, PH_CLEANUP);
        for (long i = lo; i < hi; i++) {
            struct rng r = rng_for((uint64_t)i, 7);
            struct vm *vm = &vms[i];
            struct episode *ep = &vm->e[1];

            vm->terminating = td + ln(&r, 1500 * MS, 0.6);
            w(T_VM, VM_TERMINATING, vm->terminating, (uint32_t)i, 1);
            gen_teardown((uint32_t)i, 1, vm->terminating, &r);
            vm->vm_del = ep->vmi_del + ln(&r, 300 * MS, 0.4);
            vm->dv_del = vm->vm_del + ln(&r, 500 * MS, 0.4);
            w(T_VM, VM_DELETED, vm->vm_del, (uint32_t)i, 1);
            w(T_DV, DV_DELETED, vm->dv_del, (uint32_t)i, 1);
            if (vm->dv_del > gone)
                gone = vm->dv_del;
            if (ep->pod_del > gone)
                gone = ep->pod_del;
        }
        /* the collector polls each namespace every 5 s until it is gone */
        gone = td + ((gone - td) / (5 * NS) + 1) * 5 * NS + ln(&r0, 3 * MS, 0.3);
        req(T_NS_REQ, REQ_NS_GET, gone, ln(&r0, 1200 * US, 0.2), (uint32_t)j + 1, PH_CLEANUP);
    }
    phase_t[PH_CLEANUP][1] = max_key(from) + 3800 * US;
    add(T_PHASE_END, 0, phase_t[PH_CLEANUP][1], phase_t[PH_CLEANUP][1], 0)->ph = PH_CLEANUP;
    return phase_t[PH_CLEANUP][1];
}

/* Each watch is closed by the server every ~300 s (timeoutSeconds) and resumed. */
static void gen_watch_restarts(int64_t from, int64_t to)
{
    struct rng r = rng_for(0, 8);

    for (uint32_t res = 0; res < 4; res++) {
        for (int64_t t = from + 300 * NS + ln(&r, 20 * NS, 0.5); t < to;
             t += 300 * NS + ln(&r, 2 * NS, 0.5)) {
            int ph = PH_SETUP;

            if (res == 1 && t > relist_w0 - 10 * NS && t < relist_w1 + 10 * NS)
                continue;
            for (int p = 0; p < PH_SETUP; p++)
                if (t >= phase_t[p][0])
                    ph = p;
            add(T_WATCH_RESTART, RS_CLOSED, t, t, res)->ph = (uint8_t)ph;
            req(T_WATCH_REQ, 0, t + 150 * US, ln(&r, 900 * US, 0.2), res, ph);
        }
    }
}

/* ---- output --------------------------------------------------------------- */

#define OUTCAP (4 << 20)
static char *ob;
static size_t on;

static void flush_out(void)
{
    if (on && fwrite(ob, 1, on, stdout) != on) {
        perror("genrun: write");
        exit(1);
    }
    on = 0;
}

static void Sn(const char *s, size_t l)
{
    if (on + l > OUTCAP) {
        flush_out();
        if (l > OUTCAP) {
            if (fwrite(s, 1, l, stdout) != l) {
                perror("genrun: write");
                exit(1);
            }
            return;
        }
    }
    memcpy(ob + on, s, l);
    on += l;
}

static void S(const char *s)
{
    Sn(s, strlen(s));
}

static void I(int64_t v)
{
    char b[24];
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)-v : (uint64_t)v;

    do
        b[23 - n++] = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        b[23 - n++] = '-';
    Sn(b + 24 - n, (size_t)n);
}

/* "key":"value" with a leading comma (values need no escaping here) */
static void KS(const char *k, const char *v)
{
    S(",\"");
    S(k);
    S("\":\"");
    S(v);
    S("\"");
}

static void KI(const char *k, int64_t v)
{
    S(",\"");
    S(k);
    S("\":");
    I(v);
}

static void civil(int64_t unix_s, char out[32])
{
    int64_t days = unix_s / 86400, sod = unix_s % 86400;
    int64_t z = days + 719468, era = z / 146097, doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;

    y += m <= 2;
    snprintf(out, 32, "%04u-%02u-%02uT%02u:%02u:%02uZ", (unsigned)y % 10000, (unsigned)m % 100,
             (unsigned)d % 100, (unsigned)(sod / 3600) % 100, (unsigned)(sod / 60 % 60),
             (unsigned)(sod % 60));
}

/* A server timestamp (whole seconds) of a change that the host saw at mono t. */
static const char *srv(int64_t t)
{
    static int64_t cached_s[4] = {-1, -1, -1, -1};
    static char cached[4][32];
    static unsigned next;
    int64_t s = (t + WALL_OFF + SRV_SKEW - SRV_LAG) / NS;

    for (int i = 0; i < 4; i++)
        if (cached_s[i] == s)
            return cached[i];
    next = (next + 1) % 4;
    cached_s[next] = s;
    civil(s, cached[next]);
    return cached[next];
}

static int64_t seq, rv = 41800, last_rv[4];
static long kinds[12];
static const char *const kind_names[12] = {
    "api_request", "error", "fio_result", "metrics_scrape", "phase_begin", "phase_end",
    "probe",       "run_begin", "run_end", "warning",       "watch_event", "watch_restart"};
enum { K_API, K_ERROR, K_FIO, K_METRICS, K_PB, K_PE, K_PROBE, K_RB, K_RE, K_WARN, K_WE, K_WR };
static const char *const res_names[4] = {"virtualmachines", "virtualmachineinstances",
                                          "datavolumes", "pods"};
static const char *const res_group[4] = {"kubevirt.io", "kubevirt.io", "cdi.kubevirt.io", ""};
static const char *const res_version[4] = {"v1", "v1", "v1beta1", "v1"};
/* watch events seen so far per resource and type (for the metrics text) */
static long seen[4][3];

static void head(int64_t t, int kind)
{
    S("{\"v\":1,\"seq\":");
    I(seq++);
    S(",\"wall_ns\":");
    I(t + WALL_OFF);
    S(",\"mono_ns\":");
    I(t);
    S(",\"kind\":\"");
    S(kind_names[kind]);
    S("\"");
    kinds[kind]++;
}

static void names(const struct vm *vm)
{
    char b[64];

    snprintf(b, sizeof(b), ",\"namespace\":\"vmstorm-%u\",\"name\":\"rhel9-vm-%u\"", vm->ns,
             vm->idx);
    S(b);
}

static void ip_of(const struct episode *ep, char out[20])
{
    snprintf(out, 20, "10.%d.%d.%d", 128 + ep->node / 256, ep->node % 256, ep->iphost);
}

static void node_of(const struct episode *ep, char out[24])
{
    snprintf(out, 24, "sim-worker-%d", ep->node);
}

static void watch_head(const struct ev *e, int res, const char *type)
{
    head(e->t, K_WE);
    S(",\"resource\":\"");
    S(res_names[res]);
    S("\",\"type\":\"");
    S(type);
    S(e->flags & FL_RELIST ? "\",\"source\":\"relist\"" : "\",\"source\":\"watch\"");
    rv += 1 + (int64_t)(mix((uint64_t)seq) % 3);
    last_rv[res] = rv;
    seen[res][type[0] == 'A' ? 0 : type[0] == 'M' ? 1 : 2]++;
}

static void uid_rv(const char *uid)
{
    KS("uid", uid);
    S(",\"resource_version\":\"");
    I(rv);
    S("\"");
}

static void cond(int *first, const char *type, const char *status, int64_t at)
{
    S(*first ? "\"" : ",\"");
    *first = 0;
    S(type);
    S("\":{\"status\":\"");
    S(status);
    S("\",\"last_transition\":\"");
    S(srv(at));
    S("\"}");
}

static int at_or_before(int64_t milestone, int64_t st)
{
    return milestone && milestone <= st;
}

static void render_vm(const struct ev *e)
{
    const struct vm *vm = &vms[e->id];
    const struct episode *e0 = &vm->e[0], *e1 = &vm->e[1];
    int64_t st = e->st, rt = 0;
    const char *ready = NULL;
    int first = 1;
    watch_head(e, 0, e->sub == VM_ADDED ? "ADDED" : e->sub == VM_DELETED ? "DELETED" : "MODIFIED");
    names(vm);
    uid_rv(vm->uid);
    switch (e->sub) {
    case VM_ADDED: S(",\"changed\":{\"run_strategy\":\"Always\"}"); break;
    case VM_PROV: S(",\"changed\":{\"printable_status\":\"Provisioning\"}"); break;
    case VM_STRATEGY: S(",\"changed\":{\"run_strategy\":\"Always\"}"); break;
    case VM_STARTING: S(",\"changed\":{\"printable_status\":\"Starting\"}"); break;
    case VM_RUNNING: S(",\"changed\":{\"printable_status\":\"Running\",\"ready\":\"True\"}"); break;
    case VM_STOPPING:
        S(",\"changed\":{\"printable_status\":\"Stopping\",\"run_strategy\":\"Halted\"}");
        break;
    case VM_STOPPED: S(",\"changed\":{\"printable_status\":\"Stopped\",\"ready\":\"False\"}"); break;
    case VM_TERMINATING: S(",\"changed\":{\"printable_status\":\"Terminating\"}"); break;
    default: S(",\"changed\":{}");
    }
    S(",\"server\":{\"creation\":\"");
    S(srv(vm->created));
    S("\"");
    if (at_or_before(vm->terminating, st)) {
        S(",\"deletion\":\"");
        S(srv(vm->terminating));
        S("\"");
    }
    if (at_or_before(e0->vm_running, st))
        ready = "True", rt = e0->vm_running;
    if (at_or_before(e0->vm_stopped, st))
        ready = "False", rt = e0->vm_stopped;
    if (at_or_before(e1->vm_running, st))
        ready = "True", rt = e1->vm_running;
    if (at_or_before(e1->succ, st))
        ready = "False", rt = e1->succ;
    if (ready) {
        const struct episode *ep = e1->vm_running && e1->vm_running <= st ? e1 : e0;

        S(",\"conditions\":{");
        cond(&first, "Ready", ready, rt);
        if (at_or_before(ep->agent, st) && !at_or_before(ep->succ, st))
            cond(&first, "AgentConnected", "True", ep->agent);
        S("}");
    }
    S("}}\n");
}

static void render_dv(const struct ev *e)
{
    const struct vm *vm = &vms[e->id];
    char b[96];

    watch_head(e, 2, e->sub == DV_ADDED ? "ADDED" : e->sub == DV_DELETED ? "DELETED" : "MODIFIED");
    snprintf(b, sizeof(b), ",\"namespace\":\"vmstorm-%u\",\"name\":\"rhel9-vm-%u-rootdisk\"",
             vm->ns, vm->idx);
    S(b);
    uid_rv(vm->dv_uid);
    switch (e->sub) {
    case DV_SCHED: S(",\"changed\":{\"phase\":\"CloneScheduled\"}"); break;
    case DV_INPROG: S(",\"changed\":{\"phase\":\"CloneInProgress\",\"progress\":\"0.00%\"}"); break;
    case DV_PROG: {
        int64_t p = 10000 * e->aux / (vm->n_prog + 1) + (int64_t)(mix(e->ord) % 40);

        snprintf(b, sizeof(b), ",\"changed\":{\"progress\":\"%d.%02d%%\"}", (int)(p / 100),
                 (int)(p % 100));
        S(b);
        break;
    }
    case DV_DONE: S(",\"changed\":{\"phase\":\"Succeeded\",\"progress\":\"100.0%\"}"); break;
    default: S(",\"changed\":{}");
    }
    S(",\"server\":{\"creation\":\"");
    S(srv(vm->dv_add));
    if (e->sub == DV_DELETED) {
        S("\",\"deletion\":\"");
        S(srv(vm->terminating));
    }
    S("\"}}\n");
}

static void render_vmi(const struct ev *e)
{
    const struct vm *vm = &vms[e->id];
    const struct episode *ep = &vm->e[e->cyc];
    int64_t st = e->st;
    static const uint8_t own[VMI_DELETED + 1] = {
        [VMI_ADDED] = F_PHASE, [VMI_SCHEDULING] = F_PHASE, [VMI_SCHEDULED] = F_PHASE | F_NODE,
        [VMI_RUNNING] = F_PHASE | F_IP | F_READY, [VMI_AGENT] = F_AGENT,
        [VMI_SUCC] = F_PHASE | F_READY | F_AGENT};
    int mask = own[e->sub] | e->mask, first = 1;
    int succ = at_or_before(ep->succ, st), agent = at_or_before(ep->agent, st);
    char b[24];
    const char *phase = succ ? "Succeeded"
                        : at_or_before(ep->running, st) ? "Running"
                        : at_or_before(ep->scheded, st) ? "Scheduled"
                        : at_or_before(ep->scheding, st) ? "Scheduling"
                                                         : "Pending";

    watch_head(e, 1, e->sub == VMI_ADDED ? "ADDED" : e->sub == VMI_DELETED ? "DELETED" : "MODIFIED");
    names(vm);
    uid_rv(ep->vmi_uid);
    if (e->sub == VMI_ADDED) /* every tracked field the object has */
        mask = F_PHASE | (at_or_before(ep->scheded, st) ? F_NODE : 0) |
               (at_or_before(ep->running, st) ? F_IP | F_READY : 0) | (agent ? F_AGENT : 0);
    if (e->sub == VMI_SUCC && !agent)
        mask &= ~F_AGENT;
    S(",\"changed\":{");
    if (mask & F_PHASE) {
        S("\"phase\":\"");
        S(phase);
        S("\"");
        first = 0;
    }
    if (mask & F_NODE) {
        node_of(ep, b);
        S(first ? "\"node\":\"" : ",\"node\":\"");
        S(b);
        S("\"");
        first = 0;
    }
    if (mask & F_IP) {
        ip_of(ep, b);
        S(first ? "\"ip\":\"" : ",\"ip\":\"");
        S(b);
        S("\"");
        first = 0;
    }
    if (mask & F_READY) {
        S(first ? "\"ready\":" : ",\"ready\":");
        S(succ ? "\"False\"" : "\"True\"");
        first = 0;
    }
    if (mask & F_AGENT) {
        S(first ? "\"agent_connected\":" : ",\"agent_connected\":");
        S(succ ? "null" : "\"True\"");
    }
    S("},\"server\":{\"creation\":\"");
    S(srv(ep->vmi_add));
    S("\"");
    if (at_or_before(ep->delmark, st)) {
        S(",\"deletion\":\"");
        S(srv(ep->delmark));
        S("\"");
    }
    S(",\"phase_transitions\":{\"Pending\":\"");
    S(srv(ep->vmi_add));
    S("\"");
    if (at_or_before(ep->scheding, st)) {
        S(",\"Scheduling\":\"");
        S(srv(ep->scheding));
        S("\"");
    }
    if (at_or_before(ep->scheded, st)) {
        S(",\"Scheduled\":\"");
        S(srv(ep->scheded));
        S("\"");
    }
    if (at_or_before(ep->running, st)) {
        S(",\"Running\":\"");
        S(srv(ep->running));
        S("\"");
    }
    if (succ) {
        S(",\"Succeeded\":\"");
        S(srv(ep->succ));
        S("\"");
    }
    S("}");
    if (at_or_before(ep->running, st) && e->sub != VMI_DELETED) {
        first = 1;
        S(",\"conditions\":{");
        cond(&first, "Ready", succ ? "False" : "True", succ ? ep->succ : ep->running);
        if (agent && !succ)
            cond(&first, "AgentConnected", "True", ep->agent);
        S("}");
    }
    S("}}\n");
}

static void render_pod(const struct ev *e)
{
    const struct vm *vm = &vms[e->id];
    const struct episode *ep = &vm->e[e->cyc];
    int64_t st = e->st;
    char b[160];
    int first = 1;

    watch_head(e, 3, e->sub == POD_ADDED ? "ADDED" : e->sub == POD_DELETED ? "DELETED" : "MODIFIED");
    snprintf(b, sizeof(b), ",\"namespace\":\"vmstorm-%u\",\"name\":\"virt-launcher-rhel9-vm-%u-%s\"",
             vm->ns, vm->idx, ep->pod_sfx);
    S(b);
    uid_rv(ep->pod_uid);
    switch (e->sub) {
    case POD_ADDED:
        S(",\"changed\":{\"phase\":\"Pending\",\"vmi_uid\":\"");
        S(ep->vmi_uid);
        S("\"}");
        break;
    case POD_NODE:
        node_of(ep, b);
        S(",\"changed\":{\"node\":\"");
        S(b);
        S("\"}");
        break;
    case POD_RUNNING:
        ip_of(ep, b);
        S(",\"changed\":{\"phase\":\"Running\",\"ip\":\"");
        S(b);
        S("\",\"ready\":\"True\"}");
        break;
    case POD_SUCC: S(",\"changed\":{\"phase\":\"Succeeded\",\"ready\":\"False\"}"); break;
    default: S(",\"changed\":{}");
    }
    S(",\"server\":{\"creation\":\"");
    S(srv(ep->pod_add));
    S("\"");
    if (at_or_before(ep->delmark, st) && e->sub >= POD_SUCC) {
        S(",\"deletion\":\"");
        S(srv(ep->delmark));
        S("\"");
    }
    if (at_or_before(ep->pod_node, st) && e->sub != POD_DELETED) {
        S(",\"conditions\":{");
        cond(&first, "PodScheduled", "True", ep->pod_node);
        if (at_or_before(ep->pod_run, st))
            cond(&first, "Ready", at_or_before(ep->pod_succ, st) ? "False" : "True",
                 at_or_before(ep->pod_succ, st) ? ep->pod_succ : ep->pod_run);
        S("}");
    }
    S("}}\n");
}

static void render_probe(const struct ev *e)
{
    const struct vm *vm = &vms[e->id];
    const struct episode *ep = &vm->e[e->cyc];
    char b[24];

    head(e->t, K_PROBE);
    names(vm);
    KS("uid", ep->vmi_uid);
    ip_of(ep, b);
    KS("ip", b);
    S(",\"method\":\"tcp\"");
    if (e->sub == 0) {
        S(",\"result\":\"ready\"");
        KI("attempts", e->aux);
        KI("waited_ns", (int64_t)(e->aux - 1) * NS + (int64_t)(mix(e->ord) % (900 * MS)));
        S(",\"target\":\"22\"");
        KI("rtt_ns", 150000 + (int64_t)(mix(e->ord + 1) % 90000));
        if (e->aux > 1)
            S(",\"last_error\":\"Connection refused\"");
    } else {
        S(",\"result\":\"timeout\"");
        KI("attempts", PING_TIMEOUT_S);
        KI("waited_ns", (int64_t)PING_TIMEOUT_S * NS);
        S(",\"target\":\"22\",\"last_error\":\"Connection timed out\"");
    }
    KS("phase", phase_names[e->ph]);
    S("}\n");
}

/* api_request head: method verb resource status duration_ns */
static void api(const struct ev *e, const char *method, const char *verb, const char *resource,
                int status)
{
    head(e->t, K_API);
    KS("method", method);
    KS("verb", verb);
    KS("resource", resource);
    KI("status", status);
    KI("duration_ns", e->key - e->t);
}

static void render_vm_req(const struct ev *e)
{
    const struct vm *vm = &vms[e->id];
    int is429 = e->flags & FL_429;

    if (e->sub == REQ_POST) {
        api(e, "POST", "create", "virtualmachines", is429 ? 429 : 201);
        S(",\"group\":\"kubevirt.io\",\"version\":\"v1\"");
        names(vm);
        KI("bytes_sent", 2214);
        KI("bytes_received", is429 ? 187 : 3388);
    } else {
        api(e, "PUT", "update", "virtualmachines", is429 ? 429 : 202);
        S(",\"group\":\"subresources.kubevirt.io\",\"version\":\"v1\"");
        KS("subresource", e->sub == REQ_STOP ? "stop" : "start");
        names(vm);
        KI("bytes_sent", 2);
        KI("bytes_received", is429 ? 187 : 0);
    }
    KI("attempt", e->aux);
    if (is429)
        KI("retry_after_s", 1);
    KS("phase", phase_names[e->ph]);
    S("}\n");
}

static void render_ns_req(const struct ev *e)
{
    char b[32];

    snprintf(b, sizeof(b), "vmstorm-%u", e->id);
    if (e->sub == REQ_NS_POST)
        api(e, "POST", "create", "namespaces", 201);
    else if (e->sub == REQ_NS_DELETE)
        api(e, "DELETE", "delete", "namespaces", 200);
    else
        api(e, "GET", "get", "namespaces", 404);
    S(",\"group\":\"\",\"version\":\"v1\"");
    KS("name", b);
    if (e->sub == REQ_NS_POST)
        KI("bytes_sent", 141);
    else if (e->sub == REQ_NS_DELETE)
        KI("bytes_sent", 0);
    KI("bytes_received", e->sub == REQ_NS_POST ? 498 : e->sub == REQ_NS_DELETE ? 571 : 228);
    KS("phase", phase_names[e->ph]);
    S("}\n");
}

static void render_setup(const struct ev *e)
{
    static const struct {
        const char *verb, *resource, *group, *version;
        int bytes;
    } s[] = {{"get", "", NULL, NULL, 263},
             {"list", "nodes", "", "v1", 0},
             {"list", "kubevirts", "kubevirt.io", "v1", 3407},
             {"list", "virtualmachines", "kubevirt.io", "v1", 176},
             {"watch", "virtualmachines", "kubevirt.io", "v1", 0},
             {"list", "virtualmachineinstances", "kubevirt.io", "v1", 184},
             {"watch", "virtualmachineinstances", "kubevirt.io", "v1", 0},
             {"list", "datavolumes", "cdi.kubevirt.io", "v1beta1", 178},
             {"watch", "datavolumes", "cdi.kubevirt.io", "v1beta1", 0},
             {"list", "pods", "", "v1", 148},
             {"watch", "pods", "", "v1", 0}};
    int i = e->aux;

    api(e, "GET", s[i].verb, s[i].resource, 200);
    if (!s[i].group)
        S(",\"path\":\"/version\"");
    else {
        KS("group", s[i].group);
        KS("version", s[i].version);
    }
    KI("bytes_received", i == 1 ? 2900 * (n_workers + 1) : s[i].bytes);
    S(",\"phase\":\"setup\"}\n");
}

static void render_watch_req(const struct ev *e, int list)
{
    api(e, "GET", list ? "list" : "watch", res_names[e->id], 200);
    KS("group", res_group[e->id]);
    KS("version", res_version[e->id]);
    KI("bytes_received", list ? (int64_t)n_vms * 4500 + 200 : 0);
    KS("phase", phase_names[e->ph]);
    S("}\n");
}

static void render_restart(const struct ev *e)
{
    char b[96];

    head(e->t, K_WR);
    KS("resource", res_names[e->id]);
    if (e->sub == RS_CLOSED) {
        S(",\"reason\":\"closed\",\"action\":\"resume\",\"resource_version\":\"");
        I(last_rv[e->id]);
        S("\",\"message\":\"watch closed by the server (timeoutSeconds=300)\"}\n");
    } else if (e->sub == RS_ERROR) {
        S(",\"reason\":\"error\",\"action\":\"resume\",\"resource_version\":\"");
        I(last_rv[e->id]);
        S("\",\"message\":\"Recv failure: Connection reset by peer\"}\n");
    } else {
        S(",\"reason\":\"expired\",\"action\":\"relist\",\"resource_version\":\"");
        I(last_rv[e->id]);
        snprintf(b, sizeof(b), "\",\"status\":410,\"message\":\"too old resource version: %lld (%lld)\"}\n",
                 (long long)last_rv[e->id], (long long)rv);
        S(b);
    }
}

static void render_warning(const struct ev *e)
{
    head(e->t, K_WARN);
    S(",\"message\":\"virtualmachineinstances watch expired; relisting. Changes during the gap "
      "are merged into one relist event per VMI, so their receive times are late; server "
      "timestamps still hold.\",\"code\":\"watch_expired\",\"context\":{\"resource\":"
      "\"virtualmachineinstances\",\"phase\":\"storm\",\"resource_version\":\"");
    I(last_rv[1]);
    S("\"}}\n");
}

/* One Prometheus sample line, JSON-escaped. */
static void prom(const char *code, const char *group, const char *resource, const char *sub,
                 const char *verb, const char *version, long value)
{
    char b[512];

    snprintf(b, sizeof(b),
             "apiserver_request_total{code=\\\"%s\\\",component=\\\"apiserver\\\",dry_run=\\\"\\\","
             "group=\\\"%s\\\",resource=\\\"%s\\\",scope=\\\"resource\\\",subresource=\\\"%s\\\","
             "verb=\\\"%s\\\",version=\\\"%s\\\"} %ld\\n",
             code, group, resource, sub, verb, version, value);
    S(b);
}

static void render_metrics(const struct ev *e, int request)
{
    int end = e->cyc;
    long started = end ? n_vms : 0, vmi_mod = seen[1][1] * 2 + seen[1][0];

    if (request) {
        api(e, "GET", "get", "", 200);
        S(",\"path\":\"/metrics\"");
        KI("bytes_received", e->sub == 0 ? 6100 : 560);
        S(",\"phase\":\"storm\"}\n");
        return;
    }
    head(e->t, K_METRICS);
    if (e->sub == 0) {
        S(",\"source\":\"apiserver\",\"url\":\"https://127.0.0.1:6443/metrics\",\"phase\":\"storm\"");
        KS("at", end ? "end" : "begin");
        S(",\"status\":200,\"text\":\"# HELP apiserver_request_total [STABLE] Counter of apiserver "
          "requests broken out for each verb, dry run value, group, version, resource, scope, "
          "component, and HTTP response code.\\n# TYPE apiserver_request_total counter\\n");
        prom("201", "", "namespaces", "", "POST", "v1", n_ns);
        prom("200", "", "namespaces", "", "GET", "v1", n_ns * 3 + 2);
        prom("200", "", "nodes", "", "LIST", "v1", 1 + 12 * n_workers);
        prom("200", "", "nodes", "status", "PATCH", "v1", 40 * n_workers + (end ? 9 * n_workers : 0));
        prom("201", "", "pods", "", "POST", "v1", seen[3][0]);
        prom("200", "", "pods", "", "DELETE", "v1", seen[3][2]);
        prom("200", "", "pods", "status", "PATCH", "v1", seen[3][1]);
        prom("200", "", "pods", "", "WATCH", "v1", 3 + seen[3][0] / 5000);
        prom("201", "cdi.kubevirt.io", "datavolumes", "", "POST", "v1beta1", n_vms);
        prom("200", "cdi.kubevirt.io", "datavolumes", "status", "PUT", "v1beta1", seen[2][1]);
        prom("200", "cdi.kubevirt.io", "datavolumes", "", "WATCH", "v1beta1", 3);
        prom("201", "kubevirt.io", "virtualmachines", "", "POST", "v1", n_vms);
        prom("429", "kubevirt.io", "virtualmachines", "", "POST", "v1", n429[PH_CREATE]);
        prom("200", "kubevirt.io", "virtualmachines", "status", "PUT", "v1", seen[0][1]);
        prom("200", "kubevirt.io", "virtualmachines", "", "WATCH", "v1", 3);
        prom("201", "kubevirt.io", "virtualmachineinstances", "", "POST", "v1", seen[1][0]);
        prom("200", "kubevirt.io", "virtualmachineinstances", "", "PATCH", "v1", vmi_mod);
        prom("200", "kubevirt.io", "virtualmachineinstances", "", "PUT", "v1", seen[1][1]);
        prom("200", "kubevirt.io", "virtualmachineinstances", "", "DELETE", "v1", seen[1][2]);
        prom("200", "kubevirt.io", "virtualmachineinstances", "", "WATCH", "v1", 4);
        prom("200", "kubevirt.io", "virtualmachineinstances", "", "LIST", "v1", 3);
        prom("202", "subresources.kubevirt.io", "virtualmachines", "stop", "PUT", "v1", n_vms);
        prom("202", "subresources.kubevirt.io", "virtualmachines", "start", "PUT", "v1", started);
        prom("429", "subresources.kubevirt.io", "virtualmachines", "start", "PUT", "v1",
             end ? n429[PH_STORM] : 0);
        S("\",\"format\":\"prometheus-text\",\"families\":[\"apiserver_request_total\"]");
    } else {
        char b[1024];

        S(",\"source\":\"virt-controller\",\"url\":\"https://127.0.0.1:8443/metrics\",\"phase\":"
          "\"storm\"");
        KS("at", end ? "end" : "begin");
        snprintf(b, sizeof(b),
                 ",\"status\":200,\"text\":\"# HELP kubevirt_rest_client_requests_total Number of "
                 "HTTP requests, partitioned by status code, method, and host.\\n# TYPE "
                 "kubevirt_rest_client_requests_total counter\\n"
                 "kubevirt_rest_client_requests_total{code=\\\"200\\\",host=\\\"127.0.0.1:6443\\\","
                 "method=\\\"PATCH\\\",resource=\\\"virtualmachineinstances\\\",verb=\\\"PATCH\\\"} %ld\\n"
                 "kubevirt_rest_client_requests_total{code=\\\"201\\\",host=\\\"127.0.0.1:6443\\\","
                 "method=\\\"POST\\\",resource=\\\"virtualmachineinstances\\\",verb=\\\"POST\\\"} %ld\\n"
                 "kubevirt_rest_client_requests_total{code=\\\"200\\\",host=\\\"127.0.0.1:6443\\\","
                 "method=\\\"PUT\\\",resource=\\\"virtualmachines\\\",verb=\\\"UPDATE\\\"} %ld\\n\","
                 "\"format\":\"prometheus-text\",\"families\":[\"kubevirt_rest_client_requests_total\"]",
                 vmi_mod, seen[1][0], seen[0][1]);
        S(b);
    }
    KI("duration_ns", e->key - e->t);
    S("}\n");
}

static void render_phase(const struct ev *e, int end)
{
    head(e->t, end ? K_PE : K_PB);
    KS("phase", phase_names[e->ph]);
    if (!end) {
        KI("vms", n_vms);
        S("}\n");
        return;
    }
    if (e->ph == PH_NAMESPACES || e->ph == PH_CLEANUP) {
        S(",\"status\":\"ok\",\"counts\":{\"ok\":");
        I(n_ns);
        S(",\"failed\":0}}\n");
        return;
    }
    KS("status", n_timeouts[e->ph] ? "timeout" : "ok");
    S(",\"counts\":{\"vms\":");
    I(n_vms);
    S(",\"ok\":");
    I(n_vms - n_timeouts[e->ph]);
    S(",\"failed\":0,\"timed_out\":");
    I(n_timeouts[e->ph]);
    S("}}\n");
}

static void render_run_begin(const struct ev *e)
{
    char b[512];

    head(e->t, K_RB);
    KS("run_id", run_id);
    S(",\"tool\":{\"name\":\"vmstorm-collect\",\"version\":\"0.1.0\"},\"simulated\":true");
    civil((e->t + WALL_OFF) / NS, b);
    snprintf(b + 19, sizeof(b) - 19, ".%09lldZ", (long long)((e->t + WALL_OFF) % NS));
    KS("started_at", b);
    S(",\"run_label\":\"vmstorm.io/run=");
    S(run_id);
    S("\",\"config\":{\"note\":\"Synthetic run written by bench/genrun.c for the analyzer "
      "benchmark, not captured by vmstorm-collect.\"");
    KS("run_id", run_id);
    snprintf(b, sizeof(b), ",\"genrun\":{\"vms\":%ld,\"seed\":%llu}", n_vms,
             (unsigned long long)g_seed);
    S(b);
    S(",\"kubeconfig\":\"/home/operator/.kube/vmstorm-sim.kubeconfig\",\"context\":\"vmstorm-sim\","
      "\"output\":\"run.ndjson\",\"namespaces\":{\"prefix\":\"vmstorm-\",\"count\":");
    I(n_ns);
    S(",\"delete_on_cleanup\":true},\"vms_per_namespace\":");
    I(per_ns);
    S(",\"vm\":{\"name\":\"rhel9-vm\",\"template\":\"samples/templates/rhel9-vm.yaml\","
      "\"run_strategy\":\"Always\",\"data_volume\":{\"name\":\"rhel9-vm-rootdisk\",\"source_pvc\":"
      "\"vmstorm-images/rhel9\",\"storage_class\":\"sim-csi\",\"size\":\"30Gi\"}},\"phases\":["
      "\"namespaces\",\"create\",\"stop\",\"storm\",\"cleanup\"],\"wait_for\":[\"probe\","
      "\"agent_connected\"],\"timeouts_s\":{\"create\":900,\"stop\":300,\"storm\":900,"
      "\"cleanup\":300},\"settle_s\":2,\"ping_timeout_s\":300,\"api\":{\"qps\":50,\"burst\":100,"
      "\"max_retries\":5,\"request_timeout_s\":30},\"watch\":{\"timeout_s\":300,\"bookmarks\":true,"
      "\"retry_backoff_s\":2},\"probe\":{\"method\":\"tcp\",\"port\":22,\"interval_ms\":1000,"
      "\"attempt_timeout_ms\":1000},\"metrics\":{\"phases\":[\"storm\"],\"timeout_s\":5,"
      "\"sources\":[{\"name\":\"apiserver\",\"url\":\"https://127.0.0.1:6443/metrics\","
      "\"families\":[\"apiserver_request_total\"]},{\"name\":\"virt-controller\",\"url\":"
      "\"https://127.0.0.1:8443/metrics\",\"families\":[\"kubevirt_rest_client_requests_total\"]}"
      "]}},\"cluster\":{\"server\":\"https://127.0.0.1:6443\",\"version\":{\"major\":\"1\","
      "\"minor\":\"31\",\"gitVersion\":\"v1.31.0-vmstorm-sim\",\"platform\":\"linux/amd64\"},"
      "\"kubevirt_version\":\"v1.4.0\",\"nodes\":[{\"name\":\"sim-control-plane\",\"ready\":true,"
      "\"schedulable\":false,\"roles\":[\"control-plane\"],\"capacity\":{\"cpu\":\"4\",\"memory\":"
      "\"16Gi\",\"pods\":\"110\"}}");
    for (long i = 1; i <= n_workers; i++) {
        snprintf(b, sizeof(b),
                 ",{\"name\":\"sim-worker-%ld\",\"ready\":true,\"schedulable\":true,\"roles\":["
                 "\"worker\"],\"capacity\":{\"cpu\":\"96\",\"memory\":\"384Gi\",\"pods\":\"250\","
                 "\"devices.kubevirt.io/kvm\":\"1k\"}}",
                 i);
        S(b);
    }
    S("]},\"clock\":{\"host\":\"bastion-01\",\"wall_clock\":\"CLOCK_REALTIME\",\"mono_clock\":"
      "\"CLOCK_MONOTONIC\",\"resolution_ns\":1}}\n");
}

static void render_run_end(const struct ev *e)
{
    long timeouts = n_timeouts[PH_CREATE] + n_timeouts[PH_STORM];
    int64_t events = seq;

    head(e->t, K_RE);
    kinds[K_RE]--; /* counts are of the lines before this one */
    KS("status", timeouts ? "failed" : "ok");
    S(",\"counts\":{\"events\":");
    I(events);
    for (int k = 0; k < 12; k++)
        if (kinds[k])
            KI(kind_names[k], kinds[k]);
    S("}");
    if (timeouts)
        KS("message", "some VMs failed or timed out");
    S("}\n");
}

static int by_key(const void *a, const void *b)
{
    const struct ev *x = a, *y = b;

    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->ord < y->ord ? -1 : x->ord > y->ord;
}

static void usage(FILE *f)
{
    fputs("usage: genrun [--vms N] [--seed S] [--per-ns M] [--run-id ID] > run.ndjson\n"
          "Writes a synthetic vmstorm run file (about 100 lines per VM) to stdout.\n"
          "  --vms N      VMs (default 10000)\n"
          "  --seed S     random seed (default 1); the output depends on the options only\n"
          "  --per-ns M   VMs per namespace (default 100)\n"
          "  --run-id ID  run_id (default bench-10k)\n",
          f);
}

int main(int argc, char **argv)
{
    int64_t t;

    n_vms = 10000;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;

        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        }
        if (!v) {
            usage(stderr);
            return 2;
        }
        i++;
        if (!strcmp(a, "--vms"))
            n_vms = strtol(v, &end, 10);
        else if (!strcmp(a, "--seed"))
            g_seed = strtoull(v, &end, 10);
        else if (!strcmp(a, "--per-ns"))
            per_ns = strtol(v, &end, 10);
        else if (!strcmp(a, "--run-id")) {
            run_id = v;
            end = "";
        } else {
            usage(stderr);
            return 2;
        }
        if (!end || *end) {
            fprintf(stderr, "genrun: bad value for %s: %s\n", a, v);
            return 2;
        }
    }
    if (n_vms < 1 || n_vms > 1000000 || per_ns < 1 || per_ns > 100000) {
        fprintf(stderr, "genrun: --vms must be 1..1000000 and --per-ns 1..100000\n");
        return 2;
    }
    n_ns = (n_vms + per_ns - 1) / per_ns;
    n_workers = n_vms / 100 < 2 ? 2 : n_vms / 100 > 2000 ? 2000 : n_vms / 100;
    vms = calloc((size_t)n_vms, sizeof(*vms));
    node_ips = calloc((size_t)n_workers + 1, sizeof(*node_ips));
    ob = malloc(OUTCAP);
    if (!vms || !node_ips || !ob) {
        perror("genrun");
        return 1;
    }
    for (long i = 0; i < n_vms; i++) {
        vms[i].ns = (uint32_t)(i / per_ns + 1);
        vms[i].idx = (uint32_t)(i % per_ns + 1);
    }

    t = MONO0 + 4218337;
    add(T_RUN_BEGIN, 0, t, t, 0);
    {
        struct rng r = rng_for(0, 9);

        t += 1800 * US;
        for (int i = 0; i < 11; i++) {
            int64_t d = ln(&r, i % 2 || i < 3 ? 1800 * US : 900 * US, 0.3);

            req(T_SETUP_REQ, 0, t, d, 0, PH_SETUP)->aux = (uint16_t)i;
            t += d + 150 * US;
        }
    }
    t = gen_namespaces(t + 2 * MS);
    t = gen_create(t + 700 * US);
    t = gen_stop(t + SETTLE);
    t = gen_storm(t + SETTLE);
    t = gen_cleanup(t + SETTLE);
    gen_watch_restarts(phase_t[PH_NAMESPACES][0], t);
    add(T_RUN_END, 0, t + 3 * MS, t + 3 * MS, 0);

    qsort(evs, n_evs, sizeof(*evs), by_key);
    for (size_t i = 0; i < n_evs; i++) {
        const struct ev *e = &evs[i];

        switch (e->type) {
        case T_RUN_BEGIN: render_run_begin(e); break;
        case T_SETUP_REQ: render_setup(e); break;
        case T_PHASE_BEGIN: render_phase(e, 0); break;
        case T_PHASE_END: render_phase(e, 1); break;
        case T_NS_REQ: render_ns_req(e); break;
        case T_WATCH_RESTART: render_restart(e); break;
        case T_WATCH_REQ: render_watch_req(e, 0); break;
        case T_LIST_REQ: render_watch_req(e, 1); break;
        case T_WARNING: render_warning(e); break;
        case T_METRICS_REQ: render_metrics(e, 1); break;
        case T_METRICS: render_metrics(e, 0); break;
        case T_RUN_END: render_run_end(e); break;
        case T_VM_REQ: render_vm_req(e); break;
        case T_VM: render_vm(e); break;
        case T_DV: render_dv(e); break;
        case T_VMI: render_vmi(e); break;
        case T_POD: render_pod(e); break;
        case T_PROBE: render_probe(e); break;
        default: break;
        }
        if (on > OUTCAP / 2)
            flush_out();
    }
    flush_out();
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("genrun: write");
        return 1;
    }
    free(evs);
    free(vms);
    free(node_ips);
    free(ob);
    return 0;
}
