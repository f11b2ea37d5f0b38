#!/usr/bin/env bash
# Copy the pinned front-end libraries from the npm registry into
# civicloop/static/vendor. Run after changing a version in package.json;
# the copies are committed, so neither `make demo` nor CI needs npm.
set -euo pipefail
cd "$(dirname "$0")"
npm install --no-audit --no-fund --silent
npm ci --no-audit --no-fund --silent
out=../civicloop/static/vendor
rm -rf "$out" && mkdir -p "$out/leaflet" "$out/leaflet.markercluster" "$out/echarts" "$out/htmx"
cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css \
  node_modules/leaflet/dist/images node_modules/leaflet/LICENSE "$out/leaflet/"
cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js \
  node_modules/leaflet.markercluster/dist/MarkerCluster.css \
  node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css \
  node_modules/leaflet.markercluster/MIT-LICENCE.txt "$out/leaflet.markercluster/"
cp node_modules/echarts/dist/echarts.min.js node_modules/echarts/LICENSE "$out/echarts/"
cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx.org/LICENSE "$out/htmx/"
node -e 'const p=require("./package.json");console.log(JSON.stringify(p.dependencies,null,2))' > "$out/VERSIONS.json"
echo "vendored into $out"
