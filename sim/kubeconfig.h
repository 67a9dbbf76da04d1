/*
 * kubeconfig.h - write a kubeconfig that points kubectl (and vmstorm-collect)
 * at the simulator.
 */
#ifndef SIM_KUBECONFIG_H
#define SIM_KUBECONFIG_H

#include "error.h"

/* Names used in the written file. */
#define KUBECONFIG_CLUSTER "vmstorm-sim"
#define KUBECONFIG_TOKEN_USER "vmstorm-sim-token"
#define KUBECONFIG_CERT_USER "vmstorm-sim-cert"
#define KUBECONFIG_TOKEN_CONTEXT "vmstorm-sim"
#define KUBECONFIG_CERT_CONTEXT "vmstorm-sim-cert"

/* What to write; the strings are borrowed, not copied. */
struct kubeconfig_spec {
    const char *server;      /* "https://127.0.0.1:8443" or "http://..."; required */
    const char *ca_cert_pem; /* NULL: no certificate-authority-data (http, or a public CA) */
    const char *token;       /* bearer token; NULL: the token user has no credentials */
    const char *client_cert_pem, *client_key_pem; /* both or neither; NULL: no cert user */
};

/*
 * Write a kubectl-compatible kubeconfig (YAML, apiVersion v1, kind Config)
 * to path: cluster "vmstorm-sim" (server, certificate-authority-data =
 * base64 of the CA PEM), user "vmstorm-sim-token" (token) and, when a client
 * certificate is given, user "vmstorm-sim-cert" (client-certificate-data,
 * client-key-data); contexts "vmstorm-sim" (token user, the current-context)
 * and "vmstorm-sim-cert" (cert user, only with a client certificate).
 *
 * The file holds credentials: it is written with mode 0600 to PATH.tmp.PID,
 * fsync'ed and renamed over path, so a reader never sees half of it. Errors
 * name path. Returns 0, or -1 with err (and no temporary file left).
 */
int kubeconfig_write(const char *path, const struct kubeconfig_spec *spec, struct vs_error *err);

#endif
