"""Decent-work indicators from a survey: :func:`estimate` (total or by groups) and :func:`gap` (a − b between two
groups, with the covariance of the two estimates).

Formulas, universes and ICLS references: ``docs/indicators.md`` §1–§3; the design-based variance (Taylor
linearisation, ultimate clusters, as R ``survey``): §4 and :mod:`evidencekit.indicators.estimation`; intervals
(§4.5): :mod:`evidencekit.indicators.intervals`; gaps: §4.6; flags, CV and thresholds (§5):
:mod:`evidencekit.indicators.reliability`; what a result carries: §6.

Missing values. Universe and numerator conditions test codes; a missing code does not meet a condition
(ILO's 1/missing dummies such as ``ilo_joball_tru``), and when a numerator code other than such a dummy is
missing for records that meet the rest of the condition, the flags say how many were counted as "no" (``MV``).
Means leave out records of the universe without a valid value from both totals (R's ``na.rm=TRUE``:
the domain loses them, the design keeps every PSU) and say how many. Records with a missing by-value form their
own group (shown last). Nothing is dropped silently.

Median pay gap (``gender_pay_gap_median``): medians by R ``svyquantile``'s default rule (``qrule="math"``),
checked against R; its SE is approximate: each median gets the Woodruff-type linearised variable whose
variance is R's ``svyquantile`` SE (interval type "mean"), and the two are combined by the delta method,
which keeps the covariance of men and women sharing PSUs.

>>> from evidencekit.microdata.synthetic import load_sample
>>> s = load_sample()                                   # the SYNTHETIC training survey
>>> out = estimate(s, "unemployment_rate", by="ilo_sex")
>>> list(out.columns)   # doctest: +NORMALIZE_WHITESPACE
['indicator', 'label', 'ilo_sex', 'ilo_sex_code', 'estimate', 'se', 'cv', 'ci_low', 'ci_high', 'n_obs', 'unit',
 'flags', 'flags_detail']
>>> out.attrs["provenance"]["synthetic"], "SYNTHETIC" in out.attrs["provenance"]["citation"]
(True, True)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evidencekit.errors import InputError
from evidencekit.indicators.definitions import CATALOGUE, HOURS_PER_MONTH, INDICATORS, Condition, Indicator
from evidencekit.indicators.estimation import (
    Design,
    RatioResult,
    _cache,
    by_columns,
    check_lonely,
    cite,
    design_flags,
    design_of,
    domains,
    frame,
    mean_totals,
    numeric,
    psu_totals,
    quantile_parts,
    ratio_core,
    variance,
)
from evidencekit.indicators.intervals import check_ci, check_level, critical_value, logit_interval, p_value, t_quantile
from evidencekit.indicators.reliability import (
    DEFAULT_CV_CAUTION,
    DEFAULT_CV_UNRELIABLE,
    DEFAULT_MIN_N,
    Thresholds,
    join,
)
from evidencekit.microdata.codelists import ILO_LABELS, ILO_VARIABLES, allowed_codes
from evidencekit.microdata.errors import suggest
from evidencekit.microdata.survey import Survey

__all__ = ["estimate", "gap"]

Flag = tuple[str, str]


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


def _isin(survey: Survey, col: str, codes: list[int], what: str) -> np.ndarray:
    """``col`` in ``codes`` for every record, computed once per survey (universes and numerators share them)."""
    cache = _cache(survey)
    key = ("isin", col, tuple(codes))
    if key not in cache:
        v = _num(survey, col, what)
        cache[key] = (v == codes[0]) if len(codes) == 1 else np.isin(v, codes)
    return cache[key]


def _cond_key(cond: Condition) -> tuple:
    return tuple(tuple(sorted((c, tuple(v)) for c, v in part.items())) for part in cond)


def _isnan(survey: Survey, col: str, what: str) -> np.ndarray:
    cache = _cache(survey)
    key = ("isnan", col)
    if key not in cache:
        cache[key] = np.isnan(_num(survey, col, what))
    return cache[key]


def _mask(survey: Survey, cond: Condition, what: str) -> np.ndarray:
    """Records meeting any of the condition's parts (each part: every column in its codes)."""
    cache = _cache(survey)
    key = ("mask", _cond_key(cond))
    if key in cache:
        return cache[key]
    out = None
    for part in cond:
        m = None
        for col, codes in part.items():
            hit = _isin(survey, col, codes, what)
            m = hit if m is None else m & hit
        if m is None:
            m = np.ones(len(survey.data), dtype=bool)
        out = m if out is None else out | m
    if out is None:
        out = np.zeros(len(survey.data), dtype=bool)
    cache[key] = out
    return out


