"""The offline snapshot: every value equals its source file, a rebuild reproduces it, bad inputs fail clearly."""
from __future__ import annotations

import json
import re
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from evidencekit.ilostat.errors import NoMatchError, NotAvailableOfflineError, SnapshotError
from evidencekit.ilostat.query import Query, filter_frame
from evidencekit.ilostat.build import RELEASES, build, read_releases
from evidencekit.ilostat.snapshot import DEFAULT_PATH, Snapshot
from evidencekit.ilostat.tidy import tidy

SNAP = Snapshot()
IDS = SNAP.datasets()
KEYS = ["ref_area", "source", "indicator", "sex", "classif1", "classif2", "time"]


@pytest.fixture(scope="module")
def src(shared_data) -> Path:
    return shared_data / "ilostat"


def _read_source(path: Path) -> pd.DataFrame:
    """The source file as ILOSTAT wrote it (text; empty cells as NA), read independently of the builder."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    df.columns = [c.strip() for c in df.columns]
    return df.apply(lambda s: s.str.strip()).replace("", np.nan)


def _same_text(a: pd.Series, b: pd.Series) -> pd.Series:
    a = a.astype("string")
    b = b.astype("string")
    return ((a == b) | (a.isna() & b.isna())).fillna(False)


def _norm(label: object) -> str:
    """The test's own rule for 'same label': case, curly quotes, the 'Type: ' prefix and the PPP year aside."""
    t = str(label).replace("\u2019", "'").strip().lower()
    t = re.sub(r"\b(19|20)\d\d ppp\b", "ppp", t)
    return t.split(": ", 1)[-1] if not t.startswith("repository") else t


# ------------------------------------------------------------------------------------------ fidelity
@pytest.mark.parametrize("ds_id", IDS)
def test_every_snapshot_value_equals_its_source(src, ds_id):
    entry = SNAP.manifest["datasets"][ds_id]
    source = _read_source(src / entry["source_file"])
    snap = SNAP.get(Query.build(ds_id, labels=True))
    if entry["source_file"].split("/")[-1].startswith("ddf--datapoints--"):
        value_col = entry["source_file"].split("--")[2]
        source = source.rename(columns={value_col: "obs_value"})
        source["ref_area"] = source["ref_area"].str.upper()
    assert len(snap) == len(source) == entry["rows"]
    keys = [k for k in KEYS + [f"{k}.label" for k in KEYS] if k in source.columns]
    left = source.assign(_n=source.groupby(keys, dropna=False).cumcount())
    right = snap.assign(_n=snap.groupby(keys, dropna=False).cumcount())
    merged = left.merge(right, on=keys + ["_n"], how="inner", suffixes=("_src", "_snap"), validate="one_to_one")
    assert len(merged) == len(source), "some source rows have no snapshot row with the same keys"
    src_value = pd.to_numeric(merged["obs_value_src"])
    assert np.array_equal(src_value.to_numpy(float), merged["obs_value_snap"].to_numpy(float), equal_nan=True)
    shared = [c for c in source.columns if c in snap.columns and c not in keys + ["obs_value"]]
    for col in shared:  # codes and labels the file itself has
        same = _same_text(merged[f"{col}_src"], merged[f"{col}_snap"])
        assert same.all(), f"{ds_id}.{col}: {merged.loc[~same, [f'{col}_src', f'{col}_snap']].head()}"
    # label-only columns: the code found must be the one whose dictionary label is the file's label
    english = {v: SNAP.dictionary(v).drop_duplicates(v).set_index(v)[f"{v}.label"]
               for v in ("ref_area", "source", "sex", "classif1", "classif2", "obs_status", "note_indicator",
                         "note_source")}
    source_area = SNAP.dictionary("source").set_index("source")["ref_area"]
    unmapped = {}
    for col in entry["columns"]:
        if col in source.columns or f"{col}.label" not in source.columns or col not in english:
            continue
        codes, labels = snap[col], snap[f"{col}.label"]
        for code, label in pd.DataFrame({"c": codes, "l": labels}).dropna().drop_duplicates().itertuples(index=False):
            parts = code.split("_") if col.startswith("note_") else [code]
            decoded = " | ".join(_norm(english[col][p]) for p in parts)
            assert decoded == " | ".join(_norm(x) for x in label.split(" | ")), (col, code, label)
        if col == "source":  # a source code belongs to one country: the row's
            rows = snap[codes.notna()]
            assert (rows["source"].map(source_area) == rows["ref_area"]).all()
        missing = int((codes.isna() & labels.notna()).sum())
        if missing:
            unmapped[col] = missing
    assert unmapped == entry["unmapped"]


