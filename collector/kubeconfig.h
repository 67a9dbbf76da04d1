/*
 * kubeconfig.h - connection settings from kubeconfig files, as kubectl finds
 * and reads them, and exec credential plugins.
 *
 * kube_conn_load() turns the kubeconfig(s) kubectl would use into one
 * struct kube_conn holding everything the HTTP client needs: the server URL,
 * the CA bundle and client certificate as PEM text, a bearer token, and so
 * on. Files referenced by the kubeconfig are read at load time, so the
 * client never resolves paths itself (except token_file, which it re-reads).
 *
 * Which files (client-go's loading rules):
 *   1. explicit_path (--kubeconfig) if not NULL: that file alone; it must exist;
 *   2. else $KUBECONFIG, a ':'-separated list: empty entries, repeated entries
 *      and files that do not exist are skipped; the rest are merged: for
 *      clusters, contexts and users the first file that defines a name wins
 *      (entries are not merged field by field), and the first file with a
 *      non-empty current-context sets it;
 *   3. else $HOME/.kube/config if it exists;
 *   4. when none of these holds any content (no file, or only empty ones),
 *      the in-cluster config: $KUBERNETES_SERVICE_HOST and _PORT, and the
 *      service account's token, ca.crt and namespace in
 *      /var/run/secrets/kubernetes.io/serviceaccount (or $VMSTORM_SA_DIR).
 *      The namespace is $POD_NAMESPACE, else the namespace file, else
 *      "default"; context, cluster and user are all named "in-cluster".
 * Only the first YAML document of a file is read, as kubectl does.
 *
 * Within a file, certificate-authority, client-certificate, client-key,
 * tokenFile and an exec command containing a '/' are resolved against the
 * directory of that file when relative.
 *
 * Like kubectl, these are errors: a name defined twice in one file; both
 * *-data and a file for the CA, client certificate or client key; a client
 * certificate without a key; both a token and basic auth; a CA together with
 * insecure-skip-tls-verify; a cluster with no server. Beyond kubectl, these
 * are errors too rather than silently ignored: a user the context names but
 * that is not defined, impersonation ("as", "as-groups", ...), an
 * auth-provider (use an exec plugin instead), and an exec plugin that
 * requires interactive mode (interactiveMode: Always).
 *
 * Errors name the file (or the ':'-joined list of files when the problem is
 * in the merged view) and say what is wrong and what to do; YAML syntax
 * errors carry the file:line:col from yamljson_parse().
 */
#ifndef VS_KUBECONFIG_H
#define VS_KUBECONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define KUBE_EXEC_API_V1 "client.authentication.k8s.io/v1"
#define KUBE_EXEC_API_V1BETA1 "client.authentication.k8s.io/v1beta1"

/* An exec credential plugin (users[].user.exec). All owned by the struct. */
struct kube_auth_exec {
    char *command;         /* a name looked up in $PATH, or a path (made absolute) */
    char **args;           /* NULL-terminated; never NULL after kube_conn_load */
    char **env;            /* "NAME=VALUE", NULL-terminated; never NULL after kube_conn_load */
    char *api_version;     /* KUBE_EXEC_API_V1 or KUBE_EXEC_API_V1BETA1 */
    int interactive_never; /* interactiveMode: Never (else IfAvailable) */
    char *install_hint;    /* installHint, or NULL */
};

/*
 * Everything the HTTP client needs. The struct owns every pointer;
 * kube_conn_release() frees them and wipes the secrets (token, key,
 * password) from memory.
 */
struct kube_conn {
    char *server;  /* e.g. "https://host:port" (trailing '/' removed; a path is kept) */
    char *context; /* names, for logs */
    char *cluster;
    char *user;      /* NULL when the context names no user (anonymous) */
    char *namespace; /* the context's namespace, or "default" */
    char *ca_pem;    /* CA bundle (certificate-authority-data or the file's content); NULL =
                        system CAs */
    int insecure_skip_tls_verify; /* only when the kubeconfig says so */
    char *tls_server_name;        /* cluster tls-server-name, or NULL */
    char *token;                  /* bearer token (token, else tokenFile's content, trimmed) */
    char *token_file;             /* tokenFile (absolute), or NULL: when set, the client should
                                     re-read it and prefer its current content over token, as
                                     client-go does (service account tokens rotate) */
    char *client_cert_pem;        /* client certificate and key, or both NULL */
    char *client_key_pem;
    char *username; /* basic auth, or NULL */
    char *password;
    /* The exec plugin, or NULL. NULL too when the user also has a token, a
       client certificate or basic auth: those win, as in client-go. */
    struct kube_auth_exec *exec;
    char *proxy_url; /* cluster proxy-url (http, https or socks5), or NULL */
    char *source;    /* the file(s) it came from, ':'-joined, for messages */
};

