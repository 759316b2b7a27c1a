"""`evidencekit estimate`: the indicators from the command line (the ILOSTAT verbs: tests/ilostat/test_cli.py)."""
from __future__ import annotations

import re

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
    (["estimate", "unemployment_rate", "--level", "95"], "use --level 0.95 (a share, not a percent)"),
    (["estimate", "unemployment_rate", "--cv-caution", "60"], "--cv-caution 60 is above --cv-unreliable 50"),
    (["estimate", "mean_monthly_earnings_employees", "--ci", "logit"], "use --ci normal or --ci t for it"),
    (["estimate", "unemployment_rate", "--gap", "2", "1"], "--gap A B: compares two groups of one --by column"),
    (["estimate", "unemployment_rate", "--by", "ilo_sex", "--gap", "2", "3"],
     "choose among: 1 (Male), 2 (Female)"),
    (["estimate", "unemployment_rate", "--unweighted"], "only applies to a survey file given with --file"),
])
def test_estimate_bad_input_is_one_line_without_traceback(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and "Traceback" not in err
    assert not re.search(r"\b(weight|sheet|level|min_n|lonely_psu|ci|mapping)=", err)   # options, not arguments


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


def test_messages_name_options_and_a_missing_file_offers_no_unrelated_file(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("not a survey")
    data = load_sample().data[["ilo_wgt", "strata", "psu", "ilo_wap", "ilo_lfs"]]
    data.to_csv(tmp_path / "lfs_2023.csv", index=False)
    assert main(["estimate", "unemployment_rate", "--file", str(tmp_path / "survey.csv")]) == 2
    err = capsys.readouterr().err
    assert "no file of a similar name" in err and "notes.txt" not in err and "lfs_2023" not in err
    assert main(["estimate", "unemployment_rate", "--file", str(tmp_path / "lfs_2022.csv")]) == 2
    assert "there is 'lfs_2023.csv' in the same folder: did you mean it?" in capsys.readouterr().err
    assert main(["estimate", "unemployment_rate", "--file", str(tmp_path / "lfs_2023.csv"), "--weight", "wgt"]) == 2
    err = capsys.readouterr().err
    assert "(pass --weight <column name>)" in err and "weight=" not in err
    assert main(["estimate", "lu3_rate", "--file", str(tmp_path / "lfs_2023.csv")]) == 2
    err = capsys.readouterr().err
    assert "ilo_olf_dlma" in err and "needed by lu3_rate" in err and "--mapping THAT_FILE.yaml" in err
    assert "evidencekit mapping init FILE" in err


def test_the_ilo_weight_is_used_and_said_and_notes_are_shown(tmp_path, capsys):
    data = load_sample().data[["ilo_wgt", "strata", "psu", "ilo_wap", "ilo_lfs"]]
    path = tmp_path / "lfs.csv"
    data.to_csv(path, index=False, lineterminator="\n")
    path.write_text(path.read_text().rstrip("\n"))      # no final line break: read, and said
    assert main(["estimate", "unemployment_rate", "--file", str(path), "--strata", "strata", "--psu", "psu"]) == 0
    out = capsys.readouterr().out
    assert "weight ilo_wgt (not named: the file's ILO harmonised weight; --weight COL for another" in out
    assert "Notes on reading the file:" in out and "does not end with a line break" in out
    want = indicators.estimate(read(path, weight="ilo_wgt", strata="strata", psu="psu"), "unemployment_rate")
    assert f"{want['estimate'].iloc[0]:.3f}" in out
    assert main(["estimate", "unemployment_rate", "--file", str(path), "--unweighted"]) == 0
    out = capsys.readouterr().out
    assert "weight none" in out and "NW" in out


def test_flags_short_in_the_table_legend_once_and_logit_intervals(capsys):
    assert main(["estimate", "share_members_producers_cooperatives", "--by", "region", "ilo_sex"]) == 0
    out = capsys.readouterr().out
    table, rest = out.split("\nFlags:\n")
    assert "CI<0" in table and "cannot be negative" not in table
    assert rest.count("CI<0 ") == 1 and "cannot be negative" in rest
    assert main(["estimate", "share_members_producers_cooperatives", "--by", "region", "ilo_sex", "--ci", "logit"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "CI<0" not in out and "logit (R svyciprop), kept within 0-100" in out


def test_gap_between_two_groups(tmp_path, capsys):
    target = tmp_path / "gap.csv"
    assert main(["estimate", "unemployment_rate", "--by", "ilo_sex", "--gap", "Female", "Male", "--out",
                 str(target)]) == 0
    out = capsys.readouterr().out
    want = indicators.gap(load_sample(), "unemployment_rate", by="ilo_sex", a=2, b=1)
    assert "a - b" in out and f"{want['estimate'].iloc[0]:.3f}" in out and "percentage points" in out
    got = export.read_csv(target)
    assert got["se"].iloc[0] == pytest.approx(want["se"].iloc[0], rel=1e-12)
    assert any("contrast" in line and "minus" in line for line in got.attrs["about"])
