#!/usr/bin/env python3
"""Runs one of the Python test steps for ctest, or skips it (exit 77, ctest's SKIP_RETURN_CODE)
with a one-line reason when a package it needs is missing, so that a machine without pandas or
Jupyter reports "Skipped", not "Failed".

    run.py pytest FILE        the pytest suite in FILE (needs pytest, pandas, numpy)
    run.py notebook NB OUTDIR executes the notebook NB with nbconvert (needs pandas, matplotlib,
                              nbconvert and the ipykernel)
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

SKIP = 77
DEBIAN = {"pytest": "python3-pytest", "pandas": "python3-pandas", "numpy": "python3-numpy",
          "matplotlib": "python3-matplotlib", "nbconvert": "jupyter-nbconvert",
          "ipykernel": "python3-ipykernel"}


def require(*modules: str) -> None:
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        packages = " ".join(DEBIAN[m] for m in missing)
        print(f"SKIPPED: {', '.join(missing)} missing for {sys.executable} "
              f"(Debian: apt-get install {packages}; scripts/setup.sh installs them)")
        sys.exit(SKIP)


def main(argv: list) -> int:
    if len(argv) >= 2 and argv[0] == "pytest":
        require("pytest", "numpy", "pandas")
        import pytest

        return int(pytest.main(["-q", "-p", "no:cacheprovider", *argv[1:]]))
    if len(argv) == 3 and argv[0] == "notebook":
        require("numpy", "pandas", "matplotlib", "nbconvert", "ipykernel")
        notebook, outdir = argv[1], argv[2]
        cmd = [sys.executable, "-m", "nbconvert", "--to", "notebook", "--execute",
               "--ExecutePreprocessor.timeout=300", "--ExecutePreprocessor.kernel_name=python3",
               "--output-dir", outdir, notebook]
        return subprocess.call(cmd, cwd=os.path.dirname(os.path.abspath(notebook)))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
