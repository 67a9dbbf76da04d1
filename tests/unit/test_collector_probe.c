#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "clock.h"
#include "evloop.h"
#include "probe.h"

#define MS INT64_C(1000000)

/*
 * The prober's pidfd_open: this definition takes the place of libc's, so
 * that a test can take pidfds away and exercise the waitpid polling.
 */
static int no_pidfd, pidfd_calls;

int pidfd_open(pid_t pid, unsigned int flags)
{
    pidfd_calls++;
    if (no_pidfd) {
        errno = ENOSYS;
        return -1;
    }
    return (int)syscall(SYS_pidfd_open, pid, flags);
}

/* One outcome, copied out of the done callback. */
struct outcome {
    char ns[64], name[256], uid[64], ip[64], result[16];
    enum probe_method method;
    int attempts;
    int64_t waited_ns, rtt_ns;
    struct vs_time at;
    int has_error;
    char last_error[PROBE_ERROR_MAX];
};

struct rec {
    struct outcome o[16];
    int n;
    struct prober *p;
    const char *cancel_on_done; /* a uid to cancel from inside the callback */
};

static void copy(char *dst, size_t n, const char *src)
{
    assert_non_null(src);
    assert_true(strlen(src) < n);
    strcpy(dst, src);
}

static void on_done(void *ctx, const struct probe_result *r)
{
    struct rec *rec = ctx;
    struct outcome *o;

    assert_true(rec->n < 16);
    o = &rec->o[rec->n++];
    copy(o->ns, sizeof(o->ns), r->ns);
    copy(o->name, sizeof(o->name), r->name);
    copy(o->uid, sizeof(o->uid), r->uid);
    copy(o->ip, sizeof(o->ip), r->ip);
    copy(o->result, sizeof(o->result), r->result);
    o->method = r->method;
    o->attempts = r->attempts;
    o->waited_ns = r->waited_ns;
    o->rtt_ns = r->rtt_ns;
    o->at = r->at;
    o->has_error = r->last_error != NULL;
    if (r->last_error)
        copy(o->last_error, sizeof(o->last_error), r->last_error);
    if (rec->cancel_on_done) {
        const char *uid = rec->cancel_on_done;

        rec->cancel_on_done = NULL;
        probe_cancel(rec->p, uid);
    }
}

static struct outcome *outcome(struct rec *rec, const char *uid)
{
    for (int i = 0; i < rec->n; i++)
        if (strcmp(rec->o[i].uid, uid) == 0)
            return &rec->o[i];
    fail_msg("no outcome for '%s'", uid);
    return NULL;
}

/* Run the loop until n outcomes are in, for at most max_ms. */
static void run_until(struct evloop *l, struct rec *rec, int n, int64_t max_ms)
{
    struct vs_error err;
    int64_t end = clock_mono_ns() + max_ms * MS;

    while (rec->n < n && clock_mono_ns() < end)
        assert_true(evloop_run_once(l, 20, &err) >= 0);
    assert_int_equal(rec->n, n);
}

/* Run the loop for ms. */
static void run_for(struct evloop *l, int64_t ms)
{
    struct vs_error err;
    int64_t end = clock_mono_ns() + ms * MS;

    while (clock_mono_ns() < end)
        assert_true(evloop_run_once(l, 10, &err) >= 0);
}

static struct probe_config config(enum probe_method m, int64_t interval_ms, int64_t timeout_ms,
                                  int64_t give_up_ms)
{
    struct probe_config c;

    memset(&c, 0, sizeof(c));
    c.method = m;
    c.interval_ns = interval_ms * MS;
    c.attempt_timeout_ns = timeout_ms * MS;
    c.give_up_ns = give_up_ms * MS;
    return c;
}

static struct prober *new_prober(struct evloop *l, const struct probe_config *c, struct rec *rec)
{
    struct vs_error err;
    struct prober *p = prober_new(l, c, on_done, rec, &err);

    if (!p)
        fail_msg("prober_new: %s", err.msg);
    rec->p = p;
    return p;
}

static void add(struct prober *p, const char *ns, const char *name, const char *uid, const char *ip)
{
    struct vs_error err;

    if (probe_add(p, ns, name, uid, ip, &err) != 0)
        fail_msg("probe_add: %s", err.msg);
}

/* A TCP listener on 127.0.0.1:port (0: any); stores the port. */
static int listen_on(int port, int *bound)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

    assert_true(fd >= 0);
    assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)), 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)port);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(fd, 16), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *bound = ntohs(a.sin_port);
    return fd;
}

/* A port nobody listens on (now). */
static int closed_port(void)
{
    int port, fd = listen_on(0, &port);

    close(fd);
    return port;
}

static void test_config_checked(void **state)
{
    struct evloop *l = evloop_new(NULL);
    struct probe_config c = config(PROBE_TCP, 0, 0, 1000);
    struct vs_error err;
    struct rec rec = {.n = 0};

    (void)state;
    assert_null(prober_new(l, &c, on_done, &rec, &err));
    assert_non_null(strstr(err.msg, "port 0"));
    c = config(PROBE_EXEC, 0, 0, 1000);
    assert_null(prober_new(l, &c, on_done, &rec, &err));
    assert_non_null(strstr(err.msg, "needs a command"));
    c = config(PROBE_TCP, 0, 0, 0);
    c.tcp_port = 22;
    assert_null(prober_new(l, &c, on_done, &rec, &err));
    assert_non_null(strstr(err.msg, "give-up"));
    assert_string_equal(probe_method_name(PROBE_ICMP), "icmp");
    assert_string_equal(probe_method_name(PROBE_TCP), "tcp");
    assert_string_equal(probe_method_name(PROBE_EXEC), "exec");
    evloop_free(l);
}

