/*
 * sim.h - the simulator's shared state, passed to every part of it.
 *
 * One thread runs everything: an epoll loop (main.c) over libmicrohttpd's
 * epoll fd, the guests' sockets and the timers of the scheduler. Nothing is
 * locked because nothing runs concurrently.
 */
#ifndef SIM_SIM_H
#define SIM_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "rng.h"
#include "evsched.h"
#include "store.h"

struct MHD_Daemon;
struct watch_hub;
struct metrics;
struct ctl;
struct faults;

/*
 * The random streams of --seed (rng_seed_stream): the timing model's draws
 * never depend on how many uids, names or faults the clients' requests drew.
 */
enum sim_rng_stream {
    SIM_RNG_MODEL = 0,  /* durations of the timing model, fio factors (ctl.c, fio.c) */
    SIM_RNG_IDS = 1,    /* uids, generated names, default watch timeouts */
    SIM_RNG_FAULTS = 2, /* whether a fault strikes (faults.c) */
};

struct sim_options {
    char listen_host[64];
    int listen_port;
    int tls;
    const char *kubeconfig_out;
    const char *tls_cert, *tls_key, *tls_ca; /* given files instead of generated ones */
    int nodes;
    uint64_t seed;
    double speed;
    const char *truth_path;
    const char *model_path;
    int subresources;     /* serve subresources.kubevirt.io (virt-api present) */
    size_t watch_history; /* events kept for watch resumes */
    int guest_port;       /* TCP port the guests accept on when network-ready */
    int fio_port;         /* port of the guests' http://IP:PORT/fio.json; 0: --no-fio */
    int fio_port_given;   /* --fio-port was given */
    int no_fio;           /* --no-fio: guests run no fio and open no fio port */
};

struct sim {
    struct sim_options opt;
    struct rng model_rng; /* SIM_RNG_MODEL */
    struct rng id_rng;    /* SIM_RNG_IDS */
    struct store *store;
    struct sched *sched;
    struct watch_hub *watches;
    struct metrics *metrics;
    struct ctl *ctl;
    struct faults *faults; /* NULL: none */
    struct MHD_Daemon *mhd;
    int epfd;
    char token[65];    /* the bearer token accepted (also written to the kubeconfig) */
    char *ca_cert_pem; /* for verifying client certificates; NULL without TLS */
    char server_url[128];
    int64_t start_wall_ns, start_mono_ns;
    int truth_fd;        /* -1: no --truth */
    uint32_t next_guest; /* the next guest address, 127.B.x.y as a number (guest.c) */
    int stopping;
};

#endif
