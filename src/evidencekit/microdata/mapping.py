"""Harmonisation mappings: national survey variables -> ILO harmonised ``ilo_*`` variables.

A mapping is plain data (a YAML file) so it can be read, shared and reused without code. Each
target variable has one rule, taken from a small safe set (nothing is ``eval``-ed):

=============================  ===================================================================
``copy: COL``                  the column as it is (add ``scale: 0.0001`` to multiply it)
``from: COL`` + ``recode:``    ``{code: new code}``; codes the recode does not cover become NA and
                               are reported (count and codes) in ``survey.notes``, or are an error
                               with ``strict: true``; ``other: V`` gives them V instead
``from: COL`` + ``bands:``     ``{"0-14": 1, "15-24": 2, "65+": 5, "99": 9}`` (inclusive bands)
``value: V``                   a constant (usually with ``where``)
``cases:``                     a list of ``{where: {...}, value: V}``; the first that holds wins
``combine: [COL, COL]``        the codes joined as text (``"13-1"``), e.g. region x urban strata
``where: {COL: cond}``         the universe: rows outside it get ``default`` (NA unless given).
                               ``cond`` is a code, a list of codes, ``">= 15"`` (``>``, ``<``,
                               ``<=``, ``!=``, ``==``), ``"missing"`` or ``"not missing"``; all must hold
``label`` / ``labels``         variable label / value labels (the ILO codes' labels by default)
``concept: text``              the variable holds a national concept, not the ILO one (e.g. a
                               national underemployment question): kept in ``survey.concepts``,
                               and every estimate that uses the variable says so in its flags
=============================  ===================================================================

Rules run in order, so a later rule can use an earlier ``ilo_*`` variable. Besides ``variables:``, a mapping
names its ``design:`` (weight, strata, psu, fpc, nest) and describes the survey: ``name``, ``label``,
``survey``, ``country``, ``period``, ``source``, ``notes``, and for citations ``dataset``, ``publisher`` and
``licence`` (every estimate's provenance carries them). The guide to writing one: ``docs/mappings.md``;
``evidencekit mapping init FILE`` writes a starting one (:mod:`evidencekit.microdata.draft`).

>>> import pandas as pd
>>> from evidencekit.microdata import Survey
>>> m = Mapping.from_dict({"name": "demo", "design": {"weight": "ilo_wgt"}, "variables": {
...     "ilo_wgt": {"copy": "wt", "scale": 0.01},
...     "ilo_sex": {"from": "sex", "recode": {"M": 1, "F": 2}},
...     "ilo_age": {"copy": "age"},
...     "ilo_age_aggregate": {"from": "ilo_age", "bands": {"0-14": 1, "15-24": 2, "25-54": 3, "55-64": 4, "65+": 5}},
...     "ilo_wap": {"value": 1, "where": {"ilo_age": ">= 15"}}}})
>>> s = apply_mapping(Survey(pd.DataFrame({"wt": [150, 250, 100], "sex": ["M", "F", "X"], "age": [12, 30, 70]})), m)
>>> s.data[["ilo_wgt", "ilo_sex", "ilo_age_aggregate", "ilo_wap"]]
   ilo_wgt  ilo_sex  ilo_age_aggregate  ilo_wap
0      1.5        1                  1     <NA>
1      2.5        2                  3        1
2      1.0     <NA>                  5        1
>>> s.weight, s.value_labels["ilo_sex"]
('ilo_wgt', {1: 'Male', 2: 'Female'})
>>> print(s.notes[0])
Mapping 'demo': ilo_sex: 1 record(s) with codes of 'sex' the recode does not cover, set to NA: 'X' (1).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from evidencekit.microdata.codelists import ILO_LABELS, allowed_codes
from evidencekit.microdata.encoding import detect_encoding
from evidencekit.microdata.errors import ColumnError, MappingError, suggest
from evidencekit.microdata.survey import Survey

_RULES = ("copy", "from", "value", "cases", "combine")
_KEYS = set(_RULES) | {"recode", "bands", "scale", "where", "default", "other", "label", "labels", "concept"}
_META = ("name", "label", "survey", "country", "period", "source", "dataset", "publisher", "licence", "notes", "strict",
         "design", "variables")
_COND = re.compile(r"^\s*(>=|<=|!=|==|>|<)\s*(-?\d+(?:\.\d+)?)\s*$")
_BAND = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(?:-\s*(-?\d+(?:\.\d+)?)|(\+))?\s*$")


def _mapping_dir():
    return resources.files("evidencekit.microdata") / "mappings"


@dataclass
class Mapping:
    """A named set of rules turning a survey's own variables into ``ilo_*`` variables, plus its design."""

    name: str
    variables: dict[str, dict]
    design: dict = field(default_factory=dict)
    label: str = ""
    survey: str = ""
    country: str = ""
    period: str = ""
    source: str = ""
    dataset: str = ""     # readable name of the survey, for citations (e.g. "Philippines Labor Force Survey ...")
    publisher: str = ""   # who publishes the data (cited with every estimate)
    licence: str = ""     # the data's terms of use
    notes: str = ""
    strict: bool = False

    def __post_init__(self) -> None:
        where = f"The mapping {self.name!r}"
        if not isinstance(self.variables, dict) or not self.variables:
            raise MappingError(where, "has no variables", "add a 'variables:' section: target name -> rule")
        if not isinstance(self.design, dict):
            raise MappingError(where, "its design is not a set of key: value lines", "write design: {weight: W, strata: S, psu: P}")
        unknown = set(self.design) - {"weight", "strata", "psu", "fpc", "nest"}
        if unknown:
            raise MappingError(where, f"its design has unknown key(s) {sorted(unknown)}", "use weight, strata, psu, fpc, nest")
        for key, value in (("strict", self.strict), ("design: nest", self.design.get("nest", True))):
            if not isinstance(value, bool):
                raise MappingError(where, f"{key} is {value!r}, not true or false", f"write {key.split(': ')[-1]}: true or false")
        for target, rule in self.variables.items():
            if isinstance(rule, str):  # shorthand: ilo_age: PUFC05_AGE
                rule = self.variables[target] = {"copy": rule}
            if not isinstance(rule, dict):
                raise MappingError(where, f"the rule for {target!r} is not a set of key: value lines", "write e.g. {copy: AGE}")
            bad = set(rule) - _KEYS
            if bad:
                raise MappingError(where, f"the rule for {target!r} has unknown key(s) {sorted(bad)}",
                                   f"{suggest(sorted(bad)[0], sorted(_KEYS))}; allowed: {', '.join(sorted(_KEYS))}")
            kinds = [k for k in _RULES if k in rule]
            if len(kinds) != 1:
                raise MappingError(where, f"the rule for {target!r} has {len(kinds)} of {', '.join(_RULES)} ({kinds})",
                                   "give exactly one of them")
            if "recode" in rule and not isinstance(rule["recode"], dict):
                raise MappingError(where, f"the recode of {target!r} is not a code: new-code table", "write recode: {1: 1, 2: 2}")
            if "bands" in rule:
                if not isinstance(rule["bands"], dict):
                    raise MappingError(where, f"the bands of {target!r} are not a 'lo-hi': code table", "write bands: {'0-14': 1, '15+': 2}")
                for band in rule["bands"]:
                    if not _BAND.match(str(band)):
                        raise MappingError(where, f"band {band!r} of {target!r} is not 'lo-hi', 'lo+' or one value", "write e.g. '15-24', '65+' or '35'")
            if "cases" in rule and not (isinstance(rule["cases"], list) and all(isinstance(c, dict) and "value" in c for c in rule["cases"])):
                raise MappingError(where, f"the cases of {target!r} are not a list of {{where: ..., value: ...}}", "see the mapping docs")
            _check_rule(where, target, rule)

    def source_columns(self) -> list[str]:
        """Columns of the input the rules read (not the ones they make), in order; plus design columns."""
        made: set[str] = set()
        out: list[str] = []

        def need(col: object) -> None:
            if isinstance(col, str) and col not in made and col not in out:
                out.append(col)

        for target, rule in self.variables.items():
            for key in ("copy", "from"):
                if key in rule:
                    need(rule[key])
            for col in rule.get("combine", []) or []:
                need(col)
            for col in (rule.get("where") or {}):
                need(col)
            for case in rule.get("cases", []) or []:
                for col in (case.get("where") or {}):
                    need(col)
            made.add(target)
        for role in ("weight", "strata", "psu", "fpc"):
            need(self.design.get(role))
        return out

    def to_dict(self) -> dict:
        """Plain data (what the YAML file holds)."""
        out: dict[str, Any] = {}
        for key in _META:
            value = getattr(self, key)
            if value not in ("", None, {}, False) or key in ("name", "variables"):
                out[key] = value
        return out

    @classmethod
    def from_dict(cls, data: dict, *, origin: str = "the mapping") -> Mapping:
        """A mapping from plain data (a parsed YAML file), checking its keys."""
        if not isinstance(data, dict):
            raise MappingError(f"Reading {origin}", "it is not a set of key: value lines", "see a shipped mapping, e.g. load_mapping('psa_lfs_puf')")
        unknown = set(data) - set(_META)
        if unknown:
            raise MappingError(f"Reading {origin}", f"unknown key(s) {sorted(unknown)}", f"{suggest(sorted(unknown)[0], _META)}; allowed: {', '.join(_META)}")
        if "variables" not in data:
            raise MappingError(f"Reading {origin}", "it has no 'variables:' section", "add one: target name -> rule")
        for key in ("variables", "design"):
            if data.get(key) is not None and not isinstance(data[key], dict):
                raise MappingError(f"Reading {origin}", f"its '{key}:' section is a {type(data[key]).__name__}, "
                                   "not a set of key: value lines",
                                   "write design: {weight: W, strata: S, psu: P}" if key == "design"
                                   else "indent the variables under 'variables:' as NAME: rule lines")
        kwargs = {k: data[k] for k in _META if k in data}
        kwargs.setdefault("name", Path(origin).stem if origin != "the mapping" else "custom")
        kwargs["design"] = dict(kwargs.get("design") or {})
        kwargs["variables"] = {str(k): (dict(v) if isinstance(v, dict) else v) for k, v in (kwargs["variables"] or {}).items()}
        for k in ("name", "period", "notes", "label", "survey", "country", "source", "dataset", "publisher", "licence"):
            if k in kwargs and kwargs[k] is not None:
                kwargs[k] = str(kwargs[k])
        return cls(**kwargs)

    def to_yaml(self, path: str | PathLike | None = None) -> str:
        """The mapping as YAML text; also written to ``path`` when given."""
        import yaml   # imported when a mapping is written or read, not with the library

        text = yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True, width=110)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    @classmethod
    def from_yaml(cls, text_or_path: str | PathLike) -> Mapping:
        """A mapping from YAML text or from a ``.yaml``/``.yml`` file."""
        origin = "the mapping text"
        text = str(text_or_path)
        if isinstance(text_or_path, PathLike) or (("\n" not in text) and text.lower().endswith((".yaml", ".yml"))):
            path = Path(text_or_path)
            if not path.is_file():
                raise MappingError(f"Reading the mapping {str(path)!r}", "it is a folder, not a file" if path.is_dir()
                                   else "the file does not exist", "check the path")
            raw = path.read_bytes()
            origin, text = str(path), raw.decode(detect_encoding(raw)[0]).lstrip("\ufeff")
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as err:
            raise MappingError(f"Reading {origin}", f"it is not valid YAML ({err})".replace("\n", " "),
                               "check indentation and colons; keep one 'key: value' per line") from None
        return cls.from_dict(data, origin=origin)


