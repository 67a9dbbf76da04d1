/*
 * test_sim_tls.c - the simulator's certificates and kubeconfig, end to end:
 * parsed back with GnuTLS, served by a real libmicrohttpd HTTPS daemon asking
 * for client certificates, fetched with libcurl (verification on), and the
 * kubeconfig read by libyaml and, when installed, by kubectl.
 */
#include "unit.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <time.h>

#include <curl/curl.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>
#include <yaml.h>

#include "kubeconfig.h"
#include "tls.h"

#define CLIENT_CN "vmstorm-admin"
#define OTHER_CN "intruder"
#define DAYS 7

/* Shared by the tests: two unrelated PKIs and an HTTPS daemon trusting the first. */
struct fixture {
    struct sim_pki pki;
    struct sim_pki other; /* a different CA: its client certificate must be refused */
    struct MHD_Daemon *daemon;
    unsigned short port;
};

static const char *const hosts[] = {"127.0.0.1", "localhost"};

/* ---- helpers: GnuTLS ---------------------------------------------------- */

static gnutls_x509_crt_t crt_parse(const char *pem)
{
    gnutls_datum_t d = {(unsigned char *)(uintptr_t)pem, (unsigned)strlen(pem)};
    gnutls_x509_crt_t crt;

    assert_int_equal(gnutls_x509_crt_init(&crt), 0);
    assert_int_equal(gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM), 0);
    return crt;
}

static void crt_dn(gnutls_x509_crt_t crt, const char *oid, char *buf, size_t n)
{
    size_t size = n;

    assert_int_equal(gnutls_x509_crt_get_dn_by_oid(crt, oid, 0, 0, buf, &size), 0);
}

/* The certificate verifies against ca (no flags: time and signature checked). */
static unsigned crt_verify(gnutls_x509_crt_t crt, gnutls_x509_crt_t ca)
{
    unsigned status = 0;

    assert_int_equal(gnutls_x509_crt_verify(crt, &ca, 1, 0, &status), 0);
    return status;
}

static int crt_is_ca(gnutls_x509_crt_t crt)
{
    unsigned critical = 0, ca = 0;
    int pathlen = -1;

    assert_true(gnutls_x509_crt_get_basic_constraints(crt, &critical, &ca, &pathlen) >= 0);
    return (int)ca;
}

static unsigned crt_key_usage(gnutls_x509_crt_t crt)
{
    unsigned usage = 0, critical = 0;

    assert_true(gnutls_x509_crt_get_key_usage(crt, &usage, &critical) >= 0);
    return usage;
}

static int crt_has_purpose(gnutls_x509_crt_t crt, const char *oid)
{
    for (unsigned i = 0;; i++) {
        char buf[128];
        size_t size = sizeof(buf);

        if (gnutls_x509_crt_get_key_purpose_oid(crt, i, buf, &size, NULL) < 0)
            return 0;
        if (strcmp(buf, oid) == 0)
            return 1;
    }
}

/* Is there a subjectAltName of `type` whose raw value is data[len]? */
static int crt_has_san(gnutls_x509_crt_t crt, int type, const void *data, size_t len)
{
    for (unsigned i = 0;; i++) {
        unsigned char buf[256];
        size_t size = sizeof(buf);
        unsigned san_type = 0;
        int rc = gnutls_x509_crt_get_subject_alt_name2(crt, i, buf, &size, &san_type, NULL);

        if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
            return 0;
        assert_true(rc >= 0);
        if (rc == type && size == len && memcmp(buf, data, len) == 0)
            return 1;
    }
}

static void check_validity(gnutls_x509_crt_t crt, time_t before, time_t after)
{
    time_t start = gnutls_x509_crt_get_activation_time(crt);
    time_t end = gnutls_x509_crt_get_expiration_time(crt);

    assert_true(start >= before - 3600 && start <= after - 3600);
    assert_true(end >= before + DAYS * 86400 && end <= after + DAYS * 86400);
}

/* ---- helpers: the HTTPS daemon ------------------------------------------ */

