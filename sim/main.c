/*
 * vmstorm-sim - a KubeVirt cluster simulator that speaks the real API on
 * loopback. main.c parses options, sets up TLS, the store, the controllers
 * and the HTTP server, writes the kubeconfig once it accepts connections,
 * and runs the single-threaded epoll loop until SIGINT or SIGTERM.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <microhttpd.h>

#include "clock.h"
#include "ctl.h"
#include "faults.h"
#include "http.h"
#include "kubeconfig.h"
#include "loop.h"
#include "metrics.h"
#include "msg.h"
#include "tls.h"
#include "watch.h"

static const char usage[] =
    "usage: vmstorm-sim [options]\n"
    "  --listen HOST:PORT     address to serve on (default 127.0.0.1:8443)\n"
    "  --tls | --no-tls       HTTPS with generated certificates (default) or plain HTTP\n"
    "  --tls-cert FILE --tls-key FILE --tls-ca FILE\n"
    "                         serve with these instead of generated certificates\n"
    "  --kubeconfig-out FILE  write a kubeconfig once accepting connections\n"
    "  --nodes N              simulated worker nodes (default 4)\n"
    "  --seed N               seed of the timing model (default 1)\n"
    "  --speed F              run the timing model F times faster than real time (default 1)\n"
    "  --truth FILE           write every transition, with its exact time, as NDJSON\n"
    "  --fault SPEC           inject faults (repeatable; see vmstorm-sim(1))\n"
    "  --model FILE           timing-model parameters (key = value; see sim/MODEL.md)\n"
    "  --no-subresources      answer the subresources.kubevirt.io group with a plain 404,\n"
    "                         as a cluster without virt-api does\n"
    "  --watch-history N      events kept for watch resumes (default 10000)\n"
    "  --guest-port N         TCP port guests accept on when ready (default 22; 2222 when\n"
    "                         not root)\n"
    "  --fio-port N           port of the guests' /fio.json (default 8080)\n"
    "  --log-level LEVEL      error, warn, info or debug (default info)\n"
    "  --version, --help\n";

enum {
    OPT_LISTEN = 256,
    OPT_TLS,
    OPT_NO_TLS,
    OPT_CERT,
    OPT_KEY,
    OPT_CA,
    OPT_KUBECONFIG,
    OPT_NODES,
    OPT_SEED,
    OPT_SPEED,
    OPT_TRUTH,
    OPT_FAULT,
    OPT_MODEL,
    OPT_NO_SUB,
    OPT_HISTORY,
    OPT_GUEST_PORT,
    OPT_FIO_PORT,
    OPT_LOG_LEVEL,
    OPT_VERSION,
    OPT_HELP,
};

static const struct option long_options[] = {
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"tls", no_argument, NULL, OPT_TLS},
    {"no-tls", no_argument, NULL, OPT_NO_TLS},
    {"tls-cert", required_argument, NULL, OPT_CERT},
    {"tls-key", required_argument, NULL, OPT_KEY},
    {"tls-ca", required_argument, NULL, OPT_CA},
    {"kubeconfig-out", required_argument, NULL, OPT_KUBECONFIG},
    {"nodes", required_argument, NULL, OPT_NODES},
    {"seed", required_argument, NULL, OPT_SEED},
    {"speed", required_argument, NULL, OPT_SPEED},
    {"truth", required_argument, NULL, OPT_TRUTH},
    {"fault", required_argument, NULL, OPT_FAULT},
    {"model", required_argument, NULL, OPT_MODEL},
    {"no-subresources", no_argument, NULL, OPT_NO_SUB},
    {"watch-history", required_argument, NULL, OPT_HISTORY},
    {"guest-port", required_argument, NULL, OPT_GUEST_PORT},
    {"fio-port", required_argument, NULL, OPT_FIO_PORT},
    {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
    {"version", no_argument, NULL, OPT_VERSION},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

static int parse_number(const char *opt, const char *arg, double min, double max, double *out)
{
    char *end;
    double v = strtod(arg, &end);

    if (end == arg || *end || v < min || v > max) {
        msg_error("%s: expected a number from %g to %g, got '%s'", opt, min, max, arg);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_listen(struct sim_options *o, const char *arg)
{
    const char *colon = strrchr(arg, ':');
    double port;

    if (!colon || colon == arg || (size_t)(colon - arg) >= sizeof(o->listen_host) ||
        parse_number("--listen", colon + 1, 0, 65535, &port) < 0) {
        msg_error("--listen: expected HOST:PORT, got '%s'", arg);
        return -1;
    }
    snprintf(o->listen_host, sizeof(o->listen_host), "%.*s", (int)(colon - arg), arg);
    o->listen_port = (int)port;
    return 0;
}

/* One option; returns 0, 1 to exit 0 (help/version) or -1 on a usage error. */
static int apply_option(struct sim *sim, int c, const char *arg, struct vs_error *err)
{
    struct sim_options *o = &sim->opt;
    double v;
    enum msg_level level;

    switch (c) {
    case OPT_LISTEN:
        return parse_listen(o, arg);
    case OPT_TLS:
        o->tls = 1;
        return 0;
    case OPT_NO_TLS:
        o->tls = 0;
        return 0;
    case OPT_CERT:
        o->tls_cert = arg;
        return 0;
    case OPT_KEY:
        o->tls_key = arg;
        return 0;
    case OPT_CA:
        o->tls_ca = arg;
        return 0;
    case OPT_KUBECONFIG:
        o->kubeconfig_out = arg;
        return 0;
    case OPT_TRUTH:
        o->truth_path = arg;
        return 0;
    case OPT_MODEL:
        o->model_path = arg;
        return 0;
    case OPT_NO_SUB:
        o->subresources = 0;
        return 0;
    case OPT_NODES:
        if (parse_number("--nodes", arg, 1, 10000, &v) < 0)
            return -1;
        o->nodes = (int)v;
        return 0;
    case OPT_SEED:
        if (parse_number("--seed", arg, 0, 1e18, &v) < 0)
            return -1;
        o->seed = (uint64_t)v;
        return 0;
    case OPT_SPEED:
        return parse_number("--speed", arg, 0.001, 10000, &o->speed);
    case OPT_HISTORY:
        if (parse_number("--watch-history", arg, 1, 1e8, &v) < 0)
            return -1;
        o->watch_history = (size_t)v;
        return 0;
    case OPT_GUEST_PORT:
        if (parse_number("--guest-port", arg, 1, 65535, &v) < 0)
            return -1;
        o->guest_port = (int)v;
        return 0;
    case OPT_FIO_PORT:
        if (parse_number("--fio-port", arg, 1, 65535, &v) < 0)
            return -1;
        o->fio_port = (int)v;
        return 0;
    case OPT_FAULT:
        if (faults_parse(&sim->faults, arg, o->seed, err) < 0) {
            msg_report(err);
            return -1;
        }
        return 0;
    case OPT_LOG_LEVEL:
        if (msg_parse_level(arg, &level) < 0) {
            msg_error("--log-level: expected error, warn, info or debug, got '%s'", arg);
            return -1;
        }
        msg_set_level(level);
        return 0;
    case OPT_VERSION:
        printf("vmstorm-sim %s\n", VMSTORM_VERSION);
        return 1;
    case OPT_HELP:
        fputs(usage, stdout);
        return 1;
    default:
        fputs(usage, stderr);
        return -1;
    }
}

