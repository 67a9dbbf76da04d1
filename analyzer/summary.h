/*
 * summary.h - statistics of a run's episodes (model.h): per phase and
 * milestone, the durations from each episode's t0 to the milestone, in
 * seconds (from the collector's monotonic clock), and the boot-storm
 * multipliers.
 *
 * An episode that never reached a milestone is censored for it: counted,
 * never averaged in. An episode without a known t0 (its VM was started by
 * someone else, e.g. with --skip-vm-creation) has no durations at all; it
 * is counted in `without_t0`, not as censored. Percentiles: linear
 * interpolation between closest ranks (lib/stats.h).
 *
 * The stop phase has one measure, "stopped": from the stop request to the
 * VMI's deletion, for the episodes that had one.
 */
#ifndef VS_ANALYZER_SUMMARY_H
#define VS_ANALYZER_SUMMARY_H

#include <stddef.h>

#include "model.h"
#include "stats.h"

struct phase_stats {
    char phase[16];
    size_t episodes;   /* that the phase started */
    size_t without_t0; /* of those, without a known request */
    size_t failed;     /* of those, failed ones (episode_failure) */
    struct stats_summary ms[M_COUNT];
    struct stats_summary stopped; /* the stop phase only; count 0 elsewhere */
};

/* The verdict of a storm/create multiplier: good (< 2), concerning (< 5), critical. */
const char *multiplier_verdict(double multiplier);

/*
 * Statistics per phase, in order of the phases' beginnings (phases without
 * episodes and not "stop" are left out). *out is a new array of *n entries
 * (free()). 0, or -1 with err (ENOMEM).
 */
int summary_compute(const struct model *m, struct phase_stats **out, size_t *n,
                    struct vs_error *err);

/* The entry of phase name in s (n entries), or NULL. */
const struct phase_stats *summary_phase(const struct phase_stats *s, size_t n, const char *name);

#endif
