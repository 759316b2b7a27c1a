"""Data-dependent answers: a query plus a named operation, evaluated when the answer is checked.

A review question whose right answer depends on data never stores that answer. It declares a **query**
(which figures) and an **operation** (what to do with them); :func:`evaluate` fetches the figures —
``evidencekit.ilostat.get`` for ILOSTAT, ``evidencekit.indicators.estimate`` on the SYNTHETIC training survey
for microdata — and applies the operation. Nothing is ever passed to ``eval``.

The operations (``docs/course-authoring.md``, "Answers computed from data") are pure functions over a small
frame: one row per member of the dimension the operation looks along (``over``), a ``value`` column.

====================  ==========================================================  ===================
operation             result                                                      looks along
====================  ==========================================================  ===================
``value``             the one value the query leaves                              nothing
``latest``            the value in the latest year with data (and that year)      ``time``
``max`` / ``min``     the member with the highest / lowest value                  ``ref_area``
``rank``              the place of ``of`` from the highest (1 = highest)          ``ref_area``
``change``            value in ``to`` minus value in ``from``                     ``time``
``percent_change``    (value in ``to`` / value in ``from`` - 1) x 100             ``time``
``gap``               value of the first of ``between`` minus the second          the ``between`` dimension
====================  ==========================================================  ===================

``over`` may be given to look along another dimension (``over: sex``; in a survey query the ``by`` column is
the default). Each member must have exactly one row: when a country has figures from two sources for the
year, the operation stops and says so (add ``source:`` to the query) — it never picks one silently.

>>> import pandas as pd
>>> f = pd.DataFrame({"ref_area": ["IDN", "PHL", "THA"], "time": [2021] * 3, "value": [14.1, 8.5, 6.3]})
>>> operate(f, "max", {}, over="ref_area")
('IDN', {'over': 'ref_area', 'member': 'IDN', 'of_value': 14.1})
>>> operate(f, "rank", {"of": "PHL"}, over="ref_area")[0]
2
"""
from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from evidencekit.course.errors import AnswerError
from evidencekit.errors import EvidenceKitError

ILOSTAT_DIMS = ("ref_area", "sex", "classif1", "classif2", "source", "time")

OPERATIONS: dict[str, str] = {
    "value": "the one value the query leaves (one area, one year, one group)",
    "latest": "the value in the latest year with data for one area, and that year",
    "max": "the area (or group) with the highest value",
    "min": "the area (or group) with the lowest value",
    "rank": "the place of `of` when the areas are ordered from the highest value (1 = highest)",
    "change": "value in `to` minus value in `from` (percentage points for a rate)",
    "percent_change": "(value in `to` / value in `from` - 1) x 100, in percent",
    "gap": "value of the first member of `between` minus the value of the second",
}
# the parameters each operation takes besides the query (validated by course.spec)
OPERATION_PARAMS: dict[str, tuple[str, ...]] = {
    "value": (), "latest": (), "max": ("over",), "min": ("over",), "rank": ("of", "order", "over"),
    "change": ("from", "to"), "percent_change": ("from", "to"), "gap": ("between",),
}
PLACEHOLDERS = ("value", "amount", "unit", "area", "area_name", "year", "from", "to", "group", "missing", "flags",
                "source", "value_from", "value_to", "a", "b", "value_a", "value_b")


