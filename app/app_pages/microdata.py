"""Microdata workbench: the SYNTHETIC training survey or the participant's own file (CSV, Excel, Stata, SPSS,
Parquet, CSPro dictionary + data); a saved mapping or columns mapped by hand; the survey design; indicators
with confidence intervals and small-cell flags; the gap between two groups with its interval; results to the
evidence board. Uploaded files are read on this machine and kept only for this session: nothing is sent
anywhere."""
from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path

import streamlit as st

from evidencekit.errors import EvidenceKitError
from ui import data, render, words

FORMATS = "CSV, Excel (.xlsx), Stata (.dta), SPSS (.sav), Parquet, or a CSPro dictionary (.dcf) with its data file"
NONE = "(none)"
MAPPED = ("ilo_wgt", "ilo_sex", "ilo_age", "ilo_age_aggregate", "ilo_geo", "ilo_lfs", "ilo_olf_dlma",
          "ilo_job1_ste_icse93", "ilo_job1_ife_nature", "ilo_job1_ins_sector", "ilo_edu_aggregate",
          "ilo_edu_attendance", "ilo_joball_tru", "ilo_job1_how_usual", "ilo_job1_lri_ees")


UPLOAD_MB = int(st.get_option("server.maxUploadSize"))  # the browser refuses a larger file before sending it


def _upload_dir() -> Path:
    """This session's private folder for uploaded files (on this machine only)."""
    folder = st.session_state.get("upload_dir")
    if not folder or not Path(folder).is_dir():
        folder = tempfile.mkdtemp(prefix="evidencekit-upload-")
        st.session_state["upload_dir"] = folder
    return Path(folder)


def _plain(err: EvidenceKitError, folder: Path) -> EvidenceKitError:
    """The library's message with the private upload folder left out (the participant knows their file by name)."""
    cut = lambda text: str(text or "").replace(f"{folder}/", "").replace(str(folder), "")  # noqa: E731
    return EvidenceKitError(cut(getattr(err, "what", str(err))), cut(getattr(err, "why", "")), cut(getattr(err, "fix", "")))


def mapping_choice(columns: list[str]):
    """How the file's columns become ILO variables: already ILO names, a saved mapping, or mapped by hand."""
    from evidencekit.microdata import list_mappings

    how = st.radio("How are the columns named?", ["ilo", "saved", "hand"], horizontal=True, key="md-how",
                   format_func={"ilo": "ILO harmonised names (ilo_sex, ilo_lfs …)", "saved": "A saved mapping",
                                "hand": "I will map them"}.get)
    if how == "saved":
        shipped = list_mappings()
        choice = st.selectbox("Mapping", shipped["name"].tolist(), key="md-mapping",
                              format_func=lambda n: f"{n} — {shipped.set_index('name').loc[n, 'survey']}")
        own = st.file_uploader("…or a mapping file of your own (YAML)", type=["yaml", "yml"], key="md-mapping-file")
        if own is not None:
            path = _upload_dir() / Path(own.name).name
            path.write_bytes(own.getvalue())
            return str(path)
        return choice
    if how == "hand":
        st.caption("Choose the column of your file that holds each ILO variable, coded as the ILO codes it "
                   "(e.g. ilo_sex: 1 Male, 2 Female). Recodes need a mapping file: see the documentation.")
        rules = {}
        cols = st.columns(3)
        for i, var in enumerate(MAPPED):
            picked = cols[i % 3].selectbox(var, [NONE, *columns], key=f"md-map-{var}")
            if picked != NONE:
                rules[var] = {"copy": picked}
        return {"name": "my-mapping", "variables": rules} if rules else None
    return None


