#include "gates.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "numparse.h"
#include "selector.h"

enum op { OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ, OP_NE };

static const char *const op_names[] = {"<", "<=", ">", ">=", "==", "!="};

struct gate {
    char key[200];
    enum op op;
    int is_num;
    double num;
    char word[64];
    long line;
    char text[300]; /* as written, normalised */
};

struct gates {
    struct gate *v;
    size_t n;
};

static const char *const phases[] = {"namespaces", "create", "stop", "storm", "fio", "cleanup"};
static const char *const stats[] = {"count", "ok",  "censored", "min", "avg",   "p50",
                                    "p90",   "p95", "p99",      "max", "stddev"};
static const char *const roots[] = {"run",         "input", "method",    "phases", "multipliers",
                                    "not_reached", "clock", "api_calls", "fio",    "baseline"};

static int in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return 1;
    return 0;
}

#define IN(s, list) in_list((s), (list), sizeof(list) / sizeof((list)[0]))

static int is_milestone(const char *s)
{
    for (int k = 0; k < M_COUNT; k++)
        if (strcmp(s, milestone_name(k)) == 0)
            return 1;
    return strcmp(s, "stopped") == 0;
}

/* Check a key's shape; "" when fine, else what is wrong. */
static const char *key_check(const char *key, char *why, size_t n)
{
    char buf[200], *parts[8];
    int k = 0;

    snprintf(buf, sizeof(buf), "%s", key);
    for (char *p = strtok(buf, "."); p && k < 8; p = strtok(NULL, "."))
        parts[k++] = p;
    if (k == 0)
        return "empty key";
    if (IN(parts[0], phases)) {
        if (k != 3)
            return "a phase key is PHASE.MILESTONE.STAT, e.g. storm.running.p95";
        if (!is_milestone(parts[1])) {
            snprintf(why, n,
                     "unknown milestone '%s' (vmi_created, scheduled, running, vm_running, ip, "
                     "ready, agent, stopped)",
                     parts[1]);
            return why;
        }
        if (!IN(parts[2], stats)) {
            snprintf(why, n,
                     "unknown statistic '%s' (count, ok, censored, min, avg, p50, p90, p95, p99, "
                     "max, stddev)",
                     parts[2]);
            return why;
        }
        return "";
    }
    if (!IN(parts[0], roots)) {
        snprintf(why, n,
                 "'%s' is neither a phase (create, stop, storm, ...) nor a part of the summary "
                 "(multipliers, api_calls, fio, clock, input, ...)",
                 parts[0]);
        return why;
    }
    return "";
}

static int parse_line(struct gates *g, char *s, const char *name, long lineno, struct vs_error *err)
{
    struct gate *gt;
    char *hash = strchr(s, '#'), *key, *op, *val, *save = NULL;
    char why[300];
    const char *bad;
    int o = -1;

    if (hash)
        *hash = '\0';
    if (!(key = strtok_r(s, " \t\r", &save)))
        return 0;
    op = strtok_r(NULL, " \t\r", &save);
    val = strtok_r(NULL, " \t\r", &save);
    if (!op || !val || strtok_r(NULL, " \t\r", &save))
        return vs_error_set(err, name, lineno, 0,
                            "expected 'KEY OP VALUE' (e.g. 'storm.running.p95 <= 60')");
    for (int i = 0; i < 6; i++)
        if (strcmp(op, op_names[i]) == 0)
            o = i;
    if (o < 0)
        return vs_error_set(err, name, lineno, 0, "unknown operator '%s' (< <= > >= == !=)", op);
    if (strlen(key) >= sizeof(gt->key))
        return vs_error_set(err, name, lineno, 0, "key too long");
    if (*(bad = key_check(key, why, sizeof(why))))
        return vs_error_set(err, name, lineno, 0, "'%s': %s", key, bad);
    gt = realloc(g->v, (g->n + 1) * sizeof(*gt));
    if (!gt)
        return vs_error_setc(err, ENOMEM, name, lineno, 0, "out of memory");
    g->v = gt;
    gt = &g->v[g->n];
    memset(gt, 0, sizeof(*gt));
    snprintf(gt->key, sizeof(gt->key), "%s", key);
    gt->op = o;
    gt->line = lineno;
    /* strictly decimal (numparse.h): hex such as "0x10" is a word, not a number */
    gt->is_num = num_parse_double(val, -DBL_MAX, DBL_MAX, &gt->num) == NUM_OK;
    if (!gt->is_num) {
        if (o != OP_EQ && o != OP_NE)
            return vs_error_set(err, name, lineno, 0,
                                "'%s' is not a number (only == and != take a word)", val);
        snprintf(gt->word, sizeof(gt->word), "%s", val);
    }
    snprintf(gt->text, sizeof(gt->text), "%s %s %s", key, op_names[o], val);
    g->n++;
    return 0;
}

