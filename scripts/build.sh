#!/usr/bin/env bash
# Configures and builds one configuration: release (default), asan or fuzz.
#   scripts/build.sh [release|asan|fuzz]
set -euo pipefail
cd "$(dirname "$0")/.."
config="${1:-release}"
jobs="${DISTILL_JOBS:-$(nproc)}"
case "$config" in
  release)
    cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDISTILL_WERROR=ON >/dev/null ;;
  asan)
    cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DDISTILL_WERROR=ON \
      -DDISTILL_SANITIZE=ON -DDISTILL_ONLINE_TESTS=OFF >/dev/null ;;
  fuzz)
    CC=clang CXX=clang++ cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DDISTILL_FUZZ=ON -DDISTILL_TESTS=OFF >/dev/null ;;
  *) echo "usage: scripts/build.sh [release|asan|fuzz]" >&2; exit 2 ;;
esac
# The fuzz configuration needs only its targets, not the whole library under clang.
target=""
[ "$config" = fuzz ] && target=distill_fuzz
ninja -C "build/$config" -j "$jobs" $target
