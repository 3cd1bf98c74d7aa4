#!/usr/bin/env bash
# Installs what ecglab needs on Debian 12 with Node 20 (run as root): Debian's libtorch, OpenBLAS, Gloo
# headers and Chromium, the npm packages, the native addon and the service's web page bundle.
# Safe to run again; it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# libgloo-dev: the Gloo headers that libtorch's c10d headers include (the addon's distributed module);
# python3-torch: the live PyTorch peer of the engine's distributed interop test (and the fixture scripts).
# chromium: the browser of the service's page test (driven by playwright-core; nothing downloads a browser).
apt_packages=(libtorch-dev libopenblas0-openmp libgloo-dev python3-torch chromium)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]} with apt-get"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

echo "setup: npm packages"
npm ci --no-audit --no-fund --loglevel=error
if [[ -d packages/engine/native ]]; then
  echo "setup: building the native addon"
  npm run build:native --silent
fi
echo "setup: bundling the service's web page"
npm run build:page --silent -w @ecglab/service
