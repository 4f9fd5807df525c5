#!/usr/bin/env bash
# Installs everything distill needs to build and test, from Debian's archive.
# Run as root, or as a user with sudo.
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

packages=(
  # build
  build-essential cmake ninja-build pkg-config git
  libcurl4-openssl-dev libarchive-dev libssl-dev zlib1g-dev libzstd-dev libdeflate-dev
  nlohmann-json3-dev libyaml-cpp-dev libcli11-dev libfmt-dev
  libgtest-dev libgmock-dev libsqlite3-dev
  # scrypt and secretbox of cosign's encrypted signing keys
  libsodium-dev
  # fuzzing and sanitizers
  clang libclang-rt-14-dev
  # runtime helpers: signature checks and archive keys
  gpgv gpg debian-archive-keyring ca-certificates
  # running images (passt: pasta, the network of `distill run -p`), and the external judges
  # of our formats (keytool: the Java truststore; go: the Go binaries of the language-package
  # tests; podman: the healthcheck test reads docker's Healthcheck back from a docker-archive)
  runc passt umoci skopeo openjdk-17-jdk-headless golang-go podman
  # tests: fixture packages, servers
  python3 dpkg-dev xz-utils zstd openssl python3-jsonschema
  # effects tests: a C program linked with -lblas -llapack (the BLAS alternative)
  libblas-dev liblapack-dev
  # Python extension check and recipe tests: a C extension module built against the host's
  # python3; pip and venv as the docs' recipes use them
  python3-dev python3-pip python3-venv
  # peak memory of a command (/usr/bin/time -f %M)
  time
  # online tests: a regular Debian root filesystem to compare with
  mmdebstrap
  # bench/gzip.sh: the parallel gzip peer; bench/connections.sh counts connections with strace
  pigz strace
  # signing tests: an independent reader/writer of cosign key files (tests/integration/judges)
  golang-go golang-golang-x-crypto-dev
  # registry tests: a real registry, bcrypt htpasswd files; bench/sign.sh's peer reads JSON with jq
  docker-registry apache2-utils jq
  # the compare report is checked in a headless browser
  chromium
)
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
echo "install-deps: ok"
