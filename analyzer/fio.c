#include "fio.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "csvout.h"
#include "stats.h"

#define FIO_REASON_MAX 1024 /* bytes kept of a reason, NUL included */
#define FIO_PRINT_ROWS 20
#define FIO_PRINT_NAME_W 40 /* the VM column's widest width */
#define FIO_PRINT_REASON 72 /* characters of a reason on the terminal */

enum fio_status { FS_OK, FS_FAILED, FS_INVALID, FS_COUNT };
static const char *const status_names[FS_COUNT] = {"ok", "failed", "invalid"};

enum fio_dir_id { FD_READ, FD_WRITE, FD_COUNT };
static const char *const dir_names[FD_COUNT] = {"read", "write"};

enum fio_metric { FM_IOPS, FM_BW, FM_LAT_MEAN, FM_P50, FM_P95, FM_P99, FM_COUNT };
static const char *const metric_keys[FM_COUNT] = {
    "iops", "bw_kib_s", "lat_mean_ms", "clat_p50_ms", "clat_p95_ms", "clat_p99_ms",
};

#define N_PCT 3 /* FM_P50, FM_P95, FM_P99 */
static const unsigned pct_points[N_PCT] = {50, 95, 99};
static const char *const pct_keys[N_PCT] = {"50.000000", "95.000000", "99.000000"};

enum pct_source { PCT_NONE, PCT_FIO, PCT_BINS, PCT_MAX };
static const char *const pct_source_names[] = {NULL, "fio", "bins", "max_over_jobs"};

struct fio_dir {
    double v[FM_COUNT]; /* NAN when missing */
    enum pct_source src;
    int present; /* some job has this section */
};

struct fio_vm {
    char *ns, *name, *uid; /* uid NULL when unknown */
    enum fio_status status;
    char *reason; /* NULL when ok */
    int has_exit, exit_status;
    long jobs; /* -1: no jobs array */
    struct fio_dir dir[FD_COUNT];
};

struct fio_set {
    struct fio_vm **v; /* sorted by namespace, then name */
    size_t n, cap;
};

/* ---- reading one event ------------------------------------------------------------ */

static const cJSON *member(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

static const char *str(const cJSON *o, const char *key)
{
    return cJSON_GetStringValue(member(o, key));
}

/* The finite number o[key], or NAN. */
static double num(const cJSON *o, const char *key)
{
    const cJSON *j = member(o, key);

    return cJSON_IsNumber(j) && isfinite(j->valuedouble) ? j->valuedouble : NAN;
}

/* Cut a string that vsnprintf truncated back to a whole UTF-8 sequence. */
static void utf8_trim(char *s)
{
    size_t len = strlen(s), i = len, need;
    unsigned char lead;

    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    if (i == 0)
        return;
    lead = (unsigned char)s[i - 1];
    need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (len - (i - 1) < need)
        s[i - 1] = '\0';
}

/* Set vm's status and reason (at most FIO_REASON_MAX - 1 bytes). 0, or -1 on ENOMEM. */
static int set_status(struct fio_vm *vm, enum fio_status st, const char *fmt, ...) VS_PRINTF(3, 4);
static int set_status(struct fio_vm *vm, enum fio_status st, const char *fmt, ...)
{
    char buf[FIO_REASON_MAX];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0)
        buf[0] = '\0';
    else if ((size_t)n >= sizeof(buf))
        utf8_trim(buf);
    vm->status = st;
    free(vm->reason);
    vm->reason = strdup(buf);
    return vm->reason ? 0 : -1;
}

/* The sum of sec[key] over the jobs' `dname` sections; NAN if one lacks it. */
static double sum_over(const cJSON *jobs, const char *dname, const char *key)
{
    const cJSON *job;
    double sum = 0;

    cJSON_ArrayForEach(job, jobs)
    {
        const cJSON *sec = member(job, dname);

        if (cJSON_IsObject(sec))
            sum += num(sec, key);
    }
    return sum;
}

/* The mean of lat_ns over all IOs, in ms; NAN without IO or when a job lacks N or mean. */
static double lat_mean_ms(const cJSON *jobs, const char *dname)
{
    const cJSON *job;
    double sum = 0, ios = 0;

    cJSON_ArrayForEach(job, jobs)
    {
        const cJSON *lat = member(member(job, dname), "lat_ns");
        double n = num(lat, "N"), mean = num(lat, "mean");

        if (!cJSON_IsObject(member(job, dname)))
            continue;
        if (isnan(n) || (n > 0 && isnan(mean)))
            return NAN;
        sum += n * mean;
        ios += n;
    }
    return ios > 0 ? sum / ios / 1e6 : NAN;
}

