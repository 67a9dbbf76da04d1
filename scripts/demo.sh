#!/usr/bin/env bash
# make demo: a real boot storm on a simulated cluster, from capture to PDF.
#
#   vmstorm-sim      a 4-node KubeVirt cluster on loopback (HTTPS, token auth),
#                    its timing model running SPEED times faster than real time
#   vmstorm-collect  creates N VMs (TCP probe on the guests' SSH port), runs
#                    fio in each through --fio-cmd, stops them all, starts them
#                    all at once, deletes what it labelled -> demo/run.ndjson
#   vmstorm-analyze  demo/run.ndjson -> the table below, demo/summary.json, CSVs
#   vmstorm-report   demo/ -> demo/report.pdf and demo/charts/*.png
#
# The simulator is stopped whatever happens (error, Ctrl-C). Each demo replaces
# the previous one's files in demo/. Environment: N (VMs, default 50), SPEED
# (default 10), DEMO_DIR (default demo), BIN (default bin).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin}
N=${N:-50}
SPEED=${SPEED:-10}
DIR=${DEMO_DIR:-demo}
NODES=4

say() { printf 'demo: %s\n' "$*"; }
die() {
    printf 'demo: %s\n' "$*" >&2
    exit 1
}

for p in vmstorm-sim vmstorm-collect vmstorm-analyze vmstorm-report; do
    [ -x "$BIN/$p" ] || die "$BIN/$p is missing: run 'make' first"
done
command -v curl >/dev/null || die "curl is needed to fetch fio's results from the guests: run scripts/install-deps.sh"

TMPD=$(mktemp -d)
SIM_PID=
stop_sim() {
    if [ -n "$SIM_PID" ] && kill -0 "$SIM_PID" 2>/dev/null; then
        kill "$SIM_PID" 2>/dev/null || true
        wait "$SIM_PID" 2>/dev/null || true
    fi
    SIM_PID=
    rm -rf "$TMPD"
}
trap stop_sim EXIT
trap 'echo; die "interrupted; the simulator is stopped"' TERM

mkdir -p "$DIR"
rm -rf "$DIR/run.ndjson" "$DIR/run.summary.json" "$DIR/summary.json" "$DIR/vms.csv" \
    "$DIR/api_calls.csv" "$DIR/fio.csv" "$DIR/report.pdf" "$DIR/charts" "$DIR/sim.log"
start=$(date +%s)

say "starting vmstorm-sim: $NODES nodes on 127.0.0.1 (HTTPS), $SPEED times faster than real time"
# its own session: Ctrl-C reaches the collector (which cleans up), not the
# simulator it cleans up on; the EXIT trap stops the simulator after
setsid "$BIN/vmstorm-sim" --listen 127.0.0.1:0 --kubeconfig-out "$TMPD/kubeconfig" --nodes "$NODES" \
    --speed "$SPEED" --guest-port 2222 --log-level warn >"$DIR/sim.log" 2>&1 &
SIM_PID=$!
for _ in $(seq 1 100); do
    [ -s "$TMPD/kubeconfig" ] && break
    kill -0 "$SIM_PID" 2>/dev/null || {
        cat "$DIR/sim.log" >&2
        die "vmstorm-sim stopped (its log: $DIR/sim.log)"
    }
    sleep 0.1
done
[ -s "$TMPD/kubeconfig" ] || die "vmstorm-sim wrote no kubeconfig in 10 s (its log: $DIR/sim.log)"

# The simulated guests serve fio's JSON on port 8080 once their fio job ends
# (30 s of model time after boot); on a real cluster this would be
# 'ssh {ip} fio --output-format=json ...' or a kubectl exec.
fio_cmd='for i in $(seq 200); do curl -sf --max-time 5 http://{ip}:8080/fio.json && exit 0; sleep 0.1; done; exit 1'

say "vmstorm-collect: $N VMs created 5 at a time, probed on TCP 2222, fio in each, then a boot storm"
echo
rc=0
"$BIN/vmstorm-collect" --kubeconfig "$TMPD/kubeconfig" --vm-template samples/templates/vm-containerdisk.yaml \
    --vm-name vm-cirros --namespace-prefix demo --start 1 --end "$N" --concurrency 5 \
    --probe tcp:2222 --probe-interval 0.2 --fio-cmd "$fio_cmd" --boot-storm \
    --cleanup --yes --save-results -o "$DIR/run.ndjson" || rc=$?
stop_sim
trap - EXIT
case $rc in
0) ;;
130) die "interrupted; the simulator is stopped; what was recorded is in $DIR/run.ndjson" ;;
*)
    [ -s "$DIR/run.ndjson" ] || die "vmstorm-collect failed (exit $rc) before recording anything"
    say "vmstorm-collect exited $rc (see above); analysing what it recorded"
    ;;
esac
echo
say "vmstorm-analyze $DIR/run.ndjson -o $DIR"
echo
arc=0
"$BIN/vmstorm-analyze" "$DIR/run.ndjson" -o "$DIR" || arc=$?
[ "$arc" -eq 0 ] || [ "$arc" -eq 4 ] || die "vmstorm-analyze failed (exit $arc)"
echo
say "vmstorm-report $DIR"
"$BIN/vmstorm-report" "$DIR" >/dev/null
pages=$(pdfinfo "$DIR/report.pdf" 2>/dev/null | sed -n 's/^Pages: *//p')
echo
say "done in $(($(date +%s) - start)) s. Times are real seconds of a model running ${SPEED}x faster"
say "than a cluster would (multiply by $SPEED for the model's own seconds)."
say "  the report, ${pages:-?} pages: $DIR/report.pdf (charts as PNG: $DIR/charts/)"
say "  the statistics:  $DIR/summary.json, vms.csv, api_calls.csv, fio.csv"
say "  the raw events:  $DIR/run.ndjson (one JSON object a line: schemas/README.md)"