static void test_tcp_ready(void **state)
{
    struct evloop *l = evloop_new(NULL);
    struct probe_config c = config(PROBE_TCP, 100, 1000, 5000);
    struct rec rec = {.n = 0};
    struct prober *p;
    struct outcome *o;
    struct vs_time t0, t1;
    struct vs_error err;
    char ns[] = "ns-1", name[] = "vm-1", uid[] = "uid-1", ip[] = "127.0.0.1";
    int port, lfd = listen_on(0, &port), cfd;

    (void)state;
    c.tcp_port = port;
    p = new_prober(l, &c, &rec);
    clock_now(&t0);
    add(p, ns, name, uid, ip);
    ns[0] = name[0] = uid[0] = ip[0] = 'X'; /* the prober has its own copies */
    assert_int_equal(prober_active(p), 1);
    assert_int_equal(probe_add(p, "ns-1", "vm-1", "uid-1", "127.0.0.1", &err), -1);
    assert_int_equal(err.code, EEXIST);
    assert_int_equal(rec.n, 0);
    run_until(l, &rec, 1, 3000);
    clock_now(&t1);
    o = outcome(&rec, "uid-1");
    assert_string_equal(o->ns, "ns-1");
    assert_string_equal(o->name, "vm-1");
    assert_string_equal(o->ip, "127.0.0.1");
    assert_string_equal(o->result, "ready");
    assert_int_equal(o->method, PROBE_TCP);
    assert_int_equal(o->attempts, 1);
    assert_true(o->rtt_ns >= 0);
    assert_true(o->rtt_ns <= o->waited_ns);
    assert_true(o->at.mono_ns >= t0.mono_ns && o->at.mono_ns <= t1.mono_ns);
    assert_true(o->at.wall_ns >= t0.wall_ns - 1000 * MS && o->at.wall_ns <= t1.wall_ns);
    assert_false(o->has_error);
    assert_int_equal(prober_active(p), 0);
    cfd = accept(lfd, NULL, NULL); /* the connection really was made */
    assert_true(cfd >= 0);
    close(cfd);
    prober_free(p);
    assert_int_equal(rec.n, 1);
    close(lfd);
    evloop_free(l);
}

struct later {
    int port, fd;
};

static void open_listener(void *ctx, void *arg, uint64_t token)
{
    struct later *lt = ctx;
    int port;

    (void)arg;
    (void)token;
    lt->fd = listen_on(lt->port, &port);
}

static void test_tcp_port_opens_later(void **state)
{
    struct evloop *l = evloop_new(NULL);
    struct probe_config c = config(PROBE_TCP, 100, 1000, 5000);
    struct rec rec = {.n = 0};
    struct later lt = {closed_port(), -1};
    struct prober *p;
    struct outcome *o;

    (void)state;
    c.tcp_port = lt.port;
    p = new_prober(l, &c, &rec);
    sched_at(evloop_sched(l), clock_mono_ns() + 300 * MS, open_listener, &lt, NULL, 0);
    add(p, "ns", "vm", "u", "127.0.0.1");
    run_until(l, &rec, 1, 3000);
    o = outcome(&rec, "u");
    assert_true(lt.fd >= 0);
    assert_string_equal(o->result, "ready");
    assert_true(o->attempts > 1);
    assert_true(o->attempts <= 300 / 100 + 2);
    assert_true(o->waited_ns >= 300 * MS);
    assert_true(o->rtt_ns >= 0 && o->rtt_ns < 1000 * MS);
    assert_true(o->has_error); /* the refusals before */
    assert_non_null(strstr(o->last_error, "refused"));
    prober_free(p);
    close(lt.fd);
    evloop_free(l);
}

static void test_tcp_gives_up(void **state)
{
    struct evloop *l = evloop_new(NULL);
    struct probe_config c = config(PROBE_TCP, 100, 1000, 500);
    struct rec rec = {.n = 0};
    struct prober *p;
    struct outcome *o;

    (void)state;
    c.tcp_port = closed_port();
    p = new_prober(l, &c, &rec);
    add(p, "ns", "vm", "u", "127.0.0.1");
    run_until(l, &rec, 1, 3000);
    o = outcome(&rec, "u");
    assert_string_equal(o->result, "timeout");
    assert_true(o->attempts >= 2);
    assert_true(o->attempts <= 500 / 100 + 1);
    assert_true(o->waited_ns >= 500 * MS && o->waited_ns < 1500 * MS);
    assert_int_equal(o->rtt_ns, -1);
    assert_true(o->has_error);
    assert_non_null(strstr(o->last_error, "refused"));
    /* nothing more happens for it */
    run_for(l, 200);
    assert_int_equal(rec.n, 1);
    prober_free(p);
    assert_int_equal(rec.n, 1);
    evloop_free(l);
}

