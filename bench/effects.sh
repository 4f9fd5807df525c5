#!/usr/bin/env bash
# The build-time cost of the effects engine (docs/effects.md): the python3 and
# java images built with a cold layer cache (--no-cache, packages cached) by
# this distill and by a distill from before the engine (a build of commit
# 7aa98e9 or any earlier one), in one run, median of N each, and the ratio.
# The layer cache is cold; the .pyc come from the cache's bytecode record
# after the first build (docs/cache.md), as on any rebuild that leaves Python
# alone. Also shown: the same build with `python_bytecode: false`, and a
# build from a cache holding only blobs (every record gone: the InReleases
# are fetched again and the standard library is compiled in the sandbox).
#   bench/effects.sh path/to/distill path/to/distill-before-effects [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
new="$(realpath "$1")"
old="$(realpath "$2")"
runs="${3:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cache="$work/cache"
export SOURCE_DATE_EPOCH=0

write_spec() {  # $1: base, $2: extra lines
  mkdir -p "$work/spec"
  printf 'distro: debian12\narchs: [amd64]\nbase: %s\n%s\n' "$1" "$2" >"$work/spec/distill.yaml"
}
# The older distill knows no java preset and no python3-distutils in python3:
# both binaries get the same package set, named in full.
PY_EXTRA="packages: [python3-distutils]"
JAVA_EXTRA="packages: [openjdk-17-jre-headless, default-jre-headless]
exclude: [libcups2, libasound2, libpcsclite1, libnss3, ca-certificates-java]"
measure() {  # $1: binary; prints the median wall time of $runs cold-layer builds
  local bin="$1" t=()
  "$bin" --cache-dir "$cache" -q build -f "$work/spec/distill.yaml" -o "$work/out" >/dev/null
  for _ in $(seq "$runs"); do
    rm -rf "$work/out"
    /usr/bin/time -f "%e" -o "$work/t" "$bin" --cache-dir "$cache" --offline -q build \
      -f "$work/spec/distill.yaml" -o "$work/out" --no-cache >/dev/null
    cat "$work/t"
  done | median
}
row() {  # $1: label, $2: base, $3: extra spec line
  write_spec "$2" "$3"
  local a b
  a="$(measure "$new")"
  b="$(measure "$old")"
  printf "  %-28s %7.3f s  %7.3f s  %5.2f\n" "$1" "$a" "$b" "$(echo "$a/$b" | bc -l)"
}
first_compile() {  # a cache holding the blobs only: no layer, resolution or bytecode record
  local t=()
  for _ in $(seq "$runs"); do
    rm -rf "$work/fresh" "$work/out"
    mkdir -p "$work/fresh" && cp -al "$cache/blobs" "$work/fresh/"
    /usr/bin/time -f "%e" -o "$work/t" "$new" --cache-dir "$work/fresh" -q build \
      -f "$work/spec/distill.yaml" -o "$work/out" >/dev/null
    cat "$work/t"
  done | median
}
echo "cold-layer builds (packages cached), median of $runs: with effects, before, ratio"
row "python3" python3 "$PY_EXTRA"
write_spec python3 "$PY_EXTRA
python_bytecode: false"
a="$(measure "$new")"
printf "  %-28s %7.3f s\n" "python3, python_bytecode off" "$a"
row "java (cc + the java preset's set)" cc "$JAVA_EXTRA"
write_spec python3 "$PY_EXTRA"
a="$(first_compile)"
printf "  %-28s %7.3f s  (InReleases fetched again; resolution and .pyc made anew)\n" \
  "python3, empty records" "$a"
