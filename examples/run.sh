#!/usr/bin/env bash
# Builds an example image with distill, unpacks it with umoci and runs it
# under runc; prints the application's output and the image's size.
#
#   examples/run.sh examples/hello-python
#
# Environment:
#   DISTILL        the distill binary (default: build/release/src/distill)
#   DISTILL_FLAGS  extra global options for distill, e.g. "--cache-dir /tmp/c"
# Needs umoci and runc; runs rootless when not started as root.
set -euo pipefail

die() { echo "run.sh: $*" >&2; exit 1; }

[[ $# -eq 1 ]] || die "usage: examples/run.sh EXAMPLE_DIR"
example=$(cd "$1" && pwd) || die "no such folder: $1"
[[ -f "$example/distill.yaml" ]] || die "$example has no distill.yaml"
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
distill=${DISTILL:-$repo_root/build/release/src/distill}
[[ -x "$distill" ]] || die "distill binary not found: $distill (build it or set DISTILL)"
for tool in umoci runc python3; do
  command -v "$tool" >/dev/null || die "$tool is needed"
done

name=$(basename "$example")
work=$(mktemp -d "${TMPDIR:-/tmp}/distill-example.XXXXXX")
container="distill-example-$name-$$"
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  runc --root "$work/runc" delete --force "$container" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# shellcheck disable=SC2086  # DISTILL_FLAGS is a list of options
digest=$("$distill" ${DISTILL_FLAGS:-} build -f "$example/distill.yaml" -o "$work/image" \
  -t "$name:latest")
echo "built $name: $digest" >&2

unpack_flags=()
[[ $(id -u) -eq 0 ]] || unpack_flags=(--rootless)
umoci unpack "${unpack_flags[@]}" --image "$work/image:latest" "$work/bundle" >/dev/null

# umoci's config.json asks for a terminal; we capture plain output instead.
python3 - "$work/bundle/config.json" <<'EOF'
import json, sys
path = sys.argv[1]
with open(path) as f:
    cfg = json.load(f)
cfg["process"]["terminal"] = False
cfg["root"]["readonly"] = True
with open(path, "w") as f:
    json.dump(cfg, f, indent=2)
EOF

echo "--- $name output ---" >&2
status=0
runc --root "$work/runc" run --bundle "$work/bundle" "$container" </dev/null || status=$?
echo "--- exit code $status ---" >&2

python3 - "$work/image" "$work/bundle/rootfs" <<'EOF'
import json, os, stat, sys
layout, rootfs = sys.argv[1], sys.argv[2]
def blob(digest):
    with open(os.path.join(layout, "blobs", *digest.split(":", 1)), "rb") as f:
        return json.load(f)
with open(os.path.join(layout, "index.json")) as f:
    manifest = blob(json.load(f)["manifests"][0]["digest"])
compressed = sum(l["size"] for l in manifest["layers"])
files = 0
for dirpath, dirs, names in os.walk(rootfs):
    for n in dirs + names:
        st = os.lstat(os.path.join(dirpath, n))
        if not stat.S_ISDIR(st.st_mode):
            files += st.st_size
print("image size: %.1f MB uncompressed (files), %.1f MB compressed (%d layers)" %
      (files / 1e6, compressed / 1e6, len(manifest["layers"])), file=sys.stderr)
EOF
exit "$status"
