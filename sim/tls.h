/*
 * tls.h - certificates for the simulator (GnuTLS x509 API).
 *
 * sim_pki_generate() makes a throw-away CA, a serving certificate and a
 * client certificate, so `vmstorm-sim --tls` needs no files; sim_pki_load()
 * takes user-provided PEM files instead. sim_tls_peer_identity() tells the
 * request handler who is on the other end of a TLS connection.
 *
 * Keys are ECDSA P-256 in unencrypted PKCS#8 PEM ("PRIVATE KEY"), which
 * GnuTLS, OpenSSL (curl) and Go (kubectl) all read.
 */
#ifndef SIM_TLS_H
#define SIM_TLS_H

#include <stddef.h>

#include "error.h"

/*
 * PEM strings, NUL-terminated. The struct owns every string;
 * sim_pki_release() frees them. Fields not filled are NULL.
 */
struct sim_pki {
    char *ca_cert, *ca_key;
    char *server_cert, *server_key;
    /* signed by the CA, CN = client_cn, O = "system:masters" (Kubernetes' admin group) */
    char *client_cert, *client_key;
};

/* Organization (Kubernetes group) put in generated client certificates. */
#define SIM_TLS_CLIENT_GROUP "system:masters"

/*
 * Fill pki (which must be zeroed or released) with a fresh CA (CN
 * "vmstorm-sim-ca", basicConstraints CA:TRUE, keyUsage keyCertSign+cRLSign),
 * a serving certificate for `hosts` and a client certificate.
 *
 * hosts: nhosts >= 1 entries, each an IPv4/IPv6 address ("127.0.0.1", "::1",
 * "[::1]"), written as an IP subjectAltName, or a DNS name ("localhost"),
 * written as a DNS subjectAltName. The serving certificate has keyUsage
 * digitalSignature and extKeyUsage serverAuth; its CN is hosts[0].
 * client_cn: CN of the client certificate (extKeyUsage clientAuth); NULL
 * makes no client certificate. Validity is now-1h .. now+days, 1 <= days <=
 * 36500; serial numbers are random. On failure pki is left empty.
 */
int sim_pki_generate(struct sim_pki *pki, const char *const *hosts, size_t nhosts,
                     const char *client_cn, unsigned days, struct vs_error *err);

/*
 * Fill pki (zeroed or released) from PEM files: the CA certificate(s) that
 * client certificates must chain to, the serving certificate (chain) and its
 * private key (must match the certificate). Client fields stay NULL; ca_key
 * stays NULL. Errors name the file. On failure pki is left empty.
 */
int sim_pki_load(struct sim_pki *pki, const char *ca_cert_file, const char *cert_file,
                 const char *key_file, struct vs_error *err);

/* Free every string and zero the struct. Accepts NULL. */
void sim_pki_release(struct sim_pki *pki);

/*
 * Who is the TLS peer? gnutls_session is a gnutls_session_t, e.g.
 * MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION)->tls_session.
 * If the peer sent a certificate chain that verifies against ca_cert_pem (one
 * or more PEM certificates) for client authentication (extKeyUsage
 * clientAuth or none), copy its subject CN into cn (size n, NUL-terminated)
 * and return 1. Return 0 if no certificate was sent. Return -1 with err if
 * one was sent but does not verify, has no CN, or the CN does not fit.
 * Thread-safe; parses ca_cert_pem on each call.
 */
int sim_tls_peer_identity(void *gnutls_session, const char *ca_cert_pem, char *cn, size_t n,
                          struct vs_error *err);

#endif