def _check_rule(where: str, target: str, rule: dict) -> None:
    """Check one rule's parts (column names, tables, conditions, bands, ILO codes), in place: YAML numbers used
    as column names become text."""
    for key in ("copy", "from"):
        if key in rule:
            if isinstance(rule[key], (int, float)) and not isinstance(rule[key], bool):
                rule[key] = str(rule[key])
            if not isinstance(rule[key], str):
                raise MappingError(where, f"{key}: of {target!r} is {rule[key]!r}, not one column name",
                                   f"write {key}: COLUMN (combine: [A, B] joins several columns)")
    if "combine" in rule and not (isinstance(rule["combine"], list) and rule["combine"]
                                  and all(isinstance(c, str) for c in rule["combine"])):
        raise MappingError(where, f"combine: of {target!r} is not a list of column names", "write combine: [REGION, URBAN]")
    if "scale" in rule and (isinstance(rule["scale"], bool) or not isinstance(rule["scale"], (int, float))):
        raise MappingError(where, f"scale: of {target!r} is {rule['scale']!r}, not a number", "write e.g. scale: 0.0001")
    if "labels" in rule and not isinstance(rule["labels"], dict):
        raise MappingError(where, f"labels: of {target!r} is not a code: label table", "write labels: {1: Urban, 2: Rural}")
    for conds in [rule.get("where")] + [c.get("where") for c in rule.get("cases") or []]:
        if conds is None:
            continue
        if not isinstance(conds, dict):
            raise MappingError(where, f"a where: of {target!r} is {conds!r}, not a set of COLUMN: condition lines",
                               "write e.g. where: {AGE: '>= 15'}")
        for col, cond in conds.items():
            if isinstance(cond, str) and cond.strip()[:1] in "<>=!" and cond.strip() and not _COND.match(cond):
                raise MappingError(where, f"the condition {col}: {cond!r} of {target!r} compares with something "
                                   "that is not a number", "write e.g. '>= 15', '< 65' or '!= 9'")
    if "bands" in rule:
        spans = sorted((lo, hi, band) for band, (lo, hi) in ((b, _band_span(b)) for b in rule["bands"]))
        for lo, hi, band in spans:
            if lo > hi:
                raise MappingError(where, f"band {band!r} of {target!r} runs backwards", f"write it as '{hi:g}-{lo:g}'")
        for (_, hi1, b1), (lo2, _, b2) in zip(spans, spans[1:]):
            if lo2 <= hi1:
                raise MappingError(where, f"bands {b1!r} and {b2!r} of {target!r} overlap (bands include both ends)",
                                   "make each value fall in one band, e.g. '15-24' and '25-54'")
    codes = ILO_LABELS.get(target)
    if codes:
        allowed = set(allowed_codes(target))  # 0 = 'no' in a 1/missing dummy
        given = [("value", rule.get("value")), ("other", rule.get("other")), ("default", rule.get("default"))]
        given += [("recode", v) for v in (rule.get("recode") or {}).values()]
        given += [("bands", v) for v in (rule.get("bands") or {}).values()]
        given += [("cases", c.get("value")) for c in rule.get("cases") or []]
        for key, value in given:
            if value is not None and (isinstance(value, bool) or value not in allowed):
                shown = ", ".join(f"{k} {v}" for k, v in list(codes.items())[:12]) + (" …" if len(codes) > 12 else "")
                raise MappingError(where, f"{key}: of {target!r} gives {value!r}, which is not a code of the ILO "
                                   f"codelist for {target} ({shown})",
                                   f"use those codes, or give a national classification another name than {target}")