/* Answers 200 with the client certificate's CN or "anonymous", 401 if it does not verify. */
static enum MHD_Result whoami(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_size, void **con_cls)
{
    const char *ca = cls;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    struct vs_error e = {{0}, 0, 0, 0, {0}};
    char cn[128], body[600];
    unsigned status = MHD_HTTP_OK;
    struct MHD_Response *resp;
    enum MHD_Result ret;
    int rc;

    (void)url, (void)method, (void)version, (void)upload_data, (void)upload_size, (void)con_cls;
    rc = ci ? sim_tls_peer_identity(ci->tls_session, ca, cn, sizeof(cn), &e) : -1;
    if (rc == 1) {
        snprintf(body, sizeof(body), "%s", cn);
    } else if (rc == 0) {
        snprintf(body, sizeof(body), "anonymous");
    } else {
        status = MHD_HTTP_UNAUTHORIZED;
        snprintf(body, sizeof(body), "%s", e.msg);
    }
    resp = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_COPY);
    ret = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static struct MHD_Daemon *daemon_start(const struct sim_pki *pki, unsigned short *port)
{
    struct sockaddr_in sa;
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *info;

    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = 0;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_TLS, 0, NULL, NULL, whoami,
                         pki->ca_cert, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                         MHD_OPTION_HTTPS_MEM_CERT, pki->server_cert, MHD_OPTION_HTTPS_MEM_KEY,
                         pki->server_key, MHD_OPTION_HTTPS_MEM_TRUST, pki->ca_cert, MHD_OPTION_END);
    if (!d)
        return NULL;
    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    *port = info ? info->port : 0;
    return d;
}

/* ---- helpers: libcurl ----------------------------------------------------- */

struct reply {
    CURLcode rc;
    long status;
    char body[600];
    size_t len;
    char error[CURL_ERROR_SIZE];
};

static size_t reply_write(char *data, size_t size, size_t nmemb, void *userdata)
{
    struct reply *r = userdata;
    size_t n = size * nmemb;
    size_t room = sizeof(r->body) - 1 - r->len;

    memcpy(r->body + r->len, data, n < room ? n : room);
    r->len += n < room ? n : room;
    r->body[r->len] = '\0';
    return n;
}

static void blob_set(CURL *c, CURLoption opt, const char *pem)
{
    struct curl_blob blob = {(void *)(uintptr_t)pem, strlen(pem), CURL_BLOB_COPY};

    assert_int_equal(curl_easy_setopt(c, opt, &blob), CURLE_OK);
}

/*
 * GET https://HOST:port/whoami, HOST resolving to 127.0.0.1; ca NULL uses the
 * system's roots; cert/key NULL sends no client certificate.
 */
static void https_get(const char *host, unsigned short port, const char *ca, const char *cert,
                      const char *key, struct reply *r)
{
    CURL *c = curl_easy_init();
    struct curl_slist *resolve = NULL;
    char url[128], entry[128];

    assert_non_null(c);
    memset(r, 0, sizeof(*r));
    snprintf(url, sizeof(url), "https://%s:%u/whoami", host, (unsigned)port);
    snprintf(entry, sizeof(entry), "%s:%u:127.0.0.1", host, (unsigned)port);
    resolve = curl_slist_append(NULL, entry);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_RESOLVE, resolve);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, r->error);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, reply_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    if (ca)
        blob_set(c, CURLOPT_CAINFO_BLOB, ca);
    if (cert) {
        blob_set(c, CURLOPT_SSLCERT_BLOB, cert);
        blob_set(c, CURLOPT_SSLKEY_BLOB, key);
    }
    r->rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_cleanup(c);
    curl_slist_free_all(resolve);
}

/* ---- fixture --------------------------------------------------------------- */

static int group_setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct vs_error e;

    if (!f || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return -1;
    *state = f;
    if (sim_pki_generate(&f->pki, hosts, 2, CLIENT_CN, DAYS, &e) < 0 ||
        sim_pki_generate(&f->other, hosts, 2, OTHER_CN, DAYS, &e) < 0) {
        fprintf(stderr, "sim_pki_generate: %s\n", e.msg);
        return -1;
    }
    f->daemon = daemon_start(&f->pki, &f->port);
    return f->daemon && f->port ? 0 : -1;
}

