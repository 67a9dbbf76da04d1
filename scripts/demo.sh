#!/usr/bin/env bash
# make demo: simulator -> collector -> analyzer -> report, on loopback.
# A 50-VM boot storm against vmstorm-sim, recorded by vmstorm-collect into
# results/demo-*.ndjson, analysed by vmstorm-analyze into results/demo-*/,
# and drawn by vmstorm-report as results/demo-*/report.pdf with its charts
# as PNG in results/demo-*/charts/. A program not built yet is named.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin}
N=${N:-50}
missing=()
for p in vmstorm-sim:3 vmstorm-collect:4 vmstorm-analyze:5 vmstorm-report:6; do
    name=${p%%:*}
    issue=${p##*:}
    [ -x "$BIN/$name" ] || missing+=("$name (issue #$issue)")
done
if [ ! -x "$BIN/vmstorm-sim" ] || [ ! -x "$BIN/vmstorm-collect" ]; then
    echo "demo: missing programs:"
    printf 'demo:   %s\n' "${missing[@]}"
    exit 0
fi

TMPD=$(mktemp -d)
SIM_PID=
trap '[ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null; rm -rf "$TMPD"' EXIT
"$BIN/vmstorm-sim" --listen 127.0.0.1:0 --kubeconfig-out "$TMPD/kubeconfig" --nodes 4 --speed 20 \
    --guest-port 2222 --log-level warn >"$TMPD/sim.log" 2>&1 &
SIM_PID=$!
for _ in $(seq 1 100); do
    [ -s "$TMPD/kubeconfig" ] && break
    kill -0 "$SIM_PID" 2>/dev/null || { cat "$TMPD/sim.log" >&2; exit 1; }
    sleep 0.1
done
mkdir -p results
OUT=results/demo-$(date -u +%Y%m%d-%H%M%S).ndjson
echo "demo: vmstorm-sim (4 nodes, 20x real time); vmstorm-collect: $N VMs, then a boot storm"
"$BIN/vmstorm-collect" --kubeconfig "$TMPD/kubeconfig" --vm-template samples/templates/vm-containerdisk.yaml \
    --vm-name vm-cirros --probe tcp:2222 --start 1 --end "$N" --namespace-prefix demo --boot-storm \
    --cleanup --yes --save-results -o "$OUT"
echo
echo "demo: the run's events: $OUT (one JSON object a line; schemas/README.md)"
if [ -x "$BIN/vmstorm-analyze" ]; then
    echo "demo: vmstorm-analyze $OUT -o ${OUT%.ndjson}"
    echo
    "$BIN/vmstorm-analyze" "$OUT" -o "${OUT%.ndjson}"
    echo
    echo "demo: the analysis: ${OUT%.ndjson}/summary.json, vms.csv, api_calls.csv, fio.csv"
fi
if [ -x "$BIN/vmstorm-report" ] && [ -x "$BIN/vmstorm-analyze" ]; then
    echo "demo: vmstorm-report ${OUT%.ndjson}"
    "$BIN/vmstorm-report" "${OUT%.ndjson}" >/dev/null
    echo
    echo "demo: the report: ${OUT%.ndjson}/report.pdf ($(pdfinfo "${OUT%.ndjson}/report.pdf" 2>/dev/null |
        sed -n 's/^Pages: *//p') pages), its charts as PNG: ${OUT%.ndjson}/charts/"
fi
if [ "${#missing[@]}" -gt 0 ]; then
    echo "demo: not built: ${missing[*]}"
fi
