#include "tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "fsutil.h"

#define TLS_CA_CN "vmstorm-sim-ca"
#define TLS_MAX_DAYS 36500u
#define TLS_BACKDATE 3600          /* seconds: tolerate clocks a little behind */
#define TLS_FILE_MAX (1024 * 1024) /* PEM files larger than this are refused */
#define TLS_MAX_CHAIN 16           /* peer certificates looked at */
#define TLS_MAX_NAME 253           /* longest DNS name */

/* A key pair and its certificate while it is being built. */
struct tls_cred {
    gnutls_x509_privkey_t key;
    gnutls_x509_crt_t crt;
};

/* What differs between the serving and the client certificate. */
struct tls_leaf {
    const char *cn;
    const char *org;     /* NULL: no O */
    const char *purpose; /* extKeyUsage OID */
    const char *const *hosts;
    size_t nhosts;
};

/* 0 if rc is a GnuTLS success, else -1 with "cannot WHAT: reason". */
static int tls_check(int rc, const char *what, struct vs_error *err)
{
    if (rc >= 0)
        return 0;
    return vs_error_set(err, NULL, 0, 0, "cannot %s: %s", what, gnutls_strerror(rc));
}

static void tls_cred_release(struct tls_cred *c)
{
    if (c->crt)
        gnutls_x509_crt_deinit(c->crt);
    if (c->key)
        gnutls_x509_privkey_deinit(c->key);
    c->crt = NULL;
    c->key = NULL;
}

static int tls_set_serial(gnutls_x509_crt_t crt, struct vs_error *err)
{
    unsigned char serial[16];

    if (tls_check(gnutls_rnd(GNUTLS_RND_RANDOM, serial, sizeof(serial)), "make a serial number",
                  err) < 0)
        return -1;
    /* positive (RFC 5280 4.1.2.2) and never shorter than 16 bytes in DER */
    serial[0] = (unsigned char)((serial[0] & 0x7f) | 0x40);
    return tls_check(gnutls_x509_crt_set_serial(crt, serial, sizeof(serial)), "set the serial",
                     err);
}

static int tls_set_dn(gnutls_x509_crt_t crt, const char *cn, const char *org, struct vs_error *err)
{
    if (org && tls_check(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_ORGANIZATION_NAME, 0,
                                                       org, (unsigned)strlen(org)),
                         "set the organization", err) < 0)
        return -1;
    return tls_check(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn,
                                                   (unsigned)strlen(cn)),
                     "set the common name", err);
}

/* Subject key identifier = SHA-1 of the public key, as RFC 5280 suggests. */
static int tls_set_ski(gnutls_x509_crt_t crt, struct vs_error *err)
{
    unsigned char id[64];
    size_t size = sizeof(id);

    if (tls_check(gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA1, id, &size),
                  "compute the key id", err) < 0)
        return -1;
    return tls_check(gnutls_x509_crt_set_subject_key_id(crt, id, size), "set the key id", err);
}

/* A fresh P-256 key and an unsigned v3 certificate for it: subject, serial, validity. */
static int tls_cred_init(struct tls_cred *c, const char *cn, const char *org, time_t now,
                         unsigned days, struct vs_error *err)
{
    if (tls_check(gnutls_x509_privkey_init(&c->key), "allocate a key", err) < 0 ||
        tls_check(gnutls_x509_privkey_generate2(c->key, GNUTLS_PK_ECDSA,
                                                GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0,
                                                NULL, 0),
                  "generate an ECDSA P-256 key", err) < 0 ||
        tls_check(gnutls_x509_crt_init(&c->crt), "allocate a certificate", err) < 0 ||
        tls_check(gnutls_x509_crt_set_version(c->crt, 3), "set the version", err) < 0 ||
        tls_set_serial(c->crt, err) < 0 || tls_set_dn(c->crt, cn, org, err) < 0 ||
        tls_check(gnutls_x509_crt_set_activation_time(c->crt, now - TLS_BACKDATE),
                  "set the start of validity", err) < 0 ||
        tls_check(gnutls_x509_crt_set_expiration_time(c->crt, now + (time_t)days * 86400),
                  "set the end of validity", err) < 0 ||
        tls_check(gnutls_x509_crt_set_key(c->crt, c->key), "set the public key", err) < 0 ||
        tls_set_ski(c->crt, err) < 0)
        return -1;
    return 0;
}