# ------------------------------------------------------------------------------------------------------
# What a survey lacks
# ------------------------------------------------------------------------------------------------------

def needed_by(column: str) -> list[str]:
    """The catalogue indicators that need ``column``.

    >>> needed_by("ilo_olf_dlma")
    ['lu3_rate', 'lu4_rate']
    """
    return [d.name for d in CATALOGUE if column in d.columns()]


def computable(survey: Survey) -> list[str]:
    """The catalogue indicators whose ILO variables the survey holds.

    >>> import pandas as pd
    >>> computable(Survey(pd.DataFrame({"ilo_wap": [1], "ilo_lfs": [1]})))[:3]
    ['labour_force_participation_rate', 'employment_to_population_ratio', 'unemployment_rate']
    """
    cols = set(survey.data.columns)
    return [d.name for d in CATALOGUE if d.columns() <= cols]


def _check_columns(survey: Survey, names: list[str]) -> None:
    """One error naming every ILO variable the survey lacks, which requested indicators need it, and what to do."""
    cols = set(survey.data.columns)
    lacking: dict[str, list[str]] = {}
    for name in names:
        for col in sorted(INDICATORS[name].columns() - cols):
            lacking.setdefault(col, []).append(name)
    if not lacking:
        return
    parts = [f"{col} ({ILO_VARIABLES.get(col, 'an ILO harmonised variable')}; needed by {', '.join(who)})"
             for col, who in lacking.items()]
    can = computable(survey)
    why = ("the survey lacks the ILO harmonised variable(s) " + "; ".join(parts)
           + (f". With its variables it can give: {', '.join(can)}" if can else
              ". It holds none of the ILO variables the indicators need"))
    if "ilo_wap" in lacking:
        why += (". ilo_wap marks the working-age population (1 for persons aged 15 and over in ILO's series, "
                "missing otherwise): a mapping rule {value: 1, where: {ilo_age: '>= 15'}} makes it")
    if survey.mapping:
        fix = (f"add rules that make {', '.join(lacking)} to a copy of the mapping {survey.mapping!r} and read the "
               "file with mapping=THAT_COPY.yaml (docs/mappings.md); if the survey did not ask the questions, "
               "choose indicators it can give")
    else:
        fix = ("map the file's own columns onto the ILO variables: 'evidencekit mapping init FILE' writes a "
               "starting mapping to fill in (docs/mappings.md); then read the file with mapping=THAT_FILE.yaml")
    which = names[0] if len(names) == 1 else ", ".join(names)
    raise InputError(f"Estimating {which!r}" if len(names) == 1 else f"Estimating {which}", why, fix)


# ------------------------------------------------------------------------------------------------------
# Flags that depend on the indicator
# ------------------------------------------------------------------------------------------------------

