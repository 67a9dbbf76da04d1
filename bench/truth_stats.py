#!/usr/bin/env python3
"""truth_stats.py TRUTH.ndjson SPEED [--since-ns T] - per-VM latencies from vmstorm-sim's ground truth.

For each VM episode, the time from its t0 (vm_created, or vm_start_requested)
to VMI Running and to guest_ready, in model seconds (real seconds x SPEED).
Prints count, P50, P95, max per phase (create / start). Percentiles: linear
interpolation between closest ranks (numpy's default), as vmstorm states.
"""
import json
import sys


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    h = (len(xs) - 1) * p / 100.0
    lo = int(h)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (h - lo) * (xs[hi] - xs[lo])


def main():
    path, speed = sys.argv[1], float(sys.argv[2])
    since = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "--since-ns" else 0
    t0 = {}
    out = {"create": {"running": [], "ready": []}, "start": {"running": [], "ready": []}}
    phase_of = {}
    for line in open(path):
        e = json.loads(line)
        if e["t_ns"] < since:
            continue
        key = (e["namespace"], e["name"])
        w = e["what"]
        if w in ("vm_created", "vm_start_requested"):
            t0[key] = e["t_ns"]
            phase_of[key] = "create" if w == "vm_created" else "start"
        elif key in t0 and w == "vmi_phase:Running":
            out[phase_of[key]]["running"].append((e["t_ns"] - t0[key]) / 1e9 * speed)
        elif key in t0 and w == "guest_ready":
            out[phase_of[key]]["ready"].append((e["t_ns"] - t0[key]) / 1e9 * speed)
            del t0[key]
    result = {}
    for phase, ms in out.items():
        for m, xs in ms.items():
            if xs:
                result[f"{phase}.{m}"] = {"count": len(xs), "p50": pct(xs, 50), "p95": pct(xs, 95),
                                          "max": max(xs)}
    json.dump(result, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
