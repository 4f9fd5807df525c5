#!/usr/bin/env bash
# `distill build --cache-repo`: the python3 image (debian12, amd64) built
# twice against a docker-registry on 127.0.0.1, in one run:
#   (c) a cold build: no layer or resolution records (an empty cache folder,
#       or a copy of $DISTILL_BENCH_CACHE's package blobs without its
#       records), which builds every layer and stores it in the cache repo;
#   (r) a build on a new, empty cache folder with the same --cache-repo,
#       which takes the resolution and the layer from the cache repo.
# Prints both wall times, the ratio r/c (target <= 0.3), whether the digests
# match and how many .debs (r) downloaded (target 0). The InRelease files are
# fetched from the host's mirror by both.
#   bench/cache_repo.sh [path/to/distill]
set -euo pipefail
cd "$(dirname "$0")/.."
distill="$(realpath "${1:-build/release/src/distill}")"
. bench/lib.sh
bench_init
export SOURCE_DATE_EPOCH=0
start_registry
repo="$host/bench/cache"

mkdir -p "$work/spec"
cat >"$work/spec/distill.yaml" <<'YAML'
distro: debian12
archs: [amd64]
base: python3
YAML

mkdir -p "$work/cold"
if [ -n "${DISTILL_BENCH_CACHE:-}" ]; then
  # The package blobs only: no layer or resolution record.
  cp -a "$DISTILL_BENCH_CACHE/blobs" "$work/cold/"
fi

c=$(seconds "$distill" --cache-dir "$work/cold" build -f "$work/spec/distill.yaml" \
  -o "$work/out-c" --cache-repo "$repo")
digest_c=$(head -1 "$work/stdout")
r=$(seconds "$distill" --cache-dir "$work/empty" build -f "$work/spec/distill.yaml" \
  -o "$work/out-r" --cache-repo "$repo" --report "$work/report-r.json")
digest_r=$(head -1 "$work/stdout")
grep '^distill: cache repo' "$work/err" || true

# .debs (r) downloaded: blobs of its cache that are packages of the lock.
"$distill" --cache-dir "$work/cold" -q lock -f "$work/spec/distill.yaml" -o "$work/distill.lock"
debs=$(python3 - "$work/distill.lock" "$work/empty" <<'PY'
import json, os, sys
arch = json.load(open(sys.argv[1]))["archs"]["amd64"]
shas = {p["sha256"] for p in arch["packages"] + arch.get("extract", [])}
folder = os.path.join(sys.argv[2], "blobs", "sha256")
print(sum(1 for n in os.listdir(folder) if n in shas) if os.path.isdir(folder) else 0)
PY
)

echo "python3 image, debian12 amd64, --cache-repo on a docker-registry at 127.0.0.1:"
printf "  (c) cold build, stores in the cache repo     %7.3f s\n" "$c"
printf "  (r) empty cache folder, warm cache repo      %7.3f s\n" "$r"
printf "  r/c %.3f (target <= 0.3); same digest: %s; .debs downloaded by (r): %s\n" \
  "$(echo "$r / $c" | bc -l)" "$([ "$digest_c" = "$digest_r" ] && echo yes || echo "NO")" "$debs"
