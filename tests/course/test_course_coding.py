"""Module 3's qualitative step: tags checked, themes counted per group, quotations with their citation."""
from __future__ import annotations

import pytest

from evidencekit.course import LocationError, check_tags, load_course, quotation, theme_counts
from evidencekit.store import Store

STEP = next(s for s in load_course().module(3).steps if s.kind == "code_passages")


def test_theme_counts_by_group_worked_by_hand():
    tags = {"p1": ["care-duties"], "p4": ["income-insecurity", "social-protection"],
            "p5": "income-insecurity", "p8": ["income-insecurity", "care-duties", "care-duties"]}
    out = theme_counts(STEP, tags).set_index("code")
    assert out.loc["income-insecurity", "passages"] == 3 and out.loc["care-duties", "passages"] == 2
    # p1, p4 in the vendors' group; p5, p8 in the construction and transport group
    assert out.loc["income-insecurity", "Vendors and home-based workers"] == 1
    assert out.loc["income-insecurity", "Construction and transport workers"] == 2
    assert out.loc["care-duties", "Vendors and home-based workers"] == 1
    assert out.loc["registration-cost", "passages"] == 0  # unused codes are listed
    assert list(out["passages"]) == sorted(out["passages"], reverse=True)
    assert out.attrs["tagged_passages"] == 4 and out.attrs["total_passages"] == 8
    assert out.attrs["provenance"]["illustrative"] is True


def test_bad_tags_are_refused():
    with pytest.raises(LocationError, match="not in the codebook"):
        check_tags(STEP, {"p1": ["care"]})
    with pytest.raises(LocationError, match="'p99'"):
        check_tags(STEP, {"p99": ["care-duties"]})
    assert check_tags(STEP, {"p2": []}) == {}


def test_quotation_goes_to_the_board_with_its_label(tmp_path):
    item = quotation(STEP, "p2")
    assert item["payload"]["text"].startswith("The agent brings the cloth")
    assert "Illustrative" in item["citation"] and item["payload"]["speaker"].startswith("V2")
    me = Store(tmp_path / "ek.db").participant("ana")
    me.add_to_board(item)
    assert me.board()[0]["payload"]["illustrative"] is True
