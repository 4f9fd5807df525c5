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
. bench/lib.sh
bench_init
isolate_home

if [ -z "$layout" ]; then
  layout="$work/python-image"
  (cd examples/hello-python && "$distill" -q --cache-dir "$work/build-cache" build -o "$layout" -t python:bench >/dev/null)
fi
size=$(du -sb "$layout/blobs" | cut -f1)
# skopeo names a layout image by its ref.name annotation.
refname=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["manifests"][0]; print(m.get("annotations",{}).get("org.opencontainers.image.ref.name",""))' "$layout/index.json")


: >"$work/d"; : >"$work/s"; : >"$work/r"
for i in $(seq "$runs"); do
  start_registry  # fresh storage: every first push really uploads
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