struct gates *gates_parse(const char *text, const char *name, struct vs_error *err)
{
    struct gates *g = calloc(1, sizeof(*g));
    char *copy = strdup(text), *line;
    long lineno = 0;

    if (!g || !copy) {
        free(g);
        free(copy);
        vs_error_setc(err, ENOMEM, name, 0, 0, "out of memory");
        return NULL;
    }
    /* strtok_r would skip empty lines and lose the numbering: split by hand */
    for (line = copy; line; lineno++) {
        char *nl = strchr(line, '\n');

        if (nl)
            *nl = '\0';
        if (parse_line(g, line, name, lineno + 1, err) < 0) {
            gates_free(g);
            free(copy);
            return NULL;
        }
        line = nl ? nl + 1 : NULL;
    }
    free(copy);
    return g;
}

struct gates *gates_load(const char *path, struct vs_error *err)
{
    FILE *f = fopen(path, "r");
    char *text = NULL;
    size_t len = 0;
    struct gates *g;

    if (!f) {
        vs_error_setc(err, errno, path, 0, 0, "cannot open the thresholds file: %s",
                      strerror(errno));
        return NULL;
    }
    {
        FILE *mem = open_memstream(&text, &len);
        char buf[4096];
        size_t n;

        if (!mem) {
            fclose(f);
            vs_error_setc(err, ENOMEM, path, 0, 0, "out of memory");
            return NULL;
        }
        while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
            fwrite(buf, 1, n, mem);
        fclose(mem);
    }
    if (ferror(f)) {
        vs_error_setc(err, EIO, path, 0, 0, "cannot read the thresholds file");
        fclose(f);
        free(text);
        return NULL;
    }
    fclose(f);
    if (text && memchr(text, '\0', len)) {
        vs_error_set(err, path, 0, 0, "holds a NUL byte: not a text file of gates");
        free(text);
        return NULL;
    }
    /* a UTF-8 byte order mark, as some editors write */
    g = gates_parse(text ? text + (strncmp(text, "\xef\xbb\xbf", 3) == 0 ? 3 : 0) : "", path, err);
    free(text);
    return g;
}

void gates_free(struct gates *g)
{
    if (!g)
        return;
    free(g->v);
    free(g);
}

static int compare(enum op op, double a, double b)
{
    switch (op) {
    case OP_LT:
        return a < b;
    case OP_LE:
        return a <= b;
    case OP_GT:
        return a > b;
    case OP_GE:
        return a >= b;
    case OP_EQ:
        return a == b;
    case OP_NE:
        return a != b;
    }
    return 0;
}

int gates_check(const struct gates *g, const cJSON *summary, cJSON **out)
{
    cJSON *arr = cJSON_CreateArray();
    int failed = 0;

    if (!arr)
        return -1;
    for (size_t i = 0; i < g->n; i++) {
        const struct gate *gt = &g->v[i];
        const char *first_dot = strchr(gt->key, '.');
        char head[64];
        const cJSON *v;
        cJSON *r = cJSON_CreateObject();
        int pass = 0;
        char why[300] = "";

        snprintf(head, sizeof(head), "%.*s", first_dot ? (int)(first_dot - gt->key) : 63, gt->key);
        v = IN(head, phases)
                ? json_path_get(cJSON_GetObjectItemCaseSensitive(summary, "phases"), gt->key)
                : json_path_get(summary, gt->key);
        cJSON_AddStringToObject(r, "gate", gt->text);
        cJSON_AddNumberToObject(r, "line", (double)gt->line);
        if (!v) {
            snprintf(why, sizeof(why), "not in this run's summary (did the phase run?)");
            cJSON_AddNullToObject(r, "value");
        } else if (cJSON_IsNull(v)) {
            snprintf(why, sizeof(why), "no value (no VM reached the milestone)");
            cJSON_AddNullToObject(r, "value");
        } else if (gt->is_num && cJSON_IsNumber(v)) {
            pass = compare(gt->op, v->valuedouble, gt->num);
            cJSON_AddNumberToObject(r, "value", v->valuedouble);
            if (!pass)
                snprintf(why, sizeof(why), "%.9g is not %s %.9g", v->valuedouble, op_names[gt->op],
                         gt->num);
        } else if (!gt->is_num && cJSON_IsString(v)) {
            int eq = strcmp(v->valuestring, gt->word) == 0;

            pass = gt->op == OP_EQ ? eq : !eq;
            cJSON_AddStringToObject(r, "value", v->valuestring);
            if (!pass)
                snprintf(why, sizeof(why), "'%s' is not %s '%s'", v->valuestring, op_names[gt->op],
                         gt->word);
        } else {
            snprintf(why, sizeof(why), "the summary holds a %s there",
                     cJSON_IsNumber(v)   ? "number"
                     : cJSON_IsString(v) ? "word"
                                         : "structure, not a value");
            cJSON_AddNullToObject(r, "value");
        }
        cJSON_AddBoolToObject(r, "pass", pass);
        if (!pass) {
            cJSON_AddStringToObject(r, "reason", why);
            failed++;
        }
        cJSON_AddItemToArray(arr, r);
    }
    *out = arr;
    return failed;
}

