"""Design-based estimation of ratios of weighted totals, as R ``survey`` does it.

Every estimate is R = Y / X with Y = Σ w·y, X = Σ w·x (a mean has x = 1, a total is Y alone).
Its variance is the Taylor-linearisation, ultimate-cluster (with-replacement) variance of
``svydesign(ids=~psu, strata=~strata, weights=~w, nest=TRUE)`` + ``svyratio`` / ``svyby``
(``docs/indicators.md`` §4.2)::

    z_i  = (y_i − R·x_i) / X                          linearised variable
    z_hj = Σ_{i in PSU j of stratum h} w_i·z_i        PSU totals
    V(R) = Σ_h (1 − f_h)·n_h/(n_h − 1)·Σ_j (z_hj − z̄_h)²

Domains (``by`` groups) zero y and x outside the domain and keep every PSU, as ``svyby`` does.
The heavy step is ONE aggregation: weighted totals of y and x per PSU × domain (``numpy.bincount``
over integer codes factorised once per survey); everything else works on that small table.

Lonely PSUs (a stratum with one PSU) follow R's ``options(survey.lonely.psu=)``: ``"fail"`` (default,
an error naming the strata), ``"remove"`` and ``"certainty"`` (the stratum adds nothing), ``"adjust"``
(the PSU total is centred at zero, the grand mean of the linearised variable, instead of its stratum
mean), ``"average"`` (the variance is scaled up by #strata / #strata with more than one PSU).
``fpc`` follows R: per-record population count of PSUs in the stratum, or a sampling fraction (≤ 1).

>>> import pandas as pd
>>> from evidencekit.microdata import Survey
>>> df = pd.DataFrame({"w": [1.0, 2, 1, 3, 2, 1], "st": [1, 1, 1, 2, 2, 2], "ea": [1, 1, 2, 3, 4, 4],
...                    "y": [1.0, 0, 1, 1, 0, 0], "x": [1.0, 1, 1, 1, 1, 1]})
>>> out = ratio(Survey(df, weight="w", strata="st", psu="ea"), "y", "x")   # R: SE 0.3162278
>>> round(float(out["estimate"].iloc[0]), 6), round(float(out["se"].iloc[0]), 6)
(0.5, 0.316228)
"""
from __future__ import annotations

from dataclasses import dataclass
import numpy as np
import pandas as pd

from evidencekit.errors import InputError
from evidencekit.indicators.intervals import critical_value
from evidencekit.indicators.reliability import DEFAULT_MIN_N, Thresholds, join, row_flags
from evidencekit.microdata.errors import ColumnError, decimal_comma_hint, suggest
from evidencekit.microdata.survey import Survey

LONELY_PSU = ("fail", "remove", "certainty", "adjust", "average")
_CACHE_ATTR = "_evidencekit_design_cache"


# ------------------------------------------------------------------------------------------------------
# The design, factorised once per survey
# ------------------------------------------------------------------------------------------------------

@dataclass
class Design:
    """Integer codes of a survey's design: weights, PSU of each record, stratum of each PSU, FPC."""

    w: np.ndarray              # (n,) weights (1 when the survey has none)
    psu: np.ndarray            # (n,) PSU index 0..P-1 (PSUs nested in strata)
    psu_stratum: np.ndarray    # (P,) stratum index 0..H-1 of each PSU
    stratum_labels: np.ndarray  # (H,) the stratum values, for messages
    n_h: np.ndarray            # (H,) PSUs per stratum
    f_h: np.ndarray            # (H,) 1 − sampling fraction (1 without fpc)
    weighted: bool
    has_design: bool

    @property
    def n_psu(self) -> int:
        return len(self.psu_stratum)

    @property
    def n_strata(self) -> int:
        return len(self.n_h)

    @property
    def df(self) -> int:
        """Design degrees of freedom, R's ``degf()``: #PSUs − #strata."""
        return self.n_psu - self.n_strata