def _band_span(band: object) -> tuple[float, float]:
    """'15-24' -> (15, 24); '65+' -> (65, inf); '99' -> (99, 99)."""
    m = _BAND.match(str(band))
    lo = float(m.group(1))
    return lo, (np.inf if m.group(3) else float(m.group(2) or m.group(1)))


def list_mappings() -> pd.DataFrame:
    """The mappings shipped with evidencekit (name, survey, country, period, source).

    >>> "psa_lfs_puf" in list_mappings()["name"].tolist()
    True
    """
    rows = []
    for entry in sorted(_mapping_dir().iterdir(), key=lambda p: p.name):
        if entry.name.endswith((".yaml", ".yml")):
            m = Mapping.from_yaml(entry.read_text(encoding="utf-8"))
            rows.append({"name": entry.name.rsplit(".", 1)[0], "survey": m.survey, "country": m.country,
                         "period": m.period, "source": m.source})
    return pd.DataFrame(rows, columns=["name", "survey", "country", "period", "source"])


def load_mapping(name_or_path: str | PathLike) -> Mapping:
    """A shipped mapping by name (``"psa_lfs_puf"``) or a mapping file by path.

    >>> load_mapping("psa_lfs_puf").design["weight"]
    'ilo_wgt'
    """
    text = str(name_or_path)
    if isinstance(name_or_path, PathLike) or text.lower().endswith((".yaml", ".yml")) or "/" in text or "\\" in text:
        return Mapping.from_yaml(Path(name_or_path))
    for ext in (".yaml", ".yml"):
        entry = _mapping_dir() / (text + ext)
        if entry.is_file():
            return Mapping.from_yaml(entry.read_text(encoding="utf-8"))
    names = list_mappings()["name"].tolist()
    raise MappingError(f"Loading the mapping {text!r}", "there is no shipped mapping of that name and no such file",
                       f"{suggest(text, names)} (shipped: {', '.join(names)}), or pass a .yaml path, a dict or a Mapping")


