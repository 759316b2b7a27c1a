"""evidencekit.indicators: decent-work indicators from survey microdata, with design-based SEs.

``catalogue()`` lists the indicators (formula, universe, ICLS reference and basis, ILOSTAT id, SDG);
``estimate(survey, name, by=...)`` computes them with standard errors identical to R ``survey``'s
``svydesign(ids=~psu, strata=~strata, weights=~w, nest=TRUE)`` + ``svyratio`` / ``svyby``
(see :mod:`evidencekit.indicators.estimation`). ``ratio``, ``mean`` and ``total`` do the same for any
columns.

Missing values. Universe and numerator conditions test codes; a missing code does not meet a condition
(ILO's 1/missing dummies such as ``ilo_joball_tru``), and when a numerator code other than such a dummy is
missing for records that meet the rest of the condition, ``flags`` says how many were counted as "no".
Means leave out records of the universe without a valid value from both totals (R's ``na.rm=TRUE``:
the domain loses them, the design keeps every PSU) and ``flags`` says how many. Records with a missing
by-value form their own group (shown last). Nothing is dropped silently.

Median pay gap (``gender_pay_gap_median``): medians by R ``svyquantile``'s default rule (``qrule="math"``),
checked against R; its SE is approximate: each median gets the Woodruff-type linearised variable whose
variance is R's ``svyquantile`` SE (interval type "mean"), and the two are combined by the delta method,
which keeps the covariance of men and women sharing PSUs.

>>> from evidencekit.microdata.synthetic import load_sample
>>> s = load_sample()                                   # the SYNTHETIC training survey
>>> out = estimate(s, "unemployment_rate", by="ilo_sex")
>>> list(out.columns)
['indicator', 'label', 'ilo_sex', 'ilo_sex_code', 'estimate', 'se', 'ci_low', 'ci_high', 'n_obs', 'unit', 'flags']
>>> bool((out["se"] > 0).all()), bool(out["ci_low"].lt(out["estimate"]).all())
(True, True)
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from evidencekit.errors import InputError
from evidencekit.indicators.definitions import CATALOGUE, HOURS_PER_MONTH, INDICATORS, Condition, Indicator
from evidencekit.indicators.estimation import (
    DEFAULT_MIN_N,
    _cache,
    _design_flags,
    _frame,
    by_columns,
    check_lonely,
    critical_value,
    design_of,
    domains,
    mean,
    numeric,
    quantile,
    quantile_parts,
    ratio,
    ratio_core,
    summary,
    total,
    variance,
)
from evidencekit.microdata.errors import suggest
from evidencekit.microdata.mapping import ILO_LABELS
from evidencekit.microdata.survey import Survey

__all__ = ["catalogue", "estimate", "ratio", "mean", "total", "quantile", "Indicator", "DEFAULT_MIN_N"]


def catalogue() -> pd.DataFrame:
    """The indicator catalogue, one row per indicator.

    >>> cat = catalogue()
    >>> cat.loc[cat.name == "unemployment_rate", ["ilostat_id", "sdg"]].values.tolist()
    [['UNE_DEAP_SEX_AGE_RT_A', '8.5.2']]
    """
    rows = [{
        "name": d.name, "label": d.label, "unit": d.unit, "kind": d.kind,
        "numerator": d.numerator_text, "denominator": d.denominator_text, "formula": d.formula,
        "universe": " or ".join(" & ".join(f"{c} in {v}" for c, v in cond.items()) for cond in d.universe),
        "variables": ", ".join(sorted(d.columns())), "icls": d.icls, "icls_basis": d.icls_basis,
        "ilostat_id": d.ilostat_id, "sdg": d.sdg, "notes": d.notes,
    } for d in CATALOGUE]
    return pd.DataFrame(rows)


def _indicator(name: str) -> Indicator:
    if not isinstance(name, str) or name not in INDICATORS:
        raise InputError(f"Indicator {name!r}", "is not in the catalogue",
                         f"{suggest(str(name), list(INDICATORS))}; see evidencekit.indicators.catalogue()")
    return INDICATORS[name]


def _num(survey: Survey, col: str, what: str) -> np.ndarray:
    cache = _cache(survey)
    key = ("num", col)
    if key not in cache:
        cache[key] = numeric(survey, col, what)
    return cache[key]


def _mask(survey: Survey, cond: Condition, what: str) -> np.ndarray:
    out = np.zeros(len(survey.data), dtype=bool)
    for part in cond:
        m = np.ones(len(survey.data), dtype=bool)
        for col, codes in part.items():
            m &= np.isin(_num(survey, col, what), codes)
        out |= m
    return out


def _check_columns(survey: Survey, d: Indicator) -> None:
    missing = sorted(c for c in d.columns() if c not in survey.data.columns)
    if missing:
        wap = ("; ilo_wap marks the working-age population (1 for persons aged 15 and over in ILO's series, "
               "missing otherwise): a mapping rule {value: 1, where: {ilo_age: '>= 15'}} makes it"
               if "ilo_wap" in missing else "")
        raise InputError(
            f"Estimating {d.name!r}",
            f"it needs the ILO harmonised columns {', '.join(sorted(d.columns()))}; missing: {', '.join(missing)}",
            "read the file with a mapping that creates them (e.g. evidencekit.microdata.read(path, "
            f"mapping='psa_lfs_puf')), or add them to the data{wap}")


def _codelist_flags(survey: Survey, d: Indicator, what: str) -> list[str]:
    """Say how many records hold codes outside the ILO codelist of a column the conditions test (they meet
    no condition, so they fall out of the universe or the numerator); 0 is accepted in ILO's 1/missing dummies."""
    flags = []
    for col in sorted({c for cond in (*d.universe, *d.numerator) for c in cond}):
        if col in ILO_LABELS:
            codes = list(ILO_LABELS[col]) + ([0] if list(ILO_LABELS[col]) == [1] else [])
            cache, key = _cache(survey), ("outside codelist", col)
            if key not in cache:  # once per survey and column
                v = _num(survey, col, what)
                odd = ~np.isnan(v) & ~np.isin(v, codes)
                cache[key] = (int(odd.sum()), ", ".join(f"{x:g}" for x in np.unique(v[odd])[:5]))
            n, shown = cache[key]
            if n:
                flags.append(f"{n} records have {col} codes outside the ILO codelist ({shown}): "
                             "they meet no condition; recode them (see the mapping)")
    return flags