static void test_bad_address_is_error(void **state)
{
    struct evloop *l = evloop_new(NULL);
    struct probe_config c = config(PROBE_TCP, 100, 1000, 5000);
    struct rec rec = {.n = 0};
    struct prober *p;
    struct outcome *o;

    (void)state;
    c.tcp_port = 22;
    p = new_prober(l, &c, &rec);
    add(p, "ns", "vm", "u6", "fd00::1");
    assert_int_equal(rec.n, 0); /* never from inside probe_add */
    run_until(l, &rec, 1, 1000);
    o = outcome(&rec, "u6");
    assert_string_equal(o->result, "error");
    assert_int_equal(o->attempts, 1);
    assert_true(o->waited_ns < 1000 * MS);
    assert_non_null(strstr(o->last_error, "'fd00::1' is not an IPv4 address"));
    prober_free(p);
    evloop_free(l);
}

/* When no attempt can even start (no fds left), the outcome is "error", not "timeout". */
static void test_local_failures_are_error(void **state)
{
    struct evloop *l = evloop_new(NULL);
    struct probe_config c = config(PROBE_TCP, 100, 1000, 300);
    struct rec rec = {.n = 0};
    struct prober *p;
    struct outcome *o;
    struct rlimit old, low;
    int lowest;

    (void)state;
    c.tcp_port = 22;
    p = new_prober(l, &c, &rec);
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
    lowest = dup(0); /* the next fd a socket would get */
    assert_true(lowest >= 0);
    close(lowest);
    low = old;
    low.rlim_cur = (rlim_t)lowest;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
    add(p, "ns", "vm", "u", "127.0.0.1");
    run_until(l, &rec, 1, 2000);
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
    o = outcome(&rec, "u");
    assert_string_equal(o->result, "error");
    assert_true(o->attempts >= 2 && o->attempts <= 4);
    assert_string_equal(o->last_error, "socket: Too many open files");
    prober_free(p);
    evloop_free(l);
}

static void test_cancel(void **state)
{
    struct evloop *l = evloop_new(NULL);
    struct probe_config c = config(PROBE_TCP, 50, 1000, 10000);
    struct rec rec = {.n = 0};
    struct prober *p;
    struct outcome *o;

    (void)state;
    c.tcp_port = closed_port();
    p = new_prober(l, &c, &rec);
    add(p, "ns", "a", "ua", "127.0.0.1");
    add(p, "ns", "b", "ub", "127.0.0.1");
    add(p, "ns", "c", "uc", "127.0.0.1");
    add(p, "ns", "d", "ud", "127.0.0.1");
    run_for(l, 200);
    assert_int_equal(rec.n, 0);
    probe_cancel(p, "nobody"); /* ignored */
    assert_int_equal(rec.n, 0);
    probe_cancel(p, "ua");
    assert_int_equal(rec.n, 1);
    o = outcome(&rec, "ua");
    assert_string_equal(o->result, "cancelled");
    assert_true(o->attempts >= 2);
    assert_true(o->waited_ns >= 200 * MS);
    assert_int_equal(o->rtt_ns, -1);
    assert_non_null(strstr(o->last_error, "refused"));
    assert_int_equal(prober_active(p), 3);
    /* done may cancel another target */
    rec.cancel_on_done = "uc";
    probe_cancel(p, "ub");
    assert_int_equal(rec.n, 3);
    assert_string_equal(outcome(&rec, "ub")->result, "cancelled");
    assert_string_equal(outcome(&rec, "uc")->result, "cancelled");
    assert_int_equal(prober_active(p), 1);
    run_for(l, 200); /* their timers fire into nothing */
    assert_int_equal(rec.n, 3);
    prober_free(p);
    assert_int_equal(rec.n, 4);
    assert_string_equal(outcome(&rec, "ud")->result, "cancelled");
    evloop_free(l);
}

/* --- icmp ------------------------------------------------------------------- */

static void check_icmp_refusal(const struct vs_error *err)
{
    assert_non_null(strstr(err->msg, "net.ipv4.ping_group_range"));
    assert_non_null(strstr(err->msg, "CAP_NET_RAW"));
    assert_non_null(strstr(err->msg, "--probe tcp:22"));
}

static void test_icmp(void **state)
{
    struct evloop *l = evloop_new(NULL);
    struct probe_config c = config(PROBE_ICMP, 100, 200, 700);
    struct rec rec = {.n = 0};
    struct vs_error err;
    struct prober *p = prober_new(l, &c, on_done, &rec, &err);
    const char *ips[] = {"127.0.0.1", "127.10.0.5"};

    (void)state;
    if (!p) { /* neither socket kind allowed here */
        check_icmp_refusal(&err);
        evloop_free(l);
        return;
    }
    rec.p = p;
    add(p, "ns", "a", "ua", ips[0]);
    add(p, "ns", "b", "ub", ips[1]);
    add(p, "ns", "x", "ux", "198.51.100.7"); /* TEST-NET-2: nobody answers */
    run_until(l, &rec, 3, 3000);
    for (int i = 0; i < 2; i++) {
        struct outcome *o = outcome(&rec, i ? "ub" : "ua");

        assert_string_equal(o->ip, ips[i]);
        assert_string_equal(o->result, "ready");
        assert_int_equal(o->method, PROBE_ICMP);
        assert_int_equal(o->attempts, 1);
        assert_true(o->rtt_ns >= 0 && o->rtt_ns < 200 * MS);
        assert_true(o->rtt_ns <= o->waited_ns);
        assert_false(o->has_error);
        assert_true(o->at.wall_ns > clock_wall_ns() - 5000 * MS);
    }
    assert_string_equal(outcome(&rec, "ux")->result, "timeout");
    assert_true(outcome(&rec, "ux")->attempts >= 2 && outcome(&rec, "ux")->attempts <= 8);
    assert_true(outcome(&rec, "ux")->has_error);
    prober_free(p);
    evloop_free(l);
}

