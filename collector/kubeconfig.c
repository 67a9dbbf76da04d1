/*
 * kubeconfig.c - kubeconfig files to connection settings, as kubectl reads
 * them (client-go's clientcmd loading rules; see kubeconfig.h).
 *
 * The files are parsed with yamljson into cJSON trees and kept side by side
 * (struct kc_set); a name is looked up in file order, which is kubectl's
 * "first file to define a name wins" merge without building a merged copy,
 * and lets every message name the file an entry came from.
 */
#include "kubeconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cJSON.h>

#include "yamljson.h"

#define KC_FILE_MAX (16L * 1024 * 1024) /* any file we read: kubeconfig, CA, key, token */
#define KC_SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"
#define KC_NAMES_MAX 200 /* the "(contexts: a, b)" part of messages */

/* One kubeconfig file. */
struct kc_file {
    char *path; /* as given */
    char *dir;  /* its directory, absolute: base of relative references */
    cJSON *doc; /* its first document, a mapping; NULL when the file is empty */
};

/* The files in kubectl's order of precedence. */
struct kc_set {
    struct kc_file *files;
    size_t n;
    char *tried;  /* every path looked at, ':'-joined (NULL if none) */
    char *source; /* the files that exist, ':'-joined (NULL if none) */
};

/* One entry of a file ("cluster 'kind'"), for reading fields and for messages. */
struct kc_entry {
    const struct kc_file *f;
    const char *kind; /* "cluster", "context", "user", "exec plugin of user" */
    const char *name;
    const cJSON *body; /* the mapping under the entry; NULL when absent */
};

/* A bounded string appender that counts what it would have written (snprintf-style). */
struct kc_out {
    char *buf;
    size_t n;   /* size of buf */
    size_t len; /* length of the full text so far */
};

/* ---- small helpers -------------------------------------------------------------- */

static void kc_outf(struct kc_out *o, const char *fmt, ...) VS_PRINTF(2, 3);

static void kc_outf(struct kc_out *o, const char *fmt, ...)
{
    va_list ap;
    int r;

    va_start(ap, fmt);
    if (o->buf && o->len < o->n)
        r = vsnprintf(o->buf + o->len, o->n - o->len, fmt, ap);
    else
        r = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (r > 0)
        o->len += (size_t)r;
}

static int kc_oom(struct vs_error *err)
{
    return vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory");
}

/* *dst = a copy of s (NULL stays NULL). */
static int kc_dup(char **dst, const char *s, struct vs_error *err)
{
    *dst = NULL;
    if (!s)
        return 0;
    *dst = strdup(s);
    return *dst ? 0 : kc_oom(err);
}

static void kc_wipe_free(char *s)
{
    if (!s)
        return;
    explicit_bzero(s, strlen(s));
    free(s);
}

/* Zero every string of a JSON tree (it may hold keys and tokens) before it is freed. */
static void kc_json_wipe(cJSON *v)
{
    for (; v; v = v->next) {
        if (cJSON_IsString(v) && v->valuestring)
            explicit_bzero(v->valuestring, strlen(v->valuestring));
        kc_json_wipe(v->child);
    }
}

static void kc_json_free(cJSON *v)
{
    kc_json_wipe(v);
    cJSON_Delete(v);
}

/* Append sep (when *s is not empty) and add to the malloc'd string *s. */
static int kc_append(char **s, const char *sep, const char *add)
{
    size_t old = *s ? strlen(*s) : 0, need = old + strlen(sep) + strlen(add) + 1;
    char *p = realloc(*s, need);

    if (!p)
        return -1;
    snprintf(p + old, need - old, "%s%s", old ? sep : "", add);
    *s = p;
    return 0;
}

/* Remove leading and trailing white space in place, wiping what is dropped. */
static void kc_trim(char *s)
{
    size_t len = strlen(s), start = strspn(s, " \t\r\n"), end = len;

    while (end > start && strchr(" \t\r\n", s[end - 1]))
        end--;
    memmove(s, s + start, end - start);
    explicit_bzero(s + (end - start), len - (end - start));
}

/* Grow *buf (holding n bytes, room for *cap + NUL) up to KC_FILE_MAX, wiping the old copy. */
static int kc_grow(char **buf, size_t n, size_t *cap)
{
    size_t newcap = *cap * 2 > (size_t)KC_FILE_MAX ? (size_t)KC_FILE_MAX : *cap * 2;
    char *nb;

    if (*cap >= (size_t)KC_FILE_MAX) {
        errno = E2BIG;
        return -1;
    }
    if (!(nb = malloc(newcap + 1)))
        return -1;
    memcpy(nb, *buf, n);
    explicit_bzero(*buf, n);
    free(*buf);
    *buf = nb;
    *cap = newcap;
    return 0;
}

/*
 * Read a whole file (at most KC_FILE_MAX bytes) into a NUL-terminated
 * malloc'd buffer. Memory that held data is wiped when the buffer grows (it
 * may hold a key). Returns 0, or -1 with errno (E2BIG when too large).
 */
static int kc_slurp(const char *path, char **out, size_t *outlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC), e;
    size_t cap = 4096, n = 0;
    struct stat st;
    char *buf = NULL;
    ssize_t r = 1;

    if (fd < 0)
        return -1;
    if (fstat(fd, &st) != 0)
        goto fail;
    if (S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        goto fail;
    }
    if (S_ISREG(st.st_mode) && st.st_size < KC_FILE_MAX)
        cap = (size_t)st.st_size + 1; /* the read that sees EOF needs no growth */
    if (!(buf = malloc(cap + 1)))
        goto fail;
    while (r != 0) {
        if (n == cap && kc_grow(&buf, n, &cap) != 0)
            goto fail;
        r = read(fd, buf + n, cap - n);
        if (r < 0 && errno != EINTR)
            goto fail;
        n += r > 0 ? (size_t)r : 0;
    }
    close(fd);
    buf[n] = '\0';
    *out = buf;
    *outlen = n;
    return 0;