def _value_flags(survey: Survey, d: Indicator, universe: np.ndarray, what: str) -> list[str]:
    """Say how many records of the universe have negative earnings or more usual weekly hours than a week holds
    (168; often a missing-value code such as 999): they are kept, so the user must check them."""
    flags = []
    cols = ["ilo_job1_lri_ees", "ilo_job1_how_usual"] if d.value == "hourly_earnings" else [d.value]
    for col in cols:
        v = _num(survey, col, what)[universe]
        if col == "ilo_job1_how_usual" and (v > 168).any():
            flags.append(f"{int((v > 168).sum())} records have {col} above 168 hours a week "
                         f"(max {np.nanmax(v):g}; a missing-value code?): kept, check them")
        if (v < 0).any():
            flags.append(f"{int((v < 0).sum())} records have a negative {col}: kept, check them")
    return flags


def _value(survey: Survey, d: Indicator, what: str) -> np.ndarray:
    if d.value == "hourly_earnings":
        earn = _num(survey, "ilo_job1_lri_ees", what)
        hours = _num(survey, "ilo_job1_how_usual", what)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(hours > 0, earn / (hours * HOURS_PER_MONTH), np.nan)
    return _num(survey, d.value, what)


def _missing_flag(survey: Survey, d: Indicator, universe: np.ndarray, what: str) -> list[str]:
    """Say how many records that meet the rest of a numerator condition lack one of its codes, or hold its
    "not elsewhere classified" code (e.g. ilo_edu_attendance 3 in the NEET rate, indicators.md §1.6): they
    count as 'no'. ILO's 1/missing dummies (e.g. ilo_joball_tru) are the convention and are not flagged."""
    flags = []
    ucols = {c for cond in d.universe for c in cond}
    for part in d.numerator:
        for col in sorted(set(part) - ucols):
            rest = universe & _mask(survey, [{c: v for c, v in part.items() if c != col}], what)
            v = _num(survey, col, what)[rest]
            miss = int(np.isnan(v).sum())
            present = v[~np.isnan(v)]
            if miss and not (len(present) and (present == 1).all()):
                flags.append(f"{miss} records have no {col}: counted as not in the numerator")
            for code, label in ILO_LABELS.get(col, {}).items():
                unknown = label.lower() in ("not elsewhere classified", "unknown")
                n = int((present == code).sum()) if unknown and code not in part[col] else 0
                if n:
                    flags.append(f"{n} records have {col} {code} ({label}): counted as not in the numerator")
    return flags


