/* Kubeconfig loading (kubectl's rules), in-cluster config, exec credential plugins. */
#include "unit.h"

#include <errno.h>
#include <ftw.h>
#include <sys/stat.h>
#include <time.h>

#include "kubeconfig.h"

#define CA_PEM "-----BEGIN CERTIFICATE-----\nQ0EgY2VydA==\n-----END CERTIFICATE-----\n"
#define CERT_PEM "-----BEGIN CERTIFICATE-----\nY2xpZW50\n-----END CERTIFICATE-----\n"
#define KEY_PEM "-----BEGIN EC PRIVATE KEY-----\nU0VDUkVUS0VZ\n-----END EC PRIVATE KEY-----\n"
#define TOKEN "s3cr3t-t0ken-value"

/* ---- fixture: a temp dir as $HOME, a clean environment ------------------------------------ */

struct fx {
    char dir[64];
};

static int fx_setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    snprintf(f->dir, sizeof(f->dir), "/tmp/vmstorm-kc.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    setenv("HOME", f->dir, 1);
    unsetenv("KUBECONFIG");
    unsetenv("KUBERNETES_SERVICE_HOST");
    unsetenv("KUBERNETES_SERVICE_PORT");
    unsetenv("POD_NAMESPACE");
    setenv("VMSTORM_SA_DIR", "/nonexistent/vmstorm-sa", 1); /* tests may run in a pod */
    *state = f;
    return 0;
}

