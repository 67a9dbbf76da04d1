#!/usr/bin/env python3
"""independent.py RUN.ndjson SUMMARY.json - recompute the analyzer's figures another way.

A second, deliberately plain implementation of the episode rule of
analyzer/model.h (all events in memory, sorted by time, Python's own
statistics module for mean and stdev, the percentile written out from its
definition), compared with what vmstorm-analyze wrote in summary.json for
the milestones running and ready of every start phase and for the stop
latency. Prints one line per figure compared and exits 1 on any mismatch
(more than 1 ns apart, or a count that differs).
"""

import json
import math
import statistics
import sys


def percentile(xs, p):
    """Linear interpolation between closest ranks (numpy 'linear', R type 7)."""
    xs = sorted(xs)
    h = (len(xs) - 1) * p / 100.0
    lo = math.floor(h)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (h - lo) * (xs[hi] - xs[lo])


def main():
    run, summary = sys.argv[1], sys.argv[2]
    events = [json.loads(line) for line in open(run) if line.strip()]
    events.sort(key=lambda e: e["mono_ns"])
    starts, stops = {}, {}      # vm key -> [(mono, phase)]
    episodes = {}               # uid -> dict
    for e in events:
        k = e["kind"]
        if k == "api_request" and e.get("resource") == "virtualmachines" and "namespace" in e \
                and "name" in e and e.get("attempt", 1) == 1:
            key = (e["namespace"], e["name"])
            sub = e.get("subresource")
            if e["method"] == "POST" or sub == "start":
                starts.setdefault(key, []).append((e["mono_ns"], e.get("phase", "")))
            elif sub == "stop":
                stops.setdefault(key, []).append(e["mono_ns"])
            elif e["method"] == "PATCH" and e.get("phase") not in ("stop", "cleanup"):
                starts.setdefault(key, []).append((e["mono_ns"], e.get("phase", "")))
            elif e["method"] == "PATCH":
                stops.setdefault(key, []).append(e["mono_ns"])
        elif k == "watch_event" and e["resource"] == "virtualmachineinstances":
            ep = episodes.setdefault(e["uid"], {"key": (e["namespace"], e["name"]),
                                                "seen": e["mono_ns"]})
            if e["type"] == "DELETED":
                ep.setdefault("gone", e["mono_ns"])
                continue
            if e["changed"].get("phase") == "Running":
                ep.setdefault("running", e["mono_ns"])
        elif k == "probe" and e["result"] == "ready" and e["uid"] in episodes:
            episodes[e["uid"]].setdefault("ready", e["mono_ns"])
    by_vm = {}
    for uid, ep in episodes.items():
        by_vm.setdefault(ep["key"], []).append(ep)
    durations = {}   # (phase, milestone) -> list of seconds or None (censored)
    stopped = []
    for key, eps in by_vm.items():
        eps.sort(key=lambda ep: ep["seen"])
        after = -1
        for ep in eps:
            cands = [s for s in starts.get(key, []) if after <= s[0] < ep["seen"]]
            after = ep["seen"]
            if "gone" in ep:
                st = [s for s in stops.get(key, []) if ep["seen"] <= s <= ep["gone"]]
                if st:
                    stopped.append((ep["gone"] - max(st)) / 1e9)
            if not cands:
                continue
            t0, phase = max(cands)
            for m in ("running", "ready"):
                durations.setdefault((phase, m), []).append(
                    (ep[m] - t0) / 1e9 if m in ep else None)
    durations[("stop", "stopped")] = stopped

    s = json.load(open(summary))
    bad = 0
    for (phase, m), vals in sorted(durations.items()):
        got = s["phases"].get(phase, {}).get(m)
        if got is None:
            if m == "ready" and not any(e["kind"] == "probe" for e in events):
                continue
            print(f"MISSING {phase}.{m}")
            bad += 1
            continue
        ok = [v for v in vals if v is not None]
        want = {"count": len(vals), "ok": len(ok), "censored": len(vals) - len(ok)}
        if ok:
            want.update(min=min(ok), max=max(ok), avg=statistics.fmean(ok),
                        stddev=statistics.stdev(ok) if len(ok) > 1 else 0.0,
                        p50=percentile(ok, 50), p90=percentile(ok, 90),
                        p95=percentile(ok, 95), p99=percentile(ok, 99))
        for stat, w in want.items():
            g = got.get(stat)
            same = g == w if stat in ("count", "ok", "censored") else \
                g is not None and abs(g - w) <= 1.5e-9
            print(f"{'ok  ' if same else 'DIFF'} {phase}.{m}.{stat} analyzer={g} independent={w}")
            bad += not same
    sys.exit(1 if bad else 0)


main()
