#!/usr/bin/env bash
# bench-collect-storm.sh - vmstorm-collect against vmstorm-sim: N VMs (1000)
# on NODES nodes (20) at SPEED (20), tcp probes, create + boot storm.
# Prints the collector's wall time, CPU seconds and peak RSS, its API
# requests per VM (all, and mutating ones per create+storm cycle), the
# events it recorded per second (over the run, and over the storm phase),
# and the error of its recorded VMI Running times against the simulator's
# truth (lost transitions must be 0). With ANALYZE=1, then vmstorm-analyze
# and vmstorm-report on the run: wall time, CPU seconds, peak RSS.
# Targets (issue 4): P99 error < 5 ms, <= 4 mutating requests per VM per
# cycle, peak RSS < 64 MB. Figures only: nothing here passes or fails.
# bench-scale.sh runs it at 10,000 VMs on 100 nodes (issue 8).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000} NODES=${NODES:-20} SPEED=${SPEED:-20} BIN=${BIN:-bin}
TMPD=$(mktemp -d)
trap 'kill $SIM_PID 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$TMPD"' EXIT
. bench/simdrive.sh

# --no-fio: no fio phase here, and each guest then holds one open file of the
# simulator instead of two (10,000 guests fit a hard open-file limit of 20,000)
sim_launch --nodes "$NODES" --speed "$SPEED" --no-fio
echo "vmstorm-collect: $N VMs, create + boot storm, tcp probes (nodes=$NODES speed=$SPEED)"
# python's getrusage(RUSAGE_CHILDREN) gives the collector's own CPU time and peak RSS
python3 - "$BIN/vmstorm-collect" "$TMPD" "$N" <<'PY'
import resource, subprocess, sys, time
exe, d, n = sys.argv[1], sys.argv[2], sys.argv[3]
t0 = time.monotonic()
rc = subprocess.call([exe, "--kubeconfig", d + "/kubeconfig", "--vm-template",
                      "samples/templates/vm-containerdisk.yaml", "--vm-name", "vm-cirros",
                      "--probe", "tcp:2222", "--start", "1", "--end", n, "--boot-storm",
                      "--ping-timeout", "300", "-y", "-o", d + "/run.ndjson", "--log-level", "warn"],
                     stdout=open(d + "/summary.txt", "w"))
wall = time.monotonic() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print("collector: exit %d, %.1f s wall, cpu_seconds=%.2f (user %.2f, sys %.2f), peak_rss_mb=%.1f"
      % (rc, wall, ru.ru_utime + ru.ru_stime, ru.ru_utime, ru.ru_stime, ru.ru_maxrss / 1024))
PY
grep -E '^(create|storm|stop):|^  (Running|ready) ' "$TMPD/summary.txt" | sed 's/^/  /'
python3 - "$TMPD/run.ndjson" "$N" <<'PY'
import json, sys
n = int(sys.argv[2])
total = mutating = 0
by = {}
lines = 0
storm = [None, None, 0]  # begin, end (mono ns), events between
for line in open(sys.argv[1]):
    e = json.loads(line)
    lines += 1
    if e["kind"] in ("phase_begin", "phase_end") and e.get("phase") == "storm":
        storm[0 if e["kind"] == "phase_begin" else 1] = e["mono_ns"]
    elif storm[0] is not None and storm[1] is None:
        storm[2] += 1
    first = first if lines > 1 else e["mono_ns"]
    last = e["mono_ns"]
    if e["kind"] != "api_request":
        continue
    total += 1
    if e["method"] != "GET" and e.get("phase") in ("namespaces", "create", "stop", "storm"):
        mutating += 1
        key = (e["method"], e.get("subresource") or e["resource"])
        by[key] = by.get(key, 0) + 1
print("requests: %d in all (%.2f per VM); mutating per VM per create+storm cycle: %.2f (%s)"
      % (total, total / n, mutating / n,
         ", ".join("%s %s %d" % (m, r, c) for (m, r), c in sorted(by.items()))))
print("results file: %d events, %.0f per second over the run" % (lines, lines / ((last - first) / 1e9)))
if storm[1]:
    print("storm phase: %d events in %.1f s, %.0f per second" % (storm[2], (storm[1] - storm[0]) / 1e9,
          storm[2] / ((storm[1] - storm[0]) / 1e9)))
PY
python3 bench/truth_vs_run.py "$TMPD/truth.ndjson" "$TMPD/run.ndjson" | sed 's/^/  /'
[ -n "${ANALYZE:-}" ] || exit 0
# the analyzer and the report on this run, each measured as the collector was
python3 - "$BIN" "$TMPD" <<'PY'
import resource, subprocess, sys, time
b, d = sys.argv[1], sys.argv[2]
for name, argv in (("vmstorm-analyze", [b + "/vmstorm-analyze", d + "/run.ndjson", "-o", d + "/a"]),
                   ("vmstorm-report", [b + "/vmstorm-report", d + "/a"])):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    rc = subprocess.call(argv, stdout=subprocess.DEVNULL)
    wall = time.monotonic() - t0
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = ru.ru_utime + ru.ru_stime - before.ru_utime - before.ru_stime
    print("%s: exit %d, %.2f s wall, cpu_seconds=%.2f, peak_rss_mb=%.1f (the largest child yet)"
          % (name, rc, wall, cpu, ru.ru_maxrss / 1024))
PY
