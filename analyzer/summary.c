#include "summary.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *multiplier_verdict(double multiplier)
{
    return multiplier < 2.0 ? "good" : multiplier < 5.0 ? "concerning" : "critical";
}

const struct phase_stats *summary_phase(const struct phase_stats *s, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s[i].phase, name) == 0)
            return &s[i];
    return NULL;
}

/* The phases to report, in order: those of the run file, then any only episodes name. */
static int phase_list(const struct model *m, char (**names)[16], size_t *n)
{
    char(*v)[16] = calloc(m->n_phases + m->n_episodes + 1, sizeof(*v));
    size_t k = 0;

    if (!v)
        return -1;
    for (size_t i = 0; i < m->n_phases; i++) {
        int dup = 0;

        for (size_t j = 0; j < k; j++)
            dup |= strcmp(v[j], m->phases[i].name) == 0;
        if (!dup)
            snprintf(v[k++], sizeof(v[0]), "%s", m->phases[i].name);
    }
    for (const struct episode *e = m->first; e; e = e->next) {
        int dup = strcmp(e->phase, "setup") == 0; /* VMIs that were there before: not starts */

        for (size_t j = 0; j < k; j++)
            dup |= strcmp(v[j], e->phase) == 0;
        if (!dup)
            snprintf(v[k++], sizeof(v[0]), "%s", e->phase);
    }
    *names = v;
    *n = k;
    return 0;
}

static double secs(const struct vs_time *from, const struct vs_time *to)
{
    return (double)(to->mono_ns - from->mono_ns) / 1e9;
}

/* One phase: the episodes it started (or, for "stop", the ones it stopped). */
static int phase_compute(const struct model *m, const char *name, struct phase_stats *p)
{
    struct stats *st[M_COUNT] = {0}, *stop = stats_new();
    int rc = -1;

    memset(p, 0, sizeof(*p));
    snprintf(p->phase, sizeof(p->phase), "%s", name);
    for (int k = 0; k < M_COUNT; k++)
        if (!(st[k] = stats_new()))
            goto out;
    if (!stop)
        goto out;
    for (const struct episode *e = m->first; e; e = e->next) {
        if (e->superseded)
            continue;
        if (strcmp(name, "stop") == 0 && e->has_stop && e->gone)
            stats_add(stop, secs(&e->stop_t0, &e->gone_at));
        else if (strcmp(name, "stop") == 0 && e->has_stop)
            stats_add_censored(stop);
        if (strcmp(e->phase, name) != 0)
            continue;
        p->episodes++;
        if (episode_failure(e))
            p->failed++;
        if (!e->has_t0) {
            p->without_t0++;
            continue;
        }
        for (int k = 0; k < M_COUNT; k++) {
            if (e->reached & (1u << k))
                stats_add(st[k], secs(&e->t0, &e->at[k]));
            else
                stats_add_censored(st[k]);
        }
    }
    for (int k = 0; k < M_COUNT; k++)
        stats_summarize(st[k], &p->ms[k]);
    stats_summarize(stop, &p->stopped);
    rc = 0;
out:
    for (int k = 0; k < M_COUNT; k++)
        stats_free(st[k]);
    stats_free(stop);
    return rc;
}

int summary_compute(const struct model *m, struct phase_stats **out, size_t *n,
                    struct vs_error *err)
{
    char(*names)[16] = NULL;
    size_t n_names, k = 0;
    struct phase_stats *v = NULL;

    if (phase_list(m, &names, &n_names) < 0 || !(v = calloc(n_names + 1, sizeof(*v)))) {
        free(names);
        return vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory");
    }
    for (size_t i = 0; i < n_names; i++) {
        if (phase_compute(m, names[i], &v[k]) < 0) {
            free(names);
            free(v);
            return vs_error_setc(err, ENOMEM, NULL, 0, 0, "out of memory");
        }
        if (v[k].episodes || v[k].stopped.count)
            k++;
    }
    free(names);
    *out = v;
    *n = k;
    return 0;
}
