/*
 * fuzz-collector-kubeconfig: kube_conn_load on arbitrary bytes as the file
 * given with --kubeconfig, then kube_conn_describe and kube_conn_release.
 *
 * The input is written to <private dir>/config (a directory made once with
 * mkdtemp, removed at exit), so references relative to the kubeconfig
 * (certificate-authority: ca.pem, tokenFile: token) name files that do not
 * exist and must give an error, and "config" names the input itself. The
 * environment cannot change the result: an explicit path overrides
 * $KUBECONFIG and $HOME, and the in-cluster variables are removed so that an
 * empty file is an error too. stdin is /dev/null, so a reference to
 * /dev/stdin cannot block. kube_conn_load only parses an exec plugin (it is
 * run by kube_exec_run, which is not called here).
 *
 * Each input is loaded with no context, again (same result), with the
 * context that load picked (same result) and with --context ctx (the name
 * the corpus uses). PROPERTIES (abort() when one is broken):
 *   - on success: server, context, cluster, namespace and source are set and
 *     not empty; server has a "://" and no trailing '/' (unless the '/' is
 *     all there is after "://", which is kept); source is the file; the
 *     namespace is a DNS-1123 label ("default" when not set); user is NULL or
 *     not empty, and without a user there are no credentials; client
 *     certificate and key come both or neither; no token together with basic
 *     auth; a tokenFile is absolute and its token is read; no CA together
 *     with insecure-skip-tls-verify; an exec plugin only when there is no
 *     token, certificate or basic auth, with a command (absolute when it has
 *     a '/'), args and env not NULL and a known apiVersion;
 *   - on failure: -1, *c left zeroed (it was filled with garbage before), and
 *     err names the file in `where` and has a message;
 *   - loading twice gives the same connection or the same error;
 *   - kube_conn_describe returns the length of the full text whatever n is,
 *     never writes past n (buffers of exactly n bytes, under ASan), always
 *     NUL-terminates (n > 0) with a prefix of the full text, and writes
 *     nothing when n is 0; the text does not depend on the token, password,
 *     client key, proxy URL, exec env or the user:password@ of the server:
 *     replacing them with a marker gives the same text, so no credential can
 *     leak into a log;
 *   - kube_conn_release frees everything (LeakSanitizer) and zeroes *c.
 * Built with libFuzzer by `make fuzz`, and as a corpus replayer in the
 * normal build (tests/fuzz/replay.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kubeconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MARKER "FUZZ-MARKER-NOT-A-CREDENTIAL"

static char marker[] = MARKER;
static char marker_var[] = "X=" MARKER;

static char dir[64];
static char path[96];

static void cleanup(void)
{
    unlink(path);
    rmdir(dir);
}

static void setup(void)
{
    int fd;

    snprintf(dir, sizeof(dir), "/tmp/fuzz-collector-kubeconfig.XXXXXX");
    if (!mkdtemp(dir))
        abort();
    snprintf(path, sizeof(path), "%s/config", dir);
    atexit(cleanup);
    unsetenv("KUBECONFIG");
    unsetenv("KUBERNETES_SERVICE_HOST");
    unsetenv("KUBERNETES_SERVICE_PORT");
    unsetenv("POD_NAMESPACE");
    setenv("VMSTORM_SA_DIR", "/nonexistent/vmstorm-sa", 1);
    fd = open("/dev/null", O_RDONLY);
    if (fd < 0 || dup2(fd, 0) < 0)
        abort();
    if (fd != 0)
        close(fd);
}

static void write_input(const uint8_t *data, size_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    size_t off = 0;
    ssize_t w;

    if (fd < 0)
        abort();
    while (off < size) {
        w = write(fd, data + off, size - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            abort();
        off += (size_t)w;
    }
    close(fd);
}

static int str_eq(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static int strv_eq(char **a, char **b)
{
    if (!a || !b)
        return a == b;
    for (; *a && *b; a++, b++)
        if (strcmp(*a, *b) != 0)
            return 0;
    return !*a && !*b;
}

static int exec_eq(const struct kube_auth_exec *a, const struct kube_auth_exec *b)
{
    if (!a || !b)
        return a == b;
    return str_eq(a->command, b->command) && strv_eq(a->args, b->args) && strv_eq(a->env, b->env) &&
           str_eq(a->api_version, b->api_version) && a->interactive_never == b->interactive_never &&
           str_eq(a->install_hint, b->install_hint);
}

static int conn_eq(const struct kube_conn *a, const struct kube_conn *b)
{
    return str_eq(a->server, b->server) && str_eq(a->context, b->context) &&
           str_eq(a->cluster, b->cluster) && str_eq(a->user, b->user) &&
           str_eq(a->namespace, b->namespace) && str_eq(a->ca_pem, b->ca_pem) &&
           a->insecure_skip_tls_verify == b->insecure_skip_tls_verify &&
           str_eq(a->tls_server_name, b->tls_server_name) && str_eq(a->token, b->token) &&
           str_eq(a->token_file, b->token_file) && str_eq(a->client_cert_pem, b->client_cert_pem) &&
           str_eq(a->client_key_pem, b->client_key_pem) && str_eq(a->username, b->username) &&
           str_eq(a->password, b->password) && exec_eq(a->exec, b->exec) &&
           str_eq(a->proxy_url, b->proxy_url) && str_eq(a->source, b->source);
}

static int err_eq(const struct vs_error *a, const struct vs_error *b)
{
    return strcmp(a->where, b->where) == 0 && a->line == b->line && a->col == b->col &&
           a->code == b->code && strcmp(a->msg, b->msg) == 0;
}

static int is_set(const char *s)
{
    return s && s[0];
}

static int dns_label(const char *s)
{
    size_t n = strlen(s);

    return n > 0 && n <= 63 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n &&
           s[0] != '-' && s[n - 1] != '-';
}

/* A "://", and no trailing '/' after it unless that '/' is all there is (kc_server_url). */
static void check_server(const char *server)
{
    const char *sep = is_set(server) ? strstr(server, "://") : NULL;
    size_t len;

    if (!sep)
        abort();
    len = strlen(sep + 3);
    if (len > 1 && sep[3 + len - 1] == '/')
        abort();
}

