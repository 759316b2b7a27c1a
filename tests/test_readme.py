"""The README's examples run as written (offline): Python from search to a DOCX brief, and the CLI equivalent."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

from docx import Document

from evidencekit.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"


def example(name: str) -> str:
    text = README.read_text(encoding="utf-8")
    m = re.search(rf"<!-- readme-example: {name} -->\s*```\w+\n(.*?)```", text, re.S)
    assert m, f"README has no example {name!r}"
    return m.group(1)


def test_python_example_goes_from_search_to_a_docx_brief(tmp_path, monkeypatch, capsys):
    code = example("python")
    assert len(code.strip().splitlines()) <= 20
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EVIDENCEKIT_OFFLINE", "1")
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert "SDG_0852_SEX_AGE_RT_A" in capsys.readouterr().out
    doc = Document(str(tmp_path / "brief.docx"))
    assert len(doc.inline_shapes) == 1 and len(doc.tables) == 1
    brief = namespace["brief"]
    failed = {c.name for c in brief.check() if not c.ok}
    assert not failed & {"numbers_sourced", "recommendations_tied", "audience", "structure"}
    text = " ".join(" ".join(p.text for p in doc.paragraphs).split())
    assert all(c in text for c in brief.references())


def test_cli_example_builds_the_same_brief(tmp_path, monkeypatch, capsys):
    lines = [ln for ln in example("cli").splitlines() if ln.startswith("evidencekit ")]
    assert len(lines) >= 4
    monkeypatch.chdir(tmp_path)
    for line in lines:
        assert main(shlex.split(line)[1:]) == 0, line
    doc = Document(str(tmp_path / "brief.docx"))
    assert len(doc.inline_shapes) == 1 and len(doc.tables) == 1