static int parse_args(struct sim *sim, int argc, char **argv)
{
    struct vs_error err;
    int c, rc;

    sim->opt = (struct sim_options){
        .listen_host = "127.0.0.1",
        .listen_port = 8443,
        .tls = 1,
        .nodes = 4,
        .seed = 1,
        .speed = 1.0,
        .subresources = 1,
        .watch_history = 10000,
        .guest_port = 0,
        .fio_port = 8080,
    };
    while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1)
        if ((rc = apply_option(sim, c, optarg, &err)) != 0)
            return rc;
    if (optind < argc) {
        msg_error("unexpected argument '%s'", argv[optind]);
        return -1;
    }
    if ((sim->opt.tls_cert || sim->opt.tls_key || sim->opt.tls_ca) &&
        !(sim->opt.tls_cert && sim->opt.tls_key && sim->opt.tls_ca)) {
        msg_error("--tls-cert, --tls-key and --tls-ca go together");
        return -1;
    }
    if (sim->opt.guest_port == 0) {
        sim->opt.guest_port = geteuid() == 0 ? 22 : 2222;
        if (geteuid() != 0)
            msg_warn("not root: guests accept on port 2222 (port 22 needs root)");
    }
    return 0;
}

/* A random bearer token (never derived from the seed). */
static int make_token(struct sim *sim, struct vs_error *err)
{
    unsigned char raw[32];

    if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
        return vs_error_set(err, NULL, 0, 0, "getrandom: %s", strerror(errno));
    for (size_t i = 0; i < sizeof(raw); i++)
        snprintf(sim->token + 2 * i, 3, "%02x", raw[i]);
    return 0;
}