static void check_exec(const struct kube_auth_exec *x)
{
    if (!is_set(x->command) || (strchr(x->command, '/') && x->command[0] != '/'))
        abort();
    if (!x->args || !x->env || !x->api_version)
        abort();
    if (strcmp(x->api_version, KUBE_EXEC_API_V1) != 0 &&
        strcmp(x->api_version, KUBE_EXEC_API_V1BETA1) != 0)
        abort();
    if (x->interactive_never != 0 && x->interactive_never != 1)
        abort();
    for (char **e = x->env; *e; e++)
        if (!strchr(*e, '=') || **e == '=')
            abort();
}

/* The properties of a successful load. */
static void check_conn(const struct kube_conn *c)
{
    check_server(c->server);
    if (!is_set(c->context) || !is_set(c->cluster) || !c->namespace || !dns_label(c->namespace))
        abort();
    if (!c->source || strcmp(c->source, path) != 0)
        abort();
    if (c->user && !c->user[0])
        abort();
    if (!c->user && (c->token || c->token_file || c->client_cert_pem || c->client_key_pem ||
                     c->username || c->password || c->exec))
        abort();
    if (!c->client_cert_pem != !c->client_key_pem)
        abort();
    if (c->token && (c->username || c->password))
        abort();
    if (c->token_file && (c->token_file[0] != '/' || !c->token))
        abort();
    if (c->ca_pem && c->insecure_skip_tls_verify)
        abort();
    if (c->insecure_skip_tls_verify != 0 && c->insecure_skip_tls_verify != 1)
        abort();
    if (c->exec) {
        if (c->token || c->token_file || c->client_cert_pem || c->username || c->password)
            abort();
        check_exec(c->exec);
    }
}

/* server with the userinfo of its authority (up to the last '@') replaced by a marker. */
static char *server_masked(const char *server)
{
    const char *auth = strstr(server, "://"), *end, *at = NULL, *p;
    char *out;

    if (!auth)
        return NULL;
    auth += 3;
    end = auth + strcspn(auth, "/?#");
    for (p = auth; p < end; p++)
        if (*p == '@')
            at = p;
    if (!at)
        return NULL;
    if (asprintf(&out, "%.*s%s%s", (int)(auth - server), server, MARKER ":" MARKER, at) < 0)
        abort();
    return out;
}

