"""Shared test fixtures: where the shared real data lives (tests may skip only when it is absent)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SHARED_DATA = SHARED / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``; tests that need it skip only when the folder is absent — and fail on CI (``CI`` set),
    where the real data must be there (a green run that skipped the real-data checks would prove nothing)."""
    if not SHARED_DATA.is_dir():
        if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
            pytest.fail(f"CI is set but {SHARED_DATA} is missing: the real-data tests cannot run (they never skip on CI)")
        pytest.skip("../shared/data is absent (real data is only on development and CI machines)")
    return SHARED_DATA