fail:
    e = errno;
    if (buf)
        explicit_bzero(buf, n);
    free(buf);
    close(fd);
    errno = e;
    return -1;
}

static int kc_b64_value(int ch)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = ch ? strchr(abc, ch) : NULL;

    return p ? (int)(p - abc) : -1;
}

/*
 * Decode standard base64 as Go's []byte JSON fields do (StdEncoding: padding
 * required; CR and LF skipped). Returns a malloc'd buffer, NUL-terminated,
 * with the length in *len; NULL with errno EINVAL or ENOMEM.
 */
static unsigned char *kc_b64_decode(const char *s, size_t *len)
{
    unsigned char *out = malloc(strlen(s) / 4 * 3 + 4);
    unsigned q[4];
    size_t o = 0;
    int nq = 0, pad = 0, done = 0, v;

    if (!out)
        return NULL;
    for (; *s; s++) {
        if (*s == '\r' || *s == '\n')
            continue;
        if (done || (*s == '=' && nq < 2) || (*s != '=' && pad))
            goto bad;
        v = *s == '=' ? 0 : kc_b64_value((unsigned char)*s);
        if (v < 0)
            goto bad;
        pad += *s == '=';
        q[nq++] = (unsigned)v;
        if (nq < 4)
            continue;
        out[o++] = (unsigned char)(q[0] << 2 | q[1] >> 4);
        if (pad < 2)
            out[o++] = (unsigned char)((q[1] & 15) << 4 | q[2] >> 2);
        if (pad < 1)
            out[o++] = (unsigned char)((q[2] & 3) << 6 | q[3]);
        nq = 0;
        done = pad > 0;
    }
    if (nq != 0)
        goto bad;
    out[o] = '\0';
    *len = o;
    return out;
bad:
    explicit_bzero(out, o);
    free(out);
    errno = EINVAL;
    return NULL;
}

/* ---- paths -------------------------------------------------------------------------- */

/* base (absolute) joined with rel and cleaned lexically, as Go's filepath.Join; NULL on ENOMEM. */
static char *kc_path_join(const char *base, const char *rel)
{
    size_t n = strlen(base) + strlen(rel) + 2, o = 1, len;
    char *tmp = malloc(n), *out = malloc(n);
    const char *p, *seg;

    if (!tmp || !out) {
        free(tmp);
        free(out);
        return NULL;
    }
    snprintf(tmp, n, "%s/%s", base, rel);
    out[0] = '/';
    for (p = tmp; *p;) {
        p += strspn(p, "/");
        seg = p;
        p += strcspn(p, "/");
        len = (size_t)(p - seg);
        if (len == 0 || (len == 1 && seg[0] == '.'))
            continue;
        if (len == 2 && seg[0] == '.' && seg[1] == '.') {
            while (o > 1 && out[o - 1] != '/')
                o--;
            o -= o > 1;
            continue;
        }
        if (o > 1)
            out[o++] = '/';
        memcpy(out + o, seg, len);
        o += len;
    }
    out[o] = '\0';
    free(tmp);
    return out;
}

/* The absolute directory of the file at path; NULL with errno. */
static char *kc_file_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *cwd = NULL, *dir = NULL, *out;

    if (slash && !(dir = strndup(path, (size_t)(slash - path) + 1)))
        return NULL;
    if (dir && dir[0] == '/') {
        out = kc_path_join("/", dir);
    } else if ((cwd = getcwd(NULL, 0)) != NULL) {
        out = kc_path_join(cwd, dir ? dir : ".");
    } else {
        out = NULL;
    }
    free(cwd);
    free(dir);
    return out;
}

/* A reference made in file f: absolute as is, else against f's directory. */
static char *kc_resolve(const struct kc_file *f, const char *ref)
{
    return ref[0] == '/' ? strdup(ref) : kc_path_join(f->dir, ref);
}

/* ---- reading fields ----------------------------------------------------------------- */

static const cJSON *kc_field(const struct kc_entry *e, const char *key)
{
    const cJSON *v = e->body ? cJSON_GetObjectItemCaseSensitive(e->body, key) : NULL;

    return cJSON_IsNull(v) ? NULL : v;
}

static int kc_type_error(const struct kc_entry *e, const char *key, const char *want,
                         const cJSON *v, struct vs_error *err)
{
    return vs_error_set(err, e->f->path, 0, 0, "expected %s for '%s' of %s '%s', found %s%s", want,
                        key, e->kind, e->name, yamljson_type_name(v),
                        cJSON_IsBool(v) ? " (quote it: YAML reads yes, no, on, off as booleans)"
                                        : "");
}

/* A string field; *out is NULL when absent, null or "" (Go's zero value). */
static int kc_str(const struct kc_entry *e, const char *key, const char **out, struct vs_error *err)
{
    const cJSON *v = kc_field(e, key);

    *out = NULL;
    if (!v)
        return 0;
    if (!cJSON_IsString(v))
        return kc_type_error(e, key, "a string", v, err);
    if (v->valuestring[0])
        *out = v->valuestring;
    return 0;
}

static int kc_bool(const struct kc_entry *e, const char *key, int *out, struct vs_error *err)
{
    const cJSON *v = kc_field(e, key);

    *out = 0;
    if (!v)
        return 0;
    if (!cJSON_IsBool(v))
        return kc_type_error(e, key, "true or false", v, err);
    *out = cJSON_IsTrue(v);
    return 0;
}

