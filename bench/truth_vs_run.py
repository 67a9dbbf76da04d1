#!/usr/bin/env python3
"""truth_vs_run.py TRUTH.ndjson RUN.ndjson - did the collector see what vmstorm-sim did, and when?

For every VMI that entered phase Running in the simulator's truth file
(what == "vmi_phase:Running", keyed by VMI uid), look in the collector's
run file for the watch_event of that VMI whose `changed` holds phase
Running. Prints how many were found, lists the missing ones, and the error
of the recorded receive time (envelope wall_ns) against the truth's exact
time (t_ns), both on this host's CLOCK_REALTIME, as P50/P99/max in ms
(linear-interpolation percentiles, as vmstorm states them).

Exit status: 0 when none is missing, 1 otherwise, 2 on bad input.
"""
import json
import sys

from truth_stats import pct  # the same percentile method, beside this script


def main():
    if len(sys.argv) != 3:
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    truth = {}
    for line in open(sys.argv[1]):
        e = json.loads(line)
        if e.get("what") == "vmi_phase:Running" and e.get("uid"):
            truth[e["uid"]] = (e["namespace"], e["name"], e["t_ns"])
    seen = {}
    for n, line in enumerate(open(sys.argv[2]), 1):
        try:
            e = json.loads(line)
        except ValueError:
            print("%s:%d: not JSON (a cut last line?)" % (sys.argv[2], n), file=sys.stderr)
            continue
        if (e.get("kind") == "watch_event" and e.get("resource") == "virtualmachineinstances"
                and e.get("changed", {}).get("phase") == "Running" and e["uid"] not in seen):
            seen[e["uid"]] = e["wall_ns"]
    missing = [u for u in truth if u not in seen]
    errs = [(seen[u] - truth[u][2]) / 1e6 for u in truth if u in seen]
    print("VMI Running transitions: %d in the truth, %d recorded, %d missing"
          % (len(truth), len(truth) - len(missing), len(missing)))
    for u in sorted(missing, key=lambda u: truth[u][2])[:20]:
        print("  missing: %s/%s uid %s" % (truth[u][0], truth[u][1], u))
    if errs:
        print("recorded Running time - true time: P50 %.2f ms, P99 %.2f ms, max %.2f ms, min %.2f ms"
              % (pct(errs, 50), pct(errs, 99), max(errs), min(errs)))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