static int group_teardown(void **state)
{
    struct fixture *f = *state;

    if (f) {
        if (f->daemon)
            MHD_stop_daemon(f->daemon);
        sim_pki_release(&f->pki);
        sim_pki_release(&f->other);
        free(f);
    }
    curl_global_cleanup();
    return 0;
}

/* ---- certificates ---------------------------------------------------------- */

static void test_generate_ca(void **state)
{
    struct fixture *f = *state;
    gnutls_x509_crt_t ca = crt_parse(f->pki.ca_cert);
    unsigned bits = 0;
    char buf[128];

    assert_true(crt_is_ca(ca));
    assert_true(crt_key_usage(ca) & GNUTLS_KEY_KEY_CERT_SIGN);
    crt_dn(ca, GNUTLS_OID_X520_COMMON_NAME, buf, sizeof(buf));
    assert_string_equal(buf, "vmstorm-sim-ca");
    assert_int_equal(gnutls_x509_crt_get_pk_algorithm(ca, &bits), GNUTLS_PK_ECDSA);
    assert_int_equal(crt_verify(ca, ca), 0); /* self-signed, and in its validity window */
    assert_non_null(strstr(f->pki.ca_key, "-----BEGIN PRIVATE KEY-----"));
    gnutls_x509_crt_deinit(ca);
}

static void test_generate_server(void **state)
{
    struct fixture *f = *state;
    gnutls_x509_crt_t ca = crt_parse(f->pki.ca_cert);
    gnutls_x509_crt_t srv = crt_parse(f->pki.server_cert);
    gnutls_x509_crt_t alien = crt_parse(f->other.ca_cert);
    const unsigned char loopback[4] = {127, 0, 0, 1};

    assert_false(crt_is_ca(srv));
    assert_true(crt_has_san(srv, GNUTLS_SAN_IPADDRESS, loopback, 4));
    assert_true(crt_has_san(srv, GNUTLS_SAN_DNSNAME, "localhost", 9));
    assert_false(crt_has_san(srv, GNUTLS_SAN_DNSNAME, "127.0.0.1", 9)); /* IP, not DNS */
    assert_true(gnutls_x509_crt_check_hostname(srv, "127.0.0.1"));
    assert_true(gnutls_x509_crt_check_hostname(srv, "localhost"));
    assert_false(gnutls_x509_crt_check_hostname(srv, "example.com"));
    assert_true(crt_key_usage(srv) & GNUTLS_KEY_DIGITAL_SIGNATURE);
    assert_false(crt_key_usage(srv) & GNUTLS_KEY_KEY_CERT_SIGN);
    assert_true(crt_has_purpose(srv, GNUTLS_KP_TLS_WWW_SERVER));
    assert_false(crt_has_purpose(srv, GNUTLS_KP_TLS_WWW_CLIENT));
    assert_int_equal(crt_verify(srv, ca), 0);
    assert_int_not_equal(crt_verify(srv, alien), 0); /* verification can fail */
    gnutls_x509_crt_deinit(alien);
    gnutls_x509_crt_deinit(srv);
    gnutls_x509_crt_deinit(ca);
}

static void test_generate_client(void **state)
{
    struct fixture *f = *state;
    gnutls_x509_crt_t ca = crt_parse(f->pki.ca_cert);
    gnutls_x509_crt_t cli = crt_parse(f->pki.client_cert);
    char buf[128];

    crt_dn(cli, GNUTLS_OID_X520_COMMON_NAME, buf, sizeof(buf));
    assert_string_equal(buf, CLIENT_CN);
    crt_dn(cli, GNUTLS_OID_X520_ORGANIZATION_NAME, buf, sizeof(buf));
    assert_string_equal(buf, "system:masters");
    assert_false(crt_is_ca(cli));
    assert_true(crt_has_purpose(cli, GNUTLS_KP_TLS_WWW_CLIENT));
    assert_false(crt_has_purpose(cli, GNUTLS_KP_TLS_WWW_SERVER));
    assert_int_equal(crt_verify(cli, ca), 0);
    gnutls_x509_crt_deinit(cli);
    gnutls_x509_crt_deinit(ca);
}

