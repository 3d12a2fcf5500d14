#!/usr/bin/env bash
# The README's install command in a fresh virtual environment, offline: Debian's interpreter,
# setuptools and wheel (--system-site-packages), no package index. Then, from outside the source
# tree and without PYTHONPATH, the installed package answers from its bundled data.
#
#   python/tests/install_venv.sh PYTHON VENV_DIR [BUILD_DIR]
#
# BUILD_DIR (optional) is an existing CMake build whose _ceiling target pip reuses
# (CEILING_PIP_BUILD_DIR); without it pip builds in build/pip, the README's path.
set -euo pipefail
python=$1
venv=$2
build=${3:-}
root=$(cd "$(dirname "$0")/../.." && pwd)

# Skipped (exit 77, ctest's SKIP_RETURN_CODE) without venv/ensurepip, setuptools or wheel.
if ! "$python" -c "import ensurepip, setuptools, wheel, venv" 2>/dev/null; then
  echo "SKIPPED: venv, setuptools or wheel missing for $python (Debian: apt-get install" \
    "python3-venv python3-setuptools python3-wheel; scripts/setup.sh installs them)"
  exit 77
fi
rm -rf "$venv"
"$python" -m venv --system-site-packages "$venv"
cd "$root"
if [ -n "$build" ]; then export CEILING_PIP_BUILD_DIR=$build; fi
"$venv/bin/pip" install --no-build-isolation --no-index -q ./python

cd "$(mktemp -d)"
env -u PYTHONPATH -u CEILING_DATA VENV="$venv" "$venv/bin/python" - <<'PY'
import os
import ceiling

venv = os.path.realpath(os.environ["VENV"])
assert os.path.realpath(ceiling.__file__).startswith(venv), ceiling.__file__
kb = ceiling.load()
assert os.path.realpath(kb.data_dir).startswith(venv), kb.data_dir  # the bundled data
r = kb.classify("nvidia-h20", "2025-05-01", "CN")
assert r.license_required is True, r
print(f"installed {ceiling.__version__} in {venv}: {r!r}; {kb!r}")
PY
