"""The examples in the app's Streamlit-free helpers run (the project's doctests cover src/; app/ is beside it)."""
from __future__ import annotations

import doctest
import importlib

import pytest


@pytest.mark.parametrize("name", ["ui.views", "ui.files", "ui.board", "ui.brief", "ui.words"])
def test_the_examples_in_the_app_helpers_hold(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
