"""Builds and installs the `ceiling` package: `pip install --no-build-isolation ./python`.

The compiled module (_ceiling) is built by the repository's CMake project -- the same sources and
Debian packages as the CLI, no download -- in build/pip (or $CEILING_PIP_BUILD_DIR, e.g. an
existing build/ to reuse it), and the knowledge base (data/) is installed inside the package so
that `ceiling.load()` works away from the source tree. $CEILING_JOBS sets the build's parallelism
(default 2).
"""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.build_py import build_py

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent


def version() -> str:
    m = re.search(r"project\(ceiling VERSION ([0-9.]+)", (ROOT / "CMakeLists.txt").read_text())
    return m.group(1) if m else "0.0.0"


class CMakeExtension(Extension):
    def __init__(self, name: str) -> None:
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    """Builds the _ceiling target with CMake and copies the module into the package."""

    def build_extension(self, ext: Extension) -> None:
        build_dir = pathlib.Path(os.environ.get("CEILING_PIP_BUILD_DIR", ROOT / "build" / "pip"))
        jobs = os.environ.get("CEILING_JOBS", "2")
        env = dict(os.environ)
        if shutil.which("ccache"):
            env.setdefault("CMAKE_CXX_COMPILER_LAUNCHER", "ccache")
        if not (build_dir / "CMakeCache.txt").exists():
            generator = ["-G", "Ninja"] if shutil.which("ninja") else []
            subprocess.run(
                ["cmake", "-S", str(ROOT), "-B", str(build_dir), *generator,
                 "-DCMAKE_BUILD_TYPE=Release", "-DBUILD_TESTING=OFF",
                 "-DCEILING_BUILD_BENCH=OFF", f"-DPython3_EXECUTABLE={sys.executable}"],
                check=True, env=env)
        subprocess.run(["cmake", "--build", str(build_dir), "--target", "_ceiling", "-j", jobs],
                       check=True, env=env)
        built = sorted((build_dir / "python" / "ceiling").glob("_ceiling*.so"))
        if not built:
            raise RuntimeError(f"the build left no _ceiling module in {build_dir}/python/ceiling")
        dest = pathlib.Path(self.get_ext_fullpath(ext.name))
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built[-1], dest)
        if shutil.which("strip"):  # debug information is most of a RelWithDebInfo module
            subprocess.run(["strip", "--strip-debug", str(dest)], check=True)


class BuildPyWithData(build_py):
    """Installs the repository's data/ as ceiling/data (the default knowledge base)."""

    def run(self) -> None:
        super().run()
        target = pathlib.Path(self.build_lib) / "ceiling" / "data"
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(ROOT / "data", target,
                        ignore=shutil.ignore_patterns(".*"))


setup(
    version=version(),
    packages=["ceiling"],
    package_data={"ceiling": ["py.typed", "*.pyi"]},
    ext_modules=[CMakeExtension("ceiling._ceiling")],
    cmdclass={"build_ext": CMakeBuild, "build_py": BuildPyWithData},
    zip_safe=False,
)
