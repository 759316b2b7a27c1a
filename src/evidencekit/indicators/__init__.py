"""evidencekit.indicators: decent-work indicators from survey microdata, with design-based SEs.

``catalogue()`` lists the indicators (formula, universe, ICLS reference and basis, ILOSTAT id, SDG);
``estimate(survey, name, by=...)`` computes them with standard errors identical to R ``survey``'s
``svydesign(ids=~psu, strata=~strata, weights=~w, nest=TRUE)`` + ``svyratio`` / ``svyby``, coefficients of
variation, confidence intervals (normal, t or logit) and reliability flags; ``gap(survey, name, by, a, b)`` the
difference between two groups with the covariance of their estimates. ``ratio``, ``mean``, ``total`` and
``quantile`` do the same for any columns. The reference for every formula is ``docs/indicators.md``.

Where things are: :mod:`~evidencekit.indicators.definitions` (the catalogue, as data),
:mod:`~evidencekit.indicators.compute` (``estimate``, ``gap``), :mod:`~evidencekit.indicators.estimation`
(the design and the variance), :mod:`~evidencekit.indicators.intervals` (normal, t and logit intervals),
:mod:`~evidencekit.indicators.reliability` (CV, flags, legend).

>>> from evidencekit.microdata.synthetic import load_sample
>>> out = estimate(load_sample(), "unemployment_rate", by="ilo_sex")
>>> bool((out["se"] > 0).all()), bool(out["ci_low"].lt(out["estimate"]).all())
(True, True)
"""
from __future__ import annotations

from evidencekit.indicators.compute import computable, estimate, gap, needed_by
from evidencekit.indicators.definitions import Indicator, catalogue
from evidencekit.indicators.estimation import distribution, mean, quantile, ratio, share, total
from evidencekit.indicators.reliability import DEFAULT_CV_CAUTION, DEFAULT_CV_UNRELIABLE, DEFAULT_MIN_N, Thresholds

__all__ = ["catalogue", "estimate", "gap", "ratio", "mean", "share", "distribution", "total", "quantile", "computable",
           "needed_by",
           "Indicator", "Thresholds", "DEFAULT_MIN_N", "DEFAULT_CV_CAUTION", "DEFAULT_CV_UNRELIABLE"]