/* A field that is set to something other than an empty value. */
static int kc_present(const struct kc_entry *e, const char *key)
{
    const cJSON *v = kc_field(e, key);

    if (!v || (cJSON_IsString(v) && !v->valuestring[0]))
        return 0;
    return !((cJSON_IsArray(v) || cJSON_IsObject(v)) && !v->child);
}

/* Decode a *-data field (base64 of PEM text) into *out. */
static int kc_decode(const struct kc_entry *e, const char *key, const char *b64, char **out,
                     struct vs_error *err)
{
    size_t len = 0;
    unsigned char *pem = kc_b64_decode(b64, &len);

    if (!pem && errno == ENOMEM)
        return kc_oom(err);
    if (!pem)
        return vs_error_set(err, e->f->path, 0, 0,
                            "invalid base64 in '%s' of %s '%s' (it holds the PEM text, base64 "
                            "encoded: 'base64 -w0 FILE')",
                            key, e->kind, e->name);
    if (strlen((char *)pem) != len) {
        explicit_bzero(pem, len);
        free(pem);
        return vs_error_set(err, e->f->path, 0, 0, "'%s' of %s '%s' is not PEM text", key, e->kind,
                            e->name);
    }
    *out = (char *)pem;
    return 0;
}

/* Read the file a field names (resolved against the kubeconfig's directory). */
static int kc_read_ref(const struct kc_entry *e, const char *key, const char *ref, char **out,
                       char **abspath, struct vs_error *err)
{
    char *path = kc_resolve(e->f, ref);
    size_t len;

    if (!path)
        return kc_oom(err);
    if (kc_slurp(path, out, &len) != 0) {
        vs_error_setc(err, errno, e->f->path, 0, 0, "cannot read '%s' '%s' of %s '%s': %s", key,
                      path, e->kind, e->name, strerror(errno));
        free(path);
        return -1;
    }
    if (abspath)
        *abspath = path;
    else
        free(path);
    return 0;
}

/* PEM text from data_key (base64) or file_key (a file); both set is an error, as in kubectl. */
static int kc_pem(const struct kc_entry *e, const char *data_key, const char *file_key, char **out,
                  struct vs_error *err)
{
    const char *data, *file;

    *out = NULL;
    if (kc_str(e, data_key, &data, err) != 0 || kc_str(e, file_key, &file, err) != 0)
        return -1;
    if (data && file)
        return vs_error_set(err, e->f->path, 0, 0, "%s '%s' sets both '%s' and '%s': keep one",
                            e->kind, e->name, data_key, file_key);
    if (data)
        return kc_decode(e, data_key, data, out, err);
    if (file)
        return kc_read_ref(e, file_key, file, out, NULL, err);
    return 0;
}

/* ---- loading files ------------------------------------------------------------------ */

static const char *kc_name(const cJSON *item)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, "name");

    return cJSON_IsString(v) ? v->valuestring : "";
}

/* Check one of the lists "clusters", "contexts", "users" of a file: entries named once. */
static int kc_list_check(const struct kc_file *f, const char *list, const char *item,
                         struct vs_error *err)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(f->doc, list), *e, *o, *v;

    if (!arr || cJSON_IsNull(arr))
        return 0;
    if (!cJSON_IsArray(arr))
        return vs_error_set(err, f->path, 0, 0, "expected a list for '%s', found %s", list,
                            yamljson_type_name(arr));
    cJSON_ArrayForEach(e, arr)
    {
        if (!cJSON_IsObject(e))
            return vs_error_set(err, f->path, 0, 0, "expected a mapping in '%s', found %s", list,
                                yamljson_type_name(e));
        v = cJSON_GetObjectItemCaseSensitive(e, "name");
        if (v && !cJSON_IsNull(v) && !cJSON_IsString(v))
            return vs_error_set(err, f->path, 0, 0,
                                "expected a string for 'name' in '%s', found %s", list,
                                yamljson_type_name(v));
        v = cJSON_GetObjectItemCaseSensitive(e, item);
        if (v && !cJSON_IsNull(v) && !cJSON_IsObject(v))
            return vs_error_set(err, f->path, 0, 0,
                                "expected a mapping for '%s' of %s '%s', found %s", item, item,
                                kc_name(e), yamljson_type_name(v));
        for (o = arr->child; o != e; o = o->next)
            if (strcmp(kc_name(o), kc_name(e)) == 0)
                return vs_error_set(err, f->path, 0, 0, "%s '%s' is defined twice in '%s'", item,
                                    kc_name(e), list);
    }
    return 0;
}

/* A top-level field that must be absent, null or the string want. */
static int kc_doc_expect(const struct kc_file *f, const char *key, const char *want,
                         struct vs_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(f->doc, key);

    if (!v || cJSON_IsNull(v) || (cJSON_IsString(v) && strcmp(v->valuestring, want) == 0))
        return 0;
    if (cJSON_IsString(v))
        return vs_error_set(err, f->path, 0, 0, "unsupported '%s' '%s' (a kubeconfig has '%s')",
                            key, v->valuestring, want);
    return vs_error_set(err, f->path, 0, 0, "expected '%s' for '%s', found %s", want, key,
                        yamljson_type_name(v));
}

/* Check the parts of a file's document this module reads. */
static int kc_doc_check(const struct kc_file *f, struct vs_error *err)
{
    const cJSON *cur = cJSON_GetObjectItemCaseSensitive(f->doc, "current-context");

    if (kc_doc_expect(f, "kind", "Config", err) != 0 ||
        kc_doc_expect(f, "apiVersion", "v1", err) != 0)
        return -1;
    if (cur && !cJSON_IsNull(cur) && !cJSON_IsString(cur))
        return vs_error_set(err, f->path, 0, 0, "expected a string for 'current-context', found %s",
                            yamljson_type_name(cur));
    if (kc_list_check(f, "clusters", "cluster", err) != 0 ||
        kc_list_check(f, "contexts", "context", err) != 0 ||
        kc_list_check(f, "users", "user", err) != 0)
        return -1;
    return 0;
}