@dataclass
class Computed:
    """A computed right answer: the value, what it was computed from, and how to cite it.

    ``value`` is a number (``kind="number"``) or a member code/label (``kind="member"``: an area code such as
    ``'PHL'``, a year or a survey group label). ``detail`` holds what the feedback may quote (the
    placeholders of an explanation); ``provenance`` follows the library's provenance contract
    (``kind="derived"`` with its ``sources``); ``rows`` is the data the operation used.
    """

    value: float | str | int
    kind: str
    operation: str
    detail: dict = field(default_factory=dict)
    provenance: dict = field(default_factory=dict)
    rows: pd.DataFrame | None = None

    @property
    def citation(self) -> str:
        return self.provenance.get("citation", "")

    def placeholders(self, unit: str | None = None, decimals: int = 1) -> dict[str, "Shown"]:
        """The words an explanation template may use: ``{value}``, ``{area_name}``, ``{year}``...

        Numbers are shown with ``decimals`` decimals unless the template gives a format (``{amount:.2f}``).
        ``{value}`` is the answer (a number, or the name of the area/group for max and min); ``{amount}`` is
        always the number behind it.
        """
        d = self.detail

        def num(v):
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                return Shown(v, f"{v:,.{decimals}f}" if isinstance(v, float) else str(v))
            return Shown(None, "" if v is None else str(v))

        amount = d.get("of_value", self.value if self.kind == "number" else None)
        out = {k: Shown(None, "") for k in PLACEHOLDERS}
        out.update({
            "value": num(self.value) if self.kind == "number" else Shown(None, str(d.get("name") or self.value)),
            "amount": num(amount),
            "unit": Shown(None, unit or ""),
            "area": Shown(None, str(d.get("area") or d.get("member") or "")),
            "area_name": Shown(None, str(d.get("area_name") or d.get("name") or d.get("area") or "")),
            "year": Shown(None, str(d.get("year") or "")),
            "from": Shown(None, str(d.get("from") or "")), "to": Shown(None, str(d.get("to") or "")),
            "value_from": num(d.get("value_from")), "value_to": num(d.get("value_to")),
            "a": Shown(None, str(d.get("a_name") or d.get("a") or "")),
            "b": Shown(None, str(d.get("b_name") or d.get("b") or "")),
            "value_a": num(d.get("value_a")), "value_b": num(d.get("value_b")),
            "group": Shown(None, str(d.get("name") or d.get("member") or "")),
            "missing": Shown(None, ", ".join(d.get("missing", [])) or "none"),
            "flags": Shown(None, "; ".join(d.get("flags", [])) or "none"),
            "source": Shown(None, self.citation),
        })
        return out


class Shown:
    """A placeholder's value: its text, and the number behind it for templates that format it (``{x:.2f}``).

    >>> f"{Shown(3.14159, '3.1')} {Shown(3.14159, '3.1'):.3f} {Shown(None, 'PHL'):.1f}"
    '3.1 3.142 PHL'
    """

    def __init__(self, number: float | int | None, text: str) -> None:
        self.number, self.text = number, text

    def __format__(self, spec: str) -> str:
        if spec and self.number is not None:
            return format(self.number, spec)
        return self.text

    def __str__(self) -> str:
        return self.text


# -- pure operations ------------------------------------------------------------------------------------
def _one_per_member(frame: pd.DataFrame, over: str | None, dims: list[str]) -> None:
    """Refuse a frame where a member of ``over`` has several rows (say which dimensions differ)."""
    keys = [over] if over else []
    groups = frame.groupby(keys, dropna=False, sort=False) if keys else [((), frame)]
    for key, rows in groups:
        if len(rows) > 1:
            open_dims = [d for d in dims if d != over and d in rows and rows[d].nunique(dropna=False) > 1]
            what = f" for {over} {key[0] if isinstance(key, tuple) else key}" if over else ""
            others = [d for d in open_dims if d != "source"]  # several areas also differ by source: say the areas
            if others:
                raise AnswerError("Computing the answer", f"the query leaves {', '.join(others)} open{what} "
                                  f"({len(rows)} rows)", f"fix {', '.join(others)} in the query")
            if open_dims:
                sources = ", ".join(map(str, rows["source"].unique()))
                raise AnswerError("Computing the answer", f"the data have several sources{what} ({sources})",
                                  "add `source:` to the query to choose one, or change the year")
            raise AnswerError("Computing the answer", f"{len(rows)} identical rows{what}", "report this file")


