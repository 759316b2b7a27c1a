"""A learning step, drawn by kind from the course model: the explanation, the task, the participant's
choices, the figures (chart, source line, notes, table, downloads), hints, key points, and saving to the
evidence board. Every number comes from the library; the participant's choices are checked again there."""
from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from ui import board, context, data, render, words

SEX = {"SEX_T": "Total", "SEX_F": "Women", "SEX_M": "Men"}
LEVELS = [0.9, 0.95, 0.99]
SHOWN = "ek-shown"  # step key -> the spec of the figures its panel shows now (None: none)
BY_COLUMNS = ("ilo_sex", "ilo_geo", "region", "ilo_age_aggregate", "ilo_edu_aggregate", "ilo_job1_ste_aggregate",
              "ilo_job1_eco_sector", "ilo_job1_ins_sector")


def _key(step, name: str) -> str:
    return f"m{step.module}-{step.id}-{name}"


def _initial(step, name: str, default, valid=None):
    """The widget's starting value: what the participant chose last time (kept in the store), else the
    step's own (always the step's own when the step was opened from a trainer's preset); a value the widget
    cannot show (``valid`` says no) falls back to the step's own. Set once per
    session, before the widget is drawn."""
    from ui import trainer

    key = _key(step, name)
    if key not in st.session_state:
        saved = {} if trainer.preset_for(step) else \
            (context.participant().work(step.module, step.id) or {}).get("choices", {})
        value = saved.get(name, default)
        st.session_state[key] = tuple(value) if isinstance(default, tuple) and isinstance(value, list) else value
    if valid is not None and not valid(st.session_state[key]):
        st.session_state[key] = default
    return key


def _once(step, name, make):
    return data.kept(_key(step, "memo"), name, make)


def _panel_of(step, spec: dict, own=None):
    """The panel of ``spec`` (:func:`ui.data.panel`), the last few of this step kept in the session."""
    return data.panel(spec, own=own, keep=_key(step, "memo"))


def _remember(step, choices: dict) -> None:
    """Keep the participant's choices for the step (a reload or a restart shows them again)."""
    me = context.participant()
    work = me.work(step.module, step.id) or {}
    if work.get("choices") != choices:
        me.save_choices(step.module, step.id, {**work, "choices": choices})


def _year_range(step) -> list[int]:
    return _once(step, "years", lambda: _years_of(step))


def _breakdowns(step) -> dict:
    return _once(step, "breakdowns", lambda: data.breakdowns(step.params["indicator"], tuple(step.params["areas"]),
                                                             context.settings()))


def _years_of(step) -> list[int]:
    info = _breakdowns(step)
    years = info["years"] or list(range(2000, 2025))
    lo, hi = years[0], years[-1]
    for y in step.params.get("years") or []:
        lo, hi = min(lo, y), max(hi, y)
    return list(range(lo, hi + 1))


