#!/usr/bin/env bash
# Pushing the python3 image (examples/hello-python, built once, OCI layout) to
# a local docker-registry on 127.0.0.1, side by side with `skopeo copy` of the
# same layout to a fresh repository of the same registry. Each first push goes
# to a repository that has never seen the blobs (fresh registry storage per
# run, so no mounts); then a no-op re-push of the same image by distill.
# Prints median wall times and the ratio distill/skopeo.
#   bench/push.sh [path/to/distill] [runs] [layout]
set -euo pipefail
cd "$(dirname "$0")/.."
distill="$(realpath "${1:-build/release/src/distill}")"
runs="${2:-5}"
layout="${3:-}"
work="$(mktemp -d)"
reg_pid=""
cleanup() {
  if [ -n "$reg_pid" ]; then kill "$reg_pid" 2>/dev/null || true; wait "$reg_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
export HOME="$work/home" XDG_CACHE_HOME="$work/xdg-cache" XDG_CONFIG_HOME="$work/xdg-config"
export XDG_RUNTIME_DIR="$work/xdg-run" XDG_DATA_HOME="$work/xdg-data" DOCKER_CONFIG="$work/docker"
mkdir -p "$HOME" "$XDG_CACHE_HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"

if [ -z "$layout" ]; then
  layout="$work/python-image"
  (cd examples/hello-python && "$distill" -q --cache-dir "$work/build-cache" build -o "$layout" -t python:bench >/dev/null)
fi
size=$(du -sb "$layout/blobs" | cut -f1)
# skopeo names a layout image by its ref.name annotation.
refname=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["manifests"][0]; print(m.get("annotations",{}).get("org.opencontainers.image.ref.name",""))' "$layout/index.json")

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
host="127.0.0.1:$port"
start_registry() {  # fresh storage each time: every first push really uploads
  if [ -n "$reg_pid" ]; then kill "$reg_pid"; wait "$reg_pid" 2>/dev/null || true; fi
  rm -rf "$work/storage"
  cat >"$work/config.yml" <<YML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $work/storage}}
http: {addr: "$host", secret: bench}
YML
  docker-registry serve "$work/config.yml" >"$work/registry.log" 2>&1 &
  reg_pid=$!
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://$host/v2/" && return 0
    sleep 0.05
  done
  echo "registry did not start" >&2; cat "$work/registry.log" >&2; exit 1
}

seconds() {  # wall time of "$@" in seconds
  local t0 t1
  t0=$(date +%s.%N); "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

: >"$work/d"; : >"$work/s"; : >"$work/r"
for i in $(seq "$runs"); do
  start_registry
  # No mount hints (distill) or blob-info cache (skopeo) from an earlier run.
  rm -rf "$XDG_CACHE_HOME/distill" "$XDG_DATA_HOME/containers" "$HOME/.local/share/containers"
  seconds "$distill" -q push "$layout" "$host/distill/python:$i" >>"$work/d"
  seconds "$distill" -q push "$layout" "$host/distill/python:$i" >>"$work/r"
  seconds skopeo copy -q --dest-tls-verify=false "oci:$layout${refname:+:$refname}" "docker://$host/skopeo/python:$i" >>"$work/s"
done
d=$(median <"$work/d"); s=$(median <"$work/s"); r=$(median <"$work/r")
echo "push python3 image ($(echo "$size/1048576" | bc -l | xargs printf '%.1f') MiB of blobs) to docker-registry on 127.0.0.1, median of $runs runs:"
printf "  distill push (first)     %6.3f s\n" "$d"
printf "  skopeo copy (first)      %6.3f s\n" "$s"
printf "  ratio distill/skopeo     %6.2f\n" "$(echo "$d/$s" | bc -l)"
printf "  distill re-push (no-op)  %6.3f s\n" "$r"
