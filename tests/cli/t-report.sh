#!/usr/bin/env bash
# t-report.sh - vmstorm-report on the golden analyses: page count, the key
# figures of summary.json found in the PDF's text, chart sizes, the trend
# report, bad input and a missing gnuplot.
. "$(dirname "$0")/setup.sh"

R=$BIN/vmstorm-report
A=$BIN/vmstorm-analyze
GOLD=$TOP/samples
export R A

# pages PDF N: pdfinfo counts N pages
pages() { test "$(pdfinfo "$1" | sed -n 's/^Pages: *//p')" = "$2"; }

# png_size FILE W H: the PNG header says W x H pixels
png_size() {
    local w h
    w=$(od -An -tu1 -j16 -N4 "$1" | awk '{print $1*16777216+$2*65536+$3*256+$4}')
    h=$(od -An -tu1 -j20 -N4 "$1" | awk '{print $1*16777216+$2*65536+$3*256+$4}')
    echo "$1: ${w}x${h}"
    test "$(head -c 8 "$1" | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a && test "$w" = "$2" &&
        test "$h" = "$3"
}

# in_text PDF STRING...: pdftotext finds every STRING (fixed strings)
in_text() {
    local pdf=$1
    shift
    pdftotext -layout "$pdf" "$TMP/text" || return 1
    for s in "$@"; do
        grep -qF -- "$s" "$TMP/text" || { echo "not in the text: '$s'"; return 1; }
    done
}
export -f pages png_size in_text

# 3 decimals, as the tables print seconds
f3() { jq -r "$1 | . * 1000 | round / 1000 | tostring | if test(\"\\\\.\") then . else . + \".0\" end" "$2" |
    awk '{printf "%.3f\n", $1}'; }

# --- a run report -------------------------------------------------------------------
S=$TMP/s20
cp -r "$GOLD/storm-20" "$S"
check "report of storm-20: exit 0, the PDF's path first" expect 0 "^$S/report.pdf$" "$R" "$S"
check "... stdout names the PDF and the 10 charts" test "$(wc -l <"$TMP/got")" = 11
check "... 12 pages" pages "$S/report.pdf" 12
check "... PDF metadata title" bash -c 'pdfinfo "$0" | grep -q "^Title: *vmstorm run sample-storm-20$"' "$S/report.pdf"
SUM=$S/summary.json
check "... the verdict sentence" in_text "$S/report.pdf" "Boot storm: P95 time to ready 0.9x creation: good."
check "... the key figures of summary.json" in_text "$S/report.pdf" \
    "$(f3 .phases.create.ready.p95 "$SUM")" "$(f3 .phases.storm.ready.p95 "$SUM")" \
    "$(f3 .phases.create.running.p50 "$SUM")" "$(f3 .phases.storm.running.p99 "$SUM")" \
    "$(f3 .phases.stop.stopped.max "$SUM")" \
    "$(jq -r '.multipliers.ready.p95 * 100 | round / 100' "$SUM")" \
    "$(jq -r .run.id "$SUM")" "$(jq -r .run.cluster.kubernetes_version "$SUM")" \
    "$(jq -r .run.config.vm_template "$SUM")"
check "... the configuration" in_text "$S/report.pdf" "TCP connect to port 2222" \
    "spread by the scheduler over the cluster's 4 nodes" "50 requests at once"
check "... API calls: the API server's create total" in_text "$S/report.pdf" \
    "$(jq -r .api_calls.create.metrics.apiserver.total "$SUM")"
check "... the VMs that did not get there" bash -c 'in_text "$0" "VMs that did not get there" &&
    grep -E "create +sample-20 +vm-cirros +failed \(CrashLoopBackOff\)" "$TMP/text" &&
    grep -E "storm +sample-14 +vm-cirros +failed \(CrashLoopBackOff\)" "$TMP/text"' "$S/report.pdf"
check "... every section, in order" bash -c 'pdftotext "$0" - | tr -d "\f" | grep -E "^(Statistics|Distribution|Timeline|Stages|Per node|API load|Storage \(fio\)|VMs that did not get there|Method)$" |
    tr "\n" "," | grep -qx "Statistics,Distribution,Timeline,Stages,Per node,API load,Storage (fio),VMs that did not get there,Method,"' "$S/report.pdf"
