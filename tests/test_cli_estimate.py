"""`evidencekit estimate`: the indicators from the command line (the ILOSTAT verbs: tests/ilostat/test_cli.py)."""
from __future__ import annotations

import pandas as pd
import pytest

from evidencekit import indicators
from evidencekit import export
from evidencekit.cli import main
from evidencekit.microdata import read
from evidencekit.microdata.synthetic import load_sample


def test_estimate_defaults_to_the_synthetic_survey_and_matches_the_library(tmp_path, capsys):
    target = tmp_path / "u.csv"
    assert main(["estimate", "unemployment_rate", "youth_neet_rate", "--by", "ilo_sex", "--out", str(target)]) == 0
    out = capsys.readouterr().out
    assert "SYNTHETIC" in out and "Taylor linearisation" in out and "12 strata" in out
    got = export.read_csv(target)
    want = indicators.estimate(load_sample(), ["unemployment_rate", "youth_neet_rate"], by="ilo_sex")
    assert got["estimate"].tolist() == pytest.approx(want["estimate"].tolist(), rel=1e-12)
    assert got["ci_high"].tolist() == pytest.approx(want["ci_high"].tolist(), rel=1e-12)
    assert f"{want['estimate'].iloc[0]:.3f}" in out


def test_estimate_t_intervals_and_level_reach_the_estimator(tmp_path):
    target = tmp_path / "u.parquet"
    assert main(["estimate", "unemployment_rate", "--ci", "t", "--level", "0.9", "--out", str(target)]) == 0
    got = pd.read_parquet(target)
    want = indicators.estimate(load_sample(), "unemployment_rate", level=0.9, ci="t")
    assert got["ci_low"].iloc[0] == pytest.approx(want["ci_low"].iloc[0], rel=1e-12)
    assert got["ci_low"].iloc[0] != pytest.approx(indicators.estimate(load_sample(), "unemployment_rate")["ci_low"].iloc[0])


def test_estimate_list_shows_the_catalogue(capsys):
    assert main(["estimate", "--list"]) == 0
    out = capsys.readouterr().out
    for name in indicators.catalogue()["name"]:
        assert name in out


@pytest.mark.parametrize("argv, message", [
    (["estimate"], "no indicator was named"),
    (["estimate", "unemployement_rate"], "use 'unemployment_rate' instead"),
    (["estimate", "unemployment_rate", "--mapping", "psa_lfs_puf"], "only applies to a survey file"),
    (["estimate", "unemployment_rate", "--out", "u.docx"], "end the name with .csv, .xlsx or .parquet"),
    (["estimate", "unemployment_rate", "--by", "sexx"], "Estimating by 'sexx'"),
    (["estimate", "unemployment_rate", "--file", "nowhere.csv"], "nowhere.csv"),
])
def test_estimate_bad_input_is_one_line_without_traceback(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and "Traceback" not in err


def test_estimate_on_a_csv_file_with_a_design(tmp_path, capsys):
    data = load_sample().data[["ilo_wgt", "strata", "psu", "ilo_sex", "ilo_wap", "ilo_lfs"]]
    path = tmp_path / "lfs.csv"
    data.to_csv(path, index=False)
    target = tmp_path / "lfpr.xlsx"
    assert main(["estimate", "labour_force_participation_rate", "--file", str(path), "--weight", "ilo_wgt",
                 "--strata", "strata", "--psu", "psu", "--out", str(target)]) == 0
    got = pd.read_excel(target)
    want = indicators.estimate(read(path, weight="ilo_wgt", strata="strata", psu="psu"),
                               "labour_force_participation_rate")
    assert got["se"].iloc[0] == pytest.approx(want["se"].iloc[0], rel=1e-12)
    assert "lfs.csv" in capsys.readouterr().out


def test_estimate_psa_public_use_file(shared_data, capsys):
    dcf = shared_data / "microdata" / "phl_lfs_puf_2022" / "LFS_PUF_November_2022.dcf"
    assert main(["estimate", "unemployment_rate", "--file", str(dcf), "--mapping", "psa_lfs_puf"]) == 0
    out = capsys.readouterr().out
    assert "4.196" in out  # PSA published 4.2 (tests/indicators/test_psa_published.py)
    assert "707 PSUs (PUFPSU)" in out