static int tls_make_ca(struct tls_cred *ca, time_t now, unsigned days, struct vs_error *err)
{
    if (tls_cred_init(ca, TLS_CA_CN, NULL, now, days, err) < 0 ||
        tls_check(gnutls_x509_crt_set_basic_constraints(ca->crt, 1, 0), "set basic constraints",
                  err) < 0 ||
        tls_check(
            gnutls_x509_crt_set_key_usage(ca->crt, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN),
            "set the key usage", err) < 0 ||
        tls_check(gnutls_x509_crt_sign2(ca->crt, ca->crt, ca->key, GNUTLS_DIG_SHA256, 0),
                  "self-sign the CA certificate", err) < 0)
        return -1;
    return 0;
}

/* "[::1]" -> "::1" in out; other names are copied. -1 if it does not fit. */
static int tls_host_unbracket(const char *host, char *out, size_t n)
{
    size_t len = strlen(host);

    if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
        host++;
        len -= 2;
    }
    if (len == 0 || len >= n)
        return -1;
    memcpy(out, host, len);
    out[len] = '\0';
    return 0;
}

static int tls_dns_name_ok(const char *name)
{
    for (const char *p = name; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '-' || *p == '_' || *p == '*'))
            return 0;
    }
    return name[0] != '.' && name[0] != '-';
}

/* Append one host to the subjectAltName: an IP entry for addresses, else DNS. */
static int tls_add_host(gnutls_x509_crt_t crt, const char *host, struct vs_error *err)
{
    char name[TLS_MAX_NAME + 1];
    unsigned char ip[16];
    int rc;

    if (tls_host_unbracket(host, name, sizeof(name)) < 0)
        return vs_error_set(err, NULL, 0, 0, "bad host name '%s' for the serving certificate",
                            host);
    if (inet_pton(AF_INET, name, ip) == 1)
        rc = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, ip, 4,
                                                  GNUTLS_FSAN_APPEND);
    else if (inet_pton(AF_INET6, name, ip) == 1)
        rc = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, ip, 16,
                                                  GNUTLS_FSAN_APPEND);
    else if (tls_dns_name_ok(name))
        rc = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, name,
                                                  (unsigned)strlen(name), GNUTLS_FSAN_APPEND);
    else
        return vs_error_set(err, NULL, 0, 0, "bad host name '%s' for the serving certificate",
                            host);
    if (rc < 0)
        return vs_error_set(err, NULL, 0, 0, "cannot add '%s' to the serving certificate: %s", host,
                            gnutls_strerror(rc));
    return 0;
}

/* The AKI of a certificate signed by ca is the CA's SKI. */
static int tls_set_aki(gnutls_x509_crt_t crt, const struct tls_cred *ca, struct vs_error *err)
{
    unsigned char id[64];
    size_t size = sizeof(id);
    unsigned critical;

    if (tls_check(gnutls_x509_crt_get_subject_key_id(ca->crt, id, &size, &critical),
                  "read the CA key id", err) < 0)
        return -1;
    return tls_check(gnutls_x509_crt_set_authority_key_id(crt, id, size),
                     "set the authority key id", err);
}

/*
 * An end-entity certificate signed by ca. ECDSA keys sign, they do not
 * encipher, so keyUsage is digitalSignature alone (RFC 5480 section 3).
 */
static int tls_make_leaf(struct tls_cred *c, const struct tls_leaf *leaf, const struct tls_cred *ca,
                         time_t now, unsigned days, struct vs_error *err)
{
    if (tls_cred_init(c, leaf->cn, leaf->org, now, days, err) < 0 ||
        tls_check(gnutls_x509_crt_set_basic_constraints(c->crt, 0, -1), "set basic constraints",
                  err) < 0 ||
        tls_check(gnutls_x509_crt_set_key_usage(c->crt, GNUTLS_KEY_DIGITAL_SIGNATURE),
                  "set the key usage", err) < 0 ||
        tls_check(gnutls_x509_crt_set_key_purpose_oid(c->crt, leaf->purpose, 0),
                  "set the extended key usage", err) < 0 ||
        tls_set_aki(c->crt, ca, err) < 0)
        return -1;
    for (size_t i = 0; i < leaf->nhosts; i++)
        if (tls_add_host(c->crt, leaf->hosts[i], err) < 0)
            return -1;
    return tls_check(gnutls_x509_crt_sign2(c->crt, ca->crt, ca->key, GNUTLS_DIG_SHA256, 0),
                     "sign the certificate", err);
}

