/*
 * fuzz-analyzer-fio: vmstorm-analyze's fio results (analyzer/fio.c) on
 * arbitrary bytes read as NDJSON: each line that parses as a JSON object is
 * one fio_result event for fio_set_add, so a run has several VMs and later
 * events replace earlier ones. Properties (abort() when one is broken):
 * - fio_set_add returns 0; fio_set_count is the number of distinct
 *   namespace/name pairs added;
 * - fio_set_json: vms == ok + failed + invalid == count == per_vm's length;
 *   per_vm strictly sorted by namespace, then name (bytewise); each entry
 *   comes from the LAST event of its pair: its uid (or null), exit_status
 *   (when an int), status (invalid without namespace/name/result or with an
 *   unknown result; failed for a failed result, the event's error as reason,
 *   cut to 1023 bytes of whole UTF-8 sequences), "jobs" only when the fio
 *   JSON has a jobs array; a reason (at most 1023 bytes) exactly when not
 *   ok; read/write objects only for an ok VM some of whose jobs have that
 *   section, else null; an ok VM has some figure; every number in per_vm is
 *   finite; "bins" percentiles are all there, ascending; a total is null
 *   when no ok VM has the figure; across_vms n counts the ok VMs with the
 *   figure, min and max are theirs;
 * - the same bytes from cJSON_Print for a second fio_set_json, and for a set
 *   given only each pair's last event, in reverse order;
 * - fio_set_write_csv returns 0 and its output reads back (RFC 4180) as the
 *   header and one "\n"-ended row of 17 cells per VM, in per_vm's order:
 *   text cells the JSON's strings, quoted only when they must be; number
 *   cells bare, empty where the JSON has no figure, else the same double as
 *   the JSON's, in plain decimal below 9e9;
 * - fio_set_print prints nothing for an empty set, else starts with the
 *   counts line (and says how many more VMs past 20).
 * Built with libFuzzer by `make fuzz`, and as a corpus replayer in the normal
 * build (tests/fuzz/replay.c).
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvout.h"
#include "fio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CSV_CELLS 17
#define REASON_MAX 1023 /* bytes of a reason, NUL excluded */

static const char *const dirs[] = {"read", "write"};
static const char *const metrics[] = {"iops",        "bw_kib_s",    "lat_mean_ms",
                                      "clat_p50_ms", "clat_p95_ms", "clat_p99_ms"};

/* One namespace/name pair and the last event given for it. */
struct pair {
    const char *ns, *name;
    const cJSON *ev;
};

struct model {
    cJSON **evs; /* the parsed lines, owned */
    size_t n_evs;
    struct pair *p;
    size_t n;
};

static void check(int ok)
{
    if (!ok)
        abort();
}

static const cJSON *member(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

static const char *str(const cJSON *o, const char *key)
{
    return cJSON_GetStringValue(member(o, key));
}

static void model_add(struct model *m, const cJSON *ev)
{
    const char *ns = str(ev, "namespace"), *name = str(ev, "name");
    size_t i;

    ns = ns ? ns : "";
    name = name ? name : "";
    for (i = 0; i < m->n; i++)
        if (strcmp(m->p[i].ns, ns) == 0 && strcmp(m->p[i].name, name) == 0)
            break;
    if (i == m->n) {
        m->p[i].ns = ns;
        m->p[i].name = name;
        m->n++;
    }
    m->p[i].ev = ev;
}

static const struct pair *model_find(const struct model *m, const char *ns, const char *name)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->p[i].ns, ns) == 0 && strcmp(m->p[i].name, name) == 0)
            return &m->p[i];
    return NULL;
}

static void check_finite(const cJSON *j)
{
    const cJSON *c;

    if (cJSON_IsNumber(j))
        check(isfinite(j->valuedouble));
    cJSON_ArrayForEach(c, j)
    {
        check_finite(c);
    }
}

/* A read/write object of an ok VM. */
static void check_dir(const cJSON *d)
{
    const cJSON *src = member(d, "clat_pct_source"), *p[3];
    int pcts = 0;

    check(cJSON_IsObject(d));
    for (int k = 0; k < 3; k++) {
        p[k] = member(d, metrics[3 + k]);
        check(!p[k] || cJSON_IsNumber(p[k]));
        pcts += p[k] != NULL;
    }
    check(!src == !pcts);
    if (src && strcmp(cJSON_GetStringValue(src), "bins") == 0)
        check(pcts == 3 && p[0]->valuedouble >= 0 && p[0]->valuedouble <= p[1]->valuedouble &&
              p[1]->valuedouble <= p[2]->valuedouble);
}

