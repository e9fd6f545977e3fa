#!/bin/sh
# Install what building and testing libattest needs on Debian 12 (bookworm).
# Run as root, or as a user with sudo. Also fetches the `jose` npm package used by the
# interop tests into .deps/npm (git-ignored).
set -eu
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
src=$(cd "$(dirname "$0")/.." && pwd)
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends \
  build-essential g++ meson ninja-build pkg-config \
  libssl-dev libcjson-dev libcbor-dev check libmicrohttpd-dev libcurl4-openssl-dev \
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc \
  python3-grpcio python3-grpc-tools \
  curl openssl python3 python3-jwcrypto valgrind clang libclang-rt-14-dev binutils groff-base \
  ca-certificates >/dev/null
# Node.js for the jose interop tests: keep one that is there (e.g. NodeSource's, which
# bundles npm and conflicts with Debian's npm package), else Debian's.
if ! command -v npm >/dev/null 2>&1; then
  $sudo apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
mkdir -p "$src/.deps/npm"
(cd "$src/.deps/npm" && npm install --silent --no-audit --no-fund --prefix . jose@5.10.0 >/dev/null)
echo "libattest build dependencies installed"
