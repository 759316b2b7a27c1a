"""docs/course-authoring.md: its full example is a valid module, and it names every step kind, every field of
each kind, every operation and every placeholder the code knows."""
from __future__ import annotations

import re
from pathlib import Path

from evidencekit.course import OPERATIONS, STEP_KINDS, read_module
from evidencekit.course.answers import PLACEHOLDERS
from evidencekit.course.spec import STEP_COMMON

DOC = (Path(__file__).resolve().parents[2] / "docs" / "course-authoring.md").read_text(encoding="utf-8")


def test_the_full_example_is_valid(tmp_path):
    example = re.search(r"## The format in one example.*?```yaml\n(.*?)```", DOC, re.S).group(1)
    path = tmp_path / "module-7.yaml"
    path.write_text(example, encoding="utf-8")
    module, problems = read_module(path)
    assert problems == [] and module.number == 7 and len(module.questions) == 4


def test_every_kind_field_operation_and_placeholder_is_documented():
    for kind, (_, fields) in STEP_KINDS.items():
        assert f"| `{kind}` |" in DOC, kind
        for field in fields:
            assert f"`{field}`" in DOC, (kind, field)
    for field in STEP_COMMON:
        assert f"| `{field}` |" in DOC, field
    for op in OPERATIONS:
        assert f"| `{op}` |" in DOC, op
    for name in PLACEHOLDERS:
        assert "{" + name in DOC, name