def choices_for_series(step) -> dict:
    """Widgets for what the step lets the participant change (its ``choose``); returns the choices."""
    p, allowed = step.params, step.params.get("choose", [])
    names = _once(step, "names", data.area_names)
    out: dict = {}
    if "areas" in allowed:
        options, labels = _once(step, "areas", lambda: data.area_choices(p["areas"], names))
        key = _initial(step, "areas", list(p["areas"]),
                       lambda v: isinstance(v, list) and all(c in labels for c in v))
        chosen = st.multiselect("Countries and regions", options, key=key, format_func=labels.__getitem__,
                                help="Type a name to find it. ILOSTAT's regions (such as Asia and the Pacific) are "
                                     "aggregates; ASEAN is a group of countries, not an ILOSTAT region.")
        if not chosen:
            st.warning("Choose at least one country or region to see figures.", icon=":material/warning:")
            return {}
        out["areas"] = chosen
    row = render.row(sum(1 for c in ("sex", "year", "benchmark") if c in allowed and (c != "benchmark" or p.get(c))))
    if "sex" in allowed:
        start = p.get("sex", ["SEX_T"])[0] if isinstance(p.get("sex"), list) else p.get("sex", "SEX_T")
        key = _initial(step, "sex", start, lambda v: v in SEX)
        out["sex"] = row.radio("Sex", list(SEX), key=key, format_func=SEX.get, horizontal=True, width=render.SMALL)
    if "year" in allowed:
        years = _year_range(step)
        options = (["latest"] if p.get("year") == "latest" else []) + list(reversed(years))
        key = _initial(step, "year", p.get("year") if p.get("year") in options else options[0],
                       lambda v: v in options)
        out["year"] = row.selectbox("Year", options, key=key, width=render.SMALL,
                                    format_func=lambda y: "Each country's latest year" if y == "latest" else str(y))
    if "benchmark" in allowed and p.get("benchmark"):
        key = _initial(step, "benchmark", p["benchmark"][0], lambda v: v in p["benchmark"])
        out["benchmark"] = row.selectbox("Benchmark", list(p["benchmark"]), key=key, width=render.SMALL,
                                         format_func=lambda c: names.get(c, c))
    if "classif1" in allowed and p.get("classif1"):
        info = _breakdowns(step)
        family = p["classif1"][0].rsplit("_", 1)[0]
        options = [c for c, _ in info.get("classif1", []) if c.startswith(family)] or list(p["classif1"])
        labels = dict(info.get("classif1", []))
        key = _initial(step, "classif1", p["classif1"][0], lambda v: v in options)
        out["classif1"] = st.selectbox("Group", options, key=key,
                                       format_func=lambda c: labels.get(c, c).split(": ", 1)[-1])
    if "years" in allowed:
        years = _year_range(step)
        start = tuple(p.get("years") or (years[0], years[-1]))
        key = _initial(step, "years", start,
                       lambda v: isinstance(v, tuple) and len(v) == 2 and all(y in years for y in v))
        picked = st.select_slider("Years", options=years, key=key)
        out["years"] = [int(picked[0]), int(picked[1])]
    _remember(step, out)
    return out


def series_step(step) -> None:
    p = step.params
    shown = st.session_state.setdefault(SHOWN, {})  # one dict: a key set in it is not a session-state write
    shown[step.key] = None  # until the figures are shown: nothing to save
    choices = choices_for_series(step)
    if "areas" in p.get("choose", []) and not choices.get("areas"):
        return
    options = {}
    if step.kind == "change_over_time" and p.get("base_year"):
        row = render.row(2)
        show = row.radio("Show", ["values", "index"], horizontal=True, key=_key(step, "show"), width=render.SMALL,
                         format_func=lambda s: "Values" if s == "values" else f"Index ({p['base_year']} = 100)")
        options["show"] = show
        years = _year_range(step)
        later = [y for y in years if y != p["base_year"] and (not choices.get("years") or
                                                               choices["years"][0] <= y <= choices["years"][1])]
        if later:  # by default the year after the base year: the shock
            after = [y for y in later if y > p["base_year"]]
            start = after[0] if after else later[-1]
            to = row.selectbox(f"Compare {p['base_year']} with", later, key=_key(step, "to"), width=render.SMALL,
                               index=later.index(start))
            options["to_year"] = int(to)
    spec = {"source": "step", "module": step.module, "step": step.id, "choices": choices, "options": options}
    panel = _panel_of(step, spec)
    render.panel(panel, board_item=None, module=step.module, step=step.id, name=step.title)
    shown[step.key] = spec  # what the save form below the panel saves (save_shown)
    if "changes" in panel.extra:
        changes = panel.extra["changes"]
        st.markdown(f"**Change from {p['base_year']}**")
        board.show(changes, caption=False, table=panel.extra.get("changes_shown"),
                   source=render.new_source(panel, changes.get("source_line")))
    if step.kind == "read_notes":
        look_for(step, panel)