/* A NUL-terminated malloc'ed copy of a GnuTLS datum, which is then freed. */
static char *tls_datum_str(gnutls_datum_t *d)
{
    char *s = malloc((size_t)d->size + 1);

    if (s) {
        memcpy(s, d->data, d->size);
        s[d->size] = '\0';
    }
    gnutls_free(d->data);
    d->data = NULL;
    return s;
}

/* Certificate and key as PEM strings (malloc'ed) into *cert and *key. */
static int tls_export(const struct tls_cred *c, char **cert, char **key, struct vs_error *err)
{
    gnutls_datum_t d = {NULL, 0};

    if (tls_check(gnutls_x509_crt_export2(c->crt, GNUTLS_X509_FMT_PEM, &d),
                  "export the certificate", err) < 0)
        return -1;
    if (!(*cert = tls_datum_str(&d)))
        return vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory");
    if (tls_check(gnutls_x509_privkey_export2_pkcs8(c->key, GNUTLS_X509_FMT_PEM, NULL,
                                                    GNUTLS_PKCS_PLAIN, &d),
                  "export the key", err) < 0)
        return -1;
    if (!(*key = tls_datum_str(&d)))
        return vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory");
    return 0;
}

static int tls_generate_args_ok(const char *const *hosts, size_t nhosts, const char *client_cn,
                                unsigned days, struct vs_error *err)
{
    if (!hosts || nhosts == 0)
        return vs_error_set(err, NULL, 0, 0, "no host names for the serving certificate");
    if (days == 0 || days > TLS_MAX_DAYS)
        return vs_error_set(err, NULL, 0, 0, "certificate validity of %u days is not in 1..%u",
                            days, TLS_MAX_DAYS);
    if (client_cn && (client_cn[0] == '\0' || strlen(client_cn) > 64))
        return vs_error_set(err, NULL, 0, 0, "client common name '%s' must have 1 to 64 characters",
                            client_cn);
    return 0;
}

int sim_pki_generate(struct sim_pki *pki, const char *const *hosts, size_t nhosts,
                     const char *client_cn, unsigned days, struct vs_error *err)
{
    struct tls_cred ca = {NULL, NULL}, server = {NULL, NULL}, client = {NULL, NULL};
    struct tls_leaf sl = {NULL, NULL, GNUTLS_KP_TLS_WWW_SERVER, hosts, nhosts};
    struct tls_leaf cl = {client_cn, SIM_TLS_CLIENT_GROUP, GNUTLS_KP_TLS_WWW_CLIENT, NULL, 0};
    struct sim_pki out = {NULL, NULL, NULL, NULL, NULL, NULL};
    char cn[TLS_MAX_NAME + 1];
    time_t now = time(NULL);
    int rc = -1;

    if (tls_generate_args_ok(hosts, nhosts, client_cn, days, err) < 0)
        goto out;
    if (tls_host_unbracket(hosts[0], cn, sizeof(cn)) < 0) {
        vs_error_set(err, NULL, 0, 0, "bad host name '%s' for the serving certificate", hosts[0]);
        goto out;
    }
    sl.cn = strlen(cn) <= 64 ? cn : "vmstorm-sim"; /* X.520 caps CN at 64; the SANs count */
    if (tls_make_ca(&ca, now, days, err) < 0 ||
        tls_make_leaf(&server, &sl, &ca, now, days, err) < 0 ||
        (client_cn && tls_make_leaf(&client, &cl, &ca, now, days, err) < 0))
        goto out;
    if (tls_export(&ca, &out.ca_cert, &out.ca_key, err) < 0 ||
        tls_export(&server, &out.server_cert, &out.server_key, err) < 0 ||
        (client_cn && tls_export(&client, &out.client_cert, &out.client_key, err) < 0))
        goto out;
    *pki = out;
    memset(&out, 0, sizeof(out));
    rc = 0;
out:
    sim_pki_release(&out);
    tls_cred_release(&ca);
    tls_cred_release(&server);
    tls_cred_release(&client);
    if (rc < 0)
        memset(pki, 0, sizeof(*pki));
    return rc;
}

/* Parse the first certificate of a PEM text (a bundle or chain) into *first. */
static int tls_parse_certs(const char *pem, const char *path, gnutls_x509_crt_t *first,
                           struct vs_error *err)
{
    gnutls_datum_t d = {(unsigned char *)(uintptr_t)pem, (unsigned)strlen(pem)};
    gnutls_x509_crt_t *list = NULL;
    unsigned n = 0;
    int rc = gnutls_x509_crt_list_import2(&list, &n, &d, GNUTLS_X509_FMT_PEM, 0);

