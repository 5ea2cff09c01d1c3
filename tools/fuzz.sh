#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) in the sanitizer tree (clang,
# AddressSanitizer and UndefinedBehaviorSanitizer: build-asan/, see
# tools/sanitizer_tree.sh), seeds their corpora from the specifications'
# examples, and runs each for SECONDS (default 10: the CI's minute or so in
# all). A crash, a leak, a sanitizer report, a hang (an input taking over 10 s)
# or, for fuzz_mutation_bodies, an answer of 500 or more fails the run and
# leaves the input in build-asan/findings/.
#   tools/fuzz.sh [SECONDS]
# Long runs: tools/fuzz.sh 3600 (corpora grow in build-asan/corpora/ and are
# reused by later runs).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
targets=(fuzz_edgegrid_header fuzz_jwt fuzz_router_query fuzz_cidr fuzz_event_decoder fuzz_json_input
         fuzz_mutation_bodies)
tree="$(tools/sanitizer_tree.sh address)"
cmake --build "$tree" -j "$(nproc)" --target "${targets[@]}"
python3 tools/fuzz_corpora.py ../shared/spec "$tree/seeds"
mkdir -p "$tree/findings"
for target in "${targets[@]}"; do
  mkdir -p "$tree/corpora/$target"
  echo "== $target: ${seconds}s"
  # Leaks are checked at exit (detect_leaks); -timeout bounds one input.
  log="$tree/$target.log"
  if ! IAM_FUZZ_OPERATIONS="$tree/seeds/fuzz_mutation_bodies.operations" \
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "$tree/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$tree/findings/$target-" "$tree/corpora/$target" "$tree/seeds/$target" \
    >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "$target failed; the input is in $tree/findings/" >&2
    exit 1
  fi
  grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|INFO: seed corpus)" "$log" || true
done
echo "every target ran ${seconds}s without a finding"