def mapping_design(mapping) -> dict:
    """The design a mapping gives (weight, strata, psu), or {} (no mapping, or one that cannot be read: reading the
    survey says why)."""
    if not isinstance(mapping, str):  # none, or mapped by hand (no design)
        return {}
    from evidencekit.microdata.mapping import as_mapping

    path = Path(mapping)
    key = (mapping, path.stat().st_mtime_ns if path.is_file() else None)
    held = st.session_state.get("md-mapping-design")
    if isinstance(held, tuple) and len(held) == 2 and held[0] == key:  # a mapping is read once (25 ms), not per click
        return held[1]
    try:
        out = {k: v for k, v in (as_mapping(mapping).design or {}).items() if v and k in ("weight", "strata", "psu")}
    except EvidenceKitError:
        out = {}
    st.session_state["md-mapping-design"] = (key, out)
    return out


def design_choice(columns: list[str], mapping=None) -> dict:
    """Weight, strata and PSU; a role left at (none) takes the mapping's, which is said under the boxes (a box's
    own label for (none) is not redrawn by the browser when only the mapping changes)."""
    st.markdown("**The survey design** (from the survey's documentation)")
    given = mapping_design(mapping)
    cols = st.columns(3)
    out = {}
    for col, role, label in ((cols[0], "weight", "Weight"), (cols[1], "strata", "Strata"), (cols[2], "psu", "PSU")):
        start = {"weight": "ilo_wgt", "strata": "strata", "psu": "psu"}[role]
        options = [NONE, *columns]
        picked = col.selectbox(label, options, index=options.index(start) if start in options else 0,
                               key=f"md-{role}")
        out[role] = None if picked == NONE else picked
    roles = (("weight", "weight"), ("strata", "strata"), ("psu", "PSU"))
    taken = [f"{name} {words.literal(given[role])}" for role, name in roles if role in given and not out[role]]
    if taken:
        st.caption(f"Left at (none), the mapping's design is used: {', '.join(taken)}.")
    return out


def own_survey() -> tuple[str, object] | None:
    """Upload, map, set the design and read the participant's file; returns (token, survey) or None."""
    from evidencekit import microdata

    files = st.file_uploader(f"Your survey file: {FORMATS}. It stays on this machine.", accept_multiple_files=True,
                             key="md-upload",
                             help=f"Up to {UPLOAD_MB} MB a file. A bigger survey: keep only the columns you need "
                                  "(sex, age, labour force status, weight, strata, PSU…), or save it as Parquet, "
                                  "which is several times smaller than CSV or Stata.")
    if not files:
        if st.session_state.get("own_survey"):
            return st.session_state["own_survey"]
        st.info(f"Upload a survey file of up to {UPLOAD_MB} MB to start, or use the SYNTHETIC training survey. "
                "A file shown in red above was not taken: point at its red mark to see why (a file too large: keep "
                "only the columns you need, or save it as Parquet).", icon=":material/upload_file:")
        return None
    folder = _upload_dir()
    paths = []
    digest = hashlib.sha256()
    for f in files:
        raw = f.getvalue()
        digest.update(raw)
        path = folder / Path(f.name).name
        path.write_bytes(raw)
        paths.append(path)
    main = next((p for p in paths if p.suffix.lower() == ".dcf"), paths[0])
    extra = [p for p in paths if p != main]
    try:
        head = microdata.read(main, data=extra[0] if main.suffix.lower() == ".dcf" and extra else None) \
            if main.suffix.lower() == ".dcf" else microdata.read(main)
    except EvidenceKitError as err:
        render.problem(_plain(err, folder))
        st.info(f"evidencekit reads {FORMATS}. Check the file, or use the SYNTHETIC training survey.",
                icon=":material/lightbulb:")
        return None
    columns = list(head.data.columns)
    st.caption(f"{words.literal(main.name)}: {len(head.data):,} records, {len(columns)} columns.")
    for note in head.notes[:5]:
        st.caption(f"Note: {words.literal(note)}")
    mapping = mapping_choice(columns)
    design = design_choice(columns if mapping is None else sorted(set(columns) | set(MAPPED)), mapping)
    token = digest.hexdigest()[:16] + hashlib.sha256(json.dumps([mapping, design], default=str).encode()).hexdigest()[:8]
    if st.button("Read my survey with this design", type="primary", key="md-read"):
        try:
            kwargs = {"data": extra[0]} if main.suffix.lower() == ".dcf" and extra else {}
            survey = microdata.read(main, mapping=mapping, **kwargs, **design)
        except EvidenceKitError as err:
            render.problem(_plain(err, folder))
            return None
        st.session_state["own_survey"] = (token, survey)
        st.success(f"Read {words.survey(survey)}", icon=":material/check:")
    own = st.session_state.get("own_survey")
    return own if own and own[0] == token else None


