"""`evidencekit mapping init | check | list`: a starting mapping from a file's columns, and what it still lacks."""
from __future__ import annotations

import pandas as pd
import pytest

from evidencekit.cli import main
from evidencekit.indicators import estimate
from evidencekit.microdata import Mapping, read
from evidencekit.microdata.synthetic import load_sample


@pytest.fixture
def national(tmp_path):
    """A survey with national names: weight FACTOR, SEXO, EDAD, ESTRATO, UPM, AREA, activity P20 (1-3)."""
    d = load_sample().data
    frame = pd.DataFrame({"FACTOR": d["ilo_wgt"], "SEXO": d["ilo_sex"], "EDAD": d["ilo_age"], "ESTRATO": d["strata"],
                          "UPM": d["psu"], "AREA": d["ilo_geo"], "P20": d["ilo_lfs"]})
    path = tmp_path / "enemdu.csv"
    frame.to_csv(path, index=False)
    return path


def test_init_writes_a_starting_mapping_that_loads_and_lists_what_to_fill(national, tmp_path, capsys):
    target = tmp_path / "enemdu.yaml"
    assert main(["mapping", "init", str(national), "--out", str(target)]) == 0
    said = capsys.readouterr().out
    assert "Guessed (check each one): ilo_wgt, ilo_sex, ilo_age, ilo_age_aggregate, ilo_wap, ilo_geo" in said
    text = target.read_text()
    m = Mapping.from_yaml(target)
    assert m.design == {"weight": "ilo_wgt", "strata": "ESTRATO", "psu": "UPM", "nest": True}
    assert m.variables["ilo_wgt"] == {"copy": "FACTOR", "label": "Final person weight (FACTOR)"}
    assert "# TODO ilo_lfs: labour force status: 1 employed, 2 unemployed, 3 outside the labour force" in text
    assert "needed by: lu3_rate, lu4_rate" in text and "#   P20" in text
    # the guessed rules give the same weights, sexes and ages as the file
    s = read(national, mapping=target)
    assert s.weight == "ilo_wgt" and s.strata == "ESTRATO" and s.psu == "UPM"
    assert (s.data["ilo_age"] == s.data["EDAD"]).all() and (s.data["ilo_wgt"] == s.data["FACTOR"]).all()
    # a second init does not overwrite the user's work
    assert main(["mapping", "init", str(national), "--out", str(target)]) == 2
    assert "exists already" in capsys.readouterr().err


def test_check_says_what_the_mapping_still_lacks_then_what_it_gives(national, tmp_path, capsys):
    target = tmp_path / "enemdu.yaml"
    main(["mapping", "init", str(national), "--out", str(target)])
    capsys.readouterr()
    assert main(["mapping", "check", str(national), "--mapping", str(target)]) == 0
    out = capsys.readouterr().out
    assert "Indicators it can give (0 of" in out and "ilo_lfs: labour force status" in out
    # the user fills ilo_lfs from P20: the participation and unemployment rates become available
    with open(target, "a", encoding="utf-8") as fh:
        fh.write("\n")
    m = Mapping.from_yaml(target)
    m.variables["ilo_lfs"] = {"from": "P20", "recode": {1: 1, 2: 2, 3: 3}, "where": {"ilo_wap": 1}}
    m.to_yaml(target)
    assert main(["mapping", "check", str(national), "--mapping", str(target)]) == 0
    out = capsys.readouterr().out
    assert "unemployment_rate" in out.split("ILO variables")[0]
    got = estimate(read(national, mapping=target), "unemployment_rate")["estimate"].iloc[0]
    assert got == pytest.approx(estimate(load_sample(), "unemployment_rate")["estimate"].iloc[0], rel=1e-12)


def test_init_reads_value_labels_of_a_stata_file(tmp_path, capsys):
    import pyreadstat

    frame = pd.DataFrame({"q1_sex": [1.0, 2.0, 2.0], "q2_age": [30.0, 41.0, 7.0], "pweight": [10.5, 12.25, 9.0]})
    path = tmp_path / "lfs.dta"
    pyreadstat.write_dta(frame, str(path), variable_value_labels={"q1_sex": {1.0: "Female", 2.0: "Male"}})
    target = tmp_path / "lfs.yaml"
    assert main(["mapping", "init", str(path), "--out", str(target)]) == 0
    m = Mapping.from_yaml(target)
    assert m.variables["ilo_sex"]["recode"] == {1: 2, 2: 1}      # read from the labels: 1 Female -> ILO 2
    assert "from the value labels" in target.read_text()


def test_list_and_errors(capsys, tmp_path):
    assert main(["mapping", "list"]) == 0
    assert "psa_lfs_puf" in capsys.readouterr().out
    assert main(["mapping", "init", str(tmp_path / "nowhere.csv")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "nowhere.csv" in err and "Traceback" not in err
    assert main(["mapping", "init", str(tmp_path / "x.csv"), "--out", "x.txt"]) == 2
    assert "end the name with .yaml" in capsys.readouterr().err
    assert main(["mapping"]) == 2
