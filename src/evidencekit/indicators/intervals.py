"""Confidence intervals: normal and Student t quantiles, and the logit interval for rates.

``docs/indicators.md`` §4.5 gives the formulas and what R ``survey`` does; the numbers are checked against R
(``qt``, ``confint``, ``svyciprop(method="logit")``) in ``tests/indicators``.

- ``ci="normal"`` (default): estimate ± z·SE, z the normal quantile (R ``confint()`` of ``svyratio``/``svyby``).
- ``ci="t"``: estimate ± t·SE, t the Student quantile on the design's degrees of freedom (#PSUs − #strata,
  R ``degf()``; ``confint(..., df=degf(design))``).
- ``ci="logit"`` (rates only): the interval of R ``svyciprop(~y, design, method="logit")``: on the logit scale
  ``logit(p) ± t·SE(p) / (p(1 − p))``, back-transformed, so it stays within 0–100 %; t on the degrees of
  freedom of the domain's design, as R computes ``degf()`` of the subset design: PSUs holding records of the
  domain minus their strata.

Student t quantiles are computed here, without scipy (importing ``scipy.stats`` costs about a second): the upper
tail of the t distribution is ½·I_x(df/2, ½), the regularised incomplete beta function by its continued fraction
(Numerical Recipes §6.4), inverted by Newton's method; from 100 000 degrees of freedom the Cornish–Fisher
expansion (Abramowitz & Stegun 26.7.5) is exact to double precision. Agreement with R's ``qt`` and ``pt`` is
tested to 1e-12.

>>> round(t_quantile(0.975, 10), 12), round(t_quantile(0.975, 1), 12)   # R: qt(0.975, c(10, 1))
(2.228138851986, 12.706204736175)
>>> round(critical_value(0.95, "normal", 0), 10)
1.9599639845
"""
from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

from evidencekit.errors import InputError

CI_METHODS = ("normal", "t", "logit")
_NORMAL = NormalDist()
_CF_DF = 100_000  # from here on the Cornish-Fisher expansion is exact to double precision (error ~ df^-5)


def check_level(level: object) -> float:
    """A confidence level: a number strictly between 0 and 1 (95 % is ``0.95``)."""
    if isinstance(level, bool) or not isinstance(level, (int, float, np.integer, np.floating)):
        raise InputError("Confidence level", f"level={level!r} is not a number", "use e.g. level=0.95")
    if not 0 < level < 1:
        hint = f"use level={level / 100:g} (a share, not a percent)" if 1 < level < 100 else "use e.g. level=0.95"
        raise InputError("Confidence level", f"level={level!r} is not between 0 and 1", hint)
    return float(level)


def check_ci(ci: object) -> str:
    """``ci`` is one of :data:`CI_METHODS`."""
    if ci not in CI_METHODS:
        raise InputError("Confidence interval", f"ci={ci!r} is not known",
                         "use ci='normal' (default), 't' (design degrees of freedom) or 'logit' (rates: stays within 0-100)")
    return str(ci)


def _cornish_fisher(p: float, df: float) -> float:
    """A&S 26.7.5: the t quantile from the normal one, four terms in 1/df."""
    x = _NORMAL.inv_cdf(p)
    x2 = x * x
    g1 = (x2 + 1) * x / 4
    g2 = ((5 * x2 + 16) * x2 + 3) * x / 96
    g3 = (((3 * x2 + 19) * x2 + 17) * x2 - 15) * x / 384
    g4 = ((((79 * x2 + 776) * x2 + 1482) * x2 - 1920) * x2 - 945) * x / 92160
    return x + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


def _log_gamma_ratio(a: float) -> float:
    """L(a) = ln Γ(a + ½) − ln Γ(a), accurate to about 1e-15 (its asymptotic series from a = 20; ``math.lgamma``
    below, where the two values are small)."""
    if a < 20:
        return math.lgamma(a + 0.5) - math.lgamma(a)
    u = 1.0 / a
    u2 = u * u
    return 0.5 * math.log(a) - u / 8 + u * u2 * (1 / 192 + u2 * (-1 / 640 + u2 * 17 / 14336))


def _betacf(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz), converged to 1e-16."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 100_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        step = d * c
        h *= step
        if abs(step - 1.0) < 1e-16:
            break
    return h


def _upper(t: float, df: float) -> float:
    """Q(t) = P(T > t) for t ≥ 0: ½·I_x(df/2, ½) with x = df/(df + t²), the regularised incomplete beta function
    by its continued fraction on the side where it converges (Numerical Recipes §6.4), so a small tail probability
    keeps its relative precision. The prefactor x^a (1−x)^½ / B(a, ½) is taken in logs with
    ln B(a, ½) = ln Γ(½) − L(a)."""
    if t == 0:
        return 0.5
    a = df / 2
    t2 = t * t
    x, one_minus_x = df / (df + t2), t2 / (df + t2)
    log_pre = -a * math.log1p(t2 / df) + 0.5 * math.log(one_minus_x) - 0.5 * math.log(math.pi) + _log_gamma_ratio(a)
    if x < (a + 1) / (a + 2.5):      # the tail: I_x(a, ½) directly
        return 0.5 * math.exp(log_pre) * _betacf(a, 0.5, x) / a
    central = math.exp(log_pre) * _betacf(0.5, a, one_minus_x) / 0.5   # I_{1−x}(½, a) = P(|T| ≤ t)
    return 0.5 * (1.0 - central)