/* Parse the file at f->path: its first document (as kubectl), a mapping or nothing. */
static int kc_file_parse(struct kc_file *f, struct vs_error *err)
{
    char *text = NULL;
    size_t len = 0;
    cJSON *docs = NULL, *doc;
    int rc = -1;

    if (kc_slurp(f->path, &text, &len) != 0)
        return vs_error_setc(err, errno, f->path, 0, 0, "cannot read kubeconfig: %s",
                             strerror(errno));
    if (yamljson_parse(text, len, f->path, &docs, NULL, err) != 0)
        goto out;
    doc = cJSON_GetArraySize(docs) > 0 ? cJSON_DetachItemFromArray(docs, 0) : NULL;
    if (doc && !cJSON_IsNull(doc) && !cJSON_IsObject(doc)) {
        vs_error_set(err, f->path, 0, 0, "expected a mapping (a kubeconfig) at the top, found %s",
                     yamljson_type_name(doc));
        kc_json_free(doc);
        goto out;
    }
    if (cJSON_IsObject(doc))
        f->doc = doc;
    else
        cJSON_Delete(doc);
    rc = f->doc ? kc_doc_check(f, err) : 0;
out:
    explicit_bzero(text, len);
    free(text);
    kc_json_free(docs);
    return rc;
}

static void kc_set_release(struct kc_set *s)
{
    size_t i;

    for (i = 0; i < s->n; i++) {
        free(s->files[i].path);
        free(s->files[i].dir);
        kc_json_free(s->files[i].doc);
    }
    free(s->files);
    free(s->tried);
    free(s->source);
    memset(s, 0, sizeof(*s));
}

/* Add the file at path to the set: skipped when listed already, or missing and !must_exist. */
static int kc_set_add(struct kc_set *s, const char *path, int must_exist, struct vs_error *err)
{
    struct kc_file *files, *f;
    struct stat st;
    size_t i;

    for (i = 0; i < s->n; i++)
        if (strcmp(s->files[i].path, path) == 0)
            return 0;
    if (kc_append(&s->tried, ":", path) != 0)
        return kc_oom(err);
    if (!must_exist && stat(path, &st) != 0 && errno == ENOENT)
        return 0;
    if (!(files = realloc(s->files, (s->n + 1) * sizeof(*files))))
        return kc_oom(err);
    s->files = files;
    f = &files[s->n];
    memset(f, 0, sizeof(*f));
    s->n++; /* kc_set_release frees what is set */
    if (!(f->path = strdup(path)) || !(f->dir = kc_file_dir(path)) ||
        kc_append(&s->source, ":", path) != 0)
        return kc_oom(err);
    return kc_file_parse(f, err);
}

/* The files kubectl would read: explicit path, else $KUBECONFIG, else ~/.kube/config. */
static int kc_set_load(struct kc_set *s, const char *explicit_path, struct vs_error *err)
{
    const char *env = getenv("KUBECONFIG"), *home = getenv("HOME");
    char *list, *p, *save = NULL;
    int rc = 0;

    if (explicit_path && explicit_path[0])
        return kc_set_add(s, explicit_path, 1, err);
    if (env && env[0]) {
        if (!(list = strdup(env)))
            return kc_oom(err);
        for (p = strtok_r(list, ":", &save); p && rc == 0; p = strtok_r(NULL, ":", &save))
            rc = kc_set_add(s, p, 0, err);
        free(list);
        return rc;
    }
    if (home && home[0]) {
        p = NULL;
        if (kc_append(&p, "", home) != 0 || kc_append(&p, "", "/.kube/config") != 0) {
            free(p);
            return kc_oom(err);
        }
        rc = kc_set_add(s, p, 0, err);
        free(p);
    }
    return rc;
}

static int kc_list_empty(const cJSON *doc, const char *list)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc, list);

    return !cJSON_IsArray(arr) || !arr->child;
}

/* The first non-empty current-context, or NULL. */
static const char *kc_current_context(const struct kc_set *s)
{
    const cJSON *v;
    size_t i;

    for (i = 0; i < s->n; i++) {
        v = cJSON_GetObjectItemCaseSensitive(s->files[i].doc, "current-context");
        if (cJSON_IsString(v) && v->valuestring[0])
            return v->valuestring;
    }
    return NULL;
}

/* No content at all: kubectl then tries the in-cluster config. */
static int kc_set_empty(const struct kc_set *s)
{
    size_t i;

    if (kc_current_context(s))
        return 0;
    for (i = 0; i < s->n; i++)
        if (s->files[i].doc && (!kc_list_empty(s->files[i].doc, "clusters") ||
                                !kc_list_empty(s->files[i].doc, "contexts") ||
                                !kc_list_empty(s->files[i].doc, "users")))
            return 0;
    return 1;
}

/* ---- looking up entries ------------------------------------------------------------- */

/* The item named name in list, from the first file that defines it; NULL if none does. */
static const cJSON *kc_find(const struct kc_set *s, const char *list, const char *name,
                            const struct kc_file **from)
{
    const cJSON *arr, *e;
    size_t i;

    for (i = 0; i < s->n; i++) {
        arr = cJSON_GetObjectItemCaseSensitive(s->files[i].doc, list);
        cJSON_ArrayForEach(e, arr)
        {
            if (strcmp(kc_name(e), name) == 0) {
                if (from)
                    *from = &s->files[i];
                return e;
            }
        }
    }
    return NULL;
}

