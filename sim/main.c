/*
 * vmstorm-sim - a KubeVirt cluster simulator that speaks the real API on
 * loopback. main.c parses options, sets up TLS, the store, the controllers
 * and the HTTP server, writes the kubeconfig once it accepts connections,
 * and runs the single-threaded epoll loop until SIGINT or SIGTERM.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <microhttpd.h>

#include "clock.h"
#include "ctl.h"
#include "faults.h"
#include "fsutil.h"
#include "guest.h"
#include "http.h"
#include "kubeconfig.h"
#include "loop.h"
#include "metrics.h"
#include "model.h"
#include "msg.h"
#include "numparse.h"
#include "tls.h"
#include "watch.h"

/* The largest --seed (the man page's 10^18). */
#define SEED_MAX 1000000000000000000ULL

static const char usage[] =
    "usage: vmstorm-sim [options]\n"
    "  --listen HOST:PORT     address to serve on (default 127.0.0.1:8443)\n"
    "  --tls | --no-tls       HTTPS with generated certificates (default), or plain\n"
    "                         HTTP\n"
    "  --tls-cert FILE --tls-key FILE --tls-ca FILE\n"
    "                         serve with these instead of generated certificates\n"
    "  --kubeconfig-out FILE  write a kubeconfig once accepting connections\n"
    "  --nodes N              simulated worker nodes (default 4)\n"
    "  --seed N               seed of the random numbers (default 1)\n"
    "  --speed F              run the timing model F times faster than real time\n"
    "                         (default 1)\n"
    "  --truth FILE           write every transition, with its exact time, as NDJSON\n"
    "  --fault SPEC           inject faults (repeatable; see vmstorm-sim(1))\n"
    "  --model FILE           timing-model parameters (key = value; see sim/MODEL.md)\n"
    "  --no-subresources      answer the subresources.kubevirt.io group with a plain\n"
    "                         404, as a cluster without virt-api does\n"
    "  --watch-history N      events kept for watch resumes (default 10000)\n"
    "  --guest-port N         TCP port guests accept on when ready (default 22; 2222\n"
    "                         when not root)\n"
    "  --fio-port N           port of the guests' /fio.json (default 8080)\n"
    "  --no-fio               guests run no fio and open no fio port (one open file\n"
    "                         per guest instead of two)\n"
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
    OPT_NO_FIO,
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
    {"no-fio", no_argument, NULL, OPT_NO_FIO},
    {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
    {"version", no_argument, NULL, OPT_VERSION},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

/* A whole number for opt, strictly (numparse.h); -1 with a message naming opt and arg. */
static int parse_uint(const char *opt, const char *arg, uint64_t min, uint64_t max, uint64_t *out)
{
    if (num_parse_uint(arg, min, max, out) == 0)
        return 0;
    msg_error("%s: expected a whole number from %llu to %llu, got '%s'", opt,
              (unsigned long long)min, (unsigned long long)max, arg);
    return -1;
}

static int parse_int(const char *opt, const char *arg, int min, int max, int *out)
{
    uint64_t v;

    if (parse_uint(opt, arg, (uint64_t)min, (uint64_t)max, &v) < 0)
        return -1;
    *out = (int)v;
    return 0;
}

static int parse_listen(struct sim_options *o, const char *arg)
{
    const char *colon = strrchr(arg, ':');
    struct in_addr a;
    char opt[128];

    if (!colon || colon == arg || (size_t)(colon - arg) >= sizeof(o->listen_host)) {
        msg_error("--listen: expected HOST:PORT, got '%s'", arg);
        return -1;
    }
    snprintf(o->listen_host, sizeof(o->listen_host), "%.*s", (int)(colon - arg), arg);
    if (inet_pton(AF_INET, o->listen_host, &a) != 1) {
        msg_error("--listen '%s': '%s' is not an IPv4 address", arg, o->listen_host);
        return -1;
    }
    snprintf(opt, sizeof(opt), "--listen '%.*s': port", (int)(sizeof(opt) - 20), arg);
    return parse_int(opt, colon + 1, 0, 65535, &o->listen_port);
}

/* One option; returns 0, 1 to exit 0 (help/version) or -1 on a usage error. */
static int apply_option(struct sim *sim, int c, const char *arg, struct vs_error *err)
{
    struct sim_options *o = &sim->opt;
    uint64_t v;
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
        return parse_int("--nodes", arg, 1, 10000, &o->nodes);
    case OPT_SEED:
        return parse_uint("--seed", arg, 0, SEED_MAX, &o->seed);
    case OPT_SPEED:
        if (num_parse_double(arg, 0.001, 10000, &o->speed) == 0)
            return 0;
        msg_error("--speed: expected a number from 0.001 to 10000, got '%s'", arg);
        return -1;
    case OPT_HISTORY:
        if (parse_uint("--watch-history", arg, 1, 100000000, &v) < 0)
            return -1;
        o->watch_history = (size_t)v;
        return 0;
    case OPT_GUEST_PORT:
        return parse_int("--guest-port", arg, 1, 65535, &o->guest_port);
    case OPT_FIO_PORT:
        o->fio_port_given = 1;
        return parse_int("--fio-port", arg, 1, 65535, &o->fio_port);
    case OPT_NO_FIO:
        o->no_fio = 1;
        return 0;
    case OPT_FAULT:
        if (faults_parse(&sim->faults, arg, err) < 0) {
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

/* What no single option shows wrong: combinations. 0, or -1 with a message. */
static int check_options(struct sim_options *o)
{
    int certs = (o->tls_cert != NULL) + (o->tls_key != NULL) + (o->tls_ca != NULL);

    if (certs > 0 && certs < 3) {
        msg_error("--tls-cert, --tls-key and --tls-ca go together");
        return -1;
    }
    if (certs > 0 && !o->tls) {
        msg_error("--no-tls contradicts --tls-cert, --tls-key and --tls-ca: give either plain "
                  "HTTP or the certificates");
        return -1;
    }
    if (o->guest_port == 0) {
        o->guest_port = geteuid() == 0 ? 22 : 2222;
        if (geteuid() != 0)
            msg_warn("not root: guests accept on port 2222 (port 22 needs root)");
    }
    if (o->no_fio && o->fio_port_given) {
        msg_error("--no-fio contradicts --fio-port: give one of them");
        return -1;
    }
    if (o->no_fio)
        o->fio_port = 0;
    if (o->guest_port == o->fio_port) {
        msg_error("--guest-port and --fio-port are both %d: give them different ports",
                  o->guest_port);
        return -1;
    }
    /* 0.0.0.0:PORT would hold PORT on the guests' 127.B.x.y addresses too (guest.c) */
    if (strcmp(o->listen_host, "0.0.0.0") == 0 &&
        (o->listen_port == o->guest_port || (o->fio_port && o->listen_port == o->fio_port))) {
        msg_error("--listen 0.0.0.0:%d takes port %d on every address, the guests' too: choose "
                  "a --listen port other than %s %d",
                  o->listen_port, o->listen_port,
                  o->listen_port == o->guest_port ? "--guest-port" : "--fio-port", o->listen_port);
        return -1;
    }
    return 0;
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
    return check_options(&sim->opt);
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

/* 1 when the file could not be read (err->code: errno), 3 when its content is bad. */
static int input_exit_code(const struct vs_error *err)
{
    return err->code ? VS_EXIT_FAILURE : VS_EXIT_DATA;
}

/* Read the --model file and the given certificates: VS_EXIT_OK, or the exit code. */
static int load_inputs(struct sim *sim, struct model *m, struct sim_pki *pki)
{
    const struct sim_options *o = &sim->opt;
    struct vs_error err;

    vs_error_clear(&err);
    model_defaults(m);
    if ((o->model_path && model_load(m, o->model_path, &err) < 0) ||
        (o->tls && o->tls_cert &&
         sim_pki_load(pki, o->tls_ca, o->tls_cert, o->tls_key, &err) < 0)) {
        msg_report(&err);
        return input_exit_code(&err);
    }
    return VS_EXIT_OK;
}

/* Generate certificates unless load_inputs read them. */
static int setup_tls(struct sim *sim, struct sim_pki *pki, struct vs_error *err)
{
    const char *hosts[] = {sim->opt.listen_host, "localhost", "127.0.0.1"};
    size_t nhosts = strcmp(hosts[0], "127.0.0.1") == 0 ? 2 : 3;

    if (!sim->opt.tls)
        return 0;
    if (!sim->opt.tls_cert && sim_pki_generate(pki, hosts, nhosts, "vmstorm-admin", 30, err) < 0)
        return -1;
    sim->ca_cert_pem = pki->ca_cert;
    return 0;
}

/* The random streams of --seed (sim.h), once every option is read. */
static void seed_streams(struct sim *sim)
{
    rng_seed_stream(&sim->model_rng, sim->opt.seed, SIM_RNG_MODEL);
    rng_seed_stream(&sim->id_rng, sim->opt.seed, SIM_RNG_IDS);
    faults_seed(sim->faults, sim->opt.seed);
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
    struct model model;
    struct vs_error err;
    int rc;

    vs_error_clear(&err);
    sim->epfd = sim->truth_fd = -1;
    rc = load_inputs(sim, &model, &pki);
    if (rc != VS_EXIT_OK)
        goto out;
    rc = VS_EXIT_FAILURE;
    seed_streams(sim);
    sim->epfd = epoll_create1(EPOLL_CLOEXEC);
    sim->store = store_new(sim->opt.watch_history, &sim->id_rng);
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
        !(sim->ctl = ctl_new(sim, &model, &err)) ||
        http_start(sim, pki.server_cert, pki.server_key, &err) < 0 || guest_setup(sim, &err) < 0 ||
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
    /* as many as allowed: each ready guest holds one or two listening sockets */
    fs_raise_nofile(LONG_MAX);
    signal(SIGPIPE, SIG_IGN);
    rc = parse_args(&sim, argc, argv);
    if (rc != 0) {
        faults_free(sim.faults);
        return rc > 0 ? VS_EXIT_OK : VS_EXIT_USAGE;
    }

    return run(&sim);
}
