#!/usr/bin/env bash
# Configures (once) a sanitizer build tree and prints its directory:
#   tools/sanitizer_tree.sh address   build-asan/: clang, ASan + UBSan on every
#                                     object, with libFuzzer's coverage so the
#                                     same objects serve the tests and the
#                                     fuzz targets (tests/fuzz)
#   tools/sanitizer_tree.sh thread    build-tsan/: gcc, TSan
# Shared by tools/sanitize.sh and tools/fuzz.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
case "${1:?usage: tools/sanitizer_tree.sh address|thread}" in
  address)
    dir=build-asan
    compiler=clang++
    flags="-fsanitize=address,undefined -fsanitize=fuzzer-no-link -fno-sanitize-recover=all -fno-omit-frame-pointer"
    link_flags="-fsanitize=address,undefined"
    extra=(-DIAMD_FUZZ=ON)
    ;;
  thread)
    dir=build-tsan
    compiler=g++
    # GCC 12 warns of "maybe uninitialized" std::function members inside
    # std::regex once sanitizers change its inlining: not an error here.
    # GCC warns when TSan meets std::atomic_thread_fence, which it does not
    # model (project code acquires through reference counts instead; the
    # warning stays allowed for library headers).
    flags="-fsanitize=thread -fno-omit-frame-pointer -Wno-error=maybe-uninitialized -Wno-error=tsan"
    link_flags="-fsanitize=thread"
    # The shared RocksDB, so that tools/tsan.supp can name it.
    extra=(-DIAMD_ROCKSDB_SHARED=ON)
    ;;
  *) echo "usage: tools/sanitizer_tree.sh address|thread" >&2; exit 2 ;;
esac
# Configuring again is cheap and keeps an existing tree's options current.
CXX="$compiler" cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS="$flags" \
  -DCMAKE_EXE_LINKER_FLAGS="$link_flags" "${launcher[@]}" "${extra[@]}" >/dev/null
echo "$dir"