LONELY = {"fail": "Stop and tell me", "remove": "Leave them out of the variance", "certainty": "Count them as certain",
          "adjust": "Centre them on the overall mean", "average": "Give them the average variance"}


def lonely_choice() -> str:
    """How strata with a single PSU enter the standard errors (R survey's ``survey.lonely.psu`` options)."""
    from evidencekit.indicators.estimation import LONELY_PSU

    with st.expander("Strata with a single primary sampling unit"):
        return st.radio("When a stratum has one PSU only (R survey: lonely PSU)", list(LONELY_PSU), key="md-lonely",
                        format_func=lambda r: f"{LONELY.get(r, r)} ({r})",
                        help="A stratum with a single PSU gives no variance of its own. Stopping is safest; the "
                             "other rules are those of R's survey package (see your survey's documentation).")


def facts(survey) -> dict:
    """What the page shows of a survey that does not change while it is open: the number of distinct values of
    each column (which columns have a few groups), the survey in one line and the indicators its ILO variables
    give (``indicators.computable``). Counted once per survey in this session (counting them on every click took
    most of a rerun)."""
    held = st.session_state.get("md-facts")
    if isinstance(held, tuple) and len(held) == 2 and held[0] is survey:
        return held[1]
    from evidencekit.indicators import computable

    distinct = survey.data.nunique(dropna=True)
    design = {survey.weight, survey.strata, survey.psu}
    out = {"groups": [c for c in survey.data.columns if distinct[c] <= 30 and c not in design],
           "pairs": [c for c in survey.data.columns if 2 <= distinct[c] <= 30 and c not in design],
           "line": words.survey(survey), "can": sorted(computable(survey))}
    st.session_state["md-facts"] = (survey, out)
    return out


@st.fragment
def estimates(survey, own) -> None:
    """Indicators with their confidence intervals, by the groups chosen (a fragment: a choice here redraws the
    estimates only; a fragment shows its own errors, so it has its own guard)."""
    render.guarded(_estimates)(survey, own)


FIRST = ("informal_employment_rate", "unemployment_rate", "labour_force_participation_rate")  # shown first


def cannot_give(survey, can: list[str]) -> str | None:
    """The catalogue's indicators this survey cannot give, each with the ILO variables it lacks, in one line."""
    from evidencekit.course.schema import survey_indicator_names
    from evidencekit.indicators.definitions import INDICATORS

    cols = set(survey.data.columns)
    out = [f"{words.indicator(n)} (needs {', '.join(sorted(INDICATORS[n].columns() - cols))})"
           for n in sorted(survey_indicator_names()) if n not in can]
    if not out:
        return None
    return (f"Not from this survey, whose columns lack the ILO variables they need: {'; '.join(out)}. A mapping "
            "file of your own can make them from the survey's own questions (see the mapping guide, "
            "docs/mappings.md).")