def _concept_flags(survey: Survey, d: Indicator) -> list[str]:
    """One flag per harmonised column the indicator uses that the survey's mapping built on a national concept
    (``Survey.concepts``): the figure is then the national statistic, not the ILO-defined one."""
    return [f"national concept, not the ILO definition: {col} = {survey.concepts[col]}"
            for col in sorted(d.columns()) if col in survey.concepts]


def _estimate_one(survey: Survey, name: str, by, level: float, ci: str, min_n: int, lonely_psu: str) -> pd.DataFrame:
    d = _indicator(name)
    _check_columns(survey, d)
    what = f"Estimating {d.name!r}"
    design = design_of(survey)
    group, groups = domains(survey, by)
    if d.kind.startswith("gap"):
        if "ilo_sex" in by_columns(by):
            raise InputError(what, "the pay gap compares men and women, so it cannot be split by ilo_sex",
                             "leave ilo_sex out of by=")
    crit = critical_value(level, ci, design.df)
    common = _design_flags(design, lonely_psu)
    universe = _mask(survey, d.universe, what)
    common = (_concept_flags(survey, d) + _codelist_flags(survey, d, what)
              + (_value_flags(survey, d, universe, what) if d.value else []) + common)
    G = len(groups)
    extra: list[list[str]] = [[] for _ in range(G)]
    if d.kind == "rate":
        y = universe & _mask(survey, d.numerator, what)
        r = ratio_core(design, group, G, y.astype(float), universe.astype(float), lonely_psu)
        est, se, n = 100 * r.R, 100 * np.sqrt(r.var), r.n
        common = _missing_flag(survey, d, universe, what) + common
    elif d.kind == "mean":
        v = _value(survey, d, what)
        keep = universe & ~np.isnan(v)
        r = ratio_core(design, group, G, np.where(keep, v, 0.0), keep.astype(float), lonely_psu)
        est, se, n = r.R, np.sqrt(r.var), r.n
        dropped = int((universe & ~keep).sum())
        if dropped:
            common = [f"{dropped} records of the universe have no valid value: left out (na.rm)"] + common
    else:
        est, se, n, extra = _gap(survey, d, design, group, G, universe, level, lonely_psu, what)
    out = _frame(survey, groups, est, se, n, crit, extra, common, min_n)
    out.insert(0, "label", d.label)
    out.insert(0, "indicator", d.name)
    out.insert(len(out.columns) - 1, "unit", d.unit)
    return out


