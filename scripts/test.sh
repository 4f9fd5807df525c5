#!/usr/bin/env bash
# Builds and runs every test: fuzz smoke runs, the ASan+UBSan build's tests,
# then the -Werror release build's full suite (online tests included), whose
# ctest summary ends the output.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${DISTILL_JOBS:-$(nproc)}"

echo "== fuzz smoke (libFuzzer, clang)"
scripts/build.sh fuzz
for f in build/fuzz/tests/fuzz/fuzz_*; do
  [ -x "$f" ] || continue
  corpus="tests/fuzz/corpus/$(basename "$f" | sed 's/^fuzz_//')"
  "$f" -max_total_time="${DISTILL_FUZZ_SECONDS:-15}" -print_final_stats=0 \
    $( [ -d "$corpus" ] && echo "$corpus" ) >/dev/null 2>"build/fuzz/$(basename "$f").log" \
    || { echo "fuzzer $f failed:"; tail -40 "build/fuzz/$(basename "$f").log"; exit 1; }
  echo "ok $(basename "$f")"
done

echo "== ASan+UBSan build"
scripts/build.sh asan
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build/asan --output-on-failure -j "$jobs" --timeout 900

echo "== release build (-Werror), all tests"
scripts/build.sh release
ctest --test-dir build/release --output-on-failure -j "$jobs" --timeout 900
