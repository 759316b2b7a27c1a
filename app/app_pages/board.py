"""Evidence board: every item saved with its citation; reorder, caption, remove."""
from __future__ import annotations

import contextlib

import streamlit as st

from ui import board, context, data, frame, render, words

PROBLEM = "ek-board-problem"
_said = render.said_later(PROBLEM)  # a click refused (an item removed in another tab) is said on the board


@_said
def _move(item_id: str, rows: list[dict], step: int) -> None:
    """Swap an item with its neighbour (callback): the board's new order, in one write."""
    ids = [r["item_id"] for r in rows]
    i = ids.index(item_id)
    j = i + step
    if 0 <= j < len(ids):
        ids[i], ids[j] = ids[j], ids[i]
        context.participant().order_board(ids)


@_said
def _remove(item_id: str) -> None:
    context.participant().remove_from_board(item_id)  # the items counted again: the whole page is drawn again


@_said
def _caption(row: dict, key: str) -> None:
    text = " ".join(st.session_state[key].split())
    if text and text != row["title"]:
        payload = dict(row["payload"])
        payload["evidence"] = {**payload["evidence"], "caption": text}
        context.participant().update_board_item(row["item_id"], title=text, payload=payload)


OPEN = "board-open"  # the item open below the list (its item id); the first item when none is chosen yet
LIST_ROWS, LIST_HEIGHT = 6, 340  # more items than this: the list scrolls in a box about six items high (px)


@st.fragment
def items(count: int) -> None:
    """The list and the item open, a fragment: opening another item, moving it or changing its caption redraws
    them, not the page (``count``: the items the page counted; a removal, here or in another tab, redraws the
    whole page, whose sidebar and heading count them)."""
    render.guarded(_items)(count)


def _items(count: int) -> None:
    rows = board.evidence_rows(context.participant().board())
    if len(rows) != count:
        st.rerun(scope="app")
    render.said(PROBLEM)
    # one list of every item, and one item open: a board of twenty items is as quick to rearrange as one of three
    by_id = {r["item_id"]: r for r in rows}
    # a long list scrolls in a box of its own, so that the item opened stays in sight below it
    with st.container(height=LIST_HEIGHT, border=True) if len(rows) > LIST_ROWS else contextlib.nullcontext():
        opened = st.radio("Your items, in order", list(by_id), key=OPEN, label_visibility="collapsed",
                          format_func=lambda i: board.heading(by_id[i]),
                          captions=[words.literal(r["title"]) for r in rows])
    row = by_id.get(opened, rows[0])
    i = rows.index(row)
    ev = row["payload"]["evidence"]
    with st.container(border=True):
        with st.container(horizontal=True):
            st.button("Move up", key=f"up-{row['item_id']}", disabled=i == 0, on_click=_move,
                      args=(row["item_id"], rows, -1), icon=":material/arrow_upward:")
            st.button("Move down", key=f"down-{row['item_id']}", disabled=i == len(rows) - 1, on_click=_move,
                      args=(row["item_id"], rows, 1), icon=":material/arrow_downward:")
            st.button("Remove", key=f"rm-{row['item_id']}", on_click=_remove, args=(row["item_id"],),
                      icon=":material/delete:")
        key = f"cap-{row['item_id']}"
        st.session_state[key] = row["title"]
        st.text_input(f"Caption of {board.heading(row)}", key=key, on_change=_caption, args=(row, key))
        board.show(ev, caption=False, citation=row["citation"],
                   **data.kept("board-memo", board.ready_key(ev), lambda: board.ready(ev)))


@render.guarded
def body() -> None:
    st.title("Evidence board")
    rows = board.evidence_rows(context.participant().board())
    if not rows:
        render.said(PROBLEM)
        st.info("Your board is empty. Save a chart, a table, an estimate or a quotation from a module step, the "
                "Data explorer or the Microdata workbench: it appears here with its source.",
                icon=":material/dashboard:")
        st.page_link(frame.page("module-1"), label="Start with module 1", icon=":material/school:")
        return
    st.markdown(f"{len(rows)} item{'s' if len(rows) > 1 else ''}, each with its source, in the order of your brief. "
                "Cite them in your brief by their number, e.g. [E1]. Open an item to see it, move it, change its "
                "caption or remove it.")
    items(len(rows))
    st.page_link(frame.page("brief"), label="Build your brief from this board", icon=":material/description:")


body()