LOOK_FOR = {"sources": "Which survey or source each figure comes from (a change of source is a break).",
            "notes": "The notes on the indicator, the source and the classification.",
            "flags": "The flags: B = break in series, U = unreliable, P = provisional, E = estimate, F = forecast.",
            "breaks": "Breaks in series: years on either side cannot be compared directly.",
            "vintage": "The release (vintage) in the source line: how recent the figures are.",
            "coverage": "Coverage: the whole country or part of it, all ages or some."}


def look_for(step, panel) -> None:
    """The notes, sources and flags of every figure, one row each (what a ``read_notes`` step reads)."""
    st.markdown("\n".join(["**What to look for**", ""] + [f"- {LOOK_FOR[w]}" for w in step.params["look_for"]
                                                          if w in LOOK_FOR]))
    table, plain = _once(step, ("notes", data.spec_json(panel.spec)), lambda: _notes_arrow(panel))
    st.table(table, hide_index=plain)
    if render.new_source(panel, panel.source_line):
        st.caption(panel.source_line)


def _notes_arrow(panel) -> tuple:
    """The notes table as Arrow, made once per view, and whether its index is plain row numbers (hidden)."""
    table = notes_table(panel)
    plain = isinstance(table.index, pd.RangeIndex)
    return data.arrow(table, index=not plain), plain


def notes_table(panel):
    """The notes, sources and flags of every figure of a panel, one row each, as the screen shows them (a
    DataFrame indexed by area and year)."""
    f = panel.frame.copy(deep=False)
    f.attrs = {}  # pandas copies attrs at every step: the provenance is shown in the source line instead
    cols = [c for c in ("ref_area.label", "time", "obs_value", "source.label", "obs_status.label", "flags",
                        "note_indicator.label", "note_source.label", "note_classif.label") if c in f.columns]
    names = {"ref_area.label": "Area", "time": "Year", "obs_value": "Value", "source.label": "Source",
             "obs_status.label": "Flag", "flags": "What it means here", "note_indicator.label": "Note on the indicator",
             "note_source.label": "Note on the source", "note_classif.label": "Note on the classification"}
    table = f[cols].rename(columns=names).astype("string").fillna("")
    table = table.loc[:, [c for c in table.columns if table[c].str.len().gt(0).any()]]
    return table.set_index(["Area", "Year"]) if {"Area", "Year"} <= set(table.columns) else table


def _own(step):
    """``(token, survey)`` of the participant's uploaded survey when the step works on it, else None."""
    return st.session_state.get("own_survey") if step.params.get("survey") == "own" else None


