"""Drawing helpers every page uses: the error guard, charts with their source line and downloads, tables,
notes, and saving to the evidence board."""
from __future__ import annotations

import functools
import hashlib
import logging
import re

import streamlit as st

from ui import board, context, data, files

log = logging.getLogger("evidencekit.app")


# -- errors: plain words, never a traceback -------------------------------------------------------------------
def problem(err: Exception) -> None:
    """An evidencekit error in plain words: what happened, and what to do."""
    what = getattr(err, "what", None)
    if what:
        why = getattr(err, "why", "")
        st.error(f"{what}{': ' + why if why else ''}.".replace("..", "."), icon=":material/error:")
        fix = getattr(err, "fix", "")
        if fix:
            st.info(f"What to do: {fix.rstrip('.')}.", icon=":material/lightbulb:")
    else:
        st.error(str(err), icon=":material/error:")


def sorry(err: BaseException) -> None:
    """An unexpected failure (a bug): an apology and the kind of error; the details go to the server log."""
    log.exception("Unexpected error on a page", exc_info=err)
    st.error(f"Sorry — something went wrong on this page ({type(err).__name__}). Your work is saved. "
             "Try again, or open another page; if it happens again, tell your trainer.", icon=":material/error:")


def guarded(body):
    """Run a page's (or a panel's) body; an evidencekit error is shown in plain words with a way forward, an
    unexpected one as an apology with its type. Streamlit's own control flow (rerun, page switch) passes."""
    from evidencekit.errors import EvidenceKitError

    @functools.wraps(body)
    def run(*args, **kwargs):
        try:
            return body(*args, **kwargs)
        except EvidenceKitError as err:
            problem(err)
        except Exception as err:  # noqa: BLE001 — a participant never sees a traceback
            sorry(err)
        return None
    return run


def said_later(key: str):
    """A decorator for a widget's callback: an evidencekit error it raises is kept under ``key`` and said in plain
    words where the page calls :func:`said` (a callback runs before the page, outside :func:`guarded`)."""
    from evidencekit.errors import EvidenceKitError

    def wrap(callback):
        @functools.wraps(callback)
        def run(*args, **kwargs) -> None:
            try:
                callback(*args, **kwargs)
            except EvidenceKitError as err:
                st.session_state[key] = err
        return run
    return wrap


def said(key: str) -> None:
    """Say the error a callback kept under ``key`` (:func:`said_later`), once."""
    if key in st.session_state:
        problem(st.session_state.pop(key))


# -- notes and source lines -----------------------------------------------------------------------------------
_NO_ROWS = re.compile(r"^(?P<id>[A-Z0-9_]+): no rows for (?P<dim>\w+)=(?P<codes>[A-Z0-9+_-]+) in the (?P<where>.+?)"
                      r"(?: \((?P<rest>.*)\))?$")


def plain_note(note: str) -> str:
    """A library note in the app's words: 'no rows for ref_area=BRN+SGP' -> 'No figures for Brunei
    Darussalam and Singapore'. Other notes are shown as the library wrote them."""
    m = _NO_ROWS.match(note.strip())
    if not m:
        return note
    codes = m.group("codes").split("+")
    if m.group("dim") == "ref_area":
        names = data.area_names()
        codes = [names.get(c, c) for c in codes]
    listed = ", ".join(codes[:-1]) + f" and {codes[-1]}" if len(codes) > 1 else codes[0]
    return f"No figures for {listed} in the {m.group('where')}."


def notes(items: list[str]) -> None:
    """A panel's notes in the app's words (worked out once per list of notes in a session)."""
    if items:  # the heading and the notes in one element
        st.markdown(data.kept("ek-notes", tuple(items), lambda: "\n".join(
            ["**Notes on these figures**", ""] + [f"- {plain_note(n)}" for n in items])))


SMALL = 260  # px: a small choice (sex, a year, a breakdown): three side by side fit a laptop screen beside the sidebar


def row(n: int):
    """Where ``n`` small choices go: one row holding them side by side (one block, where columns were four,
    drawn again on every choice), or the page itself for one or none. Give each choice ``width=SMALL``."""
    return st.container(horizontal=True, gap="small") if n > 1 else st


def key_for(*parts) -> str:
    """A short, stable widget key from plain values."""
    return "k" + hashlib.sha1(repr(parts).encode()).hexdigest()[:12]


# -- a panel: chart, table, downloads, board ----------------------------------------------------------------------
def panel(p: data.Panel, *, caption: str = "", board_item: str | None = "chart", module: int | None = None,
          step: str | None = None, own=None, show_table: bool = True, name: str = "") -> None:
    """A panel as the participant sees it: the chart (or why there is none) with its source line, the
    notes, the table, downloads, and a form to save the chart or table to the evidence board."""
    if p.chart is not None:
        board.picture(p.chart, decoded=p.png)
        st.caption(p.chart["source_line"])
    elif p.message:
        st.info(p.message, icon=":material/info:")
    if p.message and p.chart is not None:
        st.info(p.message, icon=":material/info:")
    notes(p.notes)
    if show_table:
        table(p)
    downloads(p, name=name or (p.chart or p.table)["content"].get("title") or "figures", own=own)
    if board_item:  # (a step's panel has its form below it, outside the panel: steps.save_shown)
        save_form(p, caption=caption, what=board_item, module=module, step=step)