/* fio's own percentiles of one clat_ns object, in ms (NAN where missing). */
static void fio_pcts(const cJSON *clat, double out[N_PCT])
{
    const cJSON *p = member(clat, "percentile");

    for (int k = 0; k < N_PCT; k++)
        out[k] = num(p, pct_keys[k]) / 1e6;
}

struct bin {
    uint64_t value; /* ns */
    uint64_t count;
};

static int bin_cmp(const void *a, const void *b)
{
    const struct bin *x = a, *y = b;

    return (x->value > y->value) - (x->value < y->value);
}

/* Append clat_ns.bins to v (room reserved); 0, or -1 when a key or count is not a whole number. */
static int bins_read(const cJSON *bins, struct bin *v, size_t *n)
{
    const cJSON *b;

    cJSON_ArrayForEach(b, bins)
    {
        char *end;
        unsigned long long value;

        if (!b->string || b->string[0] < '0' || b->string[0] > '9' || !cJSON_IsNumber(b) ||
            !(b->valuedouble >= 0 && b->valuedouble < 9e15) ||
            b->valuedouble != floor(b->valuedouble))
            return -1;
        errno = 0;
        value = strtoull(b->string, &end, 10);
        if (*end || errno)
            return -1;
        v[*n].value = value;
        v[*n].count = (uint64_t)b->valuedouble;
        (*n)++;
    }
    return 0;
}

/*
 * Percentiles (ms) from the merged bins of the clat_ns objects in clats, as
 * fio computes them: the first bin value whose cumulative count reaches p% of
 * the total. NANs when a bin is malformed. -1 on ENOMEM.
 */
static int bins_pcts(const cJSON *const *clats, size_t n_clats, double out[N_PCT])
{
    size_t cap = 0, n = 0, k = 0;
    uint64_t total = 0, cum = 0;
    struct bin *v;

    for (int i = 0; i < N_PCT; i++)
        out[i] = NAN;
    for (size_t i = 0; i < n_clats; i++)
        cap += (size_t)cJSON_GetArraySize(member(clats[i], "bins"));
    if (!(v = malloc((cap + 1) * sizeof(*v))))
        return -1;
    for (size_t i = 0; i < n_clats; i++)
        if (bins_read(member(clats[i], "bins"), v, &n) < 0)
            goto out;
    for (size_t i = 0; i < n; i++)
        total += v[i].count;
    if (total == 0 || total > UINT64_MAX / 100)
        goto out;
    qsort(v, n, sizeof(*v), bin_cmp);
    for (size_t i = 0; i < n && k < N_PCT; i++) {
        cum += v[i].count;
        while (k < N_PCT && cum * 100 >= (uint64_t)pct_points[k] * total)
            out[k++] = (double)v[i].value / 1e6;
    }
out:
    free(v);
    return 0;
}

/* The maximum over the clat_ns objects of fio's percentiles (NAN if one lacks it). */
static void max_pcts(const cJSON *const *clats, size_t n_clats, double out[N_PCT])
{
    for (int k = 0; k < N_PCT; k++)
        out[k] = -INFINITY;
    for (size_t i = 0; i < n_clats; i++) {
        double p[N_PCT];

        fio_pcts(clats[i], p);
        for (int k = 0; k < N_PCT; k++)
            out[k] = isnan(p[k]) || isnan(out[k]) ? NAN : fmax(out[k], p[k]);
    }
}