def _gap(survey, d, design, group, G, universe, level, lonely_psu, what):
    v = _value(survey, d, what)
    sex = _num(survey, "ilo_sex", what)
    keep = universe & ~np.isnan(v) & np.isin(sex, [1, 2])
    code = group * 2 + (sex == 2)
    y, x = np.where(keep, v, 0.0), keep.astype(float)
    extra: list[list[str]] = [[] for _ in range(G)]
    if d.kind == "gap":
        r = ratio_core(design, code, 2 * G, y, x, lonely_psu)
        m, f = r.R[0::2], r.R[1::2]
        zm, zf = r.z[:, 0::2], r.z[:, 1::2]
        n = r.n[0::2] + r.n[1::2]
    else:
        m, f, zm, zf, n = _median_parts(design, code, G, v, keep, level, lonely_psu)
    with np.errstate(invalid="ignore", divide="ignore"):
        est = 100 * (m - f) / m
        z = 100 * (-zf / m + f * zm / m**2)
    ok = np.isfinite(est)
    has_se = ok & np.isfinite(z).all(axis=0)
    var = np.full(G, np.nan)
    if has_se.any():
        var[has_se] = variance(design, z[:, has_se], lonely_psu)
    for k in np.flatnonzero(~ok):
        extra[k].append("no men or no women employees with earnings in this group: no gap")
    for k in np.flatnonzero(ok & ~has_se):
        extra[k].append("no standard error: a median's Woodruff interval falls outside the data (too few records)")
    return est, np.sqrt(var), n, extra


def _median_parts(design, code, G, v, keep, level, lonely_psu):
    """Medians of men and women per group and their linearised variables (see ``quantile_parts``)."""
    parts = quantile_parts(design, code, 2 * G, v, keep, 0.5, level, lonely_psu)
    q, z = parts["q"], parts["z"]
    return q[0::2], q[1::2], z[:, 0::2], z[:, 1::2], parts["n"][0::2] + parts["n"][1::2]


def estimate(survey: Survey, name: str | list[str], by: str | list[str] | None = None, level: float = 0.95, *,
             ci: str = "normal", min_n: int = DEFAULT_MIN_N, lonely_psu: str = "fail") -> pd.DataFrame:
    """Estimate one indicator (or a list) from a survey, total or by groups, with SEs and CIs.

    Columns: ``indicator``, ``label``, the by-columns (value labels when the survey has them, with the codes
    in ``<col>_code``), ``estimate`` (rates in percent), ``se``, ``ci_low``, ``ci_high`` (normal quantiles as
    R's ``confint()``; ``ci="t"``: Student's t on the design df, #PSUs − #strata), ``n_obs`` (unweighted
    records in the denominator's domain), ``unit``, ``flags`` (small cell below ``min_n``, empty domain,
    no design, lonely PSUs, records left out, a national concept the mapping declared for a variable used). Records with a missing by-value form their own group.
    ``attrs``: ``design`` (strata, PSUs), ``ci`` (method, level, design df), ``icls_basis`` per indicator.

    >>> from evidencekit.microdata.synthetic import load_sample
    >>> out = estimate(load_sample(), ["labour_force_participation_rate", "unemployment_rate"])
    >>> out[["indicator", "unit"]].values.tolist()
    [['labour_force_participation_rate', '%'], ['unemployment_rate', '%']]
    """
    if not isinstance(survey, Survey):
        raise InputError("Estimating an indicator", f"the first argument is a {type(survey).__name__}, not a Survey",
                         "read the file with evidencekit.microdata.read(...) or wrap a DataFrame in Survey(...)")
    check_lonely(lonely_psu)
    names = [name] if isinstance(name, str) else list(name) if isinstance(name, (list, tuple)) else []
    if not names or not all(isinstance(n, str) for n in names):
        raise InputError("Estimating an indicator", f"{name!r} is not an indicator name or a list of names",
                         "pass e.g. 'unemployment_rate' or ['unemployment_rate', 'lu3_rate']; "
                         "see evidencekit.indicators.catalogue()")
    frames = [_estimate_one(survey, n, by, level, ci, min_n, lonely_psu) for n in names]
    out = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    out.attrs["design"] = summary(survey)
    out.attrs["ci"] = {"method": ci, "level": level, "df": design_of(survey).df}
    out.attrs["icls_basis"] = {n: INDICATORS[n].icls_basis for n in names}
    return out
