#!/usr/bin/env bash
# vmstorm-sim fault injection (--fault), each fault seen from a client.
. "$(dirname "$0")/setup.sh"
. "$(dirname "$0")/simlib.sh"
trap 'sim_stop >/dev/null 2>&1; rm -rf "$TMP"' EXIT

api() { curl -sS -H "Authorization: Bearer $SIM_TOKEN" "$@"; }
code() { api -o "$TMP/body" -w '%{http_code}' "$@"; }
mkns() { code -H 'Content-Type: application/json' --data "{\"metadata\":{\"name\":\"$1\"}}" "$SIM_URL/api/v1/namespaces"; }
metric() { api "$SIM_URL/metrics" | awk -v n="$1" '$1 == n {print $2}'; }
export -f api code mkns metric


check_fails "a bad fault spec is a usage error" "$BIN/vmstorm-sim" --fault nonsense:x=1
check "the error names the spec and the option, exit 2" \
    bash -c "rc=0; '$BIN/vmstorm-sim' --fault http-error:code=404 2>$TMP/err || rc=\$?; test \$rc = 2 &&
             grep -qxF -e \"vmstorm-sim: --fault 'http-error:code=404': bad option 'code=404': expected 429, 500 or 503\" $TMP/err"
# every number of a spec is parsed whole: no trailing junk, nan, inf, sign or blank
# (timeout: a simulator that accepted the spec would serve until killed)
for spec in http-error:code=429abc http-error:code=+429 http-error:retry-after=1x \
    http-error:retry-after=-1 http-error:share=0.5x http-error:share=nan latency:ms=nan \
    latency:ms=10x latency:ms=inf 'latency:ms= 5' watch-drop:every=inf watch-drop:every=2sx \
    watch-drop:every=0 watch-expire:share=2 vm-fail:share=.5.5; do
    re=$(printf '%s' "$spec" | sed 's/[]|(){}+*?^$.\\[]/\\&/g') # as a literal in grep -E
    check "--fault '$spec' is a usage error naming the spec and the value" \
        expect 2 "^vmstorm-sim: --fault '$re': bad option '${re#*:}': expected" \
        timeout 10 "$BIN/vmstorm-sim" --listen 127.0.0.1:0 --no-tls --guest-port 2222 --fault "$spec"
done



sim_start "$TMP/a" --no-tls --fault http-error:code=429,share=1,retry-after=2
check "429 on every mutating request, with Retry-After" \
    bash -c "test \$(api -o /dev/null -D - -w '%{http_code}' -H 'Content-Type: application/json' \
             --data '{\"metadata\":{\"name\":\"x\"}}' $SIM_URL/api/v1/namespaces | tee $TMP/h | tail -1) = 429 &&
             grep -qi '^Retry-After: 2' $TMP/h"
check "reads are not affected by a mutating-only fault" bash -c "test \$(code $SIM_URL/api/v1/namespaces) = 200"
check "injected faults are counted in /metrics" bash -c "test \$(metric vmstorm_sim_faults_injected_total_http_429) -ge 1"
sim_stop

sim_start "$TMP/b" --no-tls --fault http-error:code=503,share=1,verbs=all
check "503 on every request with verbs=all" bash -c "test \$(code $SIM_URL/api/v1/namespaces) = 503 &&
    grep -q '\"reason\":\"ServiceUnavailable\"' $TMP/body"
sim_stop

sim_start "$TMP/c" --no-tls --fault http-error:code=500,share=0.5 --seed 7
check "a share of 0.5 fails some requests and lets others through" \
    bash -c "for i in \$(seq 1 40); do mkns s\$i; echo; done | sort | uniq -c >$TMP/codes;
             grep -q ' 201$' $TMP/codes && grep -q ' 500$' $TMP/codes"
sim_stop

# the fault decisions are seeded by --seed wherever it stands on the command line
for order in fault-first seed-first; do
    if [ $order = fault-first ]; then
        sim_start "$TMP/$order" --no-tls --fault http-error:code=500,share=0.5 --seed 7
    else
        sim_start "$TMP/$order" --no-tls --seed 7 --fault http-error:code=500,share=0.5
    fi
    for i in $(seq 1 32); do mkns o$i; echo; done >"$TMP/$order.codes"
    sim_stop
done
check "--fault X --seed 7 and --seed 7 --fault X make the same fault decisions" \
    cmp "$TMP/fault-first.codes" "$TMP/seed-first.codes"

sim_start "$TMP/d" --no-tls --fault latency:ms=300
check "latency delays answers by the injected time" \
    bash -c "api -o /dev/null -w '%{time_total}' $SIM_URL/api/v1/namespaces | awk '{exit !(\$1 >= 0.3)}'"
sim_stop

sim_start "$TMP/e" --no-tls --fault watch-drop:every=1s
check "watch-drop ends a watch abruptly (no final chunk)" \
    bash -c "rc=0; api --max-time 8 -o /dev/null '$SIM_URL/api/v1/namespaces?watch=1' || rc=\$?; test \$rc = 18"
sim_stop

sim_start "$TMP/f" --no-tls --fault watch-expire:share=1
RV=$(api "$SIM_URL/api/v1/namespaces" | jq -r .metadata.resourceVersion)
check "watch-expire answers a resume with the 410 ERROR event" \
    bash -c "api --max-time 5 '$SIM_URL/api/v1/namespaces?watch=1&resourceVersion=$RV' | grep -q '\"code\":410'"
check "a watch without resourceVersion is not affected by watch-expire" \
    bash -c "api --max-time 2 '$SIM_URL/api/v1/namespaces?watch=1&timeoutSeconds=1' | grep -vq '\"code\":410' || true;
             ! api --max-time 2 '$SIM_URL/api/v1/namespaces?watch=1&timeoutSeconds=1' | grep -q ERROR"
sim_stop

for mode in unschedulable:ErrorUnschedulable crashloop:CrashLoopBackOff; do
    sim_start "$TMP/g-${mode%%:*}" --no-tls --speed 50 --fault "vm-fail:share=1,mode=${mode%%:*}"
    mkns f >/dev/null
    code -H 'Content-Type: application/yaml' --data-binary @"$TOP/samples/templates/vm-containerdisk.yaml" \
        "$SIM_URL/apis/kubevirt.io/v1/namespaces/f/virtualmachines" >/dev/null
    check "vm-fail mode=${mode%%:*} shows printableStatus ${mode#*:}" \
        wait_for 20 bash -c "api $SIM_URL/apis/kubevirt.io/v1/namespaces/f/virtualmachines/vm-cirros |
                             jq -ne 'input | .status.printableStatus == \"${mode#*:}\"'"
    sim_stop
done
finish
