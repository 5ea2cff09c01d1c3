#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test, a minute of fuzzing and cppcheck.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/build.sh
ctest --test-dir build --output-on-failure -j "$(nproc)" --timeout 300
# About a minute of fuzzing in all (seven targets, 10 s each; tools/fuzz.sh).
tools/fuzz.sh 10
# Static analysis: cppcheck's warning, performance and portability checks.
tools/lint.sh
