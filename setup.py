"""Build hook (the rest of the configuration is in pyproject.toml).

The workbench (``app/``) and the course content (``exercises/``) live beside ``src/`` in the repository. A
wheel must carry them, so that ``pip install evidencekit`` then ``evidencekit app`` works without a checkout:
the build copies both into the package as ``evidencekit/_bundled/app`` and ``evidencekit/_bundled/exercises``
(data, never imported by the library). An editable install reads them from the checkout instead.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BUNDLED = ("app", "exercises")


class BuildWithApp(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "evidencekit" / "_bundled"
        for name in BUNDLED:
            source = ROOT / name
            if not source.is_dir():
                raise SystemExit(f"error: {source} is missing: the package would be built without it")
            shutil.copytree(source, target / name, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache"))


setup(cmdclass={"build_py": BuildWithApp})
