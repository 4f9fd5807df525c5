#!/usr/bin/env bash
# Cold builds from the mirror: the python3 and java images with an empty
# cache, so every index and .deb is downloaded, side by side with the peer's
# cold path: `apt-get download` of the same .debs (apt's indices are already
# on the host: it fetches the .debs only) into a flat repository, then
# mmdebstrap extract + tar + gzip as in bench/build.sh. One run each (it
# downloads); wall time and peak RSS, and the ratio c/p.
#   bench/build_cold.sh [path/to/distill] [images...]
# images default to "python3 java". Needs the mirrors in /etc/apt/sources*.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
distill="$(realpath "${1:-build/release/src/distill}")"
shift 2>/dev/null || true
images=("${@:-python3 java}")
read -r -a images <<<"${images[*]}"
bench_init
export SOURCE_DATE_EPOCH=0
col() { cut -d' ' -f"$2" "$1"; }
mib() { echo "$1/1024" | bc -l; }

echo "distill: $distill; one cold run each, from the mirror"
printf "%-8s %10s %10s %10s %10s %6s\n" image "(c) s" "(c) MiB" "(p) s" "(p) MiB" "c/p"
for name in "${images[@]}"; do
  dir="$work/$name"
  mkdir -p "$dir"
  printf 'distro: debian12\narchs: [amd64]\nbase: %s\n' "$name" >"$dir/distill.yaml"
  measure "$dir/c" "$distill" --cache-dir "$dir/cache" -q build -f "$dir/distill.yaml" -o "$dir/out"
  "$distill" --cache-dir "$dir/cache" -q --offline lock -f "$dir/distill.yaml" -o "$dir/distill.lock"
  measure "$dir/p" bash bench/lib.sh cold_peer "$dir/repo" "$(lock_packages "$dir/distill.lock" pin)" \
    "$(lock_packages "$dir/distill.lock" name)" "$dir/peer" "$dir/peer.tar.gz"
  printf "%-8s %10.3f %10.1f %10.3f %10.1f %6.2f\n" "$name" "$(col "$dir/c" 1)" \
    "$(mib "$(col "$dir/c" 2)")" "$(col "$dir/p" 1)" "$(mib "$(col "$dir/p" 2)")" \
    "$(echo "$(col "$dir/c" 1)/$(col "$dir/p" 1)" | bc -l)"
  rm -rf "$dir"
done