def test_manifest_describes_every_dataset(src):
    m = SNAP.manifest
    assert m["licence"] == "CC BY 4.0" and m["citation"] == "ILOSTAT, International Labour Organization"
    releases = read_releases(RELEASES)
    for ds_id, e in m["datasets"].items():
        assert (DEFAULT_PATH / e["file"]).is_file()
        assert e["layout"] in {"bulk", "explorer", "ddf"}
        assert e["layout"] == e["source_file"].split("/")[0]  # the shared folder names its layout
        name = Path(e["source_file"]).name
        if re.search(r"-\d{4}-\d\d-\d\d|\d{8}T\d{4}", name):
            assert e["vintage"][:10].replace("-", "") in name.replace("-", "")
        else:  # the release record, by the file's sha256 (never prose)
            entry = releases[e["source_sha256"]]
            assert entry["file"] == e["source_file"] and e["vintage"] == (entry["vintage"] or "unknown")
            assert e["vintage_from"].startswith("release record releases.json")
        table = pq.read_table(DEFAULT_PATH / e["file"])
        assert table.num_rows == e["rows"]
        assert e["n_ref_area"] == len(set(table.column("ref_area").to_pylist()))
    # facts stated in the release record and in the file names
    d = m["datasets"]
    assert d["SDG_0831_SEX_ECO_RT_A"]["vintage"] == "2024-08-24"
    assert d["EMP_NIFL_SEX_RT_A"]["vintage"] == "2025-11-21T20:48"
    assert d["ILR_CBCT_NOC_RT_A"]["vintage"] == "unknown"
    assert d["EAP_2WAP_SEX_AGE_RT_A"]["vintage"] == "unknown"
    assert [s["file"] for s in m["skipped"]] == ["derived/sea_core_indicators_long.csv"]


def test_vintages_come_from_the_release_record_never_from_prose(src, tmp_path):
    """A PROVENANCE.md beside the files is not read; a release record (by sha256) is, and a changed file
    loses its date."""
    folder = _folder_with_dictionaries(src, tmp_path)
    (folder / "bulk" / "SDG_A821_NOC_RT_A.csv").symlink_to(src / "bulk" / "SDG_A821_NOC_RT_A.csv")
    (folder / "PROVENANCE.md").write_text("### bulk/SDG_A821_NOC_RT_A.csv\n- commit `365ad13` (2001-01-01, upload)\n")
    m = build(folder, tmp_path / "a", progress=False)
    assert m["datasets"]["SDG_A821_NOC_RT_A"]["vintage"] == "2023-11-29"   # the project's record, not 2001
    sha = m["datasets"]["SDG_A821_NOC_RT_A"]["source_sha256"]
    record = tmp_path / "mine.json"
    record.write_text(json.dumps({"files": [{"sha256": sha, "file": "x.csv", "vintage": "2022-02-02",
                                             "basis": "my download"}]}))
    m = build(folder, tmp_path / "b", releases=record, progress=False)
    e = m["datasets"]["SDG_A821_NOC_RT_A"]
    assert e["vintage"] == "2022-02-02" and "my download" in e["vintage_from"]
    changed = folder / "bulk" / "SDG_A821_NOC_RT_A.csv"
    text = changed.read_bytes()
    changed.unlink()
    changed.write_bytes(text + b'"PHL","SDG_A821_NOC_RT","XA:1","2030",1.0\n')   # no longer the recorded bytes
    m = build(folder, tmp_path / "c", progress=False)
    assert m["datasets"]["SDG_A821_NOC_RT_A"]["vintage"] == "unknown"
    record.write_text("{not json")
    with pytest.raises(SnapshotError, match="not a release record"):
        build(folder, tmp_path / "d", releases=record, progress=False)


