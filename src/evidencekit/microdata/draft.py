"""A starting mapping for a national survey: the file's columns matched to ILO variables where it is evident,
and the rest left as marked TODOs (``evidencekit mapping init FILE``; the guide is ``docs/mappings.md``).

What is guessed, from column names, variable labels and value labels (English, French and Spanish words): the
weight, the strata and the PSU (the design), sex (recoded from its value labels when they say male/female),
age (copied, with the working-age flag ``ilo_wap`` and the age bands made from it) and urban/rural area. Every
guess is written with the evidence for it, for the user to check; nothing else is guessed. The labour-market
variables the indicators need (``ilo_lfs``, ``ilo_olf_dlma``, ``ilo_joball_tru``, status in employment,
informality, education attendance, unemployment duration, earnings, hours) are listed as commented TODOs with
their ILO codes and the indicators that need them, followed by the file's columns, so that the user writes the
rules from the questionnaire.

>>> import pandas as pd
>>> frame = pd.DataFrame({"SEXO": [1, 2, 2], "EDAD": [34, 8, 51], "FACTOR": [120.5, 98.2, 101.0],
...                       "ESTRATO": [1, 1, 2], "UPM": [11, 12, 21]})
>>> text = draft(frame, value_labels={"SEXO": {1: "Hombre", 2: "Mujer"}}, file="enemdu.csv")
>>> m = Mapping.from_yaml(text)
>>> m.design, m.variables["ilo_sex"]["recode"]
({'weight': 'ilo_wgt', 'strata': 'ESTRATO', 'psu': 'UPM', 'nest': True}, {1: 1, 2: 2})
>>> "# TODO ilo_lfs" in text
True
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pandas as pd
import yaml

from evidencekit.microdata.codelists import ILO_VARIABLES
from evidencekit.microdata.mapping import Mapping

# name patterns (matched on the column name, then on its variable label), most telling first
_WEIGHT = re.compile(r"(^ilo_wgt$|wgt|weight|^wt|_wt$|poids|pond|peso|factor|fexp|expan|fac_?exp)", re.I)
_STRATA = re.compile(r"(strat|estrato|strate)", re.I)
_PSU = re.compile(r"(psu|^ea$|^ea_|_ea$|ea_?id|enumeration area|cluster|conglom|upm|grappe|segment|^dr$|^zd$)", re.I)
_SEX = re.compile(r"(^sex|_sex|sexe|sexo|gender|genre|g[ée]nero)", re.I)
_AGE = re.compile(r"(^age$|_age$|^age_|_age_|edad|[âa]ge en ann|age in (completed )?years|age as of|^p?age\d*$)",
                  re.I)
_AREA = re.compile(r"(urb|rural|^area$|_area$|milieu|zona|^geo$)", re.I)
_MALE = re.compile(r"^\s*(male|man|men|masculin[oe]?|homme|hombre|var[oó]n|m)\s*$", re.I)
_FEMALE = re.compile(r"^\s*(female|woman|women|f[ée]minin[ae]?|femme|mujer|f)\s*$", re.I)
_URBAN = re.compile(r"^\s*(urban[oa]?|urbain|city|town)\s*$", re.I)
_RURAL = re.compile(r"^\s*(rural|campagne)\s*$", re.I)

# the labour-market variables to fill, in the order a mapping builds them
TODO = ["ilo_lfs", "ilo_olf_dlma", "ilo_joball_tru", "ilo_job1_ste_icse93", "ilo_job1_ste_aggregate",
        "ilo_job1_ife_nature", "ilo_edu_attendance", "ilo_dur_aggregate", "ilo_job1_how_usual", "ilo_job1_lri_ees"]


def _find(frame: pd.DataFrame, labels: dict[str, str], pattern: re.Pattern, numeric: bool = True) -> str | None:
    """The first column whose name (then whose variable label) matches ``pattern``."""
    for source in (lambda c: str(c), lambda c: labels.get(c, "")):
        for col in frame.columns:
            if pattern.search(source(col) or "") and (not numeric or pd.api.types.is_numeric_dtype(frame[col])):
                return str(col)
    return None


def _values(frame: pd.DataFrame, col: str, labels: dict, limit: int = 12) -> str:
    counts = frame[col].value_counts(dropna=False).sort_index()
    shown = [f"{k}{' ' + str(labels[k]) if k in labels else ''} ({v:,})" for k, v in list(counts.items())[:limit]]
    return ", ".join(shown) + (" …" if len(counts) > limit else "")


def _recode(frame: pd.DataFrame, col: str, labels: dict, first: re.Pattern, second: re.Pattern
            ) -> tuple[dict | None, str]:
    """A {code: 1 or 2} recode from value labels matching ``first``/``second``; else the codes 1 and 2 as they are
    when those are the only codes, marked to check; else None."""
    found = {}
    for code, label in labels.items():
        if first.match(str(label)):
            found[code] = 1
        elif second.match(str(label)):
            found[code] = 2
    if sorted(found.values()) == [1, 2]:
        return found, "from the value labels"
    codes = set(frame[col].dropna().unique().tolist())
    if codes and codes <= {1, 2}:
        return {1: 1, 2: 2}, "TODO check: no value labels say which code is which; 1 and 2 kept as they are"
    return None, ""


def _block(name: str, rule: dict, comment: list[str]) -> str:
    body = yaml.safe_dump({name: rule}, sort_keys=False, allow_unicode=True, width=110, default_flow_style=None)
    lines = [f"  # {c}" for c in comment] + ["  " + ln for ln in body.rstrip().splitlines()]
    return "\n".join(lines)


def draft(frame: pd.DataFrame, *, value_labels: dict | None = None, variable_labels: dict | None = None,
          file: str = "the survey file", name: str | None = None,
          needed_by: Callable[[str], list[str]] | None = None) -> str:
    """The YAML text of a starting mapping for ``frame`` (see the module's docstring). It loads as a
    :class:`Mapping` when at least one variable was recognised. ``needed_by(variable)`` names the indicators that
    need a variable (``evidencekit.indicators.needed_by``; the indicators room depends on this one, not the
    reverse)."""
    value_labels = value_labels or {}
    labels = {str(k): str(v) for k, v in (variable_labels or {}).items()}
    name = name or re.sub(r"\W+", "_", file.rsplit(".", 1)[0]).strip("_").lower() or "my_survey"
    blocks: list[str] = []
    design: dict = {}
    weight = _find(frame, labels, _WEIGHT)
    if weight and pd.api.types.is_float_dtype(frame[weight]) or (weight and frame[weight].nunique() > 50):
        if weight == "ilo_wgt":
            design["weight"] = "ilo_wgt"
        else:
            blocks.append(_block("ilo_wgt", {"copy": weight, "label": f"Final person weight ({weight})"},
                                 [f"GUESSED from the name {weight!r}{' (' + labels[weight] + ')' if weight in labels else ''}:"
                                  " check it is the final person weight; add scale: 0.0001 if it has implied decimals"]))
            design["weight"] = "ilo_wgt"
    strata, psu = _find(frame, labels, _STRATA, numeric=False), _find(frame, labels, _PSU, numeric=False)
    if strata:
        design["strata"] = strata
    if psu and psu != strata:
        design["psu"] = psu
    if design.get("psu"):
        design["nest"] = True
    sex = _find(frame, labels, _SEX)
    if sex:
        recode, why = _recode(frame, sex, value_labels.get(sex, {}), _MALE, _FEMALE)
        if recode:
            blocks.append(_block("ilo_sex", {"from": sex, "recode": recode, "label": "Sex"},
                                 [f"GUESSED from {sex!r} ({why}); its values: {_values(frame, sex, value_labels.get(sex, {}))}",
                                  "ILO codes: 1 male, 2 female"]))
        else:
            blocks.append(f"  # TODO ilo_sex: {sex!r} looks like sex but its codes are not evident "
                          f"({_values(frame, sex, value_labels.get(sex, {}))}); write from: {sex} and recode: "
                          "{code: 1 for men, code: 2 for women}")
    age = _find(frame, labels, _AGE)
    if age:
        blocks.append(_block("ilo_age", {"copy": age, "label": "Age in completed years"},
                             [f"GUESSED from {age!r} (values {frame[age].min():g} to {frame[age].max():g})"]))
        blocks.append(_block("ilo_age_aggregate", {"from": "ilo_age", "bands": {"0-14": 1, "15-24": 2, "25-54": 3,
                                                                                "55-64": 4, "65+": 5}},
                             ["ILO aggregate age bands, made from ilo_age"]))
        blocks.append(_block("ilo_wap", {"value": 1, "where": {"ilo_age": ">= 15"},
                                         "label": "Working-age population (15 and over)"},
                             ["the working-age population as in ILO's series; change the age if the survey's "
                              "labour questions start at another age"]))
    area = _find(frame, labels, _AREA)
    if area:
        recode, why = _recode(frame, area, value_labels.get(area, {}), _URBAN, _RURAL)
        if recode:
            blocks.append(_block("ilo_geo", {"from": area, "recode": recode, "label": "Area (urban/rural)"},
                                 [f"GUESSED from {area!r} ({why}); its values: "
                                  f"{_values(frame, area, value_labels.get(area, {}))}", "ILO codes: 1 urban, 2 rural"]))
    head = {"name": name, "label": f"{file} -> ILO harmonised variables (STARTING MAPPING: check and complete it)",
            "survey": "TODO: the survey's name", "country": "TODO: ISO3 code", "period": "TODO: reference period",
            "dataset": "TODO: readable name of the survey, for citations",
            "publisher": "TODO: who publishes the data (e.g. the national statistics office)",
            "licence": "TODO: the data's terms of use",
            "source": f"{file}", "strict": False}
    lines = [f"# Starting mapping for {file}, written by 'evidencekit mapping init' on {date.today().isoformat()}.",
             "# Check every GUESSED rule, fill the TODOs from the questionnaire, then read the file with",
             f"#   evidencekit estimate INDICATOR --file {file} --mapping {name}.yaml",
             "# Rules: copy / from + recode / from + bands / value + where / cases (guide: docs/mappings.md).",
             yaml.safe_dump(head, sort_keys=False, allow_unicode=True, width=110).rstrip()]
    if design:
        lines.append("design:")
        lines += [f"  {k}: {v}" for k, v in design.items()]
        if "psu" not in design or "strata" not in design:
            lines.append("  # TODO: " + " and ".join(r for r in ("strata", "psu") if r not in design) + " not found: "
                         "name the columns of the sample design, or standard errors will treat records as independent")
    else:
        lines.append("# TODO design: weight, strata and psu not found; add e.g.\n# design: {weight: ilo_wgt, "
                     "strata: STRATUM, psu: EA, nest: true}")
    lines.append("variables:" if blocks else "# variables: none recognised; write them as below")
    lines += blocks
    lines.append("")
    lines.append("  # ---- TODO: the labour-market variables the indicators need (write each from the questionnaire) ----")
    for var in TODO:
        if var in frame.columns:
            continue
        needs = needed_by(var) if needed_by else []
        lines.append(f"  # TODO {var}: {ILO_VARIABLES.get(var, '')}")
        if needs:
            lines.append(f"  #      needed by: {', '.join(needs)}")
    lines.append("")
    lines.append(f"# The columns of {file} ({frame.shape[1]}), with their labels:")
    for col in frame.columns:
        lab = labels.get(str(col), "")
        lines.append(f"#   {col}" + (f": {lab}" if lab else "")
                     + (f"  [{_values(frame, col, value_labels.get(col, {}), 6)}]" if col in value_labels else ""))
    return "\n".join(lines) + "\n"
