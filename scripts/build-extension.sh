#!/usr/bin/env bash
# Builds the browser extension's zip files from the one source tree in extension/:
#   target/extension/golinks-chrome.zip   Chrome and Edge (as the source is)
#   target/extension/golinks-firefox.zip  Firefox: the manifest patched by the few lines of
#                                         python below (a gecko id; background.scripts, since
#                                         Firefox MV3 has no service_worker)
# and the unpacked trees next to them (chrome/, firefox/) for "Load unpacked" and the tests.
# No bundler: the files are copied as they are.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/extension
rm -rf "$out"
mkdir -p "$out"
cp -r extension "$out/chrome"
cp -r extension "$out/firefox"
python3 - "$out/firefox/manifest.json" <<'PY'
import json, sys
path = sys.argv[1]
with open(path) as f:
    manifest = json.load(f)
worker = manifest["background"].pop("service_worker")
manifest["background"]["scripts"] = [worker]
manifest.pop("minimum_chrome_version", None)
manifest["browser_specific_settings"] = {
    "gecko": {"id": "golinks@golinks.dev", "strict_min_version": "128.0"}
}
with open(path, "w") as f:
    json.dump(manifest, f, indent=2)
    f.write("\n")
PY
for browser in chrome firefox; do
  (cd "$out/$browser" && zip -q -r -X "../golinks-$browser.zip" .)
done
echo "built $out/golinks-chrome.zip and $out/golinks-firefox.zip"