/*
 * In a network namespace of our own (needs root; skipped otherwise): the
 * datagram socket (CAP_NET_RAW dropped, our group in ping_group_range), the
 * refusal (neither), and replies forged by the test. Children report
 * through their exit status, not through cmocka.
 */
#define CHILD_CHECK(cond)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "child: %s:%d: %s\n", __FILE__, __LINE__, #cond);                      \
            _exit(1);                                                                              \
        }                                                                                          \
    } while (0)

static void child_done(void *ctx, const struct probe_result *r)
{
    struct rec *rec = ctx;
    struct outcome *o;

    CHILD_CHECK(rec->n < 16);
    o = &rec->o[rec->n++];
    snprintf(o->uid, sizeof(o->uid), "%s", r->uid);
    snprintf(o->result, sizeof(o->result), "%s", r->result);
    snprintf(o->last_error, sizeof(o->last_error), "%s", r->last_error ? r->last_error : "");
    o->attempts = r->attempts;
    o->rtt_ns = r->rtt_ns;
}

static void child_run(struct evloop *l, struct rec *rec, int n, int64_t ms)
{
    struct vs_error err;

    for (int64_t end = clock_mono_ns() + ms * MS; rec->n < n && clock_mono_ns() < end;)
        CHILD_CHECK(evloop_run_once(l, 10, &err) >= 0);
}

static void write_sysctl(const char *path, const char *value)
{
    int fd = open(path, O_WRONLY);

    CHILD_CHECK(fd >= 0 && write(fd, value, strlen(value)) == (ssize_t)strlen(value));
    close(fd);
}

/* A new network namespace with lo up and ping_group_range set to our group (or nobody). */
static void netns_setup(int dgram)
{
    struct ifreq ifr;
    char range[32];
    int fd;

    if (unshare(CLONE_NEWNET) != 0)
        _exit(77);
    fd = socket(AF_INET, SOCK_DGRAM, 0);
    memset(&ifr, 0, sizeof(ifr));
    strcpy(ifr.ifr_name, "lo");
    CHILD_CHECK(fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0);
    ifr.ifr_flags |= IFF_UP;
    CHILD_CHECK(ioctl(fd, SIOCSIFFLAGS, &ifr) == 0);
    close(fd);
    if (dgram)
        snprintf(range, sizeof(range), "%u %u", (unsigned)getegid(), (unsigned)getegid());
    else /* the kernel's default: nobody */
        snprintf(range, sizeof(range), "1 0");
    write_sysctl("/proc/sys/net/ipv4/ping_group_range", range);
}

static void drop_net_raw(void)
{
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];

    CHILD_CHECK(syscall(SYS_capget, &h, d) == 0);
    d[0].effective &= ~(1u << CAP_NET_RAW);
    d[0].permitted &= ~(1u << CAP_NET_RAW);
    CHILD_CHECK(syscall(SYS_capset, &h, d) == 0);
    CHILD_CHECK(socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) < 0); /* no raw sockets now */
}

static void child_icmp(int dgram)
{
    struct evloop *l = evloop_new(NULL);
    struct probe_config c = config(PROBE_ICMP, 100, 200, 2000);
    struct rec rec = {.n = 0};
    struct vs_error err;
    struct prober *p;

    netns_setup(dgram);
    drop_net_raw();
    p = prober_new(l, &c, child_done, &rec, &err);
    if (!dgram) {
        CHILD_CHECK(p == NULL);
        CHILD_CHECK(strstr(err.msg, "net.ipv4.ping_group_range"));
        CHILD_CHECK(strstr(err.msg, "CAP_NET_RAW"));
        CHILD_CHECK(strstr(err.msg, "--probe tcp:22"));
        evloop_free(l);
        _exit(0);
    }
    CHILD_CHECK(p != NULL);
    CHILD_CHECK(probe_add(p, "ns", "a", "ua", "127.0.0.1", &err) == 0);
    CHILD_CHECK(probe_add(p, "ns", "b", "ub", "127.10.0.5", &err) == 0);
    CHILD_CHECK(probe_add(p, "ns", "c", "uc", "10.99.0.1", &err) == 0); /* no route */
    child_run(l, &rec, 3, 3000);
    CHILD_CHECK(rec.n == 3);
    for (int i = 0; i < 2; i++) {
        CHILD_CHECK(strcmp(rec.o[i].result, "ready") == 0);
        CHILD_CHECK(rec.o[i].attempts == 1 && rec.o[i].rtt_ns >= 0);
    }
    CHILD_CHECK(strcmp(rec.o[2].uid, "uc") == 0 && strcmp(rec.o[2].result, "timeout") == 0);
    CHILD_CHECK(strcmp(rec.o[2].last_error, "sendto: Network is unreachable") == 0);
    prober_free(p);
    evloop_free(l);
    _exit(0);
}

