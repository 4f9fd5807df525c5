#!/usr/bin/env bash
# Building the python3 image with a warm package cache, side by side with the
# closest daemonless peer: `mmdebstrap --variant=extract` of the same package
# set followed by tar and gzip. Prints median wall time and peak RSS of
#   (a) distill build with a cold layer cache (--no-cache),
#   (b) distill build after changing one application file,
#   (p) the peer,
# and the ratio a/p. The peer reads the same .deb files from a local flat
# repository (apt's copy:// method) whose index lists them without their dependency fields,
# so apt downloads nothing and extracts exactly distill's package set.
#   bench/build.sh [path/to/distill] [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
distill="$(realpath "${1:-build/release/src/distill}")"
runs="${2:-5}"
bench_init
cache="$work/cache"
export SOURCE_DATE_EPOCH=0

python_app_spec "$work/spec"

# Warm the package cache (network), and pin the package set for the peer.
"$distill" --cache-dir "$cache" -q build -f "$work/spec/distill.yaml" -o "$work/warm" >/dev/null
"$distill" --cache-dir "$cache" -q lock -f "$work/spec/distill.yaml" -o "$work/distill.lock"
mkdir -p "$work/repo"
peer_repo "$distill" "$cache" "$work/distill.lock" "$work/repo"

: >"$work/a"; : >"$work/b"; : >"$work/p"
for i in $(seq "$runs"); do
  measure "$work/a" "$distill" --cache-dir "$cache" --offline -q build \
    -f "$work/spec/distill.yaml" -o "$work/out-a" --no-cache
  rm -rf "$work/out-a"
  echo "print('changed $i')" >"$work/spec/app/main.py"
  measure "$work/b" "$distill" --cache-dir "$cache" --offline -q build \
    -f "$work/spec/distill.yaml" -o "$work/out-b"
  rm -rf "$work/out-b"
  measure "$work/p" bash bench/lib.sh peer "deb [trusted=yes] copy://$work/repo ./" "$packages" \
    "$work/peer" "$work/peer.tar.gz"
done

col() { cut -d' ' -f"$2" "$work/$1" | median; }
mib() { echo "$1/1024" | bc -l; }
echo "python3 image, warm package cache, median of $runs runs:"
printf "  (a) distill, cold layer cache     %7.3f s  peak %6.1f MiB\n" "$(col a 1)" "$(mib "$(col a 2)")"
printf "  (b) distill, one app file changed %7.3f s  peak %6.1f MiB\n" "$(col b 1)" "$(mib "$(col b 2)")"
printf "  (p) mmdebstrap extract + tar+gzip %7.3f s  peak %6.1f MiB\n" "$(col p 1)" "$(mib "$(col p 2)")"
printf "  ratio a/p %5.2f\n" "$(echo "$(col a 1)/$(col p 1)" | bc -l)"
# The image itself: every layer but the app's is the python3 preset's weight.
"$distill" inspect "$work/warm" --json | python3 -c '
import json, sys
img = json.load(sys.stdin)["images"][0]
os_layers = img["layers"][:-1]
raw = sum(l["uncompressed_size"] for l in os_layers)
print("python3 preset image (%d OS layers): %.1f MB uncompressed (%d bytes), %.1f MB compressed, "
      "%d packages, %d files" % (len(os_layers), raw / 1e6, raw,
      sum(l["size"] for l in os_layers) / 1e6, img["package_count"], img["files"]))'
printf "peer: rootfs %s, layer %s\n" "$(du -sh "$work/peer" | cut -f1)" \
  "$(du -h "$work/peer.tar.gz" | cut -f1)"
