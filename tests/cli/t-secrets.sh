#!/usr/bin/env bash
# Credentials never leave the kubeconfig: a run with a bearer token and one
# with a client certificate, at debug level, with a log file, saved results,
# fio, a boot storm and cleanup, then analysed and reported; no file any of
# the programs wrote (nor what they printed) holds the token, the client key
# or any line of it. And TLS verification is not optional: a server whose
# certificate the kubeconfig's CA did not sign is an error.
. "$(dirname "$0")/setup.sh"
. "$(dirname "$0")/simlib.sh"
trap 'sim_stop >/dev/null 2>&1; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT

TEMPLATE=$TOP/samples/templates/vm-containerdisk.yaml
check "simulator starts (TLS, 4 nodes, speed 20)" sim_start "$TMP/a" --nodes 4 --speed 20
KC=$TMP/a/kubeconfig

# The secrets: the token, the client key as base64 and each base64 line of its PEM.
kc_field() { sed -n "s/^ *$1: *\"\\{0,1\\}\\([^\"]*\\)\"\\{0,1\\}\$/\\1/p" "$KC" | head -1; }
KEY64=$(kc_field client-key-data)
printf '%s\n' "$KEY64" | base64 -d >"$TMP/key.pem"
{
    printf '%s\n%s\n' "$SIM_TOKEN" "$KEY64"
    grep -v '^-----' "$TMP/key.pem"
    echo 'PRIVATE KEY'
} >"$TMP/secrets"
check "the secrets to look for are read (a token, a key of several lines)" \
    test "$(grep -c . "$TMP/secrets")" -ge 5 -a "${#SIM_TOKEN}" -ge 16

# everything NAME CONTEXT: collect, analyse and report into $TMP/NAME, output included.
everything() {
    local d=$TMP/$1
    mkdir -p "$d"
    "$BIN/vmstorm-collect" --kubeconfig "$KC" --context "$2" --vm-template "$TEMPLATE" \
        --vm-name vm-cirros --probe tcp:2222 --start 1 --end 5 --namespace-prefix "$1" --boot-storm \
        --fio-cmd 'for i in $(seq 100); do curl -sf --max-time 5 http://{ip}:8080/fio.json && exit 0; sleep 0.1; done; exit 1' \
        --log-level debug --log-file "$d/collect.log" --save-results --cleanup -y \
        -o "$d/run.ndjson" >"$d/collect.out" 2>"$d/collect.err" || return 1
    "$BIN/vmstorm-analyze" "$d/run.ndjson" -o "$d/analysis" >"$d/analyze.out" 2>&1 || return 1
    "$BIN/vmstorm-report" "$d/analysis" >"$d/report.out" 2>&1 || return 1
    pdftotext "$d/analysis/report.pdf" "$d/report.txt"
}
# clean DIR: no file under DIR holds a secret (binary files searched as text too)
clean() {
    local hits
    hits=$(grep -raF -f "$TMP/secrets" "$1" | cut -c1-200)
    [ -z "$hits" ] || { echo "$hits"; return 1; }
}
export -f clean

check "token: collect, analyse and report" everything token vmstorm-sim
check "token: it wrote files of every kind (results, log, summary, analysis, PDF, charts)" \
    bash -c 'cd "$1" && test -s run.ndjson -a -s run.summary.json -a -s collect.log -a -s analysis/summary.json \
        -a -s analysis/fio.csv -a -s analysis/report.pdf -a -s analysis/charts/timeline.png' _ "$TMP/token"
check "token: the log file has the run's messages, naming the user (it had the chance to leak)" \
    grep -q "user 'vmstorm-sim-token' (token)" "$TMP/token/collect.log"
check "token: no secret in anything written or printed" clean "$TMP/token"
check "client certificate: collect, analyse and report" everything cert vmstorm-sim-cert
check "client certificate: no secret in anything written or printed" clean "$TMP/cert"
check "the search finds a secret where there is one" \
    bash -c 'mkdir "$1/leak" && printf "x %s y\n" "$2" >"$1/leak/f" && ! clean "$1/leak"' _ "$TMP" "$SIM_TOKEN"

# A CA that did not sign the server's certificate.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=other-ca \
    -keyout "$TMP/other.key" -out "$TMP/other.pem" 2>/dev/null
sed "s|certificate-authority-data: .*|certificate-authority-data: $(base64 -w0 "$TMP/other.pem")|" \
    "$KC" >"$TMP/wrong-ca.kubeconfig"
check "wrong CA: the collector fails (exit 1), saying the certificate is not trusted" \
    expect 1 'is not trusted: SSL certificate problem.*certificate-authority' "$BIN/vmstorm-collect" --kubeconfig "$TMP/wrong-ca.kubeconfig" \
    --vm-template "$TEMPLATE" --start 1 --end 1 -y -o "$TMP/wrong-ca.ndjson"
check "wrong CA: nothing was created" \
    bash -c 'test "$(curl -sS --cacert "$1" -H "Authorization: Bearer $2" "$3/api/v1/namespaces" |
        jq "[.items[] | select(.metadata.name | startswith(\"vm-density\"))] | length")" = 0' \
    _ "$TMP/a/ca.pem" "$SIM_TOKEN" "$SIM_URL"
check "the simulator exits 0" sim_stop
finish
