#!/usr/bin/env bash
# docs/register-map.md must be exactly what regmap_gen makes from
# regmap/langevin_device.json, so the documentation cannot drift from the
# map the header, the RTL and the firmware are generated from.
set -eu
committed=$LV_SOURCE_DIR/docs/register-map.md
generated=$LV_GEN_DIR/register-map.md
# Regenerate here too, so the test also holds if the build tree is stale.
"$LV_REGMAP_GEN" "$LV_SOURCE_DIR/regmap/langevin_device.json" \
  --source-name regmap/langevin_device.json --markdown fresh.md
cmp -s fresh.md "$generated" || {
  echo "FAIL: $generated is stale (rebuild)"; exit 1; }
if ! cmp -s fresh.md "$committed"; then
  echo "FAIL: docs/register-map.md differs from the map generated from regmap/langevin_device.json."
  echo "      Edit the JSON, not the Markdown; then rebuild and run the 'regmap_docs' target"
  echo "      (cmake --build <build> --target regmap_docs) to refresh the committed copy."
  diff -u "$committed" fresh.md | head -40 || true
  exit 1
fi
echo "docs/register-map.md is up to date"