def _codelist_flags(survey: Survey, d: Indicator, what: str) -> list[Flag]:
    """Records holding codes outside the ILO codelist of a column the conditions test (they meet no condition, so
    they fall out of the universe or the numerator); 0 is accepted in ILO's 1/missing dummies."""
    flags = []
    for col in sorted({c for cond in (*d.universe, *d.numerator) for c in cond}):
        codes = allowed_codes(col)
        if codes is None:
            continue
        cache, key = _cache(survey), ("outside codelist", col)
        if key not in cache:  # once per survey and column
            v = _num(survey, col, what)
            lo, hi = np.fmin.reduce(v), np.fmax.reduce(v)   # NaN ignored
            whole = np.count_nonzero(v != np.floor(v)) == np.count_nonzero(_isnan(survey, col, what))
            if np.isnan(lo) or (whole and set(range(int(lo), int(hi) + 1)) <= set(codes)):
                cache[key] = (0, "")   # every value is a code of the list (a contiguous list: the usual case)
            else:
                odd = ~_isnan(survey, col, what) & ~np.isin(v, codes)
                cache[key] = (int(np.count_nonzero(odd)), ", ".join(f"{x:g}" for x in np.unique(v[odd])[:5]))
        n, shown = cache[key]
        if n:
            flags.append(("OC", f"{n} records have {col} codes outside the ILO codelist ({shown}): "
                                "they meet no condition; recode them (see the mapping)"))
    return flags


def _group_code_flags(survey: Survey, groups: pd.DataFrame) -> list[list[Flag]]:
    """Per group: a by-column whose code is outside its ILO codelist (e.g. ilo_sex 9)."""
    out: list[list[Flag]] = [[] for _ in range(len(groups))]
    for col in groups.columns:
        codes = allowed_codes(col)
        if codes is None:
            continue
        for k, v in enumerate(groups[col].to_numpy()):
            if v is None or (isinstance(v, float) and np.isnan(v)):
                continue
            try:
                ok = float(v) in codes
            except (TypeError, ValueError):
                ok = False
            if not ok:
                shown = ", ".join(f"{c} {lab}" for c, lab in list(ILO_LABELS[col].items())[:8])
                out[k].append(("OCG", f"{col} code {v!r} is outside the ILO codelist ({shown})"))
    return out


def _value_flags(survey: Survey, d: Indicator, universe: np.ndarray, what: str) -> list[Flag]:
    """Records of the universe with negative earnings or more usual weekly hours than a week holds (168; often a
    missing-value code such as 999): they are kept, so the user must check them."""
    flags = []
    cols = ["ilo_job1_lri_ees", "ilo_job1_how_usual"] if d.value == "hourly_earnings" else [d.value]
    for col in cols:
        v = _num(survey, col, what)[universe]
        if col == "ilo_job1_how_usual" and (v > 168).any():
            flags.append(("VAL", f"{int((v > 168).sum())} records have {col} above 168 hours a week "
                                 f"(max {np.nanmax(v):g}; a missing-value code?): kept, check them"))
        if (v < 0).any():
            flags.append(("VAL", f"{int((v < 0).sum())} records have a negative {col}: kept, check them"))
    return flags


def _isnan_value(survey: Survey, d: Indicator, v: np.ndarray, what: str) -> np.ndarray:
    return _isnan(survey, d.value, what) if d.value != "hourly_earnings" else np.isnan(v)


def _value(survey: Survey, d: Indicator, what: str) -> np.ndarray:
    if d.value == "hourly_earnings":
        cache = _cache(survey)
        if ("hourly",) not in cache:
            earn = _num(survey, "ilo_job1_lri_ees", what)
            hours = _num(survey, "ilo_job1_how_usual", what)
            with np.errstate(invalid="ignore", divide="ignore"):
                cache[("hourly",)] = np.where(hours > 0, earn / (hours * HOURS_PER_MONTH), np.nan)
        return cache[("hourly",)]
    return _num(survey, d.value, what)


