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
distill="$(realpath "${1:-build/release/src/distill}")"
runs="${2:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cache="$work/cache"
export SOURCE_DATE_EPOCH=0

mkdir -p "$work/spec/app"
cat >"$work/spec/distill.yaml" <<'YAML'
distro: debian12
archs: [amd64]
base: python3
files:
  - {src: app/, dst: /app}
entrypoint: [python3, /app/main.py]
YAML
for i in $(seq 20); do echo "print('module $i')" >"$work/spec/app/mod$i.py"; done
echo "print('hello')" >"$work/spec/app/main.py"

# Warm the package cache (network), and pin the package set for the peer.
"$distill" --cache-dir "$cache" -q build -f "$work/spec/distill.yaml" -o "$work/warm" >/dev/null
"$distill" --cache-dir "$cache" -q lock -f "$work/spec/distill.yaml" -o "$work/distill.lock"
mkdir -p "$work/repo"
"$distill" --cache-dir "$cache" -q fetch --lock "$work/distill.lock" -o "$work/repo"
(cd "$work/repo" && dpkg-scanpackages --multiversion . 2>/dev/null |
  grep -v -E '^(Pre-Depends|Depends|Recommends|Suggests|Breaks|Conflicts|Replaces):' >Packages)
packages=$(python3 -c '
import json, sys
arch = json.load(open(sys.argv[1]))["archs"]["amd64"]
print(",".join(sorted(p["name"] for p in arch["packages"] + arch.get("extract", []))))
' "$work/distill.lock")

measure() {  # appends "seconds max_rss_kib" for one run of "$@" to file $1
  local out="$1"; shift
  /usr/bin/time -f "%e %M" -o "$work/t" "$@" >/dev/null 2>"$work/err" || {
    cat "$work/err" >&2; exit 1; }
  cat "$work/t" >>"$out"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

peer() {
  rm -rf "$work/peer"
  mmdebstrap --quiet --variant=extract --mode=root --include="$packages" \
    bookworm "$work/peer" "deb [trusted=yes] copy://$work/repo ./"
  tar --sort=name --numeric-owner -C "$work/peer" -cf - . | gzip -6 -n >"$work/peer.tar.gz"
}
export -f peer
export work packages

: >"$work/a"; : >"$work/b"; : >"$work/p"
for i in $(seq "$runs"); do
  measure "$work/a" "$distill" --cache-dir "$cache" --offline -q build \
    -f "$work/spec/distill.yaml" -o "$work/out-a" --no-cache
  rm -rf "$work/out-a"
  echo "print('changed $i')" >"$work/spec/app/main.py"
  measure "$work/b" "$distill" --cache-dir "$cache" --offline -q build \
    -f "$work/spec/distill.yaml" -o "$work/out-b"
  rm -rf "$work/out-b"
  measure "$work/p" bash -c peer
done

col() { cut -d' ' -f"$2" "$work/$1" | median; }
mib() { echo "$1/1024" | bc -l; }
echo "python3 image, warm package cache, median of $runs runs:"
printf "  (a) distill, cold layer cache     %7.3f s  peak %6.1f MiB\n" "$(col a 1)" "$(mib "$(col a 2)")"
printf "  (b) distill, one app file changed %7.3f s  peak %6.1f MiB\n" "$(col b 1)" "$(mib "$(col b 2)")"
printf "  (p) mmdebstrap extract + tar+gzip %7.3f s  peak %6.1f MiB\n" "$(col p 1)" "$(mib "$(col p 2)")"
printf "  ratio a/p %5.2f\n" "$(echo "$(col a 1)/$(col p 1)" | bc -l)"
# The image itself: the OS layer alone is the python3 preset's weight.
"$distill" inspect "$work/warm" --json | python3 -c '
import json, sys
img = json.load(sys.stdin)["images"][0]
os_layer = img["layers"][0]
print("python3 preset image (OS layer): %.1f MB uncompressed (%d bytes), %.1f MB compressed, "
      "%d packages, %d files" % (os_layer["uncompressed_size"] / 1e6, os_layer["uncompressed_size"],
      os_layer["size"] / 1e6, img["package_count"], img["files"]))'
printf "peer: rootfs %s, layer %s\n" "$(du -sh "$work/peer" | cut -f1)" \
  "$(du -h "$work/peer.tar.gz" | cut -f1)"
