"""Shared test fixtures: where the shared real data lives (tests may skip only when it is absent)."""
from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SHARED_DATA = SHARED / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``; tests that need it skip only when the folder is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is absent (real data is only on development and CI machines)")
    return SHARED_DATA
