"""The evidence board: items saved by the participant, each with its citation, kept in the store.

Each store item's payload holds the brief's own evidence item (``evidence``: the dict of an
:class:`evidencekit.brief.Item` — chart PNG with alt text, table, estimate with CIs, reconciliation or
quotation, with citation and source line) and where it was made (``origin``: the view's spec), so the
brief is built from exactly what the participant saw. Items keep the id they were given when saved
(``E1``, ``E2`` …): reordering the board never changes what ``[E2]`` in a recommendation points to.
"""
from __future__ import annotations

import base64
import json
import re

import pandas as pd
import streamlit as st

from ui import context, words

STORE_KIND = {"chart": "chart", "table": "table", "estimate": "estimate", "reconcile": "table", "quote": "quote"}
KIND_WORDS = {"chart": "Chart", "table": "Table", "estimate": "Estimate", "reconcile": "Reconciliation",
              "quote": "Quotation"}


def next_id(rows: list[dict]) -> str:
    """The next unused evidence id (``E`` + a number) on a board.

    >>> next_id([{"payload": {"evidence": {"id": "E1"}}}, {"payload": {"evidence": {"id": "E3"}}}])
    'E4'
    """
    used = [int(m.group(1)) for r in rows
            if (m := re.fullmatch(r"E(\d+)", str(((r.get("payload") or {}).get("evidence") or {}).get("id", ""))))]
    return f"E{max(used, default=0) + 1}"


def find(rows: list[dict], origin: dict) -> dict | None:
    """The board item made from the same view with the same caption, if the participant saved it already."""
    for r in rows:
        if (r.get("payload") or {}).get("origin") == origin:
            return r
    return None


def add(item: dict, caption: str, *, origin: dict, module: int | None = None, step: str | None = None) -> str:
    """Save a brief evidence item (dict) to the participant's board; returns its evidence id (``E3``).
    The same view saved twice with the same caption is kept once."""
    me = context.participant()
    rows = me.board()
    caption = " ".join(str(caption or "").split()) or item.get("caption") or item.get("content", {}).get("title", "")
    origin = {**origin, "caption": caption}
    same = find(rows, origin)
    if same is not None:
        return same["payload"]["evidence"]["id"]
    evidence = {**item, "id": next_id(rows), "caption": caption}
    me.add_to_board({"kind": STORE_KIND[item["type"]], "title": caption or KIND_WORDS[item["type"]],
                     "citation": evidence["citation"], "payload": {"evidence": evidence, "origin": origin},
                     "module": module, "step": step})
    return evidence["id"]


def heading(row: dict) -> str:
    """An item's line in the board's list and over its caption box: its evidence id, what it is and where it
    was made.

    >>> heading({"module": 1, "payload": {"evidence": {"id": "E2", "type": "chart"}}})
    '**E2** · Chart · from module 1'
    """
    ev = row["payload"]["evidence"]
    origin = f" · from module {row['module']}" if row.get("module") else ""
    return f"**{ev['id']}** · {KIND_WORDS[ev['type']]}{origin}"


def evidence_rows(rows: list[dict]) -> list[dict]:
    """The board rows that hold a brief evidence item, in the board's order."""
    return [r for r in rows if isinstance((r.get("payload") or {}).get("evidence"), dict)]


def as_evidence_board(rows: list[dict]):
    """The participant's board as an :class:`evidencekit.brief.EvidenceBoard` (checked as the brief's own
    JSON is), each item's caption the one the participant last wrote."""
    from evidencekit.brief import EvidenceBoard
    from evidencekit.brief.board import SCHEMA, VERSION

    items = [{**r["payload"]["evidence"], "caption": r["title"]} for r in evidence_rows(rows)]
    return EvidenceBoard.from_dict({"schema": SCHEMA, "version": VERSION, "items": items}, "Your evidence board")


def table_frame(content_table: dict, decimals: int = 1) -> pd.DataFrame:
    """A board table (``columns``, ``rows``) for the screen, each cell written as the brief prints it
    (:func:`evidencekit.brief.render.cells`: numbers to ``decimals``, years as years, counts with one
    rule per column, empty cells blank)."""
    from evidencekit.brief.render import cells

    rows = cells(content_table.get("rows", []), decimals, content_table.get("together"))
    return pd.DataFrame(rows, columns=content_table.get("columns", []))


def png(item: dict) -> bytes:
    return base64.b64decode(item["content"]["png"])


def picture(item: dict, decoded: bytes | None = None) -> None:
    """A chart item on screen at most at its own width (1100 px: the whole chart fits a full-HD screen, and a
    narrower window shrinks it), handed over as the PNG it is (Streamlit re-encodes nothing), with its alt text.
    The presentation view gives it the whole width of the screen. ``decoded``: the item's PNG already decoded.
    """
    from ui import trainer

    data = decoded if decoded is not None else png(item)
    width = int.from_bytes(data[16:20], "big") if data[:8] == b"\x89PNG\r\n\x1a\n" else 0
    if trainer.presenting():
        width = 0
    st.image(data, width=width or "stretch", output_format="PNG",
             alt=item["content"].get("alt_text") or item["content"].get("title"))


def ready(item: dict) -> dict:
    """What :func:`show` needs of an item made once (a page keeps it while the item does not change): the
    chart's PNG decoded, or the table as Arrow, as keyword arguments of :func:`show`."""
    from ui import data

    if item["type"] == "chart":
        return {"decoded": png(item)}
    if item["type"] == "quote":
        return {}
    return {"table": data.arrow(data.shown_table(item))}


def ready_key(item: dict) -> tuple:
    """What :func:`ready` reads of an item, as a key (moving an item or changing its caption leaves it alone):
    the chart's PNG, or the table's content."""
    content = item["content"]
    if item["type"] == "chart":
        return item["type"], hash(content.get("png"))
    return item["type"], json.dumps(content, sort_keys=True, default=str)


def show(item: dict, *, caption: bool = True, table=None, decoded: bytes | None = None,
         citation: str = "", source: bool = True) -> None:
    """Draw one evidence item as the brief will show it, with its source line (``table``: the item's table
    already made for the screen, a DataFrame or Arrow; ``decoded``: a chart's PNG already decoded;
    ``citation``: said on a line of its own under the source line, in the same element; ``source=False``: the
    source line left out, where the same line stands just above)."""
    kind, content = item["type"], item["content"]
    if kind == "chart":
        from evidencekit.brief.board import drawn_wrongly

        picture(item, decoded=decoded)
        wrong = drawn_wrongly(content, item.get("id") or "This chart")
        if wrong:
            st.warning(wrong, icon=":material/warning:")
    elif kind == "quote":
        who = " · ".join(words.literal(x) for x in (content.get("speaker"), content.get("context")) if x)
        st.markdown(f"> {words.literal(content['text'])}" + (f"\n\n— {who}" if who else ""))  # quoted as said
    else:
        shown = table if table is not None else table_frame(content["table"], int(content.get("decimals", 1)))
        st.dataframe(shown, hide_index=True, width="stretch")
        notes = content.get("notes") or []
        if notes:  # one element for all of them (an estimate by three groups may carry twenty small-cell notes)
            st.caption("\n".join(f"- Note: {note}" for note in notes))
    if caption and item.get("caption"):
        st.markdown(f"**{item['id']}** · {item['caption']}" if item.get("id") else item["caption"])
    if source:
        line = item.get("source_line") or item.get("citation", "")
        st.caption(line + (f"\n\nCitation: {citation}" if citation else ""))
