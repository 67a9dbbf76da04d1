#include "kubeconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "vbuf.h"

#define KC_MAX_SIZE (16 * 1024 * 1024) /* a kubeconfig is a few KiB */

/* Printable ASCII without spaces: what URLs and bearer tokens are made of. */
static int kc_is_token_text(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < 0x21 || *s > 0x7e)
            return 0;
    return 1;
}

static int kc_check_spec(const struct kubeconfig_spec *spec, const char *path, struct vs_error *err)
{
    if (!spec || !spec->server)
        return vs_error_set(err, path, 0, 0, "no server for the kubeconfig");
    if ((strncmp(spec->server, "https://", 8) != 0 && strncmp(spec->server, "http://", 7) != 0) ||
        !kc_is_token_text(spec->server))
        return vs_error_set(err, path, 0, 0, "server '%s' is not an http:// or https:// URL",
                            spec->server);
    if (spec->token && !kc_is_token_text(spec->token))
        return vs_error_set(err, path, 0, 0,
                            "token must be printable ASCII without spaces, and not empty");
    if (!spec->client_cert_pem != !spec->client_key_pem)
        return vs_error_set(err, path, 0, 0, "client certificate and key must come together");
    return 0;
}

/* s as a YAML double-quoted scalar; s passed kc_is_token_text. */
static int kc_add_quoted(struct vbuf *b, const char *s)
{
    if (vbuf_addc(b, '"') < 0)
        return -1;
    for (; *s; s++) {
        int escape = *s == '"' || *s == '\\';

        if ((escape && vbuf_addc(b, '\\') < 0) || vbuf_addc(b, *s) < 0)
            return -1;
    }
    return vbuf_addc(b, '"');
}

/* "KEY: BASE64(pem)\n" with the given indentation; base64 has no line breaks. */
static int kc_add_b64(struct vbuf *b, const char *indent_key, const char *pem)
{
    gnutls_datum_t in = {(unsigned char *)(uintptr_t)pem, (unsigned)strlen(pem)};
    gnutls_datum_t out = {NULL, 0};
    int rc;

    if (gnutls_base64_encode2(&in, &out) < 0) {
        errno = ENOMEM;
        return -1;
    }
    rc = vbuf_addf(b, "%s: %.*s\n", indent_key, (int)out.size, (const char *)out.data);
    gnutls_free(out.data);
    return rc;
}

static int kc_render_cluster(struct vbuf *b, const struct kubeconfig_spec *spec)
{
    if (vbuf_adds(b, "clusters:\n- name: " KUBECONFIG_CLUSTER "\n  cluster:\n    server: ") < 0 ||
        kc_add_quoted(b, spec->server) < 0 || vbuf_addc(b, '\n') < 0)
        return -1;
    if (spec->ca_cert_pem && kc_add_b64(b, "    certificate-authority-data", spec->ca_cert_pem) < 0)
        return -1;
    return 0;
}

static int kc_render_users(struct vbuf *b, const struct kubeconfig_spec *spec)
{
    if (vbuf_adds(b, "users:\n- name: " KUBECONFIG_TOKEN_USER "\n") < 0)
        return -1;
    if (!spec->token) {
        if (vbuf_adds(b, "  user: {}\n") < 0)
            return -1;
    } else if (vbuf_adds(b, "  user:\n    token: ") < 0 || kc_add_quoted(b, spec->token) < 0 ||
               vbuf_addc(b, '\n') < 0) {
        return -1;
    }
    if (!spec->client_cert_pem)
        return 0;
    if (vbuf_adds(b, "- name: " KUBECONFIG_CERT_USER "\n  user:\n") < 0 ||
        kc_add_b64(b, "    client-certificate-data", spec->client_cert_pem) < 0 ||
        kc_add_b64(b, "    client-key-data", spec->client_key_pem) < 0)
        return -1;
    return 0;
}

static int kc_render_contexts(struct vbuf *b, const struct kubeconfig_spec *spec)
{
    if (vbuf_adds(b, "contexts:\n"
                     "- name: " KUBECONFIG_TOKEN_CONTEXT "\n"
                     "  context:\n"
                     "    cluster: " KUBECONFIG_CLUSTER "\n"
                     "    user: " KUBECONFIG_TOKEN_USER "\n") < 0)
        return -1;
    if (spec->client_cert_pem && vbuf_adds(b, "- name: " KUBECONFIG_CERT_CONTEXT "\n"
                                              "  context:\n"
                                              "    cluster: " KUBECONFIG_CLUSTER "\n"
                                              "    user: " KUBECONFIG_CERT_USER "\n") < 0)
        return -1;
    return vbuf_adds(b, "current-context: " KUBECONFIG_TOKEN_CONTEXT "\n");
}

static int kc_render(struct vbuf *b, const struct kubeconfig_spec *spec)
{
    if (vbuf_adds(b, "# written by vmstorm-sim; holds credentials\n"
                     "apiVersion: v1\n"
                     "kind: Config\n"
                     "preferences: {}\n") < 0 ||
        kc_render_cluster(b, spec) < 0 || kc_render_users(b, spec) < 0 ||
        kc_render_contexts(b, spec) < 0)
        return -1;
    return 0;
}

static int kc_write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Best effort: make the rename itself durable. A failure here loses nothing. */
static void kc_sync_dir(const char *path)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    int fd;

    if (!slash)
        snprintf(dir, sizeof(dir), ".");
    else if (slash == path)
        snprintf(dir, sizeof(dir), "/");
    else
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

/* data into tmp (mode 0600, synced), then renamed to path. */
static int kc_write_atomic(const char *path, const char *tmp, const char *data, size_t len,
                           struct vs_error *err)
{
    int fd;

    (void)unlink(tmp); /* a leftover of a crashed run with our pid */
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return vs_error_setc(err, errno, path, 0, 0, "cannot create '%s': %s", tmp,
                             strerror(errno));
    if (fchmod(fd, 0600) < 0 || kc_write_all(fd, data, len) < 0 || fsync(fd) < 0) {
        int e = errno;

        close(fd);
        unlink(tmp);
        return vs_error_setc(err, e, path, 0, 0, "cannot write '%s': %s", tmp, strerror(e));
    }
    if (close(fd) < 0 || rename(tmp, path) < 0) {
        int e = errno;

        unlink(tmp);
        return vs_error_setc(err, e, path, 0, 0, "cannot write: %s", strerror(e));
    }
    kc_sync_dir(path);
    return 0;
}

int kubeconfig_write(const char *path, const struct kubeconfig_spec *spec, struct vs_error *err)
{
    struct vbuf b = VBUF_INIT(KC_MAX_SIZE);
    char tmp[PATH_MAX];
    int n, rc = -1;

    if (!path || !*path)
        return vs_error_set(err, NULL, 0, 0, "no path for the kubeconfig");
    if (kc_check_spec(spec, path, err) < 0)
        return -1;
    n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof(tmp))
        return vs_error_setc(err, ENAMETOOLONG, path, 0, 0, "path is too long");
    if (kc_render(&b, spec) < 0) {
        vs_error_setc(err, errno, path, 0, 0, "cannot build the kubeconfig: %s", strerror(errno));
        goto out;
    }
    rc = kc_write_atomic(path, tmp, b.data, b.len, err);
out:
    if (b.data)
        explicit_bzero(b.data, b.len); /* it held keys and a token */
    vbuf_release(&b);
    return rc;
}
