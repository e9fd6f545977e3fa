#!/bin/sh
# Install what building and testing libattest needs on Debian 12 (bookworm).
# Run as root, or as a user with sudo.
set -eu
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends \
  build-essential g++ meson ninja-build pkg-config \
  libssl-dev libcjson-dev libcbor-dev check \
  python3 python3-jwcrypto valgrind clang libclang-rt-14-dev binutils groff-base >/dev/null
echo "libattest build dependencies installed"