static void test_generate_validity_and_serials(void **state)
{
    struct fixture *f = *state;
    const char *v6[] = {"[::1]"};
    struct sim_pki p = {NULL, NULL, NULL, NULL, NULL, NULL};
    const unsigned char v6_loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    time_t before = time(NULL), after;
    gnutls_x509_crt_t a, b, s;
    unsigned char sa[32], sb[32];
    size_t na = sizeof(sa), nb = sizeof(sb);

    (void)f;
    assert_int_equal(sim_pki_generate(&p, v6, 1, NULL, DAYS, NULL), 0);
    after = time(NULL);
    assert_null(p.client_cert); /* no client_cn, no client certificate */
    assert_null(p.client_key);
    a = crt_parse(p.ca_cert);
    s = crt_parse(p.server_cert);
    b = crt_parse(f->pki.ca_cert);
    check_validity(a, before, after);
    check_validity(s, before, after);
    assert_true(crt_has_san(s, GNUTLS_SAN_IPADDRESS, v6_loopback, 16));
    assert_int_equal(gnutls_x509_crt_get_serial(a, sa, &na), 0);
    assert_int_equal(gnutls_x509_crt_get_serial(b, sb, &nb), 0);
    assert_true(na >= 16 && nb >= 16);
    assert_false(na == nb && memcmp(sa, sb, na) == 0);
    gnutls_x509_crt_deinit(a);
    gnutls_x509_crt_deinit(b);
    gnutls_x509_crt_deinit(s);
    sim_pki_release(&p);
    assert_null(p.ca_cert);
    sim_pki_release(NULL);
}

static void test_generate_errors(void **state)
{
    const char *bad[] = {"127.0.0.1", "bad host!"};
    struct sim_pki p;
    struct vs_error e;

    (void)state;
    memset(&p, 0x55, sizeof(p)); /* garbage in: left empty on failure */
    assert_int_equal(sim_pki_generate(&p, bad, 2, CLIENT_CN, DAYS, &e), -1);
    assert_non_null(strstr(e.msg, "'bad host!'"));
    assert_null(p.ca_cert);
    assert_null(p.server_key);
    assert_int_equal(sim_pki_generate(&p, hosts, 0, CLIENT_CN, DAYS, &e), -1);
    assert_non_null(strstr(e.msg, "no host"));
    assert_int_equal(sim_pki_generate(&p, hosts, 2, CLIENT_CN, 0, &e), -1);
    assert_non_null(strstr(e.msg, "days"));
    assert_int_equal(sim_pki_generate(&p, hosts, 2, "", DAYS, &e), -1);
    assert_int_equal(sim_pki_generate(&p, hosts, 2, CLIENT_CN, DAYS, NULL), 0);
    sim_pki_release(&p);
}

/* ---- loading files ---------------------------------------------------------- */

