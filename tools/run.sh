#!/usr/bin/env bash
# Installs what is missing, builds, and runs iamd on its embedded defaults:
# data in ./data, serving TLS and HTTP on 127.0.0.1:8080. On first start the
# administrator's credential is written to ./data/.edgerc. Extra arguments go
# to iamd (see build/iamd --help).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/build.sh
exec build/iamd "$@"
