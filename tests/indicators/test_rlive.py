"""Live cross-check: run make_reference.R with Rscript now and compare with our estimates (1e-9 relative).

Marked ``rlive``; CI installs r-cran-survey. Without Rscript this test FAILS with a clear message
(it never skips itself green).
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

HERE = Path(__file__).parent


@pytest.mark.rlive
def test_r_survey_live_matches(tmp_path, shared_data):
    rscript = shutil.which("Rscript")
    if rscript is None:
        pytest.fail("Rscript is not on PATH: install R and its survey package (apt-get install r-cran-survey) "
                    "to run the live R cross-check")
    csv = tmp_path / "synthetic.csv"
    subprocess.run([sys.executable, str(HERE / "r" / "export_synthetic.py"), str(csv)], check=True)
    psa = tmp_path / "psa.csv.in"
    subprocess.run([sys.executable, str(HERE / "r" / "export_psa.py"), str(shared_data), str(psa)], check=True)
    run = subprocess.run([rscript, str(HERE / "r" / "make_reference.R"), str(shared_data), str(csv), str(tmp_path),
                          "all", str(psa)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, f"make_reference.R failed:\n{run.stderr}"
    # the live output is the committed reference (same R numbers), and our estimates match it
    for name in ("api.csv", "synthetic.csv", "synthetic_universe.csv", "synthetic_quantiles.csv", "psa.csv",
                 "synthetic_logit.csv", "synthetic_gap.csv", "student_t.csv"):
        live = pd.read_csv(tmp_path / name, keep_default_na=False, dtype=str)
        committed = pd.read_csv(HERE / "r" / "reference" / name, keep_default_na=False, dtype=str)
        assert live.shape == committed.shape, name
        for col in ("estimate", "se", "quantile", "ci_low", "ci_high", "qt", "upper"):
            if col in live:
                a = pd.to_numeric(live[col], errors="coerce")
                b = pd.to_numeric(committed[col], errors="coerce")
                assert ((a - b).abs() <= 1e-9 * b.abs() + 1e-12).where(b.notna(), True).all(), (name, col)
    live = pd.read_csv(tmp_path / "synthetic.csv", keep_default_na=False, dtype={"group": str})
    from evidencekit.indicators import estimate
    from evidencekit.microdata.synthetic import load_sample
    s = load_sample()
    for row in live[live.by == "ilo_sex"].itertuples(index=False):
        out = estimate(s, row.indicator, by="ilo_sex")
        out = out[out["ilo_sex_code"].astype(str) == row.group]
        assert float(out["estimate"].iloc[0]) == pytest.approx(float(row.estimate), rel=1e-9)
        assert float(out["se"].iloc[0]) == pytest.approx(float(row.se), rel=1e-9)
    from evidencekit.indicators import gap
    for row in pd.read_csv(tmp_path / "synthetic_gap.csv").itertuples(index=False):
        g = gap(s, row.indicator, by=row.by, a=row.a, b=row.b)
        assert float(g["se"].iloc[0]) == pytest.approx(float(row.se), rel=1e-9)
    logit = pd.read_csv(tmp_path / "synthetic_logit.csv", keep_default_na=False, dtype={"group": str})
    for row in logit[logit.by == "region"].itertuples(index=False):
        out = estimate(s, row.indicator, by="region", level=row.level, ci="logit")
        out = out[out["region_code"].astype(str) == row.group]
        assert float(out["ci_low"].iloc[0]) == pytest.approx(float(row.ci_low), rel=1e-9)
