#!/usr/bin/env bash
# The test suite under a sanitizer, in a build tree of its own
# (tools/sanitizer_tree.sh):
#   tools/sanitize.sh address   ASan + UBSan (build-asan/, clang): every test
#   tools/sanitize.sh thread    TSan (build-tsan/, gcc): the concurrency tests —
#                               the event store's group commit, the projection
#                               runner, the HTTP server, rate limits, SSE, the
#                               cluster's replication, election and pipelined commits, and the
#                               kill drill's quick form
# A sanitizer report fails the test it happens in. Each tree is a full build
# of its own (30–40 minutes cold on 2 cores, incremental after), so CI does
# not run them; run them before a release and after changes to concurrent code.
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:?usage: tools/sanitize.sh address|thread}"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
case "$kind" in
  address)
    export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
    filter=()
    targets=(all)
    ;;
  thread)
    export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tools/tsan.supp"
    filter=(-R "EventStore|ProjectionRunner|HttpServer|RateLimit|AuditStream|WritePath|Concurrent|ClusterReplication|WriterElection|ClusterTest|SingleNodeTest|PipelinedCommits|drill_kill9")
    targets=(iam_core_tests iam_api_tests iamd iamctl drill_kill9)
    ;;
  *) echo "usage: tools/sanitize.sh address|thread" >&2; exit 2 ;;
esac
dir="$(tools/sanitizer_tree.sh "$kind")"
tools/fetch_nats_server.sh "$dir"
cmake --build "$dir" -j "$(nproc)" --target "${targets[@]}"
ctest --test-dir "$dir" -j "$(nproc)" --timeout 900 --output-on-failure "${filter[@]}"
