#!/usr/bin/env bash
# The java image's size beside Google's java17 package set, from the same
# Debian packages, measured the same way: what the unpacked filesystem holds
# (regular file sizes plus symlink target lengths, `du -sb --apparent-size`).
#   (d) the java preset's package layer, as `distill build` writes it;
#   (g) Google's java17 (debian12) set, the cc base's packages plus its java
#       packages and openjdk-17-jre-headless, each .deb extracted whole by
#       dpkg-deb (Google installs packages without their Depends, keeps what
#       they ship, and runs no maintainer script).
#   bench/java_size.sh [path/to/distill]
set -euo pipefail
cd "$(dirname "$0")/.."
distill="$(realpath "${1:-build/release/src/distill}")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cache="${DISTILL_BENCH_CACHE:-$work/cache}"
export SOURCE_DATE_EPOCH=0

mkdir -p "$work/spec"
printf 'distro: debian12\narchs: [amd64]\nbase: java\n' >"$work/spec/distill.yaml"
"$distill" --cache-dir "$cache" -q build -f "$work/spec/distill.yaml" -o "$work/image" \
  -t java:latest >/dev/null
umoci unpack --rootless --image "$work/image:latest" "$work/bundle" >/dev/null
ours=$(du -sb --apparent-size "$work/bundle/rootfs" | cut -f1)

google=(base-files netbase tzdata media-types ca-certificates libc6 libssl3 libgcc-s1 libgomp1
        libstdc++6 gcc-12-base zlib1g libjpeg62-turbo libpng16-16 liblcms2-2 libfreetype6
        fonts-dejavu-core fontconfig-config libexpat1 libfontconfig1 libuuid1 libbrotli1
        libcrypt1 libglib2.0-0 libgraphite2-3 libharfbuzz0b libpcre2-8-0 libbz2-1.0
        openjdk-17-jre-headless)
mkdir -p "$work/debs" "$work/g"
(cd "$work/debs" && apt-get download "${google[@]}" >/dev/null 2>&1)
for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$work/g"; done
theirs=$(du -sb --apparent-size "$work/g" | cut -f1)
echo "java images, debian12 amd64, unpacked bytes (du --apparent-size):"
printf "  (d) distill java preset           %12d  (%.1f MB)\n" "$ours" "$(echo "$ours/1000000" | bc -l)"
printf "  (g) Google's java17 package set   %12d  (%.1f MB)\n" "$theirs" "$(echo "$theirs/1000000" | bc -l)"
printf "  d/g %.2f\n" "$(echo "$ours/$theirs" | bc -l)"