def _value_at(frame: pd.DataFrame, over: str, member: Any) -> float:
    rows = frame[frame[over].astype(str) == str(member)]
    if rows.empty:
        have = ", ".join(map(str, sorted(frame[over].astype(str).unique())))
        raise AnswerError("Computing the answer", f"there is no value for {over} {member} (there are: {have})",
                          "choose a member that has data, or change the query")
    return float(rows["value"].iloc[0])


def operate(frame: pd.DataFrame, op: str, params: dict, *, over: str | None = None,
            dims: list[str] | None = None) -> tuple[Any, dict]:
    """Apply operation ``op`` to ``frame`` (columns: the dimensions and ``value``) -> (answer, detail).

    Pure: no data is fetched here. ``dims`` are the frame's dimension columns (used to say what is left open).

    >>> f = pd.DataFrame({"time": [2019, 2020, 2021], "value": [2.2, 2.5, 3.4]})
    >>> round(operate(f, "change", {"from": 2019, "to": 2021}, over="time")[0], 3)
    1.2
    >>> operate(f, "latest", {}, over="time")[0]
    3.4
    """
    if op not in OPERATIONS:
        raise AnswerError("Computing the answer", f"'{op}' is not an operation", "one of: " + ", ".join(OPERATIONS))
    dims = list(dims or [c for c in frame.columns if c not in ("value", "name", "flag")])
    frame = frame[frame["value"].notna()]
    if frame.empty:
        raise AnswerError("Computing the answer", "the query gives no value", "change the query (area, year, codes)")
    if op == "value":
        _one_per_member(frame, None, dims)
        row = frame.iloc[0]
        return float(row["value"]), {"row": {d: row[d] for d in dims if d in row}}
    _one_per_member(frame, over, dims)
    if op == "latest":
        row = frame.loc[frame[over].astype(int).idxmax()]
        return float(row["value"]), {"year": int(row[over])}
    if op in ("max", "min"):
        ordered = frame.sort_values("value", ascending=(op == "min"), kind="stable")
        best, runner = ordered.iloc[0], (ordered.iloc[1] if len(ordered) > 1 else None)
        if runner is not None and runner["value"] == best["value"]:
            raise AnswerError("Computing the answer", f"{best[over]} and {runner[over]} have the same value "
                              f"({best['value']}), so there is no single {'highest' if op == 'max' else 'lowest'}",
                              "change the year or the areas")
        member = best[over]
        member = int(member) if over == "time" else member
        return member, {"over": over, "member": member, "of_value": float(best["value"])}
    if op == "rank":
        of = params["of"]
        v = _value_at(frame, over, of)
        descending = params.get("order", "descending") == "descending"
        ahead = int((frame["value"] > v).sum() if descending else (frame["value"] < v).sum())
        return ahead + 1, {"over": over, "member": of, "of_value": v, "out_of": int(len(frame))}
    if op in ("change", "percent_change"):
        a, b = params["from"], params["to"]
        va, vb = _value_at(frame, over, a), _value_at(frame, over, b)
        if op == "change":
            return vb - va, {"from": a, "to": b, "value_from": va, "value_to": vb}
        if va == 0:
            raise AnswerError("Computing the answer", f"the value in {a} is 0, so a percent change has no meaning",
                              "use `change` instead")
        return (vb / va - 1) * 100, {"from": a, "to": b, "value_from": va, "value_to": vb}
    if op == "gap":
        a, b = params["between"][over]
        va, vb = _value_at(frame, over, a), _value_at(frame, over, b)
        return va - vb, {"a": a, "b": b, "value_a": va, "value_b": vb}
    raise AssertionError(op)  # pragma: no cover


def default_over(op: str, query: dict) -> str | None:
    """The dimension an operation looks along when ``over`` is not given."""
    if op == "value":
        return None
    if op in ("latest", "change", "percent_change"):
        return "time"
    if op == "gap":
        return None  # taken from `between`
    if "survey" in query:
        by = query.get("by") or []
        return by[0] if len(by) == 1 else None
    return "ref_area"


