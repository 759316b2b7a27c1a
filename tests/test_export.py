"""evidencekit.export: formula-safe, cited CSV / XLSX / Parquet (one writer for the CLI, the app and notebooks)."""
from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from evidencekit import export
from evidencekit.errors import InputError

CITATION = "ILOSTAT, International Labour Organization. SDG_0852_SEX_AGE_RT_A. Release 2023-11-29. Licence: CC BY 4.0."


def frame() -> pd.DataFrame:
    df = pd.DataFrame({"=HYPERLINK(\"http://x\")": ["=1+2", "@SUM(A1)", "Total"], "obs_value": [-1.5, 2.0, 3.0],
                       "note": ["-2.5", "+cmd", "\tx"]})
    df.attrs["provenance"] = {"origin": "snapshot", "citation": CITATION, "licence": "CC BY 4.0",
                              "query": {"ref_area": ["PHL"], "start": None}}
    return df


def test_xlsx_header_and_cells_are_never_live_formulas(tmp_path):
    path = export.write(frame(), tmp_path / "x.xlsx")
    book = openpyxl.load_workbook(path)
    data = book["data"]
    cells = [c for row in data.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells), [c.value for c in cells if c.data_type == "f"]
    assert data["A1"].value == "'=HYPERLINK(\"http://x\")"
    assert [data.cell(r, 1).value for r in (2, 3, 4)] == ["'=1+2", "'@SUM(A1)", "Total"]
    assert data["B2"].value == -1.5 and data["C2"].value == "-2.5" and data["C3"].value == "'+cmd"
    about = {row[0].value: row[1].value for row in book["about"].iter_rows(min_row=2)}
    assert about["citation"] == CITATION and about["origin"] == "snapshot" and about["query.ref_area"] == "PHL"


def test_csv_carries_the_citation_above_a_safe_header(tmp_path):
    path = export.write(frame(), tmp_path / "x.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == f"# Citation: {CITATION}"
    back = export.read_csv(path)
    assert back.columns[0] == "'=HYPERLINK(\"http://x\")"
    assert back["obs_value"].tolist() == [-1.5, 2.0, 3.0]
    assert any("CC BY 4.0" in line for line in back.attrs["about"])


def test_parquet_keeps_values_and_provenance(tmp_path):
    path = export.write(frame(), tmp_path / "x.parquet")
    back = pd.read_parquet(path)
    assert back.columns[0] == "=HYPERLINK(\"http://x\")"  # Parquet is data, not a spreadsheet: kept as is
    assert back.attrs["provenance"]["citation"] == CITATION


def test_estimate_export_says_survey_design_and_level(tmp_path):
    from evidencekit.indicators import estimate
    from evidencekit.microdata.synthetic import load_sample

    result = estimate(load_sample(), "unemployment_rate", by="ilo_sex", level=0.9)
    book = openpyxl.load_workbook(export.write(result, tmp_path / "u.xlsx"))
    about = {row[0].value: row[1].value for row in book["about"].iter_rows(min_row=2)}
    assert about["ci.level"] == "0.9" and about["design.weight"] == "ilo_wgt" and about["design.strata"] == "strata"
    fields = [row[0].value for row in book["about"].iter_rows(min_row=2)]
    assert fields.count("design.weight") == 1  # the design is said once (provenance and attrs both hold it)
    assert "SYNTHETIC" in about["citation"]


def test_a_frame_without_provenance_is_said_uncited(tmp_path):
    text = export.write(pd.DataFrame({"a": [1]}), tmp_path / "a.csv").read_text()
    assert text.startswith("# Citation: none recorded")


def test_bad_target_and_unwritable_folder(tmp_path):
    with pytest.raises(InputError, match=r"\.csv, \.xlsx or \.parquet"):
        export.write(frame(), tmp_path / "x.txt")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(InputError, match="choose a folder you can write to"):
        export.write(frame(), blocker / "x.csv")
    assert not list(tmp_path.glob(".*part"))


def test_a_failed_write_leaves_the_earlier_file_whole(tmp_path, monkeypatch):
    path = export.write(frame(), tmp_path / "x.csv")
    before = path.read_bytes()

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", boom)
    with pytest.raises(InputError, match="disk full"):
        export.write(frame(), path)
    assert path.read_bytes() == before