    if (rc < 0 || n == 0)
        return vs_error_set(err, path, 0, 0, "no usable PEM certificate: %s",
                            gnutls_strerror(rc < 0 ? rc : GNUTLS_E_NO_CERTIFICATE_FOUND));
    *first = list[0];
    for (unsigned i = 1; i < n; i++)
        gnutls_x509_crt_deinit(list[i]);
    gnutls_free(list);
    return 0;
}

/* The key in key_pem parses and belongs to the certificate in cert_pem. */
static int tls_check_key(const char *cert_pem, const char *key_pem, const char *cert_file,
                         const char *key_file, struct vs_error *err)
{
    gnutls_datum_t d = {(unsigned char *)(uintptr_t)key_pem, (unsigned)strlen(key_pem)};
    gnutls_x509_crt_t crt = NULL;
    gnutls_x509_privkey_t key = NULL;
    unsigned char id1[64], id2[64];
    size_t n1 = sizeof(id1), n2 = sizeof(id2);
    int rc = -1, grc;

    if (tls_parse_certs(cert_pem, cert_file, &crt, err) < 0)
        return -1;
    if ((grc = gnutls_x509_privkey_init(&key)) < 0 ||
        (grc = gnutls_x509_privkey_import2(key, &d, GNUTLS_X509_FMT_PEM, NULL, 0)) < 0) {
        vs_error_set(err, key_file, 0, 0, "no usable unencrypted PEM private key: %s",
                     gnutls_strerror(grc));
        goto out;
    }
    if (gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA256, id1, &n1) < 0 ||
        gnutls_x509_privkey_get_key_id(key, GNUTLS_KEYID_USE_SHA256, id2, &n2) < 0 || n1 != n2 ||
        memcmp(id1, id2, n1) != 0) {
        vs_error_set(err, key_file, 0, 0, "key does not match the certificate in '%s'", cert_file);
        goto out;
    }
    rc = 0;
out:
    if (key)
        gnutls_x509_privkey_deinit(key);
    gnutls_x509_crt_deinit(crt);
    return rc;
}

int sim_pki_load(struct sim_pki *pki, const char *ca_cert_file, const char *cert_file,
                 const char *key_file, struct vs_error *err)
{
    struct sim_pki out = {NULL, NULL, NULL, NULL, NULL, NULL};
    gnutls_x509_crt_t ca = NULL;

    memset(pki, 0, sizeof(*pki));
    if (!(out.ca_cert = fs_read_file(ca_cert_file, TLS_FILE_MAX, NULL, err)) ||
        !(out.server_cert = fs_read_file(cert_file, TLS_FILE_MAX, NULL, err)) ||
        !(out.server_key = fs_read_file(key_file, TLS_FILE_MAX, NULL, err)))
        goto fail;
    if (tls_parse_certs(out.ca_cert, ca_cert_file, &ca, err) < 0)
        goto fail;
    gnutls_x509_crt_deinit(ca);
    if (tls_check_key(out.server_cert, out.server_key, cert_file, key_file, err) < 0)
        goto fail;
    *pki = out;
    return 0;
fail:
    sim_pki_release(&out);
    return -1;
}

static void tls_free_secret(char *s)
{
    if (s) {
        /* keys should not linger in freed memory */
        explicit_bzero(s, strlen(s));
        free(s);
    }
}

void sim_pki_release(struct sim_pki *pki)
{
    if (!pki)
        return;
    free(pki->ca_cert);
    tls_free_secret(pki->ca_key);
    free(pki->server_cert);
    tls_free_secret(pki->server_key);
    free(pki->client_cert);
    tls_free_secret(pki->client_key);
    memset(pki, 0, sizeof(*pki));
}

/* Import the peer's DER chain, leaf first, into crts; returns the count or -1. */
static int tls_import_peers(const gnutls_datum_t *peers, unsigned npeers, gnutls_x509_crt_t *crts,
                            struct vs_error *err)
{
    unsigned n = npeers < TLS_MAX_CHAIN ? npeers : TLS_MAX_CHAIN;
    int rc = 0;

    for (unsigned i = 0; i < n; i++) {
        if ((rc = gnutls_x509_crt_init(&crts[i])) < 0) {
            n = i;
            break;
        }
        if ((rc = gnutls_x509_crt_import(crts[i], &peers[i], GNUTLS_X509_FMT_DER)) < 0) {
            n = i + 1;
            break;
        }
    }
    if (rc >= 0)
        return (int)n;
    for (unsigned i = 0; i < n; i++)
        gnutls_x509_crt_deinit(crts[i]);
    return vs_error_set(err, NULL, 0, 0, "cannot parse the client certificate: %s",
                        gnutls_strerror(rc));
}

