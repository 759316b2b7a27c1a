"""The ``evidencekit`` command: exit codes, one-line errors, the ``--out`` files, formula neutralisation."""
from __future__ import annotations

import csv
import re
import subprocess
import sys

import pandas as pd
import pytest

from evidencekit import export
from evidencekit.cli import main
from evidencekit.export import neutralise_formulas

PHL = ["get", "SDG_0852_SEX_AGE_RT_A", "--ref-area", "PHL"]


@pytest.fixture
def offline_env(monkeypatch, tmp_path):
    monkeypatch.setenv("EVIDENCEKIT_OFFLINE", "1")
    monkeypatch.setenv("EVIDENCEKIT_CACHE_DIR", str(tmp_path / "cache"))


def bulk_rows(shared_data, area: str) -> list[dict]:
    with open(shared_data / "ilostat" / "bulk" / "SDG_0852_SEX_AGE_RT_A.csv", encoding="utf-8-sig", newline="") as fh:
        return [r for r in csv.DictReader(fh) if r["ref_area"] == area]


def test_search_offline_says_where_it_comes_from(offline_env, no_network, capsys):
    assert main(["search", "unemployment", "--limit", "5"]) == 0
    out = capsys.readouterr().out
    assert "SDG_0852_SEX_AGE_RT_A" in out
    assert "from the offline snapshot catalogue" in out


def test_search_offline_in_french_says_labels_are_english_only(offline_env, no_network, capsys):
    assert main(["search", "chômage", "--lang", "fr"]) == 0
    said = capsys.readouterr()
    assert (said.out + said.err).count("English only") == 1


def test_get_out_csv_matches_the_source_file(offline_env, no_network, tmp_path, capsys, shared_data):
    target = tmp_path / "phl.csv"
    assert main([*PHL, "--out", str(target)]) == 0
    out = capsys.readouterr().out
    assert f"to {target}" in out and "Cite: ILOSTAT, International Labour Organization" in out
    assert "From: evidencekit offline snapshot" in out
    got = export.read_csv(target, dtype=str, keep_default_na=False)
    want = bulk_rows(shared_data, "PHL")
    assert len(got) == len(want) > 0
    key = ["sex", "classif1", "time"]
    got_values = {tuple(r[k] for k in key): float(r["obs_value"]) for r in got.to_dict("records")}
    want_values = {tuple(r[k] for k in key): float(r["obs_value"]) for r in want if r["obs_value"] != ""}
    assert got_values == pytest.approx(want_values)


@pytest.mark.parametrize("suffix", [".xlsx", ".parquet"])
def test_get_out_other_formats(offline_env, no_network, tmp_path, suffix):
    target = tmp_path / f"phl{suffix}"
    assert main([*PHL, "--sex", "T", "--out", str(target)]) == 0
    df = pd.read_excel(target) if suffix == ".xlsx" else pd.read_parquet(target)
    assert set(df["ref_area"]) == {"PHL"} and set(df["sex"]) == {"SEX_T"}


def test_preview_without_out(offline_env, no_network, capsys):
    assert main([*PHL, "--labels", "--rows", "3"]) == 0
    out = capsys.readouterr().out
    assert "Philippines" in out and "(first 3 shown" in out and "Cite:" in out


@pytest.mark.parametrize("args, needle", [
    (["get", "SDG_0852_SEX_AGE_RT_A", "--start", "20x5"], "'20x5': is not an ILOSTAT period"),
    (["get", "SDG_0852_SEX_AGE_RT_A", "--start", "2024", "--end", "2015"], "ends before it starts"),
    (["get", "SDG_0852_SEX_AGE_RT_A", "--lang", "de"], "is not offered by ILOSTAT"),
    (["get", "SDG_0852_SEX_AGE_RT_A", "--ref-area", "XYZ"], "--ref-area XYZ"),
    (["get", "UNE_DEAP_SEX_AGE_RT_A"], "neither in the local cache nor in the offline snapshot"),
    (["get", "SDG_0852_SEX_AGE_RT_A", "--out", "x.txt"], "end the name with .csv, .xlsx or .parquet"),
    (["snapshot", "build", "--from", __file__, "--out", "unused"], "is a file, not a folder"),
    ([*PHL, "--rows", "-1"], "--rows"),            # was: every row but the last, "first -1 shown"
    ([*PHL, "--rows", "0"], "--rows"),             # was: pandas' "Empty DataFrame" block
    (["search", "unemployment", "--limit", "-1"], "--limit"),   # was: all results but the last
    (["search", "unemployment", "--limit", "0"], "--limit"),
])
def test_errors_are_one_line_with_exit_code_2(offline_env, no_network, capsys, args, needle):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and needle in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_cache_clear_and_snapshot_info(offline_env, capsys):
    assert main(["cache", "clear"]) == 0
    assert "Removed" in capsys.readouterr().out
    assert main(["snapshot", "info"]) == 0
    out = capsys.readouterr().out
    assert "SDG_0852_SEX_AGE_RT_A" in out and "CC BY 4.0" in out