def _estimates(survey, own) -> None:
    names = facts(survey)["can"]
    if not names:
        st.warning("This survey's columns give none of the indicators: they are not the ILO harmonised variables "
                   "(ilo_sex, ilo_lfs, …). Choose a saved mapping above, or map the columns yourself.",
                   icon=":material/warning:")
        return
    cols = st.columns(2)
    start = next((n for n in FIRST if n in names), names[0])
    chosen = cols[0].multiselect("Indicators", names, default=[start], key="md-indicators",
                                 format_func=words.indicator)
    groups = facts(survey)["groups"]
    by = cols[0].multiselect("Break down by", groups, default=["ilo_sex"] if "ilo_sex" in groups else [],
                             key="md-by", format_func=lambda c: words.column(c, survey),
                             help="Each breakdown divides the sample: watch the small-cell flags.")
    level = cols[1].select_slider("Confidence level", [0.9, 0.95, 0.99], value=0.95, key="md-level",
                                  format_func=lambda v: f"{round(v * 100)}%")
    min_n = cols[1].number_input("Flag cells with fewer records than", min_value=1, max_value=1000, value=15,
                                 key="md-min-n")
    if own and (line := cannot_give(survey, names)):
        st.caption(words.literal(line))
    if not chosen:
        st.warning("Choose at least one indicator.", icon=":material/warning:")
        return
    spec = {"source": "estimate", "survey": "own" if own else "synthetic", "indicators": chosen, "by": by,
            "level": level, "min_n": int(min_n), "lonely_psu": st.session_state.get("md-lonely", "fail")}
    p = data.panel(spec, own=own, keep="md-panels")
    render.panel(p, board_item="estimate", name="estimates",
                 caption=", ".join(words.indicator(i) for i in chosen) + (" by " + ", ".join(
                     words.column(c, survey).lower() for c in by) if by else "") + f" — {words.survey_name(survey)}")


@st.fragment
def gap(survey, own) -> None:
    """The gap between two groups with its confidence interval (a fragment, as the estimates)."""
    render.guarded(_gap)(survey, own)


def _gap(survey, own) -> None:
    from evidencekit import indicators

    st.markdown("#### The gap between two groups")
    if getattr(indicators, "gap", None) is None:
        st.info("The gap between two groups, with its own confidence interval, needs a newer version of "
                "evidencekit. Meanwhile, compare the groups' estimates and intervals above.", icon=":material/info:")
        return
    names = facts(survey)["can"]
    if not names:
        return  # said with the estimates above
    cols = st.columns(2)
    indicator = cols[0].selectbox("Indicator", names, key="md-gap-indicator", format_func=words.indicator)
    groups = facts(survey)["pairs"]
    if not groups:
        st.info("The survey has no column with a few groups to compare.")
        return
    by = cols[1].selectbox("Groups from", groups, index=groups.index("ilo_sex") if "ilo_sex" in groups else 0,
                           key="md-gap-by", format_func=lambda c: words.column(c, survey))
    labels = survey.value_labels.get(by, {})
    codes = sorted(survey.data[by].dropna().unique().tolist(), key=str)
    a = cols[0].selectbox("Group A", codes, index=min(1, len(codes) - 1), key="md-gap-a",
                          format_func=lambda c: str(labels.get(c, c)))
    b = cols[1].selectbox("Group B", codes, index=0, key="md-gap-b", format_func=lambda c: str(labels.get(c, c)))
    if a == b:
        st.warning("Choose two different groups.", icon=":material/warning:")
        return
    spec = {"source": "gap", "survey": "own" if own else "synthetic", "indicator": indicator, "by": by,
            "a": a.item() if hasattr(a, "item") else a, "b": b.item() if hasattr(b, "item") else b,
            "lonely_psu": st.session_state.get("md-lonely", "fail")}
    render.guarded(lambda: render.panel(data.panel(spec, own=own), board_item="estimate", name="gap"))()


@render.guarded
def body() -> None:
    st.title("Microdata workbench")
    source = st.radio("Survey", ["synthetic", "own"], horizontal=True, key="md-source",
                      format_func={"synthetic": "The SYNTHETIC training survey (Synthetica, a fictional country)",
                                   "own": "My own survey file"}.get)
    if source == "synthetic":
        survey, own = data.synthetic_survey(), None
        st.caption("SYNTHETIC training data generated for this course: it describes no real country. "
                   + facts(survey)["line"])
    else:
        own = own_survey()
        if own is None:
            return
        survey = own[1]
    lonely_choice()
    estimates(survey, own)
    st.divider()
    gap(survey, own)


body()
