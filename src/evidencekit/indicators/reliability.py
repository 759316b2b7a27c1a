"""Precision a non-statistician can read: the coefficient of variation, reliability flags and their legend.

Every estimate gets ``cv``, its coefficient of variation in percent (100 · SE / |estimate|; not computed for
differences such as pay gaps, whose value can be near zero), and ``flags``: short codes, one per thing to
know, explained once in ``attrs["legend"]`` (code -> explanation) and for each row in full in
``flags_detail``. Thresholds are arguments, with defaults from named published practice (``docs/indicators.md``
§5):

- ``min_n=15``: a cell resting on fewer than 15 unweighted records is of low reliability — the ILO's own
  processing flags such cells "U" (``Micro_process(ktest = c(max = 15, min = 5))``, ILO Department of
  Statistics, ``iloMicro``).
- ``cv_caution=25`` and ``cv_unreliable=50`` (percent): the Australian Bureau of Statistics' practice for its
  Labour Force Survey — relative standard error above 25 % "use with caution", above 50 % "too unreliable for
  general use" (ABS, Labour Force Experience, Australia, cat. 6206.0, Technical Note "Data quality").

>>> t = Thresholds()
>>> codes = [code for code, _ in row_flags(t, n=10, estimate=2.0, se=1.1, ci_low=-0.2, ci_high=4.2, rate=True)]
>>> codes
['n<15', 'CV>50%', 'CI<0']
>>> print(legend(t, codes)["CV>50%"])
coefficient of variation (SE / estimate) above 50%: too unreliable for general use (ABS practice: 50%)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evidencekit.errors import InputError

DEFAULT_MIN_N = 15          # ILO: cells under 15 unweighted observations are flagged "U" (docs/indicators.md §5)
DEFAULT_CV_CAUTION = 25.0   # ABS: RSE above 25 % - use with caution
DEFAULT_CV_UNRELIABLE = 50.0  # ABS: RSE above 50 % - too unreliable for general use

# Codes whose explanation does not depend on a threshold.
FIXED: dict[str, str] = {
    "n=0": "empty group: no records in the denominator, so no estimate",
    "CI<0": "the interval's lower end is below 0 % although a rate cannot be negative (normal approximation): "
            "read it as 0, or use ci='logit', which stays within 0-100",
    "CI>100": "the interval's upper end is above 100 % although a rate cannot exceed it (normal approximation): "
              "read it as 100, or use ci='logit'",
    "NOCI": "no interval: a t or logit interval needs degrees of freedom (PSUs with records of the group minus "
            "their strata) and, for the logit, a rate strictly between 0 and 100",
    "NOSE": "no standard error could be computed for this group",
    "NOEST": "no estimate for this group (see flags_detail)",
    "NC": "built on a national concept, not the ILO definition (the mapping says which; see flags_detail)",
    "ND": "no sampling design (strata, PSUs) was given: standard errors treat records as independent draws, "
          "so they are probably too small",
    "NW": "no weights: every record counts 1, so the figure describes the sample, not the population",
    "LP": "strata with a single PSU were handled by the lonely-PSU rule named in flags_detail",
    "OC": "records hold codes outside the ILO codelist in a column the indicator uses: they meet no condition "
          "(see flags_detail; recode them in the mapping)",
    "OCG": "this group's code is outside the ILO codelist of its column: check the mapping",
    "MV": "records with a missing or 'not classified' value were counted as 'no', or left out of a mean "
          "(see flags_detail)",
    "VAL": "implausible values were kept (e.g. negative earnings, more than 168 usual hours a week): check them",
}


@dataclass(frozen=True)
class Thresholds:
    """Reliability thresholds: ``min_n`` unweighted records (ILO), ``cv_caution`` and ``cv_unreliable`` in percent
    (ABS). See the module's docstring and ``docs/indicators.md`` §5."""

    min_n: int = DEFAULT_MIN_N
    cv_caution: float = DEFAULT_CV_CAUTION
    cv_unreliable: float = DEFAULT_CV_UNRELIABLE

    def __post_init__(self) -> None:
        if isinstance(self.min_n, bool) or not isinstance(self.min_n, (int, np.integer)) or self.min_n < 0:
            raise InputError("The small-cell threshold", f"min_n={self.min_n!r} is not a whole number of records, "
                             "0 or more", f"use e.g. min_n={DEFAULT_MIN_N} (ILO's threshold)")
        for name in ("cv_caution", "cv_unreliable"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
                    or not value > 0:
                raise InputError(f"The reliability threshold {name}", f"{name}={value!r} is not a percentage above 0",
                                 f"use e.g. cv_caution={DEFAULT_CV_CAUTION:g}, cv_unreliable={DEFAULT_CV_UNRELIABLE:g} "
                                 "(percent; ABS practice)")
        if self.cv_caution > self.cv_unreliable:
            raise InputError("The reliability thresholds", f"cv_caution={self.cv_caution:g} is above "
                             f"cv_unreliable={self.cv_unreliable:g}", "make the caution threshold the lower of the two")

    @property
    def small(self) -> str:
        return f"n<{self.min_n}"

    @property
    def caution(self) -> str:
        return f"CV>{self.cv_caution:g}%"

    @property
    def unreliable(self) -> str:
        return f"CV>{self.cv_unreliable:g}%"

    def explain(self, code: str) -> str:
        """The legend's explanation of ``code`` (threshold codes mention their threshold and its source)."""
        if code == self.small:
            return (f"fewer than {self.min_n} unweighted records in the denominator: low reliability "
                    f"(ILO practice flags cells under {DEFAULT_MIN_N}; min_n={self.min_n})")
        if code == self.unreliable:
            return (f"coefficient of variation (SE / estimate) above {self.cv_unreliable:g}%: too unreliable for "
                    f"general use (ABS practice: {DEFAULT_CV_UNRELIABLE:g}%)")
        if code == self.caution:
            return (f"coefficient of variation (SE / estimate) above {self.cv_caution:g}%: use with caution "
                    f"(ABS practice: {DEFAULT_CV_CAUTION:g}%)")
        return FIXED.get(code, code)

    def as_dict(self) -> dict:
        return {"min_n": self.min_n, "cv_caution": self.cv_caution, "cv_unreliable": self.cv_unreliable}


def coefficient_of_variation(estimate: np.ndarray, se: np.ndarray) -> np.ndarray:
    """100 · SE / |estimate| (NaN where the estimate is 0 or missing).

    >>> coefficient_of_variation(np.array([4.0, 0.0]), np.array([1.0, 0.5])).tolist()
    [25.0, nan]
    """
    est, se = np.asarray(estimate, dtype=float), np.asarray(se, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(est != 0, 100 * se / np.abs(est), np.nan)


def row_flags(t: Thresholds, *, n: float, estimate: float, se: float, ci_low: float, ci_high: float, rate: bool,
              cv: float | None = None) -> list[tuple[str, str]]:
    """The reliability flags of one row, as (code, detail): empty group, small cell, CV above a threshold, and for
    a rate (percent) an interval reaching below 0 or above 100."""
    out: list[tuple[str, str]] = []
    if n == 0:
        return [("n=0", "empty group: no records")]
    if n < t.min_n:
        out.append((t.small, f"small cell: n={int(n)} < {t.min_n}"))
    if cv is None:
        cv = float(coefficient_of_variation(np.array([estimate]), np.array([se]))[0])
    if np.isfinite(cv):
        if cv > t.cv_unreliable:
            out.append((t.unreliable, f"CV {cv:.1f}% above {t.cv_unreliable:g}%: too unreliable for general use"))
        elif cv > t.cv_caution:
            out.append((t.caution, f"CV {cv:.1f}% above {t.cv_caution:g}%: use with caution"))
    if rate:
        if ci_low < 0:
            out.append(("CI<0", f"interval lower end {ci_low:.3g} below 0"))
        if ci_high > 100:
            out.append(("CI>100", f"interval upper end {ci_high:.4g} above 100"))
    return out


def legend(t: Thresholds, codes) -> dict[str, str]:
    """Code -> explanation for the codes used (in a stable order: as first met)."""
    return {code: t.explain(code) for code in dict.fromkeys(codes)}


def join(flags: list[tuple[str, str]]) -> tuple[str, str]:
    """A row's flags as the two columns: ``flags`` (codes, comma-separated, each once) and ``flags_detail``.

    >>> join([("n<15", "small cell: n=9 < 15"), ("MV", "3 records have no ilo_dur_aggregate")])
    ('n<15, MV', 'small cell: n=9 < 15; 3 records have no ilo_dur_aggregate')
    """
    codes = list(dict.fromkeys(code for code, _ in flags))
    details = list(dict.fromkeys(detail for _, detail in flags if detail))
    return ", ".join(codes), "; ".join(details)
