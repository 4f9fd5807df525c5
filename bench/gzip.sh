#!/usr/bin/env bash
# Gzip throughput of the layer writer beside pigz and gzip, on one tar: the
# java image's package layer (cc + openjdk-17-jre-headless, about 240 MB
# uncompressed), written by `distill build` and gunzipped.
#   (d) `distill import layer.tar`: the whole layer writer (reading the tar,
#       writing it again, both SHA-256s, the parallel gzip at level 4, fsync);
#   (p) `pigz -p 2 -4` (the same level, 2 threads, 128 KiB blocks: the format
#       distill writes), output to a file;
#   (g) `gzip -6`, output to a file.
# Median wall time of RUNS each, in one run, and the ratios d/p and d/g.
#   bench/gzip.sh [path/to/distill] [runs]
# DISTILL_BENCH_CACHE reuses a package cache (default: a fresh one, online).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
distill="$(realpath "${1:-build/release/src/distill}")"
runs="${2:-3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cache="${DISTILL_BENCH_CACHE:-$work/cache}"
export SOURCE_DATE_EPOCH=0
for tool in pigz gzip; do
  command -v "$tool" >/dev/null || { echo "bench/gzip.sh: $tool is missing" >&2; exit 1; }
done

mkdir -p "$work/spec"
printf 'distro: debian12\narchs: [amd64]\nbase: java\n' >"$work/spec/distill.yaml"
"$distill" --cache-dir "$cache" -q build -f "$work/spec/distill.yaml" -o "$work/image" \
  -t java:latest >/dev/null
layer=$(python3 - "$work/image" <<'PY'
import json, os, sys
root = sys.argv[1]
blob = lambda d: os.path.join(root, "blobs", "sha256", d.split(":", 1)[1])
index = json.load(open(os.path.join(root, "index.json")))
manifest = json.load(open(blob(index["manifests"][0]["digest"])))
print(blob(max(manifest["layers"], key=lambda l: l["size"])["digest"]))
PY
)
gzip -dc "$layer" >"$work/layer.tar"
bytes=$(stat -c %s "$work/layer.tar")

timed() {  # prints the wall seconds of "$@"
  /usr/bin/time -f "%e" -o "$work/t" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  cat "$work/t"
}
d=$(for i in $(seq "$runs"); do
  rm -rf "$work/out"
  timed "$distill" -q import "$work/layer.tar" -o "$work/out"
done | median)
p=$(for i in $(seq "$runs"); do timed sh -c "pigz -p 2 -4 <'$work/layer.tar' >'$work/p.gz'"; done | median)
g=$(for i in $(seq "$runs"); do timed sh -c "gzip -6 <'$work/layer.tar' >'$work/g.gz'"; done | median)
mb=$(echo "$bytes/1000000" | bc -l)
printf "layer tar: %.1f MB; median of %d\n" "$mb" "$runs"
printf "  (d) distill import (layer writer)  %6.2f s  %6.1f MB/s\n" "$d" "$(echo "$mb/$d" | bc -l)"
printf "  (p) pigz -p 2 -4                   %6.2f s  %6.1f MB/s\n" "$p" "$(echo "$mb/$p" | bc -l)"
printf "  (g) gzip -6                        %6.2f s  %6.1f MB/s\n" "$g" "$(echo "$mb/$g" | bc -l)"
printf "  d/p %.2f  d/g %.2f\n" "$(echo "$d/$p" | bc -l)" "$(echo "$d/$g" | bc -l)"