def test_every_indicator_file_of_the_shared_folder_is_in_the_snapshot(src):
    files = sorted(p.relative_to(src).as_posix() for folder in ("bulk", "explorer", "ddf")
                   for p in (src / folder).glob("*.csv"))
    assert sorted(e["source_file"] for e in SNAP.manifest["datasets"].values()) == files


def test_snapshot_is_small_and_one_file_per_dataset():
    total = sum(p.stat().st_size for p in DEFAULT_PATH.rglob("*") if p.is_file())
    assert total < 10 * 1024 * 1024
    assert sorted(p.stem for p in (DEFAULT_PATH / "data").glob("*.parquet")) == IDS
    meta = pq.ParquetFile(DEFAULT_PATH / "data" / "SDG_0852_SEX_AGE_RT_A.parquet").metadata
    col = meta.row_group(0).column(0)
    assert col.compression == "ZSTD" and any("DICT" in e for e in col.encodings)


def test_rebuild_from_the_shared_folder_reproduces_the_committed_snapshot(src, tmp_path):
    manifest = build(src, tmp_path / "snap", progress=False)
    committed = SNAP.manifest
    strip = lambda m: {k: v for k, v in m.items() if k not in ("built_at", "built_from")}  # noqa: E731
    assert strip(manifest) == strip(committed)
    for name in ["dictionaries.parquet", "toc.parquet", "areas.parquet"] + [e["file"] for e in committed["datasets"].values()]:
        new = pq.read_table(tmp_path / "snap" / name)
        old = pq.read_table(DEFAULT_PATH / name)
        assert new.equals(old), name


