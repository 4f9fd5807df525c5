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
work="$(mktemp -d)"
reg_pid=""
cleanup() {
  if [ -n "$reg_pid" ]; then kill "$reg_pid" 2>/dev/null || true; wait "$reg_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
cache="${DISTILL_BENCH_CACHE:-$work/cache}"
export HOME="$work/home" XDG_CACHE_HOME="$work/xdg-cache" XDG_CONFIG_HOME="$work/xdg-config"
export XDG_RUNTIME_DIR="$work/xdg-run" XDG_DATA_HOME="$work/xdg-data" DOCKER_CONFIG="$work/docker"
mkdir -p "$HOME" "$XDG_CACHE_HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
host="127.0.0.1:$port"
cat >"$work/config.yml" <<YML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $work/storage}}
http: {addr: "$host", secret: bench}
YML
docker-registry serve "$work/config.yml" >"$work/registry.log" 2>&1 &
reg_pid=$!
for _ in $(seq 100); do
  curl -s -o /dev/null "http://$host/v2/" && break
  sleep 0.05
done
curl -s -o /dev/null "http://$host/v2/" || { echo "registry did not start" >&2; cat "$work/registry.log" >&2; exit 1; }

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