def estimate_step(step) -> None:
    from evidencekit.course.schema import survey_indicator_names

    p, allowed = step.params, step.params.get("choose", [])
    shown = st.session_state.setdefault(SHOWN, {})
    shown[step.key] = None  # until the estimates are shown: nothing to save
    own = _own(step)
    survey = data.synthetic_survey() if p.get("survey", "synthetic") == "synthetic" else (own or (None, None))[1]
    if survey is None:
        st.info("This step uses your own survey file. Open the Microdata workbench, upload it, then come back.",
                icon=":material/upload_file:")
        st.page_link("app_pages/microdata.py", label="Open the Microdata workbench", icon=":material/table_chart:")
        return
    if "SYNTHETIC" in (survey.source or "").upper():
        st.caption("Data: the SYNTHETIC training survey of Synthetica — a fictional country, for practice only.")
    choices: dict = {}
    row = render.row(sum(1 for c in ("indicators", "by", "level") if c in allowed))
    if "indicators" in allowed:
        names = sorted(survey_indicator_names())
        key = _initial(step, "indicators", list(p.get("indicators") or []),
                       lambda v: isinstance(v, list) and all(i in names for i in v))
        choices["indicators"] = row.multiselect("Indicators", names, key=key, format_func=words.indicator,
                                                width=2 * render.SMALL)
    if "by" in allowed:
        default = p.get("by") or []
        default = [default] if isinstance(default, str) else list(default)
        options = list(dict.fromkeys(default + [c for c in BY_COLUMNS if c in survey.data.columns]))
        key = _initial(step, "by", default, lambda v: isinstance(v, list) and all(c in options for c in v))
        choices["by"] = row.multiselect("Break down by", options, key=key, width=2 * render.SMALL,
                                        format_func=lambda c: words.column(c, survey),
                                        help="Each extra breakdown divides the sample: watch the small-cell flags.")
    if "level" in allowed:
        key = _initial(step, "level", p.get("level", 0.95), lambda v: v in LEVELS)
        choices["level"] = row.select_slider("Confidence level", LEVELS, key=key, width=render.SMALL,
                                             format_func=lambda v: f"{round(v * 100)}%")
    _remember(step, choices)
    spec = {"source": "step", "module": step.module, "step": step.id, "choices": choices}
    panel = _panel_of(step, spec, own=own)
    second = panel.extra.get("distribution")
    flagged = [n for n in panel.table["content"].get("notes", []) if "small" in n.lower() or "n<" in n]
    if flagged:
        st.warning(f"{len(flagged)} estimate(s) rest on too few observations to publish: see the notes under the "
                   "table.", icon=":material/warning:")
    render.panel(panel, board_item=None, module=step.module, step=step.id, own=own, name=step.title)
    if second is not None:
        st.markdown("**Shares of each answer, with confidence intervals**")
        render.panel(second, board_item=None, module=step.module, step=step.id, own=own)
    shown[step.key] = spec  # what the save forms below the panel save (save_shown)
    if "compare_with" in panel.extra:
        c = panel.extra["compare_with"]
        st.metric(f"Published figure for comparison: {c['area']}, {c['year']}", f"{c['value']:.1f}")
        st.caption(c["citation"])


def _fixed_panel(step):
    """The panel of a step with no choice to make (its spec is the step itself), kept in the session."""
    return _panel_of(step, {"source": "step", "module": step.module, "step": step.id})


def reconcile_figures(step) -> None:
    """The figures side by side, their notes and downloads: drawn with the page (the work below does not
    change them)."""
    panel = _fixed_panel(step)
    st.markdown("**The figures side by side**")
    board.show(panel.table, caption=False, table=panel.shown)
    render.notes(panel.notes)
    render.downloads(panel, name=step.title, lazy=False)  # drawn with the page, outside the step's fragment


REASON_WORDS = {"definition": "Definition (who is counted)", "source": "Source (which survey or register)",
                "coverage": "Coverage (ages, areas, groups)", "timing": "Timing (which months or year)",
                "icls": "Statistical standard (13th or 19th ICLS)", "method": "Method (who computed it, how)",
                "revision": "Revision (a later release)", "rounding": "Rounding"}


def reconcile_step(step) -> None:
    """The participant's reconciliation (the step's fragment): the reasons ticked and a note, kept in the
    store; then what the figures' metadata say differs, and the table to save with the note as its caption."""
    from evidencekit.course.spec import REASONS

    panel = _fixed_panel(step)
    me = context.participant()
    work = me.work(step.module, step.id) or {}
    with st.form(render.key_for("reasons", step.key)):
        offered = [r for r in step.params["reasons"] if r in REASONS]
        chosen = st.pills("**Which reasons could explain the difference?** Choose each that could.", offered,
                          selection_mode="multi", format_func=lambda r: REASON_WORDS.get(r, r), key=_key(step, "why"),
                          default=[r for r in work.get("reasons", []) if r in offered])
        ticked = [r for r in offered if r in chosen]  # in the step's order, whatever the order of the clicks
        note = st.text_area("Your reconciliation note (two sentences: which figure you would use for what, and why)",
                            value=work.get("note", ""), key=_key(step, "note"))
        done = st.form_submit_button("Compare with what the figures' metadata say", type="primary")
    if done:
        me.save_work(step.module, step.id, {**work, "reasons": ticked, "note": note})
        work = {**work, "reasons": ticked, "note": note}
    if work.get("reasons") is not None and (done or work.get("reasons")):
        st.markdown("\n".join(["**What differs between the figures, from their metadata**", ""] + [
            f"- **{d['aspect'].capitalize()}** ({d['time']}): {d['detail']} {d['explanation']}".rstrip()
            for d in panel.extra.get("differences", [])] + [
            f"- **Values** ({d['time']}): {d['detail']} {d['explanation']}".rstrip()
            for d in panel.extra.get("spread", [])]))
        st.caption(f"You chose: {', '.join(REASON_WORDS.get(r, r) for r in work['reasons']) or 'nothing'}.")
    render.save_form(panel, caption=work.get("note") or (step.board or {}).get("caption", ""), what="table",
                     module=step.module, step=step.id)