def test_areas_offline(offline_env, no_network, capsys):
    assert main(["areas"]) == 0
    out = capsys.readouterr().out
    assert "Philippines" in out and "NaN" not in out and "<NA>" not in out  # aggregates have no region: blank


def test_console_script_runs_as_a_new_user_would(tmp_path):
    """The installed command, network off (EVIDENCEKIT_OFFLINE), in a fresh folder: exit codes and messages."""
    env = {"EVIDENCEKIT_OFFLINE": "1", "EVIDENCEKIT_CACHE_DIR": str(tmp_path / "c"), "PATH": "/usr/bin:/bin"}
    run = [sys.executable, "-m", "evidencekit.cli"]
    ok = subprocess.run([*run, *PHL, "--out", "phl.csv"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "phl.csv").stat().st_size > 1000
    bad = subprocess.run([*run, "get", "NOPE"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.startswith("error: The indicator id 'NOPE'")
    assert "Traceback" not in bad.stderr
    helped = subprocess.run([*run, "get", "--help"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert helped.returncode == 0 and "--ref-area" in helped.stdout and "example" in helped.stdout


def test_neutralise_formulas_keeps_numbers_and_plain_text():
    df = pd.DataFrame({"note": ["=HYPERLINK(\"x\")", "+1", "-2.5", "@A1", "\tx", "Total", None],
                       "obs_value": [1.0, -2.0, 3.0, 4.0, 5.0, 6.0, 7.0]})
    out = neutralise_formulas(df)
    assert out["note"].tolist()[:6] == ["'=HYPERLINK(\"x\")", "+1", "-2.5", "'@A1", "'\tx", "Total"]
    assert pd.isna(out["note"].iloc[6])
    assert out["obs_value"].tolist() == df["obs_value"].tolist()
    assert df["note"].iloc[0] == "=HYPERLINK(\"x\")"  # the input is not changed


def test_csv_export_neutralises_formulas(tmp_path):
    from evidencekit.export import write

    target = tmp_path / "x.csv"
    write(pd.DataFrame({"ref_area": ["=cmd|' /C calc'!A0"], "obs_value": [-1.5]}), target)
    text = target.read_text()
    assert "'=cmd" in text and ",-1.5" in text


def test_snapshot_build_and_info(tmp_path, capsys, shared_data):
    """The command on a small folder of real files (the whole build is tested in test_snapshot.py)."""
    src = tmp_path / "downloads"
    for rel in ("bulk/SDG_0861_SEX_RT_A.csv", "ddf/ddf--datapoints--ilr_cbct_noc_rt--by--ref_area--time.csv",
                *(f"dictionaries/{p.name}" for p in (shared_data / "ilostat" / "dictionaries").glob("*.csv"))):
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).symlink_to(shared_data / "ilostat" / rel)
    out_dir = tmp_path / "snap"
    assert main(["snapshot", "build", "--from", str(src), "--out", str(out_dir), "--quiet"]) == 0
    built = capsys.readouterr().out
    assert f"2 datasets written to {out_dir}" in built and "release date unknown for ILR_CBCT_NOC_RT_A" in built
    assert main(["snapshot", "info", "--path", str(out_dir)]) == 0
    info = capsys.readouterr().out
    assert "SDG_0861_SEX_RT_A" in info and "2023-11-29" in info   # its date from the release record
    assert main(["snapshot", "build", "--from", str(tmp_path / "absent"), "--out", str(out_dir)]) == 2
    err = capsys.readouterr().err
    assert "The folder given to --from" in err and "does not exist" in err


def test_snapshot_build_never_writes_into_the_package_unless_told(tmp_path, capsys, shared_data, monkeypatch):
    from evidencekit.ilostat import build as build_mod
    from evidencekit.ilostat.snapshot import DEFAULT_PATH

    before = {p: p.stat().st_mtime_ns for p in DEFAULT_PATH.rglob("*")}
    with pytest.raises(SystemExit) as exit_:   # argparse: one of --out / --into-package is required
        main(["snapshot", "build", "--from", str(shared_data / "ilostat")])
    assert exit_.value.code == 2 and "--out" in capsys.readouterr().err
    targets = []
    monkeypatch.setattr(build_mod, "build", lambda src, out, **kw: targets.append(out) or {"datasets": {}})
    assert main(["snapshot", "build", "--from", str(shared_data / "ilostat"), "--into-package", "--quiet"]) == 0
    assert targets == [DEFAULT_PATH]   # only when told
    assert {p: p.stat().st_mtime_ns for p in DEFAULT_PATH.rglob("*")} == before


def test_deadline_option(offline_env, no_network, capsys, monkeypatch):
    from evidencekit.cli import common

    made = []
    real = common.client
    monkeypatch.setattr(common, "client", lambda args: made.append(real(args)) or made[-1])
    assert main([*PHL, "--deadline", "7", "--rows", "1"]) == 0
    assert made[-1].settings.deadline == 7.0
    assert main([*PHL, "--deadline", "-1"]) == 2
    err = capsys.readouterr().err   # in the library's words, or the command's once they are translated
    assert re.search(r"(deadline=|--deadline )-1.0: is not a number of seconds above 0", err)
