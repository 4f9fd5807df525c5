# Sourced by bench/*.sh, which need the same few pieces: a work folder that
# goes away on exit (with the registry a bench started), a $HOME of its own
# so that no credential, mount hint or blob-info cache of the user's changes
# a result, timing and medians, and a fresh docker-registry on 127.0.0.1.
#   . "$(dirname "$0")/lib.sh"; bench_init

bench_init() {  # sets $work; removes it (and stops the registry) on exit
  work="$(mktemp -d)"
  reg_pid=""
  trap bench_cleanup EXIT
}

bench_cleanup() {
  stop_registry
  rm -rf "$work"
}

isolate_home() {  # every tool's home, cache and config folders inside $work
  export HOME="$work/home" XDG_CACHE_HOME="$work/xdg-cache" XDG_CONFIG_HOME="$work/xdg-config"
  export XDG_RUNTIME_DIR="$work/xdg-run" XDG_DATA_HOME="$work/xdg-data" DOCKER_CONFIG="$work/docker"
  mkdir -p "$HOME" "$XDG_CACHE_HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
  chmod 700 "$XDG_RUNTIME_DIR"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

seconds() {  # prints the wall seconds of "$@"; its stdout goes to $work/stdout
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >"$work/stdout" 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}

# (Re)starts docker-registry on 127.0.0.1 with empty storage ($work/storage),
# so that every first push really uploads; sets $host (the same port across
# restarts). With BENCH_ACCESS_LOG=1 the registry logs each request to
# $work/registry.log.
start_registry() {
  stop_registry
  rm -rf "$work/storage"
  if [ -z "${host:-}" ]; then
    host="127.0.0.1:$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  fi
  local access=true
  [ "${BENCH_ACCESS_LOG:-0}" = 1 ] && access=false
  cat >"$work/registry.yml" <<YML
version: 0.1
log: {level: error, accesslog: {disabled: $access}}
storage: {filesystem: {rootdirectory: $work/storage}}
http: {addr: "$host", secret: bench}
YML
  docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
  reg_pid=$!
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://$host/v2/" && return 0
    sleep 0.05
  done
  echo "registry did not start" >&2
  cat "$work/registry.log" >&2
  exit 1
}

stop_registry() {
  if [ -n "${reg_pid:-}" ]; then
    kill "$reg_pid" 2>/dev/null || true
    wait "$reg_pid" 2>/dev/null || true
    reg_pid=""
  fi
}

# The python3 app the build benches change: 21 small files under /app, the
# spec at DIR/distill.yaml; DIR/app/main.py is the file a bench changes.
python_app_spec() {
  mkdir -p "$1/app"
  cat >"$1/distill.yaml" <<'YAML'
distro: debian12
archs: [amd64]
base: python3
files:
  - {src: app/, dst: /app}
entrypoint: [python3, /app/main.py]
YAML
  for i in $(seq 20); do echo "print('module $i')" >"$1/app/mod$i.py"; done
  echo "print('hello')" >"$1/app/main.py"
}

measure() {  # appends "seconds peak_rss_kib" of one run of "$@" to file $1
  local out="$1"
  shift
  /usr/bin/time -f "%e %M" -o "$work/t" "$@" >/dev/null 2>"$work/err" || {
    cat "$work/err" >&2
    exit 1
  }
  cat "$work/t" >>"$out"
}

# The build benches' peer reads the same .debs as distill: peer_repo puts the
# packages of a distill lock in a flat repository whose index leaves out the
# dependency fields, so that mmdebstrap downloads nothing and extracts
# exactly distill's package set; it sets $packages (comma-separated).
#   peer_repo DISTILL CACHE LOCK REPO
peer_repo() {
  "$1" --cache-dir "$2" -q fetch --lock "$3" -o "$4"
  flat_index "$4"
  packages=$(lock_packages "$3" name)
}

flat_index() {  # DIR: a Packages index of the .debs in DIR, without dependency fields
  (cd "$1" && dpkg-scanpackages --multiversion . 2>/dev/null |
    grep -v -E '^(Pre-Depends|Depends|Recommends|Suggests|Breaks|Conflicts|Replaces):' >Packages)
}

lock_packages() {  # LOCK name|pin: the amd64 packages of a distill lock, "a,b" or "a=1 b=2"
  python3 -c '
import json, sys
arch = json.load(open(sys.argv[1]))["archs"]["amd64"]
pkgs = sorted(arch["packages"] + arch.get("extract", []), key=lambda p: p["name"])
if sys.argv[2] == "name":
    print(",".join(p["name"] for p in pkgs))
else:
    print(" ".join(p["name"] + "=" + p["version"] for p in pkgs))
' "$1" "$2"
}

# The peer itself, timed as one command by `measure`: mmdebstrap extract of
# PACKAGES from SOURCE (an apt source line) into ROOT, then tar and gzip -6.
#   bash bench/lib.sh peer SOURCE PACKAGES ROOT OUT.tar.gz
peer() {
  rm -rf "$3"
  mmdebstrap --quiet --variant=extract --mode=root --include="$2" bookworm "$3" "$1"
  tar --sort=name --numeric-owner -C "$3" -cf - . | gzip -6 -n >"$4"
}

# The peer's cold path, timed as one command: apt-get download of PINS (apt's
# indices are already on the host) into REPO, its flat index, then `peer`.
#   bash bench/lib.sh cold_peer REPO PINS PACKAGES ROOT OUT.tar.gz
cold_peer() {
  mkdir -p "$1"
  # shellcheck disable=SC2086 # one word per package
  (cd "$1" && apt-get -q=2 -o APT::Sandbox::User=root -o Dir::Cache::archives="$1" download $2 >/dev/null)
  flat_index "$1"
  peer "deb [trusted=yes] copy://$1 ./" "$3" "$4" "$5"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case "${1:-}" in
    peer) shift; peer "$@" ;;
    cold_peer) shift; cold_peer "$@" ;;
  esac
fi
