#!/usr/bin/env bash
# Installs what ecglab needs on Debian 12 with Node 20 (run as root): Debian's libtorch and OpenBLAS,
# Debian's Chromium (the service's browser test drives it through playwright-core; nothing downloads a
# browser), the npm packages, the native addon and the service's web page bundle. Safe to run again; it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(libtorch-dev libopenblas0-openmp chromium)
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
