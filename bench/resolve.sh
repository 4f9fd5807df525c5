#!/usr/bin/env bash
# Resolving python3 for debian12 amd64 (bookworm + -updates + -security, main)
# with indices already cached, side by side with apt's own resolver on the same
# host mirror data (apt-get --simulate from an empty dpkg status, so it
# resolves from scratch too). Prints median wall time, peak RSS and the ratio.
#   bench/resolve.sh [path/to/distill] [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
distill="${1:-build/release/src/distill}"
runs="${2:-7}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cache="$work/cache"

# Warm the cache (network), then measure offline runs: nothing but cache reads,
# signature checks, parsing and resolution.
"$distill" --cache-dir "$cache" -q resolve python3 --distro debian12 --arch amd64 >/dev/null

measure() {  # prints "seconds max_rss_kib" for one run of "$@"
  /usr/bin/time -f "%e %M" -o "$work/t" "$@" >/dev/null 2>&1
  cat "$work/t"
}

: >"$work/d"; : >"$work/a"
touch "$work/empty-status"
for _ in $(seq "$runs"); do
  measure "$distill" --cache-dir "$cache" --offline -q resolve python3 --distro debian12 --arch amd64 >>"$work/d"
  measure apt-get -s -o Dir::State::status="$work/empty-status" -o Debug::NoLocking=1 \
    install --no-install-recommends python3 >>"$work/a"
done
d_t=$(cut -d' ' -f1 "$work/d" | median); d_m=$(cut -d' ' -f2 "$work/d" | median)
a_t=$(cut -d' ' -f1 "$work/a" | median); a_m=$(cut -d' ' -f2 "$work/a" | median)
echo "resolve python3 (debian12 amd64, 3 suites, cached indices), median of $runs runs:"
printf "  distill           %6.3f s  peak %6.1f MiB\n" "$d_t" "$(echo "$d_m/1024" | bc -l)"
printf "  apt-get -s        %6.3f s  peak %6.1f MiB\n" "$a_t" "$(echo "$a_m/1024" | bc -l)"
printf "  ratio distill/apt %6.2f\n" "$(echo "$d_t/$a_t" | bc -l)"
