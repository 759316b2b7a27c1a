"""What every comparison needs from an ILOSTAT frame: its series, years, labels, flags and decoded notes.

Internal to :mod:`evidencekit.compare`; the rules are written out in ``docs/compare.md``.

>>> df = pd.DataFrame({"ref_area": ["PHL", "PHL"], "sex": ["SEX_T", "SEX_T"], "time": ["2016", "2015"],
...                    "obs_value": [2.7, 3.1], "obs_status": ["B", None]})
>>> series_keys(df), years(df).tolist(), status_text("B")
(['ref_area', 'sex'], [2016.0, 2015.0], 'break in series')
"""
from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd

from evidencekit.errors import InputError

DIMS = ("ref_area", "indicator", "sex", "classif1", "classif2")
NOTE_COLUMNS = ("note_classif", "note_indicator", "note_source")

# ILOSTAT's observation status codes (SDMX CL_OBS_STATUS, the codelist ILOSTAT uses), in plain words.
OBS_STATUS = {
    "A": "adjusted", "B": "break in series", "L": "computed value", "C": "confidential", "E": "estimate",
    "F": "forecast", "M": "model-based extrapolation", "X": "not applicable", "N": "not available",
    "P": "provisional", "S": "not significant", "U": "unreliable", "R": "real value",
    "Z": "non-official estimated value", "I": "imputation",
}
# Which codes make a figure weaker than a plain observed value (said on charts and in tables).
WARN_STATUS = {"B", "U", "P", "E", "F", "M", "S", "I", "Z", "A"}

SEX_WORDS = {"SEX_T": "Total", "SEX_M": "Men", "SEX_F": "Women", "SEX_O": "Other"}
_AGE = re.compile(r"^AGE_[A-Z0-9]+_Y(?:(?P<ge>GE)(?P<lo>\d+)|(?P<a>\d+)-(?P<b>\d+)|(?P<lt>LT)(?P<hi>\d+))$")
_MODELLED_RELEASE = re.compile(r"modelled estimates,?\s+(?:[A-Z][a-z]{2,8}\.?\s+)?(?P<year>(?:19|20)\d\d)", re.I)


