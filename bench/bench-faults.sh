#!/usr/bin/env bash
# bench-faults.sh - the soak: an N-VM (1000) create + boot storm on NODES (20)
# simulated nodes at SPEED (20) with every fault on at once: watch streams
# dropped every 2 s, half the watch resumes answered 410 Expired, 10% of
# mutations failing with 500 and 10% with 429 (Retry-After 1), 5% of all
# requests with 503, a fifth of requests 200 ms slow, 5% of VM starts in
# CrashLoopBackOff. Prints the faults the simulator injected (its /metrics),
# whether the run completed, the VMI Running transitions lost against the
# truth file (must be 0), and the failed VM starts of the truth against the
# VM starts the analyzer marks failed (with the status KubeVirt showed).
# tests/cli/t-collect-faults.sh is the short version (200 VMs) that make check runs.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000} NODES=${NODES:-20} SPEED=${SPEED:-20} BIN=${BIN:-bin}
for p in vmstorm-sim vmstorm-collect vmstorm-analyze; do [ -x "$BIN/$p" ] || exit 2; done
TMPD=$(mktemp -d)
trap 'kill $SIM_PID 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$TMPD"' EXIT
. bench/simdrive.sh
sim_launch --nodes "$NODES" --speed "$SPEED" --seed 3 \
    --fault watch-drop:every=2s --fault watch-expire:share=0.5 \
    --fault http-error:code=500,share=0.1 --fault http-error:code=429,share=0.1,retry-after=1 \
    --fault http-error:code=503,share=0.05,verbs=all --fault latency:ms=200,share=0.2 \
    --fault vm-fail:share=0.05,mode=crashloop

echo "vmstorm-collect: $N VMs, create + boot storm, every fault on (nodes=$NODES speed=$SPEED)"
t0=$(date +%s%N)
rc=0
"$BIN/vmstorm-collect" --kubeconfig "$TMPD/kubeconfig" --vm-template samples/templates/vm-containerdisk.yaml \
    --vm-name vm-cirros --probe tcp:2222 --ping-timeout 60 --start 1 --end "$N" --boot-storm -y \
    -o "$TMPD/run.ndjson" --log-level warn >"$TMPD/run.out" 2>"$TMPD/run.err" || rc=$?
printf 'collector: exit %d after %.1f s; %s\n' "$rc" "$((($(date +%s%N) - t0) / 1000000))e-3" \
    "$(grep -c '' "$TMPD/run.ndjson") events"
grep -E '^(create|stop|storm):|VMs:' "$TMPD/run.out" | sed 's/^/  /'

echo "faults the simulator injected:"
curl -sS --cacert "$CA" -H "Authorization: Bearer $SIM_TOKEN" "$SIM_URL/metrics" |
    grep -E '^vmstorm_sim_faults_injected_total' | sed 's/^vmstorm_sim_faults_injected_total/  /'
echo "what the collector saw of them:"
jq -r 'select(.kind == "api_request" and .status >= 429) | .status' "$TMPD/run.ndjson" | sort | uniq -c |
    sed 's/^ */  /; s/$/ answers/'
jq -r 'select(.kind == "watch_restart") | "\(.reason) -> \(.action)"' "$TMPD/run.ndjson" | sort | uniq -c |
    sed 's/^ */  watch restarts: /'

echo "against the truth:"
python3 bench/truth_vs_run.py "$TMPD/truth.ndjson" "$TMPD/run.ndjson" | sed 's/^/  /' || true
"$BIN/vmstorm-analyze" "$TMPD/run.ndjson" -o "$TMPD/a" >/dev/null 2>"$TMPD/a.err" || true
python3 - "$TMPD/truth.ndjson" "$TMPD/a/vms.csv" <<'PY'
import csv, json, sys
failed = {e["uid"] for e in map(json.loads, open(sys.argv[1]))
          if e["what"].startswith("vm_failed:") and e["uid"]}
rows = list(csv.DictReader(open(sys.argv[2])))
starts = [r for r in rows if r["phase"] in ("create", "storm")]
marked = {r["uid"] for r in starts if r["status"] == "failed"}
late = sum(1 for r in starts if r["status"] not in ("ready", "failed"))
print("  failed VM starts in the truth: %d; VM starts the analyzer marks failed: %d; "
      "the same VMIs: %s; other starts never ready: %d" % (len(failed), len(marked),
      "yes" if failed == marked else "NO (truth only %d, analyzer only %d)" %
      (len(failed - marked), len(marked - failed)), late))
PY