def _missing_flag(survey: Survey, d: Indicator, what: str) -> list[Flag]:
    """Records that meet the rest of a numerator condition but lack one of its codes, or hold its "not elsewhere
    classified" code (e.g. ilo_edu_attendance 3 in the NEET rate, docs/indicators.md §1.3): they count as 'no'.
    ILO's 1/missing dummies (e.g. ilo_joball_tru) are the convention and are not flagged."""
    cache, key = _cache(survey), ("missing flag", d.name)
    if key in cache:
        return cache[key]
    flags = []
    ucols = {c for cond in d.universe for c in cond}
    for part in d.numerator:
        for col in sorted(set(part) - ucols):
            rest = _mask(survey, d.universe, what) & _mask(survey, [{c: v for c, v in part.items() if c != col}], what)
            missing = _isnan(survey, col, what)
            miss = int(np.count_nonzero(rest & missing))
            filled = int(np.count_nonzero(rest)) - miss
            ones = int(np.count_nonzero(rest & _isin(survey, col, [1], what)))
            if miss and not (filled and ones == filled):
                flags.append(("MV", f"{miss} records have no {col}: counted as not in the numerator"))
            for code, label in ILO_LABELS.get(col, {}).items():
                unknown = label.lower() in ("not elsewhere classified", "unknown")
                n = int(np.count_nonzero(rest & _isin(survey, col, [code], what))) if unknown and \
                    code not in part[col] else 0
                if n:
                    flags.append(("MV", f"{n} records have {col} {code} ({label}): counted as not in the numerator"))
    cache[key] = flags
    return flags


def _concept_flags(survey: Survey, d: Indicator) -> list[Flag]:
    """One flag per harmonised column the indicator uses that the survey's mapping built on a national concept
    (``Survey.concepts``): the figure is then the national statistic, not the ILO-defined one."""
    return [("NC", f"national concept, not the ILO definition: {col} = {survey.concepts[col]}")
            for col in sorted(d.columns()) if col in survey.concepts]


def _survey_flags(survey: Survey) -> list[Flag]:
    """Problems found when the file was read (``Survey.checks``, e.g. repeated records): every estimate carries
    them."""
    return [(code, text) for code, text in survey.checks.items()]


# ------------------------------------------------------------------------------------------------------
# One indicator
# ------------------------------------------------------------------------------------------------------

@dataclass
class _Parts:
    """What one indicator gives per group before the table is made: estimates, SEs, counts, per-group and common
    flags, the ratio's linearised totals (rates and means) and the scale of the estimate (100 for rates)."""

    est: np.ndarray
    se: np.ndarray
    n: np.ndarray
    extra: list
    common: list
    ratio: RatioResult | None
    scale: float


