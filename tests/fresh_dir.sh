#!/usr/bin/env bash
# Run a test in an emptied working directory, so files left by an earlier
# run can neither make it pass nor make it fail.
# Usage: fresh_dir.sh DIR COMMAND [ARGS...]
set -eu
dir=$1; shift
rm -rf -- "$dir"
mkdir -p -- "$dir"
cd -- "$dir"
exec "$@"
