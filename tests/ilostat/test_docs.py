"""The client's reference page: every section the code points to exists, and no docstring points outside."""
from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PAGE = REPO / "docs" / "ilostat.md"
CODE = sorted((REPO / "src" / "evidencekit" / "ilostat").glob("*.py")) + [REPO / "src/evidencekit/cli/ilostat.py"]


def test_every_section_the_code_names_is_on_the_page():
    headings = set(re.findall(r"^#+ (.+)$", PAGE.read_text(encoding="utf-8"), flags=re.M))
    named = {(path.name, m) for path in CODE
             for m in (" ".join(x.split()) for x in re.findall(r'docs/ilostat\.md``?, "([^"]+)"', path.read_text(encoding="utf-8")))}
    assert len(named) > 10
    assert {(f, s) for f, s in named if s not in headings} == set()


def test_docstrings_point_into_the_repository():
    for path in CODE:
        text = path.read_text(encoding="utf-8")
        assert "ilostat-api.md" not in text and "../shared" not in text, path.name
        assert "docs/ilostat.md" in text, f"{path.name} names no reference page"


def test_the_settings_table_lists_every_setting_with_its_default():
    from evidencekit.ilostat.settings import DEFAULT_DEADLINE, ENV_CACHE, ENV_DEADLINE, ENV_OFFLINE, ENV_URL

    text = PAGE.read_text(encoding="utf-8")
    for env in (ENV_OFFLINE, ENV_URL, ENV_CACHE, ENV_DEADLINE):
        assert env in text
    assert f"{DEFAULT_DEADLINE:g} s" in text and "--deadline SECONDS" in text