/* The clat percentiles of one direction (see fio.h for which). -1 on ENOMEM. */
static int dir_pcts(const cJSON *jobs, const char *dname, struct fio_dir *d)
{
    const cJSON *job, **clats;
    size_t n = 0, with_bins = 0;
    int rc = 0;

    if (!(clats = malloc(((size_t)cJSON_GetArraySize(jobs) + 1) * sizeof(*clats))))
        return -1;
    cJSON_ArrayForEach(job, jobs)
    {
        const cJSON *sec = member(job, dname), *clat = member(sec, "clat_ns");

        if (!cJSON_IsObject(sec) || num(clat, "N") == 0)
            continue; /* no IO in this direction (an unknown N counts as some) */
        clats[n++] = clat;
        with_bins += cJSON_IsObject(member(clat, "bins"));
    }
    if (n == 1) {
        fio_pcts(clats[0], &d->v[FM_P50]);
        d->src = PCT_FIO;
    } else if (n > 1 && with_bins == n) {
        rc = bins_pcts(clats, n, &d->v[FM_P50]);
        d->src = PCT_BINS;
    } else if (n > 1) {
        max_pcts(clats, n, &d->v[FM_P50]);
        d->src = PCT_MAX;
    }
    if (isnan(d->v[FM_P50]) && isnan(d->v[FM_P95]) && isnan(d->v[FM_P99]))
        d->src = PCT_NONE;
    free(clats);
    return rc;
}

/* One direction's figures over all jobs. -1 on ENOMEM. */
static int dir_compute(const cJSON *jobs, const char *dname, struct fio_dir *d)
{
    const cJSON *job;
    int rc;

    cJSON_ArrayForEach(job, jobs)
    {
        d->present |= cJSON_IsObject(member(job, dname));
    }
    if (!d->present)
        return 0;
    d->v[FM_IOPS] = sum_over(jobs, dname, "iops");
    d->v[FM_BW] = sum_over(jobs, dname, "bw");
    d->v[FM_LAT_MEAN] = lat_mean_ms(jobs, dname);
    rc = dir_pcts(jobs, dname, d);
    for (int m = 0; m < FM_COUNT; m++)
        if (isinf(d->v[m]))
            d->v[m] = NAN; /* a sum that overflowed: cannot be computed either */
    return rc;
}

static int has_figures(const struct fio_vm *vm)
{
    for (int d = 0; d < FD_COUNT; d++)
        for (int m = 0; m < FM_COUNT; m++)
            if (!isnan(vm->dir[d].v[m]))
                return 1;
    return 0;
}

/* The figures of an ok result's fio JSON. -1 on ENOMEM. */
static int vm_fio(struct fio_vm *vm, const cJSON *fio)
{
    const cJSON *jobs = member(fio, "jobs"), *job;

    if (!cJSON_IsObject(fio))
        return set_status(vm, FS_INVALID, "the event has no 'fio' object");
    if (!cJSON_IsArray(jobs))
        return set_status(vm, FS_INVALID, "the fio JSON has no 'jobs' array");
    vm->jobs = cJSON_GetArraySize(jobs);
    if (vm->jobs == 0)
        return set_status(vm, FS_INVALID, "the fio JSON has no jobs");
    cJSON_ArrayForEach(job, jobs)
    {
        double e = num(job, "error");

        if (!isnan(e) && e != 0) {
            const char *jn = str(job, "jobname");

            return set_status(vm, FS_FAILED, "fio job '%s' reported error %.0f", jn ? jn : "", e);
        }
    }
    for (int d = 0; d < FD_COUNT; d++)
        if (dir_compute(jobs, dir_names[d], &vm->dir[d]) < 0)
            return -1;
    if (!has_figures(vm))
        return set_status(vm, FS_INVALID, "the fio JSON has no 'read' or 'write' figures");
    vm->status = FS_OK;
    return 0;
}

/* Fill vm from one fio_result event. -1 on ENOMEM. */
static int vm_fill(struct fio_vm *vm, const cJSON *ev)
{
    const char *ns = str(ev, "namespace"), *name = str(ev, "name"), *uid = str(ev, "uid");
    const char *result = str(ev, "result"), *error = str(ev, "error");
    const cJSON *exit_status = member(ev, "exit_status");

    vm->jobs = -1;
    for (int d = 0; d < FD_COUNT; d++)
        for (int m = 0; m < FM_COUNT; m++)
            vm->dir[d].v[m] = NAN;
    if (!(vm->ns = strdup(ns ? ns : "")) || !(vm->name = strdup(name ? name : "")) ||
        (uid && !(vm->uid = strdup(uid))))
        return -1;
    if (cJSON_IsNumber(exit_status) && exit_status->valuedouble >= INT_MIN &&
        exit_status->valuedouble <= INT_MAX) {
        vm->has_exit = 1;
        vm->exit_status = (int)exit_status->valuedouble;
    }
    if (!ns || !*ns || !name || !*name)
        return set_status(vm, FS_INVALID, "the event has no 'namespace' or 'name'");
    if (!result)
        return set_status(vm, FS_INVALID, "the event has no 'result'");
    if (strcmp(result, "failed") == 0)
        return set_status(vm, FS_FAILED, "%s", error ? error : "failed without an 'error'");
    if (strcmp(result, "ok") != 0)
        return set_status(vm, FS_INVALID, "unknown result '%s'", result);
    return vm_fio(vm, member(ev, "fio"));
}