/* Verify chain against the CA(s) in ca_pem for client authentication. */
static int tls_verify_client(gnutls_x509_crt_t *chain, unsigned n, const char *ca_pem,
                             struct vs_error *err)
{
    gnutls_datum_t ca = {(unsigned char *)(uintptr_t)ca_pem, (unsigned)strlen(ca_pem)};
    gnutls_typed_vdata_st purpose = {GNUTLS_DT_KEY_PURPOSE_OID,
                                     (unsigned char *)(uintptr_t)GNUTLS_KP_TLS_WWW_CLIENT, 0};
    gnutls_x509_trust_list_t tl = NULL;
    gnutls_datum_t why = {NULL, 0};
    unsigned status = 0;
    int rc;

    if ((rc = gnutls_x509_trust_list_init(&tl, 0)) < 0 ||
        (rc = gnutls_x509_trust_list_add_trust_mem(tl, &ca, NULL, GNUTLS_X509_FMT_PEM, 0, 0)) <=
            0) {
        if (tl)
            gnutls_x509_trust_list_deinit(tl, 1);
        return vs_error_set(err, NULL, 0, 0, "no usable CA certificate to verify clients: %s",
                            gnutls_strerror(rc < 0 ? rc : GNUTLS_E_NO_CERTIFICATE_FOUND));
    }
    rc = gnutls_x509_trust_list_verify_crt2(tl, chain, n, &purpose, 1, 0, &status, NULL);
    gnutls_x509_trust_list_deinit(tl, 1);
    if (rc < 0)
        return vs_error_set(err, NULL, 0, 0, "cannot verify the client certificate: %s",
                            gnutls_strerror(rc));
    if (status == 0)
        return 0;
    if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &why, 0) < 0)
        return vs_error_set(err, NULL, 0, 0, "client certificate does not verify");
    while (why.size > 0 && (why.data[why.size - 1] == ' ' || why.data[why.size - 1] == '\0'))
        why.size--;
    vs_error_set(err, NULL, 0, 0, "client certificate does not verify: %.*s", (int)why.size,
                 (const char *)why.data);
    gnutls_free(why.data);
    return -1;
}

static int tls_copy_cn(gnutls_x509_crt_t crt, char *cn, size_t n, struct vs_error *err)
{
    size_t size = n;
    int rc = gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, cn, &size);

    if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
        return vs_error_set(err, NULL, 0, 0, "client certificate has no common name");
    if (rc == GNUTLS_E_SHORT_MEMORY_BUFFER)
        return vs_error_set(err, NULL, 0, 0, "client certificate common name is too long");
    if (rc < 0)
        return vs_error_set(err, NULL, 0, 0, "cannot read the client common name: %s",
                            gnutls_strerror(rc));
    if (strlen(cn) != size)
        return vs_error_set(err, NULL, 0, 0, "client common name holds a NUL byte");
    return 0;
}

int sim_tls_peer_identity(void *gnutls_session, const char *ca_cert_pem, char *cn, size_t n,
                          struct vs_error *err)
{
    gnutls_session_t session = gnutls_session;
    gnutls_x509_crt_t chain[TLS_MAX_CHAIN];
    const gnutls_datum_t *peers;
    unsigned npeers = 0;
    int count, rc;

    if (!session || !ca_cert_pem || !cn || n == 0)
        return vs_error_set(err, NULL, 0, 0, "no TLS session, CA or buffer for the peer name");
    cn[0] = '\0';
    peers = gnutls_certificate_get_peers(session, &npeers);
    if (!peers || npeers == 0)
        return 0;
    if (gnutls_certificate_type_get2(session, GNUTLS_CTYPE_PEERS) != GNUTLS_CRT_X509)
        return vs_error_set(err, NULL, 0, 0, "client certificate is not X.509");
    if ((count = tls_import_peers(peers, npeers, chain, err)) < 0)
        return -1;
    rc = tls_verify_client(chain, (unsigned)count, ca_cert_pem, err);
    if (rc == 0)
        rc = tls_copy_cn(chain[0], cn, n, err);
    for (int i = 0; i < count; i++)
        gnutls_x509_crt_deinit(chain[i]);
    if (rc < 0) {
        cn[0] = '\0';
        return -1;
    }
    return 1;
}
