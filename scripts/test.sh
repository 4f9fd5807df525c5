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
# One fuzzer per core at a time: each is single-threaded, and 23 of them one
# after the other were a fifth of the whole run.
fuzz_one() {
  local f="$1" log corpus
  log="build/fuzz/$(basename "$f").log"
  corpus="tests/fuzz/corpus/$(basename "$f" | sed 's/^fuzz_//')"
  "$f" -max_total_time="${DISTILL_FUZZ_SECONDS:-15}" -print_final_stats=0 \
    $( [ -d "$corpus" ] && echo "$corpus" ) >/dev/null 2>"$log" \
    || { echo "fuzzer $f failed:"; tail -40 "$log"; return 1; }
  echo "ok $(basename "$f")"
}
export -f fuzz_one
find build/fuzz/tests/fuzz -maxdepth 1 -name 'fuzz_*' -type f -executable -print0 | sort -z |
  xargs -0 -P "$jobs" -n 1 bash -c 'fuzz_one "$1"' _

echo "== release build (-Werror), online tests"
DISTILL_UNIT_TESTS=OFF scripts/build.sh release
ctest --test-dir build/release --output-on-failure -j "$jobs" --timeout 900 -L online

echo "== ASan+UBSan build (-Werror), unit and integration tests"
scripts/build.sh asan
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build/asan --output-on-failure -j "$jobs" --timeout 900
