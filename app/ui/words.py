"""Names on screen in plain words: survey columns and indicators (participants are not programmers; the code
names stay visible in brackets where they are what a participant types or searches). No Streamlit here."""
from __future__ import annotations

import functools
import re

COLUMNS = {
    "ilo_sex": "Sex", "ilo_geo": "Urban or rural", "region": "Region", "ilo_age_aggregate": "Age group",
    "ilo_age_5yrbands": "Age (5-year bands)", "ilo_age_10yrbands": "Age (10-year bands)",
    "ilo_edu_aggregate": "Education", "ilo_edu_attendance": "In education", "ilo_lfs": "Labour force status",
    "ilo_job1_ste_aggregate": "Status in employment", "ilo_job1_ste_icse93": "Status in employment (ICSE-93)",
    "ilo_job1_eco_sector": "Economic sector", "ilo_job1_ins_sector": "Public or private sector",
    "ilo_job1_ife_nature": "Formal or informal job", "ilo_job1_ife_prod": "Formal or informal unit",
    "ilo_job1_job_time": "Part-time or full-time", "ilo_olf_reason": "Reason outside the labour force",
    "olf_reason_detail": "Main reason outside the labour force", "ilo_dis": "Discouraged job-seeker",
    "ilo_neet": "Youth not in employment, education or training", "ilo_cat_une": "Unemployed: category",
    "ilo_dur_aggregate": "Unemployed: duration", "ilo_olf_dlma": "Outside the labour force: availability",
    "hh_size": "Household size", "hh_children_u6": "Children under 6 in the household", "synthetic": "SYNTHETIC flag",
}


def column(name: str, survey=None) -> str:
    """'ilo_sex' -> 'Sex'; a column of one's own file -> its label from the file, with the name."""
    if name in COLUMNS:
        return COLUMNS[name]
    label = (getattr(survey, "variable_labels", None) or {}).get(name)
    return f"{label} ({name})" if label else name


@functools.lru_cache(maxsize=1)
def _indicator_labels() -> dict[str, str]:
    from evidencekit import indicators

    cat = indicators.catalogue()
    return dict(zip(cat["name"].astype(str), cat["label"].astype(str)))


def indicator(name: str) -> str:
    """'informal_employment_rate' -> 'Informal employment rate'."""
    return _indicator_labels().get(name, name.replace("_", " ").capitalize())


def survey_name(s) -> str:
    """A survey's name for captions: its dataset's title when its mapping gives one ('Philippines Labor Force
    Survey (LFS), public-use file', as the chart's title says it), else its file's name."""
    own = getattr(s, "provenance", None)
    try:
        record = own() if callable(own) else own
    except Exception:  # noqa: BLE001 — a survey without a record is named by its file
        record = None
    name = record.get("dataset") if isinstance(record, dict) else None
    return str(name or getattr(s, "source", None) or "my survey")


def survey(s) -> str:
    """A survey in one line: its name, records and design, in words (Markdown: the file's own names as typed)."""
    d = s.design_summary()
    design = [f"weight {literal(d['weight'])}" if d.get("weight") else "no weight (every record counts 1)"]
    if d.get("n_strata"):
        design.append(f"{d['n_strata']} strata")
    if d.get("n_psu"):
        design.append(f"{d['n_psu']} primary sampling units")
    return f"{literal(s.source) if s.source else 'Your survey'}: {d['records']:,} people; design: {', '.join(design)}."


def literal(text: str) -> str:
    r"""A participant's words shown as typed where Streamlit reads Markdown (a caption, a plan, a file name): each
    character Markdown or Streamlit would read as markup is escaped (``$`` starts a formula, ``*`` emphasis,
    ``:`` a colour or an icon).

    >>> print(literal("Youth *not* in work: $3.4 vs $5 [E1]"))
    Youth \*not\* in work\: \$3.4 vs \$5 \[E1\]
    """
    return re.sub(r"([\\`*_\[\]$<>#|~:])", r"\\\1", str(text))