/* Does some job of the array have section dname? */
static int some_job_has(const cJSON *jobs, const char *dname)
{
    const cJSON *job;

    cJSON_ArrayForEach(job, jobs)
    {
        if (cJSON_IsObject(member(job, dname)))
            return 1;
    }
    return 0;
}

/* A per_vm entry against the last event of its pair. */
static void check_vm(const cJSON *vm, const cJSON *ev)
{
    const char *ns = str(ev, "namespace"), *name = str(ev, "name"), *uid = str(ev, "uid");
    const char *result = str(ev, "result"), *error = str(ev, "error");
    const char *status = str(vm, "status"), *reason = str(vm, "reason");
    const cJSON *es = member(ev, "exit_status"), *fio = member(ev, "fio");
    const cJSON *jobs = member(fio, "jobs"), *vjobs = member(vm, "jobs");
    const cJSON *vuid = member(vm, "uid"), *ves = member(vm, "exit_status");
    int ok, figures = 0;

    check(status != NULL);
    ok = strcmp(status, "ok") == 0;
    check((reason == NULL) == ok && !(reason && strlen(reason) > REASON_MAX));
    check(uid ? cJSON_IsString(vuid) && strcmp(uid, vuid->valuestring) == 0 : cJSON_IsNull(vuid));
    if (cJSON_IsNumber(es) && es->valuedouble >= INT_MIN && es->valuedouble <= INT_MAX)
        check(cJSON_IsNumber(ves) && ves->valuedouble == (double)(int)es->valuedouble);
    else
        check(ves == NULL);
    if (!ns || !*ns || !name || !*name || !result ||
        (strcmp(result, "ok") != 0 && strcmp(result, "failed") != 0)) {
        check(strcmp(status, "invalid") == 0);
    } else if (strcmp(result, "failed") == 0) {
        check(strcmp(status, "failed") == 0);
        if (!error || strlen(error) <= REASON_MAX)
            check(strcmp(reason, error ? error : "failed without an 'error'") == 0);
        else /* cut to whole UTF-8 sequences: at most 3 bytes fewer */
            check(strlen(reason) + 3 >= REASON_MAX && strncmp(reason, error, strlen(reason)) == 0);
    }
    if (result && strcmp(result, "ok") == 0 && ns && *ns && name && *name && cJSON_IsObject(fio) &&
        cJSON_IsArray(jobs))
        check(cJSON_IsNumber(vjobs) && vjobs->valuedouble == cJSON_GetArraySize(jobs));
    else
        check(vjobs == NULL);
    for (int d = 0; d < 2; d++) {
        const cJSON *dj = member(vm, dirs[d]);

        if (ok && some_job_has(jobs, dirs[d])) {
            check_dir(dj);
            figures += dj->child != NULL;
        } else {
            check(cJSON_IsNull(dj));
        }
    }
    check(!ok || figures > 0);
}

/* total and across_vms against per_vm. */
static void check_across(const cJSON *fj)
{
    const cJSON *per_vm = member(fj, "per_vm"), *vm;

    for (int d = 0; d < 2; d++) {
        const cJSON *tot = member(member(fj, "total"), dirs[d]);
        const cJSON *across = member(member(fj, "across_vms"), dirs[d]);
        const char *tkeys[] = {"iops_sum", "bw_kib_s_sum"};

        for (int m = 0; m < 2; m++) {
            size_t have = 0;

            cJSON_ArrayForEach(vm, per_vm)
            {
                have += member(member(vm, dirs[d]), metrics[m]) != NULL;
            }
            check(have || cJSON_IsNull(member(tot, tkeys[m])));
        }
        for (int a = 0; a < 2; a++) {
            const char *key = a ? "clat_p99_ms" : "iops";
            const cJSON *s = member(across, key), *n = member(s, "n");
            const cJSON *min = member(s, "min"), *max = member(s, "max");
            double lo = INFINITY, hi = -INFINITY;
            size_t have = 0;

            cJSON_ArrayForEach(vm, per_vm)
            {
                const cJSON *v = member(member(vm, dirs[d]), key);

                if (v) {
                    have++;
                    lo = fmin(lo, v->valuedouble);
                    hi = fmax(hi, v->valuedouble);
                }
            }
            check(cJSON_IsNumber(n) && n->valuedouble == (double)have);
            if (have)
                check(cJSON_IsNumber(min) && min->valuedouble == lo && cJSON_IsNumber(max) &&
                      max->valuedouble == hi);
            else
                check(cJSON_IsNull(min) && cJSON_IsNull(max) && cJSON_IsNull(member(s, "avg")) &&
                      cJSON_IsNull(member(s, "p99")));
        }
    }
}

