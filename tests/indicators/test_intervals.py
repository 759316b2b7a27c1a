"""Intervals: Student t quantiles and probabilities against R's qt/pt (1e-12), and no scipy on import."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evidencekit.errors import InputError
from evidencekit.indicators.intervals import critical_value, logit_interval, t_cdf, t_quantile

REF = Path(__file__).parent / "r" / "reference"
T = pd.read_csv(REF / "student_t.csv", dtype=str)


@pytest.mark.parametrize("row", list(T.itertuples(index=False)), ids=[f"p{r.p[:6]}-df{r.df}" for r in
                                                                         T.itertuples(index=False)])
def test_student_t_against_r(row):
    p, df, q = float(row.p), float(row.df), float(row.qt)
    assert t_quantile(p, df) == pytest.approx(q, rel=1e-12)
    assert t_quantile(1 - p, df) == pytest.approx(-q, rel=1e-12)
    upper = float(row.upper)
    assert 1 - t_cdf(q, df) == pytest.approx(upper, rel=1e-10, abs=1e-15)   # the tail keeps its precision


def test_critical_values_follow_the_method():
    assert critical_value(0.95, "normal", 0) == pytest.approx(1.959963984540054, rel=1e-15)
    assert critical_value(0.95, "t", 276) == pytest.approx(t_quantile(0.975, 276))
    assert critical_value(0.9, "logit", 30) == pytest.approx(t_quantile(0.95, 30))
    with pytest.raises(InputError, match="0 degrees of freedom"):
        critical_value(0.95, "t", 0)
    with pytest.raises(InputError, match="ci='wald' is not known"):
        critical_value(0.95, "wald", 10)
    with pytest.raises(InputError, match="not between 0 and 1"):
        t_quantile(1.5, 3)
    with pytest.raises(InputError, match="df=0"):
        t_quantile(0.9, 0)


def test_logit_interval_stays_inside_and_is_undefined_at_the_edges():
    lo, hi = logit_interval(np.array([0.01, 0.0, 1.0, 0.5]), np.array([0.02, 0.0, 0.0, 0.1]), np.array([1.96] * 4))
    assert 0 < lo[0] < 0.01 < hi[0] < 1
    assert np.isnan(lo[1:3]).all() and np.isnan(hi[1:3]).all()
    assert lo[3] == pytest.approx(1 - hi[3])     # symmetric around one half


def test_importing_evidencekit_does_not_import_scipy_or_yaml():
    """Import speed: Student t quantiles need no scipy (import scipy.stats took 1.5-2.5 s here); YAML is read only
    when a mapping is (python -X importtime -c 'import evidencekit' shows the rest)."""
    code = "import sys, evidencekit, evidencekit.indicators; " \
           "from evidencekit.indicators.intervals import t_quantile; t_quantile(0.975, 10); " \
           "print(sorted({m.split('.')[0] for m in sys.modules} & {'scipy', 'yaml'}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