def save_mapping(mapping: Mapping | dict, path: str | PathLike) -> Path:
    """Write a mapping to a YAML file and return its path."""
    path = Path(path)
    as_mapping(mapping).to_yaml(path)
    return path


def as_mapping(mapping: Mapping | dict | str | PathLike) -> Mapping:
    """Whatever the caller gave (a Mapping, a dict, a shipped name, a path) as a :class:`Mapping`."""
    if isinstance(mapping, Mapping):
        return mapping
    if isinstance(mapping, dict):
        return Mapping.from_dict(mapping)
    if isinstance(mapping, (str, PathLike)):
        return load_mapping(mapping)
    raise MappingError("Using a mapping", f"a {type(mapping).__name__} is not a mapping",
                       "pass a shipped mapping's name, a .yaml path, a dict or a Mapping")


# ---------------------------------------------------------------- applying

def _like(code: object, column: pd.Series) -> object:
    """A code from YAML in the column's type (YAML 1 vs a text column '1', and the reverse)."""
    if pd.api.types.is_numeric_dtype(column):
        if isinstance(code, str):
            try:
                num = float(code)
                return int(num) if num.is_integer() else num
            except ValueError:
                return code
        return code
    return code if isinstance(code, str) or code is None else str(code)


def _condition(frame: pd.DataFrame, col: str, cond: object) -> pd.Series:
    s = frame[col]
    if isinstance(cond, str):
        text = cond.strip().lower()
        if text == "missing":
            return s.isna()
        if text == "not missing":
            return s.notna()
        m = _COND.match(cond)
        if m:
            op, num = m.group(1), float(m.group(2))
            x = pd.to_numeric(s, errors="coerce")
            out = {">=": x >= num, "<=": x <= num, ">": x > num, "<": x < num, "==": x == num, "!=": x != num}[op]
            return out.fillna(False).astype(bool)
    if isinstance(cond, list):
        return s.isin([_like(c, s) for c in cond]).fillna(False).astype(bool)
    return (s == _like(cond, s)).fillna(False).astype(bool)


