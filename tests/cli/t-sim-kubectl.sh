#!/usr/bin/env bash
# vmstorm-sim driven by the real kubectl and curl (issue 3's acceptance checks).
. "$(dirname "$0")/setup.sh"
. "$(dirname "$0")/simlib.sh"
trap 'sim_stop >/dev/null 2>&1; rm -rf "$TMP"' EXIT

if ! command -v kubectl >/dev/null; then
    echo "not ok - kubectl missing (scripts/install-deps.sh installs kubernetes-client)"
    exit 1
fi
check "simulator starts and writes its kubeconfig" sim_start "$TMP/a" --speed 20 --watch-history 60
K="kubectl --kubeconfig $TMP/a/kubeconfig --request-timeout=10s"

check "kubectl get ns" $K get ns
check "kubectl get nodes shows 4 Ready nodes" \
    bash -c "$K get nodes --no-headers | grep -c ' Ready ' | grep -qx 4"
check "kubectl create ns" $K create ns t1
check "creating it again is AlreadyExists, and the simulator lives on" \
    bash -c "! $K create ns t1 2>$TMP/dup.err && grep -q 'AlreadyExists\|already exists' $TMP/dup.err && $K get ns t1"

check "kubectl create --validate=false -f vm.yaml" \
    $K create --validate=false -n t1 -f "$TOP/samples/templates/vm-containerdisk.yaml"
check "kubectl get vm,vmi -A" $K get vm,vmi -A
check "kubectl get dv -A" $K get dv -A

# a VM created with kubectl reaches Running in `kubectl get vmi -A -w`
$K get vmi -A -w >"$TMP/watch.out" 2>&1 &
WPID=$!
check "kubectl get vmi -A -w shows the VMI Running" \
    wait_for 30 grep -q 'vm-cirros .*Running' "$TMP/watch.out"
kill $WPID 2>/dev/null || true
check "the VM reports Running" wait_for 20 bash -c "$K get vm -n t1 vm-cirros --no-headers | grep -q Running"
check "label selector '=' finds the VM" bash -c "$K get vm -A -l app=vmstorm-sample -o name | grep -qx virtualmachine.kubevirt.io/vm-cirros"
check "label selector 'notin' excludes it" bash -c "test -z \"\$($K get vm -A -l 'app notin (vmstorm-sample)' -o name)\""
check "label selector 'exists' on VMIs (labels come from the template)" \
    bash -c "$K get vmi -A -l kubevirt.io/vm -o name | grep -qx virtualmachineinstance.kubevirt.io/vm-cirros"
check "the virt-launcher pod carries KubeVirt's labels" \
    bash -c "$K get pods -n t1 -l kubevirt.io=virt-launcher,vm.kubevirt.io/name=vm-cirros -o name | grep -q '^pod/virt-launcher-vm-cirros-'"
check "kubectl patch --type json adds a label" \
    bash -c "$K patch vm vm-cirros -n t1 --type json -p '[{\"op\":\"add\",\"path\":\"/metadata/labels/patched\",\"value\":\"yes\"}]' &&
             $K get vm -n t1 -l patched=yes -o name | grep -q vm-cirros"
check "a JSON patch that fails its test op is rejected (422)" \
    bash -c "! $K patch vm vm-cirros -n t1 --type json -p '[{\"op\":\"test\",\"path\":\"/spec/runStrategy\",\"value\":\"Manual\"}]' 2>$TMP/p.err &&
             grep -q 'operation 1 (test)' $TMP/p.err"


CURL="curl -sS --cacert $TMP/a/ca.pem"
AUTH="Authorization: Bearer $SIM_TOKEN"
check "unauthenticated requests get 401 with a Status" \
    bash -c "$CURL -o $TMP/401.json -w '%{http_code}' $SIM_URL/api/v1/namespaces | grep -qx 401 &&
             grep -q '\"reason\":\"Unauthorized\"' $TMP/401.json && grep -q '\"kind\":\"Status\"' $TMP/401.json"
check "a wrong token gets 401" \
    bash -c "$CURL -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer nope' $SIM_URL/api/v1/namespaces | grep -qx 401"
check "TLS verification fails without the simulator's CA" \
    bash -c "! curl -sS -o /dev/null -H '$AUTH' $SIM_URL/version"
check "the client certificate (second user) works" \
    $K --context vmstorm-sim-cert get ns t1
check "discovery lists only the verbs the API serves (a DELETE on a collection is 405)" \
    bash -c "for p in api/v1 apis/kubevirt.io/v1 apis/cdi.kubevirt.io/v1beta1; do
                 $CURL -H '$AUTH' $SIM_URL/\$p | jq -r '.resources[].verbs[]'; done | sort -u | tr '\n' ' ' >$TMP/verbs &&
             grep -qx 'create delete get list patch update watch ' $TMP/verbs &&
             $CURL -H '$AUTH' -X DELETE -o /dev/null -w '%{http_code}' \
                 $SIM_URL/api/v1/namespaces/t1/configmaps | grep -qx 405"

