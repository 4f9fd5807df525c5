#!/usr/bin/env bash
# Signing and verifying an image in a local docker-registry on 127.0.0.1:
# `distill sign` + `distill verify` against a floor peer doing the same
# work with openssl and curl in the same run. Debian 12's skopeo is built
# without sigstore (a Debian-local change), so it cannot be the peer.
# The peer: resolve the tag (GET manifest, sha256sum), write cosign's
# simple-signing payload, `openssl dgst -sha256 -sign` it, upload the payload
# and config blobs (POST + PUT each) and PUT the `.sig` manifest; verify:
# GET the manifest, the `.sig` manifest and the payload blob, then
# `openssl dgst -sha256 -verify` (jq picks the digest and signature out of
# the `.sig` manifest). No other checks: a floor.
# Prints median wall times and the ratios distill/peer.
#   bench/sign.sh [path/to/distill] [runs] [layout]
set -euo pipefail
cd "$(dirname "$0")/.."
distill="$(realpath "${1:-build/release/src/distill}")"
runs="${2:-7}"
layout="${3:-}"
. bench/lib.sh
bench_init
isolate_home

if [ -z "$layout" ]; then
  layout="$work/python-image"
  (cd examples/hello-python && "$distill" -q --cache-dir "$work/build-cache" build -o "$layout" -t python:bench >/dev/null)
fi

start_registry

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/key.pem" 2>/dev/null
openssl pkey -in "$work/key.pem" -pubout -out "$work/key.pub"


accept="application/vnd.oci.image.manifest.v1+json"
put_blob() {  # repo file -> digest; one POST and one PUT, as a monolithic upload
  local repo=$1 file=$2 digest loc
  digest="sha256:$(sha256sum "$file" | cut -d' ' -f1)"
  loc=$(curl -sf -X POST -D - -o /dev/null "http://$host/v2/$repo/blobs/uploads/" | tr -d '\r' | awk -F': ' 'tolower($1)=="location"{print $2}')
  case "$loc" in http*) ;; *) loc="http://$host$loc" ;; esac
  curl -sf -X PUT -H "Content-Type: application/octet-stream" --data-binary @"$file" "$loc&digest=$digest" -o /dev/null
  echo "$digest"
}
peer_sign() {  # repo tag
  local repo=$1 tag=$2 d sig payload config pd cd
  curl -sf -H "Accept: $accept" "http://$host/v2/$repo/manifests/$tag" -o "$work/m.json"
  d="sha256:$(sha256sum "$work/m.json" | cut -d' ' -f1)"
  payload="$work/payload.json"
  printf '{"critical":{"identity":{"docker-reference":"%s/%s"},"image":{"docker-manifest-digest":"%s"},"type":"cosign container image signature"},"optional":null}' "$host" "$repo" "$d" >"$payload"
  sig=$(openssl dgst -sha256 -sign "$work/key.pem" "$payload" | base64 -w0)
  printf '{"architecture":"","os":"","rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$(sha256sum "$payload" | cut -d' ' -f1)" >"$work/config.json"
  pd=$(put_blob "$repo" "$payload"); cd=$(put_blob "$repo" "$work/config.json")
  printf '{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[{"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","digest":"%s","size":%d,"annotations":{"dev.cosignproject.cosign/signature":"%s"}}]}' \
    "$accept" "$cd" "$(stat -c %s "$work/config.json")" "$pd" "$(stat -c %s "$payload")" "$sig" >"$work/sig.json"
  curl -sf -X PUT -H "Content-Type: $accept" --data-binary @"$work/sig.json" "http://$host/v2/$repo/manifests/${d/:/-}.sig" -o /dev/null
}
peer_verify() {  # repo tag
  local repo=$1 tag=$2 d pd
  curl -sf -H "Accept: $accept" "http://$host/v2/$repo/manifests/$tag" -o "$work/m.json"
  d="sha256:$(sha256sum "$work/m.json" | cut -d' ' -f1)"
  curl -sf -H "Accept: $accept" "http://$host/v2/$repo/manifests/${d/:/-}.sig" -o "$work/s.json"
  pd=$(jq -r '.layers[0].digest' "$work/s.json")
  jq -r '.layers[0].annotations["dev.cosignproject.cosign/signature"]' "$work/s.json" | base64 -d >"$work/sig.der"
  curl -sf "http://$host/v2/$repo/blobs/$pd" -o "$work/p.json"
  openssl dgst -sha256 -verify "$work/key.pub" -signature "$work/sig.der" "$work/p.json"
}

: >"$work/ds"; : >"$work/dv"; : >"$work/ps"; : >"$work/pv"
for i in $(seq "$runs"); do
  "$distill" -q push "$layout" "$host/distill/python:$i" >/dev/null
  "$distill" -q push "$layout" "$host/peer/python:$i" >/dev/null
  seconds "$distill" -q sign "$host/distill/python:$i" --key "$work/key.pem" >>"$work/ds"
  seconds "$distill" -q verify "$host/distill/python:$i" --key "$work/key.pub" >>"$work/dv"
  seconds peer_sign "peer/python" "$i" >>"$work/ps"
  seconds peer_verify "peer/python" "$i" >>"$work/pv"
done
# The peer's signature is one distill accepts: the floor did the same work.
"$distill" -q verify "$host/peer/python:1" --key "$work/key.pub" >/dev/null
ds=$(median <"$work/ds"); dv=$(median <"$work/dv"); ps=$(median <"$work/ps"); pv=$(median <"$work/pv")
echo "sign and verify the python3 image in docker-registry on 127.0.0.1, median of $runs runs:"
printf "  distill sign             %6.3f s\n" "$ds"
printf "  openssl + curl sign      %6.3f s\n" "$ps"
printf "  ratio sign               %6.2f\n" "$(echo "$ds/$ps" | bc -l)"
printf "  distill verify           %6.3f s\n" "$dv"
printf "  openssl + curl verify    %6.3f s\n" "$pv"
printf "  ratio verify             %6.2f\n" "$(echo "$dv/$pv" | bc -l)"