static int setup_tls(struct sim *sim, struct sim_pki *pki, struct vs_error *err)
{
    const char *hosts[] = {sim->opt.listen_host, "localhost", "127.0.0.1"};

    if (!sim->opt.tls)
        return 0;
    if (sim->opt.tls_cert) {
        if (sim_pki_load(pki, sim->opt.tls_ca, sim->opt.tls_cert, sim->opt.tls_key, err) < 0)
            return -1;
    } else if (sim_pki_generate(pki, hosts, strcmp(hosts[0], "127.0.0.1") == 0 ? 2 : 3,
                                "vmstorm-admin", 30, err) < 0) {
        return -1;
    }
    sim->ca_cert_pem = pki->ca_cert;
    return 0;
}

static void on_mhd(struct sim *sim, struct sim_fd *f, uint32_t events)
{
    (void)f;
    (void)events;
    http_run(sim);
}

static void on_signal(struct sim *sim, struct sim_fd *f, uint32_t events)
{
    struct signalfd_siginfo si;

    (void)events;
    if (read(f->fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
        msg_info("received signal %u, shutting down", si.ssi_signo);
        sim->stopping = 1;
    }
}

static int setup_loop(struct sim *sim, struct sim_fd *mhd_fd, struct sim_fd *sig_fd,
                      struct vs_error *err)
{
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(sim->mhd, MHD_DAEMON_INFO_EPOLL_FD);
    sigset_t set;

    if (!di)
        return vs_error_set(err, NULL, 0, 0, "libmicrohttpd has no epoll support");
    mhd_fd->fd = di->epoll_fd;
    mhd_fd->fn = on_mhd;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, NULL);
    sig_fd->fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    sig_fd->fn = on_signal;
    if (sig_fd->fd < 0 || loop_add(sim, mhd_fd, EPOLLIN) < 0 || loop_add(sim, sig_fd, EPOLLIN) < 0)
        return vs_error_set(err, NULL, 0, 0, "epoll setup: %s", strerror(errno));
    return 0;
}

static int write_kubeconfig(struct sim *sim, const struct sim_pki *pki, struct vs_error *err)
{
    struct kubeconfig_spec spec = {sim->server_url, NULL, sim->token, NULL, NULL};

    if (!sim->opt.kubeconfig_out)
        return 0;
    if (sim->opt.tls) {
        spec.ca_cert_pem = pki->ca_cert;
        spec.client_cert_pem = pki->client_cert;
        spec.client_key_pem = pki->client_key;
    }
    return kubeconfig_write(sim->opt.kubeconfig_out, &spec, err);
}