/* Fill *e with the entry named name ("cluster" in "clusters"); -1 if not defined. */
static int kc_lookup(const struct kc_set *s, const char *list, const char *kind, const char *name,
                     struct kc_entry *e)
{
    const cJSON *item = kc_find(s, list, name, &e->f), *body;

    if (!item)
        return -1;
    body = cJSON_GetObjectItemCaseSensitive(item, kind);
    e->kind = kind;
    e->name = kc_name(item);
    e->body = cJSON_IsObject(body) ? body : NULL;
    return 0;
}

/* "a, b, c" (the names that win the merge, in file order), or "none defined". */
static void kc_names(const struct kc_set *s, const char *list, char *buf, size_t n)
{
    struct kc_out o = {buf, n, 0};
    const cJSON *arr, *e;
    size_t i;

    buf[0] = '\0';
    for (i = 0; i < s->n; i++) {
        arr = cJSON_GetObjectItemCaseSensitive(s->files[i].doc, list);
        cJSON_ArrayForEach(e, arr)
        {
            if (kc_find(s, list, kc_name(e), NULL) == e)
                kc_outf(&o, "%s%s", o.len ? ", " : "", kc_name(e));
        }
    }
    if (o.len == 0)
        snprintf(buf, n, "none defined");
    else if (o.len >= n && n > 4)
        memcpy(buf + n - 4, "...", 4);
}

/* ---- filling the connection --------------------------------------------------------- */

/*
 * "args" (a list of strings) or "env" (a list of {name, value}, made into
 * "NAME=VALUE") into a NULL-terminated array; null or absent: empty.
 */
static int kc_exec_strings(const struct kc_entry *e, const char *key, char ***out,
                           struct vs_error *err)
{
    const cJSON *arr = kc_field(e, key), *v, *name, *value;
    size_t n = 0;
    int is_env = strcmp(key, "env") == 0;

    if (arr && !cJSON_IsArray(arr))
        return kc_type_error(e, key, "a list", arr, err);
    if (!(*out = calloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(**out))))
        return kc_oom(err);
    cJSON_ArrayForEach(v, arr)
    {
        if (!is_env && !cJSON_IsString(v))
            return kc_type_error(e, key, "a list of strings", v, err);
        name = cJSON_GetObjectItemCaseSensitive(v, "name");
        value = cJSON_GetObjectItemCaseSensitive(v, "value");
        if (is_env &&
            (!cJSON_IsString(name) || !name->valuestring[0] || strchr(name->valuestring, '=') ||
             (value && !cJSON_IsNull(value) && !cJSON_IsString(value))))
            return vs_error_set(err, e->f->path, 0, 0,
                                "each 'env' entry of the %s '%s' needs a 'name' (without '=') "
                                "and a string 'value'",
                                e->kind, e->name);
        if (is_env && asprintf(&(*out)[n], "%s=%s", name->valuestring,
                               cJSON_IsString(value) ? value->valuestring : "") < 0) {
            (*out)[n] = NULL;
            return kc_oom(err);
        }
        if (!is_env && !((*out)[n] = strdup(v->valuestring)))
            return kc_oom(err);
        n++;
    }
    return 0;
}

/* interactiveMode: Never, IfAvailable (the default) or Always (which we cannot do). */
static int kc_exec_mode(const struct kc_entry *e, struct kube_auth_exec *x, int *always,
                        struct vs_error *err)
{
    const char *mode;

    if (kc_str(e, "interactiveMode", &mode, err) != 0)
        return -1;
    *always = mode && strcmp(mode, "Always") == 0;
    x->interactive_never = mode && strcmp(mode, "Never") == 0;
    if (mode && !*always && !x->interactive_never && strcmp(mode, "IfAvailable") != 0)
        return vs_error_set(err, e->f->path, 0, 0,
                            "invalid 'interactiveMode' '%s' of the %s '%s': expected Never, "
                            "IfAvailable or Always",
                            mode, e->kind, e->name);
    return 0;
}

/* The user's exec section into a new kube_auth_exec; *always: interactiveMode Always. */
static int kc_exec_parse(const struct kc_entry *user, struct kube_auth_exec **out, int *always,
                         struct vs_error *err)
{
    struct kc_entry e = {user->f, "exec plugin of user", user->name, kc_field(user, "exec")};
    const char *cmd, *api, *hint;
    struct kube_auth_exec *x;

    if (e.body && !cJSON_IsObject(e.body))
        return kc_type_error(user, "exec", "a mapping", e.body, err);
    if (!(*out = x = calloc(1, sizeof(*x))))
        return kc_oom(err);
    if (kc_str(&e, "command", &cmd, err) != 0 || kc_str(&e, "apiVersion", &api, err) != 0 ||
        kc_str(&e, "installHint", &hint, err) != 0 || kc_exec_mode(&e, x, always, err) != 0 ||
        kc_exec_strings(&e, "args", &x->args, err) != 0 ||
        kc_exec_strings(&e, "env", &x->env, err) != 0)
        return -1;
    if (!cmd)
        return vs_error_set(err, e.f->path, 0, 0, "the %s '%s' has no 'command'", e.kind, e.name);
    if (!api || (strcmp(api, KUBE_EXEC_API_V1) != 0 && strcmp(api, KUBE_EXEC_API_V1BETA1) != 0))
        return vs_error_set(
            err, e.f->path, 0, 0, "%s 'apiVersion'%s%s%s of the %s '%s': use '%s' or '%s'",
            api ? "unsupported" : "missing", api ? " '" : "", api ? api : "", api ? "'" : "",
            e.kind, e.name, KUBE_EXEC_API_V1, KUBE_EXEC_API_V1BETA1);
    x->command = strchr(cmd, '/') ? kc_resolve(e.f, cmd) : strdup(cmd);
    if (!x->command || !(x->api_version = strdup(api)) || kc_dup(&x->install_hint, hint, err) != 0)
        return kc_oom(err);
    return 0;
}

