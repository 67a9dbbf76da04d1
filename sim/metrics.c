#include "metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vbuf.h"

enum family { FAM_APISERVER, FAM_KUBEVIRT, FAM_OWN };

struct entry {
    enum family fam;
    char *labels; /* rendered label set, e.g. code="200",verb="GET" */
    char *name;   /* FAM_OWN: the metric name */
    char *help;
    double value;
};

struct metrics {
    struct entry *e;
    size_t len, cap;
};

struct metrics *metrics_new(void)
{
    return calloc(1, sizeof(struct metrics));
}

void metrics_free(struct metrics *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->len; i++) {
        free(m->e[i].labels);
        free(m->e[i].name);
        free(m->e[i].help);
    }
    free(m->e);
    free(m);
}

/* Append label="value" with Prometheus escaping. */
static void add_label(struct vbuf *b, const char *name, const char *value)
{
    if (b->len)
        vbuf_addc(b, ',');
    vbuf_addf(b, "%s=\"", name);
    for (const char *p = value ? value : ""; *p; p++) {
        if (*p == '\\' || *p == '"')
            vbuf_addc(b, '\\');
        if (*p == '\n')
            vbuf_adds(b, "\\n");
        else
            vbuf_addc(b, *p);
    }
    vbuf_addc(b, '"');
}

static struct entry *find_or_add(struct metrics *m, enum family fam, const char *name,
                                 const char *help, const char *labels)
{
    for (size_t i = 0; i < m->len; i++)
        if (m->e[i].fam == fam && strcmp(m->e[i].labels, labels) == 0 &&
            (fam != FAM_OWN || strcmp(m->e[i].name, name) == 0))
            return &m->e[i];
    if (m->len == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        struct entry *e = realloc(m->e, cap * sizeof(*e));

        if (!e)
            return NULL;
        m->e = e;
        m->cap = cap;
    }
    m->e[m->len] = (struct entry){fam, strdup(labels), name ? strdup(name) : NULL,
                                  help ? strdup(help) : NULL, 0};
    return &m->e[m->len++];
}

void metrics_count_request(struct metrics *m, const char *verb, const char *group,
                           const char *version, const char *resource, const char *subresource,
                           int code)
{
    struct vbuf b = VBUF_INIT(4096);
    char c[16];
    struct entry *e;

    snprintf(c, sizeof(c), "%d", code);
    add_label(&b, "code", c);
    add_label(&b, "component", "apiserver");
    add_label(&b, "group", group);
    add_label(&b, "resource", resource);
    add_label(&b, "scope", resource && *resource ? "resource" : "");
    add_label(&b, "subresource", subresource);
    add_label(&b, "verb", verb);
    add_label(&b, "version", version);
    e = find_or_add(m, FAM_APISERVER, NULL, NULL, vbuf_str(&b));
    if (e)
        e->value += 1;
    vbuf_release(&b);
}

void metrics_count_kubevirt(struct metrics *m, const char *verb, const char *resource, int code)
{
    static const struct {
        const char *verb, *method;
    } methods[] = {{"CREATE", "POST"}, {"UPDATE", "PUT"}, {"PATCH", "PATCH"}, {"DELETE", "DELETE"},
                   {"GET", "GET"},     {"LIST", "GET"},   {"WATCH", "GET"}};
    const char *method = "GET";
    struct vbuf b = VBUF_INIT(4096);
    char c[16];
    struct entry *e;

    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (strcmp(methods[i].verb, verb) == 0)
            method = methods[i].method;
    snprintf(c, sizeof(c), "%d", code);
    add_label(&b, "code", c);
    add_label(&b, "method", method);
    add_label(&b, "resource", resource);
    add_label(&b, "verb", verb);
    e = find_or_add(m, FAM_KUBEVIRT, NULL, NULL, vbuf_str(&b));
    if (e)
        e->value += 1;
    vbuf_release(&b);
}

void metrics_add(struct metrics *m, const char *name, const char *help, double delta)
{
    struct entry *e = find_or_add(m, FAM_OWN, name, help, "");

    if (e)
        e->value += delta;
}

static void render_family(const struct metrics *m, struct vbuf *b, enum family fam,
                          const char *name, const char *help)
{
    int header = 0;

    for (size_t i = 0; i < m->len; i++) {
        const struct entry *e = &m->e[i];
        const char *n = fam == FAM_OWN ? e->name : name;

        if (e->fam != fam || (fam == FAM_OWN && name && strcmp(name, e->name) != 0))
            continue;
        if (!header || fam == FAM_OWN) {
            vbuf_addf(b, "# HELP %s %s\n# TYPE %s counter\n", n, fam == FAM_OWN ? e->help : help,
                      n);
            header = 1;
        }
        if (e->labels[0])
            vbuf_addf(b, "%s{%s} %.17g\n", n, e->labels, e->value);
        else
            vbuf_addf(b, "%s %.17g\n", n, e->value);
    }
}

char *metrics_render(const struct metrics *m)
{
    struct vbuf b = VBUF_INIT((size_t)64 << 20);

    render_family(m, &b, FAM_APISERVER, "apiserver_request_total",
                  "Counter of apiserver requests broken out for each verb, group, version, "
                  "resource, scope, component, and HTTP response code.");
    render_family(m, &b, FAM_KUBEVIRT, "kubevirt_rest_client_requests_total",
                  "Number of HTTP requests, partitioned by status code, method, and host "
                  "(simulated KubeVirt components).");
    render_family(m, &b, FAM_OWN, NULL, NULL);
    if (!b.data)
        vbuf_adds(&b, "");
    return vbuf_detach(&b, NULL);
}