check "... the outline has the sections" bash -c 'grep -a -c "/Title (Per node)" "$0"' "$S/report.pdf"
for c in cdf:1400:820 histogram:1400:700 progress:1400:760 timeline:1400:1700 stages:1400:640 \
    nodes:1400:760 api-collector:1400:800 api-cluster:1400:800 fio-iops:1400:760 fio-latency:1400:1100; do
    IFS=: read -r id w h <<<"$c"
    check "... charts/$id.png is ${w}x$h" png_size "$S/charts/$id.png" "$w" "$h"
done
check "... no temporary PDF left" bash -c '! ls "$0"/*.tmp.* 2>/dev/null' "$S"

mkdir -p "$TMP/tmpdir"
check "-o and --png-dir elsewhere, --title; the work folder is removed" bash -c '
    TMPDIR=$1/tmpdir "$R" "$0" -o "$1/o2/r.pdf" --png-dir "$1/png" --title "Release 1.4 storm" &&
    test -s "$1/o2/r.pdf" && test "$(ls "$1/png" | wc -l)" = 10 && test -z "$(ls -A "$1/tmpdir")" &&
    pdfinfo "$1/o2/r.pdf" | grep -q "^Title: *Release 1.4 storm$"' "$S" "$TMP"

check "relative folders: run from elsewhere" bash -c 'cd "$1" && cp -r "$0" rel &&
    "$R" rel -o rel-out/r.pdf --png-dir rel-png >/dev/null && test -s rel-out/r.pdf &&
    test -s rel-png/cdf.png && "$R" rel >/dev/null && test -s rel/charts/timeline.png' "$S" "$TMP"

# --- a run without a storm, on one node --------------------------------------------------
M=$TMP/min
cp -r "$GOLD/minimal" "$M"
touch "$M/stale.png"
mkdir -p "$M/charts" && echo old >"$M/charts/nodes.png"
check "minimal: exit 0" expect 0 "report.pdf" "$R" "$M"
check "... the verdict and the figures" in_text "$M/report.pdf" \
    "$(jq -r .multipliers.ready.p95 "$M/summary.json" | awk '{printf "%.1fx creation", $1}')" \
    "$(f3 .phases.storm.ready.p50 "$M/summary.json")"

check "... its DataVolumes: count and the time to Succeeded" bash -c 'in_text "$0" "DataVolume import or clone" &&
    grep -E "^ *create +2 +2 +0 +16\.204 +17\.693 +17\.859" "$TMP/text"' "$M/report.pdf"