/* Impersonation and auth providers are refused rather than silently ignored. */
static int kc_user_unsupported(const struct kc_entry *e, struct vs_error *err)
{
    static const char *const as[] = {"as", "as-uid", "as-groups", "as-user-extra"};
    const cJSON *ap = kc_field(e, "auth-provider"), *name;
    size_t i;

    for (i = 0; i < sizeof(as) / sizeof(as[0]); i++)
        if (kc_present(e, as[i]))
            return vs_error_set(err, e->f->path, 0, 0,
                                "user '%s' uses impersonation ('%s'), which is not supported: "
                                "use a user that has the rights itself",
                                e->name, as[i]);
    if (ap) {
        name = cJSON_GetObjectItemCaseSensitive(ap, "name");
        return vs_error_set(err, e->f->path, 0, 0,
                            "user '%s' uses auth-provider '%s', which is not supported: use an "
                            "exec credential plugin instead",
                            e->name, cJSON_IsString(name) ? name->valuestring : "?");
    }
    return 0;
}

/* token, else tokenFile's content; the file's path is kept either way. */
static int kc_user_token(struct kube_conn *c, const struct kc_entry *e, struct vs_error *err)
{
    const char *token, *file;

    if (kc_str(e, "token", &token, err) != 0 || kc_str(e, "tokenFile", &file, err) != 0)
        return -1;
    if (kc_dup(&c->token, token, err) != 0)
        return -1;
    if (!file)
        return 0;
    if (token)
        return (c->token_file = kc_resolve(e->f, file)) ? 0 : kc_oom(err);
    if (kc_read_ref(e, "tokenFile", file, &c->token, &c->token_file, err) != 0)
        return -1;
    kc_trim(c->token);
    if (!c->token[0])
        return vs_error_set(err, e->f->path, 0, 0, "'tokenFile' '%s' of user '%s' is empty",
                            c->token_file, e->name);
    return 0;
}

/* Client certificate and key: both or neither (a key alone is ignored, as in client-go). */
static int kc_user_cert(struct kube_conn *c, const struct kc_entry *e, struct vs_error *err)
{
    if (kc_pem(e, "client-certificate-data", "client-certificate", &c->client_cert_pem, err) != 0)
        return -1;
    if (!c->client_cert_pem)
        return 0;
    if (kc_pem(e, "client-key-data", "client-key", &c->client_key_pem, err) != 0)
        return -1;
    if (!c->client_key_pem)
        return vs_error_set(err, e->f->path, 0, 0,
                            "user '%s' has a client certificate but no key: set 'client-key-data' "
                            "or 'client-key'",
                            e->name);
    return 0;
}

static int kc_user_fill(struct kube_conn *c, const struct kc_entry *e, struct vs_error *err)
{
    const char *username, *password;
    struct kube_auth_exec *x = NULL;
    int always = 0, rc;

    if (kc_user_unsupported(e, err) != 0 || kc_str(e, "username", &username, err) != 0 ||
        kc_str(e, "password", &password, err) != 0 || kc_user_token(c, e, err) != 0 ||
        kc_user_cert(c, e, err) != 0)
        return -1;
    if (c->token && (username || password))
        return vs_error_set(err, e->f->path, 0, 0,
                            "user '%s' has both a token and basic auth ('username', 'password'): "
                            "keep one",
                            e->name);
    if (kc_dup(&c->username, username, err) != 0 || kc_dup(&c->password, password, err) != 0)
        return -1;
    if (!kc_field(e, "exec"))
        return 0;
    rc = kc_exec_parse(e, &x, &always, err);
    if (rc == 0 && (c->token || c->token_file || c->client_cert_pem || username || password)) {
        kube_auth_exec_free(x); /* static credentials win, as in client-go */
        return 0;
    }
    if (rc == 0 && always)
        rc = vs_error_set(err, e->f->path, 0, 0,
                          "the exec plugin of user '%s' needs a terminal (interactiveMode: "
                          "Always): use a plugin that can run non-interactively",
                          e->name);
    if (rc != 0) {
        kube_auth_exec_free(x);
        return -1;
    }
    c->exec = x;
    return 0;
}

/* The server with a scheme (client-go's rule: https when TLS is configured), no trailing '/'. */
static char *kc_server_url(const char *server, int tls)
{
    char *url = NULL;
    size_t len, min;

    if (kc_append(&url, "",
                  strstr(server, "://") ? ""
                  : tls                 ? "https://"
                                        : "http://") != 0 ||
        kc_append(&url, "", server) != 0) {
        free(url);
        return NULL;
    }
    len = strlen(url);
    min = (size_t)(strstr(url, "://") - url) + 4;
    while (len > min && url[len - 1] == '/')
        url[--len] = '\0';
    return url;
}

static int kc_proxy_ok(const char *url)
{
    return strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0 ||
           strncmp(url, "socks5://", 9) == 0;
}

