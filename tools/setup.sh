#!/usr/bin/env bash
# Installs the Debian packages iamd builds with, and nothing else. Idempotent:
# when everything is present it prints nothing and changes nothing.
# --bench adds what the benchmark suite compares against (tools/bench/run.sh).
# Then puts nats-server 2.10 into build/ for the cluster tests
# (tools/fetch_nats_server.sh; Debian 12's own is too old).
set -euo pipefail

packages=(
  g++ cmake ninja-build ccache pkg-config git
  libboost1.81-dev libboost-url1.81-dev libboost-json1.81-dev
  librocksdb-dev libsimdjson-dev libspdlog-dev libssl-dev libargon2-dev libcli11-dev
  libgtest-dev libbenchmark-dev python3 python3-yaml
  libidn2-dev libpsl-dev libc-ares-dev python3-dnslib
  libnats-dev               # the clustered event log (events/nats)
  clang libclang-rt-14-dev  # the libFuzzer targets (tools/fuzz.sh)
  cppcheck                  # tools/lint.sh
)
if [ "${1:-}" = "--bench" ]; then
  packages+=(nginx-light wrk postgresql gnuplot-nox linux-perf procps curl)
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "Installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
"$(dirname "$0")/fetch_nats_server.sh" build