def _universe_totals(survey: Survey, design: Design, group: np.ndarray, G: int, cond: Condition,
                     universe: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """PSU × group totals of the weights of a universe and its counts per group, computed once per survey, universe
    and grouping: indicators sharing a denominator (the labour force, the employed…) share them."""
    cache = _cache(survey)
    key = ("universe totals", _cond_key(cond), id(group), G)
    if key not in cache or cache[key][0] is not group:
        Xp, n = psu_totals(design, group, G, [universe], counts=True)
        cache[key] = (group, Xp, n)
    return cache[key][1:]


def _compute(survey: Survey, d: Indicator, design: Design, group: np.ndarray, groups: pd.DataFrame, level: float,
             lonely_psu: str) -> _Parts:
    what = f"Estimating {d.name!r}"
    G = len(groups)
    common = _concept_flags(survey, d) + _codelist_flags(survey, d, what)
    extra: list[list[Flag]] = _group_code_flags(survey, groups)
    if d.kind == "rate":
        universe = _mask(survey, d.universe, what)
        x_totals = _universe_totals(survey, design, group, G, d.universe, universe)
        y, y_totals = universe & _mask(survey, d.numerator, what), None
        r = ratio_core(design, group, G, y, None, lonely_psu, x_totals=x_totals, y_totals=y_totals)
        common = _missing_flag(survey, d, what) + common
        return _Parts(100 * r.R, 100 * np.sqrt(r.var), r.n, extra, common, r, 100.0)
    universe = _mask(survey, d.universe, what)
    common += _value_flags(survey, d, universe, what) if d.value else []
    if d.kind == "mean":
        v = _value(survey, d, what)
        keep = universe & ~_isnan_value(survey, d, v, what)
        Yp, Xp, n = mean_totals(design, group, G, keep, v)
        r = ratio_core(design, group, G, None, None, lonely_psu, x_totals=(Xp, n), y_totals=Yp)
        dropped = int(np.count_nonzero(universe)) - int(n.sum())
        if dropped:
            common = [("MV", f"{dropped} records of the universe have no valid value: left out (na.rm)")] + common
        return _Parts(r.R, np.sqrt(r.var), r.n, extra, common, r, 1.0)
    est, se, n, gap_extra = _pay_gap(survey, d, design, group, G, universe, level, lonely_psu, what)
    return _Parts(est, se, n, [a + b for a, b in zip(extra, gap_extra)], common, None, 1.0)


def _pay_gap(survey, d, design, group, G, universe, level, lonely_psu, what):
    v = _value(survey, d, what)
    sex = _num(survey, "ilo_sex", what)
    keep = universe & ~np.isnan(v) & np.isin(sex, [1, 2])
    code = group * 2 + (sex == 2)
    y, x = np.where(keep, v, 0.0), keep.astype(float)
    extra: list[list[Flag]] = [[] for _ in range(G)]
    if d.kind == "gap":
        r = ratio_core(design, code, 2 * G, y, x, lonely_psu)
        m, f = r.R[0::2], r.R[1::2]
        zm, zf = r.z[:, 0::2], r.z[:, 1::2]
        n = r.n[0::2] + r.n[1::2]
    else:
        parts = quantile_parts(design, code, 2 * G, v, keep, 0.5, level, lonely_psu)
        q, z = parts["q"], parts["z"]
        m, f, zm, zf, n = q[0::2], q[1::2], z[:, 0::2], z[:, 1::2], parts["n"][0::2] + parts["n"][1::2]
    with np.errstate(invalid="ignore", divide="ignore"):
        est = 100 * (m - f) / m
        z = 100 * (-zf / m + f * zm / m**2)
    ok = np.isfinite(est)
    has_se = ok & np.isfinite(z).all(axis=0)
    var = np.full(G, np.nan)
    if has_se.any():
        var[has_se] = variance(design, z[:, has_se], lonely_psu)
    for k in np.flatnonzero(~ok):
        extra[k].append(("NOEST", "no men or no women employees with earnings in this group: no gap"))
    for k in np.flatnonzero(ok & ~has_se):
        extra[k].append(("NOSE", "no standard error: a median's Woodruff interval falls outside the data "
                                 "(too few records)"))
    return est, np.sqrt(var), n, extra


def _interval(parts: _Parts, d: Indicator, design: Design, level: float, ci: str
              ) -> tuple[np.ndarray, np.ndarray, list[list[Flag]]]:
    """ci_low, ci_high and per-group flags for a missing interval."""
    G = len(parts.est)
    flags: list[list[Flag]] = [[] for _ in range(G)]
    if ci == "logit":
        df = parts.ratio.domain_df(design)
        q = 1 - (1 - level) / 2
        crit = np.array([t_quantile(q, int(k)) if k > 0 else np.nan for k in df])
        lo, hi = logit_interval(parts.est / 100, parts.se / 100, crit)
        lo, hi = 100 * lo, 100 * hi
        for k in range(G):
            if parts.n[k] > 0 and not np.isfinite(lo[k]):
                why = (f"the group's design has {int(df[k])} degrees of freedom" if df[k] <= 0
                       else f"the rate is {parts.est[k]:g}" if parts.est[k] in (0, 100) else "no standard error")
                flags[k].append(("NOCI", f"no logit interval: {why}"))
        return lo, hi, flags
    if ci == "t" and design.df <= 0:
        raise InputError("A t confidence interval", f"the design has {design.df} degrees of freedom", "use ci='normal'")
    crit = critical_value(level, ci, design.df)
    return parts.est - crit * parts.se, parts.est + crit * parts.se, flags


def _estimate_one(survey: Survey, d: Indicator, by, level: float, ci: str, thresholds: Thresholds,
                  lonely_psu: str) -> pd.DataFrame:
    what = f"Estimating {d.name!r}"
    design = design_of(survey)
    group, groups = domains(survey, by)
    if d.kind.startswith("gap") and "ilo_sex" in by_columns(by):
        raise InputError(what, "the pay gap compares men and women, so it cannot be split by ilo_sex",
                         "leave ilo_sex out of by=")
    if ci == "logit" and d.kind != "rate":
        raise InputError(what, f"ci='logit' keeps a rate's interval within 0-100, and {d.name} is not a rate "
                         f"(its unit is {d.unit})", "use ci='normal' or ci='t' for it")
    parts = _compute(survey, d, design, group, groups, level, lonely_psu)
    lo, hi, ci_flags = _interval(parts, d, design, level, ci)
    common = parts.common + design_flags(design, lonely_psu) + _survey_flags(survey)
    extra = [a + b for a, b in zip(parts.extra, ci_flags)]
    return frame(survey, groups, parts.est, parts.se, parts.n, lo, hi, extra, common, thresholds,
                 rate=d.kind == "rate", cv=d.kind in ("rate", "mean"),
                 lead={"indicator": d.name, "label": d.label}, unit=d.unit)


def _names(name) -> list[str]:
    names = [name] if isinstance(name, str) else list(name) if isinstance(name, (list, tuple)) else []
    if not names or not all(isinstance(n, str) for n in names):
        raise InputError("Estimating an indicator", f"{name!r} is not an indicator name or a list of names",
                         "pass e.g. 'unemployment_rate' or ['unemployment_rate', 'lu3_rate']; "
                         "see evidencekit.indicators.catalogue()")
    for n in names:
        _indicator(n)
    return names


def _check_survey(survey: object) -> None:
    if not isinstance(survey, Survey):
        raise InputError("Estimating an indicator", f"the first argument is a {type(survey).__name__}, not a Survey",
                         "read the file with evidencekit.microdata.read(...) or wrap a DataFrame in Survey(...)")


def _attrs(out: pd.DataFrame, survey: Survey, names: list[str], level: float, ci: str, lonely_psu: str,
           thresholds: Thresholds, **extra) -> None:
    """The attrs every result carries (:func:`~evidencekit.indicators.estimation.cite`), and ``icls_basis``."""
    cite(out, survey, level, ci, lonely_psu, thresholds, indicators=list(names), **extra)
    out.attrs["icls_basis"] = {n: INDICATORS[n].icls_basis for n in names}


def estimate(survey: Survey, name: str | list[str], by: str | list[str] | None = None, level: float = 0.95, *,
             ci: str = "normal", min_n: int = DEFAULT_MIN_N, cv_caution: float = DEFAULT_CV_CAUTION,
             cv_unreliable: float = DEFAULT_CV_UNRELIABLE, lonely_psu: str = "fail") -> pd.DataFrame:
    """Estimate one indicator (or a list) from a survey, total or by groups, with SEs, CVs, intervals and flags.

    Columns: ``indicator``, ``label``, the by-columns (value labels when the survey has them, with the codes in
    ``<col>_code``), ``estimate`` (rates in percent), ``se``, ``cv`` (percent, rates and means), ``ci_low``,
    ``ci_high``, ``n_obs`` (unweighted records in the denominator's domain), ``unit``, ``flags`` (short codes,
    explained in ``attrs["legend"]``) and ``flags_detail`` (each flag in full). Records with a missing by-value
    form their own group.

    ``ci``: ``"normal"`` (R ``confint()``), ``"t"`` (Student t on the design df, #PSUs − #strata) or ``"logit"``
    (rates only; R ``svyciprop(method="logit")``: stays within 0–100). ``min_n``, ``cv_caution``,
    ``cv_unreliable``: reliability thresholds (defaults: ILO 15 records; ABS 25 % and 50 %; docs/indicators.md §5).

    ``attrs``: ``provenance`` (the survey's record, with design counts, ``level``, ``ci_method``), ``design``,
    ``ci`` (method, level, design df), ``icls_basis`` per indicator, ``legend``, ``thresholds``.

    >>> from evidencekit.microdata.synthetic import load_sample
    >>> out = estimate(load_sample(), ["labour_force_participation_rate", "unemployment_rate"])
    >>> out[["indicator", "unit"]].values.tolist()
    [['labour_force_participation_rate', '%'], ['unemployment_rate', '%']]
    """
    _check_survey(survey)
    check_lonely(lonely_psu)
    names = _names(name)
    level = check_level(level)
    ci = check_ci(ci)
    thresholds = Thresholds(min_n=min_n, cv_caution=cv_caution, cv_unreliable=cv_unreliable)
    _check_columns(survey, names)
    design_of(survey)  # an empty survey or a bad design is said before anything else
    frames = [_estimate_one(survey, INDICATORS[n], by, level, ci, thresholds, lonely_psu) for n in names]
    out = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    _attrs(out, survey, names, level, ci, lonely_psu, thresholds)
    return out


# ------------------------------------------------------------------------------------------------------
# A gap between two groups
# ------------------------------------------------------------------------------------------------------

def _group_index(survey: Survey, col: str, groups: pd.DataFrame, value: object, role: str) -> int:
    """Row of ``groups`` whose ``col`` is ``value`` (a code, or a value label)."""
    codes = groups[col].tolist()
    for k, c in enumerate(codes):
        if c == value or (not isinstance(c, str) and not isinstance(value, str) and c == c and value == value
                          and float(c) == float(value)):
            return k
    labels = survey.value_labels.get(col) or {}
    for k, c in enumerate(codes):
        if isinstance(value, str) and str(labels.get(c, "")).lower() == value.strip().lower():
            return k
    shown = ", ".join(f"{c!r}" + (f" ({labels[c]})" if c in labels else "") for c in codes[:20])
    raise InputError(f"The gap's group {role}={value!r}", f"{col} has no such code or label",
                     f"choose among: {shown}")


def gap(survey: Survey, name: str, by: str = "ilo_sex", a: object = 2, b: object = 1, level: float = 0.95, *,
        ci: str = "normal", min_n: int = DEFAULT_MIN_N, cv_caution: float = DEFAULT_CV_CAUTION,
        cv_unreliable: float = DEFAULT_CV_UNRELIABLE, lonely_psu: str = "fail") -> pd.DataFrame:
    """The difference a − b of an indicator between two groups of ``by``, with its standard error and interval.

    The two estimates come from the same sample (PSUs shared), so they are correlated: the SE of a − b uses their
    covariance, from the linearised variables of both domains in the same design as :func:`estimate` —
    Var(a − b) = Var(a) + Var(b) − 2 Cov(a, b). It equals R ``survey``'s ``svyby(~y, ~by, design,
    denominator=~x, svyratio, covmat=TRUE)`` followed by ``svycontrast(..., c(-1, 1))`` (tested to 1e-9).
    ``a`` and ``b`` are codes of ``by`` (or their value labels). Rates give the gap in percentage points; means in
    the indicator's unit. ``ci``: ``"normal"`` or ``"t"``; ``p_value``: two-sided test that the gap is 0.

    Columns: ``indicator``, ``label``, ``by``, ``a``, ``b``, ``a_label``, ``b_label``, ``estimate_a``,
    ``estimate_b``, ``estimate`` (a − b), ``se``, ``ci_low``, ``ci_high``, ``p_value``, ``n_obs_a``, ``n_obs_b``,
    ``unit``, ``flags``, ``flags_detail`` (the flags of either group, named by group). ``attrs`` as
    :func:`estimate`, with ``provenance["contrast"]``.

    >>> from evidencekit.microdata.synthetic import load_sample
    >>> g = gap(load_sample(), "unemployment_rate", by="ilo_sex", a=2, b=1)
    >>> g[["a_label", "b_label", "unit"]].values.tolist()
    [['Female', 'Male', 'percentage points']]
    >>> bool(abs(g["estimate"].iloc[0] - (g["estimate_a"].iloc[0] - g["estimate_b"].iloc[0])) < 1e-12)
    True
    """
    _check_survey(survey)
    check_lonely(lonely_psu)
    if not isinstance(name, str):
        raise InputError("A gap", f"{name!r} is not one indicator name", "pass one name, e.g. 'unemployment_rate'")
    d = _indicator(name)
    level = check_level(level)
    ci = check_ci(ci)
    thresholds = Thresholds(min_n=min_n, cv_caution=cv_caution, cv_unreliable=cv_unreliable)
    what = f"The gap in {name!r}"
    if not isinstance(by, str):
        raise InputError(what, f"by={by!r} is not one column name", "pass one column, e.g. by='ilo_sex'")
    if d.kind not in ("rate", "mean"):
        raise InputError(what, f"{name} is itself a gap between men and women ({d.unit})",
                         "take the gap of a rate or a mean, e.g. mean_hourly_earnings_employees by ilo_sex")
    if ci == "logit":
        raise InputError(what, "ci='logit' is for a rate, not for a difference of two rates",
                         "use ci='normal' or ci='t'")
    _check_columns(survey, [name])
    design = design_of(survey)
    group, groups = domains(survey, by)
    ia, ib = (_group_index(survey, by, groups, v, role) for v, role in ((a, "a"), (b, "b")))
    if ia == ib:
        raise InputError(what, f"a and b are the same group ({a!r})", "choose two different groups")
    parts = _compute(survey, d, design, group, groups, level, lonely_psu)
    z = parts.ratio.z
    diff = np.zeros((design.n_psu, 1))
    if parts.n[ia] and parts.n[ib]:
        diff[:, 0] = z[:, ia] - z[:, ib]
        se = parts.scale * float(np.sqrt(variance(design, diff, lonely_psu)[0]))
    else:
        se = np.nan
    est = float(parts.est[ia] - parts.est[ib])
    if ci == "t" and design.df <= 0:
        raise InputError("A t confidence interval", f"the design has {design.df} degrees of freedom", "use ci='normal'")
    crit = critical_value(level, ci, design.df)
    # each group's own row: its reliability flags (small cell, CV), named by group
    sides = frame(survey, groups.iloc[[ia, ib]].reset_index(drop=True), parts.est[[ia, ib]], parts.se[[ia, ib]],
                  parts.n[[ia, ib]], parts.est[[ia, ib]] - crit * parts.se[[ia, ib]],
                  parts.est[[ia, ib]] + crit * parts.se[[ia, ib]], [parts.extra[ia], parts.extra[ib]], [],
                  thresholds, rate=False, cv=True)
    labels = survey.value_labels.get(by) or {}
    code_a, code_b = groups[by].iloc[ia], groups[by].iloc[ib]
    flags: list[Flag] = []
    for side, code, row in (("a", code_a, sides.iloc[0]), ("b", code_b, sides.iloc[1])):
        for c, detail in zip([x.strip() for x in row["flags"].split(",") if x.strip()],
                             [x for x in row["flags_detail"].split("; ") if x]):
            flags.append((c, f"{side} ({labels.get(code, code)}): {detail}"))
    if not np.isfinite(se):
        flags.append(("NOSE", "no standard error: one of the groups has no records"))
    flags += parts.common + design_flags(design, lonely_psu) + _survey_flags(survey)
    codes, detail = join(flags)
    out = pd.DataFrame([{
        "indicator": d.name, "label": d.label, "by": by, "a": code_a, "b": code_b,
        "a_label": labels.get(code_a, code_a), "b_label": labels.get(code_b, code_b),
        "estimate_a": parts.est[ia], "estimate_b": parts.est[ib], "estimate": est, "se": se,
        "ci_low": est - crit * se, "ci_high": est + crit * se,
        "p_value": float(p_value(np.array([est]), np.array([se]), ci, design.df)[0]),
        "n_obs_a": int(parts.n[ia]), "n_obs_b": int(parts.n[ib]),
        "unit": "percentage points" if d.kind == "rate" else d.unit, "flags": codes, "flags_detail": detail,
    }])
    _attrs(out, survey, [name], level, ci, lonely_psu, thresholds,
           contrast=f"{by} {labels.get(code_a, code_a)} ({code_a!r}) minus {labels.get(code_b, code_b)} ({code_b!r})")
    return out

