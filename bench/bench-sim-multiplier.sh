#!/usr/bin/env bash
# bench-sim-multiplier.sh - does the default timing model make a boot storm
# slower per VM than a staggered creation? N VMs (default 100) on NODES (4):
# created one every 100 ms of model time, then all stopped, then all started
# at once. Prints per-VM latencies of both and the storm multipliers.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100} NODES=${NODES:-4} SPEED=${SPEED:-10} SEED=${SEED:-1} BIN=${BIN:-bin}
TMPD=$(mktemp -d)
trap 'kill $SIM_PID 2>/dev/null; rm -rf "$TMPD"' EXIT
. bench/simdrive.sh

sim_launch --nodes "$NODES" --speed "$SPEED" --seed "$SEED" ${MODEL:+--model "$MODEL"}

curl -sS --cacert "$CA" -o /dev/null -H "Authorization: Bearer $SIM_TOKEN" -H 'Content-Type: application/json' \
    --data '{"metadata":{"name":"m"}}' "$SIM_URL/api/v1/namespaces"

create_vms m "$N" Always "$(echo "0.1 / $SPEED" | bc -l)"
wait_truth "$TMPD/truth.ndjson" guest_ready "$N" 300
vm_action m "$N" stop >/dev/null
wait_truth "$TMPD/truth.ndjson" vm_stopped "$N" 300
vm_action m "$N" start >/dev/null
wait_truth "$TMPD/truth.ndjson" guest_ready $((2 * N)) 300
python3 bench/truth_stats.py "$TMPD/truth.ndjson" "$SPEED" >"$TMPD/stats.json"
python3 - "$TMPD/stats.json" "$N" "$NODES" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"{sys.argv[2]} VMs on {sys.argv[3]} nodes, model seconds (request -> milestone):")
print(f"{'milestone':10} {'create p50':>10} {'p95':>7} {'storm p50':>10} {'p95':>7} {'x p50':>6} {'x p95':>6}")
for m in ("running", "ready"):
    c, st = s[f"create.{m}"], s[f"start.{m}"]
    print(f"{m:10} {c['p50']:10.1f} {c['p95']:7.1f} {st['p50']:10.1f} {st['p95']:7.1f} "
          f"{st['p50'] / c['p50']:6.2f} {st['p95'] / c['p95']:6.2f}")
PY