static void test_load(void **state)
{
    struct fixture *f = *state;
    char *ca = unit_tmpfile(f->pki.ca_cert, strlen(f->pki.ca_cert));
    char *crt = unit_tmpfile(f->pki.server_cert, strlen(f->pki.server_cert));
    char *key = unit_tmpfile(f->pki.server_key, strlen(f->pki.server_key));
    char *wrong_key = unit_tmpfile(f->pki.client_key, strlen(f->pki.client_key));
    char *junk = unit_tmpfile("not a certificate\n", 18);
    char *missing = unit_tmppath();
    struct sim_pki p;
    struct vs_error e;

    assert_int_equal(sim_pki_load(&p, ca, crt, key, &e), 0);
    assert_string_equal(p.ca_cert, f->pki.ca_cert);
    assert_string_equal(p.server_cert, f->pki.server_cert);
    assert_string_equal(p.server_key, f->pki.server_key);
    assert_null(p.client_cert);
    assert_null(p.ca_key);
    sim_pki_release(&p);

    assert_int_equal(sim_pki_load(&p, ca, crt, missing, &e), -1);
    assert_string_equal(e.where, missing);
    assert_int_equal(e.code, ENOENT);
    assert_null(p.ca_cert);
    assert_int_equal(sim_pki_load(&p, junk, crt, key, &e), -1);
    assert_string_equal(e.where, junk);
    assert_int_equal(sim_pki_load(&p, ca, junk, key, &e), -1);
    assert_string_equal(e.where, junk);
    assert_int_equal(sim_pki_load(&p, ca, crt, wrong_key, &e), -1);
    assert_string_equal(e.where, wrong_key);
    assert_non_null(strstr(e.msg, "does not match"));
    assert_int_equal(sim_pki_load(&p, ca, crt, junk, &e), -1);
    assert_string_equal(e.where, junk);

    for (char **path = (char *[]){ca, crt, key, wrong_key, junk, missing, NULL}; *path; path++) {
        unlink(*path);
        free(*path);
    }
}

/* ---- a real HTTPS server asking for client certificates ----------------------- */

static void test_https_client_cert(void **state)
{
    struct fixture *f = *state;
    struct reply r;

    https_get("127.0.0.1", f->port, f->pki.ca_cert, f->pki.client_cert, f->pki.client_key, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, CLIENT_CN);
    /* the DNS name in the certificate works too */
    https_get("localhost", f->port, f->pki.ca_cert, f->pki.client_cert, f->pki.client_key, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_string_equal(r.body, CLIENT_CN);
}

static void test_https_anonymous(void **state)
{
    struct fixture *f = *state;
    struct reply r;

    https_get("127.0.0.1", f->port, f->pki.ca_cert, NULL, NULL, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "anonymous");
}

static void test_https_untrusted_server(void **state)
{
    struct fixture *f = *state;
    struct reply r;

    /* no CA given: the system's roots do not know ours */
    https_get("127.0.0.1", f->port, NULL, NULL, NULL, &r);
    assert_true(r.rc == CURLE_PEER_FAILED_VERIFICATION || r.rc == CURLE_SSL_CACERT);
    /* the other PKI's CA did not sign our server */
    https_get("127.0.0.1", f->port, f->other.ca_cert, NULL, NULL, &r);
    assert_true(r.rc == CURLE_PEER_FAILED_VERIFICATION || r.rc == CURLE_SSL_CACERT);
    /* a name the certificate does not carry */
    https_get("not-in-the-cert.test", f->port, f->pki.ca_cert, NULL, NULL, &r);
    assert_int_equal(r.rc, CURLE_PEER_FAILED_VERIFICATION);
}

static void test_https_foreign_client_cert(void **state)
{
    struct fixture *f = *state;
    struct reply r;

    https_get("127.0.0.1", f->port, f->pki.ca_cert, f->other.client_cert, f->other.client_key, &r);
    /* refused in the handshake, or by sim_tls_peer_identity: never served as "intruder" */
    assert_true(r.rc != CURLE_OK || r.status == 401);
    if (r.rc == CURLE_OK)
        assert_non_null(strstr(r.body, "does not verify"));
    assert_null(strstr(r.body, OTHER_CN));
}

static void test_peer_identity_args(void **state)
{
    struct vs_error e;
    char cn[16];

    (void)state;
    assert_int_equal(sim_tls_peer_identity(NULL, "x", cn, sizeof(cn), &e), -1);
    assert_int_equal(sim_tls_peer_identity(NULL, "x", cn, sizeof(cn), NULL), -1);
}

/* ---- kubeconfig ------------------------------------------------------------------ */

/* All scalars of a YAML text in document order; -1 if it does not parse. */
static int yaml_scalars(const char *text, char **out, size_t max, size_t *n)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    int done = 0, rc = 0;

    *n = 0;
    assert_true(yaml_parser_initialize(&parser));
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
    while (!done) {
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = -1;
            break;
        }
        if (ev.type == YAML_SCALAR_EVENT && *n < max)
            out[(*n)++] = strndup((const char *)ev.data.scalar.value, ev.data.scalar.length);
        done = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    return rc;
}