static void vm_free(struct fio_vm *vm)
{
    if (!vm)
        return;
    free(vm->ns);
    free(vm->name);
    free(vm->uid);
    free(vm->reason);
    free(vm);
}

/* ---- the set ---------------------------------------------------------------------- */

struct fio_set *fio_set_new(void)
{
    return calloc(1, sizeof(struct fio_set));
}

void fio_set_free(struct fio_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        vm_free(s->v[i]);
    free(s->v);
    free(s);
}

size_t fio_set_count(const struct fio_set *s)
{
    return s ? s->n : 0;
}

/* The index of ns/name in s, or where it would go; *found tells which. */
static size_t find(const struct fio_set *s, const char *ns, const char *name, int *found)
{
    size_t lo = 0, hi = s->n;

    *found = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(ns, s->v[mid]->ns);

        if (c == 0)
            c = strcmp(name, s->v[mid]->name);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

int fio_set_add(struct fio_set *s, const cJSON *event, struct vs_error *err)
{
    struct fio_vm *vm = calloc(1, sizeof(*vm));
    size_t at;
    int found;

    if (!vm || vm_fill(vm, event) < 0)
        goto nomem;
    at = find(s, vm->ns, vm->name, &found);
    if (found) { /* a later result replaces the earlier one */
        vm_free(s->v[at]);
        s->v[at] = vm;
        return 0;
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        struct fio_vm **v = realloc(s->v, cap * sizeof(*v));

        if (!v)
            goto nomem;
        s->v = v;
        s->cap = cap;
    }
    memmove(&s->v[at + 1], &s->v[at], (s->n - at) * sizeof(*s->v));
    s->v[at] = vm;
    s->n++;
    return 0;
nomem:
    vm_free(vm);
    return vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory");
}

/* ---- numbers ------------------------------------------------------------------------ */

/* x rounded to 6 decimal places (what the JSON and CSV hold); huge values are left alone. */
static double round6(double x)
{
    if (!isfinite(x) || fabs(x) >= 9e9)
        return x;
    return round(x * 1e6) / 1e6 + 0.0; /* + 0.0: no "-0" */
}

/*
 * x rounded to `decimals` (0..6) places in plain decimal notation, built from
 * integers so that no locale changes it; with trim, trailing fraction zeros
 * (and then the ".") are dropped. |x| * 10^decimals >= 9e15 falls back to %.17g.
 */
static void fmt_fixed(char *buf, size_t n, double x, int decimals, int trim)
{
    static const long long unit[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
    double k = round(x * (double)unit[decimals]);
    long long ki;
    char frac[8] = "";

    if (!isfinite(k) || fabs(k) >= 9e15) {
        snprintf(buf, n, "%.17g", x);
        return;
    }
    ki = (long long)fabs(k);
    for (long long r = ki % unit[decimals], i = decimals; i > 0; r /= 10, i--)
        frac[i - 1] = (char)('0' + r % 10);
    for (size_t len = strlen(frac); trim && len > 0 && frac[len - 1] == '0'; len--)
        frac[len - 1] = '\0';
    snprintf(buf, n, "%s%lld%s%s", k < 0 ? "-" : "", ki / unit[decimals], frac[0] ? "." : "", frac);
}

/* ---- summary.json ------------------------------------------------------------------- */

/* o[key] = round6(v), or null when v is NAN. 0, or -1 on ENOMEM. */
static int add_num_or_null(cJSON *o, const char *key, double v)
{
    return (isnan(v) ? cJSON_AddNullToObject(o, key) : cJSON_AddNumberToObject(o, key, round6(v)))
               ? 0
               : -1;
}

static cJSON *dir_json(const struct fio_dir *d)
{
    cJSON *o = cJSON_CreateObject();
    int bad = !o;

    for (int m = 0; m < FM_COUNT && !bad; m++)
        if (!isnan(d->v[m]))
            bad |= add_num_or_null(o, metric_keys[m], d->v[m]);
    if (!bad && d->src != PCT_NONE)
        bad |= !cJSON_AddStringToObject(o, "clat_pct_source", pct_source_names[d->src]);
    if (bad) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static cJSON *vm_json(const struct fio_vm *vm)
{
    cJSON *o = cJSON_CreateObject();
    int bad = !o;

    bad =
        bad || !cJSON_AddStringToObject(o, "namespace", vm->ns) ||
        !cJSON_AddStringToObject(o, "name", vm->name) ||
        !(vm->uid ? cJSON_AddStringToObject(o, "uid", vm->uid) : cJSON_AddNullToObject(o, "uid")) ||
        !cJSON_AddStringToObject(o, "status", status_names[vm->status]) ||
        (vm->reason && !cJSON_AddStringToObject(o, "reason", vm->reason)) ||
        (vm->has_exit && !cJSON_AddNumberToObject(o, "exit_status", vm->exit_status)) ||
        (vm->jobs >= 0 && !cJSON_AddNumberToObject(o, "jobs", (double)vm->jobs));
    for (int d = 0; d < FD_COUNT && !bad; d++) {
        cJSON *dj =
            vm->status == FS_OK && vm->dir[d].present ? dir_json(&vm->dir[d]) : cJSON_CreateNull();

        bad = !dj || !cJSON_AddItemToObject(o, dir_names[d], dj);
        if (bad)
            cJSON_Delete(dj);
    }
    if (bad) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* {"iops_sum", "bw_kib_s_sum"} of direction d over the ok VMs. */
static cJSON *total_json(const struct fio_set *s, int d)
{
    static const char *const keys[] = {"iops_sum", "bw_kib_s_sum"};
    cJSON *o = cJSON_CreateObject();
    int bad = !o;

    for (int m = FM_IOPS; m <= FM_BW && !bad; m++) {
        double sum = 0;
        size_t n = 0;

        for (size_t i = 0; i < s->n; i++) {
            double v = s->v[i]->dir[d].v[m];

            if (s->v[i]->status == FS_OK && !isnan(v)) {
                sum += v;
                n++;
            }
        }
        bad |= add_num_or_null(o, keys[m - FM_IOPS], n ? sum : NAN);
    }
    if (bad) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* The spread across the ok VMs of metric m of direction d into *out. -1 on ENOMEM. */
static int spread(const struct fio_set *s, int d, int m, struct stats_summary *out)
{
    struct stats *st = stats_new();

    if (!st)
        return -1;
    for (size_t i = 0; i < s->n; i++) {
        double v = s->v[i]->dir[d].v[m];

        if (s->v[i]->status == FS_OK && isfinite(v) && stats_add(st, v) < 0) {
            stats_free(st);
            return -1;
        }
    }
    stats_summarize(st, out);
    stats_free(st);
    return 0;
}

static cJSON *spread_json(const struct fio_set *s, int d, int m)
{
    struct stats_summary sum;
    cJSON *o;
    int bad;

    if (spread(s, d, m, &sum) < 0 || !(o = cJSON_CreateObject()))
        return NULL;
    bad = !cJSON_AddNumberToObject(o, "n", (double)sum.ok) || add_num_or_null(o, "min", sum.min) ||
          add_num_or_null(o, "avg", sum.mean) || add_num_or_null(o, "p50", sum.p50) ||
          add_num_or_null(o, "p95", sum.p95) || add_num_or_null(o, "p99", sum.p99) ||
          add_num_or_null(o, "max", sum.max);
    if (bad) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* Add item to o under key; deletes item and returns -1 when that fails (or item is NULL). */
static int add_item(cJSON *o, const char *key, cJSON *item)
{
    if (item && cJSON_AddItemToObject(o, key, item))
        return 0;
    cJSON_Delete(item);
    return -1;
}

static cJSON *across_json(const struct fio_set *s)
{
    cJSON *o = cJSON_CreateObject();
    int bad = !o;

    for (int d = 0; d < FD_COUNT && !bad; d++) {
        cJSON *dj = cJSON_CreateObject();

        bad = add_item(o, dir_names[d], dj) < 0 ||
              add_item(dj, "iops", spread_json(s, d, FM_IOPS)) < 0 ||
              add_item(dj, "clat_p99_ms", spread_json(s, d, FM_P99)) < 0;
    }
    if (bad) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static void count_statuses(const struct fio_set *s, size_t n[FS_COUNT])
{
    memset(n, 0, FS_COUNT * sizeof(*n));
    for (size_t i = 0; i < s->n; i++)
        n[s->v[i]->status]++;
}

cJSON *fio_set_json(const struct fio_set *s)
{
    cJSON *o = cJSON_CreateObject(), *per_vm = NULL, *total = NULL;
    size_t n[FS_COUNT];
    int bad = !o;

    count_statuses(s, n);
    bad = bad || !cJSON_AddNumberToObject(o, "vms", (double)s->n);
    for (int st = 0; st < FS_COUNT && !bad; st++)
        bad = !cJSON_AddNumberToObject(o, status_names[st], (double)n[st]);
    bad = bad || add_item(o, "per_vm", per_vm = cJSON_CreateArray()) < 0;
    for (size_t i = 0; i < s->n && !bad; i++) {
        cJSON *vj = vm_json(s->v[i]);

        bad = !vj || !cJSON_AddItemToArray(per_vm, vj);
        if (bad)
            cJSON_Delete(vj);
    }
    bad = bad || add_item(o, "total", total = cJSON_CreateObject()) < 0;
    for (int d = 0; d < FD_COUNT && !bad; d++)
        bad = add_item(total, dir_names[d], total_json(s, d)) < 0;
    bad = bad || add_item(o, "across_vms", across_json(s)) < 0;
    if (bad) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* ---- fio.csv ------------------------------------------------------------------------ */

struct csv_out {
    FILE *f;
    int err; /* errno of the first failed write, 0 while none */
};

static void out_check(struct csv_out *o, int failed)
{
    if (failed && !o->err)
        o->err = errno ? errno : EIO;
}

static void out_raw(struct csv_out *o, const char *s)
{
    if (!o->err) {
        errno = 0;
        out_check(o, fputs(s, o->f) == EOF);
    }
}

/* A text cell after sep ("" or ","), quoted when it must be (csvout.h); NULL gives an empty cell.
 */
static void out_text(struct csv_out *o, const char *sep, const char *s)
{
    out_raw(o, sep);
    if (!o->err && s && !csvout_needs_quotes(s)) {
        out_raw(o, s);
    } else if (!o->err && s) {
        errno = 0;
        out_check(o, csv_fwrite(o->f, s, strlen(s)) != 0);
    }
}

static void out_num(struct csv_out *o, double v)
{
    char buf[64] = "";

    if (!isnan(v))
        fmt_fixed(buf, sizeof(buf), v, 6, 1);
    out_raw(o, ",");
    out_raw(o, buf);
}

static void csv_row(struct csv_out *o, const struct fio_vm *vm)
{
    out_text(o, "", vm->ns);
    out_text(o, ",", vm->name);
    out_text(o, ",", vm->uid);
    out_text(o, ",", status_names[vm->status]);
    for (int d = 0; d < FD_COUNT; d++)
        for (int m = 0; m < FM_COUNT; m++)
            out_num(o, vm->status == FS_OK ? vm->dir[d].v[m] : NAN);
    out_text(o, ",", vm->reason);
    out_raw(o, "\n");
}

int fio_set_write_csv(const struct fio_set *s, FILE *f, struct vs_error *err)
{
    struct csv_out o = {f, 0};

    out_raw(&o, "namespace,name,uid,status");
    for (int d = 0; d < FD_COUNT; d++)
        for (int m = 0; m < FM_COUNT; m++) {
            out_raw(&o, ",");
            out_raw(&o, dir_names[d]);
            out_raw(&o, "_");
            out_raw(&o, metric_keys[m]);
        }
    out_raw(&o, ",reason\n");
    for (size_t i = 0; i < s->n; i++)
        csv_row(&o, s->v[i]);
    if (!o.err) {
        errno = 0;
        out_check(&o, fflush(f) == EOF || ferror(f));
    }
    if (o.err)
        return vs_error_setc(err, o.err, NULL, 0, 0, "cannot write the fio table: %s",
                             strerror(o.err));
    return 0;
}

/* ---- the terminal ------------------------------------------------------------------- */

/* A cell of the table: x with `decimals` places, or "-". */
static const char *cell(char *buf, size_t n, double x, int decimals)
{
    if (isnan(x))
        snprintf(buf, n, "-");
    else
        fmt_fixed(buf, n, x, decimals, 0);
    return buf;
}

/* At most FIO_PRINT_REASON characters of s, control characters as spaces. */
static void print_reason(FILE *out, const char *s)
{
    for (size_t i = 0; s && s[i] && i < FIO_PRINT_REASON; i++)
        fputc((unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i], out);
    if (s && strlen(s) > FIO_PRINT_REASON)
        fputs("...", out);
}

static void print_vm(FILE *out, const struct fio_vm *vm, int w)
{
    static const int decimals[FM_COUNT] = {0, 0, 4, 4, 4, 4};
    int len = (int)(strlen(vm->ns) + 1 + strlen(vm->name));

    fprintf(out, "  %s/%s%*s %-7s", vm->ns, vm->name, len < w ? w - len : 0, "",
            status_names[vm->status]);
    if (vm->status != FS_OK) {
        fputc(' ', out);
        print_reason(out, vm->reason);
        fputc('\n', out);
        return;
    }
    for (int d = 0; d < FD_COUNT; d++)
        for (int m = 0; m < FM_COUNT; m++) {
            char buf[64];

            if (m == FM_P50 || m == FM_P95)
                continue; /* the table shows the mean and P99 */
            fprintf(out, " %*s", m <= FM_BW ? 9 : 8,
                    cell(buf, sizeof(buf), vm->dir[d].v[m], decimals[m]));
        }
    fputc('\n', out);
}

static void print_spread(FILE *out, const struct fio_set *s)
{
    static const struct {
        int m, decimals;
        const char *label;
    } rows[] = {{FM_IOPS, 0, "IOPS"}, {FM_P99, 4, "clat P99 ms"}};
    int header = 0;

    for (int d = 0; d < FD_COUNT; d++)
        for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
            struct stats_summary m;
            char v[6][64], label[32];

            if (spread(s, d, rows[r].m, &m) < 0 || m.ok == 0)
                continue;
            if (!header++)
                fprintf(out, "  %-18s %5s %10s %10s %10s %10s %10s %10s\n", "across VMs", "n",
                        "min", "avg", "P50", "P95", "P99", "max");
            snprintf(label, sizeof(label), "%s %s", dir_names[d], rows[r].label);
            fprintf(out, "  %-18s %5zu %10s %10s %10s %10s %10s %10s\n", label, m.ok,
                    cell(v[0], sizeof(v[0]), m.min, rows[r].decimals),
                    cell(v[1], sizeof(v[1]), m.mean, rows[r].decimals),
                    cell(v[2], sizeof(v[2]), m.p50, rows[r].decimals),
                    cell(v[3], sizeof(v[3]), m.p95, rows[r].decimals),
                    cell(v[4], sizeof(v[4]), m.p99, rows[r].decimals),
                    cell(v[5], sizeof(v[5]), m.max, rows[r].decimals));
        }
}

void fio_set_print(const struct fio_set *s, FILE *out)
{
    size_t n[FS_COUNT], shown = s->n < FIO_PRINT_ROWS ? s->n : FIO_PRINT_ROWS;
    int w = 2; /* "VM" */

    if (s->n == 0)
        return;
    count_statuses(s, n);
    for (size_t i = 0; i < shown; i++) {
        size_t len = strlen(s->v[i]->ns) + 1 + strlen(s->v[i]->name);

        if (len > (size_t)w)
            w = len > FIO_PRINT_NAME_W ? FIO_PRINT_NAME_W : (int)len;
    }
    fprintf(out, "\nfio: %zu VMs: %zu ok, %zu failed, %zu invalid (latencies in ms)\n", s->n,
            n[FS_OK], n[FS_FAILED], n[FS_INVALID]);
    fprintf(out, "  %-*s %-7s %9s %9s %8s %8s %9s %9s %8s %8s\n", w, "VM", "status", "rd IOPS",
            "rd KiB/s", "rd lat", "rd P99", "wr IOPS", "wr KiB/s", "wr lat", "wr P99");
    for (size_t i = 0; i < shown; i++)
        print_vm(out, s->v[i], w);
    if (s->n > shown)
        fprintf(out, "  ... %zu more\n", s->n - shown);
    print_spread(out, s);
}
