#!/usr/bin/env bash
# Connections and name lookups of a cold build, beside apt: `distill build` of
# the python3 image (debian12 amd64) with an empty cache, so every index and
# .deb comes from the host's mirrors, traced with `strace -f -e connect`;
# then `apt-get download` of the same packages (apt's indices are already on
# the host, so it fetches the .debs only) traced the same way. Counts TCP
# connections per address and port, and DNS queries (connects to port 53).
#   bench/connections.sh [path/to/distill]
# Needs network access to the mirrors in /etc/apt/sources*, strace and apt.
set -euo pipefail
cd "$(dirname "$0")/.."
distill="$(realpath "${1:-build/release/src/distill}")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=0
cat >"$work/distill.yaml" <<'YAML'
distro: debian12
archs: [amd64]
base: python3
entrypoint: [python3]
YAML

count() {  # $1: strace output; prints "connections lookups per-host"
  python3 - "$1" <<'PY'
import collections, re, sys
tcp = collections.Counter()
dns = 0
for line in open(sys.argv[1]):
    m = re.search(r'connect\(\d+, \{sa_family=AF_INET6?, sin6?_port=htons\((\d+)\),.*?'
                  r'(?:inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)")', line)
    if not m:
        continue
    port, addr = m.group(1), m.group(2) or m.group(3)
    if port == "53":
        dns += 1
    else:
        tcp[f"{addr}:{port}"] += 1
print(sum(tcp.values()), dns, " ".join(f"{k}={v}" for k, v in sorted(tcp.items())))
PY
}

start=$(date +%s%N)
strace -f -qq -e trace=connect -o "$work/distill.trace" \
  "$distill" --cache-dir "$work/cache" -q build -f "$work/distill.yaml" -o "$work/out" >/dev/null
d_ms=$((($(date +%s%N) - start) / 1000000))
"$distill" --cache-dir "$work/cache" -q --offline lock -f "$work/distill.yaml" -o "$work/distill.lock"
pins=$(python3 -c '
import json, sys
arch = json.load(open(sys.argv[1]))["archs"]["amd64"]
print(" ".join(sorted(p["name"] + "=" + p["version"] for p in arch["packages"] + arch.get("extract", []))))
' "$work/distill.lock")
mkdir "$work/apt"
start=$(date +%s%N)
# shellcheck disable=SC2086 # one word per package
(cd "$work/apt" && strace -f -qq -e trace=connect -o "$work/apt.trace" \
  apt-get -q=2 -o APT::Sandbox::User=root -o Dir::Cache::archives="$work/apt" download $pins >/dev/null)
a_ms=$((($(date +%s%N) - start) / 1000000))
read -r dc dd dh <<<"$(count "$work/distill.trace")"
read -r ac ad ah <<<"$(count "$work/apt.trace")"
echo "cold python3 build from the mirror, traced (strace -f: times are slowed):"
printf "  %-38s %5s %5s %8s  %s\n" "" conns dns time "connections per address"
printf "  %-38s %5d %5d %6.1f s  %s\n" "distill build (indices + $(wc -w <<<"$pins") .debs)" \
  "$dc" "$dd" "$(echo "$d_ms/1000" | bc -l)" "$dh"
printf "  %-38s %5d %5d %6.1f s  %s\n" "apt-get download (the same .debs)" \
  "$ac" "$ad" "$(echo "$a_ms/1000" | bc -l)" "$ah"
