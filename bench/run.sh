#!/usr/bin/env bash
# Run overhead: `distill run` of an image whose entrypoint exits at once (/true,
# a static Go program that returns from main), for the static (Go), python3,
# nodejs and java images, in one run: (c) cold, the layers not yet in the root
# cache (each run after removing $XDG_CACHE_HOME/distill/unpacked), (w) warm, the
# layers cached (overlay mount, seals checked), (u) the copy-unpack path a run
# falls back to (every layer unpacked into the bundle, as before the root cache;
# forced by a cache path overlayfs cannot take), and (p) podman run of the same
# OCI layout after one `podman pull` (runc, cgroupfs, vfs storage, no network,
# as distill runs it). Each figure is the median wall time of N runs.
#   bench/run.sh [path/to/distill] [runs] [images, default "go python node java"]
# Needs root, runc, podman and go; DISTILL_BENCH_CACHE reuses a package cache.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
distill="$(realpath "${1:-build/release/src/distill}")"
runs="${2:-5}"
images="${3:-go python node java}"
# Lower case only: podman names an image pulled from oci:PATH after PATH.
work="${TMPDIR:-/tmp}/distill-bench-run.$$.$RANDOM"
mkdir -m 0700 "$work"
trap 'rm -rf "$work"' EXIT
cache="${DISTILL_BENCH_CACHE:-$work/cache}"
export SOURCE_DATE_EPOCH=0
export TMPDIR="$work/tmp"
mkdir -p "$TMPDIR" "$work/spec" "$work/xdg" "$work/copy:cache"
podman=(podman --runtime=runc --cgroup-manager=cgroupfs --storage-driver=vfs
  --root "$work/podman/root" --runroot "$work/podman/run" --tmpdir "$work/podman/tmp")

cat >"$work/spec/true.go" <<'GO'
package main

func main() {}
GO
(cd "$work/spec" && CGO_ENABLED=0 GOCACHE="$work/gobuild/cache" GOPATH="$work/gobuild/path" \
  GOTOOLCHAIN=local GOFLAGS=-trimpath go build -o true true.go)

build() {  # $1: image name, $2: preset
  cat >"$work/spec/distill.yaml" <<YAML
distro: debian12
archs: [amd64]
base: $2
files:
  - {src: true, dst: /true, mode: "0755"}
entrypoint: [/true]
YAML
  "$distill" --cache-dir "$cache" -q build -f "$work/spec/distill.yaml" -o "$work/$1" \
    -t "$1:bench" >/dev/null
}

ms() {  # runs "$@" once; prints its wall time in ms
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
  end=$(date +%s%N)
  echo $(((end - start) / 1000000))
}
repeat() {  # $1: command run before each timed one ("" = none); then the command
  local before="$1"
  shift
  for _ in $(seq "$runs"); do
    [ -z "$before" ] || eval "$before"
    ms "$@"
  done | median
}

echo "distill run / podman run of an entrypoint that exits at once, median of $runs runs (ms):"
printf "  %-8s %7s %7s %7s %7s   %6s %6s %6s\n" image cold warm copy podman w/p u/w c/u
declare -A preset=([go]=static [python]=python3 [node]=nodejs [java]=java)
for name in $images; do
  build "$name" "${preset[$name]}"
  run=(env XDG_CACHE_HOME="$work/xdg" "$distill" -q run "$work/$name:bench")
  cold=$(repeat 'rm -rf "$work/xdg/distill/unpacked"' "${run[@]}")
  ms "${run[@]}" >/dev/null # fills the root cache
  warm=$(repeat "" "${run[@]}")
  copy=$(repeat "" env XDG_CACHE_HOME="$work/copy:cache" "$distill" -q run "$work/$name:bench")
  id=$("${podman[@]}" pull -q "oci:$work/$name:bench")
  prun=("${podman[@]}" run --rm --network none --ulimit nofile=1024:1024
    --ulimit nproc=1024:1024 "$id")
  ms "${prun[@]}" >/dev/null # podman's first run sets up its storage
  pod=$(repeat "" "${prun[@]}")
  printf "  %-8s %7d %7d %7d %7d   %6.2f %6.1f %6.2f\n" "$name" "$cold" "$warm" "$copy" "$pod" \
    "$(echo "$warm/$pod" | bc -l)" "$(echo "$copy/$warm" | bc -l)" \
    "$(echo "$cold/$copy" | bc -l)"
done
"${podman[@]}" rmi -a -f >/dev/null 2>&1 || true