def _where(frame: pd.DataFrame, conds: dict | None) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for col, cond in (conds or {}).items():
        mask &= _condition(frame, col, cond)
    return mask


def _typed(values: list | np.ndarray | pd.Series, index: pd.Index, codes: list | None = None) -> pd.Series:
    """Codes as nullable Int64 when every code is a whole number, Float64 for other numbers, else text."""
    values = np.asarray(values, dtype=object)
    missing = pd.isna(values)
    declared = [c for c in (codes if codes is not None else values[~missing].tolist()) if c is not None]
    if all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in declared):
        ints = np.zeros(len(values), dtype=np.int64)
        ints[~missing] = values[~missing].astype(np.int64)
        return pd.Series(pd.arrays.IntegerArray(ints, missing), index=index)
    if all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in declared):
        return pd.Series(values, index=index, dtype=object).astype("Float64")
    return pd.Series(values, index=index, dtype=object).astype("string")


def _apply_rule(frame: pd.DataFrame, target: str, rule: dict, mapping: Mapping, notes: list[str]) -> pd.Series:
    universe = _where(frame, rule.get("where"))
    default = rule.get("default")
    index = frame.index
    uncovered: pd.Series | None = None
    source = rule.get("copy", rule.get("from"))
    if "value" in rule:
        out = _typed(np.where(universe.to_numpy(), rule["value"], None), index, [rule["value"], rule.get("default")])
    elif "cases" in rule:
        values = np.full(len(frame), None, dtype=object)
        done = np.zeros(len(frame), dtype=bool)
        for case in rule["cases"]:
            hit = _where(frame, case.get("where")).to_numpy() & ~done
            values[hit] = case["value"]
            done |= hit
        if "default" in rule:
            values[~done] = rule["default"]
        out = _typed(values, index, [c["value"] for c in rule["cases"]] + [rule.get("default")])
    elif "combine" in rule:
        cols = [frame[c] for c in rule["combine"]]
        joined = cols[0].astype("string")
        for c in cols[1:]:
            joined = joined + "-" + c.astype("string")
        out = joined
    else:
        col = frame[source]
        if "recode" in rule:
            table = {_like(k, col): v for k, v in rule["recode"].items()}
            where_in = pd.Index(list(table)).get_indexer(col)
            covered = pd.Series(where_in >= 0, index=index)
            values = pd.Series(np.append(np.array(list(table.values()), dtype=object), None)[where_in], index=index)
            uncovered = col.notna() & ~covered
            if "other" in rule:
                values[uncovered] = rule["other"]
                uncovered = None
            out = _typed(values, index, list(table.values()) + [rule.get("other"), rule.get("default")])
        elif "bands" in rule:
            x = pd.to_numeric(col, errors="coerce")
            values = np.full(len(frame), None, dtype=object)
            hit_any = np.zeros(len(frame), dtype=bool)
            for band, code in rule["bands"].items():
                lo, hi = _band_span(band)
                hit = ((x >= lo) & (x <= hi)).fillna(False).to_numpy(dtype=bool) & ~hit_any
                values[hit] = code
                hit_any |= hit
            uncovered = col.notna() & ~pd.Series(hit_any, index=index)
            out = _typed(values, index, list(rule["bands"].values()) + [rule.get("default")])
        else:
            out = col.copy()
            if "scale" in rule:
                x = pd.to_numeric(col, errors="coerce").astype("float64")
                uncovered = col.notna() & x.isna()   # text that is not a number: reported like uncovered codes
                out = x * float(rule["scale"])
    if uncovered is not None:
        uncovered &= universe
        if uncovered.any():
            counts = frame.loc[uncovered, source].value_counts().sort_index()
            shown = ", ".join(f"{k!r} ({v})" for k, v in list(counts.items())[:10]) + (" …" if len(counts) > 10 else "")
            scaled = "scale" in rule
            if mapping.strict:
                raise MappingError(f"Applying the mapping {mapping.name!r} to {target!r}",
                                   f"{int(uncovered.sum())} record(s) have "
                                   + (f"text that is not a number in {source!r}" if scaled else
                                      f"codes of {source!r} the rule does not cover") + f": {shown}",
                                   "fix those values in the file" if scaled else
                                   "add those codes to the recode/bands, or set strict: false to map them to NA with a note")
            what = (f"text in {source!r} that is not a number" if scaled else
                    f"codes of {source!r} the {'recode' if 'recode' in rule else 'bands'} does not cover")
            notes.append(f"Mapping {mapping.name!r}: {target}: {int(uncovered.sum())} record(s) with {what}, set to NA: {shown}.")
    outside = ~universe
    if outside.any():
        if default is None:
            if isinstance(out.dtype, np.dtype) and out.dtype.kind in "iub":  # numpy ints/bools cannot hold NA
                out = out.astype("Int64" if out.dtype.kind != "b" else "boolean")
            out = out.mask(outside.to_numpy())
        else:
            values = out.astype(object).where(out.notna(), None)
            values[outside] = default
            out = _typed(values, index)
    return out.rename(target)


