#!/usr/bin/env bash
# Peak memory of `distill build` as the image grows, side by side with the
# closest daemonless peer (`mmdebstrap --variant=extract` of the same package
# set, then tar and gzip, as in bench/build.sh). For each image, with a warm
# package cache, prints wall time and peak RSS of
#   (a) distill build with a cold layer cache (--no-cache),
#   (b) distill build after changing one application file (layers cached),
#   (p) the peer,
# and the OS layer's uncompressed size. Images: the python3 and java presets
# and a large one (libreoffice-core-nogui on the cc preset, about 1 GB of
# files: the one that shows whether memory grows with the image).
#   bench/build_memory.sh [path/to/distill] [runs] [images...]
# images default to "python3 java big"; runs (median) default to 1.
set -euo pipefail
cd "$(dirname "$0")/.."
distill="$(realpath "${1:-build/release/src/distill}")"
runs="${2:-1}"
shift 2 2>/dev/null || shift $#
images=("${@:-python3 java big}")
read -r -a images <<<"${images[*]}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
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
  esac >"$dir/head"
  { printf 'distro: debian12\narchs: [amd64]\n'; cat "$dir/head"
    printf 'files:\n  - {src: app/, dst: /app}\n'; } >"$dir/distill.yaml"
}

measure() {  # appends "seconds max_rss_kib" for one run of "$@" to file $1
  local out="$1"; shift
  /usr/bin/time -f "%e %M" -o "$work/t" "$@" >/dev/null 2>"$work/err" || {
    cat "$work/err" >&2; exit 1; }
  cat "$work/t" >>"$out"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
col() { cut -d' ' -f"$2" "$1" | median; }
mib() { echo "$1/1024" | bc -l; }

peer() {  # mmdebstrap extract + tar + gzip of $packages from $repo
  rm -rf "$work/peer"
  mmdebstrap --quiet --variant=extract --mode=root --include="$packages" \
    bookworm "$work/peer" "deb [trusted=yes] copy://$repo ./"
  tar --sort=name --numeric-owner -C "$work/peer" -cf - . | gzip -6 -n >"$work/peer.tar.gz"
}
export -f peer

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
  "$distill" --cache-dir "$cache" -q fetch --lock "$dir/distill.lock" -o "$repo"
  (cd "$repo" && dpkg-scanpackages --multiversion . 2>/dev/null |
    grep -v -E '^(Pre-Depends|Depends|Recommends|Suggests|Breaks|Conflicts|Replaces):' >Packages)
  packages=$(python3 -c '
import json, sys
arch = json.load(open(sys.argv[1]))["archs"]["amd64"]
print(",".join(sorted(p["name"] for p in arch["packages"] + arch.get("extract", []))))
' "$dir/distill.lock")
  export work packages repo
  : >"$dir/a"; : >"$dir/b"; : >"$dir/p"
  for i in $(seq "$runs"); do
    measure "$dir/a" "$distill" --cache-dir "$cache" --offline -q build \
      -f "$dir/distill.yaml" -o "$dir/out-a" --no-cache
    rm -rf "$dir/out-a"
    echo "print('changed $i')" >"$dir/app/main.txt"
    measure "$dir/b" "$distill" --cache-dir "$cache" --offline -q build \
      -f "$dir/distill.yaml" -o "$dir/out-b"
    rm -rf "$dir/out-b"
    measure "$dir/p" bash -c peer
  done
  layer=$("$distill" inspect "$dir/warm" --json | python3 -c '
import json, sys
print("%.1f" % (json.load(sys.stdin)["images"][0]["layers"][0]["uncompressed_size"] / 1e6))')
  printf "%-8s %10.3f %10.1f %10.3f %10.1f %10.3f %10.1f %6.2f %10s\n" "$name" \
    "$(col "$dir/a" 1)" "$(mib "$(col "$dir/a" 2)")" "$(col "$dir/b" 1)" \
    "$(mib "$(col "$dir/b" 2)")" "$(col "$dir/p" 1)" "$(mib "$(col "$dir/p" 2)")" \
    "$(echo "$(col "$dir/a" 1)/$(col "$dir/p" 1)" | bc -l)" "$layer"
  rm -rf "$dir/warm" "$dir/peer" "$repo"
done