/*
 * Load connection settings like kubectl (see above). explicit_path is
 * --kubeconfig (NULL or "" = none); context is --context (NULL or "" = the
 * current-context). On success fills *c (which need not be initialised) and
 * returns 0; the caller releases it with kube_conn_release(). On failure
 * returns -1, fills err and leaves *c zeroed (nothing to release).
 *
 * When no kubeconfig and no in-cluster config exist, the error is
 * "no kubeconfig found: set KUBECONFIG, pass --kubeconfig, or run in a pod"
 * with `where` naming the paths tried.
 */
int kube_conn_load(struct kube_conn *c, const char *explicit_path, const char *context,
                   struct vs_error *err);

/* Free everything, wiping secrets first, and zero *c. Accepts NULL. */
void kube_conn_release(struct kube_conn *c);

/* Free an exec description and everything it holds. Accepts NULL. */
void kube_auth_exec_free(struct kube_auth_exec *e);

/*
 * Run an exec credential plugin (client.authentication.k8s.io/v1 or
 * v1beta1): the command with its args, in the caller's environment plus
 * e->env plus KUBERNETES_EXEC_INFO (the ExecCredential request as JSON, with
 * spec.interactive false); stdin is /dev/null. The plugin (and its process
 * group) is killed after timeout_ms (<= 0 means KUBE_EXEC_DEFAULT_TIMEOUT_MS).
 * Its stdout (at most KUBE_EXEC_STDOUT_MAX bytes) must be an ExecCredential
 * of e->api_version with status.token or status.clientCertificateData and
 * status.clientKeyData; status.expirationTimestamp (RFC 3339) becomes
 * expires_ns (Unix ns; 0 = does not expire). The start of its stderr is
 * quoted in error messages.
 *
 * On success fills *out (which need not be initialised) and returns 0;
 * release it with kube_exec_result_release(). On failure returns -1, leaves
 * *out zeroed and fills err (where empty; code: errno when the command
 * could not be started, e.g. ENOENT when not found, ETIMEDOUT on timeout).
 * Messages: "exec plugin 'cmd' not found: <install hint>", "... exited with
 * status 1: <stderr>", "... printed no valid JSON", "... returned apiVersion
 * 'x', expected 'y'", "... returned no credentials", ...
 *
 * Not thread-safe with respect to other threads changing the environment.
 */
#define KUBE_EXEC_DEFAULT_TIMEOUT_MS 60000
#define KUBE_EXEC_STDOUT_MAX (1024 * 1024)

struct kube_exec_result {
    char *token;           /* or NULL */
    char *client_cert_pem; /* both or neither */
    char *client_key_pem;
    int64_t expires_ns; /* 0 = none */
};

int kube_exec_run(const struct kube_auth_exec *e, int timeout_ms, struct kube_exec_result *out,
                  struct vs_error *err);

/* Free and wipe the result, and zero *r. Accepts NULL. */
void kube_exec_result_release(struct kube_exec_result *r);

/*
 * Describe c in one line without secrets, e.g.
 *   "context 'kind', cluster 'kind' at https://127.0.0.1:6443; user 'admin' (client certificate)"
 * The auth part lists what is present: token, client certificate, basic,
 * "exec: CMD", or "none"; " (insecure-skip-tls-verify)" follows the server
 * when set. Credentials in the server URL (user:password@) are left out.
 * Never includes a token, key or password. Writes at most n bytes including
 * the NUL (buf may be NULL when n is 0) and returns the length of the full
 * text, as snprintf does.
 */
size_t kube_conn_describe(const struct kube_conn *c, char *buf, size_t n);

#endif