# -- fetching the frame ---------------------------------------------------------------------------------
def _years(spec: dict) -> tuple[int | None, int | None]:
    op, q = spec["operation"], spec["query"]
    if op in ("change", "percent_change"):
        return min(spec["from"], spec["to"]), max(spec["from"], spec["to"])
    if "year" in q:
        return q["year"], q["year"]
    if "years" in q:
        return q["years"][0], q["years"][1]
    return None, None


def ilostat_frame(spec: dict, offline: bool | None, client=None) -> tuple[pd.DataFrame, dict, list[str]]:
    """The ILOSTAT rows a spec asks for -> (frame with dims + value + name + flag, provenance, dims).
    ``client``: an :class:`evidencekit.ilostat.Client` (default: the library's shared client)."""
    import evidencekit as ek

    q = spec["query"]
    filters = {k: q.get(k) for k in ("ref_area", "sex", "classif1", "classif2", "source")}
    if spec["operation"] == "gap":
        (dim, pair), = spec["between"].items()
        filters[dim] = list(pair)
    start, end = _years(spec)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        get = client.get if client is not None else ek.ilostat.get
        df = get(q["indicator"], **filters, start=start, end=end, labels=True, offline=offline)
    notes = [str(w.message) for w in caught if "no rows" not in str(w.message)]
    if spec["operation"] in ("change", "percent_change"):
        _no_break_between(df, spec["from"], spec["to"])
        df = df[df["time"].astype(str).isin([str(spec["from"]), str(spec["to"])])]
    frame = pd.DataFrame({d: df[d] for d in ILOSTAT_DIMS if d in df.columns})
    frame["time"] = pd.to_numeric(frame["time"], errors="coerce").astype("Int64")
    frame["value"] = pd.to_numeric(df["obs_value"], errors="coerce")
    frame["name"] = df["ref_area.label"] if "ref_area.label" in df else frame["ref_area"]
    frame["flag"] = df["obs_status.label"] if "obs_status.label" in df else pd.NA
    prov = dict(df.attrs.get("provenance", {}))
    prov.setdefault("kind", "ilostat")
    if notes:
        prov["notes"] = notes
    return frame.reset_index(drop=True), prov, [d for d in ILOSTAT_DIMS if d in frame.columns]


def _no_break_between(df: pd.DataFrame, a: int, b: int) -> None:
    """Refuse a change across a break in series (a break after the first year, up to the last, by
    :func:`evidencekit.compare.break_mask`: flag B or ILOSTAT's 'Break in series' note): the two
    values were measured differently, so their difference mixes a real change with a change of method."""
    from evidencekit.compare import break_mask  # one rule for breaks: obs_status B or a 'Break in series' note

    lo, hi = min(a, b), max(a, b)
    years = pd.to_numeric(df["time"], errors="coerce")
    breaks = df[break_mask(df) & (years > lo) & (years <= hi)]
    if len(breaks):
        where = ", ".join(sorted({f"{r.ref_area} {r.time}" for r in breaks.itertuples()}))
        raise AnswerError("Computing the change", f"there is a break in series between {lo} and {hi} ({where})",
                          "choose two years on the same side of the break")


@functools.lru_cache(maxsize=1)
def _synthetic():
    from evidencekit.microdata.synthetic import load_sample
    return load_sample()


def survey_of(name: str):
    """The survey a query names. Only the SYNTHETIC training survey ships with evidencekit."""
    if name == "synthetic":
        return _synthetic()
    raise AnswerError("Computing the answer", f"the survey '{name}' is not known", "write survey: synthetic")


