"""Shared fixtures: the knowledge base (loaded once) and the CLI the answers are compared with.

Run from the build: `ctest -R python` (or PYTHONPATH=build/python CEILING_CLI=build/ceiling
/usr/bin/python3 -m pytest python/tests). CEILING_CLI names the `ceiling` binary built from the
same sources; CEILING_SOURCE_DIR the source tree (for data/ and the examples).
"""

from __future__ import annotations

import os
import pathlib
import subprocess
from typing import List

import pytest

import ceiling

SOURCE_DIR = pathlib.Path(os.environ.get("CEILING_SOURCE_DIR",
                                         pathlib.Path(__file__).resolve().parents[2]))
DATA_DIR = SOURCE_DIR / "data"


@pytest.fixture(scope="session")
def kb() -> ceiling.KnowledgeBase:
    return ceiling.load(DATA_DIR)


@pytest.fixture(scope="session")
def cli_path() -> str:
    path = os.environ.get("CEILING_CLI")
    if not path or not os.path.exists(path):
        pytest.skip("CEILING_CLI is not set to the ceiling binary")
    return path


class Cli:
    def __init__(self, path: str) -> None:
        self.path = path

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([self.path, "--data", str(DATA_DIR), *args], capture_output=True,
                              text=True, timeout=120)

    def json(self, *args: str) -> str:
        """The CLI's --json output for `args` (which must succeed)."""
        p = self.run(*args, "--json")
        assert p.returncode == 0, f"ceiling {' '.join(args)}: {p.stderr}"
        return p.stdout


@pytest.fixture(scope="session")
def cli(cli_path: str) -> Cli:
    return Cli(cli_path)


def args(*parts: str) -> List[str]:
    return list(parts)