@dataclass
class Mapped:
    """A frame with the mapping's ``ilo_*`` variables added, their labels, the notes and the national concepts."""

    data: pd.DataFrame
    value_labels: dict
    variable_labels: dict
    notes: list[str]
    concepts: dict[str, str]


def map_frame(frame: pd.DataFrame, mapping: Mapping | dict | str | PathLike, *, value_labels: dict | None = None,
              variable_labels: dict | None = None, notes: list[str] | None = None,
              concepts: dict[str, str] | None = None, source: str | None = None) -> Mapped:
    """Add the mapping's ``ilo_*`` variables to a copy of ``frame`` (original columns kept), with their labels.

    A column the mapping needs that is absent is an error naming it (``source`` names the file in messages).
    """
    m = as_mapping(mapping)
    where = f"Applying the mapping {m.name!r} to {source!r}" if source else f"Applying the mapping {m.name!r}"
    missing = [c for c in m.source_columns() if c not in frame.columns and c not in m.variables]
    if missing:
        raise ColumnError(where, f"the data have no column {missing[0]!r}" + (f" (nor {missing[1:]})" if missing[1:] else ""),
                          f"{suggest(missing[0], frame.columns)}; or edit the mapping to use this file's column names")
    out = frame.copy()
    notes = list(notes or [])
    concepts = dict(concepts or {})
    value_labels = dict(value_labels or {})
    variable_labels = dict(variable_labels or {})
    made = []
    replaced = [t for t in m.variables if t in frame.columns]
    if replaced:
        notes.append(f"Mapping {m.name!r}: the file's own column(s) {replaced} were replaced by the mapping's rules.")
    for target, rule in m.variables.items():
        try:
            out[target] = _apply_rule(out, target, rule, m, notes)
        except KeyError as err:  # a column made later than it is used
            raise ColumnError(where, f"the rule for {target!r} uses {err.args[0]!r}, which is not in the data yet",
                              "define variables before the rules that use them") from None
        labels = rule.get("labels") or ILO_LABELS.get(target)
        if labels:
            value_labels[target] = {(_like(k, out[target])): v for k, v in labels.items()}
        if rule.get("label"):
            variable_labels[target] = str(rule["label"])
        if rule.get("concept"):
            concepts[target] = str(rule["concept"]).strip()
        else:
            concepts.pop(target, None)
        made.append(target)
    notes.append(f"Mapping {m.name!r} applied: {len(made)} variables ({', '.join(made)}).")
    return Mapped(out, value_labels, variable_labels, notes, concepts)


