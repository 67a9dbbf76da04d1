#include "guest.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loop.h"
#include "msg.h"

/* An address of 127/8 that no simulator hands out (their blocks are 127.10 to 127.209). */
#define PROBE_IP "127.254.0.1"

struct guest {
    struct sim_fd ssh, fio;
    char ip[16];
    char *fio_json;
};

/* Listen on ip:port; the fd, or -1 with err (err->code: errno) naming the address and opt. */
static int listen_on(const char *ip, int port, const char *opt, struct vs_error *err)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    int one = 1, e, fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return vs_error_setc(err, errno, NULL, 0, 0, "socket: %s", strerror(errno));
    inet_pton(AF_INET, ip, &a.sin_addr);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(fd, 128) == 0)
        return fd;
    e = errno;
    close(fd);
    if (e == EACCES)
        return vs_error_setc(err, e, NULL, 0, 0,
                             "guest %s:%d: %s (ports below 1024 need root; choose another port "
                             "with %s)",
                             ip, port, strerror(e), opt);
    if (e == EADDRINUSE)
        return vs_error_setc(err, e, NULL, 0, 0,
                             "guest %s:%d: %s (does a program listen on all addresses at port "
                             "%d? choose another port with %s)",
                             ip, port, strerror(e), port, opt);
    return vs_error_setc(err, e, NULL, 0, 0, "guest %s:%d: %s", ip, port, strerror(e));
}

/*
 * Whether the guests can listen at port at all: a program listening on all
 * addresses (0.0.0.0 or [::]) at that port holds it on every guest address,
 * SO_REUSEADDR or not, so every guest would fail.
 */
static int port_usable(int port, const char *opt, struct vs_error *err)
{
    int fd = listen_on(PROBE_IP, port, opt, err);

    if (fd >= 0) {
        close(fd);
        return 0;
    }
    if (err->code != EADDRINUSE)
        return -1;
    return vs_error_setc(err, EADDRINUSE, NULL, 0, 0,
                         "%s %d: a program listens on all addresses at port %d (0.0.0.0 or [::]; "
                         "an sshd?), so guests cannot listen on their 127.B.x.y addresses; choose "
                         "a free port with %s",
                         opt, port, port, opt);
}

/* Whether guests can listen on block b's first address (another simulator may hold it). */
static int block_free(struct sim *sim, unsigned b)
{
    char ip[16];
    int ports[2] = {sim->opt.guest_port, sim->opt.fio_port};

    snprintf(ip, sizeof(ip), "127.%u.0.1", b);
    for (int i = 0; i < 2 && ports[i]; i++) {
        int fd = listen_on(ip, ports[i], "", NULL);

        if (fd < 0)
            return 0;
        close(fd);
    }
    return 1;
}

int guest_setup(struct sim *sim, struct vs_error *err)
{
    /* Each simulator takes its own 127.B.0.0/16 block, so that two of them
       on one machine (tests, a leftover run) never answer for each other. */
    unsigned b = 10 + (unsigned)getpid() % 200;
    int i;

    if (port_usable(sim->opt.guest_port, "--guest-port", err) < 0 ||
        (sim->opt.fio_port && port_usable(sim->opt.fio_port, "--fio-port", err) < 0))
        return -1;
    for (i = 0; i < 200 && !block_free(sim, b); i++)
        b = 10 + (b - 10 + 1) % 200;
    if (i == 200) {
        char ports[48];

        if (sim->opt.fio_port)
            snprintf(ports, sizeof(ports), "ports %d and %d are", sim->opt.guest_port,
                     sim->opt.fio_port);
        else
            snprintf(ports, sizeof(ports), "port %d is", sim->opt.guest_port);
        return vs_error_setc(err, EADDRINUSE, NULL, 0, 0,
                             "no free block of guest addresses: %s taken on 127.B.0.1 for every "
                             "B from 10 to 209",
                             ports);
    }
    sim->next_guest = (b << 16) | 1u;
    return 0;
}

void guest_next_ip(struct sim *sim, char ip[16])
{
    uint32_t *next = &sim->next_guest;

    while ((*next & 0xff) == 0 || (*next & 0xff) == 255)
        (*next)++;
    snprintf(ip, 16, "127.%u.%u.%u", (*next >> 16) & 0xff, (*next >> 8) & 0xff, *next & 0xff);
    (*next)++;
}

static void on_ssh(struct sim *sim, struct sim_fd *f, uint32_t events)
{
    static const char banner[] = "SSH-2.0-vmstorm-sim\r\n";
    int c;

    (void)sim;
    (void)events;
    while ((c = accept4(f->fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
        if (write(c, banner, sizeof(banner) - 1) < 0) {
            /* the prober may have closed already: that is fine */
        }
        close(c);
    }
}

/* Answer one HTTP request on a fresh connection (small, on loopback). */
static void serve_fio(struct guest *g, int c)
{
    char req[1024], head[256];
    struct timeval tv = {1, 0};
    ssize_t n;
    const char *body = g->fio_json;
    int found;

    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    n = read(c, req, sizeof(req) - 1);
    if (n <= 0)
        return;
    req[n] = '\0';
    found = body && strncmp(req, "GET /fio.json ", 14) == 0;
    if (!found)
        body = body ? "not found\n" : "fio has not finished yet\n";
    snprintf(head, sizeof(head),
             "HTTP/1.0 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
             found ? "200 OK" : "404 Not Found", found ? "application/json" : "text/plain",
             strlen(body));
    if (write(c, head, strlen(head)) < 0 || write(c, body, strlen(body)) < 0)
        msg_debug("guest %s: fio client went away", g->ip);
}

static void on_fio(struct sim *sim, struct sim_fd *f, uint32_t events)
{
    struct guest *g = f->arg;
    int c;

    (void)sim;
    (void)events;
    while ((c = accept4(f->fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
        serve_fio(g, c);
        close(c);
    }
}

struct guest *guest_open(struct sim *sim, const char *ip, struct vs_error *err)
{
    struct guest *g = calloc(1, sizeof(*g));

    if (!g) {
        vs_error_set(err, NULL, 0, 0, "out of memory");
        return NULL;
    }
    snprintf(g->ip, sizeof(g->ip), "%s", ip);
    g->ssh.fd = g->fio.fd = -1;
    g->ssh.fd = listen_on(ip, sim->opt.guest_port, "--guest-port", err);
    if (g->ssh.fd < 0)
        goto fail;
    if (sim->opt.fio_port) { /* not with --no-fio */
        g->fio.fd = listen_on(ip, sim->opt.fio_port, "--fio-port", err);
        if (g->fio.fd < 0)
            goto fail;
        g->fio.fn = on_fio;
        g->fio.arg = g;
        loop_add(sim, &g->fio, EPOLLIN);
    }
    g->ssh.fn = on_ssh;
    g->ssh.arg = g;
    loop_add(sim, &g->ssh, EPOLLIN);
    return g;
fail:
    if (g->ssh.fd >= 0)
        close(g->ssh.fd);
    free(g);
    return NULL;
}

void guest_set_fio(struct guest *g, const char *json)
{
    free(g->fio_json);
    g->fio_json = json ? strdup(json) : NULL;
}

void guest_close(struct sim *sim, struct guest *g)
{
    if (!g)
        return;
    loop_del(sim, &g->ssh);
    close(g->ssh.fd);
    if (g->fio.fd >= 0) {
        loop_del(sim, &g->fio);
        close(g->fio.fd);
    }
    free(g->fio_json);
    free(g);
}
