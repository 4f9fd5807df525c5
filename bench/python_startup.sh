#!/usr/bin/env bash
# Start-up of an import-heavy Python script (asyncio, email, http.client, json,
# decimal) in the python3 image with the .pyc distill compiles, in the same
# image built with `python_bytecode: false`, and on the host's Debian python,
# in one run. Each figure is the median wall time of N starts, measured by a
# driver inside the environment it measures (so `distill run`'s own unpacking
# is not counted); the image's root is read-only, as in production.
#   bench/python_startup.sh [path/to/distill] [starts]
set -euo pipefail
cd "$(dirname "$0")/.."
distill="$(realpath "${1:-build/release/src/distill}")"
starts="${2:-20}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cache="${DISTILL_BENCH_CACHE:-$work/cache}"
export SOURCE_DATE_EPOCH=0

mkdir -p "$work/spec"
cat >"$work/spec/imports.py" <<'PY'
import asyncio, email.parser, email.message, http.client, json, decimal
PY
cat >"$work/spec/driver.py" <<'PY'
import statistics, subprocess, sys, time
n, script = int(sys.argv[1]), sys.argv[2]
subprocess.run([sys.executable, script], check=True)  # one warm-up start
times = []
for _ in range(n):
    t = time.perf_counter()
    subprocess.run([sys.executable, script], check=True)
    times.append(time.perf_counter() - t)
print("%.4f" % statistics.median(times))
PY
spec() {  # $1: python_bytecode value
  cat <<YAML
distro: debian12
archs: [amd64]
base: python3
python_bytecode: $1
files:
  - {src: imports.py, dst: /app/imports.py}
  - {src: driver.py, dst: /app/driver.py}
entrypoint: [/usr/bin/python3]
YAML
}
spec true >"$work/spec/distill.yaml"
"$distill" --cache-dir "$cache" -q build -f "$work/spec/distill.yaml" -o "$work/with" >/dev/null
spec false >"$work/spec/distill.yaml"
"$distill" --cache-dir "$cache" -q build -f "$work/spec/distill.yaml" -o "$work/without" >/dev/null

inside() {
  "$distill" -q run "$work/$1" -- /app/driver.py "$starts" /app/imports.py
}
with_pyc="$(inside with)"
without_pyc="$(inside without)"
host="$(python3 "$work/spec/driver.py" "$starts" "$work/spec/imports.py")"
echo "python3 image (debian12 amd64), import-heavy script, median of $starts starts:"
printf "  (a) image with .pyc          %7.4f s\n" "$with_pyc"
printf "  (b) image without .pyc       %7.4f s\n" "$without_pyc"
printf "  (h) host Debian python3      %7.4f s\n" "$host"
printf "  a/h %.2f   b/h %.2f   b/a %.2f\n" "$(echo "$with_pyc/$host" | bc -l)" \
  "$(echo "$without_pyc/$host" | bc -l)" "$(echo "$without_pyc/$with_pyc" | bc -l)"