static void raise_fd_limit(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static void run_loop(struct sim *sim)
{
    struct epoll_event evs[256];
    int64_t next_tick = clock_mono_ns(), next_drop = INT64_MAX;
    double drop = faults_watch_drop_every(sim->faults);

    if (drop > 0)
        next_drop = clock_mono_ns() + (int64_t)(drop * 1e9);
    while (!sim->stopping) {
        int64_t now = clock_mono_ns(), due = sched_next(sim->sched);
        int timeout = http_timeout_ms(sim), n;

        if (due < next_tick)
            next_tick = due;
        if (next_drop < next_tick)
            next_tick = next_drop;
        if (timeout < 0 || (next_tick - now) / 1000000 < timeout)
            timeout = next_tick <= now ? 0 : (int)((next_tick - now + 999999) / 1000000);
        n = epoll_wait(sim->epfd, evs, 256, timeout);
        for (int i = 0; i < n; i++) {
            struct sim_fd *f = evs[i].data.ptr;

            f->fn(sim, f, evs[i].events);
        }
        now = clock_mono_ns();
        sched_run(sim->sched, now);
        if (now >= next_drop) {
            size_t dropped = watch_hub_drop_all(sim->watches);

            metrics_add(sim->metrics, "vmstorm_sim_faults_injected_total",
                        "Faults injected by vmstorm-sim (all kinds).", (double)dropped);
            next_drop = now + (int64_t)(drop * 1e9);
        }
        if (now >= next_tick) {
            watch_hub_tick(sim->watches, now);
            next_tick = now + 1000000000LL;
        }
        http_run(sim);
    }
}

static int run(struct sim *sim)
{
    struct sim_pki pki = {0};
    struct sim_fd mhd_fd = {0}, sig_fd = {-1, NULL, NULL};
    struct vs_error err;
    int rc = VS_EXIT_FAILURE;

    vs_error_clear(&err);
    rng_seed(&sim->rng, sim->opt.seed);
    sim->epfd = epoll_create1(EPOLL_CLOEXEC);
    sim->truth_fd = -1;
    sim->store = store_new(sim->opt.watch_history, &sim->rng);
    sim->sched = sched_new();
    sim->metrics = metrics_new();
    sim->watches = watch_hub_new(sim);
    if (sim->epfd < 0 || !sim->store || !sim->sched || !sim->metrics || !sim->watches) {
        msg_error("out of memory");
        goto out;
    }
    store_set_listener(sim->store, watch_hub_notify, sim->watches);
    if (make_token(sim, &err) < 0 || setup_tls(sim, &pki, &err) < 0 ||
        (sim->opt.truth_path && truth_open(sim, sim->opt.truth_path, &err) < 0) ||
        !(sim->ctl = ctl_new(sim, &err)) ||
        http_start(sim, pki.server_cert, pki.server_key, &err) < 0 ||
        setup_loop(sim, &mhd_fd, &sig_fd, &err) < 0) {
        msg_report(&err);
        goto out;
    }
    snprintf(sim->server_url, sizeof(sim->server_url), "%s://%s:%d",
             sim->opt.tls ? "https" : "http", sim->opt.listen_host, http_port(sim));
    if (write_kubeconfig(sim, &pki, &err) < 0) {
        msg_report(&err);
        goto out;
    }
    msg_info("serving %s (%d nodes, seed %llu, speed %g)%s%s", sim->server_url, sim->opt.nodes,
             (unsigned long long)sim->opt.seed, sim->opt.speed,
             sim->opt.kubeconfig_out ? "; kubeconfig: " : "",
             sim->opt.kubeconfig_out ? sim->opt.kubeconfig_out : "");
    run_loop(sim);
    /* end open watches and delayed requests so the daemon can stop cleanly; what the model
     * planned (boots, clones, ...) is dropped: stopping waits for none of it */
    watch_hub_drop_all(sim->watches);
    sched_flush(sim->sched, http_resume_request);
    for (int i = 0; i < 3; i++)
        http_run(sim);
    rc = VS_EXIT_OK;
out:
    http_stop(sim);
    ctl_free(sim->ctl);
    watch_hub_free(sim->watches);
    metrics_free(sim->metrics);
    store_free(sim->store);
    sched_free(sim->sched);
    faults_free(sim->faults);
    truth_close(sim);
    sim_pki_release(&pki);
    if (sig_fd.fd >= 0)
        close(sig_fd.fd);
    if (sim->epfd >= 0)
        close(sim->epfd);
    return rc;
}

int main(int argc, char **argv)
{
    struct sim sim;
    int rc;

    memset(&sim, 0, sizeof(sim));
    msg_set_program("vmstorm-sim");
    signal(SIGPIPE, SIG_IGN);
    raise_fd_limit();
    rc = parse_args(&sim, argc, argv);
    if (rc != 0) {
        faults_free(sim.faults);
        return rc > 0 ? VS_EXIT_OK : VS_EXIT_USAGE;
    }

    return run(&sim);
}
