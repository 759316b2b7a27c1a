"""`evidencekit course check` and `course show`."""
from __future__ import annotations

from pathlib import Path

from evidencekit.cli import main

EXERCISES = Path(__file__).resolve().parents[2] / "exercises"


def test_check_the_course(capsys):
    assert main(["course", "check", str(EXERCISES)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: 6 module files") and "computed from data" in out


def test_check_a_broken_file(tmp_path, capsys):
    text = (EXERCISES / "module-1.yaml").read_text(encoding="utf-8").replace("operation: max", "operation: maximum")
    bad = tmp_path / "module-1.yaml"
    bad.write_text(text, encoding="utf-8")
    assert main(["course", "check", str(bad)]) == 2
    out = capsys.readouterr().out
    assert "problem: " in out and "'maximum' is not a known choice (did you mean `max`?)" in out
    assert "1 problem found. Nothing was changed." in out


def test_check_finds_data_problems_offline(tmp_path, capsys):
    text = (EXERCISES / "module-1.yaml").read_text(encoding="utf-8").replace(
        "        ref_area: THA\n        year: 2020", "        ref_area: THA\n        year: 1999")
    bad = tmp_path / "module-1.yaml"
    bad.write_text(text, encoding="utf-8")
    assert main(["course", "check", str(bad), "--form-only"]) == 0
    capsys.readouterr()
    assert main(["course", "check", str(bad)]) == 2
    out = capsys.readouterr().out
    assert "review question 4 (`productivity-2020`), field `answer`: the answer cannot be computed offline" in out


def test_show_lists_deep_links(capsys):
    assert main(["course", "show", "--module", "2", "--folder", str(EXERCISES)]) == 0
    out = capsys.readouterr().out
    assert "?module=2&step=3  youth-sex-gap" in out and "review 2: phl-rank" in out