def resolve_design(given: dict, nest: bool, mapping: Mapping | None, notes: list[str]) -> tuple[dict, bool, bool]:
    """The design roles (weight, strata, psu, fpc): each one the caller gives, else the mapping's. Returns
    (roles, nest, weight from the mapping?) and says in ``notes`` which roles came from the mapping. The
    mapping's ``nest`` applies only when the caller gives none of weight, strata and PSU."""
    design = {r: given.get(r) for r in ("weight", "strata", "psu", "fpc")}
    if mapping is None:
        return design, nest, False
    taken = [r for r in design if design[r] is None and mapping.design.get(r)]
    for r in taken:
        design[r] = mapping.design[r]
    if taken:
        notes.append(f"Design from the mapping {mapping.name!r}: " + ", ".join(f"{r} {design[r]!r}" for r in taken) + ".")
    if not any(given.get(r) for r in ("weight", "strata", "psu")):
        nest = bool(mapping.design.get("nest", nest))
    return design, nest, "weight" in taken


def mapping_meta(mapping: Mapping, meta: dict) -> dict:
    """``meta`` with the dataset name, publisher and licence the mapping declares (for citations), and its country as
    ``ref_area`` when it is an ISO alpha-3 code (for comparisons with ILOSTAT), where the file's own meta has none."""
    out = dict(meta)
    for key in ("dataset", "publisher", "licence"):
        if getattr(mapping, key) and not out.get(key):
            out[key] = getattr(mapping, key)
    if not out.get("dataset") and (mapping.survey or mapping.country):
        out["dataset"] = " ".join(x for x in (mapping.country, mapping.survey) if x)
    if re.fullmatch(r"[A-Z]{3}", mapping.country or "") and not out.get("ref_area"):
        out["ref_area"] = mapping.country     # an ISO 3166 alpha-3 code, as ILOSTAT's ref_area
    return out


def apply_mapping(survey: Survey | pd.DataFrame, mapping: Mapping | dict | str | PathLike) -> Survey:
    """Add the mapping's ``ilo_*`` variables to the survey (original columns kept) with their labels.

    The design (weight, strata, PSU, fpc, nest) comes from the mapping for each role the survey
    does not already set (a weight taken only because the data had ``ilo_wgt`` counts as not set).
    A column the mapping needs that is absent is an error naming it.
    """
    m = as_mapping(mapping)
    if isinstance(survey, pd.DataFrame):
        survey = Survey(survey)
    mapped = map_frame(survey.data, m, value_labels=survey.value_labels, variable_labels=survey.variable_labels,
                       notes=survey.notes, concepts=survey.concepts, source=survey.source)
    given = {r: getattr(survey, r) for r in ("weight", "strata", "psu", "fpc")}
    if survey.evident_weight:
        given["weight"] = None
    design, _, from_mapping = resolve_design(given, survey.nest, m, mapped.notes)
    nest = survey.nest if survey.has_design else bool(m.design.get("nest", survey.nest))
    meta = mapping_meta(m, survey.meta)
    if from_mapping:
        meta["weight_rule"] = "mapping"
    return Survey(mapped.data, nest=nest, value_labels=mapped.value_labels, variable_labels=mapped.variable_labels,
                  source=survey.source, mapping=m.name, notes=mapped.notes, concepts=mapped.concepts, meta=meta,
                  checks=survey.checks, **design)