/* kube_conn_describe into a malloc'd buffer of exactly n bytes (NULL when n is 0). */
static void check_describe_n(const struct kube_conn *c, const char *full, size_t len, size_t n)
{
    char *buf = n ? malloc(n) : NULL;
    size_t want = len < n ? len : n - 1;

    if (n && !buf)
        abort();
    if (n)
        memset(buf, 'X', n);
    if (kube_conn_describe(c, buf, n) != len)
        abort();
    if (n && (strlen(buf) != want || memcmp(buf, full, want) != 0))
        abort();
    free(buf);
}

static void check_describe(const struct kube_conn *c)
{
    static char *marker_env[] = {marker_var, NULL};
    size_t len = kube_conn_describe(c, NULL, 0), len2;
    char *full = malloc(len + 1), *masked, *again, canary = 'X';
    struct kube_conn m = *c;
    struct kube_auth_exec mx;

    if (!full)
        abort();
    if (kube_conn_describe(c, full, len + 1) != len || strlen(full) != len)
        abort();
    if (kube_conn_describe(c, &canary, 0) != len || canary != 'X')
        abort();
    check_describe_n(c, full, len, 0);
    check_describe_n(c, full, len, 1);
    check_describe_n(c, full, len, len / 2 + 1);
    check_describe_n(c, full, len, len);
    check_describe_n(c, full, len, len + 1);
    check_describe_n(c, full, len, len + 2);

    /* Secrets replaced by a marker: the same text. */
    if (m.token)
        m.token = marker;
    if (m.password)
        m.password = marker;
    if (m.client_key_pem)
        m.client_key_pem = marker;
    if (m.proxy_url)
        m.proxy_url = marker;
    if (c->exec) {
        mx = *c->exec;
        mx.env = marker_env;
        m.exec = &mx;
    }
    masked = server_masked(c->server);
    if (masked)
        m.server = masked;
    len2 = kube_conn_describe(&m, NULL, 0);
    if (!(again = malloc(len2 + 1)))
        abort();
    kube_conn_describe(&m, again, len2 + 1);
    if (len2 != len || strcmp(again, full) != 0) {
        fprintf(stderr, "describe depends on a secret:\n  '%s'\n  '%s'\n", full, again);
        abort();
    }
    free(again);
    free(masked);
    free(full);
}

/* Load path with context into *c, checking the properties of success or failure. */
static int load(struct kube_conn *c, const char *context, struct vs_error *err)
{
    static const struct kube_conn zero;
    int rc;

    memset(c, 0xa5, sizeof(*c)); /* need not be initialised */
    memset(err, 0, sizeof(*err));
    rc = kube_conn_load(c, path, context, err);
    if (rc == 0) {
        check_conn(c);
        return 0;
    }
    if (rc != -1 || memcmp(c, &zero, sizeof(*c)) != 0)
        abort();
    if (err->code != ENOMEM && (strcmp(err->where, path) != 0 || !err->msg[0])) {
        fprintf(stderr, "error without the file: '%s': %s\n", err->where, err->msg);
        abort();
    }
    return -1;
}

static void release(struct kube_conn *c)
{
    static const struct kube_conn zero;

    kube_conn_release(c);
    if (memcmp(c, &zero, sizeof(*c)) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    struct kube_conn c, again, picked;
    struct vs_error err, err2;
    int rc;

    if (!ready) {
        setup();
        ready = 1;
    }
    write_input(data, size);

    rc = load(&c, NULL, &err);
    if (load(&again, NULL, &err2) != rc)
        abort();
    if (rc == 0 ? !conn_eq(&c, &again) : !err_eq(&err, &err2))
        abort();
    release(&again);
    if (rc == 0) {
        check_describe(&c);
        if (load(&picked, c.context, &err2) != 0 || !conn_eq(&c, &picked))
            abort();
        release(&picked);
    }
    release(&c);

    if (load(&c, "ctx", &err) == 0) {
        if (strcmp(c.context, "ctx") != 0)
            abort();
        check_describe(&c);
    }
    release(&c);
    kube_conn_release(NULL);
    return 0;
}
