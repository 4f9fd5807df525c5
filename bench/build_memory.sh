#!/usr/bin/env bash
# Peak memory of `distill build` as the image grows, side by side with the
# closest daemonless peer (`mmdebstrap --variant=extract` of the same package
# set, then tar and gzip, as in bench/build.sh). For each image, with a warm
# package cache, prints wall time and peak RSS of
#   (a) distill build with a cold layer cache (--no-cache),
#   (b) distill build after changing one application file (layers cached),
#   (p) the peer,
# and the image's uncompressed size (all its layers). Images: the python3 and java presets
# and two large ones on the cc preset: "big" (libreoffice-core-nogui, about
# 330 MB of files) and "huge" (that, openjdk-17-jdk-headless, golang-1.19-go,
# libllvm15 and libstd-rust-dev: over 1 GB), the ones that show whether
# memory grows with the image.
#   bench/build_memory.sh [path/to/distill] [runs] [images...]
# images default to "python3 java big huge"; runs (median) default to 1.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
distill="$(realpath "${1:-build/release/src/distill}")"
runs="${2:-1}"
shift 2 2>/dev/null || shift $#
images=("${@:-python3 java big huge}")
read -r -a images <<<"${images[*]}"
bench_init
cache="${DISTILL_BENCH_CACHE:-$work/cache}"
export SOURCE_DATE_EPOCH=0

spec_for() {  # writes the spec of image $1 to $work/$1/distill.yaml
  local name="$1" dir="$work/$1"
  mkdir -p "$dir/app"
  echo "print('hello')" >"$dir/app/main.txt"
  case "$name" in
    python3) printf 'base: python3\n' ;;
    java) printf 'base: java\n' ;;
    big) printf 'base: cc\npackages: [libreoffice-core-nogui]\n' ;;
    huge) printf 'base: cc\npackages: [libreoffice-core-nogui, openjdk-17-jdk-headless, golang-1.19-go, libllvm15, libstd-rust-dev]\n' ;;
  esac >"$dir/head"
  { printf 'distro: debian12\narchs: [amd64]\n'; cat "$dir/head"
    printf 'files:\n  - {src: app/, dst: /app}\n'; } >"$dir/distill.yaml"
}

col() { cut -d' ' -f"$2" "$1" | median; }
mib() { echo "$1/1024" | bc -l; }


echo "distill: $distill; median of $runs run(s); warm package cache"
printf "%-8s %10s %10s %10s %10s %10s %10s %6s %10s\n" image "(a) s" "(a) MiB" "(b) s" \
  "(b) MiB" "(p) s" "(p) MiB" "a/p" "layer MB"
for name in "${images[@]}"; do
  spec_for "$name"
  dir="$work/$name"
  # Warm the package cache (network), and pin the package set for the peer.
  "$distill" --cache-dir "$cache" -q build -f "$dir/distill.yaml" -o "$dir/warm" >/dev/null
  "$distill" --cache-dir "$cache" -q lock -f "$dir/distill.yaml" -o "$dir/distill.lock"
  repo="$dir/repo"
  mkdir -p "$repo"
  peer_repo "$distill" "$cache" "$dir/distill.lock" "$repo"
  : >"$dir/a"; : >"$dir/b"; : >"$dir/p"
  for i in $(seq "$runs"); do
    measure "$dir/a" "$distill" --cache-dir "$cache" --offline -q build \
      -f "$dir/distill.yaml" -o "$dir/out-a" --no-cache
    rm -rf "$dir/out-a"
    echo "print('changed $i')" >"$dir/app/main.txt"
    measure "$dir/b" "$distill" --cache-dir "$cache" --offline -q build \
      -f "$dir/distill.yaml" -o "$dir/out-b"
    rm -rf "$dir/out-b"
    measure "$dir/p" bash bench/lib.sh peer "deb [trusted=yes] copy://$repo ./" "$packages" \
      "$work/peer" "$work/peer.tar.gz"
  done
  layer=$("$distill" inspect "$dir/warm" --json | python3 -c '
import json, sys
print("%.1f" % (sum(l["uncompressed_size"] for l in json.load(sys.stdin)["images"][0]["layers"]) / 1e6))')
  printf "%-8s %10.3f %10.1f %10.3f %10.1f %10.3f %10.1f %6.2f %10s\n" "$name" \
    "$(col "$dir/a" 1)" "$(mib "$(col "$dir/a" 2)")" "$(col "$dir/b" 1)" \
    "$(mib "$(col "$dir/b" 2)")" "$(col "$dir/p" 1)" "$(mib "$(col "$dir/p" 2)")" \
    "$(echo "$(col "$dir/a" 1)/$(col "$dir/p" 1)" | bc -l)" "$layer"
  rm -rf "$dir/warm" "$dir/peer" "$repo"
done
