"""`evidencekit course check` and `course show`."""
from __future__ import annotations

from pathlib import Path

from evidencekit.cli import main

EXERCISES = Path(__file__).resolve().parents[2] / "exercises"


def test_check_a_folder(tmp_path, capsys):
    for n in (1, 2):
        (tmp_path / f"module-{n}.yaml").write_text((EXERCISES / f"module-{n}.yaml").read_text(encoding="utf-8"),
                                                   encoding="utf-8")
    assert main(["course", "check", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: 2 module files, 8 learning steps, 10 review questions (6 computed from data)")
    assert main(["course", "check", str(EXERCISES), "--form-only"]) == 0
    assert capsys.readouterr().out.startswith("OK: 6 module files")


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
