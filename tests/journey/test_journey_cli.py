"""`evidencekit course check` checks the journey's files beside the module files."""
from __future__ import annotations

import shutil

from evidencekit.cli import main
from evidencekit.journey.content import journey_folder


def test_course_check_reads_the_journey_files(tmp_path, capsys):
    folder = tmp_path / "exercises"
    shutil.copytree(journey_folder().parent, folder)
    assert main(["course", "check", str(folder), "--form-only"]) == 0
    out = capsys.readouterr().out
    assert "OK: the assessment (28 questions on 13 competences) and the feedback form (17 items)." in out
    form = folder / "journey" / "feedback.yaml"
    form.write_text(form.read_text(encoding="utf-8").replace("  - id: tools\n", "  - id: toolz\n"), encoding="utf-8")
    assert main(["course", "check", str(folder), "--form-only"]) == 2
    out = capsys.readouterr().out
    assert "feedback.yaml, line 10, field `sections`: there is no section `tools`" in out
    assert "1 problem found. Nothing was changed." in out