static int kc_cluster_fill(struct kube_conn *c, const struct kc_entry *e, struct vs_error *err)
{
    const char *server, *sni, *proxy;
    int insecure;

    if (kc_str(e, "server", &server, err) != 0 || kc_str(e, "tls-server-name", &sni, err) != 0 ||
        kc_str(e, "proxy-url", &proxy, err) != 0 ||
        kc_bool(e, "insecure-skip-tls-verify", &insecure, err) != 0 ||
        kc_pem(e, "certificate-authority-data", "certificate-authority", &c->ca_pem, err) != 0)
        return -1;
    if (!server)
        return vs_error_set(err, e->f->path, 0, 0,
                            "cluster '%s' has no 'server': set one with 'kubectl config "
                            "set-cluster %s --server=https://HOST:PORT'",
                            e->name, e->name);
    if (insecure && c->ca_pem)
        return vs_error_set(err, e->f->path, 0, 0,
                            "cluster '%s' sets both 'insecure-skip-tls-verify' and a certificate "
                            "authority: keep one",
                            e->name);
    if (proxy && !kc_proxy_ok(proxy))
        return vs_error_set(err, e->f->path, 0, 0,
                            "'proxy-url' of cluster '%s' must start with http://, https:// or "
                            "socks5://",
                            e->name);
    c->insecure_skip_tls_verify = insecure;
    if (!(c->server = kc_server_url(server, c->ca_pem || c->client_cert_pem || insecure)))
        return kc_oom(err);
    if (kc_dup(&c->tls_server_name, sni, err) != 0 || kc_dup(&c->proxy_url, proxy, err) != 0)
        return -1;
    return 0;
}

/* A DNS-1123 label, as kubectl requires of a context's namespace. */
static int kc_dns_label(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 63 || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") != n)
        return 0;
    return s[0] != '-' && s[n - 1] != '-';
}

/* Resolve the context's cluster and user names into entries. */
static int kc_context_refs(const struct kc_set *s, const struct kc_entry *ctx, struct kc_entry *cl,
                           struct kc_entry *us, struct vs_error *err)
{
    const char *cluster, *user;
    char names[KC_NAMES_MAX];

    if (kc_str(ctx, "cluster", &cluster, err) != 0 || kc_str(ctx, "user", &user, err) != 0)
        return -1;
    if (!cluster || kc_lookup(s, "clusters", "cluster", cluster, cl) != 0) {
        kc_names(s, "clusters", names, sizeof(names));
        if (!cluster)
            return vs_error_set(err, ctx->f->path, 0, 0,
                                "context '%s' names no cluster (clusters: %s)", ctx->name, names);
        return vs_error_set(err, ctx->f->path, 0, 0,
                            "cluster '%s' of context '%s' not found (clusters: %s)", cluster,
                            ctx->name, names);
    }
    if (user && kc_lookup(s, "users", "user", user, us) != 0) {
        kc_names(s, "users", names, sizeof(names));
        return vs_error_set(err, ctx->f->path, 0, 0,
                            "user '%s' of context '%s' not found (users: %s)", user, ctx->name,
                            names);
    }
    return 0;
}

/* The context to use: --context, else current-context. */
static int kc_context_pick(const struct kc_set *s, const char *want, struct kc_entry *ctx,
                           struct vs_error *err)
{
    const char *name = want && want[0] ? want : kc_current_context(s);
    char names[KC_NAMES_MAX];

    if (name && kc_lookup(s, "contexts", "context", name, ctx) == 0)
        return 0;
    kc_names(s, "contexts", names, sizeof(names));
    if (!name)
        return vs_error_set(err, s->source, 0, 0,
                            "no context selected: 'current-context' is not set (contexts: %s); "
                            "pass --context or run 'kubectl config use-context NAME'",
                            names);
    if (want && want[0])
        return vs_error_set(err, s->source, 0, 0, "context '%s' not found (contexts: %s)", name,
                            names);
    return vs_error_set(err, s->source, 0, 0,
                        "current-context '%s' not found (contexts: %s); pass --context or run "
                        "'kubectl config use-context NAME'",
                        name, names);
}

static int kc_conn_fill(struct kube_conn *c, const struct kc_set *s, const char *want,
                        struct vs_error *err)
{
    struct kc_entry ctx = {0}, cl = {0}, us = {0};
    const char *ns;

    if (kc_context_pick(s, want, &ctx, err) != 0 || kc_context_refs(s, &ctx, &cl, &us, err) != 0 ||
        kc_str(&ctx, "namespace", &ns, err) != 0)
        return -1;
    if (ns && !kc_dns_label(ns))
        return vs_error_set(err, ctx.f->path, 0, 0,
                            "namespace '%s' of context '%s' is not a valid name (lowercase "
                            "letters, digits and '-', at most 63)",
                            ns, ctx.name);
    if (kc_dup(&c->context, ctx.name, err) != 0 || kc_dup(&c->cluster, cl.name, err) != 0 ||
        kc_dup(&c->user, us.name, err) != 0 ||
        kc_dup(&c->namespace, ns ? ns : "default", err) != 0 ||
        kc_dup(&c->source, s->source, err) != 0)
        return -1;
    if (us.f && kc_user_fill(c, &us, err) != 0)
        return -1;
    return kc_cluster_fill(c, &cl, err);
}

/* ---- in-cluster ----------------------------------------------------------------------- */

static const char *kc_sa_dir(void)
{
    const char *dir = getenv("VMSTORM_SA_DIR");

    return dir && dir[0] ? dir : KC_SA_DIR;
}

/* The in-cluster config is possible when its env is set and the token exists (client-go). */
static int kc_in_cluster_possible(void)
{
    const char *host = getenv("KUBERNETES_SERVICE_HOST"), *port = getenv("KUBERNETES_SERVICE_PORT");
    struct stat st;
    char path[4096];

    if (!host || !host[0] || !port || !port[0])
        return 0;
    snprintf(path, sizeof(path), "%s/token", kc_sa_dir());
    return stat(path, &st) == 0 && !S_ISDIR(st.st_mode);
}

/* The namespace: $POD_NAMESPACE, else the service account's, else "default". */
static char *kc_in_cluster_namespace(const char *dir)
{
    const char *env = getenv("POD_NAMESPACE");
    char path[4096], *ns = NULL;
    size_t len;

    if (env && env[0])
        return strdup(env);
    snprintf(path, sizeof(path), "%s/namespace", dir);
    if (kc_slurp(path, &ns, &len) == 0) {
        kc_trim(ns);
        if (ns[0])
            return ns;
        free(ns);
    }
    return strdup("default");
}

