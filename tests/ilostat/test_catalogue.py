"""Catalogue search and id suggestions: ranked, accent- and case-insensitive, every word counts."""
from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidencekit.ilostat.catalogue import normalise, search, suggest
from evidencekit.ilostat.snapshot import Snapshot

TOC = Snapshot().toc()


def _has_all(label: str, *words: str) -> bool:
    text = normalise(label)
    return all(w in text for w in words)


def test_youth_unemployment_ranks_youth_unemployment_first():
    res = search(TOC, "youth unemployment", limit=None)
    both = res["label"].map(lambda s: _has_all(s, "youth", "unemployment"))
    n_both = int(TOC["label"].map(lambda s: _has_all(s, "youth", "unemployment")).sum())
    assert n_both >= 5
    assert both.head(n_both).all() and not both.iloc[n_both:].any()  # every row with both words comes first
    assert res["score"].is_monotonic_decreasing
    assert len(res) > n_both  # rows with one of the words follow


def test_search_is_case_and_accent_insensitive_and_pure():
    before = TOC.copy()
    a = search(TOC, "informal employment")
    b = search(TOC, "INFORMAL Émployment")
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(TOC, before)
    assert a.iloc[0]["id"] == "EMP_NIFL_SEX_RT_A"  # held offline, same words: first


def test_search_by_id_and_code_fragment():
    res = search(TOC, "sdg_0852_sex_age_rt")
    assert res.iloc[0]["indicator"] == "SDG_0852_SEX_AGE_RT"
    assert search(TOC, "SDG_0852_SEX_AGE_RT_A").iloc[0]["id"] == "SDG_0852_SEX_AGE_RT_A"


def test_search_limit_empty_and_no_match():
    assert len(search(TOC, "employment", limit=5)) == 5
    assert len(search(TOC, "employment", limit=None)) > 100
    assert search(TOC, "   ").empty and "score" in search(TOC, "").columns
    assert search(TOC, "qqqzzzxxx").empty
    assert search(TOC, "chômage").empty  # French word: no false 'typo' match (e.g. 'change')


def test_search_recovers_a_typo():
    res = search(TOC, "unemploymnet rate")
    assert len(res) > 0 and "unemployment" in normalise(res.iloc[0]["label"])


def test_search_works_on_a_live_style_toc_with_indicator_label_column():
    toc = pd.DataFrame({"id": ["A_B_A", "C_D_A"], "indicator.label": ["Trade union density", "Output per worker"]})
    assert search(toc, "union")["id"].tolist() == ["A_B_A"]


def test_suggest_returns_close_ids_that_exist():
    held = TOC[TOC["offline"]]
    got = suggest("SDG_0852_SEX_AGE_RT_Q", held)
    assert got[0] == "SDG_0852_SEX_AGE_RT_A" and set(got) <= set(held["id"]) and len(got) <= 5
    assert suggest("SDG_0831_SEX_ECO_RT", held, n=1) == ["SDG_0831_SEX_ECO_RT_A"]
    assert suggest("ANYTHING", pd.DataFrame()) == []


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=0, max_size=30))
def test_search_never_fails_and_returns_ranked_rows_of_the_toc(text):
    res = search(TOC, text, limit=10)
    assert len(res) <= 10
    assert res["score"].is_monotonic_decreasing and (res["score"] > 0).all()
    assert set(res["indicator"]) <= set(TOC["indicator"])


@pytest.mark.parametrize("raw, expected", [("Côte d’Ivoire", "cote d'ivoire"), ("  A  b ", "a b"), ("ÉTÉ", "ete")])
def test_normalise(raw, expected):
    assert normalise(raw) == expected


# -- what participants type (docs/ilostat.md, "Search"): each finds a sensible dataset held offline, first
@pytest.mark.parametrize("typed, sensible", [
    ("NEET", {"SDG_0861_SEX_RT_A"}),
    ("youth neet", {"SDG_0861_SEX_RT_A"}),
    ("informality", {"SDG_0831_SEX_ECO_RT_A", "EMP_NIFL_SEX_RT_A"}),
    ("productivity", {"SDG_A821_NOC_RT_A", "GDP_211P_NOC_NB_A"}),
    ("labour productivity", {"SDG_A821_NOC_RT_A", "GDP_211P_NOC_NB_A"}),
    ("wages", {"EAR_4MTH_SEX_GEO_CUR_NB_A", "SDG_0851_SEX_OCU_NB_A"}),
    ("wage", {"EAR_4MTH_SEX_GEO_CUR_NB_A", "SDG_0851_SEX_OCU_NB_A"}),
    ("earnings", {"EAR_4MTH_SEX_GEO_CUR_NB_A", "SDG_0851_SEX_OCU_NB_A"}),
    ("union", {"ILR_TUMT_NOC_RT_A"}),
    ("trade union", {"ILR_TUMT_NOC_RT_A"}),
    ("bargaining", {"ILR_CBCT_NOC_RT_A"}),
    ("collective bargaining", {"ILR_CBCT_NOC_RT_A"}),
    ("working poverty", {"SDG_0111_SEX_AGE_RT_A"}),
    ("working poor", {"SDG_0111_SEX_AGE_RT_A"}),
    ("8.5.2", {"SDG_0852_SEX_AGE_RT_A"}),
    ("8.6.1", {"SDG_0861_SEX_RT_A"}),
    ("1.1.1", {"SDG_0111_SEX_AGE_RT_A"}),
    ("8.3.1", {"SDG_0831_SEX_ECO_RT_A"}),
    ("8.2.1", {"SDG_A821_NOC_RT_A"}),
    ("SDG 8.5.1", {"SDG_0851_SEX_OCU_NB_A"}),
    ("unemployed", {"SDG_0852_SEX_AGE_RT_A"}),
    ("jobless youth", {"SDG_0852_SEX_AGE_RT_A"}),
    ("LFPR", {"EAP_2WAP_SEX_AGE_RT_A"}),
    ("inflation", {"CPI_NCYR_COI_RT_A"}),
])
def test_what_participants_type_finds_a_sensible_dataset_held_offline(typed, sensible, tmp_path, no_network):
    from evidencekit.ilostat import Client

    found = Client(cache_dir=tmp_path, offline=True).search(typed, limit=5)
    assert found["id"].iloc[0] in sensible and bool(found["offline"].iloc[0]), found[["id", "label"]]
    assert found["id"].str.fullmatch(r"[A-Z0-9_]+_[AQM]").all()   # every id is one get takes


def test_synonyms_do_not_drown_the_words_typed():
    """A synonym adds what ILOSTAT calls the thing; the word itself still ranks its own rows."""
    res = search(TOC, "neet", limit=None)
    assert {"EIP_NEET_SEX_RT", "SDG_0861_SEX_RT"} <= set(res["indicator"].head(8))
    assert search(TOC, "8.5.2", limit=None)["indicator"].str.startswith("SDG_0852").all()
    assert not search(TOC, "1.1.1", limit=None)["indicator"].str.startswith("SDG_0852").any()


def test_every_result_row_shows_the_full_id_get_takes_also_offline(tmp_path, no_network):
    from evidencekit.ilostat import Client

    client = Client(cache_dir=tmp_path, offline=True)
    found = client.search("youth unemployment", limit=None)
    not_held = found[~found["offline"].astype(bool)]
    assert len(not_held) > 5 and found["id"].notna().all()
    assert (not_held["id"] == not_held["indicator"] + "_A").all() and not_held["freq"].isna().all()
    held = found[found["offline"].astype(bool)]
    assert (held["id"] != held["indicator"] + "_Q").all()
    client.get(found["id"].iloc[0])   # the first one works as given
