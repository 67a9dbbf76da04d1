#!/usr/bin/env bash
# vmstorm-sim's command line and input files: numbers are parsed strictly,
# option combinations that cannot work are refused, and the exit status
# follows the man page's table (2 bad command line, 3 bad input data, 1 a
# file that cannot be read). Every run is bounded by `timeout`: a simulator
# that accepts what it should refuse would serve until killed (exit 124).
. "$(dirname "$0")/setup.sh"

SIM=$BIN/vmstorm-sim
run_sim() { timeout 10 "$SIM" --listen 127.0.0.1:0 --no-tls --guest-port 2222 --log-level warn "$@"; }

# option VALUE: each must be refused with exit 2, the message naming the option and the value
while read -r opt value; do
    check "$opt '$value' is a usage error naming the value" \
        expect 2 "^vmstorm-sim: $opt.*'$value'" run_sim "$opt" "$value"
done <<'EOF'
--nodes 4.5
--nodes 1e3
--nodes 4x
--nodes 0
--seed -1
--seed 7x
--seed 0x10
--speed nan
--speed 1x
--speed inf
--speed 0
--watch-history 5x
--guest-port 2222x
--guest-port 65536
--fio-port 80.5
EOF
check "--listen with a port that is not a whole number is a usage error" \
    expect 2 "^vmstorm-sim: --listen '127.0.0.1:80a': port: .*got '80a'" \
    timeout 10 "$SIM" --no-tls --listen 127.0.0.1:80a
check "--listen with a host that is not an IPv4 address is a usage error" \
    expect 2 "^vmstorm-sim: --listen 'localhost:0': 'localhost' is not an IPv4 address" \
    timeout 10 "$SIM" --no-tls --listen localhost:0

# --no-tls and the certificate options contradict each other
echo junk >"$TMP/junk.pem"
check "--no-tls with --tls-cert/--tls-key/--tls-ca is a usage error naming both" \
    expect 2 "^vmstorm-sim: --no-tls contradicts --tls-cert, --tls-key and --tls-ca" \
    run_sim --tls-cert "$TMP/junk.pem" --tls-key "$TMP/junk.pem" --tls-ca "$TMP/junk.pem"

# ports the guests cannot have
check "--guest-port equal to --fio-port is a usage error" \
    expect 2 "^vmstorm-sim: --guest-port and --fio-port are both 3000" \
    run_sim --guest-port 3000 --fio-port 3000
check "--no-fio with --fio-port is a usage error naming both" \
    expect 2 "^vmstorm-sim: --no-fio contradicts --fio-port" run_sim --no-fio --fio-port 3000
check "--listen 0.0.0.0 on the guests' port is a usage error" \
    expect 2 "^vmstorm-sim: --listen 0.0.0.0:29871 takes port 29871 on every address.*--guest-port" \
    timeout 10 "$SIM" --no-tls --listen 0.0.0.0:29871 --guest-port 29871

# --model FILE: bad content is bad input data (3, with FILE:LINE); an unreadable file is 1
printf '# ok\nboot_work = 10\nbogus = 1\n' >"$TMP/key.model"
printf 'boot_work = 10 # seconds\n' >"$TMP/comment.model"
printf 'boot_work = nan\n' >"$TMP/nan.model"
printf 'boot_work = -1\n' >"$TMP/neg.model"
printf 'boot_work 10\n' >"$TMP/noeq.model"
check "an unknown --model key exits 3 naming file:line and the key" \
    expect 3 "^vmstorm-sim: $TMP/key.model:3: unknown parameter 'bogus'" run_sim --model "$TMP/key.model"
check "a comment after a value exits 3 naming file:line" \
    expect 3 "^vmstorm-sim: $TMP/comment.model:1: 'boot_work': expected a number .*got '10 # seconds'" \
    run_sim --model "$TMP/comment.model"
check "a value of nan exits 3" \
    expect 3 "^vmstorm-sim: $TMP/nan.model:1: 'boot_work': expected a number" run_sim --model "$TMP/nan.model"
check "a negative value exits 3" \
    expect 3 "^vmstorm-sim: $TMP/neg.model:1: 'boot_work': expected a number" run_sim --model "$TMP/neg.model"
check "a line without '=' exits 3" \
    expect 3 "^vmstorm-sim: $TMP/noeq.model:1: expected 'key = value'" run_sim --model "$TMP/noeq.model"
check "a --model file that cannot be read exits 1" \
    expect 1 "^vmstorm-sim: $TMP/none.model: cannot open" run_sim --model "$TMP/none.model"

# given certificates: bad content is bad input data too
check "a --tls-cert file that is not PEM exits 3 naming it" \
    expect 3 "^vmstorm-sim: $TMP/junk.pem: no usable PEM certificate" \
    timeout 10 "$SIM" --listen 127.0.0.1:0 --guest-port 2222 \
    --tls-cert "$TMP/junk.pem" --tls-key "$TMP/junk.pem" --tls-ca "$TMP/junk.pem"
check "a --tls-cert file that does not exist exits 1" \
    expect 1 "^vmstorm-sim: $TMP/none.pem: cannot open" \
    timeout 10 "$SIM" --listen 127.0.0.1:0 --guest-port 2222 \
    --tls-cert "$TMP/none.pem" --tls-key "$TMP/junk.pem" --tls-ca "$TMP/junk.pem"
finish