# --- the trend report ----------------------------------------------------------------------
T=$TMP/trend
"$A" --trend "$TOP/samples/storm-20.ndjson" "$TOP/samples/minimal.ndjson" \
    "$TOP"/tests/analyze/cases/*.ndjson -o "$T" >/dev/null 2>&1 || true
check "trend: exit 0" expect 0 "trend.pdf" "$R" --trend "$T"
check "... 5 pages: the runs, then 4 metric families" pages "$T/trend.pdf" 5
check "... the runs' ids and figures in the table" in_text "$T/trend.pdf" sample-storm-20 sample-minimal \
    "$(f3 .phases.storm.ready.p95 "$SUM")"
for id in trend-running trend-ready trend-multiplier trend-api; do
    check "... charts/$id.png is 1400x1100" png_size "$T/charts/$id.png" 1400 1100
done

# --- bad input -------------------------------------------------------------------------------
B=$TMP/bad
mkdir -p "$B"
check "no such folder: exit 1, names summary.json" expect 1 "$TMP/none/summary.json: cannot open" "$R" "$TMP/none"
cp -r "$GOLD/storm-20" "$B/trunc" && head -c 5000 "$GOLD/storm-20/summary.json" >"$B/trunc/summary.json"
check "summary.json cut short: exit 3, file:line" expect 3 "summary.json:[0-9]+: not valid JSON" "$R" "$B/trunc"
check "... and no PDF written" test ! -e "$B/trunc/report.pdf"
cp -r "$GOLD/storm-20" "$B/ver" && jq '.summary_version = 2' "$GOLD/storm-20/summary.json" >"$B/ver/summary.json"
check "summary of another version: exit 3" expect 3 "summary_version 2: this vmstorm-report reads version 1" "$R" "$B/ver"
cp -r "$GOLD/storm-20" "$B/csv" && sed '5s/,ready,/,ready,x,/' "$GOLD/storm-20/vms.csv" >"$B/csv/vms.csv"
check "vms.csv row of the wrong width: exit 3, file:line" expect 3 "vms.csv:5: 25 fields where the header has 24" "$R" "$B/csv"
cp -r "$GOLD/storm-20" "$B/num" && sed '3s/,0\.543123684,/,fast,/' "$GOLD/storm-20/vms.csv" >"$B/num/vms.csv"
check "vms.csv cell that is not a number: exit 3, the column" expect 3 "vms.csv:3: column 'running_s': 'fast' is not a number" "$R" "$B/num"
cp -r "$GOLD/storm-20" "$B/col" && sed '1s/,t0_ns,/,start,/' "$GOLD/storm-20/vms.csv" >"$B/col/vms.csv"
check "vms.csv without a needed column: exit 3" expect 3 "vms.csv:1: no 't0_ns' column" "$R" "$B/col"
cp -r "$GOLD/storm-20" "$B/quote" && sed '4s/,ready,/,"ready,/' "$GOLD/storm-20/vms.csv" >"$B/quote/vms.csv"
check "vms.csv with a broken quote: exit 3" expect 3 "vms.csv:[0-9]+: " "$R" "$B/quote"
mkdir -p "$B/tr" && printf 'a,b\n1,2\n' >"$B/tr/trend.csv"
check "trend.csv of something else: exit 3" expect 3 "trend.csv:1: no 'run_id' or 'started_at' column" "$R" --trend "$B/tr"

# --- gnuplot -----------------------------------------------------------------------------------
cp -r "$GOLD/storm-20" "$B/gp"
check "no gnuplot: exit 1, names the package" expect 1 "install the gnuplot-nox package" \
    env VMSTORM_GNUPLOT="$TMP/no-gnuplot" "$R" "$B/gp"
printf '#!/bin/sh\ncase "$1" in -e) exec gnuplot "$@";; esac\necho "\\"$1\\" line 3: undefined variable: oops" >&2\nexit 1\n' >"$TMP/badgp"
chmod +x "$TMP/badgp"
check "gnuplot failing: exit 1, its error quoted" expect 1 "gnuplot failed: .*line 3: undefined variable: oops" \
    env VMSTORM_GNUPLOT="$TMP/badgp" "$R" "$B/gp"
check "... and no PDF written" test ! -e "$B/gp/report.pdf"

# --- usage and documentation ------------------------------------------------------------------
check "no folder: exit 2" expect 2 "no ANALYSIS_DIR given" "$R"
check "two folders: exit 2" expect 2 "one ANALYSIS_DIR at a time" "$R" a b
check "unknown option: exit 2" expect 2 "unknown option '--bogus'" "$R" --bogus x
check "--version" expect 0 "^vmstorm-report [0-9]" "$R" --version
check_man_options "$TOP/report/main.c" "$TOP/man/vmstorm-report.1" "$R" 6

# The fio latency chart of many VMs (lines): the upper panel carries no x label,
# which would run into the lower panel's title (seen on a 50-VM demo).
mkdir -p "$TMP/keep"
TMPDIR=$TMP/keep VMSTORM_KEEP_WORK=1 "$R" "$GOLD/storm-1000" -o "$TMP/s1000/report.pdf" >/dev/null 2>&1 || true
upper_panel_xlabel() {
    # the xlabel directives between the latency chart's title and its first plot
    sed -n "/completion latency per VM/,/^plot /p" "$TMP"/keep/vmstorm-report.*/charts-*.gp |
        grep -E '^(set|unset) xlabel' | tail -1
}
check "fio latency, many VMs: the upper panel has no x label" \
    test "$(upper_panel_xlabel)" = "unset xlabel"
check "fio latency, many VMs: the lower panel has one" \
    bash -c 'sed -n "/^set title .write completion latency/,/^plot /p" "$1"/keep/vmstorm-report.*/charts-*.gp |
        grep -q "^set xlabel .VMs, ranked by read IOPS"' _ "$TMP"

exit $_failed
