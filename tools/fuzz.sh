#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer in build-fuzz/, seeds their corpora from the
# specifications' examples, and runs each for SECONDS (default 10: the CI's
# minute in all). A crash, a leak, a sanitizer report or a hang (an input
# taking over 10 s) fails the run and leaves the input in build-fuzz/findings/.
#   tools/fuzz.sh [SECONDS]
# Long runs: tools/fuzz.sh 3600 (corpora grow in build-fuzz/corpora/ and are
# reused by later runs).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
targets=(fuzz_edgegrid_header fuzz_jwt fuzz_router_query fuzz_cidr fuzz_event_decoder fuzz_json_input)
if [ ! -f build-fuzz/build.ninja ]; then
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIAMD_FUZZ=ON \
    "${launcher[@]}" >/dev/null
fi
cmake --build build-fuzz -j "$(nproc)" --target "${targets[@]}"
python3 tools/fuzz_corpora.py ../shared/spec build-fuzz/seeds
mkdir -p build-fuzz/findings
for target in "${targets[@]}"; do
  mkdir -p "build-fuzz/corpora/$target"
  echo "== $target: ${seconds}s"
  # Leaks are checked at exit (detect_leaks); -timeout bounds one input.
  log="build-fuzz/$target.log"
  if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "build-fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="build-fuzz/findings/$target-" "build-fuzz/corpora/$target" "build-fuzz/seeds/$target" \
    >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "$target failed; the input is in build-fuzz/findings/" >&2
    exit 1
  fi
  grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|INFO: seed corpus)" "$log" || true
done
echo "every target ran ${seconds}s without a finding"
