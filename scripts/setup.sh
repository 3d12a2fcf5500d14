#!/usr/bin/env bash
# Installs the Debian 12 packages ceiling builds with, and only those that are missing, then the
# web app's npm packages (web/node_modules, pinned by web/package-lock.json) when absent.
# Idempotent: on a machine that has everything it prints nothing and changes nothing.
# nodejs/npm build the web app (esbuild) and run its tests; chromium is the browser the tests
# drive (Playwright never downloads one). A machine without node still builds and serves the API.
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config
  libtomlplusplus-dev nlohmann-json3-dev libcli11-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcpp-httplib-dev libgoogle-perftools-dev
  nodejs npm chromium
  # The Python module (python/) and its tests: pybind11, pandas, matplotlib, pytest, the notebook
  # runner and an offline pip install into a virtual environment.
  python3-dev pybind11-dev python3-pybind11 python3-numpy python3-pandas python3-matplotlib
  python3-pytest jupyter-nbconvert python3-ipykernel python3-venv python3-setuptools python3-wheel
)
# `scripts/setup.sh fuzz` (make asan, make fuzz): clang 14 and its sanitizer and libFuzzer runtimes.
if [ "${1:-}" = "fuzz" ]; then
  packages+=(clang-14 libclang-rt-14-dev)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
install_web() {
  # A node that is already installed (e.g. a newer one) is kept; npm ci only when node_modules is
  # missing or older than the lockfile.
  command -v npm >/dev/null || return 0
  local web
  web="$(cd "$(dirname "$0")/.." && pwd)/web"
  if [ ! -d "$web/node_modules" ] || [ "$web/package-lock.json" -nt "$web/node_modules" ]; then
    echo "setup: npm ci in web/" >&2
    (cd "$web" && npm ci --no-audit --no-fund --loglevel=error >&2) && touch "$web/node_modules"
  fi
}

if [ ${#missing[@]} -eq 0 ]; then
  install_web
  exit 0
fi
# nodejs and npm from Debian only when no node is installed at all.
if command -v node >/dev/null && command -v npm >/dev/null; then
  kept=()
  for p in "${missing[@]}"; do [ "$p" = nodejs ] || [ "$p" = npm ] || kept+=("$p"); done
  missing=("${kept[@]}")
  if [ ${#missing[@]} -eq 0 ]; then
    install_web
    exit 0
  fi
fi

echo "setup: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install ${missing[*]}" >&2; exit 2; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
# Update the package lists only when an install from the current lists fails.
$sudo apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
  $sudo apt-get update -qq
  $sudo apt-get install -y --no-install-recommends "${missing[@]}"
}
install_web