/* Server, token and CA of the in-cluster config, from the env and the service account dir. */
static int kc_in_cluster_load(struct kube_conn *c, struct vs_error *err)
{
    const char *host = getenv("KUBERNETES_SERVICE_HOST"), *port = getenv("KUBERNETES_SERVICE_PORT");
    const char *dir = kc_sa_dir();
    char ca[4096];
    size_t len;

    if (asprintf(&c->server, strchr(host, ':') ? "https://[%s]:%s" : "https://%s:%s", host, port) <
        0) {
        c->server = NULL;
        return kc_oom(err);
    }
    if (kc_append(&c->token_file, "", dir) != 0 || kc_append(&c->token_file, "", "/token") != 0 ||
        kc_append(&c->source, "", "in-cluster (") != 0 || kc_append(&c->source, "", dir) != 0 ||
        kc_append(&c->source, "", ")") != 0)
        return kc_oom(err);
    if (kc_slurp(c->token_file, &c->token, &len) != 0)
        return vs_error_setc(err, errno, c->token_file, 0, 0,
                             "cannot read the service account token: %s", strerror(errno));
    kc_trim(c->token);
    if (!c->token[0])
        return vs_error_set(err, c->token_file, 0, 0, "the service account token is empty");
    snprintf(ca, sizeof(ca), "%s/ca.crt", dir);
    if (kc_slurp(ca, &c->ca_pem, &len) != 0)
        c->ca_pem = NULL; /* client-go goes on with the system CAs too */
    if (!(c->namespace = kc_in_cluster_namespace(dir)) || !(c->context = strdup("in-cluster")) ||
        !(c->cluster = strdup("in-cluster")) || !(c->user = strdup("in-cluster")))
        return kc_oom(err);
    return 0;
}

/* ---- the API ---------------------------------------------------------------------------- */

int kube_conn_load(struct kube_conn *c, const char *explicit_path, const char *context,
                   struct vs_error *err)
{
    struct kc_set s = {0};
    int rc;

    memset(c, 0, sizeof(*c));
    rc = kc_set_load(&s, explicit_path, err);
    if (rc == 0 && !kc_set_empty(&s))
        rc = kc_conn_fill(c, &s, context, err);
    else if (rc == 0 && kc_in_cluster_possible())
        rc = kc_in_cluster_load(c, err);
    else if (rc == 0 && s.n > 0)
        rc = vs_error_set(err, s.source, 0, 0,
                          "kubeconfig is empty (no contexts, clusters or users): set KUBECONFIG "
                          "or pass --kubeconfig");
    else if (rc == 0)
        rc =
            vs_error_set(err, s.tried, 0, 0,
                         "no kubeconfig found: set KUBECONFIG, pass --kubeconfig, or run in a pod");
    if (rc != 0)
        kube_conn_release(c);
    kc_set_release(&s);
    return rc;
}

static void kc_strv_free(char **v)
{
    char **p;

    for (p = v; p && *p; p++)
        kc_wipe_free(*p);
    free(v);
}

void kube_auth_exec_free(struct kube_auth_exec *e)
{
    if (!e)
        return;
    free(e->command);
    kc_strv_free(e->args);
    kc_strv_free(e->env); /* env values may hold secrets */
    free(e->api_version);
    free(e->install_hint);
    free(e);
}

void kube_conn_release(struct kube_conn *c)
{
    if (!c)
        return;
    free(c->server);
    free(c->context);
    free(c->cluster);
    free(c->user);
    free(c->namespace);
    free(c->ca_pem);
    free(c->tls_server_name);
    kc_wipe_free(c->token);
    free(c->token_file);
    free(c->client_cert_pem);
    kc_wipe_free(c->client_key_pem);
    free(c->username);
    kc_wipe_free(c->password);
    kube_auth_exec_free(c->exec);
    kc_wipe_free(c->proxy_url); /* may carry user:password@ */
    free(c->source);
    memset(c, 0, sizeof(*c));
}

/* The server URL without user:password@ in its authority. */
static void kc_describe_server(struct kc_out *o, const char *url)
{
    const char *auth = strstr(url, "://"), *end, *at;

    if (!auth) {
        kc_outf(o, "%s", url);
        return;
    }
    auth += 3;
    end = auth + strcspn(auth, "/?#");
    for (at = end; at > auth && at[-1] != '@'; at--)
        ;
    kc_outf(o, "%.*s%s", (int)(auth - url), url, at > auth ? at : auth);
}

size_t kube_conn_describe(const struct kube_conn *c, char *buf, size_t n)
{
    struct kc_out o = {buf, n, 0};
    size_t mark;

    if (buf && n)
        buf[0] = '\0';
    kc_outf(&o, "context '%s', cluster '%s' at ", c->context ? c->context : "",
            c->cluster ? c->cluster : "");
    kc_describe_server(&o, c->server ? c->server : "");
    if (c->insecure_skip_tls_verify)
        kc_outf(&o, " (insecure-skip-tls-verify)");
    if (c->user)
        kc_outf(&o, "; user '%s' (", c->user);
    else
        kc_outf(&o, "; no user (");
    mark = o.len;
    if (c->token || c->token_file)
        kc_outf(&o, "token");
    if (c->client_cert_pem)
        kc_outf(&o, "%sclient certificate", o.len > mark ? ", " : "");
    if (c->username || c->password)
        kc_outf(&o, "%sbasic", o.len > mark ? ", " : "");
    if (c->exec)
        kc_outf(&o, "%sexec: %s", o.len > mark ? ", " : "", c->exec->command);
    kc_outf(&o, "%s)", o.len > mark ? "" : "none");
    return o.len;
}
