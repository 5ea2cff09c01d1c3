#!/usr/bin/env bash
# The test suite under a sanitizer, in a build tree of its own:
#   tools/sanitize.sh address   ASan + UBSan (build-asan/): every test
#   tools/sanitize.sh thread    TSan (build-tsan/): the concurrency tests —
#                               the event store's group commit, the projection
#                               runner, the HTTP server, rate limits, SSE and
#                               the kill drill's quick form
# A sanitizer report fails the test it happens in. Each build is a full one
# (about 25 minutes cold on 2 cores, incremental after), so CI does not run
# it; run it before a release and after changes to concurrent code.
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:?usage: tools/sanitize.sh address|thread}"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
case "$kind" in
  address)
    dir=build-asan
    # GCC 12 warns of "maybe uninitialized" std::function members inside
    # std::regex once sanitizers change its inlining: not an error here.
    flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -Wno-error=maybe-uninitialized"
    export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
    filter=()
    ;;
  thread)
    dir=build-tsan
    flags="-fsanitize=thread -fno-omit-frame-pointer -Wno-error=maybe-uninitialized"
    export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
    filter=(-R "EventStore|ProjectionRunner|HttpServer|RateLimit|AuditStream|WritePath|Concurrent|drill_kill9")
    ;;
  *) echo "usage: tools/sanitize.sh address|thread" >&2; exit 2 ;;
esac
if [ ! -f "$dir/build.ninja" ]; then
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS="$flags" \
    -DCMAKE_EXE_LINKER_FLAGS="$flags" >/dev/null
fi
cmake --build "$dir" -j "$(nproc)"
ctest --test-dir "$dir" -j "$(nproc)" --timeout 900 --output-on-failure "${filter[@]}"
