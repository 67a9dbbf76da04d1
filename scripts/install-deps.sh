#!/usr/bin/env bash
# Install the Debian packages vmstorm needs to build, test and run its demo.
# Idempotent: packages already present are left alone, and one line is printed
# for each package this script installed. Works as root, or as a user with sudo.
set -euo pipefail

PACKAGES=(
  build-essential pkg-config clang libclang-rt-dev
  libcurl4-openssl-dev libcjson-dev libcsv-dev libyaml-dev libcairo2-dev
  libmicrohttpd-dev libcmocka-dev zlib1g-dev
  gnuplot-nox fonts-dejavu-core bash-completion fio poppler-utils python3 python3-jsonschema jq curl
  openssl man-db
)

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "install-deps.sh: run as root or install sudo" >&2
  exit 1
fi

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=()
for p in "${PACKAGES[@]}"; do
  installed "$p" || missing+=("$p")
done
# kubectl drives the simulator in end-to-end tests; Debian ships it as
# kubernetes-client. Keep a kubectl the machine already has.
if ! command -v kubectl >/dev/null 2>&1 && ! installed kubernetes-client; then
  missing+=(kubernetes-client)
fi

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps.sh: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq >/dev/null
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
for p in "${missing[@]}"; do
  if installed "$p"; then
    echo "installed $p"
  else
    echo "install-deps.sh: failed to install $p" >&2
    exit 1
  fi
done
