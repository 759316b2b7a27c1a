"""Broken copies of a module file give a specific message: the file, the line, the place, what is expected."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from evidencekit.course import ExerciseError, load_course, load_module, read_course, read_module

MODULE_2 = (Path(__file__).resolve().parents[2] / "exercises" / "module-2.yaml").read_text(encoding="utf-8")


def broken(tmp_path: Path, old: str, new: str, count: int = 1, name: str = "module-2.yaml") -> list[str]:
    assert MODULE_2.count(old) >= count, old
    path = tmp_path / name
    path.write_text(MODULE_2.replace(old, new, count), encoding="utf-8")
    module, problems = read_module(path, shown_as=f"exercises/{name}")
    assert module is None and problems
    return [str(p) for p in problems]


def line_of(text: str, needle: str, nth: int = 1) -> int:
    lines = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    return lines[nth - 1]


def test_indicator_without_frequency_suffix(tmp_path):
    (msg,) = broken(tmp_path, "indicator: SDG_0852_SEX_AGE_RT_A\n    areas: [KHM", "indicator: SDG_0852_SEX_AGE_RT\n    areas: [KHM")
    line = line_of(MODULE_2, "indicator: SDG_0852_SEX_AGE_RT_A", 2)
    assert msg == (f"exercises/module-2.yaml, line {line}, learning step 2 (`Notes, flags and breaks in series`), "
                   "field `indicator`: 'SDG_0852_SEX_AGE_RT' lacks its frequency suffix; "
                   "expected an ILOSTAT id such as SDG_0852_SEX_AGE_RT_A")


def test_typo_in_a_key_is_refused_with_the_closest_name(tmp_path):
    typo, missing = broken(tmp_path, "    look_for: [sources", "    look_fro: [sources")
    assert f"line {line_of(MODULE_2, 'look_for:')}" in typo
    assert "learning step 2 (`Notes, flags and breaks in series`), field `look_fro`: unknown field `look_fro` " \
           "(did you mean `look_for`?); expected one of: id, title, text, task, hints, key_points, board, kind," in typo
    assert "field `look_for` is missing" in missing  # the field it should have been is reported too


def test_missing_required_field(tmp_path):
    msgs = broken(tmp_path, "    look_for: [sources, flags, breaks, notes, vintage]\n", "")
    assert any("learning step 2 (`Notes, flags and breaks in series`): field `look_for` is missing; expected what to look for"
               in m for m in msgs), msgs


def test_bad_operation_names_the_choices(tmp_path):
    (msg,) = broken(tmp_path, "operation: rank", "operation: ranking")
    assert f"line {line_of(MODULE_2, 'operation: rank')}" in msg
    assert "review question 2 (`phl-rank`), field `answer` → `operation`: 'ranking' is not a known choice " \
           "(did you mean `rank`?); expected one of: value, latest, max, min, rank, change, percent_change, gap" in msg


def test_operation_parameter_that_does_not_belong(tmp_path):
    msgs = broken(tmp_path, "      operation: rank\n      of: PHL", "      operation: max\n      of: PHL")
    assert any("review question 2 (`phl-rank`)" in m and "`of` is not used by the operation `max`" in m for m in msgs), msgs


def test_unknown_step_kind(tmp_path):
    (msg,) = broken(tmp_path, "kind: read_notes", "kind: read_note")
    assert "field `kind`: 'read_note' is not a known kind (did you mean `read_notes`?)" in msg


def test_area_code_and_group(tmp_path):
    (msg,) = broken(tmp_path, "areas: ASEAN-10", "areas: ASEN-10")
    assert "'ASEN-10' is not a reference-area code or a known group (did you mean `ASEAN-10`?)" in msg


def test_groups_are_the_ilostat_clients(tmp_path):
    """The course names the client's groups in its own spelling (ASEAN-10) or the client's (ASEAN10, ASEAN)."""
    from evidencekit.ilostat.groups import GROUPS

    for spelling, group in (("ASEAN10", "ASEAN10"), ("ASEAN", "ASEAN"), ("ASEAN-11", "ASEAN")):
        path = tmp_path / f"{spelling}.yaml"
        path.write_text(MODULE_2.replace("areas: ASEAN-10", f"areas: {spelling}", 1), encoding="utf-8")
        module, problems = read_module(path, shown_as="exercises/module-2.yaml")
        assert not problems
        areas = [s.params.get("areas") for s in module.steps if s.params.get("areas")]
        assert set(GROUPS[group].members) in [set(a) for a in areas]


def test_unknown_placeholder_in_an_explanation(tmp_path):
    (msg,) = broken(tmp_path, "{area_name} had the lowest", "{country} had the lowest")
    assert "field `explanation`: uses the placeholder {country}; expected one of {value}, {amount}" in msg


def test_choice_answer_not_marked(tmp_path):
    msgs = broken(tmp_path, "        correct: true\n      - id: c\n        text: Drop Cambodia",
                  "      - id: c\n        text: Drop Cambodia")
    assert any("review question 4 (`break-meaning`), field `options`: 0 options are marked correct; "
               "expected exactly one `correct: true`" in m for m in msgs), msgs


def test_yaml_syntax_error_has_its_line(tmp_path):
    (msg,) = broken(tmp_path, "title: Secondary data and metadata", "title: Secondary: data: and metadata")
    assert msg.startswith("exercises/module-2.yaml, line 3: the file is not valid YAML")


def test_duplicate_key_is_refused(tmp_path):
    msgs = broken(tmp_path, "time: about 3 hours\n", "time: about 3 hours\ntime: about 4 hours\n")
    assert any("field `time` is written twice (lines 5 and 6)" in m for m in msgs), msgs


def test_unsafe_yaml_tag_is_refused(tmp_path):
    (msg,) = broken(tmp_path, "title: Secondary data and metadata",
                    "title: !!python/object/apply:os.system ['echo hacked']")
    assert "not valid YAML" in msg and "line 3" in msg


def test_every_problem_is_listed_and_load_raises(tmp_path):
    text = MODULE_2.replace("operation: rank", "operation: ranking").replace("kind: read_notes", "kind: read_note")
    path = tmp_path / "module-2.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ExerciseError) as err:
        load_module(path)
    assert len(err.value.problems) == 2
    assert re.search(r"and 1 more problem .*evidencekit course check", str(err.value))


def test_two_files_for_one_module_and_an_empty_folder(tmp_path):
    (tmp_path / "module-2.yaml").write_text(MODULE_2, encoding="utf-8")
    (tmp_path / "module-2-copy.yaml").write_text(MODULE_2, encoding="utf-8")
    course, problems = read_course(tmp_path)
    assert course is None and any("module 2 is also" in str(p) for p in problems)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ExerciseError, match="has no module file"):
        load_course(empty)