static int fx_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int fx_teardown(void **state)
{
    struct fx *f = *state;

    nftw(f->dir, fx_rm, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

/* dir/name, in one of a few rotating buffers. */
static const char *P(const struct fx *f, const char *name)
{
    static char bufs[8][512];
    static int i;

    i = (i + 1) % 8;
    snprintf(bufs[i], sizeof(bufs[i]), "%s/%s", f->dir, name);
    return bufs[i];
}

/* Write text to dir/name, creating its directories; returns the path. */
static const char *fx_write(const struct fx *f, const char *name, const char *text)
{
    const char *path = P(f, name);
    char sub[512];
    const char *slash;
    FILE *fp;

    for (slash = strchr(name, '/'); slash; slash = strchr(slash + 1, '/')) {
        snprintf(sub, sizeof(sub), "%s/%.*s", f->dir, (int)(slash - name), name);
        mkdir(sub, 0755);
    }
    fp = fopen(path, "w");
    assert_non_null(fp);
    assert_int_equal(fputs(text, fp) >= 0, 1);
    assert_int_equal(fclose(fp), 0);
    return path;
}

static const char *fx_script(const struct fx *f, const char *name, const char *text)
{
    const char *path = fx_write(f, name, text);

    assert_int_equal(chmod(path, 0755), 0);
    return path;
}

static char *b64(const char *s)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(s), i, o = 0;
    char *out = malloc(n / 3 * 4 + 5);
    const unsigned char *u = (const unsigned char *)s;

    assert_non_null(out);
    for (i = 0; i < n; i += 3) {
        unsigned v =
            (unsigned)u[i] << 16 | (i + 1 < n ? u[i + 1] : 0) << 8 | (i + 2 < n ? u[i + 2] : 0);

        out[o++] = abc[v >> 18 & 63];
        out[o++] = abc[v >> 12 & 63];
        out[o++] = i + 1 < n ? abc[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? abc[v & 63] : '=';
    }
    out[o] = '\0';
    return out;
}

static void load_ok(struct kube_conn *c, const char *path, const char *context)
{
    struct vs_error err;
    char msg[1024];

    if (kube_conn_load(c, path, context, &err) != 0)
        fail_msg("unexpected error: %s", vs_error_format(&err, msg, sizeof(msg)));
}

/* Load, expect failure; the formatted message goes to msg. */
static void load_err(const char *path, const char *context, struct vs_error *err, char *msg,
                     size_t n)
{
    struct kube_conn c;

    assert_int_equal(kube_conn_load(&c, path, context, err), -1);
    assert_null(c.server); /* nothing to release */
    assert_null(c.token);
    vs_error_format(err, msg, n);
}

static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("'%s' does not contain '%s'", hay, needle);
}

/* A kubeconfig with one cluster, one user, one context "ctx" (current). */
static const char *simple_config(const struct fx *f, const char *name, const char *cluster,
                                 const char *user)
{
    char text[8192];

    snprintf(text, sizeof(text),
             "apiVersion: v1\nkind: Config\ncurrent-context: ctx\n"
             "clusters:\n- name: cl\n  cluster:\n%s\n"
             "users:\n- name: u\n  user:\n%s\n"
             "contexts:\n- name: ctx\n  context:\n    cluster: cl\n    user: u\n",
             cluster, user);
    return fx_write(f, name, text);
}

/* ---- clusters --------------------------------------------------------------------------- */

static void test_ca_data_and_file(void **state)
{
    struct fx *f = *state;
    struct kube_conn c;
    char *ca = b64(CA_PEM), text[4096];
    const char *path;

    fx_write(f, "kube/certs/ca.pem", "file " CA_PEM);
    fx_write(f, "shared/ca.pem", "shared " CA_PEM);
    snprintf(text, sizeof(text),
             "apiVersion: v1\nkind: Config\ncurrent-context: data\n"
             "clusters:\n"
             "- name: with-data\n  cluster:\n    server: https://10.0.0.1:6443/\n"
             "    certificate-authority-data: %s\n"
             "- name: with-file\n  cluster:\n    server: https://10.0.0.2:6443\n"
             "    certificate-authority: certs/ca.pem\n"
             "- name: with-parent\n  cluster:\n    server: https://10.0.0.3:6443\n"
             "    certificate-authority: ../shared/./ca.pem\n"
             "- name: plain\n  cluster:\n    server: https://10.0.0.4:6443\n"
             "contexts:\n"
             "- {name: data, context: {cluster: with-data}}\n"
             "- {name: file, context: {cluster: with-file}}\n"
             "- {name: parent, context: {cluster: with-parent}}\n"
             "- {name: plain, context: {cluster: plain}}\n",
             ca);
    path = fx_write(f, "kube/config", text);

    load_ok(&c, path, NULL);
    assert_string_equal(c.server, "https://10.0.0.1:6443");
    assert_string_equal(c.ca_pem, CA_PEM);
    assert_string_equal(c.context, "data");
    assert_string_equal(c.cluster, "with-data");
    assert_null(c.user);
    assert_string_equal(c.namespace, "default");
    assert_int_equal(c.insecure_skip_tls_verify, 0);
    assert_string_equal(c.source, path);
    kube_conn_release(&c);

    load_ok(&c, path, "file");
    assert_string_equal(c.ca_pem, "file " CA_PEM);
    kube_conn_release(&c);

    load_ok(&c, path, "parent");
    assert_string_equal(c.ca_pem, "shared " CA_PEM);
    kube_conn_release(&c);

    load_ok(&c, path, "plain");
    assert_null(c.ca_pem);
    kube_conn_release(&c);
    kube_conn_release(&c); /* twice is fine */
    kube_conn_release(NULL);
    free(ca);
}

static void test_ca_errors(void **state)
{
    struct fx *f = *state;
    struct vs_error err;
    char msg[1024], *ca = b64(CA_PEM), cluster[1024];
    const char *path;

    path = simple_config(f, "missing-ca",
                         "    server: https://h:1\n    certificate-authority: nope.pem",
                         "    token: t");
    load_err(path, NULL, &err, msg, sizeof(msg));
    assert_string_equal(err.where, path);
    assert_int_equal(err.code, ENOENT);
    assert_contains(msg, "cannot read 'certificate-authority'");
    assert_contains(msg, P(f, "nope.pem"));
    assert_contains(msg, "cluster 'cl'");

    snprintf(cluster, sizeof(cluster),
             "    server: https://h:1\n    certificate-authority: ca.pem\n"
             "    certificate-authority-data: %s",
             ca);
    path = simple_config(f, "both-ca", cluster, "    token: t");
    load_err(path, NULL, &err, msg, sizeof(msg));
    assert_contains(msg, "sets both 'certificate-authority-data' and 'certificate-authority'");

    path = simple_config(f, "bad-b64",
                         "    server: https://h:1\n    certificate-authority-data: "
                         "\"-----BEGIN CERT\"",
                         "    token: t");
    load_err(path, NULL, &err, msg, sizeof(msg));
    assert_contains(msg, "invalid base64 in 'certificate-authority-data' of cluster 'cl'");

    path = simple_config(f, "no-server", "    insecure-skip-tls-verify: true", "    token: t");
    load_err(path, NULL, &err, msg, sizeof(msg));
    assert_string_equal(err.where, path);
    assert_contains(msg, "cluster 'cl' has no 'server'");
    free(ca);
}

static void test_insecure_and_server(void **state)
{
    struct fx *f = *state;
    struct kube_conn c;
    struct vs_error err;
    char msg[1024], *ca = b64(CA_PEM), cluster[1024];
    const char *path;

    path = simple_config(f, "insecure",
                         "    server: https://h:6443//\n    insecure-skip-tls-verify: true\n"
                         "    tls-server-name: api.internal\n    proxy-url: socks5://p:1080",
                         "    token: t");
    load_ok(&c, path, NULL);
    assert_int_equal(c.insecure_skip_tls_verify, 1);
    assert_null(c.ca_pem);
    assert_string_equal(c.server, "https://h:6443");
    assert_string_equal(c.tls_server_name, "api.internal");
    assert_string_equal(c.proxy_url, "socks5://p:1080");
    kube_conn_release(&c);

    /* no scheme: https when TLS is configured, else http (client-go) */
    path = simple_config(f, "noscheme", "    server: h:6443\n    insecure-skip-tls-verify: yes",
                         "    token: t");
    load_ok(&c, path, NULL);
    assert_string_equal(c.server, "https://h:6443");
    kube_conn_release(&c);
    path = simple_config(f, "noscheme2", "    server: localhost:8080", "    token: t");
    load_ok(&c, path, NULL);
    assert_string_equal(c.server, "http://localhost:8080");
    kube_conn_release(&c);
    path =
        simple_config(f, "path", "    server: https://rancher/k8s/clusters/c-1/", "    token: t");
    load_ok(&c, path, NULL);
    assert_string_equal(c.server, "https://rancher/k8s/clusters/c-1");
    kube_conn_release(&c);

    snprintf(cluster, sizeof(cluster),
             "    server: https://h:1\n    insecure-skip-tls-verify: true\n"
             "    certificate-authority-data: %s",
             ca);
    path = simple_config(f, "insecure-ca", cluster, "    token: t");
    load_err(path, NULL, &err, msg, sizeof(msg));
    assert_contains(msg, "sets both 'insecure-skip-tls-verify' and a certificate authority");

    path = simple_config(f, "insecure-str",
                         "    server: https://h:1\n    insecure-skip-tls-verify: \"true\"",
                         "    token: t");
    load_err(path, NULL, &err, msg, sizeof(msg));
    assert_contains(msg, "expected true or false for 'insecure-skip-tls-verify' of cluster 'cl'");

    path = simple_config(f, "proxy", "    server: https://h:1\n    proxy-url: ftp://p",
                         "    token: t");
    load_err(path, NULL, &err, msg, sizeof(msg));
    assert_contains(msg, "'proxy-url' of cluster 'cl'");
    free(ca);
}

/* ---- users -------------------------------------------------------------------------------- */

static void test_token_and_token_file(void **state)
{
    struct fx *f = *state;
    struct kube_conn c;
    struct vs_error err;
    char msg[1024];
    const char *path;

    fx_write(f, "cfg/tok", "  file-token\n");
    path = simple_config(f, "cfg/token", "    server: https://h:1", "    token: " TOKEN);
    load_ok(&c, path, NULL);
    assert_string_equal(c.token, TOKEN);
    assert_null(c.token_file);
    assert_string_equal(c.user, "u");
    kube_conn_release(&c);
    assert_null(c.token);

    path = simple_config(f, "cfg/tokenfile", "    server: https://h:1", "    tokenFile: tok");
    load_ok(&c, path, NULL);
    assert_string_equal(c.token, "file-token");
    assert_string_equal(c.token_file, P(f, "cfg/tok"));
    kube_conn_release(&c);

    /* both: token now, the file kept for the client (which prefers it, as client-go) */
    path = simple_config(f, "cfg/both", "    server: https://h:1",
                         "    token: " TOKEN "\n    tokenFile: missing-is-fine-now");
    load_ok(&c, path, NULL);
    assert_string_equal(c.token, TOKEN);
    assert_string_equal(c.token_file, P(f, "cfg/missing-is-fine-now"));
    kube_conn_release(&c);

    path =
        simple_config(f, "cfg/missing", "    server: https://h:1", "    tokenFile: /no/such/tok");
    load_err(path, NULL, &err, msg, sizeof(msg));
    assert_string_equal(err.where, path);
    assert_contains(msg, "cannot read 'tokenFile' '/no/such/tok' of user 'u'");

    fx_write(f, "cfg/empty-tok", "\n");
    path = simple_config(f, "cfg/empty", "    server: https://h:1", "    tokenFile: empty-tok");
    load_err(path, NULL, &err, msg, sizeof(msg));
    assert_contains(msg, "is empty");

    path = simple_config(f, "cfg/basic", "    server: https://h:1",
                         "    token: t\n    username: admin\n    password: pw");
    load_err(path, NULL, &err, msg, sizeof(msg));
    assert_contains(msg, "user 'u' has both a token and basic auth");

    path = simple_config(f, "cfg/basic-ok", "    server: https://h:1",
                         "    username: admin\n    password: pw");
    load_ok(&c, path, NULL);
    assert_string_equal(c.username, "admin");
    assert_string_equal(c.password, "pw");
    kube_conn_release(&c);

    path = simple_config(f, "cfg/bool", "    server: https://h:1", "    token: yes");
    load_err(path, NULL, &err, msg, sizeof(msg));
    assert_contains(msg, "expected a string for 'token' of user 'u', found a boolean (quote it");
}

static void test_client_cert(void **state)
{
    struct fx *f = *state;
    struct kube_conn c;
    struct vs_error err;
    char msg[1024], user[2048], *cert = b64(CERT_PEM), *key = b64(KEY_PEM);
    const char *path;

    snprintf(user, sizeof(user), "    client-certificate-data: %s\n    client-key-data: %s", cert,
             key);
    path = simple_config(f, "data", "    server: https://h:1", user);
    load_ok(&c, path, NULL);
    assert_string_equal(c.client_cert_pem, CERT_PEM);
    assert_string_equal(c.client_key_pem, KEY_PEM);
    assert_null(c.token);
    kube_conn_release(&c);

    fx_write(f, "pki/client.crt", CERT_PEM);
    fx_write(f, "pki/client.key", KEY_PEM);
    path = simple_config(f, "files", "    server: https://h:1",
                         "    client-certificate: pki/client.crt\n"
                         "    client-key: pki/client.key");
    load_ok(&c, path, NULL);
    assert_string_equal(c.client_cert_pem, CERT_PEM);
    assert_string_equal(c.client_key_pem, KEY_PEM);
    kube_conn_release(&c);

    path = simple_config(f, "nokey", "    server: https://h:1",
                         "    client-certificate: pki/client.crt");
    load_err(path, NULL, &err, msg, sizeof(msg));
    assert_contains(msg, "user 'u' has a client certificate but no key");

    snprintf(user, sizeof(user),
             "    client-certificate: pki/client.crt\n    client-key: pki/client.key\n"
             "    client-key-data: %s",
             key);
    path = simple_config(f, "bothkey", "    server: https://h:1", user);
    load_err(path, NULL, &err, msg, sizeof(msg));
    assert_contains(msg, "user 'u' sets both 'client-key-data' and 'client-key'");

    path = simple_config(f, "missingkey", "    server: https://h:1",
                         "    client-certificate: pki/client.crt\n    client-key: pki/nope.key");
    load_err(path, NULL, &err, msg, sizeof(msg));
    assert_contains(msg, "cannot read 'client-key'");
    free(cert);
    free(key);
}

static void test_unsupported_user_fields(void **state)
{
    struct fx *f = *state;
    struct vs_error err;
    char msg[1024];
    const char *path;

    path = simple_config(f, "as", "    server: https://h:1", "    token: t\n    as: someone");
    load_err(path, NULL, &err, msg, sizeof(msg));
    assert_contains(msg, "impersonation ('as')");

    path = simple_config(f, "as-empty", "    server: https://h:1",
                         "    token: t\n    as: \"\"\n    as-groups: []");
    {
        struct kube_conn c;

        load_ok(&c, path, NULL); /* empty values are unset, as in Go */
        kube_conn_release(&c);
    }
    path = simple_config(f, "authprov", "    server: https://h:1",
                         "    auth-provider:\n      name: oidc\n      config: {}");
    load_err(path, NULL, &err, msg, sizeof(msg));
    assert_contains(msg, "auth-provider 'oidc', which is not supported");
}

/* ---- contexts and merging ------------------------------------------------------------------- */

static const char *two_context_config(const struct fx *f, const char *name)
{
    return fx_write(f, name,
                    "apiVersion: v1\nkind: Config\ncurrent-context: a\n"
                    "clusters:\n"
                    "- {name: ca, cluster: {server: 'https://a:1'}}\n"
                    "- {name: cb, cluster: {server: 'https://b:1'}}\n"
                    "users:\n"
                    "- {name: ua, user: {token: ta}}\n"
                    "- {name: ub, user: {token: tb}}\n"
                    "contexts:\n"
                    "- {name: a, context: {cluster: ca, user: ua}}\n"
                    "- {name: b, context: {cluster: cb, user: ub, namespace: vms}}\n"
                    "- {name: lost-cluster, context: {cluster: nope, user: ua}}\n"
                    "- {name: lost-user, context: {cluster: ca, user: nobody}}\n"
                    "- {name: bad-ns, context: {cluster: ca, namespace: Bad_NS}}\n");
}

static void test_context_selection(void **state)
{
    struct fx *f = *state;
    struct kube_conn c;
    const char *path = two_context_config(f, "config");

    load_ok(&c, path, NULL);
    assert_string_equal(c.context, "a");
    assert_string_equal(c.server, "https://a:1");
    assert_string_equal(c.token, "ta");
    assert_string_equal(c.namespace, "default");
    kube_conn_release(&c);

    load_ok(&c, path, "b");
    assert_string_equal(c.context, "b");
    assert_string_equal(c.cluster, "cb");
    assert_string_equal(c.user, "ub");
    assert_string_equal(c.server, "https://b:1");
    assert_string_equal(c.token, "tb");
    assert_string_equal(c.namespace, "vms");
    kube_conn_release(&c);

    load_ok(&c, path, ""); /* "" = current-context */
    assert_string_equal(c.context, "a");
    kube_conn_release(&c);
}

static void test_missing_entries(void **state)
{
    struct fx *f = *state;
    struct vs_error err;
    char msg[1024], want[1024];
    const char *path = two_context_config(f, "config"), *p2;

    load_err(path, "prod", &err, msg, sizeof(msg));
    snprintf(want, sizeof(want),
             "%s: context 'prod' not found (contexts: a, b, lost-cluster, lost-user, bad-ns)",
             path);
    assert_string_equal(msg, want);

    load_err(path, "lost-cluster", &err, msg, sizeof(msg));
    snprintf(want, sizeof(want),
             "%s: cluster 'nope' of context 'lost-cluster' not found (clusters: ca, cb)", path);
    assert_string_equal(msg, want);

    load_err(path, "lost-user", &err, msg, sizeof(msg));
    snprintf(want, sizeof(want),
             "%s: user 'nobody' of context 'lost-user' not found (users: ua, ub)", path);
    assert_string_equal(msg, want);

    load_err(path, "bad-ns", &err, msg, sizeof(msg));
    assert_contains(msg, "namespace 'Bad_NS' of context 'bad-ns' is not a valid name");

    p2 = fx_write(f, "badcurrent",
                  "current-context: gone\ncontexts:\n- {name: x, context: {cluster: c}}\n");
    load_err(p2, NULL, &err, msg, sizeof(msg));
    assert_contains(msg, "current-context 'gone' not found (contexts: x)");

    p2 = fx_write(f, "nocurrent", "clusters:\n- {name: c, cluster: {server: 'https://c'}}\n");
    load_err(p2, NULL, &err, msg, sizeof(msg));
    assert_string_equal(err.where, p2);
    assert_contains(msg,
                    "no context selected: 'current-context' is not set (contexts: none defined)");
}

static void test_file_errors(void **state)
{
    struct fx *f = *state;
    struct vs_error err;
    char msg[1024];
    const char *path;

    path = fx_write(f, "dup",
                    "clusters:\n- {name: c, cluster: {server: x}}\n"
                    "- {name: c, cluster: {server: y}}\n");
    load_err(path, NULL, &err, msg, sizeof(msg));
    assert_contains(msg, "cluster 'c' is defined twice in 'clusters'");

    path = fx_write(f, "kind", "apiVersion: v1\nkind: Pod\n");
    load_err(path, NULL, &err, msg, sizeof(msg));
    assert_contains(msg, "unsupported 'kind' 'Pod' (a kubeconfig has 'Config')");

    path = fx_write(f, "list", "contexts: {a: 1}\n");
    load_err(path, NULL, &err, msg, sizeof(msg));
    assert_contains(msg, "expected a list for 'contexts', found a mapping");

    path = fx_write(f, "scalar", "just text\n");
    load_err(path, NULL, &err, msg, sizeof(msg));
    assert_contains(msg, "expected a mapping (a kubeconfig) at the top, found a string");

    path = fx_write(f, "empty", "");
    load_err(path, NULL, &err, msg, sizeof(msg));
    assert_string_equal(err.where, path);
    assert_contains(msg, "kubeconfig is empty");

    load_err(P(f, "does-not-exist"), NULL, &err, msg, sizeof(msg));
    assert_int_equal(err.code, ENOENT);
    assert_string_equal(err.where, P(f, "does-not-exist"));
    assert_contains(msg, "cannot read kubeconfig: No such file or directory");
}

static void test_malformed_yaml(void **state)
{
    struct fx *f = *state;
    struct vs_error err;
    char msg[1024];
    const char *path;

    path = fx_write(f, "bad.yaml", "apiVersion: v1\nclusters:\n- name: a\n   cluster: [\n");
    load_err(path, NULL, &err, msg, sizeof(msg));
    assert_string_equal(err.where, path);
    assert_true(err.line >= 3);
    assert_true(err.col > 0);
    assert_true(strncmp(msg, path, strlen(path)) == 0);
    assert_true(msg[strlen(path)] == ':');

    /* also when it is the second file of $KUBECONFIG */
    {
        char list[1024];
        const char *good = two_context_config(f, "good");

        snprintf(list, sizeof(list), "%s:%s", good, path);
        setenv("KUBECONFIG", list, 1);
        load_err(NULL, NULL, &err, msg, sizeof(msg));
        assert_string_equal(err.where, path);
        assert_true(err.line >= 3);
    }
}

static void test_kubeconfig_merge(void **state)
{
    struct fx *f = *state;
    struct kube_conn c;
    struct vs_error err;
    char list[2048], msg[1024];
    const char *one, *two;

    fx_write(f, "two/ca.pem", "two's " CA_PEM);
    one = fx_write(f, "one/config",
                   "current-context: first\n"
                   "clusters:\n- {name: shared, cluster: {server: 'https://one:1'}}\n"
                   "contexts:\n- {name: first, context: {cluster: shared, user: only-in-two}}\n"
                   "- {name: both, context: {cluster: shared, user: u1}}\n"
                   "users:\n- {name: u1, user: {token: one-token}}\n");
    two =
        fx_write(f, "two/config",
                 "current-context: second\n"
                 "clusters:\n- {name: shared, cluster: {server: 'https://two:1'}}\n"
                 "- {name: c2, cluster: {server: 'https://c2:1', certificate-authority: ca.pem}}\n"
                 "contexts:\n- {name: second, context: {cluster: c2, user: u1}}\n"
                 "- {name: both, context: {cluster: c2, user: only-in-two}}\n"
                 "users:\n- {name: u1, user: {token: two-token}}\n"
                 "- {name: only-in-two, user: {token: t2}}\n");
    snprintf(list, sizeof(list), "::%s:%s:%s:%s", P(f, "missing"), one, two, one);
    setenv("KUBECONFIG", list, 1);

    load_ok(&c, NULL, NULL); /* current-context: the first file's */
    assert_string_equal(c.context, "first");
    assert_string_equal(c.server, "https://one:1"); /* first file wins the same name */
    assert_string_equal(c.token, "t2");             /* the user only the second file has */
    snprintf(list, sizeof(list), "%s:%s", one, two);
    assert_string_equal(c.source, list);
    kube_conn_release(&c);

    load_ok(&c, NULL, "both"); /* the first file's context "both" */
    assert_string_equal(c.token, "one-token");
    kube_conn_release(&c);

    load_ok(&c, NULL, "second"); /* a context of the second file, its relative CA */
    assert_string_equal(c.server, "https://c2:1");
    assert_string_equal(c.token, "one-token");
    assert_string_equal(c.ca_pem, "two's " CA_PEM);
    kube_conn_release(&c);

    load_err(NULL, "third", &err, msg, sizeof(msg));
    assert_string_equal(err.where, list);
    assert_contains(msg, "context 'third' not found (contexts: first, both, second)");

    /* the explicit path beats $KUBECONFIG */
    load_ok(&c, two, NULL);
    assert_string_equal(c.context, "second");
    assert_string_equal(c.token, "two-token");
    assert_string_equal(c.source, two);
    kube_conn_release(&c);
}

static void test_default_path(void **state)
{
    struct fx *f = *state;
    struct kube_conn c;

    two_context_config(f, ".kube/config");
    load_ok(&c, NULL, "b");
    assert_string_equal(c.server, "https://b:1");
    assert_string_equal(c.source, P(f, ".kube/config"));
    kube_conn_release(&c);

    setenv("KUBECONFIG", P(f, "elsewhere"), 1); /* set, but missing: no default either */
    {
        struct vs_error err;
        char msg[1024];

        load_err(NULL, NULL, &err, msg, sizeof(msg));
        assert_string_equal(
            err.msg, "no kubeconfig found: set KUBECONFIG, pass --kubeconfig, or run in a pod");
        assert_string_equal(err.where, P(f, "elsewhere"));
    }
}

static void test_no_config(void **state)
{
    struct fx *f = *state;
    struct vs_error err;
    char msg[1024], want[1024];

    load_err(NULL, NULL, &err, msg, sizeof(msg));
    snprintf(want, sizeof(want),
             "%s: no kubeconfig found: set KUBECONFIG, pass --kubeconfig, or run in a pod",
             P(f, ".kube/config"));
    assert_string_equal(msg, want);

    /* env set, but no token: not in a pod */
    setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
    setenv("KUBERNETES_SERVICE_PORT", "443", 1);
    load_err(NULL, NULL, &err, msg, sizeof(msg));
    assert_contains(msg, "no kubeconfig found");

    assert_int_equal(kube_conn_load(&(struct kube_conn){0}, NULL, NULL, NULL), -1); /* err NULL */
}

static void test_in_cluster(void **state)
{
    struct fx *f = *state;
    struct kube_conn c;

    fx_write(f, "sa/token", TOKEN "\n");
    fx_write(f, "sa/ca.crt", CA_PEM);
    fx_write(f, "sa/namespace", "vm-storm\n");
    setenv("VMSTORM_SA_DIR", P(f, "sa"), 1);
    setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
    setenv("KUBERNETES_SERVICE_PORT", "443", 1);

    load_ok(&c, NULL, NULL);
    assert_string_equal(c.server, "https://10.96.0.1:443");
    assert_string_equal(c.token, TOKEN);
    assert_string_equal(c.token_file, P(f, "sa/token"));
    assert_string_equal(c.ca_pem, CA_PEM);
    assert_string_equal(c.namespace, "vm-storm");
    assert_string_equal(c.context, "in-cluster");
    assert_contains(c.source, "in-cluster");
    kube_conn_release(&c);

    setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
    setenv("POD_NAMESPACE", "from-env", 1);
    fx_write(f, ".kube/config", ""); /* an empty kubeconfig still falls back, as in kubectl */
    load_ok(&c, NULL, NULL);
    assert_string_equal(c.server, "https://[fd00::1]:443");
    assert_string_equal(c.namespace, "from-env");
    kube_conn_release(&c);

    two_context_config(f, ".kube/config"); /* a real kubeconfig wins */
    load_ok(&c, NULL, NULL);
    assert_string_equal(c.server, "https://a:1");
    kube_conn_release(&c);
}

/* ---- describe ------------------------------------------------------------------------------ */

static void test_describe(void **state)
{
    struct fx *f = *state;
    struct kube_conn c;
    char buf[512], user[2048], *cert = b64(CERT_PEM), *key = b64(KEY_PEM);
    const char *path;
    size_t n;

    snprintf(user, sizeof(user),
             "    token: " TOKEN "\n    client-certificate-data: %s\n    client-key-data: %s", cert,
             key);
    path = simple_config(f, "cfg",
                         "    server: https://admin:hunter2@h:6443/\n"
                         "    insecure-skip-tls-verify: true",
                         user);
    load_ok(&c, path, NULL);
    n = kube_conn_describe(&c, buf, sizeof(buf));
    assert_int_equal(n, strlen(buf));
    assert_string_equal(buf, "context 'ctx', cluster 'cl' at https://h:6443 "
                             "(insecure-skip-tls-verify); user 'u' (token, client certificate)");
    assert_null(strstr(buf, TOKEN));
    assert_null(strstr(buf, "hunter2"));
    assert_null(strstr(buf, "U0VDUkVUS0VZ"));
    assert_null(strstr(buf, "PRIVATE"));

    /* truncation like snprintf */
    assert_int_equal(kube_conn_describe(&c, NULL, 0), n);
    assert_int_equal(kube_conn_describe(&c, buf, 10), n);
    assert_string_equal(buf, "context '");
    kube_conn_release(&c);

    path = simple_config(f, "basic", "    server: https://h",
                         "    username: a\n    password: hunter2");
    load_ok(&c, path, NULL);
    kube_conn_describe(&c, buf, sizeof(buf));
    assert_string_equal(buf, "context 'ctx', cluster 'cl' at https://h; user 'u' (basic)");
    kube_conn_release(&c);

    path = fx_write(f, "anon",
                    "current-context: x\nclusters: [{name: c, cluster: {server: "
                    "'http://h:8080'}}]\ncontexts: [{name: x, context: {cluster: c}}]\n");
    load_ok(&c, path, NULL);
    kube_conn_describe(&c, buf, sizeof(buf));
    assert_string_equal(buf, "context 'x', cluster 'c' at http://h:8080; no user (none)");
    kube_conn_release(&c);
    free(cert);
    free(key);
}

/* ---- exec plugins -------------------------------------------------------------------------- */

#define CRED_SCRIPT(api, status)                                                                   \
    "#!/bin/sh\nprintf '%s' '{\"apiVersion\": \"" api "\", \"kind\": \"ExecCredential\", "         \
    "\"status\": " status "}'\n"

static void exec_init(struct kube_auth_exec *e, const char *command, const char *api)
{
    static char *none[] = {NULL};

    memset(e, 0, sizeof(*e));
    e->command = (char *)command;
    e->args = none;
    e->env = none;
    e->api_version = (char *)api;
}

static void exec_ok(const struct kube_auth_exec *e, struct kube_exec_result *r)
{
    struct vs_error err;
    char msg[1024];

    if (kube_exec_run(e, 5000, r, &err) != 0)
        fail_msg("unexpected error: %s", vs_error_format(&err, msg, sizeof(msg)));
}

static const char *exec_err(const struct kube_auth_exec *e, int timeout_ms, struct vs_error *err)
{
    struct kube_exec_result r;

    assert_int_equal(kube_exec_run(e, timeout_ms, &r, err), -1);
    assert_null(r.token);
    assert_null(r.client_cert_pem);
    return err->msg;
}

static void test_exec_v1_and_v1beta1(void **state)
{
    struct fx *f = *state;
    struct kube_auth_exec e;
    struct kube_exec_result r;
    const char *v1, *beta, *certs;

    v1 = fx_script(f, "bin/v1",
                   CRED_SCRIPT(KUBE_EXEC_API_V1,
                               "{\"token\": \"v1-token\", \"expirationTimestamp\": "
                               "\"2030-01-02T03:04:05Z\"}"));
    exec_init(&e, v1, KUBE_EXEC_API_V1);
    exec_ok(&e, &r);
    assert_string_equal(r.token, "v1-token");
    assert_null(r.client_cert_pem);
    assert_true(r.expires_ns == INT64_C(1893553445) * 1000000000);
    kube_exec_result_release(&r);
    assert_null(r.token);

    beta = fx_script(f, "bin/beta", CRED_SCRIPT(KUBE_EXEC_API_V1BETA1, "{\"token\": \"b-token\"}"));
    exec_init(&e, beta, KUBE_EXEC_API_V1BETA1);
    exec_ok(&e, &r);
    assert_string_equal(r.token, "b-token");
    assert_true(r.expires_ns == 0);
    kube_exec_result_release(&r);

    certs = fx_script(
        f, "bin/certs",
        CRED_SCRIPT(KUBE_EXEC_API_V1,
                    "{\"clientCertificateData\": \"CERT\\n\", \"clientKeyData\": "
                    "\"KEY\", \"expirationTimestamp\": \"2030-01-02T03:04:05.5+01:00\"}"));
    exec_init(&e, certs, KUBE_EXEC_API_V1);
    exec_ok(&e, &r);
    assert_null(r.token);
    assert_string_equal(r.client_cert_pem, "CERT\n");
    assert_string_equal(r.client_key_pem, "KEY");
    assert_true(r.expires_ns == (INT64_C(1893553445) - 3600) * 1000000000 + 500000000);
    kube_exec_result_release(&r);
    kube_exec_result_release(NULL);
}

static void test_exec_info_args_env(void **state)
{
    struct fx *f = *state;
    struct kube_auth_exec e;
    struct kube_exec_result r;
    char a1[] = "first arg", a2[] = "--two", e1[] = "MYVAR=one", e2[] = "MYVAR=two",
         e3[] = "OTHER=x";
    char *args[] = {a1, a2, NULL}, *env[] = {e1, e2, e3, NULL};
    const char *path;

    path = fx_script(f, "bin/echo-info",
                     "#!/bin/sh\n"
                     "n=$(cat | wc -c)\n" /* stdin is /dev/null: empty, no wait */
                     "info=$(printf '%s' \"$KUBERNETES_EXEC_INFO\" | sed 's/\"/\\\\\"/g')\n"
                     "printf '{\"apiVersion\":\"%s\",\"kind\":\"ExecCredential\","
                     "\"status\":{\"token\":\"%s|%s|%s|%s|%s|%s\"}}' "
                     "\"client.authentication.k8s.io/v1\" \"$info\" \"$1\" \"$2\" \"$MYVAR\" "
                     "\"$OTHER\" $n\n");
    exec_init(&e, path, KUBE_EXEC_API_V1);
    e.args = args;
    e.env = env;
    setenv("KUBERNETES_EXEC_INFO", "stale", 1); /* replaced, not duplicated */
    setenv("OTHER", "from-parent", 1);
    exec_ok(&e, &r);
    unsetenv("KUBERNETES_EXEC_INFO");
    unsetenv("OTHER");
    assert_string_equal(r.token, "{\"kind\":\"ExecCredential\",\"apiVersion\":"
                                 "\"client.authentication.k8s.io/v1\",\"spec\":{\"interactive\":"
                                 "false}}|first arg|--two|two|x|0");
    kube_exec_result_release(&r);

    /* found through $PATH */
    {
        char *old = strdup(getenv("PATH") ? getenv("PATH") : ""), newpath[4096];

        snprintf(newpath, sizeof(newpath), "%s:%s", P(f, "bin"), old);
        setenv("PATH", newpath, 1);
        exec_init(&e, "echo-info", KUBE_EXEC_API_V1);
        exec_ok(&e, &r);
        assert_true(strncmp(r.token, "{\"kind\"", 7) == 0);
        kube_exec_result_release(&r);
        setenv("PATH", old, 1);
        free(old);
    }
}

static void test_exec_failures(void **state)
{
    struct fx *f = *state;
    char hint[] = "Install it with:\n  brew install no-such-plugin\n";
    struct kube_auth_exec e;
    struct vs_error err;
    const char *path;
    int64_t t0;

    path = fx_script(f, "bin/fail",
                     "#!/bin/sh\necho 'error: you must be logged in' >&2\n"
                     "echo '  run: cloud login' >&2\nexit 3\n");
    exec_init(&e, path, KUBE_EXEC_API_V1);
    exec_err(&e, 5000, &err);
    assert_contains(err.msg, "exec plugin '");
    assert_contains(err.msg, "exited with status 3: error: you must be logged in run: cloud login");

    path = fx_script(f, "bin/garbage", "#!/bin/sh\necho 'this is not json'\necho oops >&2\n");
    exec_init(&e, path, KUBE_EXEC_API_V1);
    exec_err(&e, 5000, &err);
    assert_contains(err.msg, "printed no valid JSON ExecCredential");
    assert_contains(err.msg, ": oops");

    exec_init(&e, "vmstorm-no-such-plugin", KUBE_EXEC_API_V1);
    e.install_hint = hint;
    exec_err(&e, 5000, &err);
    assert_int_equal(err.code, ENOENT);
    assert_string_equal(err.msg, "exec plugin 'vmstorm-no-such-plugin' not found: Install it "
                                 "with: brew install no-such-plugin");
    e.install_hint = NULL;
    exec_err(&e, 5000, &err);
    assert_contains(err.msg, "not found (is it installed and on PATH?)");
    exec_init(&e, P(f, "bin/none"), KUBE_EXEC_API_V1);
    exec_err(&e, 5000, &err);
    assert_int_equal(err.code, ENOENT);

    fx_write(f, "bin/noexec", "#!/bin/sh\n");
    exec_init(&e, P(f, "bin/noexec"), KUBE_EXEC_API_V1);
    exec_err(&e, 5000, &err);
    assert_int_equal(err.code, EACCES);
    assert_contains(err.msg, "is not executable");

    path = fx_script(f, "bin/wrongapi", CRED_SCRIPT(KUBE_EXEC_API_V1BETA1, "{\"token\": \"t\"}"));
    exec_init(&e, path, KUBE_EXEC_API_V1);
    exec_err(&e, 5000, &err);
    assert_contains(err.msg, "returned apiVersion 'client.authentication.k8s.io/v1beta1', expected "
                             "'client.authentication.k8s.io/v1'");

    path = fx_script(f, "bin/wrongkind",
                     "#!/bin/sh\necho '{\"apiVersion\": \"" KUBE_EXEC_API_V1
                     "\", \"kind\": \"Pod\"}'\n");
    exec_init(&e, path, KUBE_EXEC_API_V1);
    exec_err(&e, 5000, &err);
    assert_contains(err.msg, "returned kind 'Pod', expected 'ExecCredential'");

    path = fx_script(f, "bin/nostatus", CRED_SCRIPT(KUBE_EXEC_API_V1, "null"));
    exec_init(&e, path, KUBE_EXEC_API_V1);
    exec_err(&e, 5000, &err);
    assert_contains(err.msg, "returned no 'status'");

    path = fx_script(f, "bin/nocreds", CRED_SCRIPT(KUBE_EXEC_API_V1, "{\"token\": \"\"}"));
    exec_init(&e, path, KUBE_EXEC_API_V1);
    exec_err(&e, 5000, &err);
    assert_contains(err.msg, "returned no credentials");

    path =
        fx_script(f, "bin/halfcert", CRED_SCRIPT(KUBE_EXEC_API_V1, "{\"clientKeyData\": \"K\"}"));
    exec_init(&e, path, KUBE_EXEC_API_V1);
    exec_err(&e, 5000, &err);
    assert_contains(err.msg, "returned only one of 'clientCertificateData' and 'clientKeyData'");

    path = fx_script(f, "bin/badtime",
                     CRED_SCRIPT(KUBE_EXEC_API_V1, "{\"token\": \"t\", \"expirationTimestamp\": "
                                                   "\"tomorrow\"}"));
    exec_init(&e, path, KUBE_EXEC_API_V1);
    exec_err(&e, 5000, &err);
    assert_contains(err.msg, "returned a bad 'status.expirationTimestamp'");

    path = fx_script(f, "bin/killed", "#!/bin/sh\nkill -9 $$\n");
    exec_init(&e, path, KUBE_EXEC_API_V1);
    exec_err(&e, 5000, &err);
    assert_contains(err.msg, "was killed by signal 9");

    exec_init(&e, path, "client.authentication.k8s.io/v1alpha1");
    exec_err(&e, 5000, &err);
    assert_contains(err.msg, "unsupported apiVersion");

    /* a plugin that hangs (and its child) is killed at the timeout */
    path = fx_script(f, "bin/hang", "#!/bin/sh\necho waiting >&2\nsleep 30 &\nsleep 30\n");
    exec_init(&e, path, KUBE_EXEC_API_V1);
    t0 = (int64_t)time(NULL);
    exec_err(&e, 300, &err);
    assert_true((int64_t)time(NULL) - t0 < 20); /* not the 30 s the plugin sleeps */
    assert_int_equal(err.code, ETIMEDOUT);
    assert_contains(err.msg, "timed out after 300 ms: waiting");

    /* too much output */
    path = fx_script(f, "bin/flood", "#!/bin/sh\nhead -c 2000000 /dev/zero\n");
    exec_init(&e, path, KUBE_EXEC_API_V1);
    exec_err(&e, 5000, &err);
    assert_int_equal(err.code, E2BIG);
    assert_contains(err.msg, "printed more than");
}

static void test_exec_from_kubeconfig(void **state)
{
    struct fx *f = *state;
    struct kube_conn c;
    struct kube_exec_result r;
    struct vs_error err;
    char msg[1024], buf[512];
    const char *path;

    fx_script(f, "cfg/bin/plugin", CRED_SCRIPT(KUBE_EXEC_API_V1, "{\"token\": \"exec-token\"}"));
    path = simple_config(f, "cfg/config", "    server: https://h:1",
                         "    exec:\n      apiVersion: " KUBE_EXEC_API_V1 "\n"
                         "      command: ./bin/plugin\n      args: [a, b]\n"
                         "      env: [{name: K, value: V}, {name: E}]\n"
                         "      interactiveMode: Never\n      installHint: get it\n"
                         "      provideClusterInfo: false");
    load_ok(&c, path, NULL);
    assert_non_null(c.exec);
    assert_string_equal(c.exec->command, P(f, "cfg/bin/plugin"));
    assert_string_equal(c.exec->args[0], "a");
    assert_string_equal(c.exec->args[1], "b");
    assert_null(c.exec->args[2]);
    assert_string_equal(c.exec->env[0], "K=V");
    assert_string_equal(c.exec->env[1], "E=");
    assert_null(c.exec->env[2]);
    assert_string_equal(c.exec->api_version, KUBE_EXEC_API_V1);
    assert_int_equal(c.exec->interactive_never, 1);
    assert_string_equal(c.exec->install_hint, "get it");
    kube_conn_describe(&c, buf, sizeof(buf));
    assert_contains(buf, "; user 'u' (exec: ");
    exec_ok(c.exec, &r);
    assert_string_equal(r.token, "exec-token");
    kube_exec_result_release(&r);
    kube_conn_release(&c);

    /* a command without '/' stays a name for $PATH; a static token wins over exec */
    path =
        simple_config(f, "cfg/tok", "    server: https://h:1",
                      "    token: t\n    exec: {apiVersion: " KUBE_EXEC_API_V1 ", command: aws}");
    load_ok(&c, path, NULL);
    assert_null(c.exec);
    kube_conn_release(&c);
    path = simple_config(f, "cfg/name", "    server: https://h:1",
                         "    exec: {apiVersion: " KUBE_EXEC_API_V1BETA1 ", command: aws}");
    load_ok(&c, path, NULL);
    assert_string_equal(c.exec->command, "aws");
    assert_int_equal(c.exec->interactive_never, 0);
    assert_null(c.exec->args[0]);
    assert_null(c.exec->env[0]);
    kube_conn_release(&c);

    path = simple_config(f, "cfg/always", "    server: https://h:1",
                         "    exec: {apiVersion: " KUBE_EXEC_API_V1
                         ", command: aws, interactiveMode: Always}");
    load_err(path, NULL, &err, msg, sizeof(msg));
    assert_contains(msg, "needs a terminal (interactiveMode: Always)");

    path = simple_config(
        f, "cfg/alpha", "    server: https://h:1",
        "    exec: {apiVersion: client.authentication.k8s.io/v1alpha1, command: aws}");
    load_err(path, NULL, &err, msg, sizeof(msg));
    assert_contains(msg, "unsupported 'apiVersion' 'client.authentication.k8s.io/v1alpha1'");

    path = simple_config(f, "cfg/nocmd", "    server: https://h:1",
                         "    exec: {apiVersion: " KUBE_EXEC_API_V1 "}");
    load_err(path, NULL, &err, msg, sizeof(msg));
    assert_contains(msg, "the exec plugin of user 'u' has no 'command'");

    path = simple_config(f, "cfg/badenv", "    server: https://h:1",
                         "    exec: {apiVersion: " KUBE_EXEC_API_V1
                         ", command: x, env: [{value: v}]}");
    load_err(path, NULL, &err, msg, sizeof(msg));
    assert_contains(msg, "each 'env' entry");
}

/* ---- a kubeconfig written by kubectl itself ------------------------------------------------ */

static int run(const char *fmt, ...) VS_PRINTF(1, 2);

static int run(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    return system(cmd);
}

static void test_kubectl_written(void **state)
{
    struct fx *f = *state;
    struct kube_conn c;
    const char *cfg = P(f, "kubectl/config");
    char ca[512], crt[512], key[512], tok[512];

    if (run("kubectl version --client >/dev/null 2>&1") != 0)
        skip();
    snprintf(ca, sizeof(ca), "%s", fx_write(f, "pki/ca.pem", CA_PEM));
    snprintf(crt, sizeof(crt), "%s", fx_write(f, "pki/client.crt", CERT_PEM));
    snprintf(key, sizeof(key), "%s", fx_write(f, "pki/client.key", KEY_PEM));
    snprintf(tok, sizeof(tok), "%s", fx_write(f, "pki/token", TOKEN "\n"));
    assert_int_equal(
        run("mkdir -p %s/kubectl && cd %s/kubectl && "
            "kubectl config set-cluster storm --kubeconfig %s --server=https://"
            "192.0.2.7:6443 --certificate-authority=%s --embed-certs=true >/dev/null && "
            "kubectl config set-cluster other --kubeconfig %s --server=https://"
            "192.0.2.8:6443/ --insecure-skip-tls-verify=true >/dev/null && "
            "kubectl config set-credentials admin --kubeconfig %s "
            "--client-certificate=%s --client-key=%s --embed-certs=true >/dev/null && "
            "kubectl config set-credentials bot --kubeconfig %s --token=" TOKEN " >/dev/null && "
            "kubectl config set-credentials plug --kubeconfig %s --exec-command=/bin/"
            "true --exec-api-version=" KUBE_EXEC_API_V1 " --exec-arg=x "
            "--exec-env=A=B >/dev/null && "
            "kubectl config set-context storm --kubeconfig %s --cluster=storm "
            "--user=admin --namespace=vms >/dev/null && "
            "kubectl config set-context other --kubeconfig %s --cluster=other "
            "--user=bot >/dev/null && "
            "kubectl config set-context plug --kubeconfig %s --cluster=other "
            "--user=plug >/dev/null && "
            "kubectl config use-context storm --kubeconfig %s >/dev/null",
            f->dir, f->dir, cfg, ca, cfg, cfg, crt, key, cfg, cfg, cfg, cfg, cfg, cfg),
        0);

    load_ok(&c, cfg, NULL);
    assert_string_equal(c.context, "storm");
    assert_string_equal(c.server, "https://192.0.2.7:6443");
    assert_string_equal(c.ca_pem, CA_PEM);
    assert_string_equal(c.client_cert_pem, CERT_PEM);
    assert_string_equal(c.client_key_pem, KEY_PEM);
    assert_string_equal(c.namespace, "vms");
    assert_int_equal(c.insecure_skip_tls_verify, 0);
    kube_conn_release(&c);

    load_ok(&c, cfg, "other");
    assert_string_equal(c.server, "https://192.0.2.8:6443");
    assert_int_equal(c.insecure_skip_tls_verify, 1);
    assert_string_equal(c.token, TOKEN);
    assert_null(c.ca_pem);
    kube_conn_release(&c);

    load_ok(&c, cfg, "plug");
    assert_non_null(c.exec);
    assert_string_equal(c.exec->command, "/bin/true");
    assert_string_equal(c.exec->args[0], "x");
    assert_string_equal(c.exec->env[0], "A=B");
    kube_conn_release(&c);

    /* not embedded: kubectl relativizes paths below the kubeconfig's directory */
    cfg = P(f, "kubectl/files");
    snprintf(ca, sizeof(ca), "%s", fx_write(f, "kubectl/ca.pem", "files " CA_PEM));
    snprintf(tok, sizeof(tok), "%s", fx_write(f, "kubectl/tok", TOKEN "\n"));
    assert_int_equal(
        run("cd / && kubectl config set-cluster c --kubeconfig %s --server=https://h:1 "
            "--certificate-authority=%s >/dev/null && "
            "kubectl config set-credentials u --kubeconfig %s --client-certificate=%s "
            "--client-key=%s >/dev/null && "
            "kubectl config set-context x --kubeconfig %s --cluster=c --user=u "
            ">/dev/null && kubectl config use-context x --kubeconfig %s >/dev/null",
            cfg, ca, cfg, crt, key, cfg, cfg),
        0);
    load_ok(&c, cfg, NULL);
    assert_string_equal(c.ca_pem, "files " CA_PEM);
    assert_string_equal(c.client_cert_pem, CERT_PEM);
    assert_string_equal(c.client_key_pem, KEY_PEM);
    kube_conn_release(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ca_data_and_file, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_ca_errors, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_insecure_and_server, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_token_and_token_file, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_client_cert, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_unsupported_user_fields, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_context_selection, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_missing_entries, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_file_errors, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_malformed_yaml, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_kubeconfig_merge, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_default_path, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_no_config, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_in_cluster, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_describe, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_exec_v1_and_v1beta1, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_exec_info_args_env, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_exec_failures, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_exec_from_kubeconfig, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_kubectl_written, fx_setup, fx_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
