#!/usr/bin/env bash
# Configures (once) and builds iamd, iamctl and the tests into ./build.
# Incremental: reruns compile only what changed (ccache when present).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f build/build.ninja ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build build -j "$(nproc)"