def survey_frame(spec: dict) -> tuple[pd.DataFrame, dict, list[str]]:
    """Estimates from the survey a spec names -> (frame with by-columns + value + flag, provenance, dims)."""
    from evidencekit import indicators

    q = spec["query"]
    s = survey_of(q["survey"])
    by = list(q.get("by") or [])
    level, fieldname = q.get("level", 0.95), q.get("field", "estimate")
    if "share" in q:
        col, wanted = q["share"]["column"], q["share"]["value"]
        labels = s.value_labels.get(col, {})
        code = next((c for c, lab in labels.items() if str(lab) == str(wanted)), wanted)
        out = indicators.share(s, col, code, by=by or None, level=level)
        what = f"share of {labels.get(code, code)} among records with {col}"
    else:
        out = indicators.estimate(s, q["indicator"], by=by or None, level=level)
        what = q["indicator"]
    for col, wanted in (q.get("select") or {}).items():
        if col not in out.columns:
            raise AnswerError("Computing the answer", f"`select` names {col}, which is not a `by` column",
                              "add it to `by` or remove it from `select`")
        out = out[(out[col].astype(str) == str(wanted)) | (out.get(f"{col}_code", out[col]).astype(str) == str(wanted))]
    frame = pd.DataFrame({c: out[c].astype(str) for c in by}, index=out.index)
    frame["value"] = pd.to_numeric(out[fieldname], errors="coerce")
    frame["flag"] = out["flags"] if "flags" in out else ""
    prov = dict(out.attrs.get("provenance", {}))
    if not prov:
        prov = {"kind": "survey", "origin": "microdata", "dataset": s.source, "synthetic": "SYNTHETIC" in (s.source or ""),
                "publisher": "evidencekit (generated training data)" if "SYNTHETIC" in (s.source or "") else None,
                "licence": None, "vintage": None, "design": out.attrs.get("design"), "level": level,
                "ci_method": out.attrs.get("ci", {}).get("method"),
                "citation": f"{s.source}" + (" — SYNTHETIC data, describes no real country" if "SYNTHETIC" in (s.source or "") else "")}
    prov["estimate"] = {"what": what, "by": by, "field": fieldname}
    return frame.reset_index(drop=True), prov, by


def evaluate(spec: dict, *, offline: bool | None = None, client=None) -> Computed:
    """Compute a data-dependent answer: ``spec`` is a validated ``answer`` (``query``, ``operation``, params).

    Raises :class:`~evidencekit.course.errors.AnswerError` (or the data source's own EvidenceKitError, e.g. a
    dataset that is not available offline) when the answer cannot be computed; never guesses. ``offline`` and
    ``client`` (an :class:`evidencekit.ilostat.Client`) choose where ILOSTAT figures come from, as for
    ``evidencekit.ilostat.get``: the app passes the same as for the charts, so answers match what is shown.

    >>> spec = {"query": {"indicator": "SDG_0852_SEX_AGE_RT_A", "ref_area": ["PHL"], "sex": ["SEX_T"],
    ...                   "classif1": ["AGE_YTHADULT_YGE15"]}, "operation": "change", "from": 2019, "to": 2021}
    >>> import tempfile
    >>> from evidencekit.ilostat import Client
    >>> c = evaluate(spec, client=Client(cache_dir=tempfile.mkdtemp(), offline=True))
    >>> round(c.value, 3), c.detail["value_from"], c.provenance["kind"]
    (1.161, 2.237, 'derived')
    """
    op, q = spec["operation"], spec["query"]
    if "survey" in q:
        frame, source, dims = survey_frame(spec)
    else:
        frame, source, dims = ilostat_frame(spec, offline, client)
    over = spec.get("over") or (next(iter(spec["between"])) if op == "gap" else default_over(op, q))
    if op not in ("value",) and over is None:
        raise AnswerError("Computing the answer", f"the operation `{op}` does not know which dimension to look along",
                          "give `over:` (for a survey query: one `by` column)")
    if over is not None and over not in frame.columns:
        raise AnswerError("Computing the answer", f"`{over}` is not a dimension of the data ({', '.join(dims)})",
                          f"write `over:` as one of {', '.join(dims)}")
    value, detail = operate(frame, op, spec, over=over, dims=dims)
    used = _used_rows(frame, op, over, detail, value)
    detail.update(_describe(frame, used, op, over, q, detail, value))
    kind = "member" if op in ("max", "min") else "number"
    if op == "rank":
        value = int(value)
    steps = OPERATIONS[op]
    prov = {"kind": "derived", "sources": [source], "operation": op, "query": q,
            "citation": f"Computed by evidencekit ({op}: {steps}) from: {source.get('citation', 'unknown source')}",
            "publisher": source.get("publisher"), "licence": source.get("licence"),
            "dataset": source.get("dataset"), "vintage": source.get("vintage"),
            "retrieved_at": source.get("retrieved_at")}
    return Computed(value=value, kind=kind, operation=op, detail=detail, provenance=prov, rows=used)