static void check_json(const cJSON *fj, const struct model *m, size_t count)
{
    const cJSON *per_vm = member(fj, "per_vm"), *vm, *prev = NULL;
    double vms = member(fj, "vms")->valuedouble;

    check(vms == (double)count && cJSON_GetArraySize(per_vm) == (int)count &&
          member(fj, "ok")->valuedouble + member(fj, "failed")->valuedouble +
                  member(fj, "invalid")->valuedouble ==
              vms);
    cJSON_ArrayForEach(vm, per_vm)
    {
        const char *ns = str(vm, "namespace"), *name = str(vm, "name");
        const struct pair *p;

        check(ns && name && (p = model_find(m, ns, name)) != NULL);
        if (prev) {
            int c = strcmp(str(prev, "namespace"), ns);

            check(c < 0 || (c == 0 && strcmp(str(prev, "name"), name) < 0));
        }
        prev = vm;
        check_vm(vm, p->ev);
        check_finite(vm);
    }
    check_across(fj);
}

/*
 * The next row of the CSV at *p, its cells decoded and NUL-ended in place
 * (over the text); 0, or -1 when it is not CSV_CELLS cells ending in "\n".
 */
static int csv_row(char **p, char *end, char *cell[CSV_CELLS], int quoted[CSV_CELLS])
{
    char *r = *p;

    for (size_t n = 0; n < CSV_CELLS; n++) {
        char *w = r, c;

        cell[n] = w;
        quoted[n] = r < end && *r == '"';
        if (quoted[n]) {
            for (r++;; r++) {
                if (r == end)
                    return -1;
                if (*r == '"' && (r + 1 == end || r[1] != '"'))
                    break;
                *w++ = *r;
                r += *r == '"';
            }
            r++;
        } else {
            for (; r < end && *r != ',' && *r != '\n'; r++) {
                if (*r == '"' || *r == '\r')
                    return -1;
                *w++ = *r;
            }
        }
        if (r == end)
            return -1;
        c = *r++;
        *w = '\0';
        if (c != (n + 1 < CSV_CELLS ? ',' : '\n'))
            return -1;
    }
    *p = r;
    return 0;
}

/* A number cell as fio.h says: plain decimal, no "-0", no leading or trailing zeros. */
static int plain_decimal(const char *s)
{
    const char *dot;

    if (strcmp(s, "-0") == 0)
        return 0;
    s += *s == '-';
    if (!(*s >= '1' && *s <= '9') && !(s[0] == '0' && (s[1] == '\0' || s[1] == '.')))
        return 0;
    s += strspn(s, "0123456789");
    if (*s == '\0')
        return 1;
    dot = s++;
    s += strspn(s, "0123456789");
    return *dot == '.' && *s == '\0' && s - dot >= 2 && s - dot <= 7 && s[-1] != '0';
}

static void check_text(const char *cell, int quoted, const char *want)
{
    check(strcmp(cell, want ? want : "") == 0 && quoted == csvout_needs_quotes(cell));
}

