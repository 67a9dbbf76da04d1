/*
 * probe_icmp.c - the icmp method of the prober (probe.h): one socket for
 * every target, datagram ("ping") if allowed, else raw.
 *
 * An echo request carries the prober's salt, the target's slot and the
 * attempt's token in its payload, which survives the kernel rewriting the
 * echo id on datagram sockets; a reply counts when all three match the
 * attempt under way and it comes from the target's address. ICMP errors
 * quoting one of our echoes (raw sockets see them as messages, datagram
 * sockets through IP_RECVERR) fail the attempt with their text.
 */
#include "probe_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/errqueue.h>
#include <linux/icmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define READS_PER_EVENT 64 /* bound on the work of one callback */
#define ICMP_ECHOREPLY_T 0
#define ICMP_UNREACH_T 3
#define ICMP_ECHO_T 8
#define ICMP_TIMXCEED_T 11
#define ICMP_HDR 8
/* payload of our echo requests: magic, salt, slot (big-endian u32 each), token (u64) */
#define PAYLOAD_MAGIC 0x766d7374u /* "vmst" */
#define PAYLOAD_LEN 20

static uint16_t icmp_checksum(const unsigned char *b, size_t n)
{
    uint32_t sum = 0;

    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(b[i] << 8 | b[i + 1]);
    if (n & 1)
        sum += (uint32_t)b[n - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static void put32(unsigned char *b, uint32_t v)
{
    b[0] = (unsigned char)(v >> 24);
    b[1] = (unsigned char)(v >> 16);
    b[2] = (unsigned char)(v >> 8);
    b[3] = (unsigned char)v;
}

static uint32_t get32(const unsigned char *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

void probe_icmp_send(struct target *t)
{
    struct prober *p = t->p;
    unsigned char pkt[ICMP_HDR + PAYLOAD_LEN];
    struct sockaddr_in to;
    uint16_t seq = p->next_seq++, sum;

    t->attempt_token = ++p->next_token;
    memset(pkt, 0, sizeof(pkt));
    pkt[0] = ICMP_ECHO_T;
    pkt[4] = (unsigned char)(p->icmp_id >> 8); /* datagram sockets replace the id */
    pkt[5] = (unsigned char)p->icmp_id;
    pkt[6] = (unsigned char)(seq >> 8);
    pkt[7] = (unsigned char)seq;
    put32(pkt + ICMP_HDR, PAYLOAD_MAGIC);
    put32(pkt + ICMP_HDR + 4, p->salt);
    put32(pkt + ICMP_HDR + 8, t->slot);
    put32(pkt + ICMP_HDR + 12, (uint32_t)(t->attempt_token >> 32));
    put32(pkt + ICMP_HDR + 16, (uint32_t)t->attempt_token);
    sum = icmp_checksum(pkt, sizeof(pkt));
    pkt[2] = (unsigned char)(sum >> 8);
    pkt[3] = (unsigned char)sum;
    memset(&to, 0, sizeof(to));
    to.sin_family = AF_INET;
    to.sin_addr = t->addr;
    if (sendto(p->icmp_fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
        int e = errno;

        probe_attempt_fail(t, clock_mono_ns(), probe_errno_local(e), "sendto: %s", strerror(e));
        return;
    }
    probe_attempt_arm_timeout(t, t->attempt_ns);
}

/* The target whose attempt under way sent the echo request carrying payload (n bytes), or NULL. */
static struct target *icmp_match(const struct prober *p, const unsigned char *payload, size_t n)
{
    uint32_t slot;
    uint64_t token;
    struct target *t;

    if (n < PAYLOAD_LEN || get32(payload) != PAYLOAD_MAGIC || get32(payload + 4) != p->salt)
        return NULL;
    slot = get32(payload + 8);
    token = (uint64_t)get32(payload + 12) << 32 | get32(payload + 16);
    t = slot < p->nslots ? p->slots[slot] : NULL;
    if (!t || t->state != T_ATTEMPT || token == 0 || token != t->attempt_token)
        return NULL;
    return t;
}

/*
 * When the message m was received: the kernel's time stamp (CLOCK_REALTIME)
 * and the monotonic time it corresponds to; now when there is none.
 */
static void icmp_rx_time(struct msghdr *m, struct vs_time *at)
{
    struct cmsghdr *c;
    struct vs_time now;

    clock_now(&now);
    *at = now;
    for (c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
        struct timespec ts;
        int64_t wall, ago;

        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS)
            continue;
        memcpy(&ts, CMSG_DATA(c), sizeof(ts));
        wall = (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
        ago = now.wall_ns - wall;
        if (ago >= 0 && ago < 60 * NS_PER_S) { /* else the wall clock was stepped */
            at->wall_ns = wall;
            at->mono_ns = now.mono_ns - ago;
        }
    }
}

/* The text of an ICMP error, e.g. "host unreachable". Returns buf. */
static const char *icmp_error_text(int type, int code, char *buf, size_t n)
{
    static const char *const unreach[] = {"network unreachable",
                                          "host unreachable",
                                          "protocol unreachable",
                                          "port unreachable",
                                          "fragmentation needed",
                                          "source route failed",
                                          "network unknown",
                                          "host unknown",
                                          NULL,
                                          "network prohibited",
                                          "host prohibited",
                                          "network unreachable for tos",
                                          "host unreachable for tos",
                                          "communication prohibited"};

    if (type == ICMP_TIMXCEED_T)
        snprintf(buf, n, "time to live exceeded");
    else if (code >= 0 && (size_t)code < sizeof(unreach) / sizeof(unreach[0]) && unreach[code])
        snprintf(buf, n, "%s", unreach[code]);
    else
        snprintf(buf, n, "destination unreachable (code %d)", code);
    return buf;
}

/* A raw socket's destination unreachable / time exceeded quoting one of our echoes (d: ICMP). */
static void icmp_raw_error(struct prober *p, const unsigned char *d, size_t n,
                           const struct sockaddr_in *from, int64_t now)
{
    const unsigned char *in = d + ICMP_HDR, *echo;
    size_t ihl;
    struct target *t;
    char addr[INET_ADDRSTRLEN], text[64];

    if (n < ICMP_HDR + 20)
        return;
    ihl = (size_t)(in[0] & 0x0f) * 4;
    if (ihl < 20 || in[9] != IPPROTO_ICMP || n < ICMP_HDR + ihl + ICMP_HDR)
        return;
    echo = in + ihl;
    if (echo[0] != ICMP_ECHO_T || (echo[4] << 8 | echo[5]) != p->icmp_id)
        return;
    t = icmp_match(p, echo + ICMP_HDR, n - ICMP_HDR - ihl - ICMP_HDR);
    if (!t || memcmp(in + 16, &t->addr, 4) != 0)
        return;
    inet_ntop(AF_INET, &from->sin_addr, addr, sizeof(addr));
    probe_attempt_fail(t, now, 0, "%s (from %s)", icmp_error_text(d[0], d[1], text, sizeof(text)),
                       addr);
}

/* One ICMP message (after the IP header of raw sockets) from `from`. */
static void icmp_message(struct prober *p, const unsigned char *d, size_t n,
                         const struct sockaddr_in *from, struct msghdr *m)
{
    struct target *t;
    struct vs_time at;

    if (n < ICMP_HDR)
        return;
    icmp_rx_time(m, &at);
    if (p->icmp_raw && (d[0] == ICMP_UNREACH_T || d[0] == ICMP_TIMXCEED_T)) {
        icmp_raw_error(p, d, n, from, at.mono_ns);
        return;
    }
    if (d[0] != ICMP_ECHOREPLY_T || (p->icmp_raw && (d[4] << 8 | d[5]) != p->icmp_id))
        return;
    t = icmp_match(p, d + ICMP_HDR, n - ICMP_HDR);
    if (!t || from->sin_addr.s_addr != t->addr.s_addr)
        return; /* not ours, an earlier attempt's, or from another address */
    if (at.mono_ns < t->attempt_ns)
        clock_now(&at);
    probe_target_ready(t, &at, t->attempt_ns);
}

/* Read one datagram; 0 when there was nothing to read. */
static int icmp_read_one(struct prober *p)
{
    unsigned char buf[1500];
    union {
        char b[CMSG_SPACE(sizeof(struct timespec)) + 64];
        struct cmsghdr align;
    } cbuf;
    struct sockaddr_in from;
    struct iovec iov = {buf, sizeof(buf)};
    struct msghdr m;
    ssize_t n;
    size_t ihl = 0;

    memset(&m, 0, sizeof(m));
    m.msg_name = &from;
    m.msg_namelen = sizeof(from);
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = cbuf.b;
    m.msg_controllen = sizeof(cbuf.b);
    n = recvmsg(p->icmp_fd, &m, 0);
    if (n < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : 1; /* else a reported error: go on */
    if (m.msg_namelen < sizeof(from) || from.sin_family != AF_INET)
        return 1;
    if (p->icmp_raw) {
        if (n < 20 || (size_t)n < (ihl = (size_t)(buf[0] & 0x0f) * 4) || ihl < 20)
            return 1;
    }
    icmp_message(p, buf + ihl, (size_t)n - ihl, &from, &m);
    return 1;
}

/* Errors queued by IP_RECVERR (datagram sockets): host unreachable and the like. */
static void icmp_read_errors(struct prober *p)
{
    for (int i = 0; i < READS_PER_EVENT; i++) {
        unsigned char buf[576];
        union {
            char b[CMSG_SPACE(sizeof(struct sock_extended_err) + sizeof(struct sockaddr_in)) + 64];
            struct cmsghdr align;
        } cbuf;
        struct sockaddr_in to;
        struct iovec iov = {buf, sizeof(buf)};
        struct msghdr m;
        struct cmsghdr *c;
        struct target *t;
        ssize_t n;

        memset(&m, 0, sizeof(m));
        m.msg_name = &to;
        m.msg_namelen = sizeof(to);
        m.msg_iov = &iov;
        m.msg_iovlen = 1;
        m.msg_control = cbuf.b;
        m.msg_controllen = sizeof(cbuf.b);
        if ((n = recvmsg(p->icmp_fd, &m, MSG_ERRQUEUE)) < 0)
            return;
        if (n < ICMP_HDR || buf[0] != ICMP_ECHO_T)
            continue;
        t = icmp_match(p, buf + ICMP_HDR, (size_t)n - ICMP_HDR);
        if (!t || m.msg_namelen < sizeof(to) || to.sin_addr.s_addr != t->addr.s_addr)
            continue;
        for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
            struct sock_extended_err ee;
            struct sockaddr_in off;
            char addr[INET_ADDRSTRLEN] = "?";

            if (c->cmsg_level != IPPROTO_IP || c->cmsg_type != IP_RECVERR)
                continue;
            memcpy(&ee, CMSG_DATA(c), sizeof(ee));
            memcpy(&off, CMSG_DATA(c) + sizeof(ee), sizeof(off));
            if (off.sin_family == AF_INET)
                inet_ntop(AF_INET, &off.sin_addr, addr, sizeof(addr));
            probe_attempt_fail(t, clock_mono_ns(), 0, "%s (from %s)", strerror((int)ee.ee_errno),
                               addr);
            break;
        }
    }
}

static void icmp_event(void *ctx, int fd, uint32_t events)
{
    struct prober *p = ctx;

    (void)fd;
    if (events & EPOLLERR)
        icmp_read_errors(p);
    for (int i = 0; i < READS_PER_EVENT && p->icmp_fd >= 0; i++)
        if (!icmp_read_one(p))
            break;
}

/* net.ipv4.ping_group_range as text, for messages. */
static void ping_group_range(char *buf, size_t n)
{
    FILE *f = fopen("/proc/sys/net/ipv4/ping_group_range", "r");

    snprintf(buf, n, "unknown");
    if (f) {
        if (fgets(buf, (int)n, f))
            for (char *s = buf; *s; s++)
                if (*s == '\t' || *s == '\n')
                    *s = *s == '\t' ? ' ' : '\0';
        fclose(f);
    }
}

static int icmp_open_error(int dgram_errno, int raw_errno, struct vs_error *err)
{
    char range[64];

    ping_group_range(range, sizeof(range));
    return vs_error_setc(
        err, raw_errno, NULL, 0, 0,
        "cannot open an icmp socket: an unprivileged one needs the group id %u in sysctl "
        "net.ipv4.ping_group_range (now '%s': %s), a raw one needs root or CAP_NET_RAW (%s); "
        "or probe a port with --probe tcp:22",
        (unsigned)getegid(), range, strerror(dgram_errno), strerror(raw_errno));
}

int probe_icmp_open(struct prober *p, struct vs_error *err)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP), e1 = errno;
    int one = 1;

    if (fd >= 0) {
        setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one));
    } else {
        struct icmp_filter filter = {
            ~((1u << ICMP_ECHOREPLY_T) | (1u << ICMP_UNREACH_T) | (1u << ICMP_TIMXCEED_T))};

        fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
        if (fd < 0)
            return icmp_open_error(e1, errno, err);
        p->icmp_raw = 1;
        setsockopt(fd, SOL_RAW, ICMP_FILTER, &filter, sizeof(filter));
    }
    p->icmp_fd = fd;
    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
    return evloop_add(p->loop, fd, EPOLLIN, icmp_event, p, err);
}