/* key followed by value among the scalars (a mapping entry). */
static int yaml_has(char **s, size_t n, const char *key, const char *value)
{
    for (size_t i = 0; i + 1 < n; i++)
        if (strcmp(s[i], key) == 0 && strcmp(s[i + 1], value) == 0)
            return 1;
    return 0;
}

static const char *yaml_value(char **s, size_t n, const char *key)
{
    for (size_t i = 0; i + 1 < n; i++)
        if (strcmp(s[i], key) == 0)
            return s[i + 1];
    return NULL;
}

static int b64_decodes_to(const char *b64, const char *expect)
{
    gnutls_datum_t in = {(unsigned char *)(uintptr_t)b64, (unsigned)strlen(b64)};
    gnutls_datum_t out = {NULL, 0};
    int same;

    if (!b64 || gnutls_base64_decode2(&in, &out) < 0)
        return 0;
    same = out.size == strlen(expect) && memcmp(out.data, expect, out.size) == 0;
    gnutls_free(out.data);
    return same;
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    char *buf = calloc(1, 1 << 20);
    size_t len;

    assert_non_null(fp);
    assert_non_null(buf);
    len = fread(buf, 1, (1 << 20) - 1, fp);
    buf[len] = '\0';
    fclose(fp);
    return buf;
}

/* Only `name` in dir: no temporary file left behind. */
static void assert_dir_holds_only(const char *dir, const char *name)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int seen = 0;

    assert_non_null(d);
    while ((de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        assert_string_equal(de->d_name, name);
        seen++;
    }
    closedir(d);
    assert_int_equal(seen, 1);
}

#define TOKEN "t0k\"en\\x" /* quotes and backslashes must survive */

static void write_kubeconfig(const struct fixture *f, const char *path)
{
    char server[64];
    struct kubeconfig_spec spec = {server, f->pki.ca_cert, TOKEN, f->pki.client_cert,
                                   f->pki.client_key};
    struct vs_error e;

    snprintf(server, sizeof(server), "https://127.0.0.1:%u", (unsigned)f->port);
    assert_int_equal(kubeconfig_write(path, &spec, &e), 0);
}

static void test_kubeconfig_write(void **state)
{
    struct fixture *f = *state;
    char dir[] = "/tmp/vmstorm-kc.XXXXXX", path[128];
    char *scalars[64], *text;
    size_t n = 0;
    struct stat st;

    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/config", dir);
    assert_int_equal(close(open(path, O_WRONLY | O_CREAT, 0644)), 0); /* replaced, not reused */
    write_kubeconfig(f, path);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_dir_holds_only(dir, "config");
    text = slurp(path);
    assert_int_equal(yaml_scalars(text, scalars, 64, &n), 0);
    assert_true(yaml_has(scalars, n, "apiVersion", "v1"));
    assert_true(yaml_has(scalars, n, "kind", "Config"));
    assert_true(yaml_has(scalars, n, "current-context", "vmstorm-sim"));
    assert_true(yaml_has(scalars, n, "name", "vmstorm-sim-token"));
    assert_true(yaml_has(scalars, n, "name", "vmstorm-sim-cert"));
    assert_true(yaml_has(scalars, n, "user", "vmstorm-sim-cert"));
    assert_true(yaml_has(scalars, n, "token", TOKEN));
    assert_true(
        b64_decodes_to(yaml_value(scalars, n, "certificate-authority-data"), f->pki.ca_cert));
    assert_true(
        b64_decodes_to(yaml_value(scalars, n, "client-certificate-data"), f->pki.client_cert));
    assert_true(b64_decodes_to(yaml_value(scalars, n, "client-key-data"), f->pki.client_key));
    for (size_t i = 0; i < n; i++)
        free(scalars[i]);
    free(text);
    unlink(path);
    rmdir(dir);
}

