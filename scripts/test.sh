#!/usr/bin/env bash
# Builds and runs every test: the rule checks (module order, format, unity
# names); fuzz smoke runs; the -Werror release build with
# the tests that reach the host's Debian mirror (label online); then the
# ASan+UBSan build with the unit and hermetic integration tests, whose ctest
# summary ends the output. Each test runs once, in the build that suits it.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${DISTILL_JOBS:-$(nproc)}"

echo "== rules: module order, clang-format, unity-build names (scripts/check_rules.py)"
python3 scripts/check_rules.py

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

echo "== release build (-Werror), online tests"
DISTILL_UNIT_TESTS=OFF scripts/build.sh release
ctest --test-dir build/release --output-on-failure -j "$jobs" --timeout 900 -L online

echo "== ASan+UBSan build (-Werror), unit and integration tests"
scripts/build.sh asan
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build/asan --output-on-failure -j "$jobs" --timeout 900