def coding_context(step) -> None:
    """The notes' label, what they are and the codebook: drawn with the page (tagging does not change them)."""
    p = step.params
    if p.get("illustrative"):
        st.warning("ILLUSTRATIVE notes written for the course: they describe no real people.",
                   icon=":material/theater_comedy:")
    st.markdown(p["context"])
    with st.expander("The codebook", expanded=True):
        st.markdown("\n".join(f"- **{c['label']}** — {c['definition']}" + (f" *(e.g. “{c['example']}”)*"
                                                                           if c.get("example") else "")
                               for c in p["codebook"]))


def coding_step(step) -> None:
    """The participant's tags (the step's fragment): one choice of codes per passage, kept in the store, and
    the theme counts of what is tagged."""
    from evidencekit.course import check_tags

    p = step.params
    labels = {c["code"]: c["label"] for c in p["codebook"]}
    me = context.participant()
    work = me.work(step.module, step.id) or {}
    saved = work.get("tags", {})
    with st.form(render.key_for("tags", step.key)):
        st.markdown("**Tag each passage with one or more codes**: click each code that fits it.")
        tags = {}
        for passage in p["passages"]:  # one element a passage: the passage is the label of its codes
            group = f", {words.literal(passage['group'])}" if passage.get("group") else ""  # quoted as said
            key = _key(step, f"tag-{passage['id']}")
            if key not in st.session_state:
                st.session_state[key] = [c for c in saved.get(passage["id"], []) if c in labels]
            speaker, said = words.literal(passage["speaker"]), words.literal(passage["text"])
            label = f"**{passage['id']}** · *{speaker}*{group}: “{said}”"
            tags[passage["id"]] = st.pills(label, list(labels), selection_mode="multi", key=key,
                                           format_func=labels.get)
        counted = st.form_submit_button("Save my tags and count the themes", type="primary")
    if counted:
        tidy = check_tags(step, tags)
        me.save_work(step.module, step.id, {**work, "tags": tidy})
        saved = tidy
    if saved:
        head, table, citation = data.kept(render.key_for("themes", step.key), json.dumps(saved, sort_keys=True),
                                          lambda: _themes(step, saved))
        st.markdown(head)
        st.dataframe(table, hide_index=True, width="stretch")
        st.caption(citation)


def _themes(step, tags: dict) -> tuple:
    """The theme counts of a set of tags as the step shows them: the heading, the table (as Arrow) and the
    citation, made once per set of tags (a form sent again with the same tags reads them here)."""
    from evidencekit.course import theme_counts

    counts = theme_counts(step, tags)
    head = f"**Themes** — {counts.attrs['tagged_passages']} of {counts.attrs['total_passages']} passages tagged"
    table = counts.drop(columns=["code"]).rename(columns={"label": "Theme", "passages": "Passages"})
    return head, data.arrow(table), counts.attrs["provenance"]["citation"]


@st.fragment
def quotations(step) -> None:
    """A passage saved to the evidence board as a quotation, with its citation (a fragment of its own)."""
    render.guarded(_quotation)(step)