def _used_rows(frame, op, over, detail, value) -> pd.DataFrame:
    if op in ("value", "max", "min", "rank"):
        return frame.reset_index(drop=True)
    if op == "latest":
        return frame[frame[over] == detail["year"]].reset_index(drop=True)
    keys = [detail.get("from"), detail.get("to")] if op in ("change", "percent_change") else [detail["a"], detail["b"]]
    return frame[frame[over].astype(str).isin([str(k) for k in keys])].reset_index(drop=True)


@functools.lru_cache(maxsize=1)
def _area_names() -> dict[str, str]:
    """Area code -> English name, from the embedded snapshot (names of areas without data too)."""
    try:
        import tempfile

        from evidencekit.ilostat import Client
        with tempfile.TemporaryDirectory(prefix="evidencekit-areas-") as tmp:
            a = Client(cache_dir=tmp, offline=True).areas()
        return dict(zip(a["ref_area"].astype(str), a["ref_area.label"].astype(str)))
    except (EvidenceKitError, KeyError, OSError):
        return {}


def _describe(frame, used, op, over, q, detail, value) -> dict:
    """Names, years, missing areas and flags the feedback can quote."""
    out: dict[str, Any] = {}
    names = {**_area_names(), **(dict(zip(frame["ref_area"].astype(str), frame["name"].astype(str)))
                                 if "ref_area" in frame and "name" in frame else {})}
    if "ref_area" in frame:
        areas = list(dict.fromkeys(used["ref_area"].astype(str)))
        if len(areas) == 1:
            out["area"], out["area_name"] = areas[0], names.get(areas[0], areas[0])
        asked = q.get("ref_area") or []
        out["missing"] = [f"{names.get(a, a)}" for a in asked if a not in set(frame["ref_area"].astype(str))]
    if "time" in frame and used["time"].nunique() == 1:
        out["year"] = int(used["time"].iloc[0])
    if op in ("max", "min", "rank") and over == "ref_area":
        out["name"] = names.get(str(detail["member"]), str(detail["member"]))
        out["area"], out["area_name"] = str(detail["member"]), out["name"]
    elif op in ("max", "min"):
        out["name"] = str(detail["member"])
    if op == "gap" and over == "ref_area":
        out["a_name"], out["b_name"] = names.get(detail["a"], detail["a"]), names.get(detail["b"], detail["b"])
    flags = []
    for _, row in used.iterrows():
        f = row.get("flag")
        if isinstance(f, str) and f.strip():
            who = " ".join(str(row[c]) for c in ("ref_area", "time") if c in row and pd.notna(row[c]))
            flags.append(f"{who}: {f}".strip(": ") if who else f)
    out["flags"] = flags
    out["rows_used"] = int(len(used))
    return out


def compare_numbers(given: float, expected: float, tolerance: float) -> bool:
    """True when ``given`` is within ``tolerance`` (absolute) of ``expected``, with a little slack for floats.

    >>> compare_numbers(14.1, 14.141, 0.05), compare_numbers(14.2, 14.141, 0.05)
    (True, False)
    """
    return math.isfinite(given) and abs(given - expected) <= tolerance + 1e-9 * max(1.0, abs(expected))


__all__ = ["Computed", "OPERATIONS", "OPERATION_PARAMS", "PLACEHOLDERS", "evaluate", "operate", "compare_numbers",
           "AnswerError", "EvidenceKitError"]
