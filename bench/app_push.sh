#!/usr/bin/env bash
# An app-only change of a python3 app, rebuilt and pushed in one command
# (`distill build --push`) to a docker-registry on 127.0.0.1 that holds the
# image before the change, with a warm package and layer cache. Prints the
# median wall time (target: under 0.5 s) and what the registry received in
# each run, from its access log: blob uploads (target: one layer and the
# config) and manifest PUTs (target: one). Side by side with the two-step
# path of other tools: `distill build` to a layout, then `skopeo copy` of it
# (which skips the blobs the registry has too).
#   bench/app_push.sh [path/to/distill] [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
distill="$(realpath "${1:-build/release/src/distill}")"
runs="${2:-5}"
bench_init
isolate_home
cache="${DISTILL_BENCH_CACHE:-$work/cache}"
export SOURCE_DATE_EPOCH=0
BENCH_ACCESS_LOG=1 start_registry

python_app_spec "$work/spec"

build_push() {  # distill build --push of the spec to repository $1
  "$distill" --cache-dir "$cache" -q build -f "$work/spec/distill.yaml" -o "$work/out" \
    --push "$host/$1:latest"
}
build_copy() {  # distill build to a layout, then skopeo copy to repository $1
  "$distill" --cache-dir "$cache" -q --offline build -f "$work/spec/distill.yaml" \
    -o "$work/layout" -t "app:latest"
  local refname
  refname=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["manifests"][0]; print(m.get("annotations",{}).get("org.opencontainers.image.ref.name",""))' "$work/layout/index.json")
  skopeo copy -q --dest-tls-verify=false "oci:$work/layout${refname:+:$refname}" \
    "docker://$host/$1:latest"
}
requests() {  # blob upload PUTs and manifest PUTs in the log since line $1
  tail -n +"$1" "$work/registry.log" | grep -c "\"PUT /v2/[^ ]*/blobs/uploads/" || true
  tail -n +"$1" "$work/registry.log" | grep -c "\"PUT /v2/[^ ]*/manifests/" || true
}

# Before the change: both repositories hold the image (and the caches are warm).
build_push bench/distill >/dev/null
build_copy bench/skopeo >/dev/null 2>&1
: >"$work/d"; : >"$work/s"; : >"$work/counts"
for i in $(seq "$runs"); do
  echo "print('changed $i')" >"$work/spec/app/main.py"
  line=$(($(wc -l <"$work/registry.log") + 1))
  seconds build_push bench/distill >>"$work/d"
  echo "$(requests "$line" | paste -sd' ')" >>"$work/counts"
  seconds build_copy bench/skopeo >>"$work/s"
done
d=$(median <"$work/d"); s=$(median <"$work/s")
echo "python3 app, one app file changed, rebuild + push to docker-registry on 127.0.0.1, median of $runs runs:"
printf "  distill build --push                %6.3f s\n" "$d"
printf "  distill build -o + skopeo copy      %6.3f s\n" "$s"
printf "  ratio                               %6.2f\n" "$(echo "$d/$s" | bc -l)"
echo "  registry received per distill run (blob uploads, manifest PUTs): $(sort -u "$work/counts" | paste -sd';')"