def _check_df(df: object, what: str) -> float:
    if isinstance(df, bool) or not isinstance(df, (int, float, np.integer, np.floating)) or not df > 0 \
            or math.isinf(df):
        raise InputError(what, f"df={df!r} is not a number of degrees of freedom above 0",
                         "use the design's degrees of freedom (#PSUs - #strata)")
    return float(df)


def t_cdf(t: float, df: float) -> float:
    """P(T ≤ t) for Student's t with ``df`` > 0 degrees of freedom (R ``pt(t, df)``).

    >>> t_cdf(0.0, 5), round(t_cdf(2.228138852, 10), 9)
    (0.5, 0.975)
    """
    df = _check_df(df, "A Student t probability")
    if t != t:
        return math.nan
    if math.isinf(t):
        return 1.0 if t > 0 else 0.0
    q = _upper(abs(t), df)
    return 1.0 - q if t > 0 else q


def _t_density(t: float, df: float) -> float:
    log_c = _log_gamma_ratio(df / 2) - 0.5 * math.log(df * math.pi)
    return math.exp(log_c - (df + 1) / 2 * math.log1p(t * t / df))


def t_quantile(p: float, df: float) -> float:
    """The ``p`` quantile of Student's t with ``df`` > 0 degrees of freedom (R ``qt(p, df)``), to about 1e-14.

    Newton's method on the upper tail, Q(x) = 1 − p, from the normal quantile (the t quantile lies above it and Q
    is convex there, so the iterates climb monotonically to the root); closed forms for 1 and 2 df; from 100 000
    df the Cornish–Fisher expansion (A&S 26.7.5), exact to double precision there.

    >>> t_quantile(0.25, 7) == -t_quantile(0.75, 7)
    True
    """
    if isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)) or not 0 < p < 1:
        raise InputError("A Student t quantile", f"p={p!r} is not between 0 and 1", "use e.g. p=0.975")
    df = _check_df(df, "A Student t quantile")
    if p < 0.5:
        return -t_quantile(1 - p, df)
    if p == 0.5:
        return 0.0
    if df == 1:
        return math.tan(math.pi * (p - 0.5))
    if df == 2:
        return (2 * p - 1) / math.sqrt(2 * p * (1 - p))
    if df >= _CF_DF:
        return _cornish_fisher(p, df)
    q = 1.0 - p                      # exact for p in [0.5, 1)
    z = _NORMAL.inv_cdf(p)
    x = z if df < 5 else max(z, _cornish_fisher(p, df))
    for _ in range(500):
        step = (_upper(x, df) - q) / _t_density(x, df)
        x = max(x + step, z)
        if abs(step) <= 1e-15 * x:
            break
    return x


def critical_value(level: float, ci: str, df: int) -> float:
    """The quantile that multiplies the SE: normal (``ci="normal"``) or Student t on ``df`` (``ci="t"`` and
    ``"logit"``), at ``1 − (1 − level)/2``. A t quantile needs df > 0 (R: ``qt(1 − (1 − level)/2, df)``).

    >>> round(critical_value(0.95, "t", 276), 12)
    1.968596344331
    """
    level = check_level(level)
    ci = check_ci(ci)
    q = 1 - (1 - level) / 2
    if ci == "normal":
        return _NORMAL.inv_cdf(q)
    if not df > 0:
        raise InputError(f"A {ci} confidence interval", f"the design has {df} degrees of freedom",
                         "use ci='normal'")
    return t_quantile(q, df)


def logit_interval(p: np.ndarray, se: np.ndarray, crit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """R ``svyciprop(method="logit")``: ``expit(logit(p) ± crit·se/(p(1−p)))`` for proportions ``p`` (0–1) with
    standard errors ``se``; NaN where p is 0 or 1 (the logit is infinite) or crit is NaN.

    >>> lo, hi = logit_interval(np.array([0.02]), np.array([0.015]), np.array([1.96]))
    >>> bool(lo[0] > 0), round(float(hi[0]), 4)
    (True, 0.0838)
    """
    p, se, crit = (np.asarray(a, dtype=float) for a in (p, se, crit))
    with np.errstate(invalid="ignore", divide="ignore"):
        centre = np.log(p / (1 - p))
        half = crit * se / (p * (1 - p))
        inside = (p > 0) & (p < 1)
        lo = np.where(inside, 1 / (1 + np.exp(-(centre - half))), np.nan)
        hi = np.where(inside, 1 / (1 + np.exp(-(centre + half))), np.nan)
    return lo, hi


def p_value(estimate: np.ndarray, se: np.ndarray, ci: str, df: int) -> np.ndarray:
    """Two-sided p-value of ``estimate / se`` against 0: normal, or Student t on ``df`` for ``ci="t"``.

    >>> round(float(p_value(np.array([1.96]), np.array([1.0]), "normal", 0)[0]), 4)
    0.05
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.abs(np.asarray(estimate, dtype=float) / np.asarray(se, dtype=float))
    out = np.full(z.shape, np.nan)
    for i, v in enumerate(z.ravel()):
        if np.isfinite(v):
            out.ravel()[i] = 2 * (1 - (_NORMAL.cdf(v) if ci == "normal" else t_cdf(float(v), df)))
    return out
