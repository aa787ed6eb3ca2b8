#!/usr/bin/env bash
# Set up (installing what is missing), build, and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh build
cd build
ctest --output-on-failure -j"$(nproc)"