def table_key(spec: dict) -> str:
    """The key of a panel's table expander: one per place (a step, the explorer, the estimates), so that a table
    the participant opened stays open when a choice changes the figures.

    >>> table_key({"source": "step", "module": 2, "step": "youth-compare", "choices": {"year": 2021}})
    'table-step-2-youth-compare'
    """
    return "table-" + "-".join(str(spec[k]) for k in ("source", "module", "step", "part") if spec.get(k) is not None)


def new_source(p: data.Panel, line: str | None) -> bool:
    """Whether a source line under a panel's table says something the chart's own source line, just above,
    does not (the same line is not shown twice; a panel without a chart shows it)."""
    return line != (p.chart or {}).get("source_line")


def table(p: data.Panel) -> None:
    """The figures as a table, as the brief prints them. Estimates (and a panel with no chart) show it open; a
    chart's table is drawn only when the participant opens it (a choice then redraws one element less)."""
    again = new_source(p, p.table.get("source_line"))
    if p.chart is None or p.table["type"] == "estimate":
        with st.expander("The figures as a table", expanded=True):
            board.show(p.table, caption=False, table=p.shown, source=again)
        return
    box = st.expander("The figures as a table", key=table_key(p.spec), on_change="rerun")
    if box.open:
        with box:
            board.show(p.table, caption=False, table=p.shown, source=again)


def downloads(p: data.Panel, *, name: str, own=None, lazy: bool = True) -> None:
    """CSV / Excel of the figures and PNG / SVG of the chart, each made on click by the library's writers,
    behind one "Download" button. ``lazy`` (in a fragment): its menu is drawn only when opened, so a choice that
    redraws the figures does not redraw four download buttons too. Outside a fragment the menu is drawn with the
    page (``lazy=False``): a menu that reruns as it closes would, closed by a click on another page, run the page
    left again and take the participant back to it (docs/app.md)."""
    k = key_for("dl", data.spec_json(p.spec))
    menu = st.popover("Download", icon=":material/download:", key=k, on_change="rerun" if lazy else "ignore")
    if lazy and not menu.open:
        return
    with menu:
        st.download_button("Data (CSV)", functools.partial(files.frame_bytes, p.frame, ".csv"),
                           file_name=files.safe_name(name, ".csv"), mime=files.MIME[".csv"], on_click="ignore",
                           key=k + "csv", icon=":material/download:", width="stretch")
        st.download_button("Data (Excel)", functools.partial(files.frame_bytes, p.frame, ".xlsx"),
                           file_name=files.safe_name(name, ".xlsx"), mime=files.MIME[".xlsx"], on_click="ignore",
                           key=k + "xlsx", icon=":material/download:", width="stretch")
        if p.chart is not None:
            for suffix, label in ((".png", "Chart (PNG)"), (".svg", "Chart (SVG)")):
                st.download_button(label, functools.partial(_chart_bytes, p.spec, suffix, own),
                                   file_name=files.safe_name(name, suffix), mime=files.MIME[suffix],
                                   on_click="ignore", key=k + suffix, icon=":material/image:", width="stretch")


def _chart_bytes(spec: dict, suffix: str, own) -> bytes:
    return files.figure_bytes(data.figure(spec, own=own), suffix)


def save_form(p: data.Panel, *, caption: str, what: str, module: int | None, step: str | None,
              key: str | None = None, heading: str = "") -> None:
    """'Add to my evidence board' with an editable caption (the chart, or the table when there is no chart).
    ``key``: the form's own key, for a form that stays while the figures above it change (a step's panel): the
    caption is then left for the participant to write, and an empty one saves the item's own title.
    ``heading``: what the form saves, in words, where the generic heading would not tell two forms apart."""
    item = p.chart if (what == "chart" and p.chart is not None) else p.table
    kind = board.KIND_WORDS[item["type"]].lower()
    title = item["content"].get("title", "") or (p.chart or {}).get("content", {}).get("title", "")
    k = key or key_for("save", data.spec_json(p.spec), what, caption)  # a new suggested caption shows at once
    with st.form(k, border=True):
        st.markdown(heading or (f"**Save this {kind} to your evidence board**" if key is None else
                                "**Save these figures to your evidence board**"))
        text = st.text_input("Caption (say what it shows)", value=caption or ("" if key else title), key=k + "cap",
                             max_chars=300, placeholder=f"Leave it empty to use the {kind}'s title" if key else None)
        if st.form_submit_button("Add to my evidence board", icon=":material/add:", type="primary"):
            eid = board.add(item, text or title, origin={"spec": p.spec, "what": item["type"]}, module=module,
                            step=step)
            st.success(f"Saved to your evidence board as {eid}. Cite it as [{eid}] in your brief.",
                       icon=":material/check:")


def source_and_figure(item: dict) -> None:
    """A chart item drawn on its own (e.g. a second chart of a panel) with its source line."""
    board.picture(item)
    st.caption(item["source_line"])


def data_mode() -> str:
    return ("Offline: figures from the embedded ILOSTAT snapshot" if context.offline()
            else "Online: ILOSTAT live when it can be reached, else the local copy")