static void test_kubeconfig_errors(void **state)
{
    struct fixture *f = *state;
    struct kubeconfig_spec spec = {"http://127.0.0.1:8080", NULL, NULL, NULL, NULL};
    char dir[] = "/tmp/vmstorm-kc.XXXXXX", path[128], *text;
    struct vs_error e;

    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/missing/config", dir);
    assert_int_equal(kubeconfig_write(path, &spec, &e), -1);
    assert_string_equal(e.where, path);
    assert_int_equal(e.code, ENOENT);

    /* http, no token, no client certificate: a minimal file */
    snprintf(path, sizeof(path), "%s/config", dir);
    assert_int_equal(kubeconfig_write(path, &spec, &e), 0);
    text = slurp(path);
    assert_null(strstr(text, "vmstorm-sim-cert"));
    assert_null(strstr(text, "certificate-authority-data"));
    free(text);

    spec.client_cert_pem = f->pki.client_cert; /* without its key */
    assert_int_equal(kubeconfig_write(path, &spec, &e), -1);
    assert_string_equal(e.where, path);
    spec.client_cert_pem = NULL;
    spec.token = "two words";
    assert_int_equal(kubeconfig_write(path, &spec, &e), -1);
    spec.token = NULL;
    spec.server = "127.0.0.1:8080";
    assert_int_equal(kubeconfig_write(path, &spec, &e), -1);
    assert_non_null(strstr(e.msg, "'127.0.0.1:8080'"));
    assert_dir_holds_only(dir, "config");
    unlink(path);
    rmdir(dir);
}

/* ---- kubectl, when installed ------------------------------------------------------- */

/* Run a shell command and return its first output line (static buffer). */
static const char *run(const char *cmd)
{
    static char line[512];
    FILE *p = popen(cmd, "r");

    assert_non_null(p);
    if (!fgets(line, sizeof(line), p))
        line[0] = '\0';
    line[strcspn(line, "\n")] = '\0';
    pclose(p);
    return line;
}

static void test_kubectl(void **state)
{
    struct fixture *f = *state;
    char dir[] = "/tmp/vmstorm-kc.XXXXXX", path[128], cmd[512];

    if (system("command -v kubectl >/dev/null 2>&1") != 0)
        skip();
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/config", dir);
    write_kubeconfig(f, path);
    snprintf(cmd, sizeof(cmd),
             "kubectl --kubeconfig %s config view --raw -o jsonpath='{.current-context}'", path);
    assert_string_equal(run(cmd), "vmstorm-sim");
    /* Go's TLS stack trusts our CA, our IP SAN, and sends our client certificate */
    snprintf(cmd, sizeof(cmd),
             "kubectl --kubeconfig %s --cache-dir %s/cache --context vmstorm-sim-cert "
             "--request-timeout=20s get --raw /whoami 2>&1",
             path, dir);
    assert_string_equal(run(cmd), CLIENT_CN);
    snprintf(cmd, sizeof(cmd),
             "kubectl --kubeconfig %s --cache-dir %s/cache --request-timeout=20s "
             "get --raw /whoami 2>&1",
             path, dir);
    assert_string_equal(run(cmd), "anonymous");
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generate_ca),
        cmocka_unit_test(test_generate_server),
        cmocka_unit_test(test_generate_client),
        cmocka_unit_test(test_generate_validity_and_serials),
        cmocka_unit_test(test_generate_errors),
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_https_client_cert),
        cmocka_unit_test(test_https_anonymous),
        cmocka_unit_test(test_https_untrusted_server),
        cmocka_unit_test(test_https_foreign_client_cert),
        cmocka_unit_test(test_peer_identity_args),
        cmocka_unit_test(test_kubeconfig_write),
        cmocka_unit_test(test_kubeconfig_errors),
        cmocka_unit_test(test_kubectl),
    };

    return cmocka_run_group_tests_name("sim_tls", tests, group_setup, group_teardown);
}
