"""add_labels: codes decoded through the dictionaries, notes split and joined as ILOSTAT does, never a crash."""
from __future__ import annotations

import pandas as pd
import pytest

from evidencekit.ilostat.labels import add_labels
from evidencekit.ilostat.query import Query
from evidencekit.ilostat.snapshot import Snapshot

SNAP = Snapshot()
DICS = {
    "sex": pd.DataFrame({"sex": ["SEX_T", "SEX_F"], "sex.label": ["Total", "Female"]}),
    "note_source": pd.DataFrame({"note_source": ["R1:3513", "S3:8"],
                                 "note_source.label": ["Repository: ILO", "Data reference period: Q1"]}),
    "obs_status": pd.DataFrame({"obs_status": ["B"], "obs_status.label": ["Break in series"]}),
}


def dictionary(var: str) -> pd.DataFrame:
    return DICS.get(var, pd.DataFrame())


def test_codes_and_notes_are_decoded_unknown_codes_kept():
    df = pd.DataFrame({"ref_area": ["PHL", "PHL", "IDN"], "sex": ["SEX_T", "SEX_F", "SEX_Q"],
                       "obs_status": [None, "B", "B"], "note_source": ["R1:3513_S3:8", None, "R1:3513_X9:1"],
                       "obs_value": [1.0, 2.0, 3.0]})
    before = df.copy()
    out = add_labels(df, dictionary)
    pd.testing.assert_frame_equal(df, before)  # pure
    assert out["sex.label"].tolist() == ["Total", "Female", "SEX_Q"]
    assert out["obs_status.label"].isna().tolist() == [True, False, False]
    assert out["note_source.label"].tolist()[0] == "Repository: ILO | Data reference period: Q1"
    assert pd.isna(out["note_source.label"].tolist()[1])
    assert out["note_source.label"].tolist()[2] == "Repository: ILO | X9:1"
    assert out["ref_area.label"].tolist() == ["PHL", "PHL", "IDN"]  # no dictionary: codes kept, no crash
    assert list(out.columns) == ["ref_area", "sex", "obs_status", "note_source", "obs_value", "ref_area.label",
                                 "sex.label", "obs_status.label", "note_source.label"]


def test_existing_labels_preferred_or_replaced():
    df = pd.DataFrame({"sex": ["SEX_T", "SEX_F", "SEX_Q", "SEX_F"],
                       "sex.label": ["Sex: Total", None, "Queer", "Femme"]})
    kept = add_labels(df, dictionary)
    assert kept["sex.label"].tolist() == ["Sex: Total", "Female", "Queer", "Femme"]
    replaced = add_labels(df, dictionary, prefer_existing=False)
    assert replaced["sex.label"].tolist() == ["Total", "Female", "Queer", "Female"]


def test_empty_frame_and_missing_dictionary_columns():
    empty = pd.DataFrame({"sex": pd.Series([], dtype="string")})
    assert add_labels(empty, dictionary)["sex.label"].tolist() == []
    bad = lambda var: pd.DataFrame({"x": [1]})  # noqa: E731  (a dictionary without the expected columns)
    assert add_labels(pd.DataFrame({"sex": ["SEX_T"]}), bad)["sex.label"].tolist() == ["SEX_T"]


def test_real_notes_decode_as_ilostat_exports_do(shared_data):
    """The explorer export's own note labels equal our decoding of the bulk codes through the dictionaries."""
    df = SNAP.get(Query.build("ILR_TUMT_NOC_RT_A"))
    out = add_labels(df.drop(columns=[c for c in df.columns if c.endswith(".label")]), SNAP.dictionary)
    raw = pd.read_csv(shared_data / "ilostat/explorer/ILR_TUMT_NOC_RT_A-filtered-2023-10-18.csv", dtype=str,
                      encoding="utf-8-sig")
    n = 0
    for col in ("note_indicator", "note_source"):
        pairs = raw[[col, f"{col}.label"]].dropna().drop_duplicates()
        ours = dict(zip(out[col], out[f"{col}.label"]))
        for code, label in pairs.itertuples(index=False):
            assert ours[code] == label
            n += 1
    assert n >= 5


def test_compound_notes_decode_to_the_export_labels():
    """EAR_4MTH explorer export: codes were found from labels; decoding them gives back ILOSTAT's ' | ' labels."""
    df = SNAP.get(Query.build("EAR_4MTH_SEX_GEO_CUR_NB_A", labels=True))
    own = df[["note_indicator", "note_indicator.label"]].dropna().drop_duplicates()
    compound = own[own["note_indicator"].str.contains("_")]
    assert len(compound) > 0
    out = add_labels(compound.drop(columns="note_indicator.label"), SNAP.dictionary)
    assert (out["note_indicator.label"].str.count(r" \| ") == compound["note_indicator"].str.count("_")).all()
    assert out["note_indicator.label"].tolist() == compound["note_indicator.label"].tolist()


@pytest.mark.parametrize("col", ["ref_area", "source", "indicator", "sex", "classif1", "obs_status"])
def test_every_code_of_a_real_dataset_gets_a_label(col):
    df = add_labels(SNAP.get(Query.build("SDG_0852_SEX_AGE_RT_A", ref_area=["PHL", "X01"])), SNAP.dictionary)
    present = df[col].notna()
    assert df.loc[present, f"{col}.label"].notna().all()
    decoded = df.loc[present, f"{col}.label"] != df.loc[present, col]
    assert decoded.all(), df.loc[present & ~decoded, col].unique()