/* --- baseline ------------------------------------------------------------- */

static void change(cJSON *arr, const char *key, const cJSON *now, const cJSON *then)
{
    cJSON *c;

    if (!cJSON_IsNumber(now) && !cJSON_IsNumber(then))
        return;
    c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "key", key);
    if (cJSON_IsNumber(now))
        cJSON_AddNumberToObject(c, "value", now->valuedouble);
    else
        cJSON_AddNullToObject(c, "value");
    if (cJSON_IsNumber(then))
        cJSON_AddNumberToObject(c, "baseline", then->valuedouble);
    else
        cJSON_AddNullToObject(c, "baseline");
    if (cJSON_IsNumber(now) && cJSON_IsNumber(then) && then->valuedouble != 0)
        cJSON_AddNumberToObject(
            c, "change_pct",
            round((now->valuedouble - then->valuedouble) / fabs(then->valuedouble) * 1e4) / 1e2);
    else
        cJSON_AddNullToObject(c, "change_pct");
    cJSON_AddItemToArray(arr, c);
}

cJSON *baseline_compare(const cJSON *summary, const cJSON *baseline)
{
    static const char *const cmp_stats[] = {"p50", "p95", "p99", "avg", "max", "censored"};
    static const char *const mul_stats[] = {"p50", "p95", "p99", "avg", "max"};
    const cJSON *run = cJSON_GetObjectItemCaseSensitive(baseline, "run");
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(baseline, "input");
    const cJSON *ph = cJSON_GetObjectItemCaseSensitive(summary, "phases");
    const cJSON *bph = cJSON_GetObjectItemCaseSensitive(baseline, "phases");
    const cJSON *mu = cJSON_GetObjectItemCaseSensitive(summary, "multipliers");
    const cJSON *bmu = cJSON_GetObjectItemCaseSensitive(baseline, "multipliers");
    const cJSON *p, *ms;
    cJSON *o = cJSON_CreateObject(), *arr;
    char key[256];

    if (!o)
        return NULL;
    cJSON_AddItemToObject(o, "run_id",
                          cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(run, "id"), 1));
    cJSON_AddItemToObject(o, "file",
                          cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(in, "file"), 1));
    arr = cJSON_AddArrayToObject(o, "changes");
    cJSON_ArrayForEach(p, ph)
    {
        const cJSON *bp = cJSON_GetObjectItemCaseSensitive(bph, p->string);

        if (!bp)
            continue;
        cJSON_ArrayForEach(ms, p)
        {
            const cJSON *bms = cJSON_GetObjectItemCaseSensitive(bp, ms->string);

            if (!cJSON_IsObject(ms) || !cJSON_IsObject(bms))
                continue;
            for (size_t i = 0; i < sizeof(cmp_stats) / sizeof(cmp_stats[0]); i++) {
                snprintf(key, sizeof(key), "%s.%s.%s", p->string, ms->string, cmp_stats[i]);
                change(arr, key, cJSON_GetObjectItemCaseSensitive(ms, cmp_stats[i]),
                       cJSON_GetObjectItemCaseSensitive(bms, cmp_stats[i]));
            }
        }
    }
    cJSON_ArrayForEach(ms, mu)
    {
        const cJSON *bms = cJSON_GetObjectItemCaseSensitive(bmu, ms->string);

        if (!bms)
            continue;
        for (size_t i = 0; i < sizeof(mul_stats) / sizeof(mul_stats[0]); i++) {
            snprintf(key, sizeof(key), "multipliers.%s.%s", ms->string, mul_stats[i]);
            change(arr, key, cJSON_GetObjectItemCaseSensitive(ms, mul_stats[i]),
                   cJSON_GetObjectItemCaseSensitive(bms, mul_stats[i]));
        }
    }
    return o;
}