static uint16_t icmp_sum(const unsigned char *b, size_t n)
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

/* Send the echo request req (ICMP, n bytes) back to 127.0.0.1 as a reply from `from`. */
static void forge_reply(const unsigned char *req, size_t n, const char *from, int corrupt)
{
    unsigned char pkt[256];
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    uint16_t sum;

    CHILD_CHECK(fd >= 0 && n <= sizeof(pkt));
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    inet_pton(AF_INET, from, &a.sin_addr);
    CHILD_CHECK(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
    memcpy(pkt, req, n);
    pkt[0] = 0; /* echo reply */
    pkt[2] = pkt[3] = 0;
    if (corrupt)
        pkt[n - 1] ^= 1; /* the token */
    sum = icmp_sum(pkt, n);
    pkt[2] = (unsigned char)(sum >> 8);
    pkt[3] = (unsigned char)sum;
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    CHILD_CHECK(sendto(fd, pkt, n, 0, (struct sockaddr *)&a, sizeof(a)) == (ssize_t)n);
    close(fd);
}

/*
 * 127.0.0.1 does not answer (icmp_echo_ignore_all); the test sees the echo
 * request on a raw socket of its own and answers it: first from another
 * address and with a damaged token (both ignored), then properly (ready).
 */
static void child_icmp_forged(int dgram)
{
    struct evloop *l = evloop_new(NULL);
    struct probe_config c = config(PROBE_ICMP, 100, 1000, 3000);
    struct rec rec = {.n = 0};
    struct vs_error err;
    struct prober *p;
    unsigned char buf[1500];
    int sniff, ihl;
    ssize_t n;

    netns_setup(dgram);
    write_sysctl("/proc/sys/net/ipv4/icmp_echo_ignore_all", "1");
    sniff = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    CHILD_CHECK(sniff >= 0);
    p = prober_new(l, &c, child_done, &rec, &err); /* datagram first when allowed */
    CHILD_CHECK(p != NULL);
    CHILD_CHECK(probe_add(p, "ns", "a", "ua", "127.0.0.1", &err) == 0);
    do { /* the echo request; other ICMP (the forged replies) is skipped */
        n = recv(sniff, buf, sizeof(buf), 0);
        CHILD_CHECK(n > 28);
        ihl = (buf[0] & 0x0f) * 4;
    } while (buf[ihl] != 8);
    child_run(l, &rec, 1, 300);
    CHILD_CHECK(rec.n == 0); /* nobody answered */
    forge_reply(buf + ihl, (size_t)(n - ihl), "127.0.0.2", 0);
    forge_reply(buf + ihl, (size_t)(n - ihl), "127.0.0.1", 1);
    child_run(l, &rec, 1, 300);
    CHILD_CHECK(rec.n == 0);
    forge_reply(buf + ihl, (size_t)(n - ihl), "127.0.0.1", 0);
    child_run(l, &rec, 1, 300);
    CHILD_CHECK(rec.n == 1);
    CHILD_CHECK(strcmp(rec.o[0].result, "ready") == 0 && rec.o[0].attempts == 1);
    CHILD_CHECK(rec.o[0].rtt_ns >= 600 * MS && rec.o[0].rtt_ns < 1000 * MS);
    prober_free(p);
    evloop_free(l);
    _exit(0);
}

static void run_child(void (*fn)(int), int arg)
{
    pid_t pid = fork();
    int status;

    assert_true(pid >= 0);
    if (pid == 0)
        fn(arg);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == 77)
        skip(); /* no network namespaces here (not root) */
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_icmp_datagram_socket(void **state)
{
    (void)state;
    run_child(child_icmp, 1);
}

static void test_icmp_refused(void **state)
{
    (void)state;
    run_child(child_icmp, 0);
}

static void test_icmp_forged_replies_datagram(void **state)
{
    (void)state;
    run_child(child_icmp_forged, 1);
}

static void test_icmp_forged_replies_raw(void **state)
{
    (void)state;
    run_child(child_icmp_forged, 0);
}

/* --- exec ------------------------------------------------------------------- */

static char *tmpdir(void)
{
    char *d = strdup("/tmp/vmstorm-probe.XXXXXX");

    assert_non_null(mkdtemp(d));
    return d;
}

static void rmtree(char *d)
{
    char cmd[256];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
    assert_int_equal(system(cmd), 0);
    free(d);
}

static char *slurp(const char *path)
{
    static char buf[4096];
    FILE *f = fopen(path, "r");
    size_t n;

    if (!f)
        return NULL;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_exec_status(void **state)
{
    struct evloop *l = evloop_new(NULL);
    struct probe_config c = config(PROBE_EXEC, 100, 0, 500);
    struct rec rec = {.n = 0};
    struct prober *p;
    struct outcome *o;

    (void)state;
    c.exec_template = "test {ip} = 127.0.0.9 && test {namespace} = ns-1 && test {name} = vm-1";
    p = new_prober(l, &c, &rec);
    add(p, "ns-1", "vm-1", "yes", "127.0.0.9");
    add(p, "ns-1", "vm-1", "no-ip", "127.0.0.8");
    add(p, "ns-2", "vm-1", "no-ns", "127.0.0.9");
    run_until(l, &rec, 3, 3000);
    o = outcome(&rec, "yes");
    assert_string_equal(o->result, "ready");
    assert_int_equal(o->method, PROBE_EXEC);
    assert_int_equal(o->attempts, 1);
    assert_true(o->rtt_ns >= 0 && o->rtt_ns <= o->waited_ns);
    assert_false(o->has_error);
    for (int i = 0; i < 2; i++) {
        o = outcome(&rec, i ? "no-ns" : "no-ip");
        assert_string_equal(o->result, "timeout");
        assert_true(o->attempts >= 2 && o->attempts <= 500 / 100 + 1);
        assert_string_equal(o->last_error, "exit status 1");
        assert_true(o->waited_ns >= 500 * MS);
    }
    prober_free(p);
    evloop_free(l);
}

/* The command gets stdin, stdout and stderr only, even fds left without O_CLOEXEC. */
static void test_exec_inherits_no_fds(void **state)
{
    struct evloop *l = evloop_new(NULL);
    struct probe_config c = config(PROBE_EXEC, 100, 0, 300);
    struct rec rec = {.n = 0};
    struct prober *p;
    char tmpl[128];
    int leak = open("/dev/null", O_RDONLY); /* no O_CLOEXEC */

    (void)state;
    assert_true(leak > 2);
    snprintf(tmpl, sizeof(tmpl), "test -e /proc/self/fd/2 && test ! -e /proc/self/fd/%d", leak);
    c.exec_template = tmpl;
    p = new_prober(l, &c, &rec);
    add(p, "ns", "vm", "u", "127.0.0.1");
    run_until(l, &rec, 1, 2000);
    assert_string_equal(outcome(&rec, "u")->result, "ready");
    prober_free(p);
    close(leak);
    evloop_free(l);
}

static void test_exec_false(void **state)
{
    struct evloop *l = evloop_new(NULL);
    struct probe_config c = config(PROBE_EXEC, 100, 0, 400);
    struct rec rec = {.n = 0};
    struct prober *p;
    struct outcome *o;

    (void)state;
    c.exec_template = "false";
    p = new_prober(l, &c, &rec);
    add(p, "ns", "vm", "u", "127.0.0.1");
    run_until(l, &rec, 1, 3000);
    o = outcome(&rec, "u");
    assert_string_equal(o->result, "timeout");
    assert_true(o->attempts >= 2 && o->attempts <= 5);
    assert_true(o->waited_ns >= 400 * MS && o->waited_ns < 1400 * MS);
    assert_int_equal(o->rtt_ns, -1);
    assert_string_equal(o->last_error, "exit status 1");
    prober_free(p);
    evloop_free(l);
}

static void test_exec_output_in_last_error(void **state)
{
    struct evloop *l = evloop_new(NULL);
    struct probe_config c = config(PROBE_EXEC, 100, 0, 300);
    struct rec rec = {.n = 0};
    struct prober *p;
    struct outcome *o;
    size_t xs = 0;

    (void)state;
    /* 2000 x, then the marker: only the last 512 bytes are kept */
    c.exec_template = "if test {name} = loud; then head -c 2000 /dev/zero | tr '\\0' x; fi;"
                      " printf 'to stdout\\n'; echo \"boom:\" {name} >&2; exit 3";
    p = new_prober(l, &c, &rec);
    add(p, "ns", "vm-7", "u", "127.0.0.1");
    add(p, "ns", "loud", "ul", "127.0.0.1");
    run_until(l, &rec, 2, 3000);
    o = outcome(&rec, "u");
    assert_string_equal(o->result, "timeout");
    assert_string_equal(o->last_error, "exit status 3: to stdout boom: vm-7");
    o = outcome(&rec, "ul");
    /* the last 512 bytes: 491 x, "to stdout\n", "boom: loud\n" */
    assert_int_equal(strncmp(o->last_error, "exit status 3: x", 16), 0);
    assert_non_null(strstr(o->last_error, "xto stdout boom: loud"));
    for (const char *s = o->last_error; *s; s++)
        xs += *s == 'x';
    assert_int_equal(xs, 491 + 1); /* and the one of "exit" */
    prober_free(p);
    evloop_free(l);
}

static void test_exec_quoting(void **state)
{
    struct evloop *l = evloop_new(NULL);
    struct probe_config c = config(PROBE_EXEC, 100, 0, 3000);
    struct rec rec = {.n = 0};
    struct prober *p;
    char *d = tmpdir(), tmpl[512], out[300], pwned[300], name[1024], want[1100];
    struct stat st;

    (void)state;
    snprintf(out, sizeof(out), "%s/out", d);
    snprintf(pwned, sizeof(pwned), "%s/pwned", d);
    snprintf(tmpl, sizeof(tmpl), "printf '%%s|%%s|%%s' {ip} {namespace} {name} > %s", out);
    snprintf(name, sizeof(name), "a'b;touch %s;$(touch %s)`touch %s`\"'\\'' \n{ip}%%s*", pwned,
             pwned, pwned);
    c.exec_template = tmpl;
    p = new_prober(l, &c, &rec);
    add(p, "* $HOME", name, "u", "127.0.0.1");
    run_until(l, &rec, 1, 3000);
    assert_string_equal(outcome(&rec, "u")->result, "ready");
    snprintf(want, sizeof(want), "127.0.0.1|* $HOME|%s", name);
    assert_non_null(slurp(out));
    assert_string_equal(slurp(out), want);
    assert_int_equal(stat(pwned, &st), -1);
    prober_free(p);
    rmtree(d);
    evloop_free(l);
}

/* Is pid a live process (not gone, not a zombie)? */
static int alive(pid_t pid)
{
    char path[64], *s;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    if (!(s = slurp(path)) || !(s = strrchr(s, ')')))
        return 0;
    return s[1] == ' ' && s[2] != 'Z' && s[2] != 'X';
}

/* Every pid listed in path (one a line) is dead within a second; returns how many. */
static int all_dead(const char *path)
{
    char *s = slurp(path), *end;
    pid_t pids[64];
    int n = 0;

    assert_non_null(s);
    for (long v; (v = strtol(s, &end, 10)) > 0 && n < 64; s = end)
        pids[n++] = (pid_t)v;
    for (int i = 0; i < n; i++) {
        int64_t until = clock_mono_ns() + 1000 * MS;

        while (alive(pids[i]) && clock_mono_ns() < until)
            usleep(10000);
        assert_false(alive(pids[i]));
    }
    return n;
}

static void test_exec_timeout_kills_group(void **state)
{
    struct evloop *l = evloop_new(NULL);
    struct probe_config c = config(PROBE_EXEC, 100, 150, 400);
    struct rec rec = {.n = 0};
    struct prober *p;
    struct outcome *o;
    char *d = tmpdir(), tmpl[512], pids[300];

    (void)state;
    snprintf(pids, sizeof(pids), "%s/pids", d);
    snprintf(tmpl, sizeof(tmpl), "sleep 30 & echo $! >> %s; echo started; wait", pids);
    c.exec_template = tmpl;
    p = new_prober(l, &c, &rec);
    add(p, "ns", "vm", "u", "127.0.0.1");
    run_until(l, &rec, 1, 3000);
    o = outcome(&rec, "u");
    assert_string_equal(o->result, "timeout");
    assert_true(o->attempts >= 2 && o->attempts <= 4);
    assert_string_equal(o->last_error, "timed out after 150 ms: started");
    assert_true(all_dead(pids) >= 2); /* background jobs too: the whole group */
    prober_free(p);
    rmtree(d);
    evloop_free(l);
}

static void test_exec_exit_kills_leftovers(void **state)
{
    struct evloop *l = evloop_new(NULL);
    struct probe_config c = config(PROBE_EXEC, 100, 0, 3000);
    struct rec rec = {.n = 0};
    struct prober *p;
    char *d = tmpdir(), tmpl[512], pids[300];

    (void)state;
    snprintf(pids, sizeof(pids), "%s/pids", d);
    snprintf(tmpl, sizeof(tmpl), "sleep 30 & echo $! >> %s; exit 0", pids);
    c.exec_template = tmpl;
    p = new_prober(l, &c, &rec);
    add(p, "ns", "vm", "u", "127.0.0.1");
    run_until(l, &rec, 1, 3000);
    assert_string_equal(outcome(&rec, "u")->result, "ready");
    assert_int_equal(all_dead(pids), 1); /* killed when the shell exited, not at prober_free */
    prober_free(p);
    rmtree(d);
    evloop_free(l);
}

/* With SIGCHLD ignored the kernel reaps the commands: no status, so "error", never "ready". */
static void test_exec_sigchld_ignored(void **state)
{
    struct evloop *l = evloop_new(NULL);
    struct probe_config c = config(PROBE_EXEC, 100, 0, 300);
    struct rec rec = {.n = 0};
    struct prober *p;
    struct outcome *o;

    (void)state;
    c.exec_template = "true";
    signal(SIGCHLD, SIG_IGN);
    p = new_prober(l, &c, &rec);
    add(p, "ns", "vm", "u", "127.0.0.1");
    run_until(l, &rec, 1, 2000);
    signal(SIGCHLD, SIG_DFL);
    o = outcome(&rec, "u");
    assert_string_equal(o->result, "error");
    assert_true(o->attempts >= 2);
    assert_string_equal(o->last_error, "exit status lost: No child processes");
    prober_free(p);
    evloop_free(l);
}

/* max_concurrent_exec = 2 with 6 targets; each run records how many run with it. */
static void exec_bounded(int without_pidfd)
{
    struct evloop *l = evloop_new(NULL);
    struct probe_config c = config(PROBE_EXEC, 100, 0, 5000);
    struct rec rec = {.n = 0};
    struct prober *p;
    char *d = tmpdir(), tmpl[512], log[300], *s;
    int64_t t0 = clock_mono_ns();
    int max = 0, lines = 0;

    snprintf(log, sizeof(log), "%s/log", d);
    snprintf(tmpl, sizeof(tmpl),
             "touch %s/run.{name}; sleep 0.2; ls %s | grep -c '^run' >> %s; rm %s/run.{name}", d, d,
             log, d);
    c.exec_template = tmpl;
    c.max_concurrent_exec = 2;
    no_pidfd = without_pidfd;
    pidfd_calls = 0;
    p = new_prober(l, &c, &rec);
    for (int i = 0; i < 6; i++) {
        char name[16];

        snprintf(name, sizeof(name), "vm%d", i);
        add(p, "ns", name, name, "127.0.0.1");
    }
    run_until(l, &rec, 6, 5000);
    no_pidfd = 0;
    assert_int_equal(pidfd_calls, 6);
    for (int i = 0; i < 6; i++) {
        assert_string_equal(rec.o[i].result, "ready");
        assert_int_equal(rec.o[i].attempts, 1);
    }
    /* three rounds of two */
    assert_true(clock_mono_ns() - t0 >= 600 * MS);
    assert_non_null(s = slurp(log));
    for (char *end; *s; s = end + (*end == '\n')) {
        long v = strtol(s, &end, 10);

        assert_true(end > s);
        max = v > max ? (int)v : max;
        lines++;
    }
    assert_int_equal(lines, 6);
    assert_int_equal(max, 2);
    prober_free(p);
    rmtree(d);
    evloop_free(l);
}

static void test_exec_concurrency_bounded(void **state)
{
    (void)state;
    exec_bounded(0);
}

static void test_exec_concurrency_bounded_without_pidfd(void **state)
{
    (void)state;
    exec_bounded(1);
}

static void test_exec_without_pidfd(void **state)
{
    struct evloop *l = evloop_new(NULL);
    struct probe_config c = config(PROBE_EXEC, 100, 150, 400);
    struct rec rec = {.n = 0};
    struct prober *p;

    (void)state;
    c.exec_template = "case {name} in ok) exit 0;; slow) sleep 30;; *) exit 4;; esac";
    no_pidfd = 1;
    pidfd_calls = 0;
    p = new_prober(l, &c, &rec);
    add(p, "ns", "ok", "ok", "127.0.0.1");
    add(p, "ns", "bad", "bad", "127.0.0.1");
    add(p, "ns", "slow", "slow", "127.0.0.1");
    run_until(l, &rec, 3, 3000);
    no_pidfd = 0;
    assert_true(pidfd_calls >= 5);
    assert_string_equal(outcome(&rec, "ok")->result, "ready");
    assert_string_equal(outcome(&rec, "bad")->result, "timeout");
    assert_string_equal(outcome(&rec, "bad")->last_error, "exit status 4");
    assert_string_equal(outcome(&rec, "slow")->result, "timeout");
    assert_string_equal(outcome(&rec, "slow")->last_error, "timed out after 150 ms");
    prober_free(p);
    evloop_free(l);
}

static void test_free_cancels_exec(void **state)
{
    struct evloop *l = evloop_new(NULL);
    struct probe_config c = config(PROBE_EXEC, 100, 0, 10000);
    struct rec rec = {.n = 0};
    struct prober *p;
    char *d = tmpdir(), tmpl[512], pids[300];
    int64_t t0;

    (void)state;
    snprintf(pids, sizeof(pids), "%s/pids", d);
    snprintf(tmpl, sizeof(tmpl), "echo $$ >> %s; exec sleep 30", pids);
    c.exec_template = tmpl;
    c.max_concurrent_exec = 1;
    p = new_prober(l, &c, &rec);
    add(p, "ns", "a", "ua", "127.0.0.1");
    add(p, "ns", "b", "ub", "127.0.0.1"); /* waits in the queue */
    run_for(l, 200);
    assert_int_equal(rec.n, 0);
    assert_int_equal(prober_active(p), 2);
    t0 = clock_mono_ns();
    prober_free(p);
    assert_true(clock_mono_ns() - t0 < 1000 * MS);
    assert_int_equal(rec.n, 2);
    for (int i = 0; i < 2; i++) {
        assert_string_equal(rec.o[i].result, "cancelled");
        assert_int_equal(rec.o[i].attempts, 1); /* b's attempt was due, queued */
        assert_false(rec.o[i].has_error);
    }
    assert_int_equal(all_dead(pids), 1); /* only a ran */
    rmtree(d);
    evloop_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_checked),
        cmocka_unit_test(test_tcp_ready),
        cmocka_unit_test(test_tcp_port_opens_later),
        cmocka_unit_test(test_tcp_gives_up),
        cmocka_unit_test(test_bad_address_is_error),
        cmocka_unit_test(test_local_failures_are_error),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_icmp),
        cmocka_unit_test(test_icmp_datagram_socket),
        cmocka_unit_test(test_icmp_refused),
        cmocka_unit_test(test_icmp_forged_replies_datagram),
        cmocka_unit_test(test_icmp_forged_replies_raw),
        cmocka_unit_test(test_exec_status),
        cmocka_unit_test(test_exec_inherits_no_fds),
        cmocka_unit_test(test_exec_false),
        cmocka_unit_test(test_exec_output_in_last_error),
        cmocka_unit_test(test_exec_quoting),
        cmocka_unit_test(test_exec_timeout_kills_group),
        cmocka_unit_test(test_exec_exit_kills_leftovers),
        cmocka_unit_test(test_exec_sigchld_ignored),
        cmocka_unit_test(test_exec_concurrency_bounded),
        cmocka_unit_test(test_exec_concurrency_bounded_without_pidfd),
        cmocka_unit_test(test_exec_without_pidfd),
        cmocka_unit_test(test_free_cancels_exec),
    };

    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests_name("collector_probe", tests, NULL, NULL);
}
