#!/usr/bin/env bash
# The default timing model: 100 VMs on 4 nodes created 100 ms apart, then a
# storm of the same 100. Checks the model's simulated times (not this
# machine's speed): a storm is slower per VM than a staggered creation, and
# creation stays in the range KubeVirt's own CI measures (P50 22.6 s, P95
# 29.7 s for 100 VMIs 100 ms apart; see sim/MODEL.md).
. "$(dirname "$0")/setup.sh"

BIN=$BIN bash "$TOP/bench/bench-sim-multiplier.sh" >"$TMP/out" 2>&1 || { cat "$TMP/out"; exit 1; }
sed 's/^/# /' "$TMP/out"
check "the storm is at least 1.2x slower than creation at P50 of Running" \
    bash -c "awk '\$1 == \"running\" {exit !(\$6 >= 1.2)}' $TMP/out"
check "the storm is slower than creation at P50 of guest ready" \
    bash -c "awk '\$1 == \"ready\" {exit !(\$6 > 1.05)}' $TMP/out"
check "creation P50 to Running is within 10-40 s (KubeVirt CI: 22.6 s)" \
    bash -c "awk '\$1 == \"running\" {exit !(\$2 >= 10 && \$2 <= 40)}' $TMP/out"
finish