def _quotation(step) -> None:
    from evidencekit.course import quotation

    p = step.params
    st.markdown("**Save quotations to your evidence board**")
    choice = st.selectbox("Passage", [x["id"] for x in p["passages"]], key=_key(step, "quote"),
                          format_func=lambda pid: next(f"{x['id']} — {x['speaker']}: {x['text'][:70]}…"
                                                       for x in p["passages"] if x["id"] == pid))
    if st.button("Add this quotation to my board", key=_key(step, "quote-add"), icon=":material/format_quote:"):
        from evidencekit.brief import EvidenceBoard

        q = quotation(step, choice)
        item = EvidenceBoard().add_quote(q["payload"]["text"], q["citation"], speaker=q["payload"]["speaker"],
                                         context=q["payload"].get("group") or "",
                                         caption=(step.board or {}).get("caption", "")).to_dict()
        eid = board.add(item, item["caption"], origin={"quote": step.key, "passage": choice}, module=step.module,
                        step=step.id)
        st.success(f"Saved to your evidence board as {eid}.", icon=":material/check:")


def write_step(step) -> None:
    from ui import brief

    st.markdown("\n".join(["**The sections of your brief**", ""] + [
        f"- **{s['title']}**" + (f" (about {s['words']} words at most)" if s.get("words") else "") + f": {s['prompt']}"
        for s in step.params["sections"]] + ["", brief.SAVE_FIRST]))
    brief.editor(prefix=f"m{step.module}-{step.id}")


KINDS = {"explore": series_step, "compare_countries": series_step, "change_over_time": series_step,
         "gap": series_step, "read_notes": series_step, "estimate": estimate_step, "reconcile": reconcile_step,
         "code_passages": coding_step, "write": write_step}


SERIES = {kind for kind, draw in KINDS.items() if draw is series_step}
SAVED = SERIES | {"estimate"}  # steps whose save forms sit below the panel, outside its fragment


@st.fragment
def _panel(step) -> None:
    """The step's working panel as a fragment: a choice or a form in it reruns the panel, not the page."""
    render.guarded(KINDS[step.kind])(step)


def save_shown(step) -> None:
    """'Add to my evidence board' for the figures a step's panel shows now (an estimate step with shares of each
    answer: a second form for them). The forms are drawn outside the panel, so that a choice redraws only the
    figures; they save what the panel shows when they are sent (the panel keeps its view's spec in the
    session, and the panel of that spec is the one shown: kept, or made again the same way)."""
    spec = st.session_state.get(SHOWN, {}).get(step.key)
    if spec is None:  # no figures shown (no country chosen, no survey): nothing to save
        return
    item, caption = (step.board or {}).get("item"), (step.board or {}).get("caption", "")
    panel = _panel_of(step, spec, own=_own(step))
    second = panel.extra.get("distribution") if step.kind == "estimate" else None
    if step.kind == "estimate":
        caption = "" if second is not None else (caption or step.title)
    render.save_form(panel, caption=caption, what="chart" if item in ("chart", None) else "table",
                     module=step.module, step=step.id, key=_key(step, "save"),
                     heading="**Save the estimates to your evidence board**" if second is not None else "")
    if second is not None:
        render.save_form(second, caption=(step.board or {}).get("caption", ""), what="table", module=step.module,
                         step=step.id, key=_key(step, "save-shares"),
                         heading="**Save the shares of each answer to your evidence board**")


BEFORE = {"reconcile": reconcile_figures, "code_passages": coding_context}  # drawn with the page, above the panel
AFTER = {"code_passages": quotations}                                      # a fragment of its own, below it


def learning_step(step) -> None:
    """Draw one learning step of any kind: what the participant's work does not change (the figures to reconcile,
    the codebook) with the page; the working panel as a fragment, redrawn alone when the participant works."""
    if step.kind in KINDS:
        if step.kind in BEFORE:
            render.guarded(BEFORE[step.kind])(step)
        _panel(step)
        if step.kind in SAVED:
            render.guarded(save_shown)(step)
        if step.kind in AFTER:
            AFTER[step.kind](step)
    else:
        st.info(f"This kind of step ({step.kind}) cannot be shown yet.")
