#!/usr/bin/env bash
# Layers shared across images: builds the static, base, cc, python3, java and
# nodejs presets (debian12 amd64, no application files), pushes all six to one
# local docker-registry on 127.0.0.1 and compares the bytes the registry
# stores (du of its blob storage) with the sum of the six images' compressed
# sizes (manifest layers + config), as six unrelated images would cost.
# Target: the registry holds at most 0.6x the sum.
#   DISTILL_BENCH_CACHE=<warm package cache> bench/layers.sh [path/to/distill]
set -euo pipefail
cd "$(dirname "$0")/.."
distill="$(realpath "${1:-build/release/src/distill}")"
. bench/lib.sh
bench_init
cache="${DISTILL_BENCH_CACHE:-$work/cache}"
isolate_home
start_registry

presets="static base cc python3 java nodejs"
sum=0
printf "%-8s %7s %12s  %s\n" preset layers compressed "layer names"
for p in $presets; do
  mkdir -p "$work/$p"
  printf 'distro: debian12\narchs: [amd64]\nbase: %s\n' "$p" >"$work/$p/distill.yaml"
  "$distill" -q --cache-dir "$cache" build -f "$work/$p/distill.yaml" -o "$work/$p/image" \
    -t "$p:bench" --report "$work/$p/report.json" >/dev/null
  read -r n bytes names < <(python3 - "$work/$p/image" "$work/$p/report.json" <<'PY'
import json, sys
layout, report = sys.argv[1], sys.argv[2]
idx = json.load(open(layout + "/index.json"))
man = json.load(open(layout + "/blobs/sha256/" + idx["manifests"][0]["digest"].split(":")[1]))
size = man["config"]["size"] + sum(l["size"] for l in man["layers"])
names = ",".join(l["name"] for l in json.load(open(report))["archs"][0]["layers"])
print(len(man["layers"]), size, names)
PY
)
  sum=$((sum + bytes))
  printf "%-8s %7s %12s  %s\n" "$p" "$n" "$bytes" "$names"
  "$distill" -q push "$work/$p/image" "$host/distill/$p:bench" >/dev/null
done
stored=$(du -sb "$work/storage/docker/registry/v2/blobs" | cut -f1)
echo "sum of the six images' compressed sizes: $sum bytes ($(echo "$sum/1048576" | bc -l | xargs printf '%.1f') MiB)"
echo "registry blob storage (du -sb):          $stored bytes ($(echo "$stored/1048576" | bc -l | xargs printf '%.1f') MiB)"
printf "ratio stored/sum: %.2f (target <= 0.60)\n" "$(echo "$stored/$sum" | bc -l)"
