"""The real-data tests never skip on CI: `shared_data` fails when CI is set and ../shared/data is missing."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def run(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess:
    project = tmp_path / "project"
    (project / "tests").mkdir(parents=True, exist_ok=True)
    shutil.copy(Path(__file__).with_name("conftest.py"), project / "tests" / "conftest.py")
    (project / "tests" / "test_uses_data.py").write_text("def test_x(shared_data):\n    assert shared_data.is_dir()\n")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci is not None:
        env["CI"] = ci
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", "tests"],
                          cwd=project, env=env, capture_output=True, text=True)


def test_without_shared_data_skips_locally_and_fails_on_ci(tmp_path):
    local = run(tmp_path, None)
    assert local.returncode == 0 and "1 skipped" in local.stdout
    ci = run(tmp_path, "true")
    assert ci.returncode == 1 and "CI is set but" in ci.stdout