def bare(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` without its ``attrs`` (a shallow copy): pandas deep-copies ``attrs`` at every operation, which made a
    comparison over a provenance record with its sources ten times slower. Take the record first
    (:func:`evidencekit.provenance.of`), then work on the bare frame.

    >>> df = pd.DataFrame({"a": [1]}); df.attrs["provenance"] = {"citation": "C."}
    >>> bare(df).attrs, df.attrs["provenance"]["citation"]
    ({}, 'C.')
    """
    out = df.copy(deep=False)
    out.attrs = {}
    return out


def need(df: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    """Refuse a frame that is not a DataFrame or lacks one of ``columns``."""
    if not isinstance(df, pd.DataFrame):
        raise InputError(what, f"got a {type(df).__name__}, not a DataFrame",
                         "pass the frame ek.ilostat.get(...) returned")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(what, f"the figures have no column {', '.join(repr(c) for c in missing)} "
                         f"(columns: {', '.join(map(str, df.columns[:12]))})",
                         "pass a frame in ILOSTAT's columns, as ek.ilostat.get returns it")
    if df.empty:
        raise InputError(what, "the figures are empty (no rows)", "check the filters you used to get them")


def series_keys(df: pd.DataFrame) -> list[str]:
    """The dimension columns present (``ref_area``, ``indicator``, ``sex``, ``classif1``, ``classif2``)."""
    return [c for c in DIMS if c in df.columns]


def years(df: pd.DataFrame) -> pd.Series:
    """The period as a decimal year (2019, 2019.25 for 2019Q2, 2019 + 2/12 for 2019M03), from ``time``."""
    text = df["time"].astype("string").str.strip().str.upper()
    m = text.str.extract(r"^(?P<y>\d{4})(?:-?(?P<f>[QM])(?P<n>\d{1,2}))?$")
    y = pd.to_numeric(m["y"], errors="coerce").astype(float)
    n = pd.to_numeric(m["n"], errors="coerce").astype(float)
    f = m["f"].fillna("").astype(str).to_numpy()
    n = n.to_numpy()
    step = np.where(f == "Q", (n - 1) / 4, np.where(f == "M", (n - 1) / 12, 0.0))
    out = pd.Series(y.to_numpy() + np.nan_to_num(step), index=df.index, dtype=float)
    bad = out.isna() & df["time"].notna()
    if bad.any():
        raise InputError("Reading the periods", f"'{df.loc[bad, 'time'].iloc[0]}' is not a year, quarter or month",
                         "periods look like 2019, 2019Q2 or 2019M03")
    return out


def is_aggregate(codes: pd.Series) -> pd.Series:
    """True for ILOSTAT regional and income aggregates (``X01`` World, ``X40`` Asia and the Pacific, …)."""
    return codes.astype("string").str.fullmatch(r"X[0-9A-Z]{2}").fillna(False).astype(bool)


def label(df: pd.DataFrame, col: str) -> pd.Series:
    """``<col>.label`` where present, else readable words for common codes, else the code."""
    codes = df[col].astype("string")
    words = codes.map(lambda c: code_words(col, c) if isinstance(c, str) else c)
    if f"{col}.label" in df.columns:
        lab = df[f"{col}.label"].astype("string")
        lab = lab.str.replace(r"^(Sex|Age \([^)]*\)|Area type|Currency|Economic activity \([^)]*\)): ", "",
                              regex=True)
        return lab.fillna(words)
    return words


def code_words(col: str, code: str) -> str:
    """Readable words for a sex or age code (``SEX_F`` -> ``Women``, ``AGE_YTHADULT_Y15-24`` -> ``15-24``).

    >>> code_words("classif1", "AGE_YTHADULT_YGE15"), code_words("sex", "SEX_M"), code_words("ref_area", "PHL")
    ('15+', 'Men', 'PHL')
    """
    if col == "sex" and code in SEX_WORDS:
        return SEX_WORDS[code]
    m = _AGE.match(code or "")
    if m:
        if m.group("ge"):
            return f"{m.group('lo')}+"
        if m.group("a"):
            return f"{m.group('a')}-{m.group('b')}"
        return f"under {m.group('hi')}"
    return code


def status_text(code: object) -> str:
    """ILOSTAT's ``obs_status`` code in plain words (unknown codes are shown as they are)."""
    if not isinstance(code, str) or not code.strip():
        return ""
    return OBS_STATUS.get(code.strip().upper(), f"status {code}")


def notes_of(row: pd.Series) -> list[str]:
    """The decoded notes of one row (``note_*.label`` split on `` | ``; codes when no label column)."""
    out: list[str] = []
    for col in NOTE_COLUMNS:
        lab = row.get(f"{col}.label")
        if isinstance(lab, str) and lab.strip():
            out.extend(p.strip() for p in lab.split(" | ") if p.strip())
        elif isinstance(row.get(col), str) and row.get(col).strip():
            decoded = decode_notes(col, row.get(col))
            out.extend(decoded)
    return out


@lru_cache(maxsize=8)
def _dictionary(var: str) -> dict[str, str]:
    """ILOSTAT's code list ``var`` from the embedded snapshot (local files only, never the network)."""
    try:
        from evidencekit.ilostat import Client

        d = Client(offline=True).dictionary(var)
        return dict(zip(d[var].astype(str), d[f"{var}.label"].astype(str)))
    except Exception:  # noqa: BLE001 - a missing dictionary only means notes stay as codes
        return {}


def decode_notes(col: str, text: str) -> list[str]:
    """``R1:3513_T2:85`` -> the labels of each part (the code itself where the dictionary lacks it).

    >>> decode_notes("note_source", "R1:3513")
    ['Repository: ILO-STATISTICS - Micro data processing']
    """
    table = _dictionary(col)
    return [table.get(part, part) for part in str(text).split("_") if part]


def source_label(df: pd.DataFrame) -> pd.Series:
    """``source.label`` where present, else the label from the snapshot's source dictionary, else the code."""
    codes = df["source"].astype("string") if "source" in df.columns else pd.Series(pd.NA, index=df.index,
                                                                                   dtype="string")
    if "source.label" in df.columns:
        return df["source.label"].astype("string").fillna(codes)
    table = _dictionary("source")
    return codes.map(lambda c: table.get(c, c) if isinstance(c, str) else c).astype("string")


def break_mask(df: pd.DataFrame) -> pd.Series:
    """True where ILOSTAT marks a break in series: ``obs_status`` B, or a 'Break in series' note (I11)."""
    out = pd.Series(False, index=df.index)
    if "obs_status" in df.columns:
        out |= df["obs_status"].astype("string").str.upper().eq("B").fillna(False).astype(bool)
    for col in ("note_indicator", "note_source", "note_classif"):
        if col in df.columns:
            out |= df[col].astype("string").str.contains(r"(?:^|_)I11:", regex=True).fillna(False).astype(bool)
        if f"{col}.label" in df.columns:
            out |= df[f"{col}.label"].astype("string").str.contains("Break in series").fillna(False).astype(bool)
    return out


def is_modelled(df: pd.DataFrame, prov: dict) -> bool:
    """True for ILO modelled estimates: an indicator code whose 2nd block starts with a digit
    (``EAP_2WAP``, ``GDP_211P``), or every source an ILO estimate (``XA:``)."""
    codes = str(prov.get("dataset") or "")
    if "indicator" in df.columns and df["indicator"].notna().any():
        codes = str(df["indicator"].dropna().iloc[0])
    parts = codes.split("_")
    if len(parts) > 1 and parts[1][:1].isdigit():
        return True
    if "source" in df.columns and df["source"].notna().any():
        return bool(df["source"].dropna().astype(str).str.startswith("XA").all())
    return False


def release_year(df: pd.DataFrame, prov: dict) -> int | None:
    """The year of the release the figures come from: the provenance's vintage, else the year the label of
    modelled estimates gives ('ILO modelled estimates, Nov. 2023'), else None."""
    vintage = str(prov.get("vintage") or "")
    if re.match(r"^(19|20)\d\d", vintage):
        return int(vintage[:4])
    texts = [str(prov.get("citation") or "")]
    if "indicator.label" in df.columns and df["indicator.label"].notna().any():
        texts.insert(0, str(df["indicator.label"].dropna().iloc[0]))
    for text in texts:
        m = _MODELLED_RELEASE.search(text)
        if m:
            return int(m.group("year"))
    return None


def projection_mask(df: pd.DataFrame, prov: dict) -> pd.Series:
    """True for projections: ``obs_status`` F (forecast), or, in ILO modelled estimates, periods after the
    release year (a release of November 2023 projects 2024 onwards)."""
    out = pd.Series(False, index=df.index)
    if "obs_status" in df.columns:
        out |= df["obs_status"].astype("string").str.upper().eq("F").fillna(False).astype(bool)
    if is_modelled(df, prov):
        rel = release_year(df, prov)
        if rel is not None:
            modelled = df["source"].astype("string").str.startswith("XA").fillna(True) if "source" in df.columns \
                else pd.Series(True, index=df.index)
            out |= (years(df) >= rel + 1) & modelled.astype(bool)
    return out


def one_value_each(df: pd.DataFrame, keep: list[str], what: str) -> None:
    """Refuse a frame whose columns other than ``keep`` hold several values (several series mixed)."""
    for col in series_keys(df):
        if col in keep:
            continue
        values = df[col].dropna().astype(str).unique()
        if len(values) > 1:
            shown = ", ".join(sorted(values)[:6]) + (" …" if len(values) > 6 else "")
            raise InputError(what, f"the figures mix several {col} values ({shown})",
                             f"keep one, e.g. df[df['{col}'] == '{sorted(values)[0]}'], or get them with "
                             f"{col}='{sorted(values)[0]}'")


def no_duplicates(df: pd.DataFrame, keys: list[str], what: str) -> None:
    """Refuse two figures for one series and period (e.g. two sources): one must be chosen, not guessed."""
    dup = df.duplicated(keys + ["time"], keep=False)
    if dup.any():
        first = df[dup].iloc[0]
        where = ", ".join(f"{first[k]}" for k in keys) + f", {first['time']}"
        sources = df[dup & (df[keys + ['time']] == first[keys + ['time']]).all(axis=1)]
        src = ", ".join(sources["source"].astype(str).unique()) if "source" in df.columns else "several rows"
        raise InputError(what, f"there are {int(dup.sum())} rows for the same series and period (first: {where}; "
                         f"sources {src})",
                         "keep one source (get(..., source='BA:629') or filter the frame), or put the figures side "
                         "by side with evidencekit.compare.reconcile")


def unit_of(df: pd.DataFrame, prov: dict) -> str:
    """'%' for rates (an ILOSTAT ``_RT`` indicator or a label ending in '(%)'), else ''."""
    ident = str(prov.get("dataset") or "")
    if "indicator" in df.columns and df["indicator"].notna().any():
        ident = str(df["indicator"].dropna().iloc[0])
    lab = ""
    if "indicator.label" in df.columns and df["indicator.label"].notna().any():
        lab = str(df["indicator.label"].dropna().iloc[0])
    if "_RT" in ident or lab.rstrip().endswith("(%)") or "(%)" in str(prov.get("citation") or ""):
        return "%"
    if "unit" in df.columns and df["unit"].notna().any():
        return str(df["unit"].dropna().iloc[0])
    return ""


_BY = re.compile(r"\s+by\s+[^,(]+?(?=\s*(?:,|\(|--|$))")


def indicator_parts(df: pd.DataFrame, prov: dict) -> tuple[str, str, str]:
    """(name, tag, note) of the indicator for titles: 'SDG indicator 8.5.2 - Unemployment rate (%)' ->
    ('Unemployment rate', 'SDG 8.5.2', ''); '… by sex and age -- ILO modelled estimates, Nov. 2023 (%)' ->
    ('…', '', 'ILO modelled estimates, Nov. 2023'). The breakdown ('by sex and age') and '(%)' are left to the
    subtitle and the axis.

    >>> indicator_parts(pd.DataFrame({"indicator.label": ["SDG indicator 8.5.2 - Unemployment rate (%)"]}), {})
    ('Unemployment rate', 'SDG 8.5.2', '')
    """
    from evidencekit import provenance

    text = None
    if "indicator.label" in df.columns and df["indicator.label"].notna().any():
        text = str(df["indicator.label"].dropna().iloc[0])
    if text is None:
        try:
            text = provenance.title_of(prov)
        except InputError:
            text = None
    if text is None:
        text = str(df["indicator"].dropna().iloc[0]) if "indicator" in df.columns and df["indicator"].notna().any() \
            else str(prov.get("dataset") or "Indicator")
    tag = note = ""
    m = re.match(r"^SDG indicator ([0-9.]+) - (.*)$", text)
    if m:
        tag, text = f"SDG {m.group(1)}", m.group(2)
    if " -- " in text:
        text, note = text.split(" -- ", 1)
        note = re.sub(r"\s*\(%\)\s*$", "", note).strip()
    text = re.sub(r"\s*\(%\)\s*$", "", text).strip()
    text = _BY.sub("", text).strip()
    return text, tag, note


def indicator_title(df: pd.DataFrame, prov: dict) -> str:
    """The indicator's name for titles and tables: 'Unemployment rate (SDG 8.5.2)'."""
    name, tag, _ = indicator_parts(df, prov)
    return f"{name} ({tag})" if tag else name


def flags_text(df: pd.DataFrame, prov: dict) -> pd.Series:
    """One short text per row: weak statuses (break, unreliable, provisional, …) and 'projection'."""
    parts = pd.Series([[] for _ in range(len(df))], index=df.index, dtype=object)
    if "obs_status" in df.columns:
        for i, code in df["obs_status"].items():
            if isinstance(code, str) and code.strip().upper() in WARN_STATUS:
                parts[i] = parts[i] + [status_text(code)]
    for i in df.index[break_mask(df)]:
        if "break in series" not in parts[i]:
            parts[i] = parts[i] + ["break in series"]
    for i in df.index[projection_mask(df, prov)]:
        if "forecast" not in parts[i]:
            parts[i] = parts[i] + ["projection"]
    return parts.map(lambda p: "; ".join(p)).astype("string")


# -- estimate frames (ek.indicators.estimate and ek.indicators.gap) ---------------------------------------------
ESTIMATE_COLUMNS = {"indicator", "label", "estimate", "se", "cv", "ci_low", "ci_high", "n_obs", "unit", "flags",
                    "flags_detail", "p_value", "by", "a", "b", "a_label", "b_label", "estimate_a", "estimate_b",
                    "n_obs_a", "n_obs_b"}
WEAK_ESTIMATE = re.compile(r"small cell|fewer than|unreliable|use with caution|CV .*above|empty group|n=0", re.I)


def interval(lo: str, hi: str) -> str:
    """An interval's two ends, already written as numbers, as one text: '5.1–7.3', or '-28.8 to -25.9' when an end
    is negative (a dash between negative numbers reads as a minus: '-28.8–-25.9').

    >>> interval("5.1", "7.3"), interval("-28.8", "-25.9"), interval("-1.2", "0.4")
    ('5.1–7.3', '-28.8 to -25.9', '-1.2 to 0.4')
    """
    return f"{lo} to {hi}" if lo.startswith(("-", "−")) or hi.startswith(("-", "−")) else f"{lo}–{hi}"


def estimate_groups(est: pd.DataFrame) -> list[str]:
    """The by-columns of an estimate frame (the groups), without the codes' twin columns."""
    return [c for c in est.columns if c not in ESTIMATE_COLUMNS and not str(c).endswith("_code")]


def estimate_flags(est: pd.DataFrame) -> pd.Series:
    """Each row's flags in words: ``flags_detail`` where the frame has it, else ``flags``.

    >>> estimate_flags(pd.DataFrame({"flags": ["n<15"], "flags_detail": ["small cell: n=9 < 15"]})).tolist()
    ['small cell: n=9 < 15']
    """
    col = "flags_detail" if "flags_detail" in est.columns else "flags" if "flags" in est.columns else None
    if col is None:
        return pd.Series("", index=est.index, dtype="string")
    return est[col].fillna("").astype(str)


def estimate_names(est: pd.DataFrame) -> list[str]:
    """A readable name per row: the groups ('Female'), a gap ('Female − Male'), or the indicator's label."""
    by = estimate_groups(est)
    many = est["indicator"].nunique() > 1 if "indicator" in est.columns else False
    names = []
    for _, r in est.iterrows():
        parts = [str(r["label"])] if many and "label" in est.columns else []
        if {"a_label", "b_label"} <= set(est.columns):
            parts.append(f"{r['a_label']} − {r['b_label']}")
        parts += [str(r[c]) for c in by if pd.notna(r[c])]
        names.append(" · ".join(parts) or str(r.get("label", "Total")))
    return names