# churn so resourceVersion 2 leaves the 60-event history
for i in $(seq 1 40); do $K create ns churn-$i >/dev/null; done
check "a watch resumed from an old resourceVersion gets HTTP 200 and a 410 ERROR event" \
    bash -c "$CURL -H '$AUTH' -o $TMP/w410 -w '%{http_code}' --max-time 5 \
             '$SIM_URL/api/v1/namespaces?watch=1&resourceVersion=2' | grep -qx 200 &&
             grep -q '\"type\":\"ERROR\"' $TMP/w410 && grep -q '\"code\":410' $TMP/w410 &&
             grep -q '\"reason\":\"Expired\"' $TMP/w410"
RV=$($CURL -H "$AUTH" "$SIM_URL/api/v1/namespaces" | jq -r .metadata.resourceVersion)
check "a watch from a current resourceVersion streams events and a BOOKMARK" \
    bash -c "$CURL -H '$AUTH' -o $TMP/wok --max-time 5 \
             '$SIM_URL/api/v1/namespaces?watch=1&resourceVersion=$RV&allowWatchBookmarks=true&timeoutSeconds=2' || true;
             test \$(grep -c '\"type\":\"BOOKMARK\"' $TMP/wok) -eq 1 && ! grep -q '\"type\":\"ERROR\"' $TMP/wok"
check "lists page with limit and continue" \
    bash -c "$CURL -H '$AUTH' '$SIM_URL/api/v1/namespaces?limit=5' | grep -q '\"continue\":\"'"

check "stop subresource answers 202" \
    bash -c "$CURL -H '$AUTH' -X PUT -o /dev/null -w '%{http_code}' \
             $SIM_URL/apis/subresources.kubevirt.io/v1/namespaces/t1/virtualmachines/vm-cirros/stop | grep -qx 202"
check "the VMI goes away after stop" \
    wait_for 30 bash -c "! $K get vmi -n t1 vm-cirros >/dev/null 2>&1"
check "stopping a stopped VM is a 409 Conflict" \
    bash -c "$CURL -H '$AUTH' -X PUT -o $TMP/409 -w '%{http_code}' \
             $SIM_URL/apis/subresources.kubevirt.io/v1/namespaces/t1/virtualmachines/vm-cirros/stop | grep -qx 409 &&
             grep -q 'VM is not running' $TMP/409"
check "start subresource answers 202 and the VM runs again" \
    bash -c "$CURL -H '$AUTH' -X PUT -o /dev/null -w '%{http_code}' \
             $SIM_URL/apis/subresources.kubevirt.io/v1/namespaces/t1/virtualmachines/vm-cirros/start | grep -qx 202 &&
             $K wait --for=jsonpath='{.status.printableStatus}'=Running vm/vm-cirros -n t1 --timeout=30s"
check "/metrics counts apiserver and kubevirt requests" \
    bash -c "$CURL -H '$AUTH' $SIM_URL/metrics >$TMP/m && grep -q '^apiserver_request_total{code=\"201\"' $TMP/m &&
             grep -q '^kubevirt_rest_client_requests_total{.*resource=\"virtualmachineinstances\",verb=\"CREATE\"}' $TMP/m"
check "kubectl patch --type merge runStrategy=Halted stops the VM (the collector's fallback)" \
    bash -c "$K patch vm vm-cirros -n t1 --type merge -p '{\"spec\":{\"runStrategy\":\"Halted\"}}' &&
             $K wait --for=jsonpath='{.status.printableStatus}'=Stopped vm/vm-cirros -n t1 --timeout=30s"
check "kubectl delete ns" $K delete ns t1 --wait=false

check "the namespace is gone once empty" \
    wait_for 30 bash -c "! $K get ns t1 >/dev/null 2>&1"
check "the truth file records the VMI Running" grep -q '"what":"vmi_phase:Running"' "$TMP/a/truth.ndjson"
check "the simulator exits 0 on SIGTERM" sim_stop

# a cluster without virt-api: the subresource group is a plain-text 404
check "simulator starts with --no-subresources" sim_start "$TMP/b" --no-subresources --no-tls
check "start subresource is a plain 404 without virt-api" \
    bash -c "curl -sS -H 'Authorization: Bearer $SIM_TOKEN' -X PUT -o $TMP/404 -w '%{http_code}' \
             $SIM_URL/apis/subresources.kubevirt.io/v1/namespaces/x/virtualmachines/y/start | grep -qx 404 &&
             grep -qx '404 page not found' $TMP/404"
check "the simulator exits 0 on SIGTERM (plain HTTP)" sim_stop

# certificates given by the user instead of generated ones
if command -v openssl >/dev/null; then
    (cd "$TMP" &&
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=test-ca \
            -keyout ca.key -out ca.crt &&
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=sim -keyout srv.key -out srv.csr &&
        printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >ext &&
        openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile ext -out srv.crt) \
        >"$TMP/openssl.log" 2>&1
    check "the simulator serves with --tls-cert/--tls-key/--tls-ca" \
        sim_start "$TMP/c" --tls-cert "$TMP/srv.crt" --tls-key "$TMP/srv.key" --tls-ca "$TMP/ca.crt"
    check "clients verify it with the given CA" \
        bash -c "curl -sS --cacert $TMP/ca.crt -H 'Authorization: Bearer $SIM_TOKEN' $SIM_URL/version | grep -q gitVersion"
    check "the simulator exits 0 on SIGTERM (given certificates)" sim_stop
fi
check_fails "a missing --tls-cert file is an error" \
    "$BIN/vmstorm-sim" --listen 127.0.0.1:0 --tls-cert /nonexistent.crt --tls-key /x --tls-ca /y
finish

