#!/usr/bin/env bash
# The "regular" ping-app image: a Debian 12 minbase root filesystem made by
# mmdebstrap with python3, python3-flask and iputils-ping, the app in /app and
# a nonroot user (uid 65532, as in the distroless image), as a tar.
#
#   examples/ping-app/regular/build.sh OUT.tar
#
# The mirror is $MIRROR, else the first Debian URI of the host's apt sources.
# Then: distill import OUT.tar -o IMAGE --config-from DISTROLESS_IMAGE
set -euo pipefail

die() { echo "build.sh: $*" >&2; exit 1; }
[[ $# -eq 1 ]] || die "usage: build.sh OUT.tar"
command -v mmdebstrap >/dev/null || die "mmdebstrap is needed"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

mirror=${MIRROR:-}
if [[ -z "$mirror" ]]; then
  mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
           awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}')
fi
if [[ -z "$mirror" ]]; then
  mirror=$(awk '$1 == "deb" && $0 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
fi
[[ -n "$mirror" ]] || die "no Debian mirror found; set MIRROR"

mmdebstrap --variant=minbase --include=python3,python3-flask,iputils-ping \
  --customize-hook='mkdir -p "$1/app"' \
  --customize-hook="copy-in $here/../app/app.py /app" \
  --customize-hook='chroot "$1" useradd --uid 65532 --user-group --no-create-home nonroot' \
  bookworm "$1" "$mirror" >&2
