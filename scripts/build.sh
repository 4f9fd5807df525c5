#!/usr/bin/env bash
# Configures and builds one configuration: release (default), asan or fuzz.
#   scripts/build.sh [release|asan|fuzz]
# DISTILL_UNITY=OFF compiles file by file (quicker rebuilds after small edits;
# the default batches files: a full build in less than half the time).
# DISTILL_UNIT_TESTS=OFF leaves the unit tests out (scripts/test.sh runs them
# in the ASan+UBSan build).
set -euo pipefail
cd "$(dirname "$0")/.."
config="${1:-release}"
jobs="${DISTILL_JOBS:-$(nproc)}"
unity="-DDISTILL_UNITY=${DISTILL_UNITY:-ON}"
unit_tests="-DDISTILL_UNIT_TESTS=${DISTILL_UNIT_TESTS:-ON}"
case "$config" in
  release)
    cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDISTILL_WERROR=ON "$unity" \
      "$unit_tests" >/dev/null ;;
  asan)
    cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DDISTILL_WERROR=ON \
      -DDISTILL_SANITIZE=ON -DDISTILL_ONLINE_TESTS=OFF "$unity" >/dev/null ;;
  fuzz)
    CC=clang CXX=clang++ cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DDISTILL_FUZZ=ON -DDISTILL_TESTS=OFF >/dev/null ;;
  *) echo "usage: scripts/build.sh [release|asan|fuzz]" >&2; exit 2 ;;
esac
# The fuzz configuration needs only its targets, not the whole library under clang.
target=""
[ "$config" = fuzz ] && target=distill_fuzz
ninja -C "build/$config" -j "$jobs" $target