# ------------------------------------------------------------------------------------------ bad inputs
def _folder_with_dictionaries(src: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    (folder / "bulk").mkdir(parents=True)
    (folder / "dictionaries").mkdir()
    for f in (src / "dictionaries").glob("*.csv"):  # links, not copies
        (folder / "dictionaries" / f.name).symlink_to(f)
    return folder


def test_build_rejects_an_empty_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(SnapshotError, match="no ILOSTAT data CSV files"):
        build(tmp_path / "empty", tmp_path / "out", progress=False)
    with pytest.raises(SnapshotError, match="does not exist"):
        build(tmp_path / "nowhere", tmp_path / "out", progress=False)
    assert not (tmp_path / "out").exists()


def test_build_into_a_place_that_cannot_be_written_says_so_before_reading(src, tmp_path):
    import time

    (tmp_path / "a-file").write_text("not a folder")
    started = time.monotonic()
    with pytest.raises(SnapshotError, match="cannot be written"):   # was a bare FileNotFoundError at the end
        build(src, tmp_path / "a-file" / "snapshot", progress=False)
    assert time.monotonic() - started < 1.0   # refused before the data files are read


@pytest.mark.parametrize("name, text, why", [
    ("bulk/notes.csv", "country,value\nPHL,3\n", "no 'time' and 'obs_value' columns"),
    ("bulk/SDG_0852_SEX_AGE_RT_A.csv", "ref_area,indicator,sex,classif1,time,obs_value\n"
     "PHL,SDG_0852_SEX_AGE_RT,SEX_T,AGE_YTHADULT_YGE15,2020,n/a\n", "obs_value should hold numbers, found 'n/a'"),
    ("bulk/SDG_0852_SEX_AGE_RT_A.csv", "ref_area,indicator,time,obs_value\nPHL,SDG_0852_SEX_AGE_RT,2020,1\n",
     "the column sex is missing"),     # the id says _SEX_ and _AGE_
    ("bulk/SDG_0852_SEX_AGE_RT_A.csv", "ref_area,indicator,sex,classif1,time,obs_value\n"
     "PHL,SDG_0852_SEX_AGE_RT,AGE_YTHADULT_YGE15,SEX_T,2020,1\n", "classif1 should hold AGE_ codes"),   # swapped
    ("bulk/SDG_0852_SEX_AGE_RT_A.csv", "ref_area,indicator,sex,classif1,time,obs_value\n"
     "PHL,SDG_0852_SEX_AGE_RT,SEX_T,AGE_YTHADULT_YGE15,2020,1\nPHL,SDG_0852_SEX_AGE_RT,SEX_T\n",
     "line 3 has 3 fields where the header has 6"),   # a short row is not padded
    ("bulk/MIXED_A.csv", "ref_area,indicator,time,obs_value\nPHL,A_B,2020,1\nPHL,C_D,2020,2\n", "one dataset per file"),
    ("bulk/whatever.csv", "ref_area,time,obs_value\nPHL,2020,1\n", "does not start with the dataset id"),
    ("bulk/SDG_0852_SEX_AGE_RT_A.csv", "ref_area,indicator,time,obs_value\nPHL,SDG_0852_SEX_AGE_RT,2020Q1,1\n",
     "do not match the frequency"),
    ("bulk/binary.csv", b"\xff\xfe\x00\x01garbage\x00", "not CSV text"),
    ("ddf/ddf--datapoints--ilr_cbct_noc_rt--by--ref_area--time.csv", "ref_area,time,ilr_cbct_noc_rt\nphl,2020,1\nphl,2020Q1,2\n",
     "mixes or misspells periods"),
])
def test_build_names_the_file_that_is_not_ilostat_format(src, tmp_path, name, text, why):
    folder = _folder_with_dictionaries(src, tmp_path)
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(SnapshotError, match=why) as err:
        build(folder, tmp_path / "out", progress=False)
    assert str(path) in str(err.value)  # the full path of the offending file


def test_build_rejects_two_files_of_one_dataset(src, tmp_path):
    folder = _folder_with_dictionaries(src, tmp_path)
    rows = "ref_area,indicator,time,obs_value\nPHL,SDG_A821_NOC_RT,2020,1\n"
    (folder / "bulk" / "SDG_A821_NOC_RT_A.csv").write_text(rows)
    (folder / "bulk" / "SDG_A821_NOC_RT_A-filtered-2024-01-01.csv").write_text(rows)
    with pytest.raises(SnapshotError, match="SDG_A821_NOC_RT_A is also in"):
        build(folder, tmp_path / "out", progress=False)


def test_build_needs_the_dictionaries(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "SDG_A821_NOC_RT_A.csv").write_text("ref_area,indicator,time,obs_value\nPHL,SDG_A821_NOC_RT,2020,1\n")
    with pytest.raises(SnapshotError, match="dictionaries"):
        build(folder, tmp_path / "out", progress=False)


def test_small_build_keeps_every_row_and_its_vintage(src, tmp_path):
    folder = _folder_with_dictionaries(src, tmp_path)
    rows = "ref_area,indicator,source,time,obs_value\nPHL,SDG_A821_NOC_RT,XA:1,2020,1.5\nPHL,SDG_A821_NOC_RT,XA:1,2020,1.5\nIDN,SDG_A821_NOC_RT,XA:1,2021,\n"
    (folder / "bulk" / "SDG_A821_NOC_RT_A-filtered-2024-01-02.csv").write_text("\ufeff" + rows)
    m = build(folder, tmp_path / "out", progress=False)
    e = m["datasets"]["SDG_A821_NOC_RT_A"]
    assert e["rows"] == 3 and e["vintage"] == "2024-01-02" and e["time_start"] == "2020"
    df = Snapshot(tmp_path / "out").get(Query.build("SDG_A821_NOC_RT_A"))
    assert df["obs_value"].isna().sum() == 1 and len(df) == 3
    assert m["snapshot_id"].startswith("ilostat-2024-01-02-")


# ------------------------------------------------------------------------------------------ reading
def test_missing_or_damaged_snapshot_is_a_clear_error(tmp_path):
    with pytest.raises(SnapshotError, match="manifest.json is missing"):
        Snapshot(tmp_path)
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(SnapshotError, match="damaged"):
        Snapshot(tmp_path)
    copy = tmp_path / "copy"
    shutil.copytree(DEFAULT_PATH, copy)
    (copy / "data" / "SDG_0861_SEX_RT_A.parquet").write_bytes(b"PAR1 truncated")
    with pytest.raises(SnapshotError, match="SDG_0861_SEX_RT_A.parquet"):
        Snapshot(copy).get(Query.build("SDG_0861_SEX_RT_A"))


def test_get_reads_only_the_dataset_asked_for(tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(DEFAULT_PATH, copy)
    for p in (copy / "data").glob("*.parquet"):
        if p.stem != "SDG_0831_SEX_ECO_RT_A":
            p.unlink()
    df = Snapshot(copy).get(Query.build("SDG_0831_SEX_ECO_RT_A", ref_area="IDN"))
    assert len(df) > 0 and set(df["ref_area"]) == {"IDN"}


@pytest.mark.parametrize("kw", [
    dict(ref_area=["PHL", "IDN"], sex="F"),
    dict(ref_area="VNM", classif1="AGE_YTHADULT_Y15-24", start=2010, end=2015),
    dict(source="BA:510"),
    dict(sex=["M", "F"], start="2020"),
])
def test_filtered_get_equals_filtering_the_whole_dataset(kw):
    q = Query.build("SDG_0852_SEX_AGE_RT_A", **kw)
    whole = SNAP.get(Query.build("SDG_0852_SEX_AGE_RT_A"))
    expected = filter_frame(whole, q).reset_index(drop=True)
    got = SNAP.get(q)
    pd.testing.assert_frame_equal(got, expected)
    assert got.attrs["provenance"]["origin"] == "snapshot"


def test_get_result_shape_and_provenance():
    df = SNAP.get(Query.build("SDG_0852_SEX_AGE_RT_A", ref_area="PHL"))
    assert list(df.columns)[:6] == ["ref_area", "source", "indicator", "sex", "classif1", "time"]
    assert df["obs_value"].dtype == "float64" and "period" in df.columns
    assert not any(c.endswith(".label") for c in df.columns)
    p = df.attrs["provenance"]
    assert p["snapshot_id"] == SNAP.snapshot_id and p["vintage"] == "2023-11-29" and p["licence"] == "CC BY 4.0"
    assert "evidencekit offline snapshot" in p["citation"] and "SDG_0852_SEX_AGE_RT_A" in p["citation"]


def test_unknown_filter_code_names_the_filter_and_the_codes_that_exist():
    with pytest.raises(NoMatchError) as err:
        SNAP.get(Query.build("SDG_0852_SEX_AGE_RT_A", ref_area="PHL", classif1="AGE_YTHADULT_Y99"))
    msg = str(err.value)
    assert "classif1=AGE_YTHADULT_Y99" in msg and "AGE_YTHADULT_Y15-24" in msg and "offline snapshot" in msg
    with pytest.raises(NoMatchError, match="ref_area=PHL"):  # informality has no PHL rows
        SNAP.get(Query.build("SDG_0831_SEX_ECO_RT_A", ref_area="PHL"))
    with pytest.raises(NoMatchError, match="no sex column"):
        SNAP.get(Query.build("SDG_A821_NOC_RT_A", sex="T"))


def test_an_ilostat_code_the_snapshot_does_not_hold_is_not_called_a_typo():
    # X13 (Sub-Saharan Africa) is a real ILOSTAT area; this snapshot file has no rows for it, live data may
    with pytest.raises(NoMatchError) as err:
        SNAP.get(Query.build("SDG_0852_SEX_AGE_RT_A", ref_area="X13"))
    msg = str(err.value)
    assert "X13 (Sub-Saharan Africa) is an ILOSTAT code" in msg and "release 2023-11-29" in msg
    assert "ILOSTAT online" in msg and "did you mean" not in msg


def test_a_name_instead_of_a_code_suggests_the_code():
    with pytest.raises(NoMatchError, match=r"did you mean PHL \(Philippines\)\?"):
        SNAP.get(Query.build("SDG_0852_SEX_AGE_RT_A", ref_area="philippines"))
    with pytest.raises(NoMatchError, match=r"PHX is not an ILOSTAT code.*did you mean PHL \(Philippines\)"):
        SNAP.get(Query.build("SDG_0852_SEX_AGE_RT_A", ref_area="PHX"))


def test_id_not_in_snapshot_lists_close_matches_that_are():
    with pytest.raises(NotAvailableOfflineError) as err:
        SNAP.get(Query.build("SDG_0852_SEX_AGE_RT_Q"))
    msg = str(err.value)
    named = re.findall(r"[A-Z0-9_]+_[AQM]\b", msg.split("What to do:")[1])
    assert named and named[0] == "SDG_0852_SEX_AGE_RT_A" and set(named) <= set(IDS)


def test_labels_from_explorer_file_keep_ilostat_release_wording():
    df = SNAP.get(Query.build("EAR_4MTH_SEX_GEO_CUR_NB_A", ref_area="PHL", labels=True))
    assert set(df["classif2"]) == {"CUR_TYPE_PPP"}
    assert set(df["classif2.label"]) == {"Currency: 2021 PPP $"}  # not the 2024 dictionary's "2017 PPP $"
    assert set(df["sex.label"]) <= {"Total", "Male", "Female", "Other"}


def test_french_labels_come_from_the_sdmx_codelists_and_fallbacks_are_declared(src):
    cl = pd.read_csv(src / "sdmx" / "ILO_codelists_2026-05-18.csv", dtype=str)
    fr = cl.set_index(["codelist_id", "code_id"])["name_fr"]
    with pytest.warns(UserWarning, match="no 'fr' labels"):
        df = SNAP.get(Query.build("SDG_0852_SEX_AGE_RT_A", ref_area="CIV", labels=True, lang="fr"))
    for code, label in df[["sex", "sex.label"]].drop_duplicates().itertuples(index=False):
        assert label == fr[("CL_SEX", code)]
    assert set(df["ref_area.label"]) == {fr[("CL_AREA", "CIV")]}
    labels = df.attrs["provenance"]["labels"]
    assert labels["lang"] == "fr" and "indicator.label" in labels["fallback_to_en"]
    assert "sex.label" not in labels["fallback_to_en"]
    with pytest.warns(UserWarning):
        ear = SNAP.get(Query.build("EAR_4MTH_SEX_GEO_CUR_NB_A", ref_area="PHL", labels=True, lang="fr"))
    assert set(ear["classif2.label"]) == {"Currency: 2021 PPP $"}  # codelist's "Dollars PPA 2017" would be wrong
    assert "classif2.label" in ear.attrs["provenance"]["labels"]["fallback_to_en"]
    assert set(ear["classif1.label"]) <= {fr[("CL_GEO", c)] for c in ("GEO_COV_NAT", "GEO_COV_URB", "GEO_COV_RUR")}


def test_dictionary_languages(src):
    en = SNAP.dictionary("sex")
    assert list(en.columns) == ["sex", "sex.label", "label_lang"] and set(en["label_lang"]) == {"en"}
    es = SNAP.dictionary("obs_status", "es")
    assert es.set_index("obs_status").loc["B", "obs_status.label"] == "Ruptura de serie"
    ind_fr = SNAP.dictionary("indicator", "fr")
    assert set(ind_fr["label_lang"]) == {"en"}  # no French indicator labels offline: said, not hidden
    assert "ref_area" in SNAP.dictionary("source").columns
    with pytest.raises(NotAvailableOfflineError):
        SNAP.dictionary("colour")
    raw = _read_source(src / "dictionaries" / "classif1_en.csv")
    raw.columns = ["classif1", "classif1.label"]
    got = SNAP.dictionary("classif1").set_index("classif1")["classif1.label"]
    assert (got[raw["classif1"]].to_numpy() == raw["classif1.label"].to_numpy()).all()


def test_toc_lists_every_dictionary_indicator_and_fills_the_held_ones(src):
    toc = SNAP.toc()
    ind = _read_source(src / "dictionaries" / "indicator_en.csv")
    ind.columns = ["indicator", "indicator.label"]
    assert set(ind["indicator"]) <= set(toc["indicator"])
    held = toc[toc["offline"]]
    assert sorted(held["id"]) == IDS
    for row in held.itertuples():
        e = SNAP.manifest["datasets"][row.id]
        assert (row.data_start, row.data_end, row.last_update, row.n_records) == (
            e["time_start"], e["time_end"], e["vintage"], e["rows"])
    assert toc.loc[~toc["offline"], "id"].isna().all()  # no frequency invented for indicators we do not hold
    assert toc["label"].notna().all()


def test_areas_names_aggregates_and_regions_from_the_sdmx_codelist(src):
    areas = SNAP.areas()
    dic = _read_source(src / "dictionaries" / "ref_area_en.csv")
    dic.columns = ["ref_area", "ref_area.label"]
    merged = dic.merge(areas, on="ref_area", suffixes=("_dic", ""))
    assert len(merged) == len(dic) and (merged["ref_area.label_dic"] == merged["ref_area.label"]).all()
    assert (areas["is_aggregate"] == areas["ref_area"].str.startswith("X")).all()
    assert not areas["ref_area"].str.startswith("_").any()  # SDMX "_Z" (not applicable) is no area
    xml = (src / "sdmx" / "ILO_codelist_CL_ECO_parentsandsiblings_2026-05-18.xml").read_text(encoding="utf-8")
    area_block = xml[xml.index('<structure:Codelist id="CL_AREA"'):]
    area_block = area_block[:area_block.index("</structure:Codelist>")]
    regions = dict(re.findall(
        r'<structure:Code id="([^"]+)">(?:(?!</structure:Code>).)*?<common:AnnotationTitle>([^<]+)</common:AnnotationTitle>'
        r"\s*<common:AnnotationType>ILO_REGION<", area_block, flags=re.S))
    assert len(regions) > 300
    got = areas.set_index("ref_area")["ilo_region"]
    for code, region in regions.items():
        if code.startswith("_"):
            continue
        assert (pd.isna(got[code]) if region == "_Z" else got[code] == region), code
    phl = areas.set_index("ref_area").loc["PHL"]
    assert phl["ilo_region.label"] == "Asia and the Pacific" and phl["income_group"] == "X03"
    assert areas.loc[areas["is_aggregate"], "ilo_region"].isna().all()


def test_snapshot_reads_are_cached_and_copies_are_returned():
    a = SNAP.toc()
    a.loc[0, "label"] = "changed"
    assert SNAP.toc().loc[0, "label"] != "changed"
    assert SNAP._toc is not None  # kept in memory after the first read


def test_tidy_is_idempotent_on_snapshot_answers():
    df = SNAP.get(Query.build("SDG_0861_SEX_RT_A", ref_area="THA"))
    pd.testing.assert_frame_equal(tidy(df.drop(columns="period")), df)


def test_manifest_json_is_plain_json():
    data = json.loads((DEFAULT_PATH / "manifest.json").read_text(encoding="utf-8"))
    assert data == SNAP.manifest
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SNAP.get(Query.build("SDG_0861_SEX_RT_A", ref_area="THA", labels=True))  # English: no warning


def test_fast_period_column_equals_query_period_column():
    from evidencekit.ilostat.query import period_column
    from evidencekit.ilostat.snapshot import periods as _periods

    for values in (["2020", "2021Q3", "2019M11", "2020", "1999Q1"], [], ["2024M01"] * 3):
        time = pd.Series(values, dtype="string")
        pd.testing.assert_series_equal(_periods(time), period_column(time))


def test_build_never_writes_over_a_folder_that_is_not_a_snapshot(src, tmp_path):
    folder = _folder_with_dictionaries(src, tmp_path)
    (folder / "bulk" / "SDG_A821_NOC_RT_A.csv").write_text("ref_area,indicator,time,obs_value\nPHL,SDG_A821_NOC_RT,2020,1\n")
    mine = tmp_path / "my documents"
    mine.mkdir()
    (mine / "thesis.docx").write_text("precious")
    with pytest.raises(SnapshotError, match="not a snapshot"):
        build(folder, mine, progress=False)
    assert (mine / "thesis.docx").read_text() == "precious"
    out = tmp_path / "snap"
    build(folder, out, progress=False)
    (folder / "bulk" / "SDG_A821_NOC_RT_A.csv").unlink()
    (folder / "bulk" / "SDG_0861_SEX_RT_A.csv").write_text("ref_area,indicator,sex,time,obs_value\n"
                                                           "PHL,SDG_0861_SEX_RT,SEX_T,2020,1\n")
    build(folder, out, progress=False)  # an existing snapshot is replaced as a whole
    assert Snapshot(out).datasets() == ["SDG_0861_SEX_RT_A"]
    assert sorted(p.name for p in (out / "data").iterdir()) == ["SDG_0861_SEX_RT_A.parquet"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no staging left behind
