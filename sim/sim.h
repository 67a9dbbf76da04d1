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
    int fio_port;         /* port of the guests' http://IP:PORT/fio.json */
};

struct sim {
    struct sim_options opt;
    struct rng rng;
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
    int truth_fd; /* -1: no --truth */
    int stopping;
};

#endif