def factorize(values: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes 0..k-1 of the values in sorted order, and the sorted distinct values (missing values get -1).

    Whole numbers in a modest range (design codes, ILO codes, PSU numbers: the usual case) are coded by counting,
    in linear time; anything else by ``pandas.factorize`` (hashing). ``numpy.unique(return_inverse=True)`` sorts
    the million values instead, about 40 times slower (224 ms against 5 ms on a 1M-person survey).

    >>> factorize(pd.Series([30, 10, None, 30]))
    (array([ 1,  0, -1,  1]), array([10., 30.]))
    >>> factorize(pd.Series([3, 1, 3], dtype="Int64"))[1]
    array([1, 3])
    """
    arr = values
    if isinstance(values, pd.Series):
        if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
            arr = None
        elif isinstance(values.dtype, np.dtype):
            arr = values.to_numpy()
        elif not values.isna().any():
            arr = values.to_numpy(dtype=np.int64 if values.dtype.kind in "iu" else float)
        else:
            arr = values.to_numpy(dtype=float, na_value=np.nan)
    if isinstance(arr, np.ndarray) and len(arr) and arr.dtype.kind in "iuf":
        finite = None
        if arr.dtype.kind == "f":
            finite = ~np.isnan(arr)
            if not finite.any():
                return np.full(len(arr), -1, dtype=np.int64), arr[:0]
            ints = np.where(finite, arr, arr[finite][0]).astype(np.int64)
            if not (ints == np.where(finite, arr, ints)).all():
                ints = None
        else:
            ints = arr
        if ints is not None:
            lo, hi = int(ints.min()), int(ints.max())
            if hi - lo < 50_000_000:
                shifted = np.subtract(ints, lo, dtype=np.intp)
                present = np.bincount(shifted if finite is None else shifted[finite], minlength=hi - lo + 1) > 0
                codes = (np.cumsum(present) - 1)[shifted]
                if finite is not None and not finite.all():
                    codes[~finite] = -1
                uniques = np.flatnonzero(present) + lo
                return codes, uniques.astype(float) if arr.dtype.kind == "f" else uniques
    codes, uniques = pd.factorize(values, sort=True)
    return np.asarray(codes).astype(np.int64), np.asarray(uniques)


def _small_int(values: pd.Series) -> tuple[np.ndarray, int, int] | None:
    """(the values, their minimum, their span) for a numpy integer column of modest range; else None."""
    if not isinstance(values.dtype, np.dtype) or values.dtype.kind not in "iu" or not len(values):
        return None
    arr = values.to_numpy()
    lo, hi = int(arr.min()), int(arr.max())
    return (arr, lo, hi - lo + 1) if hi - lo < 10**7 else None


def _codes(values: pd.Series, role: str, where: str) -> tuple[np.ndarray, np.ndarray]:
    if values.isna().any():
        rows = list(values.index[values.isna().to_numpy()][:5])
        raise InputError(f"The {role} column {values.name!r} of {where}",
                         f"has {int(values.isna().sum())} missing value(s) (first rows: {rows})",
                         f"every record needs a {role}; fix the file or the mapping")
    codes, uniques = factorize(values)
    return codes, np.asarray(uniques)


def _cache(survey: Survey) -> dict:
    key = (id(survey.data), survey.data.shape, survey.weight, survey.strata, survey.psu, survey.nest, survey.fpc)
    cache = survey.__dict__.get(_CACHE_ATTR)
    if cache is None or cache.get("key") != key:
        cache = {"key": key}
        survey.__dict__[_CACHE_ATTR] = cache
    return cache


def design_of(survey: Survey) -> Design:
    """The survey's design as integer codes (computed once, then kept with the survey)."""
    cache = _cache(survey)
    if "design" in cache:
        return cache["design"]
    d, n = survey.data, len(survey.data)
    where = f"the survey {survey.source!r}" if survey.source else "the survey"
    if n == 0:
        raise InputError(f"Estimating from {where}", "it has no records",
                         "check the filter that made this subset, or read the file again")
    w = (pd.to_numeric(d[survey.weight]).to_numpy(dtype=float) if survey.weight else np.ones(n))
    s_int = _small_int(d[survey.strata]) if survey.strata else None
    p_int = _small_int(d[survey.psu]) if survey.psu else None
    paired = s_int is not None and p_int is not None and survey.nest and s_int[2] * p_int[2] < 10**8
    if paired:
        # whole-number strata and PSU codes (the usual case): the (stratum, PSU) pairs coded in one counting pass,
        # the strata read from the pairs
        (sv, s_lo, s_span), (pv, p_lo, p_span) = s_int, p_int
        key = np.subtract(sv, s_lo, dtype=np.intp)
        key *= p_span
        key += pv
        key -= p_lo
        present = np.bincount(key, minlength=s_span * p_span) > 0
        psu = (np.cumsum(present) - 1)[key]
        pair_stratum, s_lab = factorize(np.flatnonzero(present) // p_span + s_lo)
        s_lab = s_lab.astype(sv.dtype)
        s_code = None   # per record only when an fpc needs it
    elif survey.strata:
        s_code, s_lab = _codes(d[survey.strata], "strata", where)
    else:
        s_code, s_lab = np.zeros(n, dtype=np.int64), np.array([1])
    if survey.psu and not paired:
        raw = d[survey.psu]
        nested = survey.nest or not survey.strata
        if nested and p_int is not None:   # whole-number PSU codes: one counting pass over (stratum, PSU) pairs
            pv, lo, span = p_int
            psu = factorize(s_code * span + np.subtract(pv, lo, dtype=np.intp))[0]
        else:
            p_code, _ = _codes(raw, "psu", where)
            if nested:
                psu = factorize(s_code * (int(p_code.max()) + 1) + p_code)[0]
            else:
                psu = p_code
                pairs = pd.DataFrame({"p": p_code, "s": s_code}).drop_duplicates()
                if pairs["p"].duplicated().any():
                    raise InputError(f"The design of {where}", f"PSU codes in {survey.psu!r} repeat across strata "
                                     "while nest=False", "make the Survey with nest=True (PSUs numbered within strata)")
    elif not survey.psu:
        psu = np.arange(n)
    P = int(psu.max()) + 1 if n else 0
    if paired:
        psu_stratum = pair_stratum
    else:
        psu_stratum = np.zeros(P, dtype=np.int64)
        psu_stratum[psu] = s_code
    n_h = np.bincount(psu_stratum, minlength=len(s_lab)).astype(float)
    f_h = np.ones(len(s_lab))
    if survey.fpc:
        s_code = psu_stratum[psu] if s_code is None else s_code
        fpc = pd.to_numeric(d[survey.fpc], errors="coerce").to_numpy(dtype=float)
        if np.isnan(fpc).any() or (fpc <= 0).any():
            raise InputError(f"The fpc column {survey.fpc!r} of {where}", "has missing, zero or negative values",
                             "give the population count of PSUs per stratum, or the sampling fraction")
        per_h = pd.Series(fpc).groupby(s_code).agg(["min", "max"])
        if (per_h["min"] != per_h["max"]).any():
            raise InputError(f"The fpc column {survey.fpc!r} of {where}", "varies within a stratum",
                             "give one population count (or sampling fraction) per stratum")
        N_h = per_h["min"].to_numpy()
        if (fpc <= 1).all():          # sampling fractions, R's as.fpc
            N_h = n_h / N_h
        if (N_h < n_h - 1e-9).any():
            raise InputError(f"The fpc column {survey.fpc!r} of {where}", "is below the number of sampled PSUs",
                             "give the population count of PSUs per stratum")
        f_h = np.where(np.isinf(N_h), 1.0, (N_h - n_h) / N_h)
    design = Design(w=w, psu=psu, psu_stratum=psu_stratum, stratum_labels=s_lab, n_h=n_h, f_h=f_h,
                    weighted=survey.weight is not None, has_design=survey.has_design)
    cache["design"] = design
    return design


# ------------------------------------------------------------------------------------------------------
# Domains (by groups)
# ------------------------------------------------------------------------------------------------------

def _by_codes(survey: Survey, col: str) -> tuple[np.ndarray, np.ndarray]:
    cache = _cache(survey)
    key = ("by", col)
    if key not in cache:
        if col not in survey.data.columns:
            raise ColumnError(f"Estimating by {col!r}", "there is no such column in the survey",
                              suggest(col, survey.data.columns))
        codes, uniques = factorize(survey.data[col])
        if len(uniques) == 0:
            raise InputError(f"Estimating by {col!r}", f"the column is missing for all {len(codes)} records",
                             "check the column (or the mapping rule that makes it), or choose another by= column")
        codes = codes.astype(np.int64)
        uniques = np.asarray(uniques, dtype=object)
        if (codes < 0).any():  # missing by-values form their own group, shown last (no record is dropped)
            codes = np.where(codes < 0, len(uniques), codes)
            uniques = np.append(uniques, np.nan)
        cache[key] = (codes, uniques)
    return cache[key]


def by_columns(by: str | list[str] | None) -> list:
    """``by`` as a list of column names: None -> [], one name -> [name], a list or tuple -> a list.

    >>> by_columns(None), by_columns("ilo_sex"), by_columns(("ilo_sex", "ilo_geo"))
    ([], ['ilo_sex'], ['ilo_sex', 'ilo_geo'])
    """
    return [] if by is None else list(by) if isinstance(by, (list, tuple)) else [by]


def domains(survey: Survey, by: str | list[str] | None) -> tuple[np.ndarray, pd.DataFrame]:
    """Group code of each record and a frame of the groups' values (codes; labels added by the caller).

    Computed once per survey and list of by-columns, then kept with the survey.
    """
    cols = by_columns(by)
    cache = _cache(survey)
    key = ("domains", tuple(cols))
    if key in cache:
        return cache[key]
    n = len(survey.data)
    if not cols:
        cache[key] = (np.zeros(n, dtype=np.int64), pd.DataFrame(index=[0]))
        return cache[key]
    if len(set(cols)) != len(cols):
        raise InputError("Estimating by " + ", ".join(map(repr, cols)), "a column is repeated", "name each column once")
    ints = [_small_int(survey.data[c]) if c in survey.data.columns else None for c in cols]
    if all(i is not None for i in ints) and np.prod([i[2] for i in ints], dtype=float) < 10**7:
        # whole-number by-columns (codes): one key over their spans, the groups present found by counting
        code = np.zeros(n, dtype=np.intp)
        for arr, lo, span in ints:
            code *= span
            code += arr
            code -= lo
        sizes = [i[2] for i in ints]
        values = [np.arange(i[1], i[1] + i[2]).astype(i[0].dtype) for i in ints]
    else:
        code = np.zeros(n, dtype=np.int64)
        sizes = []
        values = []
        for col in cols:
            c, u = _by_codes(survey, col)
            code = code * len(u) + c
            sizes.append(len(u))
            values.append(u)
    present = np.flatnonzero(np.bincount(code, minlength=int(np.prod(sizes))))
    remap = np.full(int(np.prod(sizes)), -1, dtype=np.int64)
    remap[present] = np.arange(len(present))
    idx = np.unravel_index(present, sizes)
    groups = pd.DataFrame({col: values[k][idx[k]] for k, col in enumerate(cols)})
    cache[key] = (remap[code], groups)
    return cache[key]


def summary(survey: Survey) -> dict:
    """``Survey.design_summary()`` from the factorised design (no pass over the records)."""
    d = design_of(survey)
    return {"records": len(survey.data), "weight": survey.weight, "strata": survey.strata, "psu": survey.psu,
            "nest": survey.nest, "n_strata": d.n_strata, "n_psu": d.n_psu}


# ------------------------------------------------------------------------------------------------------
# The estimator
# ------------------------------------------------------------------------------------------------------

def psu_totals(design: Design, group: np.ndarray, n_groups: int, columns: list[np.ndarray],
               counts: bool = False) -> list[np.ndarray]:
    """The one heavy step: Σ w·column per PSU × group, for each column (arrays of shape P × G); with ``counts``,
    each boolean column's number of records per group follows its totals."""
    memo = getattr(design, "_idx", None)
    if memo is not None and memo[0] is group and memo[1] == n_groups:
        idx = memo[2]
    else:
        idx = design.psu * n_groups + group
        design._idx = (group, n_groups, idx)
    size, shape = design.n_psu * n_groups, (design.n_psu, n_groups)
    out = []
    scratch = _scratch(design)
    for c in columns:
        if c.dtype == bool and np.count_nonzero(c) < 0.2 * len(c):
            # a sparse indicator (a rate's numerator): only its records
            sel = np.flatnonzero(c)
            at = idx[sel]
            out.append(np.bincount(at, weights=design.w[sel], minlength=size).reshape(shape))
            if counts:
                out.append(np.bincount(at, minlength=size).reshape(shape).sum(axis=0).astype(float))
        else:
            # dense: w·c in a buffer kept with the design (a fresh 8 MB array per call costs its page faults)
            np.multiply(design.w, c, out=scratch)
            out.append(np.bincount(idx, weights=scratch, minlength=size).reshape(shape))
            if counts:
                np.copyto(scratch, c != 0)
                out.append(np.bincount(idx, weights=scratch, minlength=size).reshape(shape).sum(axis=0))
    return out


def mean_totals(design: Design, group: np.ndarray, n_groups: int, keep: np.ndarray, v: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For a mean of ``v`` over the records ``keep``: PSU × group totals of w·v and of w, and the records per group,
    summed over those records only (no full-length copy of v with zeros)."""
    memo = getattr(design, "_idx", None)
    idx = memo[2] if memo is not None and memo[0] is group and memo[1] == n_groups else design.psu * n_groups + group
    size, shape = design.n_psu * n_groups, (design.n_psu, n_groups)
    sel = np.flatnonzero(keep)
    at, ws = idx[sel], design.w[sel]
    Xp = np.bincount(at, weights=ws, minlength=size).reshape(shape)
    Yp = np.bincount(at, weights=ws * v[sel], minlength=size).reshape(shape)
    n = np.bincount(at, minlength=size).reshape(shape).sum(axis=0).astype(float)
    return Yp, Xp, n


def _scratch(design: Design) -> np.ndarray:
    buf = getattr(design, "_scratch", None)
    if buf is None or len(buf) != len(design.w):
        buf = np.empty(len(design.w))
        design._scratch = buf
    return buf


def variance(design: Design, z: np.ndarray, lonely_psu: str = "fail", present: np.ndarray | None = None
             ) -> np.ndarray:
    """Ultimate-cluster variance of the totals of linearised variables (``z``: P × m PSU totals) -> (m,).

    R's ``svyrecvar`` / ``onestage`` / ``onestrat``, with its lonely-PSU rules. ``present`` (H × m, bool)
    marks the strata holding records of each domain: R subsets the rows of a domain, so ``"average"``
    scales by #strata present / #those with more than one PSU.
    """
    H, m = design.n_strata, z.shape[1]
    s, n_h, f_h = design.psu_stratum, design.n_h, design.f_h
    sums = _by_stratum(design, z)
    dev = z - (sums / n_h[:, None])[s]
    lonely = n_h == 1
    if lonely.any():
        if lonely_psu == "fail":
            labels = ", ".join(map(str, design.stratum_labels[lonely][:10]))
            raise InputError(
                "Estimating standard errors", f"{int(lonely.sum())} stratum/strata have a single PSU ({labels})",
                "merge those strata with similar ones, or choose a rule: lonely_psu='remove', 'certainty', "
                "'adjust' or 'average' (R survey's options(survey.lonely.psu=...))")
        if lonely_psu == "adjust":
            dev = np.where(lonely[s][:, None], z, dev)   # centred at 0, not at its own (single) value
    scale = np.where(n_h > 1, f_h * n_h / np.maximum(n_h - 1, 1), f_h)
    scale = np.where(f_h < 1e-7, 0.0, scale)            # self-representing stratum
    per_h = _by_stratum(design, dev * dev)
    per_h *= scale[:, None]
    if lonely.any() and lonely_psu == "average":
        ok = ~lonely
        if present is None:
            present = np.ones((H, m), dtype=bool)
        n_present, n_ok = present.sum(axis=0), (present & ok[:, None]).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return per_h[ok].sum(axis=0) * np.where(n_ok > 0, n_present / n_ok, np.nan)
    return per_h.sum(axis=0)


def _by_stratum(design: Design, z: np.ndarray) -> np.ndarray:
    """Sums of the rows of ``z`` (P × m) per stratum (H × m): by slices when the PSUs are numbered stratum by
    stratum (as :func:`design_of` numbers them), else by ``numpy.add.at``."""
    starts = getattr(design, "_starts", None)
    if starts is None:
        s = design.psu_stratum
        ordered = bool(len(s)) and bool((np.diff(s) >= 0).all()) and (design.n_h > 0).all()
        starts = np.r_[0, np.cumsum(design.n_h[:-1])].astype(np.intp) if ordered else False
        design._starts = starts
    if starts is not False:
        return np.add.reduceat(z, starts, axis=0)
    out = np.zeros((design.n_strata, z.shape[1]))
    np.add.at(out, design.psu_stratum, z)
    return out


def strata_present(design: Design, group: np.ndarray, n_groups: int, retained: np.ndarray | None) -> np.ndarray | None:
    """H × G: does stratum h hold records of group g (among ``retained`` records)? Only needed for
    lonely_psu='average'."""
    if not (design.n_h == 1).any():
        return None
    ones = np.ones(len(group)) if retained is None else retained.astype(float)
    counts = np.bincount(design.psu * n_groups + group, weights=ones,
                         minlength=design.n_psu * n_groups).reshape(design.n_psu, n_groups)
    per_h = np.zeros((design.n_strata, n_groups))
    np.add.at(per_h, design.psu_stratum, counts)
    return per_h > 0


@dataclass
class RatioResult:
    """Per group: totals Y, X, the ratio R = Y/X, its variance, unweighted n (x != 0), ``z`` (P × G, PSU totals of
    the linearised variable) and ``Xp`` (P × G, PSU totals of w·x: nonzero where a PSU holds records of the
    group's denominator)."""

    Y: np.ndarray
    X: np.ndarray
    R: np.ndarray
    var: np.ndarray
    n: np.ndarray
    z: np.ndarray
    Xp: np.ndarray | None = None

    def domain_df(self, design: Design) -> np.ndarray:
        """Degrees of freedom of each group's domain, as R's ``degf()`` of the subset design: PSUs holding records
        of the group (x != 0) minus the strata they lie in."""
        present = self.Xp != 0
        per_h = np.zeros((design.n_strata, present.shape[1]))
        np.add.at(per_h, design.psu_stratum, present)
        return present.sum(axis=0) - (per_h > 0).sum(axis=0)


def ratio_core(design: Design, group: np.ndarray, n_groups: int, y: np.ndarray | None, x: np.ndarray | None,
               lonely_psu: str = "fail", retained: np.ndarray | None = None,
               x_totals: tuple[np.ndarray, np.ndarray] | None = None,
               y_totals: np.ndarray | None = None) -> RatioResult:
    """Ratio Σw·y / Σw·x per group with its linearisation variance (y, x zero outside the domain; either may be a
    boolean indicator; ``retained``: the records R keeps in the domain, e.g. those without missing values;
    ``x_totals``: (P × G PSU totals of w·x, counts of x != 0 per group) and ``y_totals`` (P × G PSU totals of w·y),
    when already known; ``y``/``x`` may then be None)."""
    if x_totals is None:
        (Xp,) = psu_totals(design, group, n_groups, [x])
        n = np.bincount(group[x] if x.dtype == bool else group[x != 0], minlength=n_groups).astype(float)
    else:   # the denominator's PSU totals and counts, computed once for indicators sharing it
        Xp, n = x_totals
    Yp = y_totals if y_totals is not None else psu_totals(design, group, n_groups, [y])[0]
    Y, X = Yp.sum(axis=0), Xp.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        R = Y / X
        z = (Yp - R * Xp) / X
    ok = X != 0
    var = np.full(n_groups, np.nan)
    if ok.any():
        present = strata_present(design, group, n_groups, retained) if lonely_psu == "average" else None
        var[ok] = variance(design, z[:, ok], lonely_psu, None if present is None else present[:, ok])
    return RatioResult(Y=Y, X=X, R=R, var=var, n=n, z=z, Xp=Xp)


def total_core(design: Design, group: np.ndarray, n_groups: int, y: np.ndarray,
               lonely_psu: str = "fail", retained: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Total Σw·y per group and its variance (R ``svytotal`` / ``svyby(..., svytotal)``)."""
    (Yp,) = psu_totals(design, group, n_groups, [y])
    present = strata_present(design, group, n_groups, retained) if lonely_psu == "average" else None
    return Yp.sum(axis=0), variance(design, Yp, lonely_psu, present)


def check_lonely(lonely_psu: str) -> None:
    if lonely_psu not in LONELY_PSU:
        raise InputError("The lonely-PSU rule", f"lonely_psu={lonely_psu!r} is not known",
                         f"use one of {', '.join(LONELY_PSU)}")


def numeric(survey: Survey, col: str, what: str) -> np.ndarray:
    """A column as float (missing -> NaN); text that is not a number is an error naming the column."""
    if col not in survey.data.columns:
        raise ColumnError(what, f"there is no column {col!r} in the survey", suggest(col, survey.data.columns))
    raw = survey.data[col]
    if raw.dtype == np.float64:     # read as it is (no copy): its NaN are the missing values
        return raw.to_numpy()
    if pd.api.types.is_bool_dtype(raw) or pd.api.types.is_numeric_dtype(raw):
        return raw.to_numpy(dtype=float, na_value=np.nan)
    num = pd.to_numeric(raw, errors="coerce")
    bad = num.isna() & raw.notna()
    if bad.any():
        examples = ", ".join(repr(v) for v in pd.unique(raw[bad])[:3])
        raise InputError(what, f"column {col!r} holds text that is not a number ({examples}, "
                         f"{int(bad.sum())} records)",
                         decimal_comma_hint(pd.unique(raw[bad])) or f"recode {col!r} to numeric codes (a mapping does this)")
    return num.to_numpy(dtype=float, na_value=np.nan)


def design_flags(design: Design, lonely_psu: str) -> list[tuple[str, str]]:
    """Flags every estimate from this design carries: no weights, no design, lonely PSUs (code, detail)."""
    flags = []
    if not design.weighted:
        flags.append(("NW", "no weights: every record weighs 1"))
    if not design.has_design:
        flags.append(("ND", "no design (weights only): SEs treat records as independent draws"))
    if (design.n_h == 1).any() and lonely_psu != "fail":
        flags.append(("LP", f"lonely PSU: {int((design.n_h == 1).sum())} stratum/strata with one PSU ({lonely_psu})"))
    return flags


def frame(survey: Survey, groups: pd.DataFrame, est: np.ndarray, se: np.ndarray, n: np.ndarray,
          ci_low: np.ndarray, ci_high: np.ndarray, extra_flags: list[list[tuple[str, str]]] | None,
          common_flags: list[tuple[str, str]], thresholds: Thresholds, *, rate: bool = False,
          cv: bool = True, lead: dict | None = None, unit: str | None = None) -> pd.DataFrame:
    """The result table: ``lead`` columns (constants, e.g. indicator and label), by-columns (value labels, with the
    codes in ``<col>_code``), ``estimate``, ``se``, ``cv`` (percent; NaN when ``cv=False``), ``ci_low``,
    ``ci_high``, ``n_obs``, ``unit`` (when given), ``flags`` (short codes) and ``flags_detail`` (each flag in
    full). ``rate``: the estimates are percentages (an interval outside 0-100 is flagged)."""
    k_rows = len(groups)

    def text(values: list) -> np.ndarray:   # object arrays: pandas makes its string columns from them faster
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out

    cols: dict[str, object] = {key: text([value] * k_rows) for key, value in (lead or {}).items()}
    for col in groups.columns:
        labels = survey.value_labels.get(col) or {}
        codes = groups[col].to_numpy()
        if labels:
            cols[col] = text([labels.get(v, v) if not _isna(v) else v for v in codes])
            cols[f"{col}_code"] = codes
        else:
            cols[col] = codes
    est, se = np.asarray(est, dtype=float), np.asarray(se, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        cvs = np.where(est != 0, 100 * se / np.abs(est), np.nan) if cv else np.full(len(est), np.nan)
    ci_low, ci_high = np.asarray(ci_low, dtype=float), np.asarray(ci_high, dtype=float)
    cols.update({"estimate": est, "se": se, "cv": cvs, "ci_low": ci_low, "ci_high": ci_high,
                 "n_obs": np.asarray(n).astype(np.int64)})
    if unit is not None:
        cols["unit"] = text([unit] * k_rows)
    codes_col, detail_col = [], []
    for k in range(k_rows):
        f = row_flags(thresholds, n=n[k], estimate=est[k], se=se[k], ci_low=ci_low[k], ci_high=ci_high[k], rate=rate,
                      cv=cvs[k])
        f += list(extra_flags[k]) if extra_flags else []
        f += common_flags
        codes, detail = join(f)
        codes_col.append(codes)
        detail_col.append(detail)
    cols["flags"] = text(codes_col)
    cols["flags_detail"] = text(detail_col)
    return pd.DataFrame(cols, index=pd.RangeIndex(k_rows))


def _isna(v: object) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def cite(out: pd.DataFrame, survey: Survey, level: float, ci: str, lonely_psu: str, thresholds: Thresholds,
         **extra) -> pd.DataFrame:
    """Attach what every estimate cites and explains: ``provenance`` (the survey's record with the design's counts,
    ``level``, ``ci_method`` and ``extra``), ``design``, ``ci``, ``legend`` (the flag codes present -> what they
    mean) and ``thresholds``. Returns ``out``.

    >>> s = Survey(pd.DataFrame({"v": [1.0, 3.0]}), source="lfs.csv", meta={"file": "lfs.csv"})
    >>> p = mean(s, "v").attrs["provenance"]
    >>> p["kind"], p["file"], p["level"], p["estimate"]
    ('survey', 'lfs.csv', 0.95, 'mean of v')
    """
    design = summary(survey)
    df = design_of(survey).df
    prov = survey.provenance
    prov["design"] = {**prov["design"], **{k: design[k] for k in ("records", "n_strata", "n_psu")},
                      "df": df, "lonely_psu": lonely_psu}
    prov.update({"level": level, "ci_method": ci, **extra})
    codes = [c.strip() for f in out["flags"] for c in str(f).split(",") if c.strip()]
    checks = survey.checks
    out.attrs["provenance"] = prov
    out.attrs["design"] = design
    out.attrs["ci"] = {"method": ci, "level": level, "df": df}
    out.attrs["legend"] = {c: checks.get(c) or thresholds.explain(c) for c in dict.fromkeys(codes)}
    out.attrs["thresholds"] = thresholds.as_dict()
    return out


def _columns(survey: Survey, what: str, y_col: str, x_col: str | None, by, level: float, ci: str, min_n: int,
             lonely_psu: str) -> pd.DataFrame:
    """Ratio Σw·y/Σw·x (``x_col`` a column, ``"1"`` for a mean) or total Σw·y (``x_col`` None), na.rm=TRUE."""
    check_lonely(lonely_psu)
    if ci not in ("normal", "t"):
        raise InputError("Confidence interval", f"ci={ci!r} is not known here",
                         "use ci='normal' or ci='t' (ci='logit' is for rates: evidencekit.indicators.estimate)")
    thresholds = Thresholds(min_n=min_n)
    design = design_of(survey)
    y = numeric(survey, y_col, what)
    x = np.ones(len(y)) if x_col in (None, "1") else numeric(survey, x_col, what)
    keep = ~(np.isnan(y) | np.isnan(x))
    group, groups = domains(survey, by)
    y0, x0 = np.where(keep, y, 0.0), np.where(keep, x, 0.0)
    if x_col is None:
        est, var = total_core(design, group, len(groups), y0, lonely_psu, keep)
    else:
        r = ratio_core(design, group, len(groups), y0, x0, lonely_psu, keep)
        est, var = r.R, r.var
    n = np.bincount(group, weights=keep, minlength=len(groups))
    crit = critical_value(level, ci, design.df)
    se = np.sqrt(var)
    out = frame(survey, groups, est, se, n, est - crit * se, est + crit * se, None, design_flags(design, lonely_psu),
                thresholds)
    kind = "total" if x_col is None else "mean" if x_col == "1" else "ratio"
    return cite(out, survey, level, ci, lonely_psu, thresholds,
                estimate=f"{kind} of {y_col}" + (f" to {x_col}" if kind == "ratio" else ""))


def ratio(survey: Survey, numerator: str, denominator: str, by: str | list[str] | None = None,
          level: float = 0.95, *, ci: str = "normal", min_n: int = DEFAULT_MIN_N,
          lonely_psu: str = "fail") -> pd.DataFrame:
    """Ratio of two columns' weighted totals, R ``svyratio(~num, ~den, design, na.rm=TRUE)`` / ``svyby``.

    Records with a missing numerator or denominator are left out (``na.rm=TRUE``: the domain loses
    them, the design keeps its PSUs). Columns: by-columns, ``estimate``, ``se``, ``ci_low``, ``ci_high``,
    ``n_obs``, ``flags``.

    >>> import pandas as pd
    >>> from evidencekit.microdata import Survey
    >>> s = Survey(pd.DataFrame({"y": [1.0, 2, 3, 4], "x": [2.0, 2, 2, 2], "g": [1, 1, 2, 2]}))
    >>> ratio(s, "y", "x", by="g")[["g", "estimate", "n_obs"]]
       g  estimate  n_obs
    0  1      0.75      2
    1  2      1.75      2
    """
    return _columns(survey, "Estimating a ratio", numerator, denominator, by, level, ci, min_n, lonely_psu)


def mean(survey: Survey, column: str, by: str | list[str] | None = None, level: float = 0.95, *,
         ci: str = "normal", min_n: int = DEFAULT_MIN_N, lonely_psu: str = "fail") -> pd.DataFrame:
    """Weighted mean of a column, R ``svymean(~col, design, na.rm=TRUE)`` / ``svyby(..., svymean)``.

    >>> import pandas as pd
    >>> from evidencekit.microdata import Survey
    >>> s = Survey(pd.DataFrame({"v": [1.0, 3.0, None], "w": [1.0, 3.0, 2.0]}), weight="w")
    >>> float(mean(s, "v")["estimate"].iloc[0])
    2.5
    """
    return _columns(survey, "Estimating a mean", column, "1", by, level, ci, min_n, lonely_psu)


def share(survey: Survey, column: str, value: object, by: str | list[str] | None = None, level: float = 0.95, *,
          min_n: int = DEFAULT_MIN_N, lonely_psu: str = "fail") -> pd.DataFrame:
    """Share (%) of records whose ``column`` equals ``value``, among those where ``column`` is known, with
    design-based SE and CI: the weighted mean of a 0/100 variable (:func:`mean`; R ``svymean`` of the indicator
    variable, ``na.rm=TRUE``).

    >>> from evidencekit.microdata.synthetic import load_sample
    >>> out = share(load_sample(), "olf_reason_detail", 1, by="ilo_sex")
    >>> list(out["ilo_sex"]), bool((out["ci_low"] < out["estimate"]).all()), out.attrs["provenance"]["synthetic"]
    (['Male', 'Female'], True, True)
    """
    from dataclasses import replace

    if column not in survey.data.columns:
        raise ColumnError(f"Computing a share of {column!r}", "the survey has no such column",
                          suggest(column, survey.data.columns))
    data = survey.data.copy()
    known = data[column].notna()
    if not (data.loc[known, column] == value).any():
        have = sorted(data.loc[known, column].unique().tolist())[:20]
        raise InputError(f"Computing a share of {column!r}", f"no record has {column} = {value!r}",
                         f"choose one of {have}")
    name = f"{column}__share"
    data[name] = (data[column] == value).astype(float).where(known) * 100.0
    out = mean(replace(survey, data=data), name, by=by, level=level, min_n=min_n, lonely_psu=lonely_psu)
    out.attrs["provenance"]["estimate"] = f"share (%) of {column} = {value!r} among records where {column} is known"
    return out


def distribution(survey: Survey, column: str, by: str | list[str] | None = None, level: float = 0.95, *,
                 min_n: int = DEFAULT_MIN_N, lonely_psu: str = "fail") -> pd.DataFrame:
    """The share (%) of each value of ``column`` (e.g. reasons for being outside the labour force) among the
    records where it is known, by groups, with confidence intervals and small-cell flags (see :func:`share`);
    the value's label in ``column`` and its code in ``<column>_code``.

    >>> from evidencekit.microdata.synthetic import load_sample
    >>> out = distribution(load_sample(), "olf_reason_detail", by="ilo_sex")
    >>> round(float(out.groupby("ilo_sex")["estimate"].sum().iloc[0]), 6)
    100.0
    """
    if column not in survey.data.columns:
        raise ColumnError(f"The distribution of {column!r}", "the survey has no such column",
                          suggest(column, survey.data.columns))
    labels = survey.value_labels.get(column, {})
    frames = []
    for code in sorted(survey.data[column].dropna().unique().tolist()):
        out = share(survey, column, code, by=by, level=level, min_n=min_n, lonely_psu=lonely_psu)
        whole = isinstance(code, (int, float, np.number)) and float(code).is_integer()
        out.insert(0, column, labels.get(code, labels.get(int(code), code) if whole else code))
        out.insert(1, f"{column}_code", code)
        frames.append(out)
    if not frames:
        raise InputError(f"The distribution of {column!r}", "no record has a value", "choose another column")
    result = pd.concat(frames, ignore_index=True)
    result.attrs = frames[0].attrs
    result.attrs["provenance"]["estimate"] = f"distribution (%) of {column} among records where it is known"
    result.attrs["legend"] = {k: v for f in frames for k, v in f.attrs.get("legend", {}).items()}
    return result


def total(survey: Survey, column: str, by: str | list[str] | None = None, level: float = 0.95, *,
          ci: str = "normal", min_n: int = DEFAULT_MIN_N, lonely_psu: str = "fail") -> pd.DataFrame:
    """Weighted total of a column, R ``svytotal(~col, design, na.rm=TRUE)`` / ``svyby(..., svytotal)``.

    >>> import pandas as pd
    >>> from evidencekit.microdata import Survey
    >>> s = Survey(pd.DataFrame({"v": [1.0, 3.0], "w": [10.0, 20.0]}), weight="w")
    >>> float(total(s, "v")["estimate"].iloc[0])
    70.0
    """
    return _columns(survey, "Estimating a total", column, None, by, level, ci, min_n, lonely_psu)


# ------------------------------------------------------------------------------------------------------
# Weighted quantiles (R svyquantile, qrule="math", Woodruff interval type "mean")
# ------------------------------------------------------------------------------------------------------

def quantile_math(values: np.ndarray, weights: np.ndarray, p: float) -> float:
    """R ``survey:::qrule_math``: the smallest value whose cumulative weight share exceeds p
    (the value where it equals p exactly).

    >>> quantile_math(np.array([3.0, 1.0, 2.0, 4.0]), np.ones(4), 0.5)
    2.0
    """
    keep = weights != 0
    x, w = values[keep], weights[keep]
    if len(x) == 0 or not 0 <= p <= 1 or np.isnan(p):
        return np.nan
    order = np.argsort(x, kind="stable")
    x, cw = x[order], np.cumsum(w[order])
    total_w = w.sum()
    below = np.flatnonzero(cw <= p * total_w)
    pos = below[-1] if len(below) else 0          # survey:::last() gives the first record when none is below
    if p - cw[pos] / total_w == 0:
        return float(x[pos])
    return float(x[min(pos + 1, len(x) - 1)])


def quantile_parts(design: Design, code: np.ndarray, n_groups: int, v: np.ndarray, keep: np.ndarray, p: float,
                   level: float = 0.95, lonely_psu: str = "fail") -> dict[str, np.ndarray]:
    """Weighted quantiles per group as R ``svyquantile`` (qrule="math", interval.type="mean"):
    Woodruff interval [L, U] = quantiles at F̂(q) ∓ t·SE(F̂(q)), t on the domain's df (R's ``degf`` of the
    subset design: PSUs with records − their strata), SE = (U − L) / (2t). Also the linearised variable of
    each quantile, z_q = −z_F·(U − L) / (2t·SE(F̂)), whose variance is SE² (used for the median pay gap).
    """
    w = design.w
    q = np.full(n_groups, np.nan)
    members = [np.flatnonzero(keep & (code == k)) for k in range(n_groups)]
    for k, idx in enumerate(members):
        if len(idx):
            q[k] = quantile_math(v[idx], w[idx], p)
    below = keep & (v <= np.where(np.isnan(q), -np.inf, q)[code])
    r = ratio_core(design, code, n_groups, below.astype(float), keep.astype(float), lonely_psu)
    se_f = np.sqrt(r.var)
    low, up, se = (np.full(n_groups, np.nan) for _ in range(3))
    zq = np.full_like(r.z, np.nan)
    for k, idx in enumerate(members):
        if not len(idx) or not np.isfinite(se_f[k]):
            continue
        psus = np.unique(design.psu[idx])
        df = len(psus) - len(np.unique(design.psu_stratum[psus]))
        if df <= 0:
            continue
        t = critical_value(level, "t", df)
        lo, hi = r.R[k] - t * se_f[k], r.R[k] + t * se_f[k]
        low[k] = quantile_math(v[idx], w[idx], lo) if lo >= 0 else np.nan
        up[k] = quantile_math(v[idx], w[idx], hi) if hi <= 1 else np.nan
        se[k] = (up[k] - low[k]) / (2 * t)
        if se_f[k] > 0 and np.isfinite(se[k]):
            zq[:, k] = -r.z[:, k] * se[k] / se_f[k]
        elif se_f[k] == 0:
            zq[:, k] = 0.0
    return {"q": q, "se": se, "low": low, "up": up, "z": zq, "n": r.n}


def quantile(survey: Survey, column: str, p: float = 0.5, by: str | list[str] | None = None, level: float = 0.95,
             *, min_n: int = DEFAULT_MIN_N, lonely_psu: str = "fail") -> pd.DataFrame:
    """Weighted quantile of a column with R ``svyquantile``'s defaults (``qrule="math"``, Woodruff interval
    ``"mean"``; ``ci_low``/``ci_high`` are that interval, ``se`` = its width / 2t). Missing values are left out.

    >>> import pandas as pd
    >>> from evidencekit.microdata import Survey
    >>> s = Survey(pd.DataFrame({"v": [1.0, 2, 3, 4, 5, 6, 7, 8]}))
    >>> float(quantile(s, "v", 0.5)["estimate"].iloc[0])
    4.0
    """
    check_lonely(lonely_psu)
    if not 0 <= p <= 1:
        raise InputError("A quantile", f"p={p!r} is not between 0 and 1", "use e.g. p=0.5 for the median")
    design = design_of(survey)
    v = numeric(survey, column, "Estimating a quantile")
    group, groups = domains(survey, by)
    parts = quantile_parts(design, group, len(groups), v, ~np.isnan(v), p, level, lonely_psu)
    thresholds = Thresholds(min_n=min_n)
    out = frame(survey, groups, parts["q"], parts["se"], parts["n"], parts["low"], parts["up"], None,
                design_flags(design, lonely_psu), thresholds)
    return cite(out, survey, level, "woodruff", lonely_psu, thresholds, estimate=f"quantile {p:g} of {column}")