static void check_csv(char *csv, size_t len, const cJSON *fj)
{
    static const char *const head[] = {"namespace", "name", "uid", "status"};
    const cJSON *vm;
    char *p = csv, *end = csv + len, *cell[CSV_CELLS];
    int quoted[CSV_CELLS];

    check(csv_row(&p, end, cell, quoted) == 0);
    for (int i = 0; i < CSV_CELLS; i++) {
        char want[32];

        if (i < 4)
            snprintf(want, sizeof(want), "%s", head[i]);
        else if (i < 16)
            snprintf(want, sizeof(want), "%s_%s", dirs[(i - 4) / 6], metrics[(i - 4) % 6]);
        else
            snprintf(want, sizeof(want), "reason");
        check(!quoted[i] && strcmp(cell[i], want) == 0);
    }
    cJSON_ArrayForEach(vm, member(fj, "per_vm"))
    {
        check(csv_row(&p, end, cell, quoted) == 0);
        check_text(cell[0], quoted[0], str(vm, "namespace"));
        check_text(cell[1], quoted[1], str(vm, "name"));
        check_text(cell[2], quoted[2], str(vm, "uid"));
        check_text(cell[3], quoted[3], str(vm, "status"));
        check_text(cell[16], quoted[16], str(vm, "reason"));
        for (int i = 4; i < 16; i++) {
            const cJSON *v = member(member(vm, dirs[(i - 4) / 6]), metrics[(i - 4) % 6]);
            char *e;

            check(!quoted[i]);
            if (!v) {
                check(cell[i][0] == '\0');
                continue;
            }
            check(cell[i][0] != '\0' && strtod(cell[i], &e) == v->valuedouble && *e == '\0');
            check(fabs(v->valuedouble) >= 9e9 || plain_decimal(cell[i]));
        }
    }
    check(p == end);
}

static void check_print(const struct fio_set *s)
{
    char *out = NULL, head[64];
    size_t len = 0, n = fio_set_count(s);
    FILE *f = open_memstream(&out, &len);

    if (!f)
        abort();
    fio_set_print(s, f);
    check(fclose(f) == 0);
    snprintf(head, sizeof(head), "\nfio: %zu VMs: ", n);
    check(n ? strncmp(out, head, strlen(head)) == 0 : len == 0);
    if (n > 20) {
        snprintf(head, sizeof(head), "\n  ... %zu more\n", n - 20);
        check(strstr(out, head) != NULL);
    }
    free(out);
}

static char *print_set(const struct fio_set *s)
{
    cJSON *j = fio_set_json(s);
    char *text = j ? cJSON_Print(j) : NULL;

    check(text != NULL);
    cJSON_Delete(j);
    return text;
}

/* A set of only each pair's last event, added in reverse order: the same JSON. */
static void check_last_wins(const struct model *m, const char *want)
{
    struct fio_set *s = fio_set_new();
    struct vs_error err;
    char *text;

    check(s != NULL);
    for (size_t i = m->n; i-- > 0;)
        check(fio_set_add(s, m->p[i].ev, &err) == 0);
    text = print_set(s);
    check(strcmp(text, want) == 0);
    free(text);
    fio_set_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data, *end = text + size;
    struct model m = {0};
    struct fio_set *s = fio_set_new();
    struct vs_error err;
    cJSON *fj;
    char *a, *b, *csv = NULL;
    size_t csv_len = 0;
    FILE *f;

    m.evs = calloc(size / 2 + 1, sizeof(*m.evs));
    m.p = calloc(size / 2 + 1, sizeof(*m.p));
    check(s && m.evs && m.p);
    for (const char *line = text; line < end;) {
        const char *nl = memchr(line, '\n', (size_t)(end - line)), *e = nl ? nl : end;
        cJSON *ev = cJSON_ParseWithLength(line, (size_t)(e - line));

        if (cJSON_IsObject(ev)) {
            check(fio_set_add(s, ev, &err) == 0);
            m.evs[m.n_evs++] = ev;
            model_add(&m, ev);
        } else {
            cJSON_Delete(ev);
        }
        line = nl ? nl + 1 : end;
    }
    check(fio_set_count(s) == m.n);

    fj = fio_set_json(s);
    check(fj != NULL);
    check_json(fj, &m, m.n);
    a = cJSON_Print(fj);
    b = print_set(s);
    check(a && strcmp(a, b) == 0);
    check_last_wins(&m, a);

    f = open_memstream(&csv, &csv_len);
    check(f != NULL);
    check(fio_set_write_csv(s, f, &err) == 0);
    check(fclose(f) == 0);
    check_csv(csv, csv_len, fj);
    check_print(s);

    free(csv);
    free(a);
    free(b);
    cJSON_Delete(fj);
    fio_set_free(s);
    for (size_t i = 0; i < m.n_evs; i++)
        cJSON_Delete(m.evs[i]);
    free(m.evs);
    free(m.p);
    return 0;
}
