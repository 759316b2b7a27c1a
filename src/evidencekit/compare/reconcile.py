"""Every figure we hold for one indicator, country and period, side by side — what differs, why, and a choice.

:func:`figures` puts any source into one shape (one row per figure, with its metadata in words);
:func:`reconcile` lines them up by year, spells out what differs (value, definition, who computed it, source
type, coverage, period, release, ILOSTAT's flags and notes) from the metadata the figures carry, and applies a
named rule to choose one series. Nothing here knows a country: explanations come from ILOSTAT's notes and
source dictionary, the national concepts a survey mapping declares, and what the user typed with their figures.
The rules and the wording are in ``docs/compare.md`` §Reconcile.

Figures typed in by hand (``national=``): a list of dicts or a frame with ``time``, ``value`` and ``source``
(required) and optionally ``label``, ``definition``, ``coverage``, ``period``, ``published``, ``note``,
``ref_area``, ``url``.

>>> ilo = pd.DataFrame({"ref_area": ["PHL"], "source": ["BA:629"], "time": ["2019"], "obs_value": [2.2],
...                     "note_source": ["R1:3513"]})
>>> ilo.attrs["provenance"] = {"kind": "ilostat", "dataset": "SDG_0852_SEX_AGE_RT_A", "vintage": "2023-11-29",
...                            "citation": "ILOSTAT. SDG_0852_SEX_AGE_RT_A."}
>>> rec = reconcile(ilo, national=[{"time": 2019, "value": 5.1, "source": "PSA", "definition": "national"}],
...                 rule="national")
>>> rec.choice[["time", "figure", "value"]].values.tolist()
[['2019', 'PSA', 5.1]]
>>> rec.differences["aspect"].tolist()[:2]
['value', 'definition']
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from evidencekit import provenance
from evidencekit.compare import _frames as F
from evidencekit.errors import InputError

WHAT = "Reconciling figures"

RULES: dict[str, dict[str, str]] = {
    "same_source": {
        "label": "Same source over time",
        "why": "One series from one source for every year, so that a change over time is not caused by a "
               "change of source, definition or method.",
    },
    "latest_release": {
        "label": "Latest release",
        "why": "Statistics are revised; the most recent release includes the corrections made since.",
    },
    "ilostat_best": {
        "label": "ILOSTAT's best source",
        "why": "The figure ILOSTAT publishes for the country and year, on the same basis as other countries, "
               "so the country can be compared with its neighbours.",
    },
    "national": {
        "label": "National definition",
        "why": "The figure the national statistical office publishes with its own definition: the one national "
               "policy debate, laws and targets use.",
    },
}

# Source types, from the abbreviation that starts ILOSTAT's source labels ("LFS - Labour Force Survey").
SOURCE_TYPES = {
    "LFS": "labour force survey", "HIES": "household income and expenditure survey", "HS": "household survey",
    "PC": "population census", "ES": "establishment survey", "EC": "establishment census",
    "ADM": "administrative records", "OE": "official estimates", "ILO": "ILO estimates",
    "SNA": "national accounts", "CPS": "consumer price survey", "IS": "insurance records",
}
ASPECTS = ("definition", "computed by", "difference over time", "period", "coverage", "source type", "source",
           "release", "flags", "notes")
_TIME = re.compile(r"^\s*(?P<y>(?:19|20)\d\d)(?:\s*[-/ ]?\s*(?:(?P<q>Q[1-4])|M?(?P<m>0?[1-9]|1[0-2])))?\s*$", re.I)
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]


@dataclass
class Reconciliation:
    """The result of :func:`reconcile`.

    - ``table``: one row per figure (``figure``, ``kind``, ``time``, ``value``, ``ci_low``, ``ci_high``,
      ``source_type``, ``computed_by``, ``definition``, ``coverage``, ``period``, ``vintage``, ``status``,
      ``notes``, ``citation``, ``chosen``); ``attrs["provenance"]`` lists every source.
    - ``differences``: one row per year and aspect (``time``, ``aspect``, ``detail``, ``explanation``).
    - ``choice``: per year, the figure the rule chose (``time``, ``figure``, ``value``, ``reason``).
    - ``rule``: ``name``, ``label``, ``why``.
    """

    table: pd.DataFrame
    differences: pd.DataFrame
    choice: pd.DataFrame
    rule: dict
    indicator: str = ""
    ref_area: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def provenance(self) -> dict:
        return self.table.attrs["provenance"]

    def text(self) -> str:
        """The whole reconciliation in plain words: the figures, what differs and why, the rule and the choice."""
        t = self.table
        yrs = sorted(t["_yr"].unique())
        span = f"{yrs[0]}" if len(yrs) == 1 else f"{yrs[0]}–{yrs[-1]}"
        where = f", {self.ref_area}" if self.ref_area else ""
        lines = [f"{self.indicator}{where}, {span}: {t['figure'].nunique()} series side by side."]
        for y in yrs:
            part = t[t["_yr"] == y]
            vals = "; ".join(f"{r.figure} {_fmt(r.value)}{_ci(r)}" + (f" [{r.time}]" if r.time != str(y) else "")
                             for r in part.itertuples())
            spread = self.differences[(self.differences["time"] == str(y)) & (self.differences["aspect"] == "value")]
            extra = f" — {spread['explanation'].iloc[0]}" if len(spread) and spread["explanation"].iloc[0] else ""
            lines.append(f"  {y}: {vals}.{extra}")
        d = self.differences[self.differences["aspect"] != "value"]
        if len(d):
            lines.append("What differs, and why:")
        for aspect in ASPECTS:
            part = d[d["aspect"] == aspect]
            for (detail, why), g in part.groupby(["detail", "explanation"], sort=False):
                when = ", ".join(g["time"]) if aspect != "difference over time" else "across years"
                lines.append(f"- {aspect.capitalize()} ({when}): {detail} {why}".rstrip())
        lines.append(f"Rule: {self.rule['label']}. {self.rule['why']}")
        for (figure, reason), g in self.choice.groupby(["figure", "reason"], sort=False):
            when = ", ".join(f"{r.time}" + (f" ({_fmt(r.value)})" if pd.notna(r.value) else "") for r in g.itertuples())
            lines.append(f"  {'Chosen' if figure != 'none' else 'Left empty'}: {figure if figure != 'none' else ''}"
                         f"{' — ' if figure != 'none' else ''}{when}. Why: {reason}")
        lines.extend(self.notes)
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        """``table`` without internal columns, with its provenance (for export or a brief)."""
        out = self.table.drop(columns=[c for c in self.table.columns if c.startswith("_")])
        out.attrs = dict(self.table.attrs)
        return out


def _fmt(v: float) -> str:
    return "–" if v is None or (isinstance(v, float) and np.isnan(v)) else f"{v:.1f}"


def _ci(r) -> str:
    lo, hi = getattr(r, "ci_low", np.nan), getattr(r, "ci_high", np.nan)
    if pd.notna(lo) and pd.notna(hi):
        span = F.interval(f"{lo:.1f}", f"{hi:.1f}")
        return f" (95% CI {span})" if getattr(r, "level", 0.95) in (0.95, None) or pd.isna(
            getattr(r, "level", np.nan)) else f" ({round(100 * r.level)}% CI {span})"
    return ""


# -- one shape for every figure ---------------------------------------------------------------------------------

def _when(text: object, what: str) -> tuple[float, str, str, str]:
    """(decimal year, canonical time, period words, period type) of '2019', '2020Q2', '2022-11', '2022M11'."""
    raw = str(text).strip()
    if re.match(r"^\d{4}M\d", raw):
        raw = raw.replace("M", "-")
    m = _TIME.match(raw)
    if not m:
        raise InputError(what, f"the period {text!r} is not a year, quarter or month",
                         "write it as 2019, 2020Q2 or 2022-11")
    y = int(m.group("y"))
    if m.group("q"):
        q = int(m.group("q")[1])
        return y + (q - 1) / 4, f"{y}Q{q}", f"quarter {q} of {y}", "one quarter"
    if m.group("m"):
        mo = int(m.group("m"))
        return y + (mo - 1) / 12, f"{y}-{mo:02d}", f"{_MONTHS[mo - 1]} {y}", "one month"
    return float(y), str(y), f"{y}", "whole year"


def _source_type(label: object) -> str | None:
    if not isinstance(label, str) or not label.strip():
        return None
    head = label.split(" - ")[0].strip()
    base = head.split("-")[0].strip()
    return SOURCE_TYPES.get(head, SOURCE_TYPES.get(base, label))


def _note_kind(note: str) -> str:
    """Which aspect an ILOSTAT note speaks to, from its type (the words before ':')."""
    head = note.split(":")[0].lower()
    if "break in series" in head:
        return "break"
    if "repository" in head or "institution" in head or "source" in head:
        return "computed_by"
    if "coverage" in head or "age group" in head or "population" in head:
        return "coverage"
    if "reference period" in head or "frequency" in head:
        return "period"
    if "definition" in head or "concept" in head or "criteri" in head or "threshold" in head \
            or "calculation" in head or "nonstandard" in head:
        return "definition"
    return "other"


def _who(notes: list[str]) -> tuple[str, str]:
    """(category, words) of who computed an ILOSTAT figure, from its 'Repository' note."""
    for n in notes:
        if n.lower().startswith("repository:"):
            who = n.split(":", 1)[1].strip()
            if "micro data processing" in who.lower() or who.lower().startswith("ilo calculation"):
                return "ILO", "the ILO, from the survey's microdata"
            if "nso" in who.lower() or "ministry" in who.lower():
                return "office", f"the national office ({who})"
            return "other", who
    return "unknown", "not stated in ILOSTAT's notes"


_AGE_TEXT = re.compile(r"(?P<lo>\d{1,2})\s*(?:\+|years?\s+and\s+(?:over|older)|and\s+(?:over|older))"
                       r"|(?P<a>\d{1,2})\s*(?:-|–|to)\s*(?P<b>\d{1,2})")


def _age(text: object) -> str | None:
    """An age band in one spelling ('15+', '15-24') found in a label or typed text, else None.

    >>> _age("household population 15+"), _age("aged 15 to 24"), _age("Total")
    ('15+', '15-24', None)
    """
    if not isinstance(text, str):
        return None
    m = _AGE_TEXT.search(text)
    if not m:
        return None
    return f"{m.group('lo')}+" if m.group("lo") else f"{m.group('a')}-{m.group('b')}"


def _geo(text: object) -> str | None:
    t = str(text or "").lower()
    if "urban" in t and "rural" not in t:
        return "urban areas"
    if "rural" in t and "urban" not in t:
        return "rural areas"
    if "capital" in t or "main cit" in t or "metropolitan" in t:
        return "main cities only"
    if "national" in t or "whole country" in t:
        return "national"
    return None


def _basis(definition: str) -> tuple[str, str | None]:
    """(basis, ICLS) of a definition in words: national / ILO / ILO with deviations / unknown; '13th'/'19th'."""
    t = definition.lower()
    icls = "19th" if ("19th icls" in t or "excluding own-use production" in t) else \
        "13th" if ("13th icls" in t or "including subsistence" in t) else None
    if "not stated" in t:
        basis = "unknown"
    elif "national" in t:
        basis = "national"
    elif "ilo harmonised" in t or "international" in t:
        basis = "ILO"
    elif "ilo" in t or "icls" in t:
        basis = "ILO"
    else:
        basis = "ILO, with deviations noted"
    return basis, icls


def _ilostat_rows(df: pd.DataFrame, src: dict, label: str | None) -> list[dict]:
    F.one_value_each(df, ["ref_area", "source"], WHAT)
    title = F.indicator_title(df, src)
    rows = []
    sources = F.source_label(df)
    proj = F.projection_mask(df, src)
    for i, r in df.iterrows():
        notes = F.notes_of(r)
        kinds = {n: _note_kind(n) for n in notes}
        year, time, period, ptype = _when(r["time"], WHAT)
        for n, k in kinds.items():
            if k == "period":
                said = n.split(":", 1)[1].strip()
                period = f"{time}: {said}"
                ptype = "whole year" if said.lower().startswith("average") else "part of the year"
        defs = [n for n, k in kinds.items() if k == "definition"]
        if "19th ICLS" in title:
            defs.insert(0, "19th ICLS series")
        who, by = _who(notes)
        basis = "ILO, with deviations noted" if defs else ("ILO" if who == "ILO" else "unknown")
        if not defs:
            defs = ["ILO harmonised definition (international standards)"] if who == "ILO" else \
                ["not stated in ILOSTAT's notes"]
        _, icls = _basis("; ".join(defs))
        sex = str(F.label(df.loc[[i]], "sex").iloc[0]) if isinstance(r.get("sex"), str) else None
        classes = [str(r.get(f"{c}.label")) if isinstance(r.get(f"{c}.label"), str) else F.code_words(c, r[c])
                   for c in ("classif1", "classif2") if isinstance(r.get(c), str)]
        cover_notes = [n for n, k in kinds.items() if k == "coverage"]
        age = next((a for a in (_age(F.code_words("classif1", str(r.get(c)))) for c in ("classif1", "classif2")
                                if isinstance(r.get(c), str) and str(r.get(c)).startswith("AGE_")) if a), None)
        geo = next((g for g in (_geo(x) for x in classes + cover_notes) if g), "national")
        status = F.status_text(r.get("obs_status"))
        if bool(proj[i]) and "forecast" not in status:
            status = "; ".join(s for s in (status, "projection") if s)
        src_label = sources[i] if pd.notna(sources[i]) else None
        stype = _source_type(src_label)
        if str(r.get("source") or "").startswith("XA"):
            stype = "ILO modelled estimates"
        rows.append({
            "kind": "ilostat", "ref_area": r.get("ref_area"), "_year": year, "time": time, "value": r["obs_value"],
            "ci_low": np.nan, "ci_high": np.nan, "level": np.nan, "dataset": src.get("dataset"),
            "indicator": title, "source": r.get("source"), "source_label": src_label,
            "source_type": stype or "not stated", "computed_by": by, "definition": "; ".join(defs),
            "coverage": "; ".join([x for x in [sex] + classes if x] + cover_notes) or "not stated",
            "period": period, "vintage": src.get("vintage") or "unknown", "status": status,
            "notes": "; ".join(n for n, k in kinds.items() if k in ("other", "break")),
            "citation": src["citation"], "_label": label, "_prov": src,
            "_basis": basis, "_icls": icls, "_who": who, "_age": age, "_sex": sex, "_geo": geo, "_ptype": ptype,
            "_stype": stype, "_unit": F.unit_of(df, src),
        })
    return rows


def _survey_rows(df: pd.DataFrame, src: dict, time: object, label: str | None, period: str | None,
                 ref_area: str | None = None) -> list[dict]:
    if "estimate" not in df.columns:
        raise InputError(WHAT, "the survey figures have no 'estimate' column",
                         "pass the frame ek.indicators.estimate(...) returned")
    t = time if time is not None else src.get("time") or src.get("period")
    if t is None:
        raise InputError(WHAT, "a survey estimate does not say which period it is for",
                         "wrap it with compare.figures(estimate, time='2022-11') (the survey's month, quarter or "
                         "year)")
    year, canon, words, ptype = _when(t, WHAT)
    level = src.get("level") or (df.attrs.get("ci") or {}).get("level") or 0.95
    icls = df.attrs.get("icls_basis") or {}
    name = src.get("dataset") or src.get("file") or "survey microdata"
    synthetic = provenance.is_synthetic(src)
    by_cols = F.estimate_groups(df)
    all_flags = F.estimate_flags(df)
    rows = []
    for i, r in df.iterrows():
        flags = str(all_flags[i])
        national = [f.split(":", 1)[1].strip() for f in flags.split("; ") if f.startswith("national concept")]
        definition = ("national definition: " + "; ".join(national)) if national else \
            ("ILO definition as the survey mapping codes it" + (f" ({icls.get(r.get('indicator'))})"
                                                                if icls.get(r.get("indicator")) else ""))
        group = ", ".join(f"{r[c]}" for c in by_cols if pd.notna(r[c]))
        sex = next((str(r[c]) for c in by_cols if c == "ilo_sex" and pd.notna(r[c])), None)
        sex = {"Male": "Men", "Female": "Women", "1": "Men", "2": "Women"}.get(sex, sex) if sex else "Total"
        rows.append({
            "kind": "survey", "ref_area": src.get("ref_area") or ref_area, "_year": year, "time": canon,
            "value": float(r["estimate"]), "ci_low": float(r.get("ci_low", np.nan)),
            "ci_high": float(r.get("ci_high", np.nan)), "level": float(level), "dataset": name,
            "indicator": str(r.get("label") or r.get("indicator") or ""), "source": None,
            "source_label": ("SYNTHETIC training survey " if synthetic else "") + str(name),
            "source_type": "survey microdata" + (" (SYNTHETIC)" if synthetic else ""),
            "computed_by": "own estimate from the microdata (weighted, with its confidence interval)",
            "definition": definition, "coverage": group or "the survey's population",
            "period": period or words, "vintage": src.get("vintage") or "not applicable",
            "status": "; ".join(f for f in flags.split("; ") if f and not f.startswith("national concept")),
            "notes": "", "citation": src["citation"], "_label": label, "_prov": src,
            "_basis": _basis(definition)[0], "_icls": _basis(definition)[1], "_who": "own",
            "_age": _age(group), "_sex": sex, "_geo": _geo(group), "_ptype": ptype, "_stype": None,
            "_unit": str(r.get("unit") or ""),
        })
    return rows


def _user_rows(national, ref_area: str | None) -> list[dict]:
    if isinstance(national, pd.DataFrame):
        records = national.to_dict("records")
    elif isinstance(national, dict):
        records = [national]
    elif isinstance(national, (list, tuple)):
        records = list(national)
    else:
        raise InputError(WHAT, f"national= is a {type(national).__name__}",
                         "pass a list of dicts (time, value, source, …) or a DataFrame with those columns")
    rows = []
    for n, rec in enumerate(records, start=1):
        what = f"Typed figure {n}"
        if not isinstance(rec, dict):
            raise InputError(what, f"is a {type(rec).__name__}, not a dict", "give time, value and source")
        rec = {k: v for k, v in rec.items() if not (isinstance(v, float) and np.isnan(v))}
        missing = [k for k in ("time", "value", "source") if rec.get(k) is None or str(rec.get(k)).strip() == ""]
        if missing:
            raise InputError(what, f"has no {', '.join(missing)}", "every typed figure needs time, value and the "
                             "source it was published in")
        try:
            value = float(str(rec["value"]).replace(",", "").strip())
        except ValueError:
            raise InputError(what, f"value {rec['value']!r} is not a number", "type the figure, e.g. 5.1") from None
        year, canon, words, ptype = _when(rec["time"], what)
        prov = provenance.user(str(rec["source"]), title=rec.get("title"), published=rec.get("published"),
                               url=rec.get("url"), note=rec.get("note"))
        definition = str(rec.get("definition") or "not stated (ask the publisher which definition it uses)")
        coverage = "; ".join(str(rec[k]) for k in ("coverage", "age", "sex") if rec.get(k))
        basis, icls = _basis(definition)
        rows.append({
            "kind": "user", "ref_area": rec.get("ref_area") or ref_area, "_year": year, "time": canon,
            "value": value, "ci_low": np.nan, "ci_high": np.nan, "level": np.nan, "dataset": rec.get("title"),
            "indicator": rec.get("indicator") or "", "source": None, "source_label": str(rec["source"]),
            "source_type": rec.get("source_type") or "published figure (typed in)",
            "computed_by": rec.get("computed_by") or str(rec["source"]), "definition": definition,
            "coverage": coverage or "not stated", "period": f"{words}: {rec['period']}" if rec.get("period") else words,
            "vintage": rec.get("published") or "not stated", "status": "", "notes": rec.get("note") or "",
            "citation": prov["citation"], "_label": rec.get("label"), "_prov": prov,
            "_basis": basis, "_icls": icls, "_who": "office", "_age": _age(coverage),
            "_sex": {"total": "Total", "men": "Men", "women": "Women", "male": "Men", "female": "Women"}.get(
                str(rec.get("sex") or "").strip().lower()), "_geo": _geo(coverage), "_ptype": ptype,
            "_stype": _source_type(rec.get("source_type")) if rec.get("source_type") else None,
            "_unit": str(rec.get("unit") or ""),
        })
    return rows


def figures(obj, *, time: object = None, label: str | None = None, period: str | None = None,
            ref_area: str | None = None) -> pd.DataFrame:
    """Any source as reconcile's figures: one row per figure with its metadata in words.

    ``obj``: an ILOSTAT frame (one series per area: filter sex and classification first; several sources are
    kept), an estimate frame from ``ek.indicators.estimate`` (``time=`` says its period, e.g. ``'2022-11'``;
    ``period=`` may describe it), or typed figures (list of dicts / frame with ``time``, ``value``,
    ``source``). ``label`` names the series in tables and charts.
    """
    if isinstance(obj, pd.DataFrame) and "_prov" in obj.columns:
        return obj
    if isinstance(obj, pd.DataFrame) and "obs_value" in obj.columns:
        F.need(obj, ("time", "obs_value"), WHAT)
        src = provenance.of(obj, "The ILOSTAT figures")
        rows = _ilostat_rows(obj, src, label)
    elif isinstance(obj, pd.DataFrame) and "estimate" in obj.columns:
        src = provenance.of(obj, "The survey estimate")
        rows = _survey_rows(obj, src, time, label, period, ref_area)
    elif isinstance(obj, (list, tuple, dict)) or (isinstance(obj, pd.DataFrame) and "value" in obj.columns):
        rows = _user_rows(obj, ref_area)
    else:
        raise InputError(WHAT, f"cannot read a {type(obj).__name__} as figures",
                         "pass an ILOSTAT frame, an estimate frame, or typed figures (time, value, source)")
    out = pd.DataFrame(rows)
    if out.empty:
        raise InputError(WHAT, "there are no figures in what was given", "check the filters used to get them")
    return out


# -- reconcile --------------------------------------------------------------------------------------------------

def _name_series(table: pd.DataFrame) -> pd.Series:
    """A short, unique name per series: the label given, else 'ILOSTAT SDG_0852 · LFS', the survey, the source."""
    def base(r) -> str:
        if isinstance(r["_label"], str) and r["_label"].strip():
            return r["_label"].strip()
        if r["kind"] == "ilostat":
            ds = "_".join(str(r["dataset"] or "ILOSTAT").split("_")[:2])
            abbr = str(r["source_label"]).split(" - ")[0] if isinstance(r["source_label"], str) else None
            return f"ILOSTAT {ds}" + (f" · {abbr}" if abbr else "")
        if r["kind"] == "survey":
            return f"Own estimate, {r['dataset']}"
        return str(r["source_label"]).split(",")[0].strip()
    names = table.apply(base, axis=1)
    key = table["_series"]
    for extra in ("vintage", "source_label", None):  # same name, different series: tell them apart
        for name in names.unique():
            ks = key[names == name].unique()
            if len(ks) < 2:
                continue
            for n, k in enumerate(ks, start=1):
                tag = f"#{n}" if extra is None else str(table.loc[key == k, extra].iloc[0])
                names[key == k] = f"{name} ({tag})" if extra != "vintage" else f"{name}, release {tag}"
    return names


def _series_key(r) -> str:
    if r["kind"] == "ilostat":
        return f"ilostat|{r['dataset']}|{r['vintage']}|{r['source']}"
    if r["kind"] == "survey":
        return f"survey|{r['citation']}|{r['coverage']}"
    return f"user|{r['_label']}|{r['source_label']}|{r['definition']}"


def _explain_definition(bases: set[str], icls: set[str]) -> str:
    parts = []
    if "national" in bases and bases & {"ILO", "ILO, with deviations noted"}:
        parts.append("A national definition can count people the international (ILO) definition leaves out, or "
                     "the reverse, so the same survey can give different figures. Neither is wrong: they answer "
                     "different questions — the national one for national policy, the ILO one for comparing "
                     "countries.")
    if "ILO, with deviations noted" in bases and "ILO" in bases:
        parts.append("ILOSTAT notes where a country's figure departs from the international definition.")
    if len(icls) > 1:
        parts.append("Under the 19th ICLS (2013) standards, work producing goods only for one's own household "
                     "(e.g. subsistence farming) is not employment; under the older 13th ICLS standards it was. "
                     "Where such work is common, employment is lower and unemployment higher on the newer basis.")
    if "unknown" in bases:
        parts.append("Where the definition is not stated, ask the publisher before comparing.")
    return " ".join(parts) or "Different definitions count different people; compare like with like."


def _explain_who(whos: set[str]) -> str:
    parts = []
    if "ILO" in whos and whos & {"office", "other"}:
        parts.append("The ILO recomputes a country's survey data to the international definitions, while the "
                     "national office publishes its own: one survey can then give two figures.")
    if "own" in whos and whos & {"office", "ILO", "other"}:
        parts.append("An own estimate from the microdata is computed separately from the published figure: small "
                     "differences come from rounding and from public-use files that leave out some detail; a close "
                     "match checks that the method is right.")
    return " ".join(parts)


def _explain_source_types(types: set[str]) -> str:
    parts = ["Different kinds of source measure differently."]
    joined = " ".join(types)
    if "census" in joined:
        parts.append("A census counts everyone but asks few labour questions, usually about one week of the year.")
    if "survey" in joined:
        parts.append("A survey asks detailed questions of a sample, so its figures carry sampling error.")
    if "administrative" in joined:
        parts.append("Administrative records count only the people registered with an office.")
    if "modelled" in joined or "ILO estimates" in joined:
        parts.append("Modelled estimates fill gaps with a statistical model and change when new data arrive.")
    return " ".join(parts)


def _known(part: pd.DataFrame, col: str) -> dict[str, str]:
    return {r.figure: str(getattr(r, col)) for r in part.itertuples() if isinstance(getattr(r, col), str)}


def _differences(table: pd.DataFrame) -> pd.DataFrame:
    rows: list[dict] = []
    table = table.rename(columns=lambda c: "x" + c if c.startswith("_") else c)  # itertuples hides _names
    for year, part in table.groupby("x_yr", sort=True):
        t = str(int(year))
        if part["figure"].nunique() < 2:
            continue
        lo, hi = part.loc[part["value"].idxmin()], part.loc[part["value"].idxmax()]
        spread = float(hi["value"] - lo["value"])
        unit = " percentage points" if part["x_unit"].eq("%").any() else ""
        detail = (f"from {_fmt(lo['value'])} ({lo['figure']}) to {_fmt(hi['value'])} ({hi['figure']}), "
                  f"{spread:.1f}{unit} apart.")
        inside = []
        for r in part[part["ci_low"].notna()].itertuples():
            for o in part[part["figure"] != r.figure].itertuples():
                where = "inside" if r.ci_low <= o.value <= r.ci_high else "outside"
                inside.append(f"{o.figure} ({_fmt(o.value)}) is {where} the confidence interval of {r.figure} "
                              f"({F.interval(f'{r.ci_low:.1f}', f'{r.ci_high:.1f}')}): "
                              + ("the difference may be sampling error alone." if where == "inside" else
                                 "sampling error alone does not explain the difference."))
        rows.append({"time": t, "aspect": "value", "detail": detail, "explanation": " ".join(inside)})

        # definition: national vs ILO, ICLS basis
        bases = {r.figure: r.x_basis for r in part.itertuples()}
        icls = {r.x_icls for r in part.itertuples() if isinstance(r.x_icls, str)}
        if len(set(bases.values())) > 1 or len(icls) > 1:
            detail = "; ".join(f"{r.figure}: {r.definition}" for r in part.itertuples()) + "."
            rows.append({"time": t, "aspect": "definition", "detail": detail,
                         "explanation": _explain_definition(set(bases.values()), icls)})
        whos = {r.x_who for r in part.itertuples() if r.x_who != "unknown"}
        if len(whos) > 1:
            detail = "; ".join(f"{r.figure}: {r.computed_by}" for r in part.itertuples()) + "."
            rows.append({"time": t, "aspect": "computed by", "detail": detail, "explanation": _explain_who(whos)})
        stypes = _known(part, "x_stype")
        if len(set(stypes.values())) > 1:
            rows.append({"time": t, "aspect": "source type",
                         "detail": "; ".join(f"{k}: {v}" for k, v in stypes.items()) + ".",
                         "explanation": _explain_source_types(set(stypes.values()))})
        ilo = part[part["kind"] == "ilostat"]
        if len(ilo) > 1 and ilo["source"].nunique() == 1 and ilo["source"].notna().all():
            rows.append({"time": t, "aspect": "source", "detail": f"the ILOSTAT figures come from the same source "
                         f"({ilo['source_label'].iloc[0]}, {ilo['source'].iloc[0]}).",
                         "explanation": "A difference between them comes from revisions or from how each "
                                        "indicator is defined, not from a different survey."})
        cover = []
        for col, name in (("x_age", "age"), ("x_sex", "sex"), ("x_geo", "area")):
            known = _known(part, col)
            if len(set(known.values())) > 1:
                cover.append(f"{name}: " + ", ".join(f"{k} {v}" for k, v in known.items()))
        if cover:
            rows.append({"time": t, "aspect": "coverage", "detail": "; ".join(cover) + ".",
                         "explanation": "Different people are counted, so the figures are not of the same group: "
                                        "compare the same age band, sex and area."})
        ptypes = {r.figure: r.x_ptype for r in part.itertuples()}
        if len(set(ptypes.values())) > 1:
            rows.append({"time": t, "aspect": "period",
                         "detail": "; ".join(f"{r.figure}: {r.period} ({r.x_ptype})" for r in part.itertuples()) + ".",
                         "explanation": "One month or quarter can differ a lot from the year's average, in a year "
                                        "with a shock or with strong seasons: compare the same period."})
        vint = {r.figure: r.vintage for r in part.itertuples() if re.match(r"^(19|20)\d\d", str(r.vintage))}
        if len(set(vint.values())) > 1:
            rows.append({"time": t, "aspect": "release", "detail": "; ".join(f"{k}: {v}" for k, v in vint.items())
                         + ".", "explanation": "Statistics are revised: releases made at different dates can differ "
                                               "for the same year. Compare figures of one release, or take the "
                                               "latest."})
        flagged = part[part["status"].astype(str).str.len() > 0]
        if len(flagged):
            detail = "; ".join(f"{r.figure}: {r.status}" for r in flagged.itertuples()) + "."
            why = []
            text = " ".join(flagged["status"].astype(str))
            if "break" in text:
                why.append("A break in series means this year is measured differently from the years before.")
            if "unreliable" in text or "small cell" in text or "few" in text:
                why.append("A figure resting on few observations is unreliable: do not base a conclusion on it "
                           "alone.")
            if "projection" in text or "forecast" in text:
                why.append("A projection is a model's forecast, not a measurement.")
            if "provisional" in text:
                why.append("A provisional figure may still be revised.")
            rows.append({"time": t, "aspect": "flags", "detail": detail, "explanation": " ".join(why)})
        noted = part[part["notes"].astype(str).str.len() > 0]
        if len(noted):
            rows.append({"time": t, "aspect": "notes", "detail": "; ".join(f"{r.figure}: {r.notes}"
                                                                          for r in noted.itertuples()) + ".",
                         "explanation": "Read these notes before comparing."})
    names = list(dict.fromkeys(table["figure"]))
    for i, a in enumerate(names):  # across years: is the difference between two series a constant shift?
        for b in names[i + 1:]:
            pa = table[table["figure"] == a].groupby("x_yr")["value"].first()
            pb = table[table["figure"] == b].groupby("x_yr")["value"].first()
            common = pa.index.intersection(pb.index)
            if len(common) < 2:
                continue
            d = pb[common] - pa[common]
            if float(d.max() - d.min()) >= 1.0:
                detail = f"{b} minus {a}: " + ", ".join(f"{v:+.1f} in {int(y)}" for y, v in d.items()) + "."
                rows.append({"time": "all years", "aspect": "difference over time", "detail": detail,
                             "explanation": "The gap between the two series is not constant: their definitions or "
                                            "methods react differently to what happened in those years (for "
                                            "example when many people without work stop looking for it). Do not "
                                            "read a change in one series as a change in the other."})
    return pd.DataFrame(rows, columns=["time", "aspect", "detail", "explanation"])


def _choose(table: pd.DataFrame, rule: str, prefer: str | None) -> pd.DataFrame:
    rows = []
    years_ = sorted(table["_yr"].unique())
    if rule == "same_source":
        score = table.groupby("figure").agg(n=("_yr", "nunique"),
                                            breaks=("status", lambda s: int(s.astype(str).str.contains("break").sum())),
                                            ilo=("kind", lambda s: int((s == "ilostat").any())))
        if prefer is not None:
            if prefer not in score.index:
                raise InputError(WHAT, f"prefer={prefer!r} is not one of the series", f"choose among: "
                                 f"{', '.join(score.index)}")
            best = prefer
            why = f"{best} was chosen by the user."
        else:
            score = score.sort_values(["n", "breaks", "ilo"], ascending=[False, True, False])
            best = score.index[0]
            why = (f"{best} covers {score.loc[best, 'n']} of the {len(years_)} years, the most of any series"
                   + (f", with {score.loc[best, 'breaks']} break(s) in series." if score.loc[best, "breaks"]
                      else ", with no break in series."))
        for y in years_:
            hit = table[(table["_yr"] == y) & (table["figure"] == best)]
            if hit.empty:
                rows.append({"time": str(int(y)), "figure": "none", "value": np.nan,
                             "reason": f"{best} has no figure for these years; the rule does not mix sources, so "
                                       "they are left empty."})
            else:
                rows.append({"time": str(int(y)), "figure": best, "value": float(hit["value"].iloc[0]), "reason": why})
        return pd.DataFrame(rows)
    for y in years_:
        part = table[table["_yr"] == y]
        if rule == "latest_release":
            v = part["vintage"].astype(str)
            dated = part[v.str.match(r"^(19|20)\d\d")]
            if dated.empty:
                rows.append({"time": str(int(y)), "figure": "none", "value": np.nan,
                             "reason": "no figure for this year has a known release date."})
                continue
            pick = dated.loc[dated["vintage"].astype(str).sort_values(kind="stable").index[-1]]
            reason = f"its release ({pick['vintage']}) is the most recent of those with a date."
        elif rule == "ilostat_best":
            ilo = part[part["kind"] == "ilostat"]
            if ilo.empty:
                rows.append({"time": str(int(y)), "figure": "none", "value": np.nan,
                             "reason": "ILOSTAT has no figure for this year among those given."})
                continue
            pick = ilo.sort_values("vintage").iloc[-1]
            reason = "it is the figure ILOSTAT publishes for the country and year" + \
                (" (of several ILOSTAT series, the latest release)." if len(ilo) > 1 else ".")
        elif rule == "national":
            nat = part[part["definition"].astype(str).str.contains("national", case=False)
                       & ~part["kind"].eq("ilostat")]
            if nat.empty:
                nat = part[part["kind"] == "user"]
            if nat.empty:
                rows.append({"time": str(int(y)), "figure": "none", "value": np.nan,
                             "reason": "no figure on the national definition for this year: type the national "
                                       "office's published figure (national=) to use this rule."})
                continue
            pick = nat.sort_values("kind", key=lambda s: s.map({"user": 0, "survey": 1})).iloc[0]
            reason = ("it is the national statistical office's published figure." if pick["kind"] == "user"
                      else "it is the only figure on the national definition (an own estimate).")
        else:  # pragma: no cover - checked by reconcile()
            raise AssertionError(rule)
        rows.append({"time": str(int(y)), "figure": pick["figure"], "value": float(pick["value"]), "reason": reason})
    return pd.DataFrame(rows)


def reconcile(*sources, national=None, ref_area: str | None = None, time=None, rule: str = "ilostat_best",
              prefer: str | None = None) -> Reconciliation:
    """Every figure for one indicator and country, side by side, with what differs and a choice.

    ``sources``: ILOSTAT frames (one series each, several sources allowed), estimate frames wrapped with
    :func:`figures` (``figures(est, time='2022-11')``), or figures already made by :func:`figures`.
    ``national``: figures typed in by hand (see the module doc). ``ref_area``: the country, when the frames
    hold several. ``time``: a year or a list of years to keep (default: all). ``rule``: one of :data:`RULES`
    (``same_source``, ``latest_release``, ``ilostat_best``, ``national``); ``prefer``: with ``same_source``,
    the series to keep (its name in ``table.figure``).
    """
    if rule not in RULES:
        raise InputError(WHAT, f"rule={rule!r} is not a rule evidencekit knows", f"choose one of: {', '.join(RULES)}")
    parts = [figures(s) for s in sources]
    if national is not None:
        parts.append(figures(national, ref_area=ref_area))
    if not parts:
        raise InputError(WHAT, "no figures were given", "pass ILOSTAT frames, estimates and/or national=[...]")
    table = pd.concat(parts, ignore_index=True)
    areas = sorted(set(table["ref_area"].dropna().astype(str)))
    if ref_area is not None:
        table = table[table["ref_area"].isna() | (table["ref_area"].astype(str) == ref_area)]
        if table.empty:
            raise InputError(WHAT, f"no figure is for {ref_area!r} (areas: {', '.join(areas)})", "check ref_area")
    elif len(areas) > 1:
        raise InputError(WHAT, f"the figures are for several areas ({', '.join(areas)})",
                         f"pass ref_area= one of them, e.g. ref_area='{areas[0]}'")
    area = ref_area or (areas[0] if areas else "")
    table["ref_area"] = table["ref_area"].fillna(area)
    table["_yr"] = np.floor(table["_year"]).astype(int)
    if time is not None:
        keep = [int(t) for t in (time if isinstance(time, (list, tuple, range, set)) else [time])]
        table = table[table["_yr"].isin(keep)]
        if table.empty:
            raise InputError(WHAT, f"no figure is for {', '.join(map(str, keep))}", "choose years the figures hold")
    table["_series"] = table.apply(_series_key, axis=1)
    table["figure"] = _name_series(table).to_numpy()
    table = table.sort_values(["_year", "kind", "figure"], key=lambda s: s.map({"ilostat": 0, "survey": 1,
                                                                                "user": 2}) if s.name == "kind" else s)
    table = table.reset_index(drop=True)
    diffs = _differences(table)
    choice = _choose(table, rule, prefer)
    chosen = set(zip(choice["time"], choice["figure"]))
    table["chosen"] = [(str(int(y)), f) in chosen for y, f in zip(table["_yr"], table["figure"])]
    titles = [t for t in table.loc[table["kind"] == "ilostat", "indicator"].astype(str).unique() if t]
    others = [t for t in table.loc[table["kind"] != "ilostat", "indicator"].astype(str).unique() if t]
    indicator = (titles or others or ["Indicator"])[0]
    notes = []
    ilo = table[table["kind"] == "ilostat"]
    for ds, part in ilo.groupby("dataset"):
        kinds = part.drop_duplicates("source")
        if len(kinds) > 1:
            spans = []
            for r in kinds.itertuples():
                years_ = sorted(set(part.loc[part["source"] == r.source, "time"].astype(str)))
                spans.append(f"{r.source_label}: {', '.join(years_)}")
            notes.append(f"ILOSTAT's series {ds} changes source between years ({', '.join(spans)}): a change from one "
                         "year to the next may come from the change of source, not from the labour market.")
    if len(set(titles)) > 1:
        notes.append("The series come from different indicators (" + "; ".join(titles) + "): make sure they measure "
                     "the same thing.")
    cols = ["figure", "kind", "ref_area", "time", "value", "ci_low", "ci_high", "level", "source_type",
            "source_label", "computed_by", "definition", "coverage", "period", "vintage", "status", "notes",
            "citation", "chosen", "indicator", "dataset", "source", "_year", "_yr", "_series", "_prov", "_basis",
            "_icls", "_who", "_age", "_sex", "_geo", "_ptype", "_stype", "_unit"]
    table = table[cols]
    table.attrs["provenance"] = provenance.derived(list(table["_prov"]), f"figures reconciled, rule: "
                                                   f"{RULES[rule]['label'].lower()}")
    table.attrs["indicator"] = indicator
    rule_rec = {"name": rule, **RULES[rule]}
    return Reconciliation(table=table, differences=diffs, choice=choice, rule=rule_rec, indicator=indicator,
                          ref_area=area, notes=notes)
